#!/usr/bin/env bash
# test_import.sh: `bogie import` and `bogie info` on the real OSM fixtures, a hand-made network with exact expected
# output, and the bundled corridor; bad inputs fail with a clear message and leave no output behind.
. "$(dirname "$0")/lib.sh"

# jq-like reads of `bogie info --json`, with Python's json module.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- the hand-made network: exact output ------------------------------------------------------------------------
cd "$T"
ok "import the hand-made network" "$BOGIE" import -q --data "$ROOT/data" "$DATA/tiny/gauges.osm" -o gauges.bogie
# Without the reference data (none in this scratch directory): the expected output has no facilities report.
env -u BOGIE_DATA "$BOGIE" info --edges gauges.bogie >gauges.txt 2>&1
same_file "info --edges text equals the expected output" gauges.txt "$ROOT/tests/cli/expected/gauges.info.txt"
env -u BOGIE_DATA "$BOGIE" info --json --edges gauges.bogie >gauges.json 2>&1
same_file "info --json --edges equals the expected output" gauges.json "$ROOT/tests/cli/expected/gauges.info.json"
ok "info --json --edges repeats no key (the edge count is \"edges\", the list \"edge_list\")" python3 -c '
import json, sys
def unique(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        sys.exit("repeated keys: %s" % sorted({k for k in keys if keys.count(k) > 1}))
    return dict(pairs)
d = json.load(open("gauges.json"), object_pairs_hook=unique)
assert d["edges"] == len(d["edge_list"]), "edges is not the length of edge_list"' 
ok "info --json is valid JSON" python3 -c "import json,sys; json.load(open('gauges.json'))"
cd "$ROOT"

# --- real fixtures, checked against an independent reading (tests/tools/osm_reference.py) -----------------------
# Each fixture's kept ways and track length per gauge must match the reference within 0.01 % (both sum haversine
# lengths over the same segments; the difference is float rounding).
check_fixture() {
    local file=$1 include=${2:-}
    local base args=() ref
    base=$(basename "$file")
    if [ -n "$include" ]; then
        args=(--include "$include")
        base=$base.$include
    fi
    ok "import $base" "$BOGIE" import -q "${args[@]}" "$DATA/osm/$file" -o "$T/$base.bogie"
    "$BOGIE" info --json "$T/$base.bogie" >"$T/$base.json"
    ref=$(python3 tests/tools/osm_reference.py "$DATA/osm/$file" ${include:+--include "$include"})
    ok "$base matches the independent reading" python3 - "$T/$base.json" "$ref" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
ref = json.loads(sys.argv[2])
km = {r["label"]: r["km"] for r in got["km_by_gauge"]}
assert got["import"]["ways_kept"] == ref["ways"], (got["import"]["ways_kept"], ref["ways"])
assert sorted(km) == ref["gauges"], (sorted(km), ref["gauges"])
for label, want in ref["km"].items():
    assert abs(km[label] - want) <= max(1e-4 * want, 0.002), (label, km[label], want)
PY
}
check_fixture Helsinki.osm.pbf
check_fixture Helsinki.osm.pbf tram,subway
check_fixture cologne-railway.osm.pbf
check_fixture vde8.2-rail.osm.pbf
check_fixture moscow.osm.gz
check_fixture sankt-poelten.overpass.json
check_fixture vilbel.overpass.json

# Facts about the fixtures, counted with osmium and Python and listed in tests/data/osm/PROVENANCE.md.
is "Helsinki keeps only its 1524 mm railway by default" \
    "$(json_get "$T/Helsinki.osm.pbf.json" '[r["label"] for r in d["km_by_gauge"]]')" "['1524']"
is "Helsinki with trams and metro has its three gauges" \
    "$(json_get "$T/Helsinki.osm.pbf.tram,subway.json" 'sorted(r["label"] for r in d["km_by_gauge"])')" \
    "['1000', '1522', '1524']"
is "Helsinki with metro and trams: its two metro stations and 17 tram stops attach to their track" \
    "$(json_get "$T/Helsinki.osm.pbf.tram,subway.json" '(d["stations"], d["import"]["stations_from_station_nodes"], d["import"]["stations_from_stop_positions"])')" \
    "(20, 3, 17)"
is "Helsinki: 144 ways of 1524 mm rail kept" "$(json_get "$T/Helsinki.osm.pbf.json" 'd["import"]["ways_rail"]')" "144"
is "Helsinki: the station node, its building, its stop area and its 13 stop positions make one station" \
    "$(json_get "$T/Helsinki.osm.pbf.json" '(d["stations"], d["import"]["stations_merged"])')" "(1, 15)"
is "Helsinki: metro stations are not attached to railway track" \
    "$(json_get "$T/Helsinki.osm.pbf.json" 'd["import"]["stations_not_on_kept_track_type"]')" "2"
is "Sankt Poelten carries the dual gauge 760;1435" \
    "$(json_get "$T/sankt-poelten.overpass.json.json" '[r["label"] for r in d["km_by_gauge"]]')" "['1435', '760;1435']"
is "Sankt Poelten: the dual-gauge section's end is a break" \
    "$(json_get "$T/sankt-poelten.overpass.json.json" '[(b["gauges"], b["kind"]) for b in d["breaks_of_gauge"]]')" \
    "[('1435 | 760;1435', 'dual gauge begins/ends')]"
is "Cologne: the bogus gauge=184 is reported as suspicious on its 6 ways" \
    "$(json_get "$T/cologne-railway.osm.pbf.json" '[(s["value"], s["count"], s["example"]["id"]) for s in d["suspicious"] if s["what"] == "gauge"]')" \
    "[('184', 6, 25109887)]"
is "Cologne: 600 mm and untagged track are listed apart" \
    "$(json_get "$T/cologne-railway.osm.pbf.json" 'sorted(r["label"] for r in d["km_by_gauge"])')" "['1435', '600', 'unknown']"
is "Cologne: its three station nodes are a miniature railway's, not attached; its 39 stations are of stop positions" \
    "$(json_get "$T/cologne-railway.osm.pbf.json" '(d["stations"], d["import"]["stations_not_on_kept_track_type"], d["import"]["stations_from_stop_positions"])')" \
    "(39, 3, 39)"
is "Moscow: a halt, a stop area and three stations of stop positions on the railway are kept" \
    "$(json_get "$T/moscow.osm.gz.json" '(d["stations"], d["import"]["stations_from_station_nodes"], d["import"]["stations_from_stop_areas"], d["import"]["stations_from_stop_positions"])')" \
    "(5, 1, 1, 3)"
is "Erfurt-Halle: 27 stations, all of stop positions (89 of them)" \
    "$(json_get "$T/vde8.2-rail.osm.pbf.json" '(d["stations"], d["import"]["stations_from_stop_positions"], d["import"]["stations_found"])')" \
    "(27, 27, 89)"
is "Erfurt-Halle: maxspeed up to 300 km/h" \
    "$(json_get "$T/vde8.2-rail.osm.pbf.json" 'max(float(r["label"].split()[0].split("/")[0]) for r in d["km_by_speed_limit"] if r["label"] != "unknown")')" "300.0"

# --- stations from stop positions, platforms and stop areas (tests/data/tiny/stations.osm says what each is) -------
cd "$T"
"$BOGIE" import --no-borders "$DATA/tiny/stations.osm" -o stations.bogie 2>stations.err
is "import says how many stations came from which kind of object" "$(tail -n 1 stations.err)" \
    "bogie import: 6 stations: 1 from station nodes, 0 from station areas, 1 from stop areas, 3 from stop positions, 1 from platforms (6 more objects merged into them)"
"$BOGIE" info --json stations.bogie >stations.json
is "info counts them too, and the tram stop left out" \
    "$(json_get stations.json '[d["import"][k] for k in ("stations_found", "stations_kept", "stations_from_station_nodes", "stations_from_station_areas", "stations_from_stop_areas", "stations_from_stop_positions", "stations_from_platforms", "stations_merged", "stops_not_on_kept_track_type")]')" \
    "[12, 6, 1, 0, 1, 3, 1, 6, 1]"
names() { "$BOGIE" stations --data "$ROOT/data" --network stations.bogie "$1" 2>&1 | awk '{print $1, $3, $4}'; }
is "two stop positions and a platform named Alpha are one station" "$(names Alpha)" "Alpha 50.000750 8.001000"
is "two stop positions named Hauptbahnhof 7 km apart are two stations" "$(names Hauptbahnhof)" \
    "Hauptbahnhof 50.000000 8.050000"$'\n'"Hauptbahnhof 50.000000 8.150000"
search() { "$BOGIE" stations --data "$ROOT/data" --network stations.bogie "$1" 2>&1; }
contains "a lone platform named like nothing else joins the station beside it" "$(search "Beta Gleis 1")" "no station matches"
contains "the tram stop is no station" "$(search Tramhalt)" "no station matches"
contains "nor the bus stop" "$(search Bushalt)" "no station matches"
route_km() { "$BOGIE" route --data "$ROOT/data" --network stations.bogie --from "$1" --to "$2" --train china-europe-freight 2>&1 | sed -n 2p; }
is "a station attaches at its stop position: Alpha's on the main line (8.00) to Gamma's (8.20)" \
    "$(route_km Alpha Gamma)" "Alpha -> Gamma, 14.3 km"
is "the station node of Beta attaches at Beta's stop position (8.10), not the track node 33 m from it (8.104)" \
    "$(route_km Beta Gamma)" "Beta -> Gamma, 7.1 km"
is "the platform alone makes the station Delta, at the track node beside it (8.125)" \
    "$(route_km Delta Alpha)" "Delta -> Alpha, 8.9 km"
"$BOGIE" import -q --no-borders --passes 2 "$DATA/tiny/stations.osm" -o stations2.bogie
"$BOGIE" info --json stations2.bogie >stations2.json
is "two passes find the same stations" "$(json_get stations2.json 'd["import"]["stations_kept"], d["import"]["stations_merged"]')" "(6, 6)"
cd "$ROOT"

# Cologne: one station Horrem of six stop positions and two platforms, and a route between two named stations.
is "Cologne: Horrem is one station" "$("$BOGIE" stations --network "$T/cologne-railway.osm.pbf.bogie" Horrem | awk '{print $1}')" "Horrem"
cologne_route=$("$BOGIE" route --network "$T/cologne-railway.osm.pbf.bogie" --from Horrem --to "Köln Hauptbahnhof" \
    --train china-europe-freight 2>&1)
contains "Cologne: Horrem to Köln Hauptbahnhof, 18.4 km of track" "$cologne_route" "Horrem -> Köln Hauptbahnhof, 18.4 km"

# --- several inputs merge into one network ----------------------------------------------------------------------
ok "two inputs merge" "$BOGIE" import -q "$DATA/osm/vilbel.overpass.json" "$DATA/tiny/gauges.osm" -o "$T/merged.bogie"
is "merged km is the sum of both" \
    "$("$BOGIE" info --json "$T/merged.bogie" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["track_km"], 3))')" \
    "$(python3 -c "import json; a=json.load(open('$T/vilbel.overpass.json.json')); b=json.load(open('$T/gauges.json')); print(round(a['track_km']+b['track_km'], 3))")"
ok "the same input twice is deduplicated" "$BOGIE" import -q "$DATA/tiny/gauges.osm" "$DATA/tiny/gauges.osm" -o "$T/twice.bogie"
is "duplicates counted, graph unchanged" \
    "$("$BOGIE" info --json "$T/twice.bogie" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["edges"], d["import"]["duplicate_ways"], d["import"]["duplicate_nodes"])')" "6 5 8"

# --- the reader used as the benchmark's baseline builds the same file ----------------------------------------------
for f in Helsinki.osm.pbf cologne-railway.osm.pbf vde8.2-rail.osm.pbf; do
    "$BOGIE" import -q --reader readosm "$DATA/osm/$f" -o "$T/$f.readosm.bogie"
    same_file "native and readosm readers build identical files from $f" "$T/$f.bogie" "$T/$f.readosm.bogie"
done
gunzip -c "$DATA/osm/moscow.osm.gz" >"$T/moscow.osm"
"$BOGIE" import -q "$T/moscow.osm" -o "$T/moscow-native.bogie"
"$BOGIE" import -q --reader readosm "$T/moscow.osm" -o "$T/moscow-readosm.bogie"
same_file "native and readosm readers build identical files from moscow.osm" "$T/moscow-native.bogie" "$T/moscow-readosm.bogie"
# The files name their inputs in their metadata, so compare everything else: the full listing with every edge.
bzip2 -c "$T/moscow.osm" >"$T/moscow.osm.bz2"
"$BOGIE" import -q "$T/moscow.osm.bz2" -o "$T/moscow-bz2.bogie"
for v in moscow.osm.gz moscow-native moscow-bz2; do
    "$BOGIE" info --json --edges "$T/${v%.bogie}.bogie" | sed 's/"generator":[^,]*,//' >"$T/$v.edges.json"
done
same_file "gzip-compressed and plain XML build the same network" "$T/moscow.osm.gz.edges.json" "$T/moscow-native.edges.json"
same_file "bzip2-compressed XML builds the same network" "$T/moscow-bz2.edges.json" "$T/moscow-native.edges.json"

# --- two passes (ways first, then only the nodes they use) build the same network as one -------------------------
network_only() { "$BOGIE" info --json --edges "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("import"); d.pop("generator"); print(json.dumps(d, sort_keys=True))'; }
for f in cologne-railway.osm.pbf moscow.osm.gz sankt-poelten.overpass.json; do
    "$BOGIE" import -q --passes 1 "$DATA/osm/$f" -o "$T/$f.1.bogie"
    "$BOGIE" import -q --passes 2 "$DATA/osm/$f" -o "$T/$f.2.bogie"
    is "one pass and two passes build the same network from $f" "$(network_only "$T/$f.2.bogie")" "$(network_only "$T/$f.1.bogie")"
done
kept() { "$BOGIE" info --json "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin)["import"]; print(d["nodes_read"], d["nodes_kept"])'; }
read1=$(kept "$T/moscow.osm.gz.1.bogie")
read2=$(kept "$T/moscow.osm.gz.2.bogie")
is "one pass keeps every node it reads" "${read1% *}" "${read1#* }"
ok "two passes keep only the nodes the railway uses ($read2 of read, kept)" test "${read2#* }" -lt "${read2% *}"

# --- the progress bar: drawn on a terminal, silent with -q or when stderr is not one --------------------------------
if command -v script >/dev/null; then
    bar=$(script -qec "'$BOGIE' import '$DATA/osm/sankt-poelten.overpass.json' -o '$T/bar.bogie'" /dev/null)
    contains "a terminal gets a progress bar with objects and bytes" "$bar" "objects, "
    contains "the bar shows the bytes read of the total" "$bar" "of 2.4 MB"
    quiet=$(script -qec "'$BOGIE' import -q '$DATA/osm/sankt-poelten.overpass.json' -o '$T/bar.bogie'" /dev/null)
    is "-q silences the bar" "$quiet" ""
fi
piped=$("$BOGIE" import "$DATA/osm/sankt-poelten.overpass.json" -o "$T/bar.bogie" 2>&1)
is "no bar when stderr is not a terminal" "$piped" "bogie import: wrote $T/bar.bogie"$'\n'"bogie import: 0 stations: 0 from station nodes, 0 from station areas, 0 from stop areas, 0 from stop positions, 0 from platforms (0 more objects merged into them)"

done_testing
