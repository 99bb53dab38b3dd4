/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-001, REQ-LIFE-002, REQ-ROLL-002 */
/* The device life cycle at the API level: pending, boot attempts, fallback,
 * mark-good raising the counter, rollback rules, min_version against the
 * confirmed image, and in-place slot writers (raw partitions) never
 * leaving a half-written slot marked valid. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/device.h"
#include "test_device_helpers.h"

static struct {
	uint8_t *b1, *b2, *b3, *b_bad, *b_old;
	size_t b1_len, b2_len, b3_len, b_bad_len, b_old_len;
} L;

static void setup(void)
{
	td_setup();
	L.b1 = td_bundle("1.0.0", 1, &TD.release, NULL, &L.b1_len);
	L.b2 = td_bundle("2.0.0", 2, &TD.release, NULL, &L.b2_len);
	L.b3 = td_bundle("3.0.0", 3, &TD.release, NULL, &L.b3_len);
	L.b_old = td_bundle("0.9.0", 0, &TD.release, NULL, &L.b_old_len);
	L.b_bad = td_bundle("3.0.0", 3, &TD.release, NULL, &L.b_bad_len);
	uint8_t *p = memmem(L.b_bad, L.b_bad_len, TD.img + 4096, 64);
	cr_assert_not_null(p);
	p[10] ^= 1; /* second chunk */
}

static void teardown(void)
{
	td_teardown();
	free(L.b1);
	free(L.b2);
	free(L.b3);
	free(L.b_bad);
	free(L.b_old);
}

static int install(const uint8_t *b, size_t len)
{
	return td_install(b, len);
}

static struct fws_device_state state(void)
{
	return td_status().state;
}

static void install_confirm(const uint8_t *b, size_t len)
{
	td_install_confirm(b, len);
}

TestSuite(device_lifecycle, .init = setup, .fini = teardown, .timeout = 60);

Test(device_lifecycle, install_is_pending_and_counter_not_raised)
{
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	struct fws_device_status s = td_status();
	cr_assert_eq(s.state.pending_slot, 'b');
	cr_assert_eq(s.state.confirmed_slot, 'a');
	cr_assert_eq(s.state.security_version, 0, "raised only by mark-good");
	/* The bootloader tries the pending set first, with a full budget. */
	cr_assert_eq(s.boot.order[0], 'b');
	cr_assert_eq(s.boot.order[1], 'a');
	cr_assert_eq(s.boot.left[1], FWS_BOOT_ATTEMPTS);
	cr_assert_str_eq(s.state.slots[1].version, "2.0.0");
	cr_assert(fs_equals(pj(TD.dir, "b/rootfs"), TD.img, sizeof(TD.img)));
	cr_assert(fs_equals(pj(TD.dir, "b/kernel"), TD.kern, sizeof(TD.kern)));
}

/* dev.boot_attempts sets the budget of a newly installed set. */
Test(device_lifecycle, boot_attempts_budget_is_the_devices)
{
	TD.dev.boot_attempts = 1;
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	cr_assert_eq(td_status().boot.left[1], 1);
	cr_assert_eq(td_boot(), 'b');
	cr_assert_eq(td_boot(), 'a', "one try only");
	cr_assert_eq(TD.dev.fell_back, 'b');
}

Test(device_lifecycle, mark_good_raises_counter_then_rollback_refused)
{
	install_confirm(L.b2, L.b2_len);
	struct fws_device_state st = state();
	cr_assert_eq(st.security_version, 2);
	cr_assert_eq(st.confirmed_slot, 'b');
	cr_assert_eq(install(L.b1, L.b1_len), FWS_EROLLBACK);
	cr_assert_eq(state().generation, st.generation, "a refused bundle changes nothing");
}

