# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the CLI integration tests (sourced by tests/cli/test_*.sh).
#
# run.sh starts every test file in a fresh, empty temp directory (its working
# directory) with BUILD set to the absolute build directory. A test file
# prints one line per check, "ok - DESCRIPTION" or "not ok - DESCRIPTION",
# followed by "# ..." diagnostic lines; run.sh numbers and counts them. A
# setup step that fails calls die, which ends the file (reported as a
# failure by run.sh).
#
# Requirements: a comment `# req: REQ-GROUP-NNN` names the requirements of
# docs/requirements.md a file (in its leading comment block) or a section
# (from the tag to the next `# ----` header) evidences; `make traceability`
# maps the results recorded below to them (tests/traceability.py).
#
# Naming a check: prefix the call with T="what is being attacked", e.g.
#   T="bundle signed by an unknown key" expect_exit 11 "$FWSEAL" verify ...
# (bash keeps T only for that one call). Without T the command line is used.

set -u
: "${BUILD:?BUILD must name the build directory (absolute path)}"

TESTS_CLI=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_DIR=$(dirname "$TESTS_CLI")
SRC_DIR=$(dirname "$TESTS_DIR")
FWSEAL=$BUILD/fwseal
FWKEYS=$BUILD/fwseal-keys
FWVERIFY=$BUILD/fwseal-verify
MAKE_VECTORS=$TESTS_DIR/make_vectors.py

# Deterministic and non-interactive: the passphrase comes from the
# environment (as in CI), the time from SOURCE_DATE_EPOCH (2023-11-14).
export FWSEAL_PASSPHRASE=fwseal-test-passphrase
export SOURCE_DATE_EPOCH=1700000000
export LC_ALL=C
export TZ=UTC
unset FWSEAL_DEBUG 2>/dev/null || true

# Output of the last expect_* command.
T_DIR=$PWD/.t
mkdir -p "$T_DIR"
LAST_OUT=$T_DIR/stdout
LAST_ERR=$T_DIR/stderr

die() {
	echo "# SETUP FAILED: $*"
	exit 99
}

# Every test file ends with this: its checks reported, the file itself passed.
finish() { exit 0; }

# Each result is also recorded, with the line of the test file whose
# top-level command produced it, in $FWSEAL_CHECK_LOG when run.sh sets it
# (LINE TAB RESULT TAB DESCRIPTION): tests/traceability.py maps results to
# the `# req:` tags by that line (docs/requirements.md).
_record() {
	[ -n "${FWSEAL_CHECK_LOG:-}" ] || return 0
	local n=${#BASH_LINENO[@]} line=0
	[ "$n" -ge 2 ] && line=${BASH_LINENO[$((n - 2))]}
	# (A check run as another user, test_unprivileged.sh, may not write it:
	# run.sh then files that result under the whole test file.)
	printf '%s\t%s\t%s\n' "$line" "$1" "${2//$'\n'/ }" 2>/dev/null >>"$FWSEAL_CHECK_LOG" || true
}

ok() {
	echo "ok - $*"
	case "$*" in
	*"# SKIP"*) _record skip "$*" ;;
	*) _record ok "$*" ;;
	esac
}
# A check this machine cannot run: counted as SKIPPED by run.sh, never passed.
skip() { ok "$1 # SKIP $2"; }

