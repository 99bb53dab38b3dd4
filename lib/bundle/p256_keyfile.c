/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 key files (p256_keyfile.h), shaped like age's identity and
 * recipient files: '#' comment lines, then exactly one key line.
 *
 *   NAME.key (mode 0600)                  NAME.pub
 *   # fwseal P-256 device key (secret)    # fwseal P-256 device key (recipient)
 *   # recipient: fwseal-p256-1...         fwseal-p256-1...
 *   FWSEAL-P256-SECRET-KEY-1...
 *
 * The secret is unencrypted: a device opens it unattended, so its
 * protection is the file's mode and owner (as for age identities and SSH
 * host keys); a key in a token or secure element is the stronger choice. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/age_internal.h"
#include "bundle/p256_keyfile.h"
#include "fwseal/error.h"
#include "io/io.h"

#define KEYFILE_MAX 4096

/* The file's one key line (comments and blank lines skipped); NUL bytes,
 * two key lines or none are refused. */
static int key_line(const char *path, char *buf, size_t len, const char **line, size_t *line_len)
{
	size_t i = 0;

	*line = NULL;
	if (memchr(buf, '\0', len) != NULL)
		return fws_diag_set(FWS_EIDENTITY, 0, path, "a NUL byte in a key file");
	while (i < len) {
		char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len, n = end - i;
		if (n > 0 && buf[end - 1] == '\r')
			n--;
		if (n > 0 && buf[i] != '#') {
			if (*line != NULL)
				return fws_diag_set(FWS_EIDENTITY, 0, path,
						    "more than one key line (one key per file)");
			*line = buf + i;
			*line_len = n;
		}
		i = end + 1;
	}
	if (*line == NULL)
		return fws_diag_set(FWS_EIDENTITY, 0, path, "no key line in the file");
	return 0;
}

static int read_file(const char *path, int secret, char **out, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	int rc, fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0)
		return errno == ELOOP ? fws_diag_set(FWS_EUNSAFE, 0, path,
						     "a symbolic link where a key file belongs")
				      : fws_diag_set(fws_errno_code(errno), errno, path,
						     "cannot open");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fws_diag_set(FWS_EIDENTITY, 0, path, "not a regular file");
	}
	/* On the descriptor that is read, before anything is parsed: a
	 * secret others could read must be treated as compromised. */
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		return fws_diag_set(FWS_EKEYPERM, 0, path,
				    "readable by group or others (mode %04o): chmod 600 it",
				    (unsigned)(st.st_mode & 07777));
	}
	rc = fws_io_read_all_fd(fd, path, KEYFILE_MAX, &buf, len);
	close(fd);
	if (rc == FWS_ELIMIT)
		return fws_diag_set(FWS_EIDENTITY, 0, path, "larger than a key file can be");
	if (rc != 0)
		return rc;
	*out = (char *)buf;
	return 0;
}

int fws_p256_secret_load(const char *path, uint8_t sk[FWS_P256_SCALAR_BYTES],
			 uint8_t pk[FWS_P256_POINT_BYTES])
{
	uint8_t buf32[FWS_P256_SCALAR_BYTES + 8];
	char line_text[FWS_P256_SECRET_LEN + 1];
	size_t len = 0, n = 0;
	const char *line;
	char *buf = NULL;
	long got = -1;
	int rc = read_file(path, 1, &buf, &len);

	if (rc != 0)
		return rc;
	rc = key_line(path, buf, len, &line, &n);
	if (rc == 0 && n == FWS_P256_SECRET_LEN) {
		memcpy(line_text, line, n);
		line_text[n] = '\0';
		got = fws_bech32_decode(line_text, FWS_P256_SECRET_HRP, buf32, sizeof buf32);
		/* Upper case only, as age's secret keys: one spelling. */
		for (size_t i = 0; got >= 0 && i < n; i++)
			if (line_text[i] >= 'a' && line_text[i] <= 'z')
				got = -1;
	}
	if (rc == 0 && got != FWS_P256_SCALAR_BYTES)
		rc = fws_diag_set(FWS_EIDENTITY, 0, path,
				  strncmp(line, FWS_P256_RECIPIENT_PREFIX,
					  sizeof FWS_P256_RECIPIENT_PREFIX - 1) == 0
				      ? "a P-256 public key (.pub), not the secret key (.key) "
					"needed here"
				      : "not a P-256 secret key file (" FWS_P256_SECRET_HRP
					"1... with a valid checksum)");
	if (rc == 0) {
		memcpy(sk, buf32, FWS_P256_SCALAR_BYTES);
		if ((rc = fws_p256_public(sk, pk)) != 0)
			fws_diag_prefix('/', "%s", path);
	}
	if (rc != 0)
		sodium_memzero(sk, FWS_P256_SCALAR_BYTES);
	sodium_memzero(buf32, sizeof buf32);
	sodium_memzero(line_text, sizeof line_text);
	sodium_memzero(buf, len);
	free(buf);
	return rc;
}

