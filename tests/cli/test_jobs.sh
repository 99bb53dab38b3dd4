# SPDX-License-Identifier: Apache-2.0
# The hashing pool (--jobs): every result is the same for any number of
# threads. Tampered chunks at the start, middle and end, and a cut bundle:
# the same exit status and the same error line (naming the same first bad
# chunk) with --jobs 1, 2 and 4, and nothing written to the device. Packs
# are byte-identical for every --jobs; the parallel gzip is one standard
# gzip stream that gunzip and fwseal accept, within 2% of gzip -6.
# req: REQ-PERF-001
. "$(dirname "$0")/lib.sh"

std_setup
device_init dev
# 74 chunks of 16 KiB (the last one short): more chunks than any pool holds;
# and a larger compressible payload, for the gzip ratio.
make_payload c.bin 1200000
python3 - <<'EOF' || die "making a compressible payload"
import random
r = random.Random(7)
words = ["pump", "dose", "rate", "alarm", "battery", "flow", "valve", "sensor", "log", "ok"]
with open("text.bin", "w") as f:
    for i in range(40000):
        f.write(" ".join(r.choice(words) for _ in range(8)) + " %d\n" % r.randrange(1000))
EOF
make_release c.json 1.0.0 1 hw-a c.bin:c.bin:rootfs:16384 text.bin:text.bin:kernel
for j in 1 4; do
	pack "c$j.fwb" c.json rel root.json --jobs $j
	pack "c$j.fwb.gz" c.json rel root.json --jobs $j --gzip
done
# req: REQ-PERF-003, REQ-PERF-004
check "pack --jobs 1 and 4 write the same bytes" cmp c1.fwb c4.fwb
check "pack --gzip --jobs 1 and 4 write the same bytes" cmp c1.fwb.gz c4.fwb.gz

# ---- parallel gzip: one standard stream ----
# req: REQ-PERF-004
check "gunzip -t accepts the parallel gzip bundle" gzip -t c4.fwb.gz
check "gunzip gives exactly the plain bundle" sh -c 'gzip -dc c4.fwb.gz | cmp - c1.fwb'
check "the parallel gzip bundle is a single gzip member" python3 -c '
import sys, zlib
data = open("c4.fwb.gz", "rb").read()
d = zlib.decompressobj(16 + zlib.MAX_WBITS)
d.decompress(data)
sys.exit(0 if d.eof and d.unused_data == b"" else 1)'
T="fwseal verify accepts the parallel gzip bundle" expect_ok "$FWSEAL" verify --root root.json c4.fwb.gz
ours=$(wc -c <c4.fwb.gz)
gz=$(gzip -6 -n -c c1.fwb | wc -c)
check "parallel gzip within 2% of gzip -6 ($ours vs $gz bytes)" test $((ours * 100)) -le $((gz * 102))
# ---- the same answer for every --jobs ----
T="good bundle, --jobs 1" expect_ok "$FWSEAL" verify --root root.json --json --jobs 1 c1.fwb
cp "$LAST_OUT" good1.json
for j in 2 4; do
	T="good bundle, --jobs $j" expect_ok "$FWSEAL" verify --root root.json --json --jobs $j c1.fwb
	check "verify --json output is the same with --jobs $j as with 1" cmp good1.json "$LAST_OUT"
done

data=$(python3 -c '
d = open("c1.fwb", "rb").read()
print(d.index(open("c.bin", "rb").read(4096)))') || die "finding the payload"
flip() { # flip IN OFFSET OUT
	cp "$1" "$3"
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2]))
f.write(bytes([b[0] ^ 0x01]))' "$3" "$2"
}
flip c1.fwb $((data + 3)) first.fwb
flip c1.fwb $((data + 37 * 16384 + 100)) middle.fwb
flip c1.fwb $((data + 1200000 - 1)) last.fwb
# Two bad chunks: the first one in stream order is the one named.
flip middle.fwb $((data + 60 * 16384)) two.fwb
head -c $((data + 50 * 16384 + 77)) c1.fwb >cut.fwb
# A bad chunk just before the cut: with several jobs the reader reaches the
# cut while that chunk is still being checked; the chunk is still named.
flip cut.fwb $((data + 48 * 16384 + 9)) badcut.fwb

before=$(snapshot dev)
for case in first:22 middle:22 last:22 two:22 cut:19 badcut:22; do
	name=${case%%:*} code=${case#*:}
	for j in 1 2 4; do
		T="$name: verify --jobs $j" expect_exit "$code" "$FWSEAL" verify --root root.json \
			--jobs $j "$name.fwb"
		cp "$LAST_ERR" "verify-$name-$j.err"
		[ $j = 2 ] && continue # install: 1 and 4 suffice (fsyncs are slow)
		T="$name: install --jobs $j" expect_exit "$code" "$FWVERIFY" install --device dev \
			--jobs $j "$name.fwb"
		cp "$LAST_ERR" "install-$name-$j.err"
		check "$name: nothing written to the device (--jobs $j)" test "$before" = "$(snapshot dev)"
	done
	check "$name: verify names the same failure for --jobs 1, 2, 4 ($(cat "verify-$name-1.err"))" \
		sh -c "cmp verify-$name-1.err verify-$name-2.err && cmp verify-$name-1.err verify-$name-4.err"
	check "$name: install names the same failure for --jobs 1 and 4" \
		cmp install-$name-1.err install-$name-4.err
done
check "the first tampered chunk is chunk 0" grep -q "chunk 0 does not match" verify-first-4.err
check "the middle tampered chunk is chunk 37" grep -q "chunk 37 does not match" verify-middle-4.err
check "the last tampered chunk is chunk 73" grep -q "chunk 73 does not match" verify-last-4.err
check "of two tampered chunks the first (37) is named" grep -q "chunk 37 does not match" verify-two-4.err
check "a bad chunk before the cut is named, not the cut" grep -q "chunk 48 does not match" verify-badcut-4.err

T="good bundle installs with --jobs 4" expect_ok "$FWVERIFY" install --device dev --jobs 4 c1.fwb
check "the slot holds exactly the payload (--jobs 4)" cmp dev/b/rootfs c.bin

# ---- usage ----
# req: REQ-CONF-004, REQ-ERR-002
for bad in 0 257 x -1; do
	T="--jobs $bad is a usage error" expect_exit 2 "$FWSEAL" verify --root root.json --jobs "$bad" c1.fwb
done
T="pack --jobs 0 is a usage error" expect_exit 2 "$FWSEAL" pack --manifest c.json --key rel.key \
	--root root.json --out never.fwb --jobs 0
check "nothing written by the refused pack" test ! -e never.fwb
T="install --jobs 0 is a usage error" expect_exit 2 "$FWVERIFY" install --device dev --jobs 0 c1.fwb
finish
