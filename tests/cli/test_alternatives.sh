#!/usr/bin/env bash
# test_alternatives.sh: alternative routes (bogie route --alternatives N, /api/journey?alternatives=N and OSRM's
# /route/v1 ...?alternatives=true|N): on tests/data/tiny/two-changers.osm, two routes each with its own gauge change;
# on eurasia, Beijing - Moscow by Zabaikalsk or by Korea and Tumangang, between the stations or between coordinates
# on the track near them; on the corridor, one route and no error.
# Each answer is checked against the criteria: shares at most 80 %, at most 1.5 times the fastest's weight,
# sorted, and stops in order.
. "$(dirname "$0")/lib.sh"

ok "the two-changer network imports" "$BOGIE" import -q "$DATA/tiny/two-changers.osm" -o "$T/two.bogie"
TWO=(--network "$T/two.bogie" --from West --to East --train china-europe-freight)

# check.py FILE N CHANGES...: the {"alternatives": [...]} answer in FILE has N routes, the criteria hold, and route i
# changes gauge at the station CHANGES[i] (and there only).
cat >"$T/check.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
routes = d["alternatives"]
want_n, changes = int(sys.argv[2]), sys.argv[3:]
if len(routes) != want_n:
    raise SystemExit("%d routes, expected %d: %r" % (len(routes), want_n, [r["length_km"] for r in routes]))
best = routes[0]["weight_s"]
if routes[0]["shared"] != 0:
    raise SystemExit("the fastest shares %r" % routes[0]["shared"])
for i, r in enumerate(routes):
    if i and not routes[i - 1]["weight_s"] <= r["weight_s"]:
        raise SystemExit("route %d is cheaper than the one before it" % i)
    if r["weight_s"] > 1.5 * best + 1e-6:
        raise SystemExit("route %d weighs %.0f s, over 1.5 x %.0f" % (i, r["weight_s"], best))
    if not 0 <= r["shared"] <= 0.8:
        raise SystemExit("route %d shares %r" % (i, r["shared"]))
    stops = r["stops"]
    if "origin" not in stops[0]["kinds"] or "destination" not in stops[-1]["kinds"]:
        raise SystemExit("route %d does not run from origin to destination" % i)
    for a, b in zip(stops, stops[1:]):
        if b["km"] < a["km"] - 1e-9 or b["arrive_s"] < a["depart_s"] - 1e-6:
            raise SystemExit("route %d: %s after %s goes back" % (i, b["name"], a["name"]))
    at = [s["name"] for s in stops if "gauge_change" in s["kinds"]]
    if i < len(changes) and at != [changes[i]]:
        raise SystemExit("route %d changes gauge at %r, expected %r" % (i, at, changes[i]))
# The routes differ: no two have the same path.
paths = [tuple(r["path_osm_nodes"]) for r in routes]
if len(set(paths)) != len(paths):
    raise SystemExit("two routes have the same path")
PY

"$BOGIE" route "${TWO[@]}" --alternatives 3 --format json >"$T/two.json"
ok "two changers: two routes, by Nordwechsel and by Suedwechsel, each with its own gauge change" \
    python3 "$T/check.py" "$T/two.json" 2 Nordwechsel Suedwechsel
is "two changers: the second shares West - J1 and J2 - East, 2.86 of 10.0 km (29 %, within 1 %)" \
    "$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['alternatives'][1]; print(abs(r['shared']-0.286)<0.01)" "$T/two.json")" "True"
text=$("$BOGIE" route "${TWO[@]}" --alternatives 2)
contains "the text heads each timetable" "$text" "alternative 1 of 2: the fastest"
contains "the text says how much longer the second takes and what it shares" "$text" "alternative 2 of 2: +1 min, shares 29 %"

"$BOGIE" route "${TWO[@]}" --format json >"$T/plain.json"
"$BOGIE" route "${TWO[@]}" --alternatives 1 --format json >"$T/one.json"
same_file "--alternatives 1 is the plain route, byte for byte" "$T/one.json" "$T/plain.json"
is "the first of the alternatives is the plain route" \
    "$(python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['alternatives'][0]; b=json.load(open(sys.argv[2])); a.pop('shared'); print(a==b)" "$T/two.json" "$T/plain.json")" "True"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
