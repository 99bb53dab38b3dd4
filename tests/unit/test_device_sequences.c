/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-001, REQ-LIFE-002, REQ-LIFE-008 */
/* Every short sequence of installs, boots, fallbacks and confirmations,
 * on the simulated device and on configured devices with GRUB's and
 * U-Boot's environments (issue 21.5: one outside run on a real U-Boot saw
 * mark-good confirm the set that had just failed its trial). After every
 * step:
 *   - a mark-good that succeeds confirmed the set that is running (the one
 *     the last boot chose), never another;
 *   - every set the state calls bootable and not pending holds an image
 *     that once ran and was confirmed (or the factory's): no image reaches
 *     "confirmed" without a boot that proved it;
 *   - every set in the bootloader's order is the confirmed one, the pending
 *     one, or one holding a confirmed image (after an operation);
 *   - the audit log never records more fallbacks than boots that passed
 *     over the first set of the order (no fallback that never happened);
 *   - the audit log verifies and fws_device_check passes.
 * The boots are the bootloader's, simulated apart from fwseal: the first
 * set in BOOT_ORDER with tries left boots and spends one, and the running
 * set is told as a real board tells it (the dir simulation's BOOTED; for
 * GRUB and U-Boot the BOOTED variable and the kernel command line). A
 * "stale" boot (env only) stores the tries but leaves BOOTED from the boot
 * before, as the outside run looked: the kernel command line disagrees,
 * so which set runs is not known and mark-good must refuse.
 *
 * make check enumerates every sequence of 4 steps of install, boot,
 * mark-good and rollback on the simulated device, and every install
 * followed by 3 steps of install, boot, stale boot, mark-good and rollback
 * on GRUB and U-Boot (one boot try per trial there, so that a fallback is
 * two steps after an install); the _long variant (FWSEAL_LONG=1) adds
 * mark-bad and goes to 5 and 4 steps from any start. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "device/boot/env.h"
#include "fwseal/auditlog.h"
#include "fwseal/device.h"
#include "fwseal/sysconf.h"
#include "test_device_helpers.h"

enum kind { K_DIR, K_GRUB, K_UBOOT };
static const char *const kind_name[] = {"dir", "grub", "uboot"};

#define N_BUNDLES 8
#define ENV_SIZE 0x4000

static struct {
	enum kind kind;
	uint8_t *bundle[N_BUNDLES];
	size_t bundle_len[N_BUNDLES];
	char shm[64]; /* the devices live here: tmpfs, so a thousand fsyncs cost nothing */
	char sys[128], disk[160], envfile[160], fwcfg[160], cmdline[160], root[160];
	struct fws_sysconf conf;
	struct fws_sys_backend be;
	struct fws_device dev;
	struct fws_env_vars vars;
	int sys_open;
} S;

/* The model: what happened, as the bootloader and the operator saw it. */
struct model {
	char running;		  /* the set the last boot chose ('-' before one) */
	char proven[2][16][16];	  /* per set: versions that ran and were confirmed */
	int n_proven[2];
	unsigned passed_over;	  /* boots that did not take the first set of the order */
	unsigned next_bundle;
	char trace[256];
};

static void setup(void)
{
	td_setup_unprovisioned();
	td_close();
	fs_rm_rf(TD.dir);
	struct stat st;
	strcpy(S.shm, stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm/fwseal-seq-XXXXXX"
									    : "/tmp/fwseal-seq-XXXXXX");
	cr_assert_not_null(mkdtemp(S.shm));
	snprintf(TD.dir, sizeof(TD.dir), "%s/dev", S.shm);
	for (int i = 0; i < N_BUNDLES; i++) {
		char v[16];
		snprintf(v, sizeof(v), "1.0.%d", i + 1);
		S.bundle[i] = td_bundle(v, 1, &TD.release, NULL, &S.bundle_len[i]);
	}
}

static void sys_close(void)
{
	if (S.sys_open)
		fws_sysconf_device_close(&S.be);
	S.sys_open = 0;
}

static void teardown(void)
{
	sys_close();
	for (int i = 0; i < N_BUNDLES; i++)
		free(S.bundle[i]);
	td_close();
	if (S.shm[0] != '\0')
		fs_rm_rf(S.shm);
	td_teardown();
}

TestSuite(device_sequences, .init = setup, .fini = teardown, .timeout = 600);

static struct fws_device *dev(void)
{
	return S.kind == K_DIR ? &TD.dev : &S.dev;
}

/* --- the configured devices' environments, written as their tools do --- */

