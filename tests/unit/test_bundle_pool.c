/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-PERF-002 */
/* The hashing pool (lib/bundle/chunk_pool.c): done() sees tasks in order
 * on the calling thread whatever order workers finish in; the first failure
 * in order stops it and nothing after it is released; jobs 1 starts no
 * thread and runs work and done inside put; never more tasks in flight
 * than slots. The same under ThreadSanitizer: tests/tsan/pool_tsan.c
 * (make tsan). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bundle/chunk_pool.h"
#include "fwseal/error.h"

TestSuite(pool);

#define N_TASKS 300

struct probe {
	pthread_t caller;
	uint64_t next_done;   /* the index done() expects next */
	uint64_t fail_at[2];  /* work fails for these indexes (UINT64_MAX: none) */
	unsigned done_calls;
	unsigned in_flight;   /* got but not yet done */
	unsigned max_in_flight;
	int worked_elsewhere; /* work ran on a thread other than the caller */
	int done_elsewhere;   /* done ran on a thread other than the caller */
	int out_of_order;
	int bad_bytes;
};

static int work(void *ctx, struct fws_pool_task *t)
{
	struct probe *p = ctx;
	if (!pthread_equal(pthread_self(), p->caller))
		__atomic_store_n(&p->worked_elsewhere, 1, __ATOMIC_RELAXED);
	/* Uneven work, so that workers finish out of order. */
	usleep((useconds_t)((t->index * 7919) % 13) * 50);
	for (size_t i = 0; i < t->len; i++)
		if (t->buf[i] != (uint8_t)(t->index + i))
			return FWS_EINTERNAL;
	t->value = t->index * 3;
	return t->index == p->fail_at[0] || t->index == p->fail_at[1] ? FWS_EDIGEST : 0;
}

static int done(void *ctx, struct fws_pool_task *t)
{
	struct probe *p = ctx;
	if (!pthread_equal(pthread_self(), p->caller))
		p->done_elsewhere = 1;
	if (t->index != p->next_done)
		p->out_of_order = 1;
	if (t->rc == 0 && t->value != t->index * 3)
		p->bad_bytes = 1;
	p->next_done++;
	p->done_calls++;
	p->in_flight--;
	return t->rc;
}

static void probe_init(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->caller = pthread_self();
	p->fail_at[0] = p->fail_at[1] = UINT64_MAX;
}

/* Fills and puts n tasks; returns the first error get/put/finish gave. */
static int run(struct fws_pool *pool, struct probe *p, unsigned n)
{
	int rc = 0;
	for (unsigned k = 0; k < n && rc == 0; k++) {
		struct fws_pool_task *t;
		rc = fws_pool_get(pool, &t);
		if (rc != 0)
			break;
		cr_assert_eq(t->index, k);
		p->in_flight++;
		if (p->in_flight > p->max_in_flight)
			p->max_in_flight = p->in_flight;
		t->len = 1 + k % 100;
		for (size_t i = 0; i < t->len; i++)
			t->buf[i] = (uint8_t)(k + i);
		rc = fws_pool_put(pool, t);
	}
	int drained = fws_pool_finish(pool);
	return rc != 0 ? rc : drained;
}

Test(pool, done_in_order_on_the_calling_thread)
{
	struct probe p;
	struct fws_pool *pool;
	probe_init(&p);
	struct fws_pool_config cfg = {4, 0, 128, 0, work, done, &p};
	cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
	cr_assert_eq(fws_pool_threads(pool), 4);
	cr_assert_eq(run(pool, &p, N_TASKS), 0);
	fws_pool_close(pool);
	cr_assert_eq(p.done_calls, N_TASKS);
	cr_assert_not(p.out_of_order, "done() saw a task out of order");
	cr_assert_not(p.done_elsewhere, "done() ran on a worker");
	cr_assert(p.worked_elsewhere, "no work ran on a worker thread");
	cr_assert_not(p.bad_bytes, "a task's result belonged to another task");
}

Test(pool, first_failure_in_order_stops_everything_after_it)
{
	struct probe p;
	struct fws_pool *pool;
	for (unsigned jobs = 1; jobs <= 4; jobs++) {
		probe_init(&p);
		/* Two bad tasks: the later one may finish first on a worker. */
		p.fail_at[0] = 60;
		p.fail_at[1] = 37;
		struct fws_pool_config cfg = {jobs, 0, 128, 0, work, done, &p};
		cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
		cr_assert_eq(run(pool, &p, N_TASKS), FWS_EDIGEST, "jobs %u", jobs);
		/* A failed pool stays failed. */
		struct fws_pool_task *t;
		cr_assert_eq(fws_pool_get(pool, &t), FWS_EDIGEST);
		cr_assert_null(t);
		cr_assert_eq(fws_pool_finish(pool), FWS_EDIGEST);
		fws_pool_close(pool);
		/* done() saw 0..37 and nothing after the first bad task. */
		cr_assert_eq(p.done_calls, 38, "jobs %u: done() called %u times", jobs,
			     p.done_calls);
		cr_assert_not(p.out_of_order);
	}
}

Test(pool, failed_work_without_done_stops_the_pool)
{
	struct probe p;
	struct fws_pool *pool;
	probe_init(&p);
	p.fail_at[0] = 5;
	struct fws_pool_config cfg = {3, 0, 128, 0, work, NULL, &p};
	cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
	cr_assert_eq(run(pool, &p, 50), FWS_EDIGEST);
	fws_pool_close(pool);
}

