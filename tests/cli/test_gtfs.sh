#!/usr/bin/env bash
# test_gtfs.sh: `bogie route --format gtfs` and /api/journey?format=gtfs on the flagship journey (Pyongyang to
# Vladivostok with the armoured train, past midnight and across a time zone): the feed's files and fields read with
# Python's csv (tests/tools/gtfs_check.py), then two real consumers, node-gtfs importing it into SQLite with its
# stop_times matching bogie's timetable, and gtfs-to-html rendering its timetable page; the HTTP answer; and the
# refusals (no -o, no --depart, a wrong extension, paths that cannot be written) leaving no file behind. The
# consumers are tests/gtfs's npm packages (tools/install-deps.sh --test installs them, and make check when they are
# missing).
. "$(dirname "$0")/lib.sh"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
JOURNEY=(--network "$T/corridor.bogie" --from Pyongyang --to Vladivostok --train armoured --depart "2023-09-10 15:00")

ok "route -o FEED.zip writes a GTFS feed (the extension names the format)" "$BOGIE" route "${JOURNEY[@]}" -o "$T/feed.zip"
ok "route --format gtfs -o FILE writes one too" "$BOGIE" route "${JOURNEY[@]}" --format gtfs -o "$T/feed2.zip"
same_file "the same journey gives the same bytes" "$T/feed2.zip" "$T/feed.zip"
"$BOGIE" route "${JOURNEY[@]}" --format json >"$T/journey.json"
python3 tests/tools/gtfs_check.py feed "$T/feed.zip" "$T/journey.json" >"$T/feed.tap" 2>&1
tap_include "$T/feed.tap" $?
is "-o /dev/stdout pipes the zip" \
    "$("$BOGIE" route "${JOURNEY[@]}" --format gtfs -o /dev/stdout | cmp - "$T/feed.zip" && echo same)" "same"

# The refusals: usage errors (2) naming what is missing, and nothing written.
out=$("$BOGIE" route "${JOURNEY[@]}" --format gtfs 2>&1 >"$T/stdout")
is "--format gtfs without -o: a usage error" "$? $(grep -c 'give -o FEED.zip' <<<"$out") $(wc -c <"$T/stdout")" "2 1 0"
out=$("$BOGIE" route "${JOURNEY[@]:0:8}" -o "$T/nodepart.zip" 2>&1)
is "-o FEED.zip without --depart: a usage error naming --depart" \
    "$? $(grep -c 'needs --depart TIME' <<<"$out") $(ls "$T" | grep -c nodepart)" "2 1 0"
out=$("$BOGIE" route "${JOURNEY[@]}" --format gtfs -o "$T/feed.json" 2>&1)
is "--format gtfs -o x.json: refused for its extension" "$? $(grep -c 'give a name ending in .zip' <<<"$out")" "2 1"
echo "a file, not a folder" >"$T/plain"
out=$("$BOGIE" route "${JOURNEY[@]}" -o "$T/plain/feed.zip" 2>&1)
is "a path under a file: fails (1), saying so" "$? $(grep -c 'cannot create' <<<"$out")" "1 1"
mkdir "$T/folder.zip"
out=$("$BOGIE" route "${JOURNEY[@]}" -o "$T/folder.zip" 2>&1)
is "a folder's name: fails (1), the folder left empty" "$? $(ls -A "$T/folder.zip" | wc -l)" "1 0"
is "no temporary file left behind" "$(find "$T" -name '*.tmp.*' | wc -l)" "0"

# The HTTP API: the same feed, as a download.
servers=()
trap 'kill "${servers[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
serve_network "$T/serve.log" "$T/corridor.bogie" --no-prepare
URL="http://127.0.0.1:$port/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&depart=2023-09-10%2015:00"
head=$(curl -s -g -D - -o "$T/api.zip" "$URL&format=gtfs" | tr -d '\r')
contains "format=gtfs answers 200" "$head" "HTTP/1.1 200"
contains "format=gtfs is application/zip" "$head" "Content-Type: application/zip"
contains "format=gtfs is a download with a file name" "$head" \
    'Content-Disposition: attachment; filename="bogie-journey-gtfs.zip"'
same_file "format=gtfs is the command's feed, byte for byte" "$T/api.zip" "$T/feed.zip"
head=$(curl -s -g -D - -o "$T/api2.zip" "$URL&format=gtfs" | tr -d '\r')
contains "the cached answer keeps its file name" "$head" 'Content-Disposition: attachment; filename="bogie-journey-gtfs.zip"'
same_file "the cached answer is the same feed" "$T/api2.zip" "$T/feed.zip"
body=$(curl -s -g -w ' %{http_code}' "http://127.0.0.1:$port/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&format=gtfs")
contains "format=gtfs without depart: 400 naming depart" "$body" 'format=gtfs needs depart'
contains "  (and its status)" "$body" ' 400'
contains "the error for an unknown format lists gtfs" \
    "$(curl -s -g "$URL&format=kml")" "format must be json, geojson, gpx, svg or gtfs"

# The consumers. They come from tests/gtfs's lock file, which make check installs when they are missing: only a run
# outside make check may lack them, and it is told how to get them; in CI they must be there.
consumers=tests/gtfs/node_modules
if ! command -v node >/dev/null || [ ! -d "$consumers/gtfs" ] || [ ! -d "$consumers/gtfs-to-html" ]; then
    if [ -n "${CI:-}" ]; then
        is "the GTFS consumers are installed (CI)" "missing" "tests/gtfs/node_modules"
    else
        echo "ok $((_n + 1)) # SKIP node-gtfs and gtfs-to-html are not installed: sh tools/install-deps.sh --test" \
            "installs them (make check does when they are missing)"
        _n=$((_n + 1))
    fi
    done_testing
    exit
fi

node tests/gtfs/import_feed.mjs "$T/feed.zip" "$T/gtfs.sqlite" >"$T/import.json" 2>"$T/import.err"
ok "node-gtfs imports the feed" test -s "$T/import.json"
sed 's/^/#   /' "$T/import.err" | head -20
python3 tests/tools/gtfs_check.py node-gtfs "$T/import.json" "$T/journey.json" >"$T/node.tap" 2>&1
tap_include "$T/node.tap" $?

# gtfs-to-html 2.5.6 writes into html/AGENCY_KEY under the working directory.
cat >"$T/g2h.json" <<EOF
{"agencies": [{"agency_key": "bogie", "path": "$T/feed.zip"}], "sqlitePath": "$T/g2h.sqlite",
 "outputFormat": "html", "verbose": false, "showMap": false, "zipOutput": false}
EOF
ok "gtfs-to-html renders the feed" sh -c 'cd "$1" && "$2" --configPath g2h.json' - "$T" "$ROOT/$consumers/.bin/gtfs-to-html"
page=$(find "$T/html" -path '*/timetables/*.html' | head -1)
ok "gtfs-to-html wrote a timetable page" test -n "$page"
python3 tests/tools/gtfs_check.py html "${page:-/dev/null}" "$T/journey.json" >"$T/html.tap" 2>&1
tap_include "$T/html.tap" $?
contains "gtfs-to-html: its page names Khasan, the border station" "$(cat "${page:-/dev/null}")" "Khasan"

done_testing
