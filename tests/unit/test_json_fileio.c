/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FS-003 */
/* File helpers: bounded reads that refuse non-files and changing files, and
 * outputs (fileio.h) that are written atomically, follow one policy for an
 * existing file (NEW / REPLACE / UPDATE), are never one of the command's
 * own inputs and never leave a temporary file behind. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fwseal/fileio.h"
#include "io/io.h"
#include "test_fs_helpers.h"
#include "test_json_util.h"

static char dir[] = "/tmp/fws-fileio-XXXXXX";
/* Where the victims of planted links live: never written by any test. */
static char outside[] = "/tmp/fws-fileio-out-XXXXXX";

static void setup(void)
{
	json_test_setup();
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_not_null(mkdtemp(outside));
}

static void teardown(void)
{
	fs_rm_rf(dir);
	fs_rm_rf(outside);
}

TestSuite(json_fileio, .init = setup, .fini = teardown);

static size_t entries_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

Test(json_fileio, write_then_read_back)
{
	char *path = xprintf("%s/out.json", dir);
	uint8_t *data = NULL;
	size_t len = 0;
	struct stat st;

	cr_assert_eq(fws_file_write_atomic(path, "hello", 5, 0600, FWS_OUT_NEW, NULL, 0), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(fws_file_read_all(path, 5, &data, &len), 0);
	cr_expect_eq(len, 5);
	cr_expect_eq(memcmp(data, "hello", 5), 0);
	cr_expect_eq(data[5], '\0', "read_all NUL-terminates");
	free(data);
	cr_expect_eq(entries_in_dir(), 1, "no temp file left behind");

	/* REPLACE: replaces atomically. */
	cr_assert_eq(fws_file_write_atomic(path, "bye", 3, 0644, FWS_OUT_REPLACE, NULL, 0), 0);
	cr_assert_eq(fws_file_read_all(path, 100, &data, &len), 0);
	cr_expect_eq(len, 3);
	cr_expect_eq(memcmp(data, "bye", 3), 0);
	free(data);
	cr_expect_eq(entries_in_dir(), 1);
	free(path);
}

Test(json_fileio, empty_file)
{
	char *path = xprintf("%s/empty", dir);
	uint8_t *data = NULL;
	size_t len = 1;

	cr_assert_eq(fws_file_write_atomic(path, NULL, 0, 0600, FWS_OUT_NEW, NULL, 0), 0);
	cr_assert_eq(fws_file_read_all(path, 10, &data, &len), 0);
	cr_expect_eq(len, 0);
	cr_expect_not_null(data);
	free(data);
	free(path);
}

Test(json_fileio, read_all_of_a_directory)
{
	uint8_t *data = NULL;
	size_t len = 0;

	cr_expect_eq(fws_file_read_all(dir, 1 << 20, &data, &len), FWS_EIO);
	cr_expect_null(data);
}

Test(json_fileio, read_all_of_a_device_or_fifo)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char *fifo = xprintf("%s/fifo", dir);

	/* /dev/zero never ends: a size check on st_size alone would miss it. */
	cr_expect_eq(fws_file_read_all("/dev/zero", 1 << 20, &data, &len), FWS_EIO);
	/* A FIFO with no writer must be refused, not block forever. */
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_expect_eq(fws_file_read_all(fifo, 1 << 20, &data, &len), FWS_EIO);
	cr_expect_null(data);
	free(fifo);
}

Test(json_fileio, read_all_of_a_missing_file)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char *path = xprintf("%s/absent", dir);

	cr_expect_eq(fws_file_read_all(path, 100, &data, &len), FWS_ENOENT);
	cr_expect_null(data);
	free(path);
}

Test(json_fileio, read_all_over_max)
{
	char *path = xprintf("%s/big", dir);
	uint8_t *data = NULL;
	size_t len = 0;

	cr_assert_eq(fws_file_write_atomic(path, "0123456789", 10, 0600, FWS_OUT_NEW, NULL, 0), 0);
	cr_expect_eq(fws_file_read_all(path, 9, &data, &len), FWS_ELIMIT);
	cr_expect_null(data);
	cr_expect_eq(len, 0);
	cr_expect_eq(fws_file_read_all(path, 10, &data, &len), 0);
	free(data);
	free(path);
}

