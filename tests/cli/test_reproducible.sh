# SPDX-License-Identifier: Apache-2.0
# Reproducible bundles: same inputs, key and SOURCE_DATE_EPOCH -> same bytes
# (plain and gzip); another SOURCE_DATE_EPOCH -> other bytes.
# req: REQ-FMT-006
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_payload b.bin 5000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel

p() { "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json "$@"; }
T="pack #1" expect_ok p --out one.fwb
T="pack #2 (same inputs)" expect_ok p --out two.fwb
check "two packs are byte-identical" cmp one.fwb two.fwb
T="pack --gzip #1" expect_ok p --out one.fwb.gz --gzip
sleep 1 # a clock leaking into the bytes (gzip mtime, tar mtime) would show now
T="pack --gzip #2" expect_ok p --out two.fwb.gz --gzip
check "two gzip packs are byte-identical" cmp one.fwb.gz two.fwb.gz
check "the gzip header carries no time or name (mtime 0, no FNAME)" \
	test "$(head -c 10 one.fwb.gz | od -An -tx1 | tr -d ' \n')" = "$(printf '1f8b0800000000000003')"
T="pack from another working directory" expect_ok bash -c \
	"mkdir -p elsewhere && cd elsewhere && '$FWSEAL' pack --manifest ../v1.json --key ../rel.key --root ../root.json --out ../three.fwb"
check "the working directory does not leak into the bytes" cmp one.fwb three.fwb
cp a.bin a-copy.bin
touch -d @1 a.bin # payload file times must not matter either
T="pack after touching a payload" expect_ok p --out four.fwb
check "payload file mtimes do not leak into the bytes" cmp one.fwb four.fwb

SOURCE_DATE_EPOCH=1700000001 T="pack with another SOURCE_DATE_EPOCH" expect_ok p --out later.fwb
check "another SOURCE_DATE_EPOCH changes the bytes" bash -c '! cmp -s one.fwb later.fwb'
SOURCE_DATE_EPOCH=1700000001 T="pack --gzip with another SOURCE_DATE_EPOCH" \
	expect_ok p --out later.fwb.gz --gzip
check "another SOURCE_DATE_EPOCH changes the gzip bytes" bash -c '! cmp -s one.fwb.gz later.fwb.gz'
T="the later bundle verifies too" expect_ok "$FWSEAL" verify --root root.json later.fwb

SOURCE_DATE_EPOCH=17e8 T="a malformed SOURCE_DATE_EPOCH is refused (ECLOCK)" \
	expect_exit 36 "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json --out bad.fwb
check "nothing written for the refused pack" test ! -e bad.fwb
# Regression (year 2038): past 2^31 seconds libarchive writes the mtime as a
# pax record; the reader must accept exactly that record and nothing more.
SOURCE_DATE_EPOCH=2200000000 T="pack in 2039" expect_ok "$FWSEAL" pack --manifest v1.json \
	--key rel.key --root root.json --out y2039.fwb
SOURCE_DATE_EPOCH=2200000000 T="a bundle made after 2038 verifies" \
	expect_ok "$FWSEAL" verify --root root.json y2039.fwb
finish
