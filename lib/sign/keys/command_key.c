/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* memfd_create */
/* The signer-command provider, for signing services and cloud KMS that
 * fwseal has no library for. The protocol (docs/hsm.md):
 *   stdin   exactly the bytes to sign (the DSSE PAE), then end of file
 *   stdout  the 64-byte Ed25519 signature in standard base64 (88
 *           characters), optionally followed by one newline; nothing else
 *   status  0; anything else is a refusal (FWS_ESIGNER)
 * The command runs under /bin/sh -c through the one program runner
 * (lib/io/run.c): its own process group, only descriptors 0, 1 and 2, a
 * clean environment (it must not see the caller's passphrases or tokens'
 * PINs), killed with its whole group when it overruns its time. Whatever it returns is verified against the
 * public key file given with it before it is used (key.c). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
	char *argv[] = {(char *)"sh", (char *)"-c", k->command, NULL};
	char *envp[] = {(char *)"PATH=/usr/local/bin:/usr/bin:/bin", (char *)"LC_ALL=C",
			k->keyid_env, NULL};
	struct fws_run_result res;
	int in_fd = -1, rc;

	if ((rc = stdin_file(msg, len, &in_fd)) != 0)
		return rc;
	/* The one program runner (lib/io/run.c): its own process group, killed
	 * whole at the end; one bound on output and exit; descriptors 0-2. */
	struct fws_run r = {"/bin/sh", argv, envp, in_fd, k->timeout_ms, out, OUT_MAX};
	rc = fws_run_program(&r, &res);
	close(in_fd);
	if (rc != 0)
		return fws_diag_set(FWS_ESIGNER, rc, k->command, "cannot run the signer command");
	if (res.end == FWS_RUN_TIMEOUT)
		rc = fws_diag_set(FWS_ESIGNER, 0, k->command,
				  "gave no signature within %u s: stopped (process group killed)",
				  (k->timeout_ms + 999) / 1000);
	else if (!res.exited || res.status != 0)
		rc = fws_diag_set(FWS_ESIGNER, 0, k->command, "failed (%s %d); nothing was signed",
				  res.exited ? "exit status" : "signal", res.status);
	else /* more than any signature (FWS_RUN_TOO_MUCH) is judged here */
		rc = parse_signature(k, out, res.out_len, sig);
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
