#!/usr/bin/env python3
"""Build eurasia.osm, bogie's second bundled railway network: the corridor and the lines beyond it.

The network is the whole seed corridor (data/corridor/build.py builds it, unchanged: same nodes, ways, tags and
ids) plus:
  - the Trans-Siberian Railway from Ekaterinburg to Ussuriysk, real OSM-derived geometry (one BRouter trace over
    OpenStreetMap), with the stations of data/corridor/sources/russia-stations.csv that lie on it;
  - Moscow (Yaroslavsky) - Yaroslavl - Kirov - Perm - Ekaterinburg, schematic: straight ways through stations, their
    lengths the differences of km posts (sources/schematic-stations.csv cites each one);
  - Beijing - Qinhuangdao - Shenyang North - Harbin (real, 京哈铁路), Harbin - Manzhouli and Shenyang - Dandong
    (schematic), and the conventional lines K27/K28 takes, Beijing - Fengtai - Tianjin - Qinhuangdao and Shanhaiguan -
    Jinzhou - Shenyang (schematic through 全国客里表 km posts, built with the lines to Hanoi: K27_LINES);
  - Beijing - Wuhan - Changsha - Hengyang - Liuzhou - Nanning - Pingxiang - Dong Dang - Hanoi (Gia Lam) (add_hanoi):
    schematic through km posts, except Liuzhou - Nanning, real (piece 0 of sources/china/太原-南宁通道.json); the
    Vietnamese line dual gauge 1435;1000;
  - the branches of the 2023 Far East tour, schematic (add_fareast(), rows of sources/schematic-stations.csv):
    Ledyanaya - Uglegorsk (Tsiolkovsky, the Vostochny cosmodrome's station), Volochayevka - Komsomolsk-on-Amur and
    Ugolnaya - Artyom-Primorsky 1 (from the corridor's Ugolnaya).

Inputs (all committed, read-only):
  data/corridor/build.py and data/corridor/sources/    the corridor, built by its own script (imported here)
  sources/russia-border-lines/Ekateriburg-Vladivostok.geojson   the Trans-Siberian trace (see sources/PROVENANCE.md)
  sources/transsib-stations.csv                        which russia-stations.csv stations are on it, region and zone
  sources/schematic-stations.csv                       stations, km posts and zones of the schematic lines

Joins: separate lines are joined only at a station or junction where they really meet, within JOIN_M; every join
is written to the build log with its reason (--log).  Standard library only and deterministic: the same inputs give
the same bytes.

Usage (from the repository root):
  python3 data/eurasia/build.py --out build/eurasia.osm [--log build/eurasia-build.log] [--report]
"""

import argparse
import csv
import importlib.util
import json
import math
import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCES = os.path.join(HERE, "sources")
CORRIDOR_BUILD = os.path.join(ROOT, "data", "corridor", "build.py")
TRANSSIB_GEOJSON = os.path.join(SOURCES, "russia-border-lines", "Ekateriburg-Vladivostok.geojson")
TRANSSIB_STATIONS = os.path.join(SOURCES, "transsib-stations.csv")
SCHEMATIC_STATIONS = os.path.join(SOURCES, "schematic-stations.csv")
RUSSIA_STATIONS = os.path.join(ROOT, "data", "corridor", "sources", "russia-stations.csv")
CHINA_STATIONS = os.path.join(SOURCES, "china", "stations.csv")
JINGHA_JSON = os.path.join(SOURCES, "china", "京哈铁路.json")
LIUNAN_JSON = os.path.join(SOURCES, "china", "太原-南宁通道.json")
TARSKAYA_ZABAIKALSK = os.path.join(SOURCES, "russia-border-lines", "Tarskaya-Zabaikalsk.geojson")
MSK_ORSHA = os.path.join(SOURCES, "russia-border-lines", "MSK-Orsha.geojson")
SMOLENSK_TERESPOL = os.path.join(SOURCES, "belarus", "Smolensk-Terespol.geojson")
BELARUS_STATIONS = os.path.join(SOURCES, "belarus", "stations.csv")
POLAND_LINES = os.path.join(SOURCES, "poland", "lines.geojson")
POLAND_STATIONS = os.path.join(SOURCES, "poland", "stations.csv")
UKRAINE_LINES = os.path.join(SOURCES, "ukraine", "lines.geojson")
UKRAINE_STATIONS = os.path.join(SOURCES, "ukraine", "stations.csv")
# The traces whose points carry an elevation (BRouter's terrain model), given to the nodes as ele=*.
ELEVATION_TRACES = [TRANSSIB_GEOJSON, TARSKAYA_ZABAIKALSK, MSK_ORSHA, SMOLENSK_TERESPOL]
GAUGE_BY_COUNTRY = os.path.join(ROOT, "data", "gauge-by-country.csv")

JOIN_M = 100.0  # two lines are joined at a station only when the station lies this close to both
ON_TRACE_M = 600.0  # a russia-stations.csv station this close to the trace is on it (listed in transsib-stations.csv)
CN_ON_LINE_M = 400.0  # a station point of china/stations.csv this close to a trunk line is on it (OSM station points
# in China sit on the station building, up to a few hundred metres from the through tracks)
END_GAP_M = 2500.0  # a trunk line that stops this close to the station it serves is joined to it by a straight link
HUB_M = 5000.0  # two main stations of one city's junction may be linked straight when no source connects them
STATION_BY_M = 300.0  # a station of belarus/stations.csv this close to the Smolensk-Terespol trace is on it
BORDER_LINK_M = 10000.0  # a trace ending at a border may be linked straight to the first station beyond it
UA_STATION_M = 150.0  # a station of ukraine/stations.csv this close to a kept track is on it
UA_ROUNDED_M = 1500.0  # ... or this close, for the few whose source point is rounded to 0.001 degree (Kyiv, Lviv, Kovel)
SAME_STATION_M = 250.0  # one named station given by two sources: their nodes are merged when this close
WINDOW = 60  # trace segments searched either side of the nearest vertex when projecting a station

TZ_SOURCE = "IANA tz database (zone1970.tab) zone of the station's region, %s"
NOTES = "data/eurasia/sources/PROVENANCE.md"
DUAL_BREST = ("dual gauge Brest - Terespol: standard-gauge track runs as far as Brest (egtre.info Border Crossings: "
              "Belarus - Poland) beside the broad-gauge track into Terespol (eurailpress.de 33/2021: broad-gauge "
              "infrastructure in Terespol station)")
DUAL_MALASZEWICZE = ("assumed from issue 13: a 1520 mm track runs from the border into the Malaszewicze yards, where "
                     "China-Europe containers are handled (interrail-europe.com, Malaszewicze construction works); "
                     "PLRailMap does not mark it")
DUAL_ZABAIKALSK = ("dual gauge Zabaikalsk - Manzhouli: both gauges are present at Zabaikalsk (en.wikipedia "
                   "Trans-Manchurian Railway; wikisum.wiki Zabaykalsk: 'Note two railway gauges'); the 1435 mm track "
                   "is taken to run on to Manzhouli (assumed)")
UA_FOREIGN = {"Przemyśl Główny": ("PL", "Europe/Warsaw", "name:pl"), "Záhony": ("HU", "Europe/Budapest", "name:hu")}
# English (and Polish) names of Ukrainian stations the source gives in Ukrainian only, romanised here by the
# Ukrainian national transliteration (Cabinet of Ministers resolution 55, 2010), as the border crossings are known.
UA_NAMES = {"Ковель": {"name:en": "Kovel", "name:pl": "Kowel"},
            "Ягодин": {"name:en": "Yahodyn", "name:pl": "Jagodzin"}}

# Known exceptions: a station whose (rounded) source point lies nearer a yard track's dead end than the junction of the
# lines it serves is put at the nearest chain end where two or more chains meet.
UA_AT_JUNCTION = {"Ковель": "assumed: the station is the junction where the source's lines from Kyiv and from Yahodyn "
                            "meet (its rounded point lies 750 m from it, and 477 m from a yard track's dead end)"}
# Yahodyn - Dorohusk: the sources have no track across the border here (the Ukrainian line ends at Yahodyn; PLRailMap's
# nearest track is 15 km from Dorohusk), so the crossing is drawn straight through the border point.
DOROHUSK_BORDER = (51.180000, 23.812972)  # pl.wikipedia Przejście graniczne Dorohusk-Jagodzin (kolejowe): 51°10′48,00″N 23°48′46,70″E
DOROHUSK_GAUGE = ("pl.wikipedia Przejście graniczne Dorohusk-Jagodzin: 1435 and 1520 mm tracks from the border to "
                  "Dorohusk; interfax.com 2023-06-01: Kyiv-Warsaw cars take 1435 mm wheelsets at Yahodyn")
DOROHUSK_WHY = ("Kovel - Yahodyn crosses into Poland to Dorohusk, 2,000 m from the border (pl.wikipedia Przejście "
                "graniczne Dorohusk-Jagodzin)")
UA_DUAL_TO = {"Мостиська ІІ": "the standard-gauge line from Przemyśl runs to the SUW 2000 gauge-changing facilities "
                             "at Mostys'ka 2 (egtre.info Border Crossings: Poland - Ukraine; ua-today.eu: the 1435 mm "
                             "gauge goes from Przemysl to Mostyska); the source's dual track ends 0.6 km short"}
BY_NAME_EN = {"Минск-Пассажирский": "Minsk-Passazhirsky", "Барановичи-Центральные": "Baranovichi-Tsentralnye",
              "Борисов": "Borisov", "Жабинка": "Zhabinka", "Брест-Восточный": "Brest-Vostochny",
              "Минск-Восточный": "Minsk-Vostochny", "Жодино": "Zhodino", "Столбцы": "Stolbtsy"}


def load_corridor():
    spec = importlib.util.spec_from_file_location("corridor_build", CORRIDOR_BUILD)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


cb = load_corridor()

JINGHA_SOURCE = ("OpenStreetMap (c) OSM contributors, ODbL 1.0: 京哈铁路 from Raymond1030/China-High-speed-railway-"
                 "Mapbox-Visualization (data/eurasia/sources/china)")
BROUTER_SOURCE = ("OpenStreetMap (c) OSM contributors, ODbL 1.0: BRouter rail trace %s by trolleway (data/eurasia/"
                  "sources/%s)")
PLRAILMAP_SOURCE = ("PLRailMap (MKuranowski/PLRailMap, 2023-03-19), CC0 1.0: Terespol - Warszawa - Przemyśl "
                    "(data/eurasia/sources/poland)")
UKRAINE_SOURCE = ("OpenStreetMap (c) OSM contributors, ODbL 1.0: hermano-us/rail-ukraine-pulse data/rail-reference, "
                  "overlapping segments made one track (data/eurasia/sources/ukraine)")
TRANSSIB_SOURCE = ("OpenStreetMap (c) OSM contributors, ODbL 1.0: BRouter rail trace Ekateriburg-Vladivostok by "
                   "trolleway/russian-railways-simplegeodata (data/eurasia/sources/russia-border-lines)")

K27_WIRES = ("en.wikipedia K27/28 Beijing-Dandong-Pyongyang through train infobox: 'El: 25kv 50HZ (Beijing-Shenyang)', "
             "the lines the train runs: Beijing - Tianjin - Shanhaiguan - Shenyang")


def k27_profile(name_zh, name_en, note):
    """The tags of a line K27/K28 takes: a main line under 25 kV 50 Hz wires (K27_WIRES)."""
    return {"name": name_zh, "name:zh": name_zh, "name:en": name_en, "usage": "main", "electrified": "contact_line",
            "voltage": "25000", "frequency": "50", "source:electrified": K27_WIRES, "note": note}


CN_JINGHA = {"name": "京哈铁路", "name:zh": "京哈铁路", "name:en": "Beijing-Harbin Railway", "usage": "main",
             "gauge": "1435", "electrified": "contact_line", "voltage": "25000", "frequency": "50"}

