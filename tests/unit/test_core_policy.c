/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-ROLL-001, REQ-ROLL-004, REQ-ROLL-006 */
/* Install policy and SemVer precedence. */
#include "test_core_helpers.h"

TestSuite(policy, .init = core_setup);
TestSuite(semver, .init = core_setup);

static struct fws_manifest m;
static struct fws_policy p;

/* Manifest 2.0.0, security_version 5, hardware board-a and board-b.
 * Device: board-a, counter 5, 1.5.0 installed. */
static void setup(void)
{
	core_setup();
	memset(&m, 0, sizeof m);
	m.schema = 1;
	strcpy(m.product, "pump");
	strcpy(m.version, "2.0.0");
	m.security_version = 5;
	strcpy(m.hardware[0], "board-a");
	strcpy(m.hardware[1], "board-b");
	m.n_hardware = 2;
	m.n_payloads = 1;
	memset(&p, 0, sizeof p);
	p.hardware_id = "board-a";
	p.check_rollback = 1;
	p.security_version = 5;
	p.installed_version = "1.5.0";
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

Test(policy, upgrade_accepted, .init = setup)
{
	p.hardware_id = "board-b";
	cr_assert_eq(fws_policy_check(&m, &p), 0);
	m.security_version = 6;
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

Test(policy, hardware_mismatch_refused, .init = setup)
{
	p.hardware_id = "board-c";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE);
}

Test(policy, hardware_compare_is_byte_exact, .init = setup)
{
	p.hardware_id = "BOARD-A";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE);
	p.hardware_id = "board-a2";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE);
	p.hardware_id = "board-";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE);
	p.hardware_id = "board-a ";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE);
	p.hardware_id = "";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE);
}

Test(policy, hardware_checked_first, .init = setup)
{
	p.hardware_id = "board-c";
	m.security_version = 1; /* also a rollback: hardware is reported first */
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE);
}

Test(policy, no_hardware_id_skips_hardware_check, .init = setup)
{
	p.hardware_id = NULL;
	cr_assert_eq(fws_policy_check(&m, &p), 0);
	m.security_version = 4;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EROLLBACK, "rollback still checked");
}

Test(policy, rollback_lower_security_version_refused, .init = setup)
{
	m.security_version = 4;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EROLLBACK);
	/* Even with a higher version number and the downgrade flag. */
	strcpy(m.version, "9.0.0");
	p.allow_downgrade = 1;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EROLLBACK);
}

Test(policy, rollback_refused_even_with_nothing_installed, .init = setup)
{
	m.security_version = 0;
	p.installed_version = NULL;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EROLLBACK);
}

Test(policy, downgrade_same_security_version_refused_without_flag, .init = setup)
{
	strcpy(m.version, "1.4.9");
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EDOWNGRADE);
	strcpy(m.version, "1.5.0-rc.1"); /* a pre-release of the installed one is lower */
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EDOWNGRADE);
}

