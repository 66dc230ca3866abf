/* alternatives.c: alternative routes between two places (stations, or points on track), by via nodes over the
 * train's contraction hierarchy (Abraham, Delling, Goldberg and Werneck 2013, "Alternative routes in road
 * networks", its X-CHV variant): both
 * directions of the hierarchy's query are searched on to ROUTE_ALT_MAX_STRETCH times the best cost, every state both
 * reached is a candidate via, and the path through a candidate is taken, cheapest first, when it shares at most
 * ROUTE_ALT_MAX_SHARE of its length with the routes already taken and is locally optimal (the T-test). */
#include "route/route_int.h"

#include <string.h>

/* At most this many candidates' paths are unpacked and tested per query: the cost of a query stays bounded on a
 * continental network, where thousands of states lie in both search spaces (assumed; the benchmark measures it). */
#define ALT_MAX_TRIES 64
/* Rounds of the search by penalty (penalty_rounds) at most, each one A* search, and the states those searches may
 * settle in all: on a continental network a penalized A* of a long route settles hundreds of thousands (100 ms),
 * so that there the budget, not the rounds, bounds the query (to a few ms; the hierarchy's vias find most of its
 * alternatives), while on a network of a few thousand states, where the hierarchy's search spaces are too small to
 * offer many vias, every round runs (both figures assumed; bench-route measures the result). A budget, not a time
 * limit, keeps the answer the same on every machine. */
#define ALT_PENALTY_ROUNDS 6
#define ALT_PENALTY_SETTLED 20000

/* A set of 32-bit ids (states or edges), open addressing; UINT32_MAX is never an id. */
typedef struct uset {
    uint32_t *v;
    size_t cap, n;
} uset;

static size_t uset_slot(const uset *s, uint32_t x)
{
    return (size_t)(((uint64_t)x * 0x9E3779B97F4A7C15ull) >> 32) & (s->cap - 1);
}

static bool uset_has(const uset *s, uint32_t x)
{
    if (!s->cap)
        return false;
    for (size_t i = uset_slot(s, x);; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == x)
            return true;
        if (s->v[i] == UINT32_MAX)
            return false;
    }
}

static void uset_put(uset *s, uint32_t x)
{
    size_t i = uset_slot(s, x);
    while (s->v[i] != x && s->v[i] != UINT32_MAX)
        i = (i + 1) & (s->cap - 1);
    if (s->v[i] == UINT32_MAX) {
        s->v[i] = x;
        s->n++;
    }
}

/* Adds x to s (growing it with a); false when out of memory. */
static bool uset_add(const bogie_allocator *a, uset *s, uint32_t x)
{
    if (2 * (s->n + 1) > s->cap) {
        uset m = {NULL, s->cap ? 2 * s->cap : 1024, 0};
        m.v = util_malloc(a, m.cap * sizeof *m.v);
        if (!m.v)
            return false;
        memset(m.v, 0xff, m.cap * sizeof *m.v);
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i] != UINT32_MAX)
                uset_put(&m, s->v[i]);
        if (s->v)
            util_free(a, s->v, s->cap * sizeof *s->v);
        *s = m;
    }
    uset_put(s, x);
    return true;
}

static void uset_free(const bogie_allocator *a, uset *s)
{
    if (s->v)
        util_free(a, s->v, s->cap * sizeof *s->v);
    memset(s, 0, sizeof *s);
}

/* One query's search for alternatives; everything in it is the query's, freed by alt_free. */
typedef struct alt {
    const route_query *q;
    const bogie_allocator *a;
    rt_costs *c;
    const ch *h;
    ch_spaces *sp;
    rt_seeds src, dst;
    double best;
    uset taken;   /* the edges of the routes taken */
    uset tried;   /* the states on the paths unpacked so far */
    uset twice;   /* the edges the fastest route runs more than once (into a reversal and out again) */
} alt;

/* A path through one via, unpacked. */
typedef struct alt_path {
    uint32_t *nodes;
    size_t n, via_at, si, di;
    double cost, len;
} alt_path;

static void alt_free(alt *x)
{
    ch_spaces_free(x->sp);
    rt_seeds_free(x->a, &x->src);
    rt_seeds_free(x->a, &x->dst);
    uset_free(x->a, &x->taken);
    uset_free(x->a, &x->tried);
    uset_free(x->a, &x->twice);
    if (x->c)
        rt_costs_release(x->q->base, x->c);
}

