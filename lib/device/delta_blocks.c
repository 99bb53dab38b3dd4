/* SPDX-License-Identifier: Apache-2.0 */
/* Block-level delta (ADR-050, docs/delta.md §6). With the payload's signed
 * block index (8 bytes of SHA-256 per 4 KiB block; for an encrypted release
 * 6 bytes of HMAC-SHA256 under the hint key, ADR-087), a wanted block is
 * found wherever the slots hold it, not only at its own chunk boundary: a
 * file system rebuilt from scratch shifts files by multiples of 4 KiB,
 * which misaligns every larger chunk.
 *
 * Plan: the payload's full blocks are sorted by (short hash, block); each
 * 4 KiB block of the running set's slot, then of the set being replaced,
 * is hashed and looked up; every wanted block with that hash gets it as
 * its source (the in-place rule of delta.c per chunk: a block of the set
 * being replaced serves only chunks at or before it). Blocks whose short
 * hash is that of 4 KiB of zeros are made, not read.
 *
 * Fill: a chunk with any local block is assembled in one buffer: local
 * runs read from the slots, absent runs fetched by Range (fws_range_fetch_fn),
 * and the whole chunk is checked against its signed digest (an encrypted
 * release's by re-encrypting it, d->check) before the
 * verifier sees it. A mismatch (a false short-hash match, chance or
 * crafted; a slot changed since the plan) fetches the chunk whole instead:
 * a false match costs a refetch, never an install. The verifier then
 * hashes the chunk again like any other.
 *
 * Memory: 16 bytes per block (the index 8, the source 4, the sort order 4),
 * at most 16 MiB (FWS_DELTA_BLOCKS_MAX blocks, a 4 GiB payload), plus one
 * chunk, plus the scan's pool: without jobs one 64 KiB piece and its
 * hashes; with jobs 2 tasks of 256 KiB per job, DELTA_POOL_BUDGET at most.
 * Above the cap the chunk level plans.
 *
 * Cores: the scan hashes on the pool of ADR-047 (scan_set), the lookups
 * stay on the calling thread in slot order: the plan, and so every byte
 * fetched and written, is the same for any --jobs. */
#define _GNU_SOURCE /* qsort_r */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/chunk_pool.h"
#include "device/delta_internal.h"
#include "fwseal/chunks.h"
#include "fwseal/encrypt.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "io/io.h"

#define ZERO_SRC 0xFFFFFFFEu /* source: 4096 zero bytes, made not read */
#define BH FWS_BLOCK_HASH_LEN
#define BS FWS_BLOCK_SIZE

static void free_chunk(struct delta_blocks *b)
{
	if (b->chunk_locked)
		sodium_free(b->chunk);
	else
		free(b->chunk);
	b->chunk = NULL;
	b->chunk_locked = 0;
}

void fws_delta_blocks_free(struct delta_blocks *b)
{
	free(b->index);
	free(b->src);
	free(b->order);
	free_chunk(b);
	memset(b, 0, sizeof(*b));
	b->chunk_k = UINT64_MAX;
}

int fws_delta_blocks_data(struct fws_delta *d, const struct fws_payload *p, size_t index,
			  uint64_t at, const uint8_t *data, size_t len)
{
	struct delta_blocks *b = &d->b;
	if (at == 0) {
		free(b->index);
		b->index = NULL;
		b->payload = index;
		b->n = fws_block_count(p->size);
		b->have = 0;
		/* Above the cap, or without memory for it: the chunk level. */
		if (b->n == 0 || b->n > FWS_DELTA_BLOCKS_MAX ||
		    (b->index = malloc(b->n * BH)) == NULL)
			return 0;
	}
	if (b->index == NULL || b->payload != index || at != b->have || len > b->n * BH - at) {
		free(b->index); /* not the stream we expected: do not use it */
		b->index = NULL;
		return 0;
	}
	memcpy(b->index + at, data, len);
	b->have += len;
	return 0;
}

