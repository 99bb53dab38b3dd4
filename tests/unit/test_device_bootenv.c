/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-008, REQ-CONF-001 */
/* The bootloaders' parsers as pure functions (lib/device/boot/): the
 * running set from the kernel command line, the U-Boot convention's
 * variables, the GRUB environment block, and fw_env.config read the way
 * libubootenv reads it - each with the input an attacker or a careless
 * integrator would give. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "device/boot/env.h"
#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "fwseal/sysconf.h"

static struct fws_sysconf conf;

/* Set a (A): rootfs in disk.img at 0, kernel alone in ka.img; set b (B):
 * rootfs in disk.img at 1M, kernel alone in kb.img. */
static void two_sets(const char *booted)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "[system]\nhardware-id = hw-a\ntrusted-root = /nonexistent/r.json\n"
		 "state-dir = /nonexistent/state\nbootloader = uboot\n%s\n"
		 "[uboot]\nfw-env-config = /nonexistent/fw_env.config\n"
		 "[slot.r0]\nclass = rootfs\ndevice = /nonexistent/disk.img\noffset = 0\nsize = "
		 "1M\nbootname = A\n"
		 "[slot.r1]\nclass = rootfs\ndevice = /nonexistent/disk.img\noffset = 1M\nsize = "
		 "1M\nbootname = B\n"
		 "[slot.k0]\nclass = kernel\ndevice = /nonexistent/ka.img\nbootname = A\n"
		 "[slot.k1]\nclass = kernel\ndevice = /nonexistent/kb.img\nbootname = B\n",
		 booted);
	cr_assert_eq(fws_sysconf_parse(text, strlen(text), "t.conf", &conf), 0, "%s",
		     fws_diag_last()->why);
}

Test(bootenv, root_naming_an_image_both_sets_share_is_not_known)
{
	two_sets("");
	cr_assert_eq(fws_booted_from_cmdline(&conf, "console=ttyS0 root=/nonexistent/disk.img ro"),
		     '-', "a shared image was taken as one set");
	cr_assert_eq(fws_booted_from_cmdline(&conf, "root=/nonexistent/kb.img"), 'b');
	cr_assert_eq(fws_booted_from_cmdline(&conf, "root=/nonexistent/ka.img quiet"), 'a');
	/* fwseal.slot= still names the set where root= cannot. */
	cr_assert_eq(fws_booted_from_cmdline(&conf, "root=/nonexistent/disk.img fwseal.slot=B"),
		     'b');
	cr_assert_eq(fws_booted_from_cmdline(&conf, "root=/nonexistent/disk.img.x"), '-');
}

Test(bootenv, variables_read_as_the_boot_script_reads_them)
{
	struct fws_boot_view v;
	two_sets("booted = bootloader");
	const char values[4][ENV_VALUE_MAX] = {"  C B B A ", "3", "0x2", "B"};
	fws_env_view_parse(&conf, values, &v);
	cr_assert_eq(v.order[0], 'b', "unknown bootnames are passed over");
	cr_assert_eq(v.order[1], 'a', "a repeat is passed over");
	cr_assert_eq(v.left[0], 3);
	cr_assert_eq(v.left[1], 0, "a count that is not decimal is no tries");
	cr_assert_eq(v.booted, 'b');
	const char odd[4][ENV_VALUE_MAX] = {"", "9999", "256", "b"};
	fws_env_view_parse(&conf, odd, &v);
	cr_assert(v.order[0] == '-' && v.order[1] == '-');
	cr_assert_eq(v.left[0], 0, "more than three digits is no tries");
	cr_assert_eq(v.left[1], 255, "above 255 counts as 255");
	cr_assert_eq(v.booted, '-', "bootnames are case-sensitive");
}

static void block_with(char *block, const char *body)
{
	memset(block, '#', FWS_GRUB_BLOCK);
	memcpy(block, "# GRUB Environment Block\n", 25);
	memcpy(block + 25, body, strlen(body));
}

Test(bootenv, grub_block_keeps_other_variables_and_replaces_ours)
{
	char block[FWS_GRUB_BLOCK], out[FWS_GRUB_BLOCK];
	size_t len;
	block_with(block, "other=kept\nBOOT_ORDER=A\n# a comment\n");
	const char *keys[] = {"BOOT_ORDER", "BOOT_A_LEFT"}, *values[] = {"B A", "3"};
	cr_assert_eq(fws_grub_rebuild(block, keys, values, 2, out), 0);
	const char *v = fws_grub_find(out, "BOOT_ORDER", &len);
	cr_assert(v != NULL && len == 3 && memcmp(v, "B A", 3) == 0);
	cr_assert(fws_grub_find(out, "other", &len) != NULL && len == 4);
	cr_assert_null(fws_grub_find(out, "BOOT_B_LEFT", &len));
	cr_assert_null(fws_grub_find(out, "BOOT", &len), "a key's prefix is not the key");
	cr_assert_eq(out[FWS_GRUB_BLOCK - 1], '#', "padded to 1024 bytes");
}

