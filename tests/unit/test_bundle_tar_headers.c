/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FMT-002, REQ-FMT-009 */
/* The tar reader's one-spelling rule (docs/format.md §3.2, ADR-023) at header
 * level, against the real writer (lib/bundle/writer.c, libarchive): what the
 * writer emits for (path, size, mtime) is accepted with exactly those values,
 * across the 8 GiB (pax size), 64 GiB (base-256) and 2^31 - 1 (pax mtime)
 * boundaries — sizes no test could write to disk — and a header the reader
 * accepts is always byte for byte what the writer emits for the values read
 * from it: no field has a second spelling. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle/source.h"
#include "bundle/tar_reader.h"
#include "test_bundle_helpers.h"

#define BLOCK 512u
#define CAPTURE (1u << 20) /* more than a pipe holds */
#define GIB (1ull << 30)
#define Y2039 2200000000ll

static uint8_t captured[CAPTURE];

/* The first bytes the writer emits for an archive holding one entry of
 * `size` bytes (data all zero). A non-blocking pipe takes what it can hold
 * (64 KiB) and then makes the writer fail, so an entry of any size costs
 * nothing: the headers are in the first three blocks. */
static size_t writer_bytes(const char *path, uint64_t size, int64_t mtime, uint8_t *out)
{
	int p[2];
	struct fws_bundle_writer *w;
	size_t n = 0;
	ssize_t r;
	cr_assert_eq(pipe(p), 0);
	cr_assert_neq(fcntl(p[1], F_SETFL, O_NONBLOCK), -1);
	cr_assert_eq(fws_bundle_writer_open(&w, p[1], 0, mtime), 0);
	cr_assert_eq(fws_bundle_writer_entry(w, path, size), 0, "%s %llu", path,
		     (unsigned long long)size);
	/* libarchive zero-fills the entry until the pipe is full, then gives up
	 * (small entries: the whole archive, end marker and record padding). */
	fws_bundle_writer_abort(w);
	cr_assert_eq(close(p[1]), 0);
	while (n < CAPTURE && (r = read(p[0], out + n, CAPTURE - n)) > 0)
		n += (size_t)r;
	cr_assert_eq(close(p[0]), 0);
	cr_assert_geq(n, 3 * BLOCK, "the writer emitted %zu bytes", n);
	return n;
}

/* Header blocks at the start: the entry's own, after a pax header and its
 * data block if the first block is one. */
static size_t header_len(const uint8_t *d)
{
	return d[156] == 'x' ? 3 * BLOCK : BLOCK;
}

/* fws_tar_next over d[0..len). */
static int read_entry(const uint8_t *d, size_t len, struct fws_tar_entry *e)
{
	static struct fws_source src;
	static struct fws_tar t;
	struct mem_reader r = {d, len, 0, 0, 0};
	cr_assert_eq(fws_source_open(&src, mem_read, &r), 0);
	fws_tar_init(&t, &src);
	int rc = fws_tar_next(&t, e);
	fws_source_close(&src);
	return rc;
}

