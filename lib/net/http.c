/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP(S) bundle reader (fwseal/net.h, docs/network.md).
 *
 * libcurl pushes bytes; the verifier pulls them. The multi interface runs
 * one transfer at a time on one easy handle; its write callback copies
 * into a fixed buffer and pauses the transfer when the buffer is full, so
 * memory stays bounded whatever the server sends.
 *
 * Each transfer asks for one byte range of the bundle: [pos, end). With no
 * map that is the whole rest; with a delta map, the part the map says to
 * fetch. A transfer that fails after delivering bytes is resumed at the
 * first byte not delivered, with If-Range naming the validator the first
 * answer gave, so a file replaced on the server is noticed instead of
 * spliced. Every answer is checked against what was asked: status, the
 * Content-Range, the total size, the validator, and the body's length. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "fwseal/net.h"
#include "io/io.h"
#include "io/secret_file.h"
#include "net/curl_load.h"
#include "net/curl_setup.h"
#include "net/http_check.h"
#include "net/oci.h"
#include <sodium.h>

#define BUF_CAP (256 * 1024)     /* more than libcurl hands over at once (16 KiB) */
#define WINDOW_FIRST 4096 /* layout not known yet: this much, then twice as much */
#define WINDOW_MAX (1024 * 1024)
#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 5000
#define POLL_MS 100
/* New registry tokens one download may fetch after a 401 (ADR-089). */
#define OCI_RENEWALS_MAX 3

