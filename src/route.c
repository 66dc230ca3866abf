/* route.c: the fastest route for a train over (half-edge, wheel gauge, leg) states, with gauge changes only at
 * stations where gauges meet or at listed facilities, reversals only at stations, no sharp turns at junctions,
 * electric trains kept under wires they accept, and an explanation when no route exists. */
#include "route.h"

#include "geo.h"
#include "tags.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)

/* ----- the per-network base ----- */

/* Bearing leaving the tail of half-edge h, measured to the point about 50 m along it (or its far end), so that
 * short zigzags of OSM geometry at a junction do not decide the angle. */
static float departure_bearing(const bogie_network *net, uint32_t h)
{
    const net_edge *e = &net->edges[h >> 1];
    bool back = h & 1;
    const net_point *g = net->geom + e->geom_first;
    uint32_t n = e->geom_count;
    const net_point *p0 = back ? &g[n - 1] : &g[0];
    const net_point *p = p0;
    double run = 0;
    for (uint32_t k = 1; k < n; k++) {
        const net_point *q = back ? &g[n - 1 - k] : &g[k];
        run += geo_distance_e7(p->lat, p->lon, q->lat, q->lon);
        p = q;
        if (run >= 50)
            break;
    }
    if (p == p0)
        return 0;
    return (float)geo_bearing_deg(p0->lat * 1e-7, p0->lon * 1e-7, p->lat * 1e-7, p->lon * 1e-7);
}

bogie_status route_base_init(route_base *b, const bogie_network *net, const bogie_world *world,
                             const bogie_allocator *alloc, bogie_diag *diag)
{
    memset(b, 0, sizeof *b);
    b->net = net;
    b->world = world;
    b->alloc = alloc = util_alloc_or_default(alloc);
    size_t nn = net->n_nodes ? net->n_nodes : 1, nh = net->n_edges ? 2 * (size_t)net->n_edges : 1;
    b->node_station = util_malloc(alloc, nn * sizeof *b->node_station);
    b->node_facility = util_malloc(alloc, nn * sizeof *b->node_facility);
    b->dep_bearing = util_malloc(alloc, nh * sizeof *b->dep_bearing);
    if (!b->node_station || !b->node_facility || !b->dep_bearing) {
        route_base_free(b);
        return util_nomem(diag, "preparing the route planner");
    }
    for (uint32_t v = 0; v < net->n_nodes; v++)
        b->node_station[v] = b->node_facility[v] = BOGIE_NONE;
    for (uint32_t s = 0; s < net->n_stations; s++) {
        uint32_t v = net->stations[s].node;
        if (v != BOGIE_NONE && b->node_station[v] == BOGIE_NONE)
            b->node_station[v] = s;
    }
    for (uint32_t h = 0; h < 2 * net->n_edges; h++)
        b->dep_bearing[h] = departure_bearing(net, h);
    /* Each facility applies at the nearest station within ROUTE_FACILITY_RADIUS_M. */
    for (size_t f = 0; world && f < world->facilities.n; f++) {
        const world_facility *fa = &world->facilities.v[f];
        double best = ROUTE_FACILITY_RADIUS_M;
        uint32_t at = BOGIE_NONE;
        for (uint32_t s = 0; s < net->n_stations; s++) {
            const net_station *st = &net->stations[s];
            if (st->node == BOGIE_NONE)
                continue;
            double d = geo_distance_m(fa->lat, fa->lon, st->lat * 1e-7, st->lon * 1e-7);
            if (d < best) {
                best = d;
                at = st->node;
            }
        }
        if (at != BOGIE_NONE && b->node_facility[at] == BOGIE_NONE)
            b->node_facility[at] = (uint32_t)f;
    }
    return BOGIE_OK;
}

void route_base_free(route_base *b)
{
    if (!b || !b->net)
        return;
    size_t nn = b->net->n_nodes ? b->net->n_nodes : 1, nh = b->net->n_edges ? 2 * (size_t)b->net->n_edges : 1;
    util_free(b->alloc, b->node_station, nn * sizeof *b->node_station);
    util_free(b->alloc, b->node_facility, nn * sizeof *b->node_facility);
    util_free(b->alloc, b->dep_bearing, nh * sizeof *b->dep_bearing);
    memset(b, 0, sizeof *b);
}

/* ----- gauges, power, speed ----- */

static bool gauges_compatible(uint16_t track, uint16_t wheels)
{
    if (track == wheels)
        return true;
    /* Russian and Finnish wheelsets run on each other's track (FACTS.md). */
    return (track == 1520 && wheels == 1524) || (track == 1524 && wheels == 1520);
}

bool route_gauge_ok(const net_class *cls, uint16_t g)
{
    if (cls->n_gauge == 0)
        return true; /* unknown gauge: usable, and counted in the result so the output can say so */
    for (unsigned i = 0; i < cls->n_gauge; i++)
        if (gauges_compatible(cls->gauge[i], g))
            return true;
    return false;
}

/* Whether an electric train finds a system it accepts on this class of track. */
static bool powered(const bogie_train *t, const net_class *c)
{
    if (t->traction != BOGIE_TRACTION_ELECTRIC)
        return true;
    if (c->electrified != NET_ELEC_YES)
        return false;
    for (unsigned i = 0; i < c->n_power; i++)
        for (size_t k = 0; k < t->n_systems; k++) {
            if (c->power[i].voltage != t->systems[k].voltage)
                continue;
            if (c->power[i].freq_chz == NET_FREQ_UNKNOWN ||
                fabs(c->power[i].freq_chz / 100.0 - t->systems[k].frequency_hz) < 0.1)
                return true;
        }
    return false;
}

/* The use label for default speeds: service if any, else usage, else "unspecified". */
static const char *use_label(const net_class *c)
{
    if (c->service)
        return tags_service_name(c->service);
    if (c->usage)
        return tags_usage_name(c->usage);
    return "unspecified";
}

