# SPDX-License-Identifier: Apache-2.0
# Every refusal says what failed and why, on its one stderr line
# "PROG: SUBJECT: PART: REASON": a JSON field and the rule it broke
# (docs/format.md §1, §5, §7, §9, §13), a key file's field, the signing
# clock against the root, or the operating system's own reason. The exit
# status stays the code's (docs/exit-codes.md); only the words got better.
# req: REQ-ERR-001, REQ-FMT-005
. "$(dirname "$0")/lib.sh"

std_setup

# err_is DESCRIPTION LINE: stderr is exactly LINE.
err_is() {
	local got
	got=$(cat "$LAST_ERR")
	if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1" "got:  $got" "want: $2"; fi
}
# err_has TEXT: stderr holds TEXT (a fixed string).
err_has() { check "the message says: $1" grep -qF -- "$1" "$LAST_ERR"; }

# release_json OUT PYTHON: v1.json, changed by PYTHON (d is the document).
release_json() {
	python3 - "$1" "$2" <<'EOF' || die "release_json $1"
import json, sys
d = json.load(open("v1.json"))
exec(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"), indent=2)
EOF
}
PACK=("$FWSEAL" pack --key rel.key --root root.json --out x.fwb)
PACK_WITH=("$FWSEAL" pack --manifest v1.json --root root.json --out x.fwb) # + --key

# ---- the release description (§9), the issue's three examples word for word ----
make_release r-chunk.json 1.0.0 1 hw-a p0:a.bin:t0 p1:b.bin:t1 p2:a.bin:t2 p3:b.bin:t3:5000
T="pack: chunk_size 5000 in the fourth payload" expect_exit 8 "${PACK[@]}" --manifest r-chunk.json
err_is "it names payloads[3].chunk_size and the rule" \
	"fwseal: r-chunk.json: payloads[3].chunk_size: 5000 is not a power of two between 4096 and 16 MiB"
release_json r-bogus.json 'd["bogus"] = 1'
T="pack: an unknown field" expect_exit 8 "${PACK[@]}" --manifest r-bogus.json
err_is "it names the unknown field" 'fwseal: r-bogus.json: unknown field "bogus"'
specs=()
for i in $(seq 0 16); do specs+=("p$i:b.bin:t$i"); done
make_release r-17.json 1.0.0 1 hw-a "${specs[@]}"
T="pack: 17 payloads" expect_exit 8 "${PACK[@]}" --manifest r-17.json
err_is "it says how many and the limit" "fwseal: r-17.json: payloads: 17 entries, at most 16"

release_json r-type.json 'd["version"] = 1'
T="pack: version a number" expect_exit 8 "${PACK[@]}" --manifest r-type.json
err_is "it names the field and the type it must have" \
	'fwseal: r-type.json: "version" must be a string, not an integer'
release_json r-missing.json 'del d["product"]'
T="pack: no product" expect_exit 8 "${PACK[@]}" --manifest r-missing.json
err_is "it names the missing field" 'fwseal: r-missing.json: missing field "product"'
release_json r-file.json 'del d["payloads"][1]["file"]'
T="pack: a payload without its file" expect_exit 8 "${PACK[@]}" --manifest r-file.json
err_is "it names the payload" 'fwseal: r-file.json: payloads[1]: missing field "file"'
release_json r-hw.json 'd["hardware"] = ["hw-a", "hw-a"]'
T="pack: one hardware id twice (found when the manifest is checked)" expect_exit 8 \
	"${PACK[@]}" --manifest r-hw.json
err_is "it names the second entry and the first" \
	'fwseal: r-hw.json: hardware[1]: "hw-a" is also hardware[0]'
check "nothing packed" test ! -e x.fwb
release_json r-esc.json 'd["product"] = "\x1b]0;owned\x07" + "x" * 50'
T="pack: a product name with terminal escapes" expect_exit 8 "${PACK[@]}" --manifest r-esc.json
# Cut after 40 bytes, ESC and BEL shown as '?'.
err_has "product: \"?]0;owned?$(printf 'x%.0s' $(seq 30))...\" is not a valid name"
check "no control character reaches the terminal" bash -c '! LC_ALL=C grep -q "[[:cntrl:]]" "$0"' \
	"$LAST_ERR"
printf '{\n  "product": "a",\n  "product": "b"\n}\n' >r-dup.json
T="pack: a key given twice" expect_exit 7 "${PACK[@]}" --manifest r-dup.json
err_is "it names the line, the column and jansson's reason" \
	"fwseal: r-dup.json: line 3, column 11: duplicate object key near '\"product\"'"

# ---- the signing clock against the root (§7.3) ----
T="pack with SOURCE_DATE_EPOCH before the root's created" SOURCE_DATE_EPOCH=1600000000 \
	expect_exit 36 "${PACK[@]}" --manifest v1.json
err_is "it names both times" \
	"fwseal: root.json: SOURCE_DATE_EPOCH 1600000000 (2020-09-13T12:26:40Z) is before root.json's created 2023-11-14T22:13:20Z"
T="pack with SOURCE_DATE_EPOCH after the root expired" SOURCE_DATE_EPOCH=5000000000 \
	expect_exit 16 "${PACK[@]}" --manifest v1.json
err_has "root.json: expires: 2123-10-21T22:13:20Z is before SOURCE_DATE_EPOCH 5000000000"

# ---- roots (§7): hand-made bodies, through pack, verify and init ----
make_key rel2
make_root root2.json rootk rel rel2
mkdir -p bad
# bad_root OUT PYTHON: root2.json with its body changed by PYTHON (b is the
# body; e the envelope); the signature no longer matches, which the body's
# own checks come before.
bad_root() {
	python3 - "$1" "$2" <<'EOF' || die "bad_root $1"
import base64, json, sys
e = json.load(open("root2.json"))
b = json.loads(base64.b64decode(e["payload"]))
exec(sys.argv[2])
e["payload"] = base64.b64encode(json.dumps(b, sort_keys=True, separators=(",", ":")).encode()).decode()
json.dump(e, open(sys.argv[1], "w"), indent=2, sort_keys=True)
EOF
}
bad_root bad/root.json 'b["roles"]["release"]["threshold"] = 0'
T="pack under a root whose release threshold is 0" expect_exit 35 "$FWSEAL" pack \
	--manifest v1.json --key rel.key --root bad/root.json --out x.fwb
err_is "it names the role's threshold and its two keys (the issue's example)" \
	"fwseal: bad/root.json: roles.release.threshold: 0 is not between 1 and the role's 2 keys"
T="verify against it" expect_exit 35 "$FWSEAL" verify --root bad/root.json v1.fwb
err_has "bad/root.json: roles.release.threshold: 0 is not between 1 and the role's 2 keys"
T="fwseal-verify init with it" expect_exit 35 "$FWVERIFY" init --device dev-bad \
	--root bad/root.json --hardware hw-a
err_has "roles.release.threshold: 0 is not between 1 and the role's 2 keys"
check "no device made" test ! -e dev-bad/state

bad_root bad-keytype.json 'b["keys"][next(iter(b["keys"]))]["keytype"] = "rsa"'
T="a root with an rsa key" expect_exit 8 "$FWSEAL" verify --root bad-keytype.json v1.fwb
check "it names keys.<keyid>.keytype and the one type allowed" grep -qE \
	'^fwseal: bad-keytype.json: keys\.[0-9a-f]{64}\.keytype: "rsa" is not "ed25519"' "$LAST_ERR"
bad_root bad-keyid.json 'k = next(iter(b["keys"])); b["keys"][k]["keyval"]["public"] = "ab" * 32'
T="a root whose key ID is not its key's" expect_exit 14 "$FWSEAL" verify --root bad-keyid.json v1.fwb
check "it names the key and the ID the key has" grep -qE \
	'^fwseal: bad-keyid.json: keys\.[0-9a-f]{64}: not the SHA-256 of keyval\.public, which is [0-9a-f]{64}$' \
	"$LAST_ERR"
bad_root bad-role.json 'b["roles"]["admin"] = b["roles"]["root"]'
T="a root with a third role" expect_exit 8 "$FWSEAL" verify --root bad-role.json v1.fwb
err_is "it names the part and the field" 'fwseal: bad-role.json: roles: unknown field "admin"'
bad_root bad-created.json 'b["created"] = "2023-11-31T00:00:00Z"'
T="a root created on November 31st" expect_exit 36 "$FWSEAL" verify --root bad-created.json v1.fwb
err_has 'bad-created.json: created: "2023-11-31T00:00:00Z" is not a time'
python3 - <<'EOF' || die "unsigned root"
import json
e = json.load(open("root.json")); e["signatures"] = []
json.dump(e, open("bad-unsigned.json", "w"))
EOF
T="a root with no signature" expect_exit 9 "$FWSEAL" verify --root bad-unsigned.json v1.fwb
err_is "it names the signatures and the rule" \
	"fwseal: bad-unsigned.json: signatures: 0 entries, at least 1"
entry_get v1.fwb manifest.json >manifest-as-root.json
T="a manifest given as the root" expect_exit 10 "$FWSEAL" verify --root manifest-as-root.json v1.fwb
err_has 'payloadType: "application/vnd.fwseal.manifest+json" is not a root'

# ---- manifests (§5): every hostile signed body names its field ----
# The generic text of a code means nothing was described: none of the
# decoder's refusals may print it. (envelope_70k is refused by the bundle
# reader's entry size limit, before any JSON is read.)
H=$TESTS_DIR/vectors/hostile
generic='schema violation (missing|malformed json|input exceeds a size or count limit|time value unparseable'
n=0
while IFS=$'\t' read -r case status desc; do
	case "$case" in "#"* | "" | signed/envelope_70k.fwb) continue ;; esac
	case "$status" in 6 | 7 | 8 | 36) ;; *) continue ;; esac
	n=$((n + 1))
	"$FWSEAL" verify --root "$H/signed/root.json" --hardware hw-a "$H/$case" >"$LAST_OUT" \
		2>"$LAST_ERR"
	got=$?
	line=$(cat "$LAST_ERR")
	if [ "$got" -eq "$status" ] && ! grep -qE "$generic" "$LAST_ERR" &&
		! LC_ALL=C grep -q '[[:cntrl:]]' "$LAST_ERR"; then
		ok "$case: $desc: ${line#fwseal: "$H"/}"
	else
		not_ok "$case: $desc" "exit $got (want $status): $line"
	fi
