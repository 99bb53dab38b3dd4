/* SPDX-License-Identifier: Apache-2.0 */
/* DSSE v1 pre-authentication encoding. The signature covers the payload type
 * as well as the body, and both are length-prefixed: a root can never be
 * passed off as a manifest (type confusion), and no choice of body can shift
 * bytes between the fields (ambiguity). */
#include <string.h>

#include "core_internal.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"

static const char pae_magic[] = "DSSEv1 ";

/* ASCII decimal without leading zeros ("0" for zero) into buf; returns the
 * number of digits. buf must hold 20 bytes (UINT64_MAX has 20 digits). */
static size_t decimal(char buf[20], uint64_t v)
{
	char rev[20];
	size_t n = 0, i;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	return n;
}

/* Appends len bytes at *pos if they fit; the test is written as a subtraction
 * so that it cannot wrap. */
static int put(uint8_t *out, size_t cap, size_t *pos, const void *src, size_t len)
{
	if (*pos > cap || len > cap - *pos)
		return FWS_ELIMIT;
	if (len != 0)
		memcpy(out + *pos, src, len);
	*pos += len;
	return 0;
}

int fws__pae_prefix(uint8_t *out, size_t cap, size_t *out_len, const char *type, size_t type_len,
		    uint64_t body_len)
{
	char num[20];
	size_t n, pos = 0;
	int ret;

	if ((ret = put(out, cap, &pos, pae_magic, sizeof pae_magic - 1)) != 0)
		return ret;
	n = decimal(num, type_len);
	if ((ret = put(out, cap, &pos, num, n)) != 0 || (ret = put(out, cap, &pos, " ", 1)) != 0)
		return ret;
	if ((ret = put(out, cap, &pos, type, type_len)) != 0 ||
	    (ret = put(out, cap, &pos, " ", 1)) != 0)
		return ret;
	n = decimal(num, body_len);
	if ((ret = put(out, cap, &pos, num, n)) != 0 || (ret = put(out, cap, &pos, " ", 1)) != 0)
		return ret;
	*out_len = pos;
	return 0;
}

int fws_pae_encode(uint8_t *out, size_t cap, size_t *out_len, const char *type, const uint8_t *body,
		   size_t body_len)
{
	uint8_t prefix[FWS_PAE_PREFIX_MAX + 20];
	size_t prefix_len = 0, type_len;
	int ret;

	if (out == NULL || out_len == NULL || type == NULL || (body == NULL && body_len != 0))
		return FWS_EUSAGE;
	type_len = strlen(type);
	ret = fws__pae_prefix(prefix, sizeof prefix, &prefix_len, type, type_len, body_len);
	if (ret != 0)
		return ret;
	if (prefix_len > cap || body_len > cap - prefix_len)
		return FWS_ELIMIT;
	/* memmove, body first: the caller may pass a body that already lies in out. */
	if (body_len != 0)
		memmove(out + prefix_len, body, body_len);
	memcpy(out, prefix, prefix_len);
	*out_len = prefix_len + body_len;
	return 0;
}

int fws_envelope_set_body(struct fws_envelope *env, const char *type, const uint8_t *body,
			  size_t body_len)
{
	size_t type_len, pae_len = 0, prefix_len = 0;
	uint8_t prefix[FWS_PAE_PREFIX_MAX];
	int ret;

	if (env == NULL || type == NULL || (body == NULL && body_len != 0))
		return FWS_EUSAGE;
	type_len = strnlen(type, FWS_PAYLOAD_TYPE_MAX + 1);
	if (type_len == 0)
		return FWS_EENVELOPE;
	if (type_len > FWS_PAYLOAD_TYPE_MAX || body_len > FWS_BODY_MAX)
		return FWS_ELIMIT;
	/* The prefix is computed on its own first to learn body_offset; the
	 * limits above guarantee it fits in FWS_PAE_PREFIX_MAX. */
	ret = fws__pae_prefix(prefix, sizeof prefix, &prefix_len, type, type_len, body_len);
	if (ret != 0)
		return ret;
	ret = fws_pae_encode(env->pae, sizeof env->pae, &pae_len, type, body, body_len);
	if (ret != 0)
		return ret;
	if (pae_len != prefix_len + body_len)
		return FWS_EINTERNAL;
	memcpy(env->payload_type, type, type_len);
	env->payload_type[type_len] = '\0';
	env->pae_len = pae_len;
	env->body_offset = prefix_len;
	memset(env->sigs, 0, sizeof env->sigs);
	env->n_sigs = 0;
	return 0;
}

const uint8_t *fws_envelope_body(const struct fws_envelope *env, size_t *len)
{
	if (len != NULL)
		*len = 0;
	/* An inconsistent struct yields no body rather than an out-of-bounds one. */
	if (env == NULL || env->pae_len > sizeof env->pae || env->body_offset > env->pae_len)
		return NULL;
	if (len != NULL)
		*len = env->pae_len - env->body_offset;
	return env->pae + env->body_offset;
}
