#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# SBOMs in bundles (docs/format.md §14, ADR-053): pack --sbom checks what a
# regulator expects and signs the SBOM as entry sbom/<name>; verify streams
# and hashes it; inspect --sbom gives it only from a verified bundle. Every
# SBOM used here is first validated against the real schemas, offline:
# SPDX 2.3 with Debian's python3-jsonschema, CycloneDX 1.5/1.6 with the
# CycloneDX JavaScript library pinned in tests/sbom/package-lock.json.
# req: REQ-SBOM-001
source "$(dirname "$0")/lib.sh"

SBOM_DIR=$TESTS_DIR/sbom
PY=/usr/bin/python3 # Debian's python3 with python3-jsonschema, -nacl, -securesystemslib
EDIT=$SBOM_DIR/bundle_edit.py
# make check runs the attacks the issue names and a representative part of
# the rest; make check-long (long_sbom_all.sh: SBOM_FULL=1) every variant: each
# successful pack, attest and device step unlocks a key (Argon2id), which
# is what costs time here.
SBOM_FULL=${SBOM_FULL:-0}
full() { [ "$SBOM_FULL" = 1 ]; }

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_payload b.bin 5000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v1.fwb v1.json rel root.json
cp "$SBOM_DIR/pump.cdx.json" "$SBOM_DIR/pump.spdx.json" .

# ---- the SBOMs of this test, good and bad, made from the two real ones ----
# req: REQ-SBOM-002
"$PY" - <<'EOF' || die "making the SBOM variants"
import copy, json
cdx = json.load(open("pump.cdx.json"))
spdx = json.load(open("pump.spdx.json"))
def put(name, doc):
    json.dump(doc, open(name, "w"), indent=1)
def cv(name, fn):
    d = copy.deepcopy(cdx); fn(d); put(name + ".cdx.json", d)
def sv(name, fn):
    d = copy.deepcopy(spdx); fn(d); put(name + ".spdx.json", d)
cv("v15", lambda d: d.update(specVersion="1.5"))
def no_extras(d):
    for c in [d["metadata"]["component"]] + d["components"] + d["components"][1]["components"]:
        c.pop("properties")
cv("noextras", no_extras)
cv("badeos", lambda d: d["components"][0]["properties"][1].update(value="2033-13-40"))
cv("nosupplier", lambda d: d["components"][0].pop("supplier"))
cv("noid", lambda d: d["components"][1]["components"][0].pop("purl"))
cv("noversion", lambda d: d["components"][0].pop("version"))
cv("nodeps", lambda d: d.pop("dependencies"))
def orphan(d):
    d["dependencies"] = [x for x in d["dependencies"] if x["ref"] != "pkg:generic/zlib@1.3.1"]
    d["dependencies"][0]["dependsOn"].remove("pkg:generic/zlib@1.3.1")
cv("orphan", orphan)
cv("dangling", lambda d: d["dependencies"][1]["dependsOn"].append("pkg:generic/ghost@1.0"))
cv("notime", lambda d: d["metadata"].pop("timestamp"))
def noauthor(d):
    d["metadata"].pop("authors"); d["metadata"].pop("tools")
cv("noauthor", noauthor)
cv("otherversion", lambda d: d["metadata"]["component"].update(version="1.0.1"))
cv("otherproduct", lambda d: d["metadata"]["component"].update(name="other-pump"))
cv("v14", lambda d: d.update(specVersion="1.4"))
sv("docdescribes", lambda d: (d.update(documentDescribes=["SPDXRef-Package-test-pump"]),
                              d["relationships"].pop(0)))
sv("noextras", lambda d: [p.pop("annotations") for p in d["packages"]])
sv("noassertion", lambda d: d["packages"][1].update(supplier="NOASSERTION"))
sv("nocpe", lambda d: d["packages"][1].pop("externalRefs"))
sv("nodescribes", lambda d: d["relationships"].pop(0))
sv("describeszlib", lambda d: d["relationships"][0].update(relatedSpdxElement="SPDXRef-Package-zlib"))
sv("orphan", lambda d: d["relationships"].pop(1))
sv("nocreated", lambda d: d["creationInfo"].pop("created"))
sv("v22", lambda d: d.update(spdxVersion="SPDX-2.2"))
def v3(d):
    d["packages"][0]["versionInfo"] = "3.0.0"
    d["packages"][0]["externalRefs"][0]["referenceLocator"] = "pkg:generic/example-medical/test-pump@3.0.0"
