/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the channel body decoder (lib/bundle/channel_json.c +
 * fws_channel_check). Properties: defined result codes; a decoded channel
 * passes fws_channel_check, re-encodes, and decodes again to the same
 * channel; its cohort bucket is 0..99 for any device id. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fws_channel a, b;
	char *text = NULL;
	size_t len = 0;
	uint32_t bucket = 100;
	int rc;

	fuzz_init();
	rc = fws_channel_decode(data, size, &a);
	fuzz_check_code(rc);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(fws_channel_check(&a) == 0, "a decoded channel passes fws_channel_check");
	FUZZ_CHECK(fws_channel_encode(&a, &text, &len) == 0, "a decoded channel re-encodes");
	FUZZ_CHECK(fws_channel_decode((const uint8_t *)text, len, &b) == 0,
		   "the re-encoded channel decodes");
	FUZZ_CHECK(a.version == b.version && a.created == b.created && a.expires == b.expires &&
		       strcmp(a.name, b.name) == 0 && a.n_hardware == b.n_hardware &&
		       a.n_locations == b.n_locations && a.bundle_size == b.bundle_size &&
		       a.rollout.percent == b.rollout.percent &&
		       memcmp(a.manifest_sha256, b.manifest_sha256, 32) == 0 &&
		       memcmp(a.rollout.salt, b.rollout.salt, 32) == 0,
		   "the same channel");
	FUZZ_CHECK(fws_channel_cohort(a.rollout.salt, "dev-1", &bucket) == 0 && bucket < 100,
		   "a bucket of 0..99");
	free(text);
	return 0;
}
