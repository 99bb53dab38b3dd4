/* SPDX-License-Identifier: Apache-2.0 */
/* The steps every device operation shares (lib/device/lifecycle.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/lifecycle.h"
#include "fwseal/error.h"
#include "fwseal/root.h"
#include "io/io.h"

int fws_slot_index(char set)
{
	return set == 'b' ? 1 : 0;
}

char fws_other_set(char set)
{
	return set == 'a' ? 'b' : 'a';
}

int64_t fws_op_now(const struct op *o)
{
	/* A trusted clock if the integrator has one, else the newest `created`
	 * the device verified: a clock reset to 1970 cannot make a stale root
	 * look fresh, and a wrong clock can never brick the device. */
	int64_t now = o->st.highest_created, clock_now;
	const struct fws_clock *c = &o->dev->clock;
	if (c->now != NULL && c->now(c->ctx, &clock_now) == 0 && clock_now > now)
		now = clock_now;
	return now;
}

int fws_op_load_state(struct fws_device *dev, struct fws_device_state *st)
{
	uint8_t buf[FWS_STATE_MAX];
	size_t len;
	int rc = dev->store.load_state(dev->store.ctx, buf, sizeof(buf), &len);
	/* Missing or oversized: refuse, never reset to "nothing installed". */
	if (rc == FWS_ENOENT)
		return fws_diag_set(FWS_ESTATE, 0, "state", "missing: the device is not provisioned");
	if (rc == FWS_ELIMIT)
		return fws_diag_set(FWS_ESTATE, 0, "state", "larger than a state can be");
	if (rc != 0)
		return rc;
	rc = fws_state_decode(buf, len, st);
	if (rc != 0)
		return fws_diag_set(rc, 0, "state", "corrupt (not a valid fwseal-state 3, 4 or 5 file)");
	return 0;
}

int fws_op_load_root(struct fws_device *dev, const struct fws_device_state *st,
		     struct fws_root *root, struct fws_envelope *env)
{
	uint8_t *buf = malloc(FWS_ENVELOPE_MAX);
	size_t len;
	int rc = buf == NULL ? FWS_ENOMEM
			     : dev->store.load_root(dev->store.ctx, buf, FWS_ENVELOPE_MAX, &len);
	if (rc == FWS_ENOENT)
		rc = fws_diag_set(FWS_ESTATE, 0, "root.json", "missing");
	if (rc == 0 && (rc = fws_root_load(buf, len, root, env)) != 0)
		(void)fws_diag_set(rc, 0, "root.json", NULL);
	/* The root is saved before the state during an update, so it may be one
	 * step newer than the state says, never older (a swapped-in old root). */
	if (rc == 0 && root->version < st->root_version)
		rc = fws_diag_set(FWS_EROOTVERSION, 0, "root.json",
				  "version %llu is older than the state's %llu",
				  (unsigned long long)root->version,
				  (unsigned long long)st->root_version);
	free(buf);
	return rc;
}

int fws_op_floor(struct op *o, uint64_t *floor)
{
	if (!o->floor_known) {
		int rc = fws_floor_read(&o->dev->floor, 0, &o->floor);
		if (rc != 0)
			return rc;
		o->floor_known = 1;
	}
	*floor = o->floor > o->st.security_version ? o->floor : o->st.security_version;
	return 0;
}

int fws_op_floor_step_ok(struct op *o, uint64_t sv)
{
	const struct fws_floor *f = &o->dev->floor;
	uint64_t floor;
	if (f->update == NULL)
		return 0; /* the file floor: the state's counter moves freely */
	int rc = fws_op_floor(o, &floor);
	if (rc == 0 && f->max_step != 0 && sv > floor && sv - floor > f->max_step)
		rc = fws_diag_set(FWS_EFLOORSTEP, 0, NULL,
				  "security_version %llu is more than max-step %u above the rollback "
				  "floor %llu (%s): it could never be confirmed",
				  (unsigned long long)sv, (unsigned)f->max_step,
				  (unsigned long long)floor, f->name);
	if (rc == 0 && f->is_update_possible != NULL && sv > floor)
		rc = f->is_update_possible(f->ctx, sv);
	return rc;
}

