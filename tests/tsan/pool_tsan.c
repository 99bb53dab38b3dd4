/* SPDX-License-Identifier: Apache-2.0 */
/* The hashing pool under ThreadSanitizer (make tsan): Criterion's runner
 * cannot start under TSan, so this plain program drives the pool the way
 * verify and pack do (in order, with a failure, with a dropped task) on
 * several threads and exits 1 on a wrong result; TSan reports any race. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bundle/chunk_pool.h"
#include "fwseal/error.h"

static uint64_t next_done;
static uint8_t digests[1000];

static int work(void *ctx, struct fws_pool_task *t)
{
	uint8_t sum = 0;
	(void)ctx;
	for (size_t i = 0; i < t->len; i++)
		sum = (uint8_t)(sum * 31 + t->buf[i]);
	digests[t->index] = sum; /* a disjoint entry, as pack's chunk list */
	return t->index == 777 ? FWS_EDIGEST : 0;
}

static int done(void *ctx, struct fws_pool_task *t)
{
	(void)ctx;
	if (t->index != next_done++)
		return FWS_EINTERNAL;
	return t->rc;
}

static int run(unsigned jobs, unsigned n)
{
	struct fws_pool *pool;
	struct fws_pool_config cfg = {jobs, 0, 4096, 0, work, done, NULL};
	int rc = fws_pool_open(&pool, &cfg);
	next_done = 0;
	for (unsigned k = 0; rc == 0 && k < n; k++) {
		struct fws_pool_task *t;
		rc = fws_pool_get(pool, &t);
		if (rc != 0)
			break;
		t->len = 1 + k % 4096;
		memset(t->buf, (int)k, t->len);
		rc = fws_pool_put(pool, t);
	}
	int drained = fws_pool_finish(pool);
	fws_pool_close(pool);
	return rc != 0 ? rc : drained;
}

int main(void)
{
	for (unsigned jobs = 1; jobs <= 8; jobs++) {
		if (run(jobs, 700) != 0 || next_done != 700) {
			fprintf(stderr, "pool_tsan: jobs %u: wrong result on good input\n", jobs);
			return 1;
		}
		if (run(jobs, 1000) != FWS_EDIGEST || next_done != 778) {
			fprintf(stderr, "pool_tsan: jobs %u: the failure at 777 was not the one reported\n",
				jobs);
			return 1;
		}
	}
	printf("pool_tsan: ok\n");
	return 0;
}
