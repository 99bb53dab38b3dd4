/* SPDX-License-Identifier: Apache-2.0 */
/* The U-Boot convention's variables <-> fwseal's boot view (boot/env.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/boot/env.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "io/io.h"

#define LEFT_MAX 255

static int set_of(const struct fws_sysconf *conf, const char *bootname, size_t len)
{
	for (int i = 0; i < 2; i++)
		if (strlen(conf->bootnames[i]) == len &&
		    strncmp(conf->bootnames[i], bootname, len) == 0)
			return i;
	return -1;
}

/* A count as the boot script reads it: anything but a small decimal is no
 * tries (the script's `test -gt 0` fails on it too). */
static uint32_t tries(const char *v)
{
	uint32_t x = 0;
	if (v[0] == '\0' || strlen(v) > 3)
		return 0;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		x = x * 10 + (uint32_t)(*p - '0');
	}
	return x > LEFT_MAX ? LEFT_MAX : x;
}

char fws_booted_from_cmdline(const struct fws_sysconf *conf, const char *cmdline)
{
	const char *p = cmdline;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		size_t n = strcspn(p, " \t\n");
		if (n > 12 && strncmp(p, "fwseal.slot=", 12) == 0) {
			for (int i = 0; i < 2; i++)
				if (strlen(conf->bootnames[i]) == n - 12 &&
				    strncmp(conf->bootnames[i], p + 12, n - 12) == 0)
					return i ? 'b' : 'a';
		} else if (n > 5 && strncmp(p, "root=", 5) == 0) {
			/* An image both sets have slots in (a disk image at two
			 * offsets) names no set: not known, never set a (a later
			 * fwseal.slot= may still name it). */
			char set = '-';
			for (size_t i = 0; i < conf->n_slots; i++)
				if (strlen(conf->slots[i].device) == n - 5 &&
				    strncmp(conf->slots[i].device, p + 5, n - 5) == 0)
					set = set == '-' || set == conf->slots[i].set ? conf->slots[i].set
										      : '?';
			if (set == 'a' || set == 'b')
				return set;
		}
		p += n;
	}
	return '-';
}

void fws_env_view_parse(const struct fws_sysconf *conf, const char (*values)[ENV_VALUE_MAX],
			struct fws_boot_view *v)
{
	memset(v, 0, sizeof(*v));
	v->booted = v->order[0] = v->order[1] = '-';
	/* BOOT_ORDER: known bootnames in order; unknown ones and repeats are
	 * passed over, as the boot script passes them over. */
	int n = 0;
	for (const char *p = values[0]; *p != '\0' && n < 2;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		int s = len ? set_of(conf, p, len) : -1;
		if (s >= 0 && (n == 0 || v->order[0] != "ab"[s]))
			v->order[n++] = "ab"[s];
		p += len;
	}
	v->left[0] = tries(values[1]);
	v->left[1] = tries(values[2]);
	if (conf->booted == FWS_BOOTED_BOOTLOADER) {
		int s = set_of(conf, values[3], strlen(values[3]));
		v->booted = s < 0 ? '-' : "ab"[s];
	}
}

static int env_read(void *ctx, struct fws_boot_view *v)
{
	struct fws_env_boot *e = ctx;
	const char *keys[ENV_VARS] = {e->names[0], e->names[1], e->names[2], e->names[3]};
	char values[ENV_VARS][ENV_VALUE_MAX];
	memset(values, 0, sizeof(values));
	int rc = e->vars.read(e->vars.ctx, keys, values, ENV_VARS);
	if (rc != 0)
		return rc;
	fws_env_view_parse(e->conf, (const char(*)[ENV_VALUE_MAX])values, v);
	uint8_t *cmdline = NULL;
	size_t len;
	char from_cmdline = '-';
	if (fws_file_read_all(e->conf->cmdline, 4096, &cmdline, &len) == 0)
		from_cmdline = fws_booted_from_cmdline(e->conf, (const char *)cmdline);
	free(cmdline);
	if (e->conf->booted == FWS_BOOTED_BOOTLOADER) {
		/* BOOTED is what the boot script stored last; the kernel's
		 * command line is what runs. A BOOTED left from an earlier
		 * boot (a script path that did not store it, an environment
		 * copy read from before the last store) would let mark-good
		 * confirm a set that just failed: when the two disagree,
		 * which set runs is not known (docs/decisions.md ADR-075). */
		if (from_cmdline != '-' && from_cmdline != v->booted)
			v->booted = '-';
	} else {
		v->booted = from_cmdline;
	}
	return 0;
}

static int env_write(void *ctx, const struct fws_boot_view *v)
{
	struct fws_env_boot *e = ctx;
	char order[2 * FWS_CONF_BOOTNAME_MAX + 2] = "", left[2][8];
	for (int i = 0; i < 2; i++) {
		if (v->order[i] == '-')
			continue;
		if (order[0] != '\0')
			strcat(order, " ");
		strcat(order, e->conf->bootnames[v->order[i] == 'b']);
	}
	snprintf(left[0], sizeof(left[0]), "%u", (unsigned)(v->left[0] > LEFT_MAX ? LEFT_MAX : v->left[0]));
	snprintf(left[1], sizeof(left[1]), "%u", (unsigned)(v->left[1] > LEFT_MAX ? LEFT_MAX : v->left[1]));
	const char *want[3] = {order, left[0], left[1]};
	const char *all_keys[3] = {e->names[0], e->names[1], e->names[2]};
	const char *keys[3], *values[3];
	char now[3][ENV_VALUE_MAX];
	size_t n = 0;
	/* Only what changed, and nothing at all when nothing did: on a
	 * single-copy U-Boot environment every store is a torn-write risk
	 * (docs/integration.md section 7), and a custom program's store may
	 * wear flash. Reading is harmless; the lock keeps the values still. */
	memset(now, 0, sizeof(now));
	int rc = e->vars.read(e->vars.ctx, all_keys, now, 3);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < 3; i++)
		if (strcmp(now[i], want[i]) != 0) {
			keys[n] = all_keys[i];
			values[n++] = want[i];
		}
	return n == 0 ? 0 : e->vars.write(e->vars.ctx, keys, values, n);
}

void fws_env_boot_init(struct fws_bootloader *l, struct fws_env_boot *e,
		       const struct fws_sysconf *conf, const struct fws_env_vars *vars)
{
	memset(e, 0, sizeof(*e));
	e->vars = *vars;
	e->conf = conf;
	snprintf(e->names[0], sizeof(e->names[0]), "BOOT_ORDER");
	snprintf(e->names[1], sizeof(e->names[1]), "BOOT_%s_LEFT", conf->bootnames[0]);
	snprintf(e->names[2], sizeof(e->names[2]), "BOOT_%s_LEFT", conf->bootnames[1]);
	snprintf(e->names[3], sizeof(e->names[3]), "BOOTED");
	/* A real bootloader boots by itself: no boot() step. */
	*l = (struct fws_bootloader){e, env_read, env_write, NULL};
}
