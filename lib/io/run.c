/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addclosefrom_np */
/* The one way fwseal runs a program an integrator or operator names: the
 * custom bootloader program (lib/device/boot/custom.c), the floor program
 * (lib/device/floor/command.c) and the signer command
 * (lib/sign/keys/command_key.c). What each of them once did on its own,
 * and what went wrong where one of them did not (docs/decisions.md
 * ADR-072):
 * - its own process group, killed whole when the run ends: a program that
 *   forks a child and exits, or is killed at the timeout, leaves nothing
 *   running (a child could otherwise hold the device's slots or the
 *   bootloader's environment after fwseal believes the write is over);
 * - one bound on the whole run, output and exit together: a program that
 *   closes its standard output and keeps running, or leaves a child holding
 *   that output open, ends the run at the deadline, never later;
 * - descriptors 0, 1 and 2 only: standard input is /dev/null unless the
 *   caller passes one (never fwseal's own, which may be the bundle being
 *   installed), standard error is /dev/null (the CLI prints one line), and
 *   nothing past 2 is passed on, close-on-exec or not (the device lock, the
 *   state directory, libcurl's sockets);
 * - a known signal state: nothing blocked, SIGPIPE/SIGINT/SIGTERM default. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/io.h"

/* How often the run looks whether the program itself has exited while its
 * output is still held open by something it started. */
#define LEADER_CHECK_MS 20

static long ms_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static int spawn(const struct fws_run *r, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (r->stdin_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, r->stdin_fd, STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawn(pid, r->path, &fa, &attr, r->argv, r->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* 1 when the program (not what it started) has exited; it is left
 * unreaped (WNOWAIT), so its process group id stays its own until the
 * group is killed. */
static int leader_exited(pid_t pid)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	int w = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
	return (w == 0 && info.si_pid == pid) || (w < 0 && errno == ECHILD);
}

/* Reads what is in the pipe now, without waiting: 0 when nothing more is
 * there yet, 1 at its end (or a read error), 2 when the output outgrew its
 * room. */
static int drain(int fd, const struct fws_run *r, struct fws_run_result *res)
{
	if (res->out_len == r->out_cap)
		return 2;
	for (;;) {
		ssize_t n = read(fd, r->out + res->out_len, r->out_cap - res->out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return 1;
		res->out_len += (size_t)n;
		if (res->out_len == r->out_cap)
			return 2;
	}
}

int fws_run_program(const struct fws_run *r, struct fws_run_result *res)
{
	int fds[2], status = 0;
	pid_t pid;
	struct timespec start;
	memset(res, 0, sizeof(*res));
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return errno;
	/* The program's end blocks as usual; only fwseal's end never does. */
	(void)fcntl(fds[1], F_SETFL, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	int rc = spawn(r, fds[1], &pid);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return rc;
	}
	enum fws_run_end end = FWS_RUN_EXITED;
	int output_done = 0;
	for (;;) {
		long left = (long)r->timeout_ms - ms_since(&start);
		if (left <= 0) {
			end = FWS_RUN_TIMEOUT;
			break;
		}
		if (output_done) {
			/* Output closed: it has the rest of its time to exit. */
			if (leader_exited(pid))
				break;
			struct timespec pause = {0, 2 * 1000 * 1000};
			nanosleep(&pause, NULL);
			continue;
		}
		struct pollfd p = {fds[0], POLLIN, 0};
		int ready = poll(&p, 1, (int)(left < LEADER_CHECK_MS ? left : LEADER_CHECK_MS));
		if (ready < 0 && errno != EINTR) {
			end = FWS_RUN_TIMEOUT; /* cannot wait: no more time is given */
			break;
		}
		if (ready > 0) {
			int d = drain(fds[0], r, res);
			if (d == 2) {
				end = FWS_RUN_TOO_MUCH;
				break;
			}
			output_done = d == 1;
			continue;
		}
		/* Silent: has the program itself ended, leaving a child that holds
		 * its output? Then what it wrote is all there is. */
		if (leader_exited(pid)) {
			if (drain(fds[0], r, res) == 2)
				end = FWS_RUN_TOO_MUCH;
			break;
		}
	}
	close(fds[0]);
	/* Whatever it started goes with it, also when it finished in time. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	res->end = end;
	res->exited = WIFEXITED(status);
	res->status = WIFEXITED(status)	    ? WEXITSTATUS(status)
		      : WIFSIGNALED(status) ? WTERMSIG(status)
					    : 0;
	if (r->out_cap > 0)
		r->out[res->out_len] = '\0';
	return 0;
}
