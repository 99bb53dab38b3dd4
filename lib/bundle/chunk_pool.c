/* SPDX-License-Identifier: Apache-2.0 */
/* The hashing pool (chunk_pool.h): a ring of slots in submission order,
 * one mutex, two condition variables. Workers take the oldest queued slot;
 * the calling thread alone consumes slots, from the head of the ring, so
 * done() runs in order and never concurrently. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/chunk_pool.h"
#include "fwseal/bundle.h"
#include "fwseal/error.h"

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE };

struct fws_pool {
	struct fws_pool_config cfg;
	unsigned n_slots;
	struct fws_pool_task *tasks;
	enum slot_state *state;
	uint8_t *memory; /* every slot's buffers, one allocation */
	uint64_t next_index;
	unsigned head;  /* oldest slot in flight */
	unsigned count; /* slots in flight: head .. head + count - 1 */
	int failed;     /* the first error; sticky */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t work_cv; /* a slot was queued, or stop */
	pthread_cond_t done_cv; /* a slot is done */
	pthread_t *threads;
	unsigned n_threads;
};

unsigned fws_jobs_online(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > (long)FWS_JOBS_MAX ? FWS_JOBS_MAX : (unsigned)n;
}

unsigned fws_pool_slots(unsigned jobs, size_t buf_size)
{
	if (jobs <= 1)
		return 1;
	size_t fit = buf_size > 0 ? FWS_POOL_BUDGET / buf_size : 2;
	size_t want = 2 * (size_t)(jobs > FWS_JOBS_MAX ? FWS_JOBS_MAX : jobs);
	if (want > fit)
		want = fit;
	return want < 2 ? 2 : (unsigned)want;
}

/* The oldest queued slot, under the lock; -1 if none. */
static int find_queued(const struct fws_pool *p)
{
	for (unsigned k = 0; k < p->count; k++) {
		unsigned s = (p->head + k) % p->n_slots;
		if (p->state[s] == SLOT_QUEUED)
			return (int)s;
	}
	return -1;
}

/* Runs queued slot s on the calling thread (a worker, or the reader while
 * it waits). After a failure nothing more is released: the work is
 * skipped. Lock held on entry and return. */
static void run_here(struct fws_pool *p, unsigned s)
{
	struct fws_pool_task *t = &p->tasks[s];
	int skip = p->failed != 0;
	p->state[s] = SLOT_RUNNING;
	pthread_mutex_unlock(&p->mu);
	int rc = skip ? FWS_EINTERNAL : p->cfg.work(p->cfg.ctx, t);
	pthread_mutex_lock(&p->mu);
	t->rc = rc;
	p->state[s] = SLOT_DONE;
	pthread_cond_broadcast(&p->done_cv);
}

