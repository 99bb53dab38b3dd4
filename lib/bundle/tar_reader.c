/* SPDX-License-Identifier: Apache-2.0 */
/* Strict tar reader. Hostile headers are parsed field by field; nothing is
 * overlaid on the input and every number is bounded before use. Every
 * header block must be byte for byte the block our writer emits for the
 * values read from it (see "The one spelling" below). No heap. */
#include <string.h>

#include "bundle/input_kind.h"
#include "bundle/tar_reader.h"
#include "fwseal/error.h"
#include "io/io.h"

/* ustar header field offsets (POSIX.1-1988). */
enum {
	H_NAME = 0, H_NAME_LEN = 100,
	H_MODE = 100, H_UID = 108, H_GID = 116, H_ID_LEN = 8,
	H_MTIME = 136, H_MTIME_LEN = 12,
	H_UNAME = 265, H_NAMES_LEN = 64, /* uname and gname, 32 bytes each */
	H_DEVMAJOR = 329, H_DEVMINOR = 337,
	H_PAD = 500, H_PAD_LEN = 12,
	H_SIZE = 124, H_SIZE_LEN = 12,
	H_CHKSUM = 148, H_CHKSUM_LEN = 8,
	H_TYPEFLAG = 156,
	H_LINKNAME = 157, H_LINKNAME_LEN = 100,
	H_MAGIC = 257,   /* "ustar\0" then version "00" */
	H_PREFIX = 345, H_PREFIX_LEN = 155,
};

/* Bound on a pax header's data, read before it can be compared: one block
 * (ours is at most two records of at most 32 bytes). Never bulk data. */
#define PAX_MAX 512u

void fws_tar_init(struct fws_tar *t, struct fws_source *src)
{
	memset(t, 0, sizeof(*t));
	t->src = src;
}

static uint32_t pad_of(uint64_t size)
{
	return (uint32_t)((FWS_TAR_BLOCK - size % FWS_TAR_BLOCK) % FWS_TAR_BLOCK);
}

#define PAX_SIZE_FROM (1ull << 33)   /* libarchive adds "size" from 8 GiB */
#define PAX_MTIME_FROM 0x7fffffffull /* ... and "mtime" from 2^31 - 1 */

uint64_t fws_tar_header_bytes(uint64_t size, uint64_t mtime)
{
	/* The writer's pax header and its data block come exactly when
	 * render_pax_data has a record to write (below). */
	int pax = mtime >= PAX_MTIME_FROM || size >= PAX_SIZE_FROM;
	return FWS_TAR_BLOCK * (pax ? 3u : 1u);
}

uint64_t fws_tar_data_bytes(uint64_t size)
{
	return size + pad_of(size);
}

uint64_t fws_tar_entry_footprint(uint64_t size)
{
	/* Always room for a pax header and its one data block: the writer adds
	 * one for sizes past 8 GiB and for times past 2038. */
	return FWS_TAR_BLOCK + size + pad_of(size) + 2 * FWS_TAR_BLOCK;
}

static int read_block(struct fws_tar *t, uint8_t *b)
{
	int rc = fws_source_read_exact(t->src, b, FWS_TAR_BLOCK);
	if (rc == 0)
		t->offset += FWS_TAR_BLOCK;
	return rc;
}

