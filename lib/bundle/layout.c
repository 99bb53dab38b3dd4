/* SPDX-License-Identifier: Apache-2.0 */
/* Payload offsets from the signed manifest (docs/format.md §3.5). The tar
 * reader accepts exactly one spelling of every header, so the bytes an
 * entry occupies are a function of its size and the one mtime (`created`):
 * nothing about where a payload lies is left to unsigned data. */
#include <string.h>

#include "bundle/tar_reader.h"
#include "fwseal/blocks.h"
#include "fwseal/bundle.h"
#include "fwseal/encrypt.h"
#include "fwseal/chunks.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"

int fws_bundle_layout(const struct fws_manifest *m, uint64_t base, size_t index,
		      struct fws_payload_layout *out)
{
	uint64_t at = base, mtime = (uint64_t)m->created;
	if (index >= m->n_payloads)
		return FWS_EUSAGE;
	for (size_t i = 0; i <= index; i++) {
		const struct fws_payload *p = &m->payloads[i];
		uint64_t n;
		int rc = fws_payload_chunk_count(p, &n);
		if (rc != 0)
			return rc;
		out->entry = at;
		out->chunk_list = at + fws_tar_header_bytes(n * FWS_SHA256_LEN, mtime);
		uint64_t after = out->chunk_list + fws_tar_data_bytes(n * FWS_SHA256_LEN);
		out->blocks = 0;
		if (p->has_blocks) { /* blocks/<name> between the two (ADR-050) */
			uint64_t len = fws_block_count(p->size) * FWS_BLOCK_HASH_LEN;
			out->blocks = after + fws_tar_header_bytes(len, mtime);
			after = out->blocks + fws_tar_data_bytes(len);
		}
		if (p->encrypted && p->has_plain_blocks) { /* plain/<name> (format.md §15.6) */
			uint64_t len;
			rc = fws_enc_plain_entry_size(p, &len);
			if (rc != 0)
				return rc;
			out->blocks = after + fws_tar_header_bytes(len, mtime);
			after = out->blocks + fws_tar_data_bytes(len);
		}
		out->data = after + fws_tar_header_bytes(p->size, mtime);
		out->end = out->data + fws_tar_data_bytes(p->size);
		at = out->end;
	}
	return 0;
}
