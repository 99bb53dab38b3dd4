/* SPDX-License-Identifier: Apache-2.0 */
/* Passphrases for the CLIs: from a file, the environment or the terminal,
 * always into sodium_malloc'd memory that is wiped on free.
 *
 * On failure cli_passphrase_get has already printed one line saying why;
 * callers return cli_status(rc) without printing again. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "fwseal/error.h"

/* Longest passphrase accepted from any source; also the largest passphrase
 * file (a passphrase file that is bigger is the wrong file). */
#define PASS_MAX 4096

#define NO_TTY_HINT "use --passphrase-file FILE or set FWSEAL_PASSPHRASE"

static int pass_fail(const char *subject, const char *why, int code)
{
	(void)cli_fail_why(subject, code, NULL, "%s", why);
	return code;
}

void cli_passphrase_free(char *pass)
{
	/* sodium_free wipes before unmapping. */
	if (pass != NULL)
		sodium_free(pass);
}

static char *pass_alloc(void)
{
	if (sodium_init() < 0)
		return NULL;
	return sodium_malloc(PASS_MAX + 2);
}

/* The first line of buf[0..len) becomes the passphrase: without its "\n" or
 * "\r\n", so that `echo secret > file` and Windows editors both work. A NUL
 * inside would silently cut the passphrase short in other tools. */
static int take_first_line(char *buf, size_t len, const char *subject, size_t *out_len)
{
	char *nl = memchr(buf, '\n', len);

	if (nl != NULL)
		len = (size_t)(nl - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (memchr(buf, '\0', len) != NULL)
		return pass_fail(subject, "passphrase contains a NUL byte", FWS_EUSAGE);
	if (len == 0)
		return pass_fail(subject, "empty passphrase", FWS_EUSAGE);
	sodium_memzero(buf + len, PASS_MAX + 2 - len);
	*out_len = len;
	return 0;
}

static int pass_from_file(const char *path, char *buf, size_t *out_len)
{
	struct stat st;
	size_t len = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return pass_fail(path, errno == ENOENT ? fws_strerror(FWS_ENOENT) : strerror(errno),
				 errno == ENOENT ? FWS_ENOENT : FWS_EIO);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = pass_fail(path, "passphrase file is not a regular file", FWS_EUSAGE);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, PASS_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pass_fail(path, strerror(errno), FWS_EIO);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > PASS_MAX) {
			rc = pass_fail(path, "passphrase file larger than 4 KiB", FWS_ELIMIT);
			goto out;
		}
	}
	rc = take_first_line(buf, len, path, out_len);
out:
	close(fd);
	return rc;
}

static int pass_from_env(const char *name, const char *value, char *buf, size_t *out_len)
{
	size_t len = strlen(value);

	if (len > PASS_MAX)
		return pass_fail(name, "passphrase longer than 4096 bytes", FWS_ELIMIT);
	if (len == 0)
		return pass_fail(name, "empty passphrase", FWS_EUSAGE);
	memcpy(buf, value, len);
	buf[len] = '\0';
	*out_len = len;
	return 0;
}

/* One line from the terminal with echo off. The old settings are restored
 * on every path out, so a failed read never leaves the terminal silent. */
static int tty_read_line(int fd, const char *prompt, const char *hint, char *buf,
			 size_t *out_len)
{
	char why[256];
	struct termios old, quiet;
	size_t len = 0;
	int rc = 0, restored = 0;

	if (tcgetattr(fd, &old) != 0) {
		snprintf(why, sizeof why, "no usable terminal to ask for a %s", hint);
		return pass_fail(NULL, why, FWS_EUSAGE);
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL | ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		return pass_fail(NULL, "cannot turn terminal echo off", FWS_EIO);
	if (write(fd, prompt, strlen(prompt)) < 0) {
		rc = pass_fail(NULL, "cannot write the passphrase prompt", FWS_EIO);
		goto out;
	}
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pass_fail(NULL, "cannot read the passphrase", FWS_EIO);
			goto out;
		}
		if (n == 0 || c == '\n')
			break;
		if (len == PASS_MAX) {
			rc = pass_fail(NULL, "passphrase longer than 4096 bytes", FWS_ELIMIT);
			goto out;
		}
		buf[len++] = c;
	}
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	restored = 1;
	rc = take_first_line(buf, len, NULL, out_len);
out:
	if (!restored)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	return rc;
}

static int pass_from_tty(const char *prompt, const char *hint, int confirm, char *buf,
			 size_t *out_len)
{
	char why[256];
	char *again = NULL;
	size_t again_len = 0;
	int fd, rc;

	/* /dev/tty, not stdin: the passphrase must come from the person at the
	 * terminal even when stdin is a pipe carrying data. */
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, sizeof why, "no terminal to ask for a %s", hint);
		return pass_fail(NULL, why, FWS_EUSAGE);
	}
	rc = tty_read_line(fd, prompt, hint, buf, out_len);
	if (rc != 0 || !confirm)
		goto out;
	again = pass_alloc();
	if (again == NULL) {
		rc = pass_fail(NULL, fws_strerror(FWS_ENOMEM), FWS_ENOMEM);
		goto out;
	}
	rc = tty_read_line(fd, "confirm passphrase: ", hint, again, &again_len);
	if (rc != 0)
		goto out;
	/* A typo in a new passphrase would lock the key away for good. */
	if (again_len != *out_len || sodium_memcmp(again, buf, again_len) != 0)
		rc = pass_fail(NULL, "passphrases do not match", FWS_EUSAGE);
out:
	cli_passphrase_free(again);
	close(fd);
	return rc;
}

int cli_passphrase_get(const char *file, const char *prompt, int confirm, char **out,
		       size_t *out_len)
{
	return cli_secret_get(file, "FWSEAL_PASSPHRASE", "passphrase; " NO_TTY_HINT, prompt,
			      confirm, out, out_len);
}

int cli_secret_get(const char *file, const char *env_name, const char *hint, const char *prompt,
		   int confirm, char **out, size_t *out_len)
{
	const char *env = getenv(env_name);
	char *buf;
	size_t len = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	buf = pass_alloc();
	if (buf == NULL)
		return pass_fail(NULL, fws_strerror(FWS_ENOMEM), FWS_ENOMEM);
	if (file != NULL)
		rc = pass_from_file(file, buf, &len);
	else if (env != NULL)
		rc = pass_from_env(env_name, env, buf, &len);
	else
		rc = pass_from_tty(prompt != NULL ? prompt : "passphrase: ", hint, confirm, buf,
				   &len);
	if (rc != 0) {
		cli_passphrase_free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}
