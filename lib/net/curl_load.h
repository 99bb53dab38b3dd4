/* SPDX-License-Identifier: Apache-2.0 */
/* libcurl, loaded when a URL is first read (lib/net/curl_load.c), not at
 * program start: a device command that reads a file never maps libcurl
 * and the 27 libraries it pulls in (7 ms more per start, 6 MiB more
 * resident), and a device without libcurl still installs from files.
 *
 * Included by lib/net/http*.c after <curl/curl.h> only: every curl_*
 * call there goes through the table, which fws_curl_load() fills. The
 * headers give the types, so each pointer has the function's own type.
 * Internal to lib/net. */
#ifndef FWSEAL_NET_CURL_LOAD_H
#define FWSEAL_NET_CURL_LOAD_H

#include <curl/curl.h>

#define FWS_CURL_FUNCTIONS(X)                                                                \
	X(curl_global_init)                                                                   \
	X(curl_easy_init)                                                                     \
	X(curl_easy_cleanup)                                                                  \
	X(curl_easy_reset)                                                                    \
	X(curl_easy_setopt)                                                                   \
	X(curl_easy_getinfo)                                                                  \
	X(curl_easy_header)                                                                   \
	X(curl_easy_pause)                                                                    \
	X(curl_easy_perform)                                                                  \
	X(curl_easy_strerror)                                                                 \
	X(curl_multi_init)                                                                    \
	X(curl_multi_cleanup)                                                                 \
	X(curl_multi_add_handle)                                                              \
	X(curl_multi_remove_handle)                                                           \
	X(curl_multi_perform)                                                                 \
	X(curl_multi_poll)                                                                    \
	X(curl_multi_info_read)                                                               \
	X(curl_multi_strerror)                                                                \
	X(curl_slist_append)                                                                  \
	X(curl_slist_free_all)                                                                \
	X(curl_url)                                                                           \
	X(curl_url_cleanup)                                                                   \
	X(curl_url_get)                                                                       \
	X(curl_url_set)                                                                       \
	X(curl_free)

struct fws_curl_api {
#define FWS_CURL_POINTER(name) __typeof__(name) *name;
	FWS_CURL_FUNCTIONS(FWS_CURL_POINTER)
#undef FWS_CURL_POINTER
};

extern struct fws_curl_api fws_curl_api;

/* Loads libcurl once (thread-safe): 0, or FWS_ENET saying it is missing. */
int fws_curl_load(void);

/* From here on, curl_x(...) is fws_curl_api.curl_x(...). curl.h's own
 * type-checking macros for setopt/getinfo go: the pointers keep the
 * prototypes. (curl_load.c, which fills the table, wants the real names.) */
#ifndef FWS_CURL_LOADER
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init fws_curl_api.curl_global_init
#define curl_easy_init fws_curl_api.curl_easy_init
#define curl_easy_cleanup fws_curl_api.curl_easy_cleanup
#define curl_easy_reset fws_curl_api.curl_easy_reset
#define curl_easy_setopt fws_curl_api.curl_easy_setopt
#define curl_easy_getinfo fws_curl_api.curl_easy_getinfo
#define curl_easy_header fws_curl_api.curl_easy_header
#define curl_easy_pause fws_curl_api.curl_easy_pause
#define curl_easy_perform fws_curl_api.curl_easy_perform
#define curl_easy_strerror fws_curl_api.curl_easy_strerror
#define curl_multi_init fws_curl_api.curl_multi_init
#define curl_multi_cleanup fws_curl_api.curl_multi_cleanup
#define curl_multi_add_handle fws_curl_api.curl_multi_add_handle
#define curl_multi_remove_handle fws_curl_api.curl_multi_remove_handle
#define curl_multi_perform fws_curl_api.curl_multi_perform
#define curl_multi_poll fws_curl_api.curl_multi_poll
#define curl_multi_info_read fws_curl_api.curl_multi_info_read
#define curl_multi_strerror fws_curl_api.curl_multi_strerror
#define curl_slist_append fws_curl_api.curl_slist_append
#define curl_slist_free_all fws_curl_api.curl_slist_free_all
#define curl_url fws_curl_api.curl_url
#define curl_url_cleanup fws_curl_api.curl_url_cleanup
#define curl_url_get fws_curl_api.curl_url_get
#define curl_url_set fws_curl_api.curl_url_set
#define curl_free fws_curl_api.curl_free
#endif

#endif
