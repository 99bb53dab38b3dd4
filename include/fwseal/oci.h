/* SPDX-License-Identifier: Apache-2.0 */
/* Bundles in OCI registries (docs/fleet.md, docs/network.md §7).
 *
 * A bundle is stored as an OCI artifact: one blob (the .fwb bytes,
 * unchanged), the empty config, and an OCI image manifest with
 * artifactType application/vnd.fwseal.bundle.v1. "oci://HOST[:PORT]/REPO:TAG"
 * and "oci://HOST[:PORT]/REPO@sha256:HEX" are accepted wherever a bundle
 * URL is (fws_http_open resolves them), so every install, verify and
 * channel location reads a registry through the same HTTP reader. */
#ifndef FWSEAL_OCI_H
#define FWSEAL_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

#define FWS_OCI_ARTIFACT_TYPE "application/vnd.fwseal.bundle.v1"
#define FWS_OCI_LAYER_TAR "application/vnd.fwseal.bundle.v1.tar"
#define FWS_OCI_LAYER_TAR_GZIP "application/vnd.fwseal.bundle.v1.tar+gzip"
#define FWS_OCI_MANIFEST_TYPE "application/vnd.oci.image.manifest.v1+json"
#define FWS_OCI_EMPTY_TYPE "application/vnd.oci.empty.v1+json"
#define FWS_OCI_SBOM_TYPE "application/vnd.fwseal.sbom.v1"
#define FWS_OCI_ATTEST_TYPE "application/vnd.fwseal.attestation.v1"
/* The annotation holding the digest of the bundle's signed manifest body
 * (what permits, records and audit logs name). */
#define FWS_OCI_ANNOTATION_MANIFEST "dev.fwseal.manifest.sha256"
#define FWS_OCI_MANIFEST_MAX (64 * 1024) /* a fwseal manifest is < 2 KiB; distribution allows 4 MiB */

struct fws_http_opts;

/* 1 when s starts with oci:// (any case). */
FWS_API int fws_is_oci_ref(const char *s);

/* What fws_oci_publish pushes. The bundle must have been verified by the
 * caller; the strings are the verified manifest's. */
struct fws_oci_publish {
	const struct fws_http_opts *net; /* TLS settings, oci_credentials */
	const char *ref;                 /* oci://HOST[:PORT]/REPO:TAG */
	int bundle_fd;                   /* read from offset 0 */
	uint64_t bundle_size;
	const uint8_t *bundle_sha256;    /* the digest of the bytes verified, or NULL:
					  * the registry refuses an upload whose bytes
					  * differ from it (a file changed after verify) */
	int gzip;                        /* layer media type ...tar+gzip */
	const char *version;             /* org.opencontainers.image.version */
	const char *title;               /* org.opencontainers.image.title */
	const char *manifest_sha256_hex; /* FWS_OCI_ANNOTATION_MANIFEST */
	uint64_t chunk_size;             /* 0 = monolithic upload (one PUT) */
	const uint8_t *sbom;             /* optional: attached by tag sha256-<d>.sbom */
	size_t sbom_len;
	const char *sbom_media_type;
	const uint8_t *attest;           /* optional: attached by tag sha256-<d>.att */
	size_t attest_len;
	/* out */
	char manifest_digest[72];        /* "sha256:..." of the pushed manifest */
	char blob_digest[72];
	int blob_existed;                /* the registry had the blob already */
};

/* Pushes blob, config and manifest (and attachments), then tags. */
FWS_API FWS_MUST_CHECK int fws_oci_publish(struct fws_oci_publish *p);

#endif
