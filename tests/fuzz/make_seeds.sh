#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Seed corpora for the fuzzers, in OUT/<target>/:
#  - objects from the self-test fixture (BUILD/fuzz-seedgen: keys from fixed
#    seeds, so bundles verify against the harnesses' trusted root);
#  - the known-answer vectors (tests/vectors/known-answers, or VECTORS=);
#  - bundles packed by the real tools with keys-example/ (passphrase
#    fwseal-demo) and the colleague-built tests/vectors/ bundles if present;
#  - keys-example/ key files.
#   sh tests/fuzz/make_seeds.sh BUILD OUT
set -eu
BUILD=$(cd "$1" && pwd)
OUT=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
VECTORS=${VECTORS:-$SRC/tests/vectors/known-answers}
rm -rf "$OUT"
mkdir -p "$OUT"
"$BUILD/fuzz-seedgen" "$OUT"

# Known answers: the signed envelope and its manifest body.
if [ -f "$VECTORS/known-answers.json" ] && command -v python3 >/dev/null 2>&1; then
	python3 - "$VECTORS/known-answers.json" "$OUT" <<'PY'
import json, sys, os
ka = json.load(open(sys.argv[1]))
out = sys.argv[2]
open(os.path.join(out, "envelope", "kat-envelope.json"), "w").write(json.dumps(ka["envelope"], indent=2) + "\n")
open(os.path.join(out, "manifest", "kat-manifest.json"), "w").write(ka["pae"]["body_utf8"])
PY
fi

