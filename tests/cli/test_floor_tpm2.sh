#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The rollback floor in a TPM (docs/rollback-floor.md), against swtpm
# started here on 127.0.0.1 with its state in the test directory: set up
# by init, raised only at mark-good (cross-checked with tpm2_nvread),
# surviving restarts of fwseal and of swtpm; an old state file restored
# does not let an old bundle in; a counter deleted and defined again does
# not lower it; the base cannot be rewritten; a raise above max-step and an
# unreachable TPM are refused with their own statuses, nothing installed.
# req: REQ-FLOOR-004
. "$(dirname "$0")/lib.sh"
. "$TESTS_CLI/floor.sh"

for tool in swtpm tpm2_nvread tpm2_nvdefine; do
	if ! command -v $tool >/dev/null; then
		ok "tpm2 floor # SKIP $tool is not installed (make test-deps installs it)"
		finish
	fi
done

floor_setup
floor_release v1 1.0.0 1
floor_release v2 2.0.0 2
floor_release v3 3.0.0 3
floor_release v40 40.0.0 40

tpm_start tpm
floor_device d "backend = tpm2" "tcti = $TCTI"
C=$(conf_of d)
cycle() { # cycle BUNDLE: install, boot, mark-good (one setup step)
	{ "$FWVERIFY" install --config "$C" "$1" && "$FWVERIFY" boot --config "$C" &&
		"$FWVERIFY" mark-good --config "$C"; } >"$T_DIR/setup.log" 2>&1 ||
		die "install+boot+mark-good $1: $(cat "$T_DIR/setup.log")"
}
floor_is() { # floor_is DESCRIPTION N: the TPM's floor, read with tpm2_nvread
	check "$1: tpm2_nvread gives floor $2" test "$(tpm_floor)" = "$2"
}

T="init sets the TPM floor up" expect_ok "$FWVERIFY" init --config "$C" --root root.json
floor_is "after init" 0
check "the base index is write-locked (tpm2_nvreadpublic)" \
	bash -c 'tpm2_nvreadpublic '$BASE_INDEX' | grep -q "writelocked"'
check "the counter is a counter (tpm2_nvreadpublic)" \
	bash -c 'tpm2_nvreadpublic '$COUNTER_INDEX' | grep -q "nt=0x1"'
T="status shows the floor" expect_ok "$FWVERIFY" status --config "$C"
check "status says: rollback floor 0 (tpm2)" grep -q "rollback floor:   0 (tpm2)" "$LAST_OUT"

# req: REQ-FLOOR-002, REQ-ROLL-002
T="install 2.0.0 (the floor is checked, not raised)" expect_ok "$FWVERIFY" install --config "$C" v2.fwb
T="boot it" expect_ok "$FWVERIFY" boot --config "$C"
floor_is "after install and boot" 0
T="mark-good raises the floor" expect_ok "$FWVERIFY" mark-good --config "$C"
floor_is "after mark-good of security_version 2" 2
check "the state is back to format 3 (no confirmation under way)" grep -qx "fwseal-state 3" d/state/state
T="mark-good again (renew) changes nothing" expect_ok "$FWVERIFY" mark-good --config "$C"
cp d/state/state old-state

cycle v3.fwb
floor_is "after 3.0.0 confirmed" 3

# ---- the floor outlives fwseal, swtpm and the state file ----
# req: REQ-FLOOR-001, REQ-ROLL-001
tpm_stop
tpm_start tpm
sed -i "s|^tcti = .*|tcti = $TCTI|" d/system.conf
floor_is "after swtpm restarted" 3
T="status after the restart" expect_ok "$FWVERIFY" status --config "$C" --json
check "status --json: rollback_floor 3 from tpm2" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["rollback_floor"]
assert d == {"backend": "tpm2", "value": 3, "error": None}, d' "$LAST_OUT"

cp d/state/state new-state
cp old-state d/state/state
T="old state file restored (security_version 2): 1.0.0 is still refused" \
	expect_exit 25 "$FWVERIFY" install --config "$C" v1.fwb
check "the refusal names the floor held by the TPM" \
	grep -q "below the rollback floor 3 held by the tpm2 floor (the state file says 2)" "$LAST_ERR"
T="old state file restored: 2.0.0 refused too" expect_exit 25 "$FWVERIFY" install --config "$C" v2.fwb
check "nothing installed: the state is the restored one" cmp old-state d/state/state
cp new-state d/state/state

