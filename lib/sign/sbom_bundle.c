/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM of a verified bundle, for the signing-side commands that hand it
 * on (fwseal verify, inspect --sbom, attest, record). The verifier streams
 * and hashes the sbom/ entry; this sink keeps a copy (at most its signed
 * size, <= FWS_SBOM_MAX) that is released only when the whole bundle
 * verified, and then checks that the document is the format the signer
 * declared: a lying sbom_format would send an auditor's tool down the
 * wrong parser. Attestations and release records also need the digest of
 * the bundle file and of each payload: the raw input and the verified
 * payload bytes are hashed on the way through, so what is named is exactly
 * what was verified (no second read of a file that may have changed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/sbom.h"
#include "fwseal/sha256.h"
#include "io/io.h"
#include "sign/sbom_internal.h"

struct pass {
	fws_read_fn read;
	void *read_ctx;
	struct fws_sha256 raw, payload;
	struct fws_bundle_facts *facts;
	size_t payload_index, cap;
};

static ssize_t hashing_read(void *ctx, uint8_t *buf, size_t len)
{
	struct pass *p = ctx;
	ssize_t n = p->read(p->read_ctx, buf, len);
	if (n > 0) {
		fws_sha256_update(&p->raw, buf, (size_t)n);
		p->facts->bundle_bytes += (uint64_t)n;
	}
	return n;
}

/* The manifest verified: the signed size bounds the copy. */
static int on_manifest(void *ctx, const struct fws_verify_result *r)
{
	struct pass *p = ctx;
	const struct fws_sbom_ref *ref = &r->manifest.sbom_document;
	if (ref->name[0] == '\0')
		return 0;
	p->facts->sbom = malloc(ref->size);
	p->cap = ref->size;
	return p->facts->sbom == NULL ? FWS_ENOMEM : 0;
}

static int on_sbom(void *ctx, const uint8_t *data, size_t len)
{
	struct pass *p = ctx;
	struct fws_bundle_facts *f = p->facts;
	/* The verifier already holds the entry to its signed size. */
	if (f->sbom == NULL || len > p->cap - f->sbom_len)
		return FWS_EINTERNAL;
	memcpy(f->sbom + f->sbom_len, data, len);
	f->sbom_len += len;
	return 0;
}

static int on_begin(void *ctx, const struct fws_payload *pl)
{
	struct pass *p = ctx;
	(void)pl;
	fws_sha256_init(&p->payload);
	return 0;
}

static int on_write(void *ctx, const uint8_t *data, size_t len)
{
	fws_sha256_update(&((struct pass *)ctx)->payload, data, len);
	return 0;
}

static int on_end(void *ctx, const struct fws_payload *pl)
{
	struct pass *p = ctx;
	(void)pl;
	if (p->payload_index >= FWS_MAX_PAYLOADS)
		return FWS_EINTERNAL;
	fws_sha256_final(&p->payload, p->facts->payload_sha256[p->payload_index++]);
	return 0;
}

static int check_declared(const struct fws_sbom_ref *ref, const uint8_t *data, size_t len)
{
	char format[FWS_SBOM_FORMAT_MAX + 1], where[FWS_NAME_MAX + 8];
	int rc = fws_sbom_identify(data, len, format);
	snprintf(where, sizeof(where), "sbom/%s", ref->name);
	if (rc != 0)
		return fws_diag_set(FWS_ESBOMFORMAT, 0, where,
				    "the signed sbom_format is %s, but the document is none fwseal "
				    "knows",
				    ref->format);
	if (strcmp(format, ref->format) != 0)
		return fws_diag_set(FWS_ESBOMFORMAT, 0, where,
				    "the signed sbom_format is %s, but the document is %s",
				    ref->format, format);
	return 0;
}

int fws_bundle_verify_facts(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *opts,
			    struct fws_verify_result *result, int sbom_required,
			    struct fws_bundle_facts *facts)
{
	struct pass *p;
	struct fws_sink sink = {0};
	int rc;
	if (read == NULL || result == NULL || facts == NULL)
		return FWS_EUSAGE;
	memset(facts, 0, sizeof(*facts));
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return FWS_ENOMEM;
	p->read = read;
	p->read_ctx = read_ctx;
	p->facts = facts;
	fws_sha256_init(&p->raw);
	sink.ctx = p;
	sink.manifest_verified = on_manifest;
	sink.sbom_write = on_sbom;
	sink.payload_begin = on_begin;
	sink.payload_write = on_write;
	sink.payload_end = on_end;
	rc = fws_bundle_verify(hashing_read, p, opts, &sink, result);
	fws_sha256_final(&p->raw, facts->bundle_sha256);
	if (rc == 0 && facts->sbom != NULL)
		rc = check_declared(&result->manifest.sbom_document, facts->sbom, facts->sbom_len);
	if (rc == 0 && facts->sbom == NULL && sbom_required)
		rc = fws_diag_set(FWS_ENOENT, 0, "sbom_document",
				  "the bundle verified, but it carries no SBOM");
	if (rc != 0) {
		free(facts->sbom);
		facts->sbom = NULL;
		facts->sbom_len = 0;
	}
	free(p);
	return rc;
}

int fws_bundle_verify_sbom(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *opts,
			   struct fws_verify_result *result, int required, uint8_t **sbom,
			   size_t *sbom_len)
{
	struct fws_bundle_facts *f;
	int rc;
	if (sbom == NULL || sbom_len == NULL)
		return FWS_EUSAGE;
	*sbom = NULL;
	*sbom_len = 0;
	f = malloc(sizeof(*f));
	if (f == NULL)
		return FWS_ENOMEM;
	rc = fws_bundle_verify_facts(read, read_ctx, opts, result, required, f);
	if (rc == 0) {
		*sbom = f->sbom;
		*sbom_len = f->sbom_len;
	}
	free(f);
	return rc;
}

void fws_bundle_facts_release(struct fws_bundle_facts *facts, struct fws_verify_result *r,
			      struct fws_verify_result *result)
{
	if (result != NULL && r != NULL)
		*result = *r;
	if (facts != NULL)
		free(facts->sbom);
	free(facts);
	free(r);
}
