/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* secure_getenv */
/* Tokens through p11-kit: URI, module, token, PIN, login, and the named
 * refusals (pkcs11_token.h). Nothing here is specific to signing: the
 * device library holds it for a decryption key in a token. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "device/p11/pkcs11_token.h"

#define PIN_MAX 256
#define MAX_CANDIDATES 16

void fws_p11_text(char *out, size_t cap, const unsigned char *field, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	memcpy(out, field, n);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
	/* Token labels come from the token: never print control bytes. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
}

static int blank(const unsigned char *field, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (field[i] != ' ' && field[i] != '\0')
			return 0;
	return 1;
}

/* ---- the URI ---- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 when attr[0..n) may carry a PIN: its name, percent-decoded and in
 * any case, contains "pin-value" (a misspelt name such as ":pin-value" is
 * refused as unknown, and that refusal prints the URI too). A name too
 * long to look at counts as one: hiding too much is the safe error. */
static int is_pin_value(const char *attr, size_t n)
{
	char name[128];
	size_t i = 0, k = 0;

	while (i < n && attr[i] != '=') {
		int c = (unsigned char)attr[i];
		if (c == '%' && i + 2 < n && hex_value(attr[i + 1]) >= 0 &&
		    hex_value(attr[i + 2]) >= 0) {
			c = hex_value(attr[i + 1]) * 16 + hex_value(attr[i + 2]);
			i += 3;
		} else {
			i++;
		}
		if (k == sizeof name - 1)
			return 1;
		name[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	name[k] = '\0';
	return k == strlen(name) ? strstr(name, "pin-value") != NULL : 1;
}

/* The URI without any pin-value attribute: the one part of a URI that must
 * never reach a message, a log or a report. Every ';', '&' and '?' is taken
 * as a separator, wherever it stands, so that no spelling (a pin-value in
 * the path, after a stray '&') keeps a PIN in the printed form. */
char *fws_p11_uri_shown(const char *text)
{
	size_t len = strlen(text), i, o = 7;
	char *out = malloc(len + 8);
	int emitted = 0, query = 0, pending_query = 0;

	if (out == NULL)
		return NULL;
	if (strncasecmp(text, "pkcs11:", 7) != 0) {
		memcpy(out, text, len + 1);
		return out;
	}
	memcpy(out, "pkcs11:", 7);
	for (i = 7; i <= len;) {
		char sep = i > 7 ? text[i - 1] : '\0';
		size_t end = i;
		while (end < len && text[end] != ';' && text[end] != '&' && text[end] != '?')
			end++;
		if (sep == '?' && !query)
			pending_query = 1; /* the query starts here, kept or not */
		if (end > i && !is_pin_value(text + i, end - i)) {
			if (pending_query) {
				out[o++] = '?';
				query = 1;
				pending_query = 0;
			} else if (emitted) {
				out[o++] = sep;
			}
			memcpy(out + o, text + i, end - i);
			o += end - i;
			emitted = 1;
		}
		i = end + 1;
	}
	out[o] = '\0';
	return out;
}

int fws_p11_uri_parse(const char *text, struct fws_p11_uri *u)
{
	CK_TOKEN_INFO *ti;
	int rc;

	memset(u, 0, sizeof *u);
	if ((rc = fws_p11kit_load()) != 0)
		return rc;
	u->shown = fws_p11_uri_shown(text);
	u->uri = fws_p11kit.p11_kit_uri_new();
	if (u->shown == NULL || u->uri == NULL)
		return FWS_ENOMEM;
	rc = fws_p11kit.p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, u->uri);
	if (rc != P11_KIT_URI_OK)
		return fws_diag_set(FWS_EUSAGE, 0, u->shown, "not a valid pkcs11: URI (%s)",
				    fws_p11kit.p11_kit_uri_message(rc));
	/* An attribute p11-kit does not know would be ignored silently: a
	 * typo in "serial" must not widen the match to any token. */
	if (fws_p11kit.p11_kit_uri_any_unrecognized(u->uri))
		return fws_diag_set(FWS_EUSAGE, 0, u->shown,
				    "the URI has an attribute fwseal does not know (RFC 7512 "
				    "names only)");
	ti = fws_p11kit.p11_kit_uri_get_token_info(u->uri);
	u->names_token = ti != NULL && (!blank(ti->label, sizeof ti->label) ||
					!blank(ti->serialNumber, sizeof ti->serialNumber));
	/* SoftHSM (and others) renumber slots as tokens come and go: a
	 * stored slot-id can name another token tomorrow. */
	if (!u->names_token && fws_p11kit.p11_kit_uri_get_slot_id(u->uri) != (CK_SLOT_ID)-1)
		return fws_diag_set(FWS_EUSAGE, 0, u->shown,
				    "slot-id alone does not name a token (slot numbers change); "
				    "use token=LABEL or serial=SERIAL");
	return 0;
}

void fws_p11_uri_free(struct fws_p11_uri *u)
{
	if (u->uri != NULL)
		fws_p11kit.p11_kit_uri_free(u->uri);
	free(u->shown);
	memset(u, 0, sizeof *u);
}

/* ---- refusals ---- */

static const char *ckr_name(CK_RV rv)
{
	switch (rv) {
#define N(x)                                                                                       \
	case x:                                                                                    \
		return #x;
		N(CKR_GENERAL_ERROR)
		N(CKR_FUNCTION_FAILED)
		N(CKR_ARGUMENTS_BAD)
		N(CKR_ATTRIBUTE_TYPE_INVALID)
		N(CKR_ATTRIBUTE_VALUE_INVALID)
		N(CKR_DEVICE_ERROR)
		N(CKR_DEVICE_MEMORY)
		N(CKR_MECHANISM_INVALID)
		N(CKR_MECHANISM_PARAM_INVALID)
		N(CKR_OBJECT_HANDLE_INVALID)
		N(CKR_OPERATION_ACTIVE)
		N(CKR_TEMPLATE_INCOMPLETE)
		N(CKR_TEMPLATE_INCONSISTENT)
		N(CKR_TOKEN_WRITE_PROTECTED)
		N(CKR_CRYPTOKI_NOT_INITIALIZED)
		N(CKR_FUNCTION_NOT_SUPPORTED)
		N(CKR_DATA_LEN_RANGE)
		N(CKR_KEY_HANDLE_INVALID)
		N(CKR_SESSION_READ_ONLY)
		N(CKR_USER_TYPE_INVALID)
		N(CKR_SESSION_COUNT)
#undef N
	default:
		return "CKR_?";
	}
}

int fws_p11_fail(CK_RV rv, const char *call, const char *subject)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		return fws_diag_set(FWS_EPIN, 0, subject,
				    "wrong PIN: the token refused it (%s); each wrong PIN brings "
				    "the token closer to locking it",
				    call);
	case CKR_PIN_EXPIRED:
		return fws_diag_set(FWS_EPIN, 0, subject, "the PIN has expired: set a new one");
	case CKR_PIN_LOCKED:
		return fws_diag_set(FWS_EPINLOCKED, 0, subject,
				    "the PIN is locked (too many wrong PINs): the token's "
				    "security officer must unlock it");
	case CKR_USER_NOT_LOGGED_IN:
		return fws_diag_set(FWS_EPIN, 0, subject, "not logged in: %s needs the user PIN",
				    call);
	case CKR_USER_PIN_NOT_INITIALIZED:
		return fws_diag_set(FWS_EPIN, 0, subject,
				    "not logged in: the token's user PIN was never set "
				    "(initialise it with its PIN, e.g. softhsm2-util --init-token "
				    "... --pin)");
	case CKR_KEY_FUNCTION_NOT_PERMITTED:
		return fws_diag_set(FWS_EKEYUSE, 0, subject,
				    "the key is not allowed to sign (the token says so at %s)",
				    call);
	case CKR_KEY_TYPE_INCONSISTENT:
		return fws_diag_set(FWS_EKEYUSE, 0, subject,
				    "not an Ed25519 key (the token refused EdDSA with it)");
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SESSION_CLOSED:
	case CKR_SESSION_HANDLE_INVALID:
	case CKR_SLOT_ID_INVALID:
		return fws_diag_set(FWS_ETOKEN, 0, subject,
				    "the token was removed or its session closed during the run "
				    "(%s); nothing was signed or unwrapped",
				    call);
	case CKR_HOST_MEMORY:
		return fws_diag_set(FWS_ENOMEM, 0, subject, "out of memory in the PKCS#11 module");
	default:
		return fws_diag_set(FWS_EPKCS11, 0, subject, "%s failed: %s (0x%lx)", call,
				    ckr_name(rv), (unsigned long)rv);
	}
}