Test(json_fileio, write_atomic_new_on_existing_file_leaves_it_unchanged)
{
	char *path = xprintf("%s/key.pub", dir);
	uint8_t *data = NULL;
	size_t len = 0;

	cr_assert_eq(fws_file_write_atomic(path, "original", 8, 0644, FWS_OUT_NEW, NULL, 0), 0);
	cr_expect_eq(fws_file_write_atomic(path, "attacker", 8, 0644, FWS_OUT_NEW, NULL, 0),
		     FWS_EEXIST);
	cr_assert_eq(fws_file_read_all(path, 100, &data, &len), 0);
	cr_expect_eq(len, 8);
	cr_expect_eq(memcmp(data, "original", 8), 0);
	cr_expect_eq(entries_in_dir(), 1, "no temp file left behind");
	free(data);
	free(path);
}

Test(json_fileio, write_atomic_new_on_dangling_symlink)
{
	char *path = xprintf("%s/link", dir), *target = xprintf("%s/target", dir);

	/* A planted link must not redirect the write to its target. */
	cr_assert_eq(symlink(target, path), 0);
	cr_expect_eq(fws_file_write_atomic(path, "x", 1, 0600, FWS_OUT_NEW, NULL, 0), FWS_EEXIST);
	cr_expect_neq(access(target, F_OK), 0, "write followed the link");
	cr_expect_eq(entries_in_dir(), 1);
	free(path);
	free(target);
}

Test(json_fileio, write_atomic_into_missing_directory)
{
	char *path = xprintf("%s/no/such/file", dir);

	/* The directory is opened first: nothing is created anywhere. */
	int rc = fws_file_write_atomic(path, "x", 1, 0600, FWS_OUT_REPLACE, NULL, 0);
	cr_expect_eq(rc, FWS_ENOENT, "%s", fws_errname(rc));
	cr_expect_eq(fws_diag_last()->code, rc);
	cr_expect_str_eq(fws_diag_last()->where, pj(dir, "no/such"), "names the directory");
	cr_expect_eq(entries_in_dir(), 0);
	free(path);
}

Test(json_fileio, write_atomic_bad_arguments)
{
	const char *in[] = {"x"};

	cr_expect_eq(fws_file_write_atomic(NULL, "x", 1, 0600, FWS_OUT_REPLACE, NULL, 0),
		     FWS_EUSAGE);
	cr_expect_eq(fws_file_write_atomic("", "x", 1, 0600, FWS_OUT_REPLACE, NULL, 0), FWS_EUSAGE);
	cr_expect_eq(fws_file_write_atomic("/tmp/", "x", 1, 0600, FWS_OUT_REPLACE, NULL, 0),
		     FWS_EUSAGE);
	cr_expect_eq(fws_file_write_atomic("/tmp/x", NULL, 1, 0600, FWS_OUT_REPLACE, NULL, 0),
		     FWS_EUSAGE);
	/* An unknown policy is no policy: refused, not read as "replace". */
	char *path = xprintf("%s/p", dir);
	cr_expect_eq(fws_file_write_atomic(path, "x", 1, 0600, 3, NULL, 0), FWS_EUSAGE);
	cr_expect_eq(fws_file_write_atomic(path, "x", 1, 0600, -1, NULL, 0), FWS_EUSAGE);
	/* Inputs missing their array, or more than can be checked. */
	cr_expect_eq(fws_file_write_atomic(path, "x", 1, 0600, FWS_OUT_NEW, NULL, 1), FWS_EUSAGE);
	cr_expect_eq(
	    fws_file_write_atomic(path, "x", 1, 0600, FWS_OUT_NEW, in, FWS_OUT_INPUTS_MAX + 1),
	    FWS_EUSAGE);
	cr_expect_eq(entries_in_dir(), 0);
	free(path);
}

/* Replaced fws_fsync_parent: the directory fsync every commit ends with
 * reports a failure instead of dropping it. */
