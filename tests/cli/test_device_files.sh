# SPDX-License-Identifier: Apache-2.0
# The files a configured device's system.conf names, attacked (issue 21
# items 1, 2, 4): every file that decides where fwseal writes or what it
# runs is trusted only as far as system.conf is (ADR-070, exit 41); a slot
# may not cover anything fwseal or the bootloader needs (ADR-071, exit 72);
# a FIFO, socket, character device or directory where a file or a block
# device belongs is refused before anything could wait on it (exit 73); and
# the programs fwseal runs end within their bound, leave nothing running
# and inherit nothing (ADR-072, lib/io/run.c).
# req: REQ-CONF-001
. "$(dirname "$0")/lib.sh"

std_setup
mkdir etc
truncate -s 4M disk.img
printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=0\nBOOTED=A\n' >env.txt
mkenvimage -s 0x4000 -o env.bin env.txt || die "mkenvimage"
echo "$PWD/env.bin 0x0 0x4000" >fw_env.config
base_conf() { # base_conf FILE
	cat >"$1" <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/etc/root.json
state-dir = $PWD/state
bootloader = uboot
booted = bootloader
[uboot]
fw-env-config = $PWD/fw_env.config
$(ab_disk_slots)
EOC
}
base_conf good.conf
T="init the device every attack below starts from" expect_ok "$FWVERIFY" init --config good.conf \
	--root root.json --factory-version 0.5.0 --factory-security-version 0
# variant NAME SED-EXPRESSION: NAME.conf is good.conf edited.
variant() { sed "$2" good.conf >"$1.conf"; }
# refused NAME STATUS MESSAGE DESCRIPTION: status --config NAME.conf ends
# with STATUS (within 20 s: nothing may wait for ever) naming MESSAGE.
refused() {
	T="$4" expect_exit "$2" timeout 20 "$FWVERIFY" status --config "$1.conf"
	check "the refusal of $1 names: $3" grep -q -- "$3" "$LAST_ERR"
}

# ---- item 1: one trust rule for every file that steers a write ----
# req: REQ-CONF-002
cp fw_env.config fw_env.open && chmod 664 fw_env.open
variant env_group_writable "s|fw_env.config$|fw_env.open|"
refused env_group_writable 41 "fw_env.open: U-Boot environment configuration: writable by group or others" \
	"an fw_env.config its group may write (it names the files root's next install overwrites)"
cp fw_env.config fw_env.nobody && chown nobody fw_env.nobody
variant env_other_owner "s|fw_env.config$|fw_env.nobody|"
refused env_other_owner 41 "U-Boot environment configuration: owned by uid" \
	"an fw_env.config owned by another user"
mkdir pub && chmod 777 pub
cp fw_env.config pub/fw_env.config
variant env_open_dir "s|$PWD/fw_env.config$|$PWD/pub/fw_env.config|"
refused env_open_dir 41 "U-Boot environment configuration: its directory $PWD/pub is writable by group or others" \
	"an fw_env.config in a directory anyone may write (a planted one names any file)"
victim=$PWD/pub/victim
cp env.bin "$victim"
printf '%s 0x0 0x4000\n%s 0x0 0x4000\n' "$PWD/env.bin" "$victim" >fw_env.second
variant env_second_copy "s|fw_env.config$|fw_env.second|"
refused env_second_copy 41 "U-Boot environment copy 2 (fw_env.config line 2): its directory $PWD/pub" \
	"fw_env.config naming a second environment copy where others may plant it"
cp env.bin env.nobody && chown nobody env.nobody
printf '%s 0x0 0x4000\n%s 0x0 0x4000\n' "$PWD/env.bin" "$PWD/env.nobody" >fw_env.nobodycopy
variant env_copy_other_owner "s|fw_env.config$|fw_env.nobodycopy|"
refused env_copy_other_owner 41 "U-Boot environment copy 2 (fw_env.config line 2): owned by uid" \
	"an environment copy owned by another user"
ln -s "$PWD/disk.img" pub/slot-b
variant slot_planted_link "0,/^device = .*/s|device = .*|device = $PWD/pub/slot-b|"
refused slot_planted_link 41 "\[slot.rootfs.0\]: its directory $PWD/pub is writable by group or others" \
	"a slot reached through a directory others may write (a planted link redirects the write)"
mkdir by-label && ln -s ../disk.img by-label/system
variant slot_trusted_link "0,/^device = .*/s|device = .*|device = $PWD/by-label/system|"
T="a slot through a link in a trusted directory (as /dev/disk/by-partlabel) is accepted" \
	expect_ok "$FWVERIFY" status --config slot_trusted_link.conf