Test(device_lifecycle, failed_boots_fall_back_to_confirmed_slot)
{
	char slot;
	install_confirm(L.b1, L.b1_len); /* b confirmed */
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	for (int i = 0; i < FWS_BOOT_ATTEMPTS; i++) {
		cr_assert_eq(fws_device_boot(&TD.dev, &slot), 0);
		cr_assert_eq(slot, 'a', "attempt %d boots the pending slot", i);
	}
	cr_assert_eq(fws_device_boot(&TD.dev, &slot), 0);
	cr_assert_eq(slot, 'b', "budget spent: back to the confirmed slot");
	cr_assert_eq(TD.dev.fell_back, 'a', "the boot found the fallback");
	struct fws_device_state st = state();
	cr_assert_eq(st.pending_slot, '-');
	cr_assert_str_empty(st.slots[0].version, "the failed image is forgotten");
	cr_assert_eq(st.security_version, 1, "the failed release never raised the counter");
	/* Nothing pending to confirm: mark-good of the running set renews the
	 * confirmed set, and the failed set cannot be confirmed at all. */
	cr_assert_eq(fws_device_mark_good(&TD.dev, 'a'), FWS_ELIFECYCLE);
	cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_BOOTED), 0);
	st = state();
	cr_assert_eq(st.confirmed_slot, 'b');
	cr_assert_eq(st.security_version, 1);
	cr_assert_eq(td_status().boot.left[1], FWS_BOOT_ATTEMPTS, "tries renewed");
}

/* req: REQ-LIFE-001 */
Test(device_lifecycle, install_over_running_unconfirmed_slot_refused)
{
	char slot;
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	cr_assert_eq(fws_device_boot(&TD.dev, &slot), 0);
	cr_assert_eq(install(L.b3, L.b3_len), FWS_EBUSY);
	cr_assert_eq(fws_device_rollback(&TD.dev, &slot), 0, "cancel the pending update");
	cr_assert_eq(slot, 'a');
	cr_assert_eq(install(L.b3, L.b3_len), FWS_EBUSY, "slot b runs until the next boot");
	cr_assert_eq(fws_device_boot(&TD.dev, &slot), 0);
	cr_assert_eq(slot, 'a');
	cr_assert_eq(install(L.b3, L.b3_len), 0);
}

/* A cancelled or failed image is forgotten: rollback can never make it the
 * confirmed slot without a boot that proved it. */
/* req: REQ-ROLL-005 */
Test(device_lifecycle, rollback_never_confirms_an_unproven_image)
{
	char slot;
	install_confirm(L.b1, L.b1_len); /* slot b confirmed */
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	for (int i = 0; i <= FWS_BOOT_ATTEMPTS; i++)
		cr_assert_eq(fws_device_boot(&TD.dev, &slot), 0);
	cr_assert_eq(slot, 'b', "fell back");
	cr_assert_eq(fws_device_rollback(&TD.dev, &slot), FWS_ELIFECYCLE,
		     "the failed 2.0.0 must not become the confirmed slot");
	cr_assert_eq(state().confirmed_slot, 'b');
}

Test(device_lifecycle, rollback_to_other_slot_only_while_counter_allows)
{
	char slot;
	install_confirm(L.b1, L.b1_len); /* slot b: 1.0.0 sv1 */
	install_confirm(L.b2, L.b2_len); /* slot a: 2.0.0 sv2, counter 2 */
	uint64_t gen = state().generation;
	cr_assert_eq(fws_device_rollback(&TD.dev, &slot), FWS_EROLLBACK,
		     "1.0.0 is below the confirmed counter");
	struct fws_device_state st = state();
	cr_assert_eq(st.confirmed_slot, 'a');
	cr_assert_eq(st.generation, gen);
}

