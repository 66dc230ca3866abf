#!/usr/bin/env bash
# test_totals.sh: the totals line adds up (issue 11). Plans the journeys the other tests plan (and some more: every
# train on the corridor, vias, a dwell, the two ends with work, points given as coordinates, the real fixtures) in text
# and JSON, and checks that the total is moving + changing gauge + at borders + dwelling + reversing: in the JSON to
# the rounding of its six whole seconds (3 s), in the text to the rounding of its five minutes (3 min). The library
# asserts the same on every journey it plans (journey/result.c); the page's tiles show the JSON's figures.
. "$(dirname "$0")/lib.sh"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
"$BOGIE" import -q --data data "$DATA/tiny/journey.osm" -o "$T/journey.bogie"
for f in vde8.2-rail.osm.pbf Helsinki.osm.pbf cologne-railway.osm.pbf; do
    "$BOGIE" import -q "$DATA/osm/$f" -o "$T/$f.bogie"
done
C="$T/corridor.bogie"
H="$T/journey.bogie"

# One journey per line: the network, then the arguments of bogie route.
cat >"$T/journeys" <<EOF
$C --from Pyongyang --to Vladivostok --train armoured --depart 2023-09-10T15:00
$C --from Pyongyang --to Vladivostok --train armoured
$C --from Pyongyang --to Khasan --train armoured
$C --from Pyongyang --to Khasan --train armoured --depart 2019-04-24T11:40
$C --from Khasan --to Pyongyang --train armoured --depart 2019-04-24T11:40
$C --from Khasan --to Vladivostok --train armoured --depart 2019-04-24T11:40
$C --from Khasan --to Vladivostok --train armoured --gauge 1435
$C --from Khasan --to Vladivostok --train armoured --gauge 1520
$C --from Vladivostok --to Pyongyang --train armoured
$C --from Pyongyang --to Dandong --train armoured
$C --from Pyongyang --to Vladivostok --train armoured --via Rajin --dwell 45
$C --from Pyongyang --to Vladivostok --train armoured --via Tumangang --via Ussuriysk
$C --from Vladivostok --to Хасан --train ru-passenger
$C --from Ussuriysk --to Baranovsky --train ru-passenger --depart 2024-01-10T08:00
$C --from Pyongyang --to Vladivostok --train china-europe-freight --depart 2024-03-01T08:00
$C --from Rajin --to Ussuriysk --train armoured
$H --from West --to East --train armoured
$H --from Ivy --to Juniper --train emu-1435
$H --from Ivy --to Juniper --train armoured
$H --from Northgate --to Harbour --train armoured
$H --from Southend --to Harbour --train armoured
$H --from 50.1001,8.030 --to Juniper --train armoured
$H --from Ivy --to Juniper --via 50.11,8.03 --train armoured
$T/vde8.2-rail.osm.pbf.bogie --from 50.9727,11.0383 --to 51.4775,11.9870 --train emu-1435 --depart 2024-07-01T12:00
$T/Helsinki.osm.pbf.bogie --from 60.1714,24.9410 --to 60.17868,24.94006 --train ru-passenger --depart 2024-01-10T02:30
$T/cologne-railway.osm.pbf.bogie --from 50.9430,6.9589 --to 50.7321,7.0967 --train emu-1435
$T/cologne-railway.osm.pbf.bogie --from 50.9430,6.9589 --to 50.7321,7.0967 --train armoured
EOF

planned=0
while read -r net args; do
    read -ra a <<<"$args"
    name="${a[1]} to ${a[3]} (${a[*]:4})"
    if ! "$BOGIE" route --network "$net" "${a[@]}" >"$T/j.txt" 2>"$T/j.err" ||
        ! "$BOGIE" route --network "$net" "${a[@]}" --format json >"$T/j.json" 2>>"$T/j.err"; then
        ok "$name is planned" sh -c "cat '$T/j.err'; false"
        continue
    fi
    planned=$((planned + 1))
    ok "$name: the JSON's total is the sum of its parts" python3 - "$T/j.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
parts = d["running_s"] + d["allowance_s"] + d["gauge_change_s"] + d["border_s"] + d["dwell_s"] + d["reversal_s"]
assert abs(d["total_s"] - parts) <= 3, (d["total_s"], parts)
stops = sum(s["dwell_s"] + s["gauge_change_s"] + s["border_s"] + s["reversal_s"] for s in d["stops"][1:])
assert abs(d["gauge_change_s"] + d["border_s"] + d["dwell_s"] + d["reversal_s"] - stops) <= 3, "stops after the origin"
assert d["stops"][0]["depart_s"] == 0, "the clock starts at the departure"
assert abs(d["total_s"] - d["stops"][-1]["depart_s"]) <= 1, "the total ends with the work at the destination"
PY
    ok "$name: the text's total is the sum of its parts" python3 - "$T/j.txt" <<'PY'
import re, sys
line = next(l for l in open(sys.argv[1]) if l.startswith("total "))
def minutes(text):
    m = re.fullmatch(r"(?:(\d+) h )?(\d+) min", text.strip())
    return int(m.group(1) or 0) * 60 + int(m.group(2))
m = re.match(r"total (.*?): moving (.*?) \(allowance .*? included\), changing gauge (.*?), at borders (.*?), "
             r"dwelling (.*?), reversing (.*)$", line)
total, *parts = (minutes(x) for x in m.groups())
assert abs(total - sum(parts)) <= 3, (line, total, parts)
PY
done <"$T/journeys"
is "every journey of the list was planned" "$planned" "$(wc -l <"$T/journeys")"

done_testing
