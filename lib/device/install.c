/* SPDX-License-Identifier: Apache-2.0 */
/* fws_device_install: verify a bundle while streaming it into the set that
 * is neither confirmed nor running, then make that set pending.
 *
 * The device lock is taken only when the manifest's signatures have
 * verified (on_manifest): whoever sends an unsigned or stalled stream
 * cannot keep boot, mark-good or rollback waiting. The state read before
 * that is a snapshot; under the lock it must still be the same generation,
 * else another operation got in between and the install is refused as
 * busy (retry). From the lock on, every outcome is recorded. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/trust_explain.h"
#include "bundle/chunk_pool.h"
#include "bundle/decrypt_sink.h"
#include "device/delta.h"
#include "device/delta_encrypted.h"
#include "device/lifecycle.h"
#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/permit.h"
#include "fwseal/policy.h"
#include "fwseal/root.h"
#include "fwseal/sha256.h"
#include "io/io.h"

struct install_ctx {
	struct fws_device *dev;
	struct op o; /* valid once locked */
	uint64_t snapshot_generation;
	const struct fws_install_opts *opts;
	int64_t now;
	char set;
	int begun; /* locked (if the store locks) and reloaded: fws_op_begin_locked ran */
	int prepared;
	int permit_used;
	struct fws_permit permit;
	struct fws_delta *delta; /* NULL: no delta */
	int invalidated;	 /* in place: the set was marked empty */
	int emptied;		 /* the saved state calls the set empty (its old image given up) */
	int undo_failed;	 /* the state still calls the set pending, the bootloader does not */
	int sbom_staged;	 /* the SBOM store holds this bundle's SBOM, unverified */
	int sbom_verified;	 /* ... and it matched the signed digest */
	uint8_t sbom_sha256[32];
	struct fws_decrypt_sink *decrypt;
	struct fws_enc_delta *edelta; /* with delta: the map over encrypted payloads */
};

static int lock_and_reload(struct install_ctx *ic)
{
	struct op *o = &ic->o;
	int rc = fws_op_lock_and_load(o);
	if (rc == 0 && o->st.generation != ic->snapshot_generation)
		rc = fws_diag_set(FWS_EBUSY, 0, NULL,
				  "another operation changed the device while the bundle was "
				  "verified; install again");
	if (rc == 0)
		rc = fws_op_begin_locked(o);
	ic->begun = rc == 0;
	return rc;
}

/* The floor outside the state (fwseal/floor.h) decides even when the
 * state file says otherwise: a state restored from a backup, with an old
 * counter, does not let an old bundle in, and no downgrade permit goes
 * below it (the floor cannot be lowered, so the image could never be
 * confirmed). A floor that cannot be read refuses the install before
 * anything is written. A bundle too far above the floor is refused too:
 * its confirmation would be refused (max-step). */
static int check_floor(struct install_ctx *ic, const struct fws_manifest *m)
{
	struct op *o = &ic->o;
	const struct fws_floor *f = &ic->dev->floor;
	uint64_t floor;
	if (f->get == NULL)
		return 0;
	int rc = fws_op_floor(o, &floor);
	if (rc == 0 && m->security_version < floor && floor > o->st.security_version)
		rc = fws_diag_set(FWS_EROLLBACK, 0, NULL,
				  "security_version %llu is below the rollback floor %llu held by "
				  "the %s floor (the state file says %llu)",
				  (unsigned long long)m->security_version, (unsigned long long)floor,
				  f->name, (unsigned long long)o->st.security_version);
	else if (rc == 0 && m->security_version < floor)
		rc = fws_diag_set(FWS_EROLLBACK, 0, NULL,
				  "security_version %llu is below the rollback floor %llu held by "
				  "the %s floor (no permit goes below it)",
				  (unsigned long long)m->security_version, (unsigned long long)floor,
				  f->name);
	if (rc == 0)
		rc = fws_op_floor_step_ok(o, m->security_version);
	return rc;
}

