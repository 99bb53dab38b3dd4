# SPDX-License-Identifier: Apache-2.0
# One error path (docs/exit-codes.md, "How a failure is reported"): every
# failure of every command, usage errors included, leaves through one
# reporter. In text mode that is exactly one stderr line "PROG: ..."; with
# --json it is exactly one JSON object on standard output whose "error"
# member carries the same status, and "ok": false. The commands are taken
# from the tools' own command lists (PROG --help) and each status a failure
# ends with must be one its COMMAND --help lists: a status a command can
# end with but does not document fails here too. Subjects come from the
# library's diagnostic (which input failed), never from the code: a bad
# or replayed permit is named as the permit, an old bundle as the bundle, a
# bad root file as the root. Trust refusals name the values that disagreed
# (issue 21 item 7, ADR-077). Last, each command's --json members are the
# fields its --help documents (ADR-078).
# req: REQ-ERR-001
. "$(dirname "$0")/lib.sh"

std_setup
device_init dev
make_key other

# The commands of a tool, one per line ("root init" is one command).
commands_of() { "$1" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z0-9-]*\( [a-z0-9-]*\)\?\)  .*/\1/p' | sed 's/ *$//'; }
# The statuses COMMAND --help lists (asked once per command).
declare -A STATUSES
statuses_of() {
	local key="$1 $2"
	# shellcheck disable=SC2086
	[ -n "${STATUSES[$key]:-}" ] ||
		STATUSES[$key]=$("$1" $2 --help | sed -n '/^Exit status:/,$p' | sed -n 's/^  \([0-9][0-9]*\) .*/\1/p')
	printf '%s\n' "${STATUSES[$key]}"
}

# One python3 for every JSON check (a process per check would cost seconds):
# a request "result FILE STATUS" or "subject FILE NAME" per line, the
# problem (empty when none) per answer line.
coproc JSONCHK {
	python3 -u -c '
import json, sys
def result(path, want):
    text = open(path).read()
    try:
        obj, end = json.JSONDecoder().raw_decode(text)
    except ValueError as e:
        return "stdout is not JSON: %s" % e
    if text[end:].strip():
        return "more than one JSON value on stdout"
    if not isinstance(obj, dict) or not isinstance(obj.get("error"), dict):
        return "no \"error\" object"
    e = obj["error"]
    if e.get("status") != int(want) or obj.get("ok") is not False:
        return "error.status %r, ok %r" % (e.get("status"), obj.get("ok"))
    for k in ("name", "message"):
        if not isinstance(e.get(k), str) or not e[k]:
            return "error.%s missing" % k
    return ""
import re, subprocess
def documented(prog, cmd):
    h = subprocess.run([prog] + cmd.split() + ["--help"], stdout=subprocess.PIPE,
                       universal_newlines=True).stdout
    part = h.split("The command\x27s own fields:\n", 1)
    if len(part) < 2:
        return None
    names = set()
    for line in part[1].split("\n\n")[0].splitlines():
        if not line.startswith("  ") or line.startswith("   "):
            continue
        m = re.match(r"\(the fields of ([a-z -]+)\)", line.strip())
        if m:
            names |= documented(prog, m.group(1)) or set()
            continue
        # "name  what", "a, b, c  what", "name: {...}", "name (when): {...}",
        # and a name as wide as the column followed by one space.
        head = re.split(r"\s{2,}|:\s|\s\(", line.strip())[0]
        names |= {n.split()[0] for n in re.split(r",\s*", head)
                  if n.split() and re.fullmatch(r"[a-z_0-9]+", n.split()[0])}
    return names
def fields(path, progcmd):
    prog, cmd = progcmd.split(" ", 1)
    doc = documented(prog, cmd)
    got = set(json.load(open(path))) - {"format", "command", "ok"}
    if doc is None:
        return "its --help documents no JSON fields, it emits %s" % sorted(got)
    if got != doc:
        return ("emitted but not in --help: %s; in --help but not emitted: %s"
                % (sorted(got - doc), sorted(doc - got)))
    return ""
def subject(path, name):
    got = json.load(open(path))["error"]["subject"]
    return "" if got == name else "the subject is %r" % got
for line in sys.stdin:
    kind, path, arg = line.rstrip("\n").split("\t")
    try:
        check = {"result": result, "subject": subject, "fields": fields}[kind]
        print(check(path, arg).replace("\n", " "))
    except Exception as e:
        print("cannot check: %s" % e)
'
}
json_ask() {
	local answer
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >&"${JSONCHK[1]}"
	IFS= read -r answer <&"${JSONCHK[0]}"
	printf '%s' "$answer"
}
# json_result FILE STATUS: FILE is exactly one JSON object whose error has
# STATUS; prints the problem, if any.
json_result() { json_ask result "$1" "$2"; }

