/* SPDX-License-Identifier: Apache-2.0 */
/* Device life cycle after install: provisioning, the simulated boot,
 * mark-good / mark-bad / mark-active / rollback, health and status.
 * Every change is saved to the state first, then written to the
 * bootloader, then recorded (lib/device/lifecycle.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/lifecycle.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/policy.h"
#include "fwseal/root.h"
#include "io/io.h"

static const struct fws_slot_info *info(const struct op *o, char set)
{
	return &o->st.slots[fws_slot_index(set)];
}

int fws_device_provision(struct fws_device *dev, const uint8_t *root_json, size_t root_len,
			 const char *hardware_id, const char *device_id,
			 const struct fws_factory *factory)
{
	struct op o;
	struct fws_root *root = malloc(sizeof(*root));
	uint8_t probe[16];
	size_t probe_len;
	int rc;

	if (device_id == NULL)
		device_id = hardware_id;
	memset(&o, 0, sizeof(o));
	o.dev = dev;
	dev->log_error = 0;
	dev->fell_back = '-';
	if (root == NULL)
		return FWS_ENOMEM;
	if (!fws_name_valid(hardware_id) || !fws_name_valid(device_id) ||
	    strlen(device_id) > FWS_DEVICE_ID_MAX ||
	    (factory != NULL && (factory->version == NULL || !fws_semver_valid(factory->version) ||
				 factory->security_version > FWS_SIZE_MAX))) {
		free(root);
		return FWS_EUSAGE;
	}
	rc = dev->store.lock != NULL ? dev->store.lock(dev->store.ctx, 0) : 0;
	o.locked = rc == 0;
	/* Any existing state, even a corrupt one, means a provisioned device:
	 * re-provisioning would reset its rollback counter. */
	if (rc == 0 && dev->store.load_state(dev->store.ctx, probe, sizeof(probe), &probe_len) !=
			   FWS_ENOENT)
		rc = fws_diag_set(FWS_EEXIST, 0, "state", "the device is already provisioned");
	if (rc == 0 && dev->log != NULL)
		rc = fws_audit_log_position(dev->log, &o.log_last);
	if (rc == 0 && (rc = fws_root_load(root_json, root_len, root, NULL)) != 0)
		fws_diag_input(rc, FWS_INPUT_ROOT);
	if (rc == 0)
		rc = dev->store.save_root(dev->store.ctx, root_json, root_len);
	if (rc != 0)
		goto out;
	strcpy(o.st.hardware_id, hardware_id);
	strcpy(o.st.device_id, device_id);
	o.st.root_version = root->version;
	o.st.confirmed_slot = 'a';
	o.st.pending_slot = '-';
	o.st.highest_created = root->created;
	if (factory != NULL) {
		/* The image the device left the factory with: min_version and
		 * downgrade rules apply against it, and its counter holds. */
		strcpy(o.st.slots[0].version, factory->version);
		o.st.slots[0].security_version = factory->security_version;
		o.st.security_version = factory->security_version;
	}
	/* The floor outside the state is set up before the state exists, and
	 * one already set up (a device provisioned before) is kept: its floor
	 * becomes the state's counter, so provisioning again cannot lower it. */
	if (dev->floor.provision != NULL) {
		uint64_t floor;
		rc = dev->floor.provision(dev->floor.ctx, o.st.security_version);
		if (rc == 0)
			rc = fws_floor_read(&dev->floor, o.st.security_version, &floor);
		if (rc != 0)
			goto out;
		o.st.security_version = floor;
	}
	o.view.booted = '-';
	o.view.order[0] = o.view.order[1] = '-';
	/* The state last: once it exists the device counts as provisioned
	 * (FWS_EEXIST above), so the bootloader's variables must already be
	 * there, or a crash in between leaves a device nothing can boot. */
	rc = fws_op_boot_sync(&o, 'a');
	if (rc == 0)
		rc = fws_op_save(&o);
	fws_op_record(&o, "init", rc, hardware_id, o.st.slots[0].version,
		      o.st.slots[0].security_version, 'a', NULL, &rc);
out:
	/* Anything but the root given is the device's (the lock, the state,
	 * the log, the floor, the bootloader). */
	if (rc != 0)
		fws_diag_input(rc, FWS_INPUT_DEVICE);
	fws_op_end(&o);
	free(root);
	return rc;
}

