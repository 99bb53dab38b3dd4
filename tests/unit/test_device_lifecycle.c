/* The device life cycle at the API level: pending, boot attempts, fallback,
 * mark-good raising the counter, rollback rules, and in-place slot writers
 * (raw partitions) never leaving a half-written slot marked valid. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/device.h"
#include "test_bundle_helpers.h"

static struct {
	struct test_key root, release, stranger;
	struct fws_root r1;
	char *r1_json;
	uint8_t img[9000];
	uint8_t *b1, *b2, *b3, *b_bad, *b_old;
	size_t b1_len, b2_len, b3_len, b_bad_len, b_old_len;
	char dir[64];
	struct fws_device dev;
	struct fws_dir_backend be;
} L;

static uint8_t *release_bundle(const char *version, uint64_t sv, const struct test_key *signer,
			       size_t *len)
{
	const struct test_key *signers[] = {signer};
	struct test_payload p = {"fw.img", "rootfs", L.img, sizeof(L.img), 4096};
	struct test_release rel = {version, sv, "test-hw", 0, &p, 1, signers, 1, NULL, NULL, 0, 0};
	return test_bundle_build(&rel, len);
}

static void setup(void)
{
	core_setup();
	test_key_make(&L.root, 31);
	test_key_make(&L.release, 32);
	test_key_make(&L.stranger, 33);
	root_begin(&L.r1, 1);
	root_add_key(&L.r1, &L.root);
	root_add_key(&L.r1, &L.release);
	role_add(&L.r1, FWS_ROLE_ROOT, &L.root);
	role_add(&L.r1, FWS_ROLE_RELEASE, &L.release);
	L.r1.roles[0].threshold = L.r1.roles[1].threshold = 1;
	const struct test_key *s[] = {&L.root};
	size_t len;
	L.r1_json = test_root_json(&L.r1, s, 1, &len);
	uint32_t x = 2463534242u; /* xorshift: no period memmem could confuse */
	for (size_t i = 0; i < sizeof(L.img); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		L.img[i] = (uint8_t)x;
	}
	L.b1 = release_bundle("1.0.0", 1, &L.release, &L.b1_len);
	L.b2 = release_bundle("2.0.0", 2, &L.release, &L.b2_len);
	L.b3 = release_bundle("3.0.0", 3, &L.release, &L.b3_len);
	L.b_old = release_bundle("0.9.0", 0, &L.release, &L.b_old_len);
	L.b_bad = release_bundle("3.0.0", 3, &L.release, &L.b_bad_len);
	uint8_t *p = memmem(L.b_bad, L.b_bad_len, L.img + 4096, 64);
	cr_assert_not_null(p);
	p[10] ^= 1; /* second chunk */
	strcpy(L.dir, "/tmp/fwseal-life-XXXXXX");
	cr_assert_not_null(mkdtemp(L.dir));
	cr_assert_eq(fws_device_dir_prepare(L.dir), 0);
	fws_device_use_dir(&L.dev, &L.be, L.dir, NULL);
	cr_assert_eq(fws_device_provision(&L.dev, (uint8_t *)L.r1_json, strlen(L.r1_json),
					  "test-hw", "unit-7"),
		     0);
}

static void teardown(void)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", L.dir);
	(void)!system(cmd);
	free(L.r1_json);
	free(L.b1);
	free(L.b2);
	free(L.b3);
	free(L.b_bad);
	free(L.b_old);
}

static int install(const uint8_t *b, size_t len)
{
	struct mem_reader r = {b, len, 0, 0, 0};
	static struct fws_verify_result res;
	return fws_device_install(&L.dev, mem_read, &r, NULL, &res);
}

static struct fws_device_state state(void)
{
	struct fws_device_state st;
	cr_assert_eq(fws_device_state_get(&L.dev, &st), 0);
	return st;
}

static void install_confirm(const uint8_t *b, size_t len)
{
	char slot;
	cr_assert_eq(install(b, len), 0);
	cr_assert_eq(fws_device_boot(&L.dev, &slot), 0);
	cr_assert_eq(fws_device_mark_good(&L.dev), 0);
}

TestSuite(device_lifecycle, .init = setup, .fini = teardown);

Test(device_lifecycle, install_is_pending_and_counter_not_raised)
{
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	struct fws_device_state st = state();
	cr_assert_eq(st.pending_slot, 'b');
	cr_assert_eq(st.confirmed_slot, 'a');
	cr_assert_eq(st.security_version, 0, "raised only by mark-good");
	cr_assert_eq(st.boot_attempts, FWS_BOOT_ATTEMPTS);
	cr_assert_str_eq(st.slots[1].version, "2.0.0");
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
	install_confirm(L.b1, L.b1_len);
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	for (int i = 0; i < FWS_BOOT_ATTEMPTS; i++) {
		cr_assert_eq(fws_device_boot(&L.dev, &slot), 0);
		cr_assert_eq(slot, 'a', "attempt %d boots the pending slot", i);
	}
	cr_assert_eq(fws_device_boot(&L.dev, &slot), 0);
	cr_assert_eq(slot, 'b', "budget spent: back to the confirmed slot");
	struct fws_device_state st = state();
	cr_assert_eq(st.pending_slot, '-');
	cr_assert_eq(st.security_version, 1, "the failed release never raised the counter");
	cr_assert_eq(fws_device_mark_good(&L.dev), FWS_ESTATE, "nothing pending to confirm");
}

