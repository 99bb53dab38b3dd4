/* SPDX-License-Identifier: Apache-2.0 */
/* Test fixture for tests/cli/test_hsm.sh: puts into a SoftHSM2 token the
 * keys and states fwseal-keys would never make, so that each refusal of the
 * PKCS#11 provider can be tested against the real module:
 *   p11_fixture MODULE nosign TOKEN PIN LABEL       Ed25519 pair, CKA_SIGN false
 *   p11_fixture MODULE p256 TOKEN PIN LABEL         ECDSA P-256 pair
 *   p11_fixture MODULE import TOKEN PIN LABEL SEED [PUBSEED]  Ed25519 from a
 *       32-byte hex seed; the public object keeps CKA_EC_POINT raw (32 bytes)
 *       and the curve as the PrintableString "edwards25519" (the encodings
 *       SoftHSM itself never writes); with PUBSEED the public object holds
 *       that other seed's public key (a token that lies about its key)
 *   p11_fixture MODULE init-nopin LABEL SOPIN       a token with no user PIN
 *   p11_fixture removed URI TOKENDIR                opens URI with fwseal's key
 *       object, deletes the token's directory (the token is gone), signs:
 *       prints the FWS_E* name of the result
 *   p11_fixture MODULE p256-noderive TOKEN PIN LABEL  P-256 pair, CKA_DERIVE false
 *   p11_fixture MODULE p384 TOKEN PIN LABEL          EC P-384 pair (may derive)
 *   p11_fixture MODULE p256-liar TOKEN PIN LABEL     P-256 pair whose public
 *       object holds another key's point (a token that lies about its key)
 *   p11_fixture unwrap REF RECIPIENT                 wraps a random file key for
 *       RECIPIENT (fwseal-p256-1...), opens the decryption identity REF (a
 *       pkcs11: URI or key file) and unwraps: prints "opened" (exit 0), or the
 *       FWS_E* name and reason (exit its status; "not a recipient": 63)
 *   p11_fixture unwrap-stanza REF EPH_B64 BODY_B64 FILEKEY_HEX  the same for a
 *       fwseal-p256 stanza made elsewhere (python3-cryptography)
 * The module is opened directly (dlopen, C_GetFunctionList), not through
 * fwseal's code under test. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dlfcn.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "fwseal/encrypt.h"
#include "fwseal/signing_key.h"

static CK_FUNCTION_LIST *f;
static CK_BBOOL may_derive = CK_TRUE; /* CKA_DERIVE of pair()'s private key */

static void fail(const char *what, CK_RV rv)
{
	fprintf(stderr, "p11_fixture: %s: 0x%lx\n", what, (unsigned long)rv);
	exit(1);
}

static void load(const char *module)
{
	void *h = dlopen(module, RTLD_NOW);
	CK_RV (*get)(CK_FUNCTION_LIST **);
	CK_RV rv;

	if (h == NULL) {
		fprintf(stderr, "p11_fixture: %s\n", dlerror());
		exit(1);
	}
	*(void **)&get = dlsym(h, "C_GetFunctionList");
	if (get == NULL || get(&f) != CKR_OK)
		fail("C_GetFunctionList", 0);
	rv = f->C_Initialize(NULL);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
		fail("C_Initialize", rv);
}

static void padded(CK_UTF8CHAR *out, size_t n, const char *s)
{
	memset(out, ' ', n);
	memcpy(out, s, strlen(s) < n ? strlen(s) : n);
}

/* The slot of the token labelled label, or (label NULL) an uninitialised one. */
static CK_SLOT_ID find_slot(const char *label)
{
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32;
	CK_RV rv = f->C_GetSlotList(CK_TRUE, slots, &n);

	if (rv != CKR_OK)
		fail("C_GetSlotList", rv);
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		CK_UTF8CHAR want[32];
		if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (label == NULL && !(ti.flags & CKF_TOKEN_INITIALIZED))
			return slots[i];
		padded(want, 32, label != NULL ? label : "");
		if (label != NULL && memcmp(ti.label, want, 32) == 0)
			return slots[i];
	}
	fprintf(stderr, "p11_fixture: no token %s\n", label != NULL ? label : "(free)");
	exit(1);
}

