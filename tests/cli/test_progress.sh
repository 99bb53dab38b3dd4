# SPDX-License-Identifier: Apache-2.0
# Progress of long work: drawn on stderr only when it is a terminal (here a
# pseudo-terminal), never in pipes or logs, never with --quiet, and wiped
# before the command ends so an error stays one line.
# req: REQ-ERR-003
. "$(dirname "$0")/lib.sh"

std_setup
make_payload big.bin 3000000
make_release big.json 1.0.0 1 hw-a big.bin:big.bin:rootfs
pack big.fwb big.json rel root.json
device_init dev

# on_pty OUT CMD...: runs CMD with stderr on a pseudo-terminal and its
# standard input fed $FEED (default big.fwb) slowly (about 1.5 s); the
# terminal's bytes go to OUT; prints CMD's exit status.
on_pty() {
	python3 - "$@" <<'PYEOF'
import os, pty, select, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
seen = bytearray()


def drain(wait):
    """Reads what the terminal has; EIO once the program's side closed."""
    try:
        while select.select([master], [], [], wait)[0]:
            chunk = os.read(master, 65536)
            if not chunk:
                break
            seen.extend(chunk)
    except OSError:
        pass


data = open(os.environ.get("FEED", "big.fwb"), "rb").read()
step = len(data) // 30 + 1
for i in range(0, len(data), step):
    try:
        p.stdin.write(data[i:i + step])
        p.stdin.flush()
    except BrokenPipeError:
        break
    time.sleep(0.05)
    drain(0)
try:
    p.stdin.close()
except BrokenPipeError:
    pass
deadline = time.time() + 20
while p.poll() is None and time.time() < deadline:
    drain(0.1)
p.wait(timeout=20)
drain(0.1)
open(out, "wb").write(bytes(seen))
print(p.returncode)
PYEOF
}

status=$(on_pty tty.out "$FWSEAL" verify --root root.json -)
check "verify from a slow pipe with stderr on a terminal succeeds" test "$status" = 0
check "it drew progress: bytes and rate" grep -aq "verifying: .* MiB, .*/s" tty.out
check "the progress line is redrawn in place, then wiped" bash -c \
	'test "$(grep -ao $'"'"'\r\x1b\[K'"'"' "$0" | wc -l)" -ge 2' tty.out
status=$(on_pty quiet.out "$FWSEAL" verify --root root.json --quiet -)
check "with --quiet: nothing on the terminal" test "$status" = 0 -a ! -s quiet.out
status=$(on_pty inst.out "$FWVERIFY" install --device dev -)
check "install draws its progress too" test "$status" = 0
check "install's progress names it" grep -aq "installing: " inst.out
cp big.fwb bad.fwb
printf 'X' | dd of=bad.fwb bs=1 seek=2900000 conv=notrunc 2>/dev/null
status=$(FEED=bad.fwb on_pty bad.out "$FWSEAL" verify --root root.json -)
check "a refusal after progress: exit 22" test "$status" = 22
check "its one line comes right after the progress line was wiped" python3 -c 'import sys
t = open(sys.argv[1], "rb").read()
assert b"\r\x1b[Kfwseal: -: payloads/big.bin: chunk 2 does not match its signed digest" in t, t[-200:]
assert t.count(b"fwseal: -:") == 1, t' bad.out
T="not a terminal: verify prints no progress and no escape" expect_ok "$FWSEAL" verify \
	--root root.json big.fwb
check "stderr is empty and stdout has no escape" bash -c \
	'! grep -q $'"'"'\x1b'"'"' "$0"' "$LAST_OUT"
finish
