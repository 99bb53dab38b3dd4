/* SPDX-License-Identifier: Apache-2.0 */
/* The delta planner's slot scans on the pool under ThreadSanitizer (make
 * tsan; lib/device/delta.c, delta_blocks.c, ADR-047's amendment): an 8 MiB
 * payload, the running set's slot shifted by 3 blocks with every 97th block
 * changed, planned by blocks and by chunks (4 KiB, 64 KiB) at jobs 1 and 4;
 * exits 1 when a plan at jobs 4 differs from the one at jobs 1 or used no
 * thread. TSan reports any race between the workers' hashing and the
 * calling thread's lookups. The device library itself is linked
 * uninstrumented; the scans and the pool are compiled with TSan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/delta_internal.h"
#include "fwseal/blocks.h"
#include "fwseal/chunks.h"
#include "fwseal/device.h"
#include "fwseal/sha256.h"

#define BS 4096
#define SIZE (8u << 20)

static uint8_t slot[SIZE], payload[SIZE];

static long long read_slot(void *ctx, char set, const char *target, uint64_t off, uint8_t *buf,
			   size_t len)
{
	(void)ctx;
	(void)target;
	if (off >= SIZE)
		return 0;
	if (len > SIZE - off)
		len = (size_t)(SIZE - off);
	memcpy(buf, slot + off, len);
	if (set == 'b') /* the set being replaced: the slot's bytes inverted */
		for (size_t i = 0; i < len; i += BS)
			buf[i] ^= 0xff;
	return (long long)len;
}

static int fetch(void *ctx, uint64_t at, uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)at;
	memset(buf, 0, len);
	return 0;
}

/* Plans and copies every chunk's and block's source into src; returns
 * the number of entries, 0 on failure. */
static size_t plan(unsigned jobs, int blocks, uint32_t cs, uint32_t *src, unsigned *threads)
{
	static struct fws_verify_result r;
	static uint8_t list[SIZE / BS * 32], index[SIZE / BS * 8];
	struct fws_manifest *m = &r.manifest;
	struct fws_payload *p = &m->payloads[0];
	struct fws_device dev;
	uint64_t n, nb = SIZE / BS;
	size_t count = 0;
	memset(&r, 0, sizeof(r));
	m->n_payloads = 1;
	m->created = 1767225600;
	strcpy(p->name, "fw.img");
	strcpy(p->target, "rootfs");
	p->size = SIZE;
	p->chunk_size = cs;
	p->has_blocks = blocks;
	if (fws_chunk_count(SIZE, cs, &n) != 0)
		return 0;
	for (uint64_t k = 0; k < n; k++)
		fws_sha256(payload + k * cs, cs, list + k * 32);
	fws_block_index_put(index, 0, payload, SIZE);
	r.payloads_offset = 2048;
	memset(&dev, 0, sizeof(dev));
	dev.slots.read_slot = read_slot;
	dev.slots.in_place = 1;
	struct fws_delta *d = fws_delta_new(&dev, fetch, NULL);
	if (d == NULL)
		return 0;
	fws_delta_set_jobs(d, jobs);
	fws_delta_start(d, &r, 'b', 'a');
	if ((blocks && fws_delta_block_index(d, p, 0, 0, index, nb * 8) != 0) ||
	    fws_delta_plan(d, p, 0, list) != 0) {
		fws_delta_free(d);
		return 0;
	}
	memcpy(src, d->src, d->n * sizeof(*src));
	count = d->n;
	if (d->by_blocks) {
		memcpy(src + count, d->b.src, d->b.n * sizeof(*src));
		count += d->b.n;
	}
	*threads = d->scan_threads;
	fws_delta_free(d);
	return count;
}

int main(void)
{
	static uint32_t one[2 * SIZE / BS], four[2 * SIZE / BS];
	static const struct {
		int blocks;
		uint32_t cs;
	} cases[] = {{1, 65536}, {0, 4096}, {0, 65536}};
	uint32_t x = 12345;
	for (size_t i = 0; i < SIZE; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(slot + i, &x, 4);
	}
	memcpy(payload, slot + 3 * BS, SIZE - 3 * BS);
	memcpy(payload + SIZE - 3 * BS, slot, 3 * BS);
	for (size_t b = 0; b < SIZE / BS; b += 97)
		payload[b * BS] ^= 1;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned t1 = 0, t4 = 0;
		size_t n1 = plan(1, cases[c].blocks, cases[c].cs, one, &t1);
		size_t n4 = plan(4, cases[c].blocks, cases[c].cs, four, &t4);
		if (n1 == 0 || n1 != n4 || memcmp(one, four, n1 * sizeof(*one)) != 0 || t1 != 0 ||
		    t4 < 2) {
			fprintf(stderr, "delta_tsan: case %zu: the plan at jobs 4 differs (%zu/%zu "
					"entries, %u threads)\n",
				c, n1, n4, t4);
			return 1;
		}
	}
	puts("delta_tsan: the plans at jobs 1 and 4 are the same");
	return 0;
}
