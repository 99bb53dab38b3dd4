# SPDX-License-Identifier: Apache-2.0
# The slow OCI scenarios (docs/fleet.md, docs/network.md §7), against
# Debian's docker-registry on 127.0.0.1 with TLS from the test's CA:
# the Bearer token exchange (the real registry in `auth: token` mode, with
# tests/net/token_server.py as the token service its realm names), resume
# across cuts and delta over a registry blob through tests/net/fault_proxy.py,
# a tag moved to another release during an install, a mirror lying about a
# manifest or a blob, a redirect to another origin, SBOM and attestation
# attached by tag. The fast part is test_oci.sh.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"
. "$TESTS_DIR/net/registry.sh"

for tool in docker-registry skopeo htpasswd; do
	command -v "$tool" >/dev/null 2>&1 || {
		skip "the OCI registry tests" "$tool is not installed (make test-deps)"
		finish
	}
done

std_setup
NET_KEYALG=ec net_ca_make pki >/dev/null 2>&1 || die "test CA"
NET_PKI=$PWD/pki
CA=(--ca-file "$PWD/pki/ca.crt")
export NET_PROXY_DIR=$PWD/proxy
mkdir -p "$NET_PROXY_DIR"

# ---- the Bearer token exchange against the real registry ----
# req: REQ-OCI-003
# The token signing key: P-256, its certificate signed by the test CA
# (the registry's rootcertbundle); it travels in each token's x5c.
(
	cd pki &&
		openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-keyout token.key -out token.csr -subj "/O=fwseal-test/CN=fwseal token issuer" \
			2>/dev/null &&
		openssl x509 -req -in token.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
			-sha256 -out token.crt 2>/dev/null
) || die "token signing certificate"
"$NET_PYTHON" "$TESTS_DIR/net/token_server.py" --cert pki/server.crt --key pki/server.key \
	--sign-cert pki/token.crt --sign-key pki/token.key --user 'ci-bot:token horse' \
	--port-file token.port --log token.log --max-seconds 600 >token.out 2>&1 &
net_track_pid $!
for _ in $(seq 100); do [ -s token.port ] && break; sleep 0.05; done
[ -s token.port ] || die "token server: $(cat token.out)"
TOKEN_HOST=127.0.0.1:$(cat token.port)
registry_start "$PWD/treg" "token:https://$TOKEN_HOST/token:$PWD/pki/ca.crt" || die "token registry"
TR=$REGISTRY_HOST
registry_auth_file t-auth-registry-only.json "$TR" ci-bot 'token horse'
registry_auth_file t-auth.json "$TR" ci-bot 'token horse' "$TOKEN_HOST"
registry_auth_file t-wrong.json "$TR" ci-bot 'wrong horse' "$TOKEN_HOST"

FWSEAL_REGISTRY_AUTH=$PWD/t-auth-registry-only.json \
	T="Bearer: the realm is another origin the credentials file does not name: no credentials go there (an anonymous token cannot push)" \
	expect_exit 77 "$FWSEAL" publish --root root.json "${CA[@]}" v1.fwb "oci://$TR/fleet/pump:1.0.0"
check "the registry refused the anonymous token's push" grep -q "blob upload start: HTTP status 401" "$LAST_ERR"
check "the token service got no Authorization" python3 -c '
import json, sys
R = [json.loads(l) for l in open("token.log")]
assert R and not any(r["authorization"] for r in R), R'
FWSEAL_REGISTRY_AUTH=$PWD/t-auth.json T="Bearer: publish with the credentials exchanged for a push token" \
	expect_ok "$FWSEAL" publish --root root.json "${CA[@]}" v1.fwb "oci://$TR/fleet/pump:1.0.0"
check "the token service was asked for pull,push on fleet/pump, with credentials" python3 -c '
import json, sys
r = [json.loads(l) for l in open("token.log")][-1]
assert r["authorization"] and r["user"] == "ci-bot" and r["service"] == "fwseal-registry", r
assert r["scope"] == ["repository:fleet/pump:pull,push"], r'
FWSEAL_REGISTRY_AUTH=$PWD/t-wrong.json T="Bearer: wrong credentials (the token service answers 401)" \
	expect_exit 77 "$FWSEAL" verify --root root.json "${CA[@]}" "oci://$TR/fleet/pump:1.0.0"
