#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/interfaces.md is what the tools really do: the three tools run under
# strace -f -y -e trace=%file,%network on representative commands (keys
# generate, root init/new/sign, pack, verify, device init, install, boot,
# mark-good, status, log, selftest; init, install and status of a device
# configured by a system.conf with a GRUB environment block and slots in a
# disk image) with a getenv logger preloaded
# (tests/interfaces/getenv_log.c); every path they open, create, rename or
# stat and every environment variable they ask for must be listed in
# docs/interfaces.md (tests/interfaces/check_trace.py), and no socket is
# made at all: none listens, and without a URL none connects. First the
# checker itself: a doc with a row taken out, and a trace with a listener,
# must fail.
# req: REQ-EVID-006, REQ-NET-005
. "$(dirname "$0")/lib.sh"

DOC=$SRC_DIR/docs/interfaces.md
CHECK=$TESTS_DIR/interfaces/check_trace.py
if ! command -v strace >/dev/null 2>&1; then
	ok "tools open only what docs/interfaces.md lists # SKIP strace is not installed (make test-deps)"
	finish
fi
# strace needs ptrace: a container may forbid it.
if ! strace -f -qq -o /dev/null true 2>"$T_DIR/strace.err"; then
	ok "tools open only what docs/interfaces.md lists # SKIP strace cannot trace here: $(head -n 1 "$T_DIR/strace.err")"
	finish
fi
# The getenv logger, unless a sanitizer runtime must come first.
shim=
if [ -z "${FWSEAL_SAN_FLAGS:-}" ]; then
	cc -shared -fPIC -O1 -o getenv_log.so "$TESTS_DIR/interfaces/getenv_log.c" -ldl \
		2>"$T_DIR/cc.log" || die "getenv logger: $(cat "$T_DIR/cc.log")"
	shim=$PWD/getenv_log.so
fi

# traced NAME "ARGS|..." "DEVICES|..." CMD...: runs CMD under strace (and the
# logger); ARGS are the files the command line names (made absolute).
: >runs.tsv
traced() {
	local name=$1 args=$2 devs=$3 abs="" a
	shift 3
	for a in ${args//|/ }; do abs="$abs|$PWD/$a"; done
	local d=${devs:+$PWD/$devs}
	if [ -n "$shim" ]; then
		env LD_PRELOAD="$shim" strace -f -qq -y -e trace=%file,%network -o "$name.tr" \
			"$@" >"$name.out" 2>"$name.err" 9>>"$name.env"
	else
		# A sanitizer build: LeakSanitizer cannot run under ptrace.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			strace -f -qq -y -e trace=%file,%network -o "$name.tr" "$@" >"$name.out" 2>"$name.err"
	fi
	local rc=$?
	[ $rc -eq 0 ] || die "$name: exit $rc: $(head -n 2 "$name.err")"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$PWD/$name.tr" "${shim:+$PWD/$name.env}" \
		"${abs#|}" "$d" "rootfs|kernel" >>runs.tsv
}

traced "keys generate" "rel.key|rel.pub" "" "$FWKEYS" generate --out rel --kdf interactive
make_key rootk
traced "root init" "rootk.pub|rootk.key|rel.pub|root.json" "" \
	"$FWKEYS" root init --root-key rootk.pub --sign rootk.key --release-key rel.pub --out root.json \
	--expires 36500
make_payload a.bin 300000
make_payload b.bin 5000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
traced "pack" "v1.json|rel.key|root.json|v1.fwb|a.bin|b.bin" "" \
	"$FWSEAL" pack --manifest v1.json --key rel.key --root root.json --out v1.fwb
traced "verify" "root.json|v1.fwb" "" "$FWSEAL" verify --root root.json v1.fwb
traced "device init" "root.json" dev "$FWVERIFY" init --device dev --root root.json --hardware hw-a
traced "install" "v1.fwb" dev "$FWVERIFY" install --device dev v1.fwb
traced "boot" "" dev "$FWVERIFY" boot --device dev
traced "mark-good" "" dev "$FWVERIFY" mark-good --device dev
traced "status" "" dev "$FWVERIFY" status --device dev --json
traced "log" "" dev "$FWVERIFY" log --device dev --verify
traced "root new" "root.json|root2.json" "" \
	"$FWKEYS" root new --from root.json --out root2.json
traced "root sign" "root2.json|rootk.key" "" "$FWKEYS" root sign --key rootk.key root2.json
traced "selftest" "" "" "$FWVERIFY" selftest --json

# A configured device (system.conf): GRUB environment block, slots at
# offsets in a disk image; every path system.conf names counts as named.
if command -v grub-editenv >/dev/null 2>&1; then
	mkdir -p cfg/etc cfg/boot
	truncate -s 2M cfg/disk.img
	grub-editenv cfg/boot/grubenv create || die "grub-editenv create"
	grub-editenv cfg/boot/grubenv set BOOT_ORDER=A BOOT_A_LEFT=3 BOOT_B_LEFT=0 BOOTED=A ||
		die "grub-editenv set"
	cat >cfg/system.conf <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/cfg/etc/root.json
state-dir = $PWD/cfg/state
bootloader = grub
booted = bootloader
[grub]
grubenv = $PWD/cfg/boot/grubenv
[slot.rootfs.a]
class = rootfs
device = $PWD/cfg/disk.img
offset = 0
size = 512K
bootname = A
[slot.rootfs.b]
class = rootfs
device = $PWD/cfg/disk.img
offset = 512K
size = 512K
bootname = B
[slot.kernel.a]
class = kernel
device = $PWD/cfg/disk.img
offset = 1M
size = 64K
bootname = A
[slot.kernel.b]
class = kernel
device = $PWD/cfg/disk.img
offset = 1088K
size = 64K
bootname = B
EOC
	named="cfg/system.conf|cfg/etc/root.json|cfg/boot/grubenv|cfg/disk.img"
	traced "init --config" "$named|root.json" cfg/state "$FWVERIFY" init --config cfg/system.conf \
		--root root.json
	traced "install --config" "$named|v1.fwb" cfg/state "$FWVERIFY" install --config cfg/system.conf v1.fwb
	traced "status --config" "$named" cfg/state "$FWVERIFY" status --config cfg/system.conf
else
	ok "a configured device opens only what docs/interfaces.md lists # SKIP grub-editenv missing (make test-deps)"
fi

# A sanitizer runtime reads /proc and /sys for itself (not the tools').
ignore=${shim:-/proc/ /sys/}
python3 "$CHECK" "$DOC" runs.tsv $ignore >check.out 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"FAIL "*) not_ok "${line#FAIL }" ;;
	"OK "*) ok "${line#OK }: all of them in docs/interfaces.md" ;;
	esac
