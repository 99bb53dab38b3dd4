/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-verify poll: follow a signed channel (docs/fleet.md). Parsing,
 * fetching and output; lib/device/channel.c and fws_device_install decide. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd_verify.h"
#include "fwseal/net.h"

const struct cli_opt poll_opts[] = {
    DEVICE_OPT,
    {"channel", CLI_VALUE, "FILE|URL", 0, "the channel (default: system.conf [channel] url)"},
    {"name", CLI_VALUE, "NAME", 0,
     "the channel the device follows (default: system.conf\n[channel] name, else the one it "
     "accepted before)"},
    {"trusted-time", CLI_VALUE, "now|TIME", 0,
     "a time to trust for expiry (\"now\" = this machine's clock;\ndefault: the newest signed "
     "time plus the uptime since)"},
    {"stall-timeout", CLI_VALUE, "SECONDS", 0,
     "give up when the input sends nothing this long (default 60;\n0 = wait forever)"},
    CLI_NET_OPTS,
    LOCK_OPT,
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {"quiet", CLI_FLAG, NULL, 0, "no progress on the terminal"},
    {NULL}};

const int poll_codes[] = {FWS_ENOENT,
			  FWS_ENOMEM,
			  FWS_ELIMIT,
			  FWS_EJSON,
			  FWS_ESCHEMA,
			  FWS_EENVELOPE,
			  FWS_EPAYLOADTYPE,
			  FWS_EUNTRUSTED,
			  FWS_EBADSIG,
			  FWS_ETHRESHOLD,
			  FWS_EKEYID,
			  FWS_EEXPIRED,
			  FWS_EFORMAT,
			  FWS_EENTRY,
			  FWS_ETRUNCATED,
			  FWS_ETRAILING,
			  FWS_ESIZE,
			  FWS_EDIGEST,
			  FWS_EDECOMPRESS,
			  FWS_EHARDWARE,
			  FWS_EROLLBACK,
			  FWS_EDOWNGRADE,
			  FWS_EMINVERSION,
			  FWS_EROOTMISMATCH,
			  FWS_ESTALLED,
			  FWS_ECLOCK,
			  FWS_ETARGET,
			  FWS_ENET,
			  FWS_EINSECURE,
			  FWS_EREMOTE,
			  FWS_EFLOORSTEP,
			  FWS_ESTATE,
			  FWS_EUNSAFE,
			  FWS_EBUSY,
			  FWS_EIO,
			  FWS_ENOSPC,
			  FWS_EROOTVERSION,
			  FWS_ECONFIG,
			  FWS_EBOOTLOADER,
			  FWS_EFLOOR,
			  FWS_ETHRESHOLDDEF,
			  FWS_ECHANNELSTALE,
			  FWS_ECHANNELROLLBACK,
			  FWS_ECHANNELMISMATCH,
			  FWS_ENOTINCOHORT,
			  0};

static int64_t trusted_now;

static int fixed_clock(void *ctx, int64_t *now)
{
	*now = *(const int64_t *)ctx;
	return 0;
}

/* Reads a small document (a channel, a root) whole: a file or a URL,
 * under the same network rules as a bundle. quiet: a missing file or an
 * HTTP error is FWS_ENOENT without a message (probing for root N+1). */
