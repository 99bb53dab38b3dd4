#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/ci/: the shell steps the GitHub workflow and the GitLab job run
# (sign.sh, cosign.sh), run here for real with the example keys under a root
# whose release threshold is 2, so that the workflows cannot rot; the
# attacks on them (no passphrase, a wrong one, a missing key, an
# unauthorised co-signer, the same signer twice, a bundle left one
# signature short) each fail the step and release nothing; and both YAML
# files parse and wire the scripts, secrets and protected job as
# docs/ci/README.md says.
# req: REQ-KEY-005, REQ-KEY-003
. "$(dirname "$0")/lib.sh"

CI=$SRC_DIR/docs/ci
KEYS=$SRC_DIR/keys-example
export FWSEAL_BIN=$BUILD
# The example root was made in 2026-11: the clock, not lib.sh's fixed 2023 time.
unset FWSEAL_PASSPHRASE SOURCE_DATE_EPOCH
demo=fwseal-demo
# Root v2 from the example root: release needs release + release2.
cp "$KEYS/root.key" root.key && chmod 600 root.key || die "copying root.key"
FWSEAL_PASSPHRASE=$demo "$FWKEYS" root new --from "$KEYS/root.json" --out root2.json \
	--add-key "$KEYS/release2.pub" --role release --threshold release=2 --sign root.key \
	>"$T_DIR/setup.log" 2>&1 || die "root v2: $(cat "$T_DIR/setup.log")"
make_payload a.bin 70000
cat >release.json <<'JSON'
{"product": "ci-test", "version": "1.0.0", "security_version": 1, "hardware": ["hw-a"],
 "payloads": [{"name": "a.bin", "file": "a.bin", "target": "rootfs"}]}
JSON
# The secret as a CI hands it over: a world-readable file.
cp "$KEYS/release.key" secret-release.key && chmod 644 secret-release.key
cp "$KEYS/release2.key" secret-release2.key && chmod 644 secret-release2.key
cp "$KEYS/attacker.key" secret-attacker.key

sign() { # sign OUT [VAR=VALUE...]
	local out=$1
	shift
	env FWSEAL_PASSPHRASE=$demo FWSEAL_KEY_FILE=secret-release.key FWSEAL_MANIFEST=release.json \
		FWSEAL_ROOT="$KEYS/root.json root2.json" FWSEAL_OUT="$out" TMPDIR="$PWD/tmp" "$@" \
		sh "$CI/sign.sh"
}
cosign() { # cosign BUNDLE [VAR=VALUE...]
	local b=$1
	shift
	env FWSEAL_PASSPHRASE=$demo FWSEAL_KEY_FILE=secret-release2.key FWSEAL_ROOT=root2.json \
		FWSEAL_BUNDLE="$b" FWSEAL_HARDWARE=hw-a TMPDIR="$PWD/tmp" "$@" sh "$CI/cosign.sh"
}
mkdir -p tmp
: >empty.key

# expect_step STATUS CMD...: a step fails with STATUS, and says why on
# stderr in lines of fwseal's or the script's own (no JSON, no noise).
expect_step() {
	local want=$1 got
	shift
	"$@" >"$LAST_OUT" 2>"$LAST_ERR"
	got=$?
	if [ $got -eq "$want" ] && [ -s "$LAST_ERR" ] &&
		! grep -v -q -E '^(fwseal|sign\.sh|cosign\.sh): ' "$LAST_ERR"; then
		ok "$T (exit $got)"
	else
		not_ok "$T" "exit $got, expected $want" "$(cat "$LAST_ERR")"
	fi
}

T="sign.sh packs and signs with the key from the secret" expect_ok sign r.fwb
check "sign.sh says the bundle needs a co-signature" grep -q "needs co-signatures" "$LAST_OUT"
check "sign.sh wrote the bundle's sha256 and pack's report" bash -c \
	'sha256sum -c r.fwb.sha256 >/dev/null && grep -q "\"complete\": false" r.fwb.pack.json'
T="one signature of a threshold of 2 does not verify (13)" \
	expect_exit 13 "$FWSEAL" verify --root root2.json r.fwb
check "no copy of the key is left in TMPDIR" test -z "$(ls -A tmp)"
check "the secret file itself is left as the CI gave it" test "$(stat -c %a secret-release.key)" = 644

cp r.fwb r1.fwb && cp r.fwb r1.orig
T="cosign.sh adds the second signature and the bundle verifies" expect_ok cosign r.fwb
check "cosign.sh says releasable" grep -q "co-signed and verified: releasable" "$LAST_OUT"
T="the co-signed bundle verifies against root v2 for hw-a" \
	expect_ok "$FWSEAL" verify --root root2.json --hardware hw-a r.fwb
check "cosign.sh wrote the final sha256" sha256sum -c r.fwb.sha256
check "no copy of a key is left in TMPDIR after cosign.sh" test -z "$(ls -A tmp)"

