/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FMT-001, REQ-FMT-003, REQ-FMT-004 */
#define _GNU_SOURCE /* memmem */
/* The streaming bundle reader: one pass, any split of the input, nothing
 * unverified released, every truncation and trailing byte refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/bundle.h"
#include "test_bundle_helpers.h"

#define PAYLOAD_SIZE 10000u
#define CHUNK 4096u

struct fixture {
	struct test_key root_key, release_key;
	struct fws_root root;
	uint8_t payload[PAYLOAD_SIZE];
	uint8_t *plain, *gz;
	size_t plain_len, gz_len;
};
static struct fixture F;

/* Collects what the sink is given, to prove what was released and when. */
struct collect {
	uint8_t out[PAYLOAD_SIZE];
	size_t n;
	int fail_write;
};

static int col_write(void *ctx, const uint8_t *d, size_t len)
{
	struct collect *c = ctx;
	if (c->fail_write)
		return FWS_EIO;
	cr_assert_leq(c->n + len, sizeof(c->out));
	memcpy(c->out + c->n, d, len);
	c->n += len;
	return 0;
}

static uint8_t *build_bundle(int gzip, size_t *len)
{
	const struct test_key *root_signers[] = {&F.root_key};
	const struct test_key *release_signers[] = {&F.release_key};
	size_t root_len;
	char *root_json = test_root_json(&F.root, root_signers, 1, &root_len);
	const char *roots[] = {root_json};
	const uint64_t versions[] = {1};
	struct test_payload p = {"fw.bin", "rootfs", F.payload, PAYLOAD_SIZE, CHUNK};
	struct test_release rel = {"1.0.0", 1, "test-hw", 0, &p, 1, release_signers, 1,
				   roots, versions, 1, gzip};
	uint8_t *data = test_bundle_build(&rel, len);
	free(root_json);
	return data;
}

static void setup(void)
{
	core_setup();
	test_key_make(&F.root_key, 1);
	test_key_make(&F.release_key, 2);
	root_begin(&F.root, 1);
	root_add_key(&F.root, &F.root_key);
	root_add_key(&F.root, &F.release_key);
	role_add(&F.root, FWS_ROLE_ROOT, &F.root_key);
	role_add(&F.root, FWS_ROLE_RELEASE, &F.release_key);
	F.root.roles[FWS_ROLE_ROOT].threshold = 1;
	F.root.roles[FWS_ROLE_RELEASE].threshold = 1;
	for (size_t i = 0; i < PAYLOAD_SIZE; i++)
		F.payload[i] = (uint8_t)(i * 31 + 7);
	F.plain = build_bundle(0, &F.plain_len);
	F.gz = build_bundle(1, &F.gz_len);
}

static void teardown(void)
{
	free(F.plain);
	free(F.gz);
}

/* Verifies data through the reader settings; fills col if given. */
static int verify_mem(const uint8_t *data, size_t len, size_t max, size_t split,
		      struct collect *col)
{
	struct mem_reader r = {data, len, 0, max, split};
	struct fws_verify_opts o;
	struct fws_sink sink = {col, NULL, col_write, NULL, NULL};
	static struct fws_verify_result res;
	memset(&o, 0, sizeof(o));
	o.trusted_root = &F.root;
	return fws_bundle_verify(mem_read, &r, &o, col ? &sink : NULL, &res);
}

TestSuite(bundle_stream, .init = setup, .fini = teardown);

Test(bundle_stream, valid_bundle_releases_exact_payload)
{
	struct collect col = {0};
	cr_assert_eq(verify_mem(F.plain, F.plain_len, 0, 0, &col), 0);
	cr_assert_eq(col.n, PAYLOAD_SIZE);
	cr_assert_eq(memcmp(col.out, F.payload, PAYLOAD_SIZE), 0);
	memset(&col, 0, sizeof(col));
	cr_assert_eq(verify_mem(F.gz, F.gz_len, 0, 0, &col), 0);
	cr_assert_eq(memcmp(col.out, F.payload, PAYLOAD_SIZE), 0);
}

/* The exhaustive loops below run every offset in make check-long
 * (FWSEAL_LONG=1); make check takes every 7th offset and every byte near a
 * 512-byte block boundary and near both ends, where the parser's states
 * change. */
