/* fwseal-verify: the device-side command over a simulated A/B device in a
 * directory. Thin: every decision is made by libfwseal (lib/device). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fwseal/fwseal.h"
#include "cli.h"

const char *cli_prog = "fwseal-verify";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fwseal-verify COMMAND --device DIR [OPTIONS]\n"
		"\n"
		"Verify-then-install on a device with A/B slots (simulated in DIR), with boot\n"
		"confirmation, rollback protection and a hash-chained audit log.\n"
		"\n"
		"Commands:\n"
		"  init       --device DIR --root ROOT.json --hardware ID [--device-id ID]\n"
		"             Provision DIR: trusted root, state (slot a confirmed, empty,\n"
		"             security_version 0), slots a/ and b/, audit log.\n"
		"  install    --device DIR [--allow-downgrade] [--permit P.permit]\n"
		"             [--trusted-time now|TIME] B.fwb|-\n"
		"             Stream the bundle (\"-\" = standard input) and verify signatures,\n"
		"             root chain, hardware, rollback and every chunk before writing it\n"
		"             into the inactive slot, which becomes PENDING with %d boot\n"
		"             attempts. The security_version is raised only by mark-good.\n"
		"             Expiry is judged against the newest 'created' time the device\n"
		"             has verified, never its own clock, unless --trusted-time gives a\n"
		"             time to trust (\"now\" = this machine's clock). A refused bundle\n"
		"             changes nothing. --permit allows one release-signed downgrade.\n"
		"  boot       --device DIR\n"
		"             Simulate the bootloader: try the pending slot while attempts\n"
		"             remain, else fall back to the confirmed slot.\n"
		"  mark-good  --device DIR\n"
		"             The running pending image confirms itself: it becomes the\n"
		"             confirmed slot and the stored security_version is raised.\n"
		"  rollback   --device DIR\n"
		"             Cancel a pending update, or return to the other slot while its\n"
		"             security_version is not below the stored one.\n"
		"  status     --device DIR [--json]\n"
		"  log        --device DIR [--json | --verify]\n"
		"             Print the audit log, or check its hash chain.\n"
		"\n"
		"Options:\n"
		"  -h, --help      this help\n"
		"  -V, --version   print the version\n"
		"\n"
		"Examples:\n"
		"  fwseal-verify init --device /tmp/dev --root root.json --hardware pump-rev-c\n"
		"  fwseal-verify install --device /tmp/dev pump-1.2.0.fwb\n"
		"  fwseal-verify boot --device /tmp/dev && fwseal-verify mark-good --device /tmp/dev\n"
		"  curl -s https://updates.example/pump.fwb | fwseal-verify install --device /tmp/dev -\n"
		"\n",
		FWS_BOOT_ATTEMPTS);
	cli_print_exit_codes(out);
}

struct args {
	const char *device, *root, *hardware, *device_id, *bundle, *trusted_time, *permit;
	int json, allow_downgrade, verify;
};

/* One parser for all subcommands; each then checks what it accepts. */
static int parse(int argc, char **argv, struct args *a, int *done)
{
	static const struct option opts[] = {{"device", required_argument, NULL, 'd'},
					     {"root", required_argument, NULL, 'r'},
					     {"hardware", required_argument, NULL, 'w'},
					     {"device-id", required_argument, NULL, 'i'},
					     {"trusted-time", required_argument, NULL, 't'},
					     {"permit", required_argument, NULL, 'p'},
					     {"json", no_argument, NULL, 'j'},
					     {"verify", no_argument, NULL, 'v'},
					     {"allow-downgrade", no_argument, NULL, 'a'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	*done = 0;
	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char **slot = NULL;
		int *flag = NULL;
		switch (c) {
		case 'd': slot = &a->device; break;
		case 'r': slot = &a->root; break;
		case 'w': slot = &a->hardware; break;
		case 'i': slot = &a->device_id; break;
		case 't': slot = &a->trusted_time; break;
		case 'p': slot = &a->permit; break;
		case 'j': flag = &a->json; break;
		case 'v': flag = &a->verify; break;
		case 'a': flag = &a->allow_downgrade; break;
		case 'h':
			usage(stdout);
			*done = 1;
			return 0;
		default:
			return cli_usage_error("bad option '%s'", argv[optind - 1]);
		}
		if ((slot != NULL && *slot != NULL) || (flag != NULL && *flag))
			return cli_usage_error("%s given twice", argv[optind - 1 - (slot != NULL)]);
		if (slot != NULL)
			*slot = optarg;
		else
			*flag = 1;
	}
	if (optind < argc)
		a->bundle = argv[optind++];
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (a->device == NULL)
		return cli_usage_error("--device DIR is required");
	return 0;
}

/* Options each command accepts, as a string of the option letters above. */
static int only(const struct args *a, const char *cmd, const char *allowed)
{
	struct {
		char letter;
		int set;
		const char *name;
	} o[] = {{'r', a->root != NULL, "--root"},
		 {'w', a->hardware != NULL, "--hardware"},
		 {'i', a->device_id != NULL, "--device-id"},
		 {'t', a->trusted_time != NULL, "--trusted-time"},
		 {'p', a->permit != NULL, "--permit"},
		 {'j', a->json, "--json"},
		 {'v', a->verify, "--verify"},
		 {'a', a->allow_downgrade, "--allow-downgrade"},
		 {'B', a->bundle != NULL, "a bundle argument"}};
	for (size_t i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		if (o[i].set && strchr(allowed, o[i].letter) == NULL)
			return cli_usage_error("%s does not take %s", cmd, o[i].name);
	return 0;
}

static int cmd_init(struct fws_device *dev, const struct args *a)
{
	uint8_t *root = NULL;
	size_t len;
	int rc = only(a, "init", "rwi");
	if (rc != 0)
		return rc;
	if (!a->root || !a->hardware)
		return cli_usage_error("init needs --root and --hardware");
	if (!fws_name_valid(a->hardware) || (a->device_id && !fws_name_valid(a->device_id)))
		return cli_usage_error("ids must be 1-64 chars of [A-Za-z0-9._+-]");
	rc = fws_file_read_all(a->root, FWS_ENVELOPE_MAX, &root, &len);
	if (rc != 0)
		return cli_fail(a->root, rc);
	rc = fws_device_dir_prepare(a->device);
	if (rc == 0)
		rc = fws_device_provision(dev, root, len, a->hardware, a->device_id);
	free(root);
	if (rc != 0)
		return cli_fail(rc == FWS_EEXIST || rc == FWS_EIO || rc == FWS_EBUSY ? a->device
										  : a->root,
				rc);
	printf("provisioned %s for hardware %s\n", a->device, a->hardware);
	return 0;
}

static int fixed_clock(void *ctx, int64_t *now)
{
	*now = *(const int64_t *)ctx;
	return 0;
}

static int cmd_install(struct fws_device *dev, const struct args *a)
{
	struct fws_install_opts io = {0};
	struct fws_verify_result *res = NULL;
	uint8_t *permit = NULL;
	int64_t clock_now = 0;
	int fd = -1, rc = only(a, "install", "tpaB");
	if (rc != 0)
		return rc;
	if (!a->bundle)
		return cli_usage_error("install needs one bundle (or - for stdin)");
	if (a->trusted_time != NULL) {
		if (strcmp(a->trusted_time, "now") == 0) {
			time_t t = time(NULL);
			clock_now = t > 0 ? (int64_t)t : 0;
		} else if (fws_time_parse(a->trusted_time, &clock_now) != 0) {
			return cli_usage_error("--trusted-time must be 'now' or YYYY-MM-DDTHH:MM:SSZ");
		}
		dev->clock = (struct fws_clock){&clock_now, fixed_clock};
	}
	if (a->permit != NULL) {
		rc = fws_file_read_all(a->permit, FWS_ENVELOPE_MAX, &permit, &io.permit_len);
		if (rc != 0)
			return cli_fail(a->permit, rc);
		io.permit = permit;
	}
	io.allow_downgrade = a->allow_downgrade;
	/* A broken device is reported as the device, not as the bundle. */
	const char *part = NULL;
	rc = fws_device_check(dev, &part);
	if (rc != 0) {
		char where[4200];
		snprintf(where, sizeof(where), "%s/%s", a->device,
			 part == NULL ? "" : strcmp(part, "root") == 0 ? "root.json" : part);
		free(permit);
		return cli_fail(where, rc);
	}
	if (strcmp(a->bundle, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(a->bundle, O_RDONLY | O_CLOEXEC)) < 0)
		rc = cli_open_error(a->bundle);
	res = malloc(sizeof(*res));
	if (rc == 0 && res == NULL)
		rc = cli_fail(NULL, FWS_ENOMEM);
	if (rc == 0) {
		rc = fws_device_install(dev, fws_read_fd, &fd, &io, res);
		if (rc != 0)
			rc = cli_fail(rc == FWS_EPERMIT ? a->permit : a->bundle, rc);
	}
	if (rc == 0) {
		struct fws_device_state st;
		printf("installed %s %s (security_version %llu)", res->manifest.product,
		       res->manifest.version, (unsigned long long)res->manifest.security_version);
		if (fws_device_state_get(dev, &st) == 0)
			printf(" into slot %c: pending, %u boot attempts", st.pending_slot,
			       st.boot_attempts);
		if (res->root_advanced)
			printf("; trusted root now v%llu", (unsigned long long)res->root.version);
		printf("\n");
	}
	if (fd > STDIN_FILENO)
		close(fd);
	free(res);
	free(permit);
	return rc;
}

static int cmd_boot(struct fws_device *dev, const struct args *a)
{
	struct fws_device_state st;
	char slot;
	int rc = only(a, "boot", "");
	if (rc == 0 && (rc = fws_device_boot(dev, &slot)) != 0)
		return cli_fail(a->device, rc);
	if (rc != 0)
		return rc;
	if (fws_device_state_get(dev, &st) != 0)
		return cli_fail(a->device, FWS_ESTATE);
	const struct fws_slot_info *si = &st.slots[slot == 'b'];
	if (st.pending_slot == slot)
		printf("booted slot %c (%s, pending: %u boot attempts left; run mark-good once it "
		       "works)\n",
		       slot, si->version[0] ? si->version : "empty", st.boot_attempts);
	else
		printf("booted slot %c (%s, confirmed)\n", slot,
		       si->version[0] ? si->version : "empty");
	return 0;
}

static int cmd_mark_good(struct fws_device *dev, const struct args *a)
{
	struct fws_device_state st;
	int rc = only(a, "mark-good", "");
	if (rc == 0 && (rc = fws_device_mark_good(dev)) != 0)
		return cli_fail(a->device, rc);
	if (rc != 0)
		return rc;
	if (fws_device_state_get(dev, &st) != 0)
		return cli_fail(a->device, FWS_ESTATE);
	printf("slot %c confirmed good (%s); security_version now %llu\n", st.confirmed_slot,
	       st.slots[st.confirmed_slot == 'b'].version, (unsigned long long)st.security_version);
	return 0;
}

static int cmd_rollback(struct fws_device *dev, const struct args *a)
{
	char slot;
	int rc = only(a, "rollback", "");
	if (rc == 0 && (rc = fws_device_rollback(dev, &slot)) != 0)
		return cli_fail(a->device, rc);
	if (rc == 0)
		printf("slot %c is the confirmed slot; the next boot uses it\n", slot);
	return rc;
}

static void print_version(const char *key, const char *v, int json)
{
	if (json)
		printf("\"%s\":%s%s%s", key, v[0] ? "\"" : "", v[0] ? v : "null", v[0] ? "\"" : "");
	else
		printf("%s", v[0] ? v : "(empty)");
}

static int cmd_status(struct fws_device *dev, const struct args *a)
{
	struct fws_device_state st;
	char t[21];
	int rc = only(a, "status", "j");
	if (rc != 0)
		return rc;
	rc = fws_device_state_get(dev, &st);
	if (rc != 0)
		return cli_fail(a->device, rc);
	if (fws_time_format(st.highest_created, t) != 0)
		strcpy(t, "?");
	const struct fws_slot_info *cur = &st.slots[st.confirmed_slot == 'b'];
	if (a->json) {
		printf("{\"hardware_id\":\"%s\",\"device_id\":\"%s\",", st.hardware_id, st.device_id);
		print_version("version", cur->version, 1);
		printf(",\"security_version\":%llu,\"confirmed_slot\":\"%c\",\"pending_slot\":%s%s%s,"
		       "\"boot_attempts\":%u,\"booted_slot\":%s%s%s,\"slots\":{",
		       (unsigned long long)st.security_version, st.confirmed_slot,
		       st.pending_slot == '-' ? "null" : "\"",
		       st.pending_slot == '-' ? "" : (char[]){st.pending_slot, 0},
		       st.pending_slot == '-' ? "" : "\"", st.boot_attempts,
		       st.booted_slot == '-' ? "null" : "\"",
		       st.booted_slot == '-' ? "" : (char[]){st.booted_slot, 0},
		       st.booted_slot == '-' ? "" : "\"");
		for (int i = 0; i < 2; i++) {
			printf("%s\"%c\":{", i ? "," : "", "ab"[i]);
			print_version("version", st.slots[i].version, 1);
			printf(",\"security_version\":%llu}",
			       (unsigned long long)st.slots[i].security_version);
		}
		printf("},\"root_version\":%llu,\"trusted_time\":\"%s\",\"installs\":%llu,"
		       "\"generation\":%llu}\n",
		       (unsigned long long)st.root_version, t, (unsigned long long)st.installs,
		       (unsigned long long)st.generation);
		return 0;
	}
	printf("device:           %s (id %s)\nhardware:         %s\nversion:          ",
	       a->device, st.device_id, st.hardware_id);
	print_version("", cur->version, 0);
	printf(" (confirmed, slot %c)\nsecurity_version: %llu\n", st.confirmed_slot,
	       (unsigned long long)st.security_version);
	if (st.pending_slot != '-') {
		printf("pending:          ");
		print_version("", st.slots[st.pending_slot == 'b'].version, 0);
		printf(" in slot %c, %u boot attempts left\n", st.pending_slot, st.boot_attempts);
	} else {
		printf("pending:          none\n");
	}
	for (int i = 0; i < 2; i++) {
		printf("slot %c:           ", "ab"[i]);
		print_version("", st.slots[i].version, 0);
		printf(" (security_version %llu)\n", (unsigned long long)st.slots[i].security_version);
	}
	printf("booted slot:      %c\nroot version:     %llu\n", st.booted_slot,
	       (unsigned long long)st.root_version);
	printf("trusted time:     %s (newest verified 'created')\ninstalls:         %llu\n", t,
	       (unsigned long long)st.installs);
	return 0;
}

struct log_print {
	int json;
	size_t n;
};

static const char *field(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v != NULL && v[0] != '\0' ? v : "-";
}

/* JSON: the lines as an array, untouched. Text: one aligned row per event. */
static int print_line(void *arg, const char *line, size_t len)
{
	struct log_print *lp = arg;
	if (lp->json) {
		printf("%s%.*s", lp->n ? ",\n " : "[", (int)len, line);
	} else {
		json_t *o = json_loadb(line, len, 0, NULL);
		if (o == NULL)
			return FWS_ESTATE;
		if (lp->n == 0)
			printf("%-5s %-20s %-10s %-16s %-9s %-4s %s\n", "seq", "time", "action",
			       "result", "version", "slot", "detail");
		printf("%-5lld %-20s %-10s %-16s %-9s %-4s %s\n",
		       (long long)json_integer_value(json_object_get(o, "seq")), field(o, "time"),
		       field(o, "action"), field(o, "result"), field(o, "version"), field(o, "slot"),
		       field(o, "detail"));
		json_decref(o);
	}
	lp->n++;
	return 0;
}

static int cmd_log(struct fws_device *dev, const struct args *a)
{
	int rc = only(a, "log", "jv");
	if (rc != 0)
		return rc;
	if (a->json && a->verify)
		return cli_usage_error("log takes --json or --verify, not both");
	struct fws_device_state st;
	rc = fws_device_state_get(dev, &st); /* a directory that is no device has no log */
	if (rc != 0)
		return cli_fail(a->device, rc);
	if (a->verify) {
		uint64_t entries = 0, bad = 0;
		rc = fws_audit_log_verify(a->device, &entries, &bad);
		if (rc != 0) {
			char where[4200];
			snprintf(where, sizeof(where), "%s/log (line %llu)", a->device,
				 (unsigned long long)bad);
			return cli_fail(where, rc);
		}
		printf("audit log intact: %llu entries, hash chain and head verified\n",
		       (unsigned long long)entries);
		return 0;
	}
	struct log_print lp = {a->json, 0};
	rc = fws_audit_log_read(a->device, print_line, &lp);
	if (a->json)
		printf("%s\n", lp.n ? "]" : "[]");
	return rc == 0 ? 0 : cli_fail(a->device, rc);
}

int main(int argc, char **argv)
{
	struct fws_device dev;
	struct fws_dir_backend *backend;
	struct args a;
	int done, rc;
	int started = cli_start(argc, argv, usage);
	if (started >= 0)
		return started;
	const char *cmd = argv[1];
	static const char *const cmds[] = {"init", "install", "boot", "mark-good",
					    "rollback", "status", "log"};
	size_t k = 0;
	while (k < sizeof(cmds) / sizeof(cmds[0]) && strcmp(cmd, cmds[k]) != 0)
		k++;
	if (k == sizeof(cmds) / sizeof(cmds[0]))
		return cli_usage_error("unknown command '%s'", cmd);
	rc = parse(argc - 1, argv + 1, &a, &done);
	if (rc != 0 || done)
		return rc;
	backend = malloc(sizeof(*backend));
	if (backend == NULL)
		return cli_fail(NULL, FWS_ENOMEM);
	fws_device_use_dir(&dev, backend, a.device, NULL);
	switch (k) {
	case 0: rc = cmd_init(&dev, &a); break;
	case 1: rc = cmd_install(&dev, &a); break;
	case 2: rc = cmd_boot(&dev, &a); break;
	case 3: rc = cmd_mark_good(&dev, &a); break;
	case 4: rc = cmd_rollback(&dev, &a); break;
	case 5: rc = cmd_status(&dev, &a); break;
	default: rc = cmd_log(&dev, &a); break;
	}
	free(backend);
	return rc;
}
