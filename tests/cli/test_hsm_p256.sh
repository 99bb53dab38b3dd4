# SPDX-License-Identifier: Apache-2.0
# P-256 device decryption keys (docs/hsm.md "Device decryption keys",
# docs/encryption.md "P-256 recipients") against SoftHSM2 in a token
# directory of this test's own: generated in a token and in a key file by
# fwseal-keys, a key made by the token's own tools, the token's ECDH checked
# against python3-cryptography (an implementation that is not fwseal's),
# and every refusal: wrong and missing PIN, a key that may not derive, a
# key on another curve, a signing key, a token whose public object lies,
# a device that is not a recipient.
# req: REQ-HSM-006
. "$(dirname "$0")/lib.sh"

MODULE=/usr/lib/softhsm/libsofthsm2.so
for need in softhsm2-util "$MODULE" "$BUILD/p11_fixture"; do
	if ! command -v "$need" >/dev/null 2>&1 && [ ! -e "$need" ]; then
		ok "P-256 device keys in SoftHSM2 tokens # SKIP $need missing (make test-deps; make cli)"
			fi
done
if ! python3 -c 'import cryptography.hazmat.primitives.ciphers.aead' 2>/dev/null; then
	ok "P-256 device keys in SoftHSM2 tokens # SKIP python3-cryptography missing (make test-deps)"
	fi
FIX=$BUILD/p11_fixture
ORACLE=$TESTS_DIR/vectors/p256_oracle.py
export LSAN_OPTIONS="suppressions=$TESTS_DIR/hsm/lsan.supp:print_suppressions=0"

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
init_token unit17 1717
init_token odd 4242
printf '1717\n' >unit17.pin
DEV="pkcs11:token=unit17;object=fwseal-decrypt?pin-source=file:$PWD/unit17.pin"

# fx_expect STATUS WHAT PATTERN ARGS...: the fixture's exit status and what it printed.
fx_expect() {
	local want=$1 what=$2 pattern=$3 got
	shift 3
	"$FIX" "$@" >"$LAST_OUT" 2>"$LAST_ERR"
	got=$?
	if [ "$got" -eq "$want" ] && grep -q -- "$pattern" "$LAST_OUT"; then
		ok "$what (exit $want)"
	else
		not_ok "$what" "exit $got (expected $want), output not matching '$pattern'" \
			"$(_show_file stdout "$LAST_OUT")" "$(_show_file stderr "$LAST_ERR")"
	fi
}

check "fwseal-verify reaches a decryption key in a token, and holds no signing-key code" sh -c \
	'nm "$1/fwseal-verify" | grep -q " fws_p256_token_open$" &&
	! nm "$1/fwseal-verify" | grep -q "fws_signing_key\|fws_pkcs11_generate"' sh "$BUILD"

# ---- generated inside the token by fwseal-keys ----
T="generate --type device --curve p256 --pkcs11: a P-256 device key made inside token unit17" \
	expect_ok "$FWKEYS" generate --out unit17 --type device --curve p256 --pkcs11 "$DEV"
check "only the public key reached the disk" test -f unit17.pub -a ! -e unit17.key
check "the key's URI and its recipient were printed" sh -c \
	'grep -q "^created pkcs11:token=unit17;serial=" "$1" && grep -q "^recipient fwseal-p256-1" "$1"' \
	sh "$LAST_OUT"
REC=$(sed -n 's/^recipient //p' "$LAST_OUT")
check "the printed recipient is the one in unit17.pub" grep -qx "$REC" unit17.pub
check "the URI printed carries no PIN" sh -c '! grep -q "1717\|pin-" "$1"' sh "$LAST_OUT"
T="generate --type device --curve p256 --pkcs11 again under the same label: keys are never replaced" \
	expect_exit 32 "$FWKEYS" generate --out unit17b --type device --curve p256 --pkcs11 "$DEV"
T="recipient of the token key: the same string, the key opened and checked by one ECDH" \
	expect_ok "$FWKEYS" recipient "$DEV"
check "fwseal-keys recipient prints the generated recipient" grep -qx "$REC" "$LAST_OUT"

# ---- unwrap through the token ----
fx_expect 0 "a stanza for the token's key opens in the token (C_DeriveKey, CKM_ECDH1_DERIVE)" \
	opened unwrap "$DEV" "$REC"
# python3-cryptography wraps for the token's public key: the token's ECDH,
# fwseal's HKDF and AEAD agree with an implementation that is not fwseal's.
PUBHEX=$(python3 - "$REC" <<'EOF'
import sys
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
data = [CHARSET.index(c) for c in sys.argv[1][len("fwseal-p256-1"):-6]]
acc = bits = 0
out = bytearray()
for v in data:
    acc = (acc << 5) | v
    bits += 5
    if bits >= 8:
        bits -= 8
        out.append((acc >> bits) & 255)
print(out.hex())
EOF
)
FK=00112233445566778899aabbccddeeff
read -r EPH BODY < <(python3 "$ORACLE" wrap "$PUBHEX" "$FK")
fx_expect 0 "a stanza python3-cryptography made for the token's key opens in the token" \
	opened unwrap-stanza "$DEV" "$EPH" "$BODY" "$FK"

