"""bogie: plan railway journeys that know gauges, borders and train physics, from Python.

A thin layer over libbogie.so (ctypes): a Network opens bogie's service on a graph file, and every call is one of the
requests of docs/api.md answered in process, so the results are exactly what `bogie route`, `bogie table` and
`bogie stations` give. See docs/python.md.

    import bogie
    with bogie.Network("build/corridor.bogie", data="data") as net:
        j = net.plan("Pyongyang", "Vladivostok", train="armoured", depart="2023-09-10 15:00")
        print(j.total_s / 3600, [s.name for s in j.stops if "gauge_change" in s.kinds])
"""
import ctypes
import dataclasses
import json
import os
import urllib.parse
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _lib

__all__ = ["Network", "Train", "Journey", "Stop", "Station", "Table", "Error"]
__version__ = "0.1.0"

_LIB = None


def _library():
    global _LIB  # loaded once per process; the library itself keeps no mutable global state
    if _LIB is None:
        _LIB = _lib.load()
    return _LIB


class Error(Exception):
    """A refusal or failure from bogie: `code` is the API's code ("NoRoute", "InvalidValue", ... or the bogie_status
    name when a network cannot be opened), `status` the HTTP status the server would give (0 for an open failure),
    and the message the sentence bogie gives, naming the file, the place or the parameter."""

    def __init__(self, code: str, message: str, status: int = 0):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status


@dataclasses.dataclass
class Train:
    """A train profile: its name and what /api/trains says of it; `path` when loaded from a file of one's own (give
    it to Network(trains=[...]) to plan with it)."""
    name: str
    title: str = ""
    gauges: List[int] = dataclasses.field(default_factory=list)
    gauge_change: str = ""
    change_to: List[int] = dataclasses.field(default_factory=list)
    traction: str = ""
    max_speed_kmh: float = 0.0
    path: Optional[str] = None

    @classmethod
    def load(cls, path: str) -> "Train":
        """Reads a profile file's name and title (the library checks the rest when a Network loads it)."""
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        if not isinstance(d, dict) or not isinstance(d.get("name"), str):
            raise Error("InvalidValue", "%s: a train profile is a JSON object with a \"name\"" % path)
        title = d.get("title", "")
        return cls(name=d["name"], title=title if isinstance(title, str) else "", path=os.path.abspath(path))


@dataclasses.dataclass
class Stop:
    """A row of a journey's timetable (docs/api.md, /api/journey's stops): kinds is a list such as ["origin"] or
    ["gauge_change", "border"]; arrive and depart are ISO 8601 with the stop's offset ("" without a departure time);
    extra holds any further field the answer carries (the sightings' planned times, ...)."""
    name: str
    local_name: str
    kinds: List[str]
    km: float
    lat: float
    lon: float
    arrive_s: float
    depart_s: float
    arrive: str
    depart: str
    zone: str
    zone_abbr: str
    utc_offset_s: int
    country: str
    gauge_mm: int
    dwell_s: float
    gauge_change_s: float
    border_s: float
    reversal_s: float
    detail: str
    extra: Dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Stop":
        names = {f.name for f in dataclasses.fields(cls)} - {"extra", "kinds"}
        kw = {k: d.get(k, "" if k in ("arrive", "depart", "detail", "local_name", "zone", "zone_abbr", "country")
                       else 0) for k in names}
        kinds = d.get("kinds", "")
        kw["kinds"] = [k for k in kinds.split(",") if k] if isinstance(kinds, str) else list(kinds)
        kw["extra"] = {k: v for k, v in d.items() if k not in names and k != "kinds"}
        return cls(**kw)


