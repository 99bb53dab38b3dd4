/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FS-001, REQ-FS-003 */
/* The I/O layer's rules (lib/io/io.h), one at a time: names resolved below
 * a directory descriptor and never through a link, temporary files new
 * and exclusive under random names, trees removed without following
 * anything, in-place files checked, errno mapped to the codes the docs
 * promise, and a stalled reader given up. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/bundle.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "io/io.h"
#include "test_fs_helpers.h"

static struct {
	char base[64];
	char dir[96];	  /* where the writers work */
	char outside[96]; /* victims */
	int dirfd;
	char *victims; /* fingerprint of outside */
} S;

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
	strcpy(S.base, "/tmp/fwseal-io-XXXXXX");
	cr_assert_not_null(mkdtemp(S.base));
	snprintf(S.dir, sizeof(S.dir), "%s/dir", S.base);
	snprintf(S.outside, sizeof(S.outside), "%s/outside", S.base);
	cr_assert_eq(mkdir(S.dir, 0700), 0);
	cr_assert_eq(mkdir(S.outside, 0755), 0);
	fs_spill_str(pj(S.outside, "passwd"), "root:x:0:0\n");
	cr_assert_eq(mkdir(pj(S.outside, "etc"), 0755), 0);
	fs_spill_str(pj(S.outside, "etc/shadow"), "root:$6$precious\n");
	S.dirfd = open(S.dir, O_RDONLY | O_DIRECTORY);
	cr_assert_geq(S.dirfd, 0);
	S.victims = fs_fingerprint(S.outside);
}

static void teardown(void)
{
	close(S.dirfd);
	free(S.victims);
	fs_rm_rf(S.base);
}

TestSuite(io, .init = setup, .fini = teardown, .timeout = 30);

static void victims_untouched(const char *what)
{
	char *now = fs_fingerprint(S.outside);
	cr_assert_str_eq(now, S.victims, "%s: something outside changed", what);
	free(now);
}

/* --- removing a tree --- */

/* Links to a file and a directory outside (at the top, inside, nested),
 * a hard link to a file outside, FIFOs, read-only nested directories:
 * all removed by name, and nothing outside the tree is touched. */
