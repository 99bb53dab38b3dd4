# SPDX-License-Identifier: Apache-2.0
# The device's update life cycle with the real binaries: install makes the
# inactive slot PENDING with 3 boot attempts; boot spends them and falls back
# to the confirmed slot when none remain; only mark-good raises the stored
# security_version; rollback cancels a pending update or returns to the
# other, previously confirmed slot while its security_version allows. And
# around it: the device lock, streaming from (slow) pipes, corrupt state, a
# swapped-in old root, audit log tampering, and the device's trusted time.
. "$(dirname "$0")/lib.sh"

std_setup
# 1.1.0: same security_version as 1.0.0; 2.0.0 and 3.0.0 raise it.
make_release v11.json 1.1.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v11.fwb v11.json rel root.json
make_payload a2.bin 200000 "rootfs 2.0.0"
make_release v2.json 2.0.0 2 hw-a a.bin:a2.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb v2.json rel root.json
make_release v3.json 3.0.0 3 hw-a a.bin:a2.bin:rootfs:65536 b.bin:b.bin:kernel
pack v3.fwb v3.json rel root.json


# ---- install -> pending; boot spends an attempt; mark-good raises the counter ----
# req: REQ-LIFE-001, REQ-ROLL-002
device_init dev
status_is "fresh device: slot a confirmed (empty), nothing pending, security_version 0" dev \
	'(d["confirmed_slot"], d["pending_slot"], d["security_version"], d["booted_slot"]) == ("a", None, 0, None)'
T="install 1.0.0" expect_ok "$FWVERIFY" install --device dev v1.fwb
check "install reports slot b pending with 3 boot attempts" \
	grep -q "into slot b: pending, 3 boot attempts" "$LAST_OUT"
status_is "after install: b pending (1.0.0, 3 attempts), a still confirmed, security_version 0" dev \
	'(d["pending_slot"], d["boot_attempts"], d["confirmed_slot"], d["security_version"]) == ("b", 3, "a", 0) and (d["slots"]["b"]["version"], d["slots"]["b"]["security_version"]) == ("1.0.0", 1) and d["version"] is None and d["boot_order"] == ["b", "a"]'
T="status (text) with a pending update" expect_ok "$FWVERIFY" status --device dev
check "status (text) shows the pending update and its attempts" \
	grep -q "^pending: *1.0.0 in slot b, 3 boot attempts left" "$LAST_OUT"
before=$(snapshot dev)
T="mark-good before anything has booted" expect_exit 45 "$FWVERIFY" mark-good --device dev
check "the message says no boot is known yet" grep -q "which slot is running is not known yet" \
	"$LAST_ERR"
check "the refused mark-good changed nothing" test "$before" = "$(snapshot dev)"
T="mark-good b while the update in b has not booted yet" expect_exit 45 "$FWVERIFY" mark-good \
	--device dev b
check "the message says the update has not booted yet" grep -q "has not booted yet" "$LAST_ERR"

T="boot with an update pending" expect_ok "$FWVERIFY" boot --device dev
check "boot runs the pending slot b" grep -q "^booted slot b " "$LAST_OUT"
status_is "boot spent one attempt: 2 left, b running, security_version still 0" dev \
	'(d["pending_slot"], d["boot_attempts"], d["booted_slot"], d["security_version"]) == ("b", 2, "b", 0)'
T="mark-good while the pending slot runs" expect_ok "$FWVERIFY" mark-good --device dev
status_is "mark-good: b confirmed, nothing pending, security_version raised to 1 only now" dev \
	'(d["confirmed_slot"], d["pending_slot"], d["security_version"], d["version"]) == ("b", None, 1, "1.0.0")'
before=$(snapshot dev)
T="mark-good when nothing is pending (renews the confirmed slot)" \
	expect_ok "$FWVERIFY" mark-good --device dev
check "it says the confirmed slot was renewed" grep -q "^slot b is the confirmed slot (1.0.0): boot tries renewed" \
	"$LAST_OUT"
check "the renewal changed no state" test "$(sha256sum <dev/state)" = "$(cd dev && echo "$before" | grep ' state$' | cut -d' ' -f1)  -"
T="boot with nothing pending" expect_ok "$FWVERIFY" boot --device dev
check "boot runs the confirmed slot b" grep -q "^booted slot b (1.0.0, confirmed)" "$LAST_OUT"

