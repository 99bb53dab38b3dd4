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

#include "device/audit_log.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
}

TestSuite(device_log, .init = setup, .timeout = 60);

/* --- helpers --- */

static void backend_init(struct fws_dir_backend *b)
{
	char tmpl[] = "/tmp/fwseal-log-XXXXXX";
	memset(b, 0, sizeof(*b));
	cr_assert_not_null(mkdtemp(tmpl));
	snprintf(b->dir, sizeof(b->dir), "%s", tmpl);
}

static void backend_cleanup(struct fws_dir_backend *b)
{
	static const char *const names[] = {"log", "log.1", "log.head", "log.head.tmp", "saved"};
	char p[4200];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", b->dir, names[i]);
		unlink(p);
	}
	rmdir(b->dir);
}

static void path_in(char *out, size_t cap, const struct fws_dir_backend *b, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", b->dir, name);
	cr_assert(n > 0 && (size_t)n < cap);
}

static void append(struct fws_dir_backend *b, uint64_t i)
{
	uint8_t digest[32];
	char detail[64], version[32];
	memset(digest, (int)i, sizeof(digest));
	snprintf(detail, sizeof(detail), "event number %llu", (unsigned long long)i);
	snprintf(version, sizeof(version), "1.%llu.0", (unsigned long long)i);
	struct fws_event ev = {
	    i % 2 ? "install" : "boot", i % 3 ? 0 : FWS_EDIGEST, detail, version, i,
	    i % 2 ? 'b' : 'a',		i % 2 ? digest : NULL};
	int rc = fws_dir_log_append(b, &ev, 1767225600 + (int64_t)i);
	cr_assert_eq(rc, 0, "append %llu: %d", (unsigned long long)i, rc);
}

static void append_n(struct fws_dir_backend *b, uint64_t n)
{
	for (uint64_t i = 1; i <= n; i++)
		append(b, i);
}

static char *slurp(const struct fws_dir_backend *b, const char *name, size_t *len)
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

static void spill(const struct fws_dir_backend *b, const char *name, const char *data, size_t len)
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

static int verify(const struct fws_dir_backend *b, uint64_t *entries, uint64_t *bad)
{
	return fws_audit_log_verify(b->dir, entries, bad);
}

static void expect_ok(const struct fws_dir_backend *b, uint64_t want)
{
	uint64_t entries = 99, bad = 99;
	int rc = verify(b, &entries, &bad);
	cr_assert_eq(rc, 0, "verify: %d at line %llu", rc, (unsigned long long)bad);
	cr_assert_eq(entries, want, "entries %llu, want %llu", (unsigned long long)entries,
		     (unsigned long long)want);
}

static void expect_bad(const struct fws_dir_backend *b, uint64_t want_line)
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
	struct fws_dir_backend b;
	backend_init(&b);
	expect_ok(&b, 0);
	struct collect *c = calloc(1, sizeof(*c));
	cr_assert_eq(fws_audit_log_read(b.dir, collect_line, c), 0);
	cr_assert_eq(c->n, 0);
	free(c);
	backend_cleanup(&b);
}

