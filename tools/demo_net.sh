#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The network part of `make demo` (DEMO ONLY example keys): 1.3.1 differs
# from the installed 1.3.0 in one block of its root file system; a real
# nginx on 127.0.0.1 serves it over https with a certificate from a CA
# made here, and the device fetches only the chunks it does not hold
# (--delta, docs/delta.md). Runs after tools/demo.sh, on its device.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${BUILD:-build}
BIN=$PWD/$B
D=$PWD/$B/demo
KEYS=$PWD/keys-example
export FWSEAL_PASSPHRASE=fwseal-demo
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(date +%s)}"
die() { echo "DEMO FAILED: $*" >&2; exit 1; }
run() { printf '$ %s\n' "$*"; "$@"; }
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	echo "demo_net: skipped, nginx is not installed (make check's deps step installs it)"
	exit 0
fi
. tests/net/servers.sh

mkdir -p "$D/www" || die "cannot create $D/www"
# 1.3.1: the 1.3.0 image with one line changed in place.
awk 'BEGIN { for (i = 0; i < 60000; i++)
	printf "rootfs block %08d of the %s demo image....\n", i, (i == 31000 ? "1.3.1" : "1.3.0") }' \
	>"$D/rootfs-1.3.1.img"
run "$BIN/fwseal" pack --manifest manifests/example-1.3.1.json --key "$KEYS/release.key" \
	--root "$KEYS/root.json" --root "$D/root-v2.json" --out "$D/www/pump-1.3.1.fwb" ||
	die "pack 1.3.1 failed"
run "$BIN/fwseal" sign --key "$KEYS/release2.key" --root "$KEYS/root.json" \
	"$D/www/pump-1.3.1.fwb" || die "co-sign 1.3.1 failed"
NET_KEYALG=ec net_ca_make "$D/pki" >/dev/null 2>&1 || die "demo CA"
NGINX_PKI=$D/pki nginx_start "$D/nginx" "$D/www" >/dev/null || die "nginx"
echo "   nginx serves $D/www on $NGINX_URL_TLS (certificate from the demo CA $D/pki/ca.crt)"
run "$BIN/fwseal-verify" install --device "$D/device" --ca-file "$D/pki/ca.crt" --delta \
	"$NGINX_URL_TLS/pump-1.3.1.fwb" || die "install 1.3.1 failed"
nginx_stop
run "$BIN/fwseal-verify" boot --device "$D/device" || die "boot failed"
run "$BIN/fwseal-verify" mark-good --device "$D/device" || die "mark-good failed"
