#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""token_server.py - a small Docker/OCI token service for the OCI tests.

The registry in tests/cli/long_oci_registry.sh is Debian's real docker-registry
(distribution 2.8) configured with `auth: token`; this is the service its
`realm` names, i.e. the other half of the Bearer exchange
(https://distribution.github.io/distribution/spec/auth/token/): GET
/token?service=S&scope=repository:NAME:ACTIONS, optionally with Basic
credentials, answers {"token": JWT}. The JWT is ES256, signed with a key
whose certificate (signed by the test CA, which the registry trusts as its
rootcertbundle) travels in the x5c header. It is a token issuer, not a
registry: it never sees a manifest or a blob.

Policy: anonymous callers get "pull"; USER:PASSWORD gets what it asks for;
wrong credentials get 401. One JSON line per request goes to --log (user,
scope asked, actions granted, whether an Authorization header came).
Standard library plus python3-cryptography.
"""
import argparse, base64, json, os, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True, help="TLS certificate (PEM)")
    ap.add_argument("--key", required=True, help="its key")
    ap.add_argument("--sign-cert", required=True, help="token signing certificate (PEM)")
    ap.add_argument("--sign-key", required=True, help="its EC P-256 key")
    ap.add_argument("--user", required=True, help="USER:PASSWORD")
    ap.add_argument("--issuer", default="fwseal-test")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=300)
    a = ap.parse_args()

    sign_key = serialization.load_pem_private_key(open(a.sign_key, "rb").read(), None)
    from cryptography import x509
    der = x509.load_pem_x509_certificate(open(a.sign_cert, "rb").read()).public_bytes(
        serialization.Encoding.DER)
    header = b64url(json.dumps({"typ": "JWT", "alg": "ES256",
                                "x5c": [base64.b64encode(der).decode()]}).encode())

    def token(sub, service, access):
        now = int(time.time())
        claims = {"iss": a.issuer, "sub": sub, "aud": service, "exp": now + 600,
                  "nbf": now - 60, "iat": now, "jti": b64url(os.urandom(12)),
                  "access": access}
        signing_input = header + "." + b64url(json.dumps(claims).encode())
        r, s = decode_dss_signature(sign_key.sign(signing_input.encode(),
                                                  ec.ECDSA(hashes.SHA256())))
        return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            u = urlparse(self.path)
            q = parse_qs(u.query)
            auth = self.headers.get("Authorization")
            rec = {"path": u.path, "service": q.get("service", [""])[0],
                   "scope": q.get("scope", []), "authorization": bool(auth)}
            user = ""
            if auth is not None:
                ok = False
                if auth.startswith("Basic "):
                    try:
                        ok = base64.b64decode(auth[6:]).decode() == a.user
                    except Exception:
                        ok = False
                if not ok:
                    rec["result"] = 401
                    self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                 "message": "wrong credentials"}]})
                    open(a.log, "a").write(json.dumps(rec) + "\n")
                    return
                user = a.user.split(":", 1)[0]
            access = []
            for sc in q.get("scope", []):
                parts = sc.split(":")
                if len(parts) != 3 or parts[0] != "repository":
                    continue
                want = parts[2].split(",")
                granted = want if user else [x for x in want if x == "pull"]
                access.append({"type": "repository", "name": parts[1], "actions": granted})
            rec.update(user=user, granted=access, result=200)
            open(a.log, "a").write(json.dumps(rec) + "\n")
            self.reply(200, {"token": token(user, rec["service"], access),
                             "expires_in": 600})

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    open(a.port_file + ".tmp", "w").write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.timeout = 0.5
    end = time.monotonic() + a.max_seconds
    while time.monotonic() < end:
        srv.handle_request()


if __name__ == "__main__":
    sys.exit(main())