static int sampled(size_t i, size_t len)
{
	return i % 7 == 0 || i % 512 < 3 || i % 512 > 508 || i < 1024 || i + 1024 > len;
}

static void split_everywhere(int every)
{
	for (size_t s = 0; s <= F.plain_len; s++)
		if (every || sampled(s, F.plain_len))
			cr_assert_eq(verify_mem(F.plain, F.plain_len, 0, s, NULL), 0, "split at %zu", s);
}

Test(bundle_stream, input_split_at_sampled_offsets_plain)
{
	split_everywhere(0);
}

Test(bundle_stream, input_split_at_every_offset_plain_long)
{
	if (!test_long_enabled())
		cr_skip_test("every offset: FWSEAL_LONG=1 (make check-long)");
	split_everywhere(1);
}

Test(bundle_stream, input_split_at_every_offset_gzip)
{
	for (size_t s = 0; s <= F.gz_len; s++) {
		struct collect col = {0};
		cr_assert_eq(verify_mem(F.gz, F.gz_len, 0, s, &col), 0, "split at %zu", s);
		cr_assert_eq(col.n, PAYLOAD_SIZE);
	}
}

Test(bundle_stream, one_byte_reads)
{
	struct collect col = {0};
	cr_assert_eq(verify_mem(F.plain, F.plain_len, 1, 0, &col), 0);
	cr_assert_eq(memcmp(col.out, F.payload, PAYLOAD_SIZE), 0);
	cr_assert_eq(verify_mem(F.gz, F.gz_len, 1, 0, NULL), 0);
	cr_assert_eq(verify_mem(F.plain, F.plain_len, 511, 0, NULL), 0);
}

/* Everything up to the end-of-archive marker (two zero blocks) is needed;
 * after it only the zero padding of the last 10240-byte record may be cut,
 * in whole blocks, as tar itself allows. */
static void truncate_everywhere(int every)
{
	size_t last = F.plain_len;
	while (last > 0 && F.plain[last - 1] == 0)
		last--;
	size_t marker_end = (last + 511) / 512 * 512 + 1024;
	for (size_t t = 0; t < F.plain_len; t++) {
		if (!every && !sampled(t, F.plain_len))
			continue;
		int rc = verify_mem(F.plain, t, 0, 0, NULL);
		if (t < marker_end || t % 512 != 0)
			cr_assert_neq(rc, 0, "truncated to %zu", t);
		else
			cr_assert_eq(rc, 0, "cut record padding at %zu", t);
	}
	for (size_t t = 0; t < F.gz_len; t++)
		if (every || sampled(t, F.gz_len))
			cr_assert_neq(verify_mem(F.gz, t, 0, 0, NULL), 0, "gz truncated to %zu", t);
}

Test(bundle_stream, truncation_at_sampled_offsets_refused)
{
	truncate_everywhere(0);
}

Test(bundle_stream, truncation_at_every_offset_refused_long)
{
	if (!test_long_enabled())
		cr_skip_test("every offset: FWSEAL_LONG=1 (make check-long)");
	truncate_everywhere(1);
}

/* A flipped bit is either refused or falls in bytes nobody signs and that
 * change nothing (envelope whitespace, tar metadata checksummed but
 * ignored) — then the released payload must be the original, exactly. */
static void flip_everywhere(int every)
{
	uint8_t *copy = malloc(F.plain_len);
	size_t accepted = 0;
	for (size_t i = 0; i < F.plain_len; i++) {
		if (!every && !sampled(i, F.plain_len))
			continue;
		memcpy(copy, F.plain, F.plain_len);
		copy[i] ^= 0x01;
		struct collect col = {0};
		int rc = verify_mem(copy, F.plain_len, 0, 0, &col);
		if (rc == 0) {
			accepted++;
			cr_assert_eq(col.n, PAYLOAD_SIZE);
			cr_assert_eq(memcmp(col.out, F.payload, PAYLOAD_SIZE), 0, "flip at %zu", i);
		} else {
			cr_assert_lt(rc, 0);
		}
	}
	/* What stays accepted is unsigned envelope framing only; it must be
	 * rare. */
	cr_assert_lt(accepted, 64, "%zu of %zu flips accepted", accepted, F.plain_len);
	free(copy);
}

