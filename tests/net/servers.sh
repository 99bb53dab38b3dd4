# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# servers.sh - sourceable helpers for network tests of fwseal.
#
# Everything binds to 127.0.0.1 only.  Servers run as non-daemon children of
# the calling shell with their own config in a caller-provided directory; the
# system nginx/lighttpd service is never touched.
#
#   source servers.sh
#   net_ca_make  DIR                 -> DIR/{ca,server,wrongca,wrong,client,badname}.{key,crt}
#   nginx_start  DIR DOCROOT         -> exports NGINX_HTTP_PORT NGINX_HTTPS_PORT
#                                       NGINX_MTLS_PORT NGINX_WRONG_PORT NGINX_PID
#                                       NGINX_DIR NGINX_ACCESS_LOG NGINX_ERROR_LOG
#   nginx_stop
#   lighttpd_start DIR DOCROOT       -> exports LIGHTTPD_PORT LIGHTTPD_PID LIGHTTPD_DIR
#                                       LIGHTTPD_ACCESS_LOG LIGHTTPD_ERROR_LOG
#   lighttpd_stop
#   net_cleanup                      -> stops everything started via this file
#   net_free_port                    -> prints a currently free TCP port on 127.0.0.1
#   net_wait_port PORT [TIMEOUT_S]   -> waits (bounded) until 127.0.0.1:PORT accepts
#   net_wait_gone PORT [TIMEOUT_S]   -> waits (bounded) until nothing listens on PORT
#   net_nginx_bytes [LOG]            -> sum of $bytes_sent in nginx access log
#   net_nginx_requests [LOG]         -> number of requests in nginx access log
#   net_nginx_body_bytes [LOG]       -> sum of $body_bytes_sent
#   net_track_pid PID                -> have net_cleanup + watchdog kill PID
#   fault_proxy_start UPSTREAM [fault_proxy.py opts] -> exports PROXY_PORT PROXY_URL
#                                       PROXY_PID PROXY_LOG PROXY_ERR
#   fault_proxy_stop                 -> SIGTERM (log is flushed), bounded wait
#   connect_proxy_start DIR          -> a forward (CONNECT) proxy, tests/net/connect_proxy.py:
#                                       exports FWD_PROXY_PORT FWD_PROXY_LOG (request lines)
#   fault_proxy_wait_exit [T]        -> wait for a self-terminating proxy
#   fault_proxy_q EXPR [LOG]         -> python expression over the log records R
#
# Knobs (environment, read by nginx_start):
#   NGINX_MTLS=1       third HTTPS port that requires a client cert (default 1)
#   NGINX_WRONGCERT=1  fourth HTTPS port that presents a cert from another CA (default 1)
#   NGINX_HTTP2=0      add "http2" to the TLS listeners (default 0)
#   NGINX_EXTRA_CONF=  text inserted into the server{} blocks (e.g. "limit_rate 1m;")
#   NET_START_TIMEOUT=10   seconds to wait for a port to answer
#   NET_MAX_LIFETIME=900   watchdog: kill servers after this many seconds no matter what
#
# Failure of any start function returns non-zero and prints the server's error
# log to stderr.

