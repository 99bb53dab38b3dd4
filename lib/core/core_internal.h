/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared inside lib/core only; not part of the public API (hidden by
 * -fvisibility=hidden, no FWS_API). */
#ifndef FWSEAL_CORE_INTERNAL_H
#define FWSEAL_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Writes the PAE prefix "DSSEv1 <len(type)> <type> <body_len> " for a type of
 * type_len bytes. FWS_ELIMIT if it does not fit in cap. */
int fws__pae_prefix(uint8_t *out, size_t cap, size_t *out_len, const char *type, size_t type_len,
		    uint64_t body_len);

#endif
