/* SPDX-License-Identifier: Apache-2.0 */
/* Bundle writer: libarchive writes the tar (pax-restricted: plain ustar
 * headers unless a size needs pax), zlib compresses it ourselves so the gzip
 * header is deterministic (mtime 0, no file name): same inputs, same bytes. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fwseal/bundle_write.h"
#include "fwseal/bundle.h"
#include "fwseal/error.h"

struct fws_bundle_writer {
	struct archive *a;
	int fd;
	int gzip;
	int failed;
	int64_t mtime;
	z_stream z;
	int z_ready;
	uint8_t out[65536];
	/* Plain output gathered into large writes: libarchive hands over one
	 * 10240-byte block at a time, a write(2) each would cost more system
	 * time than hashing the data (docs/performance.md). */
	uint8_t plain[256 * 1024];
	size_t plain_len;
};

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int deflate_to_fd(struct fws_bundle_writer *w, const void *data, size_t len, int flush)
{
	w->z.next_in = (Bytef *)(uintptr_t)data;
	w->z.avail_in = (uInt)len;
	do {
		w->z.next_out = w->out;
		w->z.avail_out = sizeof(w->out);
		int zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR)
			return -1;
		if (write_all(w->fd, w->out, sizeof(w->out) - w->z.avail_out) != 0)
			return -1;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && w->z.avail_in > 0));
	return 0;
}

static int flush_plain(struct fws_bundle_writer *w)
{
	int rc = write_all(w->fd, w->plain, w->plain_len);
	w->plain_len = 0;
	return rc;
}

static int write_plain(struct fws_bundle_writer *w, const uint8_t *buf, size_t len)
{
	if (len > sizeof(w->plain) - w->plain_len && flush_plain(w) != 0)
		return -1;
	if (len >= sizeof(w->plain))
		return write_all(w->fd, buf, len);
	memcpy(w->plain + w->plain_len, buf, len);
	w->plain_len += len;
	return 0;
}

static la_ssize_t on_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct fws_bundle_writer *w = ctx;
	(void)a;
	/* libarchive hands over at most one 10240-byte block at a time. */
	if (len > (1u << 30))
		return -1;
	int rc = w->gzip ? deflate_to_fd(w, buf, len, Z_NO_FLUSH) : write_plain(w, buf, len);
	if (rc != 0) {
		w->failed = 1;
		return -1;
	}
	return (la_ssize_t)len;
}

int fws_bundle_writer_open(struct fws_bundle_writer **out, int fd, int gzip, int64_t mtime)
{
	struct fws_bundle_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return FWS_ENOMEM;
	w->fd = fd;
	w->gzip = gzip;
	w->mtime = mtime;
	if (gzip) {
		/* 16 + MAX_WBITS: gzip wrapper with zlib's fixed default header. */
		if (deflateInit2(&w->z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
		    Z_OK) {
			free(w);
			return FWS_ENOMEM;
		}
		w->z_ready = 1;
	}
	w->a = archive_write_new();
	if (w->a == NULL || archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, on_write, NULL) != ARCHIVE_OK) {
		fws_bundle_writer_abort(w);
		return FWS_EIO;
	}
	*out = w;
	return 0;
}

int fws_bundle_writer_entry(struct fws_bundle_writer *w, const char *path, uint64_t size)
{
	struct archive_entry *e = archive_entry_new();
	if (e == NULL)
		return FWS_ENOMEM;
	if (size > INT64_MAX) {
		archive_entry_free(e);
		return FWS_ELIMIT;
	}
	/* Fixed metadata: nothing about the build machine leaks in, and the
	 * bytes depend only on the inputs. */
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)w->mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	int r = archive_write_header(w->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : FWS_EIO;
}

int fws_bundle_writer_data(struct fws_bundle_writer *w, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		la_ssize_t n = archive_write_data(w->a, p, len);
		if (n <= 0)
			return FWS_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fws_bundle_writer_close(struct fws_bundle_writer *w)
{
	int rc = 0;
	if (archive_write_close(w->a) != ARCHIVE_OK || w->failed)
		rc = FWS_EIO;
	if (rc == 0 && w->gzip && deflate_to_fd(w, NULL, 0, Z_FINISH) != 0)
		rc = FWS_EIO;
	if (rc == 0 && !w->gzip && flush_plain(w) != 0)
		rc = FWS_EIO;
	fws_bundle_writer_abort(w);
	return rc;
}

void fws_bundle_writer_abort(struct fws_bundle_writer *w)
{
	if (w == NULL)
		return;
	if (w->a != NULL)
		archive_write_free(w->a);
	/* libarchive finishes the archive while it is freed, as it always
	 * wrote it through: what it gave us goes out too (best effort; an
	 * aborted output is discarded by its owner anyway). */
	if (!w->gzip && w->plain_len > 0)
		(void)flush_plain(w);
	if (w->z_ready)
		deflateEnd(&w->z);
	free(w);
}
