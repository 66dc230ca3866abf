/* route.c: the fastest route for a train over (half-edge, wheel gauge, leg) states, with gauge changes only at
 * stations where gauges meet or at listed facilities, reversals only at stations, no sharp turns at junctions,
 * electric trains kept under wires they accept, and an explanation when no route exists. */
#include "route/route.h"

#include "route/ch.h"
#include "base/geo.h"
#include "net/landmarks.h"
#include "net/tags.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)

static bogie_status cache_new(route_cost_cache **out, const bogie_allocator *alloc);
static void cache_free(const route_base *b, route_cost_cache *cc);

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

static bool is_segment(void *ud, size_t i)
{
    return ((const route_base *)ud)->geom_edge[i] != BOGIE_NONE;
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
    if (!b->node_station || !b->node_facility || !b->dep_bearing || cache_new(&b->costs, alloc) != BOGIE_OK) {
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
    /* The edge of every geometry point (an edge's last point belongs to no segment), and the segments' grid. */
    size_t ng = net->n_geom ? net->n_geom : 1;
    b->geom_edge = util_malloc(alloc, ng * sizeof *b->geom_edge);
    if (!b->geom_edge) {
        route_base_free(b);
        return util_nomem(diag, "preparing the route planner");
    }
    for (size_t i = 0; i < net->n_geom; i++)
        b->geom_edge[i] = BOGIE_NONE;
    for (uint32_t e = 0; e < net->n_edges; e++)
        for (uint32_t k = 0; k + 1 < net->edges[e].geom_count; k++)
            b->geom_edge[net->edges[e].geom_first + k] = e;
    if (geo_grid_build_segments((const int32_t *)net->geom, net->n_geom, is_segment, b, alloc, &b->seg_grid) !=
        BOGIE_OK) {
        route_base_free(b);
        return util_nomem(diag, "indexing the track");
    }
    /* Stations by where they are and where their node is: entry 2s is station s, 2s + 1 its node. */
    size_t ns = net->n_stations ? net->n_stations : 1;
    b->station_ll = util_malloc(alloc, 4 * ns * sizeof *b->station_ll);
    if (!b->station_ll) {
        route_base_free(b);
        return util_nomem(diag, "indexing the stations");
    }
    for (uint32_t s = 0; s < net->n_stations; s++) {
        const net_station *st = &net->stations[s];
        const net_node *nd = st->node != BOGIE_NONE ? &net->nodes[st->node] : NULL;
        b->station_ll[4 * s] = st->lat;
        b->station_ll[4 * s + 1] = st->lon;
        b->station_ll[4 * s + 2] = nd ? nd->lat : st->lat;
        b->station_ll[4 * s + 3] = nd ? nd->lon : st->lon;
    }
    if (geo_grid_build(b->station_ll, 2 * (size_t)net->n_stations, alloc, &b->station_grid) != BOGIE_OK) {
        route_base_free(b);
        return util_nomem(diag, "indexing the stations");
    }
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
    cache_free(b, b->costs);
    if (b->geom_edge)
        util_free(b->alloc, b->geom_edge, (b->net->n_geom ? b->net->n_geom : 1) * sizeof *b->geom_edge);
    geo_grid_free(b->seg_grid);
    geo_grid_free(b->station_grid);
    if (b->station_ll)
        util_free(b->alloc, b->station_ll, 4 * (b->net->n_stations ? b->net->n_stations : 1) * sizeof *b->station_ll);
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

bool route_train_can_use(const bogie_train *t, const net_class *cls)
{
    bool gauge = false;
    for (size_t g = 0; g < t->n_gauges; g++)
        gauge |= route_gauge_ok(cls, t->gauges[g]);
    for (size_t g = 0; t->change != BOGIE_CHANGE_NONE && g < t->n_change_to; g++)
        gauge |= route_gauge_ok(cls, t->change_to[g]);
    return gauge && powered(t, cls);
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

/* ----- per-train costs ----- */

/* What a train's costs depend on: its gauges, change method, wires and speeds. Built field by field on a zeroed
 * struct, so that two keys compare with memcmp. */
typedef struct cost_key {
    uint16_t gauges[BOGIE_MAX_TRAIN_GAUGES];
    uint16_t change_to[BOGIE_MAX_TRAIN_GAUGES];
    uint32_t n_gauges, n_change_to;
    int32_t change, traction;
    uint32_t n_systems, voltage[BOGIE_MAX_TRAIN_SYSTEMS];
    double frequency_hz[BOGIE_MAX_TRAIN_SYSTEMS];
    double max_gap_m, max_speed_ms, curve_lateral_ms2;
} cost_key;

/* A train's view of the whole network, computed once and shared by its queries (the "customization" of the graph
 * for one profile): the time to run every half-edge at the limits, which gauges may use every edge, and the top
 * speed that scales the landmarks' distances into times. Immutable once built. */
typedef struct route_costs {
    cost_key key;
    unsigned refs;          /* queries using it; guarded by the cache's lock */
    bool private_copy;      /* built because every slot was busy: freed when released */
    uint64_t used;          /* the cache's clock at the last use */
    uint16_t gauges[2 * BOGIE_MAX_TRAIN_GAUGES]; /* the search's gauge list: the train's, then those it changes to */
    size_t n_gauges, n_initial;
    float *time;            /* per real half-edge: seconds at the limits, with the border stops on it */
    uint8_t *usable;        /* per real edge: bit gi set when wheels of gauges[gi] may run on it */
    double *gap_run;        /* electric trains: per edge, the length of its unpowered run; 0 when powered */
    double v_cap_ms;        /* the fastest the train runs on any edge */
    pthread_mutex_t ch_lock; /* guards building hier */
    ch *_Atomic hier;       /* the contraction hierarchy of the train's state graph, once built */
} route_costs;

#define COST_SLOTS 8

/* Routes of equal cost are told apart, the same way by every search method, by a slight preference for changing
 * gauge early: a train that can change pays this much more per metre run on the gauge it started with. It moves a
 * 10,000 km route's cost by a second at most, and settles, for instance, which of two facilities either side of a
 * border changes the wheels. */
#define EARLY_CHANGE_BIAS_S_PER_M 1e-7

/* The bias on a half-edge run for len metres with gauge index gi. */
static double change_bias(const route_costs *c, size_t gi, double len)
{
    return c->n_gauges > c->n_initial && gi < c->n_initial ? EARLY_CHANGE_BIAS_S_PER_M * len : 0;
}

/* Other ties (parallel tracks of equal length, say) are broken by a fixed jitter of under 0.1 ms per half-edge,
 * far above the rounding of the sums and far below anything a timetable shows. */
static double tie_jitter(uint32_t h)
{
    return 1e-4 * (double)((h * 2654435761u) >> 8) / (double)(1u << 24);
}

struct route_cost_cache {
    pthread_mutex_t lock;
    route_costs *slot[COST_SLOTS];
    uint64_t clock;
};

static void cost_key_of(const bogie_train *t, cost_key *k)
{
    memset(k, 0, sizeof *k);
    for (size_t i = 0; i < t->n_gauges && i < BOGIE_MAX_TRAIN_GAUGES; i++)
        k->gauges[i] = t->gauges[i];
    for (size_t i = 0; i < t->n_change_to && i < BOGIE_MAX_TRAIN_GAUGES; i++)
        k->change_to[i] = t->change_to[i];
    k->n_gauges = (uint32_t)t->n_gauges;
    k->n_change_to = (uint32_t)t->n_change_to;
    k->change = (int32_t)t->change;
    k->traction = (int32_t)t->traction;
    k->n_systems = (uint32_t)t->n_systems;
    for (size_t i = 0; i < t->n_systems && i < BOGIE_MAX_TRAIN_SYSTEMS; i++) {
        k->voltage[i] = t->systems[i].voltage;
        k->frequency_hz[i] = t->systems[i].frequency_hz;
    }
    k->max_gap_m = t->max_gap_m;
    k->max_speed_ms = t->max_speed_ms;
    k->curve_lateral_ms2 = t->curve_lateral_ms2;
}

static void costs_free(const route_base *b, route_costs *c)
{
    if (!c)
        return;
    ch_free(atomic_load(&c->hier));
    pthread_mutex_destroy(&c->ch_lock);
    size_t ne = b->net->n_edges ? b->net->n_edges : 1;
    util_free(b->alloc, c->time, 2 * ne * sizeof *c->time);
    util_free(b->alloc, c->usable, ne);
    if (c->gap_run)
        util_free(b->alloc, c->gap_run, ne * sizeof *c->gap_run);
    util_free(b->alloc, c, sizeof *c);
}

/* The root of x's set in a union-find forest, halving the path on the way. */
static uint32_t find_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

/* For an electric train, each unpowered edge's run: the total length of unpowered edges joined to it through nodes
 * where only two edges meet. Fills gap (n_edges entries, zeroed by the caller). */
static bogie_status compute_gaps(const route_base *b, const bogie_train *t, double *gap)
{
    const bogie_network *net = b->net;
    uint32_t ne = net->n_edges;
    uint32_t *parent = util_malloc(b->alloc, (ne ? ne : 1) * sizeof *parent);
    if (!parent)
        return BOGIE_ERR_NOMEM;
    for (uint32_t e = 0; e < ne; e++)
        parent[e] = e;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        if (net->node_adj[v + 1] - net->node_adj[v] != 2)
            continue;
        uint32_t a = net->adj[net->node_adj[v]] >> 1, c = net->adj[net->node_adj[v] + 1] >> 1;
        if (powered(t, &net->classes[net->edges[a].cls]) || powered(t, &net->classes[net->edges[c].cls]))
            continue;
        a = find_root(parent, a);
        c = find_root(parent, c);
        if (a != c)
            parent[c] = a;
    }
    /* Each run's length goes to its root, then back to every edge of the run. */
    for (int round = 0; round < 2; round++)
        for (uint32_t e = 0; e < ne; e++) {
            if (powered(t, &net->classes[net->edges[e].cls]))
                continue;
            uint32_t r = find_root(parent, e);
            if (round == 0)
                gap[r] += net->edges[e].length_m;
            else if (r != e)
                gap[e] = gap[r];
        }
    util_free(b->alloc, parent, (ne ? ne : 1) * sizeof *parent);
    return BOGIE_OK;
}

/* The border stops on [s0, s1] of base edge e. */
static double border_stops(const route_base *b, uint32_t e, double s0, double s1)
{
    const bogie_network *net = b->net;
    double t = 0;
    for (uint32_t k = net->edge_cross[e]; k < net->edge_cross[e + 1] && b->world; k++) {
        const net_crossing *x = &net->crossings[k];
        if (x->pos_m >= s0 && x->pos_m <= s1)
            t += world_border_stop_s(b->world, net->countries[x->from - 1].alpha2, net->countries[x->to - 1].alpha2);
    }
    return t;
}

/* Builds train t's costs over the whole network; NULL when out of memory. */
static route_costs *costs_build(const route_base *b, const bogie_train *t)
{
    const bogie_network *net = b->net;
    size_t ne = net->n_edges ? net->n_edges : 1;
    route_costs *c = util_calloc(b->alloc, 1, sizeof *c);
    if (!c)
        return NULL;
    cost_key_of(t, &c->key);
    if (pthread_mutex_init(&c->ch_lock, NULL) != 0) {
        util_free(b->alloc, c, sizeof *c);
        return NULL;
    }
    c->time = util_malloc(b->alloc, 2 * ne * sizeof *c->time);
    c->usable = util_calloc(b->alloc, ne, 1);
    if (t->traction == BOGIE_TRACTION_ELECTRIC)
        c->gap_run = util_calloc(b->alloc, ne, sizeof *c->gap_run);
    if (!c->time || !c->usable || (t->traction == BOGIE_TRACTION_ELECTRIC && !c->gap_run) ||
        (c->gap_run && compute_gaps(b, t, c->gap_run) != BOGIE_OK)) {
        costs_free(b, c);
        return NULL;
    }
    for (size_t i = 0; i < t->n_gauges; i++)
        c->gauges[c->n_gauges++] = t->gauges[i];
    c->n_initial = c->n_gauges;
    if (t->change != BOGIE_CHANGE_NONE)
        for (size_t i = 0; i < t->n_change_to; i++) {
            bool dup = false;
            for (size_t k = 0; k < c->n_gauges; k++)
                dup |= c->gauges[k] == t->change_to[i];
            if (!dup)
                c->gauges[c->n_gauges++] = t->change_to[i];
        }
    double v_cap = 0;
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const net_edge *ed = &net->edges[e];
        const net_class *cl = &net->classes[ed->cls];
        double border = border_stops(b, e, 0, ed->length_m);
        for (int dir = 0; dir < 2; dir++) {
            c->time[2 * (size_t)e + dir] = (float)(span_time(b, t, ed, 0, ed->length_m, dir) + border);
            double v = route_line_limit_kmh(b, t, ed, dir, NULL) / 3.6;
            if (v > v_cap)
                v_cap = v;
        }
        bool wired = t->traction != BOGIE_TRACTION_ELECTRIC || powered(t, cl) || c->gap_run[e] <= t->max_gap_m;
        for (size_t gi = 0; gi < c->n_gauges && wired; gi++)
            if (route_gauge_ok(cl, c->gauges[gi]))
                c->usable[e] |= (uint8_t)(1u << gi);
    }
    c->v_cap_ms = v_cap > 0 ? v_cap : t->max_speed_ms;
    return c;
}

static bogie_status cache_new(route_cost_cache **out, const bogie_allocator *alloc)
{
    route_cost_cache *cc = util_calloc(alloc, 1, sizeof *cc);
    if (!cc)
        return BOGIE_ERR_NOMEM;
    if (pthread_mutex_init(&cc->lock, NULL) != 0) {
        util_free(alloc, cc, sizeof *cc);
        return BOGIE_ERR_NOMEM;
    }
    *out = cc;
    return BOGIE_OK;
}

static void cache_free(const route_base *b, route_cost_cache *cc)
{
    if (!cc)
        return;
    for (size_t i = 0; i < COST_SLOTS; i++)
        costs_free(b, cc->slot[i]);
    pthread_mutex_destroy(&cc->lock);
    util_free(b->alloc, cc, sizeof *cc);
}

/* The costs of train t, from the cache or built now (under the cache's lock: other queries wait the few tens of
 * milliseconds a continental network takes). Release them with costs_release. NULL when out of memory. */
static route_costs *costs_acquire(const route_base *b, const bogie_train *t)
{
    route_cost_cache *cc = b->costs;
    cost_key key;
    cost_key_of(t, &key);
    pthread_mutex_lock(&cc->lock);
    route_costs *c = NULL;
    size_t victim = COST_SLOTS;
    for (size_t i = 0; i < COST_SLOTS && !c; i++) {
        route_costs *x = cc->slot[i];
        if (x && memcmp(&x->key, &key, sizeof key) == 0)
            c = x;
        else if (!x || x->refs == 0) {
            if (victim == COST_SLOTS || (cc->slot[victim] && (!x || x->used < cc->slot[victim]->used)))
                victim = i;
        }
    }
    if (!c && victim < COST_SLOTS) {
        c = costs_build(b, t);
        if (c) {
            costs_free(b, cc->slot[victim]);
            cc->slot[victim] = c;
        }
    } else if (!c) {
        c = costs_build(b, t); /* every slot is in use: a private copy */
        if (c)
            c->private_copy = true;
    }
    if (c) {
        c->refs++;
        c->used = ++cc->clock;
    }
    pthread_mutex_unlock(&cc->lock);
    return c;
}

static void costs_release(const route_base *b, route_costs *c)
{
    if (!c)
        return;
    if (c->private_copy) {
        costs_free(b, c);
        return;
    }
    route_cost_cache *cc = b->costs;
    pthread_mutex_lock(&cc->lock);
    c->refs--;
    pthread_mutex_unlock(&cc->lock);
}

/* ----- the search ----- */

typedef struct heap_item {
    double key;   /* cost so far plus the lower bound to the goal */
    double cost;  /* cost so far */
    uint32_t state;
} heap_item;

typedef struct heap {
    const bogie_allocator *a;
    VEC(heap_item) h;
} heap;

static int heap_push(heap *q, double key, double cost, uint32_t state)
{
    heap_item it = {key, cost, state};
    if (VEC_PUSH(q->a, q->h, it) != 0)
        return -1;
    size_t i = q->h.n - 1;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (q->h.v[p].key <= it.key)
            break;
        q->h.v[i] = q->h.v[p];
        i = p;
    }
    q->h.v[i] = it;
    return 0;
}

