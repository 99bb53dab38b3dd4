/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* pipe2 */
/* A bootloader fwseal has no backend for (EFI, barebox, a vendor loader):
 * an executable the integrator provides, called without a shell:
 *   PROGRAM get KEY...            prints KEY=VALUE lines (unset: leave out)
 *   PROGRAM set KEY=VALUE...      stores them, durably, all or none
 * Exit status 0 means done. Its output is bounded and it has 30 seconds;
 * anything else is FWS_EBOOTLOADER. docs/integration.md has an example. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "device/boot/env.h"
#include "fwseal/error.h"
#include "io/io.h"

#define OUT_MAX 4096
#define TIMEOUT_MS 30000

/* The program gets a known environment, not fwseal-verify's own. */
static char *const program_env[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				    (char *)"LC_ALL=C", NULL};

/* Runs argv; its stdout (at most OUT_MAX bytes) into out. */
static int run(const char *program, char *const *argv, char *out, size_t *out_len)
{
	int fds[2], status = 0;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	/* Close-on-exec: the program inherits its stdout and nothing else
	 * fwseal holds open (the lock, the device directory). */
	if (pipe2(fds, O_CLOEXEC) != 0)
		return fws_diag_set(FWS_EBOOTLOADER, errno, program, "cannot run");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	int rc = posix_spawn(&pid, program, &fa, NULL, argv, program_env);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return fws_diag_set(FWS_EBOOTLOADER, rc, program, "cannot run");
	}
	*out_len = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int failed = 0;
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		struct pollfd p = {fds[0], POLLIN, 0};
		if (spent >= TIMEOUT_MS || poll(&p, 1, (int)(TIMEOUT_MS - spent)) <= 0) {
			failed = 1; /* silent too long: a hung program is no bootloader */
			break;
		}
		ssize_t n = read(fds[0], out + *out_len, OUT_MAX - *out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*out_len += (size_t)n;
		if (*out_len == OUT_MAX) {
			failed = 1;
			break;
		}
	}
	close(fds[0]);
	if (failed)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (failed)
		return fws_diag_set(FWS_EBOOTLOADER, 0, program, "timed out or wrote too much");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fws_diag_set(FWS_EBOOTLOADER, 0, program, "failed (exit status %d)",
				    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	out[*out_len] = '\0';
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