/* The base edge of hierarchy node (state) st. */
static uint32_t state_edge(const alt *x, uint32_t st)
{
    return (uint32_t)((st / x->c->n_gauges) >> 1);
}

/* The path's length along the track, and in *shared the part of it on edges of the routes taken (metres). A gauge
 * change repeats its half-edge in the path and counts once. */
static double path_length(const alt *x, const alt_path *p, double *shared)
{
    const bogie_network *net = x->q->base->net;
    double len = 0;
    *shared = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (i > 0 && p->nodes[i] / x->c->n_gauges == p->nodes[i - 1] / x->c->n_gauges)
            continue;
        uint32_t e = state_edge(x, p->nodes[i]);
        len += net->edges[e].length_m;
        if (uset_has(&x->taken, e))
            *shared += net->edges[e].length_m;
    }
    return len;
}

/* The track p runs a second time (metres), over edges the fastest route does not run twice, into *again: the
 * detour out to a reversal and back that no one would call an alternative. With twice set, those edges are added
 * to x->twice instead (for the fastest route). False when out of memory. */
static bool run_again(alt *x, const alt_path *p, bool twice, double *again)
{
    const bogie_network *net = x->q->base->net;
    uset once = {0};
    bool ok = true;
    *again = 0;
    for (size_t i = 0; i < p->n && ok; i++) {
        if (i > 0 && p->nodes[i] / x->c->n_gauges == p->nodes[i - 1] / x->c->n_gauges)
            continue;
        uint32_t e = state_edge(x, p->nodes[i]);
        if (!uset_has(&once, e))
            ok = uset_add(x->a, &once, e);
        else if (twice)
            ok = uset_add(x->a, &x->twice, e);
        else if (!uset_has(&x->twice, e))
            *again += net->edges[e].length_m;
    }
    uset_free(x->a, &once);
    return ok;
}

/* Adds the path's states to the states tried, and when take is set its edges to the routes taken. */
static bool mark_path(alt *x, const alt_path *p, bool take)
{
    for (size_t i = 0; i < p->n; i++)
        if (!uset_add(x->a, &x->tried, p->nodes[i]) ||
            (take && !uset_add(x->a, &x->taken, state_edge(x, p->nodes[i]))))
            return false;
    return true;
}

/* The T-test: whether the stretch of p around its via, ROUTE_ALT_LOCAL_ALPHA times the best cost long (half on
 * each side, or to the path's ends), is itself a cheapest path. *ok gets the answer. */
static bogie_status locally_optimal(const alt *x, const alt_path *p, bool *ok, bogie_diag *diag)
{
    double *cum = util_malloc(x->a, p->n * sizeof *cum);
    if (!cum)
        return util_nomem(diag, "testing an alternative route");
    cum[0] = 0;
    for (size_t i = 1; i < p->n; i++)
        cum[i] = cum[i - 1] + ch_arc_cost(x->h, p->nodes[i - 1], p->nodes[i]);
    double half = ROUTE_ALT_LOCAL_ALPHA * x->best / 2;
    size_t u = p->via_at, w = p->via_at;
    while (u > 0 && cum[p->via_at] - cum[u] < half)
        u--;
    while (w + 1 < p->n && cum[w] - cum[p->via_at] < half)
        w++;
    double along = cum[w] - cum[u];
    util_free(x->a, cum, p->n * sizeof *cum);
    *ok = true;
    if (u == w)
        return BOGIE_OK;
    ch_seed su = {p->nodes[u], 0, 0}, sw = {p->nodes[w], 0, 0};
    double d, len;
    uint32_t *path;
    size_t n, si, di;
    bogie_status rc = ch_route(x->h, &su, 1, &sw, 1, &d, &len, &path, &n, &si, &di, diag);
    if (rc == BOGIE_ERR_NOT_FOUND)
        *ok = false;
    if (rc != BOGIE_OK)
        return rc == BOGIE_ERR_NOT_FOUND ? BOGIE_OK : rc;
    ch_path_free(x->h, path, n);
    /* Sums of the same arcs in another order: equal within rounding, far below a millisecond. */
    *ok = d >= along - (1e-4 + 1e-9 * along);
    return BOGIE_OK;
}

