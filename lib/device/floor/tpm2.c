/* SPDX-License-Identifier: Apache-2.0 */
/* The rollback floor in a TPM 2.0 (docs/rollback-floor.md), through the
 * ESAPI of tpm2-tss, loaded at first use (tss2_load.h), over the TCTI
 * system.conf names (`device:/dev/tpmrm0`, `swtpm:host=...,port=...`).
 *
 * Two NV indices, both defined by `fwseal-verify init`:
 *   counter  a TPM2_NT_COUNTER: the TPM only ever increments it, and a
 *            counter deleted and defined again starts at or above the
 *            highest value any counter held (TPM 2.0 Part 1, on NV counters), so neither
 *            a restored file nor a redefined index lowers it;
 *   base     8 bytes, written once at provisioning with the counter's
 *            value then, and write-locked for good (TPMA_NV_WRITEDEFINE:
 *            the lock survives restarts and only deleting the index,
 *            which takes owner authorization, lifts it).
 * floor = counter - base. Raising to N increments the counter N - floor
 * times; each increment is one atomic TPM command, so a power cut leaves
 * a floor between the old one and N, and raising again finishes it.
 *
 * A counter that was never incremented cannot be read (TPM_RC_NV_
 * UNINITIALIZED): provisioning increments it once before it records the
 * base. Every read checks both indices' types and attributes: an index
 * that is not the counter or the locked base fwseal set up is no floor,
 * and the device refuses (FWS_EFLOOR) rather than guess. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/floor/floor.h"
#include "device/floor/tss2_load.h"
#include "fwseal/error.h"
#include "io/io.h"

/* Provisioning may move a new counter up to the factory image's
 * security_version; more increments than this are a mistake. */
#define PROVISION_STEPS_MAX 65536u

struct tpm {
	const struct fws_sysconf *c;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR counter, base;
};

/* "NV index 0x...: WHAT: the TSS's reading of the return code". */
static int tpm_fail(TSS2_RC rc, uint32_t index, const char *what)
{
	return fws_diag_set(FWS_EFLOOR, 0, "tpm2", "NV index 0x%08x: %s: %s", (unsigned)index, what,
			    fws_tss2.Tss2_RC_Decode(rc));
}

static void tpm_close(struct tpm *t)
{
	if (t->esys != NULL)
		fws_tss2.Esys_Finalize(&t->esys);
	if (t->tcti != NULL)
		fws_tss2.Tss2_TctiLdr_Finalize(&t->tcti);
}

static int tpm_open(struct tpm *t, const struct fws_sysconf *c)
{
	memset(t, 0, sizeof(*t));
	t->c = c;
	t->counter = t->base = ESYS_TR_NONE;
	int rc = fws_tss2_load();
	if (rc != 0)
		return rc;
	TSS2_RC r = fws_tss2.Tss2_TctiLdr_Initialize(c->floor_tcti, &t->tcti);
	if (r != TSS2_RC_SUCCESS) {
		t->tcti = NULL;
		return fws_diag_set(FWS_EFLOOR, 0, "tpm2", "the TPM at %s cannot be reached: %s",
				    c->floor_tcti, fws_tss2.Tss2_RC_Decode(r));
	}
	r = fws_tss2.Esys_Initialize(&t->esys, t->tcti, NULL);
	if (r != TSS2_RC_SUCCESS) {
		t->esys = NULL;
		tpm_close(t);
		return fws_diag_set(FWS_EFLOOR, 0, "tpm2", "the TPM at %s does not answer: %s",
				    c->floor_tcti, fws_tss2.Tss2_RC_Decode(r));
	}
	return 0;
}

/* TPM_RC_HANDLE (format 1, any parameter): no index at that handle. */
static int is_missing(TSS2_RC r)
{
	return (r & 0xffff0000u) == 0 && (r & TPM2_RC_FMT1) &&
	       (r & 0x3fu) == (TPM2_RC_HANDLE & 0x3fu);
}

/* *tr for index; 1 in *missing (if not NULL) when it is not defined. */
static int find(struct tpm *t, uint32_t index, ESYS_TR *tr, int *missing)
{
	TSS2_RC r = fws_tss2.Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
						   ESYS_TR_NONE, tr);
	if (missing != NULL)
		*missing = r != TSS2_RC_SUCCESS && is_missing(r);
	if (r == TSS2_RC_SUCCESS || (missing != NULL && *missing))
		return 0;
	if (is_missing(r))
		return fws_diag_set(FWS_EFLOOR, 0, "tpm2",
				    "NV index 0x%08x is not defined: the floor was never set up "
				    "(fwseal-verify init) or was deleted",
				    (unsigned)index);
	return tpm_fail(r, index, "cannot be looked up");
}

