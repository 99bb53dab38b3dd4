# SPDX-License-Identifier: Apache-2.0
# Installing, verifying and inspecting over HTTP(S) (docs/network.md)
# against real servers: Debian's nginx (TLS with a CA the test makes, a
# client-certificate port, a port with a certificate from another CA) and
# lighttpd (plain http, other Range habits), both on 127.0.0.1, started and
# stopped here. Faults come from tests/net/fault_proxy.py in front of
# nginx: cuts, stalls, statuses, lying lengths, a file replaced mid-way,
# Range ignored, redirects. Each is recovered or refused as the docs say,
# and nothing half-written ever becomes bootable.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"

std_setup
make_payload big.bin 2500000
make_release big.json 2.0.0 2 hw-a big:big.bin:rootfs:65536 b.bin:b.bin:kernel
pack big.fwb big.json rel root.json
make_release other.json 2.0.1 2 hw-a big:a.bin:rootfs:65536 b.bin:b.bin:kernel
pack other.fwb other.json rel root.json
mkdir www
cp v1.fwb v1.fwb.gz big.fwb www/
head -c 200000 big.fwb >www/short.fwb
# The replacement must look new to the server (ETag from mtime and size).
cp other.fwb www/other.fwb && touch -d '2030-01-01' www/other.fwb
NET_KEYALG=ec net_ca_make pki >/dev/null 2>&1 || die "test CA"
export NET_PROXY_DIR=$PWD/proxy
mkdir -p "$NET_PROXY_DIR"
NGINX_PKI=$PWD/pki NGINX_EXTRA_CONF='location /auth/ { if ($http_x_token != "sesame") { return 403; } }
	location /loop/ { return 302 /loop$request_uri; }' \
	nginx_start "$PWD/ng" "$PWD/www" >/dev/null || die "nginx"
mkdir -p www/auth && cp v1.fwb www/auth/
CA=(--ca-file "$PWD/pki/ca.crt")
TLS=$NGINX_URL_TLS

device_init dev
fresh() { rm -rf dev && device_init dev; }
installed() { # installed DESCRIPTION VERSION: the pending set holds VERSION
	status_is "$1" dev "d['pending_slot'] == 'b' and d['slots']['b']['version'] == '$2'"
}

# ---- streaming over TLS ----
# req: REQ-NET-001
T="install from https with the pinned test CA" expect_ok "$FWVERIFY" install --device dev \
	"${CA[@]}" "$TLS/big.fwb" --json
installed "2.0.0 is pending" 2.0.0
check "the slot holds the payload" cmp dev/b/rootfs big.bin
check "downloaded_bytes is the bundle's size" python3 -c 'import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["downloaded_bytes"] == os.path.getsize("big.fwb") == d["bundle_bytes"], d' "$LAST_OUT"
fresh
T="fwseal verify over https" expect_ok "$FWSEAL" verify --root root.json "${CA[@]}" "$TLS/big.fwb"
T="fwseal inspect over https" expect_ok "$FWSEAL" inspect "${CA[@]}" "$TLS/v1.fwb.gz" --json
check "inspect lists the entries" grep -q '"payloads/a.bin"' "$LAST_OUT"
T="a gzip bundle over https" expect_ok "$FWVERIFY" install --device dev "${CA[@]}" "$TLS/v1.fwb.gz"
fresh

T="--delta with a file, not a URL" expect_exit 2 "$FWVERIFY" install --device dev --delta big.fwb
check "the message says what --delta is for" grep -q -- "--delta is for a URL" "$LAST_ERR"

# ---- trust: who is at the other end ----
# req: REQ-NET-001, REQ-NET-004
before=$(snapshot dev)
T="the server's certificate from a CA not pinned" expect_exit 50 "$FWVERIFY" install \
	--device dev "${CA[@]}" "https://127.0.0.1:$NGINX_WRONG_PORT/v1.fwb"
