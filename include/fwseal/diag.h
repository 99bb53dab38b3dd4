/* SPDX-License-Identifier: Apache-2.0 */
/* Why a call failed, beyond its FWS_E* code: which part of the input (a
 * JSON field such as "payloads[3].chunk_size", a path inside a device such
 * as "b/rootfs") broke which rule, and the operating system's reason for a
 * failed system call. Purely informational: no decision ever depends on
 * it. It is kept per thread, like errno, and describes the most recent
 * failure that recorded one; check that fws_diag_last()->code equals the
 * code you got before using it. */
#ifndef FWSEAL_DIAG_H
#define FWSEAL_DIAG_H

#include "fwseal/export.h"

#define FWS_DIAG_WHERE_MAX 256
#define FWS_DIAG_WHY_MAX 384

struct fws_diag {
	int code;     /* the FWS_E* code explained here, 0 = nothing recorded */
	int os_errno; /* errno of the failed system call, 0 = none */
	char where[FWS_DIAG_WHERE_MAX]; /* the part that failed, "" = unknown */
	char why[FWS_DIAG_WHY_MAX];     /* the rule that failed, "" = the code's text */
	/* Which of the caller's inputs failed (the diagnostic's subject): set
	 * where the failure is found, so that no reporter guesses it from the
	 * code. FWS_INPUT_NONE = the call's only input, or not known. */
	int input;
};

/* The inputs a failure can be blamed on. A caller (the CLI) knows their
 * names; the library knows only which one it was reading or writing. */
enum fws_input {
	FWS_INPUT_NONE = 0,
	FWS_INPUT_BUNDLE,  /* the bundle being verified or installed */
	FWS_INPUT_ROOT,    /* a trusted root given by the caller */
	FWS_INPUT_PERMIT,  /* a downgrade permit */
	FWS_INPUT_DEVICE,  /* the device: its state, slots, bootloader, log, floor */
	FWS_INPUT_KEY,     /* a signing key */
	FWS_INPUT_RECORD,  /* a release record */
	FWS_INPUT_CONFIG,  /* the system configuration, or what it names for the
			    * bootloader, the trusted root's directory, the floor */
	FWS_INPUT_COUNT
};

FWS_API const struct fws_diag *fws_diag_last(void);
FWS_API void fws_diag_clear(void);
/* Says which input the failure with this code is about. The innermost
 * mark wins: a mark already made for this code is kept, so a layer above
 * can mark "everything else" without overriding the check that failed. A
 * diagnostic about another code is replaced by a bare one for this code. */
FWS_API void fws_diag_input(int code, enum fws_input input);

#endif
