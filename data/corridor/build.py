#!/usr/bin/env python3
"""Build data/corridor/corridor.osm, bogie's bundled seed-corridor railway network.

The network: Pyongyang - Rajin - Tumangang - Khasan - Baranovsky - Vladivostok, with Ussuriysk, the dual-gauge link
Rajin - Tumangang - Khasan, and Pyongyang - Sinuiju - Dandong.  It is written as OpenStreetMap XML 0.6 with negative
(JOSM-style, never uploaded) ids.

Inputs (all committed, read-only): data/corridor/sources/
  stations.csv                                        timing points with km posts, coordinates and sources
  russia-stations.csv                                 Russian station names and positions (cross-check only)
  russia-osm-traces/primorye_corridor_derived.geojson real OSM-derived track geometry (ODbL)
  NOTES.md, PROVENANCE.md                             what the figures mean and where they come from

Korea and China: straight schematic ways between the stations of stations.csv, one per station-to-station segment,
tagged bogie:schematic=yes and distance=<difference of km posts>.  Russia: the real traces, split at the stations
(projected onto the trace) and at the Baranovsky turnout.  See data/README.md for every convention and figure.

Standard library only and deterministic: the same inputs give the same bytes (fixed order, fixed ids, coordinates
printed with 7 decimals, no timestamps).

Usage (from the repository root):
  python3 data/corridor/build.py                 write data/corridor/corridor.osm
  python3 data/corridor/build.py --out FILE      write FILE instead ('-' for standard output)
  python3 data/corridor/build.py --report        also print lengths, chords, junction angles and checks
"""

import argparse
import csv
import heapq
import json
import math
import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "sources")
STATIONS_CSV = os.path.join(SOURCES, "stations.csv")
RUSSIA_STATIONS_CSV = os.path.join(SOURCES, "russia-stations.csv")
TRACES_GEOJSON = os.path.join(SOURCES, "russia-osm-traces", "primorye_corridor_derived.geojson")
DEFAULT_OUT = os.path.join(HERE, "corridor.osm")

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius, used for every length in this script
SNAP_M = 1.0  # a station projecting within this of a trace vertex is put on that vertex
NEAR_TRACE_M = 300.0  # russia-stations.csv entries this close to a trace are added (or cross-checked)
FAR_M = 500.0  # second, smoothed bearing for the junction-angle report
MAX_TAG_LEN = 255  # OSM API limit on a tag value, kept so the file stays valid OSM

ODBL = "(c) OpenStreetMap contributors, ODbL 1.0"
TRACE_SOURCE = ("OpenStreetMap (c) OSM contributors, ODbL 1.0: BRouter rail trace by "
                "trolleway/russian-railways-simplegeodata (data/corridor/sources/russia-osm-traces)")
NOTES = "data/corridor/sources/NOTES.md"

# ---------------------------------------------------------------------------------------------------------------
# Line profiles: the tags every way of a line carries.  Values are strings, written as they are.

KP_3KV = {
    "electrified": "contact_line", "voltage": "3000", "frequency": "0",
    "source:electrified": "3000 V DC: ja/en.wikipedia line infoboxes; catenary ends at Tumangang "
                          "(ru.wikipedia Tumangang) - see " + NOTES + ", Electrification",
}
GAUGE_1435 = {"gauge": "1435", "source:gauge": "stations.csv gauge_mm (North Korean and Chinese standard gauge)"}
GAUGE_DUAL = {
    "gauge": "1435;1520",
    "source:gauge": "dual gauge Khasan-Tumangang-Rajin laid 2011-13: en.wikipedia Rajin (4-rail), pl.wikipedia "
                    "(3-rail), ru.wikipedia Khasan - see " + NOTES + ", Break of gauge",
}
GAUGE_1520 = {"gauge": "1520", "source:gauge": "Russian gauge: stations.csv gauge_mm; ru.wikipedia Khasan and "
                                              "Baranovsky - see " + NOTES}
KP_SPEED = "assumed: no sourced line speed; North Korean main lines are reported to run at 30-60 km/h " \
           "(outsourcing.co.kr, see " + NOTES + ", Reported speeds)"

PROFILES = {
    "pyongra": dict(GAUGE_1435, **KP_3KV, **{
        "name": "Pyongra Line", "usage": "main", "maxspeed": "60", "source:maxspeed": KP_SPEED}),
    "pyongui": dict(GAUGE_1435, **KP_3KV, **{
        "name": "Pyongui Line", "usage": "main", "maxspeed": "60",
        "source:maxspeed": "assumed: no sourced line speed; Pyongui Line infobox gives 100 km/h nominal but 40 km/h "
                           "actual, North Korean lines 30-60 km/h (see " + NOTES + ", Reported speeds)"}),
    "hambuk": dict(GAUGE_DUAL, **KP_3KV, **{
        "name": "Hambuk Line", "usage": "main", "maxspeed": "60", "source:maxspeed": KP_SPEED}),
    "hongui": dict(GAUGE_DUAL, **KP_3KV, **{
        "name": "Hongui Line", "usage": "branch", "maxspeed": "60", "source:maxspeed": KP_SPEED}),
    "link": dict(GAUGE_DUAL, **{
        "name": "Tumangang-Khasan", "usage": "branch", "electrified": "no",
        "source:electrified": "ru.wikipedia Tumangang and Khasan: the 3 kV DC catenary ends at Tumangang, Khasan is "
                              "not electrified - see " + NOTES + ", Break of gauge",
        "maxspeed": "30",
        "source:maxspeed": "assumed: border link over the 1959 Friendship Bridge, no sourced speed"}),
    "baranovsky_khasan": dict(GAUGE_1520, **{
        "name": "Baranovsky-Khasan line", "usage": "branch", "electrified": "no",
        "source:electrified": "ru.wikipedia Baranovsky and Khasan: the branch to Khasan is not electrified - see "
                              + NOTES,
        "maxspeed": "80",
        "source:maxspeed": "assumed: single-track, non-electrified secondary line; no sourced line speed"}),
    "transsib": dict(GAUGE_1520, **{
        "name": "Trans-Siberian Railway", "usage": "main", "electrified": "contact_line", "voltage": "25000",
        "frequency": "50",
        "source:electrified": "25 kV 50 Hz AC since 1963: ru.wikipedia Baranovsky - see " + NOTES,
        "maxspeed": "100", "source:maxspeed": "assumed: electrified main line; no sourced line speed"}),
    "sinuiju_dandong": dict(GAUGE_1435, **{
        "name": "Sinuiju-Dandong", "usage": "main", "maxspeed": "30",
        "source:maxspeed": "assumed: international border bridge (Sino-Korean Friendship Bridge), no sourced speed",
        "note:electrified": "electrification unknown: no source found (" + NOTES + "), so electrified is not tagged"}),
}

