/* The directory backend's hash-chained audit log (format: docs/audit-log.md).
 *
 * DIR/log       one line per event, oldest first:
 *   {"seq":N,"time":"T","action":"A","result":"R","detail":"D","version":"V",
 *    "security_version":N,"slot":"S","digest":"H","prev":"P","hash":"X"}
 *   (one line, no spaces). X = lowercase hex SHA-256 of the line with its
 *   final ,"hash":"X" member cut out, i.e. of the bytes up to and including
 *   the prev value's closing quote followed by "}". P = X of the line
 *   before, 64 zeros for seq 1.
 * DIR/log.1     the previous DIR/log after a rotation
 * DIR/log.head  {"first":F,"hash":"X","seq":N}: the last line's seq and
 *               hash (cutting lines off the end is detected) and the lowest
 *               seq still kept (cutting lines off the front is detected).
 *
 * Every line is written by one formatter and read back by decoding it with
 * the strict JSON parser and formatting it again: a line is valid only when
 * the bytes are exactly what the writer would write. The hash therefore
 * covers the same text a reader shows, with no second spelling of a value.
 *
 * Crash safety: an append writes and fsyncs the line, then replaces
 * log.head (temp + fsync + rename + directory fsync). After a crash the log
 * may hold one complete line more than the head (accepted: it chains to
 * the head) or a torn, newline-less tail (never committed: cut off by the
 * next append, ignored by readers). Anything else is FWS_ESTATE. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/json_strict.h"
#include "device/audit_log.h"
#include "device/fs_ops.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"

/* Longest line including its newline. The caps below keep every line the
 * formatter writes under it (checked at run time too). */
#define LINE_MAX_BYTES 2048
#define CAP_ACTION 64 /* escaped bytes of each string field */
#define CAP_RESULT 64
#define CAP_VERSION 128
#define CAP_SLOT 6
#define CAP_DETAIL 1024
#define HEAD_MAX 256

#define LOG_NAME "log"
#define LOG_OLD_NAME "log.1"
#define HEAD_NAME "log.head"

static const char zero_hex[65] = "0000000000000000000000000000000000000000000000000000000000000000";

/* One line's values. Strings point at the event or into a parsed line. */
struct log_rec {
	uint64_t seq;
	const char *time;
	const char *action;
	const char *result;
	const char *detail;
	const char *version;
	uint64_t security_version;
	const char *slot;
	char digest[65]; /* "" or 64 hex */
	char prev[65];
	char hash[65]; /* set by line_format */
};

struct log_head {
	uint64_t seq; /* 0: empty log */
	char hash[65];
	uint64_t first; /* lowest seq kept in log.1 + log */
};

/* --- formatting --- */

