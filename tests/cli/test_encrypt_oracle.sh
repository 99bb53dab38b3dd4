# SPDX-License-Identifier: Apache-2.0
# An encrypted bundle fwseal packs, opened by an implementation that shares
# no code with it (tests/vectors/enc_oracle.py: python3-cryptography and
# python's tarfile; docs/format.md §15, docs/encryption.md "Checking a
# bundle independently"): the device key unwraps the file key from the
# recipients entry (age X25519 stanza, header MAC, the signed key
# commitment), every payloads/<name> decrypts (age STREAM) to the packed
# plaintext, and plain/<name> is the age-encrypted list of keyed block hints
# (payload nonce, then the first 6 bytes of HMAC-SHA256 of each 4 KiB block)
# whose SHA-256 the manifest signs; the hints agree with a known answer
# computed with OpenSSL, and Debian's age decrypts plain/<name> too. The oracle is shown
# to fail: another key, an edited header MAC, a flipped ciphertext byte in
# payloads/ or plain/, a plaintext with one byte changed, and plain/ entries
# forged with their digest put into the manifest (a failing tag, another
# nonce, one hint replaced).
# req: REQ-ENC-001
. "$(dirname "$0")/lib.sh"

ORACLE=$TESTS_DIR/vectors/enc_oracle.py
export ORACLE_DIR=$TESTS_DIR/vectors
# Each python3 start imports python3-cryptography (~0.2 s): the refusals
# run in one process (below), the CLI runs the accepting paths.
oracle() { python3 "$ORACLE" "$@"; }

make_key rootk
make_key rel
make_root root.json rootk rel
# a.bin: 74 blocks of 4 KiB, the last one short, in five STREAM chunks;
# b.bin: a full block and a short one; c.bin: exactly 16 blocks, one STREAM
# chunk (no short block).
make_payload a.bin 300000
make_payload b.bin 5000
make_payload c.bin 65536
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel \
	c.bin:c.bin:dtb:65536
"$FWKEYS" generate --type device --out dev1 >/dev/null || die "generate dev1"
"$FWKEYS" generate --type device --out dev2 >/dev/null || die "generate dev2"
pack e.fwb v1.json rel root.json --encrypt --to dev1.pub

# ---- the file key: X25519 stanza, header MAC, key commitment ----
T="the oracle unwraps the file key with the device key" expect_ok oracle filekey dev1.key e.fwb
check "... 16 bytes" grep -qx '[0-9a-f]\{32\}' "$LAST_OUT"
filekey=$(cat "$LAST_OUT")

# ---- the payloads: age STREAM ----
for p in a.bin b.bin c.bin; do
	T="the oracle decrypts payloads/$p" expect_ok oracle payload dev1.key e.fwb "$p"
	check "... to the plaintext packed" cmp "$LAST_OUT" "$p"
done

# ---- every refusal, in one python process ----
# refusals.tsv: CASE TAB the oracle's refusal (or "accepted"); format TAB
# new|old: whether this build writes plain_blocks (the block hints) or
# still the old 32-byte digest list (plain_chunks), on which the hint
# checks cannot run.
python3 - "$filekey" >refusals.tsv <<'EOF' || die "refusals"
import base64, hashlib, json, os, sys, tarfile
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.environ["ORACLE_DIR"])
import enc_oracle as o
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
key = bytes.fromhex(sys.argv[1])
e = open("e.fwb", "rb").read()
t = tarfile.open("e.fwb")
def refused(case, check, *args):
    try:
        check(*args)
        print("%s\taccepted" % case)
    except o.Refused as r:
        print("%s\t%s" % (case, r))
def variant(out, data):
    open(out, "wb").write(data)
    return o.Bundle(out)
def flip(name, at, out):
    m = t.getmember(name)
    i = m.offset_data + (at if at >= 0 else m.size + at)
    return variant(out, e[:i] + bytes([e[i] ^ 1]) + e[i + 1:])
