/* SPDX-License-Identifier: Apache-2.0 */
/* From an oci:// reference to the one blob that holds the bundle (docs/
 * network.md §7). The manifest is fetched once, bounded, and checked
 * before anything is downloaded:
 * - it is an OCI image manifest (the Accept header asks for nothing else,
 *   and the answer's Content-Type and mediaType must say so);
 * - addressed by digest, its bytes hash to that digest: a registry or
 *   mirror cannot answer with another manifest (FWS_EOCIMANIFEST);
 * - its artifactType is application/vnd.fwseal.bundle.v1 and it has
 *   exactly one layer of a fwseal bundle media type (FWS_EARTIFACT): a
 *   container image or another tool's artifact is not read as a bundle;
 * - the layer's digest and size are what the download is held to.
 * The blob is then addressed by that digest, never by the tag again: a
 * tag moved during the install cannot mix two releases. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "io/io.h"
#include "net/oci.h"

#define OCI_ACCEPT FWS_OCI_MANIFEST_TYPE

static int only_keys(json_t *o, const char *const *known)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		size_t i = 0;
		while (known[i] != NULL && strcmp(known[i], k) != 0)
			i++;
		if (known[i] == NULL)
			return -1;
	}
	return 0;
}

static int descriptor(const struct oci_session *s, json_t *d, const char *what, const char **type,
		      uint8_t digest[32], uint64_t *size)
{
	static const char *const known[] = {"mediaType", "digest", "size", "annotations", "urls",
					    "data", "artifactType", "platform", NULL};
	json_t *sz = json_object_get(d, "size");
	const char *dg = json_string_value(json_object_get(d, "digest"));
	*type = json_string_value(json_object_get(d, "mediaType"));
	if (!json_is_object(d) || only_keys(d, known) != 0 || *type == NULL || dg == NULL ||
	    !json_is_integer(sz) || json_integer_value(sz) < 0)
		return fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				    "the %s descriptor is not {mediaType, digest, size}", what);
	if (oci_digest_parse(dg, digest) != 0)
		return fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				    "the %s digest is not sha256:<64 lowercase hex>", what);
	*size = (uint64_t)json_integer_value(sz);
	return 0;
}

/* Checks the manifest's bytes and fills b. */
static int check_manifest(const struct oci_session *s, const struct oci_call *c,
			  struct oci_blob *b)
{
	static const char *const known[] = {"schemaVersion", "mediaType", "artifactType", "config",
					    "layers", "subject", "annotations", NULL};
	char ctype[128];
	snprintf(ctype, sizeof(ctype), "%s", c->ctype);
	ctype[strcspn(ctype, "; ")] = '\0';
	fws_sha256(c->resp, c->resp_len, b->manifest_digest);
	if (s->ref.by_digest && sodium_memcmp(b->manifest_digest, s->ref.digest, 32) != 0) {
		char got[72];
		oci_digest_format(b->manifest_digest, got);
		return fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				    "the manifest's bytes hash to %.19s..., not the digest asked for",
				    got);
	}
	/* By tag, the registry's Docker-Content-Digest (when sent) must be
	 * the digest of the bytes it sent. */
	uint8_t said[32];
	if (c->docker_digest[0] != '\0' &&
	    (oci_digest_parse(c->docker_digest, said) != 0 ||
	     sodium_memcmp(said, b->manifest_digest, 32) != 0))
		return fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				    "the manifest's bytes do not hash to the Docker-Content-Digest "
				    "the registry sent");
	if (strcasecmp(ctype, FWS_OCI_MANIFEST_TYPE) != 0)
		return fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				    "the registry answered with \"%.60s\", not an OCI image manifest",
				    ctype[0] ? ctype : "no Content-Type");
	json_error_t err;
	json_t *j = json_loadb((const char *)c->resp, c->resp_len, JSON_REJECT_DUPLICATES, &err);
	int rc = 0;
	json_t *layers = json_object_get(j, "layers");
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	const char *at = json_string_value(json_object_get(j, "artifactType"));
	const char *ctype_cfg = NULL, *ltype = NULL;
	uint8_t cfg_digest[32];
	uint64_t cfg_size = 0;
	if (!json_is_object(j))
		rc = fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown, "the manifest is not JSON (%s)",
				  err.text);
	else if (only_keys(j, known) != 0 ||
		 json_integer_value(json_object_get(j, "schemaVersion")) != 2 ||
		 !json_is_integer(json_object_get(j, "schemaVersion")) ||
		 (json_object_get(j, "mediaType") != NULL &&
		  (mt == NULL || strcmp(mt, FWS_OCI_MANIFEST_TYPE) != 0)) ||
		 (json_object_get(j, "artifactType") != NULL && at == NULL) ||
		 !json_is_array(layers))
		rc = fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				  "not an OCI image manifest (schemaVersion 2, mediaType, config, "
				  "layers; no other fields)");
	if (rc == 0)
		rc = descriptor(s, json_object_get(j, "config"), "config", &ctype_cfg, cfg_digest,
				&cfg_size);
	/* artifactType, or (OCI 1.1 §guidance) the config's media type when
	 * the manifest has none. */
	const char *kind = at != NULL ? at : ctype_cfg;
	if (rc == 0 && strcmp(kind, FWS_OCI_ARTIFACT_TYPE) != 0)
		rc = fws_diag_set(FWS_EARTIFACT, 0, s->shown,
				  "artifactType \"%.60s\", not " FWS_OCI_ARTIFACT_TYPE, kind);
	if (rc == 0 && json_array_size(layers) != 1)
		rc = fws_diag_set(FWS_EARTIFACT, 0, s->shown,
				  "%zu layers: a fwseal bundle artifact has exactly one",
				  json_array_size(layers));
	if (rc == 0)
		rc = descriptor(s, json_array_get(layers, 0), "layer", &ltype, b->digest, &b->size);
	if (rc == 0 && strcmp(ltype, FWS_OCI_LAYER_TAR) != 0 &&
	    strcmp(ltype, FWS_OCI_LAYER_TAR_GZIP) != 0)
		rc = fws_diag_set(FWS_EARTIFACT, 0, s->shown,
				  "the layer is \"%.60s\", not a fwseal bundle", ltype);
	if (rc == 0 && b->size == 0)
		rc = fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown, "the layer is empty");
	json_decref(j);
	return rc;
}

