#!/usr/bin/env python3
"""fuzz.py: runs each of bogie's libFuzzer harnesses (built by `make fuzz-build`) in turn for FUZZ_SECONDS, one at a
time, on a working corpus that persists between runs (FUZZ_BUILD/work/<name>, started from the seeds in
FUZZ_BUILD/corpus/<name>), and writes the executions and crashes of each into the "fuzz" section of bench/RESULTS.md.

Each harness's latest run, its total executions over all runs in this build directory and those since its last crash
are kept in FUZZ_BUILD/results.json,
so that harnesses may be run a few at a time (FUZZ_ONLY=names,date) and the section still lists them all. A crash,
leak, timeout or out-of-memory input is kept in FUZZ_BUILD/crashes/<name>/; fix it and copy the input to
tests/data/fuzz/<name>/, which the smoke test replays. The goal is 10 million executions per harness without a crash.

    FUZZ_BUILD=build-fuzz FUZZ_SECONDS=600 [FUZZ_RUNS=10000000] [FUZZ_ONLY=a,b] python3 bench/fuzz.py

FUZZ_RUNS stops a harness after that many executions, when it gets there before FUZZ_SECONDS."""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = ["pbf", "xml", "overpass", "train", "network", "query", "service", "names", "date", "gpx"]
DICTS = {"pbf": "pbf", "xml": "xml", "overpass": "json", "train": "json", "network": "network", "query": "query",
         "service": "query", "date": "date", "gpx": "xml"}
GOAL = 10_000_000
# Longest input per harness where the seeds are much longer than what a mutation needs: libFuzzer otherwise takes the
# longest seed (a 40 KB Overpass document), and a run parses ten times fewer inputs for no more coverage.
# Station names are short, and comparing two names costs the product of their lengths.
MAX_LEN = {"overpass": 4096, "names": 256}


def run(name, build, seconds, runs):
    """Fuzzes one harness for seconds, or until runs executions when runs is not 0; returns its figures."""
    binary = os.path.join(build, "fuzz_" + name)
    work = os.path.join(build, "work", name)
    seeds = os.path.join(build, "corpus", name)
    crashes = os.path.join(build, "crashes", name)
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    regress = os.path.join(ROOT, "tests", "data", "fuzz", name)
    cmd = [binary, "-print_final_stats=1", "-max_total_time=%d" % seconds, "-timeout=25", "-rss_limit_mb=2560",
           "-artifact_prefix=%s/" % crashes, work, seeds]
    if os.path.isdir(regress):
        cmd.append(regress)
    if runs:
        cmd.insert(1, "-runs=%d" % runs)
    if name in MAX_LEN:
        cmd.insert(1, "-max_len=%d" % MAX_LEN[name])
    if name in DICTS:
        cmd.insert(1, "-dict=" + os.path.join(ROOT, "fuzz", "dict", DICTS[name] + ".dict"))
    before = set(os.listdir(crashes))
    log = os.path.join(build, "fuzz_%s.log" % name)
    start = time.monotonic()
    with open(log, "wb") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)
    wall = time.monotonic() - start
    text = open(log, encoding="utf-8", errors="replace").read()
    m = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
    execs = int(m[-1]) if m else 0
    new = sorted(set(os.listdir(crashes)) - before)
    kinds = sorted(set(re.findall(r"==\d+==ERROR: (?:AddressSanitizer|LeakSanitizer|libFuzzer): ([\w-]+)", text)
                       + re.findall(r"runtime error: ([^\n]{0,60})", text)))
    # libFuzzer exits 72 when it is interrupted (SIGINT): the run ends early, but nothing crashed.
    interrupted = proc.returncode == 72 and "libFuzzer: run interrupted" in text
    crashed = (proc.returncode != 0 and not interrupted) or bool(new)
    crash = ", CRASH (exit %d): %s %s" % (proc.returncode, " ".join(new), "; ".join(kinds)) if crashed else ""
    print("fuzz.py: %s: %d executions in %.0f s (%.0f/s), %d inputs in the corpus%s" % (
        name, execs, wall, execs / wall if wall else 0, len(os.listdir(work)), crash), flush=True)
    return {"seconds": round(wall), "executions": execs, "corpus": len(os.listdir(work)),
            "crashes": len(new) if new else (1 if crashed else 0), "artifacts": new, "kinds": kinds,
            "date": datetime.date.today().isoformat()}


