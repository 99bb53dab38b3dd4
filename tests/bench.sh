#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: fwseal against the tools a release engineer or a device would
# otherwise use, on the same generated payload, in one run. Prints
# throughput, fwseal's ratio to each peer next to the targets of issue 20,
# peak RSS, and verify at jobs = 1..cores. Never part of a test: timings
# depend on the machine and decide nothing (docs/performance.md).
#   BENCH_MB=1024 (default) payload size; BENCH_DIR=build/bench;
#   BENCH_RUNS=3 best of that many runs (a command slower than 10 s runs once)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
MB=${BENCH_MB:-1024}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-$BUILD/bench}
CORES=$(nproc)
export FWSEAL_PASSPHRASE=fwseal-demo SOURCE_DATE_EPOCH=$(date +%s)
KEYS=$PWD/keys-example
chmod 600 "$KEYS"/*.key
FWSEAL=$BUILD/fwseal
FWVERIFY=$BUILD/fwseal-verify

if [ ! -x /usr/bin/time ]; then
	echo "bench: installing GNU time (for peak RSS) with apt-get"
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get install -y -qq time >/dev/null
fi

mkdir -p "$DIR"
cd "$DIR"
# Half random, half compressible (text-like), so that gzip has work to do
# and hashing cannot profit from either kind.
if [ ! -f payload.bin ] || [ "$(stat -c %s payload.bin)" -ne $((MB * 1048576)) ]; then
	echo "bench: generating ${MB} MiB (half random, half compressible)"
	python3 - "$MB" <<'EOF'
import os, random, sys
mb = int(sys.argv[1])
r = random.Random(20)
words = [b"pump", b"dose", b"rate", b"alarm", b"battery", b"flow", b"valve", b"sensor",
         b"log", b"ok", b"therapy", b"infusion", b"firmware", b"update", b"config"]
text = bytearray()
while len(text) < 8 << 20:
    text += b" ".join(r.choice(words) for _ in range(10)) + b" %d\n" % r.randrange(100000)
with open("payload.bin", "wb") as f:
    for i in range(mb):
        f.write(os.urandom(1 << 20) if i % 2 == 0 else bytes(text[(i * 7919) % (7 << 20):][: 1 << 20]))
EOF
fi
cat >release.json <<JSON
{"product":"bench","version":"1.0.0","security_version":1,"hardware":["bench-hw"],
 "payloads":[{"name":"payload.bin","file":"payload.bin","target":"rootfs"}]}
JSON
head -c 4096 payload.bin >tiny.bin
cat >tiny.json <<JSON
{"product":"bench","version":"1.0.0","security_version":1,"hardware":["bench-hw"],
 "payloads":[{"name":"tiny.bin","file":"tiny.bin","target":"rootfs"}]}
JSON
cat payload.bin >/dev/null # warm the page cache for everyone alike

# run NAME CMD...: best of RUNS wall-clock seconds and peak RSS (KiB).
declare -A SECS RSS
ORDER=()
run() {
	local name=$1; shift
	local best="" rss=0 t r i
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f "%e %M" -o time.out "$@" >/dev/null 2>err.out ||
			{ echo "bench: $name failed:"; cat err.out; exit 1; }
		read -r t r <time.out
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
		[ "$r" -gt "$rss" ] && rss=$r
		awk "BEGIN{exit !($t > 10)}" && break # slow: once is enough
	done
	SECS[$name]=$best
	RSS[$name]=$rss
	ORDER+=("$name")
	printf '  %-34s %8.2f s\n' "$name" "$best"
}
PACK=("$FWSEAL" pack --key "$KEYS/release.key" --root "$KEYS/root.json" --force --quiet)

echo "bench: ${MB} MiB, $CORES cores, best of $RUNS"
# The fixed cost of every pack: unlocking the key (Argon2id), signing.
run "pack fixed cost (4 KiB payload)" "${PACK[@]}" --manifest tiny.json --out tiny.fwb
run "fwseal pack --jobs 1" "${PACK[@]}" --manifest release.json --out bundle.fwb --jobs 1
run "fwseal pack" "${PACK[@]}" --manifest release.json --out bundle.fwb
run "fwseal pack --gzip --jobs 1" "${PACK[@]}" --manifest release.json --out bundle.fwb.gz \
	--gzip --jobs 1
run "fwseal pack --gzip" "${PACK[@]}" --manifest release.json --out bundle.fwb.gz --gzip
for ((j = 1; j <= CORES; j++)); do
	run "fwseal verify --jobs $j" "$FWSEAL" verify --root "$KEYS/root.json" --quiet --jobs $j \
		bundle.fwb
done
run "fwseal verify --gzip" "$FWSEAL" verify --root "$KEYS/root.json" --quiet bundle.fwb.gz

# Install into a file slot (the directory device): a fresh device each run.
install_dir() {
	rm -rf dev && "$FWVERIFY" init --device dev --root "$KEYS/root.json" --hardware bench-hw \
		>/dev/null && "$FWVERIFY" install --device dev --quiet "$@" bundle.fwb
}
export -f install_dir
export FWVERIFY KEYS
run "install, file slot --jobs 1" bash -c 'install_dir --jobs 1'
run "install, file slot" bash -c 'install_dir'
rm -rf dev

# Install into a loop device (a block-device slot, U-Boot environment in a
# file), when this machine lets us make loop devices.
HAVE_LOOP=0
if [ "$(id -u)" -eq 0 ] && command -v mkenvimage >/dev/null && losetup -f >/dev/null 2>&1; then
	truncate -s $(((MB + 2) * 1048576)) loopa.img loopb.img
	if LA=$(losetup -f --show loopa.img 2>/dev/null) && LB=$(losetup -f --show loopb.img 2>/dev/null)
	then
		trap 'losetup -d "$LA" "$LB" 2>/dev/null || true' EXIT
		mkdir -p bd && printf 'BOOT_ORDER=A\nBOOT_A_LEFT=3\nBOOTED=A\n' >bd/env.txt
		cat >bd/bd.conf <<EOC
[system]
hardware-id = bench-hw
trusted-root = $PWD/bd/etc/root.json
state-dir = $PWD/bd/state
bootloader = uboot
booted = bootloader
[uboot]
fw-env-config = $PWD/bd/fw_env.config
[slot.rootfs.0]
class = rootfs
device = $LA
bootname = A
[slot.rootfs.1]
class = rootfs
device = $LB
bootname = B
EOC
		echo "$PWD/bd/env.bin 0x0 0x4000" >bd/fw_env.config
		install_loop() {
			rm -rf bd/state bd/etc && mkdir bd/etc &&
				mkenvimage -s 0x4000 -o bd/env.bin bd/env.txt &&
				"$FWVERIFY" init --config bd/bd.conf --root "$KEYS/root.json" >/dev/null &&
				"$FWVERIFY" install --config bd/bd.conf --quiet bundle.fwb
		}
		export -f install_loop
		run "install, loop device" bash -c install_loop
		run "dd to the loop device, conv=fsync" dd if=payload.bin of="$LB" bs=1M conv=fsync
		# install also reads every chunk back from the medium: the same here.
		run "dd to it + read back (iflag=direct)" sh -c "dd if=payload.bin of=$LB bs=1M conv=fsync && dd if=$LB of=/dev/null bs=1M count=$MB iflag=direct"
		HAVE_LOOP=1
	fi
fi
[ $HAVE_LOOP = 1 ] || echo "bench: no loop devices here (needs root and losetup): that row is left out"

run "sha256sum" sha256sum payload.bin
run "b2sum" b2sum payload.bin
run "openssl dgst -sha256" openssl dgst -sha256 payload.bin
run "cp + sync" sh -c 'cp payload.bin cp.out && sync cp.out'
run "dd conv=fsync" dd if=payload.bin of=dd.out bs=1M conv=fsync
rm -f cp.out dd.out
run "tar -cf" tar -cf tar.out payload.bin
# pack's output is durable (fsync, rename): this is the like-for-like peer.
run "tar -cf + sync" sh -c 'tar -cf tar.out payload.bin && sync tar.out'
run "gzip -6" sh -c 'gzip -6 -c payload.bin >gz.out'
run "pigz -6" sh -c 'pigz -6 -c payload.bin >pigz.out'
run "gzip -d (of gzip -6)" sh -c 'gzip -dc gz.out >/dev/null'
GZ_BYTES=$(stat -c %s gz.out)
OUR_GZ_BYTES=$(stat -c %s bundle.fwb.gz)
rm -f tar.out gz.out pigz.out

# minisign (prehashed BLAKE2b signatures): its verify reads the file once.
if command -v minisign >/dev/null; then
	rm -f mini.key mini.pub payload.bin.minisig
	minisign -G -W -p mini.pub -s mini.key >/dev/null 2>&1
	minisign -S -s mini.key -m payload.bin -x payload.bin.minisig >/dev/null 2>&1
	run "minisign -V" minisign -V -q -p mini.pub -m payload.bin -x payload.bin.minisig
	HAVE_MINISIGN=1
else
	echo "bench: minisign missing: left out"
	HAVE_MINISIGN=0
fi

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

printf '\nfwseal bench: %d MiB payload (half random, half text), %s, %s cores, load %s\n' \
	"$MB" "$(uname -m)" "$CORES" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-36s %9s %10s %12s\n' "command" "seconds" "MiB/s" "peak RSS"
for k in "${ORDER[@]}"; do
	mbk=$MB
	[ "$k" = "pack fixed cost (4 KiB payload)" ] && mbk=0
	awk -v n="$k" -v s="${SECS[$k]}" -v mb="$mbk" -v r="${RSS[$k]}" \
		'BEGIN { printf "%-36s %9.2f %10s %8.1f MiB\n", n, s, (mb > 0 && s > 0 ? sprintf("%.0f", mb / s) : "-"), r / 1024 }'
done

FIXED=${SECS["pack fixed cost (4 KiB payload)"]}
# ratio A B [NET]: how many times faster A is than B (>1: A is faster);
# NET=1 takes pack's fixed cost off A first.
ratio() {
	awk -v a="${SECS[$1]}" -v b="${SECS[$2]}" -v f="${3:+$FIXED}" \
		'BEGIN { a -= f; if (a < 0.001) a = 0.001; printf "%.2fx", b / a }'
}
row() { printf '  %-44s %8s   %s\n' "$1" "$2" "${3:-}"; }
V="fwseal verify --jobs $CORES"
echo
echo "verify at jobs = 1..$CORES:"
for ((j = 1; j <= CORES; j++)); do
	row "fwseal verify --jobs $j" "$(awk -v s="${SECS["fwseal verify --jobs $j"]}" -v mb="$MB" 'BEGIN { printf "%.0f MiB/s", mb / s }')" \
		"$(ratio "fwseal verify --jobs $j" "fwseal verify --jobs 1") of --jobs 1"
done
echo
echo "ratios (>1x means fwseal is faster; targets of issue 20, for 2 cores, shown for reference):"
row "verify vs b2sum" "$(ratio "$V" b2sum)" "target >= 3.0x"
row "verify --jobs 1 vs b2sum" "$(ratio "fwseal verify --jobs 1" b2sum)"
row "verify vs sha256sum" "$(ratio "$V" sha256sum)"
row "verify vs openssl dgst -sha256" "$(ratio "$V" "openssl dgst -sha256")"
[ "$HAVE_MINISIGN" = 1 ] && row "verify vs minisign -V" "$(ratio "$V" "minisign -V")"
[ "$HAVE_RAUC" = 1 ] && row "verify vs rauc info" "$(ratio "$V" "rauc info")" "target >= 2.0x"
row "verify --gzip vs gzip -d" "$(ratio "fwseal verify --gzip" "gzip -d (of gzip -6)")"
row "install (file slot) vs cp + sync" "$(ratio "install, file slot" "cp + sync")" "target: the disk-write limit (~1.0x)"
row "install (file slot) vs dd conv=fsync" "$(ratio "install, file slot" "dd conv=fsync")"
[ $HAVE_LOOP = 1 ] && row "install (loop device) vs dd to it, conv=fsync" \
	"$(ratio "install, loop device" "dd to the loop device, conv=fsync")" "target: the disk-write limit (~1.0x)"
[ $HAVE_LOOP = 1 ] && row "install (loop device) vs dd + read back" \
	"$(ratio "install, loop device" "dd to it + read back (iflag=direct)")" "(install re-reads every chunk from the medium)"
row "pack vs tar -cf, net of the fixed cost" "$(ratio "fwseal pack" "tar -cf" net)" "target >= 0.9x"
row "pack vs tar -cf, as measured" "$(ratio "fwseal pack" "tar -cf")"
row "pack vs tar -cf + sync, net of the fixed cost" "$(ratio "fwseal pack" "tar -cf + sync" net)" "(pack fsyncs its output, tar does not)"
[ "$HAVE_RAUC" = 1 ] && row "pack vs rauc bundle" "$(ratio "fwseal pack" "rauc bundle")"
row "pack --gzip vs pigz -6, net of the fixed cost" "$(ratio "fwseal pack --gzip" "pigz -6" net)" "target >= 0.9x"
row "pack --gzip vs gzip -6" "$(ratio "fwseal pack --gzip" "gzip -6")"
row "pack --gzip --jobs 1 vs gzip -6" "$(ratio "fwseal pack --gzip --jobs 1" "gzip -6")"
awk -v a="$OUR_GZ_BYTES" -v b="$GZ_BYTES" 'BEGIN { printf "  %-44s %8.3f   target <= 1.020 (size of gzip -6 of the payload alone)\n", "pack --gzip bundle size / gzip -6 size", a / b }'
awk -v r="${RSS[$V]}" -v r1="${RSS["fwseal verify --jobs 1"]}" 'BEGIN { printf "  %-44s %5.1f MiB   target < 16 MiB (jobs 1: %.1f MiB)\n", "verify peak RSS", r / 1024, r1 / 1024 }'
awk -v r="${RSS["install, file slot"]}" 'BEGIN { printf "  %-44s %5.1f MiB   target < 16 MiB\n", "install (file slot) peak RSS", r / 1024 }'
[ $HAVE_LOOP = 1 ] && awk -v r="${RSS["install, loop device"]}" 'BEGIN { printf "  %-44s %5.1f MiB   target < 16 MiB\n", "install (loop device) peak RSS", r / 1024 }'
rm -rf time.out err.out rauc-in b.raucb dev tiny.fwb loopa.img loopb.img bd
exit 0
