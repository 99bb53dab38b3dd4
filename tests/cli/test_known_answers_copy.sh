# SPDX-License-Identifier: Apache-2.0
# The known answers the unit tests reproduce (tests/vectors/known-answers/)
# are a copy of the ones independent implementations computed
# (../shared/vectors, next to the repository where it exists): a clone
# anywhere passes, and where the original is present, the copy must still
# be it, byte for byte, so that neither can drift.
# req: REQ-EVID-008
. "$(dirname "$0")/lib.sh"

COPY=$TESTS_DIR/vectors/known-answers
ORIGINAL=$SRC_DIR/../shared/vectors
check "the copy holds the known answers and the payload they were computed from" \
	test -s "$COPY/known-answers.json" -a -s "$COPY/payload.bin"
check "payload.bin is the 12388 bytes (i*7 + 3) mod 256 that docs/format.md §6 describes" python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
assert data == bytes((i * 7 + 3) % 256 for i in range(12388)), len(data)' "$COPY/payload.bin"
if [ -d "$ORIGINAL" ]; then
	check "the copy is the original in ../shared/vectors, byte for byte" \
		diff -r "$ORIGINAL" "$COPY"
else
	ok "the original is compared where it exists # SKIP no ../shared/vectors here"
fi
finish
