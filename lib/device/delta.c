/* SPDX-License-Identifier: Apache-2.0 */
/* Chunk-level delta (docs/delta.md). For each payload, once its signed
 * chunk list verified, the slots of its class are read (the running set's
 * and the set being replaced), cut at chunk_size boundaries and hashed;
 * every wanted chunk found there is taken from the slot instead of the
 * network. The verifier re-hashes those bytes like any others, so a slot
 * that changed in between makes the install fail, never boot.
 *
 * Memory: the chunk list the verifier holds (32 bytes per chunk) plus 6
 * bytes per chunk here (a sort index and the source of each chunk) and a
 * 64 KiB buffer; never a payload. With jobs (and chunks up to
 * DELTA_POOL_CHUNK_MAX) the slots are hashed on the pool of ADR-047: 2
 * tasks per job of max(256 KiB, one chunk), DELTA_POOL_BUDGET at most; the assignments stay
 * on the calling thread in slot order, so the plan is the same for any
 * number of jobs.
 *
 * An in-place slot writer overwrites the set being replaced as it goes, so
 * a chunk is taken from there only if it lies at or after the position it
 * is written to: when wanted chunk k is written, slot chunks before k have
 * already been overwritten, the ones from k on not yet. */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "bundle/chunk_pool.h"
#include "device/delta_internal.h"
#include "fwseal/chunks.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "io/io.h"

#define NONE DELTA_NONE
#define FROM_TARGET DELTA_FROM_TARGET
#define SCAN_BUF DELTA_SCAN_BUF

static uint64_t chunk_len(const struct fws_payload *p, uint64_t n, uint64_t k)
{
	return k + 1 < n ? p->chunk_size : p->size - (n - 1) * (uint64_t)p->chunk_size;
}

static enum fws_map_kind lookup(void *ctx, uint64_t at, uint64_t *len)
{
	struct fws_delta *d = ctx;
	if (!d->known)
		return FWS_MAP_UNKNOWN;
	*len = UINT64_MAX;
	if (d->compressed)
		return FWS_MAP_FETCH;
	for (size_t j = 0; j < d->m->n_payloads; j++) {
		const struct fws_payload *p = &d->m->payloads[j];
		const struct fws_payload_layout *l = &d->lay[j];
		if (at < l->data) {
			*len = l->data - at; /* headers and the chunk list */
			return FWS_MAP_FETCH;
		}
		if (at >= l->data + p->size)
			continue;
		if (d->planned != j || !d->known)
			return FWS_MAP_UNKNOWN;
		if (!d->have_plan) { /* nothing to reuse: all of it */
			*len = j + 1 < d->m->n_payloads ? d->lay[j + 1].data - at : UINT64_MAX;
			return FWS_MAP_FETCH;
		}
		uint64_t k = (at - l->data) / p->chunk_size, e = k;
		int local = d->src[k] != NONE;
		while (e < d->n && (d->src[e] != NONE) == local)
			e++;
		uint64_t end = l->data + (e == d->n ? p->size : e * (uint64_t)p->chunk_size);
		if (local) {
			*len = end - at;
			return FWS_MAP_LOCAL;
		}
		/* Fetch to the next reused chunk, or on through the next
		 * payload's headers and chunk list. */
		if (e == d->n)
			end = j + 1 < d->m->n_payloads ? d->lay[j + 1].data : UINT64_MAX;
		*len = end == UINT64_MAX ? UINT64_MAX : end - at;
		return FWS_MAP_FETCH;
	}
	return FWS_MAP_FETCH; /* the end blocks */
}

static int fill(void *ctx, uint64_t at, uint8_t *out, size_t len)
{
	struct fws_delta *d = ctx;
	const struct fws_payload *p = &d->m->payloads[d->planned];
	const struct fws_slot_writer *w = &d->dev->slots;
	uint64_t rel = at - d->lay[d->planned].data;
	if (d->have_plan && d->by_blocks)
		return fws_delta_blocks_fill(d, p, rel, out, len);
	while (len > 0) {
		uint64_t k = rel / p->chunk_size, inner = rel % p->chunk_size;
		if (!d->have_plan || k >= d->n || d->src[k] == NONE)
			return FWS_EINTERNAL;
		uint64_t left = chunk_len(p, d->n, k) - inner;
		size_t want = len < left ? len : (size_t)left;
		uint32_t s = d->src[k];
		char set = (s & FROM_TARGET) ? d->to : d->from;
		uint64_t off = (uint64_t)(s & ~FROM_TARGET) * p->chunk_size + inner;
		long long got = w->read_slot(w->ctx, set, p->target, off, out, want);
		if (got < 0)
			return (int)got;
		if ((size_t)got != want)
			return fws_diag_set(FWS_EIO, 0, p->target,
					    "slot %c changed while its chunks were reused", set);
		out += want;
		len -= want;
		rel += want;
		d->reused += want;
	}
	return 0;
}

