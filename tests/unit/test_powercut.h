/* SPDX-License-Identifier: Apache-2.0 */
/* A power-cut simulator behind struct fws_fs_ops (fwseal/fsops.h), for the
 * crash tests of the directory device (tests/unit/test_device_crash.c).
 *
 * Fault injection, three ways. The N-th operation (any call through the
 * table) fails with EIO and so does every later one ("crash": the process
 * dies; what it wrote survives in the page cache); the same with half the
 * bytes of a write at N landing first ("torn"); or each operation fails on
 * its own with a fixed probability ("random I/O errors", no crash).
 *
 * The power cut. A dead process keeps every completed write; a power cut
 * keeps only what reached the disk. The model tracks, while the operation
 * runs:
 *   - per file (st_dev/st_ino of the descriptor, so names do not matter):
 *     its content as the last fsync of that file left it (or as it was
 *     when the operation first opened it), and every write and ftruncate
 *     since, in order;
 *   - per directory (the inode of the descriptor passed in): every entry
 *     change since the last fsync of that directory, in order: creates
 *     (openat O_CREAT of a new name), mkdirs, links, renames (a replaced
 *     file is kept alive by a hard link in a graveyard directory),
 *     exchanges, unlinks (the file kept in the graveyard) and rmdirs.
 * pc_power_cut() then decides, from a seed, what reached the disk, and
 * makes the real files say so: each file with un-synced writes is cut
 * back to its durable content and gets a random prefix of its un-synced
 * writes re-applied, the last of them torn at a random byte (or none of
 * them: all lost); each directory loses a random suffix of its un-synced
 * entry changes, undone newest first across all directories (a rename not
 * followed by a directory fsync may not have happened; a file created in
 * a directory never fsynced may vanish; a removed file may be back).
 *
 * What ext4 (data=ordered, the default) guarantees: metadata goes through
 * the journal one transaction at a time, so after a crash the namespace
 * is the state at some commit (a prefix of all changes, across
 * directories); newly allocated data blocks are written before the commit
 * that makes them visible, so no stale data shows; an fsync commits the
 * running transaction, names included. What it loses: data not yet
 * written back (with delayed allocation a file grown without fsync can be
 * short or empty: the "zero-length file after rename" of a replace that
 * skipped the fsync), and everything after the last commit.
 *
 * The model assumes less (POSIX, roughly), so what passes here does not
 * depend on ext4's extras:
 *   - fsync(file) makes that file's data durable, not its name;
 *   - fsync(dir) makes that directory's entries durable, not its files'
 *     data and not its own name in its parent;
 *   - each directory keeps its own prefix of its un-synced changes
 *     (ext4 would keep one global prefix), each file a prefix of its
 *     un-synced writes, the last one torn at any byte;
 *   - rename, exchange and link are atomic: done or not;
 *   - what existed before the operation started is durable.
 * Modelled as lost: un-synced writes (all, or all after a torn one),
 * un-synced entry changes (a random newest-first suffix per directory).
 * Not modelled: writes within one file reaching the disk out of order
 * (holes, zero-filled pages inside the kept prefix), sector corruption, a
 * disk that lies about fsync, metadata changed outside the table (fchmod,
 * the lock file, the device directory itself), renames across directories
 * (the device makes none: asserted), O_TRUNC (unused: asserted). The real
 * fsync is not called: the model, not the test machine's disk, decides.
 *
 * Linux only (renameat2). Everything here is caller-allocated and static
 * inline, like the other test helpers. */
#ifndef FWSEAL_TEST_POWERCUT_H
#define FWSEAL_TEST_POWERCUT_H

#ifndef _GNU_SOURCE
#error "test_powercut.h needs _GNU_SOURCE (renameat2) defined before any include"
#endif

#include <criterion/criterion.h>
#include <sodium.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/fsops.h"

#define PC_FILES 128
#define PC_DIRS 32
#define PC_CHANGES 512
#define PC_NAME 256
#define PC_TRACE 4096

struct pc_write {
	off_t off;
	size_t len;
	uint8_t *data; /* NULL: an ftruncate to off */
};

