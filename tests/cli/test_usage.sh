# SPDX-License-Identifier: Apache-2.0
# Command lines: help and version everywhere; every usage error exits 2 with
# one stderr line; a missing input file exits 33 (FWS_ENOENT).
# req: REQ-ERR-002
. "$(dirname "$0")/lib.sh"

# expect_help CMD...: exit 0, something on stdout, nothing on stderr.
expect_help() {
	if expect_ok "$@"; then
		check "$(_desc "$@") prints something" test -s "$LAST_OUT"
	fi
}

"$FWVERIFY" --help >verify-help.txt 2>&1
check "fwseal-verify --help lists every life-cycle command" bash -c \
	'for c in init install boot mark-good rollback status log; do
		grep -q "^  $c " "$0" || { echo "missing: $c"; exit 1; }; done' verify-help.txt
for tool in "$FWSEAL" "$FWKEYS" "$FWVERIFY"; do
	for opt in --help -h help --version -V; do
		expect_help "$tool" $opt
	done
	check "$(basename "$tool") --version has the one shape (version, sha256 backend)" \
		grep -Eq "^$(basename "$tool") [0-9]+\.[0-9]+\.[0-9]+ \(sha256: (nettle|sodium)(, commit [0-9a-f]+(-dirty)?)?\)$" \
		<("$tool" --version)
	check "$(basename "$tool") --help points at COMMAND --help for options and statuses" \
		grep -q "COMMAND --help shows a command's options, examples and exit statuses" \
		<("$tool" --help)
done
# Every subcommand of every tool has its own help: its synopsis, options,
# examples and only its own exit statuses (never the whole table).
subcommand_help() { # subcommand_help TOOL CMD... (CMD may be two words)
	local tool=$1 cmd
	shift
	for cmd in "$@"; do
		# shellcheck disable=SC2086
		expect_help "$tool" $cmd --help
		cp "$LAST_OUT" help.txt
		check "$(basename "$tool") $cmd --help is that command's own help" \
			grep -q "^usage: $(basename "$tool") $cmd " help.txt
		check "$(basename "$tool") $cmd --help has options, examples and exit statuses" bash -c \
			'grep -q "^Options:" "$0" && grep -q "^Examples:" "$0" && grep -q "^Exit status:" "$0"' help.txt
		check "$(basename "$tool") $cmd --help lists only its own exit statuses, not all 64" \
			test "$(sed -n '/^Exit status:/,$p' help.txt | grep -c '^  [0-9]')" -lt 60
	done
}
subcommand_help "$FWSEAL" pack sign verify inspect permit selftest
subcommand_help "$FWVERIFY" init install boot mark-good mark-bad mark-active rollback status log
subcommand_help "$FWKEYS" generate fingerprint change-passphrase "root init" "root new" \
	"root sign" "root verify" "root show"
check "fwseal verify --help lists FWS_EDIGEST (22), one of its own" \
	grep -q "^  22  chunk digest mismatch" <("$FWSEAL" verify --help)
check "fwseal-keys generate --help does not list FWS_EDIGEST (not one of its own)" \
	bash -c '! "$0" generate --help | grep -q "^  22 "' "$FWKEYS"
check "help COMMAND is COMMAND --help" test "$("$FWSEAL" help verify)" = "$("$FWSEAL" verify --help)"
expect_help "$FWKEYS" root --help
check "fwseal-keys root --help lists the root commands" bash -c \
	'for c in init new sign verify show; do grep -q "^  root $c " "$0" || exit 1; done' "$LAST_OUT"

# ---- usage errors: exit 2, one line ----
# req: REQ-CONF-004
for tool in "$FWSEAL" "$FWKEYS" "$FWVERIFY"; do
	T="$(basename "$tool") without a command" expect_exit 2 "$tool"
	T="$(basename "$tool") with an unknown command" expect_exit 2 "$tool" frobnicate
	T="$(basename "$tool") with an unknown option" expect_exit 2 "$tool" --frobnicate
