#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Attacks on bundles that carry an SBOM, for tests/cli/test_sbom.sh.

  bundle_edit.py drop IN NAME OUT            remove entry NAME
  bundle_edit.py insert IN AFTER NAME FILE OUT   add entry NAME (data FILE) after AFTER
  bundle_edit.py rename IN OLD NEW OUT       rename entry OLD
  bundle_edit.py resign IN KEY PASS (OUT EDIT)...  re-sign the manifest with KEY (a
      fwseal .key file, decrypted here with PyNaCl: Argon2id13 + XSalsa20-Poly1305,
      docs/format.md 8.2) after applying EDIT, a Python expression statement
      over the decoded body `m` (e.g. 'm["sbom_document"]["sbom_format"]="spdx-2.3"'):
      a hostile manifest that still carries a valid release signature.

Entries are rewritten with tests/make_vectors.py's tar helpers (plain bundles only).
"""
import base64
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import make_vectors as mv  # noqa: E402


def load(path):
    with open(path, "rb") as f:
        entries, _ = mv.parse(f.read())
    return entries


def save(entries, path):
    with open(path, "wb") as f:
        f.write(mv.build(entries))


def signing_key(path, passphrase):
    from nacl import pwhash, secret, signing
    k = json.load(open(path))
    kdf, ciph = k["kdf"], k["cipher"]
    box_key = pwhash.argon2id.kdf(32, passphrase.encode(), bytes.fromhex(kdf["salt"]),
                                  opslimit=kdf["opslimit"], memlimit=kdf["memlimit"])
    seed = secret.SecretBox(box_key).decrypt(bytes.fromhex(ciph["ciphertext"]),
                                             bytes.fromhex(ciph["nonce"]))
    sk = signing.SigningKey(seed)
    pk = bytes(sk.verify_key)
    assert pk.hex() == k["public"], "the key file's public key does not match its seed"
    return sk, hashlib.sha256(pk).hexdigest()


def pae(t, body):
    return b"DSSEv1 %d %s %d " % (len(t), t, len(body)) + body


def main(a):
    if a[1] == "drop":
        save([e for e in load(a[2]) if e.name != a[3]], a[4])
    elif a[1] == "insert":
        entries = load(a[2])
        i = [e.name for e in entries].index(a[3])
        entries.insert(i + 1, mv.entry(entries[0].header, a[4], open(a[5], "rb").read()))
        save(entries, a[6])
    elif a[1] == "rename":
        entries = load(a[2])
        for i, e in enumerate(entries):
            if e.name == a[3]:
                entries[i] = mv.Entry(mv.make_header(e.header, name=a[4]), e.data)
        save(entries, a[5])
    elif a[1] == "resign":
        sk, keyid = signing_key(a[3], a[4])  # once: Argon2id is the slow part
        for out, edit in zip(a[5::2], a[6::2]):
            entries = load(a[2])
            env = json.loads(entries[0].data)
            m = json.loads(base64.b64decode(env["payload"]))
            exec(edit, {"m": m})
            body = json.dumps(m, sort_keys=True, separators=(",", ":")).encode()
            t = env["payloadType"].encode()
            sig = sk.sign(pae(t, body)).signature
            env = {"payload": base64.b64encode(body).decode(), "payloadType": env["payloadType"],
                   "signatures": [{"keyid": keyid, "sig": base64.b64encode(sig).decode()}]}
            data = (json.dumps(env, indent=2, sort_keys=True) + "\n").encode()
            entries[0] = mv.with_data(entries[0], data)
            save(entries, out)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
