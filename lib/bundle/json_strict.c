/* Strict JSON: one reading of every accepted document, bounded in size and
 * depth, with no field the schema does not name. */
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"

/* Longest time string we hand to the time parser; anything longer is not a
 * time and is refused before parsing. */
#define TIME_TEXT_MAX 32

/* Depth of v counted from 1 at the top level. The walk stops descending as
 * soon as the limit is passed, so its own recursion is bounded by the limit
 * (a hostile "[[[[..." cannot exhaust our stack here). */
static int depth_within(const json_t *v, unsigned depth)
{
	if (!json_is_object(v) && !json_is_array(v))
		return 1;
	if (depth > FWS_JSON_DEPTH_MAX)
		return 0;
	if (json_is_array(v)) {
		size_t i;
		const json_t *item;
		json_array_foreach(v, i, item)
		{
			if (!depth_within(item, depth + 1))
				return 0;
		}
		return 1;
	}
	const char *key;
	json_t *member;
	json_object_foreach((json_t *)v, key, member)
	{
		if (!depth_within(member, depth + 1))
			return 0;
	}
	return 1;
}

int fws_json_load(const uint8_t *json, size_t len, size_t max, json_t **out)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	json_error_t err;

	if (json == NULL || out == NULL)
		goto out;
	*out = NULL;
	/* Size first: nothing of an oversized input is parsed or allocated. */
	rc = FWS_ELIMIT;
	if (len > max)
		goto out;
	/* A NUL byte ends the document for C string tools but not for jansson:
	 * two readers, two documents. */
	rc = FWS_EJSON;
	if (memchr(json, 0, len) != NULL)
		goto out;
	/* Duplicate keys are the classic parser-differential attack (one
	 * parser keeps the first value, another the last); the EOF check is
	 * left on so trailing data is refused; \u0000 in strings stays refused
	 * (no JSON_ALLOW_NUL); jansson rejects invalid UTF-8. */
	doc = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &err);
	if (doc == NULL)
		goto out;
	if (!depth_within(doc, 1))
		goto out;
	rc = FWS_ESCHEMA;
	if (!json_is_object(doc))
		goto out;
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

	if (!json_is_object(obj))
		return FWS_ESCHEMA;
	/* Unknown fields are refused: a field this version ignores could be one
	 * a later verifier acts on, and a signer must not sign what we cannot
	 * check. */
	json_object_foreach((json_t *)obj, key, member)
	{
		(void)member;
		if (!listed(key, required, n_required) && !listed(key, optional, n_optional))
			return FWS_ESCHEMA;
	}
	for (size_t i = 0; i < n_required; i++) {
		if (json_object_get(obj, required[i]) == NULL)
			return FWS_ESCHEMA;
	}
	return 0;
}

int fws_json_string(const json_t *v, size_t max, int too_long_code, const char **out,
		    size_t *out_len)
{
	if (!json_is_string(v))
		return FWS_ESCHEMA;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	/* Refused by the parser already (no JSON_ALLOW_NUL); checked again
	 * because a NUL would let C code see a shorter string than was signed. */
	if (s == NULL || memchr(s, 0, n) != NULL)
		return FWS_ESCHEMA;
	if (n > max)
		return too_long_code;
	*out = s;
	if (out_len != NULL)
		*out_len = n;
	return 0;
}

int fws_json_string_copy(const json_t *v, char *out, size_t cap, int too_long_code)
{
	const char *s;
	size_t n;
	int rc;

	if (cap == 0)
		return FWS_EINTERNAL;
	rc = fws_json_string(v, cap - 1, too_long_code, &s, &n);
	if (rc != 0)
		return rc;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int fws_json_uint(const json_t *v, uint64_t min, uint64_t max, uint64_t *out)
{
	/* Reals are refused even when integral ("1.0", "1e3"): two parsers
	 * may round them differently. Values beyond 2^63 never get here
	 * (jansson refuses them as a syntax error). */
	if (!json_is_integer(v))
		return FWS_ESCHEMA;
	json_int_t x = json_integer_value(v);
	if (x < 0)
		return FWS_ESCHEMA;
	/* Above 2^53 - 1 a JavaScript or Python-float reader no longer sees
	 * the same number we do. */
	if ((uint64_t)x > FWS_SIZE_MAX)
		return FWS_ELIMIT;
	if ((uint64_t)x < min || (uint64_t)x > max)
		return FWS_ESCHEMA;
	*out = (uint64_t)x;
	return 0;
}

int fws_json_hex(const json_t *v, uint8_t *out, size_t len)
{
	const char *s;
	int rc;

	if (len > SIZE_MAX / 2)
		return FWS_EINTERNAL;
	rc = fws_json_string(v, 2 * len, FWS_ESCHEMA, &s, NULL);
	if (rc != 0)
		return rc;
	/* Lowercase only and exact length: one value, one spelling, so a key
	 * ID or digest cannot be written two ways that compare differently. */
	return fws_hex_decode_exact(out, len, s) == 0 ? 0 : FWS_ESCHEMA;
}

int fws_json_time(const json_t *v, int64_t *out)
{
	const char *s;
	int64_t t;
	int rc;

	rc = fws_json_string(v, TIME_TEXT_MAX, FWS_ECLOCK, &s, NULL);
	if (rc != 0)
		return rc;
	rc = fws_time_parse(s, &t);
	if (rc != 0)
		return rc;
	*out = t;
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