struct fws_http {
	struct fws_http_opts o;
	char *url;       /* where requests go now (after a redirect) */
	char *first_url; /* as given: custom headers go only to its origin */
	char shown[256]; /* the URL as messages show it */
	CURL *easy;
	CURLM *multi;
	struct curl_slist *sent; /* headers of the transfer running */
	char errbuf[CURL_ERROR_SIZE];
	const struct fws_stream_map *map;
	/* the transfer running */
	int active, checked;
	uint64_t req_start, req_end; /* asked for [start, end); end UINT64_MAX = to the end */
	uint64_t expect;             /* body bytes promised (UINT64_MAX = not said) */
	uint64_t got;                /* body bytes received */
	int answer_rc;               /* http_check_answer's verdict */
	struct http_answer ans;      /* the answer's header lines, as read */
	int refusal;                 /* our own refusal of the body, or 0 */
	char *location;              /* a redirect's target */
	uint32_t redirects;
	int64_t last_byte_ms;
	int64_t deadline_ms; /* the whole download ends by then (0: not started) */
	/* across transfers */
	uint64_t pos;    /* the next stream byte to deliver */
	uint64_t window; /* next window while the map knows nothing */
	struct http_validator v;
	uint32_t fails;  /* failed attempts in a row without progress */
	uint64_t attempt_pos;
	int eof;
	int error; /* sticky: once failed, always failed */
	struct fws_http_stats stats;
	/* An oci:// blob: every byte delivered is hashed, and the end of the
	 * stream is its end only when size and digest are the manifest's. */
	int oci;
	uint8_t blob_digest[32];
	uint64_t blob_size;
	struct fws_sha256 blob_hash;
	char *authz; /* the registry's Authorization header (a token), wiped */
	char *oci_ref;	    /* the oci:// reference, to fetch a new token */
	unsigned renewals; /* new tokens fetched during this download */
	uint8_t buf[BUF_CAP];
	size_t rd, wr;
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(uint32_t ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* Scheme, host and port: a redirect elsewhere gets no custom headers. */
static int origin(const char *url, char *out, size_t cap)
{
	CURLU *u = curl_url();
	char *p[3] = {0};
	int rc = u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
			 curl_url_get(u, CURLUPART_SCHEME, &p[0], 0) == CURLUE_OK &&
			 curl_url_get(u, CURLUPART_HOST, &p[1], 0) == CURLUE_OK &&
			 curl_url_get(u, CURLUPART_PORT, &p[2], CURLU_DEFAULT_PORT) == CURLUE_OK
		     ? 0
		     : -1;
	if (rc == 0)
		snprintf(out, cap, "%s://%s:%s", p[0], p[1], p[2]);
	for (int i = 0; i < 3; i++)
		curl_free(p[i]);
	curl_url_cleanup(u);
	return rc;
}

/* The URL as messages show it: no user name, password or query (tokens
 * travel there). */
static void show_url(struct fws_http *h)
{
	CURLU *u = curl_url();
	char *path = NULL, where[200];
	if (origin(h->url, where, sizeof(where)) == 0 && u != NULL &&
	    curl_url_set(u, CURLUPART_URL, h->url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK)
		snprintf(h->shown, sizeof(h->shown), "%s%.50s", where, path);
	else
		snprintf(h->shown, sizeof(h->shown), "the URL");
	curl_free(path);
	curl_url_cleanup(u);
}

static int same_origin(const char *a, const char *b)
{
	char oa[512], ob[512];
	return origin(a, oa, sizeof(oa)) == 0 && origin(b, ob, sizeof(ob)) == 0 &&
	       strcasecmp(oa, ob) == 0;
}

static int scheme_allowed(const struct fws_http *h, const char *url)
{
	return strncasecmp(url, "https://", 8) == 0 ||
	       (h->o.allow_http && strncasecmp(url, "http://", 7) == 0);
}

/* A URL whose scheme is not allowed, named by its scheme: plain http is a
 * downgrade (50, and how to allow it); file://, ftp:// and the rest are
 * never fetched (49 for a redirect there, 2 as the URL given). */
static int refuse_scheme(const struct fws_http *h, const char *url, int redirect)
{
	const char *how = redirect ? "redirected to" : "the URL is";
	char scheme[24];
	size_t n = fws_url_scheme(url, scheme, sizeof(scheme));
	if (n > 0 && strcasecmp(scheme, "http") == 0)
		return fws_diag_set(FWS_EINSECURE, 0, h->shown,
				    "%s plain http: refused (allow-http in system.conf [network], or "
				    "--allow-http)",
				    how);
	return fws_diag_set(redirect ? FWS_ENET : FWS_EUSAGE, 0, h->shown,
			    "%s a %s%s URL: refused (fwseal fetches https://, and http:// with "
			    "allow-http, only)",
			    how, n > 0 ? scheme : "scheme-less", n > 0 ? "://" : "");
}

/* The files the TLS options name are read by libcurl only at the
 * handshake, where a missing one looks like a TLS failure (50): name it
 * first as the input it is (33 missing, 4 unreadable). A private key that
 * others may read, or that is not the caller's or root's, is refused (41):
 * whoever reads it is the device to the server. */
static int check_tls_file(const char *path, const char *what, int secret)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fws_diag_set(errno == ENOENT ? FWS_ENOENT : FWS_EIO, errno, path,
				    "the %s cannot be opened", what);
	int rc = fstat(fd, &st) != 0 ? fws_diag_set(FWS_EIO, errno, path, "the %s", what) : 0;
	close(fd);
	if (rc == 0 && !S_ISREG(st.st_mode))
		rc = fws_diag_set(FWS_EIO, 0, path, "the %s is not a regular file", what);
	if (rc == 0 && secret)
		rc = fws_secret_file_mode_ok(path, &st, what);
	return rc;
}

/* A Location (absolute, or relative to the URL asked) as an absolute URL,
 * or NULL. */
static char *resolve(const char *base, const char *loc)
{
	char *abs = NULL, *copy = NULL;
	CURLU *u = curl_url();
	if (u != NULL && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
		copy = strdup(abs);
	curl_free(abs);
	curl_url_cleanup(u);
	return copy;
}

/* The answer's verdict, once its header lines are all in (at its first
 * body byte, or when it ended without one). */
static void check_answer(struct fws_http *h)
{
	curl_off_t length = -1;
	long status = 0;
	h->checked = 1;
	if (h->refusal != 0)
		return;
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(h->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) != CURLE_OK)
		length = -1;
	/* libcurl and this reader read the same lines: they must agree. */
	if (status != h->ans.status)
		h->answer_rc = fws_diag_set(FWS_EREMOTE, 0, h->shown,
					    "the status line says %d, libcurl read %ld", h->ans.status,
					    status);
	else
		h->answer_rc = http_check_answer(&h->ans, h->shown, h->req_start, h->req_end,
						 (int64_t)length, &h->v, &h->expect);
	if (h->answer_rc == HTTP_REDIRECT && (h->location = resolve(h->url, h->ans.location)) == NULL)
		h->answer_rc = fws_diag_set(FWS_EREMOTE, 0, h->shown,
					    "redirect (%d) without a valid Location", h->ans.status);
}

/* Each header line goes through http_answer_line, which bounds it before
 * anything is kept: a flood of header bytes is FWS_EHEADER, not memory. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct fws_http *h = ctx;
	size_t n = size * nmemb;
	if (h->checked || h->refusal != 0)
		return h->refusal != 0 ? 0 : n; /* trailers after the body: not used */
	int rc = http_answer_line(&h->ans, h->shown, data, n);
	if (rc != 0) {
		h->refusal = rc;
		return 0; /* ends the transfer: the reason is recorded */
	}
	return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct fws_http *h = ctx;
	size_t n = size * nmemb;
	if (!h->checked)
		check_answer(h);
	if (h->refusal != 0)
		return 0;
	if (h->answer_rc != HTTP_BODY)
		return 0; /* not a body we asked for (an error page, a redirect's) */
	if (h->expect != UINT64_MAX && n > h->expect - h->got) {
		h->refusal = fws_diag_set(FWS_EREMOTE, 0, h->shown,
					  "the body runs past the %llu bytes promised",
					  (unsigned long long)h->expect);
		return 0;
	}
	if (BUF_CAP - h->wr < n && h->rd > 0) {
		memmove(h->buf, h->buf + h->rd, h->wr - h->rd);
		h->wr -= h->rd;
		h->rd = 0;
	}
	if (n > BUF_CAP)
		return 0; /* cannot happen: libcurl hands over at most 16 KiB */
	if (BUF_CAP - h->wr < n)
		return CURL_WRITEFUNC_PAUSE; /* the verifier catches up first */
	memcpy(h->buf + h->wr, data, n);
	h->wr += n;
	h->got += n;
	h->stats.downloaded += n;
	h->last_byte_ms = now_ms();
	return n;
}

void fws_http_close(struct fws_http *h)
{
	if (h == NULL)
		return;
	if (h->active)
		curl_multi_remove_handle(h->multi, h->easy);
	if (h->easy != NULL)
		curl_easy_cleanup(h->easy);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->sent);
	if (h->authz != NULL) {
		sodium_memzero(h->authz, strlen(h->authz));
		free(h->authz);
	}
	free(h->oci_ref);
	free(h->location);
	free(h->url);
	free(h->first_url);
	free(h);
}