sv("v3", v3)
both = copy.deepcopy(spdx); both["bomFormat"] = "CycloneDX"; put("both.spdx.json", both)
text = open("pump.cdx.json").read()
# one key twice: two parsers, two SBOMs
open("dupkey.cdx.json", "w").write(text.replace('"name": "zlib",', '"name": "zlib", "name": "zl1b",', 1))
open("deep.cdx.json", "w").write(text.replace('"version": 1,', '"x": ' + "[" * 40 + "]" * 40 + ',"version": 1,', 1))
open("notjson.cdx.json", "w").write(text[:-20])
# 16 MiB + 1 byte: a valid document padded with spaces
open("big.cdx.json", "w").write(text.rstrip() + " " * (16 * 1024 * 1024 + 1 - len(text.rstrip())))
EOF

# The SBOMs pack accepts, and those refused for what only fwseal's checker
# demands (supplier, identifier, graph, the release as the described
# component): all of them are valid against the official schemas, so the
# refusals below are fwseal's rules, not schema errors.
cp "$SBOM_DIR/unit.cdx.json" "$SBOM_DIR/unit-min.cdx.json" . # the unit tests' SBOMs
CDX_VALID="unit.cdx.json unit-min.cdx.json pump.cdx.json v15.cdx.json noextras.cdx.json badeos.cdx.json nosupplier.cdx.json
	noid.cdx.json nodeps.cdx.json orphan.cdx.json otherversion.cdx.json otherproduct.cdx.json"
SPDX_VALID="pump.spdx.json docdescribes.spdx.json noextras.spdx.json noassertion.spdx.json
	nocpe.spdx.json nodescribes.spdx.json describeszlib.spdx.json orphan.spdx.json v3.spdx.json"

if "$PY" -c 'import jsonschema' 2>/dev/null; then
	# shellcheck disable=SC2086
	if out=$("$PY" - "$SBOM_DIR/spdx-schema.json" $SPDX_VALID nocreated.spdx.json 2>&1 <<'EOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
bad = 0
for f in sys.argv[2:-1]:
    errs = list(v.iter_errors(json.load(open(f))))
    if errs:
        bad += 1
        print(f, "invalid:", errs[0].message)
# The control: a document the schema must refuse (created is required).
if not list(v.iter_errors(json.load(open(sys.argv[-1])))):
    bad += 1
    print(sys.argv[-1], "was accepted by the schema: the validator checks nothing")
sys.exit(bad != 0)
EOF
	); then
		ok "SPDX 2.3 schema (python3-jsonschema): every SPDX SBOM of this test is valid, the control without creationInfo.created is not"
	else
		not_ok "SPDX 2.3 schema (python3-jsonschema)" "$out"
	fi
else
	ok "SPDX 2.3 schema validation # SKIP python3-jsonschema missing (make test-deps installs it)"
fi

if command -v node >/dev/null 2>&1 && sh "$SBOM_DIR/npm_ci.sh" >"$T_DIR/npm.log" 2>&1 &&
	[ -d "$SBOM_DIR/node_modules/@cyclonedx/cyclonedx-library" ]; then
	"$PY" -c 'import json; d=json.load(open("pump.cdx.json")); d["unknownField"]=1; json.dump(d, open("extra.cdx.json","w"))'
	# shellcheck disable=SC2086
	T="CycloneDX schemas (@cyclonedx/cyclonedx-library, strict): every CycloneDX SBOM of this test is valid; the controls (an unknown field, specVersion 1.4) are not" \
		expect_ok node "$SBOM_DIR/cdx_validate.mjs" $CDX_VALID '!extra.cdx.json' '!v14.cdx.json'
	check "... the control was refused for its unknown field" grep -q 'extra.cdx.json: not valid.*must NOT have additional properties' "$LAST_OUT"
else
	ok "CycloneDX schema validation # SKIP node/npm missing or npm ci failed: $(tail -n 1 "$T_DIR/npm.log" 2>/dev/null)"
fi

# ---- pack --sbom ----

# "${PACK[@]}" NAME.fwb --sbom FILE [options]: pack v1.json with an SBOM
PACK=("$FWSEAL" pack --manifest v1.json --key rel.key --root root.json --out)

expect_ok "${PACK[@]}" cdx.fwb --sbom pump.cdx.json
expect_ok "${PACK[@]}" spdx.fwb --sbom pump.spdx.json
if full; then
	expect_ok "${PACK[@]}" cdx15.fwb --sbom v15.cdx.json
	expect_ok "${PACK[@]}" docdesc.fwb --sbom docdescribes.spdx.json
fi
check "the bundle carries the SBOM byte for byte as entry sbom/pump.cdx.json" \
	cmp pump.cdx.json <(tar -xOf cdx.fwb sbom/pump.cdx.json)
check "entry order: manifest, root, sbom, then the payloads (each: chunks, blocks, bytes)" \
	test "$(tar -tf cdx.fwb | tr '\n' ' ')" = \
	"manifest.json root/1.json sbom/pump.cdx.json chunks/a.bin blocks/a.bin payloads/a.bin chunks/b.bin blocks/b.bin payloads/b.bin "
