#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The key rotation story with the real binaries: a 2-of-3 root, co-signing,
# revoking a release key with root v2, and the chain checks every device
# makes (tests/cli/lib.sh has the helpers; run through tests/cli/run.sh).
# req: REQ-SIG-004, REQ-SIG-005
. "$(dirname "$0")/lib.sh"

# keyid NAME: the key ID of NAME.pub
keyid() { "$FWKEYS" fingerprint "$1.pub" || die "fingerprint $1"; }

for k in r1 r2 r3 rel1 rel2 attacker; do make_key "$k"; done
REL1=$(keyid rel1)
REL2=$(keyid rel2)

# ---- v1: root 2-of-3, release rel1; init signs with r1, r2 co-signs ----
# req: REQ-KEY-003
T="root init, root threshold 2 of 3" expect_ok "$FWKEYS" root init \
	--root-key r1.pub --root-key r2.pub --root-key r3.pub --root-threshold 2 \
	--release-key rel1.pub --sign r1.key --out root.json
check "init says one more root signature is needed" grep -q "NOT met" "$LAST_OUT"
T="root v1 with 1 of 2 root signatures is not usable yet" \
	expect_exit 13 "$FWKEYS" root show root.json
T="root sign adds a second root key" expect_ok "$FWKEYS" root sign --key r2.key root.json
T="the same key cannot sign twice (one key counts once)" \
	expect_exit 39 "$FWKEYS" root sign --key r2.key root.json
T="a release key cannot sign a root" expect_exit 31 "$FWKEYS" root sign --key rel1.key root.json
T="root v1 signed 2 of 3 is usable" expect_ok "$FWKEYS" root show root.json
check "show names the key IDs" grep -q "$REL1" "$LAST_OUT"

# ---- bad edits refused at build time ----
T="threshold 0 refused" expect_exit 35 "$FWKEYS" root new --from root.json --out bad.json \
	--threshold release=0
T="threshold above the key count refused" expect_exit 35 "$FWKEYS" root new \
	--from root.json --out bad.json --threshold root=4
T="removing the last release key refused" expect_exit 35 "$FWKEYS" root new \
	--from root.json --out bad.json --remove-key "$REL1"
T="removing a key that is not in the root refused" expect_exit 2 "$FWKEYS" root new \
	--from root.json --out bad.json --remove-key attacker.pub --add-key rel2.pub --role release
T="--add-key without --role refused" expect_exit 2 "$FWKEYS" root new \
	--from root.json --out bad.json --add-key rel2.pub
check "nothing written by refused edits" test ! -e bad.json

# ---- v2: add rel2, revoke rel1; a draft co-signed by old and new root keys ----
T="root new v2: add release key 2, revoke release key 1" expect_ok "$FWKEYS" root new \
	--from root.json --out root-v2.json --add-key rel2.pub --role release \
	--remove-key "$REL1"
check "v2 names the revoked key ID" grep -q "removed $REL1" "$LAST_OUT"
T="a draft with no signature is refused by root verify" \
	expect_exit 9 "$FWKEYS" root verify --trusted root.json root-v2.json
T="the attacker cannot co-sign v2" expect_exit 31 "$FWKEYS" root sign --key attacker.key \
	--previous root.json root-v2.json
T="root sign r1 on v2" expect_ok "$FWKEYS" root sign --key r1.key --previous root.json root-v2.json
T="v2 signed by one root key only is refused (threshold 2)" \
	expect_exit 13 "$FWKEYS" root verify --trusted root.json root-v2.json
T="root sign r3 on v2" expect_ok "$FWKEYS" root sign --key r3.key --previous root.json root-v2.json
T="root show --previous: both thresholds met" \
	expect_ok "$FWKEYS" root show --previous root.json root-v2.json
check "v2 no longer lists release key 1" bash -c "! grep -q '$REL1' '$LAST_OUT'"
check "v2 lists release key 2" grep -q "$REL2" "$LAST_OUT"
T="root verify v1 -> v2" expect_ok "$FWKEYS" root verify --trusted root.json root-v2.json
check "verify prints the chain" grep -q "chain OK: trusted version 1, newest version 2" "$LAST_OUT"

# ---- chain attacks ----
T="v3 built" expect_ok "$FWKEYS" root new --from root-v2.json --out root-v3.json \
	--sign r1.key
T="v3 co-signed" expect_ok "$FWKEYS" root sign --key r2.key --previous root-v2.json root-v3.json
T="root verify v1 -> v2 -> v3" expect_ok "$FWKEYS" root verify --trusted root.json \
	root-v2.json root-v3.json
