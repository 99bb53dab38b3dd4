#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compares what the tools opened (strace -f -y -e trace=%file,%network logs) and the
environment variables they asked for (getenv_log.c) with docs/interfaces.md.

  check_trace.py DOC RUNS [IGNORE...]

RUNS: one line per traced command: NAME TAB TRACE-FILE TAB ENV-LOG TAB ARGS TAB DEVICES TAB
TARGETS (ARGS, DEVICES, TARGETS: absolute paths or names separated by '|'). Prints one line
per finding, "FAIL NAME: what" or "OK NAME: n paths, m variables", and "NET ..." for every
socket call, then "DONE NAME". IGNORE: paths the test itself put there (the preloaded
logger), or prefixes ending in "/" (a sanitizer runtime's /proc/). Exit status 0 when everything opened is documented, else 1.
"""
import os
import re
import sys

IGNORED_PREFIXES = ("/lib/", "/usr/lib/", "/lib64/", "/usr/lib64/", "/etc/ld.so.")
CALL_RE = re.compile(r"^\d+\s+([a-z_0-9]+)\((.*)$")
PATH_ARG_RE = re.compile(r'(?:(\d+|AT_FDCWD)<([^>]*)>, )?"((?:[^"\\]|\\.)*)"')
NET_CALLS = ("socket", "socketpair", "connect", "bind", "listen", "accept", "accept4")
# Other socket calls carry data, not names: neither paths nor connections.
DATA_CALLS = ("sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "getsockopt",
              "setsockopt", "getsockname", "getpeername", "shutdown")


def doc_patterns(doc):
    paths, env = [], []
    section = ""
    with open(doc, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                section = line[3:].strip().lower()
                continue
            if not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if section.startswith("files"):
                m = re.fullmatch(r"`([^`]+)`", cells[0])
                if m:
                    paths.append(m.group(1))
            elif section.startswith("environment"):
                for tok in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*\*?)`", " ".join(cells)):
                    env.append(tok)
    return paths, env


def alt(values):
    vals = [v for v in values if v]
    if not vals:
        return "(?!)"
    return "(?:" + "|".join(re.escape(v) for v in sorted(set(vals), key=len, reverse=True)) + ")"


def ancestors(paths):
    """Every directory on the way to each path, "/" included."""
    up = set()
    for a in paths:
        d = os.path.dirname(a)
        while d and d not in up:
            up.add(d)
            if d == "/":
                break
            d = os.path.dirname(d)
    return up


def pattern_regex(p, args, devices, targets):
    dirs = [os.path.dirname(a) for a in args]
    bases = [os.path.basename(a) for a in args]
    up = ancestors([a for a in args + devices if a.startswith("/")])
    out = ""
    i = 0
    while i < len(p):
        if p.startswith("<dir>/.<arg>.", i):
            out += alt(dirs) + "/" + re.escape(".") + alt(bases) + re.escape(".")
            i += len("<dir>/.<arg>.")
            continue
        m = re.match(r"<([a-z]+)>", p[i:])
        if m:
            ph = m.group(1)
            out += {
                "arg": alt(args), "dir": alt(dirs), "random": "[a-z0-9]{12}",
                "device": alt(devices), "set": "[ab]", "target": alt(targets), "n": "[0-9]+",
                "zone": "[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*",
                "up": alt(up), "blk": "[a-z0-9]+",
            }.get(ph, "(?!)")
            i += m.end()
            continue
        out += re.escape(p[i])
        i += 1
    return re.compile(out + r"\Z")


def unescape(s):
    return bytes(s, "utf-8").decode("unicode_escape", errors="replace")


def traced_paths(trace):
    paths, net = set(), []
    with open(trace, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = CALL_RE.match(line)
            if not m:
                continue
            call, args = m.groups()
            if call in NET_CALLS:
                net.append(line.strip())
                continue
            if call in DATA_CALLS:
                continue
            if call == "execve":
                continue  # the tool itself (and a custom bootloader program: not run here)
            # argv arrays and struct contents hold strings that are no paths
            args = re.sub(r"\[[^\]]*\]", "[]", args)
            args = re.sub(r"\{[^}]*\}", "{}", args)
            # readlink's answer is data, not a path opened
            if call.startswith("readlink"):
                args = args.split('", "')[0] + '"'
            for fd, dpath, name in PATH_ARG_RE.findall(args):
                name = unescape(name)
                if name == "" and fd in ("0", "1", "2"):
                    continue  # a standard stream the caller gave
                if name.startswith("/"):
                    p = name
                elif dpath:
                    p = dpath + ("/" + name if name else "")
                else:
                    continue
                paths.add(os.path.normpath(p))
    return paths, net


def main(doc, runs, ignore):
    pats, env_pats = doc_patterns(doc)
    if not pats or not env_pats:
        print("FAIL docs/interfaces.md: no path or environment table found")
        return 1
    env_re = re.compile(r"\A(?:" + "|".join(re.escape(e).replace(r"\*", ".*") for e in env_pats) + r")\Z")
    bad = 0
    with open(runs, encoding="utf-8") as f:
        for line in f:
            name, trace, envlog, args, devices, targets = line.rstrip("\n").split("\t")
            args = [a for a in args.split("|") if a]
            devices = [d for d in devices.split("|") if d]
            targets = [t for t in targets.split("|") if t]
            regs = [pattern_regex(p, args, devices, targets) for p in pats]
            paths, net = traced_paths(trace)
            n = 0
            bad_before = bad
            for p in sorted(paths):
                if p.startswith(IGNORED_PREFIXES) or p in ignore or \
                        any(i.endswith("/") and p.startswith(i) for i in ignore):
                    continue
                n += 1
                if not any(r.match(p) for r in regs):
                    print("FAIL %s: opened %s, which docs/interfaces.md does not list" % (name, p))
                    bad += 1
            for l in net:
                print("NET %s: %s" % (name, l))
            names = set()
            if envlog and os.path.exists(envlog):
                with open(envlog, encoding="utf-8", errors="replace") as e:
                    names = {x.strip() for x in e if x.strip()}
                for v in sorted(names):
                    if not env_re.match(v):
                        print("FAIL %s: read the environment variable %s, which docs/interfaces.md does not list" % (name, v))
                        bad += 1
            if bad == bad_before:
                print("OK %s: %d paths, %d variables, %d socket calls" % (name, n, len(names), len(net)))
            print("DONE %s" % name)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], set(sys.argv[3:])))