Test(device_lifecycle, rollback_to_other_slot_allowed_at_same_counter)
{
	char slot;
	install_confirm(L.b2, L.b2_len);
	uint8_t *b21;
	size_t len;
	b21 = td_bundle("2.1.0", 2, &TD.release, NULL, &len);
	install_confirm(b21, len);
	free(b21);
	cr_assert_eq(fws_device_rollback(&TD.dev, &slot), 0);
	cr_assert_eq(slot, 'b');
	cr_assert_str_eq(state().slots[1].version, "2.0.0");
	cr_assert_eq(td_status().boot.order[0], 'b', "the bootloader follows");
}

Test(device_lifecycle, unknown_key_refused_and_logged_state_unchanged)
{
	uint8_t *evil;
	size_t len;
	evil = td_bundle("9.0.0", 9, &TD.stranger, NULL, &len);
	uint64_t gen = state().generation;
	cr_assert_eq(install(evil, len), FWS_EUNTRUSTED);
	cr_assert_eq(state().generation, gen);
	uint64_t entries = 0, bad = 0;
	cr_assert_eq(fws_audit_log_verify(TD.dev.log, &entries, &bad), 0);
	cr_assert_eq(entries, 2, "init and the refused install are recorded");
	struct td_lines *c = td_log();
	cr_assert(td_line_is(c->line[1], "install", "FWS_EUNTRUSTED"), "%s", c->line[1]);
	free(c);
	free(evil);
}

/* --- mark-good, rollback: what the life cycle does not allow now --- */

/* Only the running update can confirm itself: a pending set that has not
 * booted is refused, and nothing changes. */
Test(device_lifecycle, mark_good_of_pending_set_not_booted_refused)
{
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	struct fws_device_status before = td_status();
	size_t lines = td_log_count();
	cr_assert_eq(fws_device_mark_good(&TD.dev, 'b'), FWS_ELIFECYCLE);
	cr_assert_eq(fws_diag_last()->code, FWS_ELIFECYCLE);
	cr_assert_not_null(strstr(fws_diag_last()->why, "not booted"), "why: %s",
			   fws_diag_last()->why);
	/* No boot recorded yet: "the running set" is unknown. */
	cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_BOOTED), FWS_ELIFECYCLE);
	cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_OTHER), FWS_ELIFECYCLE);
	struct fws_device_status after = td_status();
	cr_assert_eq(after.state.generation, before.state.generation);
	cr_assert_eq(after.state.security_version, 0);
	cr_assert_eq(after.state.pending_slot, 'b');
	cr_assert_eq(after.state.confirmed_slot, 'a');
	cr_assert_eq(after.boot.left[1], before.boot.left[1]);
	struct td_lines *c = td_log();
	cr_assert_eq(c->n, lines + 3, "each refusal is recorded");
	cr_assert(td_line_is(c->line[lines], "mark-good", "FWS_ELIFECYCLE"), "%s", c->line[lines]);
	free(c);
}

/* Pending b booted, then the confirmed a booted again (operator choice
 * mark-active): mark-good of the pending b is still refused, it is not the
 * running set. */
Test(device_lifecycle, mark_good_of_pending_set_after_it_stopped_running_refused)
{
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	cr_assert_eq(td_boot(), 'b');
	cr_assert_eq(fws_device_mark_active(&TD.dev, 'b'), 0, "renews b's tries");
	/* the bootloader's own reboot into a (no fwseal involved) */
	struct fws_boot_view v = td_status().boot;
	v.order[0] = 'a';
	v.order[1] = 'b';
	cr_assert_eq(TD.dev.boot.write(TD.dev.boot.ctx, &v), 0);
	char set;
	cr_assert_eq(TD.dev.boot.boot(TD.dev.boot.ctx, &set), 0);
	cr_assert_eq(set, 'a');
	cr_assert_eq(fws_device_mark_good(&TD.dev, 'b'), FWS_ELIFECYCLE);
	cr_assert_eq(state().security_version, 0);
}

