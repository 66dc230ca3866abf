/* route_int.h: what the files of route/ share (prefix rt_): a train's costs over the network, the steps of a found
 * path, and what each file offers the others. rules.c says what track a train may use, view.c is one query's view
 * of the graph, costs.c each train's costs, items.c turns a found path into the route's items, search.c is the A*
 * search, hierarchy.c the contraction hierarchy's preparation and queries, explain.c says why there is no route,
 * snap.c puts coordinates on track, alternatives.c finds alternative routes, and route.c holds the entry points.
 * They use each other one way only:
 *   route.c -> explain.c -> search.c -> items.c -> rules.c
 *   alternatives.c -> route.c, hierarchy.c, ch.c;  route.c -> hierarchy.c -> items.c, costs.c, view.c;
 *   search.c -> costs.c -> rules.c;  route.c -> snap.c */
#ifndef BOGIE_ROUTE_INT_H
#define BOGIE_ROUTE_INT_H

#include "route/route.h"

#include "route/ch.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ----- rules.c: what track a train may use ----- */

/* Whether an electric train finds a system it accepts on this class of track (always true for other trains). */
bool rt_powered(const bogie_train *t, const net_class *c);

/* Whether wheels of one of the train's gauges, before or after a change, run on track of class cls. */
bool rt_gauges_usable(const bogie_train *t, const net_class *cls);

/* The time a gauge change from g to g2 takes at real node v, or a negative number when it cannot happen there.
 * *facility gets the facility used, or BOGIE_NONE for a station where gauges meet. */
double rt_change_cost_at(const route_base *b, const bogie_train *t, uint32_t v, uint16_t g, uint16_t g2,
                         uint32_t *facility);

/* The deflection between leaving along a half-edge of bearing out_bearing and arriving along the one whose reverse
 * has bearing in_reverse_bearing (degrees, 0 to 180): the turn rule compares it with ROUTE_MAX_DEFLECTION_DEG. */
static inline double rt_deflection(float out_bearing, float in_reverse_bearing)
{
    /* Travelling in, the direction is the reverse half-edge's bearing turned by 180 degrees. */
    double d = fabs(fmod((double)out_bearing - ((double)in_reverse_bearing + 180.0) + 540.0, 360.0) - 180.0);
    return d;
}

/* The turn rule, the same for every search (A*, Dijkstra, the hierarchy's state graph): the sharpest deflection a
 * train may make at real node v. Across a railway crossing ROUTE_MAX_CROSSING_DEG, where three or more tracks meet
 * ROUTE_MAX_DEFLECTION_DEG, and where only two do NET_MAX_BEND_DEG: a sharper bend there is two legs of a switch
 * (a V), and running through it would be a reversal in disguise; but where either track is schematic (drawn
 * through its stations, not surveyed) a bend means nothing and any is allowed. A virtual node (a place given as a
 * point) is a node of two tracks. */
static inline double rt_turn_limit(const bogie_network *net, uint32_t v)
{
    if (net->node_flags[v] & NET_NODE_CROSSING)
        return ROUTE_MAX_CROSSING_DEG;
    if (net->node_adj[v + 1] - net->node_adj[v] >= 3)
        return ROUTE_MAX_DEFLECTION_DEG;
    for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1]; k++)
        if (net->classes[net->edges[net->adj[k] >> 1].cls].flags & NET_CLASS_SCHEMATIC)
            return 180.0;
    return NET_MAX_BEND_DEG;
}

/* Whether real node v is a place where a train may reverse: a station, a stop position, a buffer stop, or track of
 * a yard or siding area (service=siding, yard, spur or crossover). */
bool rt_reversal_place(const route_base *b, uint32_t v);

/* The length of track behind a train that arrived along real half-edge h, back to the last switch: a node where
 * three or more tracks meet, a node tagged as a switch or a crossing, a V, or a dead end. Counting stops at cap. */
double rt_clear_behind(const route_base *b, uint32_t h, double cap);

/* The reversal rule, the same for every search: a train that arrived along real half-edge h may reverse at its
 * head when that is a reversal place and the whole train has cleared the last switch behind it. */
bool rt_may_reverse(const route_base *b, const bogie_train *t, uint32_t h);

