# Makefile: builds libbogie, the bogie tool, the tests and the benchmarks.
#   make deps     install the Debian packages bogie needs (tools/install-deps.sh: apt-get, sudo when not root)
#   make          build build/bogie and the web page (build/web)
#   make demo     build, then plan the flagship journey on the bundled corridor network, and Pyongyang - Moscow
#                 by the Trans-Siberian on the eurasia network
#   make check    build and run every test, as built and under ASan+UBSan; ends with "N passed, N failed"
#   make bench    run the benchmarks (bench-import, bench-serve, bench-route) and rewrite bench/RESULTS.md;
#                 BENCH_ARGS=--quick runs each in a couple of minutes
#   make soak     100,000 requests to bogie serve, with and without its cache; memory sampled and judged flat or not,
#                 into the "soak" section of bench/RESULTS.md (SOAK_ARGS=--quick: 5,000, printed only); then every
#                 byte of the corridor's graph file flipped in turn under ASan ("flip sweep" section)
#   make fuzz     build the libFuzzer harnesses (fuzz/) with clang, ASan and UBSan in build-fuzz/, run each for
#                 FUZZ_SECONDS or FUZZ_RUNS executions (FUZZ_ONLY=names,date for some) and write the "fuzz"
#                 section of bench/RESULTS.md

CC       ?= gcc
OPT      ?= -O2
CFLAGS   += -std=c11 -Wall -Wextra -Werror -g $(OPT) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Iinclude -Isrc -MMD -MP
LDLIBS   += -lexpat -lz -lbz2 -ljansson -ldeflate -lxxhash -lreadosm -lunistring -lmicrohttpd -lm -lpthread
BUILD    ?= build

