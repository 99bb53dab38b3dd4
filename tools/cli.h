/* SPDX-License-Identifier: Apache-2.0 */
/* The option layer and reporting shared by fwseal, fwseal-keys and
 * fwseal-verify. Each tool declares its commands once, in a table: name,
 * synopsis, options (with their help), positional arguments, exit codes,
 * examples and the function that runs it. From that one table come the
 * parser (exact long options only: a security tool never guesses what an
 * abbreviation meant), `COMMAND --help`, the man pages (docs/PROG.1.md, made
 * by `PROG --help-markdown`; docs/man/PROG.1 by `PROG --help-man`), the bash
 * completion and the dispatch.
 *
 * A CLI only parses, calls the library and reports: no decision is made
 * here. Reporting: one line on stderr, `PROG: SUBJECT: PART: REASON`
 * (fwseal/diag.h gives the part and the rule), control characters in
 * names escaped, exit status |FWS_E*| (docs/exit-codes.md). */
#ifndef FWSEAL_TOOLS_CLI_H
#define FWSEAL_TOOLS_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fwseal/bundle.h"
#include "fwseal/diag.h"

#define CLI_MAX_OPTS 24
#define CLI_MAX_LIST 64 /* values of one repeatable option */
#define CLI_MAX_ARGS 40 /* positional arguments */
#define CLI_MAX_SEQ 128 /* options in command-line order */

enum cli_kind { CLI_FLAG, CLI_VALUE, CLI_LIST };

struct cli_opt {
	const char *name; /* without the leading "--" */
	enum cli_kind kind;
	const char *arg;  /* placeholder of the value, e.g. "FILE" */
	int required;     /* the parser refuses a command line without it */
	const char *help; /* what it does */
};

struct cli;

struct cli_cmd {
	const char *name;        /* "pack", "root init" */
	const char *summary;     /* one line, for the tool's list of commands */
	const char *synopsis;    /* the arguments after PROG NAME */
	const char *description; /* paragraphs, lines of at most 78 columns */
	const struct cli_opt *opts; /* ends with {NULL} */
	int min_args, max_args;  /* positional arguments */
	const int *codes;        /* FWS_E* codes it can end with, ends with 0 */
	const char *examples;    /* one command per line */
	int (*run)(struct cli *c);
	const char *json;        /* the --json result's fields, one per line, or NULL */
};

struct cli_tool {
	const char *prog;
	const char *summary;
	const char *description;
	const struct cli_cmd *cmds; /* ends with {NULL} */
};

struct cli_seq {
	int opt; /* index into cmd->opts */
	const char *value;
};

/* One parsed command line. */
struct cli {
	const struct cli_tool *tool;
	const struct cli_cmd *cmd;
	const char *val[CLI_MAX_OPTS]; /* NULL = not given; "" for a given flag */
	const char *list[CLI_MAX_OPTS][CLI_MAX_LIST];
	size_t n_list[CLI_MAX_OPTS];
	struct cli_seq seq[CLI_MAX_SEQ]; /* every option, in order */
	size_t n_seq;
	const char *args[CLI_MAX_ARGS];
	size_t n_args;
	int json;  /* --json was given */
	int quiet; /* --quiet was given */
	json_t *out; /* the --json result object, printed by cli_main */
};

/* The whole of main(): start libsodium, dispatch, report. */
int cli_main(const struct cli_tool *tool, int argc, char **argv);
/* The man page in roff (docs/man/PROG.1) and the bash completion
 * (tools/completion/PROG), from the same table (cli_man.c). */
void cli_print_man(FILE *out, const struct cli_tool *tool);
void cli_print_completion(FILE *out, const struct cli_tool *tool);
/* The command line being run (the reporting functions use it). */
struct cli *cli_current(void);

/* Options of the running command: the value, or NULL when not given. */
const char *cli_get(const struct cli *c, const char *name);
int cli_flag(const struct cli *c, const char *name);
/* A repeatable option's values in order; *n set. */
const char *const *cli_list(const struct cli *c, const char *name, size_t *n);

/* --- reporting (cli_report.c) --- */

extern const char *cli_prog;