struct pc_file {
	dev_t dev;
	ino_t ino;
	int fd; /* our own descriptor (O_RDWR) */
	char label[PC_NAME];
	uint8_t *durable;
	size_t durable_len;
	struct pc_write *w; /* un-synced, oldest first */
	size_t n_w, cap_w;
};

struct pc_dir {
	dev_t dev;
	ino_t ino;
	int fd;	     /* our own descriptor */
	int removed; /* rmdir'd (or its mkdir undone): gone for good */
	char label[PC_NAME];
};

enum pc_kind { PC_CREATE, PC_MKDIR, PC_LINK, PC_RENAME, PC_EXCHANGE, PC_UNLINK, PC_RMDIR };

struct pc_change {
	enum pc_kind kind;
	struct pc_dir *dir; /* whose entries changed */
	struct pc_dir *sub; /* MKDIR: the new directory; RMDIR: the removed one (or NULL) */
	char name[PC_NAME]; /* RENAME: from; EXCHANGE: one side */
	char to[PC_NAME];   /* RENAME: to; EXCHANGE: the other side */
	char grave[24];	    /* the replaced or removed file, "" = none */
	unsigned mode;	    /* RMDIR: the directory's mode */
	int synced, undo;
};

struct pc_model {
	/* fault injection */
	int step;    /* operations seen */
	int fail_at; /* 1-based; 0 = never */
	int torn;    /* the write at fail_at lands half, then the crash */
	int dead;
	uint32_t rnd, rnd_div;	  /* random mode: each op fails with probability 1/rnd_div */
	char fault[PC_NAME + 64]; /* the operation that failed first, for messages */
	/* the model */
	int grave_fd;
	unsigned graves;
	struct pc_file files[PC_FILES];
	size_t n_files;
	struct pc_dir dirs[PC_DIRS];
	size_t n_dirs;
	struct pc_change ch[PC_CHANGES];
	size_t n_ch;
	/* called after every successful plain rename, with the target */
	void (*on_rename)(void *arg, int dirfd, const char *to);
	void *arg;
	/* what the power cut did, for messages */
	char trace[PC_TRACE];
	size_t trace_len;
};

static inline void pc_trace(struct pc_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void pc_trace(struct pc_model *m, const char *fmt, ...)
{
	va_list ap;
	if (m->trace_len + 1 >= sizeof(m->trace))
		return;
	va_start(ap, fmt);
	int n = vsnprintf(m->trace + m->trace_len, sizeof(m->trace) - m->trace_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->trace_len += (size_t)n < sizeof(m->trace) - m->trace_len
				    ? (size_t)n
				    : sizeof(m->trace) - m->trace_len - 1;
}

/* splitmix64: the outcome of a seed is the same on every machine. */
static inline uint64_t pc_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Removes name below dirfd and everything in it (plain calls, links not
 * followed): the test's own clean-up and the undo of a mkdir. */
static inline int pc_rm_tree(int parent, const char *name)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0);
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rc |= pc_rm_tree(dirfd(d), e->d_name);
	closedir(d);
	return rc | unlinkat(parent, name, AT_REMOVEDIR);
}

/* --- records --- */

static inline struct pc_dir *pc_dir_find(struct pc_model *m, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < m->n_dirs; i++)
		if (m->dirs[i].dev == dev && m->dirs[i].ino == ino && !m->dirs[i].removed)
			return &m->dirs[i];
	return NULL;
}

/* The record of the directory open at dirfd, made on first sight. */
static inline struct pc_dir *pc_dir_of(struct pc_model *m, int dirfd)
{
	struct stat st;
	cr_assert_eq(fstat(dirfd, &st), 0, "power-cut model: fstat of a directory descriptor");
	cr_assert(S_ISDIR(st.st_mode), "power-cut model: not a directory descriptor");
	struct pc_dir *d = pc_dir_find(m, st.st_dev, st.st_ino);
	if (d != NULL)
		return d;
	cr_assert_lt(m->n_dirs, PC_DIRS, "power-cut model: too many directories");
	d = &m->dirs[m->n_dirs++];
	memset(d, 0, sizeof(*d));
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(d->fd, 0);
	snprintf(d->label, sizeof(d->label), "dir#%llu", (unsigned long long)st.st_ino);
	return d;
}