T="root verify v1 -> v3 (a version skipped) refused" \
	expect_exit 15 "$FWKEYS" root verify --trusted root.json root-v3.json
T="root verify v2 -> v1 (rollback) refused" \
	expect_exit 15 "$FWKEYS" root verify --trusted root-v2.json root.json
T="root verify v1 -> v2 -> v2 (repeat) refused" \
	expect_exit 15 "$FWKEYS" root verify --trusted root.json root-v2.json root-v2.json

# The attacker writes a v2 that makes them the only root key, signed by
# their own key only: it is a valid self-signed document, never a successor.
T="attacker's v2 built" expect_ok "$FWKEYS" root new --from root.json --out evil-v2.json \
	--add-key attacker.pub --role root --remove-key r1.pub --remove-key r2.pub \
	--remove-key r3.pub --threshold root=1 --sign attacker.key
T="v2 signed only by an attacker key refused" \
	expect_exit 11 "$FWKEYS" root verify --trusted root.json evil-v2.json

T="expired newest root refused" SOURCE_DATE_EPOCH=$((1700000000 + 366 * 86400)) \
	expect_exit 16 "$FWKEYS" root verify --trusted root.json root-v2.json
T="an expired root is never signed" SOURCE_DATE_EPOCH=$((1700000000 + 366 * 86400)) \
	expect_exit 16 "$FWKEYS" root sign --key r3.key --previous root-v2.json root-v3.json
T="rotation away from an expired root still works" \
	SOURCE_DATE_EPOCH=$((1700000000 + 366 * 86400)) expect_ok "$FWKEYS" root new \
	--from root-v2.json --out late-v3.json --sign r1.key

# ---- bundles and one device across two rotations and a revocation ----
# v1 trusts rel1; v2 revokes rel1 and trusts rel2; v3 keeps rel2. Bundles
# carry the root chain, and the device moves its trusted root forward only
# through a bundle that verified completely.
make_payload a.bin 20000
for v in 1 2 3 4; do make_release "rel$v.json" "$v.0.0" "$v" hw-a a.bin:a.bin:rootfs; done
"$FWVERIFY" init --device dev --root root.json --hardware hw-a >/dev/null 2>&1 ||
	die "device init"
pack b1.fwb rel1.json rel1 root.json
install_confirm dev b1.fwb
status_is "device on root v1 runs 1.0.0" dev 'd["root_version"] == 1 and d["version"] == "1.0.0"'

T="pack refuses the revoked key under the chain v1..v2" expect_exit 31 "$FWSEAL" pack \
	--manifest rel2.json --key rel1.key --root root.json --root root-v2.json --out x.fwb
pack b2.fwb rel2.json rel2 root.json --root root-v2.json
T="bundle carrying v1..v2, signed by rel2, installs" expect_ok "$FWVERIFY" install \
	--device dev b2.fwb
check "install says the trusted root moved to v2" grep -q "trusted root now v2" "$LAST_OUT"
T="boot the new image" expect_ok "$FWVERIFY" boot --device dev
T="it confirms itself" expect_ok "$FWVERIFY" mark-good --device dev
status_is "device now trusts root v2, runs 2.0.0" dev \
	'd["root_version"] == 2 and d["version"] == "2.0.0"'

# The revoked key signs a newer release under the only root it still has.
pack evil.fwb rel3.json rel1 root.json
before=$(snapshot dev)
T="a bundle signed only by the revoked release key is refused" \
	expect_exit 11 "$FWVERIFY" install --device dev evil.fwb
check "the refused bundle changed nothing" test "$before" = "$(snapshot dev)"

pack b3.fwb rel3.json rel2 root.json --root root-v2.json --root root-v3.json
T="bundle carrying v1..v3 installs" expect_ok "$FWVERIFY" install --device dev b3.fwb
T="boot 3.0.0" expect_ok "$FWVERIFY" boot --device dev
T="3.0.0 confirms itself" expect_ok "$FWVERIFY" mark-good --device dev
status_is "device now trusts root v3, runs 3.0.0" dev \
	'd["root_version"] == 3 and d["version"] == "3.0.0"'
T="an old bundle with the short chain v1..v2 is still only a rollback" \
	expect_exit 25 "$FWVERIFY" install --device dev b2.fwb
check "a device that has seen v3 never goes back to an older root" \
	grep -q '"version":3' <(python3 -c 'import base64, json, sys
e = json.load(open(sys.argv[1]))
print(base64.b64decode(e["payload"]).decode())' dev/root.json)
finish
