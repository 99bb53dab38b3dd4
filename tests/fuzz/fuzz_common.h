/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput. Built with clang and
 * -fsanitize=fuzzer,address,undefined by `make fuzz`; built with $(CC) and
 * replay_main.c by `make check`, which replays tests/fuzz/regressions/.
 * A property violation is reported like a crash: a message, then abort(). */
#ifndef FWSEAL_FUZZ_COMMON_H
#define FWSEAL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/fwseal.h"
#include "selftest/fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, msg)                                                              \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", msg, __FILE__, \
				__LINE__);                                                 \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* libsodium initialised once per process. */
static inline void fuzz_init(void)
{
	static int done;

	if (!done) {
		FUZZ_CHECK(fws_init() == 0, "fws_init");
		done = 1;
	}
}

/* The trusted root every harness uses: the self-test fixture's version 1
 * (fixed seeds, lib/selftest/fixture.h), so seeds made by seedgen verify. */
static inline const struct fws_root *fuzz_trusted_root(void)
{
	static struct fws_root root;
	static int done;

	if (!done) {
		struct fws_fx_key rk, lk;
		fuzz_init();
		FUZZ_CHECK(fws__fx_key(&rk, FWS_FX_ROOT_SEED) == 0, "fixture root key");
		FUZZ_CHECK(fws__fx_key(&lk, FWS_FX_RELEASE_SEED) == 0, "fixture release key");
		fws__fx_root(&root, 1, &rk, &lk);
		FUZZ_CHECK(fws_root_check(&root) == 0, "fixture root is valid");
		done = 1;
	}
	return &root;
}

/* Every library result is 0 or one of the defined negative codes. */
static inline void fuzz_check_code(int rc)
{
	FUZZ_CHECK(rc <= 0 && rc >= FWS_ELAST, "result is 0 or a defined FWS_E* code");
}

#endif
