# SPDX-License-Identifier: Apache-2.0
# Issue 21.3 and 21.5 on configured devices (U-Boot through libubootenv,
# GRUB's grubenv, a custom program) and the simulated device:
#   - a release installs a complete set or nothing (ADR-073): a bundle
#     without a payload for every class of the set is refused (74) before
#     anything is written, so no set mixes two releases;
#   - a read-only slot (a block device set read-only, an immutable file) is
#     found before the set's old image is given up (75, ADR-074);
#   - the install's last bootloader write failing (an immutable grubenv, a
#     custom program that fails) leaves state, log and bootloader agreeing
#     that the set is empty, and the next operation logs no fallback;
#   - the boot variables are written once per change and only when they
#     change (counted: U-Boot's redundant copies' flag counter, the custom
#     program's own log of its calls, grubenv's inode);
#   - a BOOTED the kernel command line contradicts makes the running set
#     unknown: mark-good and install refuse (45) and write nothing (ADR-075).
# The boot decisions are the bootloader's; here the test stands in for it
# through the bootloader's own tools (fw_setenv, grub-editenv).
. "$(dirname "$0")/lib.sh"

std_setup
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb v2.json rel root.json
make_release v11.json 1.1.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v11.fwb v11.json rel root.json
# 3.0.0 with a rootfs and no kernel: it would run on 1.0.0's kernel.
make_release r3.json 3.0.0 3 hw-a a.bin:a.bin:rootfs:65536
pack r3.fwb r3.json rel root.json

# conf FILE BOOTLOADER-SECTION: the slots of ab_disk_slots (rootfs and
# kernel of A and B in one disk image).
conf() {
	cat >"$1" <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/etc/root.json
state-dir = $PWD/state
$2

$(ab_disk_slots)
EOC
}
last_log() { "$FWVERIFY" log --config "$1" 2>/dev/null | tail -n 1; }

# ---- U-Boot, two environment copies: every store raises the flag ----
# req: REQ-LIFE-008
mkdir u && cd u || die "cd u"
mkdir etc && truncate -s 4M disk.img
printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=0\nBOOTED=A\n' >env.txt
mkenvimage -r -s 0x4000 -o env1.bin env.txt || die "mkenvimage"
cp env1.bin env2.bin
printf '%s 0x0 0x4000\n%s 0x0 0x4000\n' "$PWD/env1.bin" "$PWD/env2.bin" >fw_env.config
conf sys.conf "bootloader = uboot
booted = bootloader
[uboot]
fw-env-config = $PWD/fw_env.config"
# The number of stores so far: the higher copy's flag, less its start (1).
stores() { echo $(($(od -An -tu1 -j4 -N1 env1.bin) > $(od -An -tu1 -j4 -N1 env2.bin) ?
	$(od -An -tu1 -j4 -N1 env1.bin) : $(od -An -tu1 -j4 -N1 env2.bin))); }
FWP() { fw_printenv -c fw_env.config -n "$1" 2>/dev/null; }
T="init a U-Boot device with two environment copies" expect_ok "$FWVERIFY" init \
	--config sys.conf --root ../root.json --factory-version 0.5.0 --factory-security-version 0
before=$(sha256sum disk.img state/state env1.bin env2.bin)
T="a release without a kernel for a set that has a kernel slot" expect_exit 74 \
	"$FWVERIFY" install --config sys.conf ../r3.fwb
check "the message names the class the release leaves out" grep -q \
	'release 3.0.0 has no payload for class "kernel"' "$LAST_ERR"
check "nothing was written: slots, state, both environment copies" \
	test "$before" = "$(sha256sum disk.img state/state env1.bin env2.bin)"
check "the refusal is logged as FWS_EINCOMPLETE" bash -c \
	"'$FWVERIFY' log --config sys.conf | tail -n 1 | grep -q ' install  *FWS_EINCOMPLETE '"
n0=$(stores)
T="install 1.0.0 into B, which is out of the boot order" expect_ok "$FWVERIFY" install \
	--config sys.conf ../v1.fwb
check "one environment store for the whole install (was $n0, now $(stores))" \
	test "$(stores)" = $((n0 + 1))
