/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal: the release engineer's tool. pack, sign, verify, inspect,
 * permit, selftest. Parsing and output only; libfwseal decides. */
#include <archive.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_fwseal.h"
#include "enc_cli.h"
#include "cli_selftest.h"
#include "fwseal/bundle_write.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"
#include "fwseal/record.h"
#include "fwseal/sbom.h"

#ifndef FWS_GIT_COMMIT
#define FWS_GIT_COMMIT ""
#endif

#define BUNDLE_CODES                                                                          \
	FWS_ENOENT, FWS_EIO, FWS_ENOMEM, FWS_ELIMIT, FWS_EJSON, FWS_ESCHEMA, FWS_EENVELOPE,   \
	    FWS_EPAYLOADTYPE, FWS_EUNTRUSTED, FWS_EBADSIG, FWS_ETHRESHOLD, FWS_EKEYID,        \
	    FWS_EROOTVERSION, FWS_EEXPIRED, FWS_EFORMAT, FWS_EENTRY, FWS_ETRUNCATED,          \
	    FWS_ETRAILING, FWS_ESIZE, FWS_EDIGEST, FWS_EDECOMPRESS, FWS_ETHRESHOLDDEF,        \
	    FWS_EROOTMISMATCH, FWS_ECLOCK
#define ROOT_CODES CLI_ROOT_CODES
#define KEY_CODES CLI_KEY_CODES

/* A self-signed trusted root in a new allocation; reports its error. */
static int load_root(const char *path, struct fws_root **out)
{
	*out = malloc(sizeof(**out));
	if (*out == NULL)
		return cli_fail(NULL, FWS_ENOMEM);
	int rc = fws_root_load_file(path, *out, NULL);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		return cli_fail(path, rc);
	}
	return 0;
}


static void print_keyids(const char *label, const struct fws_signers *s)
{
	char hex[65];
	for (size_t i = 0; i < s->n; i++) {
		fws_hex_encode(hex, s->keyids[i], 32);
		printf("  %s %s\n", label, hex);
	}
}

static json_t *sbom_json(const struct fws_sbom_ref *s)
{
	if (s->name[0] == '\0')
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "sbom_format", json_string(s->format));
	json_object_set_new(o, "size", json_integer((json_int_t)s->size));
	json_object_set_new(o, "sha256", cli_json_hex(s->sha256, 32));
	return o;
}

static json_t *manifest_json(const struct fws_manifest *m)
{
	json_t *o = json_object(), *hw = json_array(), *pl = json_array();
	json_object_set_new(o, "product", json_string(m->product));
	json_object_set_new(o, "version", json_string(m->version));
	json_object_set_new(o, "security_version", json_integer((json_int_t)m->security_version));
	for (size_t i = 0; i < m->n_hardware; i++)
		json_array_append_new(hw, json_string(m->hardware[i]));
	json_object_set_new(o, "hardware", hw);
	json_object_set_new(o, "created", cli_json_time(m->created));
	json_object_set_new(o, "expires", cli_json_time(m->expires));
	json_object_set_new(o, "min_version", cli_json_str(m->min_version));
	json_object_set_new(o, "release_notes", cli_json_str(m->release_notes));
	json_object_set_new(o, "sbom", cli_json_str(m->sbom));
	json_object_set_new(o, "sbom_document", sbom_json(&m->sbom_document));
	for (size_t i = 0; i < m->n_payloads; i++) {
		const struct fws_payload *p = &m->payloads[i];
		json_t *e = json_object();
		json_object_set_new(e, "name", json_string(p->name));
		json_object_set_new(e, "target", json_string(p->target));
		json_object_set_new(e, "size", json_integer((json_int_t)p->size));
		json_object_set_new(e, "chunk_size", json_integer(p->chunk_size));
		json_object_set_new(e, "sha256_chunks", cli_json_hex(p->chunks_sha256, 32));
		if (p->has_blocks)
			json_object_set_new(e, "sha256_blocks", cli_json_hex(p->blocks_sha256, 32));
		if (p->encrypted)
			json_object_set_new(e, "plain_size", json_integer((json_int_t)p->plain_size));
		if (p->encrypted && p->has_plain_blocks)
			json_object_set_new(e, "plain_blocks", cli_json_hex(p->plain_blocks_sha256, 32));
		json_array_append_new(pl, e);
	}
	json_object_set_new(o, "payloads", pl);
	if (m->encryption.enabled) {
		json_t *enc = json_object();
		json_object_set_new(enc, "scheme", json_string(FWS_ENC_SCHEME));
		json_object_set_new(enc, "key_commitment",
				    cli_json_hex(m->encryption.key_commitment, 32));
		json_object_set_new(o, "encryption", enc);
	}
	return o;
}

/* ---- release records (docs/evidence.md §2) ---- */

/* Verifies `bundle` against the root in root_path and writes its release
 * record to out (NULL: standard output). Reports its own error. */
static int write_record(struct cli *c, const char *bundle, const char *root_path, int64_t now,
			const struct fws_record_input *inputs, size_t n_inputs, const char *out)
{
	struct fws_record_opts ro = {0};
	struct fws_root *root = NULL;
	struct cli_bundle in = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	const char *used[2 + 64];
	char *json = NULL;
	size_t json_len = 0, n_used = 0;
	int rc = load_root(root_path, &root);
	if (rc == 0)
		rc = cli_bundle_open(c, bundle, NULL, &prog, &in);
	if (rc == 0) {
		const char *slash = strrchr(in.name, '/');
		ro.trusted = root;
		ro.now = now;
		ro.bundle_name = slash != NULL ? slash + 1 : in.name;
		ro.inputs = inputs;
		ro.n_inputs = n_inputs;
		ro.tool_name = "fwseal";
		ro.tool_version = fws_version();
		ro.tool_commit = FWS_GIT_COMMIT;
		ro.source_date_epoch = getenv("SOURCE_DATE_EPOCH");
		cli_progress_start(&prog, c, "recording", in.size);
		fws_diag_clear();
		rc = fws_record_make(in.read, in.ctx, &ro, &json, &json_len, NULL);
		cli_progress_end(&prog);
		if (rc != 0)
			rc = cli_fail(in.name, rc);
	}
	used[n_used++] = bundle;
	used[n_used++] = root_path;
	for (size_t i = 0; i < n_inputs && n_used < sizeof(used) / sizeof(used[0]); i++)
		used[n_used++] = inputs[i].path;
	if (rc == 0) {
		rc = cli_write_output(c, out, json, json_len, used, n_used);
	}
	cli_bundle_close(&in);
	free(json);
	free(root);
	return rc;
}

/* ---- pack ---- */