"$BOGIE" route --network "$T/corridor.bogie" --from Pyongyang --to Vladivostok --train armoured --alternatives 3 \
    --format json >"$T/corridor.json"
ok "the corridor's flagship journey has no alternative: one route, not an error" \
    python3 "$T/check.py" "$T/corridor.json" 1 Tumangang

out=$("$BOGIE" route "${TWO[@]}" --alternatives 2 --avoid Suedwechsel 2>&1)
contains "with a place avoided, one route and a note saying why" "$out" "alternative routes are searched for between two places (stations, or points on different tracks) with nothing avoided"
out=$("$BOGIE" route "${TWO[@]}" --alternatives 9 2>&1)
contains "--alternatives over 8 is refused" "$out" "--alternatives takes a number of routes from 1 to 8"
out=$("$BOGIE" route "${TWO[@]}" --alternatives 2 --format gpx 2>&1)
contains "--alternatives with gpx is refused" "$out" "--alternatives writes text or json"

# The interesting case: a freight train from Beijing to Moscow has two breaks of gauge to choose from.
python3 data/eurasia/build.py --out "$T/e.osm" >/dev/null
ok "the eurasia network imports" "$BOGIE" import -q "$T/e.osm" -o "$T/eurasia.bogie"
"$BOGIE" route --network "$T/eurasia.bogie" --from 北京 --to "Moscow Yaroslavsky" --train china-europe-freight \
    --alternatives 3 --format json >"$T/bm.json"
ok "Beijing - Moscow: by Zabaikalsk (the fastest), or by Korea with the change at Tumangang" \
    python3 "$T/check.py" "$T/bm.json" 2 Zabaikalsk Tumangang
is "Beijing - Moscow: the second runs by Dandong and Khasan, through CN, KP and RU" \
    "$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['alternatives']; print(r[0]['countries'], r[1]['countries'])" "$T/bm.json")" \
    "['CN', 'RU'] ['CN', 'KP', 'RU']"

# Random pairs of stations: every answer sorted, within 1.5 times the fastest, sharing at most 80 % (route_pairs
# checks each and exits 1 on any that breaks a criterion).
PAIRS="$ROOT/${BUILD:-build}/bench/route_pairs"
for train in china-europe-freight armoured; do
    ok "eurasia, 200 random station pairs for $train: every set of alternatives meets the criteria" \
        "$PAIRS" "$T/eurasia.bogie" "$ROOT/data" "$ROOT/data/trains/$train.json" 200 7 --stations --alternatives 4
done

# Places given as coordinates on track, away from stations: random points on edges, checked the same way.
for train in china-europe-freight armoured; do
    ok "eurasia, 200 random pairs of points on edges for $train: every set of alternatives meets the criteria" \
        "$PAIRS" "$T/eurasia.bogie" "$ROOT/data" "$ROOT/data/trains/$train.json" 200 7 --points --alternatives 4
done

# The HTTP API: /api/journey as the command line; OSRM's routes[].
servers=()
trap 'kill "${servers[@]}" 2>/dev/null' EXIT
serve_network "$T/serve.log" "$T/two.bogie"
URL="http://127.0.0.1:$port"
curl -s -g -o "$T/api.json" "$URL/api/journey?from=West&to=East&train=china-europe-freight&alternatives=3"
same_file "/api/journey?alternatives=3 is bogie route --alternatives 3, byte for byte" "$T/api.json" "$T/two.json"
is "/api/journey?alternatives=0 is refused" \
    "$(curl -s -g -o /dev/null -w '%{http_code}' "$URL/api/journey?from=West&to=East&train=china-europe-freight&alternatives=0")" "400"
J="$URL/api/journey?from=West&to=East&train=china-europe-freight"
is "/api/journey?alternative=1 is the second of the list alone, as a plain journey" \
    "$(curl -s -g "$J&alternatives=3&alternative=1" | python3 -c "import json,sys; a=json.load(sys.stdin); b=json.load(open(sys.argv[1]))['alternatives'][1]; b.pop('shared'); print(a==b)" "$T/two.json")" "True"
