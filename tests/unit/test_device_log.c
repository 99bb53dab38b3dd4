/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LOG-001, REQ-LOG-002, REQ-LOG-003 */
/* The audit log (lib/device/audit_log.c): the hash chain catches every
 * edited, removed, reordered or cut line, survives rotation and crashes,
 * and a line is exactly what docs/audit-log.md says it is. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/auditlog.h"
#include "fwseal/dirdevice.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "test_fs_helpers.h"

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
}

TestSuite(device_log, .init = setup, .timeout = 60);

/* --- helpers --- */

/* The directory backend's log store (DIR/log, DIR/log.1, DIR/log.head)
 * over a fresh device directory; its fs ops (be.fs) can be swapped at any
 * time to inject faults. */
struct logdir {
	char dir[64];
	struct fws_device dev;
	struct fws_dir_backend be;
	const struct fws_log_store *log;
};

static void backend_init(struct logdir *b)
{
	memset(b, 0, sizeof(*b));
	strcpy(b->dir, "/tmp/fwseal-log-XXXXXX");
	cr_assert_not_null(mkdtemp(b->dir));
	cr_assert_eq(fws_dir_device_open(&b->dev, &b->be, b->dir, NULL, 1), 0);
	b->log = b->dev.log;
	cr_assert_eq(b->log, &b->be.log);
}

static void backend_cleanup(struct logdir *b)
{
	fws_dir_device_close(&b->be);
	fs_rm_rf(b->dir);
}

static void path_in(char *out, size_t cap, const struct logdir *b, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", b->dir, name);
	cr_assert(n > 0 && (size_t)n < cap);
}

static int log_append(struct logdir *b, const struct fws_event *ev, int64_t time)
{
	return fws_audit_log_append(b->log, ev, time);
}

static uint64_t position(const struct logdir *b)
{
	uint64_t last = 99;
	int rc = fws_audit_log_position(b->log, &last);
	cr_assert_eq(rc, 0, "position: %s", fws_errname(rc));
	return last;
}

static void append(struct logdir *b, uint64_t i)
{
	uint8_t digest[32];
	char detail[64], version[32];
	memset(digest, (int)i, sizeof(digest));
	snprintf(detail, sizeof(detail), "event number %llu", (unsigned long long)i);
	snprintf(version, sizeof(version), "1.%llu.0", (unsigned long long)i);
	struct fws_event ev = {
	    i % 2 ? "install" : "boot", i % 3 ? 0 : FWS_EDIGEST, detail, version, i,
	    i % 2 ? 'b' : 'a',		i % 2 ? digest : NULL};
	int rc = log_append(b, &ev, 1767225600 + (int64_t)i);
	cr_assert_eq(rc, 0, "append %llu: %d", (unsigned long long)i, rc);
}

static void append_n(struct logdir *b, uint64_t n)
{
	for (uint64_t i = 1; i <= n; i++)
		append(b, i);
}

static char *slurp(const struct logdir *b, const char *name, size_t *len)
{
	char p[4200];
	FILE *f;
	path_in(p, sizeof(p), b, name);
	f = fopen(p, "rb");
	cr_assert_not_null(f, "open %s", p);
	char *buf = malloc(1 << 20);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void spill(const struct logdir *b, const char *name, const char *data, size_t len)
{
	char p[4200];
	FILE *f;
	path_in(p, sizeof(p), b, name);
	f = fopen(p, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* Offsets of the start of each line (1-based index i -> starts[i]). */
static size_t line_starts(const char *s, size_t len, size_t *starts, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (i == 0 || s[i - 1] == '\n') {
			cr_assert_lt(n + 1, cap);
			starts[++n] = i;
		}
	}
	starts[n + 1] = len;
	return n;
}

static int verify(const struct logdir *b, uint64_t *entries, uint64_t *bad)
{
	return fws_audit_log_verify(b->log, entries, bad);
}

static void expect_ok(const struct logdir *b, uint64_t want)
{
	uint64_t entries = 99, bad = 99;
	int rc = verify(b, &entries, &bad);
	cr_assert_eq(rc, 0, "verify: %d at line %llu", rc, (unsigned long long)bad);
	cr_assert_eq(entries, want, "entries %llu, want %llu", (unsigned long long)entries,
		     (unsigned long long)want);
}

static void expect_bad(const struct logdir *b, uint64_t want_line)
{
	uint64_t entries = 99, bad = 99;
	int rc = verify(b, &entries, &bad);
	cr_assert_eq(rc, FWS_ESTATE, "verify: %d, want FWS_ESTATE", rc);
	cr_assert_eq(bad, want_line, "bad line %llu, want %llu", (unsigned long long)bad,
		     (unsigned long long)want_line);
	cr_assert_eq(entries, 0);
}

struct collect {
	size_t n;
	char lines[64][2048];
};

static int collect_line(void *arg, const char *line, size_t len)
{
	struct collect *c = arg;
	cr_assert_lt(len, sizeof(c->lines[0]));
	if (c->n < 64) {
		memcpy(c->lines[c->n], line, len);
		c->lines[c->n][len] = '\0';
	}
	c->n++;
	return 0;
}

/* The documented hash, recomputed independently: SHA-256 (libsodium, not
 * the library's backend) of the line with its ,"hash":"..." member cut. */
static void check_line_hash(const char *line, char out_hash[65])
{
	const char *at = strstr(line, ",\"hash\":\"");
	cr_assert_not_null(at);
	size_t pre = (size_t)(at - line);
	cr_assert_eq(strlen(at), 9 + 64 + 2, "hash member is not last: %s", line);
	uint8_t *buf = malloc(pre + 1), d[32];
	memcpy(buf, line, pre);
	buf[pre] = '}';
	crypto_hash_sha256(d, buf, pre + 1);
	free(buf);
	fws_hex_encode(out_hash, d, 32);
	cr_assert_eq(strncmp(at + 9, out_hash, 64), 0, "hash of %s", line);
}

/* --- tests --- */

Test(device_log, empty_dir_is_an_empty_log)
{
	struct logdir b;
	backend_init(&b);
	expect_ok(&b, 0);
	struct collect *c = calloc(1, sizeof(*c));
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), 0);
	cr_assert_eq(c->n, 0);
	free(c);
	backend_cleanup(&b);
}

