/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the key file parser (lib/sign/keyfile.c): the input is written to
 * a 0600 temporary file, then read with fws_key_file_public (no passphrase)
 * and fws_secret_key_load (a fixed passphrase).
 *
 * Argon2id runs only after the parser accepted the KDF parameters, and the
 * parser's upper bounds are libsodium's "sensitive" level (1 GiB). So:
 *  - parameters above those bounds must be refused before any KDF work
 *    (checked: such inputs never come back FWS_EPASSPHRASE or success, and
 *    if the parser let one through, Argon2id would blow -rss_limit_mb);
 *  - parameters within the bounds but above 1 MiB are legitimate and just
 *    slow: those inputs skip fws_secret_key_load (the limit working). */
#include <jansson.h>
#include <sodium.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "fwseal/keys.h"

#define PASSPHRASE "fuzz-passphrase"
#define FUZZ_MEMLIMIT_MAX (1024 * 1024)

static char path[64];
static int fd = -1;

static void cleanup(void)
{
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

static void open_temp(void)
{
	if (fd >= 0)
		return;
	const char *dir = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/fwseal-fuzz-key.XXXXXX", dir && strlen(dir) < 32 ? dir : "/tmp");
	fd = mkstemp(path); /* mode 0600: a secret key file the loader accepts */
	FUZZ_CHECK(fd >= 0, "mkstemp");
	atexit(cleanup);
}

/* What the file asks of Argon2id, read independently of the parser:
 * 2 = above the parser's limits, 1 = legal but slow, 0 = cheap or unknown. */
static int kdf_cost(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
	json_t *kdf = json_object_get(doc, "kdf");
	json_t *mem = json_object_get(kdf, "memlimit"), *ops = json_object_get(kdf, "opslimit");
	int cost = 0;

	if (json_is_integer(mem) && json_is_integer(ops)) {
		json_int_t m = json_integer_value(mem), o = json_integer_value(ops);
		if (m > (json_int_t)crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE ||
		    o > (json_int_t)crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE)
			cost = 2;
		else if (m > FUZZ_MEMLIMIT_MAX)
			cost = 1;
	}
	json_decref(doc);
	return cost;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pk[32], id[32], pk2[32], id2[32];
	struct fws_secret_key *key = NULL;
	int rc, is_secret = 0, cost;

	fuzz_init();
	open_temp();
	FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate");
	FUZZ_CHECK(size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size, "pwrite");

	rc = fws_key_file_public(path, pk, id, &is_secret);
	fuzz_check_code(rc);
	if (rc == 0) {
		uint8_t want[32];
		fws_keyid(pk, want);
		FUZZ_CHECK(memcmp(want, id, 32) == 0, "key ID checked");
	}

	cost = kdf_cost(data, size);
	if (cost == 1)
		return 0;
	rc = fws_secret_key_load(path, PASSPHRASE, strlen(PASSPHRASE), &key);
	fuzz_check_code(rc);
	if (cost == 2)
		FUZZ_CHECK(rc != 0 && rc != FWS_EPASSPHRASE,
			   "KDF parameters above the limits are refused before Argon2id");
	if (rc == 0) {
		/* A loaded key is consistent with its file's public half. */
		FUZZ_CHECK(key != NULL, "key returned");
		fws_secret_key_public(key, pk2, id2);
		FUZZ_CHECK(fws_key_file_public(path, pk, id, &is_secret) == 0 && is_secret,
			   "a loadable secret key file reads as one");
		FUZZ_CHECK(memcmp(pk, pk2, 32) == 0 && memcmp(id, id2, 32) == 0,
			   "public half matches the decrypted key");
		fws_secret_key_free(key);
	}
	return 0;
}
