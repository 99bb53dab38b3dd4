/* SPDX-License-Identifier: Apache-2.0 */
/* Reads the recipients entry (an age v1 header, docs/format.md §15.2) as
 * it streams, in bounded memory whatever the number of recipients: one
 * line and one stanza at a time. Each stanza is offered to the device's
 * identity until one opens; the header MAC is then checked over every
 * byte up to "---" (an edited recipients entry is refused, FWS_EDECRYPT).
 *
 * The MAC key follows from the file key, which is known only once a
 * stanza opened, perhaps the 10000th. Until then the MAC's input is kept:
 * the first SPOOL_MEM bytes in memory, the rest in an unlinked temporary
 * file (public header bytes only, never plaintext); once the key is known
 * the kept bytes are MACed and dropped, and the rest streams into the MAC. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

#define SPOOL_MEM (256 * 1024)
#define ENTRY "recipients"

enum state { EXPECT_VERSION, EXPECT_STANZA, IN_BODY, DONE };

struct fws_age_reader {
	const struct fws_identity *identity;
	enum state state;
	int opened;	     /* a stanza opened: file_key and mac are live */
	uint64_t stanzas;
	uint64_t bytes;	     /* of the entry so far */
	uint8_t file_key[FWS_FILE_KEY_LEN];
	crypto_auth_hmacsha256_state mac;
	uint8_t mac_read[32];
	/* The MAC input kept until the key is known. */
	uint8_t *spool;
	size_t spool_len;
	FILE *spill;
	/* The line being read, and the current stanza. */
	char line[FWS_STANZA_LINE_MAX + 1];
	size_t line_len;
	char stanza_line[FWS_STANZA_LINE_MAX + 1];
	struct fws_stanza stanza;
	uint8_t body[FWS_STANZA_BODY_MAX];
};

static int bad(const char *why, uint64_t at)
{
	return fws_diag_set(FWS_ERECIPIENTS, 0, ENTRY, "%s (byte %llu)", why,
			    (unsigned long long)at);
}

int fws_age_reader_open(struct fws_age_reader **rp, const struct fws_identity *identity)
{
	struct fws_age_reader *r = sodium_malloc(sizeof(*r));
	*rp = NULL;
	if (r == NULL)
		return FWS_ENOMEM;
	memset(r, 0, sizeof(*r));
	r->identity = identity;
	if (identity != NULL && (r->spool = malloc(SPOOL_MEM)) == NULL) {
		sodium_free(r);
		return FWS_ENOMEM;
	}
	*rp = r;
	return 0;
}

/* Appends MAC input: into the MAC once the key is known, else kept. */
static int mac_input(struct fws_age_reader *r, const void *data, size_t len)
{
	if (r->identity == NULL)
		return 0;
	if (r->opened) {
		crypto_auth_hmacsha256_update(&r->mac, data, len);
		return 0;
	}
	if (r->spill == NULL && r->spool_len + len <= SPOOL_MEM) {
		memcpy(r->spool + r->spool_len, data, len);
		r->spool_len += len;
		return 0;
	}
	if (r->spill == NULL && (r->spill = tmpfile()) == NULL)
		return fws_diag_set(FWS_EIO, errno, ENTRY,
				    "cannot keep the header for its MAC (temporary file)");
	if (fwrite(data, 1, len, r->spill) != len)
		return fws_diag_set(FWS_EIO, errno, ENTRY, "cannot keep the header for its MAC");
	return 0;
}

