#!/usr/bin/env bash
# test_eurasia_data.sh: checks of the eurasia network's data (docs/networks.md, issue 13): no two stations of one
# name closer than 50 m, every line reachable from Moscow or Beijing for some train, station names in every
# language resolving to the same station, `bogie info`'s schematic and assumed shares per country, the voltages
# of the lines to Moscow and Warsaw, and the API's journeys the same as the CLI's.
. "$(dirname "$0")/lib.sh"

python3 data/eurasia/build.py --out "$T/eurasia.osm" >/dev/null
"$BOGIE" import -q "$T/eurasia.osm" -o "$T/eurasia.bogie"
"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
NET=$T/eurasia.bogie

# The stations and lines of the OSM file, as python reads them ($T/osm.py, shared by the checks below).
cat >"$T/osm.py" <<'PY'
import math
import xml.etree.ElementTree as ET


def read(path):
    """(station nodes {id: (lat, lon, tags)}, ways [(node ids, tags)]) of an OSM file."""
    root = ET.parse(path).getroot()
    nodes, ways = {}, []
    for n in root.iter("node"):
        nodes[n.get("id")] = (float(n.get("lat")), float(n.get("lon")), {t.get("k"): t.get("v") for t in n.iter("tag")})
    for w in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in w.iter("tag")}
        if "railway" in tags:
            ways.append(([nd.get("ref") for nd in w.iter("nd")], tags))
    return nodes, ways


def metres(a, b):
    """Great-circle distance between two (lat, lon, ...) tuples, in metres."""
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))
PY
export PYTHONPATH="$T"

ok "no two stations of the same name are closer than 50 m" python3 - "$T/eurasia.osm" <<'PY'
import sys, collections, osm
nodes, _ = osm.read(sys.argv[1])
by_name = collections.defaultdict(list)
for n in nodes.values():
    if n[2].get("railway") in ("station", "halt"):
        for k, v in n[2].items():
            if k == "name" or k.startswith("name:"):
                by_name[v].append(n)
close = [(name, round(osm.metres(a, b))) for name, ns in by_name.items() for i, a in enumerate(ns)
         for b in ns[i + 1:] if a is not b and osm.metres(a, b) < 50]
if close or len(by_name) < 400:
    raise SystemExit("stations of one name closer than 50 m: %r (%d names)" % (close, len(by_name)))
PY

# Every line (every way of the file) lies on track connected to Moscow or Beijing, except those listed here with
# the reason (none since Kyiv - Kovel - Yahodyn was cut from the Ukrainian data).
python3 - "$T/eurasia.osm" >"$T/targets.txt" 2>"$T/unreached.txt" <<'PY'
import sys, collections, osm
nodes, ways = osm.read(sys.argv[1])
KNOWN = {}
adj = collections.defaultdict(set)
for refs, _ in ways:
    for a, b in zip(refs, refs[1:]):
        adj[a].add(b)
        adj[b].add(a)
name = lambda i: nodes[i][2].get("name:en") or nodes[i][2].get("name")
seeds = [i for i, n in nodes.items() if n[2].get("name:en") in ("Moscow Yaroslavsky", "Beijing")]
seen, todo = set(seeds), list(seeds)
while todo:
    for y in adj[todo.pop()] - seen:
        seen.add(y)
        todo.append(y)
cut = collections.defaultdict(set)
for refs, tags in ways:
    if refs[0] not in seen:
        cut[frozenset(refs)].add(tags.get("name", "?"))
# The unreached ways, grouped by what connects them, each group named by its stations.
groups = []
for refs, tags in ways:
    if refs[0] in seen:
        continue
    group = {refs[0]}
    todo = [refs[0]]
    while todo:
        for y in adj[todo.pop()] - group:
            group.add(y)
            todo.append(y)
    if group not in groups:
        groups.append(group)
for g in groups:
    stations = sorted(name(i) for i in g if nodes[i][2].get("railway") in ("station", "halt"))
    why = [KNOWN[s] for s in stations if s in KNOWN]
    print("%s: %s" % (", ".join(stations), why[0] if why else "UNEXPLAINED"), file=sys.stderr)
# The routing targets: the dead ends of the reached track, and one station at each end of every named line.
ends = set(i for i in seen if len(adj[i]) == 1 and nodes.get(i, (0, 0, {}))[2].get("railway") in ("station", "halt"))
by_line = {}
for refs, tags in ways:
    if refs[0] in seen:
        for i in (refs[0], refs[-1]):
            if nodes[i][2].get("railway") in ("station", "halt"):
                by_line.setdefault((tags.get("name"), i == refs[0]), i)
