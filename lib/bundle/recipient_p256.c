/* SPDX-License-Identifier: Apache-2.0 */
/* The slot of the P-256 recipient type (stanza "fwseal-p256",
 * docs/format.md §15.3): keys held in an HSM or TPM, which have no
 * X25519. Filled in by the P-256 work (enc-hw); until then a P-256
 * recipient string is refused by name, never skipped. */
#include "bundle/age_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

static int p256_parse(const char *text, struct fws_recipient *out)
{
	(void)out;
	return fws_diag_set(FWS_ERECIPIENTS, 0, text, "P-256 recipients are not built in yet");
}

static int p256_wrap(const struct fws_recipient *r, const uint8_t file_key[FWS_FILE_KEY_LEN],
		     char args_buf[FWS_STANZA_LINE_MAX], struct fws_stanza *out,
		     uint8_t body_buf[FWS_STANZA_BODY_MAX])
{
	(void)r, (void)file_key, (void)args_buf, (void)out, (void)body_buf;
	return FWS_ERECIPIENTS;
}

const struct fws_recipient_type fws_recipient_p256 = {"p256", "fwseal-p256", "fwseal-p256-1",
						       p256_parse, p256_wrap};