# ---- a software key file as the other recipient ----
T="generate --type device --curve p256: a P-256 device key file" expect_ok "$FWKEYS" generate --out soft --type device --curve p256
check "the secret key file is mode 0600" test "$(stat -c %a soft.key)" = 600
SOFT=$(sed -n 's/^recipient //p' "$LAST_OUT")
fx_expect 0 "a stanza for the key file opens with it" opened unwrap soft.key "$SOFT"
fx_expect 63 "a device that is not a recipient: the token key does not open the key file's stanza" \
	"not a recipient" unwrap "$DEV" "$SOFT"
fx_expect 63 "a device that is not a recipient: the key file does not open the token's stanza" \
	"not a recipient" unwrap soft.key "$REC"

# ---- PIN: the existing codes ----
fx_expect 52 "wrong PIN" "FWS_EPIN wrong PIN" unwrap \
	"pkcs11:token=unit17;object=fwseal-decrypt?pin-value=9999" "$REC"
fx_expect 52 "no PIN on a device (nobody to ask): the refusal says where a PIN comes from" \
	"FWS_EPIN .*pin-source" unwrap "pkcs11:token=unit17;object=fwseal-decrypt" "$REC"
check "the wrong PIN is never printed" sh -c '! grep -q 9999 "$1"' sh "$LAST_OUT"
fx_expect 55 "a URI naming no token" FWS_ETOKEN unwrap \
	"pkcs11:token=nosuch;object=fwseal-decrypt?pin-value=1717" "$REC"
T="fwseal-keys recipient with a wrong PIN" expect_exit 52 "$FWKEYS" recipient \
	"pkcs11:token=unit17;object=fwseal-decrypt?pin-value=9999"

# ---- keys the device must refuse (made by the fixture, not by fwseal) ----
# pair() gives every key CKA_ID 7e LEN(label): the labels differ in length.
"$FIX" "$MODULE" p256 odd 4242 made-elsewhere || die "fixture p256"
"$FIX" "$MODULE" p256-noderive odd 4242 noderive || die "fixture p256-noderive"
"$FIX" "$MODULE" p384 odd 4242 p384key || die "fixture p384"
"$FIX" "$MODULE" p256-liar odd 4242 liar || die "fixture p256-liar"
"$FIX" "$MODULE" nosign odd 4242 ed || die "fixture nosign"
ODD="?pin-value=4242"
T="recipient of a P-256 key made by another tool (may derive): accepted" \
	expect_ok "$FWKEYS" recipient "pkcs11:token=odd;object=made-elsewhere$ODD"
fx_expect 0 "that key unwraps in the token" opened unwrap \
	"pkcs11:token=odd;object=made-elsewhere$ODD" "$(cat "$LAST_OUT")"
fx_expect 68 "a key not allowed to derive (CKA_DERIVE false)" "FWS_EKEYDERIVE .*CKA_DERIVE" \
	unwrap "pkcs11:token=odd;object=noderive$ODD" "$REC"
fx_expect 68 "a key on another curve (P-384)" "FWS_EKEYDERIVE .*P-256" unwrap \
	"pkcs11:token=odd;object=p384key$ODD" "$REC"
fx_expect 68 "a token whose public object belongs to another key: refused at open" \
	"FWS_EKEYDERIVE .*does not match its public key" unwrap "pkcs11:token=odd;object=liar$ODD" "$REC"
fx_expect 68 "an Ed25519 (signing) key as a decryption key" "FWS_EKEYDERIVE .*not an EC P-256" \
	unwrap "pkcs11:token=odd;object=ed$ODD" "$REC"
T="fwseal-keys recipient of a key not allowed to derive" expect_exit 68 "$FWKEYS" recipient \
	"pkcs11:token=odd;object=noderive$ODD"

# ---- end to end: bundles encrypted to P-256 keys install on the device ----
make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536
"$FWKEYS" generate --type device --out x25519 >/dev/null || die "x25519 device key"
"$FWKEYS" generate --type device --curve p256 --out stranger >/dev/null || die "stranger"
T="pack --encrypt to a token-held P-256 key, a P-256 key file and an X25519 key (mixed)" \
	expect_ok "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json --out e.fwb \
	--encrypt --to "$REC" --to soft.pub --to x25519.pub
check "the recipients entry holds two fwseal-p256 stanzas and one X25519" sh -c \
	'tar -xOf e.fwb recipients | grep -c "^-> fwseal-p256 " | grep -qx 2 &&
	tar -xOf e.fwb recipients | grep -c "^-> X25519 " | grep -qx 1'
check "no plaintext in the bundle" python3 -c 'import sys
a = open("a.bin", "rb").read()
assert not any(a[i:i + 32] in open("e.fwb", "rb").read() for i in range(0, 299000, 4999))'
device_init d
T="install with the decryption key in the token (pkcs11: URI, PIN from pin-source)" \
	expect_ok "$FWVERIFY" install --device d --decryption-key "$DEV" e.fwb
