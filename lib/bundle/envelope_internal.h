/* SPDX-License-Identifier: Apache-2.0 */
/* The envelope codec with the minimum signature count as a parameter:
 * the bundle layer's public functions ask for at least one signature; the
 * signing side's draft codec (lib/sign/envelope_draft.c) for zero. Hidden:
 * a device library exports no way to read or write an unsigned envelope. */
#ifndef FWSEAL_BUNDLE_ENVELOPE_INTERNAL_H
#define FWSEAL_BUNDLE_ENVELOPE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/envelope.h"

int fws_envelope_decode_sigs(const uint8_t *json, size_t len, size_t min_sigs,
			     struct fws_envelope *env);
int fws_envelope_encode_sigs(const struct fws_envelope *env, size_t min_sigs, char **out,
			     size_t *out_len);

#endif
