/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes what fwseal reads of U-Boot: fw_env.config as libubootenv reads
 * it (lib/device/boot/fw_env.c), the boot convention's variables
 * (fws_env_view_parse) and the kernel command line (fws_booted_from_cmdline,
 * lib/device/boot/env.c). The whole input is fw_env.config; its first four
 * lines are also BOOT_ORDER, BOOT_A_LEFT, BOOT_B_LEFT and BOOTED, and the
 * whole input, up to its first NUL, a kernel command line.
 * Properties: fw_env.config is accepted (one or two copies, absolute
 * devices without control characters, a size) or refused as FWS_ECONFIG
 * naming itself; the view holds only sets a and b, a set at most once in
 * the order, no gap before a listed set, at most 255 tries; the command
 * line names set a, set b or none, and a root= naming a slot device both
 * sets share never names a set by itself. */
#include "device/boot/env.h"
#include "fuzz_common.h"
#include "fwseal/sysconf.h"

static const struct fws_sysconf *conf(void)
{
	static struct fws_sysconf c;
	static int done;
	static const char text[] =
	    "[system]\nhardware-id = hw\ntrusted-root = /nonexistent/r.json\n"
	    "state-dir = /nonexistent/state\nbootloader = uboot\nbooted = bootloader\n"
	    "[uboot]\nfw-env-config = /nonexistent/fw_env.config\n"
	    "[slot.r0]\nclass = rootfs\ndevice = /d\noffset = 0\nsize = 1M\nbootname = A\n"
	    "[slot.r1]\nclass = rootfs\ndevice = /d\noffset = 1M\nsize = 1M\nbootname = B\n"
	    "[slot.k0]\nclass = kernel\ndevice = /ka\nbootname = A\n"
	    "[slot.k1]\nclass = kernel\ndevice = /kb\nbootname = B\n";
	if (!done) {
		FUZZ_CHECK(fws_sysconf_parse(text, sizeof(text) - 1, "fuzz.conf", &c) == 0,
			   "the fixed configuration parses");
		done = 1;
	}
	return &c;
}

static void fw_env_config(const uint8_t *data, size_t size)
{
	struct fws_fw_env env;
	int rc = fws_fw_env_parse((const char *)data, size, "fw_env.config", &env);
	fuzz_check_code(rc);
	if (rc != 0) {
		FUZZ_CHECK(rc == FWS_ECONFIG, "a refused fw_env.config is FWS_ECONFIG");
		FUZZ_CHECK(fws_diag_last()->why[0] != '\0', "a refusal says why");
		return;
	}
	FUZZ_CHECK(env.n == 1 || env.n == 2, "one or two copies");
	for (size_t i = 0; i < env.n; i++) {
		FUZZ_CHECK(env.area[i].device[0] == '/', "an absolute device");
		for (const char *c = env.area[i].device; *c; c++)
			FUZZ_CHECK((unsigned char)*c > 0x20 && *c != 0x7f, "no control character");
		FUZZ_CHECK(env.area[i].size > 0, "a size");
	}
}

static void variables(const uint8_t *data, size_t size)
{
	char values[4][ENV_VALUE_MAX];
	struct fws_boot_view v;
	memset(values, 0, sizeof(values));
	size_t pos = 0;
	for (size_t i = 0; i < 4 && pos < size; i++) {
		size_t n = 0;
		while (pos < size && data[pos] != '\n') {
			if (n + 1 < ENV_VALUE_MAX && data[pos] != '\0')
				values[i][n++] = (char)data[pos];
			pos++;
		}
		pos++;
	}
	fws_env_view_parse(conf(), (const char(*)[ENV_VALUE_MAX])values, &v);
	for (int i = 0; i < 2; i++) {
		FUZZ_CHECK(v.order[i] == 'a' || v.order[i] == 'b' || v.order[i] == '-',
			   "order: sets");
		FUZZ_CHECK(v.left[i] <= 255, "at most 255 tries");
	}
	FUZZ_CHECK(v.order[0] != '-' || v.order[1] == '-', "no gap before a listed set");
	FUZZ_CHECK(v.order[0] == '-' || v.order[0] != v.order[1], "a set at most once");
	FUZZ_CHECK(v.booted == 'a' || v.booted == 'b' || v.booted == '-', "booted: a set or none");
}

static void cmdline(const uint8_t *data, size_t size)
{
	char line[4097];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	char set = fws_booted_from_cmdline(conf(), line);
	FUZZ_CHECK(set == 'a' || set == 'b' || set == '-', "the command line names a set or none");
	/* /d holds a slot of each set: root=/d alone names neither. */
	if (strstr(line, "fwseal.slot=") == NULL && strstr(line, "root=/k") == NULL)
		FUZZ_CHECK(set == '-', "a root= both sets share names no set");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	fw_env_config(data, size);
	variables(data, size);
	cmdline(data, size);
	return 0;
}
