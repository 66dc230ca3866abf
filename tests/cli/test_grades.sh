#!/usr/bin/env bash
# test_grades.sh: elevations from OSM ele=* on nodes, through the import into the graph file, and the grades they
# give in the physics (docs/journeys.md, Grades): a hand-made 20 km line, flat for 5 km, climbing 25 per mille for
# 10 km (250 m), flat again for 5 km, with a node every 100 m. The armoured train (1630 t, at most 340 kN) needs
# 24 kN + 1630 t * g * 0.025 = 424 kN to climb it, so it is refused uphill with the grade, and runs downhill; with
# the same line carrying no ele=* it runs both ways on flat track. One node's ele=* is no height and is reported.
. "$(dirname "$0")/lib.sh"

make_line() { # $1: "ele" to tag elevations, else none
    python3 - "$1" <<'PY'
import sys
lat0, lon0, my = 50.0, 30.0, 111194.9
with_ele = sys.argv[1] == "ele"
print('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hand">')
n = 201
for i in range(n):
    x = i * 100.0
    z = 200 + 0.025 * min(max(x - 5000, 0), 10000)
    tags = ''
    if with_ele:
        tags = '<tag k="ele" v="%s"/>' % ("high" if i == 20 else "%.2f" % z)
    if i in (0, n - 1):
        tags += '<tag k="railway" v="station"/><tag k="name" v="%s"/>' % ('Low' if i == 0 else 'High')
    print('  <node id="%d" lat="%.7f" lon="%.7f">%s</node>' % (i + 1, lat0, lon0 + x / (my * 0.6427876), tags))
print('  <way id="1">' + ''.join('<nd ref="%d"/>' % (i + 1) for i in range(n)) +
      '<tag k="railway" v="rail"/><tag k="gauge" v="1435"/><tag k="maxspeed" v="100"/></way>')
print('</osm>')
PY
}

make_line ele >"$T/hill.osm"
make_line none >"$T/flat.osm"
ok "the line with elevations imports" "$BOGIE" import -q "$T/hill.osm" -o "$T/hill.bogie"
ok "the line without imports" "$BOGIE" import -q "$T/flat.osm" -o "$T/flat.bogie"
"$BOGIE" info --json "$T/hill.bogie" >"$T/hill-info.json"
ok "the ele=* that is no height is reported with its node" python3 - "$T/hill-info.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [i for i in d["suspicious"] if i["what"] == "ele"]
if len(bad) != 1 or bad[0]["value"] != "high" or bad[0]["example"]["id"] != 21 or bad[0]["count"] != 1:
    raise SystemExit("issues: %r" % d["suspicious"])
PY

out=$("$BOGIE" route --network "$T/hill.bogie" --from Low --to High --train armoured 2>&1)
is "uphill the armoured train is refused (exit status 2, a bad request)" "$?" 2
ok "the refusal names where and the grade" grep -q \
    "on the run from km 0.0 to km 20.0 of the route, the train cannot move at [0-9]* m: on a grade of 2[0-9].[0-9] per mille" \
    <<<"$out"

"$BOGIE" route --network "$T/hill.bogie" --from High --to Low --train armoured --format json >"$T/down.json"
"$BOGIE" route --network "$T/flat.bogie" --from High --to Low --train armoured --format json >"$T/flat.json"
"$BOGIE" route --network "$T/flat.bogie" --from Low --to High --train armoured --format json >"$T/flat-up.json"
# Downhill the grade is known on all but the two 100 m segments at the bad node: 19.8 of 20 km; the steepest fitted
# grade is the climb's 25 per mille (the 6 km window rounds its ends off, but in its middle 4 km the window lies on
# the straight climb, whose least-squares slope is its own).
ok "downhill it runs, with grades known on 19.8 of 20 km, the steepest 25 per mille" python3 - "$T/down.json" \
    "$T/flat.json" "$T/flat-up.json" <<'PY'
import json, sys
d, f, u = (json.load(open(p)) for p in sys.argv[1:4])
if abs(d["graded_km"] - 19.8) > 0.05 or abs(d["max_grade_permille"] - 25) > 0.5:
    raise SystemExit("graded %r km, steepest %r" % (d["graded_km"], d["max_grade_permille"]))
if f["graded_km"] != 0 or f["max_grade_permille"] != 0 or u["graded_km"] != 0:
    raise SystemExit("the line without ele=* has grades: %r" % f["graded_km"])
if abs(d["length_km"] - f["length_km"]) > 1e-9:
    raise SystemExit("lengths differ")
PY
"$BOGIE" route --network "$T/hill.bogie" --from High --to Low --train armoured >"$T/down.txt"
ok "the timetable says on how many km grades were known" grep -q \
    "^grades known on 19.8 of 20.0 km (steepest 25.0 per mille); the rest taken as flat$" "$T/down.txt"
"$BOGIE" route --network "$T/flat.bogie" --from High --to Low --train armoured >"$T/flat.txt"
is "without elevations the timetable says nothing of grades" "$(grep -c "grades known" "$T/flat.txt")" 0

done_testing
