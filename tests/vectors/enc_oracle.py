#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An encrypted fwseal bundle opened by python3-cryptography and python's
tarfile: an implementation that shares no code with fwseal (docs/format.md
§15, docs/encryption.md "Checking a bundle independently";
tests/cli/test_encrypt_oracle.sh runs it on bundles fwseal wrote).

  enc_oracle.py filekey IDENTITY BUNDLE             -> the file key, hex
  enc_oracle.py payload IDENTITY BUNDLE NAME        -> payloads/NAME's
                                                       plaintext on stdout
  enc_oracle.py hints IDENTITY BUNDLE NAME PLAINTEXT [NAME PLAINTEXT]...
      -> "ok M blocks" (per pair) when plain/NAME is the signed, encrypted
         block-hint list of PLAINTEXT
  enc_oracle.py hints-of FILEKEY_HEX NONCE_HEX PLAINTEXT
      -> the hint of each 4096-byte block, hex, one per line

IDENTITY is an age X25519 identity file (AGE-SECRET-KEY-1...). Every check
that fails prints one line "enc_oracle.py: WHAT" on stderr and exits 1;
wrong usage exits 2. The oracle checks the encryption only: the manifest's
signatures are fwseal verify's job, the oracle reads the signed body as is.
"""
import base64
import hashlib
import hmac
import json
import sys
import tarfile

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (X25519PrivateKey,
                                                              X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PROG = "enc_oracle.py"
AGE_INTRO = b"age-encryption.org/v1"
STREAM_CHUNK = 64 * 1024
TAG = 16
NONCE = 16
HINT_BLOCK = 4096
HINT_LEN = 6
HINT_BLOCKS_MAX = 1 << 20
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


class Refused(Exception):
    """One failed check: its message is the oracle's one stderr line."""


def hkdf(ikm, salt, info, length=32):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt,
                info=info).derive(ikm)


# ---- Bech32 (BIP 173), for age's identity strings ----

