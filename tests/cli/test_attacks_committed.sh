# SPDX-License-Identifier: Apache-2.0
# Hostile archives, the committed corpus tests/vectors/hostile (see
# test_attacks_archive.sh for the rules each case must meet): first that it
# is still what tests/make_vectors.py and `fwseal pack` produce, then every
# case against `fwseal verify` and `fwseal-verify install`.
# req: REQ-FMT-001, REQ-FMT-002, REQ-LIFE-005
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corpus.sh"

H=$TESTS_DIR/vectors/hostile
mkdir committed-keys
cp "$H"/keys/*.key "$H"/keys/*.pub committed-keys/ || die "copying the committed test keys"
chmod 600 committed-keys/*.key # git does not keep file modes
cp "$H"/base/release.json "$H"/base/a.bin "$H"/base/b.bin . || die "copying the committed base"
(
	export FWSEAL_PASSPHRASE=fwseal-test-vectors # documented in tests/vectors/hostile/README.md
	"$FWSEAL" pack --manifest release.json --key committed-keys/release.key \
		--root "$H/root.json" --no-block-index --out committed.fwb >/dev/null &&
		"$FWSEAL" pack --manifest release.json --key committed-keys/release.key \
			--root "$H/root.json" --no-block-index --out committed.fwb.gz --gzip >/dev/null
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

finish
