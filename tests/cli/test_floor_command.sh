#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The rollback floor kept by an external program (backend = command;
# docs/rollback-floor.md), here a small shell script keeping one number in
# a file: init provisions it, mark-good raises it, install refuses below it
# even with an old state file; a kill -9 of fwseal-verify between the
# confirmation's steps (done by the program itself, at two named points) is
# finished at the next start; a program that fails, lies, prints garbage or
# hangs is refused (58), a hung one killed with everything it started; the
# program gets no descriptor and no environment of fwseal's. And the
# [floor] section of system.conf is parsed strictly.
. "$(dirname "$0")/lib.sh"
. "$TESTS_CLI/floor.sh"

floor_setup
floor_release v1 1.0.0 1
floor_release v2 2.0.0 2
floor_release v3 3.0.0 3
floor_release v30 30.0.0 30

# The program: a number in $PWD/fl/value; FAULT files make it misbehave.
mkdir fl
cat >fl/floor <<EOP
#!/bin/sh
V=$PWD/fl/value
fault() { test -f "$PWD/fl/\$1" && rm -f "$PWD/fl/\$1"; }
ls /proc/self/fd >"$PWD/fl/fds"
env >"$PWD/fl/env"
if fault garbage; then echo "seven"; exit 0; fi
if fault fail; then exit 7; fi
if fault hang; then sleep 300 & echo \$! >"$PWD/fl/child"; sleep 300; fi
case "\$1" in
get) cat "\$V" ;;
provision|raise)
	[ "\$1" = provision ] && [ ! -f "\$V" ] && echo 0 >"\$V"
	if fault kill-before-raise; then kill -9 \$PPID; exit 9; fi
	if fault lie; then exit 0; fi
	[ "\$2" -gt "\$(cat "\$V")" ] && echo "\$2" >"\$V.new" && mv "\$V.new" "\$V"
	if fault kill-after-raise; then kill -9 \$PPID; exit 9; fi
	;;
*) exit 2 ;;
esac
EOP
chmod 755 fl/floor
floor_device d "backend = command" "program = $PWD/fl/floor" "timeout = 1"
C=$(conf_of d)
value() { cat fl/value; }
fault() { touch "fl/$1"; }

# req: REQ-FLOOR-007
T="init provisions the program's floor" expect_ok "$FWVERIFY" init --config "$C" --root root.json
check "the floor is 0" test "$(value)" = 0
check "the program inherited only stdin, stdout, stderr (3 is ls's own)" \
	test "$(sort -n fl/fds | tr '\n' ' ')" = "0 1 2 3 "
check "the program's environment is fwseal's clean one (no FWSEAL_PASSPHRASE)" \
	bash -c '! grep -q FWSEAL_ fl/env && grep -qx LC_ALL=C fl/env'

# ---- raised only at mark-good ----
# req: REQ-FLOOR-002, REQ-ROLL-002
T="install 2.0.0" expect_ok "$FWVERIFY" install --config "$C" v2.fwb
T="boot" expect_ok "$FWVERIFY" boot --config "$C"
check "install does not raise the floor" test "$(value)" = 0
T="mark-good" expect_ok "$FWVERIFY" mark-good --config "$C"
check "mark-good raised the floor to 2" test "$(value)" = 2
cp d/state/state old-state

# ---- kill -9 after "confirming 3" was saved, before the floor is raised ----
# req: REQ-FLOOR-003
T="install 3.0.0" expect_ok "$FWVERIFY" install --config "$C" v3.fwb
T="boot" expect_ok "$FWVERIFY" boot --config "$C"
fault kill-before-raise
"$FWVERIFY" mark-good --config "$C" >/dev/null 2>&1
check "mark-good killed (-9) by the program before the raise" test $? = 137
check "the state says: confirming 3 (format 5: format 4's line and the pending release's digest)" \
	bash -c 'head -n 1 d/state/state | grep -qx "fwseal-state 5" && grep -qx "floor_confirming 3" d/state/state && grep -q "^pending_manifest " d/state/state'
check "the floor is still 2" test "$(value)" = 2
T="status reads a state that is confirming" expect_ok "$FWVERIFY" status --config "$C"
T="the next operation finishes the confirmation" expect_ok "$FWVERIFY" mark-good --config "$C"
check "the floor is 3" test "$(value)" = 3
check "the state: 3.0.0 confirmed, security_version 3, format 3" \
	bash -c 'head -n 1 d/state/state | grep -qx "fwseal-state 3" && grep -qx "security_version 3" d/state/state && grep -qx "pending_slot -" d/state/state'
