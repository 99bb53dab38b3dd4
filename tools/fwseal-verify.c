/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-verify: the device side, over the simulated A/B device in a
 * directory (--device DIR). Parsing and output only: every decision is
 * libfwseal's (lib/device). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_selftest.h"
#include "cmd_verify.h"
#include "fwseal/fwseal.h"
#include "fwseal/key_prompt.h"
#include "fwseal/net.h"
#include "fwseal/sysconf.h"

#define DEVICE_CODES                                                                          \
	FWS_ESTATE, FWS_EUNSAFE, FWS_EBUSY, FWS_EIO, FWS_ENOSPC, FWS_EROOTVERSION, FWS_ECONFIG,   \
	    FWS_EOVERLAP, FWS_EFILETYPE, FWS_EBOOTLOADER, FWS_EFLOOR
/* An encrypted bundle (docs/encryption.md). */
#define ENCRYPTION_CODES                                                                      \
	FWS_ENOTRECIPIENT, FWS_EKEYCOMMIT, FWS_EDECRYPT, FWS_ERECIPIENTS, FWS_EIDENTITY,      \
	    FWS_EKEYPERM, FWS_EPIN, FWS_EPINLOCKED, FWS_ETOKEN, FWS_EPKCS11, FWS_EKEYDERIVE
#define BUNDLE_CODES                                                                          \
	FWS_ENOENT, FWS_ENOMEM, FWS_ELIMIT, FWS_EJSON, FWS_ESCHEMA, FWS_EENVELOPE,            \
	    FWS_EPAYLOADTYPE, FWS_EUNTRUSTED, FWS_EBADSIG, FWS_ETHRESHOLD, FWS_EKEYID,        \
	    FWS_EEXPIRED, FWS_EFORMAT, FWS_EENTRY, FWS_ETRUNCATED, FWS_ETRAILING, FWS_ESIZE,  \
	    FWS_EDIGEST, FWS_EDECOMPRESS, FWS_EHARDWARE, FWS_EROLLBACK, FWS_EDOWNGRADE,       \
	    FWS_EMINVERSION, FWS_EROOTMISMATCH, FWS_EPERMIT, FWS_ESTALLED, FWS_ECLOCK,        \
	    FWS_ESAMEFILE


static const char *const loader_names[] = {"dir", "uboot", "grub", "custom"};
static struct fws_device dev;
static struct fws_sysconf conf;
static struct fws_sys_backend sys;
static struct fws_dir_backend *backend = &sys.dir;
static int configured; /* --config (or the default system.conf), not --device */
static const char *device_name; /* what messages call the device */

/* Opens the device: --device DIR (the simulation), else the system
 * configuration (create: provisioning). */
static int open_device(struct cli *c, int create)
{
	const char *dir = cli_get(c, "device"), *lock = cli_get(c, "lock-timeout");
	const char *config = cli_get(c, "config");
	int rc;
	if (dir != NULL && config != NULL)
		return cli_usage_error("give --device DIR or --config FILE, not both");
	fws_diag_clear();
	if (dir != NULL) {
		device_name = dir;
		rc = fws_dir_device_open(&dev, backend, dir, NULL, create);
	} else {
		device_name = config != NULL ? config : FWS_SYSCONF_PATH;
		rc = fws_sysconf_load(device_name, &conf);
		if (rc == 0) {
			configured = 1;
			device_name = conf.state_dir;
			/* The diagnostic says which of the two failed. */
			cli_input_name(FWS_INPUT_CONFIG, config != NULL ? config : FWS_SYSCONF_PATH);
			cli_input_name(FWS_INPUT_DEVICE, device_name);
			rc = fws_sysconf_device_open(&dev, &sys, &conf, NULL, create);
		}
	}
	if (rc != 0)
		return cli_fail(device_name, rc);
	if (lock != NULL && cli_parse_seconds("lock-timeout", lock, &dev.lock_timeout_ms) != 0)
		return cli_status(FWS_EUSAGE);
	if (lock != NULL && dev.lock_timeout_ms == 0)
		dev.lock_timeout_ms = 1; /* "do not wait" */
	return 0;
}

/* A refusal whose audit line could not be written says so too. */
static int device_fail(const char *subject, int rc)
{
	char note[160];
	if (dev.log_error == 0 || dev.log_error == rc)
		return cli_fail(subject, rc);
	snprintf(note, sizeof(note), "not recorded in the audit log: %s",
		 fws_strerror(dev.log_error));
	return cli_fail_note(subject, rc, note);
}

/* For the commands in files of their own (tools/cmd_verify.h). */
struct fws_device *verify_device(void)
{
	return &dev;
}
const struct fws_sysconf *verify_conf(void)
{
	return configured ? &conf : NULL;
}
const char *verify_device_name(void)
{
	return device_name;
}
int verify_open_device(struct cli *c, int create)
{
	return open_device(c, create);
}
int verify_state_dirfd(void)
{
	return backend->dirfd;
}
int verify_device_fail(const char *subject, int rc)
{
	return device_fail(subject, rc);
}

static const char *version_or(const char *v, const char *empty)
{
	return v[0] != '\0' ? v : empty;
}

static json_t *set_json(char set)
{
	return set == 'a' || set == 'b' ? json_stringn(&set, 1) : json_null();
}

/* ---- init ---- */

static const struct cli_opt init_opts[] = {
    DEVICE_OPT,
    {"root", CLI_VALUE, "FILE", 1, "the root of trust the device will trust"},
    {"hardware", CLI_VALUE, "ID", 0, "the hardware id bundles must list (with --device)"},
    {"device-id", CLI_VALUE, "ID", 0, "this device's id for permits (default: the hardware id)"},
    {"factory-version", CLI_VALUE, "V", 0,
     "the version of the image already in slot a (min_version and\ndowngrade rules apply "
     "against it)"},
    {"factory-security-version", CLI_VALUE, "N", 0,
     "its security_version: the device's counter starts there"},
    CLI_JSON_OPT,
    {NULL}};
static const int init_codes[] = {FWS_EEXIST,	   FWS_ENOENT,	    FWS_EUNSAFE, FWS_EIO,
				 FWS_EBUSY,	   FWS_EJSON,	    FWS_ESCHEMA, FWS_EENVELOPE,
				 FWS_EUNTRUSTED, FWS_EBADSIG,	    FWS_ETHRESHOLD, FWS_ELIMIT,
				 FWS_ENOSPC,	   FWS_ECONFIG,	    FWS_EOVERLAP,    FWS_EFILETYPE,
				 FWS_EBOOTLOADER, FWS_EFLOOR,	    FWS_EFLOORSTEP, FWS_EPAYLOADTYPE, 0};