/* A channel names one release: a validly signed bundle that is another
 * one (an old release a mirror pairs with a fresh channel) is refused
 * before anything is written. */
static int check_channel(const struct fws_channel *ch, const struct fws_verify_result *r)
{
	char want[65], got[65];
	const struct fws_manifest *m = &r->manifest;
	if (fws_channel_check_release(ch, m->product, m->version, m->security_version,
				      r->manifest_body_sha256) == 0)
		return 0;
	if (strcmp(ch->product, m->product) != 0)
		return fws_diag_set(FWS_ECHANNELMISMATCH, 0, "product",
				    "%s, the channel names %s", m->product, ch->product);
	if (strcmp(ch->release_version, m->version) != 0)
		return fws_diag_set(FWS_ECHANNELMISMATCH, 0, "version",
				    "%s, the channel names %s", m->version, ch->release_version);
	if (ch->security_version != m->security_version)
		return fws_diag_set(FWS_ECHANNELMISMATCH, 0, "security_version",
				    "%llu, the channel names %llu",
				    (unsigned long long)m->security_version,
				    (unsigned long long)ch->security_version);
	fws_hex_encode(got, r->manifest_body_sha256, 32);
	fws_hex_encode(want, ch->manifest_sha256, 32);
	return fws_diag_set(FWS_ECHANNELMISMATCH, 0, "manifest",
			    "sha256 %.16s..., the channel names %.16s... (same version, other "
			    "release)",
			    got, want);
}

/* What the device holds or does failed, not the bundle: the diagnostic
 * says so (fwseal/diag.h), and returns rc. */
static int device_failed(int rc)
{
	if (rc != 0)
		fws_diag_input(rc, FWS_INPUT_DEVICE);
	return rc;
}

static int on_manifest(void *ctx, const struct fws_verify_result *r)
{
	struct install_ctx *ic = ctx;
	struct op *o = &ic->o;
	if (ic->opts != NULL && ic->opts->channel != NULL) {
		int crc = check_channel(ic->opts->channel, r);
		if (crc != 0)
			return crc;
	}
	int rc = device_failed(lock_and_reload(ic));
	if (rc != 0)
		return rc;
	const struct fws_device_state *st = &o->st;
	/* First: an old bundle is refused as that, whatever else holds. */
	rc = check_floor(ic, &r->manifest);
	if (rc != 0)
		return rc;
	ic->set = fws_other_set(st->confirmed_slot);
	/* Never overwrite the set that is running: a pending image must be
	 * confirmed (mark-good) or given up (rollback) first. */
	if (o->view.booted == ic->set)
		return device_failed(fws_diag_set(
		    FWS_EBUSY, 0, NULL,
		    "slot %c is running but not confirmed: mark-good or rollback first", ic->set));
	/* Nor a set that may be running: a real board always runs one set,
	 * and when fwseal cannot tell which (BOOTED and the kernel command
	 * line disagree, or neither names one), it writes none. The
	 * simulation's '-' means "never booted". */
	if (o->view.booted == '-' && ic->dev->boot.boot == NULL)
		return device_failed(fws_diag_set(FWS_ELIFECYCLE, 0, NULL,
						  "which slot is running is not known (BOOTED and the "
						  "kernel command line disagree, or neither names a "
						  "slot): no slot is written"));
	struct fws_policy p = {st->hardware_id, 1, st->security_version,
			       st->slots[fws_slot_index(st->confirmed_slot)].version,
			       ic->opts != NULL && ic->opts->allow_downgrade};
	rc = fws_explain_policy(fws_policy_check(&r->manifest, &p), &r->manifest, &p);
	/* A release-signed permit for exactly this bundle and this device is
	 * the one way past anti-rollback (a field recall), and only once. */
	if ((rc == FWS_EROLLBACK || rc == FWS_EDOWNGRADE) && ic->opts != NULL &&
	    ic->opts->permit != NULL) {
		rc = fws_permit_check(ic->opts->permit, ic->opts->permit_len, &r->root, st,
				      &r->manifest, r->manifest_body_sha256, ic->now, &ic->permit);
		if (rc != 0)
			fws_diag_input(rc, FWS_INPUT_PERMIT);
		ic->permit_used = rc == 0;
	}
	if (rc == 0 && ic->dev->slots.prepare != NULL) {
		rc = device_failed(ic->dev->slots.prepare(ic->dev->slots.ctx, ic->set, &r->manifest));
		ic->prepared = rc == 0;
	} else if (rc == 0) {
		ic->prepared = 1;
	}
	/* An encrypted release (r is its plaintext view): the planner plans
	 * on the view, the map translates to the ciphertext stream (ADR-064). */
	if (rc == 0 && ic->delta != NULL)
		fws_delta_start(ic->delta, r, ic->set, fws_other_set(ic->set));
	if (rc == 0 && ic->edelta != NULL && r->manifest.encryption.enabled)
		rc = fws_enc_delta_start(ic->edelta, r);
	/* The bundle's SBOM streams next: staged, never in a slot. */
	if (rc == 0 && ic->dev->sbom != NULL && r->manifest.sbom_document.name[0] != '\0') {
		rc = device_failed(ic->dev->sbom->stage(ic->dev->sbom->ctx, ic->set));
		ic->sbom_staged = rc == 0;
	}
	return rc;
}

