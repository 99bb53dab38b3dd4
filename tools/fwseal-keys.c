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
	OPT_FROM,
	OPT_ADD_KEY,
	OPT_ROLE,
	OPT_REMOVE_KEY,
	OPT_THRESHOLD,
	OPT_PREVIOUS,
	OPT_TRUSTED,
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
	    "  fwseal-keys root new --from root.json --out NEW.json [--add-key K.pub --role ROLE]...\n"
	    "              [--remove-key KEYID]... [--threshold ROLE=N]... [--expires DAYS]\n"
	    "              [--sign R.key [--passphrase-file FILE]]\n"
	    "  fwseal-keys root sign --key R.key [--previous root.json] [--passphrase-file FILE]\n"
	    "              NEW.json\n"
	    "  fwseal-keys root verify --trusted root.json NEXT.json [NEXT2.json ...]\n"
	    "  fwseal-keys root show [--json] [--previous root.json] root.json\n"
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
	    "  fwseal-keys root new --from root.json --out root-v2.json \\\n"
	    "      --add-key keys/release2.pub --role release --remove-key keys/release1.pub \\\n"
	    "      --sign keys/root1.key\n"
	    "  fwseal-keys root verify --trusted root.json root-v2.json\n"
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
		     "  For a .key this proves nothing about the encrypted seed (only decrypting\n"
		     "  does: pack, sign and root commands check the seed matches the public key),\n"
		     "  so fingerprint the .pub you received over a trusted channel.\n"
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
		"  fwseal-keys root - create, rotate, co-sign, verify and show the root of trust\n"
		"\n"
		"SYNOPSIS\n"
		"  fwseal-keys root init --root-key R.pub... --release-key K.pub... --sign R.key\n"
		"              --out root.json [--root-threshold N] [--release-threshold N]\n"
		"              [--expires DAYS] [--passphrase-file FILE]\n"
		"  fwseal-keys root new --from root.json --out NEW.json [--add-key K.pub --role ROLE]...\n"
		"              [--remove-key KEYID]... [--threshold ROLE=N]... [--expires DAYS]\n"
		"              [--sign R.key [--passphrase-file FILE]]\n"
		"  fwseal-keys root sign --key R.key [--previous root.json] [--passphrase-file FILE]\n"
		"              NEW.json\n"
		"  fwseal-keys root verify --trusted root.json NEXT.json [NEXT2.json ...]\n"
		"  fwseal-keys root show [--json] [--previous root.json] root.json\n"
		"\n"
		"DESCRIPTION\n"
		"  A root lists the keys allowed to sign roots (role root) and releases (role\n"
		"  release), each role with a threshold: how many distinct keys of the role\n"
		"  must sign. 'init' creates version 1. 'new' creates the next version (key\n"
		"  rotation and revocation); it is valid only once signed by a threshold of the\n"
		"  previous version's root keys AND of its own. Root key holders add their\n"
		"  signatures one at a time with 'sign', each on their own machine. 'verify'\n"
		"  walks a chain of versions from a root you trust; 'show' prints one root and\n"
		"  who has signed it. Each command has its own --help.\n"
		"\n"
		"EXAMPLES\n"
		"  fwseal-keys root new --from root.json --out root-v2.json \\\n"
		"      --add-key rel2.pub --role release --remove-key rel1.pub\n"
		"  fwseal-keys root sign --key r1.key --previous root.json root-v2.json\n"
		"  fwseal-keys root sign --key r2.key --previous root.json root-v2.json\n"
		"  fwseal-keys root verify --trusted root.json root-v2.json\n"
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
	    FWS_MAX_KEYS, FWS_MAX_KEYS, FWS_ROOT_EXPIRES_DAYS_DEFAULT);
	cli_print_exit_codes(out);
}

