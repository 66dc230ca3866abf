#!/usr/bin/env bash
# test_match.sh: bogie match (map matching of a GPX trace, docs/journeys.md "Map matching"): traces written by
# bogie route --format gpx on the corridor, the Cologne and the vde8.2 fixtures match back to the same route and the
# same times; with 20-50 m of noise, gaps, a point far off and in reversed order they match the same route (reversed);
# bad GPX is refused naming the file, the line and the field.
. tests/cli/lib.sh

NET=build/corridor.bogie
"$BOGIE" import -q "$DATA/osm/cologne-railway.osm.pbf" -o "$T/cologne.bogie"
"$BOGIE" import -q "$DATA/osm/vde8.2-rail.osm.pbf" -o "$T/vde.bogie"

# noisy IN OUT SEED [reverse]: the trace of IN with every point moved 20 to 50 m in a random direction (a fixed
# seed), two runs of points dropped (gaps of 3 % of the trace each), one point 3 km off the track in the middle, and,
# with reverse, the points in reversed order with times mirrored (so they still run forward). Prints the index of the
# far point in OUT.
noisy() {
    python3 tests/tools/noisy_trace.py "$@"
}

# compare ROUTE.json MATCH.json MODE [FAR]: checks the match against the route that wrote the trace. MODE exact: one
# matching, the same path nodes, length within 1 m, the same departure, every stop's arrival and departure within
# 1 s (the GPX's times are whole seconds), each section's observed time within 2 s of the predicted one. MODE noisy: one matching, the
# same path nodes, the far point (trace index FAR) unmatched, the sections away from the gaps within 10 s of their
# predicted times. MODE reversed: the path nodes reversed (but near the
# ends). MODE noisy-reversed: the same ends reversed, the length within 2 %, the far point unmatched.
compare() {
    python3 - "$@" <<'PY'
import json, sys
r, m, mode = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
errs = []
if len(m['matchings']) != 1:
    errs.append('%d matchings' % len(m['matchings']))
j = m['matchings'][0]['journey']
want = r['path_osm_nodes'][::-1] if mode == 'reversed' else r['path_osm_nodes']
got = j['path_osm_nodes']
if mode == 'reversed':
    # The reversed trace starts where the route ended: a point there may mean a station now (within 300 m), so
    # the ends may differ; everything between them must be the route's, reversed.
    inner = want[10:-10]
    if not any(got[i:i + len(inner)] == inner for i in range(len(got) - len(inner) + 1)):
        errs.append('the reversed path does not hold the route reversed (%d of %d nodes)' % (len(got), len(want)))
elif mode == 'noisy-reversed':
    # With 50 m of noise, which of parallel tracks a few metres apart the train took back is not in the trace: the
    # route back must join the same ends within 2 % of the length.
    if abs(j['length_km'] - r['length_km']) > 0.02 * r['length_km']:
        errs.append('length %.3f km, not within 2 %% of %.3f' % (j['length_km'], r['length_km']))
    if [j['stops'][0]['name'], j['stops'][-1]['name']] != [r['stops'][-1]['name'], r['stops'][0]['name']]:
        errs.append('from %s to %s' % (j['stops'][0]['name'], j['stops'][-1]['name']))
elif got != want:
    k = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
    errs.append('path differs at node %d of %d/%d: %s vs %s' % (k, len(got), len(want), got[k:k + 3],
                                                                want[k:k + 3]))
if mode in ('exact', 'noisy') and abs(j['length_km'] - r['length_km']) > 0.001:
    errs.append('length %.4f km, not %.4f' % (j['length_km'], r['length_km']))
if mode == 'exact':
    if len(j['stops']) != len(r['stops']):
        errs.append('%d stops, not %d' % (len(j['stops']), len(r['stops'])))
    if j['stops'][0].get('depart') != r['stops'][0].get('depart') or not r['stops'][0].get('depart'):
        errs.append('departs %s, not %s' % (j['stops'][0].get('depart'), r['stops'][0].get('depart')))
    for a, b in zip(j['stops'], r['stops']):
        for k in ('arrive_s', 'depart_s'):
            if (a.get(k) is None) != (b.get(k) is None) or (a.get(k) is not None and abs(a[k] - b[k]) > 1):
                errs.append('%s %s: %s, not %s' % (b['name'], k, a.get(k), b.get(k)))
    for s in m['matchings'][0]['sections']:
        if s['observed_s'] is None or abs(s['observed_s'] - s['predicted_s']) > 2:
            errs.append('section %s -> %s: observed %s, predicted %s' % (s['from'], s['to'], s['observed_s'],
                                                                         s['predicted_s']))
if mode in ('noisy', 'noisy-reversed'):
    far = int(sys.argv[4])
    if m['tracepoints'][far] is not None:
        errs.append('the far point %d is matched' % far)
    tp = [t for t in m['tracepoints'] if t]
    if len(tp) < 0.8 * len(m['tracepoints']):
        errs.append('only %d of %d points matched' % (len(tp), len(m['tracepoints'])))
    # Forward, each section with matched points within 500 m of both its ends (not across a gap) takes the time
    # bogie predicts: 50 m of noise along the track at either end is 2 to 4 s at 50 to 100 km/h, so within 10 s.
    # (Reversed, the times are the forward run's mirrored, which the physics do not mirror.)
    near = lambda km: any(abs(t['km'] - km) < 0.5 for t in tp)
    for s in m['matchings'][0]['sections'] if mode == 'noisy' else []:
        if near(s['km0']) and near(s['km1']) and abs(s['observed_s'] - s['predicted_s']) > 10:
            errs.append('section %s -> %s: observed %s, predicted %s' % (s['from'], s['to'], s['observed_s'],
                                                                         s['predicted_s']))
print('; '.join(errs[:6]) or 'ok')
sys.exit(1 if errs else 0)
PY
}