static void uboot_env_create(const char *text)
{
	static uint8_t env[ENV_SIZE];
	memset(env, 0, sizeof(env));
	size_t n = 4;
	for (const char *p = text; *p; p++, n++)
		env[n] = *p == '\n' ? '\0' : (uint8_t)*p;
	uLong crc = crc32(0L, env + 4, ENV_SIZE - 4);
	for (int i = 0; i < 4; i++)
		env[i] = (uint8_t)(crc >> (8 * i));
	fs_spill(S.envfile, (const char *)env, sizeof(env), 0600);
}

static void grub_env_create(const char *text)
{
	char block[1024];
	int n = snprintf(block, sizeof(block), "# GRUB Environment Block\n%s", text);
	cr_assert(n > 0 && n < (int)sizeof(block));
	memset(block + n, '#', sizeof(block) - (size_t)n);
	fs_spill(S.envfile, block, sizeof(block), 0644);
}

static void set_cmdline(char set)
{
	char line[64];
	snprintf(line, sizeof(line), "console=ttyS0 fwseal.slot=%c quiet\n",
		 set == '-' ? 'X' : set == 'a' ? 'A' : 'B');
	fs_spill(S.cmdline, line, strlen(line), 0644);
}

static void sys_open(void)
{
	int rc = fws_sysconf_device_open(&S.dev, &S.be, &S.conf, NULL, 1);
	cr_assert_eq(rc, 0, "open: %s (%s: %s)", fws_errname(rc), fws_diag_last()->where,
		     fws_diag_last()->why);
	S.sys_open = 1;
	rc = S.kind == K_GRUB ? fws_grub_vars(&S.vars, &S.conf) : fws_uboot_vars(&S.vars, &S.conf);
	cr_assert_eq(rc, 0);
}

/* A fresh device of the kind, provisioned with set a confirmed (empty). */
static void fresh_device(void)
{
	sys_close();
	td_close();
	fs_rm_rf(TD.dir);
	if (S.kind == K_DIR) {
		td_open(NULL);
		td_provision(NULL);
		return;
	}
	snprintf(S.sys, sizeof(S.sys), "%s/sys", S.shm);
	fs_rm_rf(S.sys);
	cr_assert_eq(mkdir(S.sys, 0755), 0);
	snprintf(S.disk, sizeof(S.disk), "%s/disk.img", S.sys);
	snprintf(S.envfile, sizeof(S.envfile), "%s/env", S.sys);
	snprintf(S.fwcfg, sizeof(S.fwcfg), "%s/fw_env.config", S.sys);
	snprintf(S.cmdline, sizeof(S.cmdline), "%s/cmdline", S.sys);
	snprintf(S.root, sizeof(S.root), "%s/etc", S.sys);
	cr_assert_eq(mkdir(S.root, 0755), 0);
	static char zero[64 * 1024];
	fs_spill(S.disk, zero, sizeof(zero), 0600);
	if (S.kind == K_UBOOT) {
		char line[256];
		snprintf(line, sizeof(line), "%s 0x0 0x%x\n", S.envfile, ENV_SIZE);
		fs_spill(S.fwcfg, line, strlen(line), 0644);
		uboot_env_create("BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=0\nBOOTED=A\n");
	} else {
		grub_env_create("BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=0\nBOOTED=A\n");
	}
	set_cmdline('a');
	char text[4096];
	int n = snprintf(text, sizeof(text),
			 "[system]\nhardware-id = test-hw\ntrusted-root = %s/root.json\n"
			 "state-dir = %s/state\nbootloader = %s\nbooted = bootloader\n"
			 "boot-attempts = 1\n"
			 "cmdline-file = %s\n[%s]\n%s = %s\n"
			 "[slot.rootfs.0]\nclass = rootfs\ndevice = %s\noffset = 0\nsize = 16K\n"
			 "bootname = A\n"
			 "[slot.rootfs.1]\nclass = rootfs\ndevice = %s\noffset = 16K\nsize = 16K\n"
			 "bootname = B\n"
			 "[slot.kernel.0]\nclass = kernel\ndevice = %s\noffset = 32K\nsize = 8K\n"
			 "bootname = A\n"
			 "[slot.kernel.1]\nclass = kernel\ndevice = %s\noffset = 40K\nsize = 8K\n"
			 "bootname = B\n",
			 S.root, S.sys, kind_name[S.kind], S.cmdline, kind_name[S.kind],
			 S.kind == K_UBOOT ? "fw-env-config" : "grubenv",
			 S.kind == K_UBOOT ? S.fwcfg : S.envfile, S.disk, S.disk, S.disk, S.disk);
	cr_assert(n > 0 && n < (int)sizeof(text));
	int rc = fws_sysconf_parse(text, (size_t)n, "system.conf", &S.conf);
	cr_assert_eq(rc, 0, "system.conf: %s (%s)", fws_errname(rc), fws_diag_last()->why);
	sys_open();
	rc = fws_device_provision(&S.dev, (uint8_t *)TD.r1_json, strlen(TD.r1_json), "test-hw",
				  "unit-7", NULL);
	cr_assert_eq(rc, 0, "provision: %s (%s)", fws_errname(rc), fws_diag_last()->why);
}

