/* SPDX-License-Identifier: Apache-2.0 */
/* One HTTP answer, checked against its request (http_check.h). What the
 * server says about the bytes is checked here; what the bytes are is the
 * verifier's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "net/curl_load.h"
#include "net/http_check.h"

static const char *header(CURL *e, const char *name)
{
	struct curl_header *hd = NULL;
	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK || hd == NULL)
		return NULL;
	return hd->value;
}

/* Decimal digits only, no sign, no overflow. */
static const char *number(const char *p, uint64_t *out)
{
	uint64_t x = 0;
	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
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
	if (v == NULL || strncmp(v, "bytes ", 6) != 0)
		return -1;
	const char *p = number(v + 6, first);
	if (p == NULL || *p != '-' || (p = number(p + 1, last)) == NULL || *p != '/' ||
	    (p = number(p + 1, size)) == NULL || *p != '\0' || *first > *last || *last >= *size)
		return -1;
	return 0;
}

static int same_file(const char *where, struct http_validator *v, const char *etag,
		     const char *date)
{
	if (v->etag[0] != '\0' && (etag == NULL || strcmp(etag, v->etag) != 0))
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "the bundle changed on the server during the download (ETag %s, "
				    "then %.60s)",
				    v->etag, etag ? etag : "none");
	if (v->etag[0] == '\0' && v->last_modified[0] != '\0' &&
	    (date == NULL || strcmp(date, v->last_modified) != 0))
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "the bundle changed on the server during the download "
				    "(Last-Modified %s, then %.40s)",
				    v->last_modified, date ? date : "none");
	return 0;
}

/* The first answer names the file: remember how to recognise it. */
static void learn(struct http_validator *v, const char *etag, const char *date)
{
	if (v->etag[0] != '\0' || v->last_modified[0] != '\0')
		return;
	if (etag != NULL && strlen(etag) < sizeof(v->etag))
		strcpy(v->etag, etag);
	if (date != NULL && strlen(date) < sizeof(v->last_modified))
		strcpy(v->last_modified, date);
	/* If-Range takes a strong ETag (a weak one never matches) or a date. */
	if (v->etag[0] == '"')
		strcpy(v->if_range, v->etag);
	else if (v->last_modified[0] != '\0')
		strcpy(v->if_range, v->last_modified);
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

static int partial(CURL *e, const char *where, uint64_t start, uint64_t end,
		   struct http_validator *v, uint64_t *expect)
{
	uint64_t first, last, size;
	if (content_range(header(e, "Content-Range"), &first, &last, &size) != 0)
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

/* A Location (absolute, or relative to the URL asked) as an absolute URL,
 * or NULL. */
static char *resolve(CURL *e, const char *loc)
{
	char *base = NULL, *abs = NULL, *copy = NULL;
	CURLU *u = curl_url();
	if (u != NULL && curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &base) == CURLE_OK &&
	    base != NULL && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
		copy = strdup(abs);
	curl_free(abs);
	curl_url_cleanup(u);
	return copy;
}

int http_check_answer(CURL *e, const char *where, uint64_t start, uint64_t end,
		      struct http_validator *v, uint64_t *expect, char **location)
{
	long status = 0;
	curl_off_t length = -1;
	int ranged = start > 0 || end != UINT64_MAX;
	*expect = UINT64_MAX;
	*location = NULL;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
		const char *loc = header(e, "Location");
		if (loc == NULL || (*location = resolve(e, loc)) == NULL)
			return fws_diag_set(FWS_EREMOTE, 0, where,
					    "redirect (%ld) without a valid Location", status);
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
		return fws_diag_set(FWS_ENET, 0, where, "HTTP status %ld", status);
	const char *coding = header(e, "Content-Encoding");
	if (coding != NULL && strcmp(coding, "identity") != 0)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "Content-Encoding %.20s was not asked for", coding);
	const char *etag = header(e, "ETag"), *date = header(e, "Last-Modified");
	int rc = same_file(where, v, etag, date);
	if (rc != 0)
		return rc;
	learn(v, etag, date);
	if (status == 206) {
		if (!ranged)
			return fws_diag_set(FWS_EREMOTE, 0, where, "206 to a request without Range");
		return partial(e, where, start, end, v, expect);
	}
	/* 200: the whole file. To a range request that means the server
	 * ignores ranges (or If-Range no longer matched, caught above). */
	if (ranged)
		return fws_diag_set(FWS_EREMOTE, 0, where,
				    "the server ignores Range requests (200 instead of 206 for bytes "
				    "%llu-): cannot resume or fetch a delta",
				    (unsigned long long)start);
	if (curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
	    length >= 0) {
		rc = check_size(where, v, (uint64_t)length);
		*expect = (uint64_t)length;
	}
	return rc;
}
