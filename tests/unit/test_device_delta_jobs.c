/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-011 */
/* The delta planner's slot scans on the hashing pool (lib/device/delta.c,
 * delta_blocks.c; ADR-047, ADR-050): the same payload against the same
 * slot contents is planned with --jobs 1, 2 and 4, and every block's and
 * every chunk's source must be the same byte for byte. The contents are
 * made so that order matters: blocks repeated many times in the payload
 * and in both slots (which copy a wanted block takes depends on the order
 * of the lookups), a slot written in place (a block serves only chunks up
 * to it), a short tail, zero blocks, and a slot that fails part way (the
 * pieces before the failure count, none after). A pool that handed
 * results back out of order, or let a read-ahead piece count, would plan
 * differently with threads. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "device/delta_internal.h"
#include "fwseal/blocks.h"
#include "fwseal/chunks.h"
#include "fwseal/device.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "test_device_helpers.h"

#define BS 4096
#define NBLK 700			/* payload: 700 blocks minus a short tail */
#define TAIL 1000			/* bytes of the payload's short last block */
#define SLOT_BLOCKS 760			/* each slot: a little larger than the payload */
#define SLOT_A (SLOT_BLOCKS * BS)	/* the running set: whole blocks */
#define SLOT_B (SLOT_BLOCKS * BS + TAIL) /* the set being replaced ends like the payload */

struct world {
	uint8_t a[SLOT_A], b[SLOT_B];
	uint8_t payload[NBLK * BS];
	uint64_t fail_b_at; /* reads of set b at or past this offset fail */
};

static struct world W;
static uint64_t psize; /* the payload's size: (NBLK - 1) * BS + TAIL unless a test says */

static long long read_slot(void *ctx, char set, const char *target, uint64_t off, uint8_t *buf,
			   size_t len)
{
	struct world *w = ctx;
	const uint8_t *s = set == 'b' ? w->b : w->a;
	uint64_t size = set == 'b' ? SLOT_B : SLOT_A;
	(void)target;
	if (set == 'b' && off + len > w->fail_b_at)
		return FWS_EIO;
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	memcpy(buf, s + off, len);
	return (long long)len;
}

static int fetch(void *ctx, uint64_t at, uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)at;
	memset(buf, 0, len); /* planning never fetches */
	return 0;
}

/* 16 distinct block contents (seed 1..16) that recur everywhere. */
static void common_block(uint8_t *dst, unsigned which)
{
	td_fill(dst, BS, 1000u + which % 16);
}

static void make_world(void)
{
	memset(&W, 0, sizeof(W));
	psize = (NBLK - 1) * BS + TAIL;
	W.fail_b_at = UINT64_MAX;
	td_fill(W.a, SLOT_A, 7u);
	td_fill(W.b, SLOT_B, 8u);
	/* Repeats in both slots: every 9th block of a, every 7th of b. */
	for (unsigned j = 0; j < SLOT_BLOCKS; j += 9)
		common_block(W.a + (size_t)j * BS, j);
	for (unsigned j = 3; j < SLOT_BLOCKS; j += 7)
		common_block(W.b + (size_t)j * BS, j);
	memset(W.a + 600 * BS, 0, 20 * BS); /* free space */
	for (unsigned k = 0; k < NBLK; k++) {
		uint8_t *dst = W.payload + (size_t)k * BS;
		switch (k % 6) {
		case 0: /* a block of a, moved back by 3 blocks */
			memcpy(dst, W.a + (size_t)((k + 3) % SLOT_BLOCKS) * BS, BS);
			break;
		case 1: /* a block of b, moved forward: in place, often too late */
			memcpy(dst, W.b + (size_t)(k > 40 ? k - 40 : k + 40) * BS, BS);
			break;
		case 2: /* one of the repeated blocks */
		case 3:
			common_block(dst, k / 6);
			break;
		case 4: /* new bytes */
			td_fill(dst, BS, 50000u + k);
			break;
		default: /* zeros */
			memset(dst, 0, BS);
		}
	}
	/* The short tail is the tail of slot b. */
	memcpy(W.payload + (NBLK - 1) * BS, W.b + SLOT_BLOCKS * BS, TAIL);
}