/* Nothing waits for ever: 0 means the documented defaults. Every copy
 * of the caller's options goes through here (a URL, an oci:// blob). */
static void take_defaults(struct fws_http_opts *o)
{
	if (o->stall_timeout_ms == 0)
		o->stall_timeout_ms = FWS_STALL_TIMEOUT_MS;
	if (o->download_timeout_ms == 0)
		o->download_timeout_ms = FWS_DOWNLOAD_TIMEOUT_MS;
}

static int open_url(const struct fws_http_opts *o, struct fws_http **out)
{
	*out = NULL;
	if (!fws_is_url(o->url) || fws_is_oci_ref(o->url))
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "not an http:// or https:// URL");
	if (o->n_headers > FWS_NET_HEADERS_MAX)
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "more than %d headers", FWS_NET_HEADERS_MAX);
	for (size_t i = 0; i < o->n_headers; i++)
		if (!fws_http_header_valid(o->headers[i]))
			return fws_diag_set(FWS_EUSAGE, 0, NULL,
					    "header \"%.40s\" is not \"Name: value\"", o->headers[i]);
	int loaded = fws_curl_load();
	if (loaded != 0)
		return loaded;
	struct fws_http *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return FWS_ENOMEM;
	h->o = *o;
	take_defaults(&h->o);
	h->url = strdup(o->url);
	h->first_url = strdup(o->url);
	h->easy = curl_easy_init();
	h->multi = curl_multi_init();
	h->window = WINDOW_FIRST;
	if (h->url == NULL || h->first_url == NULL || h->easy == NULL || h->multi == NULL) {
		fws_http_close(h);
		return FWS_ENOMEM;
	}
	char o_buf[512];
	int rc = 0;
	if (origin(o->url, o_buf, sizeof(o_buf)) != 0)
		rc = fws_diag_set(FWS_EUSAGE, 0, NULL, "not a valid URL");
	show_url(h);
	if (rc == 0 && !scheme_allowed(h, o->url))
		rc = refuse_scheme(h, o->url, 0);
	if (rc == 0 && o->ca_file != NULL)
		rc = check_tls_file(o->ca_file, "CA file", 0);
	if (rc == 0 && o->client_cert != NULL)
		rc = check_tls_file(o->client_cert, "client certificate", 0);
	if (rc == 0 && o->client_key != NULL)
		rc = check_tls_file(o->client_key, "client key", 1);
	if (rc == 0 && o->proxy != NULL && strncasecmp(o->proxy, "http://", 7) != 0 &&
	    strncasecmp(o->proxy, "https://", 8) != 0)
		rc = fws_diag_set(FWS_EUSAGE, 0, NULL,
				  "the proxy must be an http:// or https:// URL (host and port)");
	if (rc != 0) {
		fws_http_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

/* oci://: the manifest first (oci_resolve.c), then the blob it names, by
 * digest, through the reader above; the registry's Authorization goes as
 * a header for the registry's origin only, so a redirect to a CDN never
 * carries it (same_origin in start_transfer). */
static int open_oci(const struct fws_http_opts *o, struct fws_http **out)
{
	struct oci_blob *b = calloc(1, sizeof(*b));
	struct fws_http_opts blob_opts = *o;
	*out = NULL;
	if (b == NULL)
		return FWS_ENOMEM;
	int rc = oci_resolve(o, o->url, b);
	blob_opts.url = b->url;
	if (rc == 0 && b->authz[0] != '\0') {
		if (blob_opts.n_headers >= FWS_NET_HEADERS_MAX)
			rc = fws_diag_set(FWS_EUSAGE, 0, NULL,
					  "no room for the registry's Authorization beside %d headers",
					  FWS_NET_HEADERS_MAX);
		else
			blob_opts.headers[blob_opts.n_headers++] = b->authz;
	}
	if (rc == 0)
		rc = open_url(&blob_opts, out);
	if (rc == 0) {
		struct fws_http *h = *out;
		h->o = *o; /* the caller's options: blob_opts points into b */
		take_defaults(&h->o);
		h->o.url = NULL;
		h->o.n_headers = blob_opts.n_headers;
		if (b->authz[0] != '\0' && (h->authz = strdup(b->authz)) == NULL)
			rc = FWS_ENOMEM;
		else if (b->authz[0] != '\0')
			h->o.headers[h->o.n_headers - 1] = h->authz;
		h->oci = 1;
		if ((h->oci_ref = strdup(o->url)) == NULL)
			rc = FWS_ENOMEM;
		memcpy(h->blob_digest, b->digest, 32);
		h->blob_size = b->size;
		fws_sha256_init(&h->blob_hash);
		snprintf(h->shown, sizeof(h->shown), "%.250s", b->shown);
		if (rc != 0) {
			fws_http_close(h);
			*out = NULL;
		}
	}
	sodium_memzero(b->authz, sizeof(b->authz));
	free(b);
	return rc;
}

int fws_http_open(const struct fws_http_opts *o, struct fws_http **out)
{
	if (fws_is_oci_ref(o->url))
		return open_oci(o, out);
	return open_url(o, out);
}

/* An oci:// blob ends where its descriptor says, with its digest. */
static int blob_end(struct fws_http *h)
{
	uint8_t d[32];
	if (h->pos != h->blob_size)
		return fws_diag_set(FWS_EREMOTE, 0, h->shown,
				    "the blob ended after %llu bytes; its manifest says %llu",
				    (unsigned long long)h->pos, (unsigned long long)h->blob_size);
	fws_sha256_final(&h->blob_hash, d);
	if (sodium_memcmp(d, h->blob_digest, 32) != 0)
		return fws_diag_set(FWS_EREMOTE, 0, h->shown,
				    "the blob's bytes do not hash to the digest its manifest names");
	return 0;
}

void fws_http_use_map(void *ctx, const struct fws_stream_map *map)
{
	((struct fws_http *)ctx)->map = map;
}

const char *fws_http_name(const struct fws_http *h)
{
	return h->shown;
}

void fws_http_stats(const struct fws_http *h, struct fws_http_stats *out)
{
	*out = h->stats;
	out->size = h->v.have_size ? h->v.size : 0;
}

/* The request for [pos, end), every option set afresh so that nothing of
 * the previous transfer carries over. */
static int start_transfer(struct fws_http *h, uint64_t end)
{
	char range[64], if_range[HTTP_VALUE_MAX + 16];
	struct curl_slist *hdrs = NULL, *t;
	CURL *e = h->easy;
	int ranged = h->pos > 0 || end != UINT64_MAX;
	h->req_start = h->attempt_pos = h->pos;
	h->req_end = end;
	h->got = 0;
	h->expect = UINT64_MAX;
	h->checked = 0;
	h->answer_rc = h->refusal = 0;
	http_answer_reset(&h->ans);
	h->rd = h->wr = 0;
	free(h->location);
	h->location = NULL;
	if (end != UINT64_MAX)
		snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)h->pos,
			 (unsigned long long)(end - 1));
	else
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)h->pos);
	/* Custom headers (tokens) only to the origin they were given for. */
	if (same_origin(h->url, h->first_url))
		for (size_t i = 0; i < h->o.n_headers; i++)
			if ((t = curl_slist_append(hdrs, h->o.headers[i])) != NULL)
				hdrs = t;
	if (ranged && h->v.if_range[0] != '\0') {
		snprintf(if_range, sizeof(if_range), "If-Range: %s", h->v.if_range);
		if ((t = curl_slist_append(hdrs, if_range)) != NULL)
			hdrs = t;
	}
	curl_slist_free_all(h->sent);
	h->sent = hdrs; /* libcurl uses the list until the transfer ends */
	curl_easy_reset(e);
	/* Redirects are checked here, hop by hop. */
	fws_curl_setup(e, h->url, h->o.allow_http ? "http,https" : "https", &h->o, h->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	if (ranged)
		curl_easy_setopt(e, CURLOPT_RANGE, range);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	h->errbuf[0] = '\0';
	CURLMcode mc = curl_multi_add_handle(h->multi, e);
	if (mc != CURLM_OK)
		return fws_diag_set(FWS_ENOMEM, 0, h->shown, "libcurl: %s", curl_multi_strerror(mc));
	h->active = 1;
	h->stats.requests++;
	h->last_byte_ms = now_ms();
	if (h->deadline_ms == 0)
		h->deadline_ms = h->last_byte_ms + h->o.download_timeout_ms;
	return 0;
}