static void help_root_new(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n"
	    "  fwseal-keys root new - create the next version of the root of trust\n"
	    "\n"
	    "SYNOPSIS\n"
	    "  fwseal-keys root new --from root.json --out NEW.json\n"
	    "              [--add-key K.pub --role root|release]... [--remove-key KEYID]...\n"
	    "              [--threshold ROLE=N]... [--expires DAYS]\n"
	    "              [--sign R.key [--passphrase-file FILE]]\n"
	    "\n"
	    "DESCRIPTION\n"
	    "  Reads root.json (which must be signed by a threshold of its own root keys;\n"
	    "  it may be expired: rotating away from an expired root is how a fleet\n"
	    "  recovers), and writes NEW.json, which must not exist: version + 1, created\n"
	    "  now (SOURCE_DATE_EPOCH when set), the changes below applied. Removals come\n"
	    "  first, then additions, then thresholds. Keys no role uses any more are\n"
	    "  dropped. Without --sign, NEW.json is a draft with no signature; root key\n"
	    "  holders add theirs with 'fwseal-keys root sign --previous root.json'. NEW.json\n"
	    "  is valid only once signed by a threshold of root.json's root keys AND a\n"
	    "  threshold of its own. Prints the new roles, removed key IDs, and who has\n"
	    "  signed so far.\n"
	    "\n"
	    "  Refused (exit 2): a key added twice to one role, a key both added and\n"
	    "  removed, a key ID to remove that is not in root.json (a typo must not look\n"
	    "  like a revocation). Refused (exit %d, FWS_ETHRESHOLDDEF): a threshold of 0 or\n"
	    "  above the role's key count, and a role left with no key. A threshold is never\n"
	    "  lowered for you when keys are removed: give --threshold.\n"
	    "\n"
	    "OPTIONS\n"
	    "  --from root.json          the current root (required)\n"
	    "  --out NEW.json            the new root to write (required)\n"
	    "  --add-key K.pub           add a public key; must be followed directly by\n"
	    "  --role root|release       the role it joins (a key may be added once per role)\n"
	    "  --remove-key KEYID        revoke a key from every role: its 64-hex key ID or\n"
	    "                            its .pub/.key file (repeatable)\n"
	    "  --threshold ROLE=N        set a role's threshold, e.g. root=2 (once per role)\n"
	    "  --expires DAYS            validity in days from now (default %d, max %d)\n"
	    "  --sign R.key              sign at once with a root key of either version\n"
	    "  --passphrase-file FILE    read the passphrase of R.key from FILE\n"
	    "  -h, --help                show this help\n"
	    "\n"
	    "EXAMPLES\n"
	    "  # revoke release key 1, add release key 2, sign with root key 1:\n"
	    "  fwseal-keys root new --from root.json --out root-v2.json \\\n"
	    "      --add-key keys/release2.pub --role release \\\n"
	    "      --remove-key keys/release1.pub --sign keys/root1.key\n"
	    "  fwseal-keys root sign --key keys/root2.key --previous root.json root-v2.json\n"
	    "  # replace a compromised root key (2-of-3 stays 2-of-3):\n"
	    "  fwseal-keys root new --from root-v2.json --out root-v3.json \\\n"
	    "      --remove-key 3f1c...e9 --add-key keys/root4.pub --role root\n"
	    "\n",
	    -FWS_ETHRESHOLDDEF, FWS_ROOT_EXPIRES_DAYS_DEFAULT, FWS_ROOT_EXPIRES_DAYS_MAX);
	cli_print_exit_codes(out);
}

static void help_root_sign(FILE *out)
{
	fprintf(out,
		"NAME\n"
		"  fwseal-keys root sign - add one root key's signature to a root (co-signing)\n"
		"\n"
		"SYNOPSIS\n"
		"  fwseal-keys root sign --key R.key [--previous root.json] [--passphrase-file FILE]\n"
		"              NEW.json\n"
		"\n"
		"DESCRIPTION\n"
		"  Adds a signature by R.key to NEW.json (a draft from 'root new', or a root\n"
		"  that already has some signatures) and rewrites it atomically. R.key must be\n"
		"  in NEW.json's own root role, or, with --previous, in the root role of the\n"
		"  root it rotates from (which must be signed by its own root keys and have the\n"
		"  version just before). Refused: any other key (FWS_ENOTAUTHORISED), a key\n"
		"  that already signed (FWS_EALREADYSIGNED), a root whose expiry has passed\n"
		"  (FWS_EEXPIRED). Prints which root keys of both versions have signed and\n"
		"  whether each threshold is met.\n"
		"\n"
		"OPTIONS\n"
		"  --key R.key               the secret root key that signs (required)\n"
		"  --previous root.json      the root NEW.json rotates from\n"
		"  --passphrase-file FILE    read the passphrase of R.key from FILE\n"
		"  -h, --help                show this help\n"
		"\n"
		"EXAMPLES\n"
		"  fwseal-keys root sign --key keys/root2.key root.json\n"
		"  fwseal-keys root sign --key keys/root1.key --previous root.json root-v2.json\n"
		"\n");
	cli_print_exit_codes(out);
}