# The ru.wikipedia article titles cited for these Korean stations (stations.csv and NOTES.md).
KP_NAME_RU = {"Pyongyang": "Пхеньян", "Rajin": "Наджин", "Tumangang": "Туманган"}

# Short citations of each km post (the source column of stations.csv has the long form).
KM_SOURCE = {
    "Pyongra": "en.wikipedia Pyongra Line route table, Pyongyang=0 (via DPRKExplained/route-planner stations.xlsx)",
    "Hongui": "derived: 325.1 - Hambuk Line km post + Hongui Line 9.5 km (en.wikipedia Hambuk Line, Hongui Line)",
    "Pyongui": "hu.wikipedia Phjongi vonal table",
    "Sinuiju-Dandong": "namu.wiki Dandong station: Sinuiju-Dandong 2.5 km",
    "Tumangang-Khasan": "ru.wikipedia Khasan: Tumangang-Khasan 5 km",
}
KM_SOURCE_ROW = {
    ("Pyongui", "Ch'ongch'ongang"): "derived: Sinanju 75.7 + 4.0 (ja.wikipedia Sinanju Ch'ongnyon)",
    ("Pyongui", "Chongju Ch'ongnyon"): "ESTIMATE +/-5 km: chord interpolation, no source km",
    ("Pyongui", "Sonch'on"): "ja.wikipedia Sonchon station",
    ("Pyongui", "Ch'onggang"): "derived: Sonchon 156.9 + 10.1 (ja.wikipedia)",
    ("Pyongui", "Yomju"): "namu.wiki Yomju station",
    ("Pyongui", "Sinuiju Ch'ongnyon"): "line length 225.1 km (en.wikipedia Pyongui Line)",
    ("Sinuiju-Dandong", "Sino-Korean Friendship Bridge (mid-span, border)"):
        "derived: straight-line share of the 2.5 km",
    ("Tumangang-Khasan", "Korea-Russia Friendship Bridge (Russian bank)"):
        "derived: Khasan 5.0 - 1.5 km along the OSM trace from Khasan to the bank",
}

CENTROID_NOTE = ("position is the {what} centre, not the station building: expect about 1-3 km error "
                 "(NOTES.md, Uncertain rows 1)")
CENTROIDS = {  # station_en -> what the coordinate is (NOTES.md "Uncertain rows" 1)
    "P'yongsong": "town", "Sinsang": "village (Sinsang-ni)", "Hamhung": "city", "Samho": "town",
    "Hongwon": "town", "Ryuktaedong": "town (Yuktae-dong)", "Riwon": "town (Iwon-up)",
    "Tanch'on Ch'ongnyon": "city", "Kimch'aek": "city", "Kyongsong": "town", "Sungam": "town", "Ranam": "town (Nanam)",
    "Ungsang": "town", "Sunan": "district",
}
STATION_NOTES = {
    "Pyongyang": "the straight line to Sopyongyang (5.4 km) is longer than the 4.7 km rail distance: this coordinate "
                 "or Sopyongyang's is off by at least 0.7 km (NOTES.md, Uncertain rows 2)",
    "Sopyongyang (West Pyongyang)": "the straight line to Pyongyang (5.4 km) is longer than the 4.7 km rail "
                                    "distance: this coordinate or Pyongyang's is off by at least 0.7 km (NOTES.md)",
    "Orang (approx.)": "position is the village Hoemul-li (Hoemun-ri), inferred, not stated by a source; the straight "
                       "line to Kyongsong (17.9 km) exceeds the 16.8 km rail distance (NOTES.md, Uncertain rows 1)",
    "Rajin": "break of gauge in this network: the Pyongra Line is 1435, the line to Tumangang and Khasan dual gauge "
             "1435;1520 (NOTES.md, Break of gauge)",
    "Tumangang": "bogie-exchange point 1435/1520 (ru.wikipedia Tumangang); the 3 kV DC catenary ends here; "
                 "Rajin-Tumangang is 52.1 km on km posts, 49 km per ru.wikipedia (NOTES.md)",
    "Khasan": "dual gauge 1435;1520 reaches Khasan from Tumangang, the line to Baranovsky is 1520 only; a bogie "
              "exchange here is unconfirmed (one Korean secondary source). Khasan is km 238 (237.0, ~240)",
    "Ussuriysk": "position: russia-stations.csv, which is where the trace was clipped; Transsib km 9178 is derived "
                 "(NOTES.md)",
    "Baranovsky": "junction for the Khasan line; the turnout lies 0.9 km south-east along the Trans-Siberian and "
                  "faces Ussuriysk, so Vladivostok-Khasan trains reverse here",
    "Ugolnaya (approx.)": "position derived from the OSM trace, km approximate: opened as the '30th verst' siding "
                          "(NOTES.md, Uncertain rows 3)",
    "Vinevitino": "Cyrillic name not in the sources: transliterated back from the en.wikipedia route map's "
                  "'Vinevitino'",
    "Dandong": "electrification of the Sino-Korean bridge and Dandong unknown: no source found (NOTES.md)",
}
DERIVED_BK_NOTE = ("position derived: read off the OSM trace at the official km mapped linearly (NOTES.md), not a "
                   "surveyed station coordinate")
