# SPDX-License-Identifier: Apache-2.0
# Real devices (docs/system-conf.md, docs/integration.md): the strict
# system.conf parser, slots that are files at an offset (a disk image) and
# block devices (loop devices, refused while mounted), and the bootloader
# backends: U-Boot through libubootenv (checked with the real fw_printenv /
# fw_setenv), GRUB's grubenv (checked with the real grub-editenv) and a
# custom program. The U-Boot boot decisions themselves are made by the real
# U-Boot in long_uboot_qemu.sh; here the test stands in for it through the
# bootloader's own tools.
. "$(dirname "$0")/lib.sh"

std_setup
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb v2.json rel root.json
make_release v0.json 0.9.0 0 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v0.fwb v0.json rel root.json

# ---- the parser: every mistake named by line and key ----
# req: REQ-CONF-001
good_conf() { # good_conf FILE [EXTRA system keys]
	cat >"$1" <<EOC
# a test device
[system]
hardware-id = hw-a
trusted-root = $PWD/etc/root.json
state-dir = $PWD/state
bootloader = uboot
booted = bootloader
${2-}
[uboot]
fw-env-config = $PWD/fw_env.config

$(ab_disk_slots)
EOC
}
mkdir etc
good_conf good.conf
bad_conf() { # bad_conf NAME SED-EXPRESSION STATUS MESSAGE
	sed "$2" good.conf >"$1.conf"
	T="system.conf with $1" expect_exit "$3" "$FWVERIFY" status --config "$1.conf"
	check "the message for $1 names $4" grep -q -- "$4" "$LAST_ERR"
}
bad_conf unknown_key 's/^bootname = B$/bootnam = B/' 46 'line 24: unknown key "bootnam" in \[slot.rootfs.1\]'
bad_conf duplicate_key 's/^booted = bootloader$/booted = bootloader\nbooted = cmdline/' 46 'line 8: "booted" given twice in \[system\]'
bad_conf duplicate_section 's/^\[slot.kernel.1\]$/[slot.kernel.0]/' 46 '\[slot.kernel.0\] given twice (first on line 26)'
bad_conf missing_class '/^class = kernel$/d' 46 'needs class, device and bootname'
bad_conf overlap 's/^offset = 2M$/offset = 1536K/' 46 'line 19: \[slot.rootfs.1\] overlaps \[slot.rootfs.0\] (line 12)'
bad_conf third_bootname '$s/^bootname = B$/bootname = C/' 46 'line 33: \[slot.kernel.1\]: a third bootname "C"'
bad_conf class_in_one_set 's/^class = kernel$/class = kernel\nclass = kernel/' 46 '"class" given twice'
bad_conf relative_path 's|^state-dir = .*|state-dir = state|' 46 'state-dir: "state" is not an absolute path'
bad_conf bad_number 's/^size = 64K$/size = 64Q/' 46 'size: "64Q" is not a byte count'
bad_conf unknown_section 's/^\[uboot\]$/[u-boot]/' 46 'unknown section \[u-boot\]'
bad_conf no_fw_env 's/^fw-env-config = .*//' 46 'bootloader uboot needs \[uboot\] fw-env-config'
bad_conf empty_value 's/^fw-env-config = .*/fw-env-config =/' 46 'line 10: "fw-env-config" has no value'
bad_conf uboot_two_digit_tries 's/^booted = bootloader$/booted = bootloader\nboot-attempts = 10/' 46 'boot-attempts: 10, but with U-Boot tries are one digit'
bad_conf bad_bootloader 's/^bootloader = uboot$/bootloader = lilo/' 46 'bootloader: "lilo" is not one of'
bad_conf no_hardware 's/^hardware-id = hw-a$//' 46 'needs hardware-id, trusted-root, state-dir and bootloader'
printf '[system]\r\nhardware-id = hw-a\r\n' >crlf.conf
T="system.conf with CRLF line ends" expect_exit 46 "$FWVERIFY" status --config crlf.conf
T="a missing system.conf" expect_exit 33 "$FWVERIFY" status --config nowhere.conf
T="--device and --config together" expect_exit 2 "$FWVERIFY" status --device x --config good.conf

