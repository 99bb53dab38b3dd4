/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the bundle reader BEHIND the signature check. `make fuzz` links
 * this harness, and only this one, with lib/core/envelope_verify.c built
 * with -DFWS_FUZZING_UNSAFE_NO_SIGNATURES: any signature whose key ID is
 * authorised counts as valid, so mutated manifests, carried roots, chunk
 * lists and payloads get past the signature check and reach the manifest
 * schema, the policy, the root chain rules, cap_source and the streaming
 * chunk verifier. Seeds carry the fixture keys' IDs (seedgen.c).
 * `make check` replays its regressions against the real library. */
#include "fuzz_bundle_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)fuzz_bundle_one(data, size);
	return 0;
}
