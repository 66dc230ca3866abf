#!/usr/bin/env python3
"""world.py: `make bench-world`. bogie on a network the size of the world's railways (issue 16): bench/gen over
Eurasia, Africa and the Americas (50 million OSM nodes by default, some 2.5 million graph nodes), then, in one run:
the import's time and peak memory, the graph's opening (mmap, every check verified), each train's hierarchy build,
its queries at p50 and p99 with the path, A* with landmarks and plain Dijkstra on the same pairs (bench/route_pairs),
and the server's requests per second on random pairs of stations with the answer cache off (wrk, as bench-serve).
Writes the "world" section of bench/RESULTS.md.

Usage: python3 bench/world.py [--nodes N] [--pairs P] [--quick] [--no-write]
  (BOGIE, GEN, PAIRS name the binaries)  --quick: 2 million nodes and fewer pairs, a few minutes.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import serve  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAINS = ["armoured", "china-europe-freight"]
# Eurasia, Africa and the Americas: all the land bench/gen's outlines give between these bounds.
BBOX = "-170,-56,180,72"
GOALS = "import under 10 minutes and 8 GiB; open under 200 ms; a hierarchy under 60 s; queries under 1 ms with the path"


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode, (proc.stderr or proc.stdout)[-2000:]))
    return proc.stdout


def wait_prepared(srv, timeout_s):
    """Waits until the server's background thread has built every train's hierarchy (/health's prepared); returns
    the seconds it took and the number of trains."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        with urllib.request.urlopen(srv.url + "/health", timeout=10) as r:
            h = json.loads(r.read())
        if h["prepared"] >= h["trains"]:
            return time.perf_counter() - t0, h["trains"]
        time.sleep(1)
    raise RuntimeError("the server did not prepare its trains in %d s" % timeout_s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=50_000_000)
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=20, help="wrk's time")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.nodes, args.pairs, args.seconds = 2_000_000, 50, 5
    bogie, gen = benchlib.binary("BOGIE", "build/bogie"), benchlib.binary("GEN", "build/bench/gen")
    pairs_bin, data = benchlib.binary("PAIRS", "build/bench/route_pairs"), os.path.join(ROOT, "data")
    tmp = tempfile.mkdtemp(prefix="bogie-world-")
    try:
        osm = os.path.join(tmp, "world.osm.gz")
        gen_s, _ = benchlib.run_once([gen, "--nodes", str(args.nodes), "--seed", "1", "--data", data, "--bbox", BBOX,
                                      "--gzip-level", "1", "-q", "-o", osm])
        net = os.path.join(tmp, "world.bogie")
        imp_s, imp_kib = benchlib.run_once([bogie, "import", "-q", "--data", data, osm, "-o", net])
        info = json.loads(run([bogie, "info", "--json", net]))
        print("generated in %.0f s, imported in %.0f s (%.0f MiB)" % (gen_s, imp_s, imp_kib / 1024), file=sys.stderr)
        os.unlink(osm)
        rows = []
        for train in TRAINS:
            dump = os.path.join(tmp, "pairs-%s.txt" % train)
            r = json.loads(run([pairs_bin, net, data, os.path.join(data, "trains", train + ".json"), str(args.pairs),
                                "7", "--stations", "--json", "--dump", dump]))
            r["train"], r["dump"] = train, dump
            rows.append(r)
            print("routed %s: %s" % (train, json.dumps(r)), file=sys.stderr)
        # The server: every train prepared in the background, then random pairs of stations (those route_pairs
        # routed, as coordinates) with the cache off.
        paths = []
        for r in rows:
            for line in open(r["dump"]):
                p = line.split()
                paths.append("/route/v1/%s/%s,%s;%s,%s?overview=full" % (r["train"], p[7], p[6], p[9], p[8]))
        with serve.Server(bogie, net, 2, False) as srv:
            prep_s, n_trains = wait_prepared(srv, 3600)
            w = serve.wrk(srv.url, paths, args.seconds, 8, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    r0 = rows[0]
    lines = ["## World-size network", "",
             "`make bench-world`%s, %s. Machine: %s." % (" --quick" if args.quick else "",
                                                         datetime.date.today().isoformat(), benchlib.machine()), "",
             "Network: `bench/gen --nodes %d --seed 1 --bbox %s` (Eurasia, Africa and the Americas; bench/GENERATOR.md):"
             " %d OSM nodes, giving %d graph nodes, %d edges and %.0f km of track. Goals (issue 16): %s." % (
                 args.nodes, BBOX, info["import"]["nodes_read"], info["nodes"], info["edges"], info["track_km"],
                 GOALS), "",
             "| stage | time | memory |", "|---|---|---|",
             "| generate (bench/gen, gzip level 1) | %.0f s | |" % gen_s,
             "| import (`bogie import`, XML) | %.0f s | %.0f MiB peak |" % (imp_s, imp_kib / 1024),
             "| open (mmap, every offset and checksum verified) | %.1f ms | |" % (r0["open_s"] * 1000),
             "| the server prepares its %d trains' hierarchies (1 background thread, one train after another, each "
             "contraction on the machine's cores, at most 4) | %.0f s | |" % (
                 n_trains, prep_s), "",
             "Queries: %d random pairs of stations per train (bench/route_pairs: each method over all the pairs in "
             "its own loop); baseline: bogie's plain Dijkstra on the same pairs in the same run." % args.pairs, "",
             "| train | routed | mean km | hierarchy build | hierarchy p50 / p99 | A* (landmarks) p50 / p99 | "
             "Dijkstra p50 / p99 | hierarchy vs Dijkstra (mean) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        d, a, c = r["dijkstra"], r["alt"], r["ch"]
        lines.append("| %s | %d | %.0f | %.1f s | %.3f / %.3f ms | %.1f / %.1f ms | %.1f / %.1f ms | %.0f× |" % (
            r["train"], r["found"], r["mean_km"], r["hierarchy_s"], c["p50_ms"], c["p99_ms"], a["p50_ms"],
            a["p99_ms"], d["p50_ms"], d["p99_ms"], d["mean_ms"] / c["mean_ms"] if c["mean_ms"] > 0 else 0))
    bad = sum(r["mismatches"] + r["path_diffs"] for r in rows)
    lines += ["", "Every pair's route was the same three ways (%d differences of cost or path)." % bad, "",
              "Server: `bogie serve --no-cache --threads 2` with every hierarchy built, wrk on loopback (2 threads, 8 "
              "connections, %d s, sharing the machine's 2 cores with the server) over the %d routed pairs as "
              "`/route/v1` requests with the full geometry: %.0f requests per second, p50 %.1f ms, p99 %.1f ms, "
              "%d errors." % (args.seconds, len(paths), w["rps"], w["p50"], w["p99"], w["errors"])]
    if not args.no_write:
        benchlib.write_section("world", "\n".join(lines))
    print("\n".join(lines))
    sys.exit(1 if bad or w["errors"] else 0)


if __name__ == "__main__":
    main()
