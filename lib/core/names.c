/* SPDX-License-Identifier: Apache-2.0 */
/* Names that become file names, slot components or partition labels on the
 * device. They come from a signed manifest, but a compromised or careless
 * signer must still not be able to write outside the target directory. */
#include <string.h>

#include "fwseal/limits.h"
#include "fwseal/manifest.h"

static int name_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

int fws_name_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	/* A leading '.' covers ".", ".." and hidden files; a leading '-' would be
	 * read as an option by any tool the name is later passed to. */
	if (s[0] == '.' || s[0] == '-' || s[0] == '\0')
		return 0;
	/* No '/' or '\\' in the charset: a name cannot traverse. The scan stops at
	 * FWS_NAME_MAX + 1 so an unterminated buffer is not read further. */
	for (i = 0; i <= FWS_NAME_MAX; i++) {
		if (s[i] == '\0')
			return 1;
		if (!name_char_ok((unsigned char)s[i]))
			return 0;
	}
	return 0; /* longer than FWS_NAME_MAX */
}
