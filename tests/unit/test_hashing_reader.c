/* SPDX-License-Identifier: Apache-2.0 */
/* The reader that hashes what it passes on (lib/bundle/hashing_reader.c):
 * the digest fwseal channel sign and fwseal publish state must be of
 * exactly the bytes the verifier got - every short read counted, nothing
 * hashed twice, nothing hashed from a failed read. */
#include <criterion/criterion.h>
#include <string.h>

#include "bundle/hashing_reader.h"
#include "fwseal/error.h"

/* A reader handing out data in steps of 1, 2, 3, ... bytes, then fail
 * (0: end of input) - and scribbling on the buffer when it fails, as a
 * broken reader might. */
struct stepper {
	const uint8_t *data;
	size_t len, off, step;
	ssize_t fail;
};

static ssize_t read_steps(void *ctx, uint8_t *buf, size_t len)
{
	struct stepper *s = ctx;
	size_t n = ++s->step;

	if (s->off == s->len) {
		memset(buf, 0xA5, len);
		return s->fail;
	}
	if (n > len)
		n = len;
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void read_all(struct fws_hashing_reader *r, ssize_t *last)
{
	uint8_t buf[16];
	ssize_t got;

	while ((got = fws_read_hashing(r, buf, sizeof buf)) > 0)
		;
	*last = got;
}

Test(hashing_reader, digest_is_of_exactly_the_bytes_passed_on)
{
	uint8_t data[200], want[32], got[32];
	struct stepper s = {data, sizeof data, 0, 0, 0};
	struct fws_hashing_reader r;
	ssize_t last;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 1);
	fws_hashing_reader_init(&r, read_steps, &s);
	read_all(&r, &last);
	cr_assert_eq(last, 0, "end of input passed on");
	cr_assert_eq(r.n, sizeof data, "every short read counted once");
	fws_sha256(data, sizeof data, want);
	fws_sha256_final(&r.h, got);
	cr_assert_arr_eq(got, want, 32);
}

Test(hashing_reader, failed_read_is_passed_on_and_not_hashed)
{
	uint8_t data[40], want[32], got[32];
	struct stepper s = {data, sizeof data, 0, 0, FWS_ESTALLED};
	struct fws_hashing_reader r;
	ssize_t last;

	memset(data, 0x3C, sizeof data);
	fws_hashing_reader_init(&r, read_steps, &s);
	read_all(&r, &last);
	cr_assert_eq(last, FWS_ESTALLED, "the wrapped reader's refusal, unchanged");
	cr_assert_eq(r.n, sizeof data, "the failed read's buffer is not counted");
	fws_sha256(data, sizeof data, want);
	fws_sha256_final(&r.h, got);
	cr_assert_arr_eq(got, want, 32, "the failed read's buffer is not hashed");
}
