/* SPDX-License-Identifier: Apache-2.0 */
/* Links against libfwseal: the signing side (a key made in memory).
 *   full */
#include <stdio.h>

#include "fwseal/encoding.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

int main(void)
{
	struct fws_secret_key *key = NULL;
	uint8_t pk[32], id[32];
	char hex[65];
	if (fws_init() != 0 || fws_secret_key_generate(&key) != 0)
		return 1;
	fws_secret_key_public(key, pk, id);
	fws_secret_key_free(key);
	fws_hex_encode(hex, id, 32);
	printf("key id %s\n", hex);
	return 0;
}