static int fetch_small(struct cli *c, const char *where, int quiet, uint8_t **out, size_t *len)
{
	struct cli_bundle b = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	struct stat sb;
	uint8_t *buf;
	size_t n = 0;
	int rc;

	*out = NULL;
	*len = 0;
	if (quiet && !fws_is_url(where) && stat(where, &sb) != 0)
		return FWS_ENOENT;
	buf = malloc(FWS_ENVELOPE_MAX + 1);
	if (buf == NULL)
		return cli_fail(NULL, FWS_ENOMEM);
	rc = cli_bundle_open(c, where, verify_conf(), &prog, &b);
	while (rc == 0) {
		ssize_t got = b.read(b.ctx, buf + n, FWS_ENVELOPE_MAX + 1 - n);
		if (got == 0)
			break;
		if (got < 0) {
			rc = (got < -1 && got >= FWS_ELAST) ? (int)got : FWS_EIO;
			if (quiet && (rc == FWS_ENET || rc == FWS_ENOENT))
				rc = FWS_ENOENT;
			else
				rc = cli_fail(b.name, rc);
			break;
		}
		n += (size_t)got;
		if (n > FWS_ENVELOPE_MAX)
			rc = cli_fail_note(b.name, FWS_ELIMIT,
					   "larger than a channel or root can be");
	}
	cli_bundle_close(&b);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* root/N.json beside the channel: dirname of the path, or of the URL's
 * path (a query is not carried over). */
static int root_location(const char *channel, uint64_t version, char *out, size_t cap)
{
	const char *q = strchr(channel, '?');
	size_t n = q != NULL ? (size_t)(q - channel) : strlen(channel);
	const char *slash = NULL;
	for (size_t i = 0; i < n; i++)
		if (channel[i] == '/')
			slash = channel + i;
	int k;
	if (slash == NULL)
		k = snprintf(out, cap, "root/%llu.json", (unsigned long long)version);
	else
		k = snprintf(out, cap, "%.*sroot/%llu.json", (int)(slash - channel + 1), channel,
			     (unsigned long long)version);
	return k < 0 || (size_t)k >= cap ? -1 : 0;
}

/* Takes every root the publisher serves beside the channel, one step at a
 * time (each signed by the one before): the channel is then judged by the
 * newest root, whose timestamp key may have been replaced. */
static int advance_roots(struct cli *c, const char *channel, uint64_t *advanced)
{
	struct fws_device *dev = verify_device();
	struct fws_device_status st;
	char where[FWS_CONF_PATH_MAX + 64];
	*advanced = 0;
	for (int i = 0; i < FWS_MAX_ROOT_CHAIN; i++) {
		uint8_t *json;
		size_t len;
		uint64_t v;
		fws_diag_clear();
		int rc = fws_device_status(dev, &st);
		if (rc != 0)
			return verify_device_fail(verify_device_name(), rc);
		if (root_location(channel, st.state.root_version + 1, where, sizeof(where)) != 0)
			return 0;
		rc = fetch_small(c, where, 1, &json, &len);
		if (rc == FWS_ENOENT)
			return 0; /* the newest root is the trusted one */
		if (rc != 0)
			return rc;
		fws_diag_clear();
		rc = fws_device_root_advance(dev, json, len, &v);
		free(json);
		if (rc != 0)
			return verify_device_fail(where, rc);
		*advanced = v;
	}
	return 0;
}

/* The network-side failures another location may not have. */
static int try_next(int rc)
{
	return rc == FWS_ENET || rc == FWS_EINSECURE || rc == FWS_EREMOTE || rc == FWS_ESTALLED ||
	       rc == FWS_ENOENT || rc == FWS_ETRUNCATED || rc == FWS_ECHANNELMISMATCH;
}

static int install_from(struct cli *c, const struct fws_channel *ch, const char **used,
			struct fws_verify_result *res)
{
	struct fws_device *dev = verify_device();
	struct fws_install_opts io = {0};
	int rc = FWS_ENET;
	io.channel = ch;
	for (size_t i = 0; i < ch->n_locations; i++) {
		const char *loc = ch->locations[i];
		struct cli_bundle in = CLI_BUNDLE_INIT;
		struct cli_progress prog = {0};
		/* oci:// goes through the same entry point as `install URL`;
		 * a build whose entry point does not read it yet skips it. */
		if (!fws_is_url(loc)) {
			if (!c->json && !c->quiet)
				printf("skipping %s: this build does not fetch oci:// locations\n",
				       cli_esc(loc));
			continue;
		}
		rc = cli_bundle_open(c, loc, verify_conf(), &prog, &in);
		if (rc != 0)
			return rc; /* bad network options: the same for every location */
		cli_progress_start(&prog, c, "installing", in.size);
		fws_diag_clear();
		rc = fws_device_install(dev, in.read, in.ctx, &io, res);
		cli_progress_end(&prog);
		if (rc == 0) {
			*used = loc;
			cli_bundle_close(&in);
			return 0;
		}
		size_t more = 0; /* fetchable locations after this one */
		for (size_t j = i + 1; j < ch->n_locations; j++)
			more += fws_is_url(ch->locations[j]) != 0;
		if (!try_next(rc) || more == 0) {
			rc = verify_device_fail(rc == FWS_EBUSY || rc == FWS_ESTATE ||
							rc == FWS_ENOSPC || rc == FWS_EUNSAFE ||
							rc == FWS_EBOOTLOADER || rc == FWS_ETARGET
						    ? verify_device_name()
						    : in.name,
						rc);
			cli_bundle_close(&in);
			return rc;
		}
		cli_bundle_close(&in);
	}
	return cli_fail_note(ch->name, FWS_ENET, "no location this build can fetch");
}

static void channel_json(struct cli *c, const struct fws_channel_result *r)
{
	const struct fws_channel *ch = &r->channel;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(ch->name));
	json_object_set_new(o, "version", json_integer((json_int_t)ch->version));
	json_object_set_new(o, "created", cli_json_time(ch->created));
	json_object_set_new(o, "expires", cli_json_time(ch->expires));
	json_object_set_new(o, "release_version", json_string(ch->release_version));
	json_object_set_new(o, "security_version", json_integer((json_int_t)ch->security_version));
	json_object_set_new(o, "manifest_sha256", cli_json_hex(ch->manifest_sha256, 32));
	cli_json_set(c, "channel", o);
}

