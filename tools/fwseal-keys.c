/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-keys: create and protect signing keys, and build, rotate,
 * co-sign, verify and show the root of trust. Parsing and output only;
 * every check lives in libfwseal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "enc_cli.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

#define ROOT_CODES CLI_ROOT_CODES
#define SIGNER_CODES CLI_KEY_CODES

static void print_keyid(const char *prefix, const uint8_t keyid[32])
{
	char hex[65];
	fws_hex_encode(hex, keyid, 32);
	printf("%s%s\n", prefix, hex);
}

static int parse_kdf(const char *s, enum fws_kdf_level *out)
{
	static const char *const names[] = {"interactive", "moderate", "sensitive"};
	*out = FWS_KDF_MODERATE;
	if (s == NULL)
		return 0;
	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum fws_kdf_level)i;
			return 0;
		}
	return cli_usage_error("--kdf must be interactive, moderate or sensitive, not '%s'",
			       cli_esc(s));
}

/* ---- generate ---- */

static const struct cli_opt generate_opts[] = {
    {"out", CLI_VALUE, "NAME", 1, "base name: writes NAME.key and NAME.pub (never over files)"},
    {"type", CLI_VALUE, "TYPE", 0,
     "signing (default: an Ed25519 release or root key) or device\n(an X25519 decryption key "
     "pair for encrypted bundles: NAME.key\nan age identity, mode 0600, no passphrase; "
     "NAME.pub its age1...\nrecipient; docs/encryption.md)"},
    {"kdf", CLI_VALUE, "LEVEL", 0,
     "Argon2id cost: interactive (64 MiB), moderate (256 MiB,\nthe default) or sensitive (1 GiB)"},
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the new passphrase from FILE's first line"},
    {"pkcs11", CLI_VALUE, "URI", 0,
     "create the key inside the token URI names (object=LABEL\nrequired) and write only "
     "NAME.pub (docs/hsm.md)"},
    {"curve", CLI_VALUE, "CURVE", 0,
     "with --type device: x25519 (the default) or p256, for a\ndevice key in an HSM, TPM or "
     "secure element (recipient\nfwseal-p256-1...; --pkcs11 makes it in a token)"},
    CLI_JSON_OPT,
    {NULL}};
static const int generate_codes[] = {FWS_EEXIST, FWS_EIO, FWS_ENOENT, FWS_ENOMEM, FWS_ECRYPTO,
				     FWS_ENOSPC, CLI_SIGNER_CODES, FWS_EKEYDERIVE, 0};

/* The key is made inside the token; only its public half reaches disk. */
static int generate_in_token(struct cli *c, const char *out, const char *uri)
{
	uint8_t pk[32], keyid[32];
	char *key_uri = NULL, path[4200];
	if (cli_get(c, "kdf") != NULL || cli_get(c, "passphrase-file") != NULL)
		return cli_usage_error("--kdf and --passphrase-file are for key files, not --pkcs11");
	if (snprintf(path, sizeof path, "%s.pub", out) >= (int)sizeof path)
		return cli_usage_error("--out is too long");
	/* Checked before the token is touched: a key is not made twice. */
	int rc = fws_secret_key_check_absent(out);
	if (rc != 0)
		return cli_fail(out, rc);
	rc = cli_token_generate(c, uri, pk, &key_uri);
	if (rc != 0)
		return rc;
	rc = fws_public_key_save(path, pk);
	if (rc != 0) {
		/* The key exists in the token: say where, or it is lost. */
		char note[600];
		snprintf(note, sizeof(note), "the new key is in the token as %s", cli_esc(key_uri));
		rc = cli_fail_note(path, rc, note);
		free(key_uri);
		return rc;
	}
	fws_keyid(pk, keyid);
	if (c->json) {
		cli_json_set(c, "key_uri", json_string(key_uri));
		cli_json_set(c, "public_key", json_string(path));
		cli_json_set(c, "keyid", cli_json_hex(keyid, 32));
	} else {
		printf("created %s (in the token: never leaves it)\n", cli_esc(key_uri));
		printf("wrote %s (public)\n", cli_esc(path));
		print_keyid("key id ", keyid);
	}
	free(key_uri);
	return 0;
}

static int run_generate(struct cli *c)
{
	const char *out = cli_get(c, "out");
	struct fws_secret_key *key = NULL;
	enum fws_kdf_level level;
	uint8_t pk[32], keyid[32];
	char *pass = NULL;
	size_t pass_len = 0;
	const char *type = cli_get(c, "type"), *curve = cli_get(c, "curve");
	if (type != NULL && strcmp(type, "device") != 0 && strcmp(type, "signing") != 0)
		return cli_usage_error("--type must be signing or device");
	if (curve != NULL && (type == NULL || strcmp(type, "device") != 0))
		return cli_usage_error("--curve is for device keys (--type device --curve p256); "
				       "signing keys are Ed25519");
	if (curve != NULL && strcmp(curve, "x25519") != 0)
		return cli_generate_p256(c, out);
	if (type != NULL && strcmp(type, "device") == 0)
		return enc_generate_device(c, out);
	if (cli_get(c, "pkcs11") != NULL)
		return generate_in_token(c, out, cli_get(c, "pkcs11"));
	int rc = parse_kdf(cli_get(c, "kdf"), &level);
	if (rc != 0)
		return rc;
	/* Before anyone types a passphrase: existing files are never replaced
	 * (a secret key cannot be made again), whatever else is asked. */
	rc = fws_secret_key_check_absent(out);
	if (rc != 0)
		return cli_fail(out, rc);
	rc = cli_passphrase_get(cli_get(c, "passphrase-file"), "new passphrase: ", 1, &pass,
				&pass_len);
	if (rc != 0)
		return cli_status(rc);
	rc = fws_secret_key_generate(&key);
	if (rc == 0)
		rc = fws_secret_key_save(key, out, pass, pass_len, level);
	cli_passphrase_free(pass);
	if (rc != 0) {
		fws_secret_key_free(key);
		return cli_fail(out, rc);
	}
	fws_secret_key_public(key, pk, keyid);
	fws_secret_key_free(key);
	if (c->json) {
		char path[4200];
		snprintf(path, sizeof(path), "%s.key", out);
		cli_json_set(c, "secret_key", json_string(path));
		snprintf(path, sizeof(path), "%s.pub", out);
		cli_json_set(c, "public_key", json_string(path));
		cli_json_set(c, "keyid", cli_json_hex(keyid, 32));
	} else {
		printf("wrote %s.key (secret, passphrase-protected, mode 0600)\n", cli_esc(out));
		printf("wrote %s.pub (public)\n", cli_esc(out));
		print_keyid("key id ", keyid);
	}
	return 0;
}

/* ---- pkcs11 list ---- */

static const struct cli_opt p11list_opts[] = {
    CLI_JSON_OPT, {NULL}};
static const int p11list_codes[] = {FWS_EPKCS11, FWS_ENOMEM, 0};

