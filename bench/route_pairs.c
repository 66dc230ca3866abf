/* route_pairs.c: routes random pairs of nodes with bogie's search twice, with the landmarks' lower bounds (A*) and
 * as plain Dijkstra, checks that both find the same cost, and times both. The test suite runs it to prove the
 * speed-up exact; `make bench-route` runs it for the figures.
 *
 * Usage: route_pairs NETWORK DATA_DIR TRAIN.json PAIRS SEED [--stations] [--json] [--matrix N]
 *   --stations  pick station nodes only (default: any node); either way, nodes on track the train can use (its
 *               gauges, and wires it accepts)
 *   --matrix N  instead, check an N x N matrix from the hierarchy against one Dijkstra search per cell
 *   --check-cells K   with --matrix: check K random cells only
 *   --export-edges F  instead, write the train's edges as CSV for pgRouting (nodes and edges numbered from 1)
 *   --dump F    write each routed pair: source, target (numbered as in --export-edges), the three times in ms, cost,
 *               and the two nodes' lat, lon
 *   --threads N contract the hierarchy on N threads (default: the library's, one per core up to 4); the JSON gives
 *               its shortcuts and a digest of its order, which must not depend on N
 *   --alternatives N  instead, time route_alternatives (up to N routes) from the hierarchy on PAIRS random pairs, and
 *               check each answer against the criteria (sorted, at most 1.5 times the best, sharing at most 80 %)
 *   --points    make the ends points on random edges the train can use, at random offsets, as coordinates snap
 *               (pairs 4k and 4k+1 both ends, 4k+2 the origin only, 4k+3 the destination only)
 *   --min-hierarchy P  exit 1 unless the hierarchy answered at least P % of the ROUTE_CH queries itself (with
 *               --points: the points it can answer exactly), not by falling back to A*
 * Prints one summary line (or JSON); exits 1 when any pair's costs differ. With RP_DEBUG set in the environment, a
 * pair whose journeys differ prints both journeys' items. */
#include "bogie.h"
#include "benchutil.h"
#include "net/network.h"
#include "route/ch_int.h"
#include "route/route_int.h"
#include "base/util.h"
#include "ref/world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --export-edges FILE: the train's graph as CSV for pgRouting: id, source, target, cost and reverse_cost (seconds at
 * the line's and the train's limits; -1 where the train cannot run), over the edges one of its gauges can use. */
static int export_edges(const route_base *b, const bogie_train *t, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    const bogie_network *net = b->net;
    fputs("id,source,target,cost,reverse_cost\n", f);
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const net_edge *ed = &net->edges[e];
        bool usable = false;
        for (size_t g = 0; g < t->n_gauges; g++)
            usable |= route_gauge_ok(&net->classes[ed->cls], t->gauges[g]);
        for (size_t g = 0; t->change != BOGIE_CHANGE_NONE && g < t->n_change_to; g++)
            usable |= route_gauge_ok(&net->classes[ed->cls], t->change_to[g]);
        if (!usable || ed->from == ed->to)
            continue;
        double fwd = ed->length_m / (route_line_limit_kmh(b, t, ed, false, NULL) / 3.6);
        double bwd = ed->length_m / (route_line_limit_kmh(b, t, ed, true, NULL) / 3.6);
        fprintf(f, "%u,%u,%u,%.3f,%.3f\n", e + 1, ed->from + 1, ed->to + 1, fwd, bwd);
    }
    return fclose(f) == 0 ? 0 : 1;
}

/* Whether two results are the same journey: the same items (edges, changes, reversals, where, with which gauges and
 * at which facility) and the same gauges at both ends. */
static bool same_journey(const route_result *a, const route_result *b)
{
    bool same = a->items.n == b->items.n && a->start_gauge == b->start_gauge && a->end_gauge == b->end_gauge;
    for (size_t k = 0; same && k < a->items.n; k++) {
        const route_item *x = &a->items.v[k], *y = &b->items.v[k];
        same = x->kind == y->kind && x->h == y->h && x->node == y->node && x->from_gauge == y->from_gauge &&
               x->to_gauge == y->to_gauge && x->facility == y->facility;
    }
    return same;
}

