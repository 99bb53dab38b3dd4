/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 backend: libsodium's portable crypto_hash_sha256 (HASH=sodium), for
 * minimal device builds that link no second crypto library. */
#include <sodium.h>

#include "fwseal/sha256.h"

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct fws_sha256 *)0)->opaque),
	       "libsodium's crypto_hash_sha256_state must fit in struct fws_sha256");
_Static_assert(_Alignof(crypto_hash_sha256_state) <= 16, "struct fws_sha256 is 16-byte aligned");
_Static_assert(crypto_hash_sha256_BYTES == FWS_SHA256_LEN, "SHA-256 is 32 bytes");

static crypto_hash_sha256_state *state_of(struct fws_sha256 *h)
{
	/* cppcheck-suppress ctuuninitvar ; only the address is taken, to initialise it */
	return (crypto_hash_sha256_state *)(void *)h->opaque;
}

/* crypto_hash_sha256_{init,update,final} are documented to always return 0:
 * there is no failure to propagate, hence the void casts. */

void fws_sha256_init(struct fws_sha256 *h)
{
	(void)crypto_hash_sha256_init(state_of(h));
}

void fws_sha256_update(struct fws_sha256 *h, const void *data, size_t len)
{
	if (len == 0)
		return;
	(void)crypto_hash_sha256_update(state_of(h), data, len);
}

void fws_sha256_final(struct fws_sha256 *h, uint8_t out[FWS_SHA256_LEN])
{
	(void)crypto_hash_sha256_final(state_of(h), out);
	/* Wipe: the state of a hash over secret material must not linger. */
	sodium_memzero(h, sizeof *h);
}

void fws_sha256(const void *data, size_t len, uint8_t out[FWS_SHA256_LEN])
{
	struct fws_sha256 h;

	fws_sha256_init(&h);
	fws_sha256_update(&h, data, len);
	fws_sha256_final(&h, out);
}

const char *fws_sha256_backend(void)
{
	return "libsodium";
}

/* The libsodium linked at run time (the qualification record names it). */
const char *fws_sha256_backend_version(void)
{
	return sodium_version_string();
}
