#!/usr/bin/env python3
"""soak.py: `make soak`. Starts `bogie serve` on the corridor network and sends it well-formed requests from a few
concurrent keep-alive clients (one process each): /route/v1, /api/journey, /table/v1, /nearest/v1 and /api/stations.
Every answer must be 200 and right: a repeated request must get exactly the bytes it got the first time, and one with
a departure time of its own the same route, length and duration as its repeated twin, leaving at the time asked. The
server's memory (VmRSS and VmHWM from /proc/PID/status) is sampled between rounds of requests, and the growth after a
warm-up judged: "flat" when it stays under a stated tolerance. When gdb is installed, the bytes glibc's malloc has in
use are read too (malloc_stats(), called through gdb) at the end of the warm-up and at the end, so that memory malloc
holds free between its allocations is not mistaken for a leak.

Two runs, each on a fresh server: one with --no-cache, where every request is planned and any growth would be a leak,
and one with the answer cache on. The cache is an LRU of 64 MiB and the command line cannot make it smaller, so in
that run about half the route and journey requests carry a departure time no other request has: the cache fills to
its cap during the warm-up and evicts from then on, and its growth is not mistaken for a leak.

Usage: python3 bench/soak.py [--requests N] [--clients C] [--quick]
(BOGIE names the binary, CORRIDOR the corridor network.) Writes the "soak" section of bench/RESULTS.md, except with
--quick (5,000 requests a run, for the test suite), which prints the section and writes nothing. Exits 1 when a
request failed, the server did not exit 0 on SIGTERM, or (without --quick) the memory was not flat.
"""
import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "127.0.0.1"
TRAINS = ["armoured", "ru-passenger"]
# Growth after the warm-up, by a least-squares line through the samples, above which memory is not called flat: a
# leak of 26 bytes a request or more would show over 90,000 requests.
TOLERANCE_KIB_PER_10K = 256
CACHE_MIB = 64


# ----- the server -----


