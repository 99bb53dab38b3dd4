/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal's encryption commands: recipients from the command line and
 * from files, `fwseal encrypt` (re-targeting), and `fwseal-keys generate
 * --type device`. Parsing and reporting only: the decisions are the
 * library's (lib/sign/encrypt_*.c, lib/bundle/age_*.c). */
#include <stdlib.h>
#include <string.h>

#include "enc_cli.h"
#include "fwseal/fwseal.h"
#include "fwseal/key_prompt.h"
#include "fwseal/keys.h"

#define RECIPIENTS_FILE_MAX (64u * 1024 * 1024)

static int add(struct fws_recipient **v, size_t *n, size_t *cap, const char *text,
	       const char *where)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct fws_recipient *nv = realloc(*v, nc * sizeof(**v));
		if (nv == NULL)
			return cli_fail(NULL, FWS_ENOMEM);
		*v = nv;
		*cap = nc;
	}
	fws_diag_clear();
	int rc = fws_recipient_parse(text, &(*v)[*n]);
	if (rc != 0)
		return cli_fail(where, rc);
	(*n)++;
	return 0;
}

/* One recipient per line; '#' comments and empty lines (age's -R format). */
static int add_file(struct fws_recipient **v, size_t *n, size_t *cap, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0, before = *n;
	int rc = fws_file_read_all(path, RECIPIENTS_FILE_MAX, &buf, &len);
	if (rc != 0)
		return cli_fail(path, rc);
	for (char *line = (char *)buf, *next; rc == 0 && line < (char *)buf + len; line = next) {
		next = memchr(line, '\n', len - (size_t)(line - (char *)buf));
		next = next != NULL ? (*next = '\0', next + 1) : (char *)buf + len;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		/* A file name inside a recipients file would read files the
		 * operator did not name: only recipient strings here. */
		if (strncmp(line, "age1", 4) != 0 && strncmp(line, "fwseal-", 7) != 0) {
			fprintf(stderr, "%s: %s: %s: not a recipient (age1...)\n", cli_prog,
				cli_esc(path), cli_esc(line));
			rc = cli_status(FWS_ERECIPIENTS);
			break;
		}
		rc = add(v, n, cap, line, path);
	}
	free(buf);
	if (rc == 0 && *n == before) {
		fprintf(stderr, "%s: %s: holds no recipient\n", cli_prog, cli_esc(path));
		rc = cli_status(FWS_ERECIPIENTS);
	}
	return rc;
}

int enc_cli_recipients(struct cli *c, struct fws_recipient **out, size_t *n)
{
	size_t n_to = 0, n_files = 0, cap = 0;
	const char *const *to = cli_list(c, "to", &n_to);
	const char *const *files = cli_list(c, "recipients-file", &n_files);
	int rc = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; rc == 0 && i < n_to; i++)
		rc = add(out, n, &cap, to[i], to[i]);
	for (size_t i = 0; rc == 0 && i < n_files; i++)
		rc = add_file(out, n, &cap, files[i]);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- fwseal encrypt ---- */

const struct cli_opt enc_encrypt_opts[] = {
    {"identity", CLI_VALUE, "KEY", 1,
     "a key that is a recipient of IN.fwb (e.g. your archive key):\nit opens the bundle's "
     "content key (an X25519 or P-256 key file,\nor a pkcs11: URI)"},
    {"to", CLI_LIST, "RECIPIENT", 0,
     "an age1... or fwseal-p256-1... recipient or a NAME.pub file\n(repeat)"},
    {"recipients-file", CLI_LIST, "FILE", 0, "a file of recipients, one per line"},
    {"root", CLI_VALUE, "FILE", 1, "the root of trust IN.fwb must verify against"},
    {"force", CLI_FLAG, NULL, 0, "replace an existing OUT.fwb (never IN.fwb)"},
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {NULL}};

