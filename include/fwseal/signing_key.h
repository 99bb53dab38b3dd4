/* SPDX-License-Identifier: Apache-2.0 */
/* The key object every signing path calls through (lib/sign/keys/,
 * docs/hsm.md): one release or root key, wherever its secret lives -
 * an encrypted key file, a PKCS#11 token, or an external signer command.
 * Signing side only: never linked into device builds. */
#ifndef FWSEAL_SIGNING_KEY_H
#define FWSEAL_SIGNING_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/key_prompt.h"

struct fws_signing_key;
struct fws_secret_key;

#define FWS_SIGNER_TIMEOUT_MS_DEFAULT 30000u
#define FWS_SIGNER_TIMEOUT_MS_MAX 600000u

struct fws_key_open_opts {
	const struct fws_key_prompt *prompt; /* NULL: nothing can be asked */
	/* Non-NULL: ref names the signer's public key file (.pub) and this
	 * command (run with /bin/sh -c) makes every signature (docs/hsm.md,
	 * "Signer command"). */
	const char *signer_command;
	unsigned signer_timeout_ms; /* 0: FWS_SIGNER_TIMEOUT_MS_DEFAULT */
};

/* Opens the key ref names: a `pkcs11:` URI (RFC 7512) opens a token key
 * (logged in now, so a wrong PIN fails before any work); anything else is
 * a secret key file path (NAME.key), unless opts->signer_command is set.
 * opts may be NULL. */
FWS_API FWS_MUST_CHECK int fws_signing_key_open(const char *ref,
						const struct fws_key_open_opts *opts,
						struct fws_signing_key **out);

/* Wraps a loaded or generated secret key (ownership passes, also on
 * failure). */
FWS_API FWS_MUST_CHECK int fws_signing_key_from_secret(struct fws_secret_key *key,
						       struct fws_signing_key **out);

/* Ed25519 over msg (PAE bytes). Every provider's signature is verified
 * with the key's public key before it is returned (a faulty token, a
 * glitch or a lying signer command yields FWS_ECRYPTO / FWS_ESIGNER, never
 * a signature). */
FWS_API FWS_MUST_CHECK int fws_signing_key_sign(const struct fws_signing_key *key,
						const uint8_t *msg, size_t len, uint8_t sig[64]);

FWS_API void fws_signing_key_public(const struct fws_signing_key *key, uint8_t public_key[32],
				    uint8_t keyid[32]);

/* The reference for messages: a path, or a URI with any PIN removed. */
FWS_API const char *fws_signing_key_name(const struct fws_signing_key *key);

/* Logs out, closes sessions, wipes secrets. NULL is allowed. */
FWS_API void fws_signing_key_close(struct fws_signing_key *key);

/* --- PKCS#11 tokens (lib/sign/keys/pkcs11_admin.c, docs/hsm.md) --- */

/* Creates an Ed25519 key pair inside the token uri names (object=LABEL
 * required; id= optional, else 16 random bytes): the private key
 * sensitive, never extractable, allowed to sign only. A key with that
 * label or id already in the token is refused (FWS_EEXIST: keys are never
 * replaced). The new key signs once and the signature is verified before
 * this returns. key_uri (malloc'd; may be NULL) gets the key's URI
 * without PIN or module. */
FWS_API FWS_MUST_CHECK int fws_pkcs11_generate(const char *uri, const struct fws_key_prompt *prompt,
					       uint8_t public_key[32], char **key_uri);

/* One line of `fwseal-keys pkcs11 list`: a token (key_uri NULL) or one of
 * its public keys. Strings are valid during the callback only. */
struct fws_pkcs11_entry {
	const char *module;
	const char *token_label, *token_serial;
	const char *key_uri; /* pkcs11:token=..;serial=..;object=..;id=..;type=private */
	const char *key_label;
	int ed25519; /* an Ed25519 key: public_key is valid */
	uint8_t public_key[32];
};
typedef void (*fws_pkcs11_list_fn)(void *ctx, const struct fws_pkcs11_entry *entry);

/* Lists the initialised tokens of module (a path, or a name registered
 * with p11-kit; NULL: $FWSEAL_PKCS11_MODULE, else every registered
 * module) and the public-key objects each shows without login. */
FWS_API FWS_MUST_CHECK int fws_pkcs11_list(const char *module, fws_pkcs11_list_fn fn, void *ctx);

/* fws_key_ref_shown, fws_key_ref_is_pkcs11: fwseal/key_prompt.h (the
 * device side prints key references too). */

#endif
