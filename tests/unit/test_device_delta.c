/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-009 */
/* Chunk-level delta (lib/device/delta.c, docs/delta.md) and the payload
 * layout it plans with (lib/bundle/layout.c, format.md §3.5), through a
 * reader that follows the map as the HTTP reader does but counts what it
 * "fetched" and checks every byte the map said it could supply. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/sysconf.h"
#include "test_device_helpers.h"

#define CS 4096
#define NCHUNKS 48
#define PSIZE (CS * NCHUNKS - 100)

/* A reader over a bundle in memory that obeys the map: fetched bytes are
 * copied, local ones come from fill() and are compared with the truth. */
struct map_reader {
	const uint8_t *data;
	size_t len, pos;
	const struct fws_stream_map *map;
	size_t fetched, local, wrong;
	void (*before_fill)(struct map_reader *r); /* attack hook, once */
};

static ssize_t map_read(void *ctx, uint8_t *buf, size_t len)
{
	struct map_reader *r = ctx;
	uint64_t n = 0;
	if (r->pos >= r->len)
		return 0;
	size_t left = r->len - r->pos;
	enum fws_map_kind k = r->map ? r->map->lookup(r->map->ctx, r->pos, &n) : FWS_MAP_FETCH;
	if (r->map == NULL || k == FWS_MAP_UNKNOWN)
		n = 4096;
	if (n > len)
		n = len;
	if (n > left)
		n = left;
	if (k == FWS_MAP_LOCAL && r->map != NULL) {
		if (r->before_fill != NULL) {
			r->before_fill(r);
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
		r->fetched += (size_t)n;
	}
	r->pos += (size_t)n;
	return (ssize_t)n;
}

static void use_map(void *ctx, const struct fws_stream_map *map)
{
	((struct map_reader *)ctx)->map = map;
}

static uint8_t img_a[PSIZE], img_b[PSIZE];

static uint8_t *bundle_of(const uint8_t *img, const char *version, int gzip, int64_t created,
			  size_t *len)
{
	const struct test_key *signers[] = {&TD.release};
	struct test_payload p[] = {{"fw.img", "rootfs", img, PSIZE, CS},
				   {"k.img", "kernel", TD.kern, sizeof(TD.kern), CS}};
	struct test_release rel = {version, 1,	  "test-hw", created, p, 2, signers, 1,
				   NULL,    NULL, 0,	     gzip,    NULL};
	return test_bundle_build(&rel, len);
}

/* 1.0.0 of img_a installed into set b, booted and confirmed: the running
 * set a delta reuses from. */
static void confirm_img_a(void)
{
	size_t len;
	uint8_t *v1 = bundle_of(img_a, "1.0.0", 0, 0, &len);
	td_install_confirm(v1, len);
	free(v1);
}

static int delta_install(struct fws_device *dev, struct map_reader *r)
{
	static struct fws_verify_result res;
	struct fws_install_opts o = {0};
	o.use_map = use_map;
	return fws_device_install(dev, map_read, r, &o, &res);
}

static void setup(void)
{
	td_setup();
	td_fill(img_a, sizeof(img_a), 7u);
}

TestSuite(device_delta, .init = setup, .fini = td_teardown);

/* Every offset fws_bundle_layout gives is where the writer put it: before
 * and after 2038 (a pax header on every entry), for empty, block-sized
 * and odd payloads. */
Test(device_delta, layout_is_where_the_writer_put_every_payload)
{
	static uint8_t data[3 * 4096 + 7];
	td_fill(data, sizeof(data), 99u);
	const size_t sizes[] = {0, 1, 511, 512, 513, sizeof(data)};
	const int64_t times[] = {1767225600, 2200000000};
	for (size_t t = 0; t < 2; t++) {
		for (size_t s = 0; s < 6; s++) {
			const struct test_key *signers[] = {&TD.release};
			struct test_payload p[] = {{"one", "rootfs", data, sizes[s], CS},
						   {"two", "kernel", data, sizes[(s + 3) % 6], CS}};
			struct test_release rel = {"1.0.0", 1,	  "test-hw", times[t], p, 2, signers,
						   1,	    NULL, NULL,	     0,	       0, NULL};
			size_t len;
			uint8_t *b = test_bundle_build(&rel, &len);
			struct mem_reader mr = {b, len, 0, 0, 0};
			struct fws_verify_result *res = calloc(1, sizeof(*res));
			struct fws_root root = TD.r1;
			root.expires = 4000000000; /* past the 2200000000 bundles */
			struct fws_verify_opts vo = {&root, {"test-hw", 0, 0, NULL, 0}, 0};
			int vrc = fws_bundle_verify(mem_read, &mr, &vo, NULL, res);
			cr_assert_eq(vrc, 0, "t %zu s %zu: %s", t, s, fws_errname(vrc));
			for (size_t i = 0; i < 2; i++) {
				struct fws_payload_layout l;
				cr_assert_eq(fws_bundle_layout(&res->manifest, res->payloads_offset, i, &l),
					     0);
				char name[32];
				snprintf(name, sizeof(name), "chunks/%s", i ? "two" : "one");
				/* after 2038 the entry starts with its pax header */
				size_t hdr = times[t] >= 2147483647 ? 1024 : 0;
				cr_assert_str_eq((const char *)b + l.entry + hdr, name);
				cr_assert_eq(memcmp(b + l.data, data, p[i].size), 0, "size %zu", p[i].size);
				cr_assert_eq(l.end % 512, 0);
			}
			struct fws_payload_layout last;
			cr_assert_eq(fws_bundle_layout(&res->manifest, res->payloads_offset, 1, &last), 0);
			for (size_t k = 0; k < 1024; k++)
				cr_assert_eq(b[last.end + k], 0, "the end blocks follow the last payload");
			cr_assert_eq(fws_bundle_layout(&res->manifest, res->payloads_offset, 2, &last),
				     FWS_EUSAGE);
			free(res);
			free(b);
		}
	}
}

Test(device_delta, only_the_changed_chunks_are_fetched)
{
	size_t len2;
	confirm_img_a();
	memcpy(img_b, img_a, sizeof(img_b));
	img_b[5 * CS + 9] ^= 1;
	img_b[40 * CS] ^= 1;
	uint8_t *v2 = bundle_of(img_b, "1.1.0", 0, 0, &len2);
	struct map_reader r = {v2, len2, 0, NULL, 0, 0, 0, NULL};
	int rc = delta_install(&TD.dev, &r);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0, "every reused byte is the bundle's byte");
	/* 46 rootfs chunks and the whole kernel come from set b (running) */
	cr_assert_eq(r.local, PSIZE - 2 * (size_t)CS + sizeof(TD.kern), "local %zu fetched %zu",
		     r.local, r.fetched);
	cr_assert_eq(TD.dev.reused_bytes, r.local);
	/* and the fetched rest: the two chunks, the manifest, chunk lists,
	 * headers and the end blocks with the record's padding (< 11 KiB) */
	cr_assert_lt(r.fetched, 2 * CS + 16384, "fetched %zu", r.fetched);
	char path[160];
	snprintf(path, sizeof(path), "%s/a/rootfs", TD.dir);
	cr_assert(fs_equals(path, img_b, sizeof(img_b)), "set a holds the new image");
	free(v2);
}