/* Turns path p into a route in *res (zeroed here; route_result_free frees it). */
static bogie_status path_to_result(const alt *x, const alt_path *p, route_result *res, bogie_diag *diag)
{
    const route_query *q = x->q;
    memset(res, 0, sizeof *res);
    bogie_status rc = rt_view_init(&res->view, q->base, q->places, q->n_places, diag);
    if (rc != BOGIE_OK)
        return rc;
    rt_ch_path cp = rt_seeds_path(q, &x->src, &x->dst, p->nodes, p->n, p->si, p->di, p->cost);
    rc = rt_items_from_hierarchy(q->base, q->train, x->c, &cp, res, diag);
    if (rc == BOGIE_OK)
        rt_items_totals(q->base, q->train, res);
    return rc;
}

static int cmp_via(const void *l, const void *r)
{
    const ch_via *a = l, *b = r;
    return a->cost < b->cost ? -1 : a->cost > b->cost ? 1 : (a->node > b->node) - (a->node < b->node);
}

/* Prepares x for q: the train's costs and hierarchy (built now when missing), the seeds and both search spaces,
 * with the best path's edges taken. */
static bogie_status alt_init(alt *x, const route_query *q, bogie_diag *diag)
{
    memset(x, 0, sizeof *x);
    x->q = q;
    x->a = q->base->alloc;
    x->c = rt_costs_acquire(q->base, q->train);
    if (!x->c)
        return util_nomem(diag, "preparing the train's costs");
    bogie_status rc;
    x->h = rt_hierarchy(q->base, q->train, x->c, true, &rc, diag);
    if (rc != BOGIE_OK)
        return rc;
    route_view v;
    rc = rt_view_init(&v, q->base, q->places, q->n_places, diag);
    if (rc != BOGIE_OK)
        return rc;
    if (!rt_query_seeds(q, x->c, &v, &x->src, &x->dst))
        return util_nomem(diag, "searching for alternative routes");
    rc = ch_spaces_search(x->h, x->src.v.v, x->src.v.n, x->dst.v.v, x->dst.v.n, ROUTE_ALT_MAX_STRETCH, &x->sp,
                          &x->best, diag);
    if (rc != BOGIE_OK)
        return rc;
    alt_path p = {0};
    rc = ch_spaces_path(x->sp, ch_spaces_meet(x->sp), &p.cost, &p.len, &p.nodes, &p.n, &p.via_at, &p.si, &p.di,
                        diag);
    double again;
    if (rc == BOGIE_OK && (!mark_path(x, &p, true) || !run_again(x, &p, true, &again)))
        rc = util_nomem(diag, "searching for alternative routes");
    ch_path_free(x->h, p.nodes, p.n);
    return rc;
}

/* Tests path p (the caller's): when admissible, appends its route to res[*n] with its share in shared[*n]. Its
 * states count as tried either way. */
static bogie_status try_path(alt *x, const alt_path *p, route_result *res, double *shared, size_t *n,
                             bogie_diag *diag)
{
    double sh, again, len = path_length(x, p, &sh);
    if (!run_again(x, p, false, &again))
        return util_nomem(diag, "searching for alternative routes");
    bool ok = p->cost <= ROUTE_ALT_MAX_STRETCH * x->best && len > 0 && sh <= ROUTE_ALT_MAX_SHARE * len &&
              again <= ROUTE_ALT_MAX_AGAIN * len;
    bogie_status rc = BOGIE_OK;
    bool made = false; /* res[*n] holds a route (to free unless it is kept) */
    if (ok)
        rc = locally_optimal(x, p, &ok, diag);
    if (rc == BOGIE_OK && ok) {
        rc = path_to_result(x, p, &res[*n], diag);
        made = true;
    }
    if (rc == BOGIE_OK && !mark_path(x, p, ok))
        rc = util_nomem(diag, "searching for alternative routes");
    if (rc == BOGIE_OK && ok)
        shared[(*n)++] = sh / len;
    else if (made)
        route_result_free(x->a, &res[*n]);
    return rc;
}

/* Tries the path through via, a node of both search spaces. */
static bogie_status try_via(alt *x, uint32_t via, route_result *res, double *shared, size_t *n, bogie_diag *diag)
{
    alt_path p = {0};
    bogie_status rc = ch_spaces_path(x->sp, via, &p.cost, &p.len, &p.nodes, &p.n, &p.via_at, &p.si, &p.di, diag);
    if (rc == BOGIE_OK)
        rc = try_path(x, &p, res, shared, n, diag);
    ch_path_free(x->h, p.nodes, p.n);
    return rc;
}