PROFILES = {
    "transsib_trace": dict(cb.GAUGE_1520, **{
        "name": "Trans-Siberian Railway", "name:ru": "Транссибирская магистраль", "usage": "main",
        "electrified": "contact_line",
        "source:electrified": "the whole line is electrified, 3 kV DC or 25 kV 50 Hz AC by section (en.wikipedia "
                              "Trans-Siberian Railway infobox); which section has which is not sourced here, so "
                              "no voltage is tagged",
        "maxspeed": "100", "source:maxspeed": "assumed: electrified main line; no sourced line speed (as the "
                                              "corridor's Trans-Siberian)"}),
    "moscow_ekaterinburg": dict(cb.GAUGE_1520, **{
        "name": "Trans-Siberian Railway", "name:ru": "Транссибирская магистраль", "usage": "main",
        "electrified": "contact_line",
        "source:electrified": "electrified throughout, 3 kV DC or 25 kV 50 Hz AC by section (en.wikipedia "
                              "Trans-Siberian Railway infobox); no voltage tagged",
        "maxspeed": "100", "source:maxspeed": "assumed: electrified main line; no sourced line speed"}),
    "jingqin": dict(CN_JINGHA, **{
        "source:gauge": "standard gauge: en.wikipedia Beijing-Qinhuangdao Railway infobox (copy at "
                        "goodnames.eth.link), zh.wikipedia 秦沈客运专线 (1435 mm)",
        "source:electrified": "en.wikipedia K27/28 Beijing-Dandong-Pyongyang through train infobox: 25 kV 50 Hz "
                              "Beijing-Shenyang; zh.wikipedia 秦沈客运专线: 25kV 50Hz",
        "note": "this is the Beijing-Qinhuangdao line (京秦线, 294 km, via Jizhou and Tangshan North) that the "
                "source's 京哈铁路 follows, not the older coast line via Tianjin that K27 takes"}),
    "qinshen": dict(CN_JINGHA, **{
        "source:gauge": "zh.wikipedia 秦沈客运专线: 1435 mm", "source:electrified": "zh.wikipedia 秦沈客运专线: 25kV 50Hz",
        "maxspeed": "200", "source:maxspeed": "zh.wikipedia 秦沈客运专线: operating speed 200 km/h "
                                              "(https://zh.m.wikipedia.org/wiki/秦沈客运专线)",
        "note": "the Qinhuangdao-Shenyang passenger line (秦沈客运专线, 404 km), part of 京哈铁路 since 2007"}),
    "shenyang_hub": {
        "name": "沈阳枢纽", "name:zh": "沈阳枢纽", "name:en": "Shenyang junction link", "usage": "main",
        "gauge": "1435", "source:gauge": "Chinese standard gauge (as the lines it links)",
        "note:electrified": "electrification unknown: no source found, so electrified is not tagged"},
    "shendan": {
        "name": "沈丹铁路", "name:zh": "沈丹铁路", "name:en": "Shenyang-Dandong Railway", "usage": "main",
        "gauge": "1435", "source:gauge": "zh.wikipedia 沈丹铁路: regauged to standard gauge in 1911 "
                                         "(copy at 54e1ad4b4888.kfd.me)",
        "note:electrified": "electrification unknown: no source found, so electrified is not tagged"},
    "shenshan": k27_profile("沈山铁路", "Shenyang-Shanhaiguan Railway",
                            "the conventional line Shenyang - Jinzhou - Shanhaiguan (沈山线, 426 km in 全国客里表) that "
                            "K27/K28 takes, beside the Qinhuangdao-Shenyang passenger line"),
    "jinghu": k27_profile("京沪铁路", "Beijing-Shanghai Railway",
                          "Fengtai - Nancang, the part of the conventional Beijing-Shanghai line (京沪线) that trains "
                          "from Beijing to Tianjin and the coast line take"),
    "jinshan": k27_profile("津山铁路", "Tianjin-Shanhaiguan Railway",
                           "the coast line Nancang - Tianjin - Tangshan - Qinhuangdao (津山线), on to Shanhaiguan on the "
                           "track it shares with 京哈铁路 (the tariff list gives both lines 秦皇岛 - 龙家营 - 山海关, 16 km)"),
    "shenha": dict(CN_JINGHA, **{
        "source:gauge": "standard gauge (data/gauge-by-country.csv, CN)",
        "source:electrified": "assumed: as the Beijing-Shenyang part (25 kV 50 Hz, en.wikipedia K27/28 infobox)"}),
    "binzhou": {
        "name": "滨洲铁路", "name:zh": "滨洲铁路", "name:en": "Harbin-Manzhouli Railway", "usage": "main",
        "gauge": "1435", "source:gauge": "en.wikipedia Harbin-Manzhouli railway: 1,435 mm",
        "electrified": "contact_line", "voltage": "25000", "frequency": "50",
        "source:electrified": "en.wikipedia Harbin-Manzhouli railway: 25 kV 50 Hz AC Harbin-Manzhouli"},
    "binzhou_border": {
        "name": "滨洲铁路", "name:zh": "滨洲铁路", "name:en": "Harbin-Manzhouli Railway (border link)",
        "usage": "main", "note:electrified": "electrification of the border link unknown: not tagged"},
    "zabaikalsk": {
        "name": "Тарская — Забайкальск", "name:ru": "Тарская — Забайкальск", "name:en": "Tarskaya-Zabaikalsk line",
        "usage": "main", "electrified": "contact_line", "voltage": "25000", "frequency": "50",
        "source:electrified": "en.wikipedia Harbin-Manzhouli railway: 25 kV 50 Hz AC on the Zabaikalsk-Karymskaya "
                              "section"},
    "ukraine": {
        "name": "Укрзалізниця", "name:uk": "Укрзалізниця", "name:en": "Ukrainian railway line", "usage": "main",
        "note:electrified": "electrification not tagged: left out of the cut of the source"},
    "moscow_brest": {
        "name": "Москва — Брест", "name:ru": "Москва — Брест", "name:en": "Moscow-Brest line", "usage": "main"},
    "warszawa_terespol": {
        "name": "PKP PLK", "name:pl": "PKP PLK", "name:en": "Polish railway line (PLRailMap)",
        "usage": "main"},
}


# Wires of Moscow - Brest - Warsaw, by section: the system changes at Vyazma (3 kV DC towards Moscow, 25 kV 50 Hz
# on to Brest); Poland's line 2 is 3 kV DC from Warszawa Centralna to the border beyond Terespol.  Brest - Terespol
# and the rest of the Polish line carry no sourced wires.
MOSCOW_BREST_WIKI = "en.wikipedia Moscow-Brest railway (copy at de.knowledgr.com, Moskauer Bahn - Brest)"
WIRES_MOSCOW_VYAZMA = {"electrified": "contact_line", "voltage": "3000", "frequency": "0",
                       "source:electrified": MOSCOW_BREST_WIKI + ": Moscow - Vyazma electrified by 1973 with 3,000 V "
                                                                 "DC"}
WIRES_VYAZMA_BREST = {"electrified": "contact_line", "voltage": "25000", "frequency": "50",
                      "source:electrified": MOSCOW_BREST_WIKI + ": the rest, Vyazma - Brest, electrified in 1979 with "
                                                                "25,000 V 50 Hz"}
WIRES_PL_LINE2 = {"electrified": "contact_line", "voltage": "3000", "frequency": "0",
                  "source:electrified": "pl.wikipedia Linia kolejowa nr 2 (Warszawa Zachodnia - Terespol, 214 km) "
                                        "infobox: Sieć trakcyjna 3000 V DC (copy at artikeldigital.com); "
                                        "siskom.waw.pl: line 2 runs from Warszawa Centralna to the Polish-Belarusian "
                                        "border, electrified"}
WIRES_UNTAGGED = {"note:electrified": "electrification not tagged: the source carries no such tag and none was found "
                                      "for this section"}

# Beijing - Wuhan - Changsha - Nanning - Pingxiang - Dong Dang - Hanoi (Gia Lam): the schematic lines of
# schematic-stations.csv that add_hanoi() builds (add_schematic() leaves them out), each with its profile.
HANOI_LINES = {"Beijing-Hengyang (Jingguang)": "jingguang", "Hengyang-Liuzhou (Xianggui)": "xianggui",
               "Nanning-Pingxiang (Xianggui)": "xianggui", "Pingxiang-Dong Dang": "pingxiang_dongdang",
               "Dong Dang-Gia Lam": "hanoi_dongdang"}
# The conventional lines K27/K28 takes between Beijing and Dandong (Beijing - Fengtai - Tianjin - Qinhuangdao -
# Shanhaiguan - Jinzhou - Shenyang - Sujiatun - Dandong), schematic through their 全国客里表 km posts; add_hanoi() builds
# them with the lines to Hanoi.  Beijing - Fengtai is the Beijing - Hengyang line's (京广线 and 京沪线 share it, with the
# same km posts); Qinhuangdao - Shanhaiguan is 京哈铁路's real track.
K27_LINES = {"Fengtai-Tianjin (Jinghu)": "jinghu", "Tianjin-Qinhuangdao (Jinshan)": "jinshan",
             "Shenyang-Shanhaiguan (Shenshan)": "shenshan", "Shenyang-Dandong (Shendan)": "shendan"}
# Station nodes built before add_hanoi() that its lines meet (the line that built each).
CN_SHARED = {"北京": "京哈铁路", "沈阳": "京哈铁路's Shenyang junction", "秦皇岛": "京哈铁路", "山海关": "京哈铁路",
             "丹东": "the corridor"}
# A schematic line leaving a junction straight for its next station could leave at whatever angle the chord makes, and
# bogie lets no train turn more than 45 degrees where three tracks meet.  Where the chord would make the through
# move of K27 too sharp, the line's first JUNCTION_SHAPE_KM leaves within JUNCTION_LEAVE_DEG of the heading of a train
# arriving from the station given, then bends to its chord (assumed: the sources draw no junction layout).
JUNCTION_SHAPE_KM = 1.0
JUNCTION_LEAVE_DEG = 30.0
JUNCTION_BENDS = {
    ("Shenyang-Shanhaiguan (Shenshan)", "沈阳"): ("苏家屯", "trains from Dandong (by Sujiatun) run on towards Shanhaiguan "
                                                         "(K27/K28); the line leaves Shenyang station northward"),
    ("Fengtai-Tianjin (Jinghu)", "丰台"): ("北京南", "trains from Beijing (by Beijing South) run on towards Tianjin"),
}
LIUNAN_STATIONS = ["柳州南", "进德", "宾阳", "屯里", "南宁东"]  # china/stations.csv rows on the Liuzhou-Nanning line
LIUNAN_SOURCE = ("OpenStreetMap (c) OSM contributors, ODbL 1.0: 太原-南宁通道 piece 0 from Raymond1030/China-High-speed-"
                 "railway-Mapbox-Visualization (data/eurasia/sources/china)")
DUAL_VN = ("dual gauge 1435/1000 mm: en.wikipedia Hanoi-Dong Dang railway (standard and metre gauge; copy at "
           "marybicycles.com); vi.wikipedia Đường sắt Hà Nội – Đồng Đăng route map: dual gauge from Gia Lâm on")
VN_TZ_SOURCE = "data/timezones.csv VN: Vietnam is one zone, UTC+7 (IANA Asia/Ho_Chi_Minh)"
CN_TZ_SOURCE = "IANA tz database (zone1970.tab): China is one zone, Asia/Shanghai (Beijing Time)"
# Names in other languages, with their sources: the Vietnamese name of Pingxiang, the Chinese one of Dong Dang.
HANOI_NAMES = {"凭祥": {"name:vi": "Bằng Tường", "source:name:vi": "giaoducthoidai.vn (2019): 'ga Bằng Tường thuộc "
                                                                   "tuyến đường sắt Hành Dương - Bằng Tường'"},
               "Đồng Đăng": {"name:zh": "同登", "source:name:zh": "lucaijing.com.cn (2022-10-23): '越南的同登至河内铁路'"},
               "Gia Lâm": {"alt_name:en": "Hanoi", "alt_name:vi": "Hà Nội (Gia Lâm)",
                           "note:alt_name": "Gia Lâm, in Hanoi, is where the standard-gauge trains from China end; "
                                            "Hanoi's main station (Ga Hà Nội) is not on the network, so 'Hanoi' "
                                            "finds Gia Lâm"}}

