# SPDX-License-Identifier: Apache-2.0
# Debian's docker-registry (distribution 2.8) for the OCI tests
# (tests/cli/test_oci.sh, long_oci_registry.sh), sourced after tests/net/servers.sh.
# Each registry listens on 127.0.0.1 on a free port, with TLS from the
# test's CA (net_ca_make), storage under DIR, and is stopped by the
# servers.sh trap. Never the packaged service: the install leaves it
# disabled (tests/deps.sh), and this runs the binary with our config.
#
# registry_start DIR AUTH
#   AUTH = htpasswd:FILE     basic auth against a bcrypt htpasswd file
#        | token:REALM:CERT  Bearer tokens signed by the key of CERT (PEM),
#                            issuer "fwseal-test", service "fwseal-registry"
#        | none              anonymous
#   exports REGISTRY_PORT REGISTRY_PID REGISTRY_HOST (127.0.0.1:PORT)
registry_start() {
	local dir=$1 auth=$2 port
	mkdir -p "$dir/data" || return 1
	port=$(net_free_port) || return 1
	{
		cat <<EOC
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: fwseal-test-secret
  tls:
    certificate: $NET_PKI/server.crt
    key: $NET_PKI/server.key
EOC
		case $auth in
		htpasswd:*) printf 'auth:\n  htpasswd:\n    realm: fwseal-test\n    path: %s\n' "${auth#htpasswd:}" ;;
		token:*)
			local rest=${auth#token:}
			printf 'auth:\n  token:\n    realm: %s\n    service: fwseal-registry\n    issuer: fwseal-test\n    rootcertbundle: %s\n' \
				"${rest%:*}" "${rest##*:}" ;;
		none) ;;
		esac
	} >"$dir/config.yml"
	/usr/bin/docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
	REGISTRY_PID=$!
	net_track_pid "$REGISTRY_PID"
	net_wait_port "$port" 10 "$REGISTRY_PID" || {
		_net_log "docker-registry did not start:"
		cat "$dir/registry.log" >&2
		return 1
	}
	REGISTRY_PORT=$port
	REGISTRY_HOST=127.0.0.1:$port
	export REGISTRY_PORT REGISTRY_PID REGISTRY_HOST
}

# registry_auth_file OUT HOST USER PASSWORD [HOST2]: a containers-auth.json
# (the shape skopeo login writes), mode 600.
registry_auth_file() {
	local out=$1 host=$2 user=$3 pass=$4 host2=${5:-}
	python3 - "$out" "$host" "$user" "$pass" "$host2" <<'EOP'
import base64, json, os, sys
out, host, user, pw, host2 = sys.argv[1:6]
a = base64.b64encode(f"{user}:{pw}".encode()).decode()
d = {"auths": {host: {"auth": a}}}
if host2:
    d["auths"][host2] = {"auth": a}
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(d).encode())
os.close(fd)
EOP
}