# fails STATUS PROG "CMD" ARGS...: with --json one object with "error" on
# stdout (and one stderr line); without it one stderr line; STATUS both
# times, and listed in CMD --help.
fails() {
	local want=$1 prog=$2 cmd=$3 problem="" got
	shift 3
	local desc="${T:-$(basename "$prog") $cmd $*}"
	# shellcheck disable=SC2086
	"$prog" $cmd "$@" --json >"$T_DIR/json.out" 2>"$T_DIR/json.err" </dev/null
	got=$?
	[ "$got" -eq "$want" ] || problem="--json: exit $got, expected $want"
	[ -z "$problem" ] && problem=$(json_result "$T_DIR/json.out" "$want")
	[ -z "$problem" ] && [ "$(wc -l <"$T_DIR/json.err")" -ne 1 ] &&
		problem="--json: $(wc -l <"$T_DIR/json.err") stderr lines"
	if [ -z "$problem" ]; then
		# shellcheck disable=SC2086
		"$prog" $cmd "$@" >"$T_DIR/text.out" 2>"$T_DIR/text.err" </dev/null
		got=$?
		[ "$got" -eq "$want" ] || problem="text: exit $got, expected $want"
		[ "$(wc -l <"$T_DIR/text.err")" -eq 1 ] && grep -q "^$(basename "$prog"): " "$T_DIR/text.err" ||
			problem="${problem:+$problem; }text: stderr is not one '$(basename "$prog"): ' line"
	fi
	# shellcheck disable=SC2086
	[ -n "${NO_CMD:-}" ] || statuses_of "$prog" "$cmd" | grep -qx "$want" ||
		problem="${problem:+$problem; }status $want is not listed in '$cmd --help'"
	if [ -z "$problem" ]; then
		ok "$desc: exit $want, one JSON error object, one stderr line"
	else
		not_ok "$desc" "$problem" "$(_show_file stdout "$T_DIR/json.out")" \
			"$(_show_file stderr "$T_DIR/json.err")"
	fi
}

# subject_is DESCRIPTION NAME: the last --json failure names NAME as its subject.
subject_is() {
	local problem
	problem=$(json_ask subject "$T_DIR/json.out" "$2")
	if [ -z "$problem" ]; then ok "$1"; else not_ok "$1" "$problem"; fi
}

# ---- usage errors of every command of every tool, with --json ----
n=0
for prog in "$FWSEAL" "$FWKEYS" "$FWVERIFY"; do
	while read -r cmd; do
		T="$(basename "$prog") $cmd: an unknown option" fails 2 "$prog" "$cmd" --no-such-option
		n=$((n + 1))
	done < <(commands_of "$prog")
done
check "the command lists were read (29 commands)" test "$n" -ge 29
NO_CMD=1 T="fwseal: an unknown command with --json" fails 2 "$FWSEAL" "no-such-command"
NO_CMD=1 T="fwseal-keys root: an unknown command with --json" fails 2 "$FWKEYS" "root nope"

# ---- failures past the command line: inputs, trust, device ----
echo '{}' >notabundle.json
printf 'x' >one-byte
fails 33 "$FWSEAL" verify --root root.json missing.fwb
fails 33 "$FWSEAL" verify --root missing.json v1.fwb
fails 19 "$FWSEAL" verify --root root.json one-byte
make_root root2.json other rel
fails 11 "$FWSEAL" verify --root root2.json v1.fwb
fails 24 "$FWSEAL" verify --root root.json --hardware hw-z v1.fwb
fails 16 "$FWSEAL" verify --root root.json --at 2200-01-01T00:00:00Z v1.fwb
fails 33 "$FWSEAL" inspect missing.fwb
fails 33 "$FWSEAL" record --root root.json --out r.json missing.fwb
fails 33 "$FWSEAL" sign --root root.json --key rel.key missing.fwb
fails 33 "$FWSEAL" permit --root root.json --key rel.key --device-id d1 --to-version 1.0.0 \
	--out p.json --bundle missing.fwb