# case NAME NETWORK FROM TO TRAIN DEPART: writes the route's GPX and JSON, then checks the exact, noisy and reversed
# matches.
case_() {
    local name=$1 net=$2 from=$3 to=$4 train=$5 depart=$6
    "$BOGIE" route --network "$net" --from "$from" --to "$to" --train "$train" --depart "$depart" --format gpx \
        >"$T/$name.gpx"
    "$BOGIE" route --network "$net" --from "$from" --to "$to" --train "$train" --depart "$depart" --format json \
        >"$T/$name.json"
    "$BOGIE" match "$T/$name.gpx" --network "$net" --train "$train" --format json >"$T/$name.m.json"
    ok "$name: the route's own GPX matches back to the same route and the same times" \
        compare "$T/$name.json" "$T/$name.m.json" exact
    local far
    far=$(noisy "$T/$name.gpx" "$T/$name.noisy.gpx" 14)
    "$BOGIE" match "$T/$name.noisy.gpx" --network "$net" --train "$train" --radius 100 --format json \
        >"$T/$name.mn.json"
    ok "$name: with 20-50 m of noise, two gaps and a point 3 km off, the same route" \
        compare "$T/$name.json" "$T/$name.mn.json" noisy "$far"
    far=$(noisy "$T/$name.gpx" "$T/$name.rev.gpx" 15 reverse)
    "$BOGIE" match "$T/$name.rev.gpx" --network "$net" --train "$train" --radius 100 --format json \
        >"$T/$name.mr.json"
    ok "$name: the noisy trace reversed matches a route back between the same ends" \
        compare "$T/$name.json" "$T/$name.mr.json" noisy-reversed "$far"
    # The trace reversed without noise, matched as precise (sigma 1 m): the route reversed, track for track.
    far=$(noisy "$T/$name.gpx" "$T/$name.revc.gpx" 0 reverse clean)
    "$BOGIE" match "$T/$name.revc.gpx" --network "$net" --train "$train" --sigma 1 --format json >"$T/$name.mrc.json"
    ok "$name: the trace reversed matches the route reversed" \
        compare "$T/$name.json" "$T/$name.mrc.json" reversed
}

case_ corridor "$NET" Pyongyang Vladivostok armoured "2019-04-24 06:00"
case_ cologne "$T/cologne.bogie" 50.9430,6.9589 50.7321,7.0967 emu-1435 "2024-07-01 12:00"
case_ vde8.2 "$T/vde.bogie" 50.9727,11.0383 51.4775,11.9870 emu-1435 "2024-07-01 12:00"