double route_line_limit_kmh(const route_base *b, const bogie_train *t, const net_edge *e, bool backward,
                            bool *assumed)
{
    const net_class *c = &b->net->classes[e->cls];
    double line = backward ? c->maxspeed_bwd : c->maxspeed_fwd;
    bool is_assumed = (c->flags & NET_CLASS_SPEED_ASSUMED) != 0;
    if (!(line > 0)) {
        const char *country = net_node_country(b->net, e->from);
        line = b->world ? world_default_speed_kmh(b->world, country, use_label(c)) : 80.0;
        is_assumed = true;
    }
    double train = t->max_speed_ms * 3.6;
    if (assumed)
        *assumed = is_assumed && line < train;
    return line < train ? line : train;
}

/* ----- the per-query view ----- */

uint32_t route_edge_of(uint32_t h)
{
    return h >> 1;
}

static const route_vedge *vedge(const route_view *v, uint32_t edge)
{
    return edge >= v->n_edges && edge - v->n_edges < v->n_vedges ? &v->vedges[edge - v->n_edges] : NULL;
}

const net_edge *route_base_edge(const route_view *v, uint32_t edge)
{
    const route_vedge *ve = vedge(v, edge);
    return &v->b->net->edges[ve ? ve->base : edge];
}

void route_edge_span(const route_view *v, uint32_t edge, double *s0, double *s1)
{
    const route_vedge *ve = vedge(v, edge);
    if (ve) {
        *s0 = ve->start_m;
        *s1 = ve->end_m;
    } else {
        *s0 = 0;
        *s1 = v->b->net->edges[edge].length_m;
    }
}

static uint32_t edge_from(const route_view *v, uint32_t edge)
{
    const route_vedge *ve = vedge(v, edge);
    return ve ? ve->from : v->b->net->edges[edge].from;
}

static uint32_t edge_to(const route_view *v, uint32_t edge)
{
    const route_vedge *ve = vedge(v, edge);
    return ve ? ve->to : v->b->net->edges[edge].to;
}

uint32_t route_head(const route_view *v, uint32_t h)
{
    return h & 1 ? edge_from(v, h >> 1) : edge_to(v, h >> 1);
}

uint32_t route_tail(const route_view *v, uint32_t h)
{
    return h & 1 ? edge_to(v, h >> 1) : edge_from(v, h >> 1);
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
    *lat = (g[lo].lat + f * (g[hi].lat - g[lo].lat)) * 1e-7;
    *lon = (g[lo].lon + f * (g[hi].lon - g[lo].lon)) * 1e-7;
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

/* Bearing leaving the tail of a virtual half-edge, like departure_bearing(). */
static float virtual_bearing(const route_view *v, uint32_t h)
{
    const route_vedge *ve = vedge(v, h >> 1);
    const net_edge *e = &v->b->net->edges[ve->base];
    bool back = h & 1;
    double s = back ? ve->end_m : ve->start_m, s2 = back ? ve->end_m - 50 : ve->start_m + 50;
    if (s2 < ve->start_m)
        s2 = ve->start_m;
    if (s2 > ve->end_m)
        s2 = ve->end_m;
    double la0, lo0, la1, lo1;
    point_along(v->b->net, e, s, &la0, &lo0);
    point_along(v->b->net, e, s2, &la1, &lo1);
    return (float)geo_bearing_deg(la0, lo0, la1, lo1);
}

static float bearing_of(const route_view *v, uint32_t h)
{
    if ((h >> 1) < v->n_edges)
        return v->b->dep_bearing[h];
    return v->vbearing[h - 2 * v->n_edges];
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

/* Builds the view: for every base edge holding points, a chain of virtual edges through them. */
static bogie_status view_init(route_view *v, const route_base *b, const route_place *places, size_t n,
                              bogie_diag *diag)
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
        uint32_t e = places[i].edge;
        split sp[32];
        size_t ns = 0;
        for (size_t j = i; j < n; j++)
            if (places[j].is_point && places[j].edge == e)
                sp[ns++] = (split){places[j].offset_m, (uint32_t)j};
        util_sort(sp, ns, sizeof *sp, cmp_split);
        const net_edge *be = &b->net->edges[e];
        uint32_t prev_node = be->from;
        double prev_off = 0;
        for (size_t k = 0; k < ns; k++) {
            if (k > 0 && sp[k].offset == sp[k - 1].offset) {
                v->vnode_of_place[sp[k].place] = prev_node;
                continue;
            }
            uint32_t node = next_node++;
            if (v->n_vedges + 2 > sizeof v->vedges / sizeof v->vedges[0])
                return util_fail(diag, BOGIE_ERR_ARG, "too many places given as coordinates");
            v->vedges[v->n_vedges++] = (route_vedge){e, prev_node, node, prev_off, sp[k].offset};
            v->vnode_of_place[sp[k].place] = node;
            prev_node = node;
            prev_off = sp[k].offset;
        }
        v->vedges[v->n_vedges++] = (route_vedge){e, prev_node, be->to, prev_off, be->length_m};
    }
    for (uint32_t k = 0; k < 2 * v->n_vedges; k++)
        v->vbearing[k] = virtual_bearing(v, 2 * v->n_edges + k);
    return BOGIE_OK;
}

/* The half-edges leaving node in the view, real and virtual: fills out (capacity cap), returns how many. Real edges
 * split by virtual nodes are still listed: a route may pass a point without stopping there. */
static size_t view_out(const route_view *v, uint32_t node, uint32_t *out, size_t cap)
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

/* ----- traversal times ----- */

static double curve_limit_ms(const bogie_train *t, uint16_t r1, uint16_t r2)
{
    uint16_t r = r1 < r2 ? r1 : r2;
    if (r == NET_NO_RADIUS || r >= NET_MAX_RADIUS)
        return INFINITY;
    return sqrt(t->curve_lateral_ms2 * r);
}

/* The time to run [s0, s1] of base edge e in the given direction at the limits, without acceleration: the search's
 * cost. Segment by segment: the lowest of the train's, the line's and the curve's limits. */
static double span_time(const route_base *b, const bogie_train *t, const net_edge *e, double s0, double s1,
                        bool backward)
{
    const net_class *c = &b->net->classes[e->cls];
    double line = route_line_limit_kmh(b, t, e, backward, NULL) / 3.6;
    bool curves = !(c->flags & NET_CLASS_SCHEMATIC);
    const float *pos = b->net->geom_pos + e->geom_first;
    const uint16_t *rad = b->net->radius + e->geom_first;
    double time = 0;
    for (uint32_t k = 1; k < e->geom_count; k++) {
        double a = pos[k - 1] > s0 ? pos[k - 1] : s0, z = pos[k] < s1 ? pos[k] : s1;
        if (z <= a)
            continue;
        double v = line;
        if (curves) {
            double vc = curve_limit_ms(t, rad[k - 1], rad[k]);
            if (vc < v)
                v = vc;
        }
        time += (z - a) / v;
    }
    return time;
}

