/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the SBOM checker pack runs before it signs an SBOM
 * (lib/sign/sbom_check.c: strict JSON to depth 32, SPDX 2.3 and CycloneDX
 * 1.5/1.6 walks, the dependency graph by name). Properties: defined result
 * codes; the checker and the format identification agree on the format,
 * which is one of the three; nothing the identification refuses is
 * accepted; --sbom-strict accepts only what the lenient check accepts, and
 * a warning is reported only where the strict check would refuse. */
#include "fuzz_common.h"
#include "fwseal/sbom.h"

static int warnings;

static void count(void *ctx, const char *where, const char *why)
{
	(void)ctx;
	FUZZ_CHECK(where != NULL && why != NULL && why[0] != '\0', "a warning says something");
	warnings++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fws_sbom_check_opts o = {"test-pump", "1.0.0", 0, count, NULL};
	char checked[FWS_SBOM_FORMAT_MAX + 1], identified[FWS_SBOM_FORMAT_MAX + 1],
	    strict[FWS_SBOM_FORMAT_MAX + 1];
	fuzz_init();
	warnings = 0;
	int rc = fws_sbom_check(data, size, &o, checked);
	fuzz_check_code(rc);
	int ri = fws_sbom_identify(data, size, identified);
	fuzz_check_code(ri);
	if (ri != 0)
		FUZZ_CHECK(rc != 0, "what identify refuses, check refuses");
	if (rc == 0) {
		FUZZ_CHECK(ri == 0 && strcmp(checked, identified) == 0, "same format");
		FUZZ_CHECK(fws_sbom_format_valid(checked), "one of the three formats");
	} else {
		FUZZ_CHECK(checked[0] == '\0', "no format for a refused SBOM");
	}
	o.strict = 1;
	o.warn = NULL;
	int rs = fws_sbom_check(data, size, &o, strict);
	fuzz_check_code(rs);
	if (rs == 0)
		FUZZ_CHECK(rc == 0 && warnings == 0, "strict accepts only a clean SBOM");
	if (rc == 0 && warnings > 0)
		FUZZ_CHECK(rs == FWS_ESBOM, "each warning is a strict refusal");
	return 0;
}