# The library's stages, in the order data flows through them (src/README.md); the command line sits on top.
LIB_STAGES := base osm ref net route journey output serve
LIB_SRC  := $(wildcard $(LIB_STAGES:%=src/%/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_SRC  := $(wildcard src/cli/*.c)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
CORRIDOR := $(BUILD)/corridor.bogie

.PHONY: all deps demo check check-fast check-tsan tsan-build build-tests sanitizer-build test bench bench-import bench-serve bench-route clean \
        corridor eurasia fuzz fuzz-build soak

all: $(BUILD)/bogie $(BUILD)/web/index.html

deps:
	sh tools/install-deps.sh

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The layout check (tools/check-layout.py, src/README.md): stages include only their own and lower stages, their
# object files use only those stages' symbols and never each other's in a circle, no function is over 150 lines. The
# library is not archived until it passes.
$(BUILD)/layout.ok: tools/check-layout.py $(LIB_OBJ) $(CLI_OBJ) $(wildcard src/*/*.h src/*/README.md)
	python3 tools/check-layout.py --src src --objects $(BUILD)/obj
	@touch $@

$(BUILD)/libbogie.a: $(LIB_OBJ) $(BUILD)/layout.ok
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/bogie: $(CLI_OBJ) $(BUILD)/libbogie.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbogie.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libbogie.a $(LDLIBS) -lcmocka

# The web page: its npm packages at the lock file's versions (npm ci rewrites node_modules/.package-lock.json, which
# marks them as installed), then the page with its vendored files in $(BUILD)/web.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
$(BUILD)/web/index.html: $(wildcard web/src/*) web/build.sh web/node_modules/.package-lock.json
	web/build.sh $(BUILD)/web

corridor: $(CORRIDOR)
$(CORRIDOR): data/corridor/corridor.osm data/world/countries-10m.json data/world/countries.csv $(BUILD)/bogie
	$(BUILD)/bogie import -q --data data data/corridor/corridor.osm -o $@

# The eurasia network (docs/networks.md): generated into $(BUILD) by its build script from the committed sources, then
# imported; the build log lists every join of separate lines with its reason.
EURASIA := $(BUILD)/eurasia.bogie
EURASIA_SRC := data/eurasia/build.py data/gauge-by-country.csv \
               $(wildcard data/eurasia/sources/*.csv data/eurasia/sources/*/*) \
               data/corridor/build.py $(wildcard data/corridor/sources/*.csv data/corridor/sources/*/*)
eurasia: $(EURASIA)
$(BUILD)/eurasia.osm: $(EURASIA_SRC)
	@mkdir -p $(dir $@)
	python3 data/eurasia/build.py --out $@ --log $(BUILD)/eurasia-build.log
$(EURASIA): $(BUILD)/eurasia.osm data/world/countries-10m.json data/world/countries.csv $(BUILD)/bogie
	$(BUILD)/bogie import -q --data data $(BUILD)/eurasia.osm -o $@

# The flagship journey on the corridor, then the armoured train's Pyongyang - Moscow by the Trans-Siberian on eurasia.
demo: $(CORRIDOR) $(EURASIA)
	$(BUILD)/bogie route --network $(CORRIDOR) --from Pyongyang --to Vladivostok --train armoured \
	    --depart "2023-09-10 15:00"
	@echo
	$(BUILD)/bogie route --network $(EURASIA) --from Pyongyang --to "Moscow Yaroslavsky" --train armoured \
	    --avoid CN --depart "2023-09-10 15:00"

CHECK_TOOLS := $(BUILD)/bench/gen $(BUILD)/bench/netstats $(BUILD)/bench/route_pairs
CHECK_DEPS  := $(BUILD)/bogie $(BUILD)/web/index.html $(TEST_BIN) $(CORRIDOR) $(CHECK_TOOLS)
# The sanitizer build: everything again in its own directory, with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_BUILD   ?= build-san
SAN_FLAGS   := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

# Every test, as built and then under the sanitizers (tests/run-all); `make check-fast` runs the first half only.
check test: build-tests sanitizer-build tsan-build
	BUILD=$(BUILD) SAN_BUILD=$(SAN_BUILD) TSAN_BUILD=$(TSAN_BUILD) TSAN_TESTS='$(TSAN_TESTS)' tests/run-all

check-fast: build-tests
	BOGIE=$(BUILD)/bogie BUILD=$(BUILD) tests/run

build-tests: $(CHECK_DEPS)

sanitizer-build:
	$(MAKE) BUILD=$(SAN_BUILD) OPT="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" build-tests

# The ThreadSanitizer build: the server and what its tests need, in its own directory; `make check-tsan` runs the
# server's tests (test_api, test_abuse, test_hardening: concurrent clients, worker pool, watchdog) against it, and
# tests/run-all runs them as the third part of `make check`.
TSAN_BUILD  ?= build-tsan
TSAN_FLAGS  := -O1 -fno-omit-frame-pointer -fsanitize=thread
TSAN_TESTS  := ^test_(api|abuse|hardening)$$

tsan-build:
	$(MAKE) BUILD=$(TSAN_BUILD) OPT="$(TSAN_FLAGS)" LDFLAGS="-fsanitize=thread" $(TSAN_BUILD)/bogie \
	    $(TSAN_BUILD)/web/index.html $(TSAN_BUILD)/corridor.bogie $(TSAN_BUILD)/bench/gen

check-tsan: tsan-build
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" BUILD=$(TSAN_BUILD) BOGIE=$(TSAN_BUILD)/bogie \
	    tests/run '$(TSAN_TESTS)'

bench: bench-import bench-serve bench-route

bench-import: $(BUILD)/bogie $(BUILD)/bench/pbf_parse
	BOGIE=$(BUILD)/bogie PBF_PARSE=$(BUILD)/bench/pbf_parse python3 bench/import.py $(BENCH_ARGS)

bench-serve: $(BUILD)/bogie $(CORRIDOR)
	BOGIE=$(BUILD)/bogie CORRIDOR=$(CORRIDOR) python3 bench/serve.py $(BENCH_ARGS)

bench-route: $(BUILD)/bogie $(BUILD)/bench/gen $(BUILD)/bench/route_pairs
	BOGIE=$(BUILD)/bogie GEN=$(BUILD)/bench/gen PAIRS=$(BUILD)/bench/route_pairs python3 bench/route.py $(BENCH_ARGS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libbogie.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libbogie.a $(LDLIBS)

# The soak (bench/soak.py): bogie serve on the corridor network, 100,000 well-formed requests a run from four keep-alive
# clients, every answer checked, once with --no-cache and once with the answer cache; the server's VmRSS sampled
# between rounds, the growth after a warm-up judged, and the figures written to the "soak" section of
# bench/RESULTS.md. tests/cli/test_soak_quick.sh runs its --quick version in `make check`.
# Then the full byte-flip sweep of the corridor's graph file on the sanitizer build (bench/flipsweep.py, about 15
# minutes), into the "flip sweep" section; SOAK_ARGS=--quick leaves it out.
soak: $(BUILD)/bogie $(CORRIDOR)
	BOGIE=$(BUILD)/bogie CORRIDOR=$(CORRIDOR) python3 bench/soak.py $(SOAK_ARGS)
	@if [ -z "$(findstring --quick,$(SOAK_ARGS))" ]; then \
	    $(MAKE) sanitizer-build && python3 bench/flipsweep.py $(SAN_BUILD); fi

# Fuzzing: the library again, built by clang with libFuzzer's coverage hooks, ASan and UBSan (every UBSan finding
# aborts, so that libFuzzer keeps the input), in its own directory; one harness per parser (fuzz/fuzz_<name>.c); seed
# corpora made from the fixtures (fuzz/corpus.py) in $(FUZZ_BUILD)/corpus. `make fuzz` runs each harness in turn for
# FUZZ_SECONDS; tests/cli/test_fuzz_smoke.sh runs each for a few seconds in `make check`.
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_ONLY    ?=
FUZZ_RUNS    ?= 0
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -Wall -Wextra -Werror -g -O1 $(FUZZ_SAN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
                -Iinclude -Isrc -MMD -MP
FUZZ_NAMES   := pbf xml overpass train network query service names date
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_OBJ     := $(LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: src/%.c fuzz/coverage-ignore.txt
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=fuzz/coverage-ignore.txt -c $< -o $@

$(FUZZ_BUILD)/libbogie.a: $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_BUILD)/libbogie.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libbogie.a $(LDLIBS)

$(FUZZ_BUILD)/corpus/.done: fuzz/corpus.py $(wildcard fuzz/seeds/*/*) $(BUILD)/bogie
	python3 fuzz/corpus.py $(BUILD)/bogie $(FUZZ_BUILD)/corpus
	touch $@

fuzz-build: $(FUZZ_BIN) $(FUZZ_BUILD)/corpus/.done $(CORRIDOR)

fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_ONLY=$(FUZZ_ONLY) BOGIE_FUZZ_NETWORK=$(CORRIDOR) \
	    python3 bench/fuzz.py

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) $(FUZZ_BIN:%=%.d)
