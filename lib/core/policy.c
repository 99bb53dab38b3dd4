/* SPDX-License-Identifier: Apache-2.0 */
/* Install policy over signed data only: hardware compatibility, the
 * anti-rollback counter and version downgrades (design.md "Device state and
 * rollback").
 *
 * Threats: an authentic but old, vulnerable release replayed onto a device
 * (rollback: security_version below the device's counter); an authentic
 * release for other hardware bricking the device; a quiet downgrade within
 * the same security_version without the operator asking for it. */
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "fwseal/policy.h"

/* --- Semantic Versioning 2.0.0 ------------------------------------------- */

struct semver {
	const char *core[3]; /* major, minor, patch: digits without leading zeros */
	size_t core_len[3];
	const char *pre; /* pre-release identifiers, NULL when absent */
	size_t pre_len;
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Length of the numeric identifier at s (0 if none or a leading zero). */
static size_t numeric_len(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	if (n > 1 && s[0] == '0')
		return 0;
	return n;
}

static int all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return 0;
	}
	return 1;
}

/* Length of the dot-separated identifiers at s (0 if any is empty); stops at
 * the first character that is neither an identifier character nor a '.'.
 * Pre-release numeric identifiers must not have leading zeros ("01" would be
 * a second spelling of 1); build identifiers may. */
static size_t idents_len(const char *s, int prerelease)
{
	size_t pos = 0, start, len;

	for (;;) {
		start = pos;
		while (is_ident_char(s[pos]))
			pos++;
		len = pos - start;
		if (len == 0)
			return 0; /* empty identifier */
		if (prerelease && len > 1 && s[start] == '0' && all_digits(s + start, len))
			return 0;
		if (s[pos] != '.')
			return pos;
		pos++;
	}
}

static int semver_parse(const char *v, struct semver *out)
{
	size_t total, pos = 0, n;
	int i;

	if (v == NULL)
		return FWS_ESCHEMA;
	/* Bounded: never read more than FWS_VERSION_MAX + 1 bytes of the input. */
	total = strnlen(v, FWS_VERSION_MAX + 1);
	if (total == 0 || total > FWS_VERSION_MAX)
		return FWS_ESCHEMA;
	for (i = 0; i < 3; i++) {
		n = numeric_len(v + pos);
		if (n == 0)
			return FWS_ESCHEMA;
		out->core[i] = v + pos;
		out->core_len[i] = n;
		pos += n;
		if (i < 2) {
			if (v[pos] != '.')
				return FWS_ESCHEMA;
			pos++;
		}
	}
	out->pre = NULL;
	out->pre_len = 0;
	if (v[pos] == '-') {
		pos++;
		n = idents_len(v + pos, 1);
		if (n == 0)
			return FWS_ESCHEMA;
		out->pre = v + pos;
		out->pre_len = n;
		pos += n;
	}
	if (v[pos] == '+') {
		pos++;
		n = idents_len(v + pos, 0);
		if (n == 0)
			return FWS_ESCHEMA;
		pos += n;
	}
	if (v[pos] != '\0')
		return FWS_ESCHEMA;
	return 0;
}

int fws_semver_valid(const char *v)
{
	struct semver s;

	return semver_parse(v, &s) == 0;
}

static int sign_of(int x)
{
	return (x > 0) - (x < 0);
}

/* Numbers of any length, without leading zeros: longer is larger, so no
 * conversion to an integer type that could overflow. */
static int cmp_numeric(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return sign_of(memcmp(a, b, alen));
}

/* ASCII order, then the shorter first when one is a prefix of the other. */
static int cmp_ascii(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return sign_of(c);
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

static size_t ident_end(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != '.')
		n++;
	return n;
}

/* SemVer 11.4: identifier by identifier; numeric < alphanumeric; a longer
 * list wins when all shared identifiers are equal. */
static int cmp_prerelease(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t ai = 0, bi = 0, an, bn;
	int an_num, bn_num, c;

	while (ai < alen && bi < blen) {
		an = ident_end(a + ai, alen - ai);
		bn = ident_end(b + bi, blen - bi);
		an_num = all_digits(a + ai, an);
		bn_num = all_digits(b + bi, bn);
		if (an_num && bn_num)
			c = cmp_numeric(a + ai, an, b + bi, bn);
		else if (an_num != bn_num)
			c = an_num ? -1 : 1;
		else
			c = cmp_ascii(a + ai, an, b + bi, bn);
		if (c != 0)
			return c;
		ai += an + (ai + an < alen); /* skip the '.' */
		bi += bn + (bi + bn < blen);
	}
	if (ai < alen)
		return 1;
	if (bi < blen)
		return -1;
	return 0;
}