check "the message names the certificate problem" grep -q "SSL certificate problem" "$LAST_ERR"
T="the test CA is not in the system store" expect_exit 50 "$FWSEAL" verify --root root.json \
	"$TLS/v1.fwb"
fault_proxy_start "$NGINX_URL" --cert pki/badname.crt --key pki/badname.key
T="a certificate for another host name" expect_exit 50 "$FWSEAL" verify --root root.json \
	"${CA[@]}" "$PROXY_URL/v1.fwb"
fault_proxy_stop
T="plain http without allow-http" expect_exit 50 "$FWVERIFY" install --device dev "$NGINX_URL/v1.fwb"
check "the message says how to allow it" grep -q "allow-http" "$LAST_ERR"
check "nothing changed" test "$before" = "$(snapshot dev)"
T="plain http with --allow-http" expect_ok "$FWSEAL" verify --root root.json --allow-http \
	"$NGINX_URL/v1.fwb"
T="client-certificate port without one (the server answers 400)" expect_exit 49 "$FWSEAL" \
	verify --root root.json "${CA[@]}" "https://127.0.0.1:$NGINX_MTLS_PORT/v1.fwb"
T="client-certificate port with the client certificate" expect_ok "$FWSEAL" verify \
	--root root.json "${CA[@]}" --client-cert pki/client.crt --client-key pki/client.key \
	"https://127.0.0.1:$NGINX_MTLS_PORT/v1.fwb"
T="a token the server requires, missing (403)" expect_exit 49 "$FWSEAL" verify --root root.json \
	"${CA[@]}" "$TLS/auth/v1.fwb"
check "the message names the status" grep -q "HTTP status 403" "$LAST_ERR"
T="the token as --header" expect_ok "$FWSEAL" verify --root root.json "${CA[@]}" \
	--header "X-Token: sesame" "$TLS/auth/v1.fwb"
T="a header that smuggles a line break" expect_exit 2 "$FWSEAL" verify --root root.json \
	--header "$(printf 'X-Token: a\r\nX-Evil: 1')" "$TLS/v1.fwb"
T="a URL with a token in its query: not echoed" expect_exit 49 "$FWSEAL" verify --root root.json \
	"${CA[@]}" "$TLS/nothere.fwb?token=SECRET"
check "the token is not in the message" bash -c '! grep -q SECRET "$1"' _ "$LAST_ERR"

# ---- a configured device takes all of it from system.conf [network] ----
# req: REQ-NET-001, REQ-CONF-001
mkdir -p cfg/etc && truncate -s 8M cfg/disk.img
cat >cfg/system.conf <<EOC
[system]
hardware-id = hw-a
trusted-root = $PWD/cfg/etc/root.json
state-dir = $PWD/cfg/state
bootloader = dir
[network]
ca-file = $PWD/pki/ca.crt
client-cert = $PWD/pki/client.crt
client-key = $PWD/pki/client.key
header = X-Token: sesame
retries = 2
[slot.rootfs.a]
class = rootfs
device = $PWD/cfg/disk.img
offset = 0
size = 3M
bootname = A
[slot.rootfs.b]
class = rootfs
device = $PWD/cfg/disk.img
offset = 3M
size = 3M
bootname = B
[slot.kernel.a]
class = kernel
device = $PWD/cfg/disk.img
offset = 6M
size = 1M
bootname = A
[slot.kernel.b]
class = kernel
device = $PWD/cfg/disk.img
offset = 7M
size = 1M
bootname = B
EOC
chmod 600 cfg/system.conf # it holds a token (docs/network.md: secret files)
"$FWVERIFY" init --config cfg/system.conf --root root.json >"$T_DIR/setup.log" 2>&1 ||
	die "init cfg: $(cat "$T_DIR/setup.log")"
T="install with the CA, the client certificate and the token from system.conf" expect_ok \
	"$FWVERIFY" install --config cfg/system.conf "https://127.0.0.1:$NGINX_MTLS_PORT/auth/v1.fwb"
