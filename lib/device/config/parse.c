/* SPDX-License-Identifier: Apache-2.0 */
/* The strict system.conf parser (docs/system-conf.md). INI-shaped, one
 * meaning per byte: a key the section does not know, a key or section given
 * twice, a value that is not what the key takes, a slot without its class,
 * two slots that overlap, a class missing from one of the two sets: each
 * is FWS_ECONFIG, naming the line and the key. Nothing is defaulted that
 * could be mistaken: required keys have no default. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/manifest.h"
#include "fwseal/net.h"
#include "fwseal/sysconf.h"
#include "device/config/floor_conf.h"
#include "fwseal/manifest.h"
#include "io/io.h"

#define CONF_MAX (64 * 1024)
#define LINE_MAX_LEN 1024

enum section {
	S_NONE,
	S_SYSTEM,
	S_UBOOT,
	S_GRUB,
	S_CUSTOM,
	S_NETWORK,
	S_FLOOR,
	S_DECRYPTION,
	S_OCI,
	S_SLOT,
	S_CHANNEL
};
static const char *const section_names[] = {
    "", "system", "uboot", "grub", "custom", "network", "floor", "decryption", "oci", "slot", "channel"};

struct parser {
	struct fws_sysconf *c;
	unsigned line;
	enum section sec;
	struct fws_conf_slot *slot;
	unsigned seen_sections; /* bit per section kind (slots apart) */
	char seen_keys[64][32]; /* keys of the current section */
	size_t n_seen;
	unsigned system_line;
	unsigned floor_line;
};

static int fail(const struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const struct parser *p, const char *fmt, ...)
{
	char why[FWS_DIAG_WHY_MAX], where[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "line %u", p->line);
	return fws_diag_set(FWS_ECONFIG, 0, p->line ? where : NULL, "%s", why);
}

static const char *sec_label(const struct parser *p)
{
	static char label[FWS_NAME_MAX + 16];
	if (p->sec == S_SLOT)
		snprintf(label, sizeof(label), "[slot.%s]", p->slot->name);
	else
		snprintf(label, sizeof(label), "[%s]", section_names[p->sec]);
	return label;
}

/* Numbers: decimal or 0x hex, an optional K, M or G (powers of 1024). A
 * leading 0 before another digit is refused: strtoull, fw_env.config and
 * many readers take 010 as octal 8, others as ten; a byte offset one
 * reader places elsewhere than another is a slot over something else
 * ([floor] refuses it the same way). */
static int parse_number(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	int hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
	errno = 0;
	if (!(hex ? isxdigit((unsigned char)v[2]) : isdigit((unsigned char)v[0])) ||
	    (!hex && v[0] == '0' && isdigit((unsigned char)v[1])))
		return -1;
	unsigned long long x = strtoull(v + (hex ? 2 : 0), &end, hex ? 16 : 10);
	if (errno != 0 || end == v)
		return -1;
	uint64_t mult = 1;
	if (*end == 'K' || *end == 'M' || *end == 'G') {
		mult = *end == 'K' ? 1024ull : *end == 'M' ? 1024ull * 1024 : 1024ull * 1024 * 1024;
		end++;
	}
	if (*end != '\0' || x > max / mult)
		return -1;
	*out = x * mult;
	return 0;
}

static int set_path(struct parser *p, const char *key, const char *v, char *out)
{
	if (v[0] != '/')
		return fail(p, "%s: \"%s\" is not an absolute path", key, v);
	if (strlen(v) >= FWS_CONF_PATH_MAX)
		return fail(p, "%s: longer than %d bytes", key, FWS_CONF_PATH_MAX - 1);
	strcpy(out, v);
	return 0;
}

static int set_name(struct parser *p, const char *key, const char *v, char *out, size_t cap)
{
	if (!fws_name_valid(v) || strlen(v) >= cap)
		return fail(p, "%s: \"%s\" is not a name (1-64 of A-Z a-z 0-9 . _ + -)", key, v);
	strcpy(out, v);
	return 0;
}

