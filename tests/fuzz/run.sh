#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make fuzz`: seeds, regression replay, then each harness for FUZZ_SECONDS
# with a per-target -max_len and -rss_limit_mb=512. Corpora grow in
# FUZZ_BUILD/corpus/<target>/ across runs; crashes land in
# FUZZ_BUILD/artifacts/ (copy one into tests/fuzz/regressions/<target>/ once
# fixed). Prints executions per harness; fails if any harness failed.
set -u
: "${BUILD:?}" "${FUZZ_BUILD:?}" "${FUZZ_SECONDS:=60}"
: "${FUZZ_TARGETS:=manifest envelope root keyfile bundle bundle_unsigned}"
HERE=$(cd "$(dirname "$0")" && pwd)
# FUZZ_NO_SEEDS=1: keep the seeds already there (parallel runs share them).
if [ "${FUZZ_NO_SEEDS:-0}" != 1 ] || [ ! -d "$FUZZ_BUILD/seeds" ]; then
	sh "$HERE/make_seeds.sh" "$BUILD" "$FUZZ_BUILD/seeds" || exit 1
fi
mkdir -p "$FUZZ_BUILD/logs" "$FUZZ_BUILD/artifacts"

max_len() {
	case "$1" in
	manifest | root | channel | report) echo 33000 ;; # FWS_BODY_MAX (32768) and beyond
	envelope) echo 66000 ;;          # FWS_ENVELOPE_MAX (65536) and a little beyond
	keyfile) echo 4200 ;;            # KEYFILE_MAX (4096) and a little beyond
	sysconf) echo 66000 ;;           # the system.conf limit (65536) and a little beyond
	sbom) echo 65536 ;;              # SBOM structure, not size (FWS_SBOM_MAX is 16 MiB)
	delta) echo 512 ;;               # flags, 48 block ops, 32 slot seeds, an index
	delta_encrypted) echo 1100 ;;    # 4 bytes, 96 block ops, 64 slot seeds, 96 index entries
	http) echo 70000 ;;              # HTTP_HEAD_MAX (65536) and a little beyond
	grubenv) echo 1100 ;;            # the 1024-byte block and a little beyond
	uboot_env) echo 16500 ;;         # fw_env.config (16 KiB) and a little beyond
	permit) echo 66000 ;;            # a selector byte and an envelope (FWS_ENVELOPE_MAX)
	state) echo 2100 ;;              # FWS_STATE_MAX (2048) and a little beyond
	auditlog) echo 16384 ;;          # a head and a few lines in each segment
	*) echo 65536 ;;                 # bundles: small payloads, whole archive
	esac
}

failed=0
summary=""
for t in $FUZZ_TARGETS; do
	bin=$FUZZ_BUILD/fuzz_$t
	corpus=$FUZZ_BUILD/corpus/$t
	mkdir -p "$corpus"
	# Past crashes first: each must run cleanly.
	if ls "$HERE/regressions/$t/"* >/dev/null 2>&1; then
		"$bin" -rss_limit_mb=512 $(ls "$HERE/regressions/$t/"* | grep -v '\.md$') \
			>"$FUZZ_BUILD/logs/$t.replay.log" 2>&1 ||
			{ echo "fuzz_$t: regression replay FAILED (see $FUZZ_BUILD/logs/$t.replay.log)"; failed=1; continue; }
	fi
	log=$FUZZ_BUILD/logs/$t.log
	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$t")" -rss_limit_mb=512 \
		-timeout=25 -print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/artifacts/$t-" \
		"$corpus" "$FUZZ_BUILD/seeds/$t" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	files=$(ls "$corpus" | wc -l)
	line="fuzz_$t: ${runs:-?} executions in ${FUZZ_SECONDS}s, coverage ${cov:-?}, corpus $files"
	if [ $status -ne 0 ]; then
		line="$line -- FAILED (exit $status): see $log and $FUZZ_BUILD/artifacts/"
		grep -E 'ERROR: |SUMMARY: |fuzz property violated' "$log" | head -n 5 | sed 's/^/    /'
		failed=1
	fi
	echo "$line"
	summary="$summary$line
"
done
printf '%s' "$summary" >>"$FUZZ_BUILD/summary.txt"
[ $failed -eq 0 ]
