/* SPDX-License-Identifier: Apache-2.0 */
/* `selftest` of fwseal and fwseal-verify: runs fws_selftest_run and prints
 * the cases as a table, or with --json the installation / operational
 * qualification record a manufacturer files (docs/qualification.md): which
 * tool, version and commit ran, the versions of the libraries linked at run
 * time, each case with its result, the date and where it came from, and the
 * overall result. One implementation for both tools, so the record of the
 * signing machine and of the device have the same shape.
 *
 * The date is never taken from the machine clock alone: a device clock may
 * be wrong (docs/threat-model.md), so the record says "unknown" unless the
 * caller has a trusted time; the clock is recorded beside it, labelled. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "cli.h"
#include "cli_selftest.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "fwseal/selftest.h"
#include "fwseal/sha256.h"

#ifndef FWS_GIT_COMMIT
#define FWS_GIT_COMMIT ""
#endif

/* The record's format: a reader checks this before anything else. */
#define RECORD_FORMAT "fwseal-qualification 1"

static void row(void *ctx, const struct fws_selftest_case *k)
{
	struct cli *c = ctx;
	if (c->json) {
		json_t *e = json_object();
		json_object_set_new(e, "group", json_string(k->group));
		json_object_set_new(e, "name", json_string(k->name));
		json_object_set_new(e, "what", json_string(k->what));
		json_object_set_new(e, "expected", json_string(fws_errname(k->expected)));
		json_object_set_new(e, "got", json_string(fws_errname(k->got)));
		json_object_set_new(e, "pass", json_boolean(k->pass));
		json_array_append_new(json_object_get(c->out, "cases"), e);
	} else {
		printf("%-6s %-30s %-18s %-18s %s\n", k->group, k->name, fws_errname(k->expected),
		       fws_errname(k->got), k->pass ? "pass" : "FAIL");
	}
}

/* The libraries as linked at run time (not the headers compiled against). */
static json_t *libraries(const struct cli_version *extra, size_t n_extra)
{
	json_t *o = json_object();
	json_object_set_new(o, "libfwseal", json_string(fws_version()));
	json_object_set_new(o, "libsodium", json_string(sodium_version_string()));
	if (strcmp(fws_sha256_backend(), "libsodium") != 0)
		json_object_set_new(o, fws_sha256_backend(),
				    json_string(fws_sha256_backend_version()));
	json_object_set_new(o, "zlib", json_string(zlibVersion()));
	json_object_set_new(o, "jansson", json_string(jansson_version_str()));
	for (size_t i = 0; i < n_extra; i++)
		json_object_set_new(o, extra[i].name, json_string(extra[i].version));
	return o;
}

static void libraries_text(const struct cli_version *extra, size_t n_extra)
{
	printf("libraries: libsodium %s", sodium_version_string());
	if (strcmp(fws_sha256_backend(), "libsodium") != 0)
		printf(", %s %s", fws_sha256_backend(), fws_sha256_backend_version());
	printf(", zlib %s, jansson %s", zlibVersion(), jansson_version_str());
	for (size_t i = 0; i < n_extra; i++)
		printf(", %s %s", extra[i].name, extra[i].version);
	printf("\n");
}

int cli_selftest(struct cli *c, const struct cli_version *extra, size_t n_extra,
		 int64_t trusted_time, const char *time_source)
{
	struct fws_selftest_summary sum;
	char date[21] = "unknown", clock_s[21] = "unknown";
	time_t now = time(NULL);

	if (trusted_time <= 0 || fws_time_format(trusted_time, date) != 0) {
		strcpy(date, "unknown");
		time_source = "none: no trusted time was given";
	}
	if (now <= 0 || fws_time_format((int64_t)now, clock_s) != 0)
		strcpy(clock_s, "unknown");
	if (c->json) {
		cli_json_set(c, "record", json_string(RECORD_FORMAT));
		cli_json_set(c, "tool", json_string(cli_prog));
		cli_json_set(c, "tool_version", json_string(fws_version()));
		cli_json_set(c, "commit", cli_json_str(FWS_GIT_COMMIT));
		cli_json_set(c, "library", json_string(fws_version()));
		cli_json_set(c, "sha256", json_string(fws_sha256_backend()));
		cli_json_set(c, "libraries", libraries(extra, n_extra));
		cli_json_set(c, "date", json_string(date));
		cli_json_set(c, "date_source", json_string(time_source));
		cli_json_set(c, "machine_clock", json_string(clock_s));
		cli_json_set(c, "cases", json_array());
	} else {
		printf("%s selftest: libfwseal %s, sha256 backend %s%s%s\n", cli_prog, fws_version(),
		       fws_sha256_backend(), FWS_GIT_COMMIT[0] ? ", commit " : "", FWS_GIT_COMMIT);
		libraries_text(extra, n_extra);
		printf("date: %s (%s); machine clock %s\n", date, time_source, clock_s);
		printf("%-6s %-30s %-18s %-18s %s\n", "GROUP", "CASE", "EXPECTED", "GOT", "RESULT");
	}
	int rc = fws_selftest_run(row, c, &sum);
	if (c->json) {
		cli_json_set(c, "total", json_integer((json_int_t)sum.total));
		cli_json_set(c, "passed", json_integer((json_int_t)sum.passed));
		cli_json_set(c, "failed", json_integer((json_int_t)sum.failed));
		cli_json_set(c, "result", json_string(rc == 0 ? "pass" : "fail"));
	} else {
		printf("%zu cases: %zu passed, %zu failed: %s\n", sum.total, sum.passed, sum.failed,
		       rc == 0 ? "PASS" : "FAIL");
	}
	if (rc == 0)
		return 0;
	return cli_fail_why("selftest", FWS_EINTERNAL, NULL, "%zu of %zu cases failed", sum.failed,
			    sum.total);
}