static const struct cli_opt pack_opts[] = {
    {"manifest", CLI_VALUE, "FILE", 1, "the release description (docs/format.md §9)"},
    {"key", CLI_VALUE, "KEY", 1,
     "the release key that signs the manifest: NAME.key,\nor a pkcs11: URI (docs/hsm.md)"},
    {"root", CLI_LIST, "FILE", 1,
     "a root of trust to carry, oldest first (repeat for a chain);\nthe newest one decides "
     "who may sign"},
    {"out", CLI_VALUE, "FILE", 1, "the bundle to write (must not exist, unless --force)"},
    {"gzip", CLI_FLAG, NULL, 0, "compress the whole bundle with gzip"},
    {"no-block-index", CLI_FLAG, NULL, 0,
     "leave out the 4 KiB block index (a delta then reuses\nonly whole chunks; docs/delta.md); "
     "with --encrypt, the encrypted\nkeyed block index (no delta at all)"},
    CLI_FORCE_OPT,
    CLI_PASSPHRASE_OPT,
    CLI_SIGNER_OPTS,
    CLI_JOBS_OPT,
    ENC_PACK_OPTS,
    {"sbom", CLI_VALUE, "FILE", 0,
     "carry this SBOM (SPDX 2.3 or CycloneDX 1.5/1.6 JSON) as a signed\nentry sbom/NAME "
     "that is never written to a slot; refused when it\nlacks what a regulator expects "
     "(docs/format.md §14.3)"},
    {"sbom-strict", CLI_FLAG, NULL, 0,
     "with --sbom: a missing support level or end of support is an\nerror, not a warning"},
    {"record", CLI_VALUE, "FILE", 0,
     "then verify the bundle against the first --root and write its\nrelease record "
     "(docs/evidence.md): digests of the bundle, manifest,\nSBOM and every input, signers, "
     "tool version, selftest result"},
    CLI_JSON_OPT,
    CLI_QUIET_OPT,
    {NULL}};
static const int pack_codes[] = {ROOT_CODES, FWS_ESIZE, FWS_EDIGEST, KEY_CODES, FWS_EEXIST,
				 FWS_ESAMEFILE, FWS_ENOSPC, FWS_ESBOM, FWS_ESBOMFORMAT,
				 FWS_EINTERNAL, FWS_ERECIPIENTS, 0};

/* An FDA extra missing from the SBOM: a warning line, the pack goes on. */
static void sbom_warn(void *ctx, const char *where, const char *why)
{
	cli_progress_wipe();
	fprintf(stderr, "%s: %s: %s: warning: %s\n", cli_prog, cli_esc(ctx), cli_esc(where),
		why);
}

static int run_pack(struct cli *c)
{
	struct fws_pack_opts po = {0};
	struct fws_pack_result *res = malloc(sizeof(*res));
	struct fws_signing_key *key = NULL;
	struct cli_progress prog;
	char failed[4096] = "";
	int64_t now;
	po.manifest_path = cli_get(c, "manifest");
	po.key_path = cli_get(c, "key");
	po.root_paths = cli_list(c, "root", &po.n_roots);
	po.out_path = cli_get(c, "out");
	po.gzip = cli_flag(c, "gzip");
	po.no_block_index = cli_flag(c, "no-block-index");
	po.force = cli_flag(c, "force");
	po.sbom_path = cli_get(c, "sbom");
	po.sbom_strict = cli_flag(c, "sbom-strict");
	po.sbom_warn = sbom_warn;
	po.sbom_warn_ctx = (void *)po.sbom_path;
	if (po.sbom_strict && po.sbom_path == NULL) {
		free(res);
		return cli_usage_error("--sbom-strict goes with --sbom");
	}
	if (res == NULL)
		return cli_fail(NULL, FWS_ENOMEM);
	if (po.n_roots > FWS_MAX_ROOT_CHAIN) {
		free(res);
		return cli_usage_error("at most %d --root", FWS_MAX_ROOT_CHAIN);
	}
	int rc = cli_jobs(c, &po.jobs);
	struct fws_recipient *recipients = NULL;
	size_t n_to = 0, n_rf = 0;
	(void)cli_list(c, "to", &n_to);
	(void)cli_list(c, "recipients-file", &n_rf);
	if (rc == 0 && cli_flag(c, "encrypt") && n_to + n_rf == 0)
		rc = cli_usage_error("--encrypt needs --to or --recipients-file");
	if (rc == 0 && !cli_flag(c, "encrypt") && n_to + n_rf > 0)
		rc = cli_usage_error("--to and --recipients-file go with --encrypt");
	if (rc == 0 && cli_flag(c, "encrypt"))
		rc = enc_cli_recipients(c, &recipients, &po.n_recipients);
	po.recipients = recipients;
	if (rc == 0)
		rc = cli_now(&now);
	/* A release refused for its SBOM should not cost a passphrase. */
	if (rc == 0 && po.sbom_path != NULL) {
		fws_diag_clear();
		rc = fws_pack_precheck(&po, failed, sizeof(failed));
		if (rc != 0)
			rc = cli_fail(failed[0] ? failed : po.manifest_path, rc);
	}
	if (rc == 0)
		rc = cli_signer_open(c, po.key_path, &key);
	if (rc != 0) {
		free(recipients);
		free(res);
		return rc;
	}
	po.now = now;
	po.key = key;
	po.key_path = fws_signing_key_name(key); /* never a URI's PIN in a message */
	cli_progress_start(&prog, c, "packing", 0);
	po.progress = cli_progress_cb;
	po.progress_ctx = &prog;
	fws_diag_clear();
	rc = fws_pack(&po, res, failed, sizeof(failed));
	cli_progress_end(&prog);
	free(recipients);
	po.recipients = NULL;
	if (rc != 0) {
		rc = cli_fail(failed[0] ? failed : po.out_path, rc);
		fws_signing_key_close(key);
		free(res);
		return rc;
	}
	fws_signing_key_close(key);
	po.key_path = NULL; /* it was the key's own name: gone with it */
	const struct fws_manifest *m = &res->manifest;
	int complete = res->signatures >= res->release_threshold;
	if (cli_get(c, "record") != NULL) {
		/* Every file pack read, by role (docs/evidence.md §2). */
		struct fws_record_input in[3 + FWS_MAX_ROOT_CHAIN + FWS_MAX_PAYLOADS];
		char roles[FWS_MAX_PAYLOADS][FWS_NAME_MAX + 16];
		size_t n = 0;
		in[n++] = (struct fws_record_input){"release-description", po.manifest_path};
		/* A key file is an input like any other; a token key has no file:
		 * the record names it by its key id (signers). */
		const char *key_arg = cli_get(c, "key");
		if (strncmp(key_arg, "pkcs11:", 7) != 0)
			in[n++] = (struct fws_record_input){"key", key_arg};
		for (size_t i = 0; i < po.n_roots; i++)
			in[n++] = (struct fws_record_input){"root", po.root_paths[i]};
		for (size_t i = 0; i < m->n_payloads; i++) {
			snprintf(roles[i], sizeof(roles[i]), "payload:%s", m->payloads[i].name);
			in[n++] = (struct fws_record_input){roles[i], res->payload_paths[i]};
		}
		if (po.sbom_path != NULL)
			in[n++] = (struct fws_record_input){"sbom", po.sbom_path};
		rc = write_record(c, po.out_path, po.root_paths[0], now, in, n,
				  cli_get(c, "record"));
		if (rc != 0) {
			free(res);
			return rc;
		}
	}
	if (c->json) {
		cli_json_set(c, "bundle", json_string(po.out_path));
		cli_json_set(c, "record", cli_json_str(cli_get(c, "record")));
		cli_json_set(c, "manifest", manifest_json(m));
		cli_json_set(c, "manifest_sha256", cli_json_hex(res->manifest_body_sha256, 32));
		cli_json_set(c, "root_version", json_integer((json_int_t)res->root_version));
		cli_json_set(c, "signatures", json_integer(res->signatures));
		cli_json_set(c, "release_threshold", json_integer(res->release_threshold));
		cli_json_set(c, "complete", json_boolean(complete));
		cli_json_set(c, "bundle_bytes", json_integer((json_int_t)res->bundle_bytes));
		cli_json_set(c, "encrypted", json_boolean(m->encryption.enabled));
		cli_json_set(c, "recipients", json_integer((json_int_t)po.n_recipients));
	} else {
		printf("packed %s: %s %s (security_version %llu), %zu payload(s)\n",
		       cli_esc(po.out_path), m->product, m->version,
		       (unsigned long long)m->security_version, m->n_payloads);
		if (m->encryption.enabled)
			printf("encrypted for %zu recipient(s)\n", po.n_recipients);
		/* A bundle devices will refuse until co-signed must say so. */
		if (!complete)
			printf("release signatures: %u of %u required; devices refuse it until "
			       "co-signed:\n  fwseal sign --key OTHER.key --root ROOT.json %s\n",
			       res->signatures, res->release_threshold, cli_esc(po.out_path));
	}
	free(res);
	return 0;
}

