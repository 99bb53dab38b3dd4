#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The TPM floor under power cuts (make check-long; docs/rollback-floor.md):
# fwseal-verify killed with SIGKILL at a sweep of moments during
# mark-good (raising the floor by several increments) and during init
# (defining, writing and locking the indices), and swtpm itself killed
# mid-raise. After every kill:
#   - the state never says "confirmed N" while the TPM floor is below N
#     (the floor is raised before the confirmation is saved);
#   - the TPM floor is between the old floor and N (tpm2_nvread);
#   - the next operation finishes what was begun, and then the state's
#     counter and the TPM's floor agree.
# Timings only choose where the kill lands; no check depends on them.
# req: REQ-FLOOR-003, REQ-LIFE-003
. "$(dirname "$0")/lib.sh"
. "$TESTS_CLI/floor.sh"

for tool in swtpm tpm2_nvread; do
	if ! command -v $tool >/dev/null; then
		ok "tpm2 floor power cuts # SKIP $tool is not installed (make test-deps installs it)"
		finish
	fi
done

floor_setup
STEP=4
ROUNDS=${FLOOR_ROUNDS:-24}
for ((k = 1; k <= ROUNDS; k++)); do
	floor_release "v$k" "$k.0.0" $((k * STEP))
done

state_sv() { sed -n 's/^security_version //p' d/state/state; }
state_confirming() { sed -n 's/^floor_confirming //p' d/state/state; }

# ---- kill -9 during init ----
init_ok=0
for delay in 0 0.005 0.01 0.02 0.03 0.05 0.08 0.12; do
	rm -rf tpm d
	tpm_start tpm
	floor_device d "backend = tpm2" "tcti = $TCTI"
	C=$(conf_of d)
	"$FWVERIFY" init --config "$C" --root root.json >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ ! -f d/state/state ]; then
		"$FWVERIFY" init --config "$C" --root root.json >"$T_DIR/init.log" 2>&1 ||
			{ not_ok "init after a kill at ${delay}s" "$(cat "$T_DIR/init.log")"; continue; }
	fi
	f=$(tpm_floor)
	if "$FWVERIFY" status --config "$C" >/dev/null 2>&1 && [ "$f" = 0 ] &&
		tpm2_nvreadpublic $BASE_INDEX | grep -q writelocked; then
		init_ok=$((init_ok + 1))
	else
		not_ok "init killed at ${delay}s, then init again: status, floor 0 ($f), base locked"
	fi
	tpm_stop
done
check "init killed at 8 moments, each time a working device with floor 0 after init again" \
	test $init_ok = 8

# ---- kill -9 during mark-good ----
rm -rf tpm d
tpm_start tpm
floor_device d "backend = tpm2" "tcti = $TCTI"
C=$(conf_of d)
"$FWVERIFY" init --config "$C" --root root.json >/dev/null 2>&1 || die "init"
old=0
bad=0
kinds=" "
for ((k = 1; k <= ROUNDS; k++)); do
	n=$((k * STEP))
	{ "$FWVERIFY" install --config "$C" "v$k.fwb" && "$FWVERIFY" boot --config "$C"; } \
		>"$T_DIR/setup.log" 2>&1 || die "install v$k: $(cat "$T_DIR/setup.log")"
	delay=$(printf '0.%03d' $(((k * 7) % 60)))
	"$FWVERIFY" mark-good --config "$C" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	f=$(tpm_floor)
	sv=$(state_sv)
	cf=$(state_confirming)
	# Where the kill landed: before, while confirming, or after.
	kind=$([ -n "$cf" ] && echo while || { [ "$sv" = $n ] && echo after || echo before; })
	kinds="$kinds$kind "
	if [ "$sv" = $n ] && [ "$f" -lt $n ]; then
		not_ok "kill at ${delay}s, round $k: the state says confirmed $n, the TPM floor is $f"
		bad=$((bad + 1))
	fi
	if [ "$f" -lt $old ] || [ "$f" -gt $n ]; then
		not_ok "kill at ${delay}s, round $k: the TPM floor $f is outside $old..$n"
		bad=$((bad + 1))
	fi
	if [ -n "$cf" ] && [ "$cf" != $n ]; then
		not_ok "round $k: confirming $cf, not $n"
		bad=$((bad + 1))
	fi
	# The next start finishes it (or, killed before anything was saved,
	# this mark-good does the whole confirmation).
	"$FWVERIFY" mark-good --config "$C" >"$T_DIR/mg.log" 2>&1 ||
		{ not_ok "round $k: mark-good after the kill" "$(cat "$T_DIR/mg.log")"; bad=$((bad + 1)); }
	f=$(tpm_floor)
	if [ "$(state_sv)" != $n ] || [ "$f" != $n ] || [ -n "$(state_confirming)" ] ||
		! grep -qx "pending_slot -" d/state/state; then
		not_ok "round $k: after recovery, state $(state_sv), TPM $f, want both $n, nothing pending"
		bad=$((bad + 1))
	fi
	old=$n
done
check "mark-good killed in $ROUNDS rounds: the state never ahead of the TPM, all recovered" test $bad = 0
for kind in before while after; do
	case "$kinds" in
	*" $kind "*) ok "a kill landed $kind the confirmation (\"confirming N\" saved)" ;;
	*) ok "a kill landed $kind the confirmation # SKIP no kill landed there on this machine (kinds:$kinds)" ;;
	esac
done
check "the audit log verifies after all the kills" "$FWVERIFY" log --config "$C" --verify

# ---- the TPM loses power mid-raise ----
n=$(((ROUNDS + 4) * STEP))
floor_release vlast 99.0.0 $n
{ "$FWVERIFY" install --config "$C" vlast.fwb && "$FWVERIFY" boot --config "$C"; } \
	>"$T_DIR/setup.log" 2>&1 || die "install vlast: $(cat "$T_DIR/setup.log")"
"$FWVERIFY" mark-good --config "$C" >"$T_DIR/mg.log" 2>&1 &
pid=$!
sleep 0.01
tpm_kill
wait $pid
rc=$?
check "mark-good with the TPM killed under it: done, or refused as 58 (exit $rc)" \
	bash -c 'test $0 = 0 || test $0 = 58' $rc
tpm_start tpm
sed -i "s|^tcti = .*|tcti = $TCTI|" d/system.conf
f=$(tpm_floor)
check "after swtpm restarted, its floor is between $old and $n ($f)" \
	bash -c 'test $0 -ge $1 && test $0 -le $2' "$f" "$old" "$n"
T="mark-good again finishes" expect_ok "$FWVERIFY" mark-good --config "$C"
check "state and TPM agree on $n" test "$(state_sv):$(tpm_floor)" = "$n:$n"
finish