/* The factor on the running time of train t on track of class c run backward or not: 1 + the profile's
 * wrong_track_pct / 100 against the track's preferred direction, else 1. */
double rt_direction_factor(const bogie_train *t, const net_class *c, bool backward);

/* ----- view.c: one query's view of the graph (the network plus virtual nodes and edges for points) ----- */

/* The virtual edge edge, or NULL for a real one. The accessors here are inline: the search calls them for every
 * half-edge it looks at; route.h's route_head() and the others are the same for the stages above. */
static inline const route_vedge *rt_vedge(const route_view *v, uint32_t edge)
{
    return edge >= v->n_edges && edge - v->n_edges < v->n_vedges ? &v->vedges[edge - v->n_edges] : NULL;
}

static inline const net_edge *rt_base_edge(const route_view *v, uint32_t edge)
{
    const route_vedge *ve = rt_vedge(v, edge);
    return &v->b->net->edges[ve ? ve->base : edge];
}

static inline void rt_edge_span(const route_view *v, uint32_t edge, double *s0, double *s1)
{
    const route_vedge *ve = rt_vedge(v, edge);
    if (ve) {
        *s0 = ve->start_m;
        *s1 = ve->end_m;
    } else {
        *s0 = 0;
        *s1 = v->b->net->edges[edge].length_m;
    }
}

static inline uint32_t rt_edge_from(const route_view *v, uint32_t edge)
{
    const route_vedge *ve = rt_vedge(v, edge);
    return ve ? ve->from : v->b->net->edges[edge].from;
}

static inline uint32_t rt_edge_to(const route_view *v, uint32_t edge)
{
    const route_vedge *ve = rt_vedge(v, edge);
    return ve ? ve->to : v->b->net->edges[edge].to;
}

static inline uint32_t rt_head(const route_view *v, uint32_t h)
{
    return h & 1 ? rt_edge_from(v, h >> 1) : rt_edge_to(v, h >> 1);
}

static inline uint32_t rt_tail(const route_view *v, uint32_t h)
{
    return h & 1 ? rt_edge_to(v, h >> 1) : rt_edge_from(v, h >> 1);
}

/* The bearing leaving the tail of half-edge h (real or virtual), degrees. */
static inline float rt_bearing(const route_view *v, uint32_t h)
{
    if ((h >> 1) < v->n_edges)
        return v->b->dep_bearing[h];
    return v->vbearing[h - 2 * v->n_edges];
}

/* The head of real half-edge h of net. */
static inline uint32_t rt_real_head(const bogie_network *net, uint32_t h)
{
    const net_edge *e = &net->edges[h >> 1];
    return h & 1 ? e->from : e->to;
}

/* Builds *v (which holds everything itself) over b for places[0 .. n): for every base edge holding points, a chain
 * of virtual edges through them. BOGIE_ERR_ARG when there are too many places. */
bogie_status rt_view_init(route_view *v, const route_base *b, const route_place *places, size_t n, bogie_diag *diag);

/* The half-edges leaving node in the view, real and virtual: fills out (capacity cap, the caller's), returns how
 * many. Real edges split by virtual nodes are still listed: a route may pass a point without stopping there. */
size_t rt_view_out(const route_view *v, uint32_t node, uint32_t *out, size_t cap);

/* ----- costs.c: each train's costs over the whole network ----- */

/* What a train's costs depend on: its gauges, change method, wires and speeds. Built field by field on a zeroed
 * struct, so that two keys compare with memcmp. */
typedef struct rt_cost_key {
    uint16_t gauges[BOGIE_MAX_TRAIN_GAUGES];
    uint16_t change_to[BOGIE_MAX_TRAIN_GAUGES];
    uint32_t n_gauges, n_change_to;
    int32_t change, traction;
    uint32_t n_systems, voltage[BOGIE_MAX_TRAIN_SYSTEMS];
    double frequency_hz[BOGIE_MAX_TRAIN_SYSTEMS];
    double max_gap_m, max_speed_ms, curve_lateral_ms2;
    double length_m, wrong_track_pct;
} rt_cost_key;

/* A train's view of the whole network, computed once and shared by its queries (the "customization" of the graph
 * for one profile): the time to run every half-edge at the limits, which gauges may use every edge, and the top
 * speed that scales the landmarks' distances into times. Immutable once built. */
