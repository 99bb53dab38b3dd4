/* SPDX-License-Identifier: Apache-2.0 */
/* Slot writers: where verified payload bytes go. A device has two slot
 * sets, 'a' and 'b'; install writes the set that is neither confirmed nor
 * running. The writer only ever sees bytes of chunks whose digest matched. */
#ifndef FWSEAL_SLOT_H
#define FWSEAL_SLOT_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/manifest.h"

struct fws_slot_writer {
	void *ctx;
	/* Non-zero when write() overwrites the slot itself (a raw partition)
	 * rather than staging what commit() moves into place: the device then
	 * marks the set empty in its state before the first byte, so a crash
	 * or refusal mid-stream never leaves a set the state calls valid
	 * holding half of two images. */
	int in_place;
	/* Optional: called once the manifest is verified, before the state
	 * changes: checks that `set` can be written at all (a slot that is a
	 * link, a mounted partition, ...) so an install that cannot complete
	 * is refused before it costs the set its image. */
	int (*prepare)(void *ctx, char set, const struct fws_manifest *m);
	/* Opens the payload's slot in `set`. It must not change the slot
	 * (no truncation, no erase): a bundle refused before its first
	 * verified chunk leaves the set as it was (ADR-033). */
	int (*open)(void *ctx, char set, const struct fws_payload *p);
	int (*write)(void *ctx, const uint8_t *data, size_t len);
	int (*close)(void *ctx);
	/* Optional: re-reads what was written to the payload's slot into buf
	 * (offset, len), so the device re-hashes every chunk before the set
	 * may boot (block devices: catches a write the medium lost). */
	int (*read_back)(void *ctx, char set, const struct fws_payload *p, uint64_t offset,
			 uint8_t *buf, size_t len);
	/* Makes the set's payloads current, after the whole bundle verified. */
	int (*commit)(void *ctx, char set);
	/* Removes everything not committed. */
	void (*discard)(void *ctx, char set);
	/* Optional: removes what interrupted installs left behind (staging
	 * files); called under the device lock by every changing operation. */
	int (*cleanup)(void *ctx);
	/* Optional (delta, docs/delta.md): reads what set's slot of class
	 * `target` holds now (not what an install is staging), from offset:
	 * returns the bytes read (fewer, or 0, at its end) or a negative
	 * FWS_E* code (FWS_ENOENT: the set has no such slot). Read only. */
	long long (*read_slot)(void *ctx, char set, const char *target, uint64_t offset,
			       uint8_t *buf, size_t len);
};

#endif
