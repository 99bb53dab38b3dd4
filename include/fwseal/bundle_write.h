/* SPDX-License-Identifier: Apache-2.0 */
/* The signing side's bundle tools (libfwseal only, never in a device
 * build): the writer that packs a bundle (libarchive + zlib,
 * lib/sign/bundle_writer.c) and the unverified listing behind
 * `fwseal inspect` (lib/sign/inspect.c). */
#ifndef FWSEAL_BUNDLE_WRITE_H
#define FWSEAL_BUNDLE_WRITE_H

#include "fwseal/bundle.h"

/* Unverified listing for `fwseal inspect`: decodes the manifest envelope and
 * lists entries without checking signatures (the caller must say so). */
struct fws_inspect_entry {
	char name[FWS_NAME_MAX + 16];
	uint64_t size;
};
struct fws_inspect {
	struct fws_envelope envelope;
	struct fws_manifest manifest;
	int manifest_ok;  /* manifest body decoded */
	int compressed;
	/* manifest, roots, recipients, SBOM, and per payload chunk list,
	 * block index and payload */
	struct fws_inspect_entry entries[3 + FWS_MAX_ROOT_CHAIN + 3 * FWS_MAX_PAYLOADS];
	size_t n_entries;
	/* An encrypted bundle's recipients entry (docs/format.md §15.2):
	 * stanzas counted, its syntax checked (no key: nothing opened). */
	uint64_t recipient_stanzas;
	int recipients_ok;
};
FWS_API FWS_MUST_CHECK int fws_bundle_inspect(fws_read_fn read, void *read_ctx,
					      struct fws_inspect *out);

/* --- writing --- */

struct fws_bundle_writer;

/* Opens a writer to fd; gzip != 0 compresses the whole archive. mtime is
 * stamped on every entry (reproducible builds: SOURCE_DATE_EPOCH). */
FWS_API FWS_MUST_CHECK int fws_bundle_writer_open(struct fws_bundle_writer **w, int fd,
						  int gzip, int64_t mtime);
/* Adds a regular file entry of exactly size bytes, then its data in pieces. */
FWS_API FWS_MUST_CHECK int fws_bundle_writer_entry(struct fws_bundle_writer *w,
						   const char *path, uint64_t size);
FWS_API FWS_MUST_CHECK int fws_bundle_writer_data(struct fws_bundle_writer *w,
						  const void *data, size_t len);
/* Finishes the archive (and gzip stream); frees w in all cases. */
FWS_API FWS_MUST_CHECK int fws_bundle_writer_close(struct fws_bundle_writer *w);
/* Frees w without finishing (on error paths). */
FWS_API void fws_bundle_writer_abort(struct fws_bundle_writer *w);

#endif
