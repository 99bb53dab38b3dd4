/* SPDX-License-Identifier: Apache-2.0 */
/* Hex, key IDs and UTC times: the small, exact encodings every format uses. */
#ifndef FWSEAL_ENCODING_H
#define FWSEAL_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

/* Lowercase hex of len bytes into out (needs 2*len+1 bytes, NUL-terminated). */
FWS_API void fws_hex_encode(char *out, const uint8_t *in, size_t len);
/* Decodes exactly 2*len lowercase hex characters (hex must be NUL-terminated
 * and have exactly that length). FWS_ESCHEMA otherwise; out unchanged on error. */
FWS_API FWS_MUST_CHECK int fws_hex_decode_exact(uint8_t *out, size_t len, const char *hex);

/* Key ID = SHA-256 of the raw 32-byte Ed25519 public key. */
FWS_API void fws_keyid(const uint8_t public_key[32], uint8_t keyid[32]);

/* Strict RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ", years 1970-9999, real calendar
 * dates only. FWS_ECLOCK on anything else. */
FWS_API FWS_MUST_CHECK int fws_time_parse(const char *s, int64_t *out);
/* Formats t (>= 0) as above into out[21]. */
FWS_API FWS_MUST_CHECK int fws_time_format(int64_t t, char out[21]);

#endif
