/* SPDX-License-Identifier: Apache-2.0 */
/* One request to a registry's API (OCI distribution spec), with libcurl's
 * easy interface: manifests, tokens and uploads are small or one-shot, so
 * the streaming reader (http.c) is kept for the blob alone.
 *
 * The same rules as the reader: https only, the peer and its name always
 * verified, the CA file pinned when given; no redirect is followed (an
 * API answer that redirects is refused: the Authorization header must
 * never follow it elsewhere); an answer body is bounded; retries only for
 * what may pass (connection failures, 408, 429, 5xx). */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "io/io.h"
#include "net/curl_load.h"
#include "net/curl_setup.h"
#include "net/oci.h"

struct body_in {
	const struct oci_call *c;
	uint64_t sent;
	int error;
};

struct body_out {
	struct oci_call *c;
	int too_long;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct body_in *in = ctx;
	const struct oci_call *c = in->c;
	uint64_t total = c->body_fd >= 0 ? c->body_fd_len : c->body_len;
	size_t n = size * nmemb;
	if (n > total - in->sent)
		n = (size_t)(total - in->sent);
	if (n == 0)
		return 0;
	if (c->body_fd >= 0) {
		ssize_t got = pread(c->body_fd, buf, n, (off_t)(c->body_off + in->sent));
		if (got <= 0) {
			in->error = 1; /* the bundle shrank or cannot be read: abort */
			return CURL_READFUNC_ABORT;
		}
		n = (size_t)got;
	} else {
		memcpy(buf, c->body + in->sent, n);
	}
	in->sent += n;
	return n;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct body_out *out = ctx;
	struct oci_call *c = out->c;
	size_t n = size * nmemb;
	if (n > c->max_resp - c->resp_len) {
		out->too_long = 1;
		return 0;
	}
	uint8_t *p = realloc(c->resp, c->resp_len + n + 1);
	if (p == NULL)
		return 0;
	c->resp = p;
	memcpy(p + c->resp_len, data, n);
	c->resp_len += n;
	p[c->resp_len] = '\0';
	return n;
}

static void header_value(CURL *e, const char *name, char *out, size_t cap)
{
	struct curl_header *h = NULL;
	out[0] = '\0';
	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h->value != NULL &&
	    strlen(h->value) < cap)
		snprintf(out, cap, "%s", h->value);
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* One attempt. 0 with c->status, or a transport failure: FWS_EINSECURE
 * for TLS, FWS_ENET (retryable) otherwise. */
static int attempt(struct oci_session *s, struct oci_call *c, char *challenge, size_t cap)
{
	CURL *e = curl_easy_init();
	struct curl_slist *hdrs = NULL, *t;
	char line[OCI_AUTHZ_MAX + 32], errbuf[CURL_ERROR_SIZE] = "";
	struct body_in in = {c, 0, 0};
	struct body_out out = {c, 0};
	const struct fws_http_opts *o = s->net;
	if (e == NULL)
		return FWS_ENOMEM;
	free(c->resp);
	c->resp = NULL;
	c->resp_len = 0;
	c->status = 0;
	const char *add[6] = {0};
	size_t n = 0;
	if (s->authz[0] != '\0')
		add[n++] = s->authz;
	if (c->accept != NULL) {
		snprintf(line, sizeof(line), "Accept: %s", c->accept);
		if ((t = curl_slist_append(hdrs, line)) != NULL)
			hdrs = t;
	}
	if (c->content_type != NULL) {
		char ct[160];
		snprintf(ct, sizeof(ct), "Content-Type: %s", c->content_type);
		if ((t = curl_slist_append(hdrs, ct)) != NULL)
			hdrs = t;
	}
	if (c->content_range != NULL) {
		char cr[96];
		snprintf(cr, sizeof(cr), "Content-Range: %s", c->content_range);
		if ((t = curl_slist_append(hdrs, cr)) != NULL)
			hdrs = t;
	}
	add[n++] = "Expect:"; /* no 100-continue round trip */
	for (size_t i = 0; i < n; i++)
		if ((t = curl_slist_append(hdrs, add[i])) != NULL)
			hdrs = t;
	fws_curl_setup(e, c->url, "https", o, errbuf);
	/* An API answer is small: one that trickles is a stalled server. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
			 (long)(o->stall_timeout_ms ? (o->stall_timeout_ms + 999) / 1000 : 60));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &out);
	uint64_t body_total = c->body_fd >= 0 ? c->body_fd_len : c->body_len;
	if (strcmp(c->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(c->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_total);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, &in);
	} else if (strcmp(c->method, "PUT") == 0 || strcmp(c->method, "PATCH") == 0) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_total);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, &in);
		if (c->method[1] == 'A')
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PATCH");
	}
	CURLcode res = curl_easy_perform(e);
	int rc = 0;
	if (res == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &c->status);
		header_value(e, "Content-Type", c->ctype, sizeof(c->ctype));
		header_value(e, "Location", c->location, sizeof(c->location));
		header_value(e, "Docker-Content-Digest", c->docker_digest, sizeof(c->docker_digest));
		header_value(e, "WWW-Authenticate", challenge, cap);
	} else if (out.too_long) {
		rc = fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				  "the registry's answer to %s runs past %zu bytes", c->method,
				  c->max_resp);
	} else if (in.error) {
		rc = fws_diag_set(FWS_EIO, 0, s->shown, "the bundle cannot be read while uploading");
	} else if (res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE ||
		   res == CURLE_SSL_CERTPROBLEM || res == CURLE_SSL_ISSUER_ERROR ||
		   res == CURLE_UNSUPPORTED_PROTOCOL) {
		rc = fws_diag_set(FWS_EINSECURE, 0, s->shown, "%s",
				  errbuf[0] ? errbuf : curl_easy_strerror(res));
	} else {
		rc = fws_diag_set(FWS_ENET, 0, s->shown, "%s",
				  errbuf[0] ? errbuf : curl_easy_strerror(res));
	}
	curl_slist_free_all(hdrs);
	sodium_memzero(line, sizeof(line));
	curl_easy_cleanup(e);
	return rc;
}

int oci_call(struct oci_session *s, struct oci_call *c)
{
	char challenge[1024];
	uint32_t fails = 0;
	int authorized = 0;
	for (;;) {
		challenge[0] = '\0';
		fws_diag_clear();
		int rc = attempt(s, c, challenge, sizeof(challenge));
		int retry = rc == FWS_ENET || (rc == 0 && (c->status == 408 || c->status == 429 ||
							   (c->status >= 500 && c->status <= 599)));
		if (retry) {
			if (fails++ >= s->net->retries) {
				if (rc == 0)
					return oci_refused(s, c, c->method);
				return rc;
			}
			sleep_ms(fails == 1 ? 0 : (200u << (fails > 6 ? 5 : fails - 2)) > 5000
						    ? 5000
						    : (200u << (fails > 6 ? 5 : fails - 2)));
			continue;
		}
		if (rc != 0)
			return rc;
		/* One challenge answered per call: a registry that refuses the
		 * credentials it asked for is not asked again. */
		if (c->status == 401 && !authorized && !s->no_challenge && challenge[0] != 0) {
			authorized = 1;
			rc = oci_authorize(s, challenge);
			if (rc != 0)
				return rc;
			continue;
		}
		return 0;
	}
}

