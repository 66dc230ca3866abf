#!/usr/bin/env bash
# test_eurasia.sh: the bundled eurasia network (docs/networks.md): it builds byte for byte the same twice from its
# committed sources, every join of separate lines is logged with its reason, it imports with the corridor inside it
# unchanged, and its journeys show what issue 13 asks of them (stops, gauge changes, borders, zones, and a length
# within 3 % of the published figure).
. "$(dirname "$0")/lib.sh"

python3 data/eurasia/build.py --out "$T/a.osm" --log "$T/a.log" >/dev/null
python3 data/eurasia/build.py --out "$T/b.osm" --log "$T/b.log" >/dev/null
same_file "eurasia.osm builds byte for byte the same twice" "$T/b.osm" "$T/a.osm"
ok "every join in the build log gives where and how close the lines meet" python3 - "$T/a.log" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
joins = [l for l in lines if l.startswith("join: ")]
if len(joins) < 2:
    raise SystemExit("expected the Ussuriysk and Ekaterinburg joins, got %r" % joins)
for l in joins:
    if not re.search(r"(station|node).*\(?[0-9.]+ m\b", l):
        raise SystemExit("join without a place and a distance: " + l)
    if float(re.findall(r"([0-9.]+) m\b", l)[-1]) > 100:
        raise SystemExit("join farther apart than 100 m: " + l)
PY
ok "the eurasia network imports" "$BOGIE" import -q "$T/a.osm" -o "$T/eurasia.bogie"
"$BOGIE" info --json --edges "$T/eurasia.bogie" >"$T/info.json"
"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
"$BOGIE" info --json "$T/corridor.bogie" >"$T/corridor.json"

ok "eurasia holds the corridor and the km posts of its schematic lines" python3 - "$T/info.json" "$T/corridor.json" \
    data/eurasia/sources/schematic-stations.csv <<'PY'
import csv, json, sys
d, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rows = list(csv.DictReader(open(sys.argv[3], encoding="utf-8")))
# Schematic km: the corridor's, plus each schematic line's last km post minus its first.
lines = {}
for r in rows:
    lines.setdefault(r["line"], []).append(float(r["km"]))
extra = sum(max(v) - min(v) for v in lines.values())
if abs(d["schematic_km"] - (c["schematic_km"] + extra)) > 0.05:
    raise SystemExit("schematic km %.1f, expected %.1f" % (d["schematic_km"], c["schematic_km"] + extra))
if d["stations"] <= c["stations"] or d["nodes"] <= c["nodes"]:
    raise SystemExit("eurasia is not larger than the corridor")
if len(d["breaks_of_gauge"]) != len(c["breaks_of_gauge"]):
    raise SystemExit("breaks of gauge changed: %r" % d["breaks_of_gauge"])
for e in d["edge_list"]:
    if e["schematic"] and not e["distance_tagged"]:
        raise SystemExit("schematic edge %d without a distance" % e["index"])
PY

for name in "Екатеринбург-Пассажирский" "Ekaterinburg-Passazhirsky" "Декабристы" "Dekabristy" "Perm II" "Пермь II"; do
    out=$("$BOGIE" stations --network "$T/eurasia.bogie" "$name" 2>&1)
    is "station name '$name' matches a station" "$(grep -c "No station matches\|similar" <<<"$out")" 0
done

# Pyongyang - Moscow by the Trans-Siberian: en.wikipedia (Trans-Siberian Railway) gives the Moscow-Pyongyang service
# as 10,267 km (https://www.eferryticket.com/trans-siberian-railway, a copy of the article).
"$BOGIE" route --network "$T/eurasia.bogie" --from Pyongyang --to "Moscow Yaroslavsky" --train armoured \
    --depart "2023-09-10 15:00" --format json >"$T/pm.json"
ok "Pyongyang - Moscow: length, gauge change at Tumangang, the border, seven zones, the stops on the way" \
    python3 - "$T/pm.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def check(cond, what):
    if not cond:
        raise SystemExit("failed: " + what)
check(abs(d["length_km"] - 10267) <= 0.03 * 10267, "length %.1f km not within 3 %% of 10,267" % d["length_km"])
stops = d["stops"]
changes = [s for s in stops if "gauge_change" in s["kinds"]]
check(len(changes) == 1 and changes[0]["name"] == "Tumangang", "one gauge change, at Tumangang: %r" %
      [s["name"] for s in changes])
check("1435 -> 1520" in changes[0]["detail"], changes[0]["detail"])
borders = [s for s in stops if "border" in s["kinds"]]
check(len(borders) == 1 and "KP -> RU" in borders[0]["detail"], "one border stop KP -> RU")
check(d["countries"] == ["KP", "RU"], "countries %r" % d["countries"])
offsets = []
for s in stops:
    if not offsets or offsets[-1] != s["utc_offset_s"]:
        offsets.append(s["utc_offset_s"])
check(len(set(offsets)) >= 7, "distinct UTC offsets %r" % sorted(set(offsets)))
check(offsets[0] == 9 * 3600 and offsets[-1] == 3 * 3600, "starts in UTC+9, ends in UTC+3: %r" % offsets)
names = [s["name"] for s in stops]
order = ["Pyongyang", "Tumangang", "Khasan", "Ussuriysk", "Khabarovsk", "Chita", "Ulan-Ude", "Omsk",
         "Ekaterinburg-Passazhirsky", "Perm II", "Kirov-Passazhirsky", "Yaroslavl-Glavny", "Moscow Yaroslavsky"]
check(all(n in names for n in order), "missing stops: %r" % [n for n in order if n not in names])
check([names.index(n) for n in order] == sorted(names.index(n) for n in order), "stops out of order")
check(stops[-1]["name"] == "Moscow Yaroslavsky" and stops[-1]["zone"] == "Europe/Moscow", "arrives in Moscow")
PY

done_testing
