/* SPDX-License-Identifier: Apache-2.0 */
/* Writing files so that nothing planted at a name can redirect, truncate
 * or half-replace them: a new, exclusive file under an unpredictable name,
 * written and fsynced, then renamed (replace) or linked (create) into
 * place, then the directory fsynced. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"

#define TEMP_TRIES 16
#define TEMP_BASE_MAX 180 /* bytes of the base kept in a temporary name */

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";


/* ".<base>.<12 random>.<suffix>" into name_out. */
int fws_io_temp_name(const char *base, const char *suffix, char *name_out)
{
	uint8_t bytes[FWS_IO_RANDOM];
	char rnd[FWS_IO_RANDOM + 1];
	randombytes_buf(bytes, sizeof(bytes));
	for (size_t i = 0; i < FWS_IO_RANDOM; i++)
		rnd[i] = alphabet[bytes[i] % (sizeof(alphabet) - 1)];
	rnd[FWS_IO_RANDOM] = '\0';
	int n = snprintf(name_out, FWS_IO_NAME_MAX, ".%.*s.%s.%s", TEMP_BASE_MAX, base, rnd, suffix);
	if (n < 0 || n >= FWS_IO_NAME_MAX)
		return fws_diag_set(FWS_ELIMIT, 0, base, "name too long");
	return 0;
}

int fws_io_create_temp(const struct fws_fs_ops *fs, int dirfd, const char *base,
		       const char *suffix, unsigned mode, char *name_out, int *fd)
{
	int rc = FWS_EIO;
	*fd = -1;
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	for (int tries = 0; tries < TEMP_TRIES; tries++) {
		/* Unpredictable, so nobody can plant a file or link at the name
		 * ahead of us; O_EXCL makes a collision fail, not follow. */
		rc = fws_io_temp_name(base, suffix, name_out);
		if (rc != 0)
			return rc;
		rc = fws_io_openat(fs, dirfd, name_out, O_RDWR | O_CREAT | O_EXCL, mode, fd);
		if (rc != FWS_EEXIST && rc != FWS_EUNSAFE)
			break;
	}
	if (rc != 0)
		return rc;
	/* The mode is exact, whatever the umask: the docs promise it. */
	if (fchmod(*fd, (mode_t)mode) != 0) {
		rc = fws_diag_set(fws_errno_code(errno), errno, name_out, "cannot set mode");
		close(*fd);
		(void)unlinkat(dirfd, name_out, 0);
		*fd = -1;
	}
	return rc;
}

int fws_io_mkdir_temp(const struct fws_fs_ops *fs, int dirfd, const char *base,
		      const char *suffix, unsigned mode, char *name_out)
{
	int rc = FWS_EIO;
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	for (int tries = 0; tries < TEMP_TRIES; tries++) {
		rc = fws_io_temp_name(base, suffix, name_out);
		if (rc == 0)
			rc = fws_io_mkdirat(fs, dirfd, name_out, mode);
		if (rc != FWS_EEXIST)
			break;
	}
	return rc;
}

int fws_io_is_temp_name(const char *name, const char *suffix)
{
	size_t n = strlen(name), sl = strlen(suffix);
	/* ".<base>.<random>.<suffix>" with a non-empty base. */
	if (name[0] != '.' || n < 1 + 1 + 1 + FWS_IO_RANDOM + 1 + sl)
		return 0;
	const char *tail = name + n - sl;
	const char *rnd = tail - 1 - FWS_IO_RANDOM;
	if (strcmp(tail, suffix) != 0 || tail[-1] != '.' || rnd[-1] != '.')
		return 0;
	for (size_t i = 0; i < FWS_IO_RANDOM; i++)
		if (strchr(alphabet, rnd[i]) == NULL || rnd[i] == '\0')
			return 0;
	return 1;
}

static int write_temp(const struct fws_fs_ops *fs, int dirfd, const char *name, const void *buf,
		      size_t len, unsigned mode, char *tmp)
{
	int fd;
	int rc = fws_io_create_temp(fs, dirfd, name, "tmp", mode, tmp, &fd);
	if (rc != 0)
		return rc;
	rc = fws_io_write_all(fs, fd, buf, len, name);
	/* Durable before visible: the rename must never expose a file whose
	 * bytes are still only in the page cache. */
	if (rc == 0)
		rc = fws_io_fsync(fs, fd, name);
	if (close(fd) != 0 && rc == 0)
		rc = fws_diag_set(fws_errno_code(errno), errno, name, "cannot write");
	if (rc != 0)
		(void)fws_io_unlinkat(fs, dirfd, tmp, 0);
	return rc;
}

int fws_io_replace_at(const struct fws_fs_ops *fs, int dirfd, const char *name,
		      const void *buf, size_t len, unsigned mode)
{
	char tmp[FWS_IO_NAME_MAX];
	int rc = write_temp(fs, dirfd, name, buf, len, mode, tmp);
	if (rc != 0)
		return rc;
	rc = fws_io_renameat(fs, dirfd, tmp, dirfd, name);
	if (rc != 0) {
		int keep = fws_diag_last()->os_errno;
		(void)fws_io_unlinkat(fs, dirfd, tmp, 0);
		return fws_diag_set(rc, keep, name, "cannot rename into place");
	}
	return fws_io_fsync_dir(fs, dirfd, name);
}

int fws_io_create_at(const struct fws_fs_ops *fs, int dirfd, const char *name,
		     const void *buf, size_t len, unsigned mode)
{
	char tmp[FWS_IO_NAME_MAX];
	int rc = write_temp(fs, dirfd, name, buf, len, mode, tmp);
	if (rc != 0)
		return rc;
	/* link() fails atomically when name exists; a check-then-rename would
	 * race with whoever creates it in between. */
	rc = fws_io_linkat(fs, dirfd, tmp, dirfd, name);
	int rc2 = fws_io_unlinkat(fs, dirfd, tmp, 0);
	if (rc == 0)
		rc = rc2;
	if (rc == 0)
		rc = fws_io_fsync_dir(fs, dirfd, name);
	return rc;
}
