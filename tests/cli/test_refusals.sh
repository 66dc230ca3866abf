#!/usr/bin/env bash
# test_refusals.sh: every refusal the suite meets ("no route ..."), word for word against a golden text in
# tests/cli/expected/refusals/NAME.txt: what the train cannot do, where, and nothing that contradicts itself (no
# "ends at" a station the gauge never reaches, no coasting limit broken by "0 km"). A refusal's text changes only
# with its golden file, in the same commit.
. "$(dirname "$0")/lib.sh"

GOLDEN=$ROOT/tests/cli/expected/refusals
"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
"$BOGIE" import -q "$DATA/tiny/journey.osm" -o "$T/journey.bogie"
"$BOGIE" import -q "$DATA/osm/cologne-railway.osm.pbf" -o "$T/cologne.bogie"

# refusal NAME NETWORK ARGS...: `bogie route` on NETWORK is refused (exit status 1) with NAME's golden text.
refusal() {
    local name=$1 net=$2
    shift 2
    "$BOGIE" route --network "$T/$net.bogie" "$@" >"$T/$name.out" 2>"$T/$name.txt"
    is "$name: refused" "$?" "1"
    same_file "$name: the refusal's text" "$T/$name.txt" "$GOLDEN/$name.txt"
}

# The corridor: trains whose wheels or wires do not fit.
refusal standard-only corridor --from Pyongyang --to Vladivostok --train "$DATA/trains/standard-only.json"
refusal ru-passenger-from-pyongyang corridor --from Pyongyang --to Vladivostok --train ru-passenger
# (Without --gauge the armoured train at a Russian station is taken to stand on 1520 mm wheels, and runs.)
refusal armoured-from-vladivostok corridor --from Vladivostok --to Pyongyang --train armoured --gauge 1435
refusal armoured-from-ussuriysk corridor --from Ussuriysk --to Hamhung --train armoured --gauge 1435
refusal emu-1435-corridor corridor --from Pyongyang --to Vladivostok --train emu-1435
refusal talgo-variable-corridor corridor --from Pyongyang --to Vladivostok --train talgo-variable
refusal avoid-khasan corridor --from Pyongyang --to Vladivostok --train armoured --avoid Khasan

# The hand-made network: a gauge that ends at a junction, and places no track connects.
refusal ru-passenger-to-west journey --from East --to West --train ru-passenger
refusal not-connected journey --from Ivy --to West --train armoured
refusal not-connected-electric journey --from Harbour --to Ivy --train emu-1435

# The turns network: two legs of a switch meeting in a V, of one class and of two (tests/cli/test_turns.sh).
"$BOGIE" import -q "$DATA/tiny/turns.osm" -o "$T/turns.bogie"
refusal v-one-class turns --from Avon --to Brook --train armoured
refusal v-two-classes turns --from Cedar --to Dale --train armoured

# Cologne: an electric train starting on an unwired industrial track (Industriestammgleis II, electrified=no, 12 km
# before the first wires), longer than it can coast. (Before stations were built from stop positions, the issue's
# pair 50.9430,6.9589 to 50.9164,6.7127 was refused with "0 km without such wires"; it now runs Köln Hbf - Horrem.)
refusal cologne-unwired cologne --from 51.0227432,6.9548361 --to 50.9430,6.9589 --train emu-1435

# The same refusal over HTTP: the sentence is the one the command line gives.
servers=()
trap 'kill "${servers[@]}" 2>/dev/null' EXIT
serve_network "$T/serve.log" "$T/corridor.bogie" --no-prepare
curl -s -g "http://127.0.0.1:$port/api/journey?from=Pyongyang&to=Vladivostok&train=emu-1435" >"$T/api.json"
python3 -c 'import json,sys; print("bogie route: " + json.load(open(sys.argv[1]))["message"])' "$T/api.json" \
    >"$T/api.txt"
same_file "/api/journey refuses emu-1435 with the command line's sentence" "$T/api.txt" "$GOLDEN/emu-1435-corridor.txt"

done_testing