int fws_device_boot(struct fws_device *dev, char *set)
{
	struct op o;
	char detail[96];
	if (dev->boot.boot == NULL)
		return fws_diag_set(FWS_EUSAGE, 0, "bootloader",
				    "a real bootloader boots by itself (boot is for the simulation)");
	int rc = fws_op_begin(dev, &o);
	if (rc != 0)
		return rc;
	rc = dev->boot.boot(dev->boot.ctx, set);
	if (rc == 0)
		rc = dev->boot.read(dev->boot.ctx, &o.view);
	if (rc != 0) {
		fws_op_record(&o, "boot", rc, NULL, NULL, 0, 0, NULL, &rc);
		fws_op_end(&o);
		return rc;
	}
	/* The bootloader's decision may have been a fallback: notice it now. */
	rc = fws_op_begin_locked(&o);
	const struct fws_slot_info *si = info(&o, *set);
	if (*set == o.st.pending_slot)
		snprintf(detail, sizeof(detail), "pending slot on trial, %u tries left",
			 (unsigned)o.view.left[fws_slot_index(*set)]);
	else
		snprintf(detail, sizeof(detail), "%s slot",
			 *set == o.st.confirmed_slot ? "confirmed" : "unconfirmed");
	fws_op_record(&o, "boot", rc, detail, si->version, si->security_version, *set, NULL, &rc);
	fws_op_end(&o);
	return rc;
}

/* set 0 means the running set ('-' when the bootloader does not know);
 * '*' is an operation that needs no particular set. */
static char resolve(const struct op *o, char set)
{
	if (set == FWS_SET_OTHER)
		return o->view.booted == '-' ? '-' : fws_other_set(o->view.booted);
	return set != FWS_SET_BOOTED ? set : o->view.booted;
}

