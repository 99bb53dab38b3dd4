/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addclosefrom_np */
/* The floor kept by an external program: RPMB (mmc-utils), OTP fuses, a
 * vendor's secure element. The integrator's executable is called without
 * a shell (docs/rollback-floor.md has an example):
 *   PROGRAM get              prints the floor: one decimal number and \n
 *   PROGRAM raise N          raises it to at least N, durably; never lowers
 *   PROGRAM provision N      sets the store up once (keeping a floor it
 *                            already holds) and raises it to at least N
 * Exit status 0 means done; fwseal reads the floor back after every raise
 * and believes only what `get` prints. The program runs the way the custom
 * bootloader's does, and tighter: a known environment, standard input and
 * error on /dev/null, no descriptor of fwseal's inherited (the lock, the
 * state directory), its own process group, killed whole (with anything it
 * started) when it runs longer than `timeout`. Its output is bounded. Any
 * other outcome is FWS_EFLOOR. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "device/floor/floor.h"
#include "fwseal/error.h"
#include "io/io.h"

#define OUT_MAX 64 /* "18446744073709551615\n" fits many times */

static char *const program_env[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				    (char *)"LC_ALL=C", NULL};

static long ms_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static int spawn(const struct fws_sysconf *c, char *const *argv, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	/* Close-on-exec is not relied on alone: nothing past stderr is passed
	 * on, whoever opened it. */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	/* Its own process group: a timeout kills what it started too. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	int rc = posix_spawn(pid, c->floor_program, &fa, &attr, argv, program_env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Runs the program with argv; its stdout (at most OUT_MAX bytes) in out. */
static int run(const struct fws_sysconf *c, char *const *argv, char *out)
{
	int fds[2], status = 0, failed = 0;
	size_t len = 0;
	pid_t pid;
	struct timespec start;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return fws_diag_set(FWS_EFLOOR, errno, c->floor_program, "cannot run");
	int rc = spawn(c, argv, fds[1], &pid);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return fws_diag_set(FWS_EFLOOR, rc, c->floor_program, "cannot run");
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long spent = ms_since(&start);
		struct pollfd p = {fds[0], POLLIN, 0};
		int ready = spent >= (long)c->floor_timeout_ms
				? 0
				: poll(&p, 1, (int)((long)c->floor_timeout_ms - spent));
		if (ready < 0 && errno == EINTR)
			continue;
		/* Nothing in time, or poll itself failed: a read now could block
		 * past the timeout. */
		if (ready <= 0) {
			failed = 1;
			break;
		}
		ssize_t n = read(fds[0], out + len, OUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == OUT_MAX) {
			failed = 2;
			break;
		}
	}
	close(fds[0]);
	/* Its output closed: it still has the rest of its time to exit. It is
	 * waited for without being reaped (WNOWAIT), so its process group id
	 * cannot be taken by another process before the group is killed. */
	while (!failed) {
		siginfo_t info;
		memset(&info, 0, sizeof(info));
		int w = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
		if (w == 0 && info.si_pid == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (ms_since(&start) >= (long)c->floor_timeout_ms)
			failed = 1;
		else
			usleep(2000);
	}
	/* Whatever it started goes with it, also when it finished. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (failed)
		return fws_diag_set(FWS_EFLOOR, 0, c->floor_program,
				    failed == 1 ? "ran longer than %u s (killed)"
						: "wrote more than %u bytes",
				    failed == 1 ? (unsigned)(c->floor_timeout_ms / 1000) : OUT_MAX);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fws_diag_set(
		    FWS_EFLOOR, 0, c->floor_program, "%s failed (exit status %d)", argv[1],
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	out[len] = '\0';
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
