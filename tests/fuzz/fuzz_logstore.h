/* SPDX-License-Identifier: Apache-2.0 */
/* An audit log held in memory (struct fws_log_store), for the audit-log
 * harness (fuzz_auditlog.c) and its seeds (seedgen.c). One fuzz input is a
 * whole stored log:
 *   2 bytes  head length H (little-endian; 0 = no head)
 *   4 bytes  segment 1 length S (little-endian; 0 = no segment 1)
 *   H bytes  the head record, S bytes segment 1, the rest segment 0
 * (lengths past the end of the input are cut to what is there). */
#ifndef FWSEAL_FUZZ_LOGSTORE_H
#define FWSEAL_FUZZ_LOGSTORE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/auditlog.h"
#include "fwseal/error.h"

#define FUZZ_LOG_MAX (1u << 20) /* what a harness run may grow it to */

struct fuzz_log {
	uint8_t *part[3]; /* segment 0, segment 1, head */
	size_t len[3];
	int present[3];
};

static inline int fl_set(struct fuzz_log *l, int i, const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL)
		return FWS_ENOMEM;
	if (len)
		memcpy(copy, buf, len);
	free(l->part[i]);
	l->part[i] = copy;
	l->len[i] = len;
	l->present[i] = 1;
	return 0;
}

static inline int fl_head_read(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct fuzz_log *l = ctx;
	if (!l->present[2])
		return FWS_ENOENT;
	if (l->len[2] > cap)
		return FWS_ELIMIT;
	memcpy(buf, l->part[2], l->len[2]);
	*len = l->len[2];
	return 0;
}

static inline int fl_head_write(void *ctx, const uint8_t *buf, size_t len)
{
	return fl_set(ctx, 2, buf, len);
}

static inline int fl_size(void *ctx, int segment, uint64_t *size)
{
	struct fuzz_log *l = ctx;
	if (segment < 0 || segment > 1 || !l->present[segment])
		return FWS_ENOENT;
	*size = l->len[segment];
	return 0;
}

static inline int fl_read(void *ctx, int segment, uint64_t offset, uint8_t *buf, size_t len,
			  size_t *got)
{
	struct fuzz_log *l = ctx;
	if (segment < 0 || segment > 1 || !l->present[segment])
		return FWS_ENOENT;
	*got = 0;
	if (offset >= l->len[segment])
		return 0;
	size_t n = l->len[segment] - (size_t)offset;
	*got = n < len ? n : len;
	memcpy(buf, l->part[segment] + offset, *got);
	return 0;
}

static inline int fl_append(void *ctx, const uint8_t *buf, size_t len)
{
	struct fuzz_log *l = ctx;
	size_t old = l->present[0] ? l->len[0] : 0;
	if (len > FUZZ_LOG_MAX - old)
		return FWS_ENOSPC;
	uint8_t *grown = realloc(l->part[0], old + len + 1);
	if (grown == NULL)
		return FWS_ENOMEM;
	memcpy(grown + old, buf, len);
	l->part[0] = grown;
	l->len[0] = old + len;
	l->present[0] = 1;
	return 0;
}

static inline int fl_truncate(void *ctx, uint64_t size)
{
	struct fuzz_log *l = ctx;
	if (!l->present[0] || size > l->len[0])
		return FWS_EINTERNAL;
	l->len[0] = (size_t)size;
	return 0;
}

static inline int fl_rotate(void *ctx)
{
	struct fuzz_log *l = ctx;
	free(l->part[1]);
	l->part[1] = l->part[0];
	l->len[1] = l->len[0];
	l->present[1] = l->present[0];
	l->part[0] = NULL;
	l->len[0] = 0;
	l->present[0] = 1;
	return fl_set(l, 0, NULL, 0);
}

static inline struct fws_log_store fl_store(struct fuzz_log *l)
{
	return (struct fws_log_store){l,	  fl_head_read, fl_head_write, fl_size,
				      fl_read,	  fl_append,	fl_truncate,   fl_rotate};
}

static inline void fl_free(struct fuzz_log *l)
{
	for (int i = 0; i < 3; i++)
		free(l->part[i]);
	memset(l, 0, sizeof(*l));
}

/* The input layout above -> a log. */
static inline int fl_load(struct fuzz_log *l, const uint8_t *data, size_t size)
{
	memset(l, 0, sizeof(*l));
	if (size < 6)
		return fl_set(l, 0, data, size);
	size_t h = (size_t)data[0] | (size_t)data[1] << 8;
	size_t s = (size_t)data[2] | (size_t)data[3] << 8 | (size_t)data[4] << 16 |
		   (size_t)data[5] << 24;
	data += 6;
	size -= 6;
	h = h < size ? h : size;
	s = s < size - h ? s : size - h;
	int rc = h ? fl_set(l, 2, data, h) : 0;
	if (rc == 0 && s)
		rc = fl_set(l, 1, data + h, s);
	if (rc == 0)
		rc = fl_set(l, 0, data + h + s, size - h - s);
	return rc;
}

/* A log -> the input layout (the caller frees *out). */
static inline int fl_save(const struct fuzz_log *l, uint8_t **out, size_t *len)
{
	size_t h = l->present[2] ? l->len[2] : 0, s = l->present[1] ? l->len[1] : 0,
	       z = l->present[0] ? l->len[0] : 0;
	if (h > 0xffff || s > 0xffffffffu)
		return FWS_ELIMIT;
	uint8_t *b = malloc(6 + h + s + z);
	if (b == NULL)
		return FWS_ENOMEM;
	b[0] = (uint8_t)h;
	b[1] = (uint8_t)(h >> 8);
	for (int i = 0; i < 4; i++)
		b[2 + i] = (uint8_t)(s >> (8 * i));
	if (h)
		memcpy(b + 6, l->part[2], h);
	if (s)
		memcpy(b + 6 + h, l->part[1], s);
	if (z)
		memcpy(b + 6 + h + s, l->part[0], z);
	*out = b;
	*len = 6 + h + s + z;
	return 0;
}

#endif