static int on_sbom(void *ctx, const uint8_t *data, size_t len)
{
	struct install_ctx *ic = ctx;
	return ic->sbom_staged ? ic->dev->sbom->write(ic->dev->sbom->ctx, data, len) : 0;
}

static int on_sbom_verified(void *ctx, const struct fws_sbom_ref *s)
{
	struct install_ctx *ic = ctx;
	ic->sbom_verified = ic->sbom_staged;
	memcpy(ic->sbom_sha256, s->sha256, sizeof(ic->sbom_sha256));
	return 0;
}

/* The set stops being bootable before its contents change: taken out of
 * the bootloader's order first (that only removes a way to boot, and a
 * bootloader that cannot be written is found before anything is given
 * up: the old image stays the fallback in both), then forgotten in the
 * state. A crash in between leaves the state still naming the untouched
 * old image, which the bootloader merely no longer offers. */
static int give_up_set(struct install_ctx *ic)
{
	struct op *o = &ic->o;
	struct fws_device_state keep = o->st;
	fws_op_forget(o, ic->set);
	int rc = fws_op_boot_sync(o, '-');
	if (rc != 0) {
		o->st = keep;
		return rc;
	}
	rc = fws_op_save(o);
	ic->emptied = rc == 0;
	return rc;
}

static int on_begin(void *ctx, const struct fws_payload *p)
{
	struct install_ctx *ic = ctx;
	return device_failed(ic->dev->slots.open(ic->dev->slots.ctx, ic->set, p));
}

/* An in-place writer changes the set from its first byte: the state and
 * the bootloader stop calling the set bootable just before that, at the
 * first verified chunk, so a bundle refused before it (a bad signature,
 * a tampered first chunk, a rollback) leaves the device as it was. */
static int on_write(void *ctx, const uint8_t *data, size_t len)
{
	struct install_ctx *ic = ctx;
	if (ic->dev->slots.in_place && !ic->invalidated) {
		int rc = give_up_set(ic);
		if (rc != 0)
			return device_failed(rc);
		ic->invalidated = 1;
	}
	return device_failed(ic->dev->slots.write(ic->dev->slots.ctx, data, len));
}

static int on_end(void *ctx, const struct fws_payload *p)
{
	struct install_ctx *ic = ctx;
	(void)p;
	return device_failed(ic->dev->slots.close(ic->dev->slots.ctx));
}

static int on_chunk_list(void *ctx, const struct fws_payload *p, size_t index,
			 const uint8_t *list)
{
	struct install_ctx *ic = ctx;
	return ic->delta != NULL ? fws_delta_plan(ic->delta, p, index, list) : 0;
}

