/* SPDX-License-Identifier: Apache-2.0 */
/* Manifest JSON: strict decoding into struct fws_manifest, and the canonical
 * encoding signers produce.
 *
 * The manifest is everything a device acts on, so every field is checked for
 * type, range and spelling here, and anything not in the schema is refused:
 * a field we skipped could be one another verifier obeys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "bundle/manifest_encryption.h"
#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "io/io.h"

#define HASH_ALG "sha256-chunks"
#define BLOCKS_KEY "sha256-blocks"

static const char *const manifest_required[] = {
    "schema", "product", "version", "security_version", "hardware", "created", "payloads",
};
static const char *const manifest_optional[] = {
    "expires",
    "min_version",
    "release_notes",
    "sbom",
    "sbom_document",
    "encryption",
};
static const char *const payload_required[] = {
    "name", "size", "chunk_size", "hashes", "target",
};
static const char *const payload_optional[] = {"compression", "encryption"};
/* One algorithm only: a second digest a verifier might pick instead would
 * be a downgrade path. */
static const char *const hashes_required[] = {HASH_ALG};
static const char *const sbom_document_required[] = {"name", "sbom_format", "sha256", "size"};
static const char *const sbom_formats[] = {"spdx-2.3", "cyclonedx-1.5", "cyclonedx-1.6"};
/* Not a second payload digest: the digest of the block index, a delta
 * hint (ADR-050). sha256-chunks is always required and always decides. */
static const char *const hashes_optional[] = {BLOCKS_KEY};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Release notes are shown to operators. Control characters other than tab
 * and newline are refused, C1 controls (U+0080..U+009F) too: an ESC or CSI
 * sequence could rewrite the terminal, and a carriage return could print a
 * line over the real one. UTF-8 validity is jansson's (and encoding's).
 * Returns the offset of the first refused byte, or len. */
static size_t notes_bad_at(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return i;
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return i;
	}
	return len;
}

static int decode_payload(const json_t *obj, struct fws_payload *p)
{
	const json_t *comp;
	const char *s;
	uint64_t n_chunks;
	size_t len;
	int rc;
	char q[FWS_JSON_QUOTE_CAP];

	rc = fws_json_check_keys(obj, payload_required, COUNT(payload_required), payload_optional,
				 COUNT(payload_optional));
	if (rc != 0)
		return rc;
	rc = fws_json_get_name(obj, "name", p->name, sizeof(p->name));
	if (rc != 0)
		return rc;
	rc = fws_json_get_name(obj, "target", p->target, sizeof(p->target));
	if (rc != 0)
		return rc;
	rc = fws_json_get_uint(obj, "size", 0, FWS_SIZE_MAX, &p->size);
	if (rc != 0)
		return rc;
	rc = fws_json_get_chunk_size(obj, "chunk_size", &p->chunk_size);
	if (rc != 0)
		return rc;
	rc = fws_json_get_object(obj, "hashes", hashes_required, COUNT(hashes_required),
				 hashes_optional, COUNT(hashes_optional), NULL);
	if (rc != 0)
		return rc;
	rc = fws_json_get_hex(json_object_get(obj, "hashes"), HASH_ALG, p->chunks_sha256,
			      sizeof(p->chunks_sha256));
	if (rc != 0)
		return fws_json_within(rc, "hashes");
	p->has_blocks = json_object_get(json_object_get(obj, "hashes"), BLOCKS_KEY) != NULL;
	if (p->has_blocks &&
	    (rc = fws_json_get_hex(json_object_get(obj, "hashes"), BLOCKS_KEY, p->blocks_sha256,
				   sizeof(p->blocks_sha256))) != 0)
		return fws_json_within(rc, "hashes");

	/* Other codecs are reserved: a verifier that does not know one must
	 * not write bytes it cannot check as they will land. */
	comp = json_object_get(obj, "compression");
	if (comp != NULL) {
		rc = fws_json_get_string(obj, "compression", 16, FWS_ESCHEMA, &s, &len);
		if (rc != 0)
			return rc;
		if (strcmp(s, "none") != 0)
			return fws_diag_set(FWS_ESCHEMA, 0, "compression",
					    "%s is not \"none\" (other codecs are reserved)",
					    fws_json_quote(q, s, len));
	}

	/* An encrypted payload's geometry is its own (format.md §15.4). */
	if (json_object_get(obj, "encryption") != NULL)
		return fws_manifest_decode_payload_encryption(obj, p);
	/* Bounds the chunk list the verifier must hold (32 bytes per chunk). */
	rc = fws_chunk_count(p->size, p->chunk_size, &n_chunks);
	if (rc != 0)
		return fws_diag_set(
		    rc, 0, NULL, "%llu bytes in chunks of %u are %llu chunks, at most %u",
		    (unsigned long long)p->size, (unsigned)p->chunk_size,
		    (unsigned long long)(p->size / p->chunk_size + (p->size % p->chunk_size != 0)),
		    (unsigned)FWS_MAX_CHUNKS);
	return 0;
}

