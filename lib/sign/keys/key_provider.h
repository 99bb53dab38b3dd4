/* SPDX-License-Identifier: Apache-2.0 */
/* The inside of struct fws_signing_key: one small table of operations per
 * provider (encrypted file, PKCS#11 token, signer command), chosen when the
 * key is opened, never by #ifdef. */
#ifndef FWSEAL_SIGN_KEY_PROVIDER_H
#define FWSEAL_SIGN_KEY_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/signing_key.h"

struct fws_key_provider {
	const char *kind;	/* "key file", "token", "signer command": for messages */
	int bad_signature_code; /* a signature that does not verify is reported so */
	/* The raw signature, not yet checked (key.c verifies it). */
	int (*sign)(void *impl, const uint8_t *msg, size_t len, uint8_t sig[64]);
	void (*close)(void *impl);
};

struct fws_signing_key {
	const struct fws_key_provider *provider;
	void *impl;
	uint8_t public_key[32];
	uint8_t keyid[32];
	char *name; /* path or URI without PIN: safe to print */
};

/* Builds the object around an opened provider; on failure closes impl. The
 * public key is what every signature will be verified against. */
int fws_signing_key_wrap(const struct fws_key_provider *provider, void *impl,
			 const uint8_t public_key[32], const char *name,
			 struct fws_signing_key **out);

/* The providers' openers. */
int fws_file_key_open(const char *path, const struct fws_key_prompt *prompt,
		      struct fws_signing_key **out);
int fws_pkcs11_key_open(const char *uri, const struct fws_key_prompt *prompt,
			struct fws_signing_key **out);
int fws_command_key_open(const char *pub_path, const char *command, unsigned timeout_ms,
			 struct fws_signing_key **out);

#endif