done <"$H/signed.tsv"
check "the corpus held at least 80 such manifests ($n)" test "$n" -ge 80
T="a signed manifest with chunk_size 6000" expect_exit 8 "$FWSEAL" verify \
	--root "$H/signed/root.json" --hardware hw-a "$H/signed/chunk_size_6000.fwb"
err_is "it names the payload's chunk_size and the rule" \
	"fwseal: $H/signed/chunk_size_6000.fwb: payloads[0].chunk_size: 6000 is not a power of two between 4096 and 16 MiB"
"$FWVERIFY" init --device dev-m --root "$H/signed/root.json" --hardware hw-a \
	>"$T_DIR/setup.log" 2>&1 || die "init dev-m: $(cat "$T_DIR/setup.log")"
T="installing a signed manifest with two payloads for one target" expect_exit 8 "$FWVERIFY" \
	install --device dev-m "$H/signed/duplicate_targets.fwb"
err_has 'payloads[1].target: "rootfs" is also the target of payloads[0]'

# ---- permits (§13): the envelope around them, on a device that needs one ----
# (fwseal-verify names the bundle as the subject of a permit's error, so
# only the part and the rule are asserted.)
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb v2.json rel root.json
"$FWVERIFY" init --device dev-p --root root.json --hardware hw-a --device-id dev-p \
	>"$T_DIR/setup.log" 2>&1 || die "init dev-p: $(cat "$T_DIR/setup.log")"
