# SPDX-License-Identifier: Apache-2.0
# Attacks on authenticity and on the device's policy: unknown signers,
# altered envelopes and roots, type confusion, thresholds, wrong hardware,
# rollback and downgrade.
. "$(dirname "$0")/lib.sh"

std_setup
make_key evil

# ---- who signed ----
# req: REQ-SIG-001, REQ-SIG-003
make_root evil-root.json evil evil
pack evil.fwb v1.json evil evil-root.json
T="bundle signed by an attacker's key under the attacker's own root" \
	expect_exit 11 "$FWSEAL" verify --root root.json evil.fwb
entry_get evil.fwb manifest.json >evil-manifest.json
entry_set v1.fwb manifest.json evil-manifest.json spliced.fwb
T="attacker-signed manifest spliced into a genuine bundle" \
	expect_exit 11 "$FWSEAL" verify --root root.json spliced.fwb
T="pack with a key that is not in the root's release role (the root key)" \
	expect_exit 31 "$FWSEAL" pack --manifest v1.json --key rootk.key --root root.json --out x.fwb
check "nothing written by the refused pack" test ! -e x.fwb
T="pack with the attacker's key against the genuine root" \
	expect_exit 31 "$FWSEAL" pack --manifest v1.json --key evil.key --root root.json --out x.fwb

# ---- the envelope ----
# req: REQ-SIG-002, REQ-SIG-003
entry_get v1.fwb manifest.json >manifest.json || die "get manifest.json"
python3 - <<'EOF' || die "making tampered envelopes"
import base64, json
env = json.load(open("manifest.json"))
def save(name, e):
    open(name, "w").write(json.dumps(e, indent=2, sort_keys=True) + "\n")
sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
sig[31] ^= 0x80
save("sig-flipped.json", dict(env, signatures=[dict(env["signatures"][0],
                                                    sig=base64.b64encode(sig).decode())]))
save("type-root.json", dict(env, payloadType="application/vnd.fwseal.root+json"))
body = base64.b64decode(env["payload"]).replace(b'"security_version":1', b'"security_version":9', 1)
save("body-edited.json", dict(env, payload=base64.b64encode(body).decode()))
EOF
entry_set v1.fwb manifest.json sig-flipped.json sig-flipped.fwb
T="one byte of the manifest signature flipped" \
	expect_exit 12 "$FWSEAL" verify --root root.json sig-flipped.fwb
entry_set v1.fwb manifest.json body-edited.json body-edited.fwb
T="signed manifest body edited (security_version raised), signature kept" \
	expect_exit 12 "$FWSEAL" verify --root root.json body-edited.fwb
entry_set v1.fwb manifest.json type-root.json type-root.fwb
T="payloadType changed to the root type" \
	expect_exit 10 "$FWSEAL" verify --root root.json type-root.fwb
entry_set v1.fwb manifest.json root.json root-as-manifest.fwb
T="the (validly signed) root envelope given as the manifest" \
	expect_exit 10 "$FWSEAL" verify --root root.json root-as-manifest.fwb
T="a manifest given as the trusted root" \
	expect_exit 10 "$FWSEAL" verify --root manifest.json v1.fwb

# ---- the trusted root itself ----
# req: REQ-SIG-004
python3 - <<'EOF' || die "making tampered roots"
import base64, json
env = json.load(open("root.json"))
evil = json.load(open("evil.pub"))
body = json.loads(base64.b64decode(env["payload"]))
body["keys"][evil["keyid"]] = {"keytype": "ed25519", "scheme": "ed25519",
                               "keyval": {"public": evil["public"]}}
body["roles"]["release"]["keyids"].append(evil["keyid"])
raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
open("root-evil-key.json", "w").write(json.dumps(dict(env, payload=base64.b64encode(raw).decode()),
                                                 indent=2, sort_keys=True) + "\n")
text = open("root.json").read()
i = text.index('"sig": "') + len('"sig": "') + 20
open("root-sig-flipped.json", "w").write(text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:])
EOF
T="trusted root.json edited to add the attacker's release key" \
	expect_exit 12 "$FWSEAL" verify --root root-evil-key.json evil.fwb
T="trusted root.json with a flipped signature character" \
	expect_exit 12 "$FWSEAL" verify --root root-sig-flipped.json v1.fwb
T="pack refuses a tampered root too" \
	expect_exit 12 "$FWSEAL" pack --manifest v1.json --key evil.key --root root-evil-key.json \
	--out x.fwb
T="device init refuses a tampered root" \
	expect_exit 12 "$FWVERIFY" init --device devx --root root-evil-key.json --hardware hw-a

