/* SPDX-License-Identifier: Apache-2.0 */
/* How a key held elsewhere asks for what it needs (a passphrase, a token's
 * PIN): shared by signing keys (signing_key.h) and the device's decryption
 * key in a token (docs/hsm.md). The library never reads a terminal. */
#ifndef FWSEAL_KEY_PROMPT_H
#define FWSEAL_KEY_PROMPT_H

#include <stddef.h>

#include "fwseal/export.h"

/* What a provider may have to ask the person or the CI job for. */
enum fws_key_secret_kind {
	FWS_SECRET_PASSPHRASE, /* the passphrase of an encrypted key file */
	FWS_SECRET_PIN,	       /* a token's user PIN (when the URI carries none) */
};

/* How a secret the reference does not carry is obtained: the library never
 * reads a terminal itself. get returns 0 and a NUL-terminated secret of
 * *len bytes (handed back to put, which wipes it), or a negative FWS_E*
 * code after reporting why. subject names the key (a URI without its PIN). */
struct fws_key_prompt {
	int (*get)(void *ctx, enum fws_key_secret_kind kind, const char *subject, char **secret,
		   size_t *len);
	void (*put)(void *ctx, char *secret);
	void *ctx;
};

/* ref as it may be printed (malloc'd): a pkcs11: URI without any
 * pin-value; anything else unchanged. NULL when out of memory. Every
 * message, log line and report naming a key reference uses this form
 * (lib/device/p11/key_ref.c). */
FWS_API char *fws_key_ref_shown(const char *ref);

/* 1 when ref is a pkcs11: URI (case-insensitive scheme). */
FWS_API int fws_key_ref_is_pkcs11(const char *ref);

#endif
