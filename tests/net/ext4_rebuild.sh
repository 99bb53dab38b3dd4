# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# ext4_rebuilt_pair DIR SIZE_MB FILL_MB: two ext4 images of SIZE_MB MiB as
# a Yocto or Buildroot release build makes them, each from scratch with
# mke2fs -d and pinned like tests/net/ext4_pair.sh (UUID, hash seed, mkfs
# time, file times): DIR/old.img and DIR/new.img, whose trees
# (tests/net/ext4_rebuild.py, about FILL_MB MiB of files) differ as a real
# update does: 8 libraries changed, 150 files appended to, 20 files
# deleted, one new file. The deletions free blocks early in the image, so
# every later file lands elsewhere by multiples of 4 KiB. Deterministic.
# Used by tests/cli/long_delta_ext4.sh, tests/cli/test_delta_blocks.sh and
# tests/bench_delta.sh.
. "$(dirname "${BASH_SOURCE[0]}")/ext4_pair.sh"

ext4_rebuilt_pair() {
	local dir=$1 mb=$2 fill=$3 phase
	local gen
	gen="$(dirname "${BASH_SOURCE[0]}")/ext4_rebuild.py"
	for phase in old new; do
		rm -rf "$dir/tree" && mkdir -p "$dir/tree" || return 1
		python3 "$gen" "$dir/tree" "$fill" "$phase" || return 1
		_ext4_build "$dir/tree" "$dir/$phase.img" "$mb" || return 1
	done
	rm -rf "$dir/tree"
}

# block_need OLD NEW: bytes of NEW in 4 KiB blocks (at multiples of 4096)
# that are nowhere in OLD at such a boundary: what 4 KiB-granular reuse
# must fetch, computed independently of fwseal (issue 20's oracle).
block_need() {
	python3 - "$1" "$2" <<'PY'
import sys
def blocks(path):
    with open(path, "rb") as f:
        while True:
            b = f.read(4096)
            if not b:
                return
            yield b
have = set(blocks(sys.argv[1]))
print(sum(len(b) for b in blocks(sys.argv[2]) if b not in have))
PY
}
