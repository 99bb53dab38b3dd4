/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 decryption identities (fwseal/p256_keys.h): a key file, an
 * integrator's callback for a secure element, and the provider that a
 * token key (lib/device/identity_pkcs11.c) uses too. Every one opens
 * fwseal-p256 stanzas through fws_p256_unwrap with its own ECDH. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/identity_p256.h"
#include "bundle/p256_keyfile.h"
#include "fwseal/error.h"
#include "fwseal/p256_keys.h"
#include "io/io.h"

_Static_assert(FWS_P256_RECIPIENT_TEXT_LEN == FWS_P256_RECIPIENT_LEN, "one recipient length");

struct p256_impl {
	struct fws_p256_identity id;
	void (*close)(void *ctx);
	void *close_ctx;
};

static int p256_unwrap(void *impl, const struct fws_stanza *s, uint8_t file_key[FWS_FILE_KEY_LEN])
{
	struct p256_impl *p = impl;
	uint8_t eph[FWS_P256_POINT_BYTES], body[FWS_P256_BODY_BYTES];
	int rc = fws_p256_stanza(s, eph, body);

	return rc != 0 ? rc : fws_p256_unwrap(&p->id, eph, body, file_key);
}

static void p256_close(void *impl)
{
	struct p256_impl *p = impl;

	if (p == NULL)
		return;
	if (p->close != NULL)
		p->close(p->close_ctx);
	sodium_memzero(p, sizeof *p);
	free(p);
}

static const struct fws_identity_provider file_provider = {"key file", p256_unwrap, p256_close};
static const struct fws_identity_provider callback_provider = {"callback", p256_unwrap,
							       p256_close};
static const struct fws_identity_provider token_provider = {"token", p256_unwrap, p256_close};

int fws_identity_p256_wrap(const char *kind, const struct fws_p256_identity *id,
			   void (*close)(void *ctx), void *close_ctx, const char *name,
			   struct fws_identity **out)
{
	const struct fws_identity_provider *provider =
	    strcmp(kind, "token") == 0	   ? &token_provider
	    : strcmp(kind, "callback") == 0 ? &callback_provider
					    : &file_provider;
	struct p256_impl *p = calloc(1, sizeof *p);

	if (p == NULL) {
		if (close != NULL)
			close(close_ctx);
		return FWS_ENOMEM;
	}
	p->id = *id;
	p->close = close;
	p->close_ctx = close_ctx;
	return fws_identity_wrap(provider, p, name, out);
}

/* --- key file: the scalar in sodium_malloc'd memory, software ECDH --- */

static int file_ecdh(void *ctx, const uint8_t peer[FWS_P256_RAW_BYTES],
		     uint8_t shared[FWS_P256_SHARED_BYTES])
{
	return fws_p256_ecdh_scalar(ctx, peer, shared);
}

static void file_free(void *ctx)
{
	sodium_free(ctx);
}

int fws_identity_p256_file_open(const char *path, struct fws_identity **out)
{
	struct fws_p256_identity id;
	uint8_t *sk;
	int rc = fws_p256_secret_file_is(path);

	/* Not a P-256 key file, or not readable: the X25519 opener reports
	 * it in its own words. */
	if (rc != 1)
		return 1;
	if ((sk = sodium_malloc(FWS_P256_SCALAR_BYTES)) == NULL)
		return FWS_ENOMEM;
	if ((rc = fws_p256_secret_load(path, sk, id.public_key)) != 0) {
		sodium_free(sk);
		return rc;
	}
	id.ecdh = file_ecdh;
	id.ctx = sk;
	return fws_identity_p256_wrap("key file", &id, file_free, sk, path, out);
}

/* --- an integrator's callback (a secure element) --- */

struct callback_ctx {
	struct fws_identity_p256_callback cb;
};

static int callback_ecdh(void *ctx, const uint8_t peer[FWS_P256_RAW_BYTES],
			 uint8_t shared[FWS_P256_SHARED_BYTES])
{
	struct callback_ctx *c = ctx;
	int rc = c->cb.ecdh(c->cb.ctx, peer, shared);

	if (rc > 0 || (rc < 0 && fws_diag_last()->code != rc))
		rc = fws_diag_set(rc > 0 ? FWS_EKEYDERIVE : rc, 0, "callback",
				  "the secure element's P-256 ECDH failed");
	return rc;
}

static void callback_free(void *ctx)
{
	struct callback_ctx *c = ctx;

	if (c->cb.close != NULL)
		c->cb.close(c->cb.ctx);
	free(c);
}

int fws_identity_from_p256_callback(const struct fws_identity_p256_callback *cb,
				    struct fws_identity **out)
{
	struct fws_p256_identity id;
	uint8_t raw[FWS_P256_RAW_BYTES];
	struct callback_ctx *c;

	if (out == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	if (cb == NULL || cb->ecdh == NULL)
		return fws_diag_set(FWS_EIDENTITY, 0, "callback",
				    "a P-256 callback identity needs ecdh()");
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	if (fws_p256_point_expand(cb->public_key, raw) != 0)
		return fws_diag_set(FWS_EIDENTITY, 0, "callback",
				    "the callback's public key is not a P-256 point");
	if ((c = malloc(sizeof *c)) == NULL)
		return FWS_ENOMEM;
	c->cb = *cb;
	memcpy(id.public_key, cb->public_key, sizeof id.public_key);
	id.ecdh = callback_ecdh;
	id.ctx = c;
	return fws_identity_p256_wrap("callback", &id, callback_free, c, "callback", out);
}
