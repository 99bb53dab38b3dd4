/* SPDX-License-Identifier: Apache-2.0 */
/* Signing side (lib/sign): key files, signing, packing, root building.
 * Never linked into device builds. */
#ifndef FWSEAL_KEYS_H
#define FWSEAL_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/bundle_write.h"
#include "fwseal/bundle.h"
#include "fwseal/envelope.h"
#include "fwseal/export.h"
#include "fwseal/root.h"
#include "fwseal/signing_key.h"

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
/* FWS_EEXIST when BASE.key or BASE.pub exists (even as a dangling link):
 * checked before anyone types a passphrase; the save is exclusive anyway. */
FWS_API FWS_MUST_CHECK int fws_secret_key_check_absent(const char *base);
FWS_API FWS_MUST_CHECK int fws_secret_key_save(const struct fws_secret_key *key, const char *base,
					       const char *passphrase, size_t passphrase_len,
					       enum fws_kdf_level level);

/* Loads base-named secret key file. FWS_EKEYPERM if group/other can access
 * it, FWS_EKEYFILE if malformed, FWS_EPASSPHRASE if decryption fails, FWS_ELIMIT
 * if the KDF parameters exceed the limits (a hostile file must not exhaust
 * memory). The public key stored in the file must match the seed. */
FWS_API FWS_MUST_CHECK int fws_secret_key_load(const char *path, const char *passphrase,
					       size_t passphrase_len, struct fws_secret_key **out);

/* Re-encrypts an existing key file under a new passphrase (atomic replace
 * in place, mode kept); inputs (passphrase files) must not be the key. */
FWS_API FWS_MUST_CHECK int fws_secret_key_change_passphrase(const char *path, const char *old_pass,
							    size_t old_len, const char *new_pass,
							    size_t new_len, enum fws_kdf_level level,
							    const char *const *inputs,
							    size_t n_inputs);

/* Writes a public key file (FWS_OUT_NEW: never over an existing file). */
FWS_API FWS_MUST_CHECK int fws_public_key_save(const char *path, const uint8_t public_key[32]);

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
					     const struct fws_signing_key *key);

/* --- packing (lib/sign/pack.c) --- */

struct fws_pack_opts {
	const char *manifest_path;	  /* release description (docs/format.md) */
	const struct fws_signing_key *key; /* must be in the newest root's release role */
	const char *key_path;             /* for error reports only */
	const char *const *root_paths;	  /* root envelopes to carry, oldest first */
	size_t n_roots;			  /* >= 1 */
	const char *out_path;
	int gzip;
	int force;   /* an existing out_path is replaced (never one of the inputs) */
	int64_t now; /* created time: SOURCE_DATE_EPOCH or the clock */
	fws_progress_fn progress; /* optional: bytes hashed and written */
	void *progress_ctx;
	/* Optional SBOM (docs/format.md §14): checked (fws_sbom_check) and
	 * carried as bundle entry sbom/<base name of sbom_path>. */
	const char *sbom_path;
	int sbom_strict; /* FDA extras missing: refuse instead of warn */
	void (*sbom_warn)(void *ctx, const char *where, const char *why);
	void *sbom_warn_ctx;
	/* Threads that hash chunks and compress (fws_verify_opts.jobs): 0 or
	 * 1 = none. The bundle's bytes are the same for any value. */
	unsigned jobs;
	int no_block_index; /* leave out blocks/<name>: delta at chunk level only (ADR-050) */
	/* Encrypt for these recipients (docs/encryption.md); 0: a plaintext bundle. */
	const struct fws_recipient *recipients;
	size_t n_recipients;
};

/* What pack made. */
struct fws_pack_result {
	struct fws_manifest manifest;
	uint64_t root_version;      /* the newest root carried */
	uint32_t release_threshold; /* signatures a device requires */
	uint32_t signatures;        /* signatures in the bundle (1) */
	uint8_t manifest_body_sha256[32];
	uint64_t bundle_bytes;
	char payload_paths[FWS_MAX_PAYLOADS][4096]; /* the files packed (for a release record) */
};

/* Hashes every payload, builds and signs the manifest, writes the bundle
 * (temp file + rename: a failed pack leaves no partial output). out_path
 * must not exist unless force (FWS_EEXIST) and is never one of the inputs
 * (release description, key, roots, payloads: FWS_ESAMEFILE). On failure
 * the path of the input that failed is copied to failed (may be NULL). */
FWS_API FWS_MUST_CHECK int fws_pack(const struct fws_pack_opts *opts,
				    struct fws_pack_result *result, char *failed,
				    size_t failed_cap);

/* What fws_pack checks before it needs the key: the release description
 * and the SBOM (opts->key may be NULL; no warning is reported here). A
 * CLI calls it before asking for a passphrase, so that a release refused
 * for its SBOM costs no key unlock. Same errors and `failed` as fws_pack. */
FWS_API FWS_MUST_CHECK int fws_pack_precheck(const struct fws_pack_opts *opts, char *failed,
					     size_t failed_cap);

