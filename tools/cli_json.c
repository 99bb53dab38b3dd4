/* SPDX-License-Identifier: Apache-2.0 */
/* --json results: one object per command, built with jansson and printed
 * by cli_main with its "format", "command" and "ok" members. Absent values
 * are JSON null; names are snake_case; times are RFC 3339 UTC. */
#include <string.h>

#include "cli.h"
#include "fwseal/fwseal.h"

void cli_json_set(struct cli *c, const char *key, json_t *value)
{
	if (c->out == NULL) {
		json_decref(value);
		return;
	}
	json_object_set_new(c->out, key, value != NULL ? value : json_null());
}

json_t *cli_json_str(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *cli_json_hex(const uint8_t *bytes, size_t len)
{
	char hex[2 * 64 + 1];
	if (len > 64)
		return json_null();
	fws_hex_encode(hex, bytes, len);
	return json_string(hex);
}

json_t *cli_json_time(int64_t t)
{
	char s[21];
	return t > 0 && fws_time_format(t, s) == 0 ? json_string(s) : json_null();
}

json_t *cli_json_keyids(const uint8_t (*ids)[32], size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, cli_json_hex(ids[i], 32));
	return a;
}
