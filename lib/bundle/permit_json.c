/* SPDX-License-Identifier: Apache-2.0 */
/* The downgrade-permit codec (docs/permits.md, docs/format.md §13): a
 * release-signed statement "device X
 * (or every device of hardware Y) may install the bundle whose manifest
 * body has digest D, version V, once, before time E". It is the one way
 * past anti-rollback, for a field recall, without switching the check off.
 *
 * The permit is a DSSE envelope of type FWS_TYPE_PERMIT, so no manifest or
 * root can be taken for one (and the other way round). Its body:
 *   {"created":"T","device_id":"ID","expires":"T","manifest_sha256":"<hex>",
 *    "schema":1,"to_version":"V"}
 * with exactly one of device_id / hardware_id; canonical (keys sorted,
 * compact) when we write it; unknown fields refused when we read it. */
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/permit.h"
#include "fwseal/policy.h"
#include "fwseal/root.h"
#include "io/io.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY 86400

static const char *const permit_required[] = {"schema", "to_version", "manifest_sha256", "created",
					      "expires"};
static const char *const permit_optional[] = {"device_id", "hardware_id"};

/* expires broke its rule: not after created, or too long after it. */
static int expires_error(const struct fws_permit *p, int too_long)
{
	char a[21], b[21];
	if (fws_time_format(p->expires, a) != 0 || fws_time_format(p->created, b) != 0)
		return fws_diag_set(FWS_ESCHEMA, 0, "expires", "out of range");
	if (too_long)
		return fws_diag_set(FWS_ESCHEMA, 0, "expires",
				    "%s is more than %d days after created %s", a,
				    FWS_PERMIT_DAYS_MAX, b);
	return fws_diag_set(FWS_ESCHEMA, 0, "expires", "%s is not after created %s", a, b);
}

/* The rules every permit obeys, for the decoder and the encoder alike. */
static int permit_valid(const struct fws_permit *p)
{
	char q[FWS_JSON_QUOTE_CAP];
	int has_dev, has_hw;

	if (memchr(p->device_id, '\0', sizeof(p->device_id)) == NULL ||
	    memchr(p->hardware_id, '\0', sizeof(p->hardware_id)) == NULL ||
	    memchr(p->to_version, '\0', sizeof(p->to_version)) == NULL)
		return fws_diag_set(FWS_ESCHEMA, 0, NULL,
				    "device_id, hardware_id or to_version is not a C string");
	has_dev = p->device_id[0] != '\0';
	has_hw = p->hardware_id[0] != '\0';
	/* Exactly one binding: a permit for "any device" must not exist, and
	 * one naming both would leave open which of the two a device obeys. */
	if (has_dev && has_hw)
		return fws_diag_set(FWS_ESCHEMA, 0, NULL,
				    "both \"device_id\" and \"hardware_id\" (exactly one of them)");
	if (!has_dev && !has_hw)
		return fws_diag_set(
		    FWS_ESCHEMA, 0, NULL,
		    "missing field \"device_id\" or \"hardware_id\" (exactly one of "
		    "them)");
	if (has_dev && !fws_name_valid(p->device_id))
		return fws_diag_set(FWS_ESCHEMA, 0, "device_id", "%s is not a valid name",
				    fws_json_quote(q, p->device_id, strlen(p->device_id)));
	if (has_hw && !fws_name_valid(p->hardware_id))
		return fws_diag_set(FWS_ESCHEMA, 0, "hardware_id", "%s is not a valid name",
				    fws_json_quote(q, p->hardware_id, strlen(p->hardware_id)));
	if (!fws_semver_valid(p->to_version))
		return fws_diag_set(FWS_ESCHEMA, 0, "to_version", "%s is not a semantic version",
				    fws_json_quote(q, p->to_version, strlen(p->to_version)));
	/* Short-lived by construction: a leaked permit is useful for at most
	 * FWS_PERMIT_DAYS_MAX days. */
	if (p->created < 0)
		return fws_diag_set(FWS_ESCHEMA, 0, "created", "before 1970");
	if (p->expires <= p->created)
		return expires_error(p, 0);
	if (p->expires - p->created > (int64_t)FWS_PERMIT_DAYS_MAX * DAY)
		return expires_error(p, 1);
	return 0;
}

