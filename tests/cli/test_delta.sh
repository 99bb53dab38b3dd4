# SPDX-License-Identifier: Apache-2.0
# Chunk-level delta (docs/delta.md) on a configured device whose slots are
# regions of a disk image, written in place, served by a real nginx: an
# ext4 image built with mke2fs -d, one file changed, rebuilt. The device
# holds the old image in set a; the new one must cost at most 1.2 times
# the chunks that really changed (computed here, independently), and the
# bytes in set b must be exactly the new image. Then the same two images
# through casync (casync make, casync extract --seed) for comparison; and
# an install cut off half-way and started again, which fetches only what
# the first attempt did not already write and verify.
# req: REQ-LIFE-009
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"
. "$TESTS_DIR/net/ext4_pair.sh"

make_key rootk
make_key rel
make_root root.json rootk rel
ext4_pair img 32 || die "ext4 images"
CS=65536
changed=$(changed_chunk_bytes img/old.img img/new.img $CS) || die "changed chunks"
[ "$changed" -gt 0 ] || die "the two images do not differ"
make_release new.json 2.0.0 2 hw-a rootfs:img/new.img:rootfs:$CS
mkdir www
pack www/new.fwb new.json rel root.json
make_payload fresh.bin 4000000
make_release fresh.json 3.0.0 3 hw-a rootfs:fresh.bin:rootfs:$CS
pack www/fresh.fwb fresh.json rel root.json

# The device: slots of 40 MiB in one sparse disk image; the factory image
# (the old ext4) already in set a.
mkdir etc
truncate -s 84M disk.img
dd if=img/old.img of=disk.img bs=1M seek=1 conv=notrunc status=none
disk_conf "$PWD" hw-a 40 >dev.conf
"$FWVERIFY" init --config dev.conf --root root.json --factory-version 1.0.0 \
	--factory-security-version 1 >"$T_DIR/setup.log" 2>&1 || die "init: $(cat "$T_DIR/setup.log")"
slot_b() { dd if=disk.img bs=1M skip=42 status=none | head -c "$1"; }

nginx_start "$PWD/ng" "$PWD/www" >/dev/null || die "nginx"
bundle_size=$(stat -c %s www/new.fwb)
T="delta install of the rebuilt image" expect_ok "$FWVERIFY" install --config dev.conf --delta \
	"$NGINX_URL/new.fwb" --json
check "set b holds exactly the new image" cmp <(slot_b "$(stat -c %s img/new.img)") img/new.img
downloaded=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["downloaded_bytes"])' \
	"$LAST_OUT")
check "downloaded ($downloaded) <= 1.2 x the changed chunks ($changed)" \
	test $((downloaded * 10)) -le $((changed * 12))
check "reused + downloaded covers the bundle" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["reused_bytes"] + d["downloaded_bytes"] >= d["bundle_bytes"], d' "$LAST_OUT"
echo "# fwseal delta: $downloaded of $bundle_size bundle bytes downloaded; changed chunks $changed"
sleep 0.3
fwseal_requests=$(net_nginx_requests)

# casync on the same images, for comparison (tools/bench.sh measures time).
if command -v casync >/dev/null; then
	mkdir -p www/ca
	if casync make --chunk-size=$CS --store=www/ca/store www/ca/new.caibx img/new.img \
		>/dev/null 2>&1; then
		: >"$NGINX_ACCESS_LOG"
		check "casync extract --seed with the old image" casync extract --seed=img/old.img \
			--store="$NGINX_URL/ca/store" "$NGINX_URL/ca/new.caibx" ca.img
		check "casync's result is the new image" cmp ca.img img/new.img
		sleep 0.3
		echo "# casync: $(net_nginx_body_bytes) bytes in $(net_nginx_requests) requests;" \
			"fwseal: $downloaded bytes in $fwseal_requests requests"
	else
		not_ok "casync make" "$(casync make --chunk-size=$CS --store=x x.caibx img/new.img 2>&1)"
	fi
else
	not_ok "casync is installed (the deps step installs it)"
fi

# ---- an install cut off half-way, then again: the written chunks stay ----
"$FWVERIFY" rollback --config dev.conf >/dev/null 2>&1 || die "rollback"
export NET_PROXY_DIR=$PWD/proxy
mkdir -p proxy
fault_proxy_start "$NGINX_URL" --plan "cut:2000000" --default "status:503"
T="first attempt: the link dies half-way" expect_exit 49 "$FWVERIFY" install --config dev.conf \
	--retries 0 "$PROXY_URL/fresh.fwb"
fault_proxy_stop
check "only whole verified chunks reached set b: new chunks, then the old image" python3 -c '
import sys
cs, new, old = int(sys.argv[1]), open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
with open(sys.argv[4], "rb") as f:
    f.seek(42 << 20)
    slot = f.read(len(new))
k = 0
while k * cs < len(new) and slot[k * cs:(k + 1) * cs] == new[k * cs:(k + 1) * cs]:
    k += 1
assert 0 < k * cs < len(new), ("chunks written", k)
assert slot[k * cs:] == old[k * cs:len(new)], ("a partial or foreign chunk after", k)' \
	$CS fresh.bin img/new.img disk.img
status_after_cut=$("$FWVERIFY" status --config dev.conf --json 2>/dev/null)
check "set b is not bootable after the cut" python3 -c 'import json, sys
d = json.loads(sys.argv[1]); assert d["pending_slot"] is None and d["slots"]["b"]["version"] is None, d' \
	"$status_after_cut"
T="second attempt with --delta" expect_ok "$FWVERIFY" install --config dev.conf --delta \
	"$NGINX_URL/fresh.fwb" --json
check "it fetched only what the first attempt had not written" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["reused_bytes"] > 1500000 and d["downloaded_bytes"] < 2600000, d' "$LAST_OUT"
check "set b holds the new payload" cmp <(slot_b 4000000) fresh.bin
nginx_stop
finish
