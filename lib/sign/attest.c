/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal attest: an in-toto Statement v1 about a verified bundle, whose
 * predicate is the bundle's SBOM, signed as DSSE by a release key
 * (docs/evidence.md). Anyone with the release public key and any DSSE
 * verifier can then tie the SBOM to the exact bundle file and payloads,
 * without fwseal.
 *
 * Only a bundle that verified is attested (a signature over an unverified
 * bundle would launder it), and only by a key the bundle's own newest root
 * lists for releases. The digests named are those of the bytes the
 * verifier read (lib/sign/sbom_bundle.c), not of a second read. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/signing_key.h"
#include "fwseal/keys.h"
#include "fwseal/sbom.h"
#include "io/io.h"
#include "sign/key_internal.h"
#include "sign/sbom_internal.h"

static json_t *digest_set(const uint8_t sha256[32], const uint8_t *chunks)
{
	char hex[65];
	json_t *d = json_object();
	fws_hex_encode(hex, sha256, 32);
	if (d == NULL || fws_json_set(d, "sha256", json_string(hex)) != 0)
		goto fail;
	/* Not a predefined in-toto algorithm, so named for what it is:
	 * SHA-256 of the payload's chunk list (docs/format.md §6). */
	if (chunks == NULL)
		return d;
	fws_hex_encode(hex, chunks, 32);
	if (fws_json_set(d, "fwsealSha256Chunks", json_string(hex)) != 0)
		goto fail;
	return d;
fail:
	json_decref(d);
	return NULL;
}

static int subject_add(json_t *arr, const char *name, json_t *digest)
{
	json_t *s = json_object();
	int rc =
	    s == NULL || digest == NULL ? FWS_ENOMEM : fws_json_set(s, "name", json_string(name));
	if (rc == 0)
		rc = fws_json_set(s, "digest", digest);
	else
		json_decref(digest);
	if (rc == 0)
		return fws_json_append(arr, s);
	json_decref(s);
	return rc;
}

static int subjects(const char *bundle_name, const struct fws_manifest *m,
		    const struct fws_bundle_facts *f, char **out, size_t *out_len)
{
	char name[FWS_NAME_MAX + 16];
	json_t *arr = json_array();
	int rc = arr == NULL ? FWS_ENOMEM
			     : subject_add(arr, bundle_name, digest_set(f->bundle_sha256, NULL));
	for (size_t i = 0; i < m->n_payloads && rc == 0; i++) {
		snprintf(name, sizeof(name), "payloads/%s", m->payloads[i].name);
		rc = subject_add(arr, name,
				 digest_set(f->payload_sha256[i], m->payloads[i].chunks_sha256));
	}
	if (rc == 0)
		rc = fws_json_dump(arr, JSON_COMPACT | JSON_ENSURE_ASCII, 0, out, out_len);
	json_decref(arr);
	return rc;
}

/* The Statement, with the SBOM's own bytes as the predicate: the signed
 * predicate is byte for byte the SBOM the manifest signed. Keys in byte
 * order, like every JSON fwseal writes. */
static int statement(const char *subj, const struct fws_bundle_facts *f, const char *type,
		     char **out, size_t *out_len)
{
	static const char head[] = "{\"_type\":\"" FWS_IN_TOTO_STATEMENT "\",\"predicate\":";
	char mid[128];
	size_t subj_len = strlen(subj), mid_len, len;
	int n = snprintf(mid, sizeof(mid), ",\"predicateType\":\"%s\",\"subject\":", type);
	if (n < 0 || (size_t)n >= sizeof(mid))
		return FWS_EINTERNAL;
	mid_len = (size_t)n;
	len = sizeof(head) - 1 + f->sbom_len + mid_len + subj_len + 1;
	char *s = malloc(len + 1);
	if (s == NULL)
		return FWS_ENOMEM;
	memcpy(s, head, sizeof(head) - 1);
	memcpy(s + sizeof(head) - 1, f->sbom, f->sbom_len);
	memcpy(s + sizeof(head) - 1 + f->sbom_len, mid, mid_len);
	memcpy(s + len - 1 - subj_len, subj, subj_len);
	s[len - 1] = '}';
	s[len] = '\0';
	/* What we sign must read back as one strict JSON document. */
	json_t *check = NULL;
	int rc = fws_json_load_depth((const uint8_t *)s, len, len, FWS_SBOM_DEPTH_MAX + 1, &check);
	json_decref(check);
	if (rc != 0) {
		free(s);
		return FWS_EINTERNAL;
	}
	*out = s;
	*out_len = len;
	return 0;
}