Test(device_lifecycle, install_over_running_unconfirmed_slot_refused)
{
	char slot;
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	cr_assert_eq(fws_device_boot(&L.dev, &slot), 0);
	cr_assert_eq(install(L.b3, L.b3_len), FWS_EBUSY);
	cr_assert_eq(fws_device_rollback(&L.dev, &slot), 0, "cancel the pending update");
	cr_assert_eq(slot, 'a');
	cr_assert_eq(install(L.b3, L.b3_len), FWS_EBUSY, "slot b runs until the next boot");
	cr_assert_eq(fws_device_boot(&L.dev, &slot), 0);
	cr_assert_eq(slot, 'a');
	cr_assert_eq(install(L.b3, L.b3_len), 0);
}

/* A cancelled or failed image is forgotten: rollback can never make it the
 * confirmed slot without a boot that proved it. */
Test(device_lifecycle, rollback_never_confirms_an_unproven_image)
{
	char slot;
	install_confirm(L.b1, L.b1_len); /* slot b confirmed */
	cr_assert_eq(install(L.b2, L.b2_len), 0);
	for (int i = 0; i <= FWS_BOOT_ATTEMPTS; i++)
		cr_assert_eq(fws_device_boot(&L.dev, &slot), 0);
	cr_assert_eq(slot, 'b', "fell back");
	cr_assert_eq(fws_device_rollback(&L.dev, &slot), FWS_ESTATE,
		     "the failed 2.0.0 must not become the confirmed slot");
	cr_assert_eq(state().confirmed_slot, 'b');
}

Test(device_lifecycle, rollback_to_other_slot_only_while_counter_allows)
{
	char slot;
	install_confirm(L.b1, L.b1_len); /* slot b: 1.0.0 sv1 */
	install_confirm(L.b2, L.b2_len); /* slot a: 2.0.0 sv2, counter 2 */
	cr_assert_eq(fws_device_rollback(&L.dev, &slot), FWS_EROLLBACK,
		     "1.0.0 is below the confirmed counter");
	struct fws_device_state st = state();
	cr_assert_eq(st.confirmed_slot, 'a');
}

Test(device_lifecycle, rollback_to_other_slot_allowed_at_same_counter)
{
	char slot;
	install_confirm(L.b2, L.b2_len);
	uint8_t *b21;
	size_t len;
	const struct test_key *signers[] = {&L.release};
	struct test_payload p = {"fw.img", "rootfs", L.img, sizeof(L.img), 4096};
	struct test_release rel = {"2.1.0", 2, "test-hw", 0, &p, 1, signers, 1, NULL, NULL, 0, 0};
	b21 = test_bundle_build(&rel, &len);
	install_confirm(b21, len);
	free(b21);
	cr_assert_eq(fws_device_rollback(&L.dev, &slot), 0);
	cr_assert_eq(slot, 'b');
	cr_assert_str_eq(state().slots[1].version, "2.0.0");
}

Test(device_lifecycle, unknown_key_refused_and_logged_state_unchanged)
{
	uint8_t *evil;
	size_t len;
	const struct test_key *signers[] = {&L.stranger};
	struct test_payload p = {"fw.img", "rootfs", L.img, sizeof(L.img), 4096};
	struct test_release rel = {"9.0.0", 9, "test-hw", 0, &p, 1, signers, 1, NULL, NULL, 0, 0};
	evil = test_bundle_build(&rel, &len);
	uint64_t gen = state().generation;
	cr_assert_eq(install(evil, len), FWS_EUNTRUSTED);
	cr_assert_eq(state().generation, gen);
	uint64_t entries = 0, bad = 0;
	cr_assert_eq(fws_audit_log_verify(L.dir, &entries, &bad), 0);
	cr_assert_eq(entries, 2, "init and the refused install are recorded");
	free(evil);
}

/* A raw-partition writer overwrites the slot as it streams: the state must
 * call the slot empty before the first byte, so a refusal mid-stream can
 * never leave "1.0.0" recorded over half-overwritten bytes. */
struct in_place_log {
	int writes;
};

static int ip_open(void *ctx, char slot, const struct fws_payload *p)
{
	(void)ctx;
	(void)slot;
	(void)p;
	struct fws_device_state st;
	cr_assert_eq(fws_device_state_get(&L.dev, &st), 0);
	cr_assert_str_empty(st.slots[slot == 'b'].version,
			    "slot still marked valid when its overwrite begins");
	return 0;
}
static int ip_write(void *ctx, const uint8_t *d, size_t n)
{
	(void)d;
	(void)n;
	((struct in_place_log *)ctx)->writes++;
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
	struct in_place_log log = {0};
	L.dev.slots = (struct fws_slot_writer){&log, 1, ip_open, ip_write, ip_close, ip_commit,
					       ip_discard};
	cr_assert_eq(install(L.b_bad, L.b_bad_len), FWS_EDIGEST);
	cr_assert_eq(log.writes, 1, "only the verified first chunk was written (%d)", log.writes);
	struct fws_device_state st = state();
	cr_assert_str_empty(st.slots[1].version, "the overwritten slot is no longer valid");
	cr_assert_eq(st.confirmed_slot, 'a');
	cr_assert_eq(fws_device_rollback(&L.dev, &slot), FWS_ESTATE, "nothing to return to");
}