/* ---- sign ---- */

static const struct cli_opt sign_opts[] = {
    {"key", CLI_VALUE, "KEY", 1, "your release key: NAME.key, or a pkcs11: URI"},
    {"root", CLI_VALUE, "FILE", 1, "the root of trust you trust (checks come first)"},
    CLI_PASSPHRASE_OPT,
    CLI_SIGNER_OPTS,
    CLI_JSON_OPT,
    CLI_QUIET_OPT,
    {NULL}};
static const int sign_codes[] = {BUNDLE_CODES,	FWS_EHARDWARE,	   KEY_CODES,
				 FWS_EALREADYSIGNED, FWS_ESAMEFILE, FWS_ENOSPC, 0};

static int run_sign(struct cli *c)
{
	const char *key_path = cli_get(c, "key"), *root_path = cli_get(c, "root");
	const char *bundle = c->args[0];
	const char *inputs[] = {key_path, root_path};
	struct fws_signing_key *key = NULL;
	struct fws_root *root = NULL;
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct cli_progress prog;
	int64_t now;
	int rc = res == NULL ? cli_fail(NULL, FWS_ENOMEM) : cli_now(&now);
	if (rc == 0)
		rc = load_root(root_path, &root);
	if (rc == 0)
		rc = cli_signer_open(c, key_path, &key);
	if (rc == 0) {
		cli_progress_start(&prog, c, "signing", 0);
		fws_diag_clear();
		rc = fws_bundle_add_signature(bundle, root, key, now, inputs, 2, cli_progress_cb,
					      &prog, res);
		cli_progress_end(&prog);
		if (rc != 0)
			rc = cli_fail(bundle, rc);
	}
	if (rc == 0) {
		const struct fws_role *rel = &res->root.roles[FWS_ROLE_RELEASE];
		int complete = res->signers.n >= rel->threshold;
		if (c->json) {
			cli_json_set(c, "bundle", json_string(bundle));
			cli_json_set(c, "signatures", json_integer((json_int_t)res->signers.n));
			cli_json_set(c, "release_threshold", json_integer(rel->threshold));
			cli_json_set(c, "complete", json_boolean(complete));
			cli_json_set(c, "signed_by",
				     cli_json_keyids(res->signers.keyids, res->signers.n));
		} else {
			printf("signed %s: %s %s, release signatures %zu of threshold %u%s\n",
			       cli_esc(bundle), res->manifest.product, res->manifest.version,
			       res->signers.n, rel->threshold,
			       complete ? " (complete)" : " (more needed)");
			print_keyids("signed by", &res->signers);
		}
	}
	fws_signing_key_close(key);
	free(root);
	free(res);
	return rc;
}

/* ---- verify ---- */

static const struct cli_opt verify_opts[] = {
    {"root", CLI_VALUE, "FILE", 1, "the root of trust to verify against"},
    {"hardware", CLI_VALUE, "ID", 0, "refuse unless the bundle lists this hardware id"},
    CLI_AT_OPT,
    {"installed-version", CLI_VALUE, "V", 0,
     "apply a device's rules as if V were installed: min_version,\nno downgrade within the "
     "security_version"},
    {"security-version", CLI_VALUE, "N", 0,
     "apply the device's anti-rollback counter N (default 0\nwith --installed-version)"},
    {"allow-downgrade", CLI_FLAG, NULL, 0, "with --installed-version: allow a lower version"},
    {"record", CLI_VALUE, "FILE", 0,
     "also compare the bundle with this release record (fwseal pack\n--record, fwseal "
     "record): exit 62 naming the first field that\ndiffers"},
    {"stall-timeout", CLI_VALUE, "SECONDS", 0,
     "give up when the input sends nothing this long (default 60;\n0 = wait forever: a file or standard input only)"},
    CLI_NET_OPTS,
    CLI_JOBS_OPT,
    CLI_JSON_OPT,
    CLI_QUIET_OPT,
    {NULL}};
static const int verify_codes[] = {BUNDLE_CODES,    FWS_EHARDWARE, FWS_EROLLBACK, FWS_EDOWNGRADE,
				   FWS_EMINVERSION, CLI_NET_CODES, FWS_ESBOMFORMAT, FWS_ERECORD, 0};

static void print_sbom(const struct fws_sbom_ref *s)
{
	char hex[65];
	if (s->name[0] == '\0')
		return;
	fws_hex_encode(hex, s->sha256, 32);
	printf("  sbom sbom/%s: %s, %llu bytes, sha256 %s\n", s->name, s->format,
	       (unsigned long long)s->size, hex);
}

static int verify_policy(const struct cli *c, struct fws_policy *p)
{
	const char *installed = cli_get(c, "installed-version"), *sv = cli_get(c, "security-version");
	unsigned long long n = 0;
	memset(p, 0, sizeof(*p));
	p->hardware_id = cli_get(c, "hardware");
	if (installed == NULL && (sv != NULL || cli_flag(c, "allow-downgrade")))
		return cli_usage_error("--security-version and --allow-downgrade go with "
				       "--installed-version");
	if (installed == NULL)
		return 0;
	if (!fws_semver_valid(installed))
		return cli_usage_error("--installed-version '%s' is not a semantic version",
				       cli_esc(installed));
	if (sv != NULL && cli_parse_u64(sv, FWS_SIZE_MAX, &n) != 0)
		return cli_usage_error("--security-version must be a number, not '%s'", cli_esc(sv));
	p->check_rollback = 1;
	p->installed_version = installed;
	p->security_version = n;
	p->allow_downgrade = cli_flag(c, "allow-downgrade");
	return 0;
}

