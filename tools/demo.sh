#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make demo: the whole story on the DEMO ONLY example keys and manifest.
# pack -> inspect -> verify -> device init -> install -> status, then three
# attacks refused: a tampered bundle, a bundle signed by an unknown key and
# an older security_version (rollback).
set -u
cd "$(dirname "$0")/.."
B=${BUILD:-build}
BIN=$PWD/$B
D=$B/demo
KEYS=keys-example
# The demo keys' passphrase, documented in keys-example/README.md. Never do
# this with real keys: use a terminal or a --passphrase-file in a vault.
export FWSEAL_PASSPHRASE=fwseal-demo
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)}

# Bold headings on a terminal only: logs and pipes get plain text.
if [ -t 1 ]; then
	BOLD=$(printf '\033[1m') PLAIN=$(printf '\033[0m')
else
	BOLD='' PLAIN=''
fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
run() { printf '$ %s\n' "$*"; "$@"; }
# Runs a command that must FAIL; shows its one-line reason and exit status.
refused() {
	printf '$ %s\n' "$*"
	"$@"
	status=$?
	if [ $status -eq 0 ]; then
		echo "DEMO FAILED: this should have been refused" >&2
		exit 1
	fi
	printf '   -> refused, exit status %d\n' "$status"
}
die() { echo "DEMO FAILED: $*" >&2; exit 1; }