NAME_RU_MISSING = {"Vinevitino": "Виневитино"}
COORD_SOURCE_OVERRIDE = {
    "Orang (approx.)": "village Hoemul-li: github VannaDii/pub-dev northkorea_cities.dart (GeoNames-derived); "
                       "Orang opened as Hoemun station (ja.wikipedia), Hoemun-ri is in Orang county (encykorea)",
}
ALT_NAMES_EN = {"Sopyongyang (West Pyongyang)": ("Sopyongyang", "West Pyongyang"),
                "Sonbong (Unggi)": ("Sonbong", "Unggi")}


# ---------------------------------------------------------------------------------------------------------------
# Geometry (spherical Earth, radius EARTH_RADIUS_KM)

def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(lat1, lon1, lat2, lon2):
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def project(lat, lon, coords):
    """Nearest point of the polyline coords [(lat, lon)] to (lat, lon): (dist_m, segment index, t, plat, plon).

    Each segment is treated as straight in a local equirectangular frame (cos of its mean latitude, rounded to 12
    digits so that the result does not hinge on the last bit of the C library's cos); segments are 10 m-2 km long."""
    best = None
    for i in range(len(coords) - 1):
        (alat, alon), (blat, blon) = coords[i], coords[i + 1]
        k = round(math.cos(math.radians((alat + blat) / 2)), 12)
        dx, dy = (blon - alon) * k, blat - alat
        px, py = (lon - alon) * k, lat - alat
        l2 = dx * dx + dy * dy
        t = 0.0 if l2 == 0 else max(0.0, min(1.0, (px * dx + py * dy) / l2))
        qlat, qlon = alat + t * (blat - alat), alon + t * (blon - alon)
        d = haversine_km(lat, lon, qlat, qlon) * 1000.0
        if best is None or d < best[0]:
            best = (d, i, t, qlat, qlon)
    return best


def fmt_coord(x):
    return "%.7f" % x


# ---------------------------------------------------------------------------------------------------------------
# The model

class Node:
    __slots__ = ("lat", "lon", "tags", "id", "label")

    def __init__(self, lat, lon, tags=None, label=""):
        self.lat, self.lon, self.tags, self.id, self.label = lat, lon, dict(tags or {}), None, label

    def key(self):
        return (fmt_coord(self.lat), fmt_coord(self.lon))


class Way:
    __slots__ = ("nodes", "tags", "id", "profile")

    def __init__(self, nodes, tags, profile):
        self.nodes, self.tags, self.id, self.profile = list(nodes), dict(tags), None, profile


def way_length_km(way):
    return sum(haversine_km(a.lat, a.lon, b.lat, b.lon) for a, b in zip(way.nodes, way.nodes[1:]))


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def km_part(source):
    """Keeps the coordinate half of a stations.csv source ("coord: X ; km: Y" -> "X")."""
    part = source.split(" ; km")[0]
    for prefix in ("coord+km: ", "coord: "):
        if part.startswith(prefix):
            part = part[len(prefix):]
    return part


