/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FMT-003 */
/* Chunk list and streaming chunk verifier: split at every offset, every
 * flipped byte caught in its own chunk, size overrun and short payloads. */
#include <stdio.h>
#include <stdlib.h>

#include "test_core_helpers.h"

TestSuite(chunks, .init = core_setup);

#define CS 4096u
#define PAYLOAD_LEN 12388u

static uint8_t payload[PAYLOAD_LEN];
static uint8_t list[4 * 32];
static uint8_t list_digest[32];

static void load(void)
{
	FILE *f = fopen(VECTORS_DIR "/payload.bin", "rb");
	size_t i, n;

	cr_assert_not_null(f, "cannot open payload.bin");
	n = fread(payload, 1, sizeof payload, f);
	cr_assert_eq(n, PAYLOAD_LEN);
	cr_assert_eq(fgetc(f), EOF, "payload.bin longer than expected");
	fclose(f);
	for (i = 0; i < 4; i++) {
		size_t piece = PAYLOAD_LEN - i * CS < CS ? PAYLOAD_LEN - i * CS : CS;

		fws_sha256(payload + i * CS, piece, list + i * 32);
	}
	fws_sha256(list, sizeof list, list_digest);
	/* Independent known answer: SHA-256 of the chunk list. */
	hex_to(list_digest, 32, "4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698db");
	cr_assert_eq(fws_chunk_list_check(list, sizeof list, PAYLOAD_LEN, CS, list_digest), 0);
}

/* Feeds len bytes, consuming all of them in as many calls as it takes.
 * Counts completed pieces; returns the first error (or 0). */
static int feed(struct fws_chunk_verifier *v, const uint8_t *data, size_t len, size_t *pieces)
{
	size_t used;
	int ret;

	do {
		used = 0;
		ret = fws_chunk_verifier_update(v, data, len, &used);
		if (ret < 0)
			return ret;
		cr_assert_leq(used, len);
		if (ret == 1) {
			(*pieces)++;
			/* A piece ends exactly at a chunk boundary or at the end. */
			cr_assert(v->offset % CS == 0 || v->offset == v->size,
				  "piece ended at %llu", (unsigned long long)v->offset);
		} else {
			cr_assert_eq(used, len, "stopped early without completing a piece");
		}
		data += used;
		len -= used;
	} while (len > 0);
	return 0;
}

