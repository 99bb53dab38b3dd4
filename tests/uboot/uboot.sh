#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A real U-Boot for fwseal's end-to-end test and demo: Debian's u-boot-qemu
# (board qemu_arm64) in qemu-system-aarch64, booting a disk image that holds
# the boot script, U-Boot's environment and slots A and B.
#
#   uboot.sh missing                 what is not installed (one line, empty: all there)
#   uboot.sh payload VERSION OUT     a slot image that prints its version
#   uboot.sh disk DIR FACTORY        DIR/disk.img (FACTORY in slot A), the
#                                    board env and DIR/fw_env.config
#   uboot.sh conf DIR HW STATE       the device's system.conf for DIR/disk.img
#                                    (slots at the partitions' offsets, the env
#                                    through DIR/fw_env.config), state and
#                                    trusted root below STATE
#   uboot.sh accel DIR               "kvm" if KVM can run this guest, else "tcg"
#   uboot.sh boot DIR LOG            one boot, power-on to poweroff; the serial
#                                    log (without CRs) in LOG; exits with
#                                    QEMU's status (124: BOOT_TIMEOUT hit)
#
# Environment: ACCEL (tcg), BOOT_TIMEOUT (seconds, 30), QEMU, UBOOT_BIN, BOOT_CMD (the boot
# script source, default boot.cmd next to this file).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
UBOOT_BIN=${UBOOT_BIN:-/usr/lib/u-boot/qemu_arm64/u-boot.bin}
QEMU=${QEMU:-qemu-system-aarch64}
BOOT_CMD=${BOOT_CMD:-$HERE/boot.cmd}

# Disk layout (512-byte sectors). boot.cmd finds the partitions by GPT name;
# the byte offsets are what fw_env.config and system.conf must repeat.
BOOT_LBA=2048 BOOT_SECTS=16384 # p1 "boot"      FAT with /boot.scr   1 MiB
ENV_LBA=18432 ENV_SECTS=2048   # p2 "uboot_env" raw env, 0x900000    9 MiB
A_LBA=20480 A_SECTS=16384      # p3 "slot_A"    0xA00000, 8 MiB     10 MiB
B_LBA=36864 B_SECTS=16384      # p4 "slot_B"    0x1200000, 8 MiB    18 MiB
ENV_SIZE=0x4000                # = fws_env_size in boot.cmd

die() { echo "uboot.sh: $*" >&2; exit 1; }

# One line, "" when everything is there.
missing() {
	m=""
	for t in $QEMU:qemu-system-arm mkimage:u-boot-tools mkenvimage:u-boot-tools \
		sfdisk:fdisk mformat:mtools mcopy:mtools fw_printenv:libubootenv-tool \
		fw_setenv:libubootenv-tool timeout:coreutils; do
		command -v "${t%%:*}" >/dev/null 2>&1 || m="$m, ${t%%:*} (Debian package ${t#*:})"
	done
	[ -r "$UBOOT_BIN" ] || m="$m, $UBOOT_BIN (Debian package u-boot-qemu)"
	echo "${m#, }"
}

# A legacy "script" uImage: U-Boot's `source` checks its header and data
# CRC, then runs it. It stands in for a kernel: it prints the slot U-Boot
# loaded it from, the version baked into it, and the command line a kernel
# would get.
payload() {
	sed "s/@VERSION@/$1/" "$HERE/payload.cmd" >"$2.cmd"
	mkimage -A arm64 -O linux -T script -C none -n "fwseal test $1" -d "$2.cmd" "$2" >/dev/null
	rm -f "$2.cmd"
}

# U-Boot's own (board) environment, read-only in pflash bank 1: the stock
# default environment, taken out of u-boot.bin, with three changes that only
# make the test fast and self-ending: no boot delay, look at virtio only, and
# power off if no boot script was found instead of waiting at the prompt.
# Read-only on purpose: saveenv to QEMU pflash fails with this U-Boot and
# corrupts it (FINDINGS.md); fwseal's state is on the disk instead.
board_env() {
	tr '\0' '\n' <"$UBOOT_BIN" | sed -n '/^bootcmd=run distro_bootcmd$/,/^$/{/^$/q;p}' |
		sed -e 's/^bootdelay=.*/bootdelay=0/' -e 's/^boot_targets=.*/boot_targets=virtio0/' \
			-e 's/^bootcmd=.*/bootcmd=run distro_bootcmd; echo FWSEAL-NO-BOOT-SCRIPT; poweroff/' \
			>"$1/board-env.txt"
	grep -q '^scriptaddr=' "$1/board-env.txt" || die "no default environment found in $UBOOT_BIN"
	# 0x40000 = the board's CONFIG_ENV_SIZE; 64 MiB = the size of a virt pflash bank.
	mkenvimage -s 0x40000 -o "$1/board-env.img" "$1/board-env.txt"
	truncate -s 64M "$1/board-env.img"
}

