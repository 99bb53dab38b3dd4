# SPDX-License-Identifier: Apache-2.0
# Signed channels (docs/fleet.md, docs/format.md §16): the root's timestamp
# role, fwseal channel sign, fwseal-verify poll. Every refusal is named after
# the attack it stops: a replayed or re-numbered channel, a frozen (expired)
# one, one for other hardware or another channel, a fresh channel paired
# with an old signed bundle, a bundle file that is not the one named, a
# rollout widened by a mirror; a root rotation that replaces the timestamp
# key; kill -9 between accepting a channel and saving it. The cohort rule is
# checked against an independent Python computation. Installs run over
# HTTPS from a local nginx with a test CA; `fwseal-verify report --post`
# goes to a local Python HTTPS server that records what it receives.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"

make_key rootk
make_key rel
make_key ts
make_key ts2
make_root root.json rootk rel -- --timestamp-key ts.pub
make_root plain-root.json rootk rel
make_payload a.bin 100000
make_payload b.bin 5000
make_payload c.bin 7000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
make_release v2.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 c.bin:c.bin:kernel
make_release v2b.json 2.0.0 2 hw-a a.bin:a.bin:rootfs:65536 b.bin:b.bin:kernel
make_release hwb.json 2.0.0 2 hw-b a.bin:a.bin:rootfs:65536 c.bin:c.bin:kernel
pack v1.fwb v1.json rel root.json
pack v2.fwb v2.json rel root.json
pack v2.fwb.gz v2.json rel root.json --gzip
pack v2b.fwb v2b.json rel root.json
pack hwb.fwb hwb.json rel root.json
pack plain.fwb v2.json rel plain-root.json

mkdir www www/mirror-old www/mirror-gz www/mirror-b
cp v1.fwb v2.fwb www/ && cp v1.fwb www/mirror-old/v2.fwb && cp v2.fwb.gz www/mirror-gz/v2.fwb
cp v2b.fwb www/mirror-b/v2.fwb
NET_KEYALG=ec net_ca_make pki >/dev/null 2>&1 || die "test CA"
NGINX_PKI=$PWD/pki NGINX_MTLS=0 NGINX_WRONGCERT=0 nginx_start "$PWD/ng" "$PWD/www" >/dev/null ||
	die "nginx"
U=$NGINX_URL_TLS
CA=(--ca-file "$PWD/pki/ca.crt")

SIGN=("$FWSEAL" channel sign --root root.json --key ts.key --channel stable --expires 2d)
sign() { # sign OUT BUNDLE [more options]: a channel, as a setup step
	local out=$1 bundle=$2 life=(--expires 2d)
	shift 2
	case " $* " in *" --expires "*) life=() ;; esac
	"$FWSEAL" channel sign --root root.json --key ts.key --channel stable "${life[@]}" \
		--bundle "$bundle" --out "$out" "$@" >"$T_DIR/setup.log" 2>&1 ||
		die "channel sign $out: $(cat "$T_DIR/setup.log")"
}
init() { # init DIR [HARDWARE] [DEVICE-ID]
	rm -rf "$1"
	"$FWVERIFY" init --device "$1" --root root.json --hardware "${2:-hw-a}" \
		--device-id "${3:-dev-1}" >"$T_DIR/setup.log" 2>&1 || die "init $1"
}
POLL=("$FWVERIFY" poll --name stable "${CA[@]}")

# ---- the timestamp role ----
# req: REQ-FLEET-001
check "root init --timestamp-key: the root has a timestamp role" \
	sh -c "'$FWKEYS' root show root.json | grep -q 'role timestamp: threshold 1 of 1'"
check "a root without --timestamp-key has no timestamp role (old roots unchanged)" \
	sh -c "! '$FWKEYS' root show plain-root.json | grep -q timestamp"
T="timestamp threshold 0: refused, not 'no check'" expect_exit 35 "$FWKEYS" root init \
	--root-key rootk.pub --release-key rel.pub --timestamp-key ts.pub \
	--timestamp-threshold 0 --sign rootk.key --out x.json
T="timestamp threshold above its keys" expect_exit 35 "$FWKEYS" root init --root-key rootk.pub \
	--release-key rel.pub --timestamp-key ts.pub --timestamp-threshold 2 --sign rootk.key \
	--out x.json
T="timestamp threshold without a timestamp key" expect_exit 2 "$FWKEYS" root init \
	--root-key rootk.pub --release-key rel.pub --timestamp-threshold 1 --sign rootk.key \
	--out x.json
