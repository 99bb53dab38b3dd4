/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal channel sign: argument parsing and output; lib/sign/channel_sign.c
 * decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_fwseal.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"
#include "fwseal/signing_key.h"

const struct cli_opt channel_sign_opts[] = {
    {"root", CLI_VALUE, "FILE", 1, "the newest root of trust (with a timestamp role)"},
    {"key", CLI_VALUE, "KEY", 1, "a timestamp key of the root: NAME.key or a pkcs11: URI"},
    {"channel", CLI_VALUE, "NAME", 1, "the channel's name (stable, beta, ...)"},
    {"bundle", CLI_VALUE, "FILE", 1, "the release it names, verified first"},
    {"expires", CLI_VALUE, "DURATION", 1,
     "validity from now: N followed by s, m, h or d (e.g. 2d);\nat most 366d"},
    {"location", CLI_LIST, "URL", 1,
     "where devices fetch the bundle: https:// or oci://\n(repeatable, tried in order, 1-8)"},
    {"previous", CLI_VALUE, "FILE", 0, "the channel this one follows (version + 1)"},
    {"percent", CLI_VALUE, "P", 0, "the share of devices that install it, 0-100 (default 100)"},
    {"not-before", CLI_VALUE, "TIME", 0,
     "no device installs before TIME (YYYY-MM-DDTHH:MM:SSZ;\ndefault: now)"},
    {"out", CLI_VALUE, "FILE", 1, "the channel to write (must not exist, unless --force)"},
    {"force", CLI_FLAG, NULL, 0, "replace an existing --out (never one of the inputs)"},
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the key's passphrase from FILE's first line"},
    CLI_SIGNER_OPTS,
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {NULL}};

const int channel_sign_codes[] = {
    FWS_ENOENT,	      FWS_EIO,		 FWS_ENOMEM,	    FWS_ELIMIT,
    FWS_EJSON,	      FWS_ESCHEMA,	 FWS_EENVELOPE,	    FWS_EPAYLOADTYPE,
    FWS_EUNTRUSTED,   FWS_EBADSIG,	 FWS_ETHRESHOLD,    FWS_EKEYID,
    FWS_EROOTVERSION, FWS_EEXPIRED,	 FWS_EFORMAT,	    FWS_EENTRY,
    FWS_ETRUNCATED,   FWS_ETRAILING,	 FWS_ESIZE,	    FWS_EDIGEST,
    FWS_EDECOMPRESS,  FWS_ETHRESHOLDDEF, FWS_EROOTMISMATCH, FWS_ECLOCK,
    FWS_EKEYFILE,     FWS_EPASSPHRASE,	 FWS_EKEYPERM,	    FWS_ENOTAUTHORISED,
    CLI_SIGNER_CODES, FWS_EEXIST,	 FWS_ESAMEFILE,	    0};

/* "2d", "36h", "90m", "600s": a channel lives days, not years; a typo in
 * the unit must not make one valid for a decade. */