/* Makes *p a point on edge e at fraction f of its length (as route_snap would put coordinates there). */
static void point_on_edge(const bogie_network *net, uint32_t e, double f, route_place *p)
{
    const net_edge *ed = &net->edges[e];
    const float *pos = net->geom_pos + ed->geom_first;
    const net_point *g = net->geom + ed->geom_first;
    memset(p, 0, sizeof *p);
    p->is_point = true;
    p->station = p->node = BOGIE_NONE;
    p->edge = e;
    p->offset_m = f * ed->length_m;
    uint32_t seg = 0;
    while (seg + 2 < ed->geom_count && pos[seg + 1] <= p->offset_m)
        seg++;
    double sl = pos[seg + 1] - pos[seg];
    p->seg = seg;
    p->seg_frac = sl > 0 ? (p->offset_m - pos[seg]) / sl : 0;
    p->lat = (g[seg].lat + p->seg_frac * ((double)g[seg + 1].lat - g[seg].lat)) * 1e-7;
    p->lon = (g[seg].lon + p->seg_frac * ((double)g[seg + 1].lon - g[seg].lon)) * 1e-7;
    snprintf(p->label, sizeof p->label, "%.5f,%.5f", p->lat, p->lon);
}

/* The edges the train can use (its gauges and wires), with geometry, into a new array of *n (free it). */
static uint32_t *usable_edges(const route_base *b, const bogie_train *t, size_t *n)
{
    const bogie_network *net = b->net;
    uint32_t *v = malloc((net->n_edges ? net->n_edges : 1) * sizeof *v);
    *n = 0;
    for (uint32_t e = 0; v && e < net->n_edges; e++)
        if (net->edges[e].geom_count >= 2 && net->edges[e].length_m > 0 &&
            route_train_can_use(t, &net->classes[net->edges[e].cls]))
            v[(*n)++] = e;
    return v;
}

/* Pair i's ends: nodes from cand, or with edges (ne of them) points on them, as --points says. */
static void pick_pair(const bogie_network *net, const uint32_t *cand, size_t nc, const uint32_t *edges, size_t ne,
                      long i, uint64_t *seed, route_place pl[2])
{
    memset(pl, 0, 2 * sizeof *pl);
    for (int end = 0; end < 2; end++) {
        bool point = edges && ne && (i % 4 < 2 || i % 4 == 2 + end);
        if (point) {
            uint32_t e = edges[bench_rand(seed) % ne];
            point_on_edge(net, e, (double)(bench_rand(seed) % 1000001) / 1e6, &pl[end]);
            continue;
        }
        do
            pl[end].node = cand[bench_rand(seed) % nc];
        while (end == 1 && !pl[0].is_point && pl[1].node == pl[0].node);
        pl[end].station = BOGIE_NONE;
    }
}

/* Where place p is (a point's own position, or its node's), degrees. */
static double place_lat(const bogie_network *net, const route_place *p)
{
    return p->is_point ? p->lat : net->nodes[p->node].lat * 1e-7;
}

static double place_lon(const bogie_network *net, const route_place *p)
{
    return p->is_point ? p->lon : net->nodes[p->node].lon * 1e-7;
}

/* --matrix N: an N x N matrix between random nodes from the hierarchy (route_matrix), against one Dijkstra search
 * per pair; both timed. */