static int run_verify(struct cli *c)
{
	const char *bundle = c->args[0];
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct fws_root *root = NULL;
	struct fws_verify_opts vo = {0};
	struct cli_bundle in = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	int64_t now = 0;
	uint8_t *sbom = NULL, *record = NULL;
	size_t sbom_len = 0, record_len = 0;
	const char *record_path = cli_get(c, "record");
	int rc = res == NULL ? cli_fail(NULL, FWS_ENOMEM) : verify_policy(c, &vo.policy);
	if (rc == 0 && record_path != NULL &&
	    ((rc = fws_file_read_all(record_path, FWS_RECORD_MAX, &record, &record_len)) != 0 ||
	     (rc = fws_record_validate(record, record_len)) != 0))
		rc = cli_fail(record_path, rc);
	cli_input_name(FWS_INPUT_RECORD, record_path);
	cli_input_name(FWS_INPUT_BUNDLE, bundle);
	if (rc == 0)
		rc = cli_jobs(c, &vo.jobs);
	if (rc == 0)
		rc = cli_at_time(c, &now);
	if (rc == 0)
		rc = load_root(cli_get(c, "root"), &root);
	if (rc == 0)
		rc = cli_bundle_open(c, bundle, NULL, &prog, &in);
	if (rc == 0) {
		vo.trusted_root = root;
		vo.now = now;
		cli_progress_start(&prog, c, "verifying", in.size);
		fws_diag_clear();
		if (record != NULL)
			rc = fws_record_check(in.read, in.ctx, &vo, record, record_len, res);
		else
			rc = fws_bundle_verify_sbom(in.read, in.ctx, &vo, res, 0, &sbom, &sbom_len);
		cli_progress_end(&prog);
		if (rc != 0)
			rc = cli_fail(in.name, rc);
	}
	if (rc == 0 && c->json) {
		cli_json_set(c, "bundle", json_string(in.name));
		cli_json_set(c, "manifest", manifest_json(&res->manifest));
		cli_json_set(c, "manifest_sha256", cli_json_hex(res->manifest_body_sha256, 32));
		cli_json_set(c, "root_version", json_integer((json_int_t)res->root.version));
		cli_json_set(c, "compressed", json_boolean(res->compressed));
		cli_json_set(c, "bundle_bytes", json_integer((json_int_t)res->bundle_bytes));
		cli_json_set(c, "downloaded_bytes", json_integer((json_int_t)cli_bundle_downloaded(&in)));
		cli_json_set(c, "signed_by", cli_json_keyids(res->signers.keyids, res->signers.n));
		cli_json_set(c, "device_rules_checked", json_boolean(vo.policy.check_rollback));
		cli_json_set(c, "recipient_stanzas",
			     json_integer((json_int_t)res->recipient_stanzas));
	} else if (rc == 0) {
		const struct fws_manifest *m = &res->manifest;
		printf("%s: OK %s %s (security_version %llu), root v%llu, %zu payload(s)\n",
		       cli_esc(in.name), m->product, m->version,
		       (unsigned long long)m->security_version,
		       (unsigned long long)res->root.version, m->n_payloads);
		print_keyids("signed by", &res->signers);
		print_sbom(&m->sbom_document);
		/* What was checked of an encrypted bundle without a key. */
		if (m->encryption.enabled)
			printf("  encrypted (%s): %llu recipient stanza(s); ciphertext digests "
			       "verified, contents not decrypted\n",
			       FWS_ENC_SCHEME, (unsigned long long)res->recipient_stanzas);
		if (m->min_version[0] != '\0' && !vo.policy.check_rollback)
			printf("  min_version %s not checked (give --installed-version)\n",
			       m->min_version);
	}
	if (rc == 0 && record != NULL && !c->json)
		printf("  matches the release record %s\n", cli_esc(record_path));
	if (rc == 0 && c->json)
		cli_json_set(c, "record_matched", record != NULL ? json_true() : json_null());
	cli_bundle_close(&in);
	free(record);
	free(sbom);
	free(root);
	free(res);
	return rc;
}

/* ---- record ---- */

static const struct cli_opt record_opts[] = {
    {"root", CLI_VALUE, "FILE", 1, "the root of trust the bundle verifies against"},
    {"out", CLI_VALUE, "FILE", 0, "write the record to FILE (must not exist, unless --force)"},
    CLI_AT_OPT,
    CLI_FORCE_OPT,
    CLI_QUIET_OPT,
    CLI_NET_OPTS,
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON (with --out: standard output\ncarries the record otherwise)"},
    {NULL}};
static const int record_codes[] = {BUNDLE_CODES,   FWS_ESBOMFORMAT, FWS_EEXIST, FWS_ESAMEFILE,
				   FWS_ENOSPC, CLI_NET_CODES, FWS_EINTERNAL, 0};

static int run_record(struct cli *c)
{
	const char *root_path = cli_get(c, "root");
	struct fws_record_input in[] = {{"root", root_path}};
	int64_t now = 0;
	int rc = 0;
	if (c->json && cli_get(c, "out") == NULL)
		return cli_usage_error("--json needs --out (standard output carries the record)");
	rc = cli_at_time(c, &now);
	if (rc == 0)
		rc = write_record(c, c->args[0], root_path, now, in, 1, cli_get(c, "out"));
	if (rc == 0)
		cli_json_set(c, "out", json_string(cli_get(c, "out")));
	return rc;
}

/* ---- inspect ---- */

static const struct cli_opt inspect_opts[] = {
    {"json", CLI_FLAG, NULL, 0, "print it as JSON"},
    {"sbom", CLI_FLAG, NULL, 0,
     "verify the whole bundle against --root first, then write its\nSBOM (nothing else) "
     "to standard output or --out"},
    {"root", CLI_VALUE, "FILE", 0, "with --sbom: the root of trust to verify against"},
    {"at", CLI_VALUE, "TIME", 0,
     "with --sbom: judge expiry at TIME (default: SOURCE_DATE_EPOCH,\nelse now)"},
    {"out", CLI_VALUE, "FILE", 0,
     "with --sbom: write the SBOM to FILE (must not exist, unless\n--force)"},
    {"force", CLI_FLAG, NULL, 0, "with --out: replace an existing FILE"},
    CLI_NET_OPTS,
    {"stall-timeout", CLI_VALUE, "SECONDS", 0,
     "give up when the input sends nothing this long (default 60;\n0 = wait forever: a file or standard input only)"},
    {NULL}};
static const int inspect_codes[] = {BUNDLE_CODES, CLI_NET_CODES, FWS_ESBOMFORMAT, FWS_EEXIST,
				    FWS_ESAMEFILE, FWS_ENOSPC, 0};

