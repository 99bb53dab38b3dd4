#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""connect_proxy.py - a tiny forward proxy for the proxy tests (standard library only).

Listens on 127.0.0.1 only. "CONNECT host:port" opens a tunnel (https through
the proxy); "GET http://host:port/path" is forwarded (plain http through the
proxy). Every request line is appended to --log, one per line, so a test can
tell whether a client used the proxy. Exits by itself after --max-seconds.

  connect_proxy.py --port-file P --log L [--max-seconds 60]
"""
import argparse
import os
import select
import socket
import threading
import time
import urllib.parse


def pipe(a, b, until):
    socks = [a, b]
    while time.monotonic() < until:
        r, _, _ = select.select(socks, [], [], 0.5)
        for s in r:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


def read_head(c):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def serve(c, log, until):
    up = None
    try:
        head = read_head(c)
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        with open(log, "a") as f:
            f.write(line + "\n")
        method, target, _ = line.split(" ", 2)
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            up = socket.create_connection((host, int(port)), timeout=10)
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
            if rest:
                up.sendall(rest)
        else:
            u = urllib.parse.urlsplit(target)
            up = socket.create_connection((u.hostname, u.port or 80), timeout=10)
            path = (u.path or "/") + ("?" + u.query if u.query else "")
            first, rest = head.split(b"\r\n", 1)
            up.sendall(("%s %s HTTP/1.1\r\n" % (method, path)).encode("latin-1") + rest)
        pipe(c, up, until)
    except (OSError, ValueError):
        pass
    finally:
        c.close()
        if up is not None:
            up.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=60)
    a = ap.parse_args()
    until = time.monotonic() + a.max_seconds
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(tmp, a.port_file)
    s.settimeout(0.5)
    while time.monotonic() < until:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(c, a.log, until), daemon=True).start()


if __name__ == "__main__":
    main()
