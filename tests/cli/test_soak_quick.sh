#!/usr/bin/env bash
# test_soak_quick.sh: `bench/soak.py --quick`, the short version of `make soak`: 5,000 well-formed requests from four
# keep-alive clients to `bogie serve` on the corridor network, once with --no-cache and once with the cache, every
# answer checked; the server exits 0 on SIGTERM after each run, with nothing from the sanitizers. The memory figures
# are printed but not judged: 5,000 requests are too few (the long soak, `make soak`, judges them).
. "$(dirname "$0")/lib.sh"

NETWORK=${BUILD:-build}/corridor.bogie
if [ ! -f "$NETWORK" ]; then
    "$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
    NETWORK=$T/corridor.bogie
fi
BOGIE="$BOGIE" CORRIDOR="$NETWORK" python3 "$ROOT/bench/soak.py" --quick >"$T/soak.out" 2>&1
rc=$?
sed -n 's/^soak, /# soak, /p' "$T/soak.out"
for run in off on; do
    counts=$(sed -n "s/^soak, cache $run: \([0-9]*\) requests, \([0-9]*\) errors.*/\1 requests, \2 errors/p" \
        "$T/soak.out")
    is "cache $run: 5000 requests, 0 errors" "$counts" "5000 requests, 0 errors"
    contains "cache $run: the server exits 0 on SIGTERM" "$(grep "^soak, cache $run:" "$T/soak.out")" "; exit 0 ("
done
ok "soak.py --quick succeeds (every answer right, no sanitizer report)" \
    sh -c 'cat "$1"; exit "$2"' _ "$T/soak.out" "$rc"

done_testing