check "and it holds the new order" test "$(FWP BOOT_ORDER)" = "B A"
fw_setenv -c fw_env.config BOOT_B_LEFT 2 && fw_setenv -c fw_env.config BOOTED B || die "fw_setenv"
n0=$(stores)
T="mark-good of B" expect_ok "$FWVERIFY" mark-good --config sys.conf
check "one store for the confirmation" test "$(stores)" = $((n0 + 1))
T="mark-good again (nothing changes)" expect_ok "$FWVERIFY" mark-good --config sys.conf
check "no store when nothing changed" test "$(stores)" = $((n0 + 1))
T="status" expect_ok "$FWVERIFY" status --config sys.conf
check "no store for a status" test "$(stores)" = $((n0 + 1))
# BOOTED=B, but the kernel runs A (a stale BOOTED, ADR-075): which set
# runs is not known, and nothing is confirmed or written on a guess.
sed 's|^booted = bootloader$|booted = bootloader\ncmdline-file = '"$PWD"'/cmdline|' sys.conf >stale.conf
echo "console=ttyS0 fwseal.slot=A quiet" >cmdline
before=$(sha256sum disk.img state/state env1.bin env2.bin)
T="mark-good while BOOTED=B and the command line says A" expect_exit 45 "$FWVERIFY" mark-good \
	--config stale.conf
check "the message says the running slot is not known" grep -q "which slot is running is not known" \
	"$LAST_ERR"
T="install while the running slot is not known" expect_exit 45 "$FWVERIFY" install \
	--config stale.conf ../v2.fwb
check "nothing was written: slots, state, both environment copies" \
	test "$before" = "$(sha256sum disk.img state/state env1.bin env2.bin)"
echo "console=ttyS0 fwseal.slot=B quiet" >cmdline
T="mark-good once the command line and BOOTED agree" expect_ok "$FWVERIFY" mark-good --config stale.conf
cd ..

# ---- GRUB: the last write fails (an immutable grubenv) ----
# req: REQ-LIFE-002, REQ-LIFE-008
mkdir g && cd g || die "cd g"
mkdir etc && truncate -s 4M disk.img
grub-editenv grubenv create && grub-editenv grubenv set BOOT_ORDER=A BOOT_A_LEFT=3 BOOTED=A ||
	die "grub-editenv"
conf sys.conf "bootloader = grub
booted = bootloader
[grub]
grubenv = $PWD/grubenv"
T="init a GRUB device" expect_ok "$FWVERIFY" init --config sys.conf --root ../root.json
before=$(sha256sum disk.img state/state grubenv)
T="GRUB: a release without a kernel" expect_exit 74 "$FWVERIFY" install --config sys.conf ../r3.fwb
check "GRUB: nothing was written" test "$before" = "$(sha256sum disk.img state/state grubenv)"
T="GRUB: install 1.0.0 into B" expect_ok "$FWVERIFY" install --config sys.conf ../v1.fwb
grub-editenv grubenv set BOOT_B_LEFT=2 BOOTED=B || die "grub-editenv"
T="GRUB: mark-good of B" expect_ok "$FWVERIFY" mark-good --config sys.conf
ino=$(stat -c %i grubenv)
T="GRUB: mark-good again" expect_ok "$FWVERIFY" mark-good --config sys.conf
check "GRUB: no write when nothing changed (the same grubenv file)" test "$(stat -c %i grubenv)" = "$ino"
if chattr +i grubenv 2>/dev/null; then
	# The rename of the new block is refused: an I/O error (4), named.
	T="GRUB: install 1.1.0 into A while grubenv cannot be replaced" expect_exit 48 \
		"$FWVERIFY" install --config sys.conf ../v11.fwb
	chattr -i grubenv
	check "the state does not call A pending" grep -q "^pending_slot -$" state/state
	check "the state calls A empty" grep -q "^slot_a_version -$" state/state
	check "the audit line says A is empty" bash -c \
		"'$FWVERIFY' log --config sys.conf | tail -n 1 | grep -q ' install  *FWS_EBOOTLOADER .*slot a .*is empty'"
	check "GRUB was never told of A" test "$(grub-editenv grubenv list | grep ^BOOT_ORDER=)" = "BOOT_ORDER=B"
	lines=$("$FWVERIFY" log --config sys.conf | wc -l)
	T="the next operation" expect_ok "$FWVERIFY" mark-good --config sys.conf
	check "it logs no fallback that never happened" bash -c \
		"! '$FWVERIFY' log --config sys.conf | tail -n +$((lines + 1)) | grep -q ' fallback '"
	T="the same install once grubenv can be written" expect_ok "$FWVERIFY" install \
		--config sys.conf ../v11.fwb
	check "A pending now" grep -q "^pending_slot a$" state/state
else
	ok "GRUB: a failing last bootloader write # SKIP chattr +i does not work here"
fi
cd ..

# ---- a custom program: its own log counts the stores; a failing store ----
# req: REQ-LIFE-008
mkdir c && cd c || die "cd c"
mkdir etc && truncate -s 4M disk.img
cat >loader.sh <<'EOS'
#!/bin/sh
# Variables in a file; every call logged. FAIL_ORDER: refuse that order.
d=$(dirname "$0")
f=$d/vars
echo "$*" >>"$d/calls"
case $1 in
get) shift; for k in "$@"; do grep "^$k=" "$f" || true; done ;;
set) shift
	for kv in "$@"; do [ -e "$d/fail" ] && [ "$kv" = "$(cat "$d/fail")" ] && exit 5; done
	for kv in "$@"; do k=${kv%%=*}; grep -v "^$k=" "$f" >"$f.new"; echo "$kv" >>"$f.new"; mv "$f.new" "$f"; done ;;
