#!/usr/bin/env python3
"""route.py: `make bench-route`. bogie at scale: generates a continental synthetic network (bench/gen), imports it
(time and peak memory per million OSM nodes), opens it, and routes random pairs for the standard train profiles
three ways: plain Dijkstra (the baseline, measured in the same run), A* with landmarks, and the contraction hierarchy;
then a 100 x 100 matrix, and the same pairs through pgRouting's pgr_dijkstra in a throwaway PostgreSQL cluster on
loopback. Writes the "route" section of bench/RESULTS.md.

Then the side-by-side with RoutingKit (issue 16): bench/ch_compare builds the armoured train's hierarchy and times
its queries through ch_route alone, each kind in a loop of its own, and writes the very state graph and query states
for bench/routingkit (RoutingKit, built from ../shared/anchors/routingkit by the Makefile), which answers the same
queries on the same states and checks every cost.

Usage: python3 bench/route.py [--nodes N] [--pairs P] [--quick]
  (BOGIE, GEN, PAIRS, CH_COMPARE, ROUTINGKIT name the binaries; ROUTINGKIT empty: no side-by-side)
--quick: a 200,000-node network, fewer pairs and pgRouting queries; well under two minutes.
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAINS = ["armoured", "china-europe-freight", "ru-passenger", "emu-1435", "talgo-variable"]
PG_BIN = "/usr/lib/postgresql/15/bin"
# Europe and Asia from the Atlantic to the Pacific: the China-Europe freight corridors' extent.
BBOX = "-10,20,140,65"


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode, (proc.stderr or proc.stdout)[-2000:]))
    return proc


class Postgres:
    """A throwaway PostgreSQL 15 cluster with pgRouting on loopback, stopped and deleted on exit. PostgreSQL refuses
    to run as root, so as root the cluster belongs to the postgres user the Debian package creates."""

    def __init__(self):
        self.port = benchlib.free_port()
        self.as_user = []
        if os.geteuid() == 0:
            # The postgres user must reach the directory: under /tmp itself, not a private temporary directory.
            self.dir = tempfile.mkdtemp(prefix="bogie-pg-", dir="/tmp")
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        else:
            self.dir = tempfile.mkdtemp(prefix="bogie-pg-")
        self.data = os.path.join(self.dir, "data")
        run(self.as_user + [os.path.join(PG_BIN, "initdb"), "-D", self.data, "-A", "trust", "-U", "bench"])
        run(self.as_user + [os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w",
                            "-o", "-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off" % (self.port, self.dir),
                            "start"])

    def psql(self, sql, stdin=None):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "bench", "-d", "postgres",
                               "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], check=True, capture_output=True, text=True,
                              input=stdin).stdout

    def stop(self):
        subprocess.run(self.as_user + [os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def pgrouting(edges_csv, pairs, limit):
    """Median seconds per pgr_dijkstra query over the first `limit` pairs (source, target, bogie's times), with the
    graph loaded once; the SQL passes the edges on every call, as pgr_dijkstra requires."""
    pg = Postgres()
    try:
        pg.psql("CREATE EXTENSION pgrouting CASCADE")
        pg.psql("CREATE TABLE edges (id bigint, source bigint, target bigint, cost float8, reverse_cost float8)")
        with open(edges_csv) as f:
            pg.psql("COPY edges FROM STDIN WITH (FORMAT csv, HEADER true)", stdin=f.read())
        pg.psql("ANALYZE edges")
        pg.psql("CREATE TABLE pairs (n int, source bigint, target bigint)")
        pg.psql("COPY pairs FROM STDIN WITH (FORMAT csv)",
                stdin="".join("%d,%d,%d\n" % (i, s, t) for i, (s, t, *_) in enumerate(pairs[:limit])))
        # Timed inside the server, so that starting psql is not counted.
        pg.psql("""CREATE TABLE timings (n int, seconds float8, cost float8);
DO $$
DECLARE p record; t0 timestamptz; c float8;
BEGIN
  FOR p IN SELECT * FROM pairs ORDER BY n LOOP
    t0 := clock_timestamp();
    SELECT coalesce(sum(cost), -1) INTO c FROM pgr_dijkstra(
      'SELECT id, source, target, cost, reverse_cost FROM edges', p.source, p.target, true);
    INSERT INTO timings VALUES (p.n, extract(epoch FROM clock_timestamp() - t0), c);
  END LOOP;
END $$""")
        times = [float(x) for x in pg.psql("SELECT seconds FROM timings ORDER BY n").split()]
        return statistics.median(times), len(times)
    finally:
        pg.stop()


def side_by_side(ch_compare, routingkit, net, data, pairs, tmp):
    """bogie's ch_route and RoutingKit on the armoured train's state graph, the same query states: two dicts (the
    second None when RoutingKit is not built)."""
    out = os.path.join(tmp, "side")
    os.makedirs(out, exist_ok=True)
    bogie_side = json.loads(run([os.path.abspath(ch_compare), net, data, os.path.join(data, "trains", "armoured.json"),
                                 str(pairs), "11", out]).stdout)
    print("ch_compare: %s" % json.dumps(bogie_side), file=sys.stderr)
    if not routingkit or not os.path.exists(routingkit):
        return bogie_side, None
    rk = json.loads(run([os.path.abspath(routingkit), out]).stdout)
    print("routingkit: %s" % json.dumps(rk), file=sys.stderr)
    return bogie_side, rk


def side_by_side_lines(side):
    b, rk = side
    lines = ["", "### Side by side with RoutingKit", "",
             "The armoured train's state graph as bogie contracts it (%d states, %d arcs; bogie's hierarchy adds %d "
             "shortcuts in %.1f s), and %d random pairs of stations with a route: bench/ch_compare times bogie's "
             "`ch_route` alone on the seeds the planner gives it (every start and end state with its cost), each "
             "kind of query in a loop of its own; bench/routingkit answers the same queries with RoutingKit's "
             "`ContractionHierarchyQuery` (`add_source`/`add_target` with the same states and costs, weights in "
             "milliseconds since RoutingKit's are integers), one after another, and checks each distance against "
             "bogie's cost within half a millisecond per arc of the path. Baseline: RoutingKit, in the same run." % (
                 b["states"], b["arcs"], b["shortcuts"], b["build_s"], b["queries"]), ""]
    if rk is None:
        return lines + ["RoutingKit was not built (its source, ROUTINGKIT_SRC, was not found): bogie alone, with the "
                        "path p50 / p99 %.4f / %.4f ms, the cost alone %.4f / %.4f ms." % (
                            b["path"]["p50_ms"], b["path"]["p99_ms"], b["cost"]["p50_ms"], b["cost"]["p99_ms"])]

    def row(name, x, build, ref):
        ratio = lambda k, q: x[k][q] / ref[k][q] if ref[k][q] > 0 else 0
        return "| %s | %.1f s | %.4f / %.4f ms | %.2f× / %.2f× | %.4f / %.4f ms | %.2f× / %.2f× |" % (
            name, build, x["path"]["p50_ms"], x["path"]["p99_ms"], ratio("path", "p50_ms"), ratio("path", "p99_ms"),
            x["cost"]["p50_ms"], x["cost"]["p99_ms"], ratio("cost", "p50_ms"), ratio("cost", "p99_ms"))
    lines += ["| | build | with the path p50 / p99 | against RoutingKit | the cost alone p50 / p99 | "
              "against RoutingKit |", "|---|---|---|---|---|---|",
              row("bogie (`ch_route`)", b, b["build_s"], rk),
              row("RoutingKit, the same states", rk, rk["build_s"], rk),
              row("RoutingKit, the plain node graph (%d nodes, %d arcs; no turn rules or gauges)" % (
                  rk["node_graph"]["nodes"], rk["node_graph"]["arcs"]), rk["node_graph"], rk["node_graph"]["build_s"],
                  rk),
              "", "Distances that differ from bogie's beyond the rounding: %d of %d. Goal (issue 16): bogie within "
              "1.5× of RoutingKit on the same states, with the path, at p50 and p99." % (rk["mismatches"],
                                                                                       rk["queries"])]
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=5_000_000)
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--pg-queries", type=int, default=20)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print the section, leave bench/RESULTS.md alone")
    args = ap.parse_args()
    if args.quick:
        args.nodes, args.pairs, args.pg_queries = 200_000, 200, 5
    bogie, gen = benchlib.binary("BOGIE", "build/bogie"), benchlib.binary("GEN", "build/bench/gen")
    pairs_bin, data = benchlib.binary("PAIRS", "build/bench/route_pairs"), os.path.join(ROOT, "data")
    tmp = tempfile.mkdtemp(prefix="bogie-bench-")
    try:
        osm = os.path.join(tmp, "continent.osm.gz")
        t0 = time.perf_counter()
        run([gen, "--nodes", str(args.nodes), "--seed", "1", "--data", data, "--bbox", BBOX, "-q", "-o", osm])
        gen_s = time.perf_counter() - t0
        net = os.path.join(tmp, "continent.bogie")
        # The import's fixed cost (mostly the country outlines), from the bundled corridor: a few hundred nodes.
        _, base_kib = benchlib.run_once([bogie, "import", "-q", "--data", data,
                                         os.path.join(data, "corridor", "corridor.osm"), "-o", net])
        imp_s, imp_kib = benchlib.run_once([bogie, "import", "-q", "--data", data, osm, "-o", net])
        info = json.loads(run([bogie, "info", "--json", net]).stdout)
        osm_nodes = info["import"]["nodes_read"]
        print("generated %d OSM nodes in %.1f s, imported in %.1f s" % (osm_nodes, gen_s, imp_s), file=sys.stderr)
        rows, skipped = [], []
        for train in TRAINS:
            dump = os.path.join(tmp, "pairs-%s.txt" % train)
            proc = subprocess.run([pairs_bin, net, data, os.path.join(data, "trains", train + ".json"),
                                   str(args.pairs), "7", "--stations", "--json", "--dump", dump],
                                  capture_output=True, text=True)
            if proc.returncode != 0 and "fewer than two usable nodes" in proc.stderr:
                skipped.append(train)
                continue
            if proc.returncode != 0:
                raise RuntimeError("route_pairs failed for %s: %s" % (train, proc.stderr[-2000:]))
            out = proc.stdout
            r = json.loads(out)
            r["train"] = train
            r["dump"] = dump
            rows.append(r)
            print("routed %s: %s" % (train, out.strip()), file=sys.stderr)
        mx = json.loads(run([pairs_bin, net, data, os.path.join(data, "trains", "china-europe-freight.json"), "0", "9",
                             "--stations", "--json", "--matrix", "100", "--check-cells", "20"]).stdout)
        # pgRouting on the china-europe-freight train's edges (both its gauges), the same pairs as bogie.
        edges = os.path.join(tmp, "edges.csv")
        run([pairs_bin, net, data, os.path.join(data, "trains", "china-europe-freight.json"), "0", "1",
             "--export-edges", edges])
        side = side_by_side(os.environ.get("CH_COMPARE", os.path.join(ROOT, "build/bench/ch_compare")),
                            os.environ.get("ROUTINGKIT", ""), net, data, args.pairs, tmp)
        cef = next(r for r in rows if r["train"] == "china-europe-freight")
        pairs = [[float(x) for x in line.split()] for line in open(cef["dump"])]
        pairs = [(int(p[0]), int(p[1]), p[2], p[3], p[4]) for p in pairs]
        pg_s, pg_n = pgrouting(edges, pairs, args.pg_queries)
        ch_same = statistics.median([p[4] for p in pairs[:pg_n]]) / 1000
        dj_same = statistics.median([p[2] for p in pairs[:pg_n]]) / 1000
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    r0 = rows[0]
    lines = ["## Routing at scale", "",
             "`make bench-route`%s, %s. Machine: %s." % (" --quick" if args.quick else "",
                                                         datetime.date.today().isoformat(), benchlib.machine()), "",
             "Network: `bench/gen --nodes %d --seed 1 --bbox %s` (Europe and Asia; see bench/GENERATOR.md): %d OSM "
             "nodes, giving %d graph nodes and %d edges; %d landmarks." % (
                 args.nodes, BBOX, osm_nodes, r0["nodes"], r0["edges"], r0["landmarks"]),
             "Generated in %.1f s; imported (XML) in %.1f s with a peak of %.0f MiB: %.0f MiB that any import takes "
             "(the country outlines; measured on the corridor) plus %.0f MiB per million OSM nodes. Opened (mmap, "
             "every index and checksum verified) in %.1f ms." % (
                 gen_s, imp_s, imp_kib / 1024, base_kib / 1024, (imp_kib - base_kib) / 1024 / (osm_nodes / 1e6),
                 r0["open_s"] * 1000), "",
             "Baseline: bogie's own plain Dijkstra over the same (half-edge, gauge) states, on the same pairs in the "
             "same run. %d random pairs of stations per train; times are per route search (the journey's physics "
             "and output come on top). The hierarchy is built once per train profile (`bogie_planner_prepare`; "
             "`bogie serve` does it in the background at start)." % args.pairs, "",
             "| train | routed | mean km | Dijkstra p50 / p99 | A* (landmarks) p50 / p99 | hierarchy p50 / p99 | "
             "hierarchy vs Dijkstra (mean) | build |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        d, a, c = r["dijkstra"], r["alt"], r["ch"]
        lines.append("| %s | %d | %.0f | %.2f / %.2f ms | %.2f / %.2f ms | %.3f / %.3f ms | %.0f× | %.1f s |" % (
            r["train"], r["found"], r["mean_km"], d["p50_ms"], d["p99_ms"], a["p50_ms"], a["p99_ms"], c["p50_ms"],
            c["p99_ms"], d["mean_ms"] / c["mean_ms"] if c["mean_ms"] > 0 else 0, r["hierarchy_s"]))
    for train in skipped:
        lines.append("| %s | – | – | no station on track it can use (gauge and wires) | | | | |" % train)
    bad = sum(r["mismatches"] + r["path_diffs"] for r in rows) + mx["mismatches"]
    lines += ["", "The speed-up grows with the route's length: the two electric trains' systems cover only some "
              "regions, so their routes are short and plain Dijkstra's search is already small.", "",
              "Every pair's route was the same three ways (%d differences of cost or path)." % bad, "",
              "Matrix: 100 × 100 random stations for china-europe-freight from the hierarchy in %.3f s; %d random "
              "cells checked against Dijkstra (%d of them with a route): %d mismatches." % (
                  mx["matrix_s"], mx["checked"], mx["routed"], mx["mismatches"]), "",
              "pgRouting 3.4 (`pgr_dijkstra`, PostgreSQL 15 on loopback, edges of the china-europe-freight train with "
              "its line speeds as costs, no turn rules or gauge changes), %d of the same pairs: median %.0f ms per "
              "query, against bogie's hierarchy %.3f ms (%.0f×) and bogie's plain Dijkstra %.1f ms (%.0f×)." % (
                  pg_n, pg_s * 1000, ch_same * 1000, pg_s / ch_same if ch_same > 0 else 0, dj_same * 1000,
                  pg_s / dj_same if dj_same > 0 else 0)]
    lines += side_by_side_lines(side)
    if not args.no_write:
        benchlib.write_section("route", "\n".join(lines))
    print("\n".join(lines))
    # The run fails when the methods disagree, so that CI catches it.
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