/* ----- the search ----- */

typedef struct heap_item {
    double cost;
    uint32_t state;
} heap_item;

typedef struct heap {
    const bogie_allocator *a;
    VEC(heap_item) h;
} heap;

static int heap_push(heap *q, double cost, uint32_t state)
{
    heap_item it = {cost, state};
    if (VEC_PUSH(q->a, q->h, it) != 0)
        return -1;
    size_t i = q->h.n - 1;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (q->h.v[p].cost <= q->h.v[i].cost)
            break;
        heap_item tmp = q->h.v[p];
        q->h.v[p] = q->h.v[i];
        q->h.v[i] = tmp;
        i = p;
    }
    return 0;
}

static heap_item heap_pop(heap *q)
{
    heap_item top = q->h.v[0];
    q->h.v[0] = q->h.v[--q->h.n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->h.n && q->h.v[l].cost < q->h.v[m].cost)
            m = l;
        if (r < q->h.n && q->h.v[r].cost < q->h.v[m].cost)
            m = r;
        if (m == i)
            break;
        heap_item tmp = q->h.v[m];
        q->h.v[m] = q->h.v[i];
        q->h.v[i] = tmp;
        i = m;
    }
    return top;
}

enum { PK_ORIGIN = 0, PK_EDGE, PK_REVERSAL, PK_CHANGE, PK_VIA };

typedef struct search {
    const route_query *q;
    route_view *view;
    const bogie_train *t;
    const bogie_allocator *a;
    uint16_t gauges[2 * BOGIE_MAX_TRAIN_GAUGES];
    size_t n_gauges, n_initial;
    uint32_t n_half;       /* half-edges in the view, plus one pseudo half-edge for the origin */
    uint32_t origin_h;
    uint32_t layers;
    size_t n_states;
    double *dist;
    uint32_t *parent;
    uint8_t *pkind;
    float *time_cache;     /* per real half-edge, -1 until computed */
    double *gap_run;       /* electric trains: per real edge, the length of its unpowered run; 0 when powered */
    heap pq;
    bool oom;              /* a heap push failed */
} search;

static uint32_t state_of(const search *s, uint32_t h, size_t gi, uint32_t layer)
{
    return (uint32_t)(((size_t)h * s->n_gauges + gi) * s->layers + layer);
}

static void state_parts(const search *s, uint32_t st, uint32_t *h, size_t *gi, uint32_t *layer)
{
    *layer = st % s->layers;
    size_t rest = st / s->layers;
    *gi = rest % s->n_gauges;
    *h = (uint32_t)(rest / s->n_gauges);
}

static uint32_t place_node(const search *s, size_t i)
{
    const route_place *p = &s->q->places[i];
    return p->is_point ? s->view->vnode_of_place[i] : p->node;
}

static uint32_t state_node(const search *s, uint32_t h)
{
    return h == s->origin_h ? place_node(s, 0) : route_head(s->view, h);
}

/* The time to travel half-edge h (real or virtual). */
static double travel_time(search *s, uint32_t h)
{
    uint32_t e = h >> 1;
    if (e < s->view->n_edges && s->time_cache[h] >= 0)
        return s->time_cache[h];
    double s0, s1;
    route_edge_span(s->view, e, &s0, &s1);
    const net_edge *be = route_base_edge(s->view, e);
    double t = span_time(s->q->base, s->t, be, s0, s1, h & 1);
    /* Stopping at the borders crossed on the way. */
    const bogie_network *net = s->q->base->net;
    uint32_t base = (uint32_t)(be - net->edges);
    for (uint32_t k = net->edge_cross[base]; k < net->edge_cross[base + 1]; k++) {
        const net_crossing *x = &net->crossings[k];
        if (x->pos_m >= s0 && x->pos_m <= s1 && s->q->base->world)
            t += world_border_stop_s(s->q->base->world, net->countries[x->from - 1].alpha2,
                                     net->countries[x->to - 1].alpha2);
    }
    if (e < s->view->n_edges)
        s->time_cache[h] = (float)t;
    return t;
}

/* Computes, for an electric train, each unpowered real edge's run: the total length of unpowered edges joined to it
 * through nodes where only two edges meet. */
static bogie_status compute_gaps(search *s)
{
    const bogie_network *net = s->q->base->net;
    uint32_t ne = net->n_edges;
    s->gap_run = util_calloc(s->a, ne ? ne : 1, sizeof *s->gap_run);
    uint32_t *parent = util_malloc(s->a, (ne ? ne : 1) * sizeof *parent);
    if (!s->gap_run || !parent) {
        util_free(s->a, parent, (ne ? ne : 1) * sizeof *parent);
        return BOGIE_ERR_NOMEM;
    }
    for (uint32_t e = 0; e < ne; e++)
        parent[e] = e;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        if (net->node_adj[v + 1] - net->node_adj[v] != 2)
            continue;
        uint32_t a = net->adj[net->node_adj[v]] >> 1, b = net->adj[net->node_adj[v] + 1] >> 1;
        if (powered(s->t, &net->classes[net->edges[a].cls]) || powered(s->t, &net->classes[net->edges[b].cls]))
            continue;
        while (parent[a] != a)
            a = parent[a] = parent[parent[a]];
        while (parent[b] != b)
            b = parent[b] = parent[parent[b]];
        if (a != b)
            parent[b] = a;
    }
    for (uint32_t e = 0; e < ne; e++) {
        if (powered(s->t, &net->classes[net->edges[e].cls]))
            continue;
        uint32_t r = e;
        while (parent[r] != r)
            r = parent[r];
        s->gap_run[r] += net->edges[e].length_m;
    }
    for (uint32_t e = 0; e < ne; e++) {
        if (powered(s->t, &net->classes[net->edges[e].cls]))
            continue;
        uint32_t r = e;
        while (parent[r] != r)
            r = parent[r];
        if (r != e)
            s->gap_run[e] = s->gap_run[r];
    }
    util_free(s->a, parent, (ne ? ne : 1) * sizeof *parent);
    return BOGIE_OK;
}