Test(policy, downgrade_allowed_with_flag, .init = setup)
{
	strcpy(m.version, "1.4.9");
	p.allow_downgrade = 1;
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

Test(policy, downgrade_with_higher_security_version_allowed, .init = setup)
{
	strcpy(m.version, "1.4.9");
	m.security_version = 6;
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

Test(policy, reinstall_same_version_allowed, .init = setup)
{
	strcpy(m.version, "1.5.0");
	cr_assert_eq(fws_policy_check(&m, &p), 0);
	strcpy(m.version, "1.5.0+build.7"); /* build metadata is ignored */
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

Test(policy, min_version_enforced, .init = setup)
{
	strcpy(m.min_version, "1.6.0");
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EMINVERSION);
	strcpy(m.min_version, "1.5.0");
	cr_assert_eq(fws_policy_check(&m, &p), 0);
	strcpy(m.min_version, "1.5.0-beta");
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

/* Nothing installed (an empty slot, a factory image provisioned without
 * its version): nobody knows the version, so a release that needs a
 * minimum cannot go on. */
Test(policy, min_version_with_nothing_installed_refused, .init = setup)
{
	strcpy(m.min_version, "0.0.1");
	p.installed_version = "";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EMINVERSION);
	p.installed_version = NULL;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EMINVERSION);
	/* Without min_version the same device takes it. */
	m.min_version[0] = '\0';
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

Test(policy, rollback_reported_before_min_version, .init = setup)
{
	strcpy(m.min_version, "1.6.0");
	m.security_version = 4;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EROLLBACK);
}

Test(policy, nothing_installed_skips_version_rules, .init = setup)
{
	strcpy(m.version, "0.0.1");
	p.installed_version = NULL;
	cr_assert_eq(fws_policy_check(&m, &p), 0);
	p.installed_version = "";
	cr_assert_eq(fws_policy_check(&m, &p), 0);
}

Test(policy, no_rollback_check_skips_device_state, .init = setup)
{
	p.check_rollback = 0;
	m.security_version = 0;
	strcpy(m.version, "0.0.1");
	strcpy(m.min_version, "9.9.9");
	cr_assert_eq(fws_policy_check(&m, &p), 0);
	p.hardware_id = "board-z";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_EHARDWARE, "hardware still checked");
}

Test(policy, corrupt_installed_version_fails_closed, .init = setup)
{
	p.installed_version = "1.5";
	cr_assert_eq(fws_policy_check(&m, &p), FWS_ESTATE);
}

Test(policy, invalid_manifest_fields_refused, .init = setup)
{
	strcpy(m.version, "2.0");
	cr_assert_eq(fws_policy_check(&m, &p), FWS_ESCHEMA);
	strcpy(m.version, "2.0.0");
	strcpy(m.min_version, "01.0.0");
	cr_assert_eq(fws_policy_check(&m, &p), FWS_ESCHEMA);
	m.min_version[0] = '\0';
	m.n_hardware = 0;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_ESCHEMA);
	m.n_hardware = FWS_MAX_HARDWARE + 1;
	cr_assert_eq(fws_policy_check(&m, &p), FWS_ESCHEMA);
	cr_assert_eq(fws_policy_check(NULL, &p), FWS_EUSAGE);
	cr_assert_eq(fws_policy_check(&m, NULL), FWS_EUSAGE);
}

/* --- SemVer 2.0.0 --------------------------------------------------------- */