/* The slot a chunk would be reused from changes after the plan: the
 * verifier sees other bytes than the signed ones and the install fails;
 * nothing becomes pending. */
static char victim[160];
static void overwrite_victim(struct map_reader *r)
{
	(void)r;
	int fd = open(victim, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "XXXXXXXX", 8, 3 * CS), 8);
	close(fd);
}

Test(device_delta, slot_changed_after_the_plan_is_refused_not_installed)
{
	size_t len2;
	confirm_img_a();
	memcpy(img_b, img_a, sizeof(img_b));
	img_b[0] ^= 1;
	uint8_t *v2 = bundle_of(img_b, "1.1.0", 0, 0, &len2);
	snprintf(victim, sizeof(victim), "%s/b/rootfs", TD.dir);
	struct map_reader r = {v2, len2, 0, NULL, 0, 0, 0, overwrite_victim};
	int rc = delta_install(&TD.dev, &r);
	cr_assert_eq(rc, FWS_EDIGEST, "%s", fws_errname(rc));
	struct fws_device_status st = td_status();
	cr_assert_eq(st.state.pending_slot, '-');
	cr_assert_eq(st.state.confirmed_slot, 'b');
	free(v2);
}

Test(device_delta, compressed_bundle_is_fetched_whole)
{
	size_t len2;
	confirm_img_a();
	uint8_t *v2 = bundle_of(img_a, "1.1.0", 1, 0, &len2);
	struct map_reader r = {v2, len2, 0, NULL, 0, 0, 0, NULL};
	cr_assert_eq(delta_install(&TD.dev, &r), 0);
	cr_assert_eq(r.local, 0);
	cr_assert_eq(r.fetched, len2);
	free(v2);
}

