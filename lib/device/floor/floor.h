/* SPDX-License-Identifier: Apache-2.0 */
/* The rollback-floor backends (fwseal/floor.h), one file each, and the
 * choice between them from system.conf [floor]. Internal to lib/device. */
#ifndef FWSEAL_DEVICE_FLOOR_FLOOR_H
#define FWSEAL_DEVICE_FLOOR_FLOOR_H

#include "fwseal/floor.h"
#include "fwseal/sysconf.h"

/* The state's own counter and nothing else (file.c). */
void fws_floor_file_init(struct fws_floor *f);
/* A TPM 2.0 NV counter (tpm2.c; tpm2_none.c in a TPM=0 build). */
int fws_floor_tpm2_init(struct fws_floor *f, const struct fws_sysconf *c);
/* An external program (command.c). */
int fws_floor_command_init(struct fws_floor *f, const struct fws_sysconf *c);

/* The backend conf->floor names. */
int fws_floor_open(struct fws_floor *f, const struct fws_sysconf *c);

#endif
