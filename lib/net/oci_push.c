/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal publish: a verified bundle into an OCI registry (docs/fleet.md
 * "Publishing from CI"). What is pushed, in this order, so that a tag
 * never names a manifest whose parts are not there yet:
 *   1. the bundle, byte for byte, as a blob (skipped when the registry has
 *      it: HEAD first); monolithic (POST, then one PUT with the bytes) or
 *      chunked (POST, PATCH per chunk with Content-Range, PUT to close);
 *   2. the empty config, application/vnd.oci.empty.v1+json, "{}";
 *   3. the OCI image manifest, artifactType application/vnd.fwseal.bundle.v1,
 *      one layer, version/title/manifest-digest annotations, by tag;
 *   4. optionally the SBOM and the attestation, each as its own artifact
 *      whose "subject" is that manifest, tagged sha256-<hex>.sbom / .att
 *      (cosign's naming: distribution 2.8 has no referrers API).
 * Every upload is checked by the registry against the digest we send
 * (?digest=), and the manifest's digest is recomputed from our bytes. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "io/io.h"
#include "net/oci.h"

static const uint8_t EMPTY_CONFIG[] = "{}";
#define EMPTY_CONFIG_LEN 2

/* The Location of an upload: relative to the registry, or absolute on
 * the registry's own origin. Another origin is refused: the registry's
 * token would go there. */
static int upload_url(const struct oci_session *s, const char *loc, const char *digest,
		      char *out, size_t cap)
{
	size_t bl = strlen(s->base);
	int n;
	if (loc[0] == '/' && loc[1] != '/')
		n = snprintf(out, cap, "%s%s", s->base, loc);
	else if (strncasecmp(loc, s->base, bl) == 0 && (loc[bl] == '/'))
		n = snprintf(out, cap, "%s", loc);
	else
		return fws_diag_set(FWS_EREGISTRY, 0, s->shown,
				    "the upload location is not on the registry's origin: refused");
	if (n < 0 || (size_t)n >= cap || strpbrk(out, " \r\n") != NULL)
		return fws_diag_set(FWS_EREGISTRY, 0, s->shown, "the upload location is not usable");
	if (digest != NULL &&
	    snprintf(out + n, cap - (size_t)n, "%cdigest=%s", strchr(out, '?') ? '&' : '?',
		     digest) >= (int)(cap - (size_t)n))
		return fws_diag_set(FWS_EREGISTRY, 0, s->shown, "the upload location is too long");
	return 0;
}

/* Hashes fd's size bytes from offset 0. */
static int hash_fd(int fd, uint64_t size, uint8_t out[32])
{
	struct fws_sha256 h;
	uint8_t *buf = malloc(1 << 20);
	uint64_t at = 0;
	if (buf == NULL)
		return FWS_ENOMEM;
	fws_sha256_init(&h);
	while (at < size) {
		size_t want = size - at > (1 << 20) ? (1 << 20) : (size_t)(size - at);
		ssize_t got = pread(fd, buf, want, (off_t)at);
		if (got <= 0) {
			free(buf);
			return fws_diag_set(FWS_EIO, 0, NULL, "the bundle cannot be read");
		}
		fws_sha256_update(&h, buf, (size_t)got);
		at += (uint64_t)got;
	}
	fws_sha256_final(&h, out);
	free(buf);
	return 0;
}

/* One blob, from memory (mem) or from fd. *existed = 1 when the registry
 * had it already. */
static int push_blob(struct oci_session *s, const uint8_t *mem, int fd, uint64_t size,
		     const uint8_t digest[32], uint64_t chunk, int *existed)
{
	char d[72];
	struct oci_call c = {.method = "HEAD", .body_fd = -1, .max_resp = 64 * 1024};
	oci_digest_format(digest, d);
	*existed = 0;
	snprintf(c.url, sizeof(c.url), "%s/v2/%s/blobs/%s", s->base, s->ref.repo, d);
	int rc = oci_call(s, &c);
	if (rc == 0 && c.status == 200) {
		*existed = 1;
		oci_call_free(&c);
		return 0;
	}
	if (rc == 0 && c.status != 404)
		rc = oci_refused(s, &c, "blob check");
	char loc[OCI_URL_MAX];
	if (rc == 0) {
		c = (struct oci_call){.method = "POST", .body_fd = -1, .max_resp = 64 * 1024};
		snprintf(c.url, sizeof(c.url), "%s/v2/%s/blobs/uploads/", s->base, s->ref.repo);
		rc = oci_call(s, &c);
		if (rc == 0 && c.status != 202)
			rc = oci_refused(s, &c, "blob upload start");
		if (rc == 0 && c.location[0] == '\0')
			rc = fws_diag_set(FWS_EREGISTRY, 0, s->shown,
					  "the upload start has no Location");
		snprintf(loc, sizeof(loc), "%s", c.location);
		oci_call_free(&c);
	}
	uint64_t at = 0;
	/* Chunked: PATCH each piece at its offset; the registry answers
	 * with the Location of the next one. */
	while (rc == 0 && chunk != 0 && at < size) {
		uint64_t n = size - at > chunk ? chunk : size - at;
		char range[64];
		snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)at,
			 (unsigned long long)(at + n - 1));
		c = (struct oci_call){.method = "PATCH", .content_type = "application/octet-stream",
				      .content_range = range, .body_fd = fd, .max_resp = 64 * 1024};
		if (mem != NULL) {
			c.body = mem + at;
			c.body_len = (size_t)n;
		} else {
			c.body_off = at;
			c.body_fd_len = n;
		}
		rc = upload_url(s, loc, NULL, c.url, sizeof(c.url));
		if (rc == 0)
			rc = oci_call(s, &c);
		if (rc == 0 && c.status != 202)
			rc = oci_refused(s, &c, "blob chunk upload");
		if (rc == 0 && c.location[0] == '\0')
			rc = fws_diag_set(FWS_EREGISTRY, 0, s->shown, "a chunk answer has no Location");
		if (rc == 0)
			snprintf(loc, sizeof(loc), "%s", c.location);
		oci_call_free(&c);
		at += n;
	}
	/* The closing PUT: with all the bytes (monolithic), or none. */
	if (rc == 0) {
		c = (struct oci_call){.method = "PUT", .content_type = "application/octet-stream",
				      .body_fd = chunk == 0 ? fd : -1, .max_resp = 64 * 1024};
		if (chunk == 0 && mem != NULL) {
			c.body = mem;
			c.body_len = (size_t)size;
		} else if (chunk == 0) {
			c.body_fd_len = size;
		}
		rc = upload_url(s, loc, d, c.url, sizeof(c.url));
		if (rc == 0)
			rc = oci_call(s, &c);
		if (rc == 0 && c.status != 201)
			rc = oci_refused(s, &c, "blob upload");
		oci_call_free(&c);
	}
	return rc;
}