/* Exit status for a library code: its absolute value (0 for success). */
int cli_status(int code);
/* One line "PROG: SUBJECT: PART: REASON" for code (subject may be NULL),
 * using fwseal/diag.h when it explains this code; returns the status. */
int cli_fail(const char *subject, int code);
/* The same with a note after the reason ("; not recorded: ..."). */
int cli_fail_note(const char *subject, int code, const char *note);
/* The same with the reason written here (a check the CLI itself made);
 * part may be NULL. */
int cli_fail_why(const char *subject, int code, const char *part, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A command-line mistake: "PROG CMD: message (try ...)", status 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* These four are the only way a failure is reported: each writes the one
 * stderr line and, with --json, the result's "error" object. The subject
 * is the input the library's diagnostic blames (fwseal/diag.h, its input)
 * by the name given here, else the subject passed: never one picked from
 * the code. */
void cli_input_name(enum fws_input input, const char *name);
/* 1 once a failure was reported (only the first one is). */
int cli_reported(void);
/* cli_main's last step: a failure status nobody reported is reported. */
int cli_finish_failure(int status);
/* s with control characters escaped (\n, \t, \xNN), for every message
 * that names a file or a value the user gave. Returns a static buffer
 * (one of four, used in turn). */
const char *cli_esc(const char *s);

/* --- values (cli_values.c) --- */

/* A non-negative decimal integer <= max; -1 otherwise. */
int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out);
/* --jobs N (1..256; default: the online CPUs): threads that hash chunks. */
#define CLI_JOBS_OPT                                                                          \
	{"jobs", CLI_VALUE, "N", 0,                                                           \
	 "hash chunks on N threads (default: every online CPU; 1 = no\nthreads); the "        \
	 "result is the same for any N"}
/* The value of --jobs, or the default. Reports its own usage error. */
int cli_jobs(const struct cli *c, unsigned *jobs);
/* A positive number of seconds (at most a day) into milliseconds. */
int cli_parse_seconds(const char *opt, const char *s, uint32_t *ms);
/* Seconds since the epoch for signing: SOURCE_DATE_EPOCH when set (strictly
 * parsed), else the clock. Reports its own error. */
int cli_now(int64_t *out);

/* --- option and exit-status groups shared by the three tools --- */

#define CLI_JSON_OPT {"json", CLI_FLAG, NULL, 0, "print the result as JSON"}
#define CLI_QUIET_OPT {"quiet", CLI_FLAG, NULL, 0, "no progress on the terminal"}
#define CLI_FORCE_OPT                                                                         \
	{"force", CLI_FLAG, NULL, 0, "replace an existing --out (never one of the inputs)"}
#define CLI_AT_OPT                                                                            \
	{"at", CLI_VALUE, "TIME", 0,                                                          \
	 "judge expiry at TIME (YYYY-MM-DDTHH:MM:SSZ; default:\nSOURCE_DATE_EPOCH, else now)"}
#define CLI_PASSPHRASE_OPT                                                                    \
	{"passphrase-file", CLI_VALUE, "FILE", 0, "read the key's passphrase from FILE's first line"}
/* What loading a trusted root can end with. */
#define CLI_ROOT_CODES                                                                        \
	FWS_ENOENT, FWS_EIO, FWS_ENOMEM, FWS_ELIMIT, FWS_EJSON, FWS_ESCHEMA, FWS_EENVELOPE,   \
	    FWS_EPAYLOADTYPE, FWS_EUNTRUSTED, FWS_EBADSIG, FWS_ETHRESHOLD, FWS_EKEYID,        \
	    FWS_EROOTVERSION, FWS_EEXPIRED, FWS_ETHRESHOLDDEF, FWS_ECLOCK
/* What opening and using a signing key can end with. */
#define CLI_KEY_CODES                                                                         \
	FWS_EKEYFILE, FWS_EPASSPHRASE, FWS_EKEYPERM, FWS_ENOTAUTHORISED, CLI_SIGNER_CODES

/* The time expiry is judged at: --at TIME (CLI_AT_OPT), else SOURCE_DATE_EPOCH,
 * else the clock. Reports its own error. */
int cli_at_time(const struct cli *c, int64_t *now);

/* --- outputs (cli_output.c) --- */

