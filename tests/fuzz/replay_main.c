/* SPDX-License-Identifier: Apache-2.0 */
/* A plain main() for the fuzz harnesses: runs LLVMFuzzerTestOneInput once
 * per file named on the command line. `make check` uses it to replay
 * tests/fuzz/regressions/ with the normal (and the SANITIZE=1) build, so a
 * crash found by the fuzzers stays fixed without needing clang. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *bigger = realloc(buf, cap ? 2 * cap : 65536);
			if (bigger == NULL) {
				fclose(f);
				free(buf);
				return 1;
			}
			buf = bigger;
			cap = cap ? 2 * cap : 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	(void)LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++)
		failed |= replay(argv[i]);
	return failed;
}
