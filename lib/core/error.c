/* SPDX-License-Identifier: Apache-2.0 */
/* Error texts. Each phrase names the check that failed so that a CLI line
 * "fwseal: <file>: <text>" tells the operator what was wrong without a manual. */
#include "fwseal/error.h"

#include <stddef.h>

struct fws_error_text {
	const char *name;
	const char *text;
};

/* Indexed by -code; a missing entry is caught by the unit test that walks
 * every code from 0 to FWS_ELAST. */
static const struct fws_error_text error_texts[] = {
    [0] = {"FWS_OK", "success"},
    [-FWS_EINTERNAL] = {"FWS_EINTERNAL", "internal error (an invariant did not hold)"},
    [-FWS_EUSAGE] = {"FWS_EUSAGE", "invalid usage or argument"},
    [-FWS_ENOMEM] = {"FWS_ENOMEM", "out of memory"},
    [-FWS_EIO] = {"FWS_EIO", "input/output error (read, write, fsync or rename failed)"},
    [-FWS_ECRYPTO] = {"FWS_ECRYPTO", "cryptography library could not be initialised"},
    [-FWS_ELIMIT] = {"FWS_ELIMIT", "input exceeds a size or count limit"},
    [-FWS_EJSON] = {"FWS_EJSON",
		    "malformed json (syntax, duplicate key, bad utf-8 or nesting too deep)"},
    [-FWS_ESCHEMA] = {"FWS_ESCHEMA", "schema violation (missing, unknown or ill-typed field)"},
    [-FWS_EENVELOPE] = {"FWS_EENVELOPE", "malformed signed envelope (fields, base64 or lengths)"},
    [-FWS_EPAYLOADTYPE] = {"FWS_EPAYLOADTYPE", "envelope payload type is not the one expected"},
    [-FWS_EUNTRUSTED] = {"FWS_EUNTRUSTED", "no signature from a key authorised for this role"},
    [-FWS_EBADSIG] = {"FWS_EBADSIG", "signature of an authorised key does not verify"},
    [-FWS_ETHRESHOLD] = {"FWS_ETHRESHOLD",
			 "too few valid signatures from distinct authorised keys (threshold)"},
    [-FWS_EKEYID] = {"FWS_EKEYID", "key id does not match its public key"},
    [-FWS_EROOTVERSION] = {"FWS_EROOTVERSION",
			   "root version not sequential (rollback, gap or repeat)"},
    [-FWS_EEXPIRED] = {"FWS_EEXPIRED", "metadata has expired"},
    [-FWS_EFORMAT] = {"FWS_EFORMAT", "not a tar archive or malformed tar header"},
    [-FWS_EENTRY] = {"FWS_EENTRY", "unexpected bundle entry (type, name, order or duplicate)"},
    [-FWS_ETRUNCATED] = {"FWS_ETRUNCATED", "bundle truncated before all its entries"},
    [-FWS_ETRAILING] = {"FWS_ETRAILING", "trailing data after the end of the archive"},
    [-FWS_ESIZE] = {"FWS_ESIZE", "size differs from the signed size"},
    [-FWS_EDIGEST] = {"FWS_EDIGEST", "chunk digest mismatch (payload or chunk list tampered with)"},
    [-FWS_EDECOMPRESS] = {"FWS_EDECOMPRESS",
			  "corrupt compressed stream or decompression limit exceeded"},
    [-FWS_EHARDWARE] = {"FWS_EHARDWARE", "hardware id not listed in the manifest"},
    [-FWS_EROLLBACK] = {"FWS_EROLLBACK",
			"security version lower than the device's (rollback refused)"},
    [-FWS_EDOWNGRADE] = {"FWS_EDOWNGRADE",
			 "version downgrade within the same security version not allowed"},
    [-FWS_ESTATE] = {"FWS_ESTATE", "device state missing, corrupt or inconsistent"},
    [-FWS_EKEYFILE] = {"FWS_EKEYFILE", "key file malformed or of the wrong kind"},
    [-FWS_EPASSPHRASE] = {"FWS_EPASSPHRASE", "wrong passphrase (or key file tampered with)"},
    [-FWS_EKEYPERM] = {"FWS_EKEYPERM", "secret key file readable by group or others"},
    [-FWS_ENOTAUTHORISED] = {"FWS_ENOTAUTHORISED",
			     "signing key not authorised by the root for this role"},
    [-FWS_EEXIST] = {"FWS_EEXIST", "output file already exists"},
    [-FWS_ENOENT] = {"FWS_ENOENT", "input file missing"},
    [-FWS_EBUSY] = {"FWS_EBUSY", "device busy (locked, or a pending update awaits mark-good or rollback)"},
    [-FWS_ETHRESHOLDDEF] = {"FWS_ETHRESHOLDDEF",
			    "root threshold invalid (zero or above its key count)"},
    [-FWS_ECLOCK] = {"FWS_ECLOCK", "time value unparseable or out of range"},
    [-FWS_EMINVERSION] = {"FWS_EMINVERSION",
			  "installed version below the manifest's minimum version"},
    [-FWS_EROOTMISMATCH] = {"FWS_EROOTMISMATCH",
			    "carried root differs from the trusted root of the same version"},
    [-FWS_EALREADYSIGNED] = {"FWS_EALREADYSIGNED", "this key has already signed it"},
    [-FWS_EPERMIT] = {"FWS_EPERMIT",
		      "downgrade permit does not apply (device, bundle, version or replay)"},
    [-FWS_EUNSAFE] = {"FWS_EUNSAFE",
		      "unsafe path refused (a link, another owner, or writable by group or others)"},
    [-FWS_ESTALLED] = {"FWS_ESTALLED", "input stalled (nothing received within the stall timeout)"},
    [-FWS_ENOSPC] = {"FWS_ENOSPC", "no space left on the storage"},
    [-FWS_ESAMEFILE] = {"FWS_ESAMEFILE", "an output is one of the command's own inputs"},
    [-FWS_ELIFECYCLE] = {"FWS_ELIFECYCLE",
			 "not possible at this point of the update life cycle"},
    [-FWS_ECONFIG] = {"FWS_ECONFIG", "system configuration invalid"},
    [-FWS_ETARGET] = {"FWS_ETARGET", "a payload's target has no slot on this device, or does not fit it"},
    [-FWS_EBOOTLOADER] = {"FWS_EBOOTLOADER",
			  "bootloader environment cannot be read or written"},
    [-FWS_ENET] = {"FWS_ENET", "the bundle could not be fetched"},
    [-FWS_EINSECURE] = {"FWS_EINSECURE", "not a trusted connection"},
    [-FWS_EREMOTE] = {"FWS_EREMOTE", "the server's answer broke its own promises"},
    [-FWS_EPIN] = {"FWS_EPIN", "the token refused the PIN (or none was given)"},
    [-FWS_EPINLOCKED] = {"FWS_EPINLOCKED", "the token's PIN is locked"},
    [-FWS_EKEYUSE] = {"FWS_EKEYUSE", "the token key cannot be used to sign"},
    [-FWS_ETOKEN] = {"FWS_ETOKEN", "no single token matches, or the token went away"},
    [-FWS_EPKCS11] = {"FWS_EPKCS11", "the PKCS#11 module failed or cannot be loaded"},
    [-FWS_ESIGNER] = {"FWS_ESIGNER", "the signer command gave no valid signature"},
    [-FWS_EFLOOR] = {"FWS_EFLOOR", "the rollback floor cannot be read or raised"},
    [-FWS_EFLOORSTEP] = {"FWS_EFLOORSTEP", "rollback floor raise larger than the step cap"},
    [-FWS_ESBOM] = {"FWS_ESBOM", "sbom lacks a field a regulator expects"},
    [-FWS_ESBOMFORMAT] = {"FWS_ESBOMFORMAT",
			  "sbom is not spdx 2.3 or cyclonedx 1.5/1.6 json, or not its declared format"},
    [-FWS_ERECORD] = {"FWS_ERECORD", "bundle differs from its release record"},
    [-FWS_ENOTRECIPIENT] = {"FWS_ENOTRECIPIENT", "not a recipient of the encrypted bundle"},
    [-FWS_EKEYCOMMIT] = {"FWS_EKEYCOMMIT", "recipients entry opens to another key than the manifest commits to"},
    [-FWS_EDECRYPT] = {"FWS_EDECRYPT", "decryption failed: header mac or ciphertext does not authenticate"},
    [-FWS_ERECIPIENTS] = {"FWS_ERECIPIENTS", "recipients entry or recipient malformed"},
    [-FWS_EIDENTITY] = {"FWS_EIDENTITY", "decryption identity cannot be used"},
    [-FWS_EKEYDERIVE] = {"FWS_EKEYDERIVE", "decryption key in the token cannot derive (not EC P-256, not allowed, wrong ECDH)"},
    [-FWS_EDEADLINE] = {"FWS_EDEADLINE", "download did not finish within its time limit"},
    [-FWS_EHEADER] = {"FWS_EHEADER", "http header larger than fwseal accepts"},
    [-FWS_EOVERLAP] = {"FWS_EOVERLAP", "a slot covers a region fwseal or the bootloader needs"},
    [-FWS_EFILETYPE] = {"FWS_EFILETYPE", "not a regular file or block device"},
    [-FWS_EINCOMPLETE] = {"FWS_EINCOMPLETE", "release does not fill every slot of the set"},
    [-FWS_ESLOTRO] = {"FWS_ESLOTRO", "slot is read-only"},
    [-FWS_EREGISTRY] = {"FWS_EREGISTRY", "the oci registry refused the request"},
    [-FWS_EOCIMANIFEST] = {"FWS_EOCIMANIFEST", "the oci manifest is invalid or not the one addressed"},
    [-FWS_EARTIFACT] = {"FWS_EARTIFACT", "the oci artifact is not a fwseal bundle"},
    [-FWS_ECHANNELSTALE] = {"FWS_ECHANNELSTALE", "channel is stale (past its expires)"},
    [-FWS_ECHANNELROLLBACK] = {"FWS_ECHANNELROLLBACK",
			       "channel version older than the device's (rollback or replay)"},
    [-FWS_ECHANNELMISMATCH] = {"FWS_ECHANNELMISMATCH",
			       "bundle is not the release the channel names"},
    [-FWS_ENOTINCOHORT] = {"FWS_ENOTINCOHORT",
			   "device not in the rollout cohort, or the rollout has not begun"},
    [-FWS_EREPORT] = {"FWS_EREPORT", "device report invalid, or its log was cut or rewritten"},
};

_Static_assert(sizeof(error_texts) / sizeof(error_texts[0]) == (size_t)-FWS_ELAST + 1,
	       "every error code needs a text");

static const struct fws_error_text *lookup(int code)
{
	/* Compare before negating: -INT_MIN would overflow. */
	if (code > 0 || code < FWS_ELAST)
		return NULL;
	return &error_texts[-code];
}

const char *fws_strerror(int code)
{
	const struct fws_error_text *e = lookup(code);

	if (e == NULL || e->text == NULL)
		return "unknown error";
	return e->text;
}

const char *fws_errname(int code)
{
	const struct fws_error_text *e = lookup(code);

	if (e == NULL || e->name == NULL)
		return "unknown error";
	return e->name;
}
