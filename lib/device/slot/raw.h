/* SPDX-License-Identifier: Apache-2.0 */
/* The raw slot writer (lib/device/slot/raw.c). Internal. */
#ifndef FWSEAL_DEVICE_SLOT_RAW_H
#define FWSEAL_DEVICE_SLOT_RAW_H

#include "fwseal/sysconf.h"

void fws_raw_slots_init(struct fws_slot_writer *w, struct fws_sys_backend *b);

#endif