/* A confirmation a power cut interrupted (state.floor_confirming): the
 * decision was made and saved, so it is finished, never undone: the floor
 * is raised (again: raising is idempotent), then the pending set is
 * confirmed. Until the floor answers, no operation goes on. */
static int finish_confirmation(struct op *o)
{
	struct fws_device_state *st = &o->st;
	const struct fws_floor *f = &o->dev->floor;
	uint64_t n = st->floor_confirming;
	char p = st->pending_slot, detail[160];
	if (n == 0)
		return 0;
	int rc = f->update != NULL ? f->update(f->ctx, n) : 0;
	if (rc == 0) {
		fws_op_confirm_pending(o);
		rc = fws_op_save(o);
	}
	if (rc == 0)
		rc = fws_op_boot_sync(o, p);
	snprintf(detail, sizeof(detail),
		 "an interrupted confirmation of slot %c finished: rollback floor %llu (%s)", p,
		 (unsigned long long)n, f->name != NULL ? f->name : "file");
	const struct fws_slot_info *si = &st->slots[fws_slot_index(p)];
	fws_op_record(o, "mark-good", rc, detail, si->version, n, p, NULL, &rc);
	return rc;
}

void fws_op_confirm_pending(struct op *o)
{
	struct fws_device_state *st = &o->st;
	const struct fws_slot_info *si = &st->slots[fws_slot_index(st->pending_slot)];
	st->confirmed_slot = st->pending_slot;
	st->pending_slot = '-';
	/* Only now, with the new image confirmed good, is the counter raised:
	 * a failed update can always fall back. */
	if (si->security_version > st->security_version)
		st->security_version = si->security_version;
	st->floor_confirming = 0;
	memset(st->pending_manifest, 0, sizeof(st->pending_manifest));
}

int fws_op_save(struct op *o)
{
	char buf[FWS_STATE_MAX];
	size_t len;
	o->st.generation++;
	/* The seq this change's audit line will get: if the line never
	 * arrives, the next operation sees the state ahead of the log. */
	o->st.log_seq = o->dev->log != NULL ? o->log_last + 1 : 0;
	int rc = fws_state_encode(&o->st, buf, sizeof(buf), &len);
	if (rc == 0)
		rc = o->dev->store.save_state(o->dev->store.ctx, (const uint8_t *)buf, len);
	return rc;
}

void fws_op_record(struct op *o, const char *action, int result, const char *detail,
		   const char *version, uint64_t security_version, char set,
		   const uint8_t *digest, int *rc)
{
	struct fws_event ev = {action,		 result, detail, version != NULL && version[0] ? version : NULL,
			       security_version, set,	 digest, o->sbom_digest};
	if (o->dev->log == NULL)
		return;
	struct fws_diag saved = *fws_diag_last();
	int lr = fws_audit_log_append(o->dev->log, &ev, fws_op_now(o));
	if (lr == 0) {
		o->log_last++;
		fws_diag_restore(&saved);
		return;
	}
	o->dev->log_error = lr;
	/* A success the log cannot record is reported; a refusal keeps its
	 * own code (the refusal matters more than the missing line). */
	if (rc != NULL && *rc == 0)
		*rc = lr;
	else
		fws_diag_restore(&saved);
}

void fws_op_forget(struct op *o, char set)
{
	struct fws_slot_info *si = &o->st.slots[fws_slot_index(set)];
	si->version[0] = '\0';
	si->security_version = 0;
	if (o->st.pending_slot == set) {
		o->st.pending_slot = '-';
		memset(o->st.pending_manifest, 0, sizeof(o->st.pending_manifest));
	}
}

static int holds_image(const struct op *o, char set)
{
	return o->st.slots[fws_slot_index(set)].version[0] != '\0';
}

/* The other set may stay the bootloader's fallback only while its image
 * is not below the counter: once an update raised the security_version,
 * the old image is one the device must not boot again (ADR-032). */
static int may_fall_back_to(const struct op *o, char set)
{
	return holds_image(o, set) &&
	       o->st.slots[fws_slot_index(set)].security_version >= o->st.security_version;
}

