/* SPDX-License-Identifier: Apache-2.0 */
/* Loads libcurl at the first URL (curl_load.h says why). The library is
 * the system's own libcurl.so.4, found by the dynamic loader as any linked
 * library would be; every function is looked up at once, so a libcurl
 * too old for one of them is refused whole, before any transfer. */
#define FWS_CURL_LOADER
#include <dlfcn.h>
#include <pthread.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "net/curl_load.h"

#define CURL_SONAME "libcurl.so.4"

struct fws_curl_api fws_curl_api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_why[160];

static void load(void)
{
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;
	if (h == NULL) {
		load_rc = FWS_ENET;
		snprintf(load_why, sizeof(load_why),
			 "URLs are read through libcurl, and %s is not installed here "
			 "(Debian: apt-get install libcurl4)",
			 CURL_SONAME);
		return;
	}
#define FWS_CURL_RESOLVE(name)                                                                \
	if ((*(void **)&fws_curl_api.name = dlsym(h, #name)) == NULL && missing == NULL)      \
		missing = #name;
	FWS_CURL_FUNCTIONS(FWS_CURL_RESOLVE)
#undef FWS_CURL_RESOLVE
	if (missing != NULL) {
		load_rc = FWS_ENET;
		snprintf(load_why, sizeof(load_why), "%s has no %s: libcurl 7.84 or later is needed",
			 CURL_SONAME, missing);
		return;
	}
	if (fws_curl_api.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		load_rc = FWS_ENOMEM;
		snprintf(load_why, sizeof(load_why), "libcurl cannot start");
	}
}

int fws_curl_load(void)
{
	pthread_once(&once, load);
	return load_rc == 0 ? 0 : fws_diag_set(load_rc, 0, NULL, "%s", load_why);
}
