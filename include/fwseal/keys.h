/* Signing side (lib/sign): key files, signing, packing, root building.
 * Never linked into device builds. */
#ifndef FWSEAL_KEYS_H
#define FWSEAL_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/bundle.h"
#include "fwseal/envelope.h"
#include "fwseal/export.h"
#include "fwseal/root.h"

/* A secret key lives in sodium_malloc'd, guarded memory and is wiped on free. */
struct fws_secret_key;

enum fws_kdf_level { FWS_KDF_INTERACTIVE, FWS_KDF_MODERATE, FWS_KDF_SENSITIVE };

FWS_API FWS_MUST_CHECK int fws_secret_key_generate(struct fws_secret_key **out);
FWS_API void fws_secret_key_free(struct fws_secret_key *key);
FWS_API void fws_secret_key_public(const struct fws_secret_key *key, uint8_t public_key[32],
				   uint8_t keyid[32]);

/* Writes base.key (0600, O_EXCL|O_NOFOLLOW; Argon2id -> XSalsa20-Poly1305 of
 * the 32-byte seed) and base.pub. FWS_EEXIST if either exists. An empty
 * passphrase is refused (FWS_EUSAGE). */
FWS_API FWS_MUST_CHECK int fws_secret_key_save(const struct fws_secret_key *key, const char *base,
					       const char *passphrase, size_t passphrase_len,
					       enum fws_kdf_level level);

/* Loads base-named secret key file. FWS_EKEYPERM if group/other can access
 * it, FWS_EKEYFILE if malformed, FWS_EPASSPHRASE if decryption fails, FWS_ELIMIT
 * if the KDF parameters exceed the limits (a hostile file must not exhaust
 * memory). The public key stored in the file must match the seed. */
FWS_API FWS_MUST_CHECK int fws_secret_key_load(const char *path, const char *passphrase,
					       size_t passphrase_len, struct fws_secret_key **out);

/* Re-encrypts an existing key file under a new passphrase (atomic replace). */
FWS_API FWS_MUST_CHECK int fws_secret_key_change_passphrase(const char *path, const char *old_pass,
							    size_t old_len, const char *new_pass,
							    size_t new_len,
							    enum fws_kdf_level level);

/* Loads a public key file; its key ID is recomputed and checked. */
FWS_API FWS_MUST_CHECK int fws_public_key_load(const char *path, uint8_t public_key[32],
					       uint8_t keyid[32]);

/* Reads the public half of either kind of key file (.pub, or .key without
 * decrypting it: no passphrase needed) after a strict parse, and checks its
 * key ID (FWS_EKEYID). is_secret (may be NULL) tells which kind it was. */
FWS_API FWS_MUST_CHECK int fws_key_file_public(const char *path, uint8_t public_key[32],
					       uint8_t keyid[32], int *is_secret);

/* Appends one signature over env's PAE; verifies it before returning
 * (fault-attack defence). A second signature by the same key is refused
 * (FWS_EALREADYSIGNED). */
FWS_API FWS_MUST_CHECK int fws_envelope_sign(struct fws_envelope *env,
					     const struct fws_secret_key *key);

/* --- packing (lib/sign/pack.c) --- */

struct fws_pack_opts {
	const char *manifest_path;	  /* release description (docs/format.md) */
	const struct fws_secret_key *key; /* must be in the newest root's release role */
	const char *key_path;             /* for error reports only */
	const char *const *root_paths;	  /* root envelopes to carry, oldest first */
	size_t n_roots;			  /* >= 1 */
	const char *out_path;
	int gzip;
	int64_t now; /* created time: SOURCE_DATE_EPOCH or the clock */
};

/* Hashes every payload, builds and signs the manifest, writes the bundle
 * (temp file + rename: a failed pack leaves no partial output). On failure
 * the path of the input that failed is copied to failed (may be NULL). */
FWS_API FWS_MUST_CHECK int fws_pack(const struct fws_pack_opts *opts,
				    struct fws_manifest *out_manifest, char *failed,
				    size_t failed_cap);

/* Co-signing: adds a signature by key to the manifest of an existing bundle.
 * The bundle is first verified against the co-signer's own trusted root
 * (everything but the not-yet-met release threshold: nobody signs what they
 * have not checked), the key must be in the newest root's release role and
 * that root must not be expired at `now`. The bundle is rewritten to a temp
 * file (entries copied unchanged, same compression and timestamps, so the
 * result is deterministic), verified again, then renamed over the original. */
FWS_API FWS_MUST_CHECK int fws_bundle_add_signature(const char *bundle_path,
						    const struct fws_root *trusted,
						    const struct fws_secret_key *key, int64_t now,
						    struct fws_verify_result *result);

#endif
