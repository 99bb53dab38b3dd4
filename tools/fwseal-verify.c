/* fwseal-verify: the device-side command. Provision a (simulated) device,
 * install a bundle into its inactive slot, show its state. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/fwseal.h"
#include "cli.h"

const char *cli_prog = "fwseal-verify";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fwseal-verify COMMAND --device DIR [OPTIONS]\n"
		"\n"
		"Verify-then-install on a device with A/B slots (simulated in DIR).\n"
		"\n"
		"Commands:\n"
		"  init     --device DIR --root ROOT.json --hardware ID\n"
		"           Provision DIR: trusted root, state (slot a active, nothing\n"
		"           installed, security_version 0), empty slots a/ and b/.\n"
		"  install  --device DIR [--allow-downgrade] [--trusted-time now|TIME] B.fwb|-\n"
		"           Stream the bundle (\"-\" = standard input), verify signatures,\n"
		"           hardware, rollback and every chunk before writing it into the\n"
		"           inactive slot, then switch slots atomically. A refused bundle\n"
		"           changes nothing. Expiry of roots and manifests is judged against\n"
		"           the newest 'created' time the device has verified, never its own\n"
		"           clock, unless --trusted-time gives a time to trust (\"now\" = this\n"
		"           machine's clock, for devices with a secure clock).\n"
		"  status   --device DIR [--json]\n"
		"           Installed version, security_version, active slot, root version.\n"
		"\n"
		"Options:\n"
		"  -h, --help      this help\n"
		"  -V, --version   print the version\n"
		"\n"
		"Examples:\n"
		"  fwseal-verify init --device /tmp/dev --root root.json --hardware pump-rev-c\n"
		"  fwseal-verify install --device /tmp/dev pump-1.2.0.fwb\n"
		"  curl -s https://updates.example/pump.fwb | fwseal-verify install --device /tmp/dev -\n"
		"\n");
	cli_print_exit_codes(out);
}

struct args {
	const char *device, *root, *hardware, *bundle, *trusted_time;
	int json, allow_downgrade;
};

/* One parser for all subcommands; each then checks what it needs. */
static int parse(int argc, char **argv, struct args *a, int *done)
{
	static const struct option opts[] = {{"device", required_argument, NULL, 'd'},
					     {"root", required_argument, NULL, 'r'},
					     {"hardware", required_argument, NULL, 'w'},
					     {"json", no_argument, NULL, 'j'},
					     {"allow-downgrade", no_argument, NULL, 'a'},
					     {"trusted-time", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	*done = 0;
	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char **slot = NULL;
		switch (c) {
		case 'd':
			slot = &a->device;
			break;
		case 'r':
			slot = &a->root;
			break;
		case 'w':
			slot = &a->hardware;
			break;
		case 't':
			slot = &a->trusted_time;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'a':
			a->allow_downgrade = 1;
			break;
		case 'h':
			usage(stdout);
			*done = 1;
			return 0;
		default:
			return cli_usage_error("bad option '%s'", argv[optind - 1]);
		}
		if (slot != NULL) {
			if (*slot != NULL)
				return cli_usage_error("%s given twice", argv[optind - 2]);
			*slot = optarg;
		}
	}
	if (optind < argc)
		a->bundle = argv[optind++];
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (a->device == NULL)
		return cli_usage_error("--device DIR is required");
	return 0;
}

static int cmd_init(const struct args *a)
{
	if (!a->root || !a->hardware || a->bundle || a->json || a->allow_downgrade ||
	    a->trusted_time)
		return cli_usage_error("init takes --device, --root and --hardware only");
	if (!fws_name_valid(a->hardware))
		return cli_usage_error("--hardware must be 1-64 chars of [A-Za-z0-9._+-]");
	int rc = fws_device_init(a->device, a->root, a->hardware);
	if (rc != 0)
		return cli_fail(a->device, rc);
	printf("provisioned %s for hardware %s\n", a->device, a->hardware);
	return 0;
}

static int cmd_install(const struct args *a)
{
	struct fws_install_opts io = {0};
	struct fws_verify_result *res;
	int fd, rc;
	if (!a->bundle || a->root || a->hardware)
		return cli_usage_error("install needs one bundle (or - for stdin)");
	if (a->trusted_time != NULL) {
		if (strcmp(a->trusted_time, "now") == 0) {
			time_t t = time(NULL);
			io.now = t > 0 ? (int64_t)t : 0;
		} else if (fws_time_parse(a->trusted_time, &io.now) != 0) {
			return cli_usage_error("--trusted-time must be 'now' or YYYY-MM-DDTHH:MM:SSZ");
		}
	}
	if (strcmp(a->bundle, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(a->bundle, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_fail(a->bundle, FWS_ENOENT);
	res = malloc(sizeof(*res));
	io.allow_downgrade = a->allow_downgrade;
	rc = res == NULL ? FWS_ENOMEM : fws_device_install(a->device, fws_read_fd, &fd, &io, res);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc == 0) {
		struct fws_device_state st;
		printf("installed %s %s (security_version %llu)", res->manifest.product,
		       res->manifest.version, (unsigned long long)res->manifest.security_version);
		if (fws_state_load(a->device, &st) == 0)
			printf(" into slot %c, now active", st.active_slot);
		if (res->root_advanced)
			printf("; trusted root now v%llu", (unsigned long long)res->root.version);
		printf("\n");
	}
	free(res);
	return rc == 0 ? 0 : cli_fail(a->bundle, rc);
}

static int cmd_status(const struct args *a)
{
	struct fws_device_state st;
	char t[21];
	if (a->bundle || a->root || a->hardware || a->trusted_time || a->allow_downgrade)
		return cli_usage_error("status takes only --device and --json");
	int rc = fws_state_load(a->device, &st);
	if (rc != 0)
		return cli_fail(a->device, rc);
	if (fws_time_format(st.highest_created, t) != 0)
		strcpy(t, "?");
	if (a->json) {
		printf("{\"hardware_id\":\"%s\",\"version\":%s%s%s,\"security_version\":%llu,"
		       "\"active_slot\":\"%c\",\"root_version\":%llu,\"trusted_time\":\"%s\","
		       "\"installs\":%llu}\n",
		       st.hardware_id, st.version[0] ? "\"" : "", st.version[0] ? st.version : "null",
		       st.version[0] ? "\"" : "", (unsigned long long)st.security_version,
		       st.active_slot, (unsigned long long)st.root_version, t,
		       (unsigned long long)st.installs);
	} else {
		printf("device:           %s\nhardware:         %s\n", a->device, st.hardware_id);
		printf("version:          %s\n", st.version[0] ? st.version : "(none installed)");
		printf("security_version: %llu\nactive slot:      %c\nroot version:     %llu\n",
		       (unsigned long long)st.security_version, st.active_slot,
		       (unsigned long long)st.root_version);
		printf("trusted time:     %s (newest verified 'created')\ninstalls:         %llu\n",
		       t, (unsigned long long)st.installs);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	int done;
	if (fws_init() != 0)
		return cli_fail(NULL, FWS_ECRYPTO);
	if (argc < 2)
		return cli_usage_error("missing command");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("fwseal-verify %s (sha256: %s)\n", fws_version(), fws_sha256_backend());
		return 0;
	}
	if (strcmp(cmd, "init") && strcmp(cmd, "install") && strcmp(cmd, "status"))
		return cli_usage_error("unknown command '%s'", cmd);
	int rc = parse(argc - 1, argv + 1, &a, &done);
	if (rc != 0 || done)
		return rc;
	if (!strcmp(cmd, "init"))
		return cmd_init(&a);
	if (!strcmp(cmd, "install"))
		return cmd_install(&a);
	return cmd_status(&a);
}
