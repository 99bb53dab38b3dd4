# SPDX-License-Identifier: Apache-2.0
# Encrypted bundles (docs/encryption.md, docs/format.md §15): device keys,
# pack --encrypt, install that verifies, then decrypts, then writes; every
# refusal with its own status and nothing written; re-targeting without
# re-signing; Debian's age 1.1.1 as the independent oracle both ways; the
# plaintext searched for in the bundle and every file the install leaves.
# Resume and delta over HTTP: long_encrypt_net.sh; 10,000 recipients:
# long_encrypt_fleet.sh.
# req: REQ-ENC-001, REQ-ENC-002, REQ-ENC-003
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_payload b.bin 5000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
have_age=0
command -v age >/dev/null && command -v age-keygen >/dev/null && have_age=1

# tamper: every hostile variant of e.fwb in one pass (python starts once).
# e2.fwb is another encryption of the same release for the same keys.
# Prints the offset of payloads/a.bin's data in e.fwb.
tamper() {
	python3 - <<'EOF'
import tarfile
e = open("e.fwb", "rb").read()
e2 = open("e2.fwb", "rb").read()
def off(path, name):
    return tarfile.open(path).getmember(name).offset_data
def write(name, data):
    open(name, "wb").write(data)
def put(data, at, piece):
    return data[:at] + piece + data[at + len(piece):]
roff, r2off = off("e.fwb", "recipients"), off("e2.fwb", "recipients")
rlen = tarfile.open("e.fwb").getmember("recipients").size
aoff, a2off = off("e.fwb", "payloads/a.bin"), off("e2.fwb", "payloads/a.bin")
# another content key's recipients entry (same size: same recipients)
write("commit.fwb", put(e, roff, e2[r2off:r2off + rlen]))
# the second stanza's ephemeral share edited (still valid base64)
h = e[roff:roff + rlen]
second = h.index(b"-> X25519 ", h.index(b"-> X25519 ") + 1) + len(b"-> X25519 ") + 5
c = h[second:second + 1]
write("edited.fwb", put(e, roff + second, b"B" if c == b"A" else b"A"))
write("malformed.fwb", put(e, roff + 20, b"2"))  # age-encryption.org/v2
# pieces of a.bin: 65552 bytes (+16 for the nonce in the first)
p1, p2 = aoff + 16 + 65552, aoff + 16 + 2 * 65552
write("flipped.fwb", put(e, p1 + 100, bytes([e[p1 + 100] ^ 1])))
write("swapped.fwb", put(put(e, p1, e[p2:p2 + 65552]), p2, e[p1:p1 + 65552]))
q1 = a2off + 16 + 65552
write("foreign.fwb", put(e, p1, e2[q1:q1 + 65552]))
write("cut.fwb", e[:p2 + 1000])
# the encrypted keyed block index (plain/a.bin, a delta's plan) edited, and one
# taken from another bundle of the same release
loff = off("e.fwb", "plain/a.bin")
write("plainlist.fwb", put(e, loff + 40, bytes([e[loff + 40] ^ 1])))
l2off = off("e2.fwb", "plain/a.bin")
write("plainforeign.fwb", put(e, loff, e2[l2off:l2off + tarfile.open("e2.fwb").getmember("plain/a.bin").size]))
print(aoff)
EOF
}

# ---- device keys ----
T="generate --type device" expect_ok "$FWKEYS" generate --type device --out dev1
check "the secret key file is mode 0600" test "$(stat -c %a dev1.key)" = 600
check "the public file is an age1 recipient" grep -qx 'age1[a-z0-9]*' dev1.pub
if [ $have_age = 1 ]; then
	check "age-keygen -y derives the same recipient from fwseal's key (oracle)" \
		test "$(age-keygen -y dev1.key)" = "$(cat dev1.pub)"
else
	skip "age-keygen -y derives the same recipient" "age not installed"
fi
T="a device key is never written over" expect_exit 32 "$FWKEYS" generate --type device --out dev1
T="a device key takes no passphrase options" expect_exit 2 "$FWKEYS" generate --type device \
	--out devx --kdf interactive
"$FWKEYS" generate --type device --out dev2 >/dev/null || die "dev2"
"$FWKEYS" generate --type device --out archive >/dev/null || die "archive"

# A key made by age-keygen is a third recipient: fwseal reads age's keys.
AGE_TO=()
if [ $have_age = 1 ]; then
	age-keygen -o agekey.txt 2>/dev/null || die "age-keygen"
	chmod 600 agekey.txt
	AGE_TO=(--to "$(age-keygen -y agekey.txt)")
fi

# ---- pack --encrypt; verify needs no key ----
T="pack --encrypt for a device, the archive key (and age-keygen's)" expect_ok "$FWSEAL" pack \
	--manifest v1.json --key rel.key --root root.json --out e.fwb --encrypt --to dev1.pub \
	--to "$(cat archive.pub)" "${AGE_TO[@]}"
