#!/usr/bin/env python3
"""Cut data/eurasia/sources/poland/ from PLRailMap (../shared/data/eurasia/poland/plrailmap-2023-03-19.osm).

Keeps only what the eurasia network uses: the track from the border stations Terespol and Przemyśl Główny
to Warszawa Centralna, as shortest paths over PLRailMap's ways (which share their nodes, so the paths follow real
junctions), written as chains between junctions (GeoJSON LineStrings with the OSM node ids of their points; where
two paths run on the same track it is one chain), and the PLRailMap stations on them (their node is on a path, or
within STATION_M of it), with every name they carry.  Run once, by hand; the build reads only the cut files.

Usage: python3 data/eurasia/cut_poland.py SHARED_PLRAILMAP_OSM
"""
import csv
import json
import os
import sys
import xml.etree.ElementTree as ET

from cutlib import chains, hv as hv_lonlat, shortest_path

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sources", "poland")
# Dorohusk is not on PLRailMap's track (a passenger map: its nearest track node is 15 km away): its station is kept
# all the same (EXTRA_STATIONS), for the build's schematic link Yahodyn - Dorohusk.
EXTRA_STATIONS = ["Dorohusk"]
ROUTES = [("Terespol", "Warszawa Centralna"), ("Przemyśl Główny", "Warszawa Centralna")]
STATION_M = 100.0


def hv(a, b):
    """Distance in km between two (lat, lon) points."""
    return hv_lonlat((a[1], a[0]), (b[1], b[0]))


def main(path):
    root = ET.parse(path).getroot()
    coord, tags = {}, {}
    for n in root.iter("node"):
        i = int(n.get("id"))
        coord[i] = (float(n.get("lat")), float(n.get("lon")))
        t = {k.get("k"): k.get("v") for k in n.iter("tag")}
        if t:
            tags[i] = t
    adj = {}
    for w in root.iter("way"):
        t = {k.get("k"): k.get("v") for k in w.iter("tag")}
        if t.get("railway") != "rail":
            continue
        nds = [int(nd.get("ref")) for nd in w.iter("nd")]
        for a, b in zip(nds, nds[1:]):
            d = hv(coord[a], coord[b])
            adj.setdefault(a, []).append((b, d))
            adj.setdefault(b, []).append((a, d))
    stations = {i: t for i, t in tags.items() if t.get("railway") == "station"}
    track = {}
    for name in sorted({n for r in ROUTES for n in r}):
        sid = [i for i, t in stations.items() if t.get("name") == name]
        assert len(sid) == 1, name
        near = min(adj, key=lambda i: (hv(coord[i], coord[sid[0]]), i))
        print("%s: track node %d, %.0f m from the station node" % (name, near, hv(coord[near], coord[sid[0]]) * 1000))
        track[name] = near
    kept = set()
    for a, z in ROUTES:
        seq, length = shortest_path(adj, track[a], track[z])
        print("%s -> %s: %d nodes, %.1f km" % (a, z, len(seq), length))
        kept.update((min(p, q), max(p, q)) for p, q in zip(seq, seq[1:]))
    feats = [{"type": "Feature", "properties": {"osm_node_ids": line},
              "geometry": {"type": "LineString", "coordinates": [[coord[i][1], coord[i][0]] for i in line]}}
             for line, _ in chains(kept)]
    with open(os.path.join(OUT, "lines.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "source": "PLRailMap plrailmap.osm (MKuranowski/PLRailMap commit "
                   "332b1cc7, 2023-03-19), CC0 1.0: shortest paths over its railway=rail ways, cut by "
                   "data/eurasia/cut_poland.py", "features": feats}, f, ensure_ascii=False)
        f.write("\n")
    seq = sorted({v for e in kept for v in e})
    on = set(seq)
    rows = []
    for i, t in sorted(stations.items()):
        if i in on or t.get("name") in EXTRA_STATIONS or min(hv(coord[i], coord[j]) for j in seq) * 1000 <= STATION_M:
            rows.append([i, t.get("name", ""), t.get("name:pl", ""), t.get("name:uk", ""), t.get("name:ru", ""),
                         t.get("ref", ""), "%.7f" % coord[i][0], "%.7f" % coord[i][1]])
    with open(os.path.join(OUT, "stations.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["osm_id", "name", "name_pl", "name_uk", "name_ru", "ref", "lat", "lon"])
        w.writerows(rows)
    print("%d stations" % len(rows))


if __name__ == "__main__":
    main(sys.argv[1])
