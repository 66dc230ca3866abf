#!/usr/bin/env bash
# test_eurasia_fareast.sh: the 2023 Far East tour of issue 13 on the eurasia network as one journey, Khasan -
# Ussuriysk - Khabarovsk - Tsiolkovsky (Uglegorsk station, for the Vostochny cosmodrome) - Komsomolsk-on-Amur -
# Vladivostok - Artyom (Artyom-Primorsky 1), with a stop of its own length at one via and overnight stays given as
# times to leave (--via
# PLACE+DURATION, PLACE@TIME); its lengths against cited figures, its zones, its reversals, the refusals, and the
# API's answer the same as the CLI's.
. "$(dirname "$0")/lib.sh"

python3 data/eurasia/build.py --out "$T/e.osm" --log "$T/e.log" >/dev/null
ok "the eurasia network imports" "$BOGIE" import -q "$T/e.osm" -o "$T/eurasia.bogie"
NET=$T/eurasia.bogie

# The tour's days (news reports, docs/networks.md): Khasan on 12 September (the train crossed the Razdolnaya bridge
# by Ussuriysk at 05:15 Moscow time, 12:15 local: RIA via pledgetimes.com), the Vostochny cosmodrome on the 13th
# (TASS via pledgetimes.com: Kim arrived by train at the cosmodrome's station), Komsomolsk-on-Amur on the 15th
# (Sputnik: the train arrived there at 8:50 local), Vladivostok on the 16th, and Artyom, where the train stood at
# Artyom-Primorsky 1 for the farewell on the 17th (RIA Novosti via newsit.gr). The times to leave are assumed
# within those days (when the train went from Vladivostok to Artyom is not reported); the 45 min at Khabarovsk
# only shows the +DURATION form (assumed).
TOUR=(--from Khasan --via Ussuriysk --via "Khabarovsk+45m" --via "Tsiolkovsky@2023-09-13 20:00"
    --via "Komsomolsk-on-Amur@2023-09-15 16:00" --via "Vladivostok@2023-09-16 18:00" --to Artyom
    --train armoured --gauge 1520 --depart "2023-09-12 08:00")
ok "the tour plans as one journey" "$BOGIE" route --network "$NET" "${TOUR[@]}" --format json -o "$T/tour.json"
"$BOGIE" route --network "$NET" "${TOUR[@]}" >"$T/tour.txt" 2>&1

ok "the tour stops at each via in order, reverses at the three termini, and keeps the times asked in local time" \
    python3 - "$T/tour.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
stops = [s for s in d["stops"] if "pass" not in s["kinds"]]
names = [s["name"].split(" (")[0] for s in stops]
want = ["Khasan", "Ussuriysk", "Khabarovsk", "Uglegorsk", "Komsomolsk-on-Amur", "Vladivostok", "Artyom-Primorsky 1"]
if names != want:
    raise SystemExit("stops %r, expected %r" % (names, want))
by = dict(zip(names, stops))
kinds = {n: set(s["kinds"].split(",")) for n, s in by.items()}
if not all({"via", "reversal"} <= kinds[n] for n in ("Uglegorsk", "Komsomolsk-on-Amur", "Vladivostok")):
    raise SystemExit("kinds %r" % kinds)
if any("reversal" in kinds[n] for n in ("Khasan", "Ussuriysk", "Khabarovsk", "Artyom-Primorsky 1")) or \
        sum(1 for s in d["stops"] if "reversal" in s["kinds"]) != 3:
    raise SystemExit("reversals elsewhere: %r" % [s["name"] for s in d["stops"] if "reversal" in s["kinds"]])
# Zones: Amur Oblast keeps Yakutsk time (UTC+9), the rest of the tour Vladivostok time (UTC+10).
zones = {n: (s["zone"], s["utc_offset_s"]) for n, s in by.items()}
if zones["Uglegorsk"] != ("Asia/Yakutsk", 32400) or \
        any(z != ("Asia/Vladivostok", 36000) for n, z in zones.items() if n != "Uglegorsk"):
    raise SystemExit("zones %r" % zones)
