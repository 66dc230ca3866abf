/* view.c: one query's view of the graph: the network plus the virtual nodes and edges that split an edge where a
 * place is given as coordinates, and the positions and bearings along them. */
#include "route/route_int.h"

#include <math.h>

#include "base/geo.h"

#include <string.h>

uint32_t route_edge_of(uint32_t h)
{
    return h >> 1;
}

const net_edge *route_base_edge(const route_view *v, uint32_t edge)
{
    return rt_base_edge(v, edge);
}

void route_edge_span(const route_view *v, uint32_t edge, double *s0, double *s1)
{
    rt_edge_span(v, edge, s0, s1);
}

uint32_t route_head(const route_view *v, uint32_t h)
{
    return rt_head(v, h);
}

uint32_t route_tail(const route_view *v, uint32_t h)
{
    return rt_tail(v, h);
}

/* The point at distance s (length units) along the base edge: found among the stored positions of its points. */
static void point_along(const bogie_network *net, const net_edge *e, double s, double *lat, double *lon)
{
    const net_point *g = net->geom + e->geom_first;
    const float *pos = net->geom_pos + e->geom_first;
    uint32_t lo = 0, hi = e->geom_count - 1;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (pos[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    double len = pos[hi] - pos[lo];
    double f = len > 0 ? (s - pos[lo]) / len : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    *lat = (g[lo].lat + f * ((double)g[hi].lat - g[lo].lat)) * 1e-7;
    *lon = (g[lo].lon + f * ((double)g[hi].lon - g[lo].lon)) * 1e-7;
}

void route_node_pos(const route_view *v, uint32_t node, double *lat, double *lon)
{
    if (node < v->n_nodes) {
        *lat = v->b->net->nodes[node].lat * 1e-7;
        *lon = v->b->net->nodes[node].lon * 1e-7;
        return;
    }
    /* A virtual node is the start of the virtual edge that leaves it forward, or the end of one that arrives. */
    for (uint32_t k = 0; k < v->n_vedges; k++) {
        const route_vedge *ve = &v->vedges[k];
        if (ve->from == node || ve->to == node) {
            point_along(v->b->net, &v->b->net->edges[ve->base], ve->from == node ? ve->start_m : ve->end_m, lat,
                        lon);
            return;
        }
    }
    *lat = *lon = 0;
}

/* Bearing leaving the tail of a virtual half-edge, measured like the base's bearings of real half-edges: to the
 * point about 50 m along it (or its far end). */
static float virtual_bearing(const route_view *v, uint32_t h)
{
    const route_vedge *ve = rt_vedge(v, h >> 1);
    const net_edge *e = &v->b->net->edges[ve->base];
    bool back = h & 1;
    double s = back ? ve->end_m : ve->start_m, s2 = back ? ve->end_m - 50 : ve->start_m + 50;
    if (s2 < ve->start_m)
        s2 = ve->start_m;
    if (s2 > ve->end_m)
        s2 = ve->end_m;
    double la0, lo0, la1, lo1;
    if (ve->end_m - ve->start_m < 1.0) {
        /* A piece under a metre (a point snapped onto the end of its edge) has no direction of its own: the
         * track's there, along the base edge, the way the half-edge runs. */
        double dir = back ? -1 : 1, len = e->length_m;
        s2 = fmin(fmax(s + 50 * dir, 0), len);
        if (fabs(s2 - s) < 1.0) {
            s2 = s;
            s = fmin(fmax(s - 50 * dir, 0), len);
        }
    }
    point_along(v->b->net, e, s, &la0, &lo0);
    point_along(v->b->net, e, s2, &la1, &lo1);
    return (float)geo_bearing_deg(la0, lo0, la1, lo1);
}

typedef struct split {
    double offset;
    uint32_t place;
} split;

static int cmp_split(const void *a, const void *b)
{
    const split *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Splits base edge e at the points places[first ..) on it, in order along it, into a chain of virtual edges; new
 * virtual nodes are numbered from *next_node on. */
static bogie_status split_edge(route_view *v, const route_place *places, size_t first, size_t n, uint32_t *next_node,
                               bogie_diag *diag)
{
    uint32_t e = places[first].edge;
    split sp[32];
    size_t ns = 0;
    for (size_t j = first; j < n; j++)
        if (places[j].is_point && places[j].edge == e)
            sp[ns++] = (split){places[j].offset_m, (uint32_t)j};
    util_sort(sp, ns, sizeof *sp, cmp_split);
    const net_edge *be = &v->b->net->edges[e];
    uint32_t prev_node = be->from;
    double prev_off = 0;
    for (size_t k = 0; k < ns; k++) {
        if (k > 0 && sp[k].offset == sp[k - 1].offset) {
            v->vnode_of_place[sp[k].place] = prev_node;
            continue;
        }
        uint32_t node = (*next_node)++;
        if (v->n_vedges + 2 > sizeof v->vedges / sizeof v->vedges[0])
            return util_fail(diag, BOGIE_ERR_ARG, "too many places given as coordinates");
        v->vedges[v->n_vedges++] = (route_vedge){e, prev_node, node, prev_off, sp[k].offset};
        v->vnode_of_place[sp[k].place] = node;
        prev_node = node;
        prev_off = sp[k].offset;
    }
    v->vedges[v->n_vedges++] = (route_vedge){e, prev_node, be->to, prev_off, be->length_m};
    return BOGIE_OK;
}

bogie_status rt_view_init(route_view *v, const route_base *b, const route_place *places, size_t n, bogie_diag *diag)
{
    memset(v, 0, sizeof *v);
    v->b = b;
    v->n_nodes = b->net->n_nodes;
    v->n_edges = b->net->n_edges;
    if (n > 32)
        return util_fail(diag, BOGIE_ERR_ARG, "at most 32 places (origin, vias, destination) per journey");
    uint32_t next_node = v->n_nodes;
    for (size_t i = 0; i < n; i++)
        v->vnode_of_place[i] = BOGIE_NONE;
    for (size_t i = 0; i < n; i++) {
        if (!places[i].is_point || v->vnode_of_place[i] != BOGIE_NONE)
            continue;
        bogie_status rc = split_edge(v, places, i, n, &next_node, diag);
        if (rc != BOGIE_OK)
            return rc;
    }
    for (uint32_t k = 0; k < 2 * v->n_vedges; k++)
        v->vbearing[k] = virtual_bearing(v, 2 * v->n_edges + k);
    return BOGIE_OK;
}

size_t rt_view_out(const route_view *v, uint32_t node, uint32_t *out, size_t cap)
{
    size_t n = 0;
    const bogie_network *net = v->b->net;
    if (node < v->n_nodes) {
        for (uint32_t k = net->node_adj[node]; k < net->node_adj[node + 1] && n < cap; k++) {
            /* adj holds e << 1 | 1 when the edge touches the node at its end, and leaving from the end means
             * travelling backward: the same bit. */
            out[n++] = net->adj[k];
        }
    }
    for (uint32_t k = 0; k < v->n_vedges && n < cap; k++) {
        uint32_t e = v->n_edges + k;
        if (v->vedges[k].from == node)
            out[n++] = e << 1;
        if (v->vedges[k].to == node && n < cap)
            out[n++] = e << 1 | 1;
    }
    return n;
}