check "nothing written for a refused root" test ! -e x.json

# ---- signing ----
expect_ok "${SIGN[@]}" --bundle v2.fwb --out c1.json --location "$U/v2.fwb" \
	--location oci://registry.example/pump:2.0.0
check "the channel is a DSSE envelope of the channel type" \
	grep -q '"payloadType": "application/vnd.fwseal.channel+json"' c1.json
T="channel signed by a release key (not a timestamp key)" expect_exit 31 "$FWSEAL" channel sign \
	--root root.json --key rel.key --channel stable --expires 2d --bundle v2.fwb \
	--location "$U/v2.fwb" --out x.json
T="channel under a root without a timestamp role" expect_exit 31 "$FWSEAL" channel sign \
	--root plain-root.json --key ts.key --channel stable --expires 2d --bundle plain.fwb \
	--location "$U/v2.fwb" --out x.json
T="channel with a plain http location" expect_exit 2 "${SIGN[@]}" --bundle v2.fwb \
	--location "http://example/v2.fwb" --out x.json
T="channel valid for 400 days" expect_exit 2 "$FWSEAL" channel sign --root root.json --key ts.key \
	--channel stable --expires 400d --bundle v2.fwb --location "$U/v2.fwb" --out x.json
T="channel with --percent 101" expect_exit 2 "${SIGN[@]}" --bundle v2.fwb --percent 101 \
	--location "$U/v2.fwb" --out x.json
cp v2.fwb tampered.fwb
printf 'X' | dd of=tampered.fwb bs=1 seek=60000 conv=notrunc 2>/dev/null
T="channel for a bundle that does not verify" expect_exit 22 "${SIGN[@]}" --bundle tampered.fwb \
	--location "$U/v2.fwb" --out x.json
check "nothing written for a refused channel" test ! -e x.json
sign c2.json v2.fwb --previous c1.json --location "$U/v2.fwb"
check "--previous: version one above" python3 -c "
import json, base64, sys
v = [json.loads(base64.b64decode(json.load(open(f))['payload']))['version'] for f in ('c1.json', 'c2.json')]
sys.exit(0 if v == [1, 2] else 1)"
T="--previous of another channel" expect_exit 2 "$FWSEAL" channel sign --root root.json \
	--key ts.key --channel beta --expires 2d --bundle v2.fwb --location "$U/v2.fwb" \
	--previous c1.json --out x.json

# ---- polling: install, then nothing to do ----
init dev
T="poll: a fresh channel installs its release over https" expect_ok "${POLL[@]}" --device dev \
	--channel "$PWD/c1.json"
status_is "the channel's release is pending in slot b" dev \
	"d['pending_slot'] == 'b' and d['slots']['b']['version'] == '2.0.0' and d['channel']['version'] == 1"
T="poll again: up to date" expect_ok "${POLL[@]}" --device dev --channel "$PWD/c1.json"
grep -q "up to date" "$LAST_OUT" || not_ok "poll again says up to date" "$(cat "$LAST_OUT")"
check "the audit log records the channel" sh -c "'$FWVERIFY' log --device dev | grep -q 'channel .*stable v1'"

# ---- replay and re-numbering ----
# req: REQ-FLEET-002
T="poll v2" expect_ok "${POLL[@]}" --device dev --channel "$PWD/c2.json"
before=$(snapshot dev)
T="replay of an older channel (v1 after v2)" expect_exit 81 "${POLL[@]}" --device dev \
	--channel "$PWD/c1.json"
sign c2-other.json v2.fwb --previous c1.json --percent 99 --location "$U/v2.fwb"
T="another channel with the same version (v2, other bytes)" expect_exit 81 "${POLL[@]}" \
	--device dev --channel "$PWD/c2-other.json"
check "refused channels change nothing" test "$before" = "$(snapshot dev)"
check "the refusal is in the audit log" sh -c "'$FWVERIFY' log --device dev | grep -q FWS_ECHANNELROLLBACK"

# ---- freshness: an alarm, never a brick ----
# req: REQ-FLEET-003
init fresh
T="expired channel (trusted time past expires)" expect_exit 80 "${POLL[@]}" --device fresh \
	--channel "$PWD/c1.json" --trusted-time 2099-01-01T00:00:00Z
check "a stale channel is in the audit log" \
	sh -c "'$FWVERIFY' log --device fresh | grep -q FWS_ECHANNELSTALE"
