# SPDX-License-Identifier: Apache-2.0
# Every citation in the docs is true (tests/doc_citations.py): repository
# paths and relative links exist; file:function names a definition in that
# file; suite::test is a Criterion test; test_x.sh "check" names a check of
# that file (and "(N)" after it is the exit status the check expects);
# PROG CMD --flag is in the tool's own --help; an exit status next to an
# FWS_E* name agrees with include/fwseal/error.h; make TARGET is a Makefile
# target. Over README.md, SECURITY.md and docs/*.md (not docs/founding/, not
# the generated man pages). One "not ok" per false citation, naming the doc,
# the line and the citation.
#
# First the checker itself: a doc with one false citation of each kind must
# be caught, kind by kind, and a doc whose citations are all true must pass.
# req: REQ-EVID-002
. "$(dirname "$0")/lib.sh"

CHECKER=$TESTS_DIR/doc_citations.py
[ -f "$CHECKER" ] || die "$CHECKER missing"

# ---- the checker can fail ----
# The true citations name things this file and the oldest parts of the tree
# own, so they do not move under it.
cat >good.md <<'EOF'
# true citations, one of each kind
path lib/core/policy.c, glob tests/cli/test_*.sh, placeholder tests/unit/test_<suite>.c
link [me](good.md)
file policy.c
function `lib/core/policy.c:fws_policy_check`, by base name `policy.c:fws_policy_check`
unit `policy::min_version_enforced`, wildcard `policy::min_version_*`
check test_doc_citations.sh "fwseal with an unknown command" (2)
command `fwseal verify --root ROOT.json B.fwb`, `fwseal-keys root new --from root.json`
status exit 25 (`FWS_EROLLBACK`), `FWS_EDIGEST` (22)
make `make check`
historical `lib/device/device.c` (removed in c0aff4c)
absent `lib/core/no_such_file.c` (does not exist)
requirements REQ-SIG-001, REQ-SIG-001..003, REQ-SIG-*
EOF
T="fwseal with an unknown command" expect_exit 2 "$FWSEAL" no-such-command

