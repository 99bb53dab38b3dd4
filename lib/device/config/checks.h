/* SPDX-License-Identifier: Apache-2.0 */
/* What fws_sysconf_device_open checks beyond the text of system.conf, against
 * the files themselves (lib/device/config/files.c, regions.c). Internal. */
#ifndef FWSEAL_DEVICE_CONFIG_CHECKS_H
#define FWSEAL_DEVICE_CONFIG_CHECKS_H

#include "device/boot/env.h"
#include "fwseal/sysconf.h"

/* Every file and directory system.conf names that decides where fwseal
 * writes or what it runs, held to the trust rule (fws_io_check_path,
 * ADR-070); env receives fw_env.config's copies (n = 0 without U-Boot). */
int fws_sysconf_check_files(const struct fws_sysconf *c, struct fws_fw_env *env);
/* No slot covers an environment copy, grubenv, system.conf, the trusted
 * root, the state, the log (ADR-071): FWS_EOVERLAP naming both. */
int fws_sysconf_check_regions(const struct fws_sysconf *c, const struct fws_fw_env *env);
/* Tests only: read the block devices' places from a sysfs tree at root
 * (NULL: /sys again). */
void fws__regions_sysfs(const char *root);

#endif
