/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-PERF-004 */
/* Parallel gzip (lib/sign/gzip_parallel.c, ADR-049): at block boundaries
 * and off them, for one and several jobs, the output is one gzip member
 * that zlib inflates to exactly the input (CRC-32 and ISIZE checked by
 * zlib), and its bytes do not depend on the number of jobs. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fwseal/error.h"
#include "sign/gzip_parallel.h"

TestSuite(gzip_parallel);

static uint8_t *make_input(size_t len)
{
	uint8_t *d = malloc(len);
	uint32_t x = 12345;
	cr_assert_not_null(d);
	/* Text-like with random stretches: deflate has work, and matches that
	 * reach back across a block boundary exist (the primed dictionary). */
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (i / 4096) % 3 == 0 ? (uint8_t)(x >> 24) : (uint8_t)("pump dose rate "[i % 15]);
	}
	return d;
}

static int temp_fd(void)
{
	char name[] = "/tmp/fws-gz-XXXXXX";
	int fd = mkstemp(name);
	cr_assert_geq(fd, 0);
	unlink(name);
	return fd;
}

/* Compresses in with jobs; returns the output (malloc) and its length. */
static uint8_t *compress_with(const uint8_t *in, size_t len, unsigned jobs, size_t *out_len)
{
	int in_fd = temp_fd(), out_fd = temp_fd();
	cr_assert_eq(write(in_fd, in, len), (ssize_t)len);
	cr_assert_eq(fws_gzip_parallel(in_fd, len, out_fd, jobs), 0, "jobs %u, %zu bytes", jobs, len);
	off_t n = lseek(out_fd, 0, SEEK_END);
	uint8_t *out = malloc((size_t)n);
	cr_assert_not_null(out);
	cr_assert_eq(pread(out_fd, out, (size_t)n, 0), n);
	close(in_fd);
	close(out_fd);
	*out_len = (size_t)n;
	return out;
}

/* One member, inflating to exactly `in`, nothing after it. */
static void assert_one_member(const uint8_t *gz, size_t gz_len, const uint8_t *in, size_t len)
{
	z_stream z;
	uint8_t *back = malloc(len + 1);
	memset(&z, 0, sizeof(z));
	cr_assert_not_null(back);
	cr_assert_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)gz;
	z.avail_in = (uInt)gz_len;
	z.next_out = back;
	z.avail_out = (uInt)(len + 1);
	cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END, "%s", z.msg ? z.msg : "");
	cr_assert_eq(z.avail_in, 0, "bytes after the first gzip member");
	cr_assert_eq(z.total_out, len);
	cr_assert_eq(memcmp(back, in, len), 0);
	inflateEnd(&z);
	cr_assert_eq(gz[0], 0x1f);
	cr_assert_eq(gz[1], 0x8b);
	free(back);
}

Test(gzip_parallel, one_member_at_and_off_block_boundaries_same_bytes_for_any_jobs)
{
	const size_t sizes[] = {1, 10240, FWS_GZIP_DICT + 1, FWS_GZIP_BLOCK, FWS_GZIP_BLOCK + 1,
				3 * FWS_GZIP_BLOCK - 7};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i], one_len, many_len;
		uint8_t *in = make_input(len);
		uint8_t *one = compress_with(in, len, 1, &one_len);
		uint8_t *many = compress_with(in, len, 3, &many_len);
		assert_one_member(one, one_len, in, len);
		cr_assert_eq(one_len, many_len, "%zu bytes: the length depends on jobs", len);
		cr_assert_eq(memcmp(one, many, one_len), 0, "%zu bytes: the bytes depend on jobs", len);
		free(in);
		free(one);
		free(many);
	}
}

Test(gzip_parallel, ratio_close_to_one_stream)
{
	size_t len = 3 * FWS_GZIP_BLOCK + 123, ours_len;
	uint8_t *in = make_input(len);
	uint8_t *ours = compress_with(in, len, 2, &ours_len);
	uLongf ref_len = compressBound((uLong)len);
	uint8_t *ref = malloc(ref_len);
	cr_assert_not_null(ref);
	/* One zlib stream at the same level: the reference a single gzip -6 is. */
	cr_assert_eq(compress2(ref, &ref_len, in, (uLong)len, 6), Z_OK);
	cr_assert_leq(ours_len * 100, (ref_len + 18) * 102, "%zu bytes against %lu", ours_len,
		      (unsigned long)ref_len);
	free(in);
	free(ours);
	free(ref);
}

Test(gzip_parallel, empty_input_refused)
{
	int in_fd = temp_fd(), out_fd = temp_fd();
	cr_assert_eq(fws_gzip_parallel(in_fd, 0, out_fd, 2), FWS_EUSAGE);
	close(in_fd);
	close(out_fd);
}

Test(gzip_parallel, input_shorter_than_said_is_an_error)
{
	int in_fd = temp_fd(), out_fd = temp_fd();
	uint8_t b[100] = {0};
	cr_assert_eq(write(in_fd, b, sizeof b), (ssize_t)sizeof b);
	cr_assert_eq(fws_gzip_parallel(in_fd, 2 * FWS_GZIP_BLOCK, out_fd, 2), FWS_EIO);
	close(in_fd);
	close(out_fd);
}
