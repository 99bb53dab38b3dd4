/* fwseal pack: release description + payload files + root chain + release
 * key -> one signed bundle. Payloads are hashed once to build the manifest,
 * then copied into the bundle while being hashed again, so a file changed
 * in between is caught instead of shipped under a stale signature. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/json_strict.h"
#include "fwseal/blocks.h"
#include "fwseal/bundle_write.h"
#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/keys.h"
#include "fwseal/policy.h"
#include "fwseal/sha256.h"
#include "io/io.h"

#define RELEASE_INPUT_MAX (256 * 1024)
#define READ_BUF (1024 * 1024)

struct pack_payload {
	char path[PATH_MAX];
	uint8_t *chunk_list;
	uint64_t n_chunks;
	uint8_t *block_index; /* NULL: none (--no-block-index) */
};

struct pack_ctx {
	const char *subject; /* the input being processed, for error reports */
	struct fws_manifest m;
	struct pack_payload pl[FWS_MAX_PAYLOADS];
	struct fws_envelope env;
	struct fws_envelope root_env;
	struct fws_root root, next_root;
	uint8_t *buf;
	fws_progress_fn progress;
	void *progress_ctx;
	uint64_t progress_done, progress_total; /* every payload, hashed twice */
	int block_index; /* write blocks/<name> (ADR-050) */
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

/* Streams a payload file chunk by chunk. With out == NULL it fills the
 * chunk list; otherwise it writes the bytes and checks each chunk against
 * the list made earlier (FWS_EDIGEST if the file changed meanwhile). */
static int hash_payload(struct pack_ctx *c, size_t i, struct fws_bundle_writer *out)
{
	struct fws_payload *p = &c->m.payloads[i];
	struct pack_payload *pp = &c->pl[i];
	uint8_t digest[32];
	uint64_t done = 0;
	int rc = 0;
	c->subject = pp->path;
	int fd = open(pp->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? FWS_ENOENT : FWS_EIO;
	for (uint64_t k = 0; k < pp->n_chunks && rc == 0; k++) {
		uint64_t want64 = p->size - done < p->chunk_size ? p->size - done : p->chunk_size;
		size_t want = (size_t)want64, got;
		/* Hashing a chunk in READ_BUF pieces keeps memory flat for
		 * 16 MiB chunks too. */
		struct fws_sha256 h;
		fws_sha256_init(&h);
		while (want > 0 && rc == 0) {
			size_t piece = want < READ_BUF ? want : READ_BUF;
			rc = read_full(fd, c->buf, piece, &got);
			if (rc == 0 && got != piece)
				rc = FWS_ESIZE; /* the file shrank */
			if (rc == 0 && out != NULL)
				rc = fws_bundle_writer_data(out, c->buf, piece);
			/* Pieces start at chunk boundaries: block aligned. */
			if (rc == 0 && out == NULL && pp->block_index != NULL)
				fws_block_index_put(pp->block_index, done / FWS_BLOCK_SIZE, c->buf,
						    piece);
			if (rc == 0)
				fws_sha256_update(&h, c->buf, piece);
			want -= piece;
			done += piece;
			c->progress_done += piece;
			if (c->progress != NULL)
				c->progress(c->progress_ctx, c->progress_done, c->progress_total);
		}
		fws_sha256_final(&h, digest);
		if (rc == 0 && out == NULL)
			memcpy(pp->chunk_list + k * 32, digest, 32);
		else if (rc == 0 && memcmp(pp->chunk_list + k * 32, digest, 32) != 0)
			rc = FWS_EDIGEST;
	}
	if (rc == 0) {
		size_t got;
		rc = read_full(fd, c->buf, 1, &got);
		if (rc == 0 && got != 0)
			rc = FWS_ESIZE; /* the file grew */
	}
	close(fd);
	return rc;
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
		c->progress_total += 2 * p->size;
		if (p->chunk_size == 0) {
			/* Default 1 MiB, doubled for huge payloads so the chunk
			 * list stays within FWS_MAX_CHUNKS. */
			p->chunk_size = FWS_CHUNK_DEFAULT;
			while ((p->size + p->chunk_size - 1) / p->chunk_size > FWS_MAX_CHUNKS &&
			       p->chunk_size < FWS_CHUNK_MAX)
				p->chunk_size *= 2;
		}
		rc = fws_chunk_count(p->size, p->chunk_size, &pp->n_chunks);
		if (rc != 0)
			return fws_diag_set(
			    rc, 0, NULL,
			    "%llu bytes in chunks of %u are %llu chunks, at most %u (payloads[%zu] "
			    "needs a larger chunk_size)",
			    (unsigned long long)p->size, (unsigned)p->chunk_size,
			    (unsigned long long)(p->size / p->chunk_size +
						 (p->size % p->chunk_size != 0)),
			    (unsigned)FWS_MAX_CHUNKS, i);
		pp->chunk_list = malloc(pp->n_chunks * 32 + 1);
		if (pp->chunk_list == NULL)
			return FWS_ENOMEM;
		p->has_blocks = c->block_index;
		pp->block_index = p->has_blocks ? malloc(fws_block_count(p->size) * FWS_BLOCK_HASH_LEN + 1)
						: NULL;
		if (p->has_blocks && pp->block_index == NULL)
			return FWS_ENOMEM;
		fws_diag_clear();
		rc = hash_payload(c, i, NULL);
		if (rc != 0 && fws_diag_last()->code != rc)
			(void)fws_diag_set(rc, 0, NULL,
					   rc == FWS_ESIZE    ? "changed size while it was read"
					   : rc == FWS_ENOENT ? "cannot open"
							      : "cannot read");
		if (rc != 0)
			return rc;
		fws_sha256(pp->chunk_list, pp->n_chunks * 32, p->chunks_sha256);
		if (p->has_blocks)
			fws_sha256(pp->block_index, fws_block_count(p->size) * FWS_BLOCK_HASH_LEN,
				   p->blocks_sha256);
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

static int add_file_entry(struct fws_bundle_writer *w, const char *name, const char *path)
{
	uint8_t *raw = NULL;
	size_t len;
	int rc = fws_file_read_all(path, FWS_ENVELOPE_MAX, &raw, &len);
	if (rc == 0)
		rc = fws_bundle_writer_entry(w, name, len);
	if (rc == 0)
		rc = fws_bundle_writer_data(w, raw, len);
	free(raw);
	return rc;
}

static int write_bundle(struct pack_ctx *c, const struct fws_pack_opts *o, int fd,
			const char *envelope_json, size_t envelope_len)
{
	struct fws_bundle_writer *w = NULL;
	char name[FWS_NAME_MAX + 32];
	uint64_t first_version = c->root.version - (o->n_roots - 1);
	int rc = fws_bundle_writer_open(&w, fd, o->gzip, o->now);
	if (rc != 0)
		return rc;
	rc = fws_bundle_writer_entry(w, "manifest.json", envelope_len);
	if (rc == 0)
		rc = fws_bundle_writer_data(w, envelope_json, envelope_len);
	for (size_t i = 0; i < o->n_roots && rc == 0; i++) {
		snprintf(name, sizeof(name), "root/%llu.json",
			 (unsigned long long)(first_version + i));
		rc = add_file_entry(w, name, o->root_paths[i]);
	}
	for (size_t i = 0; i < c->m.n_payloads && rc == 0; i++) {
		const struct fws_payload *p = &c->m.payloads[i];
		snprintf(name, sizeof(name), "chunks/%s", p->name);
		rc = fws_bundle_writer_entry(w, name, c->pl[i].n_chunks * 32);
		if (rc == 0)
			rc = fws_bundle_writer_data(w, c->pl[i].chunk_list, c->pl[i].n_chunks * 32);
		if (rc == 0 && p->has_blocks) {
			uint64_t len = fws_block_count(p->size) * FWS_BLOCK_HASH_LEN;
			snprintf(name, sizeof(name), "blocks/%s", p->name);
			rc = fws_bundle_writer_entry(w, name, len);
			if (rc == 0)
				rc = fws_bundle_writer_data(w, c->pl[i].block_index, len);
		}
		snprintf(name, sizeof(name), "payloads/%s", p->name);
		if (rc == 0)
			rc = fws_bundle_writer_entry(w, name, p->size);
		if (rc == 0)
			rc = hash_payload(c, i, w);
	}
	if (rc != 0) {
		fws_bundle_writer_abort(w);
		return rc;
	}
	return fws_bundle_writer_close(w);
}

static int sign_manifest(struct pack_ctx *c, const struct fws_pack_opts *o, char **json,
			 size_t *json_len)
{
	uint8_t pk[32], keyid[32];
	char *body = NULL;
	size_t body_len;
	fws_secret_key_public(o->key, pk, keyid);
	c->subject = o->key_path;
	if (!fws_root_role_has(&c->root, FWS_ROLE_RELEASE, keyid))
		return FWS_ENOTAUTHORISED;
	c->subject = o->manifest_path;
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
	if (rc == 0)
		rc = fws_envelope_sign(&c->env, o->key);
	if (rc == 0)
		rc = fws_envelope_encode(&c->env, json, json_len);
	free(body);
	return rc;
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
	return n;
}

int fws_pack(const struct fws_pack_opts *o, struct fws_pack_result *result, char *failed,
	     size_t failed_cap)
{
	struct pack_ctx *c;
	struct fws_output out;
	const char *inputs[2 + FWS_MAX_ROOT_CHAIN + FWS_MAX_PAYLOADS];
	char *json = NULL;
	size_t json_len;
	int rc;

	if (o == NULL || o->manifest_path == NULL || o->key == NULL || o->out_path == NULL ||
	    o->root_paths == NULL || o->n_roots == 0 || o->n_roots > FWS_MAX_ROOT_CHAIN)
		return FWS_EUSAGE;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return FWS_ENOMEM;
	c->buf = malloc(READ_BUF);
	c->block_index = !o->no_block_index;
	c->progress = o->progress;
	c->progress_ctx = o->progress_ctx;
	rc = c->buf == NULL ? FWS_ENOMEM : 0;
	c->subject = o->manifest_path;
	if (rc == 0)
		rc = parse_release(o->manifest_path, c);
	if (rc == 0)
		rc = load_roots(c, o);
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
	rc = measure_payloads(c);
	if (rc == 0)
		rc = sign_manifest(c, o, &json, &json_len);
	if (rc == 0)
		rc = write_bundle(c, o, out.fd, json, json_len);
	if (rc == 0) {
		c->subject = o->out_path;
		rc = fws_output_commit(&out);
	}
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
	}
out:
	if (failed != NULL && failed_cap > 0)
		snprintf(failed, failed_cap, "%s", rc != 0 && c->subject ? c->subject : "");
	for (size_t i = 0; i < FWS_MAX_PAYLOADS; i++) {
		free(c->pl[i].chunk_list);
		free(c->pl[i].block_index);
	}
	free(c->buf);
	free(json);
	free(c);
	return rc;
}
