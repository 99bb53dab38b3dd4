#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CI step 2 of a release, in a protected job (an environment with required
# reviewers): a second release key holder adds a signature to the bundle
# sign.sh made, then the bundle must verify completely (docs/ci/README.md).
# `make check` runs it too (tests/cli/test_ci_scripts.sh).
#
#   FWSEAL_PASSPHRASE   the co-signer's passphrase (CI secret of the protected environment)
#   FWSEAL_KEY_FILE     the co-signer's release key file (CI secret written to a file)
#   FWSEAL_ROOT         the root of trust the co-signer trusts (one file: checks come first)
#   FWSEAL_BUNDLE       the bundle to co-sign (rewritten in place)
#   FWSEAL_HARDWARE     optional: the hardware id the bundle must list
#   FWSEAL_BIN          directory of the fwseal tools (default: the PATH)
#
# fwseal sign verifies the bundle before signing (nobody signs what they
# have not checked); then fwseal verify must accept it: a bundle that still
# lacks signatures ends this step with exit 13, and nothing is released.
set -eu
CI_STEP=cosign.sh
. "$(dirname "$0")/keyfile.sh"
: "${FWSEAL_ROOT:?FWSEAL_ROOT: the root of trust to check against}"
: "${FWSEAL_BUNDLE:?FWSEAL_BUNDLE: the bundle to co-sign}"

status=0
"$FWSEAL" sign --key "$CI_KEY" --root "$FWSEAL_ROOT" --quiet "$FWSEAL_BUNDLE" || status=$?
if [ $status -ne 0 ]; then
	echo "$CI_STEP: fwseal sign failed (exit $status); the bundle is unchanged" >&2
	exit $status
fi
status=0
"$FWSEAL" verify --root "$FWSEAL_ROOT" ${FWSEAL_HARDWARE:+--hardware "$FWSEAL_HARDWARE"} --quiet \
	"$FWSEAL_BUNDLE" || status=$?
if [ $status -ne 0 ]; then
	echo "$CI_STEP: $FWSEAL_BUNDLE does not verify yet (exit $status): not releasable" >&2
	exit $status
fi
(cd "$(dirname "$FWSEAL_BUNDLE")" && sha256sum "$(basename "$FWSEAL_BUNDLE")") >"$FWSEAL_BUNDLE.sha256"
echo "$CI_STEP: $FWSEAL_BUNDLE co-signed and verified: releasable"
cat "$FWSEAL_BUNDLE.sha256"
