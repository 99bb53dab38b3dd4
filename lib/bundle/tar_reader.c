/* Strict tar reader. Hostile headers are parsed field by field; nothing is
 * overlaid on the input and every number is bounded before use. */
#include <string.h>

#include "bundle/tar_reader.h"
#include "fwseal/error.h"

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

/* Larger than any "size=<20 digits>" record; a pax header is never bulk data. */
#define PAX_MAX 512u
/* ustar's 11 octal digits end at 8 GiB - 1; bigger sizes need pax. */
#define USTAR_SIZE_MAX 077777777777ull

void fws_tar_init(struct fws_tar *t, struct fws_source *src)
{
	memset(t, 0, sizeof(*t));
	t->src = src;
}

static uint32_t pad_of(uint64_t size)
{
	return (uint32_t)((FWS_TAR_BLOCK - size % FWS_TAR_BLOCK) % FWS_TAR_BLOCK);
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
 * one digit; no base-256, no sign, no leading spaces. */
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

/* Copies a NUL-terminated-or-full field; rejects bytes after a NUL so that
 * two readers cannot see two different names in one field. */
static int copy_field(char *out, size_t cap, const uint8_t *f, size_t len)
{
	size_t n = 0;
	while (n < len && f[n] != '\0')
		n++;
	if (!is_zero(f + n, len - n) || n + 1 > cap)
		return FWS_EFORMAT;
	memcpy(out, f, n);
	out[n] = '\0';
	return 0;
}

/* A pax decimal value: digits only, no leading zero, no sign or fraction
 * (our writer stamps whole seconds; a fraction would be free unsigned data). */
static int pax_decimal(const uint8_t *v, size_t len, uint64_t *out)
{
	uint64_t x = 0;
	if (len == 0 || (v[0] == '0' && len > 1))
		return FWS_EFORMAT;
	for (size_t k = 0; k < len; k++) {
		if (v[k] < '0' || v[k] > '9' || x > (UINT64_MAX - 9) / 10)
			return FWS_EFORMAT;
		x = x * 10 + (uint64_t)(v[k] - '0');
	}
	*out = x;
	return 0;
}

/* pax records "<len> <key>=<value>\n". Only what our writer can emit is
 * allowed: "size" (payloads of 8 GiB and more) and "mtime" (times past
 * 2038 or with fractions); each at most once. A path, link or any other
 * record could make two readers see two different archives. */
static int parse_pax(const uint8_t *p, size_t len, uint64_t *size, int *have_size,
		     uint64_t *mtime, int *have_mtime)
{
	size_t pos = 0;
	*have_size = 0;
	*have_mtime = 0;
	while (pos < len) {
		size_t rec_len = 0, i = pos;
		for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
			if (rec_len > 1000)
				return FWS_EFORMAT;
			rec_len = rec_len * 10 + (size_t)(p[i] - '0');
		}
		/* The record must hold its own length, a space, "k=v" and "\n";
		 * checked before rec_len is used as an index. */
		if (i == pos || i >= len || p[i] != ' ' || p[pos] == '0' ||
		    rec_len < (i - pos) + 5 || rec_len > len - pos || p[pos + rec_len - 1] != '\n')
			return FWS_EFORMAT;
		const uint8_t *kv = p + i + 1;
		size_t kv_len = pos + rec_len - 1 - (i + 1);
		if (kv_len > 5 && memcmp(kv, "size=", 5) == 0 && !*have_size) {
			if (pax_decimal(kv + 5, kv_len - 5, size) != 0)
				return FWS_EFORMAT;
			*have_size = 1;
		} else if (kv_len > 6 && memcmp(kv, "mtime=", 6) == 0 && !*have_mtime) {
			if (pax_decimal(kv + 6, kv_len - 6, mtime) != 0)
				return FWS_EFORMAT;
			*have_mtime = 1;
		} else {
			return FWS_EFORMAT;
		}
		pos += rec_len;
	}
	return 0;
}

/* The metadata our writer always emits: mode 0644, owner 0:0, no user or
 * group names, no device numbers, zero padding; the mtime only needs to be
 * octal. Nothing in a header may carry bytes no digest covers, and nothing
 * may ask tar -x for setuid bits or another owner. */
static int check_fixed_fields(const uint8_t *h)
{
	uint64_t v;
	if (parse_octal(h + H_MODE, H_ID_LEN, &v) != 0 || v != 0644 ||
	    parse_octal(h + H_UID, H_ID_LEN, &v) != 0 || v != 0 ||
	    parse_octal(h + H_GID, H_ID_LEN, &v) != 0 || v != 0 ||
	    parse_octal(h + H_MTIME, H_MTIME_LEN, &v) != 0 ||
	    parse_octal(h + H_DEVMAJOR, H_ID_LEN, &v) != 0 || v != 0 ||
	    parse_octal(h + H_DEVMINOR, H_ID_LEN, &v) != 0 || v != 0 ||
	    !is_zero(h + H_UNAME, H_NAMES_LEN) || !is_zero(h + H_PAD, H_PAD_LEN))
		return FWS_EFORMAT;
	return 0;
}

