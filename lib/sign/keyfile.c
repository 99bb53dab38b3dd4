/* SPDX-License-Identifier: Apache-2.0 */
/* Key files: generating Ed25519 keys, and storing the secret seed encrypted
 * under a passphrase (Argon2id -> XSalsa20-Poly1305) next to a plain public
 * key file. The formats are in docs/format.md. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "io/io.h"
#include "fwseal/keys.h"
#include "sign/key_internal.h"

/* Both key files are a few hundred bytes; anything larger is not a key file,
 * and the cap bounds what a hostile file can make the parser allocate. */
#define KEYFILE_MAX 4096

#define TYPE_SECRET "fwseal-secret-key"
#define TYPE_PUBLIC "fwseal-public-key"
#define KDF_ALG "argon2id13"
#define CIPHER_ALG "xsalsa20poly1305"

#define SEED_LEN crypto_sign_SEEDBYTES
#define PK_LEN crypto_sign_PUBLICKEYBYTES
#define SALT_LEN crypto_pwhash_argon2id_SALTBYTES
#define NONCE_LEN crypto_secretbox_NONCEBYTES
#define BOX_KEY_LEN crypto_secretbox_KEYBYTES
#define CT_LEN (crypto_secretbox_MACBYTES + SEED_LEN)

_Static_assert(PK_LEN == 32 && SEED_LEN == 32, "Ed25519 sizes");
_Static_assert(SALT_LEN == 16 && NONCE_LEN == 24 && CT_LEN == 48, "key file field sizes");

/* What a secret key file holds once parsed, before anything is decrypted. */
struct secret_file {
	uint8_t keyid[32];
	uint8_t public_key[PK_LEN];
	unsigned long long opslimit;
	size_t memlimit;
	uint8_t salt[SALT_LEN];
	uint8_t nonce[NONCE_LEN];
	uint8_t ciphertext[CT_LEN];
};

int fws_sign_key_open(const struct fws_secret_key *key)
{
	/* The cast only changes page protection, never the bytes. */
	if (sodium_mprotect_readonly((void *)key) != 0)
		return FWS_EINTERNAL;
	return 0;
}

void fws_sign_key_close(const struct fws_secret_key *key)
{
	/* If this fails the key merely stays readable; there is nothing better
	 * to do and the caller's operation already succeeded or failed. */
	(void)sodium_mprotect_noaccess((void *)key);
}

static int key_alloc(struct fws_secret_key **out)
{
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	*out = sodium_malloc(sizeof **out);
	if (*out == NULL)
		return FWS_ENOMEM;
	return 0;
}

void fws_secret_key_free(struct fws_secret_key *key)
{
	/* sodium_free makes the pages writable again, wipes and unmaps them. */
	if (key != NULL)
		sodium_free(key);
}

