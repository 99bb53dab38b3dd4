/* SPDX-License-Identifier: Apache-2.0 */
/* The block index of a payload (docs/format.md §6.1, docs/delta.md,
 * ADR-050): the first FWS_BLOCK_HASH_LEN bytes of SHA-256 of every
 * FWS_BLOCK_SIZE-byte block of the payload (the last block may be shorter),
 * concatenated. It travels as bundle entry blocks/<name>; the manifest signs
 * its SHA-256 (hashes."sha256-blocks"). It only tells a delta planner where
 * a device may already hold a block: nothing is ever accepted because of
 * it, every chunk is still checked against its full signed digest. */
#ifndef FWSEAL_BLOCKS_H
#define FWSEAL_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

#define FWS_BLOCK_SIZE 4096u
#define FWS_BLOCK_HASH_LEN 8u

/* Number of blocks of a payload of `size` bytes: ceil(size / 4096). */
FWS_API uint64_t fws_block_count(uint64_t size);

/* The short hash of one block (len <= FWS_BLOCK_SIZE). */
FWS_API void fws_block_hash(const uint8_t *data, size_t len, uint8_t out[FWS_BLOCK_HASH_LEN]);

/* Appends the short hashes of the blocks in data[0..len) to index, where
 * `first` is the block number of data[0]; len is a multiple of
 * FWS_BLOCK_SIZE except at the payload's end. */
FWS_API void fws_block_index_put(uint8_t *index, uint64_t first, const uint8_t *data, size_t len);

#endif