int fws_op_boot_sync(struct op *o, char renew)
{
	struct fws_boot_view v = o->view;
	char c = o->st.confirmed_slot, p = o->st.pending_slot, other = fws_other_set(c);
	uint32_t tries = o->dev->boot_attempts ? o->dev->boot_attempts : FWS_BOOT_ATTEMPTS;
	int n = 0;
	if (p != '-')
		v.order[n++] = p;
	v.order[n++] = c; /* always bootable, even empty (the factory state) */
	if (p == '-' && may_fall_back_to(o, other))
		v.order[n++] = other;
	while (n < 2)
		v.order[n++] = '-';
	for (int i = 0; i < 2; i++) {
		char s = i == 0 ? 'a' : 'b';
		if (v.order[0] != s && v.order[1] != s)
			v.left[i] = 0;
		else if (s == renew)
			v.left[i] = tries;
	}
	int rc = o->dev->boot.write(o->dev->boot.ctx, &v);
	if (rc == 0) {
		v.booted = o->view.booted;
		o->view = v;
	}
	return rc;
}

static int in_order(const struct fws_boot_view *v, char set)
{
	return v->order[0] == set || v->order[1] == set;
}

/* The bootloader is written after the state (state first: it is the
 * record), and the audit line after both. A crash in between leaves the
 * bootloader behind: a pending set it was never told about, or a set
 * still in its order that the state gave up. A set given up is taken out
 * whenever it is found (that only ever removes a way to boot). A pending
 * set missing from the order is put back only when the state is ahead of
 * the log, i.e. the install was interrupted before its audit line: at
 * any other time a missing pending set is one the bootloader dropped, a
 * failed trial (reconcile), and putting it back would boot it again. */
static int bootloader_follows_state(struct op *o)
{
	char p = o->st.pending_slot;
	const struct fws_boot_view *v = &o->view;
	if (o->interrupted && p != '-' && v->booted != p && !in_order(v, p))
		return fws_op_boot_sync(o, p); /* an install's last step, lost */
	for (int i = 0; i < 2; i++) {
		char s = "ab"[i];
		if (in_order(v, s) && s != o->st.confirmed_slot && s != p && !may_fall_back_to(o, s))
			return fws_op_boot_sync(o, '-'); /* given up or below the counter */
	}
	return 0;
}

/* A pending set the bootloader gave up on (not running, and either no
 * tries left, the boot script spent them all, or taken out of its order)
 * failed its trial: forgotten, so no later rollback can make it the
 * confirmed set without a boot that proves it. */
static int reconcile(struct op *o)
{
	char p = o->st.pending_slot, ver[FWS_VERSION_MAX + 1], detail[160];
	const struct fws_boot_view *v = &o->view;
	if (p == '-' || v->booted == p)
		return 0;
	if (in_order(v, p) && v->left[fws_slot_index(p)] > 0)
		return 0; /* not tried out yet */
	/* Which set runs is not known (BOOTED and the kernel command line
	 * disagree, or neither says): a pending set with no tries left may be
	 * the one running its last try. Nothing is decided on a guess. */
	if (in_order(v, p) && v->booted == '-')
		return 0;
	const struct fws_slot_info *si = &o->st.slots[fws_slot_index(p)];
	uint64_t sv = si->security_version;
	memcpy(ver, si->version, sizeof(ver));
	snprintf(detail, sizeof(detail),
		 "slot %c %s without mark-good; the bootloader went back to slot %c", p,
		 in_order(v, p) ? "used up its boot tries" : "was taken out of the boot order",
		 o->st.confirmed_slot);
	fws_op_forget(o, p);
	int rc = fws_op_save(o);
	if (rc == 0)
		rc = fws_op_boot_sync(o, '-');
	fws_op_record(o, "fallback", rc, detail, ver, sv, p, NULL, &rc);
	if (rc == 0)
		o->dev->fell_back = p;
	return rc;
}

/* A state saved without its audit line (a crash between the two): the
 * state is one line ahead of the log. Anything else ahead is not ours to
 * explain. */