static int run_init(struct cli *c)
{
	const char *root_path = cli_get(c, "root"), *hw = cli_get(c, "hardware");
	const char *id = cli_get(c, "device-id"), *fv = cli_get(c, "factory-version");
	const char *fsv = cli_get(c, "factory-security-version");
	struct fws_factory factory = {fv, 0};
	unsigned long long n = 0;
	uint8_t *root = NULL;
	size_t len;
	if (cli_get(c, "config") == NULL && cli_get(c, "device") == NULL && hw == NULL)
		hw = ""; /* the default system.conf says: checked below */
	if (hw != NULL && !fws_name_valid(hw) && hw[0] != '\0')
		return cli_usage_error("ids must be 1-64 characters of [A-Za-z0-9._+-]");
	if (id != NULL && !fws_name_valid(id))
		return cli_usage_error("ids must be 1-64 characters of [A-Za-z0-9._+-]");
	if (fv != NULL && !fws_semver_valid(fv))
		return cli_usage_error("--factory-version '%s' is not a semantic version",
				       cli_esc(fv));
	if (fsv != NULL && (fv == NULL || cli_parse_u64(fsv, FWS_SIZE_MAX, &n) != 0))
		return cli_usage_error("--factory-security-version is a number, with "
				       "--factory-version");
	factory.security_version = n;
	int rc = fws_file_read_all(root_path, FWS_ENVELOPE_MAX, &root, &len);
	if (rc == FWS_ELIMIT) {
		/* Too big for a root: the loader says what it is instead. */
		struct fws_root *probe = malloc(sizeof(*probe));
		rc = probe == NULL ? FWS_ENOMEM : fws_root_load_file(root_path, probe, NULL);
		free(probe);
		if (rc == 0)
			rc = FWS_ELIMIT; /* it changed in between: still refused */
	}
	if (rc != 0)
		return cli_fail(root_path, rc);
	rc = open_device(c, 1);
	/* A configured device's identity is its system.conf's, nobody else's. */
	if (rc == 0 && configured && (cli_get(c, "hardware") != NULL || id != NULL))
		rc = cli_usage_error("with a system configuration, the hardware and device ids come "
				     "from it (--hardware and --device-id are for --device)");
	if (rc == 0 && configured) {
		hw = conf.hardware_id;
		id = conf.device_id[0] ? conf.device_id : NULL;
	} else if (rc == 0 && (hw == NULL || hw[0] == '\0')) {
		rc = cli_usage_error("--hardware ID is required with --device");
	}
	if (rc == 0) {
		cli_input_name(FWS_INPUT_ROOT, root_path);
		cli_input_name(FWS_INPUT_DEVICE, device_name);
		fws_diag_clear();
		rc = fws_device_provision(&dev, root, len, hw, id, fv != NULL ? &factory : NULL);
		/* The device's report key (docs/fleet.md "Device reports"); one
		 * already there (an interrupted earlier init) is kept. */
		if (rc == 0 && (rc = fws_device_key_create(backend->dirfd)) == FWS_EEXIST)
			rc = 0;
		if (rc != 0)
			rc = cli_fail(device_name, rc);
	}
	free(root);
	if (rc != 0)
		return rc;
	if (c->json) {
		cli_json_set(c, "device", json_string(device_name));
		cli_json_set(c, "hardware_id", json_string(hw));
		cli_json_set(c, "device_id", json_string(id ? id : hw));
		cli_json_set(c, "factory_version", cli_json_str(fv));
	} else {
		printf("provisioned %s for hardware %s\n", cli_esc(device_name), hw);
	}
	return 0;
}

/* ---- install ---- */

static const struct cli_opt install_opts[] = {
    DEVICE_OPT,
    {"allow-downgrade", CLI_FLAG, NULL, 0, "allow a lower version with the same security_version"},
    {"permit", CLI_VALUE, "FILE", 0, "a downgrade permit for exactly this bundle (once)"},
    {"trusted-time", CLI_VALUE, "now|TIME", 0,
     "a time to trust for expiry (\"now\" = this machine's clock;\ndefault: the newest signed "
     "time the device has seen)"},
    {"stall-timeout", CLI_VALUE, "SECONDS", 0,
     "give up when the input sends nothing this long (default 60;\n0 = wait forever: a file or standard input only)"},
    {"delta", CLI_FLAG, NULL, 0,
     "for a URL: fetch only the chunks the slots do not hold\n(docs/delta.md)"},
    {"decryption-key", CLI_VALUE, "KEY", 0,
     "the device's key for encrypted bundles: an X25519 or P-256\nkey file (mode 0600) or a "
     "pkcs11: URI (PIN from the URI);\ndefault: system.conf [decryption] key\n"
     "(docs/encryption.md)"},
    CLI_NET_OPTS,
    CLI_JOBS_OPT,
    LOCK_OPT,
    CLI_JSON_OPT,
    CLI_QUIET_OPT,
    {NULL}};
static const int install_codes[] = {BUNDLE_CODES,	FWS_ETARGET, CLI_NET_CODES,
				    FWS_EFLOORSTEP, DEVICE_CODES, ENCRYPTION_CODES, FWS_ELIFECYCLE,
				    FWS_EINCOMPLETE, FWS_ESLOTRO, 0};

/* --delta, or delta = true in system.conf [network]. */
static int delta_wanted(const struct cli *c)
{
	return cli_flag(c, "delta") || (configured && conf.delta);
}

static int fixed_clock(void *ctx, int64_t *now)
{
	*now = *(const int64_t *)ctx;
	return 0;
}

