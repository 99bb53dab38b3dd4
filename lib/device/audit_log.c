/* SPDX-License-Identifier: Apache-2.0 */
/* The hash-chained audit log (format: docs/audit-log.md), over any storage
 * (struct fws_log_store, fwseal/auditlog.h). The directory backend keeps
 * segment 0 in DIR/log, segment 1 in DIR/log.1 and the head in
 * DIR/log.head; the names below are those files.
 *
 * DIR/log       one line per event, oldest first:
 *   {"seq":N,"time":"T","action":"A","result":"R","detail":"D","version":"V",
 *    "security_version":N,"slot":"S","digest":"H",["sbom":"B",]"prev":"P","hash":"X"}
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
 * log.head atomically. After a crash the log may hold one complete line
 * more than the head (accepted: it chains to the head; the next append
 * first writes the head forward, so there is never a second one) or a
 * torn, newline-less tail (never committed: cut off by the next append,
 * ignored by readers). An append whose head cannot be written (an I/O
 * error, a full disk) is undone, so a failure leaves the log as it was.
 * Anything else is FWS_ESTATE: two lines past the head are no crash
 * remnant but an edit, and are never rolled forward. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/auditlog.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "fwseal/sha256.h"
#include "io/io.h"

/* Longest line including its newline. The caps below keep every line the
 * formatter writes under it (checked at run time too). */
#define LINE_MAX_BYTES 2048
#define CAP_ACTION 64 /* escaped bytes of each string field */
#define CAP_RESULT 64
#define CAP_VERSION 128
#define CAP_SLOT 6
#define CAP_DETAIL 1024
#define HEAD_MAX 256

#define SEG_CURRENT 0 /* appended to */
#define SEG_OLD 1     /* after a rotation */


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
	char sbom[65];   /* "" (member absent) or 64 hex */
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
	/* Only install lines of a release with an SBOM carry it: every older
	 * line keeps its exact bytes, so old logs verify unchanged. */
	if (r->sbom[0] != '\0') {
		puts_(&o, "\",\"sbom\":\"");
		puts_(&o, r->sbom);
	}
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
static const char *const line_optional_keys[] = {"sbom"};
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
					 line_optional_keys, 1);
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
	/* Present means a digest: an empty one would be a second spelling of
	 * "no SBOM". */
	if (rc == 0 && json_object_get(*doc, "sbom") != NULL)
		rc = get_hex(*doc, "sbom", r->sbom, 0);
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
 * head, FWS_ESTATE when it is malformed. */
