/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the downgrade permit (docs/permits.md): its body decoder
 * (lib/bundle/permit_json.c) and the whole check a device makes
 * (lib/device/permit.c: envelope, signature by the release role, body,
 * binding, replay, expiry).
 *
 * Input: byte 0 selects. Even: the rest is a permit body for
 * fws_permit_decode. Odd: the rest is a permit envelope checked against
 * the fixture root v1 (fuzz_common.h), for a device with id "dev-1" and
 * hardware "hw-1" that used a permit created at FLOOR_TIME, holding
 * trusted time NOW_TIME, installing version 2.0.0 whose manifest digest is
 * 32 bytes of 0x42 (tests/fuzz/seedgen.c signs a permit that fits).
 *
 * Properties: the result is 0 or a defined code; a decoded body
 * re-encodes, the encoding decodes to the same permit and is canonical;
 * a permit the check accepts is bound to this device or its hardware,
 * names exactly this version and manifest, is newer than the last used
 * permit and has not expired at the device's time. */
#include "fuzz_common.h"
#include "fwseal/permit.h"
#include "fwseal/state.h"

#define FLOOR_TIME 1700000000
#define NOW_TIME 1700100000

static void body(const uint8_t *data, size_t size)
{
	static struct fws_permit p1, p2;
	char *text = NULL, *again = NULL;
	size_t len = 0, again_len = 0;
	int rc = fws_permit_decode(data, size, &p1);
	fuzz_check_code(rc);
	if (rc != 0)
		return;
	FUZZ_CHECK(fws_permit_encode(&p1, &text, &len) == 0, "a decoded permit re-encodes");
	FUZZ_CHECK(fws_permit_decode((const uint8_t *)text, len, &p2) == 0,
		   "the re-encoded permit decodes");
	FUZZ_CHECK(memcmp(&p1, &p2, sizeof p1) == 0, "round trip gives the same permit");
	FUZZ_CHECK(fws_permit_encode(&p2, &again, &again_len) == 0, "second encode");
	FUZZ_CHECK(again_len == len && memcmp(text, again, len) == 0, "encoding is canonical");
	FUZZ_CHECK((p1.device_id[0] == '\0') != (p1.hardware_id[0] == '\0'),
		   "a permit is bound to a device or to a hardware id, exactly one");
	free(text);
	free(again);
}

static void check(const uint8_t *data, size_t size)
{
	static struct fws_device_state st;
	static struct fws_manifest m;
	static struct fws_permit out;
	uint8_t digest[32];
	memset(&st, 0, sizeof st);
	strcpy(st.hardware_id, "hw-1");
	strcpy(st.device_id, "dev-1");
	st.root_version = 1;
	st.confirmed_slot = 'a';
	st.pending_slot = '-';
	st.permit_floor = FLOOR_TIME;
	st.highest_created = NOW_TIME;
	memset(&m, 0, sizeof m);
	strcpy(m.version, "2.0.0");
	memset(digest, 0x42, sizeof digest);
	int rc = fws_permit_check(data, size, fuzz_trusted_root(), &st, &m, digest, 0, &out);
	fuzz_check_code(rc);
	if (rc != 0)
		return;
	FUZZ_CHECK(out.device_id[0] == '\0' || strcmp(out.device_id, st.device_id) == 0,
		   "an accepted permit names this device");
	FUZZ_CHECK(out.hardware_id[0] == '\0' || strcmp(out.hardware_id, st.hardware_id) == 0,
		   "an accepted permit names this hardware");
	FUZZ_CHECK(strcmp(out.to_version, m.version) == 0, "an accepted permit names this version");
	FUZZ_CHECK(memcmp(out.manifest_sha256, digest, 32) == 0,
		   "an accepted permit names this manifest");
	FUZZ_CHECK(out.created > st.permit_floor, "an accepted permit is no replay");
	FUZZ_CHECK(out.expires >= st.highest_created, "an accepted permit has not expired");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	if (size < 1)
		return 0;
	if (data[0] & 1)
		check(data + 1, size - 1);
	else
		body(data + 1, size - 1);
	return 0;
}
