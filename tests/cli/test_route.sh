#!/usr/bin/env bash
# test_route.sh: `bogie route`, `bogie trains` and `bogie stations`: the seed's journey on the bundled corridor, a
# hand-made network with one exact expected route per rule, the output formats, and bad input.
. "$(dirname "$0")/lib.sh"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
"$BOGIE" import -q "$DATA/tiny/journey.osm" -o "$T/journey.bogie"
route() { "$BOGIE" route --network "$T/corridor.bogie" "$@"; }
hand() { "$BOGIE" route --network "$T/journey.bogie" "$@"; }
# pyjson FILE EXPR: evaluates a Python expression over the JSON document d in FILE.
pyjson() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- trains and stations ----------------------------------------------------------------------------------------
trains=$("$BOGIE" trains)
for t in armoured ru-passenger china-europe-freight talgo-variable emu-1435; do
    contains "bogie trains lists $t" "$trains" "$t "
done
is "bogie trains --json lists five profiles" "$("$BOGIE" trains --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "5"
for q in Tumangang Туманган 두만강 TUMANGANG "tumangang." "Tumangáng"; do
    contains "bogie stations finds Tumangang from \"$q\"" "$("$BOGIE" stations --network "$T/corridor.bogie" "$q")" "Tumangang"
done
contains "P'yongsong without its apostrophe" "$("$BOGIE" stations --network "$T/corridor.bogie" pyongsong)" "P'yongsong"
contains "a misspelling gets suggestions" "$("$BOGIE" stations --network "$T/corridor.bogie" Vladivastok)" "similar names"

# --- the seed's journey -------------------------------------------------------------------------------------------
ok "the armoured train runs Pyongyang to Vladivostok" route --from Pyongyang --to Vladivostok --train armoured \
    --depart "2023-09-10 15:00" --format json -o "$T/seed.json" --profile-csv "$T/seed.csv" --plot "$T/seed.svg"
ok "the armoured train's journey reads" python3 - "$T/seed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
stops = d["stops"]
changes = [s for s in stops if "gauge_change" in s["kinds"]]
assert len(changes) == 1, [s["name"] for s in changes]
assert changes[0]["name"] in ("Tumangang", "Khasan"), changes[0]["name"]
assert "1435 -> 1520" in changes[0]["detail"], changes[0]["detail"]
assert stops[0]["name"] == "Pyongyang" and stops[-1]["name"] == "Vladivostok"
assert stops[0]["gauge_mm"] == 1435 and stops[-1]["gauge_mm"] == 1520
# Every stop and station passed shows the wheels the train has there: 1435 up to the change, 1520 from it on.
at = stops.index(changes[0])
assert all(s["gauge_mm"] == 1435 for s in stops[:at]), [(s["name"], s["gauge_mm"]) for s in stops[:at]]
assert all(s["gauge_mm"] == 1520 for s in stops[at:]), [(s["name"], s["gauge_mm"]) for s in stops[at:]]
# km posts: Pyongyang-Rajin 801.9 + Rajin-Tumangang 52.1 + Tumangang-Khasan 5.0 + Khasan-Baranovsky 238
# + Baranovsky-Vladivostok 89 = 1186.0 km; the route also reverses at Baranovsky station, 0.9 km off the branch.
assert abs(d["length_km"] - 1186.0) / 1186.0 < 0.02, d["length_km"]
# The train keeps under 40 mph (64.4 km/h) everywhere.
assert max(p[2] for p in d["profile"]) <= 64.0 + 1e-6
assert d["total_s"] > d["running_s"] > 0 and d["gauge_change_s"] == 7200
# One border stop, North Korea to Russia, at one of the two border stations; the countries passed.
borders = [s for s in stops if "border" in s["kinds"]]
assert len(borders) == 1 and borders[0]["name"] in ("Tumangang", "Khasan"), [s["name"] for s in borders]
assert "KP -> RU" in borders[0]["detail"] and d["border_s"] == 3600, borders[0]["detail"]
assert d["countries"] == ["KP", "RU"], d["countries"]
# Local times: the departure as given, in Pyongyang's zone; the arrival in Vladivostok's, ten hours ahead of UTC.
assert stops[0]["depart"] == "2023-09-10T15:00:00+09:00" and stops[0]["zone"] == "Asia/Pyongyang", stops[0]
assert stops[-1]["zone"] == "Asia/Vladivostok" and stops[-1]["utc_offset_s"] == 36000, stops[-1]
assert stops[-1]["arrive"].endswith("+10:00")
# Every stop's local time is its UTC time shifted by its zone's offset.
for s in stops:
    assert s["country"] in ("KP", "RU"), s
