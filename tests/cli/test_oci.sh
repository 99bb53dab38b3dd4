# SPDX-License-Identifier: Apache-2.0
# Bundles through an OCI registry (docs/fleet.md, docs/network.md §7),
# against Debian's docker-registry (distribution 2.8) on 127.0.0.1: TLS
# from a CA the test makes, basic auth through a bcrypt htpasswd file,
# storage in the test directory. fwseal publish pushes; skopeo (not
# fwseal) reads what it wrote; fwseal verify and fwseal-verify install
# read it back by tag and by digest. The slower scenarios (cuts through
# the fault proxy, delta, a tag moved mid-install, the Bearer token
# exchange) are in long_oci_registry.sh.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"
. "$TESTS_DIR/net/registry.sh"

for tool in docker-registry skopeo htpasswd; do
	command -v "$tool" >/dev/null 2>&1 || {
		skip "the OCI registry tests" "$tool is not installed (make test-deps)"
		finish
	}
done

# Installing docker-registry must not have left its packaged service on
# (tests/deps.sh disables what an install enabled): no start link, no
# enabled unit, no process on the packaged configuration.
check "the packaged docker-registry service is neither enabled nor running" bash -c '
for f in /etc/rc[2-5].d/S*docker-registry /etc/systemd/system/*.wants/docker-registry.service; do
	[ -e "$f" ] && exit 1
done
for p in $(pgrep -x docker-registry); do
	tr "\0" " " <"/proc/$p/cmdline" | grep -q /etc/docker/registry && exit 1
done
exit 0'

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
T="fwseal verify of a tag that is not there" expect_exit 77 "$FWSEAL" verify --root root.json \
	"${CA[@]}" "oci://$R/fleet/pump:9.9.9"
check "the registry's reason is named" grep -q "MANIFEST_UNKNOWN" "$LAST_ERR"

# ---- credentials: a file, its mode checked, never the command line ----
# req: REQ-OCI-003
FWSEAL_REGISTRY_AUTH=$PWD/wrong-auth.json T="wrong credentials" expect_exit 77 "$FWSEAL" verify --root root.json "${CA[@]}" "oci://$R/fleet/pump:1.0.0"
check "the message says the credentials were refused" grep -q "HTTP status 401.*credentials" "$LAST_ERR"
check "the password is not in the message" bash -c '! grep -q horse "$1"' _ "$LAST_ERR"
FWSEAL_REGISTRY_AUTH= T="no credentials for a registry that asks for them" expect_exit 77 \
	"$FWSEAL" verify --root root.json "${CA[@]}" "oci://$R/fleet/pump:1.0.0"
check "the message says where credentials come from" grep -q "\[oci\] credentials" "$LAST_ERR"
cp auth.json group-auth.json && chmod 640 group-auth.json
FWSEAL_REGISTRY_AUTH=$PWD/group-auth.json T="a credentials file readable by group" expect_exit 41 \
	"$FWSEAL" verify --root root.json "${CA[@]}" "oci://$R/fleet/pump:1.0.0"
T="--registry-auth is publish's option, not verify's" expect_exit 2 "$FWSEAL" verify \
	--root root.json "${CA[@]}" --registry-auth auth.json "oci://$R/fleet/pump:1.0.0"
cp auth.json group-auth.json && chmod 644 group-auth.json
T="publish with a world-readable credentials file" expect_exit 41 "$FWSEAL" publish \
	--root root.json "${CA[@]}" --registry-auth group-auth.json v1.fwb "oci://$R/fleet/pump:x"
check "the message names the mode" grep -q "readable by group or others" "$LAST_ERR"

# ---- references are held to the distribution grammar ----
for bad in "oci://$R/fleet/pump" "oci://$R/Fleet/pump:1" "oci://$R/fleet/../pump:1" \
	"oci://$R/fleet/pump@sha256:ABC" "oci://$R/fleet/pump:-x" "oci:///fleet/pump:1" \
	"oci://$R/fleet/pump:1?x=y"; do
	T="a bad reference: $bad" expect_exit 2 "$FWSEAL" verify --root root.json "${CA[@]}" "$bad"
done

# ---- what the registry serves is checked before a byte of it is used ----
# req: REQ-OCI-002
# Another tool's artifact (and a manifest without artifactType whose
# config is not ours) under a tag: pushed with curl, not fwseal.
B1=$(sha256sum v1.fwb | cut -c1-64)
E=$(printf '{}' | sha256sum | cut -c1-64)
put_manifest() { # TAG ARTIFACT_TYPE LAYER_TYPE
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:%s","size":2},"layers":[{"mediaType":"%s","digest":"sha256:%s","size":%s}]}' \
		"$2" "$E" "$3" "$B1" "$(stat -c %s v1.fwb)" >"m-$1.json"
	curl -fsS --cacert pki/ca.crt -u 'ci-bot:correct horse' -X PUT \
		-H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@m-$1.json" \
		"https://$R/v2/fleet/pump/manifests/$1" >/dev/null || die "curl PUT manifest $1"
}
put_manifest helm application/vnd.cncf.helm.config.v1+json application/vnd.fwseal.bundle.v1.tar
put_manifest layer application/vnd.fwseal.bundle.v1 application/vnd.oci.image.layer.v1.tar
T="a wrong artifact type" expect_exit 79 "$FWSEAL" verify --root root.json "${CA[@]}" \
	"oci://$R/fleet/pump:helm"
check "the message names the type" grep -q 'artifactType "application/vnd.cncf.helm.config.v1+json"' "$LAST_ERR"
T="our artifact type with a container layer" expect_exit 79 "$FWSEAL" verify --root root.json \
	"${CA[@]}" "oci://$R/fleet/pump:layer"
# A manifest past 64 KiB (the registry takes 4 MiB): refused unread.
python3 -c 'import json,sys; m=json.load(open("m-layer.json")); m["annotations"]={"pad": "x" * 70000}; json.dump(m, open("m-big.json","w"))'
curl -fsS --cacert pki/ca.crt -u 'ci-bot:correct horse' -X PUT \
	-H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @m-big.json \
	"https://$R/v2/fleet/pump/manifests/big" >/dev/null || die "curl PUT big manifest"
T="a manifest longer than 64 KiB" expect_exit 78 "$FWSEAL" verify --root root.json "${CA[@]}" \
	"oci://$R/fleet/pump:big"
check "the message names the bound" grep -q "runs past 65536 bytes" "$LAST_ERR"

# ---- a configured device: credentials from system.conf [oci] only ----
# req: REQ-OCI-002, REQ-OCI-003
mkdir -p cfg/etc && truncate -s 8M cfg/disk.img && cp root.json cfg/etc/root.json
install -m 600 auth.json cfg/etc/oci-auth.json
conf() { # [oci] credentials file
	cat <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/cfg/etc/root.json
state-dir = $PWD/cfg/state
bootloader = dir
[network]
ca-file = $PWD/pki/ca.crt
retries = 2
[oci]
credentials = $1
EOC
	printf '[slot.rootfs.a]\nclass = rootfs\ndevice = %s\noffset = 0\nsize = 3M\nbootname = A\n' "$PWD/cfg/disk.img"
	printf '[slot.rootfs.b]\nclass = rootfs\ndevice = %s\noffset = 3M\nsize = 3M\nbootname = B\n' "$PWD/cfg/disk.img"
	printf '[slot.kernel.a]\nclass = kernel\ndevice = %s\noffset = 6M\nsize = 1M\nbootname = A\n' "$PWD/cfg/disk.img"
	printf '[slot.kernel.b]\nclass = kernel\ndevice = %s\noffset = 7M\nsize = 1M\nbootname = B\n' "$PWD/cfg/disk.img"
}
conf "$PWD/cfg/etc/oci-auth.json" >cfg/system.conf
"$FWVERIFY" init --config cfg/system.conf --root root.json >"$T_DIR/setup.log" 2>&1 || die "init: $(cat "$T_DIR/setup.log")"
T="install by tag with [oci] credentials" expect_ok "$FWVERIFY" install --config cfg/system.conf \
	"oci://$R/fleet/pump:1.0.0" --json
check "1.0.0 is pending" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == "1.0.0", d' "$LAST_OUT"
check "set b's rootfs slot holds the payload" cmp <(dd if=cfg/disk.img bs=1M skip=3 status=none |
	head -c 300000) a.bin
D2=$(python3 -c 'import hashlib,sys; print("sha256:" + hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' \
	<("${SKOPEO[@]}" inspect --raw "${SK_OPTS[@]}" "docker://$R/fleet/pump:2.0.0"))
T="install by digest (2.0.0, gzip)" expect_ok "$FWVERIFY" install --config cfg/system.conf \
	"oci://$R/fleet/pump@$D2" --json
check "2.0.0 is pending" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == "2.0.0", d' "$LAST_OUT"
cfg_snapshot() { sha256sum cfg/disk.img && find cfg/state -type f | sort | xargs sha256sum; }
before=$(cfg_snapshot)
conf "$PWD/cfg/etc/wrong.json" >cfg/wrong.conf && install -m 600 wrong-auth.json cfg/etc/wrong.json
T="a device with wrong [oci] credentials" expect_exit 77 "$FWVERIFY" install --config cfg/wrong.conf \
	"oci://$R/fleet/pump:1.0.0"
chmod 644 cfg/etc/wrong.json
T="a device whose credentials file others can read" expect_exit 41 "$FWVERIFY" install \
	--config cfg/wrong.conf "oci://$R/fleet/pump:1.0.0"
device_init dev0
T="a simulated device (--device) has no registry credentials" expect_exit 77 "$FWVERIFY" install \
	--device dev0 "${CA[@]}" "oci://$R/fleet/pump:1.0.0"
check "nothing changed after these refusals" test "$before" = "$(cfg_snapshot)"
sed 's/^credentials = .*/credential = x/' cfg/system.conf >cfg/typo.conf
T="[oci] with an unknown key" expect_exit 46 "$FWVERIFY" install --config cfg/typo.conf \
	"oci://$R/fleet/pump:1.0.0"
check "the message names the key and the section" grep -q 'unknown key "credential" in \[oci\]' "$LAST_ERR"