/* 1 when the file's key line is a P-256 secret key (so the caller can
 * hand other files to the X25519 opener); 0 when not; negative when the
 * file cannot be read. */
int fws_p256_secret_file_is(const char *path)
{
	size_t len = 0, n = 0;
	const char *line;
	char *buf = NULL;
	int rc = read_file(path, 0, &buf, &len), is;

	if (rc != 0)
		return rc;
	is = key_line(path, buf, len, &line, &n) == 0 && n > sizeof FWS_P256_SECRET_HRP &&
	     strncmp(line, FWS_P256_SECRET_HRP "1", sizeof FWS_P256_SECRET_HRP) == 0;
	fws_diag_clear();
	sodium_memzero(buf, len);
	free(buf);
	return is;
}

int fws_p256_public_load(const char *path, uint8_t pk[FWS_P256_POINT_BYTES])
{
	char text[FWS_P256_RECIPIENT_LEN + 1];
	const char *line;
	char *buf = NULL;
	size_t len = 0, n = 0;
	int rc = read_file(path, 0, &buf, &len);

	if (rc != 0)
		return rc;
	rc = key_line(path, buf, len, &line, &n);
	if (rc == 0 && n != FWS_P256_RECIPIENT_LEN)
		rc = fws_diag_set(FWS_EIDENTITY, 0, path,
				  "not a P-256 public key file (one line " FWS_P256_RECIPIENT_PREFIX
				  "...)");
	if (rc == 0) {
		memcpy(text, line, n);
		text[n] = '\0';
		rc = fws_p256_recipient_parse(text, pk);
	}
	free(buf);
	return rc;
}

int fws_p256_secret_text(const uint8_t sk[FWS_P256_SCALAR_BYTES],
			 const uint8_t pk[FWS_P256_POINT_BYTES], char *out, size_t cap)
{
	char rec[FWS_P256_RECIPIENT_LEN + 1], secret[FWS_P256_SECRET_LEN + 1];
	int n = -1;

	fws_p256_recipient_format(pk, rec);
	if (fws_bech32_encode(FWS_P256_SECRET_HRP, sk, FWS_P256_SCALAR_BYTES, 1, secret,
			      sizeof secret) == 0)
		n = snprintf(out, cap,
			     "# fwseal P-256 device key (secret): keep it on the device only, "
			     "mode 0600\n# recipient: %s\n%s\n",
			     rec, secret);
	sodium_memzero(secret, sizeof secret);
	return n > 0 && (size_t)n < cap ? n : FWS_EINTERNAL;
}

int fws_p256_public_text(const uint8_t pk[FWS_P256_POINT_BYTES], char *out, size_t cap)
{
	char rec[FWS_P256_RECIPIENT_LEN + 1];
	int n;

	fws_p256_recipient_format(pk, rec);
	n = snprintf(out, cap, "# fwseal P-256 device key (recipient: give it to --to)\n%s\n",
		     rec);
	return n > 0 && (size_t)n < cap ? n : FWS_EINTERNAL;
}
