/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-verify commands kept in files of their own (tools/cmd_verify_*.c)
 * and what they share with tools/fwseal-verify.c. */
#ifndef FWSEAL_TOOLS_CMD_VERIFY_H
#define FWSEAL_TOOLS_CMD_VERIFY_H

#include <jansson.h>

#include "cli.h"
#include "fwseal/fwseal.h"
#include "fwseal/sysconf.h"

/* The options that name the device and bound the wait for its lock, in
 * every command that opens one (here and in tools/cmd_verify_*.c): one
 * definition, so that --help says the same thing for each. */
#define DEVICE_OPT                                                                            \
	{"device", CLI_VALUE, "DIR", 0, "the simulated device in DIR (instead of --config)"},    \
	{"config", CLI_VALUE, "FILE", 0,                                                      \
	 "the device's system configuration (default " FWS_SYSCONF_PATH ";\ndocs/system-conf.md)"}
#define LOCK_OPT                                                                              \
	{"lock-timeout", CLI_VALUE, "SECONDS", 0,                                             \
	 "wait at most this long for another operation (default 10)"}

/* The device the command line names (fwseal-verify.c). */
struct fws_device *verify_device(void);
const struct fws_sysconf *verify_conf(void); /* NULL: --device, not system.conf */
const char *verify_device_name(void);
int verify_open_device(struct cli *c, int create);
int verify_device_fail(const char *subject, int rc);
int verify_state_dirfd(void); /* the state directory */

/* poll (cmd_verify_poll.c) */
extern const struct cli_opt poll_opts[];
extern const int poll_codes[];
int run_poll(struct cli *c);
/* The channel lines of `status`: "fresh until", "stale since". */
void channel_status_text(const struct fws_device_state *s);
void channel_status_json(struct cli *c, const struct fws_device_state *s);

#define POLL_CMD                                                                              \
	{"poll", "follow a signed channel: verify it, install its release",                  \
	 "[--channel FILE|URL] [--name NAME] [--trusted-time now|TIME] [OPTIONS]",              \
	 "Fetches the root chain served beside the channel (root/N.json next to it) and\n"    \
	 "advances the trusted root, then fetches the channel and verifies it with the\n"     \
	 "newest root's timestamp role: the name the device follows, its hardware, a\n"       \
	 "version never below the last one accepted (equal only for the same bytes), and\n"   \
	 "freshness: the device's time (trusted clock, --trusted-time, or the newest\n"       \
	 "created it saw plus its uptime) before expires. Accepted, the channel is saved\n"   \
	 "with the state. A device in the rollout cohort (and past not_before) then\n"        \
	 "installs from the channel's locations, in order; the bundle must be exactly the\n"  \
	 "release and file the channel names. A stale channel is refused with status 80\n"    \
	 "and recorded: nothing else changes. Defaults come from system.conf [channel]\n"     \
	 "(docs/fleet.md).",                                                                   \
	 poll_opts, 0, 0, poll_codes,                                                           \
	 "fwseal-verify poll\n"                                                                 \
	 "fwseal-verify poll --device dev --channel https://updates.example/stable.json \\\n"  \
	 "    --name stable",                                                                   \
	 run_poll,                                                                              \
	 "channel          {name, version, created, expires, release_version,\n"              \
	 "                 security_version, manifest_sha256}\n"                               \
	 "roots_advanced   root versions taken from beside the channel\n"                      \
	 "same             the channel was the one accepted before\n"                          \
	 "bucket, in_rollout  the device's cohort bucket (0-99) and the verdict\n"             \
	 "action           \"installed\", \"up-to-date\", \"not-in-cohort\" or \"not-yet\"\n"   \
	 "location         the URL installed from, or null\n"                                  \
	 "slot             the set that became pending, or null"}

/* report, device-key (cmd_verify_report.c) */
extern const struct cli_opt report_opts[], device_key_opts[];
extern const int report_codes[], device_key_codes[];
int run_report(struct cli *c);
int run_device_key(struct cli *c);

#define REPORT_CMD                                                                            \
	{"report", "write a signed report: what runs here, and the audit log's tail",          \
	 "[--out FILE] [--events N | --since SEQ] [--post URL] [--json] [OPTIONS]",                      \
	 "Writes one small JSON document (a DSSE envelope of type\n"                            \
	 "application/vnd.fwseal.report+json) signed by the device key made at init:\n"         \
	 "device id, hardware, the confirmed and pending versions, security_version and\n"      \
	 "rollback floor, trusted root version, the channel's version and staleness, and\n"     \
	 "the audit log's head (seq, hash) with its newest lines verbatim (--events, default\n" \
	 "8) or every line after --since SEQ. To standard output, --out FILE, or POSTed to\n"   \
	 "--post URL under the same HTTPS rules as downloads (system.conf [network]).\n"        \
	 "fwseal report verify checks it (docs/fleet.md).",                                     \
	 report_opts, 0, 0, report_codes,                                                       \
	 "fwseal-verify report --out report.json\n"                                             \
	 "fwseal-verify report --since 41 --post https://fleet.example/reports",                \
	 run_report,                                                                            \
	 "out              the file written, or null\n"                                         \
	 "post             the URL posted to, or null\n"                                        \
	 "http_status      the server's answer to the POST (with --post)"}
#define DEVICE_KEY_CMD                                                                        \
	{"device-key", "print the device's public report key (or make it)",                    \
	 "[--create] [--out FILE] [--json] [OPTIONS]",                                                    \
	 "Prints the public half of the device key that signs reports, as a fwseal .pub\n"     \
	 "file (docs/format.md §8.1), for the fleet's records; --out writes it to FILE.\n"      \
	 "init makes the key; a device provisioned before reports existed makes it once\n"     \
	 "with --create (never replacing one: exit 32).",                                       \
	 device_key_opts, 0, 0, device_key_codes,                                               \
	 "fwseal-verify device-key --out pump-0042.pub\n"                                       \
	 "fwseal-verify device-key --create --out pump-0042.pub",                               \
	 run_device_key,                                                                        \
	 "keyid            the device key's id (docs/format.md §8.1)\n"                         \
	 "out              the .pub file written"}

#endif
