/* SPDX-License-Identifier: Apache-2.0 */
/* Delta installs of encrypted bundles (ADR-064, ADR-087, docs/encryption.md
 * §5). The planner (delta_blocks.c) plans on a plaintext view of the
 * release, with the keyed block index the bundle carries encrypted
 * (plain/<name>); this map translates between the real stream, whose
 * payloads are ciphertext, and that view: the planner's Range fetches of
 * absent blocks become fetches of their ciphertext, and a chunk it
 * assembles is re-encrypted for its position (payload key, STREAM
 * counters) and must hash to its signed ciphertext digest before it is
 * handed to the verifier (which checks it again). For a plaintext bundle
 * it passes everything through. Internal to lib/device. */
#ifndef FWSEAL_DEVICE_DELTA_ENCRYPTED_H
#define FWSEAL_DEVICE_DELTA_ENCRYPTED_H

#include "device/delta.h"
#include "fwseal/bundle.h"
#include "fwseal/encrypt.h"

struct fws_enc_delta;

/* Stands in front of the planner's map, and of its range fetcher (fetch,
 * read_ctx: the bundle's; may be NULL). NULL when out of memory. */
struct fws_enc_delta *fws_enc_delta_new(struct fws_delta *planner, fws_range_fetch_fn fetch,
					void *read_ctx);
const struct fws_stream_map *fws_enc_delta_map(struct fws_enc_delta *e);
/* An encrypted release's manifest verified: view is the plaintext view the
 * planner was started with. */
int fws_enc_delta_start(struct fws_enc_delta *e, const struct fws_verify_result *view);
/* Payload `index`'s key, nonce, hint key and signed ciphertext chunk list
 * (copied), before the planner gets its block index. */
int fws_enc_delta_ready(struct fws_enc_delta *e, size_t index, const struct fws_payload *p,
			const uint8_t key[32], const uint8_t nonce[FWS_ENC_NONCE_LEN],
			const uint8_t hint_key[32], const uint8_t *cipher_list);
uint64_t fws_enc_delta_refetched(const struct fws_enc_delta *e);
void fws_enc_delta_free(struct fws_enc_delta *e);

#endif
