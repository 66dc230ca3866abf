#!/usr/bin/env bash
# test_eurasia_routes.sh: journeys of issue 13 on the eurasia network beyond those of test_eurasia.sh: Kyiv - Kovel -
# Yahodyn over the real gauge-tagged Ukrainian data, a stop at Kovel, and Kovel - Yahodyn - Dorohusk across the
# 1520/1435 border (the schematic dual-gauge link to Dorohusk, the bogie exchange at Yahodyn).
. "$(dirname "$0")/lib.sh"

python3 data/eurasia/build.py --out "$T/e.osm" >/dev/null
ok "the eurasia network imports" "$BOGIE" import -q "$T/e.osm" -o "$T/eurasia.bogie"

# Kyiv - Korosten - Sarny - Kovel - Yahodyn: data/eurasia/cut_ukraine.py keeps the shortest path Kyiv - Yahodyn, so
# the line from Kyiv joins the Kovel - Yahodyn line (before, the two did not meet and no route ran).
"$BOGIE" route --network "$T/eurasia.bogie" --from Київ-Пас. --to Ягодин --train armoured \
    --depart "2023-09-10 08:00" --format json >"$T/ky.json"
ok "Kyiv - Yahodyn runs on 1520 mm track in Ukraine, by Malyn and Rafalivka, in Kyiv time" \
    python3 - "$T/ky.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
stops = d["stops"]
names = [s["name"] for s in stops]
order = ["Kyiv Passenger Railway Station", "Malyn (Малин)", "Рафалівка", "Yahodyn (Ягодин)"]
order = [n.split(" (")[0] for n in order]
missing = [n for n in order if n not in names]
if missing or [names.index(n) for n in order] != sorted(names.index(n) for n in order):
    raise SystemExit("stops %r missing or out of order in %r" % (missing, names))
if d["countries"] != ["UA"] or {s["gauge_mm"] for s in stops} != {1520}:
    raise SystemExit("countries %r, gauges %r" % (d["countries"], {s["gauge_mm"] for s in stops}))
if {s["zone"] for s in stops} != {"Europe/Kyiv"} or not 450 < d["length_km"] < 560:
    raise SystemExit("zones %r, length %.1f km" % ({s["zone"] for s in stops}, d["length_km"]))
PY

# A stop at Kovel itself: its station is the junction of the lines from Kyiv and from Yahodyn (before, its rounded
# source point put it on a yard track's dead end, and no route stopped there).
"$BOGIE" route --network "$T/eurasia.bogie" --from Київ-Пас. --to Ягодин --via Ковель --train armoured \
    --depart "2023-09-10 08:00" --format json >"$T/kv.json"
ok "Kyiv - Kovel - Yahodyn stops at Kovel, on the same 510 km route as without the stop" \
    python3 - "$T/ky.json" "$T/kv.json" <<'PY'
import json, sys
plain, via = (json.load(open(p)) for p in sys.argv[1:3])
stops = [s for s in via["stops"] if "via" in s["kinds"]]
if [s["name"] for s in stops] != ["Kovel"] or stops[0]["dwell_s"] <= 0:
    raise SystemExit("via stops %r" % [(s["name"], s["dwell_s"]) for s in stops])
# The same track both ways (the geometry's length is to the metre; 0.05 km covers the rounding of length_km).
if abs(via["length_km"] - plain["length_km"]) > 0.05 or not 440 < stops[0]["km"] < 460:
    raise SystemExit("length %.2f against %.2f km, Kovel at km %.1f" % (via["length_km"], plain["length_km"],
                                                                         stops[0]["km"]))
PY

# Kovel - Yahodyn - Dorohusk: 1520 mm wheels run through to Dorohusk on the broad-gauge track, with the border stop;
# 1435 mm wheels from Dorohusk change at Yahodyn's bogie exchange (data/gauge-changers.csv). The border point and the
# two tracks are pl.wikipedia's (data/eurasia/build.py, DOROHUSK_*).
"$BOGIE" route --network "$T/eurasia.bogie" --from Ковель --to Dorohusk --train armoured --gauge 1520 \
    --depart "2023-09-10 08:00" --format json >"$T/kd.json"
"$BOGIE" route --network "$T/eurasia.bogie" --from Dorohusk --to Ковель --train armoured --gauge 1435 \
    --depart "2023-09-10 08:00" --format json >"$T/dk.json"
ok "Kovel - Dorohusk crosses UA -> PL on 1520 mm wheels; Dorohusk - Kovel on 1435 mm changes at Yahodyn" \
    python3 - "$T/kd.json" "$T/dk.json" <<'PY'
import json, sys
kd, dk = (json.load(open(p)) for p in sys.argv[1:3])
def main_stops(d):
    return [(s["name"], s["kinds"]) for s in d["stops"] if s["kinds"] != "pass"]
if kd["countries"] != ["UA", "PL"] or kd["gauge_change_s"] != 0 or kd["border_s"] <= 0:
    raise SystemExit("Kovel - Dorohusk: %r, change %s s, border %s s" % (kd["countries"], kd["gauge_change_s"],
                                                                       kd["border_s"]))
if (kd["stops"][0]["zone"], kd["stops"][-1]["zone"]) != ("Europe/Kyiv", "Europe/Warsaw"):
    raise SystemExit("zones %r" % [s["zone"] for s in kd["stops"]])
changes = [s for s in dk["stops"] if "gauge_change" in s["kinds"]]
if [s["name"] for s in changes] != ["Yahodyn"] or "Yahodyn facility" not in changes[0]["detail"] \
        or "border" not in changes[0]["kinds"] or dk["countries"] != ["PL", "UA"]:
    raise SystemExit("Dorohusk - Kovel: %r %r" % (main_stops(dk), dk["countries"]))
# Kovel - Yahodyn is real track (58.6 km); Yahodyn - Dorohusk the two straight links through the border point
# (6.1 + 2.2 km). Both ways the same route.
if not 66.0 < kd["length_km"] < 68.0 or abs(kd["length_km"] - dk["length_km"]) > 0.01:
    raise SystemExit("lengths %.2f, %.2f km" % (kd["length_km"], dk["length_km"]))
PY

# The border stop at Dorohusk comes after the arrival: the timetable says when it ends, which the total counts.
contains "the text says when the destination's border stop ends" \
    "$("$BOGIE" route --network "$T/eurasia.bogie" --from Ковель --to Dorohusk --train armoured --gauge 1520 \
        --depart "2023-09-10 15:00")" "arrives 2023-09-10 15:07 CEST (Europe/Warsaw)
the stop there (border) ends 2023-09-10 16:07 CEST, which the total counts"

done_testing
