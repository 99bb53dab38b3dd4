/* The simulated A/B device: provisioning and verify-then-install.
 *
 * DIR/root.json  trusted root (DSSE envelope)
 * DIR/state      checksummed state (state.c)
 * DIR/a, DIR/b   slots; a payload lands at DIR/<slot>/<target>
 * DIR/lock       held (flock) for the whole of an install
 *
 * Chunks reach DIR/<slot>/.<target>.part only after their digest matched;
 * the .part files are renamed into place only after the whole bundle
 * verified (including "nothing after the archive"), then the state switches
 * slots. Until that last atomic rename of DIR/state the device still boots
 * the old slot with the old state. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/device.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/root.h"

struct slot_sink {
	const char *dir;
	char slot;
	int fd;
	char part[FWS_MAX_PAYLOADS][PATH_MAX];
	char final[FWS_MAX_PAYLOADS][PATH_MAX];
	size_t n;
};

static int path_join(char *out, const char *dir, const char *a, const char *b)
{
	int n = b ? snprintf(out, PATH_MAX, "%s/%s/%s", dir, a, b)
		  : snprintf(out, PATH_MAX, "%s/%s", dir, a);
	return (n < 0 || n >= PATH_MAX) ? FWS_ELIMIT : 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FWS_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sink_begin(void *ctx, const struct fws_payload *p)
{
	struct slot_sink *s = ctx;
	char name[FWS_NAME_MAX + 8];
	if (s->n == FWS_MAX_PAYLOADS)
		return FWS_EINTERNAL;
	snprintf(name, sizeof(name), ".%s.part", p->target);
	int rc = path_join(s->part[s->n], s->dir, (char[]){s->slot, '\0'}, name);
	if (rc == 0)
		rc = path_join(s->final[s->n], s->dir, (char[]){s->slot, '\0'}, p->target);
	if (rc != 0)
		return rc;
	/* O_NOFOLLOW: a planted symlink must not redirect the write. */
	s->fd = open(s->part[s->n], O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (s->fd < 0)
		return FWS_EIO;
	s->n++;
	return 0;
}

static int sink_write(void *ctx, const uint8_t *data, size_t len)
{
	struct slot_sink *s = ctx;
	return write_all(s->fd, data, len);
}

static int sink_end(void *ctx, const struct fws_payload *p)
{
	struct slot_sink *s = ctx;
	(void)p;
	int rc = fsync(s->fd) == 0 ? 0 : FWS_EIO;
	if (close(s->fd) != 0 && rc == 0)
		rc = FWS_EIO;
	s->fd = -1;
	return rc;
}

static void sink_discard(struct slot_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	for (size_t i = 0; i < s->n; i++)
		unlink(s->part[i]);
}

static int sink_commit(struct slot_sink *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (rename(s->part[i], s->final[i]) != 0)
			return FWS_EIO;
	return s->n > 0 ? fws_fsync_parent(s->final[0]) : 0;
}

int fws_device_init(const char *dir, const char *root_path, const char *hardware_id)
{
	struct fws_root root;
	struct fws_envelope *env = NULL;
	struct fws_device_state st;
	char path[PATH_MAX];
	uint8_t *raw = NULL;
	size_t raw_len;
	int rc;

	if (dir == NULL || root_path == NULL || !fws_name_valid(hardware_id))
		return FWS_EUSAGE;
	env = malloc(sizeof(*env));
	if (env == NULL)
		return FWS_ENOMEM;
	rc = fws_root_load_file(root_path, &root, env);
	if (rc == 0)
		rc = fws_file_read_all(root_path, FWS_ENVELOPE_MAX, &raw, &raw_len);
	if (rc != 0)
		goto out;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = FWS_EIO;
		goto out;
	}
	rc = path_join(path, dir, "state", NULL);
	if (rc != 0)
		goto out;
	if (access(path, F_OK) == 0) {
		rc = FWS_EEXIST; /* never silently re-provision over a device */
		goto out;
	}
	const char *slots[] = {"a", "b"};
	for (int i = 0; i < 2; i++) {
		rc = path_join(path, dir, slots[i], NULL);
		if (rc != 0)
			goto out;
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			rc = FWS_EIO;
			goto out;
		}
	}
	rc = path_join(path, dir, "root.json", NULL);
	if (rc == 0)
		rc = fws_file_write_atomic(path, raw, raw_len, 0644, 0);
	if (rc != 0)
		goto out;
	memset(&st, 0, sizeof(st));
	strcpy(st.hardware_id, hardware_id);
	st.root_version = root.version;
	st.active_slot = 'a';
	st.highest_created = root.created;
	rc = fws_state_save(dir, &st);