disk() {
	d=$1 img=$1/disk.img
	rm -f "$img"
	truncate -s 32M "$img"
	sfdisk -q "$img" <<EOF
label: gpt
unit: sectors
first-lba: 2048
start=$BOOT_LBA, size=$BOOT_SECTS, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="boot"
start=$ENV_LBA, size=$ENV_SECTS, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="uboot_env"
start=$A_LBA, size=$A_SECTS, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="slot_A"
start=$B_LBA, size=$B_SECTS, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="slot_B"
EOF
	# FAT with mtools, at the partition's offset: no root, no loop device.
	mformat -i "$img@@$((BOOT_LBA * 512))" -T $BOOT_SECTS -h 16 -s 32 -N 0000f5ea -v BOOT ::
	mkimage -A arm64 -O linux -T script -C none -n fwseal-ab -d "$BOOT_CMD" "$d/boot.scr" >/dev/null
	mcopy -i "$img@@$((BOOT_LBA * 512))" "$d/boot.scr" ::boot.scr
	dd if="$2" of="$img" bs=512 seek=$A_LBA conv=notrunc status=none
	# What the factory programs: A (the factory image) is the only slot to try.
	printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=0\n' >"$d/env-factory.txt"
	mkenvimage -s $ENV_SIZE -o "$d/env-factory.bin" "$d/env-factory.txt"
	dd if="$d/env-factory.bin" of="$img" bs=512 seek=$ENV_LBA conv=notrunc status=none
	# libubootenv: the device is the image file itself, at the partition's offset.
	printf '%s 0x%x %s\n' "$img" $((ENV_LBA * 512)) $ENV_SIZE >"$d/fw_env.config"
	board_env "$d"
}

qemu() { # DIR LOG ACCEL [extra QEMU options]
	d=$1 log=$2 acc=$3
	shift 3
	cpu=cortex-a57
	[ "$acc" = kvm ] && cpu=host
	rc=0
	# stdin from /dev/null: QEMU must never wait for a terminal.
	timeout -k 5 "${BOOT_TIMEOUT:-30}" "$QEMU" -M virt -accel "$acc" -cpu $cpu -smp 1 -m 512 \
		-display none -monitor none -serial stdio -nic none -no-reboot -bios "$UBOOT_BIN" \
		-drive "if=pflash,unit=1,format=raw,readonly=on,file=$d/board-env.img" \
		"$@" </dev/null >"$log.raw" 2>&1 || rc=$?
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	return $rc
}

# KVM only where it can work: an arm64 host with /dev/kvm, and then only if
# a diskless boot really reaches the board env's poweroff under it.
accel() {
	host=$(uname -m)
	if [ "$host" != aarch64 ]; then
		echo "KVM cannot run an arm64 guest on a $host host: TCG (software emulation)" >&2
	elif [ ! -w /dev/kvm ]; then
		echo "no writable /dev/kvm: TCG (software emulation)" >&2
	elif BOOT_TIMEOUT=20 qemu "$1" "$1/kvm-probe.log" kvm &&
		grep -q FWSEAL-NO-BOOT-SCRIPT "$1/kvm-probe.log"; then
		echo kvm
		return 0
	else
		echo "KVM did not boot U-Boot (see $1/kvm-probe.log): TCG (software emulation)" >&2
	fi
	echo tcg
}

# The system.conf of the board: the slots are the partitions, given as the
# disk image with their byte offsets (what fwseal-verify writes on the host
# is what U-Boot reads in the VM).
conf() {
	cat <<EOF
[system]
hardware-id = $2
trusted-root = $3/etc/root.json
state-dir = $3/state
bootloader = uboot
booted = bootloader
boot-attempts = 3
[uboot]
fw-env-config = $1/fw_env.config
[slot.rootfs.0]
class = rootfs
device = $1/disk.img
offset = $((A_LBA * 512))
size = $((A_SECTS * 512))
bootname = A
[slot.rootfs.1]
class = rootfs
device = $1/disk.img
offset = $((B_LBA * 512))
size = $((B_SECTS * 512))
bootname = B
EOF
}

usage() { die "usage: uboot.sh missing|payload|disk|conf|accel|boot ... (see the top of this file)"; }
case ${1:-}:$# in
missing:1) missing ;;
payload:3) payload "$2" "$3" ;;
disk:3) disk "$2" "$3" ;;
conf:4) conf "$2" "$3" "$4" ;;
accel:2) accel "$2" ;;
boot:3)
	qemu "$2" "$3" "${ACCEL:-tcg}" -drive "if=none,id=hd0,format=raw,file=$2/disk.img" \
		-device virtio-blk-pci,drive=hd0
	;;
*) usage ;;
esac