Test(device_log, append_then_verify_and_read)
{
	struct logdir b;
	struct collect *c = calloc(1, sizeof(*c));
	char prev[65], hash[65];

	backend_init(&b);
	append_n(&b, 10);
	expect_ok(&b, 10);
	cr_assert_eq(position(&b), 10);
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), 0);
	cr_assert_eq(c->n, 10);
	memset(prev, '0', 64);
	prev[64] = '\0';
	for (size_t i = 0; i < 10; i++) {
		char want[128];
		/* seq, chain and hash exactly as documented */
		snprintf(want, sizeof(want), "{\"seq\":%zu,\"time\":\"", i + 1);
		cr_assert_eq(strncmp(c->lines[i], want, strlen(want)), 0, "%s", c->lines[i]);
		snprintf(want, sizeof(want), ",\"prev\":\"%s\",\"hash\":\"", prev);
		cr_assert_not_null(strstr(c->lines[i], want), "%s", c->lines[i]);
		check_line_hash(c->lines[i], hash);
		memcpy(prev, hash, sizeof(prev));
	}
	/* the head names the last line: its seq and hash, and the first seq */
	size_t head_len;
	char *head = slurp(&b, "log.head", &head_len);
	char want_head[160];
	snprintf(want_head, sizeof(want_head), "{\"first\":1,\"hash\":\"%s\",\"seq\":10}\n", prev);
	cr_assert_str_eq(head, want_head);
	free(head);
	static const char first[] =
	    "{\"seq\":1,\"time\":\"2026-01-01T00:00:01Z\",\"action\":\"install\","
	    "\"result\":\"ok\",\"detail\":\"event number 1\",\"version\":\"1.1.0\","
	    "\"security_version\":1,\"slot\":\"b\",\"digest\":"
	    "\"0101010101010101010101010101010101010101010101010101010101010101\","
	    "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\","
	    "\"hash\":\"";
	cr_assert_eq(strncmp(c->lines[0], first, sizeof(first) - 1), 0, "%s", c->lines[0]);
	cr_assert_eq(strlen(c->lines[0]), sizeof(first) - 1 + 64 + 2);
	cr_assert_not_null(strstr(c->lines[2], "\"result\":\"FWS_EDIGEST\""));
	cr_assert_not_null(strstr(c->lines[1], "\"slot\":\"a\",\"digest\":\"\""));
	free(c);
	backend_cleanup(&b);
}

/* Every single-byte change anywhere in a middle line is caught, at that line. */
Test(device_log, every_byte_of_a_middle_line)
{
	struct logdir b;
	size_t len, starts[64];
	backend_init(&b);
	append_n(&b, 9);
	char *orig = slurp(&b, "log", &len);
	size_t n = line_starts(orig, len, starts, 64);
	cr_assert_eq(n, 9);
	char *copy = malloc(len);
	for (size_t off = starts[5]; off < starts[6] - 1; off++) {
		memcpy(copy, orig, len);
		copy[off] = (char)(copy[off] == 'x' ? 'y' : 'x');
		spill(&b, "log", copy, len);
		expect_bad(&b, 5);
	}
	/* and the newline itself: two lines glued together */
	memcpy(copy, orig, len);
	copy[starts[6] - 1] = ' ';
	spill(&b, "log", copy, len);
	expect_bad(&b, 5);
	spill(&b, "log", orig, len);
	expect_ok(&b, 9);
	free(copy);
	free(orig);
	backend_cleanup(&b);
}

Test(device_log, removed_line)
{
	struct logdir b;
	size_t len, starts[64];
	backend_init(&b);
	append_n(&b, 8);
	char *s = slurp(&b, "log", &len);
	line_starts(s, len, starts, 64);
	size_t cut = starts[5] - starts[4];
	memmove(s + starts[4], s + starts[5], len - starts[5]);
	spill(&b, "log", s, len - cut);
	expect_bad(&b, 4);
	free(s);
	backend_cleanup(&b);
}