class Server:
    """bogie serve on a free loopback port, its log in a temporary file, for a with-block."""

    def __init__(self, bogie, network, threads, cache):
        self.port = benchlib.free_port()
        cmd = benchlib.serve_command(bogie, network, threads, cache, self.port)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        self.exit_code = None
        for _ in range(300):
            try:
                status, _ = get_once(self.port, "/health")
                if status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("bogie serve did not start: %s" % self.log_text()[-500:])

    def memory(self):
        """VmRSS and VmHWM of the server, in KiB."""
        out = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0])
        return out["VmRSS"], out["VmHWM"]

    def log_text(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def heap(self):
        """The bytes glibc's malloc has in use and has taken from the system, in KiB, from malloc_stats(), which gdb
        calls in the server (it prints to the server's log); None without gdb, or when it cannot attach. RSS alone
        cannot tell a leak from memory that malloc holds free between its allocations; this can."""
        if not shutil.which("gdb"):
            return None
        before = self.log_text().count("max mmap bytes")
        try:
            subprocess.run(["gdb", "-p", str(self.proc.pid), "-batch", "-nx", "-ex", "call (void)malloc_stats()"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        for _ in range(50):
            text = self.log_text()
            if text.count("max mmap bytes") > before:
                total = text.rsplit("Total (incl. mmap):", 1)[1]
                system = re.search(r"system bytes\s*=\s*(\d+)", total)
                in_use = re.search(r"in use bytes\s*=\s*(\d+)", total)
                if system and in_use:
                    return int(in_use.group(1)) // 1024, int(system.group(1)) // 1024
            time.sleep(0.1)
        return None

    def stop(self):
        """SIGTERM, then the exit code (None when it had to be killed after 60 s)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.exit_code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def get_once(port, path, conn=None):
    """One GET on conn (or a connection of its own); returns (status, body)."""
    c = conn or http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        if conn is None:
            c.close()


# ----- the requests -----


def quote(s):
    return urllib.parse.quote(s, safe="")


def references(port):
    """The stations, the journeys that exist between them for each train, and the answer to every request that the
    soak repeats. Returns a dict that the clients share (read-only)."""
    stations = {}
    for q in "aeiouy":
        status, body = get_once(port, "/api/stations?q=%s&limit=50" % q)
        if status != 200:
            raise RuntimeError("/api/stations?q=%s: %d" % (q, status))
        for s in json.loads(body)["stations"]:
            stations[s["name"]] = (s["lat"], s["lon"])
    names = sorted(stations)
    rng = random.Random(11)
    pairs = []  # (train, from, to) with a route
    for train in TRAINS:
        tried = 0
        kept = 0
        while kept < 12 and tried < 200:
            tried += 1
            a, b = rng.sample(names, 2)
            status, _ = get_once(port, "/api/journey?from=%s&to=%s&train=%s" % (quote(a), quote(b), train))
            if status == 200:
                pairs.append((train, a, b))
                kept += 1
    if len(pairs) < 8:
        raise RuntimeError("only %d station pairs with a route on the corridor" % len(pairs))
    fixed = {}  # path -> the exact answer
    twins = {}  # pair index -> (route figures, journey figures) that a request with its own departure must match

    def coords(*places):
        return ";".join("%.6f,%.6f" % (stations[p][1], stations[p][0]) for p in places)

    for i, (train, a, b) in enumerate(pairs):
        route = "/route/v1/%s/%s?overview=false" % (train, coords(a, b))
        journey = "/api/journey?from=%s&to=%s&train=%s&depart=2023-09-10%%2015:00" % (quote(a), quote(b), train)
        for p in (route, journey):
            status, body = get_once(port, p)
            if status != 200:
                raise RuntimeError("%s: %d %r" % (p, status, body[:200]))
            fixed[p] = body
        r = json.loads(fixed[route])["routes"][0]
        j = json.loads(fixed[journey])
        twins[i] = ((r["distance"], r["duration"], len(r["bogie"]["stops"])),
                    (j["length_km"], j["total_s"], [s["name"] for s in j["stops"]]))
    tables = []
    for train in TRAINS:
        places = sorted({p for t, a, b in pairs if t == train for p in (a, b)})
        for k in range(4):
            sample = random.Random(100 + k).sample(places, min(len(places), 3 + k))
            tables.append("/table/v1/%s/%s" % (train, coords(*sample)))
    queries = sorted({n[:3].lower() for n in names} | {n[:5].lower() for n in names})
    for p in tables + ["/api/stations?q=%s" % quote(q) for q in queries]:
        status, body = get_once(port, p)
        if status != 200:
            raise RuntimeError("%s: %d %r" % (p, status, body[:200]))
        fixed[p] = body
    return {"stations": stations, "pairs": pairs, "fixed": fixed, "twins": twins, "tables": tables,
            "queries": queries}


# Requests with a departure time of their own leave at BASE plus their index in minutes (origin's local time).
BASE = datetime.datetime(2023, 9, 1, 0, 0)


def request_for(i, refs):
    """Request number i of the soak (the same for every run): (kind, path, what its answer must match)."""
    rng = random.Random(i * 7919 + 1)
    x = rng.random()
    pairs = refs["pairs"]
    k = rng.randrange(len(pairs))
    train, a, b = pairs[k]
    st = refs["stations"]
    ab = "%.6f,%.6f;%.6f,%.6f" % (st[a][1], st[a][0], st[b][1], st[b][0])
    if x < 0.15:
        return "route", "/route/v1/%s/%s?overview=false" % (train, ab), None
    if x < 0.30:
        when = BASE + datetime.timedelta(minutes=i)
        path = "/route/v1/%s/%s?overview=false&depart=%s" % (train, ab, quote(when.strftime("%Y-%m-%d %H:%M")))
        return "route+depart", path, (k, when.strftime("%Y-%m-%dT%H:%M"))
    if x < 0.40:
        return "journey", "/api/journey?from=%s&to=%s&train=%s&depart=2023-09-10%%2015:00" % (
            quote(a), quote(b), train), None
    if x < 0.50:
        when = BASE + datetime.timedelta(minutes=i)
        path = "/api/journey?from=%s&to=%s&train=%s&depart=%s" % (quote(a), quote(b), train,
                                                                  quote(when.strftime("%Y-%m-%d %H:%M")))
        return "journey+depart", path, (k, when.strftime("%Y-%m-%dT%H:%M"))
    if x < 0.65:
        return "table", rng.choice(refs["tables"]), None
    if x < 0.80:
        # A point within about 1 km of a station: a place of its own, so never in the cache.
        lat, lon = st[a]
        number = rng.randint(1, 3)
        path = "/nearest/v1/%s/%.6f,%.6f?number=%d" % (train, lon + rng.uniform(-0.01, 0.01),
                                                      lat + rng.uniform(-0.01, 0.01), number)
        return "nearest", path, number
    return "stations", "/api/stations?q=%s" % quote(rng.choice(refs["queries"])), None


def check(kind, path, extra, status, body, refs):
    """None when the answer is right, else what is wrong."""
    if status != 200:
        return "status %d: %r" % (status, body[:200])
    if extra is None:
        return None if body == refs["fixed"][path] else "not the reference answer (%d bytes, expected %d)" % (
            len(body), len(refs["fixed"][path]))
    try:
        d = json.loads(body)
    except ValueError as e:
        return "not JSON: %s" % e
    if kind == "nearest":
        w = d.get("waypoints", [])
        dist = [p["distance"] for p in w]
        ok = d.get("code") == "Ok" and len(w) == extra and dist == sorted(dist) and dist[0] < 5000
        return None if ok else "nearest: %r" % body[:200]
    k, leaves = extra
    route_twin, journey_twin = refs["twins"][k]
    if kind == "route+depart":
        r = d["routes"][0]
        got = (r["distance"], r["duration"], len(r["bogie"]["stops"]))
        first = r["bogie"]["stops"][0]
        twin = route_twin
    else:
        got = (d["length_km"], d["total_s"], [s["name"] for s in d["stops"]])
        first = d["stops"][0]
        twin = journey_twin
    if got != twin:
        return "%s: %r, expected %r" % (kind, got, twin)
    # The journey starts at the time asked, in the origin's local time; the train leaves the origin depart_s later
    # (a border stop at the origin comes first).
    try:
        leaves_at = datetime.datetime.fromisoformat(first["depart"]).replace(tzinfo=None)
        start = leaves_at - datetime.timedelta(seconds=first["depart_s"])
    except (KeyError, ValueError) as e:
        return "%s: no departure time in %r (%s)" % (kind, first, e)
    if start.strftime("%Y-%m-%dT%H:%M") != leaves:
        return "%s: starts at %s (leaves %s), asked for %s" % (kind, start, first["depart"], leaves)
    return None


def client(wid, port, refs, pipe):
    """One client process with one keep-alive connection: for each task (first, last, step) from pipe, sends
    requests first, first + step, ... below last, checks each answer, and sends back what it saw."""
    conn = None
    while True:
        task = pipe.recv()
        if task is None:
            break
        first, last, step = task
        seen = {"requests": 0, "errors": 0, "problems": [], "bytes": 0, "new_bytes": 0, "latencies": [], "connects": 0}
        for i in range(first, last, step):
            kind, path, extra = request_for(i, refs)
            t = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, port, timeout=60)
                    seen["connects"] += 1
                status, body = get_once(port, path, conn)
            except (OSError, http.client.HTTPException) as e:
                status, body = 0, repr(e).encode()
                conn.close()
                conn = None
            seen["latencies"].append(time.perf_counter() - t)
            seen["requests"] += 1
            seen["bytes"] += len(body)
            if extra is not None and kind != "nearest":
                seen["new_bytes"] += len(body) + len(path)
            problem = check(kind, path, extra, status, body, refs)
            if problem:
                seen["errors"] += 1
                if len(seen["problems"]) < 5:
                    seen["problems"].append("%s: %s" % (path[:100], problem))
        pipe.send(seen)
    if conn:
        conn.close()


# ----- a run -----


def soak(bogie, network, cache, total, clients, round_size, warmup, threads, measure_heap):
    """One run on a fresh server; returns its figures."""
    ctx = multiprocessing.get_context("fork")
    with Server(bogie, network, threads, cache) as server:
        rss_start, _ = server.memory()
        refs = references(server.port)
        pipes, procs = [], []
        for w in range(clients):
            mine, theirs = ctx.Pipe()
            p = ctx.Process(target=client, args=(w, server.port, refs, theirs), daemon=True)
            p.start()
            pipes.append(mine)
            procs.append(p)
        samples = []  # (requests, rss KiB, hwm KiB, seconds)
        totals = {"requests": 0, "errors": 0, "bytes": 0, "new_bytes": 0, "connects": 0}
        problems, latencies, cache_full_at = [], [], None
        heap = []  # (requests, in use KiB, from the system KiB): at the end of the warm-up and at the end
        paused = 0.0  # seconds the server spent stopped by gdb
        t0 = time.perf_counter()
        done = 0
        while done < total:
            n = min(round_size, total - done)
            for w, pipe in enumerate(pipes):
                pipe.send((done + w, done + n, clients))
            for pipe in pipes:
                seen = pipe.recv()
                for key in ("requests", "errors", "bytes", "new_bytes", "connects"):
                    totals[key] += seen[key]
                problems += seen["problems"]
                latencies += seen["latencies"]
            done += n
            rss, hwm = server.memory()
            samples.append((done, rss, hwm, time.perf_counter() - t0))
            if cache and cache_full_at is None and totals["new_bytes"] >= CACHE_MIB << 20:
                cache_full_at = done
            # The warm-up ends after `warmup` requests, and with the cache on not before the cache is full.
            warm = max(warmup, cache_full_at + round_size) if cache_full_at else None if cache else warmup
            if measure_heap and (not heap and warm is not None and done >= warm or heap and done >= total):
                t = time.perf_counter()
                h = server.heap()
                paused += time.perf_counter() - t
                if h:
                    heap.append((done,) + h)
        duration = time.perf_counter() - t0 - paused
        for pipe in pipes:
            pipe.send(None)
        for p in procs:
            p.join(timeout=30)
        _, hwm_end = server.memory()
        code = server.stop()
        log = server.log_text()
    latencies.sort()
    stopped = [line for line in log.splitlines() if "stopped after" in line]
    return {
        "cache": cache, "pairs": len(refs["pairs"]), "connections": totals["connects"],
        "requests": totals["requests"], "errors": totals["errors"], "problems": problems[:10],
        "duration": duration, "rate": totals["requests"] / duration,
        "p50": latencies[len(latencies) // 2] * 1000, "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "mib_answered": totals["bytes"] / 1048576, "new_mib": totals["new_bytes"] / 1048576,
        "cache_full_at": cache_full_at, "rss_start": rss_start, "samples": samples, "heap": heap,
        # The kernel updates VmHWM lazily, so a sample's VmRSS may be above the VmHWM read after it.
        "hwm": max([hwm_end] + [max(rss, hwm) for _, rss, hwm, _ in samples]),
        # With the cache on, the warm-up lasts until the cache is full (and one round more).
        "warmup": max(warmup, cache_full_at + round_size) if cache_full_at else warmup,
        "filling": cache and cache_full_at is None, "exit_code": code,
        "stopped": stopped[-1] if stopped else "(no summary in the log)",
        "sanitizer": [line for line in log.splitlines() if "Sanitizer" in line or "runtime error" in line][:5],
    }


def growth(run, since=None):
    """The least-squares slope of RSS over the samples from the warm-up (or since) on, in KiB per 10,000 requests,
    and the RSS at the end of the warm-up."""
    pts = [(n, rss) for n, rss, _, _ in run["samples"] if n >= (since or run["warmup"])]
    at_warmup = pts[0][1] if pts else None
    if len(pts) < 2:
        return 0.0, at_warmup
    mx = sum(n for n, _ in pts) / len(pts)
    my = sum(r for _, r in pts) / len(pts)
    sxx = sum((n - mx) ** 2 for n, _ in pts)
    sxy = sum((n - mx) * (r - my) for n, r in pts)
    return sxy / sxx * 10000, at_warmup


def heap_growth(run):
    """How much malloc's bytes in use grew from the end of the warm-up to the end, in KiB per 10,000 requests (None
    when not measured)."""
    h = run["heap"]
    if len(h) < 2 or h[-1][0] <= h[0][0]:
        return None
    return (h[-1][1] - h[0][1]) / (h[-1][0] - h[0][0]) * 10000


def verdict(run):
    """flat, not flat, or (with the cache on, when it never filled) why growth cannot be judged. When RSS grows but
    malloc's bytes in use do not, the growth is memory malloc holds free (fragmentation), not a leak."""
    if run["filling"]:
        return "the cache was still filling"
    if growth(run)[0] < TOLERANCE_KIB_PER_10K:
        return "flat"
    hg = heap_growth(run)
    if hg is not None and hg < TOLERANCE_KIB_PER_10K:
        return "flat in use (RSS: memory malloc holds free)"
    return "**not flat**"


def mib(kib):
    return "%.1f MiB" % (kib / 1024)


def section(runs, args):
    lines = [
        "## Soak",
        "",
        "`make soak`, %s: `bogie serve --threads %d` on the corridor network, %d keep-alive clients on loopback (one "
        "process each, on the same machine), %s well-formed requests a run: /route/v1 30 %%, /api/journey 20 %% (half "
        "of each with a departure time of its own, the other half repeating one of %d journeys), /table/v1 15 %%, "
        "/nearest/v1 15 %% (a point of its own near a station each time), /api/stations 20 %%. Every answer was "
        "checked: "
        "200, and exactly the bytes of the first answer to the same request, or for a departure of its own the same "
        "route, length and duration as its twin and the asked departure time; for /nearest, the points nearest first."
        % (datetime.date.today().isoformat(), args.threads, args.clients, format(args.requests, ","),
           args.pairs),
        "Machine: %s." % benchlib.machine(),
        "",
        "Memory is the server's VmRSS (and VmHWM, its peak) from /proc, sampled every %s requests; the growth is the "
        "slope of a least-squares line through the samples after the warm-up (%s requests, or with the cache on until "
        "the cache is full), and \"flat\" means under %d KiB per 10,000 requests (a leak of about 26 bytes a request "
        "would exceed it)." % (format(args.round, ","), format(args.warmup, ","), TOLERANCE_KIB_PER_10K),
        "",
        "| run | requests | errors | duration | requests/s | p50 | p99 | RSS at start | warm-up | after warm-up "
        "| at end | peak | growth per 10k after warm-up | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        slope, at_warmup = growth(run)
        lines.append("| %s | %d | %d | %.1f s | %.0f | %.2f ms | %.2f ms | %s | %s | %s | %s | %s | %+.0f KiB | %s |"
                     % ("cache on (64 MiB LRU)" if run["cache"] else "`--no-cache`", run["requests"], run["errors"],
                        run["duration"], run["rate"], run["p50"], run["p99"], mib(run["rss_start"]),
                        format(run["warmup"], ","), mib(at_warmup), mib(run["samples"][-1][1]), mib(run["hwm"]),
                        slope, verdict(run)))
    lines.append("")
    for run in runs:
        step = max(1, len(run["samples"]) // 10)
        series = ", ".join("%.1f" % (rss / 1024) for _, rss, _, _ in run["samples"][step - 1::step])
        name = "cache on" if run["cache"] else "`--no-cache`"
        half = (run["warmup"] + run["requests"]) // 2
        if len(run["heap"]) == 2:
            (n0, use0, sys0), (n1, use1, sys1) = run["heap"]
            heap = ("malloc's bytes in use (glibc's malloc_stats(), called through gdb) %s after the warm-up (%s "
                    "requests) and %s at the end (%+.0f KiB per 10k), of %s and %s taken from the system"
                    % (mib(use0), format(n0, ","), mib(use1), heap_growth(run), mib(sys0), mib(sys1)))
        else:
            heap = "malloc's bytes in use not measured (that needs gdb)"
        lines.append("- %s: RSS (MiB) every %s requests: %s; growth over the second half after the warm-up (from %s "
                     "requests): %+.0f KiB per 10k; %s. %d connections for %d clients (keep-alive held); %s; exit "
                     "code %s after SIGTERM."
                     % (name, format(run["samples"][step - 1][0], ","), series, format(half, ","),
                        growth(run, half)[0], heap, run["connections"], args.clients,
                        run["stopped"].replace("bogie serve: ", "the server "), run["exit_code"]))
    on = [r for r in runs if r["cache"]]
    if on:
        r = on[0]
        lines.append("")
        lines.append(
            "The cache cannot be made smaller than its 64 MiB from the command line, so the cache-on run fills it: the "
            "answers with a departure of their own came to %.0f MiB (with their keys), %s The `--no-cache` run plans "
            "every request, so there any growth would be a leak."
            % (r["new_mib"], "past 64 MiB by %s requests, where the warm-up ends: from then on every new answer "
               "evicts old ones, so growth after the warm-up would be a leak, not the cache." % format(
                   r["cache_full_at"], ",") if r["cache_full_at"] else
               "never 64 MiB in this run: the cache was still filling, so its growth is not judged."))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=100000, help="requests in each run (default 100,000)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent keep-alive clients (default 4)")
    ap.add_argument("--threads", type=int, default=2, help="the server's --threads (default 2)")
    ap.add_argument("--round", type=int, help="requests between memory samples (default requests / 50)")
    ap.add_argument("--warmup", type=int, help="requests before growth is judged (default 10%%)")
    ap.add_argument("--runs", default="off,on", help="which runs: off (--no-cache), on (the cache), or both")
    ap.add_argument("--quick", action="store_true", help="5,000 requests a run; print, do not write RESULTS.md")
    args = ap.parse_args()
    if args.quick and args.requests == 100000:
        args.requests = 5000
    args.round = args.round or max(100, args.requests // 50)
    args.warmup = args.warmup or max(args.round, args.requests // 10)
    bogie = os.environ.get("BOGIE", os.path.join(ROOT, "build", "bogie"))
    network = os.environ.get("CORRIDOR", os.path.join(ROOT, "build", "corridor.bogie"))
    runs = []
    for which in args.runs.split(","):
        t = time.perf_counter()
        run = soak(bogie, network, which == "on", args.requests, args.clients, args.round, args.warmup, args.threads,
                   not args.quick)
        slope, at_warmup = growth(run)
        print("soak, cache %s: %d requests, %d errors, %.1f s (%.0f/s); RSS %s at start, %s after warm-up (%d), %s "
              "at end, peak %s; growth %+.0f KiB per 10k after warm-up: %s; exit %s (%.1f s in all)"
              % (which, run["requests"], run["errors"], run["duration"], run["rate"], mib(run["rss_start"]),
                 mib(at_warmup), run["warmup"], mib(run["samples"][-1][1]), mib(run["hwm"]), slope, verdict(run),
                 run["exit_code"], time.perf_counter() - t), flush=True)
        for p in run["problems"] + run["sanitizer"]:
            print("  %s" % p)
        runs.append(run)
    args.pairs = runs[0]["pairs"]
    text = section(runs, args)
    if args.quick:
        print(text)
    else:
        benchlib.write_section("soak", text)
        print("wrote the soak section of %s" % benchlib.RESULTS)
    bad = [r for r in runs if r["errors"] or r["exit_code"] != 0 or r["sanitizer"]]
    if not args.quick:
        bad += [r for r in runs if verdict(r) == "**not flat**"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