check "the message names the token request" grep -q "token request: HTTP status 401" "$LAST_ERR"
FWSEAL_REGISTRY_AUTH= T="Bearer: an anonymous pull token verifies" expect_ok "$FWSEAL" verify \
	--root root.json "${CA[@]}" "oci://$TR/fleet/pump:1.0.0"
device_init tdev
T="Bearer: fwseal-verify install with an anonymous token" expect_ok "$FWVERIFY" install \
	--device tdev "${CA[@]}" "oci://$TR/fleet/pump:1.0.0"
check "the last token was anonymous, pull only" python3 -c '
import json
r = [json.loads(l) for l in open("token.log")][-1]
assert not r["authorization"] and r["granted"][0]["actions"] == ["pull"], r'
# A token that expires during a download (registries give minutes, a
# device may take longer, or resume after a cut): the fault proxy cuts the
# blob, then answers the resume with 401 as the registry answers an
# expired token. The reader fetches a new token by the same exchange and
# resumes with it (ADR-089); a registry that refuses every new token ends
# the download after three (exit 49), never in a loop.
# req: REQ-OCI-003
fault_proxy_start "https://$TR" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/blobs/' --plan 'cut:2000,status:401'
tokens=$(wc -l <token.log)
device_init tdev2
T="Bearer: a token refused mid-download (401) is renewed and the install resumes" expect_ok \
	"$FWVERIFY" install --device tdev2 "${CA[@]}" "oci://127.0.0.1:$PROXY_PORT/fleet/pump:1.0.0"
check "... the slot holds the payload" cmp tdev2/b/rootfs a.bin
check "... a second token was fetched for it, anonymous and pull only like the first" python3 -c '
import json, sys
R = [json.loads(l) for l in open("token.log")][int(sys.argv[1]):]
assert len(R) == 2 and all(not r["authorization"] and r["result"] == 200 for r in R), R' "$tokens"
sleep 0.3
check "... the blob was asked for whole, then resumed: refused (401), then with the new token" \
	fault_proxy_q '(lambda B: len(B) == 3 and B[0]["range"] is None and B[1]["status"] == 401
 and B[2]["range"] and B[2]["status"] == 206)([r for r in R if "/blobs/" in r["path"]])'
fault_proxy_stop
fault_proxy_start "https://$TR" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/blobs/' --plan 'cut:2000' --default 'status:401'
tokens=$(wc -l <token.log)
device_init tdev3
T="Bearer: a registry that refuses every new token" expect_exit 49 "$FWVERIFY" install \
	--device tdev3 "${CA[@]}" "oci://127.0.0.1:$PROXY_PORT/fleet/pump:1.0.0"
check "... the message says the token was renewed three times" grep -q \
	"HTTP status 401 with a token renewed 3 times" "$LAST_ERR"
check "... four tokens in all (the first and three new ones), then it stopped" \
	test "$(($(wc -l <token.log) - tokens))" = 4
fault_proxy_stop
kill "$REGISTRY_PID" 2>/dev/null
registry_start "$PWD/hreg" "token:http://$TOKEN_HOST/token:$PWD/pki/ca.crt" || die "http realm registry"
FWSEAL_REGISTRY_AUTH=$PWD/t-auth.json T="Bearer: a realm over plain http is refused" expect_exit 50 \
	"$FWSEAL" verify --root root.json "${CA[@]}" "oci://$REGISTRY_HOST/fleet/pump:1.0.0"
check "the message says so" grep -q "not an https:// URL" "$LAST_ERR"
kill "$REGISTRY_PID" 2>/dev/null

# ---- basic auth (htpasswd, bcrypt): what a mirror may lie about ----
htpasswd -B -b -c htpasswd ci-bot 'correct horse' >/dev/null 2>&1 || die "htpasswd"
registry_start "$PWD/reg" "htpasswd:$PWD/htpasswd" || die "docker-registry"
R=$REGISTRY_HOST
registry_auth_file auth.json "$R" ci-bot 'correct horse'
export FWSEAL_REGISTRY_AUTH=$PWD/auth.json
SKOPEO=(skopeo --override-os linux --override-arch amd64)
SK_OPTS=(--cert-dir "$PWD/pki/skopeo" --creds 'ci-bot:correct horse')
mkdir -p pki/skopeo && cp pki/ca.crt pki/skopeo/ca.crt
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb.gz v2.json rel root.json --gzip
for b in "v1.fwb:1.0.0" "v2.fwb.gz:2.0.0"; do
	"$FWSEAL" publish --root root.json "${CA[@]}" "${b%%:*}" "oci://$R/fleet/pump:${b#*:}" --json \
		>publish.json 2>"$T_DIR/setup.log" || die "publish $b: $(cat "$T_DIR/setup.log")"