static int decode_hardware(const json_t *doc, struct fws_manifest *m)
{
	const json_t *arr;
	char q[FWS_JSON_QUOTE_CAP];
	size_t n;
	int rc;

	/* An empty list would match no device; refusing it here gives a
	 * clearer error than FWS_EHARDWARE on every device. */
	rc = fws_json_get_array(doc, "hardware", 1, FWS_MAX_HARDWARE, FWS_ELIMIT, &arr, &n);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = fws_json_name(json_array_get(arr, i), m->hardware[i], sizeof(m->hardware[i]));
		if (rc != 0)
			return fws_json_within(fws_json_within(rc, "[%zu]", i), "hardware");
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m->hardware[i], m->hardware[j]) == 0) {
				char where[32];
				snprintf(where, sizeof(where), "hardware[%zu]", i);
				return fws_diag_set(
				    FWS_ESCHEMA, 0, where, "%s is also hardware[%zu]",
				    fws_json_quote(q, m->hardware[i], strlen(m->hardware[i])), j);
			}
		}
	}
	m->n_hardware = n;
	return 0;
}

/* payloads[i] has the same name (or target) as payloads[j]. */
static int twice(const char *what, size_t i, const char *value, size_t j)
{
	char q[FWS_JSON_QUOTE_CAP], where[48];
	snprintf(where, sizeof(where), "payloads[%zu].%s", i, what);
	return fws_diag_set(FWS_ESCHEMA, 0, where, "%s is also the %s of payloads[%zu]",
			    fws_json_quote(q, value, strlen(value)), what, j);
}

static int decode_payloads(const json_t *doc, struct fws_manifest *m)
{
	const json_t *arr;
	size_t n;
	int rc;

	rc = fws_json_get_array(doc, "payloads", 1, FWS_MAX_PAYLOADS, FWS_ELIMIT, &arr, &n);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = decode_payload(json_array_get(arr, i), &m->payloads[i]);
		if (rc != 0)
			return fws_json_within(rc, "payloads[%zu]", i);
		/* Two payloads with one name would make the bundle entry
		 * ambiguous; two with one target, the last one silently win. */
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m->payloads[i].name, m->payloads[j].name) == 0)
				return twice("name", i, m->payloads[i].name, j);
			if (strcmp(m->payloads[i].target, m->payloads[j].target) == 0)
				return twice("target", i, m->payloads[i].target, j);
		}
	}
	m->n_payloads = n;
	return 0;
}

int fws_sbom_format_valid(const char *s)
{
	for (size_t i = 0; s != NULL && i < COUNT(sbom_formats); i++)
		if (strcmp(s, sbom_formats[i]) == 0)
			return 1;
	return 0;
}

/* The SBOM carried beside the payloads (docs/format.md §14.1). Its digest
 * and size are what bind the sbom/<name> entry to this signature. */
