/* SPDX-License-Identifier: Apache-2.0 */
/* [channel] in system.conf (docs/system-conf.md): which signed channel
 * the device follows, and where (fwseal-verify poll). */
#include <stdio.h>
#include <string.h>

#include "device/config/floor_conf.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/sysconf.h"
#include "io/io.h"

int fws_sysconf_channel_key(struct fws_sysconf *c, const char *k, const char *v, unsigned line)
{
	char where[32];
	size_t n = strlen(v);
	snprintf(where, sizeof(where), "line %u", line);
	if (strcmp(k, "url") == 0) {
		/* The channel is verified whatever carries it, but a plain http
		 * URL here would still be a device that trusts its network
		 * for availability: the same https rule as [network]. */
		if (n >= sizeof(c->channel_url) || n <= 8 || strncmp(v, "https://", 8) != 0)
			return fws_diag_set(
			    FWS_ECONFIG, 0, where,
			    "url: \"%s\" is not an https:// URL (at most %zu bytes)", v,
			    sizeof(c->channel_url) - 1);
		memcpy(c->channel_url, v, n + 1);
		return 0;
	}
	if (strcmp(k, "name") == 0) {
		if (!fws_name_valid(v))
			return fws_diag_set(FWS_ECONFIG, 0, where,
					    "name: \"%s\" is not a channel name (1-64 of "
					    "A-Za-z0-9._+-)",
					    v);
		memcpy(c->channel_name, v, n + 1);
		return 0;
	}
	return fws_diag_set(FWS_ECONFIG, 0, where, "unknown key \"%s\" in [channel]", k);
}
