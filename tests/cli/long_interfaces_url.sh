#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/interfaces.md for a URL (make check-long; test_interfaces.sh does the
# local commands): fwseal-verify install and fwseal verify of an https URL
# against a real nginx on 127.0.0.1, under strace -f -y -e
# trace=%file,%network. Every path opened must be one docs/interfaces.md
# lists (libcurl and the TLS library's own files included), every
# connection must go to the server named in the URL, and nothing binds,
# listens or accepts.
# req: REQ-EVID-006, REQ-NET-005
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/net/servers.sh"

DOC=$SRC_DIR/docs/interfaces.md
CHECK=$TESTS_DIR/interfaces/check_trace.py
if ! command -v strace >/dev/null 2>&1 || ! strace -f -qq -o /dev/null true 2>/dev/null; then
	ok "a URL install opens only what docs/interfaces.md lists # SKIP strace missing or not allowed"
	finish
fi
std_setup
mkdir www && cp v1.fwb www/
NET_KEYALG=ec net_ca_make pki >/dev/null 2>&1 || die "test CA"
NGINX_PKI=$PWD/pki nginx_start "$PWD/ng" "$PWD/www" >/dev/null || die "nginx"
device_init dev
port=${NGINX_URL_TLS##*:}
: >runs.tsv
traced() { # NAME ARGS DEVICE CMD...
	local name=$1 args=$2 dev=$3 abs="" a
	shift 3
	for a in ${args//|/ }; do abs="$abs|$PWD/$a"; done
	strace -f -qq -y -e trace=%file,%network -o "$name.tr" "$@" >"$name.out" 2>"$name.err" ||
		die "$name: $(head -n 2 "$name.err")"
	printf '%s\t%s\t\t%s\t%s\trootfs|kernel\n' "$name" "$PWD/$name.tr" "${abs#|}" \
		"${dev:+$PWD/$dev}" >>runs.tsv
}
traced "verify over https" "root.json|pki/ca.crt" "" \
	"$FWSEAL" verify --root root.json --ca-file pki/ca.crt "$NGINX_URL_TLS/v1.fwb"
traced "install over https" "pki/ca.crt" dev \
	"$FWVERIFY" install --device dev --ca-file pki/ca.crt "$NGINX_URL_TLS/v1.fwb"
nginx_stop

python3 "$CHECK" "$DOC" runs.tsv >check.out 2>&1
while IFS= read -r line; do
	case $line in
	"FAIL "*) not_ok "${line#FAIL }" ;;
	"OK "*) ok "${line#OK }: all of them in docs/interfaces.md" ;;
	esac
done <check.out
check "the comparison ran over both commands" test "$(grep -c '^DONE ' check.out)" = 2
check "both connected to the server, over TCP" \
	bash -c 'grep -c "^NET .*connect(.*sin_port=htons($0).*inet_addr(\"127.0.0.1\")" "$1" | grep -qx "[1-9][0-9]*"' \
	"$port" check.out
check "no connection to anything but the server (and the resolver's local socket, if any)" \
	bash -c '! grep "^NET .*connect(" "$1" | grep -v "sin_port=htons($0)" | grep -v "sun_path=\"/var/run/nscd/socket\"" | grep -q .' \
	"$port" check.out
check "nothing bound, listened or accepted" bash -c '! grep -Eq "^NET [^:]*: [0-9]+ +(bind|listen|accept4?)\(" "$0"' check.out
grep '^NET ' check.out | sed 's/^/# /' | head -n 20
finish
