#!/usr/bin/env bash
# test_api.sh: `bogie serve` on a free loopback port: the corridor journey through the OSRM-shaped and the native
# endpoints (the same figures as the CLI), nearest and table, the error codes, and a SIGTERM that lets the request
# in flight finish before the server exits 0.
. "$(dirname "$0")/lib.sh"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
# serve LOG ARGS...: starts bogie serve on a port the kernel picks, logging to LOG; sets server, port and URL once
# the server has said where it listens.
serve() {
    local log=$1
    shift
    serve_free_port "$T/corridor.bogie" "$log" "$@"
}
serve "$T/serve.log" --threads 2
trap 'kill $server 2>/dev/null' EXIT
ok "the server starts on a free port" test -n "$port"
# get PATH: prints the body, then the status on a last line.
get() { curl -s -g -w '\n%{http_code}' "$URL$1"; }
body() { sed '$d'; }
code() { tail -n 1; }

is "GET /health" "$(get /health | code)" "200"
is "connections are kept alive between requests" \
    "$(curl -s -v -o /dev/null -o /dev/null "$URL/health" "$URL/health" 2>&1 | grep -c 'Re-using existing connection')" "1"
contains "health names the network" "$(get /health | body)" '"stations":48'
# The background thread builds every train's hierarchy (on the corridor, in well under a second): /health counts them.
for _ in $(seq 1 100); do
    get /health | body | python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(d["prepared"] != d["trains"])' \
        && break
    sleep 0.1
done
ok "health counts the trains prepared, up to all of them" \
    python3 -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(not 0 < d["prepared"] == d["trains"])' \
    "$(get /health | body)"

# The seed's journey: the CLI's figures, through both endpoints.
"$BOGIE" route --network "$T/corridor.bogie" --from Pyongyang --to Vladivostok --train armoured \
    --depart "2023-09-10 15:00" --format json >"$T/cli.json"
is "GET /api/journey answers 200" \
    "$(curl -s -g -o "$T/native.json" -w '%{http_code}' "$URL/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&depart=2023-09-10%2015:00")" "200"
same_file "the native endpoint gives exactly the CLI's JSON" "$T/native.json" "$T/cli.json"
get "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?depart=2023-09-10T15:00%2B09:00&steps=true&geometries=geojson&overview=full" >"$T/osrm.txt"
is "GET /route/v1 answers 200" "$(code <"$T/osrm.txt")" "200"
body <"$T/osrm.txt" >"$T/osrm.json"
ok "the OSRM-shaped route has the CLI's figures, waypoints, legs, steps and bogie's extras" python3 - "$T/osrm.json" "$T/cli.json" <<'PY'
import json, sys
o, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert o["code"] == "Ok"
r = o["routes"][0]
assert abs(r["distance"] - c["length_km"] * 1000) < 1, (r["distance"], c["length_km"])
assert abs(r["duration"] - c["total_s"]) < 1, (r["duration"], c["total_s"])
assert r["weight_name"] == "duration" and r["weight"] > 0
assert [w["name"] for w in o["waypoints"]] == ["Pyongyang", "Vladivostok"], o["waypoints"]
assert r["geometry"]["type"] == "LineString" and len(r["geometry"]["coordinates"]) == len(c["geometry"]["coordinates"])
leg = r["legs"][0]
assert abs(leg["distance"] - r["distance"]) < 1
types = [s["bogie"]["maneuver"] for s in leg["steps"]]
assert types[0] == "depart" and types[-1] == "arrive" and "gauge_change" in types and "reversal" in types, types
assert abs(sum(s["distance"] for s in leg["steps"]) - leg["distance"]) < 5
b = r["bogie"]
assert [s["name"] for s in b["stops"]] == [s["name"] for s in c["stops"]]
assert b["stops"][0]["depart"] == "2023-09-10T15:00:00+09:00"
assert b["countries"] == ["KP", "RU"] and len(b["profile"]) > 100
PY
polyline=$(get "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124" | body)
ok "the default geometry is an encoded polyline that decodes to the route's ends" python3 - "$polyline" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
s, i, lat, lon, pts = d["routes"][0]["geometry"], 0, 0, 0, []
while i < len(s):
    vals = []
    for _ in range(2):
        shift = result = 0
        while True:
            b = ord(s[i]) - 63
            i += 1
            result |= (b & 0x1F) << shift
            shift += 5
            if b < 0x20:
                break
        vals.append(~(result >> 1) if result & 1 else result >> 1)
    lat += vals[0]
    lon += vals[1]
    pts.append((lat / 1e5, lon / 1e5))
