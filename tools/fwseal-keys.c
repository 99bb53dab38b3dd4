/* fwseal-keys: create and protect signing keys, and create the root of trust.
 * Argument parsing and output only; every check lives in libfwseal. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

const char *cli_prog = "fwseal-keys";

/* The last second the RFC 3339 times in our formats can carry. */
#define TIME_MAX 253402300799ll
#define DAY 86400ll
#define EXPIRES_DAYS_DEFAULT 365
#define EXPIRES_DAYS_MAX 36500

/* Options without a short form get values above any character. */
enum {
	OPT_OUT = 256,
	OPT_KDF,
	OPT_PASSFILE,
	OPT_NEWPASSFILE,
	OPT_KEY,
	OPT_ROOT_KEY,
	OPT_RELEASE_KEY,
	OPT_ROOT_THRESHOLD,
	OPT_RELEASE_THRESHOLD,
	OPT_SIGN,
	OPT_EXPIRES,
	OPT_JSON,
};

/* ---- help ---- */

static void help_main(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n"
	    "  fwseal-keys - create and protect fwseal signing keys and the root of trust\n"
	    "\n"
	    "SYNOPSIS\n"
	    "  fwseal-keys generate --out NAME [--kdf LEVEL] [--passphrase-file FILE]\n"
	    "  fwseal-keys fingerprint FILE\n"
	    "  fwseal-keys change-passphrase --key NAME.key [--passphrase-file OLD]\n"
	    "              [--new-passphrase-file NEW] [--kdf LEVEL]\n"
	    "  fwseal-keys root init --root-key R.pub... --release-key K.pub... --sign R.key\n"
	    "              --out root.json [--root-threshold N] [--release-threshold N]\n"
	    "              [--expires DAYS] [--passphrase-file FILE]\n"
	    "  fwseal-keys root sign --key R.key [--passphrase-file FILE] root.json\n"
	    "  fwseal-keys root show [--json] root.json\n"
	    "  fwseal-keys --help | --version\n"
	    "  fwseal-keys COMMAND --help\n"
	    "\n"
	    "DESCRIPTION\n"
	    "  Signing keys are Ed25519. The secret key (NAME.key, mode 0600) holds the\n"
	    "  32-byte seed encrypted under a passphrase (Argon2id, then XSalsa20-Poly1305);\n"
	    "  the public key (NAME.pub) may be shared freely. A key ID is the hex SHA-256\n"
	    "  of the raw public key. The root of trust (root.json) says which keys may\n"
	    "  sign new roots and which may sign releases, and how many must agree.\n"
	    "\n"
	    "PASSPHRASES\n"
	    "  Taken from --passphrase-file (its first line), else the FWSEAL_PASSPHRASE\n"
	    "  environment variable (for CI), else asked on the terminal with echo off\n"
	    "  (twice when a new passphrase is set).\n"
	    "\n"
	    "EXAMPLES\n"
	    "  fwseal-keys generate --out keys/root1\n"
	    "  fwseal-keys generate --out keys/release1 --kdf sensitive\n"
	    "  fwseal-keys root init --root-key keys/root1.pub --release-key keys/release1.pub \\\n"
	    "      --sign keys/root1.key --out root.json\n"
	    "  fwseal-keys root show root.json\n"
	    "\n");
	cli_print_exit_codes(out);
}

static void help_generate(FILE *out)
{
	fprintf(out,
		"NAME\n"
		"  fwseal-keys generate - create a new Ed25519 signing key pair\n"
		"\n"
		"SYNOPSIS\n"
		"  fwseal-keys generate --out NAME [--kdf LEVEL] [--passphrase-file FILE]\n"
		"\n"
		"DESCRIPTION\n"
		"  Writes NAME.key (the secret key, encrypted under a passphrase, mode 0600)\n"
		"  and NAME.pub (the public key, mode 0644) and prints the key ID. Existing\n"
		"  files are never overwritten. Keep NAME.key offline and its passphrase\n"
		"  apart from it.\n"
		"\n"
		"OPTIONS\n"
		"  --out NAME              base name of the two files (required)\n"
		"  --kdf LEVEL             Argon2id cost: interactive (64 MiB), moderate\n"
		"                          (256 MiB, the default) or sensitive (1 GiB)\n"
		"  --passphrase-file FILE  read the new passphrase from FILE's first line\n"
		"  -h, --help              show this help\n"
		"\n"
		"EXAMPLES\n"
		"  fwseal-keys generate --out keys/release1\n"
		"  FWSEAL_PASSPHRASE=... fwseal-keys generate --out ci/release --kdf interactive\n"
		"\n");
	cli_print_exit_codes(out);
}

