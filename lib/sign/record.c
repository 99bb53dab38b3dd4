/* SPDX-License-Identifier: Apache-2.0 */
/* Release records (docs/evidence.md §2). A record names, from a bundle that
 * verified: the bundle file's digest and size, the signed manifest body's
 * digest, what the manifest says (product, version, counter, hardware,
 * payloads, SBOM), who signed under which root, plus what made it: every
 * input file's digest, the tool's version and commit, SOURCE_DATE_EPOCH
 * and the built-in selftest's result.
 *
 * Checking a bundle against a record compares every field the bundle
 * determines; the first that differs is named (FWS_ERECORD): an edited
 * record, or a bundle that is not the one released, is caught field by
 * field. The record itself is not signed: it is filed in a quality system
 * that keeps it; what it names is signed (or is the file's own digest). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/record.h"
#include "fwseal/selftest.h"
#include "fwseal/sha256.h"
#include "io/io.h"
#include "sign/sbom_internal.h"

#define RECORD_VERSION 1
#define MAX_INPUTS 64
#define READ_BUF (1024 * 1024)

static const char *const record_keys[] = {
    "bundle",	"created",	    "hardware",	   "inputs",	     "manifest_sha256",
    "payloads", "product",	    "record_type", "record_version", "root_version",
    "sbom",	"security_version", "selftest",	   "signers",	     "source_date_epoch",
    "tool",	"version",
};
/* What the bundle decides, compared in this order by fws_record_check. */
static const char *const compared[] = {
    "product",	"version",	"security_version", "created",
    "hardware", "root_version", "signers",	    "manifest_sha256",
    "sbom",	"payloads",	"bundle",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static json_t *hex(const uint8_t *b, size_t n)
{
	char h[65];
	fws_hex_encode(h, b, n);
	return json_string(h);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Release keys whose signature verified, sorted: the same set, the same text. */
static json_t *signers(const struct fws_signers *s)
{
	char h[FWS_MAX_SIGNATURES][65];
	const char *p[FWS_MAX_SIGNATURES] = {0};
	/* Never more than the envelope can hold: n bounds every loop below. */
	size_t n = s->n < FWS_MAX_SIGNATURES ? s->n : FWS_MAX_SIGNATURES;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		fws_hex_encode(h[i], s->keyids[i], 32);
		p[i] = h[i];
	}
	qsort(p, n, sizeof(p[0]), cmp_str);
	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(arr, json_string(p[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *sbom(const struct fws_sbom_ref *s)
{
	if (s->name[0] == '\0')
		return json_null();
	return json_pack("{s:s,s:s,s:I,s:o}", "name", s->name, "sbom_format", s->format, "size",
			 (json_int_t)s->size, "sha256", hex(s->sha256, 32));
}

/* Every field the bundle decides (the compared ones). */
static int bundle_fields(json_t *doc, const struct fws_verify_result *r,
			 const struct fws_bundle_facts *f, const char *bundle_name)
{
	const struct fws_manifest *m = &r->manifest;
	json_t *hw = json_array(), *pl = json_array();
	int rc = hw == NULL || pl == NULL ? FWS_ENOMEM : 0;
	for (size_t i = 0; rc == 0 && i < m->n_hardware; i++)
		rc = fws_json_append(hw, json_string(m->hardware[i]));
	for (size_t i = 0; rc == 0 && i < m->n_payloads; i++) {
		const struct fws_payload *p = &m->payloads[i];
		rc = fws_json_append(pl, json_pack("{s:s,s:s,s:I,s:o,s:o}", "name", p->name,
						   "target", p->target, "size", (json_int_t)p->size,
						   "sha256", hex(f->payload_sha256[i], 32),
						   "sha256_chunks", hex(p->chunks_sha256, 32)));
	}
	if (rc == 0) {
		rc = fws_json_set(doc, "hardware", hw);
		hw = NULL;
	}
	if (rc == 0) {
		rc = fws_json_set(doc, "payloads", pl);
		pl = NULL;
	}
	json_decref(hw);
	json_decref(pl);
	if (rc == 0)
		rc = fws_json_set(doc, "product", json_string(m->product));
	if (rc == 0)
		rc = fws_json_set(doc, "version", json_string(m->version));
	if (rc == 0)
		rc = fws_json_set(doc, "security_version",
				  json_integer((json_int_t)m->security_version));
	if (rc == 0)
		rc = fws_json_set_time(doc, "created", m->created);
	if (rc == 0)
		rc = fws_json_set(doc, "root_version", json_integer((json_int_t)r->root.version));
	if (rc == 0)
		rc = fws_json_set(doc, "signers", signers(&r->signers));
	if (rc == 0)
		rc = fws_json_set(doc, "manifest_sha256", hex(r->manifest_body_sha256, 32));
	if (rc == 0)
		rc = fws_json_set(doc, "sbom", sbom(&m->sbom_document));
	if (rc == 0)
		rc = fws_json_set(doc, "bundle",
				  json_pack("{s:s,s:o,s:I}", "name", bundle_name, "sha256",
					    hex(f->bundle_sha256, 32), "size",
					    (json_int_t)f->bundle_bytes));
	return rc;
}

static int hash_file(const char *path, uint8_t digest[32], uint64_t *size, uint8_t *buf)
{
	struct fws_sha256 h;
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;
	*size = 0;
	if (fd < 0)
		return fws_diag_set(errno == ENOENT ? FWS_ENOENT : FWS_EIO, errno, NULL,
				    "cannot open");
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		rc = fws_diag_set(FWS_EIO, 0, NULL, "not a regular file");
	fws_sha256_init(&h);
	while (rc == 0) {
		ssize_t n = read(fd, buf, READ_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = fws_diag_set(FWS_EIO, errno, NULL, "cannot read");
		if (n <= 0)
			break;
		fws_sha256_update(&h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(fd);
	fws_sha256_final(&h, digest);
	return rc;
}

/* An input that the bundle also holds must be what the bundle holds. */
static int input_matches(const char *role, const uint8_t digest[32],
			 const struct fws_verify_result *r, const struct fws_bundle_facts *f)
{
	const struct fws_manifest *m = &r->manifest;
	if (strcmp(role, "sbom") == 0 && m->sbom_document.name[0] != '\0' &&
	    memcmp(digest, m->sbom_document.sha256, 32) != 0)
		return fws_diag_set(FWS_EDIGEST, 0, "sbom", "changed since it was packed");
	for (size_t i = 0; strncmp(role, "payload:", 8) == 0 && i < m->n_payloads; i++)
		if (strcmp(role + 8, m->payloads[i].name) == 0 &&
		    memcmp(digest, f->payload_sha256[i], 32) != 0)
			return fws_diag_set(FWS_EDIGEST, 0, role, "changed since it was packed");
	return 0;
}

static int inputs(json_t *doc, const struct fws_record_opts *o, const struct fws_verify_result *r,
		  const struct fws_bundle_facts *f, const char **failed)
{
	uint8_t *buf = malloc(READ_BUF), digest[32];
	uint64_t size;
	json_t *arr = json_array();
	int rc = buf == NULL || arr == NULL ? FWS_ENOMEM : 0;
	for (size_t i = 0; rc == 0 && i < o->n_inputs; i++) {
		*failed = o->inputs[i].path;
		rc = hash_file(o->inputs[i].path, digest, &size, buf);
		if (rc == 0)
			rc = input_matches(o->inputs[i].role, digest, r, f);
		if (rc == 0)
			rc = fws_json_append(
			    arr, json_pack("{s:s,s:s,s:o,s:I}", "role", o->inputs[i].role, "path",
					   o->inputs[i].path, "sha256", hex(digest, 32), "size",
					   (json_int_t)size));
	}
	if (rc == 0) {
		*failed = NULL;
		rc = fws_json_set(doc, "inputs", arr);
		arr = NULL;
	}
	json_decref(arr);
	free(buf);
	return rc;
}

static int selftest(json_t *doc)
{
	struct fws_selftest_summary sum;
	int rc = fws_selftest_run(NULL, NULL, &sum);
	if (rc != 0)
		return fws_diag_set(FWS_EINTERNAL, 0, "selftest",
				    "%zu of %zu built-in cases failed: this build is not fit to "
				    "record a release",
				    sum.failed, sum.total);
	return fws_json_set(doc, "selftest",
			    json_pack("{s:s,s:I,s:I,s:I}", "result", "pass", "total",
				      (json_int_t)sum.total, "passed", (json_int_t)sum.passed,
				      "failed", (json_int_t)sum.failed));
}

static int source_date_epoch(json_t *doc, const char *sde)
{
	char *end = NULL;
	long long v;
	if (sde == NULL)
		return fws_json_set(doc, "source_date_epoch", json_null());
	errno = 0;
	v = strtoll(sde, &end, 10);
	if (sde[0] < '0' || sde[0] > '9' || *end != '\0' || errno != 0 || v < 0)
		return fws_diag_set(FWS_EUSAGE, 0, "SOURCE_DATE_EPOCH", "not a decimal number");
	return fws_json_set(doc, "source_date_epoch", json_integer((json_int_t)v));
}

int fws_record_make(fws_read_fn read, void *read_ctx, const struct fws_record_opts *o, char **json,
		    size_t *json_len, struct fws_verify_result *result)
{
	struct fws_verify_result *r = malloc(sizeof(*r));
	struct fws_bundle_facts *f = calloc(1, sizeof(*f));
	struct fws_verify_opts vo = {0};
	json_t *doc = json_object();
	const char *failed = NULL;
	int rc = FWS_EUSAGE;
	if (json != NULL)
		*json = NULL;
	if (read == NULL || o == NULL || o->trusted == NULL || o->bundle_name == NULL ||
	    o->tool_name == NULL || o->tool_version == NULL || o->tool_commit == NULL ||
	    json == NULL || json_len == NULL || o->n_inputs > MAX_INPUTS ||
	    (o->n_inputs > 0 && o->inputs == NULL))
		goto out;
	rc = FWS_ENOMEM;
	if (r == NULL || f == NULL || doc == NULL)
		goto out;
	vo.trusted_root = o->trusted;
	vo.now = o->now;
	rc = fws_bundle_verify_facts(read, read_ctx, &vo, r, 0, f);
	if (rc == 0)
		rc = bundle_fields(doc, r, f, o->bundle_name);
	if (rc == 0)
		rc = inputs(doc, o, r, f, &failed);
	if (rc == 0)
		rc = selftest(doc);
	if (rc == 0)
		rc = source_date_epoch(doc, o->source_date_epoch);
	if (rc == 0)
		rc = fws_json_set(doc, "tool",
				  json_pack("{s:s,s:s,s:s}", "name", o->tool_name, "version",
					    o->tool_version, "commit", o->tool_commit));
	if (rc == 0)
		rc = fws_json_set(doc, "record_type", json_string(FWS_RECORD_TYPE));
	if (rc == 0)
		rc = fws_json_set(doc, "record_version", json_integer(RECORD_VERSION));
	if (rc == 0)
		rc = fws_json_dump(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII, 1,
				   json, json_len);
	/* The diagnostic names the input file that failed, if one did. */
	if (rc != 0 && failed != NULL && fws_diag_last()->code == rc) {
		char why[FWS_DIAG_WHY_MAX];
		snprintf(why, sizeof(why), "%s", fws_diag_last()->why);
		rc = fws_diag_set(rc, 0, failed, "%s", why);
	}
out:
	fws_bundle_facts_release(f, r, result);
	json_decref(doc);
	return rc;
}

/* The parts of a record the bundle does not decide still have a shape. */
static int check_shape(const json_t *rec)
{
	static const char *const input_keys[] = {"path", "role", "sha256", "size"};
	static const char *const tool_keys[] = {"commit", "name", "version"};
	static const char *const selftest_keys[] = {"failed", "passed", "result", "total"};
	const json_t *v = NULL, *e;
	size_t i;
	uint64_t n;
	int rc = fws_json_check_keys(rec, record_keys, COUNT(record_keys), NULL, 0);
	const char *type = json_string_value(json_object_get(rec, "record_type"));
	if (rc == 0 && (type == NULL || strcmp(type, FWS_RECORD_TYPE) != 0))
		rc = fws_diag_set(FWS_ESCHEMA, 0, "record_type", "not \"" FWS_RECORD_TYPE "\"");
	if (rc == 0)
		rc = fws_json_get_uint(rec, "record_version", RECORD_VERSION, RECORD_VERSION, &n);
	if (rc == 0)
		rc = fws_json_get_array(rec, "inputs", 0, MAX_INPUTS, FWS_ESCHEMA, &v, &i);
	json_array_foreach(v, i, e)
	{
		if (rc == 0)
			rc = fws_json_within(
			    fws_json_check_keys(e, input_keys, COUNT(input_keys), NULL, 0),
			    "inputs[%zu]", i);
	}
	if (rc == 0)
		rc = fws_json_get_object(rec, "tool", tool_keys, COUNT(tool_keys), NULL, 0, NULL);
	if (rc == 0)
		rc = fws_json_get_object(rec, "selftest", selftest_keys, COUNT(selftest_keys), NULL,
					 0, NULL);
	v = json_object_get(rec, "source_date_epoch");
	if (rc == 0 && !json_is_null(v))
		rc = fws_json_get_uint(rec, "source_date_epoch", 0, FWS_SIZE_MAX, &n);
	return rc;
}

static int differs(const char *where, const json_t *said, const json_t *is)
{
	char *a = json_dumps(said, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	char *b = json_dumps(is, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	int rc = fws_diag_set(
	    FWS_ERECORD, 0, where, "the record says %.80s%s, the bundle has %.80s%s", a ? a : "?",
	    a && strlen(a) > 80 ? "..." : "", b ? b : "?", b && strlen(b) > 80 ? "..." : "");
	free(a);
	free(b);
	return rc;
}

/* The first field that differs, as deep as it is worth naming. */
static int compare(const json_t *rec, const json_t *want)
{
	char where[64];
	for (size_t i = 0; i < COUNT(compared); i++) {
		const char *k = compared[i];
		const json_t *a = json_object_get(rec, k), *b = json_object_get(want, k);
		if (strcmp(k, "bundle") == 0) {
			static const char *const sub[] = {"sha256", "size"};
			for (size_t j = 0; j < 2; j++) {
				snprintf(where, sizeof(where), "bundle.%s", sub[j]);
				if (!json_equal(json_object_get(a, sub[j]),
						json_object_get(b, sub[j])))
					return differs(where, json_object_get(a, sub[j]),
						       json_object_get(b, sub[j]));
			}
			continue;
		}
		if (strcmp(k, "payloads") == 0 && json_is_array(a) &&
		    json_array_size(a) == json_array_size(b)) {
			for (size_t j = 0; j < json_array_size(b); j++) {
				const json_t *pa = json_array_get(a, j), *pb = json_array_get(b, j);
				const char *pk;
				json_t *pv;
				if (json_equal(pa, pb))
					continue;
				json_object_foreach((json_t *)pb, pk, pv)
				{
					if (!json_equal(json_object_get(pa, pk), pv)) {
						snprintf(where, sizeof(where), "payloads[%zu].%s",
							 j, pk);
						return differs(where, json_object_get(pa, pk), pv);
					}
				}
				snprintf(where, sizeof(where), "payloads[%zu]", j);
				return differs(where, pa, pb);
			}
			continue;
		}
		if (!json_equal(a, b))
			return differs(k, a, b);
	}
	return 0;
}

int fws_record_validate(const uint8_t *record, size_t record_len)
{
	json_t *rec = NULL;
	int rc =
	    record == NULL ? FWS_EUSAGE : fws_json_load(record, record_len, FWS_RECORD_MAX, &rec);
	if (rc == 0)
		rc = check_shape(rec);
	json_decref(rec);
	return rc;
}

int fws_record_check(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *vo,
		     const uint8_t *record, size_t record_len, struct fws_verify_result *result)
{
	struct fws_verify_result *r = malloc(sizeof(*r));
	struct fws_bundle_facts *f = calloc(1, sizeof(*f));
	json_t *rec = NULL, *want = json_object();
	int rc = FWS_EUSAGE;
	if (read == NULL || vo == NULL || record == NULL)
		goto out;
	rc = FWS_ENOMEM;
	if (r == NULL || f == NULL || want == NULL)
		goto out;
	/* The record first: a file that is not a record is said as such. */
	rc = fws_json_load(record, record_len, FWS_RECORD_MAX, &rec);
	if (rc == 0)
		rc = check_shape(rec);
	if (rc != 0) {
		fws_diag_input(rc, FWS_INPUT_RECORD);
		goto out;
	}
	rc = fws_bundle_verify_facts(read, read_ctx, vo, r, 0, f);
	if (rc != 0)
		fws_diag_input(rc, FWS_INPUT_BUNDLE);
	if (rc == 0)
		rc = bundle_fields(want, r, f, "");
	if (rc == 0 && (rc = compare(rec, want)) != 0)
		fws_diag_input(rc, FWS_INPUT_RECORD);
out:
	fws_bundle_facts_release(f, r, result);
	json_decref(rec);
	json_decref(want);
	return rc;
}