static int head_read(const struct fws_log_store *s, struct log_head *hd, int *present)
{
	uint8_t buf[HEAD_MAX];
	size_t len = 0;
	int rc = s->head_read(s->ctx, buf, sizeof(buf), &len);

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

static int head_write(const struct fws_log_store *s, const struct log_head *hd)
{
	char buf[HEAD_MAX];
	size_t len;
	int rc = head_format(hd, buf, sizeof(buf), &len);

	if (rc != 0)
		return rc;
	return s->head_write(s->ctx, (const uint8_t *)buf, len);
}

/* 1 when the stored head is exactly hd. The failure being handled keeps
 * its diagnostic. */
static int head_names(const struct fws_log_store *s, const struct log_head *hd)
{
	struct fws_diag saved = *fws_diag_last();
	struct log_head now;
	int present = 0;
	int same = head_read(s, &now, &present) == 0 && present && now.seq == hd->seq &&
		   now.first == hd->first && strcmp(now.hash, hd->hash) == 0;
	fws_diag_restore(&saved);
	return same;
}

/* --- reading lines --- */

struct line_reader {
	const struct fws_log_store *s;
	int segment;
	uint64_t offset; /* where the next read starts */
	size_t pos, len;
	int eof;
	char buf[8192];
};

enum { LINE_OK = 1, LINE_FRAGMENT = 2 };

static void reader_init(struct line_reader *r, const struct fws_log_store *s, int segment)
{
	memset(r, 0, offsetof(struct line_reader, buf));
	r->s = s;
	r->segment = segment;
}

/* Next line into out (NUL-terminated, no newline): LINE_OK, LINE_FRAGMENT
 * (bytes after the last newline at the end), 0 at the end, FWS_ESTATE for
 * a line of LINE_MAX_BYTES or more, or the storage's error. */
static int line_next(struct line_reader *r, char *out, size_t *out_len)
{
	size_t n = 0;

	for (;;) {
		if (r->pos == r->len) {
			size_t got = 0;
			if (r->eof)
				break;
			int rc = r->s->read(r->s->ctx, r->segment, r->offset, (uint8_t *)r->buf,
					    sizeof(r->buf), &got);
			if (rc != 0)
				return rc;
			if (got == 0) {
				r->eof = 1;
				break;
			}
			r->offset += got;
			r->pos = 0;
			r->len = got;
		}
		char c = r->buf[r->pos++];
		if (c == '\n') {
			out[n] = '\0';
			*out_len = n;
			return LINE_OK;
		}
		/* A line may hold at most LINE_MAX_BYTES - 1 bytes before its
		 * newline: bounded memory whatever the storage holds. */
		if (n == LINE_MAX_BYTES - 1)
			return FWS_ESTATE;
		out[n++] = c;
	}
	out[n] = '\0';
	*out_len = n;
	return n == 0 ? 0 : LINE_FRAGMENT;
}

static int segment_exists(const struct fws_log_store *s, int segment, int *exists)
{
	uint64_t size;
	int rc = s->size(s->ctx, segment, &size);
	*exists = rc == 0;
	return rc == FWS_ENOENT ? 0 : rc;
}

/* Calls fn for every line of segment 1 then segment 0, with kind LINE_OK
 * or LINE_FRAGMENT (a newline-less tail; in segment 1, which is never
 * appended to, that is FWS_ESTATE). */
typedef int (*walk_fn)(void *arg, const char *line, size_t len, int kind);

static int walk(const struct fws_log_store *s, walk_fn fn, void *arg)
{
	static const int segments[] = {SEG_OLD, SEG_CURRENT};
	struct line_reader *r = malloc(sizeof(*r));
	char *line = malloc(LINE_MAX_BYTES);
	size_t len;
	int rc = (r == NULL || line == NULL) ? FWS_ENOMEM : 0;

	for (size_t f = 0; rc == 0 && f < 2; f++) {
		int exists;
		rc = segment_exists(s, segments[f], &exists);
		if (rc != 0 || !exists)
			continue;
		reader_init(r, s, segments[f]);
		while ((rc = line_next(r, line, &len)) > 0) {
			if (rc == LINE_FRAGMENT && segments[f] == SEG_OLD) {
				rc = FWS_ESTATE;
				break;
			}
			rc = fn(arg, line, len, rc);
			if (rc != 0)
				break;
		}
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

int fws_audit_log_read(const struct fws_log_store *s,
		       int (*fn)(void *arg, const char *line, size_t len), void *arg)
{
	struct read_ctx c = {fn, arg};

	if (s == NULL || fn == NULL)
		return FWS_EUSAGE;
	return walk(s, read_cb, &c);
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

int fws_audit_log_verify(const struct fws_log_store *s, uint64_t *entries, uint64_t *bad_line)
{
	struct log_head head;
	struct verify_ctx v;
	int rc;

	if (s == NULL || entries == NULL || bad_line == NULL)
		return FWS_EUSAGE;
	*entries = 0;
	*bad_line = 0;
	memset(&v, 0, sizeof(v));
	rc = head_read(s, &head, &v.have_head);
	if (rc != 0)
		return rc; /* bad_line 0: the head itself */
	v.head = &head;
	rc = walk(s, verify_cb, &v);
	if (rc == FWS_ESTATE && v.bad == 0)
		v.bad = v.n + 1; /* an over-long line, or a torn tail in segment 1 */
	if (rc != 0) {
		*bad_line = v.bad;
		return rc;
	}
	/* The end must be the head's line, or the one line an append leaves
	 * when it is cut off between its line and its head. A head past the
	 * last line means lines were cut off; two or more lines past the head
	 * are no crash remnant. A missing head reads as "empty log". */
	if (v.n == 0)
		rc = v.have_head ? FWS_ESTATE : 0;
	else if (v.last_seq == head.seq && strcmp(v.last_hash, head.hash) == 0)
		rc = 0;
	else if (v.last_seq == head.seq + 1 && strcmp(v.last_prev, head.hash) == 0)
		rc = 0;
	else
		rc = FWS_ESTATE;
	if (rc != 0) {
		/* A torn last line is the likely culprit: name it. */
		*bad_line = v.fragment;
		return rc;
	}
	*entries = v.n;
	return 0;
}

/* --- appending --- */

/* Where the log ends in its storage. */
struct log_tail {
	int have_line;	     /* a complete line exists in segment 0 or 1 */
	struct log_rec last; /* ... the last one */
	json_t *doc;	     /* owns last's strings */
	uint64_t log_size;   /* bytes of segment 0 (0 if missing) */
	int torn;	     /* segment 0 ends without a newline */
	uint64_t keep;	     /* ... then: bytes up to its last newline */
};

/* Reads the last complete line of a segment from its tail only (an append
 * costs the same however long the log is). */
static int tail_of(const struct fws_log_store *s, int segment, struct log_tail *t)
{
	char *buf = NULL;
	uint64_t size, off;
	size_t len = 0, end, start;
	int is_log = segment == SEG_CURRENT;
	int rc = s->size(s->ctx, segment, &size);

	if (rc == FWS_ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	if (is_log)
		t->log_size = size;
	if (size == 0)
		return 0;
	/* A complete line and a torn tail are each shorter than
	 * LINE_MAX_BYTES, so twice that holds both. */
	buf = malloc(2 * LINE_MAX_BYTES);
	if (buf == NULL)
		return FWS_ENOMEM;
	off = size > 2 * LINE_MAX_BYTES ? size - 2 * LINE_MAX_BYTES : 0;
	while (len < size - off) {
		size_t got = 0;
		rc = s->read(s->ctx, segment, off + len, (uint8_t *)buf + len,
			     (size_t)(size - off) - len, &got);
		if (rc == 0 && got == 0)
			rc = FWS_ESTATE; /* shorter than its size: changed under us */
		if (rc != 0)
			goto out;
		len += got;
	}
	rc = FWS_ESTATE;
	end = len;
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	if (end < len) {
		/* Torn tail: only possible in the segment still appended to,
		 * and only as long as a line could be. */
		if (!is_log || (end == 0 && off > 0) || len - end >= LINE_MAX_BYTES)
			goto out;
		t->torn = 1;
		t->keep = off + end;
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
	return rc;
}

static int tail_read(const struct fws_log_store *s, struct log_tail *t)
{
	int rc;

	memset(t, 0, sizeof(*t));
	rc = tail_of(s, SEG_CURRENT, t);
	/* An empty segment 0 after a rotation: the end is in segment 1. */
	if (rc == 0 && !t->have_line)
		rc = tail_of(s, SEG_OLD, t);
	return rc;
}

/* Seq of the first line of segment 0 (for the head after a rotation). */
static int first_seq(const struct fws_log_store *s, uint64_t *seq)
{
	struct line_reader *r = malloc(sizeof(*r));
	char *line = malloc(LINE_MAX_BYTES);
	struct log_rec rec;
	json_t *doc = NULL;
	size_t len;
	int rc = (r == NULL || line == NULL) ? FWS_ENOMEM : 0;

	if (rc == 0) {
		reader_init(r, s, SEG_CURRENT);
		rc = line_next(r, line, &len);
		if (rc == LINE_OK)
			rc = line_decode(line, len, &rec, &doc);
		else if (rc >= 0)
			rc = FWS_ESTATE;
	}
	if (rc == 0)
		*seq = rec.seq;
	json_decref(doc);
	free(line);
	free(r);
	return rc == FWS_ENOENT ? FWS_ESTATE : rc;
}

/* Segment 0 becomes segment 1. The head first records the new lowest seq
 * (which is never higher than what is kept, whichever side of the rotation
 * a crash falls on), then the rotation. */
static int rotate(const struct fws_log_store *s, struct log_head *hd)
{
	uint64_t first;
	int rc = first_seq(s, &first);

	if (rc == 0 && (first > hd->seq || first < hd->first))
		rc = FWS_ESTATE;
	if (rc != 0)
		return rc;
	if (first != hd->first) {
		hd->first = first;
		rc = head_write(s, hd);
	}
	return rc == 0 ? s->rotate(s->ctx) : rc;
}

/* Where the chain stands: the head, reconciled with the log's last line.
 * *ahead = 1 when the last line is the one line an interrupted append left
 * past the head. FWS_ESTATE when they disagree in any way a crash cannot
 * explain. */
static int chain_position(const struct fws_log_store *s, struct log_head *hd,
			  struct log_tail *tail, int *ahead)
{
	int have_head, rc;
	*ahead = 0;
	memset(tail, 0, sizeof(*tail));
	rc = head_read(s, hd, &have_head);
	if (rc == 0)
		rc = tail_read(s, tail);
	if (rc != 0)
		return rc;
	if (!tail->have_line)
		return hd->seq != 0 ? FWS_ESTATE : 0; /* lines the head vouches for are gone */
	if (tail->last.seq == hd->seq && strcmp(tail->last.hash, hd->hash) == 0)
		return 0; /* the normal case */
	if (tail->last.seq == hd->seq + 1 && strcmp(tail->last.prev, hd->hash) == 0) {
		*ahead = 1; /* an append cut off after its line */
		return 0;
	}
	return FWS_ESTATE;
}

int fws_audit_log_position(const struct fws_log_store *s, uint64_t *last_seq)
{
	struct log_head hd;
	struct log_tail tail;
	int ahead;
	if (s == NULL || last_seq == NULL)
		return FWS_EUSAGE;
	int rc = chain_position(s, &hd, &tail, &ahead);
	if (rc == 0)
		*last_seq = tail.have_line ? tail.last.seq : 0;
	json_decref(tail.doc);
	return rc;
}

int fws_audit_log_append(const struct fws_log_store *s, const struct fws_event *ev,
			 int64_t time)
{
	struct log_head hd;
	struct log_tail tail;
	struct log_rec r;
	char line[LINE_MAX_BYTES + 1], when[21], slot[2] = {0, 0};
	uint64_t before;
	size_t len;
	int rc, ahead;

	if (s == NULL || ev == NULL || ev->action == NULL || ev->action[0] == '\0')
		return FWS_EUSAGE;
	rc = chain_position(s, &hd, &tail, &ahead);
	if (rc != 0)
		goto out;
	if (ahead) {
		/* Roll the head forward onto the remnant line, durably, before
		 * anything is appended: otherwise a crash during this append
		 * would leave two lines past the head. */
		hd.seq = tail.last.seq;
		memcpy(hd.hash, tail.last.hash, sizeof(hd.hash));
		rc = head_write(s, &hd);
		if (rc != 0)
			goto out;
	}
	if (tail.torn) {
		rc = s->truncate(s->ctx, tail.keep);
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
	if (ev->sbom != NULL)
		fws_hex_encode(r.sbom, ev->sbom, 32);
	memcpy(r.prev, hd.hash, sizeof(r.prev));
	rc = line_format(&r, line, sizeof(line), &len);
	if (rc != 0)
		goto out;

	/* Bounded: segment 0 stays within FWS_LOG_ROTATE_BYTES, so the two
	 * segments never exceed twice that. */
	if (tail.log_size > 0 && tail.log_size + len > FWS_LOG_ROTATE_BYTES) {
		rc = rotate(s, &hd);
		if (rc != 0)
			goto out;
		tail.log_size = 0;
	}
	before = tail.log_size;
	if (hd.seq == 0)
		hd.first = 1;
	hd.seq = r.seq;
	memcpy(hd.hash, r.hash, sizeof(hd.hash));
	rc = s->append(s->ctx, (const uint8_t *)line, len);
	if (rc == 0)
		rc = head_write(s, &hd);
	if (rc != 0 && !head_names(s, &hd)) {
		/* Undo: a line the head does not name must not stay behind (a
		 * full disk would otherwise read as tampering). If even the
		 * undo fails, the line is the one remnant a crash leaves. A
		 * head that is already in place (only its directory fsync
		 * failed) names the line: cutting it then would leave the head
		 * past the end of the log, so the line stays; the error is
		 * reported either way. */
		int keep = rc;
		(void)s->truncate(s->ctx, before);
		rc = keep;
	}
out:
	json_decref(tail.doc);
	return rc;
}