status_is "a stale channel installs nothing" fresh "d['pending_slot'] is None"
T="accepted while fresh" expect_ok "${POLL[@]}" --device fresh --channel "$PWD/c1.json"
"$FWVERIFY" status --device fresh --json >"$T_DIR/st.json" 2>/dev/null
check "status: fresh" python3 -c "import json; d = json.load(open('$T_DIR/st.json')); assert d['channel']['stale'] is False"
# No trusted clock: the newest created plus the uptime since. A channel
# accepted (as the state says) at uptime 0 of this boot has been known for
# the machine's whole uptime; with a lifetime shorter than that it is stale.
uptime_s=$(cut -d. -f1 /proc/uptime)
if [ "$uptime_s" -gt 5 ] && [ -r /proc/sys/kernel/random/boot_id ]; then
	init up
	sign short.json v2.fwb --percent 0 --expires 1s --location "$U/v2.fwb"
	T="a channel valid for 1 s, accepted within it" expect_exit 83 "${POLL[@]}" --device up \
		--channel "$PWD/short.json"
	"$FWVERIFY" status --device up >"$T_DIR/st.txt" 2>&1
	check "status right after: fresh" grep -q "fresh until" "$T_DIR/st.txt"
	state_set up channel_uptime 0
	"$FWVERIFY" status --device up >"$T_DIR/st.txt" 2>&1
	check "status: stale since expires, judged by created plus the CLOCK_BOOTTIME uptime" \
		grep -q "STALE since" "$T_DIR/st.txt"
	T="polling the same channel again: stale (created plus uptime past expires)" expect_exit 80 \
		"${POLL[@]}" --device up --channel "$PWD/short.json"
else
	skip "uptime bound" "the machine booted less than 5 s ago, or has no boot id"
fi

# ---- binding ----
sign hw.json hwb.fwb --location "$U/v2.fwb"
T="channel for another hardware" expect_exit 24 "${POLL[@]}" --device fresh --channel "$PWD/hw.json"
T="channel of another name (beta served as stable)" expect_exit 8 "$FWVERIFY" poll --device fresh \
	--name beta "${CA[@]}" --channel "$PWD/c2.json"
rm -rf plain && "$FWVERIFY" init --device plain --root plain-root.json --hardware hw-a \
	>"$T_DIR/setup.log" 2>&1 || die "init plain"
T="a device whose root has no timestamp role accepts no channel" expect_exit 11 "${POLL[@]}" \
	--device plain --channel "$PWD/c1.json"

# ---- mix-and-match: the release and the file the channel names, nothing else ----
# req: REQ-FLEET-001
init mm
sign old.json v2.fwb --location "$U/mirror-old/v2.fwb"
T="fresh channel pointing at an older signed bundle" expect_exit 82 "${POLL[@]}" --device mm \
	--channel "$PWD/old.json"
status_is "nothing installed from the older bundle (the channel itself is kept)" mm \
	"d['pending_slot'] is None and d['slots']['b']['version'] is None and d['channel']['version'] == 1"
sign samever.json v2.fwb --previous old.json --location "$U/mirror-b/v2.fwb"
T="a bundle of the same version with other contents" expect_exit 82 "${POLL[@]}" --device mm \
	--channel "$PWD/samever.json"
sign gz.json v2.fwb --previous samever.json --location "$U/mirror-gz/v2.fwb"
T="the same release in another bundle file (size and digest differ)" expect_exit 82 \
	"${POLL[@]}" --device mm --channel "$PWD/gz.json"
sign two.json v2.fwb --previous gz.json --location "$U/mirror-old/v2.fwb" --location "$U/v2.fwb"
T="a bad mirror first, a good one second: installed from the second" expect_ok "${POLL[@]}" \
	--device mm --channel "$PWD/two.json"
status_is "installed from the good mirror" mm "d['slots']['b']['version'] == '2.0.0'"

# ---- rollout ----
# req: REQ-FLEET-004
init r0
sign zero.json v2.fwb --percent 0 --location "$U/v2.fwb"
T="rollout at 0%: no device installs" expect_exit 83 "${POLL[@]}" --device r0 --channel "$PWD/zero.json"
status_is "not in the cohort: nothing installed, the channel kept" r0 \
	"d['pending_slot'] is None and d['channel']['version'] == 1"
