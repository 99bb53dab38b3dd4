/* SPDX-License-Identifier: Apache-2.0 */
/* The block index entry of one payload (blocks/<name>, ADR-050): checked
 * while it streams through, never held. Internal to lib/bundle. */
#ifndef FWSEAL_BUNDLE_VERIFY_BLOCKS_H
#define FWSEAL_BUNDLE_VERIFY_BLOCKS_H

#include "bundle/tar_reader.h"
#include "fwseal/bundle.h"

/* The current entry e is payload `index`'s block index: its length must be
 * 8 bytes per 4 KiB block (FWS_ESIZE) and its SHA-256 the manifest's
 * sha256-blocks (FWS_EDIGEST). Its bytes pass through buf (cap bytes) to
 * sink->block_index_data, if set, as they arrive. */
int fws_verify_block_index(struct fws_tar *tar, const struct fws_tar_entry *e,
			   const struct fws_payload *p, size_t index, const struct fws_sink *sink,
			   uint8_t *buf, size_t cap);
/* An encrypted payload's plain/<name> entry (format.md §15.6). */
int fws_verify_plain_blocks(struct fws_tar *tar, const struct fws_tar_entry *e,
			    const struct fws_payload *p, size_t index, const struct fws_sink *sink,
			    uint8_t *buf, size_t cap);

#endif