static int run_install(struct cli *c)
{
	const char *bundle = c->args[0], *tt = cli_get(c, "trusted-time");
	const char *permit_path = cli_get(c, "permit"), *device;
	struct fws_install_opts io = {0};
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct cli_bundle in = CLI_BUNDLE_INIT;
	struct cli_progress prog = {0};
	uint8_t *permit = NULL;
	static int64_t clock_now;
	const char *part = NULL;
	struct fws_identity *identity = NULL;
	int rc = res == NULL ? cli_fail(NULL, FWS_ENOMEM) : cli_jobs(c, &io.jobs);
	/* A file is read whole anyway: --delta there would promise nothing. */
	if (rc == 0 && cli_flag(c, "delta") && !fws_is_url(bundle))
		rc = cli_usage_error("--delta is for a URL (a file or standard input is read whole)");
	if (rc == 0 && tt != NULL && strcmp(tt, "now") != 0 && fws_time_parse(tt, &clock_now) != 0)
		rc = cli_usage_error("--trusted-time must be 'now' or YYYY-MM-DDTHH:MM:SSZ");
	if (rc == 0 && tt != NULL && strcmp(tt, "now") == 0)
		clock_now = (int64_t)time(NULL);
	if (rc == 0 && permit_path != NULL &&
	    (rc = fws_file_read_all(permit_path, FWS_ENVELOPE_MAX, &permit, &io.permit_len)) != 0)
		rc = cli_fail(permit_path, rc);
	if (rc == 0)
		rc = open_device(c, 0);
	device = device_name;
	/* A broken device is reported as the device, not as the bundle. */
	if (rc == 0 && (rc = fws_device_check(&dev, &part)) != 0)
		rc = cli_fail(device, rc);
	if (rc == 0)
		rc = cli_bundle_open(c, bundle, configured ? &conf : NULL, &prog, &in);
	/* An install removes what the set held: never the bundle itself. */
	if (rc == 0 && in.http == NULL && fws_dir_device_holds(backend, in.fd.fd)) {
		rc = cli_fail_why(bundle, FWS_ESAMEFILE, NULL,
				  "%s (the bundle is one of the device's own files)",
				  fws_strerror(FWS_ESAMEFILE));
	}
	/* The decryption key is opened only for an install, never by other
	 * commands: a device without one still works for plaintext bundles. */
	const char *dkey = cli_get(c, "decryption-key");
	if (rc == 0 && dkey == NULL && configured && conf.decryption_key[0] != '\0')
		dkey = conf.decryption_key;
	if (rc == 0 && dkey != NULL) {
		fws_diag_clear();
		rc = fws_identity_open(dkey, &identity);
		if (rc != 0) { /* a pkcs11: URI is printed without its PIN */
			char *shown = fws_key_ref_shown(dkey);
			rc = cli_fail(shown != NULL ? shown : "(decryption key)", rc);
			free(shown);
		}
		dev.decryption = identity;
	}
	if (rc == 0) {
		if (tt != NULL)
			dev.clock = (struct fws_clock){&clock_now, fixed_clock};
		io.permit = permit;
		io.allow_downgrade = cli_flag(c, "allow-downgrade");
		if (delta_wanted(c) && in.http != NULL) {
			io.use_map = fws_http_use_map;
			io.fetch_range = fws_http_fetch_range;
		}
		cli_progress_start(&prog, c, "installing", in.size);
		fws_diag_clear();
		rc = fws_device_install(&dev, in.read, in.ctx, &io, res);
		cli_progress_end(&prog);
		/* The library's diagnostic says which of the three failed. */
		cli_input_name(FWS_INPUT_PERMIT, permit_path);
		cli_input_name(FWS_INPUT_DEVICE, device);
		cli_input_name(FWS_INPUT_BUNDLE, in.name);
		if (rc != 0)
			rc = device_fail(in.name, rc);
	}
	if (rc == 0) {
		struct fws_device_status st;
		const struct fws_manifest *m = &res->manifest;
		int have = fws_device_status(&dev, &st) == 0;
		char set = have ? st.state.pending_slot : '-';
		unsigned tries = have && set != '-' ? st.boot.left[set == 'b'] : 0;
		if (c->json) {
			cli_json_set(c, "product", json_string(m->product));
			cli_json_set(c, "version", json_string(m->version));
			cli_json_set(c, "security_version",
				     json_integer((json_int_t)m->security_version));
			cli_json_set(c, "manifest_sha256", cli_json_hex(res->manifest_body_sha256, 32));
			cli_json_set(c, "slot", set_json(set));
			cli_json_set(c, "boot_tries", json_integer(tries));
			cli_json_set(c, "root_version", json_integer((json_int_t)res->root.version));
			cli_json_set(c, "root_advanced", json_boolean(res->root_advanced));
			cli_json_set(c, "permit_used", json_boolean(dev.permit_used));
			cli_json_set(c, "bundle_bytes", json_integer((json_int_t)res->bundle_bytes));
			cli_json_set(c, "downloaded_bytes",
				     json_integer((json_int_t)cli_bundle_downloaded(&in)));
			cli_json_set(c, "reused_bytes", json_integer((json_int_t)dev.reused_bytes));
			cli_json_set(c, "refetched_chunks",
				     json_integer((json_int_t)dev.refetched_chunks));
			cli_json_set(c, "delta", json_boolean(io.use_map != NULL));
		} else {
			printf("installed %s %s (security_version %llu) into slot %c: pending, %u boot "
			       "attempts%s",
			       m->product, m->version, (unsigned long long)m->security_version, set,
			       tries, res->root_advanced ? "; trusted root now v" : "");
			if (res->root_advanced)
				printf("%llu", (unsigned long long)res->root.version);
			printf("%s\n", dev.permit_used ? "; downgrade permit used" : "");
			if (in.http != NULL)
				printf("downloaded %llu of %llu bytes%s (%llu reused from the slots)\n",
				       (unsigned long long)cli_bundle_downloaded(&in),
				       (unsigned long long)res->bundle_bytes,
				       io.use_map != NULL ? " with --delta" : "",
				       (unsigned long long)dev.reused_bytes);
			/* A permit is consulted only when it is needed: say so. */
			if (permit != NULL && !dev.permit_used)
				printf("note: %s was not needed (no rollback or downgrade) and was not "
				       "used; it stays valid\n",
				       cli_esc(permit_path));
		}
	}
	cli_bundle_close(&in);
	fws_identity_close(identity);
	dev.decryption = NULL;
	free(res);
	free(permit);
	return rc;
}

/* ---- boot, mark-good, mark-bad, mark-active, rollback ---- */

static const struct cli_opt boot_opts[] = {DEVICE_OPT, LOCK_OPT, CLI_JSON_OPT, {NULL}};
static const int boot_codes[] = {DEVICE_CODES, FWS_ELIFECYCLE, 0};

