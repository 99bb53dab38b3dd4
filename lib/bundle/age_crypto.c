/* SPDX-License-Identifier: Apache-2.0 */
/* The symmetric half of fwseal's encryption (docs/format.md §15): key
 * derivation, the key commitment, and age's STREAM cut into fwseal's
 * signed chunks. Every intermediate key is wiped before return. */
#include <sodium.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "fwseal/blocks.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "fwseal/sha256.h"

void fws_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
		     const char *info, uint8_t *out, size_t out_len)
{
	crypto_auth_hmacsha256_state st;
	uint8_t prk[32], t[32];
	size_t info_len = strlen(info), done = 0;
	uint8_t counter = 1;
	static const uint8_t no_salt[1];
	/* Extract: an empty salt is HashLen zero bytes, which HMAC pads to
	 * the same key as no bytes at all (libsodium wants a pointer even
	 * for zero bytes). */
	crypto_auth_hmacsha256_init(&st, salt != NULL ? salt : no_salt, salt_len);
	crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	while (done < out_len) {
		size_t take = out_len - done < 32 ? out_len - done : 32;
		crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
		if (counter > 1)
			crypto_auth_hmacsha256_update(&st, t, sizeof(t));
		crypto_auth_hmacsha256_update(&st, (const uint8_t *)info, info_len);
		crypto_auth_hmacsha256_update(&st, &counter, 1);
		crypto_auth_hmacsha256_final(&st, t);
		memcpy(out + done, t, take);
		done += take;
		counter++;
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	sodium_memzero(&st, sizeof(st));
}

void fws_age_mac_key(const uint8_t file_key[FWS_FILE_KEY_LEN], uint8_t key[32])
{
	fws_hkdf_sha256(file_key, FWS_FILE_KEY_LEN, NULL, 0, "header", key, 32);
}

void fws_enc_commitment(const uint8_t file_key[FWS_FILE_KEY_LEN], uint8_t out[FWS_ENC_COMMIT_LEN])
{
	fws_hkdf_sha256(file_key, FWS_FILE_KEY_LEN, NULL, 0, "fwseal/v1 key commitment", out,
			FWS_ENC_COMMIT_LEN);
}

void fws_enc_payload_key(const uint8_t file_key[FWS_FILE_KEY_LEN],
			 const uint8_t nonce[FWS_ENC_NONCE_LEN], uint8_t key[32])
{
	fws_hkdf_sha256(file_key, FWS_FILE_KEY_LEN, nonce, FWS_ENC_NONCE_LEN, "payload", key, 32);
}

void fws_enc_hint_key(const uint8_t file_key[FWS_FILE_KEY_LEN],
		      const uint8_t nonce[FWS_ENC_NONCE_LEN], uint8_t key[32])
{
	fws_hkdf_sha256(file_key, FWS_FILE_KEY_LEN, nonce, FWS_ENC_NONCE_LEN,
			"fwseal/v1 block hints", key, 32);
}

/* Keyed, so that the hints say nothing to whoever lacks the file key even
 * if plain/<name> were public, and so that nobody without it can craft a
 * block that collides with one: 6 bytes then suffice (ADR-087). HMAC
 * (RFC 2104) over fws_sha256, not libsodium's: a delta hashes both slots
 * this way, and nettle's SHA-256 uses the CPU's SHA instructions. */
void fws_enc_block_hint(const uint8_t key[32], const uint8_t *data, size_t len,
			uint8_t out[FWS_ENC_HINT_LEN])
{
	uint8_t pad[64], inner[FWS_SHA256_LEN];
	struct fws_sha256 h;
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < 32; i++)
		pad[i] ^= key[i];
	fws_sha256_init(&h);
	fws_sha256_update(&h, pad, sizeof(pad));
	fws_sha256_update(&h, data, len);
	fws_sha256_final(&h, inner);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	fws_sha256_init(&h);
	fws_sha256_update(&h, pad, sizeof(pad));
	fws_sha256_update(&h, inner, sizeof(inner));
	fws_sha256_final(&h, inner);
	memcpy(out, inner, FWS_ENC_HINT_LEN);
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
}

void fws_enc_hints_put(const uint8_t key[32], uint8_t *hints, uint64_t first, const uint8_t *data,
		       size_t len)
{
	for (size_t at = 0; at < len; at += FWS_BLOCK_SIZE) {
		size_t n = len - at < FWS_BLOCK_SIZE ? len - at : FWS_BLOCK_SIZE;
		fws_enc_block_hint(key, data + at, n,
				   hints + (first + at / FWS_BLOCK_SIZE) * FWS_ENC_HINT_LEN);
	}
}

/* STREAM chunks of a plaintext of `plain` bytes: at least one (an empty
 * payload is one empty final chunk). */
static uint64_t stream_chunks(uint64_t plain)
{
	return plain == 0 ? 1 : plain / FWS_ENC_CHUNK + (plain % FWS_ENC_CHUNK != 0);
}

int fws_enc_entry_size(uint64_t plain_size, uint64_t *out)
{
	if (plain_size > FWS_SIZE_MAX / 2)
		return FWS_ELIMIT;
	*out = FWS_ENC_NONCE_LEN + plain_size + FWS_ENC_TAG_LEN * stream_chunks(plain_size);
	return *out > FWS_SIZE_MAX ? FWS_ELIMIT : 0;
}

