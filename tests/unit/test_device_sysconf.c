/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-CONF-001 */
/* The strict system.conf parser (lib/device/config/parse.c,
 * docs/system-conf.md): what it takes, exactly, and each way it refuses,
 * naming the line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "fwseal/sysconf.h"

/* Lines 1-17; EXTRA starts at line 18. */
#define BASE \
	"[system]\n" \
	"hardware-id = hw-a\n" \
	"trusted-root = /etc/fwseal/root.json\n" \
	"state-dir = /var/lib/fwseal\n" \
	"bootloader = dir\n" \
	"[slot.rootfs.1]\n" \
	"class = rootfs\n" \
	"device = /nonexistent/disk\n" \
	"offset = %s\n" \
	"size = 1M\n" \
	"bootname = %s\n" \
	"[slot.rootfs.0]\n" \
	"class = rootfs\n" \
	"device = /nonexistent/disk\n" \
	"offset = 0\n" \
	"size = 1M\n" \
	"bootname = %s\n" \
	"%s"

static struct fws_sysconf conf;

static int parse(const char *offset, const char *name1, const char *name0, const char *extra)
{
	char text[4096];
	snprintf(text, sizeof(text), BASE, offset, name1, name0, extra);
	return fws_sysconf_parse(text, strlen(text), "t.conf", &conf);
}

static void refused(int rc, const char *where, const char *why)
{
	const struct fws_diag *d = fws_diag_last();
	cr_assert_eq(rc, FWS_ECONFIG, "%s", fws_errname(rc));
	cr_assert_str_eq(d->where, where);
	cr_assert_not_null(strstr(d->why, why), "why: %s", d->why);
}

Test(device_sysconf, numbers_are_decimal_or_hex_never_octal)
{
	const struct {
		const char *text;
		uint64_t value;
	} ok[] = {{"1M", 1 << 20},	    {"1048576", 1 << 20}, {"0x100000", 1 << 20},
		  {"0X100000", 1 << 20}, {"1024K", 1 << 20},	  {"0xFF00000", 0xFF00000},
		  {"0XA00000", 10 << 20}};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(parse(ok[i].text, "B", "A", ""), 0, "%s: %s", ok[i].text,
			     fws_diag_last()->why);
		cr_assert_eq(fws_sysconf_slot(&conf, 'b', "rootfs")->offset, ok[i].value, "%s",
			     ok[i].text);
	}
	/* A leading 0 is refused: octal 8 to some readers of 010, ten to
	 * others (ADR-071). */
	const char *bad[] = {"-1", "+5",   "1.5M", "0x",       "1MB", "1T", "18446744073709551616",
			     "0x1g", "1 M", "010",  "01048576", "08M", "00"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(parse(bad[i], "B", "A", ""), "line 9", "is not a byte count");
}

/* The two sets are named by the bootnames; set a is the one that sorts
 * first, whatever the order of the sections: the same file, the same
 * sets. */
Test(device_sysconf, set_a_is_the_bootname_that_sorts_first)
{
	cr_assert_eq(parse("2M", "B", "A", ""), 0);
	cr_assert_str_eq(conf.bootnames[0], "A");
	cr_assert_eq(fws_sysconf_slot(&conf, 'a', "rootfs")->offset, 0);
	cr_assert_eq(parse("2M", "A", "B", ""), 0);
	cr_assert_eq(fws_sysconf_slot(&conf, 'a', "rootfs")->offset, 2 << 20);
}

Test(device_sysconf, slots_that_overlap_refused)
{
	refused(parse("512K", "B", "A", ""), "line 12", "[slot.rootfs.0] overlaps [slot.rootfs.1]");
	/* size 0 = to the end of the device: overlaps whatever comes after */
	char extra[] = "[slot.kernel.0]\nclass = kernel\ndevice = /nonexistent/disk\noffset = 4M\n"
		       "bootname = A\n[slot.kernel.1]\nclass = kernel\ndevice = /nonexistent/disk\n"
		       "offset = 8M\nsize = 1M\nbootname = B\n";
	refused(parse("2M", "B", "A", extra), "line 23", "overlaps [slot.kernel.0]");
}