/* Whether the train may travel along (virtual or real) edge e with wheels of gauge g. */
static bool edge_ok(const search *s, uint32_t e, uint16_t g)
{
    const net_edge *be = route_base_edge(s->view, e);
    uint32_t base = (uint32_t)(be - s->q->base->net->edges);
    const net_class *c = &s->q->base->net->classes[be->cls];
    unsigned relax = s->q->relax;
    if (!(relax & ROUTE_RELAX_GAUGE) && !route_gauge_ok(c, g))
        return false;
    if (!(relax & ROUTE_RELAX_POWER) && s->t->traction == BOGIE_TRACTION_ELECTRIC && !powered(s->t, c) &&
        s->gap_run[base] > s->t->max_gap_m)
        return false;
    if (!(relax & ROUTE_RELAX_AVOID) && s->q->avoid_edge && s->q->avoid_edge[base])
        return false;
    return true;
}

static bool node_avoided(const search *s, uint32_t v)
{
    return !(s->q->relax & ROUTE_RELAX_AVOID) && s->q->avoid_node && v < s->view->n_nodes && s->q->avoid_node[v];
}

/* The time a gauge change from g to g2 takes at node v, or a negative number when it cannot happen there. *facility
 * gets the facility used, or BOGIE_NONE for a station where gauges meet. */
static double change_cost(const search *s, uint32_t v, uint16_t g, uint16_t g2, uint32_t *facility)
{
    const bogie_train *t = s->t;
    const route_base *b = s->q->base;
    *facility = BOGIE_NONE;
    if (t->change == BOGIE_CHANGE_NONE || v >= s->view->n_nodes || g == g2)
        return -1;
    uint32_t f = b->node_facility[v];
    if (f != BOGIE_NONE) {
        const world_facility *fa = &b->world->facilities.v[f];
        bool has_g = false, has_g2 = false;
        for (size_t i = 0; i < fa->n_gauges; i++) {
            has_g |= gauges_compatible(fa->gauges[i], g);
            has_g2 |= gauges_compatible(fa->gauges[i], g2);
        }
        if ((fa->methods & (1u << t->change)) && has_g && has_g2) {
            *facility = f;
            return fa->change_s >= 0 ? fa->change_s : t->change_s;
        }
    }
    /* An automatic gauge changer is an installation: only listed facilities have one. A bogie exchange or a
     * transshipment can be improvised at a station where the two gauges' tracks meet. */
    if (t->change == BOGIE_CHANGE_VARIABLE_GAUGE)
        return -1;
    const bogie_network *net = b->net;
    if (b->node_station[v] == BOGIE_NONE || !(net->node_flags[v] & NET_NODE_BREAK))
        return -1;
    bool has_g = false, has_g2 = false;
    for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1]; k++) {
        const net_class *c = &net->classes[net->edges[net->adj[k] >> 1].cls];
        if (c->n_gauge == 0)
            continue;
        has_g |= route_gauge_ok(c, g);
        has_g2 |= route_gauge_ok(c, g2);
    }
    return has_g && has_g2 ? t->change_s + ROUTE_IMPROVISED_CHANGE_PENALTY_S : -1;
}

static double deflection(float out_bearing, float in_reverse_bearing)
{
    /* Travelling in, the direction is the reverse half-edge's bearing turned by 180 degrees. */
    double d = fabs(fmod((double)out_bearing - ((double)in_reverse_bearing + 180.0) + 540.0, 360.0) - 180.0);
    return d;
}

static void relax_state(search *s, uint32_t st, double cost, uint32_t from, uint8_t kind)
{
    if (cost < s->dist[st]) {
        s->dist[st] = cost;
        s->parent[st] = from;
        s->pkind[st] = kind;
        if (heap_push(&s->pq, cost, st) != 0)
            s->oom = true;
    }
}

static void search_free(search *s)
{
    util_free(s->a, s->dist, s->n_states * sizeof *s->dist);
    util_free(s->a, s->parent, s->n_states * sizeof *s->parent);
    util_free(s->a, s->pkind, s->n_states);
    if (s->time_cache)
        util_free(s->a, s->time_cache, 2 * (size_t)s->view->n_edges * sizeof *s->time_cache);
    if (s->gap_run)
        util_free(s->a, s->gap_run, (s->view->n_edges ? s->view->n_edges : 1) * sizeof *s->gap_run);
    VEC_FREE(s->a, s->pq.h);
}

