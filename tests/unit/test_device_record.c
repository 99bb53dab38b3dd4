/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LOG-004, REQ-LIFE-006 */
/* No change unrecorded, no operation past a log it cannot trust, and no
 * lock held for a stream nobody has verified (lib/device/op.c,
 * install.c): a crash between a state save and its audit line is
 * recorded by the next operation ('recover'); a state that claims lines
 * the log never had is FWS_ESTATE; an install whose state changed between
 * its unlocked snapshot and the lock is refused as busy; a full disk is
 * FWS_ENOSPC. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_device_helpers.h"

static struct {
	uint8_t *b1, *b2, *b3;
	size_t b1_len, b2_len, b3_len;
} R;

static void setup(void)
{
	td_setup();
	R.b1 = td_bundle("1.0.0", 1, &TD.release, NULL, &R.b1_len);
	R.b2 = td_bundle("2.0.0", 2, &TD.release, NULL, &R.b2_len);
	R.b3 = td_bundle("3.0.0", 3, &TD.release, NULL, &R.b3_len);
}

static void teardown(void)
{
	free(R.b1);
	free(R.b2);
	free(R.b3);
	td_teardown();
}

TestSuite(device_record, .init = setup, .fini = teardown, .timeout = 120);

/* "seq" of a line. */
static unsigned long long line_seq(const char *line)
{
	unsigned long long seq = 0;
	cr_assert_eq(sscanf(line, "{\"seq\":%llu,", &seq), 1, "%s", line);
	return seq;
}

/* --- a crash between the final state save and its audit line --- */

enum change { CH_INSTALL, CH_MARK_GOOD, CH_MARK_BAD, CH_ROLLBACK, CH_MARK_ACTIVE, CH_COUNT };
static const char *const change_names[] = {"install", "mark-good", "mark-bad", "rollback",
					   "mark-active"};

/* Brings the device to just before the change. */
static void prepare(enum change ch)
{
	td_install_confirm(R.b1, R.b1_len); /* b: 1.0.0 confirmed, running */
	if (ch == CH_MARK_ACTIVE) {
		td_install_confirm(R.b2, R.b2_len); /* a: 2.0.0 confirmed */
		size_t len;
		uint8_t *b21 = td_bundle("2.1.0", 2, &TD.release, NULL, &len);
		td_install_confirm(b21, len); /* b: 2.1.0 confirmed, a: 2.0.0 */
		free(b21);
		return;
	}
	if (ch == CH_INSTALL)
		return;
	cr_assert_eq(td_install(R.b2, R.b2_len), 0); /* a pending */
	if (ch == CH_MARK_GOOD)
		cr_assert_eq(td_boot(), 'a');
}

static struct fws_verify_result change_res; /* the install's, for its digest */

static int change(enum change ch)
{
	char set;
	struct mem_reader r = {R.b2, R.b2_len, 0, 0, 0};
	switch (ch) {
	case CH_INSTALL:
		return fws_device_install(&TD.dev, mem_read, &r, NULL, &change_res);
	case CH_MARK_GOOD:
		return fws_device_mark_good(&TD.dev, FWS_SET_BOOTED);
	case CH_MARK_BAD:
		return fws_device_mark_bad(&TD.dev, 'a');
	case CH_ROLLBACK:
		return fws_device_rollback(&TD.dev, &set);
	default:
		return fws_device_mark_active(&TD.dev, 'a');
	}
}

/* The line of the change never makes it, either because the power went
 * (every file operation from the log's open on fails, so nothing can be
 * undone) or because the disk is full. The state was saved first and
 * stamped with the line's seq: the next operation finds the state ahead
 * of the log by exactly one and appends exactly one 'recover' line there;
 * the chain verifies and no later operation recovers again. */
