# alignsim - GNU Make build.
#
#   make            build build/alignsim
#   make test       check dependencies, build, run the cmocka suite (the
#                   report's browser test needs chromium: make deps-browser)
#   make run        check dependencies, build, run the main job, draw plots
#   make bench      build and run the benchmarks (never part of the tests)
#   make golden     rewrite the golden files of tests/data/golden/ (review the diff)
#   make SAN=1 test the suite under AddressSanitizer + UBSan (build/san)
#   make valgrind   the fast test programs under valgrind memcheck
#   make fuzz FUZZ_SECONDS=600  libFuzzer on the scenario loader (build/fuzz)
#   make MPI=1      Open MPI build (build/mpi/alignsim)
#   make plots DIR=out/historical
#   make install PREFIX=/usr/local DESTDIR=
#
# Objects go to $(BUILD)/obj, with header dependencies tracked (-MMD -MP).

.SUFFIXES:
# Keep the test objects: made through a chain of pattern rules, they would
# otherwise be deleted as intermediates and rebuilt at every make.
.SECONDARY:
SHELL := /bin/sh

VERSION := 0.1.0
PREFIX  ?= /usr/local
DESTDIR ?=

SAN ?= 0
MPI ?= 0
WERROR ?= 1

ifeq ($(MPI),1)
  CC := mpicc
  BUILD ?= build/mpi
  MPI_DEFS := -DALIGNSIM_MPI=1
else ifeq ($(SAN),1)
  BUILD ?= build/san
else
  BUILD ?= build
endif

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
        -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
ifeq ($(WERROR),1)
  WARN += -Werror
endif

ifeq ($(SAN),1)
  OPT ?= -O1 -g -fno-omit-frame-pointer
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
else
  OPT ?= -O2 -g
  SANFLAGS :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags gsl libconfig 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs gsl libconfig 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

CPPFLAGS += -Isim -D_POSIX_C_SOURCE=200809L -DALIGNSIM_VERSION='"$(VERSION)"' $(MPI_DEFS)
CFLAGS   += $(WARN) $(OPT) $(SANFLAGS) -pthread $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS) -pthread
LDLIBS   += $(PKG_LIBS) -lm

LIB_SRCS   := $(sort $(filter-out sim/cli/main.c,$(shell find sim -name '*.c')))
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ   := $(BUILD)/obj/sim/cli/main.o
TEST_SRCS  := $(sort $(wildcard tests/test_*.c))
TEST_BINS  := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_HELP  := $(BUILD)/obj/tests/testutil.o
BENCH_SRCS := $(sort $(wildcard bench/bench_*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
LIB        := $(BUILD)/libalignsim.a
BIN        := $(BUILD)/alignsim

# Short progress lines; V=1 shows the full commands.
ifeq ($(V),1)
  Q :=
  say = @true
else
  Q := @
  say = @printf '  %-6s %s\n'
endif

.PHONY: all deps deps-mpi deps-plots deps-browser test run bench golden plots install uninstall clean valgrind fuzz

all: $(BIN)

deps:
	@scripts/ensure-deps.sh
deps-plots:
	@scripts/ensure-deps.sh plots
deps-browser:
	@scripts/ensure-deps.sh browser
deps-mpi:
	@scripts/ensure-deps.sh mpi

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_HELP) $(LIB)
	@mkdir -p $(@D)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Each test program runs from the top of the tree with the program under test
# named in ALIGNSIM_BIN; all programs run even when one fails, and the target
# fails if any did.  gnuplot is a test dependency: test_plots and
# test_report draw what the program writes (deps-plots checks the build's
# dependencies too).  The benchmark programs are built too (not run), so
# an interface change that breaks one fails the tests.
test: deps-plots
	@$(MAKE) --no-print-directory $(BIN) $(TEST_BINS) $(BENCH_BINS)
	@failed=""; for t in $(TEST_BINS); do \
	    echo "== $$t"; \
	    ALIGNSIM_BIN=$(BIN) ALIGNSIM_BUILD=$(BUILD) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	        $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi; \
	echo "all $(words $(TEST_BINS)) test programs passed"

bench: deps $(BENCH_BINS) $(BIN)
	@for b in $(BENCH_BINS); do ALIGNSIM_BIN=$(BIN) $$b || exit 1; done

# Golden files: the outputs of a fixed-seed run of tests/data/run/small.cfg
# that tests/test_run.c compares byte for byte.  Only this target writes
# them; the "# program:" provenance line (the version) is left out, so a new
# version does not change them.  After an intended change of results run it
# and review the diff.
GOLDEN_DIR := tests/data/golden/small
GOLDEN_FILES := trajectory.tsv events.tsv milestones.tsv
golden: deps $(BIN)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN) run tests/data/run/small.cfg -o "$$tmp/out" >/dev/null && \
	mkdir -p $(GOLDEN_DIR) && \
	for f in $(GOLDEN_FILES); do \
	    grep -v '^# program:' "$$tmp/out/$$f" > $(GOLDEN_DIR)/$$f || exit 1; \
	done && echo "  GOLDEN $(GOLDEN_DIR): $(GOLDEN_FILES)"

# The test programs under valgrind memcheck: any error or definite/indirect
# leak fails (scripts/valgrind.sh).  The slow ones, which run the same code
# as the others for longer, are skipped; see README, Robustness.
VALGRIND_SKIP ?= test_history test_counterfactual test_calibrate
valgrind: deps
	@scripts/ensure-deps.sh valgrind
	@$(MAKE) --no-print-directory $(BIN) $(TEST_BINS)
	@scripts/valgrind.sh $(BUILD) $(VALGRIND_SKIP)

# libFuzzer on the scenario loader (tests/fuzz/fuzz_scenario.c): the library
# is built again with clang into build/fuzz; scripts/fuzz.sh runs it.
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz:
	@scripts/ensure-deps.sh fuzz
	@$(MAKE) --no-print-directory CC=clang BUILD=build/fuzz OPT="-O1 -g -fno-omit-frame-pointer" \
	    SANFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" build/fuzz/libalignsim.a
	$(say) LINK build/fuzz/fuzz_scenario
	$(Q)clang $(CPPFLAGS) $(WARN) -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) $(PKG_CFLAGS) \
	    tests/fuzz/fuzz_scenario.c build/fuzz/libalignsim.a $(PKG_LIBS) -lm -pthread \
	    -o build/fuzz/fuzz_scenario
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 scripts/fuzz.sh build/fuzz/fuzz_scenario $(FUZZ_SECONDS)

run: deps-plots $(BIN)
	@scripts/run-main.sh $(BIN)

DIR ?= out/historical
plots: deps-plots
	@scripts/plots.sh "$(DIR)"

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/alignsim
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/alignsim
	install -m 644 docs/alignsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/alignsim.1
	cp -R configs scenarios analysis $(DESTDIR)$(PREFIX)/share/alignsim/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/alignsim $(DESTDIR)$(PREFIX)/share/man/man1/alignsim.1
	rm -rf $(DESTDIR)$(PREFIX)/share/alignsim

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