static void stop_transfer(struct fws_http *h)
{
	if (h->active)
		curl_multi_remove_handle(h->multi, h->easy);
	h->active = 0;
}

/* The whole download took longer than download-timeout (ADR-067). */
static int past_deadline(struct fws_http *h)
{
	return fws_diag_set(FWS_EDEADLINE, 0, h->shown,
			    "the download did not finish within download-timeout (%u s; %llu bytes "
			    "delivered): given up",
			    (unsigned)(h->o.download_timeout_ms / 1000),
			    (unsigned long long)h->stats.downloaded);
}

/* A failed attempt: retried while attempts remain (counted only while no
 * byte arrives), first at once, then with a doubling pause. */
static int retry_or_fail(struct fws_http *h, int code, const char *why)
{
	/* Progress is what this attempt received, delivered yet or still in
	 * the buffer (the last bytes and the close can come in one go). */
	if (h->req_start + h->got > h->attempt_pos)
		h->fails = 0;
	h->fails++;
	if (h->fails > h->o.retries)
		return fws_diag_set(code, 0, h->shown, "%s (%u attempts)", why, h->fails);
	h->stats.retries++;
	if (h->fails > 1) {
		uint32_t ms = BACKOFF_FIRST_MS << (h->fails > 6 ? 5 : h->fails - 2);
		ms = ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
		if (now_ms() + ms >= h->deadline_ms)
			return past_deadline(h); /* the pause would end past it */
		sleep_ms(ms);
	}
	return 0;
}

