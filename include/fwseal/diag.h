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
};

FWS_API const struct fws_diag *fws_diag_last(void);
FWS_API void fws_diag_clear(void);

#endif