static int attributes(struct tpm *t, ESYS_TR tr, uint32_t index, TPMA_NV *attrs)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TPM2B_NAME *name = NULL;
	TSS2_RC r = fws_tss2.Esys_NV_ReadPublic(t->esys, tr, ESYS_TR_NONE, ESYS_TR_NONE,
						ESYS_TR_NONE, &pub, &name);
	if (r != TSS2_RC_SUCCESS)
		return tpm_fail(r, index, "its public area cannot be read");
	int rc = 0;
	if (pub->nvPublic.nvIndex != index || pub->nvPublic.dataSize != 8)
		rc = fws_diag_set(FWS_EFLOOR, 0, "tpm2", "NV index 0x%08x is not 8 bytes",
				  (unsigned)index);
	*attrs = pub->nvPublic.attributes;
	fws_tss2.Esys_Free(pub);
	fws_tss2.Esys_Free(name);
	return rc;
}

static unsigned nv_type(TPMA_NV a)
{
	return (unsigned)((a & TPMA_NV_TPM2_NT_MASK) >> TPMA_NV_TPM2_NT_SHIFT);
}

/* The counter must be a counter, the base an ordinary index written once
 * and locked: anything else is an index someone else defined. */
static int check_counter(struct tpm *t, TPMA_NV a)
{
	uint32_t index = t->c->floor_counter_index;
	if (nv_type(a) != TPM2_NT_COUNTER)
		return fws_diag_set(FWS_EFLOOR, 0, "tpm2",
				    "NV index 0x%08x is not a counter (TPM2_NT_COUNTER)",
				    (unsigned)index);
	if (!(a & TPMA_NV_WRITTEN))
		return fws_diag_set(FWS_EFLOOR, 0, "tpm2",
				    "the counter 0x%08x was never incremented (defined again "
				    "since fwseal-verify init?)",
				    (unsigned)index);
	return 0;
}

static int check_base(struct tpm *t, TPMA_NV a)
{
	uint32_t index = t->c->floor_base_index;
	if (nv_type(a) != TPM2_NT_ORDINARY || !(a & TPMA_NV_WRITEDEFINE))
		return fws_diag_set(
		    FWS_EFLOOR, 0, "tpm2",
		    "NV index 0x%08x is not a write-once index (TPMA_NV_WRITEDEFINE)",
		    (unsigned)index);
	if (!(a & TPMA_NV_WRITTEN) || !(a & TPMA_NV_WRITELOCKED))
		return fws_diag_set(FWS_EFLOOR, 0, "tpm2",
				    "the base 0x%08x is not written and locked: a base that can "
				    "still be written could lower the floor",
				    (unsigned)index);
	return 0;
}

static int read_u64(struct tpm *t, ESYS_TR tr, uint32_t index, uint64_t *out)
{
	TPM2B_MAX_NV_BUFFER *data = NULL;
	TSS2_RC r = fws_tss2.Esys_NV_Read(t->esys, tr, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					  ESYS_TR_NONE, 8, 0, &data);
	if (r != TSS2_RC_SUCCESS)
		return tpm_fail(r, index, "cannot be read");
	int rc = 0;
	if (data->size != 8) {
		rc = fws_diag_set(FWS_EFLOOR, 0, "tpm2", "NV index 0x%08x gave %u bytes, not 8",
				  (unsigned)index, (unsigned)data->size);
	} else {
		/* NV counters and the base are big-endian (TPM byte order). */
		*out = 0;
		for (int i = 0; i < 8; i++)
			*out = (*out << 8) | data->buffer[i];
	}
	fws_tss2.Esys_Free(data);
	return rc;
}

static int increment(struct tpm *t)
{
	TSS2_RC r = fws_tss2.Esys_NV_Increment(t->esys, t->counter, t->counter, ESYS_TR_PASSWORD,
					       ESYS_TR_NONE, ESYS_TR_NONE);
	return r == TSS2_RC_SUCCESS
		   ? 0
		   : tpm_fail(r, t->c->floor_counter_index, "the counter cannot be incremented");
}

