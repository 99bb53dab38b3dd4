#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The fwseal-p256 recipient stanza computed by python3-cryptography, an
implementation that shares no code with fwseal (docs/encryption.md,
"P-256 recipients"; tests/unit/test_crypt_p256.c cross-checks both ways).

  p256_oracle.py pub SK_HEX                    -> compressed public key, hex
  p256_oracle.py wrap PUB_HEX FILEKEY_HEX      -> "EPH_B64 BODY_B64"
  p256_oracle.py unwrap SK_HEX EPH_B64 BODY_B64 -> file key, hex (exit 1 if
                                                  it does not open)
"""
import base64
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CURVE = ec.SECP256R1()
INFO = b"fwseal/p256"


def b64(data):
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text):
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def compressed(pub):
    return pub.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.CompressedPoint)


def wrap_key(shared, eph, recipient):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph + recipient,
                info=INFO).derive(shared)


def main(argv):
    cmd = argv[1]
    if cmd == "pub":
        sk = ec.derive_private_key(int(argv[2], 16), CURVE)
        print(compressed(sk.public_key()).hex())
    elif cmd == "wrap":
        recipient = bytes.fromhex(argv[2])
        peer = ec.EllipticCurvePublicKey.from_encoded_point(CURVE, recipient)
        esk = ec.generate_private_key(CURVE)
        eph = compressed(esk.public_key())
        key = wrap_key(esk.exchange(ec.ECDH(), peer), eph, recipient)
        body = ChaCha20Poly1305(key).encrypt(bytes(12), bytes.fromhex(argv[3]), None)
        print(b64(eph), b64(body))
    elif cmd == "unwrap":
        sk = ec.derive_private_key(int(argv[2], 16), CURVE)
        eph = unb64(argv[3])
        peer = ec.EllipticCurvePublicKey.from_encoded_point(CURVE, eph)
        key = wrap_key(sk.exchange(ec.ECDH(), peer), eph, compressed(sk.public_key()))
        try:
            print(ChaCha20Poly1305(key).decrypt(bytes(12), unb64(argv[4]), None).hex())
        except InvalidTag:
            return 1
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
