#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The A/B story on a real U-Boot (Debian's u-boot-qemu in QEMU), on the DEMO
# ONLY example keys: 1.1.0 is installed and never confirmed, U-Boot falls back
# to 1.0.0 by itself and fwseal reports it; 1.2.0 is installed and confirmed.
# The long version, with every check, is tests/cli/long_uboot_qemu.sh.
# Between two boots this machine plays the device's running OS: it runs
# fwseal-verify on the disk image the VM boots next (the VM is off then).
set -u
cd "$(dirname "$0")/.." || exit 1
B=${BUILD:-build}
BIN=$PWD/$B
D=$PWD/$B/demo-uboot
UB=tests/uboot/uboot.sh
KEYS=$PWD/keys-example
# The demo keys' passphrase (keys-example/README.md): never with real keys.
export FWSEAL_PASSPHRASE=fwseal-demo
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(date +%s)}"

# Exit 77 when it cannot run here (the automake convention for a skip), so
# that tools/demo.sh's summary does not claim a scene that never ran.
missing=$(sh $UB missing)
if [ -n "$missing" ]; then
	echo "demo_uboot: skipped, not installed: $missing"
	exit 77
fi
if [ -t 1 ]; then
	say() { printf '\033[1m%-9s\033[0m %s\n' "$1" "$2"; }
else
	say() { printf '%-9s %s\n' "$1" "$2"; }
fi
die() { echo "DEMO FAILED: $*" >&2; exit 1; }
# fwseal-verify with the demo device's configuration; its output in $D/out.
fv() {
	c=$1
	shift
	"$BIN/fwseal-verify" "$c" --config "$D/system.conf" "$@" >"$D/out" 2>&1
}
FWP() { fw_printenv -c "$D/fw_env.config" -n "$1" 2>/dev/null; }
envline() { echo "BOOT_ORDER=\"$(FWP BOOT_ORDER)\" BOOT_A_LEFT=$(FWP BOOT_A_LEFT) BOOT_B_LEFT=$(FWP BOOT_B_LEFT) BOOTED=$(FWP BOOTED)"; }
n=0
boot() {
	n=$((n + 1))
	sh $UB boot "$D" "$D/boot$n.log" || die "boot $n: QEMU status $? (log $D/boot$n.log)"
	mark=$(sed -n 's/^FWSEAL-BOOTED //p' "$D/boot$n.log")
	[ -n "$mark" ] || die "boot $n: no image ran (log $D/boot$n.log)"
	say "boot $n" "U-Boot chose and ran: $mark; env now $(envline)"
}

{ rm -rf "$D" && mkdir -p "$D/etc"; } || die "cannot create $D"
chmod 600 "$KEYS"/*.key
for v in 1.0.0 1.1.0 1.2.0; do
	sh $UB payload $v "$D/img-$v" || die "payload $v"
done
for r in 1.1.0:2 1.2.0:3; do
	cat >"$D/${r%:*}.json" <<EOF
{"product": "infusion-pump", "version": "${r%:*}", "security_version": ${r#*:},
 "hardware": ["pump-rev-c"], "release_notes": "DEMO release for the U-Boot demo",
 "payloads": [{"name": "rootfs.img", "file": "$D/img-${r%:*}", "target": "rootfs"}]}
EOF
	"$BIN/fwseal" pack --manifest "$D/${r%:*}.json" --key "$KEYS/release.key" --root "$KEYS/root.json" \
		--out "$D/pump-${r%:*}.fwb" >/dev/null || die "pack ${r%:*}"
done
sh $UB disk "$D" "$D/img-1.0.0" >"$D/disk.log" 2>&1 || die "disk image: $(cat "$D/disk.log")"
ACCEL=$(sh $UB accel "$D" 2>"$D/accel.txt")
export ACCEL BOOT_TIMEOUT=20
sh $UB conf "$D" pump-rev-c "$D" >"$D/system.conf" || die "system.conf"

say "setup" "disk image $B/demo-uboot/disk.img: GPT with boot.scr, U-Boot env, slot A (factory 1.0.0), slot B"
[ "$ACCEL" = kvm ] || say "setup" "QEMU accelerator: $(cat "$D/accel.txt")"
boot
fv init --root "$KEYS/root.json" --factory-version 1.0.0 --factory-security-version 1 || die "$(cat "$D/out")"
say "fwseal" "init: 1.0.0 in A is the confirmed factory image, security_version 1"
fv install "$D/pump-1.1.0.fwb" || die "$(cat "$D/out")"
say "fwseal" "$(head -n 1 "$D/out"); env now $(envline)"
boot
say "os" "1.1.0 never runs mark-good (its health check fails, say): U-Boot spends its tries"
while [ "$mark" != "slot=A version=1.0.0" ] && [ $n -lt 8 ]; do boot; done
[ "$mark" = "slot=A version=1.0.0" ] || die "U-Boot did not fall back to A"
say "u-boot" "B's tries are spent: U-Boot fell back to A by itself"
fv mark-good booted || die "$(cat "$D/out")"
say "fwseal" "mark-good on A: $(head -n 1 "$D/out")"
fv status || die "$(cat "$D/out")"
say "fwseal" "status: $(grep '^version:' "$D/out" | tr -s ' '), $(grep '^security_version:' "$D/out" | tr -s ' ') (unchanged)"
fv install "$D/pump-1.2.0.fwb" || die "$(cat "$D/out")"
say "fwseal" "$(head -n 1 "$D/out")"
boot
fv mark-good booted || die "$(cat "$D/out")"
say "fwseal" "mark-good on B: $(head -n 1 "$D/out"); env now $(envline)"
boot
say "done" "$n boots, each slot chosen by U-Boot; serial logs in $B/demo-uboot/boot*.log"
