/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-EVID-004 */
/* fwseal selftest (lib/selftest): it passes on this build, it covers enough
 * cases, and it can fail: a corrupted input in any case is reported as a
 * failure of exactly that case (fws__selftest_run_fault). */
#include <criterion/criterion.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/selftest.h"
#include "selftest/selftest_internal.h"

#define MAX_CASES 128

struct seen {
	struct fws_selftest_case cases[MAX_CASES];
	char names[MAX_CASES][64];
	size_t n;
};

static void collect(void *ctx, const struct fws_selftest_case *c)
{
	struct seen *s = ctx;

	cr_assert_lt(s->n, MAX_CASES);
	s->cases[s->n] = *c;
	cr_assert_lt(strlen(c->name), sizeof s->names[0]);
	strcpy(s->names[s->n], c->name);
	s->n++;
}

static struct seen normal;

TestSuite(selftest, .timeout = 120);

Test(selftest, all_cases_pass)
{
	struct fws_selftest_summary sum;

	memset(&normal, 0, sizeof normal);
	cr_assert_eq(fws_selftest_run(collect, &normal, &sum), 0);
	cr_assert_eq(sum.total, normal.n);
	cr_assert_eq(sum.failed, 0);
	cr_assert_eq(sum.passed, sum.total);
	/* Enough to mean something: KATs and the attack suite together. */
	cr_assert_geq(sum.total, 30, "only %zu cases", sum.total);
	for (size_t i = 0; i < normal.n; i++) {
		const struct fws_selftest_case *c = &normal.cases[i];
		cr_expect(c->pass, "%s: expected %s, got %s", c->name, fws_errname(c->expected),
			  fws_errname(c->got));
		cr_expect_eq(c->pass, c->got == c->expected, "%s: pass is got == expected",
			     c->name);
		cr_expect(strcmp(c->group, "kat") == 0 || strcmp(c->group, "attack") == 0);
		cr_expect(c->what != NULL && c->what[0] != '\0');
		for (size_t j = 0; j < i; j++)
			cr_expect_neq(strcmp(normal.names[i], normal.names[j]), 0,
				      "case name %s repeated", c->name);
	}
}

Test(selftest, attack_cases_expect_errors)
{
	/* The attack suite is mostly refusals: an attack "expected to pass"
	 * would be a hole in the suite itself. */
	size_t refusals = 0;
	struct seen s;

	memset(&s, 0, sizeof s);
	cr_assert_eq(fws_selftest_run(collect, &s, NULL), 0);
	for (size_t i = 0; i < s.n; i++)
		refusals += strcmp(s.cases[i].group, "attack") == 0 && s.cases[i].expected < 0;
	cr_assert_geq(refusals, 15, "only %zu refusal cases", refusals);
}

/* Every case, corrupted on purpose, must fail, and only that case. */
Test(selftest, every_case_detects_a_fault)
{
	static struct seen base, faulty;
	struct fws_selftest_summary sum;

	memset(&base, 0, sizeof base);
	cr_assert_eq(fws_selftest_run(collect, &base, NULL), 0);
	for (size_t i = 0; i < base.n; i++) {
		const char *name = base.names[i];
		/* "init" and "setup" have no input to corrupt. */
		if (strcmp(name, "init") == 0 || strcmp(name, "setup") == 0)
			continue;
		memset(&faulty, 0, sizeof faulty);
		cr_assert_eq(fws__selftest_run_fault(collect, &faulty, &sum, name), FWS_EINTERNAL,
			     "a fault in %s was not reported", name);
		cr_assert_geq(sum.failed, 1);
		for (size_t j = 0; j < faulty.n; j++) {
			if (strcmp(faulty.names[j], name) == 0)
				cr_expect(!faulty.cases[j].pass, "%s passed with a fault", name);
		}
		cr_expect_eq(sum.failed, 1, "a fault in %s failed %zu cases", name, sum.failed);
	}
}

Test(selftest, null_callback_and_summary)
{
	cr_assert_eq(fws_selftest_run(NULL, NULL, NULL), 0);
}
