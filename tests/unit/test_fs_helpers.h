/* SPDX-License-Identifier: Apache-2.0 */
/* File-system helpers for the tests that plant files, links and FIFOs
 * around the library's writers and check that nothing outside was
 * touched: whole-file reads and writes, trees, removal, a fault-injecting
 * struct fws_fs_ops. Plain POSIX only, so they never share a bug with
 * lib/io. */
#ifndef FWSEAL_TEST_FS_HELPERS_H
#define FWSEAL_TEST_FS_HELPERS_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fwseal/fsops.h"

/* "%s/%s" into a static ring of 8 buffers: use the result at once (in
 * one call or assertion), never keep it. */
static inline const char *pj(const char *dir, const char *name)
{
	static char ring[8][4200];
	static int next;
	char *p = ring[next++ % 8];
	size_t dl = strlen(dir), nl = strlen(name);
	cr_assert_lt(dl + 1 + nl, sizeof(ring[0]));
	/* memmove: dir may itself be an earlier result from the ring */
	memmove(p, dir, dl);
	p[dl] = '/';
	memmove(p + dl + 1, name, nl + 1);
	return p;
}

/* The whole file (NUL-terminated); NULL when it cannot be opened. */
static inline char *fs_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return NULL;
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert(S_ISREG(st.st_mode), "%s is not a regular file", path);
	char *buf = malloc((size_t)st.st_size + 1);
	cr_assert_not_null(buf);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		cr_assert_gt(n, 0, "read %s", path);
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (len != NULL)
		*len = got;
	return buf;
}

static inline void fs_spill(const char *path, const void *data, size_t len, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, (mode_t)mode);
	cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	cr_assert_eq(close(fd), 0);
}

static inline void fs_spill_str(const char *path, const char *s)
{
	fs_spill(path, s, strlen(s), 0644);
}

/* 1 when path holds exactly these bytes. */
static inline int fs_equals(const char *path, const void *want, size_t len)
{
	size_t got_len;
	char *got = fs_slurp(path, &got_len);
	int ok = got != NULL && got_len == len && memcmp(got, want, len) == 0;
	free(got);
	return ok;
}

static inline int fs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static inline mode_t fs_mode(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "lstat %s", path);
	return st.st_mode;
}

static inline ino_t fs_ino(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "lstat %s", path);
	return st.st_ino;
}

static inline nlink_t fs_links(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "lstat %s", path);
	return st.st_nlink;
}

/* Names in dir (not . and ..), sorted, joined by ' ' into out. */
static inline int fs_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline size_t fs_list(const char *dir, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[256];
	size_t n = 0, used = 0;
	cr_assert_not_null(d, "opendir %s", dir);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		cr_assert_lt(n, 256);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), fs_cmp_names);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + used, cap - used, "%s%s", i ? " " : "", names[i]);
		cr_assert(w >= 0 && (size_t)w < cap - used);
		used += (size_t)w;
		free(names[i]);
	}
	return n;
}

/* rm -rf, never following links (a planted link is removed, not its
 * target). */
static inline void fs_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		/* Make a directory a test chmod'ed or chown'ed ours again. */
		(void)chmod(path, 0700);
		DIR *d = opendir(path);
		struct dirent *e;
		cr_assert_not_null(d, "opendir %s", path);
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[4400];
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			fs_rm_rf(sub);
		}
		closedir(d);
		cr_assert_eq(rmdir(path), 0, "rmdir %s: %s", path, strerror(errno));
	} else {
		cr_assert_eq(unlink(path), 0, "unlink %s: %s", path, strerror(errno));
	}
}

/* A fingerprint of everything below path (names, types, modes, owners,
 * sizes, bytes, link targets), never following links: equal before and
 * after means untouched. */
struct fs_print {
	char *buf;
	size_t len, cap;
};

