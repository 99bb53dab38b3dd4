/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the system.conf parser (lib/device/config/parse.c).
 * Properties: defined result codes, a refusal names itself; an accepted
 * configuration has what docs/system-conf.md promises: two distinct
 * bootnames with set a the one that sorts first, every slot in set a or b
 * with its class in both sets, absolute paths, no two slots overlapping on
 * one device (as named), and no control character in any value. */
#include "fuzz_common.h"
#include "fwseal/sysconf.h"

static void no_controls(const char *s)
{
	for (; *s; s++)
		FUZZ_CHECK((unsigned char)*s >= 0x20 && *s != 0x7f, "no control character in a value");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fws_sysconf c;
	fuzz_init();
	int rc = fws_sysconf_parse((const char *)data, size, "fuzz.conf", &c);
	fuzz_check_code(rc);
	if (rc != 0) {
		FUZZ_CHECK(rc == FWS_ECONFIG, "a refused configuration is FWS_ECONFIG");
		FUZZ_CHECK(fws_diag_last()->code == rc && fws_diag_last()->why[0] != '\0',
			   "a refusal says why");
		return 0;
	}
	FUZZ_CHECK(c.bootnames[0][0] && c.bootnames[1][0] &&
		       strcmp(c.bootnames[0], c.bootnames[1]) < 0,
		   "two bootnames, set a sorting first");
	FUZZ_CHECK(c.trusted_root[0] == '/' && c.state_dir[0] == '/', "absolute paths");
	FUZZ_CHECK(c.n_slots >= 2 && c.n_slots <= FWS_CONF_SLOTS_MAX, "slot count");
	no_controls(c.hardware_id);
	no_controls(c.trusted_root);
	no_controls(c.state_dir);
	for (size_t i = 0; i < c.n_headers; i++)
		FUZZ_CHECK(strpbrk(c.headers[i], "\r\n") == NULL, "a header is one line");
	for (size_t i = 0; i < c.n_slots; i++) {
		const struct fws_conf_slot *s = &c.slots[i];
		FUZZ_CHECK(s->set == 'a' || s->set == 'b', "every slot is in a set");
		FUZZ_CHECK(strcmp(s->bootname, c.bootnames[s->set == 'b']) == 0, "set from bootname");
		FUZZ_CHECK(fws_sysconf_slot(&c, s->set == 'a' ? 'b' : 'a', s->cls) != NULL,
			   "each class in both sets");
		FUZZ_CHECK(fws_sysconf_slot(&c, s->set, s->cls) == s, "one slot per class and set");
		FUZZ_CHECK(s->device[0] == '/', "absolute device");
		no_controls(s->device);
		for (size_t j = 0; j < i; j++) {
			const struct fws_conf_slot *o = &c.slots[j];
			if (strcmp(o->device, s->device) != 0)
				continue;
			uint64_t se = s->size ? s->offset + s->size : UINT64_MAX;
			uint64_t oe = o->size ? o->offset + o->size : UINT64_MAX;
			FUZZ_CHECK(s->offset >= oe || o->offset >= se, "no overlap on one device");
		}
	}
	return 0;
}
