/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-011 */
/* Block-level delta (lib/device/delta_blocks.c, ADR-050, docs/delta.md):
 * the signed block index lets the planner find 4 KiB blocks anywhere in
 * the slots, complete a chunk with Range fetches of only its missing
 * blocks, and check the chunk before the verifier sees it. Through a
 * reader that follows the map and serves ranges as the HTTP reader does,
 * counting every byte it "fetched". */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/sysconf.h"
#include "test_device_helpers.h"

#define BS 4096
#define CS 65536
#define NBLK 256 /* 1 MiB: 16 chunks of 16 blocks */
#define PSIZE (BS * NBLK)

struct range_reader {
	const uint8_t *data;
	size_t len, pos;
	const struct fws_stream_map *map;
	size_t fetched, local, wrong, ranges;
	size_t payload_fetched; /* of the payload's own bytes */
	size_t p_start, p_end;
	void (*before_fill)(void); /* attack hook, once */
	int corrupt_next_range;    /* attack: the next range answer has a byte flipped */
};

static void count(struct range_reader *r, size_t at, size_t n)
{
	size_t a = at > r->p_start ? at : r->p_start, e = at + n < r->p_end ? at + n : r->p_end;
	r->fetched += n;
	if (a < e)
		r->payload_fetched += e - a;
}

static ssize_t rr_read(void *ctx, uint8_t *buf, size_t len)
{
	struct range_reader *r = ctx;
	uint64_t n = 0;
	if (r->pos >= r->len)
		return 0;
	enum fws_map_kind k = r->map ? r->map->lookup(r->map->ctx, r->pos, &n) : FWS_MAP_FETCH;
	if (r->map == NULL || k == FWS_MAP_UNKNOWN)
		n = 4096;
	if (n > len)
		n = len;
	if (n > r->len - r->pos)
		n = r->len - r->pos;
	if (k == FWS_MAP_LOCAL && r->map != NULL) {
		if (r->before_fill != NULL) {
			r->before_fill();
			r->before_fill = NULL;
		}
		int rc = r->map->fill(r->map->ctx, r->pos, buf, (size_t)n);
		if (rc != 0)
			return rc;
		if (memcmp(buf, r->data + r->pos, (size_t)n) != 0)
			r->wrong++;
		r->local += (size_t)n;
	} else {
		memcpy(buf, r->data + r->pos, (size_t)n);
		count(r, r->pos, (size_t)n);
	}
	r->pos += (size_t)n;
	return (ssize_t)n;
}

static int rr_fetch(void *ctx, uint64_t at, uint8_t *buf, size_t len)
{
	struct range_reader *r = ctx;
	if (at > r->len || len > r->len - at)
		return FWS_EREMOTE;
	memcpy(buf, r->data + at, len);
	if (r->corrupt_next_range) {
		buf[len / 2] ^= 0x20;
		r->corrupt_next_range = 0;
	}
	count(r, (size_t)at, len);
	r->ranges++;
	return 0;
}

static void rr_use_map(void *ctx, const struct fws_stream_map *map)
{
	((struct range_reader *)ctx)->map = map;
}

static uint8_t img_a[PSIZE], img_b[PSIZE];

static uint8_t *bundle_of(const uint8_t *img, const char *version, int blocks, size_t *len)
{
	const struct test_key *signers[] = {&TD.release};
	struct test_payload p[] = {{"fw.img", "rootfs", img, PSIZE, CS, blocks},
				   {"k.img", "kernel", TD.kern, sizeof(TD.kern), 4096, blocks}};
	struct test_release rel = {version, 1,	  "test-hw", 0, p, 2,	signers,
				   1,	    NULL, NULL,	     0, 0, NULL};
	return test_bundle_build(&rel, len);
}

/* Where entry `name`'s data lies in the bundle (after its ustar header). */
static size_t entry_data(const uint8_t *data, size_t len, const char *name, size_t *size)
{
	const uint8_t *h = memmem(data, len, name, strlen(name) + 1);
	cr_assert_not_null(h, "%s", name);
	*size = (size_t)strtoull((const char *)h + 124, NULL, 8);
	return (size_t)(h - data) + 512;
}

/* Where fw.img's bytes lie in the bundle: the payload data entry (its
 * ciphertext when the bundle is encrypted). */
static void payload_range(struct range_reader *r)
{
	size_t size;
	r->p_start = entry_data(r->data, r->len, "payloads/fw.img", &size);
	r->p_end = r->p_start + size;
}

