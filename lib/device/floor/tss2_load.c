/* SPDX-License-Identifier: Apache-2.0 */
/* Loads tpm2-tss at the first use of the tpm2 floor (tss2_load.h says
 * why). The libraries are the system's own, found by the dynamic loader
 * as linked ones would be; every function is looked up at once, so a
 * library missing one of them is refused whole, before the TPM is
 * touched. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "device/floor/tss2_load.h"
#include "fwseal/error.h"
#include "io/io.h"

/* The sonames of Debian 12's tpm2-tss 3.2 (libtss2-esys-3.0.2-0,
 * libtss2-tctildr0, libtss2-rc0). */
#define ESYS_SONAME "libtss2-esys.so.0"
#define TCTILDR_SONAME "libtss2-tctildr.so.0"
#define RC_SONAME "libtss2-rc.so.0"

struct fws_tss2_api fws_tss2;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_why[200];

static void *open_lib(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL && load_rc == 0) {
		load_rc = FWS_EFLOOR;
		snprintf(load_why, sizeof(load_why),
			 "the tpm2 floor needs %s, which is not installed here (Debian: apt-get "
			 "install libtss2-esys-3.0.2-0 libtss2-tctildr0 libtss2-rc0)",
			 soname);
	}
	return h;
}

static void load(void)
{
	const char *missing = NULL;
	/* The TSS logs to stderr by default; fwseal prints exactly one line
	 * per failure, so its log is off unless the user asked for it. */
	if (getenv("TSS2_LOG") == NULL)
		(void)setenv("TSS2_LOG", "all+NONE", 0);
	void *esys = open_lib(ESYS_SONAME), *tctildr = open_lib(TCTILDR_SONAME);
	void *rc = open_lib(RC_SONAME);
	if (load_rc != 0)
		return;
#define FWS_TSS2_RESOLVE(lib, name)                                                                \
	if ((*(void **)&fws_tss2.name = dlsym(lib, #name)) == NULL && missing == NULL)             \
		missing = #name;
	FWS_TSS2_FUNCTIONS(FWS_TSS2_RESOLVE)
#undef FWS_TSS2_RESOLVE
	if (missing != NULL) {
		load_rc = FWS_EFLOOR;
		snprintf(load_why, sizeof(load_why),
			 "the TSS libraries have no %s: tpm2-tss 3 or "
			 "later is needed",
			 missing);
	}
}

int fws_tss2_load(void)
{
	pthread_once(&once, load);
	return load_rc == 0 ? 0 : fws_diag_set(load_rc, 0, "tpm2", "%s", load_why);
}
