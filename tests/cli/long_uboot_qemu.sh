# SPDX-License-Identifier: Apache-2.0
# fwseal against a real U-Boot: Debian's u-boot-qemu (qemu_arm64) boots, in
# qemu-system-aarch64, a disk image built here from nothing: a FAT partition
# with tests/uboot/boot.cmd, the raw U-Boot environment, slots A and B. U-Boot
# itself picks the slot and spends its tries at every boot; fwseal-verify
# installs into the same image and reads and writes the same environment
# through libubootenv.
#
# What is real and what is not: the guest never runs Linux. A slot holds a
# U-Boot script image that prints "FWSEAL-BOOTED slot=X version=V" and the
# command line a kernel would get, then the VM powers off. The host plays the
# running OS of that boot: between two boots, with the VM off, it runs
# fwseal-verify (init, install, mark-good, status) against the disk image the
# VM boots next. So the OS's part of each boot happens after its poweroff
# instead of during it; what U-Boot reads and decides is unaffected.
# req: REQ-LIFE-008, REQ-LIFE-002
. "$(dirname "$0")/lib.sh"

UB=$TESTS_DIR/uboot/uboot.sh
missing=$(sh "$UB" missing)
if [ -n "$missing" ]; then
	why="not installed: $missing"
	if [ "${CI:-}" = true ]; then
		not_ok "qemu-system-aarch64 and Debian's U-Boot are installed (CI=true: the deps step must install them)" "$missing"
		exit 1
	fi
	skip "fwseal drives a real U-Boot" "$why"
	finish
fi

start=$(date +%s)
make_key rootk
make_key rel
make_key evil
make_root root.json rootk rel
make_root evil-root.json evil evil
VM=$PWD/vm
mkdir -p "$VM" etc
for v in 1.0.0 1.1.0 1.2.0 1.3.0; do
	sh "$UB" payload $v "$PWD/img-$v" || die "payload $v"
done
make_release v11.json 1.1.0 2 hw-a rootfs:img-1.1.0:rootfs
make_release v12.json 1.2.0 3 hw-a rootfs:img-1.2.0:rootfs
make_release v13.json 1.3.0 4 hw-a rootfs:img-1.3.0:rootfs
pack v11.fwb v11.json rel root.json
pack v12.fwb v12.json rel root.json
pack v13.fwb v13.json rel root.json
pack evil.fwb v13.json evil evil-root.json
# A validly signed 1.3.0 with one byte of its image changed (the "1.3.0" it
# prints becomes "1.2.0"): the signed manifest is intact, the chunk is not.
at=$(grep -abo 'version=1.3.0' v13.fwb | cut -d: -f1)
[ "$(echo "$at" | wc -w)" = 1 ] || die "the 1.3.0 image text is not once in v13.fwb: $at"
cp v13.fwb tampered.fwb
printf '2' | dd of=tampered.fwb bs=1 seek=$((at + 10)) conv=notrunc status=none
cmp -s v13.fwb tampered.fwb && die "tampered.fwb is not tampered"

# Factory: 1.0.0 in slot A, env "BOOT_ORDER=A BOOT_A_LEFT=3 BOOT_B_LEFT=0".
sh "$UB" disk "$VM" img-1.0.0 >"$T_DIR/disk.log" 2>&1 || die "disk image: $(cat "$T_DIR/disk.log")"
ACCEL=$(sh "$UB" accel "$VM" 2>"$T_DIR/accel")
[ "$ACCEL" = kvm ] || echo "# note: $(cat "$T_DIR/accel")"
export ACCEL BOOT_TIMEOUT=20

sh "$UB" conf "$VM" hw-a "$PWD" >system.conf || die "system.conf"
C=(--config "$PWD/system.conf")