PROFILES.update({
    "jingguang": {
        "name": "京广铁路", "name:zh": "京广铁路", "name:en": "Beijing-Guangzhou Railway", "usage": "main",
        "note:electrified": "electrification unknown: no source used, so electrified is not tagged",
        "note": "the conventional line through Shijiazhuang, Zhengzhou, Hankou, Wuchang and Changsha, which the "
                "Beijing-Nanning-Hanoi through train takes; the shared data's 京广铁路.json is the high-speed line "
                "(京广高速线), not used here"},
    "xianggui": {
        "name": "湘桂铁路", "name:zh": "湘桂铁路", "name:en": "Hunan-Guangxi Railway", "usage": "main",
        "electrified": "contact_line", "voltage": "25000", "frequency": "50", "maxspeed": "120",
        "source:electrified": "en.wikipedia Hunan-Guangxi railway infobox: 25 kV/50 Hz AC overhead catenary "
                              "(wikiwand.com copy); the line is 'mostly electrified': taken for every section (assumed)",
        "source:maxspeed": "en.wikipedia Hunan-Guangxi railway infobox: operating speed 120 km/h"},
    "liunan": {
        "name": "柳南城际铁路", "name:zh": "柳南城际铁路", "name:en": "Liuzhou-Nanning Intercity Railway", "usage": "main",
        "note:electrified": "electrification unknown: the source has no such tag, so electrified is not tagged",
        "note": "the double-track line Liuzhou - Nanning of the Hunan-Guangxi railway's 2013 expansion (en.wikipedia "
                "Hunan-Guangxi railway, copy at self.gutenberg.org), 223 km (全国客里表 2021-09-28, 柳南客专线); "
                "the source names it 太原-南宁通道, the corridor it belongs to"},
    "pingxiang_dongdang": {
        "name": "湘桂铁路", "name:zh": "湘桂铁路", "name:en": "Hunan-Guangxi Railway (border section)",
        "usage": "main", "note:electrified": "electrification of the border section unknown: not tagged",
        "note": "Pingxiang - the China-Vietnam border - Dong Dang: at the border the Hunan-Guangxi railway meets the "
                "Hanoi-Dong Dang railway (en.wikipedia Hanoi-Dong Dang railway)"},
    "hanoi_dongdang": {
        "name": "Đường sắt Hà Nội – Đồng Đăng", "name:vi": "Đường sắt Hà Nội – Đồng Đăng",
        "name:en": "Hanoi-Dong Dang Railway", "usage": "main", "electrified": "no",
        "source:electrified": "it.wikipedia Ferrovia Hanoi-Đồng Đăng: Elettrificazione No"},
})

# -- the Russian Far East: branches of the Trans-Siberian for the 2023 tour (issue 13) ------------------------------

# The lines of schematic-stations.csv that add_fareast() builds (add_schematic() leaves them out), with their profile.
FAREAST_LINES = {"Ledyanaya-Tsiolkovsky": "ledyanaya_branch", "Volochayevka-Komsomolsk": "volk",
                 "Ugolnaya-Artyom": "ugolnaya_nakhodka"}
# Names a station of those lines has besides the CSV's (the town the station serves, and what it serves).
FAREAST_NAMES = {"Uglegorsk": {"alt_name": "Циолковский", "alt_name:en": "Tsiolkovsky",
                               "loc_name:en": "Vostochny Cosmodrome",
                               "source:alt_name": "the town, Углегорск until 2015 (ru.wikipedia Циолковский (город), copy "
                                                  "at wafarin.com); the station serves the Vostochny cosmodrome (cont.ws "
                                                  "post 228880: the station brings the town's people to the cosmodrome)"},
                 "Artyom-Primorsky 1": {"alt_name": "Артём", "alt_name:en": "Artyom",
                                        "source:alt_name": "the city of Artyom, where the station is (en.wikipedia "
                                                           "Artyom, Russia); the 2023 tour's train left 'the station "
                                                           "Artyom - Primorsky 1' on 17 September (RIA Novosti via "
                                                           "newsit.gr)"}}
FAREAST_PROFILES = {
    "volk": {
        "name": "Волочаевка — Комсомольск-на-Амуре", "name:ru": "Волочаевка — Комсомольск-на-Амуре",
        "name:en": "Volochayevka-Komsomolsk-on-Amur line", "usage": "main", "gauge": "1520",
        "source:gauge": "Russian gauge: ru.wikipedia Железнодорожная линия Комсомольск-на-Амуре — Дежнёвка (copy at "
                        "perceptiode.com)",
        "electrified": "no",
        "source:electrified": "ru.wikipedia Железнодорожная линия Комсомольск-на-Амуре — Дежнёвка (copy at "
                              "perceptiode.com): a single-track line, not electrified; its electrification was planned "
                              "from 2020 (kom.city), not known done",
        "note:maxspeed": "no sourced line speed: bogie's default for the country applies"},
    "ledyanaya_branch": {
        "name": "Ледяная — Углегорск", "name:ru": "Ледяная — Углегорск", "name:en": "Ledyanaya-Uglegorsk branch",
        "usage": "branch",
        "note:electrified": "electrification unknown (only Ledyanaya station's own wires are reported: blagoveshensk.ru "
                            "113224): not tagged",
        "note:maxspeed": "no sourced line speed: bogie's default for the country applies"},
    "ugolnaya_nakhodka": {
        "name": "Угольная — Мыс Астафьева", "name:ru": "Угольная — Мыс Астафьева",
        "name:en": "Ugolnaya-Mys Astafyeva line", "usage": "main",
        "electrified": "contact_line", "voltage": "25000", "frequency": "50",
        "source:electrified": "electric trains (ED9M, 25 kV AC) run Vladivostok - Artyom - Nakhodka (knigochet.com, "
                              "A. Luchkin, Na elektrichkakh: the electric train for Nakhodka, 'кто в Артём, кто в "
                              "Партизанск'); voltage as the Trans-Siberian there (ru.wikipedia Барановский)",
        "note": "schematic: the line from Ugolnaya to Artyom-Primorsky 1 only (the shared data's Nakhodka trace ends "
                "70 km short of Artyom)",
        "note:maxspeed": "no sourced line speed: bogie's default for the country applies"},
}
PROFILES.update(FAREAST_PROFILES)
# A branch drawn straight from its junction would leave the Trans-Siberian at whatever angle the chord makes, and
# bogie lets no train turn more than 45 degrees at a junction.  So each branch's first piece leaves the trace for
# FAREAST_SHAPE_KM at most FAREAST_LEAVE_DEG from the trace's own bearing there, on the side FAREAST_LEAVE gives: the
# one trains come from on the 2023 tour (westward at Ledyanaya for trains from Belogorsk; eastward at Volochayevka I
# for trains from Birobidzhan, as periskop.su says the line leaves it going east).  Assumed: the sources do not draw
# the junctions' layouts.
FAREAST_SHAPE_KM = 1.0
FAREAST_LEAVE_DEG = 30.0
FAREAST_LEAVE = {"Ledyanaya-Tsiolkovsky": "west", "Volochayevka-Komsomolsk": "east",
                 "Ugolnaya-Artyom": "west"}  # at Ugolnaya, on the corridor's trace: towards Ussuriysk, north