struct out {
	char *p;
	size_t cap, len;
	int overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u64(struct out *o, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	put(o, num, (size_t)n);
}

/* Bytes one input byte takes in the output: the log is ASCII, so a byte
 * >= 0x80 becomes '?' (it cannot be a JSON escape of its own), controls and
 * DEL become \u00XX so no line can carry a newline or a terminal escape. */
static size_t esc_len(unsigned char c)
{
	if (c == '"' || c == '\\')
		return 2;
	if (c < 0x20 || c == 0x7f)
		return 6;
	return 1;
}

static void put_esc_char(struct out *o, unsigned char c)
{
	char e[8];
	if (c == '"' || c == '\\') {
		e[0] = '\\';
		e[1] = (char)c;
		put(o, e, 2);
	} else if (c < 0x20 || c == 0x7f) {
		snprintf(e, sizeof(e), "\\u%04x", c);
		put(o, e, 6);
	} else if (c >= 0x80) {
		put(o, "?", 1);
	} else {
		put(o, (const char *)&c, 1);
	}
}

/* A JSON string of at most cap escaped bytes (plus quotes). A longer value
 * is cut at a character boundary and ends in "...": the result's escaped
 * length is <= cap, so formatting it again gives the same bytes. */
static void put_str(struct out *o, const char *s, size_t cap)
{
	size_t total = 0, used = 0;
	const unsigned char *u = (const unsigned char *)(s ? s : "");

	for (size_t i = 0; u[i] != '\0'; i++)
		total += esc_len(u[i]);
	put(o, "\"", 1);
	if (total <= cap) {
		for (size_t i = 0; u[i] != '\0'; i++)
			put_esc_char(o, u[i]);
	} else {
		for (size_t i = 0; u[i] != '\0' && used + esc_len(u[i]) + 3 <= cap; i++) {
			put_esc_char(o, u[i]);
			used += esc_len(u[i]);
		}
		put(o, "...", 3);
	}
	put(o, "\"", 1);
}

/* The whole line with its newline into buf; sets r->hash. */
static int line_format(struct log_rec *r, char *buf, size_t cap, size_t *len)
{
	struct out o = {buf, cap, 0, 0};
	struct fws_sha256 h;
	uint8_t digest[32];

	if (r->seq > FWS_SIZE_MAX || r->security_version > FWS_SIZE_MAX)
		return FWS_ELIMIT;
	puts_(&o, "{\"seq\":");
	put_u64(&o, r->seq);
	puts_(&o, ",\"time\":");
	put_str(&o, r->time, 20);
	puts_(&o, ",\"action\":");
	put_str(&o, r->action, CAP_ACTION);
	puts_(&o, ",\"result\":");
	put_str(&o, r->result, CAP_RESULT);
	puts_(&o, ",\"detail\":");
	put_str(&o, r->detail, CAP_DETAIL);
	puts_(&o, ",\"version\":");
	put_str(&o, r->version, CAP_VERSION);
	puts_(&o, ",\"security_version\":");
	put_u64(&o, r->security_version);
	puts_(&o, ",\"slot\":");
	put_str(&o, r->slot, CAP_SLOT);
	puts_(&o, ",\"digest\":\"");
	puts_(&o, r->digest);
	puts_(&o, "\",\"prev\":\"");
	puts_(&o, r->prev);
	puts_(&o, "\"");
	if (o.overflow)
		return FWS_EINTERNAL;
	/* hash = SHA-256 of the line without its hash member: the text so
	 * far plus the closing brace. */
	fws_sha256_init(&h);
	fws_sha256_update(&h, buf, o.len);
	fws_sha256_update(&h, "}", 1);
	fws_sha256_final(&h, digest);
	fws_hex_encode(r->hash, digest, sizeof(digest));
	puts_(&o, ",\"hash\":\"");
	puts_(&o, r->hash);
	puts_(&o, "\"}\n");
	if (o.overflow || o.len > LINE_MAX_BYTES)
		return FWS_EINTERNAL;
	*len = o.len;
	return 0;
}

static int head_format(const struct log_head *hd, char *buf, size_t cap, size_t *len)
{
	int n = snprintf(buf, cap, "{\"first\":%llu,\"hash\":\"%s\",\"seq\":%llu}\n",
			 (unsigned long long)hd->first, hd->hash, (unsigned long long)hd->seq);
	if (n < 0 || (size_t)n >= cap)
		return FWS_EINTERNAL;
	*len = (size_t)n;
	return 0;
}

/* --- strict decoding: parse, then demand the writer's exact bytes --- */

static const char *const line_keys[] = {
    "seq",  "time",   "action", "result", "detail", "version", "security_version",
    "slot", "digest", "prev",	"hash"};
static const char *const head_keys[] = {"first", "hash", "seq"};

static int get_str(const json_t *doc, const char *key, const char **out)
{
	return fws_json_string(json_object_get(doc, key), LINE_MAX_BYTES, FWS_ESTATE, out, NULL);
}

static int get_hex(const json_t *doc, const char *key, char out[65], int may_be_empty)
{
	const char *s;
	uint8_t raw[32];
	size_t len;
	int rc = fws_json_string(json_object_get(doc, key), 64, FWS_ESTATE, &s, &len);

	if (rc != 0)
		return rc;
	if (!(may_be_empty && len == 0) &&
	    (len != 64 || fws_hex_decode_exact(raw, sizeof(raw), s) != 0))
		return FWS_ESTATE;
	memcpy(out, s, len + 1);
	return 0;
}

/* 0 when line (len bytes, no newline) is a valid line; r is filled (its
 * strings live as long as *doc, which the caller json_decref()s). */
static int line_decode(const char *line, size_t len, struct log_rec *r, json_t **doc)
{
	char again[LINE_MAX_BYTES + 1];
	size_t again_len;
	int64_t t;
	int rc;

	*doc = NULL;
	memset(r, 0, sizeof(*r));
	if (len >= LINE_MAX_BYTES)
		return FWS_ESTATE;
	rc = fws_json_load((const uint8_t *)line, len, LINE_MAX_BYTES, doc);
	if (rc == 0)
		rc = fws_json_check_keys(*doc, line_keys, sizeof(line_keys) / sizeof(line_keys[0]),
					 NULL, 0);
	if (rc == 0)
		rc = fws_json_uint(json_object_get(*doc, "seq"), 1, FWS_SIZE_MAX, &r->seq);
	if (rc == 0)
		rc = fws_json_uint(json_object_get(*doc, "security_version"), 0, FWS_SIZE_MAX,
				   &r->security_version);
	if (rc == 0)
		rc = get_str(*doc, "time", &r->time);
	if (rc == 0)
		rc = get_str(*doc, "action", &r->action);
	if (rc == 0)
		rc = get_str(*doc, "result", &r->result);
	if (rc == 0)
		rc = get_str(*doc, "detail", &r->detail);
	if (rc == 0)
		rc = get_str(*doc, "version", &r->version);
	if (rc == 0)
		rc = get_str(*doc, "slot", &r->slot);
	if (rc == 0)
		rc = get_hex(*doc, "digest", r->digest, 1);
	if (rc == 0)
		rc = get_hex(*doc, "prev", r->prev, 0);
	if (rc != 0)
		return FWS_ESTATE;
	/* Values the formatter could write but the appender never does. */
	if (r->action[0] == '\0' || r->result[0] == '\0' || strlen(r->slot) > 1)
		return FWS_ESTATE;
	if (strcmp(r->time, "unknown") != 0 && (fws_time_parse(r->time, &t) != 0 || t <= 0))
		return FWS_ESTATE;
	/* Same bytes as the writer's, hash included (line_format recomputes
	 * it; the stored one is part of the compared text). */
	if (line_format(r, again, sizeof(again), &again_len) != 0)
		return FWS_ESTATE;
	if (again_len != len + 1 || memcmp(again, line, len) != 0)
		return FWS_ESTATE;
	return 0;
}

static int head_decode(const uint8_t *buf, size_t len, struct log_head *hd)
{
	char again[HEAD_MAX];
	size_t again_len;
	json_t *doc = NULL;
	int rc;

	memset(hd, 0, sizeof(*hd));
	if (len == 0 || buf[len - 1] != '\n')
		return FWS_ESTATE;
	rc = fws_json_load(buf, len - 1, HEAD_MAX, &doc);
	if (rc == 0)
		rc = fws_json_check_keys(doc, head_keys, 3, NULL, 0);
	if (rc == 0)
		rc = fws_json_uint(json_object_get(doc, "seq"), 1, FWS_SIZE_MAX, &hd->seq);
	if (rc == 0)
		rc = fws_json_uint(json_object_get(doc, "first"), 1, hd->seq, &hd->first);
	if (rc == 0)
		rc = get_hex(doc, "hash", hd->hash, 0);
	if (rc == 0)
		rc = head_format(hd, again, sizeof(again), &again_len);
	if (rc == 0 && (again_len != len || memcmp(again, buf, len) != 0))
		rc = FWS_ESTATE;
	json_decref(doc);
	return rc == 0 ? 0 : FWS_ESTATE;
}

/* 0 and *present = 1 with the head, 0 and *present = 0 when there is no
 * head file, FWS_ESTATE when it is malformed. */
static int head_read(const char *dir, struct log_head *hd, int *present)
{
	uint8_t buf[HEAD_MAX];
	size_t len = 0;
	int rc = fws_fs_read(dir, HEAD_NAME, buf, sizeof(buf), &len);

	*present = 0;
	memset(hd, 0, sizeof(*hd));
	memcpy(hd->hash, zero_hex, sizeof(zero_hex));
	hd->first = 1;
	if (rc == FWS_ENOENT)
		return 0;
	if (rc == FWS_ELIMIT)
		return FWS_ESTATE;
	if (rc != 0)
		return rc;
	rc = head_decode(buf, len, hd);
	if (rc != 0)
		return rc;
	*present = 1;
	return 0;
}

static int head_write(const struct fws_dir_backend *b, const struct log_head *hd)
{
	char buf[HEAD_MAX];
	size_t len;
	int rc = head_format(hd, buf, sizeof(buf), &len);

	if (rc != 0)
		return rc;
	return fws_fs_replace(&b->fs, b->dir, HEAD_NAME, buf, len, 0644);
}

/* --- reading lines --- */

struct line_reader {
	int fd;
	size_t pos, len;
	int eof;
	char buf[8192];
};

enum { LINE_OK = 1, LINE_FRAGMENT = 2 };

/* Next line into out (NUL-terminated, no newline): LINE_OK, LINE_FRAGMENT
 * (bytes after the last newline at end of file), 0 at end of file,
 * FWS_ESTATE for a line of LINE_MAX_BYTES or more, FWS_EIO. */
static int line_next(struct line_reader *r, char *out, size_t *out_len)
{
	size_t n = 0;

	for (;;) {
		if (r->pos == r->len) {
			if (r->eof)
				break;
			ssize_t got = read(r->fd, r->buf, sizeof(r->buf));
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return FWS_EIO;
			if (got == 0) {
				r->eof = 1;
				break;
			}
			r->pos = 0;
			r->len = (size_t)got;
		}
		char c = r->buf[r->pos++];
		if (c == '\n') {
			out[n] = '\0';
			*out_len = n;
			return LINE_OK;
		}
		/* A line may hold at most LINE_MAX_BYTES - 1 bytes before its
		 * newline: bounded memory whatever the file holds. */
		if (n == LINE_MAX_BYTES - 1)
			return FWS_ESTATE;
		out[n++] = c;
	}
	out[n] = '\0';
	*out_len = n;
	return n == 0 ? 0 : LINE_FRAGMENT;
}

/* Opens DIR/NAME for reading: 0, FWS_ENOENT, or FWS_EIO (also for a
 * symlink or anything but a regular file). */
static int open_read(const char *dir, const char *name, int *fd)
{
	char path[PATH_MAX];
	struct stat sb;
	int rc = fws_fs_path(path, dir, name);

	if (rc != 0)
		return rc;
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0)
		return errno == ENOENT ? FWS_ENOENT : FWS_EIO;
	if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(*fd);
		*fd = -1;
		return FWS_EIO;
	}
	return 0;
}

