#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fwseal hostile-bundle corpus generator (python3, standard library only).

Regenerate the committed corpus, from the repository root:

    python3 tests/make_vectors.py generate \\
        tests/vectors/hostile/base/valid.fwb tests/vectors/hostile/base/valid.fwb.gz \\
        tests/vectors/hostile

(tests/vectors/hostile/README.md says how base/ itself is packed from the
committed test keys; tests/cli/test_attacks_committed.sh checks that packing
it again gives the same bytes, and that this command reproduces the
committed corpus.)

Input: a valid, plain-tar bundle exactly as `fwseal pack` writes it (manifest
envelope, root chain, then for each payload its chunk list and its bytes; at
least one payload) and the same bundle packed with --gzip. Output: one file
per hostile case, OUTDIR/<category>/<case>.fwb, and OUTDIR/expected.tsv with
one line per case: "<category>/<case>.fwb<TAB><exit status><TAB><what it is>".
The exit status is the one `fwseal verify` and `fwseal-verify install` must
give (the absolute value of the FWS_E* code in include/fwseal/error.h).

Cases are built by rewriting tar headers at the struct level (512-byte ustar
headers with correct checksums), so each one gets past the checks it is not
about and reaches the check it targets. Everything is deterministic: the same
inputs give the same corpus (the few re-compressed cases depend on zlib's
output, which is stable across zlib versions in practice).

The parts python's standard library cannot make (validly signed hostile
manifests, key files, device states) come from the C generator
tests/vectors/make_signed_cases.c: `generate` runs it too, so one command
regenerates OUTDIR entirely. It is looked for in $FWSEAL_MAKE_SIGNED_CASES,
then $BUILD/make_signed_cases, then build/make_signed_cases (`make` builds
it); without it those parts are left as they are, with a warning.

Two helpers for the CLI tests, also usable by hand:
    make_vectors.py get-entry BUNDLE NAME            # entry data to stdout
    make_vectors.py set-entry BUNDLE NAME DATA OUT   # replace an entry's data
"""

import base64
import bz2
import hashlib
import json
import lzma
import os
import subprocess
import sys
import zlib

BLOCK = 512
RECORD = 10240

# Exit statuses (include/fwseal/error.h, absolute values).
ELIMIT = 6
EJSON = 7
EENVELOPE = 9
EPAYLOADTYPE = 10
EUNTRUSTED = 11
EBADSIG = 12
EROOTVERSION = 15
EFORMAT = 17
EENTRY = 18
ETRUNCATED = 19
ETRAILING = 20
ESIZE = 21
EDIGEST = 22
EDECOMPRESS = 23

TYPE_ROOT = "application/vnd.fwseal.root+json"

# ustar header fields: (offset, length).
F_NAME = (0, 100)
F_MODE = (100, 8)
F_UID = (108, 8)
F_GID = (116, 8)
F_SIZE = (124, 12)
F_MTIME = (136, 12)
F_CHKSUM = (148, 8)
F_TYPE = (156, 1)
F_LINK = (157, 100)
F_MAGIC = (257, 6)
F_VERSION = (263, 2)
F_DEVMAJOR = (329, 8)
F_DEVMINOR = (337, 8)
F_PREFIX = (345, 155)


def pad_len(n):
    return (BLOCK - n % BLOCK) % BLOCK


def checksum(h):
    """The ustar checksum: byte sum with the checksum field read as spaces."""
    return sum(h[:148]) + 8 * 32 + sum(h[156:])


def set_field(h, field, value):
    off, length = field
    if len(value) > length:
        raise ValueError("field overflow")
    h[off:off + length] = value + b"\0" * (length - len(value))


def fix_checksum(h):
    set_field(h, F_CHKSUM, b"%06o\0 " % checksum(h))
    return h


class Entry:
    """One tar member: its 512-byte header and its data (unpadded)."""

    def __init__(self, header, data, pad=None):
        self.header = bytearray(header)
        self.data = bytes(data)
        self.pad = pad  # None = zero padding to the next block

    @property
    def name(self):
        return bytes(self.header[0:100]).split(b"\0", 1)[0].decode()

    def copy(self):
        return Entry(self.header, self.data, self.pad)

    def encode(self):
        pad = self.pad if self.pad is not None else b"\0" * pad_len(len(self.data))
        return bytes(self.header) + self.data + pad


def make_header(template, name=None, size=None, typeflag=None, linkname=None,
                fix=True):
    """A header like template (libarchive's fixed metadata) with new fields."""
    h = bytearray(template)
    if name is not None:
        raw = name.encode() if isinstance(name, str) else name
        if len(raw) > 100:
            raise ValueError("name too long for the name field: " + repr(name))
        set_field(h, F_NAME, raw)
    if size is not None:
        set_field(h, F_SIZE, b"%011o " % size)
    if typeflag is not None:
        h[156:157] = typeflag
    if linkname is not None:
        set_field(h, F_LINK, linkname.encode())
    return fix_checksum(h) if fix else h


def parse(data):
    """A bundle fwseal wrote -> (entries, end): plain ustar only."""
    entries, off = [], 0
    while True:
        h = data[off:off + BLOCK]
        if len(h) != BLOCK:
            raise ValueError("input is not a complete tar archive")
        if h == b"\0" * BLOCK:
            break
        if h[257:265] != b"ustar\x0000" or h[156:157] not in (b"0", b"\0"):
            raise ValueError("input is not a plain ustar bundle written by fwseal pack")
        if int(h[148:154].decode(), 8) != checksum(h):
            raise ValueError("bad header checksum in the input")
        size = int(h[124:136].rstrip(b"\0 ").decode(), 8)
        body = data[off + BLOCK:off + BLOCK + size]
        entries.append(Entry(h, body))
        off += BLOCK + size + pad_len(size)
    return entries, data[off:]


def build(entries, end=True, record=True):
    """Entries, the two zero blocks, zero padding to the 10240-byte record."""
    out = b"".join(e.encode() for e in entries)
    if end:
        out += b"\0" * (2 * BLOCK)
    if record:
        out += b"\0" * ((RECORD - len(out) % RECORD) % RECORD)
    return out


def entry(template, name, data, typeflag=b"0", linkname=None):
    return Entry(make_header(template, name=name, size=len(data), typeflag=typeflag,
                             linkname=linkname), data)


def with_data(e, data):
    """e with new data and a header whose size field matches it."""
    return Entry(make_header(e.header, size=len(data)), data)


def gzip_bytes(data):
    """Deterministic gzip (mtime 0, no name), like fwseal pack --gzip."""
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS, 8)
    return c.compress(data) + c.flush()


