/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-CONF-003 */
/* The one program runner (lib/io/run.c) that the custom bootloader
 * program, the floor program and the signer command go through, attacked
 * the ways a program can keep fwseal waiting or leave something behind:
 * it forks a child that keeps running, it closes its output and sleeps,
 * it writes without end, it looks for descriptors it should not have. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/io.h"

static char *const env[] = {(char *)"PATH=/usr/bin:/bin", (char *)"LC_ALL=C", NULL};

static int sh(const char *script, unsigned timeout_ms, char *out, size_t cap,
	      struct fws_run_result *res)
{
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)script, NULL};
	struct fws_run r = {"/bin/sh", argv, env, -1, timeout_ms, out, cap};
	return fws_run_program(&r, res);
}

/* Gone, or a zombie waiting for its new parent: not running any more. */
static int not_running(pid_t pid)
{
	char path[64], line[256];
	int dead = 1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return 1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "State:", 6) == 0)
			dead = strchr(line, 'Z') != NULL || strchr(line, 'X') != NULL;
	fclose(f);
	return dead;
}

Test(io_run, program_that_forks_a_sleeping_child_ends_and_the_child_is_killed)
{
	char out[128];
	struct fws_run_result res;
	/* The child keeps the output open: the run must end when the program
	 * itself has, not when the child does (in 60 s). */
	cr_assert_eq(sh("sleep 60 & echo $!; exit 0", 20000, out, sizeof(out) - 1, &res), 0);
	cr_assert_eq(res.end, FWS_RUN_EXITED, "the run waited for the child (end %d)", res.end);
	cr_assert(res.exited && res.status == 0);
	pid_t child = (pid_t)atoi(out);
	cr_assert_gt(child, 1, "output: %s", out);
	usleep(100 * 1000);
	cr_assert(not_running(child), "the forked child %d still runs", (int)child);
}

Test(io_run, program_that_closes_stdout_and_sleeps_is_stopped_at_the_deadline)
{
	char out[128];
	struct fws_run_result res;
	cr_assert_eq(sh("echo started; exec >&-; sleep 60", 300, out, sizeof(out) - 1, &res), 0);
	cr_assert_eq(res.end, FWS_RUN_TIMEOUT);
	cr_assert_str_eq(out, "started\n");
}

Test(io_run, program_killed_at_the_timeout_takes_its_children_along)
{
	char out[128];
	struct fws_run_result res;
	cr_assert_eq(sh("sleep 60 & echo $!; wait", 300, out, sizeof(out) - 1, &res), 0);
	cr_assert_eq(res.end, FWS_RUN_TIMEOUT);
	pid_t child = (pid_t)atoi(out);
	cr_assert_gt(child, 1);
	usleep(100 * 1000);
	cr_assert(not_running(child), "the child %d outlived the timeout", (int)child);
}

Test(io_run, program_that_writes_without_end_is_stopped)
{
	char out[256];
	struct fws_run_result res;
	cr_assert_eq(sh("yes", 20000, out, sizeof(out) - 1, &res), 0);
	cr_assert_eq(res.end, FWS_RUN_TOO_MUCH);
	cr_assert_eq(res.out_len, sizeof(out) - 1);
}

Test(io_run, program_inherits_no_descriptor_but_the_three_standard_streams)
{
	char out[512];
	struct fws_run_result res;
	int sv[2];
	/* What a careless caller may hold without close-on-exec: a socket
	 * (libcurl's) and a file (the input being installed). */
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int file = open("/etc/hostname", O_RDONLY);
	int r = sh("for n in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do "
		   "[ -e /proc/self/fd/$n ] && echo leaked $n; done; "
		   "readlink /proc/self/fd/0 /proc/self/fd/2",
		   20000, out, sizeof(out) - 1, &res);
	close(sv[0]);
	close(sv[1]);
	if (file >= 0)
		close(file);
	cr_assert_eq(r, 0);
	cr_assert_eq(res.end, FWS_RUN_EXITED);
	cr_assert_str_eq(out, "/dev/null\n/dev/null\n", "the program saw: %s", out);
}

Test(io_run, a_missing_program_is_an_errno_not_a_run)
{
	char out[16];
	struct fws_run_result res;
	char *argv[] = {(char *)"nowhere", NULL};
	struct fws_run r = {"/nonexistent/program", argv, env, -1, 1000, out, sizeof(out) - 1};
	cr_assert_eq(fws_run_program(&r, &res), ENOENT);
}
