/* SPDX-License-Identifier: Apache-2.0 */
/* Built without libcurl (make NET=0): a URL is refused, saying why. */

#include "fwseal/error.h"
#include "fwseal/net.h"
#include "io/io.h"

int fws_http_open(const struct fws_http_opts *o, struct fws_http **out)
{
	(void)o;
	*out = NULL;
	return fws_diag_set(FWS_EUSAGE, 0, NULL, "this fwseal was built without network support (NET=0)");
}

ssize_t fws_http_read(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return FWS_EUSAGE;
}

void fws_http_use_map(void *ctx, const struct fws_stream_map *map)
{
	(void)ctx;
	(void)map;
}

void fws_http_stats(const struct fws_http *h, struct fws_http_stats *out)
{
	(void)h;
	*out = (struct fws_http_stats){0};
}

const char *fws_http_name(const struct fws_http *h)
{
	(void)h;
	return "the URL";
}

void fws_http_close(struct fws_http *h)
{
	(void)h;
}

int fws_http_fetch_range(void *ctx, uint64_t at, uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)at;
	(void)buf;
	(void)len;
	return FWS_EUSAGE;
}

int fws_http_post(const struct fws_http_opts *o, const char *content_type, const void *body,
		  size_t len, long *status)
{
	(void)o;
	(void)content_type;
	(void)body;
	(void)len;
	*status = 0;
	return fws_diag_set(FWS_EUSAGE, 0, NULL, "this fwseal was built without network support (NET=0)");
}

int fws_oci_publish(struct fws_oci_publish *p)
{
	(void)p;
	return fws_diag_set(FWS_EUSAGE, 0, NULL, "this fwseal was built without network support (NET=0)");
}