static int chunk_size_ok(uint32_t cs)
{
	return cs >= FWS_ENC_CHUNK && cs <= FWS_CHUNK_MAX && (cs & (cs - 1)) == 0;
}

int fws_enc_chunk_count(uint64_t plain_size, uint32_t chunk_size, uint64_t *n)
{
	if (!chunk_size_ok(chunk_size))
		return FWS_ESCHEMA;
	*n = plain_size == 0 ? 1 : plain_size / chunk_size + (plain_size % chunk_size != 0);
	return *n > FWS_MAX_CHUNKS ? FWS_ELIMIT : 0;
}

uint64_t fws_enc_piece_plain_len(uint64_t plain_size, uint32_t chunk_size, uint64_t k)
{
	uint64_t n;
	if (fws_enc_chunk_count(plain_size, chunk_size, &n) != 0 || k >= n)
		return 0;
	return k + 1 < n ? chunk_size : plain_size - k * (uint64_t)chunk_size;
}

uint64_t fws_enc_piece_len(uint64_t plain_size, uint32_t chunk_size, uint64_t k)
{
	uint64_t n;
	if (fws_enc_chunk_count(plain_size, chunk_size, &n) != 0 || k >= n)
		return 0;
	uint64_t pl = fws_enc_piece_plain_len(plain_size, chunk_size, k);
	return (k == 0 ? FWS_ENC_NONCE_LEN : 0) + pl + FWS_ENC_TAG_LEN * stream_chunks(pl);
}

/* STREAM nonce: 11-byte big-endian chunk counter, then 1 for the last. */
static void stream_nonce(uint64_t counter, int last, uint8_t nonce[12])
{
	memset(nonce, 0, 12);
	for (int i = 0; i < 8; i++)
		nonce[10 - i] = (uint8_t)(counter >> (8 * i));
	nonce[11] = last ? 1 : 0;
}

int fws_enc_stream_xor(const uint8_t key[32], uint64_t plain_size, uint64_t off,
		       const uint8_t *in, uint8_t *out, size_t len)
{
	uint64_t j = off / FWS_ENC_CHUNK, inner = off % FWS_ENC_CHUNK;
	uint8_t sn[12];
	if (inner % 64 != 0 || inner + len > FWS_ENC_CHUNK || off + len > plain_size)
		return FWS_EUSAGE;
	stream_nonce(j, j + 1 == stream_chunks(plain_size), sn);
	/* The AEAD's keystream starts at block 1 (block 0 keys Poly1305). */
	crypto_stream_chacha20_ietf_xor_ic(out, in, len, sn, (uint32_t)(1 + inner / 64), key);
	return 0;
}

int fws_enc_piece_encrypt(const uint8_t key[32], const uint8_t nonce[FWS_ENC_NONCE_LEN],
			  uint64_t plain_size, uint32_t chunk_size, uint64_t k,
			  const uint8_t *plain, uint8_t *out)
{
	uint64_t n, pl = fws_enc_piece_plain_len(plain_size, chunk_size, k);
	int rc = fws_enc_chunk_count(plain_size, chunk_size, &n);
	uint64_t first = k * (chunk_size / FWS_ENC_CHUNK), total = stream_chunks(plain_size);
	uint8_t sn[12];
	if (rc != 0 || k >= n)
		return rc != 0 ? rc : FWS_EUSAGE;
	if (k == 0) {
		memcpy(out, nonce, FWS_ENC_NONCE_LEN);
		out += FWS_ENC_NONCE_LEN;
	}
	for (uint64_t j = 0, at = 0; j < stream_chunks(pl); j++) {
		size_t len = pl - at < FWS_ENC_CHUNK ? (size_t)(pl - at) : FWS_ENC_CHUNK;
		stream_nonce(first + j, first + j + 1 == total, sn);
		crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, plain + at, len, NULL, 0, NULL,
							  sn, key);
		out += len + FWS_ENC_TAG_LEN;
		at += len;
	}
	return 0;
}

int fws_enc_piece_decrypt(const uint8_t key[32], uint64_t plain_size, uint32_t chunk_size,
			  uint64_t k, const uint8_t *piece, uint8_t *plain)
{
	uint64_t n, pl = fws_enc_piece_plain_len(plain_size, chunk_size, k);
	int rc = fws_enc_chunk_count(plain_size, chunk_size, &n);
	uint64_t first = k * (chunk_size / FWS_ENC_CHUNK), total = stream_chunks(plain_size);
	uint8_t sn[12];
	if (rc != 0 || k >= n)
		return rc != 0 ? rc : FWS_EUSAGE;
	if (k == 0)
		piece += FWS_ENC_NONCE_LEN;
	for (uint64_t j = 0, at = 0; j < stream_chunks(pl); j++) {
		size_t len = pl - at < FWS_ENC_CHUNK ? (size_t)(pl - at) : FWS_ENC_CHUNK;
		stream_nonce(first + j, first + j + 1 == total, sn);
		if (crypto_aead_chacha20poly1305_ietf_decrypt(plain + at, NULL, NULL, piece,
							      len + FWS_ENC_TAG_LEN, NULL, 0, sn,
							      key) != 0) {
			sodium_memzero(plain, (size_t)pl);
			return FWS_EDECRYPT;
		}
		piece += len + FWS_ENC_TAG_LEN;
		at += len;
	}
	return 0;
}
