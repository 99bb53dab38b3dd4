#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/examples/custom_backends.c: libfwseal embedded with custom backends
# (two-copy EEPROM state, raw partitions), linked against the shared library.
# req: REQ-EVID-007
. "$(dirname "$0")/lib.sh"

EXAMPLE=$BUILD/examples/custom_backends
[ -x "$EXAMPLE" ] || die "$EXAMPLE not built (make examples)"
std_setup

T="example installs a bundle into a raw partition through custom backends" \
	expect_ok "$EXAMPLE" root.json hw-a v1.fwb
check "the partition holds the payloads back to back, byte-identical" \
	cmp slot-b.img <(cat a.bin b.bin)
check "the example logged init, install, boot and mark-good" \
	grep -q "4 log events" "$LAST_OUT"

rm -f slot-a.img slot-b.img
cp v1.fwb bad.fwb
printf 'X' | dd of=bad.fwb bs=1 seek=100000 conv=notrunc 2>/dev/null
T="tampered bundle refused through the custom backends too" \
	expect_exit 1 "$EXAMPLE" root.json hw-a bad.fwb
check "the refused install left the partition unwritten past the verified chunks" \
	test "$(stat -c %s slot-b.img 2>/dev/null || echo 0)" -lt 100000
T="wrong hardware refused" expect_exit 1 "$EXAMPLE" root.json hw-b v1.fwb
finish