/* The key is known: MAC what was kept, then drop it. */
static int start_mac(struct fws_age_reader *r)
{
	uint8_t key[32], buf[16384];
	size_t got;
	fws_age_mac_key(r->file_key, key);
	crypto_auth_hmacsha256_init(&r->mac, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	crypto_auth_hmacsha256_update(&r->mac, r->spool, r->spool_len);
	if (r->spill != NULL) {
		if (fflush(r->spill) != 0 || fseek(r->spill, 0, SEEK_SET) != 0)
			return fws_diag_set(FWS_EIO, errno, ENTRY, "cannot re-read the kept header");
		while ((got = fread(buf, 1, sizeof(buf), r->spill)) > 0)
			crypto_auth_hmacsha256_update(&r->mac, buf, got);
		if (ferror(r->spill))
			return fws_diag_set(FWS_EIO, errno, ENTRY, "cannot re-read the kept header");
		fclose(r->spill);
		r->spill = NULL;
	}
	free(r->spool);
	r->spool = NULL;
	r->spool_len = 0;
	r->opened = 1;
	return 0;
}

/* "-> TYPE ARG..." : single spaces, no empty argument. */
static int begin_stanza(struct fws_age_reader *r)
{
	char *p;
	size_t n = 0;
	memcpy(r->stanza_line, r->line + 3, r->line_len - 3 + 1);
	memset(&r->stanza, 0, sizeof(r->stanza));
	p = r->stanza_line;
	for (;;) {
		char *sp = strchr(p, ' ');
		if (sp != NULL)
			*sp = '\0';
		if (*p == '\0')
			return bad("a stanza with an empty argument", r->bytes);
		if (n == 0)
			r->stanza.type = p;
		else if (n - 1 < FWS_STANZA_ARGS_MAX)
			r->stanza.args[n - 1] = p;
		else
			return bad("a stanza with too many arguments", r->bytes);
		n++;
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	r->stanza.n_args = n - 1;
	r->stanza.body = r->body;
	r->stanza.body_len = 0;
	r->stanzas++;
	return 0;
}

static int end_stanza(struct fws_age_reader *r)
{
	int rc;
	if (r->identity == NULL || r->opened)
		return 0;
	rc = fws_identity_unwrap(r->identity, &r->stanza, r->file_key);
	if (rc == 1)
		return 0; /* someone else's: the next one */
	if (rc != 0)
		return rc;
	return start_mac(r);
}

static int body_line(struct fws_age_reader *r)
{
	long n;
	if (r->line_len > AGE_COLUMNS)
		return bad("a stanza body line longer than 64 characters", r->bytes);
	if (r->stanza.body_len + 48 > sizeof(r->body))
		return bad("a stanza body larger than fwseal reads", r->bytes);
	n = fws_b64raw_decode(r->line, r->line_len, r->body + r->stanza.body_len, 48);
	if (n < 0)
		return bad("a stanza body that is not canonical base64", r->bytes);
	r->stanza.body_len += (size_t)n;
	if (r->line_len == AGE_COLUMNS)
		return 0;
	r->state = EXPECT_STANZA;
	return end_stanza(r);
}

static int final_line(struct fws_age_reader *r)
{
	if (r->line_len != 4 + 43 || r->line[3] != ' ' ||
	    fws_b64raw_decode(r->line + 4, 43, r->mac_read, 32) != 32)
		return bad("a malformed MAC line", r->bytes);
	if (r->stanzas == 0)
		return bad("no recipient stanza", r->bytes);
	r->state = DONE;
	return mac_input(r, "---", 3);
}

static int one_line(struct fws_age_reader *r)
{
	int rc;
	r->line[r->line_len] = '\0';
	switch (r->state) {
	case EXPECT_VERSION:
		if (strcmp(r->line, AGE_VERSION_LINE) != 0)
			return bad("not an age v1 header", r->bytes);
		r->state = EXPECT_STANZA;
		break;
	case EXPECT_STANZA:
		if (strncmp(r->line, "---", 3) == 0)
			return final_line(r);
		if (strncmp(r->line, "-> ", 3) != 0)
			return bad("neither a stanza nor the MAC line", r->bytes);
		if ((rc = begin_stanza(r)) != 0)
			return rc;
		r->state = IN_BODY;
		break;
	case IN_BODY:
		if ((rc = mac_input(r, r->line, r->line_len)) != 0 ||
		    (rc = mac_input(r, "\n", 1)) != 0)
			return rc;
		return body_line(r);
	case DONE:
		return bad("bytes after the MAC line", r->bytes);
	}
	if ((rc = mac_input(r, r->line, r->line_len)) != 0)
		return rc;
	return mac_input(r, "\n", 1);
}

int fws_age_reader_data(struct fws_age_reader *r, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++, r->bytes++) {
		uint8_t c = data[i];
		int rc;
		if (r->state == DONE)
			return bad("bytes after the MAC line", r->bytes);
		if (c == '\n') {
			if ((rc = one_line(r)) != 0)
				return rc;
			r->line_len = 0;
			continue;
		}
		/* Header lines are printable ASCII: no CR, NUL or UTF-8. */
		if (c < 0x20 || c > 0x7e)
			return bad("a byte that is not printable ASCII", r->bytes);
		if (r->line_len >= FWS_STANZA_LINE_MAX)
			return bad("a line longer than fwseal reads", r->bytes);
		r->line[r->line_len++] = (char)c;
	}
	if (r->bytes > FWS_RECIPIENTS_MAX)
		return bad("larger than a recipients entry can be", r->bytes);
	return 0;
}

int fws_age_reader_finish(struct fws_age_reader *r, uint8_t file_key[FWS_FILE_KEY_LEN])
{
	uint8_t mac[32];
	if (r->state != DONE || r->line_len != 0)
		return bad("the header ends early", r->bytes);
	if (r->identity == NULL)
		return 0;
	if (!r->opened)
		return fws_diag_set(FWS_ENOTRECIPIENT, 0, ENTRY,
				    "none of its %llu stanzas opens with the %s %s",
				    (unsigned long long)r->stanzas, fws_identity_kind(r->identity),
				    fws_identity_name(r->identity));
	crypto_auth_hmacsha256_final(&r->mac, mac);
	r->opened = 0;
	if (sodium_memcmp(mac, r->mac_read, sizeof(mac)) != 0)
		return fws_diag_set(FWS_EDECRYPT, 0, ENTRY,
				    "its MAC does not verify: the entry was edited");
	memcpy(file_key, r->file_key, FWS_FILE_KEY_LEN);
	return 0;
}

uint64_t fws_age_reader_stanzas(const struct fws_age_reader *r)
{
	return r->stanzas;
}

void fws_age_reader_close(struct fws_age_reader *r)
{
	if (r == NULL)
		return;
	if (r->spill != NULL)
		fclose(r->spill);
	free(r->spool);
	sodium_free(r); /* wipes the file key and the MAC state */
}
