#!/usr/bin/env python3
"""gen_compare.py: measures how much synthetic networks from bench/gen.c resemble the real OpenStreetMap fixtures in
tests/data/osm/, and how long generating and importing them takes; prints the Markdown tables of bench/GENERATOR.md.

    python3 bench/gen_compare.py [--sizes 50000,500000,5000000] [--seed 1] [--work DIR]

It runs build/bogie import and build/bench/netstats on every fixture, and for each size build/bench/gen, then the
import (timed with /usr/bin/time), bogie info and netstats on the result. BOGIE, GEN, NETSTATS and DATA override
the paths of the tools and of the data directory."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOGIE = os.environ.get("BOGIE", os.path.join(ROOT, "build/bogie"))
GEN = os.environ.get("GEN", os.path.join(ROOT, "build/bench/gen"))
NETSTATS = os.environ.get("NETSTATS", os.path.join(ROOT, "build/bench/netstats"))
DATA = os.environ.get("DATA", os.path.join(ROOT, "data"))
FIXTURES = ["Helsinki.osm.pbf", "cologne-railway.osm.pbf", "vde8.2-rail.osm.pbf", "moscow.osm.gz",
            "sankt-poelten.overpass.json", "vilbel.overpass.json"]


def run(cmd):
    """Runs cmd, failing loudly with its output when it fails; returns its stdout."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r.stdout


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS in MB)."""
    r = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    line = [l for l in r.stderr.splitlines() if l.startswith("TIME ")][-1].split()
    return float(line[1]), int(line[2]) / 1024.0


def stats(net):
    return json.loads(run([NETSTATS, "--json", net]))


def gauges(km):
    """The main gauges by length, with their share of the track."""
    total = sum(km.values()) or 1
    rows = sorted(km.items(), key=lambda kv: -kv[1])
    return ", ".join("%s %.0f%%" % (k, 100 * v / total) for k, v in rows if v / total >= 0.005)


def resemblance_row(name, s):
    d = s["degree_pct"]
    r = s["radius_pct"]
    return ("| %s | %d | %.0f / %.0f / %.0f / %.1f | %.1f | %.1f | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f / %.0f | %s |"
            % (name, s["osm_nodes"], d["1"], d["2"], d["3"], d["4+"], s["osm_degree2_pct"], s["mean_segment_m"],
               s["mean_edge_m"], 100 * (1 - s["route_km"] / s["track_km"]) if s["track_km"] else 0,
               s["stations_per_100km"], s["electrified_pct"], s["maxspeed_pct"], s["osm_nodes_per_way"],
               r["<300"] + r["300-600"], r["<300"] + r["300-600"] + r["600-1200"] + r["1200-3000"],
               gauges(s["km_by_gauge"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50000,500000,5000000")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--work", default=None, help="directory for the generated files (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="gen_compare.")
    os.makedirs(work, exist_ok=True)
    rows, timing = [], []
    for f in FIXTURES:
        net = os.path.join(work, f + ".bogie")
        run([BOGIE, "import", "-q", os.path.join(ROOT, "tests/data/osm", f), "-o", net])
        rows.append(resemblance_row(f, stats(net)))
    for n in [int(x) for x in args.sizes.split(",") if x]:
        osm = os.path.join(work, "gen-%d.osm" % n)
        net = os.path.join(work, "gen-%d.bogie" % n)
        gen_s, gen_mb = timed([GEN, "-q", "--nodes", str(n), "--seed", args.seed, "--data", DATA, "-o", osm])
        imp_s, imp_mb = timed([BOGIE, "import", "-q", "--data", DATA, osm, "-o", net])
        info = json.loads(run([BOGIE, "info", "--json", net]))
        s = stats(net)
        rows.append(resemblance_row("gen %s, seed %s" % (format(n, ","), args.seed), s))
        timing.append("| %s | %.1f s, %.0f MB | %.0f MB | %.1f s, %.0f MB | %s | %s | %s | %s | %d / %d |" % (
            format(n, ","), gen_s, gen_mb, os.path.getsize(osm) / 1e6, imp_s, imp_mb,
            format(info["import"]["nodes_read"], ","), format(info["nodes"], ","), format(info["edges"], ","),
            format(info["stations"], ","), s["border_crossings"], s["breaks_of_gauge"]))
    print("| network | OSM nodes on track | degree 1 / 2 / 3 / 4+ % | deg-2 OSM nodes % | mean segment m "
          "| mean edge m | service track % | stations /100 km | electrified % | maxspeed % | OSM nodes /way "
          "| radius <600 / <3000 m % | gauges |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    print("\n".join(rows))
    if timing:
        print()
        print("| --nodes | generate (wall, peak RSS) | .osm size | import (wall, peak RSS) | OSM nodes read "
              "| graph nodes | graph edges | stations | border crossings / breaks of gauge |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print("\n".join(timing))


if __name__ == "__main__":
    main()
