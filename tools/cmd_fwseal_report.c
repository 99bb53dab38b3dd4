/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal report verify: checks device reports (docs/fleet.md "Device
 * reports"); lib/bundle/report_json.c decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_fwseal.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

const struct cli_opt report_verify_opts[] = {
    {"device-key", CLI_VALUE, "D.pub", 1,
     "the device's public key (fwseal-verify device-key), as\nrecorded by the fleet"},
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {NULL}};
const int report_verify_codes[] = {FWS_ENOENT, FWS_EIO,	    FWS_ENOMEM,	   FWS_ELIMIT,
				   FWS_EJSON,  FWS_ESCHEMA, FWS_EENVELOPE, FWS_EPAYLOADTYPE,
				   FWS_EKEYID, FWS_ECLOCK,  FWS_EREPORT,   0};

static int load_one(const char *path, const uint8_t pk[32], struct fws_report *r)
{
	uint8_t *data = NULL;
	size_t len;
	int rc = fws_file_read_all(path, FWS_ENVELOPE_MAX, &data, &len);
	if (rc == 0) {
		fws_diag_clear();
		rc = fws_report_load(data, len, pk, r);
	}
	free(data);
	return rc != 0 ? cli_fail(path, rc) : 0;
}

int run_report_verify(struct cli *c)
{
	const char *key = cli_get(c, "device-key");
	size_t n = c->n_args;
	struct fws_report *r = calloc(n, sizeof(*r));
	size_t *order = calloc(n, sizeof(*order));
	uint8_t pk[32], id[32];
	int rc = r == NULL || order == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;

	if (rc == 0 && (rc = fws_public_key_load(key, pk, id)) != 0)
		rc = cli_fail(key, rc);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = load_one(c->args[i], pk, &r[i]);
	/* The order the fleet received them, newest first (never re-sorted by
	 * what the reports say: a cut log would then just look older). */
	for (size_t i = 0; i < n; i++)
		order[i] = n - 1 - i;
	for (size_t i = 1; rc == 0 && i < n; i++) {
		fws_diag_clear();
		rc = fws_report_check_extends(&r[order[i - 1]], &r[order[i]]);
		if (rc != 0) {
			char note[300];
			snprintf(note, sizeof(note), "compared with %s",
				 cli_esc(c->args[order[i - 1]]));
			rc = cli_fail_note(c->args[order[i]], rc, note);
		}
	}
	if (rc == 0) {
		const struct fws_report *last = &r[order[n - 1]];
		if (c->json) {
			cli_json_set(c, "device_id", json_string(last->device_id));
			cli_json_set(c, "hardware_id", json_string(last->hardware_id));
			cli_json_set(c, "confirmed_version", json_string(last->confirmed.version));
			cli_json_set(c, "pending_version",
				     last->has_pending ? json_string(last->pending.version)
						       : json_null());
			cli_json_set(c, "security_version",
				     json_integer((json_int_t)last->security_version));
			cli_json_set(c, "log_seq", json_integer((json_int_t)last->log_seq));
			cli_json_set(c, "log_valid", json_boolean(last->log_valid));
			cli_json_set(c, "channel_stale",
				     json_boolean(last->has_channel && last->channel_stale));
			cli_json_set(c, "reports", json_integer((json_int_t)n));
		} else {
			printf("%zu report%s of device %s (%s): verified, one audit log up to seq "
			       "%llu\n",
			       n, n == 1 ? "" : "s", last->device_id, last->hardware_id,
			       (unsigned long long)last->log_seq);
			printf("  confirmed %s (security_version %llu)%s%s\n",
			       last->confirmed.version[0] ? last->confirmed.version : "empty",
			       (unsigned long long)last->security_version,
			       last->has_pending ? ", pending " : "",
			       last->has_pending ? last->pending.version : "");
			if (!last->log_valid)
				printf("  WARNING: the device said its own log does not verify\n");
			if (last->has_channel && last->channel_stale)
				printf("  WARNING: its channel %s v%llu is stale\n",
				       last->channel_name,
				       (unsigned long long)last->channel_version);
		}
	}
	free(r);
	free(order);
	return rc;
}
