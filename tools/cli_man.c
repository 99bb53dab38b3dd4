/* SPDX-License-Identifier: Apache-2.0 */
/* The roff man page (`PROG --help-man`, docs/man/PROG.1) and the bash
 * completion (`PROG --help-completion`, tools/completion/PROG) of a tool,
 * both from its command table, so that neither can list an option the
 * parser does not have (tests/cli/test_man.sh checks the committed files
 * are current and that groff reads the pages without a warning). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fwseal/fwseal.h"

/* The pages every tool's page refers to. */
static const char *const see_also[] = {"fwseal(1)",	    "fwseal-keys(1)",
				       "fwseal-verify(1)",  "libfwseal(3)",
				       "fwseal-bundle(5)", "fwseal-system.conf(5)"};

/* One UTF-8 sequence at s (valid or not) as a code point; *len its bytes.
 * The tables are ours, but a stray byte must still give valid roff. */
static unsigned long utf8_point(const unsigned char *s, int *len)
{
	int n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	unsigned long cp = n == 1 ? s[0] : s[0] & (0x3f >> (n - 1));
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return 0xfffd;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*len = n;
	return n == 1 && s[0] >= 0x80 ? 0xfffd : cp;
}

/* n bytes of text as roff: backslashes escaped, a dash that starts an
 * option (or follows one) as a minus sign, a line never starting with a
 * control character, anything outside ASCII as \[uXXXX]. */
static void roff_n(FILE *out, const char *text, size_t n, int line_start)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < n;) {
		unsigned char ch = s[i];
		if (line_start && (ch == '.' || ch == '\''))
			fputs("\\&", out);
		line_start = ch == '\n';
		if (ch == '\\') {
			fputs("\\e", out);
		} else if (ch == '-' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '-' ||
					 s[i - 1] == '[' || s[i - 1] == '(' || s[i - 1] == '\n' ||
					 s[i - 1] == '|' || s[i - 1] == '`')) {
			fputs("\\-", out);
		} else if (ch >= 0x80) {
			int len;
			unsigned long cp = utf8_point(s + i, &len);
			fprintf(out, "\\[u%04lX]", cp);
			i += (size_t)len;
			continue;
		} else {
			fputc(ch, out);
		}
		i++;
	}
}

static void roff(FILE *out, const char *text)
{
	roff_n(out, text, strlen(text), 1);
}

/* Paragraph text: one output line per input line, an empty line a new
 * paragraph (.PP), a line starting with spaces kept as its own line. */
static void roff_paragraphs(FILE *out, const char *text)
{
	const char *p = text;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n == 0) {
			fputs(".PP\n", out);
		} else {
			if (p[0] == ' ')
				fputs(".br\n", out);
			roff_n(out, p, n, 1);
			fputc('\n', out);
		}
		p += n + (nl != NULL);
	}
}

/* Preformatted lines (examples, JSON fields) in a no-fill block. */
static void roff_verbatim(FILE *out, const char *text)
{
	fputs(".PP\n.RS 4\n.nf\n", out);
	roff_paragraphs(out, text);
	fputs(".fi\n.RE\n", out);
}

static void man_cmd(FILE *out, const struct cli_tool *t, const struct cli_cmd *cmd)
{
	fprintf(out, ".SS \"%s %s\"\n", t->prog, cmd->name);
	fprintf(out, "\\fB%s %s\\fR ", t->prog, cmd->name);
	roff(out, cmd->synopsis);
	fputs("\n.PP\n", out);
	roff(out, cmd->summary);
	fputs(".\n.PP\n", out);
	roff_paragraphs(out, cmd->description);
	fputs(".PP\nOptions:\n", out);
	for (int i = 0; cmd->opts[i].name != NULL; i++) {
		const struct cli_opt *o = &cmd->opts[i];
		fprintf(out, ".TP\n\\fB\\-\\-%s\\fR", o->name);
		if (o->arg != NULL) {
			fputs(" \\fI", out);
			roff_n(out, o->arg, strlen(o->arg), 0);
			fputs("\\fR", out);
		}
		fputs("\n", out);
		/* The help's continuation lines belong to the same sentence. */
		for (const char *h = o->help; *h != '\0';) {
			const char *nl = strchr(h, '\n');
			size_t n = nl != NULL ? (size_t)(nl - h) : strlen(h);
			roff_n(out, h, n, 1);
			fputc('\n', out);
			h += n + (nl != NULL);
		}
	}
	fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nthis help\n", out);
	if (cmd->examples != NULL) {
		fputs(".PP\nExamples:\n", out);
		roff_verbatim(out, cmd->examples);
	}
	if (cmd->json != NULL) {
		fputs(".PP\nJSON (\\-\\-json): one object with \"format\" (1), \"command\" and \"ok\"; "
		      "on failure \"error\": {status, name, subject, part, message}; absent values "
		      "are null. The command's own fields:\n",
		      out);
		roff_verbatim(out, cmd->json);
	}
	fputs(".PP\nExit status:\n.RS 4\n.PD 0\n.TP 5\n0\nsuccess\n", out);
	for (int code = -1; code >= FWS_ELAST; code--) {
		int listed = code == FWS_EUSAGE;
		for (size_t i = 0; cmd->codes != NULL && cmd->codes[i] != 0 && !listed; i++)
			listed = cmd->codes[i] == code;
		if (listed) {
			fprintf(out, ".TP 5\n%d\n", -code);
			roff(out, fws_strerror(code));
			fputc('\n', out);
		}
	}
	fputs(".PD\n.RE\n", out);
}

