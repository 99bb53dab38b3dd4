#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fault_proxy.py - fault-injecting HTTP reverse proxy for download tests.

Standard library only.  Listens on 127.0.0.1 (only), forwards each request to
one upstream HTTP(S) server and applies a fault chosen per request from a
*plan*.  Exits by itself after --max-seconds or --max-requests.

  fault_proxy.py --upstream http://127.0.0.1:8080 --port-file P --log L \
                 --plan 'cut:1000,cut:5000,pass' --max-seconds 60

PLAN  = ITEM[,ITEM...]          one ITEM per successive *matching* request
ITEM  = ACTION[+ACTION...][*REPEAT]     ("+" before a letter joins actions)
        after the plan is used up, --default (default "pass") applies.

ACTION (N = bytes of this response body, or P% of its length; S = seconds
or "inf"):
  pass            forward unchanged
  cut:N           send headers + N body bytes, then close (FIN)   [alias trunc:N]
  rst:N           same, then abortive close (RST, after the send queue drained)
  close           read the request, close without any response
  stall:S         send nothing for S seconds, then continue normally
  stall:S@N       stall after N body bytes (stall:inf@0 = headers, then hang)
  status:CODE     synthetic response (404, 416, 500, 503, ...), upstream not
                  contacted except a HEAD to fill "Content-Range: bytes */SIZE"
                  for 416
  cl:+D | cl:-D   announce Content-Length = real+D / real-D, send the real
                  body, then close
  norange         strip Range and If-Range before forwarding (-> 200 full body)
  path:/X         forward to upstream path /X instead of the requested one
  redirect:URL    302 to URL; "{path}" in URL is replaced by the request path
                  (redirect301: redirect307: redirect308: choose the code)
  corrupt:N       XOR 0xff the byte at body offset N (may repeat)
  slow:BPS        limit body rate to BPS bytes/second
  drip:S@N        after N body bytes, send one byte every S seconds (a genuine
                  body that never stalls long enough to be a stall)
  bighdr:N[xK]    add K (default 1) header lines "X-Big-i: xxx..." of N bytes each
  noifrange       strip If-Range (only) before forwarding: the client's still logged
  hdr:Name=Value  set a response header (e.g. 'hdr:ETag="x"', hdr:Retry-After=1)
  delhdr:Name     remove a response header (e.g. delhdr:Accept-Ranges)

Global options modify every matching request: --ignore-range (like norange),
--replace-after K --replace-path /X (requests with index >= K go to /X, i.e.
"file replaced mid-download": other bytes, other ETag, upstream semantics for
If-Range kept).  --match REGEX restricts plan/global faults to request paths
matching REGEX; others pass unchanged and do not consume plan items.

--control FILE: JSON object {"plan":..., "default":..., "match":...,
"ignore_range":bool, "replace_after":K, "replace_path":"/X"} (or a bare plan
string), re-read whenever its mtime/size changes; a change resets the plan
index to 0.  Keys present override the command line.

Log (--log FILE): one JSON object per request, written when it finishes:
  n idx t conn method path upstream_path range if_range action status
  content_length upstream_length body_bytes header_bytes etag result dur
