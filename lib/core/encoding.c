/* SPDX-License-Identifier: Apache-2.0 */
/* Hex, key IDs and UTC times. These decode untrusted text (key IDs in roots,
 * times in manifests), so every decoder accepts exactly one spelling: two
 * spellings of one value would let two documents that differ byte-wise mean
 * the same thing, or one signed document be read two ways. */
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"

static const char hex_digits[16] = "0123456789abcdef";

void fws_hex_encode(char *out, const uint8_t *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* Lowercase only: uppercase would be a second spelling of the same key ID. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int fws_hex_decode_exact(uint8_t *out, size_t len, const char *hex)
{
	size_t i;

	if (out == NULL || hex == NULL)
		return FWS_EUSAGE;
	if (len > (SIZE_MAX - 1) / 2)
		return FWS_ELIMIT;
	/* First pass validates everything (stopping at the first NUL, so a short
	 * string is never read past its end); out is only written once the whole
	 * input is known good. */
	for (i = 0; i < 2 * len; i++) {
		if (hex_value(hex[i]) < 0)
			return FWS_ESCHEMA;
	}
	if (hex[2 * len] != '\0')
		return FWS_ESCHEMA; /* trailing characters: not the exact length */
	for (i = 0; i < len; i++)
		out[i] = (uint8_t)((hex_value(hex[2 * i]) << 4) | hex_value(hex[2 * i + 1]));
	return 0;
}

void fws_keyid(const uint8_t public_key[32], uint8_t keyid[32])
{
	fws_sha256(public_key, 32, keyid);
}

/* --- time: proleptic Gregorian calendar, UTC, no leap seconds ------------ */

#define YEAR_MIN 1970
#define YEAR_MAX 9999
/* 9999-12-31T23:59:59Z */
#define TIME_MAX INT64_C(253402300799)

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && is_leap(y))
		return 29;
	return days[m - 1];
}

/* Days since 1970-01-01 of a valid date, years >= 1970. The year is counted
 * from March so that the leap day falls at the end of it; 400-year eras hold
 * 146097 days; 719468 days lie between 0000-03-01 and 1970-01-01. Done here
 * rather than with timegm() so that neither the C library's time zone nor its
 * locale nor its range of time_t can change what a signed time means. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y -= 1;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil for z >= 0. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

/* Reads exactly n ASCII digits; -1 if any is not a digit. */
static int64_t digits(const char *s, int n)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int fws_time_parse(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	int64_t year, mon, day, hour, min, sec;
	size_t i;

	if (s == NULL || out == NULL)
		return FWS_EUSAGE;
	/* Exact shape, checked character by character and stopping at a NUL:
	 * no lowercase 't'/'z', no offsets, no fractions, no spaces, nothing after. */
	for (i = 0; i < sizeof shape - 1; i++) {
		if (shape[i] == 'd') {
			if (s[i] < '0' || s[i] > '9')
				return FWS_ECLOCK;
		} else if (s[i] != shape[i]) {
			return FWS_ECLOCK;
		}
	}
	if (s[sizeof shape - 1] != '\0')
		return FWS_ECLOCK;

	year = digits(s, 4);
	mon = digits(s + 5, 2);
	day = digits(s + 8, 2);
	hour = digits(s + 11, 2);
	min = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	/* Before 1970 a time would be negative; a device clock or a manifest
	 * claiming it is broken, not old. Leap second 60 and hour 24 are second
	 * spellings of other instants and are refused. */
	if (year < YEAR_MIN || year > YEAR_MAX)
		return FWS_ECLOCK;
	if (mon < 1 || mon > 12)
		return FWS_ECLOCK;
	if (day < 1 || day > days_in_month(year, (int)mon))
		return FWS_ECLOCK;
	if (hour > 23 || min > 59 || sec > 59)
		return FWS_ECLOCK;

	*out = days_from_civil(year, (int)mon, (int)day) * 86400 + hour * 3600 + min * 60 + sec;
	return 0;
}

static void put_digits(char *out, int64_t v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

int fws_time_format(int64_t t, char out[21])
{
	int64_t days, secs, year;
	int mon, day;

	if (out == NULL)
		return FWS_EUSAGE;
	if (t < 0 || t > TIME_MAX)
		return FWS_ECLOCK;
	days = t / 86400;
	secs = t % 86400;
	civil_from_days(days, &year, &mon, &day);

	put_digits(out, year, 4);
	out[4] = '-';
	put_digits(out + 5, mon, 2);
	out[7] = '-';
	put_digits(out + 8, day, 2);
	out[10] = 'T';
	put_digits(out + 11, secs / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, secs / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, secs % 60, 2);
	out[19] = 'Z';
	out[20] = '\0';
	return 0;
}
