#!/bin/sh
# network-picture.sh: the picture of a network in docs/networks.md: serves NETWORK with the built page (build/web),
# plans the journey QUERY (the page's address parameters) in headless Chromium and writes the window to OUT.png.
#   sh tools/network-picture.sh build/eurasia.bogie docs/eurasia-network.png \
#       'from=Beijing&to=Warszawa Centralna&train=china-europe-freight&depart=2023-09-10 15:00'
# Needs `make` (build/bogie, build/web), node with web/'s npm packages, and chromium (sh tools/install-deps.sh --test).
set -eu
[ $# -eq 3 ] || { echo "usage: sh tools/network-picture.sh NETWORK.bogie OUT.png QUERY" >&2; exit 2; }
cd "$(dirname "$0")/.."
log=$(mktemp)
build/bogie serve --network "$1" --web build/web --data data --port 0 --no-prepare 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 300); do
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && break
    kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "network-picture: the server did not start" >&2; exit 1; }
BOGIE_URL="http://127.0.0.1:$port" node tools/network-picture.mjs "$2" "$3"
