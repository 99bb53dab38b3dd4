/* SPDX-License-Identifier: Apache-2.0 */
/* age's X25519 recipient type, byte for byte as age v1 specifies it
 * (docs/format.md §15.3): the signing side wraps the file key for an
 * `age1...` recipient; a device opens its stanza with the secret from a
 * key file or through an integrator's callback (a secure element). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/age_internal.h"
#include "bundle/identity_provider.h"
#include "fwseal/error.h"
#include "io/io.h"

#define X25519_INFO "age-encryption.org/v1/X25519"
#define WRAPPED_LEN (FWS_FILE_KEY_LEN + FWS_ENC_TAG_LEN)

static int x25519_parse(const char *text, struct fws_recipient *out)
{
	uint8_t pk[40];
	long n = fws_bech32_decode(text, "age", pk, sizeof(pk));
	/* Recipients are always lower case: an upper-case age1 string is
	 * another spelling of the same key, refused like any other. */
	for (const char *p = text; n >= 0 && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			n = -1;
	if (n != 32)
		return fws_diag_set(FWS_ERECIPIENTS, 0, text, "not an age X25519 recipient (age1...)");
	memset(out, 0, sizeof(*out));
	memcpy(out->key, pk, 32);
	out->key_len = 32;
	return 0;
}

static void wrap_key(const uint8_t shared[32], const uint8_t eph[32], const uint8_t rcpt[32],
		     uint8_t key[32])
{
	uint8_t salt[64];
	memcpy(salt, eph, 32);
	memcpy(salt + 32, rcpt, 32);
	fws_hkdf_sha256(shared, 32, salt, sizeof(salt), X25519_INFO, key, 32);
}

static int x25519_wrap(const struct fws_recipient *r, const uint8_t file_key[FWS_FILE_KEY_LEN],
		       char args_buf[FWS_STANZA_LINE_MAX], struct fws_stanza *out,
		       uint8_t body_buf[FWS_STANZA_BODY_MAX])
{
	uint8_t e[32], eph[32], shared[32], key[32];
	static const uint8_t zero_nonce[12];
	int rc = 0;
	if (r->key_len != 32)
		return FWS_EUSAGE;
	randombytes_buf(e, sizeof(e));
	if (crypto_scalarmult_base(eph, e) != 0 || crypto_scalarmult(shared, e, r->key) != 0) {
		/* libsodium refuses an all-zero shared secret: a low-order point. */
		rc = fws_diag_set(FWS_ERECIPIENTS, 0, NULL,
				  "the X25519 recipient is a low-order point");
		goto out;
	}
	wrap_key(shared, eph, r->key, key);
	crypto_aead_chacha20poly1305_ietf_encrypt(body_buf, NULL, file_key, FWS_FILE_KEY_LEN, NULL,
						  0, NULL, zero_nonce, key);
	memset(out, 0, sizeof(*out));
	fws_b64raw_encode(eph, 32, args_buf);
	out->type = "X25519";
	out->args[0] = args_buf;
	out->n_args = 1;
	out->body = body_buf;
	out->body_len = WRAPPED_LEN;
out:
	sodium_memzero(e, sizeof(e));
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(key, sizeof(key));
	return rc;
}

const struct fws_recipient_type fws_recipient_x25519 = {"x25519", "X25519", "age1",
							 x25519_parse, x25519_wrap};

int fws_age_x25519_stanza(const struct fws_stanza *s, uint8_t eph[32])
{
	if (strcmp(s->type, "X25519") != 0)
		return 1;
	/* age's own rules: one argument of exactly 43 characters, a 32-byte body. */
	if (s->n_args != 1 || strlen(s->args[0]) != 43 ||
	    fws_b64raw_decode(s->args[0], 43, eph, 32) != 32 || s->body_len != WRAPPED_LEN)
		return fws_diag_set(FWS_ERECIPIENTS, 0, "recipients", "a malformed X25519 stanza");
	return 0;
}

int fws_age_x25519_unwrap_shared(const uint8_t shared[32], const uint8_t eph[32],
				 const uint8_t recipient[32], const uint8_t *body, size_t body_len,
				 uint8_t file_key[FWS_FILE_KEY_LEN])
{
	static const uint8_t zero_nonce[12];
	uint8_t key[32];
	int rc;
	if (body_len != WRAPPED_LEN)
		return 1;
	wrap_key(shared, eph, recipient, key);
	rc = crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL, NULL, body, body_len, NULL,
						       0, zero_nonce, key) == 0
		     ? 0
		     : 1; /* for another recipient: try the next stanza */
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		sodium_memzero(file_key, FWS_FILE_KEY_LEN);
	return rc;
}

/* --- the key file identity (the default) --- */

#define IDENTITY_FILE_MAX 4096

struct file_identity {
	uint8_t secret[32];
	uint8_t public_key[32];
};

static int file_unwrap(void *impl, const struct fws_stanza *s, uint8_t file_key[FWS_FILE_KEY_LEN])
{
	struct file_identity *fi = impl;
	uint8_t eph[32], shared[32];
	int rc = fws_age_x25519_stanza(s, eph);
	if (rc != 0)
		return rc;
	if (crypto_scalarmult(shared, fi->secret, eph) != 0)
		return fws_diag_set(FWS_ERECIPIENTS, 0, "recipients",
				    "an X25519 stanza with a low-order ephemeral share");
	rc = fws_age_x25519_unwrap_shared(shared, eph, fi->public_key, s->body, s->body_len,
					  file_key);
	sodium_memzero(shared, sizeof(shared));
	return rc;
}