/* A registry's Bearer token expires (often after minutes) while a long
 * download, or its resume after a cut, still needs it: a 401 from the
 * registry's own origin on the blob gets a new token by the same
 * resolution as at the start (oci_resolve: manifest, challenge, token
 * service, credentials file), and the same bytes are asked again with it.
 * Bounded (OCI_RENEWALS_MAX per download); the blob stays the one the
 * first resolution named (its digest is checked at the end as always),
 * even if the tag moved meanwhile: only the token is taken (ADR-089). */
static int renew_token(struct fws_http *h)
{
	struct fws_http_opts o = h->o;
	struct oci_blob *b;
	int rc;
	if (h->renewals >= OCI_RENEWALS_MAX)
		return fws_diag_set(FWS_ENET, 0, h->shown,
				    "HTTP status 401 with a token renewed %u times: the registry "
				    "refuses this reader",
				    h->renewals);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return FWS_ENOMEM;
	o.url = h->oci_ref;
	o.n_headers = h->o.n_headers - 1; /* not the stale token */
	rc = oci_resolve(&o, h->oci_ref, b);
	if (rc == 0 && b->authz[0] == '\0')
		rc = fws_diag_set(FWS_ENET, 0, h->shown,
				  "HTTP status 401, and the registry gives no token now");
	if (rc == 0) {
		char *fresh = strdup(b->authz);
		if (fresh == NULL) {
			rc = FWS_ENOMEM;
		} else {
			sodium_memzero(h->authz, strlen(h->authz));
			free(h->authz);
			h->authz = fresh;
			h->o.headers[h->o.n_headers - 1] = h->authz;
			h->renewals++;
			h->stats.retries++;
		}
	}
	sodium_memzero(b->authz, sizeof(b->authz));
	free(b);
	return rc;
}

