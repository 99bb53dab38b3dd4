/* SPDX-License-Identifier: Apache-2.0 */
/* The two text encodings of age: unpadded base64 in headers and Bech32
 * for keys. Decoders accept exactly one spelling of each value (a second
 * spelling would be an unsigned degree of freedom in the recipients entry
 * and a way to smuggle bytes past a comparison). */
#include <string.h>

#include "bundle/age_internal.h"

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t fws_b64raw_encoded_len(size_t len)
{
	return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

void fws_b64raw_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = B64[v >> 18];
		out[o++] = B64[(v >> 12) & 63];
		out[o++] = B64[(v >> 6) & 63];
		out[o++] = B64[v & 63];
	}
	if (len - i == 1) {
		out[o++] = B64[in[i] >> 2];
		out[o++] = B64[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
		out[o++] = B64[v >> 10];
		out[o++] = B64[(v >> 4) & 63];
		out[o++] = B64[(v & 15) << 2];
	}
	out[o] = '\0';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long fws_b64raw_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	if (in_len % 4 == 1)
		return -1;
	for (size_t i = 0; i < in_len; i++) {
		int v = b64_value(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= out_max)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0) /* unused trailing bits must be zero: one spelling */
		return -1;
	return (long)o;
}

/* --- Bech32 (BIP 173) --- */

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t pre)
{
	uint32_t b = pre >> 25;
	return ((pre & 0x1ffffff) << 5) ^ (-((b >> 0) & 1) & 0x3b6a57b2UL) ^
	       (-((b >> 1) & 1) & 0x26508e6dUL) ^ (-((b >> 2) & 1) & 0x1ea119faUL) ^
	       (-((b >> 3) & 1) & 0x3d4233ddUL) ^ (-((b >> 4) & 1) & 0x2a1462b3UL);
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static uint32_t hrp_polymod(const char *hrp, size_t hl)
{
	uint32_t chk = 1;
	for (size_t i = 0; i < hl; i++)
		chk = polymod_step(chk) ^ ((uint8_t)lower(hrp[i]) >> 5);
	chk = polymod_step(chk);
	for (size_t i = 0; i < hl; i++)
		chk = polymod_step(chk) ^ ((uint8_t)lower(hrp[i]) & 0x1f);
	return chk;
}

int fws_bech32_encode(const char *hrp, const uint8_t *data, size_t len, int upper, char *out,
		      size_t out_max)
{
	size_t hl = strlen(hrp), n5 = (len * 8 + 4) / 5, o = 0;
	uint32_t chk = hrp_polymod(hrp, hl), acc = 0;
	int bits = 0;
	if (hl + 1 + n5 + 6 + 1 > out_max)
		return -1;
	for (size_t i = 0; i < hl; i++)
		out[o++] = upper ? hrp[i] : lower(hrp[i]);
	out[o++] = upper ? '1' : '1';
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			uint32_t v = (acc >> bits) & 31;
			chk = polymod_step(chk) ^ v;
			out[o++] = CHARSET[v];
		}
	}
	if (bits > 0) {
		uint32_t v = (acc << (5 - bits)) & 31;
		chk = polymod_step(chk) ^ v;
		out[o++] = CHARSET[v];
	}
	for (int i = 0; i < 6; i++)
		chk = polymod_step(chk);
	chk ^= 1;
	for (int i = 0; i < 6; i++)
		out[o++] = CHARSET[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	if (upper)
		for (size_t i = 0; i < o; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 'a' + 'A');
	return 0;
}

long fws_bech32_decode(const char *text, const char *hrp, uint8_t *out, size_t out_max)
{
	size_t tl = strlen(text), hl = strlen(hrp), o = 0;
	int has_lower = 0, has_upper = 0, bits = 0;
	uint32_t chk, acc = 0;
	for (size_t i = 0; i < tl; i++) {
		if (text[i] < 33 || text[i] > 126)
			return -1;
		has_lower |= text[i] >= 'a' && text[i] <= 'z';
		has_upper |= text[i] >= 'A' && text[i] <= 'Z';
	}
	if ((has_lower && has_upper) || tl < hl + 1 + 6 || text[hl] != '1')
		return -1;
	for (size_t i = 0; i < hl; i++)
		if (lower(text[i]) != lower(hrp[i]))
			return -1;
	chk = hrp_polymod(hrp, hl);
	for (size_t i = hl + 1; i < tl; i++) {
		const char *p = strchr(CHARSET, lower(text[i]));
		if (p == NULL || *p == '\0')
			return -1;
		uint32_t v = (uint32_t)(p - CHARSET);
		chk = polymod_step(chk) ^ v;
		if (i + 6 >= tl)
			continue; /* the checksum's five-bit groups */
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= out_max)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (chk != 1 || bits >= 5 || acc != 0)
		return -1;
	return (long)o;
}
