#!/usr/bin/env python3
"""route_turns.py: reads a route bogie wrote as JSON and measures it independently of bogie, from its geometry and,
with --osm FILE, from the OSM file it was imported from (read with `osmium cat -f opl`).

Usage: route_turns.py ROUTE.json [--osm FILE]
Prints a JSON object:
  sharpest_turn_deg: the largest change of direction along the line, each measured between the points 50 m before
                     and 50 m after a point (as bogie measures its bearings), leaving out 100 m either side of the
                     reversals the route lists as stops: a route with a turn near 180 degrees elsewhere reverses
                     where it does not say so;
  reversals:         the number of reversal stops;
  against_km:        (with --osm) the length run against the railway:preferred_direction of the ways it runs on.
"""
import json
import math
import subprocess
import sys

R = 6371008.8


def hav(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    d = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, d)))


def bearing(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    y = math.sin(lo2 - lo1) * math.cos(la2)
    x = math.cos(la1) * math.sin(la2) - math.sin(la1) * math.cos(la2) * math.cos(lo2 - lo1)
    return math.degrees(math.atan2(y, x)) % 360


def sharpest_turn(pts, skip_km):
    cum = [0.0]
    for p, q in zip(pts, pts[1:]):
        cum.append(cum[-1] + hav(p, q))
    worst = 0.0
    for i in range(1, len(pts) - 1):
        if any(abs(cum[i] / 1000 - k) < 0.1 for k in skip_km):
            continue
        j, k = i, i
        while j > 0 and cum[i] - cum[j] < 50:
            j -= 1
        while k < len(pts) - 1 and cum[k] - cum[i] < 50:
            k += 1
        if cum[i] - cum[j] < 1 or cum[k] - cum[i] < 1:
            continue
        d = abs((bearing(pts[i], pts[k]) - bearing(pts[j], pts[i]) + 540) % 360 - 180)
        worst = max(worst, d)
    return worst


def against_km(pts, osm):
    text = subprocess.run(["osmium", "cat", "-f", "opl", osm], check=True, capture_output=True, text=True).stdout
    at, seg = {}, {}
    for line in text.splitlines():
        f = line.split(" ")
        if f[0][0] == "n":
            x = next((t[1:] for t in f if t.startswith("x")), "")
            y = next((t[1:] for t in f if t.startswith("y")), "")
            if x and y:
                at[(round(float(y), 7), round(float(x), 7))] = int(f[0][1:])
        elif f[0][0] == "w":
            tags = next((t[1:] for t in f if t.startswith("T")), "").split(",")
            refs = [int(r[1:]) for r in next((t[1:] for t in f if t.startswith("N")), "").split(",") if r]
            pref = 1 if "railway:preferred_direction=forward" in tags else \
                -1 if "railway:preferred_direction=backward" in tags else 0
            for u, v in zip(refs, refs[1:]):
                seg[(u, v)] = pref
                seg[(v, u)] = -pref
    ids = [at.get((round(p[0], 7), round(p[1], 7))) for p in pts]
    total = 0.0
    for a, b, p, q in zip(ids, ids[1:], pts, pts[1:]):
        if seg.get((a, b), 0) < 0:
            total += hav(p, q)
    return total / 1000


def main():
    d = json.load(open(sys.argv[1]))
    pts = [(c[1], c[0]) for c in d["geometry"]["coordinates"]]
    rev = [s["km"] for s in d["stops"] if "reversal" in s["kinds"]]
    out = {"sharpest_turn_deg": round(sharpest_turn(pts, rev)), "reversals": len(rev)}
    if len(sys.argv) > 3 and sys.argv[2] == "--osm":
        out["against_km"] = round(against_km(pts, sys.argv[3]), 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
