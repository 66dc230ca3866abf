/* hierarchy.c: the contraction hierarchy of a train's state graph (ch.c contracts and queries it): building the
 * graph with the same moves as the search, keeping the hierarchy with the train's costs, and answering routes and
 * tables between stations from it. */
#include "route/route_int.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

/* The hierarchy's nodes are the search's states over real half-edges without legs: h * n_gauges + gi. */

/* The state graph's arcs in the making, parallel arrays. */
typedef struct arcs {
    VEC(uint32_t) to;
    VEC(double) cost;
    VEC(double) len;
} arcs;

/* Appends to out the arcs leaving state (h, gi): on along the track within the turn rule (rt_turn_limit), reversing
 * where the train may (rt_may_reverse), changing gauge; false when out of memory. The same moves as the search's. */
static bool state_arcs(const route_base *b, const bogie_train *t, const rt_costs *c, uint32_t h, size_t gi,
                       arcs *out)
{
    const bogie_network *net = b->net;
    const bogie_allocator *a = b->alloc;
    size_t g = c->n_gauges;
    uint32_t v = rt_real_head(net, h);
    double limit = rt_turn_limit(net, v);
    bool oom = false;
    for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1] && !oom; k++) {
        uint32_t h2 = net->adj[k];
        if (!(c->usable[h2 >> 1] >> gi & 1))
            continue;
        bool reversal = h2 == (h ^ 1);
        if (reversal && !c->may_reverse[h])
            continue;
        if (!reversal && rt_deflection(b->dep_bearing[h2], b->dep_bearing[h ^ 1]) > limit)
            continue;
        oom = VEC_PUSH(a, out->to, (uint32_t)(h2 * g + gi)) != 0 ||
              VEC_PUSH(a, out->cost, (double)c->time[h2] + (reversal ? t->reversal_s : 0) +
                                         rt_change_bias(c, gi, net->edges[h2 >> 1].length_m) + rt_tie_jitter(h2)) != 0 ||
              VEC_PUSH(a, out->len, (double)net->edges[h2 >> 1].length_m) != 0;
    }
    for (size_t g2 = 0; g2 < g && !oom; g2++) {
        uint32_t fac;
        double cc = g2 == gi ? -1 : rt_change_cost_at(b, t, v, c->gauges[gi], c->gauges[g2], &fac);
        if (cc >= 0)
            oom = VEC_PUSH(a, out->to, (uint32_t)(h * g + g2)) != 0 ||
                  VEC_PUSH(a, out->cost, cc + rt_gauge_order_bias(g2)) != 0 ||
                  VEC_PUSH(a, out->len, 0.0) != 0;
    }
    return !oom;
}

bogie_status rt_state_graph(const route_base *b, const bogie_train *t, const rt_costs *c, rt_graph *out,
                            bogie_diag *diag)
{
    const bogie_allocator *a = b->alloc;
    size_t g = c->n_gauges, nh = 2 * (size_t)b->net->n_edges, n = nh * g;
    memset(out, 0, sizeof *out);
    if (n >= UINT32_MAX / 2)
        return util_fail(diag, BOGIE_ERR_LIMIT, "the network is too large for a hierarchy");
    uint32_t *first = util_malloc(a, (n + 1) * sizeof *first);
    arcs arc = {{0}, {0}, {0}};
    bool oom = !first;
    for (uint32_t h = 0; h < nh && !oom; h++)
        for (size_t gi = 0; gi < g && !oom; gi++) {
            first[h * g + gi] = (uint32_t)arc.to.n;
            oom = !state_arcs(b, t, c, h, gi, &arc);
        }
    if (first && !oom)
        first[n] = (uint32_t)arc.to.n;
    *out = (rt_graph){{(uint32_t)n, first, arc.to.v, arc.cost.v, arc.len.v, 0}, arc.to.cap, arc.cost.cap, arc.len.cap};
    if (!oom)
        return BOGIE_OK;
    rt_state_graph_free(b, out);
    return util_nomem(diag, "building the train's hierarchy");
}

void rt_state_graph_free(const route_base *b, rt_graph *g)
{
    const bogie_allocator *a = b->alloc;
    if (g->in.first)
        util_free(a, (void *)g->in.first, ((size_t)g->in.n + 1) * sizeof *g->in.first);
    if (g->in.to)
        util_free(a, (void *)g->in.to, g->cap_to * sizeof *g->in.to);
    if (g->in.cost)
        util_free(a, (void *)g->in.cost, g->cap_cost * sizeof *g->in.cost);
    if (g->in.len)
        util_free(a, (void *)g->in.len, g->cap_len * sizeof *g->in.len);
    memset(g, 0, sizeof *g);
}

/* The threads a contraction takes by default: one per core the machine has online, at most 4 (each needs 16 bytes
 * per state for its searches). */
static unsigned contraction_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4 ? 4 : (unsigned)n;
}

/* Builds c's hierarchy into *out (allocated with b->alloc; ch_free frees it): the state graph with the same moves,
 * turns, reversals and gauge changes as the search. */
static bogie_status build_hierarchy(const route_base *b, const bogie_train *t, const rt_costs *c, ch **out,
                                    bogie_diag *diag)
{
    rt_graph g;
    bogie_status rc = rt_state_graph(b, t, c, &g, diag);
    g.in.threads = b->ch_threads ? b->ch_threads : contraction_threads();
    if (rc == BOGIE_OK)
        rc = ch_build(&g.in, b->alloc, out, diag);
    rt_state_graph_free(b, &g);
    return rc;
}