refused("stranger", o.file_key, "dev2.key", o.Bundle("e.fwb"))
ident = open("dev1.key").read()
line = [l for l in ident.splitlines() if l.startswith("AGE-SECRET-KEY-1")][0]
typo = line[:-9] + ("Q" if line[-9] != "Q" else "P") + line[-8:]
open("typo.key", "w").write(ident.replace(line, typo))
refused("typo", o.file_key, "typo.key", o.Bundle("e.fwb"))
# one base64 character of the MAC replaced by another (a bit flip could make
# it no base64 at all, a refusal for another reason)
m = t.getmember("recipients")
i = m.offset_data + m.size - 10
mac = variant("mac.fwb", e[:i] + (b"B" if e[i:i + 1] == b"A" else b"A") + e[i + 1:])
refused("mac", o.file_key, "dev1.key", mac)
refused("payload", o.payload_plaintext, "dev1.key", flip("payloads/a.bin", 70000, "p.fwb"), "a.bin")
enc = o.Bundle("e.fwb").payload_encryption("a.bin")
print("format\t%s" % ("old" if "plain_chunks" in enc else "new"))
if "plain_chunks" not in enc:
    refused("plainflip", o.check_hints, key, flip("plain/a.bin", 40, "pf.fwb"), "a.bin", "a.bin")
    refused("plainnonce", o.check_hints, key, flip("plain/a.bin", 3, "pn.fwb"), "a.bin", "a.bin")
    changed = bytearray(open("a.bin", "rb").read())
    changed[37 * 4096 + 5] ^= 1
    open("a.changed", "wb").write(changed)
    refused("changed", o.check_hints, key, o.Bundle("e.fwb"), "a.bin", "a.changed")
    refused("other", o.check_hints, key, o.Bundle("e.fwb"), "c.bin", "a.bin")
    # plain/a.bin forged with the oracle's own construction, its digest put
    # into the manifest (the oracle reads the signed body, it does not check
    # signatures): the checks after the digest must hold on their own.
    m = t.getmember("plain/a.bin")
    old = e[m.offset_data:m.offset_data + m.size]
    env = t.extractfile("manifest.json").read()
    nonce = t.extractfile("payloads/a.bin").read(16)
    hints = o.hints_of(key, nonce, open("a.bin", "rb").read())
    def seal(listing):
        n = os.urandom(16)
        aead = ChaCha20Poly1305(o.hkdf(key, n, b"payload"))
        pieces = [listing[i:i + 65536] for i in range(0, len(listing), 65536)]
        return n + b"".join(aead.encrypt(j.to_bytes(11, "big") + bytes([j == len(pieces) - 1]),
                                         c, None) for j, c in enumerate(pieces))
    def forge(entry, out):
        assert len(entry) == len(old)
        b64 = json.loads(env)["payload"].encode()
        body = base64.b64decode(b64).replace(hashlib.sha256(old).hexdigest().encode(),
                                             hashlib.sha256(entry).hexdigest().encode())
        text = env.replace(b64, base64.b64encode(body))
        assert len(text) == len(env) and text != env
        return variant(out, e.replace(env, text).replace(old, entry))
    refused("forged_tag", o.check_hints, key,
            forge(old[:40] + bytes([old[40] ^ 1]) + old[41:], "ft.fwb"), "a.bin", "a.bin")
    refused("forged_nonce", o.check_hints, key,
            forge(seal(bytes(16) + b"".join(hints)), "fn.fwb"), "a.bin", "a.bin")
    hints[5] = bytes(6)
    refused("forged_hint", o.check_hints, key,
            forge(seal(nonce + b"".join(hints)), "fh.fwb"), "a.bin", "a.bin")
EOF
# refusal CASE WHAT PATTERN: the oracle refused CASE with a line matching PATTERN
refusal() {
	check "the oracle refuses $2" grep -q "^$1	.*$3" refusals.tsv
}
refusal stranger "a key that is no recipient" "no X25519 stanza opens"
refusal typo "an identity with one character mistyped (Bech32 checksum)" "checksum does not match"
refusal mac "an edited header MAC" "header MAC does not match"
refusal payload "payloads/a.bin with one ciphertext byte flipped" "chunk 1 does not decrypt"

# ---- plain/<name>: the encrypted block hints ----
check "the bundle carries the keyed block index (plain_blocks)" grep -qx 'format	new' refusals.tsv
T="plain/<name> holds the keyed hint of each block (oracle)" expect_ok \
	oracle hints dev1.key e.fwb a.bin a.bin b.bin b.bin c.bin c.bin
