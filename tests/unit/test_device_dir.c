/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FS-001 */
/* The directory device against someone who can plant files in it
 * (lib/device/dir_*.c, lib/io): links, FIFOs, directories and stale files
 * at every name the device writes, set directories that are links or
 * someone else's, a device directory others may write. Each test is named
 * after the attack; each checks the attack's target (a victim file or
 * directory outside the device) is untouched and the device still tells
 * the truth. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io.h"
#include "test_device_helpers.h"

static struct {
	uint8_t *b1, *b2, *b3;
	size_t b1_len, b2_len, b3_len;
	char victim_file[160], victim_dir[160];
	char *victim_print; /* fingerprint of TD.outside before the attack */
} A;

static void setup(void)
{
	td_setup();
	A.b1 = td_bundle("1.0.0", 1, &TD.release, NULL, &A.b1_len);
	A.b2 = td_bundle("2.0.0", 2, &TD.release, NULL, &A.b2_len);
	A.b3 = td_bundle("3.0.0", 3, &TD.release, NULL, &A.b3_len);
	/* The victims: what a planted link would redirect a write to. */
	snprintf(A.victim_file, sizeof(A.victim_file), "%s/passwd", TD.outside);
	snprintf(A.victim_dir, sizeof(A.victim_dir), "%s/etc", TD.outside);
	fs_spill_str(A.victim_file, "root:x:0:0:root:/root:/bin/sh\n");
	cr_assert_eq(mkdir(A.victim_dir, 0755), 0);
	fs_spill_str(pj(A.victim_dir, "shadow"), "root:$6$precious\n");
	cr_assert_eq(mkdir(pj(A.victim_dir, "sub"), 0755), 0);
	fs_spill_str(pj(A.victim_dir, "sub/keep"), "keep me\n");
	A.victim_print = NULL;
}

static void teardown(void)
{
	free(A.victim_print);
	free(A.b1);
	free(A.b2);
	free(A.b3);
	td_teardown();
}

TestSuite(dir_device, .init = setup, .fini = teardown, .timeout = 60);

static void victims_snapshot(void)
{
	free(A.victim_print);
	A.victim_print = fs_fingerprint(TD.outside);
}

static void victims_untouched(const char *what)
{
	char *now = fs_fingerprint(TD.outside);
	cr_assert_str_eq(now, A.victim_print, "%s: something outside the device changed", what);
	free(now);
}

/* The device's recorded facts, to compare before and after a refusal. */
struct snap {
	char *state;
	size_t state_len;
	char *bootenv;
	char *log;
	size_t log_len;
	size_t lines;
};

static struct snap snap_take(void)
{
	struct snap s;
	s.state = td_file("state", &s.state_len);
	s.bootenv = td_file("bootenv", NULL);
	s.log = td_file("log", &s.log_len);
	s.lines = td_log_count();
	return s;
}

static void snap_free(struct snap *s)
{
	free(s->state);
	free(s->bootenv);
	free(s->log);
}

/* State and bootloader unchanged; the log unchanged but for exactly one
 * new line recording the refusal (`action` with `result`). */
static void refused_and_recorded(const struct snap *before, const char *action, const char *result,
				 const char *what)
{
	struct snap now = snap_take();
	cr_assert(now.state_len == before->state_len &&
		      memcmp(now.state, before->state, now.state_len) == 0,
		  "%s: the state changed", what);
	cr_assert_str_eq(now.bootenv, before->bootenv, "%s: the bootloader changed", what);
	cr_assert_geq(now.log_len, before->log_len);
	cr_assert_eq(memcmp(now.log, before->log, before->log_len), 0,
		     "%s: a recorded line changed", what);
	cr_assert_eq(now.lines, before->lines + 1, "%s: %zu lines, was %zu", what, now.lines,
		     before->lines);
	struct td_lines *c = td_log();
	cr_assert(td_line_is(c->line[c->n - 1], action, result), "%s: %s", what, c->line[c->n - 1]);
	free(c);
	snap_free(&now);
}

/* No staging directory or temporary file left in DIR. */
static void no_leftovers(const char *what)
{
	char list[4096];
	fs_list(TD.dir, list, sizeof(list));
	for (char *p = list; (p = strchr(p, '.')) != NULL; p++)
		cr_assert(p != list && p[-1] != ' ', "%s: left behind in DIR: %s", what, list);
}

