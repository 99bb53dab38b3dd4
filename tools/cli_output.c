/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a command's output: to --out (new file, or replaced with
 * --force; never one of the inputs: lib/io/output.c) or to standard output.
 * One function, so every command keeps the same rule and the same error. */
#include <stdio.h>

#include "cli.h"
#include "fwseal/fwseal.h"

int cli_write_output(const struct cli *c, const char *out, const void *data, size_t len,
		     const char *const *inputs, size_t n_inputs)
{
	int rc;
	if (out == NULL) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return cli_fail("standard output", FWS_EIO);
		return 0;
	}
	rc = fws_file_write_atomic(out, data, len, 0644,
				   cli_flag(c, "force") ? FWS_OUT_REPLACE : FWS_OUT_NEW, inputs,
				   n_inputs);
	return rc != 0 ? cli_fail(out, rc) : 0;
}
