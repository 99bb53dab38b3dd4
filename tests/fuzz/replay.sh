#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Replays inputs through the harnesses built with replay_main.c:
#   replay.sh BIN [DIR...]
# BIN holds fuzz_<target>; every file of tests/fuzz/regressions/<target>/
# (past crashes: each must now run cleanly) and of DIR/<target>/ (e.g. the
# fixture seeds, which must satisfy every harness property) is run once.
set -eu
BIN=$1
shift
HERE=$(cd "$(dirname "$0")" && pwd)
n=0
for top in "$HERE/regressions" "$@"; do
	for dir in "$top"/*/; do
		[ -d "$dir" ] || continue
		target=$(basename "$dir")
		set -- "$dir"*
		[ -e "$1" ] || continue
		if [ ! -x "$BIN/fuzz_$target" ]; then
			echo "replay: no harness $BIN/fuzz_$target for $dir" >&2
			exit 1
		fi
		for f in "$@"; do
			case "$f" in *.md) continue ;; esac
			"$BIN/fuzz_$target" "$f" || { echo "replay: $target: $f FAILED" >&2; exit 1; }
			n=$((n + 1))
		done
	done
done
echo "fuzz harnesses: $n input(s) replayed (regressions + fixture seeds), all clean"
