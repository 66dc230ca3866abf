#!/usr/bin/env bash
# test_gen.sh: the synthetic network generator (bench/gen.c) and its statistics tool (bench/netstats.c): the same seed
# gives the same bytes and another seed another network; a small network imports with several gauges, countries,
# border crossings and breaks of gauge at stations; and a China-Europe freight train crosses a break of gauge on it.
. "$(dirname "$0")/lib.sh"

B=${BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
GEN=$B/bench/gen
NETSTATS=$B/bench/netstats
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- determinism --------------------------------------------------------------------------------------------------
ok "generate 30000 nodes, seed 7" "$GEN" -q --nodes 30000 --seed 7 --data "$ROOT/data" --manifest "$T/a.tsv" -o "$T/a.osm"
ok "generate them again" "$GEN" -q --nodes 30000 --seed 7 --data "$ROOT/data" --manifest "$T/b.tsv" -o "$T/b.osm"
same_file "the same seed gives the same bytes" "$T/b.osm" "$T/a.osm"
same_file "and the same manifest" "$T/b.tsv" "$T/a.tsv"
ok "generate gzip-compressed" "$GEN" -q --nodes 30000 --seed 7 --data "$ROOT/data" -o "$T/c.osm.gz"
ok "gzip output is the same network" cmp <(gunzip -c "$T/c.osm.gz") "$T/a.osm"
ok "generate seed 8" "$GEN" -q --nodes 30000 --seed 8 --data "$ROOT/data" -o "$T/d.osm"
ok "another seed gives another network" bash -c '! cmp -s "$1" "$2"' _ "$T/a.osm" "$T/d.osm"
ok "a bad option value is a usage error naming the option" bash -c \
    '"$1" --nodes lots -o "$2" 2>&1 | grep -q -- "--nodes: expected a number"; [ "${PIPESTATUS[0]}" = 2 ]' \
    _ "$GEN" "$T/x.osm"

# --- a small network imports, with what the generator promises ------------------------------------------------------
ok "import the generated network" "$BOGIE" import -q --data "$ROOT/data" "$T/a.osm" -o "$T/a.bogie"
"$BOGIE" info --json "$T/a.bogie" >"$T/a.json"
"$NETSTATS" --json "$T/a.bogie" >"$T/a.stats.json"
nodes=$(json_get "$T/a.json" 'd["import"]["nodes_read"]')
ok "about 30000 OSM nodes ($nodes)" test "$nodes" -gt 25000 -a "$nodes" -lt 36000
is "every way and node reference is resolved" "$(json_get "$T/a.json" 'd["import"]["missing_node_refs"]')" "0"
is "no suspicious values" "$(json_get "$T/a.json" 'len(d["suspicious"])')" "0"
gauges=$(json_get "$T/a.json" 'len({g for r in d["km_by_gauge"] for g in r["label"].split(";") if g != "unknown"})')
ok "at least three gauges ($gauges)" test "$gauges" -ge 3
countries=$(json_get "$T/a.json" 'len([r for r in d["km_by_country"] if r["label"] != "unknown"])')
ok "several countries ($countries)" test "$countries" -ge 3
crossings=$(json_get "$T/a.stats.json" 'd["border_crossings"]')
ok "border crossings ($crossings)" test "$crossings" -ge 2
breaks=$(json_get "$T/a.json" 'len([b for b in d["breaks_of_gauge"] if b["kind"] == "break of gauge"])')
ok "breaks of gauge ($breaks)" test "$breaks" -ge 1
is "every break of gauge is at a station" \
    "$(json_get "$T/a.json" '[b["gauges"] for b in d["breaks_of_gauge"] if b["station_distance_m"] != 0]')" "[]"
is "a 1435/1520 break is among them" \
    "$(json_get "$T/a.json" 'any(b["gauges"] == "1435 | 1520" for b in d["breaks_of_gauge"])')" "True"
ok "netstats agrees on the breaks at stations" python3 - "$T/a.stats.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["breaks_of_gauge"] >= 1 and d["breaks_at_station"] == d["breaks_of_gauge"], d
assert abs(sum(d["degree_pct"].values()) - 100) < 0.5 or d["graph_nodes"] == 0, d["degree_pct"]
assert 20 < d["mean_segment_m"] < 100 and d["stations"] > 0 and d["track_km"] > 0, d
PY
ok "netstats prints text" bash -c '"$1" "$2" | grep -q "graph-node degree"' _ "$NETSTATS" "$T/a.bogie"

# --- a freight journey across the 1435/1520 break ---------------------------------------------------------------
# The manifest lists each break with the cities at the ends of its line, on either side, by their name=* (an
# ASCII spelling need not match: bogie folds accents, but not letters such as the Polish l with stroke).
IFS=$'\t' read -r from to < <(awk -F'\t' '$1 == "break" && (($6 == 1435 && $7 == 1520) || ($6 == 1520 && $7 == 1435)) {
    if ($6 == 1435) print $8 "\t" $9; else print $9 "\t" $8; exit }' "$T/a.tsv")
ok "the manifest names cities on both sides of a 1435/1520 break ($from, $to)" test -n "$from" -a -n "$to"
ok "route the China-Europe freight train from $from to $to" "$BOGIE" route --network "$T/a.bogie" --data "$ROOT/data" \
    --from "$from" --to "$to" --train "$ROOT/data/trains/china-europe-freight.json" --depart "2024-03-01 08:00"
route=$(cat "$T/.out")
contains "the containers are transshipped from 1435 to 1520 mm" "$route" "gauge change: transshipment 1435 -> 1520 mm"
contains "the journey crosses a border" "$route" "crossing at"

done_testing
