/* SPDX-License-Identifier: Apache-2.0 */
/* The signing side's encryption steps shared by `pack --encrypt` and
 * `fwseal encrypt` (re-targeting): writing the recipients entry. */
#ifndef FWSEAL_SIGN_ENCRYPT_WRITE_H
#define FWSEAL_SIGN_ENCRYPT_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/bundle_write.h"
#include "fwseal/encrypt.h"

/* Bytes of the recipients entry for these recipients (known before any
 * stanza is written: a tar header needs the size first). */
int fws_recipients_entry_size(const struct fws_recipient *r, size_t n, uint64_t *size);
/* Writes the entry "recipients" (header, then data) to w. */
int fws_recipients_entry_write(struct fws_bundle_writer *w, const uint8_t file_key[FWS_FILE_KEY_LEN],
			       const struct fws_recipient *r, size_t n);

#endif
