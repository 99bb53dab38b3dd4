/* SPDX-License-Identifier: Apache-2.0 */
/* The rules of a signed channel (fwseal/channel.h, docs/format.md §16),
 * decided over plain structs: no heap, no stdio, what an integrator audits.
 *
 * Threats: a mirror or an attacker on the path that keeps serving an old
 * channel (freeze: expires), replays an older one (rollback: version),
 * serves another product's or hardware's channel (binding), widens a
 * staged rollout to every device (cohort: the salt and percent are
 * signed and the device computes its own bucket), or pairs a fresh channel
 * with an old signed bundle (mix-and-match: the manifest digest). */
#include <sodium.h>
#include <string.h>

#include "fwseal/channel.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "fwseal/sha256.h"

static int c_string(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* https:// or oci:// and at least one more byte, printable ASCII only: a
 * control byte or space would let a location smuggle a second request
 * line or header into whatever fetches it. */
static int location_valid(const char *s)
{
	size_t n = strnlen(s, FWS_CHANNEL_URL_MAX);
	if (n == FWS_CHANNEL_URL_MAX)
		return 0;
	if (!((n > 8 && strncmp(s, "https://", 8) == 0) || (n > 6 && strncmp(s, "oci://", 6) == 0)))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

int fws_channel_check(const struct fws_channel *ch)
{
	if (ch == NULL)
		return FWS_EUSAGE;
	if (ch->schema != 1 || ch->version < 1 || ch->version > FWS_SIZE_MAX)
		return FWS_ESCHEMA;
	if (!c_string(ch->name, sizeof(ch->name)) || !fws_name_valid(ch->name) ||
	    !c_string(ch->product, sizeof(ch->product)) || !fws_name_valid(ch->product) ||
	    !c_string(ch->release_version, sizeof(ch->release_version)) ||
	    !fws_semver_valid(ch->release_version))
		return FWS_ESCHEMA;
	/* A channel valid for no time at all, or from before 1970, is no
	 * statement of freshness. */
	if (ch->created < 0 || ch->expires <= ch->created)
		return FWS_ESCHEMA;
	if (ch->security_version > FWS_SIZE_MAX || ch->bundle_size < 1 ||
	    ch->bundle_size > FWS_SIZE_MAX)
		return FWS_ESCHEMA;
	if (ch->n_hardware < 1 || ch->n_hardware > FWS_MAX_HARDWARE)
		return FWS_ESCHEMA;
	for (size_t i = 0; i < ch->n_hardware; i++) {
		if (!c_string(ch->hardware[i], sizeof(ch->hardware[i])) ||
		    !fws_name_valid(ch->hardware[i]))
			return FWS_ESCHEMA;
		for (size_t j = 0; j < i; j++)
			if (strcmp(ch->hardware[i], ch->hardware[j]) == 0)
				return FWS_ESCHEMA;
	}
	/* At least one place to fetch from: a channel naming none would make
	 * every device report "installed nothing" as success. */
	if (ch->n_locations < 1 || ch->n_locations > FWS_CHANNEL_LOCATIONS_MAX)
		return FWS_ESCHEMA;
	for (size_t i = 0; i < ch->n_locations; i++) {
		if (!location_valid(ch->locations[i]))
			return FWS_ESCHEMA;
		for (size_t j = 0; j < i; j++)
			if (strcmp(ch->locations[i], ch->locations[j]) == 0)
				return FWS_ESCHEMA;
	}
	if (ch->rollout.percent > 100 || ch->rollout.not_before < 0)
		return FWS_ESCHEMA;
	return 0;
}

int fws_channel_cohort(const uint8_t salt[FWS_CHANNEL_SALT_LEN], const char *device_id,
		       uint32_t *bucket)
{
	struct fws_sha256 h;
	uint8_t d[32];
	uint64_t x = 0;

	if (salt == NULL || device_id == NULL || bucket == NULL || !fws_name_valid(device_id))
		return FWS_EUSAGE;
	fws_sha256_init(&h);
	/* The domain string with its NUL: no other hash fwseal computes can
	 * be read as a cohort draw. */
	fws_sha256_update(&h, FWS_COHORT_DOMAIN, sizeof(FWS_COHORT_DOMAIN));
	fws_sha256_update(&h, salt, FWS_CHANNEL_SALT_LEN);
	fws_sha256_update(&h, device_id, strlen(device_id));
	fws_sha256_final(&h, d);
	for (int i = 0; i < 8; i++)
		x = (x << 8) | d[i];
	*bucket = (uint32_t)(x % 100);
	return 0;
}

int fws_channel_check_version(const struct fws_channel *ch, const uint8_t digest[32],
			      uint64_t last_version, const uint8_t last_digest[32], int *same)
{
	if (ch == NULL || digest == NULL || last_digest == NULL || same == NULL)
		return FWS_EUSAGE;
	*same = 0;
	if (ch->version < last_version)
		return FWS_ECHANNELROLLBACK;
	/* One version, one document: two different channels with the same
	 * version (a leaked online key, or a replay under the same number)
	 * are refused, the one already accepted is a no-op. */
	if (ch->version == last_version) {
		if (sodium_memcmp(digest, last_digest, 32) != 0)
			return FWS_ECHANNELROLLBACK;
		*same = 1;
	}
	return 0;
}

int fws_channel_check_fresh(const struct fws_channel *ch, int64_t now)
{
	if (ch == NULL)
		return FWS_EUSAGE;
	return now < ch->expires ? 0 : FWS_ECHANNELSTALE;
}

int fws_channel_check_device(const struct fws_channel *ch, const char *name,
			     const char *hardware_id)
{
	if (ch == NULL || name == NULL || hardware_id == NULL)
		return FWS_EUSAGE;
	if (strcmp(ch->name, name) != 0)
		return FWS_ESCHEMA;
	for (size_t i = 0; i < ch->n_hardware && i < FWS_MAX_HARDWARE; i++)
		if (strcmp(ch->hardware[i], hardware_id) == 0)
			return 0;
	return FWS_EHARDWARE;
}

int fws_channel_check_rollout(const struct fws_channel *ch, const char *device_id, int64_t now)
{
	uint32_t bucket;
	int rc;

	if (ch == NULL || device_id == NULL)
		return FWS_EUSAGE;
	if ((rc = fws_channel_cohort(ch->rollout.salt, device_id, &bucket)) != 0)
		return rc;
	if (bucket >= ch->rollout.percent || now < ch->rollout.not_before)
		return FWS_ENOTINCOHORT;
	return 0;
}

int fws_channel_check_release(const struct fws_channel *ch, const char *product,
			      const char *version, uint64_t security_version,
			      const uint8_t manifest_sha256[32])
{
	if (ch == NULL || product == NULL || version == NULL || manifest_sha256 == NULL)
		return FWS_EUSAGE;
	/* The digest decides; the other fields are compared too so that the
	 * refusal can say which one differs. */
	if (strcmp(ch->product, product) != 0 || strcmp(ch->release_version, version) != 0 ||
	    ch->security_version != security_version ||
	    sodium_memcmp(ch->manifest_sha256, manifest_sha256, 32) != 0)
		return FWS_ECHANNELMISMATCH;
	return 0;
}
