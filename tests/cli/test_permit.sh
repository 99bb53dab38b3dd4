# SPDX-License-Identifier: Apache-2.0
# Downgrade permits (docs/permits.md) and the audit log (docs/audit-log.md)
# from the command line: a permit lets exactly one device (or hardware)
# install exactly one verified bundle once; everything else is refused with
# its own exit status, and the log records it all in a verifiable chain.
# req: REQ-ROLL-003
. "$(dirname "$0")/lib.sh"

std_setup
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb v2.json rel root.json
# Same version as v1, other bytes: a different manifest digest.
make_payload c.bin 4000
make_release v1b.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 c.bin:c.bin:kernel
pack v1b.fwb v1b.json rel root.json

"$FWVERIFY" init --device dev --root root.json --hardware hw-a --device-id dev-1 \
	>"$T_DIR/setup.log" 2>&1 || die "init: $(cat "$T_DIR/setup.log")"
confirm() { # install BUNDLE, boot it, confirm it
	"$FWVERIFY" install --device dev "$@" >"$T_DIR/setup.log" 2>&1 &&
		"$FWVERIFY" boot --device dev >>"$T_DIR/setup.log" 2>&1 &&
		"$FWVERIFY" mark-good --device dev >>"$T_DIR/setup.log" 2>&1
}
confirm v2.fwb || die "install v2: $(cat "$T_DIR/setup.log")"

T="downgrade to 1.0.0 without a permit" expect_exit 25 "$FWVERIFY" install --device dev v1.fwb

# fwseal permit with the release key and the trusted root
P=("$FWSEAL" permit --key rel.key --root root.json)

# ---- creating permits ----
T="permit for device dev-1, bundle v1.fwb" expect_ok "${P[@]}" --out p1.permit --device-id dev-1 \
	--to-version 1.0.0 --bundle v1.fwb
check "the permit is a DSSE envelope of the permit type" \
	grep -q '"payloadType": "application/vnd.fwseal.permit+json"' p1.permit
T="permit: --to-version is not the bundle's version" expect_exit 2 "${P[@]}" --out x.permit \
	--device-id dev-1 --to-version 1.0.1 --bundle v1.fwb
check "nothing written for a refused permit" test ! -e x.permit
T="permit signed by a key outside the release role" expect_exit 31 "$FWSEAL" permit \
	--key rootk.key --root root.json --out x.permit --device-id dev-1 --to-version 1.0.0 \
	--bundle v1.fwb
T="permit for a hardware id the bundle does not list" expect_exit 24 "${P[@]}" --out x.permit \
	--hardware hw-b --to-version 1.0.0 --bundle v1.fwb
T="permit naming both a device and a hardware id" expect_exit 2 "${P[@]}" --out x.permit \
	--device-id dev-1 --hardware hw-a --to-version 1.0.0 --bundle v1.fwb
T="permit valid for more than 90 days" expect_exit 2 "${P[@]}" --out x.permit --device-id dev-1 \
	--to-version 1.0.0 --bundle v1.fwb --valid-days 91
T="permit never overwrites" expect_exit 32 "${P[@]}" --out p1.permit --device-id dev-1 \
	--to-version 1.0.0 --bundle v1.fwb
cp v1.fwb tampered.fwb
printf 'X' | dd of=tampered.fwb bs=1 seek=70000 conv=notrunc 2>/dev/null
T="permit for a bundle that does not verify" expect_exit 22 "${P[@]}" --out x.permit \
	--device-id dev-1 --to-version 1.0.0 --bundle tampered.fwb
expect_ok "${P[@]}" --out other-dev.permit --device-id dev-2 --to-version 1.0.0 --bundle v1.fwb
expect_ok "${P[@]}" --out hw.permit --hardware hw-a --to-version 1.0.0 --bundle v1.fwb
expect_ok "${P[@]}" --out other-bundle.permit --device-id dev-1 --to-version 1.0.0 --bundle v1b.fwb

