/* SPDX-License-Identifier: Apache-2.0 */
/* Key references as they may be printed (fwseal/key_prompt.h): signing
 * keys and the device's decryption key alike, so that no message on either
 * side can carry a token's PIN. */
#include <stddef.h>
#include <strings.h>

#include "device/p11/pkcs11_token.h"
#include "fwseal/key_prompt.h"

int fws_key_ref_is_pkcs11(const char *ref)
{
	return ref != NULL && strncasecmp(ref, "pkcs11:", 7) == 0;
}

char *fws_key_ref_shown(const char *ref)
{
	return ref != NULL ? fws_p11_uri_shown(ref) : NULL;
}
