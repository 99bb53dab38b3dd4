# SPDX-License-Identifier: Apache-2.0
# A hostile local user and a careless operator against the filesystem
# around the parsers (docs/threat-model.md, "the filesystem"): planted
# symbolic links and hard links, directories and FIFOs where files belong,
# writable device directories, outputs that are one of the command's own
# inputs, stale staging, a stalled stream holding the device, a full disk,
# and names that would break the one-line error rule. Each attack must be
# refused (or made harmless) with nothing written outside the device.
# req: REQ-FS-001
. "$(dirname "$0")/lib.sh"

std_setup
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack v2.fwb v2.json rel root.json
device_init dev
install_confirm dev v1.fwb # 1.0.0 confirmed in b: the next install writes a
mkdir outside
echo precious >outside/victim
echo precious >outside/rootfs
victims() { sha256sum outside/* | sha256sum; }
pristine=$(victims)

# ---- symbolic links in path components ----
# req: REQ-FS-002
rm -rf dev/a && ln -s ../outside dev/a
before=$(snapshot_all dev 2>/dev/null)
T="install when the target set directory is a symlink to a directory elsewhere" \
	expect_exit 41 "$FWVERIFY" install --device dev v2.fwb
check "the message names the set directory and the link" grep -q ": a: is a symbolic link" "$LAST_ERR"
check "nothing outside the device was written or removed" test "$pristine" = "$(victims)"
check "the refused install changed nothing (state, log)" test "$before" = "$(snapshot_all dev 2>/dev/null)"
T="status refuses the device too" expect_exit 41 "$FWVERIFY" status --device dev
rm dev/a && mkdir dev/a
touch dev/a/notmine && mkdir dev/a/d
chown -R 65534 dev/a
T="install when the set directory belongs to another user" \
	expect_exit 41 "$FWVERIFY" install --device dev v2.fwb
check "the message names the owner" grep -q "owned by uid 65534" "$LAST_ERR"
rm -rf dev/a && mkdir dev/a
for mode in 0770 0707 0777; do
	chmod "$mode" dev
	T="every command refuses a device directory of mode $mode (group/others may write)" \
		expect_exit 41 "$FWVERIFY" boot --device dev
done
check "the message says why" grep -q "device directory writable by group or others" "$LAST_ERR"
chmod 0700 dev
chmod 0775 dev/a
T="a set directory writable by the group is refused" expect_exit 41 "$FWVERIFY" install --device dev v2.fwb
chmod 0755 dev/a

# ---- links, directories and FIFOs planted inside the set an install replaces ----
ln -s ../../outside/victim dev/a/rootfs
ln -s ../outside dev/a/dirlink
mkdir -p dev/a/nested/deeper && ln -s ../../../outside/victim dev/a/nested/deeper/l
mkfifo dev/a/fifo
ln outside/victim dev/a/hardlink
T="install over a set full of planted links, directories and a FIFO" expect_ok "$FWVERIFY" install \
	--device dev v2.fwb
check "nothing outside the device was written or removed" test "$pristine" = "$(victims)"
check "the set holds exactly the new payloads, as regular files" \
	test "$(cd dev/a && find . ! -name . -printf '%y %p\n' | LC_ALL=C sort | tr '\n' ' ')" = \
	"f ./kernel f ./rootfs "
check "the new rootfs is the payload" cmp dev/a/rootfs a.bin
"$FWVERIFY" rollback --device dev >/dev/null 2>&1 || die "cancel"

# ---- hard links at names the device writes ----
for name in state.tmp root.json.tmp log.head.tmp bootenv.tmp lock; do
	ln outside/victim "dev/$name"
done
ln outside/victim dev/.state.aaaaaaaaaaaa.tmp # a stale temporary name of ours
T="install with hard links planted at the old fixed temporary names and one of ours" \
	expect_ok "$FWVERIFY" install --device dev v2.fwb
check "nothing outside the device was written" test "$pristine" = "$(victims)"
check "the planted name of our temporary pattern was removed (the name only)" \
	test ! -e dev/.state.aaaaaaaaaaaa.tmp -a -e outside/victim
rm -f dev/state.tmp dev/root.json.tmp dev/log.head.tmp dev/bootenv.tmp
"$FWVERIFY" rollback --device dev >/dev/null 2>&1 || die "cancel"
cp dev/log log.orig
rm dev/log && ln outside/victim dev/log
before=$(snapshot dev)
T="install when DIR/log is a hard link to a file outside" expect_exit 41 "$FWVERIFY" install \
	--device dev v2.fwb
check "the message names the log's links" grep -q ": log: has 2 hard links" "$LAST_ERR"
check "the linked file was not appended to" test "$pristine" = "$(victims)"
check "and the device did not change" test "$before" = "$(snapshot dev)"
rm dev/log && ln -s ../outside/victim dev/log
T="install when DIR/log is a symlink" expect_exit 41 "$FWVERIFY" install --device dev v2.fwb
check "the symlink's target was not appended to" test "$pristine" = "$(victims)"
rm dev/log && cp log.orig dev/log
rm dev/bootenv && mkdir dev/bootenv
T="a directory where the bootloader's file belongs" expect_exit 41 "$FWVERIFY" boot --device dev
rmdir dev/bootenv
mkfifo dev/bootenv
T="a FIFO where the bootloader's file belongs (no hang)" expect_exit 41 timeout 20 \
	"$FWVERIFY" boot --device dev
rm dev/bootenv
printf 'BOOT_ORDER=b\nBOOT_A_LEFT=0\nBOOT_B_LEFT=3\nBOOTED=b\n' >dev/bootenv
T="status is healthy again" expect_ok "$FWVERIFY" status --device dev

# ---- stale staging from an interrupted install ----
stale=$(printf '.a.%s.new' abcdefghij12)
mkdir "dev/$stale" && head -c 5000000 /dev/zero >"dev/$stale/rootfs"
ln -s ../../outside/victim "dev/$stale/link"
T="boot removes an interrupted install's staging directory" expect_ok "$FWVERIFY" boot --device dev
check "the 5 MB staging directory is gone" test ! -e "dev/$stale"
check "its planted link's target is untouched" test "$pristine" = "$(victims)"
mkdir "dev/$stale" && head -c 100000 /dev/zero >"dev/$stale/rootfs"
T="install removes it too" expect_ok "$FWVERIFY" install --device dev v2.fwb
check "no staging directory left" test -z "$(find dev -maxdepth 1 -name '.*' ! -name .)"
"$FWVERIFY" rollback --device dev >/dev/null 2>&1 || die "cancel"

# ---- a bundle or permit that is one of the device's own files ----
ln v2.fwb dev/a/v2.fwb 2>/dev/null || cp v2.fwb dev/a/v2.fwb
T="install of a bundle that lives in the set it would replace" expect_exit 44 "$FWVERIFY" install \
	--device dev dev/a/v2.fwb
check "the bundle is still there" test -s dev/a/v2.fwb
rm dev/a/v2.fwb

# ---- outputs that are one of the command's inputs ----
# req: REQ-FS-003
cp rel.key rel-backup.key
inputs() { sha256sum rel.key v1.json a.bin b.bin root.json; }
inputs_before=$(inputs)
for what in rel.key v1.json a.bin root.json; do
	T="pack --out naming its own input $what (even with --force)" expect_exit 44 "$FWSEAL" pack \
		--manifest v1.json --key rel.key --root root.json --out "$what" --force
done
check "the message says why" grep -q "is also an input of this command" "$LAST_ERR"
check "every input is intact" test "$inputs_before" = "$(inputs)"
ln rel.key hard-of-key
T="pack --out a hard link to the key" expect_exit 44 "$FWSEAL" pack --manifest v1.json \
	--key rel.key --root root.json --out hard-of-key --force
ln -s a.bin soft-of-payload
T="pack --out a symlink to a payload" expect_exit 44 "$FWSEAL" pack --manifest v1.json \
	--key rel.key --root root.json --out soft-of-payload --force
check "the key and the payload are intact" bash -c 'cmp -s rel.key rel-backup.key && test -s a.bin'
T="pack --out over an existing file without --force" expect_exit 32 "$FWSEAL" pack \
	--manifest v1.json --key rel.key --root root.json --out v2.fwb
check "the message says --force replaces it" grep -q -- "--force replaces it" "$LAST_ERR"
cp v2.fwb v2.keep
T="pack --out over an existing file with --force" expect_ok "$FWSEAL" pack --manifest v1.json \
	--key rel.key --root root.json --out v2.fwb --force
check "it was replaced" bash -c '! cmp -s v2.fwb v2.keep'
mv v2.keep v2.fwb
T="permit --out naming the bundle" expect_exit 44 "$FWSEAL" permit --key rel.key --root root.json \
	--device-id hw-a --to-version 1.0.0 --bundle v1.fwb --out v1.fwb --force
T="root init --out naming a public key it reads" expect_exit 44 "$FWKEYS" root init \
	--root-key rootk.pub --release-key rel.pub --sign rootk.key --out rel.pub --force
T="root new --out naming --from" expect_exit 44 "$FWKEYS" root new --from root.json \
	--out root.json --force --sign rootk.key
T="root new --out over an existing file" expect_exit 32 "$FWKEYS" root new --from root.json \
	--out v1.json
"$FWKEYS" root new --from root.json --out r2.json >/dev/null 2>&1 || die "root new draft"
T="root sign of the root given as --previous" expect_exit 44 "$FWKEYS" root sign --key rootk.key \
	--previous root.json root.json
T="change-passphrase reading the new passphrase from the key itself" expect_exit 44 "$FWKEYS" \
	change-passphrase --key rel.key --passphrase-file rel.key --new-passphrase-file rel.key
check "the key still opens with its passphrase" "$FWSEAL" verify --root root.json v1.fwb

# ---- co-signing keeps the bundle's mode and refuses a read-only bundle ----
make_key rel2
make_root root2.json rootk rel rel2
pack v9.fwb v1.json rel root2.json
chmod 0640 v9.fwb
T="co-sign a bundle of mode 0640" expect_ok "$FWSEAL" sign --key rel2.key --root root2.json v9.fwb
check "its mode is still 0640" test "$(stat -c %a v9.fwb)" = 640
pack v10.fwb v1.json rel root2.json
chmod 0444 v10.fwb
cp v10.fwb v10.orig
T="co-sign a read-only bundle" expect_exit 4 "$FWSEAL" sign --key rel2.key --root root2.json v10.fwb
check "the message says read-only" grep -q "is read-only" "$LAST_ERR"
check "the read-only bundle is unchanged" cmp v10.fwb v10.orig

# ---- a stalled stream never holds the device ----
# req: REQ-LIFE-006
mkfifo stall.fifo
(exec 3>stall.fifo && sleep 6) &
holder=$!
start=$(date +%s)
"$FWVERIFY" install --device dev --stall-timeout 2 - <stall.fifo >stall.out 2>stall.err &
installer=$!
sleep 0.5
T="boot while an install waits on a silent stream (the lock is not held)" \
	expect_ok "$FWVERIFY" boot --device dev --lock-timeout 0
wait $installer
status=$?
waited=$(($(date +%s) - start))
check "the silent install gave up by itself: exit 42 (FWS_ESTALLED), one line" \
	test "$status" = 42 -a "$(wc -l <stall.err)" = 1
check "within the stall timeout (${waited}s)" test "$waited" -lt 6
check "the message says the input stalled" grep -q "nothing received for 2.000 s" stall.err
kill $holder 2>/dev/null
wait $holder 2>/dev/null
(head -c 3000 v2.fwb; sleep 4) | T="a stream that stalls inside the manifest" \
	expect_exit 42 "$FWSEAL" verify --root root.json --stall-timeout 1 -

# ---- the audit log: only the one crash remnant heals ----
# req: REQ-LOG-004
cp -a dev devlog
python3 - devlog <<'PYEOF' || die "forging two lines"
import hashlib, json, sys
d = sys.argv[1]
lines = open(d + "/log", "rb").read().splitlines()
last = json.loads(lines[-1])
for i in range(2):
    rec = dict(last, seq=last["seq"] + 1, action="mark-good", detail="forged", prev=last["hash"])
    del rec["hash"]
    text = json.dumps(rec, separators=(",", ":"))
    rec["hash"] = hashlib.sha256(text.encode()).hexdigest()
    line = json.dumps(rec, separators=(",", ":"))
    lines.append(line.encode())
    last = rec
open(d + "/log", "wb").write(b"\n".join(lines) + b"\n")
PYEOF
before=$(sha256sum <devlog/log)
T="two correctly chained lines forged past the head: log --verify fails" expect_exit 27 \
	"$FWVERIFY" log --device devlog --verify
T="and the next operation refuses instead of healing them" expect_exit 27 "$FWVERIFY" boot \
	--device devlog
check "the forged log was not rolled forward" test "$before" = "$(sha256sum <devlog/log)"
T="log --verify still fails afterwards" expect_exit 27 "$FWVERIFY" log --device devlog --verify

# ---- a full disk: an operation whose log line cannot be written ----
# req: REQ-FS-005, REQ-LOG-004
mkdir -p full
if mount -t tmpfs -o size=512k tmpfs full 2>/dev/null; then
	make_payload small.bin 2000
	make_release s1.json 1.0.0 1 hw-a small.bin:small.bin:rootfs
	make_release s0.json 0.9.0 0 hw-a small.bin:small.bin:rootfs
	pack s1.fwb s1.json rel root.json
	pack s0.fwb s0.json rel root.json
	device_init full/dev
	install_confirm full/dev s1.fwb
	head -c 10000000 /dev/zero >full/filler 2>/dev/null
	before=$(cd full/dev && sha256sum log log.head state bootenv)
	T="a refused install (rollback) on a full disk" expect_exit 25 "$FWVERIFY" install \
		--device full/dev s0.fwb
	check "the message says the refusal was not recorded: no space" \
		grep -q "not recorded in the audit log: no space left" "$LAST_ERR"
	check "log, head, state and bootloader are as they were (no half-recorded line)" \
		test "$before" = "$(cd full/dev && sha256sum log log.head state bootenv)"
	T="the log still verifies (a full disk is not tampering)" expect_ok "$FWVERIFY" log \
		--device full/dev --verify
	T="boot on a full disk" expect_exit 43 "$FWVERIFY" boot --device full/dev
	check "the message names the lack of space" grep -q "No space left on device" "$LAST_ERR"
	check "the failed boot changed nothing" \
		test "$before" = "$(cd full/dev && sha256sum log log.head state bootenv)"
	rm -f full/filler
	T="with space again, boot works" expect_ok "$FWVERIFY" boot --device full/dev
	T="and the log verifies" expect_ok "$FWVERIFY" log --device full/dev --verify
	umount full
else
	skip "a full disk refuses the install and changes nothing" "cannot mount a small tmpfs here (not root?)"
fi

# ---- names that would break the one-line rule ----
# req: REQ-ERR-001
bad=$'evil\nname\e[31m.fwb'
cp v1.fwb "$bad"
printf 'X' | dd of="$bad" bs=1 seek=70000 conv=notrunc 2>/dev/null
T="a refused bundle whose name holds a newline and an escape" expect_exit 22 "$FWSEAL" verify \
	--root root.json "$bad"
check "the name is escaped in the one line" grep -qF 'evil\nname\x1b[31m.fwb' "$LAST_ERR"
T="a missing file with a control character in its name" expect_exit 33 "$FWSEAL" inspect $'a\tb'
check "the tab is escaped" grep -qF 'a\tb' "$LAST_ERR"

# ---- status runs the health check ----
# req: REQ-LIFE-004
for broken in missing fifo oversized older; do
	cp -a dev "dev-$broken"
	case $broken in
	missing) rm "dev-$broken/root.json" ;;
	fifo) rm "dev-$broken/root.json" && mkfifo "dev-$broken/root.json" ;;
	oversized) head -c 70000 /dev/zero >"dev-$broken/root.json" ;;
	older) state_set "dev-$broken" root_version 2 ;; # the state says v2, root.json is v1
	esac
	T="status with a $broken root.json is not healthy" expect_refused "$FWVERIFY" status \
		--device "dev-$broken"
done
finish
