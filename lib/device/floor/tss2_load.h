/* SPDX-License-Identifier: Apache-2.0 */
/* tpm2-tss (ESAPI, the TCTI loader, the return-code decoder), loaded at
 * the first use of the tpm2 floor (lib/device/floor/tss2_load.c), not at
 * program start: a device whose floor is a file or a command never maps
 * the TSS libraries, and a device build without a TPM does not need them
 * installed (tests/cli/test_layers.sh checks nothing links them).
 *
 * The headers give the types, so each pointer has the function's own
 * type. Internal to lib/device/floor. */
#ifndef FWSEAL_DEVICE_FLOOR_TSS2_LOAD_H
#define FWSEAL_DEVICE_FLOOR_TSS2_LOAD_H

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#define FWS_TSS2_FUNCTIONS(X)                                                                      \
	X(esys, Esys_Initialize)                                                                   \
	X(esys, Esys_Finalize)                                                                     \
	X(esys, Esys_Free)                                                                         \
	X(esys, Esys_TR_FromTPMPublic)                                                             \
	X(esys, Esys_TR_Close)                                                                     \
	X(esys, Esys_TR_SetAuth)                                                                   \
	X(esys, Esys_NV_ReadPublic)                                                                \
	X(esys, Esys_NV_Read)                                                                      \
	X(esys, Esys_NV_Increment)                                                                 \
	X(esys, Esys_NV_DefineSpace)                                                               \
	X(esys, Esys_NV_Write)                                                                     \
	X(esys, Esys_NV_WriteLock)                                                                 \
	X(tctildr, Tss2_TctiLdr_Initialize)                                                        \
	X(tctildr, Tss2_TctiLdr_Finalize)                                                          \
	X(rc, Tss2_RC_Decode)

struct fws_tss2_api {
#define FWS_TSS2_POINTER(lib, name) __typeof__(name) *name;
	FWS_TSS2_FUNCTIONS(FWS_TSS2_POINTER)
#undef FWS_TSS2_POINTER
};

extern struct fws_tss2_api fws_tss2;

/* Loads the libraries once (thread-safe): 0, or FWS_EFLOOR saying which
 * one is missing. */
int fws_tss2_load(void);

#endif