/* One path to a file and another through a link are the same device. */
Test(device_sysconf, overlap_through_another_name_of_the_same_file_refused)
{
	char dir[] = "/tmp/fwseal-conf-XXXXXX", disk[64], alias[64], text[2048];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(disk, sizeof(disk), "%s/disk.img", dir);
	snprintf(alias, sizeof(alias), "%s/alias.img", dir);
	FILE *f = fopen(disk, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(symlink(disk, alias), 0);
	snprintf(text, sizeof(text),
		 "[system]\nhardware-id = h\ntrusted-root = /r.json\nstate-dir = /s\n"
		 "bootloader = dir\n[slot.r.0]\nclass = rootfs\ndevice = %s\noffset = 0\n"
		 "size = 1M\nbootname = A\n[slot.r.1]\nclass = rootfs\ndevice = %s\n"
		 "offset = 512K\nsize = 1M\nbootname = B\n",
		 disk, alias);
	int rc = fws_sysconf_parse(text, strlen(text), "t.conf", &conf);
	unlink(alias);
	unlink(disk);
	rmdir(dir);
	refused(rc, "line 12", "overlaps [slot.r.0]");
}

Test(device_sysconf, every_mistake_named_by_line)
{
	refused(parse("2M", "B", "A", "[system]\n"), "line 18", "[system] given twice");
	refused(parse("2M", "B", "A", "[slot.rootfs.0]\n"), "line 18",
		"[slot.rootfs.0] given twice (first on line 12)");
	refused(parse("2M", "B", "A", "[netwrk]\n"), "line 18", "unknown section [netwrk]");
	refused(parse("2M", "B", "A", "bootnme = A\n"), "line 18",
		"unknown key \"bootnme\" in [slot.rootfs.0]");
	refused(parse("2M", "B", "A", "class = x\n"), "line 18", "\"class\" given twice");
	refused(parse("2M", "B", "C", "[slot.k.2]\nclass = k\ndevice = /d\nbootname = D\n"), "line 18",
		"a third bootname \"D\"");
	refused(parse("2M", "B", "B", ""), "line 12", "a second rootfs slot for bootname B");
	refused(parse("2M", "B", "A", "[network]\nheader = X-A: 1\rX-B: 2\n"), "line 19",
		"header: a control character (0x0d)");
	refused(parse("2M", "B", "A", "[network]\nca-file = /a\x01" "b\n"), "line 19",
		"ca-file: a control character (0x01)");
	refused(parse("2M", "B", "A", "[network]\nca-file = /a\tb\n"), "line 19",
		"ca-file: a control character (0x09)");
	refused(parse("2M", "B", "A", "[network]\nheader = no colon\n"), "line 19",
		"is not \"Name: value\"");
	refused(parse("2M", "B", "A", "[network]\nretries = 101\n"), "line 19",
		"retries: \"101\" is not a number from 0 to 100");
	refused(parse("2M", "B", "A", "[network]\nallow-http = yes\n"), "line 19",
		"allow-http: \"yes\" is not true or false");
	refused(parse("2M", "B", "A", "[custom]\nprogram = bin/loader\n"), "line 19",
		"program: \"bin/loader\" is not an absolute path");
}

Test(device_sysconf, whole_file_rules)
{
	char text[4096];
	const char *crlf = "[system]\r\nhardware-id = h\r\n";
	refused(fws_sysconf_parse(crlf, strlen(crlf), "t", &conf), "line 1", "carriage return");
	const char nul[] = "[system]\nhardware-id = h\0\n";
	cr_assert_eq(fws_sysconf_parse(nul, sizeof(nul) - 1, "t", &conf), FWS_ECONFIG);
	memset(text, 'x', sizeof(text));
	memcpy(text, "[system]\n# ", 11);
	cr_assert_eq(fws_sysconf_parse(text, sizeof(text), "t", &conf), FWS_ECONFIG);
	cr_assert_not_null(strstr(fws_diag_last()->why, "longer than"));
	char *big = calloc(1, 70000);
	memset(big, '\n', 69999);
	cr_assert_eq(fws_sysconf_parse(big, 69999, "t", &conf), FWS_ECONFIG);
	cr_assert_not_null(strstr(fws_diag_last()->why, "larger than"));
	free(big);
	const char *none = "# nothing\n";
	refused(fws_sysconf_parse(none, strlen(none), "t", &conf), "", "no [system] section");
	const char *loose = "hardware-id = h\n[system]\n";
	refused(fws_sysconf_parse(loose, strlen(loose), "t", &conf), "line 1",
		"\"hardware-id\" outside a section");
}

/* parse() with a line put after "bootloader = dir" (line 5), or that
 * line replaced. */
static int parse_system(const char *from, const char *to)
{
	char text[4096], out[4200];
	snprintf(text, sizeof(text), BASE, "2M", "B", "A", "");
	char *p = strstr(text, from);
	cr_assert_not_null(p);
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	return fws_sysconf_parse(out, strlen(out), "t.conf", &conf);
}

Test(device_sysconf, backend_rules)
{
	refused(parse_system("bootloader = dir\n", "bootloader = dir\nbooted = bootloader\n"),
		"line 1", "the dir bootloader always knows");
	refused(parse_system("bootloader = dir\n", "bootloader = grub\n"), "line 1",
		"bootloader grub needs [grub] grubenv");
	refused(parse_system("bootloader = dir\n", "bootloader = custom\n"), "line 1",
		"bootloader custom needs [custom] program");
	refused(parse_system("bootloader = dir\n", ""), "line 1", "[system] needs bootloader");
	refused(parse_system("hardware-id = hw-a\n", ""), "line 1",
		"[system] needs hardware-id, trusted-root, state-dir and bootloader");
	refused(parse_system("hardware-id = hw-a\n", "hardware-id = ../x\n"), "line 2",
		"hardware-id: \"../x\" is not a name");
	refused(parse_system("bootloader = dir\n", "bootloader = lilo\n"), "line 5",
		"bootloader: \"lilo\" is not one of");
}

Test(device_sysconf, uboot_tries_are_one_digit)
{
	char text[4096];
#define UBOOT                                                                                 \
	"[system]\nhardware-id = h\ntrusted-root = /r.json\nstate-dir = /s\n"                 \
	"bootloader = uboot\nboot-attempts = %s\n[uboot]\nfw-env-config = /e\n"               \
	"[slot.r.0]\nclass = rootfs\ndevice = /a\nbootname = A\n"                              \
	"[slot.r.1]\nclass = rootfs\ndevice = /b\nbootname = B\n"
	snprintf(text, sizeof(text), UBOOT, "9");
	cr_assert_eq(fws_sysconf_parse(text, strlen(text), "t", &conf), 0, "%s",
		     fws_diag_last()->why);
	cr_assert_eq(conf.boot_attempts, 9);
	snprintf(text, sizeof(text), UBOOT, "10");
	refused(fws_sysconf_parse(text, strlen(text), "t", &conf), "line 1",
		"with U-Boot tries are one digit");
}
