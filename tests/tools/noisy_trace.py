#!/usr/bin/env python3
"""noisy_trace.py IN.gpx OUT.gpx SEED [reverse] [clean]: a test trace made from a GPX that bogie route wrote: every track
point moved 20 to 50 m in a random direction (a fixed seed), two runs of points dropped (3 % of the trace each, for
gaps), one point 3 km off the track in the middle and, with reverse, the points in reversed order with their times
mirrored so that they still run forward; with clean, only reversed (no noise, gaps or far point). Prints the index of the far point in OUT (tests/cli/test_match.sh)."""
import math, random, re, sys
src, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rev = 'reverse' in sys.argv[4:]
clean = 'clean' in sys.argv[4:]
text = open(src).read()
pts = re.findall(r'<trkpt lat="([-0-9.]+)" lon="([-0-9.]+)"><time>([^<]+)</time></trkpt>', text)
rnd = random.Random(seed)
def move(lat, lon, d, a):
    return lat + d * math.cos(a) / 111195.0, lon + d * math.sin(a) / (111195.0 * math.cos(math.radians(lat)))
n = len(pts)
cut = set(range(n // 4, n // 4 + max(1, n * 3 // 100))) | set(range(n * 2 // 3, n * 2 // 3 + max(1, n * 3 // 100)))
keep = [p for i, p in enumerate(pts) if clean or i not in cut or i in (0, n - 1)]
moved = []
for lat, lon, t in keep:
    la, lo = move(float(lat), float(lon), 0 if clean else rnd.uniform(20, 50), rnd.uniform(0, 2 * math.pi))
    moved.append((la, lo, t))
if rev:
    import datetime
    def secs(t):
        return datetime.datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp()
    t0, t1 = secs(moved[0][2]), secs(moved[-1][2])
    moved = [(la, lo, datetime.datetime.fromtimestamp(t0 + t1 - secs(t), datetime.timezone.utc)
              .strftime('%Y-%m-%dT%H:%M:%SZ')) for la, lo, t in reversed(moved)]
far = len(moved) // 2
la, lo, t = moved[far]
la, lo = move(la, lo, 0 if clean else 3000, 0.3)
moved[far] = (la, lo, t)
with open(out, 'w') as f:
    f.write('<?xml version="1.0"?>\n<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n')
    f.write('<trk><trkseg>\n')
    for la, lo, t in moved:
        f.write('<trkpt lat="%.7f" lon="%.7f"><time>%s</time></trkpt>\n' % (la, lo, t))
    f.write('</trkseg></trk></gpx>\n')
print(far)