check "... all 74, 2 and 16 of them" test "$(tr '\n' ' ' <"$LAST_OUT")" = \
	"ok 74 blocks ok 2 blocks ok 16 blocks "
check "the oracle fails with one line on stderr, exit 1 (a.bin changed in block 37)" \
	sh -c 'python3 "$1" hints dev1.key e.fwb a.bin a.changed 2>err
		test $? = 1 && test "$(wc -l <err)" = 1 && grep -q "hint of block 37 differs" err' \
	sh "$ORACLE"
refusal plainflip "plain/a.bin with one byte flipped (its signed digest)" \
	"not the manifest's plain_blocks"
refusal plainnonce "plain/a.bin with its nonce N' flipped" "not the manifest's plain_blocks"
refusal changed "a.bin with one byte changed (the block it lies in)" \
	"the hint of block 37 differs"
refusal other "another payload's plaintext" "the manifest's plain_size is"
refusal forged_tag "plain/a.bin whose STREAM tag fails, digest signed" \
	"chunk 0 does not decrypt"
refusal forged_nonce "a hint list that does not start with the payload nonce" \
	"are not payloads/a.bin's nonce"
refusal forged_hint "a hint list with block 5's hint replaced" "the hint of block 5 differs"

# ---- the hint construction: a known answer, and OpenSSL's HKDF and HMAC ----
# File key 00..0f, payload nonce 10..1f, plaintext `seq 1 3000` (13893
# bytes: three full blocks and one of 1605 bytes). The hints below were
# computed with OpenSSL 3.0 (kdf HKDF, dgst -mac HMAC), not with the oracle;
# a C unit test of fwseal's hints can take them as they are.
kat_key=000102030405060708090a0b0c0d0e0f
kat_nonce=101112131415161718191a1b1c1d1e1f
kat_hint_key=afddff8742057057e6bc4106c5eefc9d1e14dde379558561842949ebc0967c77
seq 1 3000 >kat.bin
printf '%s\n' bd15b10e5926 08e96dc59554 d9fe58443de7 942bb9d90ef8 >kat.want
T="hints-of on the known-answer input" expect_ok oracle hints-of $kat_key $kat_nonce kat.bin
check "... gives the known hints" cmp "$LAST_OUT" kat.want
if command -v openssl >/dev/null; then
	hint_key=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "hexkey:$kat_key" \
		-kdfopt "hexsalt:$kat_nonce" -kdfopt "info:fwseal/v1 block hints" HKDF |
		tr -d ':\n' | tr A-F a-f) || die "openssl kdf"
	check "OpenSSL's HKDF-SHA256 gives the known hint key" test "$hint_key" = $kat_hint_key
	for i in 0 1 2 3; do
		tail -c +$((i * 4096 + 1)) kat.bin | head -c 4096 |
			openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hint_key" -r | cut -c 1-12
	done >kat.openssl || die "openssl dgst"
	check "... and its HMAC-SHA256 the known hints (first 6 bytes)" cmp kat.openssl kat.want
else
	skip "the known answer recomputed with OpenSSL" "openssl not installed"
fi

# ---- Debian's age decrypts plain/<name> ----
if command -v age >/dev/null; then
	tar -xf e.fwb recipients plain/a.bin plain/b.bin payloads/a.bin payloads/b.bin ||
		die "tar"
	for p in a.bin b.bin; do
		m=$((($(stat -c %s $p) + 4095) / 4096))
		cat recipients "plain/$p" | age -d -i dev1.key >"$p.plain" 2>age.err
		check "age 1.1.1 decrypts recipients + plain/$p" test $? = 0
		check "... to 16 + 6 x $m bytes" test "$(stat -c %s "$p.plain")" = $((16 + 6 * m))
		check "... starting with payloads/$p's nonce" \
			cmp -n 16 "$p.plain" "payloads/$p"
	done
	check "age refuses plain/a.bin for a key that is no recipient" \
		sh -c '! cat recipients plain/a.bin | age -d -i dev2.key >/dev/null 2>&1'
else
	skip "age 1.1.1 decrypts plain/<name>" "age not installed"
fi
finish