static pthread_t put_thread;
static unsigned done_during_put;
static int count_done(void *ctx, struct fws_pool_task *t)
{
	(void)ctx;
	(void)t;
	if (pthread_equal(pthread_self(), put_thread))
		done_during_put++;
	return 0;
}

Test(pool, one_job_starts_no_thread)
{
	struct probe p;
	struct fws_pool *pool;
	probe_init(&p);
	for (unsigned jobs = 0; jobs <= 1; jobs++) {
		struct fws_pool_config cfg = {jobs, 8, 128, 0, work, done, &p};
		cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
		cr_assert_eq(fws_pool_threads(pool), 0, "jobs %u started a thread", jobs);
		/* One slot, whatever was asked: a plain loop. */
		cr_assert_eq(fws_pool_slot_count(pool), 1);
		probe_init(&p);
		cr_assert_eq(run(pool, &p, 40), 0);
		fws_pool_close(pool);
		cr_assert_eq(p.done_calls, 40);
		cr_assert_not(p.worked_elsewhere, "jobs %u: work ran on another thread", jobs);
		cr_assert_eq(p.max_in_flight, 1, "jobs %u: a task waited after put", jobs);
	}
	/* done() runs inside put itself. */
	struct fws_pool_task *t;
	struct fws_pool_config cfg = {1, 0, 16, 0, work, count_done, &p};
	probe_init(&p);
	put_thread = pthread_self();
	done_during_put = 0;
	cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
	cr_assert_eq(fws_pool_get(pool, &t), 0);
	t->len = 0;
	cr_assert_eq(fws_pool_put(pool, t), 0);
	cr_assert_eq(done_during_put, 1);
	fws_pool_close(pool);
}

Test(pool, never_more_in_flight_than_slots)
{
	struct probe p;
	struct fws_pool *pool;
	probe_init(&p);
	struct fws_pool_config cfg = {4, 3, 128, 0, work, done, &p};
	cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
	cr_assert_eq(fws_pool_slot_count(pool), 3);
	/* Workers beyond the slots would only wait: not started. */
	cr_assert_eq(fws_pool_threads(pool), 3);
	cr_assert_eq(run(pool, &p, N_TASKS), 0);
	fws_pool_close(pool);
	cr_assert_leq(p.max_in_flight, 3);
	cr_assert_eq(p.max_in_flight, 3, "the pool never filled up: nothing ran ahead");
}

Test(pool, slots_fit_the_memory_budget)
{
	const size_t MiB = 1024 * 1024;
	cr_assert_eq(fws_pool_slots(1, MiB), 1);
	cr_assert_eq(fws_pool_slots(0, MiB), 1);
	cr_assert_eq(fws_pool_slots(2, MiB), 4);
	cr_assert_eq(fws_pool_slots(4, MiB), 8);
	/* 64 cores, 1 MiB chunks: still 8 MiB of buffers. */
	cr_assert_eq(fws_pool_slots(64, MiB), FWS_POOL_BUDGET / MiB);
	/* 16 MiB chunks: two buffers, not two per thread. */
	cr_assert_eq(fws_pool_slots(8, 16 * MiB), 2);
	/* jobs are capped at FWS_JOBS_MAX: two slots each. */
	cr_assert_eq(fws_pool_slots(100000, 4096), 2 * FWS_JOBS_MAX);
}

Test(pool, a_task_got_but_not_put_is_dropped)
{
	struct probe p;
	struct fws_pool *pool;
	struct fws_pool_task *t;
	probe_init(&p);
	struct fws_pool_config cfg = {2, 0, 128, 0, work, done, &p};
	cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
	for (unsigned k = 0; k < 3; k++) {
		cr_assert_eq(fws_pool_get(pool, &t), 0);
		p.in_flight++;
		t->len = 1;
		t->buf[0] = (uint8_t)k;
		cr_assert_eq(fws_pool_put(pool, t), 0);
	}
	/* A read error after get: the caller drains what it put. */
	cr_assert_eq(fws_pool_get(pool, &t), 0);
	cr_assert_eq(fws_pool_finish(pool), 0);
	cr_assert_eq(p.done_calls, 3);
	fws_pool_close(pool);
}

Test(pool, misuse_is_refused)
{
	struct probe p;
	struct fws_pool *pool;
	struct fws_pool_task other = {0};
	probe_init(&p);
	struct fws_pool_config cfg = {2, 0, 16, 0, work, done, &p};
	struct fws_pool_config no_work = {2, 0, 16, 0, NULL, done, &p};
	struct fws_pool_config no_buf = {2, 0, 0, 0, work, done, &p};
	cr_assert_eq(fws_pool_open(&pool, &no_work), FWS_EUSAGE);
	cr_assert_eq(fws_pool_open(&pool, &no_buf), FWS_EUSAGE);
	cr_assert_eq(fws_pool_open(&pool, &cfg), 0);
	/* A task that is not the pool's, or longer than its buffer. */
	cr_assert_eq(fws_pool_put(pool, &other), FWS_EUSAGE);
	struct fws_pool_task *t;
	cr_assert_eq(fws_pool_get(pool, &t), 0);
	t->len = 17;
	cr_assert_eq(fws_pool_put(pool, t), FWS_EUSAGE);
	t->len = 16;
	memset(t->buf, 0, 16);
	for (size_t i = 0; i < 16; i++)
		t->buf[i] = (uint8_t)i;
	cr_assert_eq(fws_pool_put(pool, t), 0);
	/* Put twice. */
	cr_assert_eq(fws_pool_put(pool, t), FWS_EUSAGE);
	cr_assert_eq(fws_pool_finish(pool), 0);
	fws_pool_close(pool);
	fws_pool_close(NULL);
}
