#!/usr/bin/env python3
"""serve.py: `make bench-serve`. Drives `bogie serve` with wrk on loopback, for a bounded time, on the corridor
journey and on random station pairs, with the answer cache on and off, and writes requests per second, p50 and p99
latency and errors to bench/RESULTS.md. The baseline, measured in the same run, is the CLI: one `bogie route` process
per journey, which is what a user without the server would run.

Usage: python3 bench/serve.py [--seconds S] [--connections C] [--quick]
(BOGIE names the binary, CORRIDOR the corridor network; the Cologne network is imported afresh.)
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORRIDOR_ROUTE = "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124"

# wrk picks one of the paths at random for each request; each thread seeds its own generator.
LUA = """
paths = {%s}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) math.randomseed(id * 7919) end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
"""


class Server:
    """bogie serve on a free loopback port, for a with-block."""

    def __init__(self, bogie, network, threads, cache):
        self.port = benchlib.free_port()
        cmd = benchlib.serve_command(bogie, network, threads, cache, self.port)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = "http://127.0.0.1:%d" % self.port
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("bogie serve did not start")

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        if self.proc.wait(timeout=30) != 0:
            raise RuntimeError("bogie serve exited with %d after SIGTERM" % self.proc.returncode)


def parse_wrk(out):
    """Requests per second, p50 and p99 in ms, the request count and the error count from wrk --latency's output."""
    def ms(text):
        m = re.match(r"([\d.]+)(us|ms|s)", text)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    n = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(g) for g in m.groups())
    return {"rps": rps, "p50": p50, "p99": p99, "n": n, "errors": errors}


def wrk(url, paths, seconds, connections, tmp):
    script = os.path.join(tmp, "paths.lua")
    with open(script, "w") as f:
        f.write(LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def random_pairs(srv, train, count, seed, kind):
    """count random pairs of places between which train has a route, as /route/v1 paths (checked once each). The
    places are the network's stations (kind "station") or the points of its track (kind "track")."""
    status, body = srv.get("/api/network?zoom=18")
    stations = []
    for f in json.loads(body)["features"]:
        if f["properties"].get("kind") == kind:
            g = f["geometry"]
            stations += [g["coordinates"]] if g["type"] == "Point" else g["coordinates"]
    rng = random.Random(seed)
    paths, tried = [], 0
    while len(paths) < count and tried < count * 20:
        tried += 1
        a, b = rng.sample(stations, 2)
        p = "/route/v1/%s/%.6f,%.6f;%.6f,%.6f?overview=full" % (train, a[0], a[1], b[0], b[1])
        if srv.get(p)[0] == 200:
            paths.append(p)
    return paths, len(stations)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--quick", action="store_true", help="3 s per run")
    args = ap.parse_args()
    seconds = 3 if args.quick else args.seconds
    bogie = os.path.abspath(os.environ.get("BOGIE", os.path.join(ROOT, "build/bogie")))
    corridor = os.path.abspath(os.environ.get("CORRIDOR", os.path.join(ROOT, "build/corridor.bogie")))
    threads = os.cpu_count() or 2
    tmp = tempfile.mkdtemp(prefix="bogie-bench-")
    cologne = os.path.join(tmp, "cologne.bogie")
    subprocess.run([bogie, "import", "-q", "--data", os.path.join(ROOT, "data"),
                    os.path.join(ROOT, "tests/data/osm/cologne-railway.osm.pbf"), "-o", cologne], check=True)
    rows = []
    try:
        cli_t, cli_m = benchlib.measure([bogie, "route", "--network", corridor, "--data", os.path.join(ROOT, "data"),
                                         "--from", "Pyongyang", "--to", "Vladivostok", "--train", "armoured",
                                         "--format", "json"], 5)
        cases = [("corridor journey (armoured, Pyongyang-Vladivostok)", corridor, "armoured", None),
                 ("random station pairs, corridor (armoured)", corridor, "armoured", "station"),
                 ("random points on track, Cologne (emu-1435)", cologne, "emu-1435", "track")]
        for label, network, train, kind in cases:
            for cache in (True, False):
                with Server(bogie, network, threads, cache) as srv:
                    if kind is None:
                        paths, n_st = [CORRIDOR_ROUTE], None
                        status, _ = srv.get(CORRIDOR_ROUTE)
                        assert status == 200, status
                    else:
                        paths, n_st = random_pairs(srv, train, 200, 42, kind)
                    r = wrk(srv.url, paths, seconds, args.connections, tmp)
                r.update(label=label, cache=cache, paths=len(paths), stations=n_st)
                rows.append(r)
                print("measured %s, cache %s: %.0f req/s" % (label, "on" if cache else "off", r["rps"]),
                      file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    cli_rps = 1 / cli_t
    lines = ["## Serve", "",
             "`make bench-serve`, %s. wrk on loopback, 2 threads, %d connections, %d s per run; `bogie serve` with "
             "%d threads on the same machine (so wrk and the server share its cores)."
             % (datetime.date.today().isoformat(), args.connections, seconds, threads),
             "Machine: %s." % benchlib.machine(), "",
             "Baseline: the CLI, `bogie route --format json` for the corridor journey, one process per journey: "
             "%.1f ms and %.1f MiB per journey (median of 5), so %.0f journeys per second on one core. The ratio is "
             "the server's requests per second over that. Errors count non-2xx answers and socket errors. With the "
             "cache on, a repeated request is answered from the in-memory cache of whole answers (64 MiB, "
             "least recently used); `--no-cache` plans every request." % (cli_t * 1000, cli_m / 1024, cli_rps), "",
             "| workload | cache | requests/s | p50 | p99 | requests | errors | ratio to CLI |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        what = r["label"] + ("" if r["stations"] is None else ", %d pairs of %d places" % (r["paths"], r["stations"]))
        lines.append("| %s | %s | %.0f | %.2f ms | %.2f ms | %d | %d | %.0f× |" % (
            what, "on" if r["cache"] else "off", r["rps"], r["p50"], r["p99"], r["n"], r["errors"],
            r["rps"] / cli_rps))
    goal = rows[0]
    lines += ["", "Goal (issue 4): at least 5,000 route requests per second on 2 cores on the corridor, with 0 errors: "
              "%s (%.0f requests/s, %d errors, with the cache; %.0f without it)."
              % ("met" if goal["rps"] >= 5000 and goal["errors"] == 0 else "NOT met", goal["rps"], goal["errors"],
                 rows[1]["rps"])]
    benchlib.write_section("serve", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
