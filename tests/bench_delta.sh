#!/usr/bin/env bash
# make bench, part 2: an update over the network, fwseal's chunk-level
# delta against casync on the same two ext4 images (tests/net/ext4_pair.sh:
# one file of 256 KiB changed), both served by the same nginx on 127.0.0.1.
# Prints bytes transferred and seconds for each, and their ratios. Timings
# decide nothing.
#   BENCH_DELTA_MB=64 (default) size of the images; BENCH_DIR=build/bench
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=${BUILD:-$PWD/build}
MB=${BENCH_DELTA_MB:-64}
DIR=${BENCH_DIR:-$BUILD/bench}/delta
CS=65536
export FWSEAL_PASSPHRASE=fwseal-demo SOURCE_DATE_EPOCH=$(date +%s)
KEYS=$SRC/keys-example
. "$SRC/tests/net/servers.sh"
. "$SRC/tests/net/ext4_pair.sh"

rm -rf "$DIR" && mkdir -p "$DIR/www" && cd "$DIR"
echo "bench: building two ${MB} MiB ext4 images (one file changed)"
ext4_pair img "$MB" >/dev/null
changed=$(changed_chunk_bytes img/old.img img/new.img $CS)
cat >new.json <<JSON
{"product":"bench","version":"2.0.0","security_version":2,"hardware":["bench-hw"],
 "payloads":[{"name":"rootfs","file":"img/new.img","target":"rootfs","chunk_size":$CS}]}
JSON
"$BUILD/fwseal" pack --manifest new.json --key "$KEYS/release.key" --root "$KEYS/root.json" \
	--out www/new.fwb >/dev/null
casync make --chunk-size=$CS --store=www/store www/new.caibx img/new.img >/dev/null

# The device: two slots in a disk image, the old image in set a.
mkdir etc
truncate -s $((2 * MB + 2))M disk.img # slots at 1 MiB and MB + 2 MiB (disk_conf)
dd if=img/old.img of=disk.img bs=1M seek=1 conv=notrunc status=none
disk_conf "$PWD" bench-hw "$MB" >dev.conf
"$BUILD/fwseal-verify" init --config dev.conf --root "$KEYS/root.json" --factory-version 1.0.0 \
	--factory-security-version 1 >/dev/null
nginx_start "$PWD/ng" "$PWD/www" >/dev/null

now() { date +%s.%N; }
t0=$(now)
"$BUILD/fwseal-verify" install --config dev.conf --delta --json "$NGINX_URL/new.fwb" >fw.json
t1=$(now)
sleep 0.3
fw_bytes=$(net_nginx_body_bytes)
fw_requests=$(net_nginx_requests)
: >"$NGINX_ACCESS_LOG"
t2=$(now)
casync extract --seed=img/old.img --store="$NGINX_URL/store" "$NGINX_URL/new.caibx" ca.img
t3=$(now)
sleep 0.3
ca_bytes=$(net_nginx_body_bytes)
ca_requests=$(net_nginx_requests)
nginx_stop
cmp ca.img img/new.img
cmp <(dd if=disk.img bs=1M skip=$((MB + 2)) count="$MB" status=none) img/new.img

printf '\nfwseal bench (delta): %d MiB ext4, one 256 KiB file changed, %d KiB chunks\n' \
	"$MB" $((CS / 1024))
printf '  chunks that changed:         %d bytes (at %d-byte boundaries, matched by content)\n' \
	"$changed" $CS
printf '  %-22s %12s %9s %9s\n' "" "bytes" "requests" "seconds"
printf '  %-22s %12d %9d %9.2f\n' "fwseal install --delta" "$fw_bytes" "$fw_requests" \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
printf '  %-22s %12d %9d %9.2f\n' "casync extract --seed" "$ca_bytes" "$ca_requests" \
	"$(awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a }')"
printf '  fwseal bytes / changed chunks: %.2f (the test bound is 1.2)\n' \
	"$(awk -v a="$fw_bytes" -v c="$changed" 'BEGIN { print a / c }')"
printf '  casync bytes / fwseal bytes:   %.2f (casync compresses chunks with zstd)\n' \
	"$(awk -v a="$ca_bytes" -v b="$fw_bytes" 'BEGIN { print a / b }')"
printf '  fwseal time / casync time:     %.2f (fwseal also verifies signatures and hashes\n' \
	"$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { print (b - a) / (d - c) }')"
printf '                                 both slots; casync checks chunks against an unsigned index)\n'