Test(semver, valid_versions)
{
	static const char *ok[] = {
	    "0.0.0",
	    "1.2.3",
	    "10.20.30",
	    "1.0.0-alpha",
	    "1.0.0-alpha.1",
	    "1.0.0-0.3.7",
	    "1.0.0-x.7.z.92",
	    "1.0.0-x-y-z.--",
	    "1.0.0-alpha+001",
	    "1.0.0+20130313144700",
	    "1.0.0-beta+exp.sha.5114f85",
	    "1.0.0+21AF26D3----117B344092BD",
	    "1.0.0-0A.is.legal",
	    "99999999999999999999999.999999999999999999.99999999999999999",
	    "1.0.0-rc.1+build.1",
	    "2.0.0+build.01", /* leading zeros allowed in build metadata */
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		cr_assert(fws_semver_valid(ok[i]), "%s should be valid", ok[i]);
}

Test(semver, invalid_versions)
{
	static const char *bad[] = {
	    "",
	    "1",
	    "1.2",
	    "1.2.3.4",
	    "01.1.1",
	    "1.01.1",
	    "1.1.01",
	    "1.2.3-0123",
	    "1.2.3-0123.0123",
	    "1.2.3-",
	    "1.2.3+",
	    "1.2.3-+",
	    "1.2.3-alpha..1",
	    "1.2.3-alpha.",
	    "1.2.3+build..1",
	    "1.2.3-alpha_beta",
	    "1.2.3-alpha+beta+gamma",
	    "v1.2.3",
	    " 1.2.3",
	    "1.2.3 ",
	    "1.2.3\n",
	    "-1.2.3",
	    "1.-2.3",
	    "+1.2.3",
	    "1.2.3-é",
	    "1..3",
	    "a.b.c",
	    "1.2.3----RC-SNAPSHOT.12.09.1--..12+788",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(fws_semver_valid(bad[i]), "'%s' should be invalid", bad[i]);
	cr_assert_not(fws_semver_valid(NULL));
}

Test(semver, length_limit)
{
	char v[FWS_VERSION_MAX + 2];

	memset(v, '1', sizeof v);
	memcpy(v, "1.0.0+", 6);
	v[FWS_VERSION_MAX] = '\0';
	cr_assert(fws_semver_valid(v), "exactly FWS_VERSION_MAX chars");
	v[FWS_VERSION_MAX] = '1';
	v[FWS_VERSION_MAX + 1] = '\0';
	cr_assert_not(fws_semver_valid(v), "FWS_VERSION_MAX + 1 chars");
}

static int cmp(const char *a, const char *b)
{
	int c = 42;

	cr_assert_eq(fws_semver_compare(a, b, &c), 0, "compare %s %s", a, b);
	cr_assert(c == -1 || c == 0 || c == 1);
	return c;
}

Test(semver, precedence_spec_examples)
{
	/* SemVer 2.0.0 section 11, in increasing order. */
	static const char *order[] = {
	    "1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
	    "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",	 "1.0.0",
	    "1.0.1",	    "1.1.0",	     "1.10.0",		 "2.0.0",
	    "2.1.0",	    "2.1.1",	     "10.0.0",
	};
	size_t n = sizeof order / sizeof order[0], i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j ? 1 : 0;

			cr_assert_eq(cmp(order[i], order[j]), want, "%s vs %s", order[i], order[j]);
		}
	}
}

Test(semver, precedence_edge_cases)
{
	cr_assert_eq(cmp("1.0.0+a", "1.0.0+b"), 0, "build metadata ignored");
	cr_assert_eq(cmp("1.0.0-rc.1+a", "1.0.0-rc.1"), 0);
	cr_assert_eq(cmp("1.0.0-2", "1.0.0-10"), -1, "numeric identifiers compare as numbers");
	cr_assert_eq(cmp("1.0.0-a2", "1.0.0-a10"), 1, "alphanumerics compare in ASCII");
	cr_assert_eq(cmp("1.0.0-999", "1.0.0-a"), -1, "numeric below alphanumeric");
	cr_assert_eq(cmp("1.0.0-Z", "1.0.0-a"), -1, "uppercase sorts before lowercase");
	cr_assert_eq(cmp("1.0.0-alpha", "1.0.0-alpha-1"), -1);
	cr_assert_eq(cmp("1.0.0-1.a", "1.0.0-1"), 1, "more identifiers win");
	cr_assert_eq(cmp("99999999999999999999.0.0", "9999999999999999999.0.0"), 1,
		     "no integer overflow");
	cr_assert_eq(cmp("18446744073709551617.0.0", "18446744073709551616.0.0"), 1);
	cr_assert_eq(cmp("0.0.0", "0.0.0-0"), 1);
}

Test(semver, invalid_input_refused)
{
	int c = 42;

	cr_assert_eq(fws_semver_compare("1.0", "1.0.0", &c), FWS_ESCHEMA);
	cr_assert_eq(fws_semver_compare("1.0.0", "01.0.0", &c), FWS_ESCHEMA);
	cr_assert_eq(fws_semver_compare(NULL, "1.0.0", &c), FWS_ESCHEMA);
	cr_assert_eq(c, 42, "result written on failure");
	cr_assert_eq(fws_semver_compare("1.0.0", "1.0.0", NULL), FWS_EUSAGE);
}
