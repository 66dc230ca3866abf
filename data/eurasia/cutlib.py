"""cutlib.py: what the one-off cut scripts of data/eurasia share: spherical distance and a shortest path."""
import heapq
import math


def hv(a, b):
    """Great-circle distance in km between (x, y) points given as (lon, lat) or (lat, lon), both the same way."""
    la1, lo1, la2, lo2 = map(math.radians, (a[1], a[0], b[1], b[0]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def shortest_path(adj, src, dst):
    """Dijkstra over adj {node: [(node, weight)]}: (the nodes from src to dst, its weight)."""
    dist, prev, heap = {src: 0.0}, {}, [(0.0, src)]
    while heap:
        d, n = heapq.heappop(heap)
        if n == dst:
            break
        if d > dist[n]:
            continue
        for m, w in adj[n]:
            if d + w < dist.get(m, float("inf")):
                dist[m], prev[m] = d + w, n
                heapq.heappush(heap, (d + w, m))
    path = [dst]
    while path[-1] != src:
        path.append(prev[path[-1]])
    return path[::-1], dist[dst]


def chains(kept, attr=lambda e: None):
    """The undirected edges kept {(a, b)} as maximal vertex runs through vertices where exactly two kept edges meet
    with the same attr(edge): [(vertices, attr)].  Each edge is in exactly one run."""
    def key(a, b):
        return (min(a, b), max(a, b))
    nbr = {}
    for a, b in kept:
        nbr.setdefault(a, []).append(b)
        nbr.setdefault(b, []).append(a)
    stops = {v for v, ns in nbr.items() if len(ns) != 2 or attr(key(v, ns[0])) != attr(key(v, ns[1]))}
    done, out = set(), []
    for s0 in sorted(stops):
        for n1 in sorted(nbr[s0]):
            if key(s0, n1) in done:
                continue
            line = [s0, n1]
            done.add(key(s0, n1))
            while line[-1] not in stops:
                nxt = [m for m in nbr[line[-1]] if key(line[-1], m) not in done][0]
                done.add(key(line[-1], nxt))
                line.append(nxt)
            out.append((line, attr(key(line[0], line[1]))))
    assert len(done) == len(kept), "a loop without a junction"
    return out
