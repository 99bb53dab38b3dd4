/* SPDX-License-Identifier: Apache-2.0 */
/* Per-thread failure details (fwseal/diag.h). Formatting only: nothing
 * here is ever read back by the library to make a decision. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fwseal/error.h"
#include "io/io.h"

static _Thread_local struct fws_diag last;

const struct fws_diag *fws_diag_last(void)
{
	return &last;
}

void fws_diag_clear(void)
{
	memset(&last, 0, sizeof(last));
}

void fws_diag_input(int code, enum fws_input input)
{
	if (code == 0)
		return;
	if (last.code != code) {
		fws_diag_clear();
		last.code = code;
	}
	if (last.input == FWS_INPUT_NONE)
		last.input = (int)input;
}

int fws_diag_set(int code, int err, const char *where, const char *fmt, ...)
{
	va_list ap;
	fws_diag_clear();
	last.code = code;
	last.os_errno = err;
	if (where != NULL)
		snprintf(last.where, sizeof(last.where), "%s", where);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(last.why, sizeof(last.why), fmt, ap);
		va_end(ap);
	}
	return code;
}

void fws_diag_prefix(char sep, const char *fmt, ...)
{
	char outer[FWS_DIAG_WHERE_MAX], joined[2 * FWS_DIAG_WHERE_MAX + 2];
	va_list ap;
	if (last.code == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(outer, sizeof(outer), fmt, ap);
	va_end(ap);
	if (last.where[0] == '\0')
		snprintf(joined, sizeof(joined), "%s", outer);
	else if (sep == '.' && last.where[0] == '[')
		snprintf(joined, sizeof(joined), "%s%s", outer, last.where);
	else
		snprintf(joined, sizeof(joined), "%s%c%s", outer, sep, last.where);
	/* Too long to keep whole: the innermost part is the one that names
	 * what failed, so the outer end is cut. */
	size_t n = strlen(joined);
	const char *keep = n < sizeof(last.where) ? joined : joined + (n - (sizeof(last.where) - 1));
	memmove(last.where, keep, strlen(keep) + 1);
}

void fws_diag_restore(const struct fws_diag *saved)
{
	last = *saved;
}

int fws_errno_code(int err)
{
	switch (err) {
	case ENOENT:
		return FWS_ENOENT;
	case ENOSPC:
	case EDQUOT:
		return FWS_ENOSPC;
	default:
		return FWS_EIO;
	}
}