static int install_on(struct fws_device *dev, struct range_reader *r, int with_fetch)
{
	static struct fws_verify_result res;
	struct fws_install_opts o = {0};
	o.use_map = rr_use_map;
	o.fetch_range = with_fetch ? rr_fetch : NULL;
	payload_range(r);
	return fws_device_install(dev, rr_read, r, &o, &res);
}

static int install(struct range_reader *r, int with_fetch)
{
	return install_on(&TD.dev, r, with_fetch);
}

/* 4 KiB blocks of img_b found nowhere in img_a at a 4 KiB boundary: what
 * 4 KiB-granular reuse needs (zero blocks are made, never needed). */
static size_t need(void)
{
	size_t n = 0;
	static const uint8_t zero[BS];
	for (size_t b = 0; b < NBLK; b++) {
		int found = memcmp(img_b + b * BS, zero, BS) == 0;
		for (size_t j = 0; j < NBLK && !found; j++)
			found = memcmp(img_b + b * BS, img_a + j * BS, BS) == 0;
		n += found ? 0 : BS;
	}
	return n;
}

static void confirm_img_a(int blocks)
{
	size_t len;
	uint8_t *v1 = bundle_of(img_a, "1.0.0", blocks, &len);
	td_install_confirm(v1, len);
	free(v1);
}

/* A rebuilt file system in small: three blocks deleted early (everything
 * after moves back by 12 KiB: no 64 KiB chunk lines up any more), five new
 * blocks in the middle, one block changed, zero blocks at the end. */
static void rebuild(void)
{
	memcpy(img_b, img_a, 10 * BS);
	memcpy(img_b + 10 * BS, img_a + 13 * BS, 90 * BS);
	td_fill(img_b + 100 * BS, 5 * BS, 99u);
	memcpy(img_b + 105 * BS, img_a + 103 * BS, 140 * BS);
	img_b[200 * BS + 17] ^= 0x40;
	memset(img_b + 245 * BS, 0, 11 * BS);
}

static void setup(void)
{
	td_setup();
	td_fill(img_a, sizeof(img_a), 11u);
}

TestSuite(device_delta_blocks, .init = setup, .fini = td_teardown);

Test(device_delta_blocks, shifted_image_fetches_only_the_new_blocks)
{
	size_t len;
	confirm_img_a(1);
	rebuild();
	uint8_t *v2 = bundle_of(img_b, "1.1.0", 1, &len);
	struct range_reader r = {.data = v2, .len = len};
	int rc = install(&r, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0, "every byte fill() gave is the bundle's byte");
	cr_assert_eq(need(), 6 * BS);
	cr_assert_eq(r.payload_fetched, need(), "fetched %zu of the payload, need %zu",
		     r.payload_fetched, need());
	cr_assert_eq(TD.dev.refetched_chunks, 0);
	/* the five new blocks are one range, the changed one another */
	cr_assert_eq(r.ranges, 2, "%zu range requests", r.ranges);
	char path[160];
	snprintf(path, sizeof(path), "%s/a/rootfs", TD.dir);
	cr_assert(fs_equals(path, img_b, sizeof(img_b)), "set a holds the new image");
	free(v2);
}

/* The same release without a block index (an older bundle): aligned whole
 * chunks only, as before; still correct. */
Test(device_delta_blocks, bundle_without_index_reuses_aligned_chunks_only)
{
	size_t len;
	confirm_img_a(0);
	rebuild();
	uint8_t *v2 = bundle_of(img_b, "1.1.0", 0, &len);
	struct range_reader r = {.data = v2, .len = len};
	int rc = install(&r, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0);
	cr_assert_eq(r.ranges, 0, "no block fetches without an index");
	cr_assert_geq(r.payload_fetched, PSIZE / 2, "fetched %zu", r.payload_fetched);
	char path[160];
	snprintf(path, sizeof(path), "%s/a/rootfs", TD.dir);
	cr_assert(fs_equals(path, img_b, sizeof(img_b)));
	free(v2);
}

/* Without a range fetcher, only chunks the slots hold whole are assembled;
 * the others come with the stream. */