@dataclasses.dataclass
class Journey:
    """A planned journey: the totals (seconds), the stops, the route's geometry and speed profile, and `raw`, the
    whole answer of /api/journey as a dict."""
    train: str
    title: str
    length_km: float
    total_s: float
    running_s: float
    allowance_s: float
    gauge_change_s: float
    border_s: float
    dwell_s: float
    reversal_s: float
    stops: List[Stop]
    countries: List[str]
    warnings: List[str]
    line: List[Tuple[float, float]]      # (lon, lat) pairs, as GeoJSON has them
    profile: List[Tuple[float, ...]]     # (km, time_s, speed_kmh, limit_kmh, ...) per point
    raw: Dict[str, Any]

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Journey":
        geom = d.get("geometry") or {}
        return cls(train=d.get("train", ""), title=d.get("title", ""), length_km=d.get("length_km", 0.0),
                   total_s=d.get("total_s", 0.0), running_s=d.get("running_s", 0.0),
                   allowance_s=d.get("allowance_s", 0.0), gauge_change_s=d.get("gauge_change_s", 0.0),
                   border_s=d.get("border_s", 0.0), dwell_s=d.get("dwell_s", 0.0),
                   reversal_s=d.get("reversal_s", 0.0), stops=[Stop.from_json(s) for s in d.get("stops", [])],
                   countries=list(d.get("countries", [])), warnings=list(d.get("warnings", [])),
                   line=[tuple(p) for p in geom.get("coordinates", [])],
                   profile=[tuple(p) for p in d.get("profile", [])], raw=d)

    @property
    def profile_columns(self) -> List[str]:
        """The names of the profile's columns, as the answer gives them."""
        return list(self.raw.get("profile_columns", ["km", "time_s", "speed_kmh", "limit_kmh"]))

    def to_geojson(self) -> Dict[str, Any]:
        """The journey as a GeoJSON FeatureCollection: the route as a LineString with the totals, and every stop as
        a Point with its row of the timetable."""
        route = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(p) for p in self.line]},
                 "properties": {"kind": "route", "train": self.train, "length_km": self.length_km,
                                "total_s": self.total_s, "countries": self.countries}}
        stops = []
        for s in self.stops:
            props = {k: v for k, v in dataclasses.asdict(s).items() if k not in ("lat", "lon", "extra")}
            props["kind"] = "stop"
            stops.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                          "properties": props})
        return {"type": "FeatureCollection", "features": [route] + stops}


@dataclasses.dataclass
class Station:
    """A station a name search found (/api/stations): quality 3 exact, 2 prefix, 1 contains, 0 a spelling guess."""
    id: int
    name: str
    local_name: str
    matched: str
    matched_key: str
    lat: float
    lon: float
    quality: int


@dataclasses.dataclass
class Table:
    """Times (s) and distances (m) from every source to every destination: numpy arrays (NaN where no route) when
    numpy is installed, else lists of lists (None where no route)."""
    sources: List[str]
    destinations: List[str]
    durations: Any
    distances: Any


Place = Union[str, Tuple[float, float]]


def _place(p: Place) -> str:
    """A place as the API takes it: a name, or "lat,lon" from a (lat, lon) pair."""
    if isinstance(p, str):
        return p
    lat, lon = p
    return "%.7f,%.7f" % (float(lat), float(lon))


