/* SPDX-License-Identifier: Apache-2.0 */
/* Bundles (.fwb): a tar (ustar/pax) archive, optionally gzip-compressed as a
 * whole, holding in this order:
 *   manifest.json          DSSE envelope of the manifest
 *   root/<N>.json          zero or more root envelopes, N strictly increasing
 *   chunks/<name>          for each payload in manifest order: its chunk list
 *   blocks/<name>          ... its block index, when the manifest signs one
 *   payloads/<name>        ... then its bytes
 * Verification reads it in one pass from one reader with bounded memory. */
#ifndef FWSEAL_BUNDLE_H
#define FWSEAL_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/envelope.h"
#include "fwseal/export.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "fwseal/root.h"

struct fws_verify_result;

/* Pull reader: up to len bytes into buf; returns the count, 0 at end of
 * input, -1 on an I/O error, or another negative FWS_E* code that says why
 * (FWS_ESTALLED, ...). Short reads are fine. */
typedef ssize_t (*fws_read_fn)(void *ctx, uint8_t *buf, size_t len);

/* Progress of long work: done of total bytes (total 0 = unknown). */
typedef void (*fws_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* The online CPUs (1..256): the CLIs' default for every `jobs` option. */
FWS_API unsigned fws_jobs_online(void);

/* A reader over a file descriptor (ctx = pointer to an int fd). */
FWS_API ssize_t fws_read_fd(void *ctx, uint8_t *buf, size_t len);

#define FWS_STALL_TIMEOUT_MS 60000 /* default: a stream silent this long is given up */

/* A reader over a file descriptor that gives up (FWS_ESTALLED) when no
 * byte arrives for stall_ms (0 = wait forever), and (FWS_EDEADLINE) when
 * the whole read has not ended deadline_ms after its first call (0 = no
 * bound): a stalled or dripping pipe must not hold a device operation
 * (and its lock) forever. */
struct fws_fd_reader {
	int fd;
	uint32_t stall_ms;
	uint64_t bytes; /* read so far */
	uint64_t total; /* for progress: the input's size, 0 = unknown */
	fws_progress_fn progress; /* optional */
	void *progress_ctx;
	uint32_t deadline_ms; /* the whole read; 0 = none */
	int64_t started_ms;   /* internal: the first call (CLOCK_MONOTONIC) */
};
FWS_API ssize_t fws_read_fd_timed(void *ctx, uint8_t *buf, size_t len);

/* Where verified payload bytes go. All callbacks may be NULL (verify only).
 * write() only ever sees bytes of a chunk whose digest already matched. */
struct fws_sink {
	void *ctx;
	int (*payload_begin)(void *ctx, const struct fws_payload *p);
	int (*payload_write)(void *ctx, const uint8_t *data, size_t len);
	int (*payload_end)(void *ctx, const struct fws_payload *p);
	/* Called once after the manifest and root chain verified, before any
	 * payload byte is read: the place for device policy. r holds the
	 * manifest, the newest root and the digests so far. */
	int (*manifest_verified)(void *ctx, const struct fws_verify_result *r);
	/* Optional: called after payload_end with the payload's verified chunk
	 * list (32 bytes per chunk), so the sink can re-read what it wrote and
	 * re-hash it before anything may boot it. */
	int (*payload_check)(void *ctx, const struct fws_payload *p, const uint8_t *chunk_list);
	/* Optional: called when payload `index`'s chunk list has verified,
	 * before any of its bytes is read: the place to plan a delta (which
	 * chunks the device holds already, lib/device/delta.c). Behind the
	 * decrypting sink an encrypted payload's list is NULL: its signed list
	 * is of ciphertext, and block_index_data gave its keyed index (ADR-087). */
	int (*chunk_list_verified)(void *ctx, const struct fws_payload *p, size_t index,
				   const uint8_t *chunk_list);
	/* Optional: the bytes of the bundle's SBOM entry (docs/format.md §14)
	 * as they stream, BEFORE its digest is known: stage them (never into a
	 * slot) and use them only once fws_bundle_verify returned 0. */
	int (*sbom_write)(void *ctx, const uint8_t *data, size_t len);
	/* Optional: the SBOM entry matched its signed size and SHA-256. */
	int (*sbom_verified)(void *ctx, const struct fws_sbom_ref *s);
	/* Optional: the bytes of payload `index`'s block index (blocks/<name>,
	 * fwseal/blocks.h) as they stream, `at` bytes into it. NOT verified
	 * yet: the index's digest is checked at its end, and only then is
	 * chunk_list_verified called; a failed check ends the verification. */
	int (*block_index_data)(void *ctx, const struct fws_payload *p, size_t index, uint64_t at,
				const uint8_t *data, size_t len);
	/* Optional, encrypted bundles (docs/format.md §15.2): the bytes of the
	 * UNSIGNED recipients entry as they stream, then its end (the place to
	 * open a stanza and check the header MAC and key commitment, before
	 * any payload byte is read). */
	int (*recipients_data)(void *ctx, const uint8_t *data, size_t len);
	int (*recipients_end)(void *ctx, const struct fws_verify_result *r);
	/* Optional: the bytes of an encrypted payload's plain/<name> entry
	 * (docs/format.md §15.6) as they stream, `at` bytes into it, NOT
	 * verified yet: its digest is checked at its end, then
	 * chunk_list_verified is called. */
	int (*plain_blocks_data)(void *ctx, const struct fws_payload *p, size_t index, uint64_t at,
				 const uint8_t *data, size_t len);
};

struct fws_verify_opts {
	const struct fws_root *trusted_root; /* required */
	struct fws_policy policy;            /* hardware / rollback rules */
	int64_t now; /* trusted time for root expiry, 0 = no trusted clock */
	/* Threads that hash chunks (docs/performance.md): 0 or 1 = none, the
	 * calling thread does it all; N = N workers, at most 256. Chunks are
	 * still released in order, each only after its own digest matched,
	 * and every result is the same for any value. */
	unsigned jobs;
};

struct fws_verify_result {
	struct fws_manifest manifest;
	struct fws_root root;  /* newest root after the carried chain */
	struct fws_envelope root_envelope; /* its envelope, to persist */
	int root_advanced;     /* root is newer than trusted_root */
	struct fws_signers signers; /* release keys with a valid signature */
	int compressed;        /* bundle was gzip-compressed */
	uint64_t bundle_bytes; /* raw bytes read */
	/* Offset of the first payload's chunks/ entry: with it and the
	 * manifest, fws_bundle_layout says where everything else lies (valid
	 * when not compressed; set before manifest_verified is called). */
	uint64_t payloads_offset;
	uint8_t manifest_sha256[32]; /* digest of the manifest envelope entry */
	uint64_t recipient_stanzas; /* stanzas in an encrypted bundle's recipients entry */
	uint8_t manifest_body_sha256[32]; /* digest of the signed manifest body: what
					   * permits and audit records name (stable
					   * when co-signatures are added) */
};

/* Verifies a whole bundle, releasing verified payload bytes to sink (may be
 * NULL). Returns 0 only when every check passed and the input ended exactly
 * at the end of the archive; result is filled as far as verification got. */
FWS_API FWS_MUST_CHECK int fws_bundle_verify(fws_read_fn read, void *read_ctx,
					     const struct fws_verify_opts *opts,
					     const struct fws_sink *sink,
					     struct fws_verify_result *result);

/* Where payload `index` lies in an uncompressed bundle whose first chunks/
 * entry starts at `base`: it all follows from the signed manifest, because
 * every tar header has exactly one spelling (docs/format.md §3.5). */
struct fws_payload_layout {
	uint64_t entry;      /* the chunks/<name> header */
	uint64_t chunk_list; /* the chunk list: 32 bytes per chunk */
	uint64_t blocks;     /* the block index (8 bytes per 4 KiB block), or an encrypted
			      * payload's plain/<name> entry; 0 when none */
	uint64_t data;       /* the payload's first byte (after payloads/<name>'s header) */
	uint64_t end;        /* after its padding: the next entry (or the end blocks) */
};
FWS_API FWS_MUST_CHECK int fws_bundle_layout(const struct fws_manifest *m, uint64_t base,
					     size_t index, struct fws_payload_layout *out);

/* A reader that can take parts of the stream from elsewhere (a delta: the
 * device already holds those chunks) asks a map what comes at `at`. */
enum fws_map_kind {
	FWS_MAP_UNKNOWN, /* not known yet: fetch a little and ask again */
	FWS_MAP_FETCH,   /* fetch *len bytes from `at` (UINT64_MAX: to the end) */
	FWS_MAP_LOCAL    /* *len bytes from `at` come from fill() */
};
struct fws_stream_map {
	void *ctx;
	enum fws_map_kind (*lookup)(void *ctx, uint64_t at, uint64_t *len);
	/* The stream's bytes [at, at + len), within a local run, into buf. */
	int (*fill)(void *ctx, uint64_t at, uint8_t *buf, size_t len);
};

/* A reader that can also fetch any range of the stream on request (HTTP
 * Range): the stream's bytes [at, at + len) into buf, all of them or an
 * error. A delta planner uses it from fill() to fetch the blocks of a chunk
 * the device does not hold (docs/delta.md). */
typedef int (*fws_range_fetch_fn)(void *read_ctx, uint64_t at, uint8_t *buf, size_t len);

#endif
