#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CI step 1 of a release: pack and sign the bundle with the release key
# held in a CI secret (docs/ci/README.md). The GitHub workflow and the
# GitLab job run exactly this; `make check` runs it too
# (tests/cli/test_ci_scripts.sh), against the example keys.
#
#   FWSEAL_PASSPHRASE   the key's passphrase (CI secret)
#   FWSEAL_KEY_FILE     the release key file (CI secret written to a file)
#   FWSEAL_MANIFEST     the release description (docs/format.md §9)
#   FWSEAL_ROOT         the root of trust to carry (several: oldest first, space-separated)
#   FWSEAL_OUT          the bundle to write (must not exist)
#   FWSEAL_BIN          directory of the fwseal tools (default: the PATH)
#   SOURCE_DATE_EPOCH   the release time (same inputs, same bytes)
#
# Writes FWSEAL_OUT, FWSEAL_OUT.pack.json (what pack reports) and
# FWSEAL_OUT.sha256. Under a release threshold above 1 the bundle still
# needs co-signatures (cosign.sh): reported, not an error. Any failure of
# fwseal ends the step with fwseal's own exit status and leaves no bundle.
set -eu
CI_STEP=sign.sh
. "$(dirname "$0")/keyfile.sh"
: "${FWSEAL_MANIFEST:?FWSEAL_MANIFEST: the release description}"
: "${FWSEAL_ROOT:?FWSEAL_ROOT: the root of trust to carry}"
: "${FWSEAL_OUT:?FWSEAL_OUT: the bundle to write}"

roots=""
for r in $FWSEAL_ROOT; do
	roots="$roots --root $r"
done
status=0
# shellcheck disable=SC2086
"$FWSEAL" pack --manifest "$FWSEAL_MANIFEST" --key "$CI_KEY" $roots --out "$FWSEAL_OUT" \
	--quiet --json >"$ci_private/pack.json" || status=$?
if [ $status -ne 0 ]; then
	echo "$CI_STEP: fwseal pack failed (exit $status); no bundle written" >&2
	exit $status
fi
cp "$ci_private/pack.json" "$FWSEAL_OUT.pack.json"
(cd "$(dirname "$FWSEAL_OUT")" && sha256sum "$(basename "$FWSEAL_OUT")") >"$FWSEAL_OUT.sha256"
if grep -q '"complete": true' "$FWSEAL_OUT.pack.json"; then
	echo "$CI_STEP: $FWSEAL_OUT signed; the release threshold is met"
else
	echo "$CI_STEP: $FWSEAL_OUT signed; it needs co-signatures (cosign.sh) before devices accept it"
fi
cat "$FWSEAL_OUT.sha256"
