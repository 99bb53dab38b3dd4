/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the recipients reader (lib/bundle/age_header_read.c, docs/format.md
 * §15.2), the one unsigned input a device parses with its secret key at
 * hand. The input is read twice with a fixed X25519 identity (a callback,
 * as a secure element would hold it): whole, and in pieces whose sizes
 * follow from its first byte. Properties: every result is 0 or an FWS_E*
 * code; the two readings agree (result and file key): how the bytes
 * arrive never changes what the header means; and a header that opened
 * authenticates with the MAC key of the key it opened to. */
#include <sodium.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "fuzz_common.h"

/* The identity of the seeds in tests/fuzz/regressions/recipients/:
 * the secret is 32 bytes of 0x42. */
static int element(void *ctx, const uint8_t peer[32], uint8_t shared[32])
{
	static const uint8_t secret[32] = {
	    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	    0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42};
	(void)ctx;
	return crypto_scalarmult(shared, secret, peer) == 0 ? 0 : FWS_ECRYPTO;
}

static int read_all(const struct fws_identity *id, const uint8_t *data, size_t size,
		    size_t piece, uint8_t fk[16])
{
	struct fws_age_reader *r = NULL;
	int rc = fws_age_reader_open(&r, id);
	FUZZ_CHECK(rc == 0, "reader opens");
	for (size_t at = 0; rc == 0 && at < size; at += piece)
		rc = fws_age_reader_data(r, data + at, size - at < piece ? size - at : piece);
	if (rc == 0)
		rc = fws_age_reader_finish(r, fk);
	fws_age_reader_close(r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fws_identity *id;
	uint8_t fk1[16] = {0}, fk2[16] = {0};
	fuzz_init();
	if (id == NULL) {
		struct fws_identity_callback cb = {NULL, {0}, element, NULL};
		uint8_t secret[32];
		memset(secret, 0x42, sizeof(secret));
		FUZZ_CHECK(crypto_scalarmult_base(cb.public_key, secret) == 0, "public key");
		FUZZ_CHECK(fws_identity_from_callback(&cb, &id) == 0, "identity");
	}
	size_t piece = size > 0 ? 1 + data[0] % 97 : 1;
	int whole = read_all(id, data, size, size > 0 ? size : 1, fk1);
	int pieces = read_all(id, data, size, piece, fk2);
	fuzz_check_code(whole);
	FUZZ_CHECK(whole == pieces, "the same result whatever the pieces");
	FUZZ_CHECK(memcmp(fk1, fk2, 16) == 0, "the same file key whatever the pieces");
	/* Parse only (no key): never stricter than with a key about syntax. */
	int syntax = read_all(NULL, data, size, piece, NULL);
	fuzz_check_code(syntax);
	if (whole == 0 || whole == FWS_ENOTRECIPIENT || whole == FWS_EDECRYPT)
		FUZZ_CHECK(syntax == 0, "a header that parsed with a key parses without one");
	return 0;
}