/* ---- modules ---- */

static int load_by_path(const char *path, struct fws_p11_modules *m)
{
	CK_RV rv;

	m->single = fws_p11kit.p11_kit_module_load(path, 0);
	if (m->single == NULL) {
		const char *why = fws_p11kit.p11_kit_message();
		return fws_diag_set(FWS_EPKCS11, 0, path, "the PKCS#11 module cannot be loaded%s%s",
				    why != NULL ? ": " : "", why != NULL ? why : "");
	}
	rv = fws_p11kit.p11_kit_module_initialize(m->single);
	if (rv != CKR_OK) {
		fws_p11kit.p11_kit_module_release(m->single);
		m->single = NULL;
		return fws_diag_set(
		    FWS_EPKCS11, 0, path,
		    "the PKCS#11 module cannot be started: C_Initialize: %s (0x%lx)", ckr_name(rv),
		    (unsigned long)rv);
	}
	m->list[0] = m->single;
	m->list[1] = NULL;
	m->all = m->list;
	m->name = strdup(path);
	return m->name == NULL ? FWS_ENOMEM : 0;
}

int fws_p11_modules_load(const struct fws_p11_uri *u, const char *module_path,
			 const char *module_name, struct fws_p11_modules *m)
{
	const char *path = module_path, *name = module_name, *env;
	int rc;

	memset(m, 0, sizeof *m);
	if ((rc = fws_p11kit_load()) != 0)
		return rc;
	if (path == NULL && name == NULL && u != NULL) {
		path = fws_p11kit.p11_kit_uri_get_module_path(u->uri);
		name = fws_p11kit.p11_kit_uri_get_module_name(u->uri);
	}
	if (path == NULL && name == NULL && (env = secure_getenv(FWS_PKCS11_MODULE_ENV)) != NULL &&
	    env[0] != '\0')
		path = env;
	if (path != NULL)
		return load_by_path(path, m);
	m->registry = fws_p11kit.p11_kit_modules_load_and_initialize(0);
	if (m->registry == NULL || m->registry[0] == NULL) {
		const char *why = fws_p11kit.p11_kit_message();
		return fws_diag_set(FWS_EPKCS11, 0, name,
				    "no PKCS#11 module: none is registered with p11-kit, the URI "
				    "names none (module-path=) and " FWS_PKCS11_MODULE_ENV
				    " is not set%s%s",
				    why != NULL ? ": " : "", why != NULL ? why : "");
	}
	m->all = m->registry;
	if (name != NULL) {
		for (size_t i = 0; m->registry[i] != NULL; i++) {
			char *n = fws_p11kit.p11_kit_module_get_name(m->registry[i]);
			int same = n != NULL && strcmp(n, name) == 0;
			free(n);
			if (same) {
				m->list[0] = m->registry[i];
				m->list[1] = NULL;
				m->all = m->list;
				break;
			}
		}
		if (m->all != m->list)
			return fws_diag_set(FWS_EPKCS11, 0, name,
					    "no PKCS#11 module of this name is registered with "
					    "p11-kit (p11-kit list-modules shows them)");
	}
	m->name = strdup(name != NULL ? name : "p11-kit's registered modules");
	return m->name == NULL ? FWS_ENOMEM : 0;
}