static inline void fs_print_add(struct fs_print *p, const char *s, size_t n)
{
	if (p->len + n + 1 > p->cap) {
		p->cap = (p->len + n + 1) * 2;
		p->buf = realloc(p->buf, p->cap);
		cr_assert_not_null(p->buf);
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

static inline void fs_print_walk(struct fs_print *p, const char *path, int depth)
{
	struct stat st;
	char head[4400];
	cr_assert_lt(depth, 32);
	if (lstat(path, &st) != 0) {
		int n = snprintf(head, sizeof(head), "%s missing\n", path);
		fs_print_add(p, head, (size_t)n);
		return;
	}
	/* Not the link count: removing a planted hard link changes it, and
	 * that is no change to the file. */
	int n = snprintf(head, sizeof(head), "%s mode %o size %lld uid %u\n", path,
			 (unsigned)st.st_mode, (long long)st.st_size, (unsigned)st.st_uid);
	fs_print_add(p, head, (size_t)n);
	if (S_ISREG(st.st_mode)) {
		size_t len;
		char *data = fs_slurp(path, &len);
		cr_assert_not_null(data);
		fs_print_add(p, data, len);
		free(data);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t t = readlink(path, target, sizeof(target));
		cr_assert_gt(t, 0);
		fs_print_add(p, target, (size_t)t);
	} else if (S_ISDIR(st.st_mode)) {
		char list[8192], *save = NULL;
		fs_list(path, list, sizeof(list));
		for (char *name = strtok_r(list, " ", &save); name;
		     name = strtok_r(NULL, " ", &save)) {
			char sub[4400];
			snprintf(sub, sizeof(sub), "%s/%s", path, name);
			fs_print_walk(p, sub, depth + 1);
		}
	}
}

/* malloc'd fingerprint of path. */
static inline char *fs_fingerprint(const char *path)
{
	struct fs_print p = {NULL, 0, 0};
	fs_print_walk(&p, path, 0);
	return p.buf;
}

/* --- fault-injecting file-system operations ---
 *
 * Each call is matched against a rule: the operation kind, optionally a
 * name (the final component, or a prefix ending in '*'), and which of the
 * matching calls fails (nth, 1-based; 0 = every one). `dead` makes every
 * call after the first failure fail too (power loss). Writes are matched
 * by the name the descriptor was opened under. */
enum fault_op {
	FOP_NONE = 0,
	FOP_OPEN,
	FOP_WRITE,
	FOP_FSYNC,
	FOP_TRUNCATE,
	FOP_RENAME, /* matched against the target name */
	FOP_EXCHANGE,
	FOP_LINK,
	FOP_UNLINK,
	FOP_MKDIR,
	FOP_ANY,
};

#define FAULT_FDS 256

struct fault_fs {
	enum fault_op op;
	const char *name; /* NULL = any name */
	int nth;	  /* 0 = every matching call */
	int err;	  /* errno to fail with (EIO when 0) */
	int dead_after;	  /* 1: everything fails after the first fault */
	int write_zero;	  /* FOP_WRITE: return 0 (no progress) instead of -1 */
	int torn;	  /* FOP_WRITE: half the bytes land, then the failure */
	/* out */
	int seen;   /* matching calls */
	int faults; /* calls failed */
	int dead;
	/* the name each descriptor was opened under through these ops, with
	 * its identity (a number reused by a descriptor opened elsewhere, such
	 * as a directory, has no name) */
	char fd_name[FAULT_FDS][64];
	dev_t fd_dev[FAULT_FDS];
	ino_t fd_ino[FAULT_FDS];
};

static inline int fault_name_match(const char *rule, const char *name)
{
	if (rule == NULL)
		return 1;
	if (name == NULL)
		return 0;
	size_t n = strlen(rule);
	if (n > 0 && rule[n - 1] == '*')
		return strncmp(rule, name, n - 1) == 0;
	return strcmp(rule, name) == 0;
}

/* 1 when this call must fail (errno set). */
static inline int fault_hit(struct fault_fs *f, enum fault_op op, const char *name)
{
	if (f->dead) {
		errno = f->err ? f->err : EIO;
		f->faults++;
		return 1;
	}
	if ((f->op != FOP_ANY && f->op != op) || !fault_name_match(f->name, name))
		return 0;
	f->seen++;
	if (f->nth != 0 && f->seen != f->nth)
		return 0;
	f->faults++;
	if (f->dead_after)
		f->dead = 1;
	errno = f->err ? f->err : EIO;
	return 1;
}

static inline const char *fault_fd_name(struct fault_fs *f, int fd)
{
	struct stat st;
	if (fd < 0 || fd >= FAULT_FDS || fstat(fd, &st) != 0 || st.st_dev != f->fd_dev[fd] ||
	    st.st_ino != f->fd_ino[fd])
		return "";
	return f->fd_name[fd];
}

static inline int ff_openat(void *ctx, int dirfd, const char *name, int flags, unsigned mode)
{
	struct fault_fs *f = ctx;
	if (fault_hit(f, FOP_OPEN, name))
		return -1;
	int fd = openat(dirfd, name, flags, (mode_t)mode);
	struct stat st;
	if (fd >= 0 && fd < FAULT_FDS && fstat(fd, &st) == 0) {
		snprintf(f->fd_name[fd], sizeof(f->fd_name[fd]), "%s", name);
		f->fd_dev[fd] = st.st_dev;
		f->fd_ino[fd] = st.st_ino;
	}
	return fd;
}

static inline ssize_t ff_write(void *ctx, int fd, const void *buf, size_t len)
{
	struct fault_fs *f = ctx;
	int was_dead = f->dead;
	if (fault_hit(f, FOP_WRITE, fault_fd_name(f, fd))) {
		if (f->torn && !was_dead && len > 1) {
			int keep = errno;
			(void)!write(fd, buf, len / 2);
			errno = keep;
		}
		return f->write_zero && !was_dead ? 0 : -1;
	}
	return write(fd, buf, len);
}

static inline int ff_fsync(void *ctx, int fd)
{
	struct fault_fs *f = ctx;
	/* A directory descriptor was opened by the library itself, not
	 * through openat here: it has no name (""). */
	if (fault_hit(f, FOP_FSYNC, fault_fd_name(f, fd)))
		return -1;
	return fsync(fd);
}

static inline int ff_ftruncate(void *ctx, int fd, off_t len)
{
	struct fault_fs *f = ctx;
	if (fault_hit(f, FOP_TRUNCATE, fault_fd_name(f, fd)))
		return -1;
	return ftruncate(fd, len);
}

static inline int ff_renameat(void *ctx, int from_dir, const char *from, int to_dir, const char *to,
			      unsigned flags)
{
	struct fault_fs *f = ctx;
	if (fault_hit(f, flags & FWS_RENAME_EXCHANGE ? FOP_EXCHANGE : FOP_RENAME, to))
		return -1;
	return (int)syscall(SYS_renameat2, from_dir, from, to_dir, to, flags);
}

static inline int ff_linkat(void *ctx, int from_dir, const char *from, int to_dir, const char *to)
{
	struct fault_fs *f = ctx;
	if (fault_hit(f, FOP_LINK, to))
		return -1;
	return linkat(from_dir, from, to_dir, to, 0);
}

static inline int ff_unlinkat(void *ctx, int dirfd, const char *name, int flags)
{
	struct fault_fs *f = ctx;
	if (fault_hit(f, FOP_UNLINK, name))
		return -1;
	return unlinkat(dirfd, name, flags);
}

static inline int ff_mkdirat(void *ctx, int dirfd, const char *name, unsigned mode)
{
	struct fault_fs *f = ctx;
	if (fault_hit(f, FOP_MKDIR, name))
		return -1;
	return mkdirat(dirfd, name, (mode_t)mode);
}

static inline struct fws_fs_ops fault_ops(struct fault_fs *f)
{
	memset(f->fd_name, 0, sizeof(f->fd_name));
	memset(f->fd_dev, 0, sizeof(f->fd_dev));
	memset(f->fd_ino, 0, sizeof(f->fd_ino));
	struct fws_fs_ops ops = {f,	      ff_openat, ff_write,    ff_fsync,	 ff_ftruncate,
				 ff_renameat, ff_linkat, ff_unlinkat, ff_mkdirat};
	return ops;
}

#endif
