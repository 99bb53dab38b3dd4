/* SPDX-License-Identifier: Apache-2.0 */
/* oci:// references (lib/net/oci_ref.c): each part ends up in a URL path
 * or a Host header, so anything outside the distribution grammar must be
 * refused before a connection (docs/network.md §7). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "fwseal/net.h"
#include "net/oci.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

Test(oci_ref, tag_and_port)
{
	struct oci_ref r;
	cr_assert_eq(oci_ref_parse("oci://registry.example:5000/acme/pump:1.2.0", &r), 0);
	cr_assert_str_eq(r.host, "registry.example:5000");
	cr_assert_str_eq(r.repo, "acme/pump");
	cr_assert_str_eq(r.tag, "1.2.0");
	cr_assert_eq(r.by_digest, 0);
}

Test(oci_ref, digest_wins_over_tag)
{
	struct oci_ref r;
	cr_assert_eq(oci_ref_parse("OCI://ghcr.io/a.b/c__d/e-f:latest@sha256:" D64, &r), 0);
	cr_assert_str_eq(r.repo, "a.b/c__d/e-f");
	cr_assert_str_eq(r.tag, "latest");
	cr_assert_eq(r.by_digest, 1);
	cr_assert_eq(r.digest[0], 0x01);
	cr_assert_eq(r.digest[31], 0xef);
	cr_assert_eq(oci_ref_parse("oci://h/r@sha256:" D64, &r), 0);
	cr_assert_str_eq(r.tag, "");
}

/* Each would put something else into the request path or Host. */
Test(oci_ref, path_and_host_smuggling_refused)
{
	static const char *const bad[] = {
	    "oci://h/r",                 /* neither tag nor digest */
	    "oci:///r:t",                /* no host */
	    "oci://h:/r:t",              /* empty port */
	    "oci://h:123456/r:t",        /* port too long */
	    "oci://user@h/r:t",          /* credentials in the host */
	    "oci://h/../r:t",            /* traversal */
	    "oci://h/a//b:t",            /* empty component */
	    "oci://h/a/:t",              /* trailing slash */
	    "oci://h/R:t",               /* upper case repository */
	    "oci://h/a..b:t",            /* double dot separator */
	    "oci://h/a.:t",              /* separator at the end */
	    "oci://h/r:t?x=1",           /* query */
	    "oci://h/r:t#f",             /* fragment */
	    "oci://h/r:t%2f",            /* escape */
	    "oci://h/r:-t",              /* tag starting with '-' */
	    "oci://h/r:.t",              /* tag starting with '.' */
	    "oci://h/r:",                /* empty tag */
	    "oci://h/r@sha256:" D64 "0", /* digest too long */
	    "oci://h/r@sha256:ABCDEF",   /* upper case, short */
	    "oci://h/r@sha512:" D64,     /* another algorithm */
	    "https://h/r:t",             /* not oci:// */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct oci_ref r;
		cr_assert_eq(oci_ref_parse(bad[i], &r), FWS_EUSAGE, "%s", bad[i]);
	}
}

Test(oci_ref, tag_length_bound)
{
	char ref[300], tag[130];
	struct oci_ref r;
	memset(tag, 'a', 128);
	tag[128] = '\0';
	snprintf(ref, sizeof(ref), "oci://h/r:%s", tag);
	cr_assert_eq(oci_ref_parse(ref, &r), 0);
	snprintf(ref, sizeof(ref), "oci://h/r:%sa", tag);
	cr_assert_eq(oci_ref_parse(ref, &r), FWS_EUSAGE);
}

Test(oci_ref, is_url_accepts_oci)
{
	cr_assert(fws_is_url("oci://h/r:t"));
	cr_assert(fws_is_oci_ref("OCI://h/r:t"));
	cr_assert(!fws_is_oci_ref("https://h/r"));
	cr_assert(!fws_is_oci_ref(NULL));
}

/* The credentials file (lib/net/oci_auth.c): a secret, read strictly. */
static const char *write_auth(const char *text, mode_t mode)
{
	static char path[64];
	strcpy(path, "/tmp/fwseal-oci-auth-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

static void free_creds(char *u, char *p)
{
	free(u);
	free(p);
}

Test(oci_credentials, found_by_host_with_or_without_scheme)
{
	/* "dTpwOnc=" is base64 of "u:p:w": the password may hold ':' */
	const char *f = write_auth("{\"auths\": {\"other:1\": {\"auth\": \"eDp5\"}, "
				   "\"https://reg:5000\": {\"auth\": \"dTpwOnc=\"}}}",
				   0600);
	char *u = NULL, *p = NULL;
	cr_assert_eq(oci_credentials(f, "reg:5000", &u, &p), 0);
	cr_assert_str_eq(u, "u");
	cr_assert_str_eq(p, "p:w");
	free_creds(u, p);
	cr_assert_eq(oci_credentials(f, "reg", &u, &p), 0);
	cr_assert_null(u, "another port is another registry");
	unlink(f);
}

Test(oci_credentials, readable_by_others_refused)
{
	const char *f = write_auth("{\"auths\": {}}", 0644);
	char *u = NULL, *p = NULL;
	cr_assert_eq(oci_credentials(f, "reg", &u, &p), FWS_EUNSAFE);
	cr_assert_eq(chmod(f, 0640), 0);
	cr_assert_eq(oci_credentials(f, "reg", &u, &p), FWS_EUNSAFE);
	unlink(f);
}

Test(oci_credentials, unknown_fields_and_bad_auth_refused)
{
	static const char *const bad[] = {
	    "{\"auths\": {\"reg\": {\"auth\": \"dTpw\", \"identitytoken\": \"x\"}}}",
	    "{\"auths\": {}, \"credsStore\": \"desktop\"}",
	    "{\"auths\": {\"reg\": {\"auth\": \"not base64!\"}}}",
	    "{\"auths\": {\"reg\": {\"auth\": \"OnA=\"}}}",   /* ":p": no user */
	    "{\"auths\": {\"reg\": {\"auth\": \"dXA=\"}}}",   /* "up": no ':' */
	    "{\"auths\": {\"reg\": {\"auth\": \"dTpwCg==\"}}}", /* "u:p\n" */
	    "{\"auths\": {\"reg\": {\"auth\": \"a\"}, \"reg\": {\"auth\": \"b\"}}}",
	    "[]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *f = write_auth(bad[i], 0600);
		char *u = NULL, *p = NULL;
		cr_assert_eq(oci_credentials(f, "reg", &u, &p), FWS_ECONFIG, "%s", bad[i]);
		cr_assert_null(u);
		unlink(f);
	}
}