Test(device_delta_blocks, without_range_fetches_partial_chunks_come_whole)
{
	size_t len;
	confirm_img_a(1);
	rebuild();
	uint8_t *v2 = bundle_of(img_b, "1.1.0", 1, &len);
	struct range_reader r = {.data = v2, .len = len};
	int rc = install(&r, 0);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0);
	cr_assert_eq(r.ranges, 0);
	/* chunks 6 (blocks 96..111: the new ones) and 12 (block 200) */
	cr_assert_eq(r.payload_fetched, 2 * CS, "fetched %zu", r.payload_fetched);
	free(v2);
}

/* A block the plan counted on changes before it is read (the effect of a
 * false short-hash match: other bytes than the signed ones): the assembled
 * chunk fails its digest and is fetched whole; the install succeeds. */
static char victim[160];
static void overwrite_victim(void)
{
	int fd = open(victim, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "XXXXXXXX", 8, 150 * BS), 8);
	close(fd);
}

Test(device_delta_blocks, false_block_match_costs_one_chunk_refetch)
{
	size_t len;
	confirm_img_a(1);
	rebuild();
	uint8_t *v2 = bundle_of(img_b, "1.1.0", 1, &len);
	snprintf(victim, sizeof(victim), "%s/b/rootfs", TD.dir);
	struct range_reader r = {.data = v2, .len = len, .before_fill = overwrite_victim};
	int rc = install(&r, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0, "the bad bytes never left the planner");
	cr_assert_eq(TD.dev.refetched_chunks, 1);
	cr_assert_eq(r.payload_fetched, need() + CS, "fetched %zu", r.payload_fetched);
	char path[160];
	snprintf(path, sizeof(path), "%s/a/rootfs", TD.dir);
	cr_assert(fs_equals(path, img_b, sizeof(img_b)));
	free(v2);
}

/* The verifier refuses a block index that does not match the signed
 * sha256-blocks before the planner may use it. */
/* req: REQ-FMT-010 */
Test(device_delta_blocks, tampered_index_is_refused_before_planning)
{
	size_t len;
	confirm_img_a(1);
	rebuild();
	uint8_t *v2 = bundle_of(img_b, "1.1.0", 1, &len);
	/* The index sits right before the payload's header: its last entry
	 * is the last 8 bytes before the padding. */
	struct range_reader r = {.data = v2, .len = len};
	payload_range(&r);
	size_t idx_end = r.p_start - 512 - (512 - (NBLK * 8) % 512) % 512;
	v2[idx_end - 1] ^= 1;
	int rc = install(&r, 1);
	cr_assert_eq(rc, FWS_EDIGEST, "%s", fws_errname(rc));
	cr_assert(strstr(fws_diag_last()->where, "blocks/fw.img") != NULL, "%s",
		  fws_diag_last()->where);
	cr_assert_eq(r.local, 0, "nothing was planned from it");
	cr_assert_eq(td_status().state.pending_slot, '-');
	free(v2);
}

/* ---- in place: a configured device whose slots are regions of a file ---- */

static char disk[160];
static struct fws_sysconf conf;
static struct fws_sys_backend sysb;
static struct fws_device sysdev;

/* Set a (confirmed, empty: zeros) and set b, whose rootfs region holds
 * img_a as an interrupted install would have left it; b is written in
 * place by the next install. */
static void raw_open_with_img_a_in_b(void)
{
	char text[2048], root[160];
	snprintf(disk, sizeof(disk), "%s/disk.img", TD.base);
	snprintf(root, sizeof(root), "%s/etc", TD.base);
	cr_assert_eq(mkdir(root, 0755), 0);
	int fd = open(disk, O_RDWR | O_CREAT | O_EXCL, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 2 * PSIZE + 2 * 4096), 0);
	cr_assert_eq(pwrite(fd, img_a, PSIZE, PSIZE), PSIZE);
	close(fd);
	snprintf(text, sizeof(text),
		 "[system]\nhardware-id = test-hw\ntrusted-root = %s/root.json\n"
		 "state-dir = %s/state\nbootloader = dir\n"
		 "[slot.r0]\nclass = rootfs\ndevice = %s\noffset = 0\nsize = %d\nbootname = A\n"
		 "[slot.r1]\nclass = rootfs\ndevice = %s\noffset = %d\nsize = %d\nbootname = B\n"
		 "[slot.k0]\nclass = kernel\ndevice = %s\noffset = %d\nsize = 4096\nbootname = A\n"
		 "[slot.k1]\nclass = kernel\ndevice = %s\noffset = %d\nsize = 4096\nbootname = B\n",
		 root, TD.base, disk, PSIZE, disk, PSIZE, PSIZE, disk, 2 * PSIZE, disk,
		 2 * PSIZE + 4096);
	int rc = fws_sysconf_parse(text, strlen(text), "system.conf", &conf);
	cr_assert_eq(rc, 0, "%s", fws_diag_last()->why);
	rc = fws_sysconf_device_open(&sysdev, &sysb, &conf, NULL, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_diag_last()->where, fws_diag_last()->why);
	rc = fws_device_provision(&sysdev, (uint8_t *)TD.r1_json, strlen(TD.r1_json), "test-hw",
				  NULL, NULL);
	cr_assert_eq(rc, 0);
}