Test(device_log, removed_first_line)
{
	struct logdir b;
	size_t len, starts[64];
	backend_init(&b);
	append_n(&b, 4);
	char *s = slurp(&b, "log", &len);
	line_starts(s, len, starts, 64);
	spill(&b, "log", s + starts[2], len - starts[2]);
	expect_bad(&b, 1); /* seq 2 first, and the head says the log starts at 1 */
	free(s);
	backend_cleanup(&b);
}

Test(device_log, swapped_lines)
{
	struct logdir b;
	size_t len, starts[64];
	backend_init(&b);
	append_n(&b, 8);
	char *s = slurp(&b, "log", &len);
	line_starts(s, len, starts, 64);
	char *out = malloc(len);
	size_t o = 0;
	for (size_t i = 1; i <= 8; i++) {
		size_t k = i == 3 ? 6 : i == 6 ? 3 : i;
		memcpy(out + o, s + starts[k], starts[k + 1] - starts[k]);
		o += starts[k + 1] - starts[k];
	}
	cr_assert_eq(o, len);
	spill(&b, "log", out, len);
	expect_bad(&b, 3);
	free(out);
	free(s);
	backend_cleanup(&b);
}

Test(device_log, cut_last_line)
{
	struct logdir b;
	size_t len, starts[64];
	backend_init(&b);
	append_n(&b, 6);
	char *s = slurp(&b, "log", &len);
	line_starts(s, len, starts, 64);
	/* half of the last line: that line is named */
	spill(&b, "log", s, starts[6] + (len - starts[6]) / 2);
	expect_bad(&b, 6);
	/* the whole last line: the head no longer matches */
	spill(&b, "log", s, starts[6]);
	expect_bad(&b, 0);
	/* the whole log */
	spill(&b, "log", s, 0);
	expect_bad(&b, 0);
	free(s);
	backend_cleanup(&b);
}

Test(device_log, head_missing_or_stale)
{
	struct logdir b;
	char p[4200];
	size_t head_len, len;
	backend_init(&b);
	append_n(&b, 5);
	char *head5 = slurp(&b, "log.head", &head_len);
	append_n(&b, 3);
	expect_ok(&b, 8);

	/* stale by three lines: no crash leaves that (an append writes the
	 * head forward before its line), so it is an edit: `log --verify`
	 * reports it and the append refuses to roll it forward (ADR-021
	 * reversed). */
	char *head8 = slurp(&b, "log.head", &len);
	spill(&b, "log.head", head5, head_len);
	expect_bad(&b, 0);
	struct fws_event ev = {"boot", 0, NULL, NULL, 0, 0, NULL};
	cr_assert_eq(log_append(&b, &ev, 0), FWS_ESTATE);
	uint64_t last;
	cr_assert_eq(fws_audit_log_position(b.log, &last), FWS_ESTATE);
	expect_bad(&b, 0);
	spill(&b, "log.head", head8, len);
	expect_ok(&b, 8);

	/* a head naming a line that is not in the chain is never rolled past */
	char *bogus = strdup(head8);
	char *h = strstr(bogus, "\"hash\":\"");
	cr_assert_not_null(h);
	h[9] = h[9] == 'a' ? 'b' : 'a';
	spill(&b, "log.head", bogus, len);
	expect_bad(&b, 0);
	cr_assert_eq(log_append(&b, &ev, 0), FWS_ESTATE);
	spill(&b, "log.head", head8, len);
	free(bogus);

	/* missing */
	path_in(p, sizeof(p), &b, "log.head");
	cr_assert_eq(unlink(p), 0);
	expect_bad(&b, 0);
	cr_assert_eq(log_append(&b, &ev, 0), FWS_ESTATE);

	/* garbage */
	spill(&b, "log.head", "{\"first\":1}\n", 12);
	expect_bad(&b, 0);
	cr_assert_eq(log_append(&b, &ev, 0), FWS_ESTATE);

	/* a head but no log */
	spill(&b, "log.head", head8, len);
	expect_ok(&b, 8);
	path_in(p, sizeof(p), &b, "log");
	cr_assert_eq(unlink(p), 0);
	expect_bad(&b, 0);
	cr_assert_eq(log_append(&b, &ev, 0), FWS_ESTATE);
	free(head5);
	free(head8);
	backend_cleanup(&b);
}

/* Two or more complete lines past the head are no crash remnant: verify,
 * position and append all refuse, and the append leaves every byte of the
 * log and the head as they were. */