mkdir -m 775 grp && cp -a state grp/state
variant state_group_dir "s|^state-dir = .*|state-dir = $PWD/grp/state|"
refused state_group_dir 41 "state directory: its directory $PWD/grp is writable by group or others" \
	"a state directory below a directory its group may write"
cp etc/root.json root.real && mkdir -p lnk && ln -s "$PWD/root.real" lnk/root.json
variant root_link "s|^trusted-root = .*|trusted-root = $PWD/lnk/root.json|"
refused root_link 41 "trusted root: a symbolic link" \
	"a trusted root that is a symbolic link (init would replace the link, not the file)"
cp good.conf pub/sys.conf
T="a system.conf in a directory anyone may write" expect_exit 41 "$FWVERIFY" status \
	--config pub/sys.conf
check "named: its directory" grep -q "system configuration: its directory $PWD/pub is writable" \
	"$LAST_ERR"
mkdir -m 1777 sticky && cp good.conf sticky/sys.conf
T="a system.conf in a root-owned sticky directory (as /tmp) is accepted" expect_ok "$FWVERIFY" \
	status --config sticky/sys.conf
echo "console=ttyS0 fwseal.slot=A" >cmdline && chmod 666 cmdline
variant cmdline_open "s|^booted = bootloader$|cmdline-file = $PWD/cmdline|"
refused cmdline_open 41 "kernel command line file: writable by group or others" \
	"a kernel command line file anyone may write (it decides which set mark-good confirms)"
chmod 644 cmdline

# GRUB: a link at grubenv is read, then replaced by a regular file.
mkdir g && cd g || die "cd g"
grub-editenv real.env create && grub-editenv real.env set BOOT_ORDER=A BOOT_A_LEFT=3 BOOTED=A ||
	die "grub-editenv"
ln -s real.env grubenv
sed -e "s|^bootloader = uboot$|bootloader = grub|" -e "s|^\[uboot\]$|[grub]|" \
	-e "s|^fw-env-config = .*|grubenv = $PWD/grubenv|" ../good.conf >link.conf
before=$(sha256sum real.env)
T="a grubenv that is a symbolic link (GRUB would never see the new order)" expect_exit 41 \
	"$FWVERIFY" install --config link.conf ../v1.fwb
check "named: the GRUB environment block is a link" grep -q "grubenv: GRUB environment block: a symbolic link" \
	"$LAST_ERR"
check "the link is still a link and its target unchanged" \
	sh -c 'test -L grubenv && test "$1" = "$(sha256sum real.env)"' sh "$before"
cd ..

# The custom bootloader program: its directory counts too.
cat >pub/loader.sh <<'EOS'
#!/bin/sh
exit 0
EOS
chmod 755 pub/loader.sh
sed -e "s|^bootloader = uboot$|bootloader = custom|" -e "s|^\[uboot\]$|[custom]|" \
	-e "s|^fw-env-config = .*|program = $PWD/pub/loader.sh|" good.conf >program_open_dir.conf
refused program_open_dir 41 "bootloader program: its directory $PWD/pub is writable" \
	"a bootloader program in a directory anyone may write (it would be swapped for another)"

# ---- item 4: a FIFO, socket, device node or directory is refused, not waited on ----
# req: REQ-CONF-001
mkfifo slot.fifo fw_env.fifo env.fifo
variant fifo_slot "\$s|^device = .*|device = $PWD/slot.fifo|;s|^size = 64K$|size = 64K|"
sed -i "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/slot.fifo|" fifo_slot.conf
refused fifo_slot 73 "\[slot.kernel.1\]: a FIFO, not a regular file or block device" \
	"a FIFO as a slot (opening it for writing would wait for ever)"
variant fifo_env_config "s|fw_env.config$|fw_env.fifo|"
refused fifo_env_config 73 "U-Boot environment configuration: a FIFO, not a regular file" \
	"a FIFO as fw_env.config"
echo "$PWD/env.fifo 0x0 0x4000" >fw_env.tofifo
variant fifo_env_device "s|fw_env.config$|fw_env.tofifo|"
refused fifo_env_device 73 "U-Boot environment copy 1 (fw_env.config line 1): a FIFO" \
	"a FIFO as the U-Boot environment device"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$PWD/env.sock" ||
	die "socket"
echo "$PWD/env.sock 0x0 0x4000" >fw_env.tosock
variant socket_env_device "s|fw_env.config$|fw_env.tosock|"
refused socket_env_device 73 "U-Boot environment copy 1 (fw_env.config line 1): a socket" \
	"a socket as the U-Boot environment device"
