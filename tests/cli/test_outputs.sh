#!/usr/bin/env bash
# test_outputs.sh: what `bogie route` writes, on tests/data/tiny/controls.overpass.json (station names with escape
# sequences, CR and BEL, names in Cyrillic, Hangul and Chinese, a tagged 40 km/h stretch, a 250 m curve, and a break
# of gauge at a station with BEL in its name): control characters reported at import and never written to a terminal
# or into XML; columns aligned by display width; GPX track points with their times; the plot's kinds of limit; file
# names that name another format refused.
. "$(dirname "$0")/lib.sh"

"$BOGIE" import -q --data "$ROOT/data" "$DATA/tiny/controls.overpass.json" -o "$T/c.bogie" 2>"$T/import.err"
route() { "$BOGIE" route --network "$T/c.bogie" --data "$ROOT/data" --from Start --to End --train armoured "$@"; }
dep=(--depart "2024-05-01 12:00")
# no_controls DESCRIPTION FILE: passes when FILE holds no control character but newlines (C0, DEL, C1 in UTF-8).
no_controls() {
    ok "$1" python3 -c "
import re, sys
t = open(sys.argv[1], encoding='utf-8').read()
bad = [(i, hex(ord(c))) for i, c in enumerate(t) if re.match('[\x00-\x09\x0b-\x1f\x7f-\x9f]', c)]
assert not bad, bad[:5]" "$2"
}

# --- the import reports each name, with the object and the field ---------------------------------------------------
err=$(cat "$T/import.err")
contains "import warns of ESC[2J in node 1004's name" "$err" 'warning: node 1004: name="Alpha\x1b[2J" holds control characters'
contains "import warns of CR in node 1008's name" "$err" 'warning: node 1008: name="Bravo\x0d'
contains "import warns of BEL in node 1012's name" "$err" 'warning: node 1012: name="Charlie\x07\x07"'
contains "import warns of an OSC title in node 1052's name" "$err" 'warning: node 1052: name="Omega\x1b]0;owned\x07"'
is "import warns of nothing else" "$(grep -c warning "$T/import.err")" "4"
no_controls "import's warnings hold no control character" "$T/import.err"
"$BOGIE" info "$T/c.bogie" >"$T/info.txt"
contains "bogie info lists them as suspicious values" "$(cat "$T/info.txt")" 'name=Charlie\x07\x07: holds control characters'
no_controls "bogie info holds no control character" "$T/info.txt"

# --- the timetable ------------------------------------------------------------------------------------------------
ok "the journey over the names runs" route "${dep[@]}" --via Seoul --via Yoshinoya --via Hanguk --via "Llanfair PG" \
    -o "$T/c.txt"
no_controls "the timetable holds no control character" "$T/c.txt"
contains "an escape sequence shows as U+FFFD" "$(cat "$T/c.txt")" $'Alpha\uFFFD[2J'
# Display width as a terminal has it: two for East Asian wide and fullwidth characters, none for combining marks,
# format characters and Hangul medial vowels and final consonants (decomposed syllables), one for the others.
cat >"$T/width.py" <<'PY'
import unicodedata
def width(s):
    n = 0
    for c in s:
        o = ord(c)
        if unicodedata.category(c) in ("Mn", "Me", "Cf") or 0x1160 <= o <= 0x11FF or 0xD7B0 <= o <= 0xD7FF:
            continue
        n += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return n
PY
export PYTHONPATH=$T
ok "the column after the station starts at the same display column on every row" python3 - "$T/c.txt" <<'PY'
import re, sys
from width import width
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
head = next(i for i, l in enumerate(lines) if l.lstrip().startswith("km "))
rows = lines[head + 1:lines.index("", head)]
assert len(rows) == 12, rows
col = width(lines[head])  # the header: "station" padded, then the space before the column that follows
notes = re.compile(r"(depart|arrive|stop \(\d+ min\))$")
for r in rows:
    m = notes.search(r)
    start = width(r[:m.start()]) if m else width(r)
    assert start == col, (r, start, col)
assert sum(1 for r in rows if notes.search(r)) == 6, rows
assert any("서울" in r for r in rows) and any("\u1112\u1161" in r for r in rows)  # composed and decomposed Hangul
PY

"$BOGIE" stations --network "$T/c.bogie" --data "$ROOT/data" o >"$T/stations.txt"
no_controls "bogie stations holds no control character" "$T/stations.txt"
ok "bogie stations: the coordinates end at the same display column on every row" python3 - "$T/stations.txt" <<'PY'
import re, sys
from width import width
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(rows) >= 6 and all(any(n in r for r in rows) for n in ("서울", "𠮷野家", "Хабаровск", "Bravo")), rows
starts = set()
for r in rows:
    m = re.search(r"\d+\.\d{6} +\d+\.\d{6}  ", r)  # printed in fixed widths: where they end tells
    starts.add(width(r[:m.end()]))
assert len(starts) == 1, starts
PY

"$BOGIE" table --network "$T/c.bogie" --data "$ROOT/data" --train armoured --from Start --from Хабаровск --from 서울 \
    --from Bravo --to End --to Хабаровск --to 서울 >"$T/table.txt"
