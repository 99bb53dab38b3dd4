#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The proof that a distribution can ship fwseal (docs/packaging.md,
# ADR-056): the Debian packages libfwseal0, libfwseal-dev and fwseal built
# with dpkg-buildpackage from a copy of the tree (packaging/debian copied to
# debian/, the build outside any git checkout, as from a release tarball),
# checked by lintian (no error, no warning but the ones overridden with a
# reason in packaging/debian/*.lintian-overrides), unpacked into a scratch
# root (dpkg -x: never this machine's own root), and used from there: the
# tools run, man finds the pages, docs/examples/*.c build against the
# installed .pc files alone and install a bundle the packaged fwseal packed.
# Slow (a full build with the distribution's flags): make check-long.
# req: REQ-PKG-005
. "$(dirname "$0")/lib.sh"

for t in dpkg-buildpackage dh lintian fakeroot; do
	command -v "$t" >/dev/null 2>&1 || die "$t missing (make check-long installs it: tests/deps.sh)"
done
version=$(cat "$SRC_DIR/VERSION")
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

# A copy of the tree without build outputs or git, like an unpacked tarball.
src=$PWD/fwseal-$version
mkdir -p "$src"
tar -C "$SRC_DIR" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$src" -xf - ||
	die "copying the tree"
cp -r "$src/packaging/debian" "$src/debian" || die "copying packaging/debian"

check "debian/changelog's upstream version is VERSION ($version)" \
	bash -c '[ "$(cd "$0" && dpkg-parsechangelog -SVersion | sed "s/-[^-]*$//")" = "$1" ]' "$src" "$version"

start=$(date +%s)
# Nothing of the calling make (make check-long SANITIZE=1 ...) or of lib.sh
# reaches the package build.
(cd "$src" && unset SOURCE_DATE_EPOCH BUILD MAKEFLAGS MFLAGS MAKELEVEL && DEB_BUILD_OPTIONS="parallel=2" dpkg-buildpackage -us -uc -b) >build.log 2>&1
status=$?
echo "# note: dpkg-buildpackage took $(($(date +%s) - start)) s"
if [ $status -ne 0 ]; then
	not_ok "dpkg-buildpackage -us -uc -b builds the packages" "$(tail -n 30 build.log)"
	finish
fi
ok "dpkg-buildpackage -us -uc -b builds the packages"
deb() { ls "$PWD/$1_"*"_$arch.deb" 2>/dev/null | head -n 1; }
for p in libfwseal0 libfwseal-dev fwseal; do
	check "package $p built" test -n "$(deb "$p")"
done
[ -n "$(deb fwseal)" ] && [ -n "$(deb libfwseal0)" ] && [ -n "$(deb libfwseal-dev)" ] ||
	die "packages missing: $(ls ./*.deb 2>&1)"

# ---- the distribution's flags ----
# req: REQ-PKG-004
# The distribution's flags reached every compile and link line.
want_cflags=$(cd "$src" && DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS)
want_ldflags=$(cd "$src" && DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)
compiles=$(grep -E "gcc .* -c (lib|tools)/" build.log)
missing=""
for f in $want_cflags; do
	case $f in -ffile-prefix-map=*) continue ;; esac # spelled with the build path
	grep -v -q -F -e " $f" <<<"$compiles" && missing="$missing $f"
done
check "every compile line has dpkg-buildflags' CFLAGS ($(wc -l <<<"$compiles") lines)" \
	test -n "$compiles" -a -z "$missing"
[ -n "$missing" ] && echo "#   missing on some line:$missing"
links=$(grep -E "gcc .* -o build/(fwseal|fwseal-keys|fwseal-verify|lib[a-z-]*\.so[.0-9]*) " build.log |
	grep -v -E ' -c ')
missing=""
for f in $want_ldflags; do
	grep -v -q -F -e "$f" <<<"$links" && missing="$missing $f"
done
check "every link line has dpkg-buildflags' LDFLAGS ($(wc -l <<<"$links") lines)" \
	test "$(wc -l <<<"$links")" -ge 6 -a -z "$missing"