rm -rf "$D" && mkdir -p "$D" || die "cannot create $D"
# git does not keep file modes; fwseal refuses secret keys that others can read.
chmod 600 $KEYS/*.key

step "Build two demo firmware images (deterministic contents)"
# 6 MiB root file system and a 300 KiB kernel; an older root fs for 1.1.0.
awk 'BEGIN { for (i = 0; i < 98304; i++) printf "rootfs block %08d of the 1.2.0 demo image.....\n", i }' > "$D/rootfs.img"
awk 'BEGIN { for (i = 0; i < 4800; i++) printf "kernel %08d demo image for fwseal.........................\n", i }' > "$D/kernel.img"
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "rootfs block %08d of the OLD 1.1.0 image..\n", i }' > "$D/rootfs-old.img"
for v in 1.2.1 1.3.0; do
	awk -v v=$v 'BEGIN { for (i = 0; i < 60000; i++) printf "rootfs block %08d of the %s demo image....\n", i, v }' > "$D/rootfs-$v.img"
done
ls -l "$D"/*.img

step "Release engineer: pack and sign 1.2.0 with the release key"
run "$BIN/fwseal" pack --manifest manifests/example.json --key $KEYS/release.key \
	--root $KEYS/root.json --out "$D/pump-1.2.0.fwb" || die "pack failed"

step "Anyone: inspect it (a plain tar: 'tar -tvf' lists it too)"
run "$BIN/fwseal" inspect "$D/pump-1.2.0.fwb" || die "inspect failed"
run tar -tvf "$D/pump-1.2.0.fwb"

step "CI: verify it against the trusted root, for the pump's hardware"
run "$BIN/fwseal" verify --root $KEYS/root.json --hardware pump-rev-c "$D/pump-1.2.0.fwb" ||
	die "verify failed"

step "Device: provision a simulated A/B device, install (pending), boot, confirm"
run "$BIN/fwseal-verify" init --device "$D/device" --root $KEYS/root.json --hardware pump-rev-c ||
	die "init failed"
run "$BIN/fwseal-verify" install --device "$D/device" "$D/pump-1.2.0.fwb" || die "install failed"
run "$BIN/fwseal-verify" boot --device "$D/device" || die "boot failed"
run "$BIN/fwseal-verify" mark-good --device "$D/device" || die "mark-good failed"
run "$BIN/fwseal-verify" status --device "$D/device" || die "status failed"
cmp "$D/device/b/rootfs" "$D/rootfs.img" && echo "slot b/rootfs is byte-identical to rootfs.img"

step "Attack 1: one byte of the root file system flipped in transit"
cp "$D/pump-1.2.0.fwb" "$D/tampered.fwb"
# Offset 1 MiB + 100 lies inside payloads/rootfs.img's second chunk.
printf 'X' | dd of="$D/tampered.fwb" bs=1 seek=$((1048576 + 100)) conv=notrunc 2>/dev/null
refused "$BIN/fwseal-verify" install --device "$D/device" "$D/tampered.fwb"

step "Attack 2: a bundle signed by a key the device does not trust"
run "$BIN/fwseal-keys" root init --root-key $KEYS/attacker.pub --release-key $KEYS/attacker.pub \
	--sign $KEYS/attacker.key --expires 30 --out "$D/attacker-root.json" >/dev/null ||
	die "attacker root failed"
run "$BIN/fwseal" pack --manifest manifests/example.json --key $KEYS/attacker.key \
	--root "$D/attacker-root.json" --out "$D/evil.fwb" || die "attacker pack failed"
refused "$BIN/fwseal-verify" install --device "$D/device" "$D/evil.fwb"

step "Attack 3: roll the device back to 1.1.0 (security_version 1 < 2)"
run "$BIN/fwseal" pack --manifest manifests/example-1.1.0.json --key $KEYS/release.key \
	--root $KEYS/root.json --out "$D/pump-1.1.0.fwb" || die "pack 1.1.0 failed"
refused "$BIN/fwseal-verify" install --device "$D/device" "$D/pump-1.1.0.fwb"

step "After three refusals the device is exactly as it was"
run "$BIN/fwseal-verify" status --device "$D/device" || die "status failed"

step "A failed update falls back: 1.2.1 installs but never confirms itself"
run "$BIN/fwseal" pack --manifest manifests/example-1.2.1.json --key $KEYS/release.key \
	--root $KEYS/root.json --out "$D/pump-1.2.1.fwb" || die "pack 1.2.1 failed"
run "$BIN/fwseal-verify" install --device "$D/device" "$D/pump-1.2.1.fwb" || die "install 1.2.1 failed"
for attempt in 1 2 3 4; do
	run "$BIN/fwseal-verify" boot --device "$D/device" || die "boot failed"
done
run "$BIN/fwseal-verify" status --device "$D/device" || die "status failed"

step "Key rotation + M-of-N: root v2 adds a second release key and needs 2 of 2"
run "$BIN/fwseal-keys" root new --from $KEYS/root.json --out "$D/root-v2.json" \
	--add-key $KEYS/release2.pub --role release --threshold release=2 --expires 3650 \
	--sign $KEYS/root.key || die "root new failed"
run "$BIN/fwseal-keys" root verify --trusted $KEYS/root.json "$D/root-v2.json" || die "root verify failed"
run "$BIN/fwseal" pack --manifest manifests/example-1.3.0.json --key $KEYS/release.key \
	--root $KEYS/root.json --root "$D/root-v2.json" --out "$D/pump-1.3.0.fwb" || die "pack 1.3.0 failed"
refused "$BIN/fwseal" verify --root $KEYS/root.json "$D/pump-1.3.0.fwb"
echo "   (one signature is not enough under root v2: a second engineer co-signs on their machine)"
run "$BIN/fwseal" sign --key $KEYS/release2.key --root $KEYS/root.json "$D/pump-1.3.0.fwb" ||
	die "co-sign failed"
run "$BIN/fwseal" verify --root $KEYS/root.json "$D/pump-1.3.0.fwb" || die "verify 1.3.0 failed"
run "$BIN/fwseal-verify" install --device "$D/device" "$D/pump-1.3.0.fwb" || die "install 1.3.0 failed"
run "$BIN/fwseal-verify" boot --device "$D/device" || die "boot failed"
run "$BIN/fwseal-verify" mark-good --device "$D/device" || die "mark-good failed"
run "$BIN/fwseal-verify" status --device "$D/device" || die "status failed"

step "Evidence: the device's hash-chained audit log"
run "$BIN/fwseal-verify" log --device "$D/device" || die "log failed"
run "$BIN/fwseal-verify" log --device "$D/device" --verify || die "log verify failed"

step "Over the network: 1.3.1 from nginx over https, only the changed chunks fetched"
BUILD=$B bash tools/demo_net.sh || die "the network demo failed"

step "On a real bootloader: U-Boot in QEMU decides the boot, fwseal drives it"
BUILD=$B sh tools/demo_uboot.sh
uboot=$?
[ "$uboot" -eq 0 ] || [ "$uboot" -eq 77 ] || die "the U-Boot demo failed"

# The summary names only the scenes that ran (demo_uboot.sh exits 77 when
# QEMU or u-boot-qemu is missing).
if [ "$uboot" -eq 0 ]; then
	uboot_said="; on the real U-Boot,\nthe bootloader itself fell back and fwseal reported it"
else
	uboot_said=".\nThe U-Boot scene was skipped (not installed here: see above)"
fi
printf '\n%sDemo complete:%s signed, verified, installed and confirmed; tampering, an unknown key\nand a rollback were refused; a failed boot fell back; the root rotated to 2-of-2 release\nsigning and the device followed it through the normal update path%b.\n' "$BOLD" "$PLAIN" "$uboot_said"
