/* SPDX-License-Identifier: Apache-2.0 */
/* Signed channels (docs/format.md §16, docs/fleet.md): a small envelope of
 * type FWS_TYPE_CHANNEL, signed by the root's timestamp role (an online
 * key), that says "the current release of channel C is the bundle with
 * this manifest digest, until `expires`". It gives a device what a signed
 * bundle cannot: freshness (a mirror that keeps serving an old, validly
 * signed release is caught once the channel expires: TUF's freeze attack),
 * binding (the release, its hardware and its bundle named together, so
 * metadata that never existed together is refused: mix-and-match) and a
 * rollout cohort a mirror cannot widen.
 *
 * Codec: lib/bundle/channel_json.c; rules: lib/core/channel.c; signing:
 * lib/sign/channel_sign.c; the device's poll: lib/device/channel.c. */
#ifndef FWSEAL_CHANNEL_H
#define FWSEAL_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/envelope.h"
#include "fwseal/export.h"
#include "fwseal/limits.h"
#include "fwseal/state.h"

#define FWS_TYPE_CHANNEL "application/vnd.fwseal.channel+json"
#define FWS_CHANNEL_LOCATIONS_MAX 8
#define FWS_CHANNEL_URL_MAX 1024 /* bytes of one location */
#define FWS_CHANNEL_SALT_LEN 32
#define FWS_COHORT_DOMAIN "fwseal-cohort-v1" /* hashed first, with its NUL */

struct fws_rollout {
	uint32_t percent; /* 0..100: devices whose cohort bucket is below it */
	uint8_t salt[FWS_CHANNEL_SALT_LEN];
	int64_t not_before; /* no device installs before this time */
};

struct fws_channel {
	uint32_t schema; /* 1 */
	char name[FWS_NAME_MAX + 1];
	uint64_t version; /* >= 1, one above the previous channel */
	int64_t created;
	int64_t expires; /* > created */
	char product[FWS_NAME_MAX + 1];
	char hardware[FWS_MAX_HARDWARE][FWS_NAME_MAX + 1];
	size_t n_hardware;
	char release_version[FWS_VERSION_MAX + 1];
	uint64_t security_version;
	uint8_t manifest_sha256[32]; /* SHA-256 of the signed manifest body */
	uint8_t bundle_sha256[32];   /* SHA-256 of the bundle file */
	uint64_t bundle_size;
	char locations[FWS_CHANNEL_LOCATIONS_MAX][FWS_CHANNEL_URL_MAX];
	size_t n_locations;
	struct fws_rollout rollout;
};

/* --- core (lib/core/channel.c): no heap, no stdio --- */

/* The invariants every channel holds (what the decoder checks after the
 * syntax): FWS_ESCHEMA otherwise. */
FWS_API FWS_MUST_CHECK int fws_channel_check(const struct fws_channel *ch);

/* The device's cohort bucket, 0..99:
 *   h = SHA-256("fwseal-cohort-v1" NUL || salt (32 bytes) || device_id)
 *   bucket = (h[0..7] read as a big-endian unsigned 64-bit number) mod 100
 * The device is in the rollout when bucket < percent. The salt is signed,
 * so neither a mirror nor the device can pick a favourable one; a new salt
 * draws a new cohort, the same salt with a higher percent only adds. */
FWS_API FWS_MUST_CHECK int fws_channel_cohort(const uint8_t salt[FWS_CHANNEL_SALT_LEN],
					      const char *device_id, uint32_t *bucket);

/* The version rule against what the device accepted last (last_version 0:
 * none yet): a lower version, or the same version with other bytes
 * (digest of the whole envelope file), is FWS_ECHANNELROLLBACK. *same is
 * set to 1 for the very channel accepted before. */
FWS_API FWS_MUST_CHECK int fws_channel_check_version(const struct fws_channel *ch,
						     const uint8_t digest[32],
						     uint64_t last_version,
						     const uint8_t last_digest[32], int *same);

/* Freshness: FWS_ECHANNELSTALE unless now < expires. now is the device's
 * lower bound on the time (trusted clock, or newest created plus uptime). */
FWS_API FWS_MUST_CHECK int fws_channel_check_fresh(const struct fws_channel *ch, int64_t now);

/* Binding to this device: the channel's name is the one it follows
 * (FWS_ESCHEMA: a "beta" channel served on the "stable" URL) and its
 * hardware list names the device's hardware (FWS_EHARDWARE). */
FWS_API FWS_MUST_CHECK int fws_channel_check_device(const struct fws_channel *ch, const char *name,
						    const char *hardware_id);

/* The rollout: FWS_ENOTINCOHORT when the device's bucket is not below
 * percent, or now is before not_before. */
FWS_API FWS_MUST_CHECK int fws_channel_check_rollout(const struct fws_channel *ch,
						     const char *device_id, int64_t now);

/* The release a bundle carries is the channel's: product, version,
 * security_version and manifest body digest (FWS_ECHANNELMISMATCH). */
