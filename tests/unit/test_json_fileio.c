/* File helpers: bounded reads that refuse non-files and changing files, and
 * atomic writes that never clobber (excl) and never leave a temp behind. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fwseal/fileio.h"
#include "test_json_util.h"

static char dir[] = "/tmp/fws-fileio-XXXXXX";

static void setup(void)
{
	json_test_setup();
	cr_assert_not_null(mkdtemp(dir));
}

/* Removes every file in dir, then dir. */
static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = xprintf("%s/%s", dir, e->d_name);
		if (unlink(p) != 0)
			rmdir(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
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

	cr_assert_eq(fws_file_write_atomic(path, "hello", 5, 0600, 1), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(fws_file_read_all(path, 5, &data, &len), 0);
	cr_expect_eq(len, 5);
	cr_expect_eq(memcmp(data, "hello", 5), 0);
	cr_expect_eq(data[5], '\0', "read_all NUL-terminates");
	free(data);
	cr_expect_eq(entries_in_dir(), 1, "no temp file left behind");

	/* Not excl: replaces atomically. */
	cr_assert_eq(fws_file_write_atomic(path, "bye", 3, 0644, 0), 0);
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

	cr_assert_eq(fws_file_write_atomic(path, NULL, 0, 0600, 1), 0);
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

	cr_assert_eq(fws_file_write_atomic(path, "0123456789", 10, 0600, 1), 0);
	cr_expect_eq(fws_file_read_all(path, 9, &data, &len), FWS_ELIMIT);
	cr_expect_null(data);
	cr_expect_eq(len, 0);
	cr_expect_eq(fws_file_read_all(path, 10, &data, &len), 0);
	free(data);
	free(path);
}

Test(json_fileio, write_atomic_excl_on_existing_file_leaves_it_unchanged)
{
	char *path = xprintf("%s/key.pub", dir);
	uint8_t *data = NULL;
	size_t len = 0;

	cr_assert_eq(fws_file_write_atomic(path, "original", 8, 0644, 1), 0);
	cr_expect_eq(fws_file_write_atomic(path, "attacker", 8, 0644, 1), FWS_EEXIST);
	cr_assert_eq(fws_file_read_all(path, 100, &data, &len), 0);
	cr_expect_eq(len, 8);
	cr_expect_eq(memcmp(data, "original", 8), 0);
	cr_expect_eq(entries_in_dir(), 1, "no temp file left behind");
	free(data);
	free(path);
}

Test(json_fileio, write_atomic_excl_on_dangling_symlink)
{
	char *path = xprintf("%s/link", dir), *target = xprintf("%s/target", dir);

	/* A planted link must not redirect the write to its target. */
	cr_assert_eq(symlink(target, path), 0);
	cr_expect_eq(fws_file_write_atomic(path, "x", 1, 0600, 1), FWS_EEXIST);
	cr_expect_neq(access(target, F_OK), 0, "write followed the link");
	cr_expect_eq(entries_in_dir(), 1);
	free(path);
	free(target);
}

Test(json_fileio, write_atomic_into_missing_directory)
{
	char *path = xprintf("%s/no/such/file", dir);

	cr_expect_eq(fws_file_write_atomic(path, "x", 1, 0600, 0), FWS_EIO);
	cr_expect_eq(entries_in_dir(), 0);
	free(path);
}

Test(json_fileio, write_atomic_bad_arguments)
{
	cr_expect_eq(fws_file_write_atomic(NULL, "x", 1, 0600, 0), FWS_EUSAGE);
	cr_expect_eq(fws_file_write_atomic("", "x", 1, 0600, 0), FWS_EUSAGE);
	cr_expect_eq(fws_file_write_atomic("/tmp/", "x", 1, 0600, 0), FWS_EUSAGE);
	cr_expect_eq(fws_file_write_atomic("/tmp/x", NULL, 1, 0600, 0), FWS_EUSAGE);
}

Test(json_fileio, fsync_parent)
{
	char *path = xprintf("%s/f", dir);

	cr_expect_eq(fws_fsync_parent(path), 0);
	cr_expect_eq(fws_fsync_parent("relative-name"), 0);
	cr_expect_eq(fws_fsync_parent("/top-level"), 0);
	cr_expect_eq(fws_fsync_parent("/no/such/dir/f"), FWS_EIO);
	free(path);
}
