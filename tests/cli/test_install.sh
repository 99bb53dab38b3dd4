#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make install` as a distribution packager uses it (docs/packaging.md):
# every directory variable honoured (a multiarch LIBDIR too), .pc files that
# name the real directories, versioned shared libraries with their soname,
# man pages `man` finds, completions, the SBOM; never the deps step
# (apt-get); CPPFLAGS/CFLAGS/LDFLAGS on the compile and link lines; -Werror
# only when asked; the version from the VERSION file and a commit only from
# the tree's own git checkout; `make uninstall` leaves no file behind.
. "$(dirname "$0")/lib.sh"

inst=$PWD/inst
# expect_step_fails CMD...: CMD (a script, not a fwseal tool) fails and says why.
expect_step_fails() {
	if "$@" >"$LAST_OUT" 2>"$LAST_ERR"; then
		not_ok "$T" "succeeded"
	elif [ -s "$LAST_ERR" ] && [ ! -e gone/sbom.json ]; then
		ok "$T ($(head -n 1 "$LAST_ERR"))"
	else
		not_ok "$T" "no message, or an output written" "$(cat "$LAST_ERR")"
	fi
}
multiarch=/usr/lib/x86_64-linux-gnu
# Every variable away from its default, so that one ignored shows.
DIRS=(PREFIX=/usr BINDIR=/usr/sbin LIBDIR=$multiarch INCLUDEDIR=/opt/fw/include
	PKGCONFIGDIR=/opt/fw/pkgconfig DATADIR=/opt/fw/share MANDIR=/opt/fw/man)
version=$(cat "$SRC_DIR/VERSION")

# ---- make install never reaches the deps step ----
# req: REQ-PKG-002
# A packager's apt-get and sudo that only record being called: install must
# never reach them (tests/deps.sh is the deps step's).
mkdir -p stub
for t in apt-get sudo; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/stub/called"\nexit 1\n' "$t" "$PWD" >"stub/$t"
	chmod +x "stub/$t"
done

# -o all: install what is built; other tests run meanwhile.
PATH=$PWD/stub:$PATH make -s -C "$SRC_DIR" -o all BUILD="$BUILD" DESTDIR="$inst" "${DIRS[@]}" \
	install >"$T_DIR/install.log" 2>&1 || die "make install: $(tail -n 5 "$T_DIR/install.log")"
check "make install never calls apt-get or sudo (NO_DEPS implied)" test ! -e stub/called
# The deps step may still run, as a check only (NO_DEPS=1: tests/deps.sh says
# what is missing and installs nothing); nothing in the recipe installs.
check "make -n install runs no apt-get" \
	bash -c '! make -n -C "$0" -o all BUILD="$1" DESTDIR=/nonexistent install | grep -E "apt-get|sudo"' \
	"$SRC_DIR" "$BUILD"

# ---- what make install installed ----
# req: REQ-PKG-003
check "the tools in BINDIR" test -x "$inst/usr/sbin/fwseal" -a -x "$inst/usr/sbin/fwseal-keys" \
	-a -x "$inst/usr/sbin/fwseal-verify"