PY
ok "a departure given with an offset is the same instant" sh -c "'$BOGIE' route --network '$T/corridor.bogie' --from Pyongyang --to Vladivostok --train armoured --depart 2023-09-10T06:00Z --format json | python3 -c \"
import json, sys
d = json.load(sys.stdin)
assert d['stops'][0]['depart'] == '2023-09-10T15:00:00+09:00', d['stops'][0]['depart']\""
ok "Pyongyang to Dandong crosses into China" sh -c "'$BOGIE' route --network '$T/corridor.bogie' --from Pyongyang --to Dandong --train armoured --format json | python3 -c \"
import json, sys
d = json.load(sys.stdin)
assert d['countries'] == ['KP', 'CN'], d['countries']
assert d['stops'][-1]['zone'] == 'Asia/Shanghai'
assert sum('border' in s['kinds'] for s in d['stops']) == 1\""
msg=$(route --from Pyongyang --to Vladivostok --train armoured --avoid RU 2>&1)
contains "--avoid a country that holds the destination" "$msg" "Vladivostok lies in Russia"
msg=$(route --from Pyongyang --to Dandong --train armoured --avoid Sunan 2>&1)
contains "--avoid a station every route passes" "$msg" "every route passes a place --avoid names"
ok "the speed profile CSV has its header and rising distance" python3 - "$T/seed.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["km", "time_s", "speed_kmh", "limit_kmh"], rows[0]
km = [float(r[0]) for r in rows[1:]]
assert km == sorted(km) and km[-1] > 1180
assert all(float(r[2]) <= float(r[3]) + 1e-6 for r in rows[1:])
PY
ok "the plot is SVG with a speed and a limit line" python3 -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse('$T/seed.svg').getroot()
assert root.tag.endswith('svg')
cls = [e.get('class', '') for e in root.iter()]
assert cls.count('speed') == 1 and any(c.startswith('limit ') for c in cls)
assert max(i for i, c in enumerate(cls) if c.startswith('limit ')) < cls.index('speed')"
ok "GeoJSON has the route line and the stops" sh -c "'$BOGIE' route --network '$T/corridor.bogie' --from Pyongyang --to Vladivostok --train armoured --format geojson | python3 -c \"
import json, sys
d = json.load(sys.stdin)
kinds = [f['geometry']['type'] for f in d['features']]
assert kinds[0] == 'LineString' and len(d['features'][0]['geometry']['coordinates']) > 1000
assert any('gauge_change' in f['properties'].get('stop', '') for f in d['features'][1:])\""
ok "GPX is XML with waypoints and a track" sh -c "'$BOGIE' route --network '$T/corridor.bogie' --from Pyongyang --to Vladivostok --train armoured --format gpx | python3 -c \"
import sys, xml.etree.ElementTree as ET
ns = {'g': 'http://www.topografix.com/GPX/1/1'}
root = ET.fromstring(sys.stdin.read())
assert len(root.findall('g:wpt', ns)) > 10 and len(root.findall('.//g:trkpt', ns)) > 1000\""

# A train that cannot change gauge is refused, and told why.
msg=$(route --from Pyongyang --to Vladivostok --train "$DATA/trains/standard-only.json" 2>&1)
is "a 1435-only train is refused" "$?" "1"
contains "it says the train cannot leave 1435 mm track" "$msg" "cannot leave 1435 mm track and cannot change gauge"
contains "it says where 1435 mm track ends" "$msg" "1435 mm track ends at Khasan"
contains "it names the change points on the way" "$msg" "Tumangang (bogie exchange"

