#!/usr/bin/env bash
# test_speedup.sh: the speed-ups find exactly plain Dijkstra's routes. On several real networks and trains,
# bench/route_pairs routes thousands of random pairs (of nodes, and of points on edges) three ways (Dijkstra, A*
# with landmarks, the contraction hierarchy) and fails on any difference of cost or of journey (path, gauge changes, the gauge of every item and at
# both ends, facilities); matrices from the hierarchy must equal Dijkstra cell by
# cell, and `bogie table` the routes one by one.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
PAIRS="$ROOT/$BUILD/bench/route_pairs"
ok "route_pairs is built" test -x "$PAIRS"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
for f in cologne-railway.osm.pbf vde8.2-rail.osm.pbf sankt-poelten.overpass.json Helsinki.osm.pbf moscow.osm.gz; do
    "$BOGIE" import -q "$DATA/osm/$f" -o "$T/$f.bogie"
done
# same NETWORK TRAIN PAIRS SEED [--stations]: every pair routes alike three ways.
same() {
    local net=$1 train=$2 n=$3 seed=$4
    shift 4
    ok "$(basename "$net" .bogie), $train: $n random pairs, Dijkstra = A* = hierarchy" \
        "$PAIRS" "$net" data "data/trains/$train.json" "$n" "$seed" "$@"
}
same "$T/corridor.bogie" armoured 1000 1 --stations
same "$T/corridor.bogie" china-europe-freight 1000 2
same "$T/cologne-railway.osm.pbf.bogie" emu-1435 1000 3
same "$T/cologne-railway.osm.pbf.bogie" armoured 1000 4
same "$T/vde8.2-rail.osm.pbf.bogie" talgo-variable 1000 5
same "$T/sankt-poelten.overpass.json.bogie" emu-1435 1000 6
same "$T/Helsinki.osm.pbf.bogie" ru-passenger 500 7
same "$T/moscow.osm.gz.bogie" ru-passenger 500 8

# Places given as coordinates: points at random offsets on random edges (both ends, the origin only, the destination
# only). The hierarchy seeds a point with the search's own costs and must give the same journeys, pieces of track
# and all; it hands A* only the few points it cannot answer exactly (both on one edge, a turn judged otherwise with
# the piece's bearing), so it must answer at least 90 % of them itself (93-99 % on these networks).
points() {
    local net=$1 train=$2 n=$3 seed=$4
    ok "$(basename "$net" .bogie), $train: $n random pairs of points on edges, Dijkstra = A* = hierarchy, >= 90 % by the hierarchy" \
        "$PAIRS" "$net" data "data/trains/$train.json" "$n" "$seed" --points --min-hierarchy 90
}
points "$T/corridor.bogie" china-europe-freight 1000 21
points "$T/cologne-railway.osm.pbf.bogie" emu-1435 1000 22
points "$T/cologne-railway.osm.pbf.bogie" armoured 1000 23
points "$T/vde8.2-rail.osm.pbf.bogie" emu-1435 1000 24
points "$T/sankt-poelten.overpass.json.bogie" emu-1435 1000 25
points "$T/Helsinki.osm.pbf.bogie" ru-passenger 500 26
points "$T/moscow.osm.gz.bogie" ru-passenger 500 27

# Wheels of 1520 and 1524 mm run on the same track at the same cost: every search must break that tie alike, so a
# generated network's 1520 mm region gives the same journeys, gauges included, three ways, and the server the same
# bytes before and after the train's hierarchy is built.
"$ROOT/$BUILD/bench/gen" -q --nodes 30000 --seed 7 --data "$ROOT/data" --manifest "$T/gen.tsv" -o "$T/gen.osm"
"$BOGIE" import -q --data "$ROOT/data" "$T/gen.osm" -o "$T/gen.bogie"
same "$T/gen.bogie" ru-passenger 300 12 --stations
# The contraction runs on several threads (8220 states here, above the 4096 below which it keeps to one) and gives
# the very same hierarchy on any number of them: the same shortcuts and the same order, and exact routes.
order() {
    "$PAIRS" "$T/gen.bogie" data data/trains/ru-passenger.json 100 13 --stations --json --threads "$1" |
        grep -o '"mismatches":0,"path_diffs":0\|"shortcuts":[0-9]*,"order_digest":"[0-9a-f]*"' | tr '\n' ' '
}
one=$(order 1)
contains "gen, ru-passenger: the hierarchy on one thread has shortcuts, an order and exact routes" "$one" \
    '"mismatches":0,"path_diffs":0 "shortcuts":'