Test(chunks, chunk_size_and_count)
{
	uint64_t n = 99;

	cr_assert(fws_chunk_size_valid(4096));
	cr_assert(fws_chunk_size_valid(1u << 20));
	cr_assert(fws_chunk_size_valid(16u << 20));
	cr_assert_not(fws_chunk_size_valid(0));
	cr_assert_not(fws_chunk_size_valid(2048));
	cr_assert_not(fws_chunk_size_valid(4095));
	cr_assert_not(fws_chunk_size_valid(3 * 4096));
	cr_assert_not(fws_chunk_size_valid(32u << 20));
	cr_assert_not(fws_chunk_size_valid(0x80000000u));

	cr_assert_eq(fws_chunk_count(0, CS, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(fws_chunk_count(1, CS, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(fws_chunk_count(CS, CS, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(fws_chunk_count(CS + 1, CS, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(fws_chunk_count(PAYLOAD_LEN, CS, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(fws_chunk_count((uint64_t)FWS_MAX_CHUNKS * CS, CS, &n), 0);
	cr_assert_eq(n, FWS_MAX_CHUNKS);
	cr_assert_eq(fws_chunk_count((uint64_t)FWS_MAX_CHUNKS * CS + 1, CS, &n), FWS_ELIMIT);
	cr_assert_eq(fws_chunk_count(UINT64_MAX, FWS_CHUNK_MAX, &n), FWS_ELIMIT);
	cr_assert_eq(fws_chunk_count(100, 1000, &n), FWS_ESCHEMA);
	cr_assert_eq(fws_chunk_count(100, 0, &n), FWS_ESCHEMA);
}

Test(chunks, whole_payload_in_one_buffer)
{
	struct fws_chunk_verifier v;
	size_t pieces = 0;

	load();
	cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, CS), 0);
	cr_assert_eq(feed(&v, payload, PAYLOAD_LEN, &pieces), 0);
	cr_assert_eq(pieces, 4);
	cr_assert_eq(fws_chunk_verifier_final(&v), 0);
}

Test(chunks, split_in_two_at_every_offset)
{
	struct fws_chunk_verifier v;
	size_t split, pieces;

	load();
	for (split = 0; split <= PAYLOAD_LEN; split++) {
		pieces = 0;
		cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, CS), 0);
		cr_assert_eq(feed(&v, payload, split, &pieces), 0, "split %zu, first part", split);
		cr_assert_eq(pieces, split == PAYLOAD_LEN ? 4 : split / CS, "split %zu", split);
		cr_assert_eq(feed(&v, payload + split, PAYLOAD_LEN - split, &pieces), 0,
			     "split %zu, second part", split);
		cr_assert_eq(pieces, 4, "split %zu", split);
		cr_assert_eq(fws_chunk_verifier_final(&v), 0, "split %zu", split);
	}
}

Test(chunks, one_byte_at_a_time)
{
	struct fws_chunk_verifier v;
	size_t i, used, pieces = 0;
	int ret;

	load();
	cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, CS), 0);
	for (i = 0; i < PAYLOAD_LEN; i++) {
		used = 0;
		ret = fws_chunk_verifier_update(&v, payload + i, 1, &used);
		cr_assert_eq(used, 1);
		/* A piece completes exactly on its last byte, never earlier. */
		if ((i + 1) % CS == 0 || i + 1 == PAYLOAD_LEN) {
			cr_assert_eq(ret, 1, "byte %zu", i);
			pieces++;
		} else {
			cr_assert_eq(ret, 0, "byte %zu", i);
			cr_assert_neq(fws_chunk_verifier_final(&v), 0, "final passed mid-stream");
		}
	}
	cr_assert_eq(pieces, 4);
	cr_assert_eq(fws_chunk_verifier_final(&v), 0);
}

Test(chunks, flipped_byte_caught_in_its_own_chunk)
{
	static uint8_t bad[PAYLOAD_LEN];
	struct fws_chunk_verifier v;
	size_t i, used, pieces;
	const uint8_t *p;
	size_t left;
	int ret;

	load();
	for (i = 0; i < PAYLOAD_LEN; i++) {
		memcpy(bad, payload, PAYLOAD_LEN);
		bad[i] ^= 0x01;
		cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, CS), 0);
		pieces = 0;
		p = bad;
		left = PAYLOAD_LEN;
		for (;;) {
			used = 0;
			ret = fws_chunk_verifier_update(&v, p, left, &used);
			if (ret != 1)
				break;
			pieces++;
			p += used;
			left -= used;
		}
		/* Every chunk before the tampered one passed; the tampered one failed. */
		cr_assert_eq(ret, FWS_EDIGEST, "byte %zu: %d", i, ret);
		cr_assert_eq(pieces, i / CS, "byte %zu caught in the wrong chunk", i);
		/* Sticky: no later call and no final may succeed. */
		cr_assert_eq(fws_chunk_verifier_update(&v, p + used, left - used, &used),
			     FWS_EDIGEST);
		cr_assert_eq(used, 0);
		cr_assert_neq(fws_chunk_verifier_final(&v), 0);
	}
}

Test(chunks, size_overrun_refused)
{
	static uint8_t longer[PAYLOAD_LEN + 1];
	struct fws_chunk_verifier v;
	size_t pieces = 0, used = 0;

	load();
	memcpy(longer, payload, PAYLOAD_LEN);
	longer[PAYLOAD_LEN] = 0x42;
	cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, CS), 0);
	cr_assert_eq(feed(&v, longer, PAYLOAD_LEN + 1, &pieces), FWS_ESIZE);
	cr_assert_eq(pieces, 4);
	cr_assert_eq(fws_chunk_verifier_final(&v), FWS_ESIZE);
	cr_assert_eq(fws_chunk_verifier_update(&v, longer, 0, &used), FWS_ESIZE, "not sticky");
}