# A 1520 mm train from Vladivostok to Khasan needs no change.
ok "Vladivostok to Khasan at 1520 mm" route --from Vladivostok --to Хасан --train ru-passenger --format json -o "$T/ru.json"
is "no gauge change on the way" "$(pyjson "$T/ru.json" 'sum("gauge_change" in s["kinds"] for s in d["stops"])')" "0"
is "it reverses at Baranovsky, where the Khasan line leaves towards Ussuriysk" \
    "$(pyjson "$T/ru.json" '[s["name"] for s in d["stops"] if "reversal" in s["kinds"]]')" "['Baranovsky']"

# --- reference data a user adds ---------------------------------------------------------------------------------
# Every facility applying at a station counts, not only the first listed there: a user's automatic gauge changer at
# Khasan, after the bundled Khasan row, serves a variable-gauge train, and a quicker bogie exchange there wins.
cp -r data "$T/data"
cat >>"$T/data/gauge-changers.csv" <<'CSV'
Khasan VGC,42.42806,130.64528,RU,variable_gauge,1435;1520,15,"a user's row: an automatic gauge changer at Khasan"
Khasan quick,42.42806,130.64528,RU,bogie_exchange,1435;1520,30,"a user's row: a quicker bogie exchange at Khasan"
Nowhere,10.0,10.0,NG,transshipment,1435;1067,,"a user's row far from any station of the corridor"
CSV
python3 -c "import json; t = json.load(open('data/trains/armoured.json')); t['name'] = 'armoured-vgc'
t['gauge_change']['method'] = 'variable_gauge'; json.dump(t, open('$T/vgc.json', 'w'))"
ok "a variable-gauge armoured train runs with the user's Khasan changer" route --data "$T/data" --from Pyongyang \
    --to Vladivostok --train "$T/vgc.json" --format json -o "$T/vgc-route.json"
is "it changes at the Khasan VGC facility, in its 15 minutes" \
    "$(pyjson "$T/vgc-route.json" '[(s["name"], s["detail"].split(";")[0]) for s in d["stops"] if "gauge_change" in s["kinds"]]')" \
    "[('Khasan', 'automatic gauge change 1435 -> 1520 mm at the Khasan VGC facility (15 min)')]"
route --data "$T/data" --from Pyongyang --to Vladivostok --train armoured --format json -o "$T/quick.json"
is "the armoured train takes the quicker of Khasan's two bogie exchanges" \
    "$(pyjson "$T/quick.json" '[(s["name"], s["detail"].split(";")[0]) for s in d["stops"] if "gauge_change" in s["kinds"]]')" \
    "[('Khasan', 'bogie exchange 1435 -> 1520 mm at the Khasan quick facility (30 min)')]"
# A row that applies to no station is reported: by bogie info, and by route --verbose. Four rows apply to the
# corridor (the bundled Tumangang and Khasan rows and the user's two at Khasan); every other row, the bundled ones for
# other networks and the user's Nowhere, applies to none.
listed=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.reader(open(sys.argv[1])) if r and not r[0].startswith("#")) - 1)' "$T/data/gauge-changers.csv")
unplaced=$((listed - 4))
info=$("$BOGIE" info --data "$T/data" "$T/corridor.bogie")
contains "bogie info reports the facilities applying to no station" "$info" \
    "gauge-change facilities: $listed in $T/data/gauge-changers.csv, $unplaced applying to no station of this network (none within 5 km):"
contains "bogie info names the user's row" "$info" $'\n  Nowhere'
is "bogie info --json lists them" \
    "$("$BOGIE" info --json --data "$T/data" "$T/corridor.bogie" | python3 -c 'import json,sys; f = json.load(sys.stdin)["facilities"]; print(f["listed"], f["applying_to_no_station"][-1])')" \
    "$listed Nowhere"
route --data "$T/data" --from Pyongyang --to Khasan --train armoured --verbose >/dev/null 2>"$T/verbose.txt"
contains "route --verbose names the user's row" "$(cat "$T/verbose.txt")" \
    "$unplaced of the $listed gauge-change facilities in $T/data/gauge-changers.csv apply to no station of this network (none within 5 km): Brest,"
