#!/usr/bin/env bash
# test_turns.sh: turns, reversals, preferred directions and unwired gaps on real track. A hand-made network
# (tests/data/tiny/turns.osm) with one expected route per rule, and the two routes of the Cologne fixture that ran
# far too long: through the legs of a switch (a reversal in disguise) instead of a short shunting move.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
PAIRS="$ROOT/$BUILD/bench/route_pairs"
# pyjson FILE EXPR: evaluates a Python expression over the JSON document d in FILE.
pyjson() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# summary FILE: the path's OSM nodes, the length, the reversal stops' places and the time spent reversing.
summary() { pyjson "$1" '(d["path_osm_nodes"], [s["name"] for s in d["stops"] if "reversal" in s["kinds"]], d["reversal_s"])'; }

"$BOGIE" import -q "$DATA/tiny/turns.osm" -o "$T/turns.bogie"
hand() { "$BOGIE" route --network "$T/turns.bogie" --format json "$@"; }

# --- a V: two legs of a switch without the third ---------------------------------------------------------------
msg=$(hand --from Avon --to Brook --train armoured 2>&1)
is "no train runs from one leg of a switch to the other (one class: the import keeps the switch a node)" "$?" "1"
contains "it says there is no route" "$msg" "no route from Avon to Brook"
msg=$(hand --from Cedar --to Dale --train armoured 2>&1)
is "nor where the legs' classes differ (a node of two tracks)" "$?" "1"

# --- where a train may reverse ------------------------------------------------------------------------------------
hand --from West --to North --train emu-1435 -o "$T/shunt200.json"
is "a 200 m train reverses at K, 300 m past the switch, where the sidings begin, and says so" "$(summary "$T/shunt200.json")" \
    "([121, 122, 124, 122, 123], ['51.02000,8.02430'], 240)"
hand --from West --to North --train armoured -o "$T/shunt467.json"
is "a 467 m train only at a buffer stop, 700 m past the last switch, at its 30 minutes" \
    "$(pyjson "$T/shunt467.json" '(d["path_osm_nodes"][:3], d["path_osm_nodes"][4:], d["path_osm_nodes"][3] in (125, 126), d["reversal_s"], sum("reversal" in s["kinds"] for s in d["stops"]))')" \
    "([121, 122, 124], [124, 122, 123], True, 1800, 1)"

# --- the preferred direction --------------------------------------------------------------------------------------
hand --from Xan --to Yew --train armoured -o "$T/east.json"
hand --from Yew --to Xan --train armoured -o "$T/west.json"
python3 -c "import json, sys; d = json.load(open(sys.argv[1])); d['wrong_track_percent'] = {'value': 0, 'source': 'test'}
json.dump(d, open(sys.argv[2], 'w'))" data/trains/armoured.json "$T/any-track.json"
hand --from Xan --to Yew --train "$T/any-track.json" -o "$T/east-any.json"
ok "eastwards the train keeps to the northern track, normally run eastwards, though it is longer" python3 -c "
import json
e, w, a = (json.load(open('$T/%s.json' % n))['length_km'] for n in ('east', 'west', 'east-any'))
assert e > w + 0.005, (e, w)
assert abs(a - w) < 0.002, (a, w)"

# --- an unwired gap is the whole stretch, whatever the switches inside it ------------------------------------------
hand --from Gaston --to Hale --train emu-1435 -o "$T/gap-emu.json"
is "an electric train coasting 500 m does not run 600 m unwired cut by a switch: it takes the wired detour" \
    "$(pyjson "$T/gap-emu.json" 'd["path_osm_nodes"]')" "[141, 142, 146, 147]"
hand --from Gaston --to Hale --train armoured -o "$T/gap-diesel.json"
is "a diesel takes the direct line" "$(pyjson "$T/gap-diesel.json" 'd["path_osm_nodes"]')" "[141, 142, 143, 144, 145, 146, 147]"

# --- every search applies the same rules --------------------------------------------------------------------------
if [ -x "$PAIRS" ]; then
    for train in armoured emu-1435; do
        ok "turns.osm, $train: random station pairs route alike by Dijkstra, A* and the hierarchy" \
            "$PAIRS" "$T/turns.bogie" data "data/trains/$train.json" 200 21 --stations
    done
fi

# --- Cologne ------------------------------------------------------------------------------------------------------
"$BOGIE" import -q "$DATA/osm/cologne-railway.osm.pbf" -o "$T/cologne.bogie"
cologne() { "$BOGIE" route --network "$T/cologne.bogie" --format json "$@"; }
# Kalk: an electric train, formerly 10.6 km through the legs of switch 1299845035.
cologne --from 50.939893,7.016251 --to 50.950945,7.012517 --train emu-1435 -o "$T/kalk.json"
ok "Kalk, emu-1435: a short move under wires with its reversal listed as a stop" python3 -c "
import json
d = json.load(open('$T/kalk.json'))
rev = [s for s in d['stops'] if 'reversal' in s['kinds']]
assert d['length_km'] < 5 and len(rev) >= 1 and d['reversal_s'] == 240 * len(rev), (d['length_km'], len(rev))"
# Horrem: 130 m across the station, formerly 48 km.
cologne --from 50.918903,6.718054 --to 50.918551,6.719792 --train "$DATA/trains/shunter-200.json" -o "$T/horrem.json"
ok "Horrem, a 200 m diesel: a zig-zag of a few km with two reversals listed as stops" python3 -c "
import json
d = json.load(open('$T/horrem.json'))
rev = [s for s in d['stops'] if 'reversal' in s['kinds']]
assert d['length_km'] < 5 and len(rev) == 2, (d['length_km'], len(rev))"
cologne --from 50.918903,6.718054 --to 50.918551,6.719792 --train armoured -o "$T/horrem-armoured.json"
cologne --from 50.939893,7.016251 --to 50.950945,7.012517 --train armoured -o "$T/kalk-armoured.json"
for r in kalk horrem horrem-armoured kalk-armoured; do
    ok "Cologne, $r: no turn sharper than 90 degrees but at the reversals it lists" python3 -c "
import json, subprocess, sys
m = json.loads(subprocess.run(['python3', 'tests/tools/route_turns.py', '$T/$r.json'], capture_output=True, text=True, check=True).stdout)
assert m['sharpest_turn_deg'] <= 90, m"
done
# Cologne to Bonn: on the double-track main line the train keeps to the normal track; without the penalty it runs
# about 3 km against the preferred direction to save half a kilometre.
cologne --from 50.9430,6.9589 --to 50.7321,7.0967 --train emu-1435 -o "$T/bonn.json"
python3 -c "import json, sys; d = json.load(open(sys.argv[1])); d['wrong_track_percent'] = {'value': 0, 'source': 'test'}
json.dump(d, open(sys.argv[2], 'w'))" data/trains/emu-1435.json "$T/emu-any-track.json"
cologne --from 50.9430,6.9589 --to 50.7321,7.0967 --train "$T/emu-any-track.json" -o "$T/bonn-any.json"
ok "Cologne to Bonn runs no metre against the preferred direction, and 1 km or more without the penalty" python3 -c "
import json, subprocess
def against(f):
    r = subprocess.run(['python3', 'tests/tools/route_turns.py', f, '--osm', '$DATA/osm/cologne-railway.osm.pbf'],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)['against_km']
a, b = against('$T/bonn.json'), against('$T/bonn-any.json')
assert a == 0 and b >= 1, (a, b)"
done_testing