typedef struct rt_costs {
    rt_cost_key key;
    unsigned refs;          /* queries using it; guarded by the cache's lock */
    bool private_copy;      /* built because every slot was busy: freed when released */
    uint64_t used;          /* the cache's clock at the last use */
    uint16_t gauges[2 * BOGIE_MAX_TRAIN_GAUGES]; /* the search's gauge list: the train's, then those it changes to */
    size_t n_gauges, n_initial;
    float *time;            /* per real half-edge: its search cost (rt_run_cost): seconds at the limits, weighed
                               against the preferred direction, with the border stops on it */
    uint8_t *usable;        /* per real edge: bit gi set when wheels of gauges[gi] may run on it */
    double *gap_run;        /* electric trains: per edge, the length of its unpowered run; 0 when powered */
    uint8_t *may_reverse;   /* per real half-edge: 1 when the train may reverse at its head (rt_may_reverse) */
    double v_cap_ms;        /* the fastest the train runs on any edge */
    pthread_mutex_t ch_lock; /* guards building hier */
    ch *_Atomic hier;       /* the contraction hierarchy of the train's state graph, once built */
} rt_costs;

/* Routes of equal cost are told apart, the same way by every search method, by a slight preference for changing
 * gauge early: a train that can change pays this much more per metre run on the gauge it started with. It moves a
 * 10,000 km route's cost by a second at most, and settles, for instance, which of two facilities either side of a
 * border changes the wheels. */
#define RT_EARLY_CHANGE_BIAS_S_PER_M 1e-7

/* The bias on a half-edge run for len metres with gauge index gi. */
static inline double rt_change_bias(const rt_costs *c, size_t gi, double len)
{
    return c->n_gauges > c->n_initial && gi < c->n_initial ? RT_EARLY_CHANGE_BIAS_S_PER_M * len : 0;
}

/* Ties between gauge states are broken, the same way by every search method, in the order of the search's gauge
 * list (the train's gauges as its profile lists them, then those it changes to): entering the state of gauge index
 * gi, at the origin or by a change, costs gi milliseconds more. Wheels of 1520 and 1524 mm run on the same track at
 * the same cost, so without it each search would pick its own; a millisecond is far above the rounding of the sums
 * (a hierarchy adds up a path in another order than Dijkstra) and far below anything a timetable shows. */
#define RT_GAUGE_ORDER_BIAS_S 1e-3

static inline double rt_gauge_order_bias(size_t gi)
{
    return RT_GAUGE_ORDER_BIAS_S * (double)gi;
}

/* Other ties (parallel tracks of equal length, say) are broken by a fixed jitter of under 0.1 ms per half-edge,
 * far above the rounding of the sums and far below anything a timetable shows. */
static inline double rt_tie_jitter(uint32_t h)
{
    return 1e-4 * (double)((h * 2654435761u) >> 8) / (double)(1u << 24);
}

/* The time to run [s0, s1] of base edge e in the given direction at the limits, without acceleration: the search's
 * cost. Segment by segment: the lowest of the train's, the line's and the curve's limits. */
double rt_span_time(const route_base *b, const bogie_train *t, const net_edge *e, double s0, double s1,
                    bool backward);

/* The border stops on [s0, s1] of base edge e, seconds. */
double rt_border_stops(const route_base *b, uint32_t e, double s0, double s1);

/* The search's cost of running [s0, s1] of base edge e in the given direction: the time at the limits, weighed by
 * rt_direction_factor, and the border stops on it. Every search's edge costs come from here. */
double rt_run_cost(const route_base *b, const bogie_train *t, uint32_t e, double s0, double s1, bool backward);

/* A new, empty cost cache in *out, allocated with alloc; free it with rt_cache_free. */
bogie_status rt_cache_new(route_cost_cache **out, const bogie_allocator *alloc);
/* Frees cc (allocated with b->alloc) and every train's costs in it; cc may be NULL. */
void rt_cache_free(const route_base *b, route_cost_cache *cc);

/* The costs of train t, from the cache or built now (under the cache's lock: other queries wait the few tens of
 * milliseconds a continental network takes). The cache keeps them; release them with rt_costs_release. NULL when
 * out of memory. */
rt_costs *rt_costs_acquire(const route_base *b, const bogie_train *t);
void rt_costs_release(const route_base *b, rt_costs *c);