static void list_entry(void *ctx, const struct fws_pkcs11_entry *e)
{
	struct cli *c = ctx;
	char hex[65], keyid_hex[65];
	uint8_t keyid[32];
	if (e->ed25519) {
		fws_keyid(e->public_key, keyid);
		fws_hex_encode(keyid_hex, keyid, 32);
		fws_hex_encode(hex, e->public_key, 32);
	}
	if (c->json) {
		json_t *a = c->out != NULL ? json_object_get(c->out, "entries") : NULL;
		if (a == NULL) {
			cli_json_set(c, "entries", json_array());
			a = c->out != NULL ? json_object_get(c->out, "entries") : NULL;
			if (a == NULL)
				return;
		}
		json_t *o = json_object();
		json_object_set_new(o, "module", json_string(e->module));
		json_object_set_new(o, "token", json_string(e->token_label));
		json_object_set_new(o, "serial", json_string(e->token_serial));
		json_object_set_new(o, "key_uri", cli_json_str(e->key_uri));
		json_object_set_new(o, "ed25519", json_boolean(e->ed25519));
		json_object_set_new(o, "keyid", e->ed25519 ? json_string(keyid_hex) : json_null());
		json_array_append_new(a, o);
		return;
	}
	if (e->key_uri == NULL)
		printf("token '%s' serial %s (%s)\n", cli_esc(e->token_label),
		       cli_esc(e->token_serial), cli_esc(e->module));
	else if (e->ed25519)
		printf("  %s\n    ed25519 key id %s\n", cli_esc(e->key_uri), keyid_hex);
	else
		printf("  %s\n    not Ed25519: fwseal cannot sign with it\n", cli_esc(e->key_uri));
}

static int run_pkcs11_list(struct cli *c)
{
	const char *module = c->n_args > 0 ? c->args[0] : NULL;
	fws_diag_clear();
	int rc = fws_pkcs11_list(module, list_entry, c);
	return rc == 0 ? 0 : cli_fail(module, rc);
}

/* ---- fingerprint ---- */

static const struct cli_opt fingerprint_opts[] = {
    CLI_JSON_OPT, {NULL}};
static const int fingerprint_codes[] = {FWS_ENOENT, FWS_EIO, FWS_EKEYFILE, FWS_EKEYID, 0};

static int run_fingerprint(struct cli *c)
{
	uint8_t pk[32], keyid[32];
	int is_secret = 0;
	int rc = fws_key_file_public(c->args[0], pk, keyid, &is_secret);
	if (rc != 0)
		return cli_fail(c->args[0], rc);
	if (c->json) {
		cli_json_set(c, "file", json_string(c->args[0]));
		cli_json_set(c, "kind", json_string(is_secret ? "secret" : "public"));
		cli_json_set(c, "keyid", cli_json_hex(keyid, 32));
	} else {
		print_keyid("", keyid);
	}
	return 0;
}

/* ---- change-passphrase ---- */

static const struct cli_opt change_opts[] = {
    {"key", CLI_VALUE, "NAME.key", 1, "the secret key file, re-encrypted in place"},
    {"passphrase-file", CLI_VALUE, "OLD", 0, "read the current passphrase from OLD"},
    {"new-passphrase-file", CLI_VALUE, "NEW", 0, "read the new passphrase from NEW"},
    {"kdf", CLI_VALUE, "LEVEL", 0, "interactive, moderate (default) or sensitive"},
    CLI_JSON_OPT,
    {NULL}};
static const int change_codes[] = {FWS_ENOENT, FWS_EIO,	    FWS_EKEYFILE, FWS_EKEYPERM,
				   FWS_EPASSPHRASE, FWS_ELIMIT, FWS_ESAMEFILE, FWS_ENOSPC, 0};

static int run_change_passphrase(struct cli *c)
{
	const char *keyfile = cli_get(c, "key"), *passfile = cli_get(c, "passphrase-file");
	const char *newfile = cli_get(c, "new-passphrase-file");
	const char *inputs[] = {passfile, newfile};
	char *old = NULL, *new = NULL;
	size_t old_len = 0, new_len = 0;
	enum fws_kdf_level level;
	uint8_t pk[32], keyid[32];
	int is_secret = 0;
	if (fws_key_ref_is_pkcs11(keyfile))
		return cli_usage_error("a token key has no passphrase: its PIN is changed with the "
				       "token's own tools");
	int rc = parse_kdf(cli_get(c, "kdf"), &level);
	if (rc != 0)
		return rc;
	/* FWSEAL_PASSPHRASE holds the current passphrase; reusing it as the new
	 * one would "change" the passphrase to itself without anyone noticing. */
	if (newfile == NULL && getenv("FWSEAL_PASSPHRASE") != NULL)
		return cli_usage_error("FWSEAL_PASSPHRASE is set; give the new passphrase with "
				       "--new-passphrase-file");
	/* A wrong kind of file is reported before anyone types a passphrase. */
	rc = fws_key_file_public(keyfile, pk, keyid, &is_secret);
	if (rc == 0 && !is_secret)
		rc = FWS_EKEYFILE;
	if (rc != 0)
		return cli_fail(keyfile, rc);
	rc = cli_passphrase_get(passfile, "current passphrase: ", 0, &old, &old_len);
	if (rc == 0)
		rc = cli_passphrase_get(newfile, "new passphrase: ", 1, &new, &new_len);
	if (rc != 0) {
		rc = cli_status(rc);
	} else {
		rc = fws_secret_key_change_passphrase(keyfile, old, old_len, new, new_len, level,
						      inputs, 2);
		if (rc != 0)
			rc = cli_fail(keyfile, rc);
	}
	cli_passphrase_free(old);
	cli_passphrase_free(new);
	if (rc == 0 && c->json) {
		cli_json_set(c, "key", json_string(keyfile));
		cli_json_set(c, "keyid", cli_json_hex(keyid, 32));
	} else if (rc == 0) {
		printf("%s: passphrase changed\n", cli_esc(keyfile));
		print_keyid("key id ", keyid);
	}
	return rc;
}

/* ---- root: shared output ---- */

static const char *role_name(enum fws_role_id id)
{
	return id == FWS_ROLE_ROOT ? "root" : id == FWS_ROLE_RELEASE ? "release" : "timestamp";
}

static void print_role(const struct fws_root *root, enum fws_role_id id)
{
	const struct fws_role *role = &root->roles[id];
	if (id == FWS_ROLE_TIMESTAMP && role->n_keyids == 0)
		return; /* optional: a root without channels */
	printf("role %s: threshold %u of %zu\n", role_name(id), (unsigned)role->threshold,
	       role->n_keyids);
	for (size_t i = 0; i < role->n_keyids; i++)
		print_keyid("  ", role->keyids[i]);
}