# ---- a U-Boot device whose slots are files at offsets in a disk image ----
# req: REQ-LIFE-008
truncate -s 4M disk.img
printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=0\nBOOTED=A\n' >env.txt
mkenvimage -s 0x4000 -o env.bin env.txt || die "mkenvimage"
echo "$PWD/env.bin 0x0 0x4000" >fw_env.config
FWP() { fw_printenv -c fw_env.config -n "$1" 2>/dev/null; }
make_payload factory.bin 300000
dd if=factory.bin of=disk.img bs=1M seek=1 conv=notrunc status=none
T="init a configured device with its factory image in A" expect_ok "$FWVERIFY" init \
	--config good.conf --root root.json --factory-version 0.5.0 --factory-security-version 0
check "the trusted root went where system.conf says" cmp etc/root.json root.json
check "the device's identity is system.conf's" grep -q "^hardware_id hw-a$" state/state
T="init takes no --hardware with a configuration" expect_exit 2 "$FWVERIFY" init \
	--config good.conf --root root.json --hardware hw-b
T="install 1.0.0 into set B" expect_ok "$FWVERIFY" install --config good.conf v1.fwb
check "rootfs landed in slot rootfs.1 (2 MiB into the image)" \
	cmp <(dd if=disk.img bs=1M skip=2 count=1 status=none | head -c 300000) a.bin
check "kernel landed in slot kernel.1 (at 0x340000)" \
	cmp <(dd if=disk.img bs=4096 skip=832 count=2 status=none | head -c 5000) b.bin
check "the factory image in A is untouched" \
	cmp <(dd if=disk.img bs=1M skip=1 count=1 status=none | head -c 300000) factory.bin
check "fw_printenv: BOOT_ORDER is now \"B A\"" test "$(FWP BOOT_ORDER)" = "B A"
check "fw_printenv: BOOT_B_LEFT = 3" test "$(FWP BOOT_B_LEFT)" = 3
T="mark-good before U-Boot booted B" expect_exit 45 "$FWVERIFY" mark-good --config good.conf B
# U-Boot boots B: the boot script spends a try and records it.
fw_setenv -c fw_env.config BOOT_B_LEFT 2 && fw_setenv -c fw_env.config BOOTED B || die "fw_setenv"
T="status shows fwseal's view and the bootloader's side by side" expect_ok "$FWVERIFY" status \
	--config good.conf --json
check "status: pending B booted, 2 tries left" python3 -c 'import json, sys
d = json.load(sys.stdin)
assert (d["pending_slot"], d["booted_slot"], d["boot_attempts"], d["bootloader"]) == ("b", "b", 2, "uboot"), d
assert d["bootnames"] == {"a": "A", "b": "B"} and d["boot_order"] == ["b", "a"], d' <"$LAST_OUT"
T="mark-good B (by its bootname)" expect_ok "$FWVERIFY" mark-good --config good.conf B
check "the counter is raised only now" grep -q "^security_version 1$" state/state
check "B's tries are renewed in U-Boot's environment" test "$(FWP BOOT_B_LEFT)" = 3
# ---- a failed update: U-Boot gives up on A's new image ----
# req: REQ-LIFE-002, REQ-LIFE-008
T="install 2.0.0 into set A" expect_ok "$FWVERIFY" install --config good.conf v2.fwb
check "BOOT_ORDER is \"A B\" with 3 tries for A" test "$(FWP BOOT_ORDER) $(FWP BOOT_A_LEFT)" = "A B 3"
fw_setenv -c fw_env.config BOOT_A_LEFT 0 && fw_setenv -c fw_env.config BOOTED B || die "fw_setenv"
T="status after U-Boot fell back to B" expect_ok "$FWVERIFY" status --config good.conf --json
T="the next operation notices the fallback" expect_ok "$FWVERIFY" mark-good --config good.conf
check "it reported the dropped update" grep -q "slot a used up its boot tries" "$LAST_OUT"
check "the counter did not move (still 1)" grep -q "^security_version 1$" state/state
check "the failed image is forgotten" grep -q "^slot_a_version -$" state/state
T="a bundle for a class this device has no slot for" expect_exit 47 "$FWVERIFY" install \
	--config good.conf "$(make_release k.json 3.0.0 3 hw-a a.bin:a.bin:bootloader && pack k.fwb k.json rel root.json && echo k.fwb)"
