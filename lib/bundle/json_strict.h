/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON helpers shared by the envelope, manifest and root decoders.
 * Internal: not installed, not exported.
 *
 * Every document these helpers accept is one that a second, independent
 * parser reads the same way: no duplicate keys (which copy wins differs
 * between parsers), no trailing data, no NUL, valid UTF-8, bounded size and
 * depth, and no field the schema does not name. Each helper returns 0 or a
 * negative FWS_E* code and leaves its outputs untouched on failure.
 *
 * Every failure is also described (fwseal/diag.h), at the point where the
 * rule is known: `why` names the rule and quotes the value that broke it
 * (cut short, control characters replaced), `where` names the field. The
 * value helpers (fws_json_string(v, ...)) leave `where` empty; the field
 * helpers (fws_json_get_*(obj, key, ...)) put key there, or, for a field
 * that is missing or of the wrong type, name it in `why` ("missing field
 * \"product\"", "\"version\" must be a string, not an integer"). A decoder
 * then only prepends the path of the enclosing object (fws_json_within). */
#ifndef FWSEAL_BUNDLE_JSON_STRICT_H
#define FWSEAL_BUNDLE_JSON_STRICT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

/* Parses len bytes (at most max, else FWS_ELIMIT) as one JSON object with
 * nesting depth <= FWS_JSON_DEPTH_MAX. FWS_EJSON for anything that is not
 * strict JSON (syntax, duplicate key, bad UTF-8, NUL, trailing data, depth);
 * FWS_ESCHEMA when the top level is not an object. *out is a new reference. */
FWS_MUST_CHECK int fws_json_load(const uint8_t *json, size_t len, size_t max, json_t **out);
/* The same with another depth limit (SBOMs nest deeper: FWS_SBOM_DEPTH_MAX). */
FWS_MUST_CHECK int fws_json_load_depth(const uint8_t *json, size_t len, size_t max,
				       unsigned max_depth, json_t **out);

/* Every key of obj is listed in required or optional, and every required key
 * is present. FWS_ESCHEMA otherwise (also when obj is not an object). */
FWS_MUST_CHECK int fws_json_check_keys(const json_t *obj, const char *const *required,
				       size_t n_required, const char *const *optional,
				       size_t n_optional);

/* v is a string of at most max bytes (too_long_code otherwise) with no NUL
 * inside; FWS_ESCHEMA for any other type. *out points into v. */
FWS_MUST_CHECK int fws_json_string(const json_t *v, size_t max, int too_long_code, const char **out,
				   size_t *out_len);

/* Copies a string of at most cap - 1 bytes into out (NUL-terminated);
 * too_long_code when longer. */
FWS_MUST_CHECK int fws_json_string_copy(const json_t *v, char *out, size_t cap, int too_long_code);

/* v is a JSON integer (not a real) with min <= value <= max. FWS_ESCHEMA
 * for another type or a value out of [min, max]; FWS_ELIMIT for a value
 * above FWS_SIZE_MAX, which a JSON number cannot carry exactly. */
FWS_MUST_CHECK int fws_json_uint(const json_t *v, uint64_t min, uint64_t max, uint64_t *out);

/* v is exactly 2 * len lowercase hex characters; FWS_ESCHEMA otherwise. */
FWS_MUST_CHECK int fws_json_hex(const json_t *v, uint8_t *out, size_t len);

/* v is a strict RFC 3339 UTC time string (FWS_ESCHEMA if not a string,
 * FWS_ECLOCK if not a valid time). */
FWS_MUST_CHECK int fws_json_time(const json_t *v, int64_t *out);

/* --- fields by name: as above, and the failure names the field --- */

/* obj[key] (NULL: missing field) as fws_json_string / _string_copy. */
FWS_MUST_CHECK int fws_json_get_string(const json_t *obj, const char *key, size_t max,
				       int too_long_code, const char **out, size_t *out_len);
FWS_MUST_CHECK int fws_json_get_string_copy(const json_t *obj, const char *key, char *out,
					    size_t cap, int too_long_code);
/* obj[key] as fws_json_uint, fws_json_hex, fws_json_time. */
FWS_MUST_CHECK int fws_json_get_uint(const json_t *obj, const char *key, uint64_t min, uint64_t max,
				     uint64_t *out);
FWS_MUST_CHECK int fws_json_get_hex(const json_t *obj, const char *key, uint8_t *out, size_t len);
FWS_MUST_CHECK int fws_json_get_time(const json_t *obj, const char *key, int64_t *out);
/* obj[key] is an object with exactly these keys (fws_json_check_keys);
 * *out points at it. */
