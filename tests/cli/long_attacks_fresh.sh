# SPDX-License-Identifier: Apache-2.0
# Hostile archives, a corpus generated now from freshly made keys
# (tests/make_vectors.py), against `fwseal verify` and `fwseal-verify
# install`. Each case must give its exact exit status with one stderr line,
# within 20 s, and leave the device exactly as it was (no new or changed slot
# files, no .part leftovers, state and trusted root byte-identical).
# make check runs the same generator's committed corpus
# (test_attacks_committed.sh); this run proves the corpus does not depend on
# the committed keys. (make check-long: it doubles the corpus time.)
# req: REQ-FMT-001, REQ-FMT-002, REQ-LIFE-005
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corpus.sh"

# ---- 1. a corpus made now, from fresh keys ----
make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 9000
make_payload b.bin 1500
make_release base.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:4096 b.bin:b.bin:kernel
# Without a block index: the generator models the entries of ADR-037's
# layout (the index's own attacks: test_delta_blocks.sh).
pack base.fwb base.json rel root.json --no-block-index
pack base.fwb.gz base.json rel root.json --gzip --no-block-index
python3 "$MAKE_VECTORS" generate base.fwb base.fwb.gz gen >/dev/null || die "make_vectors.py generate"
T="the generator is deterministic" check "generating twice gives the same corpus" \
	bash -c "python3 '$MAKE_VECTORS' generate base.fwb base.fwb.gz gen2 >/dev/null && diff -r gen gen2"
rm -rf gen2
check_corpus fresh "$PWD/gen" root.json base.fwb

finish
