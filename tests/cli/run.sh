#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CLI integration tests: runs tests/cli/test_*.sh (`make check`) or
# tests/cli/long_*.sh (--long: big images, mutation loops, VMs, servers;
# `make check-long`), JOBS at a time (default: the number of cores), each
# in a fresh temporary directory (removed afterwards). Reports, in file
# order, TAP-style lines "ok N - FILE: CHECK" / "not ok N - FILE: CHECK",
# then the summary line "N passed, M failed[, K SKIPPED]". A check this
# machine cannot run says "ok - CHECK # SKIP REASON": counted apart and
# listed at the end, never as passed. Exits non-zero if anything failed.
#
#   BUILD=$PWD/build bash tests/cli/run.sh              # what `make check` runs
#   BUILD=$PWD/build bash tests/cli/run.sh --long       # what `make check-long` runs
#   BUILD=$PWD/build bash tests/cli/run.sh usage device # only test_usage.sh, test_device.sh
#   KEEP=1 ...  keep the temp dirs      JOBS=1 ...  one file at a time
# Beside that output, each file's results go to $BUILD/test-results/cli/
# FILE.tsv (a "#" line with the file, date and exit status, then one line per
# check: LINE TAB ok|not ok|skip TAB CHECK, LINE = the line of the test file
# whose top-level command ran the check, 0 when unknown), which
# `make traceability` reads (tests/traceability.py).
# Needs: bash, python3 (standard library), coreutils, tar, gzip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${BUILD:?set BUILD to the absolute path of the build directory}"
case "$BUILD" in
/*) ;;
*) BUILD=$(cd "$BUILD" && pwd) ;;
esac
export BUILD
# One more than the cores: the network tests spend most of their time
# waiting (stalls, servers), and the others fill that time.
JOBS=${JOBS:-$(($(nproc 2>/dev/null || echo 2) + 1))}

for tool in fwseal fwseal-keys fwseal-verify; do
	if [ ! -x "$BUILD/$tool" ]; then
		echo "run.sh: $BUILD/$tool missing: run make first" >&2
		exit 1
	fi
done
# The python3 the tests run is Debian's, the one whose modules the deps step
# installs (python3-cryptography, ...): a python3 earlier on PATH (pyenv, a
# virtualenv) would not see them.
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	pybin=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-python.XXXXXX") || exit 1
	ln -s /usr/bin/python3 "$pybin/python3"
	PATH=$pybin:$PATH
	export PATH
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "run.sh: python3 is required by the CLI tests (tests/deps.sh installs it)" >&2
	exit 1
fi

prefix=test
if [ "${1:-}" = --long ]; then
	prefix=long
	shift
fi
tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t#test_}
		t=${t#long_}
		t=${t%.sh}
		if [ -f "$HERE/long_$t.sh" ]; then tests+=("$HERE/long_$t.sh"); else tests+=("$HERE/test_$t.sh"); fi
	done
else
	# The longest files first, so that none starts last and runs alone.
	for t in net delta attacks_archive attacks_committed corpus_extra lifecycle messages \
		hostile_fs; do
		[ -f "$HERE/${prefix}_$t.sh" ] && tests+=("$HERE/${prefix}_$t.sh")
	done
	for t in "$HERE"/"$prefix"_*.sh; do
		case " ${tests[*]} " in *" $t "*) ;; *) tests+=("$t") ;; esac
	done
fi

runs=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-cli-runs.XXXXXX") || exit 1
trap 'rm -rf "$runs" ${pybin:+"$pybin"}' EXIT

# One test file: its output, its status and its time into $runs/INDEX.*
run_one() {
	local i=$1 t=$2 name work start
	name=$(basename "$t" .sh)
	work=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-cli-$name.XXXXXX") || return 1
	start=$(date +%s)
	if [ -f "$t" ]; then
		(cd "$work" && FWSEAL_CHECK_LOG="$runs/$i.checks" exec bash "$t") >"$runs/$i.log" 2>&1
		echo $? >"$runs/$i.status"
	else
		echo "no such test file" >"$runs/$i.log"
		echo 127 >"$runs/$i.status"
	fi
	echo $(($(date +%s) - start)) >"$runs/$i.secs"
	if [ "${KEEP:-0}" = 1 ]; then
		cp "$runs/$i.log" "$work.log" && echo "$work" >"$runs/$i.work"
	else
		rm -rf "$work"
	fi
}

start_all=$(date +%s)
running=0
for i in "${!tests[@]}"; do
	run_one "$i" "${tests[$i]}" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

results_dir=$BUILD/test-results/cli
mkdir -p "$results_dir" || exit 1
# result_line RESULT DESCRIPTION: one row of the file's results, with the
# line lib.sh recorded for the same result in the same order (0 if none;
# a few records may be passed over: a check whose output the test itself
# swallowed was recorded but not reported).
result_line() {
	local line=0 j
	for ((j = ci; j < ci + 8 && j < ${#check_lines[@]}; j++)); do
		if [ "${check_lines[$j]#*$'\t'}" = "$1"$'\t'"${2//$'\n'/ }" ]; then
			line=${check_lines[$j]%%$'\t'*}
			ci=$((j + 1))
			break
		fi
	done
	printf '%s\t%s\t%s\n' "$line" "$1" "$2" >>"$rfile"
}

n=0
passed=0
failed=0
skipped=0
skips=()
for i in "${!tests[@]}"; do
	name=$(basename "${tests[$i]}" .sh)
	status=$(cat "$runs/$i.status")
	results=0
	diag_on=0
	rfile=$results_dir/$name.tsv.part
	printf '# %s\t%s\t%s\n' "$name.sh" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$status" >"$rfile"
	check_lines=()
	[ -f "$runs/$i.checks" ] && mapfile -t check_lines <"$runs/$i.checks"
	ci=0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*"# SKIP"*)
			# A check this machine cannot run: counted and listed, never a pass.
			n=$((n + 1)) skipped=$((skipped + 1)) results=$((results + 1)) diag_on=0
			echo "ok $n - $name: ${line#ok - }"
			skips+=("$name: ${line#ok - }")
			result_line skip "${line#ok - }"
			;;
		"ok - "*)
			n=$((n + 1)) passed=$((passed + 1)) results=$((results + 1)) diag_on=0
			echo "ok $n - $name: ${line#ok - }"
			result_line ok "${line#ok - }"
			;;
		"not ok - "*)
			n=$((n + 1)) failed=$((failed + 1)) results=$((results + 1)) diag_on=1
			echo "not ok $n - $name: ${line#not ok - }"
			result_line "not ok" "${line#not ok - }"
			;;
		"# note: "* | "# SKIPPED"*)
			echo "$line"
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
	done <"$runs/$i.log"
	# A file ends with `finish` (exit 0); exit 1 is its last check failing
	# (already reported); anything else (die = 99, a syntax error, a
	# signal) means the file stopped early.
	if [ "$status" -gt 1 ] || [ $results -eq 0 ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name: the test script itself failed (exit status $status, $results checks)"
		printf '0\tnot ok\tthe test script itself failed (exit status %s)\n' "$status" >>"$rfile"
		tail -n 15 "$runs/$i.log" | sed 's/^/#   | /'
	fi
	mv -f "$rfile" "$results_dir/$name.tsv"
	echo "# $name: $(cat "$runs/$i.secs")s"
	[ -f "$runs/$i.work" ] && echo "# kept $(cat "$runs/$i.work") ($(cat "$runs/$i.work").log)"
done
echo "# total: $(($(date +%s) - start_all))s ($JOBS at a time)"
for s in "${skips[@]}"; do
	echo "# SKIPPED on this machine: $s"
done
echo "$passed passed, $failed failed$([ $skipped -gt 0 ] && echo ", $skipped SKIPPED")"
[ $failed -eq 0 ]
