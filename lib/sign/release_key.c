/* SPDX-License-Identifier: Apache-2.0 */
/* A signature by a key the bundle's root does not authorise would be dead
 * weight that looks like approval, and one made under an expired root
 * would never verify: both are refused before anything is signed, with
 * the key named, so an approver learns it is the wrong key, not a broken
 * bundle (release_key.h). */
#include "sign/release_key.h"
#include "fwseal/diag.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/root.h"
#include "io/io.h"

int fws_release_key_check(const struct fws_signing_key *key, const struct fws_root *root,
			  int64_t now, uint8_t keyid[32])
{
	uint8_t pk[32];

	fws_signing_key_public(key, pk, keyid);
	if (!fws_root_role_has(root, FWS_ROLE_RELEASE, keyid)) {
		char hex[65];
		fws_hex_encode(hex, keyid, 32);
		int rc =
		    fws_diag_set(FWS_ENOTAUTHORISED, 0, NULL,
				 "key id %.16s is not a release key of the bundle's root v%llu",
				 hex, (unsigned long long)root->version);
		fws_diag_input(rc, FWS_INPUT_KEY);
		return rc;
	}
	return fws_root_check_not_expired(root, now); /* never sign under it */
}
