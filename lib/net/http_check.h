/* SPDX-License-Identifier: Apache-2.0 */
/* Checking one HTTP answer against the request it answers (lib/net). The
 * first answer fixes the bundle's validator (a strong ETag, else
 * Last-Modified) and size; every later answer must name the same ones, so
 * a resumed or ranged request can only ever continue the same file.
 * Internal to lib/net. */
#ifndef FWSEAL_NET_HTTP_CHECK_H
#define FWSEAL_NET_HTTP_CHECK_H

#include <curl/curl.h>
#include <stdint.h>

struct http_validator {
	char etag[160];          /* as the first answer gave it ("" = none) */
	char last_modified[64];  /* ditto */
	char if_range[160];      /* what a resumed request sends: strong ETag, else date */
	uint64_t size;           /* the file's size (0 = not known yet) */
	int have_size;
};

enum { HTTP_BODY = 0, HTTP_REDIRECT = 1, HTTP_RETRY = 2 };

/* The answer to a request for the bytes [start, end) (end = UINT64_MAX: to
 * the end; start 0 and no end: no Range header was sent). Returns
 * HTTP_BODY with *expect = the body's promised length (UINT64_MAX if not
 * said), HTTP_REDIRECT with *location (the caller frees it), HTTP_RETRY
 * for a status worth retrying (5xx, 408, 429), or a negative FWS_E* code
 * with the reason recorded against `where`. */
int http_check_answer(CURL *e, const char *where, uint64_t start, uint64_t end,
		      struct http_validator *v, uint64_t *expect, char **location);

#endif