check "set b's rootfs slot holds the payload" cmp <(dd if=cfg/disk.img bs=1M skip=3 status=none |
	head -c 300000) a.bin
sed -i '/^header = /d' cfg/system.conf
"$FWVERIFY" rollback --config cfg/system.conf >/dev/null 2>&1 || die "rollback cfg"
T="the same without the configured token (403)" expect_exit 49 "$FWVERIFY" install \
	--config cfg/system.conf "https://127.0.0.1:$NGINX_MTLS_PORT/auth/v1.fwb"

# ---- redirects ----
# req: REQ-NET-001, REQ-NET-004
fault_proxy_start "$NGINX_URL" --cert pki/server.crt --key pki/server.key \
	--plan "redirect:$NGINX_URL{path}"
T="https redirected to plain http" expect_exit 50 "$FWSEAL" verify --root root.json "${CA[@]}" \
	"$PROXY_URL/v1.fwb"
check "refused as a downgrade" grep -q "redirected to plain http" "$LAST_ERR"
fault_proxy_stop
fault_proxy_start "$NGINX_URL_TLS" --upstream-ca pki/ca.crt --cert pki/server.crt \
	--key pki/server.key --plan "redirect:$TLS/auth{path}"
T="a token is not sent on to the host a redirect names" expect_exit 49 "$FWSEAL" verify \
	--root root.json "${CA[@]}" --header "X-Token: sesame" "$PROXY_URL/v1.fwb"
check "the redirect target refused it (403)" grep -q "HTTP status 403" "$LAST_ERR"
fault_proxy_stop
T="redirects without end" expect_exit 49 "$FWSEAL" verify --root root.json --allow-http \
	"$NGINX_URL/loop/v1.fwb"
check "the message counts them" grep -q "more than 3 redirects" "$LAST_ERR"

# ---- a flaky link: 24 cuts in one install ----
# req: REQ-NET-003
offs=$(python3 -c 'import random; r = random.Random(7)
print(",".join(str(r.randrange(1, 150000)) for _ in range(24)))')
fault_proxy_start "$NGINX_URL" --cut-offsets "$offs"
T="24 connection cuts during one install" expect_ok "$FWVERIFY" install --device dev --allow-http \
	"$PROXY_URL/big.fwb" --json
fault_proxy_stop
installed "it completed: 2.0.0 pending" 2.0.0
check "the slot holds exactly the payload" cmp dev/b/rootfs big.bin
check "25 requests: each resume started where the bytes stopped, with If-Range" python3 -c '
import json, sys
# in the order the requests came (a record is written when its request ends)
R = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["n"])
assert len(R) == 25, len(R)
got = 0  # bytes the proxy sent so far; a resume may repeat a few, never skip one
for r in R:
    if got == 0:
        assert r["range"] is None, r
    else:
        start = int(r["range"][len("bytes="):-1])
        assert r["range"].endswith("-") and start <= got and r["if_range"], (r, got)
        got = start
    got += r["body_bytes"]
assert got == int(sys.argv[2]), (got, sys.argv[2])' "$PROXY_LOG" "$(stat -c %s big.fwb)"
check "--json: the cuts cost (almost) nothing twice" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["bundle_bytes"] <= d["downloaded_bytes"] < d["bundle_bytes"] + 65536, d' "$LAST_OUT"
fresh

# Every answer cut after 4000 bytes, each arriving with its close: every
# attempt makes progress, so --retries 2 (failures in a row without
# progress) is never used up.
fault_proxy_start "$NGINX_URL" --default "cut:4000"
T="80 answers, each cut after 4000 bytes, with --retries 2" expect_ok "$FWSEAL" verify \
	--root root.json --allow-http --retries 2 "$PROXY_URL/v1.fwb"
fault_proxy_stop

# ---- stalls ----
# req: REQ-NET-003
fault_proxy_start "$NGINX_URL" --plan "stall:inf@70000"
T="a stall after 70000 bytes: resumed after --stall-timeout" expect_ok "$FWVERIFY" install \
	--device dev --allow-http --stall-timeout 1 "$PROXY_URL/big.fwb"
