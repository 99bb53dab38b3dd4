/* SPDX-License-Identifier: Apache-2.0 */
/* The self-test's own tar writer: the bundle dialect of docs/format.md §3.2
 * (ustar entry headers with fixed metadata, NUL padding, two end blocks, the
 * archive padded to a 10240-byte record) and §3.3 (one gzip member, zlib
 * level 6), written into memory.
 *
 * Why a writer of its own: the self-test runs on the device (fwseal-verify
 * selftest, libfwseal-device), and the device side holds no signing code and
 * no libarchive (tests/cli/test_layers.sh). The release writer
 * (lib/sign/bundle_writer.c) stays on the signing side. This one knows only
 * what the fixtures need: names of at most 100 bytes, sizes below 8 GiB and
 * times before 2038, so it never writes a pax header; anything else is
 * refused (FWS_ELIMIT) rather than written in a spelling the reader would
 * refuse for a reason the self-test does not mean to test.
 * tests/unit/test_selftest.c compares its output byte for byte with the
 * release writer's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fwseal/error.h"
#include "selftest/fixture.h"

#define BLOCK 512u
#define RECORD 10240u
#define MAX_OCTAL_11 077777777777ull /* 11 octal digits */
#define PAX_MTIME_FROM 2147483647ll  /* from here on the writer would need pax */

static int grow(struct fws_fx_tar *t, size_t more)
{
	size_t want, cap;
	uint8_t *p;

	if (more > SIZE_MAX - t->len)
		return FWS_ELIMIT;
	want = t->len + more;
	if (want <= t->cap)
		return 0;
	cap = t->cap > 0 ? t->cap : 4 * BLOCK;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(t->buf, cap);
	if (p == NULL)
		return FWS_ENOMEM;
	t->buf = p;
	t->cap = cap;
	return 0;
}

/* Zero bytes up to the next multiple of `unit`. */
static int pad_to(struct fws_fx_tar *t, size_t unit)
{
	size_t n = (unit - t->len % unit) % unit;
	int rc = grow(t, n);

	if (rc == 0) {
		memset(t->buf + t->len, 0, n);
		t->len += n;
	}
	return rc;
}

/* An octal field of `digits` digits followed by `tail` (the bytes the
 * format wants after them: "SP NUL", "SP", ...). */
static void octal_field(uint8_t *f, unsigned long long v, int digits, const char *tail,
			size_t tail_len)
{
	char tmp[24];

	snprintf(tmp, sizeof tmp, "%0*llo", digits, v);
	memcpy(f, tmp, (size_t)digits);
	memcpy(f + digits, tail, tail_len);
}

void fws__fx_tar_init(struct fws_fx_tar *t, int64_t mtime)
{
	memset(t, 0, sizeof *t);
	t->mtime = mtime;
}

int fws__fx_tar_entry(struct fws_fx_tar *t, const char *name, const void *data, size_t len)
{
	size_t name_len = strlen(name);
	uint8_t *h;
	unsigned sum = 0;
	int rc;

	if (name_len == 0 || name_len > 100 || (unsigned long long)len > MAX_OCTAL_11 / 2 ||
	    t->mtime < 0 || t->mtime >= PAX_MTIME_FROM)
		return FWS_ELIMIT;
	rc = grow(t, BLOCK);
	if (rc != 0)
		return rc;
	h = t->buf + t->len;
	memset(h, 0, BLOCK);
	memcpy(h, name, name_len); /* a 100-byte name has no NUL */
	memcpy(h + 100, "000644 ", 8);
	memcpy(h + 108, "000000 ", 8);
	memcpy(h + 116, "000000 ", 8);
	octal_field(h + 124, (unsigned long long)len, 11, " ", 1);
	octal_field(h + 136, (unsigned long long)t->mtime, 11, " ", 1);
	h[156] = '0';
	memcpy(h + 257, "ustar\0" "00", 8);
	memcpy(h + 329, "000000 ", 8);
	memcpy(h + 337, "000000 ", 8);
	/* The checksum counts its own field as eight spaces. */
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < BLOCK; i++)
		sum += h[i];
	octal_field(h + 148, sum, 6, "\0 ", 2);
	t->len += BLOCK;
	rc = grow(t, len);
	if (rc != 0)
		return rc;
	if (len > 0)
		memcpy(t->buf + t->len, data, len);
	t->len += len;
	return pad_to(t, BLOCK);
}

int fws__fx_tar_finish(struct fws_fx_tar *t)
{
	int rc = grow(t, 2 * BLOCK);

	if (rc != 0)
		return rc;
	memset(t->buf + t->len, 0, 2 * BLOCK);
	t->len += 2 * BLOCK;
	return pad_to(t, RECORD);
}

void fws__fx_tar_free(struct fws_fx_tar *t)
{
	free(t->buf);
	memset(t, 0, sizeof *t);
}

/* One gzip member of the whole archive, as the release writer makes it
 * (level 6, memLevel 8, gzip wrapper: header 1f 8b 08 00 00000000 00 03). */
int fws__fx_gzip(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	z_stream z;
	uLong bound;
	uint8_t *buf;
	int zr;

	*out = NULL;
	*out_len = 0;
	/* Fixtures are small: a bound keeps every length inside zlib's uInt. */
	if (in_len > (size_t)64 << 20)
		return FWS_ELIMIT;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return FWS_ENOMEM;
	bound = deflateBound(&z, (uLong)in_len);
	buf = malloc(bound);
	if (buf == NULL) {
		deflateEnd(&z);
		return FWS_ENOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)in_len;
	z.next_out = buf;
	z.avail_out = (uInt)bound;
	zr = deflate(&z, Z_FINISH);
	*out_len = bound - z.avail_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		*out_len = 0;
		return FWS_EINTERNAL;
	}
	*out = buf;
	return 0;
}