static CK_SESSION_HANDLE login(const char *token, const char *pin)
{
	CK_SESSION_HANDLE s;
	CK_RV rv =
	    f->C_OpenSession(find_slot(token), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK)
		fail("C_OpenSession", rv);
	rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
	if (rv != CKR_OK)
		fail("C_Login", rv);
	return s;
}

static void pair(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech_type, const void *params,
		 size_t params_len, const char *label, CK_BBOOL can_sign)
{
	CK_MECHANISM mech = {mech_type, NULL, 0};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BYTE id[] = {0x7e, (CK_BYTE)strlen(label)};
	CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, 1},
			      {CKA_PRIVATE, &no, 1},
			      {CKA_EC_PARAMS, (void *)params, params_len},
			      {CKA_LABEL, (void *)label, strlen(label)},
			      {CKA_ID, id, sizeof id}};
	CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, 1},
			       {CKA_PRIVATE, &yes, 1},
			       {CKA_SIGN, &can_sign, 1},
			       {CKA_DERIVE, &may_derive, 1},
			       {CKA_LABEL, (void *)label, strlen(label)},
			       {CKA_ID, id, sizeof id}};
	CK_OBJECT_HANDLE a, b;
	CK_RV rv = f->C_GenerateKeyPair(s, &mech, pub, 5, priv, 6, &a, &b);
	if (rv != CKR_OK)
		fail("C_GenerateKeyPair", rv);
}

