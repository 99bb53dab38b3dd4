# SPDX-License-Identifier: Apache-2.0
# fwseal — build, test, demo, bench, fuzz, install.
#   make            build lib + tools into build/
#   make demo       the whole story on the example keys and manifest
#   make check      every test (unit + CLI) within 2 minutes; SANITIZE=1 for ASan+UBSan
#   make check-long the slow suites: big images, mutation loops, long crash sweeps
#   make bench      fwseal vs its peers at jobs 1..cores (BENCH_MB=1024, docs/performance.md), casync delta
#   make install    PREFIX=/usr/local DESTDIR= (and BINDIR LIBDIR ...: README, docs/packaging.md)
#   make sbom       fwseal's own SBOM: every linked library as this machine has it
#   make fuzz       libFuzzer harnesses (clang) into build-fuzz/, FUZZ_SECONDS each
#   make valgrind   unit + CLI tests under valgrind memcheck;  make cppcheck;  make tsan (the pool, the delta scans)
#   make traceability  docs/traceability.md from the requirements, tags, last results
# Variables: CC CPPFLAGS CFLAGS LDFLAGS PREFIX DESTDIR HASH=nettle|sodium SANITIZE=1 V=1 WERROR=1 TPM=0|1

# Every core, unless the command line says otherwise (make -j1 ...).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

# The install directories (GNU names; docs/packaging.md). LIBDIR may be a
# multiarch one (/usr/lib/x86_64-linux-gnu); the .pc files follow them.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/fwseal
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
# install/uninstall only copy what is built: never apt-get (tests/deps.sh).
ifneq ($(filter install uninstall,$(MAKECMDGOALS)),)
NO_DEPS := 1
export NO_DEPS
endif
HASH ?= nettle
UBOOT ?= 1
NET ?= 1
TPM ?= 1
CC ?= cc
PKG_CONFIG ?= pkg-config
# The version is the source tree's (VERSION), never git's: a release
# tarball builds the same version as its tag. The shared libraries are
# libNAME.so.SOVERSION.MINOR.PATCH with the soname libNAME.so.SOVERSION.
VERSION := $(shell cat VERSION)
SOVERSION := 0
SO_REAL := .so.$(SOVERSION).$(word 2,$(subst ., ,$(VERSION))).$(word 3,$(subst ., ,$(VERSION)))

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT ?= -O1 -g
# Criterion's runner leaks a little of its own memory: not ours to report.
SAN_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
else
BUILD ?= build
SAN_FLAGS :=
OPT ?= -O2 -g
SAN_ENV :=
endif
# One spelling per build directory (ADR-088): the targets and the .d files
# the compiler writes name $(BUILD) as spelt, so `BUILD=$PWD/build` (the
# tests' make install) and `build` were two sets of targets, and the .d of
# the last spelling hid header changes from the other (stale objects got
# linked). BUILD is normalised once: inside the tree relative (build,
# ./build/, $PWD/build, a symlinked path to it: all `build`), outside it
# absolute. BUILD_ABS is for recipes that run elsewhere (cd tests, rpath).
BUILD_ABS := $(abspath $(BUILD))
BUILD_ABS := $(or $(realpath $(dir $(BUILD_ABS))),$(patsubst %/,%,$(dir $(BUILD_ABS))))/$(notdir $(BUILD_ABS))
override BUILD := $(patsubst $(CURDIR)/%,%,$(BUILD_ABS))

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Build dependencies: pkg-config module -> Debian package. Each library
# needs only its own: core = libsodium + the SHA-256 backend; device adds
# zlib and jansson; the full library adds libarchive (the bundle writer).
HASH_MODULE := $(if $(filter nettle,$(HASH)),nettle,)
CORE_MODULES := libsodium $(HASH_MODULE)
UBOOT_MODULE := $(if $(filter 1,$(UBOOT)),libubootenv,)
# libcurl is compiled against (its headers) but loaded only when a URL is
# read (lib/net/curl_load.c): not linked.
NET_MODULE := $(if $(filter 1,$(NET)),libcurl,)
# tpm2-tss: headers only (lib/device/floor/tss2_load.c loads the libraries).
TPM_MODULE := $(if $(filter 1,$(TPM)),tss2-esys tss2-tctildr tss2-rc,)
# p11-kit likewise: its headers for lib/sign/keys, loaded at the first
# pkcs11: URI (lib/device/p11/p11kit_load.c), linked by no library.
P11_MODULE := p11-kit-1
# P-256 recipients (lib/device/crypt/p256.c): nettle's public-key half and GMP.
P256_MODULES := hogweed gmp
DEVICE_MODULES := $(CORE_MODULES) zlib jansson $(UBOOT_MODULE) $(P256_MODULES)
DEP_MODULES := $(DEVICE_MODULES) libarchive
DEP_PACKAGES := pkg-config libsodium-dev nettle-dev libarchive-dev zlib1g-dev libjansson-dev \
	$(if $(filter 1,$(UBOOT)),libubootenv-dev,) $(if $(filter 1,$(NET)),libcurl4-openssl-dev,) \
	$(if $(filter 1,$(TPM)),libtss2-dev,) libp11-kit-dev libgmp-dev
