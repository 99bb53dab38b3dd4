/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-CONF-002 */
/* A slot may not cover anything fwseal or the bootloader needs
 * (lib/device/config/regions.c, ADR-071), on disks laid out by a sysfs
 * tree of the test's own, laid out as the kernel's (a partitioned loop
 * device is not available everywhere): a whole-disk slot at an offset over the partition holding
 * the environment, and over another slot's partition; and the same disk
 * through a second device node. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "device/boot/env.h"
#include "device/config/checks.h"
#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "fwseal/sysconf.h"

static char base[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void sh(const char *cmd)
{
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* Disk 250:0 of 64 MiB; partition 250:1 from sector 2048 (1 MiB), 4 MiB;
 * partition 250:2 from sector 12288 (6 MiB), 8 MiB. Nodes in dev/. */
static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/fws-regions-XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir -p sys/dev/block sys/devices/vdz/vdz1 sys/devices/vdz/vdz2 dev",
		 base);
	sh(cmd);
	put("sys/devices/vdz/dev", "250:0\n");
	put("sys/devices/vdz/size", "131072\n");
	put("sys/devices/vdz/vdz1/dev", "250:1\n");
	put("sys/devices/vdz/vdz1/partition", "1\n");
	put("sys/devices/vdz/vdz1/start", "2048\n");
	put("sys/devices/vdz/vdz1/size", "8192\n");
	put("sys/devices/vdz/vdz2/dev", "250:2\n");
	put("sys/devices/vdz/vdz2/partition", "2\n");
	put("sys/devices/vdz/vdz2/start", "12288\n");
	put("sys/devices/vdz/vdz2/size", "16384\n");
	snprintf(
	    cmd, sizeof(cmd),
	    "cd '%s/sys/dev/block' && ln -s ../../devices/vdz 250:0 && "
	    "ln -s ../../devices/vdz/vdz1 250:1 && ln -s ../../devices/vdz/vdz2 250:2 && "
	    "mkdir -p ../../class/block && cd ../../class/block && ln -s ../../devices/vdz vdz && "
	    "ln -s ../../devices/vdz/vdz1 vdz1 && ln -s ../../devices/vdz/vdz2 vdz2",
	    base);
	sh(cmd);
	char node[128];
	static const char *const names[] = {"vdz", "vdz1", "vdz2", "other-vdz"};
	static const unsigned minors[] = {0, 1, 2, 0};
	for (int i = 0; i < 4; i++) {
		snprintf(node, sizeof(node), "%s/dev/%s", base, names[i]);
		if (mknod(node, S_IFBLK | 0600, makedev(250, minors[i])) != 0)
			cr_skip_test("mknod: %s (needs root)", strerror(errno));
	}
	char root[128];
	snprintf(root, sizeof(root), "%s/sys", base);
	fws__regions_sysfs(root);
}

static void teardown(void)
{
	char cmd[128];
	fws__regions_sysfs(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	sh(cmd);
}

TestSuite(regions, .init = setup, .fini = teardown, .timeout = 30);

static struct fws_sysconf conf;
static struct fws_fw_env env;

/* Set a: rootfs on DEV_A at OFF_A (64 KiB); set b: rootfs on vdz2. The
 * environment: on ENV_DEV at 0, 16 KiB. */
static int check(const char *dev_a, const char *off_a, const char *env_dev)
{
	char text[2048], envtext[256];
	snprintf(
	    text, sizeof(text),
	    "[system]\nhardware-id = hw\ntrusted-root = %s/r.json\nstate-dir = %s/state\n"
	    "bootloader = uboot\n[uboot]\nfw-env-config = %s/fw_env.config\n"
	    "[slot.r0]\nclass = rootfs\ndevice = %s/dev/%s\noffset = %s\nsize = 64K\nbootname = A\n"
	    "[slot.r1]\nclass = rootfs\ndevice = %s/dev/vdz2\nbootname = B\n",
	    base, base, base, base, dev_a, off_a, base);
	cr_assert_eq(fws_sysconf_parse(text, strlen(text), "t.conf", &conf), 0, "%s",
		     fws_diag_last()->why);
	snprintf(envtext, sizeof(envtext), "%s/dev/%s 0x0 0x4000\n", base, env_dev);
	cr_assert_eq(fws_fw_env_parse(envtext, strlen(envtext), "fw_env.config", &env), 0);
	return fws_sysconf_check_regions(&conf, &env);
}

Test(regions, a_whole_disk_slot_over_the_partition_holding_the_environment)
{
	cr_assert_eq(check("vdz", "1M", "vdz1"), FWS_EOVERLAP);
	cr_assert(strstr(fws_diag_last()->why, "[slot.r0] covers U-Boot environment copy 1") !=
		      NULL,
		  "%s", fws_diag_last()->why);
	/* Just before the partition: its bytes are not covered. */
	cr_assert_eq(check("vdz", "0xF0000", "vdz1"), 0, "%s", fws_diag_last()->why);
}

Test(regions, a_whole_disk_slot_over_another_slots_partition)
{
	cr_assert_eq(check("vdz", "6M", "vdz1"), FWS_EOVERLAP);
	cr_assert(strstr(fws_diag_last()->why, "[slot.r1] covers [slot.r0]") != NULL, "%s",
		  fws_diag_last()->why);
	cr_assert(strstr(fws_diag_last()->why, "the same disk") != NULL);
}

Test(regions, the_environment_through_a_second_node_of_the_same_disk)
{
	cr_assert_eq(check("vdz", "0", "other-vdz"), FWS_EOVERLAP);
	cr_assert_eq(check("vdz", "64K", "other-vdz"), 0, "%s", fws_diag_last()->why);
}