static char pending_before = '-'; /* for mark-good: did it confirm an update? */

static int report_slot_change(struct cli *c, const char *what)
{
	struct fws_device_status st;
	if (fws_device_status(&dev, &st) != 0)
		return cli_fail(device_name, FWS_ESTATE);
	const struct fws_device_state *s = &st.state;
	const struct fws_slot_info *confirmed = &s->slots[s->confirmed_slot == 'b'];
	if (c->json) {
		cli_json_set(c, "booted_slot", set_json(st.boot.booted));
		cli_json_set(c, "confirmed_slot", set_json(s->confirmed_slot));
		cli_json_set(c, "pending_slot", set_json(s->pending_slot));
		cli_json_set(c, "version", cli_json_str(confirmed->version));
		cli_json_set(c, "security_version", json_integer((json_int_t)s->security_version));
		cli_json_set(c, "fell_back", set_json(dev.fell_back));
		return 0;
	}
	if (dev.fell_back != '-')
		printf("slot %c used up its boot tries without mark-good: it was dropped\n",
		       dev.fell_back);
	if (strcmp(what, "boot") == 0) {
		char b = st.boot.booted;
		const struct fws_slot_info *si = &s->slots[b == 'b'];
		if (b == s->pending_slot)
			printf("booted slot %c (%s, pending: %u boot attempts left; run mark-good once "
			       "it works)\n",
			       b, version_or(si->version, "empty"), (unsigned)st.boot.left[b == 'b']);
		else
			printf("booted slot %c (%s, %s)\n", b, version_or(si->version, "empty"),
			       b == s->confirmed_slot ? "confirmed" : "not confirmed");
	} else if (strcmp(what, "mark-good") == 0 && pending_before == s->confirmed_slot) {
		printf("slot %c confirmed good (%s); security_version now %llu\n", s->confirmed_slot,
		       version_or(confirmed->version, "empty"), (unsigned long long)s->security_version);
	} else if (strcmp(what, "mark-good") == 0) {
		printf("slot %c is the confirmed slot (%s): boot tries renewed; %s\n",
		       s->confirmed_slot, version_or(confirmed->version, "empty"),
		       s->pending_slot != '-' ? "an update is pending" : "no update is pending");
	} else {
		printf("slot %c is the confirmed slot (%s)%s; the next boot uses %s\n",
		       s->confirmed_slot, version_or(confirmed->version, "empty"),
		       s->pending_slot != '-' ? ", an update is pending" : "",
		       s->pending_slot != '-' ? "the pending slot" : "it");
	}
	return 0;
}

static int run_boot(struct cli *c)
{
	char set;
	int rc = open_device(c, 0);
	if (rc != 0)
		return rc;
	fws_diag_clear();
	rc = fws_device_boot(&dev, &set);
	return rc != 0 ? device_fail(device_name, rc) : report_slot_change(c, "boot");
}

static const struct cli_opt mark_opts[] = {DEVICE_OPT, LOCK_OPT, CLI_JSON_OPT, {NULL}};
static const int mark_codes[] = {DEVICE_CODES, FWS_ELIFECYCLE, FWS_EROLLBACK, FWS_EFLOORSTEP, 0};

/* booted (default) | other | a | b */
static int slot_arg(const struct cli *c, char *set)
{
	const char *s = c->n_args > 0 ? c->args[0] : "booted";
	if (strcmp(s, "booted") == 0)
		*set = FWS_SET_BOOTED;
	else if (strcmp(s, "other") == 0)
		*set = FWS_SET_OTHER;
	else if (strcmp(s, "a") == 0 || strcmp(s, "b") == 0)
		*set = s[0];
	else if (configured && strcmp(s, conf.bootnames[0]) == 0)
		*set = 'a';
	else if (configured && strcmp(s, conf.bootnames[1]) == 0)
		*set = 'b';
	else {
		for (size_t i = 0; configured && i < conf.n_slots; i++)
			if (strcmp(s, conf.slots[i].name) == 0) {
				*set = conf.slots[i].set;
				return 0;
			}
		return cli_usage_error("the slot is booted, other, a, b, a bootname or a slot name "
				       "of system.conf, not '%s'",
				       cli_esc(s));
	}
	return 0;
}

static int run_mark(struct cli *c, int (*op)(struct fws_device *, char))
{
	char set = FWS_SET_BOOTED;
	struct fws_device_status before;
	int rc = open_device(c, 0); /* first: slot names come from system.conf */
	if (rc == 0)
		rc = slot_arg(c, &set);
	if (rc != 0)
		return rc;
	if (fws_device_status(&dev, &before) == 0)
		pending_before = before.state.pending_slot;
	fws_diag_clear();
	rc = op(&dev, set);
	return rc != 0 ? device_fail(device_name, rc)
		       : report_slot_change(c, c->cmd->name);
}

static int run_mark_good(struct cli *c)
{
	return run_mark(c, fws_device_mark_good);
}

static int run_mark_bad(struct cli *c)
{
	return run_mark(c, fws_device_mark_bad);
}

static int run_mark_active(struct cli *c)
{
	return run_mark(c, fws_device_mark_active);
}

static int run_rollback(struct cli *c)
{
	char set;
	int rc = open_device(c, 0);
	if (rc != 0)
		return rc;
	fws_diag_clear();
	rc = fws_device_rollback(&dev, &set);
	return rc != 0 ? device_fail(device_name, rc) : report_slot_change(c, "rollback");
}

/* ---- provision-floor ---- */

static const struct cli_opt floor_opts[] = {DEVICE_OPT, LOCK_OPT, CLI_JSON_OPT, {NULL}};
static const int floor_codes[] = {DEVICE_CODES, FWS_EFLOORSTEP, 0};

static int run_provision_floor(struct cli *c)
{
	uint64_t floor = 0;
	int rc = open_device(c, 0);
	if (rc != 0)
		return rc;
	fws_diag_clear();
	rc = fws_device_provision_floor(&dev, &floor);
	if (rc != 0)
		return device_fail(device_name, rc);
	if (c->json) {
		cli_json_set(c, "backend", json_string(dev.floor.name));
		cli_json_set(c, "rollback_floor", json_integer((json_int_t)floor));
	} else {
		printf("rollback floor %llu (%s) set up for %s\n", (unsigned long long)floor,
		       dev.floor.name, cli_esc(device_name));
	}
	return 0;
}

/* ---- status ---- */