is "gen, ru-passenger: the hierarchy on 2 threads is the one on 1" "$(order 2)" "$one"
is "gen, ru-passenger: the hierarchy on 3 threads is the one on 1" "$(order 3)" "$one"
read -r from to < <(awk -F'\t' '$1 == "city" && $7 == 1520 {printf "%s ", $3; if (++n == 2) exit}' "$T/gen.tsv")
servers=()
trap 'kill "${servers[@]}" 2>/dev/null' EXIT
serve_network "$T/astar.log" "$T/gen.bogie" --no-prepare
astar=$port
serve_network "$T/hier.log" "$T/gen.bogie"
hier=$port
sleep 3 # the hierarchies of a 30,000-node network take well under a second
query="/api/journey?from=$from&to=$to&train=ru-passenger&depart=2024-07-01%2012:00"
curl -s -g "http://127.0.0.1:$astar$query" >"$T/astar.json"
curl -s -g "http://127.0.0.1:$hier$query" >"$T/hier.json"
contains "$from to $to for ru-passenger runs on the train's first gauge" "$(cat "$T/astar.json")" '"gauge_mm":1520'
same_file "/api/journey gives the same bytes from A* and from the hierarchy" "$T/hier.json" "$T/astar.json"

# Matrices from the hierarchy equal one Dijkstra search per cell.
ok "corridor, armoured: a 40 x 40 matrix equals Dijkstra cell by cell" \
    "$PAIRS" "$T/corridor.bogie" data data/trains/armoured.json 0 9 --stations --matrix 40
ok "Cologne, armoured: a 40 x 40 matrix equals Dijkstra cell by cell" \
    "$PAIRS" "$T/cologne-railway.osm.pbf.bogie" data data/trains/armoured.json 0 10 --matrix 40
ok "Erfurt-Halle, talgo-variable: a 30 x 30 matrix equals Dijkstra cell by cell" \
    "$PAIRS" "$T/vde8.2-rail.osm.pbf.bogie" data data/trains/talgo-variable.json 0 11 --matrix 30

# The table equals one route per pair: a 4 x 4 matrix between corridor stations.
"$BOGIE" table --network "$T/corridor.bogie" --train armoured --format json \
    --from Pyongyang --from Rajin --from Khasan --from Ussuriysk \
    --to Vladivostok --to Tumangang --to Hamhung --to Baranovsky >"$T/table.json"
ok "the table equals the routes' search weights and lengths" python3 - "$T/table.json" "$BOGIE" "$T/corridor.bogie" <<'PY'
import json, subprocess, sys
t = json.load(open(sys.argv[1]))
src = ["Pyongyang", "Rajin", "Khasan", "Ussuriysk"]
dst = ["Vladivostok", "Tumangang", "Hamhung", "Baranovsky"]
for i, a in enumerate(src):
    for k, b in enumerate(dst):
        r = subprocess.run([sys.argv[2], "route", "--network", sys.argv[3], "--train", "armoured", "--from", a,
                            "--to", b, "--format", "json"], capture_output=True, text=True)
        if r.returncode != 0:
            # The armoured train stands on 1435 mm wheels: it cannot start where only 1520 mm track runs.
            assert "no route" in r.stderr and t["durations"][i][k] is None, (a, b, r.stderr, t["durations"][i][k])
            continue
        j = json.loads(r.stdout)
        assert abs(t["durations"][i][k] - j["weight_s"]) <= 1, (a, b, t["durations"][i][k], j["weight_s"])
        assert abs(t["distances"][i][k] - j["length_km"] * 1000) <= 1, (a, b, t["distances"][i][k], j["length_km"])
PY
done_testing