done
T="fwseal-keys root without a subcommand" expect_exit 2 "$FWKEYS" root
T="fwseal-keys root with an unknown subcommand" expect_exit 2 "$FWKEYS" root frobnicate

std_setup
device_init dev

# Unknown options, per subcommand.
expect_exit 2 "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json --out x.fwb --frob
expect_exit 2 "$FWSEAL" sign --key rel.key --root root.json --frob v1.fwb
expect_exit 2 "$FWSEAL" verify --root root.json --frob v1.fwb
expect_exit 2 "$FWSEAL" inspect --frob v1.fwb
expect_exit 2 "$FWSEAL" verify --root root.json -x v1.fwb
expect_exit 2 "$FWVERIFY" install --device dev --frob v1.fwb
expect_exit 2 "$FWVERIFY" status --device dev --frob
expect_exit 2 "$FWKEYS" generate --out k --frob
expect_exit 2 "$FWKEYS" root show --frob root.json

# Missing required options or arguments.
T="pack without --out" expect_exit 2 "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json
T="pack without --root" expect_exit 2 "$FWSEAL" pack --manifest v1.json --key rel.key --out x.fwb
T="sign without --root" expect_exit 2 "$FWSEAL" sign --key rel.key v1.fwb
T="verify without --root" expect_exit 2 "$FWSEAL" verify v1.fwb
T="verify without a bundle" expect_exit 2 "$FWSEAL" verify --root root.json
T="verify with two bundles" expect_exit 2 "$FWSEAL" verify --root root.json v1.fwb v1.fwb
T="verify --root without its value" expect_exit 2 "$FWSEAL" verify --root
check "the message says the value is missing, not 'bad option'" grep -q -- "--root needs a value" \
	"$LAST_ERR"
T="inspect without a bundle" expect_exit 2 "$FWSEAL" inspect
T="init without --hardware" expect_exit 2 "$FWVERIFY" init --device d2 --root root.json
T="init with an invalid hardware id" expect_exit 2 "$FWVERIFY" init --device d2 --root root.json \
	--hardware "hw a/../b"
[ ! -e /etc/fwseal/system.conf ] ||
	die "this machine has an /etc/fwseal/system.conf: the default-configuration checks need none"
T="install without --device or --config reads /etc/fwseal/system.conf" expect_exit 33 "$FWVERIFY" install v1.fwb
check "the message names the default system.conf" grep -q "^fwseal-verify: /etc/fwseal/system.conf: cannot open" "$LAST_ERR"
T="install without a bundle" expect_exit 2 "$FWVERIFY" install --device dev
T="install with --root (not an install option)" expect_exit 2 "$FWVERIFY" install --device dev \
	--root root.json v1.fwb
T="install --trusted-time with a bad time" expect_exit 2 "$FWVERIFY" install --device dev \
	--trusted-time yesterday v1.fwb
T="status with a bundle argument" expect_exit 2 "$FWVERIFY" status --device dev v1.fwb
T="init with an invalid --device-id" expect_exit 2 "$FWVERIFY" init --device d2 --root root.json \
	--hardware hw-a --device-id "dev 1"
T="boot without --device or --config reads /etc/fwseal/system.conf" expect_exit 33 "$FWVERIFY" boot
check "the message names the default system.conf" grep -q "^fwseal-verify: /etc/fwseal/system.conf: cannot open" "$LAST_ERR"
T="boot with a bundle argument" expect_exit 2 "$FWVERIFY" boot --device dev v1.fwb
T="boot with --permit (not a boot option)" expect_exit 2 "$FWVERIFY" boot --device dev \
	--permit p.permit
T="mark-good with --permit (not a mark-good option)" expect_exit 2 "$FWVERIFY" mark-good \
	--device dev --permit p.permit
T="mark-good with a bundle argument" expect_exit 2 "$FWVERIFY" mark-good --device dev v1.fwb
T="mark-good with two slots" expect_exit 2 "$FWVERIFY" mark-good --device dev a b
T="rollback with --allow-downgrade (not a rollback option)" expect_exit 2 "$FWVERIFY" rollback \
	--device dev --allow-downgrade