variant chardev_slot "/^\[slot.kernel.1\]/,\$s|^device = .*|device = /dev/null|"
refused chardev_slot 73 "\[slot.kernel.1\]: a character device" "/dev/null as a slot"
mkdir slotdir
variant dir_slot "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/slotdir|"
refused dir_slot 73 "\[slot.kernel.1\]: a directory" "a directory as a slot"

# ---- item 2: a slot may not cover what fwseal or the bootloader needs ----
# req: REQ-CONF-001
dd if=env.bin of=disk.img bs=1 seek=$((0x348000)) conv=notrunc status=none
printf '%s 0x0 0x4000\n%s 0x348000 0x4000\n' "$PWD/env.bin" "$PWD/disk.img" >fw_env.inslot
variant env_in_slot "s|fw_env.config$|fw_env.inslot|"
refused env_in_slot 72 "\[slot.kernel.1\] covers U-Boot environment copy 2" \
	"a slot over the U-Boot environment's second copy (an install would overwrite it)"
dd if=env.bin of=disk.img bs=1 seek=$((0x350000)) conv=notrunc status=none
echo "$PWD/disk.img 0x350000 0x4000" >fw_env.beside
variant env_beside_slot "s|fw_env.config$|fw_env.beside|"
T="an environment copy right after a slot's last byte is not covered" expect_ok "$FWVERIFY" \
	status --config env_beside_slot.conf
ln env.bin env.hardlink
variant env_hardlink "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/env.hardlink|;s|^offset = 0x340000$|offset = 0|"
refused env_hardlink 72 "\[slot.kernel.1\] covers U-Boot environment copy 1 ($PWD/env.bin)" \
	"a slot on the environment file through another name (a hard link)"
variant slot_is_conf "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/slot_is_conf.conf|;s|^offset = 0x340000$|offset = 0|"
refused slot_is_conf 72 "covers system.conf" "a slot over system.conf itself"
variant slot_is_root "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/etc/root.json|;s|^offset = 0x340000$|offset = 0|"
refused slot_is_root 72 "covers the trusted root" "a slot over the trusted root"
truncate -s 1M state/slot.img
variant slot_in_state "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/state/slot.img|;s|^offset = 0x340000$|offset = 0|"
refused slot_in_state 72 "is inside the state directory" "a slot inside the state directory"
rm -f state/slot.img
ln state/log log.hardlink 2>/dev/null || die "no audit log to link"
variant slot_is_log "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/log.hardlink|;s|^offset = 0x340000$|offset = 0|"
refused slot_is_log 72 "covers the audit log" "a slot over the audit log (a hard link outside the state directory)"
rm -f log.hardlink
mkdir g2 && cd g2 || die "cd g2"
grub-editenv grubenv create || die "grub-editenv"
sed -e "s|^bootloader = uboot$|bootloader = grub|" -e "s|^\[uboot\]$|[grub]|" \
	-e "s|^fw-env-config = .*|grubenv = $PWD/grubenv|" \
	-e "/^\[slot.kernel.1\]/,\$s|^device = .*|device = $PWD/grubenv|" \
	-e "s|^offset = 0x340000$|offset = 0|" ../good.conf >slot_is_grubenv.conf
refused slot_is_grubenv 72 "covers the GRUB environment block" "a slot over grubenv"
cd ..

# ---- item 6: root= naming an image both sets share names no set ----
# req: REQ-LIFE-008
echo "console=ttyS0 root=$PWD/disk.img ro" >cmdline
variant shared_root "s|^booted = bootloader$|cmdline-file = $PWD/cmdline|"
T="status when root= names the disk image both sets have slots in" expect_ok "$FWVERIFY" status \
	--config shared_root.conf --json
check "the running set is not known (not set a)" python3 -c 'import json, sys
assert json.load(sys.stdin)["booted_slot"] is None' <"$LAST_OUT"
variant leading_zero "s|^offset = 3M$|offset = 010|"
refused leading_zero 46 'offset: "010" is not a byte count' \
	"an offset with a leading 0 (octal to some readers, decimal to others)"