def bech32_polymod(values):
    gen = (0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def bech32_decode(text, want_hrp):
    """The bytes of TEXT, a Bech32 string of HRP want_hrp in one case."""
    if text != text.lower() and text != text.upper():
        raise Refused("bech32: mixed case")
    text = text.lower()
    sep = text.rfind("1")
    if sep < 1 or len(text) - sep - 1 < 6:
        raise Refused("bech32: no separator or checksum")
    hrp, data = text[:sep], text[sep + 1:]
    if hrp != want_hrp:
        raise Refused("bech32: prefix %r, expected %r" % (hrp, want_hrp))
    if any(c not in BECH32_CHARSET for c in data):
        raise Refused("bech32: a character outside the alphabet")
    values = [BECH32_CHARSET.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    if bech32_polymod(expanded + values) != 1:
        raise Refused("bech32: checksum does not match")
    acc, bits, out = 0, 0, bytearray()
    for v in values[:-6]:
        acc = (acc << 5) | v
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xff)
    if bits >= 5 or acc & ((1 << bits) - 1):
        raise Refused("bech32: non-zero padding")
    return bytes(out)


def load_identity(path):
    """The X25519 secret of an age identity file (# comments, one key)."""
    keys = []
    with open(path, "rb") as f:
        for raw in f.read().decode("ascii").splitlines():
            line = raw.strip()
            if line and not line.startswith("#"):
                keys.append(line)
    if len(keys) != 1 or not keys[0].startswith("AGE-SECRET-KEY-1"):
        raise Refused("%s: not one AGE-SECRET-KEY-1 line" % path)
    if keys[0] != keys[0].upper():
        raise Refused("%s: an age identity is upper case" % path)
    secret = bech32_decode(keys[0], "age-secret-key-")
    if len(secret) != 32:
        raise Refused("%s: the key is %d bytes, not 32" % (path, len(secret)))
    return X25519PrivateKey.from_private_bytes(secret)


# ---- the bundle (a tar archive, gzip or not) ----

class Bundle:
    def __init__(self, path):
        try:
            self.tar = tarfile.open(path)
            members = self.tar.getmembers()
        except (tarfile.TarError, OSError) as e:
            raise Refused("%s: not a tar archive: %s" % (path, e))
        names = [m.name for m in members]
        self.members = {}
        for m in members:
            if names.count(m.name) != 1:
                raise Refused("%s: entry %s appears twice" % (path, m.name))
            self.members[m.name] = m
        self.path = path

    def entry(self, name):
        m = self.members.get(name)
        if m is None or not m.isfile():
            raise Refused("%s: no entry %s" % (self.path, name))
        return self.tar.extractfile(m).read()

    def manifest(self):
        envelope = json.loads(self.entry("manifest.json"))
        return json.loads(base64.b64decode(envelope["payload"], validate=True))

    def payload_encryption(self, name):
        for p in self.manifest()["payloads"]:
            if p["name"] == name:
                if "encryption" not in p:
                    raise Refused("manifest: payload %s is not encrypted" % name)
                return p["encryption"]
        raise Refused("manifest: no payload %s" % name)


# ---- the age header (the recipients entry) ----

def unb64_unpadded(text):
    """age's base64: standard alphabet, no padding, one spelling only."""
    if "=" in text:
        raise Refused("recipients: base64 with padding")
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        raise Refused("recipients: not base64: %r" % text[:20])
    if base64.b64encode(data).decode().rstrip("=") != text:
        raise Refused("recipients: base64 with non-zero unused bits")
    return data


def parse_header(header):
    """(stanzas, mac_input, mac): stanzas as (type, args, body)."""
    if not header.endswith(b"\n"):
        raise Refused("recipients: does not end in LF")
    lines = header[:-1].split(b"\n")
    if lines[0] != AGE_INTRO:
        raise Refused("recipients: not an age v1 header")
    for line in lines:
        if any(c < 0x20 or c > 0x7e for c in line):
            raise Refused("recipients: a byte that is not printable ASCII")
    stanzas, i = [], 1
    while i < len(lines) and lines[i].startswith(b"-> "):
        words = lines[i][3:].decode().split(" ")
        if any(w == "" for w in words):
            raise Refused("recipients: an empty stanza argument")
        body, i = "", i + 1
        while True:
            if i >= len(lines):
                raise Refused("recipients: a stanza body runs off the end")
            line = lines[i].decode()
            i += 1
            if len(line) > 64:
                raise Refused("recipients: a body line over 64 characters")
            body += line
            if len(line) < 64:
                break
        stanzas.append((words[0], words[1:], unb64_unpadded(body)))
    if not stanzas:
        raise Refused("recipients: no stanza")
    if i != len(lines) - 1 or not lines[i].startswith(b"--- "):
        raise Refused("recipients: the MAC line is not the last line")
    mac_text = lines[i][4:].decode()
    if len(mac_text) != 43:
        raise Refused("recipients: the MAC is not 43 base64 characters")
    mac_input = header[:header.rindex(b"\n--- ") + 4]
    return stanzas, mac_input, unb64_unpadded(mac_text)


def unwrap_x25519(identity, stanzas):
    """The file key from the first X25519 stanza the identity opens."""
    ours = identity.public_key().public_bytes(serialization.Encoding.Raw,
                                              serialization.PublicFormat.Raw)
    for kind, args, body in stanzas:
        if kind != "X25519":
            continue  # other recipient types are not this identity's
        if len(args) != 1 or len(body) != 32:
            raise Refused("recipients: an X25519 stanza of the wrong shape")
        share = unb64_unpadded(args[0])
        if len(share) != 32:
            raise Refused("recipients: an X25519 share that is not 32 bytes")
        shared = identity.exchange(X25519PublicKey.from_public_bytes(share))
        if shared == bytes(32):
            raise Refused("recipients: a low-order X25519 share")
        key = hkdf(shared, share + ours, b"age-encryption.org/v1/X25519")
        try:
            return ChaCha20Poly1305(key).decrypt(bytes(12), body, None)
        except InvalidTag:
            continue
    raise Refused("recipients: no X25519 stanza opens with this identity")


def file_key(identity_path, bundle):
    identity = load_identity(identity_path)
    stanzas, mac_input, mac = parse_header(bundle.entry("recipients"))
    key = unwrap_x25519(identity, stanzas)
    want = hmac.new(hkdf(key, b"", b"header"), mac_input, hashlib.sha256).digest()
    if not hmac.compare_digest(want, mac):
        raise Refused("recipients: the header MAC does not match (edited)")
    # The key commitment (format.md §15.1) ties the key to the signed manifest.
    enc = bundle.manifest().get("encryption")
    if not isinstance(enc, dict) or enc.get("scheme") != "age-v1":
        raise Refused("manifest: no encryption of scheme age-v1")
    commitment = hkdf(key, b"", b"fwseal/v1 key commitment").hex()
    if commitment != enc.get("key_commitment"):
        raise Refused("manifest: key_commitment is not the file key's")
    return key


# ---- age STREAM (a payload) ----

def stream_decrypt(key, entry, what):
    """The plaintext of nonce(16) ‖ STREAM, every chunk's tag checked."""
    if len(entry) < NONCE + TAG:
        raise Refused("%s: %d bytes, shorter than nonce and one tag" % (what, len(entry)))
    aead = ChaCha20Poly1305(hkdf(key, entry[:NONCE], b"payload"))
    body, sealed = entry[NONCE:], STREAM_CHUNK + TAG
    count = max(1, -(-len(body) // sealed))
    out = []
    for j in range(count):
        chunk = body[j * sealed:(j + 1) * sealed]
        last = j == count - 1
        if last and len(chunk) == TAG and count > 1:
            raise Refused("%s: an empty last chunk after a full one" % what)
        nonce = j.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        try:
            out.append(aead.decrypt(nonce, chunk, None))
        except InvalidTag:
            raise Refused("%s: chunk %d does not decrypt (tag)" % (what, j))
    return b"".join(out)


def payload_plaintext(identity_path, bundle, name):
    key = file_key(identity_path, bundle)
    enc = bundle.payload_encryption(name)
    plain = stream_decrypt(key, bundle.entry("payloads/" + name), "payloads/" + name)
    if len(plain) != enc.get("plain_size"):
        raise Refused("payloads/%s: %d plaintext bytes, the manifest says %r"
                      % (name, len(plain), enc.get("plain_size")))
    return key, plain


# ---- block hints (plain/<name>) ----

def hints_of(key, nonce, plain):
    """The 6-byte hint of each 4096-byte block of PLAIN."""
    hint_key = hkdf(key, nonce, b"fwseal/v1 block hints")
    return [hmac.new(hint_key, plain[i:i + HINT_BLOCK], hashlib.sha256).digest()[:HINT_LEN]
            for i in range(0, len(plain), HINT_BLOCK)]


def stream_entry_size(plain_len):
    return NONCE + plain_len + TAG * max(1, -(-plain_len // STREAM_CHUNK))


def check_hints(key, bundle, name, plaintext_path):
    """M, the number of blocks, when plain/NAME holds PLAINTEXT's hints."""
    enc = bundle.payload_encryption(name)
    if "plain_chunks" in enc:
        raise Refused("manifest: payload %s has plain_chunks (the old 32-byte "
                      "digest list), not plain_blocks" % name)
    digest = enc.get("plain_blocks")
    if not isinstance(digest, str):
        raise Refused("manifest: payload %s has no plain_blocks" % name)
    size = enc.get("plain_size")
    with open(plaintext_path, "rb") as f:
        plain = f.read()
    if len(plain) != size:
        raise Refused("%s: %d bytes, the manifest's plain_size is %r"
                      % (plaintext_path, len(plain), size))
    blocks = -(-size // HINT_BLOCK)
    if blocks > HINT_BLOCKS_MAX:
        raise Refused("manifest: %d blocks, more than 2^20" % blocks)
    entry = bundle.entry("plain/" + name)
    want_len = stream_entry_size(NONCE + HINT_LEN * blocks)
    if len(entry) != want_len:
        raise Refused("plain/%s: %d bytes, expected %d for %d blocks"
                      % (name, len(entry), want_len, blocks))
    if hashlib.sha256(entry).hexdigest() != digest:
        raise Refused("plain/%s: its sha256 is not the manifest's plain_blocks" % name)
    listing = stream_decrypt(key, entry, "plain/" + name)
    nonce = bundle.entry("payloads/" + name)[:NONCE]
    if listing[:NONCE] != nonce:
        raise Refused("plain/%s: its first 16 bytes are not payloads/%s's nonce"
                      % (name, name))
    got = [listing[i:i + HINT_LEN] for i in range(NONCE, len(listing), HINT_LEN)]
    want = hints_of(key, nonce, plain)
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            raise Refused("plain/%s: the hint of block %d differs (%s, expected %s)"
                          % (name, i, g.hex(), w.hex()))
    return blocks


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if cmd == "filekey" and len(args) == 2:
        print(file_key(args[0], Bundle(args[1])).hex())
    elif cmd == "payload" and len(args) == 3:
        _, plain = payload_plaintext(args[0], Bundle(args[1]), args[2])
        sys.stdout.buffer.write(plain)
    elif cmd == "hints" and len(args) >= 4 and len(args) % 2 == 0:
        bundle = Bundle(args[1])
        key = file_key(args[0], bundle)
        for name, plaintext in zip(args[2::2], args[3::2]):
            print("ok %d blocks" % check_hints(key, bundle, name, plaintext))
    elif cmd == "hints-of" and len(args) == 3:
        key, nonce = bytes.fromhex(args[0]), bytes.fromhex(args[1])
        if len(key) != 16 or len(nonce) != NONCE:
            raise Refused("the file key and the nonce are 16 bytes each")
        with open(args[2], "rb") as f:
            for hint in hints_of(key, nonce, f.read()):
                print(hint.hex())
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Refused as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        sys.exit(1)
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        # a malformed manifest or header field: still one line, still a failure
        sys.stderr.write("%s: malformed input: %s: %s\n" % (PROG, type(e).__name__, e))
        sys.exit(1)