install_confirm dev-p v2.fwb
"$FWSEAL" permit --key rel.key --root root.json --out p.permit --device-id dev-p \
	--to-version 1.0.0 --bundle v1.fwb >"$T_DIR/setup.log" 2>&1 ||
	die "permit: $(cat "$T_DIR/setup.log")"
python3 - <<'EOF' || die "bad permits"
import json
e = json.load(open("p.permit"))
d = dict(e); d["signatures"] = [{"keyid": e["signatures"][0]["keyid"], "sig": "AAAA"}]
json.dump(d, open("bad-sig.permit", "w"))
d = dict(e); d["payload"] = e["payload"] + "===="
json.dump(d, open("bad-b64.permit", "w"))
d = dict(e); d["expires"] = "2024-01-01T00:00:00Z"
json.dump(d, open("bad-field.permit", "w"))
EOF
T="a permit whose signature is not 64 bytes" expect_exit 9 "$FWVERIFY" install --device dev-p \
	--permit bad-sig.permit v1.fwb
err_has ": signatures[0].sig: not the canonical base64 of 64 bytes"
T="a permit whose payload lost its padding" expect_exit 9 "$FWVERIFY" install --device dev-p \
	--permit bad-b64.permit v1.fwb
err_has ": payload: not canonical base64"
T="a permit envelope with an extra field" expect_exit 9 "$FWVERIFY" install --device dev-p \
	--permit bad-field.permit v1.fwb
