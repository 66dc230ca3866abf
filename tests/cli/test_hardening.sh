#!/usr/bin/env bash
# test_hardening.sh: the cases an independent probe of `bogie serve` broke (tests/tools/hardening.py), each on a
# server of its own on a free loopback port: 520 slow clients ("slowloris") must not keep a newcomer out, the
# per-address connection limit answers 429, eight clients' tables of 100 places must not slow /health or a route
# whose answer is cached down (p99 under 100 ms on a generated network of 20,000 nodes) and a fifth table at once
# from one address gets 429, slow readers of the biggest answers keep the server's memory within its stated bound,
# and crowded request lines, preflight, 405, security headers, the Host check and the malformed requests that
# libmicrohttpd answers itself answer as docs/api.md says.
. "$(dirname "$0")/lib.sh"

HARDEN="python3 $ROOT/tests/tools/hardening.py"
B=${BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
NETWORK=$B/corridor.bogie
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done' EXIT

serve() { serve_network "$@"; }

serve "$T/slow.log" "$NETWORK" --threads 2 --header-timeout 3
ok "520 slow clients: a newcomer still gets its answer within 2 s, the slow ones are closed at the deadline" \
    $HARDEN slowloris --port "$port" --header-timeout 3
ok "after the slow clients: the server still answers" curl -sf -o /dev/null "http://127.0.0.1:$port/health"

serve "$T/cap.log" "$NETWORK" --threads 2 --max-per-client 16
ok "the 17th connection from one address gets 429, other addresses are served" \
    $HARDEN per-client --port "$port" --max 16

serve "$T/req.log" "$NETWORK" --threads 2 --allow-host rail.example.org
ok "1,000 parameters and long lines get 414, big headers 431, OPTIONS 204, DELETE 405 with Allow, Host checked" \
    $HARDEN requests --port "$port" --allowed rail.example.org
ok "malformed requests: libmicrohttpd's own answers exactly as docs/api.md lists them, the rest JSON" \
    $HARDEN library --port "$port"

# coords_of OSM: 400 of the file's nodes as lon,lat;lon,lat;... to draw tables and routes from.
coords_of() {
    python3 - "$1" <<'PY'
import re, sys
pts = re.findall(r'<node id="\d+"[^>]*? lat="([-0-9.]+)" lon="([-0-9.]+)"', open(sys.argv[1]).read())
step = max(1, len(pts) // 400)
print(";".join("%s,%s" % (lon, lat) for lat, lon in pts[::step][:400]))
PY
}

serve "$T/budget.log" "$NETWORK" --threads 2 --answer-memory 8
ok "--answer-memory 8: a 5.5 MB answer held by a slow reader, 503 for a second reader, served again once it leaves" \
    $HARDEN budget --port "$port"

# A network big enough for tables to take time, and 400 of its nodes to draw tables of 100 places from.
"$B/bench/gen" -q --nodes 20000 --seed 3 --data "$ROOT/data" -o "$T/big.osm"
"$BOGIE" import -q --data "$ROOT/data" "$T/big.osm" -o "$T/big.bogie"
coords_of "$T/big.osm" >"$T/coords.txt"
serve "$T/heavy.log" "$T/big.bogie" --threads 2 --workers 2
# Under ThreadSanitizer every table takes ten times as long: the latency check means nothing there.
if [ -n "${TSAN_OPTIONS:-}" ]; then
    echo "ok $((_n += 1)) - # skip: the latency beside tables is not measured under ThreadSanitizer"
else
    ok "eight clients' tables of 100 places beside /health and a cached route: p99 under 100 ms; five at once from one address: 429" \
        $HARDEN heavy --port "$port" --coords "$T/coords.txt" --train china-europe-freight
fi

# Memory under slow readers of the biggest answers, on a generated network of about 54,000 nodes (its track at
# zoom 22 is 20 MB of GeoJSON, 32 MB before zooms above 18 were drawn as 18): the server's peak must stay within the bound docs/api.md states for its options.
# A sanitizer's shadow memory would make the figure meaningless.
if [ -n "${TSAN_OPTIONS:-}" ] || ldd "$BOGIE" | grep -qE 'lib[at]san'; then
    echo "ok $((_n += 1)) - # skip: resident memory is not measured under a sanitizer"
else
    "$B/bench/gen" -q --nodes 1000000 --seed 3 --data "$ROOT/data" -o "$T/huge.osm"
    "$BOGIE" import -q --data "$ROOT/data" "$T/huge.osm" -o "$T/huge.bogie"
    coords_of "$T/huge.osm" >"$T/huge-coords.txt"
    rm -f "$T/huge.osm"
    serve "$T/memory.log" "$T/huge.bogie" --threads 2 --workers 2 --max-connections 96 --answer-memory 16 --no-prepare
    ok "60 slow readers of /api/network?zoom=22 and 20 of a 1 MB route: peak memory within the stated bound" \
        $HARDEN memory --port "$port" --pid "$server" --coords "$T/huge-coords.txt" --train china-europe-freight \
        --max-connections 96 --workers 2 --answer-mib 16
fi

for p in "${servers[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${servers[@]}"; do wait "$p"; done
ok "no sanitizer report in any server's log" \
    sh -c "! grep -E 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error' '$T'/*.log"
servers=()
done_testing
