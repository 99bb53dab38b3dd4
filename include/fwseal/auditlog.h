/* SPDX-License-Identifier: Apache-2.0 */
/* The device's hash-chained audit log (format: docs/audit-log.md).
 *
 * The line format and the hash chain (lib/device/audit_log.c) work over a
 * storage interface, so any backend can keep a verifiable log: the
 * directory backend stores it in DIR/log, DIR/log.1 and DIR/log.head
 * (fwseal/dirdevice.h); a device could keep it in a flash partition. */
#ifndef FWSEAL_AUDITLOG_H
#define FWSEAL_AUDITLOG_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

#define FWS_LOG_ROTATE_BYTES (256 * 1024) /* segment 0 is rotated past this */

/* Two segments of lines, oldest first: 1 (older, after a rotation) then 0
 * (appended to); and a small head record naming the last line. */
struct fws_log_store {
	void *ctx;
	/* FWS_ENOENT when there is no head yet. */
	int (*head_read)(void *ctx, uint8_t *buf, size_t cap, size_t *len);
	int (*head_write)(void *ctx, const uint8_t *buf, size_t len); /* atomic */
	/* Size of a segment; FWS_ENOENT when it does not exist. */
	int (*size)(void *ctx, int segment, uint64_t *size);
	int (*read)(void *ctx, int segment, uint64_t offset, uint8_t *buf, size_t len,
		    size_t *got);
	/* Appends to segment 0 (created if missing) and makes it durable. */
	int (*append)(void *ctx, const uint8_t *buf, size_t len);
	/* Cuts segment 0 back to size (a torn tail, an undone append). */
	int (*truncate)(void *ctx, uint64_t size);
	/* Segment 0 becomes segment 1 (replacing it); segment 0 is then empty. */
	int (*rotate)(void *ctx);
};

/* One audit event. */
struct fws_event {
	const char *action;  /* "init", "install", "boot", "mark-good", "fallback", ... */
	int result;          /* 0 or the FWS_E* code of the refusal */
	const char *detail;  /* free text, may be NULL */
	const char *version; /* may be NULL */
	uint64_t security_version;
	char slot;           /* or 0 */
	const uint8_t *digest; /* manifest SHA-256 or NULL */
	const uint8_t *sbom;   /* SHA-256 of the SBOM the device now keeps, or NULL */
};

/* Checks the whole chain and its head, strictly: the end must be the
 * head's line, or exactly one complete line past it (an append cut off
 * between its line and its head). FWS_ESTATE names the first bad line in
 * *bad_line (1-based; 0 when the head itself is wrong). */
FWS_API FWS_MUST_CHECK int fws_audit_log_verify(const struct fws_log_store *s,
						uint64_t *entries, uint64_t *bad_line);

/* Calls fn for each committed line, oldest first (raw JSON, no newline);
 * stops at the first non-zero return. */
FWS_API FWS_MUST_CHECK int fws_audit_log_read(const struct fws_log_store *s,
					      int (*fn)(void *arg, const char *line, size_t len),
					      void *arg);

/* Where the chain ends: the last line's sequence number (0 = empty log).
 * FWS_ESTATE when the log could not take another line (a broken chain, a
 * head that names lines that are gone, two or more lines past the head). */
FWS_API FWS_MUST_CHECK int fws_audit_log_position(const struct fws_log_store *s,
						  uint64_t *last_seq);

/* Appends one line at seq = last + 1 (time: the device's trusted time).
 * An append whose head cannot be written is undone: the log is left as it
 * was and the error returned (FWS_ENOSPC on a full disk). */
FWS_API FWS_MUST_CHECK int fws_audit_log_append(const struct fws_log_store *s,
						const struct fws_event *ev, int64_t time);

#endif
