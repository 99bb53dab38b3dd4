#!/usr/bin/env bash
# fwseal selftest: the built-in known answers and attack suite pass on this
# build, and the JSON report is machine-readable evidence (IQ/OQ).
. "$(dirname "$0")/lib.sh"

T="selftest passes" expect_ok "$FWSEAL" selftest
check "the table reports every case passed" grep -qi "passed" "$LAST_OUT"
T="selftest --json" expect_ok "$FWSEAL" selftest --json
check "the JSON report parses, has >= 30 cases, all passing" python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
cases = r["cases"] if isinstance(r, dict) else r
assert len(cases) >= 30, len(cases)
assert all(c["pass"] for c in cases), [c for c in cases if not c["pass"]]' "$LAST_OUT"
T="selftest --json twice is a usage error" expect_exit 2 "$FWSEAL" selftest --json --json
finish
