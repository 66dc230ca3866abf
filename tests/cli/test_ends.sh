#!/usr/bin/env bash
# test_ends.sh: the places and clocks of a journey, and its two ends (issue 11): a point given as lat,lon takes the
# country and time zone of the track it snaps to, no journey mixes a zone with UTC, departures skipped or repeated by
# a change of the clocks are resolved with a warning, the departure printed is the one asked whatever the work at the
# origin, --gauge / gauge= give the wheels at the start, and the work at the destination counts in the total.
. "$(dirname "$0")/lib.sh"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
"$BOGIE" import -q "$DATA/osm/vde8.2-rail.osm.pbf" -o "$T/vde.bogie"
"$BOGIE" import -q "$DATA/osm/Helsinki.osm.pbf" -o "$T/hel.bogie"
route() { "$BOGIE" route --network "$T/corridor.bogie" "$@"; }
# pyjson FILE EXPR: EXPR evaluated with d the JSON in FILE.
pyjson() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- places given as coordinates ----------------------------------------------------------------------------------
VDE=(--network "$T/vde.bogie" --from 50.9727,11.0383 --to 51.4775,11.9870 --train emu-1435 --depart "2024-07-01 12:00")
out=$("$BOGIE" route "${VDE[@]}" 2>&1)
contains "Erfurt-Halle from coordinates departs in Berlin time" "$out" "departing 2024-07-01 12:00 CEST (Europe/Berlin)"
contains "... and arrives in Berlin time" "$(grep '^arrives' <<<"$out")" "2024-07-01 12:2"
contains "... (the arrival's zone)" "$(grep '^arrives' <<<"$out")" "CEST (Europe/Berlin)"
contains "... in Germany" "$out" "countries: DE"
is "... with no note that the departure was read as UTC" "$(grep -c 'read as UTC' <<<"$out")" "0"
"$BOGIE" route "${VDE[@]}" --format json -o "$T/vde.json"
is "the JSON gives both points Germany and Berlin time" \
    "$(pyjson "$T/vde.json" '[(s["country"], s["zone"], s["utc_offset_s"]) for s in d["stops"]]')" \
    "[('DE', 'Europe/Berlin', 7200), ('DE', 'Europe/Berlin', 7200)]"
is "... and its countries" "$(pyjson "$T/vde.json" 'd["countries"]')" "['DE']"

# (The issue's 0.7 km trip to 60.1760,24.9400 ran through two switch legs meeting at 174 degrees, a reversal in
# disguise that the turn rule now refuses; this point, 0.8 km north on the main line, is reached head on.)
HEL=(--network "$T/hel.bogie" --from 60.1714,24.9410 --to 60.17868,24.94006 --train ru-passenger)
"$BOGIE" route "${HEL[@]}" --depart "2024-01-10 02:30" --format json -o "$T/hel.json"
is "Helsinki: the station and the point on the track both keep Helsinki time" \
    "$(pyjson "$T/hel.json" '[(s["zone"], s["zone_abbr"]) for s in d["stops"]]')" \
    "[('Europe/Helsinki', 'EET'), ('Europe/Helsinki', 'EET')]"
contains "... and the arrival is written in it" "$("$BOGIE" route "${HEL[@]}" --depart "2024-01-10 02:30")" \
    "arrives 2024-01-10 02:32 EET (Europe/Helsinki)"

# --- departures the clocks skip or repeat -------------------------------------------------------------------------
out=$("$BOGIE" route "${HEL[@]}" --depart "2024-03-31 03:30" 2>&1)
contains "a skipped departure is resolved forward" "$out" "departing 2024-03-31 04:30 EEST (Europe/Helsinki)"
contains "... and said so" "$out" \
    "note: --depart 2024-03-31 03:30 does not exist in Europe/Helsinki (the clocks skip it): read as 2024-03-31 04:30 EEST (UTC+3)"
out=$("$BOGIE" route "${HEL[@]}" --depart "2024-10-27 03:30" 2>&1)
contains "a repeated departure takes the first" "$out" "departing 2024-10-27 03:30 EEST (Europe/Helsinki)"
contains "... and says how to ask for the second" "$out" \
    "happens twice in Europe/Helsinki (the clocks go back): the first, 2024-10-27 03:30 EEST (UTC+3), was taken; for the other give its offset, as in \"2024-10-27 03:30+02:00\""
out=$("$BOGIE" route "${HEL[@]}" --depart "2024-10-27 03:30+02:00" 2>&1)
contains "... which gives the second" "$out" "departing 2024-10-27 03:30 EET (Europe/Helsinki)"
is "... without a note" "$(grep -c 'happens twice' <<<"$out")" "0"
is "an ordinary departure has no such note" "$("$BOGIE" route "${HEL[@]}" --depart "2024-03-30 03:30" | grep -c 'note: --depart')" "0"

