/* fwseal: the release engineer's tool. pack, sign, verify, inspect,
 * permit, selftest. Parsing and output only; libfwseal decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fwseal/bundle_write.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

#define BUNDLE_CODES                                                                          \
	FWS_ENOENT, FWS_EIO, FWS_ENOMEM, FWS_ELIMIT, FWS_EJSON, FWS_ESCHEMA, FWS_EENVELOPE,   \
	    FWS_EPAYLOADTYPE, FWS_EUNTRUSTED, FWS_EBADSIG, FWS_ETHRESHOLD, FWS_EKEYID,        \
	    FWS_EROOTVERSION, FWS_EEXPIRED, FWS_EFORMAT, FWS_EENTRY, FWS_ETRUNCATED,          \
	    FWS_ETRAILING, FWS_ESIZE, FWS_EDIGEST, FWS_EDECOMPRESS, FWS_ETHRESHOLDDEF,        \
	    FWS_EROOTMISMATCH, FWS_ECLOCK
#define ROOT_CODES                                                                            \
	FWS_ENOENT, FWS_EIO, FWS_ENOMEM, FWS_ELIMIT, FWS_EJSON, FWS_ESCHEMA, FWS_EENVELOPE,   \
	    FWS_EPAYLOADTYPE, FWS_EUNTRUSTED, FWS_EBADSIG, FWS_ETHRESHOLD, FWS_EKEYID,        \
	    FWS_EROOTVERSION, FWS_EEXPIRED, FWS_ETHRESHOLDDEF, FWS_ECLOCK
#define KEY_CODES FWS_EKEYFILE, FWS_EPASSPHRASE, FWS_EKEYPERM, FWS_ENOTAUTHORISED

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

static int load_key(const char *path, const char *pass_file, struct fws_secret_key **key)
{
	char *pass = NULL;
	size_t pass_len;
	int rc = cli_passphrase_get(pass_file, "passphrase for the release key: ", 0, &pass,
				    &pass_len);
	if (rc != 0)
		return cli_status(rc);
	rc = fws_secret_key_load(path, pass, pass_len, key);
	cli_passphrase_free(pass);
	return rc == 0 ? 0 : cli_fail(path, rc);
}

static void print_keyids(const char *label, const struct fws_signers *s)
{
	char hex[65];
	for (size_t i = 0; i < s->n; i++) {
		fws_hex_encode(hex, s->keyids[i], 32);
		printf("  %s %s\n", label, hex);
	}
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
		json_array_append_new(pl, e);
	}
	json_object_set_new(o, "payloads", pl);
	return o;
}

/* ---- pack ---- */

static const struct cli_opt pack_opts[] = {
    {"manifest", CLI_VALUE, "FILE", 1, "the release description (docs/format.md §9)"},
    {"key", CLI_VALUE, "FILE", 1, "the release key (NAME.key) that signs the manifest"},
    {"root", CLI_LIST, "FILE", 1,
     "a root of trust to carry, oldest first (repeat for a chain);\nthe newest one decides "
     "who may sign"},
    {"out", CLI_VALUE, "FILE", 1, "the bundle to write (must not exist, unless --force)"},
    {"gzip", CLI_FLAG, NULL, 0, "compress the whole bundle with gzip"},
    {"no-block-index", CLI_FLAG, NULL, 0,
     "leave out the 4 KiB block index (a delta then reuses\nonly whole chunks; docs/delta.md)"},
    {"force", CLI_FLAG, NULL, 0, "replace an existing --out (never one of the inputs)"},
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the key's passphrase from FILE's first line"},
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {"quiet", CLI_FLAG, NULL, 0, "no progress on the terminal"},
    {NULL}};
static const int pack_codes[] = {ROOT_CODES, FWS_ESIZE, FWS_EDIGEST, KEY_CODES, FWS_EEXIST,
				 FWS_ESAMEFILE, FWS_ENOSPC, 0};

