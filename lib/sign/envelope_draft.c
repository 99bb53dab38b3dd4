/* SPDX-License-Identifier: Apache-2.0 */
/* Draft envelopes: a root still collecting its signatures, with none yet
 * (docs/decisions.md ADR-020). Signing side only: the device library has
 * no entry point that reads or writes an envelope without a signature. */
#include "bundle/envelope_internal.h"
#include "fwseal/keys.h"

int fws_envelope_decode_draft(const uint8_t *json, size_t len, struct fws_envelope *env)
{
	return fws_envelope_decode_sigs(json, len, 0, env);
}

int fws_envelope_encode_draft(const struct fws_envelope *env, char **out, size_t *out_len)
{
	return fws_envelope_encode_sigs(env, 0, out, out_len);
}
