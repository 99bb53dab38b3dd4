/* File state store: DIR/state is a small text file ending in a SHA-256 line
 * over everything before it, replaced atomically (temp, fsync, rename, fsync
 * directory). Any doubt about it is FWS_ESTATE: a device must never fall
 * back to "nothing installed, counter 0", which would reopen rollback. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/device.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "fwseal/sha256.h"

#define STATE_MAGIC "fwseal-state 1\n"
#define STATE_MAX 1024

static int state_path(char *out, size_t cap, const char *dir)
{
	int n = snprintf(out, cap, "%s/state", dir);
	return (n < 0 || (size_t)n >= cap) ? FWS_ELIMIT : 0;
}

static int format_state(char *buf, size_t cap, size_t *len, const struct fws_device_state *st)
{
	uint8_t digest[32];
	char hex[65];
	int n = snprintf(buf, cap,
			 STATE_MAGIC "hardware_id %s\nroot_version %" PRIu64
				     "\nsecurity_version %" PRIu64 "\nversion %s\n"
				     "active_slot %c\nhighest_created %" PRId64
				     "\ninstalls %" PRIu64 "\n",
			 st->hardware_id, st->root_version, st->security_version,
			 st->version[0] ? st->version : "-", st->active_slot,
			 st->highest_created, st->installs);
	if (n < 0 || (size_t)n + 72 >= cap)
		return FWS_ELIMIT;
	fws_sha256(buf, (size_t)n, digest);
	fws_hex_encode(hex, digest, sizeof(digest));
	int m = snprintf(buf + n, cap - (size_t)n, "sha256 %s\n", hex);
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return FWS_ELIMIT;
	*len = (size_t)n + (size_t)m;
	return 0;
}

static int valid_state(const struct fws_device_state *st)
{
	if (!fws_name_valid(st->hardware_id) || st->root_version < 1 ||
	    st->root_version > FWS_SIZE_MAX || st->security_version > FWS_SIZE_MAX ||
	    (st->active_slot != 'a' && st->active_slot != 'b') || st->highest_created < 0 ||
	    (st->version[0] != '\0' && !fws_semver_valid(st->version)))
		return FWS_ESTATE;
	return 0;
}

int fws_state_save(const char *dir, const struct fws_device_state *st)
{
	char path[PATH_MAX], buf[STATE_MAX];
	size_t len;
	int rc = valid_state(st);
	if (rc == 0)
		rc = state_path(path, sizeof(path), dir);
	if (rc == 0)
		rc = format_state(buf, sizeof(buf), &len, st);
	if (rc == 0)
		rc = fws_file_write_atomic(path, buf, len, 0600, 0);
	return rc;
}

/* Takes "key value\n" from *p; value copied to out (cap bytes). */
static int take_line(const char **p, const char *end, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL || (size_t)(nl - *p) <= kl + 1 || strncmp(*p, key, kl) != 0 ||
	    (*p)[kl] != ' ')
		return FWS_ESTATE;
	size_t vl = (size_t)(nl - (*p + kl + 1));
	if (vl + 1 > cap || memchr(*p + kl + 1, '\0', vl) != NULL)
		return FWS_ESTATE;
	memcpy(out, *p + kl + 1, vl);
	out[vl] = '\0';
	*p = nl + 1;
	return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return FWS_ESTATE;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return FWS_ESTATE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int fws_state_load(const char *dir, struct fws_device_state *st)
{
	char path[PATH_MAX], v[FWS_VERSION_MAX + 2], again[STATE_MAX];
	uint8_t *buf = NULL;
	size_t len, again_len;
	uint64_t created = 0;
	int rc = state_path(path, sizeof(path), dir);
	if (rc == 0)
		rc = fws_file_read_all(path, STATE_MAX, &buf, &len);
	if (rc != 0)
		return rc == FWS_ENOENT ? FWS_ESTATE : (rc == FWS_ELIMIT ? FWS_ESTATE : rc);
	memset(st, 0, sizeof(*st));
	const char *p = (const char *)buf, *end = p + len;
	rc = FWS_ESTATE;
	if (len < sizeof(STATE_MAGIC) - 1 || memcmp(p, STATE_MAGIC, sizeof(STATE_MAGIC) - 1) != 0)
		goto out;
	p += sizeof(STATE_MAGIC) - 1;
	if (take_line(&p, end, "hardware_id", st->hardware_id, sizeof(st->hardware_id)) ||
	    take_line(&p, end, "root_version", v, sizeof(v)) ||
	    parse_u64(v, FWS_SIZE_MAX, &st->root_version) ||
	    take_line(&p, end, "security_version", v, sizeof(v)) ||
	    parse_u64(v, FWS_SIZE_MAX, &st->security_version) ||
	    take_line(&p, end, "version", st->version, sizeof(st->version)) ||
	    take_line(&p, end, "active_slot", v, sizeof(v)) || strlen(v) != 1 ||
	    (st->active_slot = v[0], 0) || take_line(&p, end, "highest_created", v, sizeof(v)) ||
	    parse_u64(v, INT64_MAX, &created) || take_line(&p, end, "installs", v, sizeof(v)) ||
	    parse_u64(v, FWS_SIZE_MAX, &st->installs))
		goto out;
	st->highest_created = (int64_t)created;
	if (strcmp(st->version, "-") == 0)
		st->version[0] = '\0';
	if (valid_state(st) != 0)
		goto out;
	/* The checksum: re-render the parsed state and require the file to be
	 * exactly that, byte for byte, so there is one valid encoding. */
	if (format_state(again, sizeof(again), &again_len, st) != 0 || again_len != len ||
	    memcmp(again, buf, len) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		memset(st, 0, sizeof(*st));
	free(buf);
	return rc;
}
