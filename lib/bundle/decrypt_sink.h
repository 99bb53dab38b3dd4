/* SPDX-License-Identifier: Apache-2.0 */
/* The decrypting sink (ADR-062): stands between the verifier and a
 * device's sink. For a plaintext bundle it passes everything through; for
 * an encrypted one it opens the recipients entry with the device's
 * identity, checks the header MAC and the key commitment before any
 * payload byte, then turns each verified ciphertext piece into plaintext
 * for the inner sink, which sees a plaintext view of the manifest
 * (payload sizes are plaintext sizes) and plaintext chunk digests derived
 * from authenticated decryption for its read-back check. */
#ifndef FWSEAL_BUNDLE_DECRYPT_SINK_H
#define FWSEAL_BUNDLE_DECRYPT_SINK_H

#include "fwseal/bundle.h"
#include "fwseal/encrypt.h"

struct fws_decrypt_sink;

/* identity may be NULL: then an encrypted bundle is refused (FWS_EIDENTITY). */
FWS_API FWS_MUST_CHECK int fws_decrypt_sink_new(const struct fws_identity *identity,
						const struct fws_sink *inner,
						struct fws_decrypt_sink **out);
/* The sink to give fws_bundle_verify. */
FWS_API const struct fws_sink *fws_decrypt_sink_sink(struct fws_decrypt_sink *d);
/* After verification: the file key (for re-targeting), 0 when one was opened. */
FWS_API FWS_MUST_CHECK int fws_decrypt_sink_file_key(const struct fws_decrypt_sink *d,
						     uint8_t file_key[FWS_FILE_KEY_LEN]);
/* Told when an encrypted payload's keys and chunk lists are known, before
 * any of its bytes is read and before the inner sink gets its block index
 * (ADR-064, ADR-087: a delta hashes the slots with the hint key and
 * re-encrypts chunks it holds for their position). The pointers are valid
 * during the call only. */
struct fws_decrypt_observer {
	void *ctx;
	int (*payload_ready)(void *ctx, size_t index, const struct fws_payload *cipher_p,
			     const uint8_t key[32], const uint8_t nonce[FWS_ENC_NONCE_LEN],
			     const uint8_t hint_key[32], const uint8_t *cipher_list);
};
FWS_API void fws_decrypt_sink_observe(struct fws_decrypt_sink *d,
				      const struct fws_decrypt_observer *o);

/* Wipes every key and plaintext buffer. NULL allowed. */
FWS_API void fws_decrypt_sink_free(struct fws_decrypt_sink *d);

#endif