check "the message names the target" grep -q 'targets "bootloader": this device has no slot of that class' \
	"$LAST_ERR"
make_payload huge.bin 1100000
make_release h.json 3.0.0 3 hw-a a.bin:huge.bin:rootfs b.bin:b.bin:kernel
pack h.fwb h.json rel root.json
before=$(sha256sum disk.img state/state env.bin)
T="a payload larger than its slot" expect_exit 47 "$FWVERIFY" install --config good.conf h.fwb
check "the message says it does not fit" grep -q "does not fit \[slot.rootfs.0\]" "$LAST_ERR"
check "nothing was written" test "$before" = "$(sha256sum disk.img state/state env.bin)"
T="rollback to 0.9.0 is refused below the counter" expect_exit 25 "$FWVERIFY" install \
	--config good.conf v0.fwb

# ---- the booted slot from the kernel command line ----
# req: REQ-LIFE-008
good_conf cmd.conf
sed -i 's/^booted = bootloader$/cmdline-file = '"${PWD//\//\\/}"'\/cmdline/' cmd.conf
echo "console=ttyS0 root=/dev/mmcblk0p2 fwseal.slot=B quiet" >cmdline
T="status with the running set from fwseal.slot=B" expect_ok "$FWVERIFY" status --config cmd.conf --json
check "booted slot b from the command line" python3 -c 'import json, sys
assert json.load(sys.stdin)["booted_slot"] == "b"' <"$LAST_OUT"
echo "console=ttyS0 root=$PWD/disk.img ro" >cmdline
sed -i "0,/^device = .*/s||device = $PWD/alt-a.img|" cmd.conf
truncate -s 2M alt-a.img
sed -i "0,/^offset = 1M$/s//offset = 0/" cmd.conf
echo "console=ttyS0 root=$PWD/alt-a.img ro" >cmdline
T="status with the running set from root=" expect_ok "$FWVERIFY" status --config cmd.conf --json
check "booted slot a from root=DEVICE" python3 -c 'import json, sys
assert json.load(sys.stdin)["booted_slot"] == "a"' <"$LAST_OUT"

# ---- GRUB: the grubenv block, both ways with the real grub-editenv ----
# req: REQ-LIFE-008
mkdir g && cd g || die "cd g"
truncate -s 2M disk.img
grub-editenv grubenv create || die "grub-editenv create"
grub-editenv grubenv set BOOT_ORDER=A BOOT_A_LEFT=3 BOOT_B_LEFT=0 BOOTED=A other=kept || die "set"
sed -e "s|$(dirname "$PWD")|$PWD|g" -e "s|^bootloader = uboot$|bootloader = grub|" \
	-e "s|^\[uboot\]$|[grub]|" -e "s|^fw-env-config = .*|grubenv = $PWD/grubenv|" \
	-e "s/^offset = 1M$/offset = 0/" -e "s/^offset = 2M$/offset = 512K/" \
	-e "s/^offset = 3M$/offset = 920K/" -e "s/^offset = 0x340000$/offset = 984K/" \
	-e "s/^size = 1M$/size = 400K/" ../good.conf >grub.conf
