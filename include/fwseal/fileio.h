/* Small, careful file helpers shared by every layer above the core. */
#ifndef FWSEAL_FILEIO_H
#define FWSEAL_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"

/* Reads a whole regular file of at most max bytes into a malloc'd buffer
 * (NUL-terminated one past the end for convenience). O_NOFOLLOW is not used
 * here (paths are the operator's), but directories and devices are refused.
 * FWS_ENOENT, FWS_ELIMIT (too big), FWS_EIO. */
FWS_API FWS_MUST_CHECK int fws_file_read_all(const char *path, size_t max, uint8_t **out,
					     size_t *out_len);

/* Writes data to path atomically: a temp file in the same directory
 * (O_EXCL|O_NOFOLLOW, given mode), fsync, rename, fsync of the directory.
 * excl != 0: FWS_EEXIST if path already exists. Nothing is left behind on
 * failure. */
FWS_API FWS_MUST_CHECK int fws_file_write_atomic(const char *path, const void *data,
						 size_t len, unsigned mode, int excl);

/* fsync of the directory holding path (after a rename into it). */
FWS_API FWS_MUST_CHECK int fws_fsync_parent(const char *path);

#endif
