# SPDX-License-Identifier: Apache-2.0
# Bundles through an OCI registry (docs/fleet.md, docs/network.md §7),
# against Debian's docker-registry (distribution 2.8) on 127.0.0.1: TLS
# from a CA the test makes, basic auth through a bcrypt htpasswd file,
# storage in the test directory. fwseal publish pushes; skopeo (not
# fwseal) reads what it wrote; fwseal verify and fwseal-verify install
# read it back by tag and by digest. The slower scenarios (cuts through
# the fault proxy, delta, a tag moved mid-install, the Bearer token
# exchange) are in long_oci.sh.
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
htpasswd -B -b -c htpasswd ci-bot 'correct horse' >/dev/null 2>&1 || die "htpasswd"
registry_start "$PWD/reg" "htpasswd:$PWD/htpasswd" || die "docker-registry"
R=$REGISTRY_HOST
CA=(--ca-file "$PWD/pki/ca.crt")
registry_auth_file auth.json "$R" ci-bot 'correct horse'
registry_auth_file wrong-auth.json "$R" ci-bot 'wrong horse'
export FWSEAL_REGISTRY_AUTH=$PWD/auth.json

# ---- publish ----
# req: REQ-OCI-001
T="publish 1.0.0 by tag" expect_ok "$FWSEAL" publish --root root.json "${CA[@]}" v1.fwb \
	"oci://$R/fleet/pump:1.0.0" --json
D1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifest_digest"])' "$LAST_OUT")
check "publish names the manifest digest" test -n "$D1"
check "the blob was uploaded" python3 -c 'import json,sys; assert not json.load(open(sys.argv[1]))["blob_existed"]' "$LAST_OUT"
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb.gz v2.json rel root.json --gzip
T="publish 2.0.0 (gzip) with its chunked upload" expect_ok "$FWSEAL" publish --root root.json \
	"${CA[@]}" --chunk-size 65536 v2.fwb.gz "oci://$R/fleet/pump:2.0.0"
check "it prints the pinned reference" grep -q "pinned: oci://$R/fleet/pump@sha256:" "$LAST_OUT"

# ---- skopeo, a client that is not fwseal, reads what publish wrote ----
SKOPEO=(skopeo --override-os linux --override-arch amd64)
SK_OPTS=(--cert-dir "$PWD/pki/skopeo" --creds 'ci-bot:correct horse')
mkdir -p pki/skopeo && cp pki/ca.crt pki/skopeo/ca.crt
T="skopeo inspect --raw reads the manifest" expect_ok "${SKOPEO[@]}" inspect --raw "${SK_OPTS[@]}" \
	"docker://$R/fleet/pump:1.0.0"
cp "$LAST_OUT" raw1.json
check "artifactType, empty config, one layer, annotations" python3 - raw1.json v1.fwb <<'EOP'
import hashlib, json, os, sys
m = json.load(open(sys.argv[1]))
b = open(sys.argv[2], "rb").read()
assert m["schemaVersion"] == 2 and m["mediaType"] == "application/vnd.oci.image.manifest.v1+json", m
assert m["artifactType"] == "application/vnd.fwseal.bundle.v1", m
assert m["config"] == {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2,
    "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest()}, m["config"]
[l] = m["layers"]
assert l["mediaType"] == "application/vnd.fwseal.bundle.v1.tar", l
assert l["digest"] == "sha256:" + hashlib.sha256(b).hexdigest() and l["size"] == len(b), l
a = m["annotations"]
assert a["org.opencontainers.image.version"] == "1.0.0", a
assert a["org.opencontainers.image.title"] == "v1.fwb", a
assert len(a["dev.fwseal.manifest.sha256"]) == 64, a
EOP
check "the manifest digest publish printed is the bytes' digest" python3 -c '
import hashlib, sys
assert "sha256:" + hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest() == sys.argv[2]' raw1.json "$D1"
# (skopeo inspect without --raw refuses artifacts: "unsupported
# image-specific operation on artifact", skopeo 1.9.)
T="skopeo inspect --raw by the digest publish printed" expect_ok "${SKOPEO[@]}" inspect --raw \
	"${SK_OPTS[@]}" "docker://$R/fleet/pump@$D1"
check "the same bytes as by tag" cmp "$LAST_OUT" raw1.json
T="skopeo copy fetches the blob" expect_ok "${SKOPEO[@]}" copy --src-cert-dir "$PWD/pki/skopeo" \
	--src-creds 'ci-bot:correct horse' \
	"docker://$R/fleet/pump:1.0.0" "dir:$PWD/copied"
check "the blob skopeo fetched is v1.fwb byte for byte" cmp copied/"$(sha256sum v1.fwb | cut -c1-64)" v1.fwb

# ---- verify and inspect by tag and by digest ----
# req: REQ-OCI-002
T="fwseal verify oci://...:TAG" expect_ok "$FWSEAL" verify --root root.json "${CA[@]}" \
	"oci://$R/fleet/pump:1.0.0" --json
check "it verified 1.0.0" grep -q '"version": "1.0.0"' "$LAST_OUT"
T="fwseal verify oci://...@DIGEST" expect_ok "$FWSEAL" verify --root root.json "${CA[@]}" \
	"oci://$R/fleet/pump@$D1"
T="fwseal inspect oci://...:TAG (gzip)" expect_ok "$FWSEAL" inspect "${CA[@]}" \
	"oci://$R/fleet/pump:2.0.0"
check "inspect shows 2.0.0" grep -q "version:  2.0.0" "$LAST_OUT"
