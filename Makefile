# Makefile: builds libbogie, the bogie tool, the tests and the benchmarks.
#   make deps     install the Debian packages bogie needs to build and run (tools/install-deps.sh: apt-get, sudo when
#                 not root); make deps-test adds what the tests and benchmarks use (make check and make bench do,
#                 when one is missing)
#   make          build build/bogie and the web page (build/web)
#   make demo     build, then plan the flagship journey on the bundled corridor network, and Pyongyang - Moscow
#                 by the Trans-Siberian on the eurasia network
#   make check    build and run every test, as built and under ASan+UBSan; ends with "N passed, N failed"
#   make bench    run the benchmarks (bench-import, -serve, -route, -networks, -world), rewrite bench/RESULTS.md;
#                 BENCH_ARGS=--quick runs each in a couple of minutes
#   make soak     100,000 requests to bogie serve, with and without its cache; memory sampled and judged flat or not,
#                 into the "soak" section of bench/RESULTS.md (SOAK_ARGS=--quick: 5,000, printed only); then every
#                 byte of the corridor's graph file flipped in turn under ASan ("flip sweep" section)
#   make install  install bogie, libbogie (shared and static), its headers, pkg-config file, data, page and the corridor
#                 network under PREFIX (default /usr/local), staged under DESTDIR if given; make uninstall removes them (and share/bogie,
#                 but not the directories other software shares, such as bin and lib/pkgconfig)
#   make fuzz     build the libFuzzer harnesses (fuzz/) with clang, ASan and UBSan in build-fuzz/, run each for
#                 FUZZ_SECONDS or FUZZ_RUNS executions (FUZZ_ONLY=names,date for some) and write the "fuzz"
#                 section of bench/RESULTS.md

CC       ?= gcc
OPT      ?= -O2
CFLAGS   += -std=c11 -Wall -Wextra -Werror -g $(OPT) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Iinclude -Isrc -MMD -MP
LDLIBS   += -lexpat -lz -lbz2 -ljansson -ldeflate -lxxhash -lreadosm -lunistring -lmicrohttpd -lzip -lm -lpthread
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

.PHONY: all deps deps-test demo check check-fast check-tsan tsan-build build-tests sanitizer-build test bench bench-import bench-serve bench-route bench-networks bench-world clean \
        corridor eurasia fuzz fuzz-build soak install uninstall

# The shared library's soname version (defined before `all`, whose prerequisites expand as it is read).
SOVERSION := 0

all: $(BUILD)/bogie $(BUILD)/web/index.html $(BUILD)/libbogie.so.$(SOVERSION)

deps:
	sh tools/install-deps.sh
deps-test:
	sh tools/install-deps.sh --test

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

# Installing (docs/install.md). The shared library is built from its own objects, position-independent and with
# -fvisibility=hidden: include/bogie.h and bogie_server.h mark what they declare as exported, so only bogie_*
# symbols are. The installed command is linked with the static library like build/bogie, but its cli_common.c is
# compiled with the installed data directory, network and page as its defaults, so that it runs from anywhere.
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      := $(PREFIX)/bin
LIBDIR      := $(PREFIX)/lib
INCLUDEDIR  := $(PREFIX)/include
SHAREDIR    := $(PREFIX)/share/bogie
LIBVERSION  := $(shell sed -n 's/^\#define BOGIE_VERSION "\(.*\)"/\1/p' include/bogie.h)
PIC_OBJ     := $(LIB_SRC:src/%.c=$(BUILD)/pic/%.o)
SHARED_LIB  := $(BUILD)/libbogie.so.$(LIBVERSION)
INST_DIR    := $(BUILD)/install$(subst /,_,$(PREFIX))
DATA_FILES  := README.md borders.csv gauge-by-country.csv gauge-changers.csv speed-defaults.csv timezones.csv
WORLD_FILES := countries-10m.json countries.csv LICENSE.world-atlas PROVENANCE.md

$(BUILD)/pic/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(SHARED_LIB): $(PIC_OBJ) $(BUILD)/layout.ok
	$(CC) -shared -Wl,-soname,libbogie.so.$(SOVERSION) $(LDFLAGS) -o $@ $(PIC_OBJ) $(LDLIBS)

# The shared library under its soname in the build folder, where the Python package (python/) finds it in a clone.
$(BUILD)/libbogie.so.$(SOVERSION): $(SHARED_LIB)
	ln -sf $(notdir $(SHARED_LIB)) $@

$(INST_DIR)/cli_common.o: src/cli/cli_common.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DBOGIE_DATADIR='"$(SHAREDIR)"' -DBOGIE_NETWORK_DEFAULT='"$(SHAREDIR)/corridor.bogie"' \
	    -DBOGIE_WEBDIR='"$(SHAREDIR)/web"' -c $< -o $@

