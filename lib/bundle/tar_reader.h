/* SPDX-License-Identifier: Apache-2.0 */
/* A strict reader for the one tar dialect fwseal writes: POSIX ustar headers,
 * regular files only, with a pax 'x' header exactly where libarchive's
 * pax_restricted writer adds one ("size" from 8 GiB, "mtime" from 2^31 - 1).
 * Every header byte has one spelling: each block must equal the block the
 * writer emits for its values (docs/format.md §3.2). Everything else is
 * refused. Internal. */
#ifndef FWSEAL_BUNDLE_TAR_READER_H
#define FWSEAL_BUNDLE_TAR_READER_H

#include <stddef.h>
#include <stdint.h>

#include "bundle/source.h"

#define FWS_TAR_BLOCK 512u
#define FWS_TAR_RECORD 10240u
/* The name field only (100 bytes) and a NUL: the prefix field is never used. */
#define FWS_TAR_PATH_MAX 101

struct fws_tar_entry {
	char path[FWS_TAR_PATH_MAX];
	uint64_t size;
	uint64_t mtime;
};

struct fws_tar {
	struct fws_source *src;
	uint64_t remaining; /* data bytes of the current entry not yet read */
	uint32_t padding;   /* zero bytes after the current entry's data */
	uint64_t offset;    /* archive offset (decompressed) */
	/* Every entry carries the same mtime (the manifest's `created`, checked
	 * by the verifier): no header field is left free to vary unsigned. */
	uint64_t mtime;
	int have_mtime;
};

void fws_tar_init(struct fws_tar *t, struct fws_source *src);

/* Next entry header: 0 with *e filled, 1 at the end-of-archive marker (the
 * rest of the input then checked: zero padding only, nothing after), or a
 * negative code. The previous entry's data must have been read or skipped. */
int fws_tar_next(struct fws_tar *t, struct fws_tar_entry *e);

/* Up to len bytes of the current entry's data; *got = 0 when it is done. */
int fws_tar_read(struct fws_tar *t, uint8_t *buf, size_t len, size_t *got);

/* Exactly the rest of the current entry into buf (len must equal it). */
int fws_tar_read_all(struct fws_tar *t, uint8_t *buf, size_t len);

/* Discards the rest of the current entry (inspect only). */
int fws_tar_skip(struct fws_tar *t);

/* Bytes the archive occupies for an entry of this size (headers, data,
 * padding), for exact size caps. */
uint64_t fws_tar_entry_footprint(uint64_t size);

/* The exact bytes of an entry's header blocks (512, or 1536 with the pax
 * header the writer adds for these values), and of its data with padding:
 * with the canonical headers, a bundle's layout follows from its manifest. */
uint64_t fws_tar_header_bytes(uint64_t size, uint64_t mtime);
uint64_t fws_tar_data_bytes(uint64_t size);

#endif