Test(device_delta, slot_writer_without_read_slot_fetches_everything)
{
	size_t len2;
	confirm_img_a();
	uint8_t *v2 = bundle_of(img_a, "1.1.0", 0, 0, &len2);
	TD.dev.slots.read_slot = NULL;
	struct map_reader r = {v2, len2, 0, NULL, 0, 0, 0, NULL};
	cr_assert_eq(delta_install(&TD.dev, &r), 0);
	cr_assert_eq(r.local, 0);
	cr_assert_eq(r.fetched, len2);
	free(v2);
}

/* ---- in place: a configured device whose slots are regions of a file ---- */

static char disk[160];
static struct fws_sysconf conf;
static struct fws_sys_backend sysb;
static struct fws_device sysdev;

static void raw_open(void)
{
	char text[2048], root[160];
	snprintf(disk, sizeof(disk), "%s/disk.img", TD.base);
	snprintf(root, sizeof(root), "%s/etc", TD.base);
	cr_assert_eq(mkdir(root, 0755), 0);
	int fd = open(disk, O_RDWR | O_CREAT | O_EXCL, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 4 * PSIZE), 0);
	close(fd);
	snprintf(text, sizeof(text),
		 "[system]\nhardware-id = test-hw\ntrusted-root = %s/root.json\n"
		 "state-dir = %s/state\nbootloader = dir\n"
		 "[slot.r0]\nclass = rootfs\ndevice = %s\noffset = 0\nsize = %d\nbootname = A\n"
		 "[slot.r1]\nclass = rootfs\ndevice = %s\noffset = %d\nsize = %d\nbootname = B\n"
		 "[slot.k0]\nclass = kernel\ndevice = %s\noffset = %d\nsize = %d\nbootname = A\n"
		 "[slot.k1]\nclass = kernel\ndevice = %s\noffset = %d\nsize = %d\nbootname = B\n",
		 root, TD.base, disk, PSIZE, disk, PSIZE, PSIZE, disk, 2 * PSIZE, PSIZE, disk,
		 3 * PSIZE, PSIZE);
	int rc = fws_sysconf_parse(text, strlen(text), "system.conf", &conf);
	cr_assert_eq(rc, 0, "%s", fws_diag_last()->why);
	rc = fws_sysconf_device_open(&sysdev, &sysb, &conf, NULL, 1);
	cr_assert_eq(rc, 0, "%s: %s", fws_diag_last()->where, fws_diag_last()->why);
	rc = fws_device_provision(&sysdev, (uint8_t *)TD.r1_json, strlen(TD.r1_json), "test-hw",
				  NULL, NULL);
	cr_assert_eq(rc, 0);
}

/* Puts img into set b's rootfs region, as an interrupted or cancelled
 * install would have left it (not named by the state). */
static void raw_put_b(const uint8_t *img)
{
	int fd = open(disk, O_WRONLY);
	cr_assert_eq(pwrite(fd, img, PSIZE, PSIZE), PSIZE);
	close(fd);
}