/* Runs the search; on success *goal is the goal state. */
static bogie_status run_search(search *s, uint32_t *goal, bogie_diag *diag)
{
    const route_query *q = s->q;
    const bogie_network *net = q->base->net;
    s->n_half = 2 * (s->view->n_edges + s->view->n_vedges) + 1;
    s->origin_h = s->n_half - 1;
    s->layers = (uint32_t)(q->n_places - 1);
    s->n_states = (size_t)s->n_half * s->n_gauges * s->layers;
    if (s->n_states >= UINT32_MAX)
        return util_fail(diag, BOGIE_ERR_LIMIT, "the search space is too large");
    s->dist = util_malloc(s->a, s->n_states * sizeof *s->dist);
    s->parent = util_malloc(s->a, s->n_states * sizeof *s->parent);
    s->pkind = util_malloc(s->a, s->n_states);
    s->time_cache = util_malloc(s->a, (2 * (size_t)s->view->n_edges + 1) * sizeof *s->time_cache);
    if (!s->dist || !s->parent || !s->pkind || !s->time_cache)
        return util_nomem(diag, "searching for a route");
    for (size_t i = 0; i < s->n_states; i++)
        s->dist[i] = INFINITY;
    for (size_t i = 0; i < 2 * (size_t)s->view->n_edges; i++)
        s->time_cache[i] = -1;
    if (s->t->traction == BOGIE_TRACTION_ELECTRIC && compute_gaps(s) != BOGIE_OK)
        return util_nomem(diag, "searching for a route");
    s->pq.a = s->a;
    for (size_t gi = 0; gi < s->n_initial; gi++)
        relax_state(s, state_of(s, s->origin_h, gi, 0), 0, UINT32_MAX, PK_ORIGIN);
    uint32_t out[256];
    unsigned pops = 0;
    while (s->pq.h.n > 0) {
        if (s->oom)
            return util_nomem(diag, "searching for a route");
        if (q->deadline > 0 && (++pops & 1023) == 0 && util_now() > q->deadline)
            return util_fail(diag, BOGIE_ERR_CANCELLED, "the search for a route took longer than its time limit");
        heap_item it = heap_pop(&s->pq);
        if (it.cost > s->dist[it.state])
            continue;
        uint32_t h, layer;
        size_t gi;
        state_parts(s, it.state, &h, &gi, &layer);
        uint32_t v = state_node(s, h);
        uint16_t g = s->gauges[gi];
        /* Reaching the next place. */
        if (v == place_node(s, layer + 1)) {
            if (layer + 2 == q->n_places) {
                *goal = it.state;
                return BOGIE_OK;
            }
            relax_state(s, state_of(s, h, gi, layer + 1), it.cost + q->via_dwell_s, it.state, PK_VIA);
        }
        /* Changing gauge here. */
        for (size_t g2 = 0; g2 < s->n_gauges; g2++) {
            uint32_t fac;
            double c = g2 == gi ? -1 : change_cost(s, v, g, s->gauges[g2], &fac);
            if (c >= 0)
                relax_state(s, state_of(s, h, g2, layer), it.cost + c, it.state, PK_CHANGE);
        }
        /* Moving on. */
        size_t n = view_out(s->view, v, out, sizeof out / sizeof out[0]);
        size_t degree = v < s->view->n_nodes ? net->node_adj[v + 1] - net->node_adj[v] : 2;
        bool crossing = v < s->view->n_nodes && (net->node_flags[v] & NET_NODE_CROSSING);
        for (size_t k = 0; k < n; k++) {
            uint32_t h2 = out[k];
            if (!edge_ok(s, h2 >> 1, g))
                continue;
            uint32_t w = route_head(s->view, h2);
            if (node_avoided(s, w) && w != place_node(s, layer + 1))
                continue;
            double c = it.cost + travel_time(s, h2);
            uint8_t kind = PK_EDGE;
            if (h != s->origin_h) {
                bool reversal = (h2 >> 1) == (h >> 1) && h2 == (h ^ 1);
                if (reversal) {
                    bool at_station = v < s->view->n_nodes && q->base->node_station[v] != BOGIE_NONE;
                    if (!at_station && !(q->relax & ROUTE_RELAX_TURNS))
                        continue;
                    c += s->t->reversal_s;
                    kind = PK_REVERSAL;
                } else if ((degree >= 3 || crossing) && !(q->relax & ROUTE_RELAX_TURNS)) {
                    double limit = crossing ? ROUTE_MAX_CROSSING_DEG : ROUTE_MAX_DEFLECTION_DEG;
                    if (deflection(bearing_of(s->view, h2), bearing_of(s->view, h ^ 1)) > limit)
                        continue;
                }
            }
            relax_state(s, state_of(s, h2, gi, layer), c, it.state, kind);
        }
    }
    return BOGIE_ERR_NOT_FOUND;
}

static bogie_status gather_gauges(search *s, bogie_diag *diag)
{
    const bogie_train *t = s->t;
    s->n_gauges = 0;
    for (size_t i = 0; i < t->n_gauges; i++)
        s->gauges[s->n_gauges++] = t->gauges[i];
    s->n_initial = s->n_gauges;
    if (t->change != BOGIE_CHANGE_NONE)
        for (size_t i = 0; i < t->n_change_to; i++) {
            bool dup = false;
            for (size_t k = 0; k < s->n_gauges; k++)
                dup |= s->gauges[k] == t->change_to[i];
            if (!dup)
                s->gauges[s->n_gauges++] = t->change_to[i];
        }
    if (s->n_gauges == 0)
        return util_fail(diag, BOGIE_ERR_ARG, "train %s has no gauges", t->name);
    if (s->q->relax & ROUTE_RELAX_GAUGE)
        s->n_initial = s->n_gauges = 1;
    return BOGIE_OK;
}

/* Walks the parents back from the goal and writes the items in travel order. */
static bogie_status reconstruct(search *s, uint32_t goal, route_result *res, bogie_diag *diag)
{
    VEC(uint32_t) chain = {0};
    for (uint32_t st = goal; st != UINT32_MAX; st = s->parent[st])
        if (VEC_PUSH(s->a, chain, st) != 0) {
            VEC_FREE(s->a, chain);
            return util_nomem(diag, "building the route");
        }
    bogie_status rc = BOGIE_OK;
    for (size_t i = chain.n; i-- > 0 && rc == BOGIE_OK;) {
        uint32_t st = chain.v[i], h, layer;
        size_t gi;
        state_parts(s, st, &h, &gi, &layer);
        route_item it;
        memset(&it, 0, sizeof it);
        it.facility = BOGIE_NONE;
        it.from_gauge = it.to_gauge = s->gauges[gi];
        it.cost_s = s->dist[st] - (i + 1 < chain.n ? s->dist[chain.v[i + 1]] : 0);
        switch (s->pkind[st]) {
        case PK_ORIGIN:
            res->start_gauge = s->gauges[gi];
            continue;
        case PK_REVERSAL: {
            route_item rv = it;
            rv.kind = RITEM_REVERSAL;
            rv.node = route_tail(s->view, h);
            rv.cost_s = s->t->reversal_s;
            it.cost_s -= rv.cost_s;
            if (VEC_PUSH(s->a, res->items, rv) != 0)
                rc = util_nomem(diag, "building the route");
        }
            /* fall through */
        case PK_EDGE:
            it.kind = RITEM_EDGE;
            it.h = h;
            break;
        case PK_CHANGE: {
            uint32_t ph, pl;
            size_t pg;
            state_parts(s, chain.v[i + 1], &ph, &pg, &pl);
            it.kind = RITEM_CHANGE;
            it.node = state_node(s, h);
            it.from_gauge = s->gauges[pg];
            change_cost(s, it.node, it.from_gauge, it.to_gauge, &it.facility);
            break;
        }
        case PK_VIA:
            it.kind = RITEM_VIA;
            it.node = state_node(s, h);
            it.via = layer;
            break;
        }
        if (rc == BOGIE_OK && VEC_PUSH(s->a, res->items, it) != 0)
            rc = util_nomem(diag, "building the route");
    }
    res->cost_s = s->dist[goal];
    uint32_t h, layer;
    size_t gi;
    state_parts(s, goal, &h, &gi, &layer);
    res->end_gauge = s->gauges[gi];
    VEC_FREE(s->a, chain);
    return rc;
}