expect_ok "$FWSEAL" verify --root root.json --json cdx.fwb
check "the signed manifest names it: sbom_document {name, sbom_format cyclonedx-1.6, size, sha256 = sha256sum}" \
	"$PY" -c 'import json, hashlib, sys
d = json.load(open(sys.argv[1]))["manifest"]["sbom_document"]
b = open("pump.cdx.json", "rb").read()
assert d == {"name": "pump.cdx.json", "sbom_format": "cyclonedx-1.6", "size": len(b),
             "sha256": hashlib.sha256(b).hexdigest()}, d' "$LAST_OUT"
for b in spdx:spdx-2.3 cdx15:cyclonedx-1.5 docdesc:spdx-2.3; do
	[ -e "${b%%:*}.fwb" ] || continue
	expect_ok "$FWSEAL" verify --root root.json --json "${b%%:*}.fwb"
	check "${b%%:*}.fwb: sbom_format ${b#*:}" \
		grep -q "\"sbom_format\": \"${b#*:}\"" "$LAST_OUT"
done
expect_ok "${PACK[@]}" cdxgz.fwb --sbom pump.cdx.json --gzip
expect_ok "$FWSEAL" verify --root root.json cdxgz.fwb
check "a bundle without an SBOM still verifies and says sbom_document null" \
	sh -c '"$1" verify --root root.json --json v1.fwb | grep -q "\"sbom_document\": null"' _ "$FWSEAL"

# req: REQ-SBOM-002
# FDA extras: a warning each, an error under --sbom-strict.
"${PACK[@]}" warn.fwb --sbom noextras.cdx.json >"$T_DIR/out" 2>"$T_DIR/err"
check "missing support level / end of support: packed (exit 0) with one warning per component and field" \
	sh -c '[ $(grep -c "^fwseal: noextras.cdx.json: .*: warning: " "$1") -eq 8 ] &&
		grep -q "components\[0\] \"zlib\": warning: no support level" "$1"' _ "$T_DIR/err"
if full; then
	"${PACK[@]}" warn2.fwb --sbom badeos.cdx.json >"$T_DIR/out" 2>"$T_DIR/err"
	check "end of support 2033-13-40 (no such date): a warning" \
		grep -q 'components\[0\] "zlib": warning: a malformed end of support' "$T_DIR/err"
	expect_ok "${PACK[@]}" strictok.fwb --sbom pump.cdx.json --sbom-strict
fi
T="FDA extras missing under --sbom-strict: refused (60)" \
	expect_exit 60 "${PACK[@]}" strict.fwb --sbom noextras.cdx.json --sbom-strict
check "... naming the component and the field" grep -q 'metadata.component "test-pump": no support level' "$LAST_ERR"
T="SPDX without the fwseal: annotations under --sbom-strict: refused (60)" \
	expect_exit 60 "${PACK[@]}" strict.fwb --sbom noextras.spdx.json --sbom-strict
T="--sbom-strict without --sbom is a usage error" \
	expect_exit 2 "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json --out x.fwb --sbom-strict

# What a regulator expects, missing: refused, naming component and field.
refused() { # STATUS FILE PATTERN WHAT
	T="$4: refused ($1)" expect_exit "$1" "${PACK[@]}" bad.fwb --sbom "$2" &&
		check "... the message names it: $3" grep -q -- "$3" "$LAST_ERR"
}
refused 60 nosupplier.cdx.json 'components\[0\] "zlib": no supplier' "CycloneDX component without supplier"
refused 60 noid.cdx.json 'components\[1\].components\[0\] "libsodium-core": neither purl nor cpe' \
	"nested CycloneDX component without purl or cpe"
refused 60 noversion.cdx.json 'components\[0\] "zlib": no version' "CycloneDX component without version"
refused 60 nodeps.cdx.json 'dependencies: missing or empty' "CycloneDX without a dependency graph"
refused 60 orphan.cdx.json 'components\[0\] "zlib": not in the dependency graph' \
	"CycloneDX component outside the dependency graph"
refused 60 dangling.cdx.json 'dependencies\[1\].dependsOn\[0\]: "pkg:generic/ghost@1.0" names no' \
	"CycloneDX graph naming a component that does not exist"
refused 60 notime.cdx.json 'metadata.timestamp: missing' "CycloneDX without a timestamp"
refused 60 noauthor.cdx.json 'metadata.authors: neither authors nor tools' "CycloneDX without author or tool"
refused 60 otherversion.cdx.json 'describes "test-pump" "1.0.1", but the manifest releases "test-pump" "1.0.0"' \
	"SBOM of another version than the manifest's"