for l in fwseal-core fwseal-device fwseal; do
	real=$inst$multiarch/lib$l.so.0.${version#*.}
	check "lib$l: the file lib$l.so.0.${version#*.} in the multiarch LIBDIR" test -f "$real" -a ! -L "$real"
	check "lib$l: its soname is lib$l.so.0" \
		bash -c 'readelf -d "$0" | grep -q "(SONAME).*\[$1\]"' "$real" "lib$l.so.0"
	check "lib$l: lib$l.so.0 -> lib$l.so.0.${version#*.}, lib$l.so -> lib$l.so.0" \
		test "$(readlink "$inst$multiarch/lib$l.so.0")" = "lib$l.so.0.${version#*.}" -a \
		"$(readlink "$inst$multiarch/lib$l.so")" = "lib$l.so.0"
	check "lib$l: static library in LIBDIR" test -f "$inst$multiarch/lib$l.a"
	pcf=$inst/opt/fw/pkgconfig/lib$l.pc
	check "lib$l.pc in PKGCONFIGDIR says libdir $multiarch (not \${prefix}/lib)" \
		test "$(pkg-config --variable=libdir "$pcf")" = "$multiarch"
	check "lib$l.pc says includedir /opt/fw/include and version $version" \
		test "$(pkg-config --variable=includedir "$pcf")" = /opt/fw/include -a \
		"$(pkg-config --modversion "$pcf")" = "$version"
done
check "the headers in INCLUDEDIR/fwseal" test -f "$inst/opt/fw/include/fwseal/fwseal.h"

# A program built against the installed tree through pkg-config alone (the
# staged root as PKG_CONFIG_SYSROOT_DIR) runs with the installed library.
cat >prog.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include "fwseal/fwseal.h"
int main(void)
{
	if (fws_init() != 0)
		return 1;
	printf("%s\n", fws_version());
	return strcmp(fws_version(), FWS_VERSION_STRING) != 0;
}
EOF
pcx() { PKG_CONFIG_SYSROOT_DIR=$inst PKG_CONFIG_PATH=$inst/opt/fw/pkgconfig pkg-config "$@"; }
# shellcheck disable=SC2046
if cc ${FWSEAL_SAN_FLAGS:-} -o prog prog.c $(pcx --cflags libfwseal-device) $(pcx --libs libfwseal-device) \
	2>"$T_DIR/cc.log"; then
	check "a program built with pkg-config against the installed libfwseal-device prints version $version" \
		test "$(LD_LIBRARY_PATH=$inst$multiarch ./prog)" = "$version"
else
	not_ok "build a program with the installed .pc files" "$(cat "$T_DIR/cc.log")"
fi

for page in man1/fwseal.1 man1/fwseal-keys.1 man1/fwseal-verify.1 man3/libfwseal.3 \
	man5/fwseal-bundle.5 man5/fwseal-system.conf.5; do
	check "man page $page in MANDIR" test -s "$inst/opt/fw/man/$page"
done
check "man finds fwseal(1) and fwseal-system.conf(5) in MANDIR" bash -c \
	'MANWIDTH=80 man -M "$0" 1 fwseal | grep -q "fwseal pack" &&
	 MANWIDTH=80 man -M "$0" 5 fwseal-system.conf | grep -q "hardware-id"' "$inst/opt/fw/man"
for t in fwseal fwseal-keys fwseal-verify; do
	check "bash completion for $t in DATADIR/bash-completion/completions" \
		test -s "$inst/opt/fw/share/bash-completion/completions/$t"
done
# ---- the SBOM ----
# req: REQ-PKG-008, REQ-PKG-003
sodium=$(dpkg-query -W -f '${Package} ${Version}' 'libsodium[0-9]*' 2>/dev/null | head -n 1)
check "the SBOM in DATADIR/doc/fwseal names fwseal $version and every library with its package version" \
	python3 - "$inst/opt/fw/share/doc/fwseal/sbom.cdx.json" "$version" "$sodium" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["bomFormat"] == "CycloneDX" and d["specVersion"] == "1.5"
top = d["metadata"]["component"]
assert top["name"] == "fwseal" and top["version"] == sys.argv[2], top
assert d["metadata"]["timestamp"], "no timestamp"
comps = {c["bom-ref"]: c for c in d["components"]}
for c in comps.values():
    for field in ("name", "version", "purl", "supplier"):
        assert c.get(field), (c, field)
names = {c["name"]: c for c in comps.values()}
deps = {e["ref"]: e["dependsOn"] for e in d["dependencies"]}
assert set(deps) == set(comps) | {top["bom-ref"]}, "a component without its dependency entry"
for ref, on in deps.items():
    assert set(on) <= set(comps), (ref, "depends on an unknown ref")
if sys.argv[3]:  # a dpkg machine: the package and version dpkg has
    pkg, ver = sys.argv[3].split(" ", 1)
    assert names[pkg]["version"] == ver, (names[pkg], ver)
    assert names[pkg]["purl"].startswith("pkg:deb/debian/" + pkg + "@"), names[pkg]
    assert names[pkg]["bom-ref"] in deps[top["bom-ref"]], "fwseal does not depend on libsodium"
    assert any(n.startswith("libcurl") for n in names), "libcurl (loaded at run time) missing"
PY
# A library the loader cannot find must fail the SBOM, not leave it out.
mkdir -p gone && printf 'int gone(void) { return 0; }\n' >gone/g.c &&
	printf 'int gone(void);\nint main(void) { return gone(); }\n' >gone/m.c &&
	cc -shared -fPIC -o gone/libgone.so gone/g.c && cc -o gone/prog gone/m.c -Lgone -lgone &&
	rm gone/libgone.so || die "building the program with a missing library"
T="make sbom: a program whose library is missing fails the SBOM (nothing written)" \
	expect_step_fails env VERSION="$version" sh "$SRC_DIR/tools/sbom.sh" gone/sbom.json gone/prog

# ---- make uninstall ----
# req: REQ-PKG-003
make -s -C "$SRC_DIR" -o all BUILD="$BUILD" DESTDIR="$inst" "${DIRS[@]}" uninstall \
	>"$T_DIR/uninstall.log" 2>&1 || not_ok "make uninstall" "$(tail -n 5 "$T_DIR/uninstall.log")"
left=$(find "$inst" ! -type d)
check "make uninstall leaves no file or link behind" test -z "$left"
[ -n "$left" ] && echo "$left" | sed 's/^/#   left: /'
check "make uninstall removes fwseal's own directories" \
	test ! -e "$inst/opt/fw/include/fwseal" -a ! -e "$inst/opt/fw/share/doc/fwseal"

# ---- the distribution's flags ----
# req: REQ-PKG-004
# The flags a distribution passes reach every compile and link line (make
# -n: nothing is built); -Werror only with WERROR=1.
lines=$(make -n -B -C "$SRC_DIR" BUILD="$PWD/flags-build" V=1 CPPFLAGS=-DFWS_MARK_CPPFLAGS \
	CFLAGS="-O2 -DFWS_MARK_CFLAGS" LDFLAGS=-Wl,-z,fwsmarkldflags \
	"$PWD/flags-build/fwseal" "$PWD/flags-build/libfwseal.so.0" 2>&1)
compiles=$(grep -E '(^| )-c ' <<<"$lines")
links=$(grep -E ' -o [^ ]*/(fwseal|libfwseal\.so[.0-9]*)( |$)' <<<"$lines" | grep -v -E '(^| )-c ')
check "CPPFLAGS and CFLAGS on every compile line ($(wc -l <<<"$compiles") lines)" bash -c \
	'[ -n "$0" ] && ! grep -v -e "-DFWS_MARK_CPPFLAGS .*-DFWS_MARK_CFLAGS" <<<"$0"' "$compiles"
check "LDFLAGS on the program and shared library link lines" bash -c \
	'[ "$(wc -l <<<"$0")" -ge 2 ] && ! grep -v -e "-Wl,-z,fwsmarkldflags" <<<"$0"' "$links"
check "no -Werror in a plain build" bash -c '! grep -q -e "-Werror" <<<"$0"' "$compiles"
check "WERROR=1 adds -Werror" bash -c 'make -n -B -C "$0" BUILD="$1" V=1 WERROR=1 "$1/fwseal" |
	grep -E "(^| )-c " | grep -q -e "-Werror"' "$SRC_DIR" "$PWD/flags-build"
check "make check compiles with -Werror (the project's own checks)" bash -c \
	'make -n -B -C "$0" BUILD="$1" V=1 check 2>/dev/null | grep -E "(^| )-c " | grep -q -e "-Werror"' \
	"$SRC_DIR" "$PWD/flags-build"

# ---- the version ----
# req: REQ-PKG-006
# The version: the VERSION file, the public header and --version agree.
check "VERSION, FWS_VERSION_STRING and fwseal --version agree ($version)" bash -c \
	'grep -q "#define FWS_VERSION_STRING \"$1\"" "$0/include/fwseal/fwseal.h" &&
	 "$2" --version | grep -q "^fwseal $1 "' "$SRC_DIR" "$version" "$FWSEAL"
check "packaging/debian/changelog names VERSION ($version) as its upstream version" \
	grep -q "^fwseal ($version-[0-9][^)]*) " "$SRC_DIR/packaging/debian/changelog"
# A tarball unpacked inside some other git repository: no commit of that
# repository, no "-dirty" (the commit comes only from the tree's own checkout).
mkdir -p outer/fwseal-"$version"
git -C outer init -q 2>/dev/null && (cd "$SRC_DIR" && cp -r Makefile VERSION include lib tools \
	"$OLDPWD/outer/fwseal-$version/") || die "copying the tree"
line=$(make -n -B -C "outer/fwseal-$version" BUILD="$PWD/tar-build" V=1 \
	"$PWD/tar-build/tools/cli_opts.o" 2>&1)
check "a tarball build inside another repository names no commit (FWS_GIT_COMMIT empty)" \
	grep -q "FWS_GIT_COMMIT='\"\"'" <<<"$line"
if git -C "$SRC_DIR" rev-parse --show-toplevel >/dev/null 2>&1; then
	check "a build in the git checkout names its commit" bash -c \
		'make -n -B -C "$0" BUILD="$1" V=1 "$1/tools/cli_opts.o" | grep -q "FWS_GIT_COMMIT=.\"[0-9a-f]\{12\}"' \
		"$SRC_DIR" "$PWD/git-build"
else
	ok "a build in the git checkout names its commit # SKIP the source is not a git checkout"
fi

# ---- one spelling of the build directory (ADR-088) ----
# req: REQ-PKG-004
# An install with BUILD=$PWD/build (as above) and a plain `make` must name the
# same targets, or each one's .d files hide header changes from the other and
# stale objects get linked.
for spelling in "$SRC_DIR/build" "$SRC_DIR/./build/" "build/"; do
	check "BUILD=$spelling compiles to build/lib/core/init.o, as BUILD=build does" bash -c \
		'make -n -B -C "$0" BUILD="$1" V=1 build/lib/core/init.o 2>&1 |
		 grep -e "-c lib/core/init.c" | grep -q -e " -o build/lib/core/init.o\( \|$\)"' \
		"$SRC_DIR" "$spelling"
done
# A build directory whose objects were made under another spelling (before
# ADR-088, or moved since): their .d files are no guide, so they are remade.
mkdir -p stale-build/lib/core
sb=$(cd stale-build && pwd -P)
echo /elsewhere/build >stale-build/spelling.stamp
touch stale-build/lib/core/init.o
check "an object made under another spelling of the build directory is remade" bash -c \
	'make -n -C "$0" BUILD="$1" "$1/lib/core/init.o" 2>&1 | grep -q -e "-c lib/core/init.c"' \
	"$SRC_DIR" "$sb"
echo "$sb" >stale-build/spelling.stamp
touch stale-build/lib/core/init.o
check "an object made under this spelling is not remade" bash -c \
	'! make -n -C "$0" BUILD="$1" "$1/lib/core/init.o" 2>&1 | grep -q -e "-c lib/core/init.c"' \
	"$SRC_DIR" "$sb"
finish
