/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in self-test: known-answer tests of the cryptography and formats,
 * and an attack suite run against the library as installed. A manufacturer
 * can keep its output as installation / operational qualification evidence
 * (`fwseal selftest [--json]`, on the device `fwseal-verify selftest [--json]`;
 * docs/qualification.md).
 *
 * Known answers: SHA-256 (FIPS 180-2), the RFC 8032 section 7.1 TEST 1
 * Ed25519 key (public key, key ID, signature), the chunked payload digest,
 * the DSSE PAE and a signed DSSE envelope from independent implementations
 * (Python hashlib, OpenSSL). Attack suite: a tiny bundle is built in memory
 * from keys with fixed seeds and verified intact and after each attack
 * (tampered chunk, unknown key, truncation, trailing data, links, path
 * traversal, rollback, wrong hardware, threshold 0, duplicate JSON keys, ...).
 * Uses the core and bundle layers only; never the signing side. The attack
 * suite's bundles are signed in memory with keys from fixed, public seeds
 * (lib/selftest/fixture.h): a device must never trust those keys. */
#ifndef FWSEAL_SELFTEST_H
#define FWSEAL_SELFTEST_H

#include <stddef.h>

#include "fwseal/export.h"

struct fws_selftest_case {
	const char *group;    /* "kat" (known answer) or "attack" */
	const char *name;     /* short, stable identifier, e.g. "bundle-tampered-chunk" */
	const char *what;     /* one line: what is checked */
	int expected;         /* 0 or the FWS_E* code the library must return */
	int got;              /* what it returned */
	int pass;             /* got == expected */
};

/* Called once per case, in a fixed order. */
typedef void (*fws_selftest_fn)(void *ctx, const struct fws_selftest_case *c);

struct fws_selftest_summary {
	size_t total;
	size_t passed;
	size_t failed;
};

/* Runs every case, reporting each to cb (may be NULL) and counting them in
 * summary (may be NULL). Returns 0 only when every case passed, otherwise
 * FWS_EINTERNAL. Calls fws_init() itself. Deterministic: no clock, no
 * randomness, no file: bundles are built in memory by the fixtures' own tar
 * writer. Part of libfwseal-device (fwseal-verify selftest) and libfwseal. */
FWS_API FWS_MUST_CHECK int fws_selftest_run(fws_selftest_fn cb, void *ctx,
					    struct fws_selftest_summary *summary);

#endif
