/* SPDX-License-Identifier: Apache-2.0 */
/* The I/O layer under bundle, device and sign: every file the library
 * reads or writes goes through these helpers. Internal (not installed).
 *
 * Rules they enforce, so no caller has to remember them:
 * - names are looked up below an open directory descriptor, never through
 *   a path string, and never through a symbolic link (O_NOFOLLOW);
 * - a file that is written is created new and exclusive under an
 *   unpredictable name (O_CREAT | O_EXCL), then renamed or linked into
 *   place: a planted link or file at the name can neither redirect nor
 *   truncate anything;
 * - a file written in place (an append-only log) must be a regular file
 *   with exactly one link, owned by the directory's owner;
 * - every failure records its reason (fwseal/diag.h), with errno kept. */
#ifndef FWSEAL_IO_IO_H
#define FWSEAL_IO_IO_H

#include <stddef.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/diag.h"
#include "fwseal/fsops.h"

/* --- diagnostics (diag.c) --- */

/* Records code with the part of the input that failed (where, may be NULL)
 * and the rule (printf format, may be NULL); err is an errno or 0.
 * Returns code, so a caller can write `return fws_diag_set(...)`. */
int fws_diag_set(int code, int err, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Prepends an outer part to the recorded `where`: sep '/' for paths
 * ("b" + "rootfs" -> "b/rootfs"), '.' for fields ("payloads[3]" +
 * "chunk_size"; a `where` starting with '[' is joined without a dot). */
void fws_diag_prefix(char sep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The FWS_E* code for a failed system call's errno: ENOENT -> FWS_ENOENT,
 * ENOSPC/EDQUOT -> FWS_ENOSPC, anything else FWS_EIO. */
int fws_errno_code(int err);
/* Puts back a diagnostic saved before a clean-up step that may fail too. */
void fws_diag_restore(const struct fws_diag *saved);

/* --- system calls through struct fws_fs_ops (fs_calls.c) ---
 * Each returns 0 or an FWS_E* code and records the name that failed. */

/* flags as for openat(2); O_NOFOLLOW is always added, and a symbolic link
 * at name is FWS_EUNSAFE. */
int fws_io_openat(const struct fws_fs_ops *fs, int dirfd, const char *name, int flags,
		  unsigned mode, int *fd);
int fws_io_write_all(const struct fws_fs_ops *fs, int fd, const void *buf, size_t len,
		     const char *name);
int fws_io_fsync(const struct fws_fs_ops *fs, int fd, const char *name);
int fws_io_ftruncate(const struct fws_fs_ops *fs, int fd, off_t len, const char *name);
int fws_io_renameat(const struct fws_fs_ops *fs, int from_dir, const char *from, int to_dir,
		    const char *to);
/* Swaps two names atomically (Linux renameat2 RENAME_EXCHANGE); where the
 * file system cannot, FWS_EUSAGE so the caller can fall back. */
int fws_io_exchangeat(const struct fws_fs_ops *fs, int dirfd, const char *a, const char *b);
/* FWS_EEXIST when `to` exists (the atomic exclusive publish). */
int fws_io_linkat(const struct fws_fs_ops *fs, int from_dir, const char *from, int to_dir,
		  const char *to);
/* A missing name is success. flags: 0 or AT_REMOVEDIR. */
int fws_io_unlinkat(const struct fws_fs_ops *fs, int dirfd, const char *name, int flags);
int fws_io_mkdirat(const struct fws_fs_ops *fs, int dirfd, const char *name, unsigned mode);
/* fsync of an open directory (after a rename into it); file systems that
 * cannot sync a directory (EINVAL) are as durable as they get. */
int fws_io_fsync_dir(const struct fws_fs_ops *fs, int dirfd, const char *name);

/* --- temporary and staging names (fs_write.c) --- */

#define FWS_IO_RANDOM 12 /* random characters in a temporary name */
#define FWS_IO_NAME_MAX 256

/* Creates ".BASE.<12 random>.SUFFIX" below dirfd, new and exclusive, mode
 * exactly `mode`; the name goes to name_out (FWS_IO_NAME_MAX bytes). */
int fws_io_create_temp(const struct fws_fs_ops *fs, int dirfd, const char *base,
		       const char *suffix, unsigned mode, char *name_out, int *fd);
/* A fresh ".BASE.<12 random>.SUFFIX" name (nothing is created). */
int fws_io_temp_name(const char *base, const char *suffix, char *name_out);
/* The same for a new, empty directory (mode & ~umask). */
int fws_io_mkdir_temp(const struct fws_fs_ops *fs, int dirfd, const char *base,
		      const char *suffix, unsigned mode, char *name_out);
/* Removes NAME below dirfd and, if it is a directory, everything in it,
 * never following a link (a link is removed, not its target); at most 16
 * levels deep. The path that could not be removed is recorded. */
int fws_io_remove_tree(const struct fws_fs_ops *fs, int dirfd, const char *name);
/* 1 when name is one that fws_io_create_temp makes with this suffix. */
int fws_io_is_temp_name(const char *name, const char *suffix);

/* NAME replaced atomically below dirfd: a new temporary file is written,
 * fsynced and renamed over NAME, then the directory is fsynced. After a
 * crash NAME holds the old or the new content, never a mix. */
int fws_io_replace_at(const struct fws_fs_ops *fs, int dirfd, const char *name,
		      const void *buf, size_t len, unsigned mode);
/* As replace, but NAME must not exist (FWS_EEXIST): linked, not renamed. */
int fws_io_create_at(const struct fws_fs_ops *fs, int dirfd, const char *name,
		     const void *buf, size_t len, unsigned mode);

/* --- reading (fs_read.c) --- */

/* Reads NAME below dirfd (AT_FDCWD and a path for operator files) into buf:
 * a regular file of at most cap bytes (FWS_ELIMIT beyond), never a FIFO
 * or device (FWS_EIO), never blocking. nofollow: a symbolic link is
 * FWS_EUNSAFE. FWS_ENOENT when missing. */
int fws_io_read_at(int dirfd, const char *name, int nofollow, uint8_t *buf, size_t cap,
		   size_t *len);
/* The same into a new allocation of len + 1 bytes (NUL after the end). */
int fws_io_read_all_at(int dirfd, const char *name, int nofollow, size_t max, uint8_t **out,
		       size_t *len);
/* The same from an open descriptor (its file checked as above). */
int fws_io_read_all_fd(int fd, const char *name, size_t max, uint8_t **out, size_t *len);
/* Reads from fd until len bytes or the end; *got tells how many. */
int fws_io_read_full(int fd, uint8_t *buf, size_t len, size_t *got);

/* --- directories and files that must be safe to write (fs_safe.c) --- */

/* Opens NAME below dirfd as a directory (never through a link) that is
 * owned by `owner` (skipped when owner == (uid_t)-1) and not writable by
 * group or others. FWS_EUNSAFE otherwise, FWS_ENOENT when missing. */
int fws_io_open_dir(int dirfd, const char *name, uid_t owner, int *fd);
/* Opens the directory an absolute PATH names a file in: the descriptor, or
 * -1 with errno. *base is the file's name in it; dir (cap bytes) receives
 * the directory, for messages. */
int fws_io_open_parent(const char *path, char *dir, size_t cap, const char **base);
/* A file that decides what fwseal trusts or runs (system.conf, a
 * bootloader program): regular, owned by root or the effective user, not
 * writable by group or others; FWS_EUNSAFE naming `what` otherwise. */
int fws_io_check_trusted(const struct stat *st, const char *name, const char *what);
/* The rule for every file that decides where fwseal writes or what it
 * runs (fs_trust.c, ADR-070): PATH and every directory on its way owned by
 * root or the effective user and not writable by group or others (a
 * root-owned sticky directory passes; a block device may be writable by
 * its group); links followed only from a directory that passed. flags:
 * FWS_TRUST_DEVICE a block device is accepted too, FWS_TRUST_DIR PATH is a
 * directory, FWS_TRUST_NOLINK a link at PATH itself is refused (the file
 * is replaced by a rename). A missing PATH (or directory) passes: the
 * caller's open names it. FWS_EUNSAFE or FWS_EFILETYPE naming `what`. */
#define FWS_TRUST_DEVICE 1u
#define FWS_TRUST_DIR 2u
#define FWS_TRUST_NOLINK 4u
#define FWS_TRUST_CHARDEV 8u /* a character device too (MTD, UBI: an environment) */
int fws_io_check_path(const char *path, const char *what, unsigned flags);
/* An open file that will be written in place: regular, exactly one link,
 * owned by owner. FWS_EUNSAFE otherwise. */
int fws_io_check_inplace(int fd, uid_t owner, const char *name);

/* --- programs fwseal runs (run.c) --- */

/* A program run without a shell, in its own process group, with only
 * descriptors 0-2 (stdin_fd or /dev/null, a pipe, /dev/null), bounded in
 * time as a whole and in output; the group is killed when the run ends. */
struct fws_run {
	const char *path;
	char *const *argv;
	char *const *envp;
	int stdin_fd;        /* -1: /dev/null */
	unsigned timeout_ms; /* output and exit together */
	char *out;           /* out_cap + 1 bytes: its stdout, NUL-terminated */
	size_t out_cap;
};
enum fws_run_end { FWS_RUN_EXITED, FWS_RUN_TIMEOUT, FWS_RUN_TOO_MUCH };
struct fws_run_result {
	enum fws_run_end end;
	int exited; /* 1: status is an exit status, 0: a signal number */
	int status;
	size_t out_len;
};
/* 0 when the program ran (see res->end), else the errno why it could not
 * start; the caller names the failure with its own code. */
int fws_run_program(const struct fws_run *r, struct fws_run_result *res);

#endif
