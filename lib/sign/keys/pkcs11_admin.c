/* SPDX-License-Identifier: Apache-2.0 */
/* Token administration for fwseal-keys: creating an Ed25519 key pair inside
 * a token (the secret never exists outside it) and listing what tokens
 * hold. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "sign/keys/pkcs11_admin.h"
#include "sign/keys/pkcs11_ed25519.h"

/* RFC 7512 value: everything but unreserved characters percent-encoded,
 * which is always valid in a path attribute. */
static size_t pct(char *out, size_t cap, size_t o, const uint8_t *v, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len && o + 4 < cap; i++) {
		uint8_t c = v[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

/* pkcs11:token=..;serial=..;object=..;id=..;type=private */
char *fws_p11_key_uri(const char *label, const char *serial, const uint8_t *obj, size_t obj_len,
		     const uint8_t *id, size_t id_len)
{
	size_t cap = 64 + 3 * (strlen(label) + strlen(serial) + obj_len + id_len), o;
	char *u = malloc(cap);

	if (u == NULL)
		return NULL;
	o = (size_t)snprintf(u, cap, "pkcs11:token=");
	o = pct(u, cap, o, (const uint8_t *)label, strlen(label));
	o += (size_t)snprintf(u + o, cap - o, ";serial=");
	o = pct(u, cap, o, (const uint8_t *)serial, strlen(serial));
	o += (size_t)snprintf(u + o, cap - o, ";object=");
	o = pct(u, cap, o, obj, obj_len);
	if (id_len > 0) {
		o += (size_t)snprintf(u + o, cap - o, ";id=");
		static const char hex[] = "0123456789abcdef";
		for (size_t i = 0; i < id_len && o + 4 < cap; i++) {
			u[o++] = '%';
			u[o++] = hex[id[i] >> 4];
			u[o++] = hex[id[i] & 15];
		}
		u[o] = '\0';
	}
	snprintf(u + o, cap - o, ";type=private");
	return u;
}

/* Any object carrying attribute a (a label or an id) already? */
int fws_p11_object_exists(struct fws_p11_token *t, CK_ATTRIBUTE *a, int *found)
{
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;
	CK_RV rv = t->module->C_FindObjectsInit(t->session, a, 1);

	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_FindObjectsInit", t->shown);
	rv = t->module->C_FindObjects(t->session, &h, 1, &n);
	(void)t->module->C_FindObjectsFinal(t->session);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_FindObjects", t->shown);
	*found = n > 0;
	return 0;
}

int fws_p11_new_key_names(const struct fws_p11_uri *u, struct fws_p11_token *t,
			  CK_ATTRIBUTE **label, CK_ATTRIBUTE *id, uint8_t id_buf[16])
{
	CK_ATTRIBUTE *uri_id = fws_p11kit.p11_kit_uri_get_attribute(u->uri, CKA_ID);
	int found = 0, rc;

	*label = fws_p11kit.p11_kit_uri_get_attribute(u->uri, CKA_LABEL);
	if (*label == NULL || (*label)->ulValueLen == 0)
		return fws_diag_set(FWS_EUSAGE, 0, u->shown,
				    "name the new key with object=LABEL in the URI");
	if (uri_id != NULL) {
		*id = *uri_id;
	} else {
		randombytes_buf(id_buf, 16);
		*id = (CK_ATTRIBUTE){CKA_ID, id_buf, 16};
	}
	if ((rc = fws_p11_object_exists(t, *label, &found)) != 0)
		return rc;
	if (!found && uri_id != NULL && (rc = fws_p11_object_exists(t, id, &found)) != 0)
		return rc;
	if (found)
		return fws_diag_set(FWS_EEXIST, 0, u->shown,
				    "the token already holds an object with this %s (keys are "
				    "never replaced)",
				    uri_id != NULL ? "label or id" : "label");
	return 0;
}

int fws_p11_admin_open(const char *uri, const struct fws_key_prompt *prompt,
		       struct fws_p11_uri *u, struct fws_p11_token *t)
{
	int rc;

	memset(t, 0, sizeof *t);
	rc = fws_p11_uri_parse(uri, u);
	return rc != 0 ? rc : fws_p11_token_open(u, prompt, 1, t);
}

void fws_p11_admin_close(struct fws_p11_uri *u, struct fws_p11_token *t)
{
	if (t->module != NULL || t->modules.all != NULL)
		fws_p11_token_close(t);
	fws_p11_uri_free(u);
}

/* One signature with the new key, checked with libsodium: a key that
 * cannot make a valid Ed25519 signature is removed, not reported. */
static int self_test(struct fws_p11_token *t, CK_OBJECT_HANDLE priv, const uint8_t pk[32])
{
	static const uint8_t msg[] = "fwseal pkcs11 key self-test";
	CK_MECHANISM mech = {CKM_EDDSA, NULL, 0};
	uint8_t sig[64];
	CK_ULONG sig_len = sizeof sig;
	CK_RV rv = t->module->C_SignInit(t->session, &mech, priv);

	if (rv == CKR_OK)
		rv = t->module->C_Sign(t->session, (CK_BYTE *)msg, sizeof msg, sig, &sig_len);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_Sign (self-test of the new key)", t->shown);
	if (sig_len != 64 || crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0)
		return fws_diag_set(FWS_ECRYPTO, 0, t->shown,
				    "the new key's signature does not verify: the key was removed");
	return 0;
}

static int generate_in(struct fws_p11_uri *u, struct fws_p11_token *t, uint8_t pk[32],
		       char **uri_out)
{
	CK_ATTRIBUTE *label, id_attr;
	CK_MECHANISM mech = {CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_HANDLE pub = 0, priv = 0;
	uint8_t id[16];
	int rc;
	CK_RV rv;

	if ((rc = fws_p11_new_key_names(u, t, &label, &id_attr, id)) != 0)
		return rc;
	CK_ATTRIBUTE pub_tmpl[] = {
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &no, sizeof no},
	    {CKA_VERIFY, &yes, sizeof yes},
	    {CKA_EC_PARAMS, (void *)FWS_ED25519_OID_DER, 5},
	    {CKA_LABEL, label->pValue, label->ulValueLen},
	    id_attr,
	};
	/* Sensitive and never extractable: the secret never leaves the token. */
	CK_ATTRIBUTE priv_tmpl[] = {
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &yes, sizeof yes},
	    {CKA_SENSITIVE, &yes, sizeof yes},
	    {CKA_EXTRACTABLE, &no, sizeof no},
	    {CKA_SIGN, &yes, sizeof yes},
	    {CKA_DECRYPT, &no, sizeof no},
	    {CKA_DERIVE, &no, sizeof no},
	    {CKA_LABEL, label->pValue, label->ulValueLen},
	    id_attr,
	};
	rv = t->module->C_GenerateKeyPair(t->session, &mech, pub_tmpl,
					  sizeof pub_tmpl / sizeof pub_tmpl[0], priv_tmpl,
					  sizeof priv_tmpl / sizeof priv_tmpl[0], &pub, &priv);
	if (rv == CKR_MECHANISM_INVALID)
		return fws_diag_set(FWS_EPKCS11, 0, u->shown,
				    "the token cannot make Ed25519 keys "
				    "(CKM_EC_EDWARDS_KEY_PAIR_GEN)");
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_GenerateKeyPair", u->shown);
	rc = fws_p11_public_ed25519(t, pub, pk);
	if (rc == 0)
		rc = self_test(t, priv, pk);
	if (rc == 0 && uri_out != NULL &&
	    (*uri_out = fws_p11_key_uri(t->label, t->serial, label->pValue, label->ulValueLen,
				id_attr.pValue, id_attr.ulValueLen)) == NULL)
		rc = FWS_ENOMEM;
	if (rc != 0) {
		(void)t->module->C_DestroyObject(t->session, priv);
		(void)t->module->C_DestroyObject(t->session, pub);
	}
	return rc;
}

int fws_pkcs11_generate(const char *uri, const struct fws_key_prompt *prompt,
			uint8_t public_key[32], char **key_uri_out)
{
	struct fws_p11_uri u;
	struct fws_p11_token t;
	int rc;

	if (key_uri_out != NULL)
		*key_uri_out = NULL;
	if (uri == NULL || public_key == NULL)
		return FWS_EUSAGE;
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	rc = fws_p11_admin_open(uri, prompt, &u, &t);
	if (rc == 0)
		rc = generate_in(&u, &t, public_key, key_uri_out);
	fws_p11_admin_close(&u, &t);
	return rc;
}

/* ---- list ---- */

static void list_keys(struct fws_p11_token *t, const char *module, fws_pkcs11_list_fn fn, void *ctx)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl = {CKA_CLASS, &cls, sizeof cls};
	CK_OBJECT_HANDLE objs[64];
	CK_ULONG n = 0;

	if (t->module->C_FindObjectsInit(t->session, &tmpl, 1) != CKR_OK)
		return;
	if (t->module->C_FindObjects(t->session, objs, 64, &n) != CKR_OK)
		n = 0;
	(void)t->module->C_FindObjectsFinal(t->session);
	for (CK_ULONG i = 0; i < n; i++) {
		uint8_t label[129], id[128];
		CK_ULONG label_len = 0, id_len = 0;
		char shown[129];
		struct fws_pkcs11_entry e = {module, t->label, t->serial, NULL, shown, 0, {0}};

		if (fws_p11_get_attr(t, objs[i], CKA_LABEL, label, sizeof label - 1, &label_len) !=
		    CKR_OK)
			label_len = 0;
		if (fws_p11_get_attr(t, objs[i], CKA_ID, id, sizeof id, &id_len) != CKR_OK)
			id_len = 0;
		fws_p11_text(shown, sizeof shown, label, label_len);
		e.ed25519 = fws_p11_public_ed25519(t, objs[i], e.public_key) == 0;
		char *uri = fws_p11_key_uri(t->label, t->serial, label, label_len, id, id_len);
		e.key_uri = uri;
		if (uri != NULL)
			fn(ctx, &e);
		free(uri);
	}
	fws_diag_clear(); /* a key that is not Ed25519 is listed, not an error */
}

