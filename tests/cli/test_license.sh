#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Licence evidence: LICENSE is the Apache License 2.0, and every source
# file git tracks (C, shell, Python, the Makefiles) names it with an
# SPDX-License-Identifier line in its first two lines (after a #! line).
# Test vectors and fuzz regressions are data, not source.
# req: REQ-PKG-009
. "$(dirname "$0")/lib.sh"

check "LICENSE is the Apache License, Version 2.0" \
	bash -c 'grep -q "Apache License" "$0" && grep -q "Version 2.0, January 2004" "$0"' \
	"$SRC_DIR/LICENSE"
if git -C "$SRC_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$SRC_DIR" ls-files >files.txt
else
	(cd "$SRC_DIR" && find . -type f ! -path './.git/*' ! -path './build*' | sed 's|^\./||') >files.txt
fi
missing=()
n=0
while IFS= read -r f; do
	case "$f" in tests/vectors/* | tests/fuzz/regressions/*) continue ;; esac
	case "$f" in
	*.c | *.h | *.sh | *.py | Makefile | */Makefile | .ci/run | packaging/debian/rules) ;;
	*) continue ;;
	esac
	[ -f "$SRC_DIR/$f" ] || continue
	n=$((n + 1))
	head -n 2 "$SRC_DIR/$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || missing+=("$f")
done <files.txt
check "at least 250 source files checked ($n)" test "$n" -ge 250
check "every source file names its licence (SPDX-License-Identifier: Apache-2.0)" \
	test "${#missing[@]}" -eq 0
[ "${#missing[@]}" -eq 0 ] || printf '#   no SPDX line: %s\n' "${missing[@]}"
finish
