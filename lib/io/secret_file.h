/* SPDX-License-Identifier: Apache-2.0 */
/* Files that hold a secret (a TLS client key, a system.conf with a token):
 * readable by their owner only, and owned by root or by whoever runs
 * fwseal. Internal (not installed). */
#ifndef FWSEAL_IO_SECRET_FILE_H
#define FWSEAL_IO_SECRET_FILE_H

#include <sys/stat.h>

/* 0, or FWS_EUNSAFE naming path, `what` it holds and the rule it breaks:
 * group or others may read or write it (st_mode & 066), or its owner is
 * neither root nor the effective user. */
int fws_secret_file_mode_ok(const char *path, const struct stat *st, const char *what);

#endif