/* --- the bootloader, simulated apart from fwseal --- */

static char set_of_name(const char *name)
{
	return strcmp(name, "A") == 0 ? 'a' : strcmp(name, "B") == 0 ? 'b' : '-';
}

/* The U-Boot script of docs/integration.md on the raw variables: the first
 * bootname in BOOT_ORDER with tries left boots and spends one. stale: the
 * script stores the tries but not BOOTED. 0: nothing boots. */
static char env_boot(int stale, int *passed_over)
{
	const char *keys[4] = {"BOOT_ORDER", "BOOT_A_LEFT", "BOOT_B_LEFT", "BOOTED"};
	char values[4][ENV_VALUE_MAX];
	memset(values, 0, sizeof(values));
	cr_assert_eq(S.vars.read(S.vars.ctx, keys, values, 4), 0);
	char order[ENV_VALUE_MAX];
	snprintf(order, sizeof(order), "%s", values[0]);
	int first = 1;
	for (char *tok = strtok(order, " "); tok != NULL; tok = strtok(NULL, " "), first = 0) {
		char s = set_of_name(tok);
		if (s == '-')
			continue;
		int left = atoi(values[s == 'a' ? 1 : 2]);
		if (left <= 0)
			continue;
		char lv[16], name[2] = {s == 'a' ? 'A' : 'B', 0};
		snprintf(lv, sizeof(lv), "%d", left - 1);
		const char *wk[2] = {keys[s == 'a' ? 1 : 2], "BOOTED"};
		const char *wv[2] = {lv, name};
		cr_assert_eq(S.vars.write(S.vars.ctx, wk, wv, stale ? 1 : 2), 0);
		set_cmdline(s);
		*passed_over = !first;
		return s;
	}
	return 0;
}

static char dir_boot(int *passed_over)
{
	struct fws_boot_view v;
	char set = 0;
	cr_assert_eq(TD.dev.boot.read(TD.dev.boot.ctx, &v), 0);
	int rc = fws_device_boot(&TD.dev, &set);
	if (rc == FWS_ELIFECYCLE)
		return 0;
	cr_assert_eq(rc, 0, "boot: %s (%s)", fws_errname(rc), fws_diag_last()->why);
	*passed_over = set != v.order[0];
	return set;
}

/* --- the invariants --- */

static int proven(const struct model *m, char set, const char *version)
{
	int i = set == 'b';
	for (int k = 0; k < m->n_proven[i]; k++)
		if (strcmp(m->proven[i][k], version) == 0)
			return 1;
	return 0;
}

static void prove(struct model *m, char set, const char *version)
{
	int i = set == 'b';
	if (proven(m, set, version))
		return;
	cr_assert_lt(m->n_proven[i], 16);
	snprintf(m->proven[i][m->n_proven[i]++], sizeof(m->proven[0][0]), "%s", version);
}

static unsigned fallbacks_logged(void)
{
	uint64_t entries = 0, bad = 0;
	int rc = fws_audit_log_verify(dev()->log, &entries, &bad);
	cr_assert_eq(rc, 0, "log verify: %s at %llu", fws_errname(rc), (unsigned long long)bad);
	struct td_lines *l = calloc(1, sizeof(*l));
	cr_assert_not_null(l);
	cr_assert_eq(fws_audit_log_read(dev()->log, td_collect, l), 0);
	unsigned n = (unsigned)td_log_actions(l, "fallback");
	free(l);
	return n;
}

