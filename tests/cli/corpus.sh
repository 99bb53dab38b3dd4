# SPDX-License-Identifier: Apache-2.0
# check_corpus for the hostile-corpus tests (sourced after lib.sh by
# test_attacks_committed.sh and long_attacks_fresh.sh).
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
	local before full_before
	before=$(quick_print "$dev")
	full_before=$(snapshot "$dev")
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
		after=$(quick_print "$dev")
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
	check "$label: the device's contents are byte for byte what they were before the corpus" \
		test "$full_before" = "$(snapshot "$dev")"
	check "$label corpus has at least $MIN_CASES cases ($n)" test "$n" -ge "$MIN_CASES"
	local cat
	for cat in archive compression envelope manifest payload root; do
		check "$label corpus has $cat/ cases" grep -q "^$cat/" "$dir/expected.tsv"
	done
}