Test(device_log, log_lines_ahead_of_head_estate_and_untouched_by_append)
{
	static const int ahead[] = {2, 3, 5};
	for (size_t k = 0; k < sizeof(ahead) / sizeof(ahead[0]); k++) {
		struct logdir b;
		size_t head_len, log_len, len;
		backend_init(&b);
		append_n(&b, 4);
		char *old_head = slurp(&b, "log.head", &head_len);
		append_n(&b, (uint64_t)ahead[k]);
		spill(&b, "log.head", old_head, head_len);
		char *log_before = slurp(&b, "log", &log_len);
		expect_bad(&b, 0);
		uint64_t last;
		cr_assert_eq(fws_audit_log_position(b.log, &last), FWS_ESTATE, "%d ahead",
			     ahead[k]);
		struct fws_event ev = {"install", 0, "after the edit", "9.9.9", 9, 'a', NULL};
		cr_assert_eq(log_append(&b, &ev, 0), FWS_ESTATE, "%d ahead", ahead[k]);
		char *log_after = slurp(&b, "log", &len);
		cr_assert(len == log_len && memcmp(log_after, log_before, len) == 0,
			  "%d ahead: the log changed", ahead[k]);
		char *head_after = slurp(&b, "log.head", &len);
		cr_assert(len == head_len && memcmp(head_after, old_head, len) == 0,
			  "%d ahead: the head was rolled forward", ahead[k]);
		free(old_head);
		free(log_before);
		free(log_after);
		free(head_after);
		backend_cleanup(&b);
	}
}

/* Exactly one complete line past the head is what an append cut off
 * between its line and its head leaves: tolerated, and the next append
 * writes the head forward onto it durably BEFORE it appends, so a crash
 * during that append can never leave two lines past the head. */
Test(device_log, one_line_ahead_append_heals_head_first)
{
	struct logdir b;
	size_t head4_len, head5_len, log_len, len;
	backend_init(&b);
	append_n(&b, 4);
	char *head4 = slurp(&b, "log.head", &head4_len);
	append(&b, 5);
	char *head5 = slurp(&b, "log.head", &head5_len);
	spill(&b, "log.head", head4, head4_len); /* line 5 is the remnant */
	expect_ok(&b, 5);
	cr_assert_eq(position(&b), 5);
	char *log5 = slurp(&b, "log", &log_len);

	/* The append's own line cannot be written: the head was already
	 * rolled forward onto line 5, and nothing else changed. */
	struct fault_fs f = {FOP_WRITE, "log", 0, EIO};
	b.be.fs = fault_ops(&f);
	struct fws_event ev = {"boot", 0, NULL, NULL, 0, 'a', NULL};
	cr_assert_eq(log_append(&b, &ev, 0), FWS_EIO);
	cr_assert_geq(f.faults, 1, "the line write was reached");
	b.be.fs = (struct fws_fs_ops){0};
	char *head_now = slurp(&b, "log.head", &len);
	cr_assert(len == head5_len && memcmp(head_now, head5, len) == 0,
		  "the head names line 5: %s", head_now);
	char *log_now = slurp(&b, "log", &len);
	cr_assert(len == log_len && memcmp(log_now, log5, len) == 0, "the log is unchanged");
	expect_ok(&b, 5);

	/* and a clean append carries on from line 5 */
	append(&b, 6);
	expect_ok(&b, 6);
	cr_assert_eq(position(&b), 6);
	free(head4);
	free(head5);
	free(head_now);
	free(log5);
	free(log_now);
	backend_cleanup(&b);
}

/* A crash after the line was written but before the head was replaced
 * (every operation from the head's rename on fails, so even the undo
 * cannot run): the log is one line ahead of the head, which chains to it.
 * Accepted, and the next append carries on from the line. */
Test(device_log, crash_between_line_and_head)
{
	struct logdir b;
	backend_init(&b);
	append_n(&b, 4);
	struct fault_fs f = {FOP_RENAME, "log.head", 0, EIO, 1};
	b.be.fs = fault_ops(&f);
	struct fws_event ev = {"mark-good", 0, NULL, "1.5.0", 5, 'b', NULL};
	cr_assert_eq(log_append(&b, &ev, 0), FWS_EIO);
	b.be.fs = (struct fws_fs_ops){0};
	expect_ok(&b, 5);
	cr_assert_eq(position(&b), 5);
	append(&b, 6);
	expect_ok(&b, 6);
	cr_assert_eq(position(&b), 6);
	struct collect *c = calloc(1, sizeof(*c));
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), 0);
	cr_assert_eq(c->n, 6);
	cr_assert_not_null(strstr(c->lines[4], "\"action\":\"mark-good\""), "%s", c->lines[4]);
	free(c);
	backend_cleanup(&b);
}

/* An append whose head cannot be written is undone: whichever step of the
 * head's replacement fails (and however: an I/O error or a full disk),
 * the log and the head keep every byte they had, the error says why, and
 * the next append works. */