static int is_zero(const uint8_t *b, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

/* Octal digits, optionally followed by NUL/space terminators only; at least
 * one digit; no base-256, no sign, no leading spaces. Lenient on purpose:
 * it only learns a value, the canonical comparison decides the spelling. */
static int parse_octal(const uint8_t *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return FWS_EFORMAT;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	if (i == 0)
		return FWS_EFORMAT;
	for (; i < len; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return FWS_EFORMAT;
	*out = v;
	return 0;
}

/* The size field as libarchive may write it: octal, or base-256 (0x80 then
 * 11 big-endian bytes) from 64 GiB on. Only to learn the value. */
static int parse_size(const uint8_t *f, uint64_t *out)
{
	uint64_t v = 0;
	if ((f[0] & 0x80) == 0)
		return parse_octal(f, H_SIZE_LEN, out);
	if (f[0] != 0x80)
		return FWS_EFORMAT; /* negative, or beyond 2^88 */
	for (size_t i = 1; i < H_SIZE_LEN; i++) {
		if (v > (UINT64_MAX >> 8))
			return FWS_EFORMAT;
		v = (v << 8) | f[i];
	}
	*out = v;
	return 0;
}

/* The stored checksum against the unsigned byte sum (chksum read as
 * spaces): a block that fails it is not an intact ustar header. */
static int check_checksum(const uint8_t *h)
{
	uint64_t stored;
	uint32_t sum = 0;
	if (parse_octal(h + H_CHKSUM, H_CHKSUM_LEN, &stored) != 0)
		return FWS_EFORMAT;
	for (size_t i = 0; i < FWS_TAR_BLOCK; i++)
		sum += (i >= H_CHKSUM && i < H_CHKSUM + H_CHKSUM_LEN) ? ' ' : h[i];
	return stored == sum ? 0 : FWS_EFORMAT;
}

/* ---- The one spelling (docs/format.md §3.2, ADR-023) ----
 *
 * Threat: a header field with a second spelling (other digit counts, NUL
 * instead of space, leading zeros, a prefix/name split, a reordered or
 * renamed pax header) changes the bytes of a bundle without changing what
 * any check sees, so two "identical" verified releases could differ and the
 * free bytes could carry unsigned data. Checking field by field for "a value
 * we like" leaves every such spelling open, one at a time. Instead the reader
 * learns the four values our writer is given (path, size, mtime, type), renders
 * the 512-byte block that lib/sign/bundle_writer.c (libarchive pax_restricted)
 * emits for them, and demands memcmp equality of the whole block — the same
 * decode, re-encode, compare rule as the device state file and audit log.
 * No byte is left whose value is not a function of those four values. */

#define OCTAL11_MAX 077777777777ull  /* 8 GiB - 1: 11 octal digits */
#define OCTAL12_MAX 0777777777777ull /* 64 GiB - 1: 12 octal digits */
#define PAX_HEADER_DIR "PaxHeader/"  /* libarchive: <dir>/PaxHeader/<base> */
#define PAX_BASE_MAX 88u             /* libarchive shortens longer bases */

/* "ustar\0" then version "00": POSIX.1-1988 ustar, nothing else. */
static const uint8_t USTAR_MAGIC[8] = {'u', 's', 't', 'a', 'r', '\0', '0', '0'};

static void put_octal(uint8_t *f, size_t digits, uint64_t v)
{
	for (size_t i = digits; i-- > 0; v >>= 3)
		f[i] = (uint8_t)('0' + (v & 7));
}

/* libarchive's non-strict number for the size field: 11 digits and a
 * space; 12 digits without terminator from 8 GiB; base-256 from 64 GiB. */
static void put_size(uint8_t *f, uint64_t size)
{
	if (size <= OCTAL11_MAX) {
		put_octal(f, 11, size);
		f[11] = ' ';
	} else if (size <= OCTAL12_MAX) {
		put_octal(f, 12, size);
	} else {
		for (size_t i = H_SIZE_LEN; i-- > 0; size >>= 8)
			f[i] = (uint8_t)(size & 0xff);
		f[0] |= 0x80;
	}
}

/* The header block bundle_writer.c emits for one entry: libarchive's ustar
 * template, our fixed metadata (0644, 0:0, no names), typeflag, and the
 * checksum as six octal digits, NUL, space. Callers bound every value:
 * name_len <= 100, mtime <= OCTAL11_MAX, size <= INT64_MAX. */
static void render_header(uint8_t *h, const uint8_t *name, size_t name_len, uint64_t size,
			  uint64_t mtime, uint8_t type)
{
	uint32_t sum = 0;
	memset(h, 0, FWS_TAR_BLOCK);
	memcpy(h + H_NAME, name, name_len);
	memcpy(h + H_MODE, "000644 ", 8);
	memcpy(h + H_UID, "000000 ", 8);
	memcpy(h + H_GID, "000000 ", 8);
	put_size(h + H_SIZE, size);
	put_octal(h + H_MTIME, 11, mtime);
	h[H_MTIME + 11] = ' ';
	h[H_TYPEFLAG] = type;
	memcpy(h + H_MAGIC, USTAR_MAGIC, sizeof(USTAR_MAGIC));
	memcpy(h + H_DEVMAJOR, "000000 ", 8);
	memcpy(h + H_DEVMINOR, "000000 ", 8);
	memset(h + H_CHKSUM, ' ', H_CHKSUM_LEN);
	for (size_t i = 0; i < FWS_TAR_BLOCK; i++)
		sum += h[i];
	put_octal(h + H_CHKSUM, 6, sum); /* at most 512 * 255 < 8^6 */
	h[H_CHKSUM + 6] = '\0';
	h[H_CHKSUM + 7] = ' ';
}

static size_t put_decimal(uint8_t *out, uint64_t v)
{
	uint8_t tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (uint8_t)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* One record "<len> <key>=<value>\n" as libarchive's add_pax_attr writes
 * it: <len> counts the whole record, itself included. At most 32 bytes. */
static size_t put_pax_record(uint8_t *out, const char *key, uint64_t value)
{
	uint8_t v[20];
	size_t vl = put_decimal(v, value), kl = strlen(key);
	size_t body = 1 + kl + 1 + vl + 1, digits = 0, next_ten = 1;
	for (size_t i = body; i > 0; i /= 10) {
		digits++;
		next_ten *= 10;
	}
	if (body + digits >= next_ten)
		digits++;
	size_t n = put_decimal(out, body + digits);
	out[n++] = ' ';
	memcpy(out + n, key, kl);
	n += kl;
	out[n++] = '=';
	memcpy(out + n, v, vl);
	n += vl;
	out[n++] = '\n';
	return n;
}

/* The pax data block the writer emits before an entry: "mtime" if the time
 * is 2^31 - 1 or later, then "size" if the entry is 8 GiB or more (this
 * order: libarchive 3.6.0 and later; older versions wrote size first), then
 * NUL to the end of the block. 0 = the writer emits no pax header at all. */
static size_t render_pax_data(uint8_t *p, uint64_t size, uint64_t mtime)
{
	size_t n = 0;
	memset(p, 0, FWS_TAR_BLOCK);
	if (mtime >= PAX_MTIME_FROM)
		n += put_pax_record(p + n, "mtime", mtime);
	if (size >= PAX_SIZE_FROM)
		n += put_pax_record(p + n, "size", size);
	return n;
}

/* The pax header's own name, as libarchive's build_pax_attribute_name makes
 * it for the names fwseal writes: "<dir>/PaxHeader/<base>", or
 * "PaxHeader/<base>" without a directory. Paths it would shorten or treat
 * specially (no base, base ".", base over 88 bytes, result over 100 bytes)
 * never get a pax header from fwseal pack: refused. */
static int pax_header_name(uint8_t *out, size_t *out_len, const uint8_t *path, size_t len)
{
	const size_t ins = sizeof(PAX_HEADER_DIR) - 1;
	size_t base = len;
	while (base > 0 && path[base - 1] != '/')
		base--;
	size_t base_len = len - base;
	if (base_len == 0 || base_len > PAX_BASE_MAX || (base_len == 1 && path[base] == '.') ||
	    len > H_NAME_LEN - ins)
		return FWS_EFORMAT;
	memcpy(out, path, base);
	memcpy(out + base, PAX_HEADER_DIR, ins);
	memcpy(out + base + ins, path + base, base_len);
	*out_len = len + ins;
	return 0;
}

/* The regular-file header h, held to its one spelling; fills e. */
static int check_entry_header(const uint8_t *h, struct fws_tar_entry *e)
{
	uint8_t want[FWS_TAR_BLOCK];
	uint64_t size, mtime;
	size_t n = 0;
	/* The path is the name field up to its first NUL; the prefix field is
	 * never used (every name we write fits in 100 bytes), so it must be
	 * NUL like the rest of the rendered block. */
	while (n < H_NAME_LEN && h[H_NAME + n] != '\0')
		n++;
	/* An empty name is never written; a byte above 0x7f libarchive would
	 * spell with a pax "path" record instead (and no name of ours has one). */
	if (n == 0)
		return FWS_EFORMAT;
	for (size_t i = 0; i < n; i++)
		if (h[H_NAME + i] & 0x80)
			return FWS_EFORMAT;
	if (parse_size(h + H_SIZE, &size) != 0 || size > INT64_MAX ||
	    parse_octal(h + H_MTIME, H_MTIME_LEN, &mtime) != 0 || mtime > OCTAL11_MAX)
		return FWS_EFORMAT;
	render_header(want, h + H_NAME, n, size, mtime, '0');
	if (memcmp(h, want, FWS_TAR_BLOCK) != 0)
		return FWS_EFORMAT;
	memcpy(e->path, h + H_NAME, n);
	e->path[n] = '\0';
	e->size = size;
	e->mtime = mtime;
	return 0;
}

/* The pax header (x_hdr) and its data block (pax) read before e's header:
 * both must be exactly what the writer emits for e, and present exactly
 * when the writer emits them. Two readers (pax-aware or not) thus always
 * see the same size and time, and neither block has a free byte. */
static int check_pax(const uint8_t *x_hdr, const uint8_t *pax, int pax_seen,
		     const struct fws_tar_entry *e)
{
	uint8_t want[FWS_TAR_BLOCK], name[H_NAME_LEN];
	size_t name_len, len = render_pax_data(want, e->size, e->mtime);
	if (len == 0)
		return pax_seen ? FWS_EFORMAT : 0;
	if (!pax_seen || memcmp(pax, want, FWS_TAR_BLOCK) != 0)
		return FWS_EFORMAT;
	if (pax_header_name(name, &name_len, (const uint8_t *)e->path, strlen(e->path)) != 0)
		return FWS_EFORMAT;
	/* Its own mtime is the entry's, capped at 2^31 - 1 as libarchive does. */
	render_header(want, name, name_len, len,
		      e->mtime < PAX_MTIME_FROM ? e->mtime : PAX_MTIME_FROM, 'x');
	return memcmp(x_hdr, want, FWS_TAR_BLOCK) == 0 ? 0 : FWS_EFORMAT;
}

/* After the first zero block: the second must be zero too, then only zero
 * padding up to the end of the 10240-byte record, then the end of input. */
static int finish(struct fws_tar *t, const uint8_t *first_zero)
{
	uint8_t b[FWS_TAR_BLOCK];
	(void)first_zero;
	uint64_t end_of_data = t->offset - FWS_TAR_BLOCK;
	uint64_t allowed = end_of_data + 2 * FWS_TAR_BLOCK;
	allowed += (FWS_TAR_RECORD - allowed % FWS_TAR_RECORD) % FWS_TAR_RECORD;
	int rc = read_block(t, b);
	if (rc != 0)
		return rc;
	if (!is_zero(b, sizeof(b)))
		return FWS_ETRAILING; /* e.g. a second archive after one zero block */
	for (;;) {
		size_t got;
		rc = fws_source_read(t->src, b, sizeof(b), &got);
		if (rc != 0)
			return rc == FWS_ELIMIT ? FWS_ETRAILING : rc;
		if (got == 0)
			break;
		t->offset += got;
		if (t->offset > allowed || !is_zero(b, got))
			return FWS_ETRAILING;
	}
	/* An archive is whole blocks; a partial one means the copy was cut. */
	if (t->offset % FWS_TAR_BLOCK != 0)
		return FWS_ETRUNCATED;
	return fws_source_check_end(t->src);
}

int fws_tar_next(struct fws_tar *t, struct fws_tar_entry *e)
{
	uint8_t h[FWS_TAR_BLOCK], x_hdr[FWS_TAR_BLOCK], pax[FWS_TAR_BLOCK];
	int pax_seen = 0, rc;

	if (t->remaining != 0)
		return FWS_EINTERNAL;
	if (t->padding != 0) {
		rc = fws_source_read_exact(t->src, h, t->padding);
		if (rc != 0)
			return rc;
		/* Padding is not covered by any digest: require zeros so no
		 * hidden data can ride along. */
		if (!is_zero(h, t->padding))
			return FWS_EFORMAT;
		t->offset += t->padding;
		t->padding = 0;
	}
	for (int round = 0;; round++) {
		int first = t->offset == 0;
		memset(h, 0, sizeof(h));
		rc = read_block(t, h);
		/* The very first block is not a tar header: say what the input
		 * is instead ("truncated" would send the operator looking for a
		 * cut download when a JSON file was named). */
		if (first && (rc == FWS_ETRUNCATED || (rc == 0 && !is_zero(h, sizeof(h)) &&
						       memcmp(h + H_MAGIC, USTAR_MAGIC,
							      sizeof(USTAR_MAGIC)) != 0))) {
			const char *kind = fws_input_kind(h, sizeof(h));
			/* A cut tar header is a cut bundle: only another kind of
			 * file is named as such. */
			if (kind != NULL && strstr(kind, "bundle") == NULL)
				return fws_diag_set(FWS_EFORMAT, 0, NULL,
						    "this is %s, not a bundle (a tar archive made by "
						    "fwseal pack)",
						    kind);
		}
		if (rc != 0)
			return rc;
		if (is_zero(h, sizeof(h))) {
			if (pax_seen)
				return FWS_EFORMAT; /* a pax header must describe an entry */
			rc = finish(t, h);
			return rc == 0 ? 1 : rc;
		}
		/* An intact POSIX ustar block (not v7, GNU or another format)... */
		if (memcmp(h + H_MAGIC, USTAR_MAGIC, sizeof(USTAR_MAGIC)) != 0 ||
		    check_checksum(h) != 0)
			return FWS_EFORMAT;
		/* ...then its type and link name, before any other metadata, so a
		 * link or device is FWS_EENTRY whatever its other fields say.
		 * Links, directories, devices, FIFOs, GNU/pax specials, sparse
		 * files: none of them can be a payload, all can be an attack. */
		uint8_t type = h[H_TYPEFLAG];
		if (type != '0' && type != '\0' && !(type == 'x' && round == 0))
			return FWS_EENTRY;
		/* Regular files never carry a link name; a link target would redirect. */
		if (!is_zero(h + H_LINKNAME, H_LINKNAME_LEN))
			return FWS_EENTRY;
		if (type != 'x')
			break;
		/* A pax header: its data is one block at most (ours is at most
		 * two short records); both are held until the entry they
		 * describe is known, then compared with what the writer emits. */
		uint64_t size;
		if (parse_octal(h + H_SIZE, H_SIZE_LEN, &size) != 0 || size == 0 || size > PAX_MAX)
			return FWS_EFORMAT;
		memcpy(x_hdr, h, FWS_TAR_BLOCK);
		rc = fws_source_read_exact(t->src, pax, FWS_TAR_BLOCK);
		if (rc != 0)
			return rc;
		t->offset += FWS_TAR_BLOCK;
		pax_seen = 1;
	}
	/* typeflag NUL (the pre-POSIX spelling of a regular file) passed the
	 * type check and fails here: the writer writes '0'. */
	rc = check_entry_header(h, e);
	if (rc == 0)
		rc = check_pax(x_hdr, pax, pax_seen, e);
	if (rc != 0)
		return rc;
	/* One timestamp for the whole archive: nothing unsigned may differ. */
	if (t->have_mtime && e->mtime != t->mtime)
		return FWS_EFORMAT;
	t->mtime = e->mtime;
	t->have_mtime = 1;
	t->remaining = e->size;
	t->padding = pad_of(e->size);
	return 0;
}

int fws_tar_read(struct fws_tar *t, uint8_t *buf, size_t len, size_t *got)
{
	*got = 0;
	if (t->remaining == 0)
		return 0;
	if (len > t->remaining)
		len = (size_t)t->remaining;
	int rc = fws_source_read(t->src, buf, len, got);
	if (rc != 0)
		return rc;
	if (*got == 0)
		return FWS_ETRUNCATED;
	t->remaining -= *got;
	t->offset += *got;
	return 0;
}

int fws_tar_read_all(struct fws_tar *t, uint8_t *buf, size_t len)
{
	if (len != t->remaining)
		return FWS_EINTERNAL;
	int rc = fws_source_read_exact(t->src, buf, len);
	if (rc == 0) {
		t->remaining = 0;
		t->offset += len;
	}
	return rc;
}

int fws_tar_skip(struct fws_tar *t)
{
	uint8_t b[4096];
	while (t->remaining > 0) {
		size_t got;
		int rc = fws_tar_read(t, b, sizeof(b), &got);
		if (rc != 0)
			return rc;
	}
	return 0;
}
