/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-CONF-002 */
/* The one trust rule (lib/io/fs_trust.c, ADR-070), attacked directly: a
 * directory others may write anywhere on the way, a planted link, a link
 * at a name fwseal replaces, another owner, a FIFO, a device node; and
 * what must still pass (a root-owned sticky directory, a link in a trusted
 * directory, a file not there yet). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "io/io.h"

static char base[64];

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/fws-trust-XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	umask(022);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(io_trust, .init = setup, .fini = teardown, .timeout = 30);

static const char *at(const char *name)
{
	static char ring[4][256];
	static int next;
	char *p = ring[next++ % 4];
	snprintf(p, sizeof(ring[0]), "%s/%s", base, name);
	return p;
}

static void touch(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
}

static void refused(int rc, int code, const char *why)
{
	cr_assert_eq(rc, code, "rc %d, expected %d (%s)", rc, code, fws_diag_last()->why);
	cr_assert(strstr(fws_diag_last()->why, why) != NULL, "why: %s, expected: %s",
		  fws_diag_last()->why, why);
}

Test(io_trust, a_trusted_file_passes)
{
	touch(at("f"), 0644);
	cr_assert_eq(fws_io_check_path(at("f"), "f", 0), 0, "%s", fws_diag_last()->why);
}

Test(io_trust, a_directory_others_may_write_on_the_way_is_refused)
{
	cr_assert_eq(mkdir(at("open"), 0755), 0);
	cr_assert_eq(chmod(at("open"), 0777), 0);
	cr_assert_eq(mkdir(at("open/sub"), 0755), 0);
	touch(at("open/sub/f"), 0644);
	refused(fws_io_check_path(at("open/sub/f"), "thing", 0), FWS_EUNSAFE,
		"thing: its directory");
	cr_assert(strstr(fws_diag_last()->why, "/open is writable by group or others") != NULL,
		  "%s", fws_diag_last()->why);
}

Test(io_trust, a_root_owned_sticky_directory_passes_only_for_root)
{
	cr_assert_eq(mkdir(at("sticky"), 0755), 0);
	cr_assert_eq(chmod(at("sticky"), 01777), 0);
	touch(at("sticky/f"), 0644);
	int rc = fws_io_check_path(at("sticky/f"), "f", 0);
	if (geteuid() == 0)
		cr_assert_eq(rc, 0, "%s", fws_diag_last()->why);
	else
		cr_assert_eq(rc, FWS_EUNSAFE, "a sticky directory of a user is not root's");
}

Test(io_trust, a_planted_link_in_a_directory_others_may_write_is_refused)
{
	touch(at("target"), 0644);
	cr_assert_eq(mkdir(at("pub"), 0755), 0);
	cr_assert_eq(chmod(at("pub"), 0777), 0);
	cr_assert_eq(symlink(at("target"), at("pub/slot")), 0);
	refused(fws_io_check_path(at("pub/slot"), "[slot.x]", FWS_TRUST_DEVICE), FWS_EUNSAFE,
		"writable by group or others");
}

Test(io_trust, a_link_in_a_trusted_directory_to_a_trusted_file_passes)
{
	touch(at("target"), 0644);
	cr_assert_eq(mkdir(at("by-label"), 0755), 0);
	cr_assert_eq(symlink("../target", at("by-label/x")), 0);
	cr_assert_eq(fws_io_check_path(at("by-label/x"), "x", FWS_TRUST_DEVICE), 0, "%s",
		     fws_diag_last()->why);
}

Test(io_trust, a_link_to_a_file_below_an_open_directory_is_refused)
{
	cr_assert_eq(mkdir(at("open"), 0755), 0);
	cr_assert_eq(chmod(at("open"), 0777), 0);
	touch(at("open/target"), 0644);
	cr_assert_eq(symlink(at("open/target"), at("link")), 0);
	refused(fws_io_check_path(at("link"), "x", 0), FWS_EUNSAFE, "writable by group or others");
}

Test(io_trust, a_link_where_the_file_is_replaced_is_refused)
{
	touch(at("real.env"), 0644);
	cr_assert_eq(symlink("real.env", at("grubenv")), 0);
	refused(fws_io_check_path(at("grubenv"), "GRUB environment block", FWS_TRUST_NOLINK),
		FWS_EUNSAFE, "a symbolic link");
	cr_assert_eq(fws_io_check_path(at("grubenv"), "read only", 0), 0);
}

Test(io_trust, a_file_of_another_user_or_writable_by_others_is_refused)
{
	touch(at("group"), 0664);
	refused(fws_io_check_path(at("group"), "x", 0), FWS_EUNSAFE, "writable by group or others");
	if (geteuid() != 0)
		cr_skip_test("only root can give a file away");
	touch(at("nobody"), 0644);
	cr_assert_eq(chown(at("nobody"), 65534, 65534), 0);
	refused(fws_io_check_path(at("nobody"), "x", 0), FWS_EUNSAFE, "owned by uid 65534");
}

Test(io_trust, a_fifo_socket_device_or_directory_where_a_file_belongs_is_refused)
{
	cr_assert_eq(mkfifo(at("fifo"), 0644), 0);
	refused(fws_io_check_path(at("fifo"), "[slot.x]", FWS_TRUST_DEVICE), FWS_EFILETYPE,
		"a FIFO, not a regular file or block device");
	refused(fws_io_check_path("/dev/null", "[slot.x]", FWS_TRUST_DEVICE), FWS_EFILETYPE,
		"a character device");
	cr_assert_eq(mkdir(at("d"), 0755), 0);
	refused(fws_io_check_path(at("d"), "x", 0), FWS_EFILETYPE, "a directory");
	touch(at("file"), 0644);
	refused(fws_io_check_path(at("file/below"), "x", 0), FWS_EFILETYPE, "is not a directory");
}

Test(io_trust, an_environment_on_an_mtd_character_device_passes_only_where_asked)
{
	if (mknod(at("mtd2"), S_IFCHR | 0600, makedev(1, 3)) != 0)
		cr_skip_test("mknod: %s (needs root)", strerror(errno));
	cr_assert_eq(fws_io_check_path(at("mtd2"), "U-Boot environment copy 1",
				       FWS_TRUST_DEVICE | FWS_TRUST_CHARDEV),
		     0, "%s", fws_diag_last()->why);
	refused(fws_io_check_path(at("mtd2"), "[slot.x]", FWS_TRUST_DEVICE), FWS_EFILETYPE,
		"a character device");
	cr_assert_eq(chmod(at("mtd2"), 0606), 0);
	refused(fws_io_check_path(at("mtd2"), "U-Boot environment copy 1",
				  FWS_TRUST_DEVICE | FWS_TRUST_CHARDEV),
		FWS_EUNSAFE, "writable by group or others");
}

Test(io_trust, what_is_not_there_yet_passes_below_a_trusted_directory)
{
	cr_assert_eq(fws_io_check_path(at("missing/deeper/f"), "x", 0), 0);
	cr_assert_eq(fws_io_check_path(at("state"), "x", FWS_TRUST_DIR), 0);
}

Test(io_trust, a_relative_name_is_checked_from_the_working_directory)
{
	char cwd[512];
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(mkdir(at("open"), 0755), 0);
	cr_assert_eq(chmod(at("open"), 0777), 0);
	touch(at("open/sys.conf"), 0644);
	cr_assert_eq(chdir(at("open")), 0);
	int rc = fws_io_check_path("sys.conf", "system configuration", 0);
	cr_assert_eq(chdir(cwd), 0);
	refused(rc, FWS_EUNSAFE, "writable by group or others");
}