void fws_p11_modules_unload(struct fws_p11_modules *m)
{
	if (m->single != NULL) {
		(void)fws_p11kit.p11_kit_module_finalize(m->single);
		fws_p11kit.p11_kit_module_release(m->single);
	}
	if (m->registry != NULL)
		fws_p11kit.p11_kit_modules_finalize_and_release(m->registry);
	free(m->name);
	memset(m, 0, sizeof *m);
}

/* ---- token ---- */

int fws_p11_slots(CK_FUNCTION_LIST *mod, CK_SLOT_ID **slots, CK_ULONG *n)
{
	/* Asked twice, as the standard says: a token plugged in between the
	 * calls makes the second one say CKR_BUFFER_TOO_SMALL, then ask again. */
	for (int tries = 0; tries < 4; tries++) {
		CK_ULONG count = 0;
		CK_RV rv = mod->C_GetSlotList(CK_TRUE, NULL, &count);
		if (rv != CKR_OK)
			return fws_p11_fail(rv, "C_GetSlotList", NULL);
		*slots = calloc(count > 0 ? count : 1, sizeof **slots);
		if (*slots == NULL)
			return FWS_ENOMEM;
		*n = count;
		rv = mod->C_GetSlotList(CK_TRUE, *slots, n);
		if (rv == CKR_OK)
			return 0;
		free(*slots);
		*slots = NULL;
		if (rv != CKR_BUFFER_TOO_SMALL)
			return fws_p11_fail(rv, "C_GetSlotList", NULL);
	}
	return fws_diag_set(FWS_EPKCS11, 0, NULL, "the module's slot list keeps changing");
}