struct plan {
	uint32_t chunk_src[NBLK];
	uint32_t block_src[NBLK];
	uint64_t n_chunks, n_blocks;
	int by_blocks;
	unsigned threads;
};

static struct fws_verify_result R;
static uint8_t list[NBLK * 32], index_bytes[NBLK * 8];

static void plan_with(unsigned jobs, uint32_t chunk_size, int blocks, int in_place,
		      struct plan *out)
{
	struct fws_device dev;
	struct fws_manifest *m = &R.manifest;
	struct fws_payload *p = &m->payloads[0];
	uint64_t n;
	memset(&R, 0, sizeof(R));
	m->n_payloads = 1;
	m->created = 1767225600;
	strcpy(p->name, "fw.img");
	strcpy(p->target, "rootfs");
	p->size = psize;
	p->chunk_size = chunk_size;
	p->has_blocks = blocks;
	cr_assert_eq(fws_chunk_count(p->size, chunk_size, &n), 0);
	for (uint64_t k = 0; k < n; k++) {
		uint64_t len = k + 1 < n ? chunk_size : p->size - k * chunk_size;
		fws_sha256(W.payload + k * chunk_size, (size_t)len, list + k * 32);
	}
	uint64_t nb = fws_block_count(p->size);
	fws_block_index_put(index_bytes, 0, W.payload, (size_t)p->size);
	R.payloads_offset = 2048;

	memset(&dev, 0, sizeof(dev));
	dev.slots.ctx = &W;
	dev.slots.in_place = in_place;
	dev.slots.read_slot = read_slot;
	struct fws_delta *d = fws_delta_new(&dev, fetch, &W);
	cr_assert_not_null(d);
	fws_delta_set_jobs(d, jobs);
	fws_delta_start(d, &R, 'b', 'a');
	if (blocks)
		for (uint64_t at = 0; at < nb * 8; at += 1000)
			cr_assert_eq(fws_delta_block_index(d, p, 0, at, index_bytes + at,
							   (size_t)(nb * 8 - at < 1000 ? nb * 8 - at
										       : 1000)),
				     0);
	cr_assert_eq(fws_delta_plan(d, p, 0, list), 0, "%s", fws_diag_last()->why);
	memset(out, 0, sizeof(*out));
	out->n_chunks = d->n;
	out->by_blocks = d->by_blocks;
	out->threads = d->scan_threads;
	memcpy(out->chunk_src, d->src, d->n * sizeof(*d->src));
	if (d->by_blocks) {
		out->n_blocks = d->b.n;
		memcpy(out->block_src, d->b.src, d->b.n * sizeof(*d->b.src));
	}
	fws_delta_free(d);
}

/* Every source the plan names holds the wanted bytes (the index is
 * honest), and the plan is not trivial: blocks from each set, fetched
 * ones and zero ones all occur. */
static void check_sources(const struct plan *pl, uint32_t unit, uint64_t n, const uint32_t *src)
{
	size_t from_a = 0, from_b = 0, none = 0, zero = 0;
	for (uint64_t k = 0; k < n; k++) {
		uint32_t s = src[k];
		uint64_t len = (k + 1) * unit <= psize ? unit : psize - k * unit;
		if (s == DELTA_NONE) {
			none++;
			continue;
		}
		if (s == 0xFFFFFFFEu) { /* delta_blocks.c ZERO_SRC */
			zero++;
			continue;
		}
		const uint8_t *slot = (s & DELTA_FROM_TARGET) ? W.b : W.a;
		uint64_t at = (uint64_t)(s & ~DELTA_FROM_TARGET) * unit;
		(s & DELTA_FROM_TARGET) ? from_b++ : from_a++;
		cr_assert(memcmp(slot + at, W.payload + k * unit, (size_t)len) == 0,
			  "source of %llu holds its bytes", (unsigned long long)k);
	}
	cr_assert_gt(from_a, 0);
	cr_assert_gt(from_b, 0);
	cr_assert_gt(none, 0);
	(void)pl;
	(void)zero;
}