static int decode_sbom_document(const json_t *doc, struct fws_sbom_ref *s)
{
	const json_t *obj;
	char q[FWS_JSON_QUOTE_CAP];
	int rc = fws_json_get_object(doc, "sbom_document", sbom_document_required,
				     COUNT(sbom_document_required), NULL, 0, &obj);
	if (rc != 0)
		return rc;
	rc = fws_json_get_name(obj, "name", s->name, sizeof(s->name));
	if (rc == 0)
		rc = fws_json_get_string_copy(obj, "sbom_format", s->format, sizeof(s->format),
					      FWS_ESCHEMA);
	if (rc == 0 && !fws_sbom_format_valid(s->format))
		rc = fws_diag_set(FWS_ESCHEMA, 0, "sbom_format",
				  "%s is not spdx-2.3, cyclonedx-1.5 or cyclonedx-1.6",
				  fws_json_quote(q, s->format, strlen(s->format)));
	if (rc == 0)
		rc = fws_json_get_hex(obj, "sha256", s->sha256, sizeof(s->sha256));
	if (rc == 0)
		rc = fws_json_get_uint(obj, "size", 1, FWS_SIZE_MAX, &s->size);
	/* The verifier streams it, but a device may keep it: bound it. */
	if (rc == 0 && s->size > FWS_SBOM_MAX)
		rc = fws_diag_set(FWS_ELIMIT, 0, "size", "%llu bytes, at most %u",
				  (unsigned long long)s->size, (unsigned)FWS_SBOM_MAX);
	if (rc != 0)
		memset(s, 0, sizeof(*s));
	return fws_json_within(rc, "sbom_document");
}

static int decode_optional(const json_t *doc, struct fws_manifest *m)
{
	const char *s;
	char q[FWS_JSON_QUOTE_CAP], a[21], b[21];
	size_t len, bad;
	int rc;

	if (json_object_get(doc, "expires") != NULL) {
		rc = fws_json_get_time(doc, "expires", &m->expires);
		if (rc != 0)
			return rc;
		if (m->expires <= m->created) {
			if (fws_time_format(m->expires, a) != 0 ||
			    fws_time_format(m->created, b) != 0)
				return fws_diag_set(FWS_ESCHEMA, 0, "expires", "not after created");
			return fws_diag_set(FWS_ESCHEMA, 0, "expires", "%s is not after created %s",
					    a, b);
		}
	}
	if (json_object_get(doc, "min_version") != NULL) {
		rc =
		    fws_json_get_semver(doc, "min_version", m->min_version, sizeof(m->min_version));
		if (rc != 0)
			return rc;
	}
	if (json_object_get(doc, "release_notes") != NULL) {
		rc = fws_json_get_string(doc, "release_notes", FWS_NOTES_MAX, FWS_ELIMIT, &s, &len);
		if (rc != 0)
			return rc;
		bad = notes_bad_at(s, len);
		if (bad != len)
			return fws_diag_set(FWS_ESCHEMA, 0, "release_notes",
					    "a control character at byte %zu (only tab and newline "
					    "are allowed)",
					    bad);
		memcpy(m->release_notes, s, len);
		m->release_notes[len] = '\0';
	}
	if (json_object_get(doc, "sbom_document") != NULL) {
		/* Two SBOMs (a payload and the document) could disagree. */
		if (json_object_get(doc, "sbom") != NULL)
			return fws_diag_set(FWS_ESCHEMA, 0, "sbom_document",
					    "not together with \"sbom\" (one SBOM per release)");
		rc = decode_sbom_document(doc, &m->sbom_document);
		if (rc != 0)
			return rc;
	}
	if (json_object_get(doc, "sbom") != NULL) {
		rc = fws_json_get_name(doc, "sbom", m->sbom, sizeof(m->sbom));
		if (rc != 0)
			return rc;
		/* A dangling reference would claim an SBOM the bundle lacks. */
		for (size_t i = 0; i < m->n_payloads; i++) {
			if (strcmp(m->sbom, m->payloads[i].name) == 0)
				return 0;
		}
		return fws_diag_set(FWS_ESCHEMA, 0, "sbom", "%s is not the name of a payload",
				    fws_json_quote(q, m->sbom, strlen(m->sbom)));
	}
	return 0;
}