struct candidate {
	CK_FUNCTION_LIST *module;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO info;
};

/* Every token of every module that u matches; *n_present counts all. */
static int find_tokens(const struct fws_p11_uri *u, const struct fws_p11_modules *m,
		       struct candidate *c, size_t cap, size_t *n, char *present, size_t pcap)
{
	size_t plen = 0;

	*n = 0;
	present[0] = '\0';
	for (size_t i = 0; m->all[i] != NULL; i++) {
		CK_FUNCTION_LIST *mod = m->all[i];
		CK_SLOT_ID *slots = NULL;
		CK_ULONG ns = 0;
		CK_INFO minfo;

		if (fws_p11_slots(mod, &slots, &ns) != 0) {
			if (fws_diag_last()->code == FWS_ENOMEM)
				return FWS_ENOMEM;
			continue; /* a broken module among the registered ones */
		}
		int module_ok = mod->C_GetInfo(&minfo) == CKR_OK &&
				fws_p11kit.p11_kit_uri_match_module_info(u->uri, &minfo);
		for (CK_ULONG s = 0; s < ns; s++) {
			CK_TOKEN_INFO ti;
			char label[33];
			if (mod->C_GetTokenInfo(slots[s], &ti) != CKR_OK)
				continue;
			/* A token initialised with no label yet is not a key store. */
			if (!(ti.flags & CKF_TOKEN_INITIALIZED))
				continue;
			fws_p11_text(label, sizeof label, ti.label, sizeof ti.label);
			if (plen + strlen(label) + 5 < pcap)
				plen += (size_t)snprintf(present + plen, pcap - plen, "%s'%s'",
							 plen > 0 ? ", " : "", label);
			if (!module_ok || !fws_p11kit.p11_kit_uri_match_token_info(u->uri, &ti))
				continue;
			if (*n < cap) {
				c[*n].module = mod;
				c[*n].slot = slots[s];
				c[*n].info = ti;
			}
			(*n)++;
		}
		free(slots);
	}
	fws_diag_clear(); /* a broken module skipped is not this call's error */
	return 0;
}

/* The PIN from the URI (pin-value, pin-source=file:) or the prompt, into
 * sodium_malloc'd memory. */
