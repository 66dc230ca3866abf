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