/* data to the file out (new, or replaced with --force; never one of
 * inputs), or to standard output when out is NULL. Reports its own error. */
int cli_write_output(const struct cli *c, const char *out, const void *data, size_t len,
		     const char *const *inputs, size_t n_inputs);

/* --- JSON results (cli_json.c) --- */

/* c->out gets key = value (value's reference taken; NULL = JSON null). */
void cli_json_set(struct cli *c, const char *key, json_t *value);
/* A string or JSON null for NULL/"" */
json_t *cli_json_str(const char *s);
json_t *cli_json_hex(const uint8_t *bytes, size_t len);
json_t *cli_json_time(int64_t t);
json_t *cli_json_keyids(const uint8_t (*ids)[32], size_t n);

/* --- progress on a terminal (cli_progress.c) --- */

struct cli_progress {
	const char *what;
	uint64_t total; /* 0 = unknown */
	uint64_t done;
	int on;
	double start, last;
};
/* Shown only when stderr is a terminal and --quiet was not given. */
void cli_progress_start(struct cli_progress *p, const struct cli *c, const char *what,
			uint64_t total);
void cli_progress_update(struct cli_progress *p, uint64_t done);
/* The fws_progress_fn shape: ctx is a struct cli_progress. */
void cli_progress_cb(void *ctx, uint64_t done, uint64_t total);
void cli_progress_end(struct cli_progress *p);
/* Wipes a progress line drawn on stderr (before an error line). */
void cli_progress_wipe(void);

/* --- inputs (cli_input.c) --- */

/* Opens a bundle ("-" = standard input): a regular file, a pipe or a
 * character device; reports its own error. *size = 0 when unknown. */
int cli_open_bundle(const char *path, int *fd, uint64_t *size);

/* Network settings, weakest first: the defaults, conf's [network] and
 * [oci] (conf may be NULL: then FWSEAL_REGISTRY_AUTH), the command line.
 * Reports its own error. */
struct fws_http_opts;
struct fws_sysconf;
int cli_net_opts(struct cli *c, const struct fws_sysconf *conf, struct fws_http_opts *o);

/* Options of every command that reads a bundle, which may be a URL. */
#define CLI_NET_OPTS                                                                          \
	{"ca-file", CLI_VALUE, "FILE", 0,                                                     \
	 "for a URL: trust only the CAs in FILE (default: the system's)"},                    \
	    {"client-cert", CLI_VALUE, "FILE", 0, "for a URL: a client certificate (PEM)"},   \
	    {"client-key", CLI_VALUE, "FILE", 0, "for a URL: the client certificate's key"},  \
	    {"header", CLI_LIST, "'NAME: VALUE'", 0,                                          \
	     "for a URL: send this header (repeatable; to that host only,\nnever to another " \
	     "one a redirect names)"},                                                        \
	    {"allow-http", CLI_FLAG, NULL, 0, "for a URL: allow plain http and redirects to it"}, \
	    {"retries", CLI_VALUE, "N", 0,                                                    \
	     "for a URL: failed attempts in a row before giving up\n(default 10)"},           \
	    {"download-timeout", CLI_VALUE, "SECONDS", 0,                                     \
	     "for a URL or a pipe: the whole download ends within this,\nretries included " \
	     "(1..86400; default 3600; else exit 70)"},                                       \
	    {"proxy", CLI_VALUE, "URL", 0,                                                    \
	     "for a URL: go through this http(s)://HOST:PORT proxy\n(the *_proxy "           \
	     "environment variables are never used)"}

/* What reading a URL can end with (docs/network.md). */
#define CLI_NET_CODES                                                                         \
	FWS_ENET, FWS_EINSECURE, FWS_EREMOTE, FWS_ESTALLED, FWS_EDEADLINE, FWS_EHEADER, FWS_ENOENT, \
	    FWS_EIO, FWS_EUNSAFE, CLI_OCI_CODES
/* What an oci:// reference adds (docs/fleet.md). */
#define CLI_OCI_CODES FWS_EREGISTRY, FWS_EOCIMANIFEST, FWS_EARTIFACT, FWS_ECONFIG

struct fws_sysconf;
struct fws_http;