static void inspect_text(const char *path, const struct fws_inspect *in)
{
	const struct fws_manifest *m = &in->manifest;
	char hex[65], t[21];
	printf("bundle:   %s (%s)\n", cli_esc(path), in->compressed ? "tar+gzip" : "tar");
	printf("NOTE:     nothing below is verified; run 'fwseal verify' for that\n");
	if (in->manifest_ok) {
		printf("product:  %s\nversion:  %s\nsecurity_version: %llu\nhardware:", m->product,
		       m->version, (unsigned long long)m->security_version);
		for (size_t i = 0; i < m->n_hardware; i++)
			printf(" %s", m->hardware[i]);
		printf("\ncreated:  %s\n", fws_time_format(m->created, t) == 0 ? t : "?");
		if (m->expires && fws_time_format(m->expires, t) == 0)
			printf("expires:  %s\n", t);
		if (m->min_version[0])
			printf("min_version: %s\n", m->min_version);
		if (m->release_notes[0])
			printf("notes:    %s\n", cli_esc(m->release_notes));
		for (size_t i = 0; i < m->n_payloads; i++) {
			const struct fws_payload *p = &m->payloads[i];
			fws_hex_encode(hex, p->chunks_sha256, 32);
			printf("payload:  %s -> %s, %llu bytes, chunk %u, sha256-chunks %s\n",
			       p->name, p->target, (unsigned long long)p->size, p->chunk_size, hex);
			if (p->encrypted && p->has_plain_blocks) {
				fws_hex_encode(hex, p->plain_blocks_sha256, 32);
				printf("          encrypted: %llu plaintext bytes, keyed block index "
				       "%s\n",
				       (unsigned long long)p->plain_size, hex);
			} else if (p->encrypted) {
				printf("          encrypted: %llu plaintext bytes, no block index (a "
				       "delta fetches it whole)\n",
				       (unsigned long long)p->plain_size);
			}
		}
		/* Encryption facts, never a secret (docs/encryption.md). */
		if (m->encryption.enabled) {
			fws_hex_encode(hex, m->encryption.key_commitment, 32);
			printf("encryption: %s, key commitment %s\n", FWS_ENC_SCHEME, hex);
			printf("recipients: %llu stanza(s)%s\n",
			       (unsigned long long)in->recipient_stanzas,
			       in->recipients_ok ? "" : " (the entry is malformed)");
		}
	} else {
		printf("manifest: does not decode (fwseal verify names the problem)\n");
	}
	for (size_t i = 0; i < in->envelope.n_sigs; i++) {
		fws_hex_encode(hex, in->envelope.sigs[i].keyid, 32);
		printf("signature: key %s\n", hex);
	}
	for (size_t i = 0; i < in->n_entries; i++)
		printf("entry:    %-40s %12llu\n", in->entries[i].name,
		       (unsigned long long)in->entries[i].size);
}

/* inspect --sbom: the SBOM leaves only from a bundle that verified whole;
 * an unverified SBOM would be evidence of nothing. */
static int run_inspect_sbom(struct cli *c)
{
	const char *bundle = c->args[0], *out = cli_get(c, "out");
	const char *root_path = cli_get(c, "root");
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct fws_root *root = NULL;
	struct fws_verify_opts vo = {0};
	struct cli_bundle in = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	uint8_t *sbom = NULL;
	size_t sbom_len = 0;
	int64_t now = 0;
	int rc = 0;
	if (root_path == NULL)
		rc = cli_usage_error("--sbom needs --root: the SBOM is given only from a verified "
				     "bundle");
	else if (res == NULL)
		rc = cli_fail(NULL, FWS_ENOMEM);
	else
		rc = cli_at_time(c, &now);
	if (rc == 0)
		rc = load_root(root_path, &root);
	if (rc == 0)
		rc = cli_bundle_open(c, bundle, NULL, &prog, &in);
	if (rc == 0) {
		vo.trusted_root = root;
		vo.now = now;
		cli_progress_start(&prog, c, "verifying", in.size);
		fws_diag_clear();
		rc = fws_bundle_verify_sbom(in.read, in.ctx, &vo, res, 1, &sbom, &sbom_len);
		cli_progress_end(&prog);
		if (rc != 0)
			rc = cli_fail(in.name, rc);
	}
	if (rc == 0) {
		const char *inputs[] = {root_path, bundle};
		rc = cli_write_output(c, out, sbom, sbom_len, inputs, 2);
	}
	cli_bundle_close(&in);
	free(sbom);
	free(root);
	free(res);
	return rc;
}

static int run_inspect(struct cli *c)
{
	const char *bundle = c->args[0];
	if (cli_flag(c, "sbom")) {
		if (c->json)
			return cli_usage_error("--sbom writes the SBOM itself; it has no --json");
		return run_inspect_sbom(c);
	}
	if (cli_get(c, "root") || cli_get(c, "out") || cli_get(c, "at") || cli_flag(c, "force"))
		return cli_usage_error("--root, --at, --out and --force go with --sbom");
	struct cli_bundle b = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	struct fws_inspect *in = malloc(sizeof(*in));
	int rc = in == NULL ? cli_fail(NULL, FWS_ENOMEM) : cli_bundle_open(c, bundle, NULL, &prog, &b);
	if (rc == 0) {
		fws_diag_clear();
		rc = fws_bundle_inspect(b.read, b.ctx, in);
		if (rc != 0)
			rc = cli_fail(b.name, rc);
	}
	if (rc == 0 && c->json) {
		json_t *sigs = json_array(), *entries = json_array();
		for (size_t i = 0; i < in->envelope.n_sigs; i++)
			json_array_append_new(sigs, cli_json_hex(in->envelope.sigs[i].keyid, 32));
		for (size_t i = 0; i < in->n_entries; i++) {
			json_t *e = json_object();
			json_object_set_new(e, "name", json_string(in->entries[i].name));
			json_object_set_new(e, "size", json_integer((json_int_t)in->entries[i].size));
			json_array_append_new(entries, e);
		}
		cli_json_set(c, "verified", json_false());
		cli_json_set(c, "compressed", json_boolean(in->compressed));
		cli_json_set(c, "payload_type", json_string(in->envelope.payload_type));
		cli_json_set(c, "signatures", sigs);
		cli_json_set(c, "manifest", in->manifest_ok ? manifest_json(&in->manifest) : NULL);
		cli_json_set(c, "entries", entries);
		cli_json_set(c, "encrypted", json_boolean(in->manifest_ok &&
							  in->manifest.encryption.enabled));
		cli_json_set(c, "recipient_stanzas", json_integer((json_int_t)in->recipient_stanzas));
	} else if (rc == 0) {
		inspect_text(b.name, in);
	}
	cli_bundle_close(&b);
	free(in);
	return rc;
}

/* ---- permit ---- */

static const struct cli_opt permit_opts[] = {
    {"key", CLI_VALUE, "KEY", 1, "a release key of the newest root: NAME.key, or a\npkcs11: URI"},
    {"root", CLI_VALUE, "FILE", 1, "the root of trust the bundle verifies against"},
    {"device-id", CLI_VALUE, "ID", 0, "bind the permit to this one device"},
    {"hardware", CLI_VALUE, "ID", 0, "... or to every device of this hardware id"},
    {"to-version", CLI_VALUE, "V", 1, "the version it allows: must be the bundle's"},
    {"bundle", CLI_VALUE, "FILE", 1, "the (older) bundle to allow, verified first"},
    {"out", CLI_VALUE, "FILE", 1, "the permit to write (must not exist, unless --force)"},
    {"valid-days", CLI_VALUE, "N", 0, "validity (default 30, at most 90)"},
    CLI_FORCE_OPT,
    CLI_PASSPHRASE_OPT,
    CLI_SIGNER_OPTS,
    CLI_JSON_OPT,
    {NULL}};
static const int permit_codes[] = {BUNDLE_CODES, FWS_EHARDWARE, KEY_CODES, FWS_EEXIST,
				   FWS_ESAMEFILE, 0};