fails 33 "$FWSEAL" attest --root root.json --key rel.key --out a.json missing.fwb
fails 33 "$FWSEAL" pack --manifest missing.json --key rel.key --root root.json --out x.fwb
fails 33 "$FWKEYS" fingerprint missing.pub
fails 33 "$FWKEYS" "root show" missing.json
fails 11 "$FWKEYS" "root verify" --trusted root2.json root.json
fails 27 "$FWVERIFY" status --device missing-dev
fails 27 "$FWVERIFY" boot --device missing-dev
fails 27 "$FWVERIFY" log --device missing-dev
fails 27 "$FWVERIFY" sbom --device missing-dev
T="init: a device already provisioned" fails 32 "$FWVERIFY" init --device dev --root root.json --hardware hw-a
T="install: a permit file that is not there" fails 33 "$FWVERIFY" install --device dev \
	--permit missing-permit.json v1.fwb
subject_is "the permit is the subject" missing-permit.json
T="mark-good before any boot" fails 45 "$FWVERIFY" mark-good --device dev
fails 33 "$FWSEAL" verify --root root.json --record missing.json v1.fwb

# ---- the subject is the input the library blames ----
make_release v0.json 0.9.0 0 hw-a b.bin:b.bin:kernel
pack v0.fwb v0.json rel root.json
install_confirm dev v1.fwb
echo '{"payloadType":"x","payload":"","signatures":[]}' >bad-permit.json
T="install: a broken permit for a rollback" fails 9 "$FWVERIFY" install --device dev \
	--permit bad-permit.json v0.fwb
subject_is "the broken permit is named as the subject, not the bundle" bad-permit.json
T="install: an old bundle without a permit" fails 25 "$FWVERIFY" install --device dev v0.fwb
subject_is "the old bundle is the subject" v0.fwb
T="init: a manifest given as the root" fails 10 "$FWVERIFY" init --device dev2 --root v1.json --hardware hw-a
subject_is "the root file is the subject, not the device" v1.json

# ---- trust failures say what failed: the input, the rule, both values ----
# (issue 21 item 7; docs/exit-codes.md)
# err_has TEXT: the last text-mode stderr line holds TEXT.
err_has() { check "the message says: $1" grep -qF -- "$1" "$T_DIR/text.err"; }
keyid() { "$FWKEYS" fingerprint "$1" | head -n 1 | cut -c1-16; }
T="verify against another root of trust (wrong --root)" fails 11 "$FWSEAL" verify --root root2.json v1.fwb
err_has "fwseal: v1.fwb: root/1.json: the bundle's root is signed by key id [$(keyid rootk.pub)]"
err_has "root v1's root role is [$(keyid other.pub)], threshold 1"
T="verify for hardware the manifest does not list" fails 24 "$FWSEAL" verify --root root.json --hardware hw-z v1.fwb
err_has 'hardware: the hardware id "hw-z" is not in the manifest'"'"'s hardware list ["hw-a"]'
T="verify after the root expired" fails 16 "$FWSEAL" verify --root root.json --at 2200-01-01T00:00:00Z v1.fwb
err_has "root v1 expired 2123-10-21T22:13:20Z; the time judged is 2200-01-01T00:00:00Z"
T="the release description given as --root" fails 10 "$FWSEAL" verify --root v1.json v1.fwb
err_has "fwseal: v1.json: this is a release description (the JSON fwseal pack reads), not a root of trust"
T="a bundle given as --root" fails 10 "$FWSEAL" verify --root v1.fwb v1.fwb
err_has "fwseal: v1.fwb: this is a bundle (a tar archive), not a root of trust"
T="a gzip bundle given as --root" fails 10 "$FWSEAL" verify --root v1.fwb.gz v1.fwb
err_has "this is a gzip-compressed bundle, not a root of trust"
T="a bundle given as the device's --root" fails 10 "$FWVERIFY" init --device dev3 --root v1.fwb --hardware hw-a
err_has "fwseal-verify: v1.fwb: this is a bundle (a tar archive), not a root of trust"
T="a JSON file given as the bundle (not 'truncated')" fails 17 "$FWSEAL" verify --root root.json v1.json
err_has "fwseal: v1.json: this is a release description (the JSON fwseal pack reads), not a bundle"
T="the root given as the bundle" fails 17 "$FWSEAL" verify --root root.json root.json
err_has "not a bundle (a tar archive made by fwseal pack)"
device_init devz hw-z
T="install on a device of other hardware" fails 24 "$FWVERIFY" install --device devz v1.fwb
err_has 'hardware: the hardware id "hw-z" is not in the manifest'
H=$TESTS_DIR/vectors/hostile
T="a manifest signature with one bit flipped (committed vector)" fails 12 "$FWSEAL" verify \
	--root "$H/root.json" --at 2024-01-01T00:00:00Z "$H/manifest/signature_flipped.fwb"