static int raw_b_is(const uint8_t *img)
{
	uint8_t *buf = malloc(PSIZE);
	int fd = open(disk, O_RDONLY);
	int same = pread(fd, buf, PSIZE, PSIZE) == PSIZE && memcmp(buf, img, PSIZE) == 0;
	close(fd);
	free(buf);
	return same;
}

/* The new image is the old one moved one chunk back: each wanted chunk k
 * lies at k - 1 in the set being overwritten, and is overwritten before it
 * is needed. None may be reused from there. */
Test(device_delta, in_place_never_reuses_a_chunk_it_already_overwrote)
{
	raw_open();
	raw_put_b(img_a);
	memcpy(img_b + CS, img_a, PSIZE - CS);
	td_fill(img_b, CS, 5u);
	size_t len;
	uint8_t *v = bundle_of(img_b, "1.0.0", 0, 0, &len);
	struct map_reader r = {v, len, 0, NULL, 0, 0, 0, NULL};
	int rc = delta_install(&sysdev, &r);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0);
	cr_assert_lt(r.local, (size_t)CS, "nothing of set b's old bytes was reusable");
	cr_assert(raw_b_is(img_b));
	fws_sysconf_device_close(&sysb);
	free(v);
}

/* Moved one chunk forward: each wanted chunk k lies at k + 1, not yet
 * overwritten when k is written: all of them are reused. */
Test(device_delta, in_place_reuses_chunks_it_has_not_reached_yet)
{
	raw_open();
	raw_put_b(img_a);
	memcpy(img_b, img_a + CS, PSIZE - CS);
	td_fill(img_b + PSIZE - CS, CS, 5u);
	size_t len;
	uint8_t *v = bundle_of(img_b, "1.0.0", 0, 0, &len);
	struct map_reader r = {v, len, 0, NULL, 0, 0, 0, NULL};
	int rc = delta_install(&sysdev, &r);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0);
	cr_assert_geq(r.local, (size_t)(NCHUNKS - 2) * CS, "reused %zu", r.local);
	cr_assert(raw_b_is(img_b));
	fws_sysconf_device_close(&sysb);
	free(v);
}

/* A bundle with an SBOM (format.md §14): the entry lies between the roots
 * and the first chunk list, so the map must fetch it (it is never in a
 * slot) and plan the payloads after it. */
/* req: REQ-LIFE-009, REQ-SBOM-001 */
Test(device_delta, sbom_entry_is_fetched_and_payloads_planned_after_it)
{
	static const char sbom[] = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}\n";
	const struct test_key *signers[] = {&TD.release};
	size_t len2;
	confirm_img_a();
	memcpy(img_b, img_a, sizeof(img_b));
	img_b[7 * CS] ^= 1;
	struct test_payload p[] = {{"fw.img", "rootfs", img_b, PSIZE, CS},
				   {"k.img", "kernel", TD.kern, sizeof(TD.kern), CS}};
	struct test_release rel = {.version = "1.1.0",
				   .security_version = 1,
				   .hardware = "test-hw",
				   .payloads = p,
				   .n_payloads = 2,
				   .signers = signers,
				   .n_signers = 1,
				   .sbom = sbom};
	uint8_t *v2 = test_bundle_build(&rel, &len2);
	struct map_reader r = {v2, len2, 0, NULL, 0, 0, 0, NULL};
	int rc = delta_install(&TD.dev, &r);
	cr_assert_eq(rc, 0, "%s: %s", fws_errname(rc), fws_diag_last()->why);
	cr_assert_eq(r.wrong, 0, "every reused byte is the bundle's byte");
	cr_assert_eq(r.local, PSIZE - (size_t)CS + sizeof(TD.kern), "local %zu", r.local);
	char path[160];
	snprintf(path, sizeof(path), "%s/sbom.a", TD.dir);
	cr_assert(fs_equals(path, sbom, strlen(sbom)), "the SBOM is kept for set a");
	snprintf(path, sizeof(path), "%s/a/rootfs", TD.dir);
	cr_assert(fs_equals(path, img_b, sizeof(img_b)), "set a holds the new image");
	free(v2);
}
