/* SPDX-License-Identifier: Apache-2.0 */
/* The SBOM of an installed release (fwseal-verify sbom): what the device
 * kept when it installed the bundle (lib/device/dir_sbom.c), for the set
 * the state says holds a release. A set the state has given up (emptied by
 * a failed boot trial, mark-bad, a cancelled or refused install) has no
 * SBOM, whatever file may still lie there until the next install into it
 * replaces or removes it: the state is the one authority on what a set
 * holds. */
#include <string.h>
#include <unistd.h>

#include "device/lifecycle.h"
#include "fwseal/error.h"
#include "io/io.h"

int fws_device_sbom_open(struct fws_device *dev, char set, int *fd, char *set_out,
			 char version[FWS_VERSION_MAX + 1])
{
	struct fws_device_state st;
	if (dev == NULL || fd == NULL || set_out == NULL || version == NULL ||
	    (set != 0 && set != 'a' && set != 'b'))
		return FWS_EUSAGE;
	*fd = -1;
	if (dev->sbom == NULL)
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "this device keeps no SBOMs");
	int rc = fws_op_load_state(dev, &st);
	if (rc != 0)
		return rc;
	if (set == 0)
		set = st.confirmed_slot;
	const struct fws_slot_info *si = &st.slots[fws_slot_index(set)];
	*set_out = set;
	if (si->version[0] == '\0')
		return fws_diag_set(FWS_ENOENT, 0, set == 'b' ? "b" : "a",
				    "the set holds no release, so no SBOM");
	memcpy(version, si->version, FWS_VERSION_MAX + 1);
	rc = dev->sbom->open(dev->sbom->ctx, set, fd);
	if (rc == FWS_ENOENT)
		return fws_diag_set(FWS_ENOENT, 0, set == 'b' ? "b" : "a",
				    "release %s was installed without an SBOM", si->version);
	return rc;
}
