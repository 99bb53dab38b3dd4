/* SPDX-License-Identifier: Apache-2.0 */
/* Whether a key may put a release signature on a verified bundle
 * (lib/sign/release_key.c): co-signing (cosign.c) and permits
 * (permit_sign.c) ask the same question. */
#ifndef FWSEAL_SIGN_RELEASE_KEY_H
#define FWSEAL_SIGN_RELEASE_KEY_H

#include <stdint.h>

#include "fwseal/keys.h"
#include "fwseal/signing_key.h"

/* 0 when key is a release key of root (the bundle's) and root has not
 * expired at now; keyid gets the key's id. FWS_ENOTAUTHORISED naming the
 * key id (the input blamed is the key), or the expiry's refusal. */
int fws_release_key_check(const struct fws_signing_key *key, const struct fws_root *root,
			  int64_t now, uint8_t keyid[32]);

#endif
