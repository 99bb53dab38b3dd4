/* SPDX-License-Identifier: Apache-2.0 */
/* The `file` floor, the default: the device state's security_version is
 * the floor and nothing outside the state holds one. It stops the updater
 * from taking a downgrade, but whoever can restore an old state file
 * lowers it (docs/rollback-floor.md): the other backends are for that. */
#include "device/floor/floor.h"

void fws_floor_file_init(struct fws_floor *f)
{
	*f = (struct fws_floor){.name = "file"};
}
