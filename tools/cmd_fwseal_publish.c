/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal publish: verify a bundle, then push it to an OCI registry
 * (docs/fleet.md "Publishing from CI"; the pushing is lib/net/oci_push.c).
 * A bundle that does not verify against --root is never published: a
 * registry is where ten thousand devices look, and a bad bundle there
 * costs a fleet's worth of refused downloads. */
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/hashing_reader.h"
#include "cli.h"
#include "fwseal/fwseal.h"
#include "fwseal/net.h"
#include "fwseal/oci.h"
#include "fwseal/sbom.h"

#define ATTEST_MAX (32u * 1024 * 1024)

const struct cli_opt cmd_publish_opts[] = {
    {"root", CLI_VALUE, "FILE", 1, "the root of trust the bundle must verify against"},
    {"at", CLI_VALUE, "TIME", 0,
     "judge expiry at TIME (YYYY-MM-DDTHH:MM:SSZ; default:\nSOURCE_DATE_EPOCH, else now)"},
    {"registry-auth", CLI_VALUE, "FILE", 0,
     "registry credentials: {\"auths\": {HOST: {\"auth\": BASE64}}}\n(as skopeo login writes; "
     "mode 600; default: $FWSEAL_REGISTRY_AUTH)"},
    {"sbom", CLI_FLAG, NULL, 0,
     "also attach the bundle's own (verified) SBOM, tag\nsha256-<manifest digest>.sbom"},
    {"attest", CLI_VALUE, "FILE", 0,
     "also attach this attestation (fwseal attest) of the bundle,\ntag "
     "sha256-<manifest digest>.att"},
    {"chunk-size", CLI_VALUE, "BYTES", 0,
     "upload the bundle in chunks of BYTES (PATCH); default: one PUT"},
    {"ca-file", CLI_VALUE, "FILE", 0, "trust only the CAs in FILE (default: the system's)"},
    {"client-cert", CLI_VALUE, "FILE", 0, "a client certificate (PEM)"},
    {"client-key", CLI_VALUE, "FILE", 0, "the client certificate's key"},
    {"retries", CLI_VALUE, "N", 0, "failed attempts of one request before giving up (default 10)"},
    {"quiet", CLI_FLAG, NULL, 0, "no progress on the terminal"},
    {"json", CLI_FLAG, NULL, 0, "print the result as JSON"},
    {NULL}};

/* The attestation must be a DSSE in-toto statement naming this bundle's
 * bytes: attaching one about another bundle would be false evidence. */
static int attest_names_bundle(const uint8_t *att, size_t len, const uint8_t bundle[32])
{
	json_t *env = json_loadb((const char *)att, len, JSON_REJECT_DUPLICATES, NULL);
	const char *type = json_string_value(json_object_get(env, "payloadType"));
	const char *b64 = json_string_value(json_object_get(env, "payload"));
	char hex[65];
	int found = 0;
	fws_hex_encode(hex, bundle, 32);
	if (type != NULL && strcmp(type, "application/vnd.in-toto+json") == 0 && b64 != NULL) {
		size_t n = strlen(b64), got = 0;
		unsigned char *body = malloc(n + 1);
		if (body != NULL && sodium_base642bin(body, n, b64, n, NULL, &got, NULL,
						      sodium_base64_VARIANT_ORIGINAL) == 0) {
			json_t *st = json_loadb((const char *)body, got, JSON_REJECT_DUPLICATES, NULL);
			size_t i;
			json_t *sub;
			json_array_foreach(json_object_get(st, "subject"), i, sub)
			{
				const char *d = json_string_value(
					json_object_get(json_object_get(sub, "digest"), "sha256"));
				if (d != NULL && strcmp(d, hex) == 0)
					found = 1;
			}
			json_decref(st);
		}
		free(body);
	}
	json_decref(env);
	return found;
}

static const char *sbom_media_type(const char *format)
{
	return strncmp(format, "spdx", 4) == 0 ? "application/spdx+json"
					       : "application/vnd.cyclonedx+json";
}