static void *worker(void *arg)
{
	struct fws_pool *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		int s = -1;
		while (!p->stop && (s = find_queued(p)) < 0)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (p->stop)
			break;
		run_here(p, (unsigned)s);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static int start_threads(struct fws_pool *p, unsigned n)
{
	pthread_attr_t attr;
	sigset_t all, old;
	p->threads = calloc(n, sizeof(*p->threads));
	if (p->threads == NULL || pthread_attr_init(&attr) != 0)
		return FWS_ENOMEM;
	/* Hashing needs little stack; a small one keeps many workers cheap. */
	(void)pthread_attr_setstacksize(&attr, 256 * 1024);
	/* Workers take no signals: the CLI's handlers run on its own thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&p->threads[i], &attr, worker, p) != 0)
			break;
		p->n_threads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	/* Fewer threads than asked still work; none at all does not. */
	return p->n_threads > 0 ? 0 : FWS_ENOMEM;
}

int fws_pool_open(struct fws_pool **out, const struct fws_pool_config *cfg)
{
	struct fws_pool *p;
	unsigned jobs;
	size_t per_slot;
	if (out == NULL || cfg == NULL || cfg->work == NULL || cfg->buf_size == 0)
		return FWS_EUSAGE;
	*out = NULL;
	jobs = cfg->jobs > FWS_JOBS_MAX ? FWS_JOBS_MAX : cfg->jobs;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return FWS_ENOMEM;
	p->cfg = *cfg;
	p->n_slots = jobs <= 1 ? 1 : (cfg->slots != 0 ? cfg->slots : fws_pool_slots(jobs, cfg->buf_size));
	if (jobs > 1 && p->n_slots < 2)
		p->n_slots = 2;
	per_slot = cfg->buf_size + cfg->out_size;
	if (per_slot < cfg->buf_size || per_slot > SIZE_MAX / p->n_slots) {
		free(p);
		return FWS_ELIMIT;
	}
	p->tasks = calloc(p->n_slots, sizeof(*p->tasks));
	p->state = calloc(p->n_slots, sizeof(*p->state));
	p->memory = malloc(per_slot * p->n_slots);
	if (p->tasks == NULL || p->state == NULL || p->memory == NULL) {
		fws_pool_close(p);
		return FWS_ENOMEM;
	}
	for (unsigned i = 0; i < p->n_slots; i++) {
		p->tasks[i].buf = p->memory + i * per_slot;
		p->tasks[i].out = cfg->out_size > 0 ? p->tasks[i].buf + cfg->buf_size : NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	if (jobs > 1) {
		/* More workers than slots would only ever wait. */
		int rc = start_threads(p, jobs < p->n_slots ? jobs : p->n_slots);
		if (rc != 0) {
			fws_pool_close(p);
			return rc;
		}
	}
	*out = p;
	return 0;
}

/* Passes the head slot (done) to done() on the calling thread and frees
 * it; the lock is held on entry and on return, not during done(). */
static void consume_head(struct fws_pool *p)
{
	unsigned s = p->head;
	struct fws_pool_task *t = &p->tasks[s];
	int rc = t->rc;
	if (p->failed == 0) {
		if (p->cfg.done != NULL) {
			pthread_mutex_unlock(&p->mu);
			rc = p->cfg.done(p->cfg.ctx, t);
			pthread_mutex_lock(&p->mu);
		}
		if (rc != 0)
			p->failed = rc;
	}
	p->state[s] = SLOT_FREE;
	p->head = (p->head + 1) % p->n_slots;
	p->count--;
}

/* Consumes the head once it is done; a head still being filled (got but
 * never put) is dropped. While it waits, the calling thread works on a
 * queued slot itself rather than sleep: on a machine with as many jobs as
 * cores, the reader's core is not left idle whenever the ring is full.
 * Lock held. */
static void wait_head(struct fws_pool *p)
{
	while (p->state[p->head] == SLOT_QUEUED || p->state[p->head] == SLOT_RUNNING) {
		int s = find_queued(p);
		if (s >= 0)
			run_here(p, (unsigned)s);
		else
			pthread_cond_wait(&p->done_cv, &p->mu);
	}
	if (p->state[p->head] == SLOT_DONE) {
		consume_head(p);
		return;
	}
	p->state[p->head] = SLOT_FREE;
	p->head = (p->head + 1) % p->n_slots;
	p->count--;
}

int fws_pool_get(struct fws_pool *p, struct fws_pool_task **t)
{
	int rc;
	if (p == NULL || t == NULL)
		return FWS_EUSAGE;
	*t = NULL;
	pthread_mutex_lock(&p->mu);
	/* Write what is ready as early as possible, then make room. */
	while (p->count > 0 && p->state[p->head] == SLOT_DONE && p->failed == 0)
		consume_head(p);
	while (p->count == p->n_slots && p->failed == 0)
		wait_head(p);
	rc = p->failed;
	if (rc == 0) {
		unsigned s = (p->head + p->count) % p->n_slots;
		p->state[s] = SLOT_FILLING;
		p->count++;
		p->tasks[s].index = p->next_index++;
		p->tasks[s].len = 0;
		p->tasks[s].out_len = 0;
		p->tasks[s].value = 0;
		p->tasks[s].rc = 0;
		*t = &p->tasks[s];
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int fws_pool_put(struct fws_pool *p, struct fws_pool_task *t)
{
	int rc;
	if (p == NULL || t == NULL || t < p->tasks || t >= p->tasks + p->n_slots ||
	    t->len > p->cfg.buf_size)
		return FWS_EUSAGE;
	unsigned s = (unsigned)(t - p->tasks);
	pthread_mutex_lock(&p->mu);
	if (p->state[s] != SLOT_FILLING) {
		pthread_mutex_unlock(&p->mu);
		return FWS_EUSAGE;
	}
	if (p->n_threads == 0) {
		/* No threads: the plain loop, work then done, right here. */
		run_here(p, s);
		while (p->count > 0)
			wait_head(p);
	} else {
		p->state[s] = SLOT_QUEUED;
		pthread_cond_signal(&p->work_cv);
	}
	rc = p->failed;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int fws_pool_finish(struct fws_pool *p)
{
	int rc;
	if (p == NULL)
		return FWS_EUSAGE;
	pthread_mutex_lock(&p->mu);
	while (p->count > 0)
		wait_head(p);
	rc = p->failed;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

unsigned fws_pool_threads(const struct fws_pool *p)
{
	return p != NULL ? p->n_threads : 0;
}

unsigned fws_pool_slot_count(const struct fws_pool *p)
{
	return p != NULL ? p->n_slots : 0;
}

void fws_pool_close(struct fws_pool *p)
{
	if (p == NULL)
		return;
	if (p->threads != NULL) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_broadcast(&p->work_cv);
		pthread_mutex_unlock(&p->mu);
		/* Running work finishes on its own slot; nothing is consumed. */
		for (unsigned i = 0; i < p->n_threads; i++)
			pthread_join(p->threads[i], NULL);
		free(p->threads);
	}
	if (p->state != NULL && p->tasks != NULL && p->memory != NULL) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->work_cv);
		pthread_cond_destroy(&p->done_cv);
	}
	free(p->memory);
	free(p->state);
	free(p->tasks);
	free(p);
}
