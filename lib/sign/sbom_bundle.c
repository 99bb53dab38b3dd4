/* The SBOM of a verified bundle, for the signing-side commands that hand it
 * on (fwseal verify, inspect --sbom, attest, record). The verifier streams
 * and hashes the sbom/ entry; this sink keeps a copy (at most its signed
 * size, <= FWS_SBOM_MAX) that is released only when the whole bundle
 * verified, and then checks that the document is the format the signer
 * declared: a lying sbom_format would send an auditor's tool down the
 * wrong parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/sbom.h"
#include "io/io.h"

struct sbom_copy {
	uint8_t *data;
	size_t len, cap;
};

/* The manifest verified: the signed size bounds the copy. */
static int on_manifest(void *ctx, const struct fws_verify_result *r)
{
	struct sbom_copy *s = ctx;
	const struct fws_sbom_ref *ref = &r->manifest.sbom_document;
	if (ref->name[0] == '\0')
		return 0;
	s->data = malloc(ref->size);
	s->cap = ref->size;
	return s->data == NULL ? FWS_ENOMEM : 0;
}

static int on_sbom(void *ctx, const uint8_t *data, size_t len)
{
	struct sbom_copy *s = ctx;
	/* The verifier already holds the entry to its signed size. */
	if (s->data == NULL || len > s->cap - s->len)
		return FWS_EINTERNAL;
	memcpy(s->data + s->len, data, len);
	s->len += len;
	return 0;
}

int fws_bundle_verify_sbom(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *opts,
			   struct fws_verify_result *result, int required, uint8_t **sbom,
			   size_t *sbom_len)
{
	struct sbom_copy s = {NULL, 0, 0};
	struct fws_sink sink = {0};
	char format[FWS_SBOM_FORMAT_MAX + 1];
	int rc;
	if (sbom == NULL || sbom_len == NULL || result == NULL)
		return FWS_EUSAGE;
	*sbom = NULL;
	*sbom_len = 0;
	sink.ctx = &s;
	sink.manifest_verified = on_manifest;
	sink.sbom_write = on_sbom;
	rc = fws_bundle_verify(read, read_ctx, opts, &sink, result);
	if (rc == 0 && s.data != NULL) {
		const struct fws_sbom_ref *ref = &result->manifest.sbom_document;
		char where[FWS_NAME_MAX + 8];
		snprintf(where, sizeof(where), "sbom/%s", ref->name);
		rc = fws_sbom_identify(s.data, s.len, format);
		if (rc != 0)
			rc = fws_diag_set(FWS_ESBOMFORMAT, 0, where,
					  "the signed sbom_format is %s, but the document is none "
					  "fwseal knows",
					  ref->format);
		else if (strcmp(format, ref->format) != 0)
			rc = fws_diag_set(FWS_ESBOMFORMAT, 0, where,
					  "the signed sbom_format is %s, but the document is %s",
					  ref->format, format);
	}
	if (rc == 0 && s.data == NULL && required)
		rc = fws_diag_set(FWS_ENOENT, 0, "sbom_document",
				  "the bundle verified, but it carries no SBOM");
	if (rc != 0) {
		free(s.data);
		return rc;
	}
	*sbom = s.data;
	*sbom_len = s.len;
	return 0;
}