mkdir etc
T="init a GRUB device" expect_ok "$FWVERIFY" init --config grub.conf --root ../root.json
T="install into B" expect_ok "$FWVERIFY" install --config grub.conf ../v1.fwb
check "grub-editenv list: BOOT_ORDER=B A, BOOT_B_LEFT=3, our other variable kept" bash -c \
	'grub-editenv grubenv list >list.txt && grep -qx "BOOT_ORDER=B A" list.txt &&
	 grep -qx "BOOT_B_LEFT=3" list.txt && grep -qx "other=kept" list.txt'
check "the block is still 1024 bytes" test "$(stat -c %s grubenv)" = 1024
grub-editenv grubenv set BOOT_B_LEFT=2 BOOTED=B || die "grub-editenv set"
T="mark-good after GRUB booted B (read from grubenv)" expect_ok "$FWVERIFY" mark-good \
	--config grub.conf
check "counter raised" grep -q "^security_version 1$" state/state
check "grub-editenv reads the renewed tries" bash -c 'grub-editenv grubenv list | grep -qx BOOT_B_LEFT=3'
cd ..

# ---- a custom bootloader program ----
# req: REQ-LIFE-008, REQ-CONF-002, REQ-CONF-003
mkdir c && cd c || die "cd c"
cat >loader.sh <<'EOS'
#!/bin/sh
# A stand-in for a vendor's boot-control tool: variables in a file.
f=$(dirname "$0")/vars
case $1 in
get) shift; for k in "$@"; do grep "^$k=" "$f" || true; done ;;
set) shift; for kv in "$@"; do k=${kv%%=*}; grep -v "^$k=" "$f" >"$f.new"; echo "$kv" >>"$f.new"; mv "$f.new" "$f"; done ;;
*) exit 2 ;;
esac
EOS
chmod +x loader.sh
printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOTED=A\n' >vars
sed -e "s|$(dirname "$PWD")|$PWD|g" -e "s|^bootloader = uboot$|bootloader = custom|" \
	-e "s|^\[uboot\]$|[custom]|" -e "s|^fw-env-config = .*|program = $PWD/loader.sh|" \
	../good.conf >custom.conf
truncate -s 4M disk.img
mkdir etc
T="init a device with a custom bootloader program" expect_ok "$FWVERIFY" init \
	--config custom.conf --root ../root.json
T="install through it" expect_ok "$FWVERIFY" install --config custom.conf ../v1.fwb
check "the program stored BOOT_ORDER=B A" grep -qx "BOOT_ORDER=B A" vars
printf '#!/bin/sh\nexit 3\n' >broken.sh && chmod +x broken.sh
sed "s|$PWD/loader.sh|$PWD/broken.sh|" custom.conf >broken.conf
T="a bootloader program that fails" expect_exit 48 "$FWVERIFY" status --config broken.conf
check "the message names the program and its status" grep -q "broken.sh: failed (exit status 3)" "$LAST_ERR"
# What the program sees: its arguments, a known environment, and none of
# the descriptors fwseal-verify holds (the state directory, the lock, the
# slots).
cat >spy.sh <<'EOS'
#!/bin/sh
d=$(dirname "$0")
env >"$d/spy.env"
ls -l /proc/$$/fd >"$d/spy.fds"
exec "$d/loader.sh" "$@"
EOS
chmod 755 spy.sh
sed "s|$PWD/loader.sh|$PWD/spy.sh|" custom.conf >spy.conf
FWSEAL_SECRET=leak T="status through a program that records what it was given" expect_ok \
	"$FWVERIFY" status --config spy.conf
check "it got a known environment, not fwseal-verify's" bash -c \
	'! grep -q FWSEAL_SECRET spy.env && grep -qx "PATH=/usr/sbin:/usr/bin:/sbin:/bin" spy.env'
check "it inherited nothing fwseal-verify holds open" bash -c \
	'grep -q " 0 -> " spy.fds && ! grep -q -e "$PWD/state" -e "$PWD/disk.img" -e "$PWD/etc" spy.fds'
