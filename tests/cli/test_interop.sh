# SPDX-License-Identifier: Apache-2.0
# Interoperability: a bundle is a plain tar that stock tools read, its chunk
# digests are what sha256sum computes, and its envelopes are standard DSSE
# that any DSSE/Ed25519 implementation can check (here: python3).
# req: REQ-FMT-007, REQ-SIG-007
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_payload b.bin 5000
: >c.bin
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel c.bin:c.bin:empty
pack v1.fwb v1.json rel root.json
pack v1.fwb.gz v1.json rel root.json --gzip

# ---- stock tar ----
order="manifest.json root/1.json chunks/a.bin blocks/a.bin payloads/a.bin chunks/b.bin blocks/b.bin payloads/b.bin chunks/c.bin blocks/c.bin payloads/c.bin"
T="tar -tvf lists the bundle" expect_ok tar -tvf v1.fwb
check "tar -tvf: regular files only (mode -rw-r--r--)" \
	test "$(awk '{print $1}' "$LAST_OUT" | sort -u)" = "-rw-r--r--"
check "tar lists the documented order: $order" \
	test "$(tar -tf v1.fwb | tr '\n' ' ')" = "$order "
check "tar lists the gzip bundle in the same order" \
	test "$(tar -tzf v1.fwb.gz | tr '\n' ' ')" = "$order "
check "gzip -t accepts the gzip bundle" gzip -t v1.fwb.gz
mkdir x xz
T="tar -xf extracts the bundle" expect_ok tar -xf v1.fwb -C x
T="tar -xzf extracts the gzip bundle" expect_ok tar -xzf v1.fwb.gz -C xz
for p in a b c; do
	check "extracted payloads/$p.bin is byte-identical to $p.bin" cmp x/payloads/$p.bin $p.bin
	check "extracted (gzip) payloads/$p.bin is byte-identical to $p.bin" cmp xz/payloads/$p.bin $p.bin
done
check "both bundles hold the same tar" cmp v1.fwb <(gzip -dc v1.fwb.gz)

# ---- chunk lists = sha256sum of each chunk (split -b chunk_size) ----
"$FWSEAL" inspect --json v1.fwb >inspect.json || die "inspect --json"
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
chunk_digests() { # chunk_digests FILE SIZE: hex of the concatenated digests
	rm -rf parts && mkdir parts
	[ -s "$1" ] && split -a 4 -b "$2" "$1" parts/p.
	for f in parts/p.*; do
		[ -e "$f" ] && sha256sum "$f" | cut -d' ' -f1
	done | tr -d '\n'
}
signed_chunks() { # signed_chunks NAME: sha256-chunks from inspect --json
	python3 -c 'import json,sys
for p in json.load(open("inspect.json"))["manifest"]["payloads"]:
    if p["name"] == sys.argv[1]: print(p["sha256_chunks"])' "$1"
}
for spec in a.bin:65536 b.bin:1048576 c.bin:1048576; do
	name=${spec%%:*} cs=${spec#*:}
	check "chunks/$name equals sha256sum of each $cs-byte piece of $name (split -b)" \
		test "$(hex x/chunks/$name)" = "$(chunk_digests $name $cs)"
	check "manifest sha256-chunks of $name equals sha256sum of chunks/$name" \
		test "$(signed_chunks $name)" = "$(sha256sum <x/chunks/$name | cut -d' ' -f1)"
done
check "a.bin is 5 chunks (300000 bytes / 64 KiB)" test "$(stat -c %s x/chunks/a.bin)" = 160
check "the empty payload has an empty chunk list" test ! -s x/chunks/c.bin

# ---- DSSE envelopes, checked with python3 alone ----
cat >dsse_check.py <<'EOF'
import base64, binascii, hashlib, json, sys

def b64(s):
    raw = base64.b64decode(s, validate=True)
    assert base64.b64encode(raw).decode() == s, "base64 not canonical"
    return raw

def pae(t, body):
    t = t.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)

def pub(path):
    d = json.load(open(path))
    raw = bytes.fromhex(d["public"])
    assert len(raw) == 32
    return raw

def check(env_path, expected_type, pub_path, mode):
    env = json.load(open(env_path))
    assert set(env) == {"payload", "payloadType", "signatures"}, sorted(env)
    assert env["payloadType"] == expected_type, env["payloadType"]
    body = b64(env["payload"])
    json.loads(body)  # the body is JSON
    assert len(env["signatures"]) == 1
    sig = env["signatures"][0]
    assert set(sig) == {"keyid", "sig"}, sorted(sig)
    pk = pub(pub_path)
    if mode == "keyid":
        assert sig["keyid"] == hashlib.sha256(pk).hexdigest(), "keyid != sha256(public key)"
        return
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        Ed25519PublicKey.from_public_bytes(pk).verify(b64(sig["sig"]), pae(expected_type, body))
        # and a changed PAE must fail
        try:
            Ed25519PublicKey.from_public_bytes(pk).verify(b64(sig["sig"]),
                                                          pae(expected_type, body + b" "))
            raise AssertionError("signature verified over a different body")
        except Exception as e:
            if isinstance(e, AssertionError):
                raise
        return
    except ImportError:
        pass
    try:
        import nacl.signing
        nacl.signing.VerifyKey(pk).verify(pae(expected_type, body), b64(sig["sig"]))
        return
    except ImportError:
        print("SKIP")

env_path, expected_type, pub_path, mode = sys.argv[1:5]
check(env_path, expected_type, pub_path, mode)
EOF
MT=application/vnd.fwseal.manifest+json
RT=application/vnd.fwseal.root+json
check "manifest.json is a strict DSSE envelope; keyid = sha256(release public key)" \
	python3 dsse_check.py x/manifest.json $MT rel.pub keyid
check "root/1.json is a strict DSSE envelope; keyid = sha256(root public key)" \
	python3 dsse_check.py x/root/1.json $RT rootk.pub keyid
check "root/1.json in the bundle is the root.json given to pack" cmp x/root/1.json root.json
for spec in "x/manifest.json $MT rel.pub" "x/root/1.json $RT rootk.pub"; do
	set -- $spec
	if out=$(python3 dsse_check.py "$1" "$2" "$3" sig 2>&1); then
		if [ "$out" = SKIP ]; then
			ok "Ed25519 signature of $1 over its PAE # SKIP neither cryptography nor nacl importable"
		else
			ok "Ed25519 signature of $1 over its PAE verifies (python)"
		fi
	else
		not_ok "Ed25519 signature of $1 over its PAE verifies (python)" "$out"
	fi
done
check "the root body lists each key under keyid = sha256(public key)" python3 -c '
import base64, hashlib, json
body = json.loads(base64.b64decode(json.load(open("root.json"))["payload"]))
assert body["keys"], body
for kid, k in body["keys"].items():
    assert k["keytype"] == "ed25519" and k["scheme"] == "ed25519", k
    assert kid == hashlib.sha256(bytes.fromhex(k["keyval"]["public"])).hexdigest(), kid
'
check "the signed manifest body names the chunk digests that inspect shows" python3 -c '
import base64, json
body = json.loads(base64.b64decode(json.load(open("x/manifest.json"))["payload"]))
shown = {p["name"]: p["sha256_chunks"] for p in json.load(open("inspect.json"))["manifest"]["payloads"]}
assert {p["name"]: p["hashes"]["sha256-chunks"] for p in body["payloads"]} == shown
'
finish
