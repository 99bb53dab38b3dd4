/* SPDX-License-Identifier: Apache-2.0 */
/* Operator outputs (fwseal/fileio.h): one policy for existing files, and
 * never an output that is one of the command's own inputs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "io/io.h"

int fws_file_read_all(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
	if (out == NULL || out_len == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	*out_len = 0;
	if (path == NULL)
		return FWS_EUSAGE;
	return fws_io_read_all_at(AT_FDCWD, path, 0, max, out, out_len);
}

/* Splits path into its directory (opened; links followed: the path is the
 * operator's) and its last component. */
static int open_parent(const char *path, int *dirfd, char *name, size_t cap)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t dl = slash == NULL ? 0 : (slash == path ? 1 : (size_t)(slash - path));
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strlen(base) >= cap || dl >= sizeof(dir))
		return fws_diag_set(FWS_EUSAGE, 0, path, "not a file name");
	memcpy(name, base, strlen(base) + 1);
	if (slash == NULL)
		strcpy(dir, ".");
	else {
		memcpy(dir, path, dl);
		dir[dl] = '\0';
	}
	*dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return fws_diag_set(fws_errno_code(errno), errno, dir, "cannot open directory");
	return 0;
}

/* FWS_ESAMEFILE when the file now at dirfd/name is one of the inputs. */
static int check_not_input(const struct fws_output *o, const struct stat *st)
{
	for (size_t i = 0; i < o->n_inputs; i++)
		if (st->st_dev == o->in_dev[i] && st->st_ino == o->in_ino[i])
			return fws_diag_set(FWS_ESAMEFILE, 0, o->name,
					    "is also an input of this command");
	return 0;
}

int fws_output_open(struct fws_output *o, const char *path, unsigned mode, int policy,
		    const char *const *inputs, size_t n_inputs)
{
	struct stat st;
	int rc;
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->dirfd = -1;
	if (path == NULL || (inputs == NULL && n_inputs > 0) || n_inputs > FWS_OUT_INPUTS_MAX ||
	    policy < FWS_OUT_NEW || policy > FWS_OUT_UPDATE)
		return FWS_EUSAGE;
	o->policy = policy;
	o->mode = mode & 0777;
	/* Identities of the inputs, links followed: a hard link or a symbolic
	 * link to an input is the input. */
	for (size_t i = 0; i < n_inputs; i++) {
		if (inputs[i] == NULL || strcmp(inputs[i], "-") == 0 || stat(inputs[i], &st) != 0)
			continue;
		o->in_dev[o->n_inputs] = st.st_dev;
		o->in_ino[o->n_inputs++] = st.st_ino;
	}
	rc = open_parent(path, &o->dirfd, o->name, sizeof(o->name));
	if (rc != 0)
		return rc;
	if (fstatat(o->dirfd, o->name, &st, 0) == 0) {
		rc = check_not_input(o, &st);
		if (rc == 0 && S_ISDIR(st.st_mode))
			rc = fws_diag_set(FWS_EIO, EISDIR, path, "cannot write");
		if (rc == 0 && policy == FWS_OUT_NEW)
			rc = fws_diag_set(FWS_EEXIST, 0, path,
					  "already exists (--force replaces it)");
		if (rc == 0 && policy == FWS_OUT_UPDATE) {
			if (!S_ISREG(st.st_mode))
				rc = fws_diag_set(FWS_EIO, 0, path, "not a regular file");
			else if (!(st.st_mode & S_IWUSR))
				rc = fws_diag_set(FWS_EIO, EACCES, path, "is read-only");
			o->mode = st.st_mode & 0777;
		}
	} else if (errno != ENOENT) {
		rc = fws_diag_set(fws_errno_code(errno), errno, path, "cannot open");
	} else if (policy == FWS_OUT_UPDATE) {
		rc = fws_diag_set(FWS_ENOENT, ENOENT, path, "cannot open");
	}
	if (rc == 0) {
		rc = fws_io_create_temp(NULL, o->dirfd, o->name, "tmp", o->mode, o->tmp, &o->fd);
		/* Name the output, not the temporary file, in the message. */
		if (rc != 0 && fws_diag_last()->code == rc)
			(void)fws_diag_set(rc, fws_diag_last()->os_errno, path, "cannot create");
	}
	if (rc != 0)
		fws_output_abort(o);
	return rc;
}

int fws_output_check(const char *path, int policy, const char *const *inputs, size_t n_inputs)
{
	struct fws_output o;
	int rc = fws_output_open(&o, path, 0600, policy, inputs, n_inputs);
	fws_output_abort(&o);
	return rc;
}

int fws_output_commit(struct fws_output *o)
{
	struct stat st;
	int rc = fws_io_fsync(NULL, o->fd, o->name);
	if (close(o->fd) != 0 && rc == 0)
		rc = fws_diag_set(fws_errno_code(errno), errno, o->name, "cannot write");
	o->fd = -1;
	/* Inputs may have been linked to the name meanwhile: look again. */
	if (rc == 0 && fstatat(o->dirfd, o->name, &st, 0) == 0)
		rc = check_not_input(o, &st);
	if (rc == 0 && o->policy == FWS_OUT_NEW)
		rc = fws_io_linkat(NULL, o->dirfd, o->tmp, o->dirfd, o->name);
	else if (rc == 0)
		rc = fws_io_renameat(NULL, o->dirfd, o->tmp, o->dirfd, o->name);
	if (rc == 0 && o->policy != FWS_OUT_NEW)
		o->tmp[0] = '\0'; /* renamed: nothing left to remove */
	if (rc == 0)
		rc = fws_io_fsync_dir(NULL, o->dirfd, o->name);
	fws_output_abort(o);
	return rc;
}

void fws_output_abort(struct fws_output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->dirfd >= 0) {
		if (o->tmp[0] != '\0')
			(void)unlinkat(o->dirfd, o->tmp, 0);
		close(o->dirfd);
	}
	o->dirfd = -1;
	o->tmp[0] = '\0';
}

int fws_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
			  int policy, const char *const *inputs, size_t n_inputs)
{
	struct fws_output o;
	if (data == NULL && len != 0)
		return FWS_EUSAGE;
	int rc = fws_output_open(&o, path, mode, policy, inputs, n_inputs);
	if (rc != 0)
		return rc;
	rc = fws_io_write_all(NULL, o.fd, data, len, path);
	if (rc != 0) {
		fws_output_abort(&o);
		return rc;
	}
	return fws_output_commit(&o);
}