static void file_close(void *impl)
{
	if (impl != NULL)
		sodium_free(impl);
}

static const struct fws_identity_provider file_provider = {"key file", file_unwrap, file_close};

/* Parses an age identity file: '#' comment lines and empty lines, and
 * exactly one AGE-SECRET-KEY-1... line (what age-keygen and
 * `fwseal-keys generate --type device` write). */
static int parse_identity_text(const char *path, char *text, size_t len, uint8_t secret[32])
{
	int found = 0;
	char *line = text, *end = text + len;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		char *stop = nl != NULL ? nl : end;
		if (stop > line && stop[-1] == '\r')
			stop[-1] = '\0';
		*stop = '\0';
		if (line[0] != '\0' && line[0] != '#') {
			uint8_t buf[40];
			long n = fws_bech32_decode(line, "AGE-SECRET-KEY-", buf, sizeof(buf));
			if (n != 32 || found) {
				sodium_memzero(buf, sizeof(buf));
				return fws_diag_set(FWS_EIDENTITY, 0, path,
						    found ? "holds more than one secret key"
							  : "not an age X25519 identity "
							    "(AGE-SECRET-KEY-1...)");
			}
			memcpy(secret, buf, 32);
			sodium_memzero(buf, sizeof(buf));
			found = 1;
		}
		line = stop + 1;
	}
	return found ? 0 : fws_diag_set(FWS_EIDENTITY, 0, path, "holds no secret key");
}

int fws_identity_file_open(const char *path, struct fws_identity **out)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct file_identity *fi;
	int rc, fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fws_diag_set(errno == ENOENT ? FWS_EIDENTITY : fws_errno_code(errno), errno,
				    path, "cannot open the decryption key");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fws_diag_set(FWS_EIDENTITY, 0, path, "not a regular file");
	}
	/* Checked on the descriptor that is read, before anything is parsed:
	 * a secret others can read must be treated as compromised. */
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		return fws_diag_set(FWS_EKEYPERM, 0, path,
				    "readable by group or others (mode %04o): chmod 600 it",
				    (unsigned)(st.st_mode & 07777));
	}
	rc = fws_io_read_all_fd(fd, path, IDENTITY_FILE_MAX, &buf, &len);
	close(fd);
	if (rc == FWS_ELIMIT)
		rc = fws_diag_set(FWS_EIDENTITY, 0, path, "larger than a key file can be");
	if (rc != 0)
		return rc;
	fi = sodium_malloc(sizeof(*fi));
	if (fi == NULL) {
		sodium_memzero(buf, len);
		free(buf);
		return FWS_ENOMEM;
	}
	rc = parse_identity_text(path, (char *)buf, len, fi->secret);
	sodium_memzero(buf, len);
	free(buf);
	if (rc == 0 && crypto_scalarmult_base(fi->public_key, fi->secret) != 0)
		rc = fws_diag_set(FWS_EIDENTITY, 0, path, "not a usable X25519 secret");
	if (rc != 0) {
		sodium_free(fi);
		return rc;
	}
	return fws_identity_wrap(&file_provider, fi, path, out);
}

/* --- an integrator's callback (a secure element holding the secret) --- */

static int callback_unwrap(void *impl, const struct fws_stanza *s,
			   uint8_t file_key[FWS_FILE_KEY_LEN])
{
	struct fws_identity_callback *cb = impl;
	uint8_t eph[32], shared[32];
	static const uint8_t zero[32];
	int rc = fws_age_x25519_stanza(s, eph);
	if (rc != 0)
		return rc;
	rc = cb->x25519(cb->ctx, eph, shared);
	if (rc == 0 && sodium_memcmp(shared, zero, 32) == 0)
		rc = fws_diag_set(FWS_ERECIPIENTS, 0, "recipients",
				  "an X25519 stanza with a low-order ephemeral share");
	if (rc == 0)
		rc = fws_age_x25519_unwrap_shared(shared, eph, cb->public_key, s->body, s->body_len,
						  file_key);
	else if (rc > 0 || fws_diag_last()->code != rc)
		rc = fws_diag_set(rc > 0 ? FWS_EIDENTITY : rc, 0, "callback",
				  "the secure element's X25519 failed");
	sodium_memzero(shared, sizeof(shared));
	return rc;
}

static void callback_close(void *impl)
{
	struct fws_identity_callback *cb = impl;
	if (cb != NULL && cb->close != NULL)
		cb->close(cb->ctx);
	free(cb);
}

static const struct fws_identity_provider callback_provider = {"callback", callback_unwrap,
							       callback_close};

int fws_identity_from_callback(const struct fws_identity_callback *cb, struct fws_identity **out)
{
	struct fws_identity_callback *copy;
	if (out == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	if (cb == NULL || cb->x25519 == NULL)
		return fws_diag_set(FWS_EIDENTITY, 0, NULL, "a callback identity needs x25519()");
	copy = malloc(sizeof(*copy));
	if (copy == NULL)
		return FWS_ENOMEM;
	*copy = *cb;
	return fws_identity_wrap(&callback_provider, copy, "callback", out);
}
