/* SPDX-License-Identifier: Apache-2.0 */
/* A reader hashing what it passes on (hashing_reader.h). */
#include "bundle/hashing_reader.h"

void fws_hashing_reader_init(struct fws_hashing_reader *r, fws_read_fn read, void *ctx)
{
	r->read = read;
	r->ctx = ctx;
	r->n = 0;
	fws_sha256_init(&r->h);
}

ssize_t fws_read_hashing(void *ctx, uint8_t *buf, size_t len)
{
	struct fws_hashing_reader *r = ctx;
	ssize_t got = r->read(r->ctx, buf, len);

	if (got > 0) {
		fws_sha256_update(&r->h, buf, (size_t)got);
		r->n += (uint64_t)got;
	}
	return got;
}