class Network:
    """A bogie network opened for planning: the graph file at path, the reference data and train profiles of data
    (default $BOGIE_DATA, else the installed data of the library's build), and train profile files of one's own.
    It owns the library's service and frees it in close() (or at the end of a with block; a finaliser is the
    fallback). cache=False works out every answer again (the service's answer cache is 64 MiB otherwise)."""

    def __init__(self, path: str, data: Optional[str] = None, trains: Sequence[Union[str, Train]] = (),
                 cache: bool = True, prepare: bool = True, time_limit_s: float = 10.0):
        lib = _library()
        self._lib = lib
        self._svc = None
        data = data or os.environ.get("BOGIE_DATA")
        if not data:
            raise Error("InvalidValue", "no data directory: give data=DIR or set BOGIE_DATA")
        opts = _lib.ServiceOptions()
        lib.bogie_service_options_init(ctypes.byref(opts))
        self._keep = [os.fsencode(path), os.fsencode(data)]
        files = [os.fsencode(t.path if isinstance(t, Train) else t) for t in trains]
        if any(isinstance(t, Train) and not t.path for t in trains):
            raise Error("InvalidValue", "a Train given to Network(trains=...) must come from Train.load(path)")
        self._files = (ctypes.c_char_p * max(1, len(files)))(*files)
        opts.network_path, opts.data_dir = self._keep
        opts.web_dir = None
        opts.cache_bytes = opts.cache_bytes if cache else 0
        opts.prepare = prepare
        opts.time_limit_s = time_limit_s
        opts.train_files = self._files
        opts.n_train_files = len(files)
        svc = ctypes.c_void_p()
        diag = _lib.Diag()
        rc = lib.bogie_service_open(ctypes.byref(opts), ctypes.byref(svc), ctypes.byref(diag))
        if rc != 0:
            name = lib.bogie_strerror(rc).decode("utf-8", "replace")
            raise Error(name, diag.message.decode("utf-8", "replace") or name)
        self._svc = svc

    def close(self) -> None:
        """Frees the library's side (the network, the reference data, the planner). Safe to call twice."""
        if self._svc is not None:
            self._lib.bogie_service_close(self._svc)
            self._svc = None

    def __enter__(self) -> "Network":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        self.close()

    def _get(self, path: str, params: Sequence[Tuple[str, str]] = ()) -> Tuple[int, str, bytes]:
        """Answers one request in process; returns the status, content type and body (the C side's copy freed)."""
        if self._svc is None:
            raise Error("Closed", "the network is closed")
        target = path + ("?" + urllib.parse.urlencode(list(params), quote_via=urllib.parse.quote) if params else "")
        r = _lib.Response()
        self._lib.bogie_service_handle(self._svc, b"GET", target.encode("utf-8"), ctypes.byref(r))
        try:
            body = ctypes.string_at(r.body, r.length) if r.body else b""
        finally:
            if r.body:
                _lib.free(r.body)
        ctype = r.content_type.decode() if r.content_type else ""
        return r.status, ctype, body

    def _json(self, path: str, params: Sequence[Tuple[str, str]] = ()) -> Dict[str, Any]:
        status, _, body = self._get(path, params)
        try:
            d = json.loads(body.decode("utf-8"))
        except ValueError:
            raise Error("InvalidAnswer", "%s answered %d with no JSON" % (path, status), status)
        if status != 200:
            raise Error(d.get("code", "Error"), d.get("message", ""), status)
        return d

    @staticmethod
    def _journey_params(frm, to, train, depart, via, avoid, seen, gauge, dwell) -> List[Tuple[str, str]]:
        p = [("from", _place(frm)), ("to", _place(to)), ("train", train.name if isinstance(train, Train) else train)]
        if depart:
            p.append(("depart", depart))
        p += [("via", _place(v)) for v in via]
        p += [("avoid", a) for a in avoid]
        for s in seen:
            p.append(("seen", s if isinstance(s, str) else "%s@%s" % (_place(s[0]), s[1])))
        if gauge:
            p.append(("gauge", str(int(gauge))))
        if dwell is not None:
            p.append(("dwell", "%g" % dwell))
        return p

    def plan(self, frm: Place, to: Place, train: Union[str, Train], depart: Optional[str] = None,
             via: Sequence[Place] = (), avoid: Sequence[str] = (), seen: Sequence[Any] = (),
             gauge: Optional[int] = None, dwell: Optional[float] = None) -> Journey:
        """Plans the journey `bogie route` plans: frm and to (and every via) a station name in any language or a
        (lat, lon) pair; depart "YYYY-MM-DD HH:MM" in the origin's local time (or ISO 8601 with an offset); avoid
        station names or countries; seen sightings "PLACE@TIME" (or (place, time) pairs); gauge the wheels (mm)
        at the start; dwell the minutes at each via. Raises Error when bogie refuses, with its reason."""
        return Journey.from_json(self._json("/api/journey", self._journey_params(
            frm, to, train, depart, via, avoid, seen, gauge, dwell)))

    def gtfs(self, frm: Place, to: Place, train: Union[str, Train], depart: str, via: Sequence[Place] = (),
             avoid: Sequence[str] = (), seen: Sequence[Any] = (), gauge: Optional[int] = None,
             dwell: Optional[float] = None) -> bytes:
        """The journey of plan() as a one-trip GTFS feed: the bytes of the zip `bogie route --format gtfs` writes
        (docs/journeys.md lists its files). depart is needed: a feed's times are times of day."""
        status, _, body = self._get("/api/journey", self._journey_params(
            frm, to, train, depart, via, avoid, seen, gauge, dwell) + [("format", "gtfs")])
        if status != 200:
            try:
                d = json.loads(body.decode("utf-8"))
            except ValueError:
                d = {}
            raise Error(d.get("code", "Error"), d.get("message", ""), status)
        return body

    def where(self, frm: Place, to: Place, train: Union[str, Train], at: str, depart: Optional[str] = None,
              via: Sequence[Place] = (), avoid: Sequence[str] = (), seen: Sequence[Any] = (),
              gauge: Optional[int] = None, dwell: Optional[float] = None) -> Dict[str, Any]:
        """Where the train of plan() is at time at ("now" or as depart): /api/where's answer, a journey plus its
        "position" (km, coordinates, last and next stops, whether stopped and why)."""
        p = self._journey_params(frm, to, train, depart, via, avoid, seen, gauge, dwell) + [("at", at)]
        return self._json("/api/where", p)

    def stations(self, query: str, limit: int = 10) -> List[Station]:
        """Stations whose names match query in any language, best first."""
        d = self._json("/api/stations", [("q", query), ("limit", str(limit))])
        return [Station(**{f.name: s.get(f.name) for f in dataclasses.fields(Station)}) for s in d["stations"]]

    def trains(self) -> List[Train]:
        """The train profiles this network can plan with."""
        d = self._json("/api/trains")
        fields = {f.name for f in dataclasses.fields(Train)} - {"path"}
        return [Train(**{k: v for k, v in t.items() if k in fields}) for t in d["trains"]]

    def _coordinate(self, p: Place) -> str:
        """A place as /table/v1 takes it ("lon,lat"): a name must be a station's name exactly."""
        if not isinstance(p, str):
            return "%.7f,%.7f" % (float(p[1]), float(p[0]))
        found = self.stations(p, limit=5)
        exact = [s for s in found if s.quality == 3]
        if not exact:
            hint = (": did you mean %s?" % ", ".join(s.name for s in found[:3])) if found else ""
            raise Error("InvalidValue", "no station is named %r%s" % (p, hint), 400)
        return "%.7f,%.7f" % (exact[0].lon, exact[0].lat)

    def table(self, sources: Sequence[Place], destinations: Optional[Sequence[Place]] = None,
              train: Union[str, Train] = "armoured") -> Table:
        """Times and distances from every source to every destination (every source to every other when
        destinations is None), as /table/v1 gives them: the search's estimate (docs/api.md)."""
        places = list(sources) + (list(destinations) if destinations is not None else [])
        coords = ";".join(self._coordinate(p) for p in places)
        n = len(sources)
        params = [("annotations", "duration,distance")]
        if destinations is not None:
            params += [("sources", ";".join(str(i) for i in range(n))),
                       ("destinations", ";".join(str(i) for i in range(n, len(places))))]
        name = train.name if isinstance(train, Train) else train
        d = self._json("/table/v1/%s/%s" % (urllib.parse.quote(name), coords), params)
        try:
            import numpy

            def arr(m):
                return numpy.array([[float("nan") if v is None else v for v in row] for row in m], dtype=float)
        except ImportError:
            def arr(m):
                return m
        return Table(sources=[w.get("name", "") for w in d["sources"]],
                     destinations=[w.get("name", "") for w in d["destinations"]],
                     durations=arr(d["durations"]), distances=arr(d["distances"]))