static void same_plan_for_every_jobs(uint32_t chunk_size, int blocks, int in_place)
{
	static struct plan one, more;
	plan_with(1, chunk_size, blocks, in_place, &one);
	cr_assert_eq(one.threads, 0, "jobs 1 starts no thread");
	cr_assert_eq(one.by_blocks, blocks);
	if (blocks)
		check_sources(&one, BS, one.n_blocks, one.block_src);
	else
		check_sources(&one, chunk_size, one.n_chunks, one.chunk_src);
	for (unsigned jobs = 2; jobs <= 4; jobs += 2) {
		plan_with(jobs, chunk_size, blocks, in_place, &more);
		cr_assert_geq(more.threads, 2, "jobs %u hashed on %u threads", jobs, more.threads);
		cr_assert_eq(more.n_chunks, one.n_chunks);
		cr_assert_eq(more.n_blocks, one.n_blocks);
		cr_assert(memcmp(more.chunk_src, one.chunk_src, sizeof(one.chunk_src)) == 0,
			  "chunk sources at jobs %u are those at jobs 1", jobs);
		cr_assert(memcmp(more.block_src, one.block_src, sizeof(one.block_src)) == 0,
			  "block sources at jobs %u are those at jobs 1", jobs);
	}
}

TestSuite(device_delta_jobs, .init = make_world);

Test(device_delta_jobs, block_plan_is_the_same_for_any_jobs)
{
	same_plan_for_every_jobs(65536, 1, 0);
}

Test(device_delta_jobs, block_plan_in_place_is_the_same_for_any_jobs)
{
	same_plan_for_every_jobs(16384, 1, 1);
}

/* Set b fails to read part way: what was scanned before counts, the same
 * for any jobs, though threads read ahead past the failure's position. */
Test(device_delta_jobs, block_plan_with_a_failing_slot_is_the_same_for_any_jobs)
{
	W.fail_b_at = 300 * BS + 100;
	same_plan_for_every_jobs(65536, 1, 1);
}

/* Everything the payload wants lies early in the running set (a payload
 * of whole blocks): the scan stops there, and set b is never read; the
 * pieces threads read ahead of that point change nothing. */
Test(device_delta_jobs, block_plan_found_early_is_the_same_for_any_jobs)
{
	static struct plan one, more;
	psize = NBLK * BS;
	memcpy(W.a, W.payload, psize);
	W.fail_b_at = 0; /* a read of set b would leave blocks unassigned */
	plan_with(1, 65536, 1, 0, &one);
	for (uint64_t k = 0; k < one.n_blocks; k++)
		cr_assert(one.block_src[k] == 0xFFFFFFFEu ||
				  (one.block_src[k] != DELTA_NONE &&
				   !(one.block_src[k] & DELTA_FROM_TARGET)),
			  "block %llu from set a", (unsigned long long)k);
	for (unsigned jobs = 2; jobs <= 4; jobs += 2) {
		plan_with(jobs, 65536, 1, 0, &more);
		cr_assert_geq(more.threads, 2);
		cr_assert(memcmp(more.block_src, one.block_src, sizeof(one.block_src)) == 0);
		cr_assert(memcmp(more.chunk_src, one.chunk_src, sizeof(one.chunk_src)) == 0);
	}
}

Test(device_delta_jobs, chunk_plan_is_the_same_for_any_jobs)
{
	same_plan_for_every_jobs(4096, 0, 0);
}

Test(device_delta_jobs, chunk_plan_in_place_is_the_same_for_any_jobs)
{
	same_plan_for_every_jobs(4096, 0, 1);
}

Test(device_delta_jobs, chunk_plan_with_a_failing_slot_is_the_same_for_any_jobs)
{
	W.fail_b_at = 300 * BS + 100;
	same_plan_for_every_jobs(4096, 0, 1);
}
