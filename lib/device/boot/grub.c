/* SPDX-License-Identifier: Apache-2.0 */
/* GRUB's environment block (the grubenv file grub-editenv reads and
 * writes, and GRUB's load_env/save_env): exactly 1024 bytes, the line
 * "# GRUB Environment Block", then NAME=VALUE lines, padded with '#'.
 * Other variables in the block are kept as they are. A write replaces the
 * file atomically (new file of the same 1024 bytes, fsync, rename): GRUB
 * reads the file through its file system, wherever its blocks are. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device/boot/env.h"
#include "fwseal/error.h"
#include "io/io.h"

#define BLOCK 1024
#define SIGNATURE "# GRUB Environment Block\n"

/* Never through a link at the name: the write below replaces the name, so
 * a link would be read and then replaced, and GRUB, reading the link's
 * target, would never see the new order (ADR-070). */
static int load(const struct fws_sysconf *conf, char *block)
{
	size_t len;
	int rc = fws_io_read_at(AT_FDCWD, conf->grubenv, 1, (uint8_t *)block, BLOCK, &len);
	if (rc == FWS_ENOENT || rc == FWS_ELIMIT || (rc == 0 && len != BLOCK) ||
	    (rc == 0 && memcmp(block, SIGNATURE, sizeof(SIGNATURE) - 1) != 0))
		return fws_diag_set(FWS_EBOOTLOADER, 0, conf->grubenv,
				    "not a 1024-byte GRUB environment block (grub-editenv FILE create)");
	return rc;
}

/* The value of key in block, or NULL; *len its length. */
const char *fws_grub_find(const char *block, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	for (const char *p = block + sizeof(SIGNATURE) - 1; p < block + BLOCK;) {
		const char *nl = memchr(p, '\n', (size_t)(block + BLOCK - p));
		if (nl == NULL)
			break;
		if ((size_t)(nl - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			*len = (size_t)(nl - p) - kl - 1;
			return p + kl + 1;
		}
		p = nl + 1;
	}
	return NULL;
}

static int grub_read(void *ctx, const char *const *keys, char (*values)[ENV_VALUE_MAX], size_t n)
{
	char block[BLOCK];
	int rc = load(ctx, block);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len;
		const char *v = fws_grub_find(block, keys[i], &len);
		values[i][0] = '\0';
		if (v != NULL && len < ENV_VALUE_MAX) {
			memcpy(values[i], v, len);
			values[i][len] = '\0';
		}
	}
	return rc;
}

static int is_key(const char *line, size_t n, const char *const *keys, size_t nk)
{
	for (size_t i = 0; i < nk; i++) {
		size_t kl = strlen(keys[i]);
		if (n > kl && strncmp(line, keys[i], kl) == 0 && line[kl] == '=')
			return 1;
	}
	return 0;
}

/* block with keys set to values: everything else that was there first, in
 * its order (comment lines such as grub-editenv's warning included), then
 * our variables, then the '#' padding. -1 when they do not fit. */
int fws_grub_rebuild(const char *block, const char *const *keys, const char *const *values,
		     size_t n, char *out)
{
	size_t used = sizeof(SIGNATURE) - 1;
	memcpy(out, SIGNATURE, used);
	for (const char *p = block + used; p < block + BLOCK;) {
		const char *nl = memchr(p, '\n', (size_t)(block + BLOCK - p));
		if (nl == NULL)
			break; /* the '#' padding: no newline */
		size_t len = (size_t)(nl - p) + 1;
		if (!is_key(p, len - 1, keys, n)) {
			if (used + len > BLOCK)
				return -1;
			memcpy(out + used, p, len);
			used += len;
		}
		p = nl + 1;
	}
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + used, BLOCK - used, "%s=%s\n", keys[i], values[i]);
		if (w < 0 || (size_t)w >= BLOCK - used)
			return -1;
		used += (size_t)w;
	}
	memset(out + used, '#', BLOCK - used);
	return 0;
}

static int grub_write(void *ctx, const char *const *keys, const char *const *values, size_t n)
{
	const struct fws_sysconf *conf = ctx;
	char block[BLOCK], out[BLOCK];
	int rc = load(conf, block);
	if (rc != 0)
		return rc;
	if (fws_grub_rebuild(block, keys, values, n, out) != 0)
		return fws_diag_set(FWS_EBOOTLOADER, 0, conf->grubenv,
				    "environment block too small");
	/* The block's directory and name: replaced atomically. */
	char dir[FWS_CONF_PATH_MAX];
	const char *base;
	int dirfd = fws_io_open_parent(conf->grubenv, dir, sizeof(dir), &base);
	if (dirfd < 0)
		return fws_diag_set(FWS_EBOOTLOADER, 0, dir, "cannot open");
	rc = fws_io_replace_at(NULL, dirfd, base, out, BLOCK, 0644);
	close(dirfd);
	return rc;
}

int fws_grub_vars(struct fws_env_vars *v, const struct fws_sysconf *conf)
{
	*v = (struct fws_env_vars){(void *)conf, grub_read, grub_write};
	return 0;
}