# The Volochayevka - Komsomolsk line meets the Trans-Siberian twice (periskop.su 2020-10-31: it leaves at Dezhnevka
# going west, at Volochayevka I going east), so that trains run to Komsomolsk from both sides without reversing.  No
# source places Dezhnevka or Volochayevka II: the curve towards Khabarovsk is drawn from the branch's bend to the
# trace this far east of Volochayevka I (assumed), through one bend FAREAST_CURVE_BEND_KM out, its length its own.
FAREAST_CURVE_EAST_KM = 5.0
FAREAST_CURVE_BEND_KM = 0.4


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def gauge_by_country():
    """data/gauge-by-country.csv: country -> (gauge tag value, source). The source starts with "assumed", so that
    bogie info counts the track as gauge assumed from the country's default rather than tagged by its source."""
    with open(GAUGE_BY_COUNTRY, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return {r["country"]: (r["gauge"], "assumed from the country's default (data/gauge-by-country.csv, %s): %s" % (
        r["country"], r["source"])) for r in rows}


def load_trace(path):
    """A BRouter or cut LineString as [(lat, lon)] (its elevations are left in the file for later use)."""
    with open(path, encoding="utf-8") as f:
        coords = json.load(f)["features"][0]["geometry"]["coordinates"]
    return [(c[1], c[0]) for c in coords]


class Eurasia:
    """The corridor's Builder, and what this script adds to it."""

    def __init__(self):
        self.b = cb.Builder()
        self.b.build()
        cb.validate(self.b)  # the corridor as its own script checks it, before anything is added
        self.corridor_ways = len(self.b.ways)
        self.log = []  # build log: one line per join and per cut, with its reason
        self.new_stations = []
        self.straight_links = set()  # ids of the straight links (schematic ways without km posts)
        self.join_nodes = set()  # ids of unnamed nodes where lines of one source meet (ends of its pieces)
        with open(TRANSSIB_GEOJSON, encoding="utf-8") as f:
            coords = json.load(f)["features"][0]["geometry"]["coordinates"]
        # (lat, lon) for the geometry; the elevation (third coordinate) kept beside it for later use (gradients).
        self.transsib = [(c[1], c[0]) for c in coords]
        self.transsib_ele = [c[2] for c in coords]

    # -- helpers ----------------------------------------------------------------------------------------------

    def node_named(self, name_en):
        for n in self.b.stations.values():
            if n.tags.get("name:en") == name_en:
                return n
        raise KeyError(name_en)

    def place(self, node, trace, lo=0, hi=None):
        """Puts node on trace[lo:hi] at its projection (as the corridor's place_on_trace, but searching only near
        the nearest vertex, since the trace has 45,000 points).  Returns (pos, metres moved)."""
        hi = len(trace) if hi is None else hi
        best = min(range(lo, hi), key=lambda i: (cb.haversine_km(node.lat, node.lon, *trace[i]), i))
        a, z = max(lo, best - WINDOW), min(hi, best + WINDOW + 1)
        d, i, t, plat, plon = cb.project(node.lat, node.lon, trace[a:z])
        i += a
        if cb.haversine_km(plat, plon, *trace[i]) * 1000 < cb.SNAP_M:
            pos = ("v", i)
        elif cb.haversine_km(plat, plon, *trace[i + 1]) * 1000 < cb.SNAP_M:
            pos = ("v", i + 1)
        else:
            pos = ("p", i, t, plat, plon)
        lat0, lon0 = node.lat, node.lon
        node.lat, node.lon = trace[pos[1]] if pos[0] == "v" else (pos[3], pos[4])
        moved = cb.haversine_km(lat0, lon0, node.lat, node.lon) * 1000
        if moved >= 0.05:
            node.tags["note:geometry"] = "placed on the OSM-derived track: %.1f m from the source coordinate" % moved
        return pos, moved

    def station_node(self, lat, lon, tags, label):
        n = cb.Node(lat, lon, tags, label=label)
        self.new_stations.append(n)
        return n

    def schematic_way(self, a, b, dist, profile, source_distance, extra=None, through=None):
        tags = {"railway": "rail", "bogie:schematic": "yes", "distance": "%s" % dist,
                "source:distance": source_distance}
        tags.update(PROFILES[profile])
        tags.setdefault("name:en", tags["name"])
        tags.update(extra or {})
        pts = [a] + ([through] if through else []) + [b]
        chord = sum(cb.haversine_km(p.lat, p.lon, q.lat, q.lon) for p, q in zip(pts, pts[1:]))
        assert chord < float(dist), ("distance shorter than the chord", a.label, b.label, dist, chord)
        self.b.ways.append(cb.Way(pts, tags, profile))

    def real_way(self, nodes, profile, source, extra=None):
        tags = {"railway": "rail", "source": source}
        tags.update(PROFILES[profile])
        tags.update(extra or {})
        tags.setdefault("name:en", tags["name"])
        self.b.ways.append(cb.Way(nodes, tags, profile))

    # -- the Trans-Siberian, Ekaterinburg - Ussuriysk ------------------------------------------------------------

    def transsib_stations(self, lo, hi):
        """The stations of transsib-stations.csv on trace[lo:hi], as nodes placed on it; stops if a russia-stations.csv
        station lies on the trace and is not listed, or a listed one is not on it."""
        listed = {r["name_ru"]: r for r in read_csv(TRANSSIB_STATIONS)}
        placed = []
        grid = {}
        for i in range(lo, hi):
            lat, lon = self.transsib[i]
            grid.setdefault((int(lat * 10), int(lon * 10)), []).append(i)
        taken = {(r["lat"], r["lon"]) for r in read_csv(SCHEMATIC_STATIONS)}  # already stations of this network
        corridor_names = {n.tags.get("name:ru") for n in self.b.stations.values()}
        for r in read_csv(RUSSIA_STATIONS):
            if (r["lat"], r["lon"]) in taken or r["name_ru"] in corridor_names:
                continue
            lat, lon = float(r["lat"]), float(r["lon"])
            near = [i for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                    for i in grid.get((int(lat * 10) + dy, int(lon * 10) + dx), [])]
            if not near:
                continue
            d_m = min(cb.haversine_km(lat, lon, *self.transsib[i]) for i in near) * 1000
            if d_m > ON_TRACE_M + 200:  # vertices are at most a few hundred metres apart near stations
                continue
            row = listed.pop(r["name_ru"], None)
            tags = None
            if row is not None:
                tags = self.transsib_station_tags(r, row)
            n = self.station_node(lat, lon, tags or {}, label=r["name_en"])
            pos, moved = self.place(n, self.transsib, min(near), max(near) + 1)
            if moved > ON_TRACE_M:
                if row is not None:
                    raise SystemExit("transsib-stations.csv: %s is %.0f m from the trace" % (r["name_ru"], moved))
                self.new_stations.remove(n)
                continue
            if row is None:
                raise SystemExit("russia-stations.csv: %s lies %.0f m from the Trans-Siberian trace and is not in "
                                 "transsib-stations.csv: add it" % (r["name_ru"], moved))
            n.tags["note:position"] = ("russia-stations.csv puts it %.0f m from the trace; on the trace at its "
                                       "projection" % moved)
            placed.append((n, pos))
        if listed:
            raise SystemExit("transsib-stations.csv: not found near the trace: %s" % ", ".join(sorted(listed)))
        return placed

    def transsib_station_tags(self, r, row):
        name_ru = "Декабристы" if r["name_ru"] == "Декабирсты" else r["name_ru"]
        tags = {"railway": "station", "name": name_ru, "name:ru": name_ru, "name:en": row["name_en"],
                "addr:country": "RU", "timezone": row["timezone"],
                "source": "data/corridor/sources/russia-stations.csv (trolleway/russian-railways-simplegeodata "
                          "stations layer)",
                "source:timezone": TZ_SOURCE % row["region"]}
        if row["name_en"] != r["name_en"]:
            tags["alt_name:en"] = r["name_en"]
        if row["note"]:
            tags["note"] = row["note"]
        return tags

    def tarskaya(self, lo, hi):
        """Tarskaya junction, where the line to Zabaikalsk leaves the Trans-Siberian: the Trans-Siberian vertex nearest
        the first point of the Tarskaya-Zabaikalsk trace (which must lie within JOIN_M of it)."""
        tz = load_trace(TARSKAYA_ZABAIKALSK)
        i = min(range(lo, hi), key=lambda k: (cb.haversine_km(*tz[0], *self.transsib[k]), k))
        d = cb.haversine_km(*tz[0], *self.transsib[i]) * 1000
        assert d <= JOIN_M, d
        self.tarskaya_node = self.station_node(*self.transsib[i], {
            "railway": "station", "name": "Тарская", "name:ru": "Тарская", "name:en": "Tarskaya", "addr:country": "RU",
            "timezone": "Asia/Chita", "source:timezone": TZ_SOURCE % "Zabaykalsky Krai",
            "source": "junction of the Tarskaya-Zabaikalsk trace with the Trans-Siberian trace (the trace's name and "
                      "en.wikipedia Trans-Manchurian Railway: it branches at Tarskaya); no station coordinate in the "
                      "sources"}, "Tarskaya")
        self.log.append("join: Tarskaya-Zabaikalsk starts %.1f m from Trans-Siberian vertex %d, which becomes the "
                        "Tarskaya junction node (en.wikipedia Trans-Manchurian Railway: the line branches at Tarskaya)"
                        % (d, i))
        return (self.tarskaya_node, ("v", i))

    def add_zabaikalsk(self):
        """Tarskaya - Zabaikalsk (real trace) - the border - Manzhouli."""
        tz = load_trace(TARSKAYA_ZABAIKALSK)
        gauges = gauge_by_country()
        zab = self.station_node(49.6402266, 117.3308923, {
            "railway": "station", "name": "Забайкальск", "name:ru": "Забайкальск", "name:en": "Zabaikalsk",
            "name:zh": "后贝加尔斯克", "addr:country": "RU", "timezone": "Asia/Chita",
            "source:timezone": TZ_SOURCE % "Zabaykalsky Krai",
            "source": "an unnamed station=train point of the OSM station shapefile (data/eurasia/sources/china/"
                      "stations.csv, name left empty there), identified as Zabaikalsk by its position at the end of "
                      "the Tarskaya-Zabaikalsk trace; name:zh from zh usage, not from the source",
            "note": "break of gauge: both 1520 and 1435 mm tracks reach the station (en.wikipedia Trans-Manchurian "
                    "Railway, wikisum Zabaykalsk)"}, "Zabaikalsk")
        cuts = [(self.tarskaya_node, ("v", 0))]
        pos, moved = self.place(zab, tz)
        zab.tags["note:position"] = "the source's station point lies %.0f m from the track" % moved
        cuts.append((zab, pos))
        border = cb.Node(*tz[-1], label="RU-CN border (end of the Tarskaya-Zabaikalsk trace)")
        border.tags.update({"railway": "border", "bogie:border": "CN-RU",
                            "note": "last point of the Tarskaya-Zabaikalsk trace, at the Russia-China border"})
        cuts.append((border, ("v", len(tz) - 1)))
        pieces = self.b.split_trace(tz, cuts, "tarskaya-zabaikalsk")
        self.real_way(pieces[0], "zabaikalsk", BROUTER_SOURCE % ("Tarskaya-Zabaikalsk", "russia-border-lines"),
                      {"gauge": gauges["RU"][0], "source:gauge": gauges["RU"][1]})
        self.real_way(pieces[1], "zabaikalsk", BROUTER_SOURCE % ("Tarskaya-Zabaikalsk", "russia-border-lines"),
                      {"gauge": "1435;1520", "source:gauge": DUAL_ZABAIKALSK})
        rows = {r["name_zh"]: r for r in read_csv(CHINA_STATIONS)}
        manzhouli = self.china_station(rows["满洲里"])
        self.join_nodes.add(id(border))
        self.straight_link(border, manzhouli, "binzhou_border", "the Tarskaya-Zabaikalsk trace ends at the border; "
                           "Manzhouli station lies beyond it (no geometry or km in the sources; the straight line is "
                           "a lower bound)", limit_m=BORDER_LINK_M,
                           extra={"gauge": "1435;1520", "source:gauge": DUAL_ZABAIKALSK})
        harbin = self.harbin
        self.schematic_way(harbin, manzhouli, Decimal("935"), "binzhou",
                           "en.wikipedia Harbin-Manzhouli railway: line length 935 km (copy at encyclopedia.datana."
                           "cloud); 934.8 km per xuexi.yuesha.com")

    def add_transsib(self):
        ussuriysk = self.node_named("Ussuriysk")
        tail = self.b.trace_transsib  # the corridor's Ussuriysk - Vladivostok trace
        cut = next(i for i, p in enumerate(self.transsib) if p == tail[0])
        assert self.transsib[cut:] == tail, "the corridor's trace is not the tail of the Trans-Siberian trace"
        assert (ussuriysk.lat, ussuriysk.lon) == tail[0]
        self.log.append("join: Trans-Siberian trace vertex %d = the corridor's Ussuriysk node (%.6f, %.6f): the "
                        "corridor's Ussuriysk-Vladivostok trace is this trace's tail from that vertex, coordinate "
                        "for coordinate (0 m)" % (cut, ussuriysk.lat, ussuriysk.lon))
        ekb = self.sch_nodes["Ekaterinburg-Passazhirsky"]
        pos, moved = self.place(ekb, self.transsib, 0, cut)
        assert moved <= JOIN_M, moved
        start = pos[1]
        dropped = sum(cb.haversine_km(*self.transsib[i], *self.transsib[i + 1]) for i in range(start))
        self.log.append("join: Moscow-Ekaterinburg (schematic) meets the Trans-Siberian trace at Ekaterinburg-"
                        "Passazhirsky station, %.1f m from the trace (placed on it)" % moved)
        self.log.append("cut: Trans-Siberian trace vertices 0-%d (%.1f km west of Ekaterinburg-Passazhirsky, towards "
                        "Perm) not used: the schematic line from Perm ends at the station" % (start - 1, dropped))
        assert pos[0] == "v", "Ekaterinburg-Passazhirsky must sit on a trace vertex to start the real line there"
        shift = lambda c: (c[0], (c[1][0], c[1][1] - start) + tuple(c[1][2:]))
        stations = [shift(c) for c in self.transsib_stations(start + 1, cut)]
        stations.append(shift(self.tarskaya(start, cut)))
        cuts = [(ekb, ("v", 0))] + stations + [(ussuriysk, ("v", cut - start))]
        pieces = self.b.split_trace(self.transsib[start:cut + 1], cuts, "transsib-west")
        for piece in pieces:
            self.real_way(piece, "transsib_trace", TRANSSIB_SOURCE)

    # -- schematic lines ---------------------------------------------------------------------------------------

    def add_schematic(self):
        rows = read_csv(SCHEMATIC_STATIONS)
        self.sch_nodes = {}
        by_line = {}
        for r in rows:
            by_line.setdefault(r["line"], []).append(r)
        for line in sorted(by_line):
            if line in FAREAST_LINES:
                continue  # add_fareast() builds these branches of the Trans-Siberian
            if line in HANOI_LINES or line in K27_LINES:  # built by add_hanoi(), with their own profiles and languages
                continue
            rs = sorted(by_line[line], key=lambda r: int(r["seq"]))
            nodes = []
            for r in rs:
                tags = {"railway": "station", "name": r["name_local"], "name:ru": r["name_local"],
                        "name:en": r["name_en"], "addr:country": r["country"], "timezone": r["timezone"],
                        "source": r["coord_source"], "source:timezone": TZ_SOURCE % r["region"]}
                n = self.station_node(float(r["lat"]), float(r["lon"]), tags, r["name_en"])
                self.sch_nodes[r["name_en"]] = n
                nodes.append(n)
            for (ra, a), (rz, z) in zip(zip(rs, nodes), zip(rs[1:], nodes[1:])):
                dist = Decimal(rz["km"]) - Decimal(ra["km"])
                srcs = [ra["km_source"]] + ([rz["km_source"]] if rz["km_source"] != ra["km_source"] else [])
                self.schematic_way(a, z, dist, "moscow_ekaterinburg", "difference of km posts: %s %s, %s %s; %s" % (
                    ra["name_en"], ra["km"], rz["name_en"], rz["km"], "; ".join(srcs)))

    # -- China: Beijing - Shenyang - Harbin (real, from a dissolved multiline; Shenyang - Dandong is K27_LINES') ----

    def chain(self, parts, spec, label):
        """One polyline from pieces of a dissolved MultiLineString: spec is [(part index, reversed)], and each piece
        must start exactly where the previous one ends (a join is made only there, and logged).  Repeated points are
        dropped."""
        out = []
        for k, (i, rev) in enumerate(spec):
            pts = [(c[1], c[0]) for c in (parts[i][::-1] if rev else parts[i])]
            if out:
                gap = cb.haversine_km(*out[-1], *pts[0]) * 1000
                assert gap < 0.01, (label, i, gap)
                self.log.append("join: %s part %d follows part %d end to end (the same coordinate, %.1f m): consecutive "
                                "pieces of one dissolved line" % (label, i, spec[k - 1][0], gap))
                pts = pts[1:]
            out.extend(pts)
        dedup = [p for k, p in enumerate(out) if k == 0 or p != out[k - 1]]
        if len(dedup) != len(out):
            self.log.append("cut: %s: %d repeated points dropped" % (label, len(out) - len(dedup)))
        return dedup

    def china_station(self, r):
        n = self.station_node(float(r["lat"]), float(r["lon"]), {
            "railway": "station", "name": r["name_zh"], "name:zh": r["name_zh"], "name:en": r["name_en"],
            "addr:country": "CN", "timezone": "Asia/Shanghai",
            "source:timezone": "IANA tz database (zone1970.tab): China is one zone, Asia/Shanghai (Beijing Time)",
            "source": "OpenStreetMap via OpenQGIS/OMap-GeoDB Railway-station_oData (ODbL), "
                      "data/eurasia/sources/china/stations.csv",
            "source:name:en": "pinyin romanisation of the Chinese name (the source has Chinese names only)"},
            r["name_en"])
        return n

    def straight_link(self, a, z, profile, why, limit_m=None, extra=None, through=None):
        """A straight way between two nodes that the sources do not connect but that really meet (a line stopping
        short of its station): marked schematic, its length the straight line (through the node through, when given:
        a border point), logged with its reason."""
        pts = [a] + ([through] if through else []) + [z]
        d = sum(cb.haversine_km(p.lat, p.lon, q.lat, q.lon) for p, q in zip(pts, pts[1:])) * 1000
        assert d <= (limit_m or END_GAP_M), (a.label, z.label, d)
        tags = {"railway": "rail", "bogie:schematic": "yes"}
        tags.update(PROFILES[profile])
        tags.update(extra or {})
        tags["note"] = "straight link: " + why + "; length the straight line (%.0f m), not from km posts" % d
        tags.setdefault("name:en", tags["name"])
        self.b.ways.append(cb.Way(pts, tags, profile))
        self.straight_links.add(id(self.b.ways[-1]))
        self.log.append("join: %s - %s by a straight link of %.0f m: %s" % (a.label, z.label, d, why))

    def add_china(self):
        with open(JINGHA_JSON, encoding="utf-8") as f:
            parts = json.load(f)["features"][0]["geometry"]["coordinates"]
        rows = {r["name_zh"]: r for r in read_csv(CHINA_STATIONS)}
        # Beijing -> Qinhuangdao (part 2, reversed), the Qinhuangdao link (part 3), Qinhuangdao -> Shenyang North
        # (part 7, reversed): one track of the double-track line; parts 0 and 5 are the other track.
        whole = self.chain(parts, [(2, True), (3, False), (7, True)], "京哈铁路")
        k = whole.index((parts[7][-1][1], parts[7][-1][0]))  # where part 7 (the Qinhuangdao-Shenyang line) begins
        jingqin, qinshen = whole[:k + 1], whole[k:]
        beijing = self.china_station(rows.pop("北京"))
        north = self.china_station(rows.pop("沈阳北"))
        shenyang = self.china_station(rows.pop("沈阳"))
        start = cb.Node(*jingqin[0], label="京哈铁路 Beijing end")
        qhd = cb.Node(*qinshen[0], label="京哈铁路 Qinhuangdao link end")
        end = cb.Node(*qinshen[-1], label="京哈铁路 Shenyang end")
        self.join_nodes.update({id(start), id(qhd), id(end)})
        self.straight_link(beijing, start, "jingqin", "the trace of 京哈铁路 ends in the station throat %.0f m east "
                           "of the 北京 station point" % (cb.haversine_km(beijing.lat, beijing.lon, *jingqin[0]) * 1000))
        for trace, a, z, profile in ((jingqin, start, qhd, "jingqin"), (qinshen, qhd, end, "qinshen")):
            cuts = [(a, ("v", 0))] + self.line_stations(trace, rows) + [(z, ("v", len(trace) - 1))]
            for piece in self.b.split_trace(trace, cuts, profile):
                self.real_way(piece, profile, JINGHA_SOURCE)
        # Shenyang North -> Harbin: pieces 8 and 12, end to end.
        sh = self.chain(parts, [(8, False), (12, False)], "京哈铁路")
        self.harbin = self.china_station(rows.pop("哈尔滨"))
        cuts = [(north, self.end_station(north, sh, 0, "京哈铁路 Shenyang North - Harbin"))]
        cuts += self.line_stations(sh, rows)
        cuts.append((self.harbin, self.end_station(self.harbin, sh, -1, "京哈铁路 Shenyang North - Harbin")))
        for piece in self.b.split_trace(sh, cuts, "shenha"):
            self.real_way(piece, "shenha", JINGHA_SOURCE)
        self.straight_link(end, north, "qinshen", "the source's 京哈铁路 has a gap of this length between the end of "
                           "its Qinhuangdao-Shenyang track and Shenyang North station, where the line ends (zh."
                           "wikipedia 秦沈客运专线: 秦皇岛站 to 沈阳北站)")
        self.straight_link(north, shenyang, "shenyang_hub", "Shenyang North and Shenyang are the two main stations of "
                           "the Shenyang junction, linked by its lines (no geometry or km in the sources; the "
                           "straight line is a lower bound)", limit_m=HUB_M)

    def line_stations(self, trace, rows):
        """china/stations.csv stations within CN_ON_LINE_M of trace, placed on it (and taken out of rows)."""
        cands = [(zh, float(r["lat"]), float(r["lon"])) for zh, r in sorted(rows.items())]
        return self.place_stations(trace, cands, CN_ON_LINE_M, lambda zh: self.china_station(rows.pop(zh)))

    def place_stations(self, trace, cands, radius_m, make):
        """The candidates [(key, lat, lon)] that lie within radius_m of trace, away from its two ends: make(key) gives
        each one's station node, placed here on the trace.  Returns the cuts for split_trace."""
        cuts = []
        coarse = trace[::10] + [trace[-1]]
        for key, lat, lon in cands:
            if min(cb.haversine_km(lat, lon, *p) for p in coarse) > 5.0:
                continue
            probe = cb.Node(lat, lon, label=str(key))
            pos, moved = self.place(probe, trace)
            if moved > (radius_m(key) if callable(radius_m) else radius_m) or pos[1] in (0, len(trace) - 1):
                continue
            n = make(key)
            pos, moved = self.place(n, trace)
            n.tags["note:position"] = "the source's station point lies %.0f m from the track" % moved
            cuts.append((n, pos))
        return cuts

    # -- Beijing - Wuhan - Changsha - Nanning - Pingxiang - Dong Dang - Hanoi (Gia Lam) -------------------------------

    def hanoi_station(self, r):
        """A station of a HANOI_LINES row: Chinese or Vietnamese name, English name, zone; its names in the other
        language where HANOI_NAMES has them."""
        vn = r["country"] == "VN"
        key = "name:vi" if vn else "name:zh"
        tags = {"railway": "station", "name": r["name_local"], key: r["name_local"], "name:en": r["name_en"],
                "addr:country": r["country"], "timezone": r["timezone"],
                "source:timezone": VN_TZ_SOURCE if vn else CN_TZ_SOURCE, "source": r["coord_source"]}
        if not vn:
            tags["source:name:en"] = "pinyin romanisation of the Chinese name (the source has Chinese names only)"
        tags.update(HANOI_NAMES.get(r["name_local"], {}))
        return self.station_node(float(r["lat"]), float(r["lon"]), tags, r["name_en"])

    def add_hanoi(self):
        """The schematic lines of HANOI_LINES and K27_LINES through their km posts, and the Liuzhou - Nanning line
        (real, piece 0 of 太原-南宁通道) between them.  A station on two lines is one node; the stations of CN_SHARED
        are the nodes built before (Beijing and Shenyang of 京哈铁路, Qinhuangdao and Shanhaiguan on its track,
        the corridor's Dandong)."""
        gauges = gauge_by_country()
        profiles = dict(HANOI_LINES, **K27_LINES)
        nodes, owner = self.shared_cn_nodes()  # owner: the line whose station node a later line shares
        by_line = {}
        for r in read_csv(SCHEMATIC_STATIONS):
            if r["line"] in profiles:
                by_line.setdefault(r["line"], []).append(r)
        for line in sorted(by_line):
            rs = sorted(by_line[line], key=lambda r: int(r["seq"]))
            for r in rs:
                if r["name_local"] in nodes:
                    self.join_shared(line, owner[r["name_local"]], nodes[r["name_local"]], r)
                else:
                    nodes[r["name_local"]], owner[r["name_local"]] = self.hanoi_station(r), line
            for ra, rz in zip(rs, rs[1:]):
                a, z = nodes[ra["name_local"]], nodes[rz["name_local"]]
                dist = abs(Decimal(rz["km"]) - Decimal(ra["km"]))
                srcs = [ra["km_source"]] + ([rz["km_source"]] if rz["km_source"] != ra["km_source"] else [])
                g = {}
                if line == "Dong Dang-Gia Lam":
                    g = {"gauge": "1435;1000", "source:gauge": DUAL_VN}
                elif "gauge" not in PROFILES[profiles[line]]:
                    g = {"gauge": gauges["CN"][0], "source:gauge": gauges["CN"][1]}
                bend = self.junction_bend(line, ra, a, z, nodes)
                self.schematic_way(a, z, dist, profiles[line], "difference of km posts: %s %s, %s %s; %s" % (
                    ra["name_en"], ra["km"], rz["name_en"], rz["km"], "; ".join(srcs)), g, through=bend)
        self.add_liunan(nodes["柳州"], nodes["南宁"], gauges)

    def shared_cn_nodes(self):
        """The station nodes of CN_SHARED by Chinese name, and the line that built each."""
        nodes = {n.tags["name"]: n for n in self.new_stations if n.tags.get("name") in CN_SHARED}
        nodes["丹东"] = self.node_named("Dandong")
        assert sorted(nodes) == sorted(CN_SHARED), sorted(nodes)
        return nodes, dict(CN_SHARED)

    def join_shared(self, line, owner, n, r):
        """Logs where a schematic line meets a station node built before: its row's point must lie within
        CN_ON_LINE_M of the node (a node placed on a real track was moved there from the station point)."""
        d = cb.haversine_km(n.lat, n.lon, float(r["lat"]), float(r["lon"])) * 1000
        assert d <= CN_ON_LINE_M, (line, r["name_local"], d)
        placed = "its node on the track lies %.0f m from the station point; " % d if d >= 0.5 else ""
        self.log.append("join: %s meets %s at %s station, which both serve (%sthe same node, 0 m)" % (
            line, owner, r["name_en"], placed))

    def junction_bend(self, line, ra, a, z, nodes):
        """The bend node of the way a -> z of line where JUNCTION_BENDS lists a (else None): JUNCTION_SHAPE_KM from a,
        at most JUNCTION_LEAVE_DEG from the heading of a train arriving at a from the station listed."""
        spec = JUNCTION_BENDS.get((line, ra["name_local"]))
        if spec is None:
            return None
        frm = nodes[spec[0]]
        heading = cb.bearing_deg(frm.lat, frm.lon, a.lat, a.lon)
        chord = cb.bearing_deg(a.lat, a.lon, z.lat, z.lon)
        turn = (chord - heading + 540.0) % 360.0 - 180.0
        leave = (heading + max(-JUNCTION_LEAVE_DEG, min(JUNCTION_LEAVE_DEG, turn))) % 360.0
        bend = self.point_from(a, leave, JUNCTION_SHAPE_KM, "%s bend" % line)
        self.log.append("shape: %s leaves %s at %.1f degrees for %.1f km, then bends to its chord (%.1f degrees): "
                        "%.1f degrees from the heading of a train from %s; %s (assumed: no junction layout in the "
                        "sources)" % (line, ra["name_en"], leave, JUNCTION_SHAPE_KM, chord,
                                      (leave - heading + 540.0) % 360.0 - 180.0, frm.tags["name:en"], spec[1]))
        return bend

    def add_liunan(self, liuzhou, nanning, gauges):
        """Liuzhou - Nanning: piece 0 of 太原-南宁通道 (Nanning to Liuzhou, 223.5 km), its stations placed on it."""
        with open(LIUNAN_JSON, encoding="utf-8") as f:
            parts = json.load(f)["features"][0]["geometry"]["coordinates"]
        trace = [(c[1], c[0]) for c in parts[0][::-1]]
        rows = {r["name_zh"]: r for r in read_csv(CHINA_STATIONS) if r["name_zh"] in LIUNAN_STATIONS}
        what = "太原-南宁通道 piece 0 (Liuzhou - Nanning, between the schematic lines of 湘桂铁路)"
        cuts = [(liuzhou, self.end_station(liuzhou, trace, 0, what))]
        cuts += self.line_stations(trace, rows)
        assert not rows, "not on the Liuzhou-Nanning line: %r" % sorted(rows)
        cuts.append((nanning, self.end_station(nanning, trace, -1, what)))
        for piece in self.b.split_trace(trace, cuts, "liunan"):
            self.real_way(piece, "liunan", LIUNAN_SOURCE, {"gauge": gauges["CN"][0], "source:gauge": gauges["CN"][1]})

    # -- Ukraine: Kyiv - Lviv - Mostyska - Przemysl, Lviv - Chop - Zahony, Kovel - Yahodyn ---------------------------

    def ua_station(self, r):
        local = r["name_local"] or r["official_name"]
        country, zone, key = UA_FOREIGN.get(local, ("UA", "Europe/Kyiv", "name:uk"))
        tags = {"railway": "station" if r["type"] == "station" else "halt", "name": local, key: local,
                "addr:country": country, "timezone": zone,
                "source:timezone": "IANA tz database (zone1970.tab): one zone for the country, " + zone,
                "source": "OpenStreetMap via hermano-us/rail-ukraine-pulse (ODbL), data/eurasia/sources/ukraine/"
                          "stations.csv"}
        for col, k in (("name_uk", "name:uk"), ("name_ru", "name:ru"), ("name_en", "name:en"), ("name_pl", "name:pl"),
                       ("name_hu", "name:hu")):
            if r[col]:
                tags.setdefault(k, r[col])
        if r["official_name"] != local:
            tags.setdefault("official_name", r["official_name"])
        for k, v in UA_NAMES.get(local, {}).items():
            tags.setdefault(k, v)
            tags["source:" + k] = "romanised here (UA_NAMES): the source has the Ukrainian name only"
        tags.setdefault("name:en", local)
        if tags["name:en"] == local and key == "name:uk":
            tags["source:name:en"] = "the source has no English name: the Ukrainian name"
        return self.station_node(float(r["lat"]), float(r["lon"]), tags, tags["name:en"])

    def add_ukraine(self):
        with open(UKRAINE_LINES, encoding="utf-8") as f:
            chains = json.load(f)["features"]
        rows = {r["station_id"]: r for r in read_csv(UKRAINE_STATIONS)}
        first = len(self.b.ways)
        rounded = {k for k, r in rows.items() if len(r["lat"].rstrip("0").split(".")[1]) <= 4}
        radius = lambda k: UA_ROUNDED_M if k in rounded else UA_STATION_M
        ends = {}
        degree = {}
        for f in chains:
            for i in (0, -1):
                degree[tuple(f["geometry"]["coordinates"][i])] = degree.get(tuple(f["geometry"]["coordinates"][i]), 0) + 1
        ends.update(self.ua_junction_stations(rows, degree))
        for c in sorted({tuple(f["geometry"]["coordinates"][i]) for f in chains for i in (0, -1)} - set(ends)):
            lat, lon = c[1], c[0]
            best = min(sorted(rows), key=lambda k: cb.haversine_km(lat, lon, float(rows[k]["lat"]), float(rows[k]["lon"])))
            d = cb.haversine_km(lat, lon, float(rows[best]["lat"]), float(rows[best]["lon"])) * 1000
            same = self.przemysl if rows[best]["name_local"] == self.przemysl.tags["name"] else None
            if same is not None and cb.haversine_km(lat, lon, same.lat, same.lon) * 1000 <= SAME_STATION_M:
                rows.pop(best)
                for k, v in (("name:uk", "Перемишль Головний"), ("name:ru", "Пшемысль-Главный")):
                    same.tags.setdefault(k, v)
                self.log.append("join: the Ukrainian line from Mostyska II ends at Przemyśl Główny station, %.1f m "
                                "from the PLRailMap node of the same station, which both lines share" % (cb.haversine_km(lat, lon, same.lat,
                                                                                           same.lon) * 1000))
                n = same
            elif d <= radius(best):
                n = self.ua_station(rows.pop(best))
                n.lat, n.lon = lat, lon
                n.tags["note:position"] = "the source's station point lies %.0f m from the track's end" % d
            else:
                n = cb.Node(lat, lon, label="Ukraine junction %.5f,%.5f" % (lat, lon))
                self.join_nodes.add(id(n))
            ends[c] = n
        self.log.append("join: the Ukrainian segments overlap and repeat each other's vertices: they are made one "
                        "track by data/eurasia/cut_ukraine.py (one edge per distinct pair of vertices), and its %d "
                        "chains meet at their shared end vertices (the same coordinate, 0 m)" % len(chains))
        for f in chains:
            coords = f["geometry"]["coordinates"]
            trace = [(c[1], c[0]) for c in coords]
            cuts = [(ends[tuple(coords[0])], ("v", 0))]
            cuts += self.place_stations(trace, [(k, float(r["lat"]), float(r["lon"])) for k, r in sorted(rows.items())],
                                        radius, lambda k: self.ua_station(rows.pop(k)))
            cuts.append((ends[tuple(coords[-1])], ("v", len(trace) - 1)))
            g = f["properties"]["gauge"]
            src = ("OSM gauge tags of the source's overlapping segments; ambiguous there (every segment on this "
                   "stretch lists several gauges): the one all lists share that fits most trains, assumed"
                   if f["properties"]["gauge_ambiguous"] else "OSM gauge tag of the source's segments")
            for piece in self.b.split_trace(trace, cuts, "ukraine"):
                self.real_way(piece, "ukraine", UKRAINE_SOURCE, {"gauge": g, "source:gauge": src})
        self.ua_dual_to_stations(first)

    def ua_junction_stations(self, rows, degree):
        """The stations of UA_AT_JUNCTION, each put at the nearest chain end where two or more chains meet (degree:
        how many chain ends each end coordinate is), taken out of rows. Returns {end coordinate: station node}."""
        out = {}
        for key in sorted(k for k, r in rows.items() if r["name_local"] in UA_AT_JUNCTION):
            r = rows[key]
            lat, lon = float(r["lat"]), float(r["lon"])
            c = min((c for c, k in degree.items() if k >= 2 and c not in out),
                    key=lambda c: (cb.haversine_km(lat, lon, c[1], c[0]), c))
            d = cb.haversine_km(lat, lon, c[1], c[0]) * 1000
            assert d <= UA_ROUNDED_M, (r["name_local"], d)
            n = self.ua_station(rows.pop(key))
            n.lat, n.lon = c[1], c[0]
            n.tags["note:position"] = UA_AT_JUNCTION[r["name_local"]]
            self.log.append("place: %s is the junction of %d Ukrainian chains, %.0f m from its source point: %s" % (
                n.label, degree[c], d, UA_AT_JUNCTION[r["name_local"]]))
            out[c] = n
        return out

    def ua_dual_to_stations(self, first):
        """Known exceptions: where the source's dual-gauge track stops just short of a gauge-change station, the
        1520 mm piece between its end and the station is dual gauge too (UA_DUAL_TO)."""
        ways = self.b.ways[first:]
        dual_ends = {id(n) for w in ways if w.tags["gauge"] == "1435;1520" for n in (w.nodes[0], w.nodes[-1])}
        for w in ways:
            a, z = w.nodes[0], w.nodes[-1]
            for st, other in ((a, z), (z, a)):
                why = UA_DUAL_TO.get(st.tags.get("name"))
                if why and w.tags["gauge"] == "1520" and id(other) in dual_ends:
                    w.tags["gauge"], w.tags["source:gauge"] = "1435;1520", why
                    self.log.append("gauge: %s - %s (%.0f m) set to 1435;1520: %s" % (
                        other.label, st.label, cb.way_length_km(w) * 1000, why))

    def add_dorohusk(self):
        """Yahodyn - the border - Dorohusk: a straight link through the border point, dual gauge (DOROHUSK_GAUGE), to
        the Polish border station, which PLRailMap has (data/eurasia/sources/poland/stations.csv) but not its
        track."""
        yahodyn = next(n for n in self.new_stations if n.tags.get("name") == "Ягодин")
        row = next(r for r in read_csv(POLAND_STATIONS) if r["name"] == "Dorohusk")
        dorohusk = self.pl_station(row, {"name:uk": "Дорогуськ", "name:ru": "Дорогуск"})
        dorohusk.tags["source:name:uk"] = "uk: Дорогуськ (volynpost.com, cfts.org.ua); ru: Дорогуск, assumed"
        border = cb.Node(*DOROHUSK_BORDER, label="border Yahodyn - Dorohusk")
        extra = {"gauge": "1435;1520", "source:gauge": DOROHUSK_GAUGE, "name": "Ягодин — Дорогуськ",
                 "name:uk": "Ягодин — Дорогуськ", "name:pl": "Jagodzin — Dorohusk", "name:en": "Yahodyn-Dorohusk"}
        self.straight_link(yahodyn, dorohusk, "ukraine", DOROHUSK_WHY + "; through the border point",
                           limit_m=BORDER_LINK_M, extra=extra, through=border)

    # -- Moscow - Orsha - Minsk - Brest - Terespol - Warsaw -------------------------------------------------------

    def end_station(self, node, trace, at, what):
        """Puts a station on the first (at=0) or last (at=-1) point of trace when it lies within JOIN_M of it."""
        p = trace[at]
        d = cb.haversine_km(node.lat, node.lon, *p) * 1000
        assert d <= JOIN_M, (node.label, what, d)
        node.lat, node.lon = p
        if d >= 0.05:
            node.tags["note:geometry"] = "placed on the end of the OSM-derived track: %.1f m from the source " \
                                         "coordinate" % d
        self.log.append("join: %s ends at %s station (%.1f m from its source coordinate; placed there)" % (what,
                        node.label, d))
        return ("v", 0 if at == 0 else len(trace) - 1)

    def by_station(self, r):
        tags = {"railway": "station", "addr:country": "BY", "timezone": "Europe/Minsk",
                "source:timezone": "IANA tz database (zone1970.tab): Belarus is one zone, Europe/Minsk",
                "source": "OpenStreetMap via trolleway/geodata belarus-railways.gpkg (ODbL), data/eurasia/sources/"
                          "belarus/stations.csv"}
        for col, key in (("name", "name"), ("name_be", "name:be"), ("name_ru", "name:ru"), ("name_en", "name:en"),
                         ("name_pl", "name:pl"), ("name_uk", "name:uk"), ("name_zh", "name:zh"), ("name_lt", "name:lt"),
                         ("alt_name", "alt_name"), ("uic_ref", "uic_ref")):
            if r[col]:
                tags[key] = r[col]
        if "name:en" not in tags:
            tags["name:en"] = BY_NAME_EN.get(r["name_ru"] or r["name"], r["name_ru"] or r["name"])
            tags["source:name:en"] = ("romanised here (the source has no English name)" if tags["name:en"] !=
                                      (r["name_ru"] or r["name"]) else "the source has no English name: Russian name")
        return self.station_node(float(r["lat"]), float(r["lon"]), tags, tags["name:en"])

    def pl_station(self, r, extra_names=None):
        tags = {"railway": "station", "name": r["name"], "name:pl": r["name_pl"] or r["name"], "addr:country": "PL",
                "name:en": r["name"], "timezone": "Europe/Warsaw", "railway:ref": r["ref"],
                "source:timezone": "IANA tz database (zone1970.tab): Poland is one zone, Europe/Warsaw",
                "source": "PLRailMap (CC0), data/eurasia/sources/poland/stations.csv"}
        for col, key in (("name_uk", "name:uk"), ("name_ru", "name:ru")):
            if r[col]:
                tags[key] = r[col]
        tags.update(extra_names or {})
        return self.station_node(float(r["lat"]), float(r["lon"]), tags, r["name"])

    def add_europe(self):
        gauges = gauge_by_country()
        by_rows = read_csv(BELARUS_STATIONS)
        pl_rows = {r["name"]: r for r in read_csv(POLAND_STATIONS)}
        orsha_row = next(r for r in by_rows if r["name_en"] == "Orsha-Central")
        brest_row = next(r for r in by_rows if r["name_en"] == "Brest Central")
        terespol_by = next(r for r in by_rows if r["name_pl"] == "Terespol")
        # Moscow (Belorussky) - Smolensk - Orsha: the MSK-Orsha trace.
        mo = load_trace(MSK_ORSHA)
        belorussky = self.station_node(mo[0][0], mo[0][1], {
            "railway": "station", "name": "Москва-Белорусская", "name:ru": "Москва-Белорусская",
            "name:en": "Moscow Belorussky", "addr:country": "RU", "timezone": "Europe/Moscow",
            "source:timezone": TZ_SOURCE % "Moscow",
            "source": "first point of the MSK-Orsha trace (data/eurasia/sources/russia-border-lines), which starts at "
                      "Moscow Belorussky station: no station coordinate in the sources"}, "Moscow Belorussky")
        self.log.append("join: MSK-Orsha starts at Moscow Belorussky station node, put on its first point (0 m)")
        orsha = self.by_station(orsha_row)
        ru = [r for r in read_csv(RUSSIA_STATIONS)]
        ru_cands = [(k, float(r["lat"]), float(r["lon"])) for k, r in enumerate(ru)]
        cuts = [(belorussky, ("v", 0))]
        cuts += self.place_stations(mo, ru_cands, ON_TRACE_M, lambda k: self.ru_station(ru[k], "Europe/Moscow"))
        by_of = {r["fid"]: r for r in by_rows}
        east = [(r["fid"], float(r["lat"]), float(r["lon"])) for r in by_rows if float(r["lon"]) > orsha.lon + 0.01]
        placed_east = self.place_stations(mo, east, STATION_BY_M, lambda f: self.by_station(by_of[f]))
        cuts += placed_east
        cuts.append((orsha, self.end_station(orsha, mo, -1, "MSK-Orsha")))
        vyazma = next(n for n, _ in cuts if n.tags.get("name:en") == "Vyazma")
        ac = False  # 25 kV from Vyazma on
        for piece in self.b.split_trace(mo, cuts, "msk-orsha"):
            ac = ac or piece[0] is vyazma
            self.real_way(piece, "moscow_brest", BROUTER_SOURCE % ("MSK-Orsha", "russia-border-lines"),
                          dict({"gauge": gauges["RU"][0], "source:gauge": gauges["RU"][1]},
                               **(WIRES_VYAZMA_BREST if ac else WIRES_MOSCOW_VYAZMA)))
        # Orsha - Minsk - Brest - Terespol: the Smolensk-Terespol trace from Orsha on (its first part, Smolensk -
        # Orsha, runs on the same track as the MSK-Orsha trace, which is used instead).
        st = load_trace(SMOLENSK_TERESPOL)
        pos, moved = self.place(orsha, st)
        assert moved <= JOIN_M, (moved, pos)
        overlap = sum(cb.haversine_km(*st[i], *st[i + 1]) for i in range(pos[1]))
        self.log.append("join: Smolensk-Terespol meets MSK-Orsha at Orsha-Central station, where MSK-Orsha ends; the "
                        "station node is put on this trace, %.1f m from the end of MSK-Orsha" % moved)
        self.log.append("cut: Smolensk-Terespol vertices 0-%d (%.1f km east of Orsha) not used: the "
                        "MSK-Orsha trace covers that stretch too, and it is used instead" % (pos[1], overlap))
        st = [(orsha.lat, orsha.lon)] + st[pos[1] + 1:] if pos[0] == "p" else st[pos[1]:]
        pl_terespol = pl_rows.pop("Terespol")
        terespol = self.pl_station(pl_terespol, {"name:be": terespol_by["name_be"] or terespol_by["name"],
                                                 "name:ru": terespol_by["name_ru"]} if terespol_by["name_ru"] else
                                   {"name:be": terespol_by["name_be"] or terespol_by["name"]})
        skip = {orsha_row["fid"], terespol_by["fid"]}
        by_cands = [(r["fid"], float(r["lat"]), float(r["lon"])) for r in by_rows if r["fid"] not in skip and
                    float(r["lon"]) <= orsha.lon + 0.01]
        cuts = [(orsha, ("v", 0))]
        cuts += self.place_stations(st, by_cands, STATION_BY_M, lambda f: self.by_station(by_of[f]))
        cuts.append((terespol, self.end_station(terespol, st, -1, "Smolensk-Terespol")))
        brest = next(n for n, _ in cuts if n.tags.get("name:en") == brest_row["name_en"])
        dual = False
        for piece in self.b.split_trace(st, cuts, "smolensk-terespol"):
            dual = dual or piece[0] is brest
            g = {"gauge": "1435;1520", "source:gauge": DUAL_BREST} if dual else \
                {"gauge": gauges["BY"][0], "source:gauge": gauges["BY"][1]}
            self.real_way(piece, "moscow_brest", BROUTER_SOURCE % ("Smolensk-Terespol", "belarus"),
                          dict(g, **(WIRES_UNTAGGED if dual else WIRES_VYAZMA_BREST)))
        # Terespol - Warszawa Centralna - Przemyśl Główny: the PLRailMap paths, which meet only at Warszawa Centralna
        # and so make one chain.
        with open(POLAND_LINES, encoding="utf-8") as f:
            feats = json.load(f)["features"]
        assert len(feats) == 1, "poland/lines.geojson: expected the one chain Przemyśl - Warszawa - Terespol"
        pw = [(c[1], c[0]) for c in feats[0]["geometry"]["coordinates"]]
        if cb.haversine_km(*pw[0], terespol.lat, terespol.lon) > cb.haversine_km(*pw[-1], terespol.lat, terespol.lon):
            pw.reverse()
        assert cb.haversine_km(*pw[0], terespol.lat, terespol.lon) < 0.01
        self.przemysl = self.pl_station(pl_rows.pop("Przemyśl Główny"))
        self.przemysl.tags.update({"alt_name:ru": "Перемышль", "source:alt_name:ru": (
            "the city's traditional Russian name: Словарь современных географических названий (2006), via "
            "dic.academic.ru: Пшемысль (Przemyśl), русское название Перемышль")})
        cuts = [(terespol, ("v", 0))]
        cuts += self.place_stations(pw, [(k, float(r["lat"]), float(r["lon"])) for k, r in sorted(pl_rows.items())],
                                    JOIN_M, lambda k: self.pl_station(pl_rows[k]))
        cuts.append((self.przemysl, self.end_station(self.przemysl, pw, -1, "Terespol-Warszawa-Przemyśl")))
        self.log.append("join: the PLRailMap line starts at Terespol station, where Smolensk-Terespol ends (%.1f m)" %
                        (cb.haversine_km(*pw[0], terespol.lat, terespol.lon) * 1000))
        broad = True  # Terespol - Malaszewicze: the broad-gauge track into the Malaszewicze yards
        line2 = True  # Terespol - Warszawa Centralna: line 2
        for piece in self.b.split_trace(pw, cuts, "terespol-warszawa-przemysl"):
            g = {"gauge": "1435;1520", "source:gauge": DUAL_MALASZEWICZE} if broad else \
                {"gauge": gauges["PL"][0], "source:gauge": gauges["PL"][1]}
            line2 = line2 and piece[0].tags.get("name") != "Warszawa Centralna"
            self.real_way(piece, "warszawa_terespol", PLRAILMAP_SOURCE, dict(g, **(WIRES_PL_LINE2 if line2 else
                                                                                    WIRES_UNTAGGED)))
            broad = broad and not piece[-1].tags.get("name", "").startswith("Małaszewicze")
        self.straight_link(self.sch_nodes["Moscow Yaroslavsky"], belorussky, "moscow_brest",
                           "Moscow Yaroslavsky and Moscow Belorussky, two termini of the Moscow junction, linked by "
                           "its lines (no geometry or km in the sources; the straight line is a lower bound)",
                           limit_m=HUB_M, extra=dict({"gauge": gauges["RU"][0], "source:gauge": gauges["RU"][1]},
                                                     **WIRES_UNTAGGED))

    def ru_station(self, r, zone):
        return self.station_node(float(r["lat"]), float(r["lon"]), {
            "railway": "station", "name": r["name_ru"], "name:ru": r["name_ru"], "name:en": r["name_en"],
            "addr:country": "RU", "timezone": zone, "source:timezone": TZ_SOURCE % "Moscow area",
            "source": "data/corridor/sources/russia-stations.csv (trolleway/russian-railways-simplegeodata stations "
                      "layer)"}, r["name_en"])

    # -- elevations -------------------------------------------------------------------------------------------

    def add_elevations(self):
        """ele=* on every node of a real way that lies on a BRouter trace vertex (the trace's third coordinate, from
        BRouter's terrain model), and on nodes placed between two such vertices (stations projected onto a trace),
        interpolated by distance between the nearest neighbours with one.  Schematic ways get none: their grades
        are unknown, and bogie takes them as flat."""
        ele = {}
        for path in ELEVATION_TRACES:
            with open(path, encoding="utf-8") as f:
                for c in json.load(f)["features"][0]["geometry"]["coordinates"]:
                    ele.setdefault((c[1], c[0]), c[2])
        real = [w for w in self.b.ways if "distance" not in w.tags and id(w) not in self.straight_links]
        known = {}
        for w in real:
            for n in w.nodes:
                if (n.lat, n.lon) in ele:
                    known[id(n)] = ele[(n.lat, n.lon)]
        near = {}  # node -> [(metres, ele)] of its known neighbours along real ways
        for w in real:
            for i, n in enumerate(w.nodes):
                if id(n) in known:
                    continue
                for j in (i - 1, i + 1):
                    if 0 <= j < len(w.nodes) and id(w.nodes[j]) in known:
                        m = w.nodes[j]
                        near.setdefault(id(n), (n, []))[1].append(
                            (cb.haversine_km(n.lat, n.lon, m.lat, m.lon) * 1000, known[id(m)]))
        for n, nb in near.values():
            nb.sort()
            if len(nb) >= 2:
                (d1, e1), (d2, e2) = nb[0], nb[1]
                known[id(n)] = (e1 * d2 + e2 * d1) / (d1 + d2) if d1 + d2 > 0 else e1
        count = 0
        for w in real:
            for n in w.nodes:
                if id(n) in known and "ele" not in n.tags:
                    n.tags["ele"] = ("%.2f" % known[id(n)]).rstrip("0").rstrip(".")
                    count += 1
        self.log.append("elevations: ele=* on %d nodes of the real ways on the BRouter traces (their third "
                        "coordinate; nodes between two trace vertices interpolated by distance)" % count)

    # -- the Russian Far East: Ledyanaya - Uglegorsk (Tsiolkovsky), Volochayevka - Komsomolsk-on-Amur ----------

    def add_fareast(self):
        """The schematic branches of the Trans-Siberian that the 2023 tour took (FAREAST_LINES): ways through the
        stations of schematic-stations.csv, their lengths the differences of km posts, each starting at the station
        of the real trace where it leaves the Trans-Siberian, its first piece bent to leave it at a bearing trains
        can take (FAREAST_LEAVE); and the curve from the Komsomolsk line towards Khabarovsk."""
        gauges = gauge_by_country()
        rows = read_csv(SCHEMATIC_STATIONS)
        for line in sorted(FAREAST_LINES):
            rs = sorted((r for r in rows if r["line"] == line), key=lambda r: int(r["seq"]))
            nodes = [self.fareast_junction(rs[0], line)] + [self.fareast_station(r) for r in rs[1:]]
            profile = FAREAST_LINES[line]
            extra = {} if "gauge" in PROFILES[profile] else {"gauge": gauges["RU"][0], "source:gauge": gauges["RU"][1]}
            for k, ((ra, a), (rz, z)) in enumerate(zip(zip(rs, nodes), zip(rs[1:], nodes[1:]))):
                dist = Decimal(rz["km"]) - Decimal(ra["km"])
                self.schematic_way(a, z, dist, profile, "difference of km posts: %s %s, %s %s; %s" % (
                    ra["name_en"], ra["km"], rz["name_en"], rz["km"], rz["km_source"]), extra)
                if k == 0:
                    w = self.b.ways[-1]
                    w.nodes.insert(1, self.fareast_bend(a, z, line, FAREAST_LEAVE[line]))
                    assert cb.way_length_km(w) < float(dist), (line, cb.way_length_km(w), dist)
                    w.tags["note:geometry"] = ("schematic: its first %.1f km leave the Trans-Siberian within %.0f "
                                               "degrees of the trace's bearing (assumed: the junction's layout is not "
                                               "in the sources)" % (FAREAST_SHAPE_KM, FAREAST_LEAVE_DEG))
                    if line == "Volochayevka-Komsomolsk":
                        self.fareast_khabarovsk_curve(a, w.nodes[1], z, line, extra)

    def fareast_station(self, r):
        """A station of a FAREAST_LINES row, its names, zone and sources from the row (and FAREAST_NAMES)."""
        tags = {"railway": "station", "name": r["name_local"], "name:ru": r["name_local"], "name:en": r["name_en"],
                "addr:country": r["country"], "timezone": r["timezone"], "source": r["coord_source"],
                "source:timezone": TZ_SOURCE % r["region"]}
        tags.update(FAREAST_NAMES.get(r["name_en"], {}))
        return self.station_node(float(r["lat"]), float(r["lon"]), tags, r["name_en"])

    def trace_way_at(self, j, side):
        """The real Trans-Siberian way (this script's, or the corridor's Ussuriysk - Vladivostok) that leaves node j
        eastward (its first node) or westward (its last)."""
        return next(w for w in self.b.ways if w.profile in ("transsib_trace", "transsib") and
                    (w.nodes[0] if side == "east" else w.nodes[-1]) is j)

    def trace_bearing(self, j, side):
        """The trace's bearing at node j towards side: to its first vertex 300 m or more away that way."""
        w = self.trace_way_at(j, side)
        seq = w.nodes[1:] if side == "east" else w.nodes[-2::-1]
        far = next((n for n in seq if cb.haversine_km(j.lat, j.lon, n.lat, n.lon) >= 0.3), seq[-1])
        return cb.bearing_deg(j.lat, j.lon, far.lat, far.lon)

    @staticmethod
    def point_from(n, bearing, km, label):
        """A new node km from node n on the given bearing (degrees), on the sphere."""
        b, d = math.radians(bearing), km / 6371.0088
        la1, lo1 = math.radians(n.lat), math.radians(n.lon)
        la2 = math.asin(math.sin(la1) * math.cos(d) + math.cos(la1) * math.sin(d) * math.cos(b))
        lo2 = lo1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(la1), math.cos(d) - math.sin(la1) * math.sin(la2))
        return cb.Node(round(math.degrees(la2), 7), round(math.degrees(lo2), 7), label=label)

    def fareast_bend(self, j, target, line, side):
        """The point FAREAST_SHAPE_KM from junction j where line's first piece bends towards target: on a bearing
        within FAREAST_LEAVE_DEG of the trace's bearing at j towards side, turned towards target."""
        b_trace = self.trace_bearing(j, side)
        chord = cb.bearing_deg(j.lat, j.lon, target.lat, target.lon)
        diff = (chord - b_trace + 540) % 360 - 180
        b = b_trace + max(-FAREAST_LEAVE_DEG, min(FAREAST_LEAVE_DEG, diff))
        self.log.append("shape: %s leaves %s at bearing %.1f (the trace's bearing there towards the %s %.1f, the "
                        "chord's to %s %.1f) for %.1f km (FAREAST_LEAVE_DEG, FAREAST_SHAPE_KM: assumed)" % (
                            line, j.label, b % 360, side, b_trace, target.label, chord, FAREAST_SHAPE_KM))
        return self.point_from(j, b % 360, FAREAST_SHAPE_KM, "%s bend" % line)

    def split_trace_way(self, w, i):
        """Splits real way w at its inner node i into two ways, the second inserted after it; returns the node."""
        k = next(x for x, y in enumerate(self.b.ways) if y is w)
        self.b.ways.insert(k + 1, cb.Way(w.nodes[i:], w.tags, w.profile))
        n = w.nodes[i]
        w.nodes = w.nodes[:i + 1]
        return n

    def fareast_khabarovsk_curve(self, vol, bend, koms, line, extra):
        """The curve from the Komsomolsk line's bend to the trace FAREAST_CURVE_EAST_KM east of Volochayevka I
        (FAREAST_CURVE_EAST_KM says why): a straight link through one bend, leaving the line's bend within 30
        degrees of the line's own bearing from Komsomolsk, and meeting the trace within 30 degrees of its bearing."""
        w = self.trace_way_at(vol, "east")
        run, i = 0.0, 0
        while run < FAREAST_CURVE_EAST_KM and i + 2 < len(w.nodes):
            i += 1
            run += cb.haversine_km(w.nodes[i - 1].lat, w.nodes[i - 1].lon, w.nodes[i].lat, w.nodes[i].lon)
        meet = self.split_trace_way(w, i)
        meet.label = "Volochayevka curve junction"
        self.join_nodes.update({id(meet), id(bend)})
        heading = cb.bearing_deg(koms.lat, koms.lon, bend.lat, bend.lon)  # of a train from Komsomolsk at the bend
        to_meet = cb.bearing_deg(bend.lat, bend.lon, meet.lat, meet.lon)
        turn = max(-30.0, min(30.0, (to_meet - heading + 540) % 360 - 180))
        b2 = self.point_from(bend, (heading + turn) % 360, FAREAST_CURVE_BEND_KM, "%s curve bend" % line)
        tags = {"railway": "rail", "bogie:schematic": "yes"}
        tags.update(PROFILES[FAREAST_LINES[line]])
        tags.update(extra)
        curve = cb.Way([bend, b2, meet], tags, FAREAST_LINES[line])
        d = cb.way_length_km(curve) * 1000
        why = ("the curve towards Khabarovsk (periskop.su 2020-10-31: it leaves at Dezhnevka going west), not placed "
               "by the sources: to the trace %.0f m east of Volochayevka I, assumed" % (run * 1000))
        curve.tags["note"] = "straight link: " + why + "; length the polyline (%.0f m), not from km posts" % d
        self.b.ways.append(curve)
        self.straight_links.add(id(curve))
        self.log.append("join: %s - %s by a straight link of %.0f m: %s" % (bend.label, meet.label, d, why))

    def fareast_junction(self, r, line):
        """The station of the Trans-Siberian trace where line begins (row r, its first): the corridor's station of
        that name (Ugolnaya), or the trace's own, or else the trace vertex within JOIN_M of the row's point, made a
        station of the row, the real way through it split there.  Either way the join is logged with its reason."""
        lat, lon = float(r["lat"]), float(r["lon"])
        corridor = [n for n in self.b.stations.values() if n.tags.get("name:en") == r["name_en"]]
        if corridor:  # a station of the corridor's own trace (Ugolnaya): its node, unchanged
            n = corridor[0]
            d = cb.haversine_km(lat, lon, n.lat, n.lon) * 1000
            assert d <= JOIN_M, (line, r["name_en"], d)
            self.log.append("join: %s (schematic) leaves the corridor's Trans-Siberian trace at its %s station node "
                            "(%.1f m from the row's point): %s" % (line, r["name_en"], d, r["km_quote"]))
            return n
        for n in self.new_stations:
            if n.tags.get("name:en") == r["name_en"]:
                d = cb.haversine_km(lat, lon, n.lat, n.lon) * 1000
                assert d <= JOIN_M, (line, r["name_en"], d)
                self.log.append("join: %s (schematic) leaves the Trans-Siberian trace at its %s station node (%.1f m "
                                "from the row's point): %s" % (line, r["name_en"], d, r["km_quote"]))
                return n
        best = None
        for w in self.b.ways[self.corridor_ways:]:
            if w.profile != "transsib_trace":
                continue
            for i in range(1, len(w.nodes) - 1):
                d = cb.haversine_km(lat, lon, w.nodes[i].lat, w.nodes[i].lon) * 1000
                if best is None or d < best[0]:
                    best = (d, w, i)
        d, w, i = best
        assert d <= JOIN_M and set(w.nodes[i].tags) <= {"ele"}, (line, r["name_en"], d)
        n = self.split_trace_way(w, i)
        n.tags.update(self.fareast_station(r).tags)
        self.new_stations.pop()  # the station's tags are given to the trace's own vertex n instead
        self.new_stations.append(n)
        n.label = r["name_en"]
        self.log.append("join: %s (schematic) leaves the Trans-Siberian trace at %s, the trace vertex %.1f m from the "
                        "row's point, which becomes the station node (the real way split there): %s" % (
                            line, r["name_en"], d, r["km_quote"]))
        return n

    def build(self):
        self.add_schematic()
        self.add_transsib()
        self.add_fareast()
        self.add_china()
        self.add_zabaikalsk()
        self.add_europe()
        self.add_ukraine()
        self.add_dorohusk()
        self.add_hanoi()
        self.add_elevations()
        self.b.assign_ids()