FWS_API FWS_MUST_CHECK int fws_channel_check_release(const struct fws_channel *ch,
						     const char *product, const char *version,
						     uint64_t security_version,
						     const uint8_t manifest_sha256[32]);

/* --- bundle layer (lib/bundle/channel_json.c) --- */

/* Strict decode of a channel body and fws_channel_check. */
FWS_API FWS_MUST_CHECK int fws_channel_decode(const uint8_t *json, size_t len,
					      struct fws_channel *ch);
/* Canonical body JSON in a malloc'd buffer; refuses what decode refuses. */
FWS_API FWS_MUST_CHECK int fws_channel_encode(const struct fws_channel *ch, char **out,
					      size_t *out_len);

/* A channel envelope file's bytes: decoded, of type FWS_TYPE_CHANNEL,
 * signed by a threshold of root's timestamp role (a root without one
 * signs no channel: FWS_EUNTRUSTED), its body decoded. digest (may be
 * NULL) = SHA-256 of the bytes as given. */
FWS_API FWS_MUST_CHECK int fws_channel_load(const uint8_t *json, size_t len,
					    const struct fws_root *root, struct fws_channel *ch,
					    uint8_t digest[32]);

/* --- device (lib/device/channel.c) --- */

struct fws_device;
struct fws_device_state;

/* The boot the device runs and its uptime (CLOCK_BOOTTIME, seconds, which
 * counts suspend too): boot_id is /proc/sys/kernel/random/boot_id without
 * dashes, or "-" when the kernel has none (then no uptime is counted). */
FWS_API void fws_device_uptime(char boot_id[FWS_BOOT_ID_MAX + 1], uint64_t *uptime);

/* The device's lower bound on the time for channel freshness: the larger
 * of its trusted clock (if any), the newest `created` it verified, and the
 * created of the channel it accepted last plus the uptime since (same boot:
 * the difference of CLOCK_BOOTTIME; a later boot: this boot's uptime). */
FWS_API int64_t fws_device_channel_time(const struct fws_device *dev,
					const struct fws_device_state *st, const char *boot_id,
					uint64_t uptime);

/* One step of the root chain outside a bundle (the roots a channel's
 * publisher serves beside it): json must be root v(trusted + 1), signed by
 * a threshold of the trusted root's keys and of its own; saved, then the
 * state's root_version; recorded in the audit log ("root"). */
FWS_API FWS_MUST_CHECK int fws_device_root_advance(struct fws_device *dev, const uint8_t *json,
						   size_t len, uint64_t *version);

struct fws_channel_result {
	struct fws_channel channel;
	uint8_t sha256[32]; /* of the envelope's bytes */
	int same;	    /* the very channel accepted before */
	int64_t now;	    /* the time bound it was judged at */
	uint32_t bucket;    /* the device's cohort bucket, 0..99 */
	int in_rollout;	    /* bucket < percent and now >= not_before */
	char installed;	    /* 'a'/'b': the set holding its release (pending or
			     * confirmed), 0 = none */
};

/* Verifies a channel (bytes) with the device's trusted root (advance the
 * root chain first: fws_device_root_advance) and its rules in this order:
 * signatures of the timestamp role, name (expected_name), hardware,
 * version never backwards, freshness against fws_device_channel_time
 * (FWS_ECHANNELSTALE). Accepted: saved in the state (one atomic save,
 * with the boot id and uptime), recorded ("channel"). Refused: nothing
 * saved, recorded. trusted_now (0 = none) is a trusted time given by the
 * caller; the rollout is judged into *out, never refused here. */
FWS_API FWS_MUST_CHECK int fws_device_channel_accept(struct fws_device *dev, const uint8_t *json,
						     size_t len, const char *expected_name,
						     struct fws_channel_result *out);

/* --- signing side (lib/sign/channel_sign.c) --- */

struct fws_signing_key;

struct fws_channel_params {
	const char *name;	      /* the channel: "stable", "beta", ... */
	int64_t now;		      /* created */
	int64_t lifetime;	      /* seconds until expires, > 0 */
	uint32_t percent;	      /* 0..100 */
	int64_t not_before;	      /* 0 = created */
	const char *const *locations; /* where devices fetch the bundle */
	size_t n_locations;
	/* The channel it follows (its bytes), or NULL for version 1: must be
	 * a channel of the same name, verified against the same root; the
	 * new one gets its version + 1, and its salt when it names the same
	 * release (a rollout widened keeps every device it had). */
	const uint8_t *previous;
	size_t previous_len;
};

/* Verifies the bundle at bundle_path against trusted (signatures, chain,
 * every chunk) while hashing its bytes, checks that key is a timestamp key
 * of the bundle's newest root, and signs the channel that names it. The
 * envelope JSON is returned in *json_out (malloc'd), the body in *out. */
FWS_API FWS_MUST_CHECK int fws_channel_create(const char *bundle_path,
					      const struct fws_root *trusted,
					      const struct fws_signing_key *key,
					      const struct fws_channel_params *p, char **json_out,
					      size_t *len_out, struct fws_channel *out);

#endif
