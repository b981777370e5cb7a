# lrsweep - plain GNU Makefile.
#
#   make              build bin/lrsweep (first checks with pkg-config that the
#                     libraries are there; if not, one line names the missing
#                     Debian packages and says how to install them - plain
#                     make never installs anything itself)
#   make deps         install the missing Debian packages (scripts/deps.sh)
#   make check        install missing Debian packages, build, run every test
#   make demo         install, build, run the main job
#   make mpi          install Open MPI if missing, build bin/lrsweep-mpi
#   make bench        benchmarks (lrsweep against PyTorch on the same work)
#   make accuracy-bench  test accuracy of lrsweep against PyTorch: the MLP,
#                     LeNet-5 and the CLR paper's net, 3 seeds (~7 min)
#   make range-study  the range test's bounds on Fashion-MNIST vs a grid (~2 min)
#   make bounds-bench the bound-quality benchmark: 198 problems (from an
#                     empty cache the first 171 took ~13 min on one machine,
#                     50 min on a slower one shared with other work; later
#                     runs reuse cached trials, ~1-5 min)
#   make bounds-reach after bounds-bench: what any rule could reach (the best
#                     max_lr per seen problem) and what racing @max/3, @max,
#                     @max*3 buys, in the sweep or before it (results/
#                     bounds-oracle.md, bounds-race.md, bounds-shortrace.md)
#   make search-bench TPE against Optuna's on known functions, against random
#                     search on bound-benchmark problems, and against Optuna's
#                     on lrsweep trials of four of them (8 minutes here)
#   make install      PREFIX=/usr/local DESTDIR=: bin/lrsweep (and
#                     bin/lrsweep-mpi when built) to PREFIX/bin, the man page
#                     to PREFIX/share/man/man1, README.md and docs/ to
#                     PREFIX/share/doc/lrsweep, clients/python/*.py to
#                     PREFIX/share/lrsweep/clients/python
#   make clean
#   make fuzz         fuzz every parser with libFuzzer (clang), FUZZ_SECONDS=N each
#   SANITIZE=1        build and test with AddressSanitizer + UBSan
#   LRSWEEP_DEPS_DRY=1  (environment) deps, check, demo, mpi: only name the
#                     missing packages, never run apt-get
#   WERROR=1          turn warnings into errors (CI)

CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := yaml-0.1 zlib sqlite3
# OpenBLAS: headers at build time, the library loaded at run time (blas.c)
BLAS_PKG := openblas
CHECK_PKGS := check

