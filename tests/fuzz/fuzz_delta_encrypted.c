/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the delta of an encrypted release (ADR-087, lib/device/
 * delta_encrypted.c over delta.c and delta_blocks.c), driven as
 * lib/device/install.c and lib/bundle/decrypt_sink.c drive it: the planner
 * plans on the plaintext view with a keyed block index (6-byte hints,
 * zero-extended to 8), fetches the ciphertext of absent blocks through
 * the encrypted layer, which strips the keystream without a tag, and
 * every chunk it assembles must re-encrypt to its signed ciphertext
 * digest; the reader sees ciphertext only. The threats: a block index that
 * lies (a false hint must be refetched, never passed on), a slot being
 * overwritten in place while it is read, and a server that changes a byte
 * of a range answer (tagless plaintext must never leak past the check).
 *
 * Input: byte 0 flags (bit 0 in place, bit 1 arbitrary index, bit 2 no
 * fetcher, bit 3 the server flips a byte of one answer, bits 4-5 chunk size
 * 64 KiB << n for n < 3, n = 3: 64 KiB without plain/<name>, bits 6-7 the
 * slot scans' threads: 0, 1, 2 or 4, as --jobs), byte 1 the length of the
 * last block, byte 2 which answer is flipped (low 2 bits) and where in it
 * (high 6 bits, in 64ths), byte 3 the reader (low 7 bits: reads of (n + 1)
 * * 1021 bytes; bit 7: every transfer cut after one read, as a retry after
 * a stall does, so the map is asked in the middle of its runs), byte 4 the
 * payloads around the planned one and the server (bit 0 one before, bit
 * 1 one after, both encrypted without plain/<name>; bit 3 with bit 1: the
 * one after is planned too, the same plaintext under its own nonce in
 * 64 KiB chunks, read through the same planner and map; bit 2 with bit 3
 * of byte 0: the faulty answer is an error, not a flipped byte; the high
 * 4 bits the neighbours' sizes), then one
 * byte per 4 KiB block of the new plaintext (at most 96, ended by 0xff):
 * the top two bits say where it comes from (00 a block of the running
 * set's slot, 01 of the set being replaced, 10 new bytes, 11 zeros), the
 * low six bits which one (or the new bytes' seed); then the seeds of the
 * two slots' blocks (32 each); with bit 1, one byte per index entry: 00
 * its honest hint, 01 / 10 the hint of block (low bits) of slot a / b,
 * 0xff the hint of a zero block, other 11 the next 8 input bytes (as far
 * as the input goes; the rest of the index stays honest).
 *
 * Properties: nothing of the planned payload is known before its plan;
 * the enc map covers the ciphertext payload without gaps or empty runs,
 * a local run is the rest of one signed piece and a fetched
 * run ends at one, and what is not planned (the bytes before the payload,
 * the neighbours) comes with the stream; every byte fill() supplies is the
 * real ciphertext byte, whatever the index says, with the slot being
 * replaced overwritten piece by piece as an in-place writer does, with and
 * without a fetcher, for any thread count and any read size; range
 * fetches stay within the ciphertext payload, and one for a run of blocks
 * carries no byte but their ciphertext and the 16-byte tags of the STREAM
 * boundaries inside it; with an honest index nothing is refetched, the
 * ranges fetched hold exactly the plaintext of the blocks the slots do not
 * hold in the chunks they hold some of (computed here from the contents
 * and the in-place rule), and the stream brings exactly the other pieces,
 * whole (with or without a fetcher or an index); a flipped byte in a range
 * answer for a run of blocks never gets past fill(). A flipped byte in an
 * answer that is a whole signed piece (a refetch) is passed on, as the
 * plaintext delta does: that piece then fails its signed digest in the
 * emulated verifier (which ends the install there), and that is the only
 * way a wrong byte may pass. A range answer that fails ends the install
 * with its own code (never ignored, never zeros passed on). Without a
 * fetcher a lying index may end the install with FWS_EDIGEST, never with
 * a wrong byte. All of it holds for a second planned payload too, after
 * the first, through the same planner and map (nothing of the first may
 * leak into it). */
#include "bundle/age_internal.h"
#include "device/delta_encrypted.h"
#include "device/delta_internal.h"
#include "fuzz_common.h"
#include "fuzz_slots.h"
#include "fwseal/blocks.h"
#include "fwseal/bundle.h"
#include "fwseal/encrypt.h"
#include "fwseal/sha256.h"

#define BS FWS_BLOCK_SIZE
#define MAX_BLOCKS 96
#define SLOT_BLOCKS 32
#define MAX_PLAIN (MAX_BLOCKS * BS)
#define MAX_PIECES (MAX_PLAIN / FWS_ENC_CHUNK)
#define MAX_ENTRY (FWS_ENC_NONCE_LEN + MAX_PLAIN + FWS_ENC_TAG_LEN * MAX_PIECES)
#define STREAM_FULL (FWS_ENC_CHUNK + FWS_ENC_TAG_LEN)

struct world {
	uint8_t slot[2][SLOT_BLOCKS * BS]; /* [0] running set 'a', [1] being replaced 'b' */
	uint8_t plain[MAX_PLAIN];
	uint8_t entry[MAX_ENTRY]; /* payloads/<name>: nonce + STREAM */
	uint64_t plain_size, entry_size, base, n;
	uint32_t cs;
	/* What the range fetcher was asked and answered. */
	uint64_t answers, range_plain, range_whole;
	int flip, flip_answer, flip_pos64;
	int fail, failed;      /* the faulty answer is an error instead (and came) */
	int64_t flipped_piece; /* the whole piece whose answer was flipped, or -1 */
};

/* The 4 KiB block of a seed: made once per seed (the per-byte loop, under
 * the fuzzer's instrumentation, would otherwise cost most of each run). */
static const uint8_t *seeded(uint8_t seed)
{
	static uint8_t blocks[256][BS];
	static uint8_t made[256];
	if (!made[seed]) {
		fuzz_seed_bytes(blocks[seed], BS, seed);
		made[seed] = 1;
	}
	return blocks[seed];
}

static long long read_slot(void *ctx, char set, const char *target, uint64_t off, uint8_t *buf,
			   size_t len)
{
	struct world *w = ctx;
	(void)target;
	return fuzz_read_slots(w->slot[0], w->slot[1], sizeof(w->slot[0]), set, off, buf, len);
}

/* Piece k of the entry: where it starts and how long it is. */
static uint64_t piece_start(const struct world *w, uint64_t k)
{
	uint64_t full = w->cs + FWS_ENC_TAG_LEN * (w->cs / FWS_ENC_CHUNK);
	return k == 0 ? 0 : FWS_ENC_NONCE_LEN + k * full;
}

static uint64_t piece_len(const struct world *w, uint64_t k)
{
	return fws_enc_piece_len(w->plain_size, w->cs, k);
}

/* Plaintext bytes of STREAM chunk j. */
static uint64_t stream_plain(const struct world *w, uint64_t j)
{
	uint64_t left = w->plain_size - j * FWS_ENC_CHUNK;
	return left < FWS_ENC_CHUNK ? left : FWS_ENC_CHUNK;
}

/* A range answer for a run of blocks: entry bytes [rel, rel + len) must be
 * plaintext ciphertext and the whole tags between its STREAM chunks, no
 * nonce byte, no tag at either edge. Returns its plaintext bytes. */
static uint64_t run_plain_bytes(const struct world *w, uint64_t rel, uint64_t len)
{
	uint64_t plain = 0, first = UINT64_MAX, last = 0, end = rel + len;
	FUZZ_CHECK(rel >= FWS_ENC_NONCE_LEN, "a run of blocks does not fetch the nonce");
	for (uint64_t j = (rel - FWS_ENC_NONCE_LEN) / STREAM_FULL;
	     FWS_ENC_NONCE_LEN + j * STREAM_FULL < end; j++) {
		uint64_t s = FWS_ENC_NONCE_LEN + j * STREAM_FULL, e = s + stream_plain(w, j);
		uint64_t a = rel > s ? rel : s, b = end < e ? end : e;
		if (a < b) {
			plain += b - a;
			if (first == UINT64_MAX)
				first = j * FWS_ENC_CHUNK + (a - s);
			last = j * FWS_ENC_CHUNK + (b - s) - 1;
		}
	}
	FUZZ_CHECK(plain > 0, "a run of blocks holds plaintext");
	uint64_t boundaries = last / FWS_ENC_CHUNK - first / FWS_ENC_CHUNK;
	FUZZ_CHECK(len - plain == FWS_ENC_TAG_LEN * boundaries,
		   "a run of blocks fetches only their ciphertext and the tags inside it");
	return plain;
}

static int fetch(void *ctx, uint64_t at, uint8_t *buf, size_t len)
{
	struct world *w = ctx;
	FUZZ_CHECK(at >= w->base && at - w->base <= w->entry_size &&
		       len <= w->entry_size - (at - w->base) && len > 0,
		   "a range fetch stays within the ciphertext payload");
	uint64_t rel = at - w->base, whole = UINT64_MAX;
	memcpy(buf, w->entry + rel, len);
	for (uint64_t k = 0; k < w->n; k++)
		if (rel == piece_start(w, k) && len == piece_len(w, k))
			whole = k;
	if (whole != UINT64_MAX)
		w->range_whole += len;
	else
		w->range_plain += run_plain_bytes(w, rel, len);
	if (w->flip && w->fail && w->answers == (uint64_t)w->flip_answer) {
		w->answers++;
		w->failed = 1;
		return FWS_EREMOTE; /* a server gone, a connection reset */
	}
	if (w->flip && w->answers == (uint64_t)w->flip_answer) {
		buf[(uint64_t)len * (uint64_t)w->flip_pos64 / 64] ^= 0x20;
		if (whole != UINT64_MAX)
			w->flipped_piece = (int64_t)whole;
	}
	w->answers++;
	return 0;
}

/* The index entry the planner gets for a block: its keyed hint, then two
 * zero bytes (decrypt_sink.c's feed_hints). */
static void hint8(const uint8_t hint_key[32], const uint8_t *data, size_t len, uint8_t out[8])
{
	memset(out, 0, 8);
	fws_enc_block_hint(hint_key, data, len, out);
}

/* What an honest plan fetches, from the contents and delta_blocks.c's
 * rules: a full block is held when it is zeros, in the running set's slot,
 * or in the slot being replaced at a block the in-place writer has not
 * reached when its chunk is assembled (at or past the chunk's first
 * block); the short last block is never held (the slots end on a block).
 * A chunk with any block held (with a fetcher; else all of them) is
 * assembled, its other blocks fetched by range; the rest comes whole with
 * the stream. Called before anything is written. */
static void honest_plan(const struct world *w, int in_place, int with_fetch, uint64_t *ranges,
			uint64_t *streamed)
{
	static const uint8_t zero[BS];
	uint64_t per_chunk = w->cs / BS, nb = fws_block_count(w->plain_size);
	*ranges = *streamed = 0;
	for (uint64_t k = 0; k < w->n; k++) {
		uint64_t first = k * per_chunk, absent = 0, held_blocks = 0, blocks = 0;
		for (uint64_t b = first; b < first + per_chunk && b < nb; b++, blocks++) {
			const uint8_t *blk = w->plain + b * BS;
			uint64_t len = w->plain_size - b * BS < BS ? w->plain_size - b * BS : BS;
			int held = len == BS && memcmp(blk, zero, BS) == 0;
			for (size_t j = 0; j < SLOT_BLOCKS && !held && len == BS; j++)
				held = memcmp(blk, w->slot[0] + j * BS, BS) == 0 ||
				       ((!in_place || j >= first) &&
					memcmp(blk, w->slot[1] + j * BS, BS) == 0);
			held_blocks += (uint64_t)held;
			absent += held ? 0 : len;
		}
		if (with_fetch ? held_blocks > 0 : held_blocks == blocks)
			*ranges += absent;
		else
			*streamed += piece_len(w, k);
	}
}

/* The piece holding entry byte rel. */
static uint64_t piece_at(const struct world *w, uint64_t rel)
{
	uint64_t k = 0;
	while (k + 1 < w->n && rel >= piece_start(w, k + 1))
		k++;
	return k;
}

/* A payload streamed whole next to the one planned (no plain/<name>):
 * only its geometry matters, the map must send all of it to the stream. */
static void neighbour(struct fws_payload *rp, struct fws_payload *vp, const char *name,
		      const char *target, uint64_t plain)
{
	memset(rp, 0, sizeof(*rp));
	strcpy(rp->name, name);
	strcpy(rp->target, target);
	rp->chunk_size = 65536;
	rp->encrypted = 1;
	rp->plain_size = plain;
	FUZZ_CHECK(fws_enc_entry_size(plain, &rp->size) == 0, "neighbour size");
	*vp = *rp;
	vp->size = plain;
}

/* The reader before payload j's data, and over a neighbour's: the stream. */
static void expect_stream(const struct fws_stream_map *map, uint64_t from, uint64_t to)
{
	uint64_t len = 0;
	FUZZ_CHECK(map->lookup(map->ctx, from, &len) == FWS_MAP_FETCH && len >= to - from,
		   "what is not planned comes with the stream");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	static struct fws_verify_result view;
	static struct fws_manifest real;
	static uint8_t cipher_list[MAX_PIECES * 32 + 32], index[MAX_BLOCKS * 8], out[131072];
	static uint8_t got[MAX_ENTRY]; /* what the reader received, per piece */
	static const uint8_t file_key[FWS_FILE_KEY_LEN] = {0x46, 0x57, 0x53, 0x01, 0x02, 0x03,
							   0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
							   0x0a, 0x0b, 0x0c, 0x0d};
	static const uint8_t nonce[2][FWS_ENC_NONCE_LEN] = {
	    {0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
	     0x19, 0x1a},
	    {0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
	     0x29, 0x2a}};
	static const uint32_t chunk_sizes[4] = {65536, 131072, 262144, 65536};
	static const unsigned jobs[4] = {0, 1, 2, 4};
	static const uint8_t zero_block[BS];
	uint8_t key[32], hint_key[32];
	struct fws_device dev;
	fuzz_init();
	if (size < 5)
		return 0;
	uint8_t flags = data[0], tail = data[1], flipsel = data[2], reader = data[3];
	uint8_t around = data[4];
	size_t read_size = ((size_t)(reader & 0x7f) + 1) * 1021;
	int cut_transfers = reader >> 7;
	int in_place = flags & 1, arbitrary = flags & 2, with_fetch = !(flags & 4);
	int with_index = ((flags >> 4) & 3) != 3;
	int before = around & 1, after = (around >> 1) & 1, second = after && (around & 8);
	size_t j = (size_t)before; /* the planned payload's place in the manifest */
	w.cs = chunk_sizes[(flags >> 4) & 3];
	w.flip = with_fetch && (flags & 8);
	w.flip_answer = flipsel & 3;
	w.flip_pos64 = flipsel >> 2;
	w.flipped_piece = -1;
	w.fail = (around >> 2) & 1;
	w.failed = 0;
	w.answers = w.range_plain = w.range_whole = 0;
	data += 5;
	size -= 5;
	size_t nblk = 0;
	while (nblk < size && nblk < MAX_BLOCKS && data[nblk] != 0xff)
		nblk++;
	if (nblk == 0)
		return 0;
	const uint8_t *ops = data, *seeds = data + nblk + (nblk < size);
	size_t left = size - (size_t)(seeds - data);
	for (int s = 0; s < 2; s++)
		for (size_t b = 0; b < SLOT_BLOCKS; b++) {
			size_t at = (size_t)s * SLOT_BLOCKS + b;
			memcpy(w.slot[s] + b * BS, seeded((uint8_t)(at < left ? seeds[at] : at)),
			       BS);
		}
	for (size_t b = 0; b < nblk; b++) {
		uint8_t op = ops[b], which = op & 63;
		uint8_t *dst = w.plain + b * BS;
		if (op >> 6 == 0)
			memcpy(dst, w.slot[0] + (which % SLOT_BLOCKS) * BS, BS);
		else if (op >> 6 == 1)
			memcpy(dst, w.slot[1] + (which % SLOT_BLOCKS) * BS, BS);
		else if (op >> 6 == 2)
			memcpy(dst, seeded((uint8_t)(which + 100)), BS);
		else
			memset(dst, 0, BS);
	}
	w.plain_size = (nblk - 1) * (uint64_t)BS + 1 + tail % BS;

	/* The signed manifest (ciphertext geometry) and its plaintext view,
	 * as decrypt_sink.c makes it: the planned payload, neighbours streamed
	 * whole around it, or after it a second planned payload of the same
	 * plaintext (its own nonce, so its own keys and hints; 64 KiB chunks),
	 * as a release with fw.img and data.img both indexed. */
	uint64_t entry_size;
	FUZZ_CHECK(fws_enc_entry_size(w.plain_size, &entry_size) == 0 &&
		       entry_size <= sizeof(w.entry),
		   "entry size");
	memset(&real, 0, sizeof(real));
	memset(&view, 0, sizeof(view));
	real.created = 1767225600;
	real.encryption.enabled = 1;
	real.n_payloads = 1 + (size_t)before + (size_t)after;
	view.manifest = real;
	view.payloads_offset = 2048;
	if (before)
		neighbour(&real.payloads[0], &view.manifest.payloads[0], "boot.img", "kernel",
			  1 + (uint64_t)(around >> 4) * 4099);
	if (after && !second)
		neighbour(&real.payloads[j + 1], &view.manifest.payloads[j + 1], "data.img", "data",
			  1 + (uint64_t)(around >> 4) * 2063);
	size_t planned[2] = {j, j + 1}, n_planned = 1 + (size_t)second;
	uint32_t cs_of[2] = {w.cs, 65536};
	for (size_t pi = 0; pi < n_planned; pi++) {
		struct fws_payload *rp = &real.payloads[planned[pi]];
		strcpy(rp->name, pi == 0 ? "fw.img" : "data.img");
		strcpy(rp->target, pi == 0 ? "rootfs" : "data");
		rp->size = entry_size;
		rp->chunk_size = cs_of[pi];
		rp->encrypted = 1;
		rp->plain_size = w.plain_size;
		rp->has_plain_blocks = with_index;
		struct fws_payload *vp = &view.manifest.payloads[planned[pi]];
		*vp = *rp;
		vp->size = w.plain_size;
		vp->has_blocks = with_index;
	}
	struct fws_payload_layout lay[3];
	for (size_t i = 0; i < real.n_payloads; i++)
		FUZZ_CHECK(fws_bundle_layout(&real, view.payloads_offset, i, &lay[i]) == 0,
			   "layout");

	memset(&dev, 0, sizeof(dev));
	dev.slots.ctx = &w;
	dev.slots.in_place = in_place;
	dev.slots.read_slot = read_slot;
	struct fws_delta *d = fws_delta_new(&dev, with_fetch ? fetch : NULL, &w);
	FUZZ_CHECK(d != NULL, "fws_delta_new");
	fws_delta_set_jobs(d, jobs[flags >> 6]);
	struct fws_enc_delta *e = fws_enc_delta_new(d, with_fetch ? fetch : NULL, &w);
	FUZZ_CHECK(e != NULL, "fws_enc_delta_new");
	const struct fws_stream_map *map = fws_enc_delta_map(e);
	uint64_t len = 0;
	FUZZ_CHECK(map->lookup(map->ctx, lay[j].data, &len) == FWS_MAP_UNKNOWN,
		   "nothing is known before the manifest");
	fws_delta_start(d, &view, 'b', 'a');
	FUZZ_CHECK(fws_enc_delta_start(e, &view) == 0, "enc delta start");
	expect_stream(map, 0, lay[0].data);
	if (before) /* streamed whole, up to the planned payload's data */
		expect_stream(map, lay[0].data, lay[j].data);

	int refused = 0;
	for (size_t pi = 0; pi < n_planned && !refused; pi++) {
		size_t jj = planned[pi];
		const struct fws_payload *rp = &real.payloads[jj],
					 *vp = &view.manifest.payloads[jj];
		w.cs = cs_of[pi];
		w.base = lay[jj].data;
		w.range_plain = w.range_whole = 0;
		uint64_t refetched_before = fws_delta_refetched(d) + fws_enc_delta_refetched(e);
		/* Encrypted as pack does: per signed piece under the payload key,
		 * the ciphertext chunk list, and the keyed hints of plain/<name>. */
		fws_enc_payload_key(file_key, nonce[pi], key);
		fws_enc_hint_key(file_key, nonce[pi], hint_key);
		w.entry_size = entry_size;
		FUZZ_CHECK(fws_enc_chunk_count(w.plain_size, w.cs, &w.n) == 0 &&
			       w.n <= MAX_PIECES + 1,
			   "piece count");
		for (uint64_t k = 0; k < w.n; k++) {
			FUZZ_CHECK(fws_enc_piece_encrypt(key, nonce[pi], w.plain_size, w.cs, k,
							 w.plain + k * w.cs,
							 w.entry + piece_start(&w, k)) == 0,
				   "piece encrypts");
			fws_sha256(w.entry + piece_start(&w, k), (size_t)piece_len(&w, k),
				   cipher_list + k * 32);
		}
		FUZZ_CHECK(piece_start(&w, w.n - 1) + piece_len(&w, w.n - 1) == w.entry_size,
			   "the pieces make the entry");
		uint64_t nb = fws_block_count(w.plain_size);
		for (uint64_t b = 0; b < nb; b++) {
			uint64_t bl = w.plain_size - b * BS < BS ? w.plain_size - b * BS : BS;
			hint8(hint_key, w.plain + b * BS, (size_t)bl, index + b * 8);
		}
		if (arbitrary) { /* whatever the input says, where it says anything */
			const uint8_t *q = seeds + 2 * SLOT_BLOCKS, *qe = seeds + left;
			for (uint64_t b = 0; b < nb && q < qe; b++) {
				uint8_t sel = *q++, which = sel & (SLOT_BLOCKS - 1);
				if (sel >> 6 == 1 || sel >> 6 == 2)
					hint8(hint_key, w.slot[(sel >> 6) - 1] + which * BS, BS,
					      index + b * 8);
				else if (sel == 0xff) /* "zeros": taken without reading a slot */
					hint8(hint_key, zero_block, BS, index + b * 8);
				else if (sel >> 6 == 3)
					for (int i = 0; i < 8 && q < qe; i++)
						index[b * 8 + i] = *q++;
			}
		}

		expect_stream(map, w.base - 1, w.base);
		/* decrypt_sink.c's open_plain_blocks, in its order. */
		if (with_index) {
			FUZZ_CHECK(map->lookup(map->ctx, w.base, &len) == FWS_MAP_UNKNOWN,
				   "the planned payload's data waits for its plan");
			FUZZ_CHECK(fws_enc_delta_ready(e, jj, rp, key, nonce[pi], hint_key,
						       cipher_list) == 0,
				   "payload keys");
			for (uint64_t at = 0; at < nb * 8; at += 40) /* in pieces, as it streams */
				FUZZ_CHECK(fws_delta_block_index(
					       d, vp, jj, at, index + at,
					       (size_t)(nb * 8 - at < 40 ? nb * 8 - at : 40)) == 0,
					   "index bytes accepted");
			FUZZ_CHECK(fws_delta_plan(d, vp, jj, NULL) == 0, "plan");
		}
		uint64_t want_ranges = 0, want_stream = w.entry_size;
		if (with_index)
			honest_plan(&w, in_place, with_fetch, &want_ranges, &want_stream);

		/* The reader as lib/net/http.c reads: a lookup where it stands,
		 * fill() of at most one read, a transfer to the run's end (or,
		 * cut, one read at a time, as after a stall). The verifier checks
		 * each piece once it is whole; then (in place) the slot writer
		 * overwrites that chunk of the set being replaced. */
		uint64_t at = w.base, end = w.base + w.entry_size, stream = 0, k_done = 0;
		while (at < end && !refused) {
			enum fws_map_kind kind = map->lookup(map->ctx, at, &len);
			uint64_t rel = at - w.base, k = piece_at(&w, rel);
			uint64_t piece_end = piece_start(&w, k) + piece_len(&w, k);
			FUZZ_CHECK(kind == FWS_MAP_FETCH || kind == FWS_MAP_LOCAL,
				   "the map knows the payload");
			FUZZ_CHECK(len > 0, "no empty run");
			FUZZ_CHECK(with_index || kind == FWS_MAP_FETCH,
				   "no index: all of it is fetched");
			if (len > end - at)
				len = end - at;
			if (kind == FWS_MAP_LOCAL) {
				FUZZ_CHECK(rel + len == piece_end,
					   "a local run is the rest of one piece");
				size_t n = len < read_size ? (size_t)len : read_size;
				int failed_before = w.failed;
				int rc = map->fill(map->ctx, at, out, n);
				fuzz_check_code(rc);
				if (w.failed && !failed_before) {
					FUZZ_CHECK(rc == FWS_EREMOTE,
						   "a failed range answer ends the "
						   "install with its own code");
					refused = 1;
					break;
				}
				if (rc == FWS_EDIGEST && !with_fetch && arbitrary) {
					refused = 1; /* a lying index, nothing to refetch with */
					break;
				}
				FUZZ_CHECK(rc == 0, "fill");
				if (memcmp(out, w.entry + rel, n) != 0)
					FUZZ_CHECK(w.flipped_piece == (int64_t)k,
						   "every byte fill() supplies is the real "
						   "ciphertext's (or of a flipped whole piece)");
				memcpy(got + rel, out, n);
				len = n;
			} else {
				FUZZ_CHECK(rel + len == w.entry_size ||
					       rel + len ==
						   piece_start(&w, piece_at(&w, rel + len)),
					   "a fetched run ends at a signed piece");
				if (cut_transfers && len > read_size)
					len = read_size;
				memcpy(got + rel, w.entry + rel, (size_t)len);
				stream += len;
			}
			at += len;
			for (; k_done < w.n &&
			       at - w.base >= piece_start(&w, k_done) + piece_len(&w, k_done);
			     k_done++) {
				uint8_t digest[32];
				uint64_t ps = piece_start(&w, k_done);
				fws_sha256(got + ps, (size_t)piece_len(&w, k_done), digest);
				if (memcmp(digest, cipher_list + k_done * 32, 32) != 0) {
					FUZZ_CHECK(w.flipped_piece == (int64_t)k_done,
						   "only a flipped whole piece fails the verifier");
					refused = 1; /* FWS_EDIGEST: nothing of it is written */
					break;
				}
				uint64_t c0 = k_done * w.cs, c1 = c0 + w.cs;
				if (c1 > w.plain_size)
					c1 = w.plain_size;
				if (in_place && c0 < sizeof(w.slot[1]))
					memcpy(w.slot[1] + c0, w.plain + c0,
					       (size_t)(c1 < sizeof(w.slot[1])
							    ? c1 - c0
							    : sizeof(w.slot[1]) - c0));
			}
		}
		FUZZ_CHECK(refused || k_done == w.n, "the reader saw every piece");
		if (with_index && with_fetch && !arbitrary && !w.flip) {
			FUZZ_CHECK(!refused, "an honest index installs");
			FUZZ_CHECK(fws_delta_refetched(d) + fws_enc_delta_refetched(e) ==
					   refetched_before &&
				       w.range_whole == 0,
				   "an honest index never needs a refetch");
		}
		if (!refused && !arbitrary && !w.flip) {
			FUZZ_CHECK(w.range_plain == want_ranges,
				   "ranges fetch exactly the blocks the slots do not hold, of the "
				   "chunks they hold some of");
			FUZZ_CHECK(stream == want_stream,
				   "the stream brings exactly the pieces the slots cannot make");
		}
		w.flipped_piece = -1; /* a flip refuses the install or is behind us */
	}
	if (!refused && after && !second) { /* the next payload comes with the stream */
		expect_stream(map, lay[j].data + entry_size, lay[j + 1].data);
		expect_stream(map, lay[j + 1].data, lay[j + 1].data + real.payloads[j + 1].size);
	}
	if (!with_fetch)
		FUZZ_CHECK(w.answers == 0, "no range fetch without a fetcher");
	FUZZ_CHECK(!w.failed || refused, "a failed range answer is never ignored");
	fws_enc_delta_free(e);
	fws_delta_free(d);
	return 0;
}
