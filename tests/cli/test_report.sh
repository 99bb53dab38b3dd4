# SPDX-License-Identifier: Apache-2.0
# Device reports (docs/fleet.md "Device reports"): the device key made at
# init and exported as a .pub any fwseal tool reads; a report signed by it
# that `fwseal report verify` checks; a series of reports that must extend
# one hash-chained audit log, so a device whose log was cut or rewritten
# between two reports is caught; forged and altered reports refused.
# (--post against a recording HTTPS server: long_channel_net.sh.)
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 20000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs
pack v1.fwb v1.json rel root.json
"$FWVERIFY" init --device dev --root root.json --hardware hw-a --device-id pump-1 \
	>"$T_DIR/setup.log" 2>&1 || die "init"
RV=("$FWSEAL" report verify --device-key dev.pub)

check "init made the device key, mode 0600" sh -c "test \"\$(stat -c %a dev/device.key)\" = 600"
expect_ok "$FWVERIFY" device-key --device dev --out dev.pub
check "the exported key is a .pub fwseal-keys reads" "$FWKEYS" fingerprint dev.pub
check "device-key --json names the key id fwseal-keys computes" sh -c '
	"$1" device-key --device dev --out dev2.pub --json >dk.json &&
	"$2" fingerprint --json dev.pub >fp.json &&
	python3 -c "import json; a=json.load(open(\"dk.json\")); b=json.load(open(\"fp.json\")); assert a[\"keyid\"] in json.dumps(b) and a[\"out\"] == \"dev2.pub\", (a, b)"' \
	_ "$FWVERIFY" "$FWKEYS"
T="report --json without --out or --post (the report owns standard output)" \
	expect_exit 2 "$FWVERIFY" report --device dev --json
expect_ok "$FWVERIFY" report --device dev --out r1.json
T="a report verifies with the device key" expect_ok "${RV[@]}" r1.json
"$FWVERIFY" install --device dev v1.fwb >/dev/null 2>&1 || die "install"
"$FWVERIFY" boot --device dev >/dev/null 2>&1 || die "boot"
"$FWVERIFY" mark-good --device dev >/dev/null 2>&1 || die "mark-good"
expect_ok "$FWVERIFY" report --device dev --out r2.json
T="a later report extends the earlier one's log" expect_ok "${RV[@]}" --json r2.json r1.json
check "... and says what runs" python3 -c "
import json; d = json.load(open('$LAST_OUT'))
assert d['confirmed_version'] == '1.0.0' and d['security_version'] == 1 and d['reports'] == 2, d"

# ---- forged and altered reports ----
# req: REQ-FLEET-005
python3 - r1.json forged.json <<'PYEOF'
import base64, json, sys
env = json.load(open(sys.argv[1]))
body = json.loads(base64.b64decode(env["payload"]))
body["confirmed"]["version"] = "9.9.9"
env["payload"] = base64.b64encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode()).decode()
json.dump(env, open(sys.argv[2], "w"))
PYEOF
T="a report altered after signing" expect_exit 84 "${RV[@]}" forged.json
"$FWVERIFY" init --device other --root root.json --hardware hw-a --device-id pump-2 \
	>"$T_DIR/setup.log" 2>&1 || die "init other"
"$FWVERIFY" report --device other --out other.json 2>/dev/null || die "report other"
T="another device's report under this device's key" expect_exit 84 "${RV[@]}" other.json
"$FWVERIFY" device-key --device other --out other.pub >/dev/null || die "other.pub"
T="reports of two devices are not one series" expect_exit 84 "$FWSEAL" report verify \
	--device-key other.pub other.json r1.json

# ---- a log cut or rewritten between reports ----
# The device's storage rewritten consistently (log and head agree): only
# the earlier report's head can tell.
cp -a dev cut
python3 - cut <<'PYEOF'
import json, sys
d = sys.argv[1]
lines = open(d + "/log").read().splitlines(True)[:1]
open(d + "/log", "w").writelines(lines)
last = json.loads(lines[-1])
open(d + "/log.head", "w").write(json.dumps({"first": 1, "hash": last["hash"], "seq": last["seq"]},
                                           separators=(",", ":")) + "\n")
PYEOF
"$FWVERIFY" boot --device cut >/dev/null 2>&1
"$FWVERIFY" report --device cut --out r-cut.json 2>/dev/null || die "report cut"
T="a device whose log was cut (head behind the earlier report's)" expect_exit 84 "${RV[@]}" \
	r-cut.json r2.json
cp -a dev rw
python3 - rw 3 <<'PYEOF'
import json, sys
d, keep = sys.argv[1], int(sys.argv[2])
lines = open(d + "/log").read().splitlines(True)[:keep]
open(d + "/log", "w").writelines(lines)
last = json.loads(lines[-1])
open(d + "/log.head", "w").write(json.dumps({"first": 1, "hash": last["hash"], "seq": last["seq"]},
                                           separators=(",", ":")) + "\n")
PYEOF
for i in 1 2 3; do "$FWVERIFY" boot --device rw >/dev/null 2>&1; done
"$FWVERIFY" report --device rw --out r-rw.json 2>/dev/null || die "report rw"
T="a device whose log was rewritten (other lines past the earlier head)" expect_exit 84 \
	"${RV[@]}" r-rw.json r2.json
check "each rewritten log is valid on its own: only the series shows it" "${RV[@]}" r-rw.json

# ---- a gap the later report cannot bridge, and --since ----
for i in 1 2 3; do "$FWVERIFY" boot --device dev >/dev/null 2>&1; done
"$FWVERIFY" report --device dev --events 1 --out r3.json 2>/dev/null || die "report r3"
T="a later report whose events do not reach the earlier head" expect_exit 84 "${RV[@]}" \
	r3.json r2.json
grep -q "report --since" "$LAST_ERR" || not_ok "the refusal says to ask with --since" "$(cat "$LAST_ERR")"
seq2=$(python3 -c "import json,base64; print(json.loads(base64.b64decode(json.load(open('r2.json'))['payload']))['log']['seq'])")
expect_ok "$FWVERIFY" report --device dev --since "$seq2" --out r4.json
T="report --since the earlier head bridges it" expect_ok "${RV[@]}" r4.json r2.json r1.json

# ---- a device provisioned before reports existed ----
rm dev/device.key
T="no device key yet" expect_exit 33 "$FWVERIFY" report --device dev
grep -q "device-key --create" "$LAST_ERR" || not_ok "the message says how to make one" "$(cat "$LAST_ERR")"
expect_ok "$FWVERIFY" device-key --device dev --create --out new.pub
T="device-key --create never replaces a key" expect_exit 32 "$FWVERIFY" device-key --device dev \
	--create
chmod 0644 dev/device.key
T="a device key others can read is refused" expect_exit 41 "$FWVERIFY" report --device dev
finish