TEST_MODULES := criterion
TEST_PACKAGES := libcriterion-dev

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DEP_MODULES) $(NET_MODULE) $(TPM_MODULE) $(P11_MODULE) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(DEP_MODULES) 2>/dev/null) $(if $(filter 1,$(NET) $(TPM)),-ldl,) -lpthread
CORE_PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(CORE_MODULES) 2>/dev/null)
DEVICE_PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(DEVICE_MODULES) 2>/dev/null) $(if $(filter 1,$(NET) $(TPM)),-ldl,) -lpthread
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_MODULES) 2>/dev/null)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_MODULES) 2>/dev/null)

# -Werror in the project's own checks only (make check sets WERROR=1, and
# so does CI): a packager's newer compiler must not fail the build on a new
# warning.
WERROR ?= 0
check check-long: WERROR := 1
WARN = -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror,) -Wshadow -Wformat=2 -Wvla \
	-Wstrict-prototypes
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC
CFLAGS ?= $(OPT)
# FWS_PRODUCTION_BUILD: every normal build says so, and lib/core refuses to
# compile if the fuzz-only signature bypass is switched on as well.
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) $(HARDEN) \
	$(SAN_FLAGS) -fvisibility=hidden -DFWS_PRODUCTION_BUILD -Iinclude -Ilib -MMD -MP \
	$(CPPFLAGS) $(CFLAGS)
HARDEN_LD := -Wl,-z,relro,-z,now -pie
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