static int reopen(void)
{
	td_close();
	int rc = fws_dir_device_open(&TD.dev, &TD.be, TD.dir, NULL, 0);
	TD.open = rc == 0;
	return rc;
}

/* --- the device directory and its set directories --- */

/* req: REQ-FS-002 */
Test(dir_device, open_create_makes_a_private_directory_and_its_sets)
{
	td_close();
	char fresh[160];
	snprintf(fresh, sizeof(fresh), "%s/fresh", TD.base);
	struct fws_device dev;
	struct fws_dir_backend be;
	cr_assert_eq(fws_dir_device_open(&dev, &be, fresh, NULL, 0), FWS_ESTATE,
		     "no directory and no create: not a device");
	cr_assert_not(fs_exists(fresh));
	mode_t old = umask(0);
	cr_assert_eq(fws_dir_device_open(&dev, &be, fresh, NULL, 1), 0);
	umask(old);
	cr_assert_eq(fs_mode(fresh) & 07777, 0700);
	cr_assert(S_ISDIR(fs_mode(pj(fresh, "a"))));
	cr_assert(S_ISDIR(fs_mode(pj(fresh, "b"))));
	cr_assert_eq(fs_mode(pj(fresh, "a")) & 022, 0, "set dirs not writable by others");
	cr_assert_eq(dev.log, &be.log);
	fws_dir_device_close(&be);
	fws_dir_device_close(&be); /* twice is safe */
	cr_assert_eq(fws_dir_device_open(&dev, &be, "", NULL, 1), FWS_EUSAGE);
	cr_assert_eq(fws_dir_device_open(&dev, &be, NULL, NULL, 1), FWS_EUSAGE);
}

/* Others who may write the device directory can swap any file in it
 * between two of our calls: refused outright. */