# The stops asked for: 45 min at Khabarovsk (whole, the train doing no other work there); the times to leave
# Uglegorsk and Komsomolsk, local there, after a night there (the day of departure after the day of arrival).
if abs(by["Khabarovsk"]["dwell_s"] - 2700) > 0.5:
    raise SystemExit("Khabarovsk dwell %r" % by["Khabarovsk"]["dwell_s"])
for n, leave in (("Uglegorsk", "2023-09-13T20:00"), ("Komsomolsk-on-Amur", "2023-09-15T16:00")):
    s = by[n]
    if not s["depart"].startswith(leave) or s["arrive"][:10] >= s["depart"][:10] and n != "Uglegorsk":
        raise SystemExit("%s: arrive %s, depart %s (asked %s)" % (n, s["arrive"], s["depart"], leave))
    if abs(s["depart_s"] - s["arrive_s"] - s["dwell_s"] - s["reversal_s"]) > 1:
        raise SystemExit("%s: the stop's time is not its dwell and reversal: %r" % (n, s))
if not by["Vladivostok"]["depart"].startswith("2023-09-16T18:00") or \
        not by["Artyom-Primorsky 1"]["arrive"].startswith("2023-09-16"):
    raise SystemExit("Vladivostok left %s, Artyom reached %s" % (by["Vladivostok"]["depart"],
                                                                by["Artyom-Primorsky 1"]["arrive"]))
if not by["Uglegorsk"]["arrive"].startswith("2023-09-13"):
    raise SystemExit("Uglegorsk reached %s, not on the day of the summit" % by["Uglegorsk"]["arrive"])
if by["Komsomolsk-on-Amur"]["dwell_s"] < 12 * 3600 or d["dwell_s"] < by["Komsomolsk-on-Amur"]["dwell_s"]:
    raise SystemExit("Komsomolsk dwell %r, journey dwell %r" % (by["Komsomolsk-on-Amur"]["dwell_s"], d["dwell_s"]))
PY

# Lengths along the tour against published figures, within 3 %: Khasan - Ussuriysk 260 km (ru.wikipedia Хасан
# (станция), data/corridor/sources/NOTES.md); Ussuriysk - Khabarovsk 654 km and Khabarovsk - Vladivostok 766 km
# (kolejtranssyberyjska.pl's route: Khabarovsk 8493, Ussuriysk 9147, Vladivostok 9259 km from Moscow);
# Khabarovsk - Birobidzhan 176 km (ru.wikipedia Хабаровск I: 44 km to Volochayevka II; Биробиджан I: 132 km to
# Volochayevka II); Komsomolsk - Khabarovsk 374 km (voshod.vanino.org: Volochayevka II - Komsomolsk 330 km, plus
# the 44); Ledyanaya - Uglegorsk 5 km and Ugolnaya - Artyom-Primorsky 1 13 km, schematic and approximate
# (schematic-stations.csv); Vladivostok - Artyom-Primorsky 1 45 km: Vladivostok 9288 - Ugolnaya 9256 (the
# corridor's km posts, data/corridor/sources/stations.csv) plus those 13.
ok "the tour's legs are within 3 % of the published lengths" python3 - "$T/tour.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
km = {}
for s in d["stops"]:
    km.setdefault(s["name"].split(" (")[0], []).append(s["km"])
legs = [("Khasan", 0, "Ussuriysk", 0, 260), ("Ussuriysk", 0, "Khabarovsk", 0, 654),
        ("Khabarovsk", 0, "Birobidzhan", 0, 176), ("Ledyanaya", 0, "Uglegorsk", 0, 5),
        ("Komsomolsk-on-Amur", 0, "Khabarovsk", 1, 374), ("Khabarovsk", 1, "Vladivostok", 0, 766),
        ("Ugolnaya", 1, "Artyom-Primorsky 1", 0, 13), ("Vladivostok", 0, "Artyom-Primorsky 1", 0, 45)]
