# Makefile: builds libbogie, the bogie tool, the tests and the benchmarks.
#   make deps     install the Debian packages bogie needs (tools/install-deps.sh: apt-get, sudo when not root)
#   make          build build/bogie and the web page (build/web)
#   make demo     build, then plan the flagship journey on the bundled corridor network
#   make check    build and run every test; ends with "N passed, N failed"
#   make bench    run the benchmarks (bench-import, bench-serve, bench-route) and rewrite bench/RESULTS.md;
#                 BENCH_ARGS=--quick runs each in a couple of minutes

CC       ?= gcc
OPT      ?= -O2
CFLAGS   += -std=c11 -Wall -Wextra -Werror -g $(OPT) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Iinclude -Isrc -MMD -MP
LDLIBS   += -lexpat -lz -lbz2 -ljansson -ldeflate -lxxhash -lreadosm -lunistring -lmicrohttpd -lm -lpthread
BUILD    ?= build

LIB_SRC  := $(filter-out src/cli.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
CORRIDOR := $(BUILD)/corridor.bogie

.PHONY: all deps demo check test bench bench-import bench-serve bench-route clean corridor

all: $(BUILD)/bogie $(BUILD)/web/index.html

deps:
	sh tools/install-deps.sh

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libbogie.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bogie: $(BUILD)/obj/cli.o $(BUILD)/libbogie.a
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

demo: $(CORRIDOR)
	$(BUILD)/bogie route --network $(CORRIDOR) --from Pyongyang --to Vladivostok --train armoured \
	    --depart "2023-09-10 15:00"

CHECK_TOOLS := $(BUILD)/bench/gen $(BUILD)/bench/netstats $(BUILD)/bench/route_pairs
check test: $(BUILD)/bogie $(BUILD)/web/index.html $(TEST_BIN) $(CORRIDOR) $(CHECK_TOOLS)
	BOGIE=$(BUILD)/bogie BUILD=$(BUILD) tests/run

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

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/cli.d