check "the audit log says an interrupted confirmation was finished" \
	grep -q "an interrupted confirmation of slot . finished: rollback floor 3 (command)" d/state/log

# ---- kill -9 after the floor was raised, before "confirmed" was saved ----
# req: REQ-FLOOR-003
floor_release v4 4.0.0 4
T="install 4.0.0" expect_ok "$FWVERIFY" install --config "$C" v4.fwb
T="boot" expect_ok "$FWVERIFY" boot --config "$C"
fault kill-after-raise
"$FWVERIFY" mark-good --config "$C" >/dev/null 2>&1
check "mark-good killed (-9) by the program after the raise" test $? = 137
check "the floor is 4, the state still confirming 4" \
	bash -c 'test "$(cat fl/value)" = 4 && grep -qx "floor_confirming 4" d/state/state'
T="the next operation (boot) finishes the confirmation" expect_ok "$FWVERIFY" boot --config "$C"
check "the state: security_version 4, nothing pending" \
	bash -c 'grep -qx "security_version 4" d/state/state && grep -qx "pending_slot -" d/state/state'
T="the confirmed set renews" expect_ok "$FWVERIFY" mark-good --config "$C"

# ---- the floor decides, not the state file ----
# req: REQ-FLOOR-001, REQ-ROLL-001
cp d/state/state new-state
cp old-state d/state/state
T="old state file restored: 3.0.0 refused (rollback)" expect_exit 25 "$FWVERIFY" install --config "$C" v3.fwb
check "the refusal names the floor" grep -q "below the rollback floor 4 held by the command floor" "$LAST_ERR"
cp new-state d/state/state
state_set d/state security_version 3
T="a state saying 3: returning to 3.0.0 in the other slot refused by the floor" \
	expect_exit 25 "$FWVERIFY" mark-active --config "$C" other
check "the message names the floor" grep -q "is below the rollback floor 4 (command)" "$LAST_ERR"
cp new-state d/state/state
"$FWSEAL" permit --key rel.key --root root.json --bundle v3.fwb --device-id hw-a \
	--to-version 3.0.0 --out p3.permit >"$T_DIR/setup.log" 2>&1 || die "permit: $(cat "$T_DIR/setup.log")"
T="a downgrade permit does not go below the program's floor" \
	expect_exit 25 "$FWVERIFY" install --config "$C" --permit p3.permit v3.fwb
check "the message says so" grep -q "below the rollback floor 4 held by the command floor (no permit goes below it)" "$LAST_ERR"
# req: REQ-FLOOR-006
T="30.0.0 is more than max-step 16 above the floor" expect_exit 59 "$FWVERIFY" install --config "$C" v30.fwb

# ---- a program that misbehaves ----
# req: REQ-FLOOR-005, REQ-LIFE-005
refused() { # refused FAULT DESCRIPTION MESSAGE
	before=$(sha256sum d/state/state d/disk.img)
	fault "$1"
	T="floor program $2: install refused" expect_exit 58 "$FWVERIFY" install --config "$C" v4.fwb
	check "the message says it ($3)" grep -q "$3" "$LAST_ERR"
	check "nothing installed, state unchanged ($1)" test "$(sha256sum d/state/state d/disk.img)" = "$before"
}
refused garbage "printing garbage" "get printed something other than one number"
refused fail "failing" "get failed (exit status 7)"
refused hang "hanging" "ran longer than 1 s (killed)"
# req: REQ-FLOOR-007
# Killed: gone, or a zombie until its new parent reaps it.
check "what the hung program started was killed with it" \
	bash -c 's=$(ps -o stat= -p "$(cat fl/child)"); test -z "$s" || test "${s:0:1}" = Z'
floor_release v5 5.0.0 5
T="install 5.0.0" expect_ok "$FWVERIFY" install --config "$C" v5.fwb
T="boot" expect_ok "$FWVERIFY" boot --config "$C"
fault lie
T="a program that says it raised, but did not: mark-good refused" \
	expect_exit 58 "$FWVERIFY" mark-good --config "$C"
