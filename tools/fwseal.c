/* fwseal: the release engineer's tool. pack, verify, inspect. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/fwseal.h"
#include "fwseal/keys.h"
#include "cli.h"

const char *cli_prog = "fwseal";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fwseal COMMAND [OPTIONS]\n"
		"\n"
		"Pack firmware into signed, versioned bundles and check them.\n"
		"\n"
		"Commands:\n"
		"  pack     --manifest M.json --key K.key --root ROOT.json [--root ROOT-v2.json ...]\n"
		"           --out B.fwb [--gzip] [--passphrase-file F]\n"
		"           Hash every payload in 1 MiB chunks, sign the manifest with the release\n"
		"           key, write manifest, root chain, chunk lists and payloads as one tar.\n"
		"           SOURCE_DATE_EPOCH fixes the time: same inputs, same bytes.\n"
		"  sign     --key K.key --root ROOT.json [--passphrase-file F] B.fwb\n"
		"           Co-sign: verify the bundle against your trusted root (all checks but\n"
		"           the release threshold), add your release signature, rewrite it.\n"
		"           M-of-N approval: one engineer packs, the others sign in turn.\n"
		"  verify   --root ROOT.json [--hardware ID] [--at TIME] B.fwb|-\n"
		"           Check signatures, root chain, manifest, every chunk and the archive\n"
		"           structure in one streaming pass. Exit 0 only if all of it is valid.\n"
		"           Root and manifest expiry are checked at TIME (YYYY-MM-DDTHH:MM:SSZ;\n"
		"           default: SOURCE_DATE_EPOCH if set, else now).\n"
		"  inspect  [--json] B.fwb|-\n"
		"           Show manifest, signatures and entries WITHOUT verifying them.\n"
		"  selftest [--json]  Run the built-in known-answer tests and attack suite.\n"
		"  permit   --key K.key --root ROOT.json (--device-id ID | --hardware ID)\n"
		"           --to-version V --bundle B.fwb --out P.permit [--valid-days N]\n"
		"           [--passphrase-file F]\n"
		"           Downgrade permit (field recall): verify B.fwb, then sign a permit that\n"
		"           lets one device (or every device of one hardware id) install exactly\n"
		"           that bundle once, despite anti-rollback. Valid N days (default 30,\n"
		"           at most 90). Use: fwseal-verify install --permit P.permit.\n"
		"\n"
		"Options:\n"
		"  -h, --help      this help (also: fwseal COMMAND --help)\n"
		"  -V, --version   print the version\n"
		"\n"
		"Passphrases come from --passphrase-file, else FWSEAL_PASSPHRASE, else the terminal.\n"
		"\n"
		"Examples:\n"
		"  fwseal pack --manifest manifests/example.json --key release.key \\\n"
		"              --root root.json --out pump-1.2.0.fwb\n"
		"  fwseal verify --root root.json --hardware pump-rev-c pump-1.2.0.fwb\n"
		"  fwseal inspect --json pump-1.2.0.fwb\n"
		"  fwseal permit --key release.key --root root.json --device-id pump-0042 \\\n"
		"                --to-version 1.1.0 --bundle pump-1.1.0.fwb --out pump-0042.permit\n"
		"\n");
	cli_print_exit_codes(out);
}

/* Opens a bundle for reading ("-" is standard input). */
static int open_input(const char *path, int *fd)
{
	if (strcmp(path, "-") == 0) {
		*fd = STDIN_FILENO;
		return 0;
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	return *fd >= 0 ? 0 : errno == ENOENT ? FWS_ENOENT : FWS_EIO;
}

/* A self-signed trusted root in a new allocation; returns an exit status
 * and prints the one error line itself. */
static int load_trusted_root(const char *path, struct fws_root **out)
{
	struct fws_root *root = malloc(sizeof(*root));
	if (root == NULL)
		return cli_fail(NULL, FWS_ENOMEM);
	int rc = fws_root_load_file(path, root, NULL);
	if (rc != 0) {
		free(root);
		return cli_fail(path, rc);
	}
	*out = root;
	return 0;
}

/* Returns an exit status; prints the one error line itself. */
static int load_key(const char *path, const char *pass_file, struct fws_secret_key **key)
{
	char *pass = NULL;
	size_t pass_len;
	int rc = cli_passphrase_get(pass_file, "passphrase for the release key: ", 0, &pass,
				    &pass_len);
	if (rc != 0)
		return cli_status(rc); /* cli_passphrase_get said why */
	rc = fws_secret_key_load(path, pass, pass_len, key);
	cli_passphrase_free(pass);
	return rc == 0 ? 0 : cli_fail(path, rc);
}

static int cmd_pack(int argc, char **argv)
{
	static const struct option opts[] = {
		{"manifest", required_argument, NULL, 'm'}, {"key", required_argument, NULL, 'k'},
		{"root", required_argument, NULL, 'r'},     {"out", required_argument, NULL, 'o'},
		{"gzip", no_argument, NULL, 'z'},           {"passphrase-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
	const char *roots[FWS_MAX_ROOT_CHAIN];
	struct fws_pack_opts po = {0};
	const char *key_path = NULL, *pass_file = NULL;
	struct fws_secret_key *key = NULL;
	struct fws_manifest *m = NULL;
	long long now;
	int c, rc;

	po.root_paths = roots;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (po.manifest_path)
				return cli_usage_error("--manifest given twice");
			po.manifest_path = optarg;
			break;
		case 'k':
			if (key_path)
				return cli_usage_error("--key given twice");
			key_path = optarg;
			break;
		case 'r':
			if (po.n_roots == FWS_MAX_ROOT_CHAIN)
				return cli_usage_error("too many --root (at most %d)",
						       FWS_MAX_ROOT_CHAIN);
			roots[po.n_roots++] = optarg;
			break;
		case 'o':
			if (po.out_path)
				return cli_usage_error("--out given twice");
			po.out_path = optarg;
			break;
		case 'z':
			if (po.gzip)
				return cli_usage_error("--gzip given twice");
			po.gzip = 1;
			break;
		case 'p':
			if (pass_file)
				return cli_usage_error("--passphrase-file given twice");
			pass_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("pack: bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error("pack: unexpected argument '%s'", argv[optind]);
	if (!po.manifest_path || !key_path || po.n_roots == 0 || !po.out_path)
		return cli_usage_error("pack needs --manifest, --key, --root and --out");
	rc = cli_now(&now);
	if (rc != 0)
		return cli_fail("SOURCE_DATE_EPOCH", rc);
	po.now = now;
	rc = load_key(key_path, pass_file, &key);
	if (rc != 0)
		return rc;
	po.key = key;
	po.key_path = key_path;
	char failed[4096] = "";
	m = malloc(sizeof(*m));
	rc = m == NULL ? FWS_ENOMEM : fws_pack(&po, m, failed, sizeof(failed));
	fws_secret_key_free(key);
	if (rc != 0) {
		free(m);
		return cli_fail(failed[0] ? failed : po.out_path, rc);
	}
	printf("packed %s: %s %s (security_version %llu), %zu payload(s)\n", po.out_path,
	       m->product, m->version, (unsigned long long)m->security_version, m->n_payloads);
	free(m);
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

static int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"root", required_argument, NULL, 'r'},
					     {"passphrase-file", required_argument, NULL, 'p'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *key_path = NULL, *root_path = NULL, *pass_file = NULL, **slot;
	struct fws_secret_key *key = NULL;
	struct fws_root *root = NULL;
	struct fws_verify_result *res = NULL;
	long long now;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		slot = c == 'k' ? &key_path : c == 'r' ? &root_path : c == 'p' ? &pass_file : NULL;
		if (slot == NULL)
			return cli_usage_error("sign: bad option '%s'", argv[optind - 1]);
		if (*slot != NULL)
			return cli_usage_error("sign: %s given twice", argv[optind - 2]);
		*slot = optarg;
	}
	if (!key_path || !root_path || optind + 1 != argc)
		return cli_usage_error("sign needs --key, --root and one bundle");
	const char *bundle = argv[optind];
	rc = cli_now(&now);
	if (rc != 0)
		return cli_fail("SOURCE_DATE_EPOCH", rc);
	res = malloc(sizeof(*res));
	if (res == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	rc = load_trusted_root(root_path, &root);
	if (rc != 0)
		goto out;
	rc = load_key(key_path, pass_file, &key);
	if (rc != 0)
		goto out;
	rc = fws_bundle_add_signature(bundle, root, key, now, res);
	if (rc != 0) {
		rc = cli_fail(rc == FWS_ENOTAUTHORISED ? key_path : bundle, rc);
		goto out;
	}
	const struct fws_role *rel = &res->root.roles[FWS_ROLE_RELEASE];
	printf("signed %s: %s %s, release signatures %zu of threshold %u%s\n", bundle,
	       res->manifest.product, res->manifest.version, res->signers.n, rel->threshold,
	       res->signers.n >= rel->threshold ? " (complete)" : " (more needed)");
	print_keyids("signed by", &res->signers);
out:
	fws_secret_key_free(key);
	free(root);
	free(res);
	return rc;
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"root", required_argument, NULL, 'r'},
					     {"hardware", required_argument, NULL, 'w'},
					     {"at", required_argument, NULL, 'a'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *root_path = NULL, *hardware = NULL, *at = NULL;
	long long now = 0;
	struct fws_root *root = NULL;
	struct fws_verify_result *res = NULL;
	struct fws_verify_opts vo;
	int c, rc, fd = -1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (root_path)
				return cli_usage_error("--root given twice");
			root_path = optarg;
			break;
		case 'w':
			if (hardware)
				return cli_usage_error("--hardware given twice");
			hardware = optarg;
			break;
		case 'a':
			if (at)
				return cli_usage_error("--at given twice");
			at = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("verify: bad option '%s'", argv[optind - 1]);
		}
	}
	if (!root_path || optind + 1 != argc)
		return cli_usage_error("verify needs --root ROOT.json and one bundle");
	if (at != NULL) {
		int64_t t;
		if (fws_time_parse(at, &t) != 0)
			return cli_usage_error("--at must be YYYY-MM-DDTHH:MM:SSZ");
		now = t;
	} else if ((rc = cli_now(&now)) != 0) {
		return cli_fail("SOURCE_DATE_EPOCH", rc);
	}
	const char *bundle = argv[optind];
	res = malloc(sizeof(*res));
	if (res == NULL) {
		rc = cli_fail(NULL, FWS_ENOMEM);
		goto out;
	}
	rc = load_trusted_root(root_path, &root);
	if (rc != 0)
		goto out;
	rc = open_input(bundle, &fd);
	if (rc != 0) {
		rc = cli_fail(bundle, rc);
		goto out;
	}
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = root;
	vo.policy.hardware_id = hardware;
	vo.now = now;
	rc = fws_bundle_verify(fws_read_fd, &fd, &vo, NULL, res);
	if (rc != 0) {
		rc = cli_fail(bundle, rc);
		goto out;
	}
	printf("%s: OK %s %s (security_version %llu), root v%llu, %zu payload(s)\n", bundle,
	       res->manifest.product, res->manifest.version,
	       (unsigned long long)res->manifest.security_version,
	       (unsigned long long)res->root.version, res->manifest.n_payloads);
	print_keyids("signed by", &res->signers);
	rc = 0;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	free(root);
	free(res);
	return rc;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void inspect_json(const struct fws_inspect *in)
{
	const struct fws_manifest *m = &in->manifest;
	char hex[65], t[21];
	printf("{\"verified\":false,\"compressed\":%s,\"payloadType\":", in->compressed ? "true" : "false");
	json_str(in->envelope.payload_type);
	printf(",\"signatures\":[");
	for (size_t i = 0; i < in->envelope.n_sigs; i++) {
		fws_hex_encode(hex, in->envelope.sigs[i].keyid, 32);
		printf("%s{\"keyid\":\"%s\"}", i ? "," : "", hex);
	}
	printf("],\"manifest\":");
	if (!in->manifest_ok) {
		printf("null");
	} else {
		printf("{\"product\":");
		json_str(m->product);
		printf(",\"version\":");
		json_str(m->version);
		printf(",\"security_version\":%llu,\"hardware\":[",
		       (unsigned long long)m->security_version);
		for (size_t i = 0; i < m->n_hardware; i++) {
			printf("%s", i ? "," : "");
			json_str(m->hardware[i]);
		}
		printf("],\"created\":\"%s\"", fws_time_format(m->created, t) == 0 ? t : "");
		if (m->expires && fws_time_format(m->expires, t) == 0)
			printf(",\"expires\":\"%s\"", t);
		if (m->min_version[0]) {
			printf(",\"min_version\":");
			json_str(m->min_version);
		}
		if (m->release_notes[0]) {
			printf(",\"release_notes\":");
			json_str(m->release_notes);
		}
		printf(",\"payloads\":[");
		for (size_t i = 0; i < m->n_payloads; i++) {
			const struct fws_payload *p = &m->payloads[i];
			fws_hex_encode(hex, p->chunks_sha256, 32);
			printf("%s{\"name\":", i ? "," : "");
			json_str(p->name);
			printf(",\"target\":");
			json_str(p->target);
			printf(",\"size\":%llu,\"chunk_size\":%u,\"sha256-chunks\":\"%s\"}",
			       (unsigned long long)p->size, p->chunk_size, hex);
		}
		printf("]}");
	}
	printf(",\"entries\":[");
	for (size_t i = 0; i < in->n_entries; i++) {
		printf("%s{\"name\":", i ? "," : "");
		json_str(in->entries[i].name);
		printf(",\"size\":%llu}", (unsigned long long)in->entries[i].size);
	}
	printf("]}\n");
}

static void inspect_text(const char *path, const struct fws_inspect *in)
{
	const struct fws_manifest *m = &in->manifest;
	char hex[65], t[21];
	printf("bundle:   %s (%s)\n", path, in->compressed ? "tar+gzip" : "tar");
	printf("NOTE:     nothing below is verified; run 'fwseal verify' for that\n");
	if (in->manifest_ok) {
		printf("product:  %s\nversion:  %s\nsecurity_version: %llu\n", m->product,
		       m->version, (unsigned long long)m->security_version);
		printf("hardware:");
		for (size_t i = 0; i < m->n_hardware; i++)
			printf(" %s", m->hardware[i]);
		printf("\ncreated:  %s\n", fws_time_format(m->created, t) == 0 ? t : "?");
		if (m->expires && fws_time_format(m->expires, t) == 0)
			printf("expires:  %s\n", t);
		if (m->min_version[0])
			printf("min_version: %s\n", m->min_version);
		if (m->release_notes[0])
			printf("notes:    %s\n", m->release_notes);
		for (size_t i = 0; i < m->n_payloads; i++) {
			const struct fws_payload *p = &m->payloads[i];
			fws_hex_encode(hex, p->chunks_sha256, 32);
			printf("payload:  %s -> %s, %llu bytes, chunk %u, sha256-chunks %s\n",
			       p->name, p->target, (unsigned long long)p->size, p->chunk_size,
			       hex);
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

static int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int json = 0, c, rc, fd;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j' && json)
			return cli_usage_error("--json given twice");
		if (c == 'j')
			json = 1;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else
			return cli_usage_error("inspect: bad option '%s'", argv[optind - 1]);
	}
	if (optind + 1 != argc)
		return cli_usage_error("inspect needs one bundle");
	const char *bundle = argv[optind];
	rc = open_input(bundle, &fd);
	if (rc != 0)
		return cli_fail(bundle, rc);
	struct fws_inspect *in = malloc(sizeof(*in));
	rc = in == NULL ? FWS_ENOMEM : fws_bundle_inspect(fws_read_fd, &fd, in);
	if (fd > STDIN_FILENO)
		close(fd);
	if (rc == 0) {
		if (json)
			inspect_json(in);
		else
			inspect_text(bundle, in);
	}
	free(in);
	return rc == 0 ? 0 : cli_fail(bundle, rc);
}

/* fwseal permit: a release-signed downgrade permit for one device (or one
 * hardware id) and one verified bundle (docs/permits.md). */
static int cmd_permit(int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"root", required_argument, NULL, 'r'},
					     {"device-id", required_argument, NULL, 'd'},
					     {"hardware", required_argument, NULL, 'w'},
					     {"to-version", required_argument, NULL, 't'},
					     {"bundle", required_argument, NULL, 'b'},
					     {"valid-days", required_argument, NULL, 'v'},
					     {"passphrase-file", required_argument, NULL, 'p'},
					     {"out", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *key_path = NULL, *root_path = NULL, *device_id = NULL, *hardware = NULL,
		   *to_version = NULL, *bundle = NULL, *days_arg = NULL, *pass_file = NULL,
		   *out_path = NULL, **slot;
	struct fws_secret_key *key = NULL;
	struct fws_root *root = NULL;
	struct fws_envelope *env = NULL;
	struct fws_permit p;
	unsigned long long days = FWS_PERMIT_DAYS_DEFAULT;
	char *json = NULL, hex[65], t[21];
	size_t json_len;
	long long now;
	int c, rc;

	/* The help text spells these numbers out. */
	_Static_assert(FWS_PERMIT_DAYS_DEFAULT == 30 && FWS_PERMIT_DAYS_MAX == 90,
		       "update the permit lines of usage()");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': slot = &key_path; break;
		case 'r': slot = &root_path; break;
		case 'd': slot = &device_id; break;
		case 'w': slot = &hardware; break;
		case 't': slot = &to_version; break;
		case 'b': slot = &bundle; break;
		case 'v': slot = &days_arg; break;
		case 'p': slot = &pass_file; break;
		case 'o': slot = &out_path; break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("permit: bad option '%s'", argv[optind - 1]);
		}
		if (*slot != NULL)
			return cli_usage_error("permit: %s given twice", argv[optind - 2]);
		*slot = optarg;
	}
	if (optind != argc)
		return cli_usage_error("permit: unexpected argument '%s'", argv[optind]);
	if (!key_path || !root_path || !to_version || !bundle || !out_path)
		return cli_usage_error("permit needs --key, --root, --device-id or --hardware, "
				       "--to-version, --bundle and --out");
	if ((device_id == NULL) == (hardware == NULL))
		return cli_usage_error("permit: give exactly one of --device-id and --hardware");
	if (!fws_name_valid(device_id ? device_id : hardware))
		return cli_usage_error("permit: invalid %s '%s' (1-64 of A-Z a-z 0-9 . _ + -)",
				       device_id ? "--device-id" : "--hardware",
				       device_id ? device_id : hardware);
	if (!fws_semver_valid(to_version))
		return cli_usage_error("permit: --to-version '%s' is not a semantic version",
				       to_version);
	if (days_arg && (cli_parse_u64(days_arg, FWS_PERMIT_DAYS_MAX, &days) != 0 || days == 0))
		return cli_usage_error("permit: --valid-days must be 1 to %d", FWS_PERMIT_DAYS_MAX);
	rc = cli_now(&now);
	if (rc != 0)
		return cli_fail("SOURCE_DATE_EPOCH", rc);
	rc = load_trusted_root(root_path, &root);
	if (rc != 0)
		goto out;
	rc = load_key(key_path, pass_file, &key);
	if (rc != 0)
		goto out;
	rc = fws_permit_create(bundle, root, key, device_id, hardware, to_version, now,
			       (uint32_t)days, &json, &json_len);
	if (rc == FWS_EUSAGE) {
		/* Arguments were checked above: the version is what differs. */
		rc = cli_usage_error("permit: --to-version %s is not the version of %s "
				     "(see fwseal inspect)", to_version, bundle);
		goto out;
	}
	if (rc != 0) {
		rc = cli_fail(rc == FWS_ENOTAUTHORISED ? key_path : bundle, rc);
		goto out;
	}
	rc = fws_file_write_atomic(out_path, json, json_len, 0644, 1);
	if (rc != 0) {
		rc = cli_fail(out_path, rc);
		goto out;
	}
	/* Report what was signed, read back from the permit itself. */
	size_t body_len;
	const uint8_t *body;
	env = malloc(sizeof(*env));
	if (env == NULL || fws_envelope_decode((const uint8_t *)json, json_len, env) != 0 ||
	    (body = fws_envelope_body(env, &body_len)) == NULL ||
	    fws_permit_decode(body, body_len, &p) != 0 || fws_time_format(p.expires, t) != 0) {
		rc = cli_fail(out_path, FWS_EINTERNAL);
		goto out;
	}
	fws_hex_encode(hex, p.manifest_sha256, 32);
	printf("permit %s: downgrade to %s for %s %s, once, until %s\n", out_path, p.to_version,
	       p.device_id[0] ? "device" : "hardware", p.device_id[0] ? p.device_id : p.hardware_id,
	       t);
	printf("  manifest sha256 %s\n", hex);
	rc = 0;
out:
	fws_secret_key_free(key);
	free(json);
	free(root);
	free(env);
	return rc;
}

struct selftest_out {
	int json;
	size_t n;
};

static void selftest_row(void *ctx, const struct fws_selftest_case *c)
{
	struct selftest_out *o = ctx;
	if (o->json) {
		printf("%s\n    {\"group\":", o->n ? "," : "");
		json_str(c->group);
		printf(",\"name\":");
		json_str(c->name);
		printf(",\"what\":");
		json_str(c->what);
		printf(",\"expected\":\"%s\",\"got\":\"%s\",\"pass\":%s}", fws_errname(c->expected),
		       fws_errname(c->got), c->pass ? "true" : "false");
	} else {
		printf("%-6s %-30s %-18s %-18s %s\n", c->group, c->name, fws_errname(c->expected),
		       fws_errname(c->got), c->pass ? "pass" : "FAIL");
	}
	o->n++;
}

/* Installation / operational qualification evidence: known answers and the
 * attack suite against this very build of the library. */
static int cmd_selftest(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct selftest_out o = {0, 0};
	struct fws_selftest_summary sum;
	int c, rc;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j' && o.json)
			return cli_usage_error("--json given twice");
		if (c == 'j')
			o.json = 1;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else
			return cli_usage_error("selftest: bad option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error("selftest: unexpected argument '%s'", argv[optind]);
	if (o.json)
		printf("{\"library\":\"libfwseal %s\",\"sha256\":\"%s\",\"cases\":[", fws_version(),
		       fws_sha256_backend());
	else
		printf("fwseal selftest: libfwseal %s, sha256 backend %s\n%-6s %-30s %-18s %-18s %s\n",
		       fws_version(), fws_sha256_backend(), "GROUP", "CASE", "EXPECTED", "GOT",
		       "RESULT");
	rc = fws_selftest_run(selftest_row, &o, &sum);
	if (o.json)
		printf("\n  ],\"total\":%zu,\"passed\":%zu,\"failed\":%zu,\"result\":\"%s\"}\n",
		       sum.total, sum.passed, sum.failed, rc == 0 ? "pass" : "fail");
	else
		printf("%zu cases: %zu passed, %zu failed: %s\n", sum.total, sum.passed, sum.failed,
		       rc == 0 ? "PASS" : "FAIL");
	if (rc == 0)
		return 0;
	fflush(stdout);
	fprintf(stderr, "%s: selftest: %zu of %zu cases failed\n", cli_prog, sum.failed, sum.total);
	return cli_status(FWS_EINTERNAL);
}

int main(int argc, char **argv)
{
	int started = cli_start(argc, argv, usage);
	if (started >= 0)
		return started;
	const char *cmd = argv[1];
	argv++;
	argc--;
	opterr = 0; /* our own one-line messages instead of getopt's */
	if (!strcmp(cmd, "pack"))
		return cmd_pack(argc, argv);
	if (!strcmp(cmd, "verify"))
		return cmd_verify(argc, argv);
	if (!strcmp(cmd, "sign"))
		return cmd_sign(argc, argv);
	if (!strcmp(cmd, "inspect"))
		return cmd_inspect(argc, argv);
	if (!strcmp(cmd, "permit"))
		return cmd_permit(argc, argv);
	if (!strcmp(cmd, "selftest"))
		return cmd_selftest(argc, argv);
	return cli_usage_error("unknown command '%s'", cmd);
}
