# SPDX-License-Identifier: Apache-2.0
# Hostile archives: endless streams on standard input (a decompression bomb
# with no end, zeros or garbage forever) against `fwseal verify` and
# `fwseal-verify install`: the reader must stop by itself, with its exit
# status and one stderr line, and leave the device as it was.
#
# The hostile corpus itself (every way a bundle's tar/gzip container,
# envelope, manifest, payloads or carried roots can be wrong) runs in
# test_attacks_committed.sh (the committed corpus tests/vectors/hostile,
# which outside reviewers can use on their own verifier) and, generated now
# from freshly made keys, in long_attacks_fresh.sh (make check-long).
# req: REQ-FMT-001, REQ-FMT-002, REQ-LIFE-005
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 9000
make_payload b.bin 1500
make_release base.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:4096 b.bin:b.bin:kernel
# Without a block index: the endless streams are built from the entries of
# ADR-037's layout (the index's own attacks: test_delta_blocks.sh).
pack base.fwb base.json rel root.json --no-block-index
"$FWVERIFY" init --device dev --root root.json --hardware hw-a >/dev/null 2>&1 || die "device init"
# Something installed (slot b active) so an attack could also hurt a live slot.
"$FWVERIFY" install --device dev base.fwb >/dev/null 2>&1 || die "installing base.fwb"

# ---- endless streams on standard input: the reader must stop by itself ----
# req: REQ-FMT-004
# A producer that never ends (a decompression bomb with no end at all, zeros
# or garbage forever) must be cut off by the reader within a record, not read
# to its end: each run must end by itself, long before `timeout` would.
endless() {
	python3 - "$1" "$TESTS_DIR" <<'EOF'
import os, sys, zlib
sys.path.insert(0, sys.argv[2])
import make_vectors as mv
mode, out = sys.argv[1], sys.stdout.buffer
valid = open("base.fwb", "rb").read()
entries, _ = mv.parse(valid)
head = b"".join(e.encode() for e in entries if not e.name.startswith(("chunks/", "payloads/")))
zeros = b"\0" * (1 << 20)
try:
    if mode.startswith("gzip-"):
        c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        out.write(c.compress(head if mode == "gzip-zeros-after-manifest" else valid))
        while True:
            out.write(c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH))
    out.write(valid if mode == "zeros-after-archive" else b"")
    fill = b"A" * (1 << 20) if mode == "garbage" else zeros
    while True:
        out.write(fill)
except BrokenPipeError:
    pass
os._exit(0)
EOF
}
for mode in gzip-zeros-after-manifest gzip-zeros-after-archive zeros-after-archive zeros; do
	endless $mode | T="endless stream on stdin ($mode): fwseal verify stops by itself" \
		expect_exit 20 timeout 20 "$FWSEAL" verify --root root.json --hardware hw-a -
done
endless garbage | T="endless garbage on stdin: fwseal verify stops by itself" \
	expect_exit 17 timeout 20 "$FWSEAL" verify --root root.json --hardware hw-a -
before=$(snapshot dev)
endless gzip-zeros-after-archive | T="endless gzip bomb on stdin: install stops by itself" \
	expect_exit 20 timeout 20 "$FWVERIFY" install --device dev -
check "the device is unchanged after the endless install" test "$before" = "$(snapshot dev)"
finish
