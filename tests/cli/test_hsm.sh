# SPDX-License-Identifier: Apache-2.0
# Release and root keys in PKCS#11 tokens and behind a signer command
# (docs/hsm.md), against SoftHSM2 in a token directory of this test's own
# (SOFTHSM2_CONF): generate in a token, list, pack with a token key, M-of-N
# across two tokens, root signing, permits, the PIN's sources, a stale
# slot-id, every named refusal, and every signature a token or a signer
# command made checked again by a verifier that is not fwseal's (python3
# cryptography).
# req: REQ-HSM-001
. "$(dirname "$0")/lib.sh"

MODULE=/usr/lib/softhsm/libsofthsm2.so
for need in softhsm2-util "$MODULE" "$BUILD/p11_fixture"; do
	if ! command -v "$need" >/dev/null 2>&1 && [ ! -e "$need" ]; then
		ok "PKCS#11 keys in SoftHSM2 tokens # SKIP $need missing (make test-deps; make cli)"
		finish
	fi
done
if ! python3 -c 'import cryptography.hazmat.primitives.asymmetric.ed25519' 2>/dev/null; then
	ok "PKCS#11 keys in SoftHSM2 tokens # SKIP python3-cryptography missing (make test-deps)"
	finish
fi
FIX=$BUILD/p11_fixture
# SANITIZE=1 builds: SoftHSM2 leaks a little of its own at each EdDSA
# C_SignInit; that is the module's, not fwseal's.
export LSAN_OPTIONS="suppressions=$TESTS_DIR/hsm/lsan.supp:print_suppressions=0"

# req: REQ-KEY-004
# p11-kit is loaded at the first pkcs11: URI: nothing links it, and the
# device side holds none of this code.
check "no fwseal program or library links p11-kit" sh -c '
for f in fwseal fwseal-keys fwseal-verify libfwseal.so.0 libfwseal-device.so.0; do
	readelf -d "$1/$f" | grep -q "NEEDED.*p11-kit" && { echo "$f links p11-kit"; exit 1; }
done; exit 0' sh "$BUILD"
# The device side reaches its decryption key in a token through the same
# token code (lib/device/p11, ADR-065), never a signing key provider.
check "fwseal-verify holds no signing-key provider code" sh -c \
	'! nm "$1/fwseal-verify" | grep -q "fws_signing_key\|fws_command_key\|fws_pkcs11_key_open\|fws_pkcs11_generate\|fws_p11_public_ed25519"' sh "$BUILD"

# ---- the tokens: this directory only ----
mkdir -p tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$PWD" >softhsm2.conf
export SOFTHSM2_CONF=$PWD/softhsm2.conf
export FWSEAL_PKCS11_MODULE=$MODULE
unset FWSEAL_PKCS11_PIN
init_token() { # LABEL PIN
	softhsm2-util --init-token --free --label "$1" --so-pin 5678 --pin "$2" \
		>"$T_DIR/setup.log" 2>&1 || die "softhsm2-util --init-token $1: $(cat "$T_DIR/setup.log")"
}
init_token alice 1111
init_token bob 2222
init_token twin 3333
init_token twin 3333 # a second token with the same label
printf '2222\n' >bob.pin
A='pkcs11:token=alice;object=release-a'
B="pkcs11:token=bob;object=release-b?pin-source=file:$PWD/bob.pin"

# RFC 8032 test 1: its public key is known, so the token's view of it is
# checked against a number no fwseal code produced.
SEED=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
PUB=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
$FIX "$MODULE" import bob 2222 imported "$SEED" || die "fixture import"
# RFC 8032 test 2's public key, on a public-key object beside test 1's private key.
PUB2=3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c
$FIX "$MODULE" import bob 2222 liar "$SEED" \
	4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb || die "fixture liar"
$FIX "$MODULE" nosign alice 1111 verify-only || die "fixture nosign"
$FIX "$MODULE" p256 alice 1111 ecdsa || die "fixture p256"
$FIX "$MODULE" init-nopin nopin 5678 || die "fixture init-nopin"
PUB_KEYID=21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9 # sha256(PUB)
printf '{"keyid":"%s","keytype":"ed25519","public":"%s","type":"fwseal-public-key","version":1}\n' \
	"$PUB_KEYID" "$PUB" >imported.pub
PUB2_KEYID=$(printf "$(printf %s "$PUB2" | sed 's/../\\x&/g')" | sha256sum | cut -c1-64)
printf '{"keyid":"%s","keytype":"ed25519","public":"%s","type":"fwseal-public-key","version":1}\n' \
	"$PUB2_KEYID" "$PUB2" >liar.pub

