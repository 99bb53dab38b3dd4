/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the delta harnesses (fuzz_delta.c, fuzz_delta_encrypted.c):
 * the bytes a seed stands for, and a slot reader over two in-memory slots
 * (set 'a', the running one, and 'b', the one being replaced) that reads
 * as a file slot does: short at its end, nothing past it. */
#ifndef FWSEAL_FUZZ_SLOTS_H
#define FWSEAL_FUZZ_SLOTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* xorshift bytes of a one-byte seed: no period that a block match could
 * confuse with another seed's. */
static inline void fuzz_seed_bytes(uint8_t *out, size_t len, uint8_t seed)
{
	uint32_t x = 0x9e3779b9u ^ seed;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		out[i] = (uint8_t)x;
	}
}

/* fws_slot_writer.read_slot over slot a (set 'a') and slot b (set 'b') of
 * slot_len bytes each. */
static inline long long fuzz_read_slots(const uint8_t *a, const uint8_t *b, size_t slot_len,
					char set, uint64_t off, uint8_t *buf, size_t len)
{
	const uint8_t *s = set == 'b' ? b : a;
	if (off >= slot_len)
		return 0;
	if (len > slot_len - off)
		len = (size_t)(slot_len - off);
	memcpy(buf, s + off, len);
	return (long long)len;
}

#endif
