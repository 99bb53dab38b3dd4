/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated device in one directory (what fwseal-verify --device DIR
 * drives), built from the same backend interfaces a real device uses:
 *
 *   DIR/            the device directory: owned by the device's owner, not
 *                   writable by group or others (else FWS_EUNSAFE)
 *   DIR/state       state (fwseal/state.h), replaced atomically
 *   DIR/root.json   trusted root, replaced atomically
 *   DIR/bootenv     the simulated bootloader's variables (BOOT_ORDER, ...)
 *   DIR/a/, DIR/b/  slot sets: payload target T lands at DIR/<set>/T
 *   DIR/log, DIR/log.1, DIR/log.head   the audit log
 *   DIR/lock        flock held by every changing operation
 *
 * The directory is opened once; every name is resolved below its
 * descriptor without following links. An install stages into a new
 * directory DIR/.<set>.<random>.new and exchanges it with DIR/<set> at
 * commit, so whatever was planted in the old set (links, directories,
 * files) leaves with it. */
#ifndef FWSEAL_DIRDEVICE_H
#define FWSEAL_DIRDEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/device.h"
#include "fwseal/export.h"
#include "fwseal/fsops.h"

/* The directory backends' storage (caller-owned, lives as long as dev). */
struct fws_dir_backend {
	int opened; /* fws_dir_device_open succeeded (close is a no-op otherwise) */
	int dirfd;
	uid_t owner;
	int root_dirfd;     /* where the trusted root lives: dirfd unless configured */
	char root_name[256];
	struct fws_fs_ops fs;
	int lock_fd;
	/* staging of one install */
	int stage_fd;
	int part_fd;
	char stage_set;
	char stage_name[256];
	/* the audit log's storage */
	struct fws_log_store log;
	/* the SBOM of each set: DIR/sbom.a, DIR/sbom.b (dir_sbom.c) */
	struct fws_sbom_store sbom;
	int sbom_fd; /* the staged SBOM, -1 when none */
	char sbom_name[256];
};

/* Opens DIR as a device directory and fills dev with the directory
 * backends (fs may be NULL: POSIX). create != 0 makes DIR (0700) and its
 * set directories if missing (provisioning). FWS_EUNSAFE for a directory
 * that group or others may write, or set directories that are links or
 * belong to someone else. Close with fws_dir_device_close. */
FWS_API FWS_MUST_CHECK int fws_dir_device_open(struct fws_device *dev, struct fws_dir_backend *b,
					       const char *dir, const struct fws_fs_ops *fs,
					       int create);
FWS_API void fws_dir_device_close(struct fws_dir_backend *b);

/* 1 when the open file fd is one of the device's own files (an input that
 * an operation on the device could overwrite or remove), else 0. */
FWS_API int fws_dir_device_holds(const struct fws_dir_backend *b, int fd);

#endif
