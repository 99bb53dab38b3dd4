#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An independent check of a fwseal attestation (tests/cli/test_sbom.sh).

  dsse_check.py ENVELOPE KEY.pub BUNDLE [SBOM]
  dsse_check.py --cases FILE     one case per line, tab-separated:
                                 STATUS DESCRIPTION ENVELOPE KEY.pub BUNDLE [SBOM];
                                 prints "ok - DESCRIPTION (exit STATUS)" or "not ok - ..."
                                 per case (tests/cli/lib.sh's format), in one process

Nothing here comes from fwseal: the DSSE PAE is computed here from the DSSE v1
specification, the Ed25519 signature is checked twice, by securesystemslib's
SSlibKey (Debian's 0.26 has no DSSE module, so the PAE is ours) and by
python3-cryptography, and the in-toto Statement v1 is read with the standard
library. Exit 0 when it verifies and names BUNDLE (and, if given, carries SBOM
as its predicate); 1 bad signature or key; 2 malformed; 3 subject mismatch
(another bundle or payload); 4 predicate is not the SBOM.
"""
import base64
import hashlib
import json
import sys
import tarfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import Signature, SSlibKey


class Verdict(Exception):
    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


def fail(code, why):
    raise Verdict(code, "dsse_check: " + why)


def pae(t, body):
    t = t.encode()
    return b"DSSEv1 %d %s %d " % (len(t), t, len(body)) + body


def check(a):
    env = json.load(open(a[1]))
    pub = json.load(open(a[2]))
    if sorted(env) != ["payload", "payloadType", "signatures"]:
        fail(2, "envelope keys %r" % sorted(env))
    if env["payloadType"] != "application/vnd.in-toto+json":
        fail(2, "payloadType %r" % env["payloadType"])
    body = base64.b64decode(env["payload"], validate=True)
    msg = pae(env["payloadType"], body)
    if len(env["signatures"]) != 1:
        fail(2, "%d signatures" % len(env["signatures"]))
    sig = env["signatures"][0]
    raw = base64.b64decode(sig["sig"], validate=True)
    keyid = hashlib.sha256(bytes.fromhex(pub["public"])).hexdigest()
    if sig["keyid"] != keyid:
        fail(1, "signed by key %s, not %s" % (sig["keyid"], keyid))
    key = SSlibKey(keyid, "ed25519", "ed25519", {"public": pub["public"]})
    try:
        key.verify_signature(Signature(keyid, raw.hex()), msg)
    except UnverifiedSignatureError:
        fail(1, "securesystemslib: the signature does not verify")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub["public"])).verify(raw, msg)
    except InvalidSignature:
        fail(1, "cryptography: the signature does not verify")
    st = json.loads(body)
    if st.get("_type") != "https://in-toto.io/Statement/v1":
        fail(2, "_type %r" % st.get("_type"))
    bundle = open(a[3], "rb").read()
    subj = st["subject"]
    if subj[0]["digest"]["sha256"] != hashlib.sha256(bundle).hexdigest():
        fail(3, "subject %s names another bundle than %s" % (subj[0]["name"], a[3]))
    with tarfile.open(a[3]) as tf:
        names = [m.name for m in tf.getmembers() if m.name.startswith("payloads/")]
        if sorted(names) != sorted(s["name"] for s in subj[1:]):
            fail(3, "payload subjects %r, bundle payloads %r" % ([s["name"] for s in subj[1:]], names))
        for s in subj[1:]:
            data = tf.extractfile(s["name"]).read()
            if s["digest"]["sha256"] != hashlib.sha256(data).hexdigest():
                fail(3, "subject %s: another payload" % s["name"])
            chunks = tf.extractfile("chunks/" + s["name"][len("payloads/"):]).read()
            if s["digest"]["fwsealSha256Chunks"] != hashlib.sha256(chunks).hexdigest():
                fail(3, "subject %s: another chunk list" % s["name"])
    if len(a) > 4:
        sbom = json.load(open(a[4]))
        want = "https://spdx.dev/Document" if "spdxVersion" in sbom else "https://cyclonedx.org/bom"
        if st.get("predicateType") != want or st.get("predicate") != sbom:
            fail(4, "the predicate is not %s (%s)" % (a[4], st.get("predicateType")))
    return "dsse_check: OK, %d subjects, %s" % (len(subj), st.get("predicateType"))


def run(a):
    try:
        return 0, check(a)
    except Verdict as v:
        return v.code, str(v)


def main(argv):
    if len(argv) == 3 and argv[1] == "--cases":
        for line in open(argv[2]).read().splitlines():
            want, desc, *args = line.split("\t")
            code, why = run(["dsse_check"] + args)
            if code == int(want):
                print("ok - %s (exit %s)" % (desc, want))
            else:
                print("not ok - %s\n#   exit %d, expected %s: %s" % (desc, code, want, why))
        return 0
    code, why = run(argv)
    print(why)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
