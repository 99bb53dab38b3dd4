/* SPDX-License-Identifier: Apache-2.0 */
/* Test-only entry into the self-test. Internal: hidden, not installed. */
#ifndef FWSEAL_SELFTEST_INTERNAL_H
#define FWSEAL_SELFTEST_INTERNAL_H

#include "fwseal/selftest.h"

/* fws_selftest_run, but the case named `fault` gets a corrupted input (a
 * flipped expected value, or the attack's own check defeated), so a unit
 * test can prove the suite reports a wrong answer as a failure. NULL: the
 * normal run. */
int fws__selftest_run_fault(fws_selftest_fn cb, void *ctx, struct fws_selftest_summary *summary,
			    const char *fault);

#endif