static json_t *desc(const char *type, const uint8_t digest[32], uint64_t size)
{
	char d[72];
	oci_digest_format(digest, d);
	return json_pack("{s:s, s:s, s:I}", "mediaType", type, "digest", d, "size",
			 (json_int_t)size);
}

/* PUTs a manifest by tag; its digest into out. */
static int push_manifest(struct oci_session *s, json_t *m, const char *tag, uint8_t out[32])
{
	char *text = json_dumps(m, JSON_COMPACT);
	struct oci_call c = {.method = "PUT", .content_type = FWS_OCI_MANIFEST_TYPE, .body_fd = -1,
			     .max_resp = 64 * 1024};
	if (text == NULL)
		return FWS_ENOMEM;
	c.body = (const uint8_t *)text;
	c.body_len = strlen(text);
	fws_sha256(text, c.body_len, out);
	if (c.body_len > FWS_OCI_MANIFEST_MAX) {
		free(text);
		return fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown, "the manifest would be too long");
	}
	snprintf(c.url, sizeof(c.url), "%s/v2/%s/manifests/%s", s->base, s->ref.repo, tag);
	int rc = oci_call(s, &c);
	if (rc == 0 && c.status != 201)
		rc = oci_refused(s, &c, "manifest upload");
	/* The registry's idea of the digest must be ours. */
	uint8_t said[32];
	if (rc == 0 && c.docker_digest[0] != '\0' &&
	    (oci_digest_parse(c.docker_digest, said) != 0 || memcmp(said, out, 32) != 0))
		rc = fws_diag_set(FWS_EOCIMANIFEST, 0, s->shown,
				  "the registry names another digest for the manifest pushed");
	oci_call_free(&c);
	free(text);
	return rc;
}

static const uint8_t *empty_digest(void)
{
	static uint8_t d[32];
	fws_sha256(EMPTY_CONFIG, EMPTY_CONFIG_LEN, d);
	return d;
}

/* An attachment (SBOM, attestation): its own artifact, subject = the
 * bundle's manifest, tag sha256-<hex>.<suffix>. */
