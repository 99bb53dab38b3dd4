/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the GRUB environment block reader and rewriter
 * (lib/device/boot/grub.c: fws_grub_find, fws_grub_rebuild), which follow
 * GRUB's own envblk iterator. The input is the block after its signature
 * line (padded with '#' to 1024 bytes, as grub-editenv pads it).
 * Properties: a value found lies inside the block and ends before a
 * newline; a rewrite that fits is a well-formed block (signature, 1024
 * bytes) in which GRUB's reading finds exactly the values fwseal set;
 * rewriting the rewritten block with the same values changes nothing; a
 * rewrite that does not fit is refused, never truncated. */
#include "device/boot/env.h"
#include "fuzz_common.h"

#define SIG "# GRUB Environment Block\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"BOOT_ORDER", "BOOT_A_LEFT", "BOOT_B_LEFT", "BOOTED"};
	static const char *const values[] = {"B A", "3", "0", "B"};
	char block[FWS_GRUB_BLOCK], out[FWS_GRUB_BLOCK], again[FWS_GRUB_BLOCK];
	size_t n =
	    size < FWS_GRUB_BLOCK - (sizeof(SIG) - 1) ? size : FWS_GRUB_BLOCK - (sizeof(SIG) - 1);
	memset(block, '#', sizeof(block));
	memcpy(block, SIG, sizeof(SIG) - 1);
	memcpy(block + sizeof(SIG) - 1, data, n);
	for (size_t i = 0; i < 4; i++) {
		size_t len = 0;
		const char *v = fws_grub_find(block, keys[i], &len);
		if (v == NULL)
			continue;
		FUZZ_CHECK(v > block && v + len < block + FWS_GRUB_BLOCK,
			   "a value inside the block");
		FUZZ_CHECK(v[len] == '\n', "a value ends at its newline");
	}
	if (fws_grub_rebuild(block, keys, values, 4, out) != 0)
		return 0; /* did not fit: refused, nothing half-written */
	FUZZ_CHECK(memcmp(out, SIG, sizeof(SIG) - 1) == 0, "the rewrite keeps the signature");
	for (size_t i = 0; i < 4; i++) {
		size_t len = 0;
		const char *v = fws_grub_find(out, keys[i], &len);
		FUZZ_CHECK(v != NULL && len == strlen(values[i]) && memcmp(v, values[i], len) == 0,
			   "GRUB's reading of the rewrite finds the value set");
	}
	FUZZ_CHECK(fws_grub_rebuild(out, keys, values, 4, again) == 0 &&
		       memcmp(out, again, sizeof(out)) == 0,
		   "rewriting the same values again changes nothing");
	return 0;
}