static void help_fingerprint(FILE *out)
{
	fprintf(out, "NAME\n"
		     "  fwseal-keys fingerprint - print the key ID of a key file\n"
		     "\n"
		     "SYNOPSIS\n"
		     "  fwseal-keys fingerprint FILE\n"
		     "\n"
		     "DESCRIPTION\n"
		     "  Prints the key ID (hex SHA-256 of the public key) of a public key file or\n"
		     "  of a secret key file. A secret key is not decrypted, so no passphrase is\n"
		     "  needed. The key ID stored in the file is checked against its public key.\n"
		     "\n"
		     "OPTIONS\n"
		     "  -h, --help  show this help\n"
		     "\n"
		     "EXAMPLES\n"
		     "  fwseal-keys fingerprint keys/release1.pub\n"
		     "  fwseal-keys fingerprint keys/release1.key\n"
		     "\n");
	cli_print_exit_codes(out);
}

static void help_change_passphrase(FILE *out)
{
	fprintf(out,
		"NAME\n"
		"  fwseal-keys change-passphrase - re-encrypt a secret key under a new passphrase\n"
		"\n"
		"SYNOPSIS\n"
		"  fwseal-keys change-passphrase --key NAME.key [--passphrase-file OLD]\n"
		"              [--new-passphrase-file NEW] [--kdf LEVEL]\n"
		"\n"
		"DESCRIPTION\n"
		"  Decrypts NAME.key with the current passphrase and replaces it atomically\n"
		"  with the same key encrypted under the new passphrase (fresh salt and\n"
		"  nonce). The key ID does not change. The current passphrase comes from\n"
		"  --passphrase-file, FWSEAL_PASSPHRASE or the terminal; the new one from\n"
		"  --new-passphrase-file or the terminal (never from FWSEAL_PASSPHRASE).\n"
		"\n"
		"OPTIONS\n"
		"  --key NAME.key              the secret key file (required)\n"
		"  --passphrase-file OLD       read the current passphrase from OLD\n"
		"  --new-passphrase-file NEW   read the new passphrase from NEW\n"
		"  --kdf LEVEL                 interactive, moderate (default) or sensitive\n"
		"  -h, --help                  show this help\n"
		"\n"
		"EXAMPLES\n"
		"  fwseal-keys change-passphrase --key keys/release1.key\n"
		"  fwseal-keys change-passphrase --key k.key --passphrase-file old.txt \\\n"
		"      --new-passphrase-file new.txt --kdf sensitive\n"
		"\n");
	cli_print_exit_codes(out);
}

static void help_root(FILE *out)
{
	fprintf(out,
		"NAME\n"
		"  fwseal-keys root - create, co-sign and show the root of trust\n"
		"\n"
		"SYNOPSIS\n"
		"  fwseal-keys root init --root-key R.pub... --release-key K.pub... --sign R.key\n"
		"              --out root.json [--root-threshold N] [--release-threshold N]\n"
		"              [--expires DAYS] [--passphrase-file FILE]\n"
		"  fwseal-keys root sign --key R.key [--passphrase-file FILE] root.json\n"
		"  fwseal-keys root show [--json] root.json\n"
		"\n"
		"DESCRIPTION\n"
		"  A root lists the keys allowed to sign roots (role root) and releases (role\n"
		"  release), each role with a threshold: how many distinct keys of the role\n"
		"  must sign. 'init' creates version 1 signed by one root key; when the root\n"
		"  threshold is above 1 the other root key holders add their signatures with\n"
		"  'sign'. 'show' prints a root after checking its own root signatures.\n"
		"  See 'fwseal-keys root init --help' and 'fwseal-keys root show --help'.\n"
		"\n");
	cli_print_exit_codes(out);
}

