/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the device report body decoder and its log checks
 * (lib/bundle/report_json.c). Properties: defined result codes; a decoded
 * report re-encodes and decodes again to the same report; the log checks
 * end with 0 or FWS_EREPORT, also against themselves as a series. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fws_report a, b;
	char *text = NULL;
	size_t len = 0;
	int rc;

	fuzz_init();
	rc = fws_report_decode(data, size, &a);
	fuzz_check_code(rc);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(fws_report_encode(&a, &text, &len) == 0, "a decoded report re-encodes");
	FUZZ_CHECK(fws_report_decode((const uint8_t *)text, len, &b) == 0,
		   "the re-encoded report decodes");
	FUZZ_CHECK(a.log_seq == b.log_seq && a.n_events == b.n_events &&
		       memcmp(a.log_hash, b.log_hash, 32) == 0 &&
		       strcmp(a.device_id, b.device_id) == 0,
		   "the same report");
	rc = fws_report_check_log(&a);
	FUZZ_CHECK(rc == 0 || rc == FWS_EREPORT, "check_log: 0 or FWS_EREPORT");
	rc = fws_report_check_extends(&a, &b);
	FUZZ_CHECK(rc == 0, "a report extends itself");
	free(text);
	return 0;
}