# Gauges: the armoured train's trace (1435 mm through North Korea) matched for the Russian 1520 mm train matches only
# where 1520 mm wheels can run: from Rajin on, the dual-gauge line to Khasan and on to Vladivostok; the points
# before are null.
"$BOGIE" match "$T/corridor.gpx" --train ru-passenger --format json >"$T/ru.json"
ok "a 1520 mm train matches the trace only from Rajin, on the dual-gauge line" python3 - "$T/ru.json" \
    "$T/corridor.json" <<'PY'
import json, sys
m, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
mt = m['matchings'][0]
j = mt['journey']
first = next(i for i, t in enumerate(m['tracepoints']) if t)
rajin = r['path_osm_nodes'].index(j['path_osm_nodes'][0])
errs = []
if len(m['matchings']) != 1 or j['stops'][0]['name'] != 'Rajin' or j['stops'][-1]['name'] != 'Vladivostok':
    errs.append('%d matchings, %s to %s' % (len(m['matchings']), j['stops'][0]['name'], j['stops'][-1]['name']))
if any(m['tracepoints'][:first]) or first != mt['first'] or first == 0:
    errs.append('points matched before the first, %d' % first)
if j['path_osm_nodes'] != r['path_osm_nodes'][rajin:]:
    errs.append('not the armoured route from Rajin on')
print('; '.join(errs) or 'ok')
sys.exit(bool(errs))
PY

