#!/bin/sh
# build.sh: copies bogie's web page (web/src) and exactly the vendored files it needs from web/node_modules into one
# directory, which `bogie serve --web DIR` serves. Usage: web/build.sh OUTDIR, after `npm ci --prefix web`.
set -eu
out=${1:?usage: web/build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
nm=$here/node_modules

# The vendored files, as "package-relative source:name under vendor/". No marker images: the page draws its own.
vendored="leaflet/dist/leaflet.js:leaflet.js
leaflet/dist/leaflet.css:leaflet.css
leaflet/LICENSE:LICENSE.leaflet
topojson-client/dist/topojson-client.min.js:topojson-client.min.js
topojson-client/LICENSE:LICENSE.topojson-client
world-atlas/countries-50m.json:countries-50m.json
world-atlas/LICENSE:LICENSE.world-atlas"

for pair in $vendored; do
    if [ ! -f "$nm/${pair%%:*}" ]; then
        echo "build.sh: $nm/${pair%%:*} is missing; run: npm ci --prefix web" >&2
        exit 1
    fi
done
# Refuse to replace a directory that is not an earlier output of this script.
if [ -e "$out" ] && [ ! -f "$out/index.html" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    echo "build.sh: $out exists and is not a built page; not replacing it" >&2
    exit 1
fi

# Build into a temporary directory beside the output and swap it in, so a server never sees half a page.
tmp="$out.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/vendor"
cp "$here"/src/* "$tmp/"
for pair in $vendored; do
    cp "$nm/${pair%%:*}" "$tmp/vendor/${pair#*:}"
done
rm -rf "$out"
mv "$tmp" "$out"
echo "build.sh: the page is in $out"