# Three libraries follow the folders (design.md): libfwseal-core (lib/core:
# what a bootloader or MCU embeds), libfwseal-device (core, lib/io,
# lib/bundle, lib/device: no signing code, no libarchive) and libfwseal
# (all of it, for the signing side). The SHA-256 backend is chosen by file,
# not #ifdef.
CORE_SRC := $(filter-out lib/core/sha256_%.c,$(wildcard lib/core/*.c)) lib/core/sha256_$(HASH).c
# The U-Boot backend needs libubootenv; UBOOT=0 builds the one that says so.
UBOOT_SRC := lib/device/boot/$(if $(filter 1,$(UBOOT)),uboot,uboot_none).c
# The network reader needs libcurl; NET=0 builds the one that says so.
# oci:// references resolve in lib/net/oci_*.c (docs/fleet.md); publishing
# (oci_push.c) is for the signing side only: libfwseal, not the device library.
NET_SRC := lib/net/url.c lib/net/oci_ref.c \
	$(if $(filter 1,$(NET)),lib/net/http.c lib/net/http_check.c lib/net/http_post.c \
	lib/net/curl_load.c lib/net/curl_setup.c lib/net/oci_request.c lib/net/oci_auth.c lib/net/oci_resolve.c,lib/net/http_none.c)
OCI_PUSH_SRC := $(if $(filter 1,$(NET)),lib/net/oci_push.c,)
# The tpm2 floor is compiled against tpm2-tss's headers and loads the
# libraries when configured (lib/device/floor/tss2_load.c): not linked.
# TPM=0 builds the one that says so.
FLOOR_SRC := lib/device/floor/port.c lib/device/floor/file.c lib/device/floor/command.c \
	$(if $(filter 1,$(TPM)),lib/device/floor/tpm2.c lib/device/floor/tss2_load.c,lib/device/floor/tpm2_none.c)
DEVICE_SRC := $(wildcard lib/device/*.c lib/device/config/*.c lib/device/slot/*.c) \
	$(filter-out lib/device/boot/uboot%.c,$(wildcard lib/device/boot/*.c)) $(UBOOT_SRC) $(NET_SRC) \
	$(FLOOR_SRC) $(wildcard lib/device/crypt/*.c lib/device/p11/*.c)
# lib/selftest: built-in known answers + attack suite; its fixtures write
# their own tar (no libarchive), so the device library holds it too.
SELFTEST_SRC := $(wildcard lib/selftest/*.c)
DEVICE_LIB_SRC := $(CORE_SRC) $(wildcard lib/io/*.c) $(wildcard lib/bundle/*.c) $(DEVICE_SRC) \
	$(SELFTEST_SRC)
LIB_SRC := $(DEVICE_LIB_SRC) $(wildcard lib/sign/*.c) $(wildcard lib/sign/keys/*.c) $(OCI_PUSH_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
DEVICE_OBJ := $(DEVICE_LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC := $(wildcard tools/cli_*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TOOLS := fwseal fwseal-keys fwseal-verify
TOOL_BIN := $(TOOLS:%=$(BUILD)/%)
# The git commit in --version only when this directory is itself the top of
# a git checkout: a tarball unpacked inside another repository (a packaging
# tree) must not report that repository's commit, nor "-dirty".
GIT_TOP := $(shell git rev-parse --show-toplevel 2>/dev/null)
GIT_COMMIT := $(if $(filter $(abspath $(CURDIR)),$(abspath $(GIT_TOP))),$(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD -- lib include tools 2>/dev/null || echo -dirty),)
LIBS := fwseal-core fwseal-device fwseal
STATIC_LIBS := $(LIBS:%=$(BUILD)/lib%.a)
SHARED_LIBS := $(LIBS:%=$(BUILD)/lib%.so.$(SOVERSION))
PC_FILES := $(LIBS:%=$(BUILD)/lib%.pc)
# tests/unit/test_net_*.c test lib/net/http_check.c: only with NET=1.
UNIT_SRC := $(filter-out $(if $(filter 1,$(NET)),,tests/unit/test_net_%.c),$(wildcard tests/unit/*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
EXAMPLE_SRC := $(wildcard docs/examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:docs/examples/%.c=$(BUILD)/examples/%)

STATIC_LIB := $(BUILD)/libfwseal.a
SHARED_LIB := $(BUILD)/libfwseal.so.$(SOVERSION)
DEVICE_STATIC_LIB := $(BUILD)/libfwseal-device.a


.PHONY: sbom traceability tsan man uboot-test-deps examples all deps test-deps demo check check-long unit cli bench fuzz fuzz-deps fuzz-build fuzz-replay \
	valgrind cppcheck install uninstall clean format help

all: deps $(STATIC_LIBS) $(SHARED_LIBS) $(TOOL_BIN) $(PC_FILES)

help:
	@sed -n '1,12p' Makefile | sed 's/^# \{0,1\}//'

# One shared dependency step: ask pkg-config, install what is missing.
# The steps run before anything compiles, whatever -j says: every object
# has them as order-only prerequisites (| deps, | test-deps), and the
# pkg-config flags are expanded only when a compile starts, i.e. after them.
# The steps form one chain (deps, test-deps, uboot-test-deps), so two
# apt-get never run at once. NO_DEPS=1: never install, only say what is
# missing (packagers; `make install`).
deps:
	$(Q)MODULES="$(DEP_MODULES) $(NET_MODULE) $(TPM_MODULE) $(P11_MODULE)" PACKAGES="$(DEP_PACKAGES)" sh tests/deps.sh

# The CLI tests also run python3 (hostile corpus), flock, tar, gzip, split;
# the real-device tests the bootloaders' own tools (test_sysconf.sh); the
# network tests real servers (nginx, lighttpd), openssl for their test CA,
# mke2fs and casync (test_net.sh, test_delta.sh); strace what the tools open
# (test_interfaces.sh).
TEST_TOOLS := python3=python3 flock=util-linux tar=tar gzip=gzip split=coreutils \
	fw_printenv=libubootenv-tool fw_setenv=libubootenv-tool mkenvimage=u-boot-tools \
	mkimage=u-boot-tools grub-editenv=grub-common losetup=mount mkfs.ext4=e2fsprogs \
	mke2fs=e2fsprogs nginx=nginx lighttpd=lighttpd openssl=openssl curl=curl casync=casync \
	faketime=faketime setpriv=util-linux strace=strace \
	swtpm=swtpm swtpm_setup=swtpm-tools tpm2_nvread=tpm2-tools \
	softhsm2-util=softhsm2 p11-kit=p11-kit npm=npm systemd-analyze=systemd
# The OCI tests (tests/cli/test_oci.sh, long_oci.sh) run Debian's registry
# (distribution) with a bcrypt htpasswd file, and read what fwseal publish
# wrote with skopeo, a client that is not fwseal.
TEST_TOOLS += docker-registry=docker-registry skopeo=skopeo htpasswd=apache2-utils
# The man page and packaging tests read the pages with man and groff, and
# the libraries with readelf (tests/cli/test_man.sh, test_install.sh).
TEST_TOOLS += man=man-db groff=groff-base readelf=binutils
# age 1.1.1 is the independent oracle of the encryption format, and xxd
# patches bytes in its tests (tests/cli/test_encrypt.sh).
TEST_TOOLS += age=age age-keygen=age xxd=xxd
# Python modules the CLI tests import (Debian's python3, which tests/cli/run.sh
# puts first): the independent Ed25519 checks of test_interop.sh and
# test_hsm.sh, the YAML of the CI examples (test_ci_scripts.sh); the SBOM
# tests (test_sbom.sh) validate against the real schemas with jsonschema and
# check attestations with securesystemslib; the CycloneDX schemas are checked
# with the npm library pinned in tests/sbom (npm_ci.sh).
TEST_PYMODULES := cryptography=python3-cryptography yaml=python3-yaml \
	jsonschema=python3-jsonschema securesystemslib=python3-securesystemslib nacl=python3-nacl
# check-long boots the real U-Boot in QEMU (tests/cli/long_uboot_qemu.sh).
UBOOT_TEST_TOOLS := qemu-system-aarch64=qemu-system-arm sfdisk=fdisk mformat=mtools \
	mcopy=mtools mkimage=u-boot-tools mkenvimage=u-boot-tools fw_printenv=libubootenv-tool
# check-long also builds, checks and unpacks the Debian packages
# (tests/cli/long_debian_package.sh).
UBOOT_TEST_TOOLS += dpkg-buildpackage=dpkg-dev dh=debhelper lintian=lintian fakeroot=fakeroot \
	gcc=gcc make=make

# The PKCS#11 tests (tests/cli/test_hsm.sh) sign in SoftHSM2 tokens and check
# every signature with python3-cryptography, a verifier that is not fwseal's.
test-deps: deps
	$(Q)MODULES="$(TEST_MODULES)" PACKAGES="$(TEST_PACKAGES)" TOOLS="$(TEST_TOOLS)" \
		PYMODULES="$(TEST_PYMODULES)" sh tests/deps.sh
	$(Q)sh tests/sbom/npm_ci.sh

uboot-test-deps: test-deps
	$(Q)TOOLS="$(UBOOT_TEST_TOOLS)" PROBE="test -r /usr/lib/u-boot/qemu_arm64/u-boot.bin" \
		PROBE_PACKAGES=u-boot-qemu sh tests/deps.sh

# An absolute goal naming the in-tree directory ($PWD/build/fwseal) is the
# same file as the relative target.
ifneq ($(BUILD),$(BUILD_ABS))
$(BUILD_ABS)/%: $(BUILD)/% ;
endif

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c | test-deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-field-initializers $(PKG_CFLAGS) $(TEST_CFLAGS) \
		-DVECTORS_DIR='"$(CURDIR)/tests/vectors/known-answers"' -c $< -o $@

$(BUILD)/libfwseal-core.a: $(CORE_OBJ)
$(BUILD)/libfwseal-device.a: $(DEVICE_OBJ)
$(BUILD)/libfwseal.a: $(LIB_OBJ)
$(STATIC_LIBS):
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

# Each shared library holds all of its layers and links alone (one per
# program: they share symbols).
# (Makefile: what they link against is decided here.)
$(BUILD)/libfwseal-core.so.$(SOVERSION): $(CORE_OBJ) Makefile
	$(call link_so,libfwseal-core,$(CORE_PKG_LIBS))
$(BUILD)/libfwseal-device.so.$(SOVERSION): $(DEVICE_OBJ) Makefile
	$(call link_so,libfwseal-device,$(DEVICE_PKG_LIBS))
$(BUILD)/libfwseal.so.$(SOVERSION): $(LIB_OBJ) Makefile
	$(call link_so,libfwseal,$(PKG_LIBS))
# The file is libNAME.so.0.N.M; libNAME.so.0 (the target) and libNAME.so
# are links to it, as installed.
define link_so
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,$(1).so.$(SOVERSION) -Wl,--as-needed -Wl,-z,relro,-z,now \
		$(ALL_LDFLAGS) -o $(BUILD)/$(1)$(SO_REAL) $(filter %.o,$^) $(2)
	$(Q)ln -sf $(1)$(SO_REAL) $@
	$(Q)ln -sf $(1).so.$(SOVERSION) $(BUILD)/$(1).so
endef

# The tools: fwseal-verify is the device side, linked against the device
# library only (tests/cli/test_layers.sh checks it holds no signing code).
$(BUILD)/tools/%.o: ALL_CFLAGS += -DFWS_GIT_COMMIT='"$(GIT_COMMIT)"'
# Commands kept in files of their own: tools/cmd_verify_*.c (fwseal-verify),
# tools/cmd_fwseal_*.c (fwseal).
VERIFY_CMD_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/cmd_verify_*.c))
FWSEAL_CMD_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/cmd_fwseal_*.c))
$(BUILD)/fwseal: $(FWSEAL_CMD_OBJ)
$(BUILD)/fwseal-verify: $(BUILD)/tools/fwseal-verify.o $(CLI_OBJ) $(VERIFY_CMD_OBJ) $(DEVICE_STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HARDEN_LD) -Wl,--as-needed $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(VERIFY_CMD_OBJ) \
		$(DEVICE_STATIC_LIB) $(DEVICE_PKG_LIBS)

# fwseal and fwseal-keys also open signing keys (tools/signer_cli.c) and
# encrypt (tools/enc_cli.c); fwseal-keys makes P-256 device keys
# (tools/cmd_keys_p256.c); fwseal has commands in files of their own
# (tools/cmd_fwseal_*.c).
SIGN_CLI_OBJ := $(BUILD)/tools/signer_cli.o $(BUILD)/tools/enc_cli.o $(BUILD)/tools/cmd_keys_p256.o
$(BUILD)/%: $(BUILD)/tools/%.o $(CLI_OBJ) $(SIGN_CLI_OBJ) $(STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HARDEN_LD) $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(SIGN_CLI_OBJ) \
		$(filter $(FWSEAL_CMD_OBJ),$^) $(STATIC_LIB) $(PKG_LIBS)

$(BUILD)/test_unit: $(UNIT_OBJ) $(STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(STATIC_LIB) $(PKG_LIBS) $(TEST_LIBS)

# The pkg-config files name PREFIX, LIBDIR and INCLUDEDIR. build/*.pc are
# rebuilt whenever one changes; `make install` writes its own from the
# install's variables (so that tests installing with other directories
# never rewrite files in the shared build directory). A directory under
# PREFIX is written as ${prefix}/... (pkg-config --define-variable=prefix=
# and PKG_CONFIG_SYSROOT_DIR work), any other as it is.
PC_DIRS := $(PREFIX) $(LIBDIR) $(INCLUDEDIR)
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PC_DIRS)' | cmp -s - $@ || echo '$(PC_DIRS)' > $@
pc_dir = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}$(patsubst $(PREFIX)%,%,$(1)),$(1))
PC_TEMPLATE = prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: lib%s\nDescription: %s\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -l%s\nCflags: -I$${includedir}\n
PC_DESC_fwseal-core := fwseal core verifier: signatures, digests, policy (no heap, no stdio)
PC_DESC_fwseal-device := fwseal device side: bundle verifier, A/B life cycle, audit log (no signing code)
PC_DESC_fwseal := signed, rollback-protected software updates (all of fwseal)
PC_REQ_fwseal-core = $(CORE_MODULES)
PC_REQ_fwseal-device = $(DEVICE_MODULES)
PC_REQ_fwseal = $(DEP_MODULES)
# $(call pc_text,LIB): the command printing libLIB.pc
pc_text = printf '$(PC_TEMPLATE)' '$(PREFIX)' '$(call pc_dir,$(LIBDIR))' \
	'$(call pc_dir,$(INCLUDEDIR))' $(1) '$(PC_DESC_$(1))' '$(VERSION)' '$(PC_REQ_$(1))' $(1)
$(PC_FILES): $(BUILD)/lib%.pc: Makefile $(BUILD)/prefix.stamp VERSION
	$(Q)$(call pc_text,$*) >$@

.PHONY: FORCE
FORCE:

# ---- the two commands ----
demo: all
	$(Q)BUILD=$(BUILD) sh tools/demo.sh

unit: test-deps all $(BUILD)/test_unit
	$(Q)mkdir -p $(BUILD)/test-results
	$(Q)cd tests && $(SAN_ENV) $(BUILD_ABS)/test_unit --jobs 2 \
		--json=$(BUILD_ABS)/test-results/unit.json

cli: all $(BUILD)/make_signed_cases $(BUILD)/p11_fixture
	$(Q)BUILD=$(BUILD_ABS) bash tests/cli/run.sh

# The examples link the device SHARED library: they prove the exported
# device API suffices to embed fwseal with backends of one's own.
$(BUILD)/examples/%: docs/examples/%.c $(BUILD)/libfwseal-device.so.$(SOVERSION) | deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -L$(BUILD) -lfwseal-device \
		-Wl,-rpath,$(BUILD_ABS) $(DEVICE_PKG_LIBS)

examples: $(EXAMPLE_BIN)

# The man pages (Markdown and roff) and the bash completions are generated
# from the command tables (tests/cli/test_docs.sh, test_man.sh check they
# are current).
man: all
	$(Q)for t in $(TOOLS); do $(BUILD)/$$t --help-markdown >docs/$$t.1.md && \
		$(BUILD)/$$t --help-man >docs/man/$$t.1 && \
		$(BUILD)/$$t --help-completion >tools/completion/$$t || exit 1; done

# The hostile corpus' signed manifests, key files and device states
# (tests/vectors/make_signed_cases.c; tests/cli/test_corpus_extra.sh runs it).
$(BUILD)/make_signed_cases: tests/vectors/make_signed_cases.c $(STATIC_LIB) | deps
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS)

# The PKCS#11 test fixture (tests/hsm/p11_fixture.c; tests/cli/test_hsm.sh).
$(BUILD)/p11_fixture: tests/hsm/p11_fixture.c $(STATIC_LIB) | deps
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS) -ldl

# make check: everything that runs within 2 minutes on 2 cores. The slow
# suites (big images, mutation loops, the long crash sweeps; later VMs and
# servers) are make check-long; .ci/run runs both.
# Both record their results in $(BUILD)/test-results/ for make traceability.
check: test-deps all $(BUILD)/test_unit $(EXAMPLE_BIN) fuzz-replay $(BUILD)/make_signed_cases \
		$(BUILD)/p11_fixture
	$(Q)mkdir -p $(BUILD)/test-results
	$(Q)echo "== unit tests ($(BUILD))" && cd tests && $(SAN_ENV) $(BUILD_ABS)/test_unit --jobs 2 \
		--json=$(BUILD_ABS)/test-results/unit.json
	$(Q)echo "== CLI integration tests ($(BUILD))" && BUILD=$(BUILD_ABS) \
		FWSEAL_SAN_FLAGS="$(SAN_FLAGS)" bash tests/cli/run.sh

check-long: test-deps uboot-test-deps all $(BUILD)/test_unit $(BUILD)/make_signed_cases
	$(Q)mkdir -p $(BUILD)/test-results
	$(Q)echo "== long unit tests ($(BUILD))" && cd tests && FWSEAL_LONG=1 $(SAN_ENV) \
		$(BUILD_ABS)/test_unit --jobs 2 --filter '*/*_long' \
		--json=$(BUILD_ABS)/test-results/unit-long.json
	$(Q)echo "== long CLI tests ($(BUILD))" && BUILD=$(BUILD_ABS) bash tests/cli/run.sh --long

# Requirement -> tests -> result of the last make check / check-long
# (docs/requirements.md): writes docs/traceability.md; fails when a
# requirement has no test or a test names an unknown requirement.
traceability:
	$(Q)python3 tests/traceability.py --results $(BUILD)/test-results --out docs/traceability.md

# The peers it measures against: RAUC (signed bundles), casync and zchunk (delta).
BENCH_TOOLS := rauc=rauc mksquashfs=squashfs-tools casync=casync nginx=nginx mke2fs=e2fsprogs \
	minisign=minisign pigz=pigz mkenvimage=u-boot-tools losetup=mount \
	openssl=openssl zck=zchunk
bench: all
	$(Q)TOOLS="$(BENCH_TOOLS)" sh tests/deps.sh
	$(Q)BUILD=$(BUILD_ABS) BENCH_MB=$(or $(BENCH_MB),1024) bash tests/bench.sh
	$(Q)BUILD=$(BUILD_ABS) bash tests/bench_delta.sh

# The hashing pool under ThreadSanitizer (tests/tsan/pool_tsan.c: Criterion
# cannot run under TSan, so a plain driver of the pool alone), and the delta
# scans on it (tests/tsan/delta_tsan.c: scans and pool instrumented, the
# rest of the device library linked as built).
tsan: $(BUILD)/libfwseal-device.a
	$(Q)mkdir -p build-tsan && $(CC) -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O1 -g \
		-fsanitize=thread -Iinclude -Ilib tests/tsan/pool_tsan.c lib/bundle/chunk_pool.c \
		-o build-tsan/pool_tsan -lpthread && TSAN_OPTIONS=halt_on_error=1 build-tsan/pool_tsan
	$(Q)$(CC) -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O1 -g -fsanitize=thread \
		-Iinclude -Ilib tests/tsan/delta_tsan.c lib/device/delta.c lib/device/delta_blocks.c \
		lib/bundle/chunk_pool.c $(BUILD)/libfwseal-device.a $(DEVICE_PKG_LIBS) -ldl \
		-o build-tsan/delta_tsan && TSAN_OPTIONS=halt_on_error=1 build-tsan/delta_tsan

# ---- hardening: fuzzing, valgrind, cppcheck (docs/fuzzing.md) ----
# One libFuzzer harness per parser. The library is rebuilt with clang into
# build-fuzz/ with coverage, ASan and UBSan. fuzz_bundle_unsigned links the
# one object built with FWS_FUZZING_UNSAFE_NO_SIGNATURES (signatures count
# as valid) to reach the checks behind them; nothing else ever links it.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build-fuzz
FUZZ_TARGETS := manifest envelope root keyfile bundle bundle_unsigned sysconf sbom delta delta_encrypted permit channel \
	report grubenv uboot_env recipients state auditlog $(if $(filter 1,$(NET)),http,)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
	-g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Iinclude -Ilib -Itests/fuzz -MMD -MP
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_UNSAFE_OBJ := $(FUZZ_BUILD)/unsafe/envelope_verify.o
FUZZ_SAFE_OBJ := $(filter-out $(FUZZ_BUILD)/lib/core/envelope_verify.o,$(FUZZ_LIB_OBJ))
FUZZ_BIN := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
# The same harnesses with a plain main() (tests/fuzz/replay_main.c), built by
# $(CC) in $(BUILD): `make check` replays tests/fuzz/regressions/ with them.
REPLAY_BIN := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/fuzz_%)

# clang with the libFuzzer and sanitizer runtimes: probed by linking a tiny
# harness, installed only when that fails.
FUZZ_PROBE := printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' \
	> /tmp/fwseal-fuzz-probe.c && $(FUZZ_CC) -fsanitize=fuzzer,address,undefined \
	/tmp/fwseal-fuzz-probe.c -o /tmp/fwseal-fuzz-probe

fuzz-deps:
	$(Q)PROBE="$(FUZZ_PROBE)" PROBE_PACKAGES="clang libclang-rt-dev" sh tests/deps.sh

$(FUZZ_BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DFWS_PRODUCTION_BUILD $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_UNSAFE_OBJ): lib/core/envelope_verify.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $< (UNSAFE: no signature checks)")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DFWS_FUZZING_UNSAFE_NO_SIGNATURES $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_bundle_unsigned: $(FUZZ_BUILD)/tests/fuzz/fuzz_bundle_unsigned.o \
		$(FUZZ_SAFE_OBJ) $(FUZZ_UNSAFE_OBJ)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(STATIC_LIB) | deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fuzz $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ \
		tests/fuzz/fuzz_$*.c tests/fuzz/replay_main.c $(STATIC_LIB) $(PKG_LIBS)

$(BUILD)/fuzz-seedgen: tests/fuzz/seedgen.c $(STATIC_LIB) | deps
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS)