Test(io, tree_removal_never_follows_links)
{
	char p[4200];
	const char *t = pj(S.dir, "tree");
	cr_assert_eq(mkdir(t, 0755), 0);
	snprintf(p, sizeof(p), "%s/tree/to-dir", S.dir);
	cr_assert_eq(symlink(pj(S.outside, "etc"), p), 0);
	snprintf(p, sizeof(p), "%s/tree/to-file", S.dir);
	cr_assert_eq(symlink(pj(S.outside, "passwd"), p), 0);
	snprintf(p, sizeof(p), "%s/tree/hard", S.dir);
	cr_assert_eq(link(pj(S.outside, "passwd"), p), 0);
	snprintf(p, sizeof(p), "%s/tree/fifo", S.dir);
	cr_assert_eq(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/tree/n1", S.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/tree/n1/n2", S.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/tree/n1/n2/up", S.dir);
	cr_assert_eq(symlink("../../../../outside/etc", p), 0);
	snprintf(p, sizeof(p), "%s/tree/n1/n2/file", S.dir);
	fs_spill_str(p, "x");
	snprintf(p, sizeof(p), "%s/tree/n1/n2", S.dir);
	cr_assert_eq(chmod(p, 0500), 0); /* read-only: root removes it anyway */
	cr_assert_eq(fws_io_remove_tree(NULL, S.dirfd, "tree"), 0);
	cr_assert_not(fs_exists(pj(S.dir, "tree")));
	victims_untouched("remove_tree");
	cr_assert_eq(fs_links(pj(S.outside, "passwd")), 1);
}

/* The name itself a link to a directory outside: the link goes, the
 * directory and its contents stay. A missing name is nothing to do. */
Test(io, tree_removal_of_a_link_removes_the_link)
{
	cr_assert_eq(symlink(pj(S.outside, "etc"), pj(S.dir, "tree")), 0);
	cr_assert_eq(fws_io_remove_tree(NULL, S.dirfd, "tree"), 0);
	cr_assert_not(fs_exists(pj(S.dir, "tree")));
	victims_untouched("remove_tree of a link");
	cr_assert_eq(fws_io_remove_tree(NULL, S.dirfd, "tree"), 0, "missing is success");
}

/* Deeper than 16 levels: refused (FWS_ELIMIT, the path named) rather
 * than recursing without bound, and still nothing outside touched. */
Test(io, tree_removal_depth_is_bounded)
{
	char p[4200];
	int n = snprintf(p, sizeof(p), "%s/tree", S.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	for (int i = 0; i < 20; i++) {
		n += snprintf(p + n, sizeof(p) - (size_t)n, "/d");
		cr_assert_eq(mkdir(p, 0755), 0);
	}
	snprintf(p + n, sizeof(p) - (size_t)n, "/out");
	cr_assert_eq(symlink(pj(S.outside, "etc"), p), 0);
	cr_assert_eq(fws_io_remove_tree(NULL, S.dirfd, "tree"), FWS_ELIMIT);
	cr_assert_eq(fws_diag_last()->code, FWS_ELIMIT);
	cr_assert_eq(strncmp(fws_diag_last()->where, "tree/d/d", 8), 0, "%s",
		     fws_diag_last()->where);
	victims_untouched("deep tree");
}

/* A removal that fails half way (an unlink refused) reports the path
 * that could not be removed. */
Test(io, tree_removal_failure_names_the_path)
{
	cr_assert_eq(mkdir(pj(S.dir, "tree"), 0755), 0);
	fs_spill_str(pj(S.dir, "tree/stuck"), "x");
	struct fault_fs f = {FOP_UNLINK, "stuck", 0, EIO};
	struct fws_fs_ops ops = fault_ops(&f);
	cr_assert_eq(fws_io_remove_tree(&ops, S.dirfd, "tree"), FWS_EIO);
	cr_assert_str_eq(fws_diag_last()->where, "tree/stuck");
	cr_assert(fs_exists(pj(S.dir, "tree/stuck")));
}

/* --- names --- */

Test(io, temp_name_pattern_is_exact)
{
	static const struct {
		const char *name, *suffix;
		int is;
	} cases[] = {
	    {".state.abcdefghijkl.tmp", "tmp", 1},
	    {".log.head.0123456789ab.tmp", "tmp", 1},
	    {".b.zzzzzzzzzzzz.new", "new", 1},
	    {".x.000000000000.old", "old", 1},
	    {".b.zzzzzzzzzzzz.new", "tmp", 0},	 /* other suffix */
	    {"b.zzzzzzzzzzzz.new", "new", 0},	 /* no leading dot */
	    {"..zzzzzzzzzzzz.new", "new", 0},	 /* empty base */
	    {".b.zzzzzzzzzzz.new", "new", 0},	 /* 11 random */
	    {".b.zzzzzzzzzzzzz.new", "new", 0},	 /* 13 random */
	    {".b.z.zzzzzzzzzzzz.new", "new", 1}, /* base "b.z" */
	    {".b.ZZZZZZZZZZZZ.new", "new", 0},	 /* not our alphabet */
	    {".b.zzzzzz-zzzzz.new", "new", 0},	 /* not our alphabet */
	    {".b.zzzzzzzzzzzz.new.x", "new", 0}, /* trailing */
	    {".b.zzzzzzzzzzzz.newer", "new", 0}, /* longer suffix */
	    {".b.zzzzzzzzzzzzxnew", "new", 0},	 /* no dot before the suffix */
	    {"state.tmp", "tmp", 0},		 /* the old fixed name */
	    {"", "tmp", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(fws_io_is_temp_name(cases[i].name, cases[i].suffix), cases[i].is,
			     "\"%s\" / %s", cases[i].name, cases[i].suffix);
}

/* Fresh names are of the pattern, and differ every time. */
Test(io, temp_names_are_random_and_of_the_pattern)
{
	char a[FWS_IO_NAME_MAX], b[FWS_IO_NAME_MAX];
	cr_assert_eq(fws_io_temp_name("state", "tmp", a), 0);
	cr_assert_eq(fws_io_temp_name("state", "tmp", b), 0);
	cr_assert(fws_io_is_temp_name(a, "tmp"), "%s", a);
	cr_assert_str_neq(a, b);
	cr_assert_eq(strncmp(a, ".state.", 7), 0);
	char big[400];
	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(fws_io_temp_name(big, "tmp", a), 0, "a long base is cut, not refused");
	cr_assert(fws_io_is_temp_name(a, "tmp"));
	cr_assert_lt(strlen(a), FWS_IO_NAME_MAX);
}

/* A symbolic link where one of our files belongs is FWS_EUNSAFE, whatever
 * the open is for; its target is never opened. */
Test(io, openat_refuses_a_symlink)
{
	static const int flags[] = {O_RDONLY, O_WRONLY | O_APPEND, O_WRONLY | O_CREAT,
				    O_RDWR | O_CREAT | O_TRUNC};
	cr_assert_eq(symlink(pj(S.outside, "passwd"), pj(S.dir, "name")), 0);
	for (size_t i = 0; i < 4; i++) {
		int fd = 99;
		cr_assert_eq(fws_io_openat(NULL, S.dirfd, "name", flags[i], 0644, &fd), FWS_EUNSAFE,
			     "flags %#x", flags[i]);
		cr_assert_lt(fd, 0);
		cr_assert_str_eq(fws_diag_last()->where, "name");
	}
	victims_untouched("openat");
}

/* Reading one of our files through a planted link, or a FIFO planted at
 * its name (which would block), is refused. */
Test(io, read_at_refuses_planted_links_fifos_and_directories)
{
	uint8_t buf[64];
	size_t len;
	cr_assert_eq(symlink(pj(S.outside, "passwd"), pj(S.dir, "link")), 0);
	cr_assert_eq(fws_io_read_at(S.dirfd, "link", 1, buf, sizeof(buf), &len), FWS_EUNSAFE);
	cr_assert_eq(fws_io_read_at(S.dirfd, "link", 0, buf, sizeof(buf), &len), 0,
		     "an operator path may follow links");
	/* Below a device directory (nofollow) a FIFO or a directory where a
	 * file of ours belongs was planted: FWS_EUNSAFE. An operator's path
	 * gets the plain I/O error. Neither blocks. */
	cr_assert_eq(mkfifo(pj(S.dir, "fifo"), 0600), 0);
	cr_assert_eq(fws_io_read_at(S.dirfd, "fifo", 1, buf, sizeof(buf), &len), FWS_EUNSAFE);
	cr_assert_eq(fws_io_read_at(S.dirfd, "fifo", 0, buf, sizeof(buf), &len), FWS_EIO);
	cr_assert_eq(mkdir(pj(S.dir, "sub"), 0700), 0);
	cr_assert_eq(fws_io_read_at(S.dirfd, "sub", 1, buf, sizeof(buf), &len), FWS_EUNSAFE);
	cr_assert_eq(fws_io_read_at(S.dirfd, "sub", 0, buf, sizeof(buf), &len), FWS_EIO);
	cr_assert_eq(fws_io_read_at(S.dirfd, "missing", 1, buf, sizeof(buf), &len), FWS_ENOENT);
	fs_spill(pj(S.dir, "big"), buf, sizeof(buf), 0600);
	cr_assert_eq(fws_io_read_at(S.dirfd, "big", 1, buf, sizeof(buf) - 1, &len), FWS_ELIMIT);
}

/* --- writing --- */

/* replace: a link planted at the name is replaced (rename replaces the
 * name, not what it points to); a planted link or file at an old fixed
 * temporary name is never written through. */
Test(io, replace_at_never_writes_through_planted_names)
{
	cr_assert_eq(symlink(pj(S.outside, "passwd"), pj(S.dir, "state")), 0);
	cr_assert_eq(link(pj(S.outside, "passwd"), pj(S.dir, "state.tmp")), 0);
	cr_assert_eq(symlink(pj(S.outside, "etc/shadow"), pj(S.dir, ".state.tmp")), 0);
	cr_assert_eq(fws_io_replace_at(NULL, S.dirfd, "state", "new", 3, 0600), 0);
	cr_assert(S_ISREG(fs_mode(pj(S.dir, "state"))));
	cr_assert(fs_equals(pj(S.dir, "state"), "new", 3));
	cr_assert_eq(fs_mode(pj(S.dir, "state")) & 07777, 0600);
	victims_untouched("replace_at");
	char list[1024];
	fs_list(S.dir, list, sizeof(list));
	cr_assert_str_eq(list, ".state.tmp state state.tmp", "no temporary file left: %s", list);
}

/* create: the name must not exist, also not as a dangling link; on
 * refusal nothing is left behind. */
Test(io, create_at_is_exclusive)
{
	cr_assert_eq(fws_io_create_at(NULL, S.dirfd, "key", "one", 3, 0600), 0);
	cr_assert_eq(fws_io_create_at(NULL, S.dirfd, "key", "two", 3, 0600), FWS_EEXIST);
	cr_assert(fs_equals(pj(S.dir, "key"), "one", 3));
	cr_assert_eq(symlink(pj(S.outside, "absent"), pj(S.dir, "dangling")), 0);
	cr_assert_eq(fws_io_create_at(NULL, S.dirfd, "dangling", "x", 1, 0600), FWS_EEXIST);
	cr_assert_not(fs_exists(pj(S.outside, "absent")), "the link was followed");
	char list[1024];
	fs_list(S.dir, list, sizeof(list));
	cr_assert_str_eq(list, "dangling key", "%s", list);
}

/* A temporary file is created with exactly the mode asked for, whatever
 * the umask, and a failed write leaves nothing behind. */
Test(io, replace_at_failure_leaves_nothing)
{
	static const enum fault_op ops_at[] = {FOP_WRITE, FOP_FSYNC, FOP_RENAME};
	for (size_t i = 0; i < 3; i++) {
		fs_spill_str(pj(S.dir, "state"), "old");
		struct fault_fs f = {ops_at[i], ops_at[i] == FOP_RENAME ? "state" : ".state.*", 0,
				     ENOSPC};
		struct fws_fs_ops ops = fault_ops(&f);
		cr_assert_eq(fws_io_replace_at(&ops, S.dirfd, "state", "new", 3, 0600), FWS_ENOSPC,
			     "op %d", ops_at[i]);
		cr_assert_eq(f.faults, 1);
		cr_assert(fs_equals(pj(S.dir, "state"), "old", 3));
		char list[1024];
		fs_list(S.dir, list, sizeof(list));
		cr_assert_str_eq(list, "state", "op %d: left behind: %s", ops_at[i], list);
	}
}

/* --- directories and in-place files --- */

Test(io, open_dir_checks_link_owner_and_mode)
{
	static const struct {
		const char *what;
		int want;
	} cases[] = {
	    {"ours", 0},
	    {"link", FWS_EUNSAFE},
	    {"file", FWS_EUNSAFE},
	    {"theirs", FWS_EUNSAFE},
	    {"group-w", FWS_EUNSAFE},
	    {"other-w", FWS_EUNSAFE},
	    {"missing", FWS_ENOENT},
	    {"theirs-any", 0 /* owner -1 */},
	};
	cr_assert_eq(mkdir(pj(S.dir, "ours"), 0755), 0);
	cr_assert_eq(symlink(pj(S.outside, "etc"), pj(S.dir, "link")), 0);
	fs_spill_str(pj(S.dir, "file"), "x");
	cr_assert_eq(mkdir(pj(S.dir, "theirs"), 0755), 0);
	cr_assert_eq(chown(pj(S.dir, "theirs"), 12345, 12345), 0);
	cr_assert_eq(mkdir(pj(S.dir, "group-w"), 0755), 0);
	cr_assert_eq(chmod(pj(S.dir, "group-w"), 0775), 0);
	cr_assert_eq(mkdir(pj(S.dir, "other-w"), 0755), 0);
	cr_assert_eq(chmod(pj(S.dir, "other-w"), 0757), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = -1;
		int any = strcmp(cases[i].what, "theirs-any") == 0;
		const char *name = any ? "theirs" : cases[i].what;
		int rc = fws_io_open_dir(S.dirfd, name, any ? (uid_t)-1 : getuid(), &fd);
		cr_assert_eq(rc, cases[i].want, "%s: %s", cases[i].what, fws_errname(rc));
		cr_assert_eq(rc == 0, fd >= 0, "%s: descriptor only on success", cases[i].what);
		if (fd >= 0)
			close(fd);
	}
	victims_untouched("open_dir");
}

Test(io, check_inplace_refuses_links_and_strangers)
{
	int fd;
	fs_spill_str(pj(S.dir, "log"), "line\n");
	fd = open(pj(S.dir, "log"), O_RDONLY);
	cr_assert_eq(fws_io_check_inplace(fd, getuid(), "log"), 0);
	cr_assert_eq(fws_io_check_inplace(fd, 12345, "log"), FWS_EUNSAFE, "not the owner's");
	cr_assert_eq(link(pj(S.dir, "log"), pj(S.outside, "copy")), 0);
	cr_assert_eq(fws_io_check_inplace(fd, getuid(), "log"), FWS_EUNSAFE, "two links");
	cr_assert_not_null(strstr(fws_diag_last()->why, "2 hard links"), "%s",
			   fws_diag_last()->why);
	close(fd);
	fd = open(S.dir, O_RDONLY | O_DIRECTORY);
	cr_assert_eq(fws_io_check_inplace(fd, getuid(), "dir"), FWS_EUNSAFE, "a directory");
	close(fd);
}

/* --- errno and codes --- */

Test(io, errno_maps_to_the_documented_codes)
{
	static const struct {
		int err, code;
	} cases[] = {
	    {ENOENT, FWS_ENOENT}, {ENOSPC, FWS_ENOSPC}, {EDQUOT, FWS_ENOSPC}, {EIO, FWS_EIO},
	    {EACCES, FWS_EIO},	  {EROFS, FWS_EIO},	{0, FWS_EIO},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(fws_errno_code(cases[i].err), cases[i].code, "errno %d", cases[i].err);
	/* and the codes have their own names and texts */
	static const int codes[] = {FWS_EUNSAFE, FWS_ESTALLED, FWS_ENOSPC, FWS_ESAMEFILE,
				    FWS_ELIFECYCLE};
	static const char *const names[] = {"FWS_EUNSAFE", "FWS_ESTALLED", "FWS_ENOSPC",
					    "FWS_ESAMEFILE", "FWS_ELIFECYCLE"};
	for (size_t i = 0; i < 5; i++) {
		cr_assert_str_eq(fws_errname(codes[i]), names[i]);
		cr_assert_str_neq(fws_strerror(codes[i]), fws_strerror(FWS_EINTERNAL));
	}
	/* codes are only ever appended: the last is at or past these */
	cr_assert_leq(FWS_ELAST, FWS_ELIFECYCLE);
}

/* The diagnostic: a failure records its code, the part that failed and
 * the rule; nested parts are joined; clear forgets. */
Test(io, diag_records_where_and_why)
{
	fws_diag_clear();
	cr_assert_eq(fws_diag_last()->code, 0);
	cr_assert_eq(fws_diag_set(FWS_EUNSAFE, ELOOP, "rootfs", "is a %s", "link"), FWS_EUNSAFE);
	fws_diag_prefix('/', "%s", "b");
	cr_assert_str_eq(fws_diag_last()->where, "b/rootfs");
	cr_assert_str_eq(fws_diag_last()->why, "is a link");
	cr_assert_eq(fws_diag_last()->os_errno, ELOOP);
	(void)fws_diag_set(FWS_ESCHEMA, 0, "[3]", NULL);
	fws_diag_prefix('.', "payloads");
	cr_assert_str_eq(fws_diag_last()->where, "payloads[3]");
	fws_diag_prefix('.', "manifest");
	cr_assert_str_eq(fws_diag_last()->where, "manifest.payloads[3]");
	fws_diag_clear();
	fws_diag_prefix('/', "x");
	cr_assert_str_eq(fws_diag_last()->where, "", "nothing recorded: nothing to prefix");
}

/* --- a reader that gives up --- */

struct progress {
	uint64_t done, total;
	int calls;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	p->done = done;
	p->total = total;
	p->calls++;
}

/* A pipe that sends a few bytes and then nothing: the timed reader
 * returns them, then gives up with FWS_ESTALLED instead of waiting
 * forever; a closed pipe is a normal end. */
Test(io, stalled_reader_gives_up_with_estalled)
{
	int p[2];
	uint8_t buf[16];
	struct progress pr = {0, 0, 0};
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], "abc", 3), 3);
	struct fws_fd_reader r = {p[0], 50, 0, 1000, on_progress, &pr, 0, 0};
	cr_assert_eq(fws_read_fd_timed(&r, buf, sizeof(buf)), 3);
	cr_assert_eq(r.bytes, 3);
	cr_assert_eq(pr.done, 3);
	cr_assert_eq(pr.total, 1000);
	cr_assert_eq(fws_read_fd_timed(&r, buf, sizeof(buf)), FWS_ESTALLED);
	cr_assert_eq(fws_diag_last()->code, FWS_ESTALLED);
	close(p[1]);
	cr_assert_eq(fws_read_fd_timed(&r, buf, sizeof(buf)), 0, "end of input");
	close(p[0]);
	/* stall_ms 0 waits: a closed, empty pipe is simply the end */
	cr_assert_eq(pipe(p), 0);
	close(p[1]);
	struct fws_fd_reader w = {p[0], 0, 0, 0, NULL, NULL, 0, 0};
	cr_assert_eq(fws_read_fd_timed(&w, buf, sizeof(buf)), 0);
	close(p[0]);
	/* a bad descriptor is an I/O error, not a stall */
	struct fws_fd_reader bad = {-1, 0, 0, 0, NULL, NULL, 0, 0};
	cr_assert_eq(fws_read_fd_timed(&bad, buf, sizeof(buf)), FWS_EIO);
}

/* A pipe that drips (a byte well inside the stall timeout, again and
 * again) ends at the reader's deadline with FWS_EDEADLINE: the stall
 * timeout alone would wait for ever. */
Test(io, dripping_pipe_ends_at_the_deadline)
{
	int p[2];
	uint8_t buf[16];
	ssize_t n = 0;
	cr_assert_eq(pipe(p), 0);
	struct fws_fd_reader r = {p[0], 1000, 0, 0, NULL, NULL, 300, 0};
	for (int i = 0; i < 40 && n >= 0; i++) {
		cr_assert_eq(write(p[1], "x", 1), 1);
		n = fws_read_fd_timed(&r, buf, sizeof(buf));
		if (n > 0)
			usleep(20000);
	}
	cr_assert_eq(n, FWS_EDEADLINE, "a drip of 40 bytes over 800 ms ends at 300 ms");
	cr_assert_eq(fws_diag_last()->code, FWS_EDEADLINE);
	cr_assert_lt(r.bytes, 40);
	close(p[0]);
	close(p[1]);
}

/* The verifier passes a reader's reason on: a stalled stream is
 * FWS_ESTALLED at any point of the bundle, never a truncation. */
Test(io, stalled_stream_is_estalled_for_the_verifier)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], "\x1f", 1), 1); /* not even the whole gzip magic */
	struct fws_fd_reader r = {p[0], 50, 0, 0, NULL, NULL, 0, 0};
	struct fws_root root;
	memset(&root, 0, sizeof(root));
	struct fws_verify_opts vo = {&root, {0}, 0};
	struct fws_verify_result *res = calloc(1, sizeof(*res));
	cr_assert_eq(fws_bundle_verify(fws_read_fd_timed, &r, &vo, NULL, res), FWS_ESTALLED);
	free(res);
	close(p[0]);
	close(p[1]);
}
