/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-ERR-001 */
/* The diagnostic's side channel (fwseal/diag.h: input): which of the
 * caller's inputs a failure is about. The innermost mark wins, so a layer
 * that marks "everything else" cannot take the blame away from the check
 * that failed (a refused permit named as the bundle is the bug this
 * prevents); a mark for another code starts a new diagnostic, so an old
 * failure's reason is never shown under a new code. */
#include <criterion/criterion.h>
#include <string.h>

#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "io/io.h"

Test(diag_input, innermost_mark_wins_over_the_layer_above)
{
	fws_diag_clear();
	cr_assert_eq(fws_diag_set(FWS_EPERMIT, 0, "to_version", "the permit allows %s", "2.0.0"),
		     FWS_EPERMIT);
	fws_diag_input(FWS_EPERMIT, FWS_INPUT_PERMIT);
	fws_diag_input(FWS_EPERMIT, FWS_INPUT_BUNDLE); /* the install's "the rest" */
	const struct fws_diag *d = fws_diag_last();
	cr_assert_eq(d->code, FWS_EPERMIT);
	cr_assert_eq(d->input, FWS_INPUT_PERMIT);
	cr_assert_str_eq(d->where, "to_version");
	cr_assert_str_eq(d->why, "the permit allows 2.0.0");
}

Test(diag_input, mark_for_another_code_drops_the_stale_reason)
{
	fws_diag_clear();
	(void)fws_diag_set(FWS_EDIGEST, 0, "payloads/a", "chunk 0 differs");
	fws_diag_input(FWS_ENOSPC, FWS_INPUT_DEVICE);
	const struct fws_diag *d = fws_diag_last();
	cr_assert_eq(d->code, FWS_ENOSPC);
	cr_assert_eq(d->input, FWS_INPUT_DEVICE);
	cr_assert_str_eq(d->where, "");
	cr_assert_str_eq(d->why, "");
}

Test(diag_input, a_new_failure_clears_the_old_mark)
{
	fws_diag_clear();
	fws_diag_input(FWS_EIO, FWS_INPUT_DEVICE);
	(void)fws_diag_set(FWS_EIO, 5, "state", "cannot read");
	cr_assert_eq(fws_diag_last()->input, FWS_INPUT_NONE,
		     "a failure recorded after the mark is not blamed on the old input");
	fws_diag_input(0, FWS_INPUT_BUNDLE);
	cr_assert_eq(fws_diag_last()->input, FWS_INPUT_NONE, "success marks nothing");
}
