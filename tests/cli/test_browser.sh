#!/usr/bin/env bash
# test_browser.sh: the web page in a real browser: builds the page (web/), starts `bogie serve` on a free loopback
# port with the corridor network, and runs tests/browser/page.test.mjs (headless Chromium through playwright-core),
# passing its TAP lines through. Screenshots go to $BUILD/artifacts. Needs node, npm and chromium.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# Tools this test cannot do without: say which is missing, as a failure rather than a silent skip.
missing=""
command -v node >/dev/null || missing+=" node"
command -v npm >/dev/null || missing+=" npm"
[ -x "$CHROMIUM" ] || missing+=" chromium"
if [ -n "$missing" ]; then
    echo "not ok 1 - the browser test needs:$missing (tools/install-deps.sh --test installs them with apt-get)"
    echo "1..1"
    exit 1
fi

# The page and its vendored files: node_modules from the lock file when missing, then web/build.sh.
if [ ! -d web/node_modules ]; then
    npm ci --prefix web --no-audit --no-fund >"$T/npm.log" 2>&1 || { sed 's/^/#   /' "$T/npm.log" | tail -20; }
fi
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
status=$?
while IFS= read -r line; do
    case $line in
        "ok "* | "not ok "*)
            _n=$((_n + 1))
            [[ $line == "not ok "* ]] && _failed=$((_failed + 1))
            # "ok 3 - text" -> "ok $_n - text"
            echo "$line" | sed -E "s/^(ok|not ok) [0-9]+/\1 $_n/"
            ;;
        "1.."*) ;;
        *) echo "# $line" | sed 's/^# #/#/' ;;
    esac
done <"$T/browser.tap"
if [ "$status" -ne 0 ] && ! grep -q '^not ok' "$T/browser.tap"; then
    _n=$((_n + 1))
    _failed=$((_failed + 1))
    echo "not ok $_n - the browser test exited with status $status"
fi

done_testing