err_has ': unknown field "expires"'

# ---- key files (§8) ----
python3 - <<'EOF' || die "bad keys"
import json, os
k = json.load(open("rel.key"))
def w(name, d):
    open(name, "w").write(json.dumps(d, indent=2, sort_keys=True) + "\n")
    os.chmod(name, 0o600)
d = json.loads(json.dumps(k)); d["kdf"]["memlimit"] = 1 << 40; w("k-mem.key", d)
d = json.loads(json.dumps(k)); d["cipher"]["alg"] = "aes-256-gcm"; w("k-alg.key", d)
d = json.loads(json.dumps(k)); d["comment"] = "mine"; w("k-extra.key", d)
p = json.load(open("rel.pub")); p["public"] = "ab" * 32
open("p-id.pub", "w").write(json.dumps(p, sort_keys=True) + "\n")
EOF
T="a key whose Argon2id memlimit is 1 TiB" expect_exit 6 "${PACK_WITH[@]}" --key k-mem.key
err_is "it names the field and the bounds" \
	"fwseal: k-mem.key: kdf.memlimit: 1099511627776 is not between 8192 and 1073741824 (the limits fwseal accepts)"
T="a key with another cipher" expect_exit 28 "${PACK_WITH[@]}" --key k-alg.key
err_is "it names the field and the one allowed" \
	'fwseal: k-alg.key: cipher.alg: "aes-256-gcm" is not "xsalsa20poly1305"'
T="a key with an extra field" expect_exit 28 "${PACK_WITH[@]}" --key k-extra.key
err_is "it names the field" 'fwseal: k-extra.key: unknown field "comment"'
T="a public key whose key ID is another key's" expect_exit 14 "$FWKEYS" fingerprint p-id.pub
err_is "it names keyid" "fwseal-keys: p-id.pub: keyid: not the SHA-256 of public"
chmod 600 rel.pub
T="a public key given as the signing key" expect_exit 28 "${PACK_WITH[@]}" --key rel.pub
err_is "it says which file was needed" \
	"fwseal: rel.pub: a public key (.pub), not the secret key (.key) needed here"
chmod 644 rel.pub

# ---- operating system errors keep their reason ----
mkdir -p adir
T="pack: --manifest a directory" expect_exit 4 "${PACK[@]}" --manifest adir
err_is "it says Is a directory" "fwseal: adir: cannot read: Is a directory"
T="pack: --root a directory" expect_exit 4 "$FWSEAL" pack --manifest v1.json --key rel.key \
	--root adir --out x.fwb
err_is "it says Is a directory" "fwseal: adir: cannot read: Is a directory"
T="verify: --root a directory" expect_exit 4 "$FWSEAL" verify --root adir v1.fwb
err_has "adir: cannot read: Is a directory"
T="verify: the bundle a directory" expect_exit 4 "$FWSEAL" verify --root root.json adir
err_has "adir: cannot read: Is a directory"
T="pack: --key a directory" expect_exit 28 "${PACK_WITH[@]}" --key adir
err_is "it says what it is not, and the system's reason" \
	"fwseal: adir: not a key file: Is a directory"
T="pack: a missing release description" expect_exit 33 "${PACK[@]}" --manifest missing.json
err_is "it says No such file or directory" \
	"fwseal: missing.json: cannot open: No such file or directory"
T="pack: a missing root" expect_exit 33 "$FWSEAL" pack --manifest v1.json --key rel.key \
	--root missing-root.json --out x.fwb
err_is "it says No such file or directory" \
	"fwseal: missing-root.json: cannot open: No such file or directory"
make_release r-dir.json 1.0.0 1 hw-a a.bin:adir:rootfs
T="pack: a payload file that is a directory" expect_exit 4 "${PACK[@]}" --manifest r-dir.json
err_is "it names the payload file and says Is a directory" "fwseal: ./adir: cannot read: Is a directory"
make_release r-gone.json 1.0.0 1 hw-a a.bin:gone.bin:rootfs
T="pack: a payload file that is missing" expect_exit 33 "${PACK[@]}" --manifest r-gone.json
err_is "it names the payload file and says No such file or directory" \
	"fwseal: ./gone.bin: cannot open: No such file or directory"
check "nothing packed by any refusal" test ! -e x.fwb

finish