refused 60 otherproduct.cdx.json 'describes "other-pump"' "SBOM of another product than the manifest's"
refused 60 noassertion.spdx.json 'packages\[1\] "zlib": no supplier' "SPDX package with supplier NOASSERTION"
refused 60 nocpe.spdx.json 'packages\[1\] "zlib": neither purl nor cpe' "SPDX package without purl or cpe"
refused 60 nodescribes.spdx.json 'documentDescribes: nothing described' "SPDX describing nothing"
refused 60 describeszlib.spdx.json 'documentDescribes: describes "zlib" "1.3.1"' "SPDX describing a library, not the release"
refused 60 orphan.spdx.json 'packages\[0\] "test-pump": not in the dependency graph' "SPDX package without a dependency relationship"
refused 60 nocreated.spdx.json 'creationInfo.created: missing' "SPDX without creationInfo.created"
refused 61 v14.cdx.json 'specVersion: "1.4" is not 1.5 or 1.6' "CycloneDX 1.4"
refused 61 v22.spdx.json 'spdxVersion: "SPDX-2.2" is not SPDX-2.3' "SPDX 2.2"
refused 61 both.spdx.json 'both bomFormat and spdxVersion' "a document claiming to be SPDX and CycloneDX at once"
# req: REQ-FMT-004, REQ-FMT-005, REQ-FS-003
refused 7 dupkey.cdx.json 'duplicate' "SBOM with a duplicate key (two parsers, two SBOMs)"
refused 7 deep.cdx.json 'nested more than 32 levels' "SBOM nested 40 levels deep"
refused 7 notjson.cdx.json 'line' "SBOM that is not JSON"
refused 6 big.cdx.json '16777216' "SBOM of 16 MiB + 1 byte"
cp pump.cdx.json 'bad name.json'
T="SBOM file whose name is not a bundle entry name: refused (8)" \
	expect_exit 8 "${PACK[@]}" bad.fwb --sbom 'bad name.json'
check "no bundle was written by any refused pack" test ! -e bad.fwb -a ! -e strict.fwb

# ---- verify: the SBOM is signed like everything else ----
# req: REQ-SBOM-003, REQ-FMT-001, REQ-FMT-005
entry_get cdx.fwb sbom/pump.cdx.json >sbom.orig
sed 's/"zlib"/"zl1b"/' sbom.orig >sbom.same-size
T="SBOM swapped after signing (same size): refused (22)" \
	expect_exit 22 "$FWSEAL" verify --root root.json "$(entry_set cdx.fwb sbom/pump.cdx.json sbom.same-size swapped.fwb; echo swapped.fwb)"
check "... naming the entry and the signed digest" grep -q 'sbom/pump.cdx.json: does not match the manifest.s sbom_document.sha256' "$LAST_ERR"
cat sbom.orig sbom.orig >sbom.longer
entry_set cdx.fwb sbom/pump.cdx.json sbom.longer longer.fwb
T="SBOM entry longer than signed (too large): refused (21)" \
	expect_exit 21 "$FWSEAL" verify --root root.json longer.fwb
"$PY" "$EDIT" drop cdx.fwb sbom/pump.cdx.json missing.fwb || die "drop"
T="SBOM entry missing (manifest names one): refused (18)" \
	expect_exit 18 "$FWSEAL" verify --root root.json missing.fwb
"$PY" "$EDIT" insert v1.fwb root/1.json sbom/pump.cdx.json pump.cdx.json extra.fwb || die "insert"
T="extra SBOM entry in a bundle whose manifest names none: refused (18)" \
	expect_exit 18 "$FWSEAL" verify --root root.json extra.fwb
"$PY" "$EDIT" rename cdx.fwb sbom/pump.cdx.json sbom/other.json renamed.fwb || die "rename"
T="SBOM entry renamed: refused (18)" expect_exit 18 "$FWSEAL" verify --root root.json renamed.fwb
# Manifests edited and re-signed with the real release key (bundle_edit.py).
"$PY" "$EDIT" resign cdx.fwb rel.key "$FWSEAL_PASSPHRASE" resigned.fwb 'pass' \
	lying.fwb 'm["sbom_document"]["sbom_format"]="spdx-2.3"' \
	unknownfmt.fwb 'm["sbom_document"]["sbom_format"]="cyclonedx-1.4"' \
	huge.fwb 'm["sbom_document"]["size"]=16*1024*1024+1' \
	unknownkey.fwb 'm["sbom_document"]["extra"]=1' \
	twosboms.fwb 'm["sbom"]="a.bin"' || die "resign"
T="control: a manifest re-signed unchanged by the test's own signer verifies" \
	expect_ok "$FWSEAL" verify --root root.json resigned.fwb
T="sbom_format lying (signed spdx-2.3, the entry is CycloneDX): fwseal verify refuses (61)" \
	expect_exit 61 "$FWSEAL" verify --root root.json lying.fwb
