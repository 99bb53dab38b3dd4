/* SPDX-License-Identifier: Apache-2.0 */
/* Words for a trust refusal (issue 21 item 7): which key ids signed, which
 * the root's role holds, which hardware id was asked for and which the
 * manifest lists, which date expired and which time was judged. The core
 * only returns the code (it has no stdio); these set the diagnostic from
 * the same structs, after the decision is made, and never change it. */
#ifndef FWSEAL_BUNDLE_TRUST_EXPLAIN_H
#define FWSEAL_BUNDLE_TRUST_EXPLAIN_H

#include "fwseal/envelope.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "fwseal/root.h"

/* rc (EUNTRUSTED, ETHRESHOLD, EBADSIG) for env against root's role: who
 * signed and who may. what names the signed thing ("the manifest").
 * Returns rc; any other rc is returned untouched. */
int fws_explain_signatures(int rc, const char *part, const char *what,
			   const struct fws_envelope *env, const struct fws_root *root,
			   enum fws_role_id role);
/* rc of fws_policy_check: the hardware id asked for and the manifest's
 * list, the counters, the versions. Returns rc. */
int fws_explain_policy(int rc, const struct fws_manifest *m, const struct fws_policy *p);
/* FWS_EEXPIRED: what expired when ("root v3", its date) against the time
 * judged. Returns FWS_EEXPIRED. */
int fws_explain_expired(const char *part, const char *what, int64_t expired, int64_t now);

#endif