result: ok | cut | rst | closed | client-gone | upstream-error | shutdown
"fault_proxy.py --show-log FILE" prints a compact table.
"""

import argparse
import errno
import fcntl
import http.client
import json
import os
import re
import select
import signal
import socket
import ssl
import struct
import sys
import termios
import threading
import time
import urllib.parse

HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
       "transfer-encoding", "upgrade"}
REASONS = {200: "OK", 206: "Partial Content", 301: "Moved Permanently",
           302: "Found", 304: "Not Modified", 307: "Temporary Redirect",
           308: "Permanent Redirect", 400: "Bad Request", 403: "Forbidden",
           404: "Not Found", 412: "Precondition Failed",
           416: "Requested Range Not Satisfiable",
           500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}
CHUNK = 16384


class Shutdown(Exception):
    pass


class ClientGone(Exception):
    pass


# ------------------------------------------------------------------ plan ----
class Action:
    def __init__(self, text):
        self.text = text or "pass"
        self.cut = None          # (value, is_percent)
        self.rst = False
        self.close = False
        self.stall_head = 0.0
        self.stall_at = []       # [(offset, seconds)]
        self.status = None
        self.cl_delta = 0
        self.norange = False
        self.path = None
        self.redirect = None     # (code, url)
        self.corrupt = []
        self.slow = None
        self.drip = None         # (offset, seconds)
        self.bighdr = (0, 0)
        self.noifrange = False
        self.hdr = []            # [(name, value)]
        self.delhdr = []
        # "+" joins actions; a "+" followed by a digit belongs to cl:+D
        for part in re.split(r"\+(?=[a-z])", self.text):
            self._parse(part.strip())

    @staticmethod
    def _secs(v):
        return float("inf") if v in ("inf", "forever") else float(v)

    @staticmethod
    def _size(v):
        if v.endswith("%"):
            return (float(v[:-1]), True)
        return (int(v), False)

    def _parse(self, p):
        name, _, arg = p.partition(":")
        if name in ("pass", ""):
            return
        if name in ("cut", "trunc", "rst"):
            self.cut = self._size(arg)
            self.rst = name == "rst"
        elif name == "close":
            self.close = True
        elif name == "stall":
            if "@" in arg:
                s, off = arg.split("@", 1)
                self.stall_at.append((int(off), self._secs(s)))
            else:
                self.stall_head = self._secs(arg)
        elif name == "status":
            self.status = int(arg)
        elif name == "cl":
            self.cl_delta = int(arg)
        elif name == "norange":
            self.norange = True
        elif name == "path":
            self.path = arg
        elif name.startswith("redirect"):
            code = int(name[8:] or 302)
            self.redirect = (code, arg)
        elif name == "corrupt":
            self.corrupt.append(int(arg))
        elif name == "slow":
            self.slow = float(arg)
        elif name == "drip":
            s, _, off = arg.partition("@")
            self.drip = (int(off or 0), float(s))
        elif name == "bighdr":
            n, _, k = arg.partition("x")
            self.bighdr = (int(n), int(k or 1))
        elif name == "noifrange":
            self.noifrange = True
        elif name == "hdr":
            k, _, v = arg.partition("=")
            self.hdr.append((k, v))
        elif name == "delhdr":
            self.delhdr.append(arg.lower())
        else:
            raise ValueError("unknown action %r" % p)


def parse_plan(text):
    items = []
    if not text:
        return items
    # split on commas that are not inside a hdr:/redirect: value: actions are
    # separated by "," followed by a known action name.
    parts = re.split(r",(?=\s*(?:pass|cut|trunc|rst|close|stall|status|cl|norange|path|redirect\d*|corrupt|slow|drip|bighdr|noifrange|hdr|delhdr)\b)", text)
    for part in parts:
        part = part.strip()
        if not part:
            continue
        rep = 1
        m = re.match(r"^(.*)\*(\d+)$", part)
        if m:
            part, rep = m.group(1), int(m.group(2))
        Action(part)  # validate
        items.extend([part] * rep)
    return items


class Config:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.plan = parse_plan(args.plan)
        if args.cut_offsets:
            self.plan += ["cut:%s" % x.strip() for x in args.cut_offsets.split(",") if x.strip()]
        self.default = args.default
        self.match = re.compile(args.match)
        self.ignore_range = args.ignore_range
        self.replace_after = args.replace_after
        self.replace_path = args.replace_path
        self.idx = 0
        self.ctl_sig = None
        Action(self.default)

    def _reload(self):
        path = self.args.control
        if not path:
            return
        try:
            st = os.stat(path)
        except OSError:
            return
        sig = (st.st_mtime_ns, st.st_size)
        if sig == self.ctl_sig:
            return
        self.ctl_sig = sig
        with open(path) as f:
            text = f.read()
        try:
            d = json.loads(text)
            if not isinstance(d, dict):
                d = {"plan": str(d)}
        except ValueError:
            d = {"plan": text.strip()}
        if "plan" in d:
            self.plan = parse_plan(d["plan"])
        if "default" in d:
            Action(d["default"])
            self.default = d["default"]
        if "match" in d:
            self.match = re.compile(d["match"])
        if "ignore_range" in d:
            self.ignore_range = bool(d["ignore_range"])
        if "replace_after" in d:
            self.replace_after = d["replace_after"]
        if "replace_path" in d:
            self.replace_path = d["replace_path"]
        self.idx = 0

    def pick(self, path):
        """-> (idx or None, Action)"""
        with self.lock:
            self._reload()
            if not self.match.search(path):
                return None, Action("pass")
            idx = self.idx
            self.idx += 1
            text = self.plan[idx] if idx < len(self.plan) else self.default
            extra = []
            if self.ignore_range:
                extra.append("norange")
            if self.replace_path and self.replace_after is not None and idx >= self.replace_after:
                extra.append("path:" + self.replace_path)
            if extra:
                text = "+".join([text] + extra)
            return idx, Action(text)


# ----------------------------------------------------------------- proxy ----
class Proxy:
    def __init__(self, args):
        self.args = args
        self.cfg = Config(args)
        u = urllib.parse.urlsplit(args.upstream)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise SystemExit("bad --upstream %r" % args.upstream)
        self.up_https = u.scheme == "https"
        self.up_host = u.hostname
        self.up_port = u.port or (443 if self.up_https else 80)
        self.up_prefix = u.path.rstrip("/")
        self.t0 = time.monotonic()
        self.deadline = self.t0 + args.max_seconds
        self.stop = threading.Event()
        self.nreq = 0
        self.nconn = 0
        self.lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.logf = open(args.log, "a", buffering=1) if args.log else None
        self.socks = set()
        self.tls = None
        if args.cert:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(args.cert, args.key)

    # -- helpers ----------------------------------------------------------
    def log(self, rec):
        if not self.args.quiet:
            sys.stderr.write("fault_proxy: #%s %s %s range=%s -> %s body=%s %s [%s]\n" % (
                rec.get("n"), rec.get("method"), rec.get("path"), rec.get("range"),
                rec.get("status"), rec.get("body_bytes"), rec.get("result"), rec.get("action")))
        if self.logf:
            with self.log_lock:
                self.logf.write(json.dumps(rec, sort_keys=True) + "\n")

    def wait(self, secs, raw=None):
        """sleep, interruptible by shutdown; notices a client that hung up"""
        end = min(time.monotonic() + secs, self.deadline + 1)
        while True:
            left = end - time.monotonic()
            if self.stop.is_set() or time.monotonic() >= self.deadline:
                raise Shutdown()
            if left <= 0:
                return
            if raw is not None:
                try:
                    r, _, _ = select.select([raw], [], [], min(left, 0.2))
                    if r and raw.recv(1, socket.MSG_PEEK) == b"":
                        raise ClientGone()
                    if r:
                        self.stop.wait(min(left, 0.2))
                except (OSError, ValueError):
                    raise ClientGone()
            else:
                self.stop.wait(min(left, 0.2))

    def upstream_conn(self):
        if self.up_https:
            ctx = ssl.create_default_context(cafile=self.args.upstream_ca)
            if self.args.upstream_insecure:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self.up_host, self.up_port, timeout=30, context=ctx)
        return http.client.HTTPConnection(self.up_host, self.up_port, timeout=30)

    # -- server loop -------------------------------------------------------
    def serve(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self.args.listen, self.args.port))
        ls.listen(64)
        ls.settimeout(0.2)
        port = ls.getsockname()[1]
        if self.args.port_file:
            tmp = self.args.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.rename(tmp, self.args.port_file)
        print("PORT=%d" % port, flush=True)
        sys.stderr.write("fault_proxy: listening on %s:%d -> %s (max %ss, %s requests)\n" % (
            self.args.listen, port, self.args.upstream, self.args.max_seconds, self.args.max_requests))
        threads = []
        try:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                try:
                    c, addr = ls.accept()
                except socket.timeout:
                    continue
                except OSError as e:
                    if e.errno in (errno.EINTR, errno.ECONNABORTED):
                        continue
                    raise
                with self.lock:
                    self.nconn += 1
                    cid = self.nconn
                t = threading.Thread(target=self.conn_main, args=(c, addr, cid), daemon=True)
                t.start()
                threads.append(t)
                threads = [x for x in threads if x.is_alive()]
        finally:
            ls.close()
            reason = ("stopped" if self.nreq < self.args.max_requests else "max-requests") \
                if self.stop.is_set() else "max-seconds"
            # give in-flight requests a moment, then force-close everything
            end = time.monotonic() + self.args.grace
            for t in threads:
                t.join(max(0, end - time.monotonic()))
            self.stop.set()
            with self.lock:
                for s in list(self.socks):
                    try:
                        s.close()
                    except OSError:
                        pass
            for t in threads:
                t.join(2)
            sys.stderr.write("fault_proxy: exiting (%s), %d requests, %d connections\n" % (
                reason, self.nreq, self.nconn))
            if self.logf:
                self.logf.close()

    # -- connection ----------------------------------------------------------
    def conn_main(self, c, addr, cid):
        with self.lock:
            self.socks.add(c)
        raw = c
        try:
            c.settimeout(self.args.client_timeout)
            if self.tls:
                try:
                    c = self.tls.wrap_socket(c, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    sys.stderr.write("fault_proxy: TLS handshake failed: %s\n" % e)
                    return
            buf = b""
            while not self.stop.is_set():
                req, buf = self.read_request(c, buf)
                if req is None:
                    return
                with self.lock:
                    if self.nreq >= self.args.max_requests:
                        return
                    self.nreq += 1
                    n = self.nreq
                    last = self.nreq >= self.args.max_requests
                keep = self.handle(c, raw, req, n, cid)
                if last:
                    self.stop.set()
                if not keep:
                    return
        except (Shutdown, ClientGone, OSError, ssl.SSLError):
            return
        finally:
            with self.lock:
                self.socks.discard(raw)
            try:
                c.close()
            except OSError:
                pass

    def read_request(self, c, buf):
        while b"\r\n\r\n" not in buf:
            if len(buf) > 65536:
                return None, b""
            try:
                d = c.recv(65536)
            except (socket.timeout, OSError):
                return None, b""
            if not d:
                return None, b""
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            return None, b""
        headers = []
        for ln in lines[1:]:
            if ":" in ln:
                k, v = ln.split(":", 1)
                headers.append((k.strip(), v.strip()))
        body = b""
        cl = [v for k, v in headers if k.lower() == "content-length"]
        if cl:
            need = int(cl[0])
            while len(buf) < need:
                d = c.recv(65536)
                if not d:
                    return None, b""
                buf += d
            body, buf = buf[:need], buf[need:]
        return {"method": method, "target": target, "version": version,
                "headers": headers, "body": body}, buf

    @staticmethod
    def hget(headers, name):
        name = name.lower()
        for k, v in headers:
            if k.lower() == name:
                return v
        return None

    def send(self, c, data, rec, body=False):
        try:
            c.sendall(data)
        except (OSError, ssl.SSLError):
            raise ClientGone()
        if body:
            rec["body_bytes"] += len(data)
        else:
            rec["header_bytes"] += len(data)

    def close_conn(self, c, raw, rst):
        try:
            if rst:
                # wait (bounded) until everything sent was acked, so the RST
                # does not discard bytes we claim to have sent
                end = time.monotonic() + 2
                while time.monotonic() < end:
                    outq = struct.unpack("i", fcntl.ioctl(raw.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
                    if outq == 0:
                        break
                    time.sleep(0.01)
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                raw.shutdown(socket.SHUT_WR)
                # drain briefly so unread input does not turn the FIN into RST
                end = time.monotonic() + 0.2
                raw.setblocking(False)
                while time.monotonic() < end:
                    r, _, _ = select.select([raw], [], [], 0.05)
                    if r:
                        try:
                            if not raw.recv(65536):
                                break
                        except OSError:
                            break
        except OSError:
            pass

    # -- request ---------------------------------------------------------------
    def handle(self, c, raw, req, n, cid):
        """returns True to keep the connection open"""
        t1 = time.monotonic()
        path = req["target"]
        idx, act = self.cfg.pick(path)
        rec = {"n": n, "idx": idx, "t": round(t1 - self.t0, 4), "conn": cid,
               "method": req["method"], "path": path, "upstream_path": None,
               "range": self.hget(req["headers"], "Range"),
               "if_range": self.hget(req["headers"], "If-Range"),
               "action": act.text, "status": None, "content_length": None,
               "upstream_length": None, "body_bytes": 0, "header_bytes": 0,
               "etag": None, "result": "ok"}
        client_keep = (req["version"] == "HTTP/1.1" and
                       (self.hget(req["headers"], "Connection") or "").lower() != "close")
        keep = False
        try:
            keep = self._handle(c, raw, req, act, rec) and client_keep
        except Shutdown:
            rec["result"] = "shutdown"
        except ClientGone:
            rec["result"] = "client-gone"
        finally:
            rec["dur"] = round(time.monotonic() - t1, 4)
            rec.pop("_act", None)
            self.log(rec)
        return keep

    def synthetic(self, c, code, rec, extra=(), head=False):
        reason = REASONS.get(code, "Fault")
        body = ("<html><head><title>%d %s</title></head><body><h1>%d %s</h1>"
                "<p>fault_proxy</p></body></html>\n" % (code, reason, code, reason)).encode()
        hdrs = [("Server", "fault_proxy"), ("Content-Type", "text/html"),
                ("Content-Length", str(len(body)))] + list(extra)
        act = rec.get("_act")
        if act is not None:
            hdrs = [(k, v) for k, v in hdrs if k.lower() not in act.delhdr]
            for k, v in act.hdr:
                hdrs = [(a, b) for a, b in hdrs if a.lower() != k.lower()] + [(k, v)]
        rec["status"] = code
        rec["content_length"] = len(body)
        self.send(c, self.head_bytes(code, reason, hdrs, True), rec)
        if not head:
            self.send(c, body, rec, body=True)
        return True

    @staticmethod
    def head_bytes(code, reason, hdrs, keep):
        out = ["HTTP/1.1 %d %s" % (code, reason)]
        out += ["%s: %s" % (k, v) for k, v in hdrs]
        out.append("Connection: %s" % ("keep-alive" if keep else "close"))
        return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")

    def _handle(self, c, raw, req, act, rec):
        method = req["method"]
        head = method == "HEAD"
        rec["_act"] = act
        if act.close:
            rec["result"] = "closed"
            self.close_conn(c, raw, act.rst)
            return False
        if act.stall_head:
            self.wait(act.stall_head, raw)
        if act.redirect:
            code, url = act.redirect
            url = url.replace("{path}", req["target"])
            rec["status"] = code
            return self.synthetic(c, code, rec, [("Location", url)], head)
        up_path = act.path or req["target"]
        if act.path and "?" in req["target"] and "?" not in act.path:
            up_path += "?" + req["target"].split("?", 1)[1]
        rec["upstream_path"] = up_path
        if act.status:
            extra = []
            if act.status == 416:
                size = self.upstream_size(up_path)
                if size is not None:
                    extra.append(("Content-Range", "bytes */%d" % size))
            return self.synthetic(c, act.status, rec, extra, head)

        # forward upstream
        hdrs = []
        for k, v in req["headers"]:
            lk = k.lower()
            if lk in HOP or lk == "content-length":
                continue
            if act.norange and lk in ("range", "if-range"):
                continue
            if act.noifrange and lk == "if-range":
                continue
            hdrs.append((k, v))
        try:
            uc = self.upstream_conn()
            uc.putrequest(method, self.up_prefix + up_path, skip_host=True, skip_accept_encoding=True)
            for k, v in hdrs:
                uc.putheader(k, v)
            if self.hget(hdrs, "Host") is None:
                uc.putheader("Host", "%s:%d" % (self.up_host, self.up_port))
            uc.putheader("Connection", "close")
            if req["body"]:
                uc.putheader("Content-Length", str(len(req["body"])))
            uc.endheaders(req["body"] or None)
            resp = uc.getresponse()
        except (OSError, http.client.HTTPException) as e:
            rec["result"] = "upstream-error"
            sys.stderr.write("fault_proxy: upstream error: %s\n" % e)
            return self.synthetic(c, 502, rec, [], head)
        try:
            return self.relay(c, raw, resp, act, rec, head)
        finally:
            uc.close()

    def upstream_size(self, path):
        try:
            uc = self.upstream_conn()
            uc.request("HEAD", self.up_prefix + path, headers={"Connection": "close"})
            r = uc.getresponse()
            r.read()
            uc.close()
            v = r.getheader("Content-Length")
            return int(v) if v is not None and r.status == 200 else None
        except (OSError, http.client.HTTPException, ValueError):
            return None

    def relay(self, c, raw, resp, act, rec, head):
        status = resp.status
        rec["status"] = status
        up_len = resp.getheader("Content-Length")
        up_len = int(up_len) if up_len is not None and up_len.isdigit() else None
        no_body = head or status in (204, 304) or 100 <= status < 200
        rec["upstream_length"] = up_len
        hdrs = []
        for k, v in resp.getheaders():
            lk = k.lower()
            if lk in HOP or lk == "content-length" or lk in act.delhdr:
                continue
            hdrs.append((k, v))
        for k, v in act.hdr:
            hdrs = [(a, b) for a, b in hdrs if a.lower() != k.lower()] + [(k, v)]
        for i in range(act.bighdr[1]):
            name = "X-Big-%d" % i
            hdrs.append((name, "x" * max(1, act.bighdr[0] - len(name + ": \r\n"))))
        rec["etag"] = self.hget(hdrs, "ETag")

        # how many body bytes before we cut
        limit = None
        if act.cut is not None:
            val, pct = act.cut
            base = up_len if up_len is not None else 0
            limit = int(base * val / 100.0) if pct else val
        keep = limit is None and act.cl_delta == 0 and (up_len is not None or no_body)
        if up_len is not None:
            announced = up_len + act.cl_delta
            if announced < 0:
                announced = 0
            hdrs.append(("Content-Length", str(announced)))
            rec["content_length"] = announced
        elif no_body and head:
            pass
        self.send(c, self.head_bytes(status, resp.reason or REASONS.get(status, ""), hdrs, keep), rec)
        if no_body:
            if limit is not None:
                rec["result"] = "rst" if act.rst else "cut"
                self.close_conn(c, raw, act.rst)
                return False
            return keep

        stalls = sorted(act.stall_at)
        corrupt = sorted(act.corrupt)
        sent = 0
        t_start = time.monotonic()
        while True:
            # stall points at the current offset
            while stalls and stalls[0][0] <= sent:
                self.wait(stalls.pop(0)[1], raw)
            want = CHUNK
            if limit is not None:
                want = min(want, limit - sent)
            if stalls:
                want = min(want, stalls[0][0] - sent)
            if act.slow:
                want = min(want, max(1, int(act.slow / 10)))
            if act.drip:
                if sent >= act.drip[0]:
                    want = 1
                    self.wait(act.drip[1], raw)
                else:
                    want = min(want, act.drip[0] - sent)
            if want <= 0:
                if limit is not None and sent >= limit:
                    break
                want = 1
            try:
                data = resp.read(want)
            except (OSError, http.client.HTTPException):
                rec["result"] = "upstream-error"
                self.close_conn(c, raw, False)
                return False
            if not data:
                break
            if corrupt:
                b = bytearray(data)
                while corrupt and corrupt[0] < sent + len(b):
                    off = corrupt.pop(0) - sent
                    if off >= 0:
                        b[off] ^= 0xFF
                data = bytes(b)
            self.send(c, data, rec, body=True)
            sent += len(data)
            if act.slow:
                ahead = sent / act.slow - (time.monotonic() - t_start)
                if ahead > 0:
                    self.wait(ahead, raw)
            if time.monotonic() >= self.deadline or self.stop.is_set() and self.args.grace <= 0:
                raise Shutdown()
        if limit is not None:
            rec["result"] = "rst" if act.rst else "cut"
            self.close_conn(c, raw, act.rst)
            return False
        if not keep:
            self.close_conn(c, raw, False)
            return False
        return True


def show_log(path):
    print("%4s %4s %-5s %-28s %-22s %4s %9s %9s %-11s %s" % (
        "n", "idx", "meth", "path", "range", "st", "len", "body", "result", "action"))
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            print("%4s %4s %-5s %-28s %-22s %4s %9s %9s %-11s %s" % (
                r["n"], "-" if r["idx"] is None else r["idx"], r["method"], r["path"][:28],
                (r["range"] or "-")[:22], r["status"], r["content_length"], r["body_bytes"],
                r["result"], r["action"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", help="http://127.0.0.1:PORT[/prefix]")
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port (default)")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--log", help="JSON-lines request log")
    ap.add_argument("--plan", default="", help="per-request fault plan, see above")
    ap.add_argument("--cut-offsets", default="", help="N,N,...: append cut:N items to the plan")
    ap.add_argument("--default", default="pass", help="action after the plan is exhausted")
    ap.add_argument("--match", default=".*", help="regex on the request path selecting requests subject to faults")
    ap.add_argument("--ignore-range", action="store_true")
    ap.add_argument("--replace-after", type=int, default=None, metavar="K")
    ap.add_argument("--replace-path", default=None, metavar="/PATH")
    ap.add_argument("--control", help="JSON control file, re-read on change")
    ap.add_argument("--max-seconds", type=float, default=120.0)
    ap.add_argument("--max-requests", type=int, default=1000)
    ap.add_argument("--grace", type=float, default=2.0, help="seconds in-flight requests get at exit")
    ap.add_argument("--client-timeout", type=float, default=15.0, help="idle keep-alive / read timeout")
    ap.add_argument("--cert", help="serve TLS with this cert (PEM)")
    ap.add_argument("--key", help="key for --cert")
    ap.add_argument("--upstream-ca", help="CA file for an https upstream")
    ap.add_argument("--upstream-insecure", action="store_true")
    ap.add_argument("--quiet", "-q", action="store_true")
    ap.add_argument("--show-log", metavar="LOG", help="print LOG as a table and exit")
    args = ap.parse_args()
    if args.show_log:
        show_log(args.show_log)
        return 0
    if not args.upstream:
        ap.error("--upstream is required")
    if args.listen not in ("127.0.0.1", "::1", "localhost"):
        ap.error("refusing to listen on anything but loopback")
    if (args.replace_after is None) != (args.replace_path is None):
        ap.error("--replace-after and --replace-path go together")
    try:
        proxy = Proxy(args)
        # SIGTERM/SIGINT: stop accepting, finish/abort in-flight requests, write log
        signal.signal(signal.SIGTERM, lambda *_: proxy.stop.set())
        signal.signal(signal.SIGINT, lambda *_: proxy.stop.set())
        proxy.serve()
    except ValueError as e:
        sys.stderr.write("fault_proxy: %s\n" % e)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
