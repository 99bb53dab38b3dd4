/* SPDX-License-Identifier: Apache-2.0 */
/* The directory backends (fwseal/dirdevice.h), one file per interface.
 * Internal to lib/device. */
#ifndef FWSEAL_DEVICE_DIR_INTERNAL_H
#define FWSEAL_DEVICE_DIR_INTERNAL_H

#include "fwseal/dirdevice.h"

/* Names inside the device directory. */
#define DIR_STATE "state"
#define DIR_ROOT "root.json"
#define DIR_BOOTENV "bootenv"
#define DIR_LOCK "lock"
#define DIR_LOG "log"
#define DIR_LOG_OLD "log.1"
#define DIR_LOG_HEAD "log.head"
#define DIR_STAGE_SUFFIX "new" /* .<set>.<random>.new: an install's staging */
#define DIR_SBOM_PREFIX "sbom." /* sbom.a, sbom.b: the SBOM of each set's release */

void fws_dir_store_init(struct fws_state_store *s, struct fws_dir_backend *b);
void fws_dir_slots_init(struct fws_slot_writer *w, struct fws_dir_backend *b);
void fws_dir_boot_init(struct fws_bootloader *l, struct fws_dir_backend *b);
void fws_dir_log_init(struct fws_log_store *s, struct fws_dir_backend *b);
void fws_dir_sbom_init(struct fws_sbom_store *s, struct fws_dir_backend *b);

/* Removes what interrupted operations left in the device directory:
 * staging directories and temporary files (best effort). */
int fws_dir_cleanup(struct fws_dir_backend *b);

/* "a" or "b" as a C string for a set. */
const char *fws_dir_set_name(char set);

#endif
