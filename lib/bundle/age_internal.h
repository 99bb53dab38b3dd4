/* SPDX-License-Identifier: Apache-2.0 */
/* age v1 building blocks shared by the header reader and writer, the
 * recipient types and the identities (docs/format.md §15). */
#ifndef FWSEAL_BUNDLE_AGE_INTERNAL_H
#define FWSEAL_BUNDLE_AGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/encrypt.h"

#define AGE_VERSION_LINE "age-encryption.org/v1"
#define AGE_COLUMNS 64 /* base64 characters per full body line */

/* HKDF-SHA256 (RFC 5869) by HMAC-SHA256: libsodium 1.0.18 has no HKDF.
 * out_len <= 255 * 32. */
void fws_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
		     const char *info, uint8_t *out, size_t out_len);

/* age's base64: standard alphabet, no padding, canonical (unused bits
 * zero). Decode returns the byte count or -1. */
size_t fws_b64raw_encoded_len(size_t len);
void fws_b64raw_encode(const uint8_t *in, size_t len, char *out); /* NUL-terminated */
long fws_b64raw_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max);

/* Bech32 (BIP 173, no length limit, as age uses it). encode: lower case
 * unless upper; returns 0 or -1 when out is too small. decode: hrp
 * compared case-insensitively, mixed case refused; returns data length or -1. */
int fws_bech32_encode(const char *hrp, const uint8_t *data, size_t len, int upper, char *out,
		      size_t out_max);
long fws_bech32_decode(const char *text, const char *hrp, uint8_t *out, size_t out_max);

/* The header MAC key: HKDF(file key, "", "header"). */
void fws_age_mac_key(const uint8_t file_key[FWS_FILE_KEY_LEN], uint8_t key[32]);

/* ChaCha20 of plaintext bytes [off, off + len) of a payload of plain_size
 * bytes, all in one STREAM chunk, off a multiple of 64, without its tag
 * (FWS_EUSAGE otherwise): a delta turns the ciphertext of a run of blocks
 * it fetched into plaintext this way. Unauthenticated: the caller
 * re-encrypts the chunk it assembles and checks it against its signed
 * ciphertext digest before anything uses it (ADR-087). */
int fws_enc_stream_xor(const uint8_t key[32], uint64_t plain_size, uint64_t off,
		       const uint8_t *in, uint8_t *out, size_t len);

/* --- writing a header (lib/bundle/age_header_write.c) --- */
typedef int (*fws_age_out_fn)(void *ctx, const void *data, size_t len);
struct fws_age_writer;
int fws_age_writer_open(struct fws_age_writer **w, const uint8_t file_key[FWS_FILE_KEY_LEN],
			fws_age_out_fn out, void *ctx);
/* Wraps the file key for one recipient and writes its stanza. */
int fws_age_writer_add(struct fws_age_writer *w, const struct fws_recipient *r);
/* Writes "--- MAC\n"; frees w in all cases. */
int fws_age_writer_close(struct fws_age_writer *w);
void fws_age_writer_abort(struct fws_age_writer *w);
/* Bytes one stanza of r will take (to size the entry before writing). */
int fws_age_stanza_size(const struct fws_recipient *r, uint64_t *size);

/* --- reading a header as it streams (lib/bundle/age_header_read.c) --- */
struct fws_age_reader;
/* identity NULL: parse only (verify and inspect without a key). */
int fws_age_reader_open(struct fws_age_reader **r, const struct fws_identity *identity);
/* Feed entry bytes in any pieces. */
int fws_age_reader_data(struct fws_age_reader *r, const uint8_t *data, size_t len);
/* At the end of the entry: the header must be complete; with an
 * identity, a stanza must have opened (FWS_ENOTRECIPIENT) and the MAC
 * must verify (FWS_EDECRYPT). file_key may be NULL without identity. */
int fws_age_reader_finish(struct fws_age_reader *r, uint8_t file_key[FWS_FILE_KEY_LEN]);
/* Stanzas seen so far, and how many of each known type. */
uint64_t fws_age_reader_stanzas(const struct fws_age_reader *r);
void fws_age_reader_close(struct fws_age_reader *r);

#endif
