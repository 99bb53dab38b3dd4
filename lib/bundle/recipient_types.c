/* SPDX-License-Identifier: Apache-2.0 */
/* The recipient-type dispatch: which type a recipient string is, by its
 * prefix, and reading one from a NAME.pub file. A new type (an HSM's
 * P-256 key, ...) is one more row in `types`. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

extern const struct fws_recipient_type fws_recipient_x25519;
extern const struct fws_recipient_type fws_recipient_p256;

static const struct fws_recipient_type *const types[] = {&fws_recipient_x25519,
							 &fws_recipient_p256, NULL};

const struct fws_recipient_type *const *fws_recipient_types(void)
{
	return types;
}

static int parse_text(const char *text, struct fws_recipient *out)
{
	for (size_t i = 0; types[i] != NULL; i++)
		if (strncmp(text, types[i]->prefix, strlen(types[i]->prefix)) == 0) {
			int rc = types[i]->parse(text, out);
			if (rc == 0)
				out->type = types[i];
			return rc;
		}
	return 1; /* not a recipient string: maybe a file */
}

/* A recipient file: '#' comments and empty lines, and exactly one
 * recipient line (what `fwseal-keys generate --type device` writes as
 * NAME.pub, and what `age-keygen -y` prints). */
static int parse_file(const char *path, struct fws_recipient *out)
{
	uint8_t buf[4096 + 1];
	size_t len = 0;
	int rc = fws_io_read_at(AT_FDCWD, path, 0, buf, sizeof(buf) - 1, &len), found = 0;
	if (rc == FWS_ENOENT || rc == FWS_ELIMIT || rc == FWS_EIO)
		return fws_diag_set(FWS_ERECIPIENTS, 0, path,
				    rc == FWS_ENOENT ? "neither a recipient (age1...) nor a file"
						     : "not a recipient file");
	if (rc != 0)
		return rc;
	buf[len] = '\0';
	for (char *line = (char *)buf, *next; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (found || strlen(line) > FWS_RECIPIENT_TEXT_MAX ||
		    (rc = parse_text(line, out)) != 0)
			return rc < 0 ? rc
				      : fws_diag_set(FWS_ERECIPIENTS, 0, path,
						     found ? "holds more than one recipient"
							   : "holds no recipient fwseal knows");
		found = 1;
	}
	return found ? 0 : fws_diag_set(FWS_ERECIPIENTS, 0, path, "holds no recipient");
}

int fws_recipient_parse(const char *text, struct fws_recipient *out)
{
	int rc;
	if (text == NULL || out == NULL)
		return FWS_EUSAGE;
	memset(out, 0, sizeof(*out));
	if (strlen(text) > FWS_RECIPIENT_TEXT_MAX)
		return fws_diag_set(FWS_ERECIPIENTS, 0, NULL, "a recipient longer than %d bytes",
				    FWS_RECIPIENT_TEXT_MAX);
	rc = parse_text(text, out);
	return rc == 1 ? parse_file(text, out) : rc;
}