# Key files as fwseal-keys writes them.
for k in "$SRC"/keys-example/*.key "$SRC"/keys-example/*.pub; do
	[ -f "$k" ] && cp "$k" "$OUT/keyfile/example-$(basename "$k")"
done
[ -f "$SRC/keys-example/root.json" ] && cp "$SRC/keys-example/root.json" "$OUT/envelope/example-root.json"

# Bundles from the real packer (small payloads: fuzzers want short inputs).
if [ -x "$BUILD/fwseal" ] && [ -f "$SRC/keys-example/release.key" ]; then
	t=$(mktemp -d)
	cp "$SRC"/keys-example/release.key "$SRC"/keys-example/root.json "$t/"
	chmod 600 "$t/release.key"
	seq 1 2000 | head -c 5000 >"$t/a.bin"
	printf 'config=1\n' >"$t/b.bin"
	cat >"$t/rel.json" <<JSON
{"product": "fuzz-pump", "version": "1.0.0", "security_version": 1,
 "hardware": ["selftest-hw"],
 "payloads": [{"name": "a.bin", "file": "a.bin", "target": "rootfs", "chunk_size": 4096},
              {"name": "b.bin", "file": "b.bin", "target": "kernel"}]}
JSON
	for gz in "" --gzip; do
		# The clock, not SOURCE_DATE_EPOCH: the demo root's life starts when it was made.
		if (cd "$t" && FWSEAL_PASSPHRASE=fwseal-demo \
			"$BUILD/fwseal" pack --manifest rel.json --key release.key --root root.json \
			--out "packed$gz.fwb" $gz >/dev/null 2>&1); then
			cp "$t/packed$gz.fwb" "$OUT/bundle/packed$gz.fwb"
			cp "$t/packed$gz.fwb" "$OUT/bundle_unsigned/packed$gz.fwb"
		else
			echo "make_seeds: fwseal pack failed (skipping packed bundles)" >&2
		fi
	done
	rm -rf "$t"
fi
for f in "$SRC"/tests/vectors/hostile/base/*.fwb "$SRC"/tests/vectors/hostile/base/*.fwb.gz; do
	[ -f "$f" ] || continue
	[ "$(wc -c <"$f")" -le 65536 ] || continue
	cp "$f" "$OUT/bundle/hostile-$(basename "$f")"
done
# Device states and audit logs as the real tools leave them: a simulated
# device provisioned, the packed bundle installed (state format 5: pending),
# booted and confirmed (format 3). The log is written in fuzz_auditlog's
# input layout (tests/fuzz/fuzz_logstore.h).
mkdir -p "$OUT/state" "$OUT/auditlog"
if [ -x "$BUILD/fwseal-verify" ] && [ -f "$OUT/bundle/packed.fwb" ]; then
	t=$(mktemp -d)
	v="$BUILD/fwseal-verify"
	if "$v" init --device "$t/dev" --root "$SRC/keys-example/root.json" --hardware selftest-hw \
		>/dev/null 2>&1 && "$v" install --device "$t/dev" "$OUT/bundle/packed.fwb" >/dev/null 2>&1 &&
		cp "$t/dev/state" "$OUT/state/device-pending.state" &&
		"$v" boot --device "$t/dev" >/dev/null 2>&1 && "$v" mark-good --device "$t/dev" >/dev/null 2>&1 &&
		cp "$t/dev/state" "$OUT/state/device-confirmed.state"; then
		python3 - "$t/dev" "$OUT/auditlog/device-log" <<'PY'
import os, struct, sys
d, out = sys.argv[1:3]
def part(name):
    p = os.path.join(d, name)
    return open(p, "rb").read() if os.path.exists(p) else b""
head, seg1, seg0 = part("log.head"), part("log.1"), part("log")
open(out, "wb").write(struct.pack("<HI", len(head), len(seg1)) + head + seg1 + seg0)
PY
	else
		echo "make_seeds: the device life cycle failed (no device state or log seeds)" >&2
	fi
	rm -rf "$t"
fi
# system.conf: the examples of docs/system-conf.md and the tests' own.
mkdir -p "$OUT/sysconf"
python3 - "$SRC/docs/system-conf.md" "$OUT/sysconf" <<'PY' || true
import re, sys
text = open(sys.argv[1]).read()
for i, block in enumerate(re.findall(r"```ini\n(.*?)```", text, re.S)):
    open("%s/doc-%d.conf" % (sys.argv[2], i), "w").write(block)
PY
# HTTP answers: the header blocks tests/cli/test_net*.sh meet (nginx,
# lighttpd, the fault proxy's attacks), kept in tests/fuzz/regressions/http.
mkdir -p "$OUT/http"
cp "$SRC"/tests/fuzz/regressions/http/*.http "$OUT/http/"
# GRUB environment blocks (the body after the signature line) and
# fw_env.config, variables and command lines: the regressions' and the
# tests' (tests/cli/test_sysconf.sh, test_device_files.sh), and one block
# from the real grub-editenv when it is installed.
mkdir -p "$OUT/grubenv" "$OUT/uboot_env"
cp "$SRC"/tests/fuzz/regressions/grubenv/* "$OUT/grubenv/"
cp "$SRC"/tests/fuzz/regressions/uboot_env/* "$OUT/uboot_env/"
if command -v grub-editenv >/dev/null 2>&1; then
	t=$(mktemp -d)
	if grub-editenv "$t/env" create &&
		grub-editenv "$t/env" set BOOT_ORDER="A B" BOOT_A_LEFT=3 BOOT_B_LEFT=0 BOOTED=A other=kept; then
		tail -c +26 "$t/env" >"$OUT/grubenv/grub-editenv.env"
	fi
	rm -rf "$t"
fi
printf '/var/lib/fwseal/env.bin 0x0 0x4000\n' >"$OUT/uboot_env/one-copy.conf"
printf 'console=ttyS0 root=/dev/mmcblk0p2 fwseal.slot=B quiet\n' >"$OUT/uboot_env/cmdline.txt"
# SBOMs: the tests' real CycloneDX and SPDX documents.
mkdir -p "$OUT/sbom"
cp "$SRC"/tests/sbom/*.cdx.json "$SRC"/tests/sbom/*.spdx.json "$OUT/sbom/"
# Channel and report bodies (docs/format.md §16, §17) and recipients
# entries (§15.2): the valid and malformed ones kept as regressions.
for h in channel report recipients; do
	mkdir -p "$OUT/$h"
	cp "$SRC"/tests/fuzz/regressions/$h/* "$OUT/$h/"
done
for d in "$OUT"/*/; do
	echo "seeds: $(basename "$d"): $(ls "$d" | wc -l) file(s)"
done