static int run_pack(struct cli *c)
{
	struct fws_pack_opts po = {0};
	struct fws_pack_result *res = malloc(sizeof(*res));
	struct fws_secret_key *key = NULL;
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
	if (res == NULL)
		return cli_fail(NULL, FWS_ENOMEM);
	if (po.n_roots > FWS_MAX_ROOT_CHAIN) {
		free(res);
		return cli_usage_error("at most %d --root", FWS_MAX_ROOT_CHAIN);
	}
	int rc = cli_now(&now);
	if (rc == 0)
		rc = load_key(po.key_path, cli_get(c, "passphrase-file"), &key);
	if (rc != 0) {
		free(res);
		return rc;
	}
	po.now = now;
	po.key = key;
	cli_progress_start(&prog, c, "packing", 0);
	po.progress = cli_progress_cb;
	po.progress_ctx = &prog;
	fws_diag_clear();
	rc = fws_pack(&po, res, failed, sizeof(failed));
	cli_progress_end(&prog);
	fws_secret_key_free(key);
	if (rc != 0) {
		free(res);
		return cli_fail(failed[0] ? failed : po.out_path, rc);
	}
	const struct fws_manifest *m = &res->manifest;
	int complete = res->signatures >= res->release_threshold;
	if (c->json) {
		cli_json_set(c, "bundle", json_string(po.out_path));
		cli_json_set(c, "manifest", manifest_json(m));
		cli_json_set(c, "manifest_sha256", cli_json_hex(res->manifest_body_sha256, 32));
		cli_json_set(c, "root_version", json_integer((json_int_t)res->root_version));
		cli_json_set(c, "signatures", json_integer(res->signatures));
		cli_json_set(c, "release_threshold", json_integer(res->release_threshold));
		cli_json_set(c, "complete", json_boolean(complete));
		cli_json_set(c, "bundle_bytes", json_integer((json_int_t)res->bundle_bytes));
	} else {
		printf("packed %s: %s %s (security_version %llu), %zu payload(s)\n",
		       cli_esc(po.out_path), m->product, m->version,
		       (unsigned long long)m->security_version, m->n_payloads);
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
    {"key", CLI_VALUE, "FILE", 1, "your release key (NAME.key)"},
    {"root", CLI_VALUE, "FILE", 1, "the root of trust you trust (checks come first)"},
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the key's passphrase from FILE's first line"},
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {"quiet", CLI_FLAG, NULL, 0, "no progress on the terminal"},
    {NULL}};
static const int sign_codes[] = {BUNDLE_CODES,	FWS_EHARDWARE,	   KEY_CODES,
				 FWS_EALREADYSIGNED, FWS_ESAMEFILE, FWS_ENOSPC, 0};

static int run_sign(struct cli *c)
{
	const char *key_path = cli_get(c, "key"), *root_path = cli_get(c, "root");
	const char *bundle = c->args[0];
	const char *inputs[] = {key_path, root_path};
	struct fws_secret_key *key = NULL;
	struct fws_root *root = NULL;
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct cli_progress prog;
	int64_t now;
	int rc = res == NULL ? cli_fail(NULL, FWS_ENOMEM) : cli_now(&now);
	if (rc == 0)
		rc = load_root(root_path, &root);
	if (rc == 0)
		rc = load_key(key_path, cli_get(c, "passphrase-file"), &key);
	if (rc == 0) {
		cli_progress_start(&prog, c, "signing", 0);
		fws_diag_clear();
		rc = fws_bundle_add_signature(bundle, root, key, now, inputs, 2, cli_progress_cb,
					      &prog, res);
		cli_progress_end(&prog);
		if (rc != 0)
			rc = cli_fail(rc == FWS_ENOTAUTHORISED ? key_path : bundle, rc);
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
	fws_secret_key_free(key);
	free(root);
	free(res);
	return rc;
}

/* ---- verify ---- */

static const struct cli_opt verify_opts[] = {
    {"root", CLI_VALUE, "FILE", 1, "the root of trust to verify against"},
    {"hardware", CLI_VALUE, "ID", 0, "refuse unless the bundle lists this hardware id"},
    {"at", CLI_VALUE, "TIME", 0,
     "judge expiry at TIME (YYYY-MM-DDTHH:MM:SSZ; default:\nSOURCE_DATE_EPOCH, else now)"},
    {"installed-version", CLI_VALUE, "V", 0,
     "apply a device's rules as if V were installed: min_version,\nno downgrade within the "
     "security_version"},
    {"security-version", CLI_VALUE, "N", 0,
     "apply the device's anti-rollback counter N (default 0\nwith --installed-version)"},
    {"allow-downgrade", CLI_FLAG, NULL, 0, "with --installed-version: allow a lower version"},
    {"stall-timeout", CLI_VALUE, "SECONDS", 0,
     "give up when the input sends nothing this long (default 60;\n0 = wait forever)"},
    CLI_NET_OPTS,
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {"quiet", CLI_FLAG, NULL, 0, "no progress on the terminal"},
    {NULL}};
static const int verify_codes[] = {BUNDLE_CODES,    FWS_EHARDWARE, FWS_EROLLBACK, FWS_EDOWNGRADE,
				   FWS_EMINVERSION, CLI_NET_CODES, 0};

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
	const char *bundle = c->args[0], *at = cli_get(c, "at");
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct fws_root *root = NULL;
	struct fws_verify_opts vo = {0};
	struct cli_bundle in = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	int64_t now = 0;
	int rc = res == NULL ? cli_fail(NULL, FWS_ENOMEM) : verify_policy(c, &vo.policy);
	if (rc == 0 && at != NULL && fws_time_parse(at, &now) != 0)
		rc = cli_usage_error("--at must be YYYY-MM-DDTHH:MM:SSZ, not '%s'", cli_esc(at));
	else if (rc == 0 && at == NULL)
		rc = cli_now(&now);
	if (rc == 0)
		rc = load_root(cli_get(c, "root"), &root);
	if (rc == 0)
		rc = cli_bundle_open(c, bundle, NULL, &prog, &in);
	if (rc == 0) {
		vo.trusted_root = root;
		vo.now = now;
		cli_progress_start(&prog, c, "verifying", in.size);
		fws_diag_clear();
		rc = fws_bundle_verify(in.read, in.ctx, &vo, NULL, res);
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
	} else if (rc == 0) {
		const struct fws_manifest *m = &res->manifest;
		printf("%s: OK %s %s (security_version %llu), root v%llu, %zu payload(s)\n",
		       cli_esc(in.name), m->product, m->version,
		       (unsigned long long)m->security_version,
		       (unsigned long long)res->root.version, m->n_payloads);
		print_keyids("signed by", &res->signers);
		if (m->min_version[0] != '\0' && !vo.policy.check_rollback)
			printf("  min_version %s not checked (give --installed-version)\n",
			       m->min_version);
	}
	cli_bundle_close(&in);
	free(root);
	free(res);
	return rc;
}

/* ---- inspect ---- */

static const struct cli_opt inspect_opts[] = {
    {"json", CLI_FLAG, NULL, 0, "print it as JSON"}, CLI_NET_OPTS,
    {"stall-timeout", CLI_VALUE, "SECONDS", 0,
     "give up when the input sends nothing this long (default 60;\n0 = wait forever)"},
    {NULL}};
static const int inspect_codes[] = {FWS_ENOENT, FWS_EIO,	FWS_ENOMEM,	 FWS_ELIMIT,
				    FWS_EENVELOPE, FWS_EFORMAT, FWS_EENTRY,	 FWS_ETRUNCATED,
				    FWS_ETRAILING, FWS_EDECOMPRESS, CLI_NET_CODES, 0};

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

static int run_inspect(struct cli *c)
{
	const char *bundle = c->args[0];
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
	} else if (rc == 0) {
		inspect_text(b.name, in);
	}
	cli_bundle_close(&b);
	free(in);
	return rc;
}