/* Runs one search for q into res (which must be zeroed); NOT_FOUND quietly when there is no route. */
static bogie_status search_once(const route_query *q, route_result *res, bogie_diag *diag)
{
    search s;
    memset(&s, 0, sizeof s);
    s.q = q;
    s.t = q->train;
    s.a = q->base->alloc;
    s.view = &res->view;
    bogie_status rc = view_init(&res->view, q->base, q->places, q->n_places, diag);
    if (rc == BOGIE_OK)
        rc = gather_gauges(&s, diag);
    uint32_t goal = 0;
    if (rc == BOGIE_OK)
        rc = run_search(&s, &goal, diag);
    if (rc == BOGIE_OK)
        rc = reconstruct(&s, goal, res, diag);
    search_free(&s);
    return rc;
}

void route_result_free(const bogie_allocator *alloc, route_result *res)
{
    VEC_FREE(alloc, res->items);
}

/* ----- explaining a failure ----- */

static const char *station_label(const route_base *b, uint32_t s, char *buf, size_t size)
{
    const net_station *st = &b->net->stations[s];
    const char *name = net_str(b->net, st->name), *en = NULL;
    for (uint32_t k = 0; k < st->names_count; k++)
        if (strcmp(net_str(b->net, b->net->names[st->names_first + k].key), "name:en") == 0)
            en = net_str(b->net, b->net->names[st->names_first + k].value);
    snprintf(buf, size, "%s", en && *en ? en : name);
    return buf;
}

/* Names a node for a message: its station, or the junction's distance from the nearest station. */
static const char *node_label(const route_base *b, uint32_t v, char *buf, size_t size)
{
    if (v >= b->net->n_nodes) {
        snprintf(buf, size, "the given point");
        return buf;
    }
    if (b->node_station[v] != BOGIE_NONE)
        return station_label(b, b->node_station[v], buf, size);
    double lat = b->net->nodes[v].lat * 1e-7, lon = b->net->nodes[v].lon * 1e-7, best = INFINITY;
    uint32_t near = BOGIE_NONE;
    for (uint32_t s = 0; s < b->net->n_stations; s++) {
        double d = geo_distance_m(lat, lon, b->net->stations[s].lat * 1e-7, b->net->stations[s].lon * 1e-7);
        if (d < best) {
            best = d;
            near = s;
        }
    }
    char st[128];
    if (near != BOGIE_NONE)
        snprintf(buf, size, "the junction %.1f km from %s (%.5f,%.5f)", best / 1000,
                 station_label(b, near, st, sizeof st), lat, lon);
    else
        snprintf(buf, size, "the junction at %.5f,%.5f", lat, lon);
    return buf;
}

static void gauge_list_label(const uint16_t *g, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%u", i ? (i + 1 == n ? " or " : ", ") : "", g[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Appends to sb the electrification on the route's stretches that the train cannot use. */
static void power_story(const route_query *q, const route_result *r, strbuf *sb)
{
    const route_base *b = q->base;
    const bogie_train *t = q->train;
    char labels[6][64];
    double km[6] = {0};
    size_t nl = 0;
    double total = 0;
    uint32_t first = BOGIE_NONE;
    for (size_t i = 0; i < r->items.n; i++) {
        const route_item *it = &r->items.v[i];
        if (it->kind != RITEM_EDGE)
            continue;
        const net_edge *e = route_base_edge(&r->view, it->h >> 1);
        const net_class *c = &b->net->classes[e->cls];
        if (powered(t, c))
            continue;
        double s0, s1;
        route_edge_span(&r->view, it->h >> 1, &s0, &s1);
        total += s1 - s0;
        if (first == BOGIE_NONE)
            first = route_tail(&r->view, it->h);
        char l[64];
        tags_power_label(c, l, sizeof l);
        size_t k = 0;
        while (k < nl && strcmp(labels[k], l) != 0)
            k++;
        if (k == nl && nl < 6)
            snprintf(labels[nl++], sizeof labels[0], "%s", l);
        if (k < 6)
            km[k] += (s1 - s0) / 1000;
    }
    sb_puts(sb, "it is electric (");
    for (size_t k = 0; k < t->n_systems; k++) {
        if (t->systems[k].frequency_hz == 0)
            sb_printf(sb, "%s%u V DC", k ? ", " : "", t->systems[k].voltage);
        else
            sb_printf(sb, "%s%u V %g Hz", k ? ", " : "", t->systems[k].voltage, t->systems[k].frequency_hz);
    }
    sb_printf(sb, ") and can coast at most %.0f m, but the way runs %.0f km without such wires (", t->max_gap_m,
              total / 1000);
    for (size_t k = 0; k < nl; k++)
        sb_printf(sb, "%s%.0f km %s", k ? ", " : "", km[k], labels[k]);
    char at[160];
    sb_printf(sb, "), from %s on", node_label(b, first, at, sizeof at));
}

/* The methods a node offers for changing gauge (1 << bogie_change_method), from its facility, or bogie exchange
 * and transshipment at a station where gauges meet; 0 when it is no change point. */
static unsigned change_methods(const route_base *b, uint32_t v)
{
    if (v >= b->net->n_nodes)
        return 0;
    if (b->node_facility[v] != BOGIE_NONE)
        return b->world->facilities.v[b->node_facility[v]].methods;
    if (b->node_station[v] != BOGIE_NONE && (b->net->node_flags[v] & NET_NODE_BREAK))
        return 1u << BOGIE_CHANGE_BOGIE_EXCHANGE | 1u << BOGIE_CHANGE_TRANSSHIPMENT;
    return 0;
}

static void methods_label(unsigned m, char *buf, size_t size)
{
    static const char *const text[] = {"", "bogie exchange", "variable gauge", "transshipment"};
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 1; k <= 3; k++)
        if (m & (1u << k)) {
            int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", text[k]);
            used += w > 0 && (size_t)w < size - used ? (size_t)w : 0;
        }
}

