/* SPDX-License-Identifier: Apache-2.0 */
/* One standard gzip stream (a single member) made on every core, the way
 * pigz does it: the input is cut into blocks, each block deflated on its
 * own (primed with the 32 KiB before it, so the ratio stays that of one
 * stream), all but the last ended with a sync flush so the pieces join
 * byte-aligned into one deflate stream; the CRC-32 is joined with
 * crc32_combine. The bytes depend on the input only, never on the number of
 * jobs: same inputs, same bundle (docs/decisions.md ADR-049). Memory: two
 * blocks of about 2 MiB (input and output) per job, at most 64 MiB. Internal. */
#ifndef FWSEAL_SIGN_GZIP_PARALLEL_H
#define FWSEAL_SIGN_GZIP_PARALLEL_H

#include <stdint.h>

/* Input bytes per block. */
#define FWS_GZIP_BLOCK (1024u * 1024)
/* The deflate window: what each block is primed with. */
#define FWS_GZIP_DICT 32768u

/* Compresses the len bytes of in_fd (read with pread from offset 0) into
 * out_fd at its current position, level 6, with a fixed header (mtime 0,
 * no name, OS Unix). */
int fws_gzip_parallel(int in_fd, uint64_t len, int out_fd, unsigned jobs);

#endif
