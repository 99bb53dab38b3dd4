/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-KEY-001, REQ-KEY-002 */
/* Key files: round trips, and every way a secret or public key file can be
 * wrong, tampered with or exposed. KDF level INTERACTIVE keeps them fast. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

#define PASS "correct horse battery staple"
#define PASS_LEN (sizeof PASS - 1)

static char dir[64];
static char base[128], key_path[160], pub_path[160];

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
	snprintf(dir, sizeof dir, "/tmp/fwseal-keyfile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(base, sizeof base, "%s/k", dir);
	snprintf(key_path, sizeof key_path, "%s.key", base);
	snprintf(pub_path, sizeof pub_path, "%s.pub", base);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(sign_keyfile, .init = setup, .fini = teardown, .timeout = 60);

/* Generates a key into base.{key,pub}; returns its key ID. */
static void make_key(const char *b, uint8_t keyid[32], uint8_t pk[32])
{
	struct fws_secret_key *key = NULL;
	uint8_t pk_buf[32], id_buf[32];

	cr_assert_eq(fws_secret_key_generate(&key), 0);
	cr_assert_eq(fws_secret_key_save(key, b, PASS, PASS_LEN, FWS_KDF_INTERACTIVE), 0);
	fws_secret_key_public(key, pk != NULL ? pk : pk_buf, keyid != NULL ? keyid : id_buf);
	fws_secret_key_free(key);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "open %s", path);
	char *buf = malloc(65536);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Overwrites path in place, keeping its mode. */
