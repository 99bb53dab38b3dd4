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
	--root "$KEYS/root.json" --out bundle.fwb --force
run "fwseal pack --gzip" "$BUILD/fwseal" pack --manifest release.json --key "$KEYS/release.key" \
	--root "$KEYS/root.json" --out bundle.fwb.gz --gzip --force
run "fwseal verify" "$BUILD/fwseal" verify --root "$KEYS/root.json" bundle.fwb
run "fwseal verify (gzip)" "$BUILD/fwseal" verify --root "$KEYS/root.json" bundle.fwb.gz
run "sha256sum" sha256sum payload.bin
run "b2sum" b2sum payload.bin
run "tar cf" tar cf tar.out payload.bin
run "$GZIP_TOOL -c" sh -c "$GZIP_TOOL -c payload.bin > gz.out"
run "$GZIP_TOOL -dc" sh -c "$GZIP_TOOL -dc gz.out > /dev/null"

# RAUC, the peer closest to fwseal: the same payload in a signed bundle
# (plain format: the signature covers the whole squashfs, so `rauc info`
# reads all of it, as fwseal verify does).
if command -v rauc >/dev/null && command -v mksquashfs >/dev/null; then
	[ -f rauc.pem ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout rauc.key -out rauc.pem -days 365 -subj /CN=bench >/dev/null 2>&1
	rm -rf rauc-in && mkdir rauc-in && ln payload.bin rauc-in/payload.img
	printf '[update]\ncompatible=bench\nversion=1.0.0\n[bundle]\nformat=plain\n[image.rootfs]\nfilename=payload.img\n' \
		>rauc-in/manifest.raucm
	run "rauc bundle" sh -c 'rm -f b.raucb && rauc bundle --cert=rauc.pem --key=rauc.key rauc-in b.raucb'
	run "rauc info" rauc info --keyring=rauc.pem b.raucb
	HAVE_RAUC=1
else
	echo "bench: rauc or mksquashfs missing: the RAUC comparison is left out"
	HAVE_RAUC=0
fi

printf '\nfwseal bench: %d MiB random payload, %s, %s cores\n' "$MB" "$(uname -m)" "$(nproc)"
printf '%-24s %9s %10s %10s\n' "command" "seconds" "MiB/s" "peak RSS"
PEERS=("fwseal verify" "fwseal verify (gzip)" "fwseal pack" "fwseal pack --gzip" \
	"sha256sum" "b2sum" "tar cf" "$GZIP_TOOL -c" "$GZIP_TOOL -dc")
[ "$HAVE_RAUC" = 1 ] && PEERS+=("rauc bundle" "rauc info")
for k in "${PEERS[@]}"; do
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
if [ "$HAVE_RAUC" = 1 ]; then
	printf '  verify vs rauc info:         %s\n' "$(ratio "fwseal verify" "rauc info")"
	printf '  pack vs rauc bundle:         %s\n' "$(ratio "fwseal pack" "rauc bundle")"
fi
printf '  verify peak RSS:             %.1f MiB (target < 8 MiB; flat in the payload size)\n' \
	"$(awk -v r="${RSS["fwseal verify"]}" 'BEGIN { print r / 1024 }')"
rm -rf tar.out gz.out time.out err.out rauc-in b.raucb
