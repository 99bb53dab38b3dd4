/* Device life cycle over pluggable backends: provision, install (verify
 * while streaming into the inactive slot, then pending), boot, mark-good,
 * rollback. Every operation holds the store's lock, loads the state, and
 * saves a new state only as its last, atomic step; a refused or failed
 * operation leaves the state as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/device.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/policy.h"
#include "fwseal/root.h"

static int slot_index(char slot)
{
	return slot == 'b' ? 1 : 0;
}

static char other_slot(char slot)
{
	return slot == 'a' ? 'b' : 'a';
}

static int64_t trusted_now(struct fws_device *dev, const struct fws_device_state *st)
{
	/* The newest time the device can trust: a trusted clock if the
	 * integrator has one, else the newest `created` it has verified. A
	 * clock reset to 1970 cannot make a stale root look fresh, and a wrong
	 * clock can never brick the device. */
	int64_t now = st != NULL ? st->highest_created : 0, clock_now;
	if (dev->clock.now != NULL && dev->clock.now(dev->clock.ctx, &clock_now) == 0 &&
	    clock_now > now)
		now = clock_now;
	return now;
}

static int load_state(struct fws_device *dev, struct fws_device_state *st)
{
	uint8_t buf[FWS_STATE_MAX];
	size_t len;
	int rc = dev->store.load_state(dev->store.ctx, buf, sizeof(buf), &len);
	if (rc == FWS_ENOENT || rc == FWS_ELIMIT)
		return FWS_ESTATE; /* missing or oversized state: refuse, never reset */
	if (rc != 0)
		return rc;
	return fws_state_decode(buf, len, st);
}

static int save_state(struct fws_device *dev, struct fws_device_state *st)
{
	char buf[FWS_STATE_MAX];
	size_t len;
	st->generation++;
	int rc = fws_state_encode(st, buf, sizeof(buf), &len);
	if (rc == 0)
		rc = dev->store.save_state(dev->store.ctx, (const uint8_t *)buf, len);
	return rc;
}

static int load_root(struct fws_device *dev, const struct fws_device_state *st,
		     struct fws_root *root, struct fws_envelope *env)
{
	uint8_t *buf = malloc(FWS_ENVELOPE_MAX);
	size_t len;
	int rc = buf == NULL ? FWS_ENOMEM
			     : dev->store.load_root(dev->store.ctx, buf, FWS_ENVELOPE_MAX, &len);
	if (rc == 0)
		rc = fws_root_load(buf, len, root, env);
	/* The root is saved before the state during an update, so it may be one
	 * step newer than the state says, never older (a swapped-in old root). */
	if (rc == 0 && root->version < st->root_version)
		rc = FWS_EROOTVERSION;
	free(buf);
	return rc == FWS_ENOENT ? FWS_ESTATE : rc;
}

static void record(struct fws_device *dev, const char *action, int result, const char *detail,
		   const char *version, uint64_t secver, char slot, const uint8_t *digest,
		   int64_t now, int *rc)
{
	struct fws_event ev = {action, result, detail, version, secver, slot, digest};
	if (dev->log.append == NULL)
		return;
	int lr = dev->log.append(dev->log.ctx, &ev, now);
	/* A success the log cannot record is reported; a refusal keeps its own
	 * code (the refusal matters more than the missing line). */
	if (lr != 0 && rc != NULL && *rc == 0)
		*rc = lr;
}

static int log_ready(struct fws_device *dev)
{
	return dev->log.ready != NULL ? dev->log.ready(dev->log.ctx) : 0;
}

static int lock(struct fws_device *dev)
{
	return dev->store.lock != NULL ? dev->store.lock(dev->store.ctx) : 0;
}

static void unlock(struct fws_device *dev)
{
	if (dev->store.unlock != NULL)
		dev->store.unlock(dev->store.ctx);
}