is "/api/journey?alternative=2: 400 naming the two routes there are" \
    "$(curl -s -g "$J&alternative=2" | python3 -c "import json,sys; print(json.load(sys.stdin)['message'])")" \
    "alternative 2: this journey has 2 routes (0 to 1)"
is "/api/where on alternative 1: three hours on, changing gauge at Suedwechsel" \
    "$(curl -s -g "${J/journey/where}&depart=2023-09-10%2015:00&at=2023-09-10%2018:00&alternatives=3&alternative=1" | python3 -c "import json,sys; p=json.load(sys.stdin)['position']; print(p['state'], p['last'])")" \
    "stopped Suedwechsel"
is "/api/where with a list of alternatives: 400" \
    "$(curl -s -g -o /dev/null -w '%{http_code}' "${J/journey/where}&depart=2023-09-10%2015:00&at=2023-09-10%2018:00&alternatives=3")" "400"
# West and East by their coordinates (lon,lat): within 300 m of a station, a coordinate means the station.
R="$URL/route/v1/china-europe-freight/8.0,50.0;8.12,50.0"
is "/route/v1 alternatives=true: two routes, the second by Suedwechsel" \
    "$(curl -s -g "$R?alternatives=true" | python3 -c "import json,sys; d=json.load(sys.stdin); print(len(d['routes']), [s['name'] for s in d['routes'][1]['bogie']['stops'] if 'gauge_change' in s['kinds']])")" \
    "2 ['Suedwechsel']"
is "/route/v1 alternatives=false and without the option: one route" \
    "$(curl -s -g "$R?alternatives=false" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['routes']))") $(curl -s -g "$R" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['routes']))")" "1 1"
is "/route/v1 alternatives=3: up to 3 more, of which this network has one" \
    "$(curl -s -g "$R?alternatives=3" | python3 -c "import json,sys; d=json.load(sys.stdin); print(len(d['routes']), d['routes'][0]['weight'] <= d['routes'][1]['weight'])")" "2 True"
# OSRM clients send coordinates: 2.5 km east of Beijing station on the line out, and 12 km short of Moscow
# Yaroslavsky on the line in (both on track, away from any station), as the two stations: two routes, by
# Zabaikalsk and by Korea, answered through the hierarchy (no note that alternatives were not searched for).
serve_network "$T/eurasia.log" "$T/eurasia.bogie"
E="http://127.0.0.1:$port/route/v1/china-europe-freight/116.4504603,39.8993656;37.763592,55.869788?overview=false"
curl -s -g "$E&alternatives=true" >"$T/bm_osrm.json"
is "/route/v1 between coordinates off stations, alternatives=true: the waypoints are points on track" \
    "$(python3 -c "import json,sys; print([w['name'] for w in json.load(open(sys.argv[1]))['waypoints']])" "$T/bm_osrm.json")" \
    "['39.89937,116.45046', '55.86979,37.76359']"
is "/route/v1 between coordinates off stations, alternatives=true: two routes, changing at Zabaikalsk and at Tumangang" \
    "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['routes']), [[s['name'] for s in r['bogie']['stops'] if 'gauge_change' in s['kinds']] for r in d['routes']])" "$T/bm_osrm.json")" \
    "2 [['Zabaikalsk'], ['Tumangang']]"
is "/route/v1 between coordinates off stations: no note that alternatives were not searched for" \
    "$(python3 -c "import json,sys; print(any('alternative routes are searched' in w for w in json.load(open(sys.argv[1]))['routes'][0]['bogie']['warnings']))" "$T/bm_osrm.json")" "False"
is "/route/v1 between coordinates off stations: the fastest route is the one without alternatives, to the second" \
    "$(python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['routes'][0]; b=json.load(open(sys.argv[2]))['routes'][0]; print(abs(a['weight'] - b['weight']) <= 1, a['distance'] == b['distance'])" "$T/bm_osrm.json" <(curl -s -g "$E"))" "True True"
is "/route/v1 alternatives=maybe: 400 InvalidOptions" \
    "$(curl -s -g "$R?alternatives=maybe" | python3 -c "import json,sys; print(json.load(sys.stdin)['code'])")" "InvalidOptions"

done_testing
