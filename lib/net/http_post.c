/* SPDX-License-Identifier: Apache-2.0 */
/* One HTTPS POST of a small document (a device report, fwseal/report.h)
 * under the rules of docs/network.md: https only unless allow_http, the
 * pinned CAs, an optional client certificate, headers to that host only,
 * bounded time. Redirects are not followed: a POST body must never be
 * carried to a host the device was not told about. The answer's body is
 * not read: only its status counts (2xx). */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "fwseal/net.h"
#include "io/io.h"
#include "net/curl_load.h"
#include "net/curl_setup.h"

static size_t discard(char *data, size_t size, size_t nmemb, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * nmemb;
}

int fws_http_post(const struct fws_http_opts *o, const char *content_type, const void *body,
		  size_t len, long *status)
{
	char ctype[128], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	CURL *e = NULL;
	CURLcode res;
	int rc;

	*status = 0;
	if (!(strncasecmp(o->url, "https://", 8) == 0 ||
	      (o->allow_http && strncasecmp(o->url, "http://", 7) == 0)))
		return fws_diag_set(FWS_EINSECURE, 0, NULL,
				    "not an https:// URL (plain http only with allow-http)");
	if (o->n_headers > FWS_NET_HEADERS_MAX)
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "more than %d headers",
				    FWS_NET_HEADERS_MAX);
	for (size_t i = 0; i < o->n_headers; i++)
		if (!fws_http_header_valid(o->headers[i]))
			return fws_diag_set(FWS_EUSAGE, 0, NULL,
					    "header \"%.40s\" is not \"Name: value\"",
					    o->headers[i]);
	if ((rc = fws_curl_load()) != 0)
		return rc;
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", content_type);
	hdrs = curl_slist_append(NULL, ctype);
	for (size_t i = 0; hdrs != NULL && i < o->n_headers; i++)
		hdrs = curl_slist_append(hdrs, o->headers[i]);
	e = curl_easy_init();
	CURLM *m = curl_multi_init();
	if (hdrs == NULL || e == NULL || m == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	fws_curl_setup(e, o->url, o->allow_http ? "http,https" : "https", o, errbuf);
	/* The whole exchange is small: a stall limit is a total limit here. */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
			 (long)(o->stall_timeout_ms ? o->stall_timeout_ms : 60000));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_multi_add_handle(m, e);
	res = CURLE_OK;
	for (;;) {
		int running = 0, left = 0;
		CURLMsg *msg;
		if (curl_multi_perform(m, &running) != CURLM_OK) {
			res = CURLE_FAILED_INIT;
			break;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				res = msg->data.result;
		if (running == 0)
			break;
		if (curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) {
			res = CURLE_FAILED_INIT;
			break;
		}
	}
	curl_multi_remove_handle(m, e);
	if (res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE ||
	    res == CURLE_SSL_CERTPROBLEM || res == CURLE_SSL_ISSUER_ERROR) {
		rc = fws_diag_set(FWS_EINSECURE, 0, NULL, "%s",
				  errbuf[0] ? errbuf : curl_easy_strerror(res));
		goto out;
	}
	if (res != CURLE_OK) {
		rc = fws_diag_set(FWS_ENET, 0, NULL, "%s",
				  errbuf[0] ? errbuf : curl_easy_strerror(res));
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	if (*status >= 300 && *status < 400)
		rc = fws_diag_set(FWS_ENET, 0, NULL,
				  "HTTP status %ld: a redirect is not followed with a report",
				  *status);
	else if (*status < 200 || *status > 299)
		rc = fws_diag_set(FWS_ENET, 0, NULL, "HTTP status %ld", *status);
	else
		rc = 0;
out:
	if (m != NULL)
		curl_multi_cleanup(m);
	if (e != NULL)
		curl_easy_cleanup(e);
	curl_slist_free_all(hdrs);
	return rc;
}
