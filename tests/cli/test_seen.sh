#!/usr/bin/env bash
# test_seen.sh: sightings (`bogie route --seen PLACE@TIME`), the arrival's band, refusals of sightings that cannot be
# on the route, `bogie where --at`, and /api/journey?seen= and /api/where on the flagship journey (docs/journeys.md,
# "Sightings"). Every expected time is computed from the plan itself, not written down.
. "$(dirname "$0")/lib.sh"

"$BOGIE" import -q data/corridor/corridor.osm -o "$T/corridor.bogie"
route() { "$BOGIE" route --network "$T/corridor.bogie" --from Pyongyang --to Vladivostok --train armoured \
    --depart "2023-09-10 15:00" "$@"; }
where() { "$BOGIE" where --network "$T/corridor.bogie" --from Pyongyang --to Vladivostok --train armoured \
    --depart "2023-09-10 15:00" "$@"; }
# pyjson FILE EXPR: evaluates a Python expression over the JSON document d in FILE.
pyjson() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# local_at FILE STATION MINUTES [offset]: the local wall-clock time MINUTES after the plan's arrival at STATION, with
# its offset when asked (bogie where reads a time without one in the origin's zone).
local_at() {
    python3 - "$@" <<'PY'
import json, sys, datetime
d = json.load(open(sys.argv[1]))
s = next(s for s in d["stops"] if s["name"] == sys.argv[2])
t = datetime.datetime.fromisoformat(s["arrive"]) + datetime.timedelta(minutes=float(sys.argv[3]))
print(t.strftime("%Y-%m-%dT%H:%M%z")[:-2] + ":" + t.strftime("%z")[-2:] if sys.argv[4:] else t.strftime("%Y-%m-%d %H:%M"))
PY
}
late_min() { pyjson "$1" 'round((d["stops"][-1]["arrive_s"] - d["stops"][-1]["planned_arrive_s"]) / 60)'; }

route --format json -o "$T/plan.json"
route > "$T/plan.txt"
is "without sightings the JSON has no sightings" "$(pyjson "$T/plan.json" '"sightings" in d or "planned_arrive_s" in d["stops"][0]')" "False"
contains "without sightings the arrival line is the plan's" "$(cat "$T/plan.txt")" "arrives 2023-09-11 16:22 +10 (Asia/Vladivostok)"

# --- an hour late at a station in Vladivostok time (the departure is in Pyongyang time) -------------------------
prim=$(local_at "$T/plan.json" Primorskaya 60)
ok "an hour late at Primorskaya" route --seen "Primorskaya@$prim" --format json -o "$T/late.json"
late=$(late_min "$T/late.json")
ok "an hour late at Primorskaya arrives about an hour late ($late min)" test "$late" -ge 55 -a "$late" -le 80
ok "the sighting is read in Vladivostok time and met to the minute" python3 - "$T/late.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
x, = d["sightings"]
assert x["place"] == "Primorskaya" and abs(x["late_s"] - 3600) <= 60, x
row = next(s for s in d["stops"] if s["name"] == "Primorskaya")
assert row["seen"] and abs(row["arrive_s"] - x["seen_s"]) < 1, (row, x)
a, b = d["arrival_band"]["early_s"], d["arrival_band"]["late_s"]
assert a < d["stops"][-1]["arrive_s"] < b, (a, d["stops"][-1]["arrive_s"], b)
assert [s["predicted"] for s in d["stretches"]] == [False, True], d["stretches"]
assert d["stretches"][0]["pace"] > 1 and d["stretches"][1]["pace"] == d["stretches"][0]["pace"], d["stretches"]
# Every row keeps its order in time, and the totals still add up.
t = [v for s in d["stops"] for v in (s["arrive_s"], s["depart_s"])]
assert t == sorted(t), t
parts = d["running_s"] + d["allowance_s"] + d["gauge_change_s"] + d["border_s"] + d["dwell_s"] + d["reversal_s"]
assert abs(d["total_s"] - parts) < 2, (d["total_s"], parts)
PY
text=$(route --seen "Primorskaya@$prim")
ok "the text shows the arrival with its band" grep -Eq "^arrives 2023-09-11 1[78]:[0-9]{2} \+10 \(1[78]:[0-9]{2} - 1[78]:[0-9]{2}\)" <<<"$text"
contains "the text says the pace fitted" "$text" "(fitted to the sightings)"
is "the same time with the offset written out reads the same" \
    "$(route --seen "Primorskaya@${prim/ /T}+10:00" --format json | pyjson /dev/stdin 'd["sightings"][0]["seen_s"]')" \
    "$(pyjson "$T/late.json" 'd["sightings"][0]["seen_s"]')"
