/* SPDX-License-Identifier: Apache-2.0 */
/* Error lines and exit statuses shared by the CLIs. One line per failure:
 * "PROG: SUBJECT: PART: REASON", where SUBJECT is the file (or device) the
 * operator named, PART what inside it failed and REASON the rule or the
 * operating system's word for it; anything the user typed or a file
 * contained is escaped, so no name can break the line or drive the
 * terminal. With --json the same facts also go into the result object. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fwseal/fwseal.h"

const char *cli_prog = "fwseal";

int cli_status(int code)
{
	if (code >= 0)
		return 0;
	if (code < FWS_ELAST)
		return -FWS_EINTERNAL;
	return -code;
}

const char *cli_esc(const char *s)
{
	static char bufs[4][1024];
	static int next;
	char *out = bufs[next];
	size_t n = 0;
	next = (next + 1) % 4;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && n + 5 < 1024;
	     p++) {
		if (*p == '\n')
			n += (size_t)snprintf(out + n, 1024 - n, "\\n");
		else if (*p == '\t')
			n += (size_t)snprintf(out + n, 1024 - n, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(out + n, 1024 - n, "\\x%02x", *p);
		else if (*p == '\\')
			n += (size_t)snprintf(out + n, 1024 - n, "\\\\");
		else
			out[n++] = (char)*p;
	}
	out[n] = '\0';
	return out;
}

/* PART and REASON for code from the library's diagnostic, if it explains
 * this very code. */
static void explain(int code, const char *subject, char *part, size_t part_cap, char *reason,
		    size_t reason_cap)
{
	const struct fws_diag *d = fws_diag_last();
	part[0] = '\0';
	snprintf(reason, reason_cap, "%s", fws_strerror(code));
	if (d->code != code)
		return;
	if (d->where[0] != '\0' && (subject == NULL || strcmp(d->where, subject) != 0))
		snprintf(part, part_cap, "%s", cli_esc(d->where));
	if (d->why[0] != '\0' && d->os_errno != 0)
		snprintf(reason, reason_cap, "%s: %s", cli_esc(d->why), strerror(d->os_errno));
	else if (d->why[0] != '\0')
		snprintf(reason, reason_cap, "%s", cli_esc(d->why));
	else if (d->os_errno != 0)
		snprintf(reason, reason_cap, "%s: %s", fws_strerror(code), strerror(d->os_errno));
}

int cli_fail(const char *subject, int code)
{
	return cli_fail_note(subject, code, NULL);
}

int cli_fail_note(const char *subject, int code, const char *note)
{
	char part[512], reason[1024];
	struct cli *c = cli_current();
	explain(code, subject, part, sizeof(part), reason, sizeof(reason));
	fflush(stdout);
	cli_progress_wipe();
	fprintf(stderr, "%s: %s%s%s%s%s%s%s\n", cli_prog, subject ? cli_esc(subject) : "",
		subject ? ": " : "", part, part[0] ? ": " : "", reason, note ? "; " : "",
		note ? note : "");
	if (c != NULL && c->out != NULL) {
		json_t *e = json_object();
		json_object_set_new(e, "status", json_integer(cli_status(code)));
		json_object_set_new(e, "name", json_string(fws_errname(code)));
		json_object_set_new(e, "subject", cli_json_str(subject));
		json_object_set_new(e, "part", cli_json_str(part));
		json_object_set_new(e, "message", json_string(reason));
		json_object_set_new(c->out, "error", e);
	}
	return cli_status(code);
}

int cli_usage_error(const char *fmt, ...)
{
	char msg[1024];
	struct cli *c = cli_current();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c != NULL && c->cmd != NULL)
		fprintf(stderr, "%s: %s: %s (try '%s %s --help')\n", cli_prog, c->cmd->name, msg,
			cli_prog, c->cmd->name);
	else
		fprintf(stderr, "%s: %s (try '%s --help')\n", cli_prog, msg, cli_prog);
	return cli_status(FWS_EUSAGE);
}