done
D1=$(python3 -c 'import hashlib,sys; print("sha256:" + hashlib.sha256(sys.stdin.buffer.read()).hexdigest())' \
	< <("${SKOPEO[@]}" inspect --raw "${SK_OPTS[@]}" "docker://$R/fleet/pump:1.0.0"))
T="publish again: the registry has the blob" expect_ok "$FWSEAL" publish --root root.json \
	"${CA[@]}" v1.fwb "oci://$R/fleet/pump:1.0.0-again" --json
check "blob_existed, and the same manifest digest as before" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["blob_existed"] and d["manifest_digest"] == sys.argv[2], d' "$LAST_OUT" "$D1"
T="skopeo copy fetches the blob" expect_ok "${SKOPEO[@]}" copy --src-cert-dir "$PWD/pki/skopeo" \
	--src-creds 'ci-bot:correct horse' \
	"docker://$R/fleet/pump:1.0.0" "dir:$PWD/copied"
check "the blob skopeo fetched is v1.fwb byte for byte" cmp copied/"$(sha256sum v1.fwb | cut -c1-64)" v1.fwb

# ---- never publish what does not verify ----
make_key other
make_root other-root.json rootk other
T="publish of a bundle that does not verify against --root" expect_refused "$FWSEAL" publish \
	--root other-root.json "${CA[@]}" v1.fwb "oci://$R/fleet/pump:unverified"
check "the message says it was not published" grep -q "not published" "$LAST_ERR"
T="nothing was pushed under that tag" expect_exit 77 "$FWSEAL" verify --root root.json \
	"${CA[@]}" "oci://$R/fleet/pump:unverified"


# A proxy that answers a digest-addressed request with another manifest
# (a mirror lying), and one that serves another signed bundle's bytes for
# the layer: both are other releases, validly signed.
proxy_auth() { registry_auth_file proxy-auth.json "127.0.0.1:$PROXY_PORT" ci-bot 'correct horse'; }
fault_proxy_start "https://$R" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/manifests/sha256:' --default 'path:/v2/fleet/pump/manifests/2.0.0'
proxy_auth
FWSEAL_REGISTRY_AUTH=$PWD/proxy-auth.json \
	T="a manifest whose digest does not match the one asked for" expect_exit 78 "$FWSEAL" verify \
	--root root.json "${CA[@]}" "oci://127.0.0.1:$PROXY_PORT/fleet/pump@$D1"
check "the message says so" grep -q "not the digest asked for" "$LAST_ERR"
fault_proxy_stop
B2=$(sha256sum v2.fwb.gz | cut -c1-64)
fault_proxy_start "https://$R" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/blobs/' --default "path:/v2/fleet/pump/blobs/sha256:$B2"
proxy_auth
FWSEAL_REGISTRY_AUTH=$PWD/proxy-auth.json \
	T="another signed bundle served for the layer's digest" expect_exit 51 "$FWSEAL" verify \
	--root root.json "${CA[@]}" "oci://127.0.0.1:$PROXY_PORT/fleet/pump:1.0.0"
check "the message says the blob is not the manifest's" grep -q "its manifest says" "$LAST_ERR"
fault_proxy_stop

# A redirect to another origin (a CDN): the registry's credentials stay
# behind. The other origin here is the same registry under the name
# "localhost" (another origin by host name), which wants credentials: its
# 401 shows that none came along.
B1=$(sha256sum v1.fwb | cut -c1-64)
fault_proxy_start "https://$R" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/blobs/' \
	--default "redirect307:https://localhost:$REGISTRY_PORT/v2/fleet/pump/blobs/sha256:$B1"
