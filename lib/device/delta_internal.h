/* SPDX-License-Identifier: Apache-2.0 */
/* The delta planner's state, shared by its chunk level (delta.c) and its
 * block level (delta_blocks.c, ADR-050). Internal to lib/device. */
#ifndef FWSEAL_DEVICE_DELTA_INTERNAL_H
#define FWSEAL_DEVICE_DELTA_INTERNAL_H

#include <stdint.h>

#include "device/delta.h"
#include "fwseal/blocks.h"

#define DELTA_NONE UINT32_MAX
#define DELTA_FROM_TARGET 0x80000000u /* source bit: the set being replaced */
#define DELTA_SCAN_BUF 65536
/* The block level plans payloads of at most this many 4 KiB blocks (4 GiB):
 * 16 bytes per block, 16 MiB at most. Larger payloads: chunk level only. */
#define FWS_DELTA_BLOCKS_MAX (1u << 20)
/* The slot scans hash on the pool (ADR-047) within this many bytes of task
 * buffers, whatever --jobs says: the plan runs while the install holds its
 * own buffers, and 2 MiB keep the sum under the 16 MiB RSS target. */
#define DELTA_POOL_BUDGET (2u * 1024 * 1024)
/* With threads a scan task holds this many bytes (DELTA_SCAN_BUF reads,
 * or whole chunks): a hand-off per 64 KiB cost about as much as the
 * hashing it shared out. */
#define DELTA_TASK_BYTES (256u * 1024)
/* The chunk level hashes on the pool only chunks of at most this size (a
 * task holds one whole chunk); larger chunks are hashed as they are read,
 * on the calling thread, in DELTA_SCAN_BUF pieces. */
#define DELTA_POOL_CHUNK_MAX (1024u * 1024)
/* A done() callback's "every wanted piece has its source": stops the scan
 * (a positive value, never an error code). */
#define DELTA_SCAN_ENOUGH 1

struct delta_blocks {
	uint64_t n;	 /* blocks of the payload whose index is kept */
	size_t payload;	 /* which payload's index that is */
	uint64_t have;	 /* index bytes received, in order */
	int usable;	 /* the whole index arrived and fits the cap */
	uint8_t *index;	 /* 8 bytes per block (fwseal/blocks.h) */
	uint32_t *src;	 /* per block: local block | DELTA_FROM_TARGET, or DELTA_NONE */
	uint32_t *order; /* full blocks sorted by (short hash, block) */
	uint64_t n_order;
	uint8_t *chunk;	    /* one assembled chunk */
	int chunk_locked;   /* chunk is sodium_malloc'd (an encrypted release) */
	uint64_t chunk_k;   /* which chunk it holds, UINT64_MAX: none */
	uint64_t refetched; /* chunks whose assembly did not match: fetched whole */
};

struct fws_delta {
	struct fws_device *dev;
	struct fws_stream_map map;
	fws_range_fetch_fn fetch;
	void *read_ctx;
	const struct fws_manifest *m;
	struct fws_payload_layout lay[FWS_MAX_PAYLOADS];
	int known, compressed;
	char to, from;
	/* the payload planned last */
	size_t planned;
	int have_plan;
	int by_blocks; /* the plan is delta_blocks' (a local chunk is assembled) */
	uint64_t n;
	uint32_t *src;	 /* per chunk: local chunk index | DELTA_FROM_TARGET, or DELTA_NONE */
	uint16_t *order; /* chunk indices sorted by digest */
	const uint8_t *list;
	uint64_t reused;
	unsigned jobs;		/* hashing threads of the slot scans; 0/1: none */
	unsigned scan_threads;	/* the most threads a scan ran on (tests, reports) */
	struct delta_blocks b;
	/* An encrypted release (ADR-087): keyed hints, and assembled chunks
	 * checked by re-encryption; NULL: SHA-256 short hashes and the list. */
	const uint8_t *hint_key;
	fws_delta_check_fn check;
	void *check_ctx;
	uint8_t buf[DELTA_SCAN_BUF];
};

/* Task slots of a slot scan's pool for buffers of buf_size bytes: two
 * per job, within DELTA_POOL_BUDGET, at least 2 with threads, 1 without. */
unsigned fws_delta_pool_slots(unsigned jobs, size_t buf_size);

/* Block level (delta_blocks.c). */
int fws_delta_blocks_data(struct fws_delta *d, const struct fws_payload *p, size_t index,
			  uint64_t at, const uint8_t *data, size_t len);
/* 1 when payload p is planned by blocks (d->src marks chunks to assemble),
 * 0 when the chunk level must plan it, or a negative code. */
int fws_delta_blocks_plan(struct fws_delta *d, const struct fws_payload *p, size_t index);
int fws_delta_blocks_fill(struct fws_delta *d, const struct fws_payload *p, uint64_t rel,
			  uint8_t *out, size_t len);
void fws_delta_blocks_free(struct delta_blocks *b);

#endif
