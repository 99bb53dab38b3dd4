/* SPDX-License-Identifier: Apache-2.0 */
/* Device reports (docs/fleet.md "Device reports", docs/format.md §17): one
 * small JSON document, signed by a per-device Ed25519 key, that says what
 * a device runs and carries the tail of its hash-chained audit log, so a
 * fleet can prove that a series of reports extends one log (a log that was
 * cut or rewritten in between is caught).
 *
 * Writer: lib/device/report.c (device library); decoder and checks:
 * lib/bundle/report_json.c (both libraries). */
#ifndef FWSEAL_REPORT_H
#define FWSEAL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/limits.h"
#include "fwseal/state.h"

#define FWS_TYPE_REPORT "application/vnd.fwseal.report+json"
#define FWS_REPORT_EVENTS_MAX 64
#define FWS_REPORT_EVENTS_DEFAULT 8
#define FWS_LOG_LINE_MAX 2048
#define FWS_DEVICE_KEY_FILE "device.key" /* in the state directory, 0600 */

struct fws_report_slot {
	char slot; /* 'a', 'b' */
	char version[FWS_VERSION_MAX + 1];
	uint64_t security_version;
};

struct fws_report {
	char device_id[FWS_DEVICE_ID_MAX + 1];
	char hardware_id[FWS_NAME_MAX + 1];
	int64_t time; /* the device's lower bound on the time */
	struct fws_report_slot confirmed;
	int has_pending;
	struct fws_report_slot pending;
	uint64_t security_version;
	uint64_t floor;
	uint64_t root_version;
	int has_channel;
	char channel_name[FWS_NAME_MAX + 1];
	uint64_t channel_version;
	int64_t channel_expires;
	int channel_stale;
	int log_valid;	  /* fws_audit_log_verify said so when the report was made */
	uint64_t log_seq; /* the head: last line's seq (0 = empty log) */
	uint8_t log_hash[32];
	size_t n_events; /* the newest lines, oldest first, verbatim */
	char events[FWS_REPORT_EVENTS_MAX][FWS_LOG_LINE_MAX];
};

/* --- bundle layer (lib/bundle/report_json.c) --- */

/* Strict decode of a report body (every field, nothing else). */
FWS_API FWS_MUST_CHECK int fws_report_decode(const uint8_t *json, size_t len, struct fws_report *r);
FWS_API FWS_MUST_CHECK int fws_report_encode(const struct fws_report *r, char **out,
					     size_t *out_len);

/* A report envelope's bytes: type FWS_TYPE_REPORT, exactly one signature,
 * by public_key (FWS_EREPORT otherwise), body decoded, and its events a
 * valid chain ending at the head it states (fws_report_check_log). */
FWS_API FWS_MUST_CHECK int fws_report_load(const uint8_t *json, size_t len,
					   const uint8_t public_key[32], struct fws_report *r);

/* The events are consecutive audit-log lines, each exactly as written with
 * its hash right, each one's prev the hash of the one before, the last one
 * the stated head: FWS_EREPORT naming the first that is not. */
FWS_API FWS_MUST_CHECK int fws_report_check_log(const struct fws_report *r);

/* later extends earlier's log: same device, head not behind, and the
 * line after earlier's head chains to it (or later's events contain
 * earlier's head line itself). A later report whose events do not reach
 * back that far cannot prove it: FWS_EREPORT ("report --since SEQ"). */
FWS_API FWS_MUST_CHECK int fws_report_check_extends(const struct fws_report *earlier,
						    const struct fws_report *later);

/* --- device (lib/device/report.c) --- */

struct fws_device;
struct fws_dir_backend;

/* Makes the device key in the state directory (dirfd): 32 random bytes,
 * mode 0600, never replacing one (FWS_EEXIST). */
FWS_API FWS_MUST_CHECK int fws_device_key_create(int dirfd);
/* Its public half (FWS_ENOENT: none yet). */
FWS_API FWS_MUST_CHECK int fws_device_key_public(int dirfd, uint8_t public_key[32]);

/* Writes the signed report envelope (malloc'd JSON). events: how many of
 * the newest log lines (0 = FWS_REPORT_EVENTS_DEFAULT); since (0 = not
 * used): every line after seq `since` instead, FWS_ELIMIT when they do not
 * fit in one report. */
FWS_API FWS_MUST_CHECK int fws_device_report(struct fws_device *dev, int dirfd, unsigned events,
					     uint64_t since, char **json_out, size_t *len_out);

#endif
