#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The three libraries link alone, and the device side holds no signing
# code: libfwseal-core (lib/core), libfwseal-device (core, io, bundle
# reader, device) and libfwseal (everything), each installed with its own
# pkg-config file; a program built against each one alone runs;
# libfwseal-device and fwseal-verify define no lib/sign symbol and need no
# libarchive.
# req: REQ-KEY-004, REQ-EVID-007
. "$(dirname "$0")/lib.sh"

KA=$TESTS_DIR/vectors/known-answers
inst=$PWD/inst
# -o all: install what is built, never rebuild under the other tests running.
make -s -C "$SRC_DIR" -o all BUILD="$BUILD" PREFIX=/usr DESTDIR="$inst" install >"$T_DIR/setup.log" 2>&1 ||
	die "make install: $(tail -n 5 "$T_DIR/setup.log")"
for l in fwseal-core fwseal-device fwseal; do
	check "lib$l installed: .a, .so.0, .so and its own .pc" test -f "$inst/usr/lib/lib$l.a" -a \
		-f "$inst/usr/lib/lib$l.so.0" -a -L "$inst/usr/lib/lib$l.so" -a \
		-f "$inst/usr/lib/pkgconfig/lib$l.pc"
done

# pkg-config against the staged tree: prefix pointed at DESTDIR.
pc() { PKG_CONFIG_PATH="$inst/usr/lib/pkgconfig" pkg-config --define-variable=prefix="$inst/usr" "$@"; }
# shared: -lLIB from the .pc; static: the installed LIB.a, with the system
# libraries it requires (from its .pc) linked the usual way.
build_prog() { # build_prog NAME LIB [--static]
	local name=$1 lib=$2 mode=${3:-} libs
	if [ -n "$mode" ]; then
		# shellcheck disable=SC2046
		libs="$inst/usr/lib/$lib.a $(pkg-config --libs $(pc --print-requires-private "$lib"))"
	else
		libs=$(pc --libs "$lib")
	fi
	# shellcheck disable=SC2086
	# A sanitizer build's libraries need the sanitizer runtime in the program
	# too (make check SANITIZE=1 passes its flags in FWSEAL_SAN_FLAGS).
	cc -std=c11 -D_DEFAULT_SOURCE ${FWSEAL_SAN_FLAGS:-} -o "$name$mode" \
		"$SRC_DIR/tests/layers/$name.c" $(pc --cflags "$lib") $libs 2>"$T_DIR/cc.log" ||
		{ cat "$T_DIR/cc.log"; return 1; }
}
for mode in "" --static; do
	kind=${mode:+static}
	kind=${kind:-shared}
	check "a core-only program links against libfwseal-core alone ($kind)" \
		build_prog core_only libfwseal-core $mode
	check "a device program links against libfwseal-device alone ($kind)" \
		build_prog device_only libfwseal-device $mode
	check "a signing program links against libfwseal alone ($kind)" build_prog full libfwseal $mode
done
export LD_LIBRARY_PATH=$inst/usr/lib
want=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["chunked_digest"]["sha256_chunks_hex"])' "$KA/known-answers.json")
T="core only: the known chunked digest of payload.bin" expect_ok ./core_only "$KA/payload.bin" 4096 "$want"
check "core only: it printed the known answer" test "$(cat "$LAST_OUT")" = "$want"
check "core only, static: the same" test "$(./core_only--static "$KA/payload.bin" 4096 "$want")" = "$want"
std_setup
T="device only: provision and install a bundle" expect_ok ./device_only dev root.json hw-a v1.fwb
check "device only: installed 1.0.0 into the inactive slot" cmp dev/b/rootfs a.bin
T="device only, static" expect_ok ./device_only--static dev2 root.json hw-a v1.fwb
T="signing side: libfwseal makes a key" expect_ok ./full
unset LD_LIBRARY_PATH

