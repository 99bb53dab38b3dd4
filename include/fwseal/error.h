/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal error codes.
 *
 * Every library function returns 0 on success or one negative FWS_E* code.
 * The CLIs exit with the absolute value of the code, so each failed check has
 * its own exit status (docs/exit-codes.md). Codes are stable: never renumber,
 * only append. */
#ifndef FWSEAL_ERROR_H
#define FWSEAL_ERROR_H

#include "fwseal/export.h"

enum fws_error {
	FWS_OK = 0,
	FWS_EINTERNAL = -1,     /* a bug: an invariant did not hold */
	FWS_EUSAGE = -2,        /* bad command line or API argument */
	FWS_ENOMEM = -3,        /* out of memory */
	FWS_EIO = -4,           /* read, write, fsync or rename failed */
	FWS_ECRYPTO = -5,       /* libsodium could not be initialised */
	FWS_ELIMIT = -6,        /* an input exceeds a size or count limit */
	FWS_EJSON = -7,         /* not strict JSON: syntax, duplicate key, bad UTF-8, depth */
	FWS_ESCHEMA = -8,       /* missing, unknown or ill-typed field */
	FWS_EENVELOPE = -9,     /* malformed DSSE envelope (fields, base64, lengths) */
	FWS_EPAYLOADTYPE = -10, /* envelope payloadType is not the one expected */
	FWS_EUNTRUSTED = -11,   /* no signature from a key authorised for the role */
	FWS_EBADSIG = -12,      /* an authorised key's signature does not verify */
	FWS_ETHRESHOLD = -13,   /* fewer valid distinct authorised signatures than the threshold */
	FWS_EKEYID = -14,       /* a key ID does not match its public key */
	FWS_EROOTVERSION = -15, /* root chain not strictly sequential (rollback, gap, repeat) */
	FWS_EEXPIRED = -16,     /* metadata has expired */
	FWS_EFORMAT = -17,      /* not a tar (ustar/pax) archive, or a malformed tar header */
	FWS_EENTRY = -18,       /* an entry that must not be there: type, name, order, duplicate */
	FWS_ETRUNCATED = -19,   /* the bundle ends before all its entries */
	FWS_ETRAILING = -20,    /* data after the end of the archive or the gzip stream */
	FWS_ESIZE = -21,        /* an entry's size differs from the signed size */
	FWS_EDIGEST = -22,      /* a chunk list or a chunk does not match its signed digest */
	FWS_EDECOMPRESS = -23,  /* corrupt gzip stream or decompression limit exceeded */
	FWS_EHARDWARE = -24,    /* the device's hardware id is not in the manifest */
	FWS_EROLLBACK = -25,    /* security_version lower than the device's */
	FWS_EDOWNGRADE = -26,   /* version lower within the same security_version, not allowed */
	FWS_ESTATE = -27,       /* device state missing, corrupt or inconsistent */
	FWS_EKEYFILE = -28,     /* key file malformed or of the wrong kind */
	FWS_EPASSPHRASE = -29,  /* wrong passphrase (or key file tampered with) */
	FWS_EKEYPERM = -30,     /* secret key file readable by group or others */
	FWS_ENOTAUTHORISED = -31, /* signing key not authorised by the root for this role */
	FWS_EEXIST = -32,       /* output file already exists */
	FWS_ENOENT = -33,       /* input file missing */
	FWS_EBUSY = -34,        /* device locked, or a running pending update not yet confirmed */
	FWS_ETHRESHOLDDEF = -35, /* root defines a threshold of 0 or above its key count */
	FWS_ECLOCK = -36,       /* time value unparseable or out of range */
	FWS_EMINVERSION = -37,  /* installed version is below the manifest's min_version */
	FWS_EROOTMISMATCH = -38, /* a carried root differs from the trusted root of that version */
	FWS_EALREADYSIGNED = -39, /* this key has already signed this document */
	FWS_EPERMIT = -40,      /* downgrade permit does not apply (device, bundle, version, replay) */
	FWS_EUNSAFE = -41,      /* a path that is not safe to use: symbolic or hard link, wrong owner, writable by others */
	FWS_ESTALLED = -42,     /* the input sent nothing within the stall timeout */
	FWS_ENOSPC = -43,       /* no space left on the storage */
	FWS_ESAMEFILE = -44,    /* an output is one of the command's own inputs */
	FWS_ELIFECYCLE = -45,   /* not possible at this point of the update life cycle */
	FWS_ECONFIG = -46,      /* system configuration invalid (system.conf) */
	FWS_ETARGET = -47,      /* a payload's target has no slot on this device, or does not fit it */
	FWS_EBOOTLOADER = -48,  /* the bootloader's environment cannot be read or written */
	FWS_ENET = -49,         /* the bundle could not be fetched: connection, HTTP status, retries used up */
	FWS_EINSECURE = -50,    /* not a trusted connection: certificate, host name, plain http not allowed */
	FWS_EREMOTE = -51,      /* the server broke its promises: Range ignored, wrong length, file changed */
	FWS_EPIN = -52,         /* the token refused the PIN, or no PIN logged in: wrong, missing, expired, never set */
	FWS_EPINLOCKED = -53,   /* the token's PIN is locked after too many wrong PINs */
	FWS_EKEYUSE = -54,      /* the key cannot sign: not allowed to (CKA_SIGN false), not Ed25519, none or several match */
	FWS_ETOKEN = -55,       /* no token matches the URI, several do, or the token went away mid-run */
	FWS_EPKCS11 = -56,      /* the PKCS#11 module or p11-kit cannot be loaded, or the token failed */
	FWS_ESIGNER = -57,      /* the signer command failed, timed out, or returned no valid signature */
	FWS_EFLOOR = -58,       /* the rollback floor (TPM, floor program) cannot be read or raised, or is not set up */
	FWS_EFLOORSTEP = -59,   /* raising the rollback floor by more than its step cap (max-step) */
	FWS_ESBOM = -60,        /* the SBOM lacks a field a regulator expects (component, supplier, graph, author, ...) */
	FWS_ESBOMFORMAT = -61,  /* the SBOM is not SPDX 2.3 / CycloneDX 1.5 or 1.6 JSON, or not what sbom_format says */
	FWS_ERECORD = -62,      /* the bundle differs from its release record */
	FWS_ENOTRECIPIENT = -63, /* no stanza of the recipients entry opens with this device's decryption identity */
	FWS_EKEYCOMMIT = -64,   /* the recipients entry opens to a key the signed manifest does not commit to */
	FWS_EDECRYPT = -65,     /* the recipients entry's MAC, or a ciphertext chunk, does not authenticate */
	FWS_ERECIPIENTS = -66,  /* the recipients entry or a recipient is malformed or over a limit */
	FWS_EIDENTITY = -67,    /* the decryption identity is missing, unreadable or of an unusable kind */
	FWS_EKEYDERIVE = -68,   /* the token's decryption key cannot derive: not EC P-256, CKA_DERIVE false, or its ECDH is wrong */
	FWS_EDEADLINE = -70,    /* a download did not finish within its time limit (download-timeout) */
	FWS_EHEADER = -71,      /* an HTTP answer's header line or header block is larger than fwseal accepts */
	FWS_EOVERLAP = -72,     /* a slot covers a region fwseal or the bootloader needs (environment, grubenv, system.conf, root, state, log) */
	FWS_EFILETYPE = -73,    /* a slot, environment device or configuration file is not a regular file or block device (a FIFO, socket, directory) */
	FWS_EINCOMPLETE = -74,  /* the release has no payload for a slot class of the set: it would mix releases */
	FWS_ESLOTRO = -75,      /* a slot of the set is read-only: nothing was given up */
	FWS_EREGISTRY = -77,    /* the OCI registry refused: credentials, unknown repository or tag, push refused */
	FWS_EOCIMANIFEST = -78, /* the OCI manifest is invalid: not an OCI image manifest, wrong digest, too big, not one layer */
	FWS_EARTIFACT = -79,    /* the OCI artifact is not a fwseal bundle (artifactType or layer media type) */
	FWS_ECHANNELSTALE = -80,    /* the channel expired: the device's trusted time is past its expires (an alarm, nothing installed) */
	FWS_ECHANNELROLLBACK = -81, /* the channel's version is below the device's, or equal with other bytes (a replay) */
	FWS_ECHANNELMISMATCH = -82, /* the bundle is not the one the channel names (manifest digest, version, security_version, product, bundle digest or size) */
	FWS_ENOTINCOHORT = -83,     /* the device is not in the channel's rollout cohort, or the rollout's not_before is still ahead */
	FWS_EREPORT = -84,          /* a device report does not verify, or a series of reports does not extend one audit log */
};

/* The lowest code in use; exit statuses run from 1 to -FWS_ELAST. */
#define FWS_ELAST FWS_EREPORT

/* Short lowercase description naming the failed check; never NULL. */
FWS_API const char *fws_strerror(int code);

/* Machine-readable name of the code ("FWS_EDIGEST"); never NULL. */
FWS_API const char *fws_errname(int code);

#endif
