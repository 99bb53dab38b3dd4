/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 device key files (p256_keyfile.c describes the format). */
#ifndef FWSEAL_BUNDLE_P256_KEYFILE_H
#define FWSEAL_BUNDLE_P256_KEYFILE_H

#include "bundle/p256.h"

/* The secret key file: a regular file (no symbolic link: FWS_EUNSAFE),
 * mode 0600 or stricter (FWS_EKEYPERM), one key line (FWS_EIDENTITY), a
 * valid scalar. pk is computed from it. sk is secret (wipe it). */
int fws_p256_secret_load(const char *path, uint8_t sk[FWS_P256_SCALAR_BYTES],
			 uint8_t pk[FWS_P256_POINT_BYTES]) __attribute__((warn_unused_result));
/* 1 when path's key line is a P-256 secret key, 0 when it is another
 * kind (an age identity), negative when it cannot be read. */
int fws_p256_secret_file_is(const char *path) __attribute__((warn_unused_result));
/* A public key file: one line fwseal-p256-1..., a point on the curve. */
int fws_p256_public_load(const char *path, uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));

/* The two files' text (the length written, or FWS_EINTERNAL when cap is
 * too small; 256 bytes always suffice). */
#define FWS_P256_KEYFILE_TEXT_CAP 256
int fws_p256_secret_text(const uint8_t sk[FWS_P256_SCALAR_BYTES],
			 const uint8_t pk[FWS_P256_POINT_BYTES], char *out, size_t cap);
int fws_p256_public_text(const uint8_t pk[FWS_P256_POINT_BYTES], char *out, size_t cap);

#endif