/* The ustar checksum as libarchive writes it: six octal digits, NUL, space. */
static void fix_checksum(uint8_t *h)
{
	unsigned sum = 0;
	memset(h + 148, ' ', 8);
	for (unsigned i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

static void expect_entry(const uint8_t *d, size_t len, const char *path, uint64_t size,
			 int64_t mtime)
{
	struct fws_tar_entry e;
	int rc = read_entry(d, len, &e);
	cr_assert_eq(rc, 0, "%s size %llu mtime %lld: %d", path, (unsigned long long)size,
		     (long long)mtime, rc);
	cr_assert_str_eq(e.path, path);
	cr_assert_eq(e.size, size);
	cr_assert_eq(e.mtime, (uint64_t)mtime);
}

/* Every boundary of libarchive's spelling: 11 octal size digits up to
 * 8 GiB - 1, then 12 digits and a pax "size" record, base-256 from 64 GiB;
 * a pax "mtime" record from 2^31 - 1; the longest names we write. */
Test(tar_headers, writer_output_accepted_across_every_boundary)
{
	static const uint64_t sizes[] = {
		0, 1, 9000, 8 * GIB - 1, 8 * GIB, 8 * GIB + 4097, 64 * GIB - 1, 64 * GIB,
		1024 * GIB, /* the largest payload (65536 chunks of 16 MiB) */
		9007199254740991ull, /* FWS_SIZE_MAX */
	};
	static const int64_t mtimes[] = {0, 1700000000, 0x7ffffffe, 0x7fffffff, Y2039,
					 077777777777ll /* the last second pack accepts */};
	static const char *const paths[] = {
		"manifest.json",
		"root/9007199254740991.json",
		"chunks/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"payloads/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	};
	for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (size_t m = 0; m < sizeof(mtimes) / sizeof(mtimes[0]); m++) {
				size_t n = writer_bytes(paths[p], sizes[s], mtimes[m], captured);
				int pax = sizes[s] >= 8 * GIB || mtimes[m] >= 0x7fffffff;
				cr_assert_eq(header_len(captured), pax ? 3 * BLOCK : BLOCK,
					     "pax header exactly where documented");
				expect_entry(captured, n, paths[p], sizes[s], mtimes[m]);
			}
}

/* The defining property: after any one-byte change of the headers (checksum
 * made right again, unless the change is in it), the reader either refuses,
 * or what it accepted is exactly what the writer emits for the values it
 * read. So no value has two accepted spellings. */
static size_t check_one_byte_changes(const char *path, uint64_t size, int64_t mtime)
{
	static uint8_t orig[CAPTURE], mutant[CAPTURE], again[CAPTURE];
	static const int values[] = {-1 /* b ^ 1 */, -2 /* b ^ 0x80 */, 0, ' ', '0', '7'};
	size_t n = writer_bytes(path, size, mtime, orig), hl = header_len(orig), accepted = 0;
	struct fws_tar_entry e;
	expect_entry(orig, n, path, size, mtime);
	for (size_t pos = 0; pos < hl; pos++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			uint8_t b = orig[pos];
			uint8_t nb = values[v] == -1   ? (uint8_t)(b ^ 0x01)
				     : values[v] == -2 ? (uint8_t)(b ^ 0x80)
						       : (uint8_t)values[v];
			if (nb == b)
				continue;
			memcpy(mutant, orig, n);
			mutant[pos] = nb;
			size_t block = pos / BLOCK * BLOCK, in = pos % BLOCK;
			int is_header = hl == BLOCK || block != BLOCK; /* block 1: pax data */
			if (is_header && (in < 148 || in >= 156))
				fix_checksum(mutant + block);
			if (read_entry(mutant, n, &e) != 0)
				continue;
			/* (An x header turned into a regular file header is one
			 * entry of its own: compare what was read as headers.) */
			size_t ml = header_len(mutant);
			accepted++;
			writer_bytes(e.path, e.size, (int64_t)e.mtime, again);
			cr_assert_eq(header_len(again), ml, "byte %zu = %02x accepted", pos, nb);
			cr_assert_eq(memcmp(mutant, again, ml), 0,
				     "byte %zu = %02x: accepted a header the writer never emits", pos,
				     nb);
		}
	}
	return accepted;
}

Test(tar_headers, every_accepted_header_is_the_writers)
{
	/* Without pax, name bytes can change into another (canonical) name. */
	cr_assert_gt(check_one_byte_changes("payloads/fw.bin", 9000, 1700000000), 0);
	check_one_byte_changes("payloads/fw.bin", 8 * GIB + 4097, 1700000000);
	check_one_byte_changes("payloads/fw.bin", 9000, Y2039);
	check_one_byte_changes("payloads/fw.bin", 8 * GIB + 4097, Y2039);
	check_one_byte_changes("manifest.json", 64 * GIB, Y2039);
}

/* Writer bytes for a payload of 8 GiB + 4097 packed in 2039: a pax header
 * "payloads/PaxHeader/fw.bin" with "20 mtime=2200000000\n19 size=8589938689\n". */
static size_t big_2039(uint8_t *d)
{
	size_t n = writer_bytes("payloads/fw.bin", 8 * GIB + 4097, Y2039, d);
	static const char recs[] = "20 mtime=2200000000\n19 size=8589938689\n";
	cr_assert_eq(memcmp(d + BLOCK, recs, sizeof(recs) - 1), 0, "libarchive's record order");
	cr_assert_eq(memcmp(d, "payloads/PaxHeader/fw.bin", 26), 0, "libarchive's pax name");
	expect_entry(d, n, "payloads/fw.bin", 8 * GIB + 4097, Y2039);
	return n;
}

/* Sets the pax data to recs and the x header's size to match. */
static void set_pax_data(uint8_t *d, const char *recs)
{
	size_t len = strlen(recs);
	memset(d + BLOCK, 0, BLOCK);
	memcpy(d + BLOCK, recs, len);
	snprintf((char *)d + 124, 12, "%011o", (unsigned)len);
	d[135] = ' ';
	fix_checksum(d);
}

static void expect_refused(const uint8_t *d, size_t n, const char *what)
{
	struct fws_tar_entry e;
	cr_assert_eq(read_entry(d, n, &e), FWS_EFORMAT, "%s", what);
}

Test(tar_headers, pax_records_reordered_refused)
{
	size_t n = big_2039(captured);
	/* libarchive before 3.6 wrote size first: same records, same length. */
	set_pax_data(captured, "19 size=8589938689\n20 mtime=2200000000\n");
	expect_refused(captured, n, "records in the other order");
}

Test(tar_headers, pax_header_renamed_refused)
{
	static const char *const names[] = {
		"PaxHeader/payloads/fw.bin",      /* another directory layout */
		"payloads/PaxHeader.1234/fw.bin", /* SUSv3's PaxHeader.<pid> */
		"payloads/PaxHeader/fw.bi",       /* shortened */
		"payloads/fw.bin",                /* the entry's own name */
		"./PaxHeaders/fw.bin",            /* GNU tar's style */
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = big_2039(captured);
		memset(captured, 0, 100);
		memcpy(captured, names[i], strlen(names[i]));
		fix_checksum(captured);
		expect_refused(captured, n, names[i]);
	}
}

Test(tar_headers, pax_record_missing_extra_or_respelled_refused)
{
	static const char *const recs[] = {
		"20 mtime=2200000000\n",                           /* size missing */
		"19 size=8589938689\n",                            /* mtime missing */
		"20 mtime=2200000000\n19 size=8589938689\n11 atime=0\n", /* extra record */
		"22 mtime=2200000000.0\n19 size=8589938689\n",     /* fraction */
		"21 mtime=02200000000\n19 size=8589938689\n",      /* leading zero */
		"20 mtime=2200000000\n20 size=08589938689\n",      /* leading zero */
		"20 mtime=2200000000\n19 size=8589938689\n\n",     /* a byte after */
	};
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		size_t n = big_2039(captured);
		set_pax_data(captured, recs[i]);
		expect_refused(captured, n, recs[i]);
	}
}