check "... the slot holds the plaintext" cmp d/b/rootfs a.bin
device_init d2
T="install with the P-256 key file" expect_ok "$FWVERIFY" install --device d2 \
	--decryption-key soft.key e.fwb
check "... the slot holds the plaintext" cmp d2/b/rootfs a.bin
device_init d3
T="install with the X25519 key of the same mixed bundle" expect_ok "$FWVERIFY" install \
	--device d3 --decryption-key x25519.key e.fwb
check "... the slot holds the plaintext" cmp d3/b/rootfs a.bin

device_init r
before=$(snapshot r)
refused() { # STATUS WHAT KEY
	T="$2" expect_exit "$1" "$FWVERIFY" install --device r --decryption-key "$3" e.fwb
	check "$2: nothing written" test "$before" = "$(snapshot r)"
}
refused 63 "a device whose P-256 key is not a recipient" stranger.key
refused 52 "the token's PIN missing (a device has nobody to ask)" \
	"pkcs11:token=unit17;object=fwseal-decrypt"
check "... the message says where the PIN comes from" grep -q "pin-source" "$LAST_ERR"
refused 52 "the token's PIN wrong" "pkcs11:token=unit17;object=fwseal-decrypt?pin-value=9999"
check "... the PIN is never printed" sh -c '! grep -q 9999 "$1"' sh "$LAST_ERR"
refused 68 "a token key not allowed to derive" "pkcs11:token=odd;object=noderive$ODD"
refused 55 "a decryption key URI naming no token" "pkcs11:token=gone;object=x?pin-value=1"
chmod 644 soft.key
refused 30 "a P-256 key file readable by others" soft.key
chmod 600 soft.key

# The invalid-curve attack against the token: the first P-256 stanza's
# ephemeral point replaced by an x with no point on the curve. The device
# refuses the entry before the token sees the point.
python3 - <<'EOF' || die "offcurve"
import base64, tarfile
p = 2**256 - 2**224 + 2**192 + 2**96 - 1
b = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b
x = next(x for x in range(1, 100) if pow((x**3 - 3*x + b) % p, (p - 1) // 2, p) != 1)
bad = base64.b64encode(b"\x02" + x.to_bytes(32, "big")).decode()
e = open("e.fwb", "rb").read()
m = tarfile.open("e.fwb").getmember("recipients")
h = e[m.offset_data:m.offset_data + m.size]
i = h.index(b"-> fwseal-p256 ") + len(b"-> fwseal-p256 ")
h = h[:i] + bad.encode() + h[i + 44:]
open("offcurve.fwb", "wb").write(e[:m.offset_data] + h + e[m.offset_data + m.size:])
EOF
T="an off-curve ephemeral point in a fwseal-p256 stanza (invalid-curve attack)" \
	expect_exit 66 "$FWVERIFY" install --device r --decryption-key "$DEV" offcurve.fwb
check "... nothing written" test "$before" = "$(snapshot r)"
check "... the refusal names the curve" grep -q "curve" "$LAST_ERR"

# system.conf names the token key (a real device: slots in a disk image).
truncate -s 2M disk.img
mkdir -p etc state
cat >dev.conf <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/etc/root.json
state-dir = $PWD/state
bootloader = dir
[slot.rootfs.0]
class = rootfs
device = $PWD/disk.img
offset = 0
size = 1M
bootname = A
[slot.rootfs.1]
class = rootfs
device = $PWD/disk.img
offset = 1M
size = 1M
bootname = B
[decryption]
key = $DEV
EOC
"$FWVERIFY" init --config dev.conf --root root.json >"$T_DIR/setup.log" 2>&1 ||
	die "init --config: $(cat "$T_DIR/setup.log")"
T="install with system.conf [decryption] naming the token key" expect_ok "$FWVERIFY" install \
	--config dev.conf e.fwb
check "... slot B of the disk image holds the plaintext" \
	cmp <(dd if=disk.img bs=1M skip=1 count=1 2>/dev/null | head -c 300000) a.bin

# Re-targeting without re-signing: the P-256 key file opens the entry and
# the token key becomes the only recipient.
T="encrypt: re-target to the token key alone, opened with the P-256 key file" expect_ok \
	"$FWSEAL" encrypt --identity soft.key --root root.json --to "$REC" e.fwb t.fwb
check "... the signed manifest is the same" \
	cmp <(tar -xOf e.fwb manifest.json) <(tar -xOf t.fwb manifest.json)
T="... the P-256 key file is no longer a recipient" expect_exit 63 "$FWVERIFY" install \
	--device r --decryption-key soft.key t.fwb
device_init d4
T="... the token installs it" expect_ok "$FWVERIFY" install --device d4 --decryption-key "$DEV" t.fwb
check "... with the plaintext" cmp d4/b/rootfs a.bin
T="encrypt --to an off-curve P-256 recipient" expect_exit 66 "$FWSEAL" encrypt \
	--identity soft.key --root root.json --to "fwseal-p256-1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqxzzzzz" \
	e.fwb bad.fwb
check "no output after the refusal" test ! -e bad.fwb
finish