# ---- using them: everything wrong is refused and changes nothing ----
before=$(snapshot dev)
T="permit for another device" expect_exit 40 "$FWVERIFY" install --device dev \
	--permit other-dev.permit v1.fwb
check "the refusal says which condition failed (the device)" \
	grep -q "device_id: the permit is for device dev-2, this is dev-1" "$LAST_ERR"
T="permit for another bundle of the same version" expect_exit 40 "$FWVERIFY" install \
	--device dev --permit other-bundle.permit v1.fwb
check "the refusal says which condition failed (the manifest)" \
	grep -q "manifest_sha256: the permit names another manifest" "$LAST_ERR"
T="a root document passed as a permit" expect_exit 10 "$FWVERIFY" install --device dev \
	--permit root.json v1.fwb
python3 - p1.permit badsig.permit <<'EOF' || die "badsig"
import base64, json, sys
doc = json.load(open(sys.argv[1]))
sig = bytearray(base64.b64decode(doc["signatures"][0]["sig"]))
sig[5] ^= 1
doc["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
json.dump(doc, open(sys.argv[2], "w"))
EOF
T="permit with a broken signature" expect_exit 12 "$FWVERIFY" install --device dev \
	--permit badsig.permit v1.fwb
check "refused permits changed nothing" test "$before" = "$(snapshot dev)"

# ---- the real use, once ----
T="downgrade with the device's permit" expect_ok "$FWVERIFY" install --device dev \
	--permit p1.permit v1.fwb
"$FWVERIFY" boot --device dev >/dev/null 2>&1 && "$FWVERIFY" mark-good --device dev \
	>/dev/null 2>&1 || die "confirm 1.0.0"
confirm v2.fwb || die "reinstall v2: $(cat "$T_DIR/setup.log")"
T="the same permit a second time (replay)" expect_exit 40 "$FWVERIFY" install --device dev \
	--permit p1.permit v1.fwb
check "the refusal says it is a replay" grep -q "created: replay" "$LAST_ERR"
T="another permit created no later than the used one (replay)" expect_exit 40 \
	"$FWVERIFY" install --device dev --permit hw.permit v1.fwb

# ---- a permit that is not needed is said so, and not spent ----
device_init devn
"$FWVERIFY" install --device devn --permit p1.permit v1.fwb >needless.out 2>&1 ||
	die "install devn: $(cat needless.out)"
check "a needless permit is reported as not used" grep -q "was not needed .* and was not used" \
	needless.out
check "and the device did not spend it (permit_floor still 0)" grep -q "^permit_floor 0$" devn/state

# ---- the audit log recorded it, and notices tampering ----
# req: REQ-LOG-001, REQ-LOG-002
T="audit log verifies" expect_ok "$FWVERIFY" log --device dev --verify
"$FWVERIFY" log --device dev --json >log.txt 2>&1 || die "log"
check "the log names the permit use" grep -q '"detail":"with downgrade permit"' dev/log
check "the log names the replay" grep -q '"result":"FWS_EPERMIT"' dev/log
check "log --json holds the lines as event objects" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert (d["format"], d["command"], d["ok"]) == (1, "log", True), d
log = d["lines"]
assert isinstance(log, list) and log and all(isinstance(e, dict) for e in log)' log.txt
cp dev/log log.orig
sed -i '3s/"result":"ok"/"result":"FWS_EROLLBACK"/' dev/log
check "the edit applied" test "$(cmp -s dev/log log.orig; echo $?)" = 1
T="an edited log line" expect_exit 27 "$FWVERIFY" log --device dev --verify
check "the message names line 3" grep -q 'line 3' "$LAST_ERR"
cp log.orig dev/log
sed -i '4d' dev/log
T="a removed log line" expect_exit 27 "$FWVERIFY" log --device dev --verify
cp log.orig dev/log
head -n -1 log.orig >dev/log
T="the last log line cut off" expect_exit 27 "$FWVERIFY" log --device dev --verify
cp log.orig dev/log
T="audit log verifies again once restored" expect_ok "$FWVERIFY" log --device dev --verify

finish