/* The new image is the old one moved back by one block: wanted block b is
 * old block b - 1. In the set being overwritten in place, the first block
 * of every chunk lies in the chunk before, already overwritten when it is
 * needed: exactly those are fetched (and chunk 0's new first block), all
 * others reused; no chunk needed a refetch, so none was planned from an
 * overwritten block. */
Test(device_delta_blocks, in_place_never_takes_a_block_it_already_overwrote)
{
	size_t len;
	raw_open_with_img_a_in_b();
	memcpy(img_b + BS, img_a, PSIZE - BS);
	td_fill(img_b, BS, 5u);
	uint8_t *v = bundle_of(img_b, "1.0.0", 1, &len);
	struct range_reader r = {.data = v, .len = len};
	int rc = install_on(&sysdev, &r, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0);
	cr_assert_eq(sysdev.refetched_chunks, 0);
	cr_assert_eq(r.payload_fetched, (size_t)(PSIZE / CS) * BS, "fetched %zu",
		     r.payload_fetched);
	uint8_t *got = malloc(PSIZE);
	int fd = open(disk, O_RDONLY);
	cr_assert_eq(pread(fd, got, PSIZE, PSIZE), PSIZE);
	close(fd);
	cr_assert(memcmp(got, img_b, PSIZE) == 0, "set b holds the new image");
	free(got);
	fws_sysconf_device_close(&sysb);
	free(v);
}

/* ---- encrypted (ADR-087): the same planner through the keyed index ---- */

#include <sodium.h>
#include <sys/stat.h>

#include "bundle/age_internal.h"

#define PIECE (CS + 16) /* a 64 KiB signed chunk of ciphertext */

static struct fws_recipient enc_to;
static struct fws_identity *enc_id;

/* The device gets a decryption key; enc_to is its recipient. */
static void enc_device(void)
{
	uint8_t sk[32], pk[32];
	char text[128], path[160];
	randombytes_buf(sk, sizeof(sk));
	cr_assert_eq(fws_bech32_encode("AGE-SECRET-KEY-", sk, 32, 1, text, sizeof(text)), 0);
	snprintf(path, sizeof(path), "%s/dev.key", TD.base);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", text);
	fclose(f);
	cr_assert_eq(chmod(path, 0600), 0);
	cr_assert_eq(fws_identity_open(path, &enc_id), 0, "%s", fws_diag_last()->why);
	TD.dev.decryption = enc_id;
	cr_assert_eq(crypto_scalarmult_base(pk, sk), 0);
	cr_assert_eq(fws_bech32_encode("age", pk, 32, 0, text, sizeof(text)), 0);
	cr_assert_eq(fws_recipient_parse(text, &enc_to), 0);
}

static void enc_teardown(void)
{
	TD.dev.decryption = NULL;
	fws_identity_close(enc_id);
	enc_id = NULL;
	td_teardown();
}

static uint8_t *enc_bundle_of(const uint8_t *img, size_t *len)
{
	const struct test_key *signers[] = {&TD.release};
	struct test_payload p[] = {{"fw.img", "rootfs", img, PSIZE, CS, 1},
				   {"k.img", "kernel", TD.kern, sizeof(TD.kern), CS, 1}};
	struct test_release rel = {"1.1.0", 1, "test-hw", 0, p, 2, signers, 1, NULL,
				   NULL,    0, 0,	  NULL,	     NULL, NULL, &enc_to};
	return test_bundle_build(&rel, len);
}

/* A device that holds img_a (plaintext, confirmed) and the key; the
 * release of img_b rebuilt, encrypted to it. */
static uint8_t *enc_start(size_t *len)
{
	confirm_img_a(1);
	rebuild();
	enc_device();
	return enc_bundle_of(img_b, len);
}

