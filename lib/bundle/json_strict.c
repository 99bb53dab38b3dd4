/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON: one reading of every accepted document, bounded in size and
 * depth, with no field the schema does not name. Every refusal says which
 * field broke which rule (fwseal/diag.h); the wording of the rules lives
 * here, so every document says it the same way. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "io/io.h"

/* Longest time string we hand to the time parser; anything longer is not a
 * time and is refused before parsing. */
#define TIME_TEXT_MAX 32

#define NAME_RULE "letters, digits and ._+- only, not starting with . or -"
#define SEMVER_RULE "MAJOR.MINOR.PATCH, optional -PRERELEASE and +BUILD, no leading zeros"
#define TIME_RULE "YYYY-MM-DDTHH:MM:SSZ, UTC, a real date in 1970..9999"

/* ---- describing failures ---- */

const char *fws_json_type_name(const json_t *v)
{
	if (v == NULL)
		return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "an unknown type";
}

const char *fws_json_quote(char *buf, const char *s, size_t len)
{
	size_t o = 0, n = s == NULL ? 0 : len;
	int cut = 0;

	if (n > FWS_JSON_QUOTE_MAX) {
		/* Cut at a character boundary, never inside a UTF-8 sequence. */
		n = FWS_JSON_QUOTE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		cut = 1;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* A value must not be able to drive the terminal of whoever
		 * reads the message: C0 controls, DEL and C1 (U+0080..U+009F). */
		if (c < 0x20 || c == 0x7f) {
			c = '?';
		} else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			   (unsigned char)s[i + 1] <= 0x9f) {
			c = '?';
			i++;
		}
		buf[o++] = (char)c;
	}
	if (cut) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

