#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make valgrind`: the unit tests and the CLI tests under valgrind memcheck.
#   BUILD     absolute build directory (the normal, unsanitized build)
#   VG_DIR    work directory (wrappers, logs)
#   VALGRIND  memcheck command for the unit tests
#   FWS_WRAP  prefix put in front of every fwseal binary the CLI tests run
#   UNIT_FILTER  optional Criterion --filter (the full suite takes hours)
# The CLI tests run unchanged: BUILD points them at VG_DIR/bin, where
# fwseal, fwseal-keys and fwseal-verify are wrapper scripts that exec
# "$FWS_WRAP $BUILD/<tool>" (other files are symlinks to BUILD). Each
# process logs to its own file; the target fails on any memcheck error or
# definite/indirect leak, or on any failed test.
set -u
: "${BUILD:?}" "${VG_DIR:?}" "${VALGRIND:?}" "${FWS_WRAP:?}"
rm -rf "$VG_DIR"
mkdir -p "$VG_DIR/logs" "$VG_DIR/bin" "$VG_DIR/unit-logs"
status=0

echo "== unit tests under valgrind (Criterion --jobs 1, children traced)"
(cd "$(dirname "$0")" && $VALGRIND -q --trace-children=yes \
	--log-file="$VG_DIR/unit-logs/vg.%p.log" "$BUILD/test_unit" --jobs 1 \
	${UNIT_FILTER:+--filter "$UNIT_FILTER"}) ||
	{ echo "valgrind: unit tests failed (exit $?)"; status=1; }

echo "== CLI tests under valgrind ($FWS_WRAP)"
for f in "$BUILD"/*; do
	ln -s "$f" "$VG_DIR/bin/$(basename "$f")"
done
for tool in fwseal fwseal-keys fwseal-verify; do
	rm -f "$VG_DIR/bin/$tool"
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$FWS_WRAP" "$BUILD/$tool" >"$VG_DIR/bin/$tool"
	chmod +x "$VG_DIR/bin/$tool"
done
BUILD="$VG_DIR/bin" bash "$(dirname "$0")/cli/run.sh" "$@" >"$VG_DIR/cli.log" 2>&1 ||
	{ echo "valgrind: CLI tests failed: $(tail -n 1 "$VG_DIR/cli.log") (see $VG_DIR/cli.log)"; status=1; }
grep -E '^[0-9]+ passed' "$VG_DIR/cli.log" | sed 's/^/CLI: /'

# memcheck's verdict, process by process (-q: a log is empty when clean).
bad=0
for log in "$VG_DIR"/unit-logs/*.log "$VG_DIR"/logs/*.log; do
	[ -s "$log" ] || continue
	if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write|free)|uninitialised|Mismatched free' "$log"; then
		bad=$((bad + 1))
		[ $bad -le 5 ] && { echo "--- $log"; head -n 40 "$log"; }
	fi
done
n_unit=$(ls "$VG_DIR"/unit-logs | wc -l)
n_cli=$(ls "$VG_DIR"/logs | wc -l)
echo "valgrind: $n_unit unit-test process(es), $n_cli CLI process(es) checked, $bad with errors"
[ $bad -eq 0 ] || status=1
exit $status
