#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# First contact, proven: the README's two commands on a fresh Debian 12
# machine, each run exactly once and required to pass the first time.
#
# Builds a fresh Debian root with mmdebstrap (minbase plus what a developer's
# new machine has: build-essential, git, ca-certificates, sudo), copies a
# clean clone of this repository into it (and ../shared beside it when that
# exists), then, chrooted, runs `make demo` and after it `make check` from
# that clone, as root like CI. Nothing was installed for fwseal in that root
# beforehand: both commands must install what they need themselves.
# Afterwards it checks that the dependency steps left no service enabled and
# no process of the root running, prints both times, and removes its mounts
# and the root (also when interrupted).
# req: REQ-PKG-001
# (CI only: docs/traceability.md links this script but records no result of it.)
#
#   sh tests/fresh_machine.sh            # .ci/run runs it
#   KEEP=1 sh tests/fresh_machine.sh     # keep the root (its path is printed)
#   SUITE=bookworm (default) MIRROR= (default: mmdebstrap's, from apt's config)
# Needs: root, mmdebstrap (installed by tests/deps.sh when missing), git,
# the Debian mirror through apt's own configuration, ~2 GB in /var/tmp.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-}

if [ "$(id -u)" -ne 0 ]; then
	echo "fresh_machine: needs root (mmdebstrap, chroot, mounts)" >&2
	exit 1
fi
TOOLS="mmdebstrap=mmdebstrap git=git" sh "$SRC/tests/deps.sh"

ROOT=$(mktemp -d "${FRESH_DIR:-/var/tmp}/fwseal-fresh.XXXXXX")
mounted=""
cleanup() {
	status=$?
	# Processes left in the root (a failed run) would hold the mounts.
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	for m in $mounted; do umount -l "$ROOT$m" 2>/dev/null || true; done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "fresh_machine: kept $ROOT"
	else
		rm -rf --one-file-system "$ROOT"
	fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

elapsed() { echo $(($(date +%s) - $1)); }

echo "== fresh_machine: mmdebstrap $SUITE into $ROOT"
t0=$(date +%s)
# shellcheck disable=SC2086 # MIRROR may be empty or several words
mmdebstrap --quiet --variant=minbase --include=build-essential,git,ca-certificates,sudo \
	"$SUITE" "$ROOT" $MIRROR
t_root=$(elapsed "$t0")

# What a machine needs to run: the kernel's file systems (tests use loop
# devices, mount a tmpfs, read /proc) and name resolution for apt-get.
for m in /proc /sys /dev /dev/pts; do
	mkdir -p "$ROOT$m"
done
mount -t proc proc "$ROOT/proc" && mounted="/proc $mounted"
mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys" && mounted="/sys $mounted"
mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev" && mounted="/dev $mounted"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
# The network's own trust: CA certificates this machine's administrator
# added (e.g. a TLS-inspecting proxy in front of the npm registry) are the
# network's, not fwseal's; a developer's machine on this network has them.
# Nothing else of this machine is carried over.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
	mkdir -p "$ROOT/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
	chroot "$ROOT" update-ca-certificates >/dev/null
fi

# A clean clone (what CI and a new user have), with ../shared beside it.
mkdir -p "$ROOT/src"
git clone --quiet --no-hardlinks "$SRC" "$ROOT/src/fwseal"
[ -d "$SRC/../shared" ] && cp -r "$SRC/../shared" "$ROOT/src/shared"

enabled_services() {
	(cd "$ROOT" && ls -d etc/systemd/system/*.wants/* etc/rc[2-5].d/S* 2>/dev/null) | sort
}
services_before=$(enabled_services)

# One command in the root, with a clean environment (no PATH from here: the
# host's pyenv or CI variables must not leak in); CI=true is kept, so the
# tests that must not skip in CI say so.
in_root() {
	chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c "cd /src/fwseal && $1"
}

echo "== fresh_machine: make demo (first run on the fresh root)"
t0=$(date +%s)
if ! in_root "make demo"; then
	echo "fresh_machine: FAILED: make demo did not pass on its first run ($(elapsed "$t0") s)" >&2
	exit 1
fi
t_demo=$(elapsed "$t0")

echo "== fresh_machine: make check (first run on the fresh root)"
t0=$(date +%s)
if ! in_root "make check"; then
	echo "fresh_machine: FAILED: make check did not pass on its first run ($(elapsed "$t0") s)" >&2
	exit 1
fi
t_check=$(elapsed "$t0")

# The test dependencies (nginx, lighttpd, ...) must not have left a service
# enabled, nor anything of the root running.
services_after=$(enabled_services)
if [ "$services_before" != "$services_after" ]; then
	echo "fresh_machine: FAILED: the dependency steps enabled services:" >&2
	printf '%s\n' "$services_after" | grep -vxF "$services_before" >&2 || true
	exit 1
fi
left=""
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && left="$left $(cat "$p/comm" 2>/dev/null)"
done
if [ -n "$left" ]; then
	echo "fresh_machine: FAILED: processes of the fresh root still running:$left" >&2
	exit 1
fi

echo "fresh_machine: fresh $SUITE root ${t_root} s; make demo ${t_demo} s (first run, deps included);" \
	"make check ${t_check} s (first run, test deps included); no service enabled or left running"