static int read_pin_file(const char *source, const char *shown, char *pin, size_t *len)
{
	const char *path = source;
	struct stat st;
	ssize_t got;
	int fd;

	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	else if (strncmp(path, "file:", 5) == 0)
		path += 5;
	if (path[0] != '/')
		return fws_diag_set(FWS_EUSAGE, 0, shown,
				    "pin-source must be file:/ABSOLUTE/PATH (RFC 7512)");
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fws_diag_set(fws_errno_code(errno), errno, path, "cannot open the PIN file");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fws_diag_set(FWS_EUSAGE, 0, path, "the PIN file is not a regular file");
	}
	do
		got = read(fd, pin, PIN_MAX + 1);
	while (got < 0 && errno == EINTR);
	close(fd);
	if (got < 0)
		return fws_diag_set(FWS_EIO, errno, path, "cannot read the PIN file");
	if ((size_t)got > PIN_MAX)
		return fws_diag_set(FWS_ELIMIT, 0, path, "PIN file larger than %d bytes", PIN_MAX);
	/* The first line, as for passphrase files. */
	char *nl = memchr(pin, '\n', (size_t)got);
	*len = nl != NULL ? (size_t)(nl - pin) : (size_t)got;
	if (*len > 0 && pin[*len - 1] == '\r')
		(*len)--;
	pin[*len] = '\0';
	if (*len == 0)
		return fws_diag_set(FWS_EUSAGE, 0, path, "empty PIN file");
	return 0;
}

static int get_pin(const struct fws_p11_uri *u, const struct fws_key_prompt *prompt,
		   const char *subject, char **pin, size_t *len, int *from_prompt)
{
	const char *value = fws_p11kit.p11_kit_uri_get_pin_value(u->uri);
	const char *source = fws_p11kit.p11_kit_uri_get_pin_source(u->uri);
	int rc;

	*from_prompt = 0;
	if (value != NULL || source != NULL) {
		*pin = sodium_malloc(PIN_MAX + 2);
		if (*pin == NULL)
			return FWS_ENOMEM;
		if (value != NULL) {
			*len = strlen(value);
			if (*len == 0 || *len > PIN_MAX)
				return fws_diag_set(FWS_EUSAGE, 0, subject,
						    "pin-value is empty or too long");
			memcpy(*pin, value, *len + 1);
			return 0;
		}
		return read_pin_file(source, subject, *pin, len);
	}
	if (prompt == NULL || prompt->get == NULL)
		return fws_diag_set(FWS_EPIN, 0, subject,
				    "not logged in: no PIN (give pin-source=file:... in the URI or "
				    "set " FWS_PKCS11_PIN_ENV ")");
	rc = prompt->get(prompt->ctx, FWS_SECRET_PIN, subject, pin, len);
	if (rc == 0)
		*from_prompt = 1;
	return rc;
}

static int login(const struct fws_p11_uri *u, const struct fws_key_prompt *prompt,
		 struct fws_p11_token *t, const CK_TOKEN_INFO *ti)
{
	char *pin = NULL;
	size_t len = 0;
	int from_prompt = 0, rc;
	CK_RV rv;

	if (!(ti->flags & CKF_LOGIN_REQUIRED))
		return 0;
	/* Do not spend the last try of a nearly locked PIN from a script. */
	if (ti->flags & CKF_USER_PIN_LOCKED)
		return fws_p11_fail(CKR_PIN_LOCKED, "C_Login", t->shown);
	if (!(ti->flags & CKF_USER_PIN_INITIALIZED))
		return fws_p11_fail(CKR_USER_PIN_NOT_INITIALIZED, "C_Login", t->shown);
	if (ti->flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		rv = t->module->C_Login(t->session, CKU_USER, NULL, 0);
	} else {
		rc = get_pin(u, prompt, t->shown, &pin, &len, &from_prompt);
		if (rc != 0)
			goto out;
		rv = t->module->C_Login(t->session, CKU_USER, (CK_UTF8CHAR *)pin, (CK_ULONG)len);
	}
	if (rv == CKR_USER_ALREADY_LOGGED_IN)
		rv = CKR_OK; /* another key of this process on the same token */
	rc = rv == CKR_OK ? 0 : fws_p11_fail(rv, "C_Login", t->shown);
	if (rc == 0)
		t->logged_in = 1;
out:
	if (pin != NULL) {
		if (from_prompt && prompt->put != NULL)
			prompt->put(prompt->ctx, pin);
		else
			sodium_free(pin);
	}
	return rc;
}

