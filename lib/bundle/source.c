/* SPDX-License-Identifier: Apache-2.0 */
/* Bundle byte source: raw or gzip, capped, read once from one reader. */
#include <string.h>

#include "bundle/source.h"
#include "fwseal/error.h"

/* A reader's failure: -1 is an I/O error, a code below it says why. */
static int reader_error(ssize_t n)
{
	return (n < -1 && n >= FWS_ELAST) ? (int)n : FWS_EIO;
}

static int fill_input(struct fws_source *s)
{
	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	s->in_pos = 0;
	s->in_len = 0;
	for (;;) {
		ssize_t n = s->read(s->read_ctx, s->in, sizeof(s->in));
		if (n < 0)
			return reader_error(n);
		if (n == 0) {
			s->in_eof = 1;
			return 0;
		}
		if ((size_t)n > sizeof(s->in))
			return FWS_EINTERNAL;
		s->in_len = (size_t)n;
		s->raw_bytes += (uint64_t)n;
		return 0;
	}
}

int fws_source_open(struct fws_source *s, fws_read_fn read, void *read_ctx)
{
	memset(s, 0, sizeof(*s));
	s->read = read;
	s->read_ctx = read_ctx;
	s->limit = UINT64_MAX;
	/* Peek at the first bytes (a short reader may give them one at a time). */
	while (s->in_len < 2 && !s->in_eof) {
		ssize_t n = read(read_ctx, s->in + s->in_len, sizeof(s->in) - s->in_len);
		if (n < 0)
			return reader_error(n);
		if (n == 0)
			s->in_eof = 1;
		else {
			s->in_len += (size_t)n;
			s->raw_bytes += (uint64_t)n;
		}
	}
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->gzip = 1;
		/* 16 + MAX_WBITS: gzip wrapper only; zlib checks CRC-32 and ISIZE. */
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
			return FWS_ENOMEM;
		s->z_ready = 1;
	}
	return 0;
}

void fws_source_close(struct fws_source *s)
{
	if (s->z_ready)
		inflateEnd(&s->z);
	s->z_ready = 0;
}

static int read_plain(struct fws_source *s, uint8_t *buf, size_t len, size_t *got)
{
	if (s->in_pos < s->in_len) {
		size_t n = s->in_len - s->in_pos;
		if (n > len)
			n = len;
		memcpy(buf, s->in + s->in_pos, n);
		s->in_pos += n;
		*got = n;
		return 0;
	}
	if (s->in_eof)
		return 0;
	/* Large reads go straight to the caller's buffer: no extra copy. */
	ssize_t n = s->read(s->read_ctx, buf, len);
	if (n < 0)
		return reader_error(n);
	if (n == 0) {
		s->in_eof = 1;
		return 0;
	}
	if ((size_t)n > len)
		return FWS_EINTERNAL;
	s->raw_bytes += (uint64_t)n;
	*got = (size_t)n;
	return 0;
}

static int read_gzip(struct fws_source *s, uint8_t *buf, size_t len, size_t *got)
{
	if (s->z_done) {
		/* The archive ended with the gzip member: anything after it (a
		 * second member, garbage) is data nobody signed. */
		int rc = fill_input(s);
		if (rc != 0)
			return rc;
		return s->in_pos < s->in_len ? FWS_ETRAILING : 0;
	}
	while (!s->z_done) {
		int rc = fill_input(s);
		if (rc != 0)
			return rc;
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)(s->in_len - s->in_pos);
		s->z.next_out = buf;
		s->z.avail_out = len > (1u << 30) ? (1u << 30) : (uInt)len;
		uInt before_out = s->z.avail_out;
		int zr = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		size_t produced = before_out - s->z.avail_out;
		if (zr == Z_STREAM_END)
			s->z_done = 1;
		else if (zr == Z_BUF_ERROR) {
			if (s->in_eof && s->in_pos == s->in_len)
				return FWS_ETRUNCATED; /* gzip stream cut short */
		} else if (zr != Z_OK)
			return FWS_EDECOMPRESS;
		if (produced > 0) {
			*got = produced;
			return 0;
		}
		if (s->in_eof && s->in_pos == s->in_len && !s->z_done)
			return FWS_ETRUNCATED;
	}
	return 0;
}

int fws_source_read(struct fws_source *s, uint8_t *buf, size_t len, size_t *got)
{
	*got = 0;
	if (len == 0)
		return 0;
	/* Never deliver past the cap: a bomb or an oversized archive stops here,
	 * before its bytes are even produced. Reading one byte past the cap is
	 * how an overrun is detected. */
	if (s->out_bytes >= s->limit)
		len = 1;
	else if (len > s->limit - s->out_bytes)
		len = (size_t)(s->limit - s->out_bytes);
	int rc = s->gzip ? read_gzip(s, buf, len, got) : read_plain(s, buf, len, got);
	if (rc != 0)
		return rc;
	if (*got > 0 && s->out_bytes >= s->limit)
		return FWS_ELIMIT;
	s->out_bytes += *got;
	return 0;
}

int fws_source_read_exact(struct fws_source *s, uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t got;
		int rc = fws_source_read(s, buf, len, &got);
		if (rc != 0)
			return rc;
		if (got == 0)
			return FWS_ETRUNCATED;
		buf += got;
		len -= got;
	}
	return 0;
}

int fws_source_check_end(struct fws_source *s)
{
	int rc;
	if (s->gzip && !s->z_done)
		return FWS_ETRUNCATED;
	/* Any byte left in the raw input (a second gzip member, garbage after
	 * the archive) is data nobody signed. */
	if (s->in_pos < s->in_len)
		return FWS_ETRAILING;
	if (!s->in_eof) {
		rc = fill_input(s);
		if (rc != 0)
			return rc;
		if (s->in_len > 0)
			return FWS_ETRAILING;
	}
	return 0;
}
