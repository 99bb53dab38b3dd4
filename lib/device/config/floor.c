/* SPDX-License-Identifier: Apache-2.0 */
/* [floor] in system.conf (docs/system-conf.md): where the rollback floor
 * lives. Strict like the rest of the file: a key the chosen backend does
 * not use is an error, not ignored (a `tcti` under `backend = file` is a
 * device someone believes protected by a TPM while it is not). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "device/config/floor_conf.h"
#include "fwseal/error.h"
#include "fwseal/floor.h"
#include "io/io.h"

/* NV indices an owner may define (TPM 2.0 Part 2, 13.4: TPM_HT_NV_INDEX
 * 0x01, owner range below 0x01c00000). */
#define NV_OWNER_FIRST 0x01000000u
#define NV_OWNER_LAST 0x01bfffffu
#define DEFAULT_COUNTER_INDEX 0x01500f00u
#define DEFAULT_BASE_INDEX 0x01500f01u
#define DEFAULT_TIMEOUT_MS 30000u

static int fail(unsigned line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(unsigned line, const char *fmt, ...)
{
	char why[FWS_DIAG_WHY_MAX], where[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "line %u", line);
	return fws_diag_set(FWS_ECONFIG, 0, line ? where : NULL, "%s", why);
}

void fws_sysconf_floor_defaults(struct fws_sysconf *c)
{
	c->floor = FWS_FLOOR_FILE;
	c->floor_counter_index = DEFAULT_COUNTER_INDEX;
	c->floor_base_index = DEFAULT_BASE_INDEX;
	c->floor_max_step = FWS_FLOOR_MAX_STEP;
	c->floor_timeout_ms = DEFAULT_TIMEOUT_MS;
}

/* Decimal, or 0x and hex digits; nothing else, no sign, no spaces. */
static int parse_u32(const char *v, uint32_t *out)
{
	int hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
	const char *s = v + (hex ? 2 : 0);
	uint64_t x = 0;
	if (*s == '\0' || (!hex && v[0] == '0' && v[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		int d = *s >= '0' && *s <= '9'		? *s - '0'
			: hex && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: hex && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
							: -1;
		if (d < 0)
			return -1;
		x = x * (hex ? 16 : 10) + (uint64_t)d;
		if (x > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)x;
	return 0;
}

static int set_index(const char *k, const char *v, unsigned line, uint32_t *out)
{
	uint32_t x;
	if (parse_u32(v, &x) != 0 || x < NV_OWNER_FIRST || x > NV_OWNER_LAST)
		return fail(line, "%s: \"%s\" is not an owner NV index (0x01000000 to 0x01bfffff)",
			    k, v);
	*out = x;
	return 0;
}

int fws_sysconf_floor_key(struct fws_sysconf *c, const char *k, const char *v, unsigned line)
{
	uint32_t x;
	if (strcmp(k, "backend") == 0) {
		if (strcmp(v, "file") == 0)
			c->floor = FWS_FLOOR_FILE;
		else if (strcmp(v, "tpm2") == 0)
			c->floor = FWS_FLOOR_TPM2;
		else if (strcmp(v, "command") == 0)
			c->floor = FWS_FLOOR_COMMAND;
		else
			return fail(line, "backend: \"%s\" is not file, tpm2 or command", v);
		return 0;
	}
	if (strcmp(k, "tcti") == 0) {
		/* The TCTI loader's own syntax, NAME[:CONFIG]; a space or a quote
		 * in it is a mistake, never part of a device path. */
		if (strlen(v) >= sizeof(c->floor_tcti) || strpbrk(v, " \t\"'") != NULL)
			return fail(line, "tcti: \"%s\" is not a TCTI (e.g. device:/dev/tpmrm0)",
				    v);
		strcpy(c->floor_tcti, v);
		return 0;
	}
	if (strcmp(k, "counter-index") == 0)
		return set_index(k, v, line, &c->floor_counter_index);
	if (strcmp(k, "base-index") == 0)
		return set_index(k, v, line, &c->floor_base_index);
	if (strcmp(k, "owner-auth-file") == 0) {
		if (v[0] != '/' || strlen(v) >= sizeof(c->floor_owner_auth))
			return fail(line, "owner-auth-file: \"%s\" is not an absolute path", v);
		strcpy(c->floor_owner_auth, v);
		return 0;
	}
	if (strcmp(k, "max-step") == 0) {
		if (parse_u32(v, &x) != 0 || x > 1000)
			return fail(line, "max-step: \"%s\" is not a number from 0 to 1000", v);
		c->floor_max_step = x;
		return 0;
	}
	if (strcmp(k, "program") == 0) {
		if (v[0] != '/' || strlen(v) >= sizeof(c->floor_program))
			return fail(line, "program: \"%s\" is not an absolute path", v);
		strcpy(c->floor_program, v);
		return 0;
	}
	if (strcmp(k, "timeout") == 0) {
		if (parse_u32(v, &x) != 0 || x < 1 || x > 600)
			return fail(line,
				    "timeout: \"%s\" is not a number of seconds from 1 to 600", v);
		c->floor_timeout_ms = x * 1000;
		return 0;
	}
	return fail(line, "unknown key \"%s\" in [floor]", k);
}

int fws_sysconf_floor_check(const struct fws_sysconf *c, unsigned line)
{
	int tpm2 = c->floor == FWS_FLOOR_TPM2, command = c->floor == FWS_FLOOR_COMMAND;
	if (tpm2 && c->floor_tcti[0] == '\0')
		return fail(line, "backend tpm2 needs tcti (e.g. device:/dev/tpmrm0)");
	if (!tpm2 && c->floor_tcti[0] != '\0')
		return fail(line, "tcti is for backend tpm2 only");
	if (!tpm2 && (c->floor_counter_index != DEFAULT_COUNTER_INDEX ||
		      c->floor_base_index != DEFAULT_BASE_INDEX || c->floor_owner_auth[0] != '\0'))
		return fail(
		    line,
		    "counter-index, base-index and owner-auth-file are for backend tpm2 only");
	if (tpm2 && c->floor_counter_index == c->floor_base_index)
		return fail(line, "counter-index and base-index are the same NV index");
	if (command && c->floor_program[0] == '\0')
		return fail(line, "backend command needs program");
	if (!command && (c->floor_program[0] != '\0' || c->floor_timeout_ms != DEFAULT_TIMEOUT_MS))
		return fail(line, "program and timeout are for backend command only");
	if (c->floor == FWS_FLOOR_FILE && c->floor_max_step != FWS_FLOOR_MAX_STEP)
		return fail(line, "max-step is for backends tpm2 and command (the file floor has "
				  "no cap)");
	return 0;
}
