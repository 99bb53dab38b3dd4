#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fwseal selftest and fwseal-verify selftest: the built-in known answers and
# attack suite pass on this build, on the signing side and on the device
# library, and the --json report is the installation / operational
# qualification record of docs/qualification.md.
# req: REQ-EVID-004
. "$(dirname "$0")/lib.sh"

T="selftest passes" expect_ok "$FWSEAL" selftest
check "the table reports every case passed" grep -qi "passed" "$LAST_OUT"
T="selftest --json" expect_ok "$FWSEAL" selftest --json
check "the JSON report parses, has >= 30 cases, all passing" python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
cases = r["cases"] if isinstance(r, dict) else r
assert len(cases) >= 30, len(cases)
assert all(c["pass"] for c in cases), [c for c in cases if not c["pass"]]' "$LAST_OUT"
cp "$LAST_OUT" sign-side.json
T="selftest --json twice is a usage error" expect_exit 2 "$FWSEAL" selftest --json --json

# ---- on the device: the device library alone runs the same suite ----
# req: REQ-EVID-005
T="fwseal-verify selftest passes on the device library" expect_ok "$FWVERIFY" selftest
check "its table names the tool, the libraries and an unknown date" bash -c \
	'grep -q "^fwseal-verify selftest: libfwseal" "$0" && grep -q "^libraries: libsodium" "$0" &&
	 grep -q "^date: unknown" "$0" && grep -q "cases: .* 0 failed: PASS" "$0"' "$LAST_OUT"
T="fwseal-verify selftest --json" expect_ok "$FWVERIFY" selftest --json
cp "$LAST_OUT" device.json
# The record: every field docs/qualification.md lists, with values that
# could be wrong (versions as run, the case list the signing side runs).
check "the qualification record has every field, and says pass" python3 - device.json sign-side.json <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2]))
assert r["record"] == "fwseal-qualification 1", r["record"]
assert r["tool"] == "fwseal-verify" and s["tool"] == "fwseal", (r["tool"], s["tool"])
assert re.fullmatch(r"\d+\.\d+\.\d+", r["tool_version"]), r["tool_version"]
assert r["commit"] is None or re.fullmatch(r"[0-9a-f]{12}(-dirty)?", r["commit"]), r["commit"]
libs = r["libraries"]
for name in ("libfwseal", "libsodium", "zlib", "jansson"):
    assert re.fullmatch(r"\d+(\.\d+)+", libs[name]), (name, libs.get(name))
assert "libarchive" not in libs, "the device tool names libarchive: it must not link it"
assert re.fullmatch(r"\d+(\.\d+)+", s["libraries"]["libarchive"]), s["libraries"]
assert r["date"] == "unknown" and r["date_source"].startswith("none"), r["date"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["machine_clock"]), r["machine_clock"]
assert r["result"] == "pass" and r["failed"] == 0 and r["passed"] == r["total"] >= 30
names = [c["name"] for c in r["cases"]]
assert names == [c["name"] for c in s["cases"]], "device and signing side ran other cases"
assert len(set(names)) == len(names), "a case name twice"
for c in r["cases"]:
    assert c["pass"] is (c["expected"] == c["got"]), c
attacks = [c for c in r["cases"] if c["group"] == "attack" and c["expected"] != "FWS_OK"]
assert len(attacks) >= 15, len(attacks)
PY
check "the library versions in the record are the ones this binary runs with" python3 - device.json <<'PY'
import ctypes, ctypes.util, json, sys
r = json.load(open(sys.argv[1]))
sodium = ctypes.CDLL(ctypes.util.find_library("sodium"))
sodium.sodium_version_string.restype = ctypes.c_char_p
z = ctypes.CDLL(ctypes.util.find_library("z"))
z.zlibVersion.restype = ctypes.c_char_p
assert r["libraries"]["libsodium"] == sodium.sodium_version_string().decode(), r["libraries"]
assert r["libraries"]["zlib"] == z.zlibVersion().decode(), r["libraries"]
PY

# Dated by the device's trusted time (the newest verified 'created').
std_setup
device_init dev
install_confirm dev v1.fwb
want=$("$FWVERIFY" status --device dev --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["trusted_time"])')
cp -a dev dev.before
T="fwseal-verify selftest --device DIR --json" expect_ok "$FWVERIFY" selftest --device dev --json
check "the record is dated by the device's trusted time ($want)" python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["date"] == sys.argv[2] and "trusted" in r["date_source"], (r["date"], r["date_source"])' \
	"$LAST_OUT" "$want"
check "the selftest changed nothing on the device" diff -r dev.before dev
T="selftest of a device that is not provisioned is refused, no record" \
	expect_exit 27 "$FWVERIFY" selftest --device nowhere --json
check "and no record was printed: only the error object (ok false, no cases)" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is False and "cases" not in r and "result" not in r, r' "$LAST_OUT"
T="selftest with --device and --config is a usage error" \
	expect_exit 2 "$FWVERIFY" selftest --device dev --config /etc/fwseal/system.conf
finish