assert abs(pts[0][0] - 39.00472) < 1e-4 and abs(pts[0][1] - 125.73639) < 1e-4, pts[0]
assert abs(pts[-1][0] - 43.11124) < 1e-3 and abs(pts[-1][1] - 131.88191) < 1e-3, pts[-1]
PY
get "/route/v1/armoured/125.73639,39.00472;130.64528,42.42806;131.88191,43.11124?overview=false" >"$T/via.txt"
is "a route through a via point has two legs" \
    "$(body <"$T/via.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["routes"][0]["legs"]), [w["name"] for w in d["waypoints"]])')" \
    "2 ['Pyongyang', 'Khasan', 'Vladivostok']"
# Durations add up as OSRM's clients expect: steps to their leg, legs to the route, with the via's dwell, the border
# stop at Khasan (the via) and the stops inside each leg (the gauge change at Tumangang) counted once.
get "/route/v1/armoured/125.73639,39.00472;130.64528,42.42806;131.88191,43.11124?overview=false&steps=true" >"$T/vias.txt"
ok "/route/v1: the steps add up to their leg, the legs to the route" python3 - "$T/vias.txt" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().rsplit("\n", 1)[0])["routes"][0]
legs = r["legs"]
assert abs(sum(l["duration"] for l in legs) - r["duration"]) < 0.5, ([l["duration"] for l in legs], r["duration"])
for l in legs:
    assert abs(sum(s["duration"] for s in l["steps"]) - l["duration"]) < 0.5, ([s["duration"] for s in l["steps"]], l)
# OSRM's clients (osrm-text-instructions) need a modifier on every step between depart and arrive.
for l in legs:
    mods = [s["maneuver"].get("modifier") for s in l["steps"][1:-1]]
    assert mods and all(m in ("straight", "uturn") for m in mods), mods
    assert all((s["bogie"]["maneuver"] == "reversal") == (s["maneuver"].get("modifier") == "uturn") for s in l["steps"][1:-1])
assert any(s["bogie"]["maneuver"] == "reversal" for l in legs for s in l["steps"])
PY
# Every step has the fields OSRM's API guarantees, with a maneuver type OSRM's clients know; bogie's own meaning is
# in the step's "bogie" object, whose stop indexes the route's bogie.stops.
ok "/route/v1: every step has OSRM's fields and types, and bogie's maneuver" python3 - "$T/osrm.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["routes"][0]
steps = r["legs"][0]["steps"]
known = {"depart", "arrive", "continue", "notification"}
for i, s in enumerate(steps):
    for f in ("distance", "duration", "weight", "name", "mode", "geometry", "maneuver", "intersections", "bogie"):
        assert f in s, (i, f, s)
    m = s["maneuver"]
    assert m["type"] in known, m
    assert all(isinstance(m[f], int) and 0 <= m[f] < 360 for f in ("bearing_before", "bearing_after")), m
    assert len(m["location"]) == 2 and (m["type"] in ("depart", "arrive") or m["modifier"] in ("straight", "uturn")), m
    x = s["intersections"][0]
    assert x["location"] == m["location"] and len(x["bearings"]) == len(x["entry"]) >= 1, x
    assert all(0 <= b < 360 for b in x["bearings"]) and x["bearings"] == sorted(x["bearings"]), x
    assert ("in" in x) == (i > 0) and ("out" in x) == (i < len(steps) - 1), (i, x)
    if "out" in x:
        assert x["entry"][x["out"]] and x["bearings"][x["out"]] == m["bearing_after"], (x, m)
    if "in" in x:
        assert x["bearings"][x["in"]] == (m["bearing_before"] + 180) % 360, (x, m)
    assert r["bogie"]["stops"][s["bogie"]["stop"]]["name"] == s["name"], (s["bogie"], s["name"])
