/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated bootloader of the directory device: its variables live in
 * DIR/bootenv, named as the U-Boot convention names them, and `boot`
 * decides as the U-Boot script in docs/integration.md does: the first set
 * in BOOT_ORDER with tries left boots and spends one.
 *
 *   BOOT_ORDER=b a
 *   BOOT_A_LEFT=3
 *   BOOT_B_LEFT=2
 *   BOOTED=b          (the set running now; - before the first boot)
 *
 * One canonical encoding: the file is parsed, re-encoded and compared. */
#include <stdio.h>
#include <string.h>

#include "device/dir_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

#define BOOTENV_MAX 128
#define LEFT_MAX 255

static int encode(const struct fws_boot_view *v, char *buf, size_t cap, size_t *len)
{
	char order[8] = "";
	size_t n = 0;
	for (int i = 0; i < 2; i++) {
		if (v->order[i] == '-')
			continue;
		if (n > 0)
			order[n++] = ' ';
		order[n++] = v->order[i];
	}
	order[n] = '\0';
	int w = snprintf(buf, cap, "BOOT_ORDER=%s\nBOOT_A_LEFT=%u\nBOOT_B_LEFT=%u\nBOOTED=%c\n",
			 order, (unsigned)v->left[0], (unsigned)v->left[1], v->booted);
	if (w < 0 || (size_t)w >= cap)
		return FWS_EINTERNAL;
	*len = (size_t)w;
	return 0;
}

static int valid(const struct fws_boot_view *v)
{
	for (int i = 0; i < 2; i++)
		if ((v->order[i] != 'a' && v->order[i] != 'b' && v->order[i] != '-') ||
		    v->left[i] > LEFT_MAX)
			return 0;
	return (v->order[0] != '-' || v->order[1] == '-') &&
	       (v->order[0] == '-' || v->order[0] != v->order[1]) &&
	       (v->booted == 'a' || v->booted == 'b' || v->booted == '-');
}

static int decode(const uint8_t *buf, size_t len, struct fws_boot_view *v)
{
	char text[BOOTENV_MAX + 1], again[BOOTENV_MAX];
	unsigned a = 0, b = 0;
	size_t again_len;
	memcpy(text, buf, len);
	text[len] = '\0';
	memset(v, 0, sizeof(*v));
	v->order[0] = v->order[1] = '-';
	const char *p = text;
	if (strncmp(p, "BOOT_ORDER=", 11) != 0)
		return FWS_ESTATE;
	p += 11;
	for (int i = 0; *p != '\n' && *p != '\0'; i++) {
		if (i == 2 || (i > 0 && *p++ != ' '))
			return FWS_ESTATE;
		v->order[i] = *p++;
	}
	if (sscanf(p, "\nBOOT_A_LEFT=%3u\nBOOT_B_LEFT=%3u\nBOOTED=%c\n", &a, &b, &v->booted) != 3)
		return FWS_ESTATE;
	v->left[0] = a;
	v->left[1] = b;
	/* The exact bytes the encoder writes, nothing else. */
	if (!valid(v) || encode(v, again, sizeof(again), &again_len) != 0 || again_len != len ||
	    memcmp(again, buf, len) != 0)
		return FWS_ESTATE;
	return 0;
}

static int boot_read(void *ctx, struct fws_boot_view *v)
{
	struct fws_dir_backend *b = ctx;
	uint8_t buf[BOOTENV_MAX];
	size_t len;
	int rc = fws_io_read_at(b->dirfd, DIR_BOOTENV, 1, buf, sizeof(buf), &len);
	if (rc == FWS_ELIMIT || rc == FWS_ENOENT)
		rc = FWS_ESTATE;
	if (rc == 0)
		rc = decode(buf, len, v);
	if (rc == FWS_ESTATE && fws_diag_last()->code != FWS_ESTATE)
		(void)fws_diag_set(FWS_ESTATE, 0, DIR_BOOTENV, "missing or not a bootloader environment");
	return rc;
}

static int store(struct fws_dir_backend *b, const struct fws_boot_view *v)
{
	char buf[BOOTENV_MAX];
	size_t len;
	if (!valid(v))
		return FWS_EINTERNAL;
	int rc = encode(v, buf, sizeof(buf), &len);
	return rc != 0 ? rc : fws_io_replace_at(&b->fs, b->dirfd, DIR_BOOTENV, buf, len, 0644);
}

static int boot_write(void *ctx, const struct fws_boot_view *v)
{
	struct fws_dir_backend *b = ctx;
	struct fws_boot_view cur, next = *v;
	/* Which set runs is the boot's to say, not the writer's. */
	int rc = boot_read(ctx, &cur);
	next.booted = rc == 0 ? cur.booted : '-';
	/* Nothing changed: no write (a real single-copy environment would
	 * take a torn-write risk for nothing; the simulation does as it). */
	if (rc == 0 && memcmp(next.order, cur.order, sizeof(cur.order)) == 0 &&
	    next.left[0] == cur.left[0] && next.left[1] == cur.left[1])
		return 0;
	return store(b, &next);
}

static int boot_boot(void *ctx, char *set)
{
	struct fws_dir_backend *b = ctx;
	struct fws_boot_view v;
	int rc = boot_read(ctx, &v);
	if (rc != 0)
		return rc;
	for (int i = 0; i < 2; i++) {
		char s = v.order[i];
		if (s == '-' || v.left[s == 'b'] == 0)
			continue;
		v.left[s == 'b']--;
		v.booted = s;
		*set = s;
		return store(b, &v);
	}
	return fws_diag_set(FWS_ELIFECYCLE, 0, DIR_BOOTENV,
			    "no set in the boot order has tries left: nothing boots");
}

void fws_dir_boot_init(struct fws_bootloader *l, struct fws_dir_backend *b)
{
	*l = (struct fws_bootloader){b, boot_read, boot_write, boot_boot};
}