static heap_item heap_pop(heap *q)
{
    heap_item top = q->h.v[0], last = q->h.v[--q->h.n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->h.n)
            break;
        if (c + 1 < q->h.n && q->h.v[c + 1].key < q->h.v[c].key)
            c++;
        if (q->h.v[c].key >= last.key)
            break;
        q->h.v[i] = q->h.v[c];
        i = c;
    }
    if (q->h.n > 0)
        q->h.v[i] = last;
    return top;
}

/* The states a search has reached, in an open-addressing hash table: a query touches a small part of a large
 * network, so nothing is sized by the network. */
typedef struct sslot {
    uint32_t state;   /* UINT32_MAX: empty */
    uint32_t parent;
    double dist;
    uint8_t kind;
} sslot;

typedef struct smap {
    sslot *v;
    size_t cap, n;    /* cap: a power of two */
} smap;

enum { PK_ORIGIN = 0, PK_EDGE, PK_REVERSAL, PK_CHANGE, PK_VIA };

typedef struct search {
    const route_query *q;
    route_view *view;
    const bogie_train *t;
    const bogie_allocator *a;
    route_costs *costs;
    uint16_t gauges[2 * BOGIE_MAX_TRAIN_GAUGES];
    size_t n_gauges, n_initial;
    uint32_t n_half;       /* half-edges in the view, plus one pseudo half-edge for the origin */
    uint32_t origin_h;
    uint32_t layers;
    size_t n_states;
    smap map;
    heap pq;
    bool oom;              /* an allocation failed */
    /* The lower bounds (ALT): landmark distances of the virtual nodes, and per layer the bound over the legs after
     * the next place, in seconds. */
    unsigned k;
    uint32_t vlm[32 * LM_MAX];
    double tail_s[32];
    double inv_v;          /* 1 / the train's top speed; 0 without landmarks */
    size_t pops, pushes;
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

static size_t slot_of(const smap *m, uint32_t st)
{
    return (size_t)(((uint64_t)st * 0x9E3779B97F4A7C15ull) >> 32) & (m->cap - 1);
}

/* The slot of st, or NULL. */
static sslot *smap_find(const smap *m, uint32_t st)
{
    for (size_t i = slot_of(m, st);; i = (i + 1) & (m->cap - 1)) {
        if (m->v[i].state == st)
            return &m->v[i];
        if (m->v[i].state == UINT32_MAX)
            return NULL;
    }
}

static bool smap_grow(search *s)
{
    smap old = s->map, m = {NULL, old.cap ? old.cap * 2 : 1024, 0};
    m.v = util_malloc(s->a, m.cap * sizeof *m.v);
    if (!m.v)
        return false;
    for (size_t i = 0; i < m.cap; i++)
        m.v[i].state = UINT32_MAX;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.v[i].state == UINT32_MAX)
            continue;
        size_t j = slot_of(&m, old.v[i].state);
        while (m.v[j].state != UINT32_MAX)
            j = (j + 1) & (m.cap - 1);
        m.v[j] = old.v[i];
    }
    m.n = old.n;
    if (old.v)
        util_free(s->a, old.v, old.cap * sizeof *old.v);
    s->map = m;
    return true;
}

