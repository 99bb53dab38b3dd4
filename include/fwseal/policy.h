/* SPDX-License-Identifier: Apache-2.0 */
/* Install decisions over signed data only: hardware compatibility,
 * anti-rollback and downgrade rules. */
#ifndef FWSEAL_POLICY_H
#define FWSEAL_POLICY_H

#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/manifest.h"

struct fws_policy {
	const char *hardware_id;       /* NULL: no hardware check (signing-side verify) */
	int check_rollback;            /* 0: no device state (signing-side verify
					* without --installed-version) */
	uint64_t security_version;     /* device's highest committed security_version */
	const char *installed_version; /* "" or NULL when nothing is installed */
	int allow_downgrade;           /* allow a lower version with the same security_version */
};

/* Semantic Versioning 2.0.0: validity and precedence (build metadata ignored). */
FWS_API int fws_semver_valid(const char *v);
FWS_API FWS_MUST_CHECK int fws_semver_compare(const char *a, const char *b, int *cmp);

/* Order of checks: hardware listed (FWS_EHARDWARE); security_version >=
 * stored (FWS_EROLLBACK); installed version >= min_version when the manifest
 * sets one, and refused when nothing is installed (FWS_EMINVERSION); version
 * not lower than the installed one within the same
 * security_version unless allowed (FWS_EDOWNGRADE). Equal versions are a
 * reinstall and allowed. */
FWS_API FWS_MUST_CHECK int fws_policy_check(const struct fws_manifest *m,
					    const struct fws_policy *p);

#endif
