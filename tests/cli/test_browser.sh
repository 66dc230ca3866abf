#!/usr/bin/env bash
# test_browser.sh: the web page in a real browser: builds the page (web/), starts `bogie serve` on free loopback
# ports with the corridor network and with tests/data/tiny/two-changers.osm (for the alternatives), and runs tests/browser/page.test.mjs (headless Chromium through playwright-core),
# passing its TAP lines through. Screenshots go to $BUILD/artifacts. Needs node, npm and chromium.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
need_browser_tools "the browser test"
ok "the web page builds into $BUILD/web" web/build.sh "$BUILD/web"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"

# start_server NETWORK NAME: bogie serve on NETWORK at a free loopback port (the kernel picks one, then it is
# released for the server to take); reports as a test whether it answers /health within 15 s, giving up at once if
# it has exited, and sets url to its address. Every server is stopped however the test ends.
servers=()
trap 'kill "${servers[@]}" 2>/dev/null; wait "${servers[@]}" 2>/dev/null' EXIT
start_server() {
    local net=$1 name=$2 port server up=0
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    url="http://127.0.0.1:$port"
    "$BOGIE" serve --network "$net" --web "$BUILD/web" --port "$port" --host 127.0.0.1 >"$T/serve-$name.log" 2>&1 &
    server=$!
    servers+=("$server")
    for _ in $(seq 1 150); do
        kill -0 "$server" 2>/dev/null || break
        if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/health", timeout=1)' "$url" 2>/dev/null; then
            up=1
            break
        fi
        sleep 0.1
    done
    _n=$((_n + 1))
    if [ "$up" -eq 1 ]; then
        echo "ok $_n - bogie serve answers /health on $url ($name)"
    else
        echo "not ok $_n - bogie serve answers /health on $url ($name)"
        sed 's/^/#   /' "$T/serve-$name.log" | head -20
        _failed=$((_failed + 1))
        done_testing
        exit 1
    fi
}
start_server "$T/corridor.bogie" corridor
URL=$url
# The hand-made network with two gauge changers, where West - East has an alternative route to pick.
"$BOGIE" import -q "$DATA/tiny/two-changers.osm" -o "$T/two.bogie"
start_server "$T/two.bogie" two-changers
ALT_URL=$url

# The browser test prints TAP numbered from 1; renumber its lines to follow ours.
mkdir -p "$BUILD/artifacts"
BOGIE_URL=$URL BOGIE_ALT_URL=$ALT_URL BOGIE_ARTIFACTS="$BUILD/artifacts" CHROMIUM=$CHROMIUM \
    timeout 300 node tests/browser/page.test.mjs >"$T/browser.tap" 2>&1
tap_include "$T/browser.tap" $?

done_testing