/* The distance along any track from node from to the nearest node offering method, by Dijkstra over lengths. */
static uint32_t nearest_by_track(const route_base *b, uint32_t from, bogie_change_method method, double *dist_m)
{
    const bogie_network *net = b->net;
    if (from >= net->n_nodes)
        return BOGIE_NONE;
    double *d = util_malloc(b->alloc, net->n_nodes * sizeof *d);
    heap q = {b->alloc, {0}};
    uint32_t found = BOGIE_NONE;
    if (!d)
        return BOGIE_NONE;
    for (uint32_t v = 0; v < net->n_nodes; v++)
        d[v] = INFINITY;
    d[from] = 0;
    if (heap_push(&q, 0, from) == 0) {
        while (q.h.n > 0) {
            heap_item it = heap_pop(&q);
            if (it.cost > d[it.state])
                continue;
            if (change_methods(b, it.state) & (1u << method)) {
                found = it.state;
                *dist_m = it.cost;
                break;
            }
            for (uint32_t k = net->node_adj[it.state]; k < net->node_adj[it.state + 1]; k++) {
                const net_edge *e = &net->edges[net->adj[k] >> 1];
                uint32_t w = net->adj[k] & 1 ? e->from : e->to;
                double c = it.cost + e->length_m;
                if (c < d[w]) {
                    d[w] = c;
                    if (heap_push(&q, c, w) != 0)
                        break;
                }
            }
        }
    }
    VEC_FREE(b->alloc, q.h);
    util_free(b->alloc, d, net->n_nodes * sizeof *d);
    return found;
}

/* Appends to sb where the train's gauge ends on the route and where it could, or could not, change. */
static void gauge_story(const route_query *q, const route_result *r, strbuf *sb)
{
    const route_base *b = q->base;
    const bogie_train *t = q->train;
    char gl[64], name[160];
    gauge_list_label(t->gauges, t->n_gauges, gl, sizeof gl);
    /* Where the train's gauge ends on the way, and the change points passed. */
    uint32_t endn = BOGIE_NONE;
    uint32_t points[4];
    size_t np = 0;
    bool offered = false;
    for (size_t i = 0; i < r->items.n; i++) {
        const route_item *it = &r->items.v[i];
        if (it->kind != RITEM_EDGE)
            continue;
        const net_class *c = &b->net->classes[route_base_edge(&r->view, it->h >> 1)->cls];
        bool ok = false;
        for (size_t g = 0; g < t->n_gauges; g++)
            ok |= route_gauge_ok(c, t->gauges[g]);
        uint32_t tail = route_tail(&r->view, it->h);
        if (!ok && endn == BOGIE_NONE)
            endn = tail;
        unsigned m = change_methods(b, tail);
        if (m && np < 4) {
            bool dup = false;
            for (size_t k = 0; k < np; k++)
                dup |= points[k] == tail;
            if (!dup)
                points[np++] = tail;
        }
        if (m & (1u << t->change))
            offered = true;
    }
    const char *method = bogie_change_method_name(t->change);
    if (t->change == BOGIE_CHANGE_NONE)
        sb_printf(sb, "the train cannot leave %s mm track and cannot change gauge (its profile says none)", gl);
    else if (np && !offered)
        sb_printf(sb, "the train cannot leave %s mm track and changes gauge only by %s, which no point on the way offers",
                  gl, method);
    else
        sb_printf(sb, "the train cannot leave %s mm track, and no gauge change point for %s is reachable", gl, method);
    if (endn != BOGIE_NONE)
        sb_printf(sb, "; %s mm track ends at %s", gl, node_label(b, endn, name, sizeof name));
    if (np) {
        sb_puts(sb, t->change == BOGIE_CHANGE_NONE || !offered ? "; gauge change points on the way: " : "; on the way: ");
        for (size_t k = 0; k < np; k++) {
            char ml[80];
            methods_label(change_methods(b, points[k]), ml, sizeof ml);
            sb_printf(sb, "%s%s (%s)", k ? ", " : "", node_label(b, points[k], name, sizeof name), ml);
        }
    }
    if (t->change != BOGIE_CHANGE_NONE && (!np || !offered)) {
        double km = 0;
        uint32_t near = nearest_by_track(b, endn, t->change, &km);
        if (near != BOGIE_NONE)
            sb_printf(sb, "; the nearest point offering %s is %s, %.0f km beyond the end of %s mm track", method,
                      node_label(b, near, name, sizeof name), km / 1000, gl);
        else
            sb_printf(sb, "; no point in this network offers %s", method);
    }
}

/* Finds which constraints block the journey on their own (searching with only that one enforced), and explains
 * each along the route that exists when nothing is enforced. */
