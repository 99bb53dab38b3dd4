/* SPDX-License-Identifier: Apache-2.0 */
/* Strict decoding of the manifest's encryption fields (format.md §15.4).
 * What a device relies on: the key commitment (a recipients entry that
 * opens to another key is refused), and a ciphertext geometry that follows
 * from the signed plaintext size, so no length is left to the bundle. */
#include <string.h>

#include "bundle/json_strict.h"
#include "bundle/manifest_encryption.h"
#include "fwseal/blocks.h"
#include "fwseal/encoding.h"
#include "fwseal/encrypt.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "io/io.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const enc_required[] = {"scheme", "key_commitment"};
static const char *const payload_enc_required[] = {"plain_size"};
static const char *const payload_enc_optional[] = {"plain_blocks"};

int fws_manifest_decode_payload_encryption(const json_t *obj, struct fws_payload *p)
{
	const json_t *enc;
	uint64_t n, entry;
	int rc = fws_json_get_object(obj, "encryption", payload_enc_required,
				     COUNT(payload_enc_required), payload_enc_optional,
				     COUNT(payload_enc_optional), &enc);
	if (rc != 0)
		return rc;
	rc = fws_json_get_uint(enc, "plain_size", 0, FWS_SIZE_MAX / 2, &p->plain_size);
	if (rc != 0)
		return fws_json_within(rc, "encryption");
	p->encrypted = 1;
	p->has_plain_blocks = json_object_get(enc, "plain_blocks") != NULL;
	if (p->has_plain_blocks &&
	    (rc = fws_json_get_hex(enc, "plain_blocks", p->plain_blocks_sha256, 32)) != 0)
		return fws_json_within(rc, "encryption");
	/* A public block index would give away the plaintext's block digests. */
	if (p->has_blocks)
		return fws_diag_set(FWS_ESCHEMA, 0, "hashes.sha256-blocks",
				    "not allowed on an encrypted payload");
	rc = fws_enc_chunk_count(p->plain_size, p->chunk_size, &n);
	if (rc == FWS_ESCHEMA)
		return fws_diag_set(rc, 0, "chunk_size",
				    "%u: an encrypted payload's chunks are whole 64 KiB STREAM "
				    "chunks (a multiple of 65536)",
				    (unsigned)p->chunk_size);
	if (rc != 0)
		return fws_diag_set(rc, 0, NULL, "%llu plaintext bytes in chunks of %u: more than %u chunks",
				    (unsigned long long)p->plain_size, (unsigned)p->chunk_size,
				    (unsigned)FWS_MAX_CHUNKS);
	rc = fws_enc_entry_size(p->plain_size, &entry);
	if (rc != 0)
		return rc;
	/* A device keeps the whole keyed index while it plans. */
	if (p->has_plain_blocks && fws_block_count(p->plain_size) > FWS_ENC_HINT_BLOCKS_MAX)
		return fws_diag_set(FWS_ELIMIT, 0, "encryption.plain_blocks",
				    "a block index of more than %u blocks (%llu plaintext bytes)",
				    (unsigned)FWS_ENC_HINT_BLOCKS_MAX,
				    (unsigned long long)p->plain_size);
	if (entry != p->size)
		return fws_diag_set(FWS_ESCHEMA, 0, "size",
				    "%llu, but %llu plaintext bytes encrypt to %llu",
				    (unsigned long long)p->size, (unsigned long long)p->plain_size,
				    (unsigned long long)entry);
	return 0;
}

int fws_manifest_decode_encryption(const json_t *doc, struct fws_manifest *m)
{
	const json_t *enc = json_object_get(doc, "encryption");
	const char *s;
	size_t len, n_enc = 0;
	int rc;
	for (size_t i = 0; i < m->n_payloads; i++)
		n_enc += m->payloads[i].encrypted != 0;
	if (enc == NULL) {
		if (n_enc != 0)
			return fws_diag_set(FWS_ESCHEMA, 0, "encryption",
					    "payloads are encrypted but the manifest has no "
					    "key commitment");
		return 0;
	}
	rc = fws_json_get_object(doc, "encryption", enc_required, COUNT(enc_required), NULL, 0,
				 &enc);
	if (rc != 0)
		return rc;
	rc = fws_json_get_string(enc, "scheme", 16, FWS_ESCHEMA, &s, &len);
	if (rc == 0 && strcmp(s, FWS_ENC_SCHEME) != 0)
		rc = fws_diag_set(FWS_ESCHEMA, 0, "encryption.scheme", "not \"%s\"", FWS_ENC_SCHEME);
	if (rc == 0)
		rc = fws_json_get_hex(enc, "key_commitment", m->encryption.key_commitment, 32);
	if (rc != 0)
		return fws_json_within(rc, "encryption");
	/* All or none: a plaintext payload in an encrypted release would be
	 * a confidentiality leak nobody asked for. */
	if (n_enc != m->n_payloads)
		return fws_diag_set(FWS_ESCHEMA, 0, "encryption",
				    "every payload of an encrypted release must be encrypted");
	m->encryption.enabled = 1;
	return 0;
}

int fws_manifest_encode_payload_encryption(const struct fws_payload *p, json_t *obj)
{
	json_t *enc = json_object();
	int rc;
	if (enc == NULL)
		return FWS_ENOMEM;
	rc = fws_json_set(enc, "plain_size", json_integer((json_int_t)p->plain_size));
	if (rc == 0 && p->has_plain_blocks) {
		char hex[65];
		fws_hex_encode(hex, p->plain_blocks_sha256, 32);
		rc = fws_json_set(enc, "plain_blocks", json_string(hex));
	}
	if (rc != 0) {
		json_decref(enc);
		return rc;
	}
	return fws_json_set(obj, "encryption", enc);
}

int fws_manifest_encode_encryption(const struct fws_manifest *m, json_t *doc)
{
	char hex[65];
	json_t *enc = json_object();
	int rc;
	if (enc == NULL)
		return FWS_ENOMEM;
	fws_hex_encode(hex, m->encryption.key_commitment, 32);
	rc = fws_json_set(enc, "scheme", json_string(FWS_ENC_SCHEME));
	if (rc == 0)
		rc = fws_json_set(enc, "key_commitment", json_string(hex));
	if (rc != 0) {
		json_decref(enc);
		return rc;
	}
	return fws_json_set(doc, "encryption", enc);
}