/* ---- permit ---- */

static const struct cli_opt permit_opts[] = {
    {"key", CLI_VALUE, "FILE", 1, "a release key of the newest root"},
    {"root", CLI_VALUE, "FILE", 1, "the root of trust the bundle verifies against"},
    {"device-id", CLI_VALUE, "ID", 0, "bind the permit to this one device"},
    {"hardware", CLI_VALUE, "ID", 0, "... or to every device of this hardware id"},
    {"to-version", CLI_VALUE, "V", 1, "the version it allows: must be the bundle's"},
    {"bundle", CLI_VALUE, "FILE", 1, "the (older) bundle to allow, verified first"},
    {"out", CLI_VALUE, "FILE", 1, "the permit to write (must not exist, unless --force)"},
    {"valid-days", CLI_VALUE, "N", 0, "validity (default 30, at most 90)"},
    {"force", CLI_FLAG, NULL, 0, "replace an existing --out (never one of the inputs)"},
    {"passphrase-file", CLI_VALUE, "FILE", 0, "read the key's passphrase from FILE's first line"},
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
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
	struct fws_secret_key *key = NULL;
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
		rc = load_key(key_path, cli_get(c, "passphrase-file"), &key);
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
	if (rc == 0)
		rc = fws_file_write_atomic(out_path, json, json_len, 0644,
					   cli_flag(c, "force") ? FWS_OUT_REPLACE : FWS_OUT_NEW,
					   inputs, 3);
	else
		rc = cli_fail(rc == FWS_ENOTAUTHORISED ? key_path : bundle, rc);
	if (rc < 0)
		rc = cli_fail(out_path, rc);
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
	fws_secret_key_free(key);
	free(json);
	free(root);
	free(env);
	return rc;
}

/* ---- selftest ---- */

static const struct cli_opt selftest_opts[] = {
    {"json", CLI_FLAG, NULL, 0, "print the cases as JSON"}, {NULL}};
static const int selftest_codes[] = {FWS_EINTERNAL, FWS_ENOMEM, 0};

