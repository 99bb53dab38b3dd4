#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The traceability checker (tests/traceability.py, `make traceability`):
# on this tree every requirement of docs/requirements.md has a test and
# every `req:` tag names a requirement; and the checker can fail: on a
# made-up tree with a requirement without a test, an unknown ID, a tag of
# junk, an ID defined twice and a tag that covers no test (a unit tag
# above no Test(, a shell tag right above a section header) it fails, naming
# each one. Then the matrix it writes from results: a tag covers its
# section, not the checks around it; failures, skips and "not run" shown;
# a script only CI runs (tests/*.sh) is linked as "CI only", never "pass".
# req: REQ-EVID-001
. "$(dirname "$0")/lib.sh"

TRACE=$TESTS_DIR/traceability.py

# ---- the tree itself (results not needed: "not run" is allowed here) ----
T="every requirement has a test, every tag a requirement" \
	expect_ok python3 "$TRACE" --root "$SRC_DIR" --check
check "it counted the requirements and the links" \
	grep -Eq "^traceability: [1-9][0-9]+ requirements, [1-9][0-9]+ test links, 0 problems$" "$LAST_OUT"

# ---- a made-up tree: the checker fails, naming each problem ----
mk_tree() { # DIR: requirements and tests with known tags
	mkdir -p "$1/docs" "$1/tests/cli" "$1/tests/unit"
	cat >"$1/docs/requirements.md" <<'MD'
# requirements
## Group A
| ID | requirement | need |
|---|---|---|
| REQ-AAA-001 | covered by the whole file | x |
| REQ-AAA-002 | covered by one section | x |
| REQ-AAA-003 | covered by one unit test | x |
| REQ-AAA-004 | covered by a whole unit file | x |
MD
	cat >"$1/tests/cli/test_x.sh" <<'SH'
#!/usr/bin/env bash
# a test file
# TAG REQ-AAA-001
. lib.sh
check "before the section"
# ---- the section ----
# TAG REQ-AAA-002
check "in the section 1"
check "in the section 2"
# ---- another section ----
check "after the section"
finish
SH
	# (written as TAG here, so that this file's own tags stay its own)
	sed -i 's/^# TAG /# req: /' "$1/tests/cli/test_x.sh"
	cat >"$1/tests/unit/test_y.c" <<'C'
Test(suite, untagged) {}
/* req: REQ-AAA-003 */
Test(suite, tagged) {}
Test(suite, also_untagged) {}
C
	cat >"$1/tests/unit/test_w.c" <<'C'
/* req: REQ-AAA-003 */
/* (a comment between the tag and its test) */
Test(ww, first_and_tagged) {}
Test(ww, second_untagged) {}
C
	cat >"$1/tests/unit/test_z.c" <<'C'
/* req: REQ-AAA-004 */
Test(zz, one) {}
Test(zz, two) {}
C
}
mk_tree good
T="a made-up tree whose tags are all right passes" expect_ok python3 "$TRACE" --root good --check

mk_tree bad
cat >>bad/docs/requirements.md <<'MD'
| REQ-AAA-005 | nobody tests this | x |
| REQ-AAA-001 | defined a second time | x |
MD
sed -i 's/^# req: REQ-AAA-002$/# req: REQ-AAA-002, REQ-ZZZ-999/' bad/tests/cli/test_x.sh
sed -i 's|^/\* req: REQ-AAA-003 \*/$|/* req: REQ-AAA-003 REQ-aaa-3 */|' bad/tests/unit/test_y.c
echo '/* req: REQ-AAA-004 */' >>bad/tests/unit/test_z.c
# a tag right above a section header: it covers only that comment line
sed -i 's/^# ---- another section ----$/# req: REQ-AAA-002\n&/' bad/tests/cli/test_x.sh
python3 "$TRACE" --root bad --check >bad.out 2>bad.err
rc=$?
check "a tree with problems: exit 1 (got $rc)" test "$rc" = 1
check "names the requirement without a test" grep -q "REQ-AAA-005 has no test" bad.err
check "names the unknown ID and where it is cited" \
	grep -q "tests/cli/test_x.sh:7: REQ-ZZZ-999 is not in docs/requirements.md" bad.err
check "names a tag word that is no ID" grep -q "tests/unit/test_y.c:2: tag names 'REQ-aaa-3'" bad.err
check "names an ID defined twice" grep -q "REQ-AAA-001 is defined twice" bad.err
check "names a tag that covers no test" grep -q "test_z.c:4: tag is neither above a Test( nor before the first one" bad.err
check "names a shell tag right above a section header (it covers nothing)" \
	grep -q "tests/cli/test_x.sh:10: tag covers no test" bad.err
check "exactly those six problems" test "$(grep -c '^traceability: ' bad.err)" = 6
python3 "$TRACE" --root bad --results none --out bad.md >/dev/null 2>&1
rc=$?
check "writing the matrix fails the same way (exit $rc)" test "$rc" = 1
check "and the matrix lists the problems" grep -q "^## Problems" bad.md

# ---- the matrix from results ----
mkdir -p res/cli
printf '# test_x.sh\t2026-01-01T00:00:00Z\t1\n5\tok\tbefore the section\n8\tok\tin the section 1\n9\tnot ok\tin the section 2\n11\tok # SKIP no tool\tafter the section\n' >res/cli/test_x.tsv
sed -i 's/^11\tok # SKIP no tool\t/11\tskip\t/' res/cli/test_x.tsv
cat >res/unit.json <<'JSON'
{"test_suites": [{"name": "suite", "tests": [
  {"name": "untagged", "status": "FAILED"}, {"name": "tagged", "status": "PASSED"}]},
 {"name": "ww", "tests": [{"name": "first_and_tagged", "status": "PASSED"}, {"name": "second_untagged", "status": "FAILED"}]},
 {"name": "zz", "tests": [{"name": "one", "status": "SKIPPED"}, {"name": "two", "status": "SKIPPED"}]}]}
