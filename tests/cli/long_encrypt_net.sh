#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Encrypted bundles over HTTP (docs/encryption.md §5): a download cut twice
# inside the ciphertext resumes mid-payload over the fault proxy; a delta
# install plans with the encrypted keyed block index, fetches the
# ciphertext of the one changed block, re-encrypts the chunks it
# assembles, and fetches what the plaintext delta of the same change
# fetches, less 2 bytes per block of index, plus the recipients entry and
# the index's nonce and tags (bytes asserted, not time). The same
# comparison on a 128 MiB rebuilt image, where the encrypted delta fetches
# less than the plaintext one, is tests/cli/long_delta_ext4.sh.
# req: REQ-ENC-002, REQ-ENC-004
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
	# ---- delta (ADR-064, ADR-087): the device plans with the keyed block
	# index the bundle carries encrypted, fetches the ciphertext of the
	# blocks it lacks and re-encrypts the chunks it assembles. 100 bytes
	# of one 4 KiB block of a.bin changed.
	python3 -c 'import sys
d = bytearray(open("a.bin", "rb").read())
for i in range(65536 * 2, 65536 * 2 + 100):
    d[i] ^= 0xff
open("a2.bin", "wb").write(bytes(d))' || die "a2.bin"
	make_release v2.json 1.1.0 1 hw-a a.bin:a2.bin:rootfs:65536 b.bin:b.bin:kernel
	pack www/e-new.fwb v2.json rel root.json --encrypt --to dev1.pub
	pack www/p-new.fwb v2.json rel root.json
	device_init dd
	device_init dp
	install_confirm dd v1.fwb
	install_confirm dp v1.fwb
	T="plaintext delta install (block index), for comparison" expect_ok "$FWVERIFY" install \
		--device dp --allow-http --delta "$NGINX_URL/p-new.fwb" --json
	cp "$LAST_OUT" plain-delta.json
	T="encrypted delta install" expect_ok "$FWVERIFY" install --device dd --allow-http --delta \
		--decryption-key dev1.key "$NGINX_URL/e-new.fwb" --json
	cp "$LAST_OUT" dd.json
	check "... the slot holds the new plaintext" cmp dd/a/rootfs a2.bin
	check "... the new block's plaintext is in no other file the delta left, nor in the bundle" \
		sh -c 'find dd www/e-new.fwb -type f ! -path "dd/a/*" -print0 | xargs -0 -r python3 -c "
import sys
new = open(\"a2.bin\", \"rb\").read()[131072:131172]
for p in sys.argv[1:]:
    assert new[:64] not in open(p, \"rb\").read() and new[36:] not in open(p, \"rb\").read(), p"'
	check "... it fetched one block of a.bin and the plaintext delta's bytes, less 2 bytes per block, plus the recipients entry, the index's nonce and tags and the kernel's 16 bytes of tag" python3 -c 'import json, sys, tarfile
e = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
t = tarfile.open(sys.argv[3])
pad = lambda n: 512 + (n + 511) // 512 * 512
rcp = pad(t.getmember("recipients").size)
# what encryption adds beyond the plaintext bundle: the recipients entry;
# per payload the index nonce and tag, the payload nonce, a header and
# padding block at most, and the tags of the payload chunks fetched whole
blocks = (300000 + 4095) // 4096 + (5000 + 4095) // 4096
extra = rcp + 2 * (16 + 16 + 16 + 512) + 16 * 1
print("# encrypted delta %d bytes, plaintext delta %d, reused %d, recipients entry %d" % (
    e["downloaded_bytes"], p["downloaded_bytes"], e["reused_bytes"], rcp))
assert e["reused_bytes"] >= 300000 - 4096, e  # all of a.bin but the changed block
assert e["refetched_chunks"] == 0, e
assert e["downloaded_bytes"] <= p["downloaded_bytes"] - 2 * blocks + extra, (e, p, extra)' \
		dd.json plain-delta.json www/e-new.fwb
else
	skip "an encrypted install resumes mid-payload" "nginx did not start"
fi
finish