static int on_payload_keys(void *ctx, size_t index, const struct fws_payload *p,
			   const uint8_t key[32], const uint8_t nonce[FWS_ENC_NONCE_LEN],
			   const uint8_t hint_key[32], const uint8_t *cipher_list)
{
	struct install_ctx *ic = ctx;
	return ic->edelta != NULL ? fws_enc_delta_ready(ic->edelta, index, p, key, nonce, hint_key,
							cipher_list)
				  : 0;
}

static int on_block_index(void *ctx, const struct fws_payload *p, size_t index, uint64_t at,
			  const uint8_t *data, size_t len)
{
	struct install_ctx *ic = ctx;
	return ic->delta != NULL ? fws_delta_block_index(ic->delta, p, index, at, data, len) : 0;
}

/* What the slot writer wrote is read back (past any cache) and re-hashed
 * chunk by chunk before the set can become bootable: a medium that lost or
 * garbled a write is caught here, not at the next boot. Read on this
 * thread in order (the slot writer is not required to be thread-safe),
 * checked by the per-chunk rule on the hashing pool's workers. */
struct read_back {
	const struct fws_payload *p;
	const uint8_t *list;
};

static int check_read_back(void *ctx, struct fws_pool_task *t)
{
	const struct read_back *rb = ctx;
	return fws_chunk_check(rb->list, rb->p->size, rb->p->chunk_size, t->index, t->buf, t->len);
}

static int report_read_back(void *ctx, struct fws_pool_task *t)
{
	const struct read_back *rb = ctx;
	if (t->rc != 0)
		return fws_diag_set(FWS_EDIGEST, 0, rb->p->target,
				    "read back from the slot, chunk %llu differs from what "
				    "was verified: the medium lost or changed a write",
				    (unsigned long long)t->index);
	return 0;
}

static int on_check(void *ctx, const struct fws_payload *p, const uint8_t *list)
{
	struct install_ctx *ic = ctx;
	const struct fws_slot_writer *w = &ic->dev->slots;
	struct read_back rb = {p, list};
	struct fws_pool *pool = NULL;
	if (w->read_back == NULL || p->size == 0)
		return 0;
	struct fws_pool_config pc = {ic->opts != NULL ? ic->opts->jobs : 0, 0,
				     (size_t)fws_chunk_piece_len(p->size, p->chunk_size, 0), 0,
				     check_read_back, report_read_back, &rb};
	int rc = fws_pool_open(&pool, &pc);
	for (uint64_t off = 0; rc == 0 && off < p->size; off += p->chunk_size) {
		struct fws_pool_task *t;
		size_t len = p->size - off < p->chunk_size ? (size_t)(p->size - off) : p->chunk_size;
		rc = fws_pool_get(pool, &t);
		if (rc == 0)
			rc = w->read_back(w->ctx, ic->set, p, off, t->buf, len);
		if (rc == 0) {
			t->len = len;
			rc = fws_pool_put(pool, t);
		}
	}
	/* An earlier chunk's mismatch comes before a later read error. */
	int drained = pool != NULL ? fws_pool_finish(pool) : 0;
	fws_pool_close(pool);
	return device_failed(drained != 0 ? drained : rc);
}

/* After full verification: the set is marked empty (bootloader, then
 * state: give_up_set) before its contents change, the new root saved, the set committed, and
 * only then the set filled and pending. After a crash at any step the
 * state describes the old set, an empty set, or the new pending set —
 * never a mixed set with a valid-looking entry. */