static void import(CK_SESSION_HANDLE s, const char *label, const char *seed_hex,
		   const char *pub_seed_hex)
{
	static const char printable[] = "\x13\x0c"
					"edwards25519";
	CK_OBJECT_CLASS priv_cls = CKO_PRIVATE_KEY, pub_cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_EC_EDWARDS;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_BYTE seed[32], id[] = {0x5e, (CK_BYTE)strlen(label)};
	unsigned char pk[32];
	CK_OBJECT_HANDLE h;
	CK_RV rv;

	CK_BYTE pub_seed[32];
	for (int i = 0; i < 32; i++)
		if (sscanf(seed_hex + 2 * i, "%2hhx", &seed[i]) != 1 ||
		    sscanf(pub_seed_hex + 2 * i, "%2hhx", &pub_seed[i]) != 1)
			fail("seed hex", 0);
	/* The public key, computed apart from the token (libsodium). */
	{
		unsigned char sk[64];
		if (crypto_sign_seed_keypair(pk, sk, pub_seed) != 0)
			fail("crypto_sign_seed_keypair", 0);
		sodium_memzero(sk, sizeof sk);
	}
	CK_ATTRIBUTE priv[] = {{CKA_CLASS, &priv_cls, sizeof priv_cls},
			       {CKA_KEY_TYPE, &kt, sizeof kt},
			       {CKA_TOKEN, &yes, 1},
			       {CKA_PRIVATE, &yes, 1},
			       {CKA_SENSITIVE, &yes, 1},
			       {CKA_SIGN, &yes, 1},
			       {CKA_EC_PARAMS, (void *)"\x06\x03\x2b\x65\x70", 5},
			       {CKA_VALUE, seed, 32},
			       {CKA_LABEL, (void *)label, strlen(label)},
			       {CKA_ID, id, sizeof id}};
	CK_ATTRIBUTE pub[] = {{CKA_CLASS, &pub_cls, sizeof pub_cls},
			      {CKA_KEY_TYPE, &kt, sizeof kt},
			      {CKA_TOKEN, &yes, 1},
			      {CKA_PRIVATE, &no, 1},
			      {CKA_EC_PARAMS, (void *)printable, sizeof printable - 1},
			      {CKA_EC_POINT, pk, 32},
			      {CKA_LABEL, (void *)label, strlen(label)},
			      {CKA_ID, id, sizeof id}};
	rv = f->C_CreateObject(s, priv, sizeof priv / sizeof priv[0], &h);
	if (rv != CKR_OK)
		fail("C_CreateObject(private)", rv);
	rv = f->C_CreateObject(s, pub, sizeof pub / sizeof pub[0], &h);
	if (rv != CKR_OK)
		fail("C_CreateObject(public)", rv);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The token disappears between opening the key and signing with it. */
static int removed(const char *uri, const char *token_dir)
{
	struct fws_signing_key *key = NULL;
	uint8_t sig[64];
	int rc;

	if (fws_init() != 0)
		return 1;
	setenv("FWSEAL_PKCS11_PIN", "unused", 0);
	rc = fws_signing_key_open(uri, NULL, &key);
	if (rc != 0) {
		printf("open: %s\n", fws_errname(rc));
		return 1;
	}
	if (nftw(token_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return 1;
	rc = fws_signing_key_sign(key, (const uint8_t *)"x", 1, sig);
	printf("%s %s\n", rc == 0 ? "signed" : fws_errname(rc), fws_diag_last()->why);
	fws_signing_key_close(key);
	return 0;
}

/* The public object of label gets the point of other's key. */
static void liar(CK_SESSION_HANDLE s, const char *label, const char *other)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_OBJECT_HANDLE pub_a, pub_b, h;
	CK_ULONG n = 0;
	CK_BYTE point[128], params[32], id[64];
	CK_ATTRIBUTE get[] = {{CKA_EC_POINT, point, sizeof point},
			      {CKA_EC_PARAMS, params, sizeof params}};
	CK_ATTRIBUTE get_id = {CKA_ID, id, sizeof id};
	CK_KEY_TYPE kt = CKK_EC;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

	for (int i = 0; i < 2; i++) {
		const char *l = i == 0 ? label : other;
		CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls},
				    {CKA_LABEL, (void *)l, strlen(l)}};
		if (f->C_FindObjectsInit(s, t, 2) != CKR_OK ||
		    f->C_FindObjects(s, i == 0 ? &pub_a : &pub_b, 1, &n) != CKR_OK || n != 1)
			fail("find public", 0);
		(void)f->C_FindObjectsFinal(s);
	}
	if (f->C_GetAttributeValue(s, pub_b, get, 2) != CKR_OK ||
	    f->C_GetAttributeValue(s, pub_a, &get_id, 1) != CKR_OK)
		fail("C_GetAttributeValue", 0);
	if (f->C_DestroyObject(s, pub_a) != CKR_OK)
		fail("C_DestroyObject", 0);
	CK_ATTRIBUTE pub[] = {{CKA_CLASS, &cls, sizeof cls},
			      {CKA_KEY_TYPE, &kt, sizeof kt},
			      {CKA_TOKEN, &yes, 1},
			      {CKA_PRIVATE, &no, 1},
			      {CKA_EC_PARAMS, params, get[1].ulValueLen},
			      {CKA_EC_POINT, point, get[0].ulValueLen},
			      {CKA_LABEL, (void *)label, strlen(label)},
			      {CKA_ID, id, get_id.ulValueLen}};
	CK_RV rv = f->C_CreateObject(s, pub, sizeof pub / sizeof pub[0], &h);
	if (rv != CKR_OK)
		fail("C_CreateObject(liar public)", rv);
}

static int report(int rc, const uint8_t got[FWS_FILE_KEY_LEN], const uint8_t want[FWS_FILE_KEY_LEN])
{
	if (rc == 0 && memcmp(got, want, FWS_FILE_KEY_LEN) == 0) {
		printf("opened\n");
		return 0;
	}
	if (rc == 0) {
		printf("opened to another file key\n");
		return 1;
	}
	if (rc == 1) {
		printf("FWS_ENOTRECIPIENT not a recipient\n");
		return -FWS_ENOTRECIPIENT;
	}
	printf("%s %s\n", fws_errname(rc), fws_diag_last()->why);
	return -rc;
}

static int unwrap(const char *ref, const char *recipient)
{
	struct fws_recipient r;
	struct fws_stanza st;
	struct fws_identity *id = NULL;
	char args[FWS_STANZA_LINE_MAX];
	uint8_t body[FWS_STANZA_BODY_MAX], fk[FWS_FILE_KEY_LEN], got[FWS_FILE_KEY_LEN];
	int rc;

	if (fws_init() != 0)
		return 1;
	randombytes_buf(fk, sizeof fk);
	rc = fws_recipient_parse(recipient, &r);
	if (rc == 0)
		rc = r.type->wrap(&r, fk, args, &st, body);
	if (rc == 0)
		rc = fws_identity_open(ref, &id);
	if (rc == 0)
		rc = fws_identity_unwrap(id, &st, got);
	fws_identity_close(id);
	return report(rc, got, fk);
}