int fws_device_provision(struct fws_device *dev, const uint8_t *root_json, size_t root_len,
			 const char *hardware_id, const char *device_id)
{
	struct fws_device_state st;
	struct fws_root *root = malloc(sizeof(*root));
	uint8_t probe[16];
	size_t probe_len;
	int rc;

	if (device_id == NULL)
		device_id = hardware_id;
	if (root == NULL)
		return FWS_ENOMEM;
	if (!fws_name_valid(hardware_id) || !fws_name_valid(device_id) ||
	    strlen(device_id) > FWS_DEVICE_ID_MAX) {
		free(root);
		return FWS_EUSAGE;
	}
	rc = lock(dev);
	if (rc != 0) {
		free(root);
		return rc;
	}
	/* Any existing state, even a corrupt one, means a provisioned device:
	 * re-provisioning would reset its rollback counter. */
	rc = dev->store.load_state(dev->store.ctx, probe, sizeof(probe), &probe_len);
	if (rc != FWS_ENOENT) {
		rc = FWS_EEXIST;
		goto out;
	}
	rc = fws_root_load(root_json, root_len, root, NULL);
	if (rc == 0)
		rc = dev->store.save_root(dev->store.ctx, root_json, root_len);
	if (rc != 0)
		goto out;
	memset(&st, 0, sizeof(st));
	strcpy(st.hardware_id, hardware_id);
	strcpy(st.device_id, device_id);
	st.root_version = root->version;
	st.confirmed_slot = 'a';
	st.pending_slot = '-';
	st.booted_slot = '-';
	st.highest_created = root->created;
	rc = save_state(dev, &st);
	record(dev, "init", rc, hardware_id, NULL, 0, 0, NULL, trusted_now(dev, &st), &rc);
out:
	unlock(dev);
	free(root);
	return rc;
}

/* Verification callbacks: the device's policy and its slot writer. */
struct install_ctx {
	struct fws_device *dev;
	struct fws_device_state *st;
	const struct fws_install_opts *opts;
	int64_t now;
	char slot;
	int permit_used;
	struct fws_permit permit;
};

/* Marks slot empty (and not pending) in the saved state before its contents
 * change. needed = 0 only checks nothing is to do. */
static int invalidate_slot(struct fws_device *dev, struct fws_device_state *st, char slot,
			   int needed)
{
	struct fws_slot_info *si = &st->slots[slot_index(slot)];
	if (!needed || (si->version[0] == '\0' && st->pending_slot != slot))
		return 0;
	si->version[0] = '\0';
	si->security_version = 0;
	if (st->pending_slot == slot)
		st->pending_slot = '-';
	return save_state(dev, st);
}

static int on_manifest(void *ctx, const struct fws_verify_result *r)
{
	struct install_ctx *ic = ctx;
	const struct fws_device_state *st = ic->st;
	struct fws_policy p = {st->hardware_id, 1, st->security_version,
			       st->slots[slot_index(st->confirmed_slot)].version,
			       ic->opts != NULL && ic->opts->allow_downgrade};
	int rc = fws_policy_check(&r->manifest, &p);
	/* A release-signed permit for exactly this bundle and this device is
	 * the one way past anti-rollback (a field recall), and only once. */
	if ((rc == FWS_EROLLBACK || rc == FWS_EDOWNGRADE) && ic->opts != NULL &&
	    ic->opts->permit != NULL) {
		rc = fws_permit_check(ic->opts->permit, ic->opts->permit_len, &r->root, st,
				      &r->manifest, r->manifest_body_sha256, ic->now,
				      &ic->permit);
		ic->permit_used = rc == 0;
	}
	if (rc == 0)
		rc = invalidate_slot(ic->dev, ic->st, ic->slot, ic->dev->slots.in_place);
	return rc;
}

static int on_begin(void *ctx, const struct fws_payload *p)
{
	struct install_ctx *ic = ctx;
	return ic->dev->slots.open(ic->dev->slots.ctx, ic->slot, p);
}

static int on_write(void *ctx, const uint8_t *data, size_t len)
{
	struct install_ctx *ic = ctx;
	return ic->dev->slots.write(ic->dev->slots.ctx, data, len);
}

static int on_end(void *ctx, const struct fws_payload *p)
{
	struct install_ctx *ic = ctx;
	(void)p;
	return ic->dev->slots.close(ic->dev->slots.ctx);
}

/* After full verification: persist root, then make the slot's payloads
 * current, then the new state. The slot is marked empty in the state
 * before its files change, so a crash in between never leaves a slot the
 * state calls valid holding half of two images. */