fault_proxy_stop
check "it resumed at byte 70000" python3 -c 'import json, sys
R = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["n"])
assert [r["range"] for r in R] == [None, "bytes=70000-"], R' "$PROXY_LOG"
fresh
before=$(snapshot dev)
fault_proxy_start "$NGINX_URL" --default "stall:inf" --max-seconds 30
T="a server that never sends: stalled (retries used up)" expect_exit 42 "$FWVERIFY" install \
	--device dev --allow-http --stall-timeout 1 --retries 1 "$PROXY_URL/big.fwb"
fault_proxy_stop
check "nothing changed" test "$before" = "$(snapshot dev)"

# ---- statuses ----
# req: REQ-NET-002
fault_proxy_start "$NGINX_URL" --default "status:404"
T="404" expect_exit 49 "$FWVERIFY" install --device dev --allow-http "$PROXY_URL/big.fwb"
check "404 is not retried (1 request)" test "$(wc -l <"$PROXY_LOG")" = 1
fault_proxy_stop
fault_proxy_start "$NGINX_URL" --plan "status:500,status:503"
T="500 and 503, then the file: retried" expect_ok "$FWSEAL" verify --root root.json --allow-http \
	"$PROXY_URL/v1.fwb"
fault_proxy_stop
fault_proxy_start "$NGINX_URL" --default "status:500"
T="500 for ever: given up after --retries" expect_exit 49 "$FWVERIFY" install --device dev \
	--allow-http --retries 2 "$PROXY_URL/big.fwb"
check "3 attempts" test "$(wc -l <"$PROXY_LOG")" = 3
fault_proxy_stop
fault_proxy_start "$NGINX_URL" --plan "cut:100000,status:416"
T="416 on resume" expect_exit 51 "$FWVERIFY" install --device dev --allow-http "$PROXY_URL/big.fwb"
fault_proxy_stop
check "nothing changed" test "$before" = "$(snapshot dev)"

fault_proxy_start "$NGINX_URL" --plan "status:302"
T="a redirect without a Location" expect_exit 51 "$FWSEAL" verify --root root.json --allow-http \
	"$PROXY_URL/v1.fwb"
check "named: no valid Location" grep -q "redirect (302) without a valid Location" "$LAST_ERR"
fault_proxy_stop
fault_proxy_start "$NGINX_URL" --plan "hdr:Content-Encoding=gzip"
T="a Content-Encoding nobody asked for" expect_exit 51 "$FWSEAL" verify --root root.json \
	--allow-http "$PROXY_URL/v1.fwb"
check "named: Content-Encoding" grep -q "Content-Encoding gzip was not asked for" "$LAST_ERR"
fault_proxy_stop

# ---- lengths that lie ----
# req: REQ-NET-002
fault_proxy_start "$NGINX_URL" --default "trunc:50%"
T="every answer cut short, for ever" expect_exit 49 "$FWVERIFY" install --device dev \
	--allow-http --retries 2 "$PROXY_URL/big.fwb"
fault_proxy_stop
T="a bundle truncated on the server" expect_exit 19 "$FWVERIFY" install --device dev \
	"${CA[@]}" "$TLS/short.fwb"
fault_proxy_start "$NGINX_URL" --plan "cl:+100"
T="a Content-Length 100 bytes too long" expect_exit 51 "$FWVERIFY" install --device dev \
	--allow-http "$PROXY_URL/big.fwb"
check "found when the bytes promised are not there" grep -q "changed or is shorter" "$LAST_ERR"
fault_proxy_stop
fault_proxy_start "$NGINX_URL" --plan "cl:-100"
T="a Content-Length 100 bytes too short" expect_exit 19 "$FWVERIFY" install --device dev \
	--allow-http "$PROXY_URL/big.fwb"
fault_proxy_stop
check "nothing changed" test "$before" = "$(snapshot dev)"

