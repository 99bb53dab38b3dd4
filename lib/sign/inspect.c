/* SPDX-License-Identifier: Apache-2.0 */
/* Unverified listing of a bundle for `fwseal inspect`. Parses the same strict
 * formats as verification, but checks no signature: callers must say so. */
#include <stdlib.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "io/io.h"

#include "bundle/source.h"
#include "bundle/tar_reader.h"
#include "fwseal/bundle_write.h"
#include "fwseal/error.h"

struct inspect_ctx {
	struct fws_source src;
	struct fws_tar tar;
	struct fws_tar_entry entry;
	uint8_t file[FWS_ENVELOPE_MAX];
};

/* Counts the stanzas; a malformed entry is reported as such in the
 * listing, not as a failure (inspect shows what is there). */
static int inspect_recipients(struct inspect_ctx *c, struct fws_inspect *out)
{
	struct fws_age_reader *ar = NULL;
	uint8_t buf[16384];
	size_t got;
	int ok = 1, rc = fws_age_reader_open(&ar, NULL);
	while (rc == 0 && (rc = fws_tar_read(&c->tar, buf, sizeof(buf), &got)) == 0 && got > 0)
		if (ok && fws_age_reader_data(ar, buf, got) != 0)
			ok = 0;
	if (rc == 0 && ok && fws_age_reader_finish(ar, NULL) != 0)
		ok = 0;
	if (ar != NULL)
		out->recipient_stanzas = fws_age_reader_stanzas(ar);
	out->recipients_ok = ok;
	fws_age_reader_close(ar);
	fws_diag_clear();
	return rc;
}

int fws_bundle_inspect(fws_read_fn read, void *read_ctx, struct fws_inspect *out)
{
	struct inspect_ctx *c;
	const uint8_t *body;
	size_t body_len;
	int rc;

	if (read == NULL || out == NULL)
		return FWS_EUSAGE;
	memset(out, 0, sizeof(*out));
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return FWS_ENOMEM;
	rc = fws_source_open(&c->src, read, read_ctx);
	if (rc != 0)
		goto out;
	out->compressed = c->src.gzip;
	fws_tar_init(&c->tar, &c->src);
	for (;;) {
		rc = fws_tar_next(&c->tar, &c->entry);
		if (rc == 1) {
			rc = 0;
			break;
		}
		if (rc != 0)
			goto out;
		if (out->n_entries == sizeof(out->entries) / sizeof(out->entries[0])) {
			rc = FWS_ELIMIT;
			goto out;
		}
		struct fws_inspect_entry *e = &out->entries[out->n_entries++];
		if (strlen(c->entry.path) >= sizeof(e->name)) {
			rc = FWS_EENTRY;
			goto out;
		}
		strcpy(e->name, c->entry.path);
		e->size = c->entry.size;
		if (out->n_entries == 1) {
			if (strcmp(c->entry.path, "manifest.json") != 0) {
				rc = FWS_EENTRY;
				goto out;
			}
			if (c->entry.size > FWS_ENVELOPE_MAX) {
				rc = FWS_ELIMIT;
				goto out;
			}
			rc = fws_tar_read_all(&c->tar, c->file, (size_t)c->entry.size);
			if (rc == 0)
				rc = fws_envelope_decode(c->file, (size_t)c->entry.size,
							 &out->envelope);
			if (rc != 0)
				goto out;
			body = fws_envelope_body(&out->envelope, &body_len);
			out->manifest_ok =
				fws_manifest_decode(body, body_len, &out->manifest) == 0;
		} else if (strcmp(c->entry.path, "recipients") == 0) {
			rc = inspect_recipients(c, out);
		} else {
			rc = fws_tar_skip(&c->tar);
			if (rc != 0)
				goto out;
		}
	}
out:
	fws_source_close(&c->src);
	free(c);
	return rc;
}