# Attacks on the steps: each fails and releases nothing.
T="sign.sh without FWSEAL_PASSPHRASE fails before fwseal runs" \
	expect_step 1 sign none.fwb FWSEAL_PASSPHRASE=
check "  and writes no bundle" test ! -e none.fwb
T="sign.sh with a wrong passphrase ends with fwseal's 29" \
	expect_step 29 sign wrong.fwb FWSEAL_PASSPHRASE=not-the-passphrase
check "  and writes no bundle, no report" test ! -e wrong.fwb -a ! -e wrong.fwb.pack.json
T="sign.sh with the key secret missing fails" \
	expect_step 1 sign nokey.fwb FWSEAL_KEY_FILE=missing.key
T="sign.sh with an empty key secret fails" \
	expect_step 1 sign emptykey.fwb FWSEAL_KEY_FILE=empty.key
T="sign.sh with a key the root does not authorise ends with 31" \
	expect_step 31 sign attacker.fwb FWSEAL_KEY_FILE=secret-attacker.key
T="sign.sh never replaces an existing bundle (32)" expect_step 32 sign r.fwb
T="cosign.sh by the same key that signed ends with 39" \
	expect_step 39 cosign r1.fwb FWSEAL_KEY_FILE=secret-release.key
T="cosign.sh by a key not in the release role ends with 31" \
	expect_step 31 cosign r1.fwb FWSEAL_KEY_FILE=secret-attacker.key
check "  the refused co-signatures left the bundle byte for byte as it was" cmp r1.fwb r1.orig
# Root v3 needs three release signatures: one co-signature is not enough.
cp "$KEYS/release.key" release.key && chmod 600 release.key || die "copying release.key"
{ FWSEAL_PASSPHRASE=$demo "$FWKEYS" root new --from root2.json --out root3.json \
	--add-key "$KEYS/root.pub" --role release --threshold release=3 --sign root.key &&
	FWSEAL_PASSPHRASE=$demo "$FWSEAL" pack --manifest release.json --key release.key \
		--root "$KEYS/root.json" --root root2.json --root root3.json --out short.fwb --quiet; } \
	>"$T_DIR/setup.log" 2>&1 || die "root v3 and its bundle: $(cat "$T_DIR/setup.log")"
T="cosign.sh whose signature still leaves the bundle short (2 of 3) fails with 13" \
	expect_step 13 cosign short.fwb FWSEAL_ROOT=root3.json
check "  and writes no final sha256, says not releasable" bash -c \
	'test ! -e short.fwb.sha256 && grep -q "not releasable" "$0"' "$LAST_ERR"
check "the scripts never enable xtrace (the passphrase would be logged)" bash -c \
	'! grep -n -E "set -[a-z]*x|bash -x|sh -x" "$0"/*.sh' "$CI"

# The workflows: valid YAML wired to the scripts and secrets.
if python3 -c 'import yaml' 2>/dev/null; then
	check "github-release.yml: sign job, then a cosign job in a protected environment, both running the scripts" \
		python3 - "$CI/github-release.yml" <<'PY'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w.get("on", w.get(True))
assert on["push"]["tags"], "not run on tags"
jobs = w["jobs"]
runs = lambda j: " ".join(s.get("run", "") for s in jobs[j]["steps"])
assert "sh docs/ci/sign.sh" in runs("sign")
assert "sh docs/ci/cosign.sh" in runs("cosign")
assert jobs["cosign"]["needs"] == "sign"
assert jobs["cosign"]["environment"] == "release-cosign"
assert "environment" not in jobs["sign"]
envs = lambda j: {k: v for s in jobs[j]["steps"] for k, v in s.get("env", {}).items()}
assert envs("sign")["FWSEAL_PASSPHRASE"] == "${{ secrets.FWSEAL_PASSPHRASE }}"
assert envs("cosign")["FWSEAL_PASSPHRASE"] == "${{ secrets.FWSEAL_COSIGN_PASSPHRASE }}"
assert "secrets.FWSEAL_COSIGN" not in str(jobs["sign"]), "co-signer secrets in the first job"
PY
	check "gitlab-release.yml: sign job, then a manual cosign job of a protected environment" \
		python3 - "$CI/gitlab-release.yml" <<'PY'
import sys, yaml
g = yaml.safe_load(open(sys.argv[1]))
s, c = g["fwseal-sign"], g["fwseal-cosign"]
assert any("sh docs/ci/sign.sh" in l for l in s["script"])
assert any("sh docs/ci/cosign.sh" in l for l in c["script"])
assert c["needs"] == ["fwseal-sign"] and c["environment"]["name"] == "release-cosign"
assert c["rules"][0]["when"] == "manual" and c["allow_failure"] is False
assert "environment" not in s and "FWSEAL_COSIGN" not in str(s)
assert g["stages"] == ["sign", "cosign"]
PY
else
	ok "the CI YAML files parse # SKIP python3-yaml is not installed (apt-get install python3-yaml)"
fi
finish
