# SPDX-License-Identifier: Apache-2.0
# The permission checks as a normal user would meet them: the suite runs
# as root in CI, where reading any file and writing any directory always
# works. As root this file drops to the unprivileged uid 65534 (setpriv)
# for the checks below; as a normal user it runs them directly (the
# fixtures that need root-owned files are then skipped, loudly).
# req: REQ-FS-004
. "$(dirname "$0")/lib.sh"

U=65534
# The user may not reach the build or the source tree (a clone in /root):
# the tools (static over libfwseal) and lib.sh are copied where it can.
mkdir -p u/bin u/tests/cli
cp "$BUILD"/fwseal "$BUILD"/fwseal-keys "$BUILD"/fwseal-verify u/bin/ || die "copying the tools"
cp "$TESTS_CLI"/lib.sh u/tests/cli/ || die "copying lib.sh"
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || die "setpriv (util-linux) is needed to drop privileges"
	# Root-owned fixtures the unprivileged user must not be able to use.
	mkdir u/rootdir && chmod 0755 u/rootdir
	echo secret >u/rootdir/unreadable.json && chmod 0600 u/rootdir/unreadable.json
	chown -R "$U:$U" u
	chown root:root u/rootdir u/rootdir/unreadable.json
	# The work directory itself (mktemp, 0700 root) must let uid 65534 in.
	chmod 0711 .
	as_user() { setpriv --reuid=$U --regid=$U --clear-groups "$@"; }
	rooted=1
else
	as_user() { "$@"; }
	rooted=0
	skip "the checks against root-owned files" "not root"
fi

cat >u/inner.sh <<'INNER'
. "$TESTS_CLI/lib.sh"
make_key rootk
make_key rel
make_root root.json rootk rel
make_payload a.bin 20000
make_release v1.json 1.0.0 1 hw-a a.bin:a.bin:rootfs:4096
pack v1.fwb v1.json rel root.json
check "the unprivileged user owns what it made (key mode 0600)" \
	test "$(stat -c '%u %a' rel.key)" = "$(id -u) 600"
chmod 0640 rel.key
T="pack with a key the group may read" expect_exit 30 "$FWSEAL" pack --manifest v1.json \
	--key rel.key --root root.json --out x.fwb
chmod 0600 rel.key
T="the unprivileged life cycle: init" expect_ok "$FWVERIFY" init --device dev --root root.json \
	--hardware hw-a
check "the device directory is 0700" test "$(stat -c %a dev)" = 700
T="install" expect_ok "$FWVERIFY" install --device dev v1.fwb
T="boot" expect_ok "$FWVERIFY" boot --device dev
T="mark-good" expect_ok "$FWVERIFY" mark-good --device dev
cp -a dev devw && chmod 0777 devw
T="a world-writable device directory" expect_exit 41 "$FWVERIFY" status --device devw
if [ "$ROOTED" = 1 ]; then
	T="an input the user may not read" expect_exit 4 "$FWSEAL" verify \
		--root rootdir/unreadable.json v1.fwb
	check "the message keeps the system's reason" grep -q "Permission denied" "$LAST_ERR"
	T="an output in a directory the user may not write" expect_exit 4 "$FWSEAL" pack \
		--manifest v1.json --key rel.key --root root.json --out rootdir/x.fwb
	check "the message names the output and the reason" \
		grep -q "rootdir/x.fwb: cannot create: Permission denied" "$LAST_ERR"
	T="a device directory the user may not write" expect_exit 4 "$FWVERIFY" init \
		--device rootdir/dev --root root.json --hardware hw-a
	check "the message keeps the system's reason" grep -q "Permission denied" "$LAST_ERR"
fi
finish
INNER
as_user env BUILD="$PWD/u/bin" TESTS_CLI="$PWD/u/tests/cli" ROOTED=$rooted HOME=/nonexistent \
	bash -c 'cd u && exec bash inner.sh'
status=$?
[ $status -le 1 ] || die "the unprivileged part stopped early (exit $status)"
if [ "$rooted" = 1 ]; then
	# Seen from root: a set directory that belongs to someone else.
	"$FWVERIFY" init --device rdev --root u/root.json --hardware hw-a >/dev/null 2>&1 ||
		die "init rdev"
	chown $U rdev/b
	T="root refuses a set directory the unprivileged user owns" expect_exit 41 "$FWVERIFY" \
		install --device rdev u/v1.fwb
	check "the message names the owner" grep -q "owned by uid $U, not by the device's owner 0" \
		"$LAST_ERR"
fi
finish
