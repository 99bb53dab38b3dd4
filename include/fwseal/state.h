/* SPDX-License-Identifier: Apache-2.0 */
/* Device state: what fwseal itself must remember across reboots, and the
 * store that keeps it. Which slot boots and how many tries it has left are
 * the bootloader's (fwseal/bootloader.h), not part of this state. */
#ifndef FWSEAL_STATE_H
#define FWSEAL_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/limits.h"

#define FWS_STATE_MAX 2048   /* bytes of the encoded state */
#define FWS_DEVICE_ID_MAX 64 /* same charset as names */
#define FWS_BOOT_ID_MAX 32   /* the kernel's boot id, 32 lowercase hex */

struct fws_slot_info {
	char version[FWS_VERSION_MAX + 1]; /* "" = empty or invalid slot */
	uint64_t security_version;
};

/* Slot sets are named 'a' and 'b'; a set holds one slot per payload
 * target (rootfs, kernel, ...), installed and booted together. */
struct fws_device_state {
	uint64_t generation; /* +1 on every save: detects a stale copy */
	char hardware_id[FWS_NAME_MAX + 1];
	char device_id[FWS_DEVICE_ID_MAX + 1];
	uint64_t root_version;
	uint64_t security_version; /* highest confirmed: never lowered */
	char confirmed_slot;       /* 'a' or 'b': the proven image */
	char pending_slot;         /* 'a', 'b', or '-': installed, not yet confirmed */
	struct fws_slot_info slots[2]; /* [0] = a, [1] = b */
	int64_t highest_created;   /* newest verified `created`: the device's floor on time */
	int64_t permit_floor;      /* newest `created` of a used permit: replays are older */
	uint64_t installs;
	/* Sequence number of the audit-log line that records this state's last
	 * change (0 = no log). A state saved before its line was appended (a
	 * crash in between) is recorded by the next operation. */
	uint64_t log_seq;
	/* A confirmation under way (0 = none): mark-good of the pending set
	 * with this security_version saved this, is raising the hardware
	 * floor (fwseal/floor.h) to it, and then confirms the set. The next
	 * operation finishes a confirmation a power cut interrupted. Only a
	 * state with it set is written as format 4 (docs/format.md 10.1). */
	uint64_t floor_confirming;
	/* The signed channel accepted last (docs/format.md §16; 0 = none): its
	 * version never goes back, and the same version only with the same
	 * bytes (channel_sha256). created/expires say how fresh the device's
	 * view is (`status`: "stale since expires"). boot_id and uptime are
	 * the boot and CLOCK_BOOTTIME seconds at which it was accepted: a
	 * device without a trusted clock knows the time is at least created
	 * plus the uptime since then. A state with a channel is format 6. */
	char channel_name[FWS_NAME_MAX + 1];
	uint64_t channel_version;
	uint8_t channel_sha256[32];
	int64_t channel_created;
	int64_t channel_expires;
	char channel_boot_id[FWS_BOOT_ID_MAX + 1];
	uint64_t channel_uptime;
	/* SHA-256 of the manifest body of the release in the pending set (all
	 * zero = none): what an interrupted install's `recover` audit line
	 * names. Only a state with it set is written as format 5. */
	uint8_t pending_manifest[32];
};

/* Text form with a SHA-256 line over the rest; one canonical encoding. */
FWS_API FWS_MUST_CHECK int fws_state_encode(const struct fws_device_state *st, char *buf,
					    size_t cap, size_t *len);
/* FWS_ESTATE on anything but exactly what fws_state_encode writes. */
FWS_API FWS_MUST_CHECK int fws_state_decode(const uint8_t *buf, size_t len,
					    struct fws_device_state *st);

/* Where the state and the trusted root live. save must be atomic: after a
 * crash load returns the old or the new bytes, never a mix (the file
 * backend uses an exclusive temporary file + fsync + rename + directory
 * fsync; a raw-flash backend keeps two copies and picks the valid one with
 * the higher generation). load returns FWS_ENOENT when nothing is stored. */
struct fws_state_store {
	void *ctx;
	int (*load_state)(void *ctx, uint8_t *buf, size_t cap, size_t *len);
	int (*save_state)(void *ctx, const uint8_t *buf, size_t len);
	int (*load_root)(void *ctx, uint8_t *buf, size_t cap, size_t *len);
	int (*save_root)(void *ctx, const uint8_t *buf, size_t len);
	/* Optional exclusive lock for one operation, waiting at most
	 * timeout_ms (0 = not at all); FWS_EBUSY when still held. */
	int (*lock)(void *ctx, uint32_t timeout_ms);
	void (*unlock)(void *ctx);
};

#endif