static int set_bool(struct parser *p, const char *key, const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		*out = v[0] == 't';
		return 0;
	}
	return fail(p, "%s: \"%s\" is not true or false", key, v);
}

static int set_u32(struct parser *p, const char *key, const char *v, uint64_t min, uint64_t max,
		   uint32_t *out)
{
	uint64_t x;
	if (parse_number(v, max, &x) != 0 || x < min)
		return fail(p, "%s: \"%s\" is not a number from %llu to %llu", key, v,
			    (unsigned long long)min, (unsigned long long)max);
	*out = (uint32_t)x;
	return 0;
}

static int set_seconds(struct parser *p, const char *key, const char *v, uint32_t *ms)
{
	uint32_t s = 0;
	int rc = set_u32(p, key, v, 0, 86400, &s);
	*ms = s * 1000;
	return rc;
}

static int choose(struct parser *p, const char *key, const char *v, const char *const *names,
		  size_t n, int *out)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return fail(p, "%s: \"%s\" is not one of the values docs/system-conf.md lists", key, v);
}

static int system_key(struct parser *p, const char *k, const char *v)
{
	static const char *const loaders[] = {"dir", "uboot", "grub", "custom"};
	static const char *const booted[] = {"cmdline", "bootloader"};
	struct fws_sysconf *c = p->c;
	int x = 0;
	if (strcmp(k, "hardware-id") == 0)
		return set_name(p, k, v, c->hardware_id, sizeof(c->hardware_id));
	if (strcmp(k, "device-id") == 0)
		return set_name(p, k, v, c->device_id, sizeof(c->device_id));
	if (strcmp(k, "trusted-root") == 0)
		return set_path(p, k, v, c->trusted_root);
	if (strcmp(k, "state-dir") == 0)
		return set_path(p, k, v, c->state_dir);
	if (strcmp(k, "cmdline-file") == 0)
		return set_path(p, k, v, c->cmdline);
	if (strcmp(k, "boot-attempts") == 0)
		return set_u32(p, k, v, 1, 255, &c->boot_attempts);
	if (strcmp(k, "lock-timeout") == 0)
		return set_seconds(p, k, v, &c->lock_timeout_ms);
	if (strcmp(k, "bootloader") == 0) {
		int rc = choose(p, k, v, loaders, 4, &x);
		c->bootloader = (enum fws_conf_bootloader)x;
		return rc;
	}
	if (strcmp(k, "booted") == 0) {
		int rc = choose(p, k, v, booted, 2, &x);
		c->booted = (enum fws_conf_booted)x;
		return rc;
	}
	return fail(p, "unknown key \"%s\" in [system]", k);
}

static int network_key(struct parser *p, const char *k, const char *v)
{
	struct fws_sysconf *c = p->c;
	if (strcmp(k, "allow-http") == 0)
		return set_bool(p, k, v, &c->allow_http);
	if (strcmp(k, "delta") == 0)
		return set_bool(p, k, v, &c->delta);
	if (strcmp(k, "ca-file") == 0)
		return set_path(p, k, v, c->ca_file);
	if (strcmp(k, "client-cert") == 0)
		return set_path(p, k, v, c->client_cert);
	if (strcmp(k, "client-key") == 0)
		return set_path(p, k, v, c->client_key);
	if (strcmp(k, "connect-timeout") == 0)
		return set_seconds(p, k, v, &c->connect_timeout_ms);
	/* 0 for a download would mean "wait for ever": refused, not guessed. */
	if (strcmp(k, "stall-timeout") == 0 || strcmp(k, "download-timeout") == 0) {
		uint32_t s = 0;
		int rc = set_u32(p, k, v, 1, 86400, &s);
		*(k[0] == 's' ? &c->stall_timeout_ms : &c->download_timeout_ms) = s * 1000;
		return rc;
	}
	if (strcmp(k, "proxy") == 0) {
		if ((strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) ||
		    strlen(v) >= sizeof(c->proxy))
			return fail(p, "proxy: not an http:// or https:// URL (the value is not "
				    "echoed: it may hold a password)");
		strcpy(c->proxy, v);
		return 0;
	}
	if (strcmp(k, "retries") == 0)
		return set_u32(p, k, v, 0, 100, &c->retries);
	if (strcmp(k, "max-redirects") == 0)
		return set_u32(p, k, v, 0, 10, &c->max_redirects);
	if (strcmp(k, "header") == 0) {
		if (c->n_headers == FWS_CONF_HEADERS_MAX)
			return fail(p, "header: at most %d", FWS_CONF_HEADERS_MAX);
		if (!fws_http_header_valid(v) || strlen(v) >= sizeof(c->headers[0]))
			return fail(p, "header: \"%s\" is not \"Name: value\"", v);
		strcpy(c->headers[c->n_headers++], v);
		return 0;
	}
	return fail(p, "unknown key \"%s\" in [network]", k);
}

