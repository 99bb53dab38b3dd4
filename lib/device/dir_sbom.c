/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM of each set, kept in the device directory (DIR/sbom.a,
 * DIR/sbom.b; for a configured device in state-dir): the SBOM of the
 * release installed there, exactly as the bundle carried it and as the
 * verifier hashed it. It is staged in a new, exclusive temporary file
 * (".sbom-<set>.<random>.tmp", removed by the next operation's clean-up if
 * a crash leaves it) and renamed into place only after the whole bundle
 * verified, then the directory is fsynced: the same safe-output rules as
 * every other file the device writes (lib/io). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/dir_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

static void name_of(char set, char out[16])
{
	snprintf(out, 16, DIR_SBOM_PREFIX "%s", fws_dir_set_name(set));
}

static void drop_staged(struct fws_dir_backend *b)
{
	if (b->sbom_fd < 0)
		return;
	close(b->sbom_fd);
	b->sbom_fd = -1;
	(void)fws_io_unlinkat(&b->fs, b->dirfd, b->sbom_name, 0);
}

static int stage(void *ctx, char set)
{
	struct fws_dir_backend *b = ctx;
	char base[16];
	drop_staged(b);
	snprintf(base, sizeof(base), "sbom-%s", fws_dir_set_name(set));
	return fws_io_create_temp(&b->fs, b->dirfd, base, "tmp", 0644, b->sbom_name, &b->sbom_fd);
}

static int write_(void *ctx, const uint8_t *data, size_t len)
{
	struct fws_dir_backend *b = ctx;
	if (b->sbom_fd < 0)
		return FWS_EINTERNAL;
	return fws_io_write_all(&b->fs, b->sbom_fd, data, len, b->sbom_name);
}

static int commit(void *ctx, char set, int staged)
{
	struct fws_dir_backend *b = ctx;
	char name[16];
	int rc;
	name_of(set, name);
	if (!staged) {
		/* A release without SBOM: the set's old SBOM must not pass for its. */
		struct stat st;
		drop_staged(b);
		if (fstatat(b->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
			return 0; /* nothing to remove: no write, no fsync */
		rc = fws_io_unlinkat(&b->fs, b->dirfd, name, 0);
		return rc == 0 ? fws_io_fsync_dir(&b->fs, b->dirfd, name) : rc;
	}
	if (b->sbom_fd < 0)
		return FWS_EINTERNAL;
	rc = fws_io_fsync(&b->fs, b->sbom_fd, b->sbom_name);
	if (rc == 0)
		rc = fws_io_renameat(&b->fs, b->dirfd, b->sbom_name, b->dirfd, name);
	if (rc == 0) {
		close(b->sbom_fd);
		b->sbom_fd = -1;
		rc = fws_io_fsync_dir(&b->fs, b->dirfd, name);
	} else {
		drop_staged(b);
	}
	return rc;
}

static void discard(void *ctx)
{
	drop_staged(ctx);
}

static int open_(void *ctx, char set, int *fd)
{
	struct fws_dir_backend *b = ctx;
	char name[16];
	name_of(set, name);
	return fws_io_openat(&b->fs, b->dirfd, name, O_RDONLY | O_CLOEXEC, 0, fd);
}

void fws_dir_sbom_init(struct fws_sbom_store *s, struct fws_dir_backend *b)
{
	s->ctx = b;
	s->stage = stage;
	s->write = write_;
	s->commit = commit;
	s->discard = discard;
	s->open = open_;
}