/* req: REQ-FS-002 */
Test(dir_device, group_or_other_writable_device_dir_refused)
{
	static const struct {
		mode_t mode;
		int want;
	} cases[] = {
	    {0700, 0},		 {0750, 0},	      {0755, 0},	   {0770, FWS_EUNSAFE},
	    {0720, FWS_EUNSAFE}, {0702, FWS_EUNSAFE}, {0777, FWS_EUNSAFE}, {01777, FWS_EUNSAFE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		td_close();
		cr_assert_eq(chmod(TD.dir, cases[i].mode), 0);
		int rc = fws_dir_device_open(&TD.dev, &TD.be, TD.dir, NULL, 0);
		TD.open = rc == 0;
		cr_assert_eq(rc, cases[i].want, "mode %04o: %s", (unsigned)cases[i].mode,
			     fws_errname(rc));
		if (rc != 0) {
			cr_assert_eq(fws_diag_last()->code, FWS_EUNSAFE);
			cr_assert_not_null(strstr(fws_diag_last()->why, "writable"), "%s",
					   fws_diag_last()->why);
		}
		/* create does not make an unsafe directory safe either */
		td_close();
		rc = fws_dir_device_open(&TD.dev, &TD.be, TD.dir, NULL, 1);
		TD.open = rc == 0;
		cr_assert_eq(rc, cases[i].want, "create, mode %04o", (unsigned)cases[i].mode);
		cr_assert_eq(fs_mode(TD.dir) & 07777, cases[i].mode, "the mode is the owner's");
	}
	cr_assert_eq(chmod(TD.dir, 0700), 0);
}

/* What can be planted where a set directory belongs. */
enum set_plant {
	SP_SYMLINK_DIR,	 /* b -> a directory outside */
	SP_SYMLINK_FILE, /* b -> a file outside */
	SP_FILE,	 /* b is a regular file */
	SP_FIFO,	 /* b is a FIFO */
	SP_OTHER_UID,	 /* b belongs to someone else */
	SP_WRITABLE,	 /* b is group-writable */
	SP_COUNT
};
static const char *const set_plant_names[] = {"symlink to a directory", "symlink to a file",
					      "regular file",		"FIFO",
					      "owned by another uid",	"group-writable"};

static void plant_set(enum set_plant how, const char *set_dir)
{
	fs_rm_rf(set_dir);
	switch (how) {
	case SP_SYMLINK_DIR:
		cr_assert_eq(symlink(A.victim_dir, set_dir), 0);
		break;
	case SP_SYMLINK_FILE:
		cr_assert_eq(symlink(A.victim_file, set_dir), 0);
		break;
	case SP_FILE:
		fs_spill_str(set_dir, "not a directory\n");
		break;
	case SP_FIFO:
		cr_assert_eq(mkfifo(set_dir, 0644), 0);
		break;
	case SP_OTHER_UID:
		cr_assert_eq(mkdir(set_dir, 0755), 0);
		fs_spill_str(pj(set_dir, "rootfs"), "theirs\n");
		cr_assert_eq(chown(set_dir, 12345, 12345), 0);
		break;
	default:
		cr_assert_eq(mkdir(set_dir, 0755), 0);
		cr_assert_eq(chmod(set_dir, 0775), 0);
		break;
	}
}

/* A link (or anything but our own directory) at DIR/b would redirect the
 * set's payloads, or the removal of its old contents, outside the device.
 * Planted before the device is opened: the open refuses. Planted while it
 * is open (between two operations): the install refuses before the state
 * changes, and only the refusal is recorded. Nothing it points at, or
 * that is in it, is touched. */
Test(dir_device, planted_symlink_slot_dir_refused_before_state_changes)
{
	for (enum set_plant how = SP_SYMLINK_DIR; how < SP_COUNT; how++) {
		for (int while_open = 0; while_open < 2; while_open++) {
			teardown();
			setup();
			const char *what = set_plant_names[how];
			char set_dir[160];
			snprintf(set_dir, sizeof(set_dir), "%s/b", TD.dir);
			if (!while_open)
				td_close();
			plant_set(how, set_dir);
			char *set_print = fs_fingerprint(set_dir);
			victims_snapshot();
			if (!while_open) {
				int rc = reopen();
				cr_assert_eq(rc, FWS_EUNSAFE, "%s, open: %s", what,
					     fws_errname(rc));
				cr_assert_str_eq(fws_diag_last()->where, "b", "%s", what);
			} else {
				struct snap before = snap_take();
				int rc = td_install(A.b1, A.b1_len);
				cr_assert_eq(rc, FWS_EUNSAFE, "%s, install: %s (%s)", what,
					     fws_errname(rc), fws_diag_last()->why);
				refused_and_recorded(&before, "install", "FWS_EUNSAFE", what);
				snap_free(&before);
				no_leftovers(what);
			}
			char *set_now = fs_fingerprint(set_dir);
			cr_assert_str_eq(set_now, set_print, "%s: the planted set changed", what);
			victims_untouched(what);
			free(set_print);
			free(set_now);
			if (how == SP_OTHER_UID)
				cr_assert_eq(chown(set_dir, 0, 0), 0);
		}
	}
}

/* The same for the confirmed set when the device is opened: a device
 * whose running image is redirected is no device to operate on. */
Test(dir_device, planted_symlink_at_confirmed_set_refused_at_open)
{
	td_close();
	fs_rm_rf(pj(TD.dir, "a"));
	cr_assert_eq(symlink(A.victim_dir, pj(TD.dir, "a")), 0);
	victims_snapshot();
	cr_assert_eq(reopen(), FWS_EUNSAFE);
	victims_untouched("a -> outside");
}

/* --- files planted at the names the device writes --- */

/* A hard link (or a symbolic link) at any temporary name, the fixed ones
 * an older writer used (state.tmp, root.json.tmp, log.head.tmp, ...) or
 * one of the random pattern: nothing is ever written through it. The
 * random-pattern ones are stale temporaries to the clean-up and are
 * removed (the link, never its target); the fixed names are not ours and
 * stay. */
Test(dir_device, planted_link_at_temp_names_never_written_through)
{
	static const struct {
		const char *name;
		int ours; /* matches the temporary-name pattern */
	} names[] = {
	    {"state.tmp", 0},
	    {"root.json.tmp", 0},
	    {"log.head.tmp", 0},
	    {"bootenv.tmp", 0},
	    {"log.tmp", 0},
	    {".state.aaaaaaaaaaaa.tmp", 1},
	    {".root.json.bbbbbbbbbbbb.tmp", 1},
	    {".log.head.cccccccccccc.tmp", 1},
	    {".bootenv.dddddddddddd.tmp", 1},
	    {".state.0123456789ab.tmp", 1},
	};
	for (int sym = 0; sym < 2; sym++) {
		teardown();
		setup();
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const char *p = pj(TD.dir, names[i].name);
			if (sym)
				cr_assert_eq(symlink(A.victim_file, p), 0, "%s", names[i].name);
			else
				cr_assert_eq(link(A.victim_file, p), 0, "%s", names[i].name);
		}
		victims_snapshot();
		/* every writer: state, bootloader, log, slots */
		td_install_confirm(A.b1, A.b1_len);
		cr_assert_eq(td_boot(), 'b');
		td_install_confirm(A.b2, A.b2_len);
		char set;
		cr_assert_eq(fws_device_rollback(&TD.dev, &set), FWS_EROLLBACK);
		cr_assert_eq(fws_device_mark_bad(&TD.dev, 'b'), 0);
		victims_untouched(sym ? "symbolic links" : "hard links");
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			cr_assert_eq(fs_exists(pj(TD.dir, names[i].name)), !names[i].ours, "%s %s",
				     names[i].name, names[i].ours ? "not cleaned up" : "removed");
		if (!sym)
			cr_assert_eq(fs_links(A.victim_file), 6, "five fixed-name links left");
		(void)td_log();
	}
}