no_controls "bogie table holds no control character" "$T/table.txt"
ok "bogie table: every column ends at the same display column on every row, and no name is cut" python3 - "$T/table.txt" <<'PY'
import re, sys
from width import width
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]
assert len(rows) == 5 and rows[0].split()[-3:] == ["End", "Хабаровск", "서울"], rows
for r in rows[1:]:
    assert r.split()[0] in ("Start", "Хабаровск", "서울") or r.startswith("Bravo"), r
ends = {width(r) for r in rows}
assert len(ends) == 1, rows
cells = [[width(r[:m.end()]) for m in re.finditer(r"(\d+:\d\d|-)(?= |$)", r)] for r in rows[1:]]
assert all(c == cells[0] for c in cells), cells
PY

# --- GPX: well-formed, and a timed track --------------------------------------------------------------------------
ok "GPX with a departure" route "${dep[@]}" --via Seoul --format gpx -o "$T/c.gpx"
ok "route's JSON" route "${dep[@]}" --via Seoul --format json -o "$T/c.json"
ok "the GPX is well-formed XML (xmllint)" xmllint --noout "$T/c.gpx"
no_controls "the GPX holds no control character" "$T/c.gpx"
ok "every track point has a time, non-decreasing, from the departure to the arrival" python3 - "$T/c.gpx" "$T/c.json" <<'PY'
import json, sys, xml.etree.ElementTree as ET
from datetime import datetime, timezone
ns = {"g": "http://www.topografix.com/GPX/1/1"}
pts = ET.parse(sys.argv[1]).getroot().findall(".//g:trkpt", ns)
d = json.load(open(sys.argv[2]))
assert len(pts) > 50, len(pts)
texts = [p.findtext("g:time", None, ns) for p in pts]
assert all(t and t.endswith("Z") for t in texts), [t for t in texts if not t or not t.endswith("Z")][:3]
times = [datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) for t in texts]
assert all(a <= b for a, b in zip(times, times[1:])), "times go back"
utc = lambda s: datetime.fromisoformat(s).astimezone(timezone.utc)
assert times[0] == utc(d["stops"][0]["depart"]), (times[0], d["stops"][0]["depart"])
assert times[-1] == utc(d["stops"][-1]["arrive"]), (times[-1], d["stops"][-1]["arrive"])
# The train stands at the via: the track has a point at its arrival and one at its departure.
via = next(s for s in d["stops"] if "via" in s["kinds"])
assert via["depart_s"] > via["arrive_s"], via
assert utc(via["arrive"]) in times and utc(via["depart"]) in times, via
PY
ok "GPX without a departure" route --format gpx -o "$T/untimed.gpx"
ok "it is well-formed too" xmllint --noout "$T/untimed.gpx"

# --- the speed plot -----------------------------------------------------------------------------------------------
ok "the plot, stopping at two of the names" route "${dep[@]}" --via $'Alpha\e[2J' --via $'Charlie\a\a' \
    --plot "$T/c.svg" -o /dev/null
ok "the SVG is well-formed XML (xmllint)" xmllint --noout "$T/c.svg"
no_controls "the SVG holds no control character" "$T/c.svg"
ok "the limit is drawn under the speed, curve limits apart from tagged ones" python3 - "$T/c.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
els = list(ET.parse(sys.argv[1]).getroot().iter())
cls = [e.get("class", "") for e in els]
speed = cls.index("speed")
assert cls.count("speed") == 1
curve = [i for i, c in enumerate(cls) if c.split() == ["limit", "limit-curve"]]
line = [i for i, c in enumerate(cls) if c.split() == ["limit", "limit-line"]]
assert curve and line, cls
assert max(curve + line) < speed, "a limit is drawn over the speed"
c, l, s = els[curve[0]], els[line[0]], els[speed]
assert c.get("stroke") != l.get("stroke"), "curve and tagged limits look alike"
assert float(c.get("stroke-width")) > float(s.get("stroke-width")) and float(l.get("stroke-width")) > float(s.get("stroke-width"))
assert len(c.get("d").split()) >= 3 and len(l.get("d").split()) >= 3
PY

# --- file names that name another format --------------------------------------------------------------------------
route --plot "$T/out.png" >/dev/null 2>"$T/png.err"
is "--plot out.png is refused" "$?" "2"
contains "and told why" "$(cat "$T/png.err")" "give a name ending in .svg"
ok "nothing is written" test ! -e "$T/out.png"
route --format json -o "$T/x.gpx" 2>"$T/gpx.err"
is "-o x.gpx with --format json is refused" "$?" "2"
ok "nothing is written" test ! -e "$T/x.gpx"
route --profile-csv "$T/p.txt" >/dev/null 2>&1
is "--profile-csv p.txt is refused" "$?" "2"
ok "-o x.gpx without --format writes GPX" route -o "$T/y.gpx"
ok "it is GPX" xmllint --noout "$T/y.gpx"
ok "-o without an extension writes the format asked" route --format json -o "$T/plain"
ok "it is JSON" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/plain"

done_testing