static int unwrap_stanza(const char *ref, const char *eph, const char *body_b64,
			 const char *fk_hex)
{
	struct fws_stanza st = {.type = "fwseal-p256", .n_args = 1};
	struct fws_identity *id = NULL;
	uint8_t body[64], fk[FWS_FILE_KEY_LEN], got[FWS_FILE_KEY_LEN];
	size_t body_len = 0;
	int rc;

	if (fws_init() != 0 ||
	    sodium_base642bin(body, sizeof body, body_b64, strlen(body_b64), NULL, &body_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
	    sodium_hex2bin(fk, sizeof fk, fk_hex, strlen(fk_hex), NULL, NULL, NULL) != 0)
		return 1;
	st.args[0] = eph;
	st.body = body;
	st.body_len = body_len;
	rc = fws_identity_open(ref, &id);
	if (rc == 0)
		rc = fws_identity_unwrap(id, &st, got);
	fws_identity_close(id);
	return report(rc, got, fk);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "removed") == 0)
		return removed(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "unwrap") == 0)
		return unwrap(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "unwrap-stanza") == 0)
		return unwrap_stanza(argv[2], argv[3], argv[4], argv[5]);
	if (argc < 5) {
		fprintf(stderr, "usage: see the comment at the top of p11_fixture.c\n");
		return 2;
	}
	load(argv[1]);
	const char *cmd = argv[2];
	if (strcmp(cmd, "init-nopin") == 0) {
		CK_UTF8CHAR label[32];
		padded(label, 32, argv[3]);
		CK_RV rv =
		    f->C_InitToken(find_slot(NULL), (CK_UTF8CHAR *)argv[4], strlen(argv[4]), label);
		if (rv != CKR_OK)
			fail("C_InitToken", rv);
	} else if (argc == 6 && strcmp(cmd, "nosign") == 0) {
		pair(login(argv[3], argv[4]), CKM_EC_EDWARDS_KEY_PAIR_GEN, "\x06\x03\x2b\x65\x70",
		     5, argv[5], CK_FALSE);
	} else if (argc == 6 && strcmp(cmd, "p256-noderive") == 0) {
		may_derive = CK_FALSE;
		pair(login(argv[3], argv[4]), CKM_EC_KEY_PAIR_GEN,
		     "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10, argv[5], CK_FALSE);
	} else if (argc == 6 && strcmp(cmd, "p384") == 0) {
		pair(login(argv[3], argv[4]), CKM_EC_KEY_PAIR_GEN, "\x06\x05\x2b\x81\x04\x00\x22", 7,
		     argv[5], CK_FALSE);
	} else if (argc == 6 && strcmp(cmd, "p256-liar") == 0) {
		char other[64];
		CK_SESSION_HANDLE s = login(argv[3], argv[4]);
		snprintf(other, sizeof other, "%s-other", argv[5]);
		pair(s, CKM_EC_KEY_PAIR_GEN, "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10,
		     argv[5], CK_FALSE);
		pair(s, CKM_EC_KEY_PAIR_GEN, "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10, other,
		     CK_FALSE);
		liar(s, argv[5], other);
	} else if (argc == 6 && strcmp(cmd, "p256") == 0) {
		pair(login(argv[3], argv[4]), CKM_EC_KEY_PAIR_GEN,
		     "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10, argv[5], CK_TRUE);
	} else if ((argc == 7 || argc == 8) && strcmp(cmd, "import") == 0) {
		import(login(argv[3], argv[4]), argv[5], argv[6], argc == 8 ? argv[7] : argv[6]);
	} else {
		fprintf(stderr, "p11_fixture: unknown command\n");
		return 2;
	}
	(void)f->C_Finalize(NULL);
	return 0;
}
