/* SPDX-License-Identifier: Apache-2.0 */
/* A real device's system configuration (/etc/fwseal/system.conf; format:
 * docs/system-conf.md): identity, where the trusted root, state and audit
 * log live, which bootloader backend, and the slots. fws_sysconf_load
 * parses it strictly (an unknown key, a duplicate, overlapping slots, a
 * missing class: FWS_ECONFIG naming the line and the key);
 * fws_sysconf_device_open builds a struct fws_device from it. */
#ifndef FWSEAL_SYSCONF_H
#define FWSEAL_SYSCONF_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/device.h"
#include "fwseal/dirdevice.h"
#include "fwseal/export.h"
#include "fwseal/limits.h"

#define FWS_SYSCONF_PATH "/etc/fwseal/system.conf"
#define FWS_CONF_PATH_MAX 1024
#define FWS_CONF_SLOTS_MAX 16   /* 8 classes x 2 sets */
#define FWS_CONF_BOOTNAME_MAX 16
#define FWS_CONF_HEADERS_MAX 8

enum fws_conf_bootloader { FWS_BOOT_DIR, FWS_BOOT_UBOOT, FWS_BOOT_GRUB, FWS_BOOT_CUSTOM };
enum fws_conf_booted { FWS_BOOTED_CMDLINE, FWS_BOOTED_BOOTLOADER };
/* Where the rollback floor lives (fwseal/floor.h, docs/rollback-floor.md). */
enum fws_conf_floor { FWS_FLOOR_FILE, FWS_FLOOR_TPM2, FWS_FLOOR_COMMAND };
#define FWS_CONF_TCTI_MAX 256

struct fws_conf_slot {
	char name[FWS_NAME_MAX + 8];  /* "rootfs.0": the section name */
	char cls[FWS_NAME_MAX + 1];   /* which manifest target it takes */
	char device[FWS_CONF_PATH_MAX]; /* block device, partition or file */
	uint64_t offset;              /* bytes into device */
	uint64_t size;                /* bytes; 0 = to the end of device */
	char bootname[FWS_CONF_BOOTNAME_MAX + 1]; /* what the bootloader calls its set */
	char set;                     /* 'a' or 'b', from the bootname */
	unsigned line;                /* where it was defined */
};

struct fws_sysconf {
	char path[FWS_CONF_PATH_MAX]; /* the file read */
	char hardware_id[FWS_NAME_MAX + 1];
	char device_id[FWS_DEVICE_ID_MAX + 1]; /* "" = the hardware id */
	char trusted_root[FWS_CONF_PATH_MAX];
	char state_dir[FWS_CONF_PATH_MAX];
	enum fws_conf_bootloader bootloader;
	uint32_t boot_attempts;
	uint32_t lock_timeout_ms;
	enum fws_conf_booted booted;
	char cmdline[FWS_CONF_PATH_MAX];    /* file with the kernel command line */
	char fw_env_config[FWS_CONF_PATH_MAX]; /* [uboot] */
	char grubenv[FWS_CONF_PATH_MAX];      /* [grub] */
	char program[FWS_CONF_PATH_MAX];      /* [custom] */
	char bootnames[2][FWS_CONF_BOOTNAME_MAX + 1]; /* set a, set b (sorted) */
	struct fws_conf_slot slots[FWS_CONF_SLOTS_MAX];
	size_t n_slots;
	/* [network] (fwseal-verify install URL) */
	int allow_http;
	char ca_file[FWS_CONF_PATH_MAX];
	char client_cert[FWS_CONF_PATH_MAX];
	char client_key[FWS_CONF_PATH_MAX];
	char headers[FWS_CONF_HEADERS_MAX][512];
	size_t n_headers;
	uint32_t connect_timeout_ms;
	uint32_t stall_timeout_ms;    /* 1..86400 s (0 is refused: it would wait for ever) */
	uint32_t download_timeout_ms; /* the whole download: 1..86400 s, default 3600 */
	char proxy[FWS_CONF_PATH_MAX]; /* http(s)://HOST:PORT, or "" (the environment is never used) */
	uint32_t retries;
	uint32_t max_redirects;
	int delta;
	/* [oci]: the registry credentials file for oci:// bundles ("" = anonymous) */
	char oci_credentials[FWS_CONF_PATH_MAX];
	/* [floor] */
	enum fws_conf_floor floor;
	char floor_tcti[FWS_CONF_TCTI_MAX];     /* tpm2: e.g. device:/dev/tpmrm0 */
	uint32_t floor_counter_index;           /* tpm2: the NV counter */
	uint32_t floor_base_index;              /* tpm2: its value at provisioning */
	char floor_owner_auth[FWS_CONF_PATH_MAX]; /* tpm2: file with the owner password, or "" */
	char floor_program[FWS_CONF_PATH_MAX];  /* command */
	/* [decryption] key: the decryption identity (fwseal/encrypt.h): an
	 * absolute key file path or a pkcs11: URI; "" = none (encrypted
	 * bundles are refused). */
	char decryption_key[FWS_CONF_PATH_MAX];
	uint32_t floor_timeout_ms;              /* command */
	uint32_t floor_max_step;                /* 0 = no cap */
	/* [channel] (fwseal-verify poll; docs/fleet.md): the signed channel
	 * this device follows, "" = none */
	char channel_url[FWS_CONF_PATH_MAX];
	char channel_name[FWS_NAME_MAX + 1];
};

FWS_API FWS_MUST_CHECK int fws_sysconf_load(const char *path, struct fws_sysconf *conf);
/* The same from a buffer (name is used in messages). */
FWS_API FWS_MUST_CHECK int fws_sysconf_parse(const char *text, size_t len, const char *name,
					     struct fws_sysconf *conf);

/* The slot of class cls in set ('a'/'b'), or NULL. */
FWS_API const struct fws_conf_slot *fws_sysconf_slot(const struct fws_sysconf *conf, char set,
						     const char *cls);

/* Everything a configured device needs, caller-owned. */
struct fws_sys_backend {
	struct fws_dir_backend dir; /* state, root, log and lock (in state_dir) */
	const struct fws_sysconf *conf;
	/* the raw slot writer */
	int fd;
	const struct fws_conf_slot *slot;
	uint64_t written, capacity;
	/* the bootloader backend's own state (lib/device/boot/env.h) */
	union {
		unsigned char bytes[512];
		uint64_t align;
		void *align_ptr;
	} boot;
};

/* Fills dev from conf: the directory backends in state_dir, a raw slot
 * writer for the configured slots (verified chunks written in place,
 * refused while mounted, re-read and re-hashed before the set may boot),
 * and the configured bootloader. */
FWS_API FWS_MUST_CHECK int fws_sysconf_device_open(struct fws_device *dev,
						   struct fws_sys_backend *b,
						   const struct fws_sysconf *conf,
						   const struct fws_fs_ops *fs, int create);
FWS_API void fws_sysconf_device_close(struct fws_sys_backend *b);

#endif