static bogie_status explain(const route_query *q, bogie_diag *diag)
{
    const route_base *b = q->base;
    const bogie_train *t = q->train;
    const unsigned all = ROUTE_RELAX_GAUGE | ROUTE_RELAX_POWER | ROUTE_RELAX_AVOID | ROUTE_RELAX_TURNS;
    route_query rq = *q;
    route_result free_route;
    bogie_diag scratch;
    rq.relax = all;
    memset(&free_route, 0, sizeof free_route);
    bogie_status rc = search_once(&rq, &free_route, &scratch);
    if (rc == BOGIE_ERR_NOMEM)
        return util_nomem(diag, "explaining the failure");
    if (rc != BOGIE_OK) {
        route_result_free(b->alloc, &free_route);
        return util_fail(diag, BOGIE_ERR_NOT_FOUND, "no route from %s to %s: no track of this network connects them",
                         q->places[0].label, q->places[q->n_places - 1].label);
    }
    struct {
        unsigned flag;
        bool applies;
    } checks[] = {{ROUTE_RELAX_GAUGE, true},
                  {ROUTE_RELAX_POWER, t->traction == BOGIE_TRACTION_ELECTRIC},
                  {ROUTE_RELAX_AVOID, q->avoid_node || q->avoid_edge},
                  {ROUTE_RELAX_TURNS, true}};
    strbuf sb;
    sb_init(&sb, b->alloc);
    sb_printf(&sb, "no route from %s to %s for %s: ", q->places[0].label, q->places[q->n_places - 1].label, t->name);
    size_t blockers = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (!checks[i].applies)
            continue;
        route_result r;
        memset(&r, 0, sizeof r);
        rq.relax = all & ~checks[i].flag;
        bogie_status rs = search_once(&rq, &r, &scratch);
        route_result_free(b->alloc, &r);
        if (rs == BOGIE_OK)
            continue;
        if (blockers)
            sb_puts(&sb, "; and ");
        switch (checks[i].flag) {
        case ROUTE_RELAX_GAUGE: gauge_story(q, &free_route, &sb); break;
        case ROUTE_RELAX_POWER: power_story(q, &free_route, &sb); break;
        case ROUTE_RELAX_AVOID: sb_puts(&sb, "every route passes a place --avoid names"); break;
        default:
            sb_printf(&sb,
                      "every connection needs a turn sharper than %.0f degrees at a junction, or a reversal away "
                      "from a station",
                      ROUTE_MAX_DEFLECTION_DEG);
        }
        blockers++;
    }
    if (!blockers)
        sb_puts(&sb, "no single constraint explains it, but together gauge, wires, avoided places and turns leave no "
                     "way through");
    route_result_free(b->alloc, &free_route);
    rc = sb.failed ? util_nomem(diag, "explaining the failure") : util_fail(diag, BOGIE_ERR_NOT_FOUND, "%s", sb.s);
    sb_free(&sb);
    return rc;
}

bogie_status route_find(const route_query *q, route_result *res, bogie_diag *diag)
{
    memset(res, 0, sizeof *res);
    if (q->n_places < 2)
        return util_fail(diag, BOGIE_ERR_ARG, "a journey needs an origin and a destination");
    bogie_status rc = search_once(q, res, diag);
    if (rc != BOGIE_OK) {
        route_result_free(q->base->alloc, res);
        memset(res, 0, sizeof *res);
    }
    if (rc == BOGIE_ERR_NOT_FOUND && q->explain_failure)
        return explain(q, diag);
    if (rc == BOGIE_ERR_NOT_FOUND)
        return util_fail(diag, rc, "no route");
    if (rc != BOGIE_OK)
        return rc;
    /* Track of unknown gauge and unpowered stretches used, for the output's warnings. */
    for (size_t i = 0; i < res->items.n; i++) {
        const route_item *it = &res->items.v[i];
        if (it->kind != RITEM_EDGE)
            continue;
        const net_edge *e = route_base_edge(&res->view, it->h >> 1);
        const net_class *c = &q->base->net->classes[e->cls];
        double s0, s1;
        route_edge_span(&res->view, it->h >> 1, &s0, &s1);
        if (c->n_gauge == 0)
            res->unknown_gauge_m += s1 - s0;
        if (!powered(q->train, c))
            res->unpowered_m += s1 - s0;
    }
    return BOGIE_OK;
}

/* ----- snapping coordinates to track ----- */

/* Fills place p for a point at segment seg, fraction f, of edge e, d metres from the query. */
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
    out->lat = (g[seg].lat + f * (g[seg + 1].lat - g[seg].lat)) * 1e-7;
    out->lon = (g[seg].lon + f * (g[seg + 1].lon - g[seg].lon)) * 1e-7;
    out->snap_m = d;
    snprintf(out->label, sizeof out->label, "%.5f,%.5f", qlat, qlon);
}

bogie_status route_snap_n(const route_base *b, const bogie_train *train, double lat, double lon, double max_m,
                          route_place *out, size_t max, size_t *n_out, bogie_diag *diag)
{
    const bogie_network *net = b->net;
    double kx = GEO_EARTH_RADIUS_M * DEG2RAD * cos(lat * DEG2RAD), ky = GEO_EARTH_RADIUS_M * DEG2RAD;
    size_t n = 0;
    *n_out = 0;
    if (max == 0)
        return BOGIE_OK;
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const net_edge *ed = &net->edges[e];
        const net_class *c = &net->classes[ed->cls];
        bool usable = false;
        for (size_t g = 0; g < train->n_gauges; g++)
            usable |= route_gauge_ok(c, train->gauges[g]);
        for (size_t g = 0; train->change != BOGIE_CHANGE_NONE && g < train->n_change_to; g++)
            usable |= route_gauge_ok(c, train->change_to[g]);
        if (!usable)
            continue;
        const net_point *g = net->geom + ed->geom_first;
        double best = max_m;
        uint32_t best_seg = UINT32_MAX;
        double best_f = 0;
        for (uint32_t k = 1; k < ed->geom_count; k++) {
            double ax = (g[k - 1].lon * 1e-7 - lon) * kx, ay = (g[k - 1].lat * 1e-7 - lat) * ky;
            double bx = (g[k].lon * 1e-7 - lon) * kx, by = (g[k].lat * 1e-7 - lat) * ky;
            double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
            double f = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
            f = f < 0 ? 0 : f > 1 ? 1 : f;
            double px = ax + f * dx, py = ay + f * dy, d = sqrt(px * px + py * py);
            if (d < best) {
                best = d;
                best_seg = k - 1;
                best_f = f;
            }
        }
        if (best_seg == UINT32_MAX)
            continue;
        /* Insert into the sorted list of the max nearest. */
        size_t at = n < max ? n : max;
        while (at > 0 && out[at - 1].snap_m > best)
            at--;
        if (at >= max)
            continue;
        if (n < max)
            n++;
        memmove(&out[at + 1], &out[at], (n - 1 - at) * sizeof *out);
        point_place(b, e, best_seg, best_f, best, lat, lon, &out[at]);
    }
    if (n == 0)
        return util_fail(diag, BOGIE_ERR_NOT_FOUND,
                         "%.6f,%.6f: no track %s can use within %.0f m (the point is off the network)", lat, lon,
                         train->name, max_m);
    *n_out = n;
    return BOGIE_OK;
}

bogie_status route_snap(const route_base *b, const bogie_train *train, double lat, double lon, double max_m,
                        route_place *out, bogie_diag *diag)
{
    size_t n;
    return route_snap_n(b, train, lat, lon, max_m, out, 1, &n, diag);
}
