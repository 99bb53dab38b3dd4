/* SPDX-License-Identifier: Apache-2.0 */
/* Parallel gzip (gzip_parallel.h): blocks deflated on the hashing pool's
 * workers, written in order on this thread. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bundle/chunk_pool.h"
#include "fwseal/error.h"
#include "sign/gzip_parallel.h"

#define LEVEL 6
#define GZIP_BUDGET (64u * 1024 * 1024)

struct gz_job {
	uint64_t len;      /* input bytes */
	uint64_t n_blocks;
	int out_fd;
	uint32_t crc;      /* CRC-32 of the blocks written so far */
};

/* Room for one block's deflate output: deflate never grows data by more
 * than a few bytes per 16 KiB stored block; the sync flush adds 5 more. */
static size_t out_cap(void)
{
	return FWS_GZIP_BLOCK + FWS_GZIP_BLOCK / 64 + 1024;
}

static uint64_t block_len(const struct gz_job *j, uint64_t k)
{
	uint64_t at = k * FWS_GZIP_BLOCK;
	return j->len - at < FWS_GZIP_BLOCK ? j->len - at : FWS_GZIP_BLOCK;
}

static size_t dict_len(uint64_t k)
{
	return k == 0 ? 0 : FWS_GZIP_DICT;
}

/* Any thread: deflates task k's block (after its dictionary) into t->out. */
static int deflate_block(void *ctx, struct fws_pool_task *t)
{
	const struct gz_job *j = ctx;
	size_t dict = dict_len(t->index);
	int last = t->index + 1 == j->n_blocks, rc = FWS_EINTERNAL;
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (t->len < dict)
		return FWS_EINTERNAL;
	/* Raw deflate (-15): the gzip header and trailer are written once,
	 * around all blocks. */
	if (deflateInit2(&z, LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return FWS_ENOMEM;
	if (dict > 0 && deflateSetDictionary(&z, t->buf, (uInt)dict) != Z_OK)
		goto out;
	z.next_in = t->buf + dict;
	z.avail_in = (uInt)(t->len - dict);
	z.next_out = t->out;
	z.avail_out = (uInt)out_cap();
	/* Z_SYNC_FLUSH ends a block byte-aligned without the final bit: the
	 * next block's output continues the same deflate stream. */
	int zr = deflate(&z, last ? Z_FINISH : Z_SYNC_FLUSH);
	if ((last && zr != Z_STREAM_END) || (!last && zr != Z_OK) || z.avail_in != 0 ||
	    z.avail_out == 0)
		goto out;
	t->out_len = out_cap() - z.avail_out;
	t->value = crc32(0, t->buf + dict, (uInt)(t->len - dict));
	rc = 0;
out:
	deflateEnd(&z);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return errno == ENOSPC ? FWS_ENOSPC : FWS_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* This thread, in order: the block's bytes out, its CRC joined. */
static int write_block(void *ctx, struct fws_pool_task *t)
{
	struct gz_job *j = ctx;
	if (t->rc != 0)
		return t->rc;
	j->crc = (uint32_t)crc32_combine(j->crc, (uLong)t->value,
					 (z_off_t)(t->len - dict_len(t->index)));
	return write_all(j->out_fd, t->out, t->out_len);
}

static int read_at(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FWS_EIO; /* the spool shrank or cannot be read */
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int fws_gzip_parallel(int in_fd, uint64_t len, int out_fd, unsigned jobs)
{
	/* RFC 1952 header: deflate, no flags, mtime 0, no extra flags, Unix:
	 * the bytes zlib's own gzip wrapper writes at level 6. */
	static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	struct gz_job j = {len, len / FWS_GZIP_BLOCK + (len % FWS_GZIP_BLOCK != 0), out_fd, 0};
	struct fws_pool *pool = NULL;
	struct fws_pool_config cfg = {jobs, 0, FWS_GZIP_DICT + FWS_GZIP_BLOCK, out_cap(),
				      deflate_block, write_block, &j};
	uint8_t trailer[8];
	int rc;
	/* A tar is never empty; an empty input would need a block of its own. */
	if (len == 0)
		return FWS_EUSAGE;
	/* Deflate is slow (tens of MB/s a core): every core needs a block in
	 * flight. Pack runs on a signing host, not a device, so the budget is
	 * larger than the pool's default: 2 blocks (in and out, ~2 MiB each)
	 * per job, up to 64 MiB. */
	if (jobs > 1) {
		size_t per_slot = cfg.buf_size + cfg.out_size;
		size_t fit = GZIP_BUDGET / per_slot, want = 2 * (size_t)jobs;
		cfg.slots = (unsigned)(want < fit ? want : fit < 2 ? 2 : fit);
	}
	rc = write_all(out_fd, header, sizeof(header));
	if (rc == 0)
		rc = fws_pool_open(&pool, &cfg);
	for (uint64_t k = 0; rc == 0 && k < j.n_blocks; k++) {
		struct fws_pool_task *t;
		size_t want = dict_len(k) + (size_t)block_len(&j, k);
		rc = fws_pool_get(pool, &t);
		if (rc == 0)
			rc = read_at(in_fd, t->buf, want, k * FWS_GZIP_BLOCK - dict_len(k));
		if (rc == 0) {
			t->len = want;
			rc = fws_pool_put(pool, t);
		}
	}
	if (pool != NULL) {
		int drained = fws_pool_finish(pool);
		if (rc == 0)
			rc = drained;
		fws_pool_close(pool);
	}
	if (rc != 0)
		return rc;
	/* Trailer: CRC-32 and ISIZE (the length modulo 2^32), little-endian. */
	for (int i = 0; i < 4; i++) {
		trailer[i] = (uint8_t)(j.crc >> (8 * i));
		trailer[4 + i] = (uint8_t)(len >> (8 * i));
	}
	return write_all(out_fd, trailer, sizeof(trailer));
}