*) exit 2 ;;
esac
EOS
chmod 755 loader.sh
printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOTED=A\n' >vars
conf sys.conf "bootloader = custom
booted = bootloader
[custom]
program = $PWD/loader.sh"
sets() { grep -c '^set' calls 2>/dev/null || echo 0; }
T="init a device with a custom bootloader program" expect_ok "$FWVERIFY" init \
	--config sys.conf --root ../root.json
n0=$(sets)
T="custom: install 1.0.0 into B" expect_ok "$FWVERIFY" install --config sys.conf ../v1.fwb
check "one store for the install" test "$(sets)" = $((n0 + 1))
check "and only the variables that changed" grep -qx "set BOOT_ORDER=B A BOOT_B_LEFT=3" calls
echo "BOOT_B_LEFT=2" >>vars && sed -i 's/^BOOTED=.*/BOOTED=B/; /^BOOT_B_LEFT=3$/d' vars
T="custom: mark-good of B" expect_ok "$FWVERIFY" mark-good --config sys.conf
n1=$(sets)
check "one store for the confirmation" test "$n1" = $((n0 + 2))
T="custom: mark-good again" expect_ok "$FWVERIFY" mark-good --config sys.conf
check "no store when nothing changed" test "$(sets)" = "$n1"
echo "BOOT_ORDER=A B" >fail
T="custom: install 1.1.0 into A, the program refuses the last store" expect_exit 48 \
	"$FWVERIFY" install --config sys.conf ../v11.fwb
rm fail
check "custom: the state does not call A pending, and calls it empty" bash -c \
	'grep -q "^pending_slot -$" state/state && grep -q "^slot_a_version -$" state/state'
check "custom: the program's variables never named A" grep -qx "BOOT_ORDER=B" vars
lines=$("$FWVERIFY" log --config sys.conf | wc -l)
T="custom: the next operation" expect_ok "$FWVERIFY" status --config sys.conf
T="custom: and the one after" expect_ok "$FWVERIFY" mark-good --config sys.conf
check "custom: no fallback logged for the set that never was pending" bash -c \
	"! '$FWVERIFY' log --config sys.conf | tail -n +$((lines + 1)) | grep -q ' fallback '"
# Replacing the fallback set: two stores, the first takes it out of the
# order before its first byte changes, the second makes the new set pending.
T="custom: install 1.1.0 into A" expect_ok "$FWVERIFY" install --config sys.conf ../v11.fwb
echo "BOOT_A_LEFT=2" >>vars && sed -i 's/^BOOTED=.*/BOOTED=A/; /^BOOT_A_LEFT=3$/d' vars
T="custom: mark-good of A (B's 1.0.0 stays the fallback)" expect_ok "$FWVERIFY" mark-good --config sys.conf
check "custom: BOOT_ORDER=A B" grep -qx "BOOT_ORDER=A B" vars
n1=$(sets)
T="custom: install 2.0.0 over the fallback in B" expect_ok "$FWVERIFY" install --config sys.conf ../v2.fwb
check "two stores: B taken out first, then made pending" bash -c \
	"test \$(grep -c '^set' calls) = $((n1 + 2)) && grep '^set' calls | tail -n 2 | head -n 1 | grep -qx 'set BOOT_ORDER=A BOOT_B_LEFT=0' && grep '^set' calls | tail -n 1 | grep -qx 'set BOOT_ORDER=B A BOOT_B_LEFT=3'"
cd ..

# ---- read-only slots: refused before the set's old image is given up ----
# req: REQ-LIFE-010
mkdir ro && cd ro || die "cd ro"
mkdir etc && truncate -s 4M disk.img
grub-editenv grubenv create && grub-editenv grubenv set BOOT_ORDER=A BOOT_A_LEFT=3 BOOTED=A ||
	die "grub-editenv"
conf sys.conf "bootloader = grub
booted = bootloader
[grub]
grubenv = $PWD/grubenv"
"$FWVERIFY" init --config sys.conf --root ../root.json --factory-version 0.5.0 \
	--factory-security-version 1 >/dev/null 2>&1 || die "init"
"$FWVERIFY" install --config sys.conf ../v1.fwb >/dev/null 2>&1 || die "install"
grub-editenv grubenv set BOOT_B_LEFT=2 BOOTED=B && "$FWVERIFY" mark-good --config sys.conf \
	>/dev/null 2>&1 || die "mark-good"