Test(chunks, short_payload_refused_at_final)
{
	struct fws_chunk_verifier v;
	size_t pieces = 0;

	load();
	cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, CS), 0);
	cr_assert_eq(feed(&v, payload, PAYLOAD_LEN - 1, &pieces), 0);
	cr_assert_eq(pieces, 3);
	cr_assert_eq(fws_chunk_verifier_final(&v), FWS_ESIZE);

	/* Truncated at a chunk boundary: every piece seen matched, still short. */
	cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, CS), 0);
	pieces = 0;
	cr_assert_eq(feed(&v, payload, 3 * CS, &pieces), 0);
	cr_assert_eq(pieces, 3);
	cr_assert_eq(fws_chunk_verifier_final(&v), FWS_ESIZE);
}

Test(chunks, zero_byte_payload)
{
	struct fws_chunk_verifier v;
	uint8_t empty_digest[32], wrong[32], one = 0;
	size_t used = 7;

	fws_sha256(NULL, 0, empty_digest);
	cr_assert_eq(fws_chunk_list_check(NULL, 0, 0, CS, empty_digest), 0);
	memset(wrong, 0, sizeof wrong);
	cr_assert_eq(fws_chunk_list_check(NULL, 0, 0, CS, wrong), FWS_EDIGEST);
	cr_assert_eq(fws_chunk_list_check(list, 32, 0, CS, empty_digest), FWS_ESIZE);

	cr_assert_eq(fws_chunk_verifier_init(&v, NULL, 0, CS), 0);
	cr_assert_eq(fws_chunk_verifier_update(&v, &one, 0, &used), 0);
	cr_assert_eq(used, 0);
	cr_assert_eq(fws_chunk_verifier_final(&v), 0);
	cr_assert_eq(fws_chunk_verifier_update(&v, &one, 1, &used), FWS_ESIZE);
	cr_assert_eq(fws_chunk_verifier_final(&v), FWS_ESIZE);
}

Test(chunks, exact_multiple_of_chunk_size)
{
	uint8_t l2[2 * 32], d[32];
	struct fws_chunk_verifier v;
	size_t split, pieces;

	load();
	memcpy(l2, list, sizeof l2); /* the first two chunks are full pieces */
	fws_sha256(l2, sizeof l2, d);
	cr_assert_eq(fws_chunk_list_check(l2, sizeof l2, 2 * CS, CS, d), 0);
	cr_assert_eq(fws_chunk_list_check(l2, sizeof l2, 2 * CS + 1, CS, d), FWS_ESIZE);
	for (split = 0; split <= 2 * CS; split += 511) {
		pieces = 0;
		cr_assert_eq(fws_chunk_verifier_init(&v, l2, 2 * CS, CS), 0);
		cr_assert_eq(feed(&v, payload, split, &pieces), 0);
		cr_assert_eq(feed(&v, payload + split, 2 * CS - split, &pieces), 0);
		cr_assert_eq(pieces, 2);
		cr_assert_eq(fws_chunk_verifier_final(&v), 0);
	}
}