Test(device_log, append_then_verify_and_read)
{
	struct fws_dir_backend b;
	struct collect *c = calloc(1, sizeof(*c));
	char prev[65], hash[65];

	backend_init(&b);
	append_n(&b, 10);
	expect_ok(&b, 10);
	cr_assert_eq(b.log_seq, 10);
	cr_assert_eq(b.log_loaded, 1);
	cr_assert_eq(fws_audit_log_read(b.dir, collect_line, c), 0);
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
	/* the cache is the last line's hash */
	uint8_t last[32];
	cr_assert_eq(fws_hex_decode_exact(last, 32, prev), 0);
	cr_assert_arr_eq(b.log_hash, last, 32);
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
	struct fws_dir_backend b;
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
	struct fws_dir_backend b;
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
	struct fws_dir_backend b;
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
	struct fws_dir_backend b;
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
	struct fws_dir_backend b;
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
	struct fws_dir_backend b;
	char p[4200];
	size_t head_len, len;
	backend_init(&b);
	append_n(&b, 5);
	char *head5 = slurp(&b, "log.head", &head_len);
	append_n(&b, 3);
	expect_ok(&b, 8);

	/* stale by three lines: `log --verify` reports it ... */
	char *head8 = slurp(&b, "log.head", &len);
	spill(&b, "log.head", head5, head_len);
	expect_bad(&b, 0);
	/* ... but interrupted appends leave exactly this, so the next append
	 * checks the chain runs through the head's line, rolls it forward and
	 * heals it: a device never stops working over its log head. */
	struct fws_event ev = {"boot", 0, NULL, NULL, 0, 0, NULL};
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), 0);
	expect_ok(&b, 9);
	spill(&b, "log.head", head8, len);
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), 0, "head one behind: rolls forward");
	expect_ok(&b, 10);
	/* a head naming a line that is not in the chain is never rolled past */
	char *head10 = slurp(&b, "log.head", &len);
	char *bogus = strdup(head10);
	char *h = strstr(bogus, "\"hash\":\"");
	cr_assert_not_null(h);
	h[9] = h[9] == 'a' ? 'b' : 'a';
	spill(&b, "log.head", bogus, len);
	expect_bad(&b, 0);
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), FWS_ESTATE);
	spill(&b, "log.head", head10, len);
	free(bogus);
	free(head10);
	free(head8);
	head8 = slurp(&b, "log.head", &len); /* the current head, for below */

	/* missing */
	path_in(p, sizeof(p), &b, "log.head");
	cr_assert_eq(unlink(p), 0);
	expect_bad(&b, 0);
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), FWS_ESTATE);

	/* garbage */
	spill(&b, "log.head", "{\"first\":1}\n", 12);
	expect_bad(&b, 0);

	/* a head but no log */
	spill(&b, "log.head", head8, len);
	expect_ok(&b, 10);
	path_in(p, sizeof(p), &b, "log");
	cr_assert_eq(unlink(p), 0);
	expect_bad(&b, 0);
	free(head5);
	free(head8);
	backend_cleanup(&b);
}

/* A crash after the line was written but before the head was replaced:
 * the log is one line ahead of the head, which chains to it. Accepted, and
 * the next append carries on from the line. */
static int fail_rename(void *ctx, const char *from, const char *to)
{
	(void)ctx;
	(void)from;
	(void)to;
	return -1;
}

Test(device_log, crash_between_line_and_head)
{
	struct fws_dir_backend b;
	backend_init(&b);
	append_n(&b, 4);
	b.fs.rename = fail_rename;
	struct fws_event ev = {"mark-good", 0, NULL, "1.5.0", 5, 'b', NULL};
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), FWS_EIO);
	cr_assert_eq(b.log_loaded, 0, "a failed append must drop the cache");
	expect_ok(&b, 5);
	b.fs.rename = NULL;
	append(&b, 6);
	expect_ok(&b, 6);
	cr_assert_eq(b.log_seq, 6);
	backend_cleanup(&b);
}

/* A torn write (crash in the middle of the line): the newline-less tail
 * was never committed. Readers skip it, the next append cuts it off. */
static ssize_t torn_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	ssize_t n = write(fd, buf, len / 2);
	return n < 0 ? n : -1; /* half reached the disk, then the crash */
}

Test(device_log, torn_append)
{
	struct fws_dir_backend b;
	struct collect *c = calloc(1, sizeof(*c));
	backend_init(&b);
	append_n(&b, 3);
	b.fs.write = torn_write;
	struct fws_event ev = {"install", 0, "torn", "2.0.0", 7, 'a', NULL};
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), FWS_EIO);
	expect_ok(&b, 3);
	cr_assert_eq(fws_audit_log_read(b.dir, collect_line, c), 0);
	cr_assert_eq(c->n, 3);
	b.fs.write = NULL;
	append(&b, 4);
	expect_ok(&b, 4);
	c->n = 0;
	cr_assert_eq(fws_audit_log_read(b.dir, collect_line, c), 0);
	cr_assert_eq(c->n, 4);
	cr_assert_null(strstr(c->lines[3], "torn"));
	free(c);
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
	struct fws_dir_backend b;
	backend_init(&b);
	append_n(&b, 3);
	size_t count = 0;
	cr_assert_eq(fws_audit_log_read(b.dir, stop, &count), 42);
	cr_assert_eq(count, 2);
	backend_cleanup(&b);
}

/* Untrusted text (a detail can carry a file name or a version from a
 * refused bundle) never breaks the line or reaches a terminal raw. */
