# SPDX-License-Identifier: Apache-2.0
# The man pages are the tools' own help (kept once, in the command tables
# in tools/): docs/PROG.1.md must be exactly `PROG --help-markdown`.
# req: REQ-EVID-003
. "$(dirname "$0")/lib.sh"

for tool in fwseal fwseal-keys fwseal-verify; do
	"$BUILD/$tool" --help-markdown >"$tool.1.md" 2>/dev/null
	check "docs/$tool.1.md is $tool --help-markdown (regenerate it after changing tools/)" \
		diff -u "$SRC_DIR/docs/$tool.1.md" "$tool.1.md"
done
finish