NET_SERVERS_SH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${NET_START_TIMEOUT:=10}"
: "${NET_MAX_LIFETIME:=900}"
NET_NGINX_BIN=${NET_NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
NET_LIGHTTPD_BIN=${NET_LIGHTTPD_BIN:-$(command -v lighttpd || echo /usr/sbin/lighttpd)}
NET_PYTHON=${NET_PYTHON:-/usr/bin/python3}
[ -x "$NET_PYTHON" ] || NET_PYTHON=python3

_net_log() { printf 'net: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- ports ----
net_free_port() {
	# Bind to port 0 and report what the kernel picked.  There is a small race
	# between this and the server's bind(); the start functions retry.
	"$NET_PYTHON" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

_net_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

net_wait_port() { # PORT [TIMEOUT_S] [PID]
	local port=$1 timeout=${2:-$NET_START_TIMEOUT} pid=${3:-} i n
	n=$((timeout * 20))
	for ((i = 0; i < n; i++)); do
		_net_port_open "$port" && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 2
		fi
		sleep 0.05
	done
	return 1
}

net_wait_gone() { # PORT [TIMEOUT_S]
	local port=$1 timeout=${2:-$NET_START_TIMEOUT} i n
	n=$((timeout * 20))
	for ((i = 0; i < n; i++)); do
		_net_port_open "$port" || return 0
		sleep 0.05
	done
	return 1
}

# ------------------------------------------------------------- cleanup ----
NET_PIDS=${NET_PIDS:-}

_net_install_trap() {
	[ -n "${_NET_TRAP_DONE:-}" ] && return 0
	_NET_TRAP_DONE=1
	# Chain with whatever EXIT trap the caller already has.
	local prev
	prev=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
	if [ -n "$prev" ]; then
		# shellcheck disable=SC2064
		trap "net_cleanup; $prev" EXIT
	else
		trap net_cleanup EXIT
	fi
}

# Kill PID (a server we started) when the calling shell dies, or after
# NET_MAX_LIFETIME seconds.  Protects against SIGKILLed test scripts leaving
# servers around.  The watchdog's stdio is detached so it never keeps a pipe
# of the caller open.
_net_watchdog() { # PID
	local target=$1 parent=$BASHPID max=$NET_MAX_LIFETIME
	(
		trap - EXIT
		end=$((SECONDS + max))
		while kill -0 "$target" 2>/dev/null; do
			if ! kill -0 "$parent" 2>/dev/null || ((SECONDS >= end)); then
				kill -TERM "$target" 2>/dev/null
				sleep 1
				kill -KILL "$target" 2>/dev/null
				break
			fi
			sleep 1
		done
	) </dev/null >/dev/null 2>&1 &
	disown $! 2>/dev/null || true
}

_net_kill_pid() { # PID [NAME]
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do # 5 s
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

net_cleanup() {
	nginx_stop
	lighttpd_stop
	local p
	for p in $NET_PIDS; do _net_kill_pid "$p"; done
	NET_PIDS=
	if [ -n "${_NET_PROXY_DIR_OWNED:-}" ] && [ -n "$NET_PROXY_DIR" ]; then
		rm -rf "$NET_PROXY_DIR"; NET_PROXY_DIR=; _NET_PROXY_DIR_OWNED=
	fi
}

# Register an extra pid (e.g. fault_proxy.py) for net_cleanup.
net_track_pid() { NET_PIDS="$NET_PIDS $1"; _net_install_trap; _net_watchdog "$1"; }

# ----------------------------------------------------------------- PKI ----
# net_ca_make DIR
#   ca.crt/ca.key           test CA ("fwseal test CA")
#   server.crt/server.key   CN=localhost, SAN DNS:localhost, IP:127.0.0.1, signed by ca
#   wrongca.crt/.key        an unrelated CA
#   wrong.crt/wrong.key     same names/SAN as server.crt but signed by wrongca
#   badname.crt/.key        signed by ca, but SAN DNS:wrong.invalid only (hostname mismatch)
#   client.crt/client.key   CN=fwseal-test-client, EKU clientAuth, signed by ca
#   client-wrong.crt/.key   client cert signed by wrongca
#   server-chain.pem        server.crt + ca.crt
# Key type: NET_KEYALG (default "rsa:2048"; "ec" gives P-256).
net_ca_make() {
	local dir=$1
	[ -n "$dir" ] || { _net_log "net_ca_make: DIR missing"; return 2; }
	mkdir -p "$dir" || return 1
	local alg=${NET_KEYALG:-rsa:2048} days=${NET_CERT_DAYS:-3650}
	local -a newkey
	if [ "$alg" = ec ]; then
		newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
	else
		newkey=(-newkey "$alg")
	fi
	(
		set -e
		cd "$dir"
		umask 077
		cat >ext.cnf <<'EOF'
[ca_ext]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[server_ext]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier=keyid
[badname_ext]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:wrong.invalid
authorityKeyIdentifier=keyid
[client_ext]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
authorityKeyIdentifier=keyid
EOF
		mkca() { # name CN
			openssl req -x509 -nodes "${newkey[@]}" -keyout "$1.key" -out "$1.crt" \
				-days "$days" -subj "/O=fwseal-test/CN=$2" \
				-config ext.cnf -extensions ca_ext 2>/dev/null
		}
		mkleaf() { # name CN ca ext
			openssl req -new -nodes "${newkey[@]}" -keyout "$1.key" -out "$1.csr" \
				-subj "/O=fwseal-test/CN=$2" -config ext.cnf 2>/dev/null
			openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" \
				-CAcreateserial -days "$days" -sha256 -out "$1.crt" \
				-extfile ext.cnf -extensions "$4" 2>/dev/null
			rm -f "$1.csr"
		}
		mkca ca "fwseal test CA"
		mkca wrongca "fwseal WRONG CA"
		mkleaf server localhost ca server_ext
		mkleaf wrong localhost wrongca server_ext
		mkleaf badname wrong.invalid ca badname_ext
		mkleaf client fwseal-test-client ca client_ext
		mkleaf client-wrong fwseal-test-client wrongca client_ext
		cat server.crt ca.crt >server-chain.pem
		chmod 644 ./*.crt ./*.pem
		openssl verify -CAfile ca.crt server.crt client.crt >/dev/null
	) || { _net_log "net_ca_make: openssl failed in $dir"; return 1; }
}

# --------------------------------------------------------------- nginx ----
# nginx_start DIR DOCROOT
# Writes DIR/nginx.conf, starts "nginx -p DIR -e DIR/error.log -g 'daemon off;'"
# in the background, waits until all ports answer.  Creates DIR/pki via
# net_ca_make unless DIR/pki/server.crt exists (set NGINX_PKI=path to reuse).
nginx_start() {
	local dir=$1 docroot=$2
	[ -n "$dir" ] && [ -d "$docroot" ] || { _net_log "usage: nginx_start DIR DOCROOT"; return 2; }
	if [ -n "${NGINX_PID:-}" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
		_net_log "nginx_start: already running (pid $NGINX_PID)"; return 1
	fi
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd); docroot=$(cd "$docroot" && pwd)
	local pki=${NGINX_PKI:-$dir/pki}
	[ -f "$pki/server.crt" ] || net_ca_make "$pki" || return 1
	local mtls=${NGINX_MTLS:-1} wrong=${NGINX_WRONGCERT:-1} h2=""
	[ "${NGINX_HTTP2:-0}" = 1 ] && h2=" http2"
	local user_line=""
	# As root the master drops workers to "nobody", which usually cannot read
	# mktemp -d (0700) directories -> 403.  Keep the workers as the caller.
	[ "$(id -u)" = 0 ] && user_line="user root root;"
	local attempt rc
	for attempt in 1 2 3 4 5; do
		local hp sp mp wp
		hp=$(net_free_port); sp=$(net_free_port); mp=$(net_free_port); wp=$(net_free_port)
		mkdir -p "$dir/tmp"
		cat >"$dir/nginx.conf" <<EOF
# generated by servers.sh nginx_start
$user_line
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 256; }
http {
    types { text/plain txt; application/octet-stream bin img caibx caidx cacnk; }
    default_type application/octet-stream;
    log_format fwseal '\$remote_addr [\$time_local] "\$request" \$status '
                      'body=\$body_bytes_sent sent=\$bytes_sent '
                      'range="\$http_range" ifrange="\$http_if_range" '
                      'port=\$server_port ssl=\$ssl_protocol cn="\$ssl_client_s_dn" '
                      'rt=\$request_time conn=\$connection req=\$connection_requests';
    access_log $dir/access.log fwseal;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    sendfile on;
    keepalive_timeout 15s;
    server_tokens off;
    etag on;            # default, explicit for documentation
    max_ranges 16;      # default is unlimited; 0 disables Range
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate     $pki/server.crt;
    ssl_certificate_key $pki/server.key;
    server {
        listen 127.0.0.1:$hp;
        listen 127.0.0.1:$sp ssl$h2;
        server_name localhost 127.0.0.1;
        root $docroot;
        ${NGINX_EXTRA_CONF:-}
    }
EOF
		if [ "$mtls" = 1 ]; then
			cat >>"$dir/nginx.conf" <<EOF
    server {
        listen 127.0.0.1:$mp ssl$h2;
        server_name localhost 127.0.0.1;
        root $docroot;
        ssl_client_certificate $pki/ca.crt;
        ssl_verify_client on;
        ssl_verify_depth 2;
        ${NGINX_EXTRA_CONF:-}
    }
EOF
		fi
		if [ "$wrong" = 1 ]; then
			cat >>"$dir/nginx.conf" <<EOF
    server {
        listen 127.0.0.1:$wp ssl$h2;
        server_name localhost 127.0.0.1;
        root $docroot;
        ssl_certificate     $pki/wrong.crt;
        ssl_certificate_key $pki/wrong.key;
    }
EOF
		fi
		echo "}" >>"$dir/nginx.conf"
		"$NET_NGINX_BIN" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" 2>>"$dir/error.log" ||
			{ _net_log "nginx config test failed:"; tail -n 20 "$dir/error.log" >&2; return 1; }
		"$NET_NGINX_BIN" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off;' \
			</dev/null >>"$dir/stdout.log" 2>&1 &
		NGINX_PID=$!
		rc=0
		local p
		for p in $hp $sp $([ "$mtls" = 1 ] && echo "$mp") $([ "$wrong" = 1 ] && echo "$wp"); do
			net_wait_port "$p" "$NET_START_TIMEOUT" "$NGINX_PID" || { rc=1; break; }
		done
		if [ $rc = 0 ]; then
			export NGINX_PID NGINX_DIR=$dir NGINX_DOCROOT=$docroot NGINX_PKI_DIR=$pki
			export NGINX_HTTP_PORT=$hp NGINX_HTTPS_PORT=$sp
			export NGINX_MTLS_PORT=$([ "$mtls" = 1 ] && echo "$mp")
			export NGINX_WRONG_PORT=$([ "$wrong" = 1 ] && echo "$wp")
			export NGINX_ACCESS_LOG=$dir/access.log NGINX_ERROR_LOG=$dir/error.log
			export NGINX_URL=http://127.0.0.1:$hp NGINX_URL_TLS=https://127.0.0.1:$sp
			_net_install_trap
			_net_watchdog "$NGINX_PID"
			echo "NGINX_HTTP_PORT=$hp NGINX_HTTPS_PORT=$sp NGINX_MTLS_PORT=$NGINX_MTLS_PORT NGINX_WRONG_PORT=$NGINX_WRONG_PORT NGINX_PID=$NGINX_PID"
			return 0
		fi
		# Port race or startup failure: show why, retry with new ports.
		_net_kill_pid "$NGINX_PID"; NGINX_PID=
		if ! grep -q 'Address already in use' "$dir/error.log" "$dir/stdout.log" 2>/dev/null; then
			_net_log "nginx failed to start (attempt $attempt):"; tail -n 20 "$dir/error.log" >&2
			return 1
		fi
		: >"$dir/error.log"
	done
	return 1
}

nginx_stop() {
	[ -n "${NGINX_PID:-}" ] || return 0
	# SIGQUIT = graceful; fall back to TERM/KILL in _net_kill_pid.
	kill -QUIT "$NGINX_PID" 2>/dev/null
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$NGINX_PID" 2>/dev/null || break
		sleep 0.05
	done
	_net_kill_pid "$NGINX_PID"
	NGINX_PID=
}

# ------------------------------------------------------------ lighttpd ----
# lighttpd_start DIR DOCROOT   (plain HTTP; Range and ETag enabled)
lighttpd_start() {
	local dir=$1 docroot=$2
	[ -n "$dir" ] && [ -d "$docroot" ] || { _net_log "usage: lighttpd_start DIR DOCROOT"; return 2; }
	if [ -n "${LIGHTTPD_PID:-}" ] && kill -0 "$LIGHTTPD_PID" 2>/dev/null; then
		_net_log "lighttpd_start: already running (pid $LIGHTTPD_PID)"; return 1
	fi
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd); docroot=$(cd "$docroot" && pwd)
	local attempt port rc
	for attempt in 1 2 3 4 5; do
		port=$(net_free_port)
		cat >"$dir/lighttpd.conf" <<EOF
# generated by servers.sh lighttpd_start
server.modules = ( "mod_accesslog" )
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$docroot"
server.errorlog = "$dir/error.log"
server.pid-file = "$dir/lighttpd.pid"
server.tag = "lighttpd"
server.max-keep-alive-idle = 15
accesslog.filename = "$dir/access.log"
accesslog.format = "%h %t \"%r\" %>s body=%b out=%O range=\"%{Range}i\" ifrange=\"%{If-Range}i\" us=%D"
static-file.etags = "enable"
etag.use-inode = "disable"
etag.use-mtime = "enable"
etag.use-size = "enable"
mimetype.assign = ( ".txt" => "text/plain", "" => "application/octet-stream" )
${LIGHTTPD_EXTRA_CONF:-}
EOF
		"$NET_LIGHTTPD_BIN" -tt -f "$dir/lighttpd.conf" >>"$dir/stdout.log" 2>&1 ||
			{ _net_log "lighttpd config test failed:"; tail -n 20 "$dir/stdout.log" >&2; return 1; }
		"$NET_LIGHTTPD_BIN" -D -f "$dir/lighttpd.conf" </dev/null >>"$dir/stdout.log" 2>&1 &
		LIGHTTPD_PID=$!
		if net_wait_port "$port" "$NET_START_TIMEOUT" "$LIGHTTPD_PID"; then
			export LIGHTTPD_PID LIGHTTPD_DIR=$dir LIGHTTPD_PORT=$port LIGHTTPD_DOCROOT=$docroot
			export LIGHTTPD_ACCESS_LOG=$dir/access.log LIGHTTPD_ERROR_LOG=$dir/error.log
			export LIGHTTPD_URL=http://127.0.0.1:$port
			_net_install_trap
			_net_watchdog "$LIGHTTPD_PID"
			echo "LIGHTTPD_PORT=$port LIGHTTPD_PID=$LIGHTTPD_PID"
			return 0
		fi
		_net_kill_pid "$LIGHTTPD_PID"; LIGHTTPD_PID=
		if ! grep -q 'Address already in use' "$dir/error.log" "$dir/stdout.log" 2>/dev/null; then
			_net_log "lighttpd failed to start (attempt $attempt):"
			tail -n 20 "$dir/error.log" "$dir/stdout.log" >&2 2>/dev/null
			return 1
		fi
	done
	return 1
}

lighttpd_stop() {
	[ -n "${LIGHTTPD_PID:-}" ] || return 0
	_net_kill_pid "$LIGHTTPD_PID"
	LIGHTTPD_PID=
}

# ------------------------------------------------------------- log helpers --
net_nginx_bytes() { # [LOG] -> sum of bytes_sent (headers+body) over all lines
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^sent=/) { sub("sent=", "", $i); s += $i } } END { print s + 0 }' \
		"${1:-$NGINX_ACCESS_LOG}"
}
net_nginx_body_bytes() { # [LOG] -> sum of body_bytes_sent
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^body=/) { sub("body=", "", $i); s += $i } } END { print s + 0 }' \
		"${1:-$NGINX_ACCESS_LOG}"
}
net_nginx_requests() { wc -l <"${1:-$NGINX_ACCESS_LOG}"; }

# --------------------------------------------------------- fault proxy ----
# fault_proxy_start UPSTREAM_URL [fault_proxy.py options...]
#   Starts fault_proxy.py in the background (default --max-seconds 120 unless
#   given), waits (bounded) for its port file; exports PROXY_PORT PROXY_URL
#   PROXY_PID PROXY_LOG PROXY_ERR.  Log defaults to $NET_PROXY_DIR/proxy-N.log.
#   Only one proxy at a time through these helpers (start/stop as needed).
: "${NET_PROXY_DIR:=}"
_NET_PROXY_SEQ=0
fault_proxy_start() {
	local up=$1; shift
	[ -n "$up" ] || { _net_log "usage: fault_proxy_start UPSTREAM [opts]"; return 2; }
	if [ -z "$NET_PROXY_DIR" ]; then
		NET_PROXY_DIR=$(mktemp -d /tmp/fwseal-proxy.XXXXXX) || return 1
		_NET_PROXY_DIR_OWNED=1 # removed by net_cleanup
	fi
	_NET_PROXY_SEQ=$((_NET_PROXY_SEQ + 1))
	local base=$NET_PROXY_DIR/proxy-$_NET_PROXY_SEQ
	local -a extra=()
	case " $* " in *" --max-seconds "*) ;; *) extra+=(--max-seconds 120) ;; esac
	case " $* " in *" --log "*) ;; *) extra+=(--log "$base.log") ;; esac
	rm -f "$base.port"
	"$NET_PYTHON" "$NET_SERVERS_SH_DIR/fault_proxy.py" --upstream "$up" --port-file "$base.port" \
		"${extra[@]}" "$@" </dev/null >"$base.out" 2>"$base.err" &
	PROXY_PID=$!
	local i
	for ((i = 0; i < NET_START_TIMEOUT * 20; i++)); do
		[ -s "$base.port" ] && break
		kill -0 "$PROXY_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -s "$base.port" ]; then
		_net_log "fault_proxy failed to start:"; cat "$base.err" >&2
		_net_kill_pid "$PROXY_PID"; PROXY_PID=; return 1
	fi
	PROXY_PORT=$(cat "$base.port")
	PROXY_LOG=$base.log
	local a prev=
	for a in "$@"; do [ "$prev" = --log ] && PROXY_LOG=$a; prev=$a; done
	PROXY_ERR=$base.err
	case " $* " in *" --cert "*) PROXY_URL=https://127.0.0.1:$PROXY_PORT ;; *) PROXY_URL=http://127.0.0.1:$PROXY_PORT ;; esac
	export PROXY_PID PROXY_PORT PROXY_URL PROXY_LOG PROXY_ERR
	net_track_pid "$PROXY_PID"
}

# fault_proxy_stop: SIGTERM (proxy finishes its log), bounded wait, then KILL.
fault_proxy_stop() {
	[ -n "${PROXY_PID:-}" ] || return 0
	_net_kill_pid "$PROXY_PID"
	NET_PIDS=$(echo " $NET_PIDS " | sed "s/ $PROXY_PID / /")
	PROXY_PID=
}

# connect_proxy_start DIR: a forward proxy (CONNECT tunnels, absolute-URI
# GETs) on 127.0.0.1, stopped by net_cleanup; its request lines go to
# DIR/fwd.log.
connect_proxy_start() {
	local dir=$1 i
	mkdir -p "$dir" && rm -f "$dir/fwd.port"
	"$NET_PYTHON" "$NET_SERVERS_SH_DIR/connect_proxy.py" --port-file "$dir/fwd.port" \
		--log "$dir/fwd.log" --max-seconds 120 </dev/null >"$dir/fwd.out" 2>&1 &
	local pid=$!
	for ((i = 0; i < NET_START_TIMEOUT * 20; i++)); do
		[ -s "$dir/fwd.port" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$dir/fwd.port" ] || { _net_log "connect_proxy failed:"; cat "$dir/fwd.out" >&2; return 1; }
	FWD_PROXY_PORT=$(cat "$dir/fwd.port")
	FWD_PROXY_LOG=$dir/fwd.log
	export FWD_PROXY_PORT FWD_PROXY_LOG
	net_track_pid "$pid"
}

# fault_proxy_wait_exit [TIMEOUT_S]: wait for a proxy that should exit by itself
# (--max-requests / --max-seconds).  Returns 1 if it is still running.
fault_proxy_wait_exit() {
	local t=${1:-10} i
	for ((i = 0; i < t * 20; i++)); do
		kill -0 "$PROXY_PID" 2>/dev/null || { wait "$PROXY_PID" 2>/dev/null; return 0; }
		sleep 0.05
	done
	return 1
}

# fault_proxy_q EXPR [LOG]: evaluate a python expression over the proxy log;
# R is the list of records (dicts).  Examples:
#   fault_proxy_q 'len(R)'
#   fault_proxy_q '",".join(str(r["range"]) for r in R)'
#   fault_proxy_q 'all(r["path"] in allowed for r in R)' ... (define via R only)
fault_proxy_q() {
	"$NET_PYTHON" - "$1" "${2:-$PROXY_LOG}" <<'EOF'
import json, sys
R = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
v = eval(sys.argv[1], {"R": R, "json": json})
print(json.dumps(v) if not isinstance(v, str) else v)
EOF
}