/* Appends to res[*n ..) the admissible alternatives, cheapest first, up to max routes in all. */
static bogie_status find_alternatives(alt *x, size_t max, route_result *res, double *shared, size_t *n,
                                      bogie_diag *diag)
{
    const ch_via *vias;
    size_t nv;
    bogie_status rc = ch_spaces_vias(x->sp, ROUTE_ALT_MAX_STRETCH * x->best, &vias, &nv, diag);
    if (rc != BOGIE_OK)
        return rc;
    ch_via *order = util_malloc(x->a, (nv ? nv : 1) * sizeof *order);
    if (!order)
        return util_nomem(diag, "searching for alternative routes");
    memcpy(order, vias, nv * sizeof *order);
    util_sort(order, nv, sizeof *order, cmp_via);
    size_t tries = 0;
    for (size_t i = 0; rc == BOGIE_OK && i < nv && *n < max && tries < ALT_MAX_TRIES; i++) {
        if (uset_has(&x->tried, order[i].node))
            continue;
        if (x->q->deadline > 0 && util_now() > x->q->deadline)
            rc = util_fail(diag, BOGIE_ERR_CANCELLED, "the search for alternative routes took longer than its time "
                                                      "limit");
        tries++;
        if (rc == BOGIE_OK)
            rc = try_via(x, order[i].node, res, shared, n, diag);
    }
    util_free(x->a, order, (nv ? nv : 1) * sizeof *order);
    return rc;
}

/* The cheapest path through real half-edge hv, with any gauge on the wheels: from the origin's seeds to a state of
 * hv, then on to the destination's, into *p (ch_path_free frees p->nodes). BOGIE_ERR_NOT_FOUND when there is none. */
static bogie_status path_through(const alt *x, uint32_t hv, alt_path *p, bogie_diag *diag)
{
    size_t g = x->c->n_gauges;
    ch_seed mid[2 * BOGIE_MAX_TRAIN_GAUGES];
    for (size_t gi = 0; gi < g; gi++)
        mid[gi] = (ch_seed){(uint32_t)(hv * g + gi), 0, 0};
    double c1, l1, c2 = 0, l2 = 0;
    uint32_t *p1 = NULL, *p2 = NULL;
    size_t n1 = 0, n2 = 0, di, si2, di2;
    bogie_status rc = ch_route(x->h, x->src.v.v, x->src.v.n, mid, g, &c1, &l1, &p1, &n1, &p->si, &di, diag);
    if (rc == BOGIE_OK) {
        ch_seed from = {p1[n1 - 1], 0, 0};
        rc = ch_route(x->h, &from, 1, x->dst.v.v, x->dst.v.n, &c2, &l2, &p2, &n2, &si2, &di2, diag);
    }
    if (rc == BOGIE_OK) {
        p->n = n1 + n2 - 1;
        p->nodes = util_malloc(x->a, p->n * sizeof *p->nodes);
        if (p->nodes) {
            memcpy(p->nodes, p1, n1 * sizeof *p1);
            memcpy(p->nodes + n1, p2 + 1, (n2 - 1) * sizeof *p2);
        } else {
            p->n = 0;
            rc = util_nomem(diag, "searching for alternative routes");
        }
        p->via_at = n1 - 1;
        p->di = di2;
        p->cost = c1 + c2;
        p->len = l1 + l2;
    }
    ch_path_free(x->h, p1, n1);
    ch_path_free(x->h, p2, n2);
    return rc;
}

/* A stretch of the penalized route off the routes taken: its half-edges from .. to, and its length. */
typedef struct alt_detour {
    size_t from, to;
    double len;
} alt_detour;

static int cmp_detour(const void *l, const void *r)
{
    const alt_detour *a = l, *b = r;
    return a->len > b->len ? -1 : a->len < b->len ? 1 : (a->from > b->from) - (a->from < b->from);
}

/* The real half-edges of the route q finds with penalty pen, settling at most *budget states (less those it
 * settled afterwards), in travel order, into *hs (*cap_hs entries allocated with the query's allocator, *n_hs used;
 * the caller frees it). BOGIE_ERR_NOT_FOUND when there is none, BOGIE_ERR_LIMIT when the budget ran out. */
