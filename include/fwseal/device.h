/* SPDX-License-Identifier: Apache-2.0 */
/* Device life cycle (lib/device): verify-then-install into A/B slot sets,
 * boot confirmation, fallback, rollback protection and an audit log, over
 * pluggable backends.
 *
 * An integrator fills a struct fws_device with backends (callbacks) and
 * caller-owned memory; there is no global state, so one context per thread
 * is safe. fws_dir_device_open() (fwseal/dirdevice.h) fills every backend
 * for the simulated device in a directory; fwseal/sysconf.h builds them
 * from /etc/fwseal/system.conf for real devices.
 *
 *   install     verify the bundle while streaming it into the set that is
 *               neither confirmed nor running; it becomes *pending* and the
 *               bootloader tries it next, a limited number of times. The
 *               stored security_version is checked, not raised.
 *   mark-good   the running pending set confirmed itself: it becomes the
 *               confirmed set and only now the security_version is raised.
 *               On the confirmed set it renews its boot tries.
 *   fallback    found by every operation: a pending set the bootloader gave
 *               up on (no tries left, not running) is forgotten.
 *   mark-bad, mark-active, rollback
 *               give up a set, or return to the other set while its
 *               security_version is not below the stored one. */
#ifndef FWSEAL_DEVICE_H
#define FWSEAL_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/auditlog.h"
#include "fwseal/bootloader.h"
#include "fwseal/bundle.h"
#include "fwseal/channel.h"
#include "fwseal/export.h"
#include "fwseal/floor.h"
#include "fwseal/slot.h"
#include "fwseal/state.h"

#define FWS_LOCK_TIMEOUT_MS 10000 /* default wait for another operation to finish */

/* Optional trusted clock (e.g. a secure RTC): 0 and *now on success. */
struct fws_clock {
	void *ctx;
	int (*now)(void *ctx, int64_t *now);
};

/* Where a device keeps the SBOM of the release in each set (docs/format.md
 * §14.4): optional (NULL in struct fws_device: the device keeps none). An
 * install stages the bundle's SBOM while it streams (stage, write: bytes
 * not yet verified), and only after the whole bundle verified makes it the
 * set's own (commit, before the state names the new release); a refused
 * install discards it. */
struct fws_sbom_store {
	void *ctx;
	int (*stage)(void *ctx, char set);
	int (*write)(void *ctx, const uint8_t *data, size_t len);
	/* The staged SBOM becomes set's, replacing what set had; with nothing
	 * staged (a release without SBOM), set has none afterwards. */
	int (*commit)(void *ctx, char set, int staged);
	void (*discard)(void *ctx);
	/* set's SBOM as an open descriptor (the caller closes it), FWS_ENOENT
	 * when it has none. */
	int (*open)(void *ctx, char set, int *fd);
};

struct fws_identity;

struct fws_device {
	struct fws_state_store store;
	struct fws_slot_writer slots;
	struct fws_bootloader boot;
	struct fws_clock clock;          /* optional: now == NULL */
	const struct fws_log_store *log; /* optional: NULL = no audit log */
	/* optional: the rollback floor outside the state (get == NULL: the
	 * state's security_version alone, the `file` floor) */
	struct fws_floor floor;
	uint32_t boot_attempts;          /* tries of a new set; 0 = FWS_BOOT_ATTEMPTS */
	uint32_t lock_timeout_ms;        /* 0 = FWS_LOCK_TIMEOUT_MS */
	/* Out, per operation: the audit log could not record it (the code,
	 * e.g. FWS_ENOSPC). A refusal keeps its own result; this says that it
	 * is not in the log. 0 when everything was recorded. */
	int log_error;
	/* Out, per operation: the set the bootloader gave up on, found and
	 * forgotten during this operation ('-' = none). */
	char fell_back;
	/* Out, per install: the downgrade permit given was used (consumed). A
	 * permit is consulted only for a bundle refused for rollback or
	 * downgrade; otherwise it is left unused, and stays valid. */
	int permit_used;
	/* Out, per install: payload bytes taken from the slots instead of the
	 * bundle (a delta, docs/delta.md). */
	uint64_t reused_bytes;
	const struct fws_sbom_store *sbom; /* optional: NULL = no SBOM kept */
	/* Out, per install: chunks assembled from slot blocks that did not
	 * match their signed digest and were fetched whole (ADR-050). */
	uint64_t refetched_chunks;
	/* optional: the device's decryption identity for encrypted bundles
	 * (fwseal/encrypt.h, system.conf [decryption]); NULL: an encrypted
	 * bundle is refused (FWS_EIDENTITY). */
	const struct fws_identity *decryption;
};

/* A factory image already in set a when the device is provisioned. */
struct fws_factory {
	const char *version; /* SemVer of the image in set a */
	uint64_t security_version;
};

/* Provisions a device: the root (a self-signed envelope, raw bytes) becomes
 * the trusted root; set a is confirmed (empty, or the factory image);
 * security_version 0 (or the factory image's). FWS_EEXIST if the store
 * already holds a state. device_id NULL = the hardware id. */
FWS_API FWS_MUST_CHECK int fws_device_provision(struct fws_device *dev, const uint8_t *root_json,
						size_t root_len, const char *hardware_id,
						const char *device_id,
						const struct fws_factory *factory);