static int run_matrix(route_base *base, const bogie_train *t, const uint32_t *cand, size_t nc, size_t n,
                      long check_cells, uint64_t *seed, bool json, double t_ch)
{
    route_place *pl = calloc(2 * n, sizeof *pl);
    double *cost = malloc(n * n * sizeof *cost), *len = malloc(n * n * sizeof *len);
    for (size_t i = 0; i < 2 * n; i++) {
        pl[i].node = cand[bench_rand(seed) % nc];
        pl[i].station = BOGIE_NONE;
    }
    bogie_diag d = {0};
    double t0 = bench_now();
    if (route_matrix(base, t, pl, n, pl + n, n, 0, cost, len, &d) != BOGIE_OK) {
        fprintf(stderr, "route_pairs: %s\n", d.message);
        return 1;
    }
    double t_matrix = bench_now() - t0;
    size_t mismatches = 0, routed = 0, checked = 0;
    size_t cells = check_cells < 0 || (size_t)check_cells > n * n ? n * n : (size_t)check_cells;
    t0 = bench_now();
    for (size_t c_i = 0; c_i < cells; c_i++) {
        /* Every cell, or a random sample of them. */
        size_t cell = cells == n * n ? c_i : (size_t)(bench_rand(seed) % (n * n));
        size_t i = cell / n, k = cell % n;
        checked++;
        route_place pair[2] = {pl[i], pl[n + k]};
        double c = 0;
        bogie_status st = BOGIE_OK;
        if (pair[0].node != pair[1].node) {
            route_query q = {.base = base, .train = t, .places = pair, .n_places = 2, .method = ROUTE_DIJKSTRA};
            route_result r;
            st = route_find(&q, &r, &d);
            if (st == BOGIE_OK) {
                c = r.cost_s;
                route_result_free(base->alloc, &r);
            }
        }
        double m = cost[i * n + k];
        bool same = st == BOGIE_OK ? fabs(m - c) <= 1e-6 * (1 + c) : (st == BOGIE_ERR_NOT_FOUND && isinf(m));
        routed += st == BOGIE_OK;
        if (!same) {
            mismatches++;
            fprintf(stderr, "route_pairs: matrix cell %zu,%zu (nodes %u -> %u): %.6f, Dijkstra %s %.6f\n", i, k,
                    pair[0].node, pair[1].node, m, bogie_strerror(st), c);
        }
    }
    double t_pairs = bench_now() - t0;
    if (json)
        printf("{\"matrix\":%zu,\"checked\":%zu,\"routed\":%zu,\"mismatches\":%zu,\"hierarchy_s\":%.4f,"
               "\"matrix_s\":%.4f,\"dijkstra_checked_s\":%.4f}\n",
               n, checked, routed, mismatches, t_ch, t_matrix, t_pairs);
    else
        printf("%zu x %zu matrix in %.3f s (hierarchy built in %.3f s); %zu cells checked against Dijkstra (%.3f s): "
               "%zu routed, %zu mismatches\n", n, n, t_matrix, t_ch, checked, t_pairs, routed, mismatches);
    free(pl);
    free(cost);
    free(len);
    return mismatches ? 1 : 0;
}

/* The (base) edges of route r, into the caller's marks (one byte per edge; set to 1). */
static void mark_edges(const route_base *b, const route_result *r, uint8_t *mark)
{
    for (size_t k = 0; k < r->items.n; k++)
        if (r->items.v[k].kind == RITEM_EDGE)
            mark[route_base_edge(&r->view, r->items.v[k].h >> 1) - b->net->edges] = 1;
}

/* Whether the alternatives res[0 .. n) meet the criteria: sorted by cost, at most ROUTE_ALT_MAX_STRETCH times the
 * first, each sharing at most ROUTE_ALT_MAX_SHARE of its length (within 1e-9) with the routes before it, as told. */
static bool alternatives_ok(const route_base *b, const route_result *res, const double *shared, size_t n)
{
    uint8_t *mark = calloc(b->net->n_edges ? b->net->n_edges : 1, 1);
    bool ok = mark != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        double len = 0, sh = 0;
        for (size_t k = 0; k < res[i].items.n; k++) {
            const route_item *it = &res[i].items.v[k];
            if (it->kind != RITEM_EDGE || (k > 0 && res[i].items.v[k - 1].kind == RITEM_EDGE &&
                                           res[i].items.v[k - 1].h == it->h))
                continue;
            /* A point's virtual piece counts as its base edge, as alternatives.c counts it. */
            double s0, s1;
            route_edge_span(&res[i].view, it->h >> 1, &s0, &s1);
            uint32_t e = (uint32_t)(route_base_edge(&res[i].view, it->h >> 1) - b->net->edges);
            len += s1 - s0;
            sh += mark[e] ? s1 - s0 : 0;
        }
        ok = (i == 0 || res[i].cost_s >= res[i - 1].cost_s) && res[i].cost_s <= ROUTE_ALT_MAX_STRETCH * res[0].cost_s &&
             sh <= ROUTE_ALT_MAX_SHARE * len + 1e-9 && fabs(sh / len - shared[i]) <= 1e-9 + (i == 0 ? 0 : 0.01);
        mark_edges(b, &res[i], mark);
    }
    free(mark);
    return ok;
}