/* Calls fn for every line of log.1 then log, with kind LINE_OK or
 * LINE_FRAGMENT (a newline-less tail; in log.1, which is never appended
 * to, that is FWS_ESTATE). */
typedef int (*walk_fn)(void *arg, const char *line, size_t len, int kind);

static int walk(const char *dir, walk_fn fn, void *arg)
{
	static const char *const names[] = {LOG_OLD_NAME, LOG_NAME};
	struct line_reader *r = malloc(sizeof(*r));
	char *line = malloc(LINE_MAX_BYTES);
	size_t len;
	int rc = (r == NULL || line == NULL) ? FWS_ENOMEM : 0;

	for (size_t f = 0; rc == 0 && f < 2; f++) {
		int fd;
		rc = open_read(dir, names[f], &fd);
		if (rc == FWS_ENOENT) {
			rc = 0;
			continue;
		}
		if (rc != 0)
			break;
		memset(r, 0, offsetof(struct line_reader, buf));
		r->fd = fd;
		while ((rc = line_next(r, line, &len)) > 0) {
			if (rc == LINE_FRAGMENT && f == 0) {
				rc = FWS_ESTATE;
				break;
			}
			rc = fn(arg, line, len, rc);
			if (rc != 0)
				break;
		}
		close(fd);
	}
	free(line);
	free(r);
	return rc;
}