Test(bundle_stream, sampled_flipped_bits_refused_or_harmless)
{
	flip_everywhere(0);
}

Test(bundle_stream, every_flipped_bit_refused_or_harmless_long)
{
	if (!test_long_enabled())
		cr_skip_test("every bit: FWSEAL_LONG=1 (make check-long)");
	flip_everywhere(1);
}

Test(bundle_stream, tampered_chunk_never_reaches_sink)
{
	uint8_t *copy = malloc(F.plain_len);
	memcpy(copy, F.plain, F.plain_len);
	/* The payload is the last entry: its data starts at end - record
	 * padding; find it by searching for the original bytes. */
	uint8_t *p = memmem(copy, F.plain_len, F.payload, 64);
	cr_assert_not_null(p);
	p[CHUNK + 5] ^= 0x80; /* inside the second chunk */
	struct collect col = {0};
	cr_assert_eq(verify_mem(copy, F.plain_len, 0, 0, &col), FWS_EDIGEST);
	cr_assert_eq(col.n, CHUNK, "only the first, verified chunk was released");
	cr_assert_eq(memcmp(col.out, F.payload, CHUNK), 0);
	free(copy);
}

Test(bundle_stream, trailing_garbage_refused)
{
	uint8_t *copy = malloc(F.plain_len + 512);
	memcpy(copy, F.plain, F.plain_len);
	copy[F.plain_len] = 'x';
	cr_assert_eq(verify_mem(copy, F.plain_len + 1, 0, 0, NULL), FWS_ETRAILING);
	memset(copy + F.plain_len, 0, 512); /* zeros beyond the last record */
	cr_assert_eq(verify_mem(copy, F.plain_len + 512, 0, 0, NULL), FWS_ETRAILING);
	free(copy);
}

Test(bundle_stream, concatenated_gzip_member_refused)
{
	uint8_t *copy = malloc(2 * F.gz_len);
	memcpy(copy, F.gz, F.gz_len);
	memcpy(copy + F.gz_len, F.gz, F.gz_len);
	cr_assert_eq(verify_mem(copy, 2 * F.gz_len, 0, 0, NULL), FWS_ETRAILING);
	free(copy);
}

Test(bundle_stream, sink_error_propagates)
{
	struct collect col = {0};
	col.fail_write = 1;
	cr_assert_eq(verify_mem(F.plain, F.plain_len, 0, 0, &col), FWS_EIO);
}

static int verify_with_root(const struct fws_root *trusted)
{
	struct mem_reader r = {F.plain, F.plain_len, 0, 0, 0};
	struct fws_verify_opts o;
	static struct fws_verify_result res;
	memset(&o, 0, sizeof(o));
	o.trusted_root = trusted;
	return fws_bundle_verify(mem_read, &r, &o, NULL, &res);
}

/* The device trusts other keys: the bundle's root v1 is not signed by them. */
Test(bundle_stream, bundle_from_other_trust_domain_refused)
{
	struct fws_root other = F.root;
	struct test_key k;
	test_key_make(&k, 9);
	memcpy(other.keys[0].keyid, k.keyid, 32);
	memcpy(other.keys[0].public_key, k.pk, 32);
	memcpy(other.roles[FWS_ROLE_ROOT].keyids[0], k.keyid, 32);
	cr_assert_eq(verify_with_root(&other), FWS_EUNTRUSTED);
}

/* Same root key, but the device's v1 names another release key: the carried
 * v1 is not the device's v1, so the bundle cannot be for this device. */
Test(bundle_stream, carried_root_differs_from_trusted_same_version)
{
	struct fws_root other = F.root;
	struct test_key k;
	test_key_make(&k, 9);
	memcpy(other.keys[1].keyid, k.keyid, 32);
	memcpy(other.keys[1].public_key, k.pk, 32);
	memcpy(other.roles[FWS_ROLE_RELEASE].keyids[0], k.keyid, 32);
	cr_assert_eq(verify_with_root(&other), FWS_EROOTMISMATCH);
}

