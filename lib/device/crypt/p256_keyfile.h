/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 device key files (p256_keyfile.c describes the format). */
#ifndef FWSEAL_DEVICE_CRYPT_P256_KEYFILE_H
#define FWSEAL_DEVICE_CRYPT_P256_KEYFILE_H

#include "device/crypt/p256.h"

/* The secret key file: a regular file (no symbolic link: FWS_EUNSAFE),
 * mode 0600 or stricter (FWS_EKEYPERM), one key line (FWS_EKEYFILE), a
 * valid scalar. pk is computed from it. sk is secret (wipe it). */
int fws_p256_secret_load(const char *path, uint8_t sk[FWS_P256_SCALAR_BYTES],
			 uint8_t pk[FWS_P256_POINT_BYTES]) __attribute__((warn_unused_result));
/* A public key file: one line fwseal-p256:BASE64, a point on the curve. */
int fws_p256_public_load(const char *path, uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));

/* The two files' text (the length written, or FWS_EINTERNAL when cap is
 * too small; 256 bytes always suffice). */
#define FWS_P256_KEYFILE_TEXT_CAP 256
int fws_p256_secret_text(const uint8_t sk[FWS_P256_SCALAR_BYTES],
			 const uint8_t pk[FWS_P256_POINT_BYTES], char *out, size_t cap);
int fws_p256_public_text(const uint8_t pk[FWS_P256_POINT_BYTES], char *out, size_t cap);

#endif