static bogie_status penalized_route(const alt *x, const float *pen, size_t *budget, size_t *n_hs, size_t *cap_hs,
                                    uint32_t **hs, bogie_diag *diag)
{
    route_query q = *x->q;
    q.penalty = pen;
    q.method = ROUTE_ALT;
    q.explain_failure = false;
    q.max_settled = *budget;
    route_result r;
    bogie_status rc = route_find(&q, &r, diag);
    if (rc != BOGIE_OK)
        return rc;
    *budget -= r.settled < *budget ? r.settled : *budget;
    *cap_hs = r.items.n ? r.items.n : 1;
    *hs = util_malloc(x->a, *cap_hs * sizeof **hs);
    *n_hs = 0;
    if (!*hs)
        rc = util_nomem(diag, "searching for alternative routes");
    for (size_t i = 0; *hs && i < r.items.n; i++)
        if (r.items.v[i].kind == RITEM_EDGE && (r.items.v[i].h >> 1) < x->q->base->net->n_edges)
            (*hs)[(*n_hs)++] = r.items.v[i].h;
    route_result_free(x->a, &r);
    return rc;
}

/* Tries, longest first, the stretches of route hs[0 .. n) off the routes taken: the path through the half-edge
 * halfway along each, until one is admissible. */
static bogie_status try_detours(alt *x, const uint32_t *hs, size_t n, route_result *res, double *shared, size_t *nr,
                                bogie_diag *diag)
{
    const bogie_network *net = x->q->base->net;
    alt_detour *d = util_malloc(x->a, (n ? n : 1) * sizeof *d);
    if (!d)
        return util_nomem(diag, "searching for alternative routes");
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        if (uset_has(&x->taken, hs[i] >> 1))
            continue;
        if (nd == 0 || d[nd - 1].to + 1 != i)
            d[nd++] = (alt_detour){i, i, 0};
        d[nd - 1].to = i;
        d[nd - 1].len += net->edges[hs[i] >> 1].length_m;
    }
    util_sort(d, nd, sizeof *d, cmp_detour);
    bogie_status rc = BOGIE_OK;
    size_t before = *nr;
    for (size_t k = 0; rc == BOGIE_OK && k < nd && k < 3 && *nr == before; k++) {
        size_t m = d[k].from;
        for (double run = 0; m < d[k].to && run + net->edges[hs[m] >> 1].length_m < d[k].len / 2; m++)
            run += net->edges[hs[m] >> 1].length_m;
        alt_path p = {0};
        rc = path_through(x, hs[m], &p, diag);
        if (rc == BOGIE_OK && !uset_has(&x->tried, p.nodes[p.via_at]))
            rc = try_path(x, &p, res, shared, nr, diag);
        if (rc == BOGIE_ERR_NOT_FOUND)
            rc = BOGIE_OK;
        ch_path_free(x->h, p.nodes, p.n);
    }
    util_free(x->a, d, (n ? n : 1) * sizeof *d);
    return rc;
}

/* Appends to res[*n ..) alternatives found by penalty: the route found when the track of the routes taken costs
 * factor times more, its stretches off them tried as vias (a factor doubled, from 2, while nothing new comes of
 * it), for ALT_PENALTY_ROUNDS rounds and ALT_PENALTY_SETTLED settled states at most. */
static bogie_status penalty_rounds(alt *x, size_t max, route_result *res, double *shared, size_t *n, bogie_diag *diag)
{
    size_t nh = 2 * (size_t)x->q->base->net->n_edges;
    float *pen = util_malloc(x->a, (nh ? nh : 1) * sizeof *pen);
    if (!pen)
        return util_nomem(diag, "searching for alternative routes");
    bogie_status rc = BOGIE_OK;
    float factor = 2;
    size_t budget = ALT_PENALTY_SETTLED;
    for (unsigned round = 0; rc == BOGIE_OK && round < ALT_PENALTY_ROUNDS && *n < max && budget > 0; round++) {
        for (size_t h = 0; h < nh; h++)
            pen[h] = 1;
        for (size_t i = 0; i < x->taken.cap; i++)
            if (x->taken.v[i] != UINT32_MAX)
                pen[2 * (size_t)x->taken.v[i]] = pen[2 * (size_t)x->taken.v[i] + 1] = factor;
        uint32_t *hs = NULL;
        size_t n_hs = 0, cap_hs = 0, before = *n;
        rc = penalized_route(x, pen, &budget, &n_hs, &cap_hs, &hs, diag);
        if (rc == BOGIE_OK)
            rc = try_detours(x, hs, n_hs, res, shared, n, diag);
        if (hs)
            util_free(x->a, hs, cap_hs * sizeof *hs);
        if (*n == before)
            factor *= 2;
    }
    if (rc == BOGIE_ERR_NOT_FOUND || rc == BOGIE_ERR_LIMIT)
        rc = BOGIE_OK;
    util_free(x->a, pen, (nh ? nh : 1) * sizeof *pen);
    return rc;
}