def render(results):
    rows = ["| harness | what it feeds | last run | executions | per second | since the last crash | crashes "
            "(last run / all) | goal: 10 M without a crash |", "|---|---|---|---|---|---|---|---|"]
    what = {"pbf": "`osm_read_pbf_buffer`, tags", "xml": "`osm_read_xml_buffer`, tags",
            "overpass": "`osm_read_overpass_json_buffer`, tags", "train": "`train_parse`",
            "network": "`net_open_buffer` (raw, repaired), summary, edges, planner, route",
            "query": "`api_decode`, `api_parse_query`, `api_parse_coords`",
            "service": "`bogie_service_handle` on the corridor", "names": "`names_key`, `names_compare`, "
            "`names_distance`", "date": "`tz_parse_datetime`, calendar, zone conversions",
            "gpx": "`bogie_trace_parse_gpx`"}
    for name in NAMES:
        r = results.get(name)
        if not r:
            rows.append("| %s | %s | not run | | | | | |" % (name, what[name]))
            continue
        last = r["last"]
        ok = r["clean_executions"] >= GOAL
        rows.append("| %s | %s | %s, %d s | %s | %s | %s | %d / %d | %s |" % (
            name, what[name], last["date"], last["seconds"], format(last["executions"], ","),
            format(round(last["executions"] / last["seconds"]) if last["seconds"] else 0, ","),
            format(r["clean_executions"], ","), last["crashes"], r["total_crashes"], "reached" if ok else "not yet"))
    intro = ("`make fuzz` runs each libFuzzer harness of `fuzz/` in turn for FUZZ_SECONDS (600 by default; the last "
             "run of each is listed), built with clang, ASan and UBSan, on a corpus kept in build-fuzz/work between "
             "runs. \"executions\" is libFuzzer's `stat::number_of_executed_units` in the last run; \"since the last "
             "crash\" adds up the runs on this machine's corpus since the harness last crashed (each crash found was "
             "fixed and its input added to `tests/data/fuzz/`, which the smoke test in `make check` replays).")
    return "## Fuzzing\n\n%s\n\n%s\n\n%s\n" % (intro, benchlib.machine(), "\n".join(rows))


def main():
    build = os.environ.get("FUZZ_BUILD", "build-fuzz")
    seconds = int(os.environ.get("FUZZ_SECONDS", "600"))
    runs = int(os.environ.get("FUZZ_RUNS", "0") or 0)
    only = [n for n in os.environ.get("FUZZ_ONLY", "").replace(",", " ").split() if n]
    for n in only:
        if n not in NAMES:
            sys.exit("fuzz.py: no harness %r (there are: %s)" % (n, " ".join(NAMES)))
    store = os.path.join(build, "results.json")
    results = {}
    failed = []
    for name in only or NAMES:
        last = run(name, build, seconds, runs)
        # Read again after the run: another `make fuzz` may have run other harnesses meanwhile.
        results = json.load(open(store)) if os.path.exists(store) else {}
        r = results.setdefault(name, {"total_executions": 0, "clean_executions": 0, "total_crashes": 0})
        r["last"] = last
        r["total_executions"] += last["executions"]
        r["total_crashes"] += last["crashes"]
        # The goal counts executions since the last crash: the code fuzzed then had been fixed.
        r["clean_executions"] = 0 if last["crashes"] else r["clean_executions"] + last["executions"]
        if last["crashes"]:
            failed.append(name)
        with open(store + ".%d.tmp" % os.getpid(), "w") as f:
            json.dump(results, f, indent=1)
        os.replace(store + ".%d.tmp" % os.getpid(), store)
    benchlib.write_section("fuzz", render(results))
    if failed:
        sys.exit("fuzz.py: crashes in %s; see %s/crashes/" % (", ".join(failed), build))


if __name__ == "__main__":
    main()