static void help_root_init(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n"
	    "  fwseal-keys root init - create version 1 of the root of trust\n"
	    "\n"
	    "SYNOPSIS\n"
	    "  fwseal-keys root init --root-key R.pub [--root-key R2.pub ...]\n"
	    "              --release-key K.pub [--release-key K2.pub ...] --sign R.key\n"
	    "              --out root.json [--root-threshold N] [--release-threshold N]\n"
	    "              [--expires DAYS] [--passphrase-file FILE]\n"
	    "\n"
	    "DESCRIPTION\n"
	    "  Builds a root (schema 1, version 1) from the given public keys, signs it\n"
	    "  with --sign (which must be one of the root keys) and writes it to --out,\n"
	    "  which must not exist. 'created' is SOURCE_DATE_EPOCH when set, else now.\n"
	    "  Prints the key IDs and thresholds.\n"
	    "\n"
	    "OPTIONS\n"
	    "  --root-key R.pub          a key allowed to sign roots (repeatable, 1-%d)\n"
	    "  --release-key K.pub       a key allowed to sign releases (repeatable, 1-%d)\n"
	    "  --root-threshold N        root signatures required (default 1)\n"
	    "  --release-threshold N     release signatures required (default 1)\n"
	    "  --sign R.key              the secret root key that signs (required)\n"
	    "  --expires DAYS            validity in days from created (default %d)\n"
	    "  --passphrase-file FILE    read the passphrase of R.key from FILE\n"
	    "  --out root.json           the root to write (required)\n"
	    "  -h, --help                show this help\n"
	    "\n"
	    "EXAMPLES\n"
	    "  fwseal-keys root init --root-key r1.pub --release-key rel1.pub \\\n"
	    "      --sign r1.key --out root.json\n"
	    "  fwseal-keys root init --root-key r1.pub --root-key r2.pub --root-threshold 2 \\\n"
	    "      --release-key a.pub --release-key b.pub --sign r1.key --out root.json\n"
	    "  fwseal-keys root sign --key r2.key root.json\n"
	    "\n",
	    FWS_MAX_KEYS, FWS_MAX_KEYS, EXPIRES_DAYS_DEFAULT);
	cli_print_exit_codes(out);
}

static void help_root_sign(FILE *out)
{
	fprintf(out, "NAME\n"
		     "  fwseal-keys root sign - add a root key's signature to a root\n"
		     "\n"
		     "SYNOPSIS\n"
		     "  fwseal-keys root sign --key R.key [--passphrase-file FILE] root.json\n"
		     "\n"
		     "DESCRIPTION\n"
		     "  Adds a signature by R.key, which must be in the root's root role, and\n"
		     "  rewrites root.json atomically. Used when the root threshold is above 1.\n"
		     "  A key that already signed is refused.\n"
		     "\n"
		     "OPTIONS\n"
		     "  --key R.key               the secret root key that signs (required)\n"
		     "  --passphrase-file FILE    read its passphrase from FILE\n"
		     "  -h, --help                show this help\n"
		     "\n"
		     "EXAMPLES\n"
		     "  fwseal-keys root sign --key keys/root2.key root.json\n"
		     "\n");
	cli_print_exit_codes(out);
}

static void help_root_show(FILE *out)
{
	fprintf(out, "NAME\n"
		     "  fwseal-keys root show - print a root of trust\n"
		     "\n"
		     "SYNOPSIS\n"
		     "  fwseal-keys root show [--json] root.json\n"
		     "\n"
		     "DESCRIPTION\n"
		     "  Loads root.json, checks it is signed by a threshold of its own root keys,\n"
		     "  and prints its version, created and expiry times, keys, roles with their\n"
		     "  thresholds, and the root keys that signed it.\n"
		     "\n"
		     "OPTIONS\n"
		     "  --json      print one JSON object with the keys created, expires, keys,\n"
		     "              roles.{root,release}.{keyids,threshold}, schema, signed_by,\n"
		     "              version (sorted keys)\n"
		     "  -h, --help  show this help\n"
		     "\n"
		     "EXAMPLES\n"
		     "  fwseal-keys root show root.json\n"
		     "  fwseal-keys root show --json root.json | jq .roles.release\n"
		     "\n");
	cli_print_exit_codes(out);
}

/* ---- argument helpers ---- */

static int bad_option(int c, char **argv)
{
	if (c == ':')
		return cli_usage_error("option '%s' needs a value", argv[optind - 1]);
	if (optopt > 0 && optopt < 256)
		return cli_usage_error("unknown option '-%c'", optopt);
	return cli_usage_error("unknown option '%s'", argv[optind - 1]);
}

/* A repeated flag is a mistake (which value was meant?), never "last wins". */
static int set_once(const char **slot, const char *value, const char *name)
{
	if (*slot != NULL)
		return cli_usage_error("option --%s given twice", name);
	*slot = value;
	return 0;
}

static int parse_kdf(const char *s, enum fws_kdf_level *out)
{
	if (s == NULL)
		*out = FWS_KDF_MODERATE;
	else if (strcmp(s, "interactive") == 0)
		*out = FWS_KDF_INTERACTIVE;
	else if (strcmp(s, "moderate") == 0)
		*out = FWS_KDF_MODERATE;
	else if (strcmp(s, "sensitive") == 0)
		*out = FWS_KDF_SENSITIVE;
	else
		return cli_usage_error("--kdf must be interactive, moderate or sensitive, not '%s'",
				       s);
	return 0;
}

static char *with_suffix(const char *base, const char *suffix)
{
	size_t len = strlen(base) + strlen(suffix) + 1;
	char *s = malloc(len);

	if (s != NULL)
		snprintf(s, len, "%s%s", base, suffix);
	return s;
}

/* Refuse early, before a passphrase is typed, when an output exists. The
 * library's O_EXCL create is what guarantees it. */