/* The base edge of route r's item it (an edge), and in *len the length of the piece of it the item runs. */
static uint32_t item_edge(const route_base *b, const route_result *r, const route_item *it, double *len)
{
    double s0, s1;
    rt_edge_span(&r->view, it->h >> 1, &s0, &s1);
    *len = s1 - s0;
    return (uint32_t)(rt_base_edge(&r->view, it->h >> 1) - b->net->edges);
}

/* Route r's length along the track, and in *shared the part on edges in set taken (metres); a point's virtual
 * piece counts as its base edge. */
static double length_and_shared(const route_base *b, const route_result *r, const uset *taken, double *shared)
{
    double len = 0;
    *shared = 0;
    for (size_t k = 0; k < r->items.n; k++) {
        if (r->items.v[k].kind != RITEM_EDGE)
            continue;
        double l;
        uint32_t e = item_edge(b, r, &r->items.v[k], &l);
        len += l;
        *shared += uset_has(taken, e) ? l : 0;
    }
    return len;
}

static int cmp_cost(const void *l, const void *r)
{
    const route_result *a = *(const route_result *const *)l, *b = *(const route_result *const *)r;
    return a->cost_s < b->cost_s ? -1 : a->cost_s > b->cost_s ? 1 : (a > b) - (a < b);
}

/* Puts the alternatives res[1 .. *n) in the order of their cost and admits them again in that order, each against
 * the fastest and those before it (one found later but cheaper may take more of an earlier one's track): those that
 * now share more than ROUTE_ALT_MAX_SHARE are dropped; shared[] gets the fractions in the new order. */
static bogie_status order_alternatives(const route_base *b, route_result *res, double *shared, size_t *n,
                                       bogie_diag *diag)
{
    route_result *by_cost[BOGIE_MAX_ALTERNATIVES], kept[BOGIE_MAX_ALTERNATIVES];
    for (size_t i = 0; i < *n; i++)
        by_cost[i] = &res[i];
    util_sort(by_cost + 1, *n - 1, sizeof *by_cost, cmp_cost);
    uset taken = {0};
    size_t m = 0;
    bool oom = false;
    for (size_t i = 0; i < *n; i++) {
        double sh, len = length_and_shared(b, by_cost[i], &taken, &sh);
        if (oom || (i > 0 && !(sh <= ROUTE_ALT_MAX_SHARE * len))) {
            route_result_free(b->alloc, by_cost[i]);
            continue;
        }
        const route_item *it = by_cost[i]->items.v;
        for (size_t k = 0; k < by_cost[i]->items.n && !oom; k++) {
            double l;
            oom = it[k].kind == RITEM_EDGE && !uset_add(b->alloc, &taken, item_edge(b, by_cost[i], &it[k], &l));
        }
        shared[m] = i == 0 ? 0 : sh / len;
        kept[m++] = *by_cost[i];
    }
    uset_free(b->alloc, &taken);
    memcpy(res, kept, m * sizeof *res);
    *n = m;
    return oom ? util_nomem(diag, "ordering the alternative routes") : BOGIE_OK;
}

bogie_status route_alternatives(const route_query *q, size_t max, route_result *res, double *shared, size_t *n_res,
                                bool *searched, bogie_diag *diag)
{
    *n_res = 0;
    *searched = false;
    bogie_status rc = route_find(q, &res[0], diag);
    if (rc != BOGIE_OK)
        return rc;
    *n_res = 1;
    shared[0] = 0;
    if (max < 2 || !rt_hierarchy_applies(q))
        return BOGIE_OK;
    *searched = true;
    alt x;
    rc = alt_init(&x, q, diag);
    if (rc == BOGIE_OK)
        rc = find_alternatives(&x, max, res, shared, n_res, diag);
    if (rc == BOGIE_OK && *n_res < max)
        rc = penalty_rounds(&x, max, res, shared, n_res, diag);
    alt_free(&x);
    if (rc == BOGIE_ERR_NOT_FOUND)
        rc = BOGIE_OK; /* nothing more through the hierarchy than the route found: no alternative */
    if (rc == BOGIE_OK)
        rc = order_alternatives(q->base, res, shared, n_res, diag);
    if (rc != BOGIE_OK) {
        for (size_t i = 0; i < *n_res; i++)
            route_result_free(q->base->alloc, &res[i]);
        *n_res = 0;
    }
    return rc;
}