err_has "manifest.json: a signature on the manifest by a key of root v1's release role does not verify (signed by [d6bfcab058b9a861])"
T="a manifest signed by the root key, not a release key (committed vector)" fails 11 "$FWSEAL" \
	verify --root "$H/root.json" --at 2024-01-01T00:00:00Z "$H/manifest/keyid_root_role.fwb"
err_has "the manifest is signed by key id [9cc3185a9e680f4c]; root v1's release role is [d6bfcab058b9a861], threshold 1"
T="root verify from another root" fails 11 "$FWKEYS" "root verify" --trusted root2.json root.json
err_has "is signed by key id [$(keyid rootk.pub)]; root v1's root role is [$(keyid other.pub)]"

"$FWSEAL" permit --root root.json --key rel.key --device-id hw-a --to-version 0.9.0 \
	--bundle v0.fwb --out once.permit >/dev/null 2>&1 || die "fwseal permit"
"$FWVERIFY" install --device dev --permit once.permit v0.fwb >/dev/null 2>&1 ||
	die "install with the permit"
T="the same permit again (replay)" fails 40 "$FWVERIFY" install --device dev --permit once.permit v0.fwb
subject_is "the replayed permit is the subject" once.permit
err_has "created: replay: created 2023-11-14T22:13:20Z, not newer than the last permit this device used (created 2023-11-14T22:13:20Z)"

# ---- --json fields: what a command's --help documents is what it emits ----
# json_fields PROG "CMD" ARGS...: runs the command with --json (it must
# succeed) and compares the result's members with the fields its --help
# lists under "JSON (--json)" ("(the fields of boot)" follows boot's).
json_fields() {
	local prog=$1 cmd=$2
	shift 2
	# shellcheck disable=SC2086
	if ! "$prog" $cmd "$@" --json >"$T_DIR/ok.json" 2>"$T_DIR/ok.err"; then
		not_ok "$(basename "$prog") $cmd --json succeeds" "$(cat "$T_DIR/ok.err")"
		return
	fi
	local problem
	problem=$(json_ask fields "$T_DIR/ok.json" "$prog $cmd")
	if [ -z "$problem" ]; then
		ok "$(basename "$prog") $cmd --json: the fields its --help lists, no other"
	else
		not_ok "$(basename "$prog") $cmd --json: fields differ from its --help" "$problem"
	fi
}
device_init devj
json_fields "$FWVERIFY" install --device devj v1.fwb
json_fields "$FWVERIFY" boot --device devj
json_fields "$FWVERIFY" mark-good --device devj
json_fields "$FWVERIFY" status --device devj
json_fields "$FWVERIFY" log --device devj
json_fields "$FWSEAL" verify --root root.json v1.fwb
json_fields "$FWSEAL" inspect v1.fwb
json_fields "$FWSEAL" record --root root.json --out rec.json v1.fwb
json_fields "$FWKEYS" fingerprint rel.pub
json_fields "$FWKEYS" "root show" root.json
finish