T="verify checks signatures and ciphertext digests without any key" expect_ok \
	"$FWSEAL" verify --root root.json e.fwb
T="--to without --encrypt" expect_exit 2 "$FWSEAL" pack --manifest v1.json --key rel.key \
	--root root.json --out x.fwb --to dev1.pub
T="a recipient that is neither age1... nor a file" expect_exit 66 "$FWSEAL" pack \
	--manifest v1.json --key rel.key --root root.json --out x.fwb --encrypt --to age1nothing
make_release small.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:4096
T="an encrypted payload with 4 KiB chunks (not whole STREAM chunks)" expect_exit 8 "$FWSEAL" \
	pack --manifest small.json --key rel.key --root root.json --out x.fwb --encrypt --to dev1.pub
check "nothing was written" test ! -e x.fwb
T="inspect shows the encryption facts" expect_ok "$FWSEAL" inspect e.fwb
check "... scheme, key commitment and the stanzas, no secret" grep -q \
	"^recipients: $((2 + ${#AGE_TO[@]} / 2)) stanza" "$LAST_OUT"
check "... the plaintext size" grep -q 'encrypted: 300000 plaintext bytes' "$LAST_OUT"
T="inspect --json names the keyed block index's signed digest" expect_ok "$FWSEAL" inspect \
	--json e.fwb
check "... plain_blocks is SHA-256 of plain/a.bin" python3 -c 'import hashlib, json, sys, tarfile
d = json.load(open(sys.argv[1]))["manifest"]["payloads"]
e = tarfile.open(sys.argv[2]).extractfile("plain/a.bin").read()
a = [p for p in d if p["name"] == "a.bin"][0]
assert a["plain_blocks"] == hashlib.sha256(e).hexdigest() and a["plain_size"] == 300000, a' \
	"$LAST_OUT" e.fwb

