# Hostile archives: every way a bundle's tar/gzip container, envelope,
# manifest, payloads or carried roots can be wrong (tests/make_vectors.py),
# against `fwseal verify` and `fwseal-verify install`. Each case must give its
# exact exit status with one stderr line, within 20 s, and leave the device
# exactly as it was (no new or changed slot files, no .part leftovers, state
# and trusted root byte-identical).
#
# Runs twice: on a corpus generated now from freshly made keys, and on the
# committed corpus tests/vectors/hostile (which outside reviewers can use on
# their own verifier), after checking that the committed corpus is still what
# the generator and `fwseal pack` produce.
. "$(dirname "$0")/lib.sh"

MIN_CASES=200

# check_corpus LABEL DIR ROOT VALID_BUNDLE: one line per case.
check_corpus() {
	local label=$1 dir=$2 root=$3 valid=$4 dev=$PWD/dev-$1
	local n=0 case status desc
	"$FWVERIFY" init --device "$dev" --root "$root" --hardware hw-a >/dev/null 2>&1 ||
		die "device init for $label"
	# Something installed (slot b active) so an attack could also hurt a live slot.
	"$FWVERIFY" install --device "$dev" "$valid" >/dev/null 2>&1 ||
		die "installing the valid bundle $valid"
	T="$label: the valid bundle verifies" expect_ok "$FWSEAL" verify --root "$root" \
		--hardware hw-a "$valid"
	local before
	before=$(snapshot "$dev")
	while IFS=$'\t' read -r case status desc; do
		case "$case" in "#"* | "") continue ;; esac
		n=$((n + 1))
		local problems=() got lines
		for tool in verify install; do
			if [ $tool = verify ]; then
				timeout 20 "$FWSEAL" verify --root "$root" --hardware hw-a "$dir/$case" \
					>"$LAST_OUT" 2>"$LAST_ERR" </dev/null
			else
				timeout 20 "$FWVERIFY" install --device "$dev" "$dir/$case" \
					>"$LAST_OUT" 2>"$LAST_ERR" </dev/null
			fi
			got=$?
			lines=$(wc -l <"$LAST_ERR")
			[ "$got" -eq 124 ] && problems+=("$tool: did not finish within 20 s")
			[ "$got" -ne "$status" ] && problems+=("$tool: exit status $got, expected $status: $(head -c 300 "$LAST_ERR")")
			[ "$lines" -ne 1 ] && problems+=("$tool: $lines stderr lines, expected one")
		done
		local after
		after=$(snapshot "$dev")
		if [ "$after" != "$before" ]; then
			problems+=("the device changed: $(diff <(echo "$before") <(echo "$after") | head -5)")
			before=$after
		fi
		if [ ${#problems[@]} -eq 0 ]; then
			ok "$label $case: $desc (exit $status)"
		else
			not_ok "$label $case: $desc (exit $status)" "${problems[@]}"
		fi
	done <"$dir/expected.tsv"
	check "$label corpus has at least $MIN_CASES cases ($n)" test "$n" -ge "$MIN_CASES"
	local cat
	for cat in archive compression envelope manifest payload root; do
		check "$label corpus has $cat/ cases" grep -q "^$cat/" "$dir/expected.tsv"
	done
}

# ---- 1. a corpus made now, from fresh keys ----
make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 9000
make_payload b.bin 1500
make_release base.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:4096 b.bin:b.bin:kernel
pack base.fwb base.json rel root.json
pack base.fwb.gz base.json rel root.json --gzip
python3 "$MAKE_VECTORS" generate base.fwb base.fwb.gz gen >/dev/null || die "make_vectors.py generate"
T="the generator is deterministic" check "generating twice gives the same corpus" \
	bash -c "python3 '$MAKE_VECTORS' generate base.fwb base.fwb.gz gen2 >/dev/null && diff -r gen gen2"
rm -rf gen2
check_corpus fresh "$PWD/gen" root.json base.fwb

# ---- 2. the committed corpus ----
H=$TESTS_DIR/vectors/hostile
mkdir committed-keys
cp "$H"/keys/*.key "$H"/keys/*.pub committed-keys/ || die "copying the committed test keys"
chmod 600 committed-keys/*.key # git does not keep file modes
cp "$H"/base/release.json "$H"/base/a.bin "$H"/base/b.bin . || die "copying the committed base"
(
	export FWSEAL_PASSPHRASE=fwseal-test-vectors # documented in tests/vectors/hostile/README.md
	"$FWSEAL" pack --manifest release.json --key committed-keys/release.key \
		--root "$H/root.json" --out committed.fwb >/dev/null &&
		"$FWSEAL" pack --manifest release.json --key committed-keys/release.key \
			--root "$H/root.json" --out committed.fwb.gz --gzip >/dev/null
) || die "packing the committed base"
check "committed base/valid.fwb is what fwseal pack makes from base/ (golden bundle)" \
	cmp committed.fwb "$H/base/valid.fwb"
python3 "$MAKE_VECTORS" generate "$H/base/valid.fwb" "$H/base/valid.fwb.gz" regen >/dev/null ||
	die "regenerating the committed corpus"
check "committed expected.tsv is what tests/make_vectors.py generates" \
	diff <(grep -v '^#' "$H/expected.tsv") <(grep -v '^#' regen/expected.tsv)
check "committed cases are what tests/make_vectors.py generates (no stale cases)" \
	diff -r -x README.md -x keys -x base -x root.json -x compression -x signed -x expected.tsv "$H" regen
# Compressed bytes are only reproducible with the same zlib (fwseal's and python's).
made_with=$(sed -n '1s/.*zlib \([^)]*\)).*/\1/p' "$H/expected.tsv")
here=$(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)')
if [ "$made_with" = "$here" ]; then
	check "committed base/valid.fwb.gz is what fwseal pack --gzip makes (golden bundle)" \
		cmp committed.fwb.gz "$H/base/valid.fwb.gz"
	check "committed compression/ cases are what tests/make_vectors.py generates" \
		diff -r "$H/compression" regen/compression
	check "committed signed/ cases (gzip) are what the generator makes" \
		diff -r "$H/signed" regen/signed
else
	ok "golden gzip bytes # SKIP corpus made with zlib $made_with, this is zlib $here"
	check "committed compression/ has the same cases as generated here" \
		diff <(ls "$H/compression") <(ls regen/compression)
	check "committed signed/ has the same cases as generated here" \
		diff <(ls "$H/signed") <(ls regen/signed)
fi
check_corpus committed "$H" "$H/root.json" "$H/base/valid.fwb"

# ---- 3. endless streams on standard input: the reader must stop by itself ----
# A producer that never ends (a decompression bomb with no end at all, zeros
# or garbage forever) must be cut off by the reader within a record, not read
# to its end: each run must end by itself, long before `timeout` would.
endless() {
	python3 - "$1" "$TESTS_DIR" <<'EOF'
import os, sys, zlib
sys.path.insert(0, sys.argv[2])
import make_vectors as mv
mode, out = sys.argv[1], sys.stdout.buffer
valid = open("base.fwb", "rb").read()
entries, _ = mv.parse(valid)
head = b"".join(e.encode() for e in entries if not e.name.startswith(("chunks/", "payloads/")))
zeros = b"\0" * (1 << 20)
try:
    if mode.startswith("gzip-"):
        c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        out.write(c.compress(head if mode == "gzip-zeros-after-manifest" else valid))
        while True:
            out.write(c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH))
    out.write(valid if mode == "zeros-after-archive" else b"")
    fill = b"A" * (1 << 20) if mode == "garbage" else zeros
    while True:
        out.write(fill)
except BrokenPipeError:
    pass
os._exit(0)
EOF
}
for mode in gzip-zeros-after-manifest gzip-zeros-after-archive zeros-after-archive zeros; do
	endless $mode | T="endless stream on stdin ($mode): fwseal verify stops by itself" \
		expect_exit 20 timeout 20 "$FWSEAL" verify --root root.json --hardware hw-a -
done
endless garbage | T="endless garbage on stdin: fwseal verify stops by itself" \
	expect_exit 17 timeout 20 "$FWSEAL" verify --root root.json --hardware hw-a -
before=$(snapshot dev-fresh)
endless gzip-zeros-after-archive | T="endless gzip bomb on stdin: install stops by itself" \
	expect_exit 20 timeout 20 "$FWVERIFY" install --device dev-fresh -
check "the device is unchanged after the endless install" test "$before" = "$(snapshot dev-fresh)"
finish
