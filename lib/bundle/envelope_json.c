/* SPDX-License-Identifier: Apache-2.0 */
/* DSSE envelope JSON: strict decoding into struct fws_envelope, and encoding.
 *
 * The envelope is the first thing read from a hostile bundle, before any
 * signature is checked, so it is parsed with the fewest possible freedoms:
 * three fields, canonical padded base64, exact lengths. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/envelope_internal.h"
#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "io/io.h"

#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL
/* Longest base64 text of a body of FWS_BODY_MAX bytes. */
#define BODY_B64_MAX (4 * ((FWS_BODY_MAX + 2) / 3))
#define SIG_LEN 64

static const char *const envelope_keys[] = {"payload", "payloadType", "signatures"};
static const char *const signature_keys[] = {"keyid", "sig"};

/* Bytes a padded base64 text of this length stands for (when canonical). */
static size_t b64_decoded_len(const char *text, size_t text_len)
{
	size_t pad = 0;

	if (text_len >= 1 && text[text_len - 1] == '=')
		pad++;
	if (text_len >= 2 && text[text_len - 2] == '=')
		pad++;
	if (text_len / 4 * 3 < pad)
		return 0;
	return text_len / 4 * 3 - pad;
}

/* Decodes standard base64 with padding, accepting exactly one spelling per
 * byte string: no whitespace or other ignored characters, length a multiple
 * of four, no non-zero trailing bits. Base64 malleability would let an
 * attacker change the envelope bytes (and any digest of them) while the
 * signed body stays the same. Returns 0 or -1. */
static int b64_decode_canonical(const char *text, size_t text_len, uint8_t *out, size_t cap,
				size_t *out_len)
{
	int rc = -1;
	char *again = NULL;
	size_t n, again_cap;

	if (text_len % 4 != 0)
		goto out;
	if (sodium_base642bin(out, cap, text, text_len, NULL, &n, NULL, B64_VARIANT) != 0)
		goto out;
	if (n != b64_decoded_len(text, text_len))
		goto out;
	/* Belt and braces over libsodium's own checks: the bytes must encode
	 * back to the very same text. */
	again_cap = sodium_base64_ENCODED_LEN(n, B64_VARIANT);
	again = malloc(again_cap);
	if (again == NULL)
		goto out;
	sodium_bin2base64(again, again_cap, out, n, B64_VARIANT);
	if (strlen(again) != text_len || memcmp(again, text, text_len) != 0)
		goto out;
	*out_len = n;
	rc = 0;
out:
	free(again);
	return rc;
}

/* A MIME-like type: visible ASCII only. Spaces and control bytes would make
 * the PAE and any printed report ambiguous or able to rewrite a terminal. */
static int payload_type_valid(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	}
	return 1;
}

static int decode_signature(const json_t *obj, struct fws_signature *sig)
{
	const char *text;
	size_t text_len, n;
	uint8_t raw[SIG_LEN + 3];
	int rc;

	rc = fws_json_check_keys(obj, signature_keys, 2, NULL, 0);
	if (rc == 0)
		rc = fws_json_get_hex(obj, "keyid", sig->keyid, sizeof(sig->keyid));
	/* 64 bytes take exactly 88 characters; anything else is refused before
	 * decoding. */
	if (rc == 0)
		rc = fws_json_get_string(obj, "sig",
					 sodium_base64_ENCODED_LEN(SIG_LEN, B64_VARIANT) - 1,
					 FWS_EENVELOPE, &text, &text_len);
	if (rc != 0)
		return fws_json_recode(rc, FWS_ESCHEMA, FWS_EENVELOPE);
	if (b64_decode_canonical(text, text_len, raw, sizeof(raw), &n) != 0 || n != SIG_LEN)
		return fws_diag_set(
		    FWS_EENVELOPE, 0, "sig",
		    "not the canonical base64 of %d bytes (88 characters, = padded)", SIG_LEN);
	memcpy(sig->sig, raw, SIG_LEN);
	return 0;
}

/* The one decoder behind fws_envelope_decode (min_sigs 1) and the signing
 * side's draft decoder (lib/sign/envelope_draft.c, min_sigs 0): everything
 * but the signature count is exactly as strict for both. */
