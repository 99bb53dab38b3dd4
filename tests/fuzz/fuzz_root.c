/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the root decoder (lib/bundle/root_json.c + fws_root_check).
 * Properties: defined result codes; a decoded root passes fws_root_check,
 * re-encodes, and decodes again to the same root (keys may come back in
 * sorted order: compared as a set); encoding is canonical. */
#include "fuzz_common.h"

static const struct fws_key *find(const struct fws_root *r, const uint8_t id[32])
{
	for (size_t i = 0; i < r->n_keys; i++)
		if (memcmp(r->keys[i].keyid, id, 32) == 0)
			return &r->keys[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fws_root r1, r2;
	char *text = NULL, *again = NULL;
	size_t len = 0, again_len = 0;
	int rc;

	fuzz_init();
	rc = fws_root_decode(data, size, &r1);
	fuzz_check_code(rc);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(fws_root_check(&r1) == 0, "a decoded root passes fws_root_check");
	for (int i = 0; i < FWS_ROLE_COUNT; i++) {
		/* The optional timestamp role is absent (no key, threshold 0)
		 * or obeys the rule like the others. */
		if (i == FWS_ROLE_TIMESTAMP && r1.roles[i].n_keyids == 0 &&
		    r1.roles[i].threshold == 0)
			continue;
		FUZZ_CHECK(r1.roles[i].threshold >= 1 &&
			       r1.roles[i].threshold <= r1.roles[i].n_keyids,
			   "1 <= threshold <= n");
	}
	FUZZ_CHECK(fws_root_encode(&r1, &text, &len) == 0, "a decoded root re-encodes");
	FUZZ_CHECK(fws_root_decode((const uint8_t *)text, len, &r2) == 0,
		   "the re-encoded root decodes");
	FUZZ_CHECK(r1.schema == r2.schema && r1.version == r2.version &&
		       r1.created == r2.created && r1.expires == r2.expires &&
		       r1.n_keys == r2.n_keys,
		   "same root header");
	for (size_t i = 0; i < r1.n_keys; i++) {
		const struct fws_key *k = find(&r2, r1.keys[i].keyid);
		FUZZ_CHECK(k != NULL && memcmp(k->public_key, r1.keys[i].public_key, 32) == 0,
			   "same keys");
	}
	for (int i = 0; i < FWS_ROLE_COUNT; i++) {
		const struct fws_role *a = &r1.roles[i], *b = &r2.roles[i];
		FUZZ_CHECK(a->threshold == b->threshold && a->n_keyids == b->n_keyids &&
			       memcmp(a->keyids, b->keyids, a->n_keyids * 32) == 0,
			   "same roles");
	}
	FUZZ_CHECK(fws_root_encode(&r2, &again, &again_len) == 0, "second encode");
	FUZZ_CHECK(again_len == len && memcmp(text, again, len) == 0, "encoding is canonical");
	free(text);
	free(again);
	return 0;
}