# ---- a failed update: the attempts run out, the device falls back ----
# req: REQ-LIFE-002
T="install 2.0.0 (security_version 2)" expect_ok "$FWVERIFY" install --device dev v2.fwb
for left in 2 1 0; do
	T="boot attempt with $left left afterwards" expect_ok "$FWVERIFY" boot --device dev
	status_is "the pending slot a ran; $left attempts left; counter still 1" dev \
		"(d['booted_slot'], d['pending_slot'], d['boot_attempts'], d['security_version']) == ('a', 'a', $left, 1)"
done
T="boot with no attempts left falls back" expect_ok "$FWVERIFY" boot --device dev
check "the fallback boot runs the confirmed slot b" grep -q "^booted slot b (1.0.0, confirmed)" "$LAST_OUT"
status_is "after the fallback: b (1.0.0) still confirmed, nothing pending, security_version 1" dev \
	'(d["confirmed_slot"], d["version"], d["pending_slot"], d["booted_slot"], d["security_version"]) == ("b", "1.0.0", None, "b", 1)'
check "the confirmed slot's files are untouched (b/rootfs is 1.0.0's)" cmp dev/b/rootfs a.bin
check "the fallback boot said the update was dropped" grep -q "^slot a used up its boot tries" \
	"$LAST_OUT"
T="mark-good after the fallback renews slot b (nothing to confirm)" \
	expect_ok "$FWVERIFY" mark-good --device dev
check "it does not claim the failed update" grep -q "boot tries renewed; no update is pending" \
	"$LAST_OUT"
# The image in slot a failed its boot trial: it was never confirmed good, so
# rollback must not make it the confirmed slot (it would then boot with no
# attempt budget and no fallback: the bricked device the cycle prevents).
# (On a copy, so the story below does not depend on the outcome.)
cp -a dev devf || die "copy dev"
before=$(snapshot devf)
T="rollback to the slot whose update failed its boot trial" \
	expect_exit 45 "$FWVERIFY" rollback --device devf
check "the message says there is nothing to roll back to" grep -q "nothing to roll back to" \
	"$LAST_ERR"
check "the refused rollback changed nothing (b stays confirmed)" test "$before" = "$(snapshot devf)"

# ---- rollback cancels a pending update ----
# req: REQ-LIFE-002
T="install 2.0.0 again" expect_ok "$FWVERIFY" install --device dev v2.fwb
T="rollback with an update pending cancels it" expect_ok "$FWVERIFY" rollback --device dev
check "rollback names the confirmed slot b" grep -q "^slot b is the confirmed slot" "$LAST_OUT"
status_is "after the cancel: b confirmed, nothing pending, security_version 1" dev \
	'(d["confirmed_slot"], d["pending_slot"], d["boot_attempts"], d["security_version"]) == ("b", None, None, 1)'
T="boot after the cancel" expect_ok "$FWVERIFY" boot --device dev
check "the cancelled update is not booted" grep -q "^booted slot b " "$LAST_OUT"
cp -a dev devf2 || die "copy dev"
before=$(snapshot devf2)
T="rollback to the cancelled (never booted) update" expect_exit 45 "$FWVERIFY" rollback --device devf2
check "the refused rollback changed nothing (cancelled update)" \
	test "$before" = "$(snapshot devf2)"

# ---- rollback to the previous slot: allowed while its security_version >= stored ----
# req: REQ-ROLL-005
install_confirm dev v11.fwb # 1.1.0 (sv 1) confirmed in a; b keeps 1.0.0 (sv 1)
status_is "1.1.0 confirmed in a, 1.0.0 kept in b, security_version 1" dev \
	'(d["confirmed_slot"], d["version"], d["slots"]["b"]["version"], d["security_version"]) == ("a", "1.1.0", "1.0.0", 1)'
T="rollback to 1.0.0 in b (security_version 1 >= 1)" expect_ok "$FWVERIFY" rollback --device dev
status_is "rollback: b (1.0.0) confirmed again, security_version unchanged" dev \
	'(d["confirmed_slot"], d["version"], d["pending_slot"], d["security_version"]) == ("b", "1.0.0", None, 1)'