# ---- the file changes under the download ----
# req: REQ-NET-002
fault_proxy_start "$NGINX_URL" --plan "cut:300000" --replace-after 1 --replace-path /other.fwb
T="the bundle replaced on the server mid-download" expect_exit 51 "$FWVERIFY" install \
	--device dev --allow-http "$PROXY_URL/big.fwb"
check "named: the ETag changed" grep -q "changed on the server during the download (ETag" "$LAST_ERR"
fault_proxy_stop
fault_proxy_start "$NGINX_URL" --plan "cut:300000" --ignore-range
T="a server that ignores Range, after a cut" expect_exit 51 "$FWVERIFY" install --device dev \
	--allow-http "$PROXY_URL/big.fwb"
check "named: Range ignored" grep -q "ignores Range" "$LAST_ERR"
fault_proxy_stop
fault_proxy_start "$NGINX_URL" --plan "corrupt:200000"
T="a flipped byte in the body" expect_exit 22 "$FWVERIFY" install --device dev --allow-http \
	"$PROXY_URL/big.fwb"
fault_proxy_stop
check "nothing changed after all of these" test "$before" = "$(snapshot dev)"

# ---- a second server: lighttpd's Range habits ----
# req: REQ-NET-002
lighttpd_start "$PWD/lt" "$PWD/www" >/dev/null || die "lighttpd"
fault_proxy_start "http://127.0.0.1:$LIGHTTPD_PORT" --cut-offsets 1000,90000,500000
T="lighttpd behind three cuts" expect_ok "$FWVERIFY" install --device dev --allow-http \
	"$PROXY_URL/big.fwb"
fault_proxy_stop
check "the slot holds exactly the payload" cmp dev/b/rootfs big.bin
"$FWVERIFY" rollback --device dev >/dev/null 2>&1 || die "rollback"
T="delta from lighttpd: the set still holds 2.0.0" expect_ok "$FWVERIFY" install --device dev \
	--allow-http --delta "http://127.0.0.1:$LIGHTTPD_PORT/big.fwb" --json
check "almost nothing downloaded" python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["downloaded_bytes"] < 40000 and d["reused_bytes"] == 2505000, d' "$LAST_OUT"
lighttpd_stop

# ---- delta over nginx: only the chunks the device lacks ----
# req: REQ-LIFE-009
fresh
install_confirm dev "${CA[@]}" "$TLS/v1.fwb"
python3 - <<'EOF' || die "make the changed payload"
# big2 = big with 3 of its 39 chunks changed
data = bytearray(open("big.bin", "rb").read())
for k in (2, 17, 30):
    data[k * 65536 + 100] ^= 0xff
open("big2.bin", "wb").write(data)
EOF
make_release big2.json 2.1.0 2 hw-a big:big2.bin:rootfs:65536 b.bin:b.bin:kernel
pack www/big2.fwb big2.json rel root.json
install_confirm dev "${CA[@]}" "$TLS/big.fwb"
: >"$NGINX_ACCESS_LOG"
T="delta install of 2.1.0 over the running 2.0.0" expect_ok "$FWVERIFY" install --device dev \
	"${CA[@]}" --delta "$TLS/big2.fwb" --json
check "the slot holds the new payload" cmp dev/b/rootfs big2.bin
check "downloaded: the 3 changed chunks and the metadata, not the image" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["delta"] and d["reused_bytes"] >= 2500000 - 3 * 65536 + 5000, d
assert d["downloaded_bytes"] < 3 * 65536 + 20000, d' "$LAST_OUT"
sleep 0.3
check "every request was a range of the bundle" python3 -c '
import sys
lines = [l for l in open(sys.argv[1]) if "big2.fwb" in l]
assert lines and all(" 206 " in l for l in lines), lines' "$NGINX_ACCESS_LOG"
status_is "2.1.0 pending in b" dev "d['pending_slot'] == 'b' and d['slots']['b']['version'] == '2.1.0'"
nginx_stop
finish