Test(device_lifecycle, rollback_with_nothing_to_roll_back_refused)
{
	char slot = '?';
	uint64_t gen = state().generation;
	cr_assert_eq(fws_device_rollback(&TD.dev, &slot), FWS_ELIFECYCLE);
	cr_assert_not_null(strstr(fws_diag_last()->why, "nothing to roll back"), "why: %s",
			   fws_diag_last()->why);
	cr_assert_eq(slot, 'a', "the confirmed set is reported");
	cr_assert_eq(state().generation, gen);
	/* Also with one confirmed image and the other set empty. */
	install_confirm(L.b1, L.b1_len);
	cr_assert_eq(fws_device_rollback(&TD.dev, &slot), FWS_ELIFECYCLE,
		     "set a never held an image");
	cr_assert_eq(state().confirmed_slot, 'b');
}

/* mark-good of the confirmed set with nothing pending renews its tries. */
Test(device_lifecycle, mark_good_of_confirmed_set_renews_its_tries)
{
	install_confirm(L.b1, L.b1_len); /* b confirmed, booted */
	cr_assert_eq(td_boot(), 'b');
	cr_assert_eq(td_boot(), 'b');
	cr_assert_eq(td_status().boot.left[1], FWS_BOOT_ATTEMPTS - 2);
	uint64_t gen = state().generation;
	cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_BOOTED), 0);
	cr_assert_eq(td_status().boot.left[1], FWS_BOOT_ATTEMPTS);
	cr_assert_eq(state().generation, gen, "only the bootloader's variables change");
}

/* The confirmed set may not be given up while an update is pending: it
 * is the only proven image. */
Test(device_lifecycle, mark_bad_of_only_confirmed_image_refused)
{
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	cr_assert_eq(fws_device_mark_bad(&TD.dev, 'a'), FWS_ELIFECYCLE);
	cr_assert_eq(state().confirmed_slot, 'a');
	cr_assert_eq(state().pending_slot, 'b');
}

/* --- fallback: found and forgotten by the next operation --- */

enum trigger { T_BOOT, T_MARK_GOOD, T_MARK_BAD, T_ROLLBACK, T_INSTALL, T_COUNT };
static const char *const trigger_names[] = {"boot", "mark-good", "mark-bad a", "rollback",
					    "install"};
/* What each one returns once set a is forgotten: rollback has nothing
 * left to go back to. */
static const int trigger_rc[] = {0, 0, 0, FWS_ELIFECYCLE, 0};

static int run_trigger(enum trigger t)
{
	char set;
	switch (t) {
	case T_BOOT:
		return fws_device_boot(&TD.dev, &set);
	case T_MARK_GOOD:
		return fws_device_mark_good(&TD.dev, FWS_SET_BOOTED);
	case T_MARK_BAD:
		return fws_device_mark_bad(&TD.dev, 'a');
	case T_ROLLBACK:
		return fws_device_rollback(&TD.dev, &set);
	default:
		return install(L.b3, L.b3_len);
	}
}

/* The bootloader gave up on pending set a by itself (its own reboots spent
 * every try): whatever fwseal does next first forgets set a, with one
 * 'fallback' line, and says so in dev.fell_back. */