T="boot after the rollback" expect_ok "$FWVERIFY" boot --device dev
check "the rollback's slot b boots" grep -q "^booted slot b (1.0.0, confirmed)" "$LAST_OUT"
install_confirm dev v2.fwb # 2.0.0 (sv 2) confirmed in a
status_is "2.0.0 confirmed in a: security_version 2" dev \
	'(d["confirmed_slot"], d["version"], d["security_version"]) == ("a", "2.0.0", 2)'
before=$(snapshot dev)
T="rollback to 1.0.0 after security_version 2 was confirmed" \
	expect_exit 25 "$FWVERIFY" rollback --device dev
check "the refused rollback changed nothing (security_version)" test "$before" = "$(snapshot dev)"
T="installing 1.0.0 is refused too" expect_exit 25 "$FWVERIFY" install --device dev v1.fwb
check "the refused install changed nothing" test "$before" = "$(snapshot dev)"

# ---- never overwrite the image that is running unconfirmed ----
# req: REQ-LIFE-001
T="install 3.0.0" expect_ok "$FWVERIFY" install --device dev v3.fwb
T="boot 3.0.0 (pending)" expect_ok "$FWVERIFY" boot --device dev
before=$(snapshot dev)
T="install while the pending slot runs unconfirmed" expect_exit 34 "$FWVERIFY" install --device dev \
	v3.fwb
check "the running pending slot is untouched" test "$before" = "$(snapshot dev)"
T="mark-good 3.0.0" expect_ok "$FWVERIFY" mark-good --device dev
status_is "3.0.0 confirmed in b, security_version 3" dev \
	'(d["confirmed_slot"], d["version"], d["security_version"], d["pending_slot"]) == ("b", "3.0.0", 3, None)'

# ---- a second, concurrent operation is refused, not interleaved ----
# req: REQ-LIFE-006
hold_lock dev
before=$(snapshot_all dev)
T="install while another process holds DIR/lock" expect_exit 34 "$FWVERIFY" install --device dev \
	--lock-timeout 0 v3.fwb
check "the locked device is unchanged (slots, state, root, log)" test "$before" = "$(snapshot_all dev)"
check "no staging left by the refused install" test -z "$(find dev -name '.*' ! -name . -print)"
release_lock dev
T="install once the lock is free" expect_ok "$FWVERIFY" install --device dev v3.fwb
T="rollback (cancel) the reinstall" expect_ok "$FWVERIFY" rollback --device dev

# ---- streaming: from a pipe, and from a slow pipe ----
# req: REQ-LIFE-007
device_init devp
cat v1.fwb | T="install from a pipe (cat v1.fwb | install -)" \
	expect_ok "$FWVERIFY" install --device devp -
check "piped install: b/rootfs is byte-identical" cmp devp/b/rootfs a.bin
check "piped install: b/kernel is byte-identical" cmp devp/b/kernel b.bin
status_is "piped install is pending in b" devp '(d["pending_slot"], d["slots"]["b"]["version"]) == ("b", "1.0.0")'
"$FWVERIFY" rollback --device devp >/dev/null 2>&1 || die "rollback devp"
# The reader must wait for bytes that arrive late, not take a short read
# for the end: pauses inside the manifest and inside the first payload.
(head -c 1000 v1.fwb; sleep 0.5; tail -c +1001 v1.fwb | head -c 100000; sleep 0.5
	tail -c +101001 v1.fwb) | T="install from a slow pipe (pauses mid-manifest and mid-payload)" \
	expect_ok "$FWVERIFY" install --device devp -
check "slow-pipe install: b/rootfs is byte-identical" cmp devp/b/rootfs a.bin
check "slow-pipe install: b/kernel is byte-identical" cmp devp/b/kernel b.bin
"$FWVERIFY" rollback --device devp >/dev/null 2>&1 || die "rollback devp"
(head -c 5000 v1.fwb.gz; sleep 0.5; tail -c +5001 v1.fwb.gz) |
	T="install a gzip bundle from a slow pipe" expect_ok "$FWVERIFY" install --device devp -
check "slow-pipe gzip install: b/rootfs is byte-identical" cmp devp/b/rootfs a.bin
before=$(snapshot devp)
(head -c 150000 v1.fwb; sleep 0.5) |
	T="a pipe that stops mid-payload" expect_exit 19 "$FWVERIFY" install --device devp -
check "the cut-off pipe changed nothing" test "$before" = "$(snapshot devp)"