is "the same time at Pyongyang's offset is an hour earlier" \
    "$(route --seen "Primorskaya@${prim/ /T}+09:00" --format json | pyjson /dev/stdin 'd["sightings"][0]["seen_s"]')" \
    "$(pyjson "$T/late.json" 'd["sightings"][0]["seen_s"] + 3600')"

# --- Ussuriysk: off the flagship's route (it turns at Baranovsky), on it with --via Ussuriysk -----------------------
out=$(route --seen "Ussuriysk@2023-09-11 15:00" 2>&1)
contains "Ussuriysk is not on the flagship route" "$out" "not on the route"
contains "... and the refusal says where the route passes" "$out" "Baranovsky"
route --via Ussuriysk --format json -o "$T/viau.json"
ok "an hour late at Ussuriysk (via Ussuriysk)" route --via Ussuriysk \
    --seen "Ussuriysk@$(local_at "$T/viau.json" Ussuriysk 60)" --format json -o "$T/viau-late.json"
late=$(late_min "$T/viau-late.json")
ok "an hour late at Ussuriysk arrives about an hour late ($late min)" test "$late" -ge 55 -a "$late" -le 80
ok "Baranovsky, passed twice via Ussuriysk, can be seen twice" route --via Ussuriysk \
    --seen "Baranovsky@$(local_at "$T/viau.json" Baranovsky 0)" \
    --seen "Baranovsky@$(local_at "$T/viau.json" Ussuriysk 90)"

# --- two sightings fixing a slower pace stretch the rest --------------------------------------------------------------
kowon=$(local_at "$T/plan.json" Kowon 0)
ham=$(local_at "$T/plan.json" Hamhung 20)
route --seen "Hamhung@$ham" --format json -o "$T/one.json"
route --seen "Kowon@$kowon" --seen "Hamhung@$ham" --format json -o "$T/two.json"
one=$(late_min "$T/one.json")
two=$(late_min "$T/two.json")
ok "on time at Kowon, 20 min late at Hamhung: the slower pace stretches the rest ($two min late, $one with Hamhung alone)" \
    test "$two" -gt $((one + 30))
ok "the rest is predicted at the pace between the two" python3 - "$T/two.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stretches"]
assert len(s) == 3 and abs(s[0]["pace"] - 1) < 0.01 and s[1]["pace"] > 1.1 and s[2]["pace"] == s[1]["pace"], s
rest = s[2]["planned_running_s"] * (s[2]["pace"] - 1)
late = d["stops"][-1]["arrive_s"] - d["stops"][-1]["planned_arrive_s"]
assert abs(late - (1200 + rest)) < 180, (late, rest)
PY

