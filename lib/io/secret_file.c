/* SPDX-License-Identifier: Apache-2.0 */
/* The rule for files that hold a secret (secret_file.h). Threat: a local
 * user who can read the TLS client key, or a token in system.conf, can
 * fetch what only this device may fetch, or be this device to the update
 * server; one who owns the file can replace the secret. */
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "io/secret_file.h"

int fws_secret_file_mode_ok(const char *path, const struct stat *st, const char *what)
{
	if ((st->st_mode & 066) != 0)
		return fws_diag_set(FWS_EUNSAFE, 0, path,
				    "the %s may be %s by group or others (mode %04o): chmod 600 it",
				    what, (st->st_mode & 044) ? "read" : "written",
				    (unsigned)(st->st_mode & 07777));
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return fws_diag_set(FWS_EUNSAFE, 0, path,
				    "the %s is owned by uid %u, neither root nor the user running "
				    "fwseal (uid %u)",
				    what, (unsigned)st->st_uid, (unsigned)geteuid());
	return 0;
}