Test(device_record, crash_between_state_save_and_log_line_recorded_by_next_operation)
{
	static const struct {
		int dead;
		int err;
		int want;
	} faults[] = {{1, EIO, FWS_EIO}, {0, ENOSPC, FWS_ENOSPC}};
	for (size_t k = 0; k < 2; k++) {
		for (enum change ch = CH_INSTALL; ch < CH_COUNT; ch++) {
			teardown();
			setup();
			prepare(ch);
			const char *what = change_names[ch];
			struct fws_device_status before = td_status();
			size_t lines = td_log_count();
			struct fault_fs f = {faults[k].dead ? FOP_OPEN : FOP_WRITE, "log", 0,
					     faults[k].err, faults[k].dead};
			td_close();
			struct fws_fs_ops ops = fault_ops(&f);
			td_open(&ops);
			int rc = change(ch);
			cr_assert_geq(f.faults, 1, "%s: the log was never written", what);
			cr_assert_eq(rc, faults[k].want, "%s: %s (%s)", what, fws_errname(rc),
				     fws_diag_last()->why);
			cr_assert_eq(TD.dev.log_error, faults[k].want, "%s", what);
			td_close();
			td_open(NULL);
			struct fws_device_status mid = td_status();
			cr_assert_gt(mid.state.generation, before.state.generation,
				     "%s: the state was saved", what);
			cr_assert_eq(mid.log_seq, before.log_seq, "%s: the line is missing", what);
			cr_assert_eq(mid.state.log_seq, mid.log_seq + 1, "%s: stamped", what);
			const char *part = "?";
			cr_assert_eq(fws_device_check(&TD.dev, &part), 0,
				     "%s: one line behind is a crash remnant, not damage", what);
			cr_assert_eq(td_log_count(), lines);

			/* the next operation, any one, records it */
			char set = td_boot();
			(void)set;
			struct td_lines *c = td_log();
			cr_assert_eq(td_log_actions(c, "recover"), 1, "%s: %s | %s", what,
				     c->n > lines ? c->line[lines] : "-",
				     c->n > lines + 1 ? c->line[lines + 1] : "-");
			cr_assert_eq(c->n, lines + 2, "%s: recover + boot", what);
			cr_assert(td_line_is(c->line[lines], "recover", "ok"), "%s: %s", what,
				  c->line[lines]);
			if (ch == CH_INSTALL) {
				/* it names what it recovers: the pending release, by
				 * version and manifest digest (issue 21.5) */
				char want[160], hex[65];
				fws_hex_encode(hex, change_res.manifest_body_sha256, 32);
				snprintf(want, sizeof(want), "\"version\":\"2.0.0\"");
				cr_assert_not_null(strstr(c->line[lines], want), "%s", c->line[lines]);
				snprintf(want, sizeof(want), "\"digest\":\"%s\"", hex);
				cr_assert_not_null(strstr(c->line[lines], want), "%s", c->line[lines]);
				cr_assert_not_null(strstr(c->line[lines], "pending a (2.0.0)"), "%s",
						   c->line[lines]);
			}
			cr_assert_eq(line_seq(c->line[lines]), mid.state.log_seq);
			cr_assert(td_line_is(c->line[lines + 1], "boot", "ok"), "%s", what);
			free(c);
			(void)td_boot();
			int again = fws_device_mark_good(&TD.dev, FWS_SET_BOOTED);
			cr_assert(again == 0 || again == FWS_ELIFECYCLE, "%s: %s", what,
				  fws_errname(again));
			c = td_log();
			cr_assert_eq(td_log_actions(c, "recover"), 1, "%s: recovered twice", what);
			free(c);
			struct fws_device_status end = td_status();
			cr_assert_leq(end.state.log_seq, end.log_seq);
		}
	}
}

/* A state that names a line two (or more) past the end of the log is no
 * crash remnant (a state copied from another device, a log cut short):
 * FWS_ESTATE for every operation, nothing changed, nothing appended, and
 * `check` names the log. */
