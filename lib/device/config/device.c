/* SPDX-License-Identifier: Apache-2.0 */
/* A struct fws_device for a configured device (fwseal/sysconf.h): the
 * directory backends keep the state, audit log and lock in state-dir and
 * the trusted root where trusted-root says; the slots are written in place
 * (lib/device/slot/raw.c); the bootloader is the one configured. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/boot/env.h"
#include "device/config/checks.h"
#include "device/dir_internal.h"
#include "device/floor/floor.h"
#include "device/slot/raw.h"
#include "fwseal/error.h"
#include "io/io.h"

_Static_assert(sizeof(struct fws_env_boot) <= sizeof(((struct fws_sys_backend *)0)->boot),
	       "room for the bootloader's state");

/* The trusted root's own directory: not one others may write. */
static int open_root_dir(struct fws_sys_backend *b, const char *path)
{
	char dir[FWS_CONF_PATH_MAX];
	struct stat st;
	const char *base;
	int fd = fws_io_open_parent(path, dir, sizeof(dir), &base);
	snprintf(b->dir.root_name, sizeof(b->dir.root_name), "%s", base);
	if (fd < 0)
		return fws_diag_set(FWS_ECONFIG, 0, dir, "trusted-root: its directory cannot be opened");
	if (fstat(fd, &st) != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return fws_diag_set(FWS_EUNSAFE, 0, dir,
				    "the trusted root's directory is writable by group or others");
	}
	b->dir.root_dirfd = fd;
	return 0;
}

static int bootloader(struct fws_device *dev, struct fws_sys_backend *b)
{
	const struct fws_sysconf *c = b->conf;
	struct fws_env_vars vars;
	int rc;
	switch (c->bootloader) {
	case FWS_BOOT_DIR:
		return 0; /* the simulation in state-dir/bootenv, as opened */
	case FWS_BOOT_UBOOT:
		rc = fws_uboot_vars(&vars, c);
		break;
	case FWS_BOOT_GRUB:
		rc = fws_grub_vars(&vars, c);
		break;
	default:
		rc = fws_custom_vars(&vars, c);
		break;
	}
	if (rc == 0)
		fws_env_boot_init(&dev->boot, (struct fws_env_boot *)(void *)b->boot.bytes, c, &vars);
	return rc;
}

int fws_sysconf_device_open(struct fws_device *dev, struct fws_sys_backend *b,
			    const struct fws_sysconf *conf, const struct fws_fs_ops *fs, int create)
{
	struct fws_fw_env env;
	memset(b, 0, sizeof(*b));
	b->conf = conf;
	b->fd = -1;
	/* Before anything is opened: the files the configuration names are
	 * as trusted as it is, and no slot covers what they hold (checks.h,
	 * ADR-070, ADR-071). Here, not in the loader: every way to a device
	 * passes through this function. */
	int rc = fws_sysconf_check_files(conf, &env);
	if (rc == 0)
		rc = fws_sysconf_check_regions(conf, &env);
	if (rc != 0) {
		fws_diag_input(rc, FWS_INPUT_CONFIG);
		return rc;
	}
	rc = fws_dir_device_open(dev, &b->dir, conf->state_dir, fs, create);
	if (rc != 0) {
		fws_diag_input(rc, FWS_INPUT_DEVICE);
		return rc;
	}
	if (b->dir.root_dirfd == b->dir.dirfd)
		b->dir.root_dirfd = -1;
	rc = open_root_dir(b, conf->trusted_root);
	if (rc == 0)
		rc = bootloader(dev, b);
	if (rc == 0)
		rc = fws_floor_open(&dev->floor, conf);
	if (rc != 0) {
		/* What system.conf names beside the state: its owner fixes it there. */
		fws_diag_input(rc, FWS_INPUT_CONFIG);
		fws_sysconf_device_close(b);
		return rc;
	}
	fws_raw_slots_init(&dev->slots, b);
	dev->boot_attempts = conf->boot_attempts;
	dev->lock_timeout_ms = conf->lock_timeout_ms;
	return 0;
}

void fws_sysconf_device_close(struct fws_sys_backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	fws_dir_device_close(&b->dir);
}