# The plaintext is nowhere in the bundle: every 32-byte window of both
# payloads at 64 positions each.
absent() { # FILE...: no sample of a.bin or b.bin in any of them
	python3 - "$@" <<'EOF'
import sys
samples = []
for src in ("a.bin", "b.bin"):
    data = open(src, "rb").read()
    step = max(1, (len(data) - 32) // 64)
    samples += [data[i:i + 32] for i in range(0, len(data) - 32, step)]
for path in sys.argv[1:]:
    blob = open(path, "rb").read()
    hit = [s for s in samples if s in blob]
    assert not hit, "%s holds plaintext" % path
EOF
}
check "no plaintext in the bundle" absent e.fwb

# ---- age as the oracle ----
if [ $have_age = 1 ]; then
	tar -xf e.fwb recipients payloads/a.bin payloads/b.bin || die "tar"
	check "age 1.1.1 decrypts recipients + payloads/a.bin with the device key" \
		cmp <(cat recipients payloads/a.bin | age -d -i dev1.key) a.bin
	check "... and payloads/b.bin with the archive key" \
		cmp <(cat recipients payloads/b.bin | age -d -i archive.key) b.bin
	check "age refuses it for a key that is no recipient" \
		sh -c '! cat recipients payloads/a.bin | age -d -i dev2.key >/dev/null 2>&1'
	# fwseal reads what age writes: a key generated by age-keygen installs
	# the bundle packed for its recipient.
	device_init dage
	T="an identity written by age-keygen installs a bundle for its recipient" expect_ok \
		"$FWVERIFY" install --device dage --decryption-key agekey.txt e.fwb
	check "... the slot holds the plaintext" cmp dage/b/rootfs a.bin
else
	skip "age 1.1.1 decrypts the payloads" "age not installed"
fi

# ---- install: verify, then decrypt, then write ----
device_init dev
T="install with the device key" expect_ok "$FWVERIFY" install --device dev \
	--decryption-key dev1.key e.fwb
check "slot b holds the plaintext rootfs" cmp dev/b/rootfs a.bin
check "slot b holds the plaintext kernel" cmp dev/b/kernel b.bin
check "no plaintext in any file the install left outside the slots" \
	sh -c 'find dev -type f ! -path "dev/b/*" -print0 | xargs -0 -r python3 -c "
import sys
a = open(\"a.bin\", \"rb\").read()[1000:1064]
for p in sys.argv[1:]:
    assert a not in open(p, \"rb\").read(), p"'

device_init d
before=$(snapshot d)
# refused STATUS WHAT BUNDLE [install options]: refused with STATUS, nothing written.
refused() {
	local want=$1 what=$2 bundle=$3
	shift 3
	T="$what" expect_exit "$want" "$FWVERIFY" install --device d "$@" "$bundle"
	check "$what: nothing written" test "$before" = "$(snapshot d)"
}
refused 63 "a device that is not a recipient" e.fwb --decryption-key dev2.key
refused 67 "an encrypted bundle on a device without a decryption key" e.fwb
chmod 644 dev2.key
refused 30 "a device key readable by others" e.fwb --decryption-key dev2.key
chmod 600 dev2.key
cp v1.json notakey.txt && chmod 600 notakey.txt
refused 67 "a decryption key file that is not an age identity" e.fwb --decryption-key notakey.txt

# Hostile variants of e.fwb (tamper above): the recipients entry of
# another encryption of the same release for the same keys (well-formed,
# opens for dev1, but to another content key); another recipient's stanza
# edited (dev1's still opens, the MAC does not); not an age v1 header;
# ciphertext modified, swapped within the payload, taken from another
# bundle, cut off. Every ciphertext piece is checked against its signed
# digest before it is decrypted.
pack e2.fwb v1.json rel root.json --encrypt --to dev1.pub --to "$(cat archive.pub)" "${AGE_TO[@]}"
tamper >/dev/null || die "tamper"
refused 64 "a recipients entry that opens to another key (key commitment)" commit.fwb \
	--decryption-key dev1.key
T="fwseal verify (no key) accepts it: the entry is unsigned by design" expect_ok \
	"$FWSEAL" verify --root root.json commit.fwb
refused 65 "a recipients entry with another recipient's stanza edited (header MAC)" edited.fwb \
	--decryption-key dev1.key
refused 66 "a recipients entry that is not an age v1 header" malformed.fwb \
	--decryption-key dev1.key
T="fwseal verify checks the entry's syntax without a key" expect_exit 66 "$FWSEAL" verify \
	--root root.json malformed.fwb
refused 22 "one ciphertext bit flipped" flipped.fwb --decryption-key dev1.key
refused 22 "two ciphertext chunks swapped" swapped.fwb --decryption-key dev1.key
refused 22 "a ciphertext chunk taken from another bundle of the same release" foreign.fwb \
	--decryption-key dev1.key
refused 19 "a bundle cut inside the ciphertext" cut.fwb --decryption-key dev1.key
refused 22 "the encrypted keyed block index edited" plainlist.fwb --decryption-key dev1.key
refused 22 "the encrypted keyed block index of another bundle of the same release" plainforeign.fwb \
	--decryption-key dev1.key
check "no plaintext in any refused bundle or the device left" \
	absent commit.fwb edited.fwb swapped.fwb foreign.fwb cut.fwb d/state d/log

# ---- re-targeting without re-signing ----
sum_before=$(sha256sum e.fwb)
T="encrypt: re-target to dev2 with the archive key" expect_ok "$FWSEAL" encrypt \
	--identity archive.key --root root.json --to dev2.pub e.fwb e3.fwb
check "the input is unchanged" test "$sum_before" = "$(sha256sum e.fwb)"
check "the signed manifest is byte for byte the same" \
	cmp <(tar -xOf e.fwb manifest.json) <(tar -xOf e3.fwb manifest.json)
check "the ciphertext is byte for byte the same" \
	cmp <(tar -xOf e.fwb payloads/a.bin) <(tar -xOf e3.fwb payloads/a.bin)
T="the re-targeted bundle verifies" expect_ok "$FWSEAL" verify --root root.json e3.fwb
T="... dev1 is no longer a recipient" expect_exit 63 "$FWVERIFY" install --device d \
	--decryption-key dev1.key e3.fwb
T="... dev2 installs it" expect_ok "$FWVERIFY" install --device d --decryption-key dev2.key e3.fwb
check "... and gets the plaintext" cmp d/b/rootfs a.bin
T="encrypt never writes over its input" expect_exit 44 "$FWSEAL" encrypt --identity archive.key \
	--root root.json --to dev2.pub e.fwb e.fwb
T="encrypt with a key that is no recipient" expect_exit 63 "$FWSEAL" encrypt \
	--identity dev2.key --root root.json --to dev1.pub e.fwb e4.fwb
pack v1.fwb v1.json rel root.json
T="encrypt of a plaintext bundle (no signed ciphertext to re-target)" expect_exit 2 "$FWSEAL" \
	encrypt --identity archive.key --root root.json --to dev1.pub v1.fwb e5.fwb
check "no output after a refusal" test ! -e e4.fwb

# ---- system.conf names the key; gzip bundles ----
pack eg.fwb v1.json rel root.json --encrypt --to dev1.pub --gzip
device_init dg
T="a gzip'd encrypted bundle installs" expect_ok "$FWVERIFY" install --device dg \
	--decryption-key dev1.key eg.fwb
check "... with the plaintext in the slot" cmp dg/b/rootfs a.bin
