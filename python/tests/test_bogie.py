"""test_bogie.py: the Python binding against the command line on the bundled corridor network: the same journeys,
tables and stations; errors with their code and message; trains of one's own; memory flat over 10,000 journeys.
BOGIE_NETWORK (default build/corridor.bogie), BOGIE_DATA (default data) and BOGIE (default build/bogie) are relative
to the repository, as tests/cli/test_python.sh runs it."""
import io
import json
import math
import os
import shutil
import subprocess
import zipfile

import pytest

import bogie

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NETWORK = os.environ.get("BOGIE_NETWORK", os.path.join(ROOT, "build", "corridor.bogie"))
DATA = os.environ.get("BOGIE_DATA", os.path.join(ROOT, "data"))
CLI = os.environ.get("BOGIE", os.path.join(ROOT, "build", "bogie"))
DEPART = "2023-09-10 15:00"


@pytest.fixture(scope="module")
def net():
    with bogie.Network(NETWORK, data=DATA, cache=False) as n:
        yield n


def cli_json(*args):
    out = subprocess.run([CLI, "route", "--network", NETWORK, "--data", DATA, "--format", "json"] + list(args),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_flagship_is_the_command_lines(net):
    j = net.plan("Pyongyang", "Vladivostok", train="armoured", depart=DEPART)
    assert j.raw == cli_json("--from", "Pyongyang", "--to", "Vladivostok", "--train", "armoured", "--depart", DEPART)
    assert j.stops[0].kinds == ["origin"] and j.stops[-1].kinds == ["destination"]
    changes = [s for s in j.stops if "gauge_change" in s.kinds]
    assert [s.name for s in changes] == ["Tumangang"]
    assert j.stops[0].zone == "Asia/Pyongyang" and j.stops[-1].zone == "Asia/Vladivostok"
    parts = j.running_s + j.allowance_s + j.gauge_change_s + j.border_s + j.dwell_s + j.reversal_s
    # The JSON gives whole seconds: each of the six parts and the total is rounded by at most half a second.
    assert abs(j.total_s - parts) <= 3.5
    assert j.profile_columns[:3] == ["km", "time_s", "speed_kmh"] and len(j.profile) > 100


def test_gtfs_is_the_command_lines(net, tmp_path):
    feed = net.gtfs("Pyongyang", "Vladivostok", train="armoured", depart=DEPART)
    subprocess.run([CLI, "route", "--network", NETWORK, "--data", DATA, "--from", "Pyongyang", "--to", "Vladivostok",
                    "--train", "armoured", "--depart", DEPART, "-o", str(tmp_path / "feed.zip")], check=True)
    assert feed == (tmp_path / "feed.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(feed)) as z:
        assert "stop_times.txt" in z.namelist()
    with pytest.raises(bogie.Error) as e:
        net.gtfs("Pyongyang", "Vladivostok", train="armoured", depart="")
    assert e.value.status == 400 and "depart" in e.value.message


def test_places_as_coordinates_and_options(net):
    j = net.plan((42.42806, 130.64528), "Ussuriysk", train="armoured", depart="2019-04-24 11:40", gauge=1520)
    want = cli_json("--from", "42.42806,130.64528", "--to", "Ussuriysk", "--train", "armoured",
                    "--depart", "2019-04-24 11:40", "--gauge", "1520")
    assert j.raw == want and j.gauge_change_s == 0
    v = net.plan("Pyongyang", "Khasan", train="armoured", via=["Hamhung"], dwell=30)
    assert [s.name for s in v.stops if "via" in s.kinds] == ["Hamhung"] and v.dwell_s == 1800


def test_sightings_and_where(net):
    plan = net.plan("Pyongyang", "Vladivostok", train="armoured", depart=DEPART)
    late = net.plan("Pyongyang", "Vladivostok", train="armoured", depart=DEPART,
                    seen=[("Hamhung", "2023-09-11 06:00")])
    assert late.total_s != plan.total_s and "arrival_band" in late.raw
    w = net.where("Pyongyang", "Vladivostok", train="armoured", depart=DEPART, at="2023-09-11 00:00")
    assert "position" in w and w["position"]["km"] > 0


def test_errors_carry_code_and_message(net):
    with pytest.raises(bogie.Error) as e:
        net.plan("Nowhere", "Khasan", train="armoured")
    assert e.value.code == "InvalidValue" and e.value.status == 400 and "Nowhere" in e.value.message
    with pytest.raises(bogie.Error) as e:
        net.plan("Pyongyang", "Khasan", train="no-such-train")
    assert e.value.status in (400, 404) and "no-such-train" in e.value.message
    with pytest.raises(bogie.Error) as e:
        bogie.Network(os.path.join(ROOT, "no-such.bogie"), data=DATA)
    assert "no-such.bogie" in e.value.message


def test_table_is_a_matrix(net):
    t = net.table(["Pyongyang", "Khasan", "Vladivostok"], train="armoured")
    assert t.sources == ["Pyongyang", "Khasan", "Vladivostok"]
    assert t.durations.shape == (3, 3) and t.durations[0][0] == 0
    j = net.plan("Pyongyang", "Vladivostok", train="armoured")
    assert abs(t.durations[0][2] - j.raw["weight_s"]) < 1.0
    assert abs(t.distances[0][2] - j.length_km * 1000) < 1000
    with pytest.raises(bogie.Error):
        net.table(["Pyongyan", "Khasan"])


def test_stations_in_any_language(net):
    assert net.stations("Туманган")[0].name == "Tumangang"
    assert net.stations("두만강")[0].name == "Tumangang"
    assert {t.name for t in net.trains()} >= {"armoured", "china-europe-freight"}


def test_geojson(net):
    j = net.plan("Pyongyang", "Khasan", train="armoured")
    g = j.to_geojson()
    assert g["type"] == "FeatureCollection" and len(g["features"]) == 1 + len(j.stops)
    line = g["features"][0]["geometry"]["coordinates"]
    assert len(line) > 10 and all(-180 <= p[0] <= 180 and -90 <= p[1] <= 90 for p in line)
    json.dumps(g)


def test_a_train_of_ones_own(tmp_path):
    with open(os.path.join(DATA, "trains", "armoured.json")) as f:
        d = json.load(f)
    d["name"] = "my-armoured"
    path = tmp_path / "my-armoured.json"
    path.write_text(json.dumps(d))
    t = bogie.Train.load(str(path))
    with bogie.Network(NETWORK, data=DATA, trains=[t]) as n:
        mine = n.plan("Pyongyang", "Khasan", train=t)
        theirs = n.plan("Pyongyang", "Khasan", train="armoured")
        assert mine.total_s == theirs.total_s and mine.train == "my-armoured"
    shutil.copy(os.path.join(DATA, "trains", "armoured.json"), tmp_path / "again.json")
    with pytest.raises(bogie.Error) as e:
        bogie.Network(NETWORK, data=DATA, trains=[str(tmp_path / "again.json")])
    assert "armoured" in e.value.message


def test_closed_network():
    n = bogie.Network(NETWORK, data=DATA)
    n.close()
    n.close()
    with pytest.raises(bogie.Error) as e:
        n.plan("Pyongyang", "Khasan", train="armoured")
    assert e.value.code == "Closed"


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_memory_is_flat_over_10000_journeys():
    with bogie.Network(NETWORK, data=DATA, cache=False, prepare=False) as n:
        for _ in range(1000):
            n.plan("Khasan", "Ussuriysk", train="armoured", depart="2019-04-24 11:40")
        base = rss_kib()
        for _ in range(9000):
            n.plan("Khasan", "Ussuriysk", train="armoured", depart="2019-04-24 11:40")
        grown = rss_kib() - base
    # 9,000 journeys after a warm-up of 1,000: a leak of even 1 KiB per journey would show as 9 MiB.
    assert grown < 4096, "RSS grew by %d KiB over 9,000 journeys" % grown
    for _ in range(200):
        bogie.Network(NETWORK, data=DATA, prepare=False).close()
    assert rss_kib() - base < 8192