ch *rt_hierarchy(const route_base *b, const bogie_train *t, rt_costs *c, bool build, bogie_status *rc,
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
    rt_costs *c = rt_costs_acquire(b, train);
    if (!c)
        return util_nomem(diag, "preparing the train's costs");
    bogie_status rc;
    rt_hierarchy(b, train, c, true, &rc, diag);
    rt_costs_release(b, c);
    return rc;
}

/* ----- queries ----- */

void rt_seeds_free(const bogie_allocator *a, rt_seeds *s)
{
    VEC_FREE(a, s->v);
    VEC_FREE(a, s->origin_g);
    VEC_FREE(a, s->change_g);
}

bool rt_source_seeds(const route_base *b, const bogie_train *t, const rt_costs *c, uint32_t s, rt_seeds *out)
{
    const bogie_network *net = b->net;
    size_t g = c->n_gauges;
    for (size_t g0 = 0; g0 < c->n_initial; g0++)
        for (size_t g1 = 0; g1 < g; g1++) {
            uint32_t fac;
            double cc = g1 == g0 ? 0 : rt_change_cost_at(b, t, s, c->gauges[g0], c->gauges[g1], &fac);
            if (cc < 0)
                continue;
            /* Entering the state of each gauge costs what it costs the search (rt_gauge_order_bias). */
            cc += rt_gauge_order_bias(g0) + (g1 == g0 ? 0 : rt_gauge_order_bias(g1));
            for (uint32_t k = net->node_adj[s]; k < net->node_adj[s + 1]; k++) {
                uint32_t h = net->adj[k];
                if (!(c->usable[h >> 1] >> g1 & 1))
                    continue;
                double len = net->edges[h >> 1].length_m;
                ch_seed sd = {(uint32_t)(h * g + g1), cc + c->time[h] + rt_change_bias(c, g1, len) + rt_tie_jitter(h),
                              len};
                if (VEC_PUSH(b->alloc, out->v, sd) != 0 || VEC_PUSH(b->alloc, out->origin_g, (uint32_t)g0) != 0 ||
                    VEC_PUSH(b->alloc, out->change_g, g1 == g0 ? UINT32_MAX : (uint32_t)g1) != 0)
                    return false;
            }
        }
    return true;
}

bool rt_target_seeds(const route_base *b, const rt_costs *c, uint32_t t, rt_seeds *out)
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

bool rt_hierarchy_applies(const route_query *q)
{
    return q->n_places == 2 && !q->places[0].is_point && !q->places[1].is_point && q->relax == 0 &&
           !q->avoid_node && !q->avoid_edge && !q->penalty && !q->by_length && q->max_cost <= 0;
}

bogie_status rt_hierarchy_route(const route_query *q, const rt_costs *c, const ch *h, route_result *res,
                                bogie_diag *diag)
{
    const route_base *b = q->base;
    const bogie_allocator *a = b->alloc;
    bogie_status rc = rt_view_init(&res->view, b, q->places, q->n_places, diag);
    if (rc != BOGIE_OK)
        return rc;
    rt_seeds src = {0}, dst = {0};
    if (!rt_source_seeds(b, q->train, c, q->places[0].node, &src) || !rt_target_seeds(b, c, q->places[1].node, &dst)) {
        rt_seeds_free(a, &src);
        rt_seeds_free(a, &dst);
        return util_nomem(diag, "searching for a route");
    }
    double cost, len;
    uint32_t *path = NULL;
    size_t n_path = 0, si = 0, di = 0;
    rc = ch_route(h, src.v.v, src.v.n, dst.v.v, dst.v.n, &cost, &len, &path, &n_path, &si, &di, diag);
    if (rc == BOGIE_OK) {
        rt_ch_path p = {path, n_path, q->places[0].node, src.origin_g.v[si], src.change_g.v[si], cost};
        rc = rt_items_from_hierarchy(b, q->train, c, &p, res, diag);
        ch_path_free(h, path, n_path);
    }
    rt_seeds_free(a, &src);
    rt_seeds_free(a, &dst);
    return rc;
}

bogie_status rt_hierarchy_matrix(const route_base *b, const bogie_train *train, const rt_costs *c, const ch *h,
                                 const route_place *src, size_t n_src, const route_place *dst, size_t n_dst,
                                 double *cost, double *len, bogie_diag *diag)
{
    const bogie_allocator *a = b->alloc;
    rt_seeds *ss = util_calloc(a, n_src ? n_src : 1, sizeof *ss), *ds = util_calloc(a, n_dst ? n_dst : 1, sizeof *ds);
    const ch_seed **sp = util_calloc(a, n_src ? n_src : 1, sizeof *sp);
    const ch_seed **dp = util_calloc(a, n_dst ? n_dst : 1, sizeof *dp);
    size_t *sn = util_calloc(a, n_src ? n_src : 1, sizeof *sn), *dn = util_calloc(a, n_dst ? n_dst : 1, sizeof *dn);
    bool ok = ss && ds && sp && dp && sn && dn;
    for (size_t i = 0; ok && i < n_src; i++) {
        ok = rt_source_seeds(b, train, c, src[i].node, &ss[i]);
        sp[i] = ss[i].v.v;
        sn[i] = ss[i].v.n;
    }
    for (size_t i = 0; ok && i < n_dst; i++) {
        ok = rt_target_seeds(b, c, dst[i].node, &ds[i]);
        dp[i] = ds[i].v.v;
        dn[i] = ds[i].v.n;
    }
    bogie_status rc =
        ok ? ch_matrix(h, sp, sn, n_src, dp, dn, n_dst, cost, len, diag) : util_nomem(diag, "computing a table");
    for (size_t i = 0; ss && i < n_src; i++)
        rt_seeds_free(a, &ss[i]);
    for (size_t i = 0; ds && i < n_dst; i++)
        rt_seeds_free(a, &ds[i]);
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
    return rc;
}
