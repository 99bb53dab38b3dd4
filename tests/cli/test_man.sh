#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The roff man pages and the bash completions: the tools' pages and
# completions are exactly what their command tables generate
# (`PROG --help-man`, `PROG --help-completion`; regenerate with `make man`),
# every page reads without a warning in groff and man, and the completion
# offers exactly the commands and options the parser accepts.
# req: REQ-EVID-003, REQ-PKG-007
. "$(dirname "$0")/lib.sh"

MAN=$SRC_DIR/docs/man
version=$(cat "$SRC_DIR/VERSION")
for tool in fwseal fwseal-keys fwseal-verify; do
	"$BUILD/$tool" --help-man >"$tool.1" 2>/dev/null
	check "docs/man/$tool.1 is $tool --help-man (run make man after changing tools/)" \
		diff -u "$MAN/$tool.1" "$tool.1"
	"$BUILD/$tool" --help-completion >"$tool.bash" 2>/dev/null
	check "tools/completion/$tool is $tool --help-completion (run make man)" \
		diff -u "$SRC_DIR/tools/completion/$tool" "$tool.bash"
done

pages=(fwseal.1 fwseal-keys.1 fwseal-verify.1 libfwseal.3 fwseal-bundle.5 fwseal-system.conf.5)
for p in "${pages[@]}"; do
	check "$p: groff -man -ww -z prints no warning" \
		bash -c '[ -z "$(groff -man -ww -z "$0" 2>&1)" ]' "$MAN/$p"
	# What lintian runs on a page (its manpage checks), plus a look at the text.
	check "$p: man --warnings renders it without a warning, NAME first" bash -c \
		'out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$0" 2>&1 >/dev/null) &&
		 [ -z "$out" ] && MANWIDTH=80 man -l "$0" 2>/dev/null | grep -q "^NAME"' "$MAN/$p"
	check "$p: .TH names the section of its file name and fwseal $version" \
		grep -q "^\.TH [A-Z.-]* ${p##*.} \"\" \"fwseal $version\"" "$MAN/$p"
done
# The negative: the check above must see a broken page.
printf '.TH BROKEN 1\n.SH NAME\nbroken \\- x\n.BOGUS\n\\fBunclosed \\*[nosuchstring]\n' >broken.1
check "a page with an unknown macro and string is reported by groff -ww" \
	bash -c '[ -n "$(groff -man -ww -z broken.1 2>&1)" ]'

# Completion: as bash calls it, without the bash-completion package.
complete_words() { # PROG WORD... (the last is the one being completed)
	bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		"_${1//-/_}_complete"; printf "%s\n" "${COMPREPLY[@]}"' "$SRC_DIR/tools/completion/$1" "$@"
}
for tool in fwseal fwseal-keys fwseal-verify; do
	prog=$BUILD/$tool
	# The first words of the commands in `PROG --help`.
	"$prog" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z0-9-]*\).*/\1/p' | sort -u >cmds.want
	complete_words "$tool" "" | grep -v '^-' | grep -vx help | sort -u >cmds.got
	check "$tool: completes exactly the commands of $tool --help" diff -u cmds.want cmds.got
	# Every command: the options of its --help, no more, no fewer.
	"$prog" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z0-9-]*\( [a-z0-9-]*\)\{0,1\}\)  .*/\1/p' |
		sed 's/ *$//' >cmdlist
	bad=""
	while read -r cmd; do
		# shellcheck disable=SC2086
		"$prog" $cmd --help | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p' | sort -u >opts.want
		echo --help >>opts.want
		sort -u opts.want -o opts.want
		# shellcheck disable=SC2086
		complete_words "$tool" $cmd -- | sort -u >opts.got
		diff -q opts.want opts.got >/dev/null || bad="$bad [$cmd: $(diff opts.want opts.got | grep '^[<>]' | tr '\n' ' ')]"
	done <cmdlist
	check "$tool: every command completes exactly the options of its --help ($(wc -l <cmdlist) commands)" \
		test -z "$bad"
	[ -n "$bad" ] && echo "#   $bad"
done
mkdir -p cdir && touch cdir/keyfile.key
check "after --key (a file): file names" bash -c \
	'cd "$0" && [ "$(bash -c ". \"$1\"; COMP_WORDS=(fwseal sign --key cdir/k); COMP_CWORD=3; _fwseal_complete; echo \${COMPREPLY[*]}")" = cdir/keyfile.key ]' \
	"$PWD" "$SRC_DIR/tools/completion/fwseal"
check "after --device (a directory): directories only" bash -c \
	'cd "$0" && [ "$(bash -c ". \"$1\"; COMP_WORDS=(fwseal-verify install --device cd); COMP_CWORD=3; _fwseal_verify_complete; echo \${COMPREPLY[*]}")" = cdir ]' \
	"$PWD" "$SRC_DIR/tools/completion/fwseal-verify"
check "after --retries (a number): nothing offered" \
	test -z "$(complete_words fwseal-verify install --retries "")"
check "an unknown command: nothing offered" test -z "$(complete_words fwseal frobnicate --)"
check "fwseal-keys root <TAB>: the root subcommands" \
	test "$(complete_words fwseal-keys root "" | grep -v '^-' | tr '\n' ' ')" = "init new sign verify show "
finish