static void selftest_row(void *ctx, const struct fws_selftest_case *k)
{
	struct cli *c = ctx;
	if (c->json) {
		json_t *e = json_object();
		json_object_set_new(e, "group", json_string(k->group));
		json_object_set_new(e, "name", json_string(k->name));
		json_object_set_new(e, "what", json_string(k->what));
		json_object_set_new(e, "expected", json_string(fws_errname(k->expected)));
		json_object_set_new(e, "got", json_string(fws_errname(k->got)));
		json_object_set_new(e, "pass", json_boolean(k->pass));
		json_array_append_new(json_object_get(c->out, "cases"), e);
	} else {
		printf("%-6s %-30s %-18s %-18s %s\n", k->group, k->name, fws_errname(k->expected),
		       fws_errname(k->got), k->pass ? "pass" : "FAIL");
	}
}

static int run_selftest(struct cli *c)
{
	struct fws_selftest_summary sum;
	if (c->json) {
		cli_json_set(c, "library", json_string(fws_version()));
		cli_json_set(c, "sha256", json_string(fws_sha256_backend()));
		cli_json_set(c, "cases", json_array());
	} else {
		printf("fwseal selftest: libfwseal %s, sha256 backend %s\n%-6s %-30s %-18s %-18s "
		       "%s\n",
		       fws_version(), fws_sha256_backend(), "GROUP", "CASE", "EXPECTED", "GOT",
		       "RESULT");
	}
	int rc = fws_selftest_run(selftest_row, c, &sum);
	if (c->json) {
		cli_json_set(c, "total", json_integer((json_int_t)sum.total));
		cli_json_set(c, "passed", json_integer((json_int_t)sum.passed));
		cli_json_set(c, "failed", json_integer((json_int_t)sum.failed));
	} else {
		printf("%zu cases: %zu passed, %zu failed: %s\n", sum.total, sum.passed, sum.failed,
		       rc == 0 ? "PASS" : "FAIL");
	}
	if (rc == 0)
		return 0;
	fflush(stdout);
	fprintf(stderr, "%s: selftest: %zu of %zu cases failed\n", cli_prog, sum.failed, sum.total);
	return cli_status(FWS_EINTERNAL);
}

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
     "manifest: {product, version, security_version, hardware [], created, expires,\n"
     "  min_version, release_notes, sbom, payloads [{name, target, size, chunk_size,\n"
     "  sha256_chunks, sha256_blocks}]}\n"
     "manifest_sha256  SHA-256 of the signed manifest body (what permits name)\n"
     "root_version     the newest root carried\n"
     "signatures       release signatures in the bundle\n"
     "release_threshold  signatures a device requires\n"
     "complete         signatures >= release_threshold\n"
     "bundle_bytes     size of the bundle"},
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
     "curl -s https://updates.example/pump.fwb | fwseal verify --root root.json -",
     run_verify,
     "bundle           the file (or \"-\")\n"
     "manifest: {product, version, security_version, hardware [], created, expires,\n"
     "  min_version, release_notes, sbom, payloads [{name, target, size, chunk_size,\n"
     "  sha256_chunks, sha256_blocks}]}\n"
     "manifest_sha256  SHA-256 of the signed manifest body\n"
     "root_version     the newest root after the carried chain\n"
     "compressed       the bundle was gzip\n"
     "bundle_bytes     bytes read\n"
     "signed_by        key ids (hex) of the valid release signatures\n"
     "device_rules_checked  --installed-version was given"},
    {"inspect", "show what a bundle says, WITHOUT verifying it", "[--json] BUNDLE|-",
     "Lists the manifest, the signatures' key ids and the entries of a bundle.\n"
     "Nothing shown is verified: use fwseal verify for that.",
     inspect_opts, 1, 1, inspect_codes, "fwseal inspect --json pump-1.2.0.fwb", run_inspect,
     "verified         always false: nothing here is checked\n"
     "compressed       the bundle is gzip\n"
     "payload_type     the envelope's payloadType\n"
     "signatures       key ids (hex) the envelope names\n"
     "manifest (null when it does not decode): {product, version, security_version, hardware [], created, expires,\n"
     "  min_version, release_notes, sbom, payloads [{name, target, size, chunk_size,\n"
     "  sha256_chunks, sha256_blocks}]}\n"
     "entries          [{name, size}] in archive order"},
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
    {"selftest", "run the built-in known answers and attack suite", "[--json]",
     "Runs known-answer tests and a suite of attacks against this very build of the\n"
     "library: evidence for installation and operational qualification.",
     selftest_opts, 0, 0, selftest_codes, "fwseal selftest --json > selftest.json",
     run_selftest,
     "library, sha256  version and SHA-256 backend of this build\n"
     "cases            [{group, name, what, expected, got, pass}]\n"
     "total, passed, failed  counts"},
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
