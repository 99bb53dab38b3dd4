/* SPDX-License-Identifier: Apache-2.0 */
/* Symbol visibility: the library is built with -fvisibility=hidden and only
 * FWS_API symbols are exported. */
#ifndef FWSEAL_EXPORT_H
#define FWSEAL_EXPORT_H

#if defined(__GNUC__)
#define FWS_API __attribute__((visibility("default")))
#define FWS_MUST_CHECK __attribute__((warn_unused_result))
#else
#define FWS_API
#define FWS_MUST_CHECK
#endif

#endif
