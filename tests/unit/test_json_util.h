/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the JSON decoder tests: the known-answer vectors and a
 * one-substring mutation, so each negative test is "the valid document with
 * exactly one thing wrong". */
#ifndef FWSEAL_TEST_JSON_UTIL_H
#define FWSEAL_TEST_JSON_UTIL_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"

#ifndef VECTORS_DIR
#error "VECTORS_DIR must be defined by the build"
#endif

static inline void json_test_setup(void)
{
	int rc = fws_init();

	cr_assert_eq(rc, 0, "fws_init: %d", rc);
}

/* known-answers.json, parsed; the caller json_decref()s it. */
static inline json_t *ka_load(void)
{
	json_error_t err;
	json_t *ka = json_load_file(VECTORS_DIR "/known-answers.json", 0, &err);

	cr_assert_not_null(ka, "known-answers.json: %s", err.text);
	return ka;
}

/* Copy of the string at ka[a][b] (malloc'd). */
static inline char *ka_string(const char *a, const char *b)
{
	json_t *ka = ka_load();
	const char *s = json_string_value(json_object_get(json_object_get(ka, a), b));

	cr_assert_not_null(s, "known-answers.json has no %s.%s", a, b);
	char *copy = strdup(s);
	cr_assert_not_null(copy);
	json_decref(ka);
	return copy;
}

/* text with the first occurrence of from replaced by to (malloc'd). The
 * mutation must apply: a test whose mutation silently missed would pass
 * while testing nothing. */
static inline char *mutate(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);

	cr_assert_not_null(at, "mutation target not found: %s", from);
	size_t head = (size_t)(at - text), from_len = strlen(from), to_len = strlen(to);
	size_t tail = strlen(at + from_len);
	char *out = malloc(head + to_len + tail + 1);
	cr_assert_not_null(out);
	memcpy(out, text, head);
	memcpy(out + head, to, to_len);
	memcpy(out + head + to_len, at + from_len, tail + 1);
	return out;
}

/* printf into a malloc'd string. */
static inline __attribute__((format(printf, 1, 2))) char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	out = malloc((size_t)n + 1);
	cr_assert_not_null(out);
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

/* n copies of s concatenated (malloc'd). */
static inline char *repeat(const char *s, size_t n)
{
	size_t len = strlen(s);
	char *out = malloc(len * n + 1);

	cr_assert_not_null(out);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

#endif