static const struct cli_opt status_opts[] = {DEVICE_OPT, CLI_JSON_OPT, {NULL}};
/* status only reads: no lock to wait for, nothing written. */
static const int status_codes[] = {FWS_ESTATE,	   FWS_EUNSAFE,	 FWS_EIO,	FWS_EROOTVERSION,
				   FWS_ECONFIG, FWS_EOVERLAP, FWS_EFILETYPE,	   FWS_EBOOTLOADER, FWS_EJSON,	FWS_ESCHEMA,
				   FWS_EENVELOPE, FWS_EUNTRUSTED, FWS_EBADSIG, FWS_ETHRESHOLD,
				   FWS_ELIMIT,	   FWS_EFLOOR,	    0};

static json_t *slot_json(const struct fws_device_status *st, int i)
{
	const struct fws_slot_info *si = &st->state.slots[i];
	json_t *o = json_object();
	char set = i ? 'b' : 'a';
	json_object_set_new(o, "version", cli_json_str(si->version));
	json_object_set_new(o, "security_version", json_integer((json_int_t)si->security_version));
	json_object_set_new(o, "boot_tries", json_integer(st->boot.left[i]));
	json_object_set_new(o, "in_boot_order",
			    json_boolean(st->boot.order[0] == set || st->boot.order[1] == set));
	return o;
}

static void status_json(struct cli *c, const struct fws_device_status *st)
{
	const struct fws_device_state *s = &st->state;
	channel_status_json(c, s);
	json_t *order = json_array();
	for (int i = 0; i < 2; i++)
		if (st->boot.order[i] != '-')
			json_array_append_new(order, set_json(st->boot.order[i]));
	json_t *slots = json_object();
	json_object_set_new(slots, "a", slot_json(st, 0));
	json_object_set_new(slots, "b", slot_json(st, 1));
	cli_json_set(c, "device", json_string(device_name));
	cli_json_set(c, "hardware_id", json_string(s->hardware_id));
	cli_json_set(c, "device_id", json_string(s->device_id));
	cli_json_set(c, "version", cli_json_str(s->slots[s->confirmed_slot == 'b'].version));
	cli_json_set(c, "security_version", json_integer((json_int_t)s->security_version));
	cli_json_set(c, "confirmed_slot", set_json(s->confirmed_slot));
	cli_json_set(c, "pending_slot", set_json(s->pending_slot));
	cli_json_set(c, "booted_slot", set_json(st->boot.booted));
	/* The pending set's tries left (the bootloader counts them). */
	cli_json_set(c, "boot_attempts", s->pending_slot == '-'
					      ? NULL
					      : json_integer(st->boot.left[s->pending_slot == 'b']));
	cli_json_set(c, "boot_order", order);
	cli_json_set(c, "slots", slots);
	cli_json_set(c, "root_version", json_integer((json_int_t)s->root_version));
	cli_json_set(c, "trusted_time", cli_json_time(s->highest_created));
	cli_json_set(c, "installs", json_integer((json_int_t)s->installs));
	cli_json_set(c, "generation", json_integer((json_int_t)s->generation));
	cli_json_set(c, "log_seq", json_integer((json_int_t)st->log_seq));
	json_t *floor = json_object();
	json_object_set_new(floor, "backend", json_string(st->floor_backend));
	json_object_set_new(floor, "value",
			    st->floor_rc == 0 ? json_integer((json_int_t)st->floor) : json_null());
	json_object_set_new(floor, "error",
			    st->floor_rc == 0 ? json_null() : json_string(fws_errname(st->floor_rc)));
	cli_json_set(c, "rollback_floor", floor);
	if (configured) {
		json_t *names = json_object();
		json_object_set_new(names, "a", json_string(conf.bootnames[0]));
		json_object_set_new(names, "b", json_string(conf.bootnames[1]));
		cli_json_set(c, "bootloader", json_string(loader_names[conf.bootloader]));
		cli_json_set(c, "bootnames", names);
	}
}

/* What the configuration says about the slots, beside fwseal's view. */
static void config_text(void)
{
	printf("bootloader:       %s (set a = %s, set b = %s)\n", loader_names[conf.bootloader],
	       conf.bootnames[0], conf.bootnames[1]);
	for (size_t i = 0; i < conf.n_slots; i++) {
		const struct fws_conf_slot *sl = &conf.slots[i];
		printf("slot %-12s class %s, %s", sl->name, sl->cls, cli_esc(sl->device));
		if (sl->offset || sl->size)
			printf(" at %llu, %llu bytes", (unsigned long long)sl->offset,
			       (unsigned long long)sl->size);
		printf(", bootname %s (set %c)\n", sl->bootname, sl->set);
	}
}

static void status_text(const struct cli *c, const struct fws_device_status *st)
{
	const struct fws_device_state *s = &st->state;
	char t[21];
	if (fws_time_format(s->highest_created, t) != 0)
		strcpy(t, "?");
	printf("device:           %s (id %s)\nhardware:         %s\n", cli_esc(device_name),
	       s->device_id, s->hardware_id);
	printf("version:          %s (confirmed, slot %c)\nsecurity_version: %llu\n",
	       version_or(s->slots[s->confirmed_slot == 'b'].version, "(empty)"), s->confirmed_slot,
	       (unsigned long long)s->security_version);
	if (s->pending_slot != '-')
		printf("pending:          %s in slot %c, %u boot attempts left\n",
		       version_or(s->slots[s->pending_slot == 'b'].version, "(empty)"),
		       s->pending_slot, (unsigned)st->boot.left[s->pending_slot == 'b']);
	else
		printf("pending:          none\n");
	for (int i = 0; i < 2; i++)
		printf("slot %c:           %s (security_version %llu; bootloader: %u tries%s)\n",
		       "ab"[i], version_or(s->slots[i].version, "(empty)"),
		       (unsigned long long)s->slots[i].security_version, (unsigned)st->boot.left[i],
		       st->boot.order[0] == "ab"[i] || st->boot.order[1] == "ab"[i]
			   ? ""
			   : ", not in the boot order");
	printf("booted slot:      %c\nboot order:       %c%s%c\nroot version:     %llu\n",
	       st->boot.booted, st->boot.order[0], st->boot.order[1] != '-' ? " " : "",
	       st->boot.order[1] != '-' ? st->boot.order[1] : ' ',
	       (unsigned long long)s->root_version);
	printf("trusted time:     %s (newest verified 'created')\ninstalls:         %llu\n", t,
	       (unsigned long long)s->installs);
	if (st->floor_rc == 0)
		printf("rollback floor:   %llu (%s)\n", (unsigned long long)st->floor,
		       st->floor_backend);
	else
		printf("rollback floor:   cannot be read (%s: %s)\n", st->floor_backend,
		       fws_strerror(st->floor_rc));
	channel_status_text(s);
	if (configured && c->cmd != NULL)
		config_text();
}