# --- a sighting given as lat,lon: the route's geometry point half way from Kimch'aek to Kilju, 30 min late ---------
pt=$(python3 - "$T/plan.json" <<'PY'
import json, sys, datetime, math
d = json.load(open(sys.argv[1]))
a = next(s for s in d["stops"] if s["name"] == "Kimch'aek")
b = next(s for s in d["stops"] if s["name"] == "Kilju Ch'ongnyon")
c = d["geometry"]["coordinates"]
near = lambda s: min(range(len(c)), key=lambda i: math.hypot(c[i][0] - s["lon"], c[i][1] - s["lat"]))
m = (near(a) + near(b)) // 2
lon, lat = (c[m][0] + c[m + 1][0]) / 2, (c[m][1] + c[m + 1][1]) / 2
t = datetime.datetime.fromisoformat(a["arrive"]) + datetime.timedelta(seconds=(b["arrive_s"] - a["arrive_s"]) / 2 + 1800)
print("%.6f,%.6f" % (lat, lon), t.strftime("%Y-%m-%d %H:%M"))
PY
)
ptime=${pt#* }
pt=${pt%% *}
ok "a sighting at $pt (lat,lon on the route)" route --seen "$pt@$ptime" --format json -o "$T/pt.json"
ok "... is placed on the route between Kimch'aek and Kilju, gets a row and is met" python3 - "$T/pt.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
x, = d["sightings"]
a = next(s for s in d["stops"] if s["name"] == "Kimch'aek")
b = next(s for s in d["stops"] if s["name"] == "Kilju Ch'ongnyon")
assert x["off_route_m"] < 50 and "station" not in x and a["km"] < x["km"] < b["km"], x
assert 900 < x["late_s"] < 2700, x
row = [s for s in d["stops"] if s["seen"]]
assert len(row) == 1 and abs(row[0]["km"] - x["km"]) < 0.001 and abs(row[0]["arrive_s"] - x["seen_s"]) < 1, row
assert d["stops"].index(row[0]) == d["stops"].index(a) + 1, row
PY

# --- refusals ---------------------------------------------------------------------------------------------------------
out=$(route --seen "Kowon@2023-09-10 14:00" 2>&1); rc=$?
ok "a sighting before the departure is refused" test "$rc" -ne 0
contains "... saying so" "$out" "before the departure"
out=$(route --seen "Hamhung@$ham" --seen "Kowon@$(local_at "$T/plan.json" Hamhung 60)" 2>&1)
contains "a sighting behind the previous one is refused" "$out" "behind the sighting before it"
out=$(route --seen "Kowon@2023-09-10 16:00" 2>&1)
contains "a sighting faster than the train's physics is refused" "$out" "impossible speed"
out=$(route --seen "42.0,129.0@2023-09-11 02:00" 2>&1)
contains "a sighting off the track is refused" "$out" "not on the route"
out=$("$BOGIE" route --network "$T/corridor.bogie" --from Pyongyang --to Vladivostok --train armoured --seen "Kowon@2023-09-10 20:00" 2>&1)
contains "a sighting needs a departure time" "$out" "needs --depart"
out=$(route --seen "Kowon" 2>&1)
contains "a sighting needs PLACE@TIME" "$out" "PLACE@TIME"

# --- bogie where ------------------------------------------------------------------------------------------------------
out=$(where --at "$(local_at "$T/plan.json" Tumangang 30 offset)")
contains "where: standing at Tumangang for the bogie exchange" "$out" "stopped at Tumangang: gauge change"
out=$(where --at "$(local_at "$T/plan.json" Khasan 30 offset)")
contains "where: standing at Khasan for the border" "$out" "stopped at Khasan: border"
out=$(where --at "2023-09-10 14:00")
contains "where: before the departure" "$out" "not departed"
out=$(where --at "2023-09-12 12:00")
contains "where: after the arrival" "$out" "arrived"
where --at "$(local_at "$T/plan.json" Yangdok 10 offset)" --format json -o "$T/w.json"
ok "where: running between Yangdok and Kowon" python3 - "$T/w.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["position"]
assert p["state"] == "running" and p["last"] == "Yangdok" and p["next"] == "Kowon" and not p["stopped"], p
y = next(s for s in d["stops"] if s["name"] == "Yangdok")
k = next(s for s in d["stops"] if s["name"] == "Kowon")
assert y["km"] < p["km"] < k["km"] and p["speed_kmh"] > 0, p
assert 38 < p["lat"] < 40.5 and 125 < p["lon"] < 128, p
PY
# An hour late at Primorskaya: when the plan has the train at Khasan's border, it is still at Tumangang.
where --at "$(local_at "$T/plan.json" Khasan 30 offset)" --seen "Primorskaya@$prim" --format json -o "$T/w2.json"
is "where, re-timed: an hour late, still at Tumangang when the plan has it at Khasan" \
    "$(pyjson "$T/w2.json" 'd["position"]["last"] == "Tumangang" and d["position"]["km"] < 859')" "True"
contains "where: --at is needed" "$(where 2>&1)" "--at TIME|now is needed"
contains "where: now" "$(where --at now)" "arrived"

# --- the HTTP API ---------------------------------------------------------------------------------------------------
servers=()
serve_network "$T/serve.log" "$T/corridor.bogie" --no-prepare
trap 'kill $server 2>/dev/null' EXIT
q="from=Pyongyang&to=Vladivostok&train=armoured&depart=2023-09-10%2015:00"
enc() { python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$1"; }
curl -s "http://127.0.0.1:$port/api/journey?$q&seen=$(enc "Primorskaya@$prim")" -o "$T/api.json"
is "/api/journey?seen= re-times as the command line does" "$(pyjson "$T/api.json" 'd["stops"][-1]["arrive_s"]')" \
    "$(pyjson "$T/late.json" 'd["stops"][-1]["arrive_s"]')"
is "/api/journey?seen= has the band and the pace per stretch" \
    "$(pyjson "$T/api.json" 'sorted(d["arrival_band"]) == ["derivation", "early", "early_s", "late", "late_s"] and len(d["stretches"]) == 2')" "True"
curl -s "http://127.0.0.1:$port/api/where?$q&at=$(enc "$(local_at "$T/plan.json" Tumangang 30 offset)")" -o "$T/apiw.json"
is "/api/where: at Tumangang, changing gauge" \
    "$(pyjson "$T/apiw.json" 'd["position"]["stopped"] and d["position"]["why"].startswith("gauge change") and len(d["stops"]) > 30')" "True"
code=$(curl -s -o "$T/apie.json" -w '%{http_code}' "http://127.0.0.1:$port/api/where?$q")
is "/api/where without at is a 400" "$code" "400"
code=$(curl -s -o "$T/apie.json" -w '%{http_code}' "http://127.0.0.1:$port/api/journey?$q&seen=$(enc "Kowon@2023-09-10 14:00")")
is "/api/journey with a sighting before the departure is a 400" "$code" "400"
contains "... saying why" "$(cat "$T/apie.json")" "before the departure"
kill -TERM "$server"
wait "$server" 2>/dev/null
trap - EXIT

done_testing
