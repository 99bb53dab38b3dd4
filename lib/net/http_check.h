/* SPDX-License-Identifier: Apache-2.0 */
/* Reading and checking one HTTP answer against the request it answers
 * (lib/net). The header lines are parsed here, byte by byte, with limits
 * of fwseal's own (a server may not make the reader buffer without end);
 * the first answer fixes the bundle's validator (a strong ETag, else
 * Last-Modified) and size; every later answer must name the same ones, so
 * a resumed or ranged request can only ever continue the same file.
 * No libcurl here: tests/fuzz/fuzz_http.c drives it with raw bytes.
 * Internal to lib/net. */
#ifndef FWSEAL_NET_HTTP_CHECK_H
#define FWSEAL_NET_HTTP_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* One header line (status line included, line end included) longer than
 * this, or an answer's header lines together longer than HTTP_HEAD_MAX,
 * is FWS_EHEADER: nginx's own default limit for a request line is 8 KiB. */
#define HTTP_LINE_MAX 8192
#define HTTP_HEAD_MAX 65536
/* A validator, Location or other value kept must fit in full (FWS_EHEADER
 * otherwise): a value cut short would compare equal to another file's. */
#define HTTP_VALUE_MAX 1024

struct http_validator {
	char etag[HTTP_VALUE_MAX];          /* as the first answer gave it ("" = none) */
	char last_modified[HTTP_VALUE_MAX]; /* ditto */
	char if_range[HTTP_VALUE_MAX];      /* what a resumed request sends: strong ETag, else date */
	uint64_t size;                      /* the file's size (0 = not known yet) */
	int have_size;
};

/* The parts of one answer fwseal uses, as its header lines said them. */
struct http_answer {
	int status;          /* from the status line; 0 = none seen yet */
	size_t head_bytes;   /* header bytes of this answer so far */
	unsigned seen;       /* HTTP_H_* bits: each header at most once */
	char etag[HTTP_VALUE_MAX];
	char last_modified[HTTP_VALUE_MAX];
	char location[HTTP_VALUE_MAX];
	char content_range[128];
	char content_encoding[64];
};

enum { HTTP_BODY = 0, HTTP_REDIRECT = 1, HTTP_RETRY = 2 };

/* Resets the answer: before a request (and at every status line, so an
 * interim 1xx answer leaves nothing behind). */
void http_answer_reset(struct http_answer *a);

/* One header line as received (with or without its CR LF; a line end
 * alone ends the header block and is accepted). 0, or FWS_EHEADER (too
 * long) / FWS_EREMOTE (not a status line or "Name: value", a header that
 * matters given twice) with the reason recorded against `where`. */
int http_answer_line(struct http_answer *a, const char *where, const char *line, size_t len);

/* The answer to a request for the bytes [start, end) (end = UINT64_MAX: to
 * the end; start 0 and no end: no Range header was sent); length is the
 * Content-Length (-1 if none). Returns HTTP_BODY with *expect = the body's
 * promised length (UINT64_MAX if not said), HTTP_REDIRECT (the target is
 * a->location, not yet resolved), HTTP_RETRY for a status worth retrying
 * (5xx, 408, 429), or a negative FWS_E* code with the reason recorded
 * against `where`. */
int http_check_answer(const struct http_answer *a, const char *where, uint64_t start,
		      uint64_t end, int64_t length, struct http_validator *v, uint64_t *expect);

#endif