Test(json_fileio, fsync_dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	cr_assert_geq(fd, 0);
	cr_expect_eq(fws_io_fsync_dir(NULL, fd, "dir"), 0);
	close(fd);
	cr_expect_eq(fws_io_fsync_dir(NULL, fd, "dir"), FWS_EIO, "a closed descriptor");
	cr_expect_eq(fws_diag_last()->os_errno, EBADF);
}

/* The mode asked for is the mode the file gets, whatever the umask. */
Test(json_fileio, new_output_mode_is_exact)
{
	char *path = xprintf("%s/m", dir);
	mode_t old = umask(077);
	cr_assert_eq(fws_file_write_atomic(path, "x", 1, 0644, FWS_OUT_NEW, NULL, 0), 0);
	umask(old);
	cr_expect_eq(fs_mode(path) & 07777, 0644);
	free(path);
}

/* --- an output that is one of the command's inputs ---
 * `--out` naming the release key (or its hard link, or a symbolic link to
 * it) must never replace the key: refused before anything is written,
 * whatever the policy. */
enum alias { ALIAS_SAME_PATH, ALIAS_OTHER_SPELLING, ALIAS_HARD_LINK, ALIAS_SYMLINK };

static const char *const alias_names[] = {"same path", "other spelling", "hard link",
					  "symbolic link"};

Test(json_fileio, output_that_is_an_input_refused_with_esamefile)
{
	static const int policies[] = {FWS_OUT_NEW, FWS_OUT_REPLACE, FWS_OUT_UPDATE};
	for (int a = ALIAS_SAME_PATH; a <= ALIAS_SYMLINK; a++) {
		for (size_t p = 0; p < 3; p++) {
			char *key = xprintf("%s/release.key", outside);
			char *out = NULL;
			fs_spill(key, "SECRET", 6, 0600);
			switch (a) {
			case ALIAS_SAME_PATH:
				out = xprintf("%s", key);
				break;
			case ALIAS_OTHER_SPELLING:
				out = xprintf("%s/./../%s/release.key", outside,
					      strrchr(outside, '/') + 1);
				break;
			case ALIAS_HARD_LINK:
				out = xprintf("%s/out", dir);
				cr_assert_eq(link(key, out), 0);
				break;
			default:
				out = xprintf("%s/out", dir);
				cr_assert_eq(symlink(key, out), 0);
				break;
			}
			const char *inputs[] = {"-", NULL, "/nonexistent/input", key};
			char *before = fs_fingerprint(outside);
			int rc =
			    fws_file_write_atomic(out, "attacker", 8, 0600, policies[p], inputs, 4);
			cr_expect_eq(rc, FWS_ESAMEFILE, "%s, policy %d: %s", alias_names[a],
				     policies[p], fws_errname(rc));
			cr_expect_eq(fws_diag_last()->code, FWS_ESAMEFILE);
			char *after = fs_fingerprint(outside);
			cr_expect_str_eq(after, before, "%s: the input changed", alias_names[a]);
			cr_expect(fs_equals(key, "SECRET", 6));
			/* No temporary file left next to the output. */
			cr_expect_eq(entries_in_dir(), a >= ALIAS_HARD_LINK ? 1u : 0u,
				     "%s: left something behind", alias_names[a]);
			if (a >= ALIAS_HARD_LINK)
				cr_assert_eq(unlink(out), 0);
			cr_assert_eq(unlink(key), 0);
			free(before);
			free(after);
			free(out);
			free(key);
		}
	}
}

/* The same file made an input only after the output was opened (linked in
 * between open and commit): commit looks again. */
Test(json_fileio, input_linked_at_the_output_before_commit_refused)
{
	struct fws_output o;
	char *key = xprintf("%s/release.key", outside), *out = xprintf("%s/bundle.fwb", dir);
	const char *inputs[] = {key};
	fs_spill(key, "SECRET", 6, 0600);
	cr_assert_eq(fws_output_open(&o, out, 0644, FWS_OUT_REPLACE, inputs, 1), 0);
	cr_assert_eq(write(o.fd, "attacker", 8), 8);
	cr_assert_eq(link(key, out), 0);
	cr_expect_eq(fws_output_commit(&o), FWS_ESAMEFILE);
	cr_expect(fs_equals(key, "SECRET", 6));
	cr_expect_eq(fs_links(key), 2, "the planted link is still ours to look at");
	cr_expect_eq(entries_in_dir(), 1, "no temporary file left");
	fws_output_abort(&o); /* safe after a commit */
	free(key);
	free(out);
}