static int run_status(struct cli *c)
{
	struct fws_device_status st;
	const char *part = NULL;
	int rc = open_device(c, 0);
	if (rc != 0)
		return rc;
	fws_diag_clear();
	rc = fws_device_status(&dev, &st);
	if (rc != 0)
		return cli_fail(device_name, rc);
	if (c->json)
		status_json(c, &st);
	else
		status_text(c, &st);
	/* What installs need must be healthy too: a device whose root or log
	 * is broken is reported here, not at the next install. */
	fws_diag_clear();
	rc = fws_device_check(&dev, &part);
	return rc != 0 ? cli_fail(device_name, rc) : 0;
}

/* ---- sbom ---- */

static const struct cli_opt sbom_opts[] = {
    DEVICE_OPT,
    {"set", CLI_VALUE, "a|b", 0, "the set whose release to describe (default: the confirmed set)"},
    CLI_JSON_OPT,
    {NULL}};
static const int sbom_codes[] = {FWS_ESTATE, FWS_EUNSAFE, FWS_EIO,	 FWS_ECONFIG, FWS_EOVERLAP, FWS_EFILETYPE, FWS_EBOOTLOADER,
				 FWS_ENOENT, FWS_ELIMIT,  FWS_EJSON, 0};

/* Reads all of fd (at most FWS_SBOM_MAX bytes: what an install accepts). */
static int read_sbom(int fd, uint8_t **out, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (buf == NULL)
			return FWS_ENOMEM;
		if (n == cap) {
			uint8_t *more = cap <= FWS_SBOM_MAX ? realloc(buf, cap * 2) : NULL;
			if (more == NULL) {
				free(buf);
				return cap <= FWS_SBOM_MAX ? FWS_ENOMEM : FWS_ELIMIT;
			}
			buf = more;
			cap *= 2;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0) {
			free(buf);
			return FWS_EIO;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > FWS_SBOM_MAX) {
		free(buf);
		return FWS_ELIMIT;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int run_sbom(struct cli *c)
{
	const char *which = cli_get(c, "set");
	char set = 0, used, version[FWS_VERSION_MAX + 1];
	uint8_t *data = NULL, digest[32];
	size_t len = 0;
	int fd = -1;
	if (which != NULL && strcmp(which, "a") != 0 && strcmp(which, "b") != 0)
		return cli_usage_error("--set must be a or b, not '%s'", cli_esc(which));
	if (which != NULL)
		set = which[0];
	int rc = open_device(c, 0);
	if (rc != 0)
		return rc;
	fws_diag_clear();
	rc = fws_device_sbom_open(&dev, set, &fd, &used, version);
	if (rc == 0)
		rc = read_sbom(fd, &data, &len);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		return cli_fail(device_name, rc);
	if (c->json) {
		json_error_t err;
		json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
		if (doc == NULL) {
			free(data);
			char part[16];
			snprintf(part, sizeof(part), "sbom.%c", used);
			return cli_fail_why(device_name, FWS_EJSON, part,
					    "the kept SBOM is not JSON (line %d)", err.line);
		}
		fws_sha256(data, len, digest);
		cli_json_set(c, "set", set_json(used));
		cli_json_set(c, "version", json_string(version));
		cli_json_set(c, "size", json_integer((json_int_t)len));
		cli_json_set(c, "sha256", cli_json_hex(digest, 32));
		cli_json_set(c, "sbom", doc);
	} else if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
		free(data);
		return cli_fail("standard output", FWS_EIO);
	}
	free(data);
	return 0;
}

/* ---- log ---- */

static const struct cli_opt log_opts[] = {
    DEVICE_OPT, CLI_JSON_OPT, {"verify", CLI_FLAG, NULL, 0, "check the hash chain and its head"},
    {NULL}};
static const int log_codes[] = {FWS_ESTATE, FWS_EUNSAFE, FWS_EIO, FWS_ECONFIG, FWS_EOVERLAP, FWS_EFILETYPE, FWS_EBOOTLOADER, 0};

struct log_print {
	json_t *lines;
	size_t n;
};

static const char *field(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v != NULL && v[0] != '\0' ? v : "-";
}

static int print_line(void *arg, const char *line, size_t len)
{
	struct log_print *lp = arg;
	json_t *o = json_loadb(line, len, 0, NULL);
	if (o == NULL)
		return FWS_ESTATE;
	if (lp->lines != NULL) {
		json_array_append_new(lp->lines, o);
	} else {
		if (lp->n == 0)
			printf("%-5s %-20s %-11s %-16s %-9s %-4s %s\n", "seq", "time", "action",
			       "result", "version", "slot", "detail");
		printf("%-5lld %-20s %-11s %-16s %-9s %-4s %s\n",
		       (long long)json_integer_value(json_object_get(o, "seq")), field(o, "time"),
		       field(o, "action"), field(o, "result"), field(o, "version"), field(o, "slot"),
		       field(o, "detail"));
		json_decref(o);
	}
	lp->n++;
	return 0;
}

static int run_log(struct cli *c)
{
	const char *device;
	if (c->json && cli_flag(c, "verify"))
		return cli_usage_error("--json and --verify do not go together");
	/* No state needed: the log is what to read when the state is broken. */
	int rc = open_device(c, 0);
	if (rc != 0)
		return rc;
	device = device_name;
	fws_diag_clear();
	if (cli_flag(c, "verify")) {
		uint64_t entries = 0, bad = 0;
		rc = fws_audit_log_verify(dev.log, &entries, &bad);
		if (rc != 0) {
			char where[64];
			snprintf(where, sizeof(where), "line %llu", (unsigned long long)bad);
			char part[80];
			snprintf(part, sizeof(part), "log (%s)", bad ? where : "head");
			return cli_fail_why(device, rc, part,
					    "the hash chain or its head does not verify");
		}
		printf("audit log intact: %llu entries, hash chain and head verified\n",
		       (unsigned long long)entries);
		return 0;
	}
	struct log_print lp = {c->json ? json_array() : NULL, 0};
	rc = fws_audit_log_read(dev.log, print_line, &lp);
	if (rc == 0 && c->json)
		cli_json_set(c, "lines", json_incref(lp.lines));
	json_decref(lp.lines);
	return rc == 0 ? 0 : cli_fail(device, rc);
}

/* ---- selftest ---- */

static const struct cli_opt selftest_opts[] = {DEVICE_OPT, CLI_JSON_OPT, {NULL}};
static const int selftest_codes[] = {FWS_EINTERNAL, FWS_ENOMEM, FWS_ESTATE, FWS_EUNSAFE,
				     FWS_EIO, FWS_ECONFIG, FWS_EOVERLAP, FWS_EFILETYPE, FWS_EBOOTLOADER, 0};

/* The device's trusted time dates the record when a device is named: the
 * newest `created` it verified (a lower bound of the real date, never the
 * clock alone). Without a device the date is "unknown". Reading the state
 * changes nothing. */
static int run_selftest(struct cli *c)
{
	struct fws_device_status st;
	int64_t when = 0;
	if (cli_get(c, "device") != NULL || cli_get(c, "config") != NULL) {
		int rc = open_device(c, 0);
		if (rc != 0)
			return rc;
		fws_diag_clear();
		rc = fws_device_status(&dev, &st);
		if (rc != 0)
			return cli_fail(device_name, rc);
		when = st.state.highest_created;
	}
	return cli_selftest(c, NULL, 0, when,
			    "the device's trusted time: the newest verified 'created'");
}

static const struct cli_cmd commands[] = {
    {"init", "provision a device (simulated, or the one system.conf describes)",
     "(--device DIR --hardware ID [--device-id ID] | [--config FILE]) --root FILE\n"
     "    [--factory-version V [--factory-security-version N]]",
     "With --device: creates DIR (0700) with slot sets a and b, the trusted root, the\n"
     "state (slot a confirmed: empty, or the factory image) and the audit log. With\n"
     "--config (default " FWS_SYSCONF_PATH "): provisions the device system.conf\n"
     "describes; its hardware and device ids come from system.conf, so --hardware and\n"
     "--device-id are refused (exit 2), and the bootloader's environment must already\n"
     "exist and be valid (U-Boot: fw_env.config and a written environment, else exit\n"
     "48; docs/system-conf.md). A device that already holds a state, even a corrupt\n"
     "one, is never provisioned again: that would reset its rollback counter\n"
     "(docs/recovery.md). With a [floor] backend in system.conf it also sets the\n"
     "rollback floor up (a TPM's NV counter and its write-once base), keeping a floor\n"
     "that is already there (docs/rollback-floor.md).",
     init_opts, 0, 0, init_codes,
     "fwseal-verify init --device /tmp/dev --root root.json --hardware pump-rev-c",
     run_init,
     "device, hardware_id, device_id  what was provisioned\n"
     "factory_version  the image already in slot a, or null"},
    {"install", "verify a bundle while streaming it into the inactive slot",
     "(--device DIR | --config FILE) [--permit FILE] [--allow-downgrade] [OPTIONS] BUNDLE|-",
     "Streams the bundle (\"-\" = standard input) and checks signatures, root chain,\n"
     "hardware, rollback and every chunk before writing it into the slot set that is\n"
     "neither confirmed nor running; that set becomes PENDING and the bootloader tries\n"
     "it next. The security_version is raised only by mark-good. The device lock is\n"
     "taken only once the manifest's signatures verified, and held at most\n"
     "--download-timeout (default 3600 s) plus the time to write what arrived: a URL\n"
     "or pipe that has not ended by then is given up (exit 70). Expiry is judged against\n"
     "the newest signed time the device has seen, unless --trusted-time gives one.\n"
     "A refused bundle changes nothing.",
     install_opts, 1, 1, install_codes,
     "fwseal-verify install --device /tmp/dev pump-1.2.0.fwb\n"
     "fwseal-verify install oci://registry.example/acme/pump:1.2.0   # [oci] credentials\n"
     "curl -s https://updates.example/pump.fwb | fwseal-verify install --device /tmp/dev -",
     run_install,
     "product, version, security_version  the release installed\n"
     "manifest_sha256  SHA-256 of its signed manifest body\n"
     "slot             the set now pending\n"
     "boot_tries       tries the bootloader gives it\n"
     "root_version     the trusted root afterwards\n"
     "root_advanced    the bundle moved the trusted root on\n"
     "permit_used      a downgrade permit was used (spent)\n"
     "bundle_bytes     bytes of the bundle read\n"
     "downloaded_bytes bytes that crossed the network (0 for a file)\n"
     "reused_bytes     bytes taken from the slots instead (--delta)\n"
     "refetched_chunks chunks a slot offered that did not match and were fetched\n"
     "delta            the install fetched only what the slots lack (--delta)"},
    {"boot", "simulate a reboot: the bootloader picks a slot", "--device DIR [--json]",
     "Simulation only (--device DIR): on a device with a real bootloader (--config)\n"
     "the bootloader boots, and this command is a usage error (exit 2).\n"
     "The simulated bootloader boots the first slot in its boot order with tries left\n"
     "and spends one, as the U-Boot script in docs/integration.md does. A pending slot\n"
     "that used up its tries is dropped and the device stays on the confirmed slot.",
     boot_opts, 0, 0, boot_codes, "fwseal-verify boot --device /tmp/dev", run_boot,
     "booted_slot, confirmed_slot, pending_slot  after the boot\n"
     "version, security_version  of the confirmed slot\n"
     "fell_back        the pending slot given up during this boot, or null"},
    {"mark-good", "confirm the running update (raises the counter)",
     "(--device DIR | --config FILE) [booted|other|a|b|BOOTNAME|SLOT]",
     "The running pending slot confirmed itself: it becomes the confirmed slot and\n"
     "only now the stored security_version is raised. On the confirmed slot it renews\n"
     "its boot tries (run it on every good boot). A pending slot that has not booted\n"
     "yet cannot be confirmed. A rollback floor outside the state (system.conf\n"
     "[floor]) is raised here, never at install (docs/rollback-floor.md).",
     mark_opts, 0, 1, mark_codes, "fwseal-verify mark-good --device /tmp/dev", run_mark_good,
     "(the fields of boot)"},
    {"mark-bad", "give a slot up", "(--device DIR | --config FILE) [booted|other|a|b|BOOTNAME|SLOT]",
     "A pending slot is cancelled; the confirmed slot gives way to the other slot when\n"
     "that holds a confirmed image not below the counter; any other image is\n"
     "forgotten and never booted again.",
     mark_opts, 0, 1, mark_codes, "fwseal-verify mark-bad --device /tmp/dev other",
     run_mark_bad,
     "(the fields of boot)"},
    {"mark-active", "make a slot the one that boots", "(--device DIR | --config FILE) [booted|other|a|b|BOOTNAME|SLOT]",
     "The slot boots next: the pending slot gets its tries renewed; a slot holding a\n"
     "confirmed image not below the counter becomes the confirmed slot (a pending\n"
     "update is then cancelled).",
     mark_opts, 0, 1, mark_codes, "fwseal-verify mark-active --device /tmp/dev other",
     run_mark_active,
     "(the fields of boot)"},
    {"rollback", "cancel the pending update, or return to the other slot",
     "(--device DIR | --config FILE) [--json]",
     "With an update pending it is cancelled; otherwise the other slot becomes the\n"
     "confirmed slot if its security_version is not below the stored one.",
     boot_opts, 0, 0, mark_codes, "fwseal-verify rollback --device /tmp/dev", run_rollback,
     "(the fields of boot)"},
    {"provision-floor", "set the rollback floor up on a device provisioned without it",
     "--config FILE",
     "For a device provisioned before system.conf named a [floor] backend (tpm2,\n"
     "command): sets the floor's store up at the state's security_version, as init\n"
     "does for a new device. A floor that is already there is kept, never lowered;\n"
     "if it is higher than the state says, the state follows it. With the file floor\n"
     "there is nothing to set up (exit 2). docs/rollback-floor.md.",
     floor_opts, 0, 0, floor_codes, "fwseal-verify provision-floor --config /etc/fwseal/system.conf",
     run_provision_floor,
     "backend          \"tpm2\" or \"command\"\n"
     "rollback_floor   the floor afterwards"},
    POLL_CMD,
    REPORT_CMD,
    DEVICE_KEY_CMD,
    {"status", "show the device's state and the bootloader's side by side",
     "(--device DIR | --config FILE) [--json]",
     "Prints fwseal's state and the bootloader's variables, then checks that what an\n"
     "install needs is healthy (state, trusted root, bootloader, audit log, rollback\n"
     "floor): a broken part is reported and the exit status is not 0.",
     status_opts, 0, 0, status_codes, "fwseal-verify status --device /tmp/dev --json",
     run_status,
     "device, hardware_id, device_id\n"
     "version, security_version  the confirmed image and the device's counter\n"
     "confirmed_slot, pending_slot, booted_slot  \"a\", \"b\" or null\n"
     "boot_attempts    tries left of the pending slot, or null\n"
     "boot_order       the bootloader's order, e.g. [\"b\", \"a\"]\n"
     "slots            {a, b}: {version, security_version, boot_tries, in_boot_order}\n"
     "root_version, trusted_time, installs, generation\n"
     "log_seq          the audit log's last line\n"
     "rollback_floor   {backend, value, error}: the floor (docs/rollback-floor.md);\n"
     "                 value null and error the code's name when it cannot be read\n"
     "channel          {name, version, created, expires, stale, stale_since}: the signed\n"
     "                 channel the device follows (docs/fleet.md), or null"},
    {"sbom", "print the SBOM of the installed release",
     "(--device DIR | --config FILE) [--set a|b] [--json]",
     "Prints the SBOM the device kept when it installed the release now in the\n"
     "confirmed set (or --set): the bytes the bundle carried, whose digest the\n"
     "install verified against the signed manifest and recorded in the audit log\n"
     "(docs/format.md §14.4). A set that holds no release, or a release installed\n"
     "without an SBOM, exits 33.",
     sbom_opts, 0, 0, sbom_codes, "fwseal-verify sbom --device /tmp/dev > installed.cdx.json",
     run_sbom,
     "set              the set described\n"
     "version          its release's version\n"
     "size, sha256     of the SBOM as kept (the audit log's sbom digest)\n"
     "sbom             the SBOM itself, as a JSON object"},
    {"log", "print or check the audit log", "(--device DIR | --config FILE) [--json | --verify]",
     "Prints the hash-chained audit log, or checks its chain and head (exit 27 naming\n"
     "the first bad line). Works when the state is broken: it is the first step of\n"
     "docs/recovery.md.",
     log_opts, 0, 0, log_codes, "fwseal-verify log --device /tmp/dev --verify", run_log,
     "lines            the audit log's lines as objects, oldest first\n"
     "                 (docs/audit-log.md)"},
    {"selftest", "run the built-in known answers and attack suite on this device",
     "[--device DIR | --config FILE] [--json]",
     "Runs the known-answer tests and the attack suite against the device library as\n"
     "installed (bundles built in memory, signed with public test keys the device\n"
     "never trusts; nothing is written). With --json it prints the installation /\n"
     "operational qualification record (docs/qualification.md). With --device or\n"
     "--config the record is dated by the device's trusted time, else \"unknown\".",
     selftest_opts, 0, 0, selftest_codes,
     "fwseal-verify selftest --json > iq-oq.json\n"
     "fwseal-verify selftest --config /etc/fwseal/system.conf --json",
     run_selftest, CLI_SELFTEST_JSON},
    {NULL}};

static const struct cli_tool tool = {
    "fwseal-verify", "verify and install updates on an A/B device, with rollback protection",
    "The device side: verify-then-install into A/B slot sets, boot confirmation,\n"
    "fallback, anti-rollback and a hash-chained audit log. A real device is described\n"
    "by its system configuration (--config FILE, default " FWS_SYSCONF_PATH ";\n"
    "docs/system-conf.md): its slots, bootloader (U-Boot, GRUB or a program), state\n"
    "and log; --device DIR is the same over a device simulated in a directory (tests,\n"
    "demos). A slot may be named by its set (a, b, booted, other), its bootname or\n"
    "its slot name in system.conf.",
    commands};

int main(int argc, char **argv)
{
	int rc = cli_main(&tool, argc, argv);
	fws_sysconf_device_close(&sys);
	return rc;
}
