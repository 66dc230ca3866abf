#!/usr/bin/env bash
# test_interrupt.sh: an import killed at random moments never damages the network file it was to replace. A 200,000
# node generated network is imported (without country borders, whose loading only adds time) over a good file, the
# corridor's, again and again, and each run is stopped after a random delay within the import's measured duration: by
# SIGINT, which bogie handles (it stops at its next progress check, removes its temporary file and exits 1), and by
# SIGKILL, which it cannot see (its temporary file stays until the next import over the same output removes it, once
# no process of that pid runs). Then one run is killed the moment its new file has been renamed into place, and others
# the moment their temporary file appears, while the graph is written and renamed. After every run the file must be
# byte for byte the old one or the complete new one (the new one when the import exited 0, the old one when it exited
# 1, interrupted), and open with `bogie info`. The kill times come from a seed printed first: BOGIE_INTERRUPT_SEED=N
# repeats them (up to the machine's timing); BOGIE_INTERRUPT_KILLS=N sets the number of each.
. "$(dirname "$0")/lib.sh"

B=${BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
GEN=$B/bench/gen
seed=${BOGIE_INTERRUPT_SEED:-$(python3 -c 'import random; print(random.randrange(1, 1000000))')}
kills=${BOGIE_INTERRUPT_KILLS:-10}
echo "# seed $seed (BOGIE_INTERRUPT_SEED=$seed repeats these kill times), $kills SIGINT and $kills SIGKILL"

mkdir -p "$T/out" "$T/ref"
ok "generate a 200000-node network to import" \
    "$GEN" -q --nodes 200000 --seed 5 --data "$ROOT/data" -o "$T/big.osm"
ok "import the corridor: the network file that must survive" \
    "$BOGIE" import -q --data "$ROOT/data" "$ROOT/data/corridor/corridor.osm" -o "$T/out/net.bogie"
cp "$T/out/net.bogie" "$T/good.bogie"
echo "# old file sha256 $(sha256sum <"$T/good.bogie" | cut -c1-16)..."

# The driver: runs the imports, sends the signals and records what each left behind. It prints one comment line per
# run and writes one line per check to checks.tsv: the description, then "ok" or what went wrong.
python3 - "$BOGIE" "$T/big.osm" "$T/out" "$T/ref" "$T/good.bogie" "$seed" "$kills" \
    >"$T/driver.out" 2>&1 3>"$T/checks.tsv" <<'PY'
import hashlib, os, random, shutil, signal, subprocess, sys, time

bogie, big, outdir, refdir, good, seed, kills = sys.argv[1:8]
kills = int(kills)
out = os.path.join(outdir, "net.bogie")
prefix = ".net.bogie.tmp."           # the import's temporary files: .<base>.tmp.<pid>.<n> beside the output
rng = random.Random(int(seed))
checks = os.fdopen(3, "w")

def check(desc, problems):
    checks.write("%s\t%s\n" % (desc, "ok" if not problems else "; ".join(problems[:3])))

def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

def temps():
    return sorted(f for f in os.listdir(outdir) if f.startswith(prefix))

def start(path):
    # A shell that started this script in the background may have set SIGINT to be ignored, and an exec keeps that:
    # give the import the default action, as a terminal's Ctrl-C would find it.
    return subprocess.Popen([bogie, "import", "-q", "--no-borders", big, "-o", path], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

def info_ok(path):
    return subprocess.run([bogie, "info", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

# The new file, imported once to completion elsewhere, and how long that takes.
t0 = time.monotonic()
p = start(os.path.join(refdir, "net.bogie"))
_, err = p.communicate()
duration = time.monotonic() - t0
if p.returncode != 0:
    check("the generated network imports", ["exit %d: %s" % (p.returncode, err.decode(errors="replace")[:300])])
    sys.exit(0)
old, new = sha(good), sha(os.path.join(refdir, "net.bogie"))
print("# a full import takes %.2f s; new file sha256 %s..." % (duration, new[:16]))

SIGS = {"INT": signal.SIGINT, "KILL": signal.SIGKILL}
runs = [(kind, rng.uniform(0, duration)) for kind in ["INT"] * kills + ["KILL"] * kills]
rng.shuffle(runs)
# Then a SIGKILL the moment the new file has been renamed into place, before the import exits; and kills the moment
# the temporary file appears (plus up to 4 ms), during the write and the rename. The last SIGKILL's temporary file is
# left for the last import below to remove.
runs += [("KILL", "rename")] + [(kind, "write") for kind in ["INT", "KILL"] * 2]

results = []
for i, (kind, when) in enumerate(runs):
    p = start(out)
    if when == "write":
        mine = prefix + "%d." % p.pid
        t0 = time.monotonic()
        while p.poll() is None and not any(t.startswith(mine) for t in temps()) and time.monotonic() - t0 < 60:
            time.sleep(0.0003)
        time.sleep(rng.uniform(0, 0.004))
    elif when == "rename":
        ino = os.stat(out).st_ino
        t0 = time.monotonic()
        while p.poll() is None and os.stat(out).st_ino == ino and time.monotonic() - t0 < 60:
            time.sleep(0.0003)
    else:
        time.sleep(when)
    sent = p.poll() is None
    if sent:
        p.send_signal(SIGS[kind])
    t_sig = time.monotonic()
    _, err = p.communicate()
    stop_ms = (time.monotonic() - t_sig) * 1000
    err = err.decode(errors="replace").replace(out, "net.bogie")
    h = sha(out)
    state = "old" if h == old else "new" if h == new else "OTHER"
    r = dict(i=i, kind=kind, when=when, sent=sent, rc=p.returncode, state=state, info=info_ok(out), left=temps(),
             mine=[t for t in temps() if t.startswith(prefix + "%d." % p.pid)], err=err.strip())
    results.append(r)
    print("# run %2d: SIG%-4s %-9s -> %s exit %3d, %s file, %d temporary file(s)%s" % (
        i, kind, "at " + when if isinstance(when, str) else "%.3f s" % when,
        "stopped in %4.0f ms," % stop_ms if sent else "finished first,", p.returncode, state, len(r["left"]),
        (": " + err.splitlines()[-1][:100]) if err else ""))
    if state == "new":      # put the old file back (atomically), so that the next run can tell again
        shutil.copyfile(good, os.path.join(outdir, "restore"))
        os.replace(os.path.join(outdir, "restore"), out)

def desc(r):
    when = "at " + r["when"] if isinstance(r["when"], str) else "after %.3f s" % r["when"]
    return "run %d (SIG%s %s): exit %d, %s file, temporary files %s" % (r["i"], r["kind"], when, r["rc"], r["state"],
                                                                         r["left"])

ints = [r for r in results if r["kind"] == "INT"]
killed = [r for r in results if r["kind"] == "KILL"]
check("every run left the old file byte for byte or the complete new one",
      [desc(r) for r in results if r["state"] == "OTHER"])
check("bogie info opens the network file after every run", [desc(r) for r in results if not r["info"]])
# A SIGKILL may also land between the rename and the exit, leaving the new file; an import that stopped by itself
# says by its exit status which file is there.
check("an import that exited 0 left the new file, one that stopped on SIGINT the old one",
      [desc(r) for r in results if (r["rc"] == 0 and r["state"] != "new") or
       (r["rc"] in (1, -signal.SIGINT) and r["state"] != "old")])
# SIGINT: exit 1 saying so, or, when it came before the handler was set, death by the signal (nothing written yet),
# or exit 0 when the import had finished its work.
check("SIGINT: the import exits 1 and says it was interrupted (or had finished)",
      [desc(r) + ": " + r["err"][-200:] for r in ints
       if not (r["rc"] == 0 or r["rc"] == -signal.SIGINT or (r["rc"] == 1 and "interrupted" in r["err"]))])
check("SIGINT: no temporary file is left behind", [desc(r) for r in ints if r["mine"]])
check("SIGKILL: the import dies by the signal (or had finished)",
      [desc(r) for r in killed if r["rc"] not in (0, -signal.SIGKILL)])
check("an import that completes removes every temporary file of the killed ones",
      [desc(r) for r in results if r["rc"] == 0 and r["left"]])
at_write = [r for r in killed if r["when"] == "write"]
print("# SIGKILL at write left a temporary file in %d of %d runs" % (sum(bool(r["mine"]) for r in at_write),
                                                                     len(at_write)))
stopped = [r for r in results if r["sent"] and r["rc"] != 0]
check("the kills stopped imports at many moments (%d of %d runs stopped)" % (len(stopped), len(results)),
      [] if len(stopped) >= len(results) // 2 else ["only %d runs were stopped" % len(stopped)])

# Stale temporary files: one of a process that is still running must stay (it may be an import writing), one of a
# process that has gone must go, as must whatever the SIGKILLs left.
alive = subprocess.Popen(["sleep", "300"])
try:
    gone = subprocess.Popen(["true"])
    gone.wait()
    for pid in (alive.pid, gone.pid):
        with open(os.path.join(outdir, "%s%d.1" % (prefix, pid)), "w") as f:
            f.write("partial")
    leftover = temps()
    p = start(out)
    _, err = p.communicate()
    final = temps()
finally:
    alive.kill()
    alive.wait()
check("a last import over the same output completes and writes the new file",
      [] if p.returncode == 0 and sha(out) == new and info_ok(out)
      else ["exit %d, file %s: %s" % (p.returncode, "new" if sha(out) == new else "not new", err.decode()[:200])])
check("it removes the temporary files of dead processes and keeps a running one's",
      [] if final == ["%s%d.1" % (prefix, alive.pid)] else ["before %s, after %s" % (leftover, final)])
print("# temporary files before the last import: %s; after: %s" % (leftover, final))
checks.write("the driver ran to the end\tok\n")
PY
cat "$T/driver.out"
grep -q '^the driver ran to the end' "$T/checks.tsv" || is "the driver ran to the end" "it stopped (see above)" "it ran"
while IFS=$'\t' read -r desc result; do
    is "$desc" "$result" ok
done <"$T/checks.tsv"

# The temporary file named after the live process stayed; that process has ended now, so the next import removes it.
ok "an import after that process ended removes its temporary file too" \
    "$BOGIE" import -q --data "$ROOT/data" "$ROOT/data/corridor/corridor.osm" -o "$T/out/net.bogie"
is "no temporary file is left" "$(ls -A "$T/out" | grep -c '\.tmp\.')" "0"
same_file "and the file is the corridor's again" "$T/out/net.bogie" "$T/good.bogie"

done_testing
