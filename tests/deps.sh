#!/bin/sh
# The one place that installs what the build and the tests need, with
# apt-get, and only what is missing. Used by `make deps`, `make test-deps`,
# `make fuzz-deps`, `make valgrind`, `make cppcheck`.
#   MODULES   pkg-config modules that must be found
#   PACKAGES  the Debian packages that provide them
#   TOOLS     command=package pairs (e.g. "python3=python3 flock=util-linux")
#   PROBE     a shell command that must succeed, else PROBE_PACKAGES are installed
set -eu
MODULES=${MODULES:-}
PACKAGES=${PACKAGES:-}
TOOLS=${TOOLS:-}
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
	if ! command -v "${pair%%=*}" >/dev/null 2>&1; then
		missing="$missing ${pair#*=}"
		why="$why ${pair%%=*}"
	fi
done
if [ -n "$PROBE" ] && ! sh -c "$PROBE" >/dev/null 2>&1; then
	missing="$missing $PROBE_PACKAGES"
	why="$why (probe failed: $PROBE)"
fi
[ -z "$missing" ] && exit 0

echo "fwseal: missing:$why"
echo "fwseal: installing with apt-get:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "fwseal: no apt-get here; install the equivalents of:$missing" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
for m in $MODULES; do
	pkg-config --exists "$m" || { echo "fwseal: $m still missing after apt-get" >&2; exit 1; }
done
if [ -n "$PROBE" ] && ! sh -c "$PROBE" >/dev/null 2>&1; then
	echo "fwseal: still failing after apt-get: $PROBE" >&2
	exit 1
fi
echo "fwseal: installed:$missing"
