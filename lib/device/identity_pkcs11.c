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

static void token_close(void *ctx)
{
	fws_p256_token_close(ctx);
}

int fws_identity_pkcs11_open(const char *uri, struct fws_identity **out)
{
	struct fws_p256_token *k = NULL;
	struct fws_p256_identity id;
	int rc;

	*out = NULL;
	if ((rc = fws_p256_token_open(uri, NULL, &k)) != 0)
		return rc;
	fws_p256_token_identity(k, &id);
	return fws_identity_p256_wrap("token", &id, token_close, k, fws_p256_token_name(k), out);
}