# ---- helpers ----
NBOOT=0
MARK=""
# boot: one power-on to poweroff; MARK = what the slot's image printed.
boot() {
	NBOOT=$((NBOOT + 1))
	LOG=$PWD/boot$NBOOT.log
	local rc=0
	sh "$UB" boot "$VM" "$LOG" || rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "boot $NBOOT ends by itself (poweroff)" "QEMU exit status $rc (124: killed after $BOOT_TIMEOUT s)" \
			"$(tail -n 12 "$LOG")"
		exit 1
	fi
	MARK=$(sed -n 's/^FWSEAL-BOOTED //p' "$LOG")
}
# boots DESCRIPTION SLOT VERSION: the next boot runs VERSION from SLOT.
boots() {
	boot
	if [ "$MARK" = "slot=$2 version=$3" ]; then
		ok "$1 (boot $NBOOT: slot=$2 version=$3)"
	else
		not_ok "$1" "boot $NBOOT printed [$MARK], expected [slot=$2 version=$3]" "$(grep FWSEAL "$LOG")"
	fi
}
FWP() { fw_printenv -c "$VM/fw_env.config" -n "$1" 2>/dev/null; }
# env_is WHEN ORDER A_LEFT B_LEFT BOOTED: what U-Boot will read next boot
# (fw_printenv), and that fwseal's status --json reports the same.
env_is() {
	local want="BOOT_ORDER=$2 BOOT_A_LEFT=$3 BOOT_B_LEFT=$4 BOOTED=$5" got
	got="BOOT_ORDER=$(FWP BOOT_ORDER) BOOT_A_LEFT=$(FWP BOOT_A_LEFT) BOOT_B_LEFT=$(FWP BOOT_B_LEFT) BOOTED=$(FWP BOOTED)"
	if [ "$got" = "$want" ]; then ok "$1: fw_printenv reads $want"; else not_ok "$1: fw_printenv reads $want" "got $got"; fi
	status_says "$1: status --json says what the env says" \
		'(" ".join(d["bootnames"][s] for s in d["boot_order"]) == "'"$2"'" and
		  (d["slots"]["a"]["boot_tries"], d["slots"]["b"]["boot_tries"]) == ('"$3, $4"') and
		  d["bootnames"].get(d["booted_slot"] or "-", "") == "'"$5"'")'
}
# status_says DESCRIPTION PYTHON-EXPRESSION over d = status --json.
status_says() {
	if ! "$FWVERIFY" status "${C[@]}" --json >"$T_DIR/status.json" 2>"$T_DIR/status.err"; then
		not_ok "$1" "status --json failed" "$(cat "$T_DIR/status.err")"
		return 1
	fi
	check "$1" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert eval(sys.argv[2]), json.dumps(d, indent=1)' "$T_DIR/status.json" "$2"
}
# The bytes an install may change: each slot and the env area.
part_sum() { dd if="$VM/disk.img" bs=512 skip="$1" count="$2" status=none | sha256sum | cut -c1-16; }
slot_sums() { echo "slot A $(part_sum 20480 16384), slot B $(part_sum 36864 16384)"; }
env_sum() { part_sum 18432 32; }
slot_holds() { cmp -s <(dd if="$VM/disk.img" bs=512 skip="$1" count=16 status=none | head -c "$(stat -c %s "$2")") "$2"; }

# ---- first boot from the factory ----
boots "U-Boot boots the factory image from A" A 1.0.0
check "the boot script spent one of A's tries and recorded BOOTED=A" \
	test "$(FWP BOOT_A_LEFT) $(FWP BOOTED)" = "2 A"
# The OS of that first boot provisions fwseal for the image it runs.
T="init with 1.0.0 (security_version 1) as the factory image in A" expect_ok "$FWVERIFY" init "${C[@]}" \
	--root root.json --factory-version 1.0.0 --factory-security-version 1
env_is "after init" "A" 3 0 A
status_says "1.0.0 confirmed in a, counter 1" \
	'(d["version"], d["confirmed_slot"], d["security_version"]) == ("1.0.0", "a", 1)'

# ---- 1.1.0 installed, never confirmed: U-Boot falls back by itself ----
T="install 1.1.0 (security_version 2)" expect_ok "$FWVERIFY" install "${C[@]}" v11.fwb
check "install put 1.1.0 into slot B (partition slot_B)" slot_holds 36864 img-1.1.0
env_is "after install 1.1.0" "B A" 3 3 A
boots "U-Boot boots the new image from B" B 1.1.0
env_is "B running" "B A" 3 2 B
status_says "fwseal sees B booted, pending, 2 tries left" \
	'(d["booted_slot"], d["pending_slot"], d["boot_attempts"]) == ("b", "b", 2)'
# The OS may also learn its slot from the command line U-Boot passed.
sed -n 's/^FWSEAL-CMDLINE //p' "$LOG" >cmdline
sed 's|^booted = bootloader$|cmdline-file = '"$PWD"'/cmdline|' system.conf >cmdline.conf
"$FWVERIFY" status --config "$PWD/cmdline.conf" --json >"$T_DIR/cmd.json" 2>&1
check "fwseal.slot=B on the command line U-Boot built names slot b" python3 -c 'import json, sys
assert json.load(open(sys.argv[1]))["booted_slot"] == "b"' "$T_DIR/cmd.json"
T="install while B runs unconfirmed is refused as busy" expect_exit 34 "$FWVERIFY" install "${C[@]}" v12.fwb
env_is "after the refused install" "B A" 3 2 B
# 1.1.0 never runs mark-good (its health check fails, say): U-Boot boots it
# until its tries are spent, then A. Boot until A comes up.
n=1
while [ "$MARK" = "slot=B version=1.1.0" ] && [ $n -lt 6 ]; do
	boot
	n=$((n + 1))
done
if [ "$n $MARK" = "4 slot=A version=1.0.0" ]; then
	ok "U-Boot went back to A (1.0.0) by itself once B's 3 tries were spent (boot $NBOOT)"
else
	not_ok "U-Boot went back to A (1.0.0) by itself once B's 3 tries were spent" \
		"boot $n since the install printed [$MARK]; expected boot 4 to run slot=A version=1.0.0"
fi
env_is "back on A" "B A" 2 0 A
status_says "before any fwseal step: B still pending with 0 tries, counter still 1" \
	'(d["pending_slot"], d["slots"]["b"]["boot_tries"], d["security_version"]) == ("b", 0, 1)'