check "... naming both formats" grep -q 'the signed sbom_format is spdx-2.3, but the document is cyclonedx-1.6' "$LAST_ERR"
T="sbom_format lying: inspect --sbom refuses too (61)" \
	expect_exit 61 "$FWSEAL" inspect --sbom --root root.json lying.fwb
T="sbom_format outside the three known: refused (8)" \
	expect_exit 8 "$FWSEAL" verify --root root.json unknownfmt.fwb
T="manifest declaring an SBOM above 16 MiB: refused (6)" \
	expect_exit 6 "$FWSEAL" verify --root root.json huge.fwb
T="unknown key in sbom_document: refused (8)" \
	expect_exit 8 "$FWSEAL" verify --root root.json unknownkey.fwb
T="sbom and sbom_document together (two SBOMs): refused (8)" \
	expect_exit 8 "$FWSEAL" verify --root root.json twosboms.fwb

# ---- inspect --sbom: only after verification ----
# req: REQ-SBOM-003
T="inspect --sbom gives the signed bytes after verifying" \
	expect_ok "$FWSEAL" inspect --sbom --root root.json cdx.fwb
check "... exactly the packed SBOM" cmp "$LAST_OUT" pump.cdx.json
T="inspect --sbom from standard input" expect_ok sh -c '"$1" inspect --sbom --root root.json - <cdxgz.fwb' _ "$FWSEAL"
check "... the same bytes" cmp "$LAST_OUT" pump.cdx.json
expect_ok "$FWSEAL" inspect --sbom --root root.json --out got.json spdx.fwb
check "inspect --sbom --out wrote the SPDX SBOM" cmp got.json pump.spdx.json
T="inspect --sbom --out onto an existing file: refused (32)" \
	expect_exit 32 "$FWSEAL" inspect --sbom --root root.json --out got.json spdx.fwb
T="inspect --sbom without --root: usage error (2), never an unverified SBOM" \
	expect_exit 2 "$FWSEAL" inspect --sbom cdx.fwb
check "... and nothing on standard output" test ! -s "$LAST_OUT"
T="inspect --sbom of a swapped SBOM: refused (22), nothing printed" \
	expect_exit 22 "$FWSEAL" inspect --sbom --root root.json swapped.fwb
check "... standard output empty" test ! -s "$LAST_OUT"
T="inspect --sbom of a bundle without an SBOM: 33" \
	expect_exit 33 "$FWSEAL" inspect --sbom --root root.json v1.fwb
T="inspect --root without --sbom: usage error" expect_exit 2 "$FWSEAL" inspect --root root.json cdx.fwb
expect_ok "$FWSEAL" inspect --json cdx.fwb
check "plain inspect lists the sbom entry (unverified listing)" grep -q '"sbom/pump.cdx.json"' "$LAST_OUT"

# ---- attest: an in-toto Statement v1 in DSSE, checked by an independent verifier ----
# req: REQ-SBOM-005
DSSE=$SBOM_DIR/dsse_check.py
expect_ok "$FWSEAL" attest --root root.json --key rel.key --out cdx.att.json cdx.fwb
expect_ok "$FWSEAL" attest --root root.json --key rel.key --out spdx.att.json spdx.fwb
if "$PY" -c 'import securesystemslib.signer, cryptography' 2>/dev/null; then
	"$PY" - <<'EOF2' || die "forging an attestation"