static int envelope_decode(const uint8_t *json, size_t len, size_t min_sigs,
			   struct fws_envelope *env)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	uint8_t *body = NULL;
	const json_t *sigs;
	const char *text;
	size_t text_len, body_len, n_sigs;
	char type[FWS_PAYLOAD_TYPE_MAX + 1], q[FWS_JSON_QUOTE_CAP];

	if (env == NULL)
		return FWS_EUSAGE;
	memset(env, 0, sizeof(*env));
	if (json == NULL)
		goto out;

	rc = fws_json_load(json, len, FWS_ENVELOPE_MAX, &doc);
	if (rc == 0)
		rc = fws_json_check_keys(doc, envelope_keys, 3, NULL, 0);
	if (rc == 0)
		rc = fws_json_get_string(doc, "payloadType", FWS_PAYLOAD_TYPE_MAX, FWS_EENVELOPE,
					 &text, &text_len);
	if (rc != 0) {
		rc = fws_json_recode(rc, FWS_ESCHEMA, FWS_EENVELOPE);
		goto out;
	}
	if (!payload_type_valid(text, text_len)) {
		rc = fws_diag_set(FWS_EENVELOPE, 0, "payloadType",
				  "%s is not a media type (1..%d visible ASCII characters, no "
				  "space)",
				  fws_json_quote(q, text, text_len), FWS_PAYLOAD_TYPE_MAX);
		goto out;
	}
	memcpy(type, text, text_len);
	type[text_len] = '\0';

	/* An oversized payload is refused by its text length, before any
	 * decoding or allocation sized by it. */
	rc = fws_json_get_string(doc, "payload", BODY_B64_MAX, FWS_ELIMIT, &text, &text_len);
	if (rc != 0) {
		rc = fws_json_recode(rc, FWS_ESCHEMA, FWS_EENVELOPE);
		goto out;
	}
	if (b64_decoded_len(text, text_len) > FWS_BODY_MAX) {
		rc = fws_diag_set(FWS_ELIMIT, 0, "payload", "decodes to %zu bytes, at most %d",
				  b64_decoded_len(text, text_len), FWS_BODY_MAX);
		goto out;
	}
	rc = FWS_ENOMEM;
	body = malloc(FWS_BODY_MAX);
	if (body == NULL)
		goto out;
	if (b64_decode_canonical(text, text_len, body, FWS_BODY_MAX, &body_len) != 0) {
		rc = fws_diag_set(FWS_EENVELOPE, 0, "payload",
				  "not canonical base64 (standard alphabet, = padded, no "
				  "whitespace)");
		goto out;
	}
	/* Nothing fwseal signs is empty; an empty body is a truncation. */
	if (body_len == 0) {
		rc = fws_diag_set(FWS_EENVELOPE, 0, "payload", "empty (nothing fwseal signs is)");
		goto out;
	}
	/* The body goes into its PAE, so later checks see exactly the bytes
	 * the signatures cover. Done before the signatures are filled in: it
	 * starts the envelope afresh. */
	rc = fws_envelope_set_body(env, type, body, body_len);
	if (rc != 0) {
		(void)fws_diag_set(rc, 0, "payload", "cannot be encoded for signing (PAE)");
		goto out;
	}

	/* An envelope with no signature must never reach a check that could
	 * treat "nothing to verify" as success (only the signing side's draft
	 * decoder passes min_sigs 0). */
	rc = fws_json_get_array(doc, "signatures", min_sigs, FWS_MAX_SIGNATURES, FWS_ELIMIT, &sigs,
				&n_sigs);
	if (rc != 0) {
		rc = fws_json_recode(rc, FWS_ESCHEMA, FWS_EENVELOPE);
		goto out;
	}
	for (size_t i = 0; i < n_sigs; i++) {
		rc = decode_signature(json_array_get(sigs, i), &env->sigs[i]);
		if (rc != 0) {
			rc = fws_json_within(rc, "signatures[%zu]", i);
			goto out;
		}
	}
	env->n_sigs = n_sigs;
	rc = 0;
out:
	if (rc != 0)
		memset(env, 0, sizeof(*env));
	if (body != NULL)
		sodium_memzero(body, FWS_BODY_MAX);
	free(body);
	json_decref(doc);
	return rc;
}

int fws_envelope_decode(const uint8_t *json, size_t len, struct fws_envelope *env)
{
	return envelope_decode(json, len, 1, env);
}

int fws_envelope_decode_sigs(const uint8_t *json, size_t len, size_t min_sigs,
			     struct fws_envelope *env)
{
	return envelope_decode(json, len, min_sigs, env);
}