# ---- thresholds: distinct authorised keys, each counted once ----
# req: REQ-SIG-001, REQ-SIG-003, REQ-KEY-003
make_key rel2
make_root root2of2.json rootk rel rel2 -- --release-threshold 2
pack t.fwb v1.json rel root2of2.json
T="2-of-2 release threshold, one signature" \
	expect_exit 13 "$FWSEAL" verify --root root2of2.json t.fwb
entry_get t.fwb manifest.json >t-manifest.json
python3 - <<'EOF' || die "duplicating a signature"
import json
env = json.load(open("t-manifest.json"))
env["signatures"] = env["signatures"] * 2
open("t-dup.json", "w").write(json.dumps(env, indent=2, sort_keys=True) + "\n")
EOF
entry_set t.fwb manifest.json t-dup.json t-dup.fwb
T="the one signature repeated to reach a threshold of 2" \
	expect_exit 13 "$FWSEAL" verify --root root2of2.json t-dup.fwb
T="co-sign with the attacker's key" \
	expect_exit 31 "$FWSEAL" sign --key evil.key --root root2of2.json t.fwb
T="co-sign with the second release key" expect_ok "$FWSEAL" sign --key rel2.key \
	--root root2of2.json t.fwb
T="2-of-2 after co-signing" expect_ok "$FWSEAL" verify --root root2of2.json t.fwb
T="the same key co-signing twice" \
	expect_exit 39 "$FWSEAL" sign --key rel2.key --root root2of2.json t.fwb

# ---- expiry at signing time ----
# req: REQ-SIG-006
make_root short.json rootk rel -- --expires 1
SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH + 2 * 86400)) T="pack under an expired root" \
	expect_exit 16 "$FWSEAL" pack --manifest v1.json --key rel.key --root short.json --out x.fwb
SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 86400)) T="pack with a clock before the root was created" \
	expect_exit 36 "$FWSEAL" pack --manifest v1.json --key rel.key --root short.json --out x.fwb

# ---- policy: hardware, rollback, downgrade ----
# req: REQ-ROLL-001, REQ-ROLL-003, REQ-ROLL-006
T="verify for hardware the manifest does not list" \
	expect_exit 24 "$FWSEAL" verify --root root.json --hardware hw-z v1.fwb
device_init devz hw-z
before=$(snapshot devz)
T="install on a device with other hardware" expect_exit 24 "$FWVERIFY" install --device devz v1.fwb
check "the other-hardware device is unchanged" test "$before" = "$(snapshot devz)"

device_init dev
T="install a bundle from an untrusted signer" expect_exit 11 "$FWVERIFY" install --device dev evil.fwb
make_release v2.json 1.2.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb v2.json rel root.json
make_release v11.json 1.1.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v11.fwb v11.json rel root.json
T="install 1.2.0 (security_version 2)" expect_ok "$FWVERIFY" install --device dev v2.fwb
# The counter is raised only once 1.2.0 confirmed itself (boot, mark-good).
T="boot 1.2.0" expect_ok "$FWVERIFY" boot --device dev
T="confirm 1.2.0 (mark-good)" expect_ok "$FWVERIFY" mark-good --device dev
status_is "1.2.0 confirmed: the device's security_version is now 2" dev \
	'(d["version"], d["security_version"], d["pending_slot"]) == ("1.2.0", 2, None)'
before=$(snapshot dev)
T="rollback to security_version 1 (1.0.0)" expect_exit 25 "$FWVERIFY" install --device dev v1.fwb
T="rollback refused even with --allow-downgrade" \
	expect_exit 25 "$FWVERIFY" install --device dev --allow-downgrade v1.fwb
T="downgrade to 1.1.0 within security_version 2" \
	expect_exit 26 "$FWVERIFY" install --device dev v11.fwb
check "the refused installs changed nothing" test "$before" = "$(snapshot dev)"
T="downgrade to 1.1.0 with --allow-downgrade" \
	expect_ok "$FWVERIFY" install --device dev --allow-downgrade v11.fwb
T="boot 1.1.0" expect_ok "$FWVERIFY" boot --device dev
T="confirm 1.1.0 (mark-good)" expect_ok "$FWVERIFY" mark-good --device dev
"$FWVERIFY" status --device dev --json >st.json || die "status"
check "the device now runs 1.1.0, security_version still 2" python3 -c '
import json; d = json.load(open("st.json"))
assert (d["version"], d["security_version"], d["pending_slot"]) == ("1.1.0", 2, None), d'
T="rollback to security_version 1 still refused after the downgrade" \
	expect_exit 25 "$FWVERIFY" install --device dev v1.fwb
finish
