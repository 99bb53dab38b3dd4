/* Device side (lib/device): verify-then-install into A/B slots, boot
 * confirmation, power-loss-safe state, downgrade permits and an audit log.
 *
 * An integrator fills a struct fws_device with backends (callbacks) and
 * caller-owned memory; there is no global state, so one context per thread
 * is safe. fws_device_use_dir() fills every backend for a directory (the
 * simulated device of fwseal-verify); docs/examples/ shows custom backends.
 *
 * Life cycle:
 *   install    verify the bundle while streaming it into the inactive slot;
 *              the slot becomes *pending* with a boot-attempt budget. The
 *              stored security_version is checked, not raised.
 *   boot       the bootloader's decision: a pending slot is tried while
 *              attempts remain (each boot spends one); when none remain the
 *              device falls back to the confirmed slot.
 *   mark-good  the running pending slot confirmed itself: it becomes the
 *              confirmed slot and only now the security_version is raised.
 *   rollback   cancel a pending slot, or return to the other slot while its
 *              security_version is still >= the stored one. */
#ifndef FWSEAL_DEVICE_H
#define FWSEAL_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/bundle.h"
#include "fwseal/export.h"
#include "fwseal/limits.h"

#define FWS_STATE_MAX 2048       /* bytes of the encoded state */
#define FWS_DEVICE_ID_MAX 64     /* same charset as names */
#define FWS_BOOT_ATTEMPTS 3      /* default boot-attempt budget of a pending slot */

struct fws_slot_info {
	char version[FWS_VERSION_MAX + 1]; /* "" = empty or invalid slot */
	uint64_t security_version;
};

struct fws_device_state {
	uint64_t generation; /* +1 on every save: detects a stale copy */
	char hardware_id[FWS_NAME_MAX + 1];
	char device_id[FWS_DEVICE_ID_MAX + 1];
	uint64_t root_version;
	uint64_t security_version; /* highest confirmed: never lowered */
	char confirmed_slot;       /* 'a' or 'b': boots when nothing is pending */
	char pending_slot;         /* 'a', 'b', or '-' */
	uint32_t boot_attempts;    /* left for the pending slot */
	char booted_slot;          /* slot running now ('-' before the first boot) */
	struct fws_slot_info slots[2]; /* [0] = a, [1] = b */
	int64_t highest_created;   /* newest verified `created`: the device's floor on time */
	int64_t permit_floor;      /* newest `created` of a used permit: replays are older */
	uint64_t installs;
};

/* --- state encoding (lib/device/state.c) --- */

/* Text form with a SHA-256 line over the rest; one canonical encoding. */
FWS_API FWS_MUST_CHECK int fws_state_encode(const struct fws_device_state *st, char *buf,
					    size_t cap, size_t *len);
/* FWS_ESTATE on anything but exactly what fws_state_encode writes. */
FWS_API FWS_MUST_CHECK int fws_state_decode(const uint8_t *buf, size_t len,
					    struct fws_device_state *st);

/* --- backends --- */

/* Where state and the trusted root live. save must be atomic: after a crash
 * load returns the old or the new bytes, never a mix (the file backend uses
 * temp + fsync + rename + directory fsync; a raw-flash backend keeps two
 * copies and picks the valid one with the higher generation). */
struct fws_state_store {
	void *ctx;
	int (*load_state)(void *ctx, uint8_t *buf, size_t cap, size_t *len);
	int (*save_state)(void *ctx, const uint8_t *buf, size_t len);
	int (*load_root)(void *ctx, uint8_t *buf, size_t cap, size_t *len);
	int (*save_root)(void *ctx, const uint8_t *buf, size_t len);
	/* Optional exclusive lock for one operation; FWS_EBUSY if held. */
	int (*lock)(void *ctx);
	void (*unlock)(void *ctx);
};

/* Where payloads go. open/write/close per payload, only verified bytes;
 * commit makes the slot's payloads current (after the whole bundle
 * verified), discard removes everything not committed. */
struct fws_slot_writer {
	void *ctx;
	/* Non-zero when write() overwrites the slot itself (a raw partition)
	 * rather than staging files that commit() moves into place: the device
	 * then marks the slot empty in its state before the first byte, so a
	 * crash or refusal mid-stream never leaves a slot the state calls valid
	 * holding half of two images. */
	int in_place;
	int (*open)(void *ctx, char slot, const struct fws_payload *p);
	int (*write)(void *ctx, const uint8_t *data, size_t len);
	int (*close)(void *ctx);
	int (*commit)(void *ctx, char slot);
	void (*discard)(void *ctx, char slot);
};

/* Optional trusted clock (e.g. a secure RTC): 0 and *now on success. */
struct fws_clock {
	void *ctx;
	int (*now)(void *ctx, int64_t *now);
};

/* One audit event (lib/device/audit_log.c formats and chains them). */
struct fws_event {
	const char *action;  /* "init", "install", "boot", "mark-good", "rollback", "root-update" */
	int result;          /* 0 or the FWS_E* code of the refusal */
	const char *detail;  /* free text, may be NULL */
	const char *version; /* may be NULL */
	uint64_t security_version;
	char slot;           /* or 0 */
	const uint8_t *digest; /* manifest SHA-256 or NULL */
};

/* Where decisions are recorded. Failure to log is reported, never ignored
 * on success paths (an update the log cannot record is not made). */
struct fws_log_sink {
	void *ctx;
	int (*append)(void *ctx, const struct fws_event *ev, int64_t time);
	/* Optional: 0 when append will be able to record. Checked before an
	 * operation changes anything, so an update the log cannot record is
	 * refused rather than made unrecorded. */
	int (*ready)(void *ctx);
};

/* Low-level file operations the directory backends use, so tests can inject
 * a crash, a torn write or an I/O error at any single step. NULL members
 * mean the plain POSIX call. */