Test(chunks, chunk_list_wrong_length_refused)
{
	static uint8_t big[5 * 32];

	load();
	memcpy(big, list, sizeof list);
	cr_assert_eq(fws_chunk_list_check(list, 3 * 32, PAYLOAD_LEN, CS, list_digest), FWS_ESIZE);
	cr_assert_eq(fws_chunk_list_check(list, 4 * 32 - 1, PAYLOAD_LEN, CS, list_digest),
		     FWS_ESIZE);
	cr_assert_eq(fws_chunk_list_check(big, 5 * 32, PAYLOAD_LEN, CS, list_digest), FWS_ESIZE);
	cr_assert_eq(fws_chunk_list_check(list, 0, PAYLOAD_LEN, CS, list_digest), FWS_ESIZE);
	/* The signed size decides the count, not the list. */
	cr_assert_eq(fws_chunk_list_check(list, sizeof list, PAYLOAD_LEN + CS, CS, list_digest),
		     FWS_ESIZE);
	cr_assert_eq(fws_chunk_list_check(list, sizeof list, PAYLOAD_LEN, 8192, list_digest),
		     FWS_ESIZE);
	cr_assert_eq(fws_chunk_list_check(list, sizeof list, PAYLOAD_LEN, 1000, list_digest),
		     FWS_ESCHEMA);
}

Test(chunks, chunk_list_wrong_digest_refused)
{
	uint8_t tampered[sizeof list], digest[32];
	size_t i;

	load();
	for (i = 0; i < sizeof list; i++) {
		memcpy(tampered, list, sizeof list);
		tampered[i] ^= 0x80;
		cr_assert_eq(
		    fws_chunk_list_check(tampered, sizeof tampered, PAYLOAD_LEN, CS, list_digest),
		    FWS_EDIGEST, "list byte %zu", i);
	}
	memcpy(digest, list_digest, 32);
	digest[31] ^= 1;
	cr_assert_eq(fws_chunk_list_check(list, sizeof list, PAYLOAD_LEN, CS, digest), FWS_EDIGEST);
}

Test(chunks, swapped_list_entries_caught)
{
	/* A list whose entries are right but for a different payload order
	 * passes nothing: the signed digest covers the list's order. */
	uint8_t swapped[sizeof list];

	load();
	memcpy(swapped, list, sizeof list);
	memcpy(swapped + 2 * 32, list + 3 * 32, 32);
	memcpy(swapped + 3 * 32, list + 2 * 32, 32);
	cr_assert_eq(fws_chunk_list_check(swapped, sizeof swapped, PAYLOAD_LEN, CS, list_digest),
		     FWS_EDIGEST);
}

Test(chunks, bad_arguments_refused)
{
	struct fws_chunk_verifier v;
	size_t used;

	cr_assert_eq(fws_chunk_verifier_init(&v, NULL, PAYLOAD_LEN, CS), FWS_EUSAGE);
	/* An init that failed leaves a verifier that refuses everything. */
	cr_assert_neq(fws_chunk_verifier_update(&v, payload, 1, &used), 0);
	cr_assert_neq(fws_chunk_verifier_final(&v), 0);
	cr_assert_eq(fws_chunk_verifier_init(&v, list, PAYLOAD_LEN, 100), FWS_ESCHEMA);
	cr_assert_neq(fws_chunk_verifier_final(&v), 0);
	cr_assert_eq(fws_chunk_verifier_init(&v, list, (uint64_t)FWS_MAX_CHUNKS * CS + 1, CS),
		     FWS_ELIMIT);
	cr_assert_neq(fws_chunk_verifier_update(&v, payload, 1, &used), 0);
}

/* ---- the per-chunk rule (fws_chunk_check): what every hashing loop and
 * the hashing pool's workers call ---- */

/* req: REQ-PERF-002 */
Test(chunks, piece_lengths)
{
	cr_assert_eq(fws_chunk_piece_len(PAYLOAD_LEN, CS, 0), CS);
	cr_assert_eq(fws_chunk_piece_len(PAYLOAD_LEN, CS, 2), CS);
	cr_assert_eq(fws_chunk_piece_len(PAYLOAD_LEN, CS, 3), PAYLOAD_LEN - 3 * CS);
	cr_assert_eq(fws_chunk_piece_len(PAYLOAD_LEN, CS, 4), 0, "past the last piece");
	cr_assert_eq(fws_chunk_piece_len(3 * CS, CS, 2), CS, "exact multiple: last piece is whole");
	cr_assert_eq(fws_chunk_piece_len(0, CS, 0), 0, "a 0-byte payload has no piece");
	cr_assert_eq(fws_chunk_piece_len(PAYLOAD_LEN, CS + 1, 0), 0, "invalid chunk size");
	cr_assert_eq(fws_chunk_piece_len(PAYLOAD_LEN, CS, UINT64_MAX), 0);
}

