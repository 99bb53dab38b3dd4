#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fwseal's own SBOM (`make sbom`): CycloneDX 1.5 JSON naming fwseal and every
# shared library its programs and libraries load, with the version this
# machine has, so that a manufacturer can match security advisories against
# what a build really links (docs/packaging.md).
#
#   VERSION=0.2.0 sh tools/sbom.sh OUT.json BINARY_OR_LIBRARY...
#
# What counts as loaded: everything `ldd` resolves for the given files (the
# whole closure: libarchive's libxml2 too), plus libcurl.so.4 and its own
# closure, which lib/net/curl_load.c opens at the first URL (ADR-038).
# Each library is named by the Debian package that owns its file
# (dpkg-query: purl pkg:deb/debian/NAME@VERSION?arch=ARCH, supplier = the
# package's maintainer); on a machine without dpkg by its soname, with
# purl pkg:generic/SONAME and no version claimed ("unknown"). The dependency
# graph follows each file's DT_NEEDED entries (readelf).
# SOURCE_DATE_EPOCH fixes the timestamp (same machine, same bytes).
# It lives in tools/ because it is part of building a release, not a test.
set -eu
out=${1:?usage: VERSION=V sh tools/sbom.sh OUT.json FILE...}
shift
: "${VERSION:?VERSION must be set (the Makefile passes the VERSION file)}"
[ $# -gt 0 ] || { echo "sbom.sh: no programs or libraries given" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fwseal-sbom.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Only what a JSON string can hold without escaping: a version or package
# name with anything else is refused rather than written half-escaped.
safe() {
	case "$1" in
	*[!A-Za-z0-9.+~:_@/=?%-]*) echo "sbom.sh: refusing unexpected characters in \"$1\"" >&2; exit 1 ;;
	esac
	printf '%s' "$1"
}
json_text() { # free text (a maintainer's name): backslash and quote escaped, controls dropped
	printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g'
}

# Every file loaded: SONAME<TAB>PATH, from ldd (not-found is an error: an
# SBOM must not silently miss a library).
closure() {
	ldd "$1" 2>/dev/null | awk -v f="$1" '
		/not found/ { print "sbom.sh: " f ": " $1 " not found" > "/dev/stderr"; bad = 1 }
		$2 == "=>" && $3 ~ /^\// { print $1 "\t" $3 }
		END { exit bad }'
}
for f in "$@"; do
	[ -e "$f" ] || { echo "sbom.sh: $f missing: build first" >&2; exit 1; }
	closure "$f" >>"$work/loaded"
	readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >>"$work/direct"
done
curl=$(ldconfig -p 2>/dev/null | awk '$1 == "libcurl.so.4" && $NF ~ /^\// { print $NF; exit }')
if [ -n "$curl" ]; then
	printf 'libcurl.so.4\t%s\n' "$curl" >>"$work/loaded"
	closure "$curl" >>"$work/loaded"
	echo libcurl.so.4 >>"$work/direct"
fi
sort -u "$work/loaded" -o "$work/loaded"
sort -u "$work/direct" -o "$work/direct"

# The package owning each file, in two dpkg-query calls (a usr-merged
# system registers either spelling of a path): PATH<TAB>PACKAGE.
: >"$work/owners"
if command -v dpkg-query >/dev/null 2>&1; then
	cut -f2 "$work/loaded" | while read -r p; do
		r=$(readlink -f "$p")
		for q in "$p" "$r" "${p#/usr}" "/usr$p" "${r#/usr}" "/usr$r"; do printf '%s\t%s\n' "$p" "$q"; done
	done | sort -u >"$work/spellings"
	# shellcheck disable=SC2046
	dpkg-query -S $(cut -f2 "$work/spellings" | sort -u) 2>/dev/null |
		sed -n 's/^\([^ :]*\(:[^ :]*\)\{0,1\}\): \(\/.*\)$/\3\t\1/p' >"$work/found" || true
	awk -F '\t' 'NR == FNR { pkg[$1] = $2; next } ($2 in pkg) && !($1 in done) {
		print $1 "\t" pkg[$2]; done[$1] = 1 }' "$work/found" "$work/spellings" >"$work/owners"
	# shellcheck disable=SC2046
	[ -s "$work/owners" ] && dpkg-query -W -f='${binary:Package}\t${Architecture}\t${Version}\t${Maintainer}\n' \
		$(cut -f2 "$work/owners" | sort -u) >"$work/pkginfo"
fi
# The distribution, as purl's distro qualifier (advisories are per release).
distro=$(. /etc/os-release 2>/dev/null && [ "${ID:-}" = debian ] && echo "&distro=debian-${VERSION_ID:-}" || true)