printf '#!/bin/sh\necho BOOT_ORDER=A\necho BOOT_ORDER=B\n' >twice.sh && chmod 755 twice.sh
sed "s|$PWD/loader.sh|$PWD/twice.sh|" custom.conf >twice.conf
T="a program that prints a variable twice" expect_exit 48 "$FWVERIFY" status --config twice.conf
check "named: twice" grep -q "printed BOOT_ORDER twice" "$LAST_ERR"
cp loader.sh open.sh && chmod 775 open.sh
sed "s|$PWD/loader.sh|$PWD/open.sh|" custom.conf >open.conf
T="a bootloader program writable by its group" expect_exit 41 "$FWVERIFY" status --config open.conf
check "named: writable by group or others" grep -q "bootloader program: writable by group or others" \
	"$LAST_ERR"
cp custom.conf loose.conf && chmod 666 loose.conf
T="a system.conf anyone may write" expect_exit 41 "$FWVERIFY" status --config loose.conf
check "named: the system configuration" grep -q "loose.conf: system configuration: writable by group or others" \
	"$LAST_ERR"
cd ..

# ---- block devices: loop devices as slots, refused while mounted ----
# req: REQ-LIFE-010
if losetup -f >/dev/null 2>&1 && truncate -s 8M loopa.img loopb.img &&
	LA=$(losetup -f --show loopa.img 2>/dev/null) && LB=$(losetup -f --show loopb.img 2>/dev/null); then
	trap 'umount mnt 2>/dev/null; losetup -d "$LA" "$LB" 2>/dev/null' EXIT
	mkdir bd && cd bd || die "cd bd"
	mkdir etc
	printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOTED=A\n' >env.txt
	mkenvimage -s 0x4000 -o env.bin env.txt || die "mkenvimage"
	echo "$PWD/env.bin 0x0 0x4000" >fw_env.config
	cat >bd.conf <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/etc/root.json
state-dir = $PWD/state
bootloader = uboot
booted = bootloader
[uboot]
fw-env-config = $PWD/fw_env.config
[slot.rootfs.0]
class = rootfs
device = $LA
bootname = A
[slot.rootfs.1]
class = rootfs
device = $LB
bootname = B
EOC
	make_release r.json 1.0.0 1 hw-a a.bin:../a.bin:rootfs:65536
	pack r.fwb r.json ../rel ../root.json
	T="init a device whose slots are loop devices" expect_ok "$FWVERIFY" init --config bd.conf \
		--root ../root.json
	T="install into the block device of set B" expect_ok "$FWVERIFY" install --config bd.conf r.fwb
	check "the block device holds the payload" cmp <(head -c 300000 "$LB") ../a.bin
	mkfs.ext4 -q -F "$LB" >/dev/null 2>&1 && mkdir -p ../mnt && mount "$LB" ../mnt 2>/dev/null &&
		mounted=1 || mounted=0
	if [ $mounted = 1 ]; then
		"$FWVERIFY" rollback --config bd.conf >/dev/null 2>&1 || die "cancel"
		before=$(sha256sum state/state env.bin)
		T="install into a mounted block device" expect_exit 34 "$FWVERIFY" install --config bd.conf r.fwb
		check "the message says where it is mounted" grep -q "mounted at\|in use" "$LAST_ERR"
		check "nothing changed" test "$before" = "$(sha256sum state/state env.bin)"
		umount ../mnt
	else
		echo "# SKIPPED: the mounted-slot check: mounting an ext4 loop device failed here"
		ok "install into a mounted block device is refused # SKIP cannot mount here"
	fi
	cd ..
	losetup -d "$LA" "$LB"
	trap - EXIT
else
	echo "# SKIPPED: block-device slots on loop devices: losetup -f failed here ($(losetup -f 2>&1 | head -1));" \
		"the same writer is covered by the file slots above"
	ok "block-device slots on loop devices # SKIP no loop devices here"
fi
finish
