/* SPDX-License-Identifier: Apache-2.0 */
/* The rollback floor: the lowest security_version the device may still
 * install or boot, kept where restoring a file cannot lower it (a TPM NV
 * counter, RPMB, OTP fuses, a secure element). docs/rollback-floor.md.
 *
 * The port has MCUboot's three counter operations (security_cnt.h) and
 * makes the same promises, which every backend must keep:
 *   monotonic         get never returns less than any value update
 *                     accepted before, whatever happens to files;
 *   idempotent        update(n) with n at or below the floor succeeds and
 *                     changes nothing; it never lowers;
 *   power-fail-safe   after a power cut during update(n), get returns the
 *                     old floor, n, or a value in between, and update(n)
 *                     again finishes the raise.
 * The device state's security_version stays the file floor: the effective
 * floor is the higher of the two. A backend that keeps nothing outside
 * the state (`file`) leaves get and update NULL.
 *
 * Every failure is FWS_EFLOOR (the store cannot be reached, or holds no
 * floor fwseal set up), except a raise larger than max_step:
 * FWS_EFLOORSTEP. Nothing calls update during install: the floor is
 * checked at install and raised only at confirmation (mark-good). */
#ifndef FWSEAL_FLOOR_H
#define FWSEAL_FLOOR_H

#include <stdint.h>

#include "fwseal/export.h"

#define FWS_FLOOR_MAX_STEP 16 /* default cap on one raise (system.conf max-step) */

struct fws_floor {
	void *ctx;
	const char *name; /* "file", "tpm2", "command": named in messages */
	/* The floor now. */
	int (*get)(void *ctx, uint64_t *floor);
	/* Raise to at least floor (never lower). */
	int (*update)(void *ctx, uint64_t floor);
	/* 0 when update(floor) can be done (e.g. the counter has room);
	 * optional. It need not check max_step: the caller does. */
	int (*is_update_possible)(void *ctx, uint64_t floor);
	/* Sets the store up once, at provisioning (fwseal-verify init), and
	 * raises it to at least floor. A store already set up is kept as it
	 * is, never reset: re-provisioning cannot lower the floor. */
	int (*provision)(void *ctx, uint64_t floor);
	/* A raise by more than this many versions is refused (0 = no cap):
	 * a security_version moves in small steps, and a hostile or mistaken
	 * huge one would spend a counter that cannot be wound back. */
	uint32_t max_step;
};

/* The floor a device must keep: the higher of the state's counter and
 * the port's (no port: the state's). */
FWS_API FWS_MUST_CHECK int fws_floor_read(const struct fws_floor *f, uint64_t state_floor,
					  uint64_t *floor);

#endif
