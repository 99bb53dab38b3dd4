/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing oci:// references (docs/fleet.md "References"). Every part ends
 * up in a URL path or a Host header, so each is held to the distribution
 * spec's grammar: a stray "/", "..", "?", "#" or "%" would make the URL
 * name another resource than the one the user named. */
#include <string.h>
#include <strings.h>

#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "io/io.h"
#include "net/oci.h"

int fws_is_oci_ref(const char *s)
{
	return s != NULL && strncasecmp(s, "oci://", 6) == 0;
}

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* host[:port]: letters, digits, '.', '-'; a port of 1-5 digits. */
static int host_valid(const char *h, size_t n)
{
	size_t i = 0;
	if (n == 0 || n > OCI_HOST_MAX)
		return 0;
	for (; i < n && h[i] != ':'; i++)
		if (!(is_lower_alnum(h[i]) || (h[i] >= 'A' && h[i] <= 'Z') || h[i] == '.' ||
		      h[i] == '-'))
			return 0;
	if (i == 0)
		return 0;
	if (i == n)
		return 1;
	size_t digits = n - i - 1;
	if (digits == 0 || digits > 5)
		return 0;
	for (i++; i < n; i++)
		if (h[i] < '0' || h[i] > '9')
			return 0;
	return 1;
}

/* path-component = [a-z0-9]+ (separator [a-z0-9]+)*, separator = "." | "_"
 * | "__" | "-"+, components joined by "/". */
static int repo_valid(const char *r, size_t n)
{
	if (n == 0 || n > OCI_REPO_MAX)
		return 0;
	size_t i = 0;
	while (i < n) {
		if (!is_lower_alnum(r[i]))
			return 0; /* a component starts with a letter or digit */
		while (i < n && r[i] != '/') {
			if (is_lower_alnum(r[i])) {
				i++;
				continue;
			}
			size_t sep = i;
			if (r[i] == '.')
				i++;
			else if (r[i] == '_')
				i += (i + 1 < n && r[i + 1] == '_') ? 2 : 1;
			else if (r[i] == '-')
				while (i < n && r[i] == '-')
					i++;
			else
				return 0;
			if (i >= n || !is_lower_alnum(r[i]) || i == sep)
				return 0; /* a separator is followed by a letter or digit */
		}
		if (i < n)
			i++; /* the '/' */
		if (i == n && r[n - 1] == '/')
			return 0;
	}
	return 1;
}

/* tag = [A-Za-z0-9_][A-Za-z0-9._-]{0,127} */
static int tag_valid(const char *t, size_t n)
{
	if (n == 0 || n > OCI_TAG_MAX || t[0] == '.' || t[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(is_lower_alnum(t[i]) || (t[i] >= 'A' && t[i] <= 'Z') || t[i] == '_' ||
		      t[i] == '.' || t[i] == '-'))
			return 0;
	return 1;
}

int oci_digest_parse(const char *s, uint8_t out[32])
{
	/* Only sha256, lowercase hex, as the spec's canonical form: another
	 * spelling of the same digest would be another string to compare. */
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s + 7) != 64)
		return -1;
	for (const char *p = s + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -1;
	return fws_hex_decode_exact(out, 32, s + 7) == 0 ? 0 : -1;
}

void oci_digest_format(const uint8_t d[32], char out[72])
{
	memcpy(out, "sha256:", 7);
	fws_hex_encode(out + 7, d, 32);
}

int oci_ref_parse(const char *s, struct oci_ref *r)
{
	memset(r, 0, sizeof(*r));
	if (!fws_is_oci_ref(s))
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "not an oci:// reference");
	const char *p = s + 6, *slash = strchr(p, '/');
	if (slash == NULL || !host_valid(p, (size_t)(slash - p)))
		return fws_diag_set(FWS_EUSAGE, 0, NULL,
				    "oci://HOST[:PORT]/REPO:TAG or oci://HOST[:PORT]/REPO@sha256:DIGEST: "
				    "the host is missing or not a host name");
	memcpy(r->host, p, (size_t)(slash - p));
	const char *repo = slash + 1, *at = strchr(repo, '@');
	size_t rest = at != NULL ? (size_t)(at - repo) : strlen(repo);
	if (at != NULL) {
		if (oci_digest_parse(at + 1, r->digest) != 0)
			return fws_diag_set(FWS_EUSAGE, 0, NULL,
					    "the digest after '@' is not sha256: and 64 lowercase hex "
					    "digits");
		r->by_digest = 1;
	}
	/* The tag is after the last ':' that follows the last '/'. */
	size_t name_start = 0;
	for (size_t i = 0; i < rest; i++)
		if (repo[i] == '/')
			name_start = i + 1;
	const char *colon = memchr(repo + name_start, ':', rest - name_start);
	size_t repo_len = colon ? (size_t)(colon - repo) : rest;
	if (!repo_valid(repo, repo_len))
		return fws_diag_set(FWS_EUSAGE, 0, NULL,
				    "\"%.*s\" is not a repository name (lowercase letters, digits, "
				    "'.', '_', '-', '/')",
				    (int)(repo_len > 80 ? 80 : repo_len), repo);
	memcpy(r->repo, repo, repo_len);
	if (colon != NULL) {
		size_t tag_len = rest - repo_len - 1;
		if (!tag_valid(colon + 1, tag_len))
			return fws_diag_set(FWS_EUSAGE, 0, NULL,
					    "\"%.*s\" is not a tag ([A-Za-z0-9_][A-Za-z0-9._-], at most "
					    "128)",
					    (int)(tag_len > 80 ? 80 : tag_len), colon + 1);
		memcpy(r->tag, colon + 1, tag_len);
	}
	if (!r->by_digest && r->tag[0] == '\0')
		return fws_diag_set(FWS_EUSAGE, 0, NULL,
				    "oci:// needs a tag (REPO:TAG) or a digest (REPO@sha256:DIGEST)");
	return 0;
}
