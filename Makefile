# fwseal — build, test, demo, bench, fuzz, install.
#   make            build lib + tools into build/
#   make demo       the whole story on the example keys and manifest
#   make check      every test (unit + CLI); SANITIZE=1 for ASan+UBSan
#   make bench      throughput and peak RSS vs sha256sum/b2sum/gzip (BENCH_MB=1024)
#   make install    PREFIX=/usr/local DESTDIR=
# Variables: CC CFLAGS LDFLAGS PREFIX DESTDIR HASH=nettle|sodium SANITIZE=1 V=1

PREFIX ?= /usr/local
DESTDIR ?=
HASH ?= nettle
CC ?= cc
PKG_CONFIG ?= pkg-config
SOVERSION := 0
VERSION := 0.1.0

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT ?= -O1 -g
else
BUILD ?= build
SAN_FLAGS :=
OPT ?= -O2 -g
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Build dependencies: pkg-config module -> Debian package.
DEP_MODULES := libsodium nettle libarchive zlib jansson
DEP_PACKAGES := pkg-config libsodium-dev nettle-dev libarchive-dev zlib1g-dev libjansson-dev
TEST_MODULES := criterion
TEST_PACKAGES := libcriterion-dev

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DEP_MODULES) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(DEP_MODULES) 2>/dev/null)
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_MODULES) 2>/dev/null)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_MODULES) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC
CFLAGS ?= $(OPT)
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) $(HARDEN) \
	$(SAN_FLAGS) -fvisibility=hidden -Iinclude -Ilib -MMD -MP $(CFLAGS)
HARDEN_LD := -Wl,-z,relro,-z,now -pie
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

# The SHA-256 backend is chosen by file, not #ifdef.
CORE_SRC := $(filter-out lib/core/sha256_%.c,$(wildcard lib/core/*.c)) lib/core/sha256_$(HASH).c
DEVICE_LIB_SRC := $(CORE_SRC) $(wildcard lib/bundle/*.c) $(wildcard lib/device/*.c)
LIB_SRC := $(DEVICE_LIB_SRC) $(wildcard lib/sign/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC := $(wildcard tools/cli_*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TOOLS := fwseal fwseal-keys fwseal-verify
TOOL_BIN := $(TOOLS:%=$(BUILD)/%)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
EXAMPLE_SRC := $(wildcard docs/examples/*.c)

STATIC_LIB := $(BUILD)/libfwseal.a
SHARED_LIB := $(BUILD)/libfwseal.so.$(SOVERSION)

.PHONY: all deps test-deps demo check unit cli bench fuzz install uninstall clean format help

all: deps $(STATIC_LIB) $(SHARED_LIB) $(TOOL_BIN) $(BUILD)/libfwseal.pc

help:
	@sed -n '1,9p' Makefile | sed 's/^# \{0,1\}//'

# One shared dependency step: ask pkg-config, install what is missing.
deps:
	$(Q)MODULES="$(DEP_MODULES)" PACKAGES="$(DEP_PACKAGES)" sh tests/deps.sh

test-deps: deps
	$(Q)MODULES="$(TEST_MODULES)" PACKAGES="$(TEST_PACKAGES)" sh tests/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-field-initializers $(PKG_CFLAGS) $(TEST_CFLAGS) \
		-DVECTORS_DIR='"$(CURDIR)/../shared/vectors"' -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,libfwseal.so.$(SOVERSION) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
	$(Q)ln -sf libfwseal.so.$(SOVERSION) $(BUILD)/libfwseal.so

$(BUILD)/%: $(BUILD)/tools/%.o $(CLI_OBJ) $(STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(HARDEN_LD) $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(STATIC_LIB) $(PKG_LIBS)

$(BUILD)/test_unit: $(UNIT_OBJ) $(STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(STATIC_LIB) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/libfwseal.pc: Makefile
	@mkdir -p $(BUILD)
	$(Q)printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: libfwseal\nDescription: signed, rollback-protected software updates\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -lfwseal\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(VERSION)' '$(DEP_MODULES)' > $@

# ---- the two commands ----
demo: all
	$(Q)BUILD=$(BUILD) sh tools/demo.sh

unit: test-deps all $(BUILD)/test_unit
	$(Q)cd tests && ../$(BUILD)/test_unit --jobs 2

cli: all
	$(Q)BUILD=$(CURDIR)/$(BUILD) bash tests/cli/run.sh

check: test-deps all $(BUILD)/test_unit
	$(Q)echo "== unit tests ($(BUILD))" && cd tests && ../$(BUILD)/test_unit --jobs 2
	$(Q)echo "== CLI integration tests ($(BUILD))" && BUILD=$(CURDIR)/$(BUILD) bash tests/cli/run.sh

bench: all
	$(Q)BUILD=$(CURDIR)/$(BUILD) BENCH_MB=$(or $(BENCH_MB),1024) bash tests/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/fwseal
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(SHARED_LIB) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libfwseal.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libfwseal.so
	install -m 0644 include/fwseal/*.h $(DESTDIR)$(PREFIX)/include/fwseal/
	install -m 0644 $(BUILD)/libfwseal.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(PREFIX)/bin/%) $(DESTDIR)$(PREFIX)/lib/libfwseal.*
	rm -rf $(DESTDIR)$(PREFIX)/include/fwseal $(DESTDIR)$(PREFIX)/lib/pkgconfig/libfwseal.pc

format:
	clang-format -i $(LIB_SRC) $(wildcard lib/*/*.h) include/fwseal/*.h tools/*.c tools/*.h $(UNIT_SRC)

clean:
	rm -rf build build-san build-fuzz

.SECONDARY:
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(TOOLS:%=$(BUILD)/tools/%.d)