static void help_root_verify(FILE *out)
{
	fprintf(out,
		"NAME\n"
		"  fwseal-keys root verify - check a chain of root versions from a trusted root\n"
		"\n"
		"SYNOPSIS\n"
		"  fwseal-keys root verify --trusted root.json NEXT.json [NEXT2.json ...]\n"
		"\n"
		"DESCRIPTION\n"
		"  Starts from root.json (which must be signed by a threshold of its own root\n"
		"  keys) and checks each next file in order exactly as a device does: signed by\n"
		"  a threshold of the current root's root keys, version exactly one higher,\n"
		"  signed by a threshold of its own root keys. Prints each version's roles and\n"
		"  the root keys of both versions that signed. Stops at the first broken link\n"
		"  with its code: FWS_EROOTVERSION for a skipped, repeated or lower version,\n"
		"  FWS_EUNTRUSTED / FWS_ETHRESHOLD / FWS_EBADSIG when a threshold is not met,\n"
		"  FWS_EKEYID, FWS_ESCHEMA, ... Fails with FWS_EEXPIRED when the newest root has\n"
		"  expired (SOURCE_DATE_EPOCH or the clock).\n"
		"\n"
		"OPTIONS\n"
		"  --trusted root.json   the root you already trust (required)\n"
		"  -h, --help            show this help\n"
		"\n"
		"EXAMPLES\n"
		"  fwseal-keys root verify --trusted root.json root-v2.json root-v3.json\n"
		"\n");
	cli_print_exit_codes(out);
}

