/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP answer reader and checks (lib/net/http_check.c, ADR-069):
 * exact verdicts for the header lines a hostile server can send. Built
 * with NET=1 only (the Makefile leaves tests/unit/test_net_*.c out of
 * NET=0 builds). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "net/http_check.h"

static struct http_answer a;
static struct http_validator v;

/* Feeds "\n"-separated lines (each sent with CR LF); the first refusal. */
static int feed(const char *lines)
{
	char line[HTTP_LINE_MAX * 2];
	http_answer_reset(&a);
	for (const char *p = lines; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		memcpy(line, p, n);
		memcpy(line + n, "\r\n", 2);
		int rc = http_answer_line(&a, "test", line, n + 2);
		if (rc != 0)
			return rc;
		p += n + (nl != NULL);
	}
	return http_answer_line(&a, "test", "\r\n", 2);
}

static int check(uint64_t start, uint64_t end, int64_t length, uint64_t *expect)
{
	return http_check_answer(&a, "test", start, end, length, &v, expect);
}

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
	memset(&v, 0, sizeof(v));
}

TestSuite(net_http, .init = setup);

Test(net_http, status_lines_of_http1_and_http2_and_an_interim_answer)
{
	uint64_t e;
	cr_assert_eq(feed("HTTP/1.1 200 OK\nETag: \"a\""), 0);
	cr_assert_eq(a.status, 200);
	cr_assert_eq(feed("HTTP/2 206\nContent-Range: bytes 0-9/20"), 0);
	cr_assert_eq(a.status, 206);
	/* 100 Continue, then the answer: nothing of the first is kept */
	cr_assert_eq(feed("HTTP/1.1 100 Continue\nETag: \"x\"\n\nHTTP/1.1 200 OK"), 0);
	cr_assert_eq(a.status, 200);
	cr_assert_str_eq(a.etag, "");
	cr_assert_eq(check(0, UINT64_MAX, 5, &e), HTTP_BODY);
	cr_assert_eq(e, 5);
}

Test(net_http, malformed_lines_are_refused_by_name)
{
	cr_assert_eq(feed("HTTP/1.1 2000 OK"), FWS_EREMOTE);
	cr_assert_eq(feed("HTTP/x 200 OK"), FWS_EREMOTE);
	cr_assert_eq(feed("ETag: \"a\""), FWS_EREMOTE, "a header before the status line");
	cr_assert_eq(feed("HTTP/1.1 200 OK\nno colon here"), FWS_EREMOTE);
	cr_assert_eq(feed("HTTP/1.1 200 OK\nETag: \"a\"\n Content-Range: bytes 0-1/2"), FWS_EREMOTE,
		     "a folded continuation line");
	cr_assert_eq(feed("HTTP/1.1 200 OK\nLast-Modified: a\rX-Injected: 1"), FWS_EREMOTE,
		     "a bare CR would go back out in If-Range");
	cr_assert(strstr(fws_diag_last()->why, "control byte (0x0d)") != NULL);
	cr_assert_eq(feed("HTTP/1.1 200 OK\nETag: \"a\"\nETag: \"b\""), FWS_EREMOTE);
	cr_assert(strstr(fws_diag_last()->why, "ETag given twice") != NULL);
	cr_assert_eq(feed("HTTP/1.1 302 Found\nlocation: /a\nLocation: /b"), FWS_EREMOTE,
		     "names compare without case");
}

Test(net_http, sizes_are_bounded_before_anything_is_kept)
{
	static char big[HTTP_LINE_MAX + 64];
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "HTTP/1.1 200 OK\nX-Big: ", 23);
	cr_assert_eq(feed(big), FWS_EHEADER);
	cr_assert(strstr(fws_diag_last()->why, "a header line of") != NULL);
	/* lines that each fit, but not together */
	static char block[HTTP_HEAD_MAX + HTTP_LINE_MAX];
	size_t at = (size_t)sprintf(block, "HTTP/1.1 200 OK");
	for (int i = 0; at + 8000 < sizeof(block) - 16; i++) {
		at += (size_t)sprintf(block + at, "\nX-%d: ", i);
		memset(block + at, 'y', 7900);
		at += 7900;
	}
	block[at] = '\0';
	cr_assert_eq(feed(block), FWS_EHEADER);
	cr_assert(strstr(fws_diag_last()->why, "exceed 65536 bytes") != NULL);
}