/* --- fws_audit_log_read --- */

struct read_ctx {
	int (*fn)(void *arg, const char *line, size_t len);
	void *arg;
};

static int read_cb(void *arg, const char *line, size_t len, int kind)
{
	struct read_ctx *c = arg;
	/* A torn tail was never committed (see the top of this file). */
	if (kind == LINE_FRAGMENT)
		return 0;
	return c->fn(c->arg, line, len);
}

int fws_audit_log_read(const char *dir, int (*fn)(void *arg, const char *line, size_t len),
		       void *arg)
{
	struct read_ctx c = {fn, arg};

	if (dir == NULL || fn == NULL)
		return FWS_EUSAGE;
	return walk(dir, read_cb, &c);
}

/* --- fws_audit_log_verify --- */

struct verify_ctx {
	const struct log_head *head;
	int have_head;
	uint64_t n;	   /* complete lines seen */
	uint64_t bad;	   /* first bad line, 0 = none */
	uint64_t fragment; /* line number of a torn tail, 0 = none */
	uint64_t last_seq;
	char last_hash[65];
	char last_prev[65];
	int head_seen; /* the head's own line is part of the chain */
};

static int verify_cb(void *arg, const char *line, size_t len, int kind)
{
	struct verify_ctx *v = arg;
	struct log_rec r;
	json_t *doc = NULL;
	int ok;

	if (kind == LINE_FRAGMENT) {
		v->fragment = v->n + 1;
		return 0;
	}
	v->n++;
	ok = line_decode(line, len, &r, &doc) == 0;
	if (ok && v->n == 1) {
		/* The oldest line kept: seq 1 starts the chain from zeros; a
		 * later seq is the start after rotations and must not be
		 * newer than the head says (lines cut off the front). */
		if (r.seq == 1)
			ok = strcmp(r.prev, zero_hex) == 0;
		else
			ok = v->have_head && r.seq <= v->head->first;
	} else if (ok) {
		ok = r.seq == v->last_seq + 1 && strcmp(r.prev, v->last_hash) == 0;
	}
	if (ok && v->have_head && r.seq == v->head->seq && strcmp(r.hash, v->head->hash) == 0)
		v->head_seen = 1;
	if (ok) {
		v->last_seq = r.seq;
		memcpy(v->last_hash, r.hash, sizeof(v->last_hash));
		memcpy(v->last_prev, r.prev, sizeof(v->last_prev));
	}
	json_decref(doc);
	if (!ok) {
		v->bad = v->n;
		return FWS_ESTATE;
	}
	return 0;
}