# --- the origin: the departure asked, and the wheels at the start -----------------------------------------------
out=$(route --from Khasan --to Vladivostok --train armoured --depart "2019-04-24 11:40" 2>&1)
contains "from Khasan the departure printed is the one asked" "$out" "departing 2019-04-24 11:40 +10 (Asia/Vladivostok)"
contains "... the train is taken to have 1520 mm wheels there, with a note" "$out" \
    "note: the train is taken to start on 1520 mm wheels, the fastest of those it can have at Khasan; --gauge gives the wheels it has"
is "... and changes no wheels" "$(grep -c 'bogie exchange' <<<"$out")" "0"
out=$(route --from Khasan --to Vladivostok --train armoured --depart "2019-04-24 11:40" --gauge 1520 2>&1)
is "--gauge 1520 at Khasan: no bogie exchange and no note" "$(grep -c 'bogie exchange\|taken to start' <<<"$out")" "0"
contains "... departing as asked" "$out" "departing 2019-04-24 11:40 +10"
route --from Khasan --to Vladivostok --train armoured --depart "2019-04-24 11:40" --gauge 1435 --format json \
    -o "$T/khasan1435.json"
is "--gauge 1435 at Khasan: the exchange is made before the departure asked" \
    "$(pyjson "$T/khasan1435.json" '(d["stops"][0]["arrive"], d["stops"][0]["depart"], d["stops"][0]["gauge_change_s"], d["stops"][0]["gauge_mm"])')" \
    "('2019-04-24T09:40:00+10:00', '2019-04-24T11:40:00+10:00', 7200, 1520)"
is "... and is not part of the journey's time" "$(pyjson "$T/khasan1435.json" '(d["total_s"] == d["running_s"] + d["allowance_s"] + d["reversal_s"], d["gauge_change_s"])')" "(True, 0)"
contains "... which its detail says" "$(pyjson "$T/khasan1435.json" 'd["stops"][0]["detail"]')" \
    "(120 min); done before the departure, starting 2019-04-24 09:40 +10"
out=$(route --from Khasan --to Vladivostok --train armoured --gauge 1000 2>&1)
is "--gauge the train cannot have: exit status" "$?" "2"
contains "... and why" "$out" "--gauge 1000: the armoured train's wheels fit 1435 mm, or 1520 mm after a gauge change"
out=$(route --from Khasan --to Vladivostok --train armoured --gauge wide 2>&1)
is "--gauge that is no number: exit status" "$?" "2"
out=$(route --from Vladivostok --to Pyongyang --train armoured --depart "2019-04-24 11:40" 2>&1)
contains "from Vladivostok, where no 1435 mm track is, the train starts on 1520 mm wheels" "$out" \
    "note: the train is taken to start on 1520 mm wheels, the fastest of those it can have at Vladivostok; --gauge gives the wheels it has"
contains "... and changes them at the border" "$out" "bogie exchange 1520 -> 1435 mm at the"
out=$(route --from Khasan --to Pyongyang --train armoured --depart "2019-04-24 11:40" 2>&1)
contains "from Khasan into Korea the departure is the one asked" "$out" "departing 2019-04-24 11:40 +10"
is "... on the train's own wheels, which fit there, with no note" "$(grep -c 'taken to start' <<<"$out")" "0"
contains "... and the border stop is at Tumangang, not at the origin" "$out" "Tumangang (두만강)                       border: Russia -> North Korea"

# --- the destination: its work counts in the total ----------------------------------------------------------------
out=$(route --from Pyongyang --to Khasan --train armoured 2>&1)
contains "Pyongyang to Khasan: the border stop at the destination is in the total" "$out" \
    "total 16 h 09 min: moving 15 h 09 min (allowance 43 min included), changing gauge 0 min, at borders 1 h 00 min"
route --from Pyongyang --to Khasan --train armoured --depart "2019-04-24 11:40" --format json -o "$T/to-khasan.json"
is "... and the JSON's total ends with the work there" \
    "$(pyjson "$T/to-khasan.json" '(d["total_s"] == d["stops"][-1]["depart_s"], d["stops"][-1]["depart_s"] - d["stops"][-1]["arrive_s"])')" \
    "(True, 3600)"

# --- bogie table: what it measures, agreeing with bogie route, and the places' names -------------------------------
route --from Pyongyang --to Vladivostok --train armoured --format json -o "$T/flag.json"
"$BOGIE" table --network "$T/corridor.bogie" --train armoured --from Pyongyang --from 42.0,130.0 --to Vladivostok \
    --to Khasan --format json --measure timetable >"$T/table-tt.json"
is "table --measure timetable: the flagship pair's figure is bogie route's total" \
    "$(pyjson "$T/table-tt.json" 'round(d["durations"][0][0])')" "$(pyjson "$T/flag.json" 'd["total_s"]')"
is "... and carries the places' names" \
    "$(pyjson "$T/table-tt.json" '([s["name"] for s in d["sources"]], [s["name"] for s in d["destinations"]], d["measure"])')" \
    "(['Pyongyang', ''], ['Vladivostok', 'Khasan'], 'timetable')"
