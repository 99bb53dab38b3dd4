/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-keys generate --type device --curve p256 and fwseal-keys recipient: P-256
 * device decryption keys, in a key file or inside a token (docs/hsm.md,
 * "Device decryption keys"; docs/encryption.md). Only fwseal-keys links
 * this. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/keys.h"
#include "fwseal/p256_keys.h"

/* NAME.pub of a token key: the recipient line, as the file generator writes. */
static int write_pub(const char *path, const char *recipient)
{
	char text[FWS_P256_RECIPIENT_TEXT_LEN + 80];
	int n = snprintf(text, sizeof text,
			 "# fwseal P-256 device key (recipient: give it to --to)\n%s\n", recipient);

	return fws_file_write_atomic(path, text, (size_t)n, 0644, FWS_OUT_NEW, NULL, 0);
}

int cli_generate_p256(struct cli *c, const char *out)
{
	const char *curve = cli_get(c, "curve"), *uri = cli_get(c, "pkcs11");
	char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1], path[4200], *key_uri = NULL;
	int rc;

	if (strcmp(curve, "p256") != 0)
		return cli_usage_error("--curve must be p256, not '%s' (signing keys are Ed25519)",
				       cli_esc(curve));
	if (cli_get(c, "kdf") != NULL || cli_get(c, "passphrase-file") != NULL)
		return cli_usage_error("--kdf and --passphrase-file are for signing key files: a "
				       "device key file is opened unattended (mode 0600)");
	if (snprintf(path, sizeof path, "%s.pub", out) >= (int)sizeof path)
		return cli_usage_error("--out is too long");
	/* Checked before anything is made: keys are never replaced. */
	rc = fws_secret_key_check_absent(out);
	if (rc != 0)
		return cli_fail(out, rc);
	if (uri == NULL) {
		rc = fws_p256_key_generate(out, recipient);
		if (rc != 0)
			return cli_fail(out, rc);
	} else {
		rc = cli_token_generate_p256(c, uri, recipient, &key_uri);
		if (rc != 0)
			return rc;
		rc = write_pub(path, recipient);
		if (rc != 0) {
			/* The key exists in the token: say where, or it is lost. */
			rc = cli_fail(path, rc);
			fprintf(stderr, "%s: the new key is in the token as %s (recipient %s)\n",
				cli_prog, key_uri, recipient);
			free(key_uri);
			return rc;
		}
	}
	if (c->json) {
		char key_path[4200];
		cli_json_set(c, "type", json_string("device"));
		snprintf(key_path, sizeof key_path, "%s.key", out);
		if (key_uri != NULL)
			cli_json_set(c, "key_uri", json_string(key_uri));
		else
			cli_json_set(c, "secret_key", json_string(key_path));
		cli_json_set(c, "public_key", json_string(path));
		cli_json_set(c, "recipient", json_string(recipient));
	} else {
		if (key_uri != NULL)
			printf("created %s (in the token: never leaves it)\n", cli_esc(key_uri));
		else
			printf("wrote %s.key (secret: for the device only, mode 0600)\n", cli_esc(out));
		printf("wrote %s (public)\n", cli_esc(path));
		printf("recipient %s\n", recipient);
	}
	free(key_uri);
	return 0;
}

int cli_run_recipient(struct cli *c)
{
	char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1];
	int rc = cli_p256_recipient_of(c, c->args[0], recipient);

	if (rc != 0)
		return rc;
	if (c->json)
		cli_json_set(c, "recipient", json_string(recipient));
	else
		printf("%s\n", recipient);
	return 0;
}
