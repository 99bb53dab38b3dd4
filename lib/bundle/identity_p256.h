/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 decryption identities (identity_p256.c). */
#ifndef FWSEAL_BUNDLE_IDENTITY_P256_H
#define FWSEAL_BUNDLE_IDENTITY_P256_H

#include "bundle/identity_provider.h"
#include "bundle/p256.h"

/* An identity around id, of kind "key file", "callback" or "token";
 * close(close_ctx) runs when it is closed (also when this fails). */
int fws_identity_p256_wrap(const char *kind, const struct fws_p256_identity *id,
			   void (*close)(void *ctx), void *close_ctx, const char *name,
			   struct fws_identity **out);

/* Opens a P-256 secret key file (FWSEAL-P256-SECRET-KEY-1...): 0, 1 when
 * the file holds another kind of key (the caller tries the X25519
 * opener), or a negative code. */
int fws_identity_p256_file_open(const char *path, struct fws_identity **out);

#endif
