/* SPDX-License-Identifier: Apache-2.0 */
/* The recipients entry as the signing side writes it (docs/format.md
 * §15.2): sized first (the tar header comes before the data), then one
 * stanza at a time, so 10,000 recipients take no more memory than one. */
#include <string.h>

#include "bundle/age_internal.h"
#include "fwseal/error.h"
#include "io/io.h"
#include "sign/encrypt_write.h"

int fws_recipients_entry_size(const struct fws_recipient *r, size_t n, uint64_t *size)
{
	/* Every stanza of one type has one size: measure each type once. */
	const struct fws_recipient_type *seen[8];
	uint64_t seen_size[8], total = strlen(AGE_VERSION_LINE) + 1 + 4 + 43 + 1;
	size_t n_seen = 0;
	if (n == 0)
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "no recipient");
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < n_seen && seen[j] != r[i].type)
			j++;
		if (j == n_seen) {
			if (n_seen == sizeof(seen) / sizeof(seen[0]))
				return FWS_EINTERNAL;
			int rc = fws_age_stanza_size(&r[i], &seen_size[j]);
			if (rc != 0)
				return rc;
			seen[n_seen++] = r[i].type;
		}
		total += seen_size[j];
		if (total > FWS_RECIPIENTS_MAX)
			return fws_diag_set(FWS_ELIMIT, 0, NULL,
					    "%zu recipients need more than the %u bytes a "
					    "recipients entry may hold",
					    n, FWS_RECIPIENTS_MAX);
	}
	*size = total;
	return 0;
}

static int to_bundle(void *ctx, const void *data, size_t len)
{
	return fws_bundle_writer_data(ctx, data, len);
}

int fws_recipients_entry_write(struct fws_bundle_writer *w, const uint8_t file_key[FWS_FILE_KEY_LEN],
			       const struct fws_recipient *r, size_t n)
{
	struct fws_age_writer *aw = NULL;
	uint64_t size;
	int rc = fws_recipients_entry_size(r, n, &size);
	if (rc == 0)
		rc = fws_bundle_writer_entry(w, "recipients", size);
	if (rc == 0)
		rc = fws_age_writer_open(&aw, file_key, to_bundle, w);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = fws_age_writer_add(aw, &r[i]);
	if (aw != NULL) {
		if (rc == 0)
			rc = fws_age_writer_close(aw);
		else
			fws_age_writer_abort(aw);
	}
	return rc;
}