static int run_permit(struct cli *c)
{
	const char *key_path = cli_get(c, "key"), *root_path = cli_get(c, "root");
	const char *device_id = cli_get(c, "device-id"), *hardware = cli_get(c, "hardware");
	const char *to_version = cli_get(c, "to-version"), *bundle = cli_get(c, "bundle");
	const char *out_path = cli_get(c, "out"), *days_arg = cli_get(c, "valid-days");
	const char *inputs[] = {key_path, root_path, bundle};
	struct fws_signing_key *key = NULL;
	struct fws_root *root = NULL;
	struct fws_envelope *env = NULL;
	struct fws_permit p;
	unsigned long long days = FWS_PERMIT_DAYS_DEFAULT;
	char *json = NULL, t[21];
	size_t json_len, body_len;
	const uint8_t *body;
	int64_t now;
	int rc;

	_Static_assert(FWS_PERMIT_DAYS_DEFAULT == 30 && FWS_PERMIT_DAYS_MAX == 90,
		       "update the --valid-days help");
	if ((device_id == NULL) == (hardware == NULL))
		return cli_usage_error("give exactly one of --device-id and --hardware");
	if (!fws_name_valid(device_id ? device_id : hardware))
		return cli_usage_error("%s '%s' is not a name (1-64 of A-Z a-z 0-9 . _ + -)",
				       device_id ? "--device-id" : "--hardware",
				       cli_esc(device_id ? device_id : hardware));
	if (!fws_semver_valid(to_version))
		return cli_usage_error("--to-version '%s' is not a semantic version",
				       cli_esc(to_version));
	if (days_arg && (cli_parse_u64(days_arg, FWS_PERMIT_DAYS_MAX, &days) != 0 || days == 0))
		return cli_usage_error("--valid-days must be 1 to %d", FWS_PERMIT_DAYS_MAX);
	rc = cli_now(&now);
	if (rc == 0)
		rc = load_root(root_path, &root);
	if (rc == 0)
		rc = cli_signer_open(c, key_path, &key);
	if (rc != 0)
		goto out;
	fws_diag_clear();
	rc = fws_permit_create(bundle, root, key, device_id, hardware, to_version, now,
			       (uint32_t)days, &json, &json_len);
	if (rc == FWS_EUSAGE) {
		/* Arguments were checked above: the version is what differs. */
		rc = cli_usage_error("--to-version %s is not the version of %s (see fwseal inspect)",
				     cli_esc(to_version), cli_esc(bundle));
		goto out;
	}
	rc = rc == 0 ? cli_write_output(c, out_path, json, json_len, inputs, 3)
		     : cli_fail(bundle, rc);
	if (rc != 0)
		goto out;
	/* Report what was signed, read back from the permit itself. */
	env = malloc(sizeof(*env));
	if (env == NULL || fws_envelope_decode((const uint8_t *)json, json_len, env) != 0 ||
	    (body = fws_envelope_body(env, &body_len)) == NULL ||
	    fws_permit_decode(body, body_len, &p) != 0 || fws_time_format(p.expires, t) != 0) {
		rc = cli_fail(out_path, FWS_EINTERNAL);
		goto out;
	}
	if (c->json) {
		cli_json_set(c, "permit", json_string(out_path));
		cli_json_set(c, "to_version", json_string(p.to_version));
		cli_json_set(c, "device_id", cli_json_str(p.device_id));
		cli_json_set(c, "hardware_id", cli_json_str(p.hardware_id));
		cli_json_set(c, "manifest_sha256", cli_json_hex(p.manifest_sha256, 32));
		cli_json_set(c, "created", cli_json_time(p.created));
		cli_json_set(c, "expires", cli_json_time(p.expires));
	} else {
		char hex[65];
		fws_hex_encode(hex, p.manifest_sha256, 32);
		printf("permit %s: downgrade to %s for %s %s, once, until %s\n  manifest sha256 %s\n",
		       cli_esc(out_path), p.to_version, p.device_id[0] ? "device" : "hardware",
		       p.device_id[0] ? p.device_id : p.hardware_id, t, hex);
	}
out:
	fws_signing_key_close(key);
	free(json);
	free(root);
	free(env);
	return rc;
}

/* ---- attest ---- */

static const struct cli_opt attest_opts[] = {
    {"root", CLI_VALUE, "FILE", 1, "the root of trust the bundle verifies against"},
    {"key", CLI_VALUE, "FILE|URI", 1,
     "a release key of the bundle's newest root: a key file or a\npkcs11: URI (docs/hsm.md)"},
    {"out", CLI_VALUE, "FILE", 1, "the attestation to write (must not exist, unless --force)"},
    CLI_AT_OPT,
    CLI_FORCE_OPT,
    CLI_PASSPHRASE_OPT,
    CLI_JSON_OPT,
    CLI_QUIET_OPT,
    CLI_SIGNER_OPTS,
    CLI_NET_OPTS,
    {NULL}};
static const int attest_codes[] = {BUNDLE_CODES, KEY_CODES,     FWS_ESBOMFORMAT, FWS_EEXIST,
				   FWS_ESAMEFILE, FWS_ENOSPC, CLI_NET_CODES,   0};

static int run_attest(struct cli *c)
{
	const char *bundle = c->args[0], *out = cli_get(c, "out");
	const char *key_path = cli_get(c, "key"), *root_path = cli_get(c, "root");
	const char *inputs[] = {key_path, root_path, bundle};
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct fws_signing_key *key = NULL;
	struct fws_root *root = NULL;
	struct cli_bundle in = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	char *json = NULL, hex[65];
	size_t json_len;
	int64_t now = 0;
	int rc = res == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;
	if (rc == 0)
		rc = cli_at_time(c, &now);
	if (rc == 0)
		rc = load_root(root_path, &root);
	if (rc == 0)
		rc = cli_signer_open(c, key_path, &key);
	if (rc == 0)
		rc = cli_bundle_open(c, bundle, NULL, &prog, &in);
	if (rc == 0) {
		const char *slash = strrchr(in.name, '/');
		cli_progress_start(&prog, c, "attesting", in.size);
		fws_diag_clear();
		rc = fws_attest(in.read, in.ctx, slash != NULL ? slash + 1 : in.name, root, key, now,
				&json, &json_len, res);
		cli_progress_end(&prog);
		if (rc != 0)
			rc = cli_fail(in.name, rc);
	}
	if (rc == 0)
		rc = cli_write_output(c, out, json, json_len, inputs, 3);
	if (rc == 0 && c->json) {
		cli_json_set(c, "attestation", json_string(out));
		cli_json_set(c, "bundle", json_string(in.name));
		cli_json_set(c, "manifest_sha256", cli_json_hex(res->manifest_body_sha256, 32));
		cli_json_set(c, "sbom", sbom_json(&res->manifest.sbom_document));
	} else if (rc == 0) {
		fws_hex_encode(hex, res->manifest.sbom_document.sha256, 32);
		printf("attested %s: %s %s, predicate sbom/%s (%s, sha256 %s)\n", cli_esc(out),
		       res->manifest.product, res->manifest.version,
		       res->manifest.sbom_document.name, res->manifest.sbom_document.format, hex);
	}
	cli_bundle_close(&in);
	fws_signing_key_close(key);
	free(json);
	free(root);
	free(res);
	return rc;
}

/* ---- selftest ---- */

static const struct cli_opt selftest_opts[] = {
    {"json", CLI_FLAG, NULL, 0, "print the cases as JSON"}, {NULL}};
static const int selftest_codes[] = {FWS_EINTERNAL, FWS_ENOMEM, 0};

