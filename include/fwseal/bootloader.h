/* SPDX-License-Identifier: Apache-2.0 */
/* The bootloader seam: which slot set boots next, how many tries a set has
 * left, which set is running. fwseal decides (install, mark-good,
 * fallback, rollback) and writes the bootloader's variables; the bootloader
 * counts boot attempts and falls back by itself. Backends: the directory
 * simulation (fwseal/dirdevice.h), U-Boot, GRUB and custom programs
 * (fwseal/sysconf.h). */
#ifndef FWSEAL_BOOTLOADER_H
#define FWSEAL_BOOTLOADER_H

#include <stdint.h>

#define FWS_BOOT_ATTEMPTS 3 /* default tries of a newly installed set */

struct fws_boot_view {
	char booted;      /* set running now: 'a', 'b', or '-' when unknown */
	char order[2];    /* boot order, first tried first; '-' = unused entry */
	uint32_t left[2]; /* tries left per set, [0] = a, [1] = b */
};

struct fws_bootloader {
	void *ctx;
	int (*read)(void *ctx, struct fws_boot_view *v);
	/* Writes order and left (v->booted is ignored): atomically where the
	 * bootloader's storage allows it. */
	int (*write)(void *ctx, const struct fws_boot_view *v);
	/* Simulation only (NULL for a real bootloader): one reboot decided the
	 * way the U-Boot script does: the first set in order with tries left
	 * boots and spends one. *set is the one that booted. */
	int (*boot)(void *ctx, char *set);
};

#endif
