# SPDX-License-Identifier: Apache-2.0
# The network reader against hostile servers, second round (issue 21 items
# 4, 6, 7; issue 18 "Transport"; docs/network.md): a genuine bundle dripped
# a byte at a time ends at download-timeout (70) and mark-good waits for
# the device lock no longer than that; header floods (71), long ETags,
# redirects and URLs of other schemes, TLS failures, TLS 1.1 servers, the
# proxy rule, secret files others can read (41), missing TLS files (33).
# Servers: Debian's nginx, tests/net/fault_proxy.py, tests/net/connect_proxy.py
# and `openssl s_server`, all on 127.0.0.1, started and stopped here.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"

std_setup
mkdir www && cp v1.fwb www/
NET_KEYALG=ec net_ca_make pki >/dev/null 2>&1 || die "test CA"
export NET_PROXY_DIR=$PWD/proxy
mkdir -p "$NET_PROXY_DIR"
NGINX_MTLS=0 NGINX_WRONGCERT=0 NGINX_PKI=$PWD/pki nginx_start "$PWD/ng" "$PWD/www" >/dev/null ||
	die "nginx"
CA=(--ca-file "$PWD/pki/ca.crt")
TLS=$NGINX_URL_TLS
device_init dev
"$FWVERIFY" boot --device dev >/dev/null 2>&1 || die "boot"

# ---- a drip: every byte just inside the stall timeout (issue 21 item 4) ----
# req: REQ-NET-003
# The manifest (the first 100000 bytes) arrives at once, so the install
# takes the device lock; then one byte every 0.5 s, well inside
# --stall-timeout 2: without an overall bound this never ends.
# One proxy for the whole file; plan switches its faults (--control).
plan() { # plan PLAN: the next requests get PLAN, and the log starts afresh
	python3 -c 'import json, sys, time
json.dump({"plan": sys.argv[1], "at": time.time()}, open("ctl.json.tmp", "w"))' "$1" &&
		mv ctl.json.tmp ctl.json && : >"$PROXY_LOG"
}
echo '"pass"' >ctl.json
fault_proxy_start "$NGINX_URL" --control "$PWD/ctl.json" --max-seconds 100
plan "drip:0.5@100000"
before=$(snapshot dev)
("$FWVERIFY" install --device dev --allow-http --stall-timeout 2 --download-timeout 3 \
	"$PROXY_URL/v1.fwb" >drip.out 2>drip.err; echo $? >drip.rc) &
drip=$!
# The same through a pipe (curl ... | fwseal-verify install -), on a second
# device, at the same time.
device_init dev2
{ head -c 100000 v1.fwb; tail -c +100001 v1.fwb | while IFS= read -r -d '' -n 1 b; do
	printf '%s' "$b" || break; sleep 0.5; done; } 2>/dev/null |
	("$FWVERIFY" install --device dev2 --stall-timeout 2 --download-timeout 3 - >pipe.out \
		2>pipe.err; echo $? >pipe.rc) &
pipe=$!
for _ in $(seq 400); do flock -n dev/lock true 2>/dev/null || break; sleep 0.05; done
T="mark-good while a dripped install holds the lock, --lock-timeout 1: busy" expect_exit 34 \
	"$FWVERIFY" mark-good --device dev --lock-timeout 1
T="mark-good with --lock-timeout 10 (> --download-timeout 3): waits, then confirms" expect_ok \
	"$FWVERIFY" mark-good --device dev --lock-timeout 10
wait "$drip" "$pipe"
check "a pipe dripping the same: 70 too" test "$(cat pipe.rc)" = 70
check "its message names download-timeout" grep -q "did not end within 3 s (download-timeout" pipe.err
check "the dripped install ended with 70 (download-timeout), not by the server" test \
	"$(cat drip.rc)" = 70
check "its message names download-timeout" grep -q "within download-timeout (3 s" drip.err
check "one request: a deadline is not retried" test "$(wc -l <"$PROXY_LOG")" = 1
check "nothing of it installed" status_is "no pending set" dev "d['pending_slot'] in ('-', None)"
check "the log records the refused install with 70" "$FWVERIFY" log --device dev --verify

# ---- header lines and validators (issue 21 item 6) ----
# req: REQ-NET-002
plan "bighdr:100000"
T="a 100 KB header line" expect_exit 71 "$FWSEAL" verify --root root.json --allow-http \
	"$PROXY_URL/v1.fwb"
check "named: the header line's size, not memory" grep -q "a header line of 100000 bytes" "$LAST_ERR"
check "not retried: one request" test "$(wc -l <"$PROXY_LOG")" = 1
plan "bighdr:8000x9"
T="nine header lines of 8000 bytes (the block passes 64 KiB)" expect_exit 71 "$FWSEAL" verify \
	--root root.json --allow-http "$PROXY_URL/v1.fwb"
check "named: the block's size" grep -q "header lines exceed 65536 bytes" "$LAST_ERR"
long=$(head -c 300 /dev/zero | tr '\0' e)
plan "cut:100000+hdr:ETag=\"${long}1\",noifrange+hdr:ETag=\"${long}1\""
T="an ETag of 303 bytes, cut once: resumed with If-Range naming all of it" expect_ok \
	"$FWSEAL" verify --root root.json --allow-http "$PROXY_URL/v1.fwb"