def validate(e):
    """Invariants of the added part; the corridor part was checked by the corridor's validate()."""
    b = e.b
    ids = [n.id for n in b.nodes] + [w.id for w in b.ways]
    assert len(set(ids)) == len(ids) and all(i < 0 for i in ids)
    for w in b.ways[e.corridor_ways:]:
        t = w.tags
        schematic = t.get("bogie:schematic") == "yes"
        if id(w) in e.straight_links:
            assert schematic and "distance" not in t and t["note"].startswith("straight link"), t
        else:
            assert schematic == ("distance" in t) == ("source:distance" in t), t
        assert len({id(n) for n in w.nodes}) == len(w.nodes), "a way visits a node twice"
        for n in w.nodes[1:-1]:
            assert set(n.tags) <= {"ele"}, ("a tagged node inside a way", n.label)
        for end in (w.nodes[0], w.nodes[-1]):
            assert end.tags.get("railway") in ("station", "halt") or id(end) in e.join_nodes, end.label
    stations = [n for n in b.nodes if n.tags.get("railway") in ("station", "halt")]
    for n in stations:
        assert n.tags["name"] and n.tags["name:en"] and n.tags["source"], n.label
    for i, a in enumerate(stations):
        for z in stations[i + 1:]:
            if a.tags["name"] == z.tags["name"]:
                assert cb.haversine_km(a.lat, a.lon, z.lat, z.lon) * 1000 >= 50, ("duplicate station", a.label)
    for n in e.new_stations:
        assert n.tags.get("timezone"), n.label


