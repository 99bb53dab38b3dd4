/* SPDX-License-Identifier: Apache-2.0 */
/* Chunked payload digests: the chunk list is checked against the signed
 * digest first, then every piece against its entry before the caller may
 * release it, so a tampered byte is caught within one chunk and never
 * reaches the target (design.md "Payload digests"). */
#include <sodium.h>
#include <string.h>

#include "fwseal/chunks.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"

int fws_chunk_size_valid(uint32_t chunk_size)
{
	return chunk_size >= FWS_CHUNK_MIN && chunk_size <= FWS_CHUNK_MAX &&
	       (chunk_size & (chunk_size - 1)) == 0;
}

int fws_chunk_count(uint64_t size, uint32_t chunk_size, uint64_t *n)
{
	uint64_t count;

	if (n == NULL)
		return FWS_EUSAGE;
	if (!fws_chunk_size_valid(chunk_size))
		return FWS_ESCHEMA;
	/* Rounded-up division without size + chunk_size - 1, which could wrap. */
	count = size / chunk_size + (size % chunk_size != 0);
	/* The cap bounds the chunk list the verifier must hold in memory. */
	if (count > FWS_MAX_CHUNKS)
		return FWS_ELIMIT;
	*n = count;
	return 0;
}

uint64_t fws_chunk_piece_len(uint64_t size, uint32_t chunk_size, uint64_t index)
{
	uint64_t n;

	if (fws_chunk_count(size, chunk_size, &n) != 0 || index >= n)
		return 0;
	/* index < n <= FWS_MAX_CHUNKS and chunk_size <= FWS_CHUNK_MAX: the
	 * product stays far below 2^64 and below size. */
	return size - index * chunk_size < chunk_size ? size - index * chunk_size : chunk_size;
}

void fws_chunk_digest(const uint8_t *data, size_t len, uint8_t digest[32])
{
	fws_sha256(data, len, digest);
}

/* The comparison every path shares: constant time, so a timing probe learns
 * nothing about how much of a forged chunk's digest was right. */
static int entry_matches(const uint8_t *list, uint64_t index, const uint8_t digest[32])
{
	return sodium_memcmp(digest, list + index * 32, 32) == 0;
}

int fws_chunk_check(const uint8_t *list, uint64_t size, uint32_t chunk_size, uint64_t index,
		    const uint8_t *data, size_t len)
{
	uint8_t digest[32];
	uint64_t want = fws_chunk_piece_len(size, chunk_size, index);
	int ret;

	if (list == NULL || (data == NULL && len != 0))
		return FWS_EUSAGE;
	/* A piece of any other length is not the signed piece, whatever its
	 * digest: no piece is empty, so want == 0 also refuses an index past
	 * the list, which would read beyond it. */
	if (want == 0 || (uint64_t)len != want)
		return FWS_ESIZE;
	fws_chunk_digest(data, len, digest);
	ret = entry_matches(list, index, digest) ? 0 : FWS_EDIGEST;
	sodium_memzero(digest, sizeof digest);
	return ret;
}

int fws_chunk_list_check(const uint8_t *list, size_t len, uint64_t size, uint32_t chunk_size,
			 const uint8_t signed_digest[32])
{
	uint8_t digest[32];
	uint64_t n = 0;
	int ret = FWS_EINTERNAL;

	if ((list == NULL && len != 0) || signed_digest == NULL)
		return FWS_EUSAGE;
	if ((ret = fws_chunk_count(size, chunk_size, &n)) != 0)
		goto out;
	/* n <= FWS_MAX_CHUNKS, so 32 * n cannot overflow. A list of any other
	 * length would make the per-piece lookups read past it or leave pieces
	 * without a digest. */
	if ((uint64_t)len != 32 * n) {
		ret = FWS_ESIZE;
		goto out;
	}
	fws_sha256(list, len, digest);
	if (sodium_memcmp(digest, signed_digest, sizeof digest) != 0) {
		ret = FWS_EDIGEST;
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(digest, sizeof digest);
	return ret;
}

int fws_chunk_verifier_init(struct fws_chunk_verifier *v, const uint8_t *list, uint64_t size,
			    uint32_t chunk_size)
{
	uint64_t n = 0;
	int ret;

	if (v == NULL)
		return FWS_EUSAGE;
	memset(v, 0, sizeof *v);
	v->failed = FWS_EUSAGE; /* unusable until fully initialised */
	if ((ret = fws_chunk_count(size, chunk_size, &n)) != 0) {
		v->failed = ret;
		return ret;
	}
	if (list == NULL && n != 0)
		return FWS_EUSAGE;
	v->list = list;
	v->size = size;
	v->chunk_size = chunk_size;
	fws_sha256_init(&v->hash);
	v->failed = 0;
	return 0;
}

static int fail(struct fws_chunk_verifier *v, int code)
{
	v->failed = code;
	return code;
}

int fws_chunk_verifier_update(struct fws_chunk_verifier *v, const uint8_t *data, size_t len,
			      size_t *used)
{
	uint8_t digest[32];
	uint64_t piece_left, take;
	int ret = FWS_EINTERNAL;

	if (used != NULL)
		*used = 0;
	if (v == NULL || used == NULL)
		return FWS_EUSAGE;
	/* Sticky: after a mismatch the caller must not be able to carry on and
	 * have later pieces released as if the stream were still trusted. */
	if (v->failed != 0)
		return v->failed;
	if (data == NULL && len != 0)
		return fail(v, FWS_EUSAGE);
	/* Invariants a caller-owned struct might have lost. */
	if (v->offset > v->size || v->in_chunk >= v->chunk_size ||
	    !fws_chunk_size_valid(v->chunk_size))
		return fail(v, FWS_EINTERNAL);
	if (len == 0)
		return 0;
	if (v->offset == v->size)
		return fail(v, FWS_ESIZE); /* more bytes than were signed */

	/* The piece ends at the chunk boundary or at the end of the payload. */
	piece_left = fws_chunk_piece_len(v->size, v->chunk_size, v->index);
	if (piece_left <= v->in_chunk)
		return fail(v, FWS_EINTERNAL); /* index and offset disagree */
	piece_left -= v->in_chunk;
	take = len < piece_left ? len : piece_left;

	fws_sha256_update(&v->hash, data, (size_t)take);
	v->offset += take;
	v->in_chunk += (uint32_t)take;
	*used = (size_t)take;
	if (take < piece_left)
		return 0;

	/* Piece complete: v->index < count because offset <= size, and count was
	 * the length the list was checked for. */
	fws_sha256_final(&v->hash, digest);
	if (!entry_matches(v->list, v->index, digest)) {
		ret = fail(v, FWS_EDIGEST);
		goto out;
	}
	v->index++;
	v->in_chunk = 0;
	fws_sha256_init(&v->hash);
	ret = 1;
out:
	sodium_memzero(digest, sizeof digest);
	return ret;
}

int fws_chunk_verifier_final(const struct fws_chunk_verifier *v)
{
	uint64_t n = 0;

	if (v == NULL)
		return FWS_EUSAGE;
	if (v->failed != 0)
		return v->failed;
	if (fws_chunk_count(v->size, v->chunk_size, &n) != 0)
		return FWS_EINTERNAL;
	/* Short payload: some pieces were never checked, so the payload is not
	 * the signed one even if every byte received so far matched. */
	if (v->offset != v->size || v->in_chunk != 0 || v->index != n)
		return FWS_ESIZE;
	return 0;
}
