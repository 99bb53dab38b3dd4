/* SPDX-License-Identifier: Apache-2.0 */
/* OCI distribution inside lib/net (docs/network.md §7, docs/fleet.md): an
 * oci:// reference names a bundle stored in a container registry as an
 * OCI artifact. The resolver turns it into one blob URL, the
 * Authorization header for the registry's origin, and the digest and size
 * the manifest promises; the blob then streams through the HTTP reader
 * (http.c) with every rule of that reader, and its digest is checked
 * against the manifest's descriptor. Publishing (oci_push.c) uses the
 * same references, session and requests. Internal to lib/net. */
#ifndef FWSEAL_NET_OCI_H
#define FWSEAL_NET_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/net.h"
#include "fwseal/oci.h"

#define OCI_HOST_MAX 255
#define OCI_REPO_MAX 255
#define OCI_TAG_MAX 128
#define OCI_AUTHZ_MAX 8192 /* "Authorization: Bearer <token>": tokens are JWTs, a few KiB */
#define OCI_URL_MAX 2048

struct oci_ref {
	char host[OCI_HOST_MAX + 1]; /* "registry.example:5000": host and optional port */
	char repo[OCI_REPO_MAX + 1];
	char tag[OCI_TAG_MAX + 1];   /* "" when addressed by digest only */
	int by_digest;
	uint8_t digest[32];          /* when by_digest */
};

/* Parses "oci://HOST[:PORT]/REPO:TAG" or "oci://HOST[:PORT]/REPO@sha256:HEX"
 * (also "REPO:TAG@sha256:HEX": the digest decides). 0 or FWS_EUSAGE. */
int oci_ref_parse(const char *s, struct oci_ref *r);

/* One conversation with one registry: TLS settings, the credentials for
 * it (from the credentials file, never the command line) and the
 * Authorization header the last challenge earned. */
struct oci_session {
	const struct fws_http_opts *net;
	struct oci_ref ref;
	char base[OCI_HOST_MAX + 16]; /* "https://HOST[:PORT]" */
	const char *actions;          /* "pull" or "pull,push" */
	char *user, *pass;            /* sodium-free copies, wiped in oci_session_end */
	char authz[OCI_AUTHZ_MAX];    /* "" = anonymous so far */
	char shown[OCI_HOST_MAX + OCI_REPO_MAX + OCI_TAG_MAX + 80]; /* for messages */
	int no_challenge;             /* a token request: a 401 is the answer */
};

/* One request. The caller fills the first block; oci_call the rest. */
struct oci_call {
	const char *method;  /* GET HEAD POST PUT PATCH */
	char url[OCI_URL_MAX];
	const char *accept;
	const char *content_type;
	const uint8_t *body; /* request body from memory ... */
	size_t body_len;
	int body_fd;         /* ... or from fd at body_off, body_len bytes (-1 = none) */
	uint64_t body_off;
	uint64_t body_fd_len;
	const char *content_range; /* PATCH: "START-END" */
	size_t max_resp;     /* longer answers are refused (FWS_EOCIMANIFEST) */
	/* out */
	long status;
	uint8_t *resp;       /* malloc'd, NUL-terminated; the caller frees */
	size_t resp_len;
	char ctype[128];
	char location[OCI_URL_MAX];
	char docker_digest[80];
};

int oci_session_start(struct oci_session *s, const struct fws_http_opts *net, const char *ref,
		      const char *actions);
void oci_session_end(struct oci_session *s);
/* Runs c, answering one 401 challenge (Basic, or the Bearer token
 * exchange) and retrying connection failures and 5xx/408/429 up to
 * net->retries times. 0 with c->status set, or a transport error code. */
int oci_call(struct oci_session *s, struct oci_call *c);
void oci_call_free(struct oci_call *c);
/* A refusal by the registry: FWS_EREGISTRY naming the status and the
 * registry's own error code ("MANIFEST_UNKNOWN", "DENIED", ...). */
int oci_refused(const struct oci_session *s, const struct oci_call *c, const char *doing);

/* Credentials for host from the containers-auth.json style file (auth.c). */
int oci_credentials(const char *file, const char *host, char **user, char **pass);
/* The Authorization header after a 401 with this WWW-Authenticate value. */
int oci_authorize(struct oci_session *s, const char *challenge);

/* sha256:HEX text <-> 32 bytes. */
int oci_digest_parse(const char *s, uint8_t out[32]);
void oci_digest_format(const uint8_t d[32], char out[72]);

/* What a pull needs (resolve.c): the blob's URL, size and digest. */
struct oci_blob {
	char url[OCI_URL_MAX];
	uint64_t size;
	uint8_t digest[32];
	uint8_t manifest_digest[32];
	char authz[OCI_AUTHZ_MAX]; /* the header for the registry's origin, or "" */
	char shown[OCI_HOST_MAX + OCI_REPO_MAX + OCI_TAG_MAX + 80];
};
int oci_resolve(const struct fws_http_opts *net, const char *ref, struct oci_blob *b);

#endif