# One false citation per line: LINE KIND CITATION
cat >bad.md <<'EOF'
# false citations, one per line (the line numbers are in the table below)
path lib/core/no_such_file.c
link [nowhere](no-such-doc.md)
file no_such_file.c
function `lib/core/policy.c:no_such_function`
unit `policy::no_such_test`
wildcard `policy::no_such_prefix_*`
check test_doc_citations.sh "@NOCHECK@"
check-status test_doc_citations.sh "fwseal with an unknown command" (3)
command `fwseal no-such-command`
option `fwseal verify --no-such-flag B.fwb`
status exit 24 (`FWS_EROLLBACK`)
error `FWS_ENOSUCHCODE`
make `make no-such-target`
historical `lib/device/op.c` (removed in c0aff4c)
absent `lib/core/policy.c` (does not exist)
requirement REQ-SIG-999
requirement range REQ-SIG-001..999
requirement group REQ-NOSUCHGROUP-*
EOF
# A check name that is no string of this file (so it is built here).
nocheck=$(printf '%s' "no check " "named " "so")
sed -i "s/@NOCHECK@/$nocheck/" bad.md
cases="2 path lib/core/no_such_file.c
3 link no-such-doc.md
4 file no_such_file.c
5 function lib/core/policy.c:no_such_function
6 unit policy::no_such_test
7 unit policy::no_such_prefix_*
8 check test_doc_citations.sh \"$nocheck\"
9 check-status test_doc_citations.sh \"fwseal with an unknown command\" (3)
10 command fwseal no-such-command
11 option fwseal verify --no-such-flag
12 status exit 24 (\`FWS_EROLLBACK\`
13 error FWS_ENOSUCHCODE
14 make make no-such-target
15 path lib/device/op.c
16 path lib/core/policy.c
17 requirement REQ-SIG-999
18 requirement REQ-SIG-001..999
19 requirement REQ-NOSUCHGROUP-*"
# Historical citations need git and the commit (a tarball or a shallow clone may lack it).
have_git=1
git -C "$SRC_DIR" cat-file -e 'c0aff4c^{commit}' >/dev/null 2>&1 || have_git=0

python3 "$CHECKER" --build "$BUILD" --root "$SRC_DIR" "$PWD/good.md" >good.out 2>&1
check "a doc whose citations are all true passes (one of each kind)" \
	bash -c '! grep -q "^FAIL" "$1" && grep -q "^DOC" "$1"' _ good.out || sed 's/^/# /' good.out

python3 "$CHECKER" --build "$BUILD" --root "$SRC_DIR" "$PWD/bad.md" >bad.out 2>&1
bad_rc=$?
check "the checker exits 1 on a doc with false citations (exit $bad_rc)" test "$bad_rc" = 1
while read -r line kind cite; do
	if [ "$line" = 15 ] && [ $have_git = 0 ]; then
		skip "the checker catches a false $kind citation: $cite" "no git history here"
		continue
	fi
	check "the checker catches a false $kind citation: $cite" \
		grep -qP "^FAIL\t[^\t]*bad\.md\t$line\t$kind\t" bad.out
done <<<"$cases"
want=$(echo "$cases" | wc -l)
[ $have_git = 0 ] && want=$((want - 1))
check "and nothing else: exactly $want failures in the doc of false citations" \
	test "$(grep -c '^FAIL' bad.out)" = "$want"

# ---- docs/exit-codes.md against the code: the checker can fail there too ----
mkdir -p ec
cat >ec/exit-codes.md <<'EOF'
| status | name | message |
|---|---|---|
| 2 | `FWS_EUSAGE` | invalid usage or argument |
| 25 | `FWS_EROLLBACK` | a message the code does not print |
| 32 | `FWS_EEXIST` | output file already exists | Commands (their `--help`): `fwseal-verify` boot |
EOF
python3 "$CHECKER" --build "$BUILD" --root "$SRC_DIR" "$PWD/ec/exit-codes.md" >ec.out 2>&1
check "the checker catches a row whose message is not the code's" \
	grep -qP "^FAIL\t[^\t]*exit-codes\.md\t4\texit-text\t25 FWS_EROLLBACK" ec.out
check "the checker catches a command said to list a status its --help does not" \
	grep -qP "^FAIL\t[^\t]*exit-codes\.md\t5\texit-command\tfwseal-verify boot lists 32" ec.out
check "the checker catches a status a --help lists without a row in the table" \
	grep -qP "^FAIL\t[^\t]*exit-codes\.md\t1\texit-row\tfwseal verify 24\t" ec.out
check "a true row passes (2, FWS_EUSAGE)" \
	bash -c '! grep -qP "\t(exit-text\t2 |exit-row\t[^\t]* 2\t)" "$0"' ec.out

# ---- README: "fwseal.h includes them all" ----
missing_h=""
for h in "$SRC_DIR"/include/fwseal/*.h; do
	b=$(basename "$h")
	[ "$b" = fwseal.h ] && continue
	grep -q "#include \"fwseal/$b\"" "$SRC_DIR/include/fwseal/fwseal.h" || missing_h="$missing_h $b"
done
check "fwseal.h includes every public header, as the README says (missing:${missing_h:- none})" \
	test -z "$missing_h"

# ---- the docs ----
start=$(date +%s%N)
python3 "$CHECKER" --build "$BUILD" --root "$SRC_DIR" >docs.out 2>docs.err
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ $rc -gt 1 ] || ! grep -q '^DOC' docs.out; then
	not_ok "the checker ran over the docs (exit $rc)" "$(cat docs.err)"
	finish
fi
while IFS=$'\t' read -r tag doc line kind cite reason; do
	case $tag in
	FAIL) not_ok "$doc:$line: $cite" "$kind: $reason" ;;
	esac
done <docs.out
while IFS=$'\t' read -r tag doc n; do
	[ "$tag" = DOC ] || continue
	if ! grep -qP "^FAIL\t\Q$doc\E\t" docs.out; then
		ok "$doc: all $n citations are true"
	fi
done <docs.out
# A timing is reported, never a pass/fail (style: timings go to make bench).
echo "# note: test_doc_citations: the docs checked in ${ms} ms"
finish