static void check(struct model *m, int after_operation)
{
	struct fws_device_status st;
	int rc = fws_device_status(dev(), &st);
	cr_assert_eq(rc, 0, "%s: status: %s", m->trace, fws_errname(rc));
	const struct fws_device_state *s = &st.state;
	for (int i = 0; i < 2; i++) {
		char set = "ab"[i];
		const char *v = s->slots[i].version;
		if (set != s->pending_slot && v[0] != '\0')
			cr_assert(proven(m, set, v),
				  "%s: slot %c holds %s as confirmed, but it never ran and was "
				  "confirmed",
				  m->trace, set, v);
		if (after_operation && (st.boot.order[0] == set || st.boot.order[1] == set))
			cr_assert(set == s->confirmed_slot || set == s->pending_slot || v[0] != '\0',
				  "%s: slot %c is in the boot order but the state calls it empty",
				  m->trace, set);
	}
	unsigned fb = fallbacks_logged();
	cr_assert_leq(fb, m->passed_over, "%s: %u fallbacks logged, %u happened", m->trace, fb,
		      m->passed_over);
	const char *part = NULL;
	rc = fws_device_check(dev(), &part);
	cr_assert_eq(rc, 0, "%s: check: %s (%s)", m->trace, fws_errname(rc), part ? part : "");
}

static int expect_one_of(int rc, const int *allowed)
{
	for (; *allowed != 1; allowed++)
		if (rc == *allowed)
			return 1;
	return 0;
}

/* One step; 0 when the sequence cannot go on (nothing boots). */
static int step(struct model *m, char op)
{
	static const int install_rc[] = {0, FWS_EBUSY, FWS_ELIFECYCLE, 1};
	static const int decide_rc[] = {0, FWS_ELIFECYCLE, FWS_EROLLBACK, 1};
	size_t t = strlen(m->trace);
	snprintf(m->trace + t, sizeof(m->trace) - t, "%c", op);
	int rc = 0, passed = 0;
	char set = 0;
	switch (op) {
	case 'I':
		cr_assert_lt(m->next_bundle, N_BUNDLES);
		rc = td_install_on(dev(), S.bundle[m->next_bundle], S.bundle_len[m->next_bundle]);
		m->next_bundle++;
		cr_assert(expect_one_of(rc, install_rc), "%s: install: %s (%s)", m->trace,
			  fws_errname(rc), fws_diag_last()->why);
		if (rc == 0) {
			struct fws_device_status st;
			cr_assert_eq(fws_device_status(dev(), &st), 0);
			cr_assert_neq(st.state.pending_slot, m->running,
				      "%s: the install overwrote slot %c, which runs", m->trace,
				      m->running);
		}
		break;
	case 'B':
	case 'S':
		set = S.kind == K_DIR ? dir_boot(&passed) : env_boot(op == 'S', &passed);
		if (set == 0)
			return 0;
		m->running = set;
		m->passed_over += (unsigned)passed;
		check(m, 0);
		return 1;
	case 'G': {
		rc = fws_device_mark_good(dev(), FWS_SET_BOOTED);
		cr_assert(expect_one_of(rc, decide_rc), "%s: mark-good: %s (%s)", m->trace,
			  fws_errname(rc), fws_diag_last()->why);
		if (rc == 0) {
			struct fws_device_status st;
			cr_assert_eq(fws_device_status(dev(), &st), 0);
			cr_assert_eq(st.state.confirmed_slot, m->running,
				     "%s: mark-good confirmed slot %c while slot %c runs", m->trace,
				     st.state.confirmed_slot, m->running);
			const char *v = st.state.slots[m->running == 'b'].version;
			if (v[0] != '\0')
				prove(m, m->running, v);
		}
		break;
	}
	case 'R':
		rc = fws_device_rollback(dev(), &set);
		cr_assert(expect_one_of(rc, decide_rc), "%s: rollback: %s (%s)", m->trace,
			  fws_errname(rc), fws_diag_last()->why);
		break;
	case 'X':
		rc = fws_device_mark_bad(dev(), FWS_SET_BOOTED);
		cr_assert(expect_one_of(rc, decide_rc), "%s: mark-bad: %s (%s)", m->trace,
			  fws_errname(rc), fws_diag_last()->why);
		break;
	default:
		cr_assert_fail("op %c", op);
	}
	check(m, 1);
	return 1;
}

/* Every sequence of depth steps from ops after the steps in prefix. */
static unsigned run_all(enum kind kind, const char *prefix, const char *ops, int depth)
{
	size_t n_ops = strlen(ops);
	unsigned long total = 1, runs = 0;
	int idx[8];
	cr_assert_leq(depth, 8);
	for (int i = 0; i < depth; i++)
		total *= n_ops;
	S.kind = kind;
	for (unsigned long seq = 0; seq < total; seq++) {
		unsigned long x = seq;
		for (int i = 0; i < depth; i++, x /= n_ops)
			idx[i] = (int)(x % n_ops);
		struct model m;
		memset(&m, 0, sizeof(m));
		m.running = kind == K_DIR ? '-' : 'a';
		snprintf(m.trace, sizeof(m.trace), "%s ", kind_name[kind]);
		fresh_device();
		int going = 1;
		for (const char *p = prefix; *p && going; p++)
			going = step(&m, *p);
		for (int i = 0; i < depth && going; i++)
			going = step(&m, ops[idx[i]]);
		runs++;
	}
	return (unsigned)runs;
}

