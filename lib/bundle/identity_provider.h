/* SPDX-License-Identifier: Apache-2.0 */
/* The inside of struct fws_identity (fwseal/encrypt.h): one small table of
 * operations per place a device's decryption secret can live (X25519 key
 * file, an integrator's callback for a secure element, a PKCS#11 token
 * holding a P-256 key), chosen when the identity is opened, never by
 * #ifdef. Shape of lib/sign/keys/key_provider.h. */
#ifndef FWSEAL_BUNDLE_IDENTITY_PROVIDER_H
#define FWSEAL_BUNDLE_IDENTITY_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/encrypt.h"

struct fws_identity_provider {
	const char *kind; /* "key file", "callback", "token": for messages */
	/* One stanza: 0 and the file key when it opened; 1 when the stanza is
	 * not for this identity; negative FWS_E* on a fault of its own. The
	 * provider wipes every intermediate secret before it returns. */
	int (*unwrap)(void *impl, const struct fws_stanza *s, uint8_t file_key[FWS_FILE_KEY_LEN]);
	void (*close)(void *impl);
};

struct fws_identity {
	const struct fws_identity_provider *provider;
	void *impl;
	char *name; /* path or URI without PIN: safe to print */
};

/* Builds the object around an opened provider; on failure closes impl. */
int fws_identity_wrap(const struct fws_identity_provider *provider, void *impl, const char *name,
		      struct fws_identity **out);

/* The openers (fws_identity_open dispatches on the reference). */
int fws_identity_file_open(const char *path, struct fws_identity **out);
/* A pkcs11: URI naming a P-256 key pair in a token (lib/device/identity_pkcs11.c). */
int fws_identity_pkcs11_open(const char *uri, struct fws_identity **out);

/* age's X25519 unwrap given the raw shared secret (key files and
 * callbacks share it): lib/bundle/age_x25519.c. Returns 0, 1 (not ours)
 * or a negative code; wipes its intermediates. */
int fws_age_x25519_unwrap_shared(const uint8_t shared[32], const uint8_t eph[32],
				 const uint8_t recipient[32], const uint8_t *body, size_t body_len,
				 uint8_t file_key[FWS_FILE_KEY_LEN]);
/* Parses an X25519 stanza's one argument (the ephemeral share) and checks
 * its body length; 1 when the stanza is of another type. */
int fws_age_x25519_stanza(const struct fws_stanza *s, uint8_t eph[32]);

#endif
