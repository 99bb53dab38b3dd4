/* SPDX-License-Identifier: Apache-2.0 */
/* The inside of struct fws_secret_key, shared by keyfile.c and sign.c only. */
#ifndef FWSEAL_SIGN_KEY_INTERNAL_H
#define FWSEAL_SIGN_KEY_INTERNAL_H

#include <sodium.h>
#include <stdint.h>

/* Lives in one sodium_malloc allocation: guard pages catch overruns, the
 * pages are locked out of swap, and sodium_free wipes them. Between uses
 * the pages are PROT_NONE, so a stray read elsewhere in the process (a
 * Heartbleed-style over-read) cannot disclose the seed. */
struct fws_secret_key {
	uint8_t seed[crypto_sign_SEEDBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t keyid[32];
};

/* Makes the key readable for the duration of one operation; pair every
 * successful call with fws_sign_key_close. Not thread-safe: one key must
 * not be used by two threads at once. */
int fws_sign_key_open(const struct fws_secret_key *key);
void fws_sign_key_close(const struct fws_secret_key *key);
#endif
