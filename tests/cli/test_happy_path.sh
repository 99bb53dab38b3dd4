# SPDX-License-Identifier: Apache-2.0
# The whole story when nothing is wrong: keys, root, pack (plain and gzip),
# inspect, verify, device init/install/boot/mark-good/status, reinstall, upgrade.
# req: REQ-SIG-001, REQ-LIFE-001
. "$(dirname "$0")/lib.sh"

T="generate a root key" expect_ok "$FWKEYS" generate --out rootk --kdf interactive
T="generate a release key" expect_ok "$FWKEYS" generate --out rel --kdf interactive
# req: REQ-KEY-001
check "secret key file is mode 0600" test "$(stat -c %a rootk.key)" = 600
check "fingerprint of .pub and .key agree" \
	test "$("$FWKEYS" fingerprint rel.pub)" = "$("$FWKEYS" fingerprint rel.key)"
T="root init" expect_ok "$FWKEYS" root init --root-key rootk.pub --release-key rel.pub \
	--sign rootk.key --out root.json --expires 36500
T="root show" expect_ok "$FWKEYS" root show root.json
T="root show --json" expect_ok "$FWKEYS" root show --json root.json
check "root show --json is JSON" python3 -m json.tool "$LAST_OUT"

make_payload a.bin 300000
make_payload b.bin 5000
make_payload c.bin 0 # an empty payload has no chunks
make_release v1.json 1.0.0 1 hw-a,hw-b a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel \
	c.bin:c.bin:empty
T="pack 1.0.0" expect_ok "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json \
	--out v1.fwb
T="pack 1.0.0 --gzip" expect_ok "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json \
	--out v1.fwb.gz --gzip
check "the gzip bundle is gzip" test "$(head -c 2 v1.fwb.gz | od -An -tx1 | tr -d ' ')" = 1f8b
check "pack leaves no temp files" test -z "$(find . -maxdepth 1 -name '*.tmp*')"

T="inspect (text)" expect_ok "$FWSEAL" inspect v1.fwb
check "inspect names the version and every payload" bash -c \
	'grep -q "version: *1.0.0" "$0" && grep -q a.bin "$0" && grep -q b.bin "$0" && grep -q c.bin "$0"' \
	"$LAST_OUT"
T="inspect --json" expect_ok "$FWSEAL" inspect --json v1.fwb
check "inspect --json parses" python3 -m json.tool "$LAST_OUT"
cp "$LAST_OUT" inspect.json
check "inspect --json: says unverified, right version, three payloads, sizes" python3 -c '
import json, sys
d = json.load(open("inspect.json"))
assert d["verified"] is False, d
m = d["manifest"]
assert m["version"] == "1.0.0" and m["security_version"] == 1, m
assert m["hardware"] == ["hw-a", "hw-b"], m
assert [(p["name"], p["size"]) for p in m["payloads"]] == \
    [("a.bin", 300000), ("b.bin", 5000), ("c.bin", 0)], m["payloads"]
assert [e["name"] for e in d["entries"]][:2] == ["manifest.json", "root/1.json"], d["entries"]
'
T="inspect --json of the gzip bundle" expect_ok "$FWSEAL" inspect --json v1.fwb.gz
check "inspect --json (gzip) parses and says compressed" python3 -c '
import json, sys; assert json.load(sys.stdin)["compressed"] is True' <"$LAST_OUT"
T="inspect from stdin" expect_ok "$FWSEAL" inspect - <v1.fwb

T="verify" expect_ok "$FWSEAL" verify --root root.json v1.fwb
check "verify says OK and names the signer" grep -q "OK" "$LAST_OUT"
T="verify --hardware hw-b" expect_ok "$FWSEAL" verify --root root.json --hardware hw-b v1.fwb
T="verify the gzip bundle" expect_ok "$FWSEAL" verify --root root.json --hardware hw-a v1.fwb.gz
T="verify from stdin" expect_ok "$FWSEAL" verify --root root.json - <v1.fwb.gz

# ---- device: install -> boot -> mark-good ----
# req: REQ-ROLL-002
T="device init" expect_ok "$FWVERIFY" init --device dev --root root.json --hardware hw-a
T="status before any install" expect_ok "$FWVERIFY" status --device dev
T="status --json before any install" expect_ok "$FWVERIFY" status --device dev --json
check "status --json parses; nothing installed, slot a confirmed, nothing pending" python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["version"] is None and d["security_version"] == 0 and d["confirmed_slot"] == "a", d
assert d["pending_slot"] is None and d["installs"] == 0, d
' <"$LAST_OUT"

