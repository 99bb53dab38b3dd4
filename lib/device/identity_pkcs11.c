/* SPDX-License-Identifier: Apache-2.0 */
/* The slot of the PKCS#11 decryption identity (a P-256 key pair in a
 * token, `pkcs11:` URI in system.conf `[decryption] key`): filled in by
 * the P-256 work (enc-hw). Until then such a reference is refused by
 * name, never skipped. */
#include "bundle/identity_provider.h"
#include "fwseal/error.h"
#include "io/io.h"

int fws_identity_pkcs11_open(const char *uri, struct fws_identity **out)
{
	(void)uri;
	*out = NULL;
	return fws_diag_set(FWS_EIDENTITY, 0, "pkcs11:",
			    "PKCS#11 decryption keys are not built into this fwseal");
}