/* --alternatives N: route_alternatives from the hierarchy on random pairs, timed, each answer checked. */
static int run_alternatives(route_base *base, const bogie_train *t, const uint32_t *cand, size_t nc,
                            const uint32_t *edges, size_t ne, long pairs, size_t max, uint64_t *seed, bool json)
{
    double *tm = malloc((pairs ? pairs : 1) * sizeof *tm);
    size_t routed = 0, with_alt = 0, routes = 0, bad = 0;
    route_result res[BOGIE_MAX_ALTERNATIVES];
    double shared[BOGIE_MAX_ALTERNATIVES];
    bogie_diag d = {0};
    for (long i = 0; i < pairs; i++) {
        route_place pl[2];
        pick_pair(base->net, cand, nc, edges, ne, i, seed, pl);
        route_query q = {.base = base, .train = t, .places = pl, .n_places = 2};
        size_t n;
        bool searched;
        double a0 = bench_now();
        bogie_status st = route_alternatives(&q, max, res, shared, &n, &searched, &d);
        double el = bench_now() - a0;
        if (st != BOGIE_OK)
            continue;
        tm[routed++] = el;
        with_alt += n > 1;
        routes += n;
        if ((!searched && !edges) || !alternatives_ok(base, res, shared, n)) {
            bad++;
            fprintf(stderr, "route_pairs: pair %ld (nodes %u -> %u): %zu alternatives break the criteria\n", i,
                    pl[0].node, pl[1].node, n);
        }
        for (size_t k = 0; k < n; k++)
            route_result_free(base->alloc, &res[k]);
    }
    double sum = 0;
    for (size_t i = 0; i < routed; i++)
        sum += tm[i];
    double mean = routed ? sum / routed : 0, p50 = bench_quantile(tm, routed, 0.5), p99 = bench_quantile(tm, routed, 0.99);
    if (json)
        printf("{\"alternatives\":%zu,\"pairs\":%ld,\"routed\":%zu,\"with_alternative\":%zu,\"routes\":%zu,"
               "\"bad\":%zu,\"mean_s\":%.6f,\"p50_s\":%.6f,\"p99_s\":%.6f}\n",
               max, pairs, routed, with_alt, routes, bad, mean, p50, p99);
    else
        printf("up to %zu routes for %zu of %ld pairs: %zu with an alternative, %.2f routes each; %.3f ms mean, p50 "
               "%.3f, p99 %.3f; %zu breaking the criteria\n", max, routed, pairs, with_alt,
               routed ? (double)routes / routed : 0, mean * 1e3, p50 * 1e3, p99 * 1e3, bad);
    free(tm);
    return bad ? 1 : 0;
}