Test(device_record, state_log_seq_two_ahead_is_estate)
{
	static const int ahead[] = {2, 3, 100};
	for (size_t k = 0; k < sizeof(ahead) / sizeof(ahead[0]); k++) {
		teardown();
		setup();
		td_install_confirm(R.b1, R.b1_len);
		struct fws_device_status s = td_status();
		s.state.log_seq = s.log_seq + (uint64_t)ahead[k];
		td_write_state(&s.state);
		size_t state_len, log_len, len;
		char *state = td_file("state", &state_len);
		char *log = td_file("log", &log_len);
		char *bootenv = td_file("bootenv", NULL);
		char set;
		const char *part = NULL;
		cr_assert_eq(fws_device_check(&TD.dev, &part), FWS_ESTATE, "%d ahead", ahead[k]);
		cr_assert_str_eq(part, "log");
		cr_assert_eq(fws_device_boot(&TD.dev, &set), FWS_ESTATE, "%d ahead", ahead[k]);
		cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_BOOTED), FWS_ESTATE);
		cr_assert_eq(fws_device_rollback(&TD.dev, &set), FWS_ESTATE);
		cr_assert_eq(fws_device_mark_bad(&TD.dev, 'a'), FWS_ESTATE);
		cr_assert_eq(td_install(R.b2, R.b2_len), FWS_ESTATE);
		cr_assert_eq(TD.dev.log_error, FWS_ESTATE, "why the refusal is not recorded: %s",
			     fws_errname(TD.dev.log_error));
		/* ... and again: no refusal above may have made it look healed */
		cr_assert_eq(fws_device_boot(&TD.dev, &set), FWS_ESTATE,
			     "%d ahead: healed by a "
			     "refusal's line",
			     ahead[k]);
		cr_assert_eq(fws_device_check(&TD.dev, &part), FWS_ESTATE);
		char *state_now = td_file("state", &len);
		cr_assert(len == state_len && memcmp(state_now, state, len) == 0);
		char *log_now = td_file("log", &len);
		cr_assert(len == log_len && memcmp(log_now, log, len) == 0,
			  "%d ahead: a line was appended", ahead[k]);
		char *bootenv_now = td_file("bootenv", NULL);
		cr_assert_str_eq(bootenv_now, bootenv);
		char list[1024];
		fs_list(pj(TD.dir, "a"), list, sizeof(list));
		cr_assert_str_eq(list, "", "the install wrote set a");
		free(state);
		free(log);
		free(bootenv);
		free(state_now);
		free(log_now);
		free(bootenv_now);
	}
}

/* --- the lock and the unlocked snapshot --- */

/* A reader that runs something on a second device context (another
 * process, in real life) while the bundle streams. */
struct race_reader {
	struct mem_reader mem;
	int calls;
	int early_rc, late_rc; /* boot on the second context, -999 = not run */
	char early_set;
	int late_done;
	struct fws_device dev2;
	struct fws_dir_backend be2;
	int boot_early, boot_late;
	/* what the device looked like right after the early boot */
	char *state_after, *bootenv_after, *log_after;
	size_t log_after_len;
};

static ssize_t race_read(void *ctx, uint8_t *buf, size_t len)
{
	struct race_reader *r = ctx;
	if (r->calls++ == 0 && r->boot_early) {
		r->early_rc = fws_device_boot(&r->dev2, &r->early_set);
		r->state_after = fs_slurp(pj(TD.dir, "state"), NULL);
		r->bootenv_after = fs_slurp(pj(TD.dir, "bootenv"), NULL);
		r->log_after = fs_slurp(pj(TD.dir, "log"), &r->log_after_len);
	}
	/* past the manifest: the payloads are streaming */
	if (r->boot_late && !r->late_done && r->mem.pos > r->mem.len - 4096) {
		char set;
		r->late_done = 1;
		r->late_rc = fws_device_boot(&r->dev2, &set);
	}
	return mem_read(&r->mem, buf, len);
}

static void race_init(struct race_reader *r, const uint8_t *b, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->mem = (struct mem_reader){b, len, 0, 512, 0};
	r->early_rc = r->late_rc = -999;
	cr_assert_eq(fws_dir_device_open(&r->dev2, &r->be2, TD.dir, NULL, 0), 0);
	r->dev2.lock_timeout_ms = 1; /* a held lock shows as FWS_EBUSY at once */
}

static void race_done(struct race_reader *r)
{
	fws_dir_device_close(&r->be2);
	free(r->state_after);
	free(r->bootenv_after);
	free(r->log_after);
}

/* Whoever streams a bundle holds no lock until its signatures verified:
 * a stalled or hostile stream cannot keep boot waiting. Once verified,
 * the install holds the lock to the end. */
Test(device_record, lock_not_held_while_unsigned_prefix_streams)
{
	struct race_reader r;
	struct fws_verify_result res;
	race_init(&r, R.b1, R.b1_len);
	r.boot_early = r.boot_late = 1;
	TD.dev.lock_timeout_ms = 1;
	int rc = fws_device_install(&TD.dev, race_read, &r, NULL, &res);
	cr_assert_eq(r.early_rc, 0, "boot while the manifest streams: %s", fws_errname(r.early_rc));
	cr_assert_eq(r.early_set, 'a');
	cr_assert_eq(r.late_rc, FWS_EBUSY, "boot while payloads stream: %s",
		     fws_errname(r.late_rc));
	cr_assert_eq(rc, 0, "the boot changed no state: the install goes on (%s)", fws_errname(rc));
	struct td_lines *c = td_log();
	cr_assert_eq(c->n, 3, "init, boot, install");
	cr_assert(td_line_is(c->line[1], "boot", "ok"));
	cr_assert(td_line_is(c->line[2], "install", "ok"));
	free(c);
	cr_assert_eq(td_status().state.pending_slot, 'b');
	race_done(&r);
}

