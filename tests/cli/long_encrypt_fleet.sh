#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 10,000 recipients (docs/encryption.md): pack, verify, install with the
# device's stanza last (the recipients entry is read as it streams; the
# MAC's input past 256 KiB goes to an unlinked temporary file), refusals,
# and re-targeting. The device's peak memory with 10,000 stanzas must stay
# within 512 KiB of its peak with one: no whole-entry buffer.
# req: REQ-ENC-003
. "$(dirname "$0")/lib.sh"

N=10000
make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536
"$FWKEYS" generate --type device --out dev >/dev/null || die "dev key"
"$FWKEYS" generate --type device --out archive >/dev/null || die "archive key"
"$FWKEYS" generate --type device --out other >/dev/null || die "other key"

# N - 2 random X25519 points as age1 recipients (any 32 bytes are a valid
# u-coordinate; nobody holds their secrets), then the archive, then the
# device last.
python3 - "$N" <<'EOF' >fleet.txt || die "fleet"
import os, sys
CH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
def polymod(values):
    g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= g[i] if ((b >> i) & 1) else 0
    return chk
def bech32(hrp, data):
    acc = bits = 0
    out = []
    for x in data:
        acc = (acc << 8) | x
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    hv = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(hv + out + [0] * 6) ^ 1
    out += [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CH[v] for v in out)
print("# the fleet")
for _ in range(int(sys.argv[1]) - 2):
    print(bech32("age", os.urandom(32)))
EOF
cat archive.pub dev.pub >>fleet.txt
check "the fleet file holds $N recipients" test "$(grep -c '^age1' fleet.txt)" -eq "$N"

T="pack for $N recipients" expect_ok "$FWSEAL" pack --manifest v1.json --key rel.key \
	--root root.json --out big.fwb --encrypt --recipients-file fleet.txt
T="inspect counts $N stanzas" expect_ok "$FWSEAL" inspect big.fwb
check "... $N stanza(s)" grep -q "^recipients: $N stanza" "$LAST_OUT"
T="verify without a key" expect_ok "$FWSEAL" verify --root root.json big.fwb

# peak RSS (KiB) of a command
peak() {
	python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode == 0 else -1)' "$@"
}
pack one.fwb v1.json rel root.json --encrypt --to dev.pub
device_init d1
device_init d2
rss_one=$(peak "$FWVERIFY" install --device d1 --decryption-key dev.key one.fwb)
rss_big=$(peak "$FWVERIFY" install --device d2 --decryption-key dev.key big.fwb)
echo "# peak RSS: 1 recipient $rss_one KiB, $N recipients (device last) $rss_big KiB"
check "the device with the ${N}th stanza installed it" cmp d2/b/rootfs a.bin
check "peak memory with $N stanzas within 512 KiB of one stanza's" \
	test "$rss_one" -gt 0 -a "$rss_big" -gt 0 -a "$rss_big" -le $((rss_one + 512))

device_init d3
before=$(snapshot d3)
T="a device that is none of the $N" expect_exit 63 "$FWVERIFY" install --device d3 \
	--decryption-key other.key big.fwb
check "... nothing written" test "$before" = "$(snapshot d3)"
# The first stanza's share edited: in the part of the header kept in memory
# before the device's (last) stanza opened; the MAC still covers it.
python3 - <<'EOF' || die "edit"
import tarfile
e = bytearray(open("big.fwb", "rb").read())
off = tarfile.open("big.fwb").getmember("recipients").offset_data
i = e.index(b"-> X25519 ", off) + len(b"-> X25519 ") + 3
e[i] = ord("B") if e[i] == ord("A") else ord("A")
open("edited.fwb", "wb").write(bytes(e))
# and one far past 256 KiB (in the temporary file)
e = bytearray(open("big.fwb", "rb").read())
i = e.index(b"-> X25519 ", off + 600000) + len(b"-> X25519 ") + 3
e[i] = ord("B") if e[i] == ord("A") else ord("A")
open("edited2.fwb", "wb").write(bytes(e))
EOF
T="the first of $N stanzas edited (header MAC)" expect_exit 65 "$FWVERIFY" install --device d3 \
	--decryption-key dev.key edited.fwb
T="a stanza 600 KB into the entry edited (header MAC over the kept part)" expect_exit 65 \
	"$FWVERIFY" install --device d3 --decryption-key dev.key edited2.fwb
check "... nothing written" test "$before" = "$(snapshot d3)"

T="re-target the $N-recipient bundle to one device" expect_ok "$FWSEAL" encrypt \
	--identity archive.key --root root.json --to other.pub big.fwb small.fwb
T="... which installs there" expect_ok "$FWVERIFY" install --device d3 --decryption-key other.key \
	small.fwb
check "... with the plaintext" cmp d3/b/rootfs a.bin
finish