# gaps=split: the Cologne trace with the second half half an hour later splits in two there; gaps=ignore (the
# default: a train stands for hours at borders) keeps one matching.
python3 - "$T/cologne.gpx" "$T/gap.gpx" <<'PY'
import datetime, re, sys
text = open(sys.argv[1]).read()
pts = re.findall(r'<trkpt lat="([-0-9.]+)" lon="([-0-9.]+)"><time>([^<]+)</time>', text)
fmt = '%Y-%m-%dT%H:%M:%SZ'
with open(sys.argv[2], 'w') as f:
    f.write('<gpx><trk><trkseg>\n')
    for i, (la, lo, t) in enumerate(pts):
        t = datetime.datetime.strptime(t, fmt) + datetime.timedelta(minutes=30 if i >= len(pts) // 2 else 0)
        f.write('<trkpt lat="%s" lon="%s"><time>%s</time></trkpt>\n' % (la, lo, t.strftime(fmt)))
    f.write('</trkseg></trk></gpx>\n')
PY
count() { python3 -c 'import json, sys; print(len(json.load(sys.stdin)["matchings"]))'; }
is "--gaps split: a new matching after half an hour without points" \
    "$("$BOGIE" match "$T/gap.gpx" --network "$T/cologne.bogie" --train emu-1435 --gaps split --format json | count)" 2
is "--gaps ignore (the default): one matching" \
    "$("$BOGIE" match "$T/gap.gpx" --network "$T/cologne.bogie" --train emu-1435 --format json | count)" 1

# The text output: the timetable, then observed against predicted per section.
out=$("$BOGIE" match "$T/corridor.gpx" --train armoured)
contains "text: the matching's summary" "$out" "matching 1: trace points 1 to"
contains "text: the timetable" "$out" "Tumangang"
contains "text: observed against predicted per section" "$out" "Pyongyang -> Sopyongyang"
"$BOGIE" match "$T/corridor.gpx" --train armoured --format geojson >"$T/m.geojson"
ok "geojson: a matching's line and the matched points" python3 -c "
import json, sys; d = json.load(open('$T/m.geojson')); k = [f['properties']['kind'] for f in d['features']]
sys.exit(not (k[0] == 'matching' and k.count('tracepoint') > 100))"

# A trace without times matches too, without observed times.
sed 's|<time>[^<]*</time>||' "$T/corridor.gpx" >"$T/untimed.gpx"
"$BOGIE" match "$T/untimed.gpx" --train armoured --format json >"$T/untimed.json"
ok "a trace without times: the same route, no observed times" python3 -c "
import json, sys; m = json.load(open('$T/untimed.json')); r = json.load(open('$T/corridor.json'))
s = m['matchings'][0]
sys.exit(not (s['journey']['path_osm_nodes'] == r['path_osm_nodes'] and s['observed_s'] is None))"

# Bad GPX: the file, the line and the field.
bad() {
    local desc=$1 text=$2 want=$3
    printf '%s' "$text" >"$T/bad.gpx"
    local msg rc=0
    msg=$("$BOGIE" match "$T/bad.gpx" --train armoured 2>&1) || rc=$?
    is "bad GPX, $desc: exit status 1" "$rc" 1
    contains "bad GPX, $desc: the message" "$msg" "$want"
}
bad "not XML" '<gpx><trk>' "bad.gpx: line 1, column 11: not well-formed XML"
bad "another root" '<osm></osm>' "bad.gpx: line 1: the root element is <osm>, not <gpx>"
bad "no lat" $'<gpx>\n<trk><trkseg><trkpt lon="1"/></trkseg></trk></gpx>' \
    "bad.gpx: line 2: <trkpt>: attribute lat is missing"
bad "lat out of range" $'<gpx>\n\n<trk><trkseg><trkpt lat="91" lon="1"/></trkseg></trk></gpx>' \
    'bad.gpx: line 3: <trkpt>: attribute lat="91" is not a number of degrees within -90..90'
bad "a bad time" $'<gpx><trk><trkseg>\n<trkpt lat="1" lon="1"><time>yesterday</time></trkpt></trkseg></trk></gpx>' \
    "bad.gpx: line 2: <time>:"
bad "times going back" $'<gpx><trk><trkseg>\n<trkpt lat="1" lon="1"><time>2024-01-01T10:00:00Z</time></trkpt>\n<trkpt lat="1" lon="1.1"><time>2024-01-01T09:00:00Z</time></trkpt></trkseg></trk></gpx>' \
    "<trkpt> at line 3: its <time> is earlier than the point's before it"
bad "times on some points only" $'<gpx><trk><trkseg>\n<trkpt lat="1" lon="1"><time>2024-01-01T10:00:00Z</time></trkpt>\n<trkpt lat="1" lon="1.1"/></trkseg></trk></gpx>' \
    "<trkpt> at line 3 has no a <time>"
bad "no points" '<gpx><wpt lat="1" lon="1"/></gpx>' "bad.gpx: no <trkpt> or <rtept>: the trace has no points"
bad "a DTD" $'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "b">]><gpx/>' "a document type declaration"
msg=$("$BOGIE" match "$T/missing.gpx" --train armoured 2>&1) || true
contains "a missing file is named" "$msg" "missing.gpx: cannot open"
msg=$("$BOGIE" match "$T/corridor.gpx" 2>&1) || true
contains "no train: a usage error" "$msg" "no train: give --train NAME"
msg=$("$BOGIE" match "$T/corridor.gpx" --train armoured --radius -3 2>&1) || true
contains "a bad radius is refused" "$msg" "--radius takes a number of metres"
# A trace far from all track matches nothing.
printf '<gpx><trk><trkseg><trkpt lat="10" lon="10"/><trkpt lat="10.01" lon="10"/></trkseg></trk></gpx>' >"$T/off.gpx"
rc=0
msg=$("$BOGIE" match "$T/off.gpx" --train armoured 2>&1) || rc=$?
is "a trace off the network: exit status 1" "$rc" 1
contains "a trace off the network: why" "$msg" "no two points of the trace are on track armoured can run"

# /match/v1 in OSRM's shape, on the corridor: every 40th point of the trace (a parameter is read up to 1023 bytes),
# with timestamps, and one point far off.
serve_free_port "$NET" "$T/serve.log" --threads 2
trap 'kill $server 2>/dev/null' EXIT
read -r coords stamps <<<"$(python3 - "$T/corridor.gpx" <<'PY'
import datetime, re, sys
pts = re.findall(r'<trkpt lat="([-0-9.]+)" lon="([-0-9.]+)"><time>([^<]+)</time>', open(sys.argv[1]).read())
pts = pts[::40] + [pts[-1]]
secs = lambda t: int(datetime.datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp())
c = ['%s,%s' % (lo, la) for la, lo, t in pts]
c[5] = '%.6f,%.6f' % (float(pts[5][1]) + 0.05, float(pts[5][0]) + 0.05)  # about 7 km off
print(';'.join(c), ';'.join(str(secs(t)) for la, lo, t in pts))
PY
)"
curl -s -g "$URL/match/v1/armoured/$coords?timestamps=$stamps&overview=full&geometries=geojson" >"$T/osrm.json"
ok "/match/v1: OSRM's shape, the corridor's route, the point far off null" python3 - "$T/osrm.json" \
    "$T/corridor.json" "$coords" <<'PY'
