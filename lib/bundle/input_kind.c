/* SPDX-License-Identifier: Apache-2.0 */
/* Naming the kind of a refused input by its first bytes (input_kind.h). */
#include <string.h>

#include "bundle/input_kind.h"

/* needle among the first n bytes of hay (no NUL needed). */
static int has(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

const char *fws_input_kind(const uint8_t *head, size_t n)
{
	size_t i = 0;
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return "a gzip-compressed bundle";
	if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
		return "a bundle (a tar archive)";
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
		i++;
	if (i == n || head[i] != '{')
		return NULL;
	if (has(head, n, "\"payloadType\""))
		return "a signed envelope (JSON)";
	if (has(head, n, "\"payloads\"") || has(head, n, "\"product\""))
		return "a release description (the JSON fwseal pack reads)";
	return "JSON";
}