/* The bootloader gave up on pending set a by itself (its own reboots);
 * while a new bundle streams, a boot on another context finds that
 * fallback and saves the state. The install, once verified and locked,
 * sees another generation than its snapshot and is refused as busy:
 * nothing of it is written (state, bootloader, slots), only the refusal
 * is recorded. Without the concurrent boot the same install succeeds. */
Test(device_record, install_refused_busy_when_state_changes_between_snapshot_and_lock)
{
	for (int concurrent = 1; concurrent >= 0; concurrent--) {
		teardown();
		setup();
		td_install_confirm(R.b1, R.b1_len);	     /* b confirmed */
		cr_assert_eq(td_install(R.b2, R.b2_len), 0); /* a pending */
		char set;
		for (int i = 0; i <= FWS_BOOT_ATTEMPTS; i++)
			cr_assert_eq(TD.dev.boot.boot(TD.dev.boot.ctx, &set), 0);
		cr_assert_eq(set, 'b', "the bootloader fell back by itself");
		cr_assert_eq(td_status().state.pending_slot, 'a', "not reconciled yet");
		char set_a[1024];
		fs_list(pj(TD.dir, "a"), set_a, sizeof(set_a));
		/* every release carries the same bytes: the inodes tell a rewrite */
		ino_t ino_a = fs_ino(pj(TD.dir, "a")), ino_rootfs = fs_ino(pj(TD.dir, "a/rootfs"));

		struct race_reader r;
		struct fws_verify_result res;
		race_init(&r, R.b3, R.b3_len);
		r.boot_early = concurrent;
		int rc = fws_device_install(&TD.dev, race_read, &r, NULL, &res);
		if (!concurrent) {
			cr_assert_eq(rc, 0, "%s (%s)", fws_errname(rc), fws_diag_last()->why);
			cr_assert_eq(TD.dev.fell_back, 'a', "the install found the fallback");
			cr_assert_str_eq(td_status().state.slots[0].version, "3.0.0");
			race_done(&r);
			continue;
		}
		cr_assert_eq(r.early_rc, 0, "%s", fws_errname(r.early_rc));
		cr_assert_eq(r.dev2.fell_back, 'a', "the concurrent boot saved the fallback");
		cr_assert_eq(rc, FWS_EBUSY, "%s", fws_errname(rc));
		cr_assert_eq(fws_diag_last()->code, FWS_EBUSY);
		cr_assert_not_null(strstr(fws_diag_last()->why, "changed"), "%s",
				   fws_diag_last()->why);
		char *state = td_file("state", NULL), *bootenv = td_file("bootenv", NULL);
		cr_assert_str_eq(state, r.state_after, "the install wrote the state");
		cr_assert_str_eq(bootenv, r.bootenv_after, "the install wrote the bootloader");
		char now_a[1024];
		fs_list(pj(TD.dir, "a"), now_a, sizeof(now_a));
		cr_assert_str_eq(now_a, set_a, "the install wrote set a");
		cr_assert_eq(fs_ino(pj(TD.dir, "a")), ino_a, "set a was replaced");
		cr_assert_eq(fs_ino(pj(TD.dir, "a/rootfs")), ino_rootfs, "a/rootfs was replaced");
		cr_assert(fs_equals(pj(TD.dir, "a/rootfs"), TD.img, sizeof(TD.img)),
			  "set a's old bytes are untouched");
		char list[1024];
		fs_list(TD.dir, list, sizeof(list));
		cr_assert_null(strstr(list, ".new"), "staging left behind: %s", list);
		size_t len;
		char *log = td_file("log", &len);
		cr_assert_geq(len, r.log_after_len);
		cr_assert_eq(memcmp(log, r.log_after, r.log_after_len), 0);
		struct td_lines *c = td_log();
		cr_assert(td_line_is(c->line[c->n - 1], "install", "FWS_EBUSY"), "%s",
			  c->line[c->n - 1]);
		cr_assert(td_line_is(c->line[c->n - 2], "boot", "ok"), "%s", c->line[c->n - 2]);
		free(c);
		free(log);
		free(state);
		free(bootenv);
		race_done(&r);
		/* a retry goes through */
		cr_assert_eq(td_install(R.b3, R.b3_len), 0);
	}
}

/* --- a full disk --- */

