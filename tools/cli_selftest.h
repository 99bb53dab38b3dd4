/* SPDX-License-Identifier: Apache-2.0 */
/* The selftest command shared by fwseal and fwseal-verify (cli_selftest.c):
 * the table, or the qualification record (--json, docs/qualification.md). */
#ifndef FWSEAL_TOOLS_CLI_SELFTEST_H
#define FWSEAL_TOOLS_CLI_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

struct cli;

/* A library only one tool links (libarchive in fwseal), named in the record. */
struct cli_version {
	const char *name;
	const char *version;
};

/* Runs the self-test and prints it. trusted_time <= 0: the date is
 * "unknown"; time_source says where a trusted time came from. Returns the
 * exit status (0, or |FWS_EINTERNAL| when a case failed). */
int cli_selftest(struct cli *c, const struct cli_version *extra, size_t n_extra,
		 int64_t trusted_time, const char *time_source);

/* The --json fields, for the command tables (--help and the man pages). */
#define CLI_SELFTEST_JSON                                                                     \
	"record           \"fwseal-qualification 1\" (docs/qualification.md)\n"                  \
	"tool, tool_version, commit  what ran (commit: null outside git)\n"                     \
	"library, sha256  version and SHA-256 backend of this build\n"                          \
	"libraries        {name: version} of the libraries linked at run time\n"               \
	"date             the trusted time, or \"unknown\"; date_source says which\n"           \
	"machine_clock    the machine's clock (not trusted)\n"                                  \
	"cases            [{group, name, what, expected, got, pass}]\n"                         \
	"total, passed, failed  counts\n"                                                       \
	"result           \"pass\" or \"fail\""

#endif