Test(device_log, head_write_failing_leaves_log_bytes_unchanged)
{
	static const struct {
		enum fault_op op;
		const char *name;
		int err;
		int want;
	} cases[] = {
	    {FOP_OPEN, ".log.head.*", EIO, FWS_EIO},
	    {FOP_OPEN, ".log.head.*", ENOSPC, FWS_ENOSPC},
	    {FOP_WRITE, ".log.head.*", EIO, FWS_EIO},
	    {FOP_WRITE, ".log.head.*", ENOSPC, FWS_ENOSPC},
	    {FOP_WRITE, ".log.head.*", EDQUOT, FWS_ENOSPC},
	    {FOP_FSYNC, ".log.head.*", EIO, FWS_EIO},
	    {FOP_RENAME, "log.head", EIO, FWS_EIO},
	    {FOP_RENAME, "log.head", ENOSPC, FWS_ENOSPC},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct logdir b;
		size_t log_len, head_len, len;
		backend_init(&b);
		append_n(&b, 3);
		char *log_before = slurp(&b, "log", &log_len);
		char *head_before = slurp(&b, "log.head", &head_len);
		struct fault_fs f = {cases[k].op, cases[k].name, 0, cases[k].err};
		b.be.fs = fault_ops(&f);
		struct fws_event ev = {"install", 0, "lost", "2.0.0", 2, 'b', NULL};
		int rc = log_append(&b, &ev, 0);
		b.be.fs = (struct fws_fs_ops){0};
		cr_assert_geq(f.faults, 1, "case %zu: fault never reached", k);
		cr_assert_eq(rc, cases[k].want, "case %zu: %s", k, fws_errname(rc));
		char *log_after = slurp(&b, "log", &len);
		cr_assert(len == log_len && memcmp(log_after, log_before, len) == 0,
			  "case %zu: the log kept the undone line", k);
		char *head_after = slurp(&b, "log.head", &len);
		cr_assert(len == head_len && memcmp(head_after, head_before, len) == 0,
			  "case %zu: the head changed", k);
		expect_ok(&b, 3);
		char list[1024];
		fs_list(b.dir, list, sizeof(list));
		cr_assert_str_eq(list, "a b log log.head", "case %zu: left behind: %s", k, list);
		append(&b, 4);
		expect_ok(&b, 4);
		free(log_before);
		free(head_before);
		free(log_after);
		free(head_after);
		backend_cleanup(&b);
	}
}

/* The head's rename went through but the directory fsync after it failed:
 * the head already names the new line, so undoing the line would leave a
 * head past the end of the log (FWS_ESTATE for every later operation).
 * The log must stay consistent and the device able to append. */
Test(device_log, head_dir_fsync_failing_keeps_log_consistent)
{
	struct logdir b;
	backend_init(&b);
	append_n(&b, 3);
	/* once the log exists, the first fsync of a descriptor not opened
	 * through the ops is the head's directory fsync */
	struct fault_fs f = {FOP_FSYNC, "", 1, EIO};
	b.be.fs = fault_ops(&f);
	struct fws_event ev = {"install", 0, "kept?", "2.0.0", 2, 'b', NULL};
	int rc = log_append(&b, &ev, 0);
	b.be.fs = (struct fws_fs_ops){0};
	cr_assert_eq(f.faults, 1);
	cr_assert_eq(rc, FWS_EIO, "a durability failure is reported: %s", fws_errname(rc));
	uint64_t entries = 0, bad = 0;
	rc = fws_audit_log_verify(b.log, &entries, &bad);
	cr_assert_eq(rc, 0, "log broken by a failed directory fsync: %s at %llu", fws_errname(rc),
		     (unsigned long long)bad);
	cr_assert(entries == 3 || entries == 4, "%llu", (unsigned long long)entries);
	append(&b, 5);
	expect_ok(&b, entries + 1);
	backend_cleanup(&b);
}

/* A full disk (or quota) anywhere on the append path is FWS_ENOSPC, and
 * the log is as it was. */
Test(device_log, enospc_from_fs_ops_is_fws_enospc)
{
	static const struct {
		enum fault_op op;
		const char *name;
		int err;
		int write_zero;
	} cases[] = {
	    {FOP_WRITE, "log", ENOSPC, 0}, {FOP_WRITE, "log", EDQUOT, 0},
	    {FOP_WRITE, "log", 0, 1}, /* a write that makes no progress */
	    {FOP_FSYNC, "log", ENOSPC, 0}, {FOP_OPEN, "log", ENOSPC, 0},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct logdir b;
		size_t log_len, len;
		backend_init(&b);
		append_n(&b, 2);
		char *before = slurp(&b, "log", &log_len);
		struct fault_fs f = {cases[k].op, cases[k].name, 0, cases[k].err};
		f.write_zero = cases[k].write_zero;
		b.be.fs = fault_ops(&f);
		struct fws_event ev = {"boot", 0, NULL, NULL, 0, 'a', NULL};
		int rc = log_append(&b, &ev, 0);
		b.be.fs = (struct fws_fs_ops){0};
		cr_assert_geq(f.faults, 1, "case %zu", k);
		cr_assert_eq(rc, FWS_ENOSPC, "case %zu: %s", k, fws_errname(rc));
		char *after = slurp(&b, "log", &len);
		cr_assert(len == log_len && memcmp(after, before, len) == 0, "case %zu", k);
		expect_ok(&b, 2);
		free(before);
		free(after);
		backend_cleanup(&b);
	}
}

