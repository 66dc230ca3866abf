#!/usr/bin/env python3
"""abuse.py: drives a running `bogie serve` on loopback with hostile and careless clients, and checks between them that
well-formed requests still get the right answers. tests/cli/test_abuse.sh runs one subcommand per check; each prints
what it saw on failure and exits 1. Standard library only.

    abuse.py slow        --port P                 a byte-a-second sender, silent clients, a client that never reads
    abuse.py idle        --port P --timeout S     idle and stalled connections are closed after about S seconds
    abuse.py oversize    --port P                 100 KB of headers, large and chunked bodies
    abuse.py garbage     --port P                 binary noise, HTTP/0.9, NUL bytes, missing CRLF, bad UTF-8 and escapes
    abuse.py concurrent  --port P [--clients N]   N connections at once, each doing good requests
    abuse.py burst       --port P --max M         a server started with --max-connections M, flooded
    abuse.py sigterm     --port P --pid PID       SIGTERM during load: answers or clean closes, then the process ends
    abuse.py slow-reader --port P --pid PID --path PATH
                                                  SIGTERM while a client reads a large answer slowly: all of it arrives
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import sys
import threading
import time

HOST = "127.0.0.1"

# Well-formed requests on the corridor network, each with a fixed answer; reference() fetches those answers once.
GOOD = [
    "/health",
    "/api/trains",
    "/api/stations?q=tumangang",
    "/api/stations?q=%D0%A2%D1%83%D0%BC%D0%B0%D0%BD%D0%B3%D0%B0%D0%BD",
    "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?overview=false",
    "/route/v1/ru-passenger/131.88191,43.11124;130.64528,42.42806?overview=full&geometries=geojson",
    "/nearest/v1/armoured/130.62,42.42?number=2",
    "/table/v1/armoured/125.73639,39.00472;130.64528,42.42806;131.88191,43.11124",
    "/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&depart=2023-09-10%2015:00",
]
# A large answer (about 200 KB), to fill socket buffers.
BIG = "/route/v1/armoured/125.73639,39.00472;131.88191,43.11124?overview=full&geometries=geojson&steps=true"
# A table of 80 places: tens of milliseconds of work without the cache.
SLOW = "/table/v1/armoured/" + ";".join(
    ["%.5f,%.5f" % (125.74 + i * 0.00002, 39.0 + i * 0.00002) for i in range(40)]
    + ["130.62000,42.42000"] * 40)


class Failure(Exception):
    """A check that did not hold; its message says what was seen."""


def expect(cond, what):
    if not cond:
        raise Failure(what)


def get(port, path, conn=None, timeout=10.0, method="GET"):
    """One request; returns (status, headers dict in lower case, body). Uses conn when given (keep-alive)."""
    own = conn is None
    c = conn or http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        c.request(method, path)
        r = c.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        if own:
            c.close()


_reference = {}


def reference(port):
    """The answer to every GOOD path, fetched once; each must be 200 with a body that is JSON."""
    if not _reference:
        for p in GOOD + [BIG, SLOW]:
            status, _, body = get(port, p)
            expect(status == 200, "reference %s: status %d: %r" % (p, status, body[:200]))
            json.loads(body)
            _reference[p] = body
        health = json.loads(_reference["/health"])
        expect(health["stations"] == 48, "the corridor has 48 stations, /health says %r" % health)
    return _reference


def good(port, n=3, rng=random, timeout=5.0):
    """n well-formed requests on a fresh keep-alive connection, each of which must get its reference answer within
    timeout seconds."""
    ref = reference(port)
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        for p in rng.sample(GOOD, n):
            t = time.monotonic()
            try:
                status, _, body = get(port, p, conn=c)
            except (OSError, http.client.HTTPException) as e:
                raise Failure("good request %s failed after %.2f s: %r" % (p, time.monotonic() - t, e))
            expect(status == 200 and body == ref[p],
                   "good request %s: status %d, %d bytes (expected 200, %d bytes): %r"
                   % (p, status, len(body), len(ref[p]), body[:200]))
    finally:
        c.close()


def connect(port, rcvbuf=None, timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((HOST, port))
    return s


def server_send_queue(port, client):
    """Bytes the server has queued but not yet sent on its end of the client socket (from /proc/net/tcp), or None
    when that end is not listed."""
    want_local = "%04X" % port
    want_remote = "%04X" % client.getsockname()[1]
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(":" + want_local) and fields[2].endswith(":" + want_remote):
                return int(fields[4].split(":")[0], 16)
    return None


def wait_until_stalled(port, client, most=10.0):
    """Waits (at most most seconds) until the server's send queue towards client has stopped growing for a second:
    the server can send no more until the client reads."""
    last, since, end = None, time.monotonic(), time.monotonic() + most
    while time.monotonic() < end:
        q = server_send_queue(port, client)
        if q != last:
            last, since = q, time.monotonic()
        elif time.monotonic() - since >= 1.0:
            return
        time.sleep(0.1)


def read_all(s, deadline, whole_response=False):
    """Reads until the server closes (or, with whole_response, until a whole response has come); returns (bytes, how
    it ended: "eof", "reset", "timeout" or "done")."""
    out = b""
    while True:
        if whole_response and complete(out):
            return out, "done"
        left = deadline - time.monotonic()
        if left <= 0:
            return out, "timeout"
        s.settimeout(left)
        try:
            b = s.recv(65536)
        except socket.timeout:
            return out, "timeout"
        except ConnectionResetError:
            return out, "reset"
        if not b:
            return out, "eof"
        out += b


def status_of(data):
    """The status code of the first response in data, or None when there is no status line."""
    if not data.startswith(b"HTTP/1."):
        return None
    try:
        return int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def answer(s, data, wait=2.0, half_close_after=None):
    """Sends data (errors while sending count as the server closing), then reads until a whole response has come,
    the server closes, or wait seconds pass. With half_close_after, a client that has had no answer after that many
    seconds stops sending (shutdown SHUT_WR), as one with nothing more to say would. Returns (bytes, ending,
    seconds)."""
    t = time.monotonic()
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    if half_close_after is not None:
        out, how = read_all(s, time.monotonic() + half_close_after, whole_response=True)
        if out or how != "timeout":
            if how == "timeout":
                more, how = read_all(s, time.monotonic() + wait, whole_response=True)
                out += more
            return out, how, time.monotonic() - t
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    out, how = read_all(s, time.monotonic() + wait, whole_response=True)
    return out, how, time.monotonic() - t


def refused_or_closed(port, name, data, wait=2.0, allow=(), half_close_after=None):
    """Sends one abusive request on a fresh connection: the answer must be a 4xx status (or one in allow) with the
    connection then closed or left usable, or a clean close (EOF or reset) with nothing sent, within wait seconds."""
    s = connect(port)
    try:
        out, how, secs = answer(s, data, wait, half_close_after)
    finally:
        s.close()
    st = status_of(out)
    if st is None:
        expect(out == b"" and how in ("eof", "reset"),
               "%s: no status line, ended by %s after %.1f s: %r" % (name, how, secs, out[:200]))
        return "closed (%s)" % how
    expect(400 <= st < 500 or st in allow, "%s: status %d: %r" % (name, st, out[:300]))
    expect(how != "timeout", "%s: a partial answer after %.1f s: %r" % (name, secs, out[:300]))
    if st == 200:  # taken as HTTP by a lenient parser: then it must be a whole answer, in JSON
        expect(b"application/json" in out.partition(b"\r\n\r\n")[0], "%s: a 200 that is not JSON: %r"
               % (name, out[:300]))
    problem = json_problem(out)
    if problem:
        return "%d, %s" % (st, problem)
    return "%d" % st


def json_problem(data):
    """None when the response in data is not JSON, or is valid JSON (in UTF-8) with a "code" when it is an error;
    else a sentence saying what is wrong."""
    try:
        body = json_body_of(data)
    except ValueError as e:
        return "%s in %r" % (e, data.partition(b"\r\n\r\n")[2][:160])
    if body is not None and status_of(data) != 200 and not isinstance(body.get("code"), str):
        return "no code in %r" % body
    return None


# Answers known to break JSON, by case name: none since sb_json_string (src/base/util.c) replaces bytes that are not
# UTF-8, which error messages quoting the request used to carry through. A case listed here is reported, not failed.
KNOWN_BAD_JSON = set()


def json_body_of(data):
    """The body of a single response in data, parsed as JSON when its type is JSON (else None). The body must be
    valid UTF-8."""
    head, _, body = data.partition(b"\r\n\r\n")
    if b"application/json" not in head.lower():
        return None
    length = [int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    if length:
        body = body[:length[0]]
    return json.loads(body.decode("utf-8"))


# ----- the checks -----


def check_slow(args):
    """A client that sends its request a byte at a time over seconds, clients that connect and say nothing, and one
    that pipelines large answers and never reads them: good requests keep getting prompt, correct answers."""
    port = args.port
    ref = reference(port)
    rng = random.Random(1)
    # Silent clients.
    silent = [connect(port) for _ in range(20)]
    # A client that never reads: a small receive window and 60 pipelined requests for a 200 KB answer each.
    stuck = connect(port, rcvbuf=4096)
    stuck.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % BIG).encode() * 60)
    # The trickler: one request, one byte every 25 ms (about 3 s in all), on its own thread.
    path = GOOD[-1]
    request = ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % path).encode()
    result = {}

    def trickle():
        s = connect(port)
        try:
            for i in range(len(request)):
                s.sendall(request[i:i + 1])
                time.sleep(3.0 / len(request))
            result["out"], result["how"] = read_all(s, time.monotonic() + 10)
        except OSError as e:
            result["error"] = repr(e)
        finally:
            s.close()

    t = threading.Thread(target=trickle)
    start = time.monotonic()
    t.start()
    rounds = 0
    while t.is_alive():
        good(port, 3, rng, timeout=2.0)  # every answer within 2 s, while the slow clients hold their connections
        rounds += 1
        time.sleep(0.05)
    t.join()
    expect("error" not in result, "the trickling client failed: %s" % result.get("error"))
    out = result["out"]
    expect(status_of(out) == 200, "the trickling client's answer: %r" % out[:200])
    expect(out.endswith(ref[path]), "the trickling client's answer is not the reference (%d bytes)" % len(out))
    expect(rounds >= 10, "only %d rounds of good requests in %.1f s" % (rounds, time.monotonic() - start))
    # The stuck reader's server side is blocked on a full socket; the silent clients are still open. Both must still
    # leave room for good requests.
    good(port, len(GOOD), rng, timeout=2.0)
    for s in silent:
        s.close()
    stuck.close()
    good(port, 3, rng)
    print("# %d rounds of good requests while one client trickled its request for %.1f s" % (rounds, time.monotonic()
                                                                                             - start))


def check_idle(args):
    """Connections that stop talking are closed by the server: one that never sends and one that stops half-way
    through its request after the header deadline (--header-timeout, within a second before or two after), one
    kept alive after an answer and one that never reads the answers it asked for after the connection timeout
    (between timeout - 1 and timeout + 5 seconds after it went quiet); good requests are answered meanwhile. One
    more, with 2000 query parameters, must be answered 414 and closed at once."""
    port, timeout = args.port, args.timeout
    ref = reference(port)
    quiet = {}
    never = connect(port)
    quiet["never sends"] = (never, time.monotonic())
    half = connect(port)
    half.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Ag")
    quiet["stops half-way"] = (half, time.monotonic())
    kept = connect(port)
    kept.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    time.sleep(0.2)
    first = kept.recv(65536)
    expect(status_of(first) == 200 and first.endswith(ref["/health"]), "keep-alive: %r" % first[:200])
    quiet["kept alive"] = (kept, time.monotonic())
    stuck = connect(port, rcvbuf=4096)
    stuck.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % BIG).encode() * 60)
    # Quiet from when the server can send no more (on a loaded or instrumented machine filling the buffers takes a
    # while: the connection timeout counts from the last byte sent).
    wait_until_stalled(port, stuck)
    quiet["never reads"] = (stuck, time.monotonic())
    # The server gives libmicrohttpd room to read a whole request line of 8 KB however many parameters it holds, so
    # that a crowded query is answered 414 at once (before, the library ran out of memory and left it hanging).
    params = connect(port)
    params.sendall(b"GET /api/stations?" + b"&" * 2000 + b"q=x HTTP/1.1\r\nHost: localhost\r\n\r\n")
    quiet["2000 query parameters"] = (params, time.monotonic())
    closed = {}

    def watch(name, s, since):
        if name == "never reads":
            # Reading would unblock the server: only peek after the timeout, then drain what was sent.
            time.sleep(timeout + 1)
            total = 0
            data, how = read_all(s, time.monotonic() + 10)
            total += len(data)
            closed[name] = (how, time.monotonic() - since, total)
            return
        data, how = read_all(s, since + timeout + 10)
        closed[name] = (how, time.monotonic() - since, len(data))
        if data:
            print("# %s: the server sent %r" % (name, data[:100]))

    threads = [threading.Thread(target=watch, args=(n, s, t)) for n, (s, t) in quiet.items()]
    for t in threads:
        t.start()
    rng = random.Random(2)
    while any(t.is_alive() for t in threads):
        good(port, 2, rng, timeout=2.0)
        time.sleep(0.5)
    for n, (s, _) in quiet.items():
        s.close()
    problems = []
    for name, (how, secs, nbytes) in sorted(closed.items()):
        print("# %s: %s after %.1f s (%d bytes read)" % (name, how, secs, nbytes))
        if how not in ("eof", "reset"):
            problems.append("%s: not closed (%s after %.1f s)" % (name, how, secs))
        elif name == "2000 query parameters":
            if secs > 2:
                problems.append("2000 query parameters: closed after %.1f s, not at once" % secs)
        elif name in ("never sends", "stops half-way") and not args.header_timeout - 1 <= secs <= args.header_timeout + 2:
            problems.append("%s: closed after %.1f s, not about %d (the header deadline)" % (name, secs,
                                                                                         args.header_timeout))
        elif name == "kept alive" and not timeout - 1 <= secs <= timeout + 5:
            problems.append("%s: closed after %.1f s, not about %d" % (name, secs, timeout))
        elif name == "never reads" and nbytes >= 60 * len(ref[BIG]):
            problems.append("never reads: all %d bytes were sent, so the connection never stalled" % nbytes)
    expect(not problems, "; ".join(problems))


def check_oversize(args):
    """Oversized headers and bodies: 413, 431, another 4xx, or a closed connection; never a crash."""
    port = args.port
    rng = random.Random(3)
    req = b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
    cases = [
        ("100 headers of 1 KB", req + b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 1000) for i in range(100)) + b"\r\n"),
        ("one header of 100 KB", req + b"X-Pad: " + b"a" * 100000 + b"\r\n\r\n"),
        ("10000 tiny headers", req + b"".join(b"X%d: y\r\n" % i for i in range(10000)) + b"\r\n"),
        ("a request line of 100 KB", b"GET /api/stations?q=" + b"x" * 100000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("a header line with no end", req + b"X-Pad: " + b"a" * 200000),
        ("a small body on GET", req + b"Content-Length: 5\r\n\r\nhello"),
        ("POST of 1 MB", b"POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1048576\r\n\r\n" + b"z" * 1048576),
        ("POST announcing 10 GB", b"POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10737418240\r\n\r\n"
         + b"z" * 65536),
        ("POST announcing more than 2^64 bytes",
         b"POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
        ("a negative Content-Length", req + b"Content-Length: -1\r\n\r\n"),
        ("Expect: 100-continue with 10 MB", b"PUT /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10485760\r\n"
         b"Expect: 100-continue\r\n\r\n"),
        ("a chunked body of 1 MB", b"POST /health HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
         + b"".join(b"10000\r\n" + b"c" * 65536 + b"\r\n" for _ in range(16)) + b"0\r\n\r\n"),
        ("a chunk announcing 2^64 bytes", b"POST /health HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"ffffffffffffffff\r\n" + b"c" * 1000),
        ("a chunked GET", req + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
    ]
    for name, data in cases:
        seen = refused_or_closed(port, name, data, half_close_after=2.0)
        print("# %s: %s" % (name, seen))
        good(port, 2, rng)


GARBAGE_PATHS = [
    # Invalid UTF-8 and percent-escapes in the path and the query; each must be answered 4xx. Those marked "odd" are
    # well-formed but extreme, and may also be answered 200 (the API cuts long keys and values, and ignores unknown
    # keys and parameters beyond its 64th).
    ("a lone continuation byte in a station query", "/api/stations?q=%80"),
    ("a truncated sequence in a station query", "/api/stations?q=%C3%28"),
    ("an overlong slash in a station query", "/api/stations?q=%C0%AF"),
    ("a UTF-16 surrogate in a station query", "/api/stations?q=%ED%A0%80"),
    ("bytes FE FF in a station query", "/api/stations?q=%FE%FF"),
    ("invalid UTF-8 in a journey's from", "/api/journey?from=%FF%FE&to=Vladivostok&train=armoured"),
    ("invalid UTF-8 in a journey's via", "/api/journey?from=Pyongyang&to=Vladivostok&via=%C3&train=armoured"),
    ("invalid UTF-8 in a train name", "/route/v1/%FF%FE/125.73639,39.00472;131.88191,43.11124"),
    ("invalid UTF-8 in a path", "/%FF%FE/../etc/passwd"),
    ("invalid UTF-8 in coordinates", "/route/v1/armoured/125.7%FF,39.0;131.9,43.1"),
    ("a NUL escape in a train name", "/route/v1/armoured%00x/125.73639,39.00472;131.88191,43.11124"),
    ("a NUL escape in a journey's train", "/api/journey?from=Pyongyang&to=Vladivostok&train=arm%00oured"),
    ("a NUL escape in a date", "/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&depart=2023-09-10%00"),
    ("a bad escape in the path", "/route/v1/armoured/125.73639%2G39.00472;131.88191,43.11124"),
    ("a bad escape in a date", "/api/journey?from=Pyongyang&to=Vladivostok&train=armoured&depart=%ZZ"),
    ("a truncated escape in a number", "/nearest/v1/armoured/130.62,42.42?number=%"),
    ("a NUL escape in a number", "/nearest/v1/armoured/130.62,42.42?number=2%00000"),
    ("200 parameters", "/api/journey?" + "&".join("via=Khasan" for _ in range(200))
     + "&from=Pyongyang&to=Vladivostok&train=armoured", "odd"),
    ("a key of 3000 bytes", "/api/stations?" + "k" * 3000 + "=1&q=x", "odd"),
    ("a value of 4000 bytes", "/api/stations?q=" + "%D0%A2" * 666 + "x", "odd"),
    ("a coordinate of 2000 digits", "/nearest/v1/armoured/1" + "0" * 2000 + ",42.42", "odd"),
    ("coordinates that are not numbers", "/route/v1/armoured/nan,nan;inf,-inf", "odd"),
    ("a huge number of results", "/nearest/v1/armoured/130.62,42.42?number=99999999999999999999", "odd"),
]


def check_garbage(args):
    """Bytes that are not HTTP, and well-framed requests whose paths and queries hold invalid UTF-8, NUL bytes and
    broken percent-escapes: a 4xx answer or a clean close, never a crash, and JSON errors that are valid JSON."""
    port = args.port
    rng = random.Random(4)
    reference(port)
    bad_json = []
    noise = random.Random(5)
    cases = [("random bytes %d" % i, bytes(noise.getrandbits(8) for _ in range(noise.choice([16, 700, 5000]))), ())
             for i in range(8)]
    cases += [
        ("every byte value", bytes(range(256)) * 4),
        ("NUL bytes only", b"\0" * 4096),
        ("TLS ClientHello", bytes.fromhex("16030100a5010000a10303") + bytes(range(64)) + b"\r\n\r\n"),
        ("HTTP/0.9", b"GET /health\r\n"),
        ("HTTP/0.9 without CRLF", b"GET /health"),
        ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", (505,)),
        ("HTTP/3.0", b"GET /health HTTP/3.0\r\nHost: localhost\r\n\r\n", (505,)),
        ("a version of digits", b"GET /health HTTP/1.99999999999\r\nHost: localhost\r\n\r\n"),
        ("a NUL in the request line", b"GET /hea\0lth HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("a NUL in a header name", b"GET /health HTTP/1.1\r\nHo\0st: x\r\n\r\n"),
        ("a NUL in a header value", b"GET /health HTTP/1.1\r\nHost: localhost\0y\r\n\r\n", (200,)),
        ("a NUL in the method", b"G\0T /health HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("no blank line after the headers", b"GET /health HTTP/1.1\r\nHost: localhost\r\n"),
        ("no CRLF at all after the request line", b"GET /health HTTP/1.1"),
        ("a header without a colon", b"GET /health HTTP/1.1\r\nHost x\r\n\r\n"),
        ("a header folded onto the next line", b"GET /health HTTP/1.1\r\nHost: localhost\r\n y\r\n\r\n", (200,)),
        ("CR without LF", b"GET /health HTTP/1.1\rHost: localhost\r\r"),
        ("only CRLFs", b"\r\n" * 1000),
        ("a request line of spaces", b" " * 1000 + b"\r\n\r\n"),
        ("no target", b"GET  HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("raw invalid UTF-8 in the target", b"GET /api/stations?q=\xff\xfe\xc3( HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("raw invalid UTF-8 in a path", b"GET /\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("raw control bytes in the target", b"GET /api/stations?q=\x01\x02\x1b[31m HTTP/1.1\r\nHost: localhost\r\n\r\n",
         (200,)),
        ("two Content-Lengths", b"GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: 38\r\n\r\n"
         b"GET /api/trains HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("bare LF line ends", b"GET /health HTTP/1.1\nHost: localhost\n\n", (200,)),
        ("a method of 5000 letters", b"G" * 5000 + b" /health HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    ]
    for name, data, *allow in cases:
        # The third item, when there is one, lists other statuses allowed: a version the server does not speak may be
        # answered 505, and what a lenient parser may take as HTTP (bare LF, a folded header) 200 with a JSON answer.
        seen = refused_or_closed(port, name, data, half_close_after=0.5, allow=allow[0] if allow else ())
        print("# %s: %s" % (name, seen))
        if "," in seen:
            bad_json.append((name, seen.split(", ", 1)[1]))
        good(port, 1, rng)
    for name, path, *odd in GARBAGE_PATHS:
        s = connect(port)
        out, how, secs = answer(s, ("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % path).encode(), 5.0)
        s.close()
        st = status_of(out)
        if st == 200 and "%00" in path:
            # The API drops NUL bytes as it decodes (src/serve/api.h): then the answer is that of the path without them.
            status, _, body = get(port, path.replace("%00", ""))
            expect(status == 200 and out.endswith(body), "%s: 200, but not the answer without the NUL" % name)
            print("# %s: 200, as without the NUL" % name)
            continue
        expect(st is not None and (400 <= st < 500 or (odd and st == 200)),
               "%s (%s): %s after %.1f s: %r" % (name, path[:80], how, secs, out[:300]))
        problem = json_problem(out)
        if problem:
            bad_json.append((name, problem))
        print("# %s: %d" % (name, st))
        good(port, 1, rng)
    # Request smuggling: with two Content-Lengths, the bytes after the headers must not be taken as a second request.
    s = connect(port)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: 37\r\n\r\n"
              b"GET /api/trains HTTP/1.1\r\nHost: localhost\r\n\r\n")
    out, how = read_all(s, time.monotonic() + 5.0)
    s.close()
    answers = out.count(b"HTTP/1.1 ")
    print("# two Content-Lengths, read to the end: %d answer(s), status %s, then %s" % (answers, status_of(out), how))
    expect(answers == 1 and status_of(out) == 400 and how in ("eof", "reset"),
           "two Content-Lengths: %d answers (status %s), ended by %s: %r" % (answers, status_of(out), how, out[:300]))
    # Every bare LF, missing CRLF and NUL above left the server answering: a last full round of good requests.
    good(port, len(GOOD), rng)
    for name, problem in bad_json:
        if name in KNOWN_BAD_JSON:
            print("# known problem, not valid JSON: %s: %s" % (name, problem))
    for name in sorted(KNOWN_BAD_JSON - {n for n, _ in bad_json}):
        print("# %s: now valid JSON; remove it from KNOWN_BAD_JSON" % name)
    new = ["%s: %s" % (n, p) for n, p in bad_json if n not in KNOWN_BAD_JSON]
    expect(not new, "answers that are not valid JSON:\n#   " + "\n#   ".join(new))


def check_concurrent(args):
    """args.clients connections at once, all started together, each doing five good requests on one keep-alive
    connection: every answer correct."""
    port, n = args.port, args.clients
    ref = reference(port)
    barrier = threading.Barrier(n)
    errors, done = [], []
    lock = threading.Lock()

    def client(i):
        rng = random.Random(100 + i)
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=20)
            c.connect()
            barrier.wait(timeout=20)
            for p in rng.choices(GOOD + [BIG], k=5):
                status, _, body = get(port, p, conn=c)
                if status != 200 or body != ref[p]:
                    raise Failure("%s: status %d, %d bytes" % (p, status, len(body)))
                with lock:
                    done.append(p)
            c.close()
        except Exception as e:  # noqa: BLE001 - every kind of failure is reported
            with lock:
                errors.append("client %d: %r" % (i, e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("# %d requests on %d connections in %.2f s" % (len(done), n, time.monotonic() - t0))
    expect(not errors, "; ".join(errors[:10]))
    expect(len(done) == 5 * n, "%d answers, expected %d" % (len(done), 5 * n))


def check_burst(args):
    """A server started with --max-connections args.max: with that many clients holding keep-alive connections, a
    burst of 100 more gets 503 (JSON, Retry-After) within 2 s each, and so does a newcomer behind more silent
    connections than the library will hold (twice the limit and 16 more), within 4 s: the server closes silent
    connections beyond its limit after 1 s, so those waiting in the kernel's queue get their turn in rounds of about a
    second, not after the whole connection timeout. Once they leave, good requests are answered again."""
    port, limit = args.port, args.max
    reference(port)
    rng = random.Random(6)
    held = []
    for _ in range(limit):
        c = http.client.HTTPConnection(HOST, port, timeout=5)
        status, _, _ = get(port, "/health", conn=c)
        expect(status == 200, "a client within the limit got %d" % status)
        held.append(c)

    # The burst: 100 connections opened at once, then a request on each, read in parallel.
    socks = [connect(port) for _ in range(100)]
    results = [None] * len(socks)

    def one(i, s):
        results[i] = answer(s, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", 5.0)

    threads = [threading.Thread(target=one, args=(i, s)) for i, s in enumerate(socks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = {}
    for s, (out, how, secs) in zip(socks, results):
        st = status_of(out)
        statuses[st] = statuses.get(st, 0) + 1
        expect(st == 503, "a request beyond the limit: %s, ended by %s after %.1f s: %r" % (st, how, secs, out[:200]))
        expect(secs < 2.0, "a 503 took %.1f s" % secs)
        expect(b"Retry-After: 1" in out and json_body_of(out)["code"] == "Overloaded", "the 503: %r" % out[:400])
        if how == "done":  # the whole 503 has come: the server must then close the connection
            more, how = read_all(s, time.monotonic() + 2.0)
            expect(more == b"", "more after the 503: %r" % more[:200])
        expect(how in ("eof", "reset"), "the connection was not closed after the 503 (%s)" % how)
    print("# burst of 100: %s" % statuses)

    # More silent connections than the library holds (twice the limit and 16 more), then a newcomer.
    silent = [connect(port) for _ in range(3 * limit + 40)]
    time.sleep(0.2)
    s = connect(port)
    out, how, secs = answer(s, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", 10.0)
    s.close()
    print("# behind %d silent connections: %s, %s after %.2f s" % (len(silent), status_of(out), how, secs))
    # A 200 is right too when the server has meanwhile timed out the held clients (on a slow, sanitized build the
    # burst can outlast their idle timeout), so that the newcomer is within the limit: what must not happen is a
    # newcomer left waiting in the queue, which the time below checks.
    expect(status_of(out) in (503, 200) or (out == b"" and how in ("eof", "reset")),
           "a newcomer behind %d silent connections: %s, ended by %s: %r" % (len(silent), status_of(out), how,
                                                                           out[:200]))
    expect(secs < 4.0, "a newcomer behind %d silent connections waited %.1f s for its answer" % (len(silent), secs))
    for x in silent:
        x.close()
    time.sleep(0.5)  # until the server has seen them go: until then it still counts them as open
    # The clients within the limit are still served on their connections (unless the server timed them out).
    for c in held:
        try:
            status, _, _ = get(port, "/health", conn=c)
            expect(status == 200, "a held connection got %d" % status)
        except (OSError, http.client.HTTPException):
            pass
        c.close()
    # Recovery: within 2 s, good requests are answered.
    t0 = time.monotonic()
    while True:
        try:
            good(port, 3, rng, timeout=2.0)
            break
        except Failure:
            if time.monotonic() - t0 > 2.0:
                raise
            time.sleep(0.1)
    print("# recovered in %.2f s" % (time.monotonic() - t0))


def alive(pid):
    """True while the process runs (a zombie waiting for its parent counts as ended)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def check_sigterm(args):
    """SIGTERM while 24 clients keep the server busy: every request gets its right answer or a clean close (no
    status line, EOF or reset; or a refused connection), the slow requests in flight at the signal are answered,
    and the process ends within 10 s."""
    port, pid = args.port, args.pid
    ref = reference(port)
    stop = threading.Event()
    lock = threading.Lock()
    tally = {"ok": 0, "closed": 0, "refused": 0}
    bad = []
    signalled = [None]

    def load(i):
        rng = random.Random(200 + i)
        while not stop.is_set():
            p = rng.choice(GOOD + [BIG, SLOW])
            try:
                s = connect(port, timeout=5)
            except (ConnectionRefusedError, ConnectionResetError) as e:
                # After the signal the server stops listening: a connection still in the listening socket's queue
                # then is reset, and later ones refused. Before it, a reset is wrong.
                if isinstance(e, ConnectionResetError) and signalled[0] is None:
                    with lock:
                        bad.append("connect: %r before the signal" % e)
                    return
                with lock:
                    tally["refused"] += 1
                if signalled[0] is not None:
                    return
                continue
            except OSError as e:
                with lock:
                    bad.append("connect: %r" % e)
                return
            try:
                for _ in range(rng.randint(1, 4)):  # a few requests per connection, kept alive
                    out, how = request_on(s, p, 15.0)
                    if not out and how in ("eof", "reset"):
                        with lock:
                            tally["closed"] += 1
                        break
                    if status_of(out) == 200 and out.endswith(ref[p]) and complete(out):
                        with lock:
                            tally["ok"] += 1
                        if b"\r\nconnection: close\r\n" in out.partition(b"\r\n\r\n")[0].lower() + b"\r\n":
                            break  # as an HTTP client would: the server is stopping, so it says the connection ends
                        p = rng.choice(GOOD + [BIG, SLOW])
                        continue
                    with lock:
                        bad.append("%s: %s, %d bytes, ended by %s: %r" % (p[:60], status_of(out), len(out), how,
                                                                          out[:120]))
                    return
            finally:
                s.close()

    in_flight = {}

    sent = [threading.Event() for _ in range(4)]

    def slow_request(i):
        s = connect(port)
        try:
            # A first answer on the connection, so that the server has accepted it (a connection still in the
            # listening socket's queue at the signal is refused, not in flight); then the slow request, sent just
            # before the signal, so that it is being worked out or answered when the signal comes.
            out, how = request_on(s, "/health", 15.0)
            if status_of(out) != 200:
                in_flight[i] = (status_of(out), False, "first request: " + how)
                sent[i].set()
                return
            out, how = request_on(s, SLOW, 15.0, sent[i])
            in_flight[i] = (status_of(out), complete(out) and out.endswith(ref[SLOW]), how)
        finally:
            s.close()

    threads = [threading.Thread(target=load, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    slow = [threading.Thread(target=slow_request, args=(i,)) for i in range(4)]
    for t in slow:
        t.start()
    # Each slow request is on the wire before the signal (on a loaded machine a thread may start late, and a
    # connection still in the listening socket's queue when the server stops listening is refused, not in flight),
    # with a moment for the server to read it.
    for e in sent:
        e.wait(10)
    time.sleep(0.05)
    with lock:
        before = dict(tally)
    signalled[0] = time.monotonic()  # before the signal, so that no load thread sees its effect first
    os.kill(pid, signal.SIGTERM)
    while alive(pid) and time.monotonic() - signalled[0] < 20:
        time.sleep(0.05)
    ended = time.monotonic() - signalled[0]
    stop.set()
    for t in threads + slow:
        t.join()
    print("# before SIGTERM: %s; in all: %s; the process ended %.2f s after the signal" % (before, tally, ended))
    print("# the slow requests sent just before the signal: %s" % in_flight)
    expect(not bad, "answers that were neither right nor a clean close:\n#   " + "\n#   ".join(bad[:10]))
    expect(before["ok"] > 50, "too little load before the signal: %s" % before)
    expect(ended < 10, "the server had not ended %.1f s after SIGTERM" % ended)
    expect(all(v[0] == 200 and v[1] for v in in_flight.values()) and len(in_flight) == 4,
           "requests in flight at SIGTERM were not all answered: %s" % in_flight)


def request_on(s, path, wait, sent=None):
    """Sends one keep-alive request on socket s (setting the threading.Event sent, if given, once it is sent) and
    reads one whole response (by its Content-Length). Returns (bytes, "done" or how the connection ended)."""
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode())
    except (BrokenPipeError, ConnectionResetError):
        return b"", "reset"
    finally:
        if sent is not None:
            sent.set()
    return read_all(s, time.monotonic() + wait, whole_response=True)


def complete(out):
    """True when out holds a whole response: its headers and as many body bytes as its Content-Length says."""
    head, sep, body = out.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def check_slow_reader(args):
    """SIGTERM while a client with a small receive window is still reading a large answer: the whole answer
    arrives (as its Content-Length says), and then the process ends."""
    port, pid = args.port, args.pid
    status, _, body = get(port, args.path)
    expect(status == 200, "%s: %d" % (args.path, status))
    s = connect(port, rcvbuf=4096)
    s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % args.path).encode())
    time.sleep(0.5)
    out = s.recv(4096)
    os.kill(pid, signal.SIGTERM)
    t0 = time.monotonic()
    time.sleep(0.5)
    while True:  # about 2 MB/s
        s.settimeout(10)
        try:
            b = s.recv(16384)
        except (socket.timeout, ConnectionResetError) as e:
            raise Failure("after %d bytes: %r" % (len(out), e))
        if not b:
            break
        out += b
        time.sleep(0.005)
    s.close()
    while alive(pid) and time.monotonic() - t0 < 20:
        time.sleep(0.05)
    print("# read %d bytes (an answer of %d); the process ended %.2f s after the signal" % (len(out), len(body),
                                                                                            time.monotonic() - t0))
    expect(status_of(out) == 200 and complete(out) and out.endswith(body),
           "the answer was cut: %d bytes of %d" % (len(out.partition(b"\r\n\r\n")[2]), len(body)))
    expect(not alive(pid), "the server had not ended 20 s after SIGTERM")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("check", choices=["slow", "idle", "oversize", "garbage", "concurrent", "burst", "sigterm",
                                      "slow-reader"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--timeout", type=int, default=15, help="the server's connection timeout (idle)")
    ap.add_argument("--header-timeout", type=int, default=5, help="the server's header deadline (idle)")
    ap.add_argument("--clients", type=int, default=100, help="connections at once (concurrent)")
    ap.add_argument("--max", type=int, default=8, help="the server's --max-connections (burst)")
    ap.add_argument("--pid", type=int, help="the server's process (sigterm, slow-reader)")
    ap.add_argument("--path", help="a large answer's path (slow-reader)")
    args = ap.parse_args()
    try:
        globals()["check_" + args.check.replace("-", "_")](args)
    except Failure as e:
        print("# FAILED: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