done <check.out
check "the comparison ran over every command (exit $rc)" \
	test "$(grep -c '^DONE ' check.out)" = "$(wc -l <runs.tsv)"
check "no command made a socket: nothing listens, nothing connects without a URL" \
	bash -c '! grep "^NET " "$0"' check.out || grep '^NET ' check.out | sed 's/^/# /' | head
check "the tools were really traced: the device state was opened" \
	grep -q "openat(.*</[^>]*/dev>, \"state\"" install.tr
if [ -n "$shim" ]; then
	check "the getenv logger saw the tools ask (FWSEAL_PASSPHRASE by keys generate)" \
		grep -qx FWSEAL_PASSPHRASE "keys generate.env"
else
	ok "the getenv logger saw the tools ask # SKIP a sanitizer build: its runtime must be loaded first"
fi

# ---- the checker can fail ----
grep -v '^| `<device>/lock`' "$DOC" >nolock.md
python3 "$CHECK" nolock.md runs.tsv $ignore >nolock.out 2>&1
check "a path missing from the doc is found, named (the device lock)" \
	grep -q "^FAIL install: opened $PWD/dev/lock, which docs/interfaces.md does not list" nolock.out
check "and fails the comparison" bash -c '! python3 "$0" nolock.md runs.tsv $1 >/dev/null' "$CHECK" "$ignore"
if [ -n "$shim" ]; then
	grep -v '^| `FWSEAL_PASSPHRASE`' "$DOC" >noenv.md
	python3 "$CHECK" noenv.md runs.tsv $ignore >noenv.out 2>&1
	check "an environment variable missing from the doc is found, named" \
		grep -q "read the environment variable FWSEAL_PASSPHRASE" noenv.out
fi
head -n 1 runs.tsv | sed "s|$PWD/keys generate.tr|$PWD/listen.tr|" >listen.tsv
{ cat "keys generate.tr"; echo '4242  bind(3<socket:[1]>, {sa_family=AF_INET, sin_port=htons(8080)}, 16) = 0'
	echo '4242  listen(3<socket:[1]>, 5) = 0'; } >listen.tr
python3 "$CHECK" "$DOC" listen.tsv $ignore >listen.out 2>&1
check "a listening socket in a trace is reported" grep -q "^NET keys generate: 4242  listen(" listen.out
finish