check "no -Werror outside dpkg's own -Werror=format-security" \
	bash -c '! grep -E "gcc .* -c " "$0" | sed "s/-Werror=format-security//g" | grep -q -e "-Werror"' build.log
check "the build never ran apt-get" bash -c '! grep -q "installing with apt-get" "$0"' build.log

# ---- lintian ----
# lintian: errors and warnings fail; every override says why. Info tags are
# shown. (--show-overrides would make lintian fail on overridden tags.)
lintian --fail-on error,warning --display-info "$(deb libfwseal0)" \
	"$(deb libfwseal-dev)" "$(deb fwseal)" >lintian.log 2>&1
lstatus=$?
check "lintian: no error and no warning that is not overridden" test $lstatus -eq 0
grep -E '^[EW]: ' lintian.log | sed 's/^/#   /'
grep -E '^[IPO]: |^N: ' lintian.log | sed 's/^/# note: lintian: /'
for o in "$src"/debian/*.lintian-overrides; do
	[ -f "$o" ] || continue
	check "$(basename "$o"): every override follows a comment saying why" \
		awk '/^#/ { why = 1; next } /^[ \t]*$/ { next } !why { bad = 1 } { why = 0 } END { exit bad }' "$o"
done
check "lintian's manual-page checks found nothing that is not overridden" \
	bash -c '! grep -E "^[EWI]: .*(manpage|manual-page)" "$0"' lintian.log

# ---- unpacked into a scratch root ----
# The scratch root: dpkg -x only unpacks; nothing touches this machine.
root=$PWD/root
for p in libfwseal0 libfwseal-dev fwseal; do
	dpkg -x "$(deb "$p")" "$root" || die "dpkg -x $p"
done
lib=$root/usr/lib/$multiarch
for l in fwseal-core fwseal-device fwseal; do
	check "libfwseal0 ships lib$l.so.0 -> lib$l.so.0.${version#*.}" \
		test "$(dpkg -c "$(deb libfwseal0)" | grep -c "lib$l\.so\.0")" -ge 2 -a \
		-f "$lib/lib$l.so.0.${version#*.}"
	check "libfwseal-dev ships lib$l.so, lib$l.a and lib$l.pc (libdir /usr/lib/$multiarch)" \
		test -L "$lib/lib$l.so" -a -f "$lib/lib$l.a" -a \
		"$(pkg-config --variable=libdir "$lib/pkgconfig/lib$l.pc")" = "/usr/lib/$multiarch"
done
check "libfwseal0 holds nothing but the shared libraries (and its docs, overrides)" bash -c \
	'! dpkg -c "$0" | awk "{ print \$6 }" | grep -v -E "^\./usr/lib/$1/libfwseal[a-z-]*\.so\.0|^\./usr/share/(doc|lintian/overrides)/|/$"' \
	"$(deb libfwseal0)" "$multiarch"

# ---- the packaged tools: the version ----
# req: REQ-PKG-006
# The tools from the package: a release build names no git commit.
FW=$root/usr/bin/fwseal
check "the packaged fwseal --version says $version, no commit, no -dirty" bash -c \
	'v=$("$0" --version) && echo "$v" && [[ $v == "fwseal $1 "* ]] && [[ $v != *commit* ]] && [[ $v != *dirty* ]]' \
	"$FW" "$version"
# ---- the packaged tools: hardened ----
# req: REQ-PKG-004
check "the packaged tools are PIE with full RELRO (BIND_NOW)" bash -c \
	'for t in "$@"; do readelf -h "$t" | grep -q "DYN" && readelf -l "$t" | grep -q GNU_RELRO &&
	 readelf -d "$t" | grep -q -E "BIND_NOW|FLAGS_1.*NOW" || exit 1; done' \
	"$FW" "$root/usr/bin/fwseal-keys" "$root/usr/bin/fwseal-verify"
# ---- the packaged tools at work ----
check "the packaged fwseal selftest passes" "$FW" selftest
for page in man1/fwseal.1 man1/fwseal-keys.1 man1/fwseal-verify.1 man3/libfwseal.3 \
	man5/fwseal-bundle.5 man5/fwseal-system.conf.5; do
	sec=${page%%/*} name=${page##*/}
	check "man reads the packaged $page" bash -c \
		'MANWIDTH=80 man -M "$0" "$1" "$2" | grep -q "^NAME"' "$root/usr/share/man" "${sec#man}" "${name%.*}"
