/* SPDX-License-Identifier: Apache-2.0 */
/* Streaming bundle verification: one pass, one reader, bounded memory.
 *
 * Decision order (design.md): manifest envelope -> root chain -> manifest
 * signatures against the newest root -> manifest schema -> policy (hardware,
 * rollback) -> for each payload: chunk list, then each chunk verified before
 * it is released to the sink -> nothing after the archive. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "bundle/chunk_pool.h"
#include "bundle/source.h"
#include "bundle/tar_reader.h"
#include "bundle/trust_explain.h"
#include "bundle/verify_blocks.h"
#include "bundle/verify_internal.h"
#include "fwseal/blocks.h"
#include "fwseal/chunks.h"
#include "fwseal/encrypt.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "io/io.h"

struct verify_ctx {
	struct fws_source src;
	struct fws_tar tar;
	struct fws_tar_entry entry;
	struct fws_envelope manifest_env;
	struct fws_envelope root_env; /* scratch for carried roots */
	struct fws_root next_root;
	int pending; /* c->entry holds a header read ahead but not yet used */
	fws_manifest_sig_check sig_check;
	uint8_t file[FWS_ENVELOPE_MAX];
};

/* Reads the current entry (an envelope file) whole into ctx->file. */
/* Names the entry a code is about, unless a deeper layer already said. */
static int about(int rc, const char *entry, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int about(int rc, const char *entry, const char *fmt, ...)
{
	char why[FWS_DIAG_WHY_MAX];
	va_list ap;
	if (rc >= 0 || fws_diag_last()->code == rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fws_diag_set(rc, 0, entry, "%s", why);
}

static int read_envelope_entry(struct verify_ctx *c, size_t *len)
{
	*len = 0;
	if (c->entry.size > FWS_ENVELOPE_MAX)
		return about(FWS_ELIMIT, c->entry.path, "%llu bytes, at most %d",
			     (unsigned long long)c->entry.size, FWS_ENVELOPE_MAX);
	*len = (size_t)c->entry.size;
	return fws_tar_read_all(&c->tar, c->file, *len);
}

/* "root/<N>.json" with N a decimal without leading zeros. */
static int parse_root_name(const char *path, uint64_t *n)
{
	const char *p = path + 5;
	uint64_t v = 0;
	if (strncmp(path, "root/", 5) != 0 || *p < '1' || *p > '9')
		return FWS_EENTRY;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (FWS_SIZE_MAX - 9) / 10)
			return FWS_EENTRY;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (strcmp(p, ".json") != 0)
		return FWS_EENTRY;
	*n = v;
	return 0;
}

/* A carried root the device already has (or has passed): it cannot change
 * trust, but it must still be what it claims. The one at the trusted
 * version must be the trusted root itself, signed by its root role; older
 * ones must at least decode strictly to their own version. Nothing in a
 * bundle goes unchecked. */
static int check_known_root(struct verify_ctx *c, const struct fws_root *trusted,
			    const uint8_t *json, size_t len, uint64_t n)
{
	const uint8_t *body;
	size_t body_len;
	int rc = fws_envelope_decode(json, len, &c->root_env);
	if (rc == 0 && n == trusted->version) {
		rc = fws_envelope_verify(&c->root_env, FWS_TYPE_ROOT, trusted, FWS_ROLE_ROOT, NULL);
		/* The bundle's root at the trusted version is another root:
		 * the usual cause is --root naming the wrong root file. */
		rc = fws_explain_signatures(rc, c->entry.path, "the bundle's root", &c->root_env,
					    trusted, FWS_ROLE_ROOT);
	}
	if (rc != 0)
		return rc;
	body = fws_envelope_body(&c->root_env, &body_len);
	rc = fws_root_decode(body, body_len, &c->next_root);
	if (rc == 0 && c->next_root.version != n)
		rc = FWS_EROOTVERSION;
	if (rc == 0 && n == trusted->version && !fws_root_equal(&c->next_root, trusted))
		rc = fws_diag_set(FWS_EROOTMISMATCH, 0, c->entry.path,
				  "the bundle's root v%llu differs from the trusted root v%llu "
				  "(same version, other contents)",
				  (unsigned long long)n, (unsigned long long)trusted->version);
	return rc;
}

/* One carried root: verified against the current root's root role before
 * its body is parsed, then the rotation rule; a gap breaks the chain. */
static int advance_root(struct verify_ctx *c, struct fws_verify_result *r,
			const struct fws_root *trusted, uint64_t n)
{
	size_t len;
	int rc = read_envelope_entry(c, &len);
	if (rc != 0)
		return rc;
	if (n <= trusted->version)
		return check_known_root(c, trusted, c->file, len, n);
	if (n != r->root.version + 1)
		return FWS_EROOTVERSION;
	rc = fws_root_advance(&r->root, c->file, len, &c->root_env, &c->next_root);
	if (rc != 0)
		return rc;
	/* fws_root_check_successor guarantees version == old + 1 == n, so the
	 * file name and the signed version agree. */
	r->root_envelope = c->root_env;
	r->root_advanced = 1;
	return 0;
}

static int check_manifest(struct verify_ctx *c, const struct fws_verify_opts *o,
			  const struct fws_sink *sink, struct fws_verify_result *r)
{
	const uint8_t *body;
	size_t body_len;
	char what[96];
	int rc;
	if (o->now > 0 && o->now > r->root.expires) {
		snprintf(what, sizeof(what), "root v%llu", (unsigned long long)r->root.version);
		return fws_explain_expired(NULL, what, r->root.expires, o->now);
	}
	rc = c->sig_check(&c->manifest_env, &r->root, &r->signers);
	if (rc != 0)
		return fws_explain_signatures(rc, "manifest.json", "the manifest", &c->manifest_env,
					      &r->root, FWS_ROLE_RELEASE);
	body = fws_envelope_body(&c->manifest_env, &body_len);
	fws_sha256(body, body_len, r->manifest_body_sha256);
	rc = fws_manifest_decode(body, body_len, &r->manifest);
	if (rc != 0)
		return rc;
	/* Signed after its root expired: the signer's clock or the signer is
	 * wrong. Refusing it also keeps a device's trusted time (the newest
	 * `created` it accepted) from being pushed past the root's life. */
	if (r->manifest.created > r->root.expires) {
		snprintf(what, sizeof(what), "root v%llu (the manifest was signed after it)",
			 (unsigned long long)r->root.version);
		return fws_explain_expired("created", what, r->root.expires, r->manifest.created);
	}
	/* The archive's one timestamp is the signed `created`: the bundle's
	 * bytes are fully determined by what was signed. */
	if ((uint64_t)r->manifest.created != c->tar.mtime)
		return FWS_EFORMAT;
	if (o->now > 0 && r->manifest.expires != 0 && o->now > r->manifest.expires)
		return fws_explain_expired("expires", "the manifest", r->manifest.expires, o->now);
	rc = fws_policy_check(&r->manifest, &o->policy);
	if (rc != 0)
		return fws_explain_policy(rc, &r->manifest, &o->policy);
	/* The entry just read is the first chunks/ header, or the SBOM's:
	 * then the payloads follow its signed size (format.md §3.5). */
	r->payloads_offset = c->tar.offset - fws_tar_header_bytes(c->entry.size, c->entry.mtime);
	/* An encrypted release's recipients entry comes first, unsigned and
	 * of its own size (format.md §15.2): bounded before it is used. */
	/* (An empty path: the archive ended before this entry; that is
	 * reported as the truncation it is.) */
	if (r->manifest.encryption.enabled && c->entry.path[0] != '\0') {
		if (strcmp(c->entry.path, "recipients") != 0)
			return about(FWS_EENTRY, c->entry.path,
				     "found where the encrypted release's recipients must come");
		if (c->entry.size == 0 || c->entry.size > FWS_RECIPIENTS_MAX)
			return about(FWS_ERECIPIENTS, c->entry.path, "%llu bytes, 1..%u allowed",
				     (unsigned long long)c->entry.size, FWS_RECIPIENTS_MAX);
		r->payloads_offset += fws_tar_header_bytes(c->entry.size, c->entry.mtime) +
				      fws_tar_data_bytes(c->entry.size);
	}
	if (r->manifest.sbom_document.name[0] != '\0')
		r->payloads_offset += fws_tar_header_bytes(r->manifest.sbom_document.size,
							   c->entry.mtime) +
				      fws_tar_data_bytes(r->manifest.sbom_document.size);
	if (sink != NULL && sink->manifest_verified != NULL)
		rc = sink->manifest_verified(sink->ctx, r);
	return rc;
}

/* From here on the archive's exact size is known from signed data: cap the
 * source there, so no decompression bomb or padding trick can run longer. */
static int cap_source(struct verify_ctx *c, const struct fws_manifest *m)
{
	uint64_t total = c->tar.offset, n;
	if (m->encryption.enabled)
		total += fws_tar_entry_footprint(c->entry.size); /* the recipients */
	if (m->sbom_document.name[0] != '\0')
		total += fws_tar_entry_footprint(m->sbom_document.size);
	for (size_t i = 0; i < m->n_payloads; i++) {
		int rc = fws_payload_chunk_count(&m->payloads[i], &n);
		if (rc != 0)
			return rc;
		total += fws_tar_entry_footprint(n * FWS_SHA256_LEN);
		if (m->payloads[i].has_blocks)
			total += fws_tar_entry_footprint(fws_block_count(m->payloads[i].size) *
							 FWS_BLOCK_HASH_LEN);
		if (m->payloads[i].encrypted && m->payloads[i].has_plain_blocks) {
			uint64_t len;
			rc = fws_enc_plain_entry_size(&m->payloads[i], &len);
			if (rc != 0)
				return rc;
			total += fws_tar_entry_footprint(len);
		}
		total += fws_tar_entry_footprint(m->payloads[i].size);
	}
	total += 2 * FWS_TAR_BLOCK + FWS_TAR_RECORD;
	/* The current entry's header is already consumed and counted. */
	c->src.limit = total;
	return 0;
}

static int expect_entry(struct verify_ctx *c, const char *dir, const char *name)
{
	int rc = 0;
	if (c->pending)
		c->pending = 0;
	else
		rc = fws_tar_next(&c->tar, &c->entry);
	if (rc == 1)
		return about(FWS_ETRUNCATED, NULL, "the archive ends before %s%s", dir, name);
	if (rc != 0)
		return rc;
	size_t dl = strlen(dir);
	if (strncmp(c->entry.path, dir, dl) != 0 || strcmp(c->entry.path + dl, name) != 0)
		return about(FWS_EENTRY, c->entry.path, "found where %s%s must come", dir, name);
	return 0;
}

/* The SBOM entry (format.md §14.2): its signed size, then its digest,
 * streamed through the I/O buffer; it never reaches a slot. */
static int verify_sbom(struct verify_ctx *c, const struct fws_sink *sink,
		       const struct fws_sbom_ref *s)
{
	struct fws_sha256 h;
	uint8_t buf[16384]; /* the SBOM streams through it: never held whole */
	uint8_t digest[FWS_SHA256_LEN];
	size_t got;
	int rc = expect_entry(c, "sbom/", s->name);
	if (rc != 0)
		return rc;
	if (c->entry.size != s->size)
		return about(FWS_ESIZE, c->entry.path, "%llu bytes, the manifest says %llu",
			     (unsigned long long)c->entry.size, (unsigned long long)s->size);
	fws_sha256_init(&h);
	for (;;) {
		rc = fws_tar_read(&c->tar, buf, sizeof(buf), &got);
		if (rc == FWS_ETRUNCATED)
			return about(rc, c->entry.path, "the archive ends inside it");
		if (rc != 0 || got == 0)
			break;
		fws_sha256_update(&h, buf, got);
		if (sink != NULL && sink->sbom_write != NULL &&
		    (rc = sink->sbom_write(sink->ctx, buf, got)) != 0)
			return rc;
	}
	if (rc != 0)
		return rc;
	fws_sha256_final(&h, digest);
	if (memcmp(digest, s->sha256, sizeof(digest)) != 0)
		return about(FWS_EDIGEST, c->entry.path,
			     "does not match the manifest's sbom_document.sha256");
	if (sink != NULL && sink->sbom_verified != NULL)
		rc = sink->sbom_verified(sink->ctx, s);
	return rc;
}

/* The recipients entry (format.md §15.2): unsigned, so only its syntax is
 * checked here (without a key, as `fwseal verify` runs); its bytes stream
 * to the sink, which opens its stanza and checks MAC and key commitment. */
static int verify_recipients(struct verify_ctx *c, const struct fws_sink *sink,
			     struct fws_verify_result *r)
{
	struct fws_age_reader *ar = NULL;
	uint8_t buf[16384]; /* streams through it: never held whole */
	size_t got;
	int rc = fws_age_reader_open(&ar, NULL);
	while (rc == 0) {
		rc = fws_tar_read(&c->tar, buf, sizeof(buf), &got);
		if (rc == FWS_ETRUNCATED)
			rc = about(rc, c->entry.path, "the archive ends inside it");
		if (rc != 0 || got == 0)
			break;
		rc = fws_age_reader_data(ar, buf, got);
		if (rc == 0 && sink != NULL && sink->recipients_data != NULL)
			rc = sink->recipients_data(sink->ctx, buf, got);
	}
	if (rc == 0)
		rc = fws_age_reader_finish(ar, NULL);
	r->recipient_stanzas = ar != NULL ? fws_age_reader_stanzas(ar) : 0;
	fws_age_reader_close(ar);
	if (rc == 0 && sink != NULL && sink->recipients_end != NULL)
		rc = sink->recipients_end(sink->ctx, r);
	return rc;
}

/* One payload's chunks through the hashing pool: read in order on this
 * thread, each checked against its chunk list entry by fws_chunk_check (on
 * a worker when jobs > 1), released to the sink in order and only once its
 * own check passed. What a failure reports does not depend on the number
 * of jobs: done() sees chunks in stream order and stops at the first bad
 * one, and a read error behind chunks still in flight is reported only if
 * none of them failed (with one job they would have been checked first). */
struct payload_stream {
	struct verify_ctx *c;
	const struct fws_payload *p;
	const uint8_t *list;
	const struct fws_sink *sink;
};

static int check_piece(void *ctx, struct fws_pool_task *t)
{
	const struct payload_stream *ps = ctx;
	return fws_payload_piece_check(ps->p, ps->list, t->index, t->buf, t->len);
}

static int release_piece(void *ctx, struct fws_pool_task *t)
{
	const struct payload_stream *ps = ctx;
	if (t->rc == FWS_EDIGEST)
		return about(t->rc, ps->c->entry.path, "chunk %llu does not match its signed digest",
			     (unsigned long long)t->index);
	if (t->rc != 0)
		return about(t->rc, ps->c->entry.path, "chunk %llu is not its signed length",
			     (unsigned long long)t->index);
	if (ps->sink != NULL && ps->sink->payload_write != NULL)
		return ps->sink->payload_write(ps->sink->ctx, t->buf, t->len);
	return 0;
}

static int stream_payload(struct verify_ctx *c, const struct fws_payload *p,
			  const uint8_t *list, unsigned jobs, const struct fws_sink *sink)
{
	struct payload_stream ps = {c, p, list, sink};
	struct fws_pool *pool = NULL;
	uint64_t n = 0, received = 0;
	uint8_t extra;
	size_t got;
	int rc = fws_payload_chunk_count(p, &n), read_rc = 0;
	if (rc != 0)
		return rc;
	if (sink != NULL && sink->payload_begin != NULL) {
		rc = sink->payload_begin(sink->ctx, p);
		if (rc != 0)
			return rc;
	}
	if (n > 0) {
		struct fws_pool_config pc = {jobs, 0, (size_t)fws_payload_piece_len(p, 0),
					     0, check_piece, release_piece, &ps};
		rc = fws_pool_open(&pool, &pc);
	}
	for (uint64_t k = 0; k < n && rc == 0 && read_rc == 0; k++) {
		struct fws_pool_task *t;
		size_t want = (size_t)fws_payload_piece_len(p, k);
		rc = fws_pool_get(pool, &t);
		while (rc == 0 && read_rc == 0 && t->len < want) {
			read_rc = fws_tar_read(&c->tar, t->buf + t->len, want - t->len, &got);
			if (read_rc == 0 && got == 0)
				read_rc = FWS_ETRUNCATED; /* the entry's size was checked: cannot happen */
			if (read_rc == 0)
				t->len += got;
			received += got;
		}
		if (rc == 0 && read_rc == 0)
			rc = fws_pool_put(pool, t);
	}
	/* Chunks still in flight come before a read error in the stream. */
	if (rc == 0 && pool != NULL)
		rc = fws_pool_finish(pool);
	fws_pool_close(pool);
	if (rc != 0)
		return rc;
	if (read_rc == FWS_ETRUNCATED)
		return about(read_rc, c->entry.path, "the archive ends %llu bytes into it",
			     (unsigned long long)received);
	if (read_rc != 0)
		return read_rc;
	/* The entry's size equals the signed size, so nothing may follow. */
	rc = fws_tar_read(&c->tar, &extra, 1, &got);
	if (rc == 0 && got != 0)
		rc = about(FWS_ESIZE, c->entry.path, "longer than its signed %llu bytes",
			   (unsigned long long)p->size);
	if (rc == 0 && sink != NULL && sink->payload_end != NULL)
		rc = sink->payload_end(sink->ctx, p);
	return rc;
}

static int verify_payloads(struct verify_ctx *c, const struct fws_sink *sink,
			   const struct fws_manifest *m, uint64_t base, unsigned jobs)
{
	uint8_t *list = NULL;
	uint8_t scratch[16384]; /* a block index streams through it, never held */
	struct fws_payload_layout lay;
	int rc = 0;
	for (size_t i = 0; i < m->n_payloads && rc == 0; i++) {
		const struct fws_payload *p = &m->payloads[i];
		uint64_t n;
		rc = fws_payload_chunk_count(p, &n);
		if (rc == 0)
			rc = expect_entry(c, "chunks/", p->name);
		if (rc != 0)
			break;
		if (c->entry.size != n * FWS_SHA256_LEN) {
			rc = about(FWS_ESIZE, c->entry.path,
				   "%llu bytes, but %llu chunks need %llu",
				   (unsigned long long)c->entry.size, (unsigned long long)n,
				   (unsigned long long)(n * FWS_SHA256_LEN));
			break;
		}
		free(list);
		list = malloc(n * FWS_SHA256_LEN + 1);
		if (list == NULL) {
			rc = FWS_ENOMEM;
			break;
		}
		rc = fws_tar_read_all(&c->tar, list, (size_t)(n * FWS_SHA256_LEN));
		if (rc == 0)
			rc = about(fws_payload_list_check(p, list, (size_t)(n * FWS_SHA256_LEN)),
				   c->entry.path, "does not match the manifest's sha256-chunks");
		/* The block index, when signed, comes between (ADR-050). */
		if (rc == 0 && p->has_blocks && (rc = expect_entry(c, "blocks/", p->name)) == 0)
			rc = fws_verify_block_index(&c->tar, &c->entry, p, i, sink, scratch,
						    sizeof(scratch));
		/* An encrypted payload's keyed block index, when signed (§15.6). */
		if (rc == 0 && p->encrypted && p->has_plain_blocks &&
		    (rc = expect_entry(c, "plain/", p->name)) == 0)
			rc = fws_verify_plain_blocks(&c->tar, &c->entry, p, i, sink, scratch,
						     sizeof(scratch));
		if (rc == 0 && sink != NULL && sink->chunk_list_verified != NULL)
			rc = sink->chunk_list_verified(sink->ctx, p, i, list);
		if (rc == 0)
			rc = expect_entry(c, "payloads/", p->name);
		if (rc == 0 && c->entry.size != p->size)
			rc = about(FWS_ESIZE, c->entry.path, "%llu bytes, the manifest says %llu",
				   (unsigned long long)c->entry.size, (unsigned long long)p->size);
		/* Where the manifest says the payload lies is where it is (a
		 * delta fetched its chunks from there): format.md §3.5. */
		if (rc == 0 && (rc = fws_bundle_layout(m, base, i, &lay)) == 0 &&
		    c->tar.offset != lay.data)
			rc = about(FWS_EFORMAT, c->entry.path,
				   "not at offset %llu, where the manifest puts it",
				   (unsigned long long)lay.data);
		if (rc == 0)
			rc = stream_payload(c, p, list, jobs, sink);
		if (rc == 0 && sink != NULL && sink->payload_check != NULL)
			rc = sink->payload_check(sink->ctx, p, list);
	}
	free(list);
	return rc;
}

/* What a device requires: the release threshold of the newest root. */
static int release_threshold(const struct fws_envelope *env, const struct fws_root *root,
			     struct fws_signers *signers)
{
	return fws_envelope_verify(env, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, signers);
}

int fws_bundle_verify_custom(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *opts,
			     const struct fws_sink *sink, struct fws_verify_result *result,
			     fws_manifest_sig_check sig_check, struct fws_envelope *manifest_env)
{
	struct verify_ctx *c = NULL;
	size_t len;
	uint64_t last_root = 0, n;
	size_t n_roots = 0;
	int rc = FWS_EINTERNAL;

	if (read == NULL || opts == NULL || opts->trusted_root == NULL || result == NULL ||
	    sig_check == NULL)
		return FWS_EUSAGE;
	memset(result, 0, sizeof(*result));
	result->root = *opts->trusted_root;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return FWS_ENOMEM;
	c->sig_check = sig_check;
	rc = fws_source_open(&c->src, read, read_ctx);
	if (rc != 0)
		goto out;
	result->compressed = c->src.gzip;
	/* Until the manifest is verified only envelopes may come: cap the input
	 * at what the largest legal prefix can occupy. */
	c->src.limit = (1 + FWS_MAX_ROOT_CHAIN) * fws_tar_entry_footprint(FWS_ENVELOPE_MAX) +
		       fws_tar_entry_footprint(FWS_MAX_CHUNKS * FWS_SHA256_LEN);
	fws_tar_init(&c->tar, &c->src);

	rc = fws_tar_next(&c->tar, &c->entry);
	if (rc == 1)
		rc = FWS_ETRUNCATED;
	if (rc != 0)
		goto out;
	if (strcmp(c->entry.path, "manifest.json") != 0) {
		rc = FWS_EENTRY; /* the signed manifest must come first */
		goto out;
	}
	rc = read_envelope_entry(c, &len);
	if (rc != 0)
		goto out;
	fws_sha256(c->file, len, result->manifest_sha256);
	rc = fws_envelope_decode(c->file, len, &c->manifest_env);
	if (rc != 0)
		goto out;

	for (;;) {
		rc = fws_tar_next(&c->tar, &c->entry);
		if (rc == 1) {
			/* The archive ended after the manifest and roots: what is
			 * wrong with the signed manifest comes first (one naming no
			 * payload is a schema error, not a truncation). */
			c->entry.path[0] = '\0';
			rc = check_manifest(c, opts, sink, result);
			if (rc == 0)
				rc = FWS_ETRUNCATED;
			goto out;
		}
		if (rc != 0)
			goto out;
		if (strncmp(c->entry.path, "root/", 5) != 0)
			break;
		rc = parse_root_name(c->entry.path, &n);
		if (rc == 0 && (n <= last_root || ++n_roots > FWS_MAX_ROOT_CHAIN))
			rc = FWS_EENTRY; /* out of order, repeated, or too many */
		if (rc == 0)
			rc = advance_root(c, result, opts->trusted_root, n);
		if (rc != 0)
			goto out;
		last_root = n;
	}
	/* The first non-root entry is already read: check the manifest now;
	 * that entry must then be the first payload's chunk list. */
	rc = check_manifest(c, opts, sink, result);
	if (rc != 0)
		goto out;
	rc = cap_source(c, &result->manifest);
	if (rc != 0)
		goto out;
	c->pending = 1;
	if (result->manifest.encryption.enabled) {
		c->pending = 0; /* the recipients entry's header is the one read */
		rc = verify_recipients(c, sink, result);
		if (rc != 0)
			goto out;
	}
	if (result->manifest.sbom_document.name[0] != '\0')
		rc = verify_sbom(c, sink, &result->manifest.sbom_document);
	if (rc != 0)
		goto out;
	rc = verify_payloads(c, sink, &result->manifest, result->payloads_offset, opts->jobs);
	if (rc != 0)
		goto out;
	rc = fws_tar_next(&c->tar, &c->entry);
	if (rc == 0)
		rc = about(FWS_EENTRY, c->entry.path, "an entry the manifest does not name");
	else if (rc == 1)
		rc = 0;
out:
	if (c != NULL) {
		if (manifest_env != NULL)
			*manifest_env = c->manifest_env;
		result->bundle_bytes = c->src.raw_bytes;
		fws_source_close(&c->src);
		free(c);
	}
	return rc;
}

int fws_bundle_verify(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *opts,
		      const struct fws_sink *sink, struct fws_verify_result *result)
{
	return fws_bundle_verify_custom(read, read_ctx, opts, sink, result, release_threshold,
					NULL);
}