sign later.json v2.fwb --not-before 2099-01-01T00:00:00Z --location "$U/v2.fwb"
init r1
T="rollout not yet begun (not_before ahead)" expect_exit 83 "${POLL[@]}" --device r1 \
	--channel "$PWD/later.json"
# The cohort: SHA-256("fwseal-cohort-v1" NUL || salt || device id), first
# 8 bytes big-endian, mod 100 -- recomputed here by Python, not by fwseal.
sign half.json v2.fwb --percent 50 --location "$U/v2.fwb"
cohort_ok=1
for id in dev-1 dev-2 pump-0042 x Z.9_+-; do
	init "co-$id" hw-a "$id"
	"${POLL[@]}" --device "co-$id" --channel "$PWD/half.json" --json >"$T_DIR/p.json" 2>/dev/null
	python3 - "$T_DIR/p.json" half.json "$id" <<'EOF' || cohort_ok=0
import base64, hashlib, json, sys
out, ch, dev = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
body = json.loads(base64.b64decode(ch["payload"]))
salt = bytes.fromhex(body["rollout"]["salt"])
h = hashlib.sha256(b"fwseal-cohort-v1\0" + salt + dev.encode()).digest()
bucket = int.from_bytes(h[:8], "big") % 100
assert out["bucket"] == bucket, (out["bucket"], bucket)
assert out["in_rollout"] == (bucket < 50)
assert out["action"] == ("installed" if bucket < 50 else "not-in-cohort"), out["action"]
EOF
done
check "cohort buckets equal an independent Python computation" test $cohort_ok = 1
sign wider.json v2.fwb --previous half.json --percent 100 --location "$U/v2.fwb"
check "a wider rollout of the same release keeps the salt" python3 -c "
import json, base64
s = [json.loads(base64.b64decode(json.load(open(f))['payload']))['rollout']['salt'] for f in ('half.json', 'wider.json')]
assert s[0] == s[1]"

# ---- a root rotation that replaces the timestamp key ----
"$FWKEYS" root new --from root.json --remove-key ts.pub --add-key ts2.pub --role timestamp \
	--sign rootk.key --out root2.json >"$T_DIR/setup.log" 2>&1 ||
	die "root new: $(cat "$T_DIR/setup.log")"
mkdir -p pub/root && cp root2.json pub/root/2.json
init rot
"$FWSEAL" channel sign --root root2.json --key ts2.key --channel stable --expires 2d \
	--bundle v2.fwb --location "$U/v2.fwb" --out pub/stable.json >"$T_DIR/setup.log" 2>&1 ||
	die "sign with ts2: $(cat "$T_DIR/setup.log")"
"$FWSEAL" channel sign --root root2.json --key ts.key --channel stable --expires 2d \
	--bundle v2.fwb --location "$U/v2.fwb" --out pub/revoked.json >/dev/null 2>&1 &&
	not_ok "a revoked timestamp key still signs under root v2"
"$FWSEAL" channel sign --root root.json --key ts.key --channel stable --expires 2d \
	--bundle v2.fwb --location "$U/v2.fwb" --out pub/old-key.json >/dev/null 2>&1 ||
	die "sign with ts"
T="rotated timestamp key: the device takes root v2 from beside the channel" expect_ok \
	"${POLL[@]}" --device rot --channel "$PWD/pub/stable.json"
status_is "root v2 trusted, the channel accepted" rot \
	"d['root_version'] == 2 and d['channel']['version'] == 1"
init rot2
T="a channel signed by the replaced timestamp key" expect_exit 11 "${POLL[@]}" --device rot2 \
	--channel "$PWD/pub/old-key.json"
status_is "... after the device advanced to root v2" rot2 "d['root_version'] == 2"