class Builder:
    def __init__(self):
        self.rows = read_csv(STATIONS_CSV)
        self.stations = {}  # (lat, lon) strings -> Node; one node per place, shared by the lines that meet there
        self.info = {}  # Node label -> dict of facts for the report
        self.ways = []
        self.report = []  # lines of text for --report
        with open(TRACES_GEOJSON, encoding="utf-8") as f:
            gj = json.load(f)
        self.attribution = gj.get("attribution", "")
        feats = gj["features"]
        # GeoJSON is lon, lat; keep (lat, lon).
        self.trace_hasan = [(c[1], c[0]) for c in feats[0]["geometry"]["coordinates"]]
        self.trace_transsib = [(c[1], c[0]) for c in feats[1]["geometry"]["coordinates"]]
        assert feats[0]["properties"]["name"].startswith("Khasan border"), feats[0]["properties"]
        assert feats[1]["properties"]["name"].startswith("Ussuriysk - Baranovsky - Vladivostok"), feats[1]
        self.trace_names = (feats[0]["properties"]["name"], feats[1]["properties"]["name"])

    # -- stations ----------------------------------------------------------------------------------------------

    def line_rows(self, line):
        rows = [r for r in self.rows if r["line"] == line]
        rows.sort(key=lambda r: int(r["seq"]))
        return rows

    def row(self, line, station_en):
        for r in self.line_rows(line):
            if r["station_en"] == station_en:
                return r
        raise KeyError((line, station_en))

    def station(self, r):
        """The node of a stations.csv row (created on first use, at the CSV coordinate)."""
        key = (r["lat"], r["lon"])
        node = self.stations.get(key)
        if node is None:
            node = Node(float(r["lat"]), float(r["lon"]), self.station_tags(r), label=r["station_en"])
            self.stations[key] = node
            self.info[node.label] = {"row": r, "csv": (float(r["lat"]), float(r["lon"]))}
        else:
            assert node.label == r["station_en"], (node.label, r["station_en"])
        return node

    def station_tags(self, r):
        en, local, country = r["station_en"], r["station_local"], r["country"]
        if "Bridge" in en:
            return self.bridge_point_tags(r)
        tags = {"railway": "station"}
        name_en = en.replace(" (approx.)", "")
        if en in ALT_NAMES_EN:
            name_en, alt = ALT_NAMES_EN[en]
            tags["alt_name:en"] = alt
        tags["name:en"] = name_en
        # The country column of stations.csv: Natural Earth's 1:10m border runs ~150 m west of Tumangang station, so
        # the importer needs this to keep Tumangang in North Korea.
        tags["addr:country"] = country
        if country == "KP":
            tags["name"] = tags["name:ko"] = local
            if en in KP_NAME_RU:
                tags["name:ru"] = KP_NAME_RU[en]
        elif country == "RU":
            local = local or NAME_RU_MISSING[en]
            tags["name"] = tags["name:ru"] = local
        elif country == "CN":
            tags["name"] = tags["name:zh"] = local
        else:
            raise ValueError(r)
        tags["source"] = COORD_SOURCE_OVERRIDE.get(en, km_part(r["source"]))
        notes = []
        if en in CENTROIDS:
            notes.append(CENTROID_NOTE.format(what=CENTROIDS[en]))
        if en in STATION_NOTES:
            notes.append(STATION_NOTES[en])
        if r["line"] == "Baranovsky-Khasan" and r["source"].startswith("derived"):
            notes.append(DERIVED_BK_NOTE)
        if notes:
            tags["note"] = "; ".join(notes)
        return tags

    def bridge_point_tags(self, r):
        if r["line"] == "Tumangang-Khasan":
            return {
                "railway": "border",
                "bogie:border": "KP-RU",
                "note": "Russian bank of the Tumen at the Korea-Russia Friendship Bridge, last point of the OSM-derived "
                        "Khasan trace; the KP-RU border is mid-river, a few hundred metres towards Tumangang",
                "source": "OpenStreetMap via trolleway/russian-railways-simplegeodata Hasan trace (ODbL)",
            }
        return {
            "railway": "border",
            "bogie:border": "KP-CN",
            "note": "Sino-Korean Friendship Bridge over the Yalu, mid-span (the KP-CN border); km 1.2 from Sinuiju is "
                    "a straight-line share of the 2.5 km (NOTES.md)",
            "source": km_part(r["source"]),
        }

    # -- schematic ways (Korea, China, the bridge to Russia) ---------------------------------------------------

    def km_label(self, r):
        return KM_SOURCE_ROW.get((r["line"], r["station_en"]), KM_SOURCE[r["line"]])

    def schematic_way(self, ra, rb, profile, extra=None, source_distance=None):
        a, b = self.station(ra), self.station(rb)
        dist = Decimal(rb["km"]) - Decimal(ra["km"])
        assert dist > 0, (ra, rb)
        tags = {"railway": "rail", "bogie:schematic": "yes", "distance": "%.1f" % dist}
        tags.update(PROFILES[profile])
        tags["name:en"] = tags["name"]
        if source_distance is None:
            la, lb = self.km_label(ra), self.km_label(rb)
            if la == lb:
                source_distance = "difference of km posts: " + la
            else:
                source_distance = "difference of km posts: %s: %s; %s: %s" % (
                    ra["station_en"], la, rb["station_en"], lb)
        tags["source:distance"] = source_distance
        notes = list((extra or {}).pop("note", []) if extra else [])
        if extra:
            tags.update(extra)
        chord = haversine_km(a.lat, a.lon, b.lat, b.lon)
        if chord > float(dist):
            notes.append("distance %.1f km is shorter than the %.1f km straight line between the two coordinates: a "
                         "coordinate is off (see data/README.md)" % (dist, chord))
        if notes:
            tags["note"] = "; ".join(notes)
        way = Way([a, b], tags, profile)
        self.ways.append(way)
        return way

    def schematic_line(self, line, profile_of, notes_of=None, skip=()):
        rows = self.line_rows(line)
        for ra, rb in zip(rows, rows[1:]):
            pair = (ra["station_en"], rb["station_en"])
            if pair in skip:
                continue
            extra = {}
            n = (notes_of or {}).get(pair)
            if n:
                extra["note"] = [n]
            if "Chongju Ch'ongnyon" in pair:
                extra.setdefault("note", []).append("Chongju Ch'ongnyon km 120.0 is an estimate (+/-5 km), so is "
                                                    "this distance (NOTES.md, Uncertain rows 4)")
            self.schematic_way(ra, rb, profile_of(pair), extra)

    # -- real ways (Russia) ------------------------------------------------------------------------------------

    def place_on_trace(self, node, trace, mode):
        """Where node goes on trace: ('v', vertex index) or ('p', segment, t).  Moves node there and records how far
        it moved from its CSV coordinate."""
        lat0, lon0 = node.lat, node.lon
        if mode == "start":
            pos = ("v", 0)
        elif mode == "end":
            pos = ("v", len(trace) - 1)
        else:
            d, i, t, plat, plon = project(lat0, lon0, trace)
            va, vb = trace[i], trace[i + 1]
            if haversine_km(plat, plon, *va) * 1000 < SNAP_M:
                pos = ("v", i)
            elif haversine_km(plat, plon, *vb) * 1000 < SNAP_M:
                pos = ("v", i + 1)
            else:
                pos = ("p", i, t, plat, plon)
        if pos[0] == "v":
            node.lat, node.lon = trace[pos[1]]
        else:
            node.lat, node.lon = pos[3], pos[4]
        moved = haversine_km(lat0, lon0, node.lat, node.lon) * 1000
        self.info.setdefault(node.label, {})["moved_m"] = moved
        return pos

    def split_trace(self, trace, cuts, label):
        """Splits trace at cuts [(node, pos)] (pos from place_on_trace, or ('v', i) with the node kept where it
        is).  Returns the node lists between consecutive cuts; the first and last cuts must be the trace ends."""
        def order(c):
            pos = c[1]
            return (pos[1], 0.0) if pos[0] == "v" else (pos[1], pos[2])
        cuts = sorted(cuts, key=order)
        at_vertex = {c[1][1]: c[0] for c in cuts if c[1][0] == "v"}
        inside = {}
        for node, pos in cuts:
            if pos[0] == "p":
                inside.setdefault(pos[1], []).append((pos[2], node))
        seq = []
        for i, (lat, lon) in enumerate(trace):
            seq.append(at_vertex.get(i) or Node(lat, lon, label="%s vertex %d" % (label, i)))
            for _, node in sorted(inside.get(i, []), key=lambda x: x[0]):
                seq.append(node)
        cut_nodes = [c[0] for c in cuts]
        assert seq[0] is cut_nodes[0] and seq[-1] is cut_nodes[-1], label
        idx = [k for k, n in enumerate(seq) if any(n is c for c in cut_nodes)]
        assert len(idx) == len(cut_nodes), label
        pieces = [seq[a:b + 1] for a, b in zip(idx, idx[1:])]
        for p in pieces:
            keys = [n.key() for n in p]
            assert all(k1 != k2 for k1, k2 in zip(keys, keys[1:])), ("zero-length segment", label)
        return pieces

    def real_way(self, nodes, profile, extra=None):
        tags = {"railway": "rail", "source": TRACE_SOURCE}
        tags.update(PROFILES[profile])
        tags["name:en"] = tags["name"]
        if extra:
            tags.update(extra)
        way = Way(nodes, tags, profile)
        self.ways.append(way)
        return way

    # -- the whole network -------------------------------------------------------------------------------------

    def build(self):
        st = lambda line, name: self.station(self.row(line, name))

        # 1. Pyongyang - Sopyongyang, shared by the Pyongra and Pyongui lines (both give 4.7 km).
        self.schematic_way(
            self.row("Pyongui", "Pyongyang"), self.row("Pyongui", "Sopyongyang (West Pyongyang)"), "pyongui",
            {"note": ["used by Pyongra and Pyongui Line trains alike: the Pyongra Line's own km posts start at Kalli "
                      "(km 19.1), on the Pyongui Line"]},
            source_distance="difference of km posts: Pyongra (en.wikipedia route table) and Pyongui "
                            "(hu.wikipedia Phjongi vonal) both give Sopyongyang 4.7 km from Pyongyang")
        kalli = ("schematic junction: the Pyongra Line really leaves the Pyongui Line at Kalli (km 19.1-19.2, no "
                 "coordinate), not at Sopyongyang")
        pair0 = ("Pyongyang", "Sopyongyang (West Pyongyang)")

        # 2. Pyongra Line, Pyongyang - Rajin.
        self.schematic_line("Pyongra", lambda p: "pyongra", {("Sopyongyang (West Pyongyang)", "P'yongsong"): kalli},
                            skip=(pair0,))
        # 3. Rajin - Tumangang: Hambuk Line to Hongui, then the Hongui Line.
        self.schematic_line("Hongui", lambda p: "hongui" if p[0] == "Hongui" else "hambuk",
                            {("Hongui", "Tumangang"): "ja.wikipedia puts the branch at Mulgol, 1 km from Hongui; "
                                                      "en.wikipedia at Hongui (NOTES.md)"})

        # 4. Tumangang - Korea-Russia Friendship Bridge (Russian bank): schematic.
        bank_row = self.row("Tumangang-Khasan", "Korea-Russia Friendship Bridge (Russian bank)")
        self.schematic_way(
            self.row("Tumangang-Khasan", "Tumangang"), bank_row, "link",
            {"bridge": "yes", "layer": "1", "bridge:name": "Korea-Russia Friendship Bridge",
             "bridge:name:en": "Korea-Russia Friendship Bridge", "bridge:name:ru": "Мост Дружбы",
             "bridge:name:ko": "조로친선다리",
             "note": ["schematic: Tumangang station to the Russian bank of the Tumen, crossing the Friendship Bridge "
                      "(the KP-RU border is mid-river); only part of this way is bridge"]})

        # 5. Russia: place the stations and the turnout on the two traces and split them.
        hasan, transsib = self.trace_hasan, self.trace_transsib
        turnout = Node(hasan[0][0], hasan[0][1], {
            "railway": "switch",
            "note": "Baranovsky junction turnout: first point of the OSM-derived Khasan trace, moved onto the "
                    "Trans-Siberian trace (its projection); trains from Ussuriysk run straight onto the Khasan line"},
            label="Baranovsky turnout")
        self.info[turnout.label] = {"csv": hasan[0]}

        ts_cuts = [(st("Transsib", "Ussuriysk"), None, "start"), (st("Transsib", "Baranovsky"), None, "project"),
                   (turnout, None, "project"), (st("Transsib", "Ugolnaya (approx.)"), None, "project"),
                   (st("Transsib", "Vladivostok"), None, "end")]
        ts = [(n, self.place_on_trace(n, transsib, mode)) for n, _, mode in ts_cuts]
        ts_pieces = self.split_trace(transsib, ts, "transsib")
        assert [p[0] for p in ts_pieces] == [c[0] for c in ts][:-1], "Trans-Siberian stations out of order"

        bk_names = [r["station_en"] for r in reversed(self.line_rows("Baranovsky-Khasan"))
                    if "waypoint" not in r["station_en"] and r["station_en"] != "Baranovsky"]
        bank = self.station(bank_row)
        hs = [(turnout, ("v", 0))]
        hs += [(st("Baranovsky-Khasan", n), self.place_on_trace(st("Baranovsky-Khasan", n), hasan, "project"))
               for n in bk_names]
        hs.append((bank, self.place_on_trace(bank, hasan, "end")))
        hs_pieces = self.split_trace(hasan, hs, "hasan")
        assert [p[0] for p in hs_pieces] == [c[0] for c in hs][:-1], "Khasan-line stations out of order"

        # Baranovsky-Khasan line: turnout -> Olenevod -> ... -> Khasan (trace order); then Khasan -> bank (dual gauge).
        for piece in hs_pieces[:-1]:
            self.real_way(piece, "baranovsky_khasan")
        self.real_way(hs_pieces[-1], "link", {
            "note": "real geometry: Khasan station to the Russian bank of the Tumen at the Friendship Bridge"})
        # Trans-Siberian: Ussuriysk -> Baranovsky -> turnout -> Ugolnaya -> Vladivostok.
        for piece in ts_pieces:
            self.real_way(piece, "transsib")

        # 6. Pyongui Line Sopyongyang - Sinuiju, and Sinuiju - Dandong over the Sino-Korean Friendship Bridge.
        self.schematic_line("Pyongui", lambda p: "pyongui", {("Sopyongyang (West Pyongyang)", "Sunan"): kalli},
                            skip=(pair0,))
        bridge = {"bridge": "yes", "layer": "1", "bridge:name": "Sino-Korean Friendship Bridge",
                  "bridge:name:en": "Sino-Korean Friendship Bridge", "bridge:name:zh": "中朝友谊桥",
                  "bridge:name:ko": "조중우의교"}
        sd = self.line_rows("Sinuiju-Dandong")
        for ra, rb in zip(sd, sd[1:]):
            extra = dict(bridge)
            extra["note"] = ["schematic: the 940.8 m bridge is only part of this way; electrification unknown "
                             "(no source)"]
            self.schematic_way(ra, rb, "sinuiju_dandong", extra)

        self.russia_cross_check()
        self.assign_ids()

    def russia_cross_check(self):
        """Adds russia-stations.csv stations within NEAR_TRACE_M of a trace (none are new at present) and records the
        distance of every one found there for the report and the station's tags."""
        by_name = {n.tags.get("name:ru"): n for n in self.stations.values() if n.tags.get("railway") == "station"}
        found = []
        for r in read_csv(RUSSIA_STATIONS_CSV):
            lat, lon = float(r["lat"]), float(r["lon"])
            if not (42.0 < lat < 44.5 and 130.0 < lon < 133.0):
                continue  # far outside both traces; saves projecting 400 points onto 3400 segments
            d_h = project(lat, lon, self.trace_hasan)[0]
            d_t = project(lat, lon, self.trace_transsib)[0]
            d = min(d_h, d_t)
            node = by_name.get(r["name_ru"])
            found.append((r["name_ru"], r["name_en"], d, node))
            if d > NEAR_TRACE_M:
                continue
            if node is None:
                raise SystemExit("russia-stations.csv: %s lies %.0f m from a trace and is not in stations.csv: add "
                                 "it as a station" % (r["name_en"], d))
            off = haversine_km(lat, lon, node.lat, node.lon) * 1000
            node.tags["note:position"] = ("russia-stations.csv (trolleway/russian-railways-simplegeodata stations "
                                          "layer) puts it %.0f m from the trace and %.0f m from this node" % (d, off))
        self.cross_check = found

    def assign_ids(self):
        order, seen = [], set()
        for w in self.ways:
            for n in w.nodes:
                if id(n) not in seen:
                    seen.add(id(n))
                    order.append(n)
        next_id = -1
        for n in order:
            n.id = next_id
            next_id -= 1
        for w in self.ways:
            w.id = next_id
            next_id -= 1
        self.nodes = order
        # Station-projection notes, now that every station sits where it will be written.
        for n in order:
            moved = self.info.get(n.label, {}).get("moved_m")
            if moved is not None and moved >= 0.05 and n.tags.get("railway") in ("station", "switch"):
                n.tags["note:geometry"] = ("placed on the OSM-derived track: %.1f m from the source coordinate" % moved)
        for obj in order + self.ways:
            for k, v in obj.tags.items():
                assert len(v) <= MAX_TAG_LEN, ("tag value over %d characters" % MAX_TAG_LEN, k, v)
                assert v == v.strip() and v, (k, v)