/* Both indices found and checked; the floor and the counter's value. */
static int read_floor(struct tpm *t, uint64_t *floor, uint64_t *counter)
{
	const struct fws_sysconf *c = t->c;
	TPMA_NV a;
	uint64_t base;
	int rc = find(t, c->floor_counter_index, &t->counter, NULL);
	if (rc == 0)
		rc = attributes(t, t->counter, c->floor_counter_index, &a);
	if (rc == 0)
		rc = check_counter(t, a);
	if (rc == 0)
		rc = find(t, c->floor_base_index, &t->base, NULL);
	if (rc == 0)
		rc = attributes(t, t->base, c->floor_base_index, &a);
	if (rc == 0)
		rc = check_base(t, a);
	if (rc == 0)
		rc = read_u64(t, t->counter, c->floor_counter_index, counter);
	if (rc == 0)
		rc = read_u64(t, t->base, c->floor_base_index, &base);
	if (rc == 0 && *counter < base)
		rc = fws_diag_set(FWS_EFLOOR, 0, "tpm2",
				  "the counter 0x%08x (%llu) is below its base (%llu): not the "
				  "indices fwseal-verify init set up",
				  (unsigned)c->floor_counter_index, (unsigned long long)*counter,
				  (unsigned long long)base);
	if (rc == 0)
		*floor = *counter - base;
	return rc;
}

/* Increments until the floor is at least n, then reads it back. */
static int raise_to(struct tpm *t, uint64_t floor, uint64_t n, uint64_t steps_max)
{
	uint64_t counter;
	if (n <= floor)
		return 0;
	if (n - floor > steps_max)
		return fws_diag_set(FWS_EFLOORSTEP, 0, "tpm2",
				    "raising the floor from %llu to %llu is more than %llu steps",
				    (unsigned long long)floor, (unsigned long long)n,
				    (unsigned long long)steps_max);
	int rc = 0;
	for (uint64_t i = floor; rc == 0 && i < n; i++)
		rc = increment(t);
	if (rc == 0)
		rc = read_floor(t, &floor, &counter);
	if (rc == 0 && floor < n)
		rc = fws_diag_set(FWS_EFLOOR, 0, "tpm2", "raised to %llu, the TPM reads %llu",
				  (unsigned long long)n, (unsigned long long)floor);
	return rc;
}

static int tpm2_get(void *ctx, uint64_t *floor)
{
	struct tpm t;
	uint64_t counter;
	int rc = tpm_open(&t, ctx);
	if (rc == 0)
		rc = read_floor(&t, floor, &counter);
	tpm_close(&t);
	return rc;
}

static int tpm2_update(void *ctx, uint64_t n)
{
	struct tpm t;
	uint64_t floor, counter;
	const struct fws_sysconf *c = ctx;
	int rc = tpm_open(&t, c);
	if (rc == 0)
		rc = read_floor(&t, &floor, &counter);
	if (rc == 0)
		rc = raise_to(&t, floor, n, c->floor_max_step ? c->floor_max_step : UINT64_MAX);
	tpm_close(&t);
	return rc;
}

/* The owner hierarchy's password, from owner-auth-file (only provisioning
 * needs it: defining the indices). A file others may read or change is
 * refused: it is the key to deleting the base. One trailing newline is not
 * part of the password. */
static int owner_auth(struct tpm *t)
{
	const char *path = t->c->floor_owner_auth;
	TPM2B_AUTH auth = {.size = 0};
	uint8_t *data = NULL;
	size_t len = 0;
	struct stat st;
	if (path[0] == '\0')
		return 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int rc = fd < 0 || fstat(fd, &st) != 0
		     ? fws_diag_set(FWS_EFLOOR, errno, path, "owner-auth-file cannot be read")
		     : fws_io_check_trusted(&st, path, "owner-auth-file");
	if (rc == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		rc = fws_diag_set(FWS_EUNSAFE, 0, path,
				  "owner-auth-file: readable by group or others");
	if (rc == 0)
		rc = fws_io_read_all_fd(fd, path, sizeof(auth.buffer) + 1, &data, &len);
	if (fd >= 0)
		close(fd);
	if (rc == 0 && len > 0 && data[len - 1] == '\n')
		len--;
	if (rc == 0 && len > sizeof(auth.buffer))
		rc = fws_diag_set(FWS_EFLOOR, 0, path, "owner-auth-file: longer than %u bytes",
				  (unsigned)sizeof(auth.buffer));
	if (rc == 0) {
		auth.size = (UINT16)len;
		memcpy(auth.buffer, data, len);
		TSS2_RC r = fws_tss2.Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER, &auth);
		if (r != TSS2_RC_SUCCESS)
			rc = fws_diag_set(FWS_EFLOOR, 0, "tpm2",
					  "the owner password cannot be set: %s",
					  fws_tss2.Tss2_RC_Decode(r));
	}
	if (data != NULL)
		sodium_memzero(data, len);
	sodium_memzero(&auth, sizeof(auth));
	free(data);
	return rc;
}

