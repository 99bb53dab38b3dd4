/* Hostile-input corpus, the part python's standard library cannot make
 * (tests/make_vectors.py makes the rest): everything here needs Ed25519,
 * Argon2id or XSalsa20-Poly1305.
 *
 *   make_signed_cases OUTDIR      (from the repository root, after `make`:
 *                                  OUTDIR = tests/vectors/hostile)
 *
 * writes, deterministically (keys from fixed seeds, fixed salts and nonces,
 * fixed times; Ed25519 signatures are deterministic):
 *
 *   signed/root.json   root v1 (created 2023-11-14, expires 2123-10-21):
 *                      root role = the "root" key, release role = "release"
 *   signed/valid.fwb   a valid plain bundle (the control: it must verify)
 *   signed/<case>.fwb  bundles whose manifest BODY is hostile but carries a
 *                      valid release signature, so each one gets past every
 *                      signature check and reaches the manifest parser (or
 *                      the checks behind it). gzip-compressed by the real
 *                      writer to keep the corpus small; the archive after
 *                      the manifest is the valid bundle's.
 *   signed.tsv         case, exit status, description
 *   keys-bad/          key files: valid.key / valid.pub (the release key,
 *                      passphrase fwseal-test-vectors, cheapest Argon2id),
 *                      other.key (valid, not in the root) and broken ones
 *   keys-bad.tsv       two rows per file, the description says which command:
 *                      "fingerprint: ..." = `fwseal-keys fingerprint FILE`,
 *                      "pack: ..." = `fwseal pack --key FILE` (file mode 0600
 *                      unless the name says mode_NNNN)
 *   state-bad/         device state files: valid.state (exactly what
 *                      `fwseal-verify init --root signed/root.json --hardware
 *                      hw-a` writes) and broken ones, each with its checksum
 *                      line recomputed unless the case is about the checksum
 *   state-bad.tsv      every case: 27 for `fwseal-verify status` and `install`
 *
 * Exit statuses are the absolute values of the FWS_E* codes (error.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/bundle_write.h"
#include "fwseal/fwseal.h"

#define CREATED 1700000000LL /* 2023-11-14T22:13:20Z, SOURCE_DATE_EPOCH of the tests */
#define ROOT_EXPIRES (CREATED + 36500LL * 86400)
#define PASSPHRASE "fwseal-test-vectors"

/* Exit statuses. */
enum {
	S_OK = 0,
	S_LIMIT = 6,
	S_JSON = 7,
	S_SCHEMA = 8,
	S_KEYID = 14,
	S_EXPIRED = 16,
	S_ENTRY = 18,
	S_SIZE = 21,
	S_HARDWARE = 24,
	S_STATE = 27,
	S_KEYFILE = 28,
	S_PASSPHRASE = 29,
	S_KEYPERM = 30,
	S_NOTAUTHORISED = 31,
	S_CLOCK = 36,
};

struct key {
	uint8_t seed[32], pk[32], sk[64], keyid[32];
	char keyid_hex[65], pk_hex[65];
};

struct payload {
	const char *name, *target;
	uint8_t *data;
	size_t size;
	uint8_t *list;
	size_t list_len;
};

struct text {
	char *p;
	size_t len, cap;
};

static const char *outdir;
static struct key root_key, release_key, other_key;
static struct payload payloads[2];
static char *root_json, *base_body;
static size_t root_json_len;
static char hex_a[65], hex_b[65];
static FILE *tsv;
static size_t n_cases;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("make_signed_cases: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void ok(int rc, const char *what)
{
	if (rc != 0)
		die("%s: %s", what, fws_strerror(rc));
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

/* ---- growable text ---- */

static void t_add(struct text *t, const void *data, size_t len)
{
	if (t->len + len + 1 > t->cap) {
		size_t cap = (t->len + len + 1) * 2;
		char *p = realloc(t->p, cap);
		if (p == NULL)
			die("out of memory");
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, data, len);
	t->len += len;
	t->p[t->len] = '\0';
}

static void t_str(struct text *t, const char *s)
{
	t_add(t, s, strlen(s));
}

static void t_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void t_printf(struct text *t, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		die("t_printf: too long");
	t_add(t, buf, (size_t)n);
}

static void t_fill(struct text *t, char c, size_t n)
{
	char *p = xmalloc(n);
	memset(p, c, n);
	t_add(t, p, n);
	free(p);
}

/* s with the first occurrence of old replaced by new (malloc'd). A case
 * whose edit does not apply is a generator bug, never a silent no-op. */
static char *replace(const char *s, const char *old, const char *new_text)
{
	const char *at = strstr(s, old);
	struct text t = {0};
	if (at == NULL)
		die("edit does not apply: %s", old);
	t_add(&t, s, (size_t)(at - s));
	t_str(&t, new_text);
	t_str(&t, at + strlen(old));
	return t.p;
}

/* ---- files ---- */

static void mkdirs(const char *sub)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", outdir, sub);
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %s", outdir, strerror(errno));
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %s", path, strerror(errno));
}

static int open_out(const char *rel)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", outdir, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

static void put(const char *rel, const void *data, size_t len)
{
	int fd = open_out(rel);
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n <= 0)
			die("%s: write failed", rel);
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) != 0)
		die("%s: close failed", rel);
}

/* Removes stale files of an older generator run from OUTDIR/sub. */
static void clean(const char *sub, const char *suffix)
{
	char cmd[4200];
	/* Only our own directories, only files with our suffix. */
	snprintf(cmd, sizeof cmd, "find '%s/%s' -maxdepth 1 -type f -name '*%s' -delete", outdir,
		 sub, suffix);
	if (strchr(outdir, '\'') != NULL || system(cmd) != 0)
		die("cannot clean %s/%s", outdir, sub);
}

static void row(const char *rel, int status, const char *desc)
{
	if (strchr(desc, '\t') != NULL || strchr(desc, '\n') != NULL)
		die("bad description for %s", rel);
	fprintf(tsv, "%s\t%d\t%s\n", rel, status, desc);
	n_cases++;
}

static void open_tsv(const char *name, const char *what)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	tsv = fopen(path, "w");
	if (tsv == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(tsv,
		"# case\texit_status\tdescription (generated by tests/vectors/make_signed_cases.c: "
		"%s)\n",
		what);
	n_cases = 0;
}

static void close_tsv(const char *name)
{
	if (fclose(tsv) != 0)
		die("%s: write failed", name);
	printf("%zu cases in %s/%s\n", n_cases, outdir, name);
}

/* ---- keys, envelopes, roots ---- */

static void key_make(struct key *k, const char *label)
{
	crypto_hash_sha256(k->seed, (const uint8_t *)label, strlen(label));
	if (crypto_sign_seed_keypair(k->pk, k->sk, k->seed) != 0)
		die("keypair");
	fws_keyid(k->pk, k->keyid);
	fws_hex_encode(k->keyid_hex, k->keyid, 32);
	fws_hex_encode(k->pk_hex, k->pk, 32);
}

/* A signed DSSE envelope in fws_envelope_encode's format. Bodies over
 * FWS_BODY_MAX (which the library refuses to build) are signed and written
 * by hand in the same format: PAE and signature exactly as DSSE defines. */
