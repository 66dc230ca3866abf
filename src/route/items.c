/* items.c: turns a found path, from the search's states or from a train's hierarchy, into the route's items (edges
 * travelled, gauge changes, reversals, via stops), and adds up what the output needs to know about them. */
#include "route/route_int.h"

#include <string.h>

/* The item for step st, whose predecessor on the way is prev (NULL at the origin); st is no origin. A reversal
 * step's item is its edge; the caller adds the reversal before it. */
static route_item step_item(const route_base *b, const bogie_train *t, const rt_step *st, const rt_step *prev)
{
    route_item it;
    memset(&it, 0, sizeof it);
    it.facility = BOGIE_NONE;
    it.from_gauge = it.to_gauge = st->gauge;
    it.cost_s = st->dist - (prev ? prev->dist : 0);
    switch (st->kind) {
    case RT_STEP_EDGE:
    case RT_STEP_REVERSAL:
        it.kind = RITEM_EDGE;
        it.h = st->h;
        break;
    case RT_STEP_CHANGE:
        it.kind = RITEM_CHANGE;
        it.node = st->node;
        it.from_gauge = prev->gauge;
        /* The change's own time, as from a hierarchy's path: not the tie-breaking bias the search added. */
        it.cost_s = rt_change_cost_at(b, t, it.node, it.from_gauge, it.to_gauge, &it.facility);
        break;
    case RT_STEP_VIA:
        it.kind = RITEM_VIA;
        it.node = st->node;
        it.via = st->layer;
        break;
    }
    return it;
}

bogie_status rt_items_from_steps(const route_base *b, const bogie_train *t, const rt_step *steps, size_t n,
                                 route_result *res, bogie_diag *diag)
{
    bogie_status rc = BOGIE_OK;
    for (size_t i = n; i-- > 0 && rc == BOGIE_OK;) {
        const rt_step *st = &steps[i];
        if (st->kind == RT_STEP_ORIGIN) {
            res->start_gauge = st->gauge;
            continue;
        }
        route_item it = step_item(b, t, st, i + 1 < n ? &steps[i + 1] : NULL);
        if (st->kind == RT_STEP_REVERSAL) {
            route_item rv = it;
            rv.kind = RITEM_REVERSAL;
            rv.h = 0;
            rv.node = rt_tail(&res->view, st->h);
            rv.cost_s = t->reversal_s;
            it.cost_s -= rv.cost_s;
            if (VEC_PUSH(b->alloc, res->items, rv) != 0)
                rc = util_nomem(diag, "building the route");
        }
        if (rc == BOGIE_OK && VEC_PUSH(b->alloc, res->items, it) != 0)
            rc = util_nomem(diag, "building the route");
    }
    res->cost_s = steps[0].dist;
    res->end_gauge = steps[0].gauge;
    return rc;
}

/* The gauge change the train makes at p's origin before it leaves, into res. */
static bogie_status origin_change(const route_base *b, const bogie_train *t, const rt_costs *c, const rt_ch_path *p,
                                  route_result *res, bogie_diag *diag)
{
    route_item it = {.kind = RITEM_CHANGE, .node = p->origin, .from_gauge = c->gauges[p->start_g],
                     .to_gauge = c->gauges[p->change_g], .facility = BOGIE_NONE};
    it.cost_s = rt_change_cost_at(b, t, p->origin, it.from_gauge, it.to_gauge, &it.facility);
    return VEC_PUSH(b->alloc, res->items, it) != 0 ? util_nomem(diag, "building the route") : BOGIE_OK;
}

/* The edge item of virtual half-edge vh of res's view, run with wheels of gauge: its cost as the search's time. */
static route_item piece_item(const route_base *b, const bogie_train *t, const route_result *res, uint32_t vh,
                             uint16_t gauge)
{
    double s0, s1;
    rt_edge_span(&res->view, vh >> 1, &s0, &s1);
    uint32_t base = rt_vedge(&res->view, vh >> 1)->base;
    return (route_item){.kind = RITEM_EDGE, .h = vh, .from_gauge = gauge, .to_gauge = gauge, .facility = BOGIE_NONE,
                        .cost_s = rt_run_cost(b, t, base, s0, s1, vh & 1)};
}

/* Whether the search, running real half-edge hh of the origin point's edge with gauge index gi, takes the two
 * virtual pieces through the point instead: they are another state at the edge's end, reached by the same move
 * (a turn, or a reversal: search.c's back_along), and the search keeps the cheaper, which rounding and the tie
 * jitter decide (the pieces' times are summed in double, the edge's is a float, and each piece adds the jitter). */
