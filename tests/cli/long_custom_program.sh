#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The custom bootloader program's bound, the slow way (make check-long;
# ADR-072): a program that closes its standard output and keeps running
# used to hang fwseal-verify for ever. It now ends at the program's 30 s,
# with exit 48, and what the program started is killed with it. The unit
# tests io_run::* check the same runner with short timeouts.
# req: REQ-CONF-003
. "$(dirname "$0")/lib.sh"

std_setup
mkdir etc
printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOTED=A\n' >vars
truncate -s 4M disk.img
cat >loader.sh <<'EOS'
#!/bin/sh
f=$(dirname "$0")/vars
case $1 in
get) shift; for k in "$@"; do grep "^$k=" "$f" || true; done ;;
set) shift; for kv in "$@"; do k=${kv%%=*}; grep -v "^$k=" "$f" >"$f.new"; echo "$kv" >>"$f.new"; mv "$f.new" "$f"; done ;;
esac
EOS
cat >silent.sh <<'EOS'
#!/bin/sh
# Answers, closes its output, and stays: with a helper of its own.
d=$(dirname "$0")
"$d/loader.sh" "$@"
exec >&-
sleep 300 &
echo $! >"$d/helper.pid"
sleep 300
EOS
chmod 755 loader.sh silent.sh
conf() { # conf FILE PROGRAM
	cat >"$1" <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/etc/root.json
state-dir = $PWD/state
bootloader = custom
booted = bootloader
[custom]
program = $PWD/$2
[slot.rootfs.0]
class = rootfs
device = $PWD/disk.img
offset = 0
size = 1M
bootname = A
[slot.rootfs.1]
class = rootfs
device = $PWD/disk.img
offset = 1M
size = 1M
bootname = B
[slot.kernel.0]
class = kernel
device = $PWD/disk.img
offset = 2M
size = 64K
bootname = A
[slot.kernel.1]
class = kernel
device = $PWD/disk.img
offset = 3M
size = 64K
bootname = B
EOC
}
conf loader.conf loader.sh
conf silent.conf silent.sh
T="init a device with a custom bootloader program" expect_ok "$FWVERIFY" init --config loader.conf \
	--root root.json
T="a bootloader program that closes its output and keeps running: status ends (within 60 s)" \
	expect_exit 48 timeout 60 "$FWVERIFY" status --config silent.conf
check "the message says it did not finish and was killed" \
	grep -q "silent.sh: did not finish within 30 s (killed with everything it started)" "$LAST_ERR"
sleep 0.2
check "the helper it started was killed with its process group" \
	sh -c '! kill -0 "$1" 2>/dev/null || grep -q "^State:.*Z" "/proc/$1/status"' sh "$(cat helper.pid)"
finish