done
check "man -M finds fwseal(1) and fwseal-bundle(5) by name" bash -c \
	'MANWIDTH=80 man -M "$0" 1 fwseal | grep -q "fwseal pack" &&
	 MANWIDTH=80 man -M "$0" 5 fwseal-bundle | grep -q "manifest.json"' "$root/usr/share/man"
check "bash completion packaged for the three tools" test -s \
	"$root/usr/share/bash-completion/completions/fwseal" -a -s \
	"$root/usr/share/bash-completion/completions/fwseal-keys" -a -s \
	"$root/usr/share/bash-completion/completions/fwseal-verify"
# ---- the packaged SBOM ----
# req: REQ-PKG-008
check "the packaged SBOM names libsodium as the build machine has it" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = {c["name"]: c for c in d["components"]}
s = [c for n, c in names.items() if n.startswith("libsodium")]
assert s and s[0]["purl"].startswith("pkg:deb/debian/libsodium"), sorted(names)' \
	"$root/usr/share/doc/fwseal/sbom.cdx.json"

# ---- the examples against the package ----
# docs/examples against the installed pkg-config files alone.
export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_LIBDIR=$lib/pkgconfig:/usr/lib/$multiarch/pkgconfig:/usr/share/pkgconfig
key=$PWD/release.key
cp "$SRC_DIR/keys-example/release.key" "$key" && chmod 600 "$key" || die "copying the demo key"
head -c 300000 /dev/urandom >a.bin && head -c 70000 /dev/urandom >b.bin || die "payloads"
cat >release.json <<EOF
{"product": "pkgtest", "version": "1.0.0", "security_version": 1, "hardware": ["hw-a"],
 "payloads": [{"name": "a.bin", "file": "a.bin", "target": "rootfs"},
              {"name": "b.bin", "file": "b.bin", "target": "kernel"}]}
EOF
# The example root was made in 2026-11: the clock, not lib.sh's 2023.
FWSEAL_PASSPHRASE=fwseal-demo SOURCE_DATE_EPOCH=$(date +%s) "$FW" pack --manifest release.json --key "$key" \
	--root "$SRC_DIR/keys-example/root.json" --out v1.fwb >"$T_DIR/pack.log" 2>&1 ||
	die "packaged fwseal pack: $(cat "$T_DIR/pack.log")"
for ex in "$SRC_DIR"/docs/examples/*.c; do
	name=$(basename "$ex" .c)
	# shellcheck disable=SC2046
	if cc -o "$name" "$ex" $(pkg-config --cflags --libs libfwseal-device) 2>"$T_DIR/cc.log"; then
		ok "docs/examples/$name.c builds with pkg-config --cflags --libs libfwseal-device (installed tree)"
	else
		not_ok "docs/examples/$name.c builds against the installed tree" "$(cat "$T_DIR/cc.log")"
		continue
	fi
	check "$name links the packaged libfwseal-device.so.0" bash -c \
		'LD_LIBRARY_PATH=$1 ldd "$0" | grep -q "libfwseal-device.so.0 => $1/"' "$PWD/$name" "$lib"
done
if [ -x custom_backends ]; then
	T="the example, built against the package, installs a bundle the packaged fwseal packed" \
		LD_LIBRARY_PATH="$lib" expect_ok ./custom_backends "$SRC_DIR/keys-example/root.json" hw-a v1.fwb
	check "its partition holds the payloads back to back" cmp slot-b.img <(cat a.bin b.bin)
	cp v1.fwb bad.fwb
	printf 'X' | dd of=bad.fwb bs=1 seek=100000 conv=notrunc 2>/dev/null
	T="the example refuses a tampered bundle" \
		LD_LIBRARY_PATH="$lib" expect_exit 1 ./custom_backends "$SRC_DIR/keys-example/root.json" hw-a bad.fwb
fi
finish