int run_poll(struct cli *c)
{
	const char *url = cli_get(c, "channel"), *name = cli_get(c, "name");
	const char *tt = cli_get(c, "trusted-time"), *used = NULL, *action;
	struct fws_channel_result *r = calloc(1, sizeof(*r));
	struct fws_verify_result *res = calloc(1, sizeof(*res));
	struct fws_device_status st;
	struct fws_device *dev;
	uint64_t advanced = 0;
	uint8_t *json = NULL;
	size_t len;
	const char *part;
	int rc = r == NULL || res == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;

	if (rc == 0 && tt != NULL && strcmp(tt, "now") != 0 &&
	    fws_time_parse(tt, &trusted_now) != 0)
		rc = cli_usage_error("--trusted-time must be 'now' or YYYY-MM-DDTHH:MM:SSZ");
	if (rc == 0 && tt != NULL && strcmp(tt, "now") == 0)
		trusted_now = (int64_t)time(NULL);
	if (rc == 0 && name != NULL && !fws_name_valid(name))
		rc = cli_usage_error("--name '%s' is not a channel name", cli_esc(name));
	if (rc == 0)
		rc = verify_open_device(c, 0);
	if (rc != 0)
		goto out;
	dev = verify_device();
	if (url == NULL && verify_conf() != NULL && verify_conf()->channel_url[0] != '\0')
		url = verify_conf()->channel_url;
	if (name == NULL && verify_conf() != NULL && verify_conf()->channel_name[0] != '\0')
		name = verify_conf()->channel_name;
	fws_diag_clear();
	if ((rc = fws_device_check(dev, &part)) != 0 || (rc = fws_device_status(dev, &st)) != 0) {
		rc = cli_fail(verify_device_name(), rc);
		goto out;
	}
	if (name == NULL && st.state.channel_version != 0)
		name = st.state.channel_name;
	if (url == NULL || name == NULL) {
		rc =
		    cli_usage_error("give --channel and --name, or set url and name in system.conf "
				    "[channel]");
		goto out;
	}
	if (tt != NULL)
		dev->clock = (struct fws_clock){&trusted_now, fixed_clock};
	if ((rc = advance_roots(c, url, &advanced)) != 0)
		goto out;
	if ((rc = fetch_small(c, url, 0, &json, &len)) != 0)
		goto out;
	fws_diag_clear();
	rc = fws_device_channel_accept(dev, json, len, name, r);
	if (rc != 0) {
		rc = verify_device_fail(rc == FWS_ESTATE || rc == FWS_EBUSY || rc == FWS_EIO ||
						rc == FWS_ENOSPC || rc == FWS_EUNSAFE
					    ? verify_device_name()
					    : url,
					rc);
		goto out;
	}
	if (r->installed) {
		action = "up-to-date";
	} else if (!r->in_rollout) {
		char t[21] = "?";
		action = r->bucket >= r->channel.rollout.percent ? "not-in-cohort" : "not-yet";
		char note[128];
		if (r->bucket >= r->channel.rollout.percent)
			snprintf(
			    note, sizeof(note),
			    "rollout: this device's bucket %u is not below %u%%; it waits for a "
			    "wider rollout",
			    (unsigned)r->bucket, (unsigned)r->channel.rollout.percent);
		else if (fws_time_format(r->channel.rollout.not_before, t) == 0)
			snprintf(note, sizeof(note), "rollout: not before %s", t);
		else
			snprintf(note, sizeof(note), "rollout: has not begun");
		rc = cli_fail_note(url, FWS_ENOTINCOHORT, note);
	} else {
		action = "installed";
		rc = install_from(c, &r->channel, &used, res);
	}
	if (rc != 0 && rc != -FWS_ENOTINCOHORT)
		goto out;
	if (c->json) {
		channel_json(c, r);
		cli_json_set(c, "roots_advanced", json_integer((json_int_t)advanced));
		cli_json_set(c, "same", json_boolean(r->same));
		cli_json_set(c, "bucket", json_integer(r->bucket));
		cli_json_set(c, "in_rollout", json_boolean(r->in_rollout));
		cli_json_set(c, "action", json_string(action));
		cli_json_set(c, "location", cli_json_str(used != NULL ? used : ""));
		cli_json_set(c, "slot",
			     used != NULL && fws_device_status(dev, &st) == 0 &&
				     st.state.pending_slot != '-'
				 ? json_stringn(&st.state.pending_slot, 1)
				 : json_null());
	} else if (rc == 0) {
		char t[21] = "?";
		if (fws_time_format(r->channel.expires, t) != 0)
			t[0] = '\0';
		if (advanced != 0)
			printf("trusted root now v%llu (from beside the channel)\n",
			       (unsigned long long)advanced);
		printf("channel %s v%llu%s: %s %s (security_version %llu), fresh until %s\n",
		       r->channel.name, (unsigned long long)r->channel.version,
		       r->same ? " (unchanged)" : "", r->channel.product,
		       r->channel.release_version, (unsigned long long)r->channel.security_version,
		       t);
		if (used != NULL)
			printf("installed from %s into the pending slot: reboot into it, then "
			       "mark-good\n",
			       cli_esc(used));
		else
			printf("up to date: slot %c holds %s\n", r->installed,
			       r->channel.release_version);
	}
out:
	free(json);
	free(r);
	free(res);
	return rc;
}