static int find_interrupted(struct op *o)
{
	const struct fws_device_state *st = &o->st;
	o->interrupted = 0;
	if (o->dev->log == NULL || st->log_seq <= o->log_last)
		return 0;
	if (st->log_seq != o->log_last + 1)
		return fws_diag_set(FWS_ESTATE, 0, "log",
				    "the state refers to line %llu, the log ends at line %llu",
				    (unsigned long long)st->log_seq,
				    (unsigned long long)o->log_last);
	o->interrupted = 1;
	return 0;
}

/* The interrupted change happened: it is recorded now, as what the state
 * shows, once the bootloader has been brought in line (a crash before this
 * line repeats the whole recovery). */
static int record_recovery(struct op *o)
{
	char detail[240];
	const struct fws_device_state *st = &o->st;
	const struct fws_slot_info *c = &st->slots[fws_slot_index(st->confirmed_slot)];
	if (!o->interrupted)
		return 0;
	int rc = 0, pending = st->pending_slot != '-';
	const struct fws_slot_info *p = pending ? &st->slots[fws_slot_index(st->pending_slot)] : c;
	snprintf(detail, sizeof(detail),
		 "an interrupted operation changed the state before its audit line; now confirmed "
		 "%c (%s), pending %c%s%s%s, security_version %llu",
		 st->confirmed_slot, c->version[0] ? c->version : "empty", st->pending_slot,
		 pending ? " (" : "", pending ? p->version : "", pending ? ")" : "",
		 (unsigned long long)st->security_version);
	/* The line names what it recovers: the pending release (an install
	 * whose line was lost), by version and manifest digest, else the
	 * confirmed one. A state saved before the digest was kept has none. */
	uint8_t zero[32] = {0};
	int digest = pending && memcmp(st->pending_manifest, zero, sizeof(zero)) != 0;
	fws_op_record(o, "recover", 0, detail, p->version, p->security_version,
		      pending ? st->pending_slot : st->confirmed_slot,
		      digest ? st->pending_manifest : NULL, &rc);
	return rc;
}

int fws_op_begin_locked(struct op *o)
{
	struct fws_device *dev = o->dev;
	int rc = dev->boot.read(dev->boot.ctx, &o->view);
	if (rc == 0 && dev->log != NULL) {
		rc = fws_audit_log_position(dev->log, &o->log_last);
		/* An operation the log cannot record is not made. */
		if (rc != 0)
			(void)fws_diag_set(rc, fws_diag_last()->os_errno, "log",
					   "the audit log cannot record (run `log --verify`)");
	}
	if (rc == 0 && dev->slots.cleanup != NULL)
		(void)dev->slots.cleanup(dev->slots.ctx);
	if (rc == 0)
		rc = find_interrupted(o);
	if (rc == 0)
		rc = bootloader_follows_state(o);
	if (rc == 0)
		rc = record_recovery(o);
	/* Before reconcile: a set whose confirmation was decided is not one
	 * the bootloader's fallback may take away. */
	if (rc == 0)
		rc = finish_confirmation(o);
	if (rc == 0)
		rc = reconcile(o);
	return rc;
}

int fws_op_lock_and_load(struct op *o)
{
	struct fws_device *dev = o->dev;
	int rc = 0;
	if (dev->store.lock != NULL) {
		rc = dev->store.lock(dev->store.ctx,
				     dev->lock_timeout_ms ? dev->lock_timeout_ms : FWS_LOCK_TIMEOUT_MS);
		o->locked = rc == 0;
	}
	return rc == 0 ? fws_op_load_state(dev, &o->st) : rc;
}

int fws_op_begin(struct fws_device *dev, struct op *o)
{
	memset(o, 0, sizeof(*o));
	o->dev = dev;
	dev->log_error = 0;
	dev->fell_back = '-';
	int rc = fws_op_lock_and_load(o);
	if (rc == 0)
		rc = fws_op_begin_locked(o);
	if (rc != 0)
		fws_op_end(o);
	return rc;
}

void fws_op_end(struct op *o)
{
	if (o->locked && o->dev->store.unlock != NULL)
		o->dev->store.unlock(o->dev->store.ctx);
	o->locked = 0;
}