int fws_p11_token_open(const struct fws_p11_uri *u, const struct fws_key_prompt *prompt, int rw,
		       struct fws_p11_token *t)
{
	struct candidate c[MAX_CANDIDATES];
	char present[512], matched[512];
	size_t n = 0, mlen = 0;
	int rc;
	CK_RV rv;

	memset(t, 0, sizeof *t);
	t->shown = u->shown;
	if ((rc = fws_p11_modules_load(u, NULL, NULL, &t->modules)) != 0)
		return rc;
	if ((rc = find_tokens(u, &t->modules, c, MAX_CANDIDATES, &n, present, sizeof present)) != 0)
		return rc;
	if (n == 0)
		return fws_diag_set(FWS_ETOKEN, 0, u->shown,
				    "no token matches the URI (tokens present in %s: %s)",
				    t->modules.name, present[0] ? present : "none");
	if (n > 1) {
		matched[0] = '\0';
		for (size_t i = 0; i < n && i < MAX_CANDIDATES; i++) {
			char label[33], serial[17];
			fws_p11_text(label, sizeof label, c[i].info.label, sizeof c[i].info.label);
			fws_p11_text(serial, sizeof serial, c[i].info.serialNumber,
				     sizeof c[i].info.serialNumber);
			if (mlen + 64 < sizeof matched)
				mlen += (size_t)snprintf(matched + mlen, sizeof matched - mlen,
							 "%s'%s' (serial %s)", i ? ", " : "", label,
							 serial);
		}
		return fws_diag_set(
		    FWS_ETOKEN, 0, u->shown,
		    "%zu tokens match the URI: %s; name one with token= or serial=", n, matched);
	}
	t->module = c[0].module;
	t->slot = c[0].slot;
	fws_p11_text(t->label, sizeof t->label, c[0].info.label, sizeof c[0].info.label);
	fws_p11_text(t->serial, sizeof t->serial, c[0].info.serialNumber,
		     sizeof c[0].info.serialNumber);
	rv = t->module->C_OpenSession(t->slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), NULL,
				      NULL, &t->session);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_OpenSession", u->shown);
	t->has_session = 1;
	return login(u, prompt, t, &c[0].info);
}

void fws_p11_token_close(struct fws_p11_token *t)
{
	if (t->logged_in)
		(void)t->module->C_Logout(t->session);
	if (t->has_session)
		(void)t->module->C_CloseSession(t->session);
	fws_p11_modules_unload(&t->modules);
	memset(t, 0, sizeof *t);
}

/* ---- objects ---- */

CK_RV fws_p11_get_attr(struct fws_p11_token *t, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		       void *buf, CK_ULONG cap, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, buf, cap};
	CK_RV rv = t->module->C_GetAttributeValue(t->session, obj, &a, 1);

	/* An attribute larger than cap is not one of the few bytes we expect. */
	if (rv == CKR_OK && (a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen > cap))
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (rv == CKR_OK)
		*len = a.ulValueLen;
	return rv;
}

