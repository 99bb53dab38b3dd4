/* Device side (lib/device): the simulated A/B device used by fwseal-verify,
 * built from replaceable parts (state store, slot writer). */
#ifndef FWSEAL_DEVICE_H
#define FWSEAL_DEVICE_H

#include <stdint.h>

#include "fwseal/bundle.h"
#include "fwseal/export.h"
#include "fwseal/limits.h"

struct fws_device_state {
	char hardware_id[FWS_NAME_MAX + 1];
	uint64_t root_version;
	uint64_t security_version;       /* highest committed */
	char version[FWS_VERSION_MAX + 1]; /* installed version, "" before the first install */
	char active_slot;                /* 'a' or 'b' */
	int64_t highest_created;         /* newest verified `created`: the device's floor on time */
	uint64_t installs;               /* successful installs, for the record */
};

/* File state store: DIR/state, a text file with a SHA-256 checksum line,
 * replaced atomically. FWS_ESTATE on any corruption: never reset silently. */
FWS_API FWS_MUST_CHECK int fws_state_load(const char *dir, struct fws_device_state *st);
FWS_API FWS_MUST_CHECK int fws_state_save(const char *dir, const struct fws_device_state *st);

/* Provisions DIR: copies the trusted root (which must be self-signed), writes
 * the initial state (slot a active, nothing installed) and creates slots a/
 * and b/. FWS_EEXIST if DIR is already provisioned. */
FWS_API FWS_MUST_CHECK int fws_device_init(const char *dir, const char *root_path,
					   const char *hardware_id);

struct fws_install_opts {
	int allow_downgrade;
	int64_t now; /* trusted clock, 0 if none */
};

/* Verify-then-install from a reader into the inactive slot. Each chunk is
 * written to a temp file only after its digest matched; the payloads are
 * renamed into place, then the state switches slots atomically. Any failure
 * removes the temp files and leaves the state and the active slot unchanged. */
FWS_API FWS_MUST_CHECK int fws_device_install(const char *dir, fws_read_fn read,
					      void *read_ctx,
					      const struct fws_install_opts *opts,
					      struct fws_verify_result *result);

#endif