int fws_permit_decode(const uint8_t *json, size_t len, struct fws_permit *p)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	uint64_t schema;

	if (p == NULL)
		return FWS_EUSAGE;
	memset(p, 0, sizeof(*p));
	if (json == NULL)
		goto out;
	rc = fws_json_load(json, len, FWS_BODY_MAX, &doc);
	if (rc == 0)
		rc = fws_json_check_keys(doc, permit_required, COUNT(permit_required),
					 permit_optional, COUNT(permit_optional));
	if (rc == 0)
		rc = fws_json_get_uint(doc, "schema", 1, 1, &schema);
	if (rc == 0 && json_object_get(doc, "device_id") != NULL)
		rc = fws_json_get_name(doc, "device_id", p->device_id, sizeof(p->device_id));
	if (rc == 0 && json_object_get(doc, "hardware_id") != NULL)
		rc = fws_json_get_name(doc, "hardware_id", p->hardware_id, sizeof(p->hardware_id));
	if (rc == 0)
		rc = fws_json_get_semver(doc, "to_version", p->to_version, sizeof(p->to_version));
	if (rc == 0)
		rc = fws_json_get_hex(doc, "manifest_sha256", p->manifest_sha256,
				      sizeof(p->manifest_sha256));
	if (rc == 0)
		rc = fws_json_get_time(doc, "created", &p->created);
	if (rc == 0)
		rc = fws_json_get_time(doc, "expires", &p->expires);
	if (rc == 0)
		rc = permit_valid(p);
out:
	if (rc != 0)
		memset(p, 0, sizeof(*p));
	json_decref(doc);
	return rc;
}

int fws_permit_encode(const struct fws_permit *p, char **out, size_t *out_len)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	struct fws_permit check;
	char hex[65], *text = NULL;
	size_t text_len;

	if (out == NULL || out_len == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	*out_len = 0;
	if (p == NULL)
		goto out;
	rc = permit_valid(p);
	if (rc != 0)
		goto out;
	rc = FWS_ENOMEM;
	doc = json_object();
	if (doc == NULL)
		goto out;
	fws_hex_encode(hex, p->manifest_sha256, sizeof(p->manifest_sha256));
	rc = fws_json_set(doc, "schema", json_integer(1));
	if (rc == 0 && p->device_id[0] != '\0')
		rc = fws_json_set(doc, "device_id", json_string(p->device_id));
	if (rc == 0 && p->hardware_id[0] != '\0')
		rc = fws_json_set(doc, "hardware_id", json_string(p->hardware_id));
	if (rc == 0)
		rc = fws_json_set(doc, "to_version", json_string(p->to_version));
	if (rc == 0)
		rc = fws_json_set(doc, "manifest_sha256", json_string(hex));
	if (rc == 0)
		rc = fws_json_set_time(doc, "created", p->created);
	if (rc == 0)
		rc = fws_json_set_time(doc, "expires", p->expires);
	if (rc == 0)
		rc = fws_json_dump_canonical(doc, &text, &text_len);
	/* Never sign a permit our own decoder would refuse or read differently. */
	if (rc == 0)
		rc = fws_permit_decode((const uint8_t *)text, text_len, &check);
	if (rc == 0 && (strcmp(check.device_id, p->device_id) != 0 ||
			strcmp(check.hardware_id, p->hardware_id) != 0 ||
			strcmp(check.to_version, p->to_version) != 0 ||
			memcmp(check.manifest_sha256, p->manifest_sha256, 32) != 0 ||
			check.created != p->created || check.expires != p->expires))
		rc = FWS_EINTERNAL;
	if (rc != 0)
		goto out;
	*out = text;
	*out_len = text_len;
	text = NULL;
out:
	free(text);
	json_decref(doc);
	return rc;
}