struct fws_fs_ops {
	void *ctx;
	int (*open)(void *ctx, const char *path, int flags, unsigned mode);
	ssize_t (*write)(void *ctx, int fd, const void *buf, size_t len);
	int (*fsync)(void *ctx, int fd);
	int (*rename)(void *ctx, const char *from, const char *to);
	int (*unlink)(void *ctx, const char *path);
};

struct fws_device {
	struct fws_state_store store;
	struct fws_slot_writer slots;
	struct fws_clock clock;    /* optional: now == NULL */
	struct fws_log_sink log;   /* optional: append == NULL */
	uint32_t boot_attempts;    /* 0 = FWS_BOOT_ATTEMPTS */
};

/* The directory backends' storage (caller-owned, lives as long as dev). */
struct fws_dir_backend {
	char dir[4096];
	struct fws_fs_ops fs;
	int lock_fd;
	int part_fd;
	char slot;
	size_t n_parts;
	char parts[FWS_MAX_PAYLOADS][FWS_NAME_MAX + 1]; /* targets written this install */
	uint64_t log_seq;
	uint8_t log_hash[32];
	int log_loaded;
};

/* Fills dev with the directory backends over DIR:
 * DIR/state, DIR/root.json, DIR/a/, DIR/b/, DIR/log (+ log.1), DIR/lock.
 * fs may be NULL (POSIX). */
FWS_API void fws_device_use_dir(struct fws_device *dev, struct fws_dir_backend *b,
				const char *dir, const struct fws_fs_ops *fs);

/* Creates DIR (0700) and its slot directories a/ and b/ if missing. */
FWS_API FWS_MUST_CHECK int fws_device_dir_prepare(const char *dir);

/* --- operations (lib/device/device.c) --- */

/* Provisions a device: the root (a self-signed envelope, raw bytes) becomes
 * the trusted root, slots start empty, security_version 0. FWS_EEXIST if the
 * store already holds a state. device_id NULL = the hardware id. */
FWS_API FWS_MUST_CHECK int fws_device_provision(struct fws_device *dev, const uint8_t *root_json,
						size_t root_len, const char *hardware_id,
						const char *device_id);

struct fws_install_opts {
	int allow_downgrade;          /* lower version with the same security_version */
	const uint8_t *permit;        /* downgrade permit envelope (JSON) or NULL */
	size_t permit_len;
};

FWS_API FWS_MUST_CHECK int fws_device_install(struct fws_device *dev, fws_read_fn read,
					      void *read_ctx,
					      const struct fws_install_opts *opts,
					      struct fws_verify_result *result);

/* The bootloader's step: *slot is the slot that boots now. */
FWS_API FWS_MUST_CHECK int fws_device_boot(struct fws_device *dev, char *slot);
/* Confirms the running pending slot; FWS_ESTATE if nothing pending is running. */
FWS_API FWS_MUST_CHECK int fws_device_mark_good(struct fws_device *dev);
/* Cancels a pending slot or returns to the other confirmed-good slot;
 * FWS_EROLLBACK when that slot's security_version is below the stored one. */
FWS_API FWS_MUST_CHECK int fws_device_rollback(struct fws_device *dev, char *slot);

/* Health check without changing anything: state decodes, the trusted root
 * is self-signed and not older than the state says, the log can record.
 * Lets a caller tell "the device is broken" from "the bundle is bad"; on
 * failure *part (if not NULL) names the broken part: "state", "root", "log". */
FWS_API FWS_MUST_CHECK int fws_device_check(struct fws_device *dev, const char **part);

FWS_API FWS_MUST_CHECK int fws_device_state_get(struct fws_device *dev,
						struct fws_device_state *st);

/* --- audit log (lib/device/audit_log.c) over the directory backend --- */

/* Checks the hash chain of DIR/log (and DIR/log.1): FWS_ESTATE names the
 * first bad line in *bad_line (1-based, 0 if the head anchor is wrong). */
FWS_API FWS_MUST_CHECK int fws_audit_log_verify(const char *dir, uint64_t *entries,
						uint64_t *bad_line);

/* Calls fn for each line of DIR/log.1 then DIR/log, oldest first (raw JSON
 * line without newline); stops at the first non-zero return. */
FWS_API FWS_MUST_CHECK int fws_audit_log_read(const char *dir,
					      int (*fn)(void *arg, const char *line, size_t len),
					      void *arg);

/* --- downgrade permits (lib/device/permit.c) --- */

#define FWS_TYPE_PERMIT "application/vnd.fwseal.permit+json"

struct fws_permit {
	char device_id[FWS_DEVICE_ID_MAX + 1]; /* "" when bound to hardware_id */
	char hardware_id[FWS_NAME_MAX + 1];    /* "" when bound to device_id */
	char to_version[FWS_VERSION_MAX + 1];
	uint8_t manifest_sha256[32]; /* SHA-256 of the manifest body it allows */
	int64_t created;
	int64_t expires;
};

FWS_API FWS_MUST_CHECK int fws_permit_decode(const uint8_t *json, size_t len,
					     struct fws_permit *p);
FWS_API FWS_MUST_CHECK int fws_permit_encode(const struct fws_permit *p, char **out,
					     size_t *out_len);

/* A permit applies when signed by the release threshold of root, bound to
 * this device (or its hardware), naming exactly this manifest and version,
 * newer than every permit used before (replay) and not expired against the
 * device's trusted time. */
FWS_API FWS_MUST_CHECK int fws_permit_check(const uint8_t *json, size_t len,
					    const struct fws_root *root,
					    const struct fws_device_state *st,
					    const struct fws_manifest *m,
					    const uint8_t manifest_body_sha256[32], int64_t now,
					    struct fws_permit *out);

#endif