static int b64_encode(const uint8_t *data, size_t len, json_t **out)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, B64_VARIANT);
	char *text = malloc(cap);

	if (text == NULL)
		return FWS_ENOMEM;
	sodium_bin2base64(text, cap, data, len, B64_VARIANT);
	*out = json_string(text);
	free(text);
	return *out == NULL ? FWS_ENOMEM : 0;
}

/* The one encoder behind fws_envelope_encode (min_sigs 1) and
 * fws_envelope_encode_draft (min_sigs 0). */
static int envelope_encode(const struct fws_envelope *env, size_t min_sigs, char **out,
			   size_t *out_len)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL, *sigs = NULL, *sig = NULL, *val = NULL;
	struct fws_envelope *check = NULL;
	char *text = NULL;
	size_t text_len, body_len, type_len, check_len;
	const uint8_t *body, *check_body;
	char hex[2 * 32 + 1];

	if (out == NULL || out_len == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	*out_len = 0;
	if (env == NULL)
		goto out;
	type_len = strnlen(env->payload_type, sizeof(env->payload_type));
	if (type_len == sizeof(env->payload_type))
		goto out;
	body = fws_envelope_body(env, &body_len);
	if (body == NULL)
		goto out;
	/* Refuse to write what the decoder would refuse to read. Zero
	 * signatures only for a draft (a root collecting its signatures),
	 * which every verifier's decoder refuses. */
	rc = FWS_EENVELOPE;
	if (!payload_type_valid(env->payload_type, type_len) || body_len == 0 ||
	    env->n_sigs < min_sigs)
		goto out;
	rc = FWS_ELIMIT;
	if (env->n_sigs > FWS_MAX_SIGNATURES || body_len > FWS_BODY_MAX)
		goto out;

	rc = FWS_ENOMEM;
	doc = json_object();
	sigs = json_array();
	if (doc == NULL || sigs == NULL)
		goto out;
	rc = fws_json_set(doc, "payloadType", json_string(env->payload_type));
	if (rc != 0)
		goto out;
	rc = b64_encode(body, body_len, &val);
	if (rc != 0)
		goto out;
	rc = fws_json_set(doc, "payload", val);
	val = NULL;
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < env->n_sigs; i++) {
		rc = FWS_ENOMEM;
		sig = json_object();
		if (sig == NULL)
			goto out;
		fws_hex_encode(hex, env->sigs[i].keyid, sizeof(env->sigs[i].keyid));
		rc = fws_json_set(sig, "keyid", json_string(hex));
		if (rc != 0)
			goto out;
		rc = b64_encode(env->sigs[i].sig, sizeof(env->sigs[i].sig), &val);
		if (rc != 0)
			goto out;
		rc = fws_json_set(sig, "sig", val);
		val = NULL;
		if (rc != 0)
			goto out;
		rc = fws_json_append(sigs, sig);
		sig = NULL;
		if (rc != 0)
			goto out;
	}
	rc = fws_json_set(doc, "signatures", sigs);
	sigs = NULL;
	if (rc != 0)
		goto out;
	rc = fws_json_dump(doc, JSON_INDENT(2) | JSON_SORT_KEYS, 1, &text, &text_len);
	if (rc != 0)
		goto out;

	/* Read our own output back: an encoder bug must not produce an
	 * envelope that verifiers reject or read differently. */
	rc = FWS_ENOMEM;
	check = malloc(sizeof(*check));
	if (check == NULL)
		goto out;
	rc = envelope_decode((const uint8_t *)text, text_len, min_sigs, check);
	if (rc != 0)
		goto out;
	rc = FWS_EINTERNAL;
	check_body = fws_envelope_body(check, &check_len);
	if (check_body == NULL || check_len != body_len ||
	    memcmp(check_body, body, body_len) != 0 ||
	    strcmp(check->payload_type, env->payload_type) != 0 || check->n_sigs != env->n_sigs ||
	    memcmp(check->sigs, env->sigs, env->n_sigs * sizeof(env->sigs[0])) != 0)
		goto out;

	*out = text;
	*out_len = text_len;
	text = NULL;
	rc = 0;
out:
	free(check);
	free(text);
	json_decref(val);
	json_decref(sig);
	json_decref(sigs);
	json_decref(doc);
	return rc;
}

int fws_envelope_encode(const struct fws_envelope *env, char **out, size_t *out_len)
{
	return envelope_encode(env, 1, out, out_len);
}

int fws_envelope_encode_sigs(const struct fws_envelope *env, size_t min_sigs, char **out,
			     size_t *out_len)
{
	return envelope_encode(env, min_sigs, out, out_len);
}
