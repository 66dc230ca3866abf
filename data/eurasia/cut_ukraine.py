#!/usr/bin/env python3
"""Cut data/eurasia/sources/ukraine/ from the Ukrainian OSM reference data (../shared/data/eurasia/ukraine/).

The source has 13,780 station-to-station segments that overlap: neighbouring segments repeat the same vertices (the
same coordinates), so the same track appears in several segments.  This script makes one track of them: every
distinct pair of consecutive vertices is one edge, however many segments contain it.  It then keeps only the edges
of the routes the eurasia network uses (ROUTES: shortest paths between stations over main-line edges, sidings and
spurs counting three times their length), and writes them as chains between junctions, each with its gauge:
  - an edge's gauge is the value of any single-gauge segment containing it ("1520", "1435", "1435;1520");
  - where every segment containing it lists several gauges (the source does not say which part has which), the
    gauge is the one all the lists share that fits most trains ("1435;1520" before "1520"), and marked ambiguous.
Stations: the source's stations on the kept vertices (within STATION_M), with every alias name and its language
(name_local: the aliases without a language, in the local language of the station's country).
Run once, by hand; the build reads only the cut files.

Usage: python3 data/eurasia/cut_ukraine.py SHARED_UKRAINE_DIR
"""
import csv
import glob
import json
import os
import sys

from cutlib import chains as cutlib_chains, hv, shortest_path

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sources", "ukraine")
ROUTES = [("kyiv", "lviv"), ("lviv", "Мостиська ІІ"), ("Мостиська ІІ", "Перемишль Головний"),
          ("lviv", "Чоп"), ("Чоп", "Záhony"), ("kovel", "Ягодин"), ("kyiv", "Ягодин")]
STATION_M = 150.0
SIDE_FACTOR = 3.0


def load(shared):
    st, seg = [], []
    for f in sorted(glob.glob(os.path.join(shared, "rail-reference", "stations-*.json"))):
        with open(f, encoding="utf-8") as fh:
            st += json.load(fh)["stations"]
    for f in sorted(glob.glob(os.path.join(shared, "rail-reference", "segments-*.json"))):
        with open(f, encoding="utf-8") as fh:
            seg += json.load(fh)["segments"]
    return st, seg


def edges_of(seg):
    """Undirected edge (vertex a, vertex b) -> list of the gauge lists and service shares of its segments."""
    edges = {}
    for s in seg:
        if s["railwayType"] != "rail":
            continue
        c = [tuple(p) for p in s["geometry"]["coordinates"]]
        for a, b in zip(c, c[1:]):
            if a != b:
                edges.setdefault((min(a, b), max(a, b)), []).append((tuple(s["gauges"]), s.get("serviceShare") or 0.0,
                                                                    s["usageType"]))
    return edges


def gauge_of(infos):
    singles = sorted({g[0] for g, _, _ in infos if len(g) == 1})
    if len(singles) == 1:
        return singles[0], False
    if len(singles) > 1:
        return ";".join(sorted({x for s in singles for x in s.split(";")})), False
    common = set.intersection(*[set(g) for g, _, _ in infos if g]) if any(g for g, _, _ in infos) else set()
    for pick in ("1435;1520", "1520", "1435"):
        if pick in common:
            return pick, True
    return "", True


def main(shared):
    st, seg = load(shared)
    edges = edges_of(seg)
    adj = {}
    for (a, b), infos in edges.items():
        side = min(sh for _, sh, _ in infos) > 0.5 or all(u != "main" for _, _, u in infos)
        w = hv(a, b) * (SIDE_FACTOR if side else 1.0)
        adj.setdefault(a, []).append((b, w))
        adj.setdefault(b, []).append((a, w))
    by_key = {}
    for s in st:
        by_key[s["stationId"]] = s
        by_key.setdefault(s["officialName"], s)
    vertices = list(adj)

    def nearest(s):
        p = tuple(s["coordinates"])
        return min(vertices, key=lambda v: (hv(p, v), v))

    kept = set()
    for a, z in ROUTES:
        src, dst = nearest(by_key[a]), nearest(by_key[z])
        path, _ = shortest_path(adj, src, dst)
        km = sum(hv(p, q) for p, q in zip(path, path[1:]))
        print("%s -> %s: %d vertices, %.1f km" % (a, z, len(path), km))
        for p, q in zip(path, path[1:]):
            kept.add((min(p, q), max(p, q)))
    # Chains: maximal runs of kept edges through vertices of degree 2 with the same gauge.
    gauge = {e: gauge_of(edges[e]) for e in kept}
    chains = [{"type": "Feature", "properties": {"gauge": g[0], "gauge_ambiguous": g[1]},
               "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]}}
              for line, g in cutlib_chains(kept, gauge.get)]
    deg = {v: 0 for e in kept for v in e}
    with open(os.path.join(OUT, "lines.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "source": "hermano-us/rail-ukraine-pulse 5703570d data/rail-reference "
                   "(OSM 2026-08-16, ODbL 1.0), cut by data/eurasia/cut_ukraine.py", "features": chains}, f,
                  ensure_ascii=False)
        f.write("\n")
    kv = sorted(deg)
    rows = []
    for s in st:
        p = tuple(s["coordinates"])
        if min(abs(p[0] - v[0]) + abs(p[1] - v[1]) for v in kv) > 0.01:
            continue
        d = min(hv(p, v) for v in kv) * 1000
        ends = {k for r in ROUTES for k in r}
        # Route ends are kept up to 1.5 km off: some of the source's station points are rounded to 0.001 degree.
        if d > (1500.0 if s["stationId"] in ends or s["officialName"] in ends else STATION_M):
            continue
        if s["stationType"] not in ("station", "halt"):
            continue
        names = {}
        for a in s["aliases"]:
            if a["type"] in ("name", "name:ru", "name:en", "name:uk", "name:pl", "name:hu"):
                names.setdefault(a["language"] or "local", a["value"])
        rows.append([s["stationId"], s["officialName"], names.get("local", ""), names.get("uk", ""),
                     names.get("ru", ""),
                     names.get("en", ""), names.get("pl", ""), names.get("hu", ""), s["stationType"],
                     s.get("osmId") or "", "%.7f" % p[1], "%.7f" % p[0]])
    rows.sort()
    with open(os.path.join(OUT, "stations.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["station_id", "official_name", "name_local", "name_uk", "name_ru", "name_en", "name_pl", "name_hu", "type",
                    "osm_id", "lat", "lon"])
        w.writerows(rows)
    print("%d chains, %d edges, %d stations" % (len(chains), len(kept), len(rows)))


if __name__ == "__main__":
    main(sys.argv[1])