Test(device_lifecycle, fallback_reconciled_by_every_operation)
{
	for (enum trigger t = T_BOOT; t < T_COUNT; t++) {
		teardown();
		setup();
		install_confirm(L.b1, L.b1_len);	  /* b confirmed */
		cr_assert_eq(install(L.b2, L.b2_len), 0); /* a pending */
		char set;
		for (int i = 0; i <= FWS_BOOT_ATTEMPTS; i++)
			cr_assert_eq(TD.dev.boot.boot(TD.dev.boot.ctx, &set), 0);
		cr_assert_eq(set, 'b');
		cr_assert_eq(td_status().boot.left[0], 0);
		cr_assert_eq(state().pending_slot, 'a', "status reconciles nothing");
		int rc = run_trigger(t);
		cr_assert_eq(rc, trigger_rc[t], "%s: %s (%s)", trigger_names[t], fws_errname(rc),
			     fws_diag_last()->why);
		cr_assert_eq(TD.dev.fell_back, 'a', "%s", trigger_names[t]);
		struct fws_device_state st = state();
		cr_assert_eq(st.confirmed_slot, 'b');
		cr_assert_eq(st.security_version, 1, "never raised by the failed image");
		if (t != T_INSTALL) {
			cr_assert_eq(st.pending_slot, '-', "%s", trigger_names[t]);
			cr_assert_str_empty(st.slots[0].version);
			struct fws_boot_view v = td_status().boot;
			cr_assert(v.order[0] != 'a' && v.order[1] != 'a',
				  "%s: the forgotten set is still bootable", trigger_names[t]);
		} else {
			/* the install went into the set that fell back */
			cr_assert_eq(st.pending_slot, 'a');
			cr_assert_str_eq(st.slots[0].version, "3.0.0");
		}
		struct td_lines *c = td_log();
		cr_assert_eq(td_log_actions(c, "fallback"), 1, "%s", trigger_names[t]);
		free(c);
	}
}

/* The bootloader took the pending set out of its order (a boot script that
 * drops an image after its last try, instead of leaving 0 tries): a failed
 * trial like any other. It is forgotten, and never put back: that would
 * make the bootloader boot the failed image again after every operation. */
Test(device_lifecycle, pending_set_dropped_by_the_bootloader_is_a_failed_trial)
{
	install_confirm(L.b1, L.b1_len);	  /* b confirmed */
	cr_assert_eq(install(L.b2, L.b2_len), 0); /* a pending */
	struct fws_boot_view v = td_status().boot;
	v.order[0] = 'b';
	v.order[1] = '-';
	v.left[0] = 0;
	cr_assert_eq(TD.dev.boot.write(TD.dev.boot.ctx, &v), 0);
	cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_BOOTED), 0, "b renews its tries");
	cr_assert_eq(TD.dev.fell_back, 'a');
	struct fws_device_status s = td_status();
	cr_assert_eq(s.state.pending_slot, '-');
	cr_assert_str_empty(s.state.slots[0].version);
	cr_assert(s.boot.order[0] != 'a' && s.boot.order[1] != 'a', "a is not put back");
	cr_assert_eq(td_boot(), 'b');
}

/* What a crash between an install's state save and its bootloader write
 * leaves: the state names pending a, one line ahead of the log, and the
 * bootloader does not know a. The next operation finishes the install
 * (the bootloader is told, with a full budget of tries) before it records
 * the recovery, instead of reading it as a failed boot. */
Test(device_lifecycle, install_interrupted_before_its_bootloader_write_is_finished)
{
	install_confirm(L.b1, L.b1_len);	  /* b confirmed */
	cr_assert_eq(install(L.b2, L.b2_len), 0); /* a pending */
	struct fws_device_status s = td_status();
	struct fws_boot_view v = s.boot;
	v.order[0] = 'b';
	v.order[1] = '-';
	v.left[0] = 0;
	cr_assert_eq(TD.dev.boot.write(TD.dev.boot.ctx, &v), 0);
	s.state.log_seq = s.log_seq + 1; /* its audit line never written */
	td_write_state(&s.state);
	size_t lines = td_log_count();
	cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_BOOTED), FWS_ELIFECYCLE,
		     "the update in a has not booted");
	cr_assert_eq(TD.dev.fell_back, '-');
	s = td_status();
	cr_assert_eq(s.state.pending_slot, 'a');
	cr_assert_str_eq(s.state.slots[0].version, "2.0.0");
	cr_assert_eq(s.boot.order[0], 'a', "the bootloader was told");
	cr_assert_eq(s.boot.left[0], FWS_BOOT_ATTEMPTS);
	struct td_lines *l = td_log();
	cr_assert_eq(td_log_actions(l, "recover"), 1);
	cr_assert_gt(td_log_count(), lines);
	cr_assert_eq(td_boot(), 'a');
}

