/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-verify report and device-key (docs/fleet.md "Device reports"):
 * parsing and output; lib/device/report.c decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_verify.h"
#include "fwseal/net.h"
#include "fwseal/report.h"

const struct cli_opt report_opts[] = {
    DEVICE_OPT,
    {"out", CLI_VALUE, "FILE", 0, "write the report to FILE (default: standard output)"},
    {"force", CLI_FLAG, NULL, 0, "replace an existing --out"},
    {"json", CLI_FLAG, NULL, 0,
     "print the result as JSON (needs --out or --post: standard\noutput carries the report otherwise)"},
    {"events", CLI_VALUE, "N", 0, "the newest N audit-log lines (default 8, at most 64)"},
    {"since", CLI_VALUE, "SEQ", 0,
     "every audit-log line after SEQ instead (what the fleet saw\nlast; at most 64)"},
    {"post", CLI_VALUE, "URL", 0, "POST the report to URL (https; [network] settings apply)"},
    {"stall-timeout", CLI_VALUE, "SECONDS", 0, "with --post: give up after SECONDS (default 60)"},
    CLI_NET_OPTS,
    LOCK_OPT,
    {NULL}};
const int report_codes[] = {FWS_ESTATE, FWS_EUNSAFE,   FWS_EIO,	   FWS_ECONFIG, FWS_EBOOTLOADER,
			    FWS_ENOENT, FWS_ELIMIT,    FWS_ENOMEM, FWS_EEXIST,	FWS_ESAMEFILE,
			    FWS_ENET,	FWS_EINSECURE, FWS_EFLOOR, FWS_EBUSY,	0};

const struct cli_opt device_key_opts[] = {
    DEVICE_OPT,
    {"create", CLI_FLAG, NULL, 0, "make the key first (a device provisioned before reports)"},
    {"out", CLI_VALUE, "FILE", 0, "write the .pub to FILE (default: standard output)"},
    {"force", CLI_FLAG, NULL, 0, "replace an existing --out"},
    {"json", CLI_FLAG, NULL, 0,
     "print the result as JSON (needs --out: standard output\ncarries the key otherwise)"},
    {NULL}};
const int device_key_codes[] = {FWS_ESTATE, FWS_EUNSAFE, FWS_EIO,    FWS_ECONFIG,   FWS_EBOOTLOADER,
				FWS_ENOENT, FWS_EEXIST,	 FWS_ENOMEM, FWS_ESAMEFILE, 0};

static int write_out(struct cli *c, const char *out, const char *data, size_t len)
{
	if (out == NULL)
		return fwrite(data, 1, len, stdout) == len ? 0
							   : cli_fail("standard output", FWS_EIO);
	int rc = fws_file_write_atomic(
	    out, data, len, 0644, cli_flag(c, "force") ? FWS_OUT_REPLACE : FWS_OUT_NEW, NULL, 0);
	return rc != 0 ? cli_fail(out, rc) : 0;
}

int run_report(struct cli *c)
{
	const char *out = cli_get(c, "out"), *post = cli_get(c, "post");
	const char *ev = cli_get(c, "events"), *since_s = cli_get(c, "since");
	unsigned long long events = 0, since = 0;
	char *json = NULL;
	size_t len;
	int rc = 0;

	if (ev != NULL && since_s != NULL)
		return cli_usage_error("give --events or --since, not both");
	if (ev != NULL && (cli_parse_u64(ev, FWS_REPORT_EVENTS_MAX, &events) != 0 || events == 0))
		return cli_usage_error("--events must be 1 to %d", FWS_REPORT_EVENTS_MAX);
	if (since_s != NULL && cli_parse_u64(since_s, (1ull << 53) - 1, &since) != 0)
		return cli_usage_error("--since must be a log sequence number");
	if (since_s != NULL && since == 0) /* every line from the first */
		events = FWS_REPORT_EVENTS_MAX;
	if (post != NULL && !fws_is_url(post))
		return cli_usage_error("--post takes an https:// URL");
	if (c->json && out == NULL && post == NULL)
		return cli_usage_error("--json needs --out or --post (standard output carries the report)");
	rc = verify_open_device(c, 0);
	if (rc != 0)
		return rc;
	fws_diag_clear();
	rc = fws_device_report(verify_device(), verify_state_dirfd(), (unsigned)events,
			       (uint64_t)since, &json, &len);
	if (rc != 0)
		return verify_device_fail(verify_device_name(), rc);
	if (post == NULL || out != NULL)
		rc = write_out(c, out, json, len);
	if (rc == 0 && post != NULL) {
		struct fws_http_opts o = {0};
		long status = 0;
		rc = cli_net_opts(c, verify_conf(), &o);
		o.url = post;
		fws_diag_clear();
		if (rc == 0 &&
		    (rc = fws_http_post(&o, "application/json", json, len, &status)) != 0)
			rc = cli_fail(post, rc);
		if (rc == 0 && !c->json)
			printf("report posted to %s (HTTP %ld)\n", cli_esc(post), status);
		if (rc == 0)
			cli_json_set(c, "http_status", json_integer(status));
	}
	if (rc == 0) {
		cli_json_set(c, "out", cli_json_str(out));
		cli_json_set(c, "post", cli_json_str(post));
	}
	free(json);
	return rc;
}

int run_device_key(struct cli *c)
{
	uint8_t pk[32], id[32];
	char pk_hex[65], id_hex[65], line[256];
	if (c->json && cli_get(c, "out") == NULL)
		return cli_usage_error("--json needs --out (standard output carries the key)");
	int rc = verify_open_device(c, 0);
	if (rc != 0)
		return rc;
	fws_diag_clear();
	if (cli_flag(c, "create") && (rc = fws_device_key_create(verify_state_dirfd())) != 0)
		return cli_fail(verify_device_name(), rc);
	if ((rc = fws_device_key_public(verify_state_dirfd(), pk)) != 0)
		return cli_fail(verify_device_name(), rc);
	fws_keyid(pk, id);
	fws_hex_encode(pk_hex, pk, 32);
	fws_hex_encode(id_hex, id, 32);
	/* The .pub format of docs/format.md §8.1, so fwseal reads it as any key. */
	int n = snprintf(line, sizeof(line),
			 "{\"keyid\":\"%s\",\"keytype\":\"ed25519\",\"public\":\"%s\","
			 "\"type\":\"fwseal-public-key\",\"version\":1}\n",
			 id_hex, pk_hex);
	rc = write_out(c, cli_get(c, "out"), line, (size_t)n);
	if (rc == 0) {
		cli_json_set(c, "keyid", json_string(id_hex));
		cli_json_set(c, "out", cli_json_str(cli_get(c, "out")));
	}
	return rc;
}