/* The signing machine has no trusted time of its own: the record says
 * "unknown" and gives the clock beside it (docs/qualification.md). */
static int run_selftest(struct cli *c)
{
	/* "libarchive 3.6.2" -> "3.6.2" */
	const char *v = archive_version_string();
	const struct cli_version archive = {"libarchive",
					    strncmp(v, "libarchive ", 11) == 0 ? v + 11 : v};
	return cli_selftest(c, &archive, 1, 0, NULL);
}

/* publish (tools/cmd_fwseal_publish.c) */
extern const struct cli_opt cmd_publish_opts[];
int cmd_publish_run(struct cli *c);
static const int publish_codes[] = {BUNDLE_CODES, CLI_NET_CODES, FWS_EUNSAFE, FWS_ECONFIG,
				    FWS_ESBOMFORMAT, 0};

static const struct cli_cmd commands[] = {
    {"pack", "pack firmware into a signed bundle",
     "--manifest FILE --key FILE --root FILE... --out FILE [--gzip] [--force] [OPTIONS]",
     "Hashes every payload in chunks (1 MiB unless the release description says\n"
     "otherwise), signs the manifest with the release key and writes manifest, root\n"
     "chain, chunk lists, block indexes and payloads as one tar. SOURCE_DATE_EPOCH fixes the time:\n"
     "same inputs, same bytes. The output must not exist (--force replaces it) and is\n"
     "never one of the inputs. Under a root whose release threshold is above 1 the\n"
     "bundle needs more signatures (fwseal sign) before devices accept it.",
     pack_opts, 0, 0, pack_codes,
     "fwseal pack --manifest manifests/example.json --key release.key \\\n"
     "    --root root.json --out pump-1.2.0.fwb\n"
     "SOURCE_DATE_EPOCH=1700000000 fwseal pack ... --gzip --out pump.fwb.gz",
     run_pack,
     "bundle           the file written\n"
     "record           the release record written (--record), or null\n"
     "manifest: {product, version, security_version, hardware [], created, expires,\n"
     "  min_version, release_notes, sbom, sbom_document {name, sbom_format, size,\n"
     "  sha256} (null when none), payloads [{name, target, size, chunk_size,\n"
     "  sha256_chunks, sha256_blocks, plain_size, plain_blocks}], encryption {scheme,\n"
     "  key_commitment} (when encrypted)}\n"
     "manifest_sha256  SHA-256 of the signed manifest body (what permits name)\n"
     "root_version     the newest root carried\n"
     "signatures       release signatures in the bundle\n"
     "release_threshold  signatures a device requires\n"
     "complete         signatures >= release_threshold\n"
     "bundle_bytes     size of the bundle\n"
     "encrypted        the payloads are encrypted (--encrypt)\n"
     "recipients       recipients they are encrypted for (0: none)"},
    {"encrypt", "re-target an encrypted bundle to other recipients, without re-signing",
     "--identity KEY --root FILE --to RECIPIENT... [OPTIONS] IN.fwb OUT.fwb",
     "Verifies IN.fwb against --root (every signature and ciphertext chunk; the\n"
     "release threshold may still be unmet), opens its recipients entry with\n"
     "--identity (a key that is a recipient, e.g. your archive key) and checks the\n"
     "content key against the signed key commitment, then writes OUT.fwb: IN.fwb\n"
     "byte for byte with only the unsigned recipients entry replaced by one for\n"
     "--to and --recipients-file. OUT.fwb is verified before it is committed;\n"
     "IN.fwb is never changed (docs/encryption.md).",
     enc_encrypt_opts, 2, 2, enc_encrypt_codes,
     "fwseal encrypt --identity archive.key --root root.json \\\n"
     "  --recipients-file fleet-2027.txt pump-1.2.0.fwb pump-1.2.0-fleet.fwb",
     enc_run_encrypt,
     "bundle           the file written\n"
     "from             the input bundle\n"
     "recipients       the number of recipients"},
    {"sign", "add your release signature to a bundle (M-of-N approval)",
     "--key FILE --root FILE [OPTIONS] BUNDLE",
     "Verifies the bundle against your trusted root (everything but the release\n"
     "threshold: nobody signs what they have not checked), adds your signature and\n"
     "rewrites the bundle in place, keeping its mode; a read-only bundle is refused.",
     sign_opts, 1, 1, sign_codes, "fwseal sign --key alice.key --root root.json pump-1.2.0.fwb",
     run_sign,
     "bundle           the file rewritten\n"
     "signatures       release signatures now in the bundle\n"
     "release_threshold  signatures a device requires\n"
     "complete         signatures >= release_threshold\n"
     "signed_by        key ids (hex) of the valid signatures"},
    {"verify", "check a bundle: signatures, root chain, every chunk",
     "--root FILE [--hardware ID] [--at TIME] [OPTIONS] BUNDLE|-",
     "Checks signatures, the carried root chain, the manifest, every chunk of every\n"
     "payload and the archive structure in one streaming pass (\"-\" reads standard\n"
     "input). Exit 0 only if all of it is valid. Root and manifest expiry are judged\n"
     "at --at. With --installed-version the device's rules apply too (anti-rollback,\n"
     "min_version, no downgrade).",
     verify_opts, 1, 1, verify_codes,
     "fwseal verify --root root.json --hardware pump-rev-c pump-1.2.0.fwb\n"
     "fwseal verify --root root.json --installed-version 1.1.0 --security-version 3 b.fwb\n"
     "fwseal verify --root root.json oci://registry.example/acme/pump@sha256:<digest>\n"
     "curl -s https://updates.example/pump.fwb | fwseal verify --root root.json -",
     run_verify,
     "bundle           the file (or \"-\")\n"
     "manifest: {product, version, security_version, hardware [], created, expires,\n"
     "  min_version, release_notes, sbom, sbom_document {name, sbom_format, size,\n"
     "  sha256} (null when none), payloads [{name, target, size, chunk_size,\n"
     "  sha256_chunks, sha256_blocks, plain_size, plain_blocks}], encryption {scheme,\n"
     "  key_commitment} (when encrypted)}\n"
     "manifest_sha256  SHA-256 of the signed manifest body\n"
     "root_version     the newest root after the carried chain\n"
     "compressed       the bundle was gzip\n"
     "bundle_bytes     bytes read\n"
     "signed_by        key ids (hex) of the valid release signatures\n"
     "device_rules_checked  --installed-version was given\n"
     "recipient_stanzas  stanzas of an encrypted bundle's recipients entry (0: plain)\n"
     "record_matched   true with --record (a mismatch is exit 62), else null\n"
     "downloaded_bytes bytes that crossed the network (0 for a file)"},
    {"record", "write the release record of a verified bundle (for a quality system)",
     "--root FILE [--out FILE] [--at TIME] [OPTIONS] BUNDLE|-",
     "Verifies the bundle, runs the built-in selftest, and writes the release record\n"
     "(JSON, docs/evidence.md §2) to standard output or --out: bundle, manifest and\n"
     "SBOM digests, product, version, security_version, hardware, payloads (sha256\n"
     "and sha256_chunks), signer key ids, root version, SOURCE_DATE_EPOCH, the tool's\n"
     "version and commit, the root file's digest, the selftest result.\n"
     "fwseal pack --record writes the same with every input of the pack; fwseal\n"
     "verify --record checks a bundle against it (exit 62 names the field).",
     record_opts, 1, 1, record_codes,
     "fwseal record --root root.json --out pump-1.2.0.record.json pump-1.2.0.fwb\n"
     "fwseal verify --root root.json --record pump-1.2.0.record.json pump-1.2.0.fwb",
     run_record, "out              the record written"},
    {"inspect", "show what a bundle says, WITHOUT verifying it; or its verified SBOM",
     "[--json] BUNDLE|-  |  --sbom --root FILE [--out FILE] BUNDLE|-",
     "Lists the manifest, the signatures' key ids and the entries of a bundle.\n"
     "Nothing shown is verified: use fwseal verify for that.\n"
     "With --sbom it verifies the whole bundle against --root (as fwseal verify,\n"
     "and the SBOM's format against the signed sbom_format), then writes the\n"
     "SBOM's bytes exactly as signed; a bundle without an SBOM exits 33.",
     inspect_opts, 1, 1, inspect_codes,
     "fwseal inspect --json pump-1.2.0.fwb\n"
     "fwseal inspect --sbom --root root.json --out pump.cdx.json pump-1.2.0.fwb",
     run_inspect,
     "verified         always false: nothing here is checked\n"
     "compressed       the bundle is gzip\n"
     "payload_type     the envelope's payloadType\n"
     "signatures       key ids (hex) the envelope names\n"
     "manifest (null when it does not decode): {product, version, security_version, hardware [], created, expires,\n"
     "  min_version, release_notes, sbom, sbom_document {name, sbom_format, size,\n"
     "  sha256} (null when none), payloads [{name, target, size, chunk_size,\n"
     "  sha256_chunks, sha256_blocks, plain_size, plain_blocks}], encryption {scheme,\n"
     "  key_commitment} (when encrypted)}\n"
     "entries          [{name, size}] in archive order\n"
     "encrypted        the manifest says the payloads are encrypted\n"
     "recipient_stanzas  stanzas in the recipients entry (0: none)"},
    {"permit", "sign a one-time downgrade permit (field recall)",
     "--key FILE --root FILE (--device-id ID | --hardware ID) --to-version V --bundle FILE\n"
     "    --out FILE [--valid-days N] [OPTIONS]",
     "Verifies the bundle, then signs a permit that lets one device (or every device\n"
     "of one hardware id) install exactly that bundle once, despite anti-rollback,\n"
     "within --valid-days. Use it with fwseal-verify install --permit (docs/permits.md).",
     permit_opts, 0, 0, permit_codes,
     "fwseal permit --key release.key --root root.json --device-id pump-0042 \\\n"
     "    --to-version 1.1.0 --bundle pump-1.1.0.fwb --out pump-0042.permit",
     run_permit,
     "permit           the file written\n"
     "to_version       the version it allows\n"
     "device_id, hardware_id  the binding (one of them null)\n"
     "manifest_sha256  SHA-256 of the manifest body it allows\n"
     "created, expires validity"},
    {"attest", "sign an in-toto attestation: this bundle has this SBOM",
     "--root FILE --key FILE --out FILE [--at TIME] [OPTIONS] BUNDLE|-",
     "Verifies the bundle (as fwseal verify, and the SBOM's declared format), then\n"
     "writes a DSSE envelope (payloadType application/vnd.in-toto+json) holding an\n"
     "in-toto Statement v1: subjects are the bundle file (sha256 of its bytes) and\n"
     "each payload (payloads/NAME: sha256 and fwsealSha256Chunks, the manifest's\n"
     "sha256-chunks); predicateType https://cyclonedx.org/bom or\n"
     "https://spdx.dev/Document; the predicate is the bundle's SBOM byte for byte.\n"
     "Signed by --key, which must be a release key of the bundle's newest root.\n"
     "Any DSSE verifier checks it with that key (docs/evidence.md).",
     attest_opts, 1, 1, attest_codes,
     "fwseal attest --root root.json --key release.key --out pump.att.json pump.fwb",
     run_attest,
     "attestation      the file written\n"
     "bundle           the bundle attested\n"
     "manifest_sha256  SHA-256 of the signed manifest body\n"
     "sbom             {name, sbom_format, size, sha256}: the predicate"},
    CHANNEL_SIGN_CMD,
    REPORT_VERIFY_CMD,
    {"publish", "verify a bundle, then push it to an OCI registry",
     "--root FILE [--registry-auth FILE] [--sbom] [--attest FILE] [OPTIONS] BUNDLE "
     "oci://HOST[:PORT]/REPO:TAG",
     "Verifies the bundle against --root (as fwseal verify; a bundle that fails is\n"
     "never pushed), then pushes it unchanged as one blob, the empty config and an OCI\n"
     "image manifest with artifactType application/vnd.fwseal.bundle.v1 and the\n"
     "layer type application/vnd.fwseal.bundle.v1.tar (or .tar+gzip), annotated with\n"
     "the version, the file name and the signed manifest's sha256, and tags it.\n"
     "--sbom attaches the bundle's SBOM and --attest an attestation by tag\n"
     "sha256-<manifest digest>.sbom / .att (as cosign does). Credentials come from\n"
     "--registry-auth FILE or FWSEAL_REGISTRY_AUTH (docs/fleet.md), never the command\n"
     "line. Devices install it with fwseal-verify install oci://HOST/REPO:TAG.",
     cmd_publish_opts, 2, 2, publish_codes,
     "fwseal publish --root root.json pump-1.2.0.fwb oci://registry.example/fw/pump:1.2.0\n"
     "FWSEAL_REGISTRY_AUTH=$RUNNER_TEMP/auth.json fwseal publish --root root.json \\\n"
     "    --sbom --attest pump.att.json pump.fwb oci://ghcr.io/acme/pump:1.2.0",
     cmd_publish_run,
     "reference        the oci:// reference pushed\n"
     "manifest_digest  sha256:... of the OCI manifest: pin devices to REPO@DIGEST\n"
     "blob_digest      sha256:... of the bundle's bytes\n"
     "blob_existed     the registry had the blob already (not uploaded again)\n"
     "version          the bundle's version\n"
     "manifest_sha256  SHA-256 of the signed manifest body (the annotation)\n"
     "sbom_attached, attestation_attached  what was attached"},
    {"selftest", "run the built-in known answers and attack suite", "[--json]",
     "Runs known-answer tests and a suite of attacks against this very build of the\n"
     "library: evidence for installation and operational qualification. With --json\n"
     "it prints the qualification record (docs/qualification.md). The date is\n"
     "\"unknown\": the signing machine's clock is recorded, not trusted.",
     selftest_opts, 0, 0, selftest_codes, "fwseal selftest --json > selftest.json",
     run_selftest,
     CLI_SELFTEST_JSON},
    {NULL}};

static const struct cli_tool tool = {
    "fwseal", "pack firmware into signed, versioned bundles and check them",
    "fwseal makes and checks update bundles: a tar holding a signed manifest, the\n"
    "root-of-trust chain, and every payload with its chunk digests. Passphrases come\n"
    "from --passphrase-file, else FWSEAL_PASSPHRASE, else the terminal.",
    commands};

int main(int argc, char **argv)
{
	return cli_main(&tool, argc, argv);
}
