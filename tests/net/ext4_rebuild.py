# SPDX-License-Identifier: Apache-2.0
"""The file tree of a rebuilt root file system (tests/net/ext4_rebuild.sh).

ext4_rebuild.py DIR FILL_MB old|new writes the tree of release 1 ("old") or
release 2 ("new") into DIR. Release 2 differs as a real update does: 8
libraries changed (the start kept, the rest rebuilt, the size a little
different), 150 files appended to, 20 files deleted, one new file.
Deterministic: every byte follows from the file's name and release.
"""
import os
import random
import sys

root, fill_mb, phase = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(20)  # the layout: names and sizes
# Sizes scale with FILL_MB (90 MiB: libraries of 100 KiB to 2 MiB).
scale = fill_mb / 90


def sized(lo, hi):
    return max(256, int(rng.randrange(lo, hi) * scale))


def binary(seed, size):
    return random.Random(seed).randbytes(size)


def text(seed, size):
    r = random.Random(seed)
    words = [b"alpha", b"beta", b"gamma", b"delta", b"config", b"value", b"path",
             b"usr", b"lib", b"share", b"%d" % r.randrange(1000)]
    out = bytearray()
    while len(out) < size:
        out += b" ".join(r.choice(words) for _ in range(r.randrange(4, 12))) + b"\n"
    return bytes(out[:size])


# (path, size, kind): libraries, programs, then many small data files.
files = []
for i in range(40):
    files.append(("usr/lib/lib%02d.so.1" % i, sized(100 << 10, 2 << 20), "bin"))
for i in range(150):
    files.append(("usr/bin/prog%03d" % i, sized(8 << 10, 300 << 10), "bin"))
budget = (fill_mb << 20) - sum(f[1] for f in files)
i = 0
while budget > 0:
    size = sized(512, 48 << 10)
    files.append(("usr/share/d%02d/f%04d.txt" % (i % 40, i), size, "text"))
    budget -= size
    i += 1

libraries = [f[0] for f in files if f[0].startswith("usr/lib/")]
changed = set(rng.sample(libraries, 8))
appended = set(rng.sample([f[0] for f in files if not f[0].startswith("usr/lib/")], 150))
# Deleted files spread over the whole tree, some early: later files move.
deleted = set(rng.sample([f[0] for f in files if f[0] not in appended], 20))

for path, size, kind in files:
    data = (binary if kind == "bin" else text)(path, size)
    if phase == "new":
        if path in deleted:
            continue
        if path in changed:
            keep = size * 3 // 10
            data = data[:keep] + binary(path + " v2", size + size // 20 - keep)
        if path in appended:
            data += text(path + " appended", 100 + int(len(path) * 97 % 8000 * scale))
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)
if phase == "new":
    os.makedirs(os.path.join(root, "opt"), exist_ok=True)
    with open(os.path.join(root, "opt/new-feature.bin"), "wb") as f:
        f.write(binary("new feature", int((512 << 10) * scale) // 4096 * 4096 + 100))
