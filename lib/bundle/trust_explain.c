/* SPDX-License-Identifier: Apache-2.0 */
/* Trust refusals in words (trust_explain.h). Formatting only: every
 * decision was made before these run, by the core. A key id is shown by
 * its first 16 hex digits, as fwseal-keys fingerprint prints it first. */
#include <stdio.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "io/io.h"
#include "trust_explain.h"

#define IDS_SHOWN 4 /* more are summarised as "+N more" */

static const char *const role_names[FWS_ROLE_COUNT] = {"root", "release"};

/* "[a1b2..., c3d4...]" of n key ids into out. */
static void ids_text(char *out, size_t cap, const uint8_t (*ids)[32], size_t n)
{
	char hex[65];
	size_t used = (size_t)snprintf(out, cap, "[");
	for (size_t i = 0; i < n && i < IDS_SHOWN && used < cap; i++) {
		fws_hex_encode(hex, ids[i], 32);
		used += (size_t)snprintf(out + used, cap - used, "%s%.16s", i ? ", " : "", hex);
	}
	if (n > IDS_SHOWN && used < cap)
		used += (size_t)snprintf(out + used, cap - used, ", +%zu more", n - IDS_SHOWN);
	if (used < cap)
		snprintf(out + used, cap - used, "]");
}

int fws_explain_signatures(int rc, const char *part, const char *what,
			   const struct fws_envelope *env, const struct fws_root *root,
			   enum fws_role_id role)
{
	uint8_t signed_by[FWS_MAX_SIGNATURES][32];
	char by[160], may[160];
	size_t n = 0;
	if (rc != FWS_EUNTRUSTED && rc != FWS_ETHRESHOLD && rc != FWS_EBADSIG)
		return rc;
	if (fws_diag_last()->code == rc && fws_diag_last()->why[0] != '\0')
		return rc; /* a deeper layer already said */
	for (size_t i = 0; i < env->n_sigs && i < FWS_MAX_SIGNATURES; i++)
		memcpy(signed_by[n++], env->sigs[i].keyid, 32);
	ids_text(by, sizeof(by), (const uint8_t(*)[32])signed_by, n);
	ids_text(may, sizeof(may), (const uint8_t(*)[32])root->roles[role].keyids,
		 root->roles[role].n_keyids);
	if (n == 0)
		return fws_diag_set(rc, 0, part,
				    "%s carries no signature; root v%llu's %s role is %s", what,
				    (unsigned long long)root->version, role_names[role], may);
	if (rc == FWS_EBADSIG)
		return fws_diag_set(rc, 0, part,
				    "a signature on %s by a key of root v%llu's %s role does not "
				    "verify (signed by %s)",
				    what, (unsigned long long)root->version, role_names[role], by);
	return fws_diag_set(
	    rc, 0, part, "%s is signed by key id%s %s; root v%llu's %s role is %s, threshold %u%s",
	    what, n == 1 ? "" : "s", by, (unsigned long long)root->version, role_names[role], may,
	    (unsigned)root->roles[role].threshold,
	    rc == FWS_EUNTRUSTED ? " (none of them is in it: is this the right root?)" : "");
}

int fws_explain_policy(int rc, const struct fws_manifest *m, const struct fws_policy *p)
{
	char list[FWS_MAX_HARDWARE * (FWS_NAME_MAX + 4) + 4];
	size_t used = 0;
	switch (rc) {
	case FWS_EHARDWARE:
		list[0] = '\0';
		for (size_t i = 0; i < m->n_hardware && used < sizeof(list); i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
						 i ? ", " : "", m->hardware[i]);
		return fws_diag_set(
		    rc, 0, "hardware",
		    "the hardware id \"%.64s\" is not in the manifest's hardware list "
		    "[%s]",
		    p->hardware_id, list);
	case FWS_EROLLBACK:
		return fws_diag_set(rc, 0, "security_version",
				    "%llu is below the %llu already committed (anti-rollback)",
				    (unsigned long long)m->security_version,
				    (unsigned long long)p->security_version);
	case FWS_EDOWNGRADE:
		return fws_diag_set(
		    rc, 0, "version",
		    "%s is lower than the installed %s at the same security_version "
		    "%llu",
		    m->version, p->installed_version ? p->installed_version : "",
		    (unsigned long long)m->security_version);
	case FWS_EMINVERSION:
		return fws_diag_set(
		    rc, 0, "min_version",
		    "the release needs %s or later installed, the device has %s", m->min_version,
		    p->installed_version && p->installed_version[0] ? p->installed_version
								    : "no known version");
	default:
		return rc;
	}
}

int fws_explain_expired(const char *part, const char *what, int64_t expired, int64_t now)
{
	char a[21] = "?", b[21] = "?";
	if (fws_time_format(expired, a) != 0)
		strcpy(a, "?");
	if (fws_time_format(now, b) != 0)
		strcpy(b, "?");
	return fws_diag_set(FWS_EEXPIRED, 0, part, "%s expired %s; the time judged is %s", what, a,
			    b);
}