/* A chain carried out of order (v2 before v1) is an archive-structure
 * error, never silently reordered; in order, the device's root advances. */
static uint8_t *bundle_with_roots(const uint64_t *versions, size_t *len)
{
	struct fws_root r2 = F.root;
	const struct test_key *root_signers[] = {&F.root_key};
	const struct test_key *release_signers[] = {&F.release_key};
	size_t l1, l2;
	r2.version = 2;
	char *j1 = test_root_json(&F.root, root_signers, 1, &l1);
	char *j2 = test_root_json(&r2, root_signers, 1, &l2);
	const char *roots[2];
	for (int i = 0; i < 2; i++)
		roots[i] = versions[i] == 1 ? j1 : j2;
	struct test_payload p = {"fw.bin", "rootfs", F.payload, PAYLOAD_SIZE, CHUNK};
	struct test_release rel = {"1.0.0", 1, "test-hw", 0, &p, 1, release_signers, 1,
				   roots, versions, 2, 0};
	uint8_t *data = test_bundle_build(&rel, len);
	free(j1);
	free(j2);
	return data;
}

Test(bundle_stream, root_chain_out_of_order_refused)
{
	const uint64_t wrong[] = {2, 1}, right[] = {1, 2};
	size_t len;
	static struct fws_verify_result res;
	struct fws_verify_opts o;
	memset(&o, 0, sizeof(o));
	o.trusted_root = &F.root;

	uint8_t *b = bundle_with_roots(wrong, &len);
	struct mem_reader r = {b, len, 0, 0, 0};
	cr_assert_eq(fws_bundle_verify(mem_read, &r, &o, NULL, &res), FWS_EENTRY);
	free(b);

	b = bundle_with_roots(right, &len);
	struct mem_reader r2 = {b, len, 0, 0, 0};
	cr_assert_eq(fws_bundle_verify(mem_read, &r2, &o, NULL, &res), 0);
	cr_assert(res.root_advanced);
	cr_assert_eq(res.root.version, 2);
	free(b);
}

/* The ustar checksum as the writer spells it (six digits, NUL, space), so
 * an edited header gets past the checksum to the check it is about. */
