/* SPDX-License-Identifier: Apache-2.0 */
/* Loads p11-kit at the first pkcs11: URI (p11kit_load.h says why). The
 * system's libp11-kit.so.0 is found by the dynamic loader as any linked
 * library would be; every function is looked up at once, so a p11-kit too
 * old for one of them is refused whole, before any token is touched. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "device/p11/p11kit_load.h"

#define P11KIT_SONAME "libp11-kit.so.0"

struct fws_p11kit_api fws_p11kit;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_why[200];

static void load(void)
{
	void *h = dlopen(P11KIT_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (h == NULL) {
		load_rc = FWS_EPKCS11;
		snprintf(load_why, sizeof load_why,
			 "pkcs11: keys are reached through p11-kit, and %s is not installed "
			 "here (Debian: apt-get install libp11-kit0)",
			 P11KIT_SONAME);
		return;
	}
#define FWS_P11KIT_RESOLVE(name)                                                                   \
	if ((*(void **)&fws_p11kit.name = dlsym(h, #name)) == NULL && missing == NULL)             \
		missing = #name;
	FWS_P11KIT_FUNCTIONS(FWS_P11KIT_RESOLVE)
#undef FWS_P11KIT_RESOLVE
	if (missing != NULL) {
		load_rc = FWS_EPKCS11;
		snprintf(load_why, sizeof load_why,
			 "%s has no %s: p11-kit 0.23.10 or later is needed", P11KIT_SONAME,
			 missing);
	}
}

int fws_p11kit_load(void)
{
	pthread_once(&once, load);
	return load_rc == 0 ? 0 : fws_diag_set(load_rc, 0, NULL, "%s", load_why);
}
