#!/usr/bin/env python3
"""Copy the BRouter traces the eurasia network uses from the shared folder into data/eurasia/sources/, cut, and cut
the Belarusian station list to the stations on them.

Traces: the `messages` property (BRouter's per-point table: its way tags are only railway=rail) is dropped and the
LineString written one coordinate triple (lon, lat, elevation) a line; the geometry is checked unchanged.
Stations: the railway=station|halt points (not metro stations) of the Belarusian OSM export (belarus-railways.gpkg, layer 'All stations OSM
overpass') within STATION_M of the Smolensk-Terespol trace, with their names in every language they carry.
Run once, by hand; the build reads only the cut files.

Usage: python3 data/eurasia/cut_traces.py SHARED_EURASIA_DIR
"""
import csv
import json
import os
import sqlite3
import struct
import sys

from cutlib import hv

HERE = os.path.dirname(os.path.abspath(__file__))
TRACES = [("russia-border-lines/Ekateriburg-Vladivostok.geojson", "russia-border-lines"),
          ("russia-border-lines/MSK-Orsha.geojson", "russia-border-lines"),
          ("russia-border-lines/Tarskaya-Zabaikalsk.geojson", "russia-border-lines"),
          ("belarus/BY/BCH_railways/source-mainlines/Smolensk-Terespol.geojson", "belarus")]
STATION_M = 300.0
NAME_KEYS = ["name", "name:be", "name:ru", "name:en", "name:pl", "name:uk", "name:zh", "name:lt", "alt_name"]


def cut_trace(src, dst):
    with open(src, encoding="utf-8") as f:
        g = json.load(f)
    f0 = g["features"][0]
    f0["properties"].pop("messages", None)
    coords = f0["geometry"]["coordinates"]
    with open(dst, "w", encoding="utf-8") as o:
        o.write('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": %s,\n "geometry": '
                '{"type": "LineString", "coordinates": [\n' % json.dumps(f0["properties"], ensure_ascii=False,
                                                                         sort_keys=True))
        o.write(",\n".join(json.dumps(c) for c in coords))
        o.write("\n]}}]}\n")
    with open(dst, encoding="utf-8") as f:
        assert json.load(f)["features"][0]["geometry"]["coordinates"] == coords
    return coords


def gpkg_point(blob):
    env = (blob[3] >> 1) & 7
    off = 8 + [0, 32, 48, 48, 64][env]
    bo = "<" if blob[off] == 1 else ">"
    return struct.unpack(bo + "dd", blob[off + 5:off + 21])


def main(shared):
    traces = {}
    for rel, sub in TRACES:
        os.makedirs(os.path.join(HERE, "sources", sub), exist_ok=True)
        traces[rel] = cut_trace(os.path.join(shared, rel), os.path.join(HERE, "sources", sub, os.path.basename(rel)))
    line = traces["belarus/BY/BCH_railways/source-mainlines/Smolensk-Terespol.geojson"]
    grid = {}
    for p in line:
        grid.setdefault((int(p[0] * 20), int(p[1] * 20)), []).append(p)
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(shared, "belarus/bch-railways/belarus-railways.gpkg"),
                         uri=True)
    cols = ", ".join('"%s"' % k for k in NAME_KEYS + ["railway", "uic_ref", "esr:user", "station", "subway"])
    rows = []
    for r in db.execute('SELECT fid, geom, %s FROM "All stations OSM overpass"' % cols):
        x, y = gpkg_point(r[1])
        tags = dict(zip(NAME_KEYS + ["railway", "uic_ref", "esr", "station", "subway"], r[2:]))
        if tags["railway"] not in ("station", "halt") or not tags["name"] or "subway" in (tags["station"], tags["subway"],
                                                                                          "yes" if tags["subway"] else ""):
            continue
        near = [p for dx in (-1, 0, 1) for dy in (-1, 0, 1) for p in grid.get((int(x * 20) + dx, int(y * 20) + dy), [])]
        if near and min(hv((x, y), p) for p in near) * 1000 <= STATION_M:
            rows.append([r[0]] + [tags[k] or "" for k in NAME_KEYS + ["railway", "uic_ref", "esr"]] +
                        ["%.7f" % y, "%.7f" % x])
    rows.sort()
    with open(os.path.join(HERE, "sources", "belarus", "stations.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["fid"] + [k.replace(":", "_") for k in NAME_KEYS] + ["railway", "uic_ref", "esr", "lat", "lon"])
        w.writerows(rows)
    print("%d Belarusian stations" % len(rows))


if __name__ == "__main__":
    main(sys.argv[1])
