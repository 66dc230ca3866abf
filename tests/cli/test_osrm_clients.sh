#!/usr/bin/env bash
# test_osrm_clients.sh: bogie serve as OSRM's clients see it: the Access-Control-Allow-Origin that --cors sets (the
# default *, one origin, none) on answers, errors and preflights; then the real clients in
# tests/browser/osrm_clients.test.mjs: osrm-text-instructions turning every step into text, and Leaflet Routing
# Machine in headless Chromium drawing the flagship route from a page on another origin. Needs node, npm and chromium.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
need_browser_tools "the OSRM clients test"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
servers=()
trap 'kill "${servers[@]}" 2>/dev/null; wait 2>/dev/null' EXIT

# The test page's own server, on a port of its own: another origin than bogie's.
PAGE_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
PAGE_URL="http://127.0.0.1:$PAGE_PORT"
mkdir -p "$T/page"
cp tests/browser/lrm/index.html tests/browser/lrm/page.js web/node_modules/leaflet/dist/leaflet.js \
    web/node_modules/leaflet/dist/leaflet.css web/node_modules/leaflet-routing-machine/dist/leaflet-routing-machine.js \
    web/node_modules/leaflet-routing-machine/dist/leaflet-routing-machine.css \
    web/node_modules/leaflet-routing-machine/dist/leaflet.routing.icons.png \
    web/node_modules/leaflet-routing-machine/dist/leaflet.routing.icons.svg "$T/page/"
cp -r web/node_modules/leaflet/dist/images "$T/page/"
python3 -m http.server "$PAGE_PORT" --bind 127.0.0.1 --directory "$T/page" >"$T/page.log" 2>&1 &
servers+=("$!")

serve_network "$T/any.log" "$T/corridor.bogie" --no-prepare
ANY="http://127.0.0.1:$port"
serve_network "$T/one.log" "$T/corridor.bogie" --no-prepare --cors "$PAGE_URL"
ONE="http://127.0.0.1:$port"
serve_network "$T/none.log" "$T/corridor.bogie" --no-prepare --cors none
NONE="http://127.0.0.1:$port"

# headers URL [curl args]: the answer's headers, lower-cased names, one a line.
headers() { curl -s -g -o /dev/null -D - "$@" | tr -d '\r' | sed 's/^\([^:]*\):/\L\1:/'; }
acao() { headers "$@" | sed -n 's/^access-control-allow-origin: //p'; }
preflight() { headers -X OPTIONS -H "Origin: $PAGE_URL" -H "Access-Control-Request-Method: GET" "$1/route/v1/armoured/1,2;3,4"; }
ROUTE=/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?overview=false

is "--cors by default: Access-Control-Allow-Origin: *" "$(acao "$ANY$ROUTE")" "*"
is "--cors ORIGIN: the route names that origin" "$(acao "$ONE$ROUTE")" "$PAGE_URL"
is "--cors ORIGIN: an error names it too" "$(acao "$ONE/route/v1/armoured/1,2?colour=red")" "$PAGE_URL"
is "--cors ORIGIN: the page's files too" "$(acao "$ONE/health")" "$PAGE_URL"
is "--cors ORIGIN: the preflight allows that origin and GET" \
    "$(preflight "$ONE" | grep -E '^(HTTP|access-control-allow-(origin|methods))' | xargs)" \
    "HTTP/1.1 204 No Content access-control-allow-origin: $PAGE_URL access-control-allow-methods: GET, HEAD, OPTIONS"
is "--cors none: no Access-Control-Allow-Origin" "$(headers "$NONE$ROUTE" | grep -c '^access-control-')" "0"
is "--cors none: the preflight answers 204 with no Access-Control header" \
    "$(preflight "$NONE" | grep -E '^(HTTP|access-control-)' | xargs)" "HTTP/1.1 204 No Content"
is "--cors none: the answer itself is unchanged" "$(curl -s -g "$NONE$ROUTE" | md5sum)" "$(curl -s -g "$ANY$ROUTE" | md5sum)"
for bad in "example.org" "http://example.org/path" "https://" "$(printf 'http://a\r\nX-Evil: 1')"; do
    out=$("$BOGIE" serve --network "$T/corridor.bogie" --port 0 --no-prepare --cors "$bad" 2>&1 </dev/null)
    st=$?
    is "--cors $(printf %q "$bad"): refused at start" "$st $(grep -c 'not an origin' <<<"$out")" "2 1"
done

# Wait for the page's server, then run the clients.
for _ in $(seq 1 50); do curl -s -o /dev/null "$PAGE_URL/index.html" && break; sleep 0.1; done
mkdir -p "$BUILD/artifacts"
BOGIE_URL=$ONE BOGIE_NOCORS_URL=$NONE PAGE_URL=$PAGE_URL BOGIE_ARTIFACTS="$BUILD/artifacts" CHROMIUM=$CHROMIUM \
    timeout 300 node tests/browser/osrm_clients.test.mjs >"$T/clients.tap" 2>&1
tap_include "$T/clients.tap" $?

done_testing
