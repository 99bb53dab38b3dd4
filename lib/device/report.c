/* SPDX-License-Identifier: Apache-2.0 */
/* Device reports (fwseal/report.h): the per-device key and the signed
 * report of what the device runs, with the tail of its audit log.
 *
 * The key is the device's own (made at init, or once for a device
 * provisioned before reports existed): it proves which device wrote a
 * report, not that the device is honest; the log's hash chain, compared
 * across reports, is what catches a log cut or rewritten in between. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/channel.h"
#include "fwseal/device.h"
#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/report.h"
#include "io/io.h"

#define KEY_TMP FWS_DEVICE_KEY_FILE ".tmp"

/* The seed as 64 hex and a newline: one spelling, checked on read. */
int fws_device_key_create(int dirfd)
{
	uint8_t seed[32];
	char text[66];
	int fd, rc = 0;

	randombytes_buf(seed, sizeof(seed));
	fws_hex_encode(text, seed, 32);
	sodium_memzero(seed, sizeof(seed));
	text[64] = '\n';
	(void)unlinkat(dirfd, KEY_TMP, 0); /* a remnant of a crash here */
	fd = openat(dirfd, KEY_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		rc = fws_diag_set(FWS_EIO, errno, FWS_DEVICE_KEY_FILE, "cannot be created");
	if (rc == 0 && (write(fd, text, 65) != 65 || fsync(fd) != 0))
		rc = fws_diag_set(FWS_EIO, errno, FWS_DEVICE_KEY_FILE, "cannot be written");
	if (fd >= 0)
		close(fd);
	sodium_memzero(text, sizeof(text));
	/* link, not rename: an existing key is never replaced (a device's
	 * identity changing under the fleet's records would look like an
	 * impostor). */
	if (rc == 0 && linkat(dirfd, KEY_TMP, dirfd, FWS_DEVICE_KEY_FILE, 0) != 0)
		rc = errno == EEXIST
			 ? fws_diag_set(FWS_EEXIST, 0, FWS_DEVICE_KEY_FILE,
					"the device already has a key")
			 : fws_diag_set(FWS_EIO, errno, FWS_DEVICE_KEY_FILE, "cannot be created");
	(void)unlinkat(dirfd, KEY_TMP, 0);
	if (rc == 0 && fsync(dirfd) != 0)
		rc = fws_diag_set(FWS_EIO, errno, NULL, "the state directory cannot be synced");
	return rc;
}

/* The secret key (64 bytes, libsodium's seed || public) in sodium memory. */
static int load_key(int dirfd, uint8_t **sk_out, uint8_t pk[32])
{
	char text[67];
	uint8_t seed[32];
	struct stat sb;
	ssize_t n = -1;
	int rc = 0, fd = openat(dirfd, FWS_DEVICE_KEY_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	uint8_t *sk = NULL;

	if (fd < 0)
		return errno == ENOENT
			   ? fws_diag_set(
				 FWS_ENOENT, 0, FWS_DEVICE_KEY_FILE,
				 "missing: make it with `fwseal-verify device-key --create`")
			   : fws_diag_set(FWS_EIO, errno, FWS_DEVICE_KEY_FILE, "cannot be opened");
	/* A key others can read is a key others can use. */
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077) != 0)
		rc = fws_diag_set(FWS_EUNSAFE, 0, FWS_DEVICE_KEY_FILE,
				  "not a regular file of mode 0600");
	if (rc == 0)
		n = read(fd, text, sizeof(text));
	close(fd);
	if (rc == 0 && (n != 65 || text[64] != '\n'))
		rc = fws_diag_set(FWS_ESTATE, 0, FWS_DEVICE_KEY_FILE, "not 64 hex and a newline");
	if (rc == 0) {
		text[64] = '\0';
		if (fws_hex_decode_exact(seed, 32, text) != 0)
			rc = fws_diag_set(FWS_ESTATE, 0, FWS_DEVICE_KEY_FILE,
					  "not 64 lowercase hex");
	}
	if (rc == 0 && (sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		rc = FWS_ENOMEM;
	if (rc == 0 && crypto_sign_seed_keypair(pk, sk, seed) != 0)
		rc = FWS_EINTERNAL;
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(text, sizeof(text));
	if (rc != 0) {
		sodium_free(sk);
		return rc;
	}
	*sk_out = sk;
	return 0;
}

int fws_device_key_public(int dirfd, uint8_t public_key[32])
{
	uint8_t *sk = NULL;
	int rc = load_key(dirfd, &sk, public_key);
	sodium_free(sk);
	return rc;
}

struct tail {
	struct fws_report *r;
	unsigned keep;	/* newest lines to keep (a ring) */
	uint64_t since; /* or every line after this seq */
	size_t total;	/* lines seen */
	int too_many;
};

static int take_line(void *arg, const char *line, size_t len)
{
	struct tail *t = arg;
	struct fws_report *r = t->r;
	if (len >= FWS_LOG_LINE_MAX)
		return FWS_ELIMIT;
	t->total++;
	if (t->since != 0) {
		/* seq is the first member: {"seq":N, */
		unsigned long long seq = strtoull(line + 7, NULL, 10);
		if (seq <= t->since)
			return 0;
		if (r->n_events == t->keep) {
			t->too_many = 1;
			return 0;
		}
		memcpy(r->events[r->n_events], line, len);
		r->events[r->n_events++][len] = '\0';
		return 0;
	}
	if (r->n_events == t->keep) { /* drop the oldest */
		memmove(r->events[0], r->events[1], (t->keep - 1) * sizeof(r->events[0]));
		r->n_events--;
	}
	memcpy(r->events[r->n_events], line, len);
	r->events[r->n_events++][len] = '\0';
	return 0;
}

/* The seq and hash of the last line: the head the report states. */
static int head_of(struct fws_report *r, const char *last)
{
	size_t n = strlen(last);
	char hex[65];
	if (n < 75)
		return FWS_ESTATE;
	memcpy(hex, last + n - 66, 64);
	hex[64] = '\0';
	r->log_seq = strtoull(last + 7, NULL, 10);
	return fws_hex_decode_exact(r->log_hash, 32, hex) == 0 ? 0 : FWS_ESTATE;
}

int fws_device_report(struct fws_device *dev, int dirfd, unsigned events, uint64_t since,
		      char **json_out, size_t *len_out)
{
	struct fws_report *r = calloc(1, sizeof(*r));
	struct fws_device_status *st = calloc(1, sizeof(*st));
	struct fws_envelope *env = calloc(1, sizeof(*env));
	char boot_id[FWS_BOOT_ID_MAX + 1];
	uint8_t pk[32], *sk = NULL;
	uint64_t uptime, entries = 0, bad = 0;
	char *body = NULL;
	size_t body_len;
	int rc = r == NULL || st == NULL || env == NULL ? FWS_ENOMEM : 0;

	*json_out = NULL;
	*len_out = 0;
	if (events == 0)
		events = FWS_REPORT_EVENTS_DEFAULT;
	if (events > FWS_REPORT_EVENTS_MAX)
		events = FWS_REPORT_EVENTS_MAX;
	if (rc == 0)
		rc = load_key(dirfd, &sk, pk);
	if (rc == 0)
		rc = fws_device_status(dev, st);
	if (rc != 0)
		goto out;
	const struct fws_device_state *s = &st->state;
	strcpy(r->device_id, s->device_id);
	strcpy(r->hardware_id, s->hardware_id);
	fws_device_uptime(boot_id, &uptime);
	r->time = fws_device_channel_time(dev, s, boot_id, uptime);
	r->confirmed.slot = s->confirmed_slot;
	strcpy(r->confirmed.version, s->slots[s->confirmed_slot == 'b'].version);
	r->confirmed.security_version = s->slots[s->confirmed_slot == 'b'].security_version;
	if (s->pending_slot != '-') {
		r->has_pending = 1;
		r->pending.slot = s->pending_slot;
		strcpy(r->pending.version, s->slots[s->pending_slot == 'b'].version);
		r->pending.security_version = s->slots[s->pending_slot == 'b'].security_version;
	}
	r->security_version = s->security_version;
	r->floor = st->floor;
	r->root_version = s->root_version;
	if (s->channel_version != 0) {
		r->has_channel = 1;
		strcpy(r->channel_name, s->channel_name);
		r->channel_version = s->channel_version;
		r->channel_expires = s->channel_expires;
		r->channel_stale = r->time >= s->channel_expires;
	}
	if (dev->log != NULL) {
		struct tail t = {r, since != 0 ? FWS_REPORT_EVENTS_MAX : events, since, 0, 0};
		/* A broken log is reported as broken, not hidden: the fleet
		 * must see it, and the report still says what runs. */
		r->log_valid = fws_audit_log_verify(dev->log, &entries, &bad) == 0;
		fws_diag_clear();
		rc = fws_audit_log_read(dev->log, take_line, &t);
		if (rc == 0 && t.too_many)
			rc = fws_diag_set(FWS_ELIMIT, 0, "log",
					  "more than %d lines since seq %llu: report more often",
					  FWS_REPORT_EVENTS_MAX, (unsigned long long)since);
		/* The head: the last line read, even when --since left none. */
		if (rc == 0 && r->n_events > 0)
			rc = head_of(r, r->events[r->n_events - 1]);
		else if (rc == 0 && t.total > 0) {
			struct tail last = {r, 1, 0, 0, 0};
			rc = fws_audit_log_read(dev->log, take_line, &last);
			if (rc == 0)
				rc = head_of(r, r->events[0]);
			r->n_events = 0;
		}
		if (rc != 0)
			goto out;
	}
	/* The body must fit one envelope: drop the oldest events until it
	 * does (never with --since: those the fleet asked for). */
	for (;;) {
		rc = fws_report_encode(r, &body, &body_len);
		if (rc == 0)
			rc = fws_envelope_set_body(env, FWS_TYPE_REPORT, (const uint8_t *)body,
						   body_len);
		if (rc != FWS_ELIMIT || since != 0 || r->n_events == 0)
			break;
		free(body);
		body = NULL;
		memmove(r->events[0], r->events[1], (r->n_events - 1) * sizeof(r->events[0]));
		r->n_events--;
	}
	if (rc != 0)
		goto out;
	fws_keyid(pk, env->sigs[0].keyid);
	if (crypto_sign_detached(env->sigs[0].sig, NULL, env->pae, env->pae_len, sk) != 0 ||
	    crypto_sign_verify_detached(env->sigs[0].sig, env->pae, env->pae_len, pk) != 0) {
		/* re-verified right after signing: a fault must not leave */
		rc = FWS_EINTERNAL;
		goto out;
	}
	env->n_sigs = 1;
	rc = fws_envelope_encode(env, json_out, len_out);
out:
	sodium_free(sk);
	free(body);
	free(env);
	free(st);
	free(r);
	return rc;
}