# ---- corrupt state: every command refuses (27), nothing changes ----
# req: REQ-LIFE-004
# A device with a confirmed 1.0.0 and a pending, booted 2.0.0: a damaged
# state must neither lose the counter nor boot or confirm anything.
device_init devc
install_confirm devc v1.fwb
"$FWVERIFY" install --device devc v2.fwb >/dev/null 2>&1 &&
	"$FWVERIFY" boot --device devc >/dev/null 2>&1 || die "devc pending"
for kind in flipped truncated empty deleted; do
	d=devc-$kind
	cp -a devc "$d" || die "copy devc"
	case $kind in
	flipped) python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x04
open(sys.argv[1], "wb").write(b)' "$d/state" ;;
	truncated) truncate -s 120 "$d/state" ;;
	empty) : >"$d/state" ;;
	deleted) rm "$d/state" ;;
	esac
	before=$(snapshot_all "$d" 2>/dev/null)
	for cmd in install boot mark-good rollback status; do
		args=()
		[ $cmd = install ] && args=(v3.fwb)
		T="$cmd with a $kind state file" expect_exit 27 "$FWVERIFY" $cmd --device "$d" "${args[@]}"
	done
	check "the device with a $kind state is unchanged (nothing written, nothing logged)" \
		test "$before" = "$(snapshot_all "$d" 2>/dev/null)"
done
check "the corrupt-state message names the state file" grep -q ": state: " "$LAST_ERR"

# ---- the trusted root: an old root swapped in under a newer state ----
# req: REQ-SIG-005, REQ-LIFE-004
device_init devr
"$FWKEYS" root new --from root.json --out root-v2.json --expires 36500 --sign rootk.key \
	>"$T_DIR/setup.log" 2>&1 || die "root new: $(cat "$T_DIR/setup.log")"
pack v11r.fwb v11.json rel root.json --root root-v2.json
install_confirm devr v11r.fwb
status_is "the device followed the carried root to v2" devr 'd["root_version"] == 2'
cp devr/root.json root-v2-device.json
cp root.json devr/root.json # the attacker (or a restore gone wrong) puts v1 back
before=$(snapshot devr)
T="install under a swapped-in older root.json" expect_exit 15 "$FWVERIFY" install --device devr \
	v11r.fwb
check "the message names the device's root.json, not the bundle" grep -q "root.json" "$LAST_ERR"
check "the refused install changed nothing (old root)" test "$before" = "$(snapshot devr)"
echo '{"payloadType": "garbage"' >devr/root.json
before=$(snapshot devr)
T="install with a damaged trusted root.json" expect_refused "$FWVERIFY" install --device devr \
	v11r.fwb
check "the refused install changed nothing (damaged root)" test "$before" = "$(snapshot devr)"
rm devr/root.json
T="install with the trusted root.json deleted" expect_exit 27 "$FWVERIFY" install --device devr \
	v11r.fwb
cp root-v2-device.json devr/root.json
T="install once the right root.json is restored" expect_ok "$FWVERIFY" install --device devr v11r.fwb

# ---- the audit log: complete, verifiable, and tamper-evident ----
# req: REQ-LOG-001, REQ-LOG-002, REQ-LOG-003
cp v3.fwb tampered.fwb # a byte inside the first payload (a2.bin)
printf 'X' | dd of=tampered.fwb bs=1 seek=70000 conv=notrunc 2>/dev/null
T="a tampered bundle is refused (and logged)" expect_exit 22 "$FWVERIFY" install --device dev \
	tampered.fwb
T="log --verify after all of the above" expect_ok "$FWVERIFY" log --device dev --verify
check "log --verify counts the entries" grep -q "audit log intact: [0-9]* entries" "$LAST_OUT"
T="log --json" expect_ok "$FWVERIFY" log --device dev --json
cp "$LAST_OUT" log.json
check "log --json parses: consecutive seq, every action, chained hashes" python3 -c '
import json, sys
log = json.load(open("log.json"))["lines"]
assert [e["seq"] for e in log] == list(range(1, len(log) + 1)), [e["seq"] for e in log]
assert {"init", "install", "boot", "mark-good", "rollback"} <= {e["action"] for e in log}
assert log[0]["prev"] == "0" * 64
assert all(b["prev"] == a["hash"] for a, b in zip(log, log[1:]))
'
check "the refused installs are logged with the failed check's name" python3 -c '
import json
log = json.load(open("log.json"))["lines"]
got = {(e["action"], e["result"]) for e in log}
for want in ["FWS_EDIGEST", "FWS_EROLLBACK", "FWS_EBUSY"]:
    assert ("install", want) in got, (want, sorted(got))