/* Each file the device replaces, hard-linked to a name outside the device
 * (the attacker keeps a handle on it): the replacement is a new file, so
 * the name outside keeps the old bytes and is never written through. */
Test(dir_device, device_files_linked_out_never_written_through)
{
	/* (root.json is replaced only by a root update: not exercised here) */
	static const char *const names[] = {"state", "bootenv", "log.head", "b/rootfs", "b/kernel"};
	const size_t n = sizeof(names) / sizeof(names[0]);
	char out[8][160];
	td_install_confirm(A.b1, A.b1_len); /* b holds 1.0.0 */
	cr_assert_eq(fws_device_mark_active(&TD.dev, 'b'), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(out[i], sizeof(out[i]), "%s/link-%zu", TD.outside, i);
		cr_assert_eq(link(pj(TD.dir, names[i]), out[i]), 0, "%s", names[i]);
	}
	victims_snapshot();
	/* b is rewritten by an install into it: make a the confirmed set */
	td_install_confirm(A.b2, A.b2_len); /* into a */
	cr_assert_eq(fws_device_mark_bad(&TD.dev, 'b'), 0);
	td_install_confirm(A.b3, A.b3_len); /* into b */
	cr_assert_eq(td_boot(), 'b');
	victims_untouched("links out of the device");
	cr_assert(fs_equals(pj(TD.dir, "b/rootfs"), TD.img, sizeof(TD.img)));
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(fs_links(out[i]), 1, "%s was not replaced but written in place",
			     names[i]);
}

/* The lock is opened, never written; still, whatever is planted there
 * (a link to a file outside, a FIFO, a directory) is refused rather than
 * locked or followed. */
Test(dir_device, planted_lock_refused)
{
	static const char *const what[] = {"symlink", "FIFO", "directory"};
	for (int k = 0; k < 3; k++) {
		teardown();
		setup();
		char lock[256];
		snprintf(lock, sizeof(lock), "%s/%s", TD.dir, "lock");
		unlink(lock);
		if (k == 0)
			cr_assert_eq(symlink(A.victim_file, lock), 0);
		else if (k == 1)
			cr_assert_eq(mkfifo(lock, 0600), 0);
		else
			cr_assert_eq(mkdir(lock, 0700), 0);
		victims_snapshot();
		char *state = td_file("state", NULL);
		int rc = td_install(A.b1, A.b1_len);
		cr_assert_neq(rc, 0, "%s: install under a planted lock", what[k]);
		cr_assert(rc == FWS_EUNSAFE || rc == FWS_EIO, "%s: %s", what[k], fws_errname(rc));
		char set;
		rc = fws_device_boot(&TD.dev, &set);
		cr_assert(rc == FWS_EUNSAFE || rc == FWS_EIO, "%s: boot %s", what[k],
			  fws_errname(rc));
		char *state_now = td_file("state", NULL);
		cr_assert_str_eq(state_now, state, "%s", what[k]);
		victims_untouched(what[k]);
		free(state);
		free(state_now);
	}
}