# Every file in tests/fuzz/regressions/<target>/, and the fixture seeds,
# once through its harness (properties checked on valid inputs too).
fuzz-replay: $(REPLAY_BIN) $(BUILD)/fuzz-seedgen
	$(Q)echo "== fuzz regressions ($(BUILD))" && rm -rf $(BUILD)/fuzz-seeds && \
		$(BUILD)/fuzz-seedgen $(BUILD)/fuzz-seeds && \
		sh tests/fuzz/replay.sh $(BUILD)/fuzz-replay $(BUILD)/fuzz-seeds

fuzz-build: fuzz-deps
	$(Q)$(MAKE) -s --no-print-directory all
	$(Q)$(MAKE) -s --no-print-directory $(FUZZ_BIN) $(BUILD)/fuzz-seedgen

fuzz: fuzz-build
	$(Q)BUILD=$(BUILD) FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		FUZZ_TARGETS="$(FUZZ_TARGETS)" sh tests/fuzz/run.sh

# valgrind memcheck over the unit tests (Criterion forks: children traced)
# and the CLI tests (every fwseal binary run through FWS_WRAP by wrapper
# scripts in build-valgrind/). Any error or leak fails the target.
# CLI_TESTS="usage happy_path" limits the CLI part to those test files,
# UNIT_FILTER='@(selftest|vectors)/*' the unit part (Criterion --filter).
VALGRIND ?= valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
FWS_WRAP ?= $(VALGRIND) -q --log-file=$(CURDIR)/build-valgrind/logs/vg.%p.log
valgrind: test-deps all $(BUILD)/test_unit
	$(Q)TOOLS="valgrind=valgrind" sh tests/deps.sh
	$(Q)BUILD=$(BUILD_ABS) VG_DIR=$(CURDIR)/build-valgrind VALGRIND="$(VALGRIND)" \
		FWS_WRAP="$(FWS_WRAP)" UNIT_FILTER="$(UNIT_FILTER)" bash tests/valgrind.sh $(CLI_TESTS)