static char *envelope(const char *type, const char *body, size_t len, const struct key *k,
		      size_t *out_len)
{
	char *json;
	if (len <= FWS_BODY_MAX) {
		struct fws_envelope *env = calloc(1, sizeof *env);
		if (env == NULL)
			die("out of memory");
		ok(fws_envelope_set_body(env, type, (const uint8_t *)body, len), "envelope body");
		memcpy(env->sigs[0].keyid, k->keyid, 32);
		if (crypto_sign_detached(env->sigs[0].sig, NULL, env->pae, env->pae_len, k->sk) !=
		    0)
			die("sign");
		env->n_sigs = 1;
		ok(fws_envelope_encode(env, &json, out_len), "envelope encode");
		free(env);
		return json;
	}
	struct text pae = {0}, out = {0};
	uint8_t sig[64];
	char sig_b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	size_t b64_cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(b64_cap);
	t_printf(&pae, "DSSEv1 %zu %s %zu ", strlen(type), type, len);
	t_add(&pae, body, len);
	if (crypto_sign_detached(sig, NULL, (const uint8_t *)pae.p, pae.len, k->sk) != 0)
		die("sign");
	sodium_bin2base64(b64, b64_cap, (const uint8_t *)body, len, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(sig_b64, sizeof sig_b64, sig, 64, sodium_base64_VARIANT_ORIGINAL);
	t_str(&out, "{\n  \"payload\": \"");
	t_str(&out, b64);
	t_printf(&out,
		 "\",\n  \"payloadType\": \"%s\",\n  \"signatures\": [\n    {\n      \"keyid\": "
		 "\"%s\",\n      \"sig\": \"%s\"\n    }\n  ]\n}\n",
		 type, k->keyid_hex, sig_b64);
	free(b64);
	free(pae.p);
	*out_len = out.len;
	return out.p;
}

static void make_root(void)
{
	struct fws_root r;
	char *body;
	size_t body_len;
	memset(&r, 0, sizeof r);
	r.schema = 1;
	r.version = 1;
	r.created = CREATED;
	r.expires = ROOT_EXPIRES;
	memcpy(r.keys[0].keyid, root_key.keyid, 32);
	memcpy(r.keys[0].public_key, root_key.pk, 32);
	memcpy(r.keys[1].keyid, release_key.keyid, 32);
	memcpy(r.keys[1].public_key, release_key.pk, 32);
	r.n_keys = 2;
	memcpy(r.roles[FWS_ROLE_ROOT].keyids[0], root_key.keyid, 32);
	r.roles[FWS_ROLE_ROOT].n_keyids = 1;
	r.roles[FWS_ROLE_ROOT].threshold = 1;
	memcpy(r.roles[FWS_ROLE_RELEASE].keyids[0], release_key.keyid, 32);
	r.roles[FWS_ROLE_RELEASE].n_keyids = 1;
	r.roles[FWS_ROLE_RELEASE].threshold = 1;
	ok(fws_root_check(&r), "root check");
	ok(fws_root_encode(&r, &body, &body_len), "root encode");
	root_json = envelope(FWS_TYPE_ROOT, body, body_len, &root_key, &root_json_len);
	free(body);
	struct fws_root back;
	ok(fws_root_load((const uint8_t *)root_json, root_json_len, &back, NULL), "root reload");
	put("signed/root.json", root_json, root_json_len);
}

/* ---- the valid release ---- */

static void payload_make(struct payload *p, const char *name, const char *target, size_t size)
{
	/* Low-entropy text: the gzip-compressed cases stay small. */
	struct text t = {0};
	size_t n = (size + 4095) / 4096;
	p->name = name;
	p->target = target;
	for (unsigned line = 0; t.len < size; line++)
		t_printf(&t, "fwseal hostile corpus payload %s, line %u\n", name, line);
	p->data = (uint8_t *)t.p;
	p->size = size;
	p->list_len = n * 32;
	p->list = xmalloc(p->list_len);
	for (size_t i = 0; i < n; i++) {
		size_t off = i * 4096, len = size - off < 4096 ? size - off : 4096;
		fws_sha256(p->data + off, len, p->list + i * 32);
	}
}

static void make_base_body(void)
{
	struct fws_manifest *m = calloc(1, sizeof *m);
	size_t len;
	uint8_t digest[32];
	if (m == NULL)
		die("out of memory");
	payload_make(&payloads[0], "a.bin", "rootfs", 9000);
	payload_make(&payloads[1], "b.bin", "kernel", 1500);
	m->schema = 1;
	strcpy(m->product, "test-pump");
	strcpy(m->version, "1.0.0");
	m->security_version = 1;
	strcpy(m->hardware[0], "hw-a");
	m->n_hardware = 1;
	m->created = CREATED;
	for (size_t i = 0; i < 2; i++) {
		struct fws_payload *mp = &m->payloads[i];
		strcpy(mp->name, payloads[i].name);
		strcpy(mp->target, payloads[i].target);
		mp->size = payloads[i].size;
		mp->chunk_size = 4096;
		fws_sha256(payloads[i].list, payloads[i].list_len, mp->chunks_sha256);
	}
	m->n_payloads = 2;
	ok(fws_manifest_encode(m, &base_body, &len), "manifest encode");
	fws_sha256(payloads[0].list, payloads[0].list_len, digest);
	fws_hex_encode(hex_a, digest, 32);
	fws_sha256(payloads[1].list, payloads[1].list_len, digest);
	fws_hex_encode(hex_b, digest, 32);
	free(m);
}

/* A whole bundle, written by the real writer: the manifest envelope, the
 * root chain, then each payload's chunk list and bytes. */
static void write_bundle(const char *rel, const char *manifest, size_t len, int gzip)
{
	struct fws_bundle_writer *w;
	char name[64];
	int fd = open_out(rel);
	ok(fws_bundle_writer_open(&w, fd, gzip, CREATED), "writer open");
	ok(fws_bundle_writer_entry(w, "manifest.json", len), "writer entry");
	ok(fws_bundle_writer_data(w, manifest, len), "writer data");
	ok(fws_bundle_writer_entry(w, "root/1.json", root_json_len), "writer entry");
	ok(fws_bundle_writer_data(w, root_json, root_json_len), "writer data");
	for (size_t i = 0; i < 2; i++) {
		snprintf(name, sizeof name, "chunks/%s", payloads[i].name);
		ok(fws_bundle_writer_entry(w, name, payloads[i].list_len), "writer entry");
		ok(fws_bundle_writer_data(w, payloads[i].list, payloads[i].list_len),
		   "writer data");
		snprintf(name, sizeof name, "payloads/%s", payloads[i].name);
		ok(fws_bundle_writer_entry(w, name, payloads[i].size), "writer entry");
		ok(fws_bundle_writer_data(w, payloads[i].data, payloads[i].size), "writer data");
	}
	ok(fws_bundle_writer_close(w), "writer close");
	if (close(fd) != 0)
		die("%s: close failed", rel);
}

/* ---- signed cases ---- */

/* One case: body (len bytes) signed by the release key, in a bundle. */
static void signed_case_len(const char *name, int status, const char *desc, const char *body,
			    size_t len)
{
	char rel[256];
	size_t env_len;
	char *env = envelope(FWS_TYPE_MANIFEST, body, len, &release_key, &env_len);
	snprintf(rel, sizeof rel, "signed/%s.fwb", name);
	write_bundle(rel, env, env_len, 1);
	row(rel, status, desc);
	free(env);
}

static void signed_case(const char *name, int status, const char *desc, char *body)
{
	signed_case_len(name, status, desc, body, strlen(body));
	free(body);
}

/* The base body with one edit. */
static void edit(const char *name, int status, const char *desc, const char *old,
		 const char *new_text)
{
	signed_case(name, status, desc, replace(base_body, old, new_text));
}

/* The base body with one more field (first, before "created"). */
static void field(const char *name, int status, const char *desc, const char *member)
{
	struct text t = {0};
	t_str(&t, "{");
	t_str(&t, member);
	t_str(&t, ",");
	t_str(&t, base_body + 1);
	signed_case(name, status, desc, t.p);
}

/* The base body with payload a's member text changed (old -> new within
 * the first payload object). */
static void payload_a(const char *name, int status, const char *desc, const char *old,
		      const char *new_text)
{
	edit(name, status, desc, old, new_text);
}

static void signed_cases(void)
{
	struct text t = {0};
	char buf[512], hash_a[160];
	size_t env_len;
	char *env;

	/* The control: the base body, plain tar, must verify and install. */
	env = envelope(FWS_TYPE_MANIFEST, base_body, strlen(base_body), &release_key, &env_len);
	write_bundle("signed/valid.fwb", env, env_len, 0);
	free(env);
	snprintf(hash_a, sizeof hash_a, "\"hashes\":{\"sha256-chunks\":\"%s\"}", hex_a);

	/* Schema and fields. */
	edit("schema_2", S_SCHEMA, "schema 2 (only schema 1 exists)", "\"schema\":1",
	     "\"schema\":2");
	edit("schema_0", S_SCHEMA, "schema 0", "\"schema\":1", "\"schema\":0");
	edit("schema_string", S_SCHEMA, "schema \"1\" (a string)", "\"schema\":1",
	     "\"schema\":\"1\"");
	edit("schema_real", S_SCHEMA, "schema 1.0 (a real, not an integer)", "\"schema\":1",
	     "\"schema\":1.0");
	field("unknown_field", S_SCHEMA, "unknown top-level field \"comment\"",
	      "\"comment\":\"ignored by whom?\"");
	payload_a("unknown_payload_field", S_SCHEMA, "unknown field \"mode\" in a payload",
		  "\"name\":\"a.bin\"", "\"mode\":\"4755\",\"name\":\"a.bin\"");
	edit("field_name_case", S_SCHEMA, "\"Schema\" instead of \"schema\"", "\"schema\":1",
	     "\"Schema\":1");
	field("duplicate_key", S_JSON, "\"product\" given twice (first value differs)",
	      "\"product\":\"evil-pump\"");
	field("duplicate_key_same_value", S_JSON, "\"schema\":1 given twice (same value)",
	      "\"schema\":1");
	payload_a("duplicate_key_in_payload", S_JSON, "\"size\" given twice in a payload",
		  "\"size\":9000", "\"size\":9000,\"size\":1");
	edit("missing_created", S_SCHEMA, "no \"created\"", "\"created\":\"2023-11-14T22:13:20Z\",",
	     "");
	edit("missing_product", S_SCHEMA, "no \"product\"", "\"product\":\"test-pump\",", "");
	edit("missing_security_version", S_SCHEMA, "no \"security_version\"",
	     ",\"security_version\":1", "");
	snprintf(buf, sizeof buf, "%s,", hash_a);
	payload_a("missing_payload_hashes", S_SCHEMA, "a payload without \"hashes\"", buf, "");

	/* Numbers. */
	edit("security_version_2p53", S_LIMIT, "security_version 2^53 (above 2^53 - 1)",
	     "\"security_version\":1", "\"security_version\":9007199254740992");
	edit("security_version_2p64", S_JSON,
	     "security_version 2^64 (jansson refuses integers beyond int64)",
	     "\"security_version\":1", "\"security_version\":18446744073709551616");
	edit("security_version_1e400", S_JSON, "security_version 1e400 (overflows a double)",
	     "\"security_version\":1", "\"security_version\":1e400");
	edit("security_version_negative", S_SCHEMA, "security_version -1", "\"security_version\":1",
	     "\"security_version\":-1");
	edit("security_version_fraction", S_SCHEMA, "security_version 1.5",
	     "\"security_version\":1", "\"security_version\":1.5");
	edit("security_version_exponent", S_SCHEMA, "security_version 1e2 (integral, but a real)",
	     "\"security_version\":1", "\"security_version\":1e2");
	edit("security_version_leading_zero", S_JSON, "security_version 01 (not JSON)",
	     "\"security_version\":1", "\"security_version\":01");
	edit("security_version_string", S_SCHEMA, "security_version \"1\"",
	     "\"security_version\":1", "\"security_version\":\"1\"");
	payload_a("size_2p53", S_LIMIT, "payload size 2^53", "\"size\":9000",
		  "\"size\":9007199254740992");
	payload_a("size_too_many_chunks", S_LIMIT,
		  "payload size 2^53 - 1 in 4 KiB chunks: 2^41 chunks (limit 65536)",
		  "\"size\":9000", "\"size\":9007199254740991");
	payload_a("size_one_chunk_too_many", S_LIMIT, "payload of 65537 chunks of 4 KiB",
		  "\"size\":9000", "\"size\":268439552");
	{
		char big[512];
		snprintf(buf, sizeof buf, "\"chunk_size\":4096,%s,\"name\":\"a.bin\",\"size\":9000",
			 hash_a);
		snprintf(big, sizeof big,
			 "\"chunk_size\":16777216,%s,\"name\":\"a.bin\",\"size\":1099511627776",
			 hash_a);
		payload_a(
		    "size_1tib_signed", S_SIZE,
		    "a validly signed 1 TiB payload (65536 chunks of 16 MiB); the archive holds 3 "
		    "digests: the chunk list size (2 MiB expected) must not overflow or be trusted",
		    buf, big);
	}

	/* Versions. */
	edit("version_leading_zero", S_SCHEMA, "version \"01.0.0\" (not semver)",
	     "\"version\":\"1.0.0\"", "\"version\":\"01.0.0\"");
	edit("version_two_parts", S_SCHEMA, "version \"1.0\"", "\"version\":\"1.0.0\"",
	     "\"version\":\"1.0\"");
	edit("version_v_prefix", S_SCHEMA, "version \"v1.0.0\"", "\"version\":\"1.0.0\"",
	     "\"version\":\"v1.0.0\"");
	t = (struct text){0};
	t_str(&t, "\"version\":\"1.0.0-");
	t_fill(&t, 'a', 59);
	t_str(&t, "\"");
	edit("version_65_chars", S_SCHEMA, "version of 65 characters (limit 64)",
	     "\"version\":\"1.0.0\"", t.p);
	free(t.p);
	field("min_version_bad", S_SCHEMA, "min_version \"1.0\"", "\"min_version\":\"1.0\"");

	/* Nesting: the limit is 6 levels, counted from the top object. */
	field("nesting_depth_6", S_SCHEMA,
	      "release_notes nested 6 levels deep (JSON accepted, then not a string)",
	      "\"release_notes\":[[[[[\"x\"]]]]]");
	field("nesting_depth_7", S_JSON, "release_notes nested 7 levels deep (the 7th level)",
	      "\"release_notes\":[[[[[[\"x\"]]]]]]");
	snprintf(buf, sizeof buf, "\"sha256-chunks\":[[[\"%s\"]]]", hex_a);
	snprintf(hash_a, sizeof hash_a, "\"sha256-chunks\":\"%s\"", hex_a);
	payload_a("nesting_depth_7_in_payload", S_JSON, "a payload digest nested to the 7th level",
		  hash_a, buf);
	t = (struct text){0};
	t_str(&t, "\"release_notes\":");
	t_fill(&t, '[', 16000);
	t_fill(&t, ']', 16000);
	field("nesting_depth_16000", S_JSON, "16000 nested arrays (parser stack)", t.p);
	free(t.p);

	/* UTF-8, NUL and control characters. */
	field("notes_bad_utf8", S_JSON, "byte 0xff in release_notes",
	      "\"release_notes\":\"a\xff\"");
	field("notes_truncated_utf8", S_JSON, "release_notes ending inside a UTF-8 sequence",
	      "\"release_notes\":\"a\xc3\"");
	field("notes_overlong_utf8", S_JSON, "overlong UTF-8 '/' (0xc0 0xaf) in release_notes",
	      "\"release_notes\":\"\xc0\xaf\"");
	field("notes_raw_surrogate", S_JSON, "UTF-8-encoded surrogate U+D800 in release_notes",
	      "\"release_notes\":\"\xed\xa0\x80\"");
	field("notes_lone_surrogate_escape", S_JSON, "escaped lone surrogate \\ud800",
	      "\"release_notes\":\"\\ud800\"");
	field("notes_nul_escape", S_JSON, "\\u0000 in release_notes",
	      "\"release_notes\":\"ok\\u0000hidden\"");
	edit("product_nul_escape", S_JSON, "\\u0000 in product (C would see \"test\")",
	     "\"product\":\"test-pump\"", "\"product\":\"test\\u0000pump\"");
	field("notes_escape_sequence", S_SCHEMA, "ESC [2J (clear screen) in release_notes",
	      "\"release_notes\":\"\\u001b[2J\"");
	field("notes_c1_csi", S_SCHEMA, "C1 control CSI (U+009B) in release_notes",
	      "\"release_notes\":\"\\u009b2J\"");
	field("notes_carriage_return", S_SCHEMA, "carriage return in release_notes",
	      "\"release_notes\":\"fine\\rEVIL\"");
	field("notes_del", S_SCHEMA, "DEL in release_notes", "\"release_notes\":\"a\\u007f\"");
	t = (struct text){0};
	t_str(&t, "\"release_notes\":\"");
	t_fill(&t, 'n', 4097);
	t_str(&t, "\"");
	field("notes_4097_bytes", S_LIMIT, "release_notes of 4097 bytes (limit 4096)", t.p);
	free(t.p);
	field("notes_not_string", S_SCHEMA, "release_notes is a number", "\"release_notes\":1");

	/* Names: they become file names and slot labels on the device. */
	static const struct {
		const char *name, *value, *desc;
	} names[] = {
	    {"name_dotdot", "../a.bin", "payload name \"../a.bin\""},
	    {"name_dotdot_only", "..", "payload name \"..\""},
	    {"name_slash", "fw/a.bin", "payload name with '/'"},
	    {"name_absolute", "/a.bin", "payload name \"/a.bin\""},
	    {"name_leading_dot", ".a.bin", "payload name with a leading '.' (hidden file)"},
	    {"name_leading_dash", "-a.bin", "payload name with a leading '-' (an option)"},
	    {"name_backslash", "a\\\\b.bin", "payload name with a backslash"},
	    {"name_space", "a b.bin", "payload name with a space"},
	    {"name_empty", "", "empty payload name"},
	    {"name_non_ascii", "\xc3\xa4.bin", "payload name with a non-ASCII letter"},
	    {"name_65_chars", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bin",
	     "payload name of 65 characters (limit 64)"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(buf, sizeof buf, "\"name\":\"%s\"", names[i].value);
		payload_a(names[i].name, S_SCHEMA, names[i].desc, "\"name\":\"a.bin\"", buf);
	}
	payload_a("name_64_chars_not_in_archive", S_ENTRY,
		  "payload name of 64 characters (legal) that the archive does not hold",
		  "\"name\":\"a.bin\"",
		  "\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bin\"");
	payload_a("target_dotdot", S_SCHEMA, "payload target \"../rootfs\"",
		  "\"target\":\"rootfs\"", "\"target\":\"../rootfs\"");
	payload_a("target_slash", S_SCHEMA, "payload target \"dev/sda1\"", "\"target\":\"rootfs\"",
		  "\"target\":\"dev/sda1\"");
	edit("product_slash", S_SCHEMA, "product \"test/pump\"", "\"product\":\"test-pump\"",
	     "\"product\":\"test/pump\"");
	edit("hardware_dotdot", S_SCHEMA, "hardware id \"../hw-a\"", "\"hardware\":[\"hw-a\"]",
	     "\"hardware\":[\"../hw-a\"]");

	/* Duplicates. */
	edit("duplicate_payload_names", S_SCHEMA, "two payloads named a.bin", "\"name\":\"b.bin\"",
	     "\"name\":\"a.bin\"");
	edit("duplicate_targets", S_SCHEMA, "two payloads with target rootfs",
	     "\"target\":\"kernel\"", "\"target\":\"rootfs\"");
	edit("duplicate_hardware", S_SCHEMA, "hardware [\"hw-a\", \"hw-a\"]",
	     "\"hardware\":[\"hw-a\"]", "\"hardware\":[\"hw-a\",\"hw-a\"]");

	/* Chunk sizes: powers of two from 4 KiB to 16 MiB. */
	static const struct {
		const char *name, *value, *desc;
	} chunks[] = {
	    {"chunk_size_0", "0", "chunk_size 0"},
	    {"chunk_size_1000", "1000", "chunk_size 1000 (below 4096)"},
	    {"chunk_size_3000", "3000", "chunk_size 3000 (below 4096)"},
	    {"chunk_size_6000", "6000", "chunk_size 6000 (in range, not a power of two)"},
	    {"chunk_size_2p25", "33554432", "chunk_size 2^25 (above 16 MiB)"},
	    {"chunk_size_2p32_plus_4096", "4294971392",
	     "chunk_size 2^32 + 4096 (4096 if truncated to 32 bits)"},
	};
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		snprintf(buf, sizeof buf, "\"chunk_size\":%s,\"hashes\"", chunks[i].value);
		payload_a(chunks[i].name, S_SCHEMA, chunks[i].desc,
			  "\"chunk_size\":4096,\"hashes\"", buf);
	}

	/* Digests. */
	snprintf(buf, sizeof buf, "\"sha512-chunks\":\"%s%s\"", hex_a, hex_a);
	payload_a("hash_alg_unknown", S_SCHEMA,
		  "hash algorithm sha512-chunks instead of sha256-chunks", hash_a, buf);
	snprintf(buf, sizeof buf, "%s,\"sha512-chunks\":\"%s%s\"", hash_a, hex_a, hex_a);
	payload_a("hash_alg_extra", S_SCHEMA, "a second hash algorithm next to sha256-chunks",
		  hash_a, buf);
	snprintf(buf, sizeof buf, "\"hashes\":{%s}", hash_a);
	payload_a("hashes_empty", S_SCHEMA, "hashes {}", buf, "\"hashes\":{}");
	{
		char upper[65], shorter[64], longer[67], nonhex[65];
		for (size_t i = 0; i < 65; i++)
			upper[i] =
			    (hex_a[i] >= 'a' && hex_a[i] <= 'f') ? (char)(hex_a[i] - 32) : hex_a[i];
		memcpy(shorter, hex_a, 63);
		shorter[63] = '\0';
		snprintf(longer, sizeof longer, "%s00", hex_a);
		memcpy(nonhex, hex_a, 65);
		nonhex[10] = 'g';
		static const char *const what[] = {"hex_uppercase", "hex_63_digits",
						   "hex_66_digits", "hex_not_hex"};
		static const char *const desc[] = {
		    "chunk list digest in uppercase hex", "chunk list digest of 63 hex digits",
		    "chunk list digest of 66 hex digits", "chunk list digest with a 'g'"};
		const char *val[] = {upper, shorter, longer, nonhex};
		for (size_t i = 0; i < 4; i++) {
			snprintf(buf, sizeof buf, "\"sha256-chunks\":\"%s\"", val[i]);
			payload_a(what[i], S_SCHEMA, desc[i], hash_a, buf);
		}
	}

	/* Hardware lists. */
	edit("hardware_empty", S_SCHEMA, "hardware []", "\"hardware\":[\"hw-a\"]",
	     "\"hardware\":[]");
	t = (struct text){0};
	t_str(&t, "\"hardware\":[\"hw-a\"");
	for (int i = 1; i <= 16; i++)
		t_printf(&t, ",\"hw-%02d\"", i);
	t_str(&t, "]");
	edit("hardware_17", S_LIMIT, "17 hardware ids (limit 16)", "\"hardware\":[\"hw-a\"]", t.p);
	free(t.p);
	edit("hardware_string", S_SCHEMA, "hardware \"hw-a\" (not a list)",
	     "\"hardware\":[\"hw-a\"]", "\"hardware\":\"hw-a\"");
	edit("hardware_not_listed", S_HARDWARE,
	     "well-formed, hardware [\"hw-b\"] only: reaches the policy check",
	     "\"hardware\":[\"hw-a\"]", "\"hardware\":[\"hw-b\"]");

	/* Payload lists: "millions of payloads" end at the limit, 16. */
	{
		const char *start = strstr(base_body, "\"payloads\":[");
		const char *end = strstr(base_body, "],\"product\"");
		if (start == NULL || end == NULL)
			die("base body layout");
		char *old = xmalloc((size_t)(end - start) + 2);
		memcpy(old, start, (size_t)(end - start) + 1);
		old[end - start + 1] = '\0';
		t = (struct text){0};
		t_str(&t, "\"payloads\":[");
		for (int i = 0; i < 17; i++)
			t_printf(&t,
				 "%s{\"chunk_size\":4096,\"hashes\":{\"sha256-chunks\":\"%s\"},"
				 "\"name\":\"p%02d.bin\",\"size\":9000,\"target\":\"t%02d\"}",
				 i ? "," : "", hex_a, i, i);
		t_str(&t, "]");
		edit("payloads_17", S_LIMIT, "17 payloads (limit 16)", old, t.p);
		free(t.p);
		edit("payloads_empty", S_SCHEMA, "payloads []", old, "\"payloads\":[]");
		t = (struct text){0};
		t_str(&t, "\"payloads\":");
		t_add(&t, start + 12, (size_t)(end - start) - 12 - 1);
		/* the first payload object alone, not in a list */
		char *obj_end = strstr(t.p, "},{");
		if (obj_end == NULL)
			die("base body layout");
		obj_end[1] = '\0';
		edit("payloads_object", S_SCHEMA, "payloads is one object, not a list", old, t.p);
		free(t.p);
		free(old);
	}

	/* Sizes of the signed body and of the envelope file. */
	t = (struct text){0};
	t_add(&t, base_body, strlen(base_body) - 1);
	t_fill(&t, ' ', 40 * 1024);
	t_str(&t, "}");
	signed_case_len("body_40k", S_LIMIT,
			"signed body of 40 KiB (valid JSON padded with spaces; limit 32 KiB)", t.p,
			t.len);
	free(t.p);
	t = (struct text){0};
	t_add(&t, base_body, strlen(base_body) - 1);
	t_fill(&t, ' ', 52 * 1024);
	t_str(&t, "}");
	signed_case_len("envelope_70k", S_LIMIT,
			"manifest.json of about 70 KiB (limit 64 KiB) holding a signed 52 KiB body",
			t.p, t.len);
	free(t.p);

	/* Times. */
	field("expires_before_created", S_SCHEMA, "expires one second before created",
	      "\"expires\":\"2023-11-14T22:13:19Z\"");
	field("expires_equal_created", S_SCHEMA, "expires equal to created",
	      "\"expires\":\"2023-11-14T22:13:20Z\"");
	edit("created_after_root_expiry", S_EXPIRED,
	     "created 2124-01-01, after the root's expiry (2123-10-21)",
	     "\"created\":\"2023-11-14T22:13:20Z\"", "\"created\":\"2124-01-01T00:00:00Z\"");
	static const struct {
		const char *name, *value, *desc;
	} times[] = {
	    {"created_lowercase_t", "2023-11-14t22:13:20Z", "created with a lowercase 't'"},
	    {"created_offset", "2023-11-14T22:13:20+00:00", "created with an offset, not Z"},
	    {"created_fraction", "2023-11-14T22:13:20.5Z", "created with a fraction"},
	    {"created_feb_30", "2023-02-30T00:00:00Z", "created on 30 February"},
	    {"created_1969", "1969-12-31T23:59:59Z", "created before 1970"},
	    {"created_leap_second", "2016-12-31T23:59:60Z", "created at a leap second"},
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		snprintf(buf, sizeof buf, "\"created\":\"%s\"", times[i].value);
		edit(times[i].name, S_CLOCK, times[i].desc, "\"created\":\"2023-11-14T22:13:20Z\"",
		     buf);
	}
	edit("created_number", S_SCHEMA, "created as a number of seconds",
	     "\"created\":\"2023-11-14T22:13:20Z\"", "\"created\":1700000000");

	/* References and codecs. */
	field("sbom_dangling", S_SCHEMA, "sbom names no payload", "\"sbom\":\"sbom.json\"");
	field("sbom_dotdot", S_SCHEMA, "sbom \"../a.bin\"", "\"sbom\":\"../a.bin\"");
	payload_a("compression_gzip", S_SCHEMA, "payload compression \"gzip\" (reserved)",
		  "\"name\":\"a.bin\"", "\"compression\":\"gzip\",\"name\":\"a.bin\"");
	payload_a("compression_empty", S_SCHEMA, "payload compression \"\"", "\"name\":\"a.bin\"",
		  "\"compression\":\"\",\"name\":\"a.bin\"");
	payload_a("compression_number", S_SCHEMA, "payload compression 0", "\"name\":\"a.bin\"",
		  "\"compression\":0,\"name\":\"a.bin\"");

	/* The shape of the whole body. */
	t = (struct text){0};
	t_printf(&t, "[%s]", base_body);
	signed_case("body_array", S_SCHEMA, "the manifest wrapped in an array", t.p);
	signed_case("body_string", S_JSON, "a JSON string as the body", strdup("\"manifest\""));
	t = (struct text){0};
	t_printf(&t, "%s{}", base_body);
	signed_case("body_trailing_object", S_JSON, "a second JSON value after the manifest", t.p);
	t = (struct text){0};
	t_printf(&t, "\xef\xbb\xbf%s", base_body);
	signed_case("body_bom", S_JSON, "UTF-8 byte order mark before the body", t.p);
	t = (struct text){0};
	t_str(&t, base_body);
	t_add(&t, "\0", 1);
	signed_case_len("body_nul_byte", S_JSON, "raw NUL byte after the body (C sees valid JSON)",
			t.p, t.len);
	free(t.p);
	signed_case("body_not_json", S_JSON, "a signed body that is not JSON",
		    strdup("version=1.0.0\n"));
}

/* ---- key files ---- */

/* A secret key file in fwseal-keys' format, with fixed salt and nonce:
 * the cheapest Argon2id parameters the loader accepts, so tests stay fast. */
static json_t *secret_doc(const struct key *k, const char *pass)
{
	uint8_t salt[32], nonce[32], box[32], ct[48];
	char salt_hex[33], nonce_hex[49], ct_hex[97];
	unsigned long long ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	size_t mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
	crypto_hash_sha256(salt, (const uint8_t *)"fwseal keys-bad salt", 20);
	crypto_hash_sha256(nonce, (const uint8_t *)"fwseal keys-bad nonce", 21);
	if (crypto_pwhash(box, sizeof box, pass, strlen(pass), salt, ops, mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		die("argon2id");
	if (crypto_secretbox_easy(ct, k->seed, 32, nonce, box) != 0)
		die("secretbox");
	fws_hex_encode(salt_hex, salt, 16);
	fws_hex_encode(nonce_hex, nonce, 24);
	fws_hex_encode(ct_hex, ct, 48);
	json_t *doc =
	    json_pack("{s:s, s:i, s:s, s:s, s:{s:s, s:I, s:I, s:s}, s:{s:s, s:s, s:s}}", "type",
		      "fwseal-secret-key", "version", 1, "keyid", k->keyid_hex, "public", k->pk_hex,
		      "kdf", "alg", "argon2id13", "opslimit", (json_int_t)ops, "memlimit",
		      (json_int_t)mem, "salt", salt_hex, "cipher", "alg", "xsalsa20poly1305",
		      "nonce", nonce_hex, "ciphertext", ct_hex);
	if (doc == NULL)
		die("json_pack");
	return doc;
}

static json_t *public_doc(const struct key *k)
{
	json_t *doc =
	    json_pack("{s:s, s:s, s:s, s:s, s:i}", "keyid", k->keyid_hex, "keytype", "ed25519",
		      "public", k->pk_hex, "type", "fwseal-public-key", "version", 1);
	if (doc == NULL)
		die("json_pack");
	return doc;
}

static char *dump(const json_t *doc, size_t flags)
{
	char *s = json_dumps(doc, flags | JSON_SORT_KEYS);
	struct text t = {0};
	if (s == NULL)
		die("json_dumps");
	t_str(&t, s);
	t_str(&t, "\n");
	free(s);
	return t.p;
}

static char *secret_text(const json_t *doc)
{
	return dump(doc, JSON_INDENT(2));
}

static char *public_text(const json_t *doc)
{
	return dump(doc, JSON_COMPACT);
}

/* Two rows per key file: what `fwseal-keys fingerprint` and what `fwseal
 * pack --key` must say about it. */
static void key_case_len(const char *file, const char *text, size_t len, int fp_status,
			 const char *fp_desc, int pack_status, const char *pack_desc)
{
	char rel[256], d[512];
	snprintf(rel, sizeof rel, "keys-bad/%s", file);
	put(rel, text, len);
	snprintf(d, sizeof d, "fingerprint: %s", fp_desc);
	row(rel, fp_status, d);
	snprintf(d, sizeof d, "pack: %s", pack_desc);
	row(rel, pack_status, d);
}

static void key_case(const char *file, char *text, int fp_status, const char *fp_desc,
		     int pack_status, const char *pack_desc)
{
	key_case_len(file, text, strlen(text), fp_status, fp_desc, pack_status, pack_desc);
	free(text);
}

/* The valid secret key file with one member of obj (doc itself or its
 * "kdf" / "cipher" object) set to value. */
static char *secret_with(const char *obj, const char *member, json_t *value)
{
	json_t *doc = secret_doc(&release_key, PASSPHRASE);
	json_t *o = obj == NULL ? doc : json_object_get(doc, obj);
	if (value == NULL)
		json_object_del(o, member);
	else
		json_object_set_new(o, member, value);
	char *s = secret_text(doc);
	json_decref(doc);
	return s;
}

/* A JSON string of hex with its first digit changed. */
static json_t *flip_hex(const char *hex)
{
	char *s = strdup(hex);
	if (s == NULL)
		die("out of memory");
	s[0] = s[0] == '0' ? '1' : '0';
	json_t *v = json_string(s);
	free(s);
	return v;
}

static void key_cases(void)
{
	json_t *doc = secret_doc(&release_key, PASSPHRASE);
	char *valid = secret_text(doc);
	size_t vlen = strlen(valid);
	json_t *pdoc = public_doc(&release_key);
	char *valid_pub = public_text(pdoc);
	size_t plen = strlen(valid_pub);
	char name[64], d[160];
	json_decref(doc);
	json_decref(pdoc);

	/* Controls (not rows): the release key of signed/root.json, and a
	 * valid key that root does not authorise. */
	put("keys-bad/valid.key", valid, vlen);
	put("keys-bad/valid.pub", valid_pub, plen);
	doc = secret_doc(&other_key, PASSPHRASE);
	key_case("other.key", secret_text(doc), S_OK, "a valid key (not in the root)",
		 S_NOTAUTHORISED, "a valid key the root does not authorise for releases");
	json_decref(doc);

	/* Truncation (len - 1 would only drop the final newline: still valid). */
	const size_t cuts[] = {0, 1, 2, 60, vlen / 2, vlen - 3, vlen - 2};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		snprintf(name, sizeof name, "truncated_at_%zu.key", cuts[i]);
		snprintf(d, sizeof d, "secret key file cut at byte %zu of %zu", cuts[i], vlen);
		key_case_len(name, valid, cuts[i], S_KEYFILE, d, S_KEYFILE, d);
	}
	const size_t pcuts[] = {1, plen / 2, plen - 2};
	for (size_t i = 0; i < sizeof pcuts / sizeof pcuts[0]; i++) {
		snprintf(name, sizeof name, "pub_truncated_at_%zu.pub", pcuts[i]);
		snprintf(d, sizeof d, "public key file cut at byte %zu of %zu", pcuts[i], plen);
		key_case_len(name, valid_pub, pcuts[i], S_KEYFILE, d, S_KEYFILE, d);
	}

	/* Wrong kind of file. */
	key_case_len("pub_as_key.key", valid_pub, plen, S_OK,
		     "a public key file named .key (a valid public key: fingerprint prints it)",
		     S_KEYFILE, "a public key file given as the signing key");
	key_case_len("root_json_as_key.key", root_json, root_json_len, S_KEYFILE,
		     "a root.json given as a key file", S_KEYFILE, "a root.json given as the key");
	key_case("type_public.key", secret_with(NULL, "type", json_string("fwseal-public-key")),
		 S_KEYFILE, "secret key file with type fwseal-public-key", S_KEYFILE,
		 "secret key file with type fwseal-public-key");
	key_case("version_2.key", secret_with(NULL, "version", json_integer(2)), S_KEYFILE,
		 "key file version 2", S_KEYFILE, "key file version 2");
	key_case("kdf_argon2i.key", secret_with("kdf", "alg", json_string("argon2i13")), S_KEYFILE,
		 "kdf alg argon2i13", S_KEYFILE, "kdf alg argon2i13");
	key_case("cipher_xchacha.key",
		 secret_with("cipher", "alg", json_string("xchacha20poly1305")), S_KEYFILE,
		 "cipher alg xchacha20poly1305", S_KEYFILE, "cipher alg xchacha20poly1305");

	/* Tampering: the public half is not under the AEAD. */
	doc = secret_doc(&release_key, PASSPHRASE);
	const char *ct =
	    json_string_value(json_object_get(json_object_get(doc, "cipher"), "ciphertext"));
	const char *salt = json_string_value(json_object_get(json_object_get(doc, "kdf"), "salt"));
	const char *nonce =
	    json_string_value(json_object_get(json_object_get(doc, "cipher"), "nonce"));
	key_case("tampered_ciphertext.key", secret_with("cipher", "ciphertext", flip_hex(ct)), S_OK,
		 "ciphertext tampered (fingerprint does not decrypt: nothing to see)", S_PASSPHRASE,
		 "ciphertext tampered: the AEAD fails");
	key_case("tampered_salt.key", secret_with("kdf", "salt", flip_hex(salt)), S_OK,
		 "salt tampered (not decrypted)", S_PASSPHRASE,
		 "salt tampered: another box key, the AEAD fails");
	key_case("tampered_nonce.key", secret_with("cipher", "nonce", flip_hex(nonce)), S_OK,
		 "nonce tampered (not decrypted)", S_PASSPHRASE, "nonce tampered: the AEAD fails");
	json_decref(doc);
	key_case("tampered_public.key", secret_with(NULL, "public", json_string(other_key.pk_hex)),
		 S_KEYID, "public replaced by another key's, keyid kept: keyid mismatch", S_KEYFILE,
		 "public replaced by another key's, keyid kept");
	key_case("tampered_keyid.key", secret_with(NULL, "keyid", json_string(other_key.keyid_hex)),
		 S_KEYID, "keyid replaced by another key's", S_KEYFILE,
		 "keyid replaced by another key's");
	doc = secret_doc(&release_key, PASSPHRASE);
	json_object_set_new(doc, "public", json_string(other_key.pk_hex));
	json_object_set_new(doc, "keyid", json_string(other_key.keyid_hex));
	key_case("swapped_public_and_keyid.key", secret_text(doc), S_OK,
		 "public and keyid both another key's (consistent): fingerprint shows that key",
		 S_KEYFILE, "public and keyid both another key's: the decrypted seed disagrees");
	json_decref(doc);
	doc = secret_doc(&release_key, "not-the-passphrase");
	key_case("wrong_passphrase.key", secret_text(doc), S_OK,
		 "encrypted under another passphrase (not decrypted)", S_PASSPHRASE,
		 "encrypted under another passphrase");
	json_decref(doc);

	/* KDF parameters: a hostile file must not make Argon2id take a
	 * terabyte or hours. */
	key_case("memlimit_2p40.key", secret_with("kdf", "memlimit", json_integer(1LL << 40)),
		 S_LIMIT, "memlimit 2^40 (1 TiB)", S_LIMIT, "memlimit 2^40 (1 TiB)");
	key_case("memlimit_2p31.key", secret_with("kdf", "memlimit", json_integer(1LL << 31)),
		 S_LIMIT, "memlimit 2 GiB (above the sensitive level)", S_LIMIT,
		 "memlimit 2 GiB (above the sensitive level)");
	key_case("memlimit_negative.key", secret_with("kdf", "memlimit", json_integer(-1)), S_LIMIT,
		 "memlimit -1", S_LIMIT, "memlimit -1");
	key_case("memlimit_string.key", secret_with("kdf", "memlimit", json_string("8192")),
		 S_KEYFILE, "memlimit \"8192\" (a string)", S_KEYFILE,
		 "memlimit \"8192\" (a string)");
	key_case("opslimit_0.key", secret_with("kdf", "opslimit", json_integer(0)), S_LIMIT,
		 "opslimit 0", S_LIMIT, "opslimit 0");
	key_case("opslimit_2p32.key", secret_with("kdf", "opslimit", json_integer(1LL << 32)),
		 S_LIMIT, "opslimit 2^32", S_LIMIT, "opslimit 2^32");
	key_case("opslimit_real.key", secret_with("kdf", "opslimit", json_real(1.5)), S_KEYFILE,
		 "opslimit 1.5", S_KEYFILE, "opslimit 1.5");
	{
		char *s =
		    replace(valid, "\"memlimit\": 8192", "\"memlimit\": 18446744073709551616");
		key_case("memlimit_2p64.key", s, S_KEYFILE,
			 "memlimit 2^64 (not an int64: bad JSON)", S_KEYFILE,
			 "memlimit 2^64 (not an int64: bad JSON)");
	}

	/* Structure. */
	key_case("extra_field.key", secret_with(NULL, "comment", json_string("x")), S_KEYFILE,
		 "an extra top-level field", S_KEYFILE, "an extra top-level field");
	key_case("extra_kdf_field.key", secret_with("kdf", "parallelism", json_integer(4)),
		 S_KEYFILE, "an extra field in kdf", S_KEYFILE, "an extra field in kdf");
	key_case("missing_salt.key", secret_with("kdf", "salt", NULL), S_KEYFILE,
		 "kdf without salt", S_KEYFILE, "kdf without salt");
	{
		char pub_line[128];
		snprintf(pub_line, sizeof pub_line, "\"public\": \"%s\",", release_key.pk_hex);
		char rep[300];
		snprintf(rep, sizeof rep, "\"public\": \"%s\",\n  %s", other_key.pk_hex, pub_line);
		key_case("duplicate_key.key", replace(valid, pub_line, rep), S_KEYFILE,
			 "\"public\" twice (another key's first)", S_KEYFILE,
			 "\"public\" twice (another key's first)");
		char upper[65];
		for (size_t i = 0; i < 65; i++) {
			char c = release_key.pk_hex[i];
			upper[i] = (c >= 'a' && c <= 'f') ? (char)(c - 32) : c;
		}
		snprintf(rep, sizeof rep, "\"public\": \"%s\",", upper);
		key_case("uppercase_hex.key", replace(valid, pub_line, rep), S_KEYFILE,
			 "public key in uppercase hex", S_KEYFILE, "public key in uppercase hex");
	}
	key_case("nul_byte.key", replace(valid, "\"kdf\"", "\"k\\u0000df\""), S_KEYFILE,
		 "\\u0000 in a member name", S_KEYFILE, "\\u0000 in a member name");
	{
		struct text t = {0};
		t_add(&t, valid, vlen - 2);
		t_fill(&t, ' ', 5000);
		t_str(&t, "}\n");
		key_case("oversized.key", t.p, S_KEYFILE, "5 KiB key file (limit 4 KiB)", S_KEYFILE,
			 "5 KiB key file (limit 4 KiB)");
		t = (struct text){0};
		t_str(&t, valid);
		t_str(&t, "{}\n");
		key_case("trailing_data.key", t.p, S_KEYFILE, "a second JSON value after the key",
			 S_KEYFILE, "a second JSON value after the key");
		t = (struct text){0};
		t_str(&t, "\xef\xbb\xbf");
		t_str(&t, valid);
		key_case("utf8_bom.key", t.p, S_KEYFILE, "UTF-8 byte order mark", S_KEYFILE,
			 "UTF-8 byte order mark");
	}

	/* Modes: the test sets the mode in the name (git keeps no modes). */
	key_case_len("mode_0644.key", valid, vlen, S_OK, "valid key, mode 0644 (public half only)",
		     S_KEYPERM, "valid key readable by group and others (0644)");
	key_case_len("mode_0640.key", valid, vlen, S_OK, "valid key, mode 0640", S_KEYPERM,
		     "valid key readable by group (0640)");
	key_case_len("mode_0602.key", valid, vlen, S_OK, "valid key, mode 0602", S_KEYPERM,
		     "valid key writable by others (0602)");

	/* Public key files. */
	static const struct {
		const char *file, *member, *desc;
		int status;
	} pubs[] = {
	    {"pub_keytype_rsa.pub", "keytype", "public key file with keytype rsa", S_KEYFILE},
	    {"pub_type_secret.pub", "type", "public key file with type fwseal-secret-key",
	     S_KEYFILE},
	    {"pub_version_2.pub", "version", "public key file version 2", S_KEYFILE},
	    {"pub_extra_field.pub", "comment", "public key file with an extra field", S_KEYFILE},
	    {"pub_keyid_mismatch.pub", "keyid", "public key file whose keyid is another key's",
	     S_KEYID},
	};
	for (size_t i = 0; i < sizeof pubs / sizeof pubs[0]; i++) {
		json_t *p = public_doc(&release_key);
		json_t *v = i == 0   ? json_string("rsa")
			    : i == 1 ? json_string("fwseal-secret-key")
			    : i == 2 ? json_integer(2)
			    : i == 3 ? json_string("x")
				     : json_string(other_key.keyid_hex);
		json_object_set_new(p, pubs[i].member, v);
		key_case(pubs[i].file, public_text(p), pubs[i].status, pubs[i].desc, S_KEYFILE,
			 "a (broken) public key file given as the signing key");
		json_decref(p);
	}
	free(valid);
	free(valid_pub);
}

/* ---- device state files ---- */

static void state_base(struct fws_device_state *st)
{
	memset(st, 0, sizeof *st);
	st->generation = 1;
	strcpy(st->hardware_id, "hw-a");
	strcpy(st->device_id, "hw-a");
	st->root_version = 1;
	st->confirmed_slot = 'a';
	st->pending_slot = '-';
	st->highest_created = CREATED;
	st->log_seq = 1; /* the init line, as fwseal-verify init writes it */
}

/* text with its checksum line recomputed over everything before it (or
 * added when the text has none). */
static char *with_checksum(const char *text)
{
	struct text t = {0};
	uint8_t digest[32];
	char hex[65];
	const char *sum = strstr(text, "sha256 ");
	size_t body = sum != NULL ? (size_t)(sum - text) : strlen(text);
	t_add(&t, text, body);
	fws_sha256(t.p, t.len, digest);
	fws_hex_encode(hex, digest, 32);
	t_printf(&t, "sha256 %s\n", hex);
	return t.p;
}

static void state_case_len(const char *name, const char *text, size_t len, const char *desc)
{
	char rel[256];
	snprintf(rel, sizeof rel, "state-bad/%s.state", name);
	put(rel, text, len);
	row(rel, S_STATE, desc);
}

static void state_case(const char *name, char *text, const char *desc)
{
	state_case_len(name, text, strlen(text), desc);
	free(text);
}

/* valid with one edit, checksum recomputed: reaches the check it is about. */
static void state_edit(const char *valid, const char *name, const char *old, const char *new_text,
		       const char *desc)
{
	char *s = replace(valid, old, new_text);
	state_case(name, with_checksum(s), desc);
	free(s);
}

static void state_cases(void)
{
	struct fws_device_state st;
	char valid[FWS_STATE_MAX];
	size_t len;
	state_base(&st);
	ok(fws_state_encode(&st, valid, sizeof valid, &len), "state encode");
	valid[len] = '\0';
	put("state-bad/valid.state", valid, len);

	/* Raw damage (checksum not fixed). */
	char *s = strdup(valid);
	s[strstr(s, "security_version 0") - s + 17] = '1';
	state_case("flipped_counter", s, "security_version 0 -> 1, checksum not updated");
	s = strdup(valid);
	s[len - 10] ^= 0x01;
	state_case("flipped_checksum", s, "one bit of the checksum flipped");
	s = strdup(valid);
	s[3] ^= 0x20;
	state_case("flipped_magic", s, "one bit of the magic line flipped");
	const size_t cuts[] = {0, 14, 15, len / 2, len - 66, len - 1};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		char n[64], d[128];
		snprintf(n, sizeof n, "truncated_at_%zu", cuts[i]);
		snprintf(d, sizeof d, "state cut at byte %zu of %zu%s", cuts[i], len,
			 cuts[i] == 0	      ? " (empty)"
			 : cuts[i] == len - 1 ? " (final newline)"
					      : "");
		state_case_len(n, valid, cuts[i], d);
	}
	s = strdup(valid);
	*strstr(s, "sha256 ") = '\0';
	state_case("checksum_line_removed", s, "the checksum line removed");
	{
		char *u = strdup(valid);
		for (char *p = strstr(u, "sha256 ") + 7; *p != '\n'; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 32);
		state_case("checksum_uppercase", u, "checksum in uppercase hex");
	}
	{
		struct text t = {0};
		t_str(&t, valid);
		t_str(&t, "extra 1\n");
		state_case("line_after_checksum", t.p, "an extra line after the checksum");
	}
	{
		struct text t = {0};
		for (const char *p = valid; *p; p++) {
			if (*p == '\n')
				t_str(&t, "\r\n");
			else
				t_add(&t, p, 1);
		}
		state_case("crlf", t.p, "CRLF line ends (checksum over the CRLF text)");
		t = (struct text){0};
		for (const char *p = valid; *p; p++) {
			if (*p == '\n')
				t_str(&t, "\r\n");
			else
				t_add(&t, p, 1);
		}
		char *fixed = with_checksum(t.p);
		free(t.p);
		state_case("crlf_checksum_fixed", fixed,
			   "CRLF line ends, checksum recomputed over the CRLF text");
	}
	{
		struct text t = {0};
		t_add(&t, valid, len);
		t_fill(&t, '\n', FWS_STATE_MAX + 1 - len);
		state_case("oversized", t.p, "state of FWS_STATE_MAX + 1 bytes");
	}

	/* Semantic damage, checksum recomputed. */
	state_edit(valid, "future_format", "fwseal-state 3\n", "fwseal-state 4\n",
		   "future format \"fwseal-state 4\"");
	state_edit(valid, "old_format", "fwseal-state 3\n", "fwseal-state 2\n",
		   "old format \"fwseal-state 2\"");
	state_edit(valid, "generation_2p53", "generation 1\n", "generation 9007199254740992\n",
		   "generation 2^53 (above 2^53 - 1)");
	state_edit(valid, "generation_2p64", "generation 1\n", "generation 18446744073709551616\n",
		   "generation 2^64 (overflows 64 bits)");
	state_edit(valid, "generation_huge", "generation 1\n",
		   "generation 99999999999999999999999999999999\n", "generation of 32 digits");
	state_edit(valid, "generation_leading_zero", "generation 1\n", "generation 01\n",
		   "generation 01");
	state_edit(valid, "generation_negative", "generation 1\n", "generation -1\n",
		   "generation -1");
	state_edit(valid, "pending_equals_confirmed", "pending_slot -\n", "pending_slot a\n",
		   "pending slot a equal to the confirmed slot a");
	state_edit(valid, "confirmed_slot_c", "confirmed_slot a\n", "confirmed_slot c\n",
		   "confirmed slot c");
	state_edit(valid, "log_seq_2p53", "log_seq 1\n", "log_seq 9007199254740992\n",
		   "log_seq 2^53 (beyond what JSON carries exactly)");
	state_edit(valid, "boot_attempts_v2_line", "pending_slot -\n",
		   "pending_slot -\nboot_attempts 0\n", "a v2 boot_attempts line in a v3 state");
	state_edit(valid, "hardware_id_dotdot", "hardware_id hw-a\n", "hardware_id ../hw-a\n",
		   "hardware id \"../hw-a\"");
	state_edit(valid, "slot_version_bad", "slot_a_version -\n", "slot_a_version 01.0\n",
		   "slot a version \"01.0\" (not semver)");
	state_edit(valid, "highest_created_negative", "highest_created 1700000000\n",
		   "highest_created -1\n", "highest_created -1");
	state_edit(valid, "extra_line", "installs 0\n", "installs 0\nextra 1\n",
		   "an extra line before the checksum");
	state_edit(valid, "missing_line", "log_seq 1\n", "", "the log_seq line missing");
	state_edit(valid, "fields_swapped", "confirmed_slot a\npending_slot -\n",
		   "pending_slot -\nconfirmed_slot a\n", "two lines in the other order");
	state_edit(valid, "double_space", "generation 1\n", "generation  1\n",
		   "two spaces after a key");
	state_edit(valid, "trailing_space", "generation 1\n", "generation 1 \n",
		   "a space at the end of a line");
	state_edit(valid, "nul_in_value", "hardware_id hw-a\n", "hardware_id hw-a\\0\n",
		   "a literal backslash-zero in the hardware id");
	{
		/* A raw NUL byte inside the device id, checksum over all the bytes. */
		const char *at = strstr(valid, "device_id hw-a") + 14;
		const char *sum = strstr(valid, "sha256 ");
		struct text t = {0};
		uint8_t digest[32];
		char hex[65];
		t_add(&t, valid, (size_t)(at - valid));
		t_add(&t, "\0x", 2);
		t_add(&t, at, (size_t)(sum - at));
		fws_sha256(t.p, t.len, digest);
		fws_hex_encode(hex, digest, 32);
		t_printf(&t, "sha256 %s\n", hex);
		state_case_len("nul_byte", t.p, t.len, "a raw NUL byte in the device id");
		free(t.p);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_signed_cases OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	ok(fws_init(), "fws_init");
	key_make(&root_key, "fwseal hostile corpus: root key");
	key_make(&release_key, "fwseal hostile corpus: release key");
	key_make(&other_key, "fwseal hostile corpus: a key the root does not know");

	mkdirs("signed");
	mkdirs("keys-bad");
	mkdirs("state-bad");
	clean("signed", ".fwb");
	clean("keys-bad", ".key");
	clean("keys-bad", ".pub");
	clean("state-bad", ".state");

	make_root();
	make_base_body();
	open_tsv("signed.tsv", "signed manifests; fwseal verify and fwseal-verify install");
	signed_cases();
	close_tsv("signed.tsv");
	open_tsv("keys-bad.tsv", "key files; the description names the command");
	key_cases();
	close_tsv("keys-bad.tsv");
	open_tsv("state-bad.tsv", "device state; fwseal-verify status and install");
	state_cases();
	close_tsv("state-bad.tsv");
	return 0;
}
