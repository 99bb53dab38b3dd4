/* SPDX-License-Identifier: Apache-2.0 */
/* The hashing pool: chunks are filled in order by the calling thread,
 * worked on (hashed, checked, compressed) by up to `jobs` threads at once
 * (and by the calling thread itself while it waits for a full ring),
 * and handed back in order, on the calling thread, to a `done` callback
 * that writes them. The per-chunk rule itself stays in lib/core
 * (fws_chunk_check): the pool only decides where it runs (design.md
 * "hashing pool", docs/decisions.md ADR-047).
 *
 * Guarantees a caller builds on:
 *  - done() sees tasks strictly in the order fws_pool_get handed them out,
 *    always on the calling thread, never two at once: sinks need no locks,
 *    and a chunk is written only after its own work (its digest check)
 *    returned, and only after every earlier chunk was written;
 *  - after the first done() that fails, no later task reaches done(): the
 *    first bad chunk in stream order is the one reported, whatever the
 *    number of jobs;
 *  - memory is bounded: `slots` buffers of buf_size (+ out_size) bytes,
 *    allocated at open, never more;
 *  - jobs <= 1 starts no thread at all: work() and done() run inside
 *    fws_pool_put, one slot, as a plain loop would. Internal. */
#ifndef FWSEAL_BUNDLE_CHUNK_POOL_H
#define FWSEAL_BUNDLE_CHUNK_POOL_H

#include <stddef.h>
#include <stdint.h>

/* The most jobs a caller may ask for: far above any CPU count a device or
 * signing host has, low enough that a typo cannot start a thread storm. */
#define FWS_JOBS_MAX 256u
/* What the pool's buffers may hold together when chunks are small enough:
 * with 1 MiB chunks, 8 chunks in flight keep verify and install far below
 * 16 MiB peak RSS on any number of cores (docs/performance.md). */
#define FWS_POOL_BUDGET (8u * 1024 * 1024)

struct fws_pool_task {
	uint64_t index; /* 0, 1, 2, ... in the order fws_pool_get gave tasks out */
	uint8_t *buf;   /* buf_size bytes: the caller fills it */
	size_t len;     /* bytes the caller filled */
	uint8_t *out;   /* out_size bytes for work()'s result (NULL if 0) */
	size_t out_len; /* set by work() */
	uint64_t value; /* a small result of work(), e.g. a CRC */
	int rc;         /* what work() returned */
};

/* Runs on any thread, on its own task only: it must touch no shared state
 * (it may write a disjoint part of a shared array, e.g. its chunk list
 * entry) and set no diagnostic. */
typedef int (*fws_pool_work_fn)(void *ctx, struct fws_pool_task *t);
/* Runs on the calling thread, in order; t->rc holds work()'s result. A
 * non-zero return stops the pool with that code. */
typedef int (*fws_pool_done_fn)(void *ctx, struct fws_pool_task *t);

struct fws_pool_config {
	unsigned jobs;   /* threads; 0 or 1 = none */
	unsigned slots;  /* tasks in flight; 0 = fws_pool_slots(jobs, buf_size) */
	size_t buf_size; /* >= 1 */
	size_t out_size; /* 0 = no out buffer */
	fws_pool_work_fn work;
	fws_pool_done_fn done; /* may be NULL: then a failed work() stops the pool */
	void *ctx;
};

struct fws_pool;

/* Slots for jobs threads with buffers of buf_size: two per thread, so the
 * reader fills one while a worker hashes the other, capped so that all of
 * them fit FWS_POOL_BUDGET, yet at least 2 whenever jobs > 1 (one hashing,
 * one filling: huge chunks then cost 2 buffers, not 2 per thread).
 * jobs <= 1: exactly 1. */
unsigned fws_pool_slots(unsigned jobs, size_t buf_size);

int fws_pool_open(struct fws_pool **out, const struct fws_pool_config *cfg);

/* A free task to fill (its index the next in order). When every slot is in
 * flight it first waits for the oldest and passes it to done(). Returns the
 * pool's error once any done() (or work() without done) failed. */
int fws_pool_get(struct fws_pool *p, struct fws_pool_task **t);

/* Hands a filled task to the workers (jobs <= 1: runs work() and done()
 * here and returns done()'s result). */
int fws_pool_put(struct fws_pool *p, struct fws_pool_task *t);

/* Waits for every task put so far and passes each to done(), in order; a
 * task got but not put is dropped. Returns the first error. */
int fws_pool_finish(struct fws_pool *p);

/* Threads the pool started (0 when jobs <= 1): for tests and reports. */
unsigned fws_pool_threads(const struct fws_pool *p);
/* Slots the pool holds. */
unsigned fws_pool_slot_count(const struct fws_pool *p);

/* Stops and joins the workers and frees everything; tasks not finished are
 * dropped (never passed to done). NULL is fine. */
void fws_pool_close(struct fws_pool *p);

#endif
