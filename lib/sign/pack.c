/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal pack: release description + payload files + root chain + release
 * key -> one signed bundle, in one read of each payload (ADR-048).
 *
 * The manifest must come first in the bundle but can only be signed once
 * every chunk is hashed. Its size is known before: every field is fixed but
 * the digests, which are fixed-length hex. So the bundle is written with a
 * placeholder manifest and zeroed chunk lists, each chunk hashed from the
 * very buffer that is written (on the hashing pool's workers); then the
 * manifest is signed and both are written over their placeholders. The
 * bytes signed are the bytes shipped by construction, so no file change
 * can make the bundle contradict its signature; a payload file changed
 * while it was read (its size, mtime or ctime differ afterwards) is still
 * refused, because the bundle would hold a mix of two versions. With
 * --gzip the plain bundle goes to an unnamed spool file beside the output
 * and is then compressed on every core (gzip_parallel.c, ADR-049). */
#define _GNU_SOURCE /* O_TMPFILE: the spool file has no name */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/chunk_pool.h"
#include "bundle/json_strict.h"
#include "bundle/tar_reader.h"
#include "fwseal/bundle_write.h"
#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/keys.h"
#include "fwseal/policy.h"
#include "fwseal/sbom.h"
#include "fwseal/sha256.h"
#include "io/io.h"
#include "fwseal/blocks.h"
#include "sign/encrypt_write.h"
#include "sign/gzip_parallel.h"
#include "fwseal/encrypt.h"
#include <sodium.h>

#define RELEASE_INPUT_MAX (256 * 1024)

struct pack_payload {
	char path[PATH_MAX];
	uint8_t *chunk_list;
	uint64_t n_chunks;
	uint8_t *block_index; /* blocks/<name> (ADR-050), NULL when left out */
	/* Encrypted (format.md §15.6): the payload's nonce then its blocks'
	 * keyed hints, and plain/<name> (zeros until sealed after the pass). */
	uint8_t *plain_list;
	uint8_t *plain_entry;
	uint64_t plain_entry_len;
};

struct pack_ctx {
	const char *subject; /* the input being processed, for error reports */
	struct fws_manifest m;
	struct pack_payload pl[FWS_MAX_PAYLOADS];
	struct fws_envelope env;
	struct fws_envelope root_env;
	struct fws_root root, next_root;
	uint8_t *sbom; /* the SBOM's bytes as checked: exactly these are packed */
	fws_progress_fn progress;
	void *progress_ctx;
	uint64_t progress_done, progress_total; /* every payload, read once */
	unsigned jobs;
	int block_index; /* write blocks/<name> (ADR-050) */
	/* --encrypt (docs/format.md §15): the file key lives in sodium_malloc
	 * memory and is wiped at the end, whatever happened. */
	uint8_t *file_key;
	uint8_t nonce[FWS_MAX_PAYLOADS][FWS_ENC_NONCE_LEN];
	uint8_t payload_key[32];
	uint8_t hint_key[32];
	uint8_t *plain; /* one plaintext piece, read before it is encrypted */
};

static int parse_payload(const json_t *o, const char *base_dir, struct fws_payload *p,
			 struct pack_payload *pp)
{
	static const char *const req[] = {"name", "file", "target"};
	static const char *const opt[] = {"chunk_size"};
	const char *file;
	size_t file_len;
	uint32_t cs = 0;
	int rc = fws_json_check_keys(o, req, 3, opt, 1);
	if (rc == 0)
		rc = fws_json_get_name(o, "name", p->name, sizeof(p->name));
	if (rc == 0)
		rc = fws_json_get_name(o, "target", p->target, sizeof(p->target));
	if (rc == 0)
		rc = fws_json_get_string(o, "file", PATH_MAX / 2, FWS_ESCHEMA, &file, &file_len);
	if (rc == 0 && file_len == 0)
		rc = fws_diag_set(FWS_ESCHEMA, 0, "file",
				  "empty: the payload file's path is needed");
	/* Every chunk_size problem is a schema error here, a huge one too. */
	if (rc == 0 && json_object_get(o, "chunk_size") != NULL)
		rc = fws_json_recode(fws_json_get_chunk_size(o, "chunk_size", &cs), FWS_ELIMIT,
				     FWS_ESCHEMA);
	if (rc != 0)
		return rc;
	p->chunk_size = cs; /* 0 = choose */
	int n = file[0] == '/' ? snprintf(pp->path, sizeof(pp->path), "%s", file)
			       : snprintf(pp->path, sizeof(pp->path), "%s/%s", base_dir, file);
	if (n < 0 || (size_t)n >= sizeof(pp->path))
		return fws_diag_set(FWS_ELIMIT, 0, "file",
				    "longer than %zu bytes with the description's directory",
				    sizeof(pp->path) - 1);
	return 0;
}

/* The release description (docs/format.md): the manifest's own fields, and
 * for each payload the file it comes from instead of its digests. Names and
 * versions are checked here, with the manifest's own rules, so a mistake is
 * reported before any payload is hashed; the rest (duplicates, release
 * notes' characters, the sbom reference) when pack decodes the manifest it
 * made, with the same field names. */
static int parse_release(const char *path, struct pack_ctx *c)
{
	static const char *const req[] = {"product", "version", "security_version", "hardware",
					  "payloads"};
	static const char *const opt[] = {"expires", "min_version", "release_notes", "sbom"};
	uint8_t *raw = NULL;
	size_t raw_len, n = 0;
	json_t *root = NULL;
	const json_t *v;
	char dir[PATH_MAX];
	size_t i;
	struct fws_manifest *m = &c->m;
	int rc = fws_file_read_all(path, RELEASE_INPUT_MAX, &raw, &raw_len);
	if (rc == 0)
		rc = fws_json_load(raw, raw_len, RELEASE_INPUT_MAX, &root);
	if (rc == 0)
		rc = fws_json_check_keys(root, req, 5, opt, 4);
	if (rc != 0)
		goto out;
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	m->schema = 1;
	rc = fws_json_get_name(root, "product", m->product, sizeof(m->product));
	if (rc == 0)
		rc = fws_json_get_semver(root, "version", m->version, sizeof(m->version));
	if (rc == 0)
		rc = fws_json_get_uint(root, "security_version", 0, FWS_SIZE_MAX,
				       &m->security_version);
	if (rc == 0 && json_object_get(root, "min_version") != NULL)
		rc = fws_json_get_semver(root, "min_version", m->min_version,
					 sizeof(m->min_version));
	if (rc == 0 && json_object_get(root, "release_notes") != NULL)
		rc = fws_json_get_string_copy(root, "release_notes", m->release_notes,
					      sizeof(m->release_notes), FWS_ELIMIT);
	if (rc == 0 && json_object_get(root, "sbom") != NULL)
		rc = fws_json_get_name(root, "sbom", m->sbom, sizeof(m->sbom));
	if (rc == 0 && json_object_get(root, "expires") != NULL)
		rc = fws_json_get_time(root, "expires", &m->expires);
	if (rc == 0)
		rc = fws_json_get_array(root, "hardware", 1, FWS_MAX_HARDWARE, FWS_ESCHEMA, &v, &n);
	if (rc != 0)
		goto out;
	for (i = 0; i < n && rc == 0; i++)
		rc = fws_json_within(
		    fws_json_within(
			fws_json_name(json_array_get(v, i), m->hardware[i], sizeof(m->hardware[i])),
			"[%zu]", i),
		    "hardware");
	m->n_hardware = i;
	if (rc == 0)
		rc = fws_json_get_array(root, "payloads", 1, FWS_MAX_PAYLOADS, FWS_ESCHEMA, &v, &n);
	for (i = 0; rc == 0 && i < n; i++)
		rc = fws_json_within(
		    parse_payload(json_array_get(v, i), dir, &m->payloads[i], &c->pl[i]),
		    "payloads[%zu]", i);
	m->n_payloads = i;
out:
	json_decref(root);
	free(raw);
	return rc;
}

static int read_full(int fd, uint8_t *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = read(fd, buf + *got, len - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FWS_EIO;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

/* One payload through the hashing pool: this thread reads each chunk into
 * a task buffer, a worker writes its digest into the chunk list (entry
 * `index`: disjoint from every other task's), and done() writes the same
 * buffer into the bundle, in order. */
struct payload_copy {
	struct pack_ctx *c;
	const struct fws_payload *p;
	struct pack_payload *pp;
	struct fws_bundle_writer *out;
};

static int digest_piece(void *ctx, struct fws_pool_task *t)
{
	const struct payload_copy *pc = ctx;
	/* Read exactly the piece's length: the rule fws_chunk_check applies. */
	if ((uint64_t)t->len != fws_payload_piece_len(pc->p, t->index))
		return FWS_EINTERNAL;
	fws_chunk_digest(t->buf, t->len, pc->pp->chunk_list + t->index * 32);
	/* Its blocks' short hashes too, from the same buffer: chunks start on
	 * block boundaries (chunk_size is a power of two >= 4 KiB), so each
	 * task fills its own disjoint part of the index. */
	if (pc->pp->block_index != NULL)
		fws_block_index_put(pc->pp->block_index,
				    t->index * (pc->p->chunk_size / FWS_BLOCK_SIZE), t->buf, t->len);
	return 0;
}

static int write_piece(void *ctx, struct fws_pool_task *t)
{
	struct payload_copy *pc = ctx;
	int rc = t->rc != 0 ? t->rc : fws_bundle_writer_data(pc->out, t->buf, t->len);
	pc->c->progress_done += t->len;
	if (rc == 0 && pc->c->progress != NULL)
		pc->c->progress(pc->c->progress_ctx, pc->c->progress_done, pc->c->progress_total);
	return rc;
}

/* The file is the one measured, unchanged while it was read: same inode,
 * size, mtime and ctime. A writer racing pack would otherwise give a
 * bundle that is valid yet holds half of each version. */
static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int copy_payload(struct pack_ctx *c, size_t i, struct fws_bundle_writer *out)
{
	struct fws_payload *p = &c->m.payloads[i];
	struct pack_payload *pp = &c->pl[i];
	struct payload_copy pc = {c, p, pp, out};
	struct fws_pool *pool = NULL;
	struct stat before, after;
	size_t got;
	int rc = 0;
	c->subject = pp->path;
	int fd = open(pp->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fws_diag_set(errno == ENOENT ? FWS_ENOENT : FWS_EIO, errno, NULL,
				    "cannot open");
	if (fstat(fd, &before) != 0)
		rc = fws_diag_set(FWS_EIO, errno, NULL, "cannot read");
	else if (!S_ISREG(before.st_mode))
		rc = fws_diag_set(FWS_EIO, 0, NULL, "not a regular file");
	else if ((uint64_t)before.st_size != (p->encrypted ? p->plain_size : p->size))
		rc = fws_diag_set(FWS_ESIZE, 0, NULL, "changed size while it was read");
	if (rc == 0 && p->encrypted) {
		fws_enc_payload_key(c->file_key, c->nonce[i], c->payload_key);
		fws_enc_hint_key(c->file_key, c->nonce[i], c->hint_key);
		if (c->plain == NULL && (c->plain = sodium_malloc(FWS_CHUNK_MAX)) == NULL)
			rc = FWS_ENOMEM;
	}
	if (rc == 0 && pp->n_chunks > 0) {
		struct fws_pool_config cfg = {c->jobs, 0, (size_t)fws_payload_piece_len(p, 0),
					      0, digest_piece, write_piece, &pc};
		rc = fws_pool_open(&pool, &cfg);
	}
	for (uint64_t k = 0; k < pp->n_chunks && rc == 0; k++) {
		struct fws_pool_task *t;
		size_t want = (size_t)fws_chunk_piece_len(p->size, p->chunk_size, k);
		if (p->encrypted)
			want = (size_t)fws_enc_piece_plain_len(p->plain_size, p->chunk_size, k);
		rc = fws_pool_get(pool, &t);
		if (rc == 0 && (rc = read_full(fd, p->encrypted ? c->plain : t->buf, want, &got)) != 0)
			rc = fws_diag_set(rc, errno, NULL, "cannot read");
		if (rc == 0 && got != want)
			rc = fws_diag_set(FWS_ESIZE, 0, NULL, "changed size while it was read");
		/* Encrypted here, in order; only ciphertext reaches the bundle
		 * and the chunk list (ADR-062). */
		if (rc == 0 && p->encrypted && pp->plain_list != NULL)
			fws_enc_hints_put(c->hint_key, pp->plain_list + FWS_ENC_PLAIN_HEAD,
					  k * (p->chunk_size / FWS_BLOCK_SIZE), c->plain, want);
		if (rc == 0 && p->encrypted) {
			rc = fws_enc_piece_encrypt(c->payload_key, c->nonce[i], p->plain_size,
						   p->chunk_size, k, c->plain, t->buf);
			got = (size_t)fws_payload_piece_len(p, k);
		}
		if (rc == 0) {
			t->len = got;
			rc = fws_pool_put(pool, t);
		}
	}
	if (pool != NULL) {
		int drained = fws_pool_finish(pool);
		if (rc == 0)
			rc = drained;
		fws_pool_close(pool);
	}
	uint8_t extra;
	if (rc == 0 && (rc = read_full(fd, &extra, 1, &got)) == 0 && got != 0)
		rc = fws_diag_set(FWS_ESIZE, 0, NULL, "changed size while it was read");
	if (rc == 0 && fstat(fd, &after) != 0)
		rc = fws_diag_set(FWS_EIO, errno, NULL, "cannot read");
	if (rc == 0 && !same_file(&before, &after))
		rc = fws_diag_set(FWS_EDIGEST, 0, NULL,
				  "changed while it was read (size, mtime or ctime differ): "
				  "pack again once nothing writes to it");
	close(fd);
	return rc;
}

/* An encrypted payload: the entry holds nonce + STREAM, the manifest its
 * plaintext size too; chunks are whole 64 KiB STREAM chunks (§15.4). */
static int encrypted_geometry(struct pack_ctx *c, struct fws_payload *p, struct pack_payload *pp,
			      size_t i)
{
	int rc;
	p->encrypted = 1;
	p->plain_size = p->size;
	randombytes_buf(c->nonce[i], FWS_ENC_NONCE_LEN);
	rc = fws_enc_chunk_count(p->plain_size, p->chunk_size, &pp->n_chunks);
	if (rc == FWS_ESCHEMA)
		return fws_diag_set(rc, 0, NULL,
				    "chunk_size %u of payloads[%zu]: an encrypted payload needs "
				    "a multiple of 65536",
				    (unsigned)p->chunk_size, i);
	if (rc == 0)
		rc = fws_enc_entry_size(p->plain_size, &p->size);
	if (rc != 0)
		return fws_diag_set(rc, 0, NULL, "payloads[%zu] is too large to encrypt", i);
	c->progress_total += p->size - p->plain_size;
	/* The keyed block index for a delta (ADR-064, ADR-087), encrypted;
	 * left out with --no-block-index like the plaintext block index, and
	 * above 4 GiB, where a device would not plan with it. */
	p->has_plain_blocks = c->block_index && fws_block_count(p->plain_size) <= FWS_ENC_HINT_BLOCKS_MAX;
	if (p->has_plain_blocks) {
		rc = fws_enc_plain_entry_size(p, &pp->plain_entry_len);
		if (rc != 0)
			return rc;
		pp->plain_list = calloc(1, FWS_ENC_PLAIN_HEAD +
					       fws_block_count(p->plain_size) * FWS_ENC_HINT_LEN);
		pp->plain_entry = calloc(1, pp->plain_entry_len + 1);
		if (pp->plain_list == NULL || pp->plain_entry == NULL)
			return FWS_ENOMEM;
		memcpy(pp->plain_list, c->nonce[i], FWS_ENC_NONCE_LEN);
	}
	return 0;
}

static int measure_payloads(struct pack_ctx *c)
{
	for (size_t i = 0; i < c->m.n_payloads; i++) {
		struct fws_payload *p = &c->m.payloads[i];
		struct pack_payload *pp = &c->pl[i];
		struct stat sb;
		int rc;
		c->subject = pp->path;
		if (stat(pp->path, &sb) != 0) {
			int err = errno;
			return fws_diag_set(err == ENOENT ? FWS_ENOENT : FWS_EIO, err, NULL,
					    "cannot open");
		}
		if (S_ISDIR(sb.st_mode))
			return fws_diag_set(FWS_EIO, EISDIR, NULL, "cannot read");
		if (!S_ISREG(sb.st_mode))
			return fws_diag_set(FWS_EIO, 0, NULL, "not a regular file");
		if ((uint64_t)sb.st_size > FWS_SIZE_MAX)
			return fws_diag_set(FWS_ELIMIT, 0, NULL, "%lld bytes, more than 2^53 - 1",
					    (long long)sb.st_size);
		p->size = (uint64_t)sb.st_size;
		c->progress_total += p->size;
		if (p->chunk_size == 0) {
			/* Default 1 MiB, doubled for huge payloads so the chunk
			 * list stays within FWS_MAX_CHUNKS. */
			p->chunk_size = FWS_CHUNK_DEFAULT;
			while ((p->size + p->chunk_size - 1) / p->chunk_size > FWS_MAX_CHUNKS &&
			       p->chunk_size < FWS_CHUNK_MAX)
				p->chunk_size *= 2;
		}
		if (c->file_key != NULL) {
			rc = encrypted_geometry(c, p, pp, i);
			if (rc != 0)
				return rc;
		}
		rc = c->file_key != NULL ? 0 : fws_chunk_count(p->size, p->chunk_size, &pp->n_chunks);
		if (rc != 0)
			return fws_diag_set(
			    rc, 0, NULL,
			    "%llu bytes in chunks of %u are %llu chunks, at most %u (payloads[%zu] "
			    "needs a larger chunk_size)",
			    (unsigned long long)p->size, (unsigned)p->chunk_size,
			    (unsigned long long)(p->size / p->chunk_size +
						 (p->size % p->chunk_size != 0)),
			    (unsigned)FWS_MAX_CHUNKS, i);
		/* Zeroed: the placeholder written before the digests are known. */
		pp->chunk_list = calloc(1, pp->n_chunks * 32 + 1);
		if (pp->chunk_list == NULL)
			return FWS_ENOMEM;
		p->has_blocks = c->block_index && !p->encrypted;
		if (p->has_blocks) {
			pp->block_index = calloc(1, fws_block_count(p->size) * FWS_BLOCK_HASH_LEN + 1);
			if (pp->block_index == NULL)
				return FWS_ENOMEM;
		}
	}
	return 0;
}

/* Says how the signing time was given: pack's CLI takes it from
 * SOURCE_DATE_EPOCH when that is set (docs/format.md §9), else the clock.
 * Wording only: the time itself is opts->now. */
static void describe_now(int64_t now, char *out, size_t cap)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char t[21], *end = NULL;
	long long v = sde != NULL ? strtoll(sde, &end, 10) : 0;
	if (fws_time_format(now, t) != 0)
		snprintf(t, sizeof(t), "out of range");
	if (sde != NULL && end != sde && *end == '\0' && v == now)
		snprintf(out, cap, "SOURCE_DATE_EPOCH %lld (%s)", v, t);
	else
		snprintf(out, cap, "the signing time %lld (%s)", (long long)now, t);
}

/* Loads the chain: the first root must be self-signed, each next one a
 * valid successor. The newest root decides who may sign. */
static int load_roots(struct pack_ctx *c, const struct fws_pack_opts *o)
{
	uint8_t *raw = NULL;
	size_t len;
	char now[96], t[21];
	c->subject = o->root_paths[0];
	int rc = fws_root_load_file(o->root_paths[0], &c->root, &c->root_env);
	for (size_t i = 1; i < o->n_roots && rc == 0; i++) {
		c->subject = o->root_paths[i];
		fws_diag_clear();
		rc = fws_file_read_all(o->root_paths[i], FWS_ENVELOPE_MAX, &raw, &len);
		if (rc == 0)
			rc = fws_root_advance(&c->root, raw, len, &c->root_env, &c->next_root);
		if (rc == FWS_EROOTVERSION && fws_diag_last()->code != rc)
			(void)fws_diag_set(rc, 0, "version",
					   "not %llu, the version after the previous --root",
					   (unsigned long long)c->root.version + 1);
		free(raw);
		raw = NULL;
	}
	if (rc != 0)
		return rc;
	const char *slash = strrchr(c->subject, '/');
	const char *name = slash != NULL ? slash + 1 : c->subject;
	describe_now(o->now, now, sizeof(now));
	if (fws_time_format(c->root.expires, t) != 0)
		snprintf(t, sizeof(t), "out of range");
	rc = fws_root_check_not_expired(&c->root, o->now); /* never sign under it */
	if (rc != 0)
		return fws_diag_set(rc, 0, "expires",
				    "%s is before %s: never sign under an expired root", t, now);
	if (fws_time_format(c->root.created, t) != 0)
		snprintf(t, sizeof(t), "out of range");
	/* The signer's clock is behind the root: fix it first. */
	if (o->now < c->root.created)
		return fws_diag_set(FWS_ECLOCK, 0, NULL, "%s is before %s's created %s", now, name,
				    t);
	return 0;
}

/* The SBOM is read once, checked, and those very bytes are hashed and
 * packed: a file changed after the check cannot slip in unchecked. */
static int load_sbom(struct pack_ctx *c, const struct fws_pack_opts *o)
{
	struct fws_sbom_ref *s = &c->m.sbom_document;
	struct fws_sbom_check_opts co = {c->m.product, c->m.version, o->sbom_strict,
					 o->sbom_warn, o->sbom_warn_ctx};
	const char *slash = strrchr(o->sbom_path, '/');
	const char *base = slash != NULL ? slash + 1 : o->sbom_path;
	size_t len;
	int rc;
	c->subject = o->sbom_path;
	if (!fws_name_valid(base))
		return fws_diag_set(FWS_ESCHEMA, 0, "sbom_document.name",
				    "the file name is not a name (1-64 of A-Z a-z 0-9 . _ + -)");
	rc = fws_file_read_all(o->sbom_path, FWS_SBOM_MAX, &c->sbom, &len);
	if (rc == 0 && len == 0)
		rc = fws_diag_set(FWS_ESBOMFORMAT, 0, NULL, "empty");
	if (rc == 0)
		rc = fws_sbom_check(c->sbom, len, &co, s->format);
	if (rc != 0)
		return rc;
	snprintf(s->name, sizeof(s->name), "%s", base);
	s->size = len;
	fws_sha256(c->sbom, len, s->sha256);
	return 0;
}

static int add_file_entry(struct fws_bundle_writer *w, const char *name, const char *path,
			  uint64_t *len_out)
{
	uint8_t *raw = NULL;
	size_t len;
	int rc = fws_file_read_all(path, FWS_ENVELOPE_MAX, &raw, &len);
	if (rc == 0)
		rc = fws_bundle_writer_entry(w, name, len);
	if (rc == 0)
		rc = fws_bundle_writer_data(w, raw, len);
	*len_out = len;
	free(raw);
	return rc;
}

/* The whole bundle into fd in one pass over the payloads: the manifest
 * (manifest_len bytes) and the chunk lists are zeros until patch_bundle.
 * *base is where the first chunks/ entry starts. */
static int write_bundle(struct pack_ctx *c, const struct fws_pack_opts *o, int fd,
			size_t manifest_len, uint64_t *base)
{
	struct fws_bundle_writer *w = NULL;
	char name[FWS_NAME_MAX + 32];
	uint64_t first_version = c->root.version - (o->n_roots - 1), len;
	uint64_t mtime = (uint64_t)o->now;
	uint8_t *zeros = calloc(1, manifest_len + 1);
	int rc = zeros == NULL ? FWS_ENOMEM : fws_bundle_writer_open(&w, fd, 0, o->now);
	if (rc != 0) {
		free(zeros);
		return rc;
	}
	rc = fws_bundle_writer_entry(w, "manifest.json", manifest_len);
	if (rc == 0)
		rc = fws_bundle_writer_data(w, zeros, manifest_len);
	*base = fws_tar_header_bytes(manifest_len, mtime) + fws_tar_data_bytes(manifest_len);
	for (size_t i = 0; i < o->n_roots && rc == 0; i++) {
		snprintf(name, sizeof(name), "root/%llu.json",
			 (unsigned long long)(first_version + i));
		c->subject = o->root_paths[i];
		rc = add_file_entry(w, name, o->root_paths[i], &len);
		*base += fws_tar_header_bytes(len, mtime) + fws_tar_data_bytes(len);
	}
	/* The recipients, after the roots (docs/format.md §15.2). */
	if (rc == 0 && c->file_key != NULL) {
		uint64_t rlen = 0;
		c->subject = "--to";
		rc = fws_recipients_entry_size(o->recipients, o->n_recipients, &rlen);
		if (rc == 0)
			rc = fws_recipients_entry_write(w, c->file_key, o->recipients,
							o->n_recipients);
		*base += fws_tar_header_bytes(rlen, mtime) + fws_tar_data_bytes(rlen);
	}
	/* After the roots, before the payloads (docs/format.md §3.1, §14.2). */
	if (rc == 0 && c->m.sbom_document.name[0] != '\0') {
		snprintf(name, sizeof(name), "sbom/%s", c->m.sbom_document.name);
		rc = fws_bundle_writer_entry(w, name, c->m.sbom_document.size);
		if (rc == 0)
			rc = fws_bundle_writer_data(w, c->sbom, c->m.sbom_document.size);
		/* The payloads (and the chunk lists patched later) lie after it. */
		*base += fws_tar_header_bytes(c->m.sbom_document.size, mtime) +
			 fws_tar_data_bytes(c->m.sbom_document.size);
	}
	for (size_t i = 0; i < c->m.n_payloads && rc == 0; i++) {
		const struct fws_payload *p = &c->m.payloads[i];
		snprintf(name, sizeof(name), "chunks/%s", p->name);
		rc = fws_bundle_writer_entry(w, name, c->pl[i].n_chunks * 32);
		if (rc == 0)
			rc = fws_bundle_writer_data(w, c->pl[i].chunk_list, c->pl[i].n_chunks * 32);
		if (rc == 0 && p->has_blocks) { /* zeros too, patched like the chunk list */
			uint64_t index_len = fws_block_count(p->size) * FWS_BLOCK_HASH_LEN;
			snprintf(name, sizeof(name), "blocks/%s", p->name);
			rc = fws_bundle_writer_entry(w, name, index_len);
			if (rc == 0)
				rc = fws_bundle_writer_data(w, c->pl[i].block_index, index_len);
		}
		if (rc == 0 && p->encrypted && p->has_plain_blocks) { /* zeros, patched */
			snprintf(name, sizeof(name), "plain/%s", p->name);
			rc = fws_bundle_writer_entry(w, name, c->pl[i].plain_entry_len);
			if (rc == 0)
				rc = fws_bundle_writer_data(w, c->pl[i].plain_entry,
							    c->pl[i].plain_entry_len);
		}
		snprintf(name, sizeof(name), "payloads/%s", p->name);
		if (rc == 0)
			rc = fws_bundle_writer_entry(w, name, p->size);
		if (rc == 0)
			rc = copy_payload(c, i, w);
	}
	free(zeros);
	if (rc != 0) {
		fws_bundle_writer_abort(w);
		return rc;
	}
	return fws_bundle_writer_close(w);
}

static int write_at(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *b = buf;
	while (len > 0) {
		ssize_t n = pwrite(fd, b, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return errno == ENOSPC ? FWS_ENOSPC : FWS_EIO;
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* The signed manifest and the chunk lists over their placeholders, where
 * the verifier's own layout rule (format.md §3.5) says they lie. */
static int patch_bundle(const struct pack_ctx *c, int fd, uint64_t base, const char *json,
			size_t json_len)
{
	struct fws_payload_layout lay;
	int rc = write_at(fd, json, json_len, fws_tar_header_bytes(json_len, (uint64_t)c->m.created));
	for (size_t i = 0; i < c->m.n_payloads && rc == 0; i++) {
		rc = fws_bundle_layout(&c->m, base, i, &lay);
		if (rc == 0)
			rc = write_at(fd, c->pl[i].chunk_list, c->pl[i].n_chunks * 32, lay.chunk_list);
		if (rc == 0 && c->m.payloads[i].has_blocks)
			rc = write_at(fd, c->pl[i].block_index,
				      fws_block_count(c->m.payloads[i].size) * FWS_BLOCK_HASH_LEN,
				      lay.blocks);
		if (rc == 0 && c->m.payloads[i].encrypted && c->m.payloads[i].has_plain_blocks)
			rc = write_at(fd, c->pl[i].plain_entry, c->pl[i].plain_entry_len, lay.blocks);
	}
	return rc;
}

/* Encodes the manifest envelope. placeholder: with an all-zero signature in
 * place of a real one, only to learn the envelope's length — nothing is
 * signed before the digests are real. */
static int sign_manifest(struct pack_ctx *c, const struct fws_pack_opts *o, int placeholder,
			 char **json, size_t *json_len)
{
	uint8_t pk[32], keyid[32];
	char *body = NULL;
	size_t body_len;
	fws_signing_key_public(o->key, pk, keyid);
	c->subject = o->key_path;
	if (!fws_root_role_has(&c->root, FWS_ROLE_RELEASE, keyid))
		return FWS_ENOTAUTHORISED;
	c->subject = o->manifest_path;
	memset(&c->env, 0, sizeof(c->env));
	int rc = fws_manifest_encode(&c->m, &body, &body_len);
	/* Round trip: what we sign must be exactly what a device will accept. */
	if (rc == 0) {
		struct fws_manifest *check = malloc(sizeof(*check));
		rc = check == NULL ? FWS_ENOMEM
				   : fws_manifest_decode((const uint8_t *)body, body_len, check);
		free(check);
	}
	if (rc == 0)
		rc = fws_envelope_set_body(&c->env, FWS_TYPE_MANIFEST, (const uint8_t *)body,
					   body_len);
	if (rc == 0 && placeholder) {
		memcpy(c->env.sigs[0].keyid, keyid, sizeof(keyid));
		c->env.n_sigs = 1;
	} else if (rc == 0) {
		rc = fws_envelope_sign(&c->env, o->key);
	}
	if (rc == 0)
		rc = fws_envelope_encode(&c->env, json, json_len);
	free(body);
	return rc;
}

/* The plain bundle (spooled) compressed into the output on every core. */
static int compress_spool(struct pack_ctx *c, int spool, int out_fd)
{
	struct stat sb;
	if (fstat(spool, &sb) != 0)
		return fws_diag_set(FWS_EIO, errno, NULL, "cannot read the spool file");
	return fws_gzip_parallel(spool, (uint64_t)sb.st_size, out_fd, c->jobs);
}

/* With --gzip the plain bundle is made in an unnamed file beside the
 * output (same file system, so no space is taken in /tmp, and nothing is
 * left behind after a crash), then compressed. */
static int open_spool(const struct fws_output *out, int *fd)
{
	char name[sizeof(out->tmp) + 16];
	*fd = openat(out->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (*fd >= 0)
		return 0;
	/* A file system without O_TMPFILE: a new name beside the output's
	 * temp file (created exclusively, never through a link), unlinked at
	 * once. */
	if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
		snprintf(name, sizeof(name), "%s.spool", out->tmp);
		*fd = openat(out->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     0600);
		if (*fd >= 0) {
			(void)unlinkat(out->dirfd, name, 0);
			return 0;
		}
	}
	return fws_diag_set(errno == ENOSPC ? FWS_ENOSPC : FWS_EIO, errno, NULL,
			    "cannot make a spool file in the output's directory");
}

/* Every file pack reads: none of them may be replaced by the bundle. */
static size_t input_paths(const struct pack_ctx *c, const struct fws_pack_opts *o,
			  const char **in)
{
	size_t n = 0;
	in[n++] = o->manifest_path;
	in[n++] = o->key_path;
	for (size_t i = 0; i < o->n_roots; i++)
		in[n++] = o->root_paths[i];
	for (size_t i = 0; i < c->m.n_payloads; i++)
		in[n++] = c->pl[i].path;
	if (o->sbom_path != NULL)
		in[n++] = o->sbom_path;
	return n;
}

int fws_pack_precheck(const struct fws_pack_opts *o, char *failed, size_t failed_cap)
{
	struct fws_pack_opts quiet;
	struct pack_ctx *c;
	int rc;
	if (o == NULL || o->manifest_path == NULL)
		return FWS_EUSAGE;
	quiet = *o;
	quiet.sbom_warn = NULL; /* fws_pack reports them */
	quiet.sbom_strict = o->sbom_strict;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return FWS_ENOMEM;
	c->subject = o->manifest_path;
	rc = parse_release(o->manifest_path, c);
	if (rc == 0 && o->sbom_path != NULL)
		rc = load_sbom(c, &quiet);
	if (failed != NULL && failed_cap > 0)
		snprintf(failed, failed_cap, "%s", rc != 0 && c->subject ? c->subject : "");
	free(c->sbom);
	free(c);
	return rc;
}

int fws_pack(const struct fws_pack_opts *o, struct fws_pack_result *result, char *failed,
	     size_t failed_cap)
{
	struct pack_ctx *c;
	struct fws_output out;
	const char *inputs[3 + FWS_MAX_ROOT_CHAIN + FWS_MAX_PAYLOADS];
	char *json = NULL;
	size_t json_len = 0, placeholder_len = 0;
	uint64_t base = 0;
	int spool = -1;
	int rc;

	if (o == NULL || o->manifest_path == NULL || o->key == NULL || o->out_path == NULL ||
	    o->root_paths == NULL || o->n_roots == 0 || o->n_roots > FWS_MAX_ROOT_CHAIN)
		return FWS_EUSAGE;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return FWS_ENOMEM;
	c->progress = o->progress;
	c->progress_ctx = o->progress_ctx;
	rc = 0;
	c->subject = o->manifest_path;
	if (rc == 0)
		rc = parse_release(o->manifest_path, c);
	if (rc == 0)
		rc = load_roots(c, o);
	if (rc == 0 && o->sbom_path != NULL)
		rc = load_sbom(c, o);
	if (rc != 0)
		goto out;
	/* The archive stamps `created` into every tar header; the ustar field
	 * holds 11 octal digits (until 2242), so a later time cannot be packed. */
	if (o->now < 0 || o->now > 077777777777LL) {
		rc = FWS_ECLOCK;
		goto out;
	}
	c->m.created = o->now;
	/* The output is checked before any slow work: existing, or one of the
	 * inputs (--out naming the key would destroy it). */
	c->subject = o->out_path;
	rc = fws_output_open(&out, o->out_path, 0644, o->force ? FWS_OUT_REPLACE : FWS_OUT_NEW,
			     inputs, input_paths(c, o, inputs));
	if (rc != 0)
		goto out;
	c->jobs = o->jobs;
	c->block_index = !o->no_block_index;
	if (o->n_recipients > 0) {
		uint64_t rlen;
		c->subject = "--to";
		rc = fws_recipients_entry_size(o->recipients, o->n_recipients, &rlen);
		if (rc == 0 && (c->file_key = sodium_malloc(FWS_FILE_KEY_LEN)) == NULL)
			rc = FWS_ENOMEM;
		if (rc != 0)
			goto out_abort;
		randombytes_buf(c->file_key, FWS_FILE_KEY_LEN);
		c->m.encryption.enabled = 1;
		fws_enc_commitment(c->file_key, c->m.encryption.key_commitment);
	}
	rc = measure_payloads(c);
	if (rc == 0)
		rc = sign_manifest(c, o, 1, &json, &placeholder_len);
	free(json);
	json = NULL;
	if (rc == 0 && o->gzip) {
		c->subject = o->out_path;
		rc = open_spool(&out, &spool);
	}
	if (rc == 0)
		rc = write_bundle(c, o, spool >= 0 ? spool : out.fd, placeholder_len, &base);
	for (size_t i = 0; rc == 0 && i < c->m.n_payloads; i++) {
		struct fws_payload *p = &c->m.payloads[i];
		fws_sha256(c->pl[i].chunk_list, c->pl[i].n_chunks * 32, p->chunks_sha256);
		if (p->has_blocks)
			fws_sha256(c->pl[i].block_index, fws_block_count(p->size) * FWS_BLOCK_HASH_LEN,
				   p->blocks_sha256);
		if (p->encrypted && p->has_plain_blocks) {
			rc = fws_enc_plain_entry_seal(c->file_key, c->pl[i].plain_list,
						      FWS_ENC_PLAIN_HEAD + fws_block_count(p->plain_size) *
									       FWS_ENC_HINT_LEN,
						      c->pl[i].plain_entry);
			fws_sha256(c->pl[i].plain_entry, c->pl[i].plain_entry_len,
				   p->plain_blocks_sha256);
		}
	}
	if (rc == 0)
		rc = sign_manifest(c, o, 0, &json, &json_len);
	/* Same fields, digests of fixed length: the same envelope length. */
	if (rc == 0 && json_len != placeholder_len)
		rc = FWS_EINTERNAL;
	if (rc == 0) {
		c->subject = o->out_path;
		rc = patch_bundle(c, spool >= 0 ? spool : out.fd, base, json, json_len);
	}
	if (rc == 0 && spool >= 0)
		rc = compress_spool(c, spool, out.fd);
	if (spool >= 0)
		close(spool);
	if (rc == 0) {
		c->subject = o->out_path;
		rc = fws_output_commit(&out);
	}
out_abort:
	fws_output_abort(&out);
	if (rc == 0 && result != NULL) {
		struct stat sb;
		memset(result, 0, sizeof(*result));
		result->manifest = c->m;
		result->root_version = c->root.version;
		result->release_threshold = c->root.roles[FWS_ROLE_RELEASE].threshold;
		result->signatures = (uint32_t)c->env.n_sigs;
		const uint8_t *body = fws_envelope_body(&c->env, &json_len);
		if (body != NULL)
			fws_sha256(body, json_len, result->manifest_body_sha256);
		if (stat(o->out_path, &sb) == 0)
			result->bundle_bytes = (uint64_t)sb.st_size;
		for (size_t i = 0; i < c->m.n_payloads; i++)
			snprintf(result->payload_paths[i], sizeof(result->payload_paths[i]), "%s",
				 c->pl[i].path);
	}
out:
	if (failed != NULL && failed_cap > 0)
		snprintf(failed, failed_cap, "%s", rc != 0 && c->subject ? c->subject : "");
	for (size_t i = 0; i < FWS_MAX_PAYLOADS; i++) {
		free(c->pl[i].chunk_list);
		free(c->pl[i].block_index);
		free(c->pl[i].plain_list);
		free(c->pl[i].plain_entry);
	}
	free(c->sbom);
	free(json);
	if (c->file_key != NULL)
		sodium_free(c->file_key); /* wipes it */
	if (c->plain != NULL)
		sodium_free(c->plain);
	sodium_memzero(c->payload_key, sizeof(c->payload_key));
	sodium_memzero(c->hint_key, sizeof(c->hint_key));
	free(c);
	return rc;
}