static void fix_header_checksum(uint8_t *h)
{
	unsigned sum = 0;
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Rewrites a header's mtime and fixes its checksum, as an attacker would. */
static void set_header_mtime(uint8_t *h, const char *octal11)
{
	memcpy(h + 136, octal11, 11);
	fix_header_checksum(h);
}

/* Header metadata is pinned: a tar mtime that differs from the signed
 * `created` is unsigned data that could vary, so it is refused. */
Test(bundle_stream, unsigned_tar_mtime_changed_refused)
{
	uint8_t *copy = malloc(F.plain_len);
	memcpy(copy, F.plain, F.plain_len);
	uint8_t *h = memmem(copy, F.plain_len, "payloads/fw.bin", 15);
	cr_assert_not_null(h);
	set_header_mtime(h, "00000012345");
	cr_assert_eq(verify_mem(copy, F.plain_len, 0, 0, NULL), FWS_EFORMAT);
	/* every entry changed alike still differs from `created` */
	memcpy(copy, F.plain, F.plain_len);
	for (uint8_t *p = copy; p + 512 <= copy + F.plain_len; p += 512)
		if (memcmp(p + 257, "ustar", 5) == 0)
			set_header_mtime(p, "00000012345");
	cr_assert_eq(verify_mem(copy, F.plain_len, 0, 0, NULL), FWS_EFORMAT);
	free(copy);
}

/* ---- One spelling of every header byte (docs/format.md §3.2, ADR-023) ----
 * The same values in another spelling: every tar reader sees the same
 * archive, yet the bytes differ (two "identical" releases, or room for
 * unsigned data). Each was accepted before the reader compared whole
 * blocks with the writer's rendering. */

#define CREATED_DEFAULT 1767225600ll /* test_bundle_build's `created` */
#define Y2039 2200000000ll

enum respelling {
	SIZE_12_DIGITS,
	SIZE_10_DIGITS,
	SIZE_NUL_TERMINATOR,
	MODE_7_DIGITS_NUL,
	UID_EXTRA_LEADING_ZERO,
	CHKSUM_7_DIGITS,
	MTIME_12_DIGITS,
	MTIME_NUL_TERMINATOR,
	PREFIX_NAME_SPLIT,
	TYPEFLAG_NUL,
	N_RESPELLINGS
};

static const char *const respelling_name[N_RESPELLINGS] = {
	"size with 12 digits", "size with 10 digits", "size ending in NUL",
	"mode \"0000644\\0\"", "uid with an extra leading zero", "chksum with 7 digits",
	"mtime with 12 digits", "mtime ending in NUL", "prefix + name split of payloads/fw.bin",
	"typeflag NUL",
};

/* Re-spells one field of header h (same value) and fixes the checksum. */
static void respell(uint8_t *h, enum respelling r)
{
	char f[16];
	unsigned sum = 0;
	switch (r) {
	case SIZE_12_DIGITS:
		snprintf(f, sizeof(f), "%012o", PAYLOAD_SIZE);
		memcpy(h + 124, f, 12);
		break;
	case SIZE_10_DIGITS:
		snprintf(f, sizeof(f), "%010o ", PAYLOAD_SIZE); /* and a NUL */
		memcpy(h + 124, f, 12);
		break;
	case SIZE_NUL_TERMINATOR:
		snprintf(f, sizeof(f), "%011o", PAYLOAD_SIZE);
		memcpy(h + 124, f, 12);
		break;
	case MODE_7_DIGITS_NUL:
		memcpy(h + 100, "0000644", 8);
		break;
	case UID_EXTRA_LEADING_ZERO:
		memcpy(h + 108, "0000000", 8);
		break;
	case CHKSUM_7_DIGITS: /* the right sum, other digits: not re-fixed */
		memset(h + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%07o", sum);
		return;
	case MTIME_12_DIGITS:
		snprintf(f, sizeof(f), "%012llo", (unsigned long long)CREATED_DEFAULT);
		memcpy(h + 136, f, 12);
		break;
	case MTIME_NUL_TERMINATOR:
		snprintf(f, sizeof(f), "%011llo", (unsigned long long)CREATED_DEFAULT);
		memcpy(h + 136, f, 12);
		break;
	case PREFIX_NAME_SPLIT:
		memset(h, 0, 100);
		memcpy(h, "fw.bin", 6);
		memcpy(h + 345, "payloads", 8);
		break;
	case TYPEFLAG_NUL:
		h[156] = '\0';
		break;
	default:
		cr_assert_fail("unknown re-spelling");
	}
	fix_header_checksum(h);
}

Test(bundle_stream, header_fields_respelled_refused)
{
	uint8_t *copy = malloc(F.plain_len);
	cr_assert_eq(verify_mem(F.plain, F.plain_len, 0, 0, NULL), 0, "the control verifies");
	for (int r = 0; r < N_RESPELLINGS; r++) {
		memcpy(copy, F.plain, F.plain_len);
		uint8_t *h = memmem(copy, F.plain_len, "payloads/fw.bin", 16);
		cr_assert_not_null(h);
		respell(h, (enum respelling)r);
		cr_assert_neq(memcmp(copy, F.plain, F.plain_len), 0);
		cr_assert_eq(verify_mem(copy, F.plain_len, 0, 0, NULL), FWS_EFORMAT, "%s",
			     respelling_name[r]);
	}
	free(copy);
}

/* A bundle packed in 2039: libarchive writes a pax header with one record,
 * "20 mtime=2200000000\n", before every entry. The root must outlive it. */
static struct fws_root root_2039;

static uint8_t *build_bundle_2039(int gzip, size_t *len)
{
	const struct test_key *root_signers[] = {&F.root_key};
	const struct test_key *release_signers[] = {&F.release_key};
	size_t root_len;
	root_2039 = F.root;
	root_2039.expires = Y2039 + 86400 * 365;
	char *root_json = test_root_json(&root_2039, root_signers, 1, &root_len);
	const char *roots[] = {root_json};
	const uint64_t versions[] = {1};
	struct test_payload p = {"fw.bin", "rootfs", F.payload, PAYLOAD_SIZE, CHUNK};
	struct test_release rel = {"1.0.0", 1, "test-hw", Y2039, &p, 1, release_signers, 1,
				   roots, versions, 1, gzip};
	uint8_t *data = test_bundle_build(&rel, len);
	free(root_json);
	return data;
}

static int verify_2039(const uint8_t *data, size_t len, struct collect *col)
{
	struct mem_reader r = {data, len, 0, 0, 0};
	struct fws_verify_opts o;
	struct fws_sink sink = {col, NULL, col_write, NULL, NULL};
	static struct fws_verify_result res;
	memset(&o, 0, sizeof(o));
	o.trusted_root = &root_2039;
	return fws_bundle_verify(mem_read, &r, &o, col ? &sink : NULL, &res);
}

Test(bundle_stream, y2039_bundle_verifies)
{
	size_t len, gz_len, n_pax = 0;
	uint8_t *plain = build_bundle_2039(0, &len), *gz = build_bundle_2039(1, &gz_len);
	struct collect col = {0};
	cr_assert_eq(verify_2039(plain, len, &col), 0);
	cr_assert_eq(col.n, PAYLOAD_SIZE);
	cr_assert_eq(memcmp(col.out, F.payload, PAYLOAD_SIZE), 0);
	memset(&col, 0, sizeof(col));
	cr_assert_eq(verify_2039(gz, gz_len, &col), 0);
	cr_assert_eq(memcmp(col.out, F.payload, PAYLOAD_SIZE), 0);
	/* What the writer emits: an x header before each of the 4 entries. */
	for (size_t off = 0; off + 512 <= len; off += 512)
		if (memcmp(plain + off + 257, "ustar", 6) == 0 && plain[off + 156] == 'x') {
			cr_assert_eq(memcmp(plain + off + 512, "20 mtime=2200000000\n", 21), 0);
			n_pax++;
		}
	cr_assert_eq(n_pax, 4);
	cr_assert_not_null(memmem(plain, len, "payloads/PaxHeader/fw.bin", 26));
	free(plain);
	free(gz);
}

/* Edits the payload's pax header (x header and data block) in a copy. */
static uint8_t *edit_2039_pax(size_t *len, uint8_t **x)
{
	uint8_t *b = build_bundle_2039(0, len);
	*x = memmem(b, *len, "payloads/PaxHeader/fw.bin", 26);
	cr_assert_not_null(*x);
	cr_assert_eq(verify_2039(b, *len, NULL), 0, "the control verifies");
	return b;
}

/* Without its pax header the entry still says the same (the ustar mtime
 * holds 2039 in 11 digits), but the writer always writes it. */
Test(bundle_stream, y2039_pax_header_dropped_refused)
{
	size_t len;
	uint8_t *x, *b = edit_2039_pax(&len, &x);
	memmove(x, x + 1024, len - (size_t)(x + 1024 - b));
	cr_assert_eq(verify_2039(b, len - 1024, NULL), FWS_EFORMAT);
	free(b);
}

Test(bundle_stream, y2039_pax_header_renamed_refused)
{
	size_t len;
	uint8_t *x, *b = edit_2039_pax(&len, &x);
	memcpy(x, "PaxHeader/payloads/fw.bin", 25);
	fix_header_checksum(x);
	cr_assert_eq(verify_2039(b, len, NULL), FWS_EFORMAT);
	free(b);
}

Test(bundle_stream, y2039_pax_record_respelled_refused)
{
	size_t len;
	uint8_t *x, *b = edit_2039_pax(&len, &x);
	memcpy(x + 512, "21 mtime=02200000000\n", 21); /* leading zero, same time */
	memcpy(x + 124, "00000000025 ", 12);           /* its 21 bytes */
	fix_header_checksum(x);
	cr_assert_eq(verify_2039(b, len, NULL), FWS_EFORMAT);
	free(b);
}

/* The x header's own mtime is the entry's capped at 2^31 - 1. */
Test(bundle_stream, y2039_pax_own_mtime_uncapped_refused)
{
	size_t len;
	uint8_t *x, *b = edit_2039_pax(&len, &x);
	memcpy(x + 136, "20310253000", 11);
	fix_header_checksum(x);
	cr_assert_eq(verify_2039(b, len, NULL), FWS_EFORMAT);
	free(b);
}