static int check_absent(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return cli_fail(path, FWS_EEXIST);
	return 0;
}

static void print_keyid(FILE *out, const char *prefix, const uint8_t keyid[32])
{
	char hex[2 * 32 + 1];

	fws_hex_encode(hex, keyid, 32);
	fprintf(out, "%s%s\n", prefix, hex);
}

/* ---- generate ---- */

static int cmd_generate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, OPT_OUT},
	    {"kdf", required_argument, NULL, OPT_KDF},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL, *kdf = NULL, *passfile = NULL;
	char *key_path = NULL, *pub_path = NULL, *pass = NULL;
	struct fws_secret_key *key = NULL;
	enum fws_kdf_level level;
	uint8_t pk[32], keyid[32];
	size_t pass_len = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_OUT:
			rc = set_once(&out, optarg, "out");
			break;
		case OPT_KDF:
			rc = set_once(&kdf, optarg, "kdf");
			break;
		case OPT_PASSFILE:
			rc = set_once(&passfile, optarg, "passphrase-file");
			break;
		case 'h':
			help_generate(stdout);
			return 0;
		default:
			return bad_option(c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (optind != argc)
		return cli_usage_error("generate: unexpected argument '%s'", argv[optind]);
	if (out == NULL || out[0] == '\0')
		return cli_usage_error("generate: --out NAME is required");
	rc = parse_kdf(kdf, &level);
	if (rc != 0)
		return rc;

	key_path = with_suffix(out, ".key");
	pub_path = with_suffix(out, ".pub");
	if (key_path == NULL || pub_path == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	rc = check_absent(key_path);
	if (rc == 0)
		rc = check_absent(pub_path);
	if (rc != 0)
		goto out;
	rc = cli_passphrase_get(passfile, "new passphrase: ", 1, &pass, &pass_len);
	if (rc != 0) {
		rc = cli_status(rc);
		goto out;
	}
	rc = fws_secret_key_generate(&key);
	if (rc != 0) {
		rc = cli_fail(NULL, rc);
		goto out;
	}
	rc = fws_secret_key_save(key, out, pass, pass_len, level);
	if (rc != 0) {
		rc = cli_fail(key_path, rc);
		goto out;
	}
	fws_secret_key_public(key, pk, keyid);
	printf("wrote %s (secret, passphrase-protected, mode 0600)\n", key_path);
	printf("wrote %s (public)\n", pub_path);
	print_keyid(stdout, "key id ", keyid);
	rc = 0;
out:
	fws_secret_key_free(key);
	cli_passphrase_free(pass);
	free(key_path);
	free(pub_path);
	return rc;
}

/* ---- fingerprint ---- */

static int cmd_fingerprint(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	uint8_t pk[32], keyid[32];
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			help_fingerprint(stdout);
			return 0;
		}
		return bad_option(c, argv);
	}
	if (argc - optind != 1)
		return cli_usage_error("fingerprint: expected exactly one key file");
	rc = fws_key_file_public(argv[optind], pk, keyid, NULL);
	if (rc != 0)
		return cli_fail(argv[optind], rc);
	print_keyid(stdout, "", keyid);
	return 0;
}

/* ---- change-passphrase ---- */

static int cmd_change_passphrase(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, OPT_KEY},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"new-passphrase-file", required_argument, NULL, OPT_NEWPASSFILE},
	    {"kdf", required_argument, NULL, OPT_KDF},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *keyfile = NULL, *passfile = NULL, *newfile = NULL, *kdf = NULL;
	char *old = NULL, *new = NULL;
	size_t old_len = 0, new_len = 0;
	enum fws_kdf_level level;
	uint8_t pk[32], keyid[32];
	int c, rc, is_secret = 0;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_KEY:
			rc = set_once(&keyfile, optarg, "key");
			break;
		case OPT_PASSFILE:
			rc = set_once(&passfile, optarg, "passphrase-file");
			break;
		case OPT_NEWPASSFILE:
			rc = set_once(&newfile, optarg, "new-passphrase-file");
			break;
		case OPT_KDF:
			rc = set_once(&kdf, optarg, "kdf");
			break;
		case 'h':
			help_change_passphrase(stdout);
			return 0;
		default:
			return bad_option(c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (optind != argc)
		return cli_usage_error("change-passphrase: unexpected argument '%s'", argv[optind]);
	if (keyfile == NULL)
		return cli_usage_error("change-passphrase: --key NAME.key is required");
	rc = parse_kdf(kdf, &level);
	if (rc != 0)
		return rc;
	/* FWSEAL_PASSPHRASE holds the current passphrase; reusing it as the new
	 * one would "change" the passphrase to itself without anyone noticing. */
	if (newfile == NULL && getenv("FWSEAL_PASSPHRASE") != NULL)
		return cli_usage_error("change-passphrase: FWSEAL_PASSPHRASE is set; give the new "
				       "passphrase with --new-passphrase-file");

	/* A wrong kind of file is reported before anyone types a passphrase. */
	rc = fws_key_file_public(keyfile, pk, keyid, &is_secret);
	if (rc == 0 && !is_secret)
		rc = FWS_EKEYFILE;
	if (rc != 0)
		return cli_fail(keyfile, rc);

	rc = cli_passphrase_get(passfile, "current passphrase: ", 0, &old, &old_len);
	if (rc != 0) {
		rc = cli_status(rc);
		goto out;
	}
	rc = cli_passphrase_get(newfile, "new passphrase: ", 1, &new, &new_len);
	if (rc != 0) {
		rc = cli_status(rc);
		goto out;
	}
	rc = fws_secret_key_change_passphrase(keyfile, old, old_len, new, new_len, level);
	if (rc != 0) {
		rc = cli_fail(keyfile, rc);
		goto out;
	}
	printf("%s: passphrase changed\n", keyfile);
	print_keyid(stdout, "key id ", keyid);
	rc = 0;
out:
	cli_passphrase_free(old);
	cli_passphrase_free(new);
	return rc;
}

