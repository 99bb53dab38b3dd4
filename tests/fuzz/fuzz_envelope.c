/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the DSSE envelope decoder (lib/bundle/envelope_json.c) and the
 * signature counting on what it produces (lib/core/envelope_verify.c).
 * Properties: defined result codes; decode -> encode -> decode gives the
 * same type, PAE, body and signatures; encoding is canonical. */
#include "fuzz_common.h"

static void same_envelope(const struct fws_envelope *a, const struct fws_envelope *b)
{
	FUZZ_CHECK(strcmp(a->payload_type, b->payload_type) == 0, "same payloadType");
	FUZZ_CHECK(a->pae_len == b->pae_len && a->body_offset == b->body_offset,
		   "same PAE layout");
	FUZZ_CHECK(memcmp(a->pae, b->pae, a->pae_len) == 0, "same PAE bytes");
	FUZZ_CHECK(a->n_sigs == b->n_sigs, "same signature count");
	FUZZ_CHECK(memcmp(a->sigs, b->sigs, a->n_sigs * sizeof a->sigs[0]) == 0,
		   "same signatures");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fws_envelope e1, e2;
	const struct fws_root *root = fuzz_trusted_root();
	struct fws_signers signers;
	char *text = NULL, *again = NULL;
	size_t len = 0, again_len = 0, body_len = 0;
	int rc;

	rc = fws_envelope_decode(data, size, &e1);
	fuzz_check_code(rc);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(e1.n_sigs >= 1 && e1.n_sigs <= FWS_MAX_SIGNATURES, "1..max signatures");
	FUZZ_CHECK(fws_envelope_body(&e1, &body_len) != NULL && body_len > 0, "a body");
	FUZZ_CHECK(fws_envelope_encode(&e1, &text, &len) == 0, "a decoded envelope re-encodes");
	FUZZ_CHECK(fws_envelope_decode((const uint8_t *)text, len, &e2) == 0,
		   "the re-encoded envelope decodes");
	same_envelope(&e1, &e2);
	FUZZ_CHECK(fws_envelope_encode(&e2, &again, &again_len) == 0, "second encode");
	FUZZ_CHECK(again_len == len && memcmp(text, again, len) == 0, "encoding is canonical");
	free(text);
	free(again);

	/* Counting never trusts what it cannot verify: with the real library a
	 * success needs a real signature of the fixture keys over this PAE. */
	rc = fws_envelope_verify(&e1, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, &signers);
	fuzz_check_code(rc);
	FUZZ_CHECK(rc != 0 || signers.n >= 1, "success names at least one signer");
	rc = fws_envelope_verify(&e1, FWS_TYPE_ROOT, root, FWS_ROLE_ROOT, &signers);
	fuzz_check_code(rc);
	return 0;
}
