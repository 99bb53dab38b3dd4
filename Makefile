# fwseal — build, test, demo, bench, fuzz, install.
#   make            build lib + tools into build/
#   make demo       the whole story on the example keys and manifest
#   make check      every test (unit + CLI) within 2 minutes; SANITIZE=1 for ASan+UBSan
#   make check-long the slow suites: big images, mutation loops, long crash sweeps
#   make bench      fwseal vs its peers: sha256sum/b2sum/gzip/RAUC (BENCH_MB=1024), casync delta
#   make install    PREFIX=/usr/local DESTDIR=
#   make fuzz       libFuzzer harnesses (clang) into build-fuzz/, FUZZ_SECONDS each
#   make valgrind   unit + CLI tests under valgrind memcheck;  make cppcheck
# Variables: CC CFLAGS LDFLAGS PREFIX DESTDIR HASH=nettle|sodium SANITIZE=1 V=1

# Every core, unless the command line says otherwise (make -j1 ...).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

PREFIX ?= /usr/local
DESTDIR ?=
HASH ?= nettle
UBOOT ?= 1
NET ?= 1
CC ?= cc
PKG_CONFIG ?= pkg-config
SOVERSION := 0
VERSION := 0.2.0

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
DEVICE_MODULES := $(CORE_MODULES) zlib jansson $(UBOOT_MODULE)
DEP_MODULES := $(DEVICE_MODULES) libarchive
DEP_PACKAGES := pkg-config libsodium-dev nettle-dev libarchive-dev zlib1g-dev libjansson-dev \
	$(if $(filter 1,$(UBOOT)),libubootenv-dev,) $(if $(filter 1,$(NET)),libcurl4-openssl-dev,)
TEST_MODULES := criterion
TEST_PACKAGES := libcriterion-dev

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DEP_MODULES) $(NET_MODULE) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(DEP_MODULES) 2>/dev/null) $(if $(filter 1,$(NET)),-ldl -lpthread,)
CORE_PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(CORE_MODULES) 2>/dev/null)
DEVICE_PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(DEVICE_MODULES) 2>/dev/null) $(if $(filter 1,$(NET)),-ldl -lpthread,)
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_MODULES) 2>/dev/null)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_MODULES) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC
CFLAGS ?= $(OPT)
# FWS_PRODUCTION_BUILD: every normal build says so, and lib/core refuses to
# compile if the fuzz-only signature bypass is switched on as well.
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) $(HARDEN) \
	$(SAN_FLAGS) -fvisibility=hidden -DFWS_PRODUCTION_BUILD -Iinclude -Ilib -MMD -MP $(CFLAGS)
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
NET_SRC := lib/net/url.c \
	$(if $(filter 1,$(NET)),lib/net/http.c lib/net/http_check.c lib/net/curl_load.c,lib/net/http_none.c)
