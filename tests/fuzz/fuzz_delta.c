/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the delta planner (lib/device/delta.c, delta_blocks.c; ADR-050)
 * with its inputs: a block index (honest, or arbitrary bytes: a planner
 * must survive any index, since a false match is only a hint) and a chunk
 * list against slot contents, with the set being replaced written in place
 * or not, with or without a range fetcher.
 *
 * Input: byte 0 flags (bit 0 in place, bit 1 arbitrary index, bit 2 no
 * fetcher, bit 3 no block index, bits 4-5 chunk size 4 KiB << n, bits 6-7
 * the slot scans' threads: 0, 1, 2 or 4, as --jobs sets them), byte 1
 * the length of the last block, then one byte per 4 KiB block of the new
 * payload (at most 48): the top two bits say where it comes from (00 a
 * block of the running set's slot, 01 of the set being replaced, 10 new
 * bytes, 11 zeros), the low six bits which one (or the new bytes' seed);
 * then the seeds of the two slots' blocks (16 each); with bit 1, the rest
 * is the index.
 *
 * Properties: the map covers the payload without gaps or empty runs; every
 * byte fill() supplies is the new payload's byte (with a fetcher, whatever
 * the index says: a mismatch is refetched, never passed on), also when the
 * slot being replaced is overwritten chunk by chunk as an in-place writer
 * does; with an honest index nothing is refetched and no more is fetched
 * than the blocks the slots do not hold; and all of it for any number of
 * threads scanning the slots (the plan must not depend on it). */
#include "device/delta_internal.h"
#include "fuzz_common.h"
#include "fuzz_slots.h"
#include "fwseal/bundle.h"
#include "fwseal/chunks.h"
#include "fwseal/device.h"
#include "fwseal/sha256.h"

#define BS 4096
#define MAX_BLOCKS 48
#define SLOT_BLOCKS 16

struct world {
	uint8_t slot[2][SLOT_BLOCKS * BS]; /* [0] running set 'a', [1] being replaced 'b' */
	uint8_t payload[MAX_BLOCKS * BS];
	uint64_t size, base, fetched;
};

static long long read_slot(void *ctx, char set, const char *target, uint64_t off, uint8_t *buf,
			   size_t len)
{
	struct world *w = ctx;
	(void)target;
	return fuzz_read_slots(w->slot[0], w->slot[1], sizeof(w->slot[0]), set, off, buf, len);
}

static int fetch(void *ctx, uint64_t at, uint8_t *buf, size_t len)
{
	struct world *w = ctx;
	FUZZ_CHECK(at >= w->base && at - w->base <= w->size && len <= w->size - (at - w->base),
		   "a range fetch stays within the payload");
	memcpy(buf, w->payload + (at - w->base), len);
	w->fetched += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	static struct fws_verify_result r;
	static uint8_t list[MAX_BLOCKS * 32], index[MAX_BLOCKS * 8], out[1 << 16];
	struct fws_device dev;
	fuzz_init();
	if (size < 2)
		return 0;
	uint8_t flags = data[0], tail = data[1];
	int in_place = flags & 1, arbitrary = flags & 2, with_fetch = !(flags & 4);
	uint32_t cs = 4096u << ((flags >> 4) & 3);
	data += 2;
	size -= 2;
	size_t nblk = 0;
	while (nblk < size && nblk < MAX_BLOCKS && data[nblk] != 0xff)
		nblk++;
	if (nblk == 0)
		return 0;
	const uint8_t *ops = data, *seeds = data + nblk + (nblk < size);
	size_t left = size - (size_t)(seeds - data);
	for (int s = 0; s < 2; s++)
		for (size_t j = 0; j < SLOT_BLOCKS; j++)
			fuzz_seed_bytes(w.slot[s] + j * BS, BS,
			       (uint8_t)(j < left / 2 ? seeds[s * (left / 2) + j] : j + 16 * s));
	for (size_t b = 0; b < nblk; b++) {
		uint8_t op = ops[b], which = op & 63;
		uint8_t *dst = w.payload + b * BS;
		if (op >> 6 == 0)
			memcpy(dst, w.slot[0] + (which % SLOT_BLOCKS) * BS, BS);
		else if (op >> 6 == 1)
			memcpy(dst, w.slot[1] + (which % SLOT_BLOCKS) * BS, BS);
		else if (op >> 6 == 2)
			fuzz_seed_bytes(dst, BS, (uint8_t)(which + 100));
		else
			memset(dst, 0, BS);
	}
	w.size = (nblk - 1) * (uint64_t)BS + 1 + tail % BS;
	w.fetched = 0;

	memset(&r, 0, sizeof(r));
	struct fws_manifest *m = &r.manifest;
	struct fws_payload *p = &m->payloads[0];
	m->n_payloads = 1;
	m->created = 1767225600;
	strcpy(p->name, "fw.img");
	strcpy(p->target, "rootfs");
	p->size = w.size;
	p->chunk_size = cs;
	p->has_blocks = !(flags & 8);
	uint64_t n;
	FUZZ_CHECK(fws_chunk_count(p->size, cs, &n) == 0, "chunk count");
	for (uint64_t k = 0; k < n; k++) {
		uint64_t len = k + 1 < n ? cs : p->size - k * cs;
		fws_sha256(w.payload + k * cs, (size_t)len, list + k * 32);
	}
	uint64_t nb = fws_block_count(p->size);
	fws_block_index_put(index, 0, w.payload, (size_t)p->size);
	if (arbitrary) /* whatever the input says, where it says anything */
		for (uint64_t i = 0; i < nb * 8 && left > 32 + i; i++)
			index[i] = seeds[32 + i];
	r.payloads_offset = 2048;
	struct fws_payload_layout lay;
	FUZZ_CHECK(fws_bundle_layout(m, r.payloads_offset, 0, &lay) == 0, "layout");
	w.base = lay.data;

	memset(&dev, 0, sizeof(dev));
	dev.slots.ctx = &w;
	dev.slots.in_place = in_place;
	dev.slots.read_slot = read_slot;
	struct fws_delta *d = fws_delta_new(&dev, with_fetch ? fetch : NULL, &w);
	FUZZ_CHECK(d != NULL, "fws_delta_new");
	static const unsigned jobs[4] = {0, 1, 2, 4};
	fws_delta_set_jobs(d, jobs[flags >> 6]);
	const struct fws_stream_map *map = fws_delta_map(d);
	fws_delta_start(d, &r, 'b', 'a');
	if (p->has_blocks)
		for (uint64_t at = 0; at < nb * 8; at += 40) /* in pieces, as it streams */
			FUZZ_CHECK(fws_delta_block_index(
				       d, p, 0, at, index + at,
				       (size_t)(nb * 8 - at < 40 ? nb * 8 - at : 40)) == 0,
				   "index bytes accepted");
	FUZZ_CHECK(fws_delta_plan(d, p, 0, list) == 0, "plan");

	/* The reader: from the payload's first byte to its last. */
	uint64_t at = lay.data, end = lay.data + p->size, stream_fetched = 0;
	while (at < end) {
		uint64_t len = 0;
		enum fws_map_kind k = map->lookup(map->ctx, at, &len);
		FUZZ_CHECK(k == FWS_MAP_FETCH || k == FWS_MAP_LOCAL, "the map knows the payload");
		FUZZ_CHECK(len > 0, "no empty run");
		if (len > end - at)
			len = end - at;
		if (len > sizeof(out))
			len = sizeof(out);
		if (k == FWS_MAP_LOCAL) {
			int rc = map->fill(map->ctx, at, out, (size_t)len);
			FUZZ_CHECK(rc == 0, "fill");
			if (with_fetch || !p->has_blocks || !arbitrary)
				FUZZ_CHECK(memcmp(out, w.payload + (at - lay.data), (size_t)len) ==
					       0,
					   "every supplied byte is the payload's byte");
		} else {
			stream_fetched += len;
		}
		/* An in-place writer overwrites each chunk once the reader is
		 * past it (the verifier writes whole verified chunks). */
		uint64_t before = (at - lay.data) / cs, after = (at + len - lay.data) / cs;
		at += len;
		if (in_place)
			for (uint64_t c = before; c < after && c * cs < sizeof(w.slot[1]); c++) {
				uint64_t l = sizeof(w.slot[1]) - c * cs < cs
						 ? sizeof(w.slot[1]) - c * cs
						 : cs;
				memcpy(w.slot[1] + c * cs, w.payload + c * cs,
				       c * cs + l <= p->size ? (size_t)l
				       : c * cs < p->size    ? (size_t)(p->size - c * cs)
							     : 0);
			}
	}
	if (p->has_blocks && !arbitrary && with_fetch) {
		FUZZ_CHECK(fws_delta_refetched(d) == 0, "an honest index never needs a refetch");
		FUZZ_CHECK(stream_fetched + w.fetched <= p->size, "never more than the payload");
	}
	fws_delta_free(d);
	return 0;
}