static int slot_key(struct parser *p, const char *k, const char *v)
{
	struct fws_conf_slot *s = p->slot;
	if (strcmp(k, "class") == 0)
		return set_name(p, k, v, s->cls, sizeof(s->cls));
	if (strcmp(k, "device") == 0)
		return set_path(p, k, v, s->device);
	if (strcmp(k, "bootname") == 0) {
		size_t n = strlen(v);
		if (n == 0 || n > FWS_CONF_BOOTNAME_MAX || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							   "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
			return fail(p, "bootname: \"%s\" is not 1-%d letters, digits or _", v,
				    FWS_CONF_BOOTNAME_MAX);
		strcpy(s->bootname, v);
		return 0;
	}
	if (strcmp(k, "offset") == 0 || strcmp(k, "size") == 0) {
		uint64_t x;
		if (parse_number(v, 1ull << 62, &x) != 0 || (k[0] == 's' && x == 0))
			return fail(p, "%s: \"%s\" is not a byte count (e.g. 4096, 0x1000, 16M)", k,
				    v);
		*(k[0] == 'o' ? &s->offset : &s->size) = x;
		return 0;
	}
	return fail(p, "unknown key \"%s\" in %s", k, sec_label(p));
}

static int section(struct parser *p, char *name)
{
	p->n_seen = 0;
	p->slot = NULL;
	if (strncmp(name, "slot.", 5) == 0) {
		struct fws_sysconf *c = p->c;
		const char *sn = name + 5;
		/* A slot name: a class-like name, e.g. rootfs.0. */
		if (!fws_name_valid(sn) || strlen(sn) >= sizeof(c->slots[0].name))
			return fail(p, "[%s]: \"%s\" is not a slot name", name, sn);
		for (size_t i = 0; i < c->n_slots; i++)
			if (strcmp(c->slots[i].name, sn) == 0)
				return fail(p, "[%s] given twice (first on line %u)", name,
					    c->slots[i].line);
		if (c->n_slots == FWS_CONF_SLOTS_MAX)
			return fail(p, "more than %d slots", FWS_CONF_SLOTS_MAX);
		p->slot = &c->slots[c->n_slots++];
		strcpy(p->slot->name, sn);
		p->slot->line = p->line;
		p->sec = S_SLOT;
		return 0;
	}
	for (int i = S_SYSTEM; i <= S_CHANNEL; i++)
		if (i != S_SLOT && strcmp(name, section_names[i]) == 0) {
			if (p->seen_sections & (1u << i))
				return fail(p, "[%s] given twice", name);
			p->seen_sections |= 1u << i;
			p->sec = (enum section)i;
			if (i == S_SYSTEM)
				p->system_line = p->line;
			if (i == S_FLOOR)
				p->floor_line = p->line;
			return 0;
		}
	return fail(p, "unknown section [%s]", name);
}

static int key_value(struct parser *p, const char *k, const char *v)
{
	struct fws_sysconf *c = p->c;
	if (p->sec == S_NONE)
		return fail(p, "\"%s\" outside a section", k);
	/* "header" is the one key that may repeat. */
	for (size_t i = 0; i < p->n_seen; i++)
		if (strcmp(p->seen_keys[i], k) == 0 && strcmp(k, "header") != 0)
			return fail(p, "\"%s\" given twice in %s", k, sec_label(p));
	if (p->n_seen < 64 && strlen(k) < sizeof(p->seen_keys[0]))
		strcpy(p->seen_keys[p->n_seen++], k);
	if (v[0] == '\0')
		return fail(p, "\"%s\" has no value", k);
	/* A path or a header with a control character in it is one that
	 * shows as something else in every message and log. */
	for (const char *ch = v; *ch != '\0'; ch++)
		if ((unsigned char)*ch < 0x20 || *ch == 0x7f)
			return fail(p, "%s: a control character (0x%02x) in the value", k,
				    (unsigned char)*ch);
	switch (p->sec) {
	case S_SYSTEM:
		return system_key(p, k, v);
	case S_UBOOT:
		if (strcmp(k, "fw-env-config") == 0)
			return set_path(p, k, v, c->fw_env_config);
		break;
	case S_GRUB:
		if (strcmp(k, "grubenv") == 0)
			return set_path(p, k, v, c->grubenv);
		break;
	case S_CUSTOM:
		if (strcmp(k, "program") == 0)
			return set_path(p, k, v, c->program);
		break;
	case S_NETWORK:
		return network_key(p, k, v);
	case S_FLOOR:
		return fws_sysconf_floor_key(p->c, k, v, p->line);
	case S_DECRYPTION:
		/* The device's key for encrypted bundles (docs/encryption.md): a
		 * key file, or a key in a token. */
		if (strcmp(k, "key") == 0 && strncasecmp(v, "pkcs11:", 7) == 0) {
			if (strlen(v) >= sizeof(c->decryption_key))
				return fail(p, "key: longer than %zu bytes",
					    sizeof(c->decryption_key) - 1);
			strcpy(c->decryption_key, v);
			return 0;
		}
		if (strcmp(k, "key") == 0)
			return set_path(p, k, v, c->decryption_key);
		break;
	case S_OCI:
		/* The file is read (and its mode checked) when an oci:// bundle
		 * is fetched: lib/net/oci_auth.c. */
		if (strcmp(k, "credentials") == 0)
			return set_path(p, k, v, c->oci_credentials);
		break;
	case S_SLOT:
		return slot_key(p, k, v);
	case S_CHANNEL:
		return fws_sysconf_channel_key(p->c, k, v, p->line);
	default:
		break;
	}
	return fail(p, "unknown key \"%s\" in %s", k, sec_label(p));
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Device identity for the overlap check: the block device itself, or the
 * file; a path that does not exist yet is compared as text. */
struct ident {
	int known;
	dev_t dev;
	ino_t ino;
	dev_t rdev;
};

static void identify(const char *path, struct ident *id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if (stat(path, &st) != 0)
		return;
	id->known = 1;
	if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode))
		id->rdev = st.st_rdev;
	else {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	}
}