int fws_manifest_decode(const uint8_t *json, size_t len, struct fws_manifest *m)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	uint64_t v;

	if (m == NULL)
		return FWS_EUSAGE;
	memset(m, 0, sizeof(*m));
	if (json == NULL)
		goto out;
	/* A manifest is an envelope body, so the body limit applies. */
	rc = fws_json_load(json, len, FWS_BODY_MAX, &doc);
	if (rc != 0)
		goto out;
	rc = fws_json_check_keys(doc, manifest_required, COUNT(manifest_required),
				 manifest_optional, COUNT(manifest_optional));
	if (rc != 0)
		goto out;
	/* Only schema 1 exists; a later schema may carry fields whose meaning
	 * this verifier cannot know, so it is refused, not guessed at. */
	rc = fws_json_get_uint(doc, "schema", 1, 1, &v);
	if (rc != 0)
		goto out;
	m->schema = (uint32_t)v;
	rc = fws_json_get_name(doc, "product", m->product, sizeof(m->product));
	if (rc != 0)
		goto out;
	rc = fws_json_get_semver(doc, "version", m->version, sizeof(m->version));
	if (rc != 0)
		goto out;
	rc = fws_json_get_uint(doc, "security_version", 0, FWS_SIZE_MAX, &m->security_version);
	if (rc != 0)
		goto out;
	rc = decode_hardware(doc, m);
	if (rc != 0)
		goto out;
	rc = fws_json_get_time(doc, "created", &m->created);
	if (rc != 0)
		goto out;
	rc = decode_payloads(doc, m);
	if (rc != 0)
		goto out;
	rc = decode_optional(doc, m);
	if (rc != 0)
		goto out;
	rc = fws_manifest_decode_encryption(doc, m);
	if (rc != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		memset(m, 0, sizeof(*m));
	json_decref(doc);
	return rc;
}

/* A field of the caller's struct must be a C string within its array. */
static int terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static int encode_payload(const struct fws_payload *p, json_t **out)
{
	int rc = FWS_ENOMEM;
	json_t *obj = json_object(), *hashes = NULL;
	char hex[2 * 32 + 1];

	if (obj == NULL)
		goto out;
	rc = FWS_EUSAGE;
	if (!terminated(p->name, sizeof(p->name)) || !terminated(p->target, sizeof(p->target)))
		goto out;
	rc = FWS_ELIMIT;
	if (p->size > FWS_SIZE_MAX)
		goto out;
	rc = fws_json_set(obj, "name", json_string(p->name));
	if (rc == 0)
		rc = fws_json_set(obj, "target", json_string(p->target));
	if (rc == 0)
		rc = fws_json_set(obj, "size", json_integer((json_int_t)p->size));
	if (rc == 0)
		rc = fws_json_set(obj, "chunk_size", json_integer((json_int_t)p->chunk_size));
	if (rc != 0)
		goto out;
	rc = FWS_ENOMEM;
	hashes = json_object();
	if (hashes == NULL)
		goto out;
	fws_hex_encode(hex, p->chunks_sha256, sizeof(p->chunks_sha256));
	rc = fws_json_set(hashes, HASH_ALG, json_string(hex));
	if (rc == 0 && p->has_blocks) {
		fws_hex_encode(hex, p->blocks_sha256, sizeof(p->blocks_sha256));
		rc = fws_json_set(hashes, BLOCKS_KEY, json_string(hex));
	}
	if (rc != 0)
		goto out;
	rc = fws_json_set(obj, "hashes", hashes);
	hashes = NULL;
	if (rc == 0 && p->encrypted)
		rc = fws_manifest_encode_payload_encryption(p, obj);
	if (rc != 0)
		goto out;
	*out = obj;
	obj = NULL;
	rc = 0;
out:
	json_decref(hashes);
	json_decref(obj);
	return rc;
}

static int encode_sbom_document(const struct fws_sbom_ref *s, json_t *doc)
{
	char hex[65];
	json_t *o;
	int rc;
	if (!terminated(s->name, sizeof(s->name)) || !terminated(s->format, sizeof(s->format)) ||
	    s->size > FWS_SIZE_MAX)
		return FWS_EUSAGE;
	o = json_object();
	fws_hex_encode(hex, s->sha256, 32);
	rc = o == NULL ? FWS_ENOMEM : fws_json_set(o, "name", json_string(s->name));
	if (rc == 0)
		rc = fws_json_set(o, "sbom_format", json_string(s->format));
	if (rc == 0)
		rc = fws_json_set(o, "sha256", json_string(hex));
	if (rc == 0)
		rc = fws_json_set(o, "size", json_integer((json_int_t)s->size));
	if (rc == 0)
		return fws_json_set(doc, "sbom_document", o);
	json_decref(o);
	return rc;
}