/* The x header's own fields: its mtime is the entry's capped at 2^31 - 1. */
Test(tar_headers, pax_own_mtime_uncapped_refused)
{
	size_t n = big_2039(captured);
	snprintf((char *)captured + 136, 12, "%011llo", (unsigned long long)Y2039);
	captured[147] = ' ';
	fix_checksum(captured);
	expect_refused(captured, n, "x header mtime not capped");
}

/* The writer always writes the pax header an entry needs; without it, a
 * reader that ignores pax would see the same values: a second spelling. */
Test(tar_headers, pax_header_dropped_refused)
{
	static const int64_t mtimes[] = {1700000000, Y2039};
	for (size_t i = 0; i < 2; i++) {
		size_t n = writer_bytes("payloads/fw.bin", 8 * GIB + 4097, mtimes[i], captured);
		cr_assert_eq(header_len(captured), 3 * BLOCK);
		expect_refused(captured + 2 * BLOCK, n - 2 * BLOCK, "pax header dropped");
	}
	size_t n = writer_bytes("payloads/fw.bin", 9000, Y2039, captured);
	expect_refused(captured + 2 * BLOCK, n - 2 * BLOCK, "pax mtime header dropped");
}

/* The ustar size field of a big entry in a spelling libarchive does not use
 * for that value (the pax record kept as written). */
Test(tar_headers, big_size_field_respelled_refused)
{
	uint64_t v = 8 * GIB + 4097;
	size_t n = big_2039(captured);
	uint8_t *h = captured + 2 * BLOCK;
	h[124] = 0x80; /* base-256, as libarchive writes only from 64 GiB */
	for (int i = 11; i >= 1; i--, v >>= 8)
		h[124 + i] = (uint8_t)(v & 0xff);
	fix_checksum(h);
	expect_refused(captured, n, "base-256 size under 64 GiB");

	n = big_2039(captured);
	memcpy(h + 124, "00000000000 ", 12); /* star/GNU style: 0 when pax has it */
	fix_checksum(h);
	expect_refused(captured, n, "ustar size 0 beside a pax size");

	n = writer_bytes("payloads/fw.bin", 64 * GIB, 1700000000, captured);
	memcpy(h + 124, "777777777777", 12); /* the 12-digit maximum, not the value */
	fix_checksum(h);
	expect_refused(captured, n, "12-digit size beside a 64 GiB pax size");
}
