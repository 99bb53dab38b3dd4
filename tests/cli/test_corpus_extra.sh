# SPDX-License-Identifier: Apache-2.0
# The parts of the hostile corpus that need real signatures and real key
# encryption (tests/vectors/make_signed_cases.c):
#   signed/     manifests whose BODY is hostile but validly signed, against
#               `fwseal verify` and `fwseal-verify install`
#   keys-bad/   key files, against `fwseal-keys fingerprint` and `fwseal pack --key`
#   state-bad/  device state files, against `fwseal-verify status` and `install`
# Each case: its exact exit status, one stderr line naming the program, done
# within 20 s, and nothing written (device snapshot, pack output, work dir).
# First checks that the committed files are what the generator makes.
. "$(dirname "$0")/lib.sh"

H=$TESTS_DIR/vectors/hostile
GEN=$BUILD/make_signed_cases
[ -x "$GEN" ] || die "$GEN missing: run make check (or make $GEN)"
export FWSEAL_PASSPHRASE=fwseal-test-vectors # tests/vectors/hostile/README.md

# ---- 1. the committed files are the generator's ----
# req: REQ-FMT-005, REQ-KEY-002, REQ-LIFE-004
"$GEN" gen >/dev/null || die "make_signed_cases gen"
"$GEN" gen2 >/dev/null || die "make_signed_cases gen2"
check "make_signed_cases is deterministic" diff -r gen gen2
rm -rf gen2
for t in signed keys-bad state-bad; do
	check "committed $t.tsv is what make_signed_cases generates" diff "$H/$t.tsv" "gen/$t.tsv"
	check "committed $t/ has exactly the generated files" \
		diff <(cd "$H/$t" && ls) <(cd "gen/$t" && ls)
done
check "committed keys-bad/ and state-bad/ are byte-identical to the generated ones" \
	bash -c "diff -r '$H/keys-bad' gen/keys-bad && diff -r '$H/state-bad' gen/state-bad"
check "committed signed/root.json and the plain signed/valid.fwb are byte-identical" \
	bash -c "cmp '$H/signed/root.json' gen/signed/root.json &&
		cmp '$H/signed/valid.fwb' gen/signed/valid.fwb"
