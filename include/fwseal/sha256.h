/* SPDX-License-Identifier: Apache-2.0 */
/* Streaming SHA-256 behind one small interface. The backend (nettle, with
 * SHA-NI / ARMv8 crypto extensions, or libsodium's portable code with
 * HASH=sodium) is chosen at build time by file. */
#ifndef FWSEAL_SHA256_H
#define FWSEAL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

#define FWS_SHA256_LEN 32

/* Opaque storage large enough for either backend's state (checked with
 * _Static_assert in each backend). */
struct fws_sha256 {
	_Alignas(16) unsigned char opaque[256];
};

FWS_API void fws_sha256_init(struct fws_sha256 *h);
FWS_API void fws_sha256_update(struct fws_sha256 *h, const void *data, size_t len);
/* Writes the digest and wipes the state. */
FWS_API void fws_sha256_final(struct fws_sha256 *h, uint8_t out[FWS_SHA256_LEN]);
FWS_API void fws_sha256(const void *data, size_t len, uint8_t out[FWS_SHA256_LEN]);
/* Name of the compiled-in backend: "nettle" or "libsodium". */
FWS_API const char *fws_sha256_backend(void);
/* The backend library's version at run time, e.g. "3.9" (nettle). */
FWS_API const char *fws_sha256_backend_version(void);

#endif