int cmd_publish_run(struct cli *c)
{
	const char *bundle = c->args[0], *ref = c->args[1], *at = cli_get(c, "at");
	const char *root_path = cli_get(c, "root"), *att_path = cli_get(c, "attest");
	const char *chunk = cli_get(c, "chunk-size");
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct fws_root *root = NULL;
	struct fws_verify_opts vo = {0};
	struct fws_http_opts net = {0};
	struct fws_oci_publish p = {0};
	struct cli_progress prog = {0};
	/* The verifier's reader, hashing what it reads (hashing_reader.h): the
	 * digest published is that of the bytes verified. The upload reads the
	 * file again, and the registry refuses it if those bytes differ (a file
	 * changed after the verification: a time-of-check/time-of-use swap). */
	struct fws_fd_reader fdr = {.fd = -1};
	struct fws_fd_reader *rd = &fdr;
	struct fws_hashing_reader hr = {0};
	uint8_t *sbom = NULL, *att = NULL, file_digest[32];
	size_t sbom_len = 0, att_len = 0;
	char hex[65];
	unsigned long long chunk_size = 0;
	int64_t now = 0;
	struct stat st;
	int rc = res == NULL ? cli_fail(NULL, FWS_ENOMEM) : 0;
	if (rc == 0 && !fws_is_oci_ref(ref))
		rc = cli_usage_error("the destination is oci://HOST[:PORT]/REPO:TAG, not '%s'",
				     cli_esc(ref));
	if (rc == 0 && (fws_is_url(bundle) || strcmp(bundle, "-") == 0))
		rc = cli_usage_error("publish reads a bundle file (it is read three times: verify, "
				     "hash, upload)");
	if (rc == 0 && chunk != NULL &&
	    (cli_parse_u64(chunk, 1ull << 40, &chunk_size) != 0 || chunk_size < 4096))
		rc = cli_usage_error("--chunk-size is a byte count of at least 4096, not '%s'",
				     cli_esc(chunk));
	if (rc == 0 && at != NULL && fws_time_parse(at, &now) != 0)
		rc = cli_usage_error("--at must be YYYY-MM-DDTHH:MM:SSZ, not '%s'", cli_esc(at));
	else if (rc == 0 && at == NULL)
		rc = cli_now(&now);
	if (rc == 0)
		rc = cli_net_opts(c, NULL, &net);
	if (rc == 0) {
		root = malloc(sizeof(*root));
		rc = root == NULL ? cli_fail(NULL, FWS_ENOMEM)
				  : fws_root_load_file(root_path, root, NULL);
		if (rc < 0)
			rc = cli_fail(root_path, rc);
	}
	if (rc == 0 && att_path != NULL && (rc = fws_file_read_all(att_path, ATTEST_MAX, &att, &att_len)) != 0)
		rc = cli_fail(att_path, rc);
	if (rc == 0 && (rc = cli_open_bundle(bundle, &rd->fd, &rd->total)) == 0 &&
	    (fstat(rd->fd, &st) != 0 || !S_ISREG(st.st_mode)))
		rc = cli_usage_error("publish reads a regular file, not '%s'", cli_esc(bundle));
	/* 1. Verify: the whole bundle, as fwseal verify does. */
	if (rc == 0) {
		vo.trusted_root = root;
		vo.now = now;
		rd->stall_ms = FWS_STALL_TIMEOUT_MS;
		rd->progress = cli_progress_cb;
		rd->progress_ctx = &prog;
		cli_progress_start(&prog, c, "verifying", rd->total);
		fws_diag_clear();
		fws_hashing_reader_init(&hr, fws_read_fd_timed, rd);
		rc = fws_bundle_verify_sbom(fws_read_hashing, &hr, &vo, res, 0, &sbom, &sbom_len);
		cli_progress_end(&prog);
		if (rc != 0)
			rc = cli_fail_note(bundle, rc, "not published");
	}
	if (rc == 0) {
		fws_sha256_final(&hr.h, file_digest);
		/* The verifier reads to the end; anything else is a file that
		 * changed size under us. */
		if (hr.n != (uint64_t)st.st_size)
			rc = cli_fail_note(bundle, FWS_EIO, "the file changed while it was verified");
	}
	if (rc == 0 && cli_flag(c, "sbom") && sbom == NULL)
		rc = cli_fail_note(bundle, FWS_ENOENT, "--sbom: the bundle carries no SBOM");
	if (rc == 0 && att != NULL && !attest_names_bundle(att, att_len, file_digest))
		rc = cli_usage_error("--attest %s is not an in-toto attestation (DSSE) naming this "
				     "bundle's sha256",
				     cli_esc(att_path));
	/* 2. Push. */
	if (rc == 0) {
		const char *slash = strrchr(bundle, '/');
		fws_hex_encode(hex, res->manifest_body_sha256, 32);
		p.net = &net;
		p.ref = ref;
		p.bundle_fd = rd->fd;
		p.bundle_size = (uint64_t)st.st_size;
		p.bundle_sha256 = file_digest;
		p.gzip = res->compressed;
		p.version = res->manifest.version;
		p.title = slash ? slash + 1 : bundle;
		p.manifest_sha256_hex = hex;
		p.chunk_size = chunk_size;
		if (cli_flag(c, "sbom")) {
			p.sbom = sbom;
			p.sbom_len = sbom_len;
			p.sbom_media_type = sbom_media_type(res->manifest.sbom_document.format);
		}
		p.attest = att;
		p.attest_len = att_len;
		fws_diag_clear();
		rc = fws_oci_publish(&p);
		if (rc != 0)
			rc = cli_fail(ref, rc);
	}
	if (rc == 0 && c->json) {
		cli_json_set(c, "reference", json_string(ref));
		cli_json_set(c, "manifest_digest", json_string(p.manifest_digest));
		cli_json_set(c, "blob_digest", json_string(p.blob_digest));
		cli_json_set(c, "blob_existed", json_boolean(p.blob_existed));
		cli_json_set(c, "version", json_string(res->manifest.version));
		cli_json_set(c, "manifest_sha256", json_string(hex));
		cli_json_set(c, "sbom_attached", json_boolean(p.sbom != NULL));
		cli_json_set(c, "attestation_attached", json_boolean(p.attest != NULL));
	} else if (rc == 0) {
		const char *at_sign = strchr(ref + 6, '/');
		printf("%s: published %s %s\n", cli_esc(ref), res->manifest.product,
		       res->manifest.version);
		printf("  pinned: oci://%.*s@%s\n", (int)(strrchr(at_sign, ':') - ref - 6), ref + 6,
		       p.manifest_digest);
		printf("  blob %s (%s)\n", p.blob_digest, p.blob_existed ? "already there" : "uploaded");
		if (p.sbom != NULL || p.attest != NULL)
			printf("  attached:%s%s\n", p.sbom ? " sbom" : "", p.attest ? " attestation" : "");
	}
	if (rd->fd >= 0)
		close(rd->fd);
	free(sbom);
	free(att);
	free(root);
	free(res);
	return rc;
}
