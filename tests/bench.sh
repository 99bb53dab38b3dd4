#!/usr/bin/env bash
# make bench: fwseal against the system's own tools on the same file, in one
# run. Prints throughput, ratios and fwseal's peak RSS. Never part of a test:
# timings depend on the machine and decide nothing.
#   BENCH_MB=1024 (default) size of the random payload; BENCH_DIR=build/bench
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
MB=${BENCH_MB:-1024}
DIR=${BENCH_DIR:-$BUILD/bench}
export FWSEAL_PASSPHRASE=fwseal-demo SOURCE_DATE_EPOCH=$(date +%s)
KEYS=$PWD/keys-example
chmod 600 "$KEYS"/*.key

if [ ! -x /usr/bin/time ]; then
	echo "bench: installing GNU time (for peak RSS) with apt-get"
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get install -y -qq time >/dev/null
fi
GZIP_TOOL=gzip
command -v pigz >/dev/null 2>&1 && GZIP_TOOL=pigz

mkdir -p "$DIR"
cd "$DIR"
if [ ! -f payload.bin ] || [ "$(stat -c %s payload.bin)" -ne $((MB * 1048576)) ]; then
	echo "bench: generating ${MB} MiB of random data"
	head -c $((MB * 1048576)) /dev/urandom > payload.bin
fi
cat > release.json <<JSON
{"product":"bench","version":"1.0.0","security_version":1,"hardware":["bench-hw"],
 "payloads":[{"name":"payload.bin","file":"payload.bin","target":"rootfs"}]}
JSON
cat payload.bin > /dev/null # warm the page cache for everyone alike

# run NAME CMD...: best of 3 wall-clock seconds and peak RSS (KiB) of CMD.
declare -A SECS RSS
run() {
	local name=$1; shift
	local best="" rss=0 t
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %M" -o time.out "$@" > /dev/null 2> err.out ||
			{ echo "bench: $name failed:"; cat err.out; exit 1; }
		read -r t r < time.out
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
		[ "$r" -gt "$rss" ] && rss=$r
	done
	SECS[$name]=$best
	RSS[$name]=$rss
}

run "fwseal pack" "$BUILD/fwseal" pack --manifest release.json --key "$KEYS/release.key" \
	--root "$KEYS/root.json" --out bundle.fwb
run "fwseal pack --gzip" "$BUILD/fwseal" pack --manifest release.json --key "$KEYS/release.key" \
	--root "$KEYS/root.json" --out bundle.fwb.gz --gzip
run "fwseal verify" "$BUILD/fwseal" verify --root "$KEYS/root.json" bundle.fwb
run "fwseal verify (gzip)" "$BUILD/fwseal" verify --root "$KEYS/root.json" bundle.fwb.gz
run "sha256sum" sha256sum payload.bin
run "b2sum" b2sum payload.bin
run "tar cf" tar cf tar.out payload.bin
run "$GZIP_TOOL -c" sh -c "$GZIP_TOOL -c payload.bin > gz.out"
run "$GZIP_TOOL -dc" sh -c "$GZIP_TOOL -dc gz.out > /dev/null"

printf '\nfwseal bench: %d MiB random payload, %s, %s cores\n' "$MB" "$(uname -m)" "$(nproc)"
printf '%-24s %9s %10s %10s\n' "command" "seconds" "MiB/s" "peak RSS"
for k in "fwseal verify" "fwseal verify (gzip)" "fwseal pack" "fwseal pack --gzip" \
	"sha256sum" "b2sum" "tar cf" "$GZIP_TOOL -c" "$GZIP_TOOL -dc"; do
	awk -v n="$k" -v s="${SECS[$k]}" -v mb="$MB" -v r="${RSS[$k]}" \
		'BEGIN { printf "%-24s %9.2f %10.0f %8.1f MiB\n", n, s, (s > 0 ? mb / s : 0), r / 1024 }'
done
ratio() { awk -v a="${SECS[$2]}" -v b="${SECS[$1]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'; }
printf '\nratios (>1 means fwseal is faster):\n'
printf '  verify vs b2sum:             %s   (target >= 1.5x)\n' "$(ratio "fwseal verify" b2sum)"
printf '  verify vs sha256sum:         %s\n' "$(ratio "fwseal verify" sha256sum)"
printf '  verify (gzip) vs %s -dc:    %s\n' "$GZIP_TOOL" "$(ratio "fwseal verify (gzip)" "$GZIP_TOOL -dc")"
printf '  pack vs tar cf + b2sum:      %s\n' "$(awk -v a="${SECS["tar cf"]}" -v b="${SECS[b2sum]}" -v p="${SECS["fwseal pack"]}" 'BEGIN { printf "%.2fx", (a + b) / p }')"
printf '  pack --gzip vs %s -c:       %s\n' "$GZIP_TOOL" "$(ratio "fwseal pack --gzip" "$GZIP_TOOL -c")"
printf '  verify peak RSS:             %.1f MiB (target < 8 MiB)\n' "$(awk -v r="${RSS["fwseal verify"]}" 'BEGIN { print r / 1024 }')"
rm -f tar.out gz.out time.out err.out