DEVICE_SRC := $(wildcard lib/device/*.c lib/device/config/*.c lib/device/slot/*.c) \
	$(filter-out lib/device/boot/uboot%.c,$(wildcard lib/device/boot/*.c)) $(UBOOT_SRC) $(NET_SRC)
DEVICE_LIB_SRC := $(CORE_SRC) $(wildcard lib/io/*.c) $(wildcard lib/bundle/*.c) $(DEVICE_SRC)
# lib/selftest: built-in known answers + attack suite.
SELFTEST_SRC := $(wildcard lib/selftest/*.c)
LIB_SRC := $(DEVICE_LIB_SRC) $(SELFTEST_SRC) $(wildcard lib/sign/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
DEVICE_OBJ := $(DEVICE_LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC := $(wildcard tools/cli_*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TOOLS := fwseal fwseal-keys fwseal-verify
TOOL_BIN := $(TOOLS:%=$(BUILD)/%)
# The git commit in --version when built from a git checkout.
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD -- lib include tools 2>/dev/null || echo -dirty)
LIBS := fwseal-core fwseal-device fwseal
STATIC_LIBS := $(LIBS:%=$(BUILD)/lib%.a)
SHARED_LIBS := $(LIBS:%=$(BUILD)/lib%.so.$(SOVERSION))
PC_FILES := $(LIBS:%=$(BUILD)/lib%.pc)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
EXAMPLE_SRC := $(wildcard docs/examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:docs/examples/%.c=$(BUILD)/examples/%)

STATIC_LIB := $(BUILD)/libfwseal.a
SHARED_LIB := $(BUILD)/libfwseal.so.$(SOVERSION)
DEVICE_STATIC_LIB := $(BUILD)/libfwseal-device.a


.PHONY: man uboot-test-deps examples all deps test-deps demo check check-long unit cli bench fuzz fuzz-deps fuzz-build fuzz-replay \
	valgrind cppcheck install uninstall clean format help

all: deps $(STATIC_LIBS) $(SHARED_LIBS) $(TOOL_BIN) $(PC_FILES)

help:
	@sed -n '1,10p' Makefile | sed 's/^# \{0,1\}//'

# One shared dependency step: ask pkg-config, install what is missing.
deps:
	$(Q)MODULES="$(DEP_MODULES) $(NET_MODULE)" PACKAGES="$(DEP_PACKAGES)" sh tests/deps.sh

# The CLI tests also run python3 (hostile corpus), flock, tar, gzip, split;
# the real-device tests the bootloaders' own tools (test_sysconf.sh); the
# network tests real servers (nginx, lighttpd), openssl for their test CA,
# mke2fs and casync (test_net.sh, test_delta.sh).
TEST_TOOLS := python3=python3 flock=util-linux tar=tar gzip=gzip split=coreutils \
	fw_printenv=libubootenv-tool fw_setenv=libubootenv-tool mkenvimage=u-boot-tools \
	mkimage=u-boot-tools grub-editenv=grub-common losetup=mount mkfs.ext4=e2fsprogs \
	mke2fs=e2fsprogs nginx=nginx lighttpd=lighttpd openssl=openssl casync=casync
# check-long boots the real U-Boot in QEMU (tests/cli/long_uboot_qemu.sh).
UBOOT_TEST_TOOLS := qemu-system-aarch64=qemu-system-arm sfdisk=fdisk mformat=mtools \
	mcopy=mtools mkimage=u-boot-tools mkenvimage=u-boot-tools fw_printenv=libubootenv-tool

test-deps: deps
	$(Q)MODULES="$(TEST_MODULES)" PACKAGES="$(TEST_PACKAGES)" TOOLS="$(TEST_TOOLS)" sh tests/deps.sh

uboot-test-deps:
	$(Q)TOOLS="$(UBOOT_TEST_TOOLS)" PROBE="test -r /usr/lib/u-boot/qemu_arm64/u-boot.bin" \
		PROBE_PACKAGES=u-boot-qemu sh tests/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
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
define link_so
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,$(1).so.$(SOVERSION) -Wl,--as-needed $(ALL_LDFLAGS) -o $@ \
		$(filter %.o,$^) $(2)
	$(Q)ln -sf $(1).so.$(SOVERSION) $(BUILD)/$(1).so
endef

# The tools: fwseal-verify is the device side, linked against the device
# library only (tests/cli/test_layers.sh checks it holds no signing code).
$(BUILD)/tools/%.o: ALL_CFLAGS += -DFWS_GIT_COMMIT='"$(GIT_COMMIT)"'
$(BUILD)/fwseal-verify: $(BUILD)/tools/fwseal-verify.o $(CLI_OBJ) $(DEVICE_STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HARDEN_LD) -Wl,--as-needed $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(DEVICE_STATIC_LIB) \
		$(DEVICE_PKG_LIBS)

$(BUILD)/%: $(BUILD)/tools/%.o $(CLI_OBJ) $(STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HARDEN_LD) $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(STATIC_LIB) $(PKG_LIBS)

$(BUILD)/test_unit: $(UNIT_OBJ) $(STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(STATIC_LIB) $(PKG_LIBS) $(TEST_LIBS)

# The pkg-config file names PREFIX: rebuilt whenever PREFIX changes, so
# `make install PREFIX=/usr` never installs a file that points elsewhere.
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@

PC_TEMPLATE = prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: lib%s\nDescription: %s\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -l%s\nCflags: -I$${includedir}\n
$(BUILD)/libfwseal-core.pc: Makefile $(BUILD)/prefix.stamp
	$(Q)printf '$(PC_TEMPLATE)' '$(PREFIX)' fwseal-core 'fwseal core verifier: signatures, digests, policy (no heap, no stdio)' '$(VERSION)' '$(CORE_MODULES)' fwseal-core > $@
$(BUILD)/libfwseal-device.pc: Makefile $(BUILD)/prefix.stamp
	$(Q)printf '$(PC_TEMPLATE)' '$(PREFIX)' fwseal-device 'fwseal device side: bundle verifier, A/B life cycle, audit log (no signing code)' '$(VERSION)' '$(DEVICE_MODULES)' fwseal-device > $@
$(BUILD)/libfwseal.pc: Makefile $(BUILD)/prefix.stamp
	$(Q)printf '$(PC_TEMPLATE)' '$(PREFIX)' fwseal 'signed, rollback-protected software updates (all of fwseal)' '$(VERSION)' '$(DEP_MODULES)' fwseal > $@

.PHONY: FORCE
FORCE:

# ---- the two commands ----
demo: all
	$(Q)BUILD=$(BUILD) sh tools/demo.sh

unit: test-deps all $(BUILD)/test_unit
	$(Q)cd tests && $(SAN_ENV) ../$(BUILD)/test_unit --jobs 2

cli: all $(BUILD)/make_signed_cases
	$(Q)BUILD=$(CURDIR)/$(BUILD) bash tests/cli/run.sh

# The examples link the device SHARED library: they prove the exported
# device API suffices to embed fwseal with backends of one's own.
$(BUILD)/examples/%: docs/examples/%.c $(BUILD)/libfwseal-device.so.$(SOVERSION)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -L$(BUILD) -lfwseal-device \
		-Wl,-rpath,$(CURDIR)/$(BUILD) $(DEVICE_PKG_LIBS)

examples: $(EXAMPLE_BIN)

# The man pages are generated from the command tables (tests/cli/test_docs.sh
# checks they are current).
man: all
	$(Q)for t in $(TOOLS); do $(BUILD)/$$t --help-markdown >docs/$$t.1.md || exit 1; done

# The hostile corpus' signed manifests, key files and device states
# (tests/vectors/make_signed_cases.c; tests/cli/test_corpus_extra.sh runs it).
$(BUILD)/make_signed_cases: tests/vectors/make_signed_cases.c $(STATIC_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STATIC_LIB) $(PKG_LIBS)

# make check: everything that runs within 2 minutes on 2 cores. The slow
# suites (big images, mutation loops, the long crash sweeps; later VMs and
# servers) are make check-long; .ci/run runs both.
check: test-deps all $(BUILD)/test_unit $(EXAMPLE_BIN) fuzz-replay $(BUILD)/make_signed_cases
	$(Q)echo "== unit tests ($(BUILD))" && cd tests && $(SAN_ENV) ../$(BUILD)/test_unit --jobs 2
	$(Q)echo "== CLI integration tests ($(BUILD))" && BUILD=$(CURDIR)/$(BUILD) \
		FWSEAL_SAN_FLAGS="$(SAN_FLAGS)" bash tests/cli/run.sh

check-long: test-deps uboot-test-deps all $(BUILD)/test_unit $(BUILD)/make_signed_cases
	$(Q)echo "== long unit tests ($(BUILD))" && cd tests && FWSEAL_LONG=1 $(SAN_ENV) \
		../$(BUILD)/test_unit --jobs 2 --filter '*/*_long'
	$(Q)echo "== long CLI tests ($(BUILD))" && BUILD=$(CURDIR)/$(BUILD) bash tests/cli/run.sh --long

# The peers it measures against: RAUC (signed bundles), casync and zchunk (delta).
BENCH_TOOLS := rauc=rauc mksquashfs=squashfs-tools casync=casync nginx=nginx mke2fs=e2fsprogs \
	openssl=openssl zck=zchunk
bench: all
	$(Q)TOOLS="$(BENCH_TOOLS)" sh tests/deps.sh
	$(Q)BUILD=$(CURDIR)/$(BUILD) BENCH_MB=$(or $(BENCH_MB),1024) bash tests/bench.sh
	$(Q)BUILD=$(CURDIR)/$(BUILD) bash tests/bench_delta.sh

# ---- hardening: fuzzing, valgrind, cppcheck (docs/fuzzing.md) ----
# One libFuzzer harness per parser. The library is rebuilt with clang into
# build-fuzz/ with coverage, ASan and UBSan. fuzz_bundle_unsigned links the
# one object built with FWS_FUZZING_UNSAFE_NO_SIGNATURES (signatures count
# as valid) to reach the checks behind them; nothing else ever links it.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build-fuzz
FUZZ_TARGETS := manifest envelope root keyfile bundle bundle_unsigned sysconf delta
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

$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fuzz $(PKG_CFLAGS) $(ALL_LDFLAGS) -o $@ \
		tests/fuzz/fuzz_$*.c tests/fuzz/replay_main.c $(STATIC_LIB) $(PKG_LIBS)

$(BUILD)/fuzz-seedgen: tests/fuzz/seedgen.c $(STATIC_LIB)
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
	$(Q)BUILD=$(CURDIR)/$(BUILD) VG_DIR=$(CURDIR)/build-valgrind VALGRIND="$(VALGRIND)" \
		FWS_WRAP="$(FWS_WRAP)" UNIT_FILTER="$(UNIT_FILTER)" bash tests/valgrind.sh $(CLI_TESTS)

# False positives are suppressed in place (--inline-suppr, with the reason)
# or here: lib/device/device.c fws_device_install reads `st` only after
# load_state() returned 0, and load_state fills it through a function
# pointer cppcheck cannot follow (uninitvar).
CPPCHECK ?= cppcheck
cppcheck:
	$(Q)TOOLS="cppcheck=cppcheck" sh tests/deps.sh
	$(Q)$(CPPCHECK) --enable=warning,portability --error-exitcode=1 --inline-suppr --quiet \
		-Iinclude -Ilib lib tools

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/fwseal
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(STATIC_LIBS) $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(SHARED_LIBS) $(DESTDIR)$(PREFIX)/lib/
	for l in $(LIBS); do ln -sf lib$$l.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/lib$$l.so; done
	install -m 0644 include/fwseal/*.h $(DESTDIR)$(PREFIX)/include/fwseal/
	install -m 0644 $(PC_FILES) $(DESTDIR)$(PREFIX)/lib/pkgconfig/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(PREFIX)/bin/%) $(LIBS:%=$(DESTDIR)$(PREFIX)/lib/lib%.*)
	rm -rf $(DESTDIR)$(PREFIX)/include/fwseal $(LIBS:%=$(DESTDIR)$(PREFIX)/lib/pkgconfig/lib%.pc)

format:
	clang-format -i $(LIB_SRC) $(wildcard lib/*/*.h) include/fwseal/*.h tools/*.c tools/*.h $(UNIT_SRC)

clean:
	rm -rf build build-san build-fuzz build-valgrind

.SECONDARY:
-include $(EXAMPLE_BIN:=.d) $(BUILD)/make_signed_cases.d $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(TOOLS:%=$(BUILD)/tools/%.d)
-include $(wildcard $(FUZZ_BUILD)/lib/*/*.d $(FUZZ_BUILD)/tests/fuzz/*.d $(FUZZ_BUILD)/unsafe/*.d)
