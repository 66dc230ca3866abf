"""benchlib.py: shared helpers for bogie's benchmarks: timing a command with its peak memory, describing the
machine, and rewriting one marked section of bench/RESULTS.md."""
import os
import platform
import re
import socket
import statistics
import subprocess
import tempfile
import time

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def run_once(cmd, env=None):
    """Runs cmd (a list) and returns (wall seconds, peak RSS in KiB). Raises if it fails.

    The peak memory comes from GNU time (/usr/bin/time -f %M), not from this process's wait4(): a child forked from
    Python starts with Python's own pages resident, which would put a floor of ~15 MiB under every figure."""
    fd, tfile = tempfile.mkstemp(prefix="bogie-time-")
    os.close(fd)
    try:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-q", "-f", "%M", "-o", tfile] + cmd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode,
                                                       proc.stderr.decode(errors="replace")[-500:]))
        rss = int(open(tfile).read().split()[-1])
    finally:
        os.unlink(tfile)
    return wall, rss


def measure(cmd, runs, warmup=1, env=None):
    """Returns the median wall time (s) and the largest peak RSS (KiB) over runs, after warmup runs."""
    for _ in range(warmup):
        run_once(cmd, env)
    walls, rss = [], 0
    for _ in range(runs):
        w, r = run_once(cmd, env)
        walls.append(w)
        rss = max(rss, r)
    return statistics.median(walls), rss


def binary(env, default):
    """The absolute path of a tool: the environment variable env (as the Makefile sets it), else default under the
    source tree."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.abspath(os.environ.get(env, os.path.join(root, default)))


def runs_from_args():
    """The command line of a benchmark that repeats its measurements: --runs N (default 7) or --quick (3 runs);
    returns (runs, quick)."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="3 runs each")
    args = ap.parse_args()
    return (3 if args.quick else args.runs), args.quick


def free_port():
    """A loopback port the kernel says is free (released again for the caller's server to take)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def machine():
    """A one-paragraph description of the machine and tool versions."""
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.1f GiB RAM" % (int(line.split()[1]) / 1048576)
                break
    except OSError:
        pass

    def version(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()
            return out[0].strip() if out else "?"
        except OSError:
            return "not installed"

    return "%s, %d cores, %s, Linux %s; %s; %s" % (
        cpu, os.cpu_count() or 0, mem, platform.release(), version(["gcc", "--version"]),
        version(["osmium", "--version"]))


def write_section(name, body):
    """Replaces the text between <!-- name:begin --> and <!-- name:end --> in RESULTS.md (appending the section if it
    is not there yet), leaving every other section as it was."""
    begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
    text = open(RESULTS, encoding="utf-8").read() if os.path.exists(RESULTS) else (
        "# bogie benchmark results\n\nWritten by `make bench`; each section is rewritten by its own benchmark. "
        "Every figure is a ratio against a baseline measured in the same run, on the machine named in the section.\n")
    block = "%s\n%s\n%s" % (begin, body.strip("\n"), end)
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda m: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
    tmp = RESULTS + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, RESULTS)


def serve_command(bogie, network, threads, cache, port):
    """The command line of `bogie serve` on network at the loopback port, with the reference data in data/, threads
    threads (and as many workers), and its answer cache on or off."""
    cmd = [bogie, "serve", "--network", network, "--data", os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "data"), "--port", str(port), "--threads", str(threads),
        "--workers", str(threads)]
    # Every load-generating client comes from 127.0.0.1, where the per-address limits (64 connections, 4 expensive
    # requests) would refuse most of them: here they stand for many users, so the limits are lifted
    # (tests/cli/test_hardening.sh tests them).
    cmd += ["--max-per-client", "100000", "--max-heavy-per-client", "100000"]
    if not cache:
        cmd.append("--no-cache")
    return cmd