/* DIR/log is the one file written in place, so whatever is planted at
 * that name makes the append refuse (FWS_EUNSAFE) rather than write
 * through it: a hard link to a file outside (either way round), a
 * symbolic link, a FIFO, a directory, a log of someone else. The file
 * outside and the device's own files never change. */
enum plant { P_LINK_OUT, P_LINK_IN_EMPTY, P_LINK_IN_TORN, P_SYMLINK, P_FIFO, P_DIR, P_OTHER_UID };

Test(device_log, planted_at_log_never_appended_through)
{
	static const struct {
		enum plant how;
		const char *what;
	} cases[] = {
	    {P_LINK_OUT, "DIR/log hard-linked to a file outside"},
	    {P_LINK_IN_EMPTY, "an empty file outside linked in as DIR/log"},
	    {P_LINK_IN_TORN, "a file outside whose tail looks torn (truncate path)"},
	    {P_SYMLINK, "a symbolic link"},
	    {P_FIFO, "a FIFO"},
	    {P_DIR, "a directory"},
	    {P_OTHER_UID, "a log owned by another uid"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct logdir b;
		char victim[4200], logp[4200];
		backend_init(&b);
		snprintf(victim, sizeof(victim), "%s.victim", b.dir);
		path_in(logp, sizeof(logp), &b, "log");
		switch (cases[k].how) {
		case P_LINK_OUT:
			append_n(&b, 2);
			cr_assert_eq(link(logp, victim), 0);
			break;
		case P_LINK_IN_EMPTY:
			fs_spill(victim, "", 0, 0644);
			cr_assert_eq(link(victim, logp), 0);
			break;
		case P_LINK_IN_TORN:
			fs_spill_str(victim, "root:x:0:0");
			cr_assert_eq(link(victim, logp), 0);
			break;
		case P_SYMLINK:
			fs_spill(victim, "", 0, 0644);
			cr_assert_eq(symlink(victim, logp), 0);
			break;
		case P_FIFO:
			cr_assert_eq(mkfifo(logp, 0644), 0);
			break;
		case P_DIR:
			cr_assert_eq(mkdir(logp, 0755), 0);
			break;
		case P_OTHER_UID:
			append_n(&b, 2);
			cr_assert_eq(chown(logp, 12345, 12345), 0);
			break;
		}
		char *before = fs_exists(victim) ? fs_fingerprint(victim) : NULL;
		char *dir_before = fs_fingerprint(b.dir);
		struct fws_event ev = {"install", 0, "through the link", "6.6.6", 6, 'a', NULL};
		int rc = log_append(&b, &ev, 0);
		cr_assert_eq(rc, FWS_EUNSAFE, "%s: %s", cases[k].what, fws_errname(rc));
		cr_assert_eq(fws_diag_last()->code, FWS_EUNSAFE, "%s", cases[k].what);
		if (before != NULL) {
			char *after = fs_fingerprint(victim);
			cr_assert_str_eq(after, before, "%s: the file outside changed",
					 cases[k].what);
			free(after);
		}
		char *dir_after = fs_fingerprint(b.dir);
		cr_assert_str_eq(dir_after, dir_before, "%s: the device changed", cases[k].what);
		free(before);
		free(dir_before);
		free(dir_after);
		backend_cleanup(&b);
		unlink(victim);
	}
}

/* A torn write (crash in the middle of the line: half the bytes reach
 * the disk, then nothing works any more, not even the undo): the
 * newline-less tail was never committed. Readers skip it, the next append
 * cuts it off. */
Test(device_log, torn_append)
{
	struct logdir b;
	struct collect *c = calloc(1, sizeof(*c));
	backend_init(&b);
	append_n(&b, 3);
	struct fault_fs f = {FOP_WRITE, "log", 0, EIO, 1};
	f.torn = 1;
	b.be.fs = fault_ops(&f);
	struct fws_event ev = {"install", 0, "torn", "2.0.0", 7, 'a', NULL};
	cr_assert_eq(log_append(&b, &ev, 0), FWS_EIO);
	b.be.fs = (struct fws_fs_ops){0};
	size_t len;
	char *raw = slurp(&b, "log", &len);
	cr_assert_neq(raw[len - 1], '\n', "the torn tail is on disk");
	free(raw);
	expect_ok(&b, 3);
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), 0);
	cr_assert_eq(c->n, 3);
	append(&b, 4);
	expect_ok(&b, 4);
	c->n = 0;
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), 0);
	cr_assert_eq(c->n, 4);
	cr_assert_null(strstr(c->lines[3], "torn"));
	free(c);
	backend_cleanup(&b);
}

/* A torn write the append itself sees fail is undone at once: the log
 * keeps exactly its old bytes. */