T="log without --device or --config reads /etc/fwseal/system.conf" expect_exit 33 "$FWVERIFY" log --verify
check "the message names the default system.conf" grep -q "^fwseal-verify: /etc/fwseal/system.conf: cannot open" "$LAST_ERR"
T="log with --trusted-time (not a log option)" expect_exit 2 "$FWVERIFY" log --device dev \
	--trusted-time now
T="status with --verify (a log option)" expect_exit 2 "$FWVERIFY" status --device dev --verify
T="install --trusted-time with an impossible date" expect_exit 2 "$FWVERIFY" install --device dev \
	--trusted-time 2099-13-01T00:00:00Z v1.fwb
T="init --device-id on install" expect_exit 2 "$FWVERIFY" install --device dev --device-id x v1.fwb
T="generate without --out" expect_exit 2 "$FWKEYS" generate
T="generate with an unknown --kdf" expect_exit 2 "$FWKEYS" generate --out k --kdf fast
T="root init without --sign" expect_exit 2 "$FWKEYS" root init --root-key rootk.pub \
	--release-key rel.pub --out r.json
T="root init with a threshold of 0" expect_exit 2 "$FWKEYS" root init --root-key rootk.pub \
	--release-key rel.pub --sign rootk.key --out r.json --release-threshold zero
T="fingerprint without a file" expect_exit 2 "$FWKEYS" fingerprint
check "no device made by the refused init" test ! -e d2/state

# Repeated options (a repeated flag is an error: style.md, after minisign).
T="pack --out twice" expect_exit 2 "$FWSEAL" pack --manifest v1.json --key rel.key --root root.json \
	--out x.fwb --out y.fwb
T="pack --manifest twice" expect_exit 2 "$FWSEAL" pack --manifest v1.json --manifest v1.json \
	--key rel.key --root root.json --out x.fwb
T="pack --gzip twice" expect_exit 2 "$FWSEAL" pack --manifest v1.json --key rel.key \
	--root root.json --out x.fwb --gzip --gzip
check "nothing packed by the refused commands" test ! -e x.fwb -a ! -e y.fwb
T="sign --key twice" expect_exit 2 "$FWSEAL" sign --key rel.key --key rel.key --root root.json v1.fwb
T="verify --root twice" expect_exit 2 "$FWSEAL" verify --root root.json --root root.json v1.fwb
T="verify --hardware twice" expect_exit 2 "$FWSEAL" verify --root root.json --hardware hw-a \
	--hardware hw-b v1.fwb
T="inspect --json twice" expect_exit 2 "$FWSEAL" inspect --json --json v1.fwb
T="fwseal-verify --device twice" expect_exit 2 "$FWVERIFY" status --device dev --device dev
T="fwseal-verify status --json twice" expect_exit 2 "$FWVERIFY" status --device dev --json --json
T="fwseal-verify install --allow-downgrade twice" expect_exit 2 "$FWVERIFY" install --device dev \
	--allow-downgrade --allow-downgrade v1.fwb
T="fwseal-verify install --permit twice" expect_exit 2 "$FWVERIFY" install --device dev \
	--permit a.permit --permit b.permit v1.fwb
T="fwseal-verify install --trusted-time twice" expect_exit 2 "$FWVERIFY" install --device dev \
	--trusted-time now --trusted-time now v1.fwb
T="fwseal-verify init --device-id twice" expect_exit 2 "$FWVERIFY" init --device d2 \
	--root root.json --hardware hw-a --device-id x --device-id y
T="fwseal-verify log --verify twice" expect_exit 2 "$FWVERIFY" log --device dev --verify --verify
T="generate --out twice" expect_exit 2 "$FWKEYS" generate --out k1 --out k2
check "the message names the repeated option" grep -q -- "--out given twice" "$LAST_ERR"
T="root show --json twice" expect_exit 2 "$FWKEYS" root show --json --json root.json
check "no key written by the refused generate" test ! -e k1.key -a ! -e k2.key