static int define(struct tpm *t, uint32_t index, TPMA_NV attrs, ESYS_TR *tr)
{
	TPM2B_AUTH auth = {.size = 0};
	TPM2B_NV_PUBLIC pub = {
	    .size = 0,
	    .nvPublic = {.nvIndex = index,
			 .nameAlg = TPM2_ALG_SHA256,
			 .attributes = attrs | TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA,
			 .authPolicy = {.size = 0},
			 .dataSize = 8}};
	TSS2_RC r = fws_tss2.Esys_NV_DefineSpace(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
						 ESYS_TR_NONE, ESYS_TR_NONE, &auth, &pub, tr);
	return r == TSS2_RC_SUCCESS
		   ? 0
		   : tpm_fail(r, index, "cannot be defined (owner authorization?)");
}

/* The counter: defined if missing, and incremented once if it never was,
 * so that it can be read. */
static int provision_counter(struct tpm *t)
{
	uint32_t index = t->c->floor_counter_index;
	TPMA_NV a = 0;
	int missing;
	int rc = find(t, index, &t->counter, &missing);
	if (rc == 0 && missing)
		rc = define(t, index, TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT, &t->counter);
	if (rc == 0)
		rc = attributes(t, t->counter, index, &a);
	if (rc == 0 && nv_type(a) != TPM2_NT_COUNTER)
		return check_counter(t, a);
	if (rc == 0 && !(a & TPMA_NV_WRITTEN))
		rc = increment(t);
	return rc;
}

/* The base: written with counter - n (the floor starts at n) and locked.
 * A base already written and locked is kept: provisioning again never
 * lowers the floor. A base written but not yet locked (a power cut
 * between the two commands at provisioning) is locked as it is. */
static int provision_base(struct tpm *t, uint64_t n)
{
	uint32_t index = t->c->floor_base_index;
	uint64_t counter;
	TPMA_NV a = 0;
	int missing;
	int rc = find(t, index, &t->base, &missing);
	if (rc == 0 && missing)
		rc = define(t, index, TPMA_NV_WRITEDEFINE, &t->base);
	if (rc == 0)
		rc = attributes(t, t->base, index, &a);
	if (rc == 0 && (nv_type(a) != TPM2_NT_ORDINARY || !(a & TPMA_NV_WRITEDEFINE)))
		return check_base(t, a);
	if (rc == 0 && !(a & TPMA_NV_WRITTEN)) {
		rc = read_u64(t, t->counter, t->c->floor_counter_index, &counter);
		/* A counter below n (a new TPM) is moved up first. */
		if (rc == 0 && counter < n && n - counter > PROVISION_STEPS_MAX)
			rc = fws_diag_set(FWS_EFLOORSTEP, 0, "tpm2",
					  "a floor of %llu takes more than %u increments",
					  (unsigned long long)n, PROVISION_STEPS_MAX);
		for (; rc == 0 && counter < n; counter++)
			rc = increment(t);
		TPM2B_MAX_NV_BUFFER data = {.size = 8};
		for (int i = 0; i < 8; i++)
			data.buffer[i] = (uint8_t)((counter - n) >> (56 - 8 * i));
		TSS2_RC r =
		    rc != 0 ? TSS2_RC_SUCCESS
			    : fws_tss2.Esys_NV_Write(t->esys, t->base, t->base, ESYS_TR_PASSWORD,
						     ESYS_TR_NONE, ESYS_TR_NONE, &data, 0);
		if (r != TSS2_RC_SUCCESS)
			rc = tpm_fail(r, index, "the base cannot be written");
	}
	if (rc == 0 && !(a & TPMA_NV_WRITELOCKED)) {
		TSS2_RC r = fws_tss2.Esys_NV_WriteLock(t->esys, t->base, t->base, ESYS_TR_PASSWORD,
						       ESYS_TR_NONE, ESYS_TR_NONE);
		if (r != TSS2_RC_SUCCESS)
			rc = tpm_fail(r, index, "the base cannot be write-locked");
	}
	return rc;
}

static int tpm2_provision(void *ctx, uint64_t n)
{
	struct tpm t;
	uint64_t floor, counter;
	int rc = tpm_open(&t, ctx);
	if (rc == 0)
		rc = owner_auth(&t);
	if (rc == 0)
		rc = provision_counter(&t);
	if (rc == 0)
		rc = provision_base(&t, n);
	if (rc == 0)
		rc = read_floor(&t, &floor, &counter);
	/* A floor kept from before, below n: raised like at provisioning. */
	if (rc == 0)
		rc = raise_to(&t, floor, n, PROVISION_STEPS_MAX);
	tpm_close(&t);
	return rc;
}

int fws_floor_tpm2_init(struct fws_floor *f, const struct fws_sysconf *c)
{
	*f = (struct fws_floor){(void *)c, "tpm2",	   tpm2_get,	     tpm2_update,
				NULL,	   tpm2_provision, c->floor_max_step};
	return 0;
}