/* ---- root ---- */

static int role_has(const struct fws_role *role, const uint8_t keyid[32])
{
	for (size_t i = 0; i < role->n_keyids; i++)
		if (memcmp(role->keyids[i], keyid, 32) == 0)
			return 1;
	return 0;
}

/* Loads each public key file into the root's key list (once, even when a
 * key has both roles) and the role's key IDs. */
static int add_role_keys(struct fws_root *root, enum fws_role_id id, const char **paths, size_t n)
{
	struct fws_role *role = &root->roles[id];
	uint8_t pk[32], keyid[32];
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = fws_public_key_load(paths[i], pk, keyid);
		if (rc != 0)
			return cli_fail(paths[i], rc);
		if (role_has(role, keyid))
			return cli_usage_error("%s: key listed twice for the %s role", paths[i],
					       id == FWS_ROLE_ROOT ? "root" : "release");
		memcpy(role->keyids[role->n_keyids++], keyid, 32);
		if (fws_root_find_key(root, keyid) == NULL) {
			if (root->n_keys == FWS_MAX_KEYS)
				return cli_fail(paths[i], FWS_ELIMIT);
			memcpy(root->keys[root->n_keys].keyid, keyid, 32);
			memcpy(root->keys[root->n_keys].public_key, pk, 32);
			root->n_keys++;
		}
	}
	return 0;
}

static int parse_threshold(const char *s, const char *name, uint32_t *out)
{
	unsigned long long v;

	if (s == NULL) {
		*out = 1;
		return 0;
	}
	if (cli_parse_u64(s, UINT32_MAX, &v) != 0)
		return cli_usage_error("--%s must be a number, not '%s'", name, s);
	/* Range (1..keys) is the library's check: fws_root_check. */
	*out = (uint32_t)v;
	return 0;
}

static void print_role(FILE *out, const struct fws_root *root, enum fws_role_id id)
{
	const struct fws_role *role = &root->roles[id];

	fprintf(out, "role %s: threshold %u of %zu\n", id == FWS_ROLE_ROOT ? "root" : "release",
		(unsigned)role->threshold, role->n_keyids);
	for (size_t i = 0; i < role->n_keyids; i++)
		print_keyid(out, "  ", role->keyids[i]);
}

/* Loads a secret key that must belong to the root role of root. The key ID
 * is read (no passphrase) and checked first, so nobody types a passphrase
 * for a key that will be refused. */
static int load_root_signer(const char *path, const char *passfile, const struct fws_root *root,
			    struct fws_secret_key **key)
{
	uint8_t pk[32], keyid[32], loaded_pk[32], loaded_id[32];
	char *pass = NULL;
	size_t pass_len = 0;
	int rc, is_secret = 0;

	rc = fws_key_file_public(path, pk, keyid, &is_secret);
	if (rc == 0 && !is_secret)
		rc = FWS_EKEYFILE;
	if (rc == 0 && !role_has(&root->roles[FWS_ROLE_ROOT], keyid))
		rc = FWS_ENOTAUTHORISED;
	if (rc != 0)
		return cli_fail(path, rc);
	rc = cli_passphrase_get(passfile, "passphrase: ", 0, &pass, &pass_len);
	if (rc != 0)
		return cli_status(rc);
	rc = fws_secret_key_load(path, pass, pass_len, key);
	cli_passphrase_free(pass);
	if (rc != 0)
		return cli_fail(path, rc);
	/* The file may have been replaced since it was first read. */
	fws_secret_key_public(*key, loaded_pk, loaded_id);
	if (memcmp(loaded_id, keyid, 32) != 0) {
		fws_secret_key_free(*key);
		*key = NULL;
		return cli_fail(path, FWS_ENOTAUTHORISED);
	}
	return 0;
}

