#!/usr/bin/env bash
# test_long_distance.sh: distance=* tags far beyond their ways' geometry: info flags them as suspicious, a journey
# over them stays small and quick (the integrator's samples are bounded, not one per 100 m of claimed length), and
# landmark distances of 4e9 m or more do not part connected places.
. "$(dirname "$0")/lib.sh"

# N two-node ways of 714.7 m along latitude 50 N (0.01 degrees of longitude apart), each tagged distance=DIST, from
# station West to station East.
chain() {
    python3 - "$1" "$2" <<'PY'
import sys
n, dist = int(sys.argv[1]), sys.argv[2]
print('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hand">')
for i in range(n + 1):
    tags = ''
    if i in (0, n):
        tags = '<tag k="railway" v="station"/><tag k="name" v="%s"/>' % ('West' if i == 0 else 'East')
    print('  <node id="%d" lat="50.0" lon="%.2f">%s</node>' % (i + 1, 8 + 0.01 * i, tags))
for i in range(n):
    print('  <way id="%d"><nd ref="%d"/><nd ref="%d"/><tag k="railway" v="rail"/><tag k="gauge" v="1435"/>'
          '<tag k="maxspeed" v="100"/><tag k="distance" v="%s"/></way>' % (100 + i, i + 1, i + 2, dist))
print('</osm>')
PY
}

chain 39 100000 >"$T/d39.osm"
ok "39 ways of distance=100000 import" "$BOGIE" import -q "$T/d39.osm" -o "$T/d39.bogie"
info=$("$BOGIE" info "$T/d39.bogie")
contains "info flags the 39 tags as suspicious" "$info" \
    "distance=100000.000 km: more than 4 times the way's drawn length and 10 km or more beyond it; used as tagged; 39 times"
# 3.9 million km at the armoured train's 64 km/h: 3.9e9 / (64 / 3.6) s = 60937.5 h of running (the allowance apart).
# It once took 4 s and 2.4 GB (a sample every 100 m); now at most PHYS_MAX_STEPS (50000) samples.
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M" -o "$T/rss" "$BOGIE" route --network "$T/d39.bogie" --from West --to East --train armoured \
        --format json >"$T/d39.json" 2>"$T/d39.err"
    rss=$(tail -1 "$T/rss")
    ok "the journey over them takes under 300 MB (took ${rss} KB)" test "$rss" -lt 300000
else
    "$BOGIE" route --network "$T/d39.bogie" --from West --to East --train armoured --format json >"$T/d39.json"
fi
ok "its running time is the claimed length at the train's top speed, within 5 minutes" python3 - "$T/d39.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
expect = 3.9e9 / (64 / 3.6)  # plus starting, braking and the startup time: a minute or two
if abs(j["running_s"] - expect) > 300:
    raise SystemExit("running_s %.0f, expected %.0f" % (j["running_s"], expect))
PY

# 60 ways of 100,000 km: 6e9 m from end to end, beyond what 32-bit landmark distances hold.
chain 60 100000 >"$T/d60.osm"
ok "60 ways of distance=100000 import" "$BOGIE" import -q "$T/d60.osm" -o "$T/d60.bogie"
ok "West and East, 6 million km apart, stay connected" \
    "$BOGIE" route --network "$T/d60.bogie" --from West --to East --train armoured

done_testing
