/* SPDX-License-Identifier: Apache-2.0 */
/* U-Boot's environment through libubootenv (the library behind fw_setenv
 * and SWUpdate), configured by fw_env.config: one or two copies, with the
 * redundancy and CRC handling libubootenv implements. Every read and write
 * opens the environment afresh, so what another program (or the boot
 * script, via a shared medium) wrote is what fwseal sees. */
#include <stddef.h> /* libuboot.h uses size_t without it */
#include <stdint.h>
#include <libuboot.h>
#include <stdlib.h>
#include <string.h>

#include "device/boot/env.h"
#include "fwseal/error.h"
#include "io/io.h"

static int env_open(const char *config, struct uboot_ctx **ctx)
{
	*ctx = NULL;
	if (libuboot_initialize(ctx, NULL) < 0 || *ctx == NULL)
		return fws_diag_set(FWS_EBOOTLOADER, 0, "uboot", "libubootenv cannot start");
	if (libuboot_read_config(*ctx, config) < 0) {
		libuboot_exit(*ctx);
		return fws_diag_set(FWS_EBOOTLOADER, 0, config, "libubootenv cannot use it (unreadable, or the device or file it names is missing)");
	}
	if (libuboot_open(*ctx) < 0) {
		libuboot_exit(*ctx);
		return fws_diag_set(FWS_EBOOTLOADER, 0, config,
				    "no valid U-Boot environment where fw_env.config says (create one "
				    "with mkenvimage or fw_setenv -f)");
	}
	return 0;
}

static void env_close(struct uboot_ctx *ctx)
{
	libuboot_close(ctx);
	libuboot_exit(ctx);
}

static int uboot_read(void *ctx, const char *const *keys, char (*values)[ENV_VALUE_MAX], size_t n)
{
	const struct fws_sysconf *conf = ctx;
	struct uboot_ctx *u;
	int rc = env_open(conf->fw_env_config, &u);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char *v = libuboot_get_env(u, keys[i]);
		values[i][0] = '\0';
		if (v != NULL && strlen(v) < ENV_VALUE_MAX)
			strcpy(values[i], v);
		free(v);
	}
	env_close(u);
	return 0;
}

static int uboot_write(void *ctx, const char *const *keys, const char *const *values, size_t n)
{
	const struct fws_sysconf *conf = ctx;
	struct uboot_ctx *u;
	int rc = env_open(conf->fw_env_config, &u);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (libuboot_set_env(u, keys[i], values[i]) < 0)
			rc = fws_diag_set(FWS_EBOOTLOADER, 0, keys[i], "libubootenv refused the variable");
	/* One store for all variables: with a redundant environment this is
	 * the one atomic step (the other copy stays valid until it is done). */
	if (rc == 0 && libuboot_env_store(u) < 0)
		rc = fws_diag_set(FWS_EBOOTLOADER, 0, conf->fw_env_config,
				  "cannot store the U-Boot environment");
	env_close(u);
	return rc;
}

int fws_uboot_vars(struct fws_env_vars *v, const struct fws_sysconf *conf)
{
	*v = (struct fws_env_vars){(void *)conf, uboot_read, uboot_write};
	return 0;
}