T="install 1.0.0" expect_ok "$FWVERIFY" install --device dev v1.fwb
check "install says pending in slot b" grep -q "slot b: pending, 3 boot attempts" "$LAST_OUT"
for p in a.bin:rootfs b.bin:kernel c.bin:empty; do
	check "slot b/${p#*:} is byte-identical to ${p%%:*}" cmp "dev/b/${p#*:}" "${p%%:*}"
done
check "slot a is still empty" test -z "$(ls -A dev/a)"
check "no .part files left" test -z "$(find dev -name '*.part')"
T="status --json after install" expect_ok "$FWVERIFY" status --device dev --json
check "status: 1.0.0 pending in slot b, counter not raised yet, one install" python3 -c '
import json, sys
d = json.load(sys.stdin)
assert (d["version"], d["security_version"], d["confirmed_slot"]) == (None, 0, "a"), d
assert (d["pending_slot"], d["boot_attempts"], d["installs"]) == ("b", 3, 1), d
assert (d["slots"]["b"]["version"], d["slots"]["b"]["security_version"]) == ("1.0.0", 1), d
' <"$LAST_OUT"
T="boot 1.0.0" expect_ok "$FWVERIFY" boot --device dev
check "boot says it runs the pending slot b" grep -q "booted slot b" "$LAST_OUT"
T="mark-good 1.0.0" expect_ok "$FWVERIFY" mark-good --device dev
check "mark-good names the new security_version" grep -q "security_version now 1" "$LAST_OUT"
T="status --json after mark-good" expect_ok "$FWVERIFY" status --device dev --json
check "status: 1.0.0, security_version 1, slot b confirmed, one install" python3 -c '
import json, sys
d = json.load(sys.stdin)
assert (d["version"], d["security_version"], d["confirmed_slot"], d["installs"]) == \
    ("1.0.0", 1, "b", 1), d
assert d["pending_slot"] is None and d["booted_slot"] == "b", d
assert d["hardware_id"] == "hw-a" and d["root_version"] == 1, d
' <"$LAST_OUT"
T="status (text)" expect_ok "$FWVERIFY" status --device dev
check "status (text) shows the version" grep -q "1.0.0" "$LAST_OUT"

T="reinstall of the same version (gzip) is allowed" expect_ok "$FWVERIFY" install --device dev \
	v1.fwb.gz
T="boot the reinstall" expect_ok "$FWVERIFY" boot --device dev
T="mark-good the reinstall" expect_ok "$FWVERIFY" mark-good --device dev
T="status after reinstall" expect_ok "$FWVERIFY" status --device dev --json
check "reinstall went to slot a, confirmed, and counted" python3 -c '
import json, sys
d = json.load(sys.stdin)
assert (d["version"], d["confirmed_slot"], d["installs"]) == ("1.0.0", "a", 2), d' <"$LAST_OUT"
check "slot a/rootfs is byte-identical to a.bin" cmp dev/a/rootfs a.bin

# ---- upgrade ----
make_payload a2.bin 200000 "rootfs 1.1.0"
make_release v2.json 1.1.0 2 hw-a a.bin:a2.bin:rootfs:65536 b.bin:b.bin:kernel
T="pack 1.1.0 (security_version 2)" expect_ok "$FWSEAL" pack --manifest v2.json --key rel.key \
	--root root.json --out v2.fwb
T="upgrade to 1.1.0" expect_ok "$FWVERIFY" install --device dev v2.fwb
check "upgrade went to slot b" cmp dev/b/rootfs a2.bin
check "the upgrade replaced slot b's files: no stale c.bin payload" test ! -e dev/b/empty
check "the old slot a keeps 1.0.0 (fallback)" cmp dev/a/rootfs a.bin
T="boot 1.1.0" expect_ok "$FWVERIFY" boot --device dev
T="mark-good 1.1.0" expect_ok "$FWVERIFY" mark-good --device dev
T="status after upgrade" expect_ok "$FWVERIFY" status --device dev --json
check "status: 1.1.0, security_version 2, slot b, three installs" python3 -c '
import json, sys
d = json.load(sys.stdin)
assert (d["version"], d["security_version"], d["confirmed_slot"], d["installs"]) == \
    ("1.1.0", 2, "b", 3), d
assert d["pending_slot"] is None, d' <"$LAST_OUT"
T="the audit log of the whole story verifies" expect_ok "$FWVERIFY" log --device dev --verify
finish
