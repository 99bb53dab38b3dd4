# SPDX-License-Identifier: Apache-2.0
# The device side: install from standard input, refused bundles change
# nothing, a corrupt state fails closed, provisioning never overwrites,
# secret keys readable by others are refused, the device lock holds.
. "$(dirname "$0")/lib.sh"

std_setup
device_init dev

# ---- install from standard input ----
# req: REQ-LIFE-007
# (cat | on purpose: a pipe, which cannot be seeked or stat'ed for a size.)
cat v1.fwb | T="install from stdin (cat b.fwb | fwseal-verify install -)" \
	expect_ok "$FWVERIFY" install --device dev -
check "slot b/rootfs from stdin is byte-identical to a.bin" cmp dev/b/rootfs a.bin
check "slot b/kernel from stdin is byte-identical to b.bin" cmp dev/b/kernel b.bin
"$FWVERIFY" boot --device dev >/dev/null 2>&1 && "$FWVERIFY" mark-good --device dev \
	>/dev/null 2>&1 || die "confirming the stdin install"
cat v1.fwb.gz | T="install a gzip bundle from stdin" expect_ok "$FWVERIFY" install --device dev -
check "slot a/rootfs (gzip, stdin) is byte-identical to a.bin" cmp dev/a/rootfs a.bin
"$FWVERIFY" boot --device dev >/dev/null 2>&1 && "$FWVERIFY" mark-good --device dev \
	>/dev/null 2>&1 || die "confirming the gzip stdin install"

# ---- refused bundles change nothing ----
# req: REQ-LIFE-005
# Tampered copies: a byte in the 4th chunk of the first payload (after three
# chunks were verified and written to .part), and a byte in the last payload
# (after the whole first payload was verified).
off_of() { # off_of ENTRY: offset of the entry's data in v1.fwb
	python3 - "$1" "$TESTS_DIR" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
import make_vectors as mv
entries, _ = mv.parse(open("v1.fwb", "rb").read())
off = 0
for e in entries:
    if e.name == sys.argv[1]:
        print(off + 512)
    off += len(e.encode())
EOF
}
flip() { # flip IN OFFSET OUT
	cp "$1" "$3"
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2]))
f.write(bytes([b[0] ^ 0x20]))' "$3" "$2"
}
pa=$(off_of payloads/a.bin)
pb=$(off_of payloads/b.bin)
[ -n "$pa" ] && [ -n "$pb" ] || die "finding payload offsets"
flip v1.fwb $((pa + 3 * 65536 + 7)) chunk4.fwb
flip v1.fwb $((pb + 4999)) lastbyte.fwb
head -c $((pb + 2000)) v1.fwb >cut.fwb

before=$(snapshot dev)
state_before=$(od -An -tx1 -v dev/state)
T="tampered chunk 4 of the first payload" expect_exit 22 "$FWVERIFY" install --device dev chunk4.fwb
check "nothing written to the slots, state unchanged (chunk 4)" test "$before" = "$(snapshot dev)"
T="tampered last byte of the last payload" expect_exit 22 "$FWVERIFY" install --device dev lastbyte.fwb
check "nothing written to the slots, state unchanged (last byte)" test "$before" = "$(snapshot dev)"
cat lastbyte.fwb | T="tampered bundle from stdin" expect_exit 22 "$FWVERIFY" install --device dev -
check "nothing written to the slots, state unchanged (stdin)" test "$before" = "$(snapshot dev)"
cat cut.fwb | T="bundle cut off in the last payload, from stdin" \
	expect_exit 19 "$FWVERIFY" install --device dev -
check "nothing written to the slots, state unchanged (cut)" test "$before" = "$(snapshot dev)"
check "no staging directory or temporary file left behind" \
	test -z "$(find dev -name '.*' ! -name . -print)"
check "the state file is byte-identical" test "$state_before" = "$(od -An -tx1 -v dev/state)"
T="status still reports the last good install" expect_ok "$FWVERIFY" status --device dev --json
check "status: 1.0.0 in slot a after the refusals" python3 -c '
import json, sys; d = json.load(sys.stdin)
assert (d["version"], d["confirmed_slot"], d["installs"]) == ("1.0.0", "a", 2), d
assert (d["security_version"], d["pending_slot"]) == (1, None), d' <"$LAST_OUT"

# Links planted inside the set an install replaces are never followed: the
# set is staged in a new directory and exchanged with the old one.
echo "precious" >victim
ln -s ../../victim dev/b/.rootfs.part
ln -s ../../victim dev/b/rootfs
T="symlinks planted in the target set (at the payload's name, and beside it)" \
	expect_ok "$FWVERIFY" install --device dev v1.fwb
check "the symlinks' target is untouched" test "$(cat victim)" = precious
check "the set holds exactly the new payloads, as regular files" \
	test "$(cd dev/b && find . ! -name . -printf '%y %p\n' | LC_ALL=C sort | tr '\n' ' ')" = \
	"f ./kernel f ./rootfs "
check "the new rootfs is the payload" cmp dev/b/rootfs a.bin
"$FWVERIFY" rollback --device dev >/dev/null 2>&1 || die "cancel the install"
before=$(snapshot dev)

