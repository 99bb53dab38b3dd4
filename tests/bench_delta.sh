#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench, part 2: an update over the network on issue 20's scenario, a
# root file system rebuilt from scratch (tests/net/ext4_rebuild.sh: 8
# libraries changed, 150 files appended to, 20 deleted, one new; the
# deletions shift later files by multiples of 4 KiB). fwseal's delta
# (default pack options: 1 MiB chunks and the 4 KiB block index, ADR-050;
# and without the index, as older bundles), casync (casync extract --seed)
# and zchunk (zckdl --source, SWUpdate's delta) fetch the same new image
# from the same nginx on 127.0.0.1; a full fwseal install for the time;
# the same release encrypted (ADR-087), full and with --delta.
# Prints bytes, requests and seconds as a table, with ratios to what 4 KiB
# reuse needs (computed independently) and to fwseal. Timings decide nothing.
#   BENCH_DELTA_MB=400 (default) size of the images; BENCH_DIR=build/bench
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=${BUILD:-$PWD/build}
MB=${BENCH_DELTA_MB:-400}
DIR=${BENCH_DIR:-$BUILD/bench}/delta
export FWSEAL_PASSPHRASE=fwseal-demo SOURCE_DATE_EPOCH=$(date +%s)
KEYS=$SRC/keys-example
chmod 600 "$KEYS"/*.key # git keeps no 0600
. "$SRC/tests/net/servers.sh"
. "$SRC/tests/net/ext4_rebuild.sh"

rm -rf "$DIR" && mkdir -p "$DIR/www" && cd "$DIR"
echo "bench: building two ${MB} MiB ext4 images (a rebuilt root file system)"
ext4_rebuilt_pair img "$MB" $((MB * 7 / 10))
need=$(block_need img/old.img img/new.img)
cat >new.json <<JSON
{"product":"bench","version":"2.0.0","security_version":2,"hardware":["bench-hw"],
 "payloads":[{"name":"rootfs","file":"img/new.img","target":"rootfs"}]}
JSON
pack() {
	"$BUILD/fwseal" pack --manifest new.json --key "$KEYS/release.key" \
		--root "$KEYS/root.json" --out "www/$1" "${@:2}" >/dev/null
}
pack new.fwb
pack chunks-only.fwb --no-block-index
"$BUILD/fwseal-keys" generate --type device --out devk >/dev/null
pack enc.fwb --encrypt --to devk.pub # docs/encryption.md §5, ADR-087
casync make --store=www/store www/new.caibx img/new.img >/dev/null
zck -o old.zck img/old.img >/dev/null
zck -o www/new.zck img/new.img >/dev/null

# The device: two slots in a disk image, the old image in set a.
mkdir etc
SLOT=$((MB + 8))
truncate -s $((2 * SLOT + 4))M disk.img
disk_conf "$PWD" bench-hw $SLOT >dev.conf
"$BUILD/fwseal-verify" init --config dev.conf --root "$KEYS/root.json" --factory-version 1.0.0 \
	--factory-security-version 1 >/dev/null
nginx_start "$PWD/ng" "$PWD/www" >/dev/null

now() { date +%s.%N; }
ROWS=()
# row NAME: runs the rest of the arguments, timed, with a fresh access log
row() {
	local name=$1 t0 t1
	shift
	sleep 0.2
	: >"$NGINX_ACCESS_LOG"
	t0=$(now)
	"$@" >/dev/null 2>>tools.err # zckdl chats about its range batches
	t1=$(now)
	sleep 0.3
	ROWS+=("$name|$(net_nginx_body_bytes)|$(net_nginx_requests)|$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
}
fresh_device() { # the old image in set a, set b cleared, nothing pending
	"$BUILD/fwseal-verify" rollback --config dev.conf >/dev/null 2>&1 || true
	dd if=img/old.img of=disk.img bs=1M seek=1 conv=notrunc status=none
	dd if=/dev/zero of=disk.img bs=1M seek=$((SLOT + 2)) count=$SLOT conv=notrunc status=none
}
slot_b_is_new() { cmp <(dd if=disk.img bs=1M skip=$((SLOT + 2)) status=none | head -c "$(stat -c %s img/new.img)") img/new.img; }

fresh_device
row "fwseal install (full)" "$BUILD/fwseal-verify" install --config dev.conf "$NGINX_URL/new.fwb"
slot_b_is_new
fresh_device
row "fwseal install --delta" "$BUILD/fwseal-verify" install --config dev.conf --delta \
	"$NGINX_URL/new.fwb"
slot_b_is_new
fresh_device
row "  without block index" "$BUILD/fwseal-verify" install --config dev.conf --delta \
	"$NGINX_URL/chunks-only.fwb"
slot_b_is_new
fresh_device
row "fwseal encrypted (full)" "$BUILD/fwseal-verify" install --config dev.conf \
	--decryption-key devk.key "$NGINX_URL/enc.fwb"
slot_b_is_new
fresh_device
row "  encrypted --delta" "$BUILD/fwseal-verify" install --config dev.conf --delta \
	--decryption-key devk.key "$NGINX_URL/enc.fwb"
slot_b_is_new
row "casync extract --seed" casync extract --seed=img/old.img --store="$NGINX_URL/store" \
	"$NGINX_URL/new.caibx" ca.img
cmp ca.img img/new.img
row "zckdl --source" zckdl --source=old.zck "$NGINX_URL/new.zck"
unzck new.zck >/dev/null # writes ./new
cmp new img/new.img
nginx_stop

fw=$(printf '%s\n' "${ROWS[1]}" | cut -d'|' -f2)
printf '\nfwseal bench (delta): %d MiB ext4 rebuilt from scratch (8 libraries changed, 150 files\n' "$MB"
printf 'appended to, 20 deleted, 1 new); 4 KiB-granular reuse needs %d bytes (%.1f MiB)\n' \
	"$need" "$(awk -v n="$need" 'BEGIN { print n / 1048576 }')"
printf '  %-24s %12s %9s %8s %9s %9s\n' "" "bytes" "requests" "seconds" "/ 4K need" "/ fwseal"
for r in "${ROWS[@]}"; do
	IFS='|' read -r name bytes reqs secs <<<"$r"
	printf '  %-24s %12d %9d %8.2f %9.2f %9.2f\n' "$name" "$bytes" "$reqs" "$secs" \
		"$(awk -v a="$bytes" -v b="$need" 'BEGIN { print a / b }')" \
		"$(awk -v a="$bytes" -v b="$fw" 'BEGIN { print a / b }')"
done
printf '  (the goal: fwseal --delta at most 1.2 x the 4K need; the test bound in\n'
printf '   tests/cli/long_delta_ext4.sh. casync and zchunk compress chunks with zstd.)\n'