/* --- what is inside the target set directory --- */

/* Files, nested directories, FIFOs, hard links and symbolic links (to a
 * victim file and directory outside, and at the payloads' own names)
 * planted in the set an install is about to replace: the install
 * succeeds, the set then holds exactly the payloads, and the old contents
 * are removed without following any link: the victims are untouched. */
Test(dir_device, planted_entries_in_target_set_removed_without_following)
{
	char b[256];
	snprintf(b, sizeof(b), "%s/%s", TD.dir, "b");
	char p[4200];
	cr_assert_eq(symlink(A.victim_file, pj(b, "rootfs")), 0);
	cr_assert_eq(symlink(A.victim_dir, pj(b, "kernel")), 0);
	cr_assert_eq(symlink(A.victim_dir, pj(b, "etc")), 0);
	cr_assert_eq(link(A.victim_file, pj(b, "hardlink")), 0);
	fs_spill_str(pj(b, "junk"), "stale\n");
	cr_assert_eq(mkfifo(pj(b, "pipe"), 0644), 0);
	snprintf(p, sizeof(p), "%s/d1", b);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/d1/d2", b);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/d1/d2/d3", b);
	cr_assert_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/d1/d2/d3/file", b);
	fs_spill_str(p, "deep\n");
	snprintf(p, sizeof(p), "%s/d1/d2/up", b);
	cr_assert_eq(symlink(A.victim_dir, p), 0);
	snprintf(p, sizeof(p), "%s/d1/d2/d3/pipe", b);
	cr_assert_eq(mkfifo(p, 0600), 0);
	victims_snapshot();

	int rc = td_install(A.b1, A.b1_len);
	cr_assert_eq(rc, 0, "install: %s (%s: %s)", fws_errname(rc), fws_diag_last()->where,
		     fws_diag_last()->why);
	char list[1024];
	fs_list(b, list, sizeof(list));
	cr_assert_str_eq(list, "kernel rootfs", "the set holds exactly the payloads: %s", list);
	cr_assert(S_ISREG(fs_mode(pj(b, "rootfs"))));
	cr_assert(fs_equals(pj(b, "rootfs"), TD.img, sizeof(TD.img)));
	cr_assert(fs_equals(pj(b, "kernel"), TD.kern, sizeof(TD.kern)));
	victims_untouched("planted entries in the target set");
	cr_assert_eq(fs_links(A.victim_file), 1, "the planted hard link is gone");
	no_leftovers("install");
	/* and the new set is the one the state and the bootloader name */
	struct fws_device_status st = td_status();
	cr_assert_eq(st.state.pending_slot, 'b');
	cr_assert_eq(st.boot.order[0], 'b');
}

/* A tree nested deeper than the removal goes (16 levels) in the old set:
 * the install still succeeds with exactly the payloads, and nothing
 * outside is touched. */
Test(dir_device, deeply_nested_planted_tree_does_not_block_install)
{
	char p[4200];
	int n = snprintf(p, sizeof(p), "%s/b", TD.dir);
	for (int i = 0; i < 20; i++) {
		n += snprintf(p + n, sizeof(p) - (size_t)n, "/d");
		cr_assert_eq(mkdir(p, 0755), 0);
	}
	snprintf(p + n, sizeof(p) - (size_t)n, "/out");
	cr_assert_eq(symlink(A.victim_dir, p), 0);
	victims_snapshot();
	cr_assert_eq(td_install(A.b1, A.b1_len), 0);
	char list[1024];
	fs_list(pj(TD.dir, "b"), list, sizeof(list));
	cr_assert_str_eq(list, "kernel rootfs");
	victims_untouched("deep tree");
	(void)td_log();
}

/* --- stale staging directories and temporary files --- */

/* What an interrupted install or replace leaves (a staging directory
 * with half a set in it, the old set after an exchange, temporary
 * files), some of it replaced by an attacker with links to the victims:
 * the next changing operation removes exactly these, by name, without
 * following anything; names that are not ours stay; a read-only
 * operation (status, check) removes nothing. */
enum op_kind { OP_INSTALL, OP_BOOT, OP_MARK_GOOD, OP_MARK_BAD, OP_ROLLBACK, OP_STATUS, OP_CHECK };
static const char *const op_names[] = {"install",  "boot",   "mark-good", "mark-bad",
				       "rollback", "status", "check"};

