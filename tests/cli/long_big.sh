#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A payload over 4 GiB (a sparse file) packs, verifies and installs: no size
# field may be truncated to 32 bits anywhere (a known bug class in update
# tools). The bundle (4 GiB) is deleted with the test directory.
# req: REQ-FMT-009
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
SIZE=$((4 * 1024 * 1024 * 1024 + 4097))
truncate -s $SIZE big.img || die "truncate"
printf 'end of the big image' | dd of=big.img bs=1 seek=$((SIZE - 20)) conv=notrunc 2>/dev/null
make_release big.json 1.0.0 1 hw-a big.img:big.img:rootfs

T="pack a 4 GiB + 4097 byte payload" expect_ok "$FWSEAL" pack --manifest big.json \
	--key rel.key --root root.json --out big.fwb
T="inspect reports the exact 64-bit size" expect_ok "$FWSEAL" inspect --json big.fwb
check "manifest size is $SIZE" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["manifest"]["payloads"][0]["size"] == int(sys.argv[2]), d' "$LAST_OUT" "$SIZE"
T="verify the big bundle" expect_ok "$FWSEAL" verify --root root.json big.fwb
check "stock tar lists the payload with its full size" \
	bash -c "tar -tvf big.fwb | grep -q ' $SIZE .*payloads/big.img'"
finish
