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
    VEC_FREE(a, s->vh);
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

/* The virtual half-edge of view v that leaves real node x along base edge e (the first or last piece of its chain),
 * or UINT32_MAX when e holds no point. */
static uint32_t piece_leaving(const route_view *v, uint32_t e, uint32_t x)
{
    const net_edge *be = &v->b->net->edges[e];
    for (uint32_t k = 0; k < v->n_vedges; k++) {
        const route_vedge *ve = &v->vedges[k];
        if (ve->base != e)
            continue;
        if (ve->from == x && x == be->from)
            return (v->n_edges + k) << 1;
        if (ve->to == x && x == be->to)
            return (v->n_edges + k) << 1 | 1;
    }
    return UINT32_MAX;
}

/* The bearings the search may see leaving real node x along real half-edge h: its own, and when its edge holds a
 * point, the virtual piece's (view.c measures it to the point or 50 m along). Returns how many (1 or 2). */
static size_t bearings_leaving(const route_view *v, uint32_t h, uint32_t x, float out[2])
{
    out[0] = v->b->dep_bearing[h];
    uint32_t vh = piece_leaving(v, h >> 1, x);
    if (vh == UINT32_MAX)
        return 1;
    out[1] = rt_bearing(v, vh);
    return 2;
}

/* Whether the turn rule decides every move at real node x (the end of a point's edge) alike whichever bearings the
 * search takes for a split edge, the real half-edge's or its virtual piece's: the hierarchy knows only the first. */
static bool turns_agree_at(const route_view *v, uint32_t x)
{
    const bogie_network *net = v->b->net;
    double limit = rt_turn_limit(net, x);
    for (uint32_t ki = net->node_adj[x]; ki < net->node_adj[x + 1]; ki++)
        for (uint32_t ko = net->node_adj[x]; ko < net->node_adj[x + 1]; ko++) {
            float bi[2], bo[2];
            size_t ni = bearings_leaving(v, net->adj[ki], x, bi), no = bearings_leaving(v, net->adj[ko], x, bo);
            if (ki == ko || (ni == 1 && no == 1))
                continue;
            bool turn = rt_deflection(bo[0], bi[0]) > limit;
            for (size_t i = 0; i < ni; i++)
                for (size_t o = 0; o < no; o++)
                    if ((rt_deflection(bo[o], bi[i]) > limit) != turn)
                        return false;
        }
    return true;
}

/* The virtual piece of view v ending (arrive set) or starting at the point of place i: the half-edge running it
 * toward or away from the point in direction back, and its real half-edge in *real. */
static uint32_t piece_at_point(const route_view *v, size_t i, bool arrive, bool back, uint32_t *real)
{
    uint32_t node = v->vnode_of_place[i];
    for (uint32_t k = 0; k < v->n_vedges; k++) {
        const route_vedge *ve = &v->vedges[k];
        /* Forward, a piece arriving ends at the point; backward, it starts there. */
        if ((arrive != back ? ve->to : ve->from) == node) {
            *real = ve->base << 1 | back;
            return (v->n_edges + k) << 1 | back;
        }
    }
    *real = UINT32_MAX;
    return UINT32_MAX;
}

/* Whether the search may run through the origin's point from one piece of its edge to the other (the turn rule at
 * a virtual node, where the track may bend): a train that turns back at an end of the edge (to change gauge there,
 * say) may run back past the point on the pieces, which the hierarchy counts as the whole edge. */
static bool through_origin(const route_view *v)
{
    uint32_t real, fwd = piece_at_point(v, 0, false, false, &real), back = piece_at_point(v, 0, false, true, &real);
    return fwd != UINT32_MAX && back != UINT32_MAX &&
           rt_deflection(rt_bearing(v, fwd), rt_bearing(v, back)) <= NET_MAX_BEND_DEG;
}

/* Whether the hierarchy answers q's points exactly as the search does (see rt_hierarchy_applies). */
static bool points_exact(const route_query *q)
{
    const route_place *p = q->places;
    const bogie_network *net = q->base->net;
    if (p[0].is_point && p[1].is_point && p[0].edge == p[1].edge)
        return false;
    for (size_t i = 0; i < 2; i++) {
        if (!p[i].is_point)
            continue;
        const net_edge *e = &net->edges[p[i].edge];
        /* An origin station at an end of the destination's edge reaches the point without a state in between. */
        if (e->from == e->to || (i == 1 && !p[0].is_point && (p[0].node == e->from || p[0].node == e->to)))
            return false;
    }
    route_view v;
    bogie_diag d = {0};
    if (rt_view_init(&v, q->base, p, 2, &d) != BOGIE_OK)
        return false;
    for (size_t i = 0; i < 2; i++)
        if (p[i].is_point && (!turns_agree_at(&v, net->edges[p[i].edge].from) ||
                              !turns_agree_at(&v, net->edges[p[i].edge].to)))
            return false;
    return !p[0].is_point || through_origin(&v);
}

bool rt_hierarchy_applies(const route_query *q)
{
    if (!(q->n_places == 2 && q->relax == 0 && !q->avoid_node && !q->avoid_edge && !q->penalty && !q->by_length &&
          q->max_cost <= 0))
        return false;
    return (!q->places[0].is_point && !q->places[1].is_point) || points_exact(q);
}

