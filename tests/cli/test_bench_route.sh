#!/usr/bin/env bash
# test_bench_route.sh: the routing benchmark's quick mode runs end to end (generator, import, three search methods on
# five trains, a matrix, pgRouting in a throwaway PostgreSQL cluster, alternatives checked against their criteria,
# bogie's side of the RoutingKit side-by-side)
# and finds no difference between the methods.
# Its figures are not checked here: timings belong to bench/RESULTS.md, not to tests.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
# RoutingKit is a benchmark baseline only (ROUTINGKIT empty): the side-by-side runs bogie's side alone.
BOGIE=$BOGIE GEN="$ROOT/$BUILD/bench/gen" PAIRS="$ROOT/$BUILD/bench/route_pairs" PLAN_LOOP="$ROOT/$BUILD/bench/plan_loop" \
    CH_COMPARE="$ROOT/$BUILD/bench/ch_compare" ROUTINGKIT="" \
    python3 bench/route.py --quick --no-write >"$T/bench.txt" 2>"$T/bench.err"
status=$?
is "bench/route.py --quick exits 0" "$status" "0"
[ "$status" -eq 0 ] || sed 's/^/#   /' "$T/bench.err" | tail -20
contains "every pair routed the same three ways" "$(cat "$T/bench.txt")" "(0 differences of cost or path)"
contains "the matrix agrees with Dijkstra" "$(cat "$T/bench.txt")" "with a route): 0 mismatches"
contains "pgRouting answered" "$(cat "$T/bench.txt")" "pgRouting 3.4"
contains "the alternatives were timed and met the criteria" "$(cat "$T/bench.txt")" "| china-europe-freight |"
contains "bogie's side of the RoutingKit side-by-side ran" "$(cat "$T/bench.txt")" "RoutingKit was not built"
contains "the flagship journey's alternatives were timed" "$(cat "$T/bench.txt")" "The flagship journey with \`--alternatives 3\`"
done_testing
