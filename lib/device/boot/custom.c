/* SPDX-License-Identifier: Apache-2.0 */
/* A bootloader fwseal has no backend for (EFI, barebox, a vendor loader):
 * an executable the integrator provides, called without a shell:
 *   PROGRAM get KEY...            prints KEY=VALUE lines (unset: leave out)
 *   PROGRAM set KEY=VALUE...      stores them, durably, all or none
 * Exit status 0 means done. Its output is bounded and it has 30 seconds
 * for output and exit together (lib/io/run.c); anything else is
 * FWS_EBOOTLOADER. docs/integration.md has an example. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "device/boot/env.h"
#include "fwseal/error.h"
#include "io/io.h"

#define OUT_MAX 4096
#define TIMEOUT_MS 30000

/* The program gets a known environment, not fwseal-verify's own. */
static char *const program_env[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				    (char *)"LC_ALL=C", NULL};

/* Runs argv through the one program runner (lib/io/run.c): its own
 * process group, killed whole at the end; 30 s for output and exit
 * together; descriptors 0-2 only. Its stdout (at most OUT_MAX bytes) into
 * out. */
static int run(const char *program, char *const *argv, char *out, size_t *out_len)
{
	struct fws_run r = {program, argv, program_env, -1, TIMEOUT_MS, out, OUT_MAX};
	struct fws_run_result res;
	int rc = fws_run_program(&r, &res);
	*out_len = res.out_len;
	if (rc != 0)
		return fws_diag_set(FWS_EBOOTLOADER, rc, program, "cannot run");
	if (res.end == FWS_RUN_TIMEOUT)
		return fws_diag_set(FWS_EBOOTLOADER, 0, program,
				    "did not finish within %d s (killed with everything it started)",
				    TIMEOUT_MS / 1000);
	if (res.end == FWS_RUN_TOO_MUCH)
		return fws_diag_set(FWS_EBOOTLOADER, 0, program, "wrote more than %d bytes",
				    OUT_MAX);
	if (!res.exited || res.status != 0)
		return fws_diag_set(FWS_EBOOTLOADER, 0, program, "failed (exit status %d)",
				    res.exited ? res.status : 128 + res.status);
	return 0;
}

static int custom_read(void *ctx, const char *const *keys, char (*values)[ENV_VALUE_MAX], size_t n)
{
	const struct fws_sysconf *conf = ctx;
	char *argv[2 + ENV_VARS + 1], out[OUT_MAX + 1];
	size_t len, argc = 0;
	argv[argc++] = (char *)conf->program;
	argv[argc++] = (char *)"get";
	for (size_t i = 0; i < n && i < ENV_VARS; i++)
		argv[argc++] = (char *)keys[i];
	argv[argc] = NULL;
	int rc = run(conf->program, argv, out, &len);
	/* One line per key it knows, each key at most once: an answer with
	 * two values for a key has no one meaning. */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t kl = strlen(keys[i]);
		int seen = 0;
		values[i][0] = '\0';
		for (const char *p = out; rc == 0 && *p != '\0';) {
			size_t ln = strcspn(p, "\n");
			if (ln > kl && strncmp(p, keys[i], kl) == 0 && p[kl] == '=') {
				if (seen++)
					rc = fws_diag_set(FWS_EBOOTLOADER, 0, conf->program,
							  "printed %s twice", keys[i]);
				else if (ln - kl - 1 >= ENV_VALUE_MAX)
					rc = fws_diag_set(FWS_EBOOTLOADER, 0, conf->program,
							  "printed a %s longer than %d bytes", keys[i],
							  ENV_VALUE_MAX - 1);
				else {
					memcpy(values[i], p + kl + 1, ln - kl - 1);
					values[i][ln - kl - 1] = '\0';
				}
			}
			p += ln + (p[ln] == '\n');
		}
	}
	return rc;
}

static int custom_write(void *ctx, const char *const *keys, const char *const *values, size_t n)
{
	const struct fws_sysconf *conf = ctx;
	char *argv[2 + ENV_VARS + 1], pairs[ENV_VARS][ENV_VALUE_MAX + 40], out[OUT_MAX + 1];
	size_t len, argc = 0;
	argv[argc++] = (char *)conf->program;
	argv[argc++] = (char *)"set";
	for (size_t i = 0; i < n && i < ENV_VARS; i++) {
		snprintf(pairs[i], sizeof(pairs[i]), "%s=%s", keys[i], values[i]);
		argv[argc++] = pairs[i];
	}
	argv[argc] = NULL;
	return run(conf->program, argv, out, &len);
}

int fws_custom_vars(struct fws_env_vars *v, const struct fws_sysconf *conf)
{
	struct stat st;
	/* It decides what boots: one that others may change is refused. */
	if (stat(conf->program, &st) != 0)
		return fws_diag_set(FWS_EBOOTLOADER, errno, conf->program, "cannot run");
	int rc = fws_io_check_trusted(&st, conf->program, "bootloader program");
	if (rc == 0 && !(st.st_mode & S_IXUSR))
		rc = fws_diag_set(FWS_EBOOTLOADER, 0, conf->program, "not executable");
	if (rc == 0)
		*v = (struct fws_env_vars){(void *)conf, custom_read, custom_write};
	return rc;
}
