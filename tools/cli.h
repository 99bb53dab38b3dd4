/* Shared by the three CLIs: error reporting, exit statuses, passphrases.
 * A CLI only parses arguments, calls the library and reports; it has no
 * logic of its own. */
#ifndef FWSEAL_TOOLS_CLI_H
#define FWSEAL_TOOLS_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Exit status for a library code: its absolute value (0 for success). */
int cli_status(int code);

/* Prints "PROG: SUBJECT: <check that failed>" (one line on stderr) and
 * returns the exit status for code. subject may be NULL. */
int cli_fail(const char *subject, int code);

/* Reports a failed open() of path (errno): "input file missing" for
 * ENOENT, an I/O error otherwise. Returns the exit status. */
int cli_open_error(const char *path);

/* Prints "PROG: MESSAGE" for usage errors and returns the usage status. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Name used in messages ("fwseal", "fwseal-keys", "fwseal-verify"). */
extern const char *cli_prog;

/* The common start of a tool: libsodium, then argv[1] as the command, with
 * --help/-h/help and --version/-V answered here. Returns -1 when the caller
 * should dispatch argv[1], else the exit status to return. */
int cli_start(int argc, char **argv, void (*usage)(FILE *out));

/* The exit status table, for --help. */
void cli_print_exit_codes(FILE *out);

/* Gets a passphrase, in this order: --passphrase-file (first line), the
 * FWSEAL_PASSPHRASE environment variable, the terminal (echo off; asked
 * twice when confirm). The result is in sodium_malloc'd memory; free it
 * with cli_passphrase_free. */
int cli_passphrase_get(const char *file, const char *prompt, int confirm, char **out,
		       size_t *out_len);
void cli_passphrase_free(char *pass);

/* Parses a non-negative decimal integer that fits max; -1 otherwise. */
int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

/* Seconds since the epoch for signing: SOURCE_DATE_EPOCH when set (strictly
 * parsed), else the clock. */
int cli_now(long long *out);

#endif