struct fws_delta *fws_delta_new(struct fws_device *dev, fws_range_fetch_fn fetch, void *read_ctx)
{
	struct fws_delta *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->dev = dev;
	d->fetch = fetch;
	d->read_ctx = read_ctx;
	d->b.chunk_k = UINT64_MAX;
	d->planned = SIZE_MAX;
	d->map = (struct fws_stream_map){d, lookup, fill};
	return d;
}

const struct fws_stream_map *fws_delta_map(struct fws_delta *d)
{
	return &d->map;
}

void fws_delta_set_keyed(struct fws_delta *d, const uint8_t *hint_key, fws_delta_check_fn check,
			 void *check_ctx)
{
	d->hint_key = hint_key;
	d->check = check;
	d->check_ctx = check_ctx;
}

void fws_delta_set_fetch(struct fws_delta *d, fws_range_fetch_fn fetch, void *read_ctx)
{
	d->fetch = fetch;
	d->read_ctx = read_ctx;
}

void fws_delta_set_jobs(struct fws_delta *d, unsigned jobs)
{
	d->jobs = jobs > FWS_JOBS_MAX ? FWS_JOBS_MAX : jobs;
}

unsigned fws_delta_pool_slots(unsigned jobs, size_t buf_size)
{
	if (jobs <= 1)
		return 1;
	size_t fit = DELTA_POOL_BUDGET / buf_size, want = 2 * (size_t)jobs;
	if (want > fit)
		want = fit;
	return want < 2 ? 2 : (unsigned)want;
}

void fws_delta_start(struct fws_delta *d, const struct fws_verify_result *r, char to, char from)
{
	d->m = &r->manifest;
	d->to = to;
	d->from = from;
	d->compressed = r->compressed;
	d->known = 1;
	for (size_t j = 0; !d->compressed && j < r->manifest.n_payloads; j++)
		if (fws_bundle_layout(&r->manifest, r->payloads_offset, j, &d->lay[j]) != 0)
			d->compressed = 1; /* no plan: fetch everything */
}

static int by_digest(const void *a, const void *b, void *ctx)
{
	const uint8_t *list = ctx;
	return memcmp(list + 32 * (size_t) * (const uint16_t *)a,
		      list + 32 * (size_t) * (const uint16_t *)b, 32);
}