check "If-Range carried the whole ETag" python3 -c 'import json, sys
R = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["n"])
assert len(R) == 2 and R[1]["if_range"] == "\"" + "e" * 300 + "1\"", R[1]' "$PROXY_LOG"
plan "cut:100000+hdr:ETag=\"${long}1\",noifrange+hdr:ETag=\"${long}2\""
T="an ETag of 303 bytes that changes in its last byte" expect_exit 51 "$FWSEAL" verify \
	--root root.json --allow-http "$PROXY_URL/v1.fwb"
check "named: the bundle changed" grep -q "changed on the server" "$LAST_ERR"
plan "hdr:ETag=\"$(head -c 2000 /dev/zero | tr '\0' e)\""
T="an ETag of 2002 bytes: refused, never cut and compared" expect_exit 71 "$FWSEAL" verify \
	--root root.json --allow-http "$PROXY_URL/v1.fwb"
check "named: the ETag's size" grep -q "the ETag is 2002 bytes" "$LAST_ERR"
plan "delhdr:ETag+hdr:Last-Modified=Thu, 07 Dec 2023$(printf '\r')X-Injected: 1"
T="a bare CR inside Last-Modified (it would go back out in If-Range)" expect_exit 51 "$FWSEAL" \
	verify --root root.json --allow-http "$PROXY_URL/v1.fwb"
check "named: a control byte" grep -q "a header line holds a control byte (0x0d)" "$LAST_ERR"

# ---- schemes (issue 21 items 6, 7) ----
# req: REQ-NET-001, REQ-NET-004
plan "redirect:ftp://127.0.0.1/v1.fwb"
T="a redirect to ftp://" expect_exit 49 "$FWSEAL" verify --root root.json --allow-http \
	"$PROXY_URL/v1.fwb"
check "named: ftp, not plain http" grep -q "redirected to a ftp:// URL" "$LAST_ERR"
plan "redirect:file:///etc/passwd"
T="a redirect to file://" expect_exit 49 "$FWSEAL" verify --root root.json --allow-http \
	"$PROXY_URL/v1.fwb"
check "named: file://" grep -q "redirected to a file:// URL" "$LAST_ERR"
T="an ftp:// URL given as the bundle" expect_exit 2 "$FWVERIFY" install --device dev \
	ftp://127.0.0.1/v1.fwb
check "named: the scheme, not a missing file" grep -q "a ftp:// URL" "$LAST_ERR"
T="a file:// URL given as the bundle" expect_exit 2 "$FWSEAL" inspect file:///etc/passwd

# ---- TLS (issue 21 item 6; issue 18 Transport) ----
# req: REQ-NET-001
T="https to a plain-http port: a TLS failure" expect_exit 50 "$FWSEAL" verify --root root.json \
	"${CA[@]}" "https://127.0.0.1:${NGINX_URL##*:}/v1.fwb"
check "not retried, and says so" bash -c 'grep -q "TLS handshake: .*(not retried)" "$1" &&
	! grep -q attempts "$1"' _ "$LAST_ERR"
# A server that offers TLS 1.1 at most. OpenSSL 3 refuses below 1.2 at its
# default security level; a laxer configuration (OPENSSL_CONF below, as
# another system may have: SECLEVEL=0) lets a client go down to 1.1:
# fwseal's own minimum (CURLOPT_SSLVERSION TLSv1.2) must hold then.
cat >lax.cnf <<'EOC'
openssl_conf = lax
[lax]
ssl_conf = lax_ssl
[lax_ssl]
system_default = lax_default
[lax_default]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
EOC
old_port=$(net_free_port)
OPENSSL_CONF=$PWD/lax.cnf openssl s_server -accept "127.0.0.1:$old_port" -cert pki/server.crt \
	-key pki/server.key -tls1_1 -www -quiet </dev/null >old.log 2>&1 &
net_track_pid $!
if net_wait_port "$old_port" 5 && OPENSSL_CONF=$PWD/lax.cnf curl -sf --cacert pki/ca.crt \
	--tlsv1.1 --tls-max 1.1 -o /dev/null "https://127.0.0.1:$old_port/"; then
	ok "control: the server speaks TLS 1.1, and curl with the lax configuration reaches it"
	export OPENSSL_CONF=$PWD/lax.cnf
	T="a TLS 1.1 server (the system would allow it): refused" expect_exit 50 "$FWSEAL" verify \
		--root root.json "${CA[@]}" "https://127.0.0.1:$old_port/v1.fwb"
	unset OPENSSL_CONF
	check "named: the TLS handshake" grep -q "TLS handshake" "$LAST_ERR"
else
	skip "a TLS 1.1 server: refused" "this OpenSSL will not serve TLS 1.1 even with SECLEVEL=0"
fi

# ---- files the TLS options name (issue 21 item 7; issue 18 Transport) ----
# req: REQ-NET-004
T="a missing --ca-file" expect_exit 33 "$FWSEAL" verify --root root.json --ca-file nothere.pem \
	"$TLS/v1.fwb"
