/* SPDX-License-Identifier: Apache-2.0 */
/* Verifying a block index (blocks/<name>, docs/format.md §6.1, ADR-050).
 *
 * The verifier's memory is a fixed working set plus 32 bytes per chunk;
 * the index is 8 bytes per 4 KiB block (8 MiB for a 4 GiB payload), so it
 * is hashed as it streams and never held here. A delta planner that wants
 * it keeps its own copy (block_index_data) and may use it only after this
 * check passed: an index the manifest does not sign could point the
 * planner anywhere (it would still be caught by the chunk digests, but at
 * the cost of refetching). */
#include <sodium.h>

#include "bundle/verify_blocks.h"
#include "fwseal/blocks.h"
#include "fwseal/encrypt.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "io/io.h"

/* What the sink is handed of a signed entry as it streams. */
typedef int (*entry_data_fn)(void *ctx, const struct fws_payload *p, size_t index, uint64_t at,
			     const uint8_t *data, size_t len);

/* Streams entry e: hashed, each piece handed to data (may be NULL)
 * unverified, and the digest compared with want, the manifest's (field
 * names it in the refusal), at the end. The one loop both streamed entries
 * use, so that neither can hand out bytes it then forgets to check. */
static int stream_checked(struct fws_tar *tar, const struct fws_tar_entry *e,
			  const struct fws_payload *p, size_t index, entry_data_fn data, void *ctx,
			  const uint8_t want[FWS_SHA256_LEN], const char *field, uint8_t *buf,
			  size_t cap)
{
	uint8_t digest[FWS_SHA256_LEN];
	struct fws_sha256 h;
	uint64_t at = 0;
	int rc = 0;

	fws_sha256_init(&h);
	for (;;) {
		size_t got;
		rc = fws_tar_read(tar, buf, cap, &got);
		if (rc == FWS_ETRUNCATED && fws_diag_last()->code != rc)
			rc = fws_diag_set(rc, 0, e->path, "the archive ends %llu bytes into it",
					  (unsigned long long)at);
		if (rc != 0 || got == 0)
			break;
		fws_sha256_update(&h, buf, got);
		if (data != NULL && (rc = data(ctx, p, index, at, buf, got)) != 0)
			break;
		at += got;
	}
	fws_sha256_final(&h, digest);
	if (rc == 0 && sodium_memcmp(digest, want, FWS_SHA256_LEN) != 0)
		rc = fws_diag_set(FWS_EDIGEST, 0, e->path, "does not match the manifest's %s", field);
	return rc;
}

int fws_verify_block_index(struct fws_tar *tar, const struct fws_tar_entry *e,
			   const struct fws_payload *p, size_t index, const struct fws_sink *sink,
			   uint8_t *buf, size_t cap)
{
	uint64_t blocks = fws_block_count(p->size);
	/* blocks <= 2^53 / 4096: the product cannot wrap. */
	if (e->size != blocks * FWS_BLOCK_HASH_LEN)
		return fws_diag_set(FWS_ESIZE, 0, e->path, "%llu bytes, but %llu blocks need %llu",
				    (unsigned long long)e->size, (unsigned long long)blocks,
				    (unsigned long long)(blocks * FWS_BLOCK_HASH_LEN));
	return stream_checked(tar, e, p, index, sink != NULL ? sink->block_index_data : NULL,
			      sink != NULL ? sink->ctx : NULL, p->blocks_sha256, "sha256-blocks",
			      buf, cap);
}

/* An encrypted payload's plain/<name> (docs/format.md §15.6): the same
 * discipline as the block index: hashed as it streams, handed to the sink
 * unverified, its digest checked at its end, before any use. */
int fws_verify_plain_blocks(struct fws_tar *tar, const struct fws_tar_entry *e,
			    const struct fws_payload *p, size_t index, const struct fws_sink *sink,
			    uint8_t *buf, size_t cap)
{
	uint64_t want;
	int rc = fws_enc_plain_entry_size(p, &want);
	if (rc != 0)
		return rc;
	if (e->size != want)
		return fws_diag_set(FWS_ESIZE, 0, e->path, "%llu bytes, the manifest's chunks need %llu",
				    (unsigned long long)e->size, (unsigned long long)want);
	return stream_checked(tar, e, p, index, sink != NULL ? sink->plain_blocks_data : NULL,
			      sink != NULL ? sink->ctx : NULL, p->plain_blocks_sha256,
			      "encryption.plain_blocks", buf, cap);
}