# The cases are gzip-compressed: compare what is inside (zlib's bytes may
# differ between zlib versions, the archive inside may not).
differs=()
for f in gen/signed/*.fwb; do
	b=$(basename "$f")
	[ "$b" = valid.fwb ] && continue
	cmp -s <(gzip -dc "$f") <(gzip -dc "$H/signed/$b" 2>/dev/null) || differs+=("$b")
done
check "committed signed/ cases hold the generated archives (${#differs[@]} differ: ${differs[*]:0:5})" \
	test ${#differs[@]} -eq 0

# Key files and state files are read from copies: git keeps no modes.
SIGNED_ROOT=$H/signed/root.json

# run_case TOOL STATUS CMD...: one run under timeout 20 into $LAST_OUT/$LAST_ERR;
# appends problems to the caller's array `problems`.
run_case() {
	local tool=$1 want=$2 got lines prog
	shift 2
	prog=$(basename "$1")
	timeout 20 "$@" >"$LAST_OUT" 2>"$LAST_ERR" </dev/null
	got=$?
	lines=$(wc -l <"$LAST_ERR")
	[ "$got" -eq 124 ] && problems+=("$tool: did not finish within 20 s")
	[ "$got" -ne "$want" ] &&
		problems+=("$tool: exit status $got, expected $want: $(head -c 300 "$LAST_ERR")")
	if [ "$want" -ne 0 ]; then
		[ "$lines" -ne 1 ] && problems+=("$tool: $lines stderr lines, expected one")
		head -n 1 "$LAST_ERR" | grep -q "^$prog: " ||
			problems+=("$tool: stderr does not start with '$prog: '")
	fi
	grep -q -e AddressSanitizer -e 'runtime error' "$LAST_ERR" &&
		problems+=("$tool: sanitizer report")
	return 0
}

report() {
	if [ ${#problems[@]} -eq 0 ]; then ok "$1"; else not_ok "$1" "${problems[@]}"; fi
}

# ---- 2. signed hostile manifests ----
# req: REQ-FMT-005, REQ-LIFE-005
"$FWVERIFY" init --device dev-signed --root "$SIGNED_ROOT" --hardware hw-a >/dev/null 2>&1 ||
	die "device init with signed/root.json"
T="signed/valid.fwb (the control) verifies" expect_ok "$FWSEAL" verify --root "$SIGNED_ROOT" \
	--hardware hw-a "$H/signed/valid.fwb"
# Something installed (slot b pending) so an attack could also hurt a live slot.
T="signed/valid.fwb (the control) installs" expect_exit 0 "$FWVERIFY" install \
	--device dev-signed "$H/signed/valid.fwb"
before=$(quick_print dev-signed)
full_before=$(snapshot dev-signed)
n=0
while IFS=$'\t' read -r case status desc; do
	case "$case" in "#"* | "") continue ;; esac
	n=$((n + 1))
	problems=()
	run_case verify "$status" "$FWSEAL" verify --root "$SIGNED_ROOT" --hardware hw-a "$H/$case"
	run_case install "$status" "$FWVERIFY" install --device dev-signed "$H/$case"
	after=$(quick_print dev-signed)
	if [ "$after" != "$before" ]; then
		problems+=("the device changed: $(diff <(echo "$before") <(echo "$after") | head -5)")
		before=$after
	fi
	report "$case: $desc (exit $status)"
done <"$H/signed.tsv"
check "signed corpus: the device's contents are byte for byte what they were" \
	test "$full_before" = "$(snapshot dev-signed)"
check "signed.tsv has at least 60 cases ($n)" test "$n" -ge 60

# ---- 3. key files ----
# req: REQ-KEY-002
make_payload a.bin 5000
make_release rel.json 1.0.0 1 hw-a a.bin:a.bin:rootfs
mkdir kw
cp "$H/keys-bad/valid.key" kw/k.key && chmod 600 kw/k.key
T="keys-bad/valid.key (the control) packs" expect_exit 0 "$FWSEAL" pack --manifest rel.json \
	--key kw/k.key --root "$SIGNED_ROOT" --out kw/control.fwb
T="the control bundle verifies" expect_ok "$FWSEAL" verify --root "$SIGNED_ROOT" kw/control.fwb
rm -f kw/control.fwb
T="keys-bad/valid.pub (the control) has a fingerprint" expect_exit 0 \
	"$FWKEYS" fingerprint "$H/keys-bad/valid.pub"
n=0
while IFS=$'\t' read -r case status desc; do
	case "$case" in "#"* | "") continue ;; esac
	n=$((n + 1))
	problems=()
	case "$desc" in
	fingerprint:*)
		run_case fingerprint "$status" "$FWKEYS" fingerprint "$H/$case"
		if [ "$status" -eq 0 ] && ! grep -qE '^[0-9a-f]{64}$' "$LAST_OUT"; then
			problems+=("fingerprint: no key id on stdout")
		fi
		;;
	pack:*)
		rm -f kw/k.key
		cp "$H/$case" kw/k.key
		mode=600
		case "$case" in */mode_[0-7][0-7][0-7][0-7].key) mode=${case##*/mode_} mode=${mode%.key} ;; esac
		chmod "$mode" kw/k.key
		listing=$(ls -A kw)
		run_case pack "$status" "$FWSEAL" pack --manifest rel.json --key kw/k.key \
			--root "$SIGNED_ROOT" --out kw/out.fwb
		if [ "$status" -ne 0 ]; then
			[ "$(ls -A kw)" = "$listing" ] ||
				problems+=("pack wrote something: $(ls -A kw | tr '\n' ' ')")
		fi
		rm -f kw/out.fwb
		;;
	*) problems+=("the description names no command (fingerprint: / pack:)") ;;
	esac
	report "$case: $desc (exit $status)"
done <"$H/keys-bad.tsv"
check "keys-bad.tsv has at least 60 rows ($n)" test "$n" -ge 60

# ---- 4. device state ----
# req: REQ-LIFE-004
"$FWVERIFY" init --device dev-state --root "$SIGNED_ROOT" --hardware hw-a >/dev/null 2>&1 ||
	die "device init for the state cases"
check "state-bad/valid.state is exactly what fwseal-verify init writes" \
	cmp dev-state/state "$H/state-bad/valid.state"
n=0
while IFS=$'\t' read -r case status desc; do
	case "$case" in "#"* | "") continue ;; esac
	n=$((n + 1))
	problems=()
	cp "$H/$case" dev-state/state && chmod 600 dev-state/state
	before=$(snapshot_all dev-state)
	run_case status "$status" "$FWVERIFY" status --device dev-state
	run_case install "$status" "$FWVERIFY" install --device dev-state "$H/signed/valid.fwb"
	after=$(snapshot_all dev-state)
	[ "$after" = "$before" ] ||
		problems+=("the device changed: $(diff <(echo "$before") <(echo "$after") | head -5)")
	report "$case: $desc (exit $status)"
done <"$H/state-bad.tsv"
check "state-bad.tsv has at least 25 cases ($n)" test "$n" -ge 25
cp "$H/state-bad/valid.state" dev-state/state
T="with valid.state back, status works again" expect_exit 0 "$FWVERIFY" status --device dev-state
finish