/* Names a directory in messages (the test knows which is which). */
static inline void pc_label_dir(struct pc_model *m, int dirfd, const char *label)
{
	struct pc_dir *d = pc_dir_of(m, dirfd);
	snprintf(d->label, sizeof(d->label), "%s", label);
}

static inline struct pc_file *pc_file_find(struct pc_model *m, int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return NULL;
	for (size_t i = 0; i < m->n_files; i++)
		if (m->files[i].dev == st.st_dev && m->files[i].ino == st.st_ino)
			return &m->files[i];
	return NULL;
}

static inline void pc_read_fd(int fd, uint8_t **buf, size_t *len)
{
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	*buf = malloc(*len + 1);
	cr_assert_not_null(*buf);
	cr_assert_eq(pread(fd, *buf, *len, 0), (ssize_t)*len, "power-cut model: cannot read back");
}

/* The record of the file just opened for writing as dirfd/name (fd): its
 * durable content is what it holds now (new: empty; existing: as the
 * operation found it, unless an earlier open in the same run knew more). */
static inline struct pc_file *pc_file_track(struct pc_model *m, int fd, int dirfd, const char *name)
{
	struct pc_file *f = pc_file_find(m, fd);
	if (f != NULL)
		return f;
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_lt(m->n_files, PC_FILES, "power-cut model: too many files");
	f = &m->files[m->n_files++];
	memset(f, 0, sizeof(*f));
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	/* A descriptor of our own: the library's may be write-only or
	 * O_APPEND, and is closed long before the power cut. */
	f->fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	cr_assert_geq(f->fd, 0, "power-cut model: cannot reopen %s", name);
	snprintf(f->label, sizeof(f->label), "%s", name);
	pc_read_fd(f->fd, &f->durable, &f->durable_len);
	return f;
}

static inline void pc_file_record(struct pc_file *f, off_t off, const void *data, size_t len)
{
	if (f->n_w == f->cap_w) {
		f->cap_w = f->cap_w ? 2 * f->cap_w : 8;
		f->w = realloc(f->w, f->cap_w * sizeof(*f->w));
		cr_assert_not_null(f->w);
	}
	struct pc_write *w = &f->w[f->n_w++];
	w->off = off;
	w->len = len;
	w->data = NULL;
	if (data != NULL) {
		w->data = malloc(len ? len : 1);
		cr_assert_not_null(w->data);
		memcpy(w->data, data, len);
	}
}

static inline void pc_file_synced(struct pc_file *f)
{
	for (size_t i = 0; i < f->n_w; i++)
		free(f->w[i].data);
	f->n_w = 0;
	free(f->durable);
	pc_read_fd(f->fd, &f->durable, &f->durable_len);
}

static inline struct pc_change *pc_change(struct pc_model *m, enum pc_kind kind, struct pc_dir *d,
					  const char *name, const char *to)
{
	cr_assert_lt(m->n_ch, PC_CHANGES, "power-cut model: too many directory changes");
	struct pc_change *c = &m->ch[m->n_ch++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->dir = d;
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (to != NULL)
		snprintf(c->to, sizeof(c->to), "%s", to);
	return c;
}

/* Keeps the file at dirfd/name alive under a new graveyard name, so an
 * unlink or a rename over it can be undone. */
static inline void pc_bury(struct pc_model *m, int dirfd, const char *name, char grave[24])
{
	snprintf(grave, 24, "g%u", m->graves++);
	cr_assert_eq(linkat(dirfd, name, m->grave_fd, grave, 0), 0,
		     "power-cut model: cannot keep %s (%s)", name, strerror(errno));
}

/* --- the operations --- */

/* 1 when this operation fails (and from fail_at on, every later one). */
static inline int pc_hit(struct pc_model *m, const char *what, const char *a, const char *b)
{
	if (m->dead)
		return 1;
	m->step++;
	int hit = 0;
	if (m->rnd_div) {
		m->rnd = m->rnd * 1103515245u + 12345u;
		hit = (m->rnd >> 16) % m->rnd_div == 0; /* an I/O error, not a crash */
	} else if (m->step == m->fail_at) {
		m->dead = hit = 1;
	}
	if (hit && m->fault[0] == '\0')
		snprintf(m->fault, sizeof(m->fault), "op %d: %s %s%s%s", m->step, what, a,
			 b != NULL ? " -> " : "", b != NULL ? b : "");
	return hit;
}

static inline int pc_openat(void *ctx, int dirfd, const char *name, int flags, unsigned mode)
{
	struct pc_model *m = ctx;
	struct stat st;
	if (pc_hit(m, "open", name, NULL)) {
		errno = EIO;
		return -1;
	}
	cr_assert(!(flags & O_TRUNC), "power-cut model: O_TRUNC is not modelled (%s)", name);
	int existed = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	int fd = openat(dirfd, name, flags, (mode_t)mode);
	if (fd < 0)
		return -1;
	if ((flags & O_CREAT) && !existed)
		(void)pc_change(m, PC_CREATE, pc_dir_of(m, dirfd), name, NULL);
	if ((flags & O_ACCMODE) != O_RDONLY)
		(void)pc_file_track(m, fd, dirfd, name);
	return fd;
}

static inline ssize_t pc_do_write(struct pc_file *f, int fd, const void *buf, size_t len)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	off_t off = (fl >= 0 && (fl & O_APPEND)) ? (fstat(fd, &st) == 0 ? st.st_size : -1)
						 : lseek(fd, 0, SEEK_CUR);
	ssize_t n = write(fd, buf, len);
	if (n > 0) {
		cr_assert_geq(off, 0);
		pc_file_record(f, off, buf, (size_t)n);
	}
	return n;
}