/* A bundle being read: a file, standard input or a URL. */
struct cli_bundle {
	const char *name; /* what messages call it (a URL without its query) */
	char shown[256];
	struct fws_fd_reader fd;
	struct fws_http *http;
	fws_read_fn read;
	void *ctx;
	uint64_t size; /* 0 = not known */
};
/* What a cli_bundle starts as: cli_bundle_close may be called on it. */
#define CLI_BUNDLE_INIT {.fd = {.fd = -1}}
/* Opens path or URL; network settings from conf's [network] (may be NULL),
 * then the command line (CLI_NET_OPTS, --stall-timeout). Progress goes to
 * prog. Reports its own error. */
int cli_bundle_open(struct cli *c, const char *path, const struct fws_sysconf *conf,
		    struct cli_progress *prog, struct cli_bundle *b);
/* Bytes that crossed the network (0 for a file) and the bundle's size. */
uint64_t cli_bundle_downloaded(const struct cli_bundle *b);
void cli_bundle_close(struct cli_bundle *b);

/* --- passphrases (cli_passphrase.c) --- */

/* From --passphrase-file (first line), else FWSEAL_PASSPHRASE, else the
 * terminal (echo off; asked twice when confirm), into sodium_malloc'd
 * memory; cli_passphrase_free wipes it. Reports its own error. */
int cli_passphrase_get(const char *file, const char *prompt, int confirm, char **out,
		       size_t *out_len);
void cli_passphrase_free(char *pass);
/* The same from file, else $env_name, else the terminal; hint ends "no
 * terminal to ask for a ..." (what it is, and how else to give it). */
int cli_secret_get(const char *file, const char *env_name, const char *hint, const char *prompt,
		   int confirm, char **out, size_t *out_len);

/* --- signing keys (cli_signer.c: fwseal and fwseal-keys only, never the
 * device tool) --- */

/* Every command that takes a key takes these too (docs/hsm.md). */
#define CLI_SIGNER_OPTS                                                                       	{"signer-command", CLI_VALUE, "CMD", 0,                                                	 "sign with CMD (sh -c; stdin: the bytes to sign, stdout:\nthe base64 signature); the "  	 "key option then names\nits public key (.pub); docs/hsm.md"},                         	    {"signer-timeout", CLI_VALUE, "SECONDS", 0,                                        	     "stop the signer command after SECONDS (default 30)"}
/* The exit statuses of a key that is a token's or a signer command's. */
#define CLI_SIGNER_CODES                                                                      	FWS_EPIN, FWS_EPINLOCKED, FWS_EKEYUSE, FWS_ETOKEN, FWS_EPKCS11, FWS_ESIGNER
/* The help text of a key option. */
#define CLI_KEY_REF_HELP "a key file, or a pkcs11: URI (docs/hsm.md)"

struct fws_signing_key;
/* Opens ref (a key file, a pkcs11: URI, or with --signer-command the
 * signer's .pub) with the passphrase from --passphrase-file /
 * FWSEAL_PASSPHRASE / the terminal, or the PIN from the URI /
 * FWSEAL_PKCS11_PIN / the terminal. Reports its own error. */
int cli_signer_open(struct cli *c, const char *ref, struct fws_signing_key **key);
/* Refuses --signer-timeout without --signer-command (usage error). */
int cli_signer_usage(struct cli *c);
/* fws_pkcs11_generate with the PIN prompt; reports its own error. */
int cli_token_generate(struct cli *c, const char *uri, uint8_t public_key[32], char **key_uri);
/* fws_pkcs11_generate_p256 / fws_p256_recipient_of with the PIN prompt
 * (recipient: FWS_P256_RECIPIENT_TEXT_LEN + 1 bytes); report their own
 * error. */
int cli_token_generate_p256(struct cli *c, const char *uri, char *recipient, char **key_uri);
int cli_p256_recipient_of(struct cli *c, const char *ref, char *recipient);
/* fwseal-keys generate --curve p256 (tools/cmd_keys_p256.c). */
int cli_generate_p256(struct cli *c, const char *out);
int cli_run_recipient(struct cli *c);
/* ref as it may be printed: a pkcs11: URI loses its pin-value (malloc'd). */
char *cli_key_shown(const char *ref);

#endif