def zstd_raw_frame(data):
    """A valid zstd frame made of raw (stored) blocks: no zstd module needed."""
    out = bytearray(b"\x28\xb5\x2f\xfd")  # magic
    out += b"\x00"  # frame header descriptor: no size, no checksum, no dict
    out += bytes([7 << 3])  # window descriptor: 2^17 = 128 KiB
    pieces = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    for i, piece in enumerate(pieces):
        last = 1 if i == len(pieces) - 1 else 0
        out += (len(piece) << 3 | last).to_bytes(3, "little") + piece
    return bytes(out)


def pax_record(key, value):
    """One pax record, "<len> key=value\n", with its self-inclusive length."""
    kv = ("%s=%s\n" % (key, value)).encode()
    n = len(kv) + 2
    while len(b"%d " % n) + len(kv) != n:
        n += 1
    return b"%d " % n + kv


def b64(data):
    return base64.b64encode(data).decode()


class Corpus:
    def __init__(self, valid, valid_gz):
        self.valid = valid
        self.valid_gz = valid_gz
        self.entries, self.end = parse(valid)
        if build(self.entries) != valid:
            raise ValueError("input does not round-trip through the tar model")
        if len(self.entries) < 4 or self.entries[0].name != "manifest.json":
            raise ValueError("input is not a bundle: manifest.json first, a payload")
        if zlib.decompress(valid_gz, 16 + zlib.MAX_WBITS) != valid:
            raise ValueError("the gzip input is not the plain input compressed")
        self.cases = []
        e = self.entries
        self.tpl = e[0].header  # libarchive's fixed metadata for new entries
        self.roots = [i for i, x in enumerate(e) if x.name.startswith("root/")]
        self.chunk_idx = [i for i, x in enumerate(e) if x.name.startswith("chunks/")]
        self.payload_idx = [i for i, x in enumerate(e) if x.name.startswith("payloads/")]
        if not self.roots or not self.payload_idx or self.chunk_idx[0] != self.payload_idx[0] - 1:
            raise ValueError("unexpected bundle layout")
        self.env = json.loads(e[0].data)
        self.body = base64.b64decode(self.env["payload"])
        root_env = json.loads(e[self.roots[0]].data)
        self.root_body = json.loads(base64.b64decode(root_env["payload"]))

    # -- helpers --
    def add(self, category, name, data, status, description):
        self.cases.append((category, name, data, status, description))

    def manifest_with(self, text):
        return build([with_data(self.entries[0], text)] + [x.copy() for x in self.entries[1:]])

    def envelope_text(self, env):
        return (json.dumps(env, indent=2, sort_keys=True) + "\n").encode()

    # -- categories --
    def archive(self):
        e, tpl = self.entries, self.tpl
        pa = self.payload_idx[0]          # first payload
        ca = pa - 1                       # its chunk list
        last = len(e) - 1                 # last payload
        pa_name = e[pa].name
        add = lambda n, d, s, t: self.add("archive", n, d, s, t)

        # Entry types that are never a payload: each replaces the first payload
        # (so the manifest verified and the reader is deep in the archive).
        specials = [
            ("symlink", b"2", "/etc/passwd", "symbolic link to /etc/passwd in place of a payload"),
            ("hardlink", b"1", "manifest.json", "hard link in place of a payload"),
            ("chardev", b"3", None, "character device in place of a payload"),
            ("blockdev", b"4", None, "block device in place of a payload"),
            ("fifo", b"6", None, "FIFO in place of a payload"),
            ("contiguous", b"7", None, "contiguous file (type 7) in place of a payload"),
            ("gnu_sparse", b"S", None, "GNU sparse file (type S) in place of a payload"),
            ("gnu_volume", b"V", None, "GNU volume label (type V) in place of a payload"),
            ("gnu_multivol", b"M", None, "GNU multi-volume continuation (type M)"),
            ("unknown_type", b"Z", None, "unknown type flag Z"),
        ]
        for n, t, link, desc in specials:
            data = b"" if t in (b"1", b"2", b"3", b"4", b"6", b"V") else e[pa].data
            x = Entry(make_header(e[pa].header, size=len(data), typeflag=t, linkname=link), data)
            if t in (b"3", b"4"):
                set_field(x.header, F_DEVMAJOR, b"0000001 ")
                fix_checksum(x.header)
            add(n, build([x if i == pa else y for i, y in enumerate(e)]), EENTRY, desc)
        add("symlink_first", build([entry(tpl, "manifest.json", b"", b"2", "/etc/passwd")] + e[1:]),
            EENTRY, "manifest.json is a symbolic link (first entry)")
        add("directory", build(e[:ca] + [entry(tpl, "payloads/", b"", b"5")] + e[ca:]),
            EENTRY, "directory entry before a chunk list")
        add("regular_with_linkname",
            build([Entry(make_header(x.header, linkname="/etc/passwd"), x.data) if i == pa else x
                   for i, x in enumerate(e)]),
            EENTRY, "regular file whose header carries a link name")
        longname = ("payloads/" + "x" * 120).encode() + b"\0"
        add("gnu_longname", build(e[:pa] + [entry(tpl, "././@LongLink", longname, b"L")] + e[pa:]),
            EENTRY, "GNU long name entry (type L) before a payload")
        add("gnu_longlink", build(e[:pa] + [entry(tpl, "././@LongLink", b"/etc/passwd\0", b"K")]
                                  + e[pa:]),
            EENTRY, "GNU long link name entry (type K) before a payload")
        add("pax_global", build([entry(tpl, "pax_global_header", pax_record("path", "evil.bin"),
                                       b"g")] + e),
            EENTRY, "pax global header (type g) first")

        # pax extended headers: only "size" is allowed, and it must agree.
        def pax(records, before=0, typeflag=b"x"):
            return build(e[:before] + [entry(tpl, "PaxHeaders/x", records, typeflag)] + e[before:])
        add("pax_path", pax(pax_record("path", "payloads/../../evil"), pa),
            EFORMAT, "pax header (type x) with path= renaming a payload")
        add("pax_linkpath", pax(pax_record("linkpath", "/etc/passwd"), pa),
            EFORMAT, "pax header with linkpath=")
        add("pax_size_mismatch", pax(pax_record("size", str(len(e[0].data) + 1))),
            EFORMAT, "pax size= disagreeing with the ustar size field")
        add("pax_zero_length_record", pax(b"0 size=5\n"),
            EFORMAT, "pax record with length 0 (reader must not index before its buffer)")
        add("pax_bad_length", pax(b"99 size=5\n"),
            EFORMAT, "pax record length beyond the pax data")
        add("pax_leading_zero_size", pax(pax_record("size", "0%d" % len(e[0].data))),
            EFORMAT, "pax size= with a leading zero")
        add("pax_then_end", build(e + [entry(tpl, "PaxHeaders/x", pax_record("size", "100"),
                                             b"x")]),
            EFORMAT, "pax header followed by the end-of-archive marker")
        same = pax_record("size", str(len(e[0].data)))
        add("pax_twice", build([entry(tpl, "PaxHeaders/x", same, b"x"),
                                entry(tpl, "PaxHeaders/y", same, b"x")] + e),
            EENTRY, "two pax headers in a row")
        add("pax_oversized", pax(pax_record("comment", "a" * 587)), EFORMAT,
            "pax header data larger than one block")

        # Names.
        def renamed(i, name):
            return build([Entry(make_header(x.header, name=name), x.data) if j == i else x
                          for j, x in enumerate(e)])
        add("absolute_path_first", renamed(0, "/manifest.json"),
            EENTRY, "absolute path /manifest.json")
        add("absolute_path_payload", renamed(pa, "/" + pa_name),
            EENTRY, "absolute payload path")
        add("dotdot_path_first", renamed(0, "../manifest.json"),
            EENTRY, "../ path")
        add("dotdot_path_payload", renamed(pa, "payloads/../" + pa_name),
            EENTRY, "payload path with ../")
        add("dot_slash_first", renamed(0, "./manifest.json"),
            EENTRY, "./manifest.json (not the exact name)")
        add("trailing_slash_payload", renamed(pa, pa_name + "/"),
            EENTRY, "payload path with a trailing slash")
        add("payload_renamed", renamed(pa, pa_name + "x"),
            EENTRY, "payload entry not named in the manifest")
        x = Entry(make_header(e[0].header), e[0].data)
        set_field(x.header, F_PREFIX, b"/")
        fix_checksum(x.header)
        # The writer never uses the prefix field (every name fits in the name
        # field), so any prefix is a header the writer cannot emit: EFORMAT,
        # before the path it would make is even looked at (ADR-023).
        add("prefix_absolute", build([x] + e[1:]),
            EFORMAT, "ustar prefix field making the path //manifest.json (the prefix is never used)")
        x = Entry(e[0].header, e[0].data)
        x.header[20] = ord("X")  # after the NUL that ends "manifest.json"
        fix_checksum(x.header)
        add("name_bytes_after_nul", build([x] + e[1:]),
            EFORMAT, "name field with bytes hidden after its NUL")

        # Duplicates, extra entries, order.
        add("duplicate_manifest", build([e[0], e[0]] + e[1:]),
            EENTRY, "manifest.json twice")
        add("duplicate_payload", build(e[:pa + 1] + [e[pa]] + e[pa + 1:]),
            EENTRY, "the same payload entry twice")
        add("duplicate_chunk_list", build(e[:pa] + [e[ca]] + e[pa:]),
            EENTRY, "the same chunk list twice")
        add("extra_entry_end", build(e + [entry(tpl, "extra.txt", b"not in the manifest\n")]),
            EENTRY, "extra entry after the last payload")
        add("extra_entry_middle", build(e[:pa + 1] + [entry(tpl, "extra.txt", b"hello\n")]
                                        + e[pa + 1:]),
            EENTRY, "extra entry between payloads")
        add("extra_entry_before_manifest", build([entry(tpl, "README", b"hi\n")] + e),
            EENTRY, "an entry before manifest.json")
        add("payload_before_chunk_list", build(e[:ca] + [e[pa], e[ca]] + e[pa + 1:]),
            EENTRY, "payload before its chunk list")
        add("root_after_chunks", build([e[0]] + e[self.roots[-1] + 1:pa] + e[1:self.roots[-1] + 1]
                                       + e[pa:]),
            EENTRY, "root/1.json after the chunk list")
        add("root_before_manifest", build([e[1], e[0]] + e[2:]),
            EENTRY, "root/1.json before manifest.json")
        if len(self.payload_idx) > 1:
            pb = self.payload_idx[1]
            add("payloads_reordered", build(e[:ca] + e[pb - 1:pb + 1] + e[ca:pb - 1] + e[pb + 1:]),
                EENTRY, "payloads not in manifest order")

        # Missing entries: the archive ends (properly) too early.
        add("missing_last_payload", build(e[:-1]), ETRUNCATED,
            "archive ends before the last payload")
        add("missing_last_payload_and_list", build(e[:-2]), ETRUNCATED,
            "archive ends before the last chunk list")
        add("missing_all_payloads", build(e[:ca]), ETRUNCATED,
            "archive ends after the root chain")
        add("manifest_only", build(e[:1]), ETRUNCATED, "manifest.json only")
        add("empty_archive", build([]), ETRUNCATED, "end-of-archive marker only")
        add("empty_file", b"", ETRUNCATED, "zero-byte file")

        # Truncation: at every 512-byte boundary up to the second zero block,
        # and inside every header and every entry's data.
        full = self.valid
        seen = set()

        def cut_case(off, desc):
            if off not in seen:
                seen.add(off)
                add("truncated_at_%d" % off, full[:off], ETRUNCATED, desc)
        data_end = sum(len(x.encode()) for x in e)
        for off in range(0, data_end + BLOCK + 1, BLOCK):
            cut_case(off, "archive cut at byte %d (block boundary)" % off)
        pos = 0
        for x in e:
            for inner in (1, 100, 156, 257, 511):
                cut_case(pos + inner, "archive cut inside the header of %s" % x.name)
            if len(x.data) > 1:
                cut = pos + BLOCK + len(x.data) // 2
                cut_case(cut, "archive cut inside the data of %s" % x.name)
            if pad_len(len(x.data)) > 1:
                cut = pos + BLOCK + len(x.data) + 1
                cut_case(cut, "archive cut inside the padding of %s" % x.name)
            pos += len(x.encode())

        # Header fields.
        def header_changed(i, fn, fix=True):
            x = Entry(e[i].header, e[i].data)
            fn(x.header)
            if fix:
                fix_checksum(x.header)
            return build([x if j == i else y for j, y in enumerate(e)])
        size_a = len(e[pa].data)
        add("size_larger_than_data", header_changed(last, lambda h: set_field(
            h, F_SIZE, b"%011o " % (len(e[last].data) + 1))), ESIZE,
            "last payload's size field one larger than its data (and the signed size)")
        add("size_larger_chunk_list", header_changed(ca, lambda h: set_field(
            h, F_SIZE, b"%011o " % (len(e[ca].data) + 32))), ESIZE,
            "chunk list size field larger than its data")
        add("size_larger_manifest", header_changed(0, lambda h: set_field(
            h, F_SIZE, b"%011o " % (len(e[0].data) + 1))), EJSON,
            "manifest.json size field one larger: a NUL byte becomes part of the JSON")
        add("size_huge_payload", header_changed(pa, lambda h: set_field(
            h, F_SIZE, b"77777777777 ")), ESIZE,
            "payload size field 8 GiB - 1, data unchanged")
        add("size_non_octal", header_changed(0, lambda h: set_field(
            h, F_SIZE, b"0000000161x ")), EFORMAT, "size field with a non-octal character")
        add("size_digit_8", header_changed(pa, lambda h: h.__setitem__(slice(124, 125), b"8")),
            EFORMAT, "payload size field with the digit 8")
        add("size_leading_space", header_changed(0, lambda h: set_field(
            h, F_SIZE, b" %010o " % len(e[0].data))), EFORMAT,
            "size field with a leading space")
        add("size_empty", header_changed(0, lambda h: set_field(h, F_SIZE, b"")), EFORMAT,
            "size field empty")
        add("size_base256", header_changed(pa, lambda h: h.__setitem__(
            slice(124, 136), b"\x80" + size_a.to_bytes(11, "big"))), EFORMAT,
            "base-256 (GNU binary) size field")
        add("size_negative_base256", header_changed(pa, lambda h: h.__setitem__(
            slice(124, 136), b"\xff" * 12)), EFORMAT, "base-256 size field of -1")
        add("bad_checksum", header_changed(0, lambda h: set_field(
            h, F_CHKSUM, b"%06o\0 " % (checksum(h) + 1)), fix=False), EFORMAT,
            "header checksum off by one")
        add("bad_checksum_payload", header_changed(pa, lambda h: set_field(
            h, F_CHKSUM, b"%06o\0 " % (checksum(h) - 1)), fix=False), EFORMAT,
            "payload header checksum off by one")
        add("checksum_not_octal", header_changed(0, lambda h: set_field(
            h, F_CHKSUM, b"zzzzzz\0 "), fix=False), EFORMAT, "checksum field not octal")
        add("gnu_magic", header_changed(0, lambda h: h.__setitem__(slice(257, 265), b"ustar  \0")),
            EFORMAT, "GNU tar magic \"ustar  \\0\" instead of POSIX ustar")
        add("v7_header", header_changed(0, lambda h: h.__setitem__(slice(257, 500), b"\0" * 243)),
            EFORMAT, "old v7 tar header (no ustar magic)")
        add("ustar_version_01", header_changed(0, lambda h: h.__setitem__(slice(263, 265), b"01")),
            EFORMAT, "ustar version 01")
        add("gnu_magic_payload", header_changed(pa, lambda h: h.__setitem__(
            slice(257, 265), b"ustar  \0")), EFORMAT, "GNU magic on a payload header")

        # Header metadata no digest covers: fwseal pack writes fixed values
        # (mode 0644, uid/gid 0, empty user/group names and device numbers).
        # Anything else is unsigned data riding along in a "verified" bundle,
        # or a field other tar readers reject or act on.
        add("uid_not_octal", header_changed(pa, lambda h: h.__setitem__(slice(108, 116),
                                                                         b"garbage!")),
            EFORMAT, "uid field not octal (GNU tar refuses the archive)")
        add("hidden_data_in_uname", header_changed(pa, lambda h: set_field(
            h, (265, 32), b"UNSIGNED DATA IN THE USER NAME")), EFORMAT,
            "31 bytes of unsigned data in a payload header's user name field")
        add("mode_setuid", header_changed(pa, lambda h: set_field(h, F_MODE, b"0004755 ")),
            EFORMAT, "payload header mode 04755 (tar -xf as root would make it setuid)")

        # One spelling of every header byte (ADR-023): the same values in
        # another spelling libarchive never writes. Every case but the pax
        # ones changes a single field of the first payload's header (checksum
        # fixed), so the values any tar reader sees stay those of the valid
        # bundle; each verified before the reader compared whole blocks.
        mtime = int(bytes(e[pa].header[136:147]).decode(), 8)

        def respelled(name, field, value, desc, fix=True):
            add(name, header_changed(pa, lambda h: set_field(h, field, value), fix=fix),
                EFORMAT, desc)
        respelled("size_12_digits", F_SIZE, b"%012o" % size_a,
                  "payload size field with 12 octal digits, no terminator")
        respelled("size_10_digits", F_SIZE, b"%010o " % size_a,
                  "payload size field with 10 octal digits, space, NUL")
        respelled("size_nul_terminator", F_SIZE, b"%011o\0" % size_a,
                  "payload size field ending in NUL instead of space")
        respelled("size_leading_zeros_dropped", F_SIZE, b"%o " % size_a,
                  "payload size field without leading zeros")
        respelled("mode_7_digits_nul", F_MODE, b"0000644\0",
                  "payload mode field \"0000644\\0\" instead of \"000644 \\0\"")
        respelled("mode_leading_zeros_dropped", F_MODE, b"644 ",
                  "payload mode field \"644 \" without leading zeros")
        respelled("uid_7_digits", F_UID, b"0000000\0", "payload uid field with 7 digits")
        respelled("gid_terminators_swapped", F_GID, b"000000\0 ",
                  "payload gid field ending NUL, space instead of space, NUL")
        respelled("devmajor_7_digits", F_DEVMAJOR, b"0000000\0",
                  "payload devmajor field with 7 digits")
        respelled("devminor_terminators_swapped", F_DEVMINOR, b"000000\0 ",
                  "payload devminor field ending NUL, space")
        respelled("mtime_12_digits", F_MTIME, b"%012o" % mtime,
                  "payload mtime field with 12 octal digits (same time)")
        respelled("mtime_nul_terminator", F_MTIME, b"%011o\0" % mtime,
                  "payload mtime field ending in NUL instead of space (same time)")
        for name, form, desc in [
                ("chksum_7_digits", b"%07o\0", "7 octal digits and NUL"),
                ("chksum_terminators_swapped", b"%06o \0", "6 digits, space, NUL"),
                ("chksum_leading_zeros_dropped", b"%o\0 ", "no leading zero")]:
            add(name, header_changed(pa, lambda h, form=form: set_field(
                h, F_CHKSUM, form % checksum(h)), fix=False), EFORMAT,
                "payload header checksum (correct value) spelled with " + desc)
        add("typeflag_nul", header_changed(pa, lambda h: h.__setitem__(slice(156, 157), b"\0")),
            EFORMAT, "payload typeflag NUL (pre-POSIX regular file) instead of '0'")
        pa_dir, _, pa_base = pa_name.rpartition("/")

        def split(h):
            set_field(h, F_NAME, pa_base.encode())
            set_field(h, F_PREFIX, pa_dir.encode())
        add("prefix_name_split", header_changed(pa, split), EFORMAT,
            "payload path split into prefix \"%s\" and name \"%s\" (same path)"
            % (pa_dir, pa_base))

        # pax headers where libarchive pax_restricted writes none (sizes
        # under 8 GiB, times before 2^31 - 1), each record agreeing with the
        # ustar fields and the x header as libarchive would name and stamp it.
        def pax_before_payload(records):
            x = Entry(make_header(e[pa].header, name=pa_dir + "/PaxHeader/" + pa_base,
                                  size=len(records), typeflag=b"x"), records)
            return build(e[:pa] + [x] + e[pa:])
        add("pax_mtime_not_needed", pax_before_payload(pax_record("mtime", str(mtime))),
            EFORMAT, "pax header with mtime= equal to the ustar mtime (writer writes none)")
        add("pax_size_not_needed", pax_before_payload(pax_record("size", str(size_a))),
            EFORMAT, "pax header with size= equal to the ustar size (writer writes none)")
        add("pax_records_reordered", pax_before_payload(
            pax_record("size", str(size_a)) + pax_record("mtime", str(mtime))),
            EFORMAT, "pax size= and mtime= records, both agreeing, in libarchive < 3.6 order")

        # Padding and what follows the archive.
        def padded(i, fill):
            x = e[i].copy()
            p = pad_len(len(x.data))
            x.pad = fill[:p] + b"\0" * (p - len(fill[:p]))
            return build([x if j == i else y for j, y in enumerate(e)])
        add("nonzero_padding_manifest", padded(0, b"\x01"), EFORMAT,
            "non-zero padding byte after manifest.json")
        add("nonzero_padding_payload", padded(pa, b"hidden data"), EFORMAT,
            "data hidden in the padding after a payload")
        add("nonzero_padding_last", padded(last, b"\x00\x00\x07"), EFORMAT,
            "non-zero padding byte after the last payload")
        body = b"".join(x.encode() for x in e)
        zeros = b"\0" * (2 * BLOCK)
        rec = lambda b: b + b"\0" * ((RECORD - len(b) % RECORD) % RECORD)
        add("nonzero_first_end_block", rec(body + b"\0" * 100 + b"\x01" + b"\0" * 923), EFORMAT,
            "first end-of-archive block not all zero")
        add("nonzero_second_end_block", rec(body + b"\0" * 600 + b"\x01" + b"\0" * 423), ETRAILING,
            "second end-of-archive block not all zero")
        assert len(full) - len(body) > 2 * BLOCK + 1, "the base must end in record padding"
        add("nonzero_record_padding", body + zeros + b"\x01" + b"\0" * (len(full) - len(body) - 1025),
            ETRAILING, "non-zero byte in the record padding after the end marker")
        add("trailing_garbage", full + b"GARBAGE\n", ETRAILING,
            "garbage after the end of the archive")
        add("trailing_zero_record", full + b"\0" * RECORD, ETRAILING,
            "a whole extra record of zeros after the archive")
        add("trailing_zero_block_after_record", full + b"\0" * BLOCK, ETRAILING,
            "an extra zero block after the padded record")
        add("second_archive", full + full, ETRAILING, "a second complete archive appended")
        add("second_archive_unpadded", body + zeros + full, ETRAILING,
            "a second archive right after the end marker")
        add("one_end_block_then_data", body + b"\0" * BLOCK + full, ETRAILING,
            "only one zero end block, then a second archive")
        add("one_end_block_then_entry", rec(body + b"\0" * BLOCK
                                            + entry(tpl, "extra.txt", b"x\n").encode() + zeros),
            ETRAILING, "one zero block, then another entry (tar -i would read it)")

    def compression(self):
        gz, plain = self.valid_gz, self.valid
        add = lambda n, d, s, t: self.add("compression", n, d, s, t)
        for cut in (1, 2, 10, 30, len(gz) // 2, len(gz) - 8, len(gz) - 4, len(gz) - 1):
            add("gzip_truncated_at_%d" % cut, gz[:cut], ETRUNCATED,
                "gzip stream cut at byte %d of %d" % (cut, len(gz)))
        crc = bytearray(gz)
        crc[-8] ^= 0x01
        add("gzip_bad_crc", bytes(crc), EDECOMPRESS, "gzip CRC-32 trailer wrong")
        isz = bytearray(gz)
        isz[-1] ^= 0x40
        add("gzip_bad_isize", bytes(isz), EDECOMPRESS, "gzip ISIZE trailer wrong")
        blk = bytearray(gz)
        blk[10] |= 0x06  # first deflate block: BTYPE 11 = reserved
        add("gzip_bad_block_type", bytes(blk), EDECOMPRESS, "deflate block of the reserved type 3")
        hdr = bytearray(gz)
        hdr[2] = 7  # compression method: not deflate
        add("gzip_bad_method", bytes(hdr), EDECOMPRESS, "gzip header with compression method 7")
        add("gzip_trailing_garbage", gz + b"GARBAGE", ETRAILING, "garbage after the gzip member")
        add("gzip_trailing_zeros", gz + b"\0" * 1024, ETRAILING,
            "zeros after the gzip member (gzip(1) ignores them)")
        add("gzip_two_members", gz + gz, ETRAILING, "two concatenated gzip members (two archives)")
        half = (len(plain) // 2) // BLOCK * BLOCK
        add("gzip_split_members", gzip_bytes(plain[:half]) + gzip_bytes(plain[half:]), ETRAILING,
            "one archive split over two gzip members (gzip -d joins them; a second member is "
            "data after the gzip stream)")
        add("gzip_magic_only", b"\x1f\x8b", ETRUNCATED, "the two gzip magic bytes only")
        add("gzip_in_gzip", gzip_bytes(gz), EFORMAT, "a gzip-compressed gzip bundle")
        e = self.entries
        pa = self.payload_idx[0]
        sym = [Entry(make_header(x.header, size=0, typeflag=b"2", linkname="/etc/passwd"), b"")
               if i == pa else x for i, x in enumerate(e)]
        add("gzip_symlink", gzip_bytes(build(sym)), EENTRY,
            "symbolic link in place of a payload, inside gzip")
        add("gzip_archive_trailing_garbage", gzip_bytes(plain + b"GARBAGE"), ETRAILING,
            "garbage after the archive, inside the gzip stream")
        add("gzip_nonzero_padding", gzip_bytes(
            build([Entry(x.header, x.data, b"\x01" + b"\0" * (pad_len(len(x.data)) - 1))
                   if i == 0 else x for i, x in enumerate(e)])),
            EFORMAT, "non-zero tar padding inside gzip")
        # Decompression bombs: ~100 KiB of gzip that inflates to > 100 MiB of
        # zeros, after a valid manifest and root chain, and after a whole
        # valid archive. The reader must stop within a record, not inflate it all.
        prefix = b"".join(x.encode() for x in e[:self.payload_idx[0] - 1])
        add("gzip_bomb_after_manifest", self.bomb(prefix, 101 << 20), ETRAILING,
            "101 MiB of zeros after a valid manifest and root (in 100 KiB of gzip)")
        add("gzip_bomb_after_archive", self.bomb(plain, 101 << 20), ETRAILING,
            "101 MiB of zeros after the whole valid archive (in 100 KiB of gzip)")
        add("bzip2", bz2.compress(plain, 9), EFORMAT, "bzip2-compressed archive")
        add("xz", lzma.compress(plain, format=lzma.FORMAT_XZ, preset=6), EFORMAT,
            "xz-compressed archive")
        add("lzma", lzma.compress(plain, format=lzma.FORMAT_ALONE, preset=6), EFORMAT,
            "lzma-alone-compressed archive")
        add("zstd", zstd_raw_frame(plain), EFORMAT, "zstd frame (raw blocks) holding the archive")
        add("compress_z", b"\x1f\x9d\x90" + plain[:2048], EFORMAT, "Unix compress (.Z) magic")

    @staticmethod
    def bomb(prefix, zeros):
        c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS, 9)
        out = [c.compress(prefix)]
        piece = b"\0" * (1 << 20)
        for _ in range(zeros >> 20):
            out.append(c.compress(piece))
        out.append(c.flush())
        return b"".join(out)

    def envelope(self):
        env = self.env
        add = lambda n, text, s, t: self.add("envelope", n, self.manifest_with(text), s, t)
        good = self.entries[0].data
        add("not_json", b"this is not JSON\n", EJSON, "manifest.json is not JSON")
        add("json_truncated", good[:len(good) // 2], EJSON, "manifest.json cut in half")
        add("json_trailing_data", good + b"{}", EJSON, "a second JSON value after the envelope")
        add("utf8_bom", b"\xef\xbb\xbf" + good, EJSON, "UTF-8 byte order mark before the JSON")
        add("nul_byte", good.replace(b"\n", b"\0", 1), EJSON, "NUL byte inside the JSON text")
        add("invalid_utf8", good.replace(b"{", b'{\n  "x\xff": 1,', 1), EJSON,
            "invalid UTF-8 in a key")
        t = good.replace(b'"payloadType":', b'"payloadType": "x", "payloadType":', 1)
        add("duplicate_key", t, EJSON, "payloadType given twice (duplicate key)")
        sig = env["signatures"][0]
        dup_sig = good.replace(b'"keyid":', b'"keyid": "%s", "keyid":' % sig["keyid"].encode(), 1)
        add("duplicate_key_in_signature", dup_sig, EJSON, "keyid given twice in a signature")
        deep = good.rstrip().rstrip(b"}") + b', "x": [[[[[[[[1]]]]]]]]}\n'
        add("too_deep", deep, EJSON, "nesting deeper than the limit")
        add("extra_field", self.envelope_text(dict(env, comment="hi")), EENVELOPE,
            "unknown top-level field")
        add("extra_signature_field", self.envelope_text(
            dict(env, signatures=[dict(sig, cert="x")])), EENVELOPE,
            "unknown field in a signature")
        add("missing_signatures", self.envelope_text(
            {k: v for k, v in env.items() if k != "signatures"}), EENVELOPE,
            "no signatures field")
        add("empty_signatures", self.envelope_text(dict(env, signatures=[])), EENVELOPE,
            "signatures: []")
        add("signatures_not_list", self.envelope_text(dict(env, signatures=sig)), EENVELOPE,
            "signatures is an object, not a list")
        add("top_level_array", (json.dumps([env]) + "\n").encode(), EENVELOPE,
            "the envelope wrapped in an array")
        add("payload_type_unknown", self.envelope_text(
            dict(env, payloadType="application/vnd.evil+json")), EPAYLOADTYPE,
            "unknown payloadType")
        add("payload_type_root", self.envelope_text(dict(env, payloadType=TYPE_ROOT)),
            EPAYLOADTYPE, "payloadType changed to the root type")
        add("payload_type_empty", self.envelope_text(dict(env, payloadType="")), EENVELOPE,
            "empty payloadType")
        add("payload_type_space", self.envelope_text(
            dict(env, payloadType="application/vnd.fwseal.manifest+json ")), EENVELOPE,
            "payloadType with a trailing space")
        add("payload_type_number", self.envelope_text(dict(env, payloadType=1)), EENVELOPE,
            "payloadType is a number")
        root_env = self.entries[self.roots[0]].data
        add("root_envelope_as_manifest", root_env, EPAYLOADTYPE,
            "the (validly signed) root envelope in place of the manifest")
        p = env["payload"]
        add("payload_bad_base64", self.envelope_text(dict(env, payload="!" + p[1:])), EENVELOPE,
            "payload with a non-base64 character")
        add("payload_urlsafe_base64", self.envelope_text(
            dict(env, payload=b64(self.body + b"\xff" * 6).replace("+", "-").replace("/", "_"))),
            EENVELOPE, "payload in URL-safe base64")
        add("payload_with_newline", self.envelope_text(dict(env, payload=p[:40] + "\n" + p[40:])),
            EENVELOPE, "payload base64 with a line break")
        add("payload_unpadded", self.envelope_text(dict(env, payload=p.rstrip("="))) if
            p.endswith("=") else self.envelope_text(dict(env, payload=p + "A")), EENVELOPE,
            "payload base64 without its padding (or with a stray character)")
        add("payload_empty", self.envelope_text(dict(env, payload="")), EENVELOPE,
            "empty payload")
        add("payload_too_big", self.envelope_text(dict(env, payload=b64(b" " * 40000))), ELIMIT,
            "payload larger than the body limit")
        add("sig_short", self.envelope_text(dict(env, signatures=[dict(sig, sig=b64(b"\1" * 63))])),
            EENVELOPE, "63-byte signature")
        add("sig_bad_base64", self.envelope_text(
            dict(env, signatures=[dict(sig, sig="*" + sig["sig"][1:])])), EENVELOPE,
            "signature with a non-base64 character")
        add("keyid_uppercase", self.envelope_text(
            dict(env, signatures=[dict(sig, keyid=sig["keyid"].upper())])), EENVELOPE,
            "key ID in uppercase hex")
        add("keyid_short", self.envelope_text(
            dict(env, signatures=[dict(sig, keyid=sig["keyid"][:62])])), EENVELOPE,
            "31-byte key ID")
        add("too_many_signatures", self.envelope_text(dict(env, signatures=[sig] * 17)), ELIMIT,
            "17 signatures (limit 16)")
        add("oversized_file", good.rstrip(b"\n") + b" " * 70000 + b"\n", ELIMIT,
            "manifest.json larger than 64 KiB")

    def manifest(self):
        env, body = self.env, self.body
        sig = env["signatures"][0]
        add = lambda n, e2, s, t: self.add("manifest", n, self.manifest_with(self.envelope_text(e2)),
                                           s, t)
        m = json.loads(body)

        def body_env(new_body):
            return dict(env, payload=b64(new_body))
        add("version_raised", body_env(body.replace(
            b'"version":"%s"' % m["version"].encode(), b'"version":"99.0.0"', 1)), EBADSIG,
            "signed body edited: version raised")
        sv = b'"security_version":%d' % m["security_version"]
        add("security_version_raised", body_env(body.replace(sv, sv + b"0", 1)), EBADSIG,
            "signed body edited: security_version x10")
        add("hardware_added", body_env(body.replace(b'"hardware":[', b'"hardware":["evil",', 1)),
            EBADSIG, "signed body edited: a hardware id added")
        add("body_whitespace", body_env(body + b" "), EBADSIG,
            "signed body with one extra space (same JSON, other bytes)")
        flipped = bytearray(base64.b64decode(sig["sig"]))
        flipped[10] ^= 0x01
        add("signature_flipped", dict(env, signatures=[dict(sig, sig=b64(bytes(flipped)))]),
            EBADSIG, "one bit of the signature flipped")
        add("signature_zero", dict(env, signatures=[dict(sig, sig=b64(b"\0" * 64))]), EBADSIG,
            "all-zero signature from the release key")
        add("keyid_unknown", dict(env, signatures=[dict(sig, keyid=hashlib.sha256(
            b"nobody").hexdigest())]), EUNTRUSTED, "signature under a key ID the root does not know")
        root_keys = self.root_body["roles"]["root"]["keyids"]
        add("keyid_root_role", dict(env, signatures=[dict(sig, keyid=root_keys[0])]), EUNTRUSTED,
            "signature claimed by the root key (not authorised for releases)")

    def payload(self):
        e = self.entries
        add = lambda n, entries, s, t: self.add("payload", n, build(entries), s, t)
        pa = self.payload_idx[0]
        ca = pa - 1
        last = len(e) - 1

        def data_changed(i, fn):
            return [Entry(x.header, fn(bytearray(x.data))) if j == i else x
                    for j, x in enumerate(e)]

        def flip(pos):
            def f(b):
                b[pos] ^= 0x01
                return bytes(b)
            return f
        add("first_byte_flipped", data_changed(pa, flip(0)), EDIGEST,
            "first byte of a payload flipped")
        add("last_byte_flipped", data_changed(pa, flip(-1)), EDIGEST,
            "last byte of a payload flipped (last chunk)")
        add("last_payload_flipped", data_changed(last, flip(len(e[last].data) // 2)), EDIGEST,
            "a byte of the last payload flipped")
        add("chunk_list_flipped", data_changed(ca, flip(5)), EDIGEST,
            "a byte of the chunk list flipped")
        add("chunk_list_zeroed", data_changed(ca, lambda b: bytes(len(b))), EDIGEST,
            "chunk list of the right length, all zeros")
        add("chunk_list_short", [with_data(x, x.data[:-32]) if j == ca else x
                                 for j, x in enumerate(e)], ESIZE,
            "chunk list one digest short")
        add("chunk_list_long", [with_data(x, x.data + x.data[:32]) if j == ca else x
                                for j, x in enumerate(e)], ESIZE,
            "chunk list one digest too long")
        add("chunk_list_empty", [with_data(x, b"") if j == ca else x
                                 for j, x in enumerate(e)], ESIZE, "empty chunk list")
        add("payload_short", [with_data(x, x.data[:-1]) if j == pa else x
                              for j, x in enumerate(e)], ESIZE, "payload one byte short")
        add("payload_long", [with_data(x, x.data + b"\0") if j == pa else x
                             for j, x in enumerate(e)], ESIZE, "payload one byte too long")
        add("payload_empty", [with_data(x, b"") if j == pa else x
                              for j, x in enumerate(e)], ESIZE, "payload emptied")
        if len(self.payload_idx) > 1:
            pb = self.payload_idx[1]
            add("payload_data_swapped", [with_data(x, e[pb].data) if j == pa else
                                         with_data(x, e[pa].data) if j == pb else x
                                         for j, x in enumerate(e)], ESIZE,
                "two payloads' data swapped (names kept)")
        # Two whole chunks swapped: same bytes, wrong order.
        cs = None
        m = json.loads(self.body)
        for p in m["payloads"]:
            if "payloads/" + p["name"] == e[pa].name:
                cs = p["chunk_size"]
        if cs is not None and len(e[pa].data) >= 2 * cs:
            d = e[pa].data
            swapped = d[cs:2 * cs] + d[:cs] + d[2 * cs:]
            add("chunks_swapped", data_changed(pa, lambda b: swapped), EDIGEST,
                "first two chunks of a payload swapped")
            lst = e[ca].data
            lst2 = lst[32:64] + lst[:32] + lst[64:]
            add("chunks_and_list_swapped", [Entry(x.header, swapped) if j == pa else
                                            Entry(x.header, lst2) if j == ca else x
                                            for j, x in enumerate(e)], EDIGEST,
                "two chunks and their digests swapped (the signed list digest catches it)")

    def root(self):
        e = self.entries
        r = self.roots[0]
        add = lambda n, entries, s, t: self.add("root", n, build(entries), s, t)

        def renamed(name):
            return [Entry(make_header(x.header, name=name), x.data) if j == r else x
                    for j, x in enumerate(e)]
        add("gap", renamed("root/3.json"), EROOTVERSION, "root/3.json after trusted v1 (gap)")
        add("version_zero", renamed("root/0.json"), EENTRY, "root/0.json")
        add("leading_zero", renamed("root/01.json"), EENTRY, "root/01.json")
        add("bad_name", renamed("root/one.json"), EENTRY, "root/one.json")
        add("uppercase_suffix", renamed("root/1.JSON"), EENTRY, "root/1.JSON")
        add("subdir", renamed("root/1/1.json"), EENTRY, "root/1/1.json")
        add("duplicate", e[:r + 1] + [e[r]] + e[r + 1:], EENTRY, "root/1.json twice")
        add("oversized", [with_data(x, x.data + b" " * 70000) if j == r else x
                          for j, x in enumerate(e)], ELIMIT, "root/1.json larger than 64 KiB")
        nxt = lambda data: e[:r + 1] + [entry(self.tpl, "root/2.json", data)] + e[r + 1:]
        add("next_is_manifest", nxt(e[0].data), EPAYLOADTYPE,
            "root/2.json holding the manifest envelope")
        add("next_is_copy_of_v1", nxt(e[r].data), EROOTVERSION,
            "root/2.json holding root version 1 again")
        add("next_not_json", nxt(b"not json\n"), EJSON, "root/2.json not JSON")
        # The carried copy of the already-trusted version is data inside a
        # verified bundle: it must be checked, not skipped unread.
        add("trusted_version_not_json", [with_data(x, b"not json\n") if j == r else x
                                         for j, x in enumerate(e)], EJSON,
            "root/1.json (the version the verifier already trusts) replaced by non-JSON")
        add("trusted_version_size_plus_one", [Entry(make_header(x.header, size=len(x.data) + 1),
                                                    x.data + b"\0") if j == r else x
                                              for j, x in enumerate(e)], EJSON,
            "root/1.json size field one larger: a NUL byte becomes part of the JSON")

    def generate(self):
        self.archive()
        self.compression()
        self.envelope()
        self.manifest()
        self.payload()
        self.root()
        names = set()
        for c in self.cases:
            key = (c[0], c[1])
            if key in names:
                raise ValueError("duplicate case name %s/%s" % key)
            names.add(key)
        return self.cases


def write_corpus(valid_path, gz_path, outdir):
    with open(valid_path, "rb") as f:
        valid = f.read()
    with open(gz_path, "rb") as f:
        valid_gz = f.read()
    cases = Corpus(valid, valid_gz).generate()
    categories = sorted({c[0] for c in cases})
    for cat in categories:
        d = os.path.join(outdir, cat)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):  # no stale cases from an older generator
            if old.endswith(".fwb"):
                os.unlink(os.path.join(d, old))
    # The gzip-built cases (compression/) depend on zlib's output bytes, which
    # are stable in practice but not promised across zlib versions: say which.
    lines = ["# case\texit_status\tdescription (generated by tests/make_vectors.py, zlib %s)"
             % zlib.ZLIB_RUNTIME_VERSION]
    for cat, name, data, status, desc in cases:
        rel = "%s/%s.fwb" % (cat, name)
        with open(os.path.join(outdir, rel), "wb") as f:
            f.write(data)
        if "\t" in desc or "\n" in desc:
            raise ValueError("bad description")
        lines.append("%s\t%d\t%s" % (rel, status, desc))
    with open(os.path.join(outdir, "expected.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%d cases in %s" % (len(cases), outdir))
    make_signed_cases(outdir)


def make_signed_cases(outdir):
    """Runs the C generator of signed/, keys-bad/ and state-bad/ into outdir."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("FWSEAL_MAKE_SIGNED_CASES", "")]
    if os.environ.get("BUILD"):
        candidates.append(os.path.join(os.environ["BUILD"], "make_signed_cases"))
    candidates.append(os.path.join(os.path.dirname(here), "build", "make_signed_cases"))
    for gen in candidates:
        if gen and os.access(gen, os.X_OK):
            sys.stdout.flush()
            subprocess.run([gen, outdir], check=True)
            return
    print("make_vectors.py: warning: make_signed_cases not built (make build/make_signed_cases): "
          "signed/, keys-bad/ and state-bad/ not regenerated", file=sys.stderr)


def main(argv):
    if len(argv) == 5 and argv[1] == "generate":
        write_corpus(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 4 and argv[1] == "get-entry":
        with open(argv[2], "rb") as f:
            entries, _ = parse(f.read())
        for x in entries:
            if x.name == argv[3]:
                sys.stdout.buffer.write(x.data)
                return 0
        print("no entry %s in %s" % (argv[3], argv[2]), file=sys.stderr)
        return 1
    if len(argv) == 6 and argv[1] == "set-entry":
        with open(argv[2], "rb") as f:
            entries, _ = parse(f.read())
        with open(argv[4], "rb") as f:
            data = f.read()
        found = False
        for i, x in enumerate(entries):
            if x.name == argv[3]:
                entries[i] = with_data(x, data)
                found = True
        if not found:
            print("no entry %s in %s" % (argv[3], argv[2]), file=sys.stderr)
            return 1
        with open(argv[5], "wb") as f:
            f.write(build(entries))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
