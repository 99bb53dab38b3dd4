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

/* The names the running command gave its inputs (fwseal/diag.h's
 * enum fws_input): the diagnostic says which one failed, this says what
 * the operator called it. */
static const char *input_names[FWS_INPUT_COUNT];
static int reported; /* a failure was reported: the first one is the one */

void cli_input_name(enum fws_input input, const char *name)
{
	if ((int)input > FWS_INPUT_NONE && input < FWS_INPUT_COUNT)
		input_names[input] = name;
}

int cli_reported(void)
{
	return reported;
}

/* The subject: the input the diagnostic blames, by the name the command
 * gave it; else what the call site names. */
static const char *subject_of(const char *subject, int code)
{
	const struct fws_diag *d = fws_diag_last();
	if (d->code == code && d->input > FWS_INPUT_NONE && d->input < FWS_INPUT_COUNT &&
	    input_names[d->input] != NULL)
		return input_names[d->input];
	return subject;
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

/* THE way out of every failure, usage errors included: one stderr line
 * "PROG: [SUBJECT: ][PART: ]REASON[; NOTE]" and, with --json, the same
 * facts as the result's "error" member. Only the first failure of a run
 * is reported: a clean-up that fails after it does not add a second line
 * or replace what the operator needs to read. Returns the exit status. */
static int report(int code, const char *subject, const char *part, const char *reason,
		  const char *note)
{
	struct cli *c = cli_current();
	if (reported++)
		return cli_status(code);
	fflush(stdout);
	cli_progress_wipe();
	fprintf(stderr, "%s: %s%s%s%s%s%s%s\n", cli_prog, subject ? cli_esc(subject) : "",
		subject ? ": " : "", part ? part : "", part && part[0] ? ": " : "", reason,
		note ? "; " : "", note ? note : "");
	if (c != NULL && c->out != NULL) {
		json_t *e = json_object();
		json_object_set_new(e, "status", json_integer(cli_status(code)));
		json_object_set_new(e, "name", json_string(fws_errname(code)));
		json_object_set_new(e, "subject", cli_json_str(subject));
		json_object_set_new(e, "part", cli_json_str(part));
		json_object_set_new(e, "message", json_string(reason));
		if (note != NULL)
			json_object_set_new(e, "note", json_string(note));
		json_object_set_new(c->out, "error", e);
	}
	return cli_status(code);
}

int cli_fail(const char *subject, int code)
{
	return cli_fail_note(subject, code, NULL);
}

int cli_fail_note(const char *subject, int code, const char *note)
{
	char part[512], reason[1024];
	subject = subject_of(subject, code);
	explain(code, subject, part, sizeof(part), reason, sizeof(reason));
	return report(code, subject, part, reason, note);
}

int cli_fail_why(const char *subject, int code, const char *part, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return report(code, subject, part != NULL ? cli_esc(part) : NULL, reason, NULL);
}

int cli_usage_error(const char *fmt, ...)
{
	char msg[1024], line[1400];
	struct cli *c = cli_current();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c != NULL && c->cmd != NULL)
		snprintf(line, sizeof(line), "%s: %s (try '%s %s --help')", c->cmd->name, msg,
			 cli_prog, c->cmd->name);
	else
		snprintf(line, sizeof(line), "%s (try '%s --help')", msg, cli_prog);
	return report(FWS_EUSAGE, NULL, NULL, line, NULL);
}

int cli_finish_failure(int status)
{
	/* A command that returned a failure without reporting it still
	 * leaves through report(): one line, one "error" member. */
	if (status != 0 && !reported)
		return cli_fail(NULL, -status);
	return status;
}
