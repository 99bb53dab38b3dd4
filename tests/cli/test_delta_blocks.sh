# SPDX-License-Identifier: Apache-2.0
# The block index (ADR-050, docs/format.md §6.1): what pack writes, checked
# by an independent computation, and the attacks on it: a tampered index
# byte (exit 22, the signed sha256-blocks), an index the manifest does not
# sign spliced into a bundle (exit 18, an entry where the payload must
# come). The delta install that uses it is tests/cli/long_delta_ext4.sh
# (a rebuilt 128 MiB ext4 image) and the unit suite device_delta_blocks.
# req: REQ-FMT-010
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
make_payload fw.img 300000
make_release rel.json 2.0.0 2 hw-a rootfs:fw.img:rootfs
export SOURCE_DATE_EPOCH=1767225600
pack indexed.fwb rel.json rel root.json
pack unindexed.fwb rel.json rel root.json --no-block-index

check "pack writes blocks/rootfs between chunks/rootfs and payloads/rootfs" bash -c \
	"tar -tf indexed.fwb | tr '\n' ' ' | grep -q 'chunks/rootfs blocks/rootfs payloads/rootfs'"
check "the index is 8 bytes of SHA-256 per 4 KiB block, the last one short" python3 -c '
import hashlib, sys, tarfile
idx = tarfile.open(sys.argv[1]).extractfile("blocks/rootfs").read()
img = open(sys.argv[2], "rb").read()
want = b"".join(hashlib.sha256(img[i:i + 4096]).digest()[:8] for i in range(0, len(img), 4096))
assert len(idx) == 8 * 74 and idx == want, (len(idx), len(want))' indexed.fwb fw.img
T="inspect shows the signed sha256-blocks" expect_ok "$FWSEAL" inspect --json indexed.fwb
check "sha256-blocks is SHA-256 of the index" python3 -c '
import hashlib, json, sys, tarfile
d = json.load(open(sys.argv[1]))
idx = tarfile.open(sys.argv[2]).extractfile("blocks/rootfs").read()
assert d["manifest"]["payloads"][0]["sha256_blocks"] == hashlib.sha256(idx).hexdigest(), d' \
	"$LAST_OUT" indexed.fwb
T="the indexed bundle verifies" expect_ok "$FWSEAL" verify --root root.json indexed.fwb
check "--no-block-index leaves the entry and the field out" bash -c \
	"! tar -tf unindexed.fwb | grep -q blocks/ && ! tar -xOf unindexed.fwb manifest.json | grep -q blocks"
T="a bundle without an index verifies" expect_ok "$FWSEAL" verify --root root.json unindexed.fwb

# One index byte changed: the signed digest catches it.
offset=$(python3 -c '
import sys, tarfile
print(tarfile.open(sys.argv[1]).getmember("blocks/rootfs").offset_data)' indexed.fwb)
cp indexed.fwb tampered.fwb
printf '\377' | dd of=tampered.fwb bs=1 seek=$((offset + 8)) conv=notrunc status=none
T="tampered block index is refused" expect_exit 22 "$FWSEAL" verify --root root.json tampered.fwb
check "the message names the index and the signed digest" \
	grep -q "blocks/rootfs.*sha256-blocks" "$LAST_ERR"

# req: REQ-FMT-001
# The index entry, byte for byte as pack wrote it, spliced into the bundle
# whose manifest signs none (same time stamp, so every header is valid).
python3 - unindexed.fwb indexed.fwb smuggled.fwb <<'PY' || die "splice"
import sys, tarfile
src, donor, out = sys.argv[1:4]
s, d = open(src, "rb").read(), open(donor, "rb").read()
b = tarfile.open(donor).getmember("blocks/rootfs")
entry = d[b.offset:b.offset_data + (b.size + 511) // 512 * 512]
members = tarfile.open(src).getmembers()
at = [m for m in members if m.name == "payloads/rootfs"][0].offset
last = members[-1]
end = last.offset_data + (last.size + 511) // 512 * 512
body = s[:at] + entry + s[at:end] + bytes(1024)
body += bytes(-len(body) % 10240)
open(out, "wb").write(body)
PY
T="a block index the manifest does not sign is refused" expect_exit 18 "$FWSEAL" verify \
	--root root.json smuggled.fwb
check "the message names the unsigned entry" grep -q "blocks/rootfs" "$LAST_ERR"
finish
