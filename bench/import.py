#!/usr/bin/env python3
"""import.py: `make bench-import`. Times `bogie import` on every OSM fixture against `osmium tags-filter ...
railway` on the same file (the baseline, run in the same session), and against bogie's own import through Debian's
readosm, and writes the ratios of wall time and of peak memory to bench/RESULTS.md.

Usage: python3 bench/import.py [--runs N] [--quick]   (BOGIE and PBF_PARSE name the binaries)
"""
import datetime
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = ["Helsinki.osm.pbf", "cologne-railway.osm.pbf", "vde8.2-rail.osm.pbf", "moscow.osm.gz",
            "sankt-poelten.overpass.json", "vilbel.overpass.json"]


def main():
    runs, quick = benchlib.runs_from_args()
    bogie = os.path.abspath(os.environ.get("BOGIE", os.path.join(ROOT, "build/bogie")))
    pbf_parse = os.path.abspath(os.environ.get("PBF_PARSE", os.path.join(ROOT, "build/bench/pbf_parse")))
    osmium = shutil.which("osmium")
    tmp = tempfile.mkdtemp(prefix="bogie-bench-")
    rows, parse_rows = [], []
    try:
        for name in FIXTURES:
            src = os.path.join(ROOT, "tests/data/osm", name)
            size = os.path.getsize(src)
            out = os.path.join(tmp, "out.bogie")
            b_t, b_m = benchlib.measure([bogie, "import", "-q", src, "-o", out], runs)
            row = {"file": name, "mb": size / 1e6, "bogie_t": b_t, "bogie_m": b_m}
            if name.endswith(".pbf") or name.endswith(".osm"):
                row["readosm_t"], row["readosm_m"] = benchlib.measure(
                    [bogie, "import", "-q", "--reader", "readosm", src, "-o", out], runs)
            if osmium and not name.endswith(".json"):
                filt = os.path.join(tmp, "filtered.osm.pbf")
                row["osm_t"], row["osm_m"] = benchlib.measure(
                    [osmium, "tags-filter", "-O", "-o", filt, src, "w/railway"], runs)
                row["osmR_t"], row["osmR_m"] = benchlib.measure(
                    [osmium, "tags-filter", "-R", "-O", "-o", filt, src, "w/railway"], runs)
            rows.append(row)
            if name.endswith(".pbf") and os.path.exists(pbf_parse):
                n_t, _ = benchlib.measure([pbf_parse, src, "native", "20"], runs)
                r_t, _ = benchlib.measure([pbf_parse, src, "readosm", "20"], runs)
                parse_rows.append((name, n_t / 20, r_t / 20))
            print("measured", name, file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def ms(t):
        return "%.1f ms" % (t * 1000)

    def mib(k):
        return "%.1f MiB" % (k / 1024)

    lines = ["## Import", "",
             "`make bench-import`, %s, median of %d runs after one warm-up; peak memory is the largest resident set "
             "of any run." % (datetime.date.today().isoformat(), runs),
             "Machine: %s." % benchlib.machine(), "",
             "Baseline: `osmium tags-filter -O -o OUT FILE w/railway`, which only filters the file (it writes the "
             "railway ways with the nodes they use). bogie's import reads the same file and also builds and writes "
             "the graph and places every node in its country: loading the country outlines (data/world) takes about "
             "300 ms and 110 MiB of each figure, whatever the input (`--no-borders` skips them: 20 ms and 7 MiB for "
             "vde8.2). A ratio above 1 means bogie is faster, or uses less memory. osmium cannot read Overpass "
             "JSON.", "",
             "| input | size | bogie import | memory | osmium tags-filter | memory | time ratio | memory ratio | "
             "osmium -R (no nodes) | bogie via readosm |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        osm = (ms(r["osm_t"]), mib(r["osm_m"]), "%.1f×" % (r["osm_t"] / r["bogie_t"]),
               "%.1f×" % (r["osm_m"] / r["bogie_m"]), ms(r["osmR_t"])) if "osm_t" in r else ("–",) * 5
        rd = "%s (%.1f× slower)" % (ms(r["readosm_t"]), r["readosm_t"] / r["bogie_t"]) if "readosm_t" in r else "–"
        lines.append("| %s | %.2f MB | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            (r["file"], r["mb"], ms(r["bogie_t"]), mib(r["bogie_m"])) + osm + (rd,)))
    if parse_rows:
        lines += ["", "Parsing alone (`bench/pbf_parse`, callbacks that only count objects; per pass, 20 passes "
                  "per run): bogie's native PBF reader against Debian's readosm, the library the import started "
                  "from. This is the measurement that justified writing the native reader.", "",
                  "| input | native | readosm | ratio |", "|---|---|---|---|"]
        for name, n, r in parse_rows:
            lines.append("| %s | %s | %s | %.1f× |" % (name, ms(n), ms(r), r / n))
    lines += ["", "Why osmium is slow and large here: without `-R` it keeps an id set of the nodes that the matched "
              "ways use, sized by the largest node id (about 11 billion), so most of its time is the kernel "
              "zeroing pages (system time), whatever the file's size."]
    benchlib.write_section("import", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