static int parse_duration(const char *s, int64_t *out)
{
	unsigned long long n = 0;
	size_t len = strlen(s);
	char num[24];
	int64_t unit;
	if (len < 2 || len > sizeof(num))
		return -1;
	switch (s[len - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	memcpy(num, s, len - 1);
	num[len - 1] = '\0';
	if (cli_parse_u64(num, 366ull * 86400, &n) != 0 || n == 0 ||
	    (int64_t)n * unit > 366ll * 86400)
		return -1;
	*out = (int64_t)n * unit;
	return 0;
}

int run_channel_sign(struct cli *c)
{
	const char *root_path = cli_get(c, "root"), *key_path = cli_get(c, "key");
	const char *bundle = cli_get(c, "bundle"), *out_path = cli_get(c, "out");
	const char *prev_path = cli_get(c, "previous"), *pct = cli_get(c, "percent");
	const char *nb = cli_get(c, "not-before");
	const char *inputs[] = {root_path, key_path, bundle, prev_path};
	struct fws_channel_params p = {0};
	struct fws_signing_key *key = NULL;
	struct fws_root *root = malloc(sizeof(*root));
	struct fws_channel *ch = malloc(sizeof(*ch));
	unsigned long long percent = 100;
	uint8_t *prev = NULL;
	char *json = NULL, created[21], expires[21], hex[65];
	size_t json_len;
	int rc = root == NULL || ch == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;

	p.name = cli_get(c, "channel");
	p.locations = cli_list(c, "location", &p.n_locations);
	if (rc == 0 && !fws_name_valid(p.name))
		rc = cli_usage_error("--channel '%s' is not a name (1-64 of A-Z a-z 0-9 . _ + -)",
				     cli_esc(p.name));
	if (rc == 0 && parse_duration(cli_get(c, "expires"), &p.lifetime) != 0)
		rc = cli_usage_error("--expires must be N followed by s, m, h or d, at most 366d, "
				     "not '%s'",
				     cli_esc(cli_get(c, "expires")));
	if (rc == 0 && pct != NULL && cli_parse_u64(pct, 100, &percent) != 0)
		rc = cli_usage_error("--percent must be 0 to 100, not '%s'", cli_esc(pct));
	if (rc == 0 && nb != NULL && fws_time_parse(nb, &p.not_before) != 0)
		rc = cli_usage_error("--not-before must be YYYY-MM-DDTHH:MM:SSZ, not '%s'",
				     cli_esc(nb));
	if (rc == 0 && p.n_locations > FWS_CHANNEL_LOCATIONS_MAX)
		rc = cli_usage_error("at most %d --location", FWS_CHANNEL_LOCATIONS_MAX);
	for (size_t i = 0; rc == 0 && i < p.n_locations; i++)
		if (strncmp(p.locations[i], "https://", 8) != 0 &&
		    strncmp(p.locations[i], "oci://", 6) != 0)
			rc = cli_usage_error("--location '%s' is not an https:// or oci:// URL",
					     cli_esc(p.locations[i]));
	p.percent = (uint32_t)percent;
	if (rc == 0)
		rc = cli_now(&p.now);
	if (rc == 0 && (rc = fws_root_load_file(root_path, root, NULL)) != 0)
		rc = cli_fail(root_path, rc);
	if (rc == 0 && prev_path != NULL &&
	    (rc = fws_file_read_all(prev_path, FWS_ENVELOPE_MAX, &prev, &p.previous_len)) != 0)
		rc = cli_fail(prev_path, rc);
	p.previous = prev;
	if (rc == 0)
		rc = cli_signer_open(c, key_path, &key);
	if (rc != 0)
		goto out;
	fws_diag_clear();
	rc = fws_channel_create(bundle, root, key, &p, &json, &json_len, ch);
	if (rc != 0) {
		const char *d = fws_diag_last()->where;
		rc = cli_fail(rc == FWS_ENOTAUTHORISED	       ? fws_signing_key_name(key)
			      : strncmp(d, "previous", 8) == 0 ? prev_path
							       : bundle,
			      rc);
		goto out;
	}
	rc = fws_file_write_atomic(out_path, json, json_len, 0644,
				   cli_flag(c, "force") ? FWS_OUT_REPLACE : FWS_OUT_NEW, inputs,
				   prev_path != NULL ? 4 : 3);
	if (rc != 0) {
		rc = cli_fail(out_path, rc);
		goto out;
	}
	if (fws_time_format(ch->created, created) != 0 ||
	    fws_time_format(ch->expires, expires) != 0)
		snprintf(created, sizeof(created), "?");
	fws_hex_encode(hex, ch->manifest_sha256, 32);
	if (c->json) {
		cli_json_set(c, "channel", json_string(out_path));
		cli_json_set(c, "name", json_string(ch->name));
		cli_json_set(c, "version", json_integer((json_int_t)ch->version));
		cli_json_set(c, "created", cli_json_time(ch->created));
		cli_json_set(c, "expires", cli_json_time(ch->expires));
		cli_json_set(c, "release_version", json_string(ch->release_version));
		cli_json_set(c, "security_version", json_integer((json_int_t)ch->security_version));
		cli_json_set(c, "manifest_sha256", cli_json_hex(ch->manifest_sha256, 32));
		cli_json_set(c, "bundle_sha256", cli_json_hex(ch->bundle_sha256, 32));
		cli_json_set(c, "bundle_size", json_integer((json_int_t)ch->bundle_size));
		cli_json_set(c, "percent", json_integer(ch->rollout.percent));
		cli_json_set(c, "not_before", cli_json_time(ch->rollout.not_before));
	} else {
		printf("channel %s: %s v%llu -> %s %s (security_version %llu), %u%% of devices, "
		       "expires %s\n  manifest sha256 %s\n",
		       cli_esc(out_path), ch->name, (unsigned long long)ch->version, ch->product,
		       ch->release_version, (unsigned long long)ch->security_version,
		       (unsigned)ch->rollout.percent, expires, hex);
	}
out:
	fws_signing_key_close(key);
	free(json);
	free(prev);
	free(root);
	free(ch);
	return rc;
}