# A's OS confirms itself at every boot, as it should; that operation is the
# first to see the failed update.
T="mark-good on A after the fallback" expect_ok "$FWVERIFY" mark-good "${C[@]}" booted
check "mark-good reports that B used up its tries" grep -q "slot b used up its boot tries" "$LAST_OUT"
check "state: the counter did not move (security_version 1)" grep -qx "security_version 1" state/state
check "state: 1.1.0 is forgotten (slot_b_version -)" grep -qx "slot_b_version -" state/state
status_says "status: 1.0.0 confirmed in a, counter 1, nothing pending" \
	'(d["version"], d["confirmed_slot"], d["security_version"], d["pending_slot"]) == ("1.0.0", "a", 1, None)'
"$FWVERIFY" log "${C[@]}" >"$T_DIR/log.txt" 2>&1
check "the audit log records the fallback" grep -q "fallback.*1\.1\.0.*slot b used up its boot tries" "$T_DIR/log.txt"
env_is "after mark-good on A" "A" 3 0 A

# ---- 1.2.0 installed, boots, confirmed ----
# req: REQ-ROLL-005
T="install 1.2.0 (security_version 3)" expect_ok "$FWVERIFY" install "${C[@]}" v12.fwb
env_is "after install 1.2.0" "B A" 3 3 A
boots "U-Boot boots 1.2.0 from B" B 1.2.0
T="mark-good on B running 1.2.0" expect_ok "$FWVERIFY" mark-good "${C[@]}" booted
status_says "mark-good raised the counter to 3; 1.2.0 confirmed in b" \
	'(d["security_version"], d["version"], d["confirmed_slot"]) == (3, "1.2.0", "b")'
# A still holds 1.0.0, but below the counter now: no longer a fallback
# U-Boot may take (ADR-032), or a failing B would bring back the old image.
env_is "after mark-good on B: A (below the counter) is out of the order" "B" 0 3 B
for i in 1 2; do
	boots "U-Boot keeps booting confirmed 1.2.0 ($i)" B 1.2.0
	env_is "confirmed B booted ($i)" "B" 0 2 B
	T="mark-good renews B's tries ($i)" expect_ok "$FWVERIFY" mark-good "${C[@]}" booted
	env_is "after renewing ($i)" "B" 0 3 B
done

# ---- refused bundles change nothing (install --help: "A refused bundle
# changes nothing"; docs/recovery.md rule 1) ----
# The in-place slot writer marks the target set empty only at the first
# verified chunk (ADR-010 as amended): a bundle refused before that,
# including one whose first chunk is tampered with, leaves slots, env and
# state as they were.
# req: REQ-LIFE-005
refused() { # DESCRIPTION STATUS BUNDLE
	local slots env vars
	slots=$(slot_sums) env=$(env_sum) vars=$(fw_printenv -c "$VM/fw_env.config" | tr '\n' ' ')
	cp state/state "$T_DIR/state.before"
	T="$1" expect_exit "$2" "$FWVERIFY" install "${C[@]}" "$3"
	check "$1: slots A and B are byte for byte unchanged" test "$(slot_sums)" = "$slots"
	if [ "$(env_sum)" = "$env" ]; then
		ok "$1: U-Boot's env is byte for byte unchanged"
	else
		not_ok "$1: U-Boot's env is byte for byte unchanged" "before: $vars" \
			"after:  $(fw_printenv -c "$VM/fw_env.config" | tr '\n' ' ')"
	fi
	check "$1: fwseal's state is unchanged" diff "$T_DIR/state.before" state/state
	status_says "$1: counter still 3, 1.2.0 confirmed" \
		'(d["security_version"], d["version"]) == (3, "1.2.0")'
}
refused "a signed 1.3.0 with one byte of its image changed" 22 tampered.fwb
refused "1.3.0 signed by a key the device does not trust" 11 evil.fwb
refused "rollback: the genuine 1.1.0 again (security_version 2 < 3)" 25 v11.fwb
boots "after the refusals U-Boot still boots 1.2.0" B 1.2.0

# ---- damage on the disk, behind fwseal's back ----
# One byte of slot B's image changed on the disk: U-Boot's source refuses it
# (data CRC); the script resets, the try already spent.
left=$(FWP BOOT_B_LEFT)
printf 'X' | dd of="$VM/disk.img" bs=1 seek=$((36864 * 512 + 80)) conv=notrunc status=none
boot
check "a damaged image in B is not run: FWSEAL-PAYLOAD-FAILED, then reset" \
	bash -c 'test -z "$1" && grep -qx "FWSEAL-PAYLOAD-FAILED slot=B" "$2" && grep -q "^resetting" "$2"' _ "$MARK" "$LOG"
check "its try was spent before it ran (BOOT_B_LEFT $left -> $((left - 1)))" test "$(FWP BOOT_B_LEFT)" = $((left - 1))

echo "# note: long_uboot_qemu: $NBOOT boots under $ACCEL, $(($(date +%s) - start)) s in all"
finish
