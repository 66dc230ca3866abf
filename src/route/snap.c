/* snap.c: places given as coordinates put onto track: the nearest points of edges a train could use, and the
 * stations near a point, from grids over the track's segments and the stations built once per network. */
#include "route/route_int.h"

#include "base/geo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)

/* ----- the indexes ----- */

static bool is_segment(void *ud, size_t i)
{
    return ((const route_base *)ud)->geom_edge[i] != BOGIE_NONE;
}

/* The edge of every geometry point (an edge's last point belongs to no segment), and the segments' grid. */
static bogie_status index_segments(route_base *b, bogie_diag *diag)
{
    const bogie_network *net = b->net;
    size_t ng = net->n_geom ? net->n_geom : 1;
    b->geom_edge = util_malloc(b->alloc, ng * sizeof *b->geom_edge);
    if (!b->geom_edge)
        return util_nomem(diag, "preparing the route planner");
    for (size_t i = 0; i < net->n_geom; i++)
        b->geom_edge[i] = BOGIE_NONE;
    for (uint32_t e = 0; e < net->n_edges; e++)
        for (uint32_t k = 0; k + 1 < net->edges[e].geom_count; k++)
            b->geom_edge[net->edges[e].geom_first + k] = e;
    if (geo_grid_build_segments((const int32_t *)net->geom, net->n_geom, is_segment, b, b->alloc, &b->seg_grid) !=
        BOGIE_OK)
        return util_nomem(diag, "indexing the track");
    return BOGIE_OK;
}

/* Stations by where they are and where their node is: entry 2s is station s, 2s + 1 its node. */
static bogie_status index_stations(route_base *b, bogie_diag *diag)
{
    const bogie_network *net = b->net;
    size_t ns = net->n_stations ? net->n_stations : 1;
    b->station_ll = util_malloc(b->alloc, 4 * ns * sizeof *b->station_ll);
    if (!b->station_ll)
        return util_nomem(diag, "indexing the stations");
    for (uint32_t s = 0; s < net->n_stations; s++) {
        const net_station *st = &net->stations[s];
        const net_node *nd = st->node != BOGIE_NONE ? &net->nodes[st->node] : NULL;
        b->station_ll[4 * s] = st->lat;
        b->station_ll[4 * s + 1] = st->lon;
        b->station_ll[4 * s + 2] = nd ? nd->lat : st->lat;
        b->station_ll[4 * s + 3] = nd ? nd->lon : st->lon;
    }
    if (geo_grid_build(b->station_ll, 2 * (size_t)net->n_stations, b->alloc, &b->station_grid) != BOGIE_OK)
        return util_nomem(diag, "indexing the stations");
    return BOGIE_OK;
}

bogie_status rt_snap_index_init(route_base *b, bogie_diag *diag)
{
    bogie_status rc = index_segments(b, diag);
    return rc == BOGIE_OK ? index_stations(b, diag) : rc;
}

void rt_snap_index_free(route_base *b)
{
    if (b->geom_edge)
        util_free(b->alloc, b->geom_edge, (b->net->n_geom ? b->net->n_geom : 1) * sizeof *b->geom_edge);
    geo_grid_free(b->seg_grid);
    geo_grid_free(b->station_grid);
    if (b->station_ll)
        util_free(b->alloc, b->station_ll, 4 * (b->net->n_stations ? b->net->n_stations : 1) * sizeof *b->station_ll);
}

/* ----- the nearest track ----- */

/* Fills *out for a point at segment seg, fraction f, of edge e, d metres from the query at (qlat, qlon). */
static void point_place(const route_base *b, uint32_t e, uint32_t seg, double f, double d, double qlat, double qlon,
                        route_place *out)
{
    const net_edge *ed = &b->net->edges[e];
    const net_point *g = b->net->geom + ed->geom_first;
    const float *pos = b->net->geom_pos + ed->geom_first;
    memset(out, 0, sizeof *out);
    out->is_point = true;
    out->station = BOGIE_NONE;
    out->node = BOGIE_NONE;
    out->edge = e;
    out->offset_m = pos[seg] + f * (pos[seg + 1] - pos[seg]);
    out->seg = seg;
    out->seg_frac = f;
    out->lat = (g[seg].lat + f * ((double)g[seg + 1].lat - g[seg].lat)) * 1e-7;
    out->lon = (g[seg].lon + f * ((double)g[seg + 1].lon - g[seg].lon)) * 1e-7;
    out->snap_m = d;
    snprintf(out->label, sizeof out->label, "%.5f,%.5f", qlat, qlon);
}

