#!/usr/bin/env bash
# test_import.sh: `bogie import` and `bogie info` on the real OSM fixtures, a hand-made network with exact expected
# output, and the bundled corridor; bad inputs fail with a clear message and leave no output behind.
. "$(dirname "$0")/lib.sh"

# jq-like reads of `bogie info --json`, with Python's json module.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- the hand-made network: exact output ------------------------------------------------------------------------
cd "$T"
ok "import the hand-made network" "$BOGIE" import -q --data "$ROOT/data" "$DATA/tiny/gauges.osm" -o gauges.bogie
"$BOGIE" info --edges gauges.bogie >gauges.txt 2>&1
same_file "info --edges text equals the expected output" gauges.txt "$ROOT/tests/cli/expected/gauges.info.txt"
"$BOGIE" info --json --edges gauges.bogie >gauges.json 2>&1
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
is "Helsinki with metro: the two metro stations attach to metro track" \
    "$(json_get "$T/Helsinki.osm.pbf.tram,subway.json" 'd["stations"]')" "3"
is "Helsinki: 144 ways of 1524 mm rail kept" "$(json_get "$T/Helsinki.osm.pbf.json" 'd["import"]["ways_rail"]')" "144"
is "Helsinki: the station node, its building and its stop area make one station" \
    "$(json_get "$T/Helsinki.osm.pbf.json" '(d["stations"], d["import"]["stations_merged"])')" "(1, 2)"
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
is "Cologne: its three stations are a miniature railway's, not attached" \
    "$(json_get "$T/cologne-railway.osm.pbf.json" '(d["stations"], d["import"]["stations_not_on_kept_track_type"])')" "(0, 3)"
is "Moscow: a halt and a stop area on the railway are kept" \
    "$(json_get "$T/moscow.osm.gz.json" 'd["stations"]')" "2"
is "Erfurt-Halle: maxspeed up to 300 km/h" \
    "$(json_get "$T/vde8.2-rail.osm.pbf.json" 'max(float(r["label"].split()[0].split("/")[0]) for r in d["km_by_speed_limit"] if r["label"] != "unknown")')" "300.0"

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
is "no bar when stderr is not a terminal" "$piped" "bogie import: wrote $T/bar.bogie"

done_testing