check "set A (0.5.0) is the fallback: BOOT_ORDER=B A" bash -c \
	'grub-editenv grubenv list | grep -qx "BOOT_ORDER=B A"'
if chattr +i disk.img 2>/dev/null; then
	before=$(sha256sum state/state grubenv)
	T="install into an immutable slot file" expect_exit 75 "$FWVERIFY" install --config sys.conf \
		../v11.fwb
	chattr -i disk.img
	check "the message names the slot and says read-only" grep -q "slot.rootfs.0\]: read-only" "$LAST_ERR"
	check "nothing was given up: state and grubenv as before" \
		test "$before" = "$(sha256sum state/state grubenv)"
else
	ok "install into an immutable slot file # SKIP chattr +i does not work here"
fi
# The bootloader cannot be written when the fallback must be taken out of
# its order: found before the state gives the fallback up (ADR-074).
if chattr +i grubenv 2>/dev/null; then
	before=$(sha256sum disk.img state/state grubenv)
	T="install over the fallback while grubenv cannot be replaced" expect_exit 48 "$FWVERIFY" \
		install --config sys.conf ../v11.fwb
	chattr -i grubenv
	check "the fallback is kept: slots, state and grubenv as before" \
		test "$before" = "$(sha256sum disk.img state/state grubenv)"
	check "the state still names 0.5.0 in set A" grep -q "^slot_a_version 0.5.0$" state/state
else
	ok "install over the fallback while grubenv cannot be replaced # SKIP chattr +i does not work here"
fi
if losetup -f >/dev/null 2>&1 && truncate -s 2M la.img lb.img &&
	LA=$(losetup -f --show la.img 2>/dev/null) && LB=$(losetup -f --show lb.img 2>/dev/null); then
	trap 'losetup -d "$LA" "$LB" 2>/dev/null' EXIT
	mkdir bd && cd bd || die "cd bd"
	mkdir etc
	grub-editenv grubenv create && grub-editenv grubenv set BOOT_ORDER=A BOOT_A_LEFT=3 BOOTED=A ||
		die "grub-editenv"
	cat >bd.conf <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/etc/root.json
state-dir = $PWD/state
bootloader = grub
booted = bootloader
[grub]
grubenv = $PWD/grubenv
[slot.rootfs.0]
class = rootfs
device = $LA
bootname = A
[slot.rootfs.1]
class = rootfs
device = $LB
bootname = B
EOC
	make_release r.json 1.0.0 1 hw-a a.bin:../../a.bin:rootfs:65536
	pack r.fwb r.json ../../rel ../../root.json
	make_release r11.json 1.1.0 1 hw-a a.bin:../../a.bin:rootfs:65536
	pack r11.fwb r11.json ../../rel ../../root.json
	"$FWVERIFY" init --config bd.conf --root ../../root.json --factory-version 0.5.0 \
		--factory-security-version 1 >/dev/null 2>&1 || die "init"
	"$FWVERIFY" install --config bd.conf r.fwb >/dev/null 2>&1 || die "install"
	grub-editenv grubenv set BOOT_B_LEFT=2 BOOTED=B && "$FWVERIFY" mark-good --config bd.conf \
		>/dev/null 2>&1 || die "mark-good"
	blockdev --setro "$LA" || die "blockdev --setro"
	before=$(sha256sum state/state grubenv "$LA")
	T="install into a block device that turned read-only" expect_exit 75 "$FWVERIFY" install \
		--config bd.conf r11.fwb
	check "the message says the block device is read-only" grep -q "block device is read-only" \
		"$LAST_ERR"
	check "the fallback image is kept: state, grubenv and the device as before" \
		test "$before" = "$(sha256sum state/state grubenv "$LA")"
	check "set A still holds 0.5.0 in the state" grep -q "^slot_a_version 0.5.0$" state/state
	blockdev --setrw "$LA"
	T="the same install once the device is writable" expect_ok "$FWVERIFY" install --config bd.conf \
		r11.fwb
	cd ..
	losetup -d "$LA" "$LB"
	trap - EXIT
else
	ok "install into a read-only block device # SKIP no loop devices here"
fi
cd ..

# ---- the simulated device: a set is replaced whole ----
# req: REQ-LIFE-001
device_init dev
install_confirm dev v1.fwb
install_confirm dev v2.fwb
make_release r3d.json 3.0.0 3 hw-a a.bin:a.bin:rootfs:65536
pack r3d.fwb r3d.json rel root.json
T="simulated device: a release of the rootfs only" expect_ok "$FWVERIFY" install --device dev r3d.fwb
check "set b holds exactly the new release's one file (the old kernel left with the old set)" \
	test "$(ls dev/b)" = "rootfs"
finish