/* The slot of st, added (with an infinite distance) when new; NULL when out of memory. */
static sslot *smap_get(search *s, uint32_t st)
{
    if (2 * (s->map.n + 1) > s->map.cap && !smap_grow(s))
        return NULL;
    size_t i = slot_of(&s->map, st);
    while (s->map.v[i].state != st && s->map.v[i].state != UINT32_MAX)
        i = (i + 1) & (s->map.cap - 1);
    if (s->map.v[i].state == UINT32_MAX) {
        s->map.v[i] = (sslot){st, UINT32_MAX, INFINITY, 0};
        s->map.n++;
    }
    return &s->map.v[i];
}

static double state_dist(const search *s, uint32_t st)
{
    const sslot *x = smap_find(&s->map, st);
    return x ? x->dist : INFINITY;
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

/* The landmark distances of node v (real or virtual). */
static const uint32_t *node_lm(const search *s, uint32_t v)
{
    const bogie_network *net = s->q->base->net;
    return v < s->view->n_nodes ? net->landmark_dist + (size_t)v * s->k : s->vlm + (size_t)(v - s->view->n_nodes) * s->k;
}

/* A lower bound on the time from node v, on leg layer, to the journey's end: through the leg's place and then
 * every later leg. INFINITY when the place cannot be reached from v by any track. */
static double potential(const search *s, uint32_t v, uint32_t layer)
{
    if (s->k == 0)
        return 0;
    double d = lm_bound(node_lm(s, v), node_lm(s, place_node(s, layer + 1)), s->k);
    return d * s->inv_v + s->tail_s[layer];
}

/* Prepares the lower bounds: virtual nodes' landmark distances (through either end of their base edge) and the
 * bounds over later legs. Returns false when some leg cannot be bridged by any track. */
static bool bounds_init(search *s)
{
    const route_query *q = s->q;
    const bogie_network *net = q->base->net;
    s->k = q->method == ROUTE_DIJKSTRA ? 0 : net->n_landmarks;
    if (s->k == 0)
        return true;
    s->inv_v = 1 / s->costs->v_cap_ms;
    const route_view *v = s->view;
    for (uint32_t i = 0; i < v->n_vedges; i++) {
        const route_vedge *ve = &v->vedges[i];
        if (ve->to < v->n_nodes)
            continue;
        const net_edge *be = &net->edges[ve->base];
        const uint32_t *a = net->landmark_dist + (size_t)be->from * s->k, *b = net->landmark_dist + (size_t)be->to * s->k;
        uint32_t *x = s->vlm + (size_t)(ve->to - v->n_nodes) * s->k;
        for (unsigned l = 0; l < s->k; l++) {
            if (a[l] == LM_UNREACHABLE) {
                x[l] = LM_UNREACHABLE;
                continue;
            }
            double via_a = a[l] + ve->end_m, via_b = b[l] + (be->length_m - ve->end_m);
            /* A point snapped onto the end of an edge may lie a rounding error beyond it, and a landmark may be
             * that end: the distance is then a hair below zero, and zero bounds it as well. */
            double d = via_a < via_b ? via_a : via_b;
            x[l] = !(d > 0) ? 0 : d < 4e9 ? (uint32_t)floor(d) : LM_UNREACHABLE;
        }
    }
    s->tail_s[q->n_places - 2] = 0;
    for (size_t m = q->n_places - 2; m-- > 0;) {
        double d = lm_bound(node_lm(s, place_node(s, m + 1)), node_lm(s, place_node(s, m + 2)), s->k);
        if (isinf(d))
            return false;
        s->tail_s[m] = s->tail_s[m + 1] + d * s->inv_v;
    }
    return true;
}

/* The time to travel half-edge h (real or virtual). */
static double travel_time(const search *s, uint32_t h)
{
    uint32_t e = h >> 1;
    if (e < s->view->n_edges)
        return s->costs->time[h];
    double s0, s1;
    route_edge_span(s->view, e, &s0, &s1);
    const net_edge *be = route_base_edge(s->view, e);
    const bogie_network *net = s->q->base->net;
    return span_time(s->q->base, s->t, be, s0, s1, h & 1) + border_stops(s->q->base, (uint32_t)(be - net->edges), s0, s1);
}

/* Whether the train may travel along (virtual or real) edge e with wheels of gauge index gi. */
static bool edge_ok(const search *s, uint32_t e, size_t gi)
{
    const net_edge *be = route_base_edge(s->view, e);
    uint32_t base = (uint32_t)(be - s->q->base->net->edges);
    unsigned relax = s->q->relax;
    if (relax == 0)
        return (s->costs->usable[base] >> gi & 1) && !(s->q->avoid_edge && s->q->avoid_edge[base]);
    const net_class *c = &s->q->base->net->classes[be->cls];
    if (!(relax & ROUTE_RELAX_GAUGE) && !route_gauge_ok(c, s->gauges[gi]))
        return false;
    if (!(relax & ROUTE_RELAX_POWER) && s->t->traction == BOGIE_TRACTION_ELECTRIC && !powered(s->t, c) &&
        s->costs->gap_run[base] > s->t->max_gap_m)
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
static double change_cost_at(const route_base *b, const bogie_train *t, uint32_t v, uint16_t g, uint16_t g2,
                             uint32_t *facility)
{
    *facility = BOGIE_NONE;
    if (t->change == BOGIE_CHANGE_NONE || v >= b->net->n_nodes || g == g2)
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

static double change_cost(const search *s, uint32_t v, uint16_t g, uint16_t g2, uint32_t *facility)
{
    *facility = BOGIE_NONE;
    return v < s->view->n_nodes ? change_cost_at(s->q->base, s->t, v, g, g2, facility) : -1;
}

static double deflection(float out_bearing, float in_reverse_bearing)
{
    /* Travelling in, the direction is the reverse half-edge's bearing turned by 180 degrees. */
    double d = fabs(fmod((double)out_bearing - ((double)in_reverse_bearing + 180.0) + 540.0, 360.0) - 180.0);
    return d;
}

/* Offers state st (whose node is v, on leg layer) at cost, reached from state from by a step of kind. */
static void relax_state(search *s, uint32_t st, uint32_t v, uint32_t layer, double cost, uint32_t from, uint8_t kind)
{
    sslot *x = smap_get(s, st);
    if (!x) {
        s->oom = true;
        return;
    }
    if (!(cost < x->dist))
        return;
    double pot = potential(s, v, layer);
    if (isinf(pot))
        return; /* the next place cannot be reached from here by any track */
    x->dist = cost;
    x->parent = from;
    x->kind = kind;
    s->pushes++;
    if (heap_push(&s->pq, cost + pot, cost, st) != 0)
        s->oom = true;
}

static void search_free(search *s)
{
    if (s->map.v)
        util_free(s->a, s->map.v, s->map.cap * sizeof *s->map.v);
    VEC_FREE(s->a, s->pq.h);
    costs_release(s->q->base, s->costs);
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
    if (!bounds_init(s))
        return BOGIE_ERR_NOT_FOUND;
    s->pq.a = s->a;
    uint32_t origin = place_node(s, 0);
    for (size_t gi = 0; gi < s->n_initial; gi++)
        relax_state(s, state_of(s, s->origin_h, gi, 0), origin, 0, 0, UINT32_MAX, PK_ORIGIN);
    uint32_t out[256];
    while (s->pq.h.n > 0) {
        if (s->oom)
            return util_nomem(diag, "searching for a route");
        if ((++s->pops & 1023) == 0 && q->deadline > 0 && util_now() > q->deadline)
            return util_fail(diag, BOGIE_ERR_CANCELLED, "the search for a route took longer than its time limit");
        heap_item it = heap_pop(&s->pq);
        if (it.cost > state_dist(s, it.state))
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
            relax_state(s, state_of(s, h, gi, layer + 1), v, layer + 1, it.cost + q->via_dwell_s, it.state, PK_VIA);
        }
        /* Changing gauge here. */
        for (size_t g2 = 0; g2 < s->n_gauges; g2++) {
            uint32_t fac;
            double c = g2 == gi ? -1 : change_cost(s, v, g, s->gauges[g2], &fac);
            if (c >= 0)
                relax_state(s, state_of(s, h, g2, layer), v, layer, it.cost + c, it.state, PK_CHANGE);
        }
        /* Moving on. */
        size_t n = view_out(s->view, v, out, sizeof out / sizeof out[0]);
        size_t degree = v < s->view->n_nodes ? net->node_adj[v + 1] - net->node_adj[v] : 2;
        bool crossing = v < s->view->n_nodes && (net->node_flags[v] & NET_NODE_CROSSING);
        for (size_t k = 0; k < n; k++) {
            uint32_t h2 = out[k];
            if (!edge_ok(s, h2 >> 1, gi))
                continue;
            uint32_t w = route_head(s->view, h2);
            if (node_avoided(s, w) && w != place_node(s, layer + 1))
                continue;
            double s0, s1;
            route_edge_span(s->view, h2 >> 1, &s0, &s1);
            uint32_t base_h = (uint32_t)(route_base_edge(s->view, h2 >> 1) - net->edges) << 1 | (h2 & 1);
            double c = it.cost + travel_time(s, h2) + change_bias(s->costs, gi, s1 - s0) + tie_jitter(base_h);
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
            relax_state(s, state_of(s, h2, gi, layer), w, layer, c, it.state, kind);
        }
    }
    /* A queue emptied by a failed push is no proof that there is no route. */
    return s->oom ? util_nomem(diag, "searching for a route") : BOGIE_ERR_NOT_FOUND;
}

/* The search's gauges: the train's, then those it can change to (just one when gauge is relaxed). */
static bogie_status gather_gauges(search *s, bogie_diag *diag)
{
    memcpy(s->gauges, s->costs->gauges, sizeof s->gauges);
    s->n_gauges = s->costs->n_gauges;
    s->n_initial = s->costs->n_initial;
    if (s->n_gauges == 0)
        return util_fail(diag, BOGIE_ERR_ARG, "train %s has no gauges", s->t->name);
    if (s->q->relax & ROUTE_RELAX_GAUGE)
        s->n_initial = s->n_gauges = 1;
    return BOGIE_OK;
}

/* Walks the parents back from the goal and writes the items in travel order. */
static bogie_status reconstruct(search *s, uint32_t goal, route_result *res, bogie_diag *diag)
{
    VEC(uint32_t) chain = {0};
    for (uint32_t st = goal; st != UINT32_MAX; st = smap_find(&s->map, st)->parent)
        if (VEC_PUSH(s->a, chain, st) != 0) {
            VEC_FREE(s->a, chain);
            return util_nomem(diag, "building the route");
        }
    bogie_status rc = BOGIE_OK;
    for (size_t i = chain.n; i-- > 0 && rc == BOGIE_OK;) {
        uint32_t st = chain.v[i], h, layer;
        size_t gi;
        state_parts(s, st, &h, &gi, &layer);
        const sslot *x = smap_find(&s->map, st);
        route_item it;
        memset(&it, 0, sizeof it);
        it.facility = BOGIE_NONE;
        it.from_gauge = it.to_gauge = s->gauges[gi];
        it.cost_s = x->dist - (i + 1 < chain.n ? state_dist(s, chain.v[i + 1]) : 0);
        switch (x->kind) {
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
    res->cost_s = state_dist(s, goal);
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
    if (rc == BOGIE_OK) {
        s.costs = costs_acquire(q->base, q->train);
        if (!s.costs)
            rc = util_nomem(diag, "preparing the train's costs");
    }
    if (rc == BOGIE_OK)
        rc = gather_gauges(&s, diag);
    uint32_t goal = 0;
    if (rc == BOGIE_OK)
        rc = run_search(&s, &goal, diag);
    if (rc == BOGIE_OK)
        rc = reconstruct(&s, goal, res, diag);
    res->settled = s.pops;
    res->reached = s.map.n;
    search_free(&s);
    return rc;
}

/* ----- the contraction hierarchy of a train's state graph ----- */

/* The hierarchy's nodes are the search's states over real half-edges without legs: h * n_gauges + gi. */

static uint32_t real_head(const bogie_network *net, uint32_t h)
{
    const net_edge *e = &net->edges[h >> 1];
    return h & 1 ? e->from : e->to;
}

/* Builds c's hierarchy: the state graph with the same moves, turns, reversals and gauge changes as run_search. */
static bogie_status build_hierarchy(const route_base *b, const bogie_train *t, const route_costs *c, ch **out,
                                   bogie_diag *diag)
{
    const bogie_network *net = b->net;
    const bogie_allocator *a = b->alloc;
    size_t g = c->n_gauges, nh = 2 * (size_t)net->n_edges, n = nh * g;
    if (n >= UINT32_MAX / 2)
        return util_fail(diag, BOGIE_ERR_LIMIT, "the network is too large for a hierarchy");
    uint32_t *first = util_malloc(a, (n + 1) * sizeof *first);
    VEC(uint32_t) to = {0};
    VEC(double) cost = {0};
    VEC(double) len = {0};
    bool oom = !first;
    for (uint32_t h = 0; h < nh && !oom; h++) {
        uint32_t v = real_head(net, h);
        size_t degree = net->node_adj[v + 1] - net->node_adj[v];
        bool crossing = (net->node_flags[v] & NET_NODE_CROSSING) != 0;
        for (size_t gi = 0; gi < g && !oom; gi++) {
            first[h * g + gi] = (uint32_t)to.n;
            for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1] && !oom; k++) {
                uint32_t h2 = net->adj[k];
                if (!(c->usable[h2 >> 1] >> gi & 1))
                    continue;
                bool reversal = h2 == (h ^ 1);
                if (reversal && b->node_station[v] == BOGIE_NONE)
                    continue;
                if (!reversal && (degree >= 3 || crossing)) {
                    double limit = crossing ? ROUTE_MAX_CROSSING_DEG : ROUTE_MAX_DEFLECTION_DEG;
                    if (deflection(b->dep_bearing[h2], b->dep_bearing[h ^ 1]) > limit)
                        continue;
                }
                oom = VEC_PUSH(a, to, (uint32_t)(h2 * g + gi)) != 0 ||
                      VEC_PUSH(a, cost, (double)c->time[h2] + (reversal ? t->reversal_s : 0) +
                                            change_bias(c, gi, net->edges[h2 >> 1].length_m) + tie_jitter(h2)) != 0 ||
                      VEC_PUSH(a, len, (double)net->edges[h2 >> 1].length_m) != 0;
            }
            for (size_t g2 = 0; g2 < g && !oom; g2++) {
                uint32_t fac;
                double cc = g2 == gi ? -1 : change_cost_at(b, t, v, c->gauges[gi], c->gauges[g2], &fac);
                if (cc >= 0)
                    oom = VEC_PUSH(a, to, (uint32_t)(h * g + g2)) != 0 || VEC_PUSH(a, cost, cc) != 0 ||
                          VEC_PUSH(a, len, 0.0) != 0;
            }
        }
    }
    bogie_status rc = oom ? util_nomem(diag, "building the train's hierarchy") : BOGIE_OK;
    if (rc == BOGIE_OK) {
        first[n] = (uint32_t)to.n;
        ch_input in = {(uint32_t)n, first, to.v, cost.v, len.v};
        rc = ch_build(&in, a, out, diag);
    }
    util_free(a, first, (n + 1) * sizeof *first);
    VEC_FREE(a, to);
    VEC_FREE(a, cost);
    VEC_FREE(a, len);
    return rc;
}

/* c's hierarchy, built now when build is set and it is missing; NULL when it is missing. */
static ch *hierarchy(const route_base *b, const bogie_train *t, route_costs *c, bool build, bogie_status *rc,
                     bogie_diag *diag)
{
    *rc = BOGIE_OK;
    ch *h = atomic_load(&c->hier);
    if (h || !build)
        return h;
    pthread_mutex_lock(&c->ch_lock);
    h = atomic_load(&c->hier);
    if (!h) {
        *rc = build_hierarchy(b, t, c, &h, diag);
        if (*rc == BOGIE_OK)
            atomic_store(&c->hier, h);
    }
    pthread_mutex_unlock(&c->ch_lock);
    return h;
}

bogie_status route_prepare(const route_base *b, const bogie_train *train, bogie_diag *diag)
{
    route_costs *c = costs_acquire(b, train);
    if (!c)
        return util_nomem(diag, "preparing the train's costs");
    bogie_status rc;
    hierarchy(b, train, c, true, &rc, diag);
    costs_release(b, c);
    return rc;
}

/* Where a hierarchy search may start from station node s: the half-edges leaving it, with each initial gauge, and
 * with each gauge the train can change to there first. origin_g and change_g (parallel to the seeds) say which
 * gauge the train started with and, when it changed at s, to which (else SIZE_MAX). */
typedef struct seeds {
    VEC(ch_seed) v;
    VEC(uint32_t) origin_g;
    VEC(uint32_t) change_g;
} seeds;

static void seeds_free(const bogie_allocator *a, seeds *s)
{
    VEC_FREE(a, s->v);
    VEC_FREE(a, s->origin_g);
    VEC_FREE(a, s->change_g);
}

static bool source_seeds(const route_base *b, const bogie_train *t, const route_costs *c, uint32_t s, seeds *out)
{
    const bogie_network *net = b->net;
    size_t g = c->n_gauges;
    for (size_t g0 = 0; g0 < c->n_initial; g0++)
        for (size_t g1 = 0; g1 < g; g1++) {
            uint32_t fac;
            double cc = g1 == g0 ? 0 : change_cost_at(b, t, s, c->gauges[g0], c->gauges[g1], &fac);
            if (cc < 0)
                continue;
            for (uint32_t k = net->node_adj[s]; k < net->node_adj[s + 1]; k++) {
                uint32_t h = net->adj[k];
                if (!(c->usable[h >> 1] >> g1 & 1))
                    continue;
                double len = net->edges[h >> 1].length_m;
                ch_seed sd = {(uint32_t)(h * g + g1), cc + c->time[h] + change_bias(c, g1, len) + tie_jitter(h), len};
                if (VEC_PUSH(b->alloc, out->v, sd) != 0 || VEC_PUSH(b->alloc, out->origin_g, (uint32_t)g0) != 0 ||
                    VEC_PUSH(b->alloc, out->change_g, g1 == g0 ? UINT32_MAX : (uint32_t)g1) != 0)
                    return false;
            }
        }
    return true;
}

static bool target_seeds(const route_base *b, const route_costs *c, uint32_t t, seeds *out)
{
    const bogie_network *net = b->net;
    size_t g = c->n_gauges;
    for (uint32_t k = net->node_adj[t]; k < net->node_adj[t + 1]; k++)
        for (size_t gi = 0; gi < g; gi++) {
            ch_seed sd = {(uint32_t)((net->adj[k] ^ 1) * g + gi), 0, 0};
            if (VEC_PUSH(b->alloc, out->v, sd) != 0)
                return false;
        }
    return true;
}

static bool hierarchy_applies(const route_query *q)
{
    return q->n_places == 2 && !q->places[0].is_point && !q->places[1].is_point && q->relax == 0 &&
           !q->avoid_node && !q->avoid_edge;
}

/* Answers q (which hierarchy_applies to) from hierarchy h, filling res as run_search and reconstruct would. */
static bogie_status hierarchy_once(const route_query *q, const route_costs *c, const ch *h, route_result *res,
                                   bogie_diag *diag)
{
    const route_base *b = q->base;
    const bogie_allocator *a = b->alloc;
    const bogie_train *t = q->train;
    size_t g = c->n_gauges;
    bogie_status rc = view_init(&res->view, b, q->places, q->n_places, diag);
    if (rc != BOGIE_OK)
        return rc;
    seeds src = {0}, dst = {0};
    if (!source_seeds(b, t, c, q->places[0].node, &src) || !target_seeds(b, c, q->places[1].node, &dst)) {
        seeds_free(a, &src);
        seeds_free(a, &dst);
        return util_nomem(diag, "searching for a route");
    }
    double cost, len;
    uint32_t *path = NULL;
    size_t n_path = 0, si = 0, di = 0;
    rc = ch_route(h, src.v.v, src.v.n, dst.v.v, dst.v.n, &cost, &len, &path, &n_path, &si, &di, diag);
    if (rc == BOGIE_OK) {
        uint32_t g0 = src.origin_g.v[si], gc = src.change_g.v[si];
        res->start_gauge = c->gauges[g0];
        uint32_t origin = q->places[0].node;
        if (gc != UINT32_MAX) {
            route_item it = {.kind = RITEM_CHANGE, .node = origin, .from_gauge = c->gauges[g0],
                             .to_gauge = c->gauges[gc], .facility = BOGIE_NONE};
            it.cost_s = change_cost_at(b, t, origin, it.from_gauge, it.to_gauge, &it.facility);
            if (VEC_PUSH(a, res->items, it) != 0)
                rc = util_nomem(diag, "building the route");
        }
        for (size_t i = 0; i < n_path && rc == BOGIE_OK; i++) {
            uint32_t hh = (uint32_t)(path[i] / g), gi = (uint32_t)(path[i] % g);
            route_item it = {.kind = RITEM_EDGE, .h = hh, .from_gauge = c->gauges[gi], .to_gauge = c->gauges[gi],
                             .facility = BOGIE_NONE, .cost_s = c->time[hh]};
            if (i > 0) {
                uint32_t ph = (uint32_t)(path[i - 1] / g), pg = (uint32_t)(path[i - 1] % g);
                if (ph == hh) {
                    it.kind = RITEM_CHANGE;
                    it.h = 0;
                    it.node = real_head(b->net, hh);
                    it.from_gauge = c->gauges[pg];
                    it.cost_s = change_cost_at(b, t, it.node, it.from_gauge, it.to_gauge, &it.facility);
                } else if (hh == (ph ^ 1)) {
                    route_item rv = it;
                    rv.kind = RITEM_REVERSAL;
                    rv.h = 0;
                    rv.node = real_head(b->net, ph);
                    rv.cost_s = t->reversal_s;
                    if (VEC_PUSH(a, res->items, rv) != 0)
                        rc = util_nomem(diag, "building the route");
                }
            }
            if (rc == BOGIE_OK && VEC_PUSH(a, res->items, it) != 0)
                rc = util_nomem(diag, "building the route");
        }
        res->end_gauge = c->gauges[path[n_path - 1] % g];
        res->cost_s = cost;
        ch_path_free(h, path, n_path);
    }
    seeds_free(a, &src);
    seeds_free(a, &dst);
    return rc;
}

bogie_status route_matrix(const route_base *b, const bogie_train *train, const route_place *src, size_t n_src,
                          const route_place *dst, size_t n_dst, double deadline, double *cost, double *len,
                          bogie_diag *diag)
{
    route_costs *c = costs_acquire(b, train);
    if (!c)
        return util_nomem(diag, "preparing the train's costs");
    bogie_status rc = BOGIE_OK;
    const ch *h = hierarchy(b, train, c, false, &rc, diag);
    bool nodes_only = true;
    for (size_t i = 0; i < n_src; i++)
        nodes_only &= !src[i].is_point;
    for (size_t i = 0; i < n_dst; i++)
        nodes_only &= !dst[i].is_point;
    if (h && nodes_only) {
        const bogie_allocator *a = b->alloc;
        seeds *ss = util_calloc(a, n_src ? n_src : 1, sizeof *ss), *ds = util_calloc(a, n_dst ? n_dst : 1, sizeof *ds);
        const ch_seed **sp = util_calloc(a, n_src ? n_src : 1, sizeof *sp);
        const ch_seed **dp = util_calloc(a, n_dst ? n_dst : 1, sizeof *dp);
        size_t *sn = util_calloc(a, n_src ? n_src : 1, sizeof *sn), *dn = util_calloc(a, n_dst ? n_dst : 1, sizeof *dn);
        bool ok = ss && ds && sp && dp && sn && dn;
        for (size_t i = 0; ok && i < n_src; i++) {
            ok = source_seeds(b, train, c, src[i].node, &ss[i]);
            sp[i] = ss[i].v.v;
            sn[i] = ss[i].v.n;
        }
        for (size_t i = 0; ok && i < n_dst; i++) {
            ok = target_seeds(b, c, dst[i].node, &ds[i]);
            dp[i] = ds[i].v.v;
            dn[i] = ds[i].v.n;
        }
        rc = ok ? ch_matrix(h, sp, sn, n_src, dp, dn, n_dst, cost, len, diag) : util_nomem(diag, "computing a table");
        for (size_t i = 0; ss && i < n_src; i++)
            seeds_free(a, &ss[i]);
        for (size_t i = 0; ds && i < n_dst; i++)
            seeds_free(a, &ds[i]);
        util_free(a, ss, (n_src ? n_src : 1) * sizeof *ss);
        util_free(a, ds, (n_dst ? n_dst : 1) * sizeof *ds);
        util_free(a, sp, (n_src ? n_src : 1) * sizeof *sp);
        util_free(a, dp, (n_dst ? n_dst : 1) * sizeof *dp);
        util_free(a, sn, (n_src ? n_src : 1) * sizeof *sn);
        util_free(a, dn, (n_dst ? n_dst : 1) * sizeof *dn);
        for (size_t i = 0; rc == BOGIE_OK && i < n_src; i++)
            for (size_t k = 0; k < n_dst; k++)
                if (src[i].node == dst[k].node)
                    cost[i * n_dst + k] = len[i * n_dst + k] = 0;
        costs_release(b, c);
        return rc;
    }
    costs_release(b, c);
    /* One A* search per pair. */
    for (size_t i = 0; rc == BOGIE_OK && i < n_src; i++)
        for (size_t k = 0; rc == BOGIE_OK && k < n_dst; k++) {
            double *cc = &cost[i * n_dst + k], *ll = &len[i * n_dst + k];
            bool same = src[i].is_point == dst[k].is_point &&
                        (src[i].is_point ? src[i].edge == dst[k].edge && src[i].offset_m == dst[k].offset_m
                                         : src[i].node == dst[k].node);
            if (same) {
                *cc = *ll = 0;
                continue;
            }
            if (deadline > 0 && util_now() > deadline) {
                rc = util_fail(diag, BOGIE_ERR_CANCELLED, "the table took longer than its time limit");
                break;
            }
            route_place pair[2] = {src[i], dst[k]};
            route_query q;
            memset(&q, 0, sizeof q);
            q.base = b;
            q.train = train;
            q.places = pair;
            q.n_places = 2;
            q.deadline = deadline;
            route_result res;
            bogie_status r = route_find(&q, &res, diag);
            if (r == BOGIE_ERR_NOT_FOUND) {
                *cc = *ll = INFINITY;
                continue;
            }
            if (r != BOGIE_OK) {
                rc = r;
                break;
            }
            *cc = res.cost_s;
            double total = 0;
            for (size_t m = 0; m < res.items.n; m++)
                if (res.items.v[m].kind == RITEM_EDGE) {
                    double s0, s1;
                    route_edge_span(&res.view, res.items.v[m].h >> 1, &s0, &s1);
                    total += s1 - s0;
                }
            *ll = total;
            route_result_free(b->alloc, &res);
        }
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
    if (heap_push(&q, 0, 0, from) == 0) {
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
                    if (heap_push(&q, c, c, w) != 0)
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
        if (rs != BOGIE_ERR_NOT_FOUND) {
            route_result_free(b->alloc, &free_route);
            sb_free(&sb);
            return rs == BOGIE_ERR_NOMEM ? util_nomem(diag, "explaining the failure")
                                         : util_fail(diag, rs, "%s", scratch.message);
        }
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
    bogie_status rc = BOGIE_ERR_NOT_FOUND;
    bool answered = false;
    if ((q->method == ROUTE_AUTO || q->method == ROUTE_CH) && hierarchy_applies(q)) {
        route_costs *c = costs_acquire(q->base, q->train);
        if (!c)
            return util_nomem(diag, "preparing the train's costs");
        const ch *h = hierarchy(q->base, q->train, c, q->method == ROUTE_CH, &rc, diag);
        if (rc != BOGIE_OK) {
            costs_release(q->base, c);
            return rc;
        }
        if (h) {
            rc = hierarchy_once(q, c, h, res, diag);
            answered = true;
        }
        costs_release(q->base, c);
    }
    if (!answered)
        rc = search_once(q, res, diag);
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

static double snap_visit(void *ud, size_t seg)
{
    snap_ctx *c = ud;
    const bogie_network *net = c->b->net;
    double bound = c->n == c->max ? c->out[c->n - 1].snap_m : c->max_m;
    uint32_t e = c->b->geom_edge[seg];
    const net_class *cl = &net->classes[net->edges[e].cls];
    bool usable = false;
    for (size_t g = 0; g < c->train->n_gauges; g++)
        usable |= route_gauge_ok(cl, c->train->gauges[g]);
    for (size_t g = 0; c->train->change != BOGIE_CHANGE_NONE && g < c->train->n_change_to; g++)
        usable |= route_gauge_ok(cl, c->train->change_to[g]);
    if (!usable)
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
    /* One point per edge: replace this edge's entry when nearer, else insert. */
    size_t at = c->n;
    for (size_t i = 0; i < c->n; i++)
        if (c->out[i].edge == e) {
            if (c->out[i].snap_m <= d)
                return bound;
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
