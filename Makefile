# accord: plain make.  `make` builds core/libaccord.a and ./accord and
# nothing else: it changes nothing outside this tree, and names the Debian
# packages it lacks (scripts/deps.sh check).  `make test` builds an
# ASan+UBSan copy under build/asan (with clang, so both compilers see the
# code warning-free) and runs every test; `make demo` and `make bench` as
# README says.  Those three install the Debian packages they lack when run
# as root (scripts/deps.sh), as README's set-up promises.
#
# Warnings are errors (-Werror) in the test, demo and bench builds, which
# pass WERROR=1, and in CI; a user's own `make` with a newer compiler that
# warns about something new still builds.

CC ?= cc
ASAN_CC ?= clang
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
DESTDIR ?=
WERROR ?=

# jansson and expat: other tools' label files (labels import; docs/design.md).
PKGS = sqlite3 libpng libjpeg sndfile libcrypto fftw3f ncursesw libpq \
	jansson expat
WARN = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla $(if $(WERROR),-Werror)
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# pkg-config only reads: `make -n` and `make clean` change nothing.  When a
# package is missing the flags are empty and the flags files (below) stop the
# build with scripts/deps.sh's list of what to install.
PKG_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread

CORE_SRC = $(sort $(wildcard core/*.c))
TUI_SRC = $(sort $(wildcard tui/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
REF_SRC = $(sort $(wildcard tests/reference/*.c))
BENCH_SRC = $(sort $(wildcard tests/bench/*.c))
# Helpers of the PostgreSQL tests (tests/cmd/pg_*.sh).
PG_SRC = $(sort $(wildcard tests/pg/*.c))

# `make V=1` shows the full commands.
Q = $(if $(V),,@)
OBJ = build/obj
AOBJ = build/asan/obj
FOBJ = build/fuzz/obj

.PHONY: all demo test bench clean install deps-test deps-bench fuzz valgrind \
	FORCE

all: core/libaccord.a accord

ALL_CFLAGS = $(WARN) -Iinclude $(PKG_CFLAGS) -pthread -MMD -MP

# Each copy's flags file holds its compile command; its objects depend on
# it, so changing CC, CFLAGS or WERROR rebuilds what was built otherwise.
# A flags file is rewritten only when the command changes, so nothing is
# rebuilt for nothing, and one copy's change leaves the others alone.
define flags_file
	@[ "$(PKG_OK)" = yes ] || { sh scripts/deps.sh check build; \
	    echo "make: pkg-config does not find: $(PKGS)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	@echo '$(1)' | cmp -s - $@ || echo '$(1)' > $@
endef
$(OBJ)/flags: FORCE
	$(call flags_file,$(CC) $(CFLAGS) $(ALL_CFLAGS))
$(AOBJ)/flags: FORCE
	$(call flags_file,$(ASAN_CC) -O1 -g $(SAN) $(ALL_CFLAGS))
$(FOBJ)/flags: FORCE
	$(call flags_file,$(ASAN_CC) -O1 -g $(FUZZ_SAN) $(ALL_CFLAGS))

$(OBJ)/%.o: %.c $(OBJ)/flags
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(AOBJ)/%.o: %.c $(AOBJ)/flags
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC-SAN  $<")
	$(Q)$(ASAN_CC) -O1 -g $(SAN) $(ALL_CFLAGS) -c -o $@ $<

core/libaccord.a: $(CORE_SRC:%.c=$(OBJ)/%.o)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

accord: $(TUI_SRC:%.c=$(OBJ)/%.o) core/libaccord.a
	$(Q)$(CC) $(CFLAGS) -o $@ $(TUI_SRC:%.c=$(OBJ)/%.o) core/libaccord.a $(PKG_LIBS)

# The sanitized copy used by every test.
build/asan/libaccord.a: $(CORE_SRC:%.c=$(AOBJ)/%.o)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

build/asan/accord: $(TUI_SRC:%.c=$(AOBJ)/%.o) build/asan/libaccord.a
	$(Q)$(ASAN_CC) $(SAN) -o $@ $(TUI_SRC:%.c=$(AOBJ)/%.o) build/asan/libaccord.a $(PKG_LIBS)

# Unit tests link core and tui/ without main.c, so tui's pure functions
# (colour mapping, cell preparation) are testable too.
TUI_LIB_SRC = $(filter-out tui/main.c,$(TUI_SRC))
build/asan/libaccord-tui.a: $(TUI_LIB_SRC:%.c=$(AOBJ)/%.o)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

build/asan/tests/%: $(AOBJ)/tests/unit/%.o build/asan/libaccord-tui.a build/asan/libaccord.a
	@mkdir -p $(dir $@)
	$(Q)$(ASAN_CC) $(SAN) -o $@ $< build/asan/libaccord-tui.a build/asan/libaccord.a $(PKG_LIBS)

build/asan/ref/%: $(AOBJ)/tests/reference/%.o build/asan/libaccord.a
	@mkdir -p $(dir $@)
	$(Q)$(ASAN_CC) $(SAN) -o $@ $< build/asan/libaccord.a $(PKG_LIBS)

build/asan/pg/%: $(AOBJ)/tests/pg/%.o build/asan/libaccord.a
	@mkdir -p $(dir $@)
	$(Q)$(ASAN_CC) $(SAN) -o $@ $< build/asan/libaccord.a $(PKG_LIBS)

build/bench/%: $(OBJ)/tests/bench/%.o core/libaccord.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< core/libaccord.a $(PKG_LIBS)

UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)
REF_BIN = $(REF_SRC:tests/reference/%.c=build/asan/ref/%)
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=build/bench/%)
PG_BIN = $(PG_SRC:tests/pg/%.c=build/asan/pg/%)

deps-test:
	@sh scripts/deps.sh test

deps-bench:
	@sh scripts/deps.sh bench

# gcc builds the normal copy, clang the sanitized one: both warning-free.
test: deps-test
	@$(MAKE) --no-print-directory WERROR=1 all build/asan/accord $(UNIT_BIN) $(REF_BIN) \
	    $(PG_BIN) $(FUZZ_BIN)
	@sh tests/run.sh

demo: deps-test
	@$(MAKE) --no-print-directory WERROR=1 all
	@sh scripts/demo.sh

bench: deps-bench
	@$(MAKE) --no-print-directory WERROR=1 all $(BENCH_BIN)
	@sh tests/bench/run.sh

# libFuzzer harnesses (tests/fuzz/fuzz_*.c): core instrumented for
# coverage with ASan+UBSan, under build/fuzz.  `make fuzz` runs each for
# FUZZ_SECONDS (default 60); `make test` runs them briefly.
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

$(FOBJ)/%.o: %.c $(FOBJ)/flags
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC-FUZZ $<")
	$(Q)$(ASAN_CC) -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	    $(ALL_CFLAGS) -c -o $@ $<

build/fuzz/libaccord.a: $(CORE_SRC:%.c=$(FOBJ)/%.o)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

build/fuzz/fuzz_%: $(FOBJ)/tests/fuzz/fuzz_%.o build/fuzz/libaccord.a
	$(Q)$(ASAN_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
	    build/fuzz/libaccord.a $(PKG_LIBS)

fuzz: deps-test
	@$(MAKE) --no-print-directory WERROR=1 $(FUZZ_BIN)
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-60} sh tests/fuzz/run.sh

# The command tests under valgrind with the gcc build (tests/valgrind/run.sh).
valgrind: deps-test
	@$(MAKE) --no-print-directory WERROR=1 all
	@sh tests/valgrind/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 accord $(DESTDIR)$(PREFIX)/bin/accord
	install -m 644 docs/accord.1 $(DESTDIR)$(PREFIX)/share/man/man1/accord.1

clean:
	rm -rf build core/libaccord.a accord

# Every object is named here, so none is an "intermediate" file: make
# rebuilds one that was deleted (a bare .SECONDARY: kept it from doing so).
ALL_OBJ = $(CORE_SRC:%.c=$(OBJ)/%.o) $(TUI_SRC:%.c=$(OBJ)/%.o) \
	$(CORE_SRC:%.c=$(AOBJ)/%.o) $(TUI_SRC:%.c=$(AOBJ)/%.o) \
	$(UNIT_SRC:%.c=$(AOBJ)/%.o) $(REF_SRC:%.c=$(AOBJ)/%.o) \
	$(PG_SRC:%.c=$(AOBJ)/%.o) \
	$(BENCH_SRC:%.c=$(OBJ)/%.o) $(CORE_SRC:%.c=$(FOBJ)/%.o) \
	$(FUZZ_SRC:%.c=$(FOBJ)/%.o)
$(ALL_OBJ):

-include $(ALL_OBJ:.o=.d)
