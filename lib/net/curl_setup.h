/* SPDX-License-Identifier: Apache-2.0 */
/* The transfer rules every libcurl request of fwseal starts from
 * (lib/net/curl_setup.c): the streaming reader (http.c), the report POST
 * (http_post.c) and a registry's API (oci_request.c). Internal to lib/net;
 * include after <curl/curl.h> and net/curl_load.h. */
#ifndef FWSEAL_NET_CURL_SETUP_H
#define FWSEAL_NET_CURL_SETUP_H

#include "fwseal/net.h"

/* Sets on e: url, only the schemes in protocols ("https", or
 * "http,https" with allow-http), no redirect followed by libcurl, no
 * signals, errbuf (CURL_ERROR_SIZE bytes) for libcurl's words, o's connect
 * timeout (0: 30 s), the peer's certificate and name verified, o's CA file
 * as the only trust when given, o's client certificate and key, and
 * fwseal's User-Agent. Time limits for the transfer, headers and the body
 * are the caller's: they differ by request. */
void fws_curl_setup(CURL *e, const char *url, const char *protocols, const struct fws_http_opts *o,
		    char *errbuf);

#endif