static int commit_install(struct install_ctx *ic, const struct fws_verify_result *res)
{
	struct fws_device *dev = ic->dev;
	struct op *o = &ic->o;
	struct fws_slot_info *si = &o->st.slots[fws_slot_index(ic->set)];
	char *json = NULL;
	size_t json_len;
	int rc = 0;
	/* In place, the first verified chunk already did this (on_write):
	 * saving and writing the same again would only add a torn-write risk
	 * on a single-copy bootloader environment. */
	if (!ic->emptied)
		rc = give_up_set(ic);
	if (rc == 0 && res->root_advanced) {
		rc = fws_envelope_encode(&res->root_envelope, &json, &json_len);
		if (rc == 0)
			rc = dev->store.save_root(dev->store.ctx, (const uint8_t *)json, json_len);
		free(json);
	}
	if (rc == 0)
		rc = dev->slots.commit(dev->slots.ctx, ic->set);
	/* The set's SBOM follows its contents, while the state still says the
	 * set is empty: a crash here leaves no SBOM naming a release it does
	 * not describe. A release without SBOM removes the old one. */
	if (rc == 0 && dev->sbom != NULL) {
		rc = dev->sbom->commit(dev->sbom->ctx, ic->set, ic->sbom_verified);
		ic->sbom_staged = 0;
	}
	if (rc != 0)
		return rc;
	strcpy(si->version, res->manifest.version);
	si->security_version = res->manifest.security_version;
	o->st.pending_slot = ic->set;
	o->st.root_version = res->root.version;
	if (res->manifest.created > o->st.highest_created)
		o->st.highest_created = res->manifest.created;
	if (res->root.created > o->st.highest_created)
		o->st.highest_created = res->root.created;
	if (ic->permit_used)
		o->st.permit_floor = ic->permit.created;
	o->st.installs++;
	memcpy(o->st.pending_manifest, res->manifest_body_sha256, sizeof(o->st.pending_manifest));
	rc = fws_op_save(o);
	if (rc != 0)
		return rc;
	rc = fws_op_boot_sync(o, ic->set);
	if (rc != 0) {
		/* The bootloader was not told: the set is not in its order, so
		 * the state must not call it pending either (the next operation
		 * would take it for a failed trial and log a fallback that never
		 * happened). The state goes back to the set being empty, which
		 * is what the bootloader and the audit line say. If this save
		 * fails too, the next operation logs the set as a fallback. */
		struct fws_diag saved = *fws_diag_last();
		fws_op_forget(o, ic->set);
		ic->emptied = fws_op_save(o) == 0;
		ic->undo_failed = !ic->emptied;
		fws_diag_restore(&saved);
	}
	return rc;
}

/* One audit line for the outcome, with what else happened or the rule that
 * refused it. A refusal before the lock takes the lock just to record. */
static void record_install(struct install_ctx *ic, const struct fws_verify_result *res,
			   uint64_t old_root, int *rc)
{
	char detail[FWS_DIAG_WHERE_MAX + FWS_DIAG_WHY_MAX + 4] = "";
	const struct fws_diag *d = fws_diag_last();
	if (!ic->begun) {
		struct fws_diag saved = *d;
		fws_op_end(&ic->o);
		int begin_rc = fws_op_begin(ic->dev, &ic->o);
		if (begin_rc != 0) {
			/* Why it is not in the log: the lock is busy, the log or
			 * the state cannot be trusted to take a line, ... */
			ic->dev->log_error = begin_rc;
			fws_diag_restore(&saved);
			return;
		}
		fws_diag_restore(&saved);
	}
	if (*rc == 0 && res->root_advanced)
		snprintf(detail, sizeof(detail), "trusted root v%llu -> v%llu%s",
			 (unsigned long long)old_root, (unsigned long long)res->root.version,
			 ic->permit_used ? "; with downgrade permit" : "");
	else if (*rc == 0 && ic->permit_used)
		snprintf(detail, sizeof(detail), "with downgrade permit");
	else if (*rc != 0 && d->code == *rc && d->why[0] != '\0')
		snprintf(detail, sizeof(detail), "%s%s%s", d->where, d->where[0] ? ": " : "",
			 d->why);
	else if (*rc != 0)
		snprintf(detail, sizeof(detail), "%s", fws_strerror(*rc));
	/* What the refusal cost: an in-place set it had begun to overwrite. */
	if (*rc != 0 && ic->invalidated) {
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof(detail) - n, "; slot %c was being written and is empty",
			 ic->set);
	} else if (*rc != 0 && ic->emptied) {
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof(detail) - n, "; slot %c is empty", ic->set);
	} else if (*rc != 0 && ic->undo_failed) {
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof(detail) - n,
			 "; the state still calls slot %c pending, the bootloader does not: the "
			 "next operation records it as a fallback",
			 ic->set);
	}
	int named = res->manifest.version[0] != '\0';
	/* The SBOM now kept for the set, by digest (docs/audit-log.md). */
	ic->o.sbom_digest = *rc == 0 && ic->sbom_verified ? ic->sbom_sha256 : NULL;
	fws_op_record(&ic->o, "install", *rc, detail[0] ? detail : NULL,
		      named ? res->manifest.version : NULL,
		      named ? res->manifest.security_version : 0, *rc == 0 ? ic->set : 0,
		      named ? res->manifest_body_sha256 : NULL, rc);
}