int fws_secret_key_generate(struct fws_secret_key **out)
{
	struct fws_secret_key *key = NULL;
	int rc;

	if (out == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	rc = key_alloc(&key);
	if (rc != 0)
		goto out;
	randombytes_buf(key->seed, sizeof key->seed);
	if (crypto_sign_seed_keypair(key->pk, key->sk, key->seed) != 0) {
		rc = FWS_ECRYPTO;
		goto out;
	}
	fws_keyid(key->pk, key->keyid);
	fws_sign_key_close(key);
	*out = key;
	key = NULL;
	rc = 0;
out:
	fws_secret_key_free(key);
	return rc;
}

void fws_secret_key_public(const struct fws_secret_key *key, uint8_t public_key[32],
			   uint8_t keyid[32])
{
	if (key == NULL || fws_sign_key_open(key) != 0) {
		/* No way to report an error here: hand out a key that can
		 * never verify anything rather than stale bytes. */
		memset(public_key, 0, 32);
		memset(keyid, 0, 32);
		return;
	}
	memcpy(public_key, key->pk, 32);
	memcpy(keyid, key->keyid, 32);
	fws_sign_key_close(key);
}

static int kdf_limits(enum fws_kdf_level level, unsigned long long *ops, size_t *mem)
{
	switch (level) {
	case FWS_KDF_INTERACTIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
		return 0;
	case FWS_KDF_MODERATE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
		return 0;
	case FWS_KDF_SENSITIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
		return 0;
	}
	return FWS_EUSAGE;
}

/* Derives the secretbox key from the passphrase. Failure here is almost
 * always Argon2id failing to get its memory. */
static int derive_key(uint8_t *box_key, const char *pass, size_t pass_len, const uint8_t *salt,
		      unsigned long long ops, size_t mem)
{
	if (crypto_pwhash(box_key, BOX_KEY_LEN, pass, pass_len, salt, ops, mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return FWS_ENOMEM;
	return 0;
}

/* json_dumps plus the trailing newline every fwseal text file ends with. */
static int dump_json(const json_t *doc, size_t flags, char **out, size_t *out_len)
{
	char *text = json_dumps(doc, flags);
	char *buf;
	size_t len;

	if (text == NULL)
		return FWS_ENOMEM;
	len = strlen(text);
	buf = malloc(len + 2);
	if (buf == NULL) {
		free(text);
		return FWS_ENOMEM;
	}
	memcpy(buf, text, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	free(text);
	*out = buf;
	*out_len = len + 1;
	return 0;
}

static int public_file_json(const uint8_t *pk, const uint8_t *keyid, char **out, size_t *out_len)
{
	char pk_hex[2 * PK_LEN + 1], keyid_hex[2 * 32 + 1];
	json_t *doc;
	int rc;

	fws_hex_encode(pk_hex, pk, PK_LEN);
	fws_hex_encode(keyid_hex, keyid, 32);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:i}", "keyid", keyid_hex, "keytype", "ed25519",
			"public", pk_hex, "type", TYPE_PUBLIC, "version", 1);
	if (doc == NULL)
		return FWS_ENOMEM;
	rc = dump_json(doc, JSON_COMPACT | JSON_SORT_KEYS, out, out_len);
	json_decref(doc);
	return rc;
}

/* Encrypts the (open) key's seed under pass with fresh salt and nonce and
 * renders the secret key file. */
static int secret_file_json(const struct fws_secret_key *key, const char *pass, size_t pass_len,
			    enum fws_kdf_level level, char **out, size_t *out_len)
{
	uint8_t salt[SALT_LEN], nonce[NONCE_LEN], ct[CT_LEN];
	char salt_hex[2 * SALT_LEN + 1], nonce_hex[2 * NONCE_LEN + 1], ct_hex[2 * CT_LEN + 1];
	char pk_hex[2 * PK_LEN + 1], keyid_hex[2 * 32 + 1];
	unsigned long long ops;
	size_t mem;
	uint8_t *box_key = NULL;
	json_t *doc = NULL;
	int rc;

	rc = kdf_limits(level, &ops, &mem);
	if (rc != 0)
		goto out;
	box_key = sodium_malloc(BOX_KEY_LEN);
	if (box_key == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(nonce, sizeof nonce);
	rc = derive_key(box_key, pass, pass_len, salt, ops, mem);
	if (rc != 0)
		goto out;
	if (crypto_secretbox_easy(ct, key->seed, SEED_LEN, nonce, box_key) != 0) {
		rc = FWS_ECRYPTO;
		goto out;
	}
	fws_hex_encode(salt_hex, salt, sizeof salt);
	fws_hex_encode(nonce_hex, nonce, sizeof nonce);
	fws_hex_encode(ct_hex, ct, sizeof ct);
	fws_hex_encode(pk_hex, key->pk, PK_LEN);
	fws_hex_encode(keyid_hex, key->keyid, 32);
	doc = json_pack("{s:s, s:i, s:s, s:s, s:{s:s, s:I, s:I, s:s}, s:{s:s, s:s, s:s}}", "type",
			TYPE_SECRET, "version", 1, "keyid", keyid_hex, "public", pk_hex, "kdf",
			"alg", KDF_ALG, "opslimit", (json_int_t)ops, "memlimit", (json_int_t)mem,
			"salt", salt_hex, "cipher", "alg", CIPHER_ALG, "nonce", nonce_hex,
			"ciphertext", ct_hex);
	if (doc == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	rc = dump_json(doc, JSON_INDENT(2) | JSON_SORT_KEYS, out, out_len);
out:
	json_decref(doc);
	sodium_free(box_key);
	return rc;
}

static int path_with_suffix(const char *base, const char *suffix, char **out)
{
	size_t blen = strlen(base), slen = strlen(suffix);

	*out = malloc(blen + slen + 1);
	if (*out == NULL)
		return FWS_ENOMEM;
	memcpy(*out, base, blen);
	memcpy(*out + blen, suffix, slen + 1);
	return 0;
}

/* 0 if nothing (not even a dangling link) is at path, FWS_EEXIST if something is. */
static int check_absent(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return FWS_EEXIST;
	return errno == ENOENT ? 0 : FWS_EIO;
}

int fws_secret_key_check_absent(const char *base)
{
	char *key_path = NULL, *pub_path = NULL;
	int rc = path_with_suffix(base, ".key", &key_path);
	if (rc == 0)
		rc = path_with_suffix(base, ".pub", &pub_path);
	if (rc == 0 && (rc = check_absent(key_path)) != 0)
		(void)fws_diag_set(rc, 0, key_path, "already exists (keys are never replaced)");
	else if (rc == 0 && (rc = check_absent(pub_path)) != 0)
		(void)fws_diag_set(rc, 0, pub_path, "already exists (keys are never replaced)");
	free(key_path);
	free(pub_path);
	return rc;
}

int fws_secret_key_save(const struct fws_secret_key *key, const char *base, const char *passphrase,
			size_t passphrase_len, enum fws_kdf_level level)
{
	char *key_path = NULL, *pub_path = NULL, *key_json = NULL, *pub_json = NULL;
	size_t key_len = 0, pub_len = 0;
	int rc, opened = 0;

	/* An empty passphrase would leave the seed protected by nothing but
	 * the file mode. */
	if (key == NULL || base == NULL || base[0] == '\0' || passphrase == NULL ||
	    passphrase_len == 0)
		return FWS_EUSAGE;
	rc = path_with_suffix(base, ".key", &key_path);
	if (rc != 0)
		goto out;
	rc = path_with_suffix(base, ".pub", &pub_path);
	if (rc != 0)
		goto out;
	/* Fail before the slow KDF and before writing anything: an existing key
	 * must never be replaced, and half a new pair is worse than none. The
	 * O_EXCL create below is what actually guarantees it. */
	rc = check_absent(key_path);
	if (rc == 0)
		rc = check_absent(pub_path);
	if (rc != 0)
		goto out;
	rc = fws_sign_key_open(key);
	if (rc != 0)
		goto out;
	opened = 1;
	rc = secret_file_json(key, passphrase, passphrase_len, level, &key_json, &key_len);
	if (rc != 0)
		goto out;
	rc = public_file_json(key->pk, key->keyid, &pub_json, &pub_len);
	if (rc != 0)
		goto out;
	fws_sign_key_close(key);
	opened = 0;
	rc = fws_file_write_atomic(key_path, key_json, key_len, 0600, FWS_OUT_NEW, NULL, 0);
	if (rc != 0)
		goto out;
	rc = fws_file_write_atomic(pub_path, pub_json, pub_len, 0644, FWS_OUT_NEW, NULL, 0);
	if (rc != 0) {
		/* We created key_path exclusively a moment ago, so it is ours to
		 * remove; a secret key without its public key is a trap. */
		(void)unlink(key_path);
		goto out;
	}
out:
	if (opened)
		fws_sign_key_close(key);
	free(key_json);
	free(pub_json);
	free(key_path);
	free(pub_path);
	return rc;
}

/* Reads a whole key file. For a secret key the permissions are checked on
 * the descriptor that is then read (no window between check and use), and
 * before anything is parsed or decrypted: a key others can read must be
 * treated as compromised, not used. */
static int read_key_file(const char *path, int secret, char **out, size_t *out_len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fws_diag_set(fws_errno_code(errno), errno, path, "cannot open");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int dir = S_ISDIR(st.st_mode);
		close(fd);
		return dir ? fws_diag_set(FWS_EKEYFILE, EISDIR, path, "not a key file")
			   : fws_diag_set(FWS_EKEYFILE, 0, path, "not a regular file");
	}
	rc = fws_io_read_all_fd(fd, path, KEYFILE_MAX, &buf, &len);
	close(fd);
	if (rc == FWS_ELIMIT)
		rc = fws_diag_set(FWS_EKEYFILE, 0, path, "larger than a key file can be");
	if (rc != 0)
		return rc;
	/* Checked on the descriptor that was read, before anything is parsed
	 * or decrypted: a key others can read must be treated as compromised,
	 * not used. A public key given by mistake is named as such. */
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rc = strstr((const char *)buf, "\"fwseal-public-key\"") != NULL
			 ? fws_diag_set(FWS_EKEYFILE, 0, path,
					"a public key (.pub), not the secret key (.key) needed here")
			 : fws_diag_set(FWS_EKEYPERM, 0, path,
					"readable by group or others (mode %04o): chmod 600 it",
					(unsigned)(st.st_mode & 07777));
		free(buf);
		return rc;
	}
	*out = (char *)buf;
	*out_len = len;
	return 0;
}

/* Strict JSON: no duplicate keys (a second "public" must not be able to hide
 * behind the first), no trailing data, no NUL inside strings. */
static int parse_json(const char *buf, size_t len, json_t **out)
{
	json_error_t err;

	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (*out == NULL)
		return fws_json_syntax_error(FWS_EKEYFILE, &err);
	if (!json_is_object(*out)) {
		int rc =
		    fws_diag_set(FWS_EKEYFILE, 0, NULL, "the top level must be an object, not %s",
				 fws_json_type_name(*out));
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

/* Any field error of a key file is FWS_EKEYFILE; the description stays. */
static int keyfile_error(int rc)
{
	return fws_json_recode(fws_json_recode(rc, FWS_ESCHEMA, FWS_EKEYFILE), FWS_ELIMIT,
			       FWS_EKEYFILE);
}

/* Exactly these keys: none missing, none unknown. */
static int expect_keys(const json_t *obj, const char *const *names, size_t n)
{
	return keyfile_error(fws_json_check_keys(obj, names, n, NULL, 0));
}

static int expect_string(const json_t *obj, const char *name, const char *value)
{
	char q[FWS_JSON_QUOTE_CAP];
	const char *s;
	size_t n;
	int rc = fws_json_get_string(obj, name, 64, FWS_EKEYFILE, &s, &n);

	if (rc != 0)
		return keyfile_error(rc);
	if (strcmp(s, value) != 0)
		return fws_diag_set(FWS_EKEYFILE, 0, name, "%s is not \"%s\"",
				    fws_json_quote(q, s, n), value);
	return 0;
}

/* The "type" field, naming the common mix-up of the two files. */
static int expect_type(const json_t *doc, const char *want)
{
	const json_t *v = json_object_get(doc, "type");
	int want_secret = strcmp(want, TYPE_SECRET) == 0;

	if (json_is_string(v) &&
	    strcmp(json_string_value(v), want_secret ? TYPE_PUBLIC : TYPE_SECRET) == 0)
		return fws_diag_set(
		    FWS_EKEYFILE, 0, NULL,
		    want_secret ? "a public key (.pub), not the secret key (.key) needed here"
				: "a secret key (.key), not the public key (.pub) needed here");
	return expect_string(doc, "type", want);
}

static int expect_version(const json_t *obj)
{
	uint64_t v;

	return keyfile_error(fws_json_get_uint(obj, "version", 1, 1, &v));
}

/* Exactly 2*len lowercase hex digits. */
static int get_hex(const json_t *obj, const char *name, uint8_t *out, size_t len)
{
	return keyfile_error(fws_json_get_hex(obj, name, out, len));
}

/* An integer KDF parameter within [min, max]. Outside it is FWS_ELIMIT: the
 * upper bounds keep a hostile file from making Argon2id take a terabyte of
 * memory or hours of CPU. */
static int get_limit(const json_t *obj, const char *name, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	const json_t *v = json_object_get(obj, name);
	json_int_t n;

	if (!json_is_integer(v))
		return fws_diag_set(FWS_EKEYFILE, 0, NULL, "\"%s\" must be an integer, not %s",
				    name, fws_json_type_name(v));
	n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n < min || (unsigned long long)n > max)
		return fws_diag_set(FWS_ELIMIT, 0, name,
				    "%lld is not between %llu and %llu (the limits fwseal accepts)",
				    (long long)n, min, max);
	*out = (unsigned long long)n;
	return 0;
}

static const char *const public_keys[] = {"keyid", "keytype", "public", "type", "version"};
static const char *const secret_keys[] = {"cipher", "kdf", "keyid", "public", "type", "version"};
static const char *const kdf_keys[] = {"alg", "memlimit", "opslimit", "salt"};
static const char *const cipher_keys[] = {"alg", "ciphertext", "nonce"};

/* Exact key set: with the size fixed and every expected key present, no
 * unknown key can be there. */
static int parse_public(const json_t *doc, uint8_t *pk, uint8_t *keyid)
{
	int rc = expect_type(doc, TYPE_PUBLIC);
	if (rc == 0)
		rc = expect_keys(doc, public_keys, 5);
	if (rc == 0)
		rc = expect_version(doc);
	if (rc == 0)
		rc = expect_string(doc, "keytype", "ed25519");
	if (rc == 0)
		rc = get_hex(doc, "public", pk, PK_LEN);
	if (rc == 0)
		rc = get_hex(doc, "keyid", keyid, 32);
	return rc;
}

static int parse_secret(const json_t *doc, struct secret_file *sf)
{
	const json_t *kdf = json_object_get(doc, "kdf");
	const json_t *cipher = json_object_get(doc, "cipher");
	unsigned long long mem = 0;
	int rc;

	rc = expect_type(doc, TYPE_SECRET);
	if (rc == 0)
		rc = expect_keys(doc, secret_keys, 6);
	if (rc == 0)
		rc = expect_version(doc);
	if (rc == 0)
		rc = get_hex(doc, "keyid", sf->keyid, 32);
	if (rc == 0)
		rc = get_hex(doc, "public", sf->public_key, PK_LEN);
	if (rc == 0)
		rc = keyfile_error(fws_json_get_object(doc, "kdf", kdf_keys, 4, NULL, 0, NULL));
	if (rc == 0)
		rc = fws_json_within(expect_string(kdf, "alg", KDF_ALG), "kdf");
	if (rc == 0)
		rc = fws_json_within(get_hex(kdf, "salt", sf->salt, SALT_LEN), "kdf");
	if (rc == 0)
		rc = keyfile_error(
		    fws_json_get_object(doc, "cipher", cipher_keys, 3, NULL, 0, NULL));
	if (rc == 0)
		rc = fws_json_within(expect_string(cipher, "alg", CIPHER_ALG), "cipher");
	if (rc == 0)
		rc = fws_json_within(get_hex(cipher, "nonce", sf->nonce, NONCE_LEN), "cipher");
	if (rc == 0)
		rc = fws_json_within(get_hex(cipher, "ciphertext", sf->ciphertext, CT_LEN),
				     "cipher");
	if (rc != 0)
		return rc;
	/* Limits last, so a file that is malformed anyway says so. */
	rc = get_limit(kdf, "opslimit", crypto_pwhash_argon2id_OPSLIMIT_MIN,
		       crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE, &sf->opslimit);
	if (rc == 0)
		rc = get_limit(kdf, "memlimit", crypto_pwhash_argon2id_MEMLIMIT_MIN,
			       crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE, &mem);
	if (rc != 0)
		return fws_json_within(rc, "kdf");
	sf->memlimit = (size_t)mem;
	return 0;
}

static int keyid_matches(const uint8_t *pk, const uint8_t *keyid)
{
	uint8_t computed[32];

	fws_keyid(pk, computed);
	return memcmp(computed, keyid, 32) == 0;
}

int fws_secret_key_load(const char *path, const char *passphrase, size_t passphrase_len,
			struct fws_secret_key **out)
{
	struct secret_file sf;
	struct fws_secret_key *key = NULL;
	uint8_t *box_key = NULL;
	json_t *doc = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (out == NULL || path == NULL || (passphrase == NULL && passphrase_len != 0))
		return FWS_EUSAGE;
	*out = NULL;
	if (passphrase == NULL)
		passphrase = "";
	rc = read_key_file(path, 1, &buf, &len);
	if (rc != 0)
		goto out;
	rc = parse_json(buf, len, &doc);
	if (rc != 0)
		goto out;
	rc = parse_secret(doc, &sf);
	if (rc != 0)
		goto out;
	/* Cheap consistency check before the expensive KDF. */
	if (!keyid_matches(sf.public_key, sf.keyid)) {
		rc = fws_diag_set(FWS_EKEYFILE, 0, "keyid", "not the SHA-256 of public");
		goto out;
	}
	rc = key_alloc(&key);
	if (rc != 0)
		goto out;
	box_key = sodium_malloc(BOX_KEY_LEN);
	if (box_key == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	rc = derive_key(box_key, passphrase, passphrase_len, sf.salt, sf.opslimit, sf.memlimit);
	if (rc != 0)
		goto out;
	/* Poly1305 authenticates the seed: a wrong passphrase, or any change
	 * to the salt, KDF parameters, nonce or ciphertext, fails here. */
	if (crypto_secretbox_open_easy(key->seed, sf.ciphertext, CT_LEN, sf.nonce, box_key) != 0) {
		rc = FWS_EPASSPHRASE;
		goto out;
	}
	if (crypto_sign_seed_keypair(key->pk, key->sk, key->seed) != 0) {
		rc = FWS_ECRYPTO;
		goto out;
	}
	/* "public" and "keyid" are outside the AEAD: if they were swapped for
	 * another key's, signatures would be labelled with the wrong key. */
	if (memcmp(key->pk, sf.public_key, PK_LEN) != 0) {
		rc =
		    fws_diag_set(FWS_EKEYFILE, 0, "public",
				 "not the public key of the encrypted seed (the file was altered)");
		goto out;
	}
	memcpy(key->keyid, sf.keyid, 32);
	fws_sign_key_close(key);
	*out = key;
	key = NULL;
	rc = 0;
out:
	fws_secret_key_free(key);
	sodium_free(box_key);
	json_decref(doc);
	free(buf);
	return rc;
}

int fws_secret_key_change_passphrase(const char *path, const char *old_pass, size_t old_len,
				     const char *new_pass, size_t new_len, enum fws_kdf_level level,
				     const char *const *inputs, size_t n_inputs)
{
	struct fws_secret_key *key = NULL;
	char *json = NULL;
	size_t json_len = 0;
	int rc, opened = 0;

	if (path == NULL || new_pass == NULL || new_len == 0)
		return FWS_EUSAGE;
	rc = fws_output_check(path, FWS_OUT_UPDATE, inputs, n_inputs);
	if (rc == 0)
		rc = fws_secret_key_load(path, old_pass, old_len, &key);
	if (rc != 0)
		goto out;
	rc = fws_sign_key_open(key);
	if (rc != 0)
		goto out;
	opened = 1;
	rc = secret_file_json(key, new_pass, new_len, level, &json, &json_len);
	if (rc != 0)
		goto out;
	/* Atomic replace: a crash leaves either the old file or the new one,
	 * never a key that no passphrase opens. */
	rc = fws_file_write_atomic(path, json, json_len, 0600, FWS_OUT_UPDATE, inputs, n_inputs);
out:
	if (opened)
		fws_sign_key_close(key);
	fws_secret_key_free(key);
	free(json);
	return rc;
}

int fws_public_key_save(const char *path, const uint8_t public_key[32])
{
	uint8_t keyid[32];
	char *json = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL || public_key == NULL)
		return FWS_EUSAGE;
	fws_keyid(public_key, keyid);
	rc = public_file_json(public_key, keyid, &json, &len);
	if (rc == 0)
		rc = fws_file_write_atomic(path, json, len, 0644, FWS_OUT_NEW, NULL, 0);
	free(json);
	return rc;
}

int fws_public_key_load(const char *path, uint8_t public_key[32], uint8_t keyid[32])
{
	uint8_t pk[PK_LEN], id[32];
	json_t *doc = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL || public_key == NULL || keyid == NULL)
		return FWS_EUSAGE;
	rc = read_key_file(path, 0, &buf, &len);
	if (rc != 0)
		goto out;
	rc = parse_json(buf, len, &doc);
	if (rc != 0)
		goto out;
	rc = parse_public(doc, pk, id);
	if (rc != 0)
		goto out;
	if (!keyid_matches(pk, id)) {
		rc = fws_diag_set(FWS_EKEYID, 0, "keyid", "not the SHA-256 of public");
		goto out;
	}
	memcpy(public_key, pk, PK_LEN);
	memcpy(keyid, id, 32);
out:
	json_decref(doc);
	free(buf);
	return rc;
}

int fws_key_file_public(const char *path, uint8_t public_key[32], uint8_t keyid[32], int *is_secret)
{
	struct secret_file sf;
	uint8_t pk[PK_LEN], id[32];
	json_t *doc = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc, secret;

	if (path == NULL || public_key == NULL || keyid == NULL)
		return FWS_EUSAGE;
	/* No permission check: only the public half is read, never decrypted. */
	rc = read_key_file(path, 0, &buf, &len);
	if (rc != 0)
		goto out;
	rc = parse_json(buf, len, &doc);
	if (rc != 0)
		goto out;
	/* A probe, not a check: it records nothing. */
	secret = json_is_string(json_object_get(doc, "type")) &&
		 strcmp(json_string_value(json_object_get(doc, "type")), TYPE_SECRET) == 0;
	if (secret) {
		rc = parse_secret(doc, &sf);
		if (rc == 0) {
			memcpy(pk, sf.public_key, PK_LEN);
			memcpy(id, sf.keyid, 32);
		}
	} else {
		rc = parse_public(doc, pk, id);
	}
	if (rc != 0)
		goto out;
	if (!keyid_matches(pk, id)) {
		rc = fws_diag_set(FWS_EKEYID, 0, "keyid", "not the SHA-256 of public");
		goto out;
	}
	memcpy(public_key, pk, PK_LEN);
	memcpy(keyid, id, 32);
	if (is_secret != NULL)
		*is_secret = secret;
out:
	json_decref(doc);
	free(buf);
	return rc;
}