static int parse_header(const uint8_t *h, struct fws_tar_entry *e, uint64_t *size)
{
	char name[H_NAME_LEN + 1], prefix[H_PREFIX_LEN + 1];
	if (memcmp(h + H_MAGIC, "ustar\0" "00", 8) != 0)
		return FWS_EFORMAT; /* not POSIX ustar (v7, GNU, other formats) */
	int rc = check_checksum(h);
	if (rc == 0)
		rc = parse_octal(h + H_SIZE, H_SIZE_LEN, size);
	if (rc == 0)
		rc = copy_field(name, sizeof(name), h + H_NAME, H_NAME_LEN);
	if (rc == 0)
		rc = copy_field(prefix, sizeof(prefix), h + H_PREFIX, H_PREFIX_LEN);
	if (rc != 0)
		return rc;
	/* Regular files never carry a link name; a link target would redirect. */
	if (!is_zero(h + H_LINKNAME, H_LINKNAME_LEN))
		return FWS_EENTRY;
	if (prefix[0] != '\0') {
		size_t pl = strlen(prefix), nl = strlen(name);
		if (pl + 1 + nl + 1 > sizeof(e->path))
			return FWS_EENTRY;
		memcpy(e->path, prefix, pl);
		e->path[pl] = '/';
		memcpy(e->path + pl + 1, name, nl + 1);
	} else {
		memcpy(e->path, name, strlen(name) + 1);
	}
	return 0;
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
	uint8_t h[FWS_TAR_BLOCK];
	uint64_t size = 0, pax_size = 0, mtime = 0, pax_mtime = 0, x_mtime = 0;
	int pax_seen = 0, have_pax_size = 0, have_pax_mtime = 0, rc;

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
		rc = read_block(t, h);
		if (rc != 0)
			return rc;
		if (is_zero(h, sizeof(h))) {
			if (pax_seen)
				return FWS_EFORMAT; /* a pax header must describe an entry */
			rc = finish(t, h);
			return rc == 0 ? 1 : rc;
		}
		rc = parse_header(h, e, &size);
		if (rc != 0)
			return rc;
		uint8_t type = h[H_TYPEFLAG];
		if (type == 'x' && round == 0) {
			uint8_t pax[PAX_MAX];
			/* Its header is held to the same fixed metadata: no
			 * unsigned bytes may ride along there either. */
			rc = check_fixed_fields(h);
			if (rc == 0)
				rc = parse_octal(h + H_MTIME, H_MTIME_LEN, &x_mtime);
			if (rc != 0)
				return rc;
			if (size == 0 || size > PAX_MAX)
				return FWS_EFORMAT;
			pax_seen = 1;
			rc = fws_source_read_exact(t->src, pax, FWS_TAR_BLOCK);
			if (rc != 0)
				return rc;
			t->offset += FWS_TAR_BLOCK;
			if (!is_zero(pax + size, FWS_TAR_BLOCK - size))
				return FWS_EFORMAT;
			rc = parse_pax(pax, (size_t)size, &pax_size, &have_pax_size, &pax_mtime,
				       &have_pax_mtime);
			if (rc != 0)
				return rc;
			continue;
		}
		/* Links, directories, devices, FIFOs, GNU/pax specials, sparse
		 * files: none of them can be a payload, all can be an attack. */
		if (type != '0' && type != '\0')
			return FWS_EENTRY;
		rc = check_fixed_fields(h);
		if (rc == 0)
			rc = parse_octal(h + H_MTIME, H_MTIME_LEN, &mtime);
		if (rc != 0)
			return rc;
		break;
	}
	/* Where a time is written twice it must agree, and the pax header's
	 * own stamp is what the writer derives from it (the time, capped at
	 * 2^31 - 1): two readers never see two times, no field is free. */
	if (have_pax_mtime) {
		if (mtime != pax_mtime)
			return FWS_EFORMAT;
	}
	if (pax_seen && x_mtime != (mtime < 0x7fffffffu ? mtime : 0x7fffffffu))
		return FWS_EFORMAT;
	/* One timestamp for the whole archive: nothing unsigned may differ. */
	if (t->have_mtime && mtime != t->mtime)
		return FWS_EFORMAT;
	t->mtime = mtime;
	t->have_mtime = 1;
	e->mtime = mtime;
	if (have_pax_size) {
		/* The ustar size must agree where it can: two readers must never
		 * see two different sizes. */
		if (pax_size <= USTAR_SIZE_MAX && size != pax_size)
			return FWS_EFORMAT;
		size = pax_size;
	}
	e->size = size;
	t->remaining = size;
	t->padding = pad_of(size);
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