check "named: the file" grep -q "nothere.pem: .*CA file" "$LAST_ERR"
cp pki/client.key open.key && chmod 644 open.key
T="a client key others can read" expect_exit 41 "$FWSEAL" verify --root root.json "${CA[@]}" \
	--client-cert pki/client.crt --client-key open.key "$TLS/v1.fwb"
check "named: the key file and its mode" grep -q "open.key: .*mode 0644" "$LAST_ERR"
mkdir -p cfg/etc
cat >cfg/system.conf <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/cfg/etc/root.json
state-dir = $PWD/cfg/state
bootloader = dir
[network]
ca-file = $PWD/pki/ca.crt
header = X-Token: sesame
[slot.rootfs.a]
class = rootfs
device = $PWD/cfg/a.img
bootname = A
[slot.rootfs.b]
class = rootfs
device = $PWD/cfg/b.img
bootname = B
[slot.kernel.a]
class = kernel
device = $PWD/cfg/ka.img
bootname = A
[slot.kernel.b]
class = kernel
device = $PWD/cfg/kb.img
bootname = B
EOC
truncate -s 1M cfg/a.img cfg/b.img cfg/ka.img cfg/kb.img
chmod 600 cfg/system.conf
"$FWVERIFY" init --config cfg/system.conf --root root.json >"$T_DIR/setup.log" 2>&1 ||
	die "init cfg: $(cat "$T_DIR/setup.log")"
chmod 644 cfg/system.conf
T="a system.conf holding a token that others can read" expect_exit 41 "$FWVERIFY" install \
	--config cfg/system.conf "$TLS/v1.fwb"
check "named: system.conf and why" grep -q "system.conf: .*header (a token)" "$LAST_ERR"
chmod 600 cfg/system.conf
sed -i 's/^header = .*/stall-timeout = 0/' cfg/system.conf
T="stall-timeout = 0 in system.conf (it would wait for ever)" expect_exit 46 "$FWVERIFY" status \
	--config cfg/system.conf
check "named: stall-timeout, 1 to 86400" grep -q "stall-timeout: \"0\" is not a number from 1 to 86400" \
	"$LAST_ERR"
T="--stall-timeout 0 with a URL" expect_exit 2 "$FWSEAL" verify --root root.json "${CA[@]}" \
	--stall-timeout 0 "$TLS/v1.fwb"

# ---- proxies (issue 18 Transport) ----
# req: REQ-NET-001
connect_proxy_start "$PWD/fwd" || die "connect proxy"
dead=$(net_free_port)
T="the *_proxy environment variables are ignored (they name a dead port)" expect_ok env \
	https_proxy="http://127.0.0.1:$dead" HTTPS_PROXY="http://127.0.0.1:$dead" \
	http_proxy="http://127.0.0.1:$dead" ALL_PROXY="http://127.0.0.1:$dead" NO_PROXY= \
	"$FWSEAL" verify --root root.json "${CA[@]}" "$TLS/v1.fwb"
T="... and when they name a live proxy, it sees nothing" expect_ok env \
	https_proxy="http://127.0.0.1:$FWD_PROXY_PORT" ALL_PROXY="http://127.0.0.1:$FWD_PROXY_PORT" \
	"$FWSEAL" verify --root root.json "${CA[@]}" "$TLS/v1.fwb"
check "the proxy's log is empty" test ! -s "$FWD_PROXY_LOG"
# Control: libcurl's default is to honour them, even for 127.0.0.1.
https_proxy="http://127.0.0.1:$FWD_PROXY_PORT" curl -s --cacert pki/ca.crt -o /dev/null \
	"$TLS/v1.fwb" 2>/dev/null
check "control: curl itself, with https_proxy set, went through the proxy" grep -q "^CONNECT " \
	"$FWD_PROXY_LOG"
: >"$FWD_PROXY_LOG"
T="--proxy: https through a CONNECT tunnel" expect_ok "$FWSEAL" verify --root root.json \
	"${CA[@]}" --proxy "http://127.0.0.1:$FWD_PROXY_PORT" "$TLS/v1.fwb"
check "the proxy saw the CONNECT" grep -q "^CONNECT 127.0.0.1:${TLS##*:} " "$FWD_PROXY_LOG"
sed -i "s|^stall-timeout = 0|proxy = http://127.0.0.1:$FWD_PROXY_PORT|" cfg/system.conf
: >"$FWD_PROXY_LOG"
T="proxy = in system.conf [network]: install through it" expect_ok "$FWVERIFY" install \
	--config cfg/system.conf "$TLS/v1.fwb"
check "the proxy saw the install's CONNECT" grep -q "^CONNECT 127.0.0.1:${TLS##*:} " \
	"$FWD_PROXY_LOG"
sed -i "s|^proxy = .*|proxy = ftp://127.0.0.1:21|" cfg/system.conf
T="proxy = ftp://... in system.conf" expect_exit 46 "$FWVERIFY" status --config cfg/system.conf
nginx_stop
finish