# False positives are suppressed in place (--inline-suppr, with the reason);
# none is suppressed here.
CPPCHECK ?= cppcheck
cppcheck:
	$(Q)TOOLS="cppcheck=cppcheck" sh tests/deps.sh
	$(Q)$(CPPCHECK) --enable=warning,portability --error-exitcode=1 --inline-suppr --quiet \
		-Iinclude -Ilib lib tools

# make install: what `make` built (it never runs the deps step), into the
# directories above; man pages and completions are the committed ones
# (tests/cli/test_man.sh checks they are current). uninstall removes exactly
# the same list (tests/cli/test_install.sh checks nothing is left).
MAN_PAGES := $(sort $(wildcard docs/man/*.[135]))
COMPLETIONS := $(TOOLS:%=tools/completion/%)
SBOM := $(BUILD)/sbom.cdx.json
INSTALLED_HEADERS := $(notdir $(wildcard include/fwseal/*.h))
install: $(STATIC_LIBS) $(SHARED_LIBS) $(TOOL_BIN) $(SBOM)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/fwseal $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(DOCDIR) \
		$(sort $(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))))
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(STATIC_LIBS) $(DESTDIR)$(LIBDIR)/
	for l in $(LIBS); do \
		install -m 0644 $(BUILD)/lib$$l$(SO_REAL) $(DESTDIR)$(LIBDIR)/ && \
		ln -sf lib$$l$(SO_REAL) $(DESTDIR)$(LIBDIR)/lib$$l.so.$(SOVERSION) && \
		ln -sf lib$$l.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/lib$$l.so || exit 1; \
	done
	install -m 0644 include/fwseal/*.h $(DESTDIR)$(INCLUDEDIR)/fwseal/
	$(foreach l,$(LIBS),$(call pc_text,$(l)) >$(DESTDIR)$(PKGCONFIGDIR)/lib$(l).pc && ) true
	for m in $(MAN_PAGES); do \
		s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done
	install -m 0644 $(COMPLETIONS) $(DESTDIR)$(COMPLETIONDIR)/
	install -m 0644 $(SBOM) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(TOOLS:%=$(DESTDIR)$(COMPLETIONDIR)/%)
	rm -f $(foreach l,$(LIBS),$(DESTDIR)$(LIBDIR)/lib$(l).a $(DESTDIR)$(LIBDIR)/lib$(l).so \
		$(DESTDIR)$(LIBDIR)/lib$(l).so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/lib$(l)$(SO_REAL) \
		$(DESTDIR)$(PKGCONFIGDIR)/lib$(l).pc)
	rm -f $(INSTALLED_HEADERS:%=$(DESTDIR)$(INCLUDEDIR)/fwseal/%) \
		$(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		$(DESTDIR)$(DOCDIR)/$(notdir $(SBOM))
	rmdir $(DESTDIR)$(INCLUDEDIR)/fwseal $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# fwseal's own SBOM (CycloneDX 1.5): fwseal and every library its programs
# and libraries load, with the versions this machine has (tools/sbom.sh).
sbom: $(SBOM)
$(SBOM): $(SHARED_LIBS) $(TOOL_BIN) tools/sbom.sh VERSION
	@$(if $(Q),echo "  SBOM    $@")
	$(Q)VERSION=$(VERSION) sh tools/sbom.sh $@ $(SHARED_LIBS) $(TOOL_BIN)

format:
	clang-format -i $(LIB_SRC) $(wildcard lib/*/*.h) include/fwseal/*.h tools/*.c tools/*.h $(UNIT_SRC)

clean:
	rm -rf build build-san build-fuzz build-valgrind build-tsan

# ADR-088: objects whose .d files may name another spelling of the build
# directory (compiled before BUILD was normalised, or the directory was
# moved) are rebuilt once: the stamp holds the spelling they were made with.
# (Named here, not in the pattern rules, or make takes it for intermediate.)
SPELLING_STAMP := $(BUILD)/spelling.stamp
$(SPELLING_STAMP): $(if $(filter $(BUILD),$(file <$(SPELLING_STAMP))),,FORCE)
	@mkdir -p $(BUILD)
	@echo '$(BUILD)' >$@
$(sort $(LIB_OBJ) $(CLI_OBJ) $(UNIT_OBJ) $(FWSEAL_CMD_OBJ) $(VERIFY_CMD_OBJ) $(SIGN_CLI_OBJ) \
	$(TOOLS:%=$(BUILD)/tools/%.o)): $(SPELLING_STAMP)

.SECONDARY:
-include $(EXAMPLE_BIN:=.d) $(BUILD)/make_signed_cases.d $(BUILD)/p11_fixture.d $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(TOOLS:%=$(BUILD)/tools/%.d) $(BUILD)/tools/signer_cli.d \
	$(BUILD)/tools/enc_cli.d $(BUILD)/tools/cmd_keys_p256.d
-include $(wildcard $(FUZZ_BUILD)/lib/*/*.d $(FUZZ_BUILD)/tests/fuzz/*.d $(FUZZ_BUILD)/unsafe/*.d)
