#!/usr/bin/env bash
# test_corridor.sh: the bundled Pyongyang-Vladivostok network: it rebuilds byte for byte from its sources, imports,
# shows the 1435/1520 break of gauge at the Tumangang/Khasan border, and its lengths agree with the km posts.
. "$(dirname "$0")/lib.sh"

python3 data/corridor/build.py --out "$T/corridor.osm" >/dev/null
same_file "data/corridor/corridor.osm rebuilds byte for byte from its sources" "$T/corridor.osm" data/corridor/corridor.osm
ok "the corridor imports" "$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
"$BOGIE" info "$T/corridor.bogie" >"$T/info.txt"
"$BOGIE" info --json --edges "$T/corridor.bogie" >"$T/info.json"
contains "info shows the break of gauge at Khasan, where the dual-gauge link meets 1520 mm track" \
    "$(cat "$T/info.txt")" "1435;1520 | 1520         dual gauge begins/ends, nearest station Хасан (Khasan) (0 m)"
contains "info shows where dual gauge begins at Rajin" "$(cat "$T/info.txt")" "1435 | 1435;1520"

ok "corridor figures agree with the sources" python3 - "$T/info.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def check(cond, what):
    if not cond:
        raise SystemExit("failed: " + what)
km = {r["label"]: r["km"] for r in d["km_by_gauge"]}
# Pyongyang-Rajin 801.9 + Sopyongyang-Sinuiju 220.4 + Sinuiju-Dandong 2.5 (km posts) are 1435 mm only.
check(abs(km["1435"] - (801.9 + 225.1 - 4.7 + 2.5)) < 0.05, "1435 mm km %.3f" % km["1435"])
# Rajin-Tumangang 52.1 (km posts) + Tumangang-bridge 3.5 (km posts) + bridge-Khasan (real geometry, 1.59 km).
check(abs(km["1435;1520"] - (52.1 + 3.5 + 1.59)) < 0.05, "dual gauge km %.3f" % km["1435;1520"])
# Khasan-Baranovsky turnout 235.8 + Ussuriysk-Vladivostok 111.9, both along the OSM-derived traces.
check(abs(km["1520"] - (235.84 + 111.86)) < 0.2, "1520 mm km %.3f" % km["1520"])
power = {r["label"]: r["km"] for r in d["km_by_electrification"]}
check(abs(power["25000 V 50 Hz"] - 111.86) < 0.2, "Trans-Siberian electrified")
check(abs(power["not electrified"] - (235.84 + 3.5 + 1.59)) < 0.2, "Khasan line not electrified")
check(abs(d["schematic_km"] - (801.9 + 52.1 + 220.4 + 2.5 + 3.5)) < 0.05, "schematic km %.3f" % d["schematic_km"])
check(len(d["breaks_of_gauge"]) == 2, "two breaks of gauge")
# Every Korean way is schematic with its length from km posts; every assumed speed says so.
for e in d["edge_list"]:
    if e["schematic"]:
        check(e["distance_tagged"], "schematic edge %d has a distance tag" % e["index"])
        check(e["min_radius_m"] is None, "schematic edge %d has no curve radius" % e["index"])
    check(e["speed_assumed"], "edge %d: its speed limit is marked assumed" % e["index"])
check(d["stations"] == 48, "48 stations, got %d" % d["stations"])
PY

done_testing
