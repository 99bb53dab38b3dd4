/* SPDX-License-Identifier: Apache-2.0 */
/* The PKCS#11 decryption identity: a P-256 key pair in a token, named by a
 * `pkcs11:` URI in system.conf `[decryption] key` (docs/hsm.md, "Device
 * decryption keys"). The token does the ECDH (lib/device/crypt/
 * p256_pkcs11.c); the PIN comes from the URI (pin-source=file:... or
 * pin-value): a device has nobody to ask. */
#include "bundle/identity_p256.h"
#include "device/crypt/p256_pkcs11.h"
#include "fwseal/error.h"
#include "io/io.h"

/* Asked only when the URI carries no PIN: a device has nobody to ask, and
 * the library reads no environment for it (ADR-065). */
static int no_pin(void *ctx, enum fws_key_secret_kind kind, const char *subject, char **secret,
		  size_t *len)
{
	(void)ctx, (void)kind, (void)secret, (void)len;
	return fws_diag_set(FWS_EPIN, 0, subject,
			    "not logged in: no PIN, and a device has nobody to ask: put "
			    "pin-source=file:/PATH (or pin-value=) in the URI");
}

static void token_close(void *ctx)
{
	fws_p256_token_close(ctx);
}

int fws_identity_pkcs11_open(const char *uri, struct fws_identity **out)
{
	struct fws_p256_token *k = NULL;
	struct fws_p256_identity id;
	const struct fws_key_prompt prompt = {no_pin, NULL, NULL};
	int rc;

	*out = NULL;
	if ((rc = fws_p256_token_open(uri, &prompt, &k)) != 0)
		return rc;
	fws_p256_token_identity(k, &id);
	return fws_identity_p256_wrap("token", &id, token_close, k, fws_p256_token_name(k), out);
}
