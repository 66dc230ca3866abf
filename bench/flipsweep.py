#!/usr/bin/env python3
"""flipsweep.py: the full byte-flip sweep of the hardening tests, behind `make soak`. It runs test_network from the
sanitizer build (ASan + UBSan, so that a damaged file read out of bounds is a failure, not luck) with
BOGIE_FLIP_SWEEP=full: every byte of the corridor's graph file is flipped in turn; each damaged file is opened with
its checksums verified (it must be refused, unless the byte is padding) and without them, and every one that passes
the structure checks is planned on (journeys by name and coordinates, a hierarchy, a table). Writes the counts and
times into the "flip sweep" section of bench/RESULTS.md, beside the binary's default run (600 random flips and its
other tests), timed in the same run as the baseline.

    python3 bench/flipsweep.py SAN_BUILD_DIR"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(binary, full):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=1:strict_string_checks=1"
    env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % os.path.join(ROOT, "tests", "lsan.supp")
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    env["BOGIE_TEST_DATA"] = os.path.join(ROOT, "tests", "data")
    if full:
        env["BOGIE_FLIP_SWEEP"] = "full"
    start = time.monotonic()
    p = subprocess.run([binary], cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    return p.returncode, p.stdout, time.monotonic() - start


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build-san"
    binary = os.path.join(ROOT, build, "tests", "test_network")
    rc0, out0, t0 = run(binary, False)
    rc, out, t = run(binary, True)
    m = re.search(r"# flip sweep: (\d+) bytes flipped one at a time; without checksums (\d+) opened and were planned "
                  r"on, (\d+) were refused by the structure checks; with checksums (\d+) opened", out)
    if rc0 != 0 or rc != 0 or not m:
        sys.stdout.write(out0[-3000:] + out[-6000:])
        sys.exit("flipsweep.py: the sweep failed (exit %d, baseline exit %d)" % (rc, rc0))
    n, opened, refused, padding = (int(x) for x in m.groups())
    body = """## Flip sweep

`make soak` runs the full byte-flip sweep of `tests/unit/test_network.c` on the sanitizer build (`%s`, ASan +
UBSan): every one of the %s bytes of the corridor's graph file is inverted in turn (all eight bits). Each damaged
file is opened with its checksums verified, and again with them skipped so that only the structure checks stand
between the damage and the planner; each file that passes those is planned on (the flagship journey by name and
from a coordinate, a freight train's hierarchy and a 2 x 2 table). No crash, no sanitizer report.

%s

| | files | opened without checksums, planned on | refused by the structure checks | opened with checksums (none may: padding must be zero) | time | per file |
|---|---|---|---|---|---|---|
| full sweep | %s | %s | %s | %s | %.0f s | %.2f ms |
| baseline: the same binary as `make check` runs it (600 random single-bit flips, and its other tests), the same run | 600 | | | | %.1f s | %.2f ms (upper bound) |
""" % (build, format(n, ","), benchlib.machine(), format(n, ","), format(opened, ","), format(refused, ","),
       format(padding, ","), t, 1000 * t / n, t0, 1000 * t0 / 600)
    benchlib.write_section("flipsweep", body)
    print("flipsweep.py: %d bytes, %d opened and planned on, %d refused, %d opened with checksums; %.0f s" % (
        n, opened, refused, padding, t))


if __name__ == "__main__":
    main()