/* The bundle file a channel names, byte for byte: never more than its size
 * (a mirror streaming without end), and its SHA-256 at the end. A read
 * error returned as an FWS code is the verifier's result. */
struct channel_reader {
	fws_read_fn read;
	void *ctx;
	const struct fws_channel *ch;
	struct fws_sha256 h;
	uint64_t n;
	int checked; /* the end was reached and matched */
};

static ssize_t read_channel_bundle(void *ctx, uint8_t *buf, size_t len)
{
	struct channel_reader *r = ctx;
	uint8_t digest[32];
	ssize_t got = r->read(r->ctx, buf, len);
	if (got < 0 || (got == 0 && r->checked))
		return got;
	if ((uint64_t)got > r->ch->bundle_size - r->n)
		return fws_diag_set(FWS_ECHANNELMISMATCH, 0, "bundle",
				    "longer than the %llu bytes the channel names",
				    (unsigned long long)r->ch->bundle_size);
	fws_sha256_update(&r->h, buf, (size_t)got);
	r->n += (uint64_t)got;
	if (got == 0) {
		fws_sha256_final(&r->h, digest);
		if (r->n != r->ch->bundle_size)
			return fws_diag_set(FWS_ECHANNELMISMATCH, 0, "bundle",
					    "%llu bytes, the channel names %llu",
					    (unsigned long long)r->n,
					    (unsigned long long)r->ch->bundle_size);
		if (sodium_memcmp(digest, r->ch->bundle_sha256, 32) != 0)
			return fws_diag_set(FWS_ECHANNELMISMATCH, 0, "bundle",
					    "its SHA-256 is not the one the channel names");
		r->checked = 1;
	}
	return got;
}

/* read_ctx is what read reads; net_ctx what the delta map and range
 * fetches go to (the network reader under a channel's checking reader). */
