/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-EVID-004 */
/* The self-test's own tar writer (lib/selftest/fixture_tar.c) writes the
 * bytes the release writer (lib/sign/bundle_writer.c, libarchive) writes for
 * the same entries: plain, and after gzip decompression; so the device's
 * self-test verifies bundles of the real format, not a dialect of its own.
 * And it refuses what it cannot spell without pax, instead of writing it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fwseal/bundle_write.h"
#include "fwseal/error.h"
#include "selftest/fixture.h"

struct entry {
	const char *name;
	size_t len;
};

/* The release writer's output for these entries, read back from a tmpfile. */
static uint8_t *release_writer(const struct entry *e, size_t n, const uint8_t *data, int gzip,
			       size_t *len)
{
	struct fws_bundle_writer *w = NULL;
	FILE *f = tmpfile();
	uint8_t *buf;
	off_t size;

	cr_assert_not_null(f);
	cr_assert_eq(fws_bundle_writer_open(&w, fileno(f), gzip, FWS_FX_TIME), 0);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(fws_bundle_writer_entry(w, e[i].name, e[i].len), 0);
		if (e[i].len > 0)
			cr_assert_eq(fws_bundle_writer_data(w, data, e[i].len), 0);
	}
	cr_assert_eq(fws_bundle_writer_close(w), 0);
	size = lseek(fileno(f), 0, SEEK_END);
	cr_assert_gt(size, 0);
	buf = malloc((size_t)size);
	cr_assert_not_null(buf);
	cr_assert_eq(pread(fileno(f), buf, (size_t)size, 0), size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

static uint8_t *fixture_writer(const struct entry *e, size_t n, const uint8_t *data, size_t *len)
{
	struct fws_fx_tar t;

	fws__fx_tar_init(&t, FWS_FX_TIME);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(fws__fx_tar_entry(&t, e[i].name, data, e[i].len), 0, "%s", e[i].name);
	cr_assert_eq(fws__fx_tar_finish(&t), 0);
	*len = t.len;
	return t.buf;
}

static uint8_t *gunzip(const uint8_t *in, size_t in_len, size_t *out_len)
{
	size_t cap = 1 << 22;
	uint8_t *out = malloc(cap);
	z_stream z;

	cr_assert_not_null(out);
	memset(&z, 0, sizeof z);
	cr_assert_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	cr_assert_eq(z.avail_in, 0, "bytes after the gzip member");
	*out_len = cap - z.avail_out;
	inflateEnd(&z);
	return out;
}

/* Names at the edges: the 100-byte name (no NUL), sizes 0, 1, 511, 512,
 * 513 and a record boundary. */
static const struct entry entries[] = {
    {"manifest.json", 1023},
    {"root/1.json", 0},
    {"chunks/a", 512},
    {"payloads/a", 511},
    {"payloads/b", 513},
    {"payloads/"
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
     "ccc",
     10240 - 512},
};
#define N_ENTRIES (sizeof entries / sizeof entries[0])

static uint8_t *payload(void)
{
	uint8_t *d = malloc(20000);

	cr_assert_not_null(d);
	for (size_t i = 0; i < 20000; i++)
		d[i] = (uint8_t)(i * 13 + 7);
	return d;
}

TestSuite(selftest_tar, .timeout = 60);

/* req: REQ-EVID-005 */
Test(selftest_tar, plain_archive_equals_the_release_writers_bytes)
{
	uint8_t *d = payload(), *a, *b;
	size_t la, lb;

	cr_assert_eq(strlen(entries[N_ENTRIES - 1].name), 100);
	a = release_writer(entries, N_ENTRIES, d, 0, &la);
	b = fixture_writer(entries, N_ENTRIES, d, &lb);
	cr_assert_eq(la, lb, "release writer %zu bytes, fixture writer %zu", la, lb);
	for (size_t i = 0; i < la; i++)
		cr_assert_eq(a[i], b[i], "first difference at byte %zu (block %zu, offset %zu)", i,
			     i / 512, i % 512);
	free(a);
	free(b);
	free(d);
}

/* req: REQ-EVID-005 */
Test(selftest_tar, gzip_member_decompresses_to_the_release_writers_tar)
{
	uint8_t *d = payload(), *a, *b, *za, *zb, *gz;
	size_t la, lb, lza, lzb, lgz;

	a = release_writer(entries, N_ENTRIES, d, 1, &la);
	b = fixture_writer(entries, N_ENTRIES, d, &lb);
	cr_assert_eq(fws__fx_gzip(b, lb, &gz, &lgz), 0);
	/* The same fixed gzip header: no name, mtime 0, OS Unix. */
	cr_assert_eq(memcmp(a, gz, 10), 0);
	za = gunzip(a, la, &lza);
	zb = gunzip(gz, lgz, &lzb);
	cr_assert_eq(lza, lzb);
	cr_assert_eq(memcmp(za, zb, lza), 0);
	cr_assert_eq(lzb, lb);
	cr_assert_eq(memcmp(zb, b, lb), 0);
	free(a);
	free(b);
	free(za);
	free(zb);
	free(gz);
	free(d);
}

Test(selftest_tar, what_needs_pax_is_refused_not_written)
{
	struct fws_fx_tar t;
	char longname[102];

	memset(longname, 'x', 101);
	longname[101] = 0;
	fws__fx_tar_init(&t, FWS_FX_TIME);
	cr_assert_eq(fws__fx_tar_entry(&t, longname, "x", 1), FWS_ELIMIT);
	cr_assert_eq(fws__fx_tar_entry(&t, "", "x", 1), FWS_ELIMIT);
	cr_assert_eq(t.len, 0, "nothing written for a refused entry");
	fws__fx_tar_free(&t);
	/* 2038-01-19T03:14:07Z and later need a pax mtime record. */
	fws__fx_tar_init(&t, 2147483647ll);
	cr_assert_eq(fws__fx_tar_entry(&t, "manifest.json", "x", 1), FWS_ELIMIT);
	fws__fx_tar_free(&t);
}
