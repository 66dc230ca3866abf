#!/usr/bin/env bash
# test_bad_input.sh: bad inputs make `bogie import` exit non-zero with a message naming the file and the position,
# leave no output file (nor temporary file) behind, and never touch a good file already at the output path.
. "$(dirname "$0")/lib.sh"

cd "$T"
"$BOGIE" import -q "$DATA/tiny/gauges.osm" -o good.bogie
cp good.bogie keep.bogie

# expect_failure NAME INPUT PATTERN...: import INPUT onto the existing good file; it must fail with exit status 1,
# print every PATTERN (extended regular expressions) on stderr, leave good.bogie as it was and leave no temporaries.
expect_failure() {
    local name=$1 input=$2
    shift 2
    "$BOGIE" import -q "$input" -o good.bogie 2>err.txt
    is "$name: exit status" "$?" "1"
    local msg
    msg=$(cat err.txt)
    for pat in "$@"; do
        _n=$((_n + 1))
        if grep -Eq -- "$pat" err.txt; then
            echo "ok $_n - $name: message matches /$pat/"
        else
            echo "not ok $_n - $name: message matches /$pat/"
            echo "#   message: $msg"
            _failed=$((_failed + 1))
        fi
    done
    same_file "$name: the existing output is untouched" good.bogie keep.bogie
    is "$name: no temporary file left" "$(ls -A | grep -c '\.tmp\.')" "0"
    "$BOGIE" import -q "$input" -o fresh.bogie 2>/dev/null
    is "$name: no output file created" "$(test -e fresh.bogie && echo exists || echo absent)" "absent"
}

src=$DATA/osm/cologne-railway.osm.pbf
head -c 300000 "$src" >truncated.osm.pbf
expect_failure "truncated PBF" truncated.osm.pbf 'truncated\.osm\.pbf: byte [0-9]+ \(blob [0-9]+\)' 'file ends inside the blob'
head -c 2 "$src" >tiny-truncated.osm.pbf
expect_failure "PBF cut inside its first length prefix" tiny-truncated.osm.pbf 'tiny-truncated\.osm\.pbf: byte 0'
python3 - "$src" corrupt.osm.pbf <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for i in range(200000, 200040):  # inside the zlib stream of an OSMData blob
    d[i] ^= 0x5A
open(sys.argv[2], "wb").write(d)
PY
expect_failure "PBF with a corrupt blob" corrupt.osm.pbf 'corrupt\.osm\.pbf: byte [0-9]+ \(blob [0-9]+, OSMData\)' 'zlib'
printf '<?xml version="1.0"?>\n<osm version="0.6">\n  <node id="1" lat="50" lon="8">\n</osm>\n' >malformed.osm
expect_failure "malformed XML" malformed.osm 'malformed\.osm: line 4, column [0-9]+' 'mismatched tag'
cp "$DATA/bad/node-without-lat.osm" .
expect_failure "XML node without lat" node-without-lat.osm 'node-without-lat\.osm: line [0-9]+: node 123' '"lat"'
head -c 100000 "$DATA/osm/moscow.osm.gz" >cut.osm.gz
expect_failure "truncated gzip" cut.osm.gz 'cut\.osm\.gz: compressed byte [0-9]+' 'truncated'
printf '{"type": "FeatureCollection", "features": []}\n' >not-overpass.json
expect_failure "JSON that is not Overpass" not-overpass.json 'not-overpass\.json' 'not an Overpass API JSON document' '"elements"'
printf '{"elements": [\n {"type": "way", "id": 1234, "nodes": "oops"}\n]}\n' >bad-element.json
expect_failure "Overpass element with a wrong field" bad-element.json 'bad-element\.json: elements\[0\] \(way 1234\)' '"nodes"'
cp "$DATA/bad/syntax-error.json" .
expect_failure "JSON syntax error" syntax-error.json 'syntax-error\.json: line [0-9]+, column [0-9]+'
echo "railway=rail" >network.txt
expect_failure "unknown extension" network.txt 'network\.txt: unknown input format'
: >empty.osm.pbf
expect_failure "empty PBF" empty.osm.pbf 'empty\.osm\.pbf: byte 0: empty file'
: >empty.osm
expect_failure "empty XML" empty.osm 'empty\.osm: byte 0: empty file'
: >empty.json
expect_failure "empty JSON" empty.json 'empty\.json: byte 0: empty file'
expect_failure "missing file" no-such-file.osm.pbf 'no-such-file\.osm\.pbf: cannot open'
printf '<?xml version="1.0"?>\n<osm version="0.6"><node id="1" lat="50" lon="8"/></osm>\n' >no-track.osm
expect_failure "input without track" no-track.osm 'no usable track'