static int install_read(struct fws_device *dev, fws_read_fn read, void *read_ctx, void *net_ctx,
			const struct fws_install_opts *opts, struct fws_verify_result *res)
{
	struct fws_device_state snap;
	struct fws_root *root = malloc(sizeof(*root));
	struct fws_envelope *env = malloc(sizeof(*env));
	struct install_ctx ic;
	struct fws_verify_opts vo;
	struct fws_sink sink = {.ctx = &ic,
				.payload_begin = on_begin,
				.payload_write = on_write,
				.payload_end = on_end,
				.manifest_verified = on_manifest,
				.payload_check = on_check,
				.chunk_list_verified = on_chunk_list,
				.sbom_write = on_sbom,
				.sbom_verified = on_sbom_verified,
				.block_index_data = on_block_index};
	uint64_t last;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&ic, 0, sizeof(ic));
	ic.dev = ic.o.dev = dev;
	ic.opts = opts;
	dev->log_error = 0;
	dev->fell_back = '-';
	dev->permit_used = 0;
	dev->reused_bytes = 0;
	dev->refetched_chunks = 0;
	/* A snapshot, without the lock: enough to verify signatures against. */
	rc = (root == NULL || env == NULL) ? FWS_ENOMEM : fws_op_load_state(dev, &snap);
	if (rc == 0 && dev->log != NULL && (rc = fws_audit_log_position(dev->log, &last)) != 0)
		(void)fws_diag_set(rc, fws_diag_last()->os_errno, "log",
				   "the audit log cannot record (run `log --verify`)");
	if (rc == 0)
		rc = fws_op_load_root(dev, &snap, root, env);
	if (rc != 0) {
		fws_diag_input(rc, rc == FWS_ENOMEM ? FWS_INPUT_NONE : FWS_INPUT_DEVICE);
		goto out;
	}
	ic.snapshot_generation = snap.generation;
	ic.o.st = snap;
	ic.now = fws_op_now(&ic.o);
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = root;
	vo.policy.hardware_id = snap.hardware_id; /* rollback: on_manifest, permits */
	vo.now = ic.now;
	vo.jobs = opts != NULL ? opts->jobs : 0;
	if (opts != NULL && opts->use_map != NULL) {
		ic.delta = fws_delta_new(dev, opts->fetch_range, net_ctx);
		if (ic.delta == NULL) {
			rc = FWS_ENOMEM;
			goto out;
		}
		fws_delta_set_jobs(ic.delta, opts->jobs); /* the slot scans, as the verifier */
		ic.edelta = fws_enc_delta_new(ic.delta, opts->fetch_range, net_ctx);
		if (ic.edelta == NULL) {
			fws_delta_free(ic.delta);
			rc = FWS_ENOMEM;
			goto out;
		}
		opts->use_map(net_ctx, fws_enc_delta_map(ic.edelta));
	}
	/* Verify, then decrypt, then write (ADR-062): for a plaintext
	 * bundle the decrypting sink only passes everything through. */
	rc = fws_decrypt_sink_new(dev->decryption, &sink, &ic.decrypt);
	if (rc == 0 && ic.edelta != NULL) {
		struct fws_decrypt_observer ob = {&ic, on_payload_keys};
		fws_decrypt_sink_observe(ic.decrypt, &ob);
	}
	if (rc == 0)
		rc = fws_bundle_verify(read, read_ctx, &vo, fws_decrypt_sink_sink(ic.decrypt), res);
	fws_decrypt_sink_free(ic.decrypt);
	ic.decrypt = NULL;
	if (ic.delta != NULL) {
		opts->use_map(net_ctx, NULL);
		dev->reused_bytes = fws_delta_reused(ic.delta);
		dev->refetched_chunks = fws_delta_refetched(ic.delta) + fws_enc_delta_refetched(ic.edelta);
		fws_delta_free(ic.delta);
		fws_enc_delta_free(ic.edelta);
	}
	/* What no step above blamed on the device or the permit is the
	 * bundle's: its signatures, its manifest, its bytes, its stream. */
	if (rc != 0)
		fws_diag_input(rc, FWS_INPUT_BUNDLE);
	if (rc == 0)
		rc = device_failed(commit_install(&ic, res));
	if (rc != 0 && ic.prepared)
		dev->slots.discard(dev->slots.ctx, ic.set);
	if (ic.sbom_staged)
		dev->sbom->discard(dev->sbom->ctx);
	record_install(&ic, res, root->version, &rc);
	dev->permit_used = rc == 0 && ic.permit_used;
	fws_op_end(&ic.o);
out:
	free(root);
	free(env);
	return rc;
}

int fws_device_install(struct fws_device *dev, fws_read_fn read, void *read_ctx,
		       const struct fws_install_opts *opts, struct fws_verify_result *res)
{
	struct channel_reader cr;
	if (opts != NULL && opts->channel != NULL) {
		memset(&cr, 0, sizeof(cr));
		cr.read = read;
		cr.ctx = read_ctx;
		cr.ch = opts->channel;
		fws_sha256_init(&cr.h);
		return install_read(dev, read_channel_bundle, &cr, read_ctx, opts, res);
	}
	return install_read(dev, read, read_ctx, read_ctx, opts, res);
}