# ---- generate inside the token ----
T="generate --pkcs11: an Ed25519 key made inside token alice (PIN from FWSEAL_PKCS11_PIN)" \
	FWSEAL_PKCS11_PIN=1111 expect_ok "$FWKEYS" generate --out rel-a --pkcs11 "$A"
check "generate --pkcs11 wrote only the public key" test -f rel-a.pub -a ! -e rel-a.key
check "generate --pkcs11 printed the key's URI" grep -q "created pkcs11:token=alice;serial=" "$LAST_OUT"
T="generate --pkcs11: PIN from pin-source=file: (RFC 7512)" \
	expect_ok "$FWKEYS" generate --out rel-b --pkcs11 "$B"
T="generate --pkcs11 twice under one label: keys are never replaced" FWSEAL_PKCS11_PIN=1111 \
	expect_exit 32 "$FWKEYS" generate --out again --pkcs11 "$A"
check "nothing written for the refused key" test ! -e again.pub
T="generate --pkcs11 without object=LABEL" FWSEAL_PKCS11_PIN=1111 \
	expect_exit 2 "$FWKEYS" generate --out nolabel --pkcs11 'pkcs11:token=alice'

# ---- list ----
T="pkcs11 list MODULE: tokens and key URIs, no PIN needed" expect_ok "$FWKEYS" pkcs11 list "$MODULE"
KEYID_A=$("$FWKEYS" fingerprint rel-a.pub)
check "list names token alice and its key with rel-a.pub's key id" \
	grep -q "ed25519 key id $KEYID_A" "$LAST_OUT"
check "list shows the key's URI" grep -q "pkcs11:token=alice;serial=.*;object=release-a;id=" "$LAST_OUT"
check "list marks the ECDSA key as unusable" grep -q "object=ecdsa;.*" "$LAST_OUT"
T="pkcs11 list of a module that cannot be loaded" expect_exit 56 "$FWKEYS" pkcs11 list \
	"$PWD/no-such-module.so"
T="pkcs11 list --json" expect_ok "$FWKEYS" pkcs11 list --json
check "raw CKA_EC_POINT and the printable curve name read back as RFC 8032's public key" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert any(e["key_uri"] and "object=imported" in e["key_uri"] and e["keyid"] == sys.argv[2]
           for e in d["entries"]), d' "$LAST_OUT" "$PUB_KEYID"

# ---- a root whose release role needs both tokens (M-of-N across tokens) ----
# req: REQ-KEY-003
make_key rootk
"$FWKEYS" root init --root-key rootk.pub --sign rootk.key --release-key rel-a.pub \
	--release-key rel-b.pub --release-threshold 2 --expires 36500 --out root.json \
	>"$T_DIR/setup.log" 2>&1 || die "root init: $(cat "$T_DIR/setup.log")"
make_payload a.bin 100000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs
T="pack with a token key (PIN from FWSEAL_PKCS11_PIN)" FWSEAL_PKCS11_PIN=1111 \
	expect_ok "$FWSEAL" pack --manifest v1.json --key "$A" --root root.json --out v1.fwb
check "pack says a second signature is needed" grep -q "1 of 2 required" "$LAST_OUT"
T="one token's signature is not enough" expect_exit 13 "$FWSEAL" verify --root root.json v1.fwb
T="co-sign with the key in the second token (PIN from pin-source=file:)" \
	expect_ok "$FWSEAL" sign --key "$B" --root root.json v1.fwb
check "two tokens' signatures complete the bundle" grep -q "(complete)" "$LAST_OUT"
T="the bundle signed in two tokens verifies" expect_ok "$FWSEAL" verify --root root.json v1.fwb

# Every token signature, again, by python3-cryptography over the DSSE PAE.
cat >dsse_verify.py <<'EOF'
import base64, hashlib, json, sys, tarfile
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
src, pubs = sys.argv[1], sys.argv[2:]
if src.endswith(".fwb"):
    with tarfile.open(src) as t:
        env = json.load(t.extractfile("manifest.json"))
else:
    env = json.load(open(src))