Test(device_log, escaping_and_truncation)
{
	struct fws_dir_backend b;
	struct collect *c = calloc(1, sizeof(*c));
	char *big = malloc(5001);
	backend_init(&b);

	struct fws_event ev = {"install", FWS_EHARDWARE, "a\"b\\c\nd\x1b[2Je\xc3\xa9", "1.0.0", 1,
			       0,	  NULL};
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), 0);
	memset(big, '"', 5000);
	big[5000] = '\0';
	ev.detail = big;
	ev.version = big; /* long versions are cut too */
	cr_assert_eq(fws_dir_log_append(&b, &ev, -5), 0);
	expect_ok(&b, 2);
	cr_assert_eq(fws_audit_log_read(b.dir, collect_line, c), 0);
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
	struct fws_dir_backend b;
	struct collect *c = calloc(1, sizeof(*c));
	char hash[65], head[256], line[2100];
	backend_init(&b);
	struct fws_event ev = {"install", 0, NULL, NULL, 0, 0, NULL};
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), 0);
	cr_assert_eq(fws_audit_log_read(b.dir, collect_line, c), 0);

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
	struct fws_dir_backend b;
	backend_init(&b);
	char *s = malloc(5000);
	memset(s, 'a', 4999);
	s[4999] = '\n';
	spill(&b, "log", s, 5000);
	expect_bad(&b, 1);
	struct collect *c = calloc(1, sizeof(*c));
	cr_assert_eq(fws_audit_log_read(b.dir, collect_line, c), FWS_ESTATE);
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

static off_t file_size(const struct fws_dir_backend *b, const char *name)
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
	struct fws_dir_backend b;
	char detail[1001];
	uint64_t total = 0, entries = 0, bad = 0;
	backend_init(&b);
	b.fs.fsync = no_fsync; /* speed: durability is not what is tested here */
	memset(detail, 'r', 1000);
	detail[1000] = '\0';
	struct fws_event ev = {"boot", 0, detail, "1.0.0", 1, 'a', NULL};
	/* about 200 lines per file: three rotations */
	while (total < 700) {
		cr_assert_eq(fws_dir_log_append(&b, &ev, 1767225600), 0);
		total++;
		cr_assert_leq(file_size(&b, "log"), FWS_LOG_ROTATE_BYTES);
		cr_assert_leq(file_size(&b, "log.1"), FWS_LOG_ROTATE_BYTES);
	}
	cr_assert_gt(file_size(&b, "log.1"), 0);
	cr_assert_eq(verify(&b, &entries, &bad), 0, "bad line %llu", (unsigned long long)bad);
	cr_assert_lt(entries, total);
	cr_assert_gt(entries, 200);
	cr_assert_eq(b.log_seq, total);

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
static int fail_rename_to_log1(void *ctx, const char *from, const char *to)
{
	(void)ctx;
	size_t n = strlen(to);
	if (n >= 6 && strcmp(to + n - 6, "/log.1") == 0)
		return -1;
	return rename(from, to);
}

static int fail_open_log(void *ctx, const char *path, int flags, unsigned mode)
{
	(void)ctx;
	size_t n = strlen(path);
	if ((flags & O_APPEND) && n >= 4 && strcmp(path + n - 4, "/log") == 0)
		return -1;
	return open(path, flags, (mode_t)mode);
}

Test(device_log, crash_during_rotation)
{
	struct fws_dir_backend b;
	char detail[1001];
	uint64_t n = 0;
	int crashed = 0;
	backend_init(&b);
	b.fs.fsync = no_fsync;
	memset(detail, 'q', 1000);
	detail[1000] = '\0';
	struct fws_event ev = {"boot", 0, detail, "1.0.0", 1, 'a', NULL};
	/* fill log up to just before its first rotation */
	while (file_size(&b, "log") < 0 ||
	       file_size(&b, "log") + 2 * 1400 <= FWS_LOG_ROTATE_BYTES) {
		cr_assert_eq(fws_dir_log_append(&b, &ev, 0), 0);
		n++;
	}
	for (int i = 0; i < 4 && file_size(&b, "log.1") < 0; i++) {
		b.fs.rename = fail_rename_to_log1;
		int rc = fws_dir_log_append(&b, &ev, 0);
		b.fs.rename = NULL;
		if (rc == 0) {
			n++;
			continue;
		}
		cr_assert_eq(rc, FWS_EIO);
		crashed = 1;
		expect_ok(&b, n);
		b.fs.open = fail_open_log;
		cr_assert_eq(fws_dir_log_append(&b, &ev, 0), FWS_EIO);
		b.fs.open = NULL;
		cr_assert_gt(file_size(&b, "log.1"), 0, "the rename happened");
		cr_assert_lt(file_size(&b, "log"), 0, "no new log yet");
		expect_ok(&b, n);
	}
	cr_assert_gt(file_size(&b, "log.1"), 0, "never rotated");
	cr_assert(crashed, "the rotation crash was never reached");
	cr_assert_eq(fws_dir_log_append(&b, &ev, 0), 0);
	n++;
	expect_ok(&b, n);
	cr_assert_eq(b.log_seq, n);
	backend_cleanup(&b);
}