static const char *const stale_ours[] = {
    ".b.abcdefghijkl.new",	  ".a.mnopqrstuvwx.new",     ".b.zzzzzzzzzzzz.new",
    ".a.000000000000.old",	  ".state.yyyyyyyyyyyy.tmp", ".bootenv.xxxxxxxxxxxx.tmp",
    ".log.head.wwwwwwwwwwww.tmp",
};
static const char *const stale_not_ours[] = {".b.short.new", ".b.ABCDEFGHIJKL.new", "notes.txt",
					     ".b.abcdefghijkl.new.keep", "b.abcdefghijkl.new"};

static void plant_stale(void)
{
	char p[4200];
	char stage[256];
	snprintf(stage, sizeof(stage), "%s/%s", TD.dir, ".b.abcdefghijkl.new");
	cr_assert_eq(mkdir(stage, 0755), 0);
	fs_spill(pj(stage, "rootfs"), TD.img, 100, 0644);
	cr_assert_eq(symlink(A.victim_dir, pj(stage, "kernel")), 0);
	cr_assert_eq(link(A.victim_file, pj(stage, "hl")), 0);
	cr_assert_eq(mkfifo(pj(stage, "pipe"), 0644), 0);
	snprintf(p, sizeof(p), "%s/n1", stage);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/n1/n2", stage);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/n1/n2/up", stage);
	cr_assert_eq(symlink(A.victim_dir, p), 0);
	cr_assert_eq(mkdir(pj(TD.dir, ".a.mnopqrstuvwx.new"), 0700), 0);
	cr_assert_eq(symlink(A.victim_dir, pj(TD.dir, ".b.zzzzzzzzzzzz.new")), 0);
	char old[256];
	snprintf(old, sizeof(old), "%s/%s", TD.dir, ".a.000000000000.old");
	cr_assert_eq(mkdir(old, 0755), 0);
	fs_spill_str(pj(old, "rootfs"), "old set\n");
	fs_spill_str(pj(TD.dir, ".state.yyyyyyyyyyyy.tmp"), "fwseal-state 3\n");
	cr_assert_eq(link(A.victim_file, pj(TD.dir, ".bootenv.xxxxxxxxxxxx.tmp")), 0);
	cr_assert_eq(symlink(A.victim_file, pj(TD.dir, ".log.head.wwwwwwwwwwww.tmp")), 0);
	for (size_t i = 0; i < sizeof(stale_not_ours) / sizeof(stale_not_ours[0]); i++)
		fs_spill_str(pj(TD.dir, stale_not_ours[i]), "not fwseal's\n");
}

static int run_op(enum op_kind op)
{
	char set;
	struct fws_device_status st;
	const char *part;
	switch (op) {
	case OP_INSTALL:
		return td_install(A.b2, A.b2_len);
	case OP_BOOT:
		return fws_device_boot(&TD.dev, &set);
	case OP_MARK_GOOD:
		return fws_device_mark_good(&TD.dev, FWS_SET_BOOTED);
	case OP_MARK_BAD:
		return fws_device_mark_bad(&TD.dev, 'a');
	case OP_ROLLBACK:
		return fws_device_rollback(&TD.dev, &set);
	case OP_STATUS:
		return fws_device_status(&TD.dev, &st);
	default:
		return fws_device_check(&TD.dev, &part);
	}
}

Test(dir_device, stale_staging_dirs_and_temp_files_removed_by_install_and_boot)
{
	static const int want_rc[] = {0, 0, 0, 0, FWS_ELIFECYCLE, 0, 0};
	for (enum op_kind op = OP_INSTALL; op <= OP_CHECK; op++) {
		teardown();
		setup();
		td_install_confirm(A.b1, A.b1_len); /* b confirmed and running */
		plant_stale();
		victims_snapshot();
		int rc = run_op(op);
		cr_assert_eq(rc, want_rc[op], "%s: %s (%s)", op_names[op], fws_errname(rc),
			     fws_diag_last()->why);
		int changing = op < OP_STATUS;
		for (size_t i = 0; i < sizeof(stale_ours) / sizeof(stale_ours[0]); i++)
			cr_assert_eq(fs_exists(pj(TD.dir, stale_ours[i])), !changing, "%s: %s %s",
				     op_names[op], stale_ours[i],
				     changing ? "not removed" : "removed by a read-only call");
		for (size_t i = 0; i < sizeof(stale_not_ours) / sizeof(stale_not_ours[0]); i++)
			cr_assert(fs_equals(pj(TD.dir, stale_not_ours[i]), "not fwseal's\n", 13),
				  "%s removed %s, which is not its own", op_names[op],
				  stale_not_ours[i]);
		victims_untouched(op_names[op]);
		if (changing)
			cr_assert_eq(fs_links(A.victim_file), 1, "%s", op_names[op]);
		(void)td_log();
	}
}