/* Inputs that are not files ("-", NULL, missing) never match anything. */
Test(json_fileio, non_file_inputs_do_not_block_an_output)
{
	char *out = xprintf("%s/out", dir);
	const char *inputs[] = {"-", NULL, "/nonexistent/input"};
	cr_expect_eq(fws_file_write_atomic(out, "ok", 2, 0644, FWS_OUT_NEW, inputs, 3), 0);
	cr_expect(fs_equals(out, "ok", 2));
	free(out);
}

/* --- FWS_OUT_UPDATE: the file being updated in place --- */

Test(json_fileio, update_keeps_the_mode)
{
	char *path = xprintf("%s/bundle.fwb", dir);
	fs_spill(path, "old", 3, 0600);
	cr_assert_eq(chmod(path, 0640), 0);
	cr_assert_eq(fws_file_write_atomic(path, "new", 3, 0600, FWS_OUT_UPDATE, NULL, 0), 0);
	cr_expect(fs_equals(path, "new", 3));
	cr_expect_eq(fs_mode(path) & 07777, 0640, "mode %o", (unsigned)(fs_mode(path) & 07777));
	cr_expect_eq(entries_in_dir(), 1);
	free(path);
}

Test(json_fileio, update_refuses_a_read_only_file)
{
	char *path = xprintf("%s/bundle.fwb", dir);
	fs_spill(path, "old", 3, 0600);
	cr_assert_eq(chmod(path, 0444), 0);
	/* root could write it anyway: the owner's mode bits decide. */
	int rc = fws_file_write_atomic(path, "new", 3, 0600, FWS_OUT_UPDATE, NULL, 0);
	cr_expect_eq(rc, FWS_EIO, "%s", fws_errname(rc));
	cr_expect_eq(fws_diag_last()->os_errno, EACCES);
	cr_expect(fs_equals(path, "old", 3));
	cr_expect_eq(fs_mode(path) & 07777, 0444);
	cr_expect_eq(entries_in_dir(), 1);
	free(path);
}

Test(json_fileio, update_needs_an_existing_regular_file)
{
	char *missing = xprintf("%s/missing", dir), *fifo = xprintf("%s/fifo", dir);
	char *sub = xprintf("%s/sub", dir);
	cr_expect_eq(fws_file_write_atomic(missing, "x", 1, 0600, FWS_OUT_UPDATE, NULL, 0),
		     FWS_ENOENT);
	cr_expect_not(fs_exists(missing));
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_expect_eq(fws_file_write_atomic(fifo, "x", 1, 0600, FWS_OUT_UPDATE, NULL, 0), FWS_EIO);
	cr_expect(S_ISFIFO(fs_mode(fifo)), "the FIFO is still there");
	cr_assert_eq(mkdir(sub, 0700), 0);
	/* A directory is never an output, whatever the policy. */
	for (int p = FWS_OUT_NEW; p <= FWS_OUT_UPDATE; p++)
		cr_expect_eq(fws_file_write_atomic(sub, "x", 1, 0600, p, NULL, 0), FWS_EIO,
			     "policy %d", p);
	cr_expect(S_ISDIR(fs_mode(sub)));
	cr_expect_eq(entries_in_dir(), 2);
	free(missing);
	free(fifo);
	free(sub);
}

/* REPLACE over a symbolic link replaces the link itself; the file it
 * pointed at is not written through. */
Test(json_fileio, replace_over_a_symlink_never_writes_its_target)
{
	char *victim = xprintf("%s/victim", outside), *out = xprintf("%s/out", dir);
	fs_spill(victim, "precious", 8, 0644);
	cr_assert_eq(symlink(victim, out), 0);
	cr_assert_eq(fws_file_write_atomic(out, "new", 3, 0644, FWS_OUT_REPLACE, NULL, 0), 0);
	cr_expect(fs_equals(victim, "precious", 8));
	cr_expect(S_ISREG(fs_mode(out)), "the link was replaced by the output");
	cr_expect(fs_equals(out, "new", 3));
	free(victim);
	free(out);
}

