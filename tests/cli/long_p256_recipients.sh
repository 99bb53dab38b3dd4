# SPDX-License-Identifier: Apache-2.0
# 10,000 P-256 recipients (issue 18: "thousands of recipients must work"):
# pack --encrypt --recipients-file with 9,999 P-256 keys made by
# python3-cryptography and the device's own last, then the device opens the
# entry with its key file and with a key in a SoftHSM2 token, each stanza
# before its own costing one ECDH (the worst case), in bounded memory.
# req: REQ-HSM-006
. "$(dirname "$0")/lib.sh"

MODULE=/usr/lib/softhsm/libsofthsm2.so
if ! python3 -c 'import cryptography.hazmat.primitives.asymmetric.ec' 2>/dev/null; then
	ok "10,000 P-256 recipients # SKIP python3-cryptography missing (make test-deps)"
	finish
fi
make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536
"$FWKEYS" generate --type device --curve p256 --out dev >/dev/null || die "device key"

# 9,999 recipients fwseal never made (Bech32 written here, not by fwseal).
python3 - >fleet.txt <<'EOF' || die "fleet"
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
def polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk
def bech32(hrp, data):
    acc = bits = 0
    five = []
    for b in data:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(exp + five + [0] * 6) ^ 1
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in five + chk)
print("# 9,999 devices")
for _ in range(9999):
    pk = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    print(bech32("fwseal-p256-", pk))
EOF
grep -v '^#' dev.pub >>fleet.txt
check "python's Bech32 of a fwseal key is fwseal's recipient string" \
	test "$(grep -v '^#' dev.pub)" = "$(tail -n 1 fleet.txt)"

# The device's key also in a token, as the 10,001st recipient.
have_hsm=0
if command -v softhsm2-util >/dev/null && [ -e "$MODULE" ]; then
	mkdir -p tokens
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$PWD" >softhsm2.conf
	export SOFTHSM2_CONF=$PWD/softhsm2.conf FWSEAL_PKCS11_MODULE=$MODULE
	softhsm2-util --init-token --free --label big --so-pin 5678 --pin 1111 >/dev/null 2>&1 &&
		"$FWKEYS" generate --out tok --type device --curve p256 \
			--pkcs11 "pkcs11:token=big;object=dec?pin-value=1111" >/dev/null 2>&1 &&
		grep -v '^#' tok.pub >>fleet.txt && have_hsm=1
fi

T="pack --encrypt to $(grep -vc '^#' fleet.txt) P-256 recipients" expect_ok "$FWSEAL" pack \
	--manifest v1.json --key rel.key --root root.json --out e.fwb --encrypt \
	--recipients-file fleet.txt
check "one fwseal-p256 stanza per recipient" \
	test "$(tar -xOf e.fwb recipients | grep -c '^-> fwseal-p256 ')" = "$(grep -vc '^#' fleet.txt)"
device_init d
# mem CMD...: runs CMD, prints its peak RSS in KiB (nothing when it failed).
mem() {
	python3 -c 'import resource, subprocess, sys
if subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL) == 0:
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
kb=$(mem "$FWVERIFY" install --device d --decryption-key dev.key e.fwb)
check "the key file opens its stanza after 9,999 others" cmp d/b/rootfs a.bin
check "... in bounded memory (max RSS ${kb} KiB < 64 MiB)" test "${kb:-999999}" -lt 65536
if [ $have_hsm = 1 ]; then
	device_init dt
	T="the token key opens the last of 10,001 stanzas (an ECDH in the token for each)" \
		expect_ok "$FWVERIFY" install --device dt --decryption-key \
		"pkcs11:token=big;object=dec?pin-value=1111" e.fwb
	check "... the slot holds the plaintext" cmp dt/b/rootfs a.bin
else
	skip "the token key opens the last of 10,001 stanzas" "softhsm2 missing"
fi
finish