# ---------------------------------------------------------------------------------------------------------------
# Output

def xml_escape(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\t", "&#9;"))


def write_osm(b):
    lats = [n.lat for n in b.nodes]
    lons = [n.lon for n in b.nodes]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           "<!--",
           "  bogie seed-corridor railway network: Pyongyang - Rajin - Tumangang - Khasan - Baranovsky - Vladivostok,",
           "  with Ussuriysk, and Pyongyang - Sinuiju - Dandong.  Generated by data/corridor/build.py; do not edit.",
           "",
           "  Russian track geometry (ways without bogie:schematic=yes) is derived from OpenStreetMap:",
           "    " + ODBL + " - https://www.openstreetmap.org/copyright",
           "    traced with BRouter by trolleway/russian-railways-simplegeodata.",
           "  This file, as a database containing it, is available under the ODbL 1.0.",
           "  Korean and Chinese ways are schematic straight lines between station coordinates gathered from public",
           "  reference pages; their lengths are in distance=* (km).  Assumed figures carry 'assumed' in source:*.",
           "  Provenance, licence, tag conventions and how to rebuild: data/README.md",
           "-->",
           '<osm version="0.6" generator="bogie data/corridor/build.py" upload="never" '
           'copyright="OpenStreetMap and contributors" attribution="http://www.openstreetmap.org/copyright" '
           'license="http://opendatacommons.org/licenses/odbl/1-0/">',
           '  <bounds minlat="%s" minlon="%s" maxlat="%s" maxlon="%s"/>' % (
               fmt_coord(min(lats)), fmt_coord(min(lons)), fmt_coord(max(lats)), fmt_coord(max(lons)))]
    for n in b.nodes:
        head = '  <node id="%d" lat="%s" lon="%s"' % (n.id, fmt_coord(n.lat), fmt_coord(n.lon))
        if not n.tags:
            out.append(head + "/>")
            continue
        out.append(head + ">")
        for k in sorted(n.tags):
            out.append('    <tag k="%s" v="%s"/>' % (xml_escape(k), xml_escape(n.tags[k])))
        out.append("  </node>")
    for w in b.ways:
        out.append('  <way id="%d">' % w.id)
        for n in w.nodes:
            out.append('    <nd ref="%d"/>' % n.id)
        for k in sorted(w.tags):
            out.append('    <tag k="%s" v="%s"/>' % (xml_escape(k), xml_escape(w.tags[k])))
        out.append("  </way>")
    out.append("</osm>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Report

def node_name(n):
    return n.tags.get("name:en") or n.label


def report(b):
    lines = []
    say = lines.append
    ends = {}  # node -> [(way, other end)]
    for w in b.ways:
        ends.setdefault(w.nodes[0], []).append((w, w.nodes[-1]))
        ends.setdefault(w.nodes[-1], []).append((w, w.nodes[0]))
    by_name = {}
    for n in b.nodes:
        if n.tags.get("railway") in ("station", "switch"):
            by_name[node_name(n) if n.tags.get("railway") == "station" else "Baranovsky turnout"] = n
    geo = {id(w): way_length_km(w) for w in b.ways}

    def path(a, z):
        """Shortest path by geometric length between two named nodes: list of ways."""
        src, dst = by_name[a], by_name[z]
        dist, prev, heap, k = {id(src): 0.0}, {}, [(0.0, 0, src)], 1
        while heap:
            d, _, n = heapq.heappop(heap)
            if n is dst:
                break
            if d > dist[id(n)]:
                continue
            for w, m in ends.get(n, []):
                nd = d + geo[id(w)]
                if nd < dist.get(id(m), float("inf")):
                    dist[id(m)], prev[id(m)] = nd, (w, n)
                    heapq.heappush(heap, (nd, k, m))
                    k += 1
        ways, n = [], dst
        while n is not src:
            w, n = prev[id(n)]
            ways.append(w)
        return ways[::-1]

    say("== Lengths along the network")
    for a, z in [("Pyongyang", "Rajin"), ("Rajin", "Tumangang"), ("Tumangang", "Khasan"),
                 ("Khasan", "Baranovsky turnout"), ("Baranovsky turnout", "Baranovsky"),
                 ("Baranovsky", "Vladivostok"), ("Ussuriysk", "Baranovsky"), ("Ussuriysk", "Vladivostok"),
                 ("Pyongyang", "Sinuiju Ch'ongnyon"), ("Sinuiju Ch'ongnyon", "Dandong"), ("Pyongyang", "Tumangang")]:
        ws = path(a, z)
        tagged = sum((Decimal(w.tags["distance"]) for w in ws if "distance" in w.tags), Decimal("0"))
        real = sum(geo[id(w)] for w in ws if "distance" not in w.tags)
        say("  %-20s -> %-20s %2d ways  sum(distance tags) %7s km  real geometry %8.3f km  total %8.3f km" % (
            a, z, len(ws), tagged, real, float(tagged) + real))

    say("")
    say("== Schematic ways: distance tag vs straight line (chord)")
    short = []
    for w in b.ways:
        if "distance" not in w.tags:
            continue
        a, z = w.nodes[0], w.nodes[-1]
        chord = haversine_km(a.lat, a.lon, z.lat, z.lon)
        dist = float(w.tags["distance"])
        flag = "  DISTANCE < CHORD" if dist < chord else ""
        if flag:
            short.append((node_name(a), node_name(z), dist, chord))
        say("  way %d %-28s -> %-28s distance %6.1f  chord %7.2f  ratio %5.2f%s" % (
            w.id, node_name(a), node_name(z), dist, chord, dist / chord, flag))
    say("  ways whose distance is shorter than the chord: %d" % len(short))
    for a, z, d, c in short:
        say("    %s - %s: %.1f km < %.2f km" % (a, z, d, c))

    say("")
    say("== Deflection at nodes where ways meet (0 = straight on, 180 = reversal)")
    say("   'near' uses the adjacent vertex, 'at %d m' a point that far along the way" % FAR_M)

    def ahead(w, n, far):
        seq = w.nodes if w.nodes[0] is n else w.nodes[::-1]
        if not far:
            return seq[1].lat, seq[1].lon
        left = FAR_M / 1000.0
        for p, q in zip(seq, seq[1:]):
            d = haversine_km(p.lat, p.lon, q.lat, q.lon)
            if d >= left:
                f = left / d
                return p.lat + f * (q.lat - p.lat), p.lon + f * (q.lon - p.lon)
            left -= d
        return seq[-1].lat, seq[-1].lon

    def deflection(n, w1, w2, far):
        b1 = bearing_deg(n.lat, n.lon, *ahead(w1, n, far))
        b2 = bearing_deg(n.lat, n.lon, *ahead(w2, n, far))
        return 180.0 - abs((b1 - b2 + 180.0) % 360.0 - 180.0)

    def way_label(w, n):
        other = w.nodes[-1] if w.nodes[0] is n else w.nodes[0]
        return "%s (to %s)" % (w.tags["name:en"], node_name(other) if other.tags else "?")

    sharp = []
    for n in b.nodes:
        ws = [w for w, _ in ends.get(n, [])]
        if len(ws) < 2:
            continue
        listed = len(ws) >= 3 or node_name(n) in ("Rajin",)
        for i in range(len(ws)):
            for j in range(i + 1, len(ws)):
                near, far = deflection(n, ws[i], ws[j], False), deflection(n, ws[i], ws[j], True)
                if listed:
                    say("  %-26s %-48s | %-48s near %6.1f  at %d m %6.1f" % (
                        node_name(n) if n.tags.get("name:en") else n.label, way_label(ws[i], n), way_label(ws[j], n),
                        near, FAR_M, far))
                elif max(near, far) > 45.0:
                    sharp.append((n, ws[i], ws[j], near, far))
    say("  other meeting points (2 ways) deflecting over 45 degrees: %d" % len(sharp))
    for n, w1, w2, near, far in sharp:
        say("    %-26s %-48s | %-48s near %6.1f  at %d m %6.1f" % (
            node_name(n) if n.tags.get("name:en") else (n.tags.get("bogie:border", "") + " bridge point"),
            way_label(w1, n), way_label(w2, n), near, FAR_M, far))

    say("")
    say("== Gauge changes (nodes whose ways carry different gauge sets)")
    for n in b.nodes:
        gs = sorted({w.tags["gauge"] for w, _ in ends.get(n, [])})
        if len(gs) > 1:
            say("  %-26s %s" % (node_name(n), " / ".join(gs)))

    say("")
    say("== Russian stations: moved onto the trace (m from the stations.csv coordinate)")
    for n in b.nodes:
        moved = b.info.get(n.label, {}).get("moved_m")
        if moved is not None:
            say("  %-26s %8.1f" % (node_name(n) if n.tags.get("name:en") else n.label, moved))
    say("")
    say("== russia-stations.csv entries in the area (distance to the nearer trace)")
    for ru, en, d, node in b.cross_check:
        say("  %-24s %-22s %9.0f m  %s" % (ru, en, d, "in stations.csv" if node else "not in stations.csv"))
    say("")
    say("== Totals: %d nodes (%d stations), %d ways (%d schematic, %d real)" % (
        len(b.nodes), sum(1 for n in b.nodes if n.tags.get("railway") == "station"), len(b.ways),
        sum(1 for w in b.ways if "distance" in w.tags), sum(1 for w in b.ways if "distance" not in w.tags)))
    return "\n".join(lines) + "\n"


def validate(b):
    """Invariants of the built network; a failure stops the build."""
    ids = [o.id for o in b.nodes] + [w.id for w in b.ways]
    assert len(set(ids)) == len(ids) and all(i < 0 for i in ids), "ids must be unique and negative"
    in_way = {id(n) for w in b.ways for n in w.nodes}
    assert all(id(n) in in_way for n in b.nodes), "every node belongs to a way"
    for w in b.ways:
        t = w.tags
        assert t["railway"] == "rail" and t["name"] and t["usage"] in ("main", "branch"), t
        schematic = t.get("bogie:schematic") == "yes"
        assert schematic == ("distance" in t) == ("source:distance" in t), t
        assert schematic == (t.get("source") != TRACE_SOURCE), t
        assert len(w.nodes) == 2 if schematic else len(w.nodes) >= 2, t
        assert len({id(n) for n in w.nodes}) == len(w.nodes), "a way visits a node twice"
        assert t["maxspeed"].isdigit() and t["source:maxspeed"].startswith("assumed"), t
        assert t["gauge"] in ("1435", "1520", "1435;1520"), t
        if t.get("electrified") == "contact_line":
            assert (t["voltage"], t["frequency"]) in (("3000", "0"), ("25000", "50")), t
        elif "electrified" in t:
            assert t["electrified"] == "no" and "voltage" not in t, t
        else:
            assert w.profile == "sinuiju_dandong" and "note:electrified" in t, t
        for end in (w.nodes[0], w.nodes[-1]):  # ways run between stations, the turnout and the border points
            assert end.tags.get("railway") in ("station", "switch") or "bogie:border" in end.tags, end.label
        for n in w.nodes[1:-1]:
            assert not n.tags, ("a tagged node inside a way", n.label)
    for n in b.nodes:
        if n.tags.get("railway") == "station":
            assert n.tags["name"] and n.tags["name:en"] and n.tags["source"], n.label
    # The km posts add up: Pyongyang-Rajin 801.9, Rajin-Tumangang 52.1, Pyongyang-Sinuiju 225.1.
    for line, prof in (("Pyongra", ("pyongra",)), ("Hongui", ("hambuk", "hongui")), ("Pyongui", ("pyongui",))):
        rows = b.line_rows(line)
        total = sum((Decimal(w.tags["distance"]) for w in b.ways if w.profile in prof), Decimal("0"))
        if line == "Pyongra":
            total += Decimal(b.row("Pyongra", "Sopyongyang (West Pyongyang)")["km"])  # the shared way
        assert total == Decimal(rows[-1]["km"]) - Decimal(rows[0]["km"]), (line, total)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output file (default: data/corridor/corridor.osm; - = stdout)")
    ap.add_argument("--report", action="store_true", help="print lengths, chords, junction angles and checks")
    args = ap.parse_args(argv)
    b = Builder()
    b.build()
    validate(b)
    text = write_osm(b)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        tmp = args.out + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, args.out)
    if args.report:
        (sys.stderr if args.out == "-" else sys.stdout).write(report(b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