static int commit_install(struct fws_device *dev, struct fws_device_state *st, char slot,
			  const struct fws_verify_result *res, const struct install_ctx *ic)
{
	struct fws_slot_info *si = &st->slots[slot_index(slot)];
	char *json = NULL;
	size_t json_len;
	int rc = 0;
	if (res->root_advanced) {
		rc = fws_envelope_encode(&res->root_envelope, &json, &json_len);
		if (rc == 0)
			rc = dev->store.save_root(dev->store.ctx, (const uint8_t *)json, json_len);
		free(json);
		if (rc != 0)
			return rc;
	}
	rc = invalidate_slot(dev, st, slot, 1);
	if (rc != 0)
		return rc;
	rc = dev->slots.commit(dev->slots.ctx, slot);
	if (rc != 0)
		return rc;
	strcpy(si->version, res->manifest.version);
	si->security_version = res->manifest.security_version;
	st->pending_slot = slot;
	st->boot_attempts = dev->boot_attempts ? dev->boot_attempts : FWS_BOOT_ATTEMPTS;
	st->root_version = res->root.version;
	if (res->manifest.created > st->highest_created)
		st->highest_created = res->manifest.created;
	if (res->root.created > st->highest_created)
		st->highest_created = res->root.created;
	if (ic->permit_used)
		st->permit_floor = ic->permit.created;
	st->installs++;
	return save_state(dev, st);
}

int fws_device_install(struct fws_device *dev, fws_read_fn read, void *read_ctx,
		       const struct fws_install_opts *opts, struct fws_verify_result *res)
{
	struct fws_device_state st;
	struct fws_root *root = malloc(sizeof(*root));
	struct fws_envelope *env = malloc(sizeof(*env));
	struct install_ctx ic;
	struct fws_verify_opts vo;
	struct fws_sink sink = {&ic, on_begin, on_write, on_end, on_manifest};
	int rc, locked = 0, loaded = 0;

	memset(res, 0, sizeof(*res));
	memset(&ic, 0, sizeof(ic));
	rc = (root == NULL || env == NULL) ? FWS_ENOMEM : lock(dev);
	locked = rc == 0;
	if (rc == 0)
		rc = load_state(dev, &st);
	if (rc == 0)
		rc = log_ready(dev);
	loaded = rc == 0; /* from here on, every outcome is recorded */
	if (rc == 0)
		rc = load_root(dev, &st, root, env);
	/* Never overwrite the slot that is running: a pending image must be
	 * confirmed (mark-good) or given up (rollback) first, and after a
	 * rollback the old slot stays in use until the next boot. */
	if (rc == 0 && st.booted_slot == other_slot(st.confirmed_slot))
		rc = FWS_EBUSY;
	if (rc != 0)
		goto out;
	ic.dev = dev;
	ic.st = &st;
	ic.opts = opts;
	ic.now = trusted_now(dev, &st);
	ic.slot = other_slot(st.confirmed_slot);
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = root;
	vo.policy.hardware_id = st.hardware_id; /* rollback: on_manifest, permits */
	vo.now = ic.now;
	rc = fws_bundle_verify(read, read_ctx, &vo, &sink, res);
	if (rc == 0)
		rc = commit_install(dev, &st, ic.slot, res, &ic);
out:
	if (rc != 0 && locked)
		dev->slots.discard(dev->slots.ctx, ic.slot ? ic.slot : 'a');
	if (locked && loaded && rc == 0 && res->root_advanced) {
		char detail[64];
		snprintf(detail, sizeof(detail), "trusted root v%llu -> v%llu",
			 (unsigned long long)root->version, (unsigned long long)res->root.version);
		record(dev, "root-update", 0, detail, NULL, 0, 0, NULL, trusted_now(dev, &st), &rc);
	}
	if (locked && loaded)
		record(dev, "install", rc, ic.permit_used ? "with downgrade permit" : NULL,
		       res->manifest.version[0] ? res->manifest.version : NULL,
		       res->manifest.security_version, rc == 0 ? ic.slot : 0,
		       res->manifest.version[0] ? res->manifest_body_sha256 : NULL,
		       trusted_now(dev, &st), &rc);
	if (locked)
		unlock(dev);
	free(root);
	free(env);
	return rc;
}

/* A pending image given up: not pending, not a rollback target. */
static void forget_slot(struct fws_device_state *st, char slot)
{
	struct fws_slot_info *si = &st->slots[slot_index(slot)];
	si->version[0] = '\0';
	si->security_version = 0;
	st->pending_slot = '-';
	st->boot_attempts = 0;
}

/* Loads the state under the lock for the small life-cycle operations. */
static int begin_op(struct fws_device *dev, struct fws_device_state *st)
{
	int rc = lock(dev);
	if (rc != 0)
		return rc;
	rc = load_state(dev, st);
	if (rc == 0)
		rc = log_ready(dev); /* an operation the log cannot record is not made */
	if (rc != 0)
		unlock(dev);
	return rc;
}

