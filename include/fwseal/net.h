/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a bundle over HTTP(S) (lib/net, libcurl; docs/network.md): a
 * pull reader for fws_bundle_verify / fws_device_install that streams,
 * resumes an interrupted transfer with Range requests where it stopped
 * (If-Range: the file must be the one it started with), and, given a
 * delta map (fws_install_opts.use_map), fetches only what the device does
 * not hold. Nothing is trusted from the server: the verifier checks every
 * byte; this layer refuses answers that break HTTP's own promises
 * (FWS_EREMOTE), untrusted connections (FWS_EINSECURE) and gives up after
 * bounded retries (FWS_ENET, FWS_ESTALLED). */
#ifndef FWSEAL_NET_H
#define FWSEAL_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/bundle.h"
#include "fwseal/export.h"
#include "fwseal/oci.h"

#define FWS_NET_HEADERS_MAX 8
/* Default bound on one whole download (docs/network.md §2): 1 hour. */
#define FWS_DOWNLOAD_TIMEOUT_MS 3600000u

struct fws_http_opts {
	const char *url;          /* https://... (http:// only with allow_http) */
	int allow_http;           /* plain http, and redirects to it */
	const char *ca_file;      /* trust only these CAs; NULL = the system's store */
	const char *client_cert;  /* PEM client certificate (optional) */
	const char *client_key;   /* its key (optional) */
	const char *headers[FWS_NET_HEADERS_MAX]; /* "Name: value", to the first host only */
	size_t n_headers;
	uint32_t connect_timeout_ms; /* 0 = 30 s */
	uint32_t stall_timeout_ms;   /* no byte for this long: retry; 0 = FWS_STALL_TIMEOUT_MS
				      * (a download never waits for ever) */
	uint32_t download_timeout_ms; /* the whole download, retries and pauses included,
				       * ends within this (FWS_EDEADLINE); 0 = FWS_DOWNLOAD_TIMEOUT_MS */
	const char *proxy;           /* http(s)://HOST:PORT; NULL = none. The environment's
				      * *_proxy variables are never used (ADR-068) */
	uint32_t retries;            /* failed attempts in a row without progress */
	uint32_t max_redirects;
	/* oci:// only: the registry credentials file (containers-auth.json
	 * shape; docs/fleet.md "Registry authentication"), or NULL. */
	const char *oci_credentials;
	fws_progress_fn progress; /* optional: bytes delivered of the total */
	void *progress_ctx;
};

struct fws_http_stats {
	uint64_t size;       /* the bundle's size on the server (0 = not known) */
	uint64_t downloaded; /* body bytes received, also those a cut wasted */
	uint64_t reused;     /* bytes the delta map supplied instead */
	uint32_t requests;
	uint32_t retries;
};

struct fws_http;

/* 1 when s is an http://, https:// or oci:// URL (any case): what the CLIs
 * fetch. fws_http_open resolves oci:// (fwseal/oci.h) to the blob URL. */
FWS_API int fws_is_url(const char *s);
/* When s starts with "SCHEME://" (any scheme, RFC 3986 characters): the
 * scheme's length, with the scheme copied to out (cap bytes, NUL ended);
 * else 0. The CLIs refuse ftp://, file:// and the like by name instead of
 * reading them as file names. */
FWS_API size_t fws_url_scheme(const char *s, char *out, size_t cap);
/* 1 when h is one request header, "Name: value", with no line break. */
FWS_API int fws_http_header_valid(const char *h);

/* Checks the URL and options; connects only when first read. */
FWS_API FWS_MUST_CHECK int fws_http_open(const struct fws_http_opts *o, struct fws_http **out);
/* fws_read_fn over ctx = the struct fws_http. */
FWS_API ssize_t fws_http_read(void *ctx, uint8_t *buf, size_t len);
/* Installs (or, with NULL, removes) a delta map: for fws_install_opts.use_map. */
FWS_API void fws_http_use_map(void *ctx, const struct fws_stream_map *map);
/* fws_range_fetch_fn over ctx = the struct fws_http: for fws_install_opts.fetch_range. */
FWS_API FWS_MUST_CHECK int fws_http_fetch_range(void *ctx, uint64_t at, uint8_t *buf, size_t len);
FWS_API void fws_http_stats(const struct fws_http *h, struct fws_http_stats *out);
/* The URL as messages name it: scheme, host, port and path, never a user,
 * password or query (tokens travel there). */
FWS_API const char *fws_http_name(const struct fws_http *h);
FWS_API void fws_http_close(struct fws_http *h);

/* POSTs body (len bytes, content_type) to o->url under the same rules
 * (https, CAs, client certificate, headers); no redirect is followed.
 * 0 for a 2xx answer (*status), FWS_ENET / FWS_EINSECURE otherwise. */
FWS_API FWS_MUST_CHECK int fws_http_post(const struct fws_http_opts *o, const char *content_type,
					 const void *body, size_t len, long *status);

#endif