static void print_signers(const char *what, const struct fws_signers *s, uint32_t threshold,
			  int rc)
{
	printf("%s: %zu of threshold %u signed%s\n", what, s->n, (unsigned)threshold,
	       rc == 0 ? " (threshold met)" : " (threshold NOT met)");
	for (size_t i = 0; i < s->n; i++)
		print_keyid("  ", s->keyids[i]);
}

/* Which root keys have signed (own role, and the previous root's when
 * given), and what is still missing. */
static void print_status(const char *path, const struct fws_root *root,
			 const struct fws_root *previous, const struct fws_root_status *st)
{
	char what[96];
	snprintf(what, sizeof(what), "root keys of version %llu (this root)",
		 (unsigned long long)root->version);
	print_signers(what, &st->own, root->roles[FWS_ROLE_ROOT].threshold, st->own_rc);
	if (st->has_previous && previous != NULL) {
		snprintf(what, sizeof(what), "root keys of version %llu (previous)",
			 (unsigned long long)st->previous_version);
		if (st->previous_rc == FWS_EROOTVERSION)
			printf("%s: not the previous version of this root\n", what);
		else
			print_signers(what, &st->previous, previous->roles[FWS_ROLE_ROOT].threshold,
				      st->previous_rc);
	} else if (root->version > 1) {
		printf("(give --previous to check the signatures of version %llu's root keys)\n",
		       (unsigned long long)root->version - 1);
	}
	if (st->rc != 0)
		printf("needs more root signatures: fwseal-keys root sign --key R.key%s %s\n",
		       root->version > 1 ? " --previous PREVIOUS.json" : "", cli_esc(path));
}

static json_t *role_json(const struct fws_root *root, enum fws_role_id id)
{
	const struct fws_role *r = &root->roles[id];
	json_t *o = json_object();
	json_object_set_new(o, "threshold", json_integer(r->threshold));
	json_object_set_new(o, "keyids", cli_json_keyids(r->keyids, r->n_keyids));
	return o;
}

/* The root and who signed it, into the --json result. */
static void root_json(struct cli *c, const char *path, const struct fws_root *root,
		      const struct fws_root_status *st)
{
	uint8_t ids[FWS_MAX_KEYS][32];
	for (size_t i = 0; i < root->n_keys; i++)
		memcpy(ids[i], root->keys[i].keyid, 32);
	cli_json_set(c, "file", json_string(path));
	cli_json_set(c, "schema", json_integer(root->schema));
	cli_json_set(c, "version", json_integer((json_int_t)root->version));
	cli_json_set(c, "created", cli_json_time(root->created));
	cli_json_set(c, "expires", cli_json_time(root->expires));
	cli_json_set(c, "keys", cli_json_keyids(ids, root->n_keys));
	json_t *roles = json_object();
	json_object_set_new(roles, "root", role_json(root, FWS_ROLE_ROOT));
	json_object_set_new(roles, "release", role_json(root, FWS_ROLE_RELEASE));
	if (root->roles[FWS_ROLE_TIMESTAMP].n_keyids > 0)
		json_object_set_new(roles, "timestamp", role_json(root, FWS_ROLE_TIMESTAMP));
	cli_json_set(c, "roles", roles);
	if (st == NULL)
		return;
	cli_json_set(c, "signed_by", cli_json_keyids(st->own.keyids, st->own.n));
	cli_json_set(c, "threshold_met", json_boolean(st->own_rc == 0));
	json_t *prev = NULL;
	if (st->has_previous) {
		prev = json_object();
		json_object_set_new(prev, "version", json_integer((json_int_t)st->previous_version));
		json_object_set_new(prev, "signed_by",
				    cli_json_keyids(st->previous.keyids, st->previous.n));
		json_object_set_new(prev, "is_previous_version",
				    json_boolean(st->previous_rc != FWS_EROOTVERSION));
		json_object_set_new(prev, "threshold_met", json_boolean(st->previous_rc == 0));
	}
	cli_json_set(c, "previous", prev);
	cli_json_set(c, "usable", json_boolean(st->rc == 0));
}

static int root_key_allowed(const uint8_t keyid[32], const struct fws_root *root,
			    const struct fws_root *previous)
{
	return fws_root_role_has(root, FWS_ROLE_ROOT, keyid) ||
	       (previous != NULL && fws_root_role_has(previous, FWS_ROLE_ROOT, keyid));
}

/* Opens the key (a file, a pkcs11: URI or a signer command) that must be a
 * root key of root or of previous (may be NULL). A key file's ID is read
 * (no passphrase) and checked first, so nobody types a passphrase for a key
 * that will be refused; a token's key is checked once opened; the library
 * checks again when it signs. */
static int load_root_signer(struct cli *c, const char *path, const struct fws_root *root,
			    const struct fws_root *previous, struct fws_signing_key **key)
{
	uint8_t pk[32], keyid[32], loaded_pk[32], loaded_id[32];
	int is_secret = 0, rc = cli_signer_usage(c);
	if (rc != 0)
		return rc;
	if (!fws_key_ref_is_pkcs11(path) && cli_get(c, "signer-command") == NULL) {
		rc = fws_key_file_public(path, pk, keyid, &is_secret);
		if (rc == 0 && !is_secret)
			rc = FWS_EKEYFILE;
		if (rc == 0 && !root_key_allowed(keyid, root, previous))
			rc = FWS_ENOTAUTHORISED;
		if (rc != 0)
			return cli_fail(path, rc);
	}
	rc = cli_signer_open(c, path, key);
	if (rc != 0)
		return rc;
	/* The file may have been replaced since it was first read. */
	fws_signing_key_public(*key, loaded_pk, loaded_id);
	if (!root_key_allowed(loaded_id, root, previous) ||
	    (is_secret && memcmp(loaded_id, keyid, 32) != 0)) {
		rc = cli_fail(fws_signing_key_name(*key), FWS_ENOTAUTHORISED);
		fws_signing_key_close(*key);
		*key = NULL;
		return rc;
	}
	return 0;
}

static int parse_days(const char *s, uint32_t *out)
{
	unsigned long long days = 0;
	*out = 0; /* the library's default */
	if (s == NULL)
		return 0;
	if (cli_parse_u64(s, FWS_ROOT_EXPIRES_DAYS_MAX, &days) != 0 || days == 0)
		return cli_usage_error("--expires must be a number of days from 1 to %d",
				       FWS_ROOT_EXPIRES_DAYS_MAX);
	*out = (uint32_t)days;
	return 0;
}

static int parse_threshold(const char *s, const char *name, uint32_t *out)
{
	unsigned long long v;
	if (cli_parse_u64(s, UINT32_MAX, &v) != 0)
		return cli_usage_error("--%s must be a number, not '%s'", name, cli_esc(s));
	/* Range (1..keys) is the library's check: fws_root_check. */
	*out = (uint32_t)v;
	return 0;
}