/* How the transfer ended: 0 (done or to be retried; h->active is 0 either
 * way) or a code that ends the download. */
static int finish(struct fws_http *h, CURLcode res)
{
	char why[CURL_ERROR_SIZE + 64];
	stop_transfer(h);
	if (!h->checked && res == CURLE_OK)
		check_answer(h); /* no body: a redirect, an empty answer */
	if (h->refusal != 0)
		return h->refusal;
	if (h->checked && h->answer_rc < 0 && h->ans.status == 401 && h->authz != NULL &&
	    same_origin(h->url, h->first_url))
		return renew_token(h);
	if (h->checked && h->answer_rc < 0)
		return h->answer_rc;
	if (h->checked && h->answer_rc == HTTP_REDIRECT) {
		if (++h->redirects > h->o.max_redirects)
			return fws_diag_set(FWS_ENET, 0, h->shown, "more than %u redirects",
					    h->o.max_redirects);
		if (!scheme_allowed(h, h->location))
			return refuse_scheme(h, h->location, 1);
		free(h->url);
		h->url = h->location;
		h->location = NULL;
		show_url(h);
		return 0; /* asked again there, for the same bytes */
	}
	if (h->checked && h->answer_rc == HTTP_RETRY) {
		long status = 0;
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
		snprintf(why, sizeof(why), "HTTP status %ld", status);
		return retry_or_fail(h, FWS_ENET, why);
	}
	switch (res) {
	case CURLE_OK:
		if (h->expect != UINT64_MAX && h->got < h->expect)
			return retry_or_fail(h, FWS_ENET, "the connection closed early");
		if (h->req_end == UINT64_MAX)
			h->eof = 1; /* the whole rest arrived */
		return 0;
	case CURLE_SSL_CONNECT_ERROR: {
		/* The handshake failed. If the socket itself broke (a reset, a
		 * close), that is the network: retried like any cut. Otherwise the
		 * peers disagree on TLS (an old version, no common cipher, a
		 * refused client certificate): that does not heal by asking again. */
		long os_errno = 0;
		curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &os_errno);
		snprintf(why, sizeof(why), "TLS handshake: %s",
			 h->errbuf[0] ? h->errbuf : curl_easy_strerror(res));
		if (os_errno != 0)
			return retry_or_fail(h, FWS_ENET, why);
		return fws_diag_set(FWS_EINSECURE, 0, h->shown, "%s (not retried)", why);
	}
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return fws_diag_set(FWS_EINSECURE, 0, h->shown, "%s (not retried)",
				    h->errbuf[0] ? h->errbuf : curl_easy_strerror(res));
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return fws_diag_set(FWS_ENET, 0, h->shown, "%s",
				    h->errbuf[0] ? h->errbuf : curl_easy_strerror(res));
	case CURLE_OUT_OF_MEMORY:
		return FWS_ENOMEM;
	default:
		snprintf(why, sizeof(why), "%s", h->errbuf[0] ? h->errbuf : curl_easy_strerror(res));
		return retry_or_fail(h, FWS_ENET, why);
	}
}