/* A set the state gave up (cancelled) but the bootloader still has in
 * its order (a crash before the bootloader write): taken out again by
 * the next operation, so a cancelled image never boots. */
Test(device_lifecycle, given_up_set_still_in_boot_order_is_taken_out)
{
	install_confirm(L.b1, L.b1_len);	  /* b confirmed */
	cr_assert_eq(install(L.b2, L.b2_len), 0); /* a pending */
	struct fws_boot_view before = td_status().boot;
	cr_assert_eq(fws_device_mark_bad(&TD.dev, 'a'), 0);
	/* put the bootloader back as it was before the mark-bad */
	cr_assert_eq(TD.dev.boot.write(TD.dev.boot.ctx, &before), 0);
	cr_assert_eq(td_boot(), 'b', "the cancelled set a must not boot");
	struct fws_boot_view v = td_status().boot;
	cr_assert(v.order[0] != 'a' && v.order[1] != 'a');
}

/* A pending set the bootloader has not tried yet is not a fallback. */
Test(device_lifecycle, untried_pending_set_is_not_a_fallback)
{
	install_confirm(L.b1, L.b1_len); /* b confirmed and running */
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	cr_assert_eq(fws_device_mark_good(&TD.dev, FWS_SET_BOOTED), FWS_ELIFECYCLE,
		     "the update in a has not booted yet");
	cr_assert_eq(TD.dev.fell_back, '-');
	cr_assert_eq(state().pending_slot, 'a');
	cr_assert_str_eq(state().slots[0].version, "2.0.0");
	struct td_lines *c = td_log();
	cr_assert_eq(td_log_actions(c, "fallback"), 0);
	free(c);
}

/* --- min_version against the confirmed image --- */

/* req: REQ-ROLL-004 */
Test(device_lifecycle, min_version_with_empty_confirmed_slot_refused)
{
	size_t len;
	uint8_t *b = td_bundle("2.0.0", 2, &TD.release, "1.0.0", &len);
	uint64_t gen = state().generation;
	cr_assert_eq(install(b, len), FWS_EMINVERSION);
	cr_assert_eq(state().generation, gen);
	cr_assert_str_empty(state().slots[1].version);
	struct td_lines *c = td_log();
	cr_assert(td_line_is(c->line[c->n - 1], "install", "FWS_EMINVERSION"), "%s",
		  c->line[c->n - 1]);
	free(c);
	free(b);
}

/* The factory image counts as installed: min_version applies against it. */
Test(device_lifecycle, min_version_against_the_factory_image)
{
	static const struct {
		const char *factory, *min;
		int want;
	} cases[] = {
	    {"1.0.0", "1.0.0", 0},
	    {"1.2.0", "1.0.0", 0},
	    {"0.9.9", "1.0.0", FWS_EMINVERSION},
	    {"1.0.0-rc.1", "1.0.0", FWS_EMINVERSION},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		td_teardown();
		td_setup_unprovisioned();
		struct fws_factory f = {cases[i].factory, 1};
		td_provision(&f);
		struct fws_device_state st = state();
		cr_assert_str_eq(st.slots[0].version, cases[i].factory);
		cr_assert_eq(st.security_version, 1, "the factory image's counter holds");
		size_t len;
		uint8_t *b = td_bundle("2.0.0", 2, &TD.release, cases[i].min, &len);
		int rc = install(b, len);
		cr_assert_eq(rc, cases[i].want, "factory %s, min %s: %s", cases[i].factory,
			     cases[i].min, fws_errname(rc));
		free(b);
	}
}