contains "route --verbose names Nowhere last" "$(tail -c 10 "$T/verbose.txt")" ", Nowhere"
is "route without --verbose says nothing of them" "$(route --data "$T/data" --from Pyongyang --to Khasan --train armoured 2>&1 >/dev/null)" ""

# A via stop that is also a reversal says each thing once.
via_rev=$(route --from Pyongyang --to Vladivostok --via Baranovsky --train armoured | grep Baranovsky)
contains "a via stop where the train reverses" "$via_rev" "reversal: the train reverses (30 min); via stop (10 min)"

# The OSRM-shaped steps are named after where their maneuver happens: the gauge change at Tumangang.
servers=()
trap 'kill "${servers[@]}" 2>/dev/null' EXIT
serve_network "$T/serve.log" "$T/corridor.bogie" --no-prepare
curl -s -g "http://127.0.0.1:$port/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?steps=true" >"$T/steps.json"
is "each step is named after its maneuver's stop" \
    "$(pyjson "$T/steps.json" '[(s["bogie"]["maneuver"], s["name"]) for s in d["routes"][0]["legs"][0]["steps"] if s["bogie"]["maneuver"] != "continue"]')" \
    "[('depart', 'Pyongyang'), ('gauge_change', 'Tumangang'), ('border', 'Khasan'), ('reversal', 'Baranovsky'), ('arrive', 'Vladivostok')]"

# --- the hand-made network: one exact route per rule --------------------------------------------------------------
hand --from West --to East --train armoured --format json -o "$T/gauge.json"
is "dual gauge: the route and its single change at Middle" \
    "$(pyjson "$T/gauge.json" '(d["path_osm_nodes"], [(s["name"], s["kinds"]) for s in d["stops"]])')" \
    "([1, 2, 3, 4], [('West', 'origin'), ('Middle', 'gauge_change'), ('East', 'destination')])"
msg=$(hand --from East --to West --train ru-passenger 2>&1)
contains "a 1520 mm train cannot reach 1435 mm West" "$msg" "cannot leave 1520 or 1524 mm track"
hand --from Ivy --to Juniper --train emu-1435 --format json -o "$T/wires.json"
is "an electric train goes round the 1 km gap and coasts the 300 m one" "$(pyjson "$T/wires.json" 'd["path_osm_nodes"]')" "[21, 26, 27, 24]"
hand --from Ivy --to Juniper --train armoured --format json -o "$T/diesel.json"
is "a diesel takes the short way through the gap" "$(pyjson "$T/diesel.json" 'd["path_osm_nodes"]')" "[21, 22, 23, 24]"
hand --from Northgate --to Harbour --train armoured --format json -o "$T/rev.json"
is "the branch from the north: on to Stationville, reverse, back to the junction" \
    "$(pyjson "$T/rev.json" '(d["path_osm_nodes"], [(s["name"], s["kinds"]) for s in d["stops"]])')" \
    "([41, 42, 43, 42, 46], [('Northgate', 'origin'), ('Stationville', 'reversal'), ('Harbour', 'destination')])"
is "the reversal costs the profile's 30 minutes" "$(pyjson "$T/rev.json" 'd["reversal_s"]')" "1800"
hand --from Southend --to Harbour --train armoured --format json -o "$T/norev.json"
is "from the south no reversal is needed" "$(pyjson "$T/norev.json" '(d["path_osm_nodes"], d["reversal_s"])')" "([44, 43, 42, 46], 0)"
hand --from "50.1001,8.030" --to Juniper --train armoured --format json -o "$T/point.json"
is "a start given as coordinates snaps to the track" "$(pyjson "$T/point.json" '(d["path_osm_nodes"], round(d["length_km"], 3))')" \
    "([0, 23, 24], $(python3 -c "