mean = {s["bogie"]["maneuver"]: s["maneuver"]["type"] for s in steps}
assert mean["gauge_change"] == mean["border"] == "notification" and mean["reversal"] == "continue", mean
PY
is "GET /nearest/v1" "$(get "/nearest/v1/armoured/130.62,42.42?number=2" | body | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["code"], len(d["waypoints"]), d["waypoints"][0]["distance"] < 200)')" "Ok 2 True"
get "/table/v1/armoured/125.73639,39.00472;130.64528,42.42806;131.88191,43.11124?annotations=duration,distance" >"$T/table.txt"
get "/route/v1/armoured/131.88191,43.11124;125.73639,39.00472?overview=false" >"$T/back.txt"
ok "GET /table/v1: a matrix equal to the routes' weights, with the places' names" python3 - "$T/table.txt" "$T/osrm.json" "$T/back.txt" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().rsplit("\n", 1)[0])
o = json.load(open(sys.argv[2]))
assert d["code"] == "Ok" and len(d["durations"]) == 3 and len(d["durations"][0]) == 3
assert d["durations"][0][0] == 0 and abs(d["durations"][0][2] - o["routes"][0]["weight"]) < 1
assert abs(d["distances"][0][2] - o["routes"][0]["distance"]) < 1
# Vladivostok has only 1520 mm track: the armoured train starts there on the 1520 mm wheels it can change to, as
# /route/v1 does; the names are the stations'.
r = json.loads(open(sys.argv[3]).read().rsplit("\n", 1)[0])
assert abs(d["durations"][2][0] - r["routes"][0]["weight"]) < 1, (d["durations"][2][0], r["routes"][0]["weight"])
assert [w["name"] for w in d["sources"]] == ["Pyongyang", "Khasan", "Vladivostok"], d["sources"]
assert "measure" in d["bogie"], d
PY
is "GET /api/stations finds Tumangang from its Russian name" \
    "$(get "/api/stations?q=%D0%A2%D1%83%D0%BC%D0%B0%D0%BD%D0%B3%D0%B0%D0%BD" | body | python3 -c 'import json,sys; print(json.load(sys.stdin)["stations"][0]["name"])')" "Tumangang"
is "GET /api/trains lists five" "$(get /api/trains | body | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["trains"]))')" "5"
ok "GET /api/network is GeoJSON with track, breaks and stations" sh -c "curl -s '$URL/api/network?zoom=6' | python3 -c \"
import json, sys
d = json.load(sys.stdin)
kinds = {f['properties']['kind'] for f in d['features']}
assert kinds == {'track', 'break', 'station'}, kinds
assert {f['properties']['gauge'] for f in d['features'] if f['properties']['kind'] == 'track'} == {'1435', '1520', '1435;1520'}\""
is "the network can be cut to a bbox" "$(get "/api/network?bbox=131,43,132.5,44&zoom=10" | body | python3 -c 'import json,sys; d=json.load(sys.stdin); print(all(f["properties"]["gauge"] == "1520" for f in d["features"] if f["properties"]["kind"] == "track"))')" "True"
is "the speed plot comes as SVG" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&format=svg")" "200 image/svg+xml"

# Errors: a JSON body with a code and a message, and the right status.
expect() {
    local desc=$1 status=$2 code=$3 path=$4
    local out
    out=$(get "$path")
    is "$desc: status" "$(code <<<"$out")" "$status"
    is "$desc: code" "$(body <<<"$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["code"] if d.get("message") else "no message")')" "$code"
}
expect "malformed coordinates" 400 InvalidQuery "/route/v1/armoured/125.7,nope;131.9,43.1"
expect "coordinates out of range" 400 InvalidQuery "/route/v1/armoured/200,39;131.9,43.1"
expect "an unknown train" 400 InvalidValue "/route/v1/orient-express/125.73639,39.00472;131.88191,43.11124"
vias=$(python3 -c "print(';'.join('125.74,39.0' for _ in range(30)))")
expect "too many via points" 400 TooBig "/route/v1/armoured/$vias"
expect "a garbage path" 404 NotFound "/%ff%fe/../etc/passwd"
expect "a wrong API version" 400 InvalidVersion "/route/v9/armoured/125.73639,39.00472;131.88191,43.11124"
# An option OSRM's endpoints do not know is refused as OSRM refuses it, at the position where it starts.
expect "/route/v1: an unknown option" 400 InvalidQuery "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?steps=true&radiuses=100;100"
expect "/nearest/v1: an unknown option" 400 InvalidQuery "/nearest/v1/armoured/130.62,42.42?number=2&sources=0"
expect "/table/v1: an unknown option" 400 InvalidQuery "/table/v1/armoured/125.73639,39.00472;131.88191,43.11124?steps=true"
is "the unknown option's message says where, which and what is taken" \
    "$(get "/table/v1/armoured/125.73639,39.00472;131.88191,43.11124?annotations=duration&colour=red" | body | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])')" \
    'Query string malformed close to position 78: unknown option "colour" (/table/v1 takes sources, destinations, annotations, hints, generate_hints)'
