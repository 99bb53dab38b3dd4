/* SPDX-License-Identifier: Apache-2.0 */
/* Operator files: bounded whole-file reads, and outputs that are written
 * atomically and never clobber anything by mistake.
 *
 * One policy for every file a command writes (docs/format.md §0):
 *   FWS_OUT_NEW      the output must not exist yet (FWS_EEXIST) — the
 *                    default for every command;
 *   FWS_OUT_REPLACE  an existing output is replaced (`--force`);
 *   FWS_OUT_UPDATE   the output is the file being updated in place (a
 *                    co-signed bundle, a re-encrypted key): it must exist,
 *                    must be writable by its owner, and keeps its mode.
 * Whatever the policy, an output that is one of the command's inputs (the
 * same device and inode: the same file, a hard link or a symbolic link to
 * it) is refused with FWS_ESAMEFILE before anything is written: `--out`
 * naming the release key must never replace the key. The bytes go to a
 * new exclusive temporary file beside the output; commit fsyncs it and
 * renames (or, for FWS_OUT_NEW, links) it into place, then fsyncs the
 * directory. */
#ifndef FWSEAL_FILEIO_H
#define FWSEAL_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/export.h"

/* Reads a whole regular file of at most max bytes into a malloc'd buffer
 * (NUL-terminated one past the end). Paths are the operator's, so links
 * are followed, but directories, FIFOs and devices are refused.
 * FWS_ENOENT, FWS_ELIMIT (too big), FWS_EIO. */
FWS_API FWS_MUST_CHECK int fws_file_read_all(const char *path, size_t max, uint8_t **out,
					     size_t *out_len);

enum fws_out_policy { FWS_OUT_NEW = 0, FWS_OUT_REPLACE = 1, FWS_OUT_UPDATE = 2 };

#define FWS_OUT_INPUTS_MAX 64

struct fws_output {
	int fd;     /* write the content here, then fws_output_commit */
	int dirfd;  /* internal */
	int policy; /* internal */
	unsigned mode;
	size_t n_inputs;
	dev_t in_dev[FWS_OUT_INPUTS_MAX];
	ino_t in_ino[FWS_OUT_INPUTS_MAX];
	char name[256];
	char tmp[256];
};

/* Checks path against the policy and inputs (paths that may be NULL or
 * missing; "-" is standard input and never a file) and opens the temporary
 * file. mode is the new file's mode (kept from the old file for
 * FWS_OUT_UPDATE). Nothing is left behind on failure. */
FWS_API FWS_MUST_CHECK int fws_output_open(struct fws_output *o, const char *path, unsigned mode,
					   int policy, const char *const *inputs,
					   size_t n_inputs);
/* The same checks, before slow work (decrypting a key, hashing payloads),
 * without keeping anything open. */
FWS_API FWS_MUST_CHECK int fws_output_check(const char *path, int policy,
					    const char *const *inputs, size_t n_inputs);
/* fsync, then into place; closes everything. On failure nothing changed. */
FWS_API FWS_MUST_CHECK int fws_output_commit(struct fws_output *o);
/* Removes the temporary file; safe to call after a commit or twice. */
FWS_API void fws_output_abort(struct fws_output *o);

/* The whole output in one call: open, write data, commit. */
FWS_API FWS_MUST_CHECK int fws_file_write_atomic(const char *path, const void *data,
						 size_t len, unsigned mode, int policy,
						 const char *const *inputs, size_t n_inputs);

#endif