static int write_envelope(const char *path, const struct fws_envelope *env, int excl)
{
	char *json = NULL;
	size_t len = 0;
	int rc;

	rc = fws_envelope_encode(env, &json, &len);
	if (rc == 0)
		rc = fws_file_write_atomic(path, json, len, 0644, excl);
	free(json);
	return rc;
}

static int cmd_root_init(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root-key", required_argument, NULL, OPT_ROOT_KEY},
	    {"release-key", required_argument, NULL, OPT_RELEASE_KEY},
	    {"root-threshold", required_argument, NULL, OPT_ROOT_THRESHOLD},
	    {"release-threshold", required_argument, NULL, OPT_RELEASE_THRESHOLD},
	    {"sign", required_argument, NULL, OPT_SIGN},
	    {"expires", required_argument, NULL, OPT_EXPIRES},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *root_keys[FWS_MAX_KEYS], *release_keys[FWS_MAX_KEYS];
	size_t n_root = 0, n_release = 0;
	const char *root_t = NULL, *release_t = NULL, *sign = NULL, *expires = NULL;
	const char *passfile = NULL, *out = NULL;
	struct fws_root *root = NULL;
	struct fws_envelope *env = NULL;
	struct fws_secret_key *key = NULL;
	unsigned long long days = EXPIRES_DAYS_DEFAULT;
	long long now;
	char *body = NULL;
	size_t body_len = 0;
	char created_s[21], expires_s[21];
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_ROOT_KEY:
			if (n_root == FWS_MAX_KEYS)
				return cli_usage_error("at most %d --root-key options",
						       FWS_MAX_KEYS);
			root_keys[n_root++] = optarg;
			break;
		case OPT_RELEASE_KEY:
			if (n_release == FWS_MAX_KEYS)
				return cli_usage_error("at most %d --release-key options",
						       FWS_MAX_KEYS);
			release_keys[n_release++] = optarg;
			break;
		case OPT_ROOT_THRESHOLD:
			rc = set_once(&root_t, optarg, "root-threshold");
			break;
		case OPT_RELEASE_THRESHOLD:
			rc = set_once(&release_t, optarg, "release-threshold");
			break;
		case OPT_SIGN:
			rc = set_once(&sign, optarg, "sign");
			break;
		case OPT_EXPIRES:
			rc = set_once(&expires, optarg, "expires");
			break;
		case OPT_PASSFILE:
			rc = set_once(&passfile, optarg, "passphrase-file");
			break;
		case OPT_OUT:
			rc = set_once(&out, optarg, "out");
			break;
		case 'h':
			help_root_init(stdout);
			return 0;
		default:
			return bad_option(c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (optind != argc)
		return cli_usage_error("root init: unexpected argument '%s'", argv[optind]);
	if (n_root == 0 || n_release == 0)
		return cli_usage_error("root init: at least one --root-key and one --release-key "
				       "are required");
	if (sign == NULL || out == NULL)
		return cli_usage_error("root init: --sign R.key and --out root.json are required");
	if (expires != NULL && (cli_parse_u64(expires, EXPIRES_DAYS_MAX, &days) != 0 || days == 0))
		return cli_usage_error("--expires must be a number of days from 1 to %d",
				       EXPIRES_DAYS_MAX);

	root = calloc(1, sizeof *root);
	env = calloc(1, sizeof *env);
	if (root == NULL || env == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	rc = parse_threshold(root_t, "root-threshold", &root->roles[FWS_ROLE_ROOT].threshold);
	if (rc == 0)
		rc = parse_threshold(release_t, "release-threshold",
				     &root->roles[FWS_ROLE_RELEASE].threshold);
	if (rc != 0)
		goto out;
	rc = cli_now(&now);
	if (rc == 0 && now > TIME_MAX - (long long)days * DAY)
		rc = FWS_ECLOCK;
	if (rc != 0) {
		rc = cli_fail("SOURCE_DATE_EPOCH or clock", rc);
		goto out;
	}
	root->schema = 1;
	root->version = 1;
	root->created = now;
	root->expires = now + (long long)days * DAY;
	rc = add_role_keys(root, FWS_ROLE_ROOT, root_keys, n_root);
	if (rc == 0)
		rc = add_role_keys(root, FWS_ROLE_RELEASE, release_keys, n_release);
	if (rc != 0)
		goto out;
	rc = fws_root_check(root);
	if (rc != 0) {
		rc = cli_fail(out, rc);
		goto out;
	}
	rc = check_absent(out);
	if (rc != 0)
		goto out;
	rc = load_root_signer(sign, passfile, root, &key);
	if (rc != 0)
		goto out;

	rc = fws_root_encode(root, &body, &body_len);
	if (rc == 0)
		rc = fws_envelope_set_body(env, FWS_TYPE_ROOT, (const uint8_t *)body, body_len);
	if (rc == 0)
		rc = fws_envelope_sign(env, key);
	/* With a root threshold of 1 the new root must pass the very check
	 * every device and signer applies to it; catch a bad root here. */
	if (rc == 0 && root->roles[FWS_ROLE_ROOT].threshold == 1)
		rc = fws_root_check_self_signed(root, env);
	if (rc == 0)
		rc = write_envelope(out, env, 1);
	if (rc != 0) {
		rc = cli_fail(out, rc);
		goto out;
	}

	if (fws_time_format(root->created, created_s) != 0 ||
	    fws_time_format(root->expires, expires_s) != 0) {
		rc = cli_fail(out, FWS_ECLOCK);
		goto out;
	}
	printf("wrote %s: root version 1, created %s, expires %s\n", out, created_s, expires_s);
	print_role(stdout, root, FWS_ROLE_ROOT);
	print_role(stdout, root, FWS_ROLE_RELEASE);
	print_keyid(stdout, "signed by ", env->sigs[0].keyid);
	if (root->roles[FWS_ROLE_ROOT].threshold > 1)
		printf("needs %u more root signature(s) before use: fwseal-keys root sign --key "
		       "R.key %s\n",
		       (unsigned)root->roles[FWS_ROLE_ROOT].threshold - 1, out);
	rc = 0;
out:
	fws_secret_key_free(key);
	free(body);
	free(root);
	free(env);
	return rc;
}

static int cmd_root_sign(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, OPT_KEY},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *keyfile = NULL, *passfile = NULL, *path;
	struct fws_root *root = NULL;
	struct fws_envelope *env = NULL;
	struct fws_secret_key *key = NULL;
	const uint8_t *body;
	uint8_t *json = NULL;
	size_t json_len = 0, body_len = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_KEY:
			rc = set_once(&keyfile, optarg, "key");
			break;
		case OPT_PASSFILE:
			rc = set_once(&passfile, optarg, "passphrase-file");
			break;
		case 'h':
			help_root_sign(stdout);
			return 0;
		default:
			return bad_option(c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (argc - optind != 1)
		return cli_usage_error("root sign: expected exactly one root file");
	if (keyfile == NULL)
		return cli_usage_error("root sign: --key R.key is required");
	path = argv[optind];

	root = calloc(1, sizeof *root);
	env = calloc(1, sizeof *env);
	if (root == NULL || env == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	/* Not fws_root_load_file: a root still collecting signatures is not yet
	 * self-signed. The body is still decoded and checked strictly. */
	rc = fws_file_read_all(path, FWS_ENVELOPE_MAX, &json, &json_len);
	if (rc == 0)
		rc = fws_envelope_decode(json, json_len, env);
	if (rc == 0 && strcmp(env->payload_type, FWS_TYPE_ROOT) != 0)
		rc = FWS_EPAYLOADTYPE;
	if (rc == 0) {
		body = fws_envelope_body(env, &body_len);
		rc = fws_root_decode(body, body_len, root);
	}
	if (rc != 0) {
		rc = cli_fail(path, rc);
		goto out;
	}
	rc = load_root_signer(keyfile, passfile, root, &key);
	if (rc != 0)
		goto out;
	rc = fws_envelope_sign(env, key);
	if (rc == 0)
		rc = write_envelope(path, env, 0);
	if (rc != 0) {
		rc = cli_fail(path, rc);
		goto out;
	}
	print_keyid(stdout, "signed by ", env->sigs[env->n_sigs - 1].keyid);
	printf("%s: %zu signatures, root threshold %u\n", path, env->n_sigs,
	       (unsigned)root->roles[FWS_ROLE_ROOT].threshold);
	rc = 0;
out:
	fws_secret_key_free(key);
	free(json);
	free(root);
	free(env);
	return rc;
}

static json_t *keyid_array(const uint8_t (*keyids)[32], size_t n)
{
	json_t *arr = json_array();
	char hex[2 * 32 + 1];

	for (size_t i = 0; arr != NULL && i < n; i++) {
		fws_hex_encode(hex, keyids[i], 32);
		if (json_array_append_new(arr, json_string(hex)) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

static int show_json(const struct fws_root *root, const struct fws_signers *signers,
		     const char *created, const char *expires)
{
	uint8_t key_ids[FWS_MAX_KEYS][32];
	json_t *doc;
	char *text;

	for (size_t i = 0; i < root->n_keys; i++)
		memcpy(key_ids[i], root->keys[i].keyid, 32);
	doc = json_pack(
	    "{s:I, s:I, s:s, s:s, s:o, s:{s:{s:o, s:I}, s:{s:o, s:I}}, s:o}", "schema",
	    (json_int_t)root->schema, "version", (json_int_t)root->version, "created", created,
	    "expires", expires, "keys", keyid_array(key_ids, root->n_keys), "roles", "root",
	    "keyids",
	    keyid_array(root->roles[FWS_ROLE_ROOT].keyids, root->roles[FWS_ROLE_ROOT].n_keyids),
	    "threshold", (json_int_t)root->roles[FWS_ROLE_ROOT].threshold, "release", "keyids",
	    keyid_array(root->roles[FWS_ROLE_RELEASE].keyids,
			root->roles[FWS_ROLE_RELEASE].n_keyids),
	    "threshold", (json_int_t)root->roles[FWS_ROLE_RELEASE].threshold, "signed_by",
	    keyid_array(signers->keyids, signers->n));
	if (doc == NULL)
		return FWS_ENOMEM;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (text == NULL)
		return FWS_ENOMEM;
	printf("%s\n", text);
	free(text);
	return 0;
}

static int cmd_root_show(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct fws_root *root = NULL;
	struct fws_envelope *env = NULL;
	struct fws_signers signers;
	char created[21], expires[21];
	const char *path;
	long long now;
	int c, rc, as_json = 0;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			if (as_json)
				return cli_usage_error("option --json given twice");
			as_json = 1;
			break;
		case 'h':
			help_root_show(stdout);
			return 0;
		default:
			return bad_option(c, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("root show: expected exactly one root file");
	path = argv[optind];

	root = calloc(1, sizeof *root);
	env = calloc(1, sizeof *env);
	if (root == NULL || env == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	memset(&signers, 0, sizeof signers);
	rc = fws_root_load_file(path, root, env);
	if (rc == 0)
		rc = fws_envelope_verify(env, FWS_TYPE_ROOT, root, FWS_ROLE_ROOT, &signers);
	if (rc == 0 && (fws_time_format(root->created, created) != 0 ||
			fws_time_format(root->expires, expires) != 0))
		rc = FWS_ECLOCK;
	if (rc != 0) {
		rc = cli_fail(path, rc);
		goto out;
	}
	if (as_json) {
		rc = show_json(root, &signers, created, expires);
		if (rc != 0)
			rc = cli_fail(path, rc);
		goto out;
	}
	printf("%s: root version %llu (schema %u)\n", path, (unsigned long long)root->version,
	       (unsigned)root->schema);
	/* Informational only: expiry is enforced where roots are used. */
	printf("created %s\nexpires %s%s\n", created, expires,
	       cli_now(&now) == 0 && now > root->expires ? " (expired)" : "");
	printf("keys:\n");
	for (size_t i = 0; i < root->n_keys; i++)
		print_keyid(stdout, "  ed25519 ", root->keys[i].keyid);
	print_role(stdout, root, FWS_ROLE_ROOT);
	print_role(stdout, root, FWS_ROLE_RELEASE);
	printf("signed by:\n");
	for (size_t i = 0; i < signers.n; i++)
		print_keyid(stdout, "  ", signers.keyids[i]);
	rc = 0;
out:
	free(root);
	free(env);
	return rc;
}

static int cmd_root(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("root: missing command (init, sign or show)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help_root(stdout);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return cmd_root_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "sign") == 0)
		return cmd_root_sign(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return cmd_root_show(argc - 1, argv + 1);
	return cli_usage_error("root: unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *cmd;
	int c;

	opterr = 0;
	/* "+": stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help_main(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", cli_prog, fws_version());
			return 0;
		default:
			return bad_option(c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("missing command");
	if (fws_init() != 0)
		return cli_fail(NULL, FWS_ECRYPTO);
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	/* 0 makes getopt start over (glibc and musl) for the command's own
	 * options, with argv[0] being the command name. */
	optind = 0;
	if (strcmp(cmd, "generate") == 0)
		return cmd_generate(argc, argv);
	if (strcmp(cmd, "fingerprint") == 0)
		return cmd_fingerprint(argc, argv);
	if (strcmp(cmd, "change-passphrase") == 0)
		return cmd_change_passphrase(argc, argv);
	if (strcmp(cmd, "root") == 0)
		return cmd_root(argc, argv);
	if (strcmp(cmd, "help") == 0) {
		help_main(stdout);
		return 0;
	}
	return cli_usage_error("unknown command '%s'", cmd);
}