static int not_now(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int not_now(const char *fmt, ...)
{
	char why[FWS_DIAG_WHY_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fws_diag_set(FWS_ELIFECYCLE, 0, NULL, "%s", why);
}

/* May the set become the confirmed one? Only if it holds an image (only
 * confirmed images stay in the state) not below the stored counter. */
static int may_switch_to(struct op *o, char set)
{
	const struct fws_slot_info *si = info(o, set);
	uint64_t floor;
	if (si->version[0] == '\0')
		return not_now("slot %c holds no image to boot", set);
	if (si->security_version < o->st.security_version)
		return fws_diag_set(FWS_EROLLBACK, 0, NULL,
				    "slot %c (security_version %llu) is below the device's %llu", set,
				    (unsigned long long)si->security_version,
				    (unsigned long long)o->st.security_version);
	/* A restored state file may call an old set bootable: the floor
	 * outside the state says otherwise. */
	int rc = fws_op_floor(o, &floor);
	if (rc == 0 && si->security_version < floor)
		rc = fws_diag_set(FWS_EROLLBACK, 0, NULL,
				  "slot %c (security_version %llu) is below the rollback floor %llu "
				  "(%s)",
				  set, (unsigned long long)si->security_version,
				  (unsigned long long)floor, o->dev->floor.name);
	return rc;
}

/* Saves the state, then makes the bootloader follow it. */
static int commit(struct op *o, char renew)
{
	int rc = fws_op_save(o);
	return rc == 0 ? fws_op_boot_sync(o, renew) : rc;
}

/* Runs a decision under the lock and records it as one audit line. */
typedef int (*decide_fn)(struct op *o, char set, char *detail, size_t cap);

static int run(struct fws_device *dev, const char *action, char set, decide_fn fn, char *out)
{
	struct op o;
	char detail[160] = "";
	int rc = fws_op_begin(dev, &o);
	if (rc != 0)
		return rc;
	char target = resolve(&o, set);
	if (set != '*' && target != 'a' && target != 'b')
		rc = not_now("which slot is running is not known yet (no boot recorded)");
	else
		rc = fn(&o, target, detail, sizeof(detail));
	const struct fws_slot_info *si = info(&o, o.st.confirmed_slot);
	fws_op_record(&o, action, rc, detail[0] ? detail : NULL, si->version,
		      o.st.security_version, o.st.confirmed_slot, NULL, &rc);
	if (out != NULL)
		*out = o.st.confirmed_slot;
	fws_op_end(&o);
	return rc;
}

/* Confirming the pending set p raises a floor kept outside the state in
 * three saved steps (docs/rollback-floor.md): the state records
 * "confirming N", the floor is raised to N, the state records the set
 * confirmed with N (the caller). A power cut after the first step is
 * finished by the next operation (op.c finish_confirmation); one before
 * it left nothing. A raise the port refuses or cannot make is undone in
 * the state, and the set stays pending. */
static int raise_floor(struct op *o, char p)
{
	const struct fws_floor *f = &o->dev->floor;
	uint64_t n = info(o, p)->security_version;
	if (f->update == NULL || n <= o->st.security_version)
		return 0;
	int rc = fws_op_floor_step_ok(o, n);
	if (rc != 0)
		return rc;
	o->st.floor_confirming = n;
	rc = fws_op_save(o);
	if (rc == 0)
		rc = f->update(f->ctx, n);
	if (rc != 0 && o->st.floor_confirming != 0) {
		struct fws_diag saved = *fws_diag_last();
		o->st.floor_confirming = 0;
		(void)fws_op_save(o); /* if this fails too, the next operation finishes */
		fws_diag_restore(&saved);
	}
	return rc;
}

static int decide_good(struct op *o, char t, char *detail, size_t cap)
{
	char c = o->st.confirmed_slot, p = o->st.pending_slot;
	if (t == p) {
		if (o->view.booted != p)
			return not_now("slot %c has not booted yet: only the running update can "
				       "confirm itself (boot it first)",
				       p);
		int rc = raise_floor(o, p);
		if (rc != 0)
			return rc;
		fws_op_confirm_pending(o);
		snprintf(detail, cap, "slot %c confirmed", p);
		return commit(o, p);
	}
	if (t == c) {
		if (p != '-')
			return not_now("the update in slot %c has not booted yet; slot %c stays "
				       "confirmed (mark-good confirms the running update)",
				       p, c);
		snprintf(detail, cap, "confirmed slot %c renewed", c);
		return fws_op_boot_sync(o, c);
	}
	int rc = may_switch_to(o, t);
	if (rc != 0)
		return rc;
	o->st.confirmed_slot = t;
	snprintf(detail, cap, "slot %c made active", t);
	return commit(o, t);
}

static int decide_bad(struct op *o, char t, char *detail, size_t cap)
{
	char c = o->st.confirmed_slot, p = o->st.pending_slot;
	if (t == p) {
		fws_op_forget(o, p);
		snprintf(detail, cap, "pending update in slot %c cancelled", p);
		return commit(o, '-');
	}
	if (t == c) {
		char other = fws_other_set(c);
		if (p != '-')
			return not_now("slot %c is the only confirmed image (slot %c is pending)", c,
				       p);
		int rc = may_switch_to(o, other);
		if (rc != 0)
			return rc;
		snprintf(detail, cap, "slot %c (%s) given up; slot %c boots", c, info(o, c)->version,
			 other);
		fws_op_forget(o, c);
		o->st.confirmed_slot = other;
		return commit(o, other);
	}
	if (info(o, t)->version[0] == '\0') {
		snprintf(detail, cap, "slot %c already empty", t);
		return 0;
	}
	snprintf(detail, cap, "slot %c (%s) given up", t, info(o, t)->version);
	fws_op_forget(o, t);
	return commit(o, '-');
}

static int decide_active(struct op *o, char t, char *detail, size_t cap)
{
	char c = o->st.confirmed_slot, p = o->st.pending_slot;
	if (t == p) {
		snprintf(detail, cap, "pending slot %c boots next, tries renewed", p);
		return fws_op_boot_sync(o, p);
	}
	if (t == c) {
		if (p == '-') {
			snprintf(detail, cap, "confirmed slot %c renewed", c);
			return fws_op_boot_sync(o, c);
		}
		fws_op_forget(o, p);
		snprintf(detail, cap, "pending update in slot %c cancelled; slot %c boots", p, c);
		return commit(o, c);
	}
	int rc = may_switch_to(o, t);
	if (rc != 0)
		return rc;
	o->st.confirmed_slot = t;
	snprintf(detail, cap, "returned to slot %c", t);
	return commit(o, t);
}

static int decide_rollback(struct op *o, char t, char *detail, size_t cap)
{
	(void)t;
	if (o->st.pending_slot != '-')
		return decide_bad(o, o->st.pending_slot, detail, cap);
	char other = fws_other_set(o->st.confirmed_slot);
	if (info(o, other)->version[0] == '\0')
		return not_now("nothing to roll back to: no update is pending and slot %c holds no "
			       "confirmed image",
			       other);
	return decide_active(o, other, detail, cap);
}

/* The floor set up later than the device (fws_device_provision_floor). */
static int decide_floor(struct op *o, char t, char *detail, size_t cap)
{
	const struct fws_floor *f = &o->dev->floor;
	uint64_t floor;
	(void)t;
	if (f->provision == NULL)
		return fws_diag_set(FWS_EUSAGE, 0, NULL,
				    "the file floor is the state's own counter: there is nothing to "
				    "set up (system.conf [floor])");
	int rc = f->provision(f->ctx, o->st.security_version);
	if (rc == 0)
		rc = fws_floor_read(f, o->st.security_version, &floor);
	if (rc != 0)
		return rc;
	o->floor = floor;
	o->floor_known = 1;
	snprintf(detail, cap, "rollback floor %llu (%s) set up", (unsigned long long)floor,
		 f->name);
	if (floor == o->st.security_version)
		return 0;
	/* A floor kept from before is higher than this state says: the state
	 * follows it, as at provisioning. */
	o->st.security_version = floor;
	return fws_op_save(o);
}

int fws_device_provision_floor(struct fws_device *dev, uint64_t *floor)
{
	struct fws_device_status st;
	int rc = run(dev, "floor-provision", '*', decide_floor, NULL);
	if (rc == 0 && floor != NULL) {
		rc = fws_device_status(dev, &st);
		if (rc == 0)
			rc = st.floor_rc;
		*floor = st.floor;
	}
	return rc;
}

int fws_device_mark_good(struct fws_device *dev, char set)
{
	return run(dev, "mark-good", set, decide_good, NULL);
}

int fws_device_mark_bad(struct fws_device *dev, char set)
{
	return run(dev, "mark-bad", set, decide_bad, NULL);
}

int fws_device_mark_active(struct fws_device *dev, char set)
{
	return run(dev, "mark-active", set, decide_active, NULL);
}

int fws_device_rollback(struct fws_device *dev, char *set)
{
	return run(dev, "rollback", '*', decide_rollback, set);
}

int fws_device_check(struct fws_device *dev, const char **part)
{
	struct fws_device_state st;
	struct fws_boot_view view;
	struct fws_root *root = malloc(sizeof(*root));
	struct fws_envelope *env = malloc(sizeof(*env));
	uint64_t last = 0;
	const char *where = "state";
	int rc = (root == NULL || env == NULL) ? FWS_ENOMEM : fws_op_load_state(dev, &st);
	if (rc == 0) {
		where = "root";
		rc = fws_op_load_root(dev, &st, root, env);
	}
	if (rc == 0) {
		where = "bootloader";
		rc = dev->boot.read(dev->boot.ctx, &view);
	}
	if (rc == 0 && dev->log != NULL) {
		where = "log";
		rc = fws_audit_log_position(dev->log, &last);
		if (rc == 0 && st.log_seq > last + 1)
			rc = fws_diag_set(FWS_ESTATE, 0, "log",
					  "the state refers to line %llu, the log ends at line %llu",
					  (unsigned long long)st.log_seq, (unsigned long long)last);
	}
	if (rc == 0) {
		uint64_t floor;
		where = "floor";
		rc = fws_floor_read(&dev->floor, st.security_version, &floor);
	}
	if (part != NULL)
		*part = rc == 0 ? NULL : where;
	free(root);
	free(env);
	return rc;
}

int fws_device_status(struct fws_device *dev, struct fws_device_status *out)
{
	memset(out, 0, sizeof(*out));
	out->boot.booted = out->boot.order[0] = out->boot.order[1] = '-';
	int rc = fws_op_load_state(dev, &out->state);
	if (rc == 0)
		rc = dev->boot.read(dev->boot.ctx, &out->boot);
	if (rc == 0 && dev->log != NULL)
		rc = fws_audit_log_position(dev->log, &out->log_seq);
	out->floor_backend = dev->floor.name != NULL ? dev->floor.name : "file";
	out->floor = out->state.security_version;
	if (rc == 0) {
		struct fws_diag saved = *fws_diag_last();
		out->floor_rc = fws_floor_read(&dev->floor, out->state.security_version, &out->floor);
		fws_diag_restore(&saved);
	}
	return rc;
}
