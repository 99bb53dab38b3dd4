/* SPDX-License-Identifier: Apache-2.0 */
/* A build without tpm2-tss headers (TPM=0): the tpm2 floor says so. */
#include "device/floor/floor.h"
#include "fwseal/error.h"
#include "io/io.h"

int fws_floor_tpm2_init(struct fws_floor *f, const struct fws_sysconf *c)
{
	(void)f;
	(void)c;
	return fws_diag_set(FWS_ECONFIG, 0, "[floor]",
			    "backend tpm2: this fwseal was built without TPM support (TPM=0)");
}
