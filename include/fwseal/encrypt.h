/* SPDX-License-Identifier: Apache-2.0 */
/* Encrypted bundles (docs/encryption.md, docs/format.md §15, ADR-060..064).
 *
 * One random 16-byte file key per bundle. Its recipients travel in the
 * bundle entry `recipients`, outside the signature, as an age v1 header
 * (stanzas + header MAC); the signed manifest binds the file key through a
 * key commitment. Each payload is age's STREAM (ChaCha20-Poly1305, 64 KiB
 * chunks) under a key derived from the file key and a per-payload nonce,
 * and the manifest signs the digests of the CIPHERTEXT chunks: the device
 * checks a chunk's digest, then decrypts it, then writes it.
 *
 * Two extension points, both tables chosen at run time, never #ifdef:
 *  - recipient types (struct fws_recipient_type): parse a recipient
 *    string and wrap the file key into one stanza (signing side);
 *  - decryption identities (struct fws_identity_provider in
 *    lib/bundle/identity_provider.h): the device's secret, wherever it
 *    lives, tries to open one stanza. */
#ifndef FWSEAL_ENCRYPT_H
#define FWSEAL_ENCRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

#define FWS_FILE_KEY_LEN 16	   /* the bundle's content key ("file key") */
#define FWS_ENC_NONCE_LEN 16	   /* per payload, the first bytes of payloads/<name> */
#define FWS_ENC_CHUNK 65536u	   /* plaintext bytes per STREAM chunk */
#define FWS_ENC_TAG_LEN 16	   /* Poly1305 tag per STREAM chunk */
#define FWS_ENC_COMMIT_LEN 32	   /* key commitment in the manifest */
#define FWS_RECIPIENTS_MAX 16777216u /* bytes of the recipients entry (~170000 X25519) */
#define FWS_STANZA_LINE_MAX 1024   /* bytes of one header line, newline excluded */
#define FWS_STANZA_ARGS_MAX 8	   /* arguments of one stanza, type excluded */
#define FWS_STANZA_BODY_MAX 4096   /* decoded body bytes of one stanza we keep */
#define FWS_RECIPIENT_TEXT_MAX 512 /* bytes of one recipient string */
#define FWS_ENC_SCHEME "age-v1"	   /* manifest encryption.scheme */

/* One stanza of an age header: "-> TYPE ARG..." then its body. Strings
 * are NUL-terminated and point into storage the parser owns for the
 * duration of one callback. */
struct fws_stanza {
	const char *type;
	const char *args[FWS_STANZA_ARGS_MAX];
	size_t n_args;
	const uint8_t *body;
	size_t body_len;
};

/* A parsed recipient: its type and the raw public material. */
#define FWS_RECIPIENT_KEY_MAX 133 /* room for an uncompressed P-521 point */
struct fws_recipient {
	const struct fws_recipient_type *type;
	uint8_t key[FWS_RECIPIENT_KEY_MAX];
	size_t key_len;
};

/* One recipient type. Wrapping writes ONE stanza to out: type, args, body
 * encoded by the header writer. The text forms are matched by prefix. */
struct fws_recipient_type {
	const char *name;	 /* "x25519", "p256": for messages and inspect */
	const char *stanza_type; /* "X25519", "fwseal-p256" */
	const char *prefix;	 /* recipient strings starting so are this type */
	/* text -> out (FWS_ERECIPIENTS when malformed, naming it). */
	int (*parse)(const char *text, struct fws_recipient *out);
	/* Wraps file_key for r: fills the stanza's args and body into the
	 * caller's storage (args_buf: arg strings, body_buf: the body). */
	int (*wrap)(const struct fws_recipient *r, const uint8_t file_key[FWS_FILE_KEY_LEN],
		    char args_buf[FWS_STANZA_LINE_MAX], struct fws_stanza *out,
		    uint8_t body_buf[FWS_STANZA_BODY_MAX]);
};

/* The recipient types fwseal knows, NULL-terminated (lib/bundle/recipient_types.c). */
FWS_API const struct fws_recipient_type *const *fws_recipient_types(void);

/* Parses one recipient: an `age1...` X25519 recipient, another type's
 * string, or a path to a file holding one such line (a device's NAME.pub). */
FWS_API FWS_MUST_CHECK int fws_recipient_parse(const char *text, struct fws_recipient *out);

/* --- decryption identity: the device's secret key, wherever it lives --- */

struct fws_identity;

/* What a secure element (or any code of the integrator's) does with the
 * X25519 secret it holds: the raw shared secret for a peer point. The
 * library does the rest of age's X25519 unwrap (HKDF, ChaCha20-Poly1305).
 * Returns 0 or a negative FWS_E* code; must refuse an all-zero result. */
