/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal permit: creating a downgrade permit (docs/permits.md).
 *
 * A signer vouches for what they sign, so the permit is made from the
 * bundle itself: the bundle is verified against the signer's trusted root
 * first, and the permit names the digest of exactly that verified manifest
 * body and its version. Nobody types a digest by hand. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/permit.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/keys.h"
#include "io/io.h"
#include "sign/release_key.h"

#define DAY 86400

int fws_permit_create(const char *bundle_path, const struct fws_root *trusted,
		      const struct fws_signing_key *key, const char *device_id,
		      const char *hardware_id, const char *to_version, int64_t now,
		      uint32_t valid_days, char **json_out, size_t *len_out)
{
	struct fws_verify_result *res = NULL;
	struct fws_envelope *env = NULL;
	struct fws_verify_opts vo;
	struct fws_permit p;
	uint8_t keyid[32];
	char *body = NULL;
	size_t body_len;
	int fd = -1, rc = FWS_EUSAGE;

	if (json_out == NULL || len_out == NULL)
		return FWS_EUSAGE;
	*json_out = NULL;
	*len_out = 0;
	if (bundle_path == NULL || trusted == NULL || key == NULL || to_version == NULL)
		goto out;
	/* Exactly one binding (the decoder refuses anything else too). */
	if ((device_id == NULL) == (hardware_id == NULL))
		goto out;
	if (valid_days == 0)
		valid_days = FWS_PERMIT_DAYS_DEFAULT;
	if (valid_days > FWS_PERMIT_DAYS_MAX || now <= 0)
		goto out;

	rc = FWS_ENOMEM;
	res = malloc(sizeof(*res));
	env = calloc(1, sizeof(*env));
	if (res == NULL || env == NULL)
		goto out;
	fd = open(bundle_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? FWS_ENOENT : FWS_EIO;
		goto out;
	}
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = trusted;
	vo.now = now;
	/* A hardware-bound permit for a bundle that hardware cannot install
	 * would be useless at best: refuse it here (FWS_EHARDWARE). */
	vo.policy.hardware_id = hardware_id;
	rc = fws_bundle_verify(fws_read_fd, &fd, &vo, NULL, res);
	if (rc != 0)
		goto out;
	/* The version is named twice (operator and bundle) on purpose: a
	 * permit for the wrong bundle must not be made by a slip. */
	rc = FWS_EUSAGE;
	if (strcmp(to_version, res->manifest.version) != 0)
		goto out;
	rc = fws_release_key_check(key, &res->root, now, keyid);
	if (rc != 0)
		goto out;

	memset(&p, 0, sizeof(p));
	rc = FWS_EUSAGE;
	if (device_id != NULL && strlen(device_id) >= sizeof(p.device_id))
		goto out;
	if (hardware_id != NULL && strlen(hardware_id) >= sizeof(p.hardware_id))
		goto out;
	if (device_id != NULL)
		strcpy(p.device_id, device_id);
	if (hardware_id != NULL)
		strcpy(p.hardware_id, hardware_id);
	strcpy(p.to_version, res->manifest.version);
	memcpy(p.manifest_sha256, res->manifest_body_sha256, sizeof(p.manifest_sha256));
	p.created = now;
	p.expires = now + (int64_t)valid_days * DAY;
	rc = fws_permit_encode(&p, &body, &body_len);
	if (rc == FWS_ESCHEMA)
		rc = FWS_EUSAGE; /* an invalid device or hardware id */
	if (rc == 0)
		rc = fws_envelope_set_body(env, FWS_TYPE_PERMIT, (const uint8_t *)body, body_len);
	if (rc == 0)
		rc = fws_envelope_sign(env, key);
	if (rc == 0)
		rc = fws_envelope_encode(env, json_out, len_out);
out:
	if (fd >= 0)
		close(fd);
	free(body);
	free(env);
	free(res);
	return rc;
}