body = base64.b64decode(env["payload"], validate=True)
ptype = env["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(body), body)
keys = {}
for p in pubs:
    pk = bytes.fromhex(json.load(open(p))["public"])
    keys[hashlib.sha256(pk).hexdigest()] = pk
assert len(env["signatures"]) == len(pubs), "signatures: %d" % len(env["signatures"])
for s in env["signatures"]:
    Ed25519PublicKey.from_public_bytes(keys[s["keyid"]]).verify(
        base64.b64decode(s["sig"], validate=True), pae)
EOF
check "python3-cryptography verifies both token signatures over the PAE" \
	python3 dsse_verify.py v1.fwb rel-a.pub rel-b.pub

T="the same token key co-signs once only" \
	expect_exit 39 "$FWSEAL" sign --key "$B" --root root.json v1.fwb

# req: REQ-HSM-004
# The PIN typed at the terminal (echo off), as a person at a signing
# station gives it: the prompt is answered once it appears.
cat >tty_pin.py <<'EOF'
import os, pty, sys
pin, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen = b""
while b"PIN for " not in seen:
    chunk = os.read(fd, 1024)
    if not chunk:
        sys.exit("no PIN prompt: %r" % seen)
    seen += chunk
if pin.encode() in seen:
    sys.exit("PIN echoed")
os.write(fd, pin.encode() + b"\n")
out = b""
try:
    while True:
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        out += chunk
except OSError:
    pass
status = os.waitpid(pid, 0)[1]
if pin.encode() in out:
    sys.exit("PIN echoed")
sys.exit(os.waitstatus_to_exitcode(status))
EOF
T="PIN typed at the terminal, never echoed" expect_ok python3 tty_pin.py 1111 "$FWSEAL" permit \
	--key "$A" --root root.json --bundle v1.fwb --device-id dev-1 --to-version 1.0.0 \
	--out tty.permit
check "the permit signed after the terminal PIN verifies (python3-cryptography)" \
	python3 dsse_verify.py tty.permit rel-a.pub

# ---- slots are renumbered: a stored slot-id must not matter ----
SLOT_OK="pkcs11:token=alice;object=release-a;slot-id=424242?pin-value=1111"
T="a stale slot-id beside token= is ignored (SoftHSM renumbers slots)" \
	expect_ok "$FWSEAL" permit --key "$SLOT_OK" --root root.json --bundle v1.fwb \
	--device-id dev-1 --to-version 1.0.0 --out p.permit
check "the permit's token signature verifies (python3-cryptography)" \
	python3 dsse_verify.py p.permit rel-a.pub
T="a slot-id alone does not name a token" expect_exit 2 "$FWSEAL" permit --root root.json \
	--key 'pkcs11:slot-id=1;object=release-a' --bundle v1.fwb --device-id dev-1 \
	--to-version 1.0.0 --out x.permit

# Without module-path= and FWSEAL_PKCS11_MODULE: the modules registered
# with p11-kit (Debian's softhsm2 registers itself), or one of them by name.
if [ -e /usr/share/p11-kit/modules/softhsm2.module ]; then
	(
		unset FWSEAL_PKCS11_MODULE
		T="pkcs11 list: p11-kit's registered modules when none is named" \
			expect_ok "$FWKEYS" pkcs11 list
		check "the registered SoftHSM2 module shows token alice" grep -q "^token 'alice'" "$LAST_OUT"
		T="a key found through p11-kit's module-name=softhsm2" expect_ok "$FWSEAL" permit \
			--key "pkcs11:token=alice;object=release-a?module-name=softhsm2&pin-value=1111" \
			--root root.json --bundle v1.fwb --device-id dev-2 --to-version 1.0.0 --out reg.permit
		T="module-name of a module p11-kit does not know" expect_exit 56 "$FWSEAL" permit \
			--key "pkcs11:token=alice;object=release-a?module-name=nosuch&pin-value=1111" \
			--root root.json --bundle v1.fwb --device-id dev-2 --to-version 1.0.0 --out x.permit
	)
else
	ok "modules registered with p11-kit # SKIP softhsm2 is not registered with p11-kit here"
fi

# ---- root signing with a token key; a raw 32-byte CKA_EC_POINT and the
# printable curve name, as other modules write them ----
IMP="pkcs11:token=bob;object=imported?pin-value=2222"
T="root init signed by a token key stored with a raw CKA_EC_POINT" \
	expect_ok "$FWKEYS" root init --root-key imported.pub --release-key rel-a.pub \
	--sign "$IMP" --expires 36500 --out root-hsm.json
check "the root's token signature verifies with RFC 8032's public key (python3-cryptography)" \
	python3 dsse_verify.py root-hsm.json imported.pub
check "a pin-value is never printed" sh -c '! grep -q 2222 "$1"' sh "$LAST_OUT"

# req: REQ-HSM-002
T="a token whose public-key object is another key's: its signature is refused" expect_exit 5 \
	"$FWKEYS" root init --root-key liar.pub --release-key rel-a.pub --expires 36500 \
	--sign "pkcs11:token=bob;object=liar?pin-value=2222" --out liar.json
check "the refusal says the token's signature does not verify" \
	grep -q "token's signature does not verify" "$LAST_ERR"
check "nothing written for the lying token" test ! -e liar.json

T="root new, then root sign with the token key (--previous)" \
	expect_ok "$FWKEYS" root new --from root-hsm.json --out root-hsm2.json --expires 36500
T="root sign --key with a token key" expect_ok "$FWKEYS" root sign --key "$IMP" \
	--previous root-hsm.json root-hsm2.json
T="the token-signed root chain verifies" expect_ok "$FWKEYS" root verify --trusted root-hsm.json \
	root-hsm2.json
check "root sign's token signature verifies (python3-cryptography)" \
	python3 dsse_verify.py root-hsm2.json imported.pub
T="change-passphrase of a token key: its PIN is the token's business" \
	expect_exit 2 "$FWKEYS" change-passphrase --key "$IMP"

# ---- the signer command: the same key behind a program ----
# req: REQ-HSM-005
cat >signer.py <<'EOF'
import base64, os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
data = sys.stdin.buffer.read()
fds = " ".join(sorted(os.listdir("/proc/self/fd")))   # what it was given, for the checks
with open(sys.argv[1] + ".seen", "w") as f:
    f.write("fds=%s\nenv=%s\n" % (fds, " ".join(sorted(os.environ))))
key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(open(sys.argv[1]).read().strip()))
sys.stdout.write(base64.b64encode(key.sign(data)).decode() + "\n")
EOF
echo "$SEED" >seed.hex
T="root init signed by a signer command (--key names its .pub)" \
	expect_ok "$FWKEYS" root init --root-key imported.pub --release-key rel-a.pub \
	--sign imported.pub --signer-command "python3 $PWD/signer.py $PWD/seed.hex" \
	--expires 36500 --out root-cmd.json