int fws_json_within(int rc, const char *fmt, ...)
{
	char part[FWS_DIAG_WHERE_MAX];
	va_list ap;

	if (rc == 0 || fws_diag_last()->code != rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(part, sizeof(part), fmt, ap);
	va_end(ap);
	fws_diag_prefix('.', "%s", part);
	return rc;
}

int fws_json_recode(int rc, int from, int to)
{
	if (rc != from)
		return rc;
	if (fws_diag_last()->code == from) {
		struct fws_diag d = *fws_diag_last();
		d.code = to;
		fws_diag_restore(&d);
	}
	return to;
}

int fws_json_syntax_error(int code, const json_error_t *err)
{
	char text[sizeof(err->text)];
	size_t i;

	/* jansson quotes the input near the error: printable ASCII only. */
	for (i = 0; i + 1 < sizeof(text) && err->text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)err->text[i];
		text[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	text[i] = '\0';
	if (err->line > 0)
		return fws_diag_set(code, 0, NULL, "line %d, column %d: %s", err->line, err->column,
				    text);
	return fws_diag_set(code, 0, NULL, "%s", text);
}

/* A field that is missing or of the wrong type: the enclosing object is
 * the part, the field is named in the rule. key NULL: an array entry, which
 * is the part itself. */
static int type_error(const json_t *v, const char *key, const char *want)
{
	if (v == NULL && key != NULL)
		return fws_diag_set(FWS_ESCHEMA, 0, NULL, "missing field \"%s\"", key);
	if (v == NULL)
		return fws_diag_set(FWS_ESCHEMA, 0, NULL, "missing");
	if (key != NULL)
		return fws_diag_set(FWS_ESCHEMA, 0, NULL, "\"%s\" must be %s, not %s", key, want,
				    fws_json_type_name(v));
	return fws_diag_set(FWS_ESCHEMA, 0, NULL, "must be %s, not %s", want,
			    fws_json_type_name(v));
}

/* A value that breaks its rule: the field is the part. */
static __attribute__((format(printf, 3, 4))) int value_error(int code, const char *key,
							     const char *fmt, ...)
{
	char why[FWS_DIAG_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fws_diag_set(code, 0, key, "%s", why);
}

/* "2 is not between 4096 and 16777216" and its special cases. */
static int range_error(const char *key, long long x, uint64_t min, uint64_t max)
{
	if (min == max)
		return value_error(FWS_ESCHEMA, key, "must be %llu, not %lld",
				   (unsigned long long)min, x);
	if (max >= FWS_SIZE_MAX && min == 0)
		return value_error(FWS_ESCHEMA, key, "%lld is negative", x);
	if (max >= FWS_SIZE_MAX)
		return value_error(FWS_ESCHEMA, key, "%lld is less than %llu", x,
				   (unsigned long long)min);
	return value_error(FWS_ESCHEMA, key, "%lld is not between %llu and %llu", x,
			   (unsigned long long)min, (unsigned long long)max);
}

static int too_big_error(const char *key, long long x)
{
	return value_error(FWS_ELIMIT, key,
			   "%lld is above 2^53 - 1, the largest integer every JSON reader reads "
			   "exactly",
			   x);
}

/* Depth of v counted from 1 at the top level. The walk stops descending as
 * soon as the limit is passed, so its own recursion is bounded by the limit
 * (a hostile "[[[[..." cannot exhaust our stack here). */
static int depth_within(const json_t *v, unsigned depth, unsigned max)
{
	if (!json_is_object(v) && !json_is_array(v))
		return 1;
	if (depth > max)
		return 0;
	if (json_is_array(v)) {
		size_t i;
		const json_t *item;
		json_array_foreach(v, i, item)
		{
			if (!depth_within(item, depth + 1, max))
				return 0;
		}
		return 1;
	}
	const char *key;
	json_t *member;
	json_object_foreach((json_t *)v, key, member)
	{
		if (!depth_within(member, depth + 1, max))
			return 0;
	}
	return 1;
}

int fws_json_load(const uint8_t *json, size_t len, size_t max, json_t **out)
{
	return fws_json_load_depth(json, len, max, FWS_JSON_DEPTH_MAX, out);
}

int fws_json_load_depth(const uint8_t *json, size_t len, size_t max, unsigned max_depth,
			json_t **out)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	json_error_t err;
	const uint8_t *nul;

	if (json == NULL || out == NULL)
		goto out;
	*out = NULL;
	/* Size first: nothing of an oversized input is parsed or allocated. */
	if (len > max) {
		rc = fws_diag_set(FWS_ELIMIT, 0, NULL, "%zu bytes, at most %zu", len, max);
		goto out;
	}
	/* A NUL byte ends the document for C string tools but not for jansson:
	 * two readers, two documents. */
	nul = memchr(json, 0, len);
	if (nul != NULL) {
		rc = fws_diag_set(FWS_EJSON, 0, NULL, "a NUL byte at offset %zu",
				  (size_t)(nul - json));
		goto out;
	}
	if (len == 0) {
		rc = fws_diag_set(FWS_EJSON, 0, NULL, "empty: no JSON object");
		goto out;
	}
	/* Duplicate keys are the classic parser-differential attack (one
	 * parser keeps the first value, another the last); the EOF check is
	 * left on so trailing data is refused; \u0000 in strings stays refused
	 * (no JSON_ALLOW_NUL); jansson rejects invalid UTF-8. */
	doc = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &err);
	if (doc == NULL) {
		rc = fws_json_syntax_error(FWS_EJSON, &err);
		goto out;
	}
	if (!depth_within(doc, 1, max_depth)) {
		rc = fws_diag_set(FWS_EJSON, 0, NULL, "nested more than %u levels deep",
				  max_depth);
		goto out;
	}
	if (!json_is_object(doc)) {
		rc = fws_diag_set(FWS_ESCHEMA, 0, NULL, "the top level must be an object, not %s",
				  fws_json_type_name(doc));
		goto out;
	}
	*out = doc;
	doc = NULL;
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

static int listed(const char *key, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(key, names[i]) == 0)
			return 1;
	}
	return 0;
}

int fws_json_check_keys(const json_t *obj, const char *const *required, size_t n_required,
			const char *const *optional, size_t n_optional)
{
	const char *key;
	json_t *member;
	char q[FWS_JSON_QUOTE_CAP];

	if (!json_is_object(obj))
		return type_error(obj, NULL, "an object");
	/* Unknown fields are refused: a field this version ignores could be one
	 * a later verifier acts on, and a signer must not sign what we cannot
	 * check. */
	json_object_foreach((json_t *)obj, key, member)
	{
		(void)member;
		if (!listed(key, required, n_required) && !listed(key, optional, n_optional))
			return fws_diag_set(FWS_ESCHEMA, 0, NULL, "unknown field %s",
					    fws_json_quote(q, key, strlen(key)));
	}
	for (size_t i = 0; i < n_required; i++) {
		if (json_object_get(obj, required[i]) == NULL)
			return fws_diag_set(FWS_ESCHEMA, 0, NULL, "missing field \"%s\"",
					    required[i]);
	}
	return 0;
}

