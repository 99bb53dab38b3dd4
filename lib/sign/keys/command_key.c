/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* memfd_create, posix_spawn_file_actions_addclosefrom_np */
/* The signer-command provider, for signing services and cloud KMS that
 * fwseal has no library for. The protocol (docs/hsm.md):
 *   stdin   exactly the bytes to sign (the DSSE PAE), then end of file
 *   stdout  the 64-byte Ed25519 signature in standard base64 (88
 *           characters), optionally followed by one newline; nothing else
 *   status  0; anything else is a refusal (FWS_ESIGNER)
 * The command runs under /bin/sh -c in its own process group, with only
 * descriptors 0, 1 and 2 and a clean environment (it must not see the
 * caller's passphrases or tokens' PINs), and is killed with its whole group
 * when it overruns its time. Whatever it returns is verified against the
 * public key file given with it before it is used (key.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/keys.h"
#include "io/io.h"
#include "sign/keys/key_provider.h"

#define OUT_MAX 4096
#define SIG_B64_LEN 88

struct command_key {
	char *command;
	unsigned timeout_ms;
	char keyid_env[sizeof "FWSEAL_SIGNER_KEYID=" + 64];
};

static void command_close(void *impl)
{
	struct command_key *k = impl;

	if (k != NULL)
		free(k->command);
	free(k);
}

/* The bytes to sign as a memory file: its stdin, read at the command's own
 * pace, with no pipe for fwseal to block on or be killed by (SIGPIPE). */
static int stdin_file(const uint8_t *msg, size_t len, int *fd_out)
{
	int fd = memfd_create("fwseal-pae", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return fws_diag_set(FWS_EIO, errno, NULL, "cannot prepare the signer's input");
	while (done < len) {
		ssize_t n = write(fd, msg + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return fws_diag_set(FWS_EIO, errno, NULL,
					    "cannot prepare the signer's input");
		}
		done += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return fws_diag_set(FWS_EIO, errno, NULL, "cannot prepare the signer's input");
	}
	*fd_out = fd;
	return 0;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static int spawn(struct command_key *k, int in_fd, int out_fd, pid_t *pid)
{
	char *argv[] = {(char *)"sh", (char *)"-c", k->command, NULL};
	char *envp[] = {(char *)"PATH=/usr/local/bin:/usr/bin:/bin", (char *)"LC_ALL=C",
			k->keyid_env, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	int rc;

	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	/* Nothing else fwseal holds - key files, a token's session, the
	 * bundle being written - reaches the command. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* Its own process group, so a timeout kills whatever it started too. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc == 0 ? 0
		       : fws_diag_set(FWS_ESIGNER, rc, k->command, "cannot run the signer command");
}

/* Its standard output, bounded in size and time; 1 when it overran. */
static int collect(int fd, unsigned timeout_ms, const struct timespec *start, char *out,
		   size_t *len)
{
	*len = 0;
	for (;;) {
		long spent = elapsed_ms(start);
		struct pollfd p = {fd, POLLIN, 0};
		if (spent >= (long)timeout_ms)
			return 1;
		int ready = poll(&p, 1, (int)((long)timeout_ms - spent));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0)
			return 1;
		if (ready < 0)
			return 0; /* cannot wait: judged on what came */
		ssize_t n = read(fd, out + *len, OUT_MAX - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		*len += (size_t)n;
		if (*len == OUT_MAX)
			return 0; /* more than any signature: judged below */
	}
}

/* Waits for the command within what is left of its time; 1 on timeout. */
static int reap(pid_t pid, unsigned timeout_ms, const struct timespec *start, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return 0;
		if (elapsed_ms(start) >= (long)timeout_ms)
			return 1;
		struct timespec pause = {0, 10 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

static int parse_signature(const struct command_key *k, char *out, size_t len, uint8_t sig[64])
{
	size_t sig_len = 0;

	if (len == SIG_B64_LEN + 1 && out[SIG_B64_LEN] == '\n')
		len--;
	if (len != SIG_B64_LEN)
		return fws_diag_set(FWS_ESIGNER, 0, k->command,
				    "wrote %zu bytes, not one line of base64 Ed25519 signature (%d "
				    "characters)",
				    len, SIG_B64_LEN);
	if (sodium_base642bin(sig, 64, out, len, NULL, &sig_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    sig_len != 64)
		return fws_diag_set(FWS_ESIGNER, 0, k->command,
				    "its output is not the standard base64 of 64 bytes");
	return 0;
}

static int command_sign(void *impl, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	struct command_key *k = impl;
	char out[OUT_MAX + 1];
	int in_fd = -1, fds[2] = {-1, -1}, status = 0, rc;
	size_t out_len = 0;
	struct timespec start;
	pid_t pid;

	if ((rc = stdin_file(msg, len, &in_fd)) != 0)
		return rc;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		close(in_fd);
		return fws_diag_set(FWS_EIO, errno, NULL, "cannot run the signer command");
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = spawn(k, in_fd, fds[1], &pid);
	close(in_fd);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return rc;
	}
	int overran = collect(fds[0], k->timeout_ms, &start, out, &out_len);
	close(fds[0]);
	if (!overran)
		overran = reap(pid, k->timeout_ms, &start, &status);
	if (overran) {
		/* The whole group: a shell's children would outlive it. */
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return fws_diag_set(FWS_ESIGNER, 0, k->command,
				    "gave no signature within %u s: stopped (process group killed)",
				    (k->timeout_ms + 999) / 1000);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fws_diag_set(FWS_ESIGNER, 0, k->command,
				    "failed (%s %d); nothing was signed",
				    WIFEXITED(status) ? "exit status" : "signal",
				    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	out[out_len] = '\0';
	rc = parse_signature(k, out, out_len, sig);
	sodium_memzero(out, sizeof out);
	return rc;
}

static const struct fws_key_provider command_provider = {"signer command", FWS_ESIGNER,
							 command_sign, command_close};

int fws_command_key_open(const char *pub_path, const char *command, unsigned timeout_ms,
			 struct fws_signing_key **out)
{
	struct command_key *k;
	uint8_t pk[32], keyid[32];
	char hex[65];
	int rc;

	if (command == NULL || command[0] == '\0')
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "empty signer command");
	if (timeout_ms > FWS_SIGNER_TIMEOUT_MS_MAX)
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "signer timeout above %u s",
				    FWS_SIGNER_TIMEOUT_MS_MAX / 1000);
	/* The public key the command's signatures must verify with: from a
	 * file the operator chose, never from the command itself. */
	if ((rc = fws_key_file_public(pub_path, pk, keyid, NULL)) != 0)
		return rc;
	if ((k = calloc(1, sizeof *k)) == NULL || (k->command = strdup(command)) == NULL) {
		free(k);
		return FWS_ENOMEM;
	}
	k->timeout_ms = timeout_ms != 0 ? timeout_ms : FWS_SIGNER_TIMEOUT_MS_DEFAULT;
	fws_hex_encode(hex, keyid, 32);
	snprintf(k->keyid_env, sizeof k->keyid_env, "FWSEAL_SIGNER_KEYID=%s", hex);
	return fws_signing_key_wrap(&command_provider, k, pk, pub_path, out);
}
