/* SPDX-License-Identifier: Apache-2.0 */
/* Walking a root chain one link at a time (bundles, signers, fwseal-keys). */
#include "bundle/trust_explain.h"
#include "fwseal/error.h"
#include "fwseal/root.h"

int fws_root_advance(struct fws_root *cur, const uint8_t *json, size_t len,
		     struct fws_envelope *env, struct fws_root *next)
{
	const uint8_t *body;
	size_t body_len;
	int rc = fws_envelope_decode(json, len, env);
	/* Verify before parse: an unsigned root body is never decoded. */
	if (rc == 0)
		rc = fws_explain_signatures(
		    fws_envelope_verify(env, FWS_TYPE_ROOT, cur, FWS_ROLE_ROOT, NULL), NULL,
		    "the next root", env, cur, FWS_ROLE_ROOT);
	if (rc != 0)
		return rc;
	body = fws_envelope_body(env, &body_len);
	rc = fws_root_decode(body, body_len, next);
	if (rc == 0)
		rc = fws_root_check_successor(cur, env, next);
	if (rc == 0)
		*cur = *next;
	return rc;
}