int oci_resolve(const struct fws_http_opts *net, const char *ref, struct oci_blob *b)
{
	struct oci_session *s = calloc(1, sizeof(*s));
	struct oci_call c = {.method = "GET", .accept = OCI_ACCEPT, .body_fd = -1,
			     .max_resp = FWS_OCI_MANIFEST_MAX};
	memset(b, 0, sizeof(*b));
	if (s == NULL)
		return FWS_ENOMEM;
	int rc = oci_session_start(s, net, ref, "pull");
	char want[72];
	if (rc == 0) {
		if (s->ref.by_digest)
			oci_digest_format(s->ref.digest, want);
		snprintf(c.url, sizeof(c.url), "%s/v2/%s/manifests/%s", s->base, s->ref.repo,
			 s->ref.by_digest ? want : s->ref.tag);
		rc = oci_call(s, &c);
	}
	if (rc == 0 && c.status != 200)
		rc = oci_refused(s, &c, "manifest");
	if (rc == 0)
		rc = check_manifest(s, &c, b);
	if (rc == 0) {
		char d[72];
		oci_digest_format(b->digest, d);
		snprintf(b->url, sizeof(b->url), "%s/v2/%s/blobs/%s", s->base, s->ref.repo, d);
		snprintf(b->authz, sizeof(b->authz), "%s", s->authz);
		snprintf(b->shown, sizeof(b->shown), "%s", s->shown);
	}
	oci_call_free(&c);
	oci_session_end(s);
	free(s);
	return rc;
}