static int envelope(const struct fws_signing_key *key, const char *body, size_t body_len, char **out,
		    size_t *out_len)
{
	uint8_t sig[crypto_sign_BYTES], pk[32], keyid[32];
	char keyid_hex[65], sig_b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	size_t pae_cap = FWS_PAE_PREFIX_MAX + body_len, pae_len;
	size_t b64_len = sodium_base64_ENCODED_LEN(body_len, sodium_base64_VARIANT_ORIGINAL);
	uint8_t *pae = malloc(pae_cap);
	char *b64 = malloc(b64_len);
	json_t *env = NULL, *sigs = NULL, *one = NULL;
	int rc = pae == NULL || b64 == NULL ? FWS_ENOMEM : 0;
	if (rc == 0)
		rc = fws_pae_encode(pae, pae_cap, &pae_len, FWS_TYPE_IN_TOTO, (const uint8_t *)body,
				    body_len);
	if (rc == 0)
		rc = fws_signing_key_sign(key, pae, pae_len, sig); /* verified inside */
	if (rc != 0)
		goto out;
	fws_signing_key_public(key, pk, keyid);
	fws_hex_encode(keyid_hex, keyid, 32);
	sodium_bin2base64(sig_b64, sizeof(sig_b64), sig, sizeof(sig),
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b64, b64_len, (const uint8_t *)body, body_len,
			  sodium_base64_VARIANT_ORIGINAL);
	rc = FWS_ENOMEM;
	env = json_object();
	sigs = json_array();
	one = json_object();
	if (env == NULL || sigs == NULL || one == NULL)
		goto out;
	rc = fws_json_set(one, "keyid", json_string(keyid_hex));
	if (rc == 0)
		rc = fws_json_set(one, "sig", json_string(sig_b64));
	if (rc == 0) {
		rc = fws_json_append(sigs, one);
		one = NULL;
	}
	if (rc == 0)
		rc = fws_json_set(env, "payload", json_string(b64));
	if (rc == 0)
		rc = fws_json_set(env, "payloadType", json_string(FWS_TYPE_IN_TOTO));
	if (rc == 0) {
		rc = fws_json_set(env, "signatures", sigs);
		sigs = NULL;
	}
	if (rc == 0)
		rc = fws_json_dump(env, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII, 1, out,
				   out_len);
out:
	json_decref(one);
	json_decref(sigs);
	json_decref(env);
	free(pae);
	free(b64);
	sodium_memzero(sig, sizeof(sig));
	return rc;
}

int fws_attest(fws_read_fn read, void *read_ctx, const char *subject_name,
	       const struct fws_root *trusted, const struct fws_signing_key *key, int64_t now,
	       char **json, size_t *json_len, struct fws_verify_result *result)
{
	struct fws_verify_result *r = malloc(sizeof(*r));
	struct fws_bundle_facts *f = calloc(1, sizeof(*f));
	struct fws_verify_opts vo = {0};
	uint8_t pk[32], keyid[32];
	char *subj = NULL, *body = NULL;
	size_t subj_len, body_len;
	int rc = FWS_EUSAGE;
	if (json != NULL)
		*json = NULL;
	if (read == NULL || subject_name == NULL || trusted == NULL || key == NULL ||
	    json == NULL || json_len == NULL)
		goto out;
	rc = FWS_ENOMEM;
	if (r == NULL || f == NULL)
		goto out;
	vo.trusted_root = trusted;
	vo.now = now;
	rc = fws_bundle_verify_facts(read, read_ctx, &vo, r, 1, f);
	if (rc != 0)
		goto out;
	/* The bundle's own newest root decides who may speak for its release. */
	fws_signing_key_public(key, pk, keyid);
	if (!fws_root_role_has(&r->root, FWS_ROLE_RELEASE, keyid)) {
		rc = fws_diag_set(FWS_ENOTAUTHORISED, 0, NULL,
				  "not a release key of the bundle's root v%llu",
				  (unsigned long long)r->root.version);
		fws_diag_input(rc, FWS_INPUT_KEY);
		goto out;
	}
	rc = fws_root_check_not_expired(&r->root, now);
	if (rc != 0)
		goto out;
	rc = subjects(subject_name, &r->manifest, f, &subj, &subj_len);
	if (rc == 0)
		rc = statement(subj, f,
			       strncmp(r->manifest.sbom_document.format, "spdx", 4) == 0
				   ? FWS_PREDICATE_SPDX
				   : FWS_PREDICATE_CYCLONEDX,
			       &body, &body_len);
	if (rc == 0)
		rc = envelope(key, body, body_len, json, json_len);
out:
	fws_bundle_facts_release(f, r, result);
	free(subj);
	free(body);
	return rc;
}
