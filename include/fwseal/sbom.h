/* SPDX-License-Identifier: Apache-2.0 */
/* SBOMs carried in bundles (docs/format.md §14): the checks `fwseal pack
 * --sbom` makes before it signs one, and the format check of the commands
 * that read one back. Signing side (libfwseal); a device never parses an
 * SBOM, it only hashes and keeps it. */
#ifndef FWSEAL_SBOM_H
#define FWSEAL_SBOM_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/bundle.h"
#include "fwseal/export.h"
#include "fwseal/limits.h"

/* One finding that is not (yet) an error: an FDA extra (support level, end
 * of support) missing for a component. where names the component, why the
 * field. */
typedef void (*fws_sbom_warn_fn)(void *ctx, const char *where, const char *why);

struct fws_sbom_check_opts {
	const char *product;   /* the described component must have this name ... */
	const char *version;   /* ... and this version (the manifest's) */
	int strict;	       /* an FDA extra missing is FWS_ESBOM, not a warning */
	fws_sbom_warn_fn warn; /* may be NULL */
	void *warn_ctx;
};

/* Checks an SBOM (len <= FWS_SBOM_MAX, else FWS_ELIMIT) for what a
 * regulator expects: strict JSON (FWS_EJSON: duplicate keys, NUL, bad
 * UTF-8, depth > FWS_SBOM_DEPTH_MAX, trailing data), SPDX 2.3 or CycloneDX
 * 1.5/1.6 (FWS_ESBOMFORMAT), then author, timestamp, the described
 * component = product/version, every component's name, version, supplier
 * and purl or cpe, and the dependency graph (FWS_ESBOM, the diagnostic
 * naming the component and the field). format gets the sbom_format value. */
FWS_API FWS_MUST_CHECK int fws_sbom_check(const uint8_t *json, size_t len,
					  const struct fws_sbom_check_opts *opts,
					  char format[FWS_SBOM_FORMAT_MAX + 1]);

/* Only the format: strict JSON as above, then FWS_ESBOMFORMAT unless it is
 * one fwseal knows; format gets its sbom_format value. */
FWS_API FWS_MUST_CHECK int fws_sbom_identify(const uint8_t *json, size_t len,
					     char format[FWS_SBOM_FORMAT_MAX + 1]);

/* fws_bundle_verify, and when the bundle carries an SBOM (format.md §14)
 * its bytes after everything verified, in a malloc'd buffer of at most
 * FWS_SBOM_MAX bytes (*sbom NULL, *sbom_len 0 when it carries none; with
 * `required` that is FWS_ENOENT, after the bundle verified). The
 * signing side also checks what a device does not: that the document is
 * the format the signed sbom_format says (FWS_ESBOMFORMAT otherwise). */
FWS_API FWS_MUST_CHECK int fws_bundle_verify_sbom(fws_read_fn read, void *read_ctx,
						  const struct fws_verify_opts *opts,
						  struct fws_verify_result *result, int required,
						  uint8_t **sbom, size_t *sbom_len);

/* --- attestations (lib/sign/attest.c, docs/evidence.md) --- */

#define FWS_TYPE_IN_TOTO "application/vnd.in-toto+json"
#define FWS_IN_TOTO_STATEMENT "https://in-toto.io/Statement/v1"
#define FWS_PREDICATE_CYCLONEDX "https://cyclonedx.org/bom"
#define FWS_PREDICATE_SPDX "https://spdx.dev/Document"

struct fws_root;
struct fws_signing_key;

/* An in-toto Statement v1 about a verified bundle, signed as a DSSE
 * envelope (payloadType FWS_TYPE_IN_TOTO) by key. The bundle is verified
 * first against trusted at now (everything fws_bundle_verify checks, and
 * the SBOM's format), and must carry an SBOM (FWS_ENOENT). key must be in
 * the newest root's release role (FWS_ENOTAUTHORISED), that root not
 * expired at now (FWS_EEXPIRED). Subjects: subject_name with the SHA-256
 * of the bytes read, and "payloads/<name>" for each payload with its plain
 * SHA-256 and its fwsealSha256Chunks (the manifest's sha256-chunks); the
 * predicate is the SBOM, byte for byte. key is any provider's key object
 * (fwseal/signing_key.h): file, PKCS#11 token or signer command. *json (malloc'd) is the envelope;
 * result (may be NULL) gets the verification result. */
FWS_API FWS_MUST_CHECK int fws_attest(fws_read_fn read, void *read_ctx, const char *subject_name,
				      const struct fws_root *trusted,
				      const struct fws_signing_key *key, int64_t now, char **json,
				      size_t *json_len, struct fws_verify_result *result);

#endif