Test(net_http, an_etag_is_kept_whole_or_refused)
{
	static char line[3000];
	uint64_t e;
	/* 1023 bytes: kept whole, and If-Range carries all of it */
	int n = sprintf(line, "HTTP/1.1 200 OK\nETag: \"");
	memset(line + n, 'e', 1021);
	strcpy(line + n + 1021, "\"");
	cr_assert_eq(feed(line), 0);
	cr_assert_eq(strlen(a.etag), 1023);
	cr_assert_eq(check(0, UINT64_MAX, 10, &e), HTTP_BODY);
	cr_assert_str_eq(v.if_range, a.etag);
	/* 1024 bytes: refused, never cut */
	memset(line + n, 'e', 1022);
	strcpy(line + n + 1022, "\"");
	cr_assert_eq(feed(line), FWS_EHEADER);
	cr_assert(strstr(fws_diag_last()->why, "the ETag is 1024 bytes") != NULL);
}

Test(net_http, a_resume_must_name_the_same_file_in_full)
{
	static char line[1200];
	uint64_t e;
	int n = sprintf(line, "HTTP/1.1 200 OK\nETag: \"");
	memset(line + n, 'e', 300);
	strcpy(line + n + 300, "1\"");
	cr_assert_eq(feed(line), 0);
	cr_assert_eq(check(0, UINT64_MAX, 1000, &e), HTTP_BODY);
	/* the same 300-byte prefix, another last byte: another file */
	n = sprintf(line, "HTTP/1.1 206 Partial Content\nContent-Range: bytes 500-999/1000\nETag: \"");
	memset(line + n, 'e', 300);
	strcpy(line + n + 300, "2\"");
	cr_assert_eq(feed(line), 0);
	cr_assert_eq(check(500, UINT64_MAX, 500, &e), FWS_EREMOTE);
	cr_assert(strstr(fws_diag_last()->why, "changed on the server") != NULL);
}

Test(net_http, content_range_is_exactly_what_was_asked)
{
	uint64_t e;
	cr_assert_eq(feed("HTTP/1.1 206 Partial Content\nContent-Range: bytes 100-199/1000"), 0);
	cr_assert_eq(check(100, 200, 100, &e), HTTP_BODY);
	cr_assert_eq(e, 100);
	memset(&v, 0, sizeof(v));
	cr_assert_eq(check(100, 300, 100, &e), FWS_EREMOTE, "fewer bytes than asked, not at the end");
	memset(&v, 0, sizeof(v));
	cr_assert_eq(feed("HTTP/1.1 206 Partial Content\nContent-Range: bytes 900-999/1000"), 0);
	cr_assert_eq(check(900, 2000, 100, &e), HTTP_BODY, "cut at the file's end");
	memset(&v, 0, sizeof(v));
	cr_assert_eq(feed("HTTP/1.1 206 Partial Content\nContent-Range: bytes 0-9/+10"), 0);
	cr_assert_eq(check(0, 10, 10, &e), FWS_EREMOTE);
	cr_assert_eq(feed("HTTP/1.1 206 Partial Content"), 0);
	cr_assert_eq(check(0, 10, 10, &e), FWS_EREMOTE, "206 without Content-Range");
	cr_assert_eq(feed("HTTP/1.1 200 OK"), 0);
	cr_assert_eq(check(10, UINT64_MAX, 10, &e), FWS_EREMOTE, "Range ignored");
}

Test(net_http, statuses_and_redirects)
{
	uint64_t e;
	cr_assert_eq(feed("HTTP/1.1 302 Found\nLocation: ftp://h/x"), 0);
	cr_assert_eq(check(0, UINT64_MAX, -1, &e), HTTP_REDIRECT);
	cr_assert_str_eq(a.location, "ftp://h/x", "the caller resolves it and checks the scheme");
	cr_assert_eq(feed("HTTP/1.1 302 Found"), 0);
	cr_assert_eq(check(0, UINT64_MAX, -1, &e), FWS_EREMOTE);
	cr_assert_eq(feed("HTTP/1.1 503 Busy"), 0);
	cr_assert_eq(check(0, UINT64_MAX, -1, &e), HTTP_RETRY);
	cr_assert_eq(feed("HTTP/1.1 404 Not Found"), 0);
	cr_assert_eq(check(0, UINT64_MAX, -1, &e), FWS_ENET);
	cr_assert_eq(feed("HTTP/1.1 200 OK\nContent-Encoding: gzip"), 0);
	cr_assert_eq(check(0, UINT64_MAX, -1, &e), FWS_EREMOTE);
}
