/* SPDX-License-Identifier: Apache-2.0 */
/* The block index (include/fwseal/blocks.h, ADR-050): short SHA-256 of
 * every 4 KiB block. A short hash is enough because a match is only a
 * hint: a false one (by chance, or crafted into a device's old image) only
 * makes the planner fetch that chunk, whose full digest still decides. */
#include <string.h>

#include "fwseal/blocks.h"
#include "fwseal/sha256.h"

uint64_t fws_block_count(uint64_t size)
{
	return size / FWS_BLOCK_SIZE + (size % FWS_BLOCK_SIZE != 0);
}

void fws_block_hash(const uint8_t *data, size_t len, uint8_t out[FWS_BLOCK_HASH_LEN])
{
	uint8_t d[FWS_SHA256_LEN];
	fws_sha256(data, len, d);
	memcpy(out, d, FWS_BLOCK_HASH_LEN);
}

void fws_block_index_put(uint8_t *index, uint64_t first, const uint8_t *data, size_t len)
{
	for (size_t off = 0; off < len; off += FWS_BLOCK_SIZE, first++) {
		size_t n = len - off < FWS_BLOCK_SIZE ? len - off : FWS_BLOCK_SIZE;
		fws_block_hash(data + off, n, index + first * FWS_BLOCK_HASH_LEN);
	}
}