/* ENOSPC (or EDQUOT) from the fs ops at any step of an install is
 * FWS_ENOSPC, and the device is as it was: state, bootloader and the
 * target set unchanged, no staging left, the refusal recorded. */
Test(device_record, enospc_during_install_is_fws_enospc)
{
	static const struct {
		enum fault_op op;
		const char *name;
		int err;
	} cases[] = {
	    {FOP_WRITE, "rootfs", ENOSPC},   {FOP_WRITE, "rootfs", EDQUOT},
	    {FOP_WRITE, "kernel", ENOSPC},   {FOP_FSYNC, "kernel", ENOSPC},
	    {FOP_OPEN, "rootfs", ENOSPC},    {FOP_MKDIR, ".b.*", ENOSPC},
	    {FOP_WRITE, ".state.*", ENOSPC}, {FOP_OPEN, ".bootenv.*", EDQUOT},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		teardown();
		setup();
		char *state = td_file("state", NULL), *bootenv = td_file("bootenv", NULL);
		struct fault_fs f = {cases[k].op, cases[k].name, 0, cases[k].err};
		td_close();
		struct fws_fs_ops ops = fault_ops(&f);
		td_open(&ops);
		int rc = td_install(R.b1, R.b1_len);
		cr_assert_geq(f.faults, 1, "case %zu: never reached", k);
		cr_assert_eq(rc, FWS_ENOSPC, "case %zu (%s): %s (%s)", k, cases[k].name,
			     fws_errname(rc), fws_diag_last()->why);
		td_close();
		td_open(NULL);
		char *state_now = td_file("state", NULL), *bootenv_now = td_file("bootenv", NULL);
		struct fws_device_status st = td_status();
		if (cases[k].op == FOP_OPEN && strcmp(cases[k].name, ".bootenv.*") == 0) {
			/* the set was already marked empty in the state (the
			 * bootloader write after it failed): never a set the state
			 * calls valid with other bytes in it */
			cr_assert_str_empty(st.state.slots[1].version);
		} else {
			cr_assert_str_eq(state_now, state, "case %zu: the state changed", k);
		}
		cr_assert_str_eq(bootenv_now, bootenv, "case %zu: the bootloader changed", k);
		cr_assert_eq(st.state.pending_slot, '-', "case %zu", k);
		char list[1024];
		fs_list(pj(TD.dir, "b"), list, sizeof(list));
		/* The bootloader write that fails is the install's only one (the
		 * set was out of the boot order already: nothing to take out):
		 * the set was filled, and the state went back to calling it
		 * empty, as the bootloader and the log have it (issue 21.5). */
		if (cases[k].op != FOP_OPEN || strcmp(cases[k].name, ".bootenv.*") != 0)
			cr_assert_str_eq(list, "", "case %zu: the target set changed: %s", k, list);
		fs_list(TD.dir, list, sizeof(list));
		cr_assert_null(strstr(list, ".new"), "case %zu: staging left behind: %s", k, list);
		struct td_lines *c = td_log();
		cr_assert(td_line_is(c->line[c->n - 1], "install", "FWS_ENOSPC"), "case %zu: %s", k,
			  c->line[c->n - 1]);
		free(c);
		cr_assert_eq(td_install(R.b1, R.b1_len), 0, "case %zu: a retry with space works",
			     k);
		free(state);
		free(bootenv);
		free(state_now);
		free(bootenv_now);
	}
}

/* A reader may say why it failed (a negative FWS_E* code): the install
 * is refused with that code, not a generic I/O error; -1 is FWS_EIO. */
static ssize_t failing_read(void *ctx, uint8_t *buf, size_t len)
{
	int *code = ctx;
	(void)buf;
	(void)len;
	return *code;
}

Test(device_record, reader_error_code_is_the_install_result)
{
	static const int codes[] = {FWS_ESTALLED, FWS_ENOSPC, -1, -1000};
	static const int want[] = {FWS_ESTALLED, FWS_ENOSPC, FWS_EIO, FWS_EIO};
	for (size_t k = 0; k < 4; k++) {
		struct fws_verify_result res;
		int code = codes[k];
		uint64_t gen = td_status().state.generation;
		int rc = fws_device_install(&TD.dev, failing_read, &code, NULL, &res);
		cr_assert_eq(rc, want[k], "reader %d: %s", codes[k], fws_errname(rc));
		cr_assert_eq(td_status().state.generation, gen);
	}
	struct td_lines *c = td_log();
	cr_assert(td_line_is(c->line[1], "install", "FWS_ESTALLED"), "%s", c->line[1]);
	free(c);
}
