# SPDX-License-Identifier: Apache-2.0
# Signed channels, the quick part (the whole story over HTTPS is
# long_channel.sh): a channel accepted and kept, a replay, an expired
# channel (an alarm: status 80, recorded, status says "STALE since"), other
# hardware, a manifest passed off as a channel, a root without a timestamp
# role; and the shipped systemd units (docs/examples/) pass
# `systemd-analyze verify`.
. "$(dirname "$0")/lib.sh"

make_key rootk
make_key rel
make_key ts
make_root root.json rootk rel -- --timestamp-key ts.pub
make_root plain-root.json rootk rel
make_payload a.bin 20000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs
make_release hwb.json 1.0.0 1 hw-b a.bin:a.bin:rootfs
pack v1.fwb v1.json rel root.json
pack hwb.fwb hwb.json rel root.json
sign() { # sign OUT BUNDLE [options]: percent 0, so nothing is fetched
	local out=$1 bundle=$2
	shift 2
	"$FWSEAL" channel sign --root root.json --key ts.key --channel stable --expires 2d \
		--bundle "$bundle" --location https://127.0.0.1:9/v1.fwb --percent 0 --out "$out" \
		"$@" >"$T_DIR/setup.log" 2>&1 || die "channel sign $out: $(cat "$T_DIR/setup.log")"
}
sign c1.json v1.fwb
sign c2.json v1.fwb --previous c1.json
sign hw.json hwb.fwb
"$FWVERIFY" init --device dev --root root.json --hardware hw-a --device-id dev-1 \
	>"$T_DIR/setup.log" 2>&1 || die "init"
POLL=("$FWVERIFY" poll --device dev --name stable)

# req: REQ-FLEET-001, REQ-FLEET-002, REQ-FLEET-003
T="channel accepted, device outside the 0% rollout" expect_exit 83 "${POLL[@]}" --channel c2.json
status_is "the channel is kept with the state" dev \
	"d['channel']['version'] == 2 and d['channel']['stale'] is False and d['pending_slot'] is None"
before=$(snapshot dev)
T="replay of an older channel" expect_exit 81 "${POLL[@]}" --channel c1.json
T="expired channel" expect_exit 80 "${POLL[@]}" --channel c2.json \
	--trusted-time 2099-01-01T00:00:00Z
check "refusals change nothing" test "$before" = "$(snapshot dev)"
check "the stale channel is in the audit log" \
	sh -c "'$FWVERIFY' log --device dev | grep -q 'channel *FWS_ECHANNELSTALE'"
T="channel for another hardware" expect_exit 24 "${POLL[@]}" --channel hw.json
tar -xOf v1.fwb manifest.json >manifest.json || die "manifest.json"
T="a signed manifest passed off as a channel" expect_exit 10 "${POLL[@]}" --channel manifest.json
"$FWVERIFY" init --device plain --root plain-root.json --hardware hw-a \
	>"$T_DIR/setup.log" 2>&1 || die "init plain"
T="a root without a timestamp role signs no channel" expect_exit 11 "$FWVERIFY" poll \
	--device plain --name stable --channel c1.json
T="poll without a channel" expect_exit 2 "$FWVERIFY" poll --device plain

# ---- an existing fleet adds the timestamp role by a root rotation ----
T="root new adds a timestamp key to a root without one" expect_ok "$FWKEYS" root new \
	--from plain-root.json --add-key ts.pub --role timestamp --sign rootk.key --out plain-2.json
check "... and root show lists the role" \
	sh -c "'$FWKEYS' root show plain-2.json | grep -q 'role timestamp: threshold 1 of 1'"
T="root new: timestamp threshold 0" expect_exit 35 "$FWKEYS" root new --from plain-root.json \
	--add-key ts.pub --role timestamp --threshold timestamp=0 --sign rootk.key --out x.json
T="root new: a timestamp threshold without a timestamp key" expect_exit 35 "$FWKEYS" root new \
	--from plain-root.json --threshold timestamp=1 --sign rootk.key --out x.json
mkdir -p pub/root && cp plain-2.json pub/root/2.json && cp c1.json pub/c1.json
T="the device on the old root takes v2 from beside the channel and accepts it" expect_exit 83 \
	"$FWVERIFY" poll --device plain --name stable --channel pub/c1.json
status_is "root v2, channel v1" plain "d['root_version'] == 2 and d['channel']['version'] == 1"

# ---- the shipped systemd units ----
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir units
	cp "$SRC_DIR"/docs/examples/fwseal-*.service "$SRC_DIR"/docs/examples/fwseal-*.timer units/
	# The units name /usr/bin/fwseal-verify: point them at this build.
	sed -i "s#/usr/bin/fwseal-verify#$FWVERIFY#" units/*
	# A unit it only warns about (a misspelt value is "ignoring") fails
	# here too: the output must be empty.
	check "systemd-analyze verify: poll service, poll timer, mark-good service" sh -c \
		'out=$(systemd-analyze verify --man=no units/fwseal-poll.service units/fwseal-poll.timer \
			units/fwseal-mark-good.service 2>&1) && [ -z "$out" ] || { echo "$out"; exit 1; }'
	sed -i 's/Type=oneshot/Type=oneshoot/' units/fwseal-poll.service
	check "... and it catches a misspelt unit" sh -c \
		'! out=$(systemd-analyze verify --man=no units/fwseal-poll.service 2>&1) || [ -n "$out" ]' 
else
	skip "systemd-analyze verify" "systemd-analyze is not installed"
fi
finish