FWS_MUST_CHECK int fws_json_get_object(const json_t *obj, const char *key,
				       const char *const *required, size_t n_required,
				       const char *const *optional, size_t n_optional,
				       const json_t **out);
/* obj[key] is an array of min..max entries: FWS_ESCHEMA for another type or
 * fewer entries, too_many_code for more. */
FWS_MUST_CHECK int fws_json_get_array(const json_t *obj, const char *key, size_t min, size_t max,
				      int too_many_code, const json_t **out, size_t *n);

/* --- field rules shared by several documents (FWS_ESCHEMA) --- */

/* A name (fws_name_valid: docs/format.md §11.3) of at most cap - 1 bytes,
 * copied to out. fws_json_name is the same for an array entry. */
FWS_MUST_CHECK int fws_json_name(const json_t *v, char *out, size_t cap);
FWS_MUST_CHECK int fws_json_get_name(const json_t *obj, const char *key, char *out, size_t cap);
/* A SemVer 2.0.0 version (fws_semver_valid) of at most cap - 1 bytes. */
FWS_MUST_CHECK int fws_json_get_semver(const json_t *obj, const char *key, char *out, size_t cap);
/* A chunk size: an integer, a power of two, FWS_CHUNK_MIN..FWS_CHUNK_MAX
 * (FWS_ELIMIT, as fws_json_uint, above FWS_SIZE_MAX). */
FWS_MUST_CHECK int fws_json_get_chunk_size(const json_t *obj, const char *key, uint32_t *out);

/* --- describing failures --- */

/* Returns rc. When rc is the failure last described (fws_diag_last()->code
 * == rc), the part named by fmt is prepended to its `where`, joined with a
 * '.' (or nothing before "[i]"): a decoder's way of saying "inside
 * payloads[3]". Anything else is left alone, so a stale description of an
 * earlier failure is never extended. */
int fws_json_within(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns `to` when rc == from (and the description follows), else rc: for
 * a decoder that reports a helper's FWS_ESCHEMA as, say, FWS_EENVELOPE. */
int fws_json_recode(int rc, int from, int to);
/* Records code for a syntax error jansson reported, as "line L, column C:
 * TEXT" (TEXT reduced to printable ASCII). Returns code. */
int fws_json_syntax_error(int code, const json_error_t *err);

/* A value as a message quotes it: in double quotes, cut after
 * FWS_JSON_QUOTE_MAX bytes with "...", control characters (C0, DEL, C1) as
 * '?'. buf must hold FWS_JSON_QUOTE_CAP bytes; returns buf. */
#define FWS_JSON_QUOTE_MAX 40
#define FWS_JSON_QUOTE_CAP (FWS_JSON_QUOTE_MAX + 8)
const char *fws_json_quote(char *buf, const char *s, size_t len);
/* "a string", "an integer", "an object", ... for "must be X, not Y". */
const char *fws_json_type_name(const json_t *v);

/* obj[key] = val, taking val's reference even on failure. FWS_ENOMEM when
 * val is NULL (a failed constructor) or the insertion fails. */
FWS_MUST_CHECK int fws_json_set(json_t *obj, const char *key, json_t *val);
/* obj[key] = t as a strict RFC 3339 UTC string (FWS_ECLOCK if t has none). */
FWS_MUST_CHECK int fws_json_set_time(json_t *obj, const char *key, int64_t t);

/* Appends val to arr, same reference rules. */
FWS_MUST_CHECK int fws_json_append(json_t *arr, json_t *val);

/* Canonical text: compact, keys sorted, non-ASCII and control characters
 * as lowercase \uXXXX escapes, so the bytes equal Python's
 * json.dumps(sort_keys=True, separators=(",", ":")). No trailing newline.
 * *out is malloc'd and NUL-terminated; *out_len excludes the NUL. */
FWS_MUST_CHECK int fws_json_dump_canonical(const json_t *v, char **out, size_t *out_len);

/* Canonical text of doc (as fws_json_dump_canonical), returned only when
 * decode, the matching strict decoder, reads it back into a scratch object
 * of scratch_size bytes: a signer must never emit what devices refuse. */
FWS_MUST_CHECK int fws_json_emit_checked(const json_t *doc,
					 int (*decode)(const uint8_t *json, size_t len, void *out),
					 size_t scratch_size, char **out, size_t *out_len);

/* Text with the given jansson flags, plus a final "\n" when newline != 0.
 * Same output conventions as above. */
FWS_MUST_CHECK int fws_json_dump(const json_t *v, size_t flags, int newline, char **out,
				 size_t *out_len);

#endif
