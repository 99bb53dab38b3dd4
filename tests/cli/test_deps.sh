#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The dependency step (tests/deps.sh), short of a real install (which
# tests/fresh_machine.sh proves on a fresh Debian root in CI): it is silent
# when nothing is missing; it names what is missing; NO_DEPS=1 never reaches
# apt-get or sudo; a python module is looked up in Debian's python3.
# req: REQ-PKG-002
. "$(dirname "$0")/lib.sh"

DEPS=$TESTS_DIR/deps.sh
# apt-get and sudo that only record being called.
mkdir -p stub
for t in apt-get sudo; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/stub/called"\nexit 1\n' "$t" "$PWD" >"stub/$t"
	chmod +x "stub/$t"
done

T="nothing missing: exit 0, silent" check "tests/deps.sh with present tools" \
	bash -c 'out=$(PATH="$0/stub:$PATH" TOOLS="sh=dash tar=tar" sh "$1" 2>&1) && [ -z "$out" ]' \
	"$PWD" "$DEPS"
PATH="$PWD/stub:$PATH" NO_DEPS=1 TOOLS="fwseal-no-such-tool=fwseal-no-such-package" \
	sh "$DEPS" >"$LAST_OUT" 2>"$LAST_ERR"
rc=$?
check "NO_DEPS=1 with a tool missing fails (exit $rc)" test "$rc" = 1
check "it names the missing tool and its package" \
	grep -q 'fwseal-no-such-tool' "$LAST_OUT"
check "it says it installs nothing" grep -q 'NO_DEPS=1: not installing.*fwseal-no-such-package' "$LAST_ERR"
check "it never called apt-get or sudo" test ! -e stub/called
PATH="$PWD/stub:$PATH" NO_DEPS=1 PYMODULES="fwseal_no_such_module=python3-fwseal-none" \
	sh "$DEPS" >"$LAST_OUT" 2>"$LAST_ERR"
check "a missing python module is named with its package" \
	grep -q 'python:fwseal_no_such_module' "$LAST_OUT"
PATH="$PWD/stub:$PATH" NO_DEPS=1 MODULES="fwseal-no-such-module" PACKAGES="fwseal-dev-none" \
	sh "$DEPS" >"$LAST_OUT" 2>"$LAST_ERR"
check "a missing pkg-config module is named" grep -q 'pkg-config cannot find: fwseal-no-such-module' "$LAST_OUT"
check "still no apt-get or sudo" test ! -e stub/called
finish