static void help_root_show(FILE *out)
{
	fprintf(out,
		"NAME\n"
		"  fwseal-keys root show - print a root of trust and who has signed it\n"
		"\n"
		"SYNOPSIS\n"
		"  fwseal-keys root show [--json] [--previous root.json] root.json\n"
		"\n"
		"DESCRIPTION\n"
		"  Prints a root's version, created and expiry times, keys, roles with their\n"
		"  thresholds, and which of its root keys have signed it; with --previous,\n"
		"  also which root keys of the previous version have signed it. Drafts and\n"
		"  partly signed roots are shown too, but then the exit status is that of the\n"
		"  unmet threshold (FWS_ETHRESHOLD, FWS_EUNTRUSTED, ...), never 0.\n"
		"\n"
		"OPTIONS\n"
		"  --json                 print one JSON object with the keys created, expires,\n"
		"                         keys, roles.{root,release}.{keyids,threshold}, schema,\n"
		"                         signed_by, threshold_met, version and, with\n"
		"                         --previous, previous.{version,signed_by,threshold_met,\n"
		"                         is_previous_version} (sorted keys)\n"
		"  --previous root.json   the root this one rotates from\n"
		"  -h, --help             show this help\n"
		"\n"
		"EXAMPLES\n"
		"  fwseal-keys root show root.json\n"
		"  fwseal-keys root show --previous root.json root-v2.json\n"
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

static const char *role_name(enum fws_role_id id)
{
	return id == FWS_ROLE_ROOT ? "root" : "release";
}

static int parse_role(const char *s, enum fws_role_id *out)
{
	if (strcmp(s, "root") == 0)
		*out = FWS_ROLE_ROOT;
	else if (strcmp(s, "release") == 0)
		*out = FWS_ROLE_RELEASE;
	else
		return -1;
	return 0;
}

static void print_role(FILE *out, const struct fws_root *root, enum fws_role_id id)
{
	const struct fws_role *role = &root->roles[id];

	fprintf(out, "role %s: threshold %u of %zu\n", role_name(id), (unsigned)role->threshold,
		role->n_keyids);
	for (size_t i = 0; i < role->n_keyids; i++)
		print_keyid(out, "  ", role->keyids[i]);
}

static void print_signers(FILE *out, const char *what, const struct fws_signers *s,
			  uint32_t threshold, int rc)
{
	fprintf(out, "%s: %zu of threshold %u signed%s\n", what, s->n, (unsigned)threshold,
		rc == 0 ? " (threshold met)" : " (threshold NOT met)");
	for (size_t i = 0; i < s->n; i++)
		print_keyid(out, "  ", s->keyids[i]);
}

/* Which root keys have signed a root (own role, and the previous root's
 * when given), and what is still missing. */
static void print_status(FILE *out, const char *path, const struct fws_root *root,
			 const struct fws_root *previous, const struct fws_root_status *st)
{
	char what[96];

	snprintf(what, sizeof what, "root keys of version %llu (this root)",
		 (unsigned long long)root->version);
	print_signers(out, what, &st->own, root->roles[FWS_ROLE_ROOT].threshold, st->own_rc);
	if (st->has_previous && previous != NULL) {
		snprintf(what, sizeof what, "root keys of version %llu (previous)",
			 (unsigned long long)st->previous_version);
		if (st->previous_rc == FWS_EROOTVERSION)
			fprintf(out, "%s: not the previous version of this root\n", what);
		else
			print_signers(out, what, &st->previous,
				      previous->roles[FWS_ROLE_ROOT].threshold, st->previous_rc);
	} else if (root->version > 1) {
		fprintf(out, "(give --previous to check the signatures of version %llu's root "
			     "keys)\n",
			(unsigned long long)root->version - 1);
	}
	if (st->rc != 0)
		fprintf(out, "needs more root signatures: fwseal-keys root sign --key R.key%s %s\n",
			root->version > 1 ? " --previous PREVIOUS.json" : "", path);
}

/* Loads a secret key that must be a root key of root or of previous (may be
 * NULL). The key ID is read (no passphrase) and checked first, so nobody
 * types a passphrase for a key that will be refused; the library checks
 * again when it signs. */
static int load_root_signer(const char *path, const char *passfile, const struct fws_root *root,
			    const struct fws_root *previous, struct fws_secret_key **key)
{
	uint8_t pk[32], keyid[32], loaded_pk[32], loaded_id[32];
	char *pass = NULL;
	size_t pass_len = 0;
	int rc, is_secret = 0;

	rc = fws_key_file_public(path, pk, keyid, &is_secret);
	if (rc == 0 && !is_secret)
		rc = FWS_EKEYFILE;
	if (rc == 0 && !fws_root_role_has(root, FWS_ROLE_ROOT, keyid) &&
	    (previous == NULL || !fws_root_role_has(previous, FWS_ROLE_ROOT, keyid)))
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
		return cli_usage_error("--%s must be a number, not '%s'", name, s);
	/* Range (1..keys) is the library's check: fws_root_check. */
	*out = (uint32_t)v;
	return 0;
}

/* Adds the public key in path to edit for role. */
static int edit_add_key(struct fws_root_edit *edit, const char *path, enum fws_role_id role)
{
	uint8_t keyid[32];
	int rc;

	if (edit->n_add == sizeof edit->add / sizeof edit->add[0])
		return cli_usage_error("too many keys added (at most %d per role)", FWS_MAX_KEYS);
	rc = fws_public_key_load(path, edit->add[edit->n_add].public_key, keyid);
	if (rc != 0)
		return cli_fail(path, rc);
	edit->add[edit->n_add++].role = role;
	return 0;
}

/* Prints the built root, or explains a refused edit in one line. */
static int build_failed(const char *cmd, const char *out, int rc)
{
	if (rc == FWS_EUSAGE)
		return cli_usage_error("%s: a key added twice to one role, a key both added and "
				       "removed, or a key ID to remove that is not in the root",
				       cmd);
	/* Its own exit status (35), as the help says: every role needs at
	 * least one key and a threshold from 1 to its number of keys. */
	return cli_fail(rc == FWS_ETHRESHOLDDEF ? cmd : out, rc);
}

static void print_written(const char *out, const struct fws_root *root)
{
	char created_s[21] = "?", expires_s[21] = "?";

	if (fws_time_format(root->created, created_s) != 0 ||
	    fws_time_format(root->expires, expires_s) != 0)
		snprintf(created_s, sizeof created_s, "?");
	printf("wrote %s: root version %llu, created %s, expires %s\n", out,
	       (unsigned long long)root->version, created_s, expires_s);
	print_role(stdout, root, FWS_ROLE_ROOT);
	print_role(stdout, root, FWS_ROLE_RELEASE);
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
	struct fws_root_edit *edit = NULL;
	struct fws_root *root = NULL;
	struct fws_root_status st;
	struct fws_secret_key *key = NULL;
	long long now;
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

	edit = calloc(1, sizeof *edit);
	root = calloc(1, sizeof *root);
	if (edit == NULL || root == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	rc = parse_days(expires, &edit->expires_days);
	if (rc == 0 && root_t != NULL) {
		edit->threshold_set[FWS_ROLE_ROOT] = 1;
		rc = parse_threshold(root_t, "root-threshold", &edit->threshold[FWS_ROLE_ROOT]);
	}
	if (rc == 0 && release_t != NULL) {
		edit->threshold_set[FWS_ROLE_RELEASE] = 1;
		rc = parse_threshold(release_t, "release-threshold",
				     &edit->threshold[FWS_ROLE_RELEASE]);
	}
	for (size_t i = 0; rc == 0 && i < n_root; i++)
		rc = edit_add_key(edit, root_keys[i], FWS_ROLE_ROOT);
	for (size_t i = 0; rc == 0 && i < n_release; i++)
		rc = edit_add_key(edit, release_keys[i], FWS_ROLE_RELEASE);
	if (rc != 0)
		goto out;
	rc = cli_now(&now);
	if (rc != 0) {
		rc = cli_fail("SOURCE_DATE_EPOCH or clock", rc);
		goto out;
	}
	rc = fws_root_build_initial(edit, now, root);
	if (rc != 0) {
		rc = build_failed("root init", out, rc);
		goto out;
	}
	rc = check_absent(out);
	if (rc != 0)
		goto out;
	rc = load_root_signer(sign, passfile, root, NULL, &key);
	if (rc != 0)
		goto out;
	rc = fws_root_write_new(out, root, NULL, key, now, NULL);
	if (rc == 0)
		rc = fws_root_inspect_file(out, NULL, NULL, NULL, NULL, &st);
	if (rc != 0) {
		rc = cli_fail(out, rc);
		goto out;
	}
	print_written(out, root);
	print_status(stdout, out, root, NULL, &st);
	rc = 0;
out:
	fws_secret_key_free(key);
	free(edit);
	free(root);
	return rc;
}

/* --threshold ROLE=N */
static int parse_role_threshold(const char *s, struct fws_root_edit *edit)
{
	char role_s[16];
	const char *eq = strchr(s, '=');
	enum fws_role_id role;
	size_t n;

	if (eq == NULL || (n = (size_t)(eq - s)) >= sizeof role_s)
		return cli_usage_error("--threshold must be ROLE=N (root=2, release=1), not '%s'",
				       s);
	memcpy(role_s, s, n);
	role_s[n] = '\0';
	if (parse_role(role_s, &role) != 0)
		return cli_usage_error("--threshold: role must be root or release, not '%s'",
				       role_s);
	if (edit->threshold_set[role])
		return cli_usage_error("--threshold %s given twice", role_s);
	edit->threshold_set[role] = 1;
	return parse_threshold(eq + 1, "threshold", &edit->threshold[role]);
}

/* --remove-key takes a key ID (64 hex) or a key file (.pub or .key). */
static int edit_remove_key(struct fws_root_edit *edit, const char *s)
{
	uint8_t pk[32];
	int rc;

	if (edit->n_remove == FWS_MAX_KEYS)
		return cli_usage_error("at most %d --remove-key options", FWS_MAX_KEYS);
	if (strlen(s) == FWS_KEYID_HEX &&
	    fws_hex_decode_exact(edit->remove[edit->n_remove], 32, s) == 0) {
		edit->n_remove++;
		return 0;
	}
	rc = fws_key_file_public(s, pk, edit->remove[edit->n_remove], NULL);
	if (rc != 0)
		return cli_fail(s, rc);
	edit->n_remove++;
	return 0;
}

static int cmd_root_new(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, OPT_FROM},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"add-key", required_argument, NULL, OPT_ADD_KEY},
	    {"role", required_argument, NULL, OPT_ROLE},
	    {"remove-key", required_argument, NULL, OPT_REMOVE_KEY},
	    {"threshold", required_argument, NULL, OPT_THRESHOLD},
	    {"expires", required_argument, NULL, OPT_EXPIRES},
	    {"sign", required_argument, NULL, OPT_SIGN},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *out = NULL, *expires = NULL, *sign = NULL, *passfile = NULL;
	const char *pending = NULL; /* an --add-key still waiting for its --role */
	struct fws_root_edit *edit = NULL;
	struct fws_root *prev = NULL, *root = NULL;
	struct fws_root_status st;
	struct fws_secret_key *key = NULL;
	enum fws_role_id role;
	long long now;
	int c, rc;

	edit = calloc(1, sizeof *edit);
	prev = calloc(1, sizeof *prev);
	root = calloc(1, sizeof *root);
	if (edit == NULL || prev == NULL || root == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_FROM:
			rc = set_once(&from, optarg, "from");
			break;
		case OPT_OUT:
			rc = set_once(&out, optarg, "out");
			break;
		case OPT_ADD_KEY:
			if (pending != NULL)
				rc = cli_usage_error("--add-key %s needs --role root|release right "
						     "after it",
						     pending);
			pending = optarg;
			break;
		case OPT_ROLE:
			if (pending == NULL)
				rc = cli_usage_error("--role %s must follow an --add-key K.pub",
						     optarg);
			else if (parse_role(optarg, &role) != 0)
				rc = cli_usage_error("--role must be root or release, not '%s'",
						     optarg);
			else
				rc = edit_add_key(edit, pending, role);
			pending = NULL;
			break;
		case OPT_REMOVE_KEY:
			rc = edit_remove_key(edit, optarg);
			break;
		case OPT_THRESHOLD:
			rc = parse_role_threshold(optarg, edit);
			break;
		case OPT_EXPIRES:
			rc = set_once(&expires, optarg, "expires");
			break;
		case OPT_SIGN:
			rc = set_once(&sign, optarg, "sign");
			break;
		case OPT_PASSFILE:
			rc = set_once(&passfile, optarg, "passphrase-file");
			break;
		case 'h':
			help_root_new(stdout);
			rc = 0;
			goto out;
		default:
			rc = bad_option(c, argv);
			goto out;
		}
		if (rc != 0)
			goto out;
	}
	rc = 0;
	if (pending != NULL)
		rc = cli_usage_error("--add-key %s needs --role root|release right after it",
				     pending);
	else if (optind != argc)
		rc = cli_usage_error("root new: unexpected argument '%s'", argv[optind]);
	else if (from == NULL || out == NULL)
		rc = cli_usage_error("root new: --from root.json and --out NEW.json are required");
	else if (passfile != NULL && sign == NULL)
		rc = cli_usage_error("root new: --passphrase-file is only used with --sign");
	if (rc == 0)
		rc = parse_days(expires, &edit->expires_days);
	if (rc != 0)
		goto out;

	/* The root being rotated must be one its own root keys signed; its
	 * place in the chain is for `root verify --trusted` to check. */
	rc = fws_root_load_file(from, prev, NULL);
	if (rc != 0) {
		rc = cli_fail(from, rc);
		goto out;
	}
	rc = cli_now(&now);
	if (rc != 0) {
		rc = cli_fail("SOURCE_DATE_EPOCH or clock", rc);
		goto out;
	}
	rc = fws_root_build_next(prev, edit, now, root);
	if (rc != 0) {
		rc = build_failed("root new", out, rc);
		goto out;
	}
	rc = check_absent(out);
	if (rc != 0)
		goto out;
	if (sign != NULL) {
		rc = load_root_signer(sign, passfile, root, prev, &key);
		if (rc != 0)
			goto out;
	}
	rc = fws_root_write_new(out, root, prev, key, now, NULL);
	if (rc == 0)
		rc = fws_root_inspect_file(out, from, NULL, NULL, NULL, &st);
	if (rc != 0) {
		rc = cli_fail(out, rc);
		goto out;
	}
	print_written(out, root);
	for (size_t i = 0; i < edit->n_remove; i++)
		print_keyid(stdout, "removed ", edit->remove[i]);
	print_status(stdout, out, root, prev, &st);
	rc = 0;
out:
	fws_secret_key_free(key);
	free(edit);
	free(prev);
	free(root);
	return rc;
}

