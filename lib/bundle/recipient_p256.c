/* SPDX-License-Identifier: Apache-2.0 */
/* The P-256 recipient type (stanza "fwseal-p256", docs/format.md §15.3,
 * ADR-066): keys held in an HSM, a TPM or a secure element, which have no
 * X25519. The construction is in p256.c. */
#include <string.h>

#include "bundle/age_internal.h"
#include "bundle/p256.h"
#include "fwseal/error.h"
#include "io/io.h"

_Static_assert(FWS_P256_POINT_BYTES <= FWS_RECIPIENT_KEY_MAX, "a P-256 point fits a recipient");
_Static_assert(FWS_P256_RECIPIENT_LEN <= FWS_RECIPIENT_TEXT_MAX, "a P-256 recipient fits");

static int p256_parse(const char *text, struct fws_recipient *out)
{
	uint8_t pk[FWS_P256_POINT_BYTES];
	int rc = fws_p256_recipient_parse(text, pk);

	if (rc != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	memcpy(out->key, pk, sizeof pk);
	out->key_len = sizeof pk;
	return 0;
}

static int p256_wrap(const struct fws_recipient *r, const uint8_t file_key[FWS_FILE_KEY_LEN],
		     char args_buf[FWS_STANZA_LINE_MAX], struct fws_stanza *out,
		     uint8_t body_buf[FWS_STANZA_BODY_MAX])
{
	uint8_t eph[FWS_P256_POINT_BYTES];
	int rc;

	if (r->key_len != FWS_P256_POINT_BYTES)
		return FWS_EUSAGE;
	if ((rc = fws_p256_wrap(r->key, file_key, eph, body_buf)) != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	fws_b64raw_encode(eph, sizeof eph, args_buf);
	out->type = FWS_P256_TYPE;
	out->args[0] = args_buf;
	out->n_args = 1;
	out->body = body_buf;
	out->body_len = FWS_P256_BODY_BYTES;
	return 0;
}

const struct fws_recipient_type fws_recipient_p256 = {"p256", FWS_P256_TYPE,
						       FWS_P256_RECIPIENT_PREFIX, p256_parse,
						       p256_wrap};