/* ----- items.c: turning a found path into the route's items ----- */

/* How the search reached a state. */
enum { RT_STEP_ORIGIN = 0, RT_STEP_EDGE, RT_STEP_REVERSAL, RT_STEP_CHANGE, RT_STEP_VIA };

/* One state of a path the search found. */
typedef struct rt_step {
    uint32_t h;       /* the half-edge just travelled (real or virtual; a pseudo half-edge at the origin) */
    uint32_t node;    /* where the state is */
    uint32_t layer;   /* the leg: index of the place last reached */
    uint16_t gauge;   /* the wheels' gauge */
    uint8_t kind;     /* RT_STEP_*: how the search got here from the step before */
    double dist;      /* the search's cost from the origin */
} rt_step;

/* Appends the items of the path steps[0 .. n) (from the goal back to the origin, as the search's parents lead; the
 * caller's) to res->items, and fills res's cost and gauges; the view must be res->view. */
bogie_status rt_items_from_steps(const route_base *b, const bogie_train *t, const rt_step *steps, size_t n,
                                 route_result *res, bogie_diag *diag);

/* A path found in a train's hierarchy (hierarchy.c): input nodes h * n_gauges + gauge index, from the origin's
 * first half-edge to the destination's last, and the gauge indices the train started with and, when it changed
 * gauge at the origin first, changed to (else UINT32_MAX). From an origin given as a point the train runs the
 * virtual pieces of its edge, as the search does: from_point[d] leaves the point forward (d 0) or backward (d 1),
 * first, and where the path runs that edge again, the piece back to the point and on past it when the search
 * would (items.c); a destination given as a point is reached by running the virtual piece last_vh after the last
 * node (UINT32_MAX: stations). */
typedef struct rt_ch_path {
    const uint32_t *nodes;
    size_t n;
    uint32_t origin;
    uint32_t start_g, change_g;
    double cost;
    uint32_t from_point[2], last_vh;
} rt_ch_path;

/* Appends the items of path p (the caller's) to res->items, and fills res's cost and gauges; the virtual pieces
 * are res->view's. */
bogie_status rt_items_from_hierarchy(const route_base *b, const bogie_train *t, const rt_costs *c,
                                     const rt_ch_path *p, route_result *res, bogie_diag *diag);

/* Adds up, for the output's warnings, the track of unknown gauge and without wires train accepts on res's route. */
void rt_items_totals(const route_base *b, const bogie_train *t, route_result *res);

/* The length of res's route along the track, in the edges' length units. */
double rt_items_length(const route_result *res);

/* ----- search.c: the search over (half-edge, gauge, leg) states, and its priority queue ----- */

typedef struct rt_heap_item {
    double key;   /* cost so far plus the lower bound to the goal */
    double cost;  /* cost so far */
    uint32_t state;
} rt_heap_item;

/* A binary min-heap on key; zero-initialise with the allocator set, free with VEC_FREE(q.a, q.h). */
typedef struct rt_heap {
    const bogie_allocator *a;
    VEC(rt_heap_item) h;
} rt_heap;

/* Adds an item, growing the heap with q->a; -1 when out of memory. */
int rt_heap_push(rt_heap *q, double key, double cost, uint32_t state);
/* Removes and returns the item of least key; q must not be empty. */
rt_heap_item rt_heap_pop(rt_heap *q);

/* Runs one A* (or Dijkstra) search for q into res (which must be zeroed; free it with route_result_free, also
 * after a failure); BOGIE_ERR_NOT_FOUND quietly when there is no route. */
bogie_status rt_search_once(const route_query *q, route_result *res, bogie_diag *diag);

/* ----- hierarchy.c: the contraction hierarchy of a train's state graph ----- */

/* Whether a query can be answered from the hierarchy: two places, nothing avoided or relaxed, and where a place is
 * a point on an edge, one the hierarchy answers exactly as the search: not both on one edge, not on a loop, no
 * origin station at an end of the destination's edge, and the turn rule deciding every move at the ends of a
 * point's edge alike with the virtual piece's bearing and the edge's. */
bool rt_hierarchy_applies(const route_query *q);

/* c's hierarchy (c keeps it), built now when build is set and it is missing; NULL when it is missing. *rc gets the
 * status of building it. */
