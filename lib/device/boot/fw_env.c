/* SPDX-License-Identifier: Apache-2.0 */
/* fw_env.config, read the way libubootenv reads it, so that fwseal knows
 * which files or devices, and which bytes of them, hold U-Boot's
 * environment: to hold them to the trust rule (ADR-070) and to keep every
 * slot off them (ADR-071). One copy per line, at most two:
 *   DEVICE  OFFSET  SIZE  [SECTOR-SIZE  [SECTORS]]
 * '#' starts a comment line. OFFSET is C-style (0x hex, a leading 0 octal,
 * else decimal: libubootenv's %lli); SIZE and the optional fields are hex
 * with or without 0x (its %zx: "4000" is 16 KiB). Anything else - a
 * relative device, a missing size, a third copy, a field that is not a
 * number - is FWS_ECONFIG naming the line: a line fwseal reads differently
 * from libubootenv would let the environment hide from the checks. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/boot/env.h"
#include "fwseal/error.h"
#include "io/io.h"

#define FW_ENV_MAX (16 * 1024)

static int bad(const char *name, unsigned line, const char *why, const char *field)
{
	return fws_diag_set(FWS_ECONFIG, 0, name, "line %u: %s \"%s\"", line, why, field);
}

/* base 0 (C-style) or 16; the whole field, no sign, at most 2^62. */
static int number(const char *f, int base, uint64_t *out)
{
	char *end;
	if (!isxdigit((unsigned char)f[0]))
		return -1;
	errno = 0;
	unsigned long long x = strtoull(f, &end, base);
	if (errno != 0 || *end != '\0' || x > (1ull << 62))
		return -1;
	*out = x;
	return 0;
}

int fws_fw_env_parse(const char *text, size_t len, const char *name, struct fws_fw_env *env)
{
	char line[FWS_CONF_PATH_MAX + 128];
	unsigned ln = 0;
	memset(env, 0, sizeof(*env));
	if (memchr(text, '\0', len) != NULL)
		return fws_diag_set(FWS_ECONFIG, 0, name, "holds a NUL byte");
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		ln++;
		if (n >= sizeof(line))
			return fws_diag_set(FWS_ECONFIG, 0, name, "line %u: longer than %zu bytes",
					    ln, sizeof(line) - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		char *fields[6], *save = NULL;
		size_t nf = 0;
		for (char *f = strtok_r(line, " \t\r", &save); f != NULL && nf < 6;
		     f = strtok_r(NULL, " \t\r", &save))
			fields[nf++] = f;
		if (nf == 0 || fields[0][0] == '#')
			continue;
		if (nf < 3)
			return bad(name, ln, "needs DEVICE OFFSET SIZE, not", fields[0]);
		if (nf > 5)
			return bad(name, ln, "more than five fields from", fields[0]);
		if (env->n == 2)
			return bad(name, ln, "a third environment copy", fields[0]);
		struct fws_fw_env_area *a = &env->area[env->n];
		if (fields[0][0] != '/' || strlen(fields[0]) >= sizeof(a->device))
			return bad(name, ln, "the device is not an absolute path:", fields[0]);
		for (const char *c = fields[0]; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return bad(name, ln, "a control character in", "DEVICE");
		if (number(fields[1], 0, &a->offset) != 0)
			return bad(name, ln, "OFFSET is not a number:", fields[1]);
		if (number(fields[2], 16, &a->size) != 0 || a->size == 0)
			return bad(name, ln, "SIZE is not a hex byte count:", fields[2]);
		uint64_t ignored;
		for (size_t i = 3; i < nf; i++)
			if (number(fields[i], 16, &ignored) != 0)
				return bad(name, ln, "not a hex number:", fields[i]);
		strcpy(a->device, fields[0]);
		a->line = ln;
		env->n++;
	}
	if (env->n == 0)
		return fws_diag_set(FWS_ECONFIG, 0, name,
				    "names no environment (DEVICE OFFSET SIZE)");
	return 0;
}

int fws_fw_env_load(const char *path, struct fws_fw_env *env)
{
	uint8_t *text = NULL;
	size_t len = 0;
	int rc = fws_io_read_all_at(AT_FDCWD, path, 0, FW_ENV_MAX, &text, &len);
	if (rc == FWS_ELIMIT)
		rc = fws_diag_set(FWS_ECONFIG, 0, path, "larger than %d bytes", FW_ENV_MAX);
	if (rc == 0)
		rc = fws_fw_env_parse((const char *)text, len, path, env);
	free(text);
	return rc;
}
