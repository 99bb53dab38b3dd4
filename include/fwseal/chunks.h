/* SPDX-License-Identifier: Apache-2.0 */
/* Chunked payload digests (design.md "Payload digests").
 *
 * A payload is cut into chunk_size pieces (the last may be shorter; a 0-byte
 * payload has none). The chunk list is the concatenated SHA-256 of each piece;
 * the manifest signs SHA-256(chunk list). The verifier checks the chunk list
 * first, then each piece as it streams, so no unverified byte is released. */
#ifndef FWSEAL_CHUNKS_H
#define FWSEAL_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/sha256.h"

/* True for a power of two in FWS_CHUNK_MIN..FWS_CHUNK_MAX. */
FWS_API int fws_chunk_size_valid(uint32_t chunk_size);

/* Number of pieces; FWS_ELIMIT above FWS_MAX_CHUNKS, FWS_ESCHEMA on a bad chunk_size. */
FWS_API FWS_MUST_CHECK int fws_chunk_count(uint64_t size, uint32_t chunk_size, uint64_t *n);

/* Checks a received chunk list: length exactly 32 * count and SHA-256 equal
 * to the signed digest (FWS_ESIZE / FWS_EDIGEST). */
FWS_API FWS_MUST_CHECK int fws_chunk_list_check(const uint8_t *list, size_t len,
						uint64_t size, uint32_t chunk_size,
						const uint8_t signed_digest[32]);

/* The per-chunk rule, in one place (every hashing loop calls these; the
 * hashing pool runs fws_chunk_check on several cores). Piece `index` of a
 * payload of `size` bytes is chunk_size bytes long, the last one shorter;
 * its digest is plain SHA-256 of those bytes, entry `index` of the list.
 * Pure functions: no state, no diagnostic, safe on any thread. */

/* Length of piece `index`, 0 when the payload has no such piece (or the
 * chunk size is invalid). */
FWS_API uint64_t fws_chunk_piece_len(uint64_t size, uint32_t chunk_size, uint64_t index);

/* The digest of one piece, as its chunk list entry must hold it. */
FWS_API void fws_chunk_digest(const uint8_t *data, size_t len, uint8_t digest[32]);

/* Checks piece `index` (len bytes) against its entry of a chunk list that
 * already passed fws_chunk_list_check for (size, chunk_size): FWS_ESIZE if
 * the payload has no such piece or len is not the piece's length,
 * FWS_EDIGEST if the digest differs, 0 when its bytes may be released. */
FWS_API FWS_MUST_CHECK int fws_chunk_check(const uint8_t *list, uint64_t size,
					   uint32_t chunk_size, uint64_t index,
					   const uint8_t *data, size_t len);

struct fws_chunk_verifier {
	const uint8_t *list; /* caller-owned, already passed fws_chunk_list_check */
	uint64_t size;
	uint32_t chunk_size;
	uint64_t offset;    /* payload bytes accepted so far */
	uint32_t in_chunk;  /* bytes of the current piece hashed so far */
	uint64_t index;     /* current piece */
	int failed;         /* 0, or the sticky error: once failed, every call fails */
	struct fws_sha256 hash;
};

FWS_API FWS_MUST_CHECK int fws_chunk_verifier_init(struct fws_chunk_verifier *v,
						   const uint8_t *list, uint64_t size,
						   uint32_t chunk_size);

/* Hashes up to len bytes, stopping at the end of the current piece; *used is
 * how many were taken. Returns 1 when that piece is now complete and matched
 * its digest (its bytes may be released), 0 when more bytes are needed,
 * FWS_EDIGEST on a mismatch, FWS_ESIZE if data runs past the payload size. */
FWS_API FWS_MUST_CHECK int fws_chunk_verifier_update(struct fws_chunk_verifier *v,
						     const uint8_t *data, size_t len,
						     size_t *used);

/* 0 when exactly size bytes were accepted, FWS_ESIZE otherwise. */
FWS_API FWS_MUST_CHECK int fws_chunk_verifier_final(const struct fws_chunk_verifier *v);

#endif