/* Runs the transfer until bytes are buffered or it ended. */
static int pump(struct fws_http *h)
{
	uint32_t stall = h->o.stall_timeout_ms;
	while (h->active && h->rd == h->wr) {
		int running = 0, left = 0;
		/* A byte now and then resets the stall clock, never this one: the
		 * device lock an install holds is bounded by it (ADR-067). Checked
		 * first, so that a steady stream cannot pass it either. */
		if (now_ms() >= h->deadline_ms) {
			stop_transfer(h);
			return past_deadline(h);
		}
		CURLMcode mc = curl_multi_perform(h->multi, &running);
		if (mc != CURLM_OK)
			return fws_diag_set(FWS_ENET, 0, h->shown, "libcurl: %s", curl_multi_strerror(mc));
		CURLMsg *msg;
		while ((msg = curl_multi_info_read(h->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				return finish(h, msg->data.result);
		if (h->rd < h->wr)
			break;
		if (now_ms() - h->last_byte_ms > (int64_t)stall) {
			stop_transfer(h);
			return retry_or_fail(h, FWS_ESTALLED, "no byte arrived within the stall timeout");
		}
		mc = curl_multi_poll(h->multi, NULL, 0, POLL_MS, NULL);
		if (mc != CURLM_OK)
			return fws_diag_set(FWS_ENET, 0, h->shown, "libcurl: %s", curl_multi_strerror(mc));
	}
	return 0;
}

/* Where the next transfer should end, or 0 with *local set when the map
 * supplies the next bytes itself. */
static uint64_t next_end(struct fws_http *h, uint64_t *local)
{
	uint64_t len = 0;
	*local = 0;
	if (h->map == NULL)
		return UINT64_MAX;
	switch (h->map->lookup(h->map->ctx, h->pos, &len)) {
	case FWS_MAP_LOCAL:
		*local = len;
		return 0;
	case FWS_MAP_FETCH:
		return len == UINT64_MAX ? UINT64_MAX : h->pos + len;
	default: {
		uint64_t w = h->window;
		if (h->window < WINDOW_MAX)
			h->window *= 2;
		return h->pos + w;
	}
	}
}

ssize_t fws_http_read(void *ctx, uint8_t *out, size_t len)
{
	struct fws_http *h = ctx;
	while (h->error == 0) {
		if (h->rd < h->wr) {
			size_t n = h->wr - h->rd < len ? h->wr - h->rd : len;
			memcpy(out, h->buf + h->rd, n);
			h->rd += n;
			h->pos += n;
			if (h->rd == h->wr && h->active) {
				/* Room again; a pause is not a stall. */
				h->last_byte_ms = now_ms();
				curl_easy_pause(h->easy, CURLPAUSE_CONT);
			}
			if (h->o.progress != NULL)
				h->o.progress(h->o.progress_ctx, h->pos, h->v.size);
			if (h->oci)
				fws_sha256_update(&h->blob_hash, out, n);
			return (ssize_t)n;
		}
		if (h->oci && h->v.have_size && h->v.size != h->blob_size) {
			h->error = fws_diag_set(FWS_EREMOTE, 0, h->shown,
						"the blob is %llu bytes; its manifest says %llu",
						(unsigned long long)h->v.size,
						(unsigned long long)h->blob_size);
			break;
		}
		if (h->active) {
			h->error = pump(h);
			continue;
		}
		if (h->eof || (h->v.have_size && h->pos >= h->v.size)) {
			if (h->oci && (h->error = blob_end(h)) != 0)
				break;
			return 0;
		}
		uint64_t local, end = next_end(h, &local);
		if (local > 0) {
			size_t n = local < len ? (size_t)local : len;
			h->error = h->map->fill(h->map->ctx, h->pos, out, n);
			if (h->error != 0)
				break;
			h->pos += n;
			h->stats.reused += n;
			if (h->oci)
				fws_sha256_update(&h->blob_hash, out, n);
			return (ssize_t)n;
		}
		if (end <= h->pos) {
			h->error = FWS_EINTERNAL;
			break;
		}
		h->error = start_transfer(h, end);
	}
	return h->error;
}

/* A range outside the stream's order, for a delta planner completing a
 * chunk from its missing blocks (fws_range_fetch_fn, docs/delta.md). It
 * runs between the reader's own transfers (the map's fill() is called only
 * when none is running) on the same connection, with the same checks,
 * If-Range validator and retries: the reader's position is borrowed and
 * given back. */
int fws_http_fetch_range(void *ctx, uint64_t at, uint8_t *out, size_t len)
{
	struct fws_http *h = ctx;
	uint64_t saved_pos = h->pos, end = at + len;
	size_t done = 0;
	int rc = h->error;
	if (rc == 0 && (h->active || h->rd != h->wr || len == 0 || end < at))
		rc = len == 0 ? 0 : FWS_EINTERNAL;
	h->pos = at;
	while (rc == 0 && done < len) {
		if (h->rd < h->wr) {
			size_t n = h->wr - h->rd < len - done ? h->wr - h->rd : len - done;
			memcpy(out + done, h->buf + h->rd, n);
			h->rd += n;
			h->pos += n;
			done += n;
			if (h->rd == h->wr && h->active) {
				h->last_byte_ms = now_ms();
				curl_easy_pause(h->easy, CURLPAUSE_CONT);
			}
		} else if (h->active) {
			rc = pump(h);
		} else {
			rc = start_transfer(h, end);
		}
	}
	if (rc == 0 && h->active) { /* all asked for arrived: the answer ends here */
		rc = pump(h);
		if (rc == 0 && (h->active || h->rd != h->wr))
			rc = fws_diag_set(FWS_EREMOTE, 0, h->shown, "a range answer ran long");
	}
	h->pos = saved_pos;
	h->rd = h->wr = 0;
	if (rc != 0)
		h->error = rc;
	return rc;
}
