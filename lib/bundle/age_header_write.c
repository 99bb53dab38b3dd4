/* SPDX-License-Identifier: Apache-2.0 */
/* Writes the recipients entry: an age v1 header (docs/format.md §15.2),
 * one stanza per recipient, then the MAC over all of it. Streams: one
 * stanza at a time, whatever the number of recipients. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

struct fws_age_writer {
	uint8_t file_key[FWS_FILE_KEY_LEN];
	crypto_auth_hmacsha256_state mac;
	fws_age_out_fn out;
	void *ctx;
	char line[FWS_STANZA_LINE_MAX + 2];
	char args[FWS_STANZA_LINE_MAX];
	uint8_t body[FWS_STANZA_BODY_MAX];
};

static int emit(struct fws_age_writer *w, const char *s, size_t len)
{
	crypto_auth_hmacsha256_update(&w->mac, (const uint8_t *)s, len);
	return w->out(w->ctx, s, len);
}

int fws_age_writer_open(struct fws_age_writer **wp, const uint8_t file_key[FWS_FILE_KEY_LEN],
			fws_age_out_fn out, void *ctx)
{
	struct fws_age_writer *w = sodium_malloc(sizeof(*w));
	uint8_t key[32];
	*wp = NULL;
	if (w == NULL)
		return FWS_ENOMEM;
	memcpy(w->file_key, file_key, FWS_FILE_KEY_LEN);
	w->out = out;
	w->ctx = ctx;
	fws_age_mac_key(file_key, key);
	crypto_auth_hmacsha256_init(&w->mac, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	int rc = emit(w, AGE_VERSION_LINE "\n", strlen(AGE_VERSION_LINE) + 1);
	if (rc != 0) {
		sodium_free(w);
		return rc;
	}
	*wp = w;
	return 0;
}

/* "-> TYPE ARGS\n" then the body in 64-column lines, the last one
 * shorter (empty when the body fills whole lines). */
static int write_stanza(struct fws_age_writer *w, const struct fws_stanza *s)
{
	int n = snprintf(w->line, sizeof(w->line), "-> %s", s->type), rc;
	for (size_t i = 0; i < s->n_args && n > 0 && (size_t)n < sizeof(w->line); i++)
		n += snprintf(w->line + n, sizeof(w->line) - (size_t)n, " %s", s->args[i]);
	if (n < 0 || (size_t)n + 1 >= sizeof(w->line))
		return FWS_EINTERNAL;
	w->line[n++] = '\n';
	rc = emit(w, w->line, (size_t)n);
	for (size_t at = 0; rc == 0; at += 48) {
		size_t take = s->body_len - at < 48 ? s->body_len - at : 48;
		fws_b64raw_encode(s->body + at, take, w->line);
		size_t len = strlen(w->line);
		w->line[len] = '\n';
		rc = emit(w, w->line, len + 1);
		if (take < 48)
			break;
	}
	return rc;
}

int fws_age_writer_add(struct fws_age_writer *w, const struct fws_recipient *r)
{
	struct fws_stanza s;
	int rc = r->type->wrap(r, w->file_key, w->args, &s, w->body);
	if (rc == 0)
		rc = write_stanza(w, &s);
	sodium_memzero(w->body, sizeof(w->body));
	return rc;
}

int fws_age_stanza_size(const struct fws_recipient *r, uint64_t *size)
{
	static const uint8_t dummy[FWS_FILE_KEY_LEN];
	char args[FWS_STANZA_LINE_MAX];
	uint8_t body[FWS_STANZA_BODY_MAX];
	struct fws_stanza s;
	int rc = r->type->wrap(r, dummy, args, &s, body);
	if (rc != 0)
		return rc;
	uint64_t n = 3 + strlen(s.type) + 1;
	for (size_t i = 0; i < s.n_args; i++)
		n += 1 + strlen(s.args[i]);
	n += fws_b64raw_encoded_len(s.body_len) + s.body_len / 48 + 1;
	*size = n;
	return 0;
}

int fws_age_writer_close(struct fws_age_writer *w)
{
	uint8_t mac[32];
	char text[64];
	int rc = emit(w, "---", 3);
	crypto_auth_hmacsha256_final(&w->mac, mac);
	fws_b64raw_encode(mac, sizeof(mac), text);
	if (rc == 0)
		rc = w->out(w->ctx, " ", 1);
	if (rc == 0)
		rc = w->out(w->ctx, text, strlen(text));
	if (rc == 0)
		rc = w->out(w->ctx, "\n", 1);
	sodium_free(w);
	return rc;
}

void fws_age_writer_abort(struct fws_age_writer *w)
{
	if (w != NULL)
		sodium_free(w);
}
