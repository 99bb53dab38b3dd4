/* SPDX-License-Identifier: Apache-2.0 */
/* The bundle byte source: one pull reader, optionally gunzipped, with a hard
 * cap on the bytes it will ever deliver (decompression-bomb and resource
 * defence) and an exact end-of-input check (no trailing data). Internal. */
#ifndef FWSEAL_BUNDLE_SOURCE_H
#define FWSEAL_BUNDLE_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "fwseal/bundle.h"

#define FWS_SOURCE_BUF 65536

struct fws_source {
	fws_read_fn read;
	void *read_ctx;
	uint8_t in[FWS_SOURCE_BUF];
	size_t in_pos, in_len;
	int in_eof;
	int gzip;
	int z_ready;
	int z_done; /* gzip stream ended (Z_STREAM_END) */
	z_stream z;
	uint64_t raw_bytes; /* bytes taken from the reader */
	uint64_t out_bytes; /* bytes delivered to the tar reader */
	uint64_t limit;     /* out_bytes may never exceed this */
};

/* Detects gzip by its magic; anything else is read as plain tar. */
int fws_source_open(struct fws_source *s, fws_read_fn read, void *read_ctx);
void fws_source_close(struct fws_source *s);

/* Reads up to len bytes (at least 1 unless at the end): *got = 0 means the
 * end of the (decompressed) stream. FWS_ELIMIT beyond the limit. */
int fws_source_read(struct fws_source *s, uint8_t *buf, size_t len, size_t *got);
/* Exactly len bytes or FWS_ETRUNCATED. */
int fws_source_read_exact(struct fws_source *s, uint8_t *buf, size_t len);
/* After the stream's end: the raw input must be exhausted too (nothing after
 * a gzip member: no concatenated members, no garbage). FWS_ETRAILING. */
int fws_source_check_end(struct fws_source *s);

#endif
