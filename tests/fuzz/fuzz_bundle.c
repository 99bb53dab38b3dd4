/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the whole bundle reader (lib/bundle/verify.c, tar_reader.c,
 * source.c, and every decoder behind them) with the real library: what a
 * device sees from a hostile update server. See fuzz_bundle_body.h. */
#include "fuzz_bundle_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)fuzz_bundle_one(data, size);
	return 0;
}
