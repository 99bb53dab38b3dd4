/* SPDX-License-Identifier: Apache-2.0 */
/* A reader that hashes what it passes on: the SHA-256 and byte count of
 * exactly the bytes the verifier read. What a signer states about a
 * bundle file (fwseal channel sign's bundle digest and size,
 * lib/sign/channel_sign.c; fwseal publish's blob digest,
 * tools/cmd_fwseal_publish.c) then comes from the pass that verified it,
 * never from a second read that a swapped file could answer differently
 * (time-of-check/time-of-use). */
#ifndef FWSEAL_BUNDLE_HASHING_READER_H
#define FWSEAL_BUNDLE_HASHING_READER_H

#include <stdint.h>
#include <sys/types.h>

#include "fwseal/bundle.h"
#include "fwseal/sha256.h"

struct fws_hashing_reader {
	fws_read_fn read; /* the reader wrapped (fws_read_fd, fws_read_fd_timed, ...) */
	void *ctx;
	struct fws_sha256 h; /* of the bytes passed on so far */
	uint64_t n;	     /* their count */
};

/* Wraps read/ctx, with the hash started. */
void fws_hashing_reader_init(struct fws_hashing_reader *r, fws_read_fn read, void *ctx);
/* An fws_read_fn (ctx = the struct fws_hashing_reader): the wrapped
 * reader's result, its bytes hashed and counted. */
ssize_t fws_read_hashing(void *ctx, uint8_t *buf, size_t len);

#endif