# Usage errors exit with 2.
"$BOGIE" import -q 2>/dev/null
is "import without arguments exits 2" "$?" "2"
"$BOGIE" frobnicate 2>/dev/null
is "an unknown command exits 2" "$?" "2"

# A temporary file left by an import that was killed (its process is gone) is removed by the next import.
touch .good.bogie.tmp.999999999.1
"$BOGIE" import -q "$DATA/tiny/gauges.osm" -o good.bogie
is "a dead import's temporary file is cleaned up" "$(ls -A | grep -c '\.tmp\.')" "0"

# SIGINT in the middle of an import: it stops, says so, and leaves the old file and no temporary behind.
mkfifo slow.osm
(
    printf '<?xml version="1.0"?>\n<osm version="0.6">\n'
    for i in $(seq 1 6000); do printf '<node id="%d" lat="50" lon="8"/>\n' "$i"; done
    sleep 3
    printf '</osm>\n'
) >slow.osm &
feeder=$!
"$BOGIE" import slow.osm -o good.bogie 2>err.txt &
importer=$!
sleep 1
kill -INT "$importer"
wait "$importer"
is "an interrupted import exits 1" "$?" "1"
contains "an interrupted import says so" "$(cat err.txt)" "interrupted"
kill "$feeder" 2>/dev/null
wait "$feeder" 2>/dev/null
same_file "an interrupted import leaves the old file" good.bogie keep.bogie
is "an interrupted import leaves no temporary file" "$(ls -A | grep -c '\.tmp\.')" "0"

# Outputs that are not regular files: renaming a temporary file over them would replace them (as root, even
# /dev/null). Text goes straight into them; a graph file is refused.
mkfifo pipe
timeout 20 cat pipe >piped.txt &
reader=$!
ok "route -o a FIFO writes into it" timeout 20 "$BOGIE" route --network good.bogie --data "$ROOT/data" \
    --from Alpha --to Beta --train armoured -o pipe
wait "$reader"
ok "the FIFO carried the timetable and is still a FIFO" sh -c "test -p pipe && grep -q arrive piped.txt"
"$BOGIE" import -q "$ROOT/data/corridor/corridor.osm" -o pipe 2>err.txt
is "import -o a FIFO fails" "$?" "1"
contains "import -o a FIFO says why" "$(cat err.txt)" "pipe: not a regular file"
ok "and leaves it a FIFO" test -p pipe

# A symbolic link planted at route -o's temporary name (OUT.tmp.PID: the shell's PID is the one bogie runs as, by
# exec) must not redirect the write to the link's target.
"$BOGIE" import -q "$ROOT/data/corridor/corridor.osm" --data "$ROOT/data" -o corridor.bogie
echo precious >victim
sh -c 'ln -s victim "timetable.txt.tmp.$$" && exec "$0" route --network corridor.bogie --data "$1" --from Pyongyang \
    --to Khasan --train armoured -o timetable.txt' "$BOGIE" "$ROOT/data" 2>err.txt
is "route -o with a link planted at its temporary name fails" "$?" "1"
is "and the link's target is untouched" "$(cat victim)" "precious"
contains "and it says why" "$(cat err.txt)" "cannot create"
ok "and no timetable is left half-written" test ! -e timetable.txt

# -o a symbolic link writes the file it leads to and keeps the link (it once replaced the link with a regular file:
# -o /dev/stdout, run as root with stdout redirected to a file, replaced /dev/stdout itself).
echo old >real.txt
ln -s real.txt link.txt
"$BOGIE" route --network corridor.bogie --data "$ROOT/data" --from Pyongyang --to Khasan --train armoured -o link.txt
ok "route -o a symbolic link keeps the link" test -L link.txt
contains "and writes the timetable into the file it leads to" "$(cat real.txt)" "Pyongyang -> Khasan"
stdout_was_link=$([ -L /dev/stdout ] && echo yes)
"$BOGIE" route --network corridor.bogie --data "$ROOT/data" --from Pyongyang --to Khasan --train armoured \
    --depart "2023-09-10 15:00" --format gtfs -o /dev/stdout >stdout.zip
ok "--format gtfs -o /dev/stdout with stdout a file writes the feed there" python3 -c \
    'import sys, zipfile; sys.exit("stop_times.txt" not in zipfile.ZipFile(sys.argv[1]).namelist())' stdout.zip
ok "and /dev/stdout is as it was (a link, where it was one)" sh -c '[ -z "$1" ] || test -L /dev/stdout' _ "$stdout_was_link"

done_testing