int fws_device_boot(struct fws_device *dev, char *slot)
{
	struct fws_device_state st;
	const char *what = "confirmed slot";
	int rc = begin_op(dev, &st);
	if (rc != 0)
		return rc;
	if (st.pending_slot != '-' && st.boot_attempts > 0) {
		st.boot_attempts--;
		st.booted_slot = st.pending_slot;
		what = "pending slot (one boot attempt spent)";
	} else if (st.pending_slot != '-') {
		/* The new image never confirmed itself: back to the old one, and
		 * the failed image is forgotten so no later rollback can make it
		 * the confirmed slot without a boot that proves it. */
		forget_slot(&st, st.pending_slot);
		st.booted_slot = st.confirmed_slot;
		what = "fallback: pending slot used up its boot attempts";
	} else {
		st.booted_slot = st.confirmed_slot;
	}
	rc = save_state(dev, &st);
	if (rc == 0)
		*slot = st.booted_slot;
	const struct fws_slot_info *si = &st.slots[slot_index(st.booted_slot)];
	record(dev, "boot", rc, what, si->version, si->security_version, st.booted_slot, NULL,
	       trusted_now(dev, &st), &rc);
	unlock(dev);
	return rc;
}

int fws_device_mark_good(struct fws_device *dev)
{
	struct fws_device_state st;
	int rc = begin_op(dev, &st);
	if (rc != 0)
		return rc;
	if (st.pending_slot == '-' || st.booted_slot != st.pending_slot) {
		rc = FWS_ESTATE; /* only a running pending image can confirm itself */
	} else {
		const struct fws_slot_info *si = &st.slots[slot_index(st.pending_slot)];
		st.confirmed_slot = st.pending_slot;
		st.pending_slot = '-';
		st.boot_attempts = 0;
		/* Only now, with the new image confirmed good, is the counter
		 * raised: a failed update can always fall back. */
		if (si->security_version > st.security_version)
			st.security_version = si->security_version;
		rc = save_state(dev, &st);
	}
	const struct fws_slot_info *si = &st.slots[slot_index(st.confirmed_slot)];
	record(dev, "mark-good", rc, NULL, si->version, st.security_version, st.confirmed_slot,
	       NULL, trusted_now(dev, &st), &rc);
	unlock(dev);
	return rc;
}

int fws_device_rollback(struct fws_device *dev, char *slot)
{
	struct fws_device_state st;
	const char *what;
	int rc = begin_op(dev, &st);
	if (rc != 0)
		return rc;
	if (st.pending_slot != '-') {
		forget_slot(&st, st.pending_slot);
		what = "pending update cancelled";
	} else {
		char other = other_slot(st.confirmed_slot);
		const struct fws_slot_info *si = &st.slots[slot_index(other)];
		what = "returned to the other slot";
		if (si->version[0] == '\0')
			rc = FWS_ESTATE; /* nothing there to return to */
		else if (si->security_version < st.security_version)
			rc = FWS_EROLLBACK; /* that image is below the counter now */
		else
			st.confirmed_slot = other;
	}
	if (rc == 0)
		rc = save_state(dev, &st);
	if (rc == 0 && slot != NULL)
		*slot = st.confirmed_slot;
	const struct fws_slot_info *si = &st.slots[slot_index(st.confirmed_slot)];
	record(dev, "rollback", rc, what, si->version, si->security_version, st.confirmed_slot,
	       NULL, trusted_now(dev, &st), &rc);
	unlock(dev);
	return rc;
}

int fws_device_check(struct fws_device *dev, const char **part)
{
	struct fws_device_state st;
	struct fws_root *root = malloc(sizeof(*root));
	struct fws_envelope *env = malloc(sizeof(*env));
	const char *where = "state";
	int rc = (root == NULL || env == NULL) ? FWS_ENOMEM : load_state(dev, &st);
	if (rc == 0) {
		where = "root";
		rc = load_root(dev, &st, root, env);
	}
	if (rc == 0) {
		where = "log";
		rc = log_ready(dev);
	}
	if (part != NULL)
		*part = rc == 0 ? NULL : where;
	free(root);
	free(env);
	return rc;
}

int fws_device_state_get(struct fws_device *dev, struct fws_device_state *st)
{
	return load_state(dev, st);
}