proxy_auth
FWSEAL_REGISTRY_AUTH=$PWD/proxy-auth.json \
	T="a blob redirected to another origin gets no credentials (there: 401)" expect_exit 49 \
	"$FWSEAL" verify --root root.json "${CA[@]}" --retries 2 "oci://127.0.0.1:$PROXY_PORT/fleet/pump:1.0.0"
check "the other origin answered 401" grep -q "HTTP status 401" "$LAST_ERR"
fault_proxy_stop

# A registry whose Docker-Content-Digest is not the digest of the manifest
# it sends (by tag: the only check a tag allows).
Z=sha256:0000000000000000000000000000000000000000000000000000000000000000
fault_proxy_start "https://$R" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/manifests/' --default "hdr:Docker-Content-Digest=$Z"
proxy_auth
FWSEAL_REGISTRY_AUTH=$PWD/proxy-auth.json \
	T="a Docker-Content-Digest that is not the manifest's bytes" expect_exit 78 "$FWSEAL" verify \
	--root root.json "${CA[@]}" "oci://127.0.0.1:$PROXY_PORT/fleet/pump:1.0.0"
fault_proxy_stop
# Publishing through the proxy works (the registry names upload locations
# by the Host it was asked for); an upload location on another origin is
# refused: the registry's credentials would follow it.
fault_proxy_start "https://$R" --cert pki/server.crt --key pki/server.key --upstream-ca pki/ca.crt
proxy_auth
FWSEAL_REGISTRY_AUTH=$PWD/proxy-auth.json T="publish through a proxy" expect_ok "$FWSEAL" publish \
	--root root.json "${CA[@]}" v1.fwb "oci://127.0.0.1:$PROXY_PORT/fleet/other:1.0.0"
fault_proxy_stop
fault_proxy_start "https://$R" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match 'uploads/$' --default "hdr:Location=https://localhost:$REGISTRY_PORT/v2/fleet/third/blobs/uploads/x"
proxy_auth
FWSEAL_REGISTRY_AUTH=$PWD/proxy-auth.json \
	T="an upload location on another origin" expect_exit 77 "$FWSEAL" publish \
	--root root.json "${CA[@]}" v1.fwb "oci://127.0.0.1:$PROXY_PORT/fleet/third:1.0.0"
check "the message says why" grep -q "not on the registry's origin" "$LAST_ERR"
fault_proxy_stop

# ---- SBOM and attestation, attached by tag (cosign's naming) ----
# req: REQ-OCI-001
cp "$TESTS_DIR/sbom/pump.cdx.json" .
pack sbom.fwb v1.json rel root.json --sbom pump.cdx.json
"$FWSEAL" attest --root root.json --key rel.key --out sbom.att.json sbom.fwb >"$T_DIR/setup.log" 2>&1 ||
	die "attest: $(cat "$T_DIR/setup.log")"
"$FWSEAL" attest --root root.json --key rel.key --out v1.att.json sbom.fwb >/dev/null 2>&1
T="publish --sbom --attest" expect_ok "$FWSEAL" publish --root root.json "${CA[@]}" --sbom \
	--attest sbom.att.json sbom.fwb "oci://$R/fleet/pump:1.0.0-sbom" --json
DS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifest_digest"])' "$LAST_OUT")
T="skopeo reads the .sbom attachment" expect_ok "${SKOPEO[@]}" inspect --raw "${SK_OPTS[@]}" \
	"docker://$R/fleet/pump:sha256-${DS#sha256:}.sbom"
check "its subject is the bundle's manifest, its layer the SBOM (CycloneDX)" python3 - "$LAST_OUT" "$DS" pump.cdx.json <<'EOP'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
assert m["artifactType"] == "application/vnd.fwseal.sbom.v1", m
assert m["subject"]["digest"] == sys.argv[2], m
[l] = m["layers"]
b = open(sys.argv[3], "rb").read()
assert l["mediaType"] == "application/vnd.cyclonedx+json", l
assert l["digest"] == "sha256:" + hashlib.sha256(b).hexdigest() and l["size"] == len(b), l
EOP
T="skopeo reads the .att attachment" expect_ok "${SKOPEO[@]}" inspect --raw "${SK_OPTS[@]}" \
	"docker://$R/fleet/pump:sha256-${DS#sha256:}.att"