Test(device_log, torn_append_undone_when_the_undo_can_run)
{
	struct logdir b;
	size_t before_len, len;
	backend_init(&b);
	append_n(&b, 3);
	char *before = slurp(&b, "log", &before_len);
	struct fault_fs f = {FOP_WRITE, "log", 1, EIO};
	f.torn = 1;
	b.be.fs = fault_ops(&f);
	struct fws_event ev = {"install", 0, "torn", "2.0.0", 7, 'a', NULL};
	cr_assert_eq(log_append(&b, &ev, 0), FWS_EIO);
	b.be.fs = (struct fws_fs_ops){0};
	char *after = slurp(&b, "log", &len);
	cr_assert(len == before_len && memcmp(after, before, len) == 0);
	expect_ok(&b, 3);
	free(before);
	free(after);
	backend_cleanup(&b);
}

static int stop(void *arg, const char *line, size_t len)
{
	(void)line;
	(void)len;
	size_t *count = arg;
	return ++*count == 2 ? 42 : 0;
}

Test(device_log, read_stops_on_callback_result)
{
	struct logdir b;
	backend_init(&b);
	append_n(&b, 3);
	size_t count = 0;
	cr_assert_eq(fws_audit_log_read(b.log, stop, &count), 42);
	cr_assert_eq(count, 2);
	backend_cleanup(&b);
}

/* Untrusted text (a detail can carry a file name or a version from a
 * refused bundle) never breaks the line or reaches a terminal raw. */
Test(device_log, escaping_and_truncation)
{
	struct logdir b;
	struct collect *c = calloc(1, sizeof(*c));
	char *big = malloc(5001);
	backend_init(&b);

	struct fws_event ev = {"install", FWS_EHARDWARE, "a\"b\\c\nd\x1b[2Je\xc3\xa9", "1.0.0", 1,
			       0,	  NULL};
	cr_assert_eq(log_append(&b, &ev, 0), 0);
	memset(big, '"', 5000);
	big[5000] = '\0';
	ev.detail = big;
	ev.version = big; /* long versions are cut too */
	cr_assert_eq(log_append(&b, &ev, -5), 0);
	expect_ok(&b, 2);
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), 0);
	cr_assert_eq(c->n, 2);
	cr_assert_not_null(strstr(c->lines[0], "\"detail\":\"a\\\"b\\\\c\\u000ad\\u001b[2Je??\""),
			   "%s", c->lines[0]);
	cr_assert_not_null(strstr(c->lines[0], "\"time\":\"unknown\""));
	cr_assert_not_null(strstr(c->lines[0], "\"result\":\"FWS_EHARDWARE\""));
	cr_assert_not_null(strstr(c->lines[0], "\"slot\":\"\""));
	cr_assert_lt(strlen(c->lines[1]), 2048);
	cr_assert_not_null(strstr(c->lines[1], "\\\"...\",\"version\""));
	for (size_t i = 0; i < 2; i++) {
		for (const char *p = c->lines[i]; *p; p++)
			cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
		json_error_t err;
		json_t *doc = json_loads(c->lines[i], JSON_REJECT_DUPLICATES, &err);
		cr_assert_not_null(doc, "line %zu is not JSON: %s", i, err.text);
		json_decref(doc);
	}
	free(big);
	free(c);
	backend_cleanup(&b);
}

/* Another spelling of the same JSON, even with a correct hash and head,
 * is refused: what is hashed is what is shown. */
Test(device_log, non_canonical_line_refused)
{
	struct logdir b;
	struct collect *c = calloc(1, sizeof(*c));
	char hash[65], head[256], line[2100];
	backend_init(&b);
	struct fws_event ev = {"install", 0, NULL, NULL, 0, 0, NULL};
	cr_assert_eq(log_append(&b, &ev, 0), 0);
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), 0);

	/* rewrite "install" as "\u0069nstall" and re-hash by the definition */
	char *at = strstr(c->lines[0], "\"install\"");
	cr_assert_not_null(at);
	char *h = strstr(c->lines[0], ",\"hash\":\"");
	*h = '\0';
	snprintf(line, sizeof(line), "%.*s\"\\u0069nstall\"%s}", (int)(at - c->lines[0]),
		 c->lines[0], at + 9);
	uint8_t d[32];
	crypto_hash_sha256(d, (const uint8_t *)line, strlen(line));
	fws_hex_encode(hash, d, 32);
	line[strlen(line) - 1] = '\0';
	size_t n = strlen(line);
	snprintf(line + n, sizeof(line) - n, ",\"hash\":\"%s\"}\n", hash);
	spill(&b, "log", line, strlen(line));
	snprintf(head, sizeof(head), "{\"first\":1,\"hash\":\"%s\",\"seq\":1}\n", hash);
	spill(&b, "log.head", head, strlen(head));
	expect_bad(&b, 1);
	free(c);
	backend_cleanup(&b);
}

Test(device_log, overlong_line_refused)
{
	struct logdir b;
	backend_init(&b);
	char *s = malloc(5000);
	memset(s, 'a', 4999);
	s[4999] = '\n';
	spill(&b, "log", s, 5000);
	expect_bad(&b, 1);
	struct collect *c = calloc(1, sizeof(*c));
	cr_assert_eq(fws_audit_log_read(b.log, collect_line, c), FWS_ESTATE);
	free(c);
	free(s);
	backend_cleanup(&b);
}

