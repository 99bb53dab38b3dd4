/* SPDX-License-Identifier: Apache-2.0 */
/* Hard limits. Every hostile length is checked against one of these before
 * anything is read or allocated; they also fix the verifier's working set. */
#ifndef FWSEAL_LIMITS_H
#define FWSEAL_LIMITS_H

#define FWS_NAME_MAX 64          /* product, hardware id, payload name, target */
#define FWS_VERSION_MAX 64       /* semver string */
#define FWS_NOTES_MAX 4096       /* release_notes */
#define FWS_MAX_HARDWARE 16      /* hardware ids per manifest */
#define FWS_MAX_PAYLOADS 16      /* payloads per bundle */
#define FWS_MAX_KEYS 16          /* keys per root, and key ids per role */
#define FWS_MAX_SIGNATURES 16    /* signatures per envelope */
#define FWS_MAX_ROOT_CHAIN 32    /* root envelopes carried in one bundle */
#define FWS_ENVELOPE_MAX 65536   /* bytes of one envelope file (manifest or root) */
#define FWS_PAYLOAD_TYPE_MAX 64  /* bytes of a DSSE payloadType */
#define FWS_BODY_MAX 32768       /* bytes of a decoded envelope body */
#define FWS_PAE_PREFIX_MAX 128   /* "DSSEv1 <n> <type> <n> " */
#define FWS_PAE_MAX (FWS_PAE_PREFIX_MAX + FWS_BODY_MAX)
#define FWS_JSON_DEPTH_MAX 6     /* nesting depth of any JSON document */
#define FWS_CHUNK_MIN 4096u
#define FWS_CHUNK_MAX (16u * 1024 * 1024)
#define FWS_CHUNK_DEFAULT (1024u * 1024)
#define FWS_MAX_CHUNKS 65536u    /* per payload: the chunk list is at most 2 MiB */
#define FWS_SIZE_MAX ((1ull << 53) - 1) /* largest size/counter a JSON number carries exactly */
#define FWS_KEYID_HEX 64
#define FWS_PERMIT_DAYS_MAX 90   /* longest validity of a downgrade permit */
#define FWS_SBOM_MAX (16u * 1024 * 1024) /* bytes of the bundle's sbom/<name> entry */
#define FWS_SBOM_DEPTH_MAX 32    /* nesting depth of an SBOM (pack's checker only) */
#define FWS_SBOM_FORMAT_MAX 16   /* "spdx-2.3", "cyclonedx-1.5", "cyclonedx-1.6" */

#define FWS_TYPE_MANIFEST "application/vnd.fwseal.manifest+json"
#define FWS_TYPE_ROOT "application/vnd.fwseal.root+json"

#endif