/* A hard link planted at the name the old writer used for its temporary
 * file ("out.tmp") is never written through: temporary names are random
 * and exclusive. */
Test(json_fileio, planted_link_at_old_temp_name_never_written)
{
	char *victim = xprintf("%s/victim", outside), *out = xprintf("%s/out", dir);
	char *old_tmp = xprintf("%s/out.tmp", dir);
	fs_spill(victim, "precious", 8, 0644);
	cr_assert_eq(link(victim, old_tmp), 0);
	cr_assert_eq(fws_file_write_atomic(out, "new", 3, 0644, FWS_OUT_NEW, NULL, 0), 0);
	cr_assert_eq(fws_file_write_atomic(out, "newer", 5, 0644, FWS_OUT_REPLACE, NULL, 0), 0);
	cr_expect(fs_equals(victim, "precious", 8));
	cr_expect(fs_equals(out, "newer", 5));
	cr_expect_eq(entries_in_dir(), 2, "out and the planted link, nothing else");
	free(victim);
	free(out);
	free(old_tmp);
}

Test(json_fileio, abort_leaves_nothing_and_is_idempotent)
{
	struct fws_output o;
	char *out = xprintf("%s/out", dir);
	cr_assert_eq(fws_output_open(&o, out, 0600, FWS_OUT_NEW, NULL, 0), 0);
	cr_assert_eq(write(o.fd, "half", 4), 4);
	cr_expect_eq(entries_in_dir(), 1, "the temporary file");
	fws_output_abort(&o);
	fws_output_abort(&o);
	cr_expect_eq(entries_in_dir(), 0);
	cr_expect_not(fs_exists(out));
	free(out);
}

/* Two writers racing for one NEW output: the second commit finds the name
 * taken and fails, the first one's bytes stay. */
Test(json_fileio, new_output_created_meanwhile_is_not_replaced)
{
	struct fws_output o;
	char *out = xprintf("%s/out", dir);
	cr_assert_eq(fws_output_open(&o, out, 0600, FWS_OUT_NEW, NULL, 0), 0);
	cr_assert_eq(write(o.fd, "second", 6), 6);
	fs_spill(out, "first", 5, 0600);
	cr_expect_eq(fws_output_commit(&o), FWS_EEXIST);
	cr_expect(fs_equals(out, "first", 5));
	cr_expect_eq(entries_in_dir(), 1);
	free(out);
}

/* The early check (before a passphrase is asked, before payloads are
 * hashed) refuses exactly what open would, and leaves nothing behind. */
Test(json_fileio, output_check_refuses_like_open_and_creates_nothing)
{
	char *key = xprintf("%s/release.key", dir), *out = xprintf("%s/out", dir);
	char *ro = xprintf("%s/ro", dir);
	const char *inputs[] = {key};
	fs_spill(key, "SECRET", 6, 0600);
	fs_spill(ro, "ro", 2, 0600);
	cr_assert_eq(chmod(ro, 0444), 0);
	cr_expect_eq(fws_output_check(out, FWS_OUT_NEW, inputs, 1), 0);
	cr_expect_eq(fws_output_check(key, FWS_OUT_NEW, inputs, 1), FWS_ESAMEFILE);
	cr_expect_eq(fws_output_check(key, FWS_OUT_REPLACE, NULL, 0), 0);
	cr_expect_eq(fws_output_check(key, FWS_OUT_NEW, NULL, 0), FWS_EEXIST);
	cr_expect_eq(fws_output_check(out, FWS_OUT_UPDATE, NULL, 0), FWS_ENOENT);
	cr_expect_eq(fws_output_check(ro, FWS_OUT_UPDATE, NULL, 0), FWS_EIO);
	cr_expect_eq(fws_output_check(out, 7, NULL, 0), FWS_EUSAGE);
	cr_expect_not(fs_exists(out));
	cr_expect_eq(entries_in_dir(), 2, "no temporary file left");
	cr_expect(fs_equals(key, "SECRET", 6));
	free(key);
	free(out);
	free(ro);
}
