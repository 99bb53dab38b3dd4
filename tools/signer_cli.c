/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the key a signing command names (--key, --sign): a key file, a
 * pkcs11: URI or a signer command, through the library's key object. Only
 * fwseal and fwseal-keys link this; the device tool has no signing code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "fwseal/p256_keys.h"
#include "fwseal/signing_key.h"

#define PIN_HINT "PIN; put pin-source=file:/PATH in the URI or set FWSEAL_PKCS11_PIN"

struct prompt_ctx {
	const char *passphrase_file;
	int reported; /* the prompt failed and printed why */
};

static int ask(void *ctx, enum fws_key_secret_kind kind, const char *subject, char **secret,
	       size_t *len)
{
	struct prompt_ctx *p = ctx;
	char prompt[600];
	int rc;

	if (kind == FWS_SECRET_PIN) {
		snprintf(prompt, sizeof prompt, "PIN for %s: ", cli_esc(subject));
		rc = cli_secret_get(NULL, "FWSEAL_PKCS11_PIN", PIN_HINT, prompt, 0, secret, len);
	} else {
		snprintf(prompt, sizeof prompt, "passphrase for %s: ", cli_esc(subject));
		rc = cli_passphrase_get(p->passphrase_file, prompt, 0, secret, len);
	}
	/* The prompt printed why; the CLI must not print a second line. */
	p->reported = rc != 0;
	return rc;
}

static void put(void *ctx, char *secret)
{
	(void)ctx;
	cli_passphrase_free(secret);
}

char *cli_key_shown(const char *ref)
{
	return fws_key_ref_shown(ref != NULL ? ref : "");
}

/* A key that could not be opened or made, reported on one line only: when
 * the prompt failed it has printed why already; otherwise the line names
 * the key as cli_key_shown prints it (never a PIN from the URI). */
static int key_fail(const struct prompt_ctx *pc, const char *ref, int rc)
{
	if (pc->reported)
		return cli_status(rc);
	char *shown = cli_key_shown(ref);
	rc = cli_fail(shown != NULL ? shown : "(key)", rc);
	free(shown);
	return rc;
}

int cli_signer_usage(struct cli *c)
{
	if (cli_get(c, "signer-timeout") != NULL && cli_get(c, "signer-command") == NULL)
		return cli_usage_error("--signer-timeout is only used with --signer-command");
	return 0;
}

int cli_signer_open(struct cli *c, const char *ref, struct fws_signing_key **key)
{
	struct prompt_ctx pc = {cli_get(c, "passphrase-file"), 0};
	struct fws_key_prompt prompt = {ask, put, &pc};
	struct fws_key_open_opts opts = {&prompt, cli_get(c, "signer-command"), 0};
	const char *timeout = cli_get(c, "signer-timeout");
	unsigned long long seconds = 0;
	int rc;

	*key = NULL;
	if ((rc = cli_signer_usage(c)) != 0)
		return rc;
	if (timeout != NULL) {
		if (cli_parse_u64(timeout, FWS_SIGNER_TIMEOUT_MS_MAX / 1000, &seconds) != 0 ||
		    seconds == 0)
			return cli_usage_error("--signer-timeout must be 1 to %u seconds",
					       FWS_SIGNER_TIMEOUT_MS_MAX / 1000);
		opts.signer_timeout_ms = (unsigned)seconds * 1000u;
	}
	fws_diag_clear();
	rc = fws_signing_key_open(ref, &opts, key);
	if (rc == 0) {
		/* A refusal of this key (not a release key...) names it. */
		cli_input_name(FWS_INPUT_KEY, fws_signing_key_name(*key));
		return 0;
	}
	return key_fail(&pc, ref, rc);
}

int cli_token_generate(struct cli *c, const char *uri, uint8_t public_key[32], char **key_uri)
{
	struct prompt_ctx pc = {NULL, 0};
	struct fws_key_prompt prompt = {ask, put, &pc};
	int rc;

	(void)c;
	fws_diag_clear();
	rc = fws_pkcs11_generate(uri, &prompt, public_key, key_uri);
	return rc == 0 ? 0 : key_fail(&pc, uri, rc);
}

int cli_token_generate_p256(struct cli *c, const char *uri, char *recipient, char **key_uri)
{
	struct prompt_ctx pc = {NULL, 0};
	struct fws_key_prompt prompt = {ask, put, &pc};
	int rc;

	(void)c;
	fws_diag_clear();
	rc = fws_pkcs11_generate_p256(uri, &prompt, recipient, key_uri);
	return rc == 0 ? 0 : key_fail(&pc, uri, rc);
}

int cli_p256_recipient_of(struct cli *c, const char *ref, char *recipient)
{
	struct prompt_ctx pc = {NULL, 0};
	struct fws_key_prompt prompt = {ask, put, &pc};
	int rc;

	(void)c;
	fws_diag_clear();
	rc = fws_p256_recipient_of(ref, &prompt, recipient);
	return rc == 0 ? 0 : key_fail(&pc, ref, rc);
}