static void spit(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static json_t *load_doc(const char *path)
{
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	cr_assert_not_null(doc, "%s: %s", path, err.text);
	return doc;
}

static void store_doc(const char *path, json_t *doc)
{
	char *text = json_dumps(doc, JSON_SORT_KEYS);
	cr_assert_not_null(text);
	spit(path, text, strlen(text));
	free(text);
	json_decref(doc);
}

static int load(const char *path, const char *pass)
{
	struct fws_secret_key *key = NULL;
	int rc = fws_secret_key_load(path, pass, strlen(pass), &key);
	if (rc == 0)
		cr_assert_not_null(key);
	else
		cr_assert_null(key);
	fws_secret_key_free(key);
	return rc;
}

/* Flips the low bit of one hex digit of a string field. */
static void flip_hex(json_t *obj, const char *name, size_t at)
{
	char s[256];
	const char *v = json_string_value(json_object_get(obj, name));
	cr_assert_not_null(v);
	snprintf(s, sizeof s, "%s", v);
	/* value ^ 1 keeps it lowercase hex and flipping twice restores it */
	unsigned d = (unsigned)(s[at] <= '9' ? s[at] - '0' : s[at] - 'a' + 10) ^ 1u;
	s[at] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
	cr_assert_eq(json_object_set_new(obj, name, json_string(s)), 0);
}

Test(sign_keyfile, round_trip)
{
	uint8_t id[32], pk[32], id2[32], pk2[32];
	struct fws_secret_key *key = NULL;
	struct stat st;
	int is_secret = -1;

	make_key(base, id, pk);
	cr_assert_eq(stat(key_path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat(pub_path, &st), 0);
	mode_t mask = umask(0);
	umask(mask);
	cr_assert_eq(st.st_mode & 0777, 0644 & ~mask);

	cr_assert_eq(fws_secret_key_load(key_path, PASS, PASS_LEN, &key), 0);
	fws_secret_key_public(key, pk2, id2);
	fws_secret_key_free(key);
	cr_assert_arr_eq(pk, pk2, 32);
	cr_assert_arr_eq(id, id2, 32);

	/* key ID is SHA-256 of the public key */
	fws_keyid(pk, id2);
	cr_assert_arr_eq(id, id2, 32);

	memset(pk2, 0, 32);
	cr_assert_eq(fws_public_key_load(pub_path, pk2, id2), 0);
	cr_assert_arr_eq(pk, pk2, 32);
	cr_assert_arr_eq(id, id2, 32);

	cr_assert_eq(fws_key_file_public(key_path, pk2, id2, &is_secret), 0);
	cr_assert_eq(is_secret, 1);
	cr_assert_arr_eq(id, id2, 32);
	cr_assert_eq(fws_key_file_public(pub_path, pk2, id2, &is_secret), 0);
	cr_assert_eq(is_secret, 0);
	cr_assert_arr_eq(id, id2, 32);
}

Test(sign_keyfile, public_file_is_exact)
{
	uint8_t id[32], pk[32];
	char id_hex[65], pk_hex[65], want[512];
	size_t len;

	make_key(base, id, pk);
	fws_hex_encode(id_hex, id, 32);
	fws_hex_encode(pk_hex, pk, 32);
	snprintf(want, sizeof want,
		 "{\"keyid\":\"%s\",\"keytype\":\"ed25519\",\"public\":\"%s\","
		 "\"type\":\"fwseal-public-key\",\"version\":1}\n",
		 id_hex, pk_hex);
	char *got = slurp(pub_path, &len);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(sign_keyfile, two_keys_differ)
{
	uint8_t a[32], b[32];
	char other[160];

	make_key(base, a, NULL);
	snprintf(other, sizeof other, "%s/other", dir);
	make_key(other, b, NULL);
	cr_assert_arr_neq(a, b, 32);
}

Test(sign_keyfile, wrong_passphrase)
{
	make_key(base, NULL, NULL);
	cr_assert_eq(load(key_path, "correct horse battery stapler"), FWS_EPASSPHRASE);
	cr_assert_eq(load(key_path, ""), FWS_EPASSPHRASE);
	cr_assert_eq(load(key_path, PASS), 0);
}

Test(sign_keyfile, group_or_other_access_refused)
{
	static const mode_t modes[] = {0644, 0640, 0604, 0610, 0601, 0660};

	make_key(base, NULL, NULL);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		cr_assert_eq(chmod(key_path, modes[i]), 0);
		/* refused before decryption: even the right passphrase fails */
		cr_assert_eq(load(key_path, PASS), FWS_EKEYPERM, "mode %o", (unsigned)modes[i]);
	}
	cr_assert_eq(chmod(key_path, 0400), 0);
	cr_assert_eq(load(key_path, PASS), 0);
}

Test(sign_keyfile, tampered_ciphertext)
{
	make_key(base, NULL, NULL);
	for (size_t at = 0; at < 96; at += 19) {
		json_t *doc = load_doc(key_path);
		flip_hex(json_object_get(doc, "cipher"), "ciphertext", at);
		store_doc(key_path, doc);
		cr_assert_eq(load(key_path, PASS), FWS_EPASSPHRASE, "flip at %zu", at);
		/* restore by flipping back */
		doc = load_doc(key_path);
		flip_hex(json_object_get(doc, "cipher"), "ciphertext", at);
		store_doc(key_path, doc);
		cr_assert_eq(load(key_path, PASS), 0);
	}
}

Test(sign_keyfile, tampered_kdf_params_nonce_salt)
{
	json_t *doc;

	make_key(base, NULL, NULL);
	doc = load_doc(key_path);
	flip_hex(json_object_get(doc, "cipher"), "nonce", 5);
	store_doc(key_path, doc);
	cr_assert_eq(load(key_path, PASS), FWS_EPASSPHRASE);

	unlink(key_path);
	unlink(pub_path);
	make_key(base, NULL, NULL);
	doc = load_doc(key_path);
	flip_hex(json_object_get(doc, "kdf"), "salt", 7);
	store_doc(key_path, doc);
	cr_assert_eq(load(key_path, PASS), FWS_EPASSPHRASE);

	unlink(key_path);
	unlink(pub_path);
	make_key(base, NULL, NULL);
	doc = load_doc(key_path);
	json_object_set_new(json_object_get(doc, "kdf"), "opslimit", json_integer(3));
	store_doc(key_path, doc);
	cr_assert_eq(load(key_path, PASS), FWS_EPASSPHRASE);
}

Test(sign_keyfile, tampered_public)
{
	make_key(base, NULL, NULL);
	json_t *doc = load_doc(key_path);
	flip_hex(doc, "public", 10);
	store_doc(key_path, doc);
	cr_assert_eq(load(key_path, PASS), FWS_EKEYFILE);
}

Test(sign_keyfile, tampered_keyid)
{
	make_key(base, NULL, NULL);
	json_t *doc = load_doc(key_path);
	flip_hex(doc, "keyid", 63);
	store_doc(key_path, doc);
	cr_assert_eq(load(key_path, PASS), FWS_EKEYFILE);
	uint8_t pk[32], id[32];
	cr_assert_eq(fws_key_file_public(key_path, pk, id, NULL), FWS_EKEYID);
}

/* public and keyid replaced consistently by another key's: the keyid check
 * passes, only the check after decryption can catch it. */
Test(sign_keyfile, swapped_public)
{
	char other[160], other_key[170];

	make_key(base, NULL, NULL);
	snprintf(other, sizeof other, "%s/other", dir);
	snprintf(other_key, sizeof other_key, "%s.key", other);
	make_key(other, NULL, NULL);
	json_t *theirs = load_doc(other_key);
	json_t *doc = load_doc(key_path);
	json_object_set(doc, "public", json_object_get(theirs, "public"));
	json_object_set(doc, "keyid", json_object_get(theirs, "keyid"));
	json_decref(theirs);
	store_doc(key_path, doc);
	cr_assert_eq(load(key_path, PASS), FWS_EKEYFILE);
}

Test(sign_keyfile, hostile_kdf_limits)
{
	static const struct {
		const char *field;
		json_int_t value;
	} cases[] = {
	    {"memlimit", 1000000000000LL}, /* 1 TB: must not even be attempted */
	    {"memlimit", 1073741825LL},	   /* SENSITIVE + 1 */
	    {"memlimit", 8191},		   /* below Argon2id's minimum */
	    {"memlimit", -1},
	    {"opslimit", 0},
	    {"opslimit", 5},
	    {"opslimit", 4294967296LL},
	};

	make_key(base, NULL, NULL);
	size_t len;
	char *orig = slurp(key_path, &len);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		spit(key_path, orig, len);
		json_t *doc = load_doc(key_path);
		json_object_set_new(json_object_get(doc, "kdf"), cases[i].field,
				    json_integer(cases[i].value));
		store_doc(key_path, doc);
		cr_assert_eq(load(key_path, PASS), FWS_ELIMIT, "%s=%lld", cases[i].field,
			     (long long)cases[i].value);
	}
	free(orig);
}

Test(sign_keyfile, every_truncation_rejected)
{
	make_key(base, NULL, NULL);
	size_t len;
	char *orig = slurp(key_path, &len);
	for (size_t cut = 0; cut < len - 1; cut++) {
		spit(key_path, orig, cut);
		cr_assert_eq(load(key_path, PASS), FWS_EKEYFILE, "cut at %zu", cut);
	}
	/* the trailing newline alone is optional whitespace */
	spit(key_path, orig, len - 1);
	cr_assert_eq(load(key_path, PASS), 0);
	free(orig);
}

static void expect_mutation(void (*mutate)(json_t *), int want)
{
	make_key(base, NULL, NULL);
	json_t *doc = load_doc(key_path);
	mutate(doc);
	store_doc(key_path, doc);
	cr_assert_eq(load(key_path, PASS), want);
}

static void add_unknown(json_t *d)
{
	json_object_set_new(d, "comment", json_string("hi"));
}
static void add_unknown_kdf(json_t *d)
{
	json_object_set_new(json_object_get(d, "kdf"), "p", json_integer(1));
}
static void add_unknown_cipher(json_t *d)
{
	json_object_set_new(json_object_get(d, "cipher"), "ad", json_string(""));
}
static void drop_salt(json_t *d)
{
	json_object_del(json_object_get(d, "kdf"), "salt");
}
static void drop_version(json_t *d)
{
	json_object_del(d, "version");
}
static void version_2(json_t *d)
{
	json_object_set_new(d, "version", json_integer(2));
}
static void version_real(json_t *d)
{
	json_object_set_new(d, "version", json_real(1.0));
}
static void wrong_type(json_t *d)
{
	json_object_set_new(d, "type", json_string("fwseal-public-key"));
}
static void wrong_kdf(json_t *d)
{
	json_object_set_new(json_object_get(d, "kdf"), "alg", json_string("scrypt"));
}
static void wrong_cipher(json_t *d)
{
	json_object_set_new(json_object_get(d, "cipher"), "alg", json_string("aes256gcm"));
}
static void upper_hex(json_t *d)
{
	char s[65];
	snprintf(s, sizeof s, "%s", json_string_value(json_object_get(d, "public")));
	for (char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	json_object_set_new(d, "public", json_string(s));
}
static void short_salt(json_t *d)
{
	json_object_set_new(json_object_get(d, "kdf"), "salt", json_string("00"));
}
static void long_ciphertext(json_t *d)
{
	char s[128];
	json_t *c = json_object_get(d, "cipher");
	snprintf(s, sizeof s, "%s00", json_string_value(json_object_get(c, "ciphertext")));
	json_object_set_new(c, "ciphertext", json_string(s));
}
static void memlimit_string(json_t *d)
{
	json_object_set_new(json_object_get(d, "kdf"), "memlimit", json_string("67108864"));
}
static void kdf_not_object(json_t *d)
{
	json_object_set_new(d, "kdf", json_array());
}

Test(sign_keyfile, unknown_field)
{
	expect_mutation(add_unknown, FWS_EKEYFILE);
}
Test(sign_keyfile, unknown_kdf_field)
{
	expect_mutation(add_unknown_kdf, FWS_EKEYFILE);
}
Test(sign_keyfile, unknown_cipher_field)
{
	expect_mutation(add_unknown_cipher, FWS_EKEYFILE);
}
Test(sign_keyfile, missing_salt)
{
	expect_mutation(drop_salt, FWS_EKEYFILE);
}
Test(sign_keyfile, missing_version)
{
	expect_mutation(drop_version, FWS_EKEYFILE);
}
Test(sign_keyfile, version_2)
{
	expect_mutation(version_2, FWS_EKEYFILE);
}
Test(sign_keyfile, version_real)
{
	expect_mutation(version_real, FWS_EKEYFILE);
}
Test(sign_keyfile, public_type_in_secret_file)
{
	expect_mutation(wrong_type, FWS_EKEYFILE);
}
Test(sign_keyfile, unknown_kdf)
{
	expect_mutation(wrong_kdf, FWS_EKEYFILE);
}
Test(sign_keyfile, unknown_cipher)
{
	expect_mutation(wrong_cipher, FWS_EKEYFILE);
}
Test(sign_keyfile, uppercase_hex)
{
	expect_mutation(upper_hex, FWS_EKEYFILE);
}
Test(sign_keyfile, short_salt)
{
	expect_mutation(short_salt, FWS_EKEYFILE);
}
Test(sign_keyfile, long_ciphertext)
{
	expect_mutation(long_ciphertext, FWS_EKEYFILE);
}
Test(sign_keyfile, memlimit_as_string)
{
	expect_mutation(memlimit_string, FWS_EKEYFILE);
}
Test(sign_keyfile, kdf_not_object)
{
	expect_mutation(kdf_not_object, FWS_EKEYFILE);
}

/* A second "public" must not hide behind the first. */
Test(sign_keyfile, duplicate_key_rejected)
{
	make_key(base, NULL, NULL);
	size_t len;
	char *orig = slurp(key_path, &len);
	char *brace = strrchr(orig, '}');
	cr_assert_not_null(brace);
	char buf[2048];
	snprintf(buf, sizeof buf, "%.*s, \"version\": 1}\n", (int)(brace - orig), orig);
	spit(key_path, buf, strlen(buf));
	cr_assert_eq(load(key_path, PASS), FWS_EKEYFILE);
	free(orig);
}

Test(sign_keyfile, trailing_garbage_and_oversize)
{
	make_key(base, NULL, NULL);
	size_t len;
	char *orig = slurp(key_path, &len);
	char *buf = malloc(8192);
	memcpy(buf, orig, len);
	memcpy(buf + len, "{}", 2);
	spit(key_path, buf, len + 2);
	cr_assert_eq(load(key_path, PASS), FWS_EKEYFILE);
	/* valid JSON padded with whitespace past 4 KiB */
	memset(buf + len, ' ', 8192 - len);
	spit(key_path, buf, 4097);
	cr_assert_eq(load(key_path, PASS), FWS_EKEYFILE);
	free(buf);
	free(orig);
}

Test(sign_keyfile, not_a_regular_file)
{
	cr_assert_eq(load(dir, PASS), FWS_EKEYFILE);
}

Test(sign_keyfile, missing_file)
{
	char path[200];
	snprintf(path, sizeof path, "%s/none.key", dir);
	cr_assert_eq(load(path, PASS), FWS_ENOENT);
}

Test(sign_keyfile, save_refuses_existing)
{
	struct fws_secret_key *key = NULL;
	size_t klen, plen, klen2, plen2;

	make_key(base, NULL, NULL);
	char *k1 = slurp(key_path, &klen);
	char *p1 = slurp(pub_path, &plen);
	cr_assert_eq(fws_secret_key_generate(&key), 0);
	cr_assert_eq(fws_secret_key_save(key, base, PASS, PASS_LEN, FWS_KDF_INTERACTIVE),
		     FWS_EEXIST);
	char *k2 = slurp(key_path, &klen2);
	char *p2 = slurp(pub_path, &plen2);
	cr_assert_eq(klen, klen2);
	cr_assert_eq(plen, plen2);
	cr_assert_arr_eq(k1, k2, klen);
	cr_assert_arr_eq(p1, p2, plen);

	/* only the .pub exists: refused, and no .key left behind */
	cr_assert_eq(unlink(key_path), 0);
	cr_assert_eq(fws_secret_key_save(key, base, PASS, PASS_LEN, FWS_KDF_INTERACTIVE),
		     FWS_EEXIST);
	cr_assert_eq(access(key_path, F_OK), -1);

	/* a dangling symlink counts as existing */
	cr_assert_eq(unlink(pub_path), 0);
	cr_assert_eq(symlink("/tmp/fwseal-nonexistent-target", key_path), 0);
	cr_assert_eq(fws_secret_key_save(key, base, PASS, PASS_LEN, FWS_KDF_INTERACTIVE),
		     FWS_EEXIST);
	cr_assert_eq(access(pub_path, F_OK), -1);

	fws_secret_key_free(key);
	free(k1);
	free(k2);
	free(p1);
	free(p2);
}

Test(sign_keyfile, empty_passphrase_refused)
{
	struct fws_secret_key *key = NULL;

	cr_assert_eq(fws_secret_key_generate(&key), 0);
	cr_assert_eq(fws_secret_key_save(key, base, "", 0, FWS_KDF_INTERACTIVE), FWS_EUSAGE);
	cr_assert_eq(fws_secret_key_save(key, base, NULL, 0, FWS_KDF_INTERACTIVE), FWS_EUSAGE);
	cr_assert_eq(access(key_path, F_OK), -1);
	cr_assert_eq(access(pub_path, F_OK), -1);
	fws_secret_key_free(key);
}

Test(sign_keyfile, change_passphrase)
{
	uint8_t id[32], pk[32], id2[32], pk2[32];
	struct fws_secret_key *key = NULL;
	struct stat st;

	make_key(base, id, pk);
	cr_assert_eq(fws_secret_key_change_passphrase(key_path, "wrong", 5, "new pass", 8,
						      FWS_KDF_INTERACTIVE, NULL, 0),
		     FWS_EPASSPHRASE);
	cr_assert_eq(load(key_path, PASS), 0);
	cr_assert_eq(fws_secret_key_change_passphrase(key_path, PASS, PASS_LEN, "", 0,
						      FWS_KDF_INTERACTIVE, NULL, 0),
		     FWS_EUSAGE);
	cr_assert_eq(fws_secret_key_change_passphrase(key_path, PASS, PASS_LEN, "new pass", 8,
						      FWS_KDF_INTERACTIVE, NULL, 0),
		     0);
	cr_assert_eq(load(key_path, PASS), FWS_EPASSPHRASE);
	cr_assert_eq(fws_secret_key_load(key_path, "new pass", 8, &key), 0);
	fws_secret_key_public(key, pk2, id2);
	fws_secret_key_free(key);
	cr_assert_arr_eq(id, id2, 32);
	cr_assert_arr_eq(pk, pk2, 32);
	cr_assert_eq(stat(key_path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(sign_keyfile, public_load_rejects_secret_and_bad_keyid)
{
	uint8_t pk[32], id[32];

	make_key(base, NULL, NULL);
	cr_assert_eq(fws_public_key_load(key_path, pk, id), FWS_EKEYFILE);

	json_t *doc = load_doc(pub_path);
	flip_hex(doc, "keyid", 0);
	store_doc(pub_path, doc);
	cr_assert_eq(fws_public_key_load(pub_path, pk, id), FWS_EKEYID);
	cr_assert_eq(fws_key_file_public(pub_path, pk, id, NULL), FWS_EKEYID);

	doc = load_doc(pub_path);
	flip_hex(doc, "keyid", 0);
	json_object_set_new(doc, "keytype", json_string("rsa"));
	store_doc(pub_path, doc);
	cr_assert_eq(fws_public_key_load(pub_path, pk, id), FWS_EKEYFILE);

	doc = load_doc(pub_path);
	json_object_set_new(doc, "keytype", json_string("ed25519"));
	json_object_set_new(doc, "extra", json_true());
	store_doc(pub_path, doc);
	cr_assert_eq(fws_public_key_load(pub_path, pk, id), FWS_EKEYFILE);
}

/* `key passwd --passphrase-file K.key`: a passphrase file that is the key
 * itself (or a link to it) is an input the re-encrypted key must never be
 * written over: FWS_ESAMEFILE, and the key still opens with the old
 * passphrase. */
Test(sign_keyfile, change_passphrase_over_an_input_refused)
{
	char hard[200], sym[200];
	make_key(base, NULL, NULL);
	snprintf(hard, sizeof hard, "%s/hard", dir);
	snprintf(sym, sizeof sym, "%s/sym", dir);
	cr_assert_eq(link(key_path, hard), 0);
	cr_assert_eq(symlink(key_path, sym), 0);
	size_t before_len, after_len;
	char *before = slurp(key_path, &before_len);
	const char *as_input[] = {key_path, hard, sym};
	for (size_t i = 0; i < 3; i++) {
		const char *inputs[] = {as_input[i]};
		int rc = fws_secret_key_change_passphrase(key_path, PASS, PASS_LEN, "new pass", 8,
							  FWS_KDF_INTERACTIVE, inputs, 1);
		cr_assert_eq(rc, FWS_ESAMEFILE, "%s: %s", as_input[i], fws_errname(rc));
	}
	char *after = slurp(key_path, &after_len);
	cr_assert(after_len == before_len && memcmp(after, before, after_len) == 0);
	cr_assert_eq(load(key_path, PASS), 0);
	free(before);
	free(after);
}

/* A key file made read-only by its owner is not re-encrypted behind
 * their back (FWS_OUT_UPDATE refuses a read-only file). */
Test(sign_keyfile, change_passphrase_of_read_only_key_refused)
{
	struct stat st;
	make_key(base, NULL, NULL);
	cr_assert_eq(chmod(key_path, 0400), 0);
	cr_assert_eq(fws_secret_key_change_passphrase(key_path, PASS, PASS_LEN, "new pass", 8,
						      FWS_KDF_INTERACTIVE, NULL, 0),
		     FWS_EIO);
	cr_assert_eq(load(key_path, PASS), 0);
	cr_assert_eq(stat(key_path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0400);
}