/* The factory's security_version is the floor from the start. */
Test(device_lifecycle, factory_security_version_is_enforced)
{
	td_teardown();
	td_setup_unprovisioned();
	struct fws_factory f = {"1.5.0", 3};
	td_provision(&f);
	cr_assert_eq(install(L.b2, L.b2_len), FWS_EROLLBACK, "sv 2 below the factory's 3");
	struct fws_factory bad = {"not-semver", 0};
	td_teardown();
	td_setup_unprovisioned();
	cr_assert_eq(fws_device_provision(&TD.dev, (uint8_t *)TD.r1_json, strlen(TD.r1_json),
					  "test-hw", NULL, &bad),
		     FWS_EUSAGE);
	cr_assert_not(fs_exists(pj(TD.dir, "state")));
}

/* Provisioning twice would reset the counter: refused. */
Test(device_lifecycle, provision_twice_refused)
{
	install_confirm(L.b2, L.b2_len);
	char *before = td_file("state", NULL);
	cr_assert_eq(fws_device_provision(&TD.dev, (uint8_t *)TD.r1_json, strlen(TD.r1_json),
					  "test-hw", NULL, NULL),
		     FWS_EEXIST);
	char *after = td_file("state", NULL);
	cr_assert_str_eq(after, before);
	free(before);
	free(after);
}

/* --- in-place slot writers ---
 * A raw-partition writer overwrites the slot as it streams: the state must
 * call the slot empty before the first byte, so a refusal mid-stream can
 * never leave "1.0.0" recorded over half-overwritten bytes; and not
 * before it, so a bundle refused before its first verified chunk changes
 * nothing at all (slot.h: open() must not change the slot). */
struct in_place_log {
	int writes;
	int opens;
	char slot;
};

static int ip_open(void *ctx, char slot, const struct fws_payload *p)
{
	(void)p;
	((struct in_place_log *)ctx)->opens++;
	((struct in_place_log *)ctx)->slot = slot;
	return 0;
}
static int ip_write(void *ctx, const uint8_t *d, size_t n)
{
	struct in_place_log *log = ctx;
	(void)d;
	(void)n;
	if (log->writes++ == 0) {
		struct fws_device_status st;
		cr_assert_eq(fws_device_status(&TD.dev, &st), 0);
		cr_assert_str_empty(st.state.slots[log->slot == 'b'].version,
				    "slot still marked valid when its overwrite begins");
		cr_assert_neq(st.boot.order[0], log->slot, "the bootloader would still boot it");
		cr_assert_neq(st.boot.order[1], log->slot, "the bootloader would still boot it");
	}
	return 0;
}
static int ip_close(void *ctx)
{
	(void)ctx;
	return 0;
}
static int ip_commit(void *ctx, char slot)
{
	(void)ctx;
	(void)slot;
	return 0;
}
static void ip_discard(void *ctx, char slot)
{
	(void)ctx;
	(void)slot;
}

Test(device_lifecycle, in_place_writer_slot_invalidated_before_first_byte)
{
	char slot;
	install_confirm(L.b1, L.b1_len); /* slot b: 1.0.0 */
	install_confirm(L.b2, L.b2_len); /* slot a: 2.0.0, counter 2 */
	struct in_place_log log = {0, 0, 0};
	TD.dev.slots = (struct fws_slot_writer){&log,	  1,	NULL,	   ip_open,    ip_write,
						ip_close, NULL, ip_commit, ip_discard, NULL};
	cr_assert_eq(install(L.b_bad, L.b_bad_len), FWS_EDIGEST);
	cr_assert_eq(log.opens, 1);
	cr_assert_eq(log.writes, 1, "only the verified first chunk was written (%d)", log.writes);
	struct fws_device_state st = state();
	cr_assert_str_empty(st.slots[1].version, "the overwritten slot is no longer valid");
	cr_assert_eq(st.confirmed_slot, 'a');
	cr_assert_eq(fws_device_rollback(&TD.dev, &slot), FWS_ELIFECYCLE, "nothing to return to");
}

/* The first chunk is the tampered one: refused before any byte reached
 * the slot, so the slot keeps its image, the state and the bootloader
 * their words for it. */
