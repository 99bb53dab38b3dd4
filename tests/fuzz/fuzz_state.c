/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the device state decoder (lib/device/state.c).
 * Properties: defined result codes, every refusal FWS_ESTATE (the device
 * never falls back to "nothing installed"); an accepted state is the one
 * encoding of what it decodes to (re-encoded byte for byte), and holds
 * what docs/format.md 10.1 promises: confirmed a or b, pending '-' or the
 * other set, a confirmation under way only of the pending set above the
 * counter, a pending manifest digest only with a pending set. */
#include "fuzz_common.h"
#include "fwseal/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fws_device_state st;
	char again[FWS_STATE_MAX];
	size_t len;
	static const uint8_t zero[32];
	fuzz_init();
	int rc = fws_state_decode(data, size, &st);
	fuzz_check_code(rc);
	if (rc != 0) {
		FUZZ_CHECK(rc == FWS_ESTATE, "a refused state is FWS_ESTATE");
		return 0;
	}
	FUZZ_CHECK(fws_state_encode(&st, again, sizeof(again), &len) == 0, "it encodes again");
	FUZZ_CHECK(len == size && memcmp(again, data, size) == 0, "one encoding per state");
	FUZZ_CHECK(st.confirmed_slot == 'a' || st.confirmed_slot == 'b', "confirmed a or b");
	FUZZ_CHECK(st.pending_slot == '-' ||
		       (st.pending_slot != st.confirmed_slot &&
			(st.pending_slot == 'a' || st.pending_slot == 'b')),
		   "pending is '-' or the other set");
	if (st.floor_confirming != 0)
		FUZZ_CHECK(st.pending_slot != '-' && st.floor_confirming > st.security_version &&
			       st.slots[st.pending_slot == 'b'].security_version ==
				   st.floor_confirming,
			   "a confirmation under way is the pending set's, above the counter");
	if (memcmp(st.pending_manifest, zero, sizeof(zero)) != 0)
		FUZZ_CHECK(st.pending_slot != '-', "a manifest digest only with a pending set");
	FUZZ_CHECK(memchr(st.hardware_id, '\n', sizeof(st.hardware_id)) == NULL &&
		       memchr(st.device_id, '\n', sizeof(st.device_id)) == NULL,
		   "no newline in an identity");
	return 0;
}
