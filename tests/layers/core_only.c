/* SPDX-License-Identifier: Apache-2.0 */
/* Links against libfwseal-core alone: the chunked digest of a payload, as
 * a bootloader would check it (no heap, no stdio in the library).
 *   core_only PAYLOAD CHUNK_SIZE EXPECTED_SHA256_CHUNKS_HEX */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"

int main(int argc, char **argv)
{
	static uint8_t data[1 << 20], list[32 * 256];
	uint8_t want[32], digest[32];
	char hex[65];
	uint64_t n;
	if (argc != 4 || fws_init() != 0)
		return 2;
	FILE *f = fopen(argv[1], "rb");
	size_t len = f ? fread(data, 1, sizeof(data), f) : 0;
	if (f)
		fclose(f);
	uint32_t cs = (uint32_t)strtoul(argv[2], NULL, 10);
	if (fws_chunk_count(len, cs, &n) != 0 || n > 256 ||
	    fws_hex_decode_exact(want, 32, argv[3]) != 0)
		return 2;
	for (uint64_t i = 0; i < n; i++) {
		size_t piece = len - i * cs < cs ? len - i * cs : cs;
		fws_sha256(data + i * cs, piece, list + 32 * i);
	}
	fws_sha256(list, 32 * n, digest);
	fws_hex_encode(hex, digest, 32);
	printf("%s\n", hex);
	return fws_chunk_list_check(list, 32 * n, len, cs, want) == 0 ? 0 : 1;
}
