/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the HTTP answer reader and checks (lib/net/http_check.c): the
 * status line, the header lines, Content-Range and the validators.
 *
 * Input: 9 bytes of request (flags, the range asked for), then the raw
 * header block, one line per '\n'. Flags: bit 0 the request was ranged,
 * bit 1 the first answer was seen already (a resume: the validator is
 * learned from this same answer first), bit 2 a Content-Length is given
 * (the next 4 bytes after the range, else none).
 *
 * Properties: defined result codes, a refusal says why; no line longer
 * than HTTP_LINE_MAX and no block larger than HTTP_HEAD_MAX is accepted;
 * every kept value is whole (shorter than its buffer, no CR, LF or NUL);
 * a 206 accepted covers exactly the bytes asked (cut only at the end);
 * a redirect names a Location; the same answer checked again against what
 * it taught the validator is the same file. */
#include "fuzz_common.h"
#include "net/http_check.h"

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void whole(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	FUZZ_CHECK(n < cap, "a kept value is NUL-terminated inside its buffer");
	FUZZ_CHECK(strpbrk(s, "\r\n") == NULL, "a kept value is one line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_answer a;
	static struct http_validator v;
	fuzz_init();
	if (size < 9)
		return 0;
	int flags = data[0];
	uint64_t start = u32(data + 1), len = u32(data + 5);
	uint64_t end = flags & 1 ? (len == 0 ? UINT64_MAX : start + len) : UINT64_MAX;
	if (!(flags & 1))
		start = 0;
	int64_t length = -1;
	size_t at = 9;
	if ((flags & 4) && size >= 13) {
		length = u32(data + 9);
		at = 13;
	}
	http_answer_reset(&a);
	memset(&v, 0, sizeof(v));
	int rc = 0;
	size_t lines = 0;
	while (at < size && rc == 0) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t n = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
		rc = http_answer_line(&a, "fuzz", (const char *)data + at, n);
		fuzz_check_code(rc);
		if (rc == 0) {
			FUZZ_CHECK(n <= HTTP_LINE_MAX, "no line over HTTP_LINE_MAX accepted");
			FUZZ_CHECK(a.head_bytes <= HTTP_HEAD_MAX, "no block over HTTP_HEAD_MAX accepted");
			lines++;
		}
		at += n;
	}
	if (rc != 0) {
		FUZZ_CHECK(rc == FWS_EHEADER || rc == FWS_EREMOTE, "a line is refused as 71 or 51");
		FUZZ_CHECK(fws_diag_last()->code == rc && fws_diag_last()->why[0] != '\0',
			   "a refusal says why");
		return 0;
	}
	whole(a.etag, sizeof(a.etag));
	whole(a.last_modified, sizeof(a.last_modified));
	whole(a.location, sizeof(a.location));
	whole(a.content_range, sizeof(a.content_range));
	whole(a.content_encoding, sizeof(a.content_encoding));
	if (flags & 2) { /* a resume: the first answer was this one, unranged */
		uint64_t e0;
		(void)http_check_answer(&a, "fuzz", 0, UINT64_MAX, length, &v, &e0);
	}
	uint64_t expect = 0;
	rc = http_check_answer(&a, "fuzz", start, end, length, &v, &expect);
	FUZZ_CHECK(rc == HTTP_BODY || rc == HTTP_REDIRECT || rc == HTTP_RETRY ||
		       (rc < 0 && rc >= FWS_ELAST),
		   "a verdict or a defined code");
	if (rc < 0) {
		FUZZ_CHECK(fws_diag_last()->code == rc && fws_diag_last()->why[0] != '\0',
			   "a refusal says why");
		return 0;
	}
	if (rc == HTTP_REDIRECT)
		FUZZ_CHECK(a.location[0] != '\0', "a redirect names a Location");
	if (rc != HTTP_BODY)
		return 0;
	FUZZ_CHECK(a.status == 200 || a.status == 206, "a body only from 200 or 206");
	whole(v.etag, sizeof(v.etag));
	whole(v.if_range, sizeof(v.if_range));
	FUZZ_CHECK(v.if_range[0] == '\0' || strcmp(v.if_range, v.etag) == 0 ||
		       strcmp(v.if_range, v.last_modified) == 0,
		   "If-Range is the validator learned");
	if (a.status == 206) {
		FUZZ_CHECK(start > 0 || end != UINT64_MAX, "206 only to a ranged request");
		FUZZ_CHECK(v.have_size && expect > 0 && start + expect <= v.size,
			   "a 206 lies inside the file");
		FUZZ_CHECK(end == UINT64_MAX || start + expect <= end, "never more than asked");
		FUZZ_CHECK(start + expect == (end == UINT64_MAX || end > v.size ? v.size : end),
			   "cut only at the end");
	} else {
		FUZZ_CHECK(start == 0 && end == UINT64_MAX, "200 only to an unranged request");
		FUZZ_CHECK(length < 0 || (expect == (uint64_t)length && v.size == expect),
			   "a 200's body is its Content-Length");
	}
	uint64_t again = 0;
	FUZZ_CHECK(http_check_answer(&a, "fuzz", start, end, length, &v, &again) == HTTP_BODY &&
		       again == expect,
		   "the same answer again is the same file");
	return 0;
}
