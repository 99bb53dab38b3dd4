/* SPDX-License-Identifier: Apache-2.0 */
/* Library initialisation. libsodium must be initialised before any signature
 * check: it picks its implementations and seeds its RNG there. */
#include <sodium.h>

#include "fwseal/fwseal.h"

int fws_init(void)
{
	/* 0 = initialised now, 1 = already initialised; both are fine. Only a
	 * negative value is a failure, and then nothing may be verified. */
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	return 0;
}

const char *fws_version(void)
{
	return FWS_VERSION_STRING;
}