static int same_device(const struct fws_conf_slot *a, const struct fws_conf_slot *b)
{
	struct ident x, y;
	identify(a->device, &x);
	identify(b->device, &y);
	if (!x.known || !y.known)
		return strcmp(a->device, b->device) == 0;
	return x.dev == y.dev && x.ino == y.ino && x.rdev == y.rdev;
}

static int overlap(const struct fws_conf_slot *a, const struct fws_conf_slot *b)
{
	uint64_t a_end = a->size ? a->offset + a->size : UINT64_MAX;
	uint64_t b_end = b->size ? b->offset + b->size : UINT64_MAX;
	return same_device(a, b) && a->offset < b_end && b->offset < a_end;
}

/* What holds across sections, checked once all is read. */
static int check_whole(struct parser *p)
{
	struct fws_sysconf *c = p->c;
	p->line = 0;
	if (!(p->seen_sections & (1u << S_SYSTEM)))
		return fail(p, "no [system] section");
	p->line = p->system_line;
	if (c->hardware_id[0] == '\0' || c->trusted_root[0] == '\0' || c->state_dir[0] == '\0')
		return fail(p, "[system] needs hardware-id, trusted-root, state-dir and bootloader");
	if (c->bootloader == FWS_BOOT_UBOOT && c->fw_env_config[0] == '\0')
		return fail(p, "bootloader uboot needs [uboot] fw-env-config");
	/* U-Boot's setexpr counts in hex: a two-digit count would be read as
	 * another number (10 as 16) by a script that decrements it. */
	if (c->bootloader == FWS_BOOT_UBOOT && c->boot_attempts > 9)
		return fail(p, "boot-attempts: %u, but with U-Boot tries are one digit (1-9: "
			       "setexpr counts in hex)",
			    c->boot_attempts);
	if (c->bootloader == FWS_BOOT_GRUB && c->grubenv[0] == '\0')
		return fail(p, "bootloader grub needs [grub] grubenv");
	if (c->bootloader == FWS_BOOT_CUSTOM && c->program[0] == '\0')
		return fail(p, "bootloader custom needs [custom] program");
	if (c->booted == FWS_BOOTED_BOOTLOADER && c->bootloader == FWS_BOOT_DIR)
		return fail(p, "booted: the dir bootloader always knows; leave booted out");
	if (p->seen_sections & (1u << S_FLOOR)) {
		int rc = fws_sysconf_floor_check(c, p->floor_line);
		if (rc != 0)
			return rc;
	}
	if ((p->seen_sections & (1u << S_CHANNEL)) && (c->channel_url[0] == '\0' ||
							 c->channel_name[0] == '\0'))
		return fail(p, "[channel] needs url and name");
	if (c->n_slots == 0)
		return fail(p, "no [slot.NAME] section: a device needs slots");
	for (size_t i = 0; i < c->n_slots; i++) {
		struct fws_conf_slot *s = &c->slots[i];
		p->line = s->line;
		if (s->cls[0] == '\0' || s->device[0] == '\0' || s->bootname[0] == '\0')
			return fail(p, "[slot.%s] needs class, device and bootname", s->name);
		/* Exactly two boot names: the two sets. */
		int k = 0;
		while (k < 2 && c->bootnames[k][0] != '\0' && strcmp(c->bootnames[k], s->bootname) != 0)
			k++;
		if (k == 2)
			return fail(p, "[slot.%s]: a third bootname \"%s\" (a device has two sets)",
				    s->name, s->bootname);
		if (c->bootnames[k][0] == '\0')
			strcpy(c->bootnames[k], s->bootname);
		for (size_t j = 0; j < i; j++) {
			const struct fws_conf_slot *o = &c->slots[j];
			if (strcmp(o->cls, s->cls) == 0 && strcmp(o->bootname, s->bootname) == 0)
				return fail(p, "[slot.%s]: a second %s slot for bootname %s (line %u)",
					    s->name, s->cls, s->bootname, o->line);
			if (overlap(o, s))
				return fail(p, "[slot.%s] overlaps [slot.%s] (line %u) on %s", s->name,
					    o->name, o->line, s->device);
		}
	}
	p->line = 0;
	if (c->bootnames[1][0] == '\0')
		return fail(p, "all slots have bootname %s: a device needs two sets", c->bootnames[0]);
	/* Set a is the bootname that sorts first: the same config, the same sets. */
	if (strcmp(c->bootnames[0], c->bootnames[1]) > 0) {
		char t[FWS_CONF_BOOTNAME_MAX + 1];
		memcpy(t, c->bootnames[0], sizeof(t));
		memcpy(c->bootnames[0], c->bootnames[1], sizeof(t));
		memcpy(c->bootnames[1], t, sizeof(t));
	}
	for (size_t i = 0; i < c->n_slots; i++)
		c->slots[i].set = strcmp(c->slots[i].bootname, c->bootnames[0]) == 0 ? 'a' : 'b';
	for (size_t i = 0; i < c->n_slots; i++) {
		struct fws_conf_slot *s = &c->slots[i];
		if (fws_sysconf_slot(c, s->set == 'a' ? 'b' : 'a', s->cls) == NULL) {
			p->line = s->line;
			return fail(p, "class %s has a slot for bootname %s but none for %s", s->cls,
				    s->bootname, c->bootnames[s->set == 'a']);
		}
	}
	return 0;
}

