/* SPDX-License-Identifier: Apache-2.0 */
/* `fwseal-keys generate --type device`: a device's X25519 decryption key
 * pair in age's formats (docs/format.md §15.3), so that `age -d -i
 * NAME.key` and `age -R NAME.pub` work on it too. The secret file is
 * created exclusively with mode 0600 (the existing key-file rules) and
 * never passes through memory that is not wiped. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "fwseal/encrypt.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/keys.h"
#include "io/io.h"

struct device_secret {
	uint8_t sk[32];
	char text[512];
};

int fws_device_key_generate(const char *base, char *recipient, size_t recipient_cap)
{
	struct device_secret *s;
	uint8_t pk[32];
	char path[4200], pub[256], sk_text[128];
	int rc, n;
	if (base == NULL || recipient == NULL || recipient_cap < 100)
		return FWS_EUSAGE;
	rc = fws_secret_key_check_absent(base);
	if (rc != 0)
		return rc;
	s = sodium_malloc(sizeof(*s));
	if (s == NULL)
		return FWS_ENOMEM;
	randombytes_buf(s->sk, sizeof(s->sk));
	if (crypto_scalarmult_base(pk, s->sk) != 0 ||
	    fws_bech32_encode("age", pk, 32, 0, recipient, recipient_cap) != 0 ||
	    fws_bech32_encode("AGE-SECRET-KEY-", s->sk, 32, 1, sk_text, sizeof(sk_text)) != 0) {
		sodium_free(s);
		sodium_memzero(sk_text, sizeof(sk_text));
		return FWS_ECRYPTO;
	}
	n = snprintf(s->text, sizeof(s->text),
		     "# fwseal device decryption key (X25519, age identity format)\n"
		     "# public key: %s\n%s\n",
		     recipient, sk_text);
	sodium_memzero(sk_text, sizeof(sk_text));
	snprintf(pub, sizeof(pub), "%s\n", recipient);
	if (snprintf(path, sizeof(path), "%s.key", base) >= (int)sizeof(path))
		rc = FWS_EUSAGE;
	if (rc == 0)
		rc = fws_file_write_atomic(path, s->text, (size_t)n, 0600, FWS_OUT_NEW, NULL, 0);
	sodium_free(s);
	if (rc != 0)
		return fws_diag_last()->code == rc ? rc : fws_diag_set(rc, 0, path, "cannot write");
	snprintf(path, sizeof(path), "%s.pub", base);
	rc = fws_file_write_atomic(path, pub, strlen(pub), 0644, FWS_OUT_NEW, NULL, 0);
	if (rc != 0 && fws_diag_last()->code != rc)
		rc = fws_diag_set(rc, 0, path, "cannot write");
	return rc;
}
