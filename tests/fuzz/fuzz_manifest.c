/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the manifest decoder (lib/bundle/manifest_json.c).
 * Properties: no crash, no sanitizer report, a defined result code; and
 * whatever decodes re-encodes, the encoding decodes to the same struct and
 * encodes to the same bytes again (one reading per document). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fws_manifest m1, m2;
	char *text = NULL, *again = NULL;
	size_t len = 0, again_len = 0;
	int rc;

	fuzz_init();
	rc = fws_manifest_decode(data, size, &m1);
	fuzz_check_code(rc);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(fws_manifest_encode(&m1, &text, &len) == 0, "a decoded manifest re-encodes");
	FUZZ_CHECK(fws_manifest_decode((const uint8_t *)text, len, &m2) == 0,
		   "the re-encoded manifest decodes");
	/* Both structs were zeroed by the decoder before filling: bytewise equal. */
	FUZZ_CHECK(memcmp(&m1, &m2, sizeof m1) == 0, "round trip gives the same manifest");
	FUZZ_CHECK(fws_manifest_encode(&m2, &again, &again_len) == 0, "second encode");
	FUZZ_CHECK(again_len == len && memcmp(text, again, len) == 0, "encoding is canonical");
	free(text);
	free(again);
	return 0;
}