for i in sorted(ends | set(by_line.values())):
    print(nodes[i][0], nodes[i][1], name(i), sep="\t")
PY
ok "every line not connected to Moscow or Beijing is listed with its reason" \
    bash -c '! grep -q UNEXPLAINED "$1" && cat "$1"' _ "$T/unreached.txt"
echo "# not connected to Moscow or Beijing: $(tr '\n' ';' <"$T/unreached.txt")"
# Each target is reached by some train: from Beijing, else from Moscow, by the first profile that gets there.
unreached=()
while IFS=$'\t' read -r lat lon name; do
    reached=""
    for from in 北京 "Moscow Yaroslavsky"; do
        for train in china-europe-freight armoured ru-passenger "armoured --gauge 1520"; do
            # shellcheck disable=SC2086  # the train may carry its --gauge option
            if "$BOGIE" route --network "$NET" --from "$from" --to "$lat,$lon" --train $train --format json \
                >/dev/null 2>&1; then
                reached=1
                break 2
            fi
        done
    done
    [ -n "$reached" ] || unreached+=("$name")
done <"$T/targets.txt"
is "every line's end stations are reached from Beijing or Moscow by some train ($(wc -l <"$T/targets.txt") stations)" \
    "${unreached[*]:-}" ""

# One station, four spellings: English without diacritics, Ukrainian, Russian, Polish.
for name in Przemysl Перемишль Перемышль Przemyśl "Przemyśl Główny"; do
    "$BOGIE" stations --network "$NET" "$name" 2>&1 | head -n 1 | grep -oE ' -?[0-9]+\.[0-9]{6} +-?[0-9]+\.[0-9]{6} '
done >"$T/przemysl.txt"
is "Przemysl, Перемишль, Перемышль, Przemyśl all find Przemyśl Główny first" \
    "$(sort -u "$T/przemysl.txt" | tr '\n' ' ')" "$(tail -n 1 "$T/przemysl.txt") "