$(INST_DIR)/bogie: $(filter-out $(BUILD)/obj/cli/cli_common.o,$(CLI_OBJ)) $(INST_DIR)/cli_common.o $(BUILD)/libbogie.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(INST_DIR)/bogie.pc: Makefile include/bogie.h
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' 'Name: bogie' \
	    'Description: railway journey planner that knows gauges, borders and train physics' \
	    'Version: $(LIBVERSION)' 'Libs: -L$${libdir} -lbogie' 'Libs.private: $(LDLIBS)' 'Cflags: -I$${includedir}' > $@

# The man pages and the bash completion, written by the command itself from the text of `bogie help`
# (src/cli/cli_help.c), so that they never disagree with --help.
MAN_COMMANDS := import info route where table trains stations serve help version
MAN_PAGES    := $(BUILD)/man/bogie.1 $(MAN_COMMANDS:%=$(BUILD)/man/bogie-%.1)
MANDIR       := $(PREFIX)/share/man/man1
COMPLETIONDIR := $(PREFIX)/share/bash-completion/completions

$(BUILD)/man/bogie.1: $(BUILD)/bogie
	@mkdir -p $(dir $@)
	$(BUILD)/bogie help --man > $@.tmp && mv $@.tmp $@
$(BUILD)/man/bogie-%.1: $(BUILD)/bogie
	@mkdir -p $(dir $@)
	$(BUILD)/bogie help --man $* > $@.tmp && mv $@.tmp $@
$(BUILD)/bogie.bash-completion: $(BUILD)/bogie
	$(BUILD)/bogie help --bash-completion > $@.tmp && mv $@.tmp $@