/* The train's hierarchy's shortcuts, and a digest (FNV-1a) of its order: the same whatever the threads. */
static void hierarchy_facts(const route_base *b, const bogie_train *t, size_t *shortcuts, uint64_t *digest)
{
    rt_costs *c = rt_costs_acquire(b, t);
    bogie_status rc;
    bogie_diag d;
    const ch *h = c ? rt_hierarchy(b, t, c, false, &rc, &d) : NULL;
    if (h) {
        size_t nodes, arcs;
        ch_stats(h, &nodes, &arcs, shortcuts);
        uint64_t x = 14695981039346656037ull;
        for (uint32_t v = 0; v < h->n; v++)
            x = (x ^ h->rank[v]) * 1099511628211ull;
        *digest = x;
    }
    if (c)
        rt_costs_release(b, c);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: route_pairs NETWORK DATA_DIR TRAIN.json PAIRS SEED [--stations] [--json]\n");
        return 2;
    }
    bool stations_only = false, json = false, points = false;
    double min_hierarchy = -1;
    long matrix = 0, check_cells = -1, alternatives = 0;
    unsigned threads = 0;
    const char *export_path = NULL, *dump_path = NULL;
    for (int i = 6; i < argc; i++) {
        if (strcmp(argv[i], "--stations") == 0)
            stations_only = true;
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--matrix") == 0 && i + 1 < argc)
            matrix = atol(argv[++i]);
        else if (strcmp(argv[i], "--check-cells") == 0 && i + 1 < argc)
            check_cells = atol(argv[++i]);
        else if (strcmp(argv[i], "--export-edges") == 0 && i + 1 < argc)
            export_path = argv[++i];
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dump_path = argv[++i];
        else if (strcmp(argv[i], "--alternatives") == 0 && i + 1 < argc)
            alternatives = atol(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (unsigned)atol(argv[++i]);
        else if (strcmp(argv[i], "--points") == 0)
            points = true;
        else if (strcmp(argv[i], "--min-hierarchy") == 0 && i + 1 < argc)
            min_hierarchy = atof(argv[++i]);
    }
    bogie_diag d = {0};
    bogie_network *net;
    bogie_world *w;
    bogie_train t;
    double t_open0 = bench_now();
    bogie_status orc = bogie_network_open(argv[1], 0, NULL, &net, &d);
    double t_open = bench_now() - t_open0;
    if (orc || bogie_world_open(argv[2], NULL, &w, &d) || bogie_train_load(argv[3], &t, &d)) {
        fprintf(stderr, "route_pairs: %s\n", d.message);
        return 1;
    }
    long pairs = atol(argv[4]);
    uint64_t seed = strtoull(argv[5], NULL, 10);
    route_base base;
    double t0 = bench_now();
    if (route_base_init(&base, net, w, NULL, &d) != BOGIE_OK) {
        fprintf(stderr, "route_pairs: %s\n", d.message);
        return 1;
    }
    double t_base = bench_now() - t0;
    base.ch_threads = threads;
    /* The candidate nodes: stations, or nodes with track of one of the train's gauges. */
    uint32_t *cand = malloc((net->n_nodes ? net->n_nodes : 1) * sizeof *cand);
    size_t nc = 0;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        if (stations_only && base.node_station[v] == BOGIE_NONE)
            continue;
        bool usable = false;
        for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1] && !usable; k++)
            usable = route_train_can_use(&t, &net->classes[net->edges[net->adj[k] >> 1].cls]);
        if (usable)
            cand[nc++] = v;
    }
    if (nc < 2) {
        fprintf(stderr, "route_pairs: fewer than two usable nodes\n");
        return 1;
    }
    size_t ne = 0;
    uint32_t *edges = points ? usable_edges(&base, &t, &ne) : NULL;
    if (export_path) {
        int rc = export_edges(&base, &t, export_path);
        free(cand);
        route_base_free(&base);
        bogie_world_close(w);
        bogie_network_close(net);
        return rc;
    }
    /* Warm the train's costs (built once per train, outside the timings). */
    route_place warm[2];
    memset(warm, 0, sizeof warm);
    warm[0].node = cand[0];
    warm[1].node = cand[1];
    warm[0].station = warm[1].station = BOGIE_NONE;
    route_query wq = {.base = &base, .train = &t, .places = warm, .n_places = 2};
    route_result wr;
    t0 = bench_now();
    bogie_status wrc = route_find(&wq, &wr, &d);
    double t_costs = bench_now() - t0;
    if (wrc == BOGIE_OK)
        route_result_free(base.alloc, &wr);

    /* The hierarchy, built once per train (timed). */
    t0 = bench_now();
    bogie_status prc = route_prepare(&base, &t, &d);
    double t_ch = bench_now() - t0;
    if (prc != BOGIE_OK) {
        fprintf(stderr, "route_pairs: %s\n", d.message);
        return 1;
    }
    if (matrix > 0 || alternatives > 0) {
        int rc = matrix > 0 ? run_matrix(&base, &t, cand, nc, (size_t)matrix, check_cells, &seed, json, t_ch)
                            : run_alternatives(&base, &t, cand, nc, edges, ne, pairs, (size_t)alternatives, &seed,
                                               json);
        free(cand);
        free(edges);
        route_base_free(&base);
        bogie_world_close(w);
        bogie_network_close(net);
        return rc;
    }
    static const route_method methods[3] = {ROUTE_DIJKSTRA, ROUTE_ALT, ROUTE_CH};
    static const char *const names[3] = {"dijkstra", "alt", "ch"};
    double *tm[3];
    double settled[3] = {0, 0, 0};
    for (int m = 0; m < 3; m++)
        tm[m] = malloc((pairs ? pairs : 1) * sizeof *tm[m]);
    size_t found = 0, none = 0, mismatches = 0, path_diffs = 0;
    FILE *dump = dump_path ? fopen(dump_path, "w") : NULL;
    if (dump_path && !dump) {
        perror(dump_path);
        return 1;
    }
    double km = 0;
    /* The pairs first, then each method over all of them in a loop of its own, so that one method's search does not
     * empty the caches before another's is timed; Dijkstra's results are kept to check the others against. */
    route_place(*pl)[2] = calloc(pairs ? pairs : 1, sizeof *pl);
    route_result *ref = calloc(pairs ? pairs : 1, sizeof *ref);
    bogie_status *ref_st = calloc(pairs ? pairs : 1, sizeof *ref_st);
    bool *ok_all = calloc(pairs ? pairs : 1, sizeof *ok_all);
    double *el = calloc(3 * (pairs ? pairs : 1), sizeof *el);
    for (long i = 0; i < pairs; i++)
        pick_pair(net, cand, nc, edges, ne, i, &seed, pl[i]);
    size_t by_hierarchy = 0, ch_routed = 0;
    for (int m = 0; m < 3; m++)
        for (long i = 0; i < pairs; i++) {
            route_query q = {.base = &base, .train = &t, .places = pl[i], .n_places = 2, .method = methods[m]};
            route_result r;
            double a0 = bench_now();
            bogie_status st = route_find(&q, m == 0 ? &ref[i] : &r, &d);
            el[3 * i + m] = bench_now() - a0;
            if (m == 0) {
                ref_st[i] = st;
                ok_all[i] = st == BOGIE_OK;
                if (st == BOGIE_OK)
                    settled[0] += ref[i].settled;
                continue;
            }
            if (st != ref_st[i] || (st == BOGIE_OK && fabs(r.cost_s - ref[i].cost_s) > 1e-6 * (1 + ref[i].cost_s))) {
                mismatches++;
                fprintf(stderr, "route_pairs: pair %ld (nodes %u -> %u): %s %s %.6f s, Dijkstra %s %.6f s\n", i,
                        pl[i][0].node, pl[i][1].node, names[m], bogie_strerror(st), st == BOGIE_OK ? r.cost_s : 0,
                        bogie_strerror(ref_st[i]), ref_st[i] == BOGIE_OK ? ref[i].cost_s : 0);
            }
            ok_all[i] = ok_all[i] && st == BOGIE_OK;
            if (m == 2 && st == BOGIE_OK) {
                /* A* and Dijkstra settle at least the origin's state; the hierarchy's route counts none. */
                ch_routed++;
                by_hierarchy += r.settled == 0;
            }
            if (st == BOGIE_OK && ref_st[i] == BOGIE_OK) {
                bool same = same_journey(&r, &ref[i]);
                if (!same)
                    fprintf(stderr, "route_pairs: pair %ld (nodes %u -> %u): %s and Dijkstra differ in path or gauges "
                            "(starting on %u and %u mm)\n", i, pl[i][0].node, pl[i][1].node, names[m],
                            r.start_gauge, ref[i].start_gauge);
                path_diffs += !same;
                if (!same && getenv("RP_DEBUG")) {
                    const route_result *rr[2] = {&r, &ref[i]};
                    for (int z = 0; z < 2; z++) {
                        fprintf(stderr, "  %s cost %.9f:", z ? "dij" : names[m], rr[z]->cost_s);
                        for (size_t k = 0; k < rr[z]->items.n; k++) {
                            const route_item *x = &rr[z]->items.v[k];
                            fprintf(stderr, " %d:%u/%u/%u-%u(%.4f)", x->kind, x->h, x->node, x->from_gauge,
                                    x->to_gauge, x->cost_s);
                        }
                        fprintf(stderr, "\n");
                    }
                    fprintf(stderr, "  places: %d e%u %.3f / %d e%u %.3f n%u\n", pl[i][0].is_point, pl[i][0].edge,
                            pl[i][0].offset_m, pl[i][1].is_point, pl[i][1].edge, pl[i][1].offset_m, pl[i][1].node);
                }
                settled[m] += r.settled;
            }
            if (st == BOGIE_OK)
                route_result_free(base.alloc, &r);
        }
    for (long i = 0; i < pairs; i++) {
        if (ok_all[i]) {
            for (int m = 0; m < 3; m++)
                tm[m][found] = el[3 * i + m];
            if (dump) /* graph nodes are numbered from 1 in the exported edges; then the two nodes' lat, lon */
                fprintf(dump, "%u %u %.6f %.6f %.6f %.3f %.7f %.7f %.7f %.7f\n", pl[i][0].node + 1,
                        pl[i][1].node + 1, el[3 * i] * 1e3, el[3 * i + 1] * 1e3, el[3 * i + 2] * 1e3, ref[i].cost_s,
                        place_lat(net, &pl[i][0]), place_lon(net, &pl[i][0]), place_lat(net, &pl[i][1]),
                        place_lon(net, &pl[i][1]));
            for (size_t k = 0; k < ref[i].items.n; k++)
                if (ref[i].items.v[k].kind == RITEM_EDGE) {
                    double s0, s1;
                    route_edge_span(&ref[i].view, ref[i].items.v[k].h >> 1, &s0, &s1);
                    km += (s1 - s0) / 1000;
                }
            found++;
        } else {
            none++;
            /* A pair some method routed and another did not counts only in the mismatches: its settled states go. */
        }
        if (ref_st[i] == BOGIE_OK)
            route_result_free(base.alloc, &ref[i]);
    }
    free(pl);
    free(ref);
    free(ref_st);
    free(ok_all);
    free(el);
    if (dump)
        fclose(dump);
    double mean[3], p50[3], p99[3];
    for (int m = 0; m < 3; m++) {
        double sum = 0;
        for (size_t i = 0; i < found; i++)
            sum += tm[m][i];
        mean[m] = found ? sum / found : 0;
        p50[m] = bench_quantile(tm[m], found, 0.5);
        p99[m] = bench_quantile(tm[m], found, 0.99);
    }
    if (json) {
        printf("{\"pairs\":%ld,\"found\":%zu,\"no_route\":%zu,\"mismatches\":%zu,\"path_diffs\":%zu,\"nodes\":%u,"
               "\"edges\":%u,\"landmarks\":%u,\"mean_km\":%.1f,\"open_s\":%.4f,\"planner_s\":%.4f,"
               "\"train_costs_s\":%.4f,\"hierarchy_s\":%.4f,\"by_hierarchy\":%zu",
               pairs, found, none, mismatches, path_diffs, net->n_nodes, net->n_edges, net->n_landmarks,
               found ? km / found : 0, t_open, t_base, t_costs, t_ch, by_hierarchy);
        size_t shortcuts = 0;
        uint64_t digest = 0;
        hierarchy_facts(&base, &t, &shortcuts, &digest);
        printf(",\"shortcuts\":%zu,\"order_digest\":\"%016llx\"", shortcuts, (unsigned long long)digest);
        for (int m = 0; m < 3; m++)
            printf(",\"%s\":{\"mean_ms\":%.4f,\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"settled\":%.0f}", names[m],
                   mean[m] * 1e3, p50[m] * 1e3, p99[m] * 1e3, found ? settled[m] / found : 0);
        printf("}\n");
    } else {
        printf("%ld pairs: %zu routed (mean %.0f km), %zu without a route, %zu mismatches, %zu different "
               "journeys (path or gauges) of equal cost; hierarchy built in %.2f s\n",
               pairs, found, found ? km / found : 0, none, mismatches, path_diffs, t_ch);
        printf("  the hierarchy answered %zu of the %zu routes asked of it, A* the rest\n", by_hierarchy, ch_routed);
        for (int m = 0; m < 3; m++)
            printf("  %-8s p50 %8.3f ms  p99 %8.3f ms  mean %8.3f ms  (%.0f states settled)  speed-up %.1fx\n",
                   names[m], p50[m] * 1e3, p99[m] * 1e3, mean[m] * 1e3, found ? settled[m] / found : 0,
                   mean[m] > 0 ? mean[0] / mean[m] : 0);
    }
    for (int m = 0; m < 3; m++)
        free(tm[m]);
    free(cand);
    free(edges);
    route_base_free(&base);
    bogie_world_close(w);
    bogie_network_close(net);
    bool few = min_hierarchy >= 0 && 100.0 * (double)by_hierarchy < min_hierarchy * (double)ch_routed;
    if (few)
        fprintf(stderr, "route_pairs: the hierarchy answered %zu of %zu routes, under %.0f %%\n", by_hierarchy,
                ch_routed, min_hierarchy);
    return mismatches || path_diffs || few ? 1 : 0;
}