static int edit_add_key(struct fws_root_edit *edit, const char *path, enum fws_role_id role)
{
	uint8_t keyid[32];
	if (edit->n_add == sizeof(edit->add) / sizeof(edit->add[0]))
		return cli_usage_error("too many keys added (at most %d per role)", FWS_MAX_KEYS);
	int rc = fws_public_key_load(path, edit->add[edit->n_add].public_key, keyid);
	if (rc != 0)
		return cli_fail(path, rc);
	edit->add[edit->n_add++].role = role;
	return 0;
}

/* A refused edit, in one line that names the rule. */
static int build_failed(const char *out, int rc)
{
	if (rc == FWS_EUSAGE)
		return cli_usage_error("a key added twice to one role, a key both added and "
				       "removed, or a key ID to remove that is not in the root");
	return cli_fail(out, rc);
}

static void print_written(const char *out, const struct fws_root *root)
{
	char created_s[21] = "?", expires_s[21] = "?";
	if (fws_time_format(root->created, created_s) != 0 ||
	    fws_time_format(root->expires, expires_s) != 0)
		snprintf(created_s, sizeof(created_s), "?");
	printf("wrote %s: root version %llu, created %s, expires %s\n", cli_esc(out),
	       (unsigned long long)root->version, created_s, expires_s);
	print_role(root, FWS_ROLE_ROOT);
	print_role(root, FWS_ROLE_RELEASE);
	print_role(root, FWS_ROLE_TIMESTAMP);
}

/* Writes the built root (signed or draft) and reports it. */
static int write_root(struct cli *c, const char *out, const struct fws_root *root,
		      const struct fws_root *prev, const char *prev_path,
		      const struct fws_signing_key *key, int64_t now, const char *const *inputs,
		      size_t n_inputs, const struct fws_root_edit *edit)
{
	struct fws_root_status st;
	int policy = cli_flag(c, "force") ? FWS_OUT_REPLACE : FWS_OUT_NEW;
	int rc = fws_root_write_new(out, root, prev, key, now, policy, inputs, n_inputs, NULL);
	if (rc == 0)
		rc = fws_root_inspect_file(out, prev_path, NULL, NULL, NULL, &st);
	if (rc != 0)
		return cli_fail(out, rc);
	if (c->json) {
		root_json(c, out, root, &st);
		if (edit != NULL)
			cli_json_set(c, "removed", cli_json_keyids(edit->remove, edit->n_remove));
		return 0;
	}
	print_written(out, root);
	for (size_t i = 0; edit != NULL && i < edit->n_remove; i++)
		print_keyid("removed ", edit->remove[i]);
	print_status(out, root, prev, &st);
	return 0;
}

/* ---- root init ---- */

static const struct cli_opt init_opts[] = {
    {"root-key", CLI_LIST, "R.pub", 1, "a key allowed to sign roots (repeatable, 1-16)"},
    {"release-key", CLI_LIST, "K.pub", 1, "a key allowed to sign releases (repeatable, 1-16)"},
    {"root-threshold", CLI_VALUE, "N", 0, "root signatures required (default 1)"},
    {"release-threshold", CLI_VALUE, "N", 0, "release signatures required (default 1)"},
    {"timestamp-key", CLI_LIST, "T.pub", 0,
     "an online key allowed to sign channels (repeatable;\noptional: docs/fleet.md)"},
    {"timestamp-threshold", CLI_VALUE, "N", 0, "channel signatures required (default 1)"},
    {"sign", CLI_VALUE, "R.key", 1,
     "the secret root key that signs (one of --root-key):\na key file or a pkcs11: URI"},
    {"expires", CLI_VALUE, "DAYS", 0, "validity in days from created (default 365)"},
    {"out", CLI_VALUE, "FILE", 1, "the root to write (must not exist, unless --force)"},
    CLI_FORCE_OPT,
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the passphrase of R.key from FILE"},
    CLI_SIGNER_OPTS,
    CLI_JSON_OPT,
    {NULL}};
static const int init_codes[] = {ROOT_CODES, SIGNER_CODES, FWS_EEXIST, FWS_ESAMEFILE, 0};

static int run_root_init(struct cli *c)
{
	size_t n_root, n_release, n_timestamp;
	const char *const *root_keys = cli_list(c, "root-key", &n_root);
	const char *const *release_keys = cli_list(c, "release-key", &n_release);
	const char *const *timestamp_keys = cli_list(c, "timestamp-key", &n_timestamp);
	const char *out = cli_get(c, "out"), *sign = cli_get(c, "sign");
	const char *inputs[3 * FWS_MAX_KEYS + 2];
	size_t n_inputs = 0;
	struct fws_root_edit *edit = calloc(1, sizeof(*edit));
	struct fws_root *root = calloc(1, sizeof(*root));
	struct fws_signing_key *key = NULL;
	int64_t now;
	int rc = edit == NULL || root == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;
	if (rc == 0 &&
	    (n_root > FWS_MAX_KEYS || n_release > FWS_MAX_KEYS || n_timestamp > FWS_MAX_KEYS))
		rc = cli_usage_error("at most %d keys per role", FWS_MAX_KEYS);
	if (rc == 0 && n_timestamp == 0 && cli_get(c, "timestamp-threshold") != NULL)
		rc = cli_usage_error("--timestamp-threshold needs --timestamp-key");
	if (rc == 0 && cli_get(c, "timestamp-threshold") != NULL) {
		edit->threshold_set[FWS_ROLE_TIMESTAMP] = 1;
		rc = parse_threshold(cli_get(c, "timestamp-threshold"), "timestamp-threshold",
				     &edit->threshold[FWS_ROLE_TIMESTAMP]);
	}
	if (rc == 0)
		rc = parse_days(cli_get(c, "expires"), &edit->expires_days);
	if (rc == 0 && cli_get(c, "root-threshold") != NULL) {
		edit->threshold_set[FWS_ROLE_ROOT] = 1;
		rc = parse_threshold(cli_get(c, "root-threshold"), "root-threshold",
				     &edit->threshold[FWS_ROLE_ROOT]);
	}
	if (rc == 0 && cli_get(c, "release-threshold") != NULL) {
		edit->threshold_set[FWS_ROLE_RELEASE] = 1;
		rc = parse_threshold(cli_get(c, "release-threshold"), "release-threshold",
				     &edit->threshold[FWS_ROLE_RELEASE]);
	}
	for (size_t i = 0; rc == 0 && i < n_root; i++) {
		rc = edit_add_key(edit, root_keys[i], FWS_ROLE_ROOT);
		inputs[n_inputs++] = root_keys[i];
	}
	for (size_t i = 0; rc == 0 && i < n_release; i++) {
		rc = edit_add_key(edit, release_keys[i], FWS_ROLE_RELEASE);
		inputs[n_inputs++] = release_keys[i];
	}
	for (size_t i = 0; rc == 0 && i < n_timestamp; i++) {
		rc = edit_add_key(edit, timestamp_keys[i], FWS_ROLE_TIMESTAMP);
		inputs[n_inputs++] = timestamp_keys[i];
	}
	inputs[n_inputs++] = sign;
	if (rc == 0)
		rc = cli_now(&now);
	if (rc == 0 && (rc = fws_root_build_initial(edit, now, root)) != 0)
		rc = build_failed(out, rc);
	if (rc == 0)
		rc = load_root_signer(c, sign, root, NULL, &key);
	if (rc == 0)
		rc = write_root(c, out, root, NULL, NULL, key, now, inputs, n_inputs, NULL);
	fws_signing_key_close(key);
	free(edit);
	free(root);
	return rc;
}