/* A refused install leaves no staging directory behind either. */
Test(dir_device, refused_install_leaves_no_staging)
{
	size_t len;
	uint8_t *bad = td_bundle("9.0.0", 9, &TD.release, NULL, &len);
	uint8_t *k = memmem(bad, len, TD.kern + 2048, 64);
	cr_assert_not_null(k);
	k[3] ^= 1; /* in the last payload's bytes: refused after the first one staged */
	int rc = td_install(bad, len);
	cr_assert_neq(rc, 0);
	no_leftovers("refused install");
	char list[1024];
	fs_list(pj(TD.dir, "b"), list, sizeof(list));
	cr_assert_str_eq(list, "", "the target set is as it was: %s", list);
	free(bad);
}

/* --- which open files belong to the device --- */

Test(dir_device, device_holds_its_own_files_and_their_links)
{
	td_install_confirm(A.b1, A.b1_len);
	static const struct {
		const char *path; /* relative to DIR, or NULL: the victim outside */
		int held;
	} cases[] = {
	    {"state", 1}, {"root.json", 1}, {"log", 1}, {"b/rootfs", 1}, {"b/kernel", 1}, {NULL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = cases[i].path ? pj(TD.dir, cases[i].path) : A.victim_file;
		int fd = open(p, O_RDONLY);
		cr_assert_geq(fd, 0, "%s", p);
		cr_assert_eq(fws_dir_device_holds(&TD.be, fd), cases[i].held, "%s", p);
		close(fd);
	}
	/* a hard link outside to the installed payload is the payload */
	char out[4200];
	snprintf(out, sizeof(out), "%s/bundle.fwb", TD.outside);
	cr_assert_eq(link(pj(TD.dir, "b/rootfs"), out), 0);
	int fd = open(out, O_RDONLY);
	cr_assert_eq(fws_dir_device_holds(&TD.be, fd), 1);
	close(fd);
	/* a directory is never "held" */
	fd = open(TD.dir, O_RDONLY | O_DIRECTORY);
	cr_assert_eq(fws_dir_device_holds(&TD.be, fd), 0);
	close(fd);
}

/* --- an attacker who guesses a temporary name ---
 * Temporary names are random, so this is the race an attacker would have
 * to win; here the test wins it for them: right before the device creates
 * each temporary file, a hard link (or a symbolic link) to the victim is
 * planted at exactly that name. The create is exclusive, so it fails and
 * the device takes another name: every operation still succeeds and the
 * victim is never written. */
struct guess_fs {
	int sym;
	int planted;
	int guessed; /* the last name was guessed: the retry's is not */
};

static int guess_openat(void *ctx, int dirfd, const char *name, int flags, unsigned mode)
{
	struct guess_fs *g = ctx;
	if ((flags & O_CREAT) && fws_io_is_temp_name(name, "tmp") && !(g->guessed = !g->guessed)) {
		/* not this time */
	} else if ((flags & O_CREAT) && fws_io_is_temp_name(name, "tmp")) {
		int r = g->sym ? symlinkat(A.victim_file, dirfd, name)
			       : linkat(AT_FDCWD, A.victim_file, dirfd, name, 0);
		cr_assert_eq(r, 0, "plant at %s", name);
		g->planted++;
	}
	return openat(dirfd, name, flags, (mode_t)mode);
}

Test(dir_device, temp_name_guessed_by_attacker_never_written_through)
{
	for (int sym = 0; sym < 2; sym++) {
		teardown();
		setup();
		victims_snapshot();
		struct guess_fs g = {sym, 0, 0};
		struct fws_fs_ops ops = {&g, guess_openat};
		td_close();
		td_open(&ops);
		td_install_confirm(A.b1, A.b1_len);
		cr_assert_eq(td_boot(), 'b');
		td_install_confirm(A.b2, A.b2_len);
		cr_assert_gt(g.planted, 5, "temporary files were created: %d", g.planted);
		victims_untouched(sym ? "guessed name, symbolic link" : "guessed name, hard link");
		(void)td_log();
		cr_assert(fs_equals(pj(TD.dir, "a/rootfs"), TD.img, sizeof(TD.img)));
	}
}

/* The same property seen from the calls: every file the device creates is
 * created exclusively (O_EXCL) and never through a link (O_NOFOLLOW),
 * except the two files it opens in place, which are checked instead: the
 * log (regular, one link, ours) and the lock (never written). */
struct flags_fs {
	int creates, bad;
	char bad_name[64];
};

static int flags_openat(void *ctx, int dirfd, const char *name, int flags, unsigned mode)
{
	struct flags_fs *f = ctx;
	if (flags & O_CREAT) {
		f->creates++;
		int in_place = strcmp(name, "log") == 0 || strcmp(name, "lock") == 0;
		if (!(flags & O_NOFOLLOW) || (!in_place && !(flags & O_EXCL)) ||
		    (!in_place && (flags & O_TRUNC))) {
			f->bad++;
			snprintf(f->bad_name, sizeof(f->bad_name), "%s", name);
		}
	}
	return openat(dirfd, name, flags, (mode_t)mode);
}

Test(dir_device, every_created_file_is_exclusive_and_nofollow)
{
	struct flags_fs f = {0, 0, ""};
	struct fws_fs_ops ops = {&f, flags_openat};
	td_close();
	td_open(&ops);
	td_install_confirm(A.b1, A.b1_len);
	td_install_confirm(A.b2, A.b2_len);
	char set;
	cr_assert_eq(fws_device_rollback(&TD.dev, &set), FWS_EROLLBACK);
	cr_assert_eq(fws_device_mark_bad(&TD.dev, 'b'), 0);
	cr_assert_gt(f.creates, 10);
	cr_assert_eq(f.bad, 0, "%d creates without O_EXCL|O_NOFOLLOW, e.g. %s", f.bad, f.bad_name);
}

/* DIR/log hard-linked to a name outside (the chain itself intact): the
 * log cannot take a line without writing the file outside too, so no
 * operation may change anything it then could not record: every
 * operation is refused with FWS_EUNSAFE before the state or the
 * bootloader changes, and the file outside keeps its bytes. */
Test(dir_device, hard_link_planted_at_log_refuses_operations_before_any_change)
{
	td_install_confirm(A.b1, A.b1_len);
	cr_assert_eq(td_install(A.b2, A.b2_len), 0); /* a pending */
	char out[4200];
	snprintf(out, sizeof(out), "%s/log-copy", TD.outside);
	cr_assert_eq(link(pj(TD.dir, "log"), out), 0);
	victims_snapshot();
	char *state = td_file("state", NULL), *bootenv = td_file("bootenv", NULL);
	char set;
	static const char *const what[] = {"boot", "mark-bad", "rollback", "mark-active",
					   "install"};
	for (int k = 0; k < 5; k++) {
		int rc;
		switch (k) {
		case 0:
			rc = fws_device_boot(&TD.dev, &set);
			break;
		case 1:
			rc = fws_device_mark_bad(&TD.dev, 'a');
			break;
		case 2:
			rc = fws_device_rollback(&TD.dev, &set);
			break;
		case 3:
			rc = fws_device_mark_active(&TD.dev, 'b');
			break;
		default:
			rc = td_install(A.b3, A.b3_len);
			break;
		}
		cr_assert_eq(rc, FWS_EUNSAFE, "%s: %s (%s)", what[k], fws_errname(rc),
			     fws_diag_last()->why);
		char *state_now = td_file("state", NULL), *bootenv_now = td_file("bootenv", NULL);
		cr_assert_str_eq(state_now, state, "%s changed the state unrecorded", what[k]);
		cr_assert_str_eq(bootenv_now, bootenv, "%s changed the bootloader unrecorded",
				 what[k]);
		free(state_now);
		free(bootenv_now);
		victims_untouched(what[k]);
	}
	free(state);
	free(bootenv);
}
