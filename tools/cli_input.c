/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the bundle a command reads: a regular file, a pipe, a character
 * device, or "-" for standard input. Directories and the like are refused
 * with the operating system's word for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fwseal/fwseal.h"
#include "fwseal/net.h"
#include "fwseal/sysconf.h"

int cli_open_bundle(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	*size = 0;
	*fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int err = errno;
		fprintf(stderr, "%s: %s: %s: %s\n", cli_prog, cli_esc(path),
			err == ENOENT ? fws_strerror(FWS_ENOENT) : "cannot open", strerror(err));
		return cli_status(err == ENOENT ? FWS_ENOENT : FWS_EIO);
	}
	if (fstat(*fd, &st) != 0 || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISSOCK(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
		close(*fd);
		*fd = -1;
		fprintf(stderr, "%s: %s: cannot read: %s\n", cli_prog, cli_esc(path), strerror(err));
		return cli_status(FWS_EIO);
	}
	if (S_ISREG(st.st_mode))
		*size = (uint64_t)st.st_size;
	return 0;
}

/* Network settings, weakest first: the defaults, the configuration's
 * [network], the command line. */
int cli_net_opts(struct cli *c, const struct fws_sysconf *conf, struct fws_http_opts *o)
{
	const char *v;
	size_t n = 0;
	o->stall_timeout_ms = FWS_STALL_TIMEOUT_MS;
	o->retries = 10;
	o->max_redirects = 3;
	if (conf != NULL) {
		o->allow_http = conf->allow_http;
		o->ca_file = conf->ca_file[0] ? conf->ca_file : NULL;
		o->client_cert = conf->client_cert[0] ? conf->client_cert : NULL;
		o->client_key = conf->client_key[0] ? conf->client_key : NULL;
		for (size_t i = 0; i < conf->n_headers; i++)
			o->headers[o->n_headers++] = conf->headers[i];
		o->connect_timeout_ms = conf->connect_timeout_ms;
		o->stall_timeout_ms = conf->stall_timeout_ms;
		o->retries = conf->retries;
		o->max_redirects = conf->max_redirects;
		/* A device's registry credentials: system.conf [oci] only. */
		o->oci_credentials = conf->oci_credentials[0] ? conf->oci_credentials : NULL;
	} else if (strcmp(cli_prog, "fwseal") == 0) {
		/* The release side: a file named by --registry-auth or
		 * FWSEAL_REGISTRY_AUTH (CI); never a password on the command
		 * line. A device reads system.conf [oci] only. */
		o->oci_credentials = getenv("FWSEAL_REGISTRY_AUTH");
		if (o->oci_credentials != NULL && o->oci_credentials[0] == '\0')
			o->oci_credentials = NULL;
	}
	if ((v = cli_get(c, "registry-auth")) != NULL)
		o->oci_credentials = v;
	if ((v = cli_get(c, "ca-file")) != NULL)
		o->ca_file = v;
	if ((v = cli_get(c, "client-cert")) != NULL)
		o->client_cert = v;
	if ((v = cli_get(c, "client-key")) != NULL)
		o->client_key = v;
	if (cli_flag(c, "allow-http"))
		o->allow_http = 1;
	const char *const *hdrs = cli_list(c, "header", &n);
	if (o->n_headers + n > FWS_NET_HEADERS_MAX)
		return cli_usage_error("at most %d headers", FWS_NET_HEADERS_MAX);
	for (size_t i = 0; i < n; i++)
		o->headers[o->n_headers++] = hdrs[i];
	unsigned long long r;
	if ((v = cli_get(c, "retries")) != NULL) {
		if (cli_parse_u64(v, 100, &r) != 0)
			return cli_usage_error("--retries is a number from 0 to 100, not '%s'",
					       cli_esc(v));
		o->retries = (uint32_t)r;
	}
	if ((v = cli_get(c, "stall-timeout")) != NULL &&
	    cli_parse_seconds("stall-timeout", v, &o->stall_timeout_ms) != 0)
		return cli_status(FWS_EUSAGE);
	return 0;
}

int cli_bundle_open(struct cli *c, const char *path, const struct fws_sysconf *conf,
		    struct cli_progress *prog, struct cli_bundle *b)
{
	memset(b, 0, sizeof(*b));
	b->name = path;
	b->fd = (struct fws_fd_reader){-1, FWS_STALL_TIMEOUT_MS, 0, 0, cli_progress_cb, prog};
	if (!fws_is_url(path)) {
		const char *v = cli_get(c, "stall-timeout");
		if (v != NULL && cli_parse_seconds("stall-timeout", v, &b->fd.stall_ms) != 0)
			return cli_status(FWS_EUSAGE);
		int rc = cli_open_bundle(path, &b->fd.fd, &b->size);
		b->fd.total = b->size;
		b->read = fws_read_fd_timed;
		b->ctx = &b->fd;
		return rc;
	}
	struct fws_http_opts o = {0};
	int rc = cli_net_opts(c, conf, &o);
	if (rc != 0)
		return rc;
	o.url = path;
	o.progress = cli_progress_cb;
	o.progress_ctx = prog;
	fws_diag_clear();
	rc = fws_http_open(&o, &b->http);
	if (rc != 0)
		return cli_fail(NULL, rc);
	b->read = fws_http_read;
	b->ctx = b->http;
	snprintf(b->shown, sizeof(b->shown), "%s", fws_http_name(b->http));
	b->name = b->shown;
	return 0;
}

uint64_t cli_bundle_downloaded(const struct cli_bundle *b)
{
	struct fws_http_stats s;
	if (b->http == NULL)
		return 0;
	fws_http_stats(b->http, &s);
	return s.downloaded;
}

void cli_bundle_close(struct cli_bundle *b)
{
	if (b->fd.fd >= 0)
		close(b->fd.fd);
	b->fd.fd = -1;
	fws_http_close(b->http);
	b->http = NULL;
}
