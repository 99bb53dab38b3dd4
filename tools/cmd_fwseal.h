/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal commands kept in files of their own (tools/cmd_fwseal_*.c). */
#ifndef FWSEAL_TOOLS_CMD_FWSEAL_H
#define FWSEAL_TOOLS_CMD_FWSEAL_H

#include "cli.h"

extern const struct cli_opt channel_sign_opts[];
extern const int channel_sign_codes[];
int run_channel_sign(struct cli *c);

#define CHANNEL_SIGN_CMD                                                                      \
	{"channel sign", "sign a channel: the current release, fresh until --expires",          \
	 "--root FILE --key FILE --channel NAME --bundle FILE --expires DURATION\n"              \
	 "    --location URL... [--previous FILE] [--percent P] [--not-before TIME]\n"           \
	 "    --out FILE [OPTIONS]",                                                              \
	 "Verifies the bundle against --root (signatures, root chain, every chunk) while\n"     \
	 "hashing it, then signs with --key, a timestamp key of the root, a channel\n"          \
	 "naming exactly that release: its manifest digest, version, security_version,\n"       \
	 "hardware, the bundle's digest and size, where devices fetch it (--location,\n"        \
	 "https:// or oci://), the rollout (--percent of devices, from --not-before) and\n"     \
	 "its expiry. With --previous the version is one above the previous channel's\n"        \
	 "(and the rollout keeps its salt while the release is the same). Re-sign before\n"     \
	 "--expires: a device that sees no fresh channel reports it as stale\n"                 \
	 "(docs/fleet.md, docs/format.md §16).",                                                \
	 channel_sign_opts, 0, 0, channel_sign_codes,                                           \
	 "fwseal channel sign --root root.json --key timestamp.key --channel stable \\\n"       \
	 "    --bundle pump-1.2.0.fwb --expires 2d --location https://updates.example/p.fwb \\\n" \
	 "    --previous stable.json --percent 10 --out stable.json",                            \
	 run_channel_sign,                                                                      \
	 "channel          the file written\n"                                                  \
	 "name, version, created, expires  the channel\n"                                       \
	 "release_version, security_version, manifest_sha256  the release it names\n"           \
	 "bundle_sha256, bundle_size  the bundle file\n"                                        \
	 "percent, not_before  the rollout"}

extern const struct cli_opt report_verify_opts[];
extern const int report_verify_codes[];
int run_report_verify(struct cli *c);

#define REPORT_VERIFY_CMD                                                                     \
	{"report verify", "check device reports: signature, log chain, one log across them",   \
	 "--device-key D.pub [--json] REPORT [EARLIER-REPORT...]",                                \
	 "Checks each report's signature by the device key (exactly one signature), its\n"     \
	 "fields, and that its audit-log events are the device's lines exactly as written\n"  \
	 "(each hash recomputed) chaining to the head it states. With several reports of\n"   \
	 "one device (any order) each must extend the one before: the same device, a head\n"  \
	 "not behind, and the line after the earlier head chaining to it. A log that was\n"   \
	 "cut or rewritten in between is refused (exit 84); so is a later report whose\n"     \
	 "events do not reach back to the earlier head (ask the device for\n"                 \
	 "fwseal-verify report --since SEQ). docs/fleet.md.",                                 \
	 report_verify_opts, 1, 64, report_verify_codes,                                      \
	 "fwseal report verify --device-key pump-0042.pub r-0612.json r-0611.json",            \
	 run_report_verify,                                                                     \
	 "device_id, hardware_id  of the newest report\n"                                     \
	 "confirmed_version, pending_version, security_version\n"                             \
	 "log_seq          the newest head\n"                                                 \
	 "log_valid        the device's own --verify of its log\n"                             \
	 "channel_stale    the device reported its channel stale\n"                             \
	 "reports          how many were checked"}

#endif
