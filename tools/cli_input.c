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
#include "io/io.h"
#include "io/secret_file.h"

int cli_open_bundle(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	*size = 0;
	*fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int err = errno;
		return cli_fail_why(path, err == ENOENT ? FWS_ENOENT : FWS_EIO, NULL, "%s: %s",
				    err == ENOENT ? fws_strerror(FWS_ENOENT) : "cannot open",
				    strerror(err));
	}
	if (fstat(*fd, &st) != 0 || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISSOCK(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
		close(*fd);
		*fd = -1;
		return cli_fail_why(path, FWS_EIO, NULL, "cannot read: %s", strerror(err));
	}
	if (S_ISREG(st.st_mode))
		*size = (uint64_t)st.st_size;
	return 0;
}

static int conf_secret_ok(const struct fws_sysconf *conf);

/* Network settings, weakest first: the defaults, the configuration's
 * [network], the command line. A configuration holding a secret is
 * refused first, whatever the request (a download, a report's POST). */
int cli_net_opts(struct cli *c, const struct fws_sysconf *conf, struct fws_http_opts *o)
{
	const char *v;
	size_t n = 0;
	int rc = conf_secret_ok(conf);
	if (rc != 0)
		return rc;
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
		o->download_timeout_ms = conf->download_timeout_ms;
		o->proxy = conf->proxy[0] ? conf->proxy : NULL;
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
	if ((v = cli_get(c, "proxy")) != NULL)
		o->proxy = v;
	/* For a URL, 0 would wait for ever: refused, not taken as a default. */
	if ((v = cli_get(c, "stall-timeout")) != NULL &&
	    (cli_parse_seconds("stall-timeout", v, &o->stall_timeout_ms) != 0 ||
	     o->stall_timeout_ms == 0))
		return o->stall_timeout_ms == 0 && cli_parse_u64(v, 0, &r) == 0
			   ? cli_usage_error("--stall-timeout 0 (wait forever) is for a file or "
					     "standard input; for a URL give 1 to 86400 seconds")
			   : cli_status(FWS_EUSAGE);
	if ((v = cli_get(c, "download-timeout")) != NULL &&
	    (cli_parse_seconds("download-timeout", v, &o->download_timeout_ms) != 0 ||
	     o->download_timeout_ms == 0))
		return o->download_timeout_ms == 0 && cli_parse_u64(v, 0, &r) == 0
			   ? cli_usage_error("--download-timeout must be 1 to 86400 seconds")
			   : cli_status(FWS_EUSAGE);
	return 0;
}

/* A token in system.conf [network] is a secret: the file must not be
 * readable by others (41, naming it), like the client key. */
static int conf_secret_ok(const struct fws_sysconf *conf)
{
	struct stat st;
	if (conf == NULL || (conf->n_headers == 0 && strchr(conf->proxy, '@') == NULL))
		return 0;
	fws_diag_clear();
	int rc = stat(conf->path, &st) != 0
		     ? fws_diag_set(FWS_EIO, errno, conf->path, "cannot be read again")
		     : fws_secret_file_mode_ok(conf->path, &st,
					       "configuration holding a [network] header (a token) "
					       "or proxy password");
	return rc != 0 ? cli_fail(NULL, rc) : 0;
}

int cli_bundle_open(struct cli *c, const char *path, const struct fws_sysconf *conf,
		    struct cli_progress *prog, struct cli_bundle *b)
{
	memset(b, 0, sizeof(*b));
	b->name = path;
	b->fd = (struct fws_fd_reader){-1, FWS_STALL_TIMEOUT_MS, 0, 0, cli_progress_cb, prog, 0, 0};
	char scheme[24];
	if (!fws_is_url(path) && fws_url_scheme(path, scheme, sizeof(scheme)) > 0)
		return cli_usage_error("%s: a %s:// URL: fwseal fetches https:// (and http:// with "
				       "--allow-http) only; a file named so is ./%s",
				       cli_esc(path), scheme, cli_esc(path));
	if (!fws_is_url(path)) {
		const char *v = cli_get(c, "stall-timeout");
		if (v != NULL && cli_parse_seconds("stall-timeout", v, &b->fd.stall_ms) != 0)
			return cli_status(FWS_EUSAGE);
		/* A pipe may drip like a server: the same overall bound. */
		b->fd.deadline_ms = conf != NULL ? conf->download_timeout_ms : FWS_DOWNLOAD_TIMEOUT_MS;
		v = cli_get(c, "download-timeout");
		if (v != NULL && (cli_parse_seconds("download-timeout", v, &b->fd.deadline_ms) != 0 ||
				  b->fd.deadline_ms == 0))
			return b->fd.deadline_ms == 0 ? cli_usage_error("--download-timeout must be 1 to "
									"86400 seconds")
						      : cli_status(FWS_EUSAGE);
		int rc = cli_open_bundle(path, &b->fd.fd, &b->size);
		if (b->size > 0 || rc != 0)
			b->fd.deadline_ms = 0; /* a regular file: no network behind it */
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