struct fws_install_opts {
	int allow_downgrade;   /* lower version with the same security_version */
	const uint8_t *permit; /* downgrade permit envelope (JSON) or NULL */
	size_t permit_len;
	/* Delta (docs/delta.md): called with the device's map of what its
	 * slots already hold before the bundle is read, and with NULL when the
	 * install ends. A reader that follows the map fetches only the rest;
	 * the verifier hashes reused bytes like fetched ones. NULL = no delta. */
	void (*use_map)(void *read_ctx, const struct fws_stream_map *map);
	/* Threads that hash chunks, while streaming and when reading the slot
	 * back (fws_verify_opts.jobs): 0 or 1 = none; same results for any. */
	unsigned jobs;
	/* Optional, with use_map: fetches any range of the bundle, so that a
	 * chunk the slots hold only in part is completed with just its missing
	 * 4 KiB blocks (block index, ADR-050). NULL: such chunks are fetched
	 * whole. */
	fws_range_fetch_fn fetch_range;
	/* Optional (fwseal/channel.h): the channel this install follows. The
	 * bundle must be the release it names (product, version,
	 * security_version and manifest digest, checked before any payload
	 * byte is written) and the bundle file it names (size and SHA-256,
	 * checked as it streams and at its end): FWS_ECHANNELMISMATCH, even
	 * for a validly signed bundle. NULL = no channel. */
	const struct fws_channel *channel;
};

/* The device lock is taken only once the manifest's signatures verified,
 * so a stalled or hostile stream cannot hold other operations off. */
FWS_API FWS_MUST_CHECK int fws_device_install(struct fws_device *dev, fws_read_fn read,
					      void *read_ctx,
					      const struct fws_install_opts *opts,
					      struct fws_verify_result *result);

/* Sets the rollback floor (dev->floor) up on a device provisioned before
 * it had one (a device moving from the file floor to a TPM, RPMB, ...):
 * the floor's store is set up at the state's security_version, keeping a
 * floor already there (which then becomes the state's counter, if higher).
 * FWS_EUSAGE with the file floor (nothing to set up). *floor (if not
 * NULL): the floor afterwards. */
FWS_API FWS_MUST_CHECK int fws_device_provision_floor(struct fws_device *dev, uint64_t *floor);

/* Simulation only (a bootloader with a boot() step): one reboot. */
FWS_API FWS_MUST_CHECK int fws_device_boot(struct fws_device *dev, char *set);

#define FWS_SET_BOOTED 0   /* the set running now */
#define FWS_SET_OTHER 'o'  /* the set that is not running */

/* set: 'a', 'b', FWS_SET_BOOTED or FWS_SET_OTHER. mark-good confirms the running
 * pending set (raising the security_version) or renews the confirmed one;
 * mark-bad gives a set up; mark-active makes a set holding a confirmed
 * image the one that boots. FWS_ELIFECYCLE when it cannot be done now
 * (fws_diag_last() says why); FWS_EROLLBACK when the set is below the
 * stored security_version. */
FWS_API FWS_MUST_CHECK int fws_device_mark_good(struct fws_device *dev, char set);
FWS_API FWS_MUST_CHECK int fws_device_mark_bad(struct fws_device *dev, char set);
FWS_API FWS_MUST_CHECK int fws_device_mark_active(struct fws_device *dev, char set);
/* Cancels a pending set, or else returns to the other set; *set is the
 * confirmed set afterwards. */
FWS_API FWS_MUST_CHECK int fws_device_rollback(struct fws_device *dev, char *set);

/* Health check without changing anything: state decodes, the trusted root
 * is self-signed and not older than the state says, the bootloader answers,
 * the log can record, the rollback floor can be read. On failure *part (if
 * not NULL) names the broken part: "state", "root", "bootloader", "log",
 * "floor". */
FWS_API FWS_MUST_CHECK int fws_device_check(struct fws_device *dev, const char **part);

/* State and bootloader side by side, as they are (nothing reconciled). */
struct fws_device_status {
	struct fws_device_state state;
	struct fws_boot_view boot;
	uint64_t log_seq; /* last line of the audit log (0 if none) */
	/* The rollback floor (fwseal/floor.h): the higher of the state's
	 * counter and the floor port's; floor_rc is the port's error (then
	 * floor is the state's counter alone). */
	uint64_t floor;
	int floor_rc;
	const char *floor_backend; /* "file", "tpm2", "command" */
};
FWS_API FWS_MUST_CHECK int fws_device_status(struct fws_device *dev,
					     struct fws_device_status *out);

/* The SBOM of the release installed in a set (lib/device/sbom.c): set 'a',
 * 'b', or 0 for the confirmed set. *fd (the caller closes it) reads the
 * SBOM exactly as it was verified at install; *set_out and version name
 * the set and its release. FWS_ENOENT when the set holds no release (the
 * SBOM of a set that was given up is gone with it) or its release came
 * without an SBOM; FWS_EUSAGE when the device keeps no SBOMs. */
FWS_API FWS_MUST_CHECK int fws_device_sbom_open(struct fws_device *dev, char set, int *fd,
						char *set_out,
						char version[FWS_VERSION_MAX + 1]);

#endif