import math
R = 6371008.8
def hav(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    x = math.sin((la2-la1)/2)**2 + math.cos(la1)*math.cos(la2)*math.sin((lo2-lo1)/2)**2
    return 2*R*math.asin(math.sqrt(x))
print(round((hav((50.1, 8.030), (50.1, 8.035)) + hav((50.1, 8.035), (50.1, 8.06))) / 1000, 3))"))"
hand --from Ivy --to Juniper --via "50.11,8.03" --train armoured --format json -o "$T/via.json"
is "a via given as coordinates forces the long way" "$(pyjson "$T/via.json" 'd["path_osm_nodes"]')" "[21, 26, 27, 0, 24]"

# --- real fixtures: lengths against an independent shortest path (tests/tools/osm_shortest.py) ----------------------
# Erfurt to Halle on the high-speed line, and Cologne to Bonn: the fastest allowed route is also the shortest there,
# so bogie's length must match the reference within 1 %. The reference knows nothing of preferred directions, so the
# trains here run without the penalty for the other track (wrong_track_percent 0).
fixture_route() {
    local file=$1 from=$2 to=$3 train=$4
    "$BOGIE" import -q "$DATA/osm/$file" -o "$T/$file.bogie"
    python3 -c "import json, sys; d = json.load(open(sys.argv[1])); d['wrong_track_percent'] = {'value': 0, 'source': 'test'}
json.dump(d, open(sys.argv[2], 'w'))" "data/trains/$train.json" "$T/$train-any-track.json"
    local ref got
    ref=$(python3 tests/tools/osm_shortest.py "$DATA/osm/$file" "$from" "$to")
    got=$("$BOGIE" route --network "$T/$file.bogie" --from "$from" --to "$to" --train "$T/$train-any-track.json" --format json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["length_km"])')
    ok "$file: $from to $to is $got km, the independent shortest path $ref km" \
        python3 -c "import sys; g, r = float('$got'), float('$ref'); sys.exit(abs(g - r) > 0.01 * r)"
}
fixture_route vde8.2-rail.osm.pbf 50.9723,11.0380 51.4776,11.9870 emu-1435
fixture_route cologne-railway.osm.pbf 50.9430,6.9589 50.7321,7.0967 emu-1435
fixture_route cologne-railway.osm.pbf 50.9430,6.9589 50.7321,7.0967 armoured

# --- bad input ------------------------------------------------------------------------------------------------------
expect_error() {
    local desc=$1 code=$2 needle=$3
    shift 3
    local out
    out=$("$@" 2>&1)
    is "$desc: exit status" "$?" "$code"
    contains "$desc: message" "$out" "$needle"
}
expect_error "an unknown station" 1 "no station of this name" route --from Pyongyang --to Atlantis --train armoured
expect_error "a misspelt station gets suggestions" 1 "did you mean Vladivostok" route --from Pyongyang --to Vladivastok --train armoured
expect_error "an ambiguous name lists its candidates" 2 "is ambiguous; it matches 2 stations" hand --from Twin --to West --train armoured
expect_error "an unknown train" 1 "unknown train \"orient-express\"" route --from Pyongyang --to Vladivostok --train orient-express
expect_error "a profile with a negative mass" 1 "field \"mass_t\": -5 is out of range" route --from Pyongyang --to Vladivostok --train "$DATA/trains/negative-mass.json"
expect_error "a profile with no gauges" 1 "field \"gauges\"" route --from Pyongyang --to Vladivostok --train "$DATA/trains/no-gauges.json"
expect_error "a malformed date" 2 "--depart \"2023-13-10 15:00\"" route --from Pyongyang --to Vladivostok --train armoured --depart "2023-13-10 15:00"
expect_error "coordinates off the network" 1 "no track armoured can use within 5000 m" route --from "10.0,10.0" --to Vladivostok --train armoured
expect_error "coordinates out of range" 2 "latitude must be within" route --from "95,10" --to Vladivostok --train armoured
expect_error "a missing --train" 2 "--from, --to and --train are needed" route --from Pyongyang --to Vladivostok
expect_error "an unknown format" 2 "--format must be" route --from Pyongyang --to Vladivostok --train armoured --format pdf
expect_error "the same place twice" 2 "are the same place" route --from Pyongyang --to 평양 --train armoured

done_testing
