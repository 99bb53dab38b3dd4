#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The one place that installs what the build and the tests need, with
# apt-get, and only what is missing. Used by `make deps`, `make test-deps`,
# `make fuzz-deps`, `make valgrind`, `make cppcheck`, `make bench`.
#   MODULES   pkg-config modules that must be found
#   PACKAGES  the Debian packages that provide them
#   TOOLS     command=package pairs (e.g. "python3=python3 flock=util-linux")
#   PYMODULES module=package pairs imported by Debian's python3 (the one the
#             tests run: tests/cli/run.sh puts /usr/bin first)
#   PROBE     a shell command that must succeed, else PROBE_PACKAGES are installed
#   NO_DEPS=1 never install: say what is missing and fail (packagers, `make install`)
#
# Installing a test dependency never leaves a service running or enabled
# (nginx, lighttpd and docker-registry start a server on port 80 or 5000 by
# default, at once and at every boot): a policy-rc.d refuses every start
# during the install, and every unit or init script the install enabled is
# disabled again and stopped (docs/decisions.md ADR-039). The tests start
# their own instances on 127.0.0.1 from their own configuration.
set -eu
MODULES=${MODULES:-}
PACKAGES=${PACKAGES:-}
TOOLS=${TOOLS:-}
PYMODULES=${PYMODULES:-}
PROBE=${PROBE:-}
PROBE_PACKAGES=${PROBE_PACKAGES:-}

missing=""
why=""
if [ -n "$MODULES" ]; then
	if ! command -v pkg-config >/dev/null 2>&1; then
		missing="$PACKAGES"
		why="pkg-config is missing"
	else
		for m in $MODULES; do
			pkg-config --exists "$m" || why="$why $m"
		done
		[ -n "$why" ] && missing="$PACKAGES" && why="pkg-config cannot find:$why"
	fi
fi
for pair in $TOOLS; do
	if ! command -v "${pair%%=*}" >/dev/null 2>&1 && ! [ -x "/usr/sbin/${pair%%=*}" ]; then
		missing="$missing ${pair#*=}"
		why="$why ${pair%%=*}"
	fi
done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
for pair in $PYMODULES; do
	if ! "$PY" -c "import ${pair%%=*}" >/dev/null 2>&1; then
		missing="$missing ${pair#*=}"
		why="$why python:${pair%%=*}"
	fi
done
if [ -n "$PROBE" ] && ! sh -c "$PROBE" >/dev/null 2>&1; then
	missing="$missing $PROBE_PACKAGES"
	why="$why (probe failed: $PROBE)"
fi
[ -z "$missing" ] && exit 0

echo "fwseal: missing:$why"
if [ "${NO_DEPS:-0}" = 1 ]; then
	echo "fwseal: NO_DEPS=1: not installing; install the equivalents of:$missing" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "fwseal: no apt-get here; install the equivalents of:$missing" >&2
	exit 1
fi
echo "fwseal: installing with apt-get:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# What is enabled now (systemd units and SysV start links), to tell
# afterwards what this install enabled.
enabled_units() {
	for d in /etc/systemd/system/*.wants /etc/rc[2-5].d; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			echo "$f"
		done
	done | sort
}
before=$(mktemp)
after=$(mktemp)
policy_added=0
cleanup() {
	if [ "$policy_added" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
	rm -f "$before" "$after"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
enabled_units >"$before"
# invoke-rc.d asks policy-rc.d before starting anything: 101 = not allowed.
# A policy-rc.d of the machine's own is left alone (it already decides).
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# fwseal tests/deps.sh: no service starts during this install\nexit 101\n' |
		$SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 0755 /usr/sbin/policy-rc.d
	policy_added=1
fi
# Another apt-get (a second make, unattended upgrades) holds the lock: wait.
APT_OPTS="-o DPkg::Lock::Timeout=600"
$SUDO apt-get $APT_OPTS update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get $APT_OPTS install -y -qq $missing

# Disable and stop what the install enabled (systemd units and SysV links;
# a SysV script has a link in each runlevel: one message per service).
enabled_units >"$after"
comm -13 "$before" "$after" | while IFS= read -r link; do
	[ -e "$link" ] || [ -L "$link" ] || continue # gone with an earlier one
	unit=$(basename "$link")
	case "$link" in
	/etc/rc*)
		name=${unit#S[0-9][0-9]}
		$SUDO update-rc.d "$name" disable >/dev/null 2>&1 || true
		[ -x "/etc/init.d/$name" ] && { $SUDO "/etc/init.d/$name" stop >/dev/null 2>&1 || true; }
		for l in /etc/rc[2-5].d/S[0-9][0-9]"$name"; do
			[ -e "$l" ] || [ -L "$l" ] || continue
			$SUDO rm -f "$l"
		done
		;;
	*)
		if command -v systemctl >/dev/null 2>&1; then
			$SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
		fi
		[ -e "$link" ] || [ -L "$link" ] && $SUDO rm -f "$link"
		;;
	esac
	if [ -e "$link" ] || [ -L "$link" ]; then
		echo "fwseal: could not disable $link" >&2
		exit 1
	fi
	echo "fwseal: disabled $unit (enabled by the install; the tests start their own)"
done

for m in $MODULES; do
	pkg-config --exists "$m" || { echo "fwseal: $m still missing after apt-get" >&2; exit 1; }
done
for pair in $PYMODULES; do
	"$PY" -c "import ${pair%%=*}" >/dev/null 2>&1 ||
		{ echo "fwseal: python module ${pair%%=*} still missing after apt-get" >&2; exit 1; }
done
if [ -n "$PROBE" ] && ! sh -c "$PROBE" >/dev/null 2>&1; then
	echo "fwseal: still failing after apt-get: $PROBE" >&2
	exit 1
fi
echo "fwseal: installed:$missing"
