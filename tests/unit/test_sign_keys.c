/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-HSM-001 */
/* The key object's provider-independent parts (lib/sign/keys/): the two
 * encodings of an Ed25519 public key and curve a token may use, and the
 * strict reading of key references. Tokens themselves are tested against
 * SoftHSM2 in tests/cli/test_hsm.sh. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "fwseal/signing_key.h"
#include "sign/keys/pkcs11_ed25519.h"

TestSuite(sign_keys, .timeout = 30);

/* CKA_EC_POINT: raw 32 bytes or a DER OCTET STRING of exactly them. */
Test(sign_keys, ec_point_both_encodings_and_nothing_else)
{
	uint8_t in[40], out[32];

	for (int i = 0; i < 40; i++)
		in[i] = (uint8_t)(i + 1);
	cr_assert_eq(fws_p11_point_ed25519(in, 32, out), 0);
	cr_assert_arr_eq(out, in, 32);
	in[0] = 0x04;
	in[1] = 0x20;
	cr_assert_eq(fws_p11_point_ed25519(in, 34, out), 0);
	cr_assert_arr_eq(out, in + 2, 32);
	/* an OCTET STRING of another length, another tag, a cut or a longer point */
	in[1] = 0x21;
	cr_assert_eq(fws_p11_point_ed25519(in, 35, out), FWS_EKEYUSE);
	cr_assert_eq(fws_p11_point_ed25519(in, 34, out), FWS_EKEYUSE);
	in[0] = 0x03;
	in[1] = 0x20;
	cr_assert_eq(fws_p11_point_ed25519(in, 34, out), FWS_EKEYUSE);
	cr_assert_eq(fws_p11_point_ed25519(in, 31, out), FWS_EKEYUSE);
	cr_assert_eq(fws_p11_point_ed25519(in, 33, out), FWS_EKEYUSE);
	cr_assert_eq(fws_p11_point_ed25519(in, 0, out), FWS_EKEYUSE);
}

/* CKA_EC_PARAMS: the OID 1.3.101.112 or the PrintableString; Ed448 and the
 * NIST curves are other keys, whatever their key type says. */
/* req: REQ-HSM-003 */
Test(sign_keys, curve_params_ed25519_only)
{
	static const uint8_t oid[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
	static const uint8_t ed448[] = {0x06, 0x03, 0x2b, 0x65, 0x71};
	static const uint8_t p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	static const uint8_t printable[] = "\x13\x0c"
					   "edwards25519";
	static const uint8_t edwards448[] = "\x13\x0a"
					    "edwards448";
	static const uint8_t utf8[] = "\x0c\x0c"
				      "edwards25519";

	cr_assert(fws_p11_params_ed25519(oid, sizeof oid));
	cr_assert(fws_p11_params_ed25519(printable, sizeof printable - 1));
	cr_assert_not(fws_p11_params_ed25519(ed448, sizeof ed448));
	cr_assert_not(fws_p11_params_ed25519(p256, sizeof p256));
	cr_assert_not(fws_p11_params_ed25519(edwards448, sizeof edwards448 - 1));
	cr_assert_not(fws_p11_params_ed25519(utf8, sizeof utf8 - 1));
	cr_assert_not(fws_p11_params_ed25519(oid, sizeof oid - 1));
	cr_assert_not(fws_p11_params_ed25519(printable, sizeof printable));
}

/* A key reference that names nothing is an error, never a default key. */
Test(sign_keys, empty_reference_refused)
{
	struct fws_signing_key *key = (struct fws_signing_key *)1;

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_signing_key_open(NULL, NULL, &key), FWS_EUSAGE);
	cr_assert_null(key);
	cr_assert_eq(fws_signing_key_open("", NULL, &key), FWS_EUSAGE);
	cr_assert_eq(fws_signing_key_open("k.key", NULL, NULL), FWS_EUSAGE);
	cr_assert_eq(fws_signing_key_sign(NULL, (const uint8_t *)"x", 1, (uint8_t[64]){0}),
		     FWS_EUSAGE);
	fws_signing_key_close(NULL);
}

/* URIs that would select a token by accident are refused before any
 * module is loaded (needs p11-kit, a build dependency). */
/* req: REQ-HSM-003, REQ-CONF-004 */
Test(sign_keys, ambiguous_or_malformed_uris_refused)
{
	static const char *const bad[] = {
	    "pkcs11:token=a;serail=1;object=k", /* a typo must not widen the match */
	    "pkcs11:slot-id=3;object=k",	/* slot numbers change */
	    "pkcs11:token=a%zz;object=k",	/* bad percent-encoding */
	    "pkcs11:token=a;type=public;object=k",
	};
	cr_assert_eq(fws_init(), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fws_signing_key *key = NULL;
		cr_assert_eq(fws_signing_key_open(bad[i], NULL, &key), FWS_EUSAGE, "%s", bad[i]);
		cr_assert_null(key);
	}
}

/* A signer command needs the signer's public key file, not a token. */
Test(sign_keys, signer_command_with_a_uri_refused)
{
	struct fws_signing_key *key = NULL;
	struct fws_key_open_opts opts = {NULL, "true", 0};

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_signing_key_open("pkcs11:token=a;object=k", &opts, &key), FWS_EUSAGE);
	opts.signer_timeout_ms = FWS_SIGNER_TIMEOUT_MS_MAX + 1;
	cr_assert_eq(fws_signing_key_open("/nonexistent.pub", &opts, &key), FWS_EUSAGE);
	opts.signer_timeout_ms = 0;
	opts.signer_command = "";
	cr_assert_eq(fws_signing_key_open("/nonexistent.pub", &opts, &key), FWS_EUSAGE);
	cr_assert_null(key);
}

/* Whatever the separators and spellings around it, a pin-value attribute
 * never reaches the printed form (deterministic pseudo-random URIs). */
/* req: REQ-HSM-004 */
Test(sign_keys, pin_value_never_shown_in_any_arrangement)
{
	static const char *const parts[] = {"token=a",
					    "object=b",
					    "",
					    "x",
					    "module-path=/m.so",
					    "pin-source=file:/p",
					    "pin-value=Zq7",
					    "PIN-VALUE=Zq7",
					    "pin%2Dvalue=Zq7",
					    ":pin-value=Zq7",
					    "pin-valueZq7"};
	static const char seps[] = ";&?";
	uint32_t state = 12345;
	char uri[512];

	for (int n = 0; n < 50000; n++) {
		size_t o = (size_t)snprintf(uri, sizeof uri, "pkcs11:");
		for (int k = 0; k < 8; k++) {
			state = state * 1103515245u + 12345u;
			const char *p = parts[(state >> 8) % (sizeof parts / sizeof parts[0])];
			if (k > 0)
				uri[o++] = seps[(state >> 20) % 3];
			o += (size_t)snprintf(uri + o, sizeof uri - o, "%s", p);
		}
		char *shown = fws_key_ref_shown(uri);
		cr_assert_not_null(shown);
		cr_assert_null(strstr(shown, "Zq7"), "%s -> %s", uri, shown);
		cr_assert_eq(strncmp(shown, "pkcs11:", 7), 0);
		cr_assert_leq(strlen(shown), strlen(uri));
		free(shown);
	}
}