/* req: REQ-PERF-002 */
Test(chunks, check_accepts_every_signed_piece)
{
	load();
	for (uint64_t k = 0; k < 4; k++) {
		size_t len = (size_t)fws_chunk_piece_len(PAYLOAD_LEN, CS, k);
		cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, k, payload + k * CS, len), 0,
			     "piece %llu", (unsigned long long)k);
	}
}

/* req: REQ-PERF-002 */
Test(chunks, check_refuses_a_flipped_byte_in_every_position_of_a_piece)
{
	load();
	/* Every byte of the short last piece, and a sample of a whole one. */
	for (size_t i = 3 * CS; i < PAYLOAD_LEN; i++) {
		payload[i] ^= 0x80;
		cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, 3, payload + 3 * CS,
					     PAYLOAD_LEN - 3 * CS),
			     FWS_EDIGEST, "byte %zu", i);
		payload[i] ^= 0x80;
	}
	for (size_t i = CS; i < 2 * CS; i += 97) {
		payload[i] ^= 1;
		cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, 1, payload + CS, CS), FWS_EDIGEST);
		payload[i] ^= 1;
	}
}

/* req: REQ-PERF-002 */
Test(chunks, check_refuses_a_piece_under_another_index_or_length)
{
	static uint8_t two[2 * CS], two_list[64];
	load();
	/* A valid piece presented as another one (reordering attack); the
	 * vector's first pieces are equal, so two distinct ones here. */
	for (size_t i = 0; i < sizeof two; i++)
		two[i] = (uint8_t)(i < CS ? i % 251 : i % 241);
	fws_chunk_digest(two, CS, two_list);
	fws_chunk_digest(two + CS, CS, two_list + 32);
	cr_assert_eq(fws_chunk_check(two_list, sizeof two, CS, 1, two + CS, CS), 0);
	cr_assert_eq(fws_chunk_check(two_list, sizeof two, CS, 1, two, CS), FWS_EDIGEST);
	cr_assert_eq(fws_chunk_check(two_list, sizeof two, CS, 0, two + CS, CS), FWS_EDIGEST);
	/* A piece one byte short or long: never hashed, refused by length. */
	cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, 0, payload, CS - 1), FWS_ESIZE);
	cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, 3, payload + 3 * CS,
				     PAYLOAD_LEN - 3 * CS + 1),
		     FWS_ESIZE);
	/* An index past the list would read past it. */
	cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, 4, payload, 1), FWS_ESIZE);
	cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, UINT64_MAX / 32, payload, CS),
		     FWS_ESIZE);
	/* An empty piece does not exist. */
	cr_assert_eq(fws_chunk_check(list, 0, CS, 0, payload, 0), FWS_ESIZE);
	cr_assert_eq(fws_chunk_check(NULL, PAYLOAD_LEN, CS, 0, payload, CS), FWS_EUSAGE);
	cr_assert_eq(fws_chunk_check(list, PAYLOAD_LEN, CS, 0, NULL, CS), FWS_EUSAGE);
}

Test(chunks, digest_is_plain_sha256_of_the_piece)
{
	uint8_t d[32], e[32];
	load();
	fws_chunk_digest(payload + 2 * CS, CS, d);
	fws_sha256(payload + 2 * CS, CS, e);
	cr_assert_arr_eq(d, e, 32);
	cr_assert_arr_eq(d, list + 2 * 32, 32);
}