install: $(INST_DIR)/bogie $(SHARED_LIB) $(BUILD)/libbogie.a $(INST_DIR)/bogie.pc $(CORRIDOR) $(BUILD)/web/index.html \
         $(MAN_PAGES) $(BUILD)/bogie.bash-completion
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(SHAREDIR)/trains $(DESTDIR)$(SHAREDIR)/world $(DESTDIR)$(SHAREDIR)/web \
	    $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPLETIONDIR)
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/
	install -m 644 $(BUILD)/bogie.bash-completion $(DESTDIR)$(COMPLETIONDIR)/bogie
	install -m 755 $(INST_DIR)/bogie $(DESTDIR)$(BINDIR)/bogie
	install -m 644 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/libbogie.so.$(LIBVERSION)
	ln -sf libbogie.so.$(LIBVERSION) $(DESTDIR)$(LIBDIR)/libbogie.so.$(SOVERSION)
	ln -sf libbogie.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libbogie.so
	install -m 644 $(BUILD)/libbogie.a $(DESTDIR)$(LIBDIR)/libbogie.a
	install -m 644 $(INST_DIR)/bogie.pc $(DESTDIR)$(LIBDIR)/pkgconfig/bogie.pc
	install -m 644 include/bogie.h include/bogie_server.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(DATA_FILES:%=data/%) $(DESTDIR)$(SHAREDIR)/
	install -m 644 data/trains/*.json $(DESTDIR)$(SHAREDIR)/trains/
	install -m 644 $(WORLD_FILES:%=data/world/%) $(DESTDIR)$(SHAREDIR)/world/
	install -m 644 $(CORRIDOR) $(DESTDIR)$(SHAREDIR)/corridor.bogie
	cp -R $(BUILD)/web/. $(DESTDIR)$(SHAREDIR)/web/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/bogie $(DESTDIR)$(LIBDIR)/libbogie.so.$(LIBVERSION) \
	    $(DESTDIR)$(LIBDIR)/libbogie.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libbogie.so $(DESTDIR)$(LIBDIR)/libbogie.a \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/bogie.pc $(DESTDIR)$(INCLUDEDIR)/bogie.h $(DESTDIR)$(INCLUDEDIR)/bogie_server.h
	rm -f $(MAN_PAGES:$(BUILD)/man/%=$(DESTDIR)$(MANDIR)/%) $(DESTDIR)$(COMPLETIONDIR)/bogie
	rm -rf $(DESTDIR)$(SHAREDIR)

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

CHECK_TOOLS := $(BUILD)/bench/gen $(BUILD)/bench/netstats $(BUILD)/bench/route_pairs $(BUILD)/bench/plan_loop \
               $(BUILD)/bench/ch_compare
CHECK_DEPS  := $(BUILD)/bogie $(BUILD)/web/index.html $(TEST_BIN) $(CORRIDOR) $(CHECK_TOOLS)
# The sanitizer build: everything again in its own directory, with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_BUILD   ?= build-san
SAN_FLAGS   := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

# Every test, as built and then under the sanitizers (tests/run-all); `make check-fast` runs the first half only.
# The test tools are installed first when one is missing (tools/install-deps.sh --test --if-missing), before anything
# is built: the unit tests need cmocka's header.
check test:
	sh tools/install-deps.sh --test --if-missing
	$(MAKE) build-tests sanitizer-build tsan-build
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

bench:
	sh tools/install-deps.sh --test --if-missing
	$(MAKE) bench-import bench-serve bench-route bench-networks bench-world

bench-import: $(BUILD)/bogie $(BUILD)/bench/pbf_parse
	BOGIE=$(BUILD)/bogie PBF_PARSE=$(BUILD)/bench/pbf_parse python3 bench/import.py $(BENCH_ARGS)

bench-serve: $(BUILD)/bogie $(CORRIDOR)
	BOGIE=$(BUILD)/bogie CORRIDOR=$(CORRIDOR) python3 bench/serve.py $(BENCH_ARGS)

# The bundled networks' speed figures (bench/networks.py): eurasia's import per km against the corridor's, and a
# 10,000 km journey planned from the command line against the flagship journey.
bench-networks: $(BUILD)/bogie $(BUILD)/bench/plan_loop $(BUILD)/eurasia.osm
	BOGIE=$(BUILD)/bogie PLAN_LOOP=$(BUILD)/bench/plan_loop EURASIA_OSM=$(BUILD)/eurasia.osm \
	    python3 bench/networks.py $(BENCH_ARGS)

# RoutingKit, the outside baseline of bench-route's side-by-side (bench/routingkit.cpp): its source (BSD licence) is
# copied from ROUTINGKIT_SRC into $(BUILD)/routingkit and built there with its own Makefile. Only the benchmark uses
# it; without the source, bench-route leaves the side-by-side out and says so.
ROUTINGKIT_SRC ?= ../shared/anchors/routingkit
RK_BENCH := $(if $(wildcard $(ROUTINGKIT_SRC)/Makefile),$(BUILD)/bench/routingkit)
# The world-size network (bench/world.py, issue 16): 50 million OSM nodes over Eurasia, Africa and the Americas; import,
# open, hierarchies, queries and the server on it, in one run. BENCH_ARGS=--quick: 2 million nodes.
bench-world: $(BUILD)/bogie $(BUILD)/bench/gen $(BUILD)/bench/route_pairs
	BOGIE=$(BUILD)/bogie GEN=$(BUILD)/bench/gen PAIRS=$(BUILD)/bench/route_pairs python3 bench/world.py $(BENCH_ARGS)

bench-route: $(BUILD)/bogie $(BUILD)/bench/gen $(BUILD)/bench/route_pairs $(BUILD)/bench/ch_compare \
             $(BUILD)/bench/plan_loop $(RK_BENCH)
	BOGIE=$(BUILD)/bogie GEN=$(BUILD)/bench/gen PAIRS=$(BUILD)/bench/route_pairs CH_COMPARE=$(BUILD)/bench/ch_compare \
	    PLAN_LOOP=$(BUILD)/bench/plan_loop ROUTINGKIT=$(RK_BENCH) python3 bench/route.py $(BENCH_ARGS)

$(BUILD)/routingkit/lib/libroutingkit.a:
	@mkdir -p $(BUILD)/routingkit
	cp -r $(ROUTINGKIT_SRC)/. $(BUILD)/routingkit/
	$(MAKE) -C $(BUILD)/routingkit lib/libroutingkit.a
$(BUILD)/bench/routingkit: bench/routingkit.cpp $(BUILD)/routingkit/lib/libroutingkit.a
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O3 -march=native -DNDEBUG -Wall -I$(BUILD)/routingkit/include -o $@ $< \
	    $(BUILD)/routingkit/lib/libroutingkit.a -fopenmp

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
# One spelling of the folder, whichever a caller gives (tests/cli/test_fuzz_smoke.sh gives it absolute): the
# dependency files name their targets as the compiler was told, so a second spelling would find none of them and
# leave objects compiled against old headers (stale struct layouts: the smoke test's mutex assert and misaligned
# stations of 2026-12-03).
override FUZZ_BUILD := $(abspath $(FUZZ_BUILD))
FUZZ_SECONDS ?= 600
FUZZ_ONLY    ?=
FUZZ_RUNS    ?= 0
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -Wall -Wextra -Werror -g -O1 $(FUZZ_SAN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
                -Iinclude -Isrc -MMD -MP
FUZZ_NAMES   := pbf xml overpass train network query service names date gpx
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

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) $(FUZZ_BIN:%=%.d)
