#!/usr/bin/env python3
"""gtfs_check.py: checks a GTFS feed bogie wrote against the same journey's JSON (bogie route --format json), and what
two GTFS consumers made of the feed, printing TAP lines (numbered from 1) for tests/cli/test_gtfs.sh.

  gtfs_check.py feed FEED.zip JOURNEY.json          the files, their fields, and every stop time, read with csv
  gtfs_check.py node-gtfs IMPORT.json JOURNEY.json  node-gtfs's import (tests/gtfs/import_feed.mjs's output)
  gtfs_check.py html PAGE.html JOURNEY.json         gtfs-to-html's timetable page

The expected times are worked out here on their own: each stop's ISO time from the JSON, less the service day's
start, which is noon minus 12 h on the departure's date in the origin's zone (the GTFS reference's definition),
read with Python's zoneinfo."""
import csv
import datetime
import html
import io
import json
import re
import sys
import zipfile
from zoneinfo import ZoneInfo

FILES = ["agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar_dates.txt",
         "shapes.txt", "feed_info.txt"]
_n = 0
_failed = 0


def check(desc, cond, detail=""):
    global _n, _failed
    _n += 1
    if cond:
        print("ok %d - %s" % (_n, desc))
    else:
        _failed += 1
        print("not ok %d - %s" % (_n, desc))
        if detail:
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)


def same(desc, got, expected):
    check(desc, got == expected, "got:      %r\nexpected: %r" % (got, expected))


def instant(iso):
    return datetime.datetime.fromisoformat(iso)


def expected_times(journey):
    """The service date (YYYYMMDD) and each stop row's arrival and departure in seconds from the day's start."""
    stops = journey["stops"]
    zone = ZoneInfo(stops[0]["zone"])
    dep = instant(stops[0]["depart"]).astimezone(zone)
    noon = datetime.datetime(dep.year, dep.month, dep.day, 12, 0, tzinfo=zone)
    start = noon - datetime.timedelta(hours=12)
    rows = []
    for i, s in enumerate(stops):
        arr = s["depart"] if i == 0 else s["arrive"]
        lv = s["arrive"] if i == len(stops) - 1 else s["depart"]
        rows.append((int((instant(arr) - start).total_seconds()), int((instant(lv) - start).total_seconds())))
    return dep.strftime("%Y%m%d"), rows