# not_ok DESCRIPTION [DIAGNOSTIC...]: one failure with its reasons.
not_ok() {
	echo "not ok - $1"
	_record "not ok" "$1"
	shift
	local l
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# The description of a check: $T, else the command line with short names.
_desc() {
	if [ -n "${T:-}" ]; then
		printf '%s' "$T"
	else
		local s="" a
		for a in "$@"; do
			case "$a" in
			"$BUILD"/*) a=${a#"$BUILD"/} ;;
			"$PWD"/*) a=${a#"$PWD"/} ;;
			esac
			s="$s $a"
		done
		printf '%s' "${s# }"
	fi
}

_show_file() {
	# The first lines of a captured stream, for diagnostics.
	if [ -s "$2" ]; then
		echo "$1:"
		head -c 2000 "$2" | head -n 8
	else
		echo "$1: (empty)"
	fi
}

# expect_exit STATUS CMD...: runs CMD (stdin inherited), asserts its exit
# status; when STATUS is not 0, asserts that stderr is exactly one line
# starting with "PROGRAM: " (PROGRAM = basename of CMD). stdout and stderr
# stay in $LAST_OUT and $LAST_ERR. Returns 0 when the check passed.
expect_exit() {
	local want=$1
	shift
	local desc prog got problems=""
	desc=$(_desc "$@")
	prog=$(basename "$1")
	[ "$prog" = timeout ] && prog=$(basename "$3") # expect_exit S timeout 20 CMD...
	"$@" >"$LAST_OUT" 2>"$LAST_ERR"
	got=$?
	[ "$got" -eq "$want" ] || problems="exit status $got, expected $want"
	if [ "$want" -ne 0 ]; then
		local lines
		lines=$(wc -l <"$LAST_ERR")
		if [ "$lines" -ne 1 ] || [ -n "$(tail -c 1 "$LAST_ERR")" ]; then
			problems="${problems:+$problems; }stderr has $lines lines, expected exactly one"
		elif ! head -n 1 "$LAST_ERR" | grep -q "^$prog: "; then
			problems="${problems:+$problems; }stderr does not start with '$prog: '"
		fi
	fi
	if [ -z "$problems" ]; then
		ok "$desc (exit $want)"
		return 0
	fi
	not_ok "$desc" "$problems" "$(_show_file stderr "$LAST_ERR")" "$(_show_file stdout "$LAST_OUT")"
	return 1
}

# expect_refused CMD...: exit status not 0, exactly one stderr line naming the
# program (for refusals whose exact status is not what the check is about).
expect_refused() {
	local desc got lines
	desc=$(_desc "$@")
	"$@" >"$LAST_OUT" 2>"$LAST_ERR"
	got=$?
	lines=$(wc -l <"$LAST_ERR")
	if [ $got -ne 0 ] && [ "$lines" -eq 1 ] && grep -q "^$(basename "$1"): " "$LAST_ERR"; then
		ok "$desc (refused, exit $got)"
		return 0
	fi
	not_ok "$desc" "exit status $got (expected non-zero), $lines stderr lines" \
		"$(_show_file stderr "$LAST_ERR")"
	return 1
}

# state_set DIR KEY VALUE: rewrites one line of DIR/state and its checksum
# (a state that decodes, but says something else).
state_set() {
	python3 - "$1/state" "$2" "$3" <<'PYEOF' || die "state_set $*"
import hashlib, sys
path, key, value = sys.argv[1:]
lines = [l for l in open(path).read().splitlines() if not l.startswith("sha256 ")]
lines = [key + " " + value if l.split(" ", 1)[0] == key else l for l in lines]
body = "\n".join(lines) + "\n"
open(path, "w").write(body + "sha256 " + hashlib.sha256(body.encode()).hexdigest() + "\n")
PYEOF
}

# expect_ok CMD...: exit 0 and nothing on stderr.
expect_ok() {
	local desc
	desc=$(_desc "$@")
	"$@" >"$LAST_OUT" 2>"$LAST_ERR"
	local got=$?
	if [ "$got" -eq 0 ] && [ ! -s "$LAST_ERR" ]; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc" "exit status $got (expected 0, and an empty stderr)" \
		"$(_show_file stderr "$LAST_ERR")" "$(_show_file stdout "$LAST_OUT")"
	return 1
}

# check DESCRIPTION CMD...: CMD is a predicate (test, cmp, grep -q, ...).
check() {
	local desc=$1
	shift
	local out
	if out=$("$@" 2>&1); then
		ok "$desc"
		return 0
	fi
	not_ok "$desc" "failed: $(_desc "$@")" "$out"
	return 1
}

# ---- setup helpers (die on failure: a broken setup is not a test result) ----

# make_key NAME: NAME.key (0600) + NAME.pub, cheap Argon2id parameters.
make_key() {
	"$FWKEYS" generate --out "$1" --kdf interactive >"$T_DIR/setup.log" 2>&1 ||
		die "fwseal-keys generate $1: $(cat "$T_DIR/setup.log")"
}

# make_root OUT ROOTKEY RELEASEKEY... [-- EXTRA root init options]:
# a version-1 root signed by ROOTKEY (base names, without .key/.pub),
# expiring in 100 years unless the extra options say otherwise.
make_root() {
	local out=$1 rk=$2
	shift 2
	local args=(--root-key "$rk.pub" --sign "$rk.key" --out "$out")
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		args+=(--release-key "$1.pub")
		shift
	done
	[ $# -gt 0 ] && shift
	case " $* " in *" --expires "*) ;; *) args+=(--expires 36500) ;; esac
	"$FWKEYS" root init "${args[@]}" "$@" >"$T_DIR/setup.log" 2>&1 ||
		die "fwseal-keys root init $out: $(cat "$T_DIR/setup.log")"
}

# make_payload FILE SIZE [SEED]: SIZE deterministic pseudo-random bytes.
make_payload() {
	python3 - "$1" "$2" "${3:-$1}" <<'EOF' || die "make_payload $1"
import hashlib, sys
path, size, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
with open(path, "wb") as f:
    block, i = b"", 0
    while size > 0:
        block = hashlib.sha512(seed + i.to_bytes(8, "big")).digest() * 64
        f.write(block[:size])
        size -= min(size, len(block))
        i += 1
EOF
}

# make_release OUT VERSION SECURITY_VERSION HARDWARE PAYLOAD...
# PAYLOAD = name:file:target[:chunk_size]. HARDWARE may be "a,b".
make_release() {
	local out=$1 version=$2 sv=$3 hw=$4
	shift 4
	python3 - "$out" "$version" "$sv" "$hw" "$@" <<'EOF' || die "make_release $out"
import json, sys
out, version, sv, hw = sys.argv[1:5]
payloads = []
for spec in sys.argv[5:]:
    parts = spec.split(":")
    p = {"name": parts[0], "file": parts[1], "target": parts[2]}
    if len(parts) > 3:
        p["chunk_size"] = int(parts[3])
    payloads.append(p)
doc = {"product": "test-pump", "version": version, "security_version": int(sv),
       "hardware": hw.split(","), "payloads": payloads}
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
EOF
}

# pack OUT RELEASE KEY ROOT [more fwseal pack options]
pack() {
	local out=$1 rel=$2 key=$3 root=$4
	shift 4
	"$FWSEAL" pack --manifest "$rel" --key "$key.key" --root "$root" --out "$out" "$@" \
		>"$T_DIR/setup.log" 2>&1 || die "fwseal pack $out: $(cat "$T_DIR/setup.log")"
}

# std_setup: the common world of most tests, in the current directory:
#   keys rootk (root role) and rel (release role), root.json,
#   a.bin (300000 bytes, 64 KiB chunks -> 5 chunks), b.bin (5000 bytes),
#   v1.json (1.0.0, security_version 1, hardware hw-a) and v1.fwb (packed),
#   v1.fwb.gz (the same, --gzip).
std_setup() {
	make_key rootk
	make_key rel
	make_root root.json rootk rel
	make_payload a.bin 300000
	make_payload b.bin 5000
	make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
	pack v1.fwb v1.json rel root.json
	pack v1.fwb.gz v1.json rel root.json --gzip
}

# device_init DIR [HARDWARE]
device_init() {
	"$FWVERIFY" init --device "$1" --root root.json --hardware "${2:-hw-a}" \
		>"$T_DIR/setup.log" 2>&1 || die "fwseal-verify init $1: $(cat "$T_DIR/setup.log")"
}

# install_confirm DIR BUNDLE [install options...]: the full update life
# cycle as one setup step: install (the inactive slot becomes pending), boot
# it, confirm it (mark-good raises the stored security_version).
install_confirm() {
	local dir=$1
	shift
	{
		"$FWVERIFY" install --device "$dir" "$@" &&
			"$FWVERIFY" boot --device "$dir" &&
			"$FWVERIFY" mark-good --device "$dir"
	} >"$T_DIR/setup.log" 2>&1 || die "install+boot+mark-good $*: $(cat "$T_DIR/setup.log")"
}

# status_is DESCRIPTION DIR PYTHON-EXPRESSION: a check that
# `fwseal-verify status --device DIR --json` succeeds and the expression over
# d (the parsed object) is true, e.g.
#   status_is "1.0.0 pending in b" dev 'd["slots"]["b"]["version"] == "1.0.0"'
status_is() {
	local desc=$1 dir=$2 expr=$3 got
	"$FWVERIFY" status --device "$dir" --json >"$T_DIR/status.json" 2>"$T_DIR/status.err"
	got=$?
	if [ $got -ne 0 ]; then
		not_ok "$desc" "status --json exit status $got" "$(_show_file stderr "$T_DIR/status.err")"
		return 1
	fi
	check "$desc" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert eval(sys.argv[2]), d' "$T_DIR/status.json" "$expr"
}

# hold_lock DIR: a background process holds DIR/lock (flock, util-linux) as
# another fwseal-verify would; release_lock ends it. The holder is one
# process (the subshell execs sleep with the locked descriptor), so killing
# it really releases the lock.
hold_lock() {
	rm -f "$T_DIR/locked"
	(exec 9>>"$1/lock" && flock -x 9 && touch "$T_DIR/locked" && exec sleep 30) &
	LOCK_HOLDER=$!
	local i
	for i in $(seq 100); do
		[ -e "$T_DIR/locked" ] && return 0
		sleep 0.05
	done
	die "could not take $1/lock"
}
release_lock() {
	kill "$LOCK_HOLDER" 2>/dev/null
	wait "$LOCK_HOLDER" 2>/dev/null
	flock -n "$1/lock" true || die "$1/lock still held after release_lock"
}

# ab_disk_slots: the slot sections of a configured test device (rootfs
# and kernel of sets A and B in one disk image, $PWD/disk.img), for a
# system.conf written by the test (test_sysconf, test_sets,
# test_device_files); test_sysconf's messages name these line numbers.
ab_disk_slots() {
	cat <<EOC
[slot.rootfs.0]
class = rootfs
device = $PWD/disk.img
offset = 1M
size = 1M
bootname = A

[slot.rootfs.1]
class = rootfs
device = $PWD/disk.img
offset = 2M
size = 1M
bootname = B

[slot.kernel.0]
class = kernel
device = $PWD/disk.img
offset = 3M
size = 64K
bootname = A

[slot.kernel.1]
class = kernel
device = $PWD/disk.img
offset = 0x340000
size = 64K
bootname = B
EOC
}

# snapshot DIR: a fingerprint of everything an install may change: every
# file under the slots (names and contents), the state file, the trusted
# root and the simulated bootloader's variables, byte for byte, and any
# hidden staging or temporary name left in DIR.
snapshot() {
	(
		cd "$1" || exit 1
		find a b -print | LC_ALL=C sort
		find a b -type f -exec sha256sum {} + | LC_ALL=C sort -k 2
		sha256sum state root.json bootenv
		find . -maxdepth 1 -name '.*' ! -name . -print | LC_ALL=C sort
	)
}

# quick_print DIR: every name below DIR (the audit log aside: a refusal is
# recorded) with its type, size, mode, inode and, for files, modification
# time (nanoseconds): any write, replace, create or removal shows, at the
# cost of two processes, for loops over hundreds of cases (the full
# snapshot is still compared once around the loop).
quick_print() {
	find "$1" -mindepth 1 ! -name log ! -name log.head \( \( -type d -printf '%P d %m %i\n' \) \
		-o -printf '%P %y %s %m %i %T@\n' \) | LC_ALL=C sort
}

# snapshot_all DIR: snapshot plus the audit log and its head (for operations
# that must not even be recorded, e.g. on a corrupt state).
snapshot_all() {
	snapshot "$1"
	(cd "$1" && sha256sum log log.head)
}

# entry_get BUNDLE NAME > DATA ; entry_set BUNDLE NAME DATA OUT:
# read / replace one tar entry's data (headers rewritten with the right size
# and checksum), via tests/make_vectors.py.
entry_get() { python3 "$MAKE_VECTORS" get-entry "$1" "$2"; }
entry_set() {
	python3 "$MAKE_VECTORS" set-entry "$1" "$2" "$3" "$4" || die "set-entry $2 in $1"
}
