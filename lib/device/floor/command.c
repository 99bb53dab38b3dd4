/* SPDX-License-Identifier: Apache-2.0 */
/* The floor kept by an external program: RPMB (mmc-utils), OTP fuses, a
 * vendor's secure element. The integrator's executable is called without
 * a shell (docs/rollback-floor.md has an example):
 *   PROGRAM get              prints the floor: one decimal number and \n
 *   PROGRAM raise N          raises it to at least N, durably; never lowers
 *   PROGRAM provision N      sets the store up once (keeping a floor it
 *                            already holds) and raises it to at least N
 * Exit status 0 means done; fwseal reads the floor back after every raise
 * and believes only what `get` prints. The program runs through the one
 * program runner (lib/io/run.c), as the custom bootloader's does: a known
 * environment, standard input and error on /dev/null, no descriptor of
 * fwseal's inherited (the lock, the state directory), its own process
 * group, killed whole (with anything it started) when it runs longer than
 * `timeout`. Its output is bounded. Any other outcome is FWS_EFLOOR. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "device/floor/floor.h"
#include "fwseal/error.h"
#include "io/io.h"

#define OUT_MAX 64 /* "18446744073709551615\n" fits many times */

static char *const program_env[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				    (char *)"LC_ALL=C", NULL};

/* Runs the program with argv through the one program runner
 * (lib/io/run.c); its stdout (at most OUT_MAX bytes) in out. */
static int run(const struct fws_sysconf *c, char *const *argv, char *out)
{
	struct fws_run r = {c->floor_program, argv,  program_env, -1, c->floor_timeout_ms,
			    out,	      OUT_MAX};
	struct fws_run_result res;
	int rc = fws_run_program(&r, &res);
	if (rc != 0)
		return fws_diag_set(FWS_EFLOOR, rc, c->floor_program, "cannot run");
	if (res.end != FWS_RUN_EXITED)
		return fws_diag_set(FWS_EFLOOR, 0, c->floor_program,
				    res.end == FWS_RUN_TIMEOUT ? "ran longer than %u s (killed)"
							       : "wrote more than %u bytes",
				    res.end == FWS_RUN_TIMEOUT ? (unsigned)(c->floor_timeout_ms / 1000)
							       : OUT_MAX);
	if (!res.exited || res.status != 0)
		return fws_diag_set(FWS_EFLOOR, 0, c->floor_program, "%s failed (exit status %d)",
				    argv[1], res.exited ? res.status : 128 + res.status);
	return 0;
}

/* Exactly one canonical decimal number and a newline. */
static int parse_floor(const struct fws_sysconf *c, const char *out, uint64_t *floor)
{
	uint64_t x = 0;
	size_t n = strlen(out);
	int bad = n < 2 || out[n - 1] != '\n' || (out[0] == '0' && n != 2);
	for (size_t i = 0; !bad && i + 1 < n; i++) {
		unsigned d = (unsigned)(out[i] - '0');
		bad = d > 9 || x > (UINT64_MAX - d) / 10;
		x = x * 10 + d;
	}
	if (bad)
		return fws_diag_set(FWS_EFLOOR, 0, c->floor_program,
				    "get printed something other than one number and a newline");
	*floor = x;
	return 0;
}

static int command_get(void *ctx, uint64_t *floor)
{
	const struct fws_sysconf *c = ctx;
	char out[OUT_MAX + 1];
	char *argv[] = {(char *)c->floor_program, (char *)"get", NULL};
	int rc = run(c, argv, out);
	return rc == 0 ? parse_floor(c, out, floor) : rc;
}

/* verb N, then get: the floor must now be at least N. */
static int command_raise(const struct fws_sysconf *c, const char *verb, uint64_t n)
{
	char out[OUT_MAX + 1], arg[24];
	uint64_t floor;
	snprintf(arg, sizeof(arg), "%" PRIu64, n);
	char *argv[] = {(char *)c->floor_program, (char *)verb, arg, NULL};
	int rc = run(c, argv, out);
	if (rc == 0)
		rc = command_get((void *)c, &floor);
	if (rc == 0 && floor < n)
		rc = fws_diag_set(FWS_EFLOOR, 0, c->floor_program,
				  "%s %llu succeeded, but get prints %llu", verb,
				  (unsigned long long)n, (unsigned long long)floor);
	return rc;
}

static int command_update(void *ctx, uint64_t n)
{
	return command_raise(ctx, "raise", n);
}

static int command_provision(void *ctx, uint64_t n)
{
	return command_raise(ctx, "provision", n);
}

int fws_floor_command_init(struct fws_floor *f, const struct fws_sysconf *c)
{
	struct stat st;
	/* It holds what keeps old images out: one others may change is not. */
	if (stat(c->floor_program, &st) != 0)
		return fws_diag_set(FWS_EFLOOR, errno, c->floor_program, "cannot run");
	int rc = fws_io_check_trusted(&st, c->floor_program, "floor program");
	if (rc == 0 && (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)))
		rc = fws_diag_set(FWS_EFLOOR, 0, c->floor_program, "not an executable file");
	if (rc == 0)
		*f = (struct fws_floor){(void *)c,	  "command", command_get,
					command_update,	  NULL,	     command_provision,
					c->floor_max_step};
	return rc;
}
