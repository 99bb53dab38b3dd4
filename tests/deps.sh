#!/bin/sh
# Installs the Debian packages behind any pkg-config module that is missing.
# Used by `make deps` / `make test-deps`; MODULES and PACKAGES come from the Makefile.
set -eu
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
if [ -z "$missing" ]; then
	for m in $MODULES; do
		pkg-config --exists "$m" || missing="$missing $m"
	done
fi
[ -z "$missing" ] && exit 0
echo "fwseal: pkg-config cannot find:$missing"
echo "fwseal: installing build dependencies with apt-get: $PACKAGES"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "fwseal: no apt-get here; install the equivalents of: $PACKAGES" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PACKAGES
for m in $MODULES; do
	pkg-config --exists "$m" || { echo "fwseal: $m still missing after apt-get" >&2; exit 1; }
done
echo "fwseal: build dependencies installed"
