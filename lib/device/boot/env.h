/* SPDX-License-Identifier: Apache-2.0 */
/* Bootloaders that keep variables (U-Boot, GRUB, a custom program): the
 * view fwseal needs, read from and written to the variables the U-Boot
 * convention names (docs/integration.md):
 *   BOOT_ORDER="A B"   bootnames, tried in this order
 *   BOOT_A_LEFT=3      tries left of the set named A (the script spends one
 *                      per boot: counted by the bootloader, not by fwseal)
 *   BOOTED=A           the set the script booted last (optional)
 * Internal to lib/device. */
#ifndef FWSEAL_DEVICE_BOOT_ENV_H
#define FWSEAL_DEVICE_BOOT_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/bootloader.h"
#include "fwseal/sysconf.h"

#define ENV_VALUE_MAX 128
#define ENV_VARS 4 /* BOOT_ORDER, BOOT_<a>_LEFT, BOOT_<b>_LEFT, BOOTED */

/* What a variable-keeping backend provides: read several variables at once
 * (an unset one is ""), and write several at once, durably. */
struct fws_env_vars {
	void *ctx;
	int (*read)(void *ctx, const char *const *keys, char (*values)[ENV_VALUE_MAX], size_t n);
	int (*write)(void *ctx, const char *const *keys, const char *const *values, size_t n);
};

/* The bootloader of a configured device: its variables, the bootnames of
 * sets a and b, and where the running set is learnt (the kernel command
 * line, or BOOTED). */
struct fws_env_boot {
	struct fws_env_vars vars;
	const struct fws_sysconf *conf;
	char names[ENV_VARS][32];
};

void fws_env_boot_init(struct fws_bootloader *l, struct fws_env_boot *e,
		       const struct fws_sysconf *conf, const struct fws_env_vars *vars);

/* The set named in the kernel command line (fwseal.slot=BOOTNAME, or
 * root=DEVICE of a slot), or '-'. */
char fws_booted_from_cmdline(const struct fws_sysconf *conf, const char *cmdline);

/* The view from the variables' values (BOOT_ORDER, BOOT_<a>_LEFT,
 * BOOT_<b>_LEFT, BOOTED, each NUL-terminated); booted stays '-' unless
 * conf says the bootloader tells it. */
void fws_env_view_parse(const struct fws_sysconf *conf, const char (*values)[ENV_VALUE_MAX],
			struct fws_boot_view *v);

/* Backends (one file each; uboot_none.c when built without libubootenv). */
int fws_uboot_vars(struct fws_env_vars *v, const struct fws_sysconf *conf);
int fws_grub_vars(struct fws_env_vars *v, const struct fws_sysconf *conf);
int fws_custom_vars(struct fws_env_vars *v, const struct fws_sysconf *conf);

/* The GRUB environment block (grub.c), as pure functions on its 1024
 * bytes: a key's value (NULL when absent), and the block with keys set
 * (-1 when they do not fit). */
#define FWS_GRUB_BLOCK 1024
const char *fws_grub_find(const char *block, const char *key, size_t *len);
int fws_grub_rebuild(const char *block, const char *const *keys, const char *const *values,
		     size_t n, char *out);

/* fw_env.config as libubootenv reads it (fw_env.c): the one or two
 * environment copies, each a device or file, an offset and a size. */
struct fws_fw_env_area {
	char device[FWS_CONF_PATH_MAX];
	uint64_t offset, size;
	unsigned line;
};
struct fws_fw_env {
	struct fws_fw_env_area area[2];
	size_t n;
};
int fws_fw_env_parse(const char *text, size_t len, const char *name, struct fws_fw_env *env);
int fws_fw_env_load(const char *path, struct fws_fw_env *env);

#endif
