/* SPDX-License-Identifier: Apache-2.0 */
/* The delta planner of an install (docs/delta.md): which of the new
 * payload's chunks the device already holds, in the running set or in the
 * set being replaced, and a struct fws_stream_map that tells the reader to
 * take those bytes from the slot instead of fetching them. The verifier
 * still hashes every chunk, reused or fetched, before the slot writer sees
 * it. Internal to lib/device. */
#ifndef FWSEAL_DEVICE_DELTA_H
#define FWSEAL_DEVICE_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/bundle.h"
#include "fwseal/device.h"

struct fws_delta;

/* NULL when out of memory. The map is valid until fws_delta_free. fetch
 * (may be NULL) fetches ranges of the bundle from read_ctx: with it, a
 * chunk the slots hold in part is completed block by block. */
struct fws_delta *fws_delta_new(struct fws_device *dev, fws_range_fetch_fn fetch, void *read_ctx);
const struct fws_stream_map *fws_delta_map(struct fws_delta *d);
/* Threads that hash the slots while planning (fws_install_opts.jobs; 0 or
 * 1 = none). The plan is the same for every value. */
void fws_delta_set_jobs(struct fws_delta *d, unsigned jobs);
/* Once the manifest verified: the layout, the set written (to) and the
 * set running (from); a compressed bundle has no offsets to plan with. */
void fws_delta_start(struct fws_delta *d, const struct fws_verify_result *r, char to,
		     char from);
/* Once payload `index`'s chunk list verified: find its chunks in the slots.
 * chunk_list NULL (an encrypted payload, whose signed list is of
 * ciphertext): by its block index only, else nothing is reused. */
int fws_delta_plan(struct fws_delta *d, const struct fws_payload *p, size_t index,
		   const uint8_t *chunk_list);
/* An encrypted release (ADR-087, delta_encrypted.c). The slots are hashed
 * with keyed hints (fws_enc_block_hint under hint_key, which must stay
 * valid while the delta plans), and an assembled chunk k is accepted when
 * check() returns 0 (it re-encrypts it against the signed ciphertext
 * digest) instead of being compared with a plaintext chunk list. The
 * chunk buffer is then locked memory (it holds new plaintext). */
typedef int (*fws_delta_check_fn)(void *ctx, uint64_t k, const uint8_t *chunk, size_t len);
void fws_delta_set_keyed(struct fws_delta *d, const uint8_t *hint_key, fws_delta_check_fn check,
			 void *check_ctx);
/* Replaces the range fetcher (the encrypted layer puts its own in front). */
void fws_delta_set_fetch(struct fws_delta *d, fws_range_fetch_fn fetch, void *read_ctx);
/* The bytes of payload `index`'s block index as they stream (unverified:
 * used only once fws_delta_plan is called for that payload, which the
 * verifier does only after the index matched its signed digest). */
int fws_delta_block_index(struct fws_delta *d, const struct fws_payload *p, size_t index,
			  uint64_t at, const uint8_t *data, size_t len);
/* Chunks assembled from blocks that did not match their digest and were
 * fetched whole instead (a false block match costs only this). */
uint64_t fws_delta_refetched(const struct fws_delta *d);
/* Bytes taken from the slots so far. */
uint64_t fws_delta_reused(const struct fws_delta *d);
void fws_delta_free(struct fws_delta *d);

#endif