check "token and signer command made the identical root (Ed25519 is deterministic)" \
	cmp root-hsm.json root-cmd.json
check "the signer command had only descriptors 0, 1, 2 (and its own listing's 3)" \
	grep -qx "fds=0 1 2 3" seed.hex.seen
check "the signer command's environment is clean: no passphrase, no PIN" \
	sh -c '! grep -q "FWSEAL_PASSPHRASE\|FWSEAL_PKCS11\|SOFTHSM2_CONF" seed.hex.seen && grep -q FWSEAL_SIGNER_KEYID seed.hex.seen'

od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >other.hex
# req: REQ-HSM-002
T="a signer command that signs with another key" expect_exit 57 "$FWKEYS" root init \
	--root-key imported.pub --release-key rel-a.pub --sign imported.pub --expires 36500 \
	--signer-command "python3 $PWD/signer.py $PWD/other.hex" --out x.json
check "the refusal says the signature does not verify" grep -q "does not verify" "$LAST_ERR"
check "nothing written for a refused signature" test ! -e x.json
R=("$FWKEYS" root init --root-key imported.pub --release-key rel-a.pub --sign imported.pub
	--expires 36500 --out x.json)
T="a signer command that prints no signature" expect_exit 57 "${R[@]}" \
	--signer-command 'echo not-a-signature'
T="a signer command that prints 64 raw bytes, not base64" expect_exit 57 "${R[@]}" \
	--signer-command 'head -c 64 /dev/zero'
T="a signer command that fails" expect_exit 57 "${R[@]}" --signer-command 'cat >/dev/null; exit 3'
check "its exit status is named" grep -q "exit status 3" "$LAST_ERR"
T="a signer command that hangs: stopped after --signer-timeout, its group killed" \
	expect_exit 57 "${R[@]}" --signer-timeout 1 \
	--signer-command "sleep 30 & echo \$! >$PWD/child.pid; wait"
sleep 0.2
# (Killed, it may stay a zombie until its new parent reaps it.)
check "the hung command's child was killed with its process group" \
	sh -c '! kill -0 "$1" 2>/dev/null || grep -q "^State:.*Z" "/proc/$1/status"' sh \
	"$(cat child.pid)"
T="--signer-timeout without --signer-command" expect_exit 2 "${R[@]}" --signer-timeout 5

