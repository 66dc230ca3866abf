#!/usr/bin/env bash
# test_eurasia_routes.sh: journeys of issue 13 on the eurasia network beyond those of test_eurasia.sh: Kyiv - Kovel -
# Yahodyn, the Ukrainian side of the Yahodyn - Dorohusk crossing, over the real gauge-tagged Ukrainian data.
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
order = ["Kyiv Passenger Railway Station", "Malyn (Малин)", "Рафалівка", "Ягодин"]
order = [n.split(" (")[0] for n in order]
missing = [n for n in order if n not in names]
if missing or [names.index(n) for n in order] != sorted(names.index(n) for n in order):
    raise SystemExit("stops %r missing or out of order in %r" % (missing, names))
if d["countries"] != ["UA"] or {s["gauge_mm"] for s in stops} != {1520}:
    raise SystemExit("countries %r, gauges %r" % (d["countries"], {s["gauge_mm"] for s in stops}))
if {s["zone"] for s in stops} != {"Europe/Kyiv"} or not 450 < d["length_km"] < 560:
    raise SystemExit("zones %r, length %.1f km" % ({s["zone"] for s in stops}, d["length_km"]))
PY

done_testing