/* The first position in `order` whose digest is not below dig. */
static uint64_t lower_bound(const struct fws_delta *d, const uint8_t *dig)
{
	uint64_t lo = 0, hi = d->n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (memcmp(d->list + 32 * (size_t)d->order[mid], dig, 32) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Hashes one chunk of the slot at local chunk j: 1 and the digest, 0 at
 * the slot's end, or a negative code. */
static int hash_local(struct fws_delta *d, char set, const struct fws_payload *p, uint64_t j,
		      uint8_t dig[32])
{
	const struct fws_slot_writer *w = &d->dev->slots;
	struct fws_sha256 h;
	uint64_t done = 0;
	fws_sha256_init(&h);
	while (done < p->chunk_size) {
		size_t want = p->chunk_size - done < SCAN_BUF ? (size_t)(p->chunk_size - done) : SCAN_BUF;
		long long got = w->read_slot(w->ctx, set, p->target,
					     j * (uint64_t)p->chunk_size + done, d->buf, want);
		if (got < 0)
			return (int)got;
		fws_sha256_update(&h, d->buf, (size_t)got);
		done += (uint64_t)got;
		if ((size_t)got < want)
			break;
	}
	fws_sha256_final(&h, dig);
	return done > 0;
}

/* Local chunk j (of the set being replaced if target) has digest dig:
 * every wanted chunk with that digest not yet sourced takes it. */
static void assign(struct fws_delta *d, const uint8_t dig[32], uint64_t j, int target,
		   int in_place, uint64_t *unassigned)
{
	for (uint64_t i = lower_bound(d, dig);
	     i < d->n && memcmp(d->list + 32 * (size_t)d->order[i], dig, 32) == 0; i++) {
		uint64_t k = d->order[i];
		if (d->src[k] != NONE || (in_place && j < k))
			continue;
		d->src[k] = (uint32_t)j | (target ? FROM_TARGET : 0);
		(*unassigned)--;
	}
}

/* Reads local chunk j whole into buf (chunk_size bytes) in SCAN_BUF
 * pieces, as hash_local does: its length (0 at the slot's end) or a
 * negative code. */
static long long read_chunk(struct fws_delta *d, char set, const struct fws_payload *p,
			    uint64_t j, uint8_t *buf)
{
	const struct fws_slot_writer *w = &d->dev->slots;
	uint64_t done = 0;
	while (done < p->chunk_size) {
		size_t want = p->chunk_size - done < SCAN_BUF ? (size_t)(p->chunk_size - done) : SCAN_BUF;
		long long got = w->read_slot(w->ctx, set, p->target,
					     j * (uint64_t)p->chunk_size + done, buf + done, want);
		if (got < 0)
			return got;
		if ((size_t)got > want) /* a backend must not: it would overrun buf */
			return FWS_EIO;
		done += (uint64_t)got;
		if ((size_t)got < want)
			break;
	}
	return (long long)done;
}

/* One set's scan on the pool: what done() needs (calling thread only). */
struct chunk_scan {
	struct fws_delta *d;
	int target, in_place;
	uint64_t *unassigned;
	size_t chunk_size;
};

/* Any thread: the digests of its own chunks (value: the first one's
 * number; only the last may be short) into its own result area. */
static int hash_chunk(void *ctx, struct fws_pool_task *t)
{
	const struct chunk_scan *s = ctx;
	size_t cs = s->chunk_size;
	for (size_t at = 0, i = 0; at < t->len; at += cs, i++)
		fws_sha256(t->buf + at, t->len - at < cs ? t->len - at : cs, t->out + 32 * i);
	return 0;
}

/* The calling thread, tasks strictly in slot order: the assignments of
 * the plain loop in its order; a task read ahead after every wanted chunk
 * found its source is ignored, as the plain loop never read it. */
static int assign_chunk(void *ctx, struct fws_pool_task *t)
{
	struct chunk_scan *s = ctx;
	if (*s->unassigned == 0)
		return DELTA_SCAN_ENOUGH;
	for (size_t at = 0, i = 0; at < t->len; at += s->chunk_size, i++)
		assign(s->d, t->out + 32 * i, t->value + i, s->target, s->in_place, s->unassigned);
	return 0;
}

#define NO_POOL 2 /* scan_slot_pooled could not open its pool: nothing was read */

/* scan_slot with jobs: the calling thread reads whole chunks in order (in
 * SCAN_BUF reads, as hash_local), several per task up to DELTA_TASK_BYTES,
 * into the pool's tasks; workers hash them, assign_chunk consumes them in
 * order. Only for chunks up to DELTA_POOL_CHUNK_MAX. */
static int scan_slot_pooled(struct fws_delta *d, const struct fws_payload *p, char set,
			    int target, uint64_t *unassigned, uint64_t limit)
{
	size_t cs = p->chunk_size, per_task = cs < DELTA_TASK_BYTES ? DELTA_TASK_BYTES / cs : 1;
	struct chunk_scan s = {d, target, target && d->dev->slots.in_place, unassigned, cs};
	struct fws_pool_config pc = {d->jobs,		  fws_delta_pool_slots(d->jobs, per_task * cs),
				     per_task * cs,	  32 * per_task,
				     hash_chunk,	  assign_chunk,
				     &s};
	struct fws_pool *pool;
	int rc = fws_pool_open(&pool, &pc), read_rc = 0, more = 1, end;
	uint64_t j = 0;
	if (rc != 0)
		return NO_POOL;
	if (fws_pool_threads(pool) > d->scan_threads)
		d->scan_threads = fws_pool_threads(pool);
	while (rc == 0 && more && *unassigned > 0 && j * (uint64_t)cs < limit &&
	       j < (uint64_t)FROM_TARGET) {
		struct fws_pool_task *t;
		if ((rc = fws_pool_get(pool, &t)) != 0)
			break;
		t->value = j;
		for (size_t c = 0; c < per_task && j * (uint64_t)cs < limit && j < (uint64_t)FROM_TARGET;
		     c++) {
			long long got = read_chunk(d, set, p, j, t->buf + t->len);
			if (got <= 0) { /* unreadable, or the slot's end: the chunks before count */
				read_rc = (int)got;
				more = 0;
				break;
			}
			t->len += (size_t)got;
			j++;
			if ((size_t)got < cs)
				break; /* a short chunk is the last of its task */
		}
		if (t->len == 0)
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

/* Every wanted chunk whose bytes this slot holds gets it as its source. */
static int scan_slot(struct fws_delta *d, const struct fws_payload *p, char set, int target,
		     uint64_t *unassigned)
{
	/* A layout shift (a file grew) moves chunks further back: look a
	 * little past the new payload's length. */
	uint64_t limit = p->size + p->size / 8 + p->chunk_size;
	uint8_t dig[32];
	int in_place = target && d->dev->slots.in_place;
	if (d->jobs > 1 && p->chunk_size <= DELTA_POOL_CHUNK_MAX) {
		int rc = scan_slot_pooled(d, p, set, target, unassigned, limit);
		if (rc != NO_POOL)
			return rc;
		/* no memory for the pool: the plain loop below, one buffer */
	}
	for (uint64_t j = 0; *unassigned > 0 && j * (uint64_t)p->chunk_size < limit &&
			     j < (uint64_t)FROM_TARGET;
	     j++) {
		int rc = hash_local(d, set, p, j, dig);
		if (rc <= 0)
			return rc;
		assign(d, dig, j, target, in_place, unassigned);
	}
	return 0;
}

int fws_delta_plan(struct fws_delta *d, const struct fws_payload *p, size_t index,
		   const uint8_t *chunk_list)
{
	uint64_t n;
	int rc = fws_chunk_count(p->size, p->chunk_size, &n);
	d->have_plan = 0;
	d->by_blocks = 0;
	d->planned = index; /* planned, even if nothing can be reused */
	d->n = 0;
	if (rc != 0 || d->compressed || !d->known || d->dev->slots.read_slot == NULL || n == 0)
		return rc;
	free(d->src);
	free(d->order);
	d->src = malloc(n * sizeof(*d->src));
	d->order = malloc(n * sizeof(*d->order));
	if (d->src == NULL || d->order == NULL)
		return FWS_ENOMEM;
	d->n = n;
	d->list = chunk_list;
	for (uint64_t k = 0; k < n; k++) {
		d->src[k] = NONE;
		d->order[k] = (uint16_t)k; /* n <= FWS_MAX_CHUNKS = 65536 */
	}
	/* A signed block index finds blocks anywhere in the slots (ADR-050);
	 * without one (an older bundle, pack --no-block-index, a payload
	 * above the cap), whole aligned chunks as before. */
	struct fws_diag before = *fws_diag_last();
	if (fws_delta_blocks_plan(d, p, index) > 0) {
		d->by_blocks = d->have_plan = 1;
		return 0;
	}
	fws_diag_restore(&before); /* out of memory there: plan by chunks */
	if (chunk_list == NULL)
		return 0; /* nothing to plan with: all of it is fetched */
	qsort_r(d->order, n, sizeof(*d->order), by_digest, (void *)chunk_list);
	uint64_t unassigned = n;
	/* The running set first (it does not change), then the set being
	 * replaced. A slot that cannot be read is simply not reused: the
	 * chunks come from the network instead. */
	struct fws_diag saved = *fws_diag_last();
	if (d->from != d->to && (rc = scan_slot(d, p, d->from, 0, &unassigned)) < 0)
		rc = 0;
	if ((rc = scan_slot(d, p, d->to, 1, &unassigned)) < 0)
		rc = 0;
	fws_diag_restore(&saved);
	d->have_plan = 1;
	return rc;
}

uint64_t fws_delta_reused(const struct fws_delta *d)
{
	return d->reused;
}

void fws_delta_free(struct fws_delta *d)
{
	if (d == NULL)
		return;
	free(d->src);
	free(d->order);
	fws_delta_blocks_free(&d->b);
	free(d);
}

int fws_delta_block_index(struct fws_delta *d, const struct fws_payload *p, size_t index,
			  uint64_t at, const uint8_t *data, size_t len)
{
	return fws_delta_blocks_data(d, p, index, at, data, len);
}

uint64_t fws_delta_refetched(const struct fws_delta *d)
{
	return d->b.refetched;
}
