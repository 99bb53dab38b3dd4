/* SPDX-License-Identifier: Apache-2.0 */
/* p11-kit, loaded at the first pkcs11: URI (like libcurl at the first URL,
 * lib/net/curl_load.c): a signing host with only key files, or a device
 * with its key in a file, needs no p11-kit, and no fwseal library links it
 * (tests/cli/test_layers.sh). The headers (libp11-kit-dev) are compiled
 * against; every function is called through fws_p11kit. */
#ifndef FWSEAL_DEVICE_P11_P11KIT_LOAD_H
#define FWSEAL_DEVICE_P11_P11KIT_LOAD_H

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#define FWS_P11KIT_FUNCTIONS(X)                                                                    \
	X(p11_kit_uri_new)                                                                         \
	X(p11_kit_uri_parse)                                                                       \
	X(p11_kit_uri_free)                                                                        \
	X(p11_kit_uri_message)                                                                     \
	X(p11_kit_uri_any_unrecognized)                                                            \
	X(p11_kit_uri_get_token_info)                                                              \
	X(p11_kit_uri_match_token_info)                                                            \
	X(p11_kit_uri_match_module_info)                                                           \
	X(p11_kit_uri_get_attribute)                                                               \
	X(p11_kit_uri_get_pin_value)                                                               \
	X(p11_kit_uri_get_pin_source)                                                              \
	X(p11_kit_uri_get_module_name)                                                             \
	X(p11_kit_uri_get_module_path)                                                             \
	X(p11_kit_uri_get_slot_id)                                                                 \
	X(p11_kit_module_load)                                                                     \
	X(p11_kit_module_initialize)                                                               \
	X(p11_kit_module_finalize)                                                                 \
	X(p11_kit_module_release)                                                                  \
	X(p11_kit_module_get_name)                                                                 \
	X(p11_kit_module_get_filename)                                                             \
	X(p11_kit_modules_load_and_initialize)                                                     \
	X(p11_kit_modules_finalize_and_release)                                                    \
	X(p11_kit_message)

struct fws_p11kit_api {
#define FWS_P11KIT_MEMBER(name) __typeof__(name) *name;
	FWS_P11KIT_FUNCTIONS(FWS_P11KIT_MEMBER)
#undef FWS_P11KIT_MEMBER
};

extern struct fws_p11kit_api fws_p11kit;

/* Loads p11-kit once per process; FWS_EPKCS11 with a diagnostic when it is
 * not installed or too old. */
int fws_p11kit_load(void);

#endif
