#!/usr/bin/env python3
"""osm_reference.py: an independent reading of an OSM file, to check bogie's import against.

It reads the file with osmium (`osmium cat -f opl`) or, for Overpass JSON, with Python's json module, keeps the
ways bogie keeps (railway=rail and narrow_gauge, plus the types named with --include), and prints as JSON:
  ways:      number of kept ways
  km:        track length per gauge label (e.g. "1435", "760;1435", "unknown"), summed segment by segment with the
             haversine formula on a sphere of radius 6371008.8 m, over segments whose two nodes are both present
  gauges:    the sorted list of gauge labels
It shares no code with bogie. Usage: osm_reference.py FILE [--include tram,subway,light_rail]
"""
import json
import math
import subprocess
import sys
import urllib.parse

R = 6371008.8


def hav(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    d = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, d)))


def fixed(deg):
    # bogie stores degrees * 1e7 rounded to the nearest integer; do the same so lengths agree to the millimetre.
    return round(deg * 1e7) / 1e7


def gauge_label(v):
    if v is None:
        return "unknown"
    out = set()
    for part in v.split(";"):
        part = part.strip()
        if part == "standard":
            out.add(1435)
        elif part.isdigit() and 380 <= int(part) <= 1700:
            out.add(int(part))
    return ";".join(str(g) for g in sorted(out)) if out else "unknown"


def read_opl(path):
    nodes, ways = {}, []
    text = subprocess.run(["osmium", "cat", "-f", "opl", path], check=True, capture_output=True, text=True).stdout
    for line in text.splitlines():
        fields = line.split(" ")
        kind = fields[0][0]
        if kind == "n":
            x = y = None
            for f in fields[1:]:
                if f.startswith("x") and len(f) > 1:
                    x = float(f[1:])
                elif f.startswith("y") and len(f) > 1:
                    y = float(f[1:])
            if x is not None and y is not None:
                nodes[int(fields[0][1:])] = (fixed(y), fixed(x))
        elif kind == "w":
            tags, refs = {}, []
            for f in fields[1:]:
                if f.startswith("T") and len(f) > 1:
                    for kv in f[1:].split(","):
                        k, _, v = kv.partition("=")
                        tags[unescape(k)] = unescape(v)
                elif f.startswith("N") and len(f) > 1:
                    refs = [int(r[1:]) for r in f[1:].split(",")]
            ways.append((tags, refs))
    return nodes, ways


def unescape(s):
    # OPL escapes special characters as %XXXX% (hexadecimal code point).
    out, i = [], 0
    while i < len(s):
        if s[i] == "%":
            j = s.index("%", i + 1)
            out.append(chr(int(s[i + 1:j], 16)))
            i = j + 1
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def read_json(path):
    nodes, ways = {}, []
    for e in json.load(open(path, encoding="utf-8"))["elements"]:
        if e["type"] == "node":
            nodes[e["id"]] = (fixed(e["lat"]), fixed(e["lon"]))
        elif e["type"] == "way":
            refs = e.get("nodes", [])
            for ref, g in zip(refs, e.get("geometry", [])):
                if g:
                    nodes.setdefault(ref, (fixed(g["lat"]), fixed(g["lon"])))
            ways.append((e.get("tags", {}), refs))
    return nodes, ways


def main():
    path = sys.argv[1]
    include = set()
    if "--include" in sys.argv:
        include = set(sys.argv[sys.argv.index("--include") + 1].split(","))
    kept_types = {"rail", "narrow_gauge"} | include
    nodes, ways = read_json(path) if path.endswith(".json") else read_opl(path)
    km, n = {}, 0
    seen = set()
    for tags, refs in ways:
        if tags.get("railway") not in kept_types:
            continue
        key = tuple(refs)
        n += 1
        label = gauge_label(tags.get("gauge"))
        length = 0.0
        for a, b in zip(refs, refs[1:]):
            if a in nodes and b in nodes:
                length += hav(nodes[a], nodes[b])
        km[label] = km.get(label, 0.0) + length / 1000.0
        seen.add(key)
    print(json.dumps({"ways": n, "km": km, "gauges": sorted(km)}, sort_keys=True))


if __name__ == "__main__":
    main()
