#!/usr/bin/env bash
# test_browser.sh: the web page in a real browser: builds the page (web/), starts `bogie serve` on a free loopback
# port with the corridor network, and runs tests/browser/page.test.mjs (headless Chromium through playwright-core),
# passing its TAP lines through. Screenshots go to $BUILD/artifacts. Needs node, npm and chromium.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
need_browser_tools "the browser test"
ok "the web page builds into $BUILD/web" web/build.sh "$BUILD/web"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"

# A free loopback port: the kernel picks one, then it is released for the server to take.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
URL="http://127.0.0.1:$PORT"
"$BOGIE" serve --network "$T/corridor.bogie" --web "$BUILD/web" --port "$PORT" --host 127.0.0.1 >"$T/serve.log" 2>&1 &
server=$!
# Always stop the server, however the test ends.
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT

# Wait up to 15 s for /health to answer, giving up at once if the server has exited.
up=0
for _ in $(seq 1 150); do
    kill -0 "$server" 2>/dev/null || break
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/health", timeout=1)' "$URL" 2>/dev/null; then
        up=1
        break
    fi
    sleep 0.1
done
_n=$((_n + 1))
if [ "$up" -eq 1 ]; then
    echo "ok $_n - bogie serve answers /health on $URL"
else
    echo "not ok $_n - bogie serve answers /health on $URL"
    sed 's/^/#   /' "$T/serve.log" | head -20
    _failed=$((_failed + 1))
    done_testing
    exit 1
fi

# The browser test prints TAP numbered from 1; renumber its lines to follow ours.
mkdir -p "$BUILD/artifacts"
BOGIE_URL=$URL BOGIE_ARTIFACTS="$BUILD/artifacts" CHROMIUM=$CHROMIUM \
    timeout 300 node tests/browser/page.test.mjs >"$T/browser.tap" 2>&1
tap_include "$T/browser.tap" $?

done_testing
