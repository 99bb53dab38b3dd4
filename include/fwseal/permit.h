/* SPDX-License-Identifier: Apache-2.0 */
/* Downgrade permits (docs/permits.md): a release-signed envelope that lets
 * one device (or every device of one hardware id) install exactly one
 * bundle once, despite anti-rollback. Codec: lib/bundle/permit_json.c;
 * check: lib/device/permit.c; signing: lib/sign/permit_sign.c. */
#ifndef FWSEAL_PERMIT_H
#define FWSEAL_PERMIT_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/limits.h"
#include "fwseal/manifest.h"
#include "fwseal/root.h"
#include "fwseal/state.h"

#define FWS_TYPE_PERMIT "application/vnd.fwseal.permit+json"

struct fws_permit {
	char device_id[FWS_DEVICE_ID_MAX + 1]; /* "" when bound to hardware_id */
	char hardware_id[FWS_NAME_MAX + 1];    /* "" when bound to device_id */
	char to_version[FWS_VERSION_MAX + 1];
	uint8_t manifest_sha256[32]; /* SHA-256 of the manifest body it allows */
	int64_t created;
	int64_t expires;
};

FWS_API FWS_MUST_CHECK int fws_permit_decode(const uint8_t *json, size_t len,
					     struct fws_permit *p);
/* Canonical body for signing; refuses what the decoder would refuse. */
FWS_API FWS_MUST_CHECK int fws_permit_encode(const struct fws_permit *p, char **out,
					     size_t *out_len);

/* A permit applies when signed by the release threshold of root, bound to
 * this device (or its hardware), naming exactly this manifest and version,
 * newer than every permit used before (replay) and not expired against the
 * device's trusted time. */
FWS_API FWS_MUST_CHECK int fws_permit_check(const uint8_t *json, size_t len,
					    const struct fws_root *root,
					    const struct fws_device_state *st,
					    const struct fws_manifest *m,
					    const uint8_t manifest_body_sha256[32], int64_t now,
					    struct fws_permit *out);

#endif