# ---- the device lock ----
# req: REQ-LIFE-006
# (hold_lock: one process holds the lock, so release_lock really frees it;
# a `flock FILE -c CMD` holder would leave CMD holding it after a kill.)
hold_lock dev
before=$(snapshot_all dev)
T="install while another operation holds the device lock" \
	expect_exit 34 "$FWVERIFY" install --device dev --lock-timeout 0 v1.fwb
T="boot while the device is locked" expect_exit 34 "$FWVERIFY" boot --device dev --lock-timeout 0
T="mark-good while the device is locked" expect_exit 34 "$FWVERIFY" mark-good --device dev \
	--lock-timeout 0
T="rollback while the device is locked" expect_exit 34 "$FWVERIFY" rollback --device dev \
	--lock-timeout 0
check "the busy message says who holds what" grep -q "another operation holds the device lock" \
	"$LAST_ERR"
start=$(date +%s%N)
T="boot waits at most --lock-timeout for the lock" expect_exit 34 "$FWVERIFY" boot --device dev \
	--lock-timeout 1
waited=$((($(date +%s%N) - start) / 1000000))
check "it waited about a second (${waited} ms), not forever" test "$waited" -ge 900 -a "$waited" -lt 5000
release_lock dev
check "the locked device is unchanged (state, slots, root, log)" \
	test "$before" = "$(snapshot_all dev)"

# ---- corrupt state: fail closed (27), never "nothing installed" ----
# req: REQ-LIFE-004
good=$(snapshot dev)
corrupt() { # corrupt NAME COMMAND...: a copy of dev whose state COMMAND damaged
	rm -rf "dev-$1" && cp -a dev "dev-$1" || die "copying dev"
	(cd "dev-$1" && "${@:2}") || die "corrupting state ($1)"
}
corrupt flipped python3 -c 'b = bytearray(open("state", "rb").read()); b[40] ^= 0x01
open("state", "wb").write(b)'
corrupt counter python3 -c 's = open("state").read()
open("state", "w").write(s.replace("security_version 1", "security_version 0"))'
corrupt truncated truncate -s 100 state
corrupt empty truncate -s 0 state
corrupt missing rm state
corrupt garbage bash -c 'head -c 300 /dev/zero | tr "\0" x >state'
corrupt trailing bash -c 'echo "extra line" >>state'
for kind in flipped counter truncated empty missing garbage trailing; do
	d=dev-$kind
	before=$(snapshot_all "$d" 2>/dev/null)
	T="status with a $kind state file" expect_exit 27 "$FWVERIFY" status --device "$d"
	T="install refused with a $kind state file" expect_exit 27 "$FWVERIFY" install --device "$d" v1.fwb
	T="boot refused with a $kind state file" expect_exit 27 "$FWVERIFY" boot --device "$d"
	T="mark-good refused with a $kind state file" expect_exit 27 "$FWVERIFY" mark-good --device "$d"
	T="rollback refused with a $kind state file" expect_exit 27 "$FWVERIFY" rollback --device "$d"
	check "nothing changed or logged on the device with the $kind state" \
		test "$before" = "$(snapshot_all "$d" 2>/dev/null)"
done
T="not a device at all" expect_exit 27 "$FWVERIFY" status --device nowhere

# ---- provisioning never overwrites ----
# req: REQ-LIFE-004
T="init twice" expect_exit 32 "$FWVERIFY" init --device dev --root root.json --hardware hw-a
T="init over a device, other hardware" expect_exit 32 "$FWVERIFY" init --device dev \
	--root root.json --hardware hw-b
check "the provisioned device is intact" test "$good" = "$(snapshot dev)"
T="init over a device whose state is corrupt" expect_exit 32 "$FWVERIFY" init --device dev-flipped \
	--root root.json --hardware hw-a

# ---- secret key file permissions ----
# req: REQ-KEY-002
cp rel.key rel-open.key
chmod 644 rel-open.key
T="pack with a secret key readable by others (0644)" expect_exit 30 "$FWSEAL" pack --manifest v1.json \
	--key rel-open.key --root root.json --out x.fwb
chmod 640 rel-open.key
T="pack with a secret key readable by the group (0640)" expect_exit 30 "$FWSEAL" pack \
	--manifest v1.json --key rel-open.key --root root.json --out x.fwb
T="co-sign with a secret key readable by the group" expect_exit 30 "$FWSEAL" sign \
	--key rel-open.key --root root.json v1.fwb
check "nothing packed with the exposed key" test ! -e x.fwb
FWSEAL_PASSPHRASE=wrong T="wrong passphrase" expect_exit 29 "$FWSEAL" pack --manifest v1.json \
	--key rel.key --root root.json --out x.fwb
cp rel.pub pub-as-key.key
chmod 600 pub-as-key.key
T="a public key file given as the secret key" expect_exit 28 "$FWSEAL" pack --manifest v1.json \
	--key pub-as-key.key --root root.json --out x.fwb
T="a .pub (mode 0644) given as --key" expect_exit 28 "$FWSEAL" pack --manifest v1.json \
	--key rel.pub --root root.json --out x.fwb
check "the message says it is a public key, not a permission problem" \
	grep -q "a public key (.pub), not the secret key" "$LAST_ERR"
T="generate refuses to overwrite a key" expect_exit 32 "$FWKEYS" generate --out rel --kdf interactive
finish