# ---- the named refusals ----
# req: REQ-HSM-003, REQ-HSM-004
P=("$FWSEAL" pack --manifest v1.json --root root.json --out x.fwb)
T="wrong PIN" expect_exit 52 "${P[@]}" --key "$A?pin-value=9999"
check "the refusal names the wrong PIN" grep -q "wrong PIN" "$LAST_ERR"
check "the PIN given is never printed" sh -c '! grep -q 9999 "$1"' sh "$LAST_ERR"
check "the URI is printed without its PIN" grep -q "^fwseal: pkcs11:token=alice;object=release-a: " \
	"$LAST_ERR"
T="no PIN and no terminal" expect_exit 2 "${P[@]}" --key "$A" </dev/null
check "the refusal says where a PIN can come from" grep -q "FWSEAL_PKCS11_PIN" "$LAST_ERR"
T="not logged in: the token's user PIN was never set" expect_exit 52 "${P[@]}" \
	--key 'pkcs11:token=nopin;object=x?pin-value=1'
check "the refusal says not logged in" grep -q "not logged in" "$LAST_ERR"
T="a key not allowed to sign (CKA_SIGN false)" expect_exit 54 "${P[@]}" \
	--key 'pkcs11:token=alice;object=verify-only?pin-value=1111'
check "the refusal names CKA_SIGN" grep -q "not allowed to sign (CKA_SIGN is false)" "$LAST_ERR"
T="an ECDSA P-256 key" expect_exit 54 "${P[@]}" --key 'pkcs11:token=alice;object=ecdsa?pin-value=1111'
check "the refusal says not Ed25519" grep -q "not an Ed25519 key" "$LAST_ERR"
T="a URI naming no key in the token" expect_exit 54 "${P[@]}" \
	--key 'pkcs11:token=alice;object=nope?pin-value=1111'
T="a URI matching no token" expect_exit 55 "${P[@]}" --key 'pkcs11:token=carol;object=k?pin-value=1'
check "the refusal lists the tokens present" grep -q "'alice'.*'bob'\|'bob'.*'alice'" "$LAST_ERR"
T="a URI matching two tokens" expect_exit 55 "${P[@]}" --key 'pkcs11:token=twin;object=k?pin-value=3333'
check "the refusal lists both matches with their serials" \
	grep -q "2 tokens match the URI: 'twin' (serial .*), 'twin' (serial .*)" "$LAST_ERR"
T="a token key outside the root's release role" expect_exit 31 "${P[@]}" --key "$IMP"
T="a module that cannot be loaded" expect_exit 56 "${P[@]}" \
	--key "pkcs11:token=alice;object=release-a?module-path=$PWD/no-such-module.so&pin-value=1111"
T="a file that is not a PKCS#11 module" FWSEAL_PKCS11_MODULE=$PWD/v1.json \
	expect_exit 56 "${P[@]}" --key "$A?pin-value=1111"
T="an attribute RFC 7512 does not define" expect_exit 2 "${P[@]}" --key 'pkcs11:token=alice;serail=1'
check "nothing written by any refused pack" test ! -e x.fwb

# SoftHSM2 never locks a PIN itself, but honours the lock flag in its
# token store: set it there, as a token that locked would have it.
python3 - tokens <<'EOF' || die "lock flag"
import glob, struct, sys
for path in glob.glob(sys.argv[1] + "/*/token.object"):
    data = bytearray(open(path, "rb").read())
    if b"bob" + b" " * 29 not in data:
        continue
    i = data.index(b"\x00\x00\x00\x00\x80\x00\x53\x4b")  # CKA_OS_TOKENFLAGS
    # attribute type (8 bytes), value kind (8: 2 = integer), value (8)
    flags = struct.unpack(">Q", data[i + 16:i + 24])[0] | 0x40000  # CKF_USER_PIN_LOCKED
    data[i + 16:i + 24] = struct.pack(">Q", flags)
    open(path, "wb").write(data)
EOF
T="a locked PIN: refused before any PIN is tried" expect_exit 53 "$FWSEAL" sign --key "$B" \
	--root root.json v1.fwb
check "the refusal says the PIN is locked" grep -q "PIN is locked" "$LAST_ERR"

# The token goes away between opening the key and signing with it.
cp -a tokens tokens.saved
alice_dir=$(dirname "$(grep -l "alice" tokens/*/token.object)")
check "a token removed mid-run: named refusal, nothing signed" \
	sh -c '"$1" removed "$2?pin-value=1111" "$3" | grep -q "^FWS_ETOKEN .*went away"' sh \
	"$FIX" "$A" "$alice_dir"
rm -rf tokens && mv tokens.saved tokens

finish
