#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Encrypted bundles over HTTP (docs/encryption.md §5): a download cut twice
# inside the ciphertext resumes mid-payload over the fault proxy; a delta
# install plans with the encrypted plaintext chunk list, re-encrypts the
# chunks the slots hold, and fetches no more than the plaintext delta of
# the same change plus what encryption adds (bytes asserted, not time).
# req: REQ-ENC-002
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 300000
make_payload b.bin 5000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
"$FWKEYS" generate --type device --out dev1 >/dev/null || die "dev1"
mkdir www
pack www/e.fwb v1.json rel root.json --encrypt --to dev1.pub
pack v1.fwb v1.json rel root.json
aoff=$(python3 -c 'import tarfile
print(tarfile.open("www/e.fwb").getmember("payloads/a.bin").offset_data)') || die "offset"

# ---- resume: a download cut mid-payload continues where it stopped ----
if nginx_start "$PWD/ng" "$PWD/www" >/dev/null 2>&1; then
	device_init dn
	fault_proxy_start "$NGINX_URL" --cut-offsets "$((aoff + 100000)),$((aoff + 200000))"
	T="an encrypted install over a link cut twice inside the ciphertext" expect_ok \
		"$FWVERIFY" install --device dn --allow-http --decryption-key dev1.key "$PROXY_URL/e.fwb"
	fault_proxy_stop
	check "... resumed mid-payload with Range requests" python3 -c 'import json, sys
R = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["n"])
assert len(R) == 3 and R[1]["range"] and R[2]["range"], R' "$PROXY_LOG"
	check "... the slot holds the plaintext" cmp dn/b/rootfs a.bin
	# ---- delta (ADR-064): the device plans with the signed plaintext chunk
	# list the bundle carries encrypted, re-encrypts the chunks it holds
	# for their position, and fetches no more than a plaintext delta
	# would, but for what encryption adds (the recipients entry, the
	# encrypted list, 16 bytes per 64 KiB). One 64 KiB chunk of a.bin changed.
	python3 -c 'import sys
d = bytearray(open("a.bin", "rb").read())
for i in range(65536 * 2, 65536 * 2 + 100):
    d[i] ^= 0xff
open("a2.bin", "wb").write(bytes(d))' || die "a2.bin"
	make_release v2.json 1.1.0 1 hw-a a.bin:a2.bin:rootfs:65536 b.bin:b.bin:kernel
	pack www/e-new.fwb v2.json rel root.json --encrypt --to dev1.pub
	pack www/p-new.fwb v2.json rel root.json --no-block-index
	device_init dd
	device_init dp
	install_confirm dd v1.fwb
	install_confirm dp v1.fwb
	T="plaintext delta install (chunk level), for comparison" expect_ok "$FWVERIFY" install \
		--device dp --allow-http --delta "$NGINX_URL/p-new.fwb" --json
	cp "$LAST_OUT" plain-delta.json
	T="encrypted delta install" expect_ok "$FWVERIFY" install --device dd --allow-http --delta \
		--decryption-key dev1.key "$NGINX_URL/e-new.fwb" --json
	cp "$LAST_OUT" dd.json
	check "... the slot holds the new plaintext" cmp dd/a/rootfs a2.bin
	tar -xOf www/e-new.fwb recipients >rcp.bin
	check "... it reused the unchanged chunks and fetched no more than the plaintext delta plus the recipients, the encrypted list and the tags" python3 -c 'import json, os, sys
e = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
extra = os.path.getsize(sys.argv[3]) + 1024 + 2 * (16 + 32 * 5 + 32 + 512) + 16 * 6 + 2048
print("# encrypted delta %d bytes, plaintext delta %d, reused %d" % (
    e["downloaded_bytes"], p["downloaded_bytes"], e["reused_bytes"]))
assert e["reused_bytes"] >= 3 * 65536 + 37856, e  # chunks 0, 1, 3, 4 of a.bin
assert e["downloaded_bytes"] <= p["downloaded_bytes"] + extra, (e, p, extra)
assert e["downloaded_bytes"] < e["bundle_bytes"] - 3 * 65536, e' dd.json plain-delta.json rcp.bin
else
	skip "an encrypted install resumes mid-payload" "nginx did not start"
fi
finish