/* The state of a nearest-track search: the max best points so far, one per edge, nearest first. */
typedef struct snap_ctx {
    const route_base *b;
    const bogie_train *train;
    double lat, lon, kx, ky, max_m;
    route_place *out;
    size_t max, n;
} snap_ctx;

/* Where in c->out a point of edge e at distance d goes (making room for it), or SIZE_MAX when it is no nearer than
 * what c holds: one point per edge, nearest first. */
static size_t snap_slot(snap_ctx *c, uint32_t e, double d)
{
    size_t at = c->n;
    for (size_t i = 0; i < c->n; i++)
        if (c->out[i].edge == e) {
            if (c->out[i].snap_m <= d)
                return SIZE_MAX;
            at = i;
            break;
        }
    if (at == c->n) {
        if (c->n < c->max)
            c->n++;
        at = c->n - 1;
    }
    while (at > 0 && c->out[at - 1].snap_m > d) {
        c->out[at] = c->out[at - 1];
        at--;
    }
    return at;
}

static double snap_visit(void *ud, size_t seg)
{
    snap_ctx *c = ud;
    const bogie_network *net = c->b->net;
    double bound = c->n == c->max ? c->out[c->n - 1].snap_m : c->max_m;
    uint32_t e = c->b->geom_edge[seg];
    if (!rt_gauges_usable(c->train, &net->classes[net->edges[e].cls]))
        return bound;
    const net_point *p = &net->geom[seg];
    double ax = (p[0].lon * 1e-7 - c->lon) * c->kx, ay = (p[0].lat * 1e-7 - c->lat) * c->ky;
    double bx = (p[1].lon * 1e-7 - c->lon) * c->kx, by = (p[1].lat * 1e-7 - c->lat) * c->ky;
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double f = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    double px = ax + f * dx, py = ay + f * dy, d = sqrt(px * px + py * py);
    if (!(d <= bound))
        return bound;
    size_t at = snap_slot(c, e, d);
    if (at == SIZE_MAX)
        return bound;
    uint32_t first = net->edges[e].geom_first;
    point_place(c->b, e, (uint32_t)(seg - first), f, d, c->lat, c->lon, &c->out[at]);
    return c->n == c->max ? c->out[c->n - 1].snap_m : c->max_m;
}

bogie_status route_snap_n(const route_base *b, const bogie_train *train, double lat, double lon, double max_m,
                          route_place *out, size_t max, size_t *n_out, bogie_diag *diag)
{
    *n_out = 0;
    if (max == 0)
        return BOGIE_OK;
    snap_ctx c = {b, train, lat, lon, GEO_EARTH_RADIUS_M * DEG2RAD * cos(lat * DEG2RAD),
                  GEO_EARTH_RADIUS_M * DEG2RAD, max_m, out, max, 0};
    geo_grid_visit(b->seg_grid, lat, lon, max_m, snap_visit, &c);
    if (c.n == 0)
        return util_fail(diag, BOGIE_ERR_NOT_FOUND,
                         "%.6f,%.6f: no track %s can use within %.0f m (the point is off the network)", lat, lon,
                         train->name, max_m);
    *n_out = c.n;
    return BOGIE_OK;
}

bogie_status route_snap(const route_base *b, const bogie_train *train, double lat, double lon, double max_m,
                        route_place *out, bogie_diag *diag)
{
    size_t n;
    return route_snap_n(b, train, lat, lon, max_m, out, 1, &n, diag);
}

/* ----- stations near a point ----- */

/* Collects the stations near a point for route_stations_within. */
typedef struct near_ctx {
    const route_base *b;
    double lat, lon, max_m;
    uint32_t *out;
    size_t cap, n;
} near_ctx;

static double near_visit(void *ud, size_t entry)
{
    near_ctx *c = ud;
    uint32_t s = (uint32_t)(entry / 2);
    const int32_t *ll = c->b->station_ll + 2 * entry;
    if (geo_distance_m(c->lat, c->lon, ll[0] * 1e-7, ll[1] * 1e-7) > c->max_m)
        return c->max_m;
    for (size_t i = 0; i < c->n; i++)
        if (c->out[i] == s)
            return c->max_m;
    if (c->n < c->cap)
        c->out[c->n++] = s;
    return c->max_m;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

size_t route_stations_within(const route_base *b, double lat, double lon, double max_m, uint32_t *out, size_t cap)
{
    near_ctx c = {b, lat, lon, max_m, out, cap, 0};
    geo_grid_visit(b->station_grid, lat, lon, max_m, near_visit, &c);
    util_sort(out, c.n, sizeof *out, cmp_u32);
    return c.n;
}