/* Co-signing: adds a signature by key to the manifest of an existing bundle.
 * The bundle is first verified against the co-signer's own trusted root
 * (everything but the not-yet-met release threshold: nobody signs what they
 * have not checked), the key must be in the newest root's release role and
 * that root must not be expired at `now`. The bundle is rewritten to a temp
 * file (entries copied unchanged, same compression and timestamps, so the
 * result is deterministic), verified again, then renamed over the original,
 * keeping its mode; a read-only bundle is refused (FWS_EIO). inputs (the
 * key and root files) must not be the bundle itself (FWS_ESAMEFILE). */
FWS_API FWS_MUST_CHECK int fws_bundle_add_signature(const char *bundle_path,
						    const struct fws_root *trusted,
						    const struct fws_signing_key *key, int64_t now,
						    const char *const *inputs, size_t n_inputs,
						    fws_progress_fn progress, void *progress_ctx,
						    struct fws_verify_result *result);


/* --- root building, co-signing and chain checks (lib/sign/root_build.c) --- */

#define FWS_ROOT_EXPIRES_DAYS_DEFAULT 365
#define FWS_ROOT_EXPIRES_DAYS_MAX 36500

/* One key to put into a role. */
struct fws_root_key_add {
	uint8_t public_key[32];
	enum fws_role_id role;
};

/* The changes from one root version to the next (or the content of version
 * 1). Removals are applied first, then additions, then thresholds.
 *   add:       a key for a role; the key joins `keys` if new. Adding a key
 *              already in that role is refused (FWS_EUSAGE).
 *   remove:    key IDs taken out of `keys` and of every role. A key ID that
 *              is not in the root, or that is also added, is refused
 *              (FWS_EUSAGE): a typo must not read as "revoked".
 *   threshold: set when threshold_set[role]; a role's threshold is never
 *              lowered silently: removing keys below it is an error.
 *   expires_days: validity from `now`; 0 means FWS_ROOT_EXPIRES_DAYS_DEFAULT.
 * Keys no role uses any more are dropped from `keys`. */
struct fws_root_edit {
	struct fws_root_key_add add[FWS_ROLE_COUNT * FWS_MAX_KEYS];
	size_t n_add;
	uint8_t remove[FWS_MAX_KEYS][32];
	size_t n_remove;
	uint32_t threshold[FWS_ROLE_COUNT];
	int threshold_set[FWS_ROLE_COUNT];
	uint32_t expires_days;
};

/* Version 1 from edit (additions and thresholds only; unset thresholds are
 * 1; any removal is FWS_EUSAGE). created = now, expires = now + days.
 * Errors: FWS_EUSAGE (see struct fws_root_edit), FWS_ELIMIT (more than
 * FWS_MAX_KEYS keys), FWS_ECLOCK (now or expiry out of range), and
 * fws_root_check's codes: FWS_ETHRESHOLDDEF for a threshold of 0 or above
 * the role's key count, and also (chosen here, where fws_root_check would
 * say FWS_ESCHEMA) for a role left with no key at all. */
FWS_API FWS_MUST_CHECK int fws_root_build_initial(const struct fws_root_edit *edit, int64_t now,
						  struct fws_root *out);

/* The successor of from: version from->version + 1, created = now (which
 * must not be before from->created: FWS_ECLOCK, a wrong signing clock would
 * otherwise poison every device's trusted time), expires = now + days, the
 * edit applied, same errors as fws_root_build_initial. from may be expired:
 * rotating away from an expired root is how a fleet recovers. */
FWS_API FWS_MUST_CHECK int fws_root_build_next(const struct fws_root *from,
					       const struct fws_root_edit *edit, int64_t now,
					       struct fws_root *out);

/* Who has signed a root envelope that may still be collecting signatures. */
struct fws_root_status {
	struct fws_signers own;      /* this root's root keys with a valid signature */
	int own_rc;                  /* fws_envelope_verify against its own root role */
	int has_previous;            /* a previous root was given */
	uint64_t previous_version;
	struct fws_signers previous; /* the previous root's root keys that signed */
	int previous_rc;             /* FWS_EROOTVERSION, or fws_envelope_verify's code */
	int rc;                      /* 0 when usable: own_rc, then previous_rc */
};

/* Reads a root envelope file with the draft decoder (zero signatures allowed),
 * decodes its body strictly (fws_root_decode) and reports its signatures in
 * st: against its own root role and, when previous_path is not NULL,
 * against that root (loaded with fws_root_load_file: it must be
 * self-signed) as the rotation rule wants (version + 1). Returns 0 when the
 * file could be read and decoded, whatever its signatures; st->rc tells
 * whether it is usable. previous may be NULL. */
FWS_API FWS_MUST_CHECK int fws_root_inspect_file(const char *path, const char *previous_path,
						 struct fws_root *root, struct fws_envelope *env,
						 struct fws_root *previous,
						 struct fws_root_status *st);