struct fws_identity_callback {
	void *ctx;
	uint8_t public_key[32]; /* the X25519 public key the element holds */
	int (*x25519)(void *ctx, const uint8_t peer[32], uint8_t shared[32]);
	void (*close)(void *ctx); /* optional */
};

/* Opens the identity ref names: "file:PATH" or a plain path: an X25519
 * key file (age identity: AGE-SECRET-KEY-1...; mode 0600); a `pkcs11:`
 * URI (P-256 key in a token: lib/device/identity_pkcs11.c when built).
 * FWS_EIDENTITY when it cannot be used. */
FWS_API FWS_MUST_CHECK int fws_identity_open(const char *ref, struct fws_identity **out);

/* Wraps an integrator's callback (copied; ownership of cb->ctx stays with
 * the caller unless cb->close is set). */
FWS_API FWS_MUST_CHECK int fws_identity_from_callback(const struct fws_identity_callback *cb,
						      struct fws_identity **out);

/* Tries to open one stanza: 0 and the file key when it opened; 1 when
 * the stanza is not for this identity (another type, or another
 * recipient); a negative FWS_E* code on a fault of the identity itself
 * (token gone, ...) or a malformed stanza of its own type. */
FWS_API FWS_MUST_CHECK int fws_identity_unwrap(const struct fws_identity *id,
					       const struct fws_stanza *s,
					       uint8_t file_key[FWS_FILE_KEY_LEN]);

/* "key file", "callback", "token": for messages. */
FWS_API const char *fws_identity_kind(const struct fws_identity *id);
FWS_API const char *fws_identity_name(const struct fws_identity *id);
FWS_API void fws_identity_close(struct fws_identity *id);

/* --- the construction (lib/bundle/age_*.c): pure functions --- */

/* key_commitment = HKDF-SHA256(ikm = file key, salt = "", info =
 * "fwseal/v1 key commitment", 32 bytes). */
FWS_API void fws_enc_commitment(const uint8_t file_key[FWS_FILE_KEY_LEN],
				uint8_t out[FWS_ENC_COMMIT_LEN]);

/* payload key = HKDF-SHA256(ikm = file key, salt = nonce, info = "payload"). */
FWS_API void fws_enc_payload_key(const uint8_t file_key[FWS_FILE_KEY_LEN],
				 const uint8_t nonce[FWS_ENC_NONCE_LEN], uint8_t key[32]);

/* Size of payloads/<name> for plain_size plaintext bytes:
 * 16 + plain_size + 16 * max(1, ceil(plain_size / 65536)); FWS_ELIMIT past 2^53 - 1. */
FWS_API FWS_MUST_CHECK int fws_enc_entry_size(uint64_t plain_size, uint64_t *out);

/* Signed chunks of an encrypted payload: n = max(1, ceil(plain / chunk_size));
 * piece k covers plaintext [k * chunk_size, ...) and is (k == 0: the
 * nonce) + its STREAM chunks. chunk_size must be a multiple of 65536. */
FWS_API FWS_MUST_CHECK int fws_enc_chunk_count(uint64_t plain_size, uint32_t chunk_size,
					       uint64_t *n);
FWS_API uint64_t fws_enc_piece_len(uint64_t plain_size, uint32_t chunk_size, uint64_t k);
FWS_API uint64_t fws_enc_piece_plain_len(uint64_t plain_size, uint32_t chunk_size, uint64_t k);

/* Encrypts / decrypts signed piece k in one go. Decrypt: FWS_EDECRYPT
 * when a tag does not verify (nothing in out may then be used). */
FWS_API FWS_MUST_CHECK int fws_enc_piece_encrypt(const uint8_t key[32],
						 const uint8_t nonce[FWS_ENC_NONCE_LEN],
						 uint64_t plain_size, uint32_t chunk_size,
						 uint64_t k, const uint8_t *plain, uint8_t *out);
FWS_API FWS_MUST_CHECK int fws_enc_piece_decrypt(const uint8_t key[32], uint64_t plain_size,
						 uint32_t chunk_size, uint64_t k,
						 const uint8_t *piece, uint8_t *plain);

/* --- signing side (libfwseal only: lib/sign/device_key.c, encrypt_retarget.c) --- */

/* `fwseal-keys generate --type device`: a new X25519 key pair, written as
 * BASE.key (age identity, mode 0600) and BASE.pub (the age1... recipient),
 * both created exclusively (FWS_EEXIST), fsynced. recipient receives the
 * age1... text (at least 100 bytes). */
FWS_API FWS_MUST_CHECK int fws_device_key_generate(const char *base, char *recipient,
						   size_t recipient_cap);

