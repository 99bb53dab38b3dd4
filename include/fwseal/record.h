/* SPDX-License-Identifier: Apache-2.0 */
/* Release records (docs/evidence.md §2): what a quality system files for a
 * release, made from a bundle that verified, and checked against a bundle
 * later. Signing side (libfwseal). */
#ifndef FWSEAL_RECORD_H
#define FWSEAL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/bundle.h"
#include "fwseal/export.h"

#define FWS_RECORD_TYPE "fwseal-release-record"
#define FWS_RECORD_MAX (1024 * 1024) /* bytes of a record file */

/* One input file of the release, hashed into the record's "inputs". A
 * role "payload:<name>" must hash to that payload of the bundle and the
 * role "sbom" to its SBOM (FWS_EDIGEST otherwise: the file changed after
 * it was packed). */
struct fws_record_input {
	const char *role; /* "release-description", "key", "root", "payload:<name>", "sbom" */
	const char *path;
};

struct fws_record_opts {
	const struct fws_root *trusted; /* required */
	int64_t now;			/* expiry judged at this time (0 = not judged) */
	const char *bundle_name;	/* recorded as bundle.name */
	const struct fws_record_input *inputs;
	size_t n_inputs;				    /* at most 64 */
	const char *tool_name, *tool_version, *tool_commit; /* commit "" when unknown */
	const char *source_date_epoch; /* as set in the environment, NULL = unset */
};

/* Verifies the bundle (everything fws_bundle_verify checks, and the SBOM's
 * format), runs the built-in selftest (FWS_EINTERNAL if a case fails: a
 * tool that fails its own qualification records nothing), hashes every
 * input, and returns the record (JSON, keys sorted, 2-space indent, final
 * newline; malloc'd). */
FWS_API FWS_MUST_CHECK int fws_record_make(fws_read_fn read, void *read_ctx,
					   const struct fws_record_opts *opts, char **json,
					   size_t *json_len, struct fws_verify_result *result);

/* The record alone: strict JSON (FWS_EJSON), exact keys and types
 * (FWS_ESCHEMA), at most FWS_RECORD_MAX bytes (FWS_ELIMIT). */
FWS_API FWS_MUST_CHECK int fws_record_validate(const uint8_t *record, size_t record_len);

/* Verifies the bundle (as fws_record_make, no selftest) and compares it with
 * the record: FWS_ERECORD, the diagnostic naming the first field that
 * differs (bundle.sha256, manifest_sha256, version, payloads[1].sha256,
 * signers, ...). A record that is not one (strict JSON, exact keys, types)
 * is FWS_EJSON / FWS_ESCHEMA. */
FWS_API FWS_MUST_CHECK int fws_record_check(fws_read_fn read, void *read_ctx,
					    const struct fws_verify_opts *opts,
					    const uint8_t *record, size_t record_len,
					    struct fws_verify_result *result);

#endif
