/* SPDX-License-Identifier: Apache-2.0 */
/* One HTTP answer, read and checked against its request (http_check.h).
 * What the server says about the bytes is checked here; what the bytes are
 * is the verifier's business. Every header line is hostile: its length is
 * bounded before anything is kept, and a value fwseal keeps is kept whole
 * or the answer is refused (never cut short and compared). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "net/http_check.h"

enum {
	HTTP_H_ETAG = 1u << 0,
	HTTP_H_LAST_MODIFIED = 1u << 1,
	HTTP_H_LOCATION = 1u << 2,
	HTTP_H_CONTENT_RANGE = 1u << 3,
	HTTP_H_CONTENT_ENCODING = 1u << 4,
};

void http_answer_reset(struct http_answer *a)
{
	memset(a, 0, sizeof(*a));
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "HTTP/1.1 206 Partial Content", "HTTP/2 200": the version, one space,
 * three digits, then a space and any reason, or nothing. */
static int status_line(const char *p, size_t n, int *status)
{
	size_t i = 5;
	if (n < 5 || memcmp(p, "HTTP/", 5) != 0 || i >= n || !is_digit(p[i]))
		return -1;
	while (i < n && is_digit(p[i]))
		i++;
	if (i < n && p[i] == '.') {
		if (++i >= n || !is_digit(p[i]))
			return -1;
		while (i < n && is_digit(p[i]))
			i++;
	}
	if (i + 4 > n || p[i] != ' ' || !is_digit(p[i + 1]) || !is_digit(p[i + 2]) ||
	    !is_digit(p[i + 3]) || (i + 4 < n && p[i + 4] != ' '))
		return -1;
	*status = (p[i + 1] - '0') * 100 + (p[i + 2] - '0') * 10 + (p[i + 3] - '0');
	return *status >= 100 ? 0 : -1;
}

/* RFC 9110 token characters: what a header name may hold. */
static int token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

static int keep(const char *where, const char *name, char *dst, size_t cap, const char *v,
		size_t n)
{
	if (n >= cap)
		return fws_diag_set(FWS_EHEADER, 0, where,
				    "the %s is %zu bytes (at most %zu are kept whole): refused rather "
				    "than compared cut short",
				    name, n, cap - 1);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

int http_answer_line(struct http_answer *a, const char *where, const char *line, size_t len)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t off, cap;
	} kept[] = {
	    {"ETag", HTTP_H_ETAG, offsetof(struct http_answer, etag), HTTP_VALUE_MAX},
	    {"Last-Modified", HTTP_H_LAST_MODIFIED, offsetof(struct http_answer, last_modified),
	     HTTP_VALUE_MAX},
	    {"Location", HTTP_H_LOCATION, offsetof(struct http_answer, location), HTTP_VALUE_MAX},
	    {"Content-Range", HTTP_H_CONTENT_RANGE, offsetof(struct http_answer, content_range),
	     sizeof(a->content_range)},
	    {"Content-Encoding", HTTP_H_CONTENT_ENCODING,
	     offsetof(struct http_answer, content_encoding), sizeof(a->content_encoding)},
	};
	if (len > HTTP_LINE_MAX)
		return fws_diag_set(FWS_EHEADER, 0, where,
				    "a header line of %zu bytes (at most %d): refused", len,
				    HTTP_LINE_MAX);
	size_t n = len;
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		int status = 0;
		if (status_line(line, n, &status) != 0)
			return fws_diag_set(FWS_EREMOTE, 0, where, "not an HTTP status line");
		http_answer_reset(a); /* a new answer (after an interim 1xx) */
		a->status = status;
		a->head_bytes = len;
		return 0;
	}
	if (a->status == 0)
		return fws_diag_set(FWS_EREMOTE, 0, where, "a header line before the status line");
	a->head_bytes += len;
	if (a->head_bytes > HTTP_HEAD_MAX)
		return fws_diag_set(FWS_EHEADER, 0, where,
				    "the answer's header lines exceed %d bytes: refused", HTTP_HEAD_MAX);
	if (n == 0)
		return 0; /* the end of the header block */
	/* A CR, LF or NUL inside a line (or any other control byte but tab)
	 * would travel on: a value kept here goes back out in If-Range. */
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			return fws_diag_set(FWS_EREMOTE, 0, where,
					    "a header line holds a control byte (0x%02x)",
					    (unsigned char)line[i]);
	/* A continuation line (obsolete folding) could hide a header in another. */
	const char *colon = memchr(line, ':', n);
	size_t name_len = colon ? (size_t)(colon - line) : 0;
	for (size_t i = 0; i < name_len; i++)
		if (!token_char((unsigned char)line[i]))
			name_len = 0;
	if (colon == NULL || name_len == 0)
		return fws_diag_set(FWS_EREMOTE, 0, where, "a header line that is not \"Name: value\"");
	const char *v = colon + 1, *e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
		if (strlen(kept[k].name) != name_len || strncasecmp(line, kept[k].name, name_len) != 0)
			continue;
		/* Two different answers in one: which one would the next check see? */
		if (a->seen & kept[k].bit)
			return fws_diag_set(FWS_EREMOTE, 0, where, "%s given twice in one answer",
					    kept[k].name);
		a->seen |= kept[k].bit;
		return keep(where, kept[k].name, (char *)a + kept[k].off, kept[k].cap, v,
			    (size_t)(e - v));
	}
	return 0;
}