/* ---- root new ---- */

static const struct cli_opt new_opts[] = {
    {"from", CLI_VALUE, "FILE", 1, "the current root (it may have expired)"},
    {"out", CLI_VALUE, "FILE", 1, "the new root to write (must not exist, unless --force)"},
    {"add-key", CLI_LIST, "K.pub", 0, "add a public key; directly followed by --role"},
    {"role", CLI_LIST, "ROLE", 0, "root, release or timestamp (channels): the role the\n--add-key before it joins"},
    {"remove-key", CLI_LIST, "KEYID", 0,
     "revoke a key from every role: its 64-hex key ID or its\n.pub/.key file (repeatable)"},
    {"threshold", CLI_LIST, "ROLE=N", 0, "set a role's threshold, e.g. root=2 (once per role)"},
    {"expires", CLI_VALUE, "DAYS", 0, "validity in days from now (default 365, max 36500)"},
    {"sign", CLI_VALUE, "R.key", 0,
     "sign it now (else a draft with no signature): a key\nfile or a pkcs11: URI"},
    CLI_FORCE_OPT,
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the passphrase of R.key from FILE"},
    CLI_JSON_OPT,
    {NULL}};
static const int new_codes[] = {ROOT_CODES, SIGNER_CODES, FWS_EEXIST, FWS_ESAMEFILE, 0};

static int parse_role(const char *s, enum fws_role_id *out)
{
	if (strcmp(s, "root") == 0)
		*out = FWS_ROLE_ROOT;
	else if (strcmp(s, "release") == 0)
		*out = FWS_ROLE_RELEASE;
	else if (strcmp(s, "timestamp") == 0)
		*out = FWS_ROLE_TIMESTAMP;
	else
		return cli_usage_error("--role must be root, release or timestamp, not '%s'",
				       cli_esc(s));
	return 0;
}

/* --threshold ROLE=N */
static int parse_role_threshold(const char *s, struct fws_root_edit *edit)
{
	char role_s[16];
	const char *eq = strchr(s, '=');
	enum fws_role_id role;
	size_t n;
	if (eq == NULL || (n = (size_t)(eq - s)) >= sizeof(role_s))
		return cli_usage_error("--threshold must be ROLE=N (root=2, release=1), not '%s'",
				       cli_esc(s));
	memcpy(role_s, s, n);
	role_s[n] = '\0';
	int rc = parse_role(role_s, &role);
	if (rc != 0)
		return rc;
	if (edit->threshold_set[role])
		return cli_usage_error("--threshold %s given twice", role_s);
	edit->threshold_set[role] = 1;
	return parse_threshold(eq + 1, "threshold", &edit->threshold[role]);
}

/* --remove-key takes a key ID (64 hex) or a key file (.pub or .key). */
static int edit_remove_key(struct fws_root_edit *edit, const char *s)
{
	uint8_t pk[32];
	if (edit->n_remove == FWS_MAX_KEYS)
		return cli_usage_error("at most %d --remove-key options", FWS_MAX_KEYS);
	if (strlen(s) == FWS_KEYID_HEX &&
	    fws_hex_decode_exact(edit->remove[edit->n_remove], 32, s) == 0) {
		edit->n_remove++;
		return 0;
	}
	int rc = fws_key_file_public(s, pk, edit->remove[edit->n_remove], NULL);
	if (rc != 0)
		return cli_fail(s, rc);
	edit->n_remove++;
	return 0;
}

/* The order-sensitive options: each --add-key directly followed by --role. */
static int parse_edit(const struct cli *c, struct fws_root_edit *edit)
{
	const char *pending = NULL;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->n_seq; i++) {
		const char *name = c->cmd->opts[c->seq[i].opt].name, *v = c->seq[i].value;
		enum fws_role_id role;
		if (pending != NULL && strcmp(name, "role") != 0)
			return cli_usage_error("--add-key %s needs --role root|release|timestamp right after it",
					       cli_esc(pending));
		if (strcmp(name, "add-key") == 0)
			pending = v;
		else if (strcmp(name, "role") == 0 && pending == NULL)
			rc = cli_usage_error("--role %s must follow an --add-key K.pub", cli_esc(v));
		else if (strcmp(name, "role") == 0 && (rc = parse_role(v, &role)) == 0) {
			rc = edit_add_key(edit, pending, role);
			pending = NULL;
		} else if (strcmp(name, "remove-key") == 0)
			rc = edit_remove_key(edit, v);
		else if (strcmp(name, "threshold") == 0)
			rc = parse_role_threshold(v, edit);
	}
	if (rc == 0 && pending != NULL)
		rc = cli_usage_error("--add-key %s needs --role root|release|timestamp right after it",
				     cli_esc(pending));
	return rc;
}

static int run_root_new(struct cli *c)
{
	const char *from = cli_get(c, "from"), *out = cli_get(c, "out"), *sign = cli_get(c, "sign");
	const char *passfile = cli_get(c, "passphrase-file");
	struct fws_root_edit *edit = calloc(1, sizeof(*edit));
	struct fws_root *prev = calloc(1, sizeof(*prev)), *root = calloc(1, sizeof(*root));
	struct fws_signing_key *key = NULL;
	const char *inputs[FWS_OUT_INPUTS_MAX];
	size_t n_inputs = 0, n_add;
	int64_t now;
	int rc = edit == NULL || prev == NULL || root == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;
	if (rc == 0 && passfile != NULL && sign == NULL)
		rc = cli_usage_error("--passphrase-file is only used with --sign");
	if (rc == 0)
		rc = parse_edit(c, edit);
	if (rc == 0)
		rc = parse_days(cli_get(c, "expires"), &edit->expires_days);
	/* The root being rotated must be one its own root keys signed; its
	 * place in the chain is for `root verify --trusted` to check. */
	if (rc == 0 && (rc = fws_root_load_file(from, prev, NULL)) != 0)
		rc = cli_fail(from, rc);
	if (rc == 0)
		rc = cli_now(&now);
	if (rc == 0 && (rc = fws_root_build_next(prev, edit, now, root)) != 0)
		rc = build_failed(out, rc);
	if (rc == 0 && sign != NULL)
		rc = load_root_signer(c, sign, root, prev, &key);
	const char *const *added = cli_list(c, "add-key", &n_add);
	inputs[n_inputs++] = from;
	inputs[n_inputs++] = sign;
	for (size_t i = 0; i < n_add && n_inputs < FWS_OUT_INPUTS_MAX; i++)
		inputs[n_inputs++] = added[i];
	if (rc == 0)
		rc = write_root(c, out, root, prev, from, key, now, inputs, n_inputs, edit);
	fws_signing_key_close(key);
	free(edit);
	free(prev);
	free(root);
	return rc;
}