Test(device_lifecycle, in_place_refusal_before_the_first_byte_changes_nothing)
{
	install_confirm(L.b1, L.b1_len); /* slot b: 1.0.0 */
	install_confirm(L.b2, L.b2_len); /* slot a: 2.0.0, counter 2 */
	size_t len;
	uint8_t *bad = td_bundle("3.0.0", 3, &TD.release, NULL, &len);
	uint8_t *p = memmem(bad, len, TD.img, 64);
	cr_assert_not_null(p);
	p[7] ^= 1;
	struct fws_device_status before, after;
	cr_assert_eq(fws_device_status(&TD.dev, &before), 0);
	struct in_place_log log = {0, 0, 0};
	TD.dev.slots = (struct fws_slot_writer){&log,	  1,	NULL,	   ip_open,    ip_write,
						ip_close, NULL, ip_commit, ip_discard, NULL};
	cr_assert_eq(install(bad, len), FWS_EDIGEST);
	cr_assert_eq(log.writes, 0);
	cr_assert_eq(fws_device_status(&TD.dev, &after), 0);
	cr_assert_str_eq(after.state.slots[1].version, "1.0.0", "slot b keeps its image");
	cr_assert_eq(memcmp(&before.boot, &after.boot, sizeof(before.boot)), 0,
		     "the bootloader was not touched");
	free(bad);
}

/* --- read back before the set may boot ---
 * A medium that lost or garbled a write (a flash page that did not take)
 * is caught when the device re-reads and re-hashes what it wrote, before
 * the set becomes pending: FWS_EDIGEST, the set never pending, and the
 * bootloader never told. */
struct garble {
	int (*read_back)(void *ctx, char set, const struct fws_payload *p, uint64_t offset,
			 uint8_t *buf, size_t len);
	void *ctx;
	const char *target;
	uint64_t at; /* the byte that reads back wrong */
	int calls;
};

static struct garble G;

static int garbled_read_back(void *ctx, char set, const struct fws_payload *p, uint64_t offset,
			     uint8_t *buf, size_t len)
{
	(void)ctx;
	G.calls++;
	int rc = G.read_back(G.ctx, set, p, offset, buf, len);
	if (rc == 0 && strcmp(p->target, G.target) == 0 && G.at >= offset && G.at < offset + len)
		buf[G.at - offset] ^= 0x01;
	return rc;
}

Test(device_lifecycle, write_lost_by_the_medium_caught_by_read_back)
{
	static const struct {
		const char *target;
		uint64_t at;
	} cases[] = {{"rootfs", 0}, {"rootfs", 8999}, {"kernel", 1500}, {"kernel", 2999}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown();
		setup();
		G = (struct garble){TD.dev.slots.read_back, TD.dev.slots.ctx, cases[i].target,
				    cases[i].at, 0};
		cr_assert_not_null(G.read_back, "the directory writer reads back");
		TD.dev.slots.read_back = garbled_read_back;
		struct fws_device_status before = td_status();
		int rc = install(L.b2, L.b2_len);
		cr_assert_eq(rc, FWS_EDIGEST, "%s@%llu: %s", cases[i].target,
			     (unsigned long long)cases[i].at, fws_errname(rc));
		cr_assert_gt(G.calls, 0);
		struct fws_device_status after = td_status();
		cr_assert_eq(after.state.pending_slot, '-');
		cr_assert_str_empty(after.state.slots[1].version);
		cr_assert_eq(after.boot.order[0], before.boot.order[0]);
		cr_assert_eq(after.boot.order[1], before.boot.order[1]);
		char list[256];
		fs_list(pj(TD.dir, "b"), list, sizeof(list));
		cr_assert_str_eq(list, "", "the garbled set was committed: %s", list);
	}
	/* and the untouched read back passes */
	TD.dev.slots.read_back = G.read_back;
	cr_assert_eq(install(L.b2, L.b2_len), 0);
}
