#!/usr/bin/env bash
# test_eurasia_hanoi.sh: issue 13's journey Pyongyang - Beijing - Wuhan - Changsha - Nanning - Pingxiang - Dong Dang -
# Hanoi (Gia Lam) on the eurasia network, and Beijing - Gia Lam: the stops, the borders KP -> CN and CN -> VN, no
# gauge change (the Vietnamese line is dual gauge 1435/1000 mm), three time zones, and the length within 3 % of the
# sum of the published lengths of the lines it runs on (docs/networks.md, "Beijing - Hanoi").
. "$(dirname "$0")/lib.sh"

python3 data/eurasia/build.py --out "$T/e.osm" --log "$T/e.log" >/dev/null
ok "the eurasia network imports" "$BOGIE" import -q "$T/e.osm" -o "$T/eurasia.bogie"

# The published lengths: 京广线 Beijing - Hengyang 1779 km and 湘桂线 Hengyang - Liuzhou 538 km, Nanning - Pingxiang
# 793 to 1013 km (全国客里表 2021-09-28; en.wikipedia Hunan-Guangxi railway route map: Liuzhou 538), 柳南客专线
# Liuzhou - Nanning 223 km (全国客里表), Pingxiang - Dong Dang 17 km (4 km Dong Dang - border, giaoducthoidai.vn;
# 13 km to Pingxiang assumed), Dong Dang - Gia Lam 162 - 5 km (vi.wikipedia Đường sắt Hà Nội – Đồng Đăng route
# map, km from Hanoi): 2,934 km. Pyongyang - Beijing by the shortest lines, Shenyang - Shanhaiguan (沈山线) and
# Qinhuangdao - Beijing (京哈线), is 225.1 + 2.5 + 277 + 426 + 16 + 299 = 1,245.6 km by their km posts
# (test_eurasia.sh): 4,180 km in all.
"$BOGIE" route --network "$T/eurasia.bogie" --from Pyongyang --via 北京 --to "Gia Lâm" --train armoured \
    --depart "2023-09-10 15:00" --format json >"$T/ph.json"
"$BOGIE" route --network "$T/eurasia.bogie" --from 北京 --to "Gia Lam" --train armoured \
    --depart "2023-09-10 15:00" --format json >"$T/bh.json"
cat >"$T/check.py" <<'PY'
import json, sys


def check(cond, what):
    if not cond:
        raise SystemExit("failed: " + what)


def journey(path, published, order, borders, zones, countries):
    """Checks one journey's length (3 %), stop order, border stops, gauge and zones."""
    d = json.load(open(path))
    check(abs(d["length_km"] - published) <= 0.03 * published,
          "length %.1f km not within 3 %% of %.0f" % (d["length_km"], published))
    stops = d["stops"]
    names = [s["name"] for s in stops]
    check(all(n in names for n in order), "missing stops: %r" % [n for n in order if n not in names])
    check([names.index(n) for n in order] == sorted(names.index(n) for n in order), "stops out of order")
    got = [(s["name"], s["detail"].split(",")[0]) for s in stops if "border" in s["kinds"]]
    check(got == borders, "border stops %r" % got)
    check(not [s for s in stops if "gauge_change" in s["kinds"]] and d["gauge_change_s"] == 0, "no gauge change")
    check({s["gauge_mm"] for s in stops} == {1435}, "1435 mm throughout: %r" % {s["gauge_mm"] for s in stops})
    seen = []
    for s in stops:
        if not seen or seen[-1] != s["zone_abbr"]:
            seen.append(s["zone_abbr"])
    check(seen == zones, "zones %r" % seen)
    check(d["countries"] == countries, "countries %r" % d["countries"])
    check(stops[-1]["zone"] == "Asia/Ho_Chi_Minh" and stops[-1]["utc_offset_s"] == 7 * 3600, "ends in UTC+7")
    return d


south = ["Beijing", "Shijiazhuang", "Zhengzhou", "Hankou", "Wuchang", "Changsha", "Hengyang", "Guilin", "Liuzhou",
         "Binyang", "Nanning", "Chongzuo", "Pingxiang", "Dong Dang", "Lang Son", "Bac Giang", "Gia Lam"]
what = sys.argv[1]
if what == "ph":
    journey(sys.argv[2], 4180,
            ["Pyongyang", "Sinuiju Ch'ongnyon", "Dandong", "Shenyang", "Jinzhou", "Qinhuangdao"] + south,
            [("Dandong", "North Korea -> China (KP -> CN)"), ("Dong Dang", "China -> Vietnam (CN -> VN)")],
            ["KST", "CST", "+07"], ["KP", "CN", "VN"])
else:
    d = journey(sys.argv[2], 2934, south, [("Dong Dang", "China -> Vietnam (CN -> VN)")], ["CST", "+07"],
                ["CN", "VN"])
    # 柳南城际铁路 Liuzhou - Nanning is real geometry (223.5 km along the trace, 223 km published); the rest schematic.
    km = {s["name"]: s["km"] for s in d["stops"]}
    check(abs(km["Nanning"] - km["Liuzhou"] - 223) <= 0.03 * 223, "Liuzhou - Nanning %.1f km" %
          (km["Nanning"] - km["Liuzhou"]))
    # Schematic: the difference of the km posts, to the metre (the JSON gives km to three decimals).
    check(abs(km["Gia Lam"] - km["Dong Dang"] - 157) < 0.002, "Dong Dang - Gia Lam %r km" %
          (km["Gia Lam"] - km["Dong Dang"]))
PY
ok "Pyongyang - Beijing - Gia Lam: KP -> CN at Dandong, CN -> VN at Dong Dang, 1435 mm throughout, KST, CST, +07" \
    python3 "$T/check.py" ph "$T/ph.json"
ok "Beijing - Gia Lam: by Wuhan, Changsha, Liuzhou, Nanning and Pingxiang, CN -> VN at Dong Dang, CST then +07" \
    python3 "$T/check.py" bh "$T/bh.json"

# The Vietnamese line is tagged dual gauge, and only it: its ways 1435;1000 from Dong Dang to Gia Lam, each with a
# source; Pingxiang - Dong Dang is standard gauge.
ok "Dong Dang - Lang Son - Bac Giang - Gia Lam is tagged gauge 1435;1000 with its source, and nothing else is" \
    python3 - "$T/e.osm" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
names = {n.get("id"): {t.get("k"): t.get("v") for t in n.iter("tag")}.get("name:en") for n in root.iter("node")}
dual = []
for w in root.iter("way"):
    tags = {t.get("k"): t.get("v") for t in w.iter("tag")}
    if tags.get("gauge") == "1435;1000":
        refs = [nd.get("ref") for nd in w.iter("nd")]
        dual.append((names[refs[0]], names[refs[-1]], "Hanoi-Dong Dang" in tags.get("source:gauge", "")))
want = [("Dong Dang", "Lang Son", True), ("Lang Son", "Bac Giang", True), ("Bac Giang", "Gia Lam", True)]
if dual != want:
    raise SystemExit("dual-gauge ways %r" % dual)
PY

# Station names in the languages the sources have: Vietnamese with and without diacritics, Chinese, English.
for name in "Gia Lâm" "Gia Lam" "Đồng Đăng" "Dong Dang" 同登 凭祥 "Bằng Tường" Pingxiang 柳州 Liuzhou 武昌 Wuchang; do
    out=$("$BOGIE" stations --network "$T/eurasia.bogie" "$name" 2>&1)
    is "station name '$name' matches a station" "$(grep -c "No station matches\|similar" <<<"$out")" 0
done

done_testing