void channel_status_text(const struct fws_device_state *s)
{
	char boot_id[FWS_BOOT_ID_MAX + 1], t[21] = "?";
	uint64_t uptime;
	if (s->channel_version == 0) {
		printf("channel:          none\n");
		return;
	}
	fws_device_uptime(boot_id, &uptime);
	int64_t now = fws_device_channel_time(verify_device(), s, boot_id, uptime);
	if (fws_time_format(s->channel_expires, t) != 0)
		t[0] = '\0';
	printf("channel:          %s v%llu, %s %s\n", s->channel_name,
	       (unsigned long long)s->channel_version,
	       now < s->channel_expires ? "fresh until" : "STALE since", t);
}

void channel_status_json(struct cli *c, const struct fws_device_state *s)
{
	char boot_id[FWS_BOOT_ID_MAX + 1];
	uint64_t uptime;
	if (s->channel_version == 0) {
		cli_json_set(c, "channel", json_null());
		return;
	}
	fws_device_uptime(boot_id, &uptime);
	int64_t now = fws_device_channel_time(verify_device(), s, boot_id, uptime);
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(s->channel_name));
	json_object_set_new(o, "version", json_integer((json_int_t)s->channel_version));
	json_object_set_new(o, "created", cli_json_time(s->channel_created));
	json_object_set_new(o, "expires", cli_json_time(s->channel_expires));
	json_object_set_new(o, "stale", json_boolean(now >= s->channel_expires));
	json_object_set_new(o, "stale_since",
			    now >= s->channel_expires ? cli_json_time(s->channel_expires)
						      : json_null());
	cli_json_set(c, "channel", o);
}