# ---- no signing code on the device side ----
nm --defined-only -g "$BUILD"/lib/sign/*.o 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >sign.syms
check "lib/sign defines symbols to look for ($(wc -l <sign.syms))" test "$(wc -l <sign.syms)" -gt 20
nm -D --defined-only "$inst/usr/lib/libfwseal-device.so.0" | awk '{ print $3 }' | sort -u >dev.syms
nm --defined-only "$BUILD/fwseal-verify" | awk 'NF == 3 { print $3 }' | sort -u >verify.syms
check "libfwseal-device exports no lib/sign symbol" test -z "$(comm -12 sign.syms dev.syms)"
check "fwseal-verify holds no lib/sign symbol" test -z "$(comm -12 sign.syms verify.syms)"
for f in fws_envelope_decode_draft fws_envelope_encode_draft fws_bundle_writer_open fws_pack \
	fws_bundle_add_signature fws_secret_key_load fws_bundle_inspect; do
	check "$f is not in fwseal-verify" bash -c '! grep -qx "$0" "$1"' "$f" verify.syms
done
check "libfwseal-device exports the device API (fws_device_install)" grep -qx fws_device_install dev.syms
# req: REQ-EVID-005
check "libfwseal-device and fwseal-verify hold the self-test (fws_selftest_run)" bash -c \
	'grep -qx fws_selftest_run "$0" && grep -qx fws_selftest_run "$1"' dev.syms verify.syms
# The only Ed25519 signing in the device library is the self-test's, with
# public fixture keys and the RFC 8032 vector (ADR-059), and the device
# report's, with the device's own key (lib/device/report.c, ADR-086): no
# other object of it may call libsodium's signing functions.
nm -A -u "$BUILD/libfwseal-device.a" 2>/dev/null |
	grep -E " U (crypto_sign_detached|crypto_sign_seed_keypair|crypto_sign_keypair|crypto_sign)$" |
	sed 's/.*\.a:\([^:]*\):.*/\1/' | sort -u >signers.txt
check "in the device library only the self-test and the device report sign: $(tr '\n' ' ' <signers.txt)" \
	test "$(tr '\n' ' ' <signers.txt)" = "fixture.o report.o selftest.o "
check "libfwseal exports the signing API (fws_pack)" bash -c \
	'nm -D --defined-only "$0" | grep -q " T fws_pack$"' "$inst/usr/lib/libfwseal.so.0"
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }
check "libfwseal-device needs no libarchive ($(needed "$inst/usr/lib/libfwseal-device.so.0"))" \
	bash -c '! readelf -d "$0" | grep -q libarchive' "$inst/usr/lib/libfwseal-device.so.0"
check "fwseal-verify needs no libarchive ($(needed "$BUILD/fwseal-verify"))" \
	bash -c '! readelf -d "$0" | grep -q libarchive' "$BUILD/fwseal-verify"
# The TPM floor loads tpm2-tss when configured (lib/device/floor/tss2_load.c):
# a device without a TPM needs none of it.
for f in "$BUILD/fwseal-verify" "$inst/usr/lib/libfwseal-device.so.0" "$inst/usr/lib/libfwseal.so.0"; do
	check "$(basename "$f") does not link tpm2-tss" bash -c '! readelf -d "$0" | grep -q libtss2' "$f"
done
check "libfwseal-core needs only libsodium and the SHA-256 backend ($(needed "$inst/usr/lib/libfwseal-core.so.0"))" \
	bash -c 'readelf -d "$0" | sed -n "s/.*(NEEDED).*\[\(.*\)\]/\1/p" | grep -Evx "libsodium.so.*|libnettle.so.*|libc.so.*|libasan.so.*|libubsan.so.*" | grep -q . && exit 1 || exit 0' \
	"$inst/usr/lib/libfwseal-core.so.0"
check "libfwseal-core calls no stdio or allocator" bash -c \
	'! nm -D --undefined-only "$0" | grep -Ewq "malloc|calloc|realloc|free|printf|fprintf|fopen|fwrite|puts"' \
	"$inst/usr/lib/libfwseal-core.so.0"
finish