/* lenient: lines past the head are fine however many (the append path
 * heals a head left behind by interrupted appends); strict: at most one,
 * so `log --verify` reports a head that fell behind. */
static int verify_log(const char *dir, uint64_t *entries, uint64_t *bad_line, int lenient)
{
	struct log_head head;
	struct verify_ctx v;
	int rc;

	if (dir == NULL || entries == NULL || bad_line == NULL)
		return FWS_EUSAGE;
	*entries = 0;
	*bad_line = 0;
	memset(&v, 0, sizeof(v));
	rc = head_read(dir, &head, &v.have_head);
	if (rc != 0)
		return rc; /* bad_line 0: the head itself */
	v.head = &head;
	rc = walk(dir, verify_cb, &v);
	if (rc == FWS_ESTATE && v.bad == 0)
		v.bad = v.n + 1; /* an over-long line, or a torn tail in log.1 */
	if (rc != 0) {
		*bad_line = v.bad;
		return rc;
	}
	/* The end must be the head's line, or lines that chain on from it
	 * (appends interrupted after their line, before the new head). The
	 * chain has no secret, so lines past the head prove no less than the
	 * head would; a head past the last line means lines were cut off. A
	 * missing head reads as "empty log". */
	if (v.n == 0)
		rc = v.have_head ? FWS_ESTATE : 0;
	else if (v.last_seq == head.seq && strcmp(v.last_hash, head.hash) == 0)
		rc = 0;
	else if (v.last_seq == head.seq + 1 && strcmp(v.last_prev, head.hash) == 0)
		rc = 0;
	else
		rc = (lenient && v.last_seq > head.seq && v.head_seen) ? 0 : FWS_ESTATE;
	if (rc != 0) {
		/* A torn last line is the likely culprit: name it. */
		*bad_line = v.fragment;
		return rc;
	}
	*entries = v.n;
	return 0;
}

