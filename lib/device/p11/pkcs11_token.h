/* SPDX-License-Identifier: Apache-2.0 */
/* PKCS#11 tokens through p11-kit, for any use of a token key (signing
 * keys, lib/sign/keys/; the device's P-256 decryption key,
 * lib/device/crypt/p256_pkcs11.c): RFC 7512 URI parsing and its
 * printable form without the PIN, module resolution, token selection by
 * label or serial, the PIN's sources, login, and named refusals for the
 * token's return values. docs/hsm.md describes the rules. */
#ifndef FWSEAL_DEVICE_P11_PKCS11_TOKEN_H
#define FWSEAL_DEVICE_P11_PKCS11_TOKEN_H

#include <stddef.h>

#include "fwseal/key_prompt.h"
#include "device/p11/p11kit_load.h"

/* Environment: the module when the URI names none (a path), and the PIN
 * (read by the CLIs' prompt, never by the library). */
#define FWS_PKCS11_MODULE_ENV "FWSEAL_PKCS11_MODULE"
#define FWS_PKCS11_PIN_ENV "FWSEAL_PKCS11_PIN"

struct fws_p11_uri {
	P11KitUri *uri;
	char *shown;	 /* the URI without any pin-value: the only form ever printed */
	int names_token; /* token= or serial= given */
};

/* Strict parse: unknown attributes, a bad encoding, and a slot-id that is
 * the only thing naming the token are refused (FWS_EUSAGE). */
int fws_p11_uri_parse(const char *text, struct fws_p11_uri *u);
void fws_p11_uri_free(struct fws_p11_uri *u);
/* A malloc'd copy of text without any pin-value attribute. */
char *fws_p11_uri_shown(const char *text);

/* The modules a URI (or a module path, for `pkcs11 list MODULE`) can reach:
 * the URI's module-path, or its module-name among p11-kit's registered
 * modules, else $FWSEAL_PKCS11_MODULE, else all registered modules. */
struct fws_p11_modules {
	CK_FUNCTION_LIST **registry; /* from p11-kit's configuration */
	CK_FUNCTION_LIST *single;    /* loaded by path */
	CK_FUNCTION_LIST *list[2];   /* single, as a NULL-terminated list */
	CK_FUNCTION_LIST **all;	     /* the ones to search */
	char *name;		     /* how they were chosen: for messages */
};
int fws_p11_modules_load(const struct fws_p11_uri *u, const char *module_path,
			 const char *module_name, struct fws_p11_modules *m);
void fws_p11_modules_unload(struct fws_p11_modules *m);

struct fws_p11_token {
	struct fws_p11_modules modules;
	CK_FUNCTION_LIST *module; /* the one holding the token */
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE session;
	int has_session, logged_in;
	char label[33], serial[17]; /* trailing blanks removed */
	const char *shown;	    /* the URI for messages */
};

/* Finds the one token u matches (FWS_ETOKEN naming the labels of none or
 * of several), opens a session (read-write when rw) and logs in as the user
 * with the PIN from pin-value, pin-source or the prompt (FWS_EPIN,
 * FWS_EPINLOCKED). t is ready for fws_p11_token_close also on failure. */
int fws_p11_token_open(const struct fws_p11_uri *u, const struct fws_key_prompt *prompt, int rw,
		       struct fws_p11_token *t);
void fws_p11_token_close(struct fws_p11_token *t);

/* The named refusal for a PKCS#11 return value rv from call (FWS_EPIN,
 * FWS_EPINLOCKED, FWS_EKEYUSE, FWS_ETOKEN, FWS_ENOMEM, else FWS_EPKCS11
 * with the CKR_ name); records the diagnostic with subject. */
int fws_p11_fail(CK_RV rv, const char *call, const char *subject);

/* The slots of mod that hold a token, in a malloc'd array (*n of them;
 * free it). 0, or FWS_ENOMEM / the module's refusal. */
int fws_p11_slots(CK_FUNCTION_LIST *mod, CK_SLOT_ID **slots, CK_ULONG *n);

/* Reads one attribute of up to cap bytes; *len its length. */
CK_RV fws_p11_get_attr(struct fws_p11_token *t, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		       void *buf, CK_ULONG cap, CK_ULONG *len);

/* Objects of class cls matching the URI's object= and id= (FWS_EUSAGE when
 * neither is given); up to cap handles, *n the count found. */
int fws_p11_find(struct fws_p11_token *t, const struct fws_p11_uri *u, CK_OBJECT_CLASS cls,
		 CK_OBJECT_HANDLE *found, CK_ULONG cap, CK_ULONG *n);

/* The one private key the URI text names, for every use of a token key
 * (a signing key, the device's decryption key): the URI parsed, a type=
 * other than private refused (FWS_EUSAGE: "a ROLE is a private key"), the
 * token opened read-only and logged in, and exactly one private-key object
 * matching - none or several is refused with code `refusal`, each caller's
 * own, since a guess between keys would sign or unwrap with the wrong one.
 * u and t are ready for fws_p11_uri_free / fws_p11_token_close on failure
 * too. */
int fws_p11_open_private(const char *text, const struct fws_key_prompt *prompt, const char *role,
			 int refusal, struct fws_p11_uri *u, struct fws_p11_token *t,
			 CK_OBJECT_HANDLE *priv);

/* The public-key object beside private key priv: the one with its CKA_ID
 * (or, when it has none, its label); FWS_EKEYUSE for none or several. */
int fws_p11_find_public(struct fws_p11_token *t, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE *pub);

/* PKCS#11 blank-padded text fields as C strings. */
void fws_p11_text(char *out, size_t cap, const unsigned char *field, size_t len);

#endif