/* The search's cost of running virtual half-edge vh of view v with gauge index gi: as search.c's moves price it. */
static double piece_cost(const route_base *b, const bogie_train *t, const rt_costs *c, const route_view *v,
                         uint32_t vh, size_t gi, double *len)
{
    double s0, s1;
    rt_edge_span(v, vh >> 1, &s0, &s1);
    uint32_t base = rt_vedge(v, vh >> 1)->base;
    *len = s1 - s0;
    return rt_run_cost(b, t, base, s0, s1, vh & 1) + rt_change_bias(c, gi, s1 - s0) +
           rt_tie_jitter(base << 1 | (vh & 1));
}

/* Appends seed sd of a point, with its starting gauge og and its virtual piece vh, to out (grown with a, which
 * rt_seeds_free frees); false when out of memory. */
static bool push_seed(const bogie_allocator *a, rt_seeds *out, ch_seed sd, uint32_t og, uint32_t vh)
{
    return VEC_PUSH(a, out->v, sd) == 0 && VEC_PUSH(a, out->origin_g, og) == 0 &&
           VEC_PUSH(a, out->change_g, UINT32_MAX) == 0 && VEC_PUSH(a, out->vh, vh) == 0;
}

/* Appends the seeds of an origin given as place 0, a point of view v: the states of having run from the point to
 * either end of its edge, with each gauge the train starts with (no change at a point), at the search's cost. */
static bool point_source_seeds(const route_base *b, const rt_costs *c, const route_view *v, const bogie_train *t,
                               rt_seeds *out)
{
    size_t g = c->n_gauges;
    for (int back = 0; back < 2; back++) {
        uint32_t h, vh = piece_at_point(v, 0, false, back, &h);
        for (size_t gi = 0; vh != UINT32_MAX && gi < c->n_initial; gi++) {
            if (!(c->usable[h >> 1] >> gi & 1))
                continue;
            double len, cost = rt_gauge_order_bias(gi) + piece_cost(b, t, c, v, vh, gi, &len);
            if (!push_seed(b->alloc, out, (ch_seed){(uint32_t)(h * g + gi), cost, len}, (uint32_t)gi, vh))
                return false;
        }
    }
    return true;
}

/* Appends the seeds of a destination given as place 1, a point of view v: the states from which the search may
 * move onto the piece of its edge that runs to the point (within the turn rule, no reversal onto a piece), each
 * with the cost of running that piece. */
static bool point_target_seeds(const route_base *b, const rt_costs *c, const route_view *v, const bogie_train *t,
                               rt_seeds *out)
{
    const bogie_network *net = b->net;
    size_t g = c->n_gauges;
    for (int back = 0; back < 2; back++) {
        uint32_t hf, vh = piece_at_point(v, 1, true, back, &hf);
        if (vh == UINT32_MAX)
            continue;
        uint32_t x = rt_real_head(net, hf ^ 1);
        double limit = rt_turn_limit(net, x);
        for (uint32_t k = net->node_adj[x]; k < net->node_adj[x + 1]; k++) {
            uint32_t h = net->adj[k] ^ 1;
            if (h == (hf ^ 1) || rt_deflection(b->dep_bearing[hf], b->dep_bearing[h ^ 1]) > limit)
                continue;
            for (size_t gi = 0; gi < g; gi++) {
                if (!(c->usable[hf >> 1] >> gi & 1))
                    continue;
                double len, cost = piece_cost(b, t, c, v, vh, gi, &len);
                if (!push_seed(b->alloc, out, (ch_seed){(uint32_t)(h * g + gi), cost, len}, UINT32_MAX, vh))
                    return false;
            }
        }
    }
    return true;
}

bool rt_query_seeds(const route_query *q, const rt_costs *c, const route_view *v, rt_seeds *src, rt_seeds *dst)
{
    const route_base *b = q->base;
    const route_place *p = q->places;
    bool ok = p[0].is_point ? point_source_seeds(b, c, v, q->train, src)
                            : rt_source_seeds(b, q->train, c, p[0].node, src);
    return ok && (p[1].is_point ? point_target_seeds(b, c, v, q->train, dst) : rt_target_seeds(b, c, p[1].node, dst));
}

rt_ch_path rt_seeds_path(const route_query *q, const rt_seeds *src, const rt_seeds *dst, const uint32_t *nodes,
                         size_t n, size_t si, size_t di, double cost)
{
    rt_ch_path p = {nodes, n, q->places[0].node, src->origin_g.v[si], src->change_g.v[si], cost,
                    {UINT32_MAX, UINT32_MAX}, di < dst->vh.n ? dst->vh.v[di] : UINT32_MAX};
    for (size_t k = 0; k < src->vh.n; k++)
        p.from_point[src->vh.v[k] & 1] = src->vh.v[k];
    return p;
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
    if (!rt_query_seeds(q, c, &res->view, &src, &dst)) {
        rt_seeds_free(a, &src);
        rt_seeds_free(a, &dst);
        return util_nomem(diag, "searching for a route");
    }
    double cost, len;
    uint32_t *path = NULL;
    size_t n_path = 0, si = 0, di = 0;
    rc = ch_route(h, src.v.v, src.v.n, dst.v.v, dst.v.n, &cost, &len, &path, &n_path, &si, &di, diag);
    if (rc == BOGIE_OK) {
        rt_ch_path p = rt_seeds_path(q, &src, &dst, path, n_path, si, di, cost);
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