/* ---- root sign ---- */

static const struct cli_opt rsign_opts[] = {
    {"key", CLI_VALUE, "R.key", 1,
     "your root key (of this root or of --previous): a key\nfile or a pkcs11: URI"},
    {"previous", CLI_VALUE, "FILE", 0, "the root this one rotates from"},
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the passphrase of R.key from FILE"},
    CLI_SIGNER_OPTS,
    CLI_JSON_OPT,
    {NULL}};
static const int rsign_codes[] = {ROOT_CODES, SIGNER_CODES, FWS_EALREADYSIGNED, FWS_ESAMEFILE,
				  FWS_ENOSPC, 0};

static int run_root_sign(struct cli *c)
{
	const char *keyfile = cli_get(c, "key"), *previous = cli_get(c, "previous");
	const char *path = c->args[0];
	struct fws_root *root = calloc(1, sizeof(*root)), *prev = calloc(1, sizeof(*prev));
	struct fws_root_status st;
	struct fws_signing_key *key = NULL;
	int64_t now;
	int rc = root == NULL || prev == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;
	/* Read first (draft or partly signed) so a refused key is reported
	 * before anyone types a passphrase; the library reads it again. */
	if (rc == 0 && previous != NULL && (rc = fws_root_load_file(previous, prev, NULL)) != 0)
		rc = cli_fail(previous, rc);
	if (rc == 0 && (rc = fws_root_inspect_file(path, previous, root, NULL, prev, &st)) != 0)
		rc = cli_fail(path, rc);
	if (rc == 0)
		rc = load_root_signer(c, keyfile, root, previous != NULL ? prev : NULL, &key);
	if (rc == 0)
		rc = cli_now(&now);
	if (rc == 0 &&
	    (rc = fws_root_sign_file(path, key, previous, now, &keyfile, 1, &st)) != 0)
		rc = cli_fail(path, rc);
	if (rc == 0) {
		uint8_t pk[32], keyid[32];
		fws_signing_key_public(key, pk, keyid);
		if (c->json) {
			root_json(c, path, root, &st);
			cli_json_set(c, "signed_now_by", cli_json_hex(keyid, 32));
		} else {
			print_keyid("signed by ", keyid);
			printf("%s: root version %llu\n", cli_esc(path),
			       (unsigned long long)root->version);
			print_status(path, root, previous != NULL ? prev : NULL, &st);
		}
	}
	fws_signing_key_close(key);
	free(root);
	free(prev);
	return rc;
}

/* ---- root verify ---- */

static const struct cli_opt rverify_opts[] = {
    {"trusted", CLI_VALUE, "FILE", 1, "the root you trust (self-signed)"},
    CLI_JSON_OPT,
    {NULL}};
static const int rverify_codes[] = {ROOT_CODES, 0};

static void print_step(const char *path, const struct fws_root *root,
		       const struct fws_signers *old_s, const struct fws_signers *new_s,
		       uint64_t old_version)
{
	printf("%s: root version %llu\n", cli_esc(path), (unsigned long long)root->version);
	print_role(root, FWS_ROLE_ROOT);
	print_role(root, FWS_ROLE_RELEASE);
	print_role(root, FWS_ROLE_TIMESTAMP);
	if (old_s != NULL) {
		printf("signed by root keys of version %llu:\n", (unsigned long long)old_version);
		for (size_t i = 0; i < old_s->n; i++)
			print_keyid("  ", old_s->keyids[i]);
	}
	printf("signed by root keys of version %llu:\n", (unsigned long long)root->version);
	for (size_t i = 0; i < new_s->n; i++)
		print_keyid("  ", new_s->keyids[i]);
}

static int run_root_verify(struct cli *c)
{
	const char *trusted = cli_get(c, "trusted");
	struct fws_root *cur = calloc(1, sizeof(*cur));
	struct fws_envelope *env = calloc(1, sizeof(*env));
	struct fws_signers old_s, new_s;
	uint64_t trusted_version = 0;
	json_t *chain = json_array();
	int64_t now;
	int rc = cur == NULL || env == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;
	if (rc == 0 && ((rc = fws_root_load_file(trusted, cur, env)) != 0 ||
			(rc = fws_envelope_verify(env, FWS_TYPE_ROOT, cur, FWS_ROLE_ROOT,
						  &new_s)) != 0))
		rc = cli_fail(trusted, rc);
	if (rc == 0) {
		trusted_version = cur->version;
		if (!c->json)
			print_step(trusted, cur, NULL, &new_s, 0);
	}
	for (size_t i = 0; rc == 0 && i < c->n_args; i++) {
		uint64_t old_version = cur->version;
		rc = fws_root_step_file(cur, c->args[i], &old_s, &new_s);
		if (rc != 0) {
			rc = cli_fail(c->args[i], rc);
		} else if (c->json) {
			json_t *e = json_object();
			json_object_set_new(e, "file", json_string(c->args[i]));
			json_object_set_new(e, "version", json_integer((json_int_t)cur->version));
			json_object_set_new(e, "signed_by_previous",
					    cli_json_keyids(old_s.keyids, old_s.n));
			json_object_set_new(e, "signed_by_own", cli_json_keyids(new_s.keyids, new_s.n));
			json_array_append_new(chain, e);
		} else {
			print_step(c->args[i], cur, &old_s, &new_s, old_version);
		}
	}
	if (rc == 0)
		rc = cli_now(&now);
	if (rc == 0 && (rc = fws_root_check_not_expired(cur, now)) != 0)
		rc = cli_fail(c->args[c->n_args - 1], rc);
	if (rc == 0 && c->json) {
		cli_json_set(c, "trusted_version", json_integer((json_int_t)trusted_version));
		cli_json_set(c, "newest_version", json_integer((json_int_t)cur->version));
		cli_json_set(c, "expires", cli_json_time(cur->expires));
		cli_json_set(c, "chain", json_incref(chain));
	} else if (rc == 0) {
		char expires_s[21];
		if (fws_time_format(cur->expires, expires_s) != 0)
			snprintf(expires_s, sizeof(expires_s), "?");
		printf("chain OK: trusted version %llu, newest version %llu, expires %s\n",
		       (unsigned long long)trusted_version, (unsigned long long)cur->version,
		       expires_s);
	}
	json_decref(chain);
	free(cur);
	free(env);
	return rc;
}

/* ---- root show ---- */

static const struct cli_opt rshow_opts[] = {
    {"previous", CLI_VALUE, "FILE", 0, "also check the previous root's signatures"},
    {"json", CLI_FLAG, NULL, 0, "print it as JSON"},
    {NULL}};
static const int rshow_codes[] = {ROOT_CODES, 0};