/* `fwseal encrypt`: a signed, encrypted bundle re-targeted to new
 * recipients without re-signing (ADR-061). in is verified against trusted
 * (the release threshold may be unmet, as for co-signing), its recipients
 * entry opened with identity and checked against the key commitment; out
 * is in with only the recipients entry replaced, verified again before it
 * is committed. out must not exist unless force, and is never one of
 * inputs (FWS_ESAMEFILE). */
struct fws_retarget_opts {
	const char *in_path, *out_path;
	int force;
	const struct fws_root *trusted;
	int64_t now;
	const struct fws_identity *identity;
	const struct fws_recipient *recipients;
	size_t n_recipients;
	const char *const *inputs; /* every file the command read */
	size_t n_inputs;
};
struct fws_verify_result;
FWS_API FWS_MUST_CHECK int fws_bundle_retarget(const struct fws_retarget_opts *o,
					       struct fws_verify_result *res);

/* The entry plain/<name> of an encrypted payload with a block index
 * (format.md §15.6, ADR-087): an age payload (nonce + STREAM in 64 KiB
 * chunks under HKDF(file key, nonce, "payload")) of the payload's nonce
 * followed by one keyed 6-byte hint per 4 KiB plaintext block. */
#define FWS_ENC_PLAIN_HEAD 16 /* the payload's nonce, before the hints */
#define FWS_ENC_HINT_LEN 6
/* plain/<name> exists only for payloads of at most this many blocks (4 GiB):
 * a device keeps the whole index while it plans. */
#define FWS_ENC_HINT_BLOCKS_MAX (1u << 20)
struct fws_payload;
/* Its size: 16 + L + 16 * max(1, ceil(L / 65536)), L = 16 + 6 * blocks;
 * FWS_ELIMIT above FWS_ENC_HINT_BLOCKS_MAX blocks. */
FWS_API FWS_MUST_CHECK int fws_enc_plain_entry_size(const struct fws_payload *p, uint64_t *out);
/* Encrypts / decrypts it whole (plain = nonce + hints, 16 + 6 m bytes;
 * open: FWS_ESIZE, or FWS_EDECRYPT when a tag does not verify). */
FWS_API FWS_MUST_CHECK int fws_enc_plain_entry_seal(const uint8_t file_key[FWS_FILE_KEY_LEN],
						    const uint8_t *plain, size_t plain_len,
						    uint8_t *out);
FWS_API FWS_MUST_CHECK int fws_enc_plain_entry_open(const uint8_t file_key[FWS_FILE_KEY_LEN],
						    const uint8_t *entry, size_t entry_len,
						    uint8_t *plain, size_t plain_len);
/* hint key = HKDF-SHA256(ikm = file key, salt = the payload's nonce, info =
 * "fwseal/v1 block hints", 32 bytes). */
FWS_API void fws_enc_hint_key(const uint8_t file_key[FWS_FILE_KEY_LEN],
			      const uint8_t nonce[FWS_ENC_NONCE_LEN], uint8_t key[32]);
/* The hint of one block (len <= 4096): the first 6 bytes of
 * HMAC-SHA256(hint key, block). */
FWS_API void fws_enc_block_hint(const uint8_t key[32], const uint8_t *data, size_t len,
				uint8_t out[FWS_ENC_HINT_LEN]);
/* The hints of the blocks in data[0..len) into hints, where `first` is the
 * block number of data[0] (len a multiple of 4096 but at the end). */
FWS_API void fws_enc_hints_put(const uint8_t key[32], uint8_t *hints, uint64_t first,
			       const uint8_t *data, size_t len);

/* --- a payload's signed pieces, plaintext or encrypted (lib/bundle/payload_geometry.c) --- */
/* Pieces of the payload's entry: fws_chunk_count, or fws_enc_chunk_count. */
FWS_API FWS_MUST_CHECK int fws_payload_chunk_count(const struct fws_payload *p, uint64_t *n);
/* Bytes of entry piece k (0 when none). */
FWS_API uint64_t fws_payload_piece_len(const struct fws_payload *p, uint64_t k);
/* Checks a received chunk list (length, then digest): FWS_ESIZE / FWS_EDIGEST. */
FWS_API FWS_MUST_CHECK int fws_payload_list_check(const struct fws_payload *p,
						  const uint8_t *list, size_t len);
/* Checks entry piece k: FWS_ESIZE on a wrong length, FWS_EDIGEST on a wrong digest. */
FWS_API FWS_MUST_CHECK int fws_payload_piece_check(const struct fws_payload *p,
						   const uint8_t *list, uint64_t k,
						   const uint8_t *data, size_t len);

#endif