import base64, json
e = json.load(open("cdx.att.json"))
st = json.loads(base64.b64decode(e["payload"]))
st["subject"][0]["digest"]["sha256"] = "00" * 32
e["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
json.dump(e, open("forged.att.json", "w"))
EOF2
	# One process for every case: importing securesystemslib is the slow part.
	dsse_case() { # STATUS DESCRIPTION ENVELOPE KEY BUNDLE [SBOM]
		local IFS=$'\t'
		echo "$*" >>dsse.cases
	}
	: >dsse.cases
	dsse_case 0 "independent DSSE check (PAE computed by the test, Ed25519 by securesystemslib 0.26 SSlibKey and python3-cryptography): the CycloneDX attestation names cdx.fwb, its payloads and chunk lists, predicate = the SBOM" \
		cdx.att.json rel.pub cdx.fwb pump.cdx.json
	dsse_case 0 "independent DSSE check: the SPDX attestation, predicateType https://spdx.dev/Document" \
		spdx.att.json rel.pub spdx.fwb pump.spdx.json
	dsse_case 3 "attestation subject mismatch: the attestation of cdx.fwb presented for another bundle is refused by the independent verifier" \
		cdx.att.json rel.pub cdxgz.fwb
	dsse_case 4 "attestation predicate mismatch: the attestation of cdx.fwb does not carry the SPDX SBOM" \
		cdx.att.json rel.pub cdx.fwb pump.spdx.json
	dsse_case 1 "attestation whose subject was edited after signing: the signature fails" \
		forged.att.json rel.pub cdx.fwb
	dsse_case 1 "attestation checked with another key (the root key): refused" \
		cdx.att.json rootk.pub cdx.fwb
	"$PY" "$DSSE" --cases dsse.cases
else
	ok "independent DSSE check # SKIP python3-securesystemslib or python3-cryptography missing (make test-deps installs them)"
fi
T="attest with a key that is not a release key (the root key): refused (31)" \
	expect_exit 31 "$FWSEAL" attest --root root.json --key rootk.key --out x.att.json cdx.fwb
full && T="attest of a bundle without an SBOM: 33" \
	expect_exit 33 "$FWSEAL" attest --root root.json --key rel.key --out x.att.json v1.fwb
T="attest of a bundle whose SBOM was swapped after signing: refused (22)" \
	expect_exit 22 "$FWSEAL" attest --root root.json --key rel.key --out x.att.json swapped.fwb
full && T="attest of a bundle with a lying sbom_format: refused (61)" \
	expect_exit 61 "$FWSEAL" attest --root root.json --key rel.key --out x.att.json lying.fwb
check "no attestation written by a refused attest" test ! -e x.att.json
full && T="attest onto an existing file: refused (32)" \
	expect_exit 32 "$FWSEAL" attest --root root.json --key rel.key --out cdx.att.json cdx.fwb

# Co-signing rewrites the bundle entry by entry: the SBOM entry survives.
if full; then
	make_key rel2
	"$FWKEYS" root init --root-key rootk.pub --sign rootk.key --release-key rel.pub \
		--release-key rel2.pub --release-threshold 2 --expires 36500 --out root2.json \
		>/dev/null 2>&1 || die "root2"
	"$FWSEAL" pack --manifest v1.json --key rel.key --root root2.json --out two.fwb \
		--sbom pump.cdx.json >/dev/null 2>&1 || die "pack two.fwb"
	T="co-signing a bundle with an SBOM" expect_ok "$FWSEAL" sign --key rel2.key --root root2.json two.fwb
	T="... the co-signed bundle's SBOM is the packed one" \
		expect_ok "$FWSEAL" inspect --sbom --root root2.json two.fwb
	check "... byte for byte" cmp "$LAST_OUT" pump.cdx.json
fi

# ---- release records: pack --record, record, verify --record ----
# req: REQ-SBOM-006
T="pack --record: the bundle, then its release record" \
	expect_ok "${PACK[@]}" rec.fwb --sbom pump.cdx.json --record rec.json
check "the record names the bundle, manifest, SBOM and every input by digest, the tool, SOURCE_DATE_EPOCH and a passing selftest" \
	"$PY" - "$("$FWSEAL" --version)" <<'EOF2'
import hashlib, json, sys
r = json.load(open("rec.json"))
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
assert r["record_type"] == "fwseal-release-record" and r["record_version"] == 1, r
assert r["bundle"] == {"name": "rec.fwb", "sha256": sha("rec.fwb"),
                       "size": len(open("rec.fwb", "rb").read())}, r["bundle"]
assert r["sbom"]["sha256"] == sha("pump.cdx.json") and r["sbom"]["sbom_format"] == "cyclonedx-1.6"
roles = {i["role"]: i for i in r["inputs"]}
assert sorted(roles) == ["key", "payload:a.bin", "payload:b.bin", "release-description", "root",
                         "sbom"], roles
for i in r["inputs"]:
    assert i["sha256"] == sha(i["path"]), i
assert r["payloads"][0]["sha256"] == sha("a.bin") and r["payloads"][1]["sha256"] == sha("b.bin")
assert r["source_date_epoch"] == 1700000000
assert r["selftest"]["result"] == "pass" and r["selftest"]["failed"] == 0 and r["selftest"]["total"] > 0
assert r["tool"]["name"] == "fwseal" and r["tool"]["version"] in sys.argv[1], (r["tool"], sys.argv[1])
assert r["product"] == "test-pump" and r["version"] == "1.0.0" and r["security_version"] == 1
assert r["root_version"] == 1 and len(r["signers"]) == 1
EOF2
T="verify --record: the bundle matches its record" \
	expect_ok "$FWSEAL" verify --root root.json --record rec.json rec.fwb
check "... and says so" grep -q 'matches the release record rec.json' "$LAST_OUT"
T="fwseal record (after the fact) to standard output" \
	expect_ok "$FWSEAL" record --root root.json rec.fwb
cp "$LAST_OUT" later.json
T="... that record verifies too (it names the root file as its one input)" \
	expect_ok "$FWSEAL" verify --root root.json --record later.json rec.fwb
check "... same digests as pack's record" "$PY" -c 'import json
a, b = json.load(open("rec.json")), json.load(open("later.json"))
assert all(a[k] == b[k] for k in ("bundle", "manifest_sha256", "sbom", "payloads", "signers"))
assert [i["role"] for i in b["inputs"]] == ["root"]'
expect_ok "$FWSEAL" record --root root.json --out v1.rec.json v1.fwb
check "a bundle without SBOM: sbom null in its record" grep -q '"sbom": null' v1.rec.json
# Records edited after the fact: each names the field.
edit_record() { # OUT PYTHON-STATEMENT over r
	"$PY" -c 'import json, sys
r = json.load(open("rec.json"))
exec(sys.argv[2])
json.dump(r, open(sys.argv[1], "w"), indent=1)' "$1" "$2" || die "edit_record $1"
}
edited() { # WHERE EDIT WHAT
	edit_record edited.json "$2"
	T="record edited ($3): refused (62)" \
		expect_exit 62 "$FWSEAL" verify --root root.json --record edited.json rec.fwb &&
		check "... naming $1" grep -q "^fwseal: edited.json: $1: the record says" "$LAST_ERR"
}
edited version 'r["version"] = "1.0.1"' "another version"
full && edited security_version 'r["security_version"] = 7' "another security_version"
edited 'bundle.sha256' 'r["bundle"]["sha256"] = "0" * 64' "the bundle digest"
full && edited 'manifest_sha256' 'r["manifest_sha256"] = "1" * 64' "the manifest digest"
edited 'payloads\[1\].sha256' 'r["payloads"][1]["sha256"] = "2" * 64' "a payload digest"
edited sbom 'r["sbom"]["sha256"] = "3" * 64' "the SBOM digest"
full && edited sbom 'r["sbom"] = None' "the SBOM removed"
edited signers 'r["signers"] = ["4" * 64]' "the signer"
full && edited root_version 'r["root_version"] = 2' "the root version"
T="a re-compressed bundle (same manifest, another file) is not the recorded one: refused (62)" \
	expect_exit 62 "$FWSEAL" verify --root root.json --record rec.json cdxgz.fwb
check "... naming bundle.sha256" grep -q ': bundle.sha256: the record says' "$LAST_ERR"
T="another release checked against this record: refused (62)" \
	expect_exit 62 "$FWSEAL" verify --root root.json --record rec.json spdx.fwb
edit_record bad.json 'r["approved_by"] = "me"'
T="record with an unknown field: refused (8)" \
	expect_exit 8 "$FWSEAL" verify --root root.json --record bad.json rec.fwb
edit_record bad.json 'r["record_type"] = "other"'
T="not a release record (record_type): refused (8)" \
	expect_exit 8 "$FWSEAL" verify --root root.json --record bad.json rec.fwb
head -c 100 rec.json >bad.json
T="record that is not JSON: refused (7)" \
	expect_exit 7 "$FWSEAL" verify --root root.json --record bad.json rec.fwb
T="record of a bundle whose SBOM was swapped after signing: refused (22)" \
	expect_exit 22 "$FWSEAL" record --root root.json --out x.json swapped.fwb
check "... no record written" test ! -e x.json
full && T="pack --record onto an existing record: refused (32)" \
	expect_exit 32 "${PACK[@]}" rec2.fwb --sbom pump.cdx.json --record rec.json

# ---- on the device: the installed release's SBOM, and its digest in the audit log ----
# req: REQ-SBOM-004
device_init dev
T="install of a bundle with an SBOM" expect_ok "$FWVERIFY" install --device dev cdx.fwb
T="fwseal-verify sbom --set b: the SBOM of the pending release, byte for byte" \
	expect_ok "$FWVERIFY" sbom --device dev --set b
check "... equal to the signed SBOM" cmp "$LAST_OUT" pump.cdx.json
check "no SBOM was written into a slot" sh -c '! grep -rl "CycloneDX" dev/a dev/b'
T="fwseal-verify sbom before confirmation: the confirmed set a holds no release (33)" \
	expect_exit 33 "$FWVERIFY" sbom --device dev
{ "$FWVERIFY" boot --device dev && "$FWVERIFY" mark-good --device dev; } >/dev/null 2>&1 ||
	die "boot + mark-good"
T="fwseal-verify sbom --json after mark-good: the confirmed release's SBOM" \
	expect_ok "$FWVERIFY" sbom --device dev --json
check "... set b, version 1.0.0, sha256 of the signed SBOM, the SBOM as an object" \
	"$PY" -c 'import hashlib, json, sys
d = json.load(open(sys.argv[1]))
b = open("pump.cdx.json", "rb").read()
assert d["set"] == "b" and d["version"] == "1.0.0" and d["size"] == len(b), d
assert d["sha256"] == hashlib.sha256(b).hexdigest()
assert d["sbom"] == json.loads(b)' "$LAST_OUT"
check "the audit log's install line records the SBOM's digest" \
	sh -c 'grep "\"action\":\"install\"" dev/log | grep -q "\"sbom\":\"$(sha256sum pump.cdx.json | cut -c1-64)\""'
T="the audit log with and without sbom members verifies" \
	expect_ok "$FWVERIFY" log --device dev --verify
if full; then
	# A second release, without SBOM, then one with an SPDX SBOM that is cancelled.
	make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
	pack v2.fwb v2.json rel root.json
	T="install of a release without SBOM into set a" expect_ok "$FWVERIFY" install --device dev v2.fwb
	T="fwseal-verify sbom --set a: that release came without an SBOM (33)" \
		expect_exit 33 "$FWVERIFY" sbom --device dev --set a
	check "... no sbom.a kept" test ! -e dev/sbom.a
	T="the confirmed release still has its SBOM" expect_ok "$FWVERIFY" sbom --device dev
	check "... the CycloneDX one" cmp "$LAST_OUT" pump.cdx.json
	"$FWVERIFY" rollback --device dev >/dev/null 2>&1 || die "rollback"
	make_release v3.json 3.0.0 3 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
	"$FWSEAL" pack --manifest v3.json --key rel.key --root root.json --out v3.fwb \
		--sbom docdescribes.spdx.json >/dev/null 2>&1 && die "the SPDX SBOM names 1.0.0, not 3.0.0: pack must refuse"
	pack v3.fwb v3.json rel root.json --sbom v3.spdx.json
	T="install of 3.0.0 with an SPDX SBOM into set a" expect_ok "$FWVERIFY" install --device dev v3.fwb
	T="fwseal-verify sbom --set a: the SPDX SBOM of the pending 3.0.0" \
		expect_ok "$FWVERIFY" sbom --device dev --set a
	check "... byte for byte" cmp "$LAST_OUT" v3.spdx.json
	"$FWVERIFY" rollback --device dev >/dev/null 2>&1 || die "rollback of 3.0.0"
	T="after the pending 3.0.0 was cancelled, set a has no SBOM (33): it went with the release" \
		expect_exit 33 "$FWVERIFY" sbom --device dev --set a
fi
# req: REQ-LIFE-005
# Refused installs keep nothing.
before=$(snapshot dev; ls -A dev)
T="install of a bundle whose SBOM was swapped after signing: refused (22)" \
	expect_exit 22 "$FWVERIFY" install --device dev swapped.fwb
check "... nothing changed in the device: no SBOM kept, no staging file left" \
	test "$before" = "$(snapshot dev; ls -A dev)"
check "... the refusal is in the audit log, without an sbom member" \
	sh -c 'tail -n 1 dev/log | grep "\"result\":\"FWS_EDIGEST\"" | grep -vq "\"sbom\""'
if full; then
	# Re-chain the whole log (every later prev and hash, and the head) so that
	# only the edited member can be the reason; the control re-chains unedited.
	rechain() { # DIR EDIT(0|1)
		"$PY" - "$1" "$2" <<'EOF2' || die "re-chaining $1/log"
import hashlib, re, sys
d, edit = sys.argv[1], sys.argv[2] == "1"
lines, prev, done = open(d + "/log").read().splitlines(), "0" * 64, False
for i, l in enumerate(lines):
    body = l[:l.index(',"hash":')]
    body = re.sub(r'"prev":"[0-9a-f]{64}"', '"prev":"%s"' % prev, body)
    if edit and not done and '"sbom":"' in body:
        body, done = re.sub(r'"sbom":"[0-9a-f]{64}"', '"sbom":""', body), True
    prev = hashlib.sha256((body + "}").encode()).hexdigest()
    lines[i] = body + ',"hash":"%s"}' % prev
open(d + "/log", "w").write("\n".join(lines) + "\n")
head = open(d + "/log.head").read()
open(d + "/log.head", "w").write(re.sub(r'"hash":"[0-9a-f]{64}"', '"hash":"%s"' % prev, head))
assert done or not edit, "no sbom member to edit"
EOF2
	}
	cp -a dev dev-control && rechain dev-control 0
	T="control: the log re-chained by the test, unedited, verifies" \
		expect_ok "$FWVERIFY" log --device dev-control --verify
	cp -a dev dev-edited && rechain dev-edited 1
	T="audit log line with an empty sbom member (a second spelling of none), the chain and head recomputed: refused (27)" \
		expect_exit 27 "$FWVERIFY" log --device dev-edited --verify
	check "... at the install line" grep -q 'line [0-9]' "$LAST_ERR"
fi
T="fwseal-verify sbom --set c: usage error" expect_exit 2 "$FWVERIFY" sbom --device dev --set c

finish
