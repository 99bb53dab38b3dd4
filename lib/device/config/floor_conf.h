/* SPDX-License-Identifier: Apache-2.0 */
/* The [floor] section of system.conf (lib/device/config/floor.c):
 * which rollback-floor backend, and its settings. Internal. */
#ifndef FWSEAL_DEVICE_CONFIG_FLOOR_CONF_H
#define FWSEAL_DEVICE_CONFIG_FLOOR_CONF_H

#include "fwseal/sysconf.h"

void fws_sysconf_floor_defaults(struct fws_sysconf *c);
/* One KEY = VALUE of [floor], on line `line`: FWS_ECONFIG naming both. */
int fws_sysconf_floor_key(struct fws_sysconf *c, const char *k, const char *v, unsigned line);
/* What holds across the section, once all is read. */
int fws_sysconf_floor_check(const struct fws_sysconf *c, unsigned line);
/* [channel] (lib/device/config/channel.c): url and name. */
int fws_sysconf_channel_key(struct fws_sysconf *c, const char *k, const char *v, unsigned line);

#endif