# One line per library: SONAME REF NAME VERSION PURL SUPPLIER PATH
while IFS="$(printf '\t')" read -r soname path; do
	pkg=$(awk -F '\t' -v p="$path" '$1 == p { print $2; exit }' "$work/owners")
	info=$([ -n "$pkg" ] && awk -F '\t' -v k="$pkg" '$1 == k || $1 == k ":" $2 { print; exit }' "$work/pkginfo")
	if [ -n "$info" ]; then
		name=${pkg%%:*}
		arch=$(printf '%s' "$info" | cut -f2)
		ver=$(printf '%s' "$info" | cut -f3)
		supplier=$(printf '%s' "$info" | cut -f4 | sed 's/ *<.*//')
		# purl: a '+' in a version is percent-encoded (purl-spec).
		purl="pkg:deb/debian/$(safe "$name" | sed 's/+/%2B/g')@$(safe "$ver" | sed 's/+/%2B/g')?arch=$(safe "$arch")$distro"
	else
		name=$soname ver=unknown supplier=unknown purl="pkg:generic/$(safe "$soname")"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$soname" "$purl" "$(safe "$name")" "$(safe "$ver")" \
		"$purl" "$supplier" "$(safe "$path")" >>"$work/libs"
done <"$work/loaded"

ts=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%dT%H:%M:%SZ)
ref_of() { awk -F '\t' -v s="$1" '$1 == s { print $2; exit }' "$work/libs"; }
# The refs that FILE... name in DT_NEEDED, but not SELF, as a JSON list body.
needed_refs() { # SELF FILE...
	self=$1
	shift
	for f in "$@"; do
		readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
	done | sort -u | while read -r n; do
		r=$(ref_of "$n")
		[ -n "$r" ] && [ "$r" != "$self" ] && printf '"%s"\n' "$r"
	done | sort -u | paste -sd, -
}
field() { awk -F '\t' -v r="$1" -v c="$2" '$2 == r { print $c }' "$work/libs"; }

fwref="pkg:generic/fwseal@$(safe "$VERSION")"
cut -f2 "$work/libs" | sort -u >"$work/refs"
{
	printf '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.5",\n  "version": 1,\n'
	printf '  "metadata": {\n    "timestamp": "%s",\n' "$ts"
	printf '    "tools": {"components": [{"type": "application", "name": "fwseal tools/sbom.sh", "version": "%s"}]},\n' "$(safe "$VERSION")"
	printf '    "authors": [{"name": "the fwseal project"}],\n'
	printf '    "component": {"type": "application", "bom-ref": "%s", "name": "fwseal", "version": "%s",\n' "$fwref" "$(safe "$VERSION")"
	printf '      "supplier": {"name": "the fwseal project"}, "purl": "%s",\n' "$fwref"
	printf '      "licenses": [{"license": {"id": "Apache-2.0"}}]}\n  },\n'
	printf '  "components": [\n'
	n=0
	while read -r ref; do
		[ $n -gt 0 ] && printf ',\n'
		n=$((n + 1))
		printf '    {"type": "library", "bom-ref": "%s", "name": "%s", "version": "%s", "purl": "%s",\n' \
			"$ref" "$(field "$ref" 3 | head -n 1)" "$(field "$ref" 4 | head -n 1)" "$ref"
		printf '     "supplier": {"name": "%s"},\n' "$(json_text "$(field "$ref" 6 | head -n 1)")"
		printf '     "properties": [%s]}' "$(field "$ref" 1 | sort -u | while read -r so; do
			printf '{"name": "fwseal:soname", "value": "%s"}\n' "$(safe "$so")"; done | paste -sd, -)"
	done <"$work/refs"
	printf '\n  ],\n  "dependencies": [\n'
	# fwseal: what its own files name (and libcurl, loaded on demand).
	direct=$(while read -r so; do r=$(ref_of "$so"); [ -n "$r" ] && printf '"%s"\n' "$r"; done \
		<"$work/direct" | sort -u | paste -sd, -)
	printf '    {"ref": "%s", "dependsOn": [%s]}' "$fwref" "$direct"
	while read -r ref; do
		# shellcheck disable=SC2046
		printf ',\n    {"ref": "%s", "dependsOn": [%s]}' "$ref" "$(needed_refs "$ref" $(field "$ref" 7))"
	done <"$work/refs"
	printf '\n  ]\n}\n'
} >"$work/sbom.json"
mv "$work/sbom.json" "$out"
