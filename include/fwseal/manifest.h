/* SPDX-License-Identifier: Apache-2.0 */
/* The signed manifest: everything a device acts on. */
#ifndef FWSEAL_MANIFEST_H
#define FWSEAL_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/limits.h"

struct fws_payload {
	char name[FWS_NAME_MAX + 1];   /* plain file name: [A-Za-z0-9._+-], no leading '.' */
	char target[FWS_NAME_MAX + 1]; /* slot component / partition label, same charset */
	uint64_t size;                 /* bytes, <= FWS_SIZE_MAX */
	uint32_t chunk_size;           /* power of two, FWS_CHUNK_MIN..FWS_CHUNK_MAX */
	uint8_t chunks_sha256[32];     /* SHA-256 of the chunk list */
	/* Optional (ADR-050): SHA-256 of the block index, bundle entry
	 * blocks/<name> (fwseal/blocks.h); has_blocks 0 when absent. */
	int has_blocks;
	uint8_t blocks_sha256[32];
	/* Encrypted payload (docs/format.md §15.4): size, chunks_sha256 are
	 * the ciphertext entry's; plain_size the plaintext's. */
	int encrypted;
	uint64_t plain_size;
	/* Optional with encryption (ADR-064, ADR-087): SHA-256 of the entry
	 * plain/<name>, the keyed block index encrypted under the content key
	 * (a delta's plan); has_plain_blocks 0 when absent. */
	int has_plain_blocks;
	uint8_t plain_blocks_sha256[32];
};

/* The manifest's `encryption` object (docs/format.md §15.4). */
struct fws_manifest_encryption {
	int enabled; /* 0: a plaintext bundle */
	uint8_t key_commitment[32];
};

/* The SBOM a bundle carries as entry sbom/<name> beside the payloads, never
 * written to a slot (docs/format.md §14). */
struct fws_sbom_ref {
	char name[FWS_NAME_MAX + 1];          /* "" when the bundle carries none */
	char format[FWS_SBOM_FORMAT_MAX + 1]; /* "spdx-2.3", "cyclonedx-1.5", "cyclonedx-1.6" */
	uint64_t size;                        /* 1..FWS_SBOM_MAX */
	uint8_t sha256[32];                   /* SHA-256 of the entry's bytes */
};

/* True when s is one of the sbom_format values fwseal knows. */
FWS_API int fws_sbom_format_valid(const char *s);

struct fws_manifest {
	uint32_t schema; /* 1 */
	char product[FWS_NAME_MAX + 1];
	char version[FWS_VERSION_MAX + 1];     /* semver 2.0 */
	char min_version[FWS_VERSION_MAX + 1]; /* "" when absent */
	uint64_t security_version;             /* anti-rollback counter */
	char hardware[FWS_MAX_HARDWARE][FWS_NAME_MAX + 1];
	size_t n_hardware; /* >= 1 */
	int64_t created;
	int64_t expires; /* 0 when absent */
	char release_notes[FWS_NOTES_MAX + 1];
	char sbom[FWS_NAME_MAX + 1]; /* name of the payload holding the SBOM, or "" */
	struct fws_payload payloads[FWS_MAX_PAYLOADS];
	size_t n_payloads; /* >= 1; names and targets distinct */
	struct fws_sbom_ref sbom_document; /* name "" when absent; never with sbom */
	struct fws_manifest_encryption encryption;
};

/* True when s is 1..FWS_NAME_MAX chars of [A-Za-z0-9._+-] not starting with
 * '.' or '-': safe as a file name on every target, cannot traverse. */
FWS_API int fws_name_valid(const char *s);

/* --- bundle layer (lib/bundle/manifest_json.c) --- */

/* Strict decode: unknown or duplicate fields, wrong types, out-of-range
 * numbers, bad names, invalid semver or times all fail (FWS_EJSON,
 * FWS_ESCHEMA, FWS_ELIMIT). */
FWS_API FWS_MUST_CHECK int fws_manifest_decode(const uint8_t *json, size_t len,
					       struct fws_manifest *m);

/* Canonical body JSON (sorted keys, compact, no trailing newline) in a
 * malloc'd buffer: byte-identical to what independent tools produce with
 * sorted keys and (",", ":") separators. */
FWS_API FWS_MUST_CHECK int fws_manifest_encode(const struct fws_manifest *m, char **out,
					       size_t *out_len);

#endif
