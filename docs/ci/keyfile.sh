# SPDX-License-Identifier: Apache-2.0
# Sourced by sign.sh and cosign.sh: the key from the CI secret, made usable.
#
# A CI secret arrives as a file whose mode the CI chose (GitLab file
# variables, a key written from a GitHub secret), while fwseal refuses a
# secret key others can read (exit 30). The key is copied into a private
# directory (0700, file 0600) that is removed when the script ends, however
# it ends; the original is not touched. The passphrase is never echoed:
# these scripts never run with xtrace.
set +x
ci_die() {
	echo "$CI_STEP: $*" >&2
	exit 1
}
[ -n "${FWSEAL_PASSPHRASE:-}" ] ||
	ci_die "FWSEAL_PASSPHRASE is empty: set it from the CI secret (it is never read from a file here)"
[ -n "${FWSEAL_KEY_FILE:-}" ] || ci_die "FWSEAL_KEY_FILE is not set: the path of the key from the CI secret"
[ -f "$FWSEAL_KEY_FILE" ] && [ -s "$FWSEAL_KEY_FILE" ] ||
	ci_die "FWSEAL_KEY_FILE: $FWSEAL_KEY_FILE is missing or empty"
ci_private=$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/fwseal-ci.XXXXXX") || ci_die "no private directory"
trap 'rm -rf "$ci_private"' EXIT
trap 'exit 1' HUP INT TERM
# The copy keeps the secret's file name, so that fwseal's messages name it.
CI_KEY=$ci_private/$(basename "$FWSEAL_KEY_FILE")
(umask 077 && cat "$FWSEAL_KEY_FILE" >"$CI_KEY") || ci_die "cannot copy the key"
# The tools: FWSEAL_BIN (a directory) or the PATH.
FWSEAL=${FWSEAL_BIN:+$FWSEAL_BIN/}fwseal
export FWSEAL_PASSPHRASE