void oci_call_free(struct oci_call *c)
{
	free(c->resp);
	c->resp = NULL;
	c->resp_len = 0;
}

int oci_refused(const struct oci_session *s, const struct oci_call *c, const char *doing)
{
	/* The registry's own reason: {"errors":[{"code":"...","message":"..."}]} */
	char why[160] = "";
	json_t *j = c->resp_len ? json_loadb((const char *)c->resp, c->resp_len, 0, NULL) : NULL;
	json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
	const char *code = json_string_value(json_object_get(e0, "code"));
	const char *msg = json_string_value(json_object_get(e0, "message"));
	if (code != NULL) {
		snprintf(why, sizeof(why), ": %.40s%s%.80s", code, msg ? " " : "", msg ? msg : "");
		for (char *p = why; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?'; /* the registry's words go to a terminal */
	}
	json_decref(j);
	const char *hint = c->status == 401 ? " (credentials missing or wrong)"
			   : c->status == 403 ? " (not allowed with these credentials)"
					      : "";
	return fws_diag_set(FWS_EREGISTRY, 0, s->shown, "%s: HTTP status %ld%s%s", doing,
			    c->status, why, hint);
}

int oci_session_start(struct oci_session *s, const struct fws_http_opts *net, const char *ref,
		      const char *actions)
{
	memset(s, 0, sizeof(*s));
	s->net = net;
	s->actions = actions;
	int rc = oci_ref_parse(ref, &s->ref);
	if (rc != 0)
		return rc;
	snprintf(s->base, sizeof(s->base), "https://%s", s->ref.host);
	if (s->ref.by_digest) {
		char d[72];
		oci_digest_format(s->ref.digest, d);
		snprintf(s->shown, sizeof(s->shown), "oci://%s/%s@%.19s...", s->ref.host,
			 s->ref.repo, d);
	} else {
		snprintf(s->shown, sizeof(s->shown), "oci://%s/%s:%s", s->ref.host, s->ref.repo,
			 s->ref.tag);
	}
	rc = fws_curl_load();
	if (rc == 0 && net->oci_credentials != NULL)
		rc = oci_credentials(net->oci_credentials, s->ref.host, &s->user, &s->pass);
	return rc;
}

static void free_secret(char *p)
{
	if (p != NULL) {
		sodium_memzero(p, strlen(p));
		free(p);
	}
}

void oci_session_end(struct oci_session *s)
{
	free_secret(s->user);
	free_secret(s->pass);
	s->user = s->pass = NULL;
	sodium_memzero(s->authz, sizeof(s->authz));
}
