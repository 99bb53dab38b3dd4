/* SPDX-License-Identifier: Apache-2.0 */
/* Every path in system.conf that decides where fwseal writes or what it
 * runs, held to the one trust rule (lib/io/fs_trust.c, ADR-070) before
 * anything is opened: system.conf itself and its way, fw_env.config and the
 * environment copies it names, grubenv, the slots, the trusted root, the
 * state directory, the kernel command line file (it decides which set
 * mark-good confirms), the bootloader and floor programs and the floor's
 * owner password file. A FIFO or socket where one of them belongs is
 * refused here too (FWS_EFILETYPE), before an open could wait for ever.
 * The network's CA and client files are not here: they decide whom the
 * download trusts, and the signature decides what is installed. */
#include <stdio.h>
#include <string.h>

#include "device/config/checks.h"
#include "fwseal/error.h"
#include "io/io.h"

int fws_sysconf_check_files(const struct fws_sysconf *c, struct fws_fw_env *env)
{
	int rc = fws_io_check_path(c->path, "system configuration", 0);
	memset(env, 0, sizeof(*env));
	if (rc == 0)
		rc = fws_io_check_path(c->trusted_root, "trusted root", FWS_TRUST_NOLINK);
	if (rc == 0)
		rc = fws_io_check_path(c->state_dir, "state directory", FWS_TRUST_DIR);
	if (rc == 0 && c->bootloader != FWS_BOOT_DIR && c->booted == FWS_BOOTED_CMDLINE)
		rc = fws_io_check_path(c->cmdline, "kernel command line file", 0);
	if (rc == 0 && c->bootloader == FWS_BOOT_UBOOT) {
		rc = fws_io_check_path(c->fw_env_config, "U-Boot environment configuration", 0);
		if (rc == 0)
			rc = fws_fw_env_load(c->fw_env_config, env);
		for (size_t i = 0; rc == 0 && i < env->n; i++) {
			char what[96];
			snprintf(what, sizeof(what), "U-Boot environment copy %zu (%s line %u)",
				 i + 1, "fw_env.config", env->area[i].line);
			rc = fws_io_check_path(env->area[i].device, what,
					       FWS_TRUST_DEVICE | FWS_TRUST_CHARDEV);
		}
	}
	if (rc == 0 && c->bootloader == FWS_BOOT_GRUB)
		rc = fws_io_check_path(c->grubenv, "GRUB environment block", FWS_TRUST_NOLINK);
	if (rc == 0 && c->bootloader == FWS_BOOT_CUSTOM)
		rc = fws_io_check_path(c->program, "bootloader program", 0);
	if (rc == 0 && c->floor_program[0] != '\0')
		rc = fws_io_check_path(c->floor_program, "floor program", 0);
	if (rc == 0 && c->floor_owner_auth[0] != '\0')
		rc = fws_io_check_path(c->floor_owner_auth, "floor owner password file", 0);
	for (size_t i = 0; rc == 0 && i < c->n_slots; i++) {
		char what[FWS_NAME_MAX + 16];
		snprintf(what, sizeof(what), "[slot.%s]", c->slots[i].name);
		rc = fws_io_check_path(c->slots[i].device, what, FWS_TRUST_DEVICE);
	}
	return rc;
}
