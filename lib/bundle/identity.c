/* SPDX-License-Identifier: Apache-2.0 */
/* The decryption identity object: opens the reference system.conf names
 * with the provider it names, and stands between every provider and the
 * recipients reader. Its rule that no provider can skip: a file key leaves
 * unwrap only with 0; on anything else the caller's buffer is wiped. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bundle/identity_p256.h"
#include "bundle/identity_provider.h"
#include "fwseal/error.h"
#include "io/io.h"

int fws_identity_wrap(const struct fws_identity_provider *provider, void *impl, const char *name,
		      struct fws_identity **out)
{
	struct fws_identity *id = calloc(1, sizeof(*id));
	char *copy = strdup(name != NULL ? name : "");
	if (id == NULL || copy == NULL) {
		free(id);
		free(copy);
		provider->close(impl);
		return FWS_ENOMEM;
	}
	id->provider = provider;
	id->impl = impl;
	id->name = copy;
	*out = id;
	return 0;
}

int fws_identity_open(const char *ref, struct fws_identity **out)
{
	if (out == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	if (ref == NULL || ref[0] == '\0')
		return fws_diag_set(FWS_EIDENTITY, 0, NULL, "no decryption key configured");
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	if (strncasecmp(ref, "pkcs11:", 7) == 0)
		return fws_identity_pkcs11_open(ref, out);
	if (strncmp(ref, "file:", 5) == 0)
		ref += 5;
	/* A P-256 key file (FWSEAL-P256-SECRET-KEY-1...), else an age one. */
	int rc = fws_identity_p256_file_open(ref, out);
	return rc == 1 ? fws_identity_file_open(ref, out) : rc;
}

int fws_identity_unwrap(const struct fws_identity *id, const struct fws_stanza *s,
			uint8_t file_key[FWS_FILE_KEY_LEN])
{
	int rc;
	if (id == NULL || s == NULL || s->type == NULL || file_key == NULL)
		return FWS_EUSAGE;
	rc = id->provider->unwrap(id->impl, s, file_key);
	if (rc != 0)
		sodium_memzero(file_key, FWS_FILE_KEY_LEN);
	return rc;
}

const char *fws_identity_kind(const struct fws_identity *id)
{
	return id != NULL ? id->provider->kind : "";
}

const char *fws_identity_name(const struct fws_identity *id)
{
	return id != NULL ? id->name : "";
}

void fws_identity_close(struct fws_identity *id)
{
	if (id == NULL)
		return;
	id->provider->close(id->impl);
	free(id->name);
	free(id);
}