bad = []
for a, i, b, k, want in legs:
    got = km[b][k] - km[a][i]
    if abs(got - want) > 0.03 * want:
        bad.append("%s - %s %.1f km, published %d" % (a, b, got, want))
if bad or not 3700 < d["length_km"] < 4000:
    raise SystemExit("; ".join(bad) or "length %.1f km" % d["length_km"])
PY

contains "the timetable shows the night at Komsomolsk as a stop left at the time asked" "$(cat "$T/tour.txt")" \
    "2023-09-15 16:00 +10   Komsomolsk-on-Amur (Комсомольск-на-Амуре)      reversal: the train reverses (30 min); leaves at the time asked; via stop ("
contains "the timetable gives Uglegorsk's times in Yakutsk time" "$(cat "$T/tour.txt")" "2023-09-13 20:00 +09   Uglegorsk"
contains "the timetable shows the stop asked for at Khabarovsk" "$(grep Khabarovsk "$T/tour.txt" | head -1)" "stop (45 min)"

# The new lines join the Trans-Siberian only at stations, with their reasons in the build log.
ok "the build log gives the joins and the bends of the new lines" grep -q \
    "join: Ledyanaya-Tsiolkovsky (schematic) leaves the Trans-Siberian trace at Ledyanaya" "$T/e.log"
ok "the build log gives the Ugolnaya join, at the corridor's own station node" grep -q \
    "join: Ugolnaya-Artyom (schematic) leaves the corridor's Trans-Siberian trace at its Ugolnaya station node" \
    "$T/e.log"
ok "the build log gives the Volochayevka joins" grep -q \
    "join: Volochayevka-Komsomolsk (schematic) leaves the Trans-Siberian trace at its Volochayevka station node" \
    "$T/e.log"

# Refusals: a time to leave before the train can be there, and one without a departure.
out=$("$BOGIE" route --network "$NET" --from Khasan --via "Tsiolkovsky@2023-09-12 20:00" --to Vladivostok \
    --train armoured --depart "2023-09-12 08:00" 2>&1)
is "a time to leave before the train gets there is refused" "$?" "2"
want="--via Tsiolkovsky@2023-09-12 20:00: the train cannot leave then: it reaches Tsiolkovsky at 2023-09-13 10:54"
want+=" and can leave at 2023-09-13 11:24 +09 at the earliest"
contains "... saying when it arrives and can leave, in Yakutsk time (the 30 min reversal after the arrival)" "$out" \
    "$want"
out=$("$BOGIE" route --network "$NET" --from Khasan --via "Tsiolkovsky@2023-09-13 20:00" --to Vladivostok \
    --train armoured 2>&1)
contains "a time to leave needs --depart" "$out" "a time to leave a via needs --depart"
out=$("$BOGIE" route --network "$NET" --from Khasan --via "Ussuriysk+12q" --to Vladivostok --train armoured 2>&1)
contains "a stop's length that is no duration is refused" "$out" "the stop after '+' is a duration"

# The API plans the tour as the CLI does ('+' written %2B: a plain '+' means a space in a query string; the wheels
# given, so that no note names the CLI's --gauge).
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done' EXIT
serve_network "$T/serve.log" "$NET" --threads 2
ok "bogie serve starts on the eurasia network" test -n "$port"
q="from=Khasan&via=Ussuriysk&via=Khabarovsk%2B45m&via=Tsiolkovsky@2023-09-13%2020:00"
q+="&via=Komsomolsk-on-Amur@2023-09-15%2016:00&via=Vladivostok@2023-09-16%2018:00&to=Artyom"
q+="&train=armoured&gauge=1520&depart=2023-09-12%2008:00"
curl -s -g -o "$T/api.json" "http://127.0.0.1:$port/api/journey?$q"
same_file "/api/journey plans the tour exactly as the CLI" "$T/api.json" "$T/tour.json"

done_testing
