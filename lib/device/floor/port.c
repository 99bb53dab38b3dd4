/* SPDX-License-Identifier: Apache-2.0 */
/* The rollback-floor port (fwseal/floor.h): reading it, and the backend
 * system.conf chose. */
#include "device/floor/floor.h"
#include "fwseal/error.h"
#include "io/io.h"

int fws_floor_read(const struct fws_floor *f, uint64_t state_floor, uint64_t *floor)
{
	uint64_t held = 0;
	/* A backend that cannot answer is a refusal, never "floor 0": that
	 * would reopen exactly the rollback it is there to stop. */
	int rc = f->get != NULL ? f->get(f->ctx, &held) : 0;
	if (rc != 0)
		return rc;
	*floor = held > state_floor ? held : state_floor;
	return 0;
}

int fws_floor_open(struct fws_floor *f, const struct fws_sysconf *c)
{
	switch (c->floor) {
	case FWS_FLOOR_FILE:
		fws_floor_file_init(f);
		return 0;
	case FWS_FLOOR_TPM2:
		return fws_floor_tpm2_init(f, c);
	case FWS_FLOOR_COMMAND:
		return fws_floor_command_init(f, c);
	}
	return fws_diag_set(FWS_EINTERNAL, 0, "[floor]", "unknown backend");
}