/* ---- values; key names the field (NULL for an array entry) ---- */

static int string_at(const json_t *v, const char *key, size_t max, int too_long_code,
		     const char **out, size_t *out_len)
{
	if (!json_is_string(v))
		return type_error(v, key, "a string");
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	/* Refused by the parser already (no JSON_ALLOW_NUL); checked again
	 * because a NUL would let C code see a shorter string than was signed. */
	if (s == NULL || memchr(s, 0, n) != NULL)
		return value_error(FWS_ESCHEMA, key, "contains a NUL character");
	if (n > max)
		return value_error(too_long_code, key, "%zu bytes, at most %zu", n, max);
	*out = s;
	if (out_len != NULL)
		*out_len = n;
	return 0;
}

static int string_copy_at(const json_t *v, const char *key, char *out, size_t cap,
			  int too_long_code)
{
	const char *s;
	size_t n;
	int rc;

	if (cap == 0)
		return FWS_EINTERNAL;
	rc = string_at(v, key, cap - 1, too_long_code, &s, &n);
	if (rc != 0)
		return rc;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int uint_at(const json_t *v, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	/* Reals are refused even when integral ("1.0", "1e3"): two parsers
	 * may round them differently. Values beyond 2^63 never get here
	 * (jansson refuses them as a syntax error). */
	if (!json_is_integer(v))
		return type_error(v, key, "an integer");
	json_int_t x = json_integer_value(v);
	if (x < 0)
		return range_error(key, (long long)x, min, max);
	/* Above 2^53 - 1 a JavaScript or Python-float reader no longer sees
	 * the same number we do. */
	if ((uint64_t)x > FWS_SIZE_MAX)
		return too_big_error(key, (long long)x);
	if ((uint64_t)x < min || (uint64_t)x > max)
		return range_error(key, (long long)x, min, max);
	*out = (uint64_t)x;
	return 0;
}

static int hex_at(const json_t *v, const char *key, uint8_t *out, size_t len)
{
	char q[FWS_JSON_QUOTE_CAP];
	const char *s;
	size_t n;
	int rc;

	if (len > SIZE_MAX / 2)
		return FWS_EINTERNAL;
	rc = string_at(v, key, SIZE_MAX, FWS_ESCHEMA, &s, &n);
	if (rc != 0)
		return rc;
	/* Lowercase only and exact length: one value, one spelling, so a key
	 * ID or digest cannot be written two ways that compare differently. */
	if (n != 2 * len || fws_hex_decode_exact(out, len, s) != 0)
		return value_error(FWS_ESCHEMA, key, "%s is not %zu lowercase hex characters",
				   fws_json_quote(q, s, n), 2 * len);
	return 0;
}

static int time_at(const json_t *v, const char *key, int64_t *out)
{
	char q[FWS_JSON_QUOTE_CAP];
	const char *s;
	size_t n;
	int64_t t;
	int rc;

	rc = string_at(v, key, SIZE_MAX, FWS_ECLOCK, &s, &n);
	if (rc != 0)
		return rc;
	rc = n > TIME_TEXT_MAX ? FWS_ECLOCK : fws_time_parse(s, &t);
	if (rc != 0)
		return value_error(rc, key, "%s is not a time (" TIME_RULE ")",
				   fws_json_quote(q, s, n));
	*out = t;
	return 0;
}

static int name_at(const json_t *v, const char *key, char *out, size_t cap)
{
	char q[FWS_JSON_QUOTE_CAP];
	int rc = string_copy_at(v, key, out, cap, FWS_ESCHEMA);

	if (rc != 0)
		return rc;
	/* The charset rule is what stops "../x", "a/b" and hidden files. */
	if (!fws_name_valid(out))
		return value_error(FWS_ESCHEMA, key, "%s is not a valid name (" NAME_RULE ")",
				   fws_json_quote(q, out, strlen(out)));
	return 0;
}

int fws_json_string(const json_t *v, size_t max, int too_long_code, const char **out,
		    size_t *out_len)
{
	return string_at(v, NULL, max, too_long_code, out, out_len);
}

int fws_json_string_copy(const json_t *v, char *out, size_t cap, int too_long_code)
{
	return string_copy_at(v, NULL, out, cap, too_long_code);
}

int fws_json_uint(const json_t *v, uint64_t min, uint64_t max, uint64_t *out)
{
	return uint_at(v, NULL, min, max, out);
}

int fws_json_hex(const json_t *v, uint8_t *out, size_t len)
{
	return hex_at(v, NULL, out, len);
}

int fws_json_time(const json_t *v, int64_t *out)
{
	return time_at(v, NULL, out);
}

int fws_json_name(const json_t *v, char *out, size_t cap)
{
	return name_at(v, NULL, out, cap);
}

/* ---- fields by name ---- */

int fws_json_get_string(const json_t *obj, const char *key, size_t max, int too_long_code,
			const char **out, size_t *out_len)
{
	return string_at(json_object_get(obj, key), key, max, too_long_code, out, out_len);
}

int fws_json_get_string_copy(const json_t *obj, const char *key, char *out, size_t cap,
			     int too_long_code)
{
	return string_copy_at(json_object_get(obj, key), key, out, cap, too_long_code);
}

int fws_json_get_uint(const json_t *obj, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	return uint_at(json_object_get(obj, key), key, min, max, out);
}

int fws_json_get_hex(const json_t *obj, const char *key, uint8_t *out, size_t len)
{
	return hex_at(json_object_get(obj, key), key, out, len);
}

int fws_json_get_time(const json_t *obj, const char *key, int64_t *out)
{
	return time_at(json_object_get(obj, key), key, out);
}

int fws_json_get_object(const json_t *obj, const char *key, const char *const *required,
			size_t n_required, const char *const *optional, size_t n_optional,
			const json_t **out)
{
	const json_t *v = json_object_get(obj, key);
	int rc;

	if (!json_is_object(v))
		return type_error(v, key, "an object");
	rc = fws_json_check_keys(v, required, n_required, optional, n_optional);
	if (rc != 0)
		return fws_json_within(rc, "%s", key);
	if (out != NULL)
		*out = v;
	return 0;
}

int fws_json_get_array(const json_t *obj, const char *key, size_t min, size_t max,
		       int too_many_code, const json_t **out, size_t *n)
{
	const json_t *v = json_object_get(obj, key);
	size_t count;

	if (!json_is_array(v))
		return type_error(v, key, "an array");
	count = json_array_size(v);
	if (count < min)
		return value_error(FWS_ESCHEMA, key, "%zu entries, at least %zu", count, min);
	if (count > max)
		return value_error(too_many_code, key, "%zu entries, at most %zu", count, max);
	*out = v;
	*n = count;
	return 0;
}

int fws_json_get_name(const json_t *obj, const char *key, char *out, size_t cap)
{
	return name_at(json_object_get(obj, key), key, out, cap);
}

int fws_json_get_semver(const json_t *obj, const char *key, char *out, size_t cap)
{
	char q[FWS_JSON_QUOTE_CAP];
	int rc = fws_json_get_string_copy(obj, key, out, cap, FWS_ESCHEMA);

	if (rc != 0)
		return rc;
	if (!fws_semver_valid(out))
		return value_error(FWS_ESCHEMA, key,
				   "%s is not a semantic version (" SEMVER_RULE ")",
				   fws_json_quote(q, out, strlen(out)));
	return 0;
}

int fws_json_get_chunk_size(const json_t *obj, const char *key, uint32_t *out)
{
	const json_t *v = json_object_get(obj, key);
	json_int_t x;

	if (!json_is_integer(v))
		return type_error(v, key, "an integer");
	x = json_integer_value(v);
	if (x > 0 && (uint64_t)x > FWS_SIZE_MAX)
		return too_big_error(key, (long long)x);
	/* Powers of two only: chunk boundaries then never depend on rounding. */
	if (x < FWS_CHUNK_MIN || x > FWS_CHUNK_MAX || !fws_chunk_size_valid((uint32_t)x))
		return value_error(FWS_ESCHEMA, key,
				   "%lld is not a power of two between %u and %u MiB", (long long)x,
				   FWS_CHUNK_MIN, FWS_CHUNK_MAX >> 20);
	*out = (uint32_t)x;
	return 0;
}

int fws_json_set(json_t *obj, const char *key, json_t *val)
{
	if (val == NULL)
		return FWS_ENOMEM;
	/* json_object_set_new releases val on failure too. */
	return json_object_set_new(obj, key, val) == 0 ? 0 : FWS_ENOMEM;
}

int fws_json_append(json_t *arr, json_t *val)
{
	if (val == NULL)
		return FWS_ENOMEM;
	return json_array_append_new(arr, val) == 0 ? 0 : FWS_ENOMEM;
}

static char lower_hex(char c)
{
	return (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
}

/* Rewrites jansson's escapes into Python's spelling: \uXXXX with lowercase
 * hex, and DEL (which jansson leaves raw) as \u007f. Outside strings JSON
 * text has no backslash and no DEL, so a plain scan is exact. dst has room
 * for src_len + 5 bytes per DEL. */
static size_t normalise_escapes(char *dst, const char *src, size_t src_len)
{
	size_t o = 0;

	for (size_t i = 0; i < src_len; i++) {
		char c = src[i];
		if (c == 0x7f) {
			memcpy(dst + o, "\\u007f", 6);
			o += 6;
			continue;
		}
		dst[o++] = c;
		if (c != '\\' || i + 1 >= src_len)
			continue;
		/* Copy the escaped character so a "\\" pair is not read as the
		 * start of another escape. */
		char e = src[++i];
		dst[o++] = e;
		if (e == 'u') {
			for (size_t k = 0; k < 4 && i + 1 < src_len; k++)
				dst[o++] = lower_hex(src[++i]);
		}
	}
	return o;
}

int fws_json_dump(const json_t *v, size_t flags, int newline, char **out, size_t *out_len)
{
	int rc = FWS_EUSAGE;
	char *raw = NULL;
	char *text = NULL;
	size_t n, got, n_del = 0, cap, len;

	if (v == NULL || out == NULL || out_len == NULL)
		goto out;
	*out = NULL;
	*out_len = 0;
	/* ENSURE_ASCII: the text never depends on how a reader decodes UTF-8. */
	flags |= JSON_ENSURE_ASCII;
	rc = FWS_ENOMEM;
	n = json_dumpb(v, NULL, 0, flags);
	if (n == 0 || n > SIZE_MAX / 8)
		goto out;
	raw = malloc(n);
	if (raw == NULL)
		goto out;
	got = json_dumpb(v, raw, n, flags);
	rc = FWS_EINTERNAL;
	if (got != n)
		goto out;
	for (size_t i = 0; i < n; i++)
		n_del += (raw[i] == 0x7f);
	/* n <= SIZE_MAX / 8, so this cannot wrap. */
	cap = n + 5 * n_del + 2;
	rc = FWS_ENOMEM;
	text = malloc(cap);
	if (text == NULL)
		goto out;
	len = normalise_escapes(text, raw, n);
	if (newline)
		text[len++] = '\n';
	text[len] = '\0';
	*out = text;
	*out_len = len;
	text = NULL;
	rc = 0;
out:
	free(raw);
	free(text);
	return rc;
}

int fws_json_dump_canonical(const json_t *v, char **out, size_t *out_len)
{
	return fws_json_dump(v, JSON_COMPACT | JSON_SORT_KEYS, 0, out, out_len);
}

int fws_json_emit_checked(const json_t *doc,
			  int (*decode)(const uint8_t *json, size_t len, void *out),
			  size_t scratch_size, char **out, size_t *out_len)
{
	char *text = NULL;
	size_t text_len;
	void *check = NULL;
	int rc = fws_json_dump_canonical(doc, &text, &text_len);
	if (rc == 0) {
		check = malloc(scratch_size);
		rc = check == NULL ? FWS_ENOMEM : decode((const uint8_t *)text, text_len, check);
	}
	free(check);
	if (rc != 0) {
		free(text);
		return rc;
	}
	*out = text;
	*out_len = text_len;
	return 0;
}

int fws_json_set_time(json_t *obj, const char *key, int64_t t)
{
	char text[21];
	int rc = fws_time_format(t, text);
	if (rc != 0)
		return rc;
	return fws_json_set(obj, key, json_string(text));
}
