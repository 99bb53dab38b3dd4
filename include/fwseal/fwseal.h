/* SPDX-License-Identifier: Apache-2.0 */
/* libfwseal: signed, versioned, rollback-protected software updates.
 * Include this one header for the whole public API. */
#ifndef FWSEAL_FWSEAL_H
#define FWSEAL_FWSEAL_H

#include "fwseal/auditlog.h"
#include "fwseal/blocks.h"
#include "fwseal/bootloader.h"
#include "fwseal/bundle.h"
#include "fwseal/bundle_write.h"
#include "fwseal/channel.h"
#include "fwseal/chunks.h"
#include "fwseal/device.h"
#include "fwseal/diag.h"
#include "fwseal/dirdevice.h"
#include "fwseal/encoding.h"
#include "fwseal/encrypt.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/export.h"
#include "fwseal/fileio.h"
#include "fwseal/floor.h"
#include "fwseal/fsops.h"
#include "fwseal/key_prompt.h"
#include "fwseal/keys.h"
#include "fwseal/limits.h"
#include "fwseal/manifest.h"
#include "fwseal/net.h"
#include "fwseal/oci.h"
#include "fwseal/p256_keys.h"
#include "fwseal/permit.h"
#include "fwseal/policy.h"
#include "fwseal/record.h"
#include "fwseal/report.h"
#include "fwseal/root.h"
#include "fwseal/sbom.h"
#include "fwseal/selftest.h"
#include "fwseal/sha256.h"
#include "fwseal/signing_key.h"
#include "fwseal/slot.h"
#include "fwseal/state.h"
#include "fwseal/sysconf.h"

#define FWS_VERSION_STRING "0.2.0"

/* Initialises libsodium; call once before anything else. FWS_ECRYPTO on failure. */
FWS_API FWS_MUST_CHECK int fws_init(void);
FWS_API const char *fws_version(void);

#endif
