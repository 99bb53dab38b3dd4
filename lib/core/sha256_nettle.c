/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 backend: nettle (default). nettle uses SHA-NI on x86 and the ARMv8
 * crypto extensions when present, which matters for multi-gigabyte payloads. */
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <sodium.h>

#include "fwseal/sha256.h"

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((struct fws_sha256 *)0)->opaque),
	       "nettle's sha256_ctx must fit in struct fws_sha256");
_Static_assert(_Alignof(struct sha256_ctx) <= 16, "struct fws_sha256 is 16-byte aligned");

static struct sha256_ctx *ctx_of(struct fws_sha256 *h)
{
	/* cppcheck-suppress ctuuninitvar ; only the address is taken, to initialise it */
	return (struct sha256_ctx *)(void *)h->opaque;
}

void fws_sha256_init(struct fws_sha256 *h)
{
	sha256_init(ctx_of(h));
}

void fws_sha256_update(struct fws_sha256 *h, const void *data, size_t len)
{
	/* Skip empty updates so a NULL pointer with length 0 never reaches memcpy. */
	if (len == 0)
		return;
	sha256_update(ctx_of(h), len, data);
}

void fws_sha256_final(struct fws_sha256 *h, uint8_t out[FWS_SHA256_LEN])
{
	sha256_digest(ctx_of(h), FWS_SHA256_LEN, out);
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
	return "nettle";
}

/* "MAJOR.MINOR" of the nettle linked at run time (the qualification record
 * names the library that ran, not the one compiled against). No stdio in
 * lib/core: the digits are written by hand. */
const char *fws_sha256_backend_version(void)
{
	static char v[24];
	int parts[2] = {nettle_version_major(), nettle_version_minor()};
	size_t n = 0;

	for (int i = 0; i < 2; i++) {
		char d[12];
		size_t k = 0;
		unsigned x = parts[i] < 0 ? 0u : (unsigned)parts[i];
		do {
			d[k++] = (char)('0' + x % 10);
			x /= 10;
		} while (x > 0 && k < sizeof d);
		if (i > 0)
			v[n++] = '.';
		while (k > 0)
			v[n++] = d[--k];
	}
	v[n] = '\0';
	return v;
}