int fws_pkcs11_list(const char *module, fws_pkcs11_list_fn fn, void *ctx)
{
	struct fws_p11_modules m;
	int is_path = module != NULL && strchr(module, '/') != NULL;
	int rc;

	if (fn == NULL)
		return FWS_EUSAGE;
	rc = fws_p11_modules_load(NULL, is_path ? module : NULL, is_path ? NULL : module, &m);
	if (rc != 0) {
		fws_p11_modules_unload(&m);
		return rc;
	}
	for (size_t i = 0; m.all[i] != NULL; i++) {
		CK_FUNCTION_LIST *mod = m.all[i];
		char *file = m.single != NULL ? NULL : fws_p11kit.p11_kit_module_get_filename(mod);
		const char *mod_name = file != NULL ? file : m.name;
		CK_SLOT_ID *slots = NULL;
		CK_ULONG ns = 0;

		if (fws_p11_slots(mod, &slots, &ns) != 0)
			ns = 0; /* listed as having no token */
		for (CK_ULONG s = 0; s < ns; s++) {
			CK_TOKEN_INFO ti;
			struct fws_p11_token t;
			if (mod->C_GetTokenInfo(slots[s], &ti) != CKR_OK ||
			    !(ti.flags & CKF_TOKEN_INITIALIZED))
				continue;
			memset(&t, 0, sizeof t);
			t.module = mod;
			t.slot = slots[s];
			t.shown = mod_name;
			fws_p11_text(t.label, sizeof t.label, ti.label, sizeof ti.label);
			fws_p11_text(t.serial, sizeof t.serial, ti.serialNumber,
				     sizeof ti.serialNumber);
			struct fws_pkcs11_entry e = {mod_name, t.label, t.serial, NULL,
						     NULL,     0,	{0}};
			fn(ctx, &e);
			if (mod->C_OpenSession(t.slot, CKF_SERIAL_SESSION, NULL, NULL,
					       &t.session) == CKR_OK) {
				list_keys(&t, mod_name, fn, ctx);
				(void)mod->C_CloseSession(t.session);
			}
		}
		free(slots);
		free(file);
	}
	fws_p11_modules_unload(&m);
	fws_diag_clear();
	return 0;
}