static int run_root_show(struct cli *c)
{
	const char *path = c->args[0], *previous = cli_get(c, "previous");
	struct fws_root *root = calloc(1, sizeof(*root)), *prev = calloc(1, sizeof(*prev));
	struct fws_root_status st;
	char created[21], expires[21];
	int64_t now;
	int rc = root == NULL || prev == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;
	if (rc == 0 && previous != NULL && (rc = fws_root_load_file(previous, prev, NULL)) != 0)
		rc = cli_fail(previous, rc);
	if (rc == 0) {
		rc = fws_root_inspect_file(path, previous, root, NULL, prev, &st);
		if (rc == 0 && (fws_time_format(root->created, created) != 0 ||
				fws_time_format(root->expires, expires) != 0))
			rc = FWS_ECLOCK;
		if (rc != 0)
			rc = cli_fail(path, rc);
	}
	if (rc == 0 && c->json) {
		root_json(c, path, root, &st);
	} else if (rc == 0) {
		printf("%s: root version %llu (schema %u)\n", cli_esc(path),
		       (unsigned long long)root->version, (unsigned)root->schema);
		/* Informational only: expiry is enforced where roots are used. */
		int expired = cli_now(&now) == 0 && fws_root_check_not_expired(root, now) != 0;
		printf("created %s\nexpires %s%s\nkeys:\n", created, expires,
		       expired ? " (expired)" : "");
		for (size_t i = 0; i < root->n_keys; i++)
			print_keyid("  ed25519 ", root->keys[i].keyid);
		print_role(root, FWS_ROLE_ROOT);
		print_role(root, FWS_ROLE_RELEASE);
		print_role(root, FWS_ROLE_TIMESTAMP);
		print_status(path, root, previous != NULL ? prev : NULL, &st);
	}
	/* A draft or partly signed root is shown, but never reported as good:
	 * scripts that check the exit status must not take it for usable. */
	if (rc == 0 && st.rc != 0)
		rc = cli_fail(path, st.rc);
	free(root);
	free(prev);
	return rc;
}