def hms(t):
    return "%02d:%02d:%02d" % (t // 3600, t // 60 % 60, t % 60)


def read_feed(path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        tables = {}
        for name in names:
            text = z.read(name).decode("utf-8")
            tables[name] = list(csv.DictReader(io.StringIO(text, newline="")))
        return names, tables


def check_feed(feed, journey):
    names, t = read_feed(feed)
    stops = journey["stops"]
    same("the zip holds the eight files", sorted(names), sorted(FILES))
    agency = t["agency.txt"]
    same("one agency, in the origin's zone", [(a["agency_id"], a["agency_timezone"]) for a in agency],
         [("bogie", stops[0]["zone"])])
    check("the agency has a name and a URL", agency[0]["agency_name"] and agency[0]["agency_url"].startswith("https://"))
    route = t["routes.txt"]
    same("one route, of type 2 (rail), named after the train",
         [(r["route_type"], r["route_short_name"]) for r in route], [("2", journey["train"])])
    trip = t["trips.txt"]
    same("one trip on that route and service, with its shape",
         [(r["route_id"], r["service_id"], r["shape_id"]) for r in trip], [("bogie", "bogie", "bogie")])
    date, rows = expected_times(journey)
    same("calendar_dates: the one service date, added", [(c["service_id"], c["date"], c["exception_type"])
                                                         for c in t["calendar_dates.txt"]], [("bogie", date, "1")])
    info = t["feed_info.txt"][0]
    same("feed_info: publisher, language, dates, version",
         (info["feed_publisher_name"], info["feed_lang"], info["feed_start_date"], info["feed_end_date"],
          info["feed_version"].split(" ")[0]), ("bogie", "en", date, date, "bogie"))
    by_id = {s["stop_id"]: s for s in t["stops.txt"]}
    same("stops: one per station of the journey", len(by_id), len({s["station"] for s in stops}))
    st = t["stop_times.txt"]
    same("stop_times: one row per row of bogie's timetable", len(st), len(stops))
    same("stop_times: in order", [int(r["stop_sequence"]) for r in st], list(range(1, len(stops) + 1)))
    same("stop_times: bogie's arrival and departure at every row, to the second",
         [(r["arrival_time"], r["departure_time"]) for r in st], [(hms(a), hms(d)) for a, d in rows])
    check("stop_times: past 24:00:00 on the trip's second day", any(r["arrival_time"] >= "24:00:00" for r in st),
          st[-1])
    same("each row's stop: bogie's name and zone",
         [(by_id[r["stop_id"]]["stop_name"], by_id[r["stop_id"]]["stop_timezone"]) for r in st],
         [(s["name"], s["zone"]) for s in stops])
    # Written with 6 decimals: within half a millionth of a degree (5 cm).
    off = max(max(abs(float(by_id[r["stop_id"]]["stop_lat"]) - s["lat"]),
                  abs(float(by_id[r["stop_id"]]["stop_lon"]) - s["lon"])) for r, s in zip(st, stops))
    check("each row's stop: bogie's position (within 5e-7 degrees)", off <= 5.01e-7, off)
    zones = {by_id[r["stop_id"]]["stop_timezone"] for r in st}
    check("the stops lie in two zones (Asia/Pyongyang, Asia/Vladivostok)",
          zones == {"Asia/Pyongyang", "Asia/Vladivostok"}, zones)
    check("local names in their scripts (Хасан, 평양) in stop_desc",
          any(s["stop_desc"].startswith("Хасан") for s in by_id.values()) and
          any(s["stop_desc"] == "평양" for s in by_id.values()), [s["stop_desc"] for s in by_id.values()][:3])
    for_passengers = {"origin", "via", "destination"}
    same("passengers board and alight at the origin and destination only (no vias asked)",
         [(r["pickup_type"], r["drop_off_type"]) for r in st],
         [("0", "0") if for_passengers & set(s["kinds"].split(",")) else ("1", "1") for s in stops])
    same("stop_times: distances along the route, km", [float(r["shape_dist_traveled"]) for r in st],
         [round(s["km"], 3) for s in stops])
    shape = t["shapes.txt"]
    d = [float(p["shape_dist_traveled"]) for p in shape]
    check("shapes: %d points, distances increasing" % len(shape),
          len(shape) > 100 and all(b > a for a, b in zip(d, d[1:])))
    # The journey's length is the sum of its edges, rounded to 0.1 km in the JSON: within 0.1 km.
    check("shapes: the last distance is the journey's length (within 0.1 km)",
          abs(d[-1] - journey["length_km"]) <= 0.1, (d[-1], journey["length_km"]))
    same("shapes: from the origin to the destination",
         [(round(float(p["shape_pt_lat"]), 4), round(float(p["shape_pt_lon"]), 4)) for p in (shape[0], shape[-1])],
         [(round(s["lat"], 4), round(s["lon"], 4)) for s in (stops[0], stops[-1])])


def check_node_gtfs(path, journey):
    out = json.load(open(path))
    stops = journey["stops"]
    errors = [m for m in out["messages"] if re.search(r"error|warn|invalid|fail", m, re.I)]
    same("node-gtfs: the import says nothing of errors or warnings", errors, [])
    same("node-gtfs: it read every file", [len(out[k]) for k in ("agencies", "routes", "trips", "calendar_dates",
                                                                  "feed_info")], [1, 1, 1, 1, 1])
    date, rows = expected_times(journey)
    st = out["stop_times"]
    same("node-gtfs: its stop_times are bogie's timetable, row by row",
         [(r["arrival_time"], r["departure_time"]) for r in st], [(hms(a), hms(d)) for a, d in rows])
    same("node-gtfs: its timestamps (seconds into the service day) too",
         [(r["arrival_timestamp"], r["departure_timestamp"]) for r in st], rows)
    names = {s["stop_id"]: s["stop_name"] for s in out["stops"]}
    same("node-gtfs: the stops in the trip's order", [names[r["stop_id"]] for r in st], [s["name"] for s in stops])
    same("node-gtfs: the service date", out["calendar_dates"][0]["date"], int(date))
    same("node-gtfs: the agency's zone", out["agencies"][0]["agency_timezone"], stops[0]["zone"])


def clock12(t):
    h, m = t // 3600 % 24, t // 60 % 60
    return "%d:%02d%s" % (h % 12 or 12, m, "am" if h < 12 else "pm")


def check_html(path, journey):
    page = open(path, encoding="utf-8").read()
    heads = [html.unescape(h) for h in re.findall(r'<div class="stop-name">([^<]*)</div>', page)]
    times = re.findall(r'<span class="stop-time-text">([^<]*)</span>', page)
    stops = journey["stops"]
    _, rows = expected_times(journey)
    # A row where the train stands gets two columns, its arrival and its departure.
    want_heads, want_times = [], []
    for s, (a, d) in zip(stops, rows):
        if clock12(a) != clock12(d):
            want_heads += [s["name"] + " (Arrival)", s["name"] + " (Departure)"]
            want_times += [clock12(a), clock12(d)]
        else:
            want_heads.append(s["name"])
            want_times.append(clock12(a))
    same("gtfs-to-html: a column for every stop, in order", heads, want_heads)
    same("gtfs-to-html: bogie's times in them (the agency's zone, to the minute)", times, want_times)


def main():
    kind, path, journey = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
    {"feed": check_feed, "node-gtfs": check_node_gtfs, "html": check_html}[kind](path, journey)
    print("1..%d" % _n)
    return 1 if _failed else 0


if __name__ == "__main__":
    sys.exit(main())