static inline ssize_t pc_write(void *ctx, int fd, const void *buf, size_t len)
{
	struct pc_model *m = ctx;
	struct pc_file *f = pc_file_find(m, fd);
	int was_dead = m->dead;
	cr_assert_not_null(f, "power-cut model: a write to a file not opened through the table");
	if (pc_hit(m, "write", f->label, NULL)) {
		if (!was_dead && m->torn && len > 1)
			(void)pc_do_write(f, fd, buf, len / 2);
		errno = EIO;
		return -1;
	}
	return pc_do_write(f, fd, buf, len);
}

static inline int pc_fsync(void *ctx, int fd)
{
	struct pc_model *m = ctx;
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1; /* EBADF, as fsync would say */
	struct pc_file *f = S_ISDIR(st.st_mode) ? NULL : pc_file_find(m, fd);
	struct pc_dir *d = S_ISDIR(st.st_mode) ? pc_dir_of(m, fd) : NULL;
	if (pc_hit(m, "fsync", d != NULL ? d->label : f != NULL ? f->label : "?", NULL)) {
		errno = EIO;
		return -1;
	}
	if (d != NULL) {
		for (size_t i = 0; i < m->n_ch; i++)
			if (m->ch[i].dir == d)
				m->ch[i].synced = 1;
	} else if (f != NULL) {
		pc_file_synced(f);
	}
	return 0;
}

static inline int pc_ftruncate(void *ctx, int fd, off_t len)
{
	struct pc_model *m = ctx;
	struct pc_file *f = pc_file_find(m, fd);
	cr_assert_not_null(f, "power-cut model: ftruncate of a file not opened through the table");
	if (pc_hit(m, "ftruncate", f->label, NULL)) {
		errno = EIO;
		return -1;
	}
	int r = ftruncate(fd, len);
	if (r == 0)
		pc_file_record(f, len, NULL, 0);
	return r;
}