void cli_print_man(FILE *out, const struct cli_tool *t)
{
	char upper[64];
	size_t n = strlen(t->prog);
	for (size_t i = 0; i < n && i + 1 < sizeof(upper); i++)
		upper[i] = (char)(t->prog[i] >= 'a' && t->prog[i] <= 'z' ? t->prog[i] - 32 : t->prog[i]);
	upper[n < sizeof(upper) ? n : sizeof(upper) - 1] = '\0';
	/* No date: the page is the same bytes for the same table. */
	fprintf(out,
		".\\\" generated by `%s --help-man`; edit tools/, not this file\n"
		".TH %s 1 \"\" \"fwseal %s\" \"fwseal manual\"\n.SH NAME\n",
		t->prog, upper, fws_version());
	roff(out, t->prog);
	fputs(" \\- ", out);
	roff(out, t->summary);
	fprintf(out, "\n.SH SYNOPSIS\n\\fB%s\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n.br\n"
		     "\\fB%s\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR\n.br\n\\fB%s\\fR \\fB\\-\\-version\\fR\n"
		     ".SH DESCRIPTION\n",
		t->prog, t->prog, t->prog);
	roff_paragraphs(out, t->description);
	fputs(".PP\nCommands:\n.RS 4\n.PD 0\n", out);
	for (const struct cli_cmd *cmd = t->cmds; cmd->name != NULL; cmd++) {
		fprintf(out, ".TP 20\n\\fB%s\\fR\n", cmd->name);
		roff(out, cmd->summary);
		fputc('\n', out);
	}
	fputs(".PD\n.RE\n.SH COMMANDS\n", out);
	for (const struct cli_cmd *cmd = t->cmds; cmd->name != NULL; cmd++)
		man_cmd(out, t, cmd);
	fputs(".SH \"EXIT STATUS\"\nEvery failure has its own status, the absolute value of the "
	      "library's error code (listed per command above); 2 is a usage error. The list of "
	      "all of them is docs/exit-codes.md in the source.\n.SH \"SEE ALSO\"\n",
	      out);
	const char *sep = "";
	for (size_t i = 0; i < sizeof(see_also) / sizeof(see_also[0]); i++) {
		const char *paren = strchr(see_also[i], '(');
		size_t len = (size_t)(paren - see_also[i]);
		if (len == strlen(t->prog) && strncmp(see_also[i], t->prog, len) == 0)
			continue;
		/* The comma ends the line before: the last one has none. */
		fprintf(out, "%s.BR %.*s %s", sep, (int)len, see_also[i], paren);
		sep = ",\n";
	}
	fputs("\n", out);
}

/* --- bash completion --- */

/* Values worth completing: file names, except for the placeholders that
 * are numbers, names, ids or times (nothing to complete), DIR (directories). */
static const char *value_kind(const char *arg)
{
	static const char *const words[] = {"N",  "DAYS", "ID", "KEYID", "LEVEL",	 "ROLE",
					    "ROLE=N", "SECONDS", "TIME", "V", "now|TIME", "'NAME: VALUE'"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(arg, words[i]) == 0)
			return "none";
	return strcmp(arg, "DIR") == 0 ? "dir" : "file";
}

/* The distinct first words of the commands, for position 1. */
static void first_words(FILE *out, const struct cli_tool *t, const char *group)
{
	for (const struct cli_cmd *cmd = t->cmds; cmd->name != NULL; cmd++) {
		const char *sp = strchr(cmd->name, ' ');
		if (group != NULL) {
			if (sp != NULL && strncmp(cmd->name, group, strlen(group)) == 0 &&
			    (size_t)(sp - cmd->name) == strlen(group))
				fprintf(out, " %s", sp + 1);
			continue;
		}
		size_t n = sp != NULL ? (size_t)(sp - cmd->name) : strlen(cmd->name);
		int seen = 0;
		for (const struct cli_cmd *b = t->cmds; b < cmd && !seen; b++)
			seen = strncmp(b->name, cmd->name, n) == 0 && (b->name[n] == ' ' || b->name[n] == '\0');
		if (!seen)
			fprintf(out, " %.*s", (int)n, cmd->name);
	}
}