static int cmd_root_sign(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, OPT_KEY},
	    {"previous", required_argument, NULL, OPT_PREVIOUS},
	    {"passphrase-file", required_argument, NULL, OPT_PASSFILE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *keyfile = NULL, *passfile = NULL, *previous = NULL, *path;
	struct fws_root *root = NULL, *prev = NULL;
	struct fws_root_status st;
	struct fws_secret_key *key = NULL;
	long long now;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_KEY:
			rc = set_once(&keyfile, optarg, "key");
			break;
		case OPT_PREVIOUS:
			rc = set_once(&previous, optarg, "previous");
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
	prev = calloc(1, sizeof *prev);
	if (root == NULL || prev == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	/* Read first (draft or partly signed) so a refused key is reported
	 * before anyone types a passphrase; the library reads it again. */
	rc = previous != NULL ? fws_root_load_file(previous, prev, NULL) : 0;
	if (rc != 0) {
		rc = cli_fail(previous, rc);
		goto out;
	}
	rc = fws_root_inspect_file(path, previous, root, NULL, prev, &st);
	if (rc != 0) {
		rc = cli_fail(path, rc);
		goto out;
	}
	rc = load_root_signer(keyfile, passfile, root, previous != NULL ? prev : NULL, &key);
	if (rc != 0)
		goto out;
	rc = cli_now(&now);
	if (rc != 0) {
		rc = cli_fail("SOURCE_DATE_EPOCH or clock", rc);
		goto out;
	}
	rc = fws_root_sign_file(path, key, previous, now, &st);
	if (rc != 0) {
		rc = cli_fail(path, rc);
		goto out;
	}
	{
		uint8_t pk[32], keyid[32];
		fws_secret_key_public(key, pk, keyid);
		print_keyid(stdout, "signed by ", keyid);
	}
	printf("%s: root version %llu\n", path, (unsigned long long)root->version);
	print_status(stdout, path, root, previous != NULL ? prev : NULL, &st);
	rc = 0;
out:
	fws_secret_key_free(key);
	free(root);
	free(prev);
	return rc;
}

static void print_step(const char *path, const struct fws_root *root,
		       const struct fws_signers *old_s, const struct fws_signers *new_s,
		       uint64_t old_version)
{
	printf("%s: root version %llu\n", path, (unsigned long long)root->version);
	print_role(stdout, root, FWS_ROLE_ROOT);
	print_role(stdout, root, FWS_ROLE_RELEASE);
	if (old_s != NULL) {
		printf("signed by root keys of version %llu:\n", (unsigned long long)old_version);
		for (size_t i = 0; i < old_s->n; i++)
			print_keyid(stdout, "  ", old_s->keyids[i]);
	}
	printf("signed by root keys of version %llu:\n", (unsigned long long)root->version);
	for (size_t i = 0; i < new_s->n; i++)
		print_keyid(stdout, "  ", new_s->keyids[i]);
}

static int cmd_root_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"trusted", required_argument, NULL, OPT_TRUSTED},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *trusted = NULL;
	struct fws_root *cur = NULL;
	struct fws_envelope *env = NULL;
	struct fws_signers old_s, new_s;
	char expires_s[21];
	uint64_t old_version, trusted_version;
	long long now;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_TRUSTED:
			rc = set_once(&trusted, optarg, "trusted");
			break;
		case 'h':
			help_root_verify(stdout);
			return 0;
		default:
			return bad_option(c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (trusted == NULL)
		return cli_usage_error("root verify: --trusted root.json is required");
	if (argc - optind < 1)
		return cli_usage_error("root verify: expected one or more root files, oldest first");

	cur = calloc(1, sizeof *cur);
	env = calloc(1, sizeof *env);
	if (cur == NULL || env == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	rc = fws_root_load_file(trusted, cur, env);
	if (rc == 0)
		rc = fws_envelope_verify(env, FWS_TYPE_ROOT, cur, FWS_ROLE_ROOT, &new_s);
	if (rc != 0) {
		rc = cli_fail(trusted, rc);
		goto out;
	}
	print_step(trusted, cur, NULL, &new_s, 0);
	trusted_version = cur->version;
	for (int i = optind; i < argc; i++) {
		old_version = cur->version;
		rc = fws_root_step_file(cur, argv[i], &old_s, &new_s);
		if (rc != 0) {
			rc = cli_fail(argv[i], rc);
			goto out;
		}
		print_step(argv[i], cur, &old_s, &new_s, old_version);
	}
	rc = cli_now(&now);
	if (rc != 0) {
		rc = cli_fail("SOURCE_DATE_EPOCH or clock", rc);
		goto out;
	}
	rc = fws_root_check_not_expired(cur, now);
	if (rc != 0) {
		rc = cli_fail(argv[argc - 1], rc);
		goto out;
	}
	if (fws_time_format(cur->expires, expires_s) != 0)
		snprintf(expires_s, sizeof expires_s, "?");
	printf("chain OK: trusted version %llu, newest version %llu, expires %s\n",
	       (unsigned long long)trusted_version,
	       (unsigned long long)cur->version, expires_s);
	rc = 0;
out:
	free(cur);
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

static int show_json(const struct fws_root *root, const struct fws_root_status *st,
		     const char *created, const char *expires)
{
	uint8_t key_ids[FWS_MAX_KEYS][32];
	json_t *doc, *prev;
	char *text;
	int rc = 0;

	for (size_t i = 0; i < root->n_keys; i++)
		memcpy(key_ids[i], root->keys[i].keyid, 32);
	doc = json_pack(
	    "{s:I, s:I, s:s, s:s, s:o, s:{s:{s:o, s:I}, s:{s:o, s:I}}, s:o, s:b}", "schema",
	    (json_int_t)root->schema, "version", (json_int_t)root->version, "created", created,
	    "expires", expires, "keys", keyid_array(key_ids, root->n_keys), "roles", "root",
	    "keyids",
	    keyid_array(root->roles[FWS_ROLE_ROOT].keyids, root->roles[FWS_ROLE_ROOT].n_keyids),
	    "threshold", (json_int_t)root->roles[FWS_ROLE_ROOT].threshold, "release", "keyids",
	    keyid_array(root->roles[FWS_ROLE_RELEASE].keyids,
			root->roles[FWS_ROLE_RELEASE].n_keyids),
	    "threshold", (json_int_t)root->roles[FWS_ROLE_RELEASE].threshold, "signed_by",
	    keyid_array(st->own.keyids, st->own.n), "threshold_met", st->own_rc == 0);
	if (doc == NULL)
		return FWS_ENOMEM;
	if (st->has_previous) {
		prev = json_pack("{s:I, s:o, s:b, s:b}", "version",
				 (json_int_t)st->previous_version, "signed_by",
				 keyid_array(st->previous.keyids, st->previous.n),
				 "is_previous_version", st->previous_rc != FWS_EROOTVERSION,
				 "threshold_met", st->previous_rc == 0);
		if (prev == NULL || json_object_set_new(doc, "previous", prev) != 0)
			rc = FWS_ENOMEM;
	}
	text = rc == 0 ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
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
	    {"previous", required_argument, NULL, OPT_PREVIOUS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct fws_root *root = NULL, *prev = NULL;
	struct fws_root_status st;
	char created[21], expires[21];
	const char *path, *previous = NULL;
	long long now;
	int c, rc, as_json = 0;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case OPT_JSON:
			if (as_json)
				return cli_usage_error("option --json given twice");
			as_json = 1;
			break;
		case OPT_PREVIOUS:
			rc = set_once(&previous, optarg, "previous");
			break;
		case 'h':
			help_root_show(stdout);
			return 0;
		default:
			return bad_option(c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (argc - optind != 1)
		return cli_usage_error("root show: expected exactly one root file");
	path = argv[optind];

	root = calloc(1, sizeof *root);
	prev = calloc(1, sizeof *prev);
	if (root == NULL || prev == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	rc = previous != NULL ? fws_root_load_file(previous, prev, NULL) : 0;
	if (rc != 0) {
		rc = cli_fail(previous, rc);
		goto out;
	}
	rc = fws_root_inspect_file(path, previous, root, NULL, prev, &st);
	if (rc == 0 && (fws_time_format(root->created, created) != 0 ||
			fws_time_format(root->expires, expires) != 0))
		rc = FWS_ECLOCK;
	if (rc != 0) {
		rc = cli_fail(path, rc);
		goto out;
	}
	if (as_json) {
		rc = show_json(root, &st, created, expires);
		if (rc != 0) {
			rc = cli_fail(path, rc);
			goto out;
		}
	} else {
		printf("%s: root version %llu (schema %u)\n", path,
		       (unsigned long long)root->version, (unsigned)root->schema);
		/* Informational only: expiry is enforced where roots are used. */
		printf("created %s\nexpires %s%s\n", created, expires,
		       cli_now(&now) == 0 && fws_root_check_not_expired(root, now) != 0
			   ? " (expired)"
			   : "");
		printf("keys:\n");
		for (size_t i = 0; i < root->n_keys; i++)
			print_keyid(stdout, "  ed25519 ", root->keys[i].keyid);
		print_role(stdout, root, FWS_ROLE_ROOT);
		print_role(stdout, root, FWS_ROLE_RELEASE);
		print_status(stdout, path, root, previous != NULL ? prev : NULL, &st);
	}
	/* A draft or partly signed root is shown, but never reported as good:
	 * scripts that check the exit status must not take it for usable. */
	rc = st.rc != 0 ? cli_fail(path, st.rc) : 0;
out:
	free(root);
	free(prev);
	return rc;
}

static int cmd_root(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("root: missing command (init, new, sign, verify or show)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help_root(stdout);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return cmd_root_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "new") == 0)
		return cmd_root_new(argc - 1, argv + 1);
	if (strcmp(argv[1], "sign") == 0)
		return cmd_root_sign(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_root_verify(argc - 1, argv + 1);
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