check "its layer is the DSSE attestation byte for byte" python3 - "$LAST_OUT" sbom.att.json <<'EOP'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
[l] = m["layers"]
b = open(sys.argv[2], "rb").read()
assert l["mediaType"] == "application/vnd.dsse.envelope.v1+json", l
assert l["digest"] == "sha256:" + hashlib.sha256(b).hexdigest(), l
EOP
T="--attest of an attestation about another bundle" expect_exit 2 "$FWSEAL" publish \
	--root root.json "${CA[@]}" --attest sbom.att.json v1.fwb "oci://$R/fleet/pump:wrong-att"
T="--sbom of a bundle without one" expect_exit 33 "$FWSEAL" publish --root root.json "${CA[@]}" \
	--sbom v1.fwb "oci://$R/fleet/pump:no-sbom"
kill "$REGISTRY_PID" 2>/dev/null

# ---- an anonymous registry: resume, delta, a tag moved mid-install ----
# req: REQ-OCI-002
unset FWSEAL_REGISTRY_AUTH
registry_start "$PWD/areg" none || die "anonymous registry"
A=$REGISTRY_HOST
make_payload big.bin 2500000
make_release big.json 2.0.0 2 hw-a big:big.bin:rootfs:65536 b.bin:b.bin:kernel
pack big.fwb big.json rel root.json
python3 - <<'EOP' || die "big2.bin"
data = bytearray(open("big.bin", "rb").read())
for k in (2, 17, 30):
    data[k * 65536 + 100] ^= 0xff
open("big2.bin", "wb").write(data)
EOP
make_release big2.json 2.1.0 2 hw-a big:big2.bin:rootfs:65536 b.bin:b.bin:kernel
pack big2.fwb big2.json rel root.json
for b in big.fwb:2.0.0 big2.fwb:2.1.0 big.fwb:stable; do
	"$FWSEAL" publish --root root.json "${CA[@]}" "${b%%:*}" "oci://$A/fleet/pump:${b#*:}" \
		>/dev/null 2>"$T_DIR/setup.log" || die "publish $b: $(cat "$T_DIR/setup.log")"
done
T="anonymous: verify without any credentials" expect_ok "$FWSEAL" verify --root root.json \
	"${CA[@]}" "oci://$A/fleet/pump:2.0.0"

fault_proxy_start "https://$A" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/blobs/' --plan 'cut:100000,cut:700000,rst:1200000,cut:2000'
P=127.0.0.1:$PROXY_PORT
device_init dev
T="install through four cuts of the registry blob" expect_ok "$FWVERIFY" install --device dev \
	"${CA[@]}" "oci://$P/fleet/pump:2.0.0" --json
check "the slot holds the payload" cmp dev/b/rootfs big.bin
sleep 0.3
check "resumed with Range and If-Range naming the registry's ETag (the digest)" fault_proxy_q '
(lambda B: len(B) == 5 and B[0]["range"] is None
 and all(r["range"] and r["if_range"] and "sha256:" in r["if_range"] for r in B[1:]))(
 [r for r in R if "/blobs/" in r["path"]])'
fault_proxy_stop

"$FWVERIFY" boot --device dev >/dev/null 2>&1 && "$FWVERIFY" mark-good --device dev >/dev/null 2>&1 ||
	die "boot/mark-good 2.0.0"
fault_proxy_start "https://$A" --cert pki/server.crt --key pki/server.key --upstream-ca pki/ca.crt
T="delta install of 2.1.0 from the registry over the running 2.0.0" expect_ok "$FWVERIFY" install \
	--device dev "${CA[@]}" --delta "oci://127.0.0.1:$PROXY_PORT/fleet/pump:2.1.0" --json
check "the other slot holds the new payload" cmp dev/a/rootfs big2.bin
check "downloaded: the changed chunks and the metadata, not the image" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["delta"] and d["reused_bytes"] >= 2500000 - 3 * 65536 + 5000, d
assert d["downloaded_bytes"] < 3 * 65536 + 20000, d' "$LAST_OUT"
sleep 0.3
check "every blob request was a range" fault_proxy_q '
(lambda B: len(B) > 1 and all(r["range"] and r["status"] == 206 for r in B))(
 [r for r in R if "/blobs/" in r["path"]])'