static const struct cli_opt recipient_opts[] = {
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"}, {NULL}};
static const int recipient_codes[] = {FWS_ENOENT,     FWS_EIO,	   FWS_ENOMEM, FWS_EIDENTITY,
				      FWS_ERECIPIENTS, FWS_EKEYPERM, FWS_EUNSAFE, CLI_SIGNER_CODES,
				      FWS_EKEYDERIVE,  0};

static const struct cli_cmd commands[] = {
    {"generate", "create a new Ed25519 signing key pair",
     "--out NAME [--type TYPE] [--curve CURVE] [--pkcs11 URI] [--kdf LEVEL] [--passphrase-file FILE]",
     "Writes NAME.key (the secret key, encrypted under a passphrase: Argon2id, then\n"
     "XSalsa20-Poly1305; mode 0600) and NAME.pub (the public key, mode 0644) and\n"
     "prints the key ID (hex SHA-256 of the public key). Existing files are never\n"
     "replaced: there is no --force, because a secret key cannot be made again.\n"
     "Keep NAME.key offline and its passphrase apart from it.\n"
     "With --pkcs11 URI the key pair is made inside that token (sensitive, never\n"
     "extractable, allowed to sign only; the PIN from the URI, FWSEAL_PKCS11_PIN or\n"
     "the terminal), signs once as a self-test, and only NAME.pub is written; the\n"
     "key's URI is printed for --key.\n"
     "With --type device --curve p256 it makes a P-256 device decryption key, for a\n"
     "device whose key lives in an HSM, TPM or secure element (no X25519 there):\n"
     "NAME.key (unencrypted, mode 0600: the device opens it unattended) and\n"
     "NAME.pub, or with --pkcs11 inside the token (sensitive, never extractable,\n"
     "allowed to derive only; one ECDH is checked against its public key). The\n"
     "recipient fwseal-p256-1... is printed for --to (docs/encryption.md).",
     generate_opts, 0, 0, generate_codes,
     "fwseal-keys generate --out keys/release1\n"
     "FWSEAL_PASSPHRASE=... fwseal-keys generate --out ci/release --kdf interactive\n"
     "fwseal-keys generate --out keys/release-hsm \\\n"
     "    --pkcs11 'pkcs11:token=release;object=release-2026?pin-source=file:/run/pin'\n"
     "fwseal-keys generate --out dev/unit-17 --type device --curve p256\n"
     "fwseal-keys generate --out dev/unit-17 --type device --curve p256 \\\n"
     "    --pkcs11 'pkcs11:token=unit-17;object=fwseal-decrypt?pin-source=file:/run/pin'",
     run_generate,
     "secret_key, public_key  the files written (key_uri instead of secret_key\n"
     "                 with --pkcs11)\n"
     "keyid            hex SHA-256 of the public key (signing keys)\n"
     "recipient        age1... or fwseal-p256-1... (--type device)"},
    {"recipient", "print the recipient of a P-256 device key", "[--json] KEY",
     "Prints the recipient string (fwseal-p256-1...) of a P-256 device key: a\n"
     "NAME.pub, a NAME.key (mode 0600), or a pkcs11: URI naming a P-256 key in a\n"
     "token, e.g. one made with the token's own tools (the key is opened and one\n"
     "ECDH is checked against its public key; the PIN from the URI,\n"
     "FWSEAL_PKCS11_PIN or the terminal). Give it to pack --encrypt --to or\n"
     "fwseal encrypt --to.",
     recipient_opts, 1, 1, recipient_codes,
     "fwseal-keys recipient dev/unit-17.pub\n"
     "fwseal-keys recipient 'pkcs11:token=unit-17;object=fwseal-decrypt?pin-source=file:/run/pin'",
     cli_run_recipient,
     "recipient        fwseal-p256-1..."},
    {"pkcs11 list", "list PKCS#11 tokens and the keys in them", "[--json] [MODULE]",
     "Prints every initialised token of MODULE (a module path, or a module name\n"
     "registered with p11-kit; default: FWSEAL_PKCS11_MODULE, else all modules\n"
     "registered with p11-kit) and the URI of every public key it shows without a\n"
     "PIN, with the key ID of each Ed25519 key. A URI printed here is what --key,\n"
     "--sign and root sign --key accept (add module-path= when the module is not\n"
     "the default).",
     p11list_opts, 0, 1, p11list_codes,
     "fwseal-keys pkcs11 list /usr/lib/softhsm/libsofthsm2.so\n"
     "fwseal-keys pkcs11 list --json",
     run_pkcs11_list,
     "entries          one per token (key_uri null) and per key: module, token,\n"
     "                 serial, key_uri, ed25519, keyid"},
    {"fingerprint", "print the key ID of a key file", "[--json] FILE",
     "Prints the key ID of a public or secret key file, checking the ID stored in the\n"
     "file against its public key. A secret key is not decrypted: for a .key this\n"
     "proves nothing about the encrypted seed (pack, sign and root commands check\n"
     "that), so fingerprint the .pub you received over a trusted channel.",
     fingerprint_opts, 1, 1, fingerprint_codes, "fwseal-keys fingerprint keys/release1.pub",
     run_fingerprint,
     "file, kind       the file and \"public\" or \"secret\"\n"
     "keyid            hex SHA-256 of the public key"},
    {"change-passphrase", "re-encrypt a secret key under a new passphrase",
     "--key NAME.key [--passphrase-file OLD] [--new-passphrase-file NEW] [--kdf LEVEL]",
     "Decrypts NAME.key and replaces it atomically, in place (mode kept), with the\n"
     "same key under the new passphrase (fresh salt and nonce); the key ID does not\n"
     "change. The current passphrase comes from --passphrase-file, FWSEAL_PASSPHRASE\n"
     "or the terminal; the new one from --new-passphrase-file or the terminal.",
     change_opts, 0, 0, change_codes,
     "fwseal-keys change-passphrase --key keys/release1.key\n"
     "fwseal-keys change-passphrase --key k.key --passphrase-file old.txt \\\n"
     "    --new-passphrase-file new.txt --kdf sensitive",
     run_change_passphrase,
     "key              the key file re-encrypted\n"
     "keyid            hex SHA-256 of its public key (unchanged)"},
    {"root init", "create version 1 of the root of trust",
     "--root-key R.pub... --release-key K.pub... --sign R.key --out FILE [OPTIONS]",
     "Builds a root (schema 1, version 1) listing the keys allowed to sign roots and\n"
     "releases, each role with a threshold (how many distinct keys must sign), signs\n"
     "it with --sign (one of the root keys) and writes --out. 'created' is\n"
     "SOURCE_DATE_EPOCH when set, else now. A threshold of 0 or above the role's key\n"
     "count is refused (exit 35).",
     init_opts, 0, 0, init_codes,
     "fwseal-keys root init --root-key r1.pub --release-key rel1.pub \\\n"
     "    --sign r1.key --out root.json\n"
     "fwseal-keys root init --root-key r1.pub --root-key r2.pub --root-threshold 2 \\\n"
     "    --release-key a.pub --release-key b.pub --sign r1.key --out root.json",
     run_root_init,
     "file, schema, version, created, expires  the root written\n"
     "keys             key ids (hex)\n"
     "roles            {root, release}: {threshold, keyids}\n"
     "signed_by        root keys of this root that signed\n"
     "threshold_met    signed_by meets its own root threshold\n"
     "previous         null (a first root has none)\n"
     "usable           every threshold met"},
    {"root new", "create the next version of the root (rotate, revoke)",
     "--from FILE --out FILE [--add-key K.pub --role ROLE]... [--remove-key KEYID]...\n"
     "    [--threshold ROLE=N]... [--expires DAYS] [--sign R.key] [OPTIONS]",
     "Reads --from (signed by a threshold of its own root keys; it may be expired:\n"
     "rotating away from an expired root is how a fleet recovers) and writes --out:\n"
     "version + 1, created now, removals first, then additions, then thresholds; keys\n"
     "no role uses any more are dropped. Without --sign it is a draft with no\n"
     "signature for root key holders to sign in turn (root sign --previous). It is\n"
     "valid only once signed by a threshold of --from's root keys AND of its own.\n"
     "Refused with exit 2: a key added twice to one role, a key both added and\n"
     "removed, a key ID to remove that is not in --from (a typo must not look like a\n"
     "revocation). Refused with exit 35: a threshold of 0 or above the role's key\n"
     "count, or a role left with no key; a threshold is never lowered for you.",
     new_opts, 0, 0, new_codes,
     "fwseal-keys root new --from root.json --out root-v2.json \\\n"
     "    --add-key rel2.pub --role release --remove-key rel1.pub --sign r1.key",
     run_root_new,
     "file, schema, version, created, expires  the root written\n"
     "keys, roles      as root init\n"
     "removed          key ids revoked\n"
     "signed_by, threshold_met  this root's own root keys that signed\n"
     "previous         {version, signed_by, is_previous_version, threshold_met}\n"
     "usable           both thresholds met"},
    {"root sign", "add your root signature to a root (M-of-N)",
     "--key R.key [--previous FILE] [--passphrase-file FILE] ROOT",
     "Adds your signature to a root (a draft, partly or fully signed) and rewrites it\n"
     "atomically in place. Your key must be a root key of this root or, with\n"
     "--previous, of the root it rotates from. Prints who has signed and what is\n"
     "still missing.",
     rsign_opts, 1, 1, rsign_codes,
     "fwseal-keys root sign --key r2.key --previous root.json root-v2.json", run_root_sign,
     "(the fields of root new, after signing)\n"
     "signed_now_by    key id (hex) of the signature just added"},
    {"root verify", "walk a chain of roots from one you trust",
     "--trusted FILE ROOT... (oldest first)",
     "Checks each root is the previous one's successor, signed by a threshold of the\n"
     "previous version's root keys and of its own, and that the newest has not\n"
     "expired (at SOURCE_DATE_EPOCH or now).",
     rverify_opts, 1, CLI_MAX_ARGS, rverify_codes,
     "fwseal-keys root verify --trusted root.json root-v2.json root-v3.json",
     run_root_verify,
     "trusted_version  the root you trust\n"
     "newest_version   the end of the chain\n"
     "expires          the newest root's expiry\n"
     "chain            [{file, version, signed_by_previous, signed_by_own}]"},
    {"root show", "print a root and who has signed it", "[--json] [--previous FILE] ROOT",
     "Prints a root's keys, roles and thresholds and which root keys signed it. A\n"
     "draft or partly signed root is shown, but the exit status is its unmet\n"
     "threshold's (11, 12 or 13), never 0.",
     rshow_opts, 1, 1, rshow_codes, "fwseal-keys root show --json root.json", run_root_show,
     "file, schema, version, created, expires  the root shown\n"
     "keys, roles      as root init\n"
     "signed_by, threshold_met  this root's own root keys that signed\n"
     "previous         {version, signed_by, is_previous_version, threshold_met}\n"
     "usable           both thresholds met"},
    {NULL}};

static const struct cli_tool tool = {
    "fwseal-keys", "create and protect signing keys and the root of trust",
    "Signing keys are Ed25519; the secret key is kept encrypted under a passphrase.\n"
    "The root of trust says which keys may sign roots and which may sign releases,\n"
    "and how many must agree; new versions rotate and revoke keys. Passphrases come\n"
    "from --passphrase-file, else FWSEAL_PASSPHRASE, else the terminal (echo off).\n"
    "A key may also live in a PKCS#11 token (a pkcs11: URI wherever a key file is\n"
    "accepted) or behind a signer command (--signer-command): docs/hsm.md.",
    commands};

int main(int argc, char **argv)
{
	return cli_main(&tool, argc, argv);
}
