# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# ext4_pair DIR SIZE_MB: two ext4 images as a release build makes them,
# DIR/old.img and DIR/new.img (mke2fs -d from a directory tree), where new
# differs from old in one file of 256 KiB rewritten in place. The build is
# pinned (UUID, hash seed, mkfs time) so that only what changed differs;
# docs/delta.md says why each pin matters. Used by tests/cli/test_delta.sh
# and tools/bench.sh.
ext4_pair() {
	local dir=$1 mb=$2
	mkdir -p "$dir/tree" || return 1
	python3 - "$dir/tree" <<'PY' || return 1
import hashlib, os, sys
root = sys.argv[1]
# 48 files, 64 KiB to 1 MiB, half compressible text, half random-looking.
for i in range(48):
    d = os.path.join(root, "d%d" % (i % 6))
    os.makedirs(d, exist_ok=True)
    size = 65536 * (1 + (i * 7) % 16)
    seed = b"file-%d" % i
    out = bytearray()
    n = 0
    while len(out) < size:
        block = hashlib.sha512(seed + n.to_bytes(8, "big")).digest()
        out += block if i % 2 else (b"line %08d of file %d\n" % (n, i)) * 2
        n += 1
    open(os.path.join(d, "f%02d.bin" % i), "wb").write(out[:size])
def noise(seed, size):  # bytes no compressor shrinks
    return b"".join(hashlib.sha512(seed + i.to_bytes(8, "big")).digest()
                    for i in range(size // 64))
open(os.path.join(root, "app"), "wb").write(noise(b"app v1", 262144))
PY
	_ext4_build "$dir/tree" "$dir/old.img" "$mb" || return 1
	# One file changed: the application, rewritten with new bytes, same size.
	python3 -c 'import hashlib, sys
open(sys.argv[1], "r+b").write(b"".join(hashlib.sha512(b"app v2" + i.to_bytes(8, "big")).digest()
                                         for i in range(4096)))' "$dir/tree/app" || return 1
	_ext4_build "$dir/tree" "$dir/new.img" "$mb"
}

_ext4_build() {
	local tree=$1 img=$2 mb=$3
	find "$tree" -exec touch -h -d @1700000000 {} + || return 1
	rm -f "$img"
	E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext4 -b 4096 -L fwseal-root \
		-U 3d6c1e5a-2f9b-4c1d-9e8f-0123456789ab \
		-E hash_seed=9b1f0c2e-7a4d-4e3b-8c5a-fedcba987654,root_owner=0:0,nodiscard \
		-d "$tree" "$img" "${mb}M" >/dev/null 2>&1
}

# changed_chunk_bytes OLD NEW CHUNK: bytes of NEW in chunks (at multiples
# of CHUNK) whose content is nowhere in OLD at such a boundary: what any
# chunk-level delta must transfer, computed independently of fwseal.
changed_chunk_bytes() {
	python3 - "$1" "$2" "$3" <<'PY'
import hashlib, sys
old, new, cs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def chunks(path):
    with open(path, "rb") as f:
        while True:
            b = f.read(cs)
            if not b:
                return
            yield b
have = {hashlib.sha256(b).digest() for b in chunks(old)}
print(sum(len(b) for b in chunks(new) if hashlib.sha256(b).digest() not in have))
PY
}

# disk_conf DIR HW SLOT_MB: the system.conf of a device whose two rootfs
# slots (SLOT_MB MiB each, at 1 MiB and at SLOT_MB + 2 MiB) are regions of
# DIR/disk.img, bootloader simulated, plain http allowed (127.0.0.1 only).
disk_conf() {
	cat <<EOC
[system]
hardware-id = $2
trusted-root = $1/etc/root.json
state-dir = $1/state
bootloader = dir
[network]
allow-http = true
[slot.rootfs.a]
class = rootfs
device = $1/disk.img
offset = 1M
size = $3M
bootname = A
[slot.rootfs.b]
class = rootfs
device = $1/disk.img
offset = $(($3 + 2))M
size = $3M
bootname = B
EOC
}
