/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal channel sign: a channel names exactly one verified bundle.
 *
 * As with permits, nobody types a digest: the bundle is verified against
 * the signer's root first (so an online key never vouches for a bundle that
 * would not install), and its manifest digest, version, security_version,
 * hardware, size and file digest go into the channel as read. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/hashing_reader.h"
#include "fwseal/channel.h"
#include "fwseal/error.h"
#include "fwseal/keys.h"
#include "fwseal/sha256.h"
#include "io/io.h"

/* The previous channel, verified: same name, and the version to follow. */
static int load_previous(const struct fws_channel_params *p, const struct fws_root *root,
			 struct fws_channel *prev)
{
	int rc = fws_channel_load(p->previous, p->previous_len, root, prev, NULL);
	if (rc != 0 && fws_diag_last()->code == rc)
		fws_diag_prefix(':', "previous channel");
	if (rc != 0)
		return rc;
	if (strcmp(prev->name, p->name) != 0)
		return fws_diag_set(FWS_EUSAGE, 0, "--previous", "is channel \"%s\", not \"%s\"",
				    prev->name, p->name);
	if (prev->version >= FWS_SIZE_MAX)
		return fws_diag_set(FWS_ELIMIT, 0, "--previous", "version at its maximum");
	return 0;
}

int fws_channel_create(const char *bundle_path, const struct fws_root *trusted,
		       const struct fws_signing_key *key, const struct fws_channel_params *p,
		       char **json_out, size_t *len_out, struct fws_channel *out)
{
	struct fws_verify_result *res = NULL;
	struct fws_envelope *env = NULL;
	struct fws_channel *ch = NULL, *prev = NULL;
	/* The bundle digest comes from the very pass that verified it
	 * (hashing_reader.h): no second read to race. */
	struct fws_hashing_reader rd = {0};
	int fd = -1;
	struct fws_verify_opts vo;
	uint8_t pk[32], keyid[32];
	char *body = NULL;
	size_t body_len;
	int rc = FWS_EUSAGE;

	if (json_out == NULL || len_out == NULL)
		return FWS_EUSAGE;
	*json_out = NULL;
	*len_out = 0;
	if (bundle_path == NULL || trusted == NULL || key == NULL || p == NULL || p->name == NULL ||
	    p->now <= 0 || p->lifetime <= 0 || p->percent > 100 || p->n_locations < 1 ||
	    p->n_locations > FWS_CHANNEL_LOCATIONS_MAX || p->not_before < 0 ||
	    p->now > INT64_MAX - p->lifetime)
		goto out;
	rc = FWS_ENOMEM;
	res = malloc(sizeof(*res));
	env = calloc(1, sizeof(*env));
	ch = calloc(1, sizeof(*ch));
	prev = calloc(1, sizeof(*prev));
	if (res == NULL || env == NULL || ch == NULL || prev == NULL)
		goto out;
	if (p->previous != NULL && (rc = load_previous(p, trusted, prev)) != 0)
		goto out;
	fd = open(bundle_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = fws_diag_set(errno == ENOENT ? FWS_ENOENT : FWS_EIO, errno, NULL,
				  "cannot open the bundle");
		goto out;
	}
	fws_hashing_reader_init(&rd, fws_read_fd, &fd);
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = trusted;
	vo.now = p->now;
	rc = fws_bundle_verify(fws_read_hashing, &rd, &vo, NULL, res);
	if (rc != 0)
		goto out;
	/* The online key must be one the devices will trust for channels:
	 * a timestamp key of the newest root the bundle leads them to. */
	fws_signing_key_public(key, pk, keyid);
	if (!fws_root_role_has(&res->root, FWS_ROLE_TIMESTAMP, keyid) &&
	    !fws_root_role_has(trusted, FWS_ROLE_TIMESTAMP, keyid)) {
		rc = fws_diag_set(FWS_ENOTAUTHORISED, 0, NULL,
				  "not a timestamp key of root v%llu (fwseal-keys root new "
				  "--add-key T.pub --role timestamp)",
				  (unsigned long long)res->root.version);
		goto out;
	}

	ch->schema = 1;
	if (strlen(p->name) >= sizeof(ch->name) || !fws_name_valid(p->name)) {
		rc = fws_diag_set(FWS_EUSAGE, 0, "--channel", "not a name (1-64 of A-Za-z0-9._+-)");
		goto out;
	}
	strcpy(ch->name, p->name);
	ch->version = p->previous != NULL ? prev->version + 1 : 1;
	ch->created = p->now;
	ch->expires = p->now + p->lifetime;
	strcpy(ch->product, res->manifest.product);
	for (size_t i = 0; i < res->manifest.n_hardware; i++)
		strcpy(ch->hardware[i], res->manifest.hardware[i]);
	ch->n_hardware = res->manifest.n_hardware;
	strcpy(ch->release_version, res->manifest.version);
	ch->security_version = res->manifest.security_version;
	memcpy(ch->manifest_sha256, res->manifest_body_sha256, 32);
	fws_sha256_final(&rd.h, ch->bundle_sha256);
	ch->bundle_size = rd.n;
	for (size_t i = 0; i < p->n_locations; i++) {
		if (strlen(p->locations[i]) >= sizeof(ch->locations[i])) {
			rc = fws_diag_set(FWS_EUSAGE, 0, "--location", "longer than %d bytes",
					  FWS_CHANNEL_URL_MAX - 1);
			goto out;
		}
		strcpy(ch->locations[i], p->locations[i]);
	}
	ch->n_locations = p->n_locations;
	ch->rollout.percent = p->percent;
	ch->rollout.not_before = p->not_before != 0 ? p->not_before : p->now;
	/* Same release: same salt, so a wider percent only adds devices. A
	 * new release draws a new cohort, so the same devices are not always
	 * the first to take the risk. */
	if (p->previous != NULL && memcmp(prev->manifest_sha256, ch->manifest_sha256, 32) == 0)
		memcpy(ch->rollout.salt, prev->rollout.salt, sizeof(ch->rollout.salt));
	else
		randombytes_buf(ch->rollout.salt, sizeof(ch->rollout.salt));
	rc = fws_channel_encode(ch, &body, &body_len);
	if (rc == FWS_ESCHEMA)
		rc = fws_diag_set(FWS_EUSAGE, 0, "--location",
				  "every location must be an https:// or oci:// URL, each once");
	if (rc == 0)
		rc = fws_envelope_set_body(env, FWS_TYPE_CHANNEL, (const uint8_t *)body, body_len);
	if (rc == 0)
		rc = fws_envelope_sign(env, key);
	if (rc == 0)
		rc = fws_envelope_encode(env, json_out, len_out);
	if (rc == 0 && out != NULL)
		*out = *ch;
out:
	if (fd >= 0)
		close(fd);
	free(body);
	free(env);
	free(ch);
	free(prev);
	free(res);
	return rc;
}