fault_proxy_stop

# The tag "stable" moves from 2.0.0 to 2.1.0 while a device downloads it:
# the device resolved the tag once and fetches the blob by its digest, so
# it installs 2.0.0 whole, never a mix.
rm -rf dev && device_init dev
fault_proxy_start "https://$A" --cert pki/server.crt --key pki/server.key \
	--upstream-ca pki/ca.crt --match '/blobs/' --default 'slow:400000'
"$FWVERIFY" install --device dev "${CA[@]}" "oci://127.0.0.1:$PROXY_PORT/fleet/pump:stable" \
	--json >moved.out 2>moved.err &
inst=$!
for _ in $(seq 100); do
	[ -s "$PROXY_LOG" ] || grep -q . "$NET_PROXY_DIR"/*.log 2>/dev/null && break
	sleep 0.05
done
sleep 1
T="the tag moved to 2.1.0 during the install" expect_ok "$FWSEAL" publish --root root.json \
	"${CA[@]}" big2.fwb "oci://$A/fleet/pump:stable"
wait "$inst"
check "the install that started with 2.0.0 ends with 2.0.0" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.0.0", d' moved.out
check "its slot holds 2.0.0's payload, not a mix" cmp dev/b/rootfs big.bin
check "the tag now names 2.1.0" bash -c '"$1" verify --root root.json --ca-file pki/ca.crt \
	"oci://$2/fleet/pump:stable" | grep -q "2.1.0"' _ "$FWSEAL" "$A"
fault_proxy_stop

# ---- a signed channel whose location is the registry (issue 22) ----
# req: REQ-FLEET-001, REQ-OCI-002
# A channel names the release by digest and lists an oci:// location:
# poll resolves it through the same reader, and a channel pointing at a
# tag that now holds another release is refused (82), nothing written.
make_key ts
make_root troot.json rootk rel -- --timestamp-key ts.pub
pack ch.fwb big.json rel troot.json
"$FWSEAL" publish --root troot.json "${CA[@]}" ch.fwb "oci://$A/fleet/chan:2.0.0" --json \
	>ch-publish.json 2>"$T_DIR/setup.log" || die "publish ch.fwb: $(cat "$T_DIR/setup.log")"
CH_DIGEST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifest_digest"])' ch-publish.json)
"$FWSEAL" channel sign --root troot.json --key ts.key --channel stable --expires 2d \
	--bundle ch.fwb --location "oci://$A/fleet/chan@$CH_DIGEST" --out ch.json \
	>"$T_DIR/setup.log" 2>&1 || die "channel sign: $(cat "$T_DIR/setup.log")"
rm -rf tdev
"$FWVERIFY" init --device tdev --root troot.json --hardware hw-a --device-id dev-1 \
	>"$T_DIR/setup.log" 2>&1 || die "init tdev"
T="poll: a channel whose location is an oci:// digest installs from the registry" expect_ok \
	"$FWVERIFY" poll --device tdev --name stable "${CA[@]}" --channel ch.json
check "the slot holds the channel's release" cmp tdev/b/rootfs big.bin
pack ch2.fwb big2.json rel troot.json
"$FWSEAL" publish --root troot.json "${CA[@]}" ch2.fwb "oci://$A/fleet/chan:2.0.0" \
	>/dev/null 2>"$T_DIR/setup.log" || die "publish ch2.fwb"
"$FWSEAL" channel sign --root troot.json --key ts.key --channel stable --expires 2d \
	--bundle ch.fwb --previous ch.json --location "oci://$A/fleet/chan:2.0.0" --out ch-tag.json \
	>"$T_DIR/setup.log" 2>&1 || die "channel sign (tag): $(cat "$T_DIR/setup.log")"
rm -rf tdev2
"$FWVERIFY" init --device tdev2 --root troot.json --hardware hw-a --device-id dev-1 \
	>"$T_DIR/setup.log" 2>&1 || die "init tdev2"
T="poll: the channel's tag now holds another signed release (mix-and-match)" expect_exit 82 \
	"$FWVERIFY" poll --device tdev2 --name stable "${CA[@]}" --channel ch-tag.json
check "nothing was written to the slot" test ! -s tdev2/b/rootfs
finish
