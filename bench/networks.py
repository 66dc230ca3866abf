#!/usr/bin/env python3
"""networks.py: `make bench-networks`. The speed figures of the bundled networks (issue 13): the eurasia import's time
per km of track against the corridor's (goal: within 2x), and the time to plan a 10,000 km journey (Pyongyang -
Moscow by the Trans-Siberian) from the command line (goal: under 100 ms) against the corridor's flagship journey,
both measured in the same run; then the same journeys in a loop inside one process (bench/plan_loop), which leaves out
the process start and the opening of the network, data and train. Writes the "networks" section of
bench/RESULTS.md.

Usage: python3 bench/networks.py [--runs N] [--quick]
  (BOGIE, PLAN_LOOP, CORRIDOR_OSM, EURASIA_OSM, EURASIA name the binaries, the two OSM files and the eurasia graph)
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
DEPART = "2023-09-10 15:00"
# The journeys: the corridor's flagship, the baseline, and the armoured train's Pyongyang - Moscow on eurasia, kept
# off China so that it runs the Trans-Siberian (10,274 km; docs/networks.md).
FLAGSHIP = ["--from", "Pyongyang", "--to", "Vladivostok", "--train", "armoured"]
LONG = ["--from", "Pyongyang", "--to", "Moscow Yaroslavsky", "--train", "armoured", "--avoid", "CN"]


def path_of(env, default):
    return os.path.abspath(os.environ.get(env, os.path.join(ROOT, default)))


def info(bogie, network):
    """`bogie info --json` of a graph file, as a dict."""
    out = subprocess.run([bogie, "info", "--json", "--data", DATA, network], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def route_km(bogie, network, args):
    """The length in km of a journey, from `bogie route --format json`."""
    out = subprocess.run([bogie, "route", "--network", network, "--data", DATA, "--format", "json",
                          "--depart", DEPART] + args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["length_km"]


def plan_loop(plan_loop_bin, network, args, n):
    """bench/plan_loop's per-journey plan and JSON times (ms) for the journey in args, over n journeys, and the plan's
    time by stage [(stage, ms)]."""
    frm, to = args[args.index("--from") + 1], args[args.index("--to") + 1]
    train = os.path.join(DATA, "trains", args[args.index("--train") + 1] + ".json")
    extra = ["--avoid", args[args.index("--avoid") + 1]] if "--avoid" in args else []
    out = subprocess.run([plan_loop_bin, network, DATA, train, frm, to, str(n)] + extra, check=True,
                         capture_output=True, text=True).stdout
    words = out.split()
    stages = out.split("stages (ms):")[1].split()
    return float(words[1]), float(words[4]), [(stages[k], float(stages[k + 1])) for k in range(0, len(stages), 2)]


def main():
    runs, quick = benchlib.runs_from_args()
    loops = 20 if quick else 100
    bogie = path_of("BOGIE", "build/bogie")
    loop_bin = path_of("PLAN_LOOP", "build/bench/plan_loop")
    corridor_osm = path_of("CORRIDOR_OSM", "data/corridor/corridor.osm")
    eurasia_osm = path_of("EURASIA_OSM", "build/eurasia.osm")
    tmp = tempfile.mkdtemp(prefix="bogie-bench-")
    try:
        imports = []
        for name, src in (("corridor", corridor_osm), ("eurasia", eurasia_osm)):
            out = os.path.join(tmp, name + ".bogie")
            t, m = benchlib.measure([bogie, "import", "-q", "--data", DATA, src, "-o", out], runs)
            km = info(bogie, out)["track_km"]
            bare = os.path.join(tmp, name + "-bare.bogie")
            tb, mb = benchlib.measure([bogie, "import", "-q", "--no-borders", src, "-o", bare], runs)
            imports.append({"name": name, "mb": os.path.getsize(src) / 1e6, "t": t, "m": m, "km": km, "net": out,
                            "tb": tb, "mb_": mb})
            print("imported", name, file=sys.stderr)
        corridor, eurasia = imports[0]["net"], imports[1]["net"]
        journeys = []
        for name, net, jargs in (("Pyongyang - Vladivostok (corridor)", corridor, FLAGSHIP),
                                 ("Pyongyang - Moscow Yaroslavsky, --avoid CN (eurasia)", eurasia, LONG)):
            cmd = [bogie, "route", "--network", net, "--data", DATA, "--depart", DEPART, "--format", "json"] + jargs
            t, m = benchlib.measure(cmd, runs)
            p, j, st = plan_loop(loop_bin, net, jargs, loops)
            journeys.append({"name": name, "km": route_km(bogie, net, jargs), "t": t, "m": m, "plan": p, "json": j,
                             "stages": st})
            print("planned", name, file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    per_km = [r["t"] * 1e6 / r["km"] for r in imports]        # ms per 1,000 km
    bare_km = [r["tb"] * 1e6 / r["km"] for r in imports]
    lines = ["## Networks", "",
             "`make bench-networks`, %s, median of %d runs after one warm-up; peak memory is the largest resident "
             "set of any run. Machine: %s." % (datetime.date.today().isoformat(), runs, benchlib.machine()), "",
             "The import of each bundled network's OSM file (`bogie import -q --data data FILE -o OUT`; the eurasia "
             "file is build/eurasia.osm, which data/eurasia/build.py writes). Baseline: the corridor's import, per km "
             "of track (`bogie info`'s track_km). Goal (issue 13): eurasia within 2x the corridor's time per km. "
             "The import places every node in its country with the outlines of data/world, whose loading (about "
             "300 ms and 110 MiB whatever the input: bench's \"Import\" section) the corridor's shorter track "
             "carries more of; so the import is also timed without them (`--no-borders`), where the figure is the "
             "reading and the building alone.", "",
             "| network | OSM file | track | import | memory | per 1,000 km | against the corridor | "
             "`--no-borders` | per 1,000 km | against the corridor |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r, pk, bk in zip(imports, per_km, bare_km):
        lines.append("| %s | %.1f MB | %.0f km | %.0f ms | %.1f MiB | %.1f ms | %.2fx | %.0f ms | %.1f ms | %.2fx |" % (
            r["name"], r["mb"], r["km"], r["t"] * 1000, r["m"] / 1024, pk, pk / per_km[0], r["tb"] * 1000, bk,
            bk / bare_km[0]))
    lines += ["", "Planning from the command line: `bogie route ... --format json --depart \"%s\"`, the whole "
              "process (start, opening the network, the reference data and the train, the search, the physics, "
              "the clock, the JSON), with no contraction hierarchy (the command line builds none: it searches with A* and landmarks). Baseline: the "
              "corridor's flagship journey. Goal (issue 13): a 10,000 km journey under 100 ms. In the loop: "
              "bench/plan_loop, %d journeys in one process, bogie_plan() and the JSON writer per journey." % (
                  DEPART, loops), "",
              "| journey | length | CLI | memory | against the flagship | in the loop: plan | JSON |",
              "|---|---|---|---|---|---|---|"]
    for r in journeys:
        lines.append("| %s | %.1f km | %.1f ms | %.1f MiB | %.2fx | %.2f ms | %.2f ms |" % (
            r["name"], r["km"], r["t"] * 1000, r["m"] / 1024, r["t"] / journeys[0]["t"], r["plan"], r["json"]))
    # Issue 16's goal, said from the figures: the long journey's plan and JSON against 5 ms, and where its time goes.
    long_run = journeys[-1]
    total = long_run["plan"] + long_run["json"]
    parts = sorted(long_run["stages"] + [("JSON", long_run["json"])], key=lambda kv: -kv[1])[:3]
    goal = ("is met (%.2f ms)" % total if total < 5 else "is not met yet (%.2f ms)" % total)
    lines += ["", "The plan in the loop by stage (bogie_journey.stage_s, the stages of bogie_plan in order; ms per "
              "journey). Issue 16's goal for a 10,000 km journey, plan and JSON together under 5 ms, %s; the largest "
              "parts are %s." % (goal, ", ".join("%s %.2f ms" % kv for kv in parts)), "",
              "| journey | " + " | ".join(k for k, _ in journeys[0]["stages"]) + " | JSON |",
              "|---|" + "---|" * (len(journeys[0]["stages"]) + 1)]
    for r in journeys:
        lines.append("| %s | %s | %.2f |" % (r["name"], " | ".join("%.2f" % v for _, v in r["stages"]), r["json"]))
    benchlib.write_section("networks", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