"$BOGIE" table --network "$T/corridor.bogie" --train armoured --from Pyongyang --to Vladivostok --format json \
    >"$T/table-est.json"
is "table (the estimate) gives the route's weight and says what it is" \
    "$(pyjson "$T/table-est.json" '(round(d["durations"][0][0]), d["measure"], "weight_s" in d["measure_text"], d["sources"][0]["name"])')" \
    "($(pyjson "$T/flag.json" 'd["weight_s"]'), 'estimate', True, 'Pyongyang')"
contains "... and so does its text" \
    "$("$BOGIE" table --network "$T/corridor.bogie" --train armoured --from Pyongyang --to Vladivostok)" \
    "the search's estimate: every stretch run at its speed limit, without acceleration, braking, start-ups or the timetable allowance"
is "table from Khasan agrees with route on the wheels at the start" \
    "$("$BOGIE" table --network "$T/corridor.bogie" --train armoured --from Khasan --to Vladivostok --format json |
        python3 -c 'import json,sys; print(round(json.load(sys.stdin)["durations"][0][0]))')" \
    "$(route --from Khasan --to Vladivostok --train armoured --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["weight_s"])')"

# --- the APIs take gauge= --------------------------------------------------------------------------------------------
servers=()
serve_network "$T/serve.log" "$T/corridor.bogie" --threads 2
trap 'kill "${servers[@]}" 2>/dev/null' EXIT
URL="http://127.0.0.1:$port"
curl -s -g "$URL/api/journey?from=Khasan&to=Vladivostok&train=armoured&gauge=1435" -o "$T/api1435.json"
is "/api/journey gauge=1435 from Khasan: the exchange before the departure" \
    "$(pyjson "$T/api1435.json" '(d["stops"][0]["arrive_s"], d["stops"][0]["gauge_change_s"], d["gauge_change_s"])')" "(-7200, 7200, 0)"
curl -s -g "$URL/api/journey?from=Khasan&to=Vladivostok&train=armoured&gauge=1520" -o "$T/api1520.json"
is "/api/journey gauge=1520 from Khasan: no exchange" "$(pyjson "$T/api1520.json" 'd["stops"][0]["gauge_change_s"], d["warnings"]')" "(0, [])"
is "/api/journey gauge=abc is refused" \
    "$(curl -s -g -o /dev/null -w '%{http_code}' "$URL/api/journey?from=Khasan&to=Vladivostok&train=armoured&gauge=abc")" "400"
contains "/api/journey gauge=1000 names the wheels the train can have" \
    "$(curl -s -g "$URL/api/journey?from=Khasan&to=Vladivostok&train=armoured&gauge=1000")" "gauge 1000: the armoured train's wheels fit 1435 mm"
# Khasan and Vladivostok as OSRM coordinates (lon,lat).
KV="130.645362,42.428068;131.881893,43.111214"
curl -s -g "$URL/route/v1/armoured/$KV?gauge=1435&overview=false" -o "$T/osrm1435.json"
is "/route/v1 gauge=1435: the exchange before the departure" \
    "$(pyjson "$T/osrm1435.json" 'd["routes"][0]["bogie"]["stops"][0]["gauge_change_s"]')" "7200"
is "/route/v1 gauge=1 is refused" "$(curl -s -g -o /dev/null -w '%{http_code}' "$URL/route/v1/armoured/$KV?gauge=1")" "400"
serve_network "$T/serve-vde.log" "$T/vde.bogie" --threads 1
curl -s -g "http://127.0.0.1:$port/route/v1/emu-1435/11.0383,50.9727;11.9870,51.4775?overview=false&depart=2024-07-01%2012:00" \
    -o "$T/osrm-vde.json"
is "/route/v1 on coordinates in Germany reads the departure in Berlin time" \
    "$(pyjson "$T/osrm-vde.json" '(d["routes"][0]["bogie"]["stops"][0]["depart"], d["routes"][0]["bogie"]["countries"])')" \
    "('2024-07-01T12:00:00+02:00', ['DE'])"

# --- a border stop with no station near it: made at the crossing, named and placed there -------------------------
"$BOGIE" import -q --data "$ROOT/data" "$DATA/tiny/open-border.osm" -o "$T/ob.bogie"
"$BOGIE" route --network "$T/ob.bogie" --from Ostend --to Westfield --train armoured --depart "2024-07-01 12:00" \
    --format json -o "$T/ob.json"
is "a border stop away from stations is where the line crosses the Oder, in German time" \
    "$(pyjson "$T/ob.json" '[(s["name"], round(s["lat"], 3), round(s["lon"], 2), s["arrive"][-6:]) for s in d["stops"] if s["border_s"] > 0]')" \
    "[('52.35000,14.56165', 52.35, 14.56, '+02:00')]"

done_testing
