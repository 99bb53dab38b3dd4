# SPDX-License-Identifier: Apache-2.0
# Mutation loop: flips 1-4 random bytes of every kind of valid input many
# times (deterministic PRNG: python's random with a fixed seed) and runs the
# command that consumes it, under timeout 20. For every mutant:
#   - no crash: exit status below 124, no signal, no sanitizer report;
#   - at most one line on stderr;
#   - exit 0 only when the mutant means the same as the original: the
#     consumer's view of it (inspect --json, root show --json, the
#     fingerprint, the packed bytes, the installed slot) is identical;
#   - when refused, nothing written (device snapshot, pack output).
# Prints per vector how many mutants were refused.
#   MUTANTS=N (default 300 per vector; 100 for a sanitizer build, 5 when the
#   tools are wrapper scripts, as under `make valgrind`), MUTATION_SEED=S
#   (default 20231114)
# A failing mutant is kept as mutants/<vector>-<index> (run.sh KEEP=1 keeps
# the directory) and can be regenerated from the seed and its index.
# req: REQ-FMT-008
. "$(dirname "$0")/lib.sh"

H=$TESTS_DIR/vectors/hostile
export FWSEAL_PASSPHRASE=fwseal-test-vectors # tests/vectors/hostile/README.md
SIGNED_ROOT=$H/signed/root.json

# ---- the valid vectors and the devices that consume them ----
cp "$H/keys-bad/valid.key" k.key && chmod 600 k.key || die "copying keys-bad/valid.key"
make_payload a.bin 5000
make_release r100.json 1.0.0 1 hw-a a.bin:a.bin:rootfs
make_release r110.json 1.1.0 1 hw-a a.bin:a.bin:rootfs
pack v100.fwb r100.json k "$SIGNED_ROOT"
pack v110.fwb r110.json k "$SIGNED_ROOT"

# dev-bundle: the committed corpus root, nothing installed (bundle mutants).
"$FWVERIFY" init --device dev-bundle --root "$H/root.json" --hardware hw-a >/dev/null 2>&1 ||
	die "init dev-bundle"
# dev-permit: 1.1.0 confirmed; a permit allows 1.0.0 (permit mutants).
"$FWVERIFY" init --device dev-permit --root "$SIGNED_ROOT" --hardware hw-a >/dev/null 2>&1 ||
	die "init dev-permit"
install_confirm dev-permit v110.fwb
"$FWSEAL" permit --key k.key --root "$SIGNED_ROOT" --device-id hw-a --to-version 1.0.0 \
	--bundle v100.fwb --out downgrade.permit >/dev/null 2>&1 || die "fwseal permit"
# dev-state: 1.0.0 pending in slot b, so the state has non-default fields.
"$FWVERIFY" init --device dev-state --root "$SIGNED_ROOT" --hardware hw-a >/dev/null 2>&1 ||
	die "init dev-state"
"$FWVERIFY" install --device dev-state v100.fwb >/dev/null 2>&1 || die "install into dev-state"
cp dev-state/state device.state

default_mutants=300
if [ "$(head -c 2 "$FWSEAL")" = "#!" ]; then
	default_mutants=5 # valgrind wrappers: about a second per run
elif grep -qa __asan_init "$FWSEAL"; then
	default_mutants=100 # ASan+UBSan: about five times slower
fi
python3 - "$BUILD" "$H" "$SIGNED_ROOT" "${MUTANTS:-$default_mutants}" "${MUTATION_SEED:-20231114}" <<'EOF'
import hashlib
import os
import random
import shutil
import subprocess
import sys

BUILD, H, SIGNED_ROOT, N, SEED = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
FWSEAL = os.path.join(BUILD, "fwseal")
FWKEYS = os.path.join(BUILD, "fwseal-keys")
FWVERIFY = os.path.join(BUILD, "fwseal-verify")
os.makedirs("mutants", exist_ok=True)
SANITIZER = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:", b"UndefinedBehaviorSanitizer")


def run(*cmd):
    """(status, stdout, stderr); status 124 on timeout, 128+N on a signal."""
    try:
        p = subprocess.run(["timeout", "20"] + list(cmd), stdin=subprocess.DEVNULL,
                           capture_output=True)
    except OSError as e:
        return 255, b"", str(e).encode()
    rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
    return rc, p.stdout, p.stderr


def tree_digest(d):
    """Everything an install may change: files under the slots (names and
    bytes), hidden staging names in the device directory, the state (less
    log_seq and its checksum: refusals before an accepted install move the
    audit log on, which is the log's business), the trusted root and the
    simulated bootloader's variables."""
    h = hashlib.sha256()
    for sub in ("a", "b"):
        for root, dirs, files in sorted(os.walk(os.path.join(d, sub))):
            dirs.sort()
            for f in sorted(files):
                p = os.path.join(root, f)
                h.update(p.encode() + b"\0" + open(p, "rb").read() + b"\0")
    h.update(repr(sorted(n for n in os.listdir(d) if n.startswith("."))).encode())
    state = [l for l in open(os.path.join(d, "state"), "rb").read().split(b"\n")
             if not l.startswith((b"log_seq ", b"sha256 "))]
    h.update(b"state\0" + b"\n".join(state))
    for f in ("root.json", "bootenv"):
        h.update(f.encode() + b"\0" + open(os.path.join(d, f), "rb").read())
    return h.hexdigest()