check "the message says get disagrees" grep -q "raise 5 succeeded, but get prints 4" "$LAST_ERR"
check "the state: 5.0.0 still pending, security_version 4, format 5 (no confirmation under way)" \
	bash -c 'grep -qx "security_version 4" d/state/state && ! grep -qx "pending_slot -" d/state/state && head -n 1 d/state/state | grep -qx "fwseal-state 5" && ! grep -q "^floor_confirming" d/state/state'
T="mark-good again, the program honest" expect_ok "$FWVERIFY" mark-good --config "$C"
check "the floor is 5" test "$(value)" = 5
chmod 775 fl/floor
T="a floor program others may change is refused" expect_exit 41 "$FWVERIFY" status --config "$C"
chmod 755 fl/floor

# ---- a device provisioned with the file floor moves to the program ----
# req: REQ-FLOOR-008
mkdir fl2
sed "s|$PWD/fl/|$PWD/fl2/|g" fl/floor >fl2/floor
chmod 755 fl2/floor
floor_device m
T="init with the file floor" expect_ok "$FWVERIFY" init --config "$(conf_of m)" --root root.json
{ "$FWVERIFY" install --config "$(conf_of m)" v3.fwb && "$FWVERIFY" boot --config "$(conf_of m)" &&
	"$FWVERIFY" mark-good --config "$(conf_of m)"; } >"$T_DIR/setup.log" 2>&1 ||
	die "install 3.0.0 on m: $(cat "$T_DIR/setup.log")"
T="provision-floor with the file floor: nothing to set up" \
	expect_exit 2 "$FWVERIFY" provision-floor --config "$(conf_of m)"
floor_device m "backend = command" "program = $PWD/fl2/floor"
T="the program's floor not set up yet: install refused" \
	expect_exit 58 "$FWVERIFY" install --config "$(conf_of m)" v4.fwb
T="provision-floor sets it up at the state's security_version" \
	expect_ok "$FWVERIFY" provision-floor --config "$(conf_of m)"
check "the program's floor is 3" test "$(cat fl2/value)" = 3
check "the audit log records it" grep -q '"floor-provision".*rollback floor 3 (command) set up' m/state/log
cp m/state/state m-state
echo 5 >fl2/value
T="provision-floor again keeps a higher floor, and the state follows it" \
	expect_ok "$FWVERIFY" provision-floor --config "$(conf_of m)" --json
check "the floor stayed 5, the state says 5" \
	bash -c 'test "$(cat fl2/value)" = 5 && grep -qx "security_version 5" m/state/state'
cp m-state m/state/state
T="the state file restored to 3: 4.0.0 still refused" \
	expect_exit 25 "$FWVERIFY" install --config "$(conf_of m)" v4.fwb

# ---- [floor] in system.conf, strictly ----
# req: REQ-CONF-001
bad_floor() { # bad_floor NAME MESSAGE FLOOR-LINES...
	local name=$1 msg=$2
	shift 2
	floor_device "c-$name" "$@"
	T="[floor] with $name" expect_exit 46 "$FWVERIFY" status --config "$(conf_of "c-$name")"
	check "the message for $name names $msg" grep -q -- "$msg" "$LAST_ERR"
}
bad_floor unknown_backend 'backend: "rpmb" is not file, tpm2 or command' "backend = rpmb"
bad_floor tpm2_without_tcti "backend tpm2 needs tcti" "backend = tpm2"
bad_floor tcti_with_file "tcti is for backend tpm2 only" "tcti = device:/dev/tpmrm0"
bad_floor index_not_owner 'counter-index: "0x81000000" is not an owner NV index' \
	"backend = tpm2" "tcti = device:/dev/tpmrm0" "counter-index = 0x81000000"
bad_floor same_indices "counter-index and base-index are the same NV index" \
	"backend = tpm2" "tcti = device:/dev/tpmrm0" "counter-index = 0x01500f01"
bad_floor relative_program 'program: "floor" is not an absolute path' "backend = command" "program = floor"
bad_floor command_without_program "backend command needs program" "backend = command"
bad_floor max_step_with_file "max-step is for backends tpm2 and command" "max-step = 4"
bad_floor big_max_step 'max-step: "1001" is not a number from 0 to 1000' "backend = command" \
	"program = $PWD/fl/floor" "max-step = 1001"
bad_floor unknown_key 'unknown key "counter" in \[floor\]' "backend = tpm2" "counter = 1"
bad_floor twice '"backend" given twice in \[floor\]' "backend = file" "backend = file"
finish