void cli_print_completion(FILE *out, const struct cli_tool *t)
{
	char fn[64];
	size_t i = 0;
	for (const char *p = t->prog; *p != '\0' && i + 1 < sizeof(fn); p++)
		fn[i++] = *p == '-' ? '_' : *p;
	fn[i] = '\0';
	fprintf(out,
		"# bash completion for %s (generated by `%s --help-completion`; edit tools/, not\n"
		"# this file). Commands, their options and, after an option that takes a\n"
		"# file or directory, file names; needs nothing but bash.\n"
		"_%s_complete()\n{\n"
		"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		"\tlocal w1=${COMP_WORDS[1]-} w2=${COMP_WORDS[2]-} cmd opts files dirs novalue\n"
		"\tCOMPREPLY=()\n"
		"\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
		"\t\tCOMPREPLY=($(compgen -W '",
		t->prog, t->prog, fn);
	first_words(out, t, NULL);
	fputs(" help --help --version' -- \"$cur\"))\n\t\treturn 0\n\tfi\n\tcase \"$w1\" in\n", out);
	/* The groups: their second word at position 2. */
	for (const struct cli_cmd *cmd = t->cmds; cmd->name != NULL; cmd++) {
		const char *sp = strchr(cmd->name, ' ');
		if (sp == NULL)
			continue;
		int seen = 0;
		size_t n = (size_t)(sp - cmd->name);
		for (const struct cli_cmd *b = t->cmds; b < cmd && !seen; b++)
			seen = strncmp(b->name, cmd->name, n + 1) == 0;
		if (seen)
			continue;
		char group[32];
		snprintf(group, sizeof(group), "%.*s", (int)n, cmd->name);
		fprintf(out, "\t%s)\n\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n\t\t\tCOMPREPLY=($(compgen -W '", group);
		first_words(out, t, group);
		fprintf(out, " --help' -- \"$cur\"))\n\t\t\treturn 0\n\t\tfi\n\t\tcmd=\"$w1 $w2\" ;;\n");
	}
	fputs("\t*) cmd=$w1 ;;\n\tesac\n\tcase \"$cmd\" in\n", out);
	for (const struct cli_cmd *cmd = t->cmds; cmd->name != NULL; cmd++) {
		fprintf(out, "\t\"%s\")\n\t\topts='", cmd->name);
		for (int k = 0; cmd->opts[k].name != NULL; k++)
			fprintf(out, "--%s ", cmd->opts[k].name);
		fputs("--help'\n\t\tfiles='", out);
		int n = 0;
		for (int k = 0; cmd->opts[k].name != NULL; k++)
			if (cmd->opts[k].kind != CLI_FLAG && strcmp(value_kind(cmd->opts[k].arg), "file") == 0)
				fprintf(out, "%s--%s", n++ ? " " : "", cmd->opts[k].name);
		fputs("'\n\t\tdirs='", out);
		n = 0;
		for (int k = 0; cmd->opts[k].name != NULL; k++)
			if (cmd->opts[k].kind != CLI_FLAG && strcmp(value_kind(cmd->opts[k].arg), "dir") == 0)
				fprintf(out, "%s--%s", n++ ? " " : "", cmd->opts[k].name);
		fputs("'\n\t\tnovalue='", out);
		n = 0;
		for (int k = 0; cmd->opts[k].name != NULL; k++)
			if (cmd->opts[k].kind != CLI_FLAG && strcmp(value_kind(cmd->opts[k].arg), "none") == 0)
				fprintf(out, "%s--%s", n++ ? " " : "", cmd->opts[k].name);
		fputs("' ;;\n", out);
	}
	fprintf(out,
		"\t*) return 0 ;;\n\tesac\n"
		"\tcase \" $files \" in *\" $prev \"*)\n"
		"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\t\treturn 0 ;;\n\tesac\n"
		"\tcase \" $dirs \" in *\" $prev \"*)\n"
		"\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n\t\treturn 0 ;;\n\tesac\n"
		"\tcase \" $novalue \" in *\" $prev \"*) return 0 ;; esac\n"
		"\tif [[ $cur == -* ]]; then\n"
		"\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
		"\telse\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n"
		"\treturn 0\n}\ncomplete -o filenames -F _%s_complete %s\n",
		fn, t->prog);
}
