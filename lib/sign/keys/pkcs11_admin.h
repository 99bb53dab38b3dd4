/* SPDX-License-Identifier: Apache-2.0 */
/* What creating keys in a token needs, whatever the key (pkcs11_admin.c:
 * Ed25519 signing keys; pkcs11_p256_admin.c: P-256 device keys). */
#ifndef FWSEAL_SIGN_PKCS11_ADMIN_H
#define FWSEAL_SIGN_PKCS11_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "device/p11/pkcs11_token.h"

/* pkcs11:token=..;serial=..;object=..;id=..;type=private (malloc'd; NULL
 * when out of memory), every value percent-encoded. */
char *fws_p11_key_uri(const char *label, const char *serial, const uint8_t *obj, size_t obj_len,
		      const uint8_t *id, size_t id_len);
/* *found = 1 when an object carrying attribute a (a label or an id) is in
 * the token already. */
int fws_p11_object_exists(struct fws_p11_token *t, CK_ATTRIBUTE *a, int *found);

/* The names a new key gets in the token: object= from the URI (required),
 * id= from the URI or else 16 random bytes (into id_buf), neither carried by
 * an object in the token already (FWS_EEXIST): keys are never replaced, and
 * a second key under one name would make every URI naming it ambiguous. */
int fws_p11_new_key_names(const struct fws_p11_uri *u, struct fws_p11_token *t,
			  CK_ATTRIBUTE **label, CK_ATTRIBUTE *id, uint8_t id_buf[16]);

/* The token a new key is made in: uri parsed and its token opened
 * read-write, logged in. u and t are for fws_p11_admin_close, also on
 * failure. */
int fws_p11_admin_open(const char *uri, const struct fws_key_prompt *prompt,
		       struct fws_p11_uri *u, struct fws_p11_token *t);
void fws_p11_admin_close(struct fws_p11_uri *u, struct fws_p11_token *t);

#endif
