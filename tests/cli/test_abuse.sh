#!/usr/bin/env bash
# test_abuse.sh: `bogie serve` on free loopback ports, abused by tests/tools/abuse.py, one check per kind of abuse:
# slow and silent clients, idle connections, oversized headers and bodies, garbage bytes and invalid UTF-8, 100
# connections at once, a burst beyond --max-connections (503 at once, not queued), SIGTERM under load and SIGTERM
# while a slow client reads a large answer. Well-formed requests keep getting the right answers throughout, each
# server still answers correctly at the end, and each exits 0 on SIGTERM with nothing from the sanitizers in its log.
# The idle check waits out the server's 15 s connection timeout, so it runs on its own server alongside the others.
. "$(dirname "$0")/lib.sh"

ABUSE="python3 $ROOT/tests/tools/abuse.py"
NETWORK=${BUILD:-build}/corridor.bogie
if [ ! -f "$NETWORK" ]; then
    "$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
    NETWORK=$T/corridor.bogie
fi
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# serve LOG ARGS...: starts bogie serve on a port the kernel picks, logging to LOG; sets server and port once the
# server has said where it listens (the sanitizer build takes a few seconds to start).
serve() {
    local log=$1
    shift
    "$BOGIE" serve --network "$NETWORK" --port 0 "$@" 2>"$log" &
    server=$!
    servers+=("$server")
    port=""
    for _ in $(seq 1 300); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
        [ -n "$port" ] && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
}

# stopped DESC PID LOG: waits for the server PID (signalled already) and checks that it exited 0 within 20 s and
# that its log holds no report from AddressSanitizer, LeakSanitizer or UBSan.
stopped() {
    local desc=$1 pid=$2 log=$3 rc
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        echo "# still running 20 s after SIGTERM" >>"$log"
    fi
    wait "$pid"
    rc=$?
    is "$desc: the server exits 0" "$rc" "0"
    ok "$desc: no sanitizer report in the server's log" \
        sh -c "! grep -E 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error|still running' '$log'"
}

# The idle check, on its own server, in the background: it takes the connection timeout (15 s) and a few more.
serve "$T/idle.log" --threads 2
idle_server=$server
idle_port=$port
$ABUSE idle --port "$idle_port" --timeout 15 >"$T/idle.out" 2>&1 &
idle=$!

# The main server: every kind of abuse in turn, then the right answers, then SIGTERM under load. Its 100 clients
# all come from 127.0.0.1, as many users behind one address would, so the per-address limits are raised here;
# test_hardening.sh tests those limits.
serve "$T/serve.log" --threads 2 --max-per-client 256 --max-heavy-per-client 256
ok "the server starts on a free port" test -n "$port"
ok "slow clients: a byte-a-second sender, silent clients and a client that never reads" $ABUSE slow --port "$port"
ok "oversized headers and bodies: 4xx or a closed connection" $ABUSE oversize --port "$port"
ok "garbage bytes, invalid UTF-8, NULs and bad escapes: 4xx or a clean close, errors in valid JSON" \
    $ABUSE garbage --port "$port"
ok "100 concurrent connections, each with good requests: every answer right" $ABUSE concurrent --port "$port" \
    --clients 100
is "after the abuse: GET /health" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" "200"
"$BOGIE" route --network "$NETWORK" --from Pyongyang --to Vladivostok --train armoured --depart "2023-09-10 15:00" \
    --format json >"$T/cli.json"
curl -s -g -o "$T/native.json" \
    "http://127.0.0.1:$port/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&depart=2023-09-10%2015:00"
same_file "after the abuse: the journey is still exactly the CLI's" "$T/native.json" "$T/cli.json"
ok "SIGTERM under load: right answers or clean closes, requests in flight answered" \
    $ABUSE sigterm --port "$port" --pid "$server"
stopped "SIGTERM under load" "$server" "$T/serve.log"

# A burst beyond capacity: a server allowing 8 connections answers the rest 503 at once.
serve "$T/burst.log" --threads 2 --max-connections 8
ok "a burst beyond --max-connections: 503 within seconds, not queued; then served again" \
    $ABUSE burst --port "$port" --max 8
is "after the burst: GET /health" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" "200"
kill -TERM "$server"
stopped "after the burst, SIGTERM" "$server" "$T/burst.log"

# SIGTERM while a client with a small receive window reads a 200 KB answer: all of it arrives.
serve "$T/reader.log" --threads 2
ok "SIGTERM during a slow read: the whole answer arrives, then the server ends" \
    $ABUSE slow-reader --port "$port" --pid "$server" \
    --path "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?overview=full&geometries=geojson&steps=true"
stopped "SIGTERM during a slow read" "$server" "$T/reader.log"

wait "$idle"
rc=$?
ok "idle, stalled and never-reading connections are closed after the connection timeout" \
    sh -c 'cat "$1"; exit "$2"' _ "$T/idle.out" "$rc"
is "after the idle clients: GET /health" \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$idle_port/health")" "200"
kill -TERM "$idle_server"
stopped "after the idle clients, SIGTERM" "$idle_server" "$T/idle.log"
trap - EXIT

done_testing