/* Decimal digits only, no sign, no overflow. */
static const char *number(const char *p, uint64_t *out)
{
	uint64_t x = 0;
	if (!is_digit(*p))
		return NULL;
	for (; is_digit(*p); p++) {
		if (x > (UINT64_MAX - 9) / 10)
			return NULL;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*out = x;
	return p;
}

/* "bytes FIRST-LAST/SIZE", exactly. */
static int content_range(const char *v, uint64_t *first, uint64_t *last, uint64_t *size)
{
	if (strncmp(v, "bytes ", 6) != 0)
		return -1;
	const char *p = number(v + 6, first);
	if (p == NULL || *p != '-' || (p = number(p + 1, last)) == NULL || *p != '/' ||
	    (p = number(p + 1, size)) == NULL || *p != '\0' || *first > *last || *last >= *size)
		return -1;
	return 0;
}

static int same_file(const char *where, const struct http_validator *v, const char *etag,
		     const char *date)
{
	if (v->etag[0] != '\0' && strcmp(etag, v->etag) != 0)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "the bundle changed on the server during the download (ETag %.60s, "
				    "then %.60s)",
				    v->etag, etag[0] ? etag : "none");
	if (v->etag[0] == '\0' && v->last_modified[0] != '\0' && strcmp(date, v->last_modified) != 0)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "the bundle changed on the server during the download "
				    "(Last-Modified %.40s, then %.40s)",
				    v->last_modified, date[0] ? date : "none");
	return 0;
}

/* The first answer names the file: remember how to recognise it. Both
 * values fit: the answer kept them whole in buffers of the same size. */
static void learn(struct http_validator *v, const char *etag, const char *date)
{
	if (v->etag[0] != '\0' || v->last_modified[0] != '\0')
		return;
	snprintf(v->etag, sizeof(v->etag), "%s", etag);
	snprintf(v->last_modified, sizeof(v->last_modified), "%s", date);
	/* If-Range takes a strong ETag (a weak one never matches) or a date. */
	if (v->etag[0] == '"')
		snprintf(v->if_range, sizeof(v->if_range), "%s", v->etag);
	else if (v->last_modified[0] != '\0')
		snprintf(v->if_range, sizeof(v->if_range), "%s", v->last_modified);
}

static int check_size(const char *where, struct http_validator *v, uint64_t size)
{
	if (v->have_size && size != v->size)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "the bundle changed on the server during the download (%llu "
				    "bytes, then %llu)",
				    (unsigned long long)v->size, (unsigned long long)size);
	v->size = size;
	v->have_size = 1;
	return 0;
}

static int partial(const struct http_answer *a, const char *where, uint64_t start,
		   uint64_t end, struct http_validator *v, uint64_t *expect)
{
	uint64_t first, last, size;
	if (!(a->seen & HTTP_H_CONTENT_RANGE) ||
	    content_range(a->content_range, &first, &last, &size) != 0)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "206 without a valid Content-Range (\"bytes FIRST-LAST/SIZE\")");
	int rc = check_size(where, v, size);
	if (rc != 0)
		return rc;
	/* A range past the end is cut at the end; nothing else may differ. */
	uint64_t want_last = (end == UINT64_MAX || end > size ? size : end) - 1;
	if (first != start || last != want_last)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "asked for bytes %llu-%llu, got %llu-%llu",
				    (unsigned long long)start, (unsigned long long)want_last,
				    (unsigned long long)first, (unsigned long long)last);
	*expect = last - first + 1;
	return 0;
}

int http_check_answer(const struct http_answer *a, const char *where, uint64_t start,
		      uint64_t end, int64_t length, struct http_validator *v, uint64_t *expect)
{
	int status = a->status;
	int ranged = start > 0 || end != UINT64_MAX;
	*expect = UINT64_MAX;
	if (status == 0)
		return fws_diag_set(FWS_EREMOTE, 0, where, "an answer without a status line");
	if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
		if (!(a->seen & HTTP_H_LOCATION) || a->location[0] == '\0')
			return fws_diag_set(FWS_EREMOTE, 0, where,
					    "redirect (%d) without a valid Location", status);
		return HTTP_REDIRECT;
	}
	if (status == 408 || status == 429 || (status >= 500 && status <= 599))
		return HTTP_RETRY;
	if (status == 416)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "416: bytes from %llu are not there: the bundle on the server "
				    "changed or is shorter",
				    (unsigned long long)start);
	if (status != 200 && status != 206)
		return fws_diag_set(FWS_ENET, 0, where, "HTTP status %d", status);
	if ((a->seen & HTTP_H_CONTENT_ENCODING) && strcmp(a->content_encoding, "identity") != 0)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "Content-Encoding %.20s was not asked for", a->content_encoding);
	int rc = same_file(where, v, a->etag, a->last_modified);
	if (rc != 0)
		return rc;
	learn(v, a->etag, a->last_modified);
	if (status == 206) {
		if (!ranged)
			return fws_diag_set(FWS_EREMOTE, 0, where, "206 to a request without Range");
		return partial(a, where, start, end, v, expect);
	}
	/* 200: the whole file. To a range request that means the server
	 * ignores ranges (or If-Range no longer matched, caught above). */
	if (ranged)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "the server ignores Range requests (200 instead of 206 for bytes "
				    "%llu-): cannot resume or fetch a delta",
				    (unsigned long long)start);
	if (length >= 0) {
		rc = check_size(where, v, (uint64_t)length);
		*expect = (uint64_t)length;
	}
	return rc;
}