# ---- a counter deleted and defined again does not lower the floor ----
# req: REQ-FLOOR-005, REQ-FLOOR-001
tpm2_nvundefine $COUNTER_INDEX -C o >/dev/null 2>&1 || die "nvundefine"
tpm2_nvdefine $COUNTER_INDEX -C o -s 8 -a "nt=counter|authwrite|authread|no_da" >/dev/null 2>&1 ||
	die "nvdefine"
T="a redefined counter never incremented: no floor, refused" \
	expect_exit 58 "$FWVERIFY" install --config "$C" v1.fwb
check "the message says the counter was never incremented" grep -q "never incremented" "$LAST_ERR"
tpm2_nvincrement $COUNTER_INDEX -C $COUNTER_INDEX >/dev/null 2>&1 || die "nvincrement"
check "the redefined counter reads at least the old floor 3" test "$(tpm_floor)" -ge 3
T="1.0.0 still refused with the redefined counter" \
	expect_exit 25 "$FWVERIFY" install --config "$C" v1.fwb

# ---- the base cannot be rewritten ----
# req: REQ-FLOOR-001
printf '\0\0\0\0\0\0\0\0' >zero8
check "tpm2_nvwrite of the base is refused by the TPM (write-locked)" \
	bash -c '! tpm2_nvwrite '$BASE_INDEX' -C '$BASE_INDEX' -i zero8 2>/dev/null'
rm -rf d/state
T="init again (state lost): the TPM's floor is kept" \
	expect_ok "$FWVERIFY" init --config "$C" --root root.json
check "the new state starts at the TPM's floor" grep -q "^security_version $(tpm_floor)$" d/state/state
T="after init again, 1.0.0 is refused" expect_exit 25 "$FWVERIFY" install --config "$C" v1.fwb

# ---- a raise above the step cap ----
# req: REQ-FLOOR-006
T="40.0.0: more than max-step 16 above the floor (own status, nothing installed)" \
	expect_exit 59 "$FWVERIFY" install --config "$C" v40.fwb
check "the message names max-step" grep -q "more than max-step 16 above the rollback floor" "$LAST_ERR"
check "nothing pending after the refusal" grep -qx "pending_slot -" d/state/state

# ---- an unreachable TPM ----
# req: REQ-FLOOR-005, REQ-LIFE-005
before=$(sha256sum d/state/state d/disk.img)
F=$(tpm_floor)
tpm_stop
T="TPM unreachable: install refused with its own status" \
	expect_exit 58 "$FWVERIFY" install --config "$C" v3.fwb
check "the message says the TPM cannot be reached" grep -q "cannot be reached" "$LAST_ERR"
check "nothing installed, state unchanged" test "$(sha256sum d/state/state d/disk.img)" = "$before"
T="TPM unreachable: status exits 58 (after printing)" expect_exit 58 "$FWVERIFY" status --config "$C"
tpm_start tpm
sed -i "s|^tcti = .*|tcti = $TCTI|" d/system.conf
check "the floor after all that: unchanged ($F)" test "$(tpm_floor)" = "$F"

# ---- a TPM whose owner hierarchy has a password ----
# req: REQ-FLOOR-007, REQ-FLOOR-005
tpm2_changeauth -c owner owner-secret >/dev/null 2>&1 || die "tpm2_changeauth"
printf 'owner-secret\n' >owner.pass
chmod 600 owner.pass
other="counter-index = 0x01500f10"
floor_device d2 "backend = tpm2" "tcti = $TCTI" "$other" "base-index = 0x01500f11"
T="init on a TPM with an owner password, none configured: refused" \
	expect_exit 58 "$FWVERIFY" init --config "$(conf_of d2)" --root root.json
check "the message names owner authorization" grep -q "cannot be defined (owner authorization?)" "$LAST_ERR"
check "nothing provisioned" test ! -e d2/state/state
floor_device d2 "backend = tpm2" "tcti = $TCTI" "$other" "base-index = 0x01500f11" \
	"owner-auth-file = $PWD/owner.pass"
chmod 644 owner.pass
T="owner-auth-file readable by others: refused" \
	expect_exit 41 "$FWVERIFY" init --config "$(conf_of d2)" --root root.json
chmod 600 owner.pass
T="init with owner-auth-file" expect_ok "$FWVERIFY" init --config "$(conf_of d2)" --root root.json
T="status of that device" expect_ok "$FWVERIFY" status --config "$(conf_of d2)"
check "its floor is 0" grep -q "rollback floor:   0 (tpm2)" "$LAST_OUT"
finish