static bool pieces_cheaper(const route_base *b, const bogie_train *t, const rt_costs *c, const route_result *res,
                           const rt_ch_path *p, uint32_t hh, size_t gi)
{
    uint32_t piece[2] = {p->from_point[!(hh & 1)] ^ 1, p->from_point[hh & 1]};
    double whole = (double)c->time[hh] + rt_change_bias(c, gi, b->net->edges[hh >> 1].length_m) + rt_tie_jitter(hh);
    double parts = 0;
    for (int k = 0; k < 2; k++) {
        double s0, s1;
        rt_edge_span(&res->view, piece[k] >> 1, &s0, &s1);
        parts += rt_run_cost(b, t, hh >> 1, s0, s1, hh & 1) + rt_change_bias(c, gi, s1 - s0) + rt_tie_jitter(hh);
    }
    return parts < whole;
}

bogie_status rt_items_from_hierarchy(const route_base *b, const bogie_train *t, const rt_costs *c,
                                     const rt_ch_path *p, route_result *res, bogie_diag *diag)
{
    const bogie_allocator *a = b->alloc;
    size_t g = c->n_gauges;
    res->start_gauge = c->gauges[p->start_g];
    bogie_status rc = p->change_g != UINT32_MAX ? origin_change(b, t, c, p, res, diag) : BOGIE_OK;
    /* From a point, the first half-edge is the piece from the point; the search runs that edge again as the two
     * pieces through the point, or whole, whichever costs less. */
    bool point = p->from_point[0] != UINT32_MAX && p->from_point[1] != UINT32_MAX;
    uint32_t e0 = (uint32_t)(p->nodes[0] / g) >> 1;
    for (size_t i = 0; i < p->n && rc == BOGIE_OK; i++) {
        uint32_t hh = (uint32_t)(p->nodes[i] / g), gi = (uint32_t)(p->nodes[i] % g);
        route_item it = {.kind = RITEM_EDGE, .h = hh, .from_gauge = c->gauges[gi], .to_gauge = c->gauges[gi],
                         .facility = BOGIE_NONE, .cost_s = c->time[hh]};
        bool through = point && i > 0 && (hh >> 1) == e0 && p->nodes[i - 1] / g != hh &&
                       pieces_cheaper(b, t, c, res, p, hh, gi);
        if (point && (i == 0 || through))
            it = piece_item(b, t, res, p->from_point[hh & 1], c->gauges[gi]);
        route_item to_point = through ? piece_item(b, t, res, p->from_point[!(hh & 1)] ^ 1, it.to_gauge) : it;
        if (i > 0) {
            uint32_t ph = (uint32_t)(p->nodes[i - 1] / g), pg = (uint32_t)(p->nodes[i - 1] % g);
            if (ph == hh) {
                /* The same half-edge with other wheels: a gauge change at its head. */
                it.kind = RITEM_CHANGE;
                it.h = 0;
                it.node = rt_real_head(b->net, hh);
                it.from_gauge = c->gauges[pg];
                it.cost_s = rt_change_cost_at(b, t, it.node, it.from_gauge, it.to_gauge, &it.facility);
            } else if (hh == (ph ^ 1)) {
                route_item rv = it;
                rv.kind = RITEM_REVERSAL;
                rv.h = 0;
                rv.node = rt_real_head(b->net, ph);
                rv.cost_s = t->reversal_s;
                if (VEC_PUSH(a, res->items, rv) != 0)
                    rc = util_nomem(diag, "building the route");
            }
        }
        if (rc == BOGIE_OK && through && VEC_PUSH(a, res->items, to_point) != 0)
            rc = util_nomem(diag, "building the route");
        if (rc == BOGIE_OK && VEC_PUSH(a, res->items, it) != 0)
            rc = util_nomem(diag, "building the route");
    }
    res->end_gauge = c->gauges[p->nodes[p->n - 1] % g];
    route_item last = p->last_vh != UINT32_MAX ? piece_item(b, t, res, p->last_vh, res->end_gauge) : (route_item){0};
    if (rc == BOGIE_OK && p->last_vh != UINT32_MAX && VEC_PUSH(a, res->items, last) != 0)
        rc = util_nomem(diag, "building the route");
    res->cost_s = p->cost;
    return rc;
}

void rt_items_totals(const route_base *b, const bogie_train *t, route_result *res)
{
    for (size_t i = 0; i < res->items.n; i++) {
        const route_item *it = &res->items.v[i];
        if (it->kind != RITEM_EDGE)
            continue;
        const net_edge *e = rt_base_edge(&res->view, it->h >> 1);
        const net_class *c = &b->net->classes[e->cls];
        double s0, s1;
        rt_edge_span(&res->view, it->h >> 1, &s0, &s1);
        if (c->n_gauge == 0)
            res->unknown_gauge_m += s1 - s0;
        if (!rt_powered(t, c))
            res->unpowered_m += s1 - s0;
    }
}

double rt_items_length(const route_result *res)
{
    double total = 0;
    for (size_t m = 0; m < res->items.n; m++)
        if (res->items.v[m].kind == RITEM_EDGE) {
            double s0, s1;
            rt_edge_span(&res->view, res->items.v[m].h >> 1, &s0, &s1);
            total += s1 - s0;
        }
    return total;
}

void route_result_free(const bogie_allocator *alloc, route_result *res)
{
    VEC_FREE(alloc, res->items);
}