int fws_p11_find(struct fws_p11_token *t, const struct fws_p11_uri *u, CK_OBJECT_CLASS cls,
		 CK_OBJECT_HANDLE *found, CK_ULONG cap, CK_ULONG *n)
{
	CK_ATTRIBUTE tmpl[3];
	CK_ULONG nt = 0;
	CK_ATTRIBUTE *label = fws_p11kit.p11_kit_uri_get_attribute(u->uri, CKA_LABEL);
	CK_ATTRIBUTE *id = fws_p11kit.p11_kit_uri_get_attribute(u->uri, CKA_ID);
	CK_RV rv;

	*n = 0;
	if (label == NULL && id == NULL)
		return fws_diag_set(FWS_EUSAGE, 0, u->shown,
				    "the URI names no key: give object=LABEL or id=%%XX");
	tmpl[nt++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof cls};
	if (label != NULL)
		tmpl[nt++] = *label;
	if (id != NULL)
		tmpl[nt++] = *id;
	rv = t->module->C_FindObjectsInit(t->session, tmpl, nt);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_FindObjectsInit", u->shown);
	rv = t->module->C_FindObjects(t->session, found, cap, n);
	(void)t->module->C_FindObjectsFinal(t->session);
	return rv == CKR_OK ? 0 : fws_p11_fail(rv, "C_FindObjects", u->shown);
}

int fws_p11_open_private(const char *text, const struct fws_key_prompt *prompt, const char *role,
			 int refusal, struct fws_p11_uri *u, struct fws_p11_token *t,
			 CK_OBJECT_HANDLE *priv)
{
	CK_OBJECT_HANDLE found[2];
	CK_ATTRIBUTE *cls;
	CK_ULONG n = 0;
	int rc;

	memset(t, 0, sizeof *t);
	if ((rc = fws_p11_uri_parse(text, u)) != 0)
		return rc;
	cls = fws_p11kit.p11_kit_uri_get_attribute(u->uri, CKA_CLASS);
	if (cls != NULL && cls->ulValueLen == sizeof(CK_OBJECT_CLASS) &&
	    *(CK_OBJECT_CLASS *)cls->pValue != CKO_PRIVATE_KEY)
		return fws_diag_set(FWS_EUSAGE, 0, u->shown,
				    "a %s is a private key: type=private, or no type", role);
	if ((rc = fws_p11_token_open(u, prompt, 0, t)) != 0)
		return rc;
	if ((rc = fws_p11_find(t, u, CKO_PRIVATE_KEY, found, 2, &n)) != 0)
		return rc;
	if (n != 1)
		return fws_diag_set(refusal, 0, u->shown,
				    n == 0 ? "no private key in token '%s' matches the URI"
					   : "several private keys in token '%s' match the URI: add "
					     "id= to name one",
				    t->label);
	*priv = found[0];
	return 0;
}

int fws_p11_find_public(struct fws_p11_token *t, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE *pub)
{
	uint8_t id[256], label[256];
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof cls}};
	CK_OBJECT_HANDLE found[2];
	CK_ULONG id_len = 0, label_len = 0, n = 0;
	CK_RV rv;

	rv = fws_p11_get_attr(t, priv, CKA_ID, id, sizeof id, &id_len);
	if (rv == CKR_OK && id_len > 0) {
		tmpl[1] = (CK_ATTRIBUTE){CKA_ID, id, id_len};
	} else {
		rv = fws_p11_get_attr(t, priv, CKA_LABEL, label, sizeof label,
				      &label_len);
		if (rv != CKR_OK || label_len == 0)
			return fws_diag_set(FWS_EKEYUSE, 0, t->shown,
					    "the private key has neither CKA_ID nor a label to "
					    "find its public key by");
		tmpl[1] = (CK_ATTRIBUTE){CKA_LABEL, label, label_len};
	}
	rv = t->module->C_FindObjectsInit(t->session, tmpl, 2);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_FindObjectsInit", t->shown);
	rv = t->module->C_FindObjects(t->session, found, 2, &n);
	(void)t->module->C_FindObjectsFinal(t->session);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_FindObjects", t->shown);
	if (n != 1)
		return fws_diag_set(FWS_EKEYUSE, 0, t->shown,
				    n == 0 ? "no public-key object beside the private key (same "
					     "CKA_ID): its public key cannot be read"
					   : "several public-key objects share the key's CKA_ID");
	*pub = found[0];
	return 0;
}
