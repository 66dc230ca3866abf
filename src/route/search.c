/* search.c: the search for a train's fastest route over (half-edge, wheel gauge, leg) states: A* with the
 * landmarks' lower bounds (or plain Dijkstra), its priority queue and its table of reached states, the moves a train
 * may make (on along the track, no sharp turns at any node, reversals only where the train may reverse, gauge
 * changes where they are possible) and the walk back from the goal. */
#include "route/route_int.h"

#include "net/landmarks.h"

#include <math.h>
#include <string.h>

/* ----- the priority queue ----- */

int rt_heap_push(rt_heap *q, double key, double cost, uint32_t state)
{
    rt_heap_item it = {key, cost, state};
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

rt_heap_item rt_heap_pop(rt_heap *q)
{
    rt_heap_item top = q->h.v[0], last = q->h.v[--q->h.n];
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

/* ----- the states reached ----- */

/* The states a search has reached, in an open-addressing hash table: a query touches a small part of a large
 * network, so nothing is sized by the network. */
typedef struct sslot {
    uint32_t state;   /* UINT32_MAX: empty */
    uint32_t parent;
    double dist;
    uint8_t kind;     /* RT_STEP_*: how the state was reached from its parent */
} sslot;

typedef struct smap {
    sslot *v;
    size_t cap, n;    /* cap: a power of two */
} smap;

typedef struct search {
    const route_query *q;
    route_view *view;
    const bogie_train *t;
    const bogie_allocator *a;
    rt_costs *costs;
    uint16_t gauges[2 * BOGIE_MAX_TRAIN_GAUGES];
    size_t n_gauges, n_initial;
    uint32_t n_half;       /* half-edges in the view, plus one pseudo half-edge for the origin */
    uint32_t origin_h;
    uint32_t layers;
    size_t n_states;
    smap map;
    rt_heap pq;
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
    return h == s->origin_h ? place_node(s, 0) : rt_head(s->view, h);
}

/* ----- the lower bounds ----- */

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

/* The landmark distances of the virtual node at the end of virtual edge ve: through either end of its base edge. */
static void virtual_lm(search *s, const route_vedge *ve)
{
    const bogie_network *net = s->q->base->net;
    const route_view *v = s->view;
    const net_edge *be = &net->edges[ve->base];
    const uint32_t *a = net->landmark_dist + (size_t)be->from * s->k, *b = net->landmark_dist + (size_t)be->to * s->k;
    uint32_t *x = s->vlm + (size_t)(ve->to - v->n_nodes) * s->k;
    for (unsigned l = 0; l < s->k; l++) {
        if (a[l] == LM_UNREACHABLE) {
            x[l] = LM_UNREACHABLE;
            continue;
        }
        double via_a = a[l] + ve->end_m, via_b = b[l] + (be->length_m - ve->end_m);
        /* A point snapped onto the end of an edge may lie a rounding error beyond it, and a landmark may be that
         * end: the distance is then a hair below zero, and zero bounds it as well. */
        double d = via_a < via_b ? via_a : via_b;
        x[l] = !(d > 0) ? 0 : d < 4e9 ? (uint32_t)floor(d) : LM_UNREACHABLE;
    }
}

/* Prepares the lower bounds: virtual nodes' landmark distances and the bounds over later legs. Returns false when
 * some leg cannot be bridged by any track. */
static bool bounds_init(search *s)
{
    const route_query *q = s->q;
    s->k = q->method == ROUTE_DIJKSTRA || q->reach_cost ? 0 : q->base->net->n_landmarks;
    if (s->k == 0)
        return true;
    s->inv_v = q->by_length ? 1 : 1 / s->costs->v_cap_ms;
    const route_view *v = s->view;
    for (uint32_t i = 0; i < v->n_vedges; i++)
        if (v->vedges[i].to >= v->n_nodes)
            virtual_lm(s, &v->vedges[i]);
    s->tail_s[q->n_places - 2] = 0;
    for (size_t m = q->n_places - 2; m-- > 0;) {
        double d = lm_bound(node_lm(s, place_node(s, m + 1)), node_lm(s, place_node(s, m + 2)), s->k);
        if (isinf(d))
            return false;
        s->tail_s[m] = s->tail_s[m + 1] + d * s->inv_v;
    }
    return true;
}

/* ----- the moves ----- */

/* The time to travel half-edge h (real or virtual). */
static double travel_time(const search *s, uint32_t h)
{
    uint32_t e = h >> 1;
    if (s->q->by_length) {
        double s0, s1;
        rt_edge_span(s->view, e, &s0, &s1);
        return s1 - s0;
    }
    if (e < s->view->n_edges)
        return s->q->penalty ? s->costs->time[h] * s->q->penalty[h] : s->costs->time[h];
    double s0, s1;
    rt_edge_span(s->view, e, &s0, &s1);
    const net_edge *be = rt_base_edge(s->view, e);
    return rt_run_cost(s->q->base, s->t, (uint32_t)(be - s->q->base->net->edges), s0, s1, h & 1);
}

/* Whether the train may travel along (virtual or real) edge e with wheels of gauge index gi. */
static bool edge_ok(const search *s, uint32_t e, size_t gi)
{
    const net_edge *be = rt_base_edge(s->view, e);
    uint32_t base = (uint32_t)(be - s->q->base->net->edges);
    unsigned relax = s->q->relax;
    if (relax == 0)
        return (s->costs->usable[base] >> gi & 1) && !(s->q->avoid_edge && s->q->avoid_edge[base]);
    const net_class *c = &s->q->base->net->classes[be->cls];
    if (!(relax & ROUTE_RELAX_GAUGE) && !route_gauge_ok(c, s->gauges[gi]))
        return false;
    if (!(relax & ROUTE_RELAX_POWER) && s->t->traction == BOGIE_TRACTION_ELECTRIC && !rt_powered(s->t, c) &&
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

static double change_cost(const search *s, uint32_t v, uint16_t g, uint16_t g2, uint32_t *facility)
{
    *facility = BOGIE_NONE;
    return v < s->view->n_nodes ? rt_change_cost_at(s->q->base, s->t, v, g, g2, facility) : -1;
}

/* The stop at via place k of query q. */
static double via_dwell(const route_query *q, uint32_t k)
{
    return q->via_dwell_at ? q->via_dwell_at[k] : q->via_dwell_s;
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
    if (rt_heap_push(&s->pq, cost + pot, cost, st) != 0)
        s->oom = true;
}

/* Offers the gauge changes at node v from state it (on half-edge h, gauge index gi, leg layer). */
static void relax_changes(search *s, const rt_heap_item *it, uint32_t h, size_t gi, uint32_t layer, uint32_t v)
{
    uint16_t g = s->gauges[gi];
    for (size_t g2 = 0; g2 < s->n_gauges; g2++) {
        uint32_t fac;
        double c = g2 == gi ? -1 : change_cost(s, v, g, s->gauges[g2], &fac);
        if (c >= 0 && s->q->by_length)
            c = 0;
        if (c >= 0)
            relax_state(s, state_of(s, h, g2, layer), v, layer, it->cost + c + rt_gauge_order_bias(g2), it->state,
                        RT_STEP_CHANGE);
    }
}

/* Whether the train, having arrived at node v along half-edge h (real or virtual), may reverse there: at a real
 * node where the rule allows it for the base half-edge h runs on (rt_may_reverse), or anywhere when the query
 * relaxes turns. */
static bool may_reverse_at(const search *s, uint32_t h, uint32_t v)
{
    if (s->q->relax & ROUTE_RELAX_TURNS)
        return true;
    if (v >= s->view->n_nodes)
        return false;
    uint32_t base_h = (uint32_t)(rt_base_edge(s->view, h >> 1) - s->q->base->net->edges) << 1 | (h & 1);
    return s->costs->may_reverse[base_h] != 0;
}

/* Whether leaving along h2, having arrived along h (both real or virtual), goes back along the same track: h2 is
 * h's reverse, or runs the other way along the same base edge (a point's piece and the whole edge it splits, or
 * the other way round), which is a reversal as well, not a turn to be judged by the bearings. */
static bool back_along(const search *s, uint32_t h, uint32_t h2)
{
    return h2 == (h ^ 1) || (((h ^ h2) & 1) && rt_base_edge(s->view, h >> 1) == rt_base_edge(s->view, h2 >> 1));
}

/* Offers the half-edges leaving node v from state it (on half-edge h, gauge index gi, leg layer): those the train
 * may use, within the turn rule at every node (rt_turn_limit) and reversing only where rt_may_reverse allows it
 * (unless the query relaxes turns). */
static void relax_moves(search *s, const rt_heap_item *it, uint32_t h, size_t gi, uint32_t layer, uint32_t v)
{
    const route_query *q = s->q;
    const bogie_network *net = q->base->net;
    uint32_t out[256];
    size_t n = rt_view_out(s->view, v, out, sizeof out / sizeof out[0]);
    double limit = v < s->view->n_nodes ? rt_turn_limit(net, v) : NET_MAX_BEND_DEG;
    for (size_t k = 0; k < n; k++) {
        uint32_t h2 = out[k];
        if (!edge_ok(s, h2 >> 1, gi))
            continue;
        uint32_t w = rt_head(s->view, h2);
        if (node_avoided(s, w) && w != place_node(s, layer + 1))
            continue;
        double s0, s1;
        rt_edge_span(s->view, h2 >> 1, &s0, &s1);
        uint32_t base_h = (uint32_t)(rt_base_edge(s->view, h2 >> 1) - net->edges) << 1 | (h2 & 1);
        double c = it->cost + travel_time(s, h2) + rt_change_bias(s->costs, gi, s1 - s0) + rt_tie_jitter(base_h);
        uint8_t kind = RT_STEP_EDGE;
        if (h != s->origin_h) {
            if (back_along(s, h, h2)) {
                if (!may_reverse_at(s, h, v))
                    continue;
                c += s->q->by_length ? 0 : s->t->reversal_s;
                kind = RT_STEP_REVERSAL;
            } else if (!(q->relax & ROUTE_RELAX_TURNS) &&
                       rt_deflection(rt_bearing(s->view, h2), rt_bearing(s->view, h ^ 1)) > limit) {
                continue;
            }
        }
        relax_state(s, state_of(s, h2, gi, layer), w, layer, c, it->state, kind);
    }
}

/* ----- one search ----- */

static void search_free(search *s)
{
    if (s->map.v)
        util_free(s->a, s->map.v, s->map.cap * sizeof *s->map.v);
    VEC_FREE(s->a, s->pq.h);
    rt_costs_release(s->q->base, s->costs);
}

/* For route_reach(): records cost at every place at node v not reached yet; returns how many are left. */
static size_t reach_places(search *s, uint32_t v, double cost)
{
    size_t left = 0;
    for (size_t i = 1; i < s->q->n_places; i++) {
        if (isinf(s->q->reach_cost[i - 1]) && place_node(s, i) == v)
            s->q->reach_cost[i - 1] = cost;
        left += isinf(s->q->reach_cost[i - 1]);
    }
    return left;
}

/* Runs the search; on success *goal is the goal state (route_reach: every place was reached). */
static bogie_status run_search(search *s, uint32_t *goal, bogie_diag *diag)
{
    const route_query *q = s->q;
    s->n_half = 2 * (s->view->n_edges + s->view->n_vedges) + 1;
    s->origin_h = s->n_half - 1;
    s->layers = q->reach_cost ? 1 : (uint32_t)(q->n_places - 1);
    s->n_states = (size_t)s->n_half * s->n_gauges * s->layers;
    if (s->n_states >= UINT32_MAX)
        return util_fail(diag, BOGIE_ERR_LIMIT, "the search space is too large");
    if (!bounds_init(s))
        return BOGIE_ERR_NOT_FOUND;
    s->pq.a = s->a;
    uint32_t origin = place_node(s, 0);
    for (size_t gi = 0; gi < s->n_initial; gi++)
        relax_state(s, state_of(s, s->origin_h, gi, 0), origin, 0, rt_gauge_order_bias(gi), UINT32_MAX,
                    RT_STEP_ORIGIN);
    while (s->pq.h.n > 0) {
        if (s->oom)
            return util_nomem(diag, "searching for a route");
        if ((++s->pops & 1023) == 0 && q->deadline > 0 && util_now() > q->deadline)
            return util_fail(diag, BOGIE_ERR_CANCELLED, "the search for a route took longer than its time limit");
        if (q->max_settled && s->pops > q->max_settled)
            return util_fail(diag, BOGIE_ERR_LIMIT, "the search for a route reached its limit of %zu states",
                             q->max_settled);
        rt_heap_item it = rt_heap_pop(&s->pq);
        if (q->max_cost > 0 && it.key > q->max_cost)
            break; /* the queue's least key bounds every route left below */
        if (it.cost > state_dist(s, it.state))
            continue;
        uint32_t h, layer;
        size_t gi;
        state_parts(s, it.state, &h, &gi, &layer);
        uint32_t v = state_node(s, h);
        if (q->reach_cost) {
            if (reach_places(s, v, it.cost) == 0)
                return BOGIE_OK;
        } else if (v == place_node(s, layer + 1)) { /* reaching the next place */
            if (layer + 2 == q->n_places) {
                *goal = it.state;
                return BOGIE_OK;
            }
            relax_state(s, state_of(s, h, gi, layer + 1), v, layer + 1, it.cost + via_dwell(q, layer + 1), it.state,
                        RT_STEP_VIA);
        }
        relax_changes(s, &it, h, gi, layer, v);
        relax_moves(s, &it, h, gi, layer, v);
    }
    /* A queue emptied by a failed push is no proof that there is no route. */
    if (s->oom)
        return util_nomem(diag, "searching for a route");
    return q->reach_cost ? BOGIE_OK : BOGIE_ERR_NOT_FOUND;
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

/* Walks the parents back from the goal and writes the route's items into res. */
static bogie_status reconstruct(search *s, uint32_t goal, route_result *res, bogie_diag *diag)
{
    VEC(rt_step) steps = {0};
    for (uint32_t st = goal; st != UINT32_MAX; st = smap_find(&s->map, st)->parent) {
        const sslot *x = smap_find(&s->map, st);
        uint32_t h, layer;
        size_t gi;
        state_parts(s, st, &h, &gi, &layer);
        rt_step step = {h, state_node(s, h), layer, s->gauges[gi], x->kind, x->dist};
        if (VEC_PUSH(s->a, steps, step) != 0) {
            VEC_FREE(s->a, steps);
            return util_nomem(diag, "building the route");
        }
    }
    bogie_status rc = rt_items_from_steps(s->q->base, s->t, steps.v, steps.n, res, diag);
    VEC_FREE(s->a, steps);
    return rc;
}

bogie_status rt_search_once(const route_query *q, route_result *res, bogie_diag *diag)
{
    search s;
    memset(&s, 0, sizeof s);
    s.q = q;
    s.t = q->train;
    s.a = q->base->alloc;
    s.view = &res->view;
    bogie_status rc = rt_view_init(&res->view, q->base, q->places, q->n_places, diag);
    if (rc == BOGIE_OK) {
        s.costs = rt_costs_acquire(q->base, q->train);
        if (!s.costs)
            rc = util_nomem(diag, "preparing the train's costs");
    }
    if (rc == BOGIE_OK)
        rc = gather_gauges(&s, diag);
    uint32_t goal = 0;
    if (rc == BOGIE_OK)
        rc = run_search(&s, &goal, diag);
    if (rc == BOGIE_OK && !q->reach_cost)
        rc = reconstruct(&s, goal, res, diag);
    res->settled = s.pops;
    res->reached = s.map.n;
    search_free(&s);
    return rc;
}