int fws_semver_compare(const char *a, const char *b, int *cmp)
{
	struct semver sa, sb;
	int i, c = 0;

	if (cmp == NULL)
		return FWS_EUSAGE;
	if (semver_parse(a, &sa) != 0 || semver_parse(b, &sb) != 0)
		return FWS_ESCHEMA;
	for (i = 0; i < 3 && c == 0; i++)
		c = cmp_numeric(sa.core[i], sa.core_len[i], sb.core[i], sb.core_len[i]);
	/* A pre-release sorts before its release: 1.0.0-rc.1 < 1.0.0. */
	if (c == 0 && (sa.pre != NULL || sb.pre != NULL)) {
		if (sa.pre == NULL)
			c = 1;
		else if (sb.pre == NULL)
			c = -1;
		else
			c = cmp_prerelease(sa.pre, sa.pre_len, sb.pre, sb.pre_len);
	}
	*cmp = c;
	return 0;
}

/* --- install decision ---------------------------------------------------- */

static int hardware_listed(const struct fws_manifest *m, const char *hw)
{
	size_t hw_len = strnlen(hw, FWS_NAME_MAX + 1), i;

	/* Byte-exact: no case folding or prefix match, which would let a
	 * manifest for "board-a" install on "board-a2" or "BOARD-A". */
	if (hw_len == 0 || hw_len > FWS_NAME_MAX)
		return 0;
	for (i = 0; i < m->n_hardware; i++) {
		if (strnlen(m->hardware[i], sizeof m->hardware[i]) == hw_len &&
		    memcmp(m->hardware[i], hw, hw_len) == 0)
			return 1;
	}
	return 0;
}

int fws_policy_check(const struct fws_manifest *m, const struct fws_policy *p)
{
	const char *installed;
	int c = 0, ret = FWS_EINTERNAL;

	if (m == NULL || p == NULL)
		return FWS_EUSAGE;
	/* The manifest decoder has checked these; re-check here so that a
	 * hand-built struct cannot make a rule below silently not apply. */
	if (m->n_hardware < 1 || m->n_hardware > FWS_MAX_HARDWARE ||
	    !fws_semver_valid(m->version) ||
	    (m->min_version[0] != '\0' && !fws_semver_valid(m->min_version))) {
		ret = FWS_ESCHEMA;
		goto out;
	}

	if (p->hardware_id != NULL && !hardware_listed(m, p->hardware_id)) {
		ret = FWS_EHARDWARE;
		goto out;
	}

	if (p->check_rollback) {
		/* Equal is allowed: reinstalling the current release is no rollback. */
		if (m->security_version < p->security_version) {
			ret = FWS_EROLLBACK;
			goto out;
		}
		installed = p->installed_version != NULL ? p->installed_version : "";
		/* The installed version comes from device state: if it is not
		 * valid semver the state is corrupt, and we fail closed. */
		if (installed[0] != '\0' && !fws_semver_valid(installed)) {
			ret = FWS_ESTATE;
			goto out;
		}
		/* A release that needs a minimum installed version cannot go
		 * onto a device whose version nobody knows (an empty slot, a
		 * factory image provisioned without its version). */
		if (m->min_version[0] != '\0') {
			if (installed[0] == '\0') {
				ret = FWS_EMINVERSION;
				goto out;
			}
			if ((ret = fws_semver_compare(installed, m->min_version, &c)) != 0)
				goto out;
			if (c < 0) {
				ret = FWS_EMINVERSION;
				goto out;
			}
		}
		if (installed[0] != '\0' && m->security_version == p->security_version &&
		    !p->allow_downgrade) {
			if ((ret = fws_semver_compare(m->version, installed, &c)) != 0)
				goto out;
			if (c < 0) {
				ret = FWS_EDOWNGRADE;
				goto out;
			}
		}
	}
	ret = 0;
out:
	return ret;
}
