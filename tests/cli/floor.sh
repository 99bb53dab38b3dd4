# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shared by the rollback-floor tests (tests/cli/test_floor_*.sh,
# long_floor*.sh; docs/rollback-floor.md): a configured device whose slots
# are files (bootloader dir, so `boot` simulates the reboot), swtpm started
# on free ports of 127.0.0.1 with its state in the test directory, and the
# floor read back with tpm2-tools, independently of fwseal.
#
#   floor_setup          keys, root.json, a.bin: the world of these tests (small, fast)
#   floor_release NAME VERSION SV   NAME.fwb with a.bin as rootfs
#   floor_device DIR [FLOOR SECTION LINES...]  DIR/system.conf, DIR/etc/root.json
#   tpm_start DIR        swtpm with state in DIR: exports TPM_PORT TCTI TPM2TOOLS_TCTI TPM_PID
#   tpm_stop             stops it (SIGTERM, bounded wait); tpm_kill: SIGKILL
#   tpm_floor            counter - base, read with tpm2_nvread (prints it)
#   conf_of DIR          the --config argument for DIR
# The test's trap (net_cleanup) stops whatever is still running.
. "$TESTS_DIR/net/servers.sh"

COUNTER_INDEX=0x01500f00
BASE_INDEX=0x01500f01

floor_setup() {
	make_key rootk
	make_key rel
	make_root root.json rootk rel
	yes fwseal-floor-test | head -c 20000 >a.bin
}

# Written here, not by make_release: a python start costs more than
# the whole rest of a floor step on a busy machine.
floor_release() {
	printf '{"product": "test-pump", "version": "%s", "security_version": %s, "hardware": ["hw-a"], "payloads": [{"name": "a.bin", "file": "a.bin", "target": "rootfs", "chunk_size": 4096}]}\n' \
		"$2" "$3" >"$1.json"
	pack "$1.fwb" "$1.json" rel root.json
}

floor_device() {
	local dir=$1
	shift
	mkdir -p "$dir/etc" && chmod 700 "$dir" || die "mkdir $dir"
	cp root.json "$dir/etc/root.json" || die "root.json"
	truncate -s 2M "$dir/disk.img"
	{
		printf '[system]\nhardware-id = hw-a\ntrusted-root = %s/etc/root.json\n' "$PWD/$dir"
		printf 'state-dir = %s/state\nbootloader = dir\n' "$PWD/$dir"
		printf '[floor]\n'
		printf '%s\n' "$@"
		for s in a b; do
			off=$([ $s = a ] && echo 0 || echo 1M)
			printf '[slot.rootfs.%s]\nclass = rootfs\ndevice = %s/disk.img\n' $s "$PWD/$dir"
			printf 'offset = %s\nsize = 1M\nbootname = %s\n' "$off" "${s^^}"
		done
	} >"$dir/system.conf"
}

conf_of() { echo "$PWD/$1/system.conf"; }

tpm_start() {
	local dir=$1 i
	mkdir -p "$dir"
	for i in 1 2 3 4 5; do
		TPM_PORT=$(net_free_port)
		swtpm socket --tpm2 --server type=tcp,port="$TPM_PORT",bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((TPM_PORT + 1)),bindaddr=127.0.0.1 \
			--tpmstate dir="$dir" --flags startup-clear,not-need-init \
			>"$dir.log" 2>&1 &
		TPM_PID=$!
		if net_wait_port "$TPM_PORT" 5 && kill -0 "$TPM_PID" 2>/dev/null; then
			net_track_pid "$TPM_PID"
			export TPM_PORT TPM_PID
			export TCTI="swtpm:host=127.0.0.1,port=$TPM_PORT"
			export TPM2TOOLS_TCTI=$TCTI
			return 0
		fi
		kill "$TPM_PID" 2>/dev/null
		wait "$TPM_PID" 2>/dev/null
	done
	die "swtpm does not start: $(cat "$dir.log")"
}

tpm_stop() {
	[ -n "${TPM_PID:-}" ] || return 0
	kill "$TPM_PID" 2>/dev/null
	wait "$TPM_PID" 2>/dev/null
	TPM_PID=
}

tpm_kill() {
	[ -n "${TPM_PID:-}" ] || return 0
	kill -9 "$TPM_PID" 2>/dev/null
	wait "$TPM_PID" 2>/dev/null
	TPM_PID=
}

# An 8-byte big-endian NV index, as a decimal number.
tpm_nv_u64() {
	local hex
	hex=$(tpm2_nvread "$1" -C "$1" -s 8 2>/dev/null | od -An -tx1 | tr -d ' \n')
	if [ ${#hex} -eq 16 ] && [ "${hex:0:1}" != 8 ]; then echo $((16#$hex)); else echo unreadable; fi
}

tpm_floor() {
	local c b
	c=$(tpm_nv_u64 $COUNTER_INDEX)
	b=$(tpm_nv_u64 $BASE_INDEX)
	case "$c$b" in *unreadable*) echo unreadable ;; *) echo $((c - b)) ;; esac
}
