/* Bundles (.fwb): a tar (ustar/pax) archive, optionally gzip-compressed as a
 * whole, holding in this order:
 *   manifest.json          DSSE envelope of the manifest
 *   root/<N>.json          zero or more root envelopes, N strictly increasing
 *   chunks/<name>          for each payload in manifest order: its chunk list
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

/* A reader over a file descriptor (ctx = pointer to an int fd). */
FWS_API ssize_t fws_read_fd(void *ctx, uint8_t *buf, size_t len);

#define FWS_STALL_TIMEOUT_MS 60000 /* default: a stream silent this long is given up */

/* A reader over a file descriptor that gives up (FWS_ESTALLED) when no
 * byte arrives for stall_ms (0 = wait forever): a stalled pipe or
 * connection must not hold a device operation forever. */
struct fws_fd_reader {
	int fd;
	uint32_t stall_ms;
	uint64_t bytes; /* read so far */
	uint64_t total; /* for progress: the input's size, 0 = unknown */
	fws_progress_fn progress; /* optional */
	void *progress_ctx;
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
};

struct fws_verify_opts {
	const struct fws_root *trusted_root; /* required */
	struct fws_policy policy;            /* hardware / rollback rules */
	int64_t now; /* trusted time for root expiry, 0 = no trusted clock */
};

struct fws_verify_result {
	struct fws_manifest manifest;
	struct fws_root root;  /* newest root after the carried chain */
	struct fws_envelope root_envelope; /* its envelope, to persist */
	int root_advanced;     /* root is newer than trusted_root */
	struct fws_signers signers; /* release keys with a valid signature */
	int compressed;        /* bundle was gzip-compressed */
	uint64_t bundle_bytes; /* raw bytes read */
	uint8_t manifest_sha256[32]; /* digest of the manifest envelope entry */
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

#endif