assert ("rollback", "FWS_EROLLBACK") in got, sorted(got)
assert ("mark-good", "FWS_ELIFECYCLE") in got, sorted(got)
e = [e for e in log if e["result"] == "FWS_EDIGEST"][-1]
assert e["version"] == "3.0.0" and len(e["digest"]) == 64, e
'
check "mark-good is logged with the raised security_version" python3 -c '
import json
log = json.load(open("log.json"))["lines"]
assert any(e["action"] == "mark-good" and e["result"] == "ok" and e["version"] == "3.0.0"
           and e["security_version"] == 3 for e in log), log
'
n=$(wc -l <dev/log)
[ "$n" -ge 10 ] || die "expected a longer log, got $n lines"
cp dev/log log.orig
cp dev/log.head head.orig
restore_log() { cp log.orig dev/log && cp head.orig dev/log.head || die "restoring the log"; }
mid=$((n / 2))
python3 -c 'import sys
lines = open("log.orig", "rb").read().split(b"\n")
i = int(sys.argv[1]) - 1
lines[i] = lines[i].replace(b"\"time\":\"2", b"\"time\":\"3", 1)
open("dev/log", "wb").write(b"\n".join(lines))' "$mid"
check "the edit applied (one byte of line $mid)" test "$(cmp log.orig dev/log | grep -c differ)" = 1
T="one byte of a middle log line edited" expect_exit 27 "$FWVERIFY" log --device dev --verify
check "the message names line $mid" grep -q "(line $mid)" "$LAST_ERR"
restore_log
sed -i "${mid}d" dev/log
T="a middle log line deleted" expect_exit 27 "$FWVERIFY" log --device dev --verify
check "the message names line $mid (deleted)" grep -q "(line $mid)" "$LAST_ERR"
restore_log
sed -i "${mid}{h;d};$((mid + 1)){G}" dev/log
check "the swap applied" test "$(sed -n "${mid}p" log.orig)" = "$(sed -n "$((mid + 1))p" dev/log)"
T="two log lines swapped" expect_exit 27 "$FWVERIFY" log --device dev --verify
check "the message names line $mid (swapped)" grep -q "(line $mid)" "$LAST_ERR"
restore_log
head -n -2 log.orig >dev/log
T="the last two log lines cut off" expect_exit 27 "$FWVERIFY" log --device dev --verify
truncate -s $(($(stat -c %s log.orig) - 40)) dev/log
T="the log truncated inside its last line" expect_exit 27 "$FWVERIFY" log --device dev --verify
: >dev/log
T="the log emptied" expect_exit 27 "$FWVERIFY" log --device dev --verify
restore_log
rm dev/log.head
T="the log's head removed" expect_exit 27 "$FWVERIFY" log --device dev --verify
restore_log
# "An update the log cannot record is not made" (docs/audit-log.md): with
# the log behind its head, an append fails, and so must the operation.
cp -a dev devl || die "copy dev"
head -n -2 log.orig >devl/log
before=$(snapshot devl)
T="boot when its log line cannot be appended" expect_exit 27 "$FWVERIFY" boot --device devl
check "the boot that could not be logged changed nothing" test "$before" = "$(snapshot devl)"
T="install when its log line cannot be appended" expect_exit 27 "$FWVERIFY" install --device devl \
	v3.fwb
check "the install that could not be logged changed nothing" test "$before" = "$(snapshot devl)"
# A crash after the line's fsync and before log.head was replaced leaves the
# log one line ahead of its head: accepted (it chains to the head), rolled
# forward by the next append. Two lines ahead is not a crash remnant.
n=$(wc -l <dev/log)
cp dev/log.head head.before
T="boot (its log line is the remnant)" expect_ok "$FWVERIFY" boot --device dev
cp head.before dev/log.head
T="log one line ahead of its head (crash remnant) verifies" \
	expect_ok "$FWVERIFY" log --device dev --verify