# ---- item 4: the programs fwseal runs (lib/io/run.c) ----
# req: REQ-CONF-003
mkdir c && cd c || die "cd c"
printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOTED=A\n' >vars
cat >loader.sh <<'EOS'
#!/bin/sh
f=$(dirname "$0")/vars
case $1 in
get) shift; for k in "$@"; do grep "^$k=" "$f" || true; done ;;
set) shift; for kv in "$@"; do k=${kv%%=*}; grep -v "^$k=" "$f" >"$f.new"; echo "$kv" >>"$f.new"; mv "$f.new" "$f"; done ;;
esac
EOS
cat >forks.sh <<'EOS'
#!/bin/sh
# Starts a child that keeps the output open and outlives the program.
d=$(dirname "$0")
sleep 60 &
echo $! >"$d/child.pid"
exec "$d/loader.sh" "$@"
EOS
cat >spy.sh <<'EOS'
#!/bin/sh
d=$(dirname "$0")
ls /proc/$$/fd >"$d/spy.fds"
readlink /proc/$$/fd/0 >"$d/spy.stdin"
exec "$d/loader.sh" "$@"
EOS
chmod 755 loader.sh forks.sh spy.sh
program_conf() { # program_conf NAME PROGRAM
	sed -e "s|$(dirname "$PWD")/state|$PWD/state|" -e "s|$(dirname "$PWD")/etc|$PWD/etc|" \
		-e "s|^bootloader = uboot$|bootloader = custom|" -e "s|^\[uboot\]$|[custom]|" \
		-e "s|^fw-env-config = .*|program = $PWD/$2|" ../good.conf >"$1.conf"
}
mkdir etc
program_conf loader loader.sh
T="init a device with a custom bootloader program" expect_ok "$FWVERIFY" init --config loader.conf \
	--root ../root.json
program_conf forks forks.sh
T="a bootloader program that forks a sleeping child holding its output: status ends" \
	expect_ok timeout 20 "$FWVERIFY" status --config forks.conf
sleep 0.2
check "the forked child was killed with the program's process group" \
	sh -c '! kill -0 "$1" 2>/dev/null || grep -q "^State:.*Z" "/proc/$1/status"' sh "$(cat child.pid)"
program_conf spy spy.sh
T="a bootloader program run while fwseal-verify holds an extra descriptor and reads the bundle on stdin" \
	expect_ok "$FWVERIFY" status --config spy.conf 9<../v1.fwb <../v1.fwb
check "it inherited no descriptor beyond 0, 1 and 2 (not fd 9)" sh -c '! grep -qx 9 spy.fds'
check "its standard input is /dev/null, not a second copy of the input" grep -qx /dev/null spy.stdin
cd ..
# ---- item 2 on block devices: the same device through any node ----
# req: REQ-LIFE-010
# A partition table when sfdisk is there (the partition check below needs it).
truncate -s 8M loopa.img
printf 'label: dos\nstart=2048, size=4096\nstart=6144, size=4096\n' | sfdisk -q loopa.img >/dev/null 2>&1 || true
if losetup -f >/dev/null 2>&1 && LA=$(losetup -f --show -P loopa.img 2>/dev/null); then
	trap 'losetup -d "$LA" 2>/dev/null' EXIT
	mknod altnode b "$(stat -c %t "$LA" | xargs printf '%d' 0x)" \
		"$(stat -c %T "$LA" | xargs printf '%d' 0x)" || die "mknod"
	echo "$PWD/altnode 0x7e8000 0x4000" >fw_env.loop
	sed -e "s|fw_env.config$|fw_env.loop|" -e "0,/^device = .*/s|device = .*|device = $LA|" \
		-e "0,/^offset = 1M$/s||offset = 0x7e0000|" -e "0,/^size = 1M$/s||size = 64K|" \
		good.conf >loop_env.conf
	refused loop_env 72 "\[slot.rootfs.0\] covers U-Boot environment copy 1 ($PWD/altnode)" \
		"a slot over the environment on the same block device through another device node"
	if [ -b "${LA}p1" ]; then
		echo "${LA}p1 0x0 0x4000" >fw_env.part
		sed -e "s|fw_env.config$|fw_env.part|" -e "0,/^device = .*/s|device = .*|device = $LA|" \
			-e "0,/^offset = 1M$/s||offset = 0x100000|" -e "0,/^size = 1M$/s||size = 64K|" \
			good.conf >loop_part.conf
		refused loop_part 72 "\[slot.rootfs.0\] covers U-Boot environment copy 1 (${LA}p1)" \
			"a slot on the whole disk over the environment in its first partition"
	else
		echo "# SKIPPED: the whole-disk/partition overlap: no partition nodes for loop devices here"
		ok "a slot on the whole disk over the environment in its first partition # SKIP no loop partitions here"
	fi
	losetup -d "$LA"
	trap - EXIT
else
	echo "# SKIPPED: loop devices: losetup -f failed here ($(losetup -f 2>&1 | head -1))"
	ok "a slot over the environment on the same block device # SKIP no loop devices here"
fi
finish