static int no_fsync(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	return 0;
}

static off_t file_size(const struct logdir *b, const char *name)
{
	char p[4200];
	struct stat sb;
	path_in(p, sizeof(p), b, name);
	if (stat(p, &sb) != 0)
		return -1;
	return sb.st_size;
}

/* Rotation keeps the log bounded and the chain verifiable across log.1
 * and log; what rotation dropped is gone, but cutting the front of what is
 * kept is still caught. */
Test(device_log, rotation)
{
	struct logdir b;
	char detail[1001];
	uint64_t total = 0, entries = 0, bad = 0;
	backend_init(&b);
	b.be.fs.fsync = no_fsync; /* speed: durability is not what is tested here */
	memset(detail, 'r', 1000);
	detail[1000] = '\0';
	struct fws_event ev = {"boot", 0, detail, "1.0.0", 1, 'a', NULL};
	/* about 200 lines per file: three rotations */
	while (total < 700) {
		cr_assert_eq(log_append(&b, &ev, 1767225600), 0);
		total++;
		cr_assert_leq(file_size(&b, "log"), FWS_LOG_ROTATE_BYTES);
		cr_assert_leq(file_size(&b, "log.1"), FWS_LOG_ROTATE_BYTES);
	}
	cr_assert_gt(file_size(&b, "log.1"), 0);
	cr_assert_eq(verify(&b, &entries, &bad), 0, "bad line %llu", (unsigned long long)bad);
	cr_assert_lt(entries, total);
	cr_assert_gt(entries, 200);
	cr_assert_eq(position(&b), total);

	size_t len1, len0, starts[1024];
	char *old = slurp(&b, "log.1", &len1);
	char *cur = slurp(&b, "log", &len0);
	size_t n1 = line_starts(old, len1, starts, 1024);
	cr_assert_eq(strncmp(old, "{\"seq\":1,", 9) != 0, 1, "rotation kept seq 1?");

	/* the front of log.1 cut: caught (the head records the lowest seq) */
	spill(&b, "log.1", old + starts[2], len1 - starts[2]);
	expect_bad(&b, 1);
	/* log.1 gone entirely: log's first line is newer than the head allows */
	char p[4200];
	path_in(p, sizeof(p), &b, "log.1");
	cr_assert_eq(unlink(p), 0);
	expect_bad(&b, 1);
	/* the link across the two files: log's first line edited */
	spill(&b, "log.1", old, len1);
	char saved = cur[20];
	cur[20] = saved == 'x' ? 'y' : 'x';
	spill(&b, "log", cur, len0);
	expect_bad(&b, n1 + 1);
	cur[20] = saved;
	spill(&b, "log", cur, len0);
	expect_ok(&b, entries);
	free(old);
	free(cur);
	backend_cleanup(&b);
}

/* Crashes around a rotation: before the rename, and after the rename but
 * before the new log's first line. Each leaves a verifiable log and the
 * next append carries on. */
Test(device_log, crash_during_rotation)
{
	struct logdir b;
	char detail[1001];
	uint64_t n = 0;
	int crashed = 0;
	backend_init(&b);
	b.be.fs.fsync = no_fsync;
	memset(detail, 'q', 1000);
	detail[1000] = '\0';
	struct fws_event ev = {"boot", 0, detail, "1.0.0", 1, 'a', NULL};
	/* fill log up to just before its first rotation */
	while (file_size(&b, "log") < 0 ||
	       file_size(&b, "log") + 2 * 1400 <= FWS_LOG_ROTATE_BYTES) {
		cr_assert_eq(log_append(&b, &ev, 0), 0);
		n++;
	}
	for (int i = 0; i < 4 && file_size(&b, "log.1") < 0; i++) {
		struct fault_fs rename_fails = {FOP_RENAME, "log.1", 0, EIO};
		b.be.fs = fault_ops(&rename_fails);
		b.be.fs.fsync = no_fsync;
		int rc = log_append(&b, &ev, 0);
		if (rc == 0) {
			n++;
			continue;
		}
		cr_assert_eq(rc, FWS_EIO);
		crashed = 1;
		expect_ok(&b, n);
		struct fault_fs open_fails = {FOP_OPEN, "log", 0, EIO};
		b.be.fs = fault_ops(&open_fails);
		b.be.fs.fsync = no_fsync;
		cr_assert_eq(log_append(&b, &ev, 0), FWS_EIO);
		cr_assert_gt(file_size(&b, "log.1"), 0, "the rename happened");
		cr_assert_lt(file_size(&b, "log"), 0, "no new log yet");
		expect_ok(&b, n);
	}
	b.be.fs = (struct fws_fs_ops){0};
	b.be.fs.fsync = no_fsync;
	cr_assert_gt(file_size(&b, "log.1"), 0, "never rotated");
	cr_assert(crashed, "the rotation crash was never reached");
	cr_assert_eq(log_append(&b, &ev, 0), 0);
	n++;
	expect_ok(&b, n);
	cr_assert_eq(position(&b), n);
	backend_cleanup(&b);
}