ch *rt_hierarchy(const route_base *b, const bogie_train *t, rt_costs *c, bool build, bogie_status *rc,
                 bogie_diag *diag);

/* A train's state graph as its hierarchy contracts it (ch_input), with the capacities of its arrays. */
typedef struct rt_graph {
    ch_input in;
    size_t cap_to, cap_cost, cap_len;
} rt_graph;

/* Builds the state graph of train t with costs c into *out (arrays allocated with b->alloc; free them with
 * rt_state_graph_free, also after a failure): its states are half-edge * n_gauges + gauge, its arcs the search's
 * moves. bench/route_pairs exports it for the RoutingKit comparison. */
bogie_status rt_state_graph(const route_base *b, const bogie_train *t, const rt_costs *c, rt_graph *out,
                            bogie_diag *diag);
void rt_state_graph_free(const route_base *b, rt_graph *g);

/* Answers q (which rt_hierarchy_applies to) from hierarchy h into res (zeroed by the caller), as rt_search_once
 * would. */
bogie_status rt_hierarchy_route(const route_query *q, const rt_costs *c, const ch *h, route_result *res,
                                bogie_diag *diag);

/* Where a hierarchy search may start from station node s: the half-edges leaving it, with each initial gauge, and
 * with each gauge the train can change to there first. origin_g and change_g (parallel to the seeds) say which
 * gauge the train started with and, when it changed at s, to which (else UINT32_MAX). */
typedef struct rt_seeds {
    VEC(ch_seed) v;
    VEC(uint32_t) origin_g;
    VEC(uint32_t) change_g;
    VEC(uint32_t) vh;  /* a point's seeds (empty for a station's): the virtual piece each stands for (rt_ch_path) */
} rt_seeds;

/* Appends the seeds of station node s to out (allocated with b->alloc; rt_seeds_free frees them); false when out
 * of memory. */
bool rt_source_seeds(const route_base *b, const bogie_train *t, const rt_costs *c, uint32_t s, rt_seeds *out);
/* Appends the seeds where a hierarchy search may end at node t: every half-edge arriving, with every gauge. */
bool rt_target_seeds(const route_base *b, const rt_costs *c, uint32_t t, rt_seeds *out);
void rt_seeds_free(const bogie_allocator *a, rt_seeds *s);

/* The seeds of q's two places (rt_hierarchy_applies to q) over view v, built for q's places, into src and dst
 * (allocated with q->base->alloc; rt_seeds_free frees them): a station's as above; a point origin's the states of
 * having run from the point to either end of its edge, a point destination's the states from which the search may
 * move onto a piece of its edge running to the point, each with that piece's cost as the search counts it. False
 * when out of memory. */
bool rt_query_seeds(const route_query *q, const rt_costs *c, const route_view *v, rt_seeds *src, rt_seeds *dst);

/* The path nodes[0 .. n) of cost found from source seed si of src to target seed di of dst (the caller's), as
 * rt_items_from_hierarchy takes it. */
rt_ch_path rt_seeds_path(const route_query *q, const rt_seeds *src, const rt_seeds *dst, const uint32_t *nodes,
                         size_t n, size_t si, size_t di, double cost);

/* route_matrix() from hierarchy h, for places that are all stations' nodes: fills the caller's cost and len. */
bogie_status rt_hierarchy_matrix(const route_base *b, const bogie_train *train, const rt_costs *c, const ch *h,
                                 const route_place *src, size_t n_src, const route_place *dst, size_t n_dst,
                                 double *cost, double *len, bogie_diag *diag);

/* ----- explain.c: why there is no route ----- */

/* Finds which constraints block q on their own and sets diag to a sentence on each; returns BOGIE_ERR_NOT_FOUND
 * (or the error that stopped the explanation). */
bogie_status rt_explain(const route_query *q, bogie_diag *diag);

/* ----- snap.c: coordinates and stations onto track ----- */

/* Builds b's indexes for snapping (b->geom_edge, seg_grid, station_ll, station_grid), allocated with b->alloc; on
 * failure sets diag, and rt_snap_index_free frees what was built. */
bogie_status rt_snap_index_init(route_base *b, bogie_diag *diag);
void rt_snap_index_free(route_base *b);

#endif