const int enc_encrypt_codes[] = {
    FWS_ENOENT,	 FWS_ENOMEM,	   FWS_ELIMIT, FWS_EJSON,    FWS_ESCHEMA,   FWS_EENVELOPE,
    FWS_EBADSIG, FWS_EKEYID,	   FWS_EEXPIRED, FWS_EFORMAT, FWS_EENTRY,   FWS_ETRUNCATED,
    FWS_ETRAILING, FWS_ESIZE,	   FWS_EDIGEST, FWS_EDECOMPRESS, FWS_EEXIST, FWS_ESAMEFILE,
    FWS_ENOSPC,	 FWS_EKEYPERM,	   ENC_CODES,  ENC_TOKEN_CODES, FWS_EUNSAFE, 0};

int enc_run_encrypt(struct cli *c)
{
	const char *in = c->args[0], *outp = c->args[1], *idp = cli_get(c, "identity");
	const char *root_path = cli_get(c, "root");
	const char *inputs[] = {in, idp, root_path};
	struct fws_retarget_opts o = {0};
	struct fws_recipient *r = NULL;
	struct fws_identity *id = NULL;
	struct fws_root *root = malloc(sizeof(*root));
	struct fws_verify_result *res = malloc(sizeof(*res));
	size_t n = 0;
	int64_t now;
	int rc = root == NULL || res == NULL ? cli_fail(NULL, FWS_ENOMEM) : cli_now(&now);
	if (rc == 0)
		rc = enc_cli_recipients(c, &r, &n);
	if (rc == 0 && n == 0)
		rc = cli_usage_error("name the new recipients with --to or --recipients-file");
	if (rc == 0) {
		fws_diag_clear();
		if ((rc = fws_root_load_file(root_path, root, NULL)) != 0)
			rc = cli_fail(root_path, rc);
	}
	if (rc == 0) {
		fws_diag_clear();
		if ((rc = fws_identity_open(idp, &id)) != 0) {
			char *shown = fws_key_ref_shown(idp); /* never the PIN */
			rc = cli_fail(shown != NULL ? shown : "(identity)", rc);
			free(shown);
		}
	}
	if (rc == 0) {
		o = (struct fws_retarget_opts){in,   outp, cli_flag(c, "force"), root, now, id, r, n,
					       inputs, 3};
		fws_diag_clear();
		rc = fws_bundle_retarget(&o, res);
		if (rc != 0)
			rc = cli_fail(rc == FWS_EEXIST || rc == FWS_ESAMEFILE || rc == FWS_ENOSPC ? outp
												  : in,
				      rc);
	}
	if (rc == 0 && c->json) {
		cli_json_set(c, "bundle", json_string(outp));
		cli_json_set(c, "from", json_string(in));
		cli_json_set(c, "recipients", json_integer((json_int_t)n));
	} else if (rc == 0) {
		printf("encrypted %s for %zu recipient(s): %s (%s %s, signatures unchanged)\n",
		       cli_esc(in), n, cli_esc(outp), res->manifest.product, res->manifest.version);
	}
	fws_identity_close(id);
	free(r);
	free(root);
	free(res);
	return rc;
}

/* ---- fwseal-keys generate --type device ---- */

int enc_generate_device(struct cli *c, const char *out)
{
	char recipient[128];
	if (cli_get(c, "kdf") != NULL || cli_get(c, "passphrase-file") != NULL ||
	    cli_get(c, "pkcs11") != NULL)
		return cli_usage_error("--kdf, --passphrase-file and --pkcs11 are for signing keys; "
				       "a device key is read unattended (mode 0600 protects it)");
	fws_diag_clear();
	int rc = fws_device_key_generate(out, recipient, sizeof(recipient));
	if (rc != 0)
		return cli_fail(out, rc);
	if (c->json) {
		cli_json_set(c, "type", json_string("device"));
		cli_json_set(c, "recipient", json_string(recipient));
	} else {
		printf("wrote %s.key (secret, mode 0600: install it on the device only)\n",
		       cli_esc(out));
		printf("wrote %s.pub (recipient)\n", cli_esc(out));
		printf("recipient %s\n", recipient);
	}
	return 0;
}