# ---- exact long options: a security tool never guesses ----
# req: REQ-CONF-004
T="an abbreviation (--allow for --allow-downgrade) is refused" expect_exit 2 "$FWVERIFY" install \
	--device dev --allow v1.fwb
check "it suggests, never acts on, the full names" grep -q "did you mean --allow-downgrade or --allow-http?" "$LAST_ERR"
T="an abbreviation (--ro for --root) is refused" expect_exit 2 "$FWSEAL" verify --ro root.json v1.fwb
T="an abbreviation (--hard for --hardware) is refused" expect_exit 2 "$FWSEAL" verify \
	--root root.json --hard hw-a v1.fwb
T="--root=FILE works like --root FILE" expect_ok "$FWSEAL" verify --root=root.json v1.fwb
T="--hardware=ID works like --hardware ID" expect_ok "$FWSEAL" verify --root root.json \
	--hardware=hw-a v1.fwb
T="a flag with a value (--json=yes) is refused" expect_exit 2 "$FWSEAL" inspect --json=yes v1.fwb
T="--root= with an empty value is refused" expect_exit 2 "$FWSEAL" verify --root= v1.fwb
T="--root followed by another option is refused, not taken as its value" expect_exit 2 \
	"$FWSEAL" verify --root --hardware hw-a v1.fwb
check "it says --root needs a value" grep -q -- "--root needs a value" "$LAST_ERR"
T="a short option other than -h is refused" expect_exit 2 "$FWSEAL" verify -r root.json v1.fwb
T="-- ends the options (a bundle named like an option)" expect_exit 33 "$FWSEAL" verify \
	--root root.json -- --not-an-option

# ---- a missing input file: 33 (FWS_ENOENT), naming the file ----
rm -f x.fwb y.fwb
T="verify a missing bundle" expect_exit 33 "$FWSEAL" verify --root root.json missing.fwb
check "the message names the missing file" grep -q "missing.fwb" "$LAST_ERR"
T="verify against a missing root" expect_exit 33 "$FWSEAL" verify --root missing.json v1.fwb
T="inspect a missing bundle" expect_exit 33 "$FWSEAL" inspect missing.fwb
T="pack a missing release description" expect_exit 33 "$FWSEAL" pack --manifest missing.json \
	--key rel.key --root root.json --out x.fwb
T="pack with a missing key" expect_exit 33 "$FWSEAL" pack --manifest v1.json \
	--key missing.key --root root.json --out x.fwb
T="pack with a missing root" expect_exit 33 "$FWSEAL" pack --manifest v1.json \
	--key rel.key --root missing.json --out x.fwb
make_release gone.json 1.0.0 1 hw-a a.bin:no-such-file.bin:rootfs
T="pack a release whose payload file is missing" expect_exit 33 "$FWSEAL" pack --manifest gone.json \
	--key rel.key --root root.json --out x.fwb
check "the message names the missing payload file" grep -q "no-such-file.bin" "$LAST_ERR"
check "nothing packed" test ! -e x.fwb
T="sign a missing bundle" expect_exit 33 "$FWSEAL" sign --key rel.key --root root.json missing.fwb
T="install a missing bundle" expect_exit 33 "$FWVERIFY" install --device dev missing.fwb
T="install with a missing --permit file" expect_exit 33 "$FWVERIFY" install --device dev \
	--permit missing.permit v1.fwb
check "the message names the missing permit" grep -q "missing.permit" "$LAST_ERR"
T="init with a missing root" expect_exit 33 "$FWVERIFY" init --device d3 --root missing.json \
	--hardware hw-a
T="fingerprint a missing key" expect_exit 33 "$FWKEYS" fingerprint missing.pub
T="root init with a missing public key" expect_exit 33 "$FWKEYS" root init \
	--root-key missing.pub --release-key rel.pub --sign rootk.key --out r.json
T="root show a missing root" expect_exit 33 "$FWKEYS" root show missing.json
T="a missing --passphrase-file" expect_exit 33 "$FWSEAL" pack --manifest v1.json --key rel.key \
	--root root.json --out x.fwb --passphrase-file missing.txt
finish