static int encode_strings(const struct fws_manifest *m, json_t *doc)
{
	int rc;

	if (!terminated(m->product, sizeof(m->product)) ||
	    !terminated(m->version, sizeof(m->version)) ||
	    !terminated(m->min_version, sizeof(m->min_version)) ||
	    !terminated(m->release_notes, sizeof(m->release_notes)) ||
	    !terminated(m->sbom, sizeof(m->sbom)))
		return FWS_EUSAGE;
	rc = fws_json_set(doc, "product", json_string(m->product));
	if (rc == 0)
		rc = fws_json_set(doc, "version", json_string(m->version));
	if (rc == 0 && m->min_version[0] != '\0')
		rc = fws_json_set(doc, "min_version", json_string(m->min_version));
	if (rc == 0 && m->sbom[0] != '\0')
		rc = fws_json_set(doc, "sbom", json_string(m->sbom));
	if (rc == 0 && m->sbom_document.name[0] != '\0')
		rc = encode_sbom_document(&m->sbom_document, doc);
	if (rc == 0 && m->encryption.enabled)
		rc = fws_manifest_encode_encryption(m, doc);
	if (rc == 0 && m->release_notes[0] != '\0') {
		/* json_string refuses invalid UTF-8: report that, not ENOMEM. */
		json_t *notes = json_string(m->release_notes);
		rc = notes == NULL ? FWS_ESCHEMA : fws_json_set(doc, "release_notes", notes);
	}
	return rc;
}

/* The decoder with the signature fws_json_emit_checked expects. */
static int decode_any(const uint8_t *json, size_t len, void *out)
{
	return fws_manifest_decode(json, len, out);
}

int fws_manifest_encode(const struct fws_manifest *m, char **out, size_t *out_len)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL, *arr = NULL, *item = NULL;

	if (out == NULL || out_len == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	*out_len = 0;
	if (m == NULL)
		goto out;
	rc = FWS_ELIMIT;
	if (m->n_hardware > FWS_MAX_HARDWARE || m->n_payloads > FWS_MAX_PAYLOADS ||
	    m->security_version > FWS_SIZE_MAX)
		goto out;

	rc = FWS_ENOMEM;
	doc = json_object();
	if (doc == NULL)
		goto out;
	rc = fws_json_set(doc, "schema", json_integer((json_int_t)m->schema));
	if (rc == 0)
		rc = fws_json_set(doc, "security_version",
				  json_integer((json_int_t)m->security_version));
	if (rc == 0)
		rc = fws_json_set_time(doc, "created", m->created);
	/* expires == 0 means absent (see manifest.h). */
	if (rc == 0 && m->expires != 0)
		rc = fws_json_set_time(doc, "expires", m->expires);
	if (rc == 0)
		rc = encode_strings(m, doc);
	if (rc != 0)
		goto out;

	rc = FWS_ENOMEM;
	arr = json_array();
	if (arr == NULL)
		goto out;
	for (size_t i = 0; i < m->n_hardware; i++) {
		rc = FWS_EUSAGE;
		if (!terminated(m->hardware[i], sizeof(m->hardware[i])))
			goto out;
		rc = fws_json_append(arr, json_string(m->hardware[i]));
		if (rc != 0)
			goto out;
	}
	rc = fws_json_set(doc, "hardware", arr);
	arr = NULL;
	if (rc != 0)
		goto out;

	rc = FWS_ENOMEM;
	arr = json_array();
	if (arr == NULL)
		goto out;
	for (size_t i = 0; i < m->n_payloads; i++) {
		rc = encode_payload(&m->payloads[i], &item);
		if (rc != 0)
			goto out;
		rc = fws_json_append(arr, item);
		item = NULL;
		if (rc != 0)
			goto out;
	}
	rc = fws_json_set(doc, "payloads", arr);
	arr = NULL;
	if (rc != 0)
		goto out;

	rc = fws_json_emit_checked(doc, decode_any, sizeof(struct fws_manifest), out, out_len);
out:
	json_decref(item);
	json_decref(arr);
	json_decref(doc);
	return rc;
}