static int push_attachment(struct oci_session *s, const uint8_t *data, size_t len,
			   const char *artifact_type, const char *layer_type,
			   const uint8_t subject[32], uint64_t subject_size, const char *suffix)
{
	uint8_t d[32], md[32];
	int existed;
	char tag[OCI_TAG_MAX + 1], hex[65];
	fws_sha256(data, len, d);
	int rc = push_blob(s, data, -1, len, d, 0, &existed);
	if (rc == 0)
		rc = push_blob(s, EMPTY_CONFIG, -1, EMPTY_CONFIG_LEN, empty_digest(), 0, &existed);
	if (rc != 0)
		return rc;
	fws_hex_encode(hex, subject, 32);
	snprintf(tag, sizeof(tag), "sha256-%s.%s", hex, suffix);
	json_t *m = json_pack("{s:i, s:s, s:s, s:o, s:[o], s:o}", "schemaVersion", 2, "mediaType",
			      FWS_OCI_MANIFEST_TYPE, "artifactType", artifact_type, "config",
			      desc(FWS_OCI_EMPTY_TYPE, empty_digest(), EMPTY_CONFIG_LEN), "layers",
			      desc(layer_type, d, len), "subject",
			      desc(FWS_OCI_MANIFEST_TYPE, subject, subject_size));
	if (m == NULL)
		return FWS_ENOMEM;
	rc = push_manifest(s, m, tag, md);
	json_decref(m);
	return rc;
}

int fws_oci_publish(struct fws_oci_publish *p)
{
	struct oci_session *s = calloc(1, sizeof(*s));
	uint8_t blob[32], mdig[32];
	json_t *m = NULL;
	if (s == NULL)
		return FWS_ENOMEM;
	int rc = oci_session_start(s, p->net, p->ref, "pull,push");
	if (rc == 0 && (s->ref.by_digest || s->ref.tag[0] == '\0'))
		rc = fws_diag_set(FWS_EUSAGE, 0, NULL,
				  "publish needs oci://HOST/REPO:TAG (a digest is what it makes)");
	if (rc == 0 && p->bundle_sha256 != NULL)
		memcpy(blob, p->bundle_sha256, 32);
	else if (rc == 0)
		rc = hash_fd(p->bundle_fd, p->bundle_size, blob);
	if (rc == 0)
		rc = push_blob(s, NULL, p->bundle_fd, p->bundle_size, blob, p->chunk_size,
			       &p->blob_existed);
	int existed;
	if (rc == 0)
		rc = push_blob(s, EMPTY_CONFIG, -1, EMPTY_CONFIG_LEN, empty_digest(), 0, &existed);
	if (rc == 0) {
		json_t *layer = desc(p->gzip ? FWS_OCI_LAYER_TAR_GZIP : FWS_OCI_LAYER_TAR, blob,
				     p->bundle_size);
		json_object_set_new(layer, "annotations",
				    json_pack("{s:s}", "org.opencontainers.image.title", p->title));
		m = json_pack("{s:i, s:s, s:s, s:o, s:[o], s:{s:s, s:s, s:s}}", "schemaVersion", 2,
			      "mediaType", FWS_OCI_MANIFEST_TYPE, "artifactType",
			      FWS_OCI_ARTIFACT_TYPE, "config",
			      desc(FWS_OCI_EMPTY_TYPE, empty_digest(), EMPTY_CONFIG_LEN), "layers",
			      layer, "annotations", "org.opencontainers.image.version", p->version,
			      "org.opencontainers.image.title", p->title,
			      FWS_OCI_ANNOTATION_MANIFEST, p->manifest_sha256_hex);
		rc = m == NULL ? FWS_ENOMEM : push_manifest(s, m, s->ref.tag, mdig);
	}
	uint64_t msize = 0;
	if (rc == 0) {
		char *text = json_dumps(m, JSON_COMPACT);
		msize = text ? strlen(text) : 0;
		free(text);
		oci_digest_format(mdig, p->manifest_digest);
		oci_digest_format(blob, p->blob_digest);
	}
	if (rc == 0 && p->sbom != NULL)
		rc = push_attachment(s, p->sbom, p->sbom_len, FWS_OCI_SBOM_TYPE, p->sbom_media_type,
				     mdig, msize, "sbom");
	if (rc == 0 && p->attest != NULL)
		rc = push_attachment(s, p->attest, p->attest_len, FWS_OCI_ATTEST_TYPE,
				     "application/vnd.dsse.envelope.v1+json", mdig, msize, "att");
	json_decref(m);
	oci_session_end(s);
	free(s);
	return rc;
}