static inline int pc_renameat(void *ctx, int from_dir, const char *from, int to_dir, const char *to,
			      unsigned flags)
{
	struct pc_model *m = ctx;
	struct stat st;
	char grave[24] = "";
	if (pc_hit(m, flags == FWS_RENAME_EXCHANGE ? "exchange" : "rename", from, to)) {
		errno = EIO;
		return -1;
	}
	struct pc_dir *d = pc_dir_of(m, from_dir);
	cr_assert_eq(d, pc_dir_of(m, to_dir),
		     "power-cut model: renames across directories are not modelled");
	if (flags == FWS_RENAME_EXCHANGE) {
		int r = renameat2(from_dir, from, to_dir, to, RENAME_EXCHANGE);
		if (r == 0)
			(void)pc_change(m, PC_EXCHANGE, d, from, to);
		return r;
	}
	cr_assert_eq(flags, 0u);
	if (fstatat(to_dir, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		cr_assert(!S_ISDIR(st.st_mode),
			  "power-cut model: a rename over a directory is not modelled (%s)", to);
		pc_bury(m, to_dir, to, grave);
	}
	int r = renameat(from_dir, from, to_dir, to);
	if (r != 0) {
		int err = errno;
		if (grave[0] != '\0')
			(void)unlinkat(m->grave_fd, grave, 0);
		errno = err;
		return r;
	}
	struct pc_change *c = pc_change(m, PC_RENAME, d, from, to);
	memcpy(c->grave, grave, sizeof(grave));
	if (m->on_rename != NULL)
		m->on_rename(m->arg, to_dir, to);
	return 0;
}

static inline int pc_linkat(void *ctx, int from_dir, const char *from, int to_dir, const char *to)
{
	struct pc_model *m = ctx;
	if (pc_hit(m, "link", from, to)) {
		errno = EIO;
		return -1;
	}
	int r = linkat(from_dir, from, to_dir, to, 0);
	if (r == 0)
		(void)pc_change(m, PC_LINK, pc_dir_of(m, to_dir), to, NULL);
	return r;
}

static inline int pc_unlinkat(void *ctx, int dirfd, const char *name, int flags)
{
	struct pc_model *m = ctx;
	struct stat st;
	char grave[24] = "";
	if (pc_hit(m, (flags & AT_REMOVEDIR) ? "rmdir" : "unlink", name, NULL)) {
		errno = EIO;
		return -1;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return unlinkat(dirfd, name, flags); /* fails as the real call does */
	struct pc_dir *d = pc_dir_of(m, dirfd);
	if (flags & AT_REMOVEDIR) {
		struct pc_dir *sub = pc_dir_find(m, st.st_dev, st.st_ino);
		int r = unlinkat(dirfd, name, flags);
		if (r != 0)
			return r;
		struct pc_change *c = pc_change(m, PC_RMDIR, d, name, NULL);
		c->sub = sub;
		c->mode = (unsigned)(st.st_mode & 07777);
		if (sub != NULL)
			sub->removed = 1;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, flags); /* EISDIR */
	pc_bury(m, dirfd, name, grave);
	int r = unlinkat(dirfd, name, flags);
	if (r != 0) {
		int err = errno;
		(void)unlinkat(m->grave_fd, grave, 0);
		errno = err;
		return r;
	}
	struct pc_change *c = pc_change(m, PC_UNLINK, d, name, NULL);
	memcpy(c->grave, grave, sizeof(grave));
	return 0;
}

static inline int pc_mkdirat(void *ctx, int dirfd, const char *name, unsigned mode)
{
	struct pc_model *m = ctx;
	if (pc_hit(m, "mkdir", name, NULL)) {
		errno = EIO;
		return -1;
	}
	int r = mkdirat(dirfd, name, (mode_t)mode);
	if (r != 0)
		return r;
	struct pc_dir *d = pc_dir_of(m, dirfd);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	struct pc_dir *sub = pc_dir_of(m, fd);
	close(fd);
	snprintf(sub->label, sizeof(sub->label), "%s", name);
	pc_change(m, PC_MKDIR, d, name, NULL)->sub = sub;
	return 0;
}

/* --- life cycle --- */

/* A fresh model; grave_dir: an empty directory on the same file system. */
static inline void pc_begin(struct pc_model *m, const char *grave_dir)
{
	memset(m, 0, sizeof(*m));
	m->grave_fd = open(grave_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(m->grave_fd, 0, "cannot open %s", grave_dir);
}

static inline struct fws_fs_ops pc_ops(struct pc_model *m)
{
	return (struct fws_fs_ops){m,		pc_openat, pc_write,	pc_fsync,  pc_ftruncate,
				   pc_renameat, pc_linkat, pc_unlinkat, pc_mkdirat};
}

/* 1 when a power cut now could lose anything. */
static inline int pc_unsynced(const struct pc_model *m)
{
	for (size_t i = 0; i < m->n_files; i++)
		if (m->files[i].n_w > 0)
			return 1;
	for (size_t i = 0; i < m->n_ch; i++)
		if (!m->ch[i].synced)
			return 1;
	return 0;
}

static inline void pc_undo(struct pc_model *m, const struct pc_change *c)
{
	static const char *const pc_kind_name[] = {"create",   "mkdir",	 "link", "rename",
						   "exchange", "unlink", "rmdir"};
	int fd = c->dir->fd, r = 0;
	pc_trace(m, " undo %s %s/%s%s%s;", pc_kind_name[c->kind], c->dir->label, c->name,
		 c->to[0] ? " -> " : "", c->to);
	if (c->dir->removed) {
		pc_trace(m, " (its directory is gone);");
		return;
	}
	switch (c->kind) {
	case PC_CREATE:
	case PC_LINK:
		r = unlinkat(fd, c->name, 0);
		break;
	case PC_MKDIR:
		r = pc_rm_tree(fd, c->name);
		if (c->sub != NULL)
			c->sub->removed = 1;
		break;
	case PC_RENAME:
		r = renameat(fd, c->to, fd, c->name);
		if (r == 0 && c->grave[0] != '\0')
			r = linkat(m->grave_fd, c->grave, fd, c->to, 0);
		break;
	case PC_EXCHANGE:
		r = renameat2(fd, c->name, fd, c->to, RENAME_EXCHANGE);
		break;
	case PC_UNLINK:
		r = linkat(m->grave_fd, c->grave, fd, c->name, 0);
		break;
	case PC_RMDIR:
		r = mkdirat(fd, c->name, (mode_t)c->mode);
		if (r == 0 && c->sub != NULL) {
			/* Back as it was on disk: its own un-synced removals are
			 * undone (or not) into the new directory. */
			close(c->sub->fd);
			c->sub->fd = openat(fd, c->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			cr_assert_geq(c->sub->fd, 0);
			c->sub->removed = 0;
		}
		if (r == 0)
			r = fchmodat(fd, c->name, (mode_t)c->mode, 0);
		break;
	}
	cr_assert_eq(r, 0, "power-cut model: cannot undo %s %s (%s)", pc_kind_name[c->kind],
		     c->name, strerror(errno));
}

/* The power cut: what reached the disk, decided by seed, made real. */
static inline void pc_power_cut(struct pc_model *m, uint64_t seed)
{
	uint64_t s = seed * 0x2545f4914f6cdd1dull + 1;
	m->trace_len = 0;
	m->trace[0] = '\0';
	for (size_t i = 0; i < m->n_files; i++) {
		struct pc_file *f = &m->files[i];
		if (f->n_w == 0)
			continue;
		int lose_all = pc_next(&s) % 4 == 0;
		size_t keep = lose_all ? 0 : (size_t)(pc_next(&s) % (f->n_w + 1)), part = 0;
		if (!lose_all && keep < f->n_w && f->w[keep].data != NULL)
			part = (size_t)(pc_next(&s) % (f->w[keep].len + 1));
		pc_trace(m, " %s: %zu of %zu writes kept, +%zu bytes of the next;", f->label, keep,
			 f->n_w, part);
		cr_assert_eq(ftruncate(f->fd, 0), 0);
		cr_assert_eq(pwrite(f->fd, f->durable, f->durable_len, 0), (ssize_t)f->durable_len);
		for (size_t k = 0; k <= keep && k < f->n_w; k++) {
			const struct pc_write *w = &f->w[k];
			size_t n = k < keep ? w->len : part;
			if (w->data == NULL && k < keep)
				cr_assert_eq(ftruncate(f->fd, w->off), 0);
			else if (w->data != NULL && n > 0)
				cr_assert_eq(pwrite(f->fd, w->data, n, w->off), (ssize_t)n);
		}
	}
	/* Each directory keeps a random prefix of its un-synced changes. */
	for (size_t i = 0; i < m->n_dirs; i++) {
		struct pc_dir *d = &m->dirs[i];
		size_t n = 0;
		for (size_t k = 0; k < m->n_ch; k++)
			n += m->ch[k].dir == d && !m->ch[k].synced;
		size_t lose = n ? (size_t)(pc_next(&s) % (n + 1)) : 0;
		if (n > 0)
			pc_trace(m, " %s: %zu of %zu un-synced changes lost;", d->label, lose, n);
		for (size_t k = m->n_ch; k-- > 0 && lose > 0;)
			if (m->ch[k].dir == d && !m->ch[k].synced) {
				m->ch[k].undo = 1;
				lose--;
			}
	}
	for (size_t k = m->n_ch; k-- > 0;)
		if (m->ch[k].undo)
			pc_undo(m, &m->ch[k]);
	if (m->trace_len == 0)
		pc_trace(m, " nothing was un-synced");
}

/* Closes our descriptors and empties the graveyard (a file restored from
 * it must have one link again: the log is refused with two). */
static inline void pc_end(struct pc_model *m)
{
	for (size_t i = 0; i < m->n_files; i++) {
		struct pc_file *f = &m->files[i];
		for (size_t k = 0; k < f->n_w; k++)
			free(f->w[k].data);
		free(f->w);
		free(f->durable);
		close(f->fd);
	}
	for (size_t i = 0; i < m->n_dirs; i++)
		close(m->dirs[i].fd);
	for (unsigned g = 0; g < m->graves; g++) {
		char name[24];
		snprintf(name, sizeof(name), "g%u", g);
		(void)unlinkat(m->grave_fd, name, 0);
	}
	close(m->grave_fd);
	m->n_files = m->n_dirs = m->n_ch = 0;
}

/* --- shared by the crash tests --- */

/* Temporary and staging names come from randombytes_buf: a generator
 * restarted for every run (pc_rng_state = 1) makes each run (names, the
 * order readdir gives them, the operation at every step) the same every
 * time, so a failure's message is its reproduction. */
static uint64_t pc_rng_state;

static inline const char *pc_rng_name(void)
{
	return "fwseal-test-deterministic";
}

static inline uint32_t pc_rng_random(void)
{
	return (uint32_t)pc_next(&pc_rng_state);
}

static inline void pc_rng_buf(void *const buf, const size_t size)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)pc_next(&pc_rng_state);
}

static randombytes_implementation pc_rng_impl = {pc_rng_name, pc_rng_random, NULL, NULL,
						 pc_rng_buf,  NULL};

/* A copy of a tree of directories and regular files (modes kept). */
static inline void pc_copy_tree(int from, int to)
{
	int fd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		cr_assert_eq(fstatat(from, e->d_name, &st, AT_SYMLINK_NOFOLLOW), 0);
		mode_t mode = st.st_mode & 07777;
		if (S_ISDIR(st.st_mode)) {
			cr_assert_eq(mkdirat(to, e->d_name, 0700), 0);
			int a = openat(from, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			int b = openat(to, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			cr_assert(a >= 0 && b >= 0);
			pc_copy_tree(a, b);
			cr_assert_eq(fchmod(b, mode), 0);
			close(a);
			close(b);
			continue;
		}
		cr_assert(S_ISREG(st.st_mode), "%s is not a regular file", e->d_name);
		uint8_t *buf;
		size_t len;
		int in = openat(from, e->d_name, O_RDONLY | O_CLOEXEC);
		int out = openat(to, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		cr_assert(in >= 0 && out >= 0, "copy %s: %s", e->d_name, strerror(errno));
		pc_read_fd(in, &buf, &len);
		cr_assert_eq(write(out, buf, len), (ssize_t)len);
		cr_assert_eq(fchmod(out, mode), 0);
		free(buf);
		close(in);
		close(out);
	}
	closedir(d);
}

/* A new scratch directory NAME-XXXXXX into base (cap bytes). The model,
 * not the disk, decides what survives a cut, so a RAM file system loses
 * nothing and keeps the retries' real fsyncs cheap: $TMPDIR if set, else
 * /dev/shm where there is one, else /tmp. */
static inline void pc_scratch_dir(char *base, size_t cap, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	if (tmp == NULL || tmp[0] != '/' || strlen(tmp) >= 40)
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(base, cap, "%s/%s-XXXXXX", tmp, name);
	cr_assert_not_null(mkdtemp(base));
}

/* Templates are built without fsync: durable by assumption, and fast. */
static inline int pc_no_fsync(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	return 0;
}

#endif
