/* SPDX-License-Identifier: Apache-2.0 */
/* The rules every request starts from (curl_setup.h), set in one place so
 * that no request of fwseal can be made without them: a request that
 * forgot the peer verification or the pinned CA would talk to whoever
 * answers, and one that followed redirects could carry a token or a report
 * to a host the device was never told about (docs/network.md). */
#include <curl/curl.h>

#include "fwseal/fwseal.h"
#include "net/curl_load.h"
#include "net/curl_setup.h"

void fws_curl_setup(CURL *e, const char *url, const char *protocols, const struct fws_http_opts *o,
		    char *errbuf)
{
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* the callers decide on redirects */
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(o->connect_timeout_ms ? o->connect_timeout_ms : 30000));
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL) {
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file); /* pinned: only these */
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	if (o->client_cert != NULL)
		curl_easy_setopt(e, CURLOPT_SSLCERT, o->client_cert);
	if (o->client_key != NULL)
		curl_easy_setopt(e, CURLOPT_SSLKEY, o->client_key);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "fwseal/" FWS_VERSION_STRING);
	/* TLS 1.2 at least, whatever the system's OpenSSL configuration allows
	 * (docs/network.md §2: the downgrade a middlebox could ask for). */
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(e, CURLOPT_PROXY_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* The proxy is system.conf's or the command line's, never the
	 * environment's: "" switches libcurl's *_proxy variables off
	 * (docs/network.md §2, ADR-068) for every request: a download, a
	 * registry's manifest and token, a report's POST. */
	curl_easy_setopt(e, CURLOPT_PROXY, o->proxy != NULL ? o->proxy : "");
	curl_easy_setopt(e, CURLOPT_NOPROXY, o->proxy != NULL ? "" : "*");
	curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
}
