/* SPDX-License-Identifier: Apache-2.0 */
/* The U-Boot backend of a build without libubootenv (make UBOOT=0): chosen
 * by file, so a configuration that asks for U-Boot fails plainly. */
#include "device/boot/env.h"
#include "fwseal/error.h"
#include "io/io.h"

int fws_uboot_vars(struct fws_env_vars *v, const struct fws_sysconf *conf)
{
	(void)v;
	(void)conf;
	return fws_diag_set(FWS_ECONFIG, 0, "bootloader",
			    "uboot: this build has no libubootenv (make UBOOT=1)");
}
