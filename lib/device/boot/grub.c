/* SPDX-License-Identifier: Apache-2.0 */
/* GRUB's environment block (the grubenv file grub-editenv reads and
 * writes, and GRUB's load_env/save_env): exactly 1024 bytes, the line
 * "# GRUB Environment Block", then NAME=VALUE lines, padded with '#',
 * read the way GRUB reads it (next_seg). Other variables in the block are
 * kept as they are. A write replaces the
 * file atomically (new file of the same 1024 bytes, fsync, rename): GRUB
 * reads the file through its file system, wherever its blocks are. */
#include <errno.h>
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

/* One step through the block exactly as GRUB's grub_envblk_iterate
 * takes it, so that fwseal reads and keeps what GRUB reads, not what the
 * lines look like: a '#' starts a comment to the next unescaped newline
 * (the padding is a comment without one); a name runs to the first '='
 * (across newlines: "junk\nBOOT_ORDER=B" is one variable named
 * "junk\nBOOT_ORDER"); a value runs to the first newline not escaped by a
 * backslash (an escaped one continues it, hiding whatever "line" follows).
 * A name without '=' or a value without its newline ends the block. */
enum seg { SEG_END, SEG_COMMENT, SEG_VAR };
struct grub_seg {
	const char *start, *end; /* the bytes, newline included */
	const char *name, *value;
	size_t name_len, value_len; /* the value still escaped */
};

static enum seg next_seg(const char *block, const char **pos, struct grub_seg *g)
{
	const char *p = *pos, *pend = block + BLOCK;
	g->start = p;
	if (p >= pend)
		return SEG_END;
	if (*p == '#') {
		while (p < pend && *p != '\n')
			p += *p == '\\' && p + 1 < pend ? 2 : 1;
		if (p >= pend)
			return SEG_END; /* the padding */
		g->end = *pos = p + 1;
		return SEG_COMMENT;
	}
	g->name = p;
	while (p < pend && *p != '=')
		p++;
	if (p >= pend)
		return SEG_END;
	g->name_len = (size_t)(p - g->name);
	g->value = ++p;
	while (p < pend && *p != '\n')
		p += *p == '\\' && p + 1 < pend ? 2 : 1;
	if (p >= pend)
		return SEG_END;
	g->value_len = (size_t)(p - g->value);
	g->end = *pos = p + 1;
	return SEG_VAR;
}

/* The value of key in block as GRUB would set it (the last one given),
 * still escaped, or NULL; *len its length. */
const char *fws_grub_find(const char *block, const char *key, size_t *len)
{
	const char *pos = block + sizeof(SIGNATURE) - 1, *found = NULL;
	size_t kl = strlen(key);
	struct grub_seg g;
	for (enum seg k; (k = next_seg(block, &pos, &g)) != SEG_END;)
		if (k == SEG_VAR && g.name_len == kl && memcmp(g.name, key, kl) == 0) {
			found = g.value;
			*len = g.value_len;
		}
	return found;
}

/* GRUB's unescaping: a backslash takes the next byte as it is. */
static size_t unescape(const char *v, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < cap; i++) {
		if (v[i] == '\\' && i + 1 < len)
			i++;
		out[n++] = v[i];
	}
	out[n] = '\0';
	return n;
}

static int grub_read(void *ctx, const char *const *keys, char (*values)[ENV_VALUE_MAX], size_t n)
{
	char block[BLOCK];
	int rc = load(ctx, block);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len;
		const char *v = fws_grub_find(block, keys[i], &len);
		values[i][0] = '\0';
		if (v != NULL && len < ENV_VALUE_MAX)
			unescape(v, len, values[i], ENV_VALUE_MAX);
	}
	return rc;
}

/* 1 when the name (name_len bytes) is one of keys. */
static int is_key(const char *name, size_t name_len, const char *const *keys, size_t nk)
{
	for (size_t i = 0; i < nk; i++)
		if (strlen(keys[i]) == name_len && memcmp(name, keys[i], name_len) == 0)
			return 1;
	return 0;
}

/* block with keys set to values: every comment and other variable that
 * was there first, byte for byte and in its order (grub-editenv's warning
 * included), then our variables, then the '#' padding. Segments as GRUB
 * reads them (next_seg); what follows a broken segment was never read by
 * GRUB and is not kept. -1 when they do not fit. */
int fws_grub_rebuild(const char *block, const char *const *keys, const char *const *values,
		     size_t n, char *out)
{
	const char *pos = block + sizeof(SIGNATURE) - 1;
	size_t used = sizeof(SIGNATURE) - 1;
	struct grub_seg g;
	memcpy(out, SIGNATURE, used);
	for (enum seg k; (k = next_seg(block, &pos, &g)) != SEG_END;) {
		size_t len = (size_t)(g.end - g.start);
		if (k == SEG_VAR && is_key(g.name, g.name_len, keys, n))
			continue;
		if (used + len > BLOCK)
			return -1;
		memcpy(out + used, g.start, len);
		used += len;
	}
	for (size_t i = 0; i < n; i++) {
		/* Our values are bootnames and digits: nothing GRUB escapes. */
		if (strpbrk(values[i], "\\\n") != NULL)
			return -1;
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
	int err = errno;
	close(dirfd);
	/* The bootloader's environment could not be written: 48, as for
	 * U-Boot and the custom program, whatever the file system said. */
	if (rc != 0 && rc != FWS_ENOMEM)
		return fws_diag_set(FWS_EBOOTLOADER, err, conf->grubenv, "cannot be replaced (%s)",
				    fws_strerror(rc));
	return rc;
}

int fws_grub_vars(struct fws_env_vars *v, const struct fws_sysconf *conf)
{
	*v = (struct fws_env_vars){(void *)conf, grub_read, grub_write};
	return 0;
}
