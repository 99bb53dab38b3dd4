#!/bin/sh
# `make fuzz-deps`: clang with the libFuzzer + sanitizer runtimes. Installs the
# Debian packages only when a test link of a fuzzer fails.
set -eu
CC=${FUZZ_CC:-clang}
probe() {
	command -v "$CC" >/dev/null 2>&1 || return 1
	t=$(mktemp -d)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' >"$t/p.c"
	ok=0
	"$CC" -fsanitize=fuzzer,address,undefined "$t/p.c" -o "$t/p" >/dev/null 2>&1 || ok=1
	rm -rf "$t"
	return $ok
}
probe && exit 0
echo "fwseal: $CC cannot build a libFuzzer harness; installing clang and its runtimes"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "fwseal: no apt-get here; install clang with libFuzzer (compiler-rt)" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang libclang-rt-dev
probe || { echo "fwseal: $CC still cannot build a fuzzer" >&2; exit 1; }