ifeq ($(FUZZ),1)
# libFuzzer builds (make fuzz): every object with coverage, ASan and UBSan
CC      := clang
BUILD   := build/fuzz
BIN     := $(BUILD)/lrsweep
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g -fsanitize=fuzzer-no-link
else ifeq ($(SANITIZE),1)
BUILD   := build/sanitize
BIN     := $(BUILD)/lrsweep
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
BUILD   := build/release
BIN     := bin/lrsweep
SAN     :=
OPT     := -O2 -g
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS  ?= $(OPT)
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -fopenmp $(WARN) $(SAN) $(CFLAGS) -Iinclude -MMD -MP \
              $(shell pkg-config --cflags $(PKGS) $(BLAS_PKG) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -fopenmp -ldl -lpthread -lm
TEST_LDLIBS := $(shell pkg-config --libs $(CHECK_PKGS) 2>/dev/null)

# bin/lrsweep-mpi: `lrsweep run` across MPI ranks (docs/mpi.md). Only
# src/mpi is compiled with mpicc; it links the same objects as bin/lrsweep.
MPICC    ?= mpicc
MPI_BIN  := $(dir $(BIN))lrsweep-mpi
HAVE_MPI := $(shell command -v $(MPICC) 2>/dev/null)
MPI_OBJ  := $(BUILD)/mpi/src/mpi/main.o

SRC      := $(sort $(filter-out src/mpi/%,$(wildcard src/*/*.c)))
MAIN_SRC := src/cli/entry.c
OBJ      := $(SRC:%.c=$(BUILD)/%.o)
LIB_OBJ  := $(filter-out $(BUILD)/$(MAIN_SRC:.c=.o),$(OBJ))
TEST_SRC := $(sort $(wildcard tests/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(BUILD)/tests/check_lrsweep
REPLAY   := $(BUILD)/tests/tools/nn_replay
BENCH_TRAIN := $(BUILD)/bench/bench_train
SEARCH_FUNCS := $(BUILD)/bench/search/functions
BENCH_NET := $(BUILD)/bench/bench_net

# Fuzz targets (tests/fuzz/fuzz_T.c): libFuzzer programs under FUZZ=1, and
# replay programs that `make check` runs over tests/fuzz/{corpus,regress}/T.
FUZZ_TARGETS := experiment idx csv npy npz schedule protocol params
FUZZ_DIR     := $(BUILD)/tests/fuzz
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
REPLAY_BINS  := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/replay_%)
FUZZ_OBJ     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%.o) $(FUZZ_DIR)/fuzz.o $(FUZZ_DIR)/replay.o
FUZZ_SECONDS ?= 60

.PHONY: all deps build-deps check lint unit clients e2e crosscheck docs-check fuzz-replay fuzz fuzz-bins demo bench accuracy-bench range-study bounds-bench bounds-reach search-bench mpi install clean valgrind

all: $(BIN)

$(BIN): $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Every compile waits for the check of the libraries (one line, not a page
# of compiler errors, when one is missing).
$(BUILD)/%.o: %.c Makefile | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The test runner links every object but the one with main().
$(TEST_BIN): $(TEST_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS) $(LDLIBS)

# Programs that link the library for the PyTorch checks and benchmarks.
$(REPLAY) $(BENCH_TRAIN) $(SEARCH_FUNCS) $(BENCH_NET): %: %.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(REPLAY_BINS): $(FUZZ_DIR)/replay_%: $(FUZZ_DIR)/fuzz_%.o $(FUZZ_DIR)/fuzz.o $(FUZZ_DIR)/replay.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/fuzz_%.o $(FUZZ_DIR)/fuzz.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/deps.sh

build-deps:
	@CC="$(CC)" scripts/deps.sh --build

# deps runs first (in its own make), so the build sees the packages.
check: deps
	@$(MAKE) --no-print-directory lint unit fuzz-replay clients e2e crosscheck docs-check

# The layer suites run twice: on this CPU's kernels, then on the portable
# paths a CPU without AVX-512 takes (LRSWEEP_PORTABLE, src/nn/direct.c).
unit: $(TEST_BIN)
	$(TEST_BIN)
	LRSWEEP_PORTABLE=1 CK_RUN_SUITE=net $(TEST_BIN)

e2e: $(BIN) $(if $(HAVE_MPI),$(MPI_BIN))
	@for t in tests/e2e/*.sh; do [ "$$t" = tests/e2e/lib.sh ] && continue; \
	   echo "== $$t"; LRSWEEP=$(BIN) LRSWEEP_MPI=$(if $(HAVE_MPI),$(MPI_BIN)) $$t || exit 1; done

# The external-trainer clients (clients/) against a fake lrsweep: the C
# stub trainer and the Python client, every protocol path and fault.
clients:
	@echo "== tests/clients/run.sh"; SANITIZE=$(SANITIZE) tests/clients/run.sh

# Every seed and every reproducer the fuzzer found, through each target.
fuzz-replay: $(REPLAY_BINS)
	@for t in $(FUZZ_TARGETS); do \
	   $(FUZZ_DIR)/replay_$$t tests/fuzz/corpus/$$t tests/fuzz/regress/$$t || exit 1; done

# libFuzzer on every target for FUZZ_SECONDS each (scripts/fuzz.sh; needs
# clang: scripts/deps.sh --fuzz installs it).
fuzz:
	@scripts/deps.sh --fuzz
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	scripts/fuzz.sh build/fuzz/tests/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-bins: $(FUZZ_BINS)

crosscheck: $(BIN) $(REPLAY)
	@if [ -x /usr/bin/python3 ]; then \
	   /usr/bin/python3 tests/torch_crosscheck.py $(BIN) && \
	   /usr/bin/python3 tests/torch_nn_check.py $(REPLAY) && \
	   /usr/bin/python3 tests/torch_net_check.py $(REPLAY) && \
	   LRSWEEP_PORTABLE=1 /usr/bin/python3 tests/torch_net_check.py $(REPLAY) && \
	   /usr/bin/python3 tests/torch_run_check.py $(BIN); \
	 else echo "torch checks: SKIPPED (no /usr/bin/python3)"; fi

# No function in src/ over 100 lines (scripts/long-functions.sh names any).
lint:
	@echo "== scripts/long-functions.sh"; scripts/long-functions.sh

docs-check: $(BIN)
	scripts/check_docs.sh $(BIN)

valgrind: $(TEST_BIN)
	CK_FORK=no valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect -q $(TEST_BIN)

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	LRSWEEP=$(BIN) scripts/demo.sh

bench: $(BIN) $(BENCH_TRAIN) $(BENCH_NET)
	LRSWEEP=$(BIN) bench/bench_schedule.sh
	bench/bench_range.sh $(BENCH_TRAIN)
	bench/bench_run.sh $(BIN)
	bench/bench_query.sh $(BIN)
	@if command -v mpirun >/dev/null; then $(MAKE) --no-print-directory $(MPI_BIN) && bench/bench_mpi.sh $(BIN) $(MPI_BIN); fi
	/usr/bin/python3 bench/bench_train.py $(BENCH_TRAIN)
	/usr/bin/python3 bench/bench_cnn.py $(BENCH_NET)
	/usr/bin/python3 bench/accuracy.py $(BIN)
	/usr/bin/python3 bench/bench_external.py $(BIN)

# Test accuracy of lrsweep against PyTorch 1.13 on the same networks, data
# split recipe, schedules, epochs and seeds (bench/accuracy.py; also in bench).
accuracy-bench: $(BIN)
	/usr/bin/python3 bench/accuracy.py $(BIN)

# The range test's bounds on Fashion-MNIST against a grid of constant rates,
# and their stability over seeds (about two minutes; results/range-study.txt).
range-study: deps $(BIN)
	bench/range_study.sh $(BIN)

# Every rule's bounds against a grid search on 198 problems, the held-out
# thirteen (the seventeenth set, 186-198) reported apart (bench/bounds/run.py;
# results/bounds-bench.md).
bounds-bench: $(BIN)
	@scripts/deps.sh --bench
	/usr/bin/python3 bench/bounds/run.py $(BIN)

# On the seen problems of the last bounds-bench run: regret against max_lr
# on a quarter-decade grid (surface.py), the best max_lr per problem as an
# oracle rule and the share of 13-problem sets it and each rule meet the
# targets on (oracle.py), a race of @max/3, @max, @max*3 (race.py), and
# the same race run before the trials with a seed of its own, full length
# or a quarter (shortrace.py). Trials come from the bounds-bench cache when
# there.
bounds-reach: $(BIN)
	@scripts/deps.sh --bench
	@test -f results/bounds-bench/last.json || { echo "bounds-reach: run make bounds-bench first (results/bounds-bench/last.json)" >&2; exit 2; }
	/usr/bin/python3 bench/bounds/surface.py $(BIN)
	/usr/bin/python3 bench/bounds/oracle.py --out results/bounds-oracle.md
	/usr/bin/python3 bench/bounds/race.py $(BIN) --out results/bounds-race.md
	/usr/bin/python3 bench/bounds/shortrace.py $(BIN) --out results/bounds-shortrace.md

# TPE (src/sweep/tpe.c) against Optuna's on the shifted 6-D quadratic and
# Branin (no training), then against random search on problems of the
# bound benchmark (results/search-bench.md), then against Optuna's TPE on
# lrsweep trials of four of them (a section added to that file);
# docs/search.md has the tables.
search-bench: $(BIN) $(SEARCH_FUNCS)
	@scripts/deps.sh --search
	/usr/bin/python3 bench/search/functions.py $(SEARCH_FUNCS)
	/usr/bin/python3 bench/search/run.py $(BIN)
	/usr/bin/python3 bench/search/optuna_trials.py $(BIN)

# Open MPI's compiler, or one line saying where it comes from.
NEED_MPICC = command -v $(MPICC) >/dev/null 2>&1 || { echo "lrsweep: $(MPICC) not found: it comes with \
Open MPI (libopenmpi-dev openmpi-bin): run 'make mpi' as root, or: sudo apt-get install -y libopenmpi-dev \
openmpi-bin" >&2; exit 1; }

mpi:
	@scripts/deps.sh --mpi
	@$(NEED_MPICC)
	@$(MAKE) --no-print-directory $(MPI_BIN)

$(MPI_OBJ): src/mpi/main.c Makefile | build-deps
	@$(NEED_MPICC)
	@mkdir -p $(dir $@)
	$(MPICC) $(ALL_CFLAGS) -c -o $@ $<

$(MPI_BIN): $(MPI_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(MPICC) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# lrsweep-mpi goes along when it has been built (make mpi), brought up to date.
install: $(BIN) $(wildcard $(MPI_BIN))
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/lrsweep
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/lrsweep
	$(if $(wildcard $(MPI_BIN)),install -m 755 $(MPI_BIN) $(DESTDIR)$(PREFIX)/bin/lrsweep-mpi)
	install -m 644 docs/lrsweep.1 $(DESTDIR)$(PREFIX)/share/man/man1/lrsweep.1
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/lrsweep/README.md
	@for f in $$(find docs -type f ! -name lrsweep.1 | sort); do \
	   echo "install -D -m 644 $$f $(DESTDIR)$(PREFIX)/share/doc/lrsweep/$$f"; \
	   install -D -m 644 "$$f" "$(DESTDIR)$(PREFIX)/share/doc/lrsweep/$$f" || exit 1; done
	@for f in $(wildcard clients/python/*.py); do \
	   echo "install -D -m 644 $$f $(DESTDIR)$(PREFIX)/share/lrsweep/$$f"; \
	   install -D -m 644 "$$f" "$(DESTDIR)$(PREFIX)/share/lrsweep/$$f" || exit 1; done

clean:
	rm -rf build bin

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(REPLAY).d $(BENCH_TRAIN).d $(SEARCH_FUNCS).d $(BENCH_NET).d $(MPI_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
