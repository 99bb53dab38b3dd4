/* Error reporting and exit statuses shared by the CLIs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwseal/fwseal.h"
#include "cli.h"

int cli_status(int code)
{
	if (code >= 0)
		return 0;
	if (code < FWS_ELAST)
		return -FWS_EINTERNAL;
	return -code;
}

int cli_fail(const char *subject, int code)
{
	if (subject != NULL)
		fprintf(stderr, "%s: %s: %s\n", cli_prog, subject, fws_strerror(code));
	else
		fprintf(stderr, "%s: %s\n", cli_prog, fws_strerror(code));
	return cli_status(code);
}

int cli_open_error(const char *path)
{
	return cli_fail(path, errno == ENOENT ? FWS_ENOENT : FWS_EIO);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s --help')\n", cli_prog);
	return cli_status(FWS_EUSAGE);
}

int cli_start(int argc, char **argv, void (*usage)(FILE *out))
{
	if (fws_init() != 0)
		return cli_fail(NULL, FWS_ECRYPTO);
	if (argc < 2)
		return cli_usage_error("missing command");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("%s %s (sha256: %s)\n", cli_prog, fws_version(), fws_sha256_backend());
		return 0;
	}
	return -1;
}

void cli_print_exit_codes(FILE *out)
{
	fprintf(out, "Exit status:\n  0   success\n");
	for (int code = -1; code >= FWS_ELAST; code--)
		fprintf(out, "  %-3d %s\n", -code, fws_strerror(code));
}

int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	if (s == NULL || *s == '\0')
		return -1;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned digit = (unsigned)(*p - '0');
		if (v > (max - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

int cli_now(long long *out)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde != NULL) {
		unsigned long long v;
		/* 9999-12-31T23:59:59Z is the last time the formats can carry. */
		if (cli_parse_u64(sde, 253402300799ull, &v) != 0)
			return FWS_ECLOCK;
		*out = (long long)v;
		return 0;
	}
	time_t t = time(NULL);
	if (t < 0)
		return FWS_ECLOCK;
	*out = (long long)t;
	return 0;
}
