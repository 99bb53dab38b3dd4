/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the audit-log decoder (lib/device/audit_log.c: line and head
 * decoding, the chain walk over two segments) through its public calls, on
 * a whole stored log (tests/fuzz/fuzz_logstore.h gives the input layout).
 * Properties: defined result codes; a log that verifies reads back exactly
 * as many lines as it has, each one JSON line; its position is known, and
 * an appended line verifies too, one line further on (what the device
 * does next). */
#include "fuzz_common.h"
#include "fuzz_logstore.h"
#include "fwseal/auditlog.h"

static int count_line(void *arg, const char *line, size_t len)
{
	size_t *n = arg;
	FUZZ_CHECK(len > 1 && line[0] == '{' && line[len - 1] == '}', "a line is one JSON object");
	FUZZ_CHECK(memchr(line, '\n', len) == NULL, "a line holds no newline");
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_log l;
	uint64_t entries = 0, bad = 0, last = 0, entries2 = 0;
	size_t lines = 0;
	fuzz_init();
	if (fl_load(&l, data, size) != 0) {
		fl_free(&l);
		return 0;
	}
	struct fws_log_store s = fl_store(&l);
	int rc = fws_audit_log_verify(&s, &entries, &bad);
	fuzz_check_code(rc);
	int pos = fws_audit_log_position(&s, &last);
	fuzz_check_code(pos);
	if (rc != 0) {
		/* position reads the tail only (an append costs the same
		 * however long the log is): it may still answer. */
		fl_free(&l);
		return 0;
	}
	int rd = fws_audit_log_read(&s, count_line, &lines);
	FUZZ_CHECK(rd == 0, "a verified log reads");
	FUZZ_CHECK(lines == entries, "it reads as many lines as it verified");
	FUZZ_CHECK(pos == 0, "a verified log has a position");
	struct fws_event ev = {"fuzz", 0, "detail \"quoted\"\n", "1.0.0", 1, 'a', NULL, NULL};
	int ap = fws_audit_log_append(&s, &ev, 1700000000);
	fuzz_check_code(ap);
	if (ap == 0) {
		uint64_t now = 0;
		FUZZ_CHECK(fws_audit_log_verify(&s, &entries2, &bad) == 0,
			   "a verified log with one appended line verifies");
		FUZZ_CHECK(fws_audit_log_position(&s, &now) == 0 && now == last + 1,
			   "the appended line is the next one");
	}
	fl_free(&l);
	return 0;
}
