#!/usr/bin/env bash
# CLI integration tests: runs every tests/cli/test_*.sh, each in a fresh
# temporary directory (removed afterwards), and reports TAP-style lines
# "ok N - FILE: CHECK" / "not ok N - FILE: CHECK", then the summary line
# "N passed, M failed". Exits non-zero if anything failed.
#
#   BUILD=$PWD/build bash tests/cli/run.sh              # what `make check` runs
#   BUILD=$PWD/build bash tests/cli/run.sh usage device # only test_usage.sh, test_device.sh
#   KEEP=1 ...                                          # keep the temp dirs
# Needs: bash, python3 (standard library), coreutils, tar, gzip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${BUILD:?set BUILD to the absolute path of the build directory}"
case "$BUILD" in
/*) ;;
*) BUILD=$(cd "$BUILD" && pwd) ;;
esac
export BUILD

for tool in fwseal fwseal-keys fwseal-verify; do
	if [ ! -x "$BUILD/$tool" ]; then
		echo "run.sh: $BUILD/$tool missing: run make first" >&2
		exit 1
	fi
done
if ! command -v python3 >/dev/null 2>&1; then
	echo "run.sh: python3 is required by the CLI tests (tests/deps.sh installs it)" >&2
	exit 1
fi

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t#test_}
		t=${t%.sh}
		tests+=("$HERE/test_$t.sh")
	done
else
	tests=("$HERE"/test_*.sh)
fi

n=0
passed=0
failed=0
start_all=$(date +%s)
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if [ ! -f "$t" ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name: no such test file"
		continue
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-cli-$name.XXXXXX") || exit 1
	log=$work.log
	start=$(date +%s)
	(cd "$work" && exec bash "$t") >"$log" 2>&1
	status=$?
	secs=$(($(date +%s) - start))
	results=0
	diag_on=0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*)
			n=$((n + 1)) passed=$((passed + 1)) results=$((results + 1)) diag_on=0
			echo "ok $n - $name: ${line#ok - }"
			;;
		"not ok - "*)
			n=$((n + 1)) failed=$((failed + 1)) results=$((results + 1)) diag_on=1
			echo "not ok $n - $name: ${line#not ok - }"
			;;
		"#"*)
			# Diagnostics are shown for failures only.
			[ $diag_on -eq 1 ] && echo "$line"
			;;
		*)
			# Stray output (a test's own command leaking): shown with failures.
			[ $diag_on -eq 1 ] && echo "#   | $line"
			;;
		esac
	done <"$log"
	# A file ends with `finish` (exit 0); exit 1 is its last check failing
	# (already reported); anything else (die = 99, a syntax error, a
	# signal) means the file stopped early.
	if [ $status -gt 1 ] || [ $results -eq 0 ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name: the test script itself failed (exit status $status, $results checks)"
		tail -n 15 "$log" | sed 's/^/#   | /'
	fi
	echo "# $name: ${secs}s"
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $work ($log)"
	else
		rm -rf "$work" "$log"
	fi
done
echo "# total: $(($(date +%s) - start_all))s"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
