/* SPDX-License-Identifier: Apache-2.0 */
/* The body of the two bundle harnesses (fuzz_bundle.c: the real library;
 * fuzz_bundle_unsigned.c: signatures bypassed, see lib/core/envelope_verify.c).
 *
 * The input is a whole bundle, read through a memory reader whose read sizes
 * vary (1 byte to 64 KiB) as from a slow or odd link, verified against the
 * fixture's trusted root with a device policy, into a sink that checks:
 *  - nothing reaches it before the manifest was verified;
 *  - each payload gets exactly its declared size, in writes of at most one
 *    chunk, between payload_begin and payload_end, in manifest order;
 *  - on success every byte of the input was read (no trailing data). */
#ifndef FWSEAL_FUZZ_BUNDLE_BODY_H
#define FWSEAL_FUZZ_BUNDLE_BODY_H

#include "fuzz_common.h"

struct fuzz_reader {
	const uint8_t *data;
	size_t len, pos;
	unsigned calls;
};

static ssize_t fuzz_read(void *ctx, uint8_t *buf, size_t len)
{
	static const size_t sizes[] = {65536, 1, 511, 4096, 13, 65536, 2, 10240};
	struct fuzz_reader *r = ctx;
	size_t n = r->len - r->pos, cap = sizes[r->calls++ % (sizeof sizes / sizeof sizes[0])];

	if (n > len)
		n = len;
	if (n > cap)
		n = cap;
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	return (ssize_t)n;
}

struct fuzz_sink {
	const struct fws_manifest *m; /* set once verified */
	size_t index;                 /* payloads begun so far */
	int open;
	uint64_t size, written;
	uint32_t chunk_size;
	uint64_t total;
};

static int sink_verified(void *ctx, const struct fws_verify_result *r)
{
	struct fuzz_sink *s = ctx;

	FUZZ_CHECK(s->m == NULL, "manifest_verified called once");
	FUZZ_CHECK(r->manifest.n_payloads >= 1, "verified manifest has payloads");
	s->m = &r->manifest;
	return 0;
}

static int sink_begin(void *ctx, const struct fws_payload *p)
{
	struct fuzz_sink *s = ctx;

	FUZZ_CHECK(s->m != NULL, "no payload before the manifest is verified");
	FUZZ_CHECK(!s->open, "payload_begin inside a payload");
	FUZZ_CHECK(s->index < s->m->n_payloads, "no more payloads than the manifest names");
	FUZZ_CHECK(strcmp(p->name, s->m->payloads[s->index].name) == 0, "manifest order");
	s->open = 1;
	s->size = p->size;
	s->chunk_size = p->chunk_size;
	s->written = 0;
	return 0;
}

static int sink_write(void *ctx, const uint8_t *data, size_t len)
{
	struct fuzz_sink *s = ctx;

	FUZZ_CHECK(s->open, "payload_write only inside a payload");
	FUZZ_CHECK(len > 0 && len <= s->chunk_size, "writes of at most one chunk");
	FUZZ_CHECK(s->written <= s->size && len <= s->size - s->written,
		   "never more bytes than the signed size");
	(void)data[len - 1]; /* ASan: the whole buffer is readable */
	s->written += len;
	s->total += len;
	return 0;
}

static int sink_end(void *ctx, const struct fws_payload *p)
{
	struct fuzz_sink *s = ctx;

	FUZZ_CHECK(s->open && s->written == p->size, "payload_end after exactly size bytes");
	s->open = 0;
	s->index++;
	return 0;
}

static int fuzz_bundle_one(const uint8_t *data, size_t size)
{
	static struct fws_verify_result result;
	struct fuzz_reader rd = {data, size, 0, 0};
	struct fuzz_sink st;
	struct fws_sink sink = {.ctx = &st,
				.payload_begin = sink_begin,
				.payload_write = sink_write,
				.payload_end = sink_end,
				.manifest_verified = sink_verified};
	struct fws_verify_opts o;
	int rc;

	memset(&st, 0, sizeof st);
	memset(&o, 0, sizeof o);
	o.trusted_root = fuzz_trusted_root();
	o.policy.hardware_id = FWS_FX_HARDWARE;
	o.policy.check_rollback = 1;
	o.policy.security_version = 1;
	o.policy.installed_version = "1.0.0";
	o.now = FWS_FX_TIME + 86400;
	rc = fws_bundle_verify(fuzz_read, &rd, &o, &sink, &result);
	fuzz_check_code(rc);
	if (rc == 0) {
		FUZZ_CHECK(st.m != NULL && st.index == result.manifest.n_payloads && !st.open,
			   "success means every payload was delivered");
		FUZZ_CHECK(rd.pos == size && result.bundle_bytes == size,
			   "success means the whole input was read");
		FUZZ_CHECK(result.manifest.security_version >= 1, "rollback policy applied");
	}
	return rc;
}

#endif