def write(e):
    text = cb.write_osm(e.b)
    head, body = text.split("-->\n", 1)
    lead = head.split("<!--")[0]
    comment = "\n".join([
        "<!--",
        "  bogie eurasia railway network: the seed corridor (data/corridor, unchanged) and the Trans-Siberian",
        "  Railway Moscow - Ekaterinburg - Ussuriysk.  Generated by data/eurasia/build.py; do not edit.",
        "",
        "  Track geometry of ways without bogie:schematic=yes is derived from OpenStreetMap:",
        "    " + cb.ODBL + " - https://www.openstreetmap.org/copyright",
        "    traced with BRouter by trolleway/russian-railways-simplegeodata.",
        "  This file, as a database containing it, is available under the ODbL 1.0.",
        "  Schematic ways are straight lines between stations; their lengths are in distance=* (km, from km posts).",
        "  Provenance and conventions: docs/networks.md, " + NOTES + ", data/README.md",
        "-->", ""])
    body = body.replace('generator="bogie data/corridor/build.py"', 'generator="bogie data/eurasia/build.py"', 1)
    return lead + comment + body


def report(e):
    b = e.b
    geo = sum(cb.way_length_km(w) for w in b.ways if "distance" not in w.tags)
    sch = sum(Decimal(w.tags["distance"]) for w in b.ways if "distance" in w.tags)
    lines = ["== Totals: %d nodes (%d stations), %d ways; %.1f km real geometry, %s km schematic" % (
        len(b.nodes), sum(1 for n in b.nodes if n.tags.get("railway") == "station"), len(b.ways), geo, sch)]
    return "\n".join(lines + e.log) + "\n"


def save(path, text):
    """Writes text to path through a temporary file renamed into place ('-' is standard output)."""
    if path == "-":
        sys.stdout.write(text)
        return
    with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output file ('-' for standard output)")
    ap.add_argument("--log", help="write the build log (every join and cut, with its reason) to this file")
    ap.add_argument("--report", action="store_true", help="print the totals and the build log (to standard error)")
    args = ap.parse_args(argv)
    e = Eurasia()
    e.build()
    validate(e)
    save(args.out, write(e))
    if args.log:
        save(args.log, "\n".join(e.log) + "\n")
    if args.report:
        sys.stderr.write(report(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
