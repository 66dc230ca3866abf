#!/usr/bin/env python3
"""Cut data/eurasia/sources/poland/ from PLRailMap (../shared/data/eurasia/poland/plrailmap-2023-03-19.osm).

Keeps only what the eurasia network uses: the track from Terespol to Warszawa Centralna, as the shortest path over
PLRailMap's ways (which share their nodes, so the path follows real junctions), written as one GeoJSON LineString with
the OSM node ids of its points, and the PLRailMap stations that lie on that path (their node is on it, or within
STATION_M of it), with every name they carry.  Run once, by hand; the build reads only the cut files.

Usage: python3 data/eurasia/cut_poland.py SHARED_PLRAILMAP_OSM
"""
import csv
import json
import os
import sys
import xml.etree.ElementTree as ET

from cutlib import hv as hv_lonlat, shortest_path

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sources", "poland")
ENDS = ("Terespol", "Warszawa Centralna")
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
    ends = []
    for name in ENDS:
        sid = [i for i, t in stations.items() if t.get("name") == name]
        assert len(sid) == 1, name
        near = min(adj, key=lambda i: (hv(coord[i], coord[sid[0]]), i))
        print("%s: track node %d, %.0f m from the station node" % (name, near, hv(coord[near], coord[sid[0]]) * 1000))
        ends.append(near)
    seq, length = shortest_path(adj, ends[0], ends[1])
    print("path: %d nodes, %.1f km" % (len(seq), length))
    feat = {"type": "Feature", "properties": {
        "name": "Terespol - Warszawa Centralna", "source": "PLRailMap plrailmap.osm (MKuranowski/PLRailMap commit "
        "332b1cc7, 2023-03-19), CC0 1.0: shortest path over its railway=rail ways", "osm_node_ids": seq},
        "geometry": {"type": "LineString", "coordinates": [[coord[i][1], coord[i][0]] for i in seq]}}
    with open(os.path.join(OUT, "terespol-warszawa.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": [feat]}, f, ensure_ascii=False, indent=0)
        f.write("\n")
    on = set(seq)
    rows = []
    for i, t in sorted(stations.items()):
        if i in on or min(hv(coord[i], coord[j]) for j in seq) * 1000 <= STATION_M:
            rows.append([i, t.get("name", ""), t.get("name:pl", ""), t.get("name:uk", ""), t.get("name:ru", ""),
                         t.get("ref", ""), "%.7f" % coord[i][0], "%.7f" % coord[i][1]])
    with open(os.path.join(OUT, "stations.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["osm_id", "name", "name_pl", "name_uk", "name_ru", "ref", "lat", "lon"])
        w.writerows(rows)
    print("%d stations" % len(rows))


if __name__ == "__main__":
    main(sys.argv[1])
