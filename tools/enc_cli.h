/* SPDX-License-Identifier: Apache-2.0 */
/* The encryption commands and options of fwseal and fwseal-keys
 * (tools/enc_cli.c; docs/encryption.md). Signing side only. */
#ifndef FWSEAL_TOOLS_ENC_CLI_H
#define FWSEAL_TOOLS_ENC_CLI_H

#include "cli.h"
#include "fwseal/encrypt.h"

/* pack's options (--encrypt, --to, --recipients-file), in its table. */
#define ENC_PACK_OPTS                                                                         \
	{"encrypt", CLI_FLAG, NULL, 0,                                                        \
	 "encrypt the payloads for the recipients --to and\n--recipients-file name "           \
	 "(docs/encryption.md)"},                                                              \
	    {"to", CLI_LIST, "RECIPIENT", 0,                                                  \
	     "with --encrypt: an age1... X25519 or fwseal-p256-1... P-256\nrecipient or a NAME.pub "  \
	     "file (repeat; include "                                                           \
	     "your own archive key to re-target later)"},                                      \
	    {"recipients-file", CLI_LIST, "FILE", 0,                                          \
	     "with --encrypt: a file of recipients, one per line ('#'\ncomments; for thousands "   \
	     "of devices)"}

#define ENC_CODES FWS_ERECIPIENTS, FWS_ENOTRECIPIENT, FWS_EKEYCOMMIT, FWS_EDECRYPT, FWS_EIDENTITY
/* ... and those of a P-256 key in a token as --identity (docs/hsm.md). */
#define ENC_TOKEN_CODES FWS_EPIN, FWS_EPINLOCKED, FWS_ETOKEN, FWS_EPKCS11, FWS_EKEYDERIVE

/* The recipients of --to and --recipients-file (malloc'd; *n = 0 and
 * *out = NULL when none were given). Reports and returns an exit status. */
int enc_cli_recipients(struct cli *c, struct fws_recipient **out, size_t *n);

extern const struct cli_opt enc_encrypt_opts[];
extern const int enc_encrypt_codes[];
int enc_run_encrypt(struct cli *c);

/* fwseal-keys generate --type device --out NAME */
int enc_generate_device(struct cli *c, const char *out);

#endif