static void assert_set_a_holds_img_b(void)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/a/rootfs", TD.dir);
	cr_assert(fs_equals(path, img_b, sizeof(img_b)), "set a holds the new plaintext");
}

TestSuite(device_delta_encrypted, .init = setup, .fini = enc_teardown);

/* The keyed hints find the shifted blocks as the public index does: only
 * the ciphertext of the six new blocks is fetched (no run crosses a STREAM
 * chunk's tag), in two ranges, and every byte the map supplies is the
 * bundle's ciphertext byte. */
/* req: REQ-ENC-004 */
Test(device_delta_encrypted, shifted_image_fetches_only_the_new_blocks_ciphertext)
{
	size_t len;
	uint8_t *v2 = enc_start(&len);
	struct range_reader r = {.data = v2, .len = len};
	int rc = install(&r, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0, "every byte fill() gave is the bundle's byte");
	cr_assert_eq(r.payload_fetched, need(), "fetched %zu of the ciphertext, need %zu",
		     r.payload_fetched, need());
	cr_assert_eq(r.ranges, 2, "%zu range requests", r.ranges);
	cr_assert_eq(TD.dev.refetched_chunks, 0);
	assert_set_a_holds_img_b();
	free(v2);
}

/* A slot block changes after the plan (as a false hint would): the
 * re-encrypted chunk is not its signed ciphertext, so the signed piece is
 * fetched whole; nothing else is. */
/* req: REQ-ENC-004 */
Test(device_delta_encrypted, false_hint_match_costs_one_piece_refetch)
{
	size_t len;
	uint8_t *v2 = enc_start(&len);
	snprintf(victim, sizeof(victim), "%s/b/rootfs", TD.dir);
	struct range_reader r = {.data = v2, .len = len, .before_fill = overwrite_victim};
	int rc = install(&r, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0, "the changed bytes never left the planner");
	cr_assert_eq(TD.dev.refetched_chunks, 1);
	cr_assert_eq(r.payload_fetched, need() + PIECE, "fetched %zu", r.payload_fetched);
	assert_set_a_holds_img_b();
	free(v2);
}

/* The server answers one block range with a byte changed: the plaintext
 * made from it without a tag only ever sits in the planner's buffer; the
 * chunk fails its re-encryption check and the signed piece is fetched. */
/* req: REQ-ENC-004 */
Test(device_delta_encrypted, server_changing_a_fetched_block_costs_one_piece_refetch)
{
	size_t len;
	uint8_t *v2 = enc_start(&len);
	struct range_reader r = {.data = v2, .len = len, .corrupt_next_range = 1};
	int rc = install(&r, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0, "the changed ciphertext never reached the verifier");
	cr_assert_eq(TD.dev.refetched_chunks, 1);
	assert_set_a_holds_img_b();
	free(v2);
}

/* Without a range fetcher only the chunks the slots hold whole are made;
 * chunks 6 and 12 come with the stream as signed pieces. */
/* req: REQ-ENC-004 */
Test(device_delta_encrypted, without_range_fetches_partial_chunks_come_whole)
{
	size_t len;
	uint8_t *v2 = enc_start(&len);
	struct range_reader r = {.data = v2, .len = len};
	int rc = install(&r, 0);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0);
	cr_assert_eq(r.ranges, 0);
	cr_assert_eq(r.payload_fetched, 2 * PIECE, "fetched %zu", r.payload_fetched);
	assert_set_a_holds_img_b();
	free(v2);
}

/* The encrypted index is checked against the signed plain_blocks before
 * the device decrypts it or plans anything with it. */
/* req: REQ-ENC-004 */
Test(device_delta_encrypted, tampered_keyed_index_is_refused_before_planning)
{
	size_t len, size;
	uint8_t *v2 = enc_start(&len);
	size_t at = entry_data(v2, len, "plain/fw.img", &size);
	v2[at + size / 2] ^= 1;
	struct range_reader r = {.data = v2, .len = len};
	int rc = install(&r, 1);
	cr_assert_eq(rc, FWS_EDIGEST, "%s", fws_errname(rc));
	cr_assert(strstr(fws_diag_last()->where, "plain/fw.img") != NULL, "%s",
		  fws_diag_last()->where);
	cr_assert_eq(r.local, 0, "nothing was planned from it");
	cr_assert_eq(td_status().state.pending_slot, '-');
	free(v2);
}