out:
	free(raw);
	free(env);
	return rc;
}

/* Loads the trusted root; it must be self-signed and not older than the
 * version the state recorded (a swapped-in old root.json is refused). */
static int load_trusted_root(const char *dir, const struct fws_device_state *st,
			     struct fws_root *root, struct fws_envelope *env)
{
	char path[PATH_MAX];
	int rc = path_join(path, dir, "root.json", NULL);
	if (rc == 0)
		rc = fws_root_load_file(path, root, env);
	if (rc == 0 && root->version < st->root_version)
		rc = FWS_EROOTVERSION;
	return rc == FWS_ENOENT ? FWS_ESTATE : rc;
}

static int lock_device(const char *dir, int *fd)
{
	char path[PATH_MAX];
	int rc = path_join(path, dir, "lock", NULL);
	if (rc != 0)
		return rc;
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return FWS_EIO;
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return errno == EWOULDBLOCK ? FWS_EBUSY : FWS_EIO;
	}
	return 0;
}

int fws_device_install(const char *dir, fws_read_fn read, void *read_ctx,
		       const struct fws_install_opts *opts, struct fws_verify_result *result)
{
	struct fws_device_state st, next;
	struct fws_root *root = NULL;
	struct fws_envelope *env = NULL;
	struct fws_verify_opts vo;
	struct slot_sink sink_ctx;
	struct fws_sink sink = {&sink_ctx, sink_begin, sink_write, sink_end, NULL};
	char path[PATH_MAX];
	int lock_fd = -1, rc;

	memset(&sink_ctx, 0, sizeof(sink_ctx));
	sink_ctx.fd = -1;
	rc = lock_device(dir, &lock_fd);
	if (rc != 0)
		return rc;
	root = malloc(sizeof(*root));
	env = malloc(sizeof(*env));
	if (root == NULL || env == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	rc = fws_state_load(dir, &st);
	if (rc == 0)
		rc = load_trusted_root(dir, &st, root, env);
	if (rc != 0)
		goto out;
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = root;
	vo.policy.hardware_id = st.hardware_id;
	vo.policy.check_rollback = 1;
	vo.policy.security_version = st.security_version;
	vo.policy.installed_version = st.version;
	vo.policy.allow_downgrade = opts != NULL && opts->allow_downgrade;
	/* Expiry is judged against the newest time the device can trust: a
	 * trusted clock if the integrator has one, else the newest `created`
	 * it has verified. A clock reset to 1970 cannot make a stale root look
	 * fresh, and a wrong clock can never brick the device. */
	vo.now = st.highest_created;
	if (opts != NULL && opts->now > vo.now)
		vo.now = opts->now;
	sink_ctx.dir = dir;
	sink_ctx.slot = st.active_slot == 'a' ? 'b' : 'a';

	rc = fws_bundle_verify(read, read_ctx, &vo, &sink, result);
	if (rc != 0)
		goto out;
	rc = sink_commit(&sink_ctx);
	if (rc != 0)
		goto out;
	if (result->root_advanced) {
		char *json = NULL;
		size_t json_len;
		rc = fws_envelope_encode(&result->root_envelope, &json, &json_len);
		if (rc == 0)
			rc = path_join(path, dir, "root.json", NULL);
		if (rc == 0)
			rc = fws_file_write_atomic(path, json, json_len, 0644, 0);
		free(json);
		if (rc != 0)
			goto out;
	}
	next = st;
	next.root_version = result->root.version;
	next.security_version = result->manifest.security_version;
	strcpy(next.version, result->manifest.version);
	next.active_slot = sink_ctx.slot;
	if (result->manifest.created > next.highest_created)
		next.highest_created = result->manifest.created;
	if (result->root.created > next.highest_created)
		next.highest_created = result->root.created;
	next.installs++;
	rc = fws_state_save(dir, &next); /* the commit point */
out:
	if (rc != 0)
		sink_discard(&sink_ctx);
	if (lock_fd >= 0)
		close(lock_fd);
	free(root);
	free(env);
	return rc;
}