static int by_hash(const void *x, const void *y, void *ctx)
{
	const uint8_t *ix = ctx;
	uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
	int r = memcmp(ix + (size_t)a * BH, ix + (size_t)c * BH, BH);
	return r != 0 ? r : (a > c) - (a < c);
}

/* First position in order whose hash is not below h (upper: above h). */
static uint64_t bound(const struct delta_blocks *b, const uint8_t *h, int upper)
{
	uint64_t lo = 0, hi = b->n_order;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		int r = memcmp(b->index + (size_t)b->order[mid] * BH, h, BH);
		if (r < 0 || (upper && r == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Local block j (of the set named by `flag`) has short hash h. Within one
 * hash, the blocks assigned so far are always a prefix of the range
 * (sorted by block, and the in-place rule allows a prefix), so the first
 * unassigned one is found by bisection: a slot full of one repeated block
 * costs log n per block, not n. */
static void match(struct delta_blocks *b, const uint8_t *h, uint64_t j, uint32_t flag, int in_place,
		  uint32_t per_chunk, uint64_t *unassigned)
{
	uint64_t lo = bound(b, h, 0), hi, a, z;
	if (lo == b->n_order || memcmp(b->index + (size_t)b->order[lo] * BH, h, BH) != 0)
		return;
	hi = bound(b, h, 1);
	for (a = lo, z = hi; a < z;) {
		uint64_t mid = a + (z - a) / 2;
		if (b->src[b->order[mid]] != DELTA_NONE)
			a = mid + 1;
		else
			z = mid;
	}
	for (; a < hi; a++) {
		uint32_t blk = b->order[a];
		if (in_place && j < (uint64_t)(blk / per_chunk) * per_chunk)
			break; /* that chunk is written before block j is read */
		b->src[blk] = (uint32_t)j | flag;
		(*unassigned)--;
	}
}

/* The payload's short last block matches only a slot that ends with the
 * same number of bytes past a 4 KiB boundary (a file slot holding the old
 * image): its short hash h (of the last `got % BS` bytes read, which end
 * at off + got) is compared with the index's last entry. */
static void tail_match(struct fws_delta *d, const struct fws_payload *p, const uint8_t h[BH],
		       size_t got, uint64_t off, uint32_t flag, int in_place, uint64_t *unassigned)
{
	struct delta_blocks *b = &d->b;
	size_t tail = got % BS;
	uint64_t last = b->n - 1, j = (off + got - tail) / BS, per_chunk = p->chunk_size / BS;
	if (tail == 0 || tail != p->size % BS || b->src[last] != DELTA_NONE ||
	    (in_place && j < last / per_chunk * per_chunk))
		return;
	if (memcmp(h, b->index + last * BH, BH) == 0) {
		b->src[last] = (uint32_t)j | flag;
		(*unassigned)--;
	}
}

/* The 8-byte index entry of a slot block: its SHA-256 short hash, or for
 * an encrypted release its keyed 6-byte hint and two zero bytes (ADR-087;
 * the decrypting sink widens the bundle's hints the same way). */
static void block_hint(const struct fws_delta *d, const uint8_t *data, size_t len, uint8_t out[BH])
{
	if (d->hint_key == NULL) {
		fws_block_hash(data, len, out);
		return;
	}
	memset(out, 0, BH);
	fws_enc_block_hint(d->hint_key, data, len, out);
}

/* What a worker computes for one task (DELTA_SCAN_BUF reads of a slot,
 * DELTA_TASK_BYTES at most): per 4 KiB block whether it is all zeros and,
 * if not, its short hash; the short hash of a short tail. Bytes only: any
 * offset in the pool's memory is aligned enough. */
#define TASK_BLOCKS (DELTA_TASK_BYTES / BS)
struct piece_hashes {
	uint8_t zero[TASK_BLOCKS];
	uint8_t h[TASK_BLOCKS][BH];
	uint8_t tail[BH];
};
/* In fws_pool_task.value: the slot offset of the task's first byte (a
 * multiple of DELTA_SCAN_BUF), and in bit 0 "its last read was short":
 * the slot ended there. */
#define SHORT_END 1u

/* One set's scan: what done() needs, touched by the calling thread only. */
struct block_scan {
	struct fws_delta *d;
	const struct fws_payload *p;
	uint32_t flag, per_chunk;
	int in_place;
	uint64_t *unassigned;
};

/* Any thread: hashes its own task into its own result area. Zero blocks
 * are made, not read (fws_delta_blocks_plan): free space costs a compare
 * here, not a hash. */
static int hash_piece(void *ctx, struct fws_pool_task *t)
{
	const struct block_scan *s = ctx; /* read only: workers share it */
	struct piece_hashes *o = (struct piece_hashes *)(void *)t->out;
	size_t got = t->len, i;
	for (i = 0; i + BS <= got; i += BS) {
		const uint8_t *blk = t->buf + i;
		o->zero[i / BS] = blk[0] == 0 && memcmp(blk, blk + 1, BS - 1) == 0;
		if (!o->zero[i / BS])
			block_hint(s->d, blk, BS, o->h[i / BS]);
	}
	if (got % BS != 0)
		block_hint(s->d, t->buf + got - got % BS, got % BS, o->tail);
	return 0;
}

/* The calling thread, tasks strictly in slot order: the lookups and
 * assignments of the single-threaded scan, in the same order, so the plan
 * does not depend on the number of jobs. A task read ahead after every
 * block found its source is ignored, as the plain loop never read it. */
static int match_piece(void *ctx, struct fws_pool_task *t)
{
	struct block_scan *s = ctx;
	const struct piece_hashes *o = (const struct piece_hashes *)(const void *)t->out;
	uint64_t off = t->value & ~(uint64_t)SHORT_END;
	if (*s->unassigned == 0)
		return DELTA_SCAN_ENOUGH;
	for (size_t i = 0; i + BS <= t->len; i += BS)
		if (!o->zero[i / BS])
			match(&s->d->b, o->h[i / BS], (off + i) / BS, s->flag, s->in_place,
			      s->per_chunk, s->unassigned);
	/* Every read before the last was a whole DELTA_SCAN_BUF: the tail is
	 * the last read's, at the same place as with one read per task. */
	if (t->value & SHORT_END)
		tail_match(s->d, s->p, o->tail, t->len, off, s->flag, s->in_place, s->unassigned);
	return 0;
}

/* The calling thread reads the slot with DELTA_SCAN_BUF reads, in order,
 * into the pool's tasks (one read per task without threads, as before;
 * DELTA_TASK_BYTES with threads, so a hand-off costs little next to the
 * hashing it shares out); workers hash them; match_piece consumes them in
 * order. Without jobs the pool runs both right here, one read at a time. */
static int scan_set(struct fws_delta *d, const struct fws_payload *p, char set, int target,
		    uint64_t *unassigned)
{
	const struct fws_slot_writer *w = &d->dev->slots;
	/* As delta.c: a file that grew moves later blocks back. */
	uint64_t limit = p->size + p->size / 8 + p->chunk_size, off = 0;
	size_t reads = d->jobs > 1 ? DELTA_TASK_BYTES / DELTA_SCAN_BUF : 1;
	struct block_scan s = {d, p, target ? DELTA_FROM_TARGET : 0, p->chunk_size / BS,
			       target && w->in_place, unassigned};
	struct fws_pool_config pc = {d->jobs,
				     fws_delta_pool_slots(d->jobs, reads * DELTA_SCAN_BUF),
				     reads * DELTA_SCAN_BUF,
				     sizeof(struct piece_hashes),
				     hash_piece,
				     match_piece,
				     &s};
	struct fws_pool *pool;
	int rc = fws_pool_open(&pool, &pc), read_rc = 0, more = 1, end;
	if (rc != 0 && d->jobs > 1) { /* no memory for threads: one 64 KiB piece */
		reads = 1;
		pc.jobs = 0;
		pc.slots = 1;
		pc.buf_size = DELTA_SCAN_BUF;
		rc = fws_pool_open(&pool, &pc);
	}
	if (rc != 0)
		return rc; /* not even that: as an unreadable slot */
	if (fws_pool_threads(pool) > d->scan_threads)
		d->scan_threads = fws_pool_threads(pool);
	while (rc == 0 && more && *unassigned > 0 && off < limit) {
		struct fws_pool_task *t;
		if ((rc = fws_pool_get(pool, &t)) != 0)
			break;
		t->value = off;
		for (size_t r = 0; r < reads && off < limit; r++) {
			long long got = w->read_slot(w->ctx, set, p->target, off, t->buf + t->len,
						     DELTA_SCAN_BUF);
			if (got < 0 || got > DELTA_SCAN_BUF) {
				/* the reads before it still count */
				read_rc = got < 0 ? (int)got : FWS_EIO;
				more = 0;
				break;
			}
			t->len += (size_t)got;
			off += DELTA_SCAN_BUF;
			if (got < DELTA_SCAN_BUF) {
				t->value |= SHORT_END;
				more = 0;
				break;
			}
		}
		if (t->len == 0 && !(t->value & SHORT_END))
			break; /* nothing read: the task is dropped */
		rc = fws_pool_put(pool, t);
	}
	end = fws_pool_finish(pool);
	fws_pool_close(pool);
	if (rc == 0 || rc == DELTA_SCAN_ENOUGH)
		rc = end;
	if (rc == DELTA_SCAN_ENOUGH)
		rc = 0;
	return rc != 0 ? rc : read_rc;
}

int fws_delta_blocks_plan(struct fws_delta *d, const struct fws_payload *p, size_t index)
{
	struct delta_blocks *b = &d->b;
	uint8_t zero_hash[BH];
	if (!p->has_blocks || b->index == NULL || b->payload != index || b->have != b->n * BH ||
	    b->n != fws_block_count(p->size))
		return 0;
	free(b->src);
	free(b->order);
	b->src = malloc(b->n * sizeof(*b->src));
	b->order = malloc(b->n * sizeof(*b->order));
	if (b->src == NULL || b->order == NULL)
		return FWS_ENOMEM;
	free_chunk(b);
	/* An encrypted release's assembled chunk holds new plaintext. */
	b->chunk_locked = d->hint_key != NULL;
	b->chunk = b->chunk_locked ? sodium_malloc(p->chunk_size) : malloc(p->chunk_size);
	if (b->chunk == NULL) {
		b->chunk_locked = 0;
		return FWS_ENOMEM;
	}
	b->chunk_k = UINT64_MAX;
	memset(d->buf, 0, BS);
	block_hint(d, d->buf, BS, zero_hash);
	uint64_t full = p->size / BS, unassigned = 0;
	b->n_order = 0;
	for (uint64_t blk = 0; blk < b->n; blk++) {
		b->src[blk] = DELTA_NONE;
		if (blk >= full) { /* the short last block: tail_match */
			unassigned++;
			continue;
		}
		if (memcmp(b->index + blk * BH, zero_hash, BH) == 0) {
			b->src[blk] = ZERO_SRC;
			continue;
		}
		b->order[b->n_order++] = (uint32_t)blk; /* n <= 2^20 */
		unassigned++;
	}
	qsort_r(b->order, b->n_order, sizeof(*b->order), by_hash, b->index);
	/* A slot that cannot be read is not reused: its blocks are fetched. */
	struct fws_diag saved = *fws_diag_last();
	if (d->from != d->to)
		(void)scan_set(d, p, d->from, 0, &unassigned);
	(void)scan_set(d, p, d->to, 1, &unassigned);
	fws_diag_restore(&saved);
	/* A chunk with any block at hand is assembled (with a range fetcher;
	 * without one, only a chunk whose every block is at hand). */
	uint32_t per_chunk = p->chunk_size / BS;
	for (uint64_t k = 0; k < d->n; k++) {
		uint64_t first = k * per_chunk,
			 end = first + per_chunk < b->n ? first + per_chunk : b->n;
		int any = 0, all = 1;
		for (uint64_t blk = first; blk < end; blk++) {
			if (b->src[blk] != DELTA_NONE)
				any = 1;
			else
				all = 0;
		}
		d->src[k] = (d->fetch != NULL ? any : all) ? 0 : DELTA_NONE;
	}
	return 1;
}

/* Chunk k into b->chunk, checked against its signed digest. */
static int assemble(struct fws_delta *d, const struct fws_payload *p, uint64_t k)
{
	struct delta_blocks *b = &d->b;
	const struct fws_slot_writer *w = &d->dev->slots;
	uint64_t cs = p->chunk_size, at = d->lay[d->planned].data + k * cs;
	uint64_t clen = k + 1 < d->n ? cs : p->size - k * cs;
	uint64_t first = k * (cs / BS), nblk = fws_block_count(clen), local = 0;
	uint8_t digest[FWS_SHA256_LEN];
	int ok = 1, rc;
	struct fws_diag saved = *fws_diag_last();
	b->chunk_k = UINT64_MAX;
	for (uint64_t i = 0, e; i < nblk && ok; i = e) {
		uint32_t s = b->src[first + i];
		size_t off = (size_t)(i * BS), n;
		for (e = i + 1; e < nblk; e++) {
			uint32_t t = b->src[first + e];
			if (s == DELTA_NONE || s == ZERO_SRC ? t != s : t != s + (uint32_t)(e - i))
				break; /* runs: absent, zero, or consecutive slot blocks */
		}
		n = (size_t)((e * BS < clen ? e * BS : clen) - off);
		if (s == DELTA_NONE) {
			if ((rc = d->fetch(d->read_ctx, at + off, b->chunk + off, n)) != 0)
				return rc;
		} else if (s == ZERO_SRC) {
			memset(b->chunk + off, 0, n);
			local += n;
		} else {
			char set = (s & DELTA_FROM_TARGET) ? d->to : d->from;
			long long got = w->read_slot(w->ctx, set, p->target,
						     (uint64_t)(s & ~DELTA_FROM_TARGET) * BS,
						     b->chunk + off, n);
			ok = got == (long long)n; /* else the slot changed: fetch */
			local += n;
		}
	}
	if (ok && d->check != NULL) { /* an encrypted release: its ciphertext */
		ok = d->check(d->check_ctx, k, b->chunk, (size_t)clen) == 0;
	} else if (ok) {
		fws_sha256(b->chunk, (size_t)clen, digest);
		ok = sodium_memcmp(digest, d->list + k * FWS_SHA256_LEN, FWS_SHA256_LEN) == 0;
	}
	fws_diag_restore(&saved);
	if (!ok && d->fetch != NULL) {
		/* A false block match or a changed slot: this chunk whole from
		 * the bundle. What arrives is checked by the verifier. */
		b->refetched++;
		local = 0;
		if ((rc = d->fetch(d->read_ctx, at, b->chunk, (size_t)clen)) != 0)
			return rc;
	}
	/* Without a fetcher a mismatch goes on to the verifier, which refuses
	 * the chunk before anything is written (FWS_EDIGEST). */
	b->chunk_k = k;
	d->reused += local;
	return 0;
}

int fws_delta_blocks_fill(struct fws_delta *d, const struct fws_payload *p, uint64_t rel,
			  uint8_t *out, size_t len)
{
	struct delta_blocks *b = &d->b;
	while (len > 0) {
		uint64_t cs = p->chunk_size, k = rel / cs, inner = rel % cs;
		if (k >= d->n || d->src[k] == DELTA_NONE)
			return FWS_EINTERNAL;
		if (b->chunk_k != k) {
			int rc = assemble(d, p, k);
			if (rc != 0)
				return rc;
		}
		uint64_t clen = k + 1 < d->n ? cs : p->size - k * cs, left = clen - inner;
		size_t n = len < left ? len : (size_t)left;
		memcpy(out, b->chunk + inner, n);
		out += n;
		len -= n;
		rel += n;
	}
	return 0;
}