# ---- kill -9 between accepting a channel and saving it ----
# req: REQ-FLEET-002
# An LD_PRELOAD shim kills the process (SIGKILL) at the rename that
# replaces the state: before it (KILL_AT=before) or right after it
# (KILL_AT=after, before the audit line).
cat >kill.c <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int renameat(int fd, const char *from, int tfd, const char *to)
{
	int (*real)(int, const char *, int, const char *) = dlsym(RTLD_NEXT, "renameat");
	const char *at = getenv("KILL_AT");
	int is_state = strcmp(to, "state") == 0 || (strlen(to) > 6 && strcmp(to + strlen(to) - 6, "/state") == 0);
	if (at != NULL && is_state && strcmp(at, "before") == 0)
		kill(getpid(), SIGKILL);
	int r = real(fd, from, tfd, to);
	if (at != NULL && is_state && strcmp(at, "after") == 0)
		kill(getpid(), SIGKILL);
	return r;
}
EOF
if cc -shared -fPIC -o kill.so kill.c -ldl 2>"$T_DIR/cc.log"; then
	init k
	sign k1.json v1.fwb --location "$U/v1.fwb"
	sign k2.json v1.fwb --previous k1.json --location "$U/v1.fwb"
	"${POLL[@]}" --device k --channel "$PWD/k1.json" --quiet >/dev/null 2>&1
	before=$(sha256sum k/state)
	(KILL_AT=before LD_PRELOAD=$PWD/kill.so "${POLL[@]}" --device k --channel "$PWD/k2.json" \
		>/dev/null 2>&1) 2>/dev/null
	check "killed before the save: the state is the old one, whole" \
		test "$before" = "$(sha256sum k/state)"
	T="after the kill: the same channel is accepted again" expect_ok "${POLL[@]}" --device k \
		--channel "$PWD/k2.json" --quiet
	init k3
	"${POLL[@]}" --device k3 --channel "$PWD/k1.json" --quiet >/dev/null 2>&1
	(KILL_AT=after LD_PRELOAD=$PWD/kill.so "${POLL[@]}" --device k3 --channel "$PWD/k2.json" \
		>/dev/null 2>&1) 2>/dev/null
	status_is "killed after the save: channel v2 is stored" k3 "d['channel']['version'] == 2"
	T="... and the replayed v1 is refused" expect_exit 81 "${POLL[@]}" --device k3 \
		--channel "$PWD/k1.json"
	check "the interrupted acceptance is in the audit log" \
		sh -c "'$FWVERIFY' log --device k3 --verify >/dev/null"
else
	skip "kill -9 between accepting and saving" "no C compiler for the LD_PRELOAD shim"
fi

# ---- fwseal-verify report --post: the download rules, a recording server ----
# req: REQ-FLEET-005
cat >post_server.py <<'EOF'
import http.server, ssl, sys
port, certdir, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with open(out, "ab") as f:
            f.write(b"%s %s %s\n" % (self.path.encode(), self.headers.get("Content-Type", "").encode(),
                                     self.headers.get("X-Token", "-").encode()))
        with open(out + ".body", "wb") as f:
            f.write(body)
        code = 307 if self.path == "/redirect" else 201
        self.send_response(code)
        if code == 307:
            self.send_header("Location", "https://127.0.0.1:%d/elsewhere" % port)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certdir + "/server-chain.pem", certdir + "/server.key")
srv = http.server.HTTPServer(("127.0.0.1", port), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
EOF
PP=$(net_free_port)
python3 post_server.py "$PP" "$PWD/pki" "$PWD/posted.log" &
net_track_pid $!
net_wait_port "$PP" 10 || die "post server"
init rep
T="report --post: sent over https with the pinned CA and a header" expect_ok "$FWVERIFY" report \
	--device rep "${CA[@]}" --header "X-Token: sesame" --post "https://127.0.0.1:$PP/reports"
"$FWVERIFY" device-key --device rep --out rep.pub >/dev/null 2>&1 || die "rep.pub"
cp posted.log.body body.json
check "the server recorded the POST: path, content type, header" \
	grep -q "^/reports application/json sesame$" posted.log
T="the posted body is the signed report" expect_ok "$FWSEAL" report verify --device-key rep.pub \
	body.json
T="report --post to a server the system's CAs do not vouch for" expect_exit 50 "$FWVERIFY" \
	report --device rep --post "https://127.0.0.1:$PP/reports"
T="report --post over plain http" expect_exit 50 "$FWVERIFY" report --device rep \
	--post "http://127.0.0.1:$PP/reports"
T="report --post redirected: never followed with the report" expect_exit 49 "$FWVERIFY" report \
	--device rep "${CA[@]}" --post "https://127.0.0.1:$PP/redirect"
check "nothing was posted to the redirect's target" sh -c "! grep -q '^/elsewhere' posted.log"
# The environment is never a source of proxies (ADR-068), for a POST too:
# a planted https_proxy naming a port nobody listens on changes nothing.
https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
	T="report --post with a planted https_proxy: the proxy is ignored" expect_ok "$FWVERIFY" \
	report --device rep "${CA[@]}" --post "https://127.0.0.1:$PP/reports"

nginx_stop
finish
