#!/bin/sh
# Installs the Debian package behind each missing command. TOOLS is a list of
# command=package pairs (e.g. "valgrind=valgrind cppcheck=cppcheck").
set -eu
missing=""
for pair in $TOOLS; do
	command -v "${pair%%=*}" >/dev/null 2>&1 || missing="$missing ${pair#*=}"
done
[ -z "$missing" ] && exit 0
echo "fwseal: installing with apt-get:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "fwseal: no apt-get here; install:$missing" >&2
	exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
