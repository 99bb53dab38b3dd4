/* SPDX-License-Identifier: Apache-2.0 */
/* Numbers, durations and the signing clock, parsed strictly. */
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "fwseal/fwseal.h"

int cli_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	if (s == NULL || *s == '\0' || (s[0] == '0' && s[1] != '\0'))
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

int cli_parse_seconds(const char *opt, const char *s, uint32_t *ms)
{
	unsigned long long v;
	if (cli_parse_u64(s, 86400, &v) != 0)
		return cli_usage_error("--%s must be a whole number of seconds from 0 to 86400, not "
				       "'%s'",
				       opt, cli_esc(s));
	*ms = (uint32_t)(v * 1000);
	return 0;
}

int cli_jobs(const struct cli *c, unsigned *jobs)
{
	const char *s = cli_get(c, "jobs");
	unsigned long long v;
	*jobs = fws_jobs_online();
	if (s == NULL)
		return 0;
	/* 0 would be a way of saying "no hashing": there is none. */
	if (cli_parse_u64(s, 256, &v) != 0 || v == 0)
		return cli_usage_error("--jobs must be a whole number from 1 to 256, not '%s'",
				       cli_esc(s));
	*jobs = (unsigned)v;
	return 0;
}

int cli_at_time(const struct cli *c, int64_t *now)
{
	const char *at = cli_get(c, "at");
	if (at == NULL)
		return cli_now(now);
	if (fws_time_parse(at, now) != 0)
		return cli_usage_error("--at must be YYYY-MM-DDTHH:MM:SSZ, not '%s'", cli_esc(at));
	return 0;
}

int cli_now(int64_t *out)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde != NULL) {
		unsigned long long v;
		/* 9999-12-31T23:59:59Z is the last time the formats can carry. */
		if (cli_parse_u64(sde, 253402300799ull, &v) != 0) {
			return cli_fail_why("SOURCE_DATE_EPOCH", FWS_ECLOCK, NULL,
					    "'%s' is not a whole number of seconds from 0 to "
					    "253402300799",
					    cli_esc(sde));
		}
		*out = (int64_t)v;
		return 0;
	}
	time_t t = time(NULL);
	if (t < 0)
		return cli_fail("clock", FWS_ECLOCK);
	*out = (int64_t)t;
	return 0;
}