T="the next operation rolls the remnant forward" expect_ok "$FWVERIFY" boot --device dev
T="the log verifies after the roll-forward" expect_ok "$FWVERIFY" log --device dev --verify
check "the log kept every line" test "$(wc -l <dev/log)" = $((n + 2))
cp head.before dev/log.head
T="log two lines ahead of its head" expect_exit 27 "$FWVERIFY" log --device dev --verify

# ---- trusted time: the device never trusts a clock it was not told to ----
# req: REQ-SIG-006
# A root that expires one day after SOURCE_DATE_EPOCH; the bundle is packed
# within its lifetime. The device commands run without SOURCE_DATE_EPOCH:
# only the machine clock (faked with libfaketime) or --trusted-time can
# claim a time.
make_root short.json rootk rel -- --expires 1
pack vs.fwb v1.json rel short.json
later=$((SOURCE_DATE_EPOCH + 2 * 86400)) # short.json has expired by then
SOURCE_DATE_EPOCH=$later "$FWKEYS" root new --from short.json --out short-v2.json --expires 36500 \
	--sign rootk.key >"$T_DIR/setup.log" 2>&1 || die "root new: $(cat "$T_DIR/setup.log")"
SOURCE_DATE_EPOCH=$later pack vs2.fwb v1.json rel short.json --root short-v2.json
"$FWVERIFY" init --device devt --root short.json --hardware hw-a >"$T_DIR/setup.log" 2>&1 ||
	die "init devt: $(cat "$T_DIR/setup.log")"
unset SOURCE_DATE_EPOCH
before=$(snapshot devt)
T="install at --trusted-time 2099 under a root expired by then" expect_exit 16 \
	"$FWVERIFY" install --device devt --trusted-time 2099-01-01T00:00:00Z vs.fwb
check "the expired-root refusal changed nothing" test "$before" = "$(snapshot devt)"
# libfaketime directly (LD_PRELOAD), so the checked program is fwseal-verify;
# skipped where it is missing or cannot preload (e.g. an ASan build).
faketime_lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
	2>/dev/null | head -n 1)
if [ -n "$faketime_lib" ] &&
	[ "$(LD_PRELOAD=$faketime_lib FAKETIME="@2099-01-01 00:00:00" date -u +%Y 2>/dev/null)" = 2099 ] &&
	LD_PRELOAD=$faketime_lib FAKETIME="@2099-01-01 00:00:00" "$FWVERIFY" --version >/dev/null 2>&1; then
	LD_PRELOAD=$faketime_lib FAKETIME="@2099-01-01 00:00:00" \
		T="machine clock at 2099 with --trusted-time now: the clock is trusted, expired" \
		expect_exit 16 "$FWVERIFY" install --device devt --trusted-time now vs.fwb
	check "nothing changed (trusted clock refusal)" test "$before" = "$(snapshot devt)"
	LD_PRELOAD=$faketime_lib FAKETIME="@2099-01-01 00:00:00" \
		T="machine clock at 2099, no --trusted-time: the clock is ignored, installed" \
		expect_ok "$FWVERIFY" install --device devt vs.fwb
else
	skip "machine clock at 2099: trusted with --trusted-time now, ignored without" "libfaketime not usable here (package faketime; not under ASan)"
	T="no --trusted-time: installed (the device never bricks on a wrong clock)" \
		expect_ok "$FWVERIFY" install --device devt vs.fwb
fi
status_is "the untrusted-clock install is pending; trusted time = newest verified created" devt \
	'(d["pending_slot"], d["trusted_time"]) == ("b", "2023-11-14T22:13:20Z")'
"$FWVERIFY" log --device devt --json >devt-log.json 2>&1 || die "log devt"
check "the 2099 trusted-time refusal is in the log as FWS_EEXPIRED" python3 -c '
import json, sys
log = json.load(open(sys.argv[1]))["lines"]
assert any(e["action"] == "install" and e["result"] == "FWS_EEXPIRED" for e in log), log
' devt-log.json
# The way out for a fleet whose root expired: the manufacturer rotates the
# root (root new may start from an expired root) and ships the chain.
"$FWVERIFY" rollback --device devt >/dev/null 2>&1 || die "rollback devt"
T="after rotation: install at --trusted-time 2099 with root v2 carried" \
	expect_ok "$FWVERIFY" install --device devt --trusted-time 2099-01-01T00:00:00Z vs2.fwb
status_is "the device now trusts root v2" devt '(d["root_version"], d["pending_slot"]) == (2, "b")'
finish
