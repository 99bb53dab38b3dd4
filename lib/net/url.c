/* SPDX-License-Identifier: Apache-2.0 */
/* What every build knows about URLs and request headers, network support
 * or not (fwseal/net.h): the CLIs decide "file or URL" with it, and the
 * system.conf parser checks [network] headers the way the reader does. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fwseal/net.h"

int fws_is_url(const char *s)
{
	return s != NULL && (strncasecmp(s, "https://", 8) == 0 || strncasecmp(s, "http://", 7) == 0 ||
			     strncasecmp(s, "oci://", 6) == 0);
}

size_t fws_url_scheme(const char *s, char *out, size_t cap)
{
	/* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://". */
	size_t n = 0;
	if (s == NULL || !isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	if (strncmp(s + n, "://", 3) != 0 || n >= cap)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

int fws_http_header_valid(const char *h)
{
	/* "Name: value" on one line: a header must not smuggle another. */
	const char *colon = strchr(h, ':');
	return colon != NULL && colon != h && strpbrk(h, "\r\n") == NULL;
}
