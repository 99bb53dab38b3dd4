/* SPDX-License-Identifier: Apache-2.0 */
/* What every device operation shares (lib/device/op.c). Internal.
 *
 * An operation that changes anything: op_begin (lock, load the state and
 * the bootloader's view, check the log can record, clean up what an
 * interrupted operation left, record a change that was never recorded,
 * notice a fallback), then changes saved with op_save, each followed by
 * exactly one audit line (op_record), then op_end.
 *
 * No change goes unrecorded: op_save stamps the state with the sequence
 * number its audit line will have (state.log_seq). If the line never
 * makes it (a crash between the two writes), the next op_begin finds the
 * state ahead of the log and records it then. */
#ifndef FWSEAL_DEVICE_LIFECYCLE_H
#define FWSEAL_DEVICE_LIFECYCLE_H

#include "fwseal/device.h"

struct op {
	struct fws_device *dev;
	struct fws_device_state st;
	struct fws_boot_view view;
	uint64_t log_last; /* seq of the log's last line */
	int locked;
	int interrupted; /* the state is one line ahead of the log: recovered */
	int floor_known; /* floor read from the port in this operation */
	uint64_t floor;
	const uint8_t *sbom_digest; /* the next audit line names this SBOM (install) */
};

int fws_slot_index(char set);
char fws_other_set(char set);

/* The newest time the device can trust (docs/decisions.md ADR-011). */
int64_t fws_op_now(const struct op *o);

/* Takes the device lock (bounded wait) and loads the state into o->st. */
int fws_op_lock_and_load(struct op *o);
/* Lock, load, and the recovery steps above. */
int fws_op_begin(struct fws_device *dev, struct op *o);
/* The same steps for an operation that already holds the lock and has
 * loaded the state (install: it locks once the manifest verified). */
int fws_op_begin_locked(struct op *o);
void fws_op_end(struct op *o);

/* The rollback floor: the higher of the state's security_version and the
 * floor port's (fwseal/floor.h), read once per operation. FWS_EFLOOR when
 * the port cannot answer: no operation that needs the floor goes on
 * without it. */
int fws_op_floor(struct op *o, uint64_t *floor);
/* Refuses (FWS_EFLOORSTEP) a security_version the floor could not be
 * raised to in one step of at most max_step. */
int fws_op_floor_step_ok(struct op *o, uint64_t security_version);

/* Saves o->st (generation + 1, stamped with the next log line's seq). */
int fws_op_save(struct op *o);
/* Appends the line for the change (or refusal) just made. A line that
 * cannot be written sets dev->log_error; a success then reports it in *rc,
 * a refusal keeps its own code. */
void fws_op_record(struct op *o, const char *action, int result, const char *detail,
		   const char *version, uint64_t security_version, char set,
		   const uint8_t *digest, int *rc);

/* Writes the bootloader's variables that follow from o->st: a pending set
 * boots first, then the confirmed set, then the other set if it holds a
 * confirmed image; an empty set is not in the order and has no tries.
 * `renew` ('a', 'b' or '-') gets a full budget of tries; the others keep
 * what the bootloader counted. */
int fws_op_boot_sync(struct op *o, char renew);

/* The pending set becomes the confirmed one; the state's counter rises
 * to its security_version; no confirmation is under way any more. */
void fws_op_confirm_pending(struct op *o);

/* A set's image forgotten: empty, not pending, no rollback target. */
void fws_op_forget(struct op *o, char set);

/* Loads and checks the trusted root (self-signed, not older than the
 * state says). root and env are caller-allocated. */
int fws_op_load_root(struct fws_device *dev, const struct fws_device_state *st,
		     struct fws_root *root, struct fws_envelope *env);
int fws_op_load_state(struct fws_device *dev, struct fws_device_state *st);

#endif