is "the options Leaflet Routing Machine sends are taken" \
    "$(get "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?&alternatives=true&steps=true&hints=;" | code)" "200"
is "alternatives, hints and generate_hints are taken on every endpoint" \
    "$(for q in "route/v1/armoured/125.73639,39.00472;131.88191,43.11124?alternatives=false&generate_hints=false" \
        "nearest/v1/armoured/130.62,42.42?hints=&generate_hints=true" "table/v1/armoured/125.73639,39.00472;131.88191,43.11124?hints=;"; do
        printf '%s\n' "$(get "/$q" | code)"; done | xargs)" "200 200 200"
expect "a bad option" 400 InvalidOptions "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?geometries=wkt"
expect "no route, with the reason" 400 NoRoute "/api/journey?from=Pyongyang&to=Vladivostok&train=emu-1435"
expect "a point off the network" 400 NoSegment "/route/v1/armoured/10,10;131.88191,43.11124"
expect "an unknown station" 400 InvalidValue "/api/journey?from=Atlantis&to=Vladivostok&train=armoured"
contains "a misspelt station: the message names the parameter and suggests the station" \
    "$(get "/api/journey?from=Vladivastok&to=Pyongyang&train=armoured" | body)" 'from \"Vladivastok\": no station of this name; did you mean Vladivostok'
expect "a malformed date" 400 InvalidValue "/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&depart=yesterday"
expect "invalid UTF-8 in a name" 400 InvalidValue "/api/stations?q=%C3%28"
expect "a bbox of NaNs" 400 InvalidValue "/api/network?bbox=nan,nan,nan,nan"
expect "a bbox of five numbers" 400 InvalidValue "/api/network?bbox=1,2,3,4,5"
expect "an inverted bbox" 400 InvalidValue "/api/network?bbox=132,44,131,43"
expect "an unknown annotation" 400 InvalidOptions "/table/v1/armoured/125.73639,39.00472;131.88191,43.11124?annotations=duration,speed"
q1024=$(python3 -c "print('%C3%A9' * 512)")
expect "a parameter of 1,024 bytes once decoded" 414 TooLong "/api/stations?q=$q1024"
contains "the refusal names the parameter" "$(get "/api/stations?q=$q1024" | body)" "parameter q is 1024 bytes"
long=$(python3 -c "print('x' * 9000)")
is "a request line over 8192 bytes: 414" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/stations?q=$long")" "414"
is "a request body: 413" "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'hello' "$URL/health")" "413"
is "another method: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/health")" "405"

# SIGTERM while a slow request is in flight: it is answered, then the server exits 0.
coords=$(python3 -c "
import random
random.seed(7)
pts = ['%.5f,%.5f' % (125.74 + random.random() * 0.001, 39.0 + random.random() * 0.001) for _ in range(40)]
pts += ['%.5f,%.5f' % (130.62, 42.42) for _ in range(40)]
print(';'.join(pts))")
curl -s -o "$T/slow.json" -w '%{http_code}' "$URL/table/v1/armoured/$coords" >"$T/slow.code" &
slow=$!
sleep 0.2
kill -TERM "$server"
wait "$slow"
wait "$server"
is "SIGTERM: the server exits 0" "$?" "0"
is "SIGTERM: the request in flight was answered" "$(cat "$T/slow.code")" "200"
contains "SIGTERM: it said it was finishing" "$(cat "$T/serve.log")" "finishing the requests in flight"
ok "the server's log holds no complaint from the HTTP library" sh -c "! grep -v '^bogie serve' '$T/serve.log'"

# Limits: a second server with one connection allowed and a time limit of 1 ms.
serve "$T/serve2.log" --threads 2 --max-connections 1 --time-limit 0.001
expect "a request over the time limit" 503 Timeout "/table/v1/armoured/$coords"
exec 3<>"/dev/tcp/127.0.0.1/$port"   # a client that connects and says nothing
sleep 0.2
expect "more connections than allowed" 503 Overloaded "/health"
exec 3<&-
sleep 0.2
is "once the idle client leaves, requests are served again" "$(get /health | code)" "200"
kill -TERM "$server"
wait "$server"
is "the second server exits 0 too" "$?" "0"
trap - EXIT

done_testing
