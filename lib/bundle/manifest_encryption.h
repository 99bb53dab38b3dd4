/* SPDX-License-Identifier: Apache-2.0 */
/* The manifest's encryption fields (docs/format.md §15.4), decoded and
 * encoded beside manifest_json.c so that file keeps one job. */
#ifndef FWSEAL_BUNDLE_MANIFEST_ENCRYPTION_H
#define FWSEAL_BUNDLE_MANIFEST_ENCRYPTION_H

#include <jansson.h>

#include "fwseal/manifest.h"

/* A payload object with `encryption`: its own checks of size and chunk
 * geometry (replacing the plaintext ones). */
int fws_manifest_decode_payload_encryption(const json_t *obj, struct fws_payload *p);
/* The top-level `encryption` and its agreement with the payloads. */
int fws_manifest_decode_encryption(const json_t *doc, struct fws_manifest *m);
int fws_manifest_encode_payload_encryption(const struct fws_payload *p, json_t *obj);
int fws_manifest_encode_encryption(const struct fws_manifest *m, json_t *doc);

#endif
