/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-EVID-002 */
/* docs/system-conf.md's defaults are the parser's (issue 21 item 9): a
 * minimal system.conf is parsed and every default the document's tables
 * state for [system], [network] and [floor] is compared with what the
 * parser filled in. The document is read as the operator reads it (the
 * table row of the key, its default column), so a default changed on one
 * side only fails here. Run from tests/ (make unit, make check). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "fwseal/sysconf.h"

#define DOC "../docs/system-conf.md"

static char *doc_text(void)
{
	FILE *f = fopen(DOC, "rb");
	cr_assert_not_null(f, "%s: run the unit tests from tests/", DOC);
	static char buf[1 << 17];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The default column of key's row in the table under the heading that
 * names section ("`[network]`"), with backticks and a trailing "(...)"
 * removed, into out. */
static void doc_default(const char *section, const char *key, char *out, size_t cap)
{
	char *text = doc_text(), head[64], row[96];
	snprintf(head, sizeof(head), "`[%s]`", section);
	snprintf(row, sizeof(row), "\n| `%s` |", key);
	/* The section's own heading: a line "## N. `[x]` ...". */
	char *h = NULL;
	for (char *l = strstr(text, "\n## "); l != NULL && h == NULL; l = strstr(l + 1, "\n## ")) {
		char *eol = strchr(l + 1, '\n');
		char *at = strstr(l, head);
		if (at != NULL && (eol == NULL || at < eol))
			h = l;
	}
	cr_assert_not_null(h, "%s has no heading for [%s]", DOC, section);
	char *r = strstr(h, row);
	char *next = strstr(h + 1, "\n## ");
	cr_assert(r != NULL && (next == NULL || r < next), "%s [%s]: no row for %s", DOC, section,
		  key);
	/* | `key` | type | default | ... */
	char *col = r + strlen(row);
	col = strchr(col, '|');
	cr_assert_not_null(col);
	col++;
	char *end = strchr(col, '|');
	cr_assert_not_null(end);
	size_t n = 0;
	for (char *p = col; p < end && n + 1 < cap; p++)
		if (*p != '`')
			out[n++] = *p;
	out[n] = '\0';
	char *paren = strstr(out, " (");
	if (paren != NULL)
		*paren = '\0';
	/* trim */
	char *s = out;
	while (*s == ' ')
		s++;
	memmove(out, s, strlen(s) + 1);
	for (n = strlen(out); n > 0 && out[n - 1] == ' ';)
		out[--n] = '\0';
}

static unsigned long long doc_number(const char *section, const char *key)
{
	char v[128], *end;
	doc_default(section, key, v, sizeof(v));
	unsigned long long n = strtoull(v, &end, 0);
	cr_assert(end != v && *end == '\0', "%s [%s] %s: default \"%s\" is not a number", DOC,
		  section, key, v);
	return n;
}

static void parsed(struct fws_sysconf *c)
{
	static const char text[] =
	    "[system]\nhardware-id = hw\ntrusted-root = /r/root.json\nstate-dir = /r/state\n"
	    "bootloader = uboot\n[uboot]\nfw-env-config = /r/fw_env.config\n"
	    "[slot.a]\nclass = rootfs\ndevice = /r/a.img\nbootname = A\n"
	    "[slot.b]\nclass = rootfs\ndevice = /r/b.img\nbootname = B\n";
	int rc = fws_sysconf_parse(text, strlen(text), "system.conf", c);
	cr_assert_eq(rc, 0, "the minimal system.conf: %s", fws_diag_last()->why);
}

Test(sysconf_doc_defaults, system_section)
{
	static struct fws_sysconf c;
	char v[128];
	parsed(&c);
	cr_expect_eq(c.boot_attempts, doc_number("system", "boot-attempts"), "boot-attempts");
	cr_expect_eq(c.lock_timeout_ms, doc_number("system", "lock-timeout") * 1000,
		     "lock-timeout");
	doc_default("system", "cmdline-file", v, sizeof(v));
	cr_expect_str_eq(c.cmdline, v, "cmdline-file");
	doc_default("system", "booted", v, sizeof(v));
	cr_expect_str_eq(v, "cmdline", "booted: the document's default");
	cr_expect_eq(c.booted, FWS_BOOTED_CMDLINE, "booted: the parser's default");
}

Test(sysconf_doc_defaults, network_section)
{
	static struct fws_sysconf c;
	char v[128];
	parsed(&c);
	cr_expect_eq(c.connect_timeout_ms, doc_number("network", "connect-timeout") * 1000,
		     "connect-timeout");
	cr_expect_eq(c.stall_timeout_ms, doc_number("network", "stall-timeout") * 1000,
		     "stall-timeout");
	cr_expect_eq(c.retries, doc_number("network", "retries"), "retries");
	cr_expect_eq(c.max_redirects, doc_number("network", "max-redirects"), "max-redirects");
	doc_default("network", "allow-http", v, sizeof(v));
	cr_expect_eq(c.allow_http, strcmp(v, "true") == 0, "allow-http (document: %s)", v);
	doc_default("network", "delta", v, sizeof(v));
	cr_expect_eq(c.delta, strcmp(v, "true") == 0, "delta (document: %s)", v);
}

Test(sysconf_doc_defaults, floor_section)
{
	static struct fws_sysconf c;
	char v[128];
	parsed(&c);
	doc_default("floor", "backend", v, sizeof(v));
	cr_expect_str_eq(v, "file", "backend: the document's default");
	cr_expect_eq(c.floor, FWS_FLOOR_FILE, "backend: the parser's default");
	cr_expect_eq(c.floor_counter_index, doc_number("floor", "counter-index"), "counter-index");
	cr_expect_eq(c.floor_base_index, doc_number("floor", "base-index"), "base-index");
	cr_expect_eq(c.floor_max_step, doc_number("floor", "max-step"), "max-step");
	cr_expect_eq(c.floor_timeout_ms, doc_number("floor", "timeout") * 1000, "timeout");
}
