/* SPDX-License-Identifier: Apache-2.0 */
/* Registry credentials and the two ways a registry asks for them (docs/
 * fleet.md "Registry authentication").
 *
 * Credentials come from one file (system.conf [oci] credentials on a
 * device; --registry-auth or FWSEAL_REGISTRY_AUTH for the release side),
 * never from the command line, where every user of the machine can read
 * them (ps, /proc). The file has the containers-auth.json shape that
 * `skopeo login` and `podman login` write:
 *   {"auths": {"registry.example:5000": {"auth": "<base64 of user:password>"}}}
 * It must not be readable by group or others (FWS_EUNSAFE, as every
 * secret fwseal reads).
 *
 * A 401 names a scheme: Basic (the credentials to the registry itself) or
 * Bearer (the token exchange: GET realm?service=..&scope=.., with the
 * credentials when there are any, for a short-lived token). The realm is
 * whatever the registry names, so a registry could name an attacker's
 * host: credentials go to a realm only when it is the registry's own
 * host:port or the file has an entry for the realm's host:port itself. */
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "net/oci.h"

#define CREDENTIALS_MAX (64 * 1024)
#define TOKEN_MAX 7000

static int read_credentials(const char *file, uint8_t **data, size_t *len)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int rc = fd < 0 || fstat(fd, &st) != 0
		     ? fws_diag_set(FWS_ENOENT, 0, file, "the registry credentials file cannot be opened")
		     : fws_io_check_trusted(&st, file, "registry credentials");
	/* Readable by others: every local user has the fleet's registry
	 * password. */
	if (rc == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		rc = fws_diag_set(FWS_EUNSAFE, 0, file,
				  "registry credentials: readable by group or others (mode %04o; "
				  "chmod 600)",
				  (unsigned)(st.st_mode & 07777));
	if (rc == 0)
		rc = fws_io_read_all_fd(fd, file, CREDENTIALS_MAX, data, len);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* "registry.example:5000" matches the key "registry.example:5000" or
 * "https://registry.example:5000" (docker writes the scheme). */
static int key_matches(const char *key, const char *host)
{
	if (strncasecmp(key, "https://", 8) == 0)
		key += 8;
	return strcasecmp(key, host) == 0;
}

int oci_credentials(const char *file, const char *host, char **user, char **pass)
{
	uint8_t *data = NULL;
	size_t len = 0;
	*user = *pass = NULL;
	int rc = read_credentials(file, &data, &len);
	if (rc != 0)
		return rc;
	json_error_t err;
	json_t *j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
	json_t *auths = json_object_get(j, "auths");
	const char *key;
	json_t *entry;
	if (!json_is_object(auths) || json_object_size(j) != 1)
		rc = fws_diag_set(FWS_ECONFIG, 0, file,
				  "registry credentials: not {\"auths\": {HOST: {\"auth\": BASE64}}}");
	json_object_foreach(auths, key, entry)
	{
		if (rc != 0)
			break;
		const char *b64 = json_string_value(json_object_get(entry, "auth"));
		if (b64 == NULL || json_object_size(entry) != 1) {
			rc = fws_diag_set(FWS_ECONFIG, 0, file,
					  "registry credentials: %.60s: only \"auth\" is known", key);
			break;
		}
		if (!key_matches(key, host))
			continue;
		size_t b64_len = strlen(b64), n = 0;
		char *plain = calloc(1, b64_len + 1);
		char *colon = NULL;
		if (plain == NULL) {
			rc = FWS_ENOMEM;
			break;
		}
		if (sodium_base642bin((unsigned char *)plain, b64_len, b64, b64_len, NULL, &n, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    memchr(plain, '\0', n) != NULL || (colon = strchr(plain, ':')) == NULL ||
		    colon == plain || strpbrk(plain, "\r\n") != NULL) {
			rc = fws_diag_set(FWS_ECONFIG, 0, file,
					  "registry credentials: %.60s: \"auth\" is not base64 of "
					  "USER:PASSWORD",
					  key);
		} else {
			*colon = '\0';
			*user = strdup(plain);
			*pass = strdup(colon + 1);
			if (*user == NULL || *pass == NULL)
				rc = FWS_ENOMEM;
		}
		sodium_memzero(plain, b64_len + 1);
		free(plain);
		break;
	}
	json_decref(j);
	sodium_memzero(data, len);
	free(data);
	return rc;
}

/* One auth-param: name="quoted value" or name=token. */
static int challenge_param(const char *ch, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = ch;
	out[0] = '\0';
	for (;; p++) {
		if (*p == '\0')
			return -1;
		int starts = p == ch || p[-1] == ' ' || p[-1] == ',';
		if (starts && strncasecmp(p, name, nl) == 0 && p[nl] == '=')
			break;
	}
	p += nl + 1;
	size_t n = 0;
	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 >= cap)
				return -1;
			out[n++] = *p;
		}
		if (*p != '"')
			return -1;
	} else {
		for (; *p != '\0' && *p != ',' && *p != ' '; p++) {
			if (n + 1 >= cap)
				return -1;
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return 0;
}

/* The query part: unreserved characters stay, everything else %XX. */
static void url_encode(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (; *in != '\0' && n + 4 < cap; in++) {
		unsigned char ch = (unsigned char)*in;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
}

static int basic_header(char *out, size_t cap, const char *user, const char *pass)
{
	size_t ul = strlen(user), pl = strlen(pass), n = ul + 1 + pl;
	char *plain = malloc(n + 1);
	size_t b64_len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	if (plain == NULL)
		return FWS_ENOMEM;
	if (b64_len + 32 > cap) {
		free(plain);
		return fws_diag_set(FWS_ECONFIG, 0, NULL, "registry credentials: too long");
	}
	memcpy(plain, user, ul);
	plain[ul] = ':';
	memcpy(plain + ul + 1, pass, pl);
	int k = snprintf(out, cap, "Authorization: Basic ");
	sodium_bin2base64(out + k, cap - (size_t)k, (unsigned char *)plain, n,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(plain, n);
	free(plain);
	return 0;
}

/* "https://HOST[:PORT]/..." -> "HOST[:PORT]", or -1. */
static int realm_host(const char *realm, char *out, size_t cap)
{
	if (strncasecmp(realm, "https://", 8) != 0)
		return -1;
	const char *h = realm + 8;
	size_t n = strcspn(h, "/?#");
	if (n == 0 || n >= cap || memchr(h, '@', n) != NULL)
		return -1;
	memcpy(out, h, n);
	out[n] = '\0';
	return 0;
}

static int bearer(struct oci_session *s, const char *challenge)
{
	char realm[1024], service[256], host[OCI_HOST_MAX + 1], enc_service[800], scope[600],
		enc_scope[1800];
	if (challenge_param(challenge, "realm", realm, sizeof(realm)) != 0 ||
	    strpbrk(realm, " \r\n\"") != NULL)
		return fws_diag_set(FWS_EREGISTRY, 0, s->shown,
				    "a Bearer challenge without a usable realm");
	if (realm_host(realm, host, sizeof(host)) != 0)
		return fws_diag_set(FWS_EINSECURE, 0, s->shown,
				    "the token realm is not an https:// URL: refused");
	if (challenge_param(challenge, "service", service, sizeof(service)) != 0)
		service[0] = '\0';
	/* Our own scope: what this command needs, not what the challenge
	 * would have us ask for. */
	snprintf(scope, sizeof(scope), "repository:%s:%s", s->ref.repo, s->actions);
	url_encode(service, enc_service, sizeof(enc_service));
	url_encode(scope, enc_scope, sizeof(enc_scope));

	struct oci_session *t = calloc(1, sizeof(*t));
	struct oci_call c = {.method = "GET", .body_fd = -1, .max_resp = 64 * 1024};
	if (t == NULL)
		return FWS_ENOMEM;
	*t = *s;
	t->user = t->pass = NULL;
	t->authz[0] = '\0';
	t->no_challenge = 1;
	snprintf(t->shown, sizeof(t->shown), "token realm https://%s", host);
	int rc = 0;
	if (strcasecmp(host, s->ref.host) == 0) {
		if (s->user != NULL)
			rc = basic_header(t->authz, sizeof(t->authz), s->user, s->pass);
	} else if (s->net->oci_credentials != NULL) {
		char *u = NULL, *p = NULL;
		rc = oci_credentials(s->net->oci_credentials, host, &u, &p);
		if (rc == 0 && u != NULL)
			rc = basic_header(t->authz, sizeof(t->authz), u, p);
		if (u != NULL) {
			sodium_memzero(u, strlen(u));
			sodium_memzero(p, strlen(p));
		}
		free(u);
		free(p);
	}
	if (rc == 0 && snprintf(c.url, sizeof(c.url), "%s%cservice=%s&scope=%s", realm,
				strchr(realm, '?') ? '&' : '?', enc_service,
				enc_scope) >= (int)sizeof(c.url))
		rc = fws_diag_set(FWS_EREGISTRY, 0, t->shown, "the token request URL is too long");
	if (rc == 0)
		rc = oci_call(t, &c);
	if (rc == 0 && c.status != 200)
		rc = oci_refused(t, &c, "token request");
	json_t *j = NULL;
	if (rc == 0) {
		j = json_loadb((const char *)c.resp, c.resp_len, JSON_REJECT_DUPLICATES, NULL);
		const char *tok = json_string_value(json_object_get(j, "token"));
		if (tok == NULL)
			tok = json_string_value(json_object_get(j, "access_token"));
		size_t n = tok ? strlen(tok) : 0;
		/* A token goes into a header line: nothing but token68 characters. */
		if (n == 0 || n > TOKEN_MAX ||
		    strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=") !=
			n)
			rc = fws_diag_set(FWS_EREGISTRY, 0, t->shown,
					  "the token answer has no usable \"token\"");
		else
			snprintf(s->authz, sizeof(s->authz), "Authorization: Bearer %s", tok);
	}
	json_decref(j);
	if (c.resp != NULL)
		sodium_memzero(c.resp, c.resp_len);
	oci_call_free(&c);
	sodium_memzero(t->authz, sizeof(t->authz));
	free(t);
	return rc;
}

int oci_authorize(struct oci_session *s, const char *challenge)
{
	if (strncasecmp(challenge, "Bearer ", 7) == 0)
		return bearer(s, challenge + 7);
	if (strncasecmp(challenge, "Basic", 5) == 0) {
		if (s->user == NULL)
			return fws_diag_set(FWS_EREGISTRY, 0, s->shown,
					    "the registry asks for credentials and none are set for "
					    "%s (system.conf [oci] credentials, or "
					    "--registry-auth/FWSEAL_REGISTRY_AUTH)",
					    s->ref.host);
		return basic_header(s->authz, sizeof(s->authz), s->user, s->pass);
	}
	return fws_diag_set(FWS_EREGISTRY, 0, s->shown,
			    "the registry asks for an authentication scheme fwseal does not speak "
			    "(%.20s)",
			    challenge);
}