import json, sys
d, r, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), len(sys.argv[3].split(';'))
errs = []
if d.get('code') != 'Ok' or len(d['tracepoints']) != n or len(d['matchings']) != 1:
    errs.append('code %s, %d tracepoints of %d, %d matchings' % (d.get('code'), len(d['tracepoints']), n,
                                                                  len(d.get('matchings', []))))
tp = d['tracepoints']
if tp[5] is not None:
    errs.append('the far point is matched')
m = [t for t in tp if t]
for i, t in enumerate(m):
    if set(t) != {'hint', 'name', 'location', 'distance', 'matchings_index', 'waypoint_index', 'alternatives_count'}:
        errs.append('tracepoint fields %s' % sorted(t))
        break
    if t['matchings_index'] != 0 or t['waypoint_index'] != i or t['distance'] > 1:
        errs.append('tracepoint %d: %s' % (i, t))
        break
mt = d['matchings'][0]
if not 0 < mt['confidence'] <= 1 or len(mt['legs']) != len(m) - 1:
    errs.append('confidence %s, %d legs for %d points' % (mt['confidence'], len(mt['legs']), len(m)))
if abs(sum(l['distance'] for l in mt['legs']) - mt['distance']) > 2:
    errs.append('legs add up to %.1f m, the matching is %.1f m' % (sum(l['distance'] for l in mt['legs']),
                                                                  mt['distance']))
if mt['geometry']['type'] != 'LineString' or mt['bogie']['journey']['path_osm_nodes'] != r['path_osm_nodes']:
    errs.append('not the route of the trace')
if abs(mt['distance'] - r['length_km'] * 1000) > 1:
    errs.append('distance %.1f m, not %.1f' % (mt['distance'], r['length_km'] * 1000))
if not all(s['observed_s'] is not None for s in mt['bogie']['sections']):
    errs.append('a section without an observed time')
print('; '.join(errs) or 'ok')
sys.exit(bool(errs))
PY
osrm_error() {
    local desc=$1 want=$2 path=$3 got
    got=$(curl -s -g -w ' %{http_code}' "$URL$path" | python3 -c 'import json, sys
t = sys.stdin.read(); body, code = t.rsplit(" ", 1); print(code, json.loads(body)["code"])')
    is "/match/v1: $desc" "$got" "$want"
}
two="125.7363900,39.0047200;125.7261100,39.0530600"
osrm_error "a timestamp too few" "400 InvalidOptions" "/match/v1/armoured/$two?timestamps=1"
osrm_error "timestamps going back" "400 InvalidOptions" "/match/v1/armoured/$two?timestamps=10;5"
osrm_error "a radius out of range" "400 InvalidOptions" "/match/v1/armoured/$two?radiuses=10;-1"
osrm_error "gaps must be split or ignore" "400 InvalidOptions" "/match/v1/armoured/$two?gaps=maybe"
osrm_error "no steps" "400 InvalidOptions" "/match/v1/armoured/$two?steps=true"
osrm_error "an unknown option" "400 InvalidQuery" "/match/v1/armoured/$two?annotations=true"
osrm_error "one coordinate" "400 InvalidQuery" "/match/v1/armoured/125.73639,39.00472"
osrm_error "a trace off the network" "400 NoMatch" "/match/v1/armoured/10,10;10.01,10"
osrm_error "gaps=split and tidy=true are taken" "200 Ok" "/match/v1/armoured/$two?gaps=split&tidy=true&radiuses=60;60"
kill $server
wait $server 2>/dev/null

done_testing