JSON
T="the matrix of the made-up tree" expect_ok python3 "$TRACE" --root good --results res --out m.md
row() { grep "^| $1 |" m.md; }
check "the whole file: every check counted (2 ok, 1 not ok, 1 skip), FAIL" \
	bash -c 'grep "^| REQ-AAA-001 |" m.md | grep -q "tests/cli/test_x.sh: 2 ok, 1 not ok, 1 skip | FAIL |"'
check "the section: only its two checks, not the ones around it" \
	bash -c 'grep "^| REQ-AAA-002 |" m.md | grep -q "the section, from line 7): 1 ok, 1 not ok | FAIL |"'
check "one unit test: its own result, not its untagged neighbours' failures" \
	bash -c 'r=$(grep "^| REQ-AAA-003 |" m.md) && [[ $r == *"\`suite::tagged\`: ok"* ]] &&
		[[ $r == *"\`ww::first_and_tagged\`: ok"* ]] && [[ $r != *untagged* ]] && [[ $r == *"| pass |" ]]'
check "tests that only skipped are not a pass" \
	bash -c 'grep "^| REQ-AAA-004 |" m.md | grep -q "| skipped |"'
# ---- a script only CI runs (tests/*.sh): linked, "CI only", never "pass" ----
cp -r good ci
printf '| REQ-AAA-005 | proven only by a script CI runs | x |\n' >>ci/docs/requirements.md
printf '#!/bin/sh\n# run by .ci/run, not by make check\n# TAG REQ-AAA-005, REQ-AAA-001\nexit 0\n' >ci/tests/ci_x.sh
sed -i 's/^# TAG /# req: /' ci/tests/ci_x.sh
T="a requirement only a CI script evidences has a test" expect_ok python3 "$TRACE" --root ci --check
T="the matrix of that tree" expect_ok python3 "$TRACE" --root ci --results res --out ci.md
check "that requirement: the script listed as CI only, verdict \"CI only\", not pass" \
	bash -c 'grep "^| REQ-AAA-005 |" ci.md | grep -q "| tests/ci_x.sh: CI only (.ci/run), no recorded result | CI only |$"'
check "a requirement with results too: listed, but the verdict stays its results' (FAIL)" \
	bash -c 'r=$(grep "^| REQ-AAA-001 |" ci.md) && [[ $r == *"tests/ci_x.sh: CI only"* ]] && [[ $r == *"| FAIL |" ]]'
check "the summary counts it apart" grep -q "^Requirements: 5; pass 1, FAIL 2, not run 0, skipped only 1, CI only 1\.$" ci.md
cp -r good cibad
printf '#!/bin/sh\n# TAG REQ-ZZZ-998 junk\n' >cibad/tests/ci_bad.sh
sed -i 's/^# TAG /# req: /' cibad/tests/ci_bad.sh
python3 "$TRACE" --root cibad --check >cibad.out 2>cibad.err
rc=$?
check "a CI script citing an unknown ID fails the check (exit $rc)" test "$rc" = 1
check "  naming the ID and the line" \
	grep -q "tests/ci_bad.sh:2: REQ-ZZZ-998 is not in docs/requirements.md" cibad.err
check "  and the word that is no ID" grep -q "tests/ci_bad.sh:2: tag names 'junk'" cibad.err

# ---- run.sh records what it reports, with the line of each check ----
# A copy of run.sh and lib.sh next to a test file of known checks; the
# tools are this build's (run.sh wants them), the results go to fakebuild.
mkdir -p fake/cli fakebuild
cp "$TESTS_CLI/run.sh" "$TESTS_CLI/lib.sh" fake/cli/
for t in fwseal fwseal-keys fwseal-verify; do ln -s "$BUILD/$t" fakebuild/$t; done
cat >fake/cli/test_fake.sh <<'SH'
#!/usr/bin/env bash
. "$(dirname "$0")/lib.sh"
ok "first"
check "second fails" false
ok "third # SKIP no such tool here"
helper() { check "from a helper" true; }
helper
finish
SH
BUILD=$PWD/fakebuild JOBS=1 bash fake/cli/run.sh fake >fake.out 2>&1
check "run.sh's own report is unchanged (numbered TAP lines, the summary)" bash -c '
	grep -qx "ok 1 - test_fake: first" fake.out && grep -qx "not ok 2 - test_fake: second fails" fake.out &&
	grep -qx "ok 3 - test_fake: third # SKIP no such tool here" fake.out &&
	grep -qx "ok 4 - test_fake: from a helper" fake.out && grep -qx "2 passed, 1 failed, 1 SKIPPED" fake.out'
check "the results file: each check with its line, result and name" bash -c '
	f=fakebuild/test-results/cli/test_fake.tsv
	head -n 1 "$f" | grep -q "^# test_fake.sh	[0-9-]*T[0-9:]*Z	0$" &&
	diff <(tail -n +2 "$f") <(printf "3	ok	first
4	not ok	second fails
5	skip	third # SKIP no such tool here
7	ok	from a helper
")'

T="no results at all: every requirement \"not run\", still exit 0" \
	expect_ok python3 "$TRACE" --root good --results nowhere --out n.md
check "four requirements, all not run" grep -q "Requirements: 4; pass 0, FAIL 0, not run 4" n.md
finish