int fws_audit_log_verify(const char *dir, uint64_t *entries, uint64_t *bad_line)
{
	return verify_log(dir, entries, bad_line, 0);
}

/* --- appending --- */

/* Where the log ends on disk. */
struct log_tail {
	int have_line;	     /* a complete line exists in log or log.1 */
	struct log_rec last; /* ... the last one */
	json_t *doc;	     /* owns last's strings */
	uint64_t log_size;   /* bytes of DIR/log (0 if missing) */
	int torn;	     /* DIR/log ends without a newline */
	uint64_t keep;	     /* ... then: bytes up to its last newline */
};

/* Reads the last complete line of DIR/NAME from its tail only (an append
 * costs the same however long the log is). */
static int tail_of(const char *dir, const char *name, struct log_tail *t, int is_log)
{
	char *buf = NULL;
	struct stat sb;
	size_t len = 0, end, start;
	off_t off;
	int fd, rc = open_read(dir, name, &fd);

	if (rc == FWS_ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	rc = FWS_EIO;
	if (fstat(fd, &sb) != 0)
		goto out;
	if (is_log)
		t->log_size = (uint64_t)sb.st_size;
	if (sb.st_size == 0) {
		rc = 0;
		goto out;
	}
	/* A complete line and a torn tail are each shorter than
	 * LINE_MAX_BYTES, so twice that holds both. */
	rc = FWS_ENOMEM;
	buf = malloc(2 * LINE_MAX_BYTES);
	if (buf == NULL)
		goto out;
	off = sb.st_size > 2 * LINE_MAX_BYTES ? sb.st_size - 2 * LINE_MAX_BYTES : 0;
	while (len < (size_t)(sb.st_size - off)) {
		ssize_t n =
		    pread(fd, buf + len, (size_t)(sb.st_size - off) - len, off + (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		rc = FWS_EIO;
		if (n <= 0)
			goto out;
		len += (size_t)n;
	}
	rc = FWS_ESTATE;
	end = len;
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	if (end < len) {
		/* Torn tail: only possible in the file still appended to, and
		 * only as long as a line could be. */
		if (!is_log || (end == 0 && off > 0) || len - end >= LINE_MAX_BYTES)
			goto out;
		t->torn = 1;
		t->keep = (uint64_t)off + end;
	}
	if (end == 0) {
		rc = 0; /* only a torn tail: no complete line here */
		goto out;
	}
	start = end - 1;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	if (start == 0 && off > 0)
		goto out; /* longer than a line can be */
	rc = line_decode(buf + start, end - 1 - start, &t->last, &t->doc);
	if (rc == 0)
		t->have_line = 1;
out:
	free(buf);
	close(fd);
	return rc;
}

static int tail_read(const char *dir, struct log_tail *t)
{
	int rc;

	memset(t, 0, sizeof(*t));
	rc = tail_of(dir, LOG_NAME, t, 1);
	/* A missing or empty log after a rotation: the end is in log.1. */
	if (rc == 0 && !t->have_line)
		rc = tail_of(dir, LOG_OLD_NAME, t, 0);
	return rc;
}

/* Seq of the first line of DIR/log (for the head after a rotation). */
static int first_seq(const char *dir, uint64_t *seq)
{
	struct line_reader *r = malloc(sizeof(*r));
	char *line = malloc(LINE_MAX_BYTES);
	struct log_rec rec;
	json_t *doc = NULL;
	size_t len;
	int fd = -1, rc = (r == NULL || line == NULL) ? FWS_ENOMEM : open_read(dir, LOG_NAME, &fd);

	if (rc == 0) {
		memset(r, 0, offsetof(struct line_reader, buf));
		r->fd = fd;
		rc = line_next(r, line, &len);
		rc = rc == LINE_OK ? line_decode(line, len, &rec, &doc) : FWS_ESTATE;
	}
	if (rc == 0)
		*seq = rec.seq;
	json_decref(doc);
	if (fd >= 0)
		close(fd);
	free(line);
	free(r);
	return rc == FWS_ENOENT ? FWS_ESTATE : rc;
}

static int path_of(char *out, const char *dir, const char *name)
{
	return fws_fs_path(out, dir, name);
}

/* DIR/log cut back to its last newline: removes a torn tail. */
static int cut_torn_tail(const struct fws_dir_backend *b, uint64_t keep)
{
	char path[PATH_MAX];
	int rc = path_of(path, b->dir, LOG_NAME);
	if (rc != 0)
		return rc;
	int fd = fws_fs_open(&b->fs, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return FWS_EIO;
	rc = ftruncate(fd, (off_t)keep) == 0 ? 0 : FWS_EIO;
	if (rc == 0)
		rc = fws_fs_fsync(&b->fs, fd);
	if (close(fd) != 0 && rc == 0)
		rc = FWS_EIO;
	return rc;
}

/* DIR/log becomes DIR/log.1. The head first records the new lowest seq
 * (which is never higher than what is kept, whichever side of the rename
 * a crash falls on), then the rename. */
static int rotate(const struct fws_dir_backend *b, struct log_head *hd)
{
	char from[PATH_MAX], to[PATH_MAX];
	uint64_t first;
	int rc = first_seq(b->dir, &first);

	if (rc == 0 && (first > hd->seq || first < hd->first))
		rc = FWS_ESTATE;
	if (rc != 0)
		return rc;
	if (first != hd->first) {
		hd->first = first;
		rc = head_write(b, hd);
	}
	if (rc == 0)
		rc = path_of(from, b->dir, LOG_NAME);
	if (rc == 0)
		rc = path_of(to, b->dir, LOG_OLD_NAME);
	if (rc == 0)
		rc = fws_fs_rename(&b->fs, from, to);
	if (rc == 0)
		rc = fws_fs_fsync_dir(&b->fs, b->dir);
	return rc;
}

static int append_line(const struct fws_dir_backend *b, const char *line, size_t len)
{
	char path[PATH_MAX];
	int rc = path_of(path, b->dir, LOG_NAME);
	if (rc != 0)
		return rc;
	int fd =
	    fws_fs_open(&b->fs, path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return FWS_EIO;
	rc = fws_fs_write_all(&b->fs, fd, line, len);
	if (rc == 0)
		rc = fws_fs_fsync(&b->fs, fd);
	if (close(fd) != 0 && rc == 0)
		rc = FWS_EIO;
	return rc;
}

/* Where the chain stands: the head, reconciled with the log's last line.
 * FWS_ESTATE when they disagree in any way a crash cannot explain. */
static int chain_position(struct fws_dir_backend *b, struct log_head *hd, struct log_tail *tail)
{
	int have_head, rc;
	memset(tail, 0, sizeof(*tail));
	/* The chain head is re-read every time, not taken from the cache in
	 * b: another context (another process holding the device lock before
	 * us) may have appended since. */
	b->log_loaded = 0;
	rc = head_read(b->dir, hd, &have_head);
	if (rc == 0)
		rc = tail_read(b->dir, tail);
	if (rc != 0)
		return rc;
	if (!tail->have_line)
		return hd->seq != 0 ? FWS_ESTATE : 0; /* lines the head vouches for are gone */
	if (tail->last.seq == hd->seq && strcmp(tail->last.hash, hd->hash) == 0)
		return 0; /* the normal case */
	if (tail->last.seq > hd->seq) {
		/* Appends stopped between their line and their head: accept the
		 * lines past the head only if the whole chain holds and passes
		 * through the head's own line, then roll the head forward. */
		uint64_t entries, bad;
		int rc2 = verify_log(b->dir, &entries, &bad, 1);
		if (rc2 != 0)
			return rc2;
		hd->seq = tail->last.seq;
		memcpy(hd->hash, tail->last.hash, sizeof(hd->hash));
		return 0;
	}
	return FWS_ESTATE;
}

int fws_dir_log_ready(void *ctx)
{
	struct log_head hd;
	struct log_tail tail;
	if (ctx == NULL)
		return FWS_EUSAGE;
	int rc = chain_position(ctx, &hd, &tail);
	json_decref(tail.doc);
	return rc;
}

int fws_dir_log_append(void *ctx, const struct fws_event *ev, int64_t time)
{
	struct fws_dir_backend *b = ctx;
	struct log_head hd;
	struct log_tail tail;
	struct log_rec r;
	char line[LINE_MAX_BYTES + 1], when[21], slot[2] = {0, 0};
	size_t len;
	int rc;

	if (b == NULL || ev == NULL || ev->action == NULL || ev->action[0] == '\0')
		return FWS_EUSAGE;
	rc = chain_position(b, &hd, &tail);
	if (rc != 0)
		goto out;
	if (tail.torn) {
		rc = cut_torn_tail(b, tail.keep);
		if (rc != 0)
			goto out;
		tail.log_size = tail.keep;
	}

	memset(&r, 0, sizeof(r));
	r.seq = hd.seq + 1;
	if (time <= 0 || fws_time_format(time, when) != 0)
		snprintf(when, sizeof(when), "unknown");
	r.time = when;
	r.action = ev->action;
	r.result = ev->result == 0 ? "ok" : fws_errname(ev->result);
	r.detail = ev->detail;
	r.version = ev->version;
	r.security_version = ev->security_version;
	slot[0] = ev->slot;
	r.slot = slot;
	if (ev->digest != NULL)
		fws_hex_encode(r.digest, ev->digest, 32);
	memcpy(r.prev, hd.hash, sizeof(r.prev));
	rc = line_format(&r, line, sizeof(line), &len);
	if (rc != 0)
		goto out;

	/* Bounded: DIR/log stays within FWS_LOG_ROTATE_BYTES, so the two
	 * files never exceed twice that. */
	if (tail.log_size > 0 && tail.log_size + len > FWS_LOG_ROTATE_BYTES) {
		rc = rotate(b, &hd);
		if (rc != 0)
			goto out;
	}
	rc = append_line(b, line, len);
	if (rc != 0)
		goto out;
	if (hd.seq == 0)
		hd.first = 1;
	hd.seq = r.seq;
	memcpy(hd.hash, r.hash, sizeof(hd.hash));
	rc = head_write(b, &hd);
	if (rc != 0)
		goto out;
	b->log_seq = hd.seq;
	if (fws_hex_decode_exact(b->log_hash, sizeof(b->log_hash), hd.hash) != 0) {
		rc = FWS_EINTERNAL;
		goto out;
	}
	b->log_loaded = 1;
out:
	json_decref(tail.doc);
	return rc;
}