int fws_sysconf_parse(const char *text, size_t len, const char *name, struct fws_sysconf *c)
{
	struct parser p;
	char line[LINE_MAX_LEN + 1];
	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.c = c;
	snprintf(c->path, sizeof(c->path), "%s", name ? name : "system.conf");
	c->boot_attempts = FWS_BOOT_ATTEMPTS;
	c->lock_timeout_ms = FWS_LOCK_TIMEOUT_MS;
	c->bootloader = (enum fws_conf_bootloader)-1;
	strcpy(c->cmdline, "/proc/cmdline");
	c->stall_timeout_ms = 60000;
	c->download_timeout_ms = FWS_DOWNLOAD_TIMEOUT_MS;
	c->connect_timeout_ms = 30000;
	c->retries = 10;
	c->max_redirects = 3;
	fws_sysconf_floor_defaults(c);
	if (len > CONF_MAX)
		return fws_diag_set(FWS_ECONFIG, 0, NULL, "larger than %d bytes", CONF_MAX);
	if (memchr(text, '\0', len) != NULL)
		return fws_diag_set(FWS_ECONFIG, 0, NULL, "holds a NUL byte");
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		p.line++;
		if (n > LINE_MAX_LEN)
			return fail(&p, "longer than %d bytes", LINE_MAX_LEN);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		if (n > 0 && line[n - 1] == '\r')
			return fail(&p, "a carriage return (CRLF line ends are not accepted)");
		char *s = trim(line);
		if (s[0] == '\0' || s[0] == '#' || s[0] == ';')
			continue;
		int rc;
		if (s[0] == '[') {
			size_t sl = strlen(s);
			if (s[sl - 1] != ']')
				return fail(&p, "\"%s\": a section is [NAME]", s);
			s[sl - 1] = '\0';
			rc = section(&p, s + 1);
		} else {
			char *eq = strchr(s, '=');
			if (eq == NULL)
				return fail(&p, "\"%s\" is not KEY = VALUE", s);
			*eq = '\0';
			rc = key_value(&p, trim(s), trim(eq + 1));
		}
		if (rc != 0)
			return rc;
	}
	if ((int)c->bootloader == -1 && (p.seen_sections & (1u << S_SYSTEM))) {
		p.line = p.system_line;
		return fail(&p, "[system] needs bootloader (dir, uboot, grub or custom)");
	}
	return check_whole(&p);
}

int fws_sysconf_load(const char *path, struct fws_sysconf *conf)
{
	uint8_t *text = NULL;
	size_t len;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fws_diag_set(fws_errno_code(errno), errno, NULL, "cannot open");
	/* It names the trusted root: one others may write is not ours. */
	int rc = fstat(fd, &st) != 0 ? fws_diag_set(FWS_EIO, errno, NULL, "cannot read")
				      : fws_io_check_trusted(&st, "", "system configuration");
	if (rc == 0)
		rc = fws_io_read_all_fd(fd, "", CONF_MAX, &text, &len);
	close(fd);
	if (rc == FWS_ELIMIT)
		rc = fws_diag_set(FWS_ECONFIG, 0, NULL, "larger than %d bytes", CONF_MAX);
	if (rc == 0)
		rc = fws_sysconf_parse((const char *)text, len, path, conf);
	free(text);
	return rc;
}

const struct fws_conf_slot *fws_sysconf_slot(const struct fws_sysconf *c, char set,
					     const char *cls)
{
	for (size_t i = 0; i < c->n_slots; i++)
		if (c->slots[i].set == set && strcmp(c->slots[i].cls, cls) == 0)
			return &c->slots[i];
	return NULL;
}
