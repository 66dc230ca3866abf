#!/usr/bin/env python3
"""osm_shortest.py: the shortest path by length along railway track between two points, computed independently of
bogie (osmium to read the file, Python's heapq for Dijkstra), to check the length of routes bogie finds.

Usage: osm_shortest.py FILE LAT1,LON1 LAT2,LON2
Reads railway=rail and narrow_gauge ways, joins them at shared nodes, starts and ends at the track nodes nearest to
the two points, and prints the length in km (haversine on a sphere of radius 6371008.8 m). It ignores gauges, wires,
turn restrictions and speeds, so it agrees with bogie only where the fastest allowed route is also the shortest.
"""
import heapq
import math
import subprocess
import sys

R = 6371008.8


def hav(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    d = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, d)))


def main():
    path = sys.argv[1]
    a = tuple(map(float, sys.argv[2].split(",")))
    b = tuple(map(float, sys.argv[3].split(",")))
    text = subprocess.run(["osmium", "cat", "-f", "opl", path], check=True, capture_output=True, text=True).stdout
    nodes, adj = {}, {}
    ways = []
    for line in text.splitlines():
        f = line.split(" ")
        if f[0][0] == "n":
            x = y = None
            for t in f[1:]:
                if t.startswith("x") and len(t) > 1:
                    x = float(t[1:])
                elif t.startswith("y") and len(t) > 1:
                    y = float(t[1:])
            if x is not None:
                nodes[int(f[0][1:])] = (round(y * 1e7) / 1e7, round(x * 1e7) / 1e7)
        elif f[0][0] == "w":
            tags = next((t[1:] for t in f if t.startswith("T")), "")
            refs = next((t[1:] for t in f if t.startswith("N")), "")
            if ("railway=rail" in tags.split(",") or "railway=narrow_gauge" in tags.split(",")) and refs:
                ways.append([int(r[1:]) for r in refs.split(",")])
    for refs in ways:
        for u, v in zip(refs, refs[1:]):
            if u in nodes and v in nodes:
                w = hav(nodes[u], nodes[v])
                adj.setdefault(u, []).append((v, w))
                adj.setdefault(v, []).append((u, w))
    s = min(adj, key=lambda n: hav(nodes[n], a))
    t = min(adj, key=lambda n: hav(nodes[n], b))
    dist = {s: 0.0}
    q = [(0.0, s)]
    while q:
        d, u = heapq.heappop(q)
        if u == t:
            print("%.3f" % (d / 1000))
            return
        if d > dist[u]:
            continue
        for v, w in adj.get(u, []):
            if d + w < dist.get(v, math.inf):
                dist[v] = d + w
                heapq.heappush(q, (d + w, v))
    print("none")


if __name__ == "__main__":
    main()
