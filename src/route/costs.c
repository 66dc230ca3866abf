/* costs.c: each train's costs over the whole network (the time to run every half-edge at the limits, which gauges
 * may use every edge, the unpowered runs an electric train must coast), built at its first query and kept in a
 * small cache shared by the planner's threads. */
#include "route/route_int.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#define COST_SLOTS 8

struct route_cost_cache {
    pthread_mutex_t lock;
    rt_costs *slot[COST_SLOTS];
    uint64_t clock;
};

/* ----- traversal times ----- */

static double curve_limit_ms(const bogie_train *t, uint16_t r1, uint16_t r2)
{
    uint16_t r = r1 < r2 ? r1 : r2;
    if (r == NET_NO_RADIUS || r >= NET_MAX_RADIUS)
        return INFINITY;
    return sqrt(t->curve_lateral_ms2 * r);
}

double rt_span_time(const route_base *b, const bogie_train *t, const net_edge *e, double s0, double s1,
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

double rt_border_stops(const route_base *b, uint32_t e, double s0, double s1)
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

double rt_run_cost(const route_base *b, const bogie_train *t, uint32_t e, double s0, double s1, bool backward)
{
    const net_edge *ed = &b->net->edges[e];
    double f = rt_direction_factor(t, &b->net->classes[ed->cls], backward);
    return rt_span_time(b, t, ed, s0, s1, backward) * f + rt_border_stops(b, e, s0, s1);
}

/* ----- one train's costs ----- */

static void cost_key_of(const bogie_train *t, rt_cost_key *k)
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
    k->length_m = t->length_m;
    k->wrong_track_pct = t->wrong_track_pct;
}

/* Frees c (allocated with b->alloc) and its hierarchy; c may be NULL. */
static void costs_free(const route_base *b, rt_costs *c)
{
    if (!c)
        return;
    ch_free(atomic_load(&c->hier));
    pthread_mutex_destroy(&c->ch_lock);
    size_t ne = b->net->n_edges ? b->net->n_edges : 1;
    util_free(b->alloc, c->time, 2 * ne * sizeof *c->time);
    util_free(b->alloc, c->usable, ne);
    util_free(b->alloc, c->may_reverse, 2 * ne);
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

/* For an electric train, each unpowered edge's run: the total length of the unpowered edges joined to it, through
 * any node but a railway crossing (where tracks cross without connecting). A gap is the whole unwired stretch,
 * whatever the switches inside it: a train that enters it may have to coast all of it, and a stretch no longer
 * than the train can coast is safe whichever way the train runs through it. Fills gap (n_edges entries, the
 * caller's, zeroed by the caller). */
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
        if (net->node_flags[v] & NET_NODE_CROSSING)
            continue;
        uint32_t first = BOGIE_NONE;
        for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1]; k++) {
            uint32_t c = net->adj[k] >> 1;
            if (rt_powered(t, &net->classes[net->edges[c].cls]))
                continue;
            if (first == BOGIE_NONE) {
                first = c;
                continue;
            }
            uint32_t ra = find_root(parent, first), rc = find_root(parent, c);
            if (ra != rc)
                parent[rc] = ra;
        }
    }
    /* Each run's length goes to its root, then back to every edge of the run. */
    for (int round = 0; round < 2; round++)
        for (uint32_t e = 0; e < ne; e++) {
            if (rt_powered(t, &net->classes[net->edges[e].cls]))
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

/* The search's gauges of train t into c: the train's, then those it can change to, each once. */
static void list_gauges(const bogie_train *t, rt_costs *c)
{
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
}

/* Fills c's times and usable gauges of every edge, and its top speed. */
static void cost_edges(const route_base *b, const bogie_train *t, rt_costs *c)
{
    const bogie_network *net = b->net;
    double v_cap = 0;
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const net_edge *ed = &net->edges[e];
        const net_class *cl = &net->classes[ed->cls];
        for (int dir = 0; dir < 2; dir++) {
            c->time[2 * (size_t)e + dir] = (float)rt_run_cost(b, t, e, 0, ed->length_m, dir);
            c->may_reverse[2 * (size_t)e + dir] = rt_may_reverse(b, t, 2 * e + (uint32_t)dir);
            double v = route_line_limit_kmh(b, t, ed, dir, NULL) / 3.6;
            if (v > v_cap)
                v_cap = v;
        }
        bool wired = t->traction != BOGIE_TRACTION_ELECTRIC || rt_powered(t, cl) || c->gap_run[e] <= t->max_gap_m;
        for (size_t gi = 0; gi < c->n_gauges && wired; gi++)
            if (route_gauge_ok(cl, c->gauges[gi]))
                c->usable[e] |= (uint8_t)(1u << gi);
    }
    c->v_cap_ms = v_cap > 0 ? v_cap : t->max_speed_ms;
}

/* Builds train t's costs over the whole network (allocated with b->alloc; freed by costs_free); NULL when out of
 * memory. */
static rt_costs *costs_build(const route_base *b, const bogie_train *t)
{
    size_t ne = b->net->n_edges ? b->net->n_edges : 1;
    rt_costs *c = util_calloc(b->alloc, 1, sizeof *c);
    if (!c)
        return NULL;
    cost_key_of(t, &c->key);
    if (pthread_mutex_init(&c->ch_lock, NULL) != 0) {
        util_free(b->alloc, c, sizeof *c);
        return NULL;
    }
    c->time = util_malloc(b->alloc, 2 * ne * sizeof *c->time);
    c->usable = util_calloc(b->alloc, ne, 1);
    c->may_reverse = util_calloc(b->alloc, 2 * ne, 1);
    if (t->traction == BOGIE_TRACTION_ELECTRIC)
        c->gap_run = util_calloc(b->alloc, ne, sizeof *c->gap_run);
    if (!c->time || !c->usable || !c->may_reverse || (t->traction == BOGIE_TRACTION_ELECTRIC && !c->gap_run) ||
        (c->gap_run && compute_gaps(b, t, c->gap_run) != BOGIE_OK)) {
        costs_free(b, c);
        return NULL;
    }
    list_gauges(t, c);
    cost_edges(b, t, c);
    return c;
}

/* ----- the cache ----- */

bogie_status rt_cache_new(route_cost_cache **out, const bogie_allocator *alloc)
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

void rt_cache_free(const route_base *b, route_cost_cache *cc)
{
    if (!cc)
        return;
    for (size_t i = 0; i < COST_SLOTS; i++)
        costs_free(b, cc->slot[i]);
    pthread_mutex_destroy(&cc->lock);
    util_free(b->alloc, cc, sizeof *cc);
}

rt_costs *rt_costs_acquire(const route_base *b, const bogie_train *t)
{
    route_cost_cache *cc = b->costs;
    rt_cost_key key;
    cost_key_of(t, &key);
    pthread_mutex_lock(&cc->lock);
    rt_costs *c = NULL;
    size_t victim = COST_SLOTS;
    for (size_t i = 0; i < COST_SLOTS && !c; i++) {
        rt_costs *x = cc->slot[i];
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

void rt_costs_release(const route_base *b, rt_costs *c)
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