# The border stations the docs name in Latin letters, and Hanoi, resolve as users spell them: Kovel and Yahodyn in
# English and Polish (romanised in data/eurasia/build.py, UA_NAMES), Hanoi to Gia Lâm, where the trains from China
# end.
for pair in "Kovel:Ковель" "Kowel:Ковель" "Yahodyn:Ягодин" "Jagodzin:Ягодин" "Hanoi:Gia Lâm" "Hà Nội:Gia Lâm"; do
    name=${pair%%:*} want=${pair#*:}
    contains "station name '$name' finds $want first" \
        "$("$BOGIE" stations --network "$NET" "$name" 2>&1 | head -n 1)" "$want"
done
# A journey names one station: the four spellings of the station's full name (or the city's Russian name) give
# the same journey. (The bare city name matches Przemyśl Zasanie too: a journey from it is refused as ambiguous.)
i=0
for name in "Przemysl Glowny" "Перемишль Головний" Перемышль "Przemyśl Główny" Пшемысль-Главный; do
    i=$((i + 1))
    "$BOGIE" route --network "$NET" --from "$name" --to "Warszawa Centralna" --train armoured --format json \
        >"$T/pw-$i.json" 2>&1
done
ok "journeys from each spelling start at Przemyśl Główny and are the same" python3 - "$T"/pw-*.json <<'PY'
import json, sys
d = [json.load(open(f)) for f in sys.argv[1:]]
firsts = {j["stops"][0]["name"] for j in d}
if firsts != {"Przemyśl Główny"} or len(d) != 5 or any(j != d[0] for j in d):
    raise SystemExit("first stops %r, or the journeys differ" % firsts)
PY

# bogie info: per country, the km and share of track that is schematic, or whose gauge, speed limit or
# electrification is assumed rather than tagged; the km add up to the totals and agree with the edge list.
"$BOGIE" info --json --edges "$NET" >"$T/info.json"
"$BOGIE" info "$NET" >"$T/info.txt"
"$BOGIE" info --json --edges "$T/corridor.bogie" >"$T/corridor-info.json"
ok "bogie info --json gives each country's schematic and assumed km and shares, adding up to the totals" \
    python3 - "$T/info.json" "$T/corridor-info.json" <<'PY'
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    rows = d["shares_by_country"]
    if [r["label"] for r in rows] != [r["label"] for r in d["km_by_country"]]:
        raise SystemExit("%s: share rows %r" % (f, [r["label"] for r in rows]))
    for r, c in zip(rows, d["km_by_country"]):
        if abs(r["km"] - c["km"]) > 0.01:
            raise SystemExit("%s: %s km %.3f against %.3f" % (f, r["label"], r["km"], c["km"]))
        for k in ("schematic", "gauge_assumed", "speed_assumed", "electrification_assumed"):
            if not 0 <= r[k + "_km"] <= r["km"] + 1e-6 or abs(r[k + "_pct"] - 100 * r[k + "_km"] / r["km"]) > 0.051:
                raise SystemExit("%s: %s %s %r" % (f, r["label"], k, r))
    edges = d["edge_list"]
    sch = sum(e["length_m"] for e in edges if e["schematic"]) / 1000
    spd = sum(e["length_m"] for e in edges if e["speed_assumed"] or not (e["maxspeed_forward_kmh"] > 0 and
              e["maxspeed_backward_kmh"] > 0)) / 1000
    wire = sum(e["length_m"] for e in edges if e["electrification"] == "unknown" or
               "unknown voltage" in e["electrification"]) / 1000
    for what, got, want in (("schematic", sum(r["schematic_km"] for r in rows), sch),
                            ("schematic total", sch, d["schematic_km"]),
                            ("speed assumed", sum(r["speed_assumed_km"] for r in rows), spd),
                            ("electrification unknown", sum(r["electrification_assumed_km"] for r in rows), wire)):
        if (what != "electrification unknown" and abs(got - want) > 0.05) or got < want - 0.05:
            raise SystemExit("%s: %s %.1f km, the edge list gives %.1f" % (f, what, got, want))
d = {r["label"][:2]: r for r in json.load(open(sys.argv[1]))["shares_by_country"]}
c = {r["label"][:2]: r for r in json.load(open(sys.argv[2]))["shares_by_country"]}
# The corridor's North Korean track is schematic throughout (data/README.md); eurasia's Belarusian and Polish
# track takes its gauge from data/gauge-by-country.csv, Ukraine's from the data's own gauge tags. Poland's schematic
# track is the 2.2 km of the straight link from the border to Dorohusk.
if c["KP"]["schematic_pct"] != 100.0 or d["KP"]["schematic_pct"] != 100.0 or not 0 < d["PL"]["schematic_km"] < 2.5:
    raise SystemExit("schematic shares %r %r" % (c["KP"], d["PL"]))
if d["BY"]["gauge_assumed_pct"] < 90 or d["PL"]["gauge_assumed_pct"] < 90 or d["UA"]["gauge_assumed_km"] != 0:
    raise SystemExit("gauge shares BY %r PL %r UA %r" % (d["BY"], d["PL"], d["UA"]))
PY
ok "bogie info prints the shares table, one row per country" python3 - "$T/info.txt" "$T/info.json" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
rows = json.load(open(sys.argv[2]))["shares_by_country"]
block = text.split("schematic and assumed track by country")[1].split("breaks of gauge")[0]
for r in rows:
    want = "%s %.1f km %8.1f km %5.1f %%" % (r["label"], r["km"], r["schematic_km"], r["schematic_pct"])
    if not re.search(re.escape(r["label"]) + r" +%.1f km +%.1f km +%.1f %%" % (r["km"], r["schematic_km"],
                     r["schematic_pct"]), block):
        raise SystemExit("no row like %r in %r" % (want, block))
PY

# The API plans eurasia's journeys as the CLI does: /api/journey gives exactly the CLI's JSON.
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done' EXIT
serve_network "$T/serve.log" "$NET" --threads 2
ok "bogie serve starts on the eurasia network" test -n "$port"
journey() { # NAME CLI-ARGS... : the CLI's JSON into $T/cli-NAME.json
    local name=$1
    shift
    "$BOGIE" route --network "$NET" "$@" --depart "2023-09-10 15:00" --format json >"$T/cli-$name.json"
}
journey pm --from Pyongyang --to "Moscow Yaroslavsky" --train armoured --avoid CN
journey bw --from 北京 --to "Warszawa Centralna" --train china-europe-freight
journey pk --from "Przemyśl Główny" --to Київ-Пас. --train armoured --gauge 1435
q="depart=2023-09-10%2015:00"
for args in "pm from=Pyongyang&to=Moscow%20Yaroslavsky&train=armoured&avoid=CN" \
    "bw from=%E5%8C%97%E4%BA%AC&to=Warszawa%20Centralna&train=china-europe-freight" \
    "pk from=Przemy%C5%9Bl%20G%C5%82%C3%B3wny&to=%D0%9A%D0%B8%D1%97%D0%B2-%D0%9F%D0%B0%D1%81.&train=armoured&gauge=1435"
do
    name=${args%% *}
    curl -s -g -o "$T/api-$name.json" "http://127.0.0.1:$port/api/journey?${args#* }&$q"
    same_file "/api/journey $name gives exactly the CLI's JSON" "$T/api-$name.json" "$T/cli-$name.json"
done

done_testing