def restore(dev, pristine):
    shutil.rmtree(dev)
    shutil.copytree(pristine, dev, symlinks=True)


rng = random.Random(SEED)
failures = 0


def mutate(data):
    while True:
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] ^= rng.randint(1, 255)
        if bytes(b) != data:
            return bytes(b)


def problems_of(label, rc, err):
    out = []
    if rc >= 124:
        out.append("%s: exit status %d (crash, signal or timeout)" % (label, rc))
    if any(s in err for s in SANITIZER):
        out.append("%s: sanitizer report" % label)
    if err.count(b"\n") > 1 or (err and not err.endswith(b"\n") and err.count(b"\n") == 1):
        out.append("%s: %d stderr lines" % (label, err.count(b"\n")))
    return out


def loop(name, original, path, consumers):
    """consumers: list of (label, fn(path) -> (problems, refused))."""
    global failures
    refused = {c[0]: 0 for c in consumers}
    bad = []
    for i in range(N):
        m = mutate(original)
        with open(path, "wb") as f:
            f.write(m)
        probs = []
        for label, fn in consumers:
            p, was_refused = fn(path)
            probs += p
            if was_refused:
                refused[label] += 1
        if probs:
            keep = "mutants/%s-%d" % (name, i)
            shutil.copy(path, keep)
            bad.append("mutant %d (%s): %s" % (i, keep, "; ".join(probs)))
    counts = ", ".join("%s refused %d/%d" % (k, v, N) for k, v in refused.items())
    if bad:
        failures += 1
        print("not ok - mutation %s: %s" % (name, counts))
        for b in bad[:10]:
            print("#   " + b)
        if len(bad) > 10:
            print("#   ... %d more" % (len(bad) - 10))
    else:
        print("ok - mutation %s: %d mutants, %s; no crash, <= 1 stderr line, accepted only when "
              "identical" % (name, N, counts))
    sys.stdout.flush()


# ---- consumers ----
def verify_bundle(root, hw):
    ref = run(FWSEAL, "inspect", "--json", "ref.fwb")[1]

    def fn(path):
        rc, out, err = run(FWSEAL, "verify", "--root", root, "--hardware", hw, path)
        probs = problems_of("verify", rc, err)
        if rc == 0:
            i_rc, i_out, _ = run(FWSEAL, "inspect", "--json", path)
            if i_rc != 0 or i_out != ref:
                probs.append("verify accepted a mutant that inspects differently")
        return probs, rc != 0
    return fn


def install_bundle(dev, pristine, installed_ref):
    before = tree_digest(dev)

    def fn(path):
        rc, out, err = run(FWVERIFY, "install", "--device", dev, path)
        probs = problems_of("install", rc, err)
        after = tree_digest(dev)
        if rc == 0:
            if after != installed_ref:
                probs.append("install accepted a mutant and installed something else")
            restore(dev, pristine)
        elif after != before:
            probs.append("install refused (exit %d) but the device changed" % rc)
            restore(dev, pristine)
        return probs, rc != 0
    return fn


def bundle_vector(name, src, dev):
    shutil.copy(src, "ref.fwb")
    pristine = dev + ".pristine"
    shutil.copytree(dev, pristine, symlinks=True)
    rc, _, err = run(FWVERIFY, "install", "--device", dev, "ref.fwb")
    if rc != 0:
        print("not ok - mutation %s: the original does not install: %s" % (name, err[:200]))
        return
    installed = tree_digest(dev)
    restore(dev, pristine)
    with open(src, "rb") as f:
        data = f.read()
    loop(name, data, "mutant.fwb", [
        ("verify", verify_bundle(H + "/root.json", "hw-a")),
        ("install", install_bundle(dev, pristine, installed)),
    ])
    shutil.rmtree(pristine)


bundle_vector("bundle", H + "/base/valid.fwb", "dev-bundle")
bundle_vector("bundle-gzip", H + "/base/valid.fwb.gz", "dev-bundle")

# root.json: the trusted root given to verify, and its own parser.
root_ref = run(FWKEYS, "root", "show", "--json", H + "/root.json")[1]


def root_verify(path):
    rc, out, err = run(FWSEAL, "verify", "--root", path, "--hardware", "hw-a", H + "/base/valid.fwb")
    probs = problems_of("verify --root", rc, err)
    if rc == 0 and run(FWKEYS, "root", "show", "--json", path)[1] != root_ref:
        probs.append("verify trusted a mutated root that shows differently")
    return probs, rc != 0