/* Writes root to path (which must not exist: FWS_EEXIST, unless policy is
 * FWS_OUT_REPLACE; never one of inputs: FWS_ESAMEFILE) as an envelope
 * with no signature (key NULL: a draft for `root sign`) or with key's
 * signature. key must be in root's own root role or in previous's
 * (FWS_ENOTAUTHORISED); previous, when given, must be the root this one
 * rotates from (version + 1, else FWS_EROOTVERSION). A root whose expires
 * <= now is never signed (FWS_EEXPIRED). env_out (may be NULL) gets the
 * envelope written. */
FWS_API FWS_MUST_CHECK int fws_root_write_new(const char *path, const struct fws_root *root,
					      const struct fws_root *previous,
					      const struct fws_signing_key *key, int64_t now,
					      int policy, const char *const *inputs,
					      size_t n_inputs, struct fws_envelope *env_out);

/* Co-signing a root: adds key's signature to the root envelope at path
 * (a draft, partly or fully signed) and rewrites it atomically. The key
 * must be in the document's own root role or, when previous_path is given
 * (the root this one rotates from, loaded with fws_root_load_file), in that
 * root's root role: FWS_ENOTAUTHORISED otherwise. FWS_EROOTVERSION when the
 * document is not previous's successor; FWS_EEXPIRED when the document's
 * expires <= now; FWS_EALREADYSIGNED when key already signed; FWS_ESAMEFILE
 * when path is previous_path or one of inputs (the key file). st (may be NULL)
 * reports the signatures after signing, as fws_root_inspect_file. */
FWS_API FWS_MUST_CHECK int fws_root_sign_file(const char *path, const struct fws_signing_key *key,
					      const char *previous_path, int64_t now,
					      const char *const *inputs, size_t n_inputs,
					      struct fws_root_status *st);

/* One link of a root chain given as a file: cur becomes the root in path
 * after fws_root_advance (signed by a threshold of cur's root keys, version
 * cur + 1, signed by a threshold of its own root keys); cur is unchanged on
 * failure. old_signers / new_signers (may be NULL) get the keys of cur's and
 * of the new root's root role that signed, also on failure when known. */
FWS_API FWS_MUST_CHECK int fws_root_step_file(struct fws_root *cur, const char *path,
					      struct fws_signers *old_signers,
					      struct fws_signers *new_signers);

/* FWS_EEXPIRED when root->expires <= now, else 0: signing under, or
 * trusting from the signing side, an expired root is refused. */
FWS_API FWS_MUST_CHECK int fws_root_check_not_expired(const struct fws_root *root, int64_t now);

/* --- downgrade permits (lib/sign/permit_sign.c, docs/permits.md) --- */

#define FWS_PERMIT_DAYS_DEFAULT 30 /* validity; at most FWS_PERMIT_DAYS_MAX */

/* Creates a release-signed downgrade permit (DSSE JSON, type
 * FWS_TYPE_PERMIT, in a malloc'd buffer) for the bundle at bundle_path,
 * bound to exactly one of device_id / hardware_id (the other NULL:
 * FWS_EUSAGE otherwise). The bundle is verified against trusted first (all
 * of fws_bundle_verify, and for a hardware-bound permit the bundle must
 * list that hardware: FWS_EHARDWARE); the permit names its manifest body
 * digest. to_version must equal the bundle's version (FWS_EUSAGE: the
 * operator names what they mean to allow). key must be in the newest root's
 * release role (FWS_ENOTAUTHORISED), that root not expired at now
 * (FWS_EEXPIRED). created = now (> 0), expires = now + valid_days days
 * (0 = FWS_PERMIT_DAYS_DEFAULT; above FWS_PERMIT_DAYS_MAX: FWS_EUSAGE).
 * One signature: with a release threshold above 1 the permit does not
 * apply on devices until co-signed (not implemented yet). */
FWS_API FWS_MUST_CHECK int fws_permit_create(const char *bundle_path,
					     const struct fws_root *trusted,
					     const struct fws_signing_key *key,
					     const char *device_id, const char *hardware_id,
					     const char *to_version, int64_t now,
					     uint32_t valid_days, char **json_out,
					     size_t *len_out);

/* --- draft envelopes (lib/sign/envelope_draft.c; libfwseal only) --- */

/* SIGNING SIDE ONLY: fws_envelope_decode, but zero signatures are accepted,
 * for a draft root still collecting its signatures (fwseal-keys root new /
 * root sign). It must never be used on a verification path: an envelope
 * without signatures would reach checks that are only meaningful when
 * something was signed. Every other rule is the strict decoder's. */
FWS_API FWS_MUST_CHECK int fws_envelope_decode_draft(const uint8_t *json, size_t len,
						     struct fws_envelope *env);

/* SIGNING SIDE ONLY: fws_envelope_encode, but zero signatures are written (a
 * draft root for `fwseal-keys root new`); only fws_envelope_decode_draft
 * reads the result back. */
FWS_API FWS_MUST_CHECK int fws_envelope_encode_draft(const struct fws_envelope *env, char **out,
						     size_t *out_len);

#endif
