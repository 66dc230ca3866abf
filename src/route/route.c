/* route.c: the entry points of the search for a train's fastest route: the per-network base a planner prepares
 * once, route_find (the train's hierarchy when it applies, else A* with landmarks, and an explanation when there is
 * no route) and route_matrix. The other files of route/ (route_int.h lists them) do the work. */
#include "route/route_int.h"

#include "base/geo.h"

#include <string.h>

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

/* Fills b's per-node station and facility (none yet) and per-half-edge bearings, allocated by the caller. */
static void index_nodes(route_base *b)
{
    const bogie_network *net = b->net;
    for (uint32_t v = 0; v < net->n_nodes; v++)
        b->node_station[v] = b->node_facility[v] = BOGIE_NONE;
    for (uint32_t s = 0; s < net->n_stations; s++) {
        uint32_t v = net->stations[s].node;
        if (v != BOGIE_NONE && b->node_station[v] == BOGIE_NONE)
            b->node_station[v] = s;
    }
    for (uint32_t h = 0; h < 2 * net->n_edges; h++)
        b->dep_bearing[h] = departure_bearing(net, h);
}

/* Each facility of the world's list applies at the nearest station within ROUTE_FACILITY_RADIUS_M; the facilities
 * applying at one node are chained in the list's order through b->facility_next. */
static void place_facilities(route_base *b)
{
    const bogie_network *net = b->net;
    for (size_t f = b->world ? b->world->facilities.n : 0; f-- > 0;) {
        b->facility_next[f] = BOGIE_NONE;
        uint32_t s = net_facility_station(net, &b->world->facilities.v[f]);
        if (s == BOGIE_NONE)
            continue;
        uint32_t at = net->stations[s].node;
        b->facility_next[f] = b->node_facility[at];
        b->node_facility[at] = (uint32_t)f;
    }
}

/* The size of b->facility_next: one per facility of the world's list, and at least one. */
static size_t n_facilities(const route_base *b)
{
    return b->world && b->world->facilities.n ? b->world->facilities.n : 1;
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
    b->facility_next = util_malloc(alloc, n_facilities(b) * sizeof *b->facility_next);
    if (!b->node_station || !b->node_facility || !b->dep_bearing || !b->facility_next || rt_cache_new(&b->costs, alloc) != BOGIE_OK) {
        route_base_free(b);
        return util_nomem(diag, "preparing the route planner");
    }
    index_nodes(b);
    bogie_status rc = rt_snap_index_init(b, diag);
    if (rc != BOGIE_OK) {
        route_base_free(b);
        return rc;
    }
    place_facilities(b);
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
    util_free(b->alloc, b->facility_next, n_facilities(b) * sizeof *b->facility_next);
    rt_cache_free(b, b->costs);
    rt_snap_index_free(b);
    memset(b, 0, sizeof *b);
}

/* ----- routes ----- */

/* What the train's hierarchy did for a query. */
typedef enum hier_use {
    HIER_UNUSED,    /* it does not apply, or is not built: search */
    HIER_ANSWERED,  /* it answered, or found there is no route */
    HIER_FAILED     /* the train's costs or its hierarchy could not be prepared */
} hier_use;

/* Answers q from the train's hierarchy into res when it applies and is built (or, for ROUTE_CH, can be built now);
 * *use says what happened. */
static bogie_status find_in_hierarchy(const route_query *q, route_result *res, hier_use *use, bogie_diag *diag)
{
    bogie_status rc = BOGIE_ERR_NOT_FOUND;
    *use = HIER_UNUSED;
    if (!((q->method == ROUTE_AUTO || q->method == ROUTE_CH) && rt_hierarchy_applies(q)))
        return rc;
    *use = HIER_FAILED;
    rt_costs *c = rt_costs_acquire(q->base, q->train);
    if (!c)
        return util_nomem(diag, "preparing the train's costs");
    const ch *h = rt_hierarchy(q->base, q->train, c, q->method == ROUTE_CH, &rc, diag);
    if (rc != BOGIE_OK) {
        rt_costs_release(q->base, c);
        return rc;
    }
    *use = HIER_UNUSED;
    if (h) {
        rc = rt_hierarchy_route(q, c, h, res, diag);
        *use = HIER_ANSWERED;
    }
    rt_costs_release(q->base, c);
    return rc;
}