def root_show(path):
    rc, out, err = run(FWKEYS, "root", "show", "--json", path)
    probs = problems_of("root show", rc, err)
    if rc == 0 and out != root_ref:
        probs.append("root show accepted a mutant and shows something else")
    return probs, rc != 0


loop("root.json", open(H + "/root.json", "rb").read(), "mutant-root.json",
     [("verify --root", root_verify), ("root show", root_show)])

# Public key file.
fp_pub = run(FWKEYS, "fingerprint", H + "/keys/release.pub")[1]


def fingerprint(ref):
    def fn(path):
        rc, out, err = run(FWKEYS, "fingerprint", path)
        probs = problems_of("fingerprint", rc, err)
        if rc == 0 and out != ref:
            probs.append("fingerprint accepted a mutant and printed another key id")
        return probs, rc != 0
    return fn


loop("release.pub", open(H + "/keys/release.pub", "rb").read(), "mutant.pub",
     [("fingerprint", fingerprint(fp_pub))])

# Secret key file (keys-bad/valid.key: cheapest Argon2id): fingerprint and pack.
fp_key = run(FWKEYS, "fingerprint", "k.key")[1]
pack_args = ["--manifest", "r100.json", "--root", SIGNED_ROOT]
rc, _, err = run(FWSEAL, "pack", "--key", "k.key", "--out", "pack-ref.fwb", *pack_args)
if rc != 0:
    print("not ok - mutation secret-key: the original does not pack: %s" % err[:200])
pack_ref = open("pack-ref.fwb", "rb").read()


def pack_with(path):
    os.chmod(path, 0o600)
    if os.path.exists("pack-out.fwb"):
        os.unlink("pack-out.fwb")
    listing = sorted(os.listdir("."))
    rc, out, err = run(FWSEAL, "pack", "--key", path, "--out", "pack-out.fwb", *pack_args)
    probs = problems_of("pack", rc, err)
    if rc == 0:
        if open("pack-out.fwb", "rb").read() != pack_ref:
            probs.append("pack accepted a mutated key and signed something else")
        os.unlink("pack-out.fwb")
    elif sorted(os.listdir(".")) != listing:
        probs.append("pack refused (exit %d) but wrote something" % rc)
    return probs, rc != 0


loop("secret-key", open("k.key", "rb").read(), "mutant.key",
     [("fingerprint", fingerprint(fp_key)), ("pack --key", pack_with)])

# Device state file: status and install must both refuse and change nothing.
state = open("device.state", "rb").read()
status_ref = run(FWVERIFY, "status", "--device", "dev-state", "--json")[1]
shutil.copytree("dev-state", "dev-state.pristine", symlinks=True)


def state_consumer(cmd):
    def fn(path):
        shutil.copy(path, "dev-state/state")
        os.chmod("dev-state/state", 0o600)
        before = tree_digest("dev-state")
        if cmd == "status":
            rc, out, err = run(FWVERIFY, "status", "--device", "dev-state", "--json")
        else:
            rc, out, err = run(FWVERIFY, "install", "--device", "dev-state", "v110.fwb")
        probs = problems_of(cmd, rc, err)
        if rc == 0:
            if cmd != "status" or out != status_ref:
                probs.append("%s accepted a mutated state" % cmd)
        elif tree_digest("dev-state") != before:
            probs.append("%s refused (exit %d) but the device changed" % (cmd, rc))
        restore("dev-state", "dev-state.pristine")
        return probs, rc != 0
    return fn


loop("device-state", state, "mutant.state",
     [("status", state_consumer("status")), ("install", state_consumer("install"))])

# Downgrade permit: install 1.0.0 over the confirmed 1.1.0 with it.
shutil.copytree("dev-permit", "dev-permit.pristine", symlinks=True)
rc, _, err = run(FWVERIFY, "install", "--device", "dev-permit", "--permit", "downgrade.permit", "v100.fwb")
if rc != 0:
    print("not ok - mutation permit: the original permit is refused: %s" % err[:200])
permit_installed = tree_digest("dev-permit")
restore("dev-permit", "dev-permit.pristine")


def permit_install(path):
    before = tree_digest("dev-permit")
    rc, out, err = run(FWVERIFY, "install", "--device", "dev-permit", "--permit", path, "v100.fwb")
    probs = problems_of("install --permit", rc, err)
    after = tree_digest("dev-permit")
    if rc == 0:
        if after != permit_installed:
            probs.append("install accepted a mutated permit with another result")
        restore("dev-permit", "dev-permit.pristine")
    elif after != before:
        probs.append("install refused (exit %d) but the device changed" % rc)
        restore("dev-permit", "dev-permit.pristine")
    return probs, rc != 0


loop("permit", open("downgrade.permit", "rb").read(), "mutant.permit",
     [("install --permit", permit_install)])
sys.exit(0)
EOF
status=$?
[ $status -eq 0 ] || not_ok "the mutation driver itself failed (exit $status)"
finish