Test(bootenv, grub_block_that_cannot_take_our_variables_is_refused)
{
	char block[FWS_GRUB_BLOCK], out[FWS_GRUB_BLOCK], body[1000];
	memset(body, 'x', sizeof(body) - 2);
	memcpy(body, "big=", 4);
	body[sizeof(body) - 2] = '\n';
	body[sizeof(body) - 1] = '\0';
	block_with(block, body);
	const char *keys[] = {"BOOT_ORDER"}, *values[] = {"A B"};
	cr_assert_eq(fws_grub_rebuild(block, keys, values, 1, out), -1);
}

Test(bootenv, grub_block_read_as_grub_reads_it)
{
	char block[FWS_GRUB_BLOCK], out[FWS_GRUB_BLOCK];
	size_t len;
	/* An escaped newline continues X's value: GRUB sees no BOOT_ORDER. */
	block_with(block, "X=a\\\nBOOT_ORDER=B A\n");
	cr_assert_null(fws_grub_find(block, "BOOT_ORDER", &len), "an escaped newline ends no line");
	/* A line without '=' swallows the next name. */
	block_with(block, "junk\nBOOT_ORDER=B\n");
	cr_assert_null(fws_grub_find(block, "BOOT_ORDER", &len), "junk\\nBOOT_ORDER is one name");
	/* Given twice, the last one is what GRUB sets. */
	block_with(block, "BOOT_ORDER=A\nBOOT_ORDER=B\n");
	const char *v = fws_grub_find(block, "BOOT_ORDER", &len);
	cr_assert(v != NULL && len == 1 && v[0] == 'B');
	/* After a rewrite, GRUB reads ours, whatever came before. */
	block_with(block, "X=a\\\nBOOT_ORDER=B A\njunk\n# note\n");
	const char *keys[] = {"BOOT_ORDER"}, *values[] = {"A B"};
	cr_assert_eq(fws_grub_rebuild(block, keys, values, 1, out), 0);
	v = fws_grub_find(out, "BOOT_ORDER", &len);
	cr_assert(v != NULL && len == 3 && memcmp(v, "A B", 3) == 0,
		  "GRUB would not see our order");
}

static int fw_env(const char *text, struct fws_fw_env *env)
{
	return fws_fw_env_parse(text, strlen(text), "fw_env.config", env);
}

Test(bootenv, fw_env_config_read_as_libubootenv_reads_it)
{
	struct fws_fw_env env;
	cr_assert_eq(fw_env("# comment\n\n/dev/mmcblk0 0x3f0000 0x4000\n"
			    "/dev/mmcblk0\t010\t4000 0x200 1\n",
			    &env),
		     0, "%s", fws_diag_last()->why);
	cr_assert_eq(env.n, 2);
	cr_assert_eq(env.area[0].offset, 0x3f0000);
	cr_assert_eq(env.area[0].size, 0x4000);
	cr_assert_eq(env.area[1].offset, 8, "a leading 0 is octal there (%%lli)");
	cr_assert_eq(env.area[1].size, 0x4000, "the size is hex with or without 0x (%%zx)");
	cr_assert_eq(env.area[1].line, 4);
}

Test(bootenv, fw_env_config_that_libubootenv_would_read_otherwise_is_refused)
{
	struct fws_fw_env env;
	static const char *const bad[] = {
	    "env.bin 0 0x4000\n",		 /* relative: opened where fwseal runs */
	    "/dev/mmcblk0 0x0\n",		 /* no size */
	    "/a 0 4000\n/b 0 4000\n/c 0 4000\n", /* a third copy */
	    "/dev/mmcblk0 -1 0x4000\n",		 /* a sign */
	    "/dev/mmcblk0 0x0 0x4000 zz\n",	 /* not hex */
	    "/dev/mmcblk0 0x0 0\n",		 /* an empty environment */
	    "/dev/mmcblk0 0x0 0x4000 1 2 3\n",	 /* six fields */
	    "# only a comment\n",		 /* no environment at all */
	    "/dev/mmcblk0 99999999999999999999999 0x4000\n", /* out of range */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(fw_env(bad[i], &env), FWS_ECONFIG, "accepted: %s", bad[i]);
	cr_assert_eq(fws_fw_env_parse("/a 0 4000\n\0", 11, "f", &env), FWS_ECONFIG, "a NUL byte");
	cr_assert_eq(fw_env("/a 0 4000\n/b 0 4000\n/c 0 4000\n", &env), FWS_ECONFIG);
	cr_assert_str_eq(fws_diag_last()->where, "fw_env.config");
	cr_assert(strstr(fws_diag_last()->why, "line 3: a third environment copy") != NULL, "%s",
		  fws_diag_last()->why);
}