static int long_run(void)
{
	const char *l = getenv("FWSEAL_LONG");
	return l != NULL && strcmp(l, "1") == 0;
}

Test(device_sequences, simulated_device_mark_good_confirms_only_the_running_set)
{
	cr_assert_eq(run_all(K_DIR, "", "IBGR", 4), 256);
}

Test(device_sequences, grub_mark_good_confirms_only_the_running_set)
{
	cr_assert_eq(run_all(K_GRUB, "I", "IBSGR", 3), 125);
}

Test(device_sequences, uboot_mark_good_confirms_only_the_running_set)
{
	struct fws_env_vars probe;
	struct fws_sysconf c;
	memset(&c, 0, sizeof(c));
	if (fws_uboot_vars(&probe, &c) != 0)
		cr_skip_test("built without libubootenv (UBOOT=0)");
	cr_assert_eq(run_all(K_UBOOT, "I", "IBSGR", 3), 125);
}

Test(device_sequences, every_sequence_long, .timeout = 1800)
{
	if (!long_run())
		cr_skip_test("FWSEAL_LONG=1 (make check-long) runs the deeper sequences");
	/* Depths chosen so the sweep fits check-long's budget (about 3 min
	 * on 2 cores; 6 and 5 steps took over 14 min): every fallback,
	 * stale boot and confirmation order of make check's sweep, from any
	 * start, with mark-bad. */
	cr_assert_eq(run_all(K_DIR, "", "IBGRX", 5), 3125);
	cr_assert_eq(run_all(K_GRUB, "", "IBSGRX", 4), 1296);
	cr_assert_eq(run_all(K_UBOOT, "", "IBSGRX", 4), 1296);
}

/* The outside run's picture, directly: the board fell back to A after B's
 * tries ran out, but BOOTED still says B (stored by the boot before). The
 * kernel command line says A: mark-good refuses, B is recorded as a
 * fallback, and nothing confirms it. */
Test(device_sequences, stale_booted_variable_does_not_confirm_the_failed_set)
{
	S.kind = K_GRUB;
	fresh_device();
	cr_assert_eq(td_install_on(dev(), S.bundle[0], S.bundle_len[0]), 0);
	int passed = 0;
	cr_assert_eq(env_boot(0, &passed), 'b'); /* B on trial, its one try: BOOTED=B */
	cr_assert_eq(env_boot(1, &passed), 'a'); /* fell back; BOOTED still B */
	cr_assert_eq(passed, 1);
	int rc = fws_device_mark_good(dev(), FWS_SET_BOOTED);
	cr_assert_eq(rc, FWS_ELIFECYCLE, "mark-good: %s (%s)", fws_errname(rc),
		     fws_diag_last()->why);
	struct fws_device_status st;
	cr_assert_eq(fws_device_status(dev(), &st), 0);
	cr_assert_eq(st.state.confirmed_slot, 'a');
	cr_assert_eq(st.boot.booted, '-', "BOOTED and the command line disagree: not known");
	cr_assert_eq(st.state.pending_slot, 'b', "nothing decided on a guess");
	cr_assert_eq(fallbacks_logged(), 0);
	rc = td_install_on(dev(), S.bundle[1], S.bundle_len[1]);
	cr_assert_eq(rc, FWS_ELIFECYCLE, "no slot written while the running one is not known: %s",
		     fws_errname(rc));
	/* The next boot stores BOOTED (A's one try is spent too: the script's
	 * last resort gives the confirmed set one more): the fallback is
	 * seen, and recorded. */
	const char *k[1] = {"BOOT_A_LEFT"}, *v[1] = {"1"};
	cr_assert_eq(S.vars.write(S.vars.ctx, k, v, 1), 0);
	cr_assert_eq(env_boot(0, &passed), 'a');
	cr_assert_eq(fws_device_mark_good(dev(), FWS_SET_BOOTED), 0);
	cr_assert_eq(fws_device_status(dev(), &st), 0);
	cr_assert_eq(st.state.confirmed_slot, 'a');
	cr_assert_eq(st.state.pending_slot, '-', "the failed trial is forgotten");
	cr_assert_str_empty(st.state.slots[1].version);
	cr_assert_eq(fallbacks_logged(), 1);
}
