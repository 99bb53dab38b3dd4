/* The directory backend's audit log. Internal to lib/device (the public
 * entry points are in fwseal/device.h).
 *
 * DIR/log holds one JSON object per line; each line carries the SHA-256 of
 * the previous line ("prev") and its own hash ("hash" = SHA-256 over the
 * line without its hash field), so an edited, removed or reordered line
 * breaks the chain. DIR/log.head holds the sequence number and hash of the
 * last line (written atomically after each append), so cutting lines off
 * the end is detected too. When DIR/log exceeds FWS_LOG_ROTATE_BYTES it
 * becomes DIR/log.1 (replacing the older one) and the new log's first line
 * chains to the old last hash, so the chain survives rotation. */
#ifndef FWSEAL_DEVICE_AUDIT_LOG_H
#define FWSEAL_DEVICE_AUDIT_LOG_H

#include <stdint.h>

#include "fwseal/device.h"

#define FWS_LOG_ROTATE_BYTES (256 * 1024)

/* fws_log_sink.append for struct fws_dir_backend (ctx). Uses b->fs for
 * every write/fsync/rename so crash tests reach it. */
int fws_dir_log_append(void *ctx, const struct fws_event *ev, int64_t time);

/* fws_log_sink.ready: 0 when the next append can chain on (head and log
 * agree, or differ only as a crash between line and head leaves them). */
int fws_dir_log_ready(void *ctx);

/* Calls fn for each line of DIR/log.1 then DIR/log, oldest first, with the
 * raw JSON line (no newline). Stops at the first non-zero return. */
int fws_audit_log_read(const char *dir, int (*fn)(void *arg, const char *line, size_t len),
		       void *arg);

#endif