bogie_status route_find(const route_query *q, route_result *res, bogie_diag *diag)
{
    memset(res, 0, sizeof *res);
    if (q->n_places < 2)
        return util_fail(diag, BOGIE_ERR_ARG, "a journey needs an origin and a destination");
    hier_use use;
    bogie_status rc = find_in_hierarchy(q, res, &use, diag);
    if (use == HIER_FAILED)
        return rc;
    if (use == HIER_UNUSED)
        rc = rt_search_once(q, res, diag);
    if (rc != BOGIE_OK) {
        route_result_free(q->base->alloc, res);
        memset(res, 0, sizeof *res);
    }
    if (rc == BOGIE_ERR_NOT_FOUND && q->explain_failure)
        return rt_explain(q, diag);
    if (rc == BOGIE_ERR_NOT_FOUND)
        return util_fail(diag, rc, "no route");
    if (rc != BOGIE_OK)
        return rc;
    /* Track of unknown gauge and unpowered stretches used, for the output's warnings. */
    rt_items_totals(q->base, q->train, res);
    return BOGIE_OK;
}

/* ----- tables ----- */

static bool all_nodes(const route_place *p, size_t n)
{
    bool nodes_only = true;
    for (size_t i = 0; i < n; i++)
        nodes_only &= !p[i].is_point;
    return nodes_only;
}

/* Whether a and b are the same place. */
static bool same_place(const route_place *a, const route_place *b)
{
    return a->is_point == b->is_point &&
           (a->is_point ? a->edge == b->edge && a->offset_m == b->offset_m : a->node == b->node);
}

/* route_matrix() by one A* search per pair. */
static bogie_status matrix_by_pairs(const route_base *b, const bogie_train *train, const route_place *src,
                                    size_t n_src, const route_place *dst, size_t n_dst, double deadline, double *cost,
                                    double *len, bogie_diag *diag)
{
    bogie_status rc = BOGIE_OK;
    for (size_t i = 0; rc == BOGIE_OK && i < n_src; i++)
        for (size_t k = 0; rc == BOGIE_OK && k < n_dst; k++) {
            double *cc = &cost[i * n_dst + k], *ll = &len[i * n_dst + k];
            if (same_place(&src[i], &dst[k])) {
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
            *ll = rt_items_length(&res);
            route_result_free(b->alloc, &res);
        }
    return rc;
}

bogie_status route_matrix(const route_base *b, const bogie_train *train, const route_place *src, size_t n_src,
                          const route_place *dst, size_t n_dst, double deadline, double *cost, double *len,
                          bogie_diag *diag)
{
    rt_costs *c = rt_costs_acquire(b, train);
    if (!c)
        return util_nomem(diag, "preparing the train's costs");
    bogie_status rc = BOGIE_OK;
    const ch *h = rt_hierarchy(b, train, c, false, &rc, diag);
    if (h && all_nodes(src, n_src) && all_nodes(dst, n_dst)) {
        rc = rt_hierarchy_matrix(b, train, c, h, src, n_src, dst, n_dst, cost, len, diag);
        rt_costs_release(b, c);
        return rc;
    }
    rt_costs_release(b, c);
    return matrix_by_pairs(b, train, src, n_src, dst, n_dst, deadline, cost, len, diag);
}

double route_length(const route_result *res)
{
    return rt_items_length(res);
}

bogie_status route_reach(const route_query *q, double *cost, bogie_diag *diag)
{
    for (size_t i = 0; i + 1 < q->n_places; i++)
        cost[i] = INFINITY;
    if (q->n_places < 2)
        return BOGIE_OK;
    route_query rq = *q;
    rq.reach_cost = cost;
    rq.method = ROUTE_DIJKSTRA;
    route_result res;
    memset(&res, 0, sizeof res);
    bogie_status rc = rt_search_once(&rq, &res, diag);
    route_result_free(q->base->alloc, &res);
    return rc;
}
