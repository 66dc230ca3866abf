/* ch_compare.c: bogie's side of the side-by-side with RoutingKit (bench/routingkit.cpp, run by bench/route.py): builds
 * one train's contraction hierarchy, routes random station pairs on it through ch_route alone (the same seeds the
 * planner gives it), each method in a loop of its own, and writes what RoutingKit needs to answer the very same
 * queries: the state graph bogie contracts, each query's source and target states with their costs, bogie's cost,
 * and the plain node graph (nodes and edges, at the train's limits) with the pairs' nodes, for reference.
 *
 * Usage: ch_compare NETWORK DATA_DIR TRAIN.json PAIRS SEED OUT_DIR
 * Writes OUT_DIR/states.bin, OUT_DIR/queries.bin, OUT_DIR/nodes.bin (formats in docs/benchmarks.md: little-endian
 * uint32 counts and arrays; costs in milliseconds, rounded, as RoutingKit's weights are integers) and prints one
 * JSON line: the hierarchy's build time and size, and the p50, p99 and mean of ch_route with the path and for the
 * cost alone. */
#include "bogie.h"
#include "benchutil.h"
#include "base/util.h"
#include "net/network.h"
#include "route/route_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t ms(double seconds)
{
    double m = floor(seconds * 1000 + 0.5);
    return m < 0 ? 0 : m > 4e9 ? 4000000000u : (uint32_t)m;
}

static void put_u32(FILE *f, uint32_t x)
{
    fwrite(&x, sizeof x, 1, f);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        perror(path);
    return f;
}

/* states.bin: n, m, then tail[m], head[m], weight_ms[m]. */
static int write_states(const rt_graph *g, const char *dir)
{
    FILE *f = open_out(dir, "states.bin");
    if (!f)
        return 1;
    uint32_t n = g->in.n, m = g->in.first[n];
    put_u32(f, n);
    put_u32(f, m);
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t k = g->in.first[v]; k < g->in.first[v + 1]; k++)
            put_u32(f, v);
    fwrite(g->in.to, sizeof *g->in.to, m, f);
    for (uint32_t k = 0; k < m; k++)
        put_u32(f, ms(g->in.cost[k]));
    return fclose(f) == 0 ? 0 : 1;
}

/* nodes.bin: the plain node graph over the edges the train can use: n, m, tail[m], head[m], weight_ms[m] (each
 * edge both ways, at the line's and the train's limits), as bench/route_pairs exports it for pgRouting. */
static int write_nodes(const route_base *b, const bogie_train *t, const char *dir)
{
    const bogie_network *net = b->net;
    VEC(uint32_t) tail = {0}, head = {0}, w = {0};
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const net_edge *ed = &net->edges[e];
        if (!route_train_can_use(t, &net->classes[ed->cls]) || ed->from == ed->to)
            continue;
        double fwd = ed->length_m / (route_line_limit_kmh(b, t, ed, false, NULL) / 3.6);
        double bwd = ed->length_m / (route_line_limit_kmh(b, t, ed, true, NULL) / 3.6);
        if (VEC_PUSH(NULL, tail, ed->from) || VEC_PUSH(NULL, head, ed->to) || VEC_PUSH(NULL, w, ms(fwd)) ||
            VEC_PUSH(NULL, tail, ed->to) || VEC_PUSH(NULL, head, ed->from) || VEC_PUSH(NULL, w, ms(bwd)))
            return 1;
    }
    FILE *f = open_out(dir, "nodes.bin");
    if (!f)
        return 1;
    put_u32(f, net->n_nodes);
    put_u32(f, (uint32_t)tail.n);
    fwrite(tail.v, sizeof *tail.v, tail.n, f);
    fwrite(head.v, sizeof *head.v, head.n, f);
    fwrite(w.v, sizeof *w.v, w.n, f);
    VEC_FREE(NULL, tail);
    VEC_FREE(NULL, head);
    VEC_FREE(NULL, w);
    return fclose(f) == 0 ? 0 : 1;
}

typedef struct query {
    uint32_t s, t; /* station nodes */
    rt_seeds src, dst; /* as the planner makes them (rt_source_seeds, rt_target_seeds) */
    double cost;
} query;

/* queries.bin: count, then per query: its two nodes, n_src, (state, cost_ms) * n_src, n_dst, (state, cost_ms) *
 * n_dst, and bogie's cost in seconds as a double. */
static int write_queries(const query *q, size_t n, const char *dir)
{
    FILE *f = open_out(dir, "queries.bin");
    if (!f)
        return 1;
    put_u32(f, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put_u32(f, q[i].s);
        put_u32(f, q[i].t);
        put_u32(f, (uint32_t)q[i].src.v.n);
        for (size_t k = 0; k < q[i].src.v.n; k++) {
            put_u32(f, q[i].src.v.v[k].node);
            put_u32(f, ms(q[i].src.v.v[k].cost));
        }
        put_u32(f, (uint32_t)q[i].dst.v.n);
        for (size_t k = 0; k < q[i].dst.v.n; k++) {
            put_u32(f, q[i].dst.v.v[k].node);
            put_u32(f, ms(q[i].dst.v.v[k].cost));
        }
        fwrite(&q[i].cost, sizeof q[i].cost, 1, f);
    }
    return fclose(f) == 0 ? 0 : 1;
}

/* Times ch_route on every query, with the path or (with_path false) for the cost alone; fills times (seconds). */
static int time_queries(const ch *h, query *q, size_t n, bool with_path, double *times)
{
    for (size_t i = 0; i < n; i++) {
        double cost, len;
        uint32_t *path = NULL;
        size_t n_path = 0, si, di;
        bogie_diag d = {0};
        double t0 = bench_now();
        bogie_status rc = ch_route(h, q[i].src.v.v, q[i].src.v.n, q[i].dst.v.v, q[i].dst.v.n, &cost, &len,
                                   with_path ? &path : NULL, &n_path, &si, &di, &d);
        times[i] = bench_now() - t0;
        if (rc != BOGIE_OK || fabs(cost - q[i].cost) > 1e-9 * (1 + cost)) {
            fprintf(stderr, "ch_compare: query %zu: %s, cost %.6f against %.6f\n", i, bogie_strerror(rc), cost,
                    q[i].cost);
            return 1;
        }
        if (path)
            ch_path_free(h, path, n_path);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: ch_compare NETWORK DATA_DIR TRAIN.json PAIRS SEED OUT_DIR\n");
        return 2;
    }
    bogie_diag d = {0};
    bogie_network *net;
    bogie_world *w;
    bogie_train t;
    route_base base;
    if (bogie_network_open(argv[1], 0, NULL, &net, &d) || bogie_world_open(argv[2], NULL, &w, &d) ||
        bogie_train_load(argv[3], &t, &d) || route_base_init(&base, net, w, NULL, &d)) {
        fprintf(stderr, "ch_compare: %s\n", d.message);
        return 1;
    }
    size_t pairs = (size_t)atol(argv[4]);
    uint64_t seed = strtoull(argv[5], NULL, 10);
    const char *dir = argv[6];
    rt_costs *c = rt_costs_acquire(&base, &t);
    bogie_status rc = BOGIE_OK;
    double t0 = bench_now();
    const ch *h = c ? rt_hierarchy(&base, &t, c, true, &rc, &d) : NULL;
    double t_build = bench_now() - t0;
    rt_graph g;
    if (!h || rt_state_graph(&base, &t, c, &g, &d) != BOGIE_OK) {
        fprintf(stderr, "ch_compare: %s\n", c ? d.message : "out of memory");
        return 1;
    }
    /* Station nodes on track the train can use. */
    uint32_t *cand = malloc((net->n_nodes ? net->n_nodes : 1) * sizeof *cand);
    size_t nc = 0;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        bool usable = false;
        for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1] && !usable; k++)
            usable = route_train_can_use(&t, &net->classes[net->edges[net->adj[k] >> 1].cls]);
        if (usable && base.node_station[v] != BOGIE_NONE)
            cand[nc++] = v;
    }
    query *q = calloc(pairs ? pairs : 1, sizeof *q);
    size_t n = 0;
    for (size_t tries = 0; nc >= 2 && n < pairs && tries < 20 * pairs; tries++) {
        query x;
        memset(&x, 0, sizeof x);
        x.s = cand[bench_rand(&seed) % nc];
        x.t = cand[bench_rand(&seed) % nc];
        if (x.s == x.t)
            continue;
        double len;
        size_t n_path = 0, si, di;
        if (rt_source_seeds(&base, &t, c, x.s, &x.src) && rt_target_seeds(&base, c, x.t, &x.dst) &&
            ch_route(h, x.src.v.v, x.src.v.n, x.dst.v.v, x.dst.v.n, &x.cost, &len, NULL, &n_path, &si, &di, &d) ==
                BOGIE_OK) {
            q[n++] = x;
        } else {
            rt_seeds_free(NULL, &x.src);
            rt_seeds_free(NULL, &x.dst);
        }
    }
    double *with_path = malloc((n ? n : 1) * sizeof *with_path), *cost_only = malloc((n ? n : 1) * sizeof *cost_only);
    int bad = write_states(&g, dir) || write_nodes(&base, &t, dir) || write_queries(q, n, dir) ||
              time_queries(h, q, n, false, cost_only) || time_queries(h, q, n, true, with_path);
    double sum_p = 0, sum_c = 0;
    for (size_t i = 0; i < n; i++)
        sum_p += with_path[i], sum_c += cost_only[i];
    size_t nodes, arcs, shortcuts;
    ch_stats(h, &nodes, &arcs, &shortcuts);
    if (!bad)
        printf("{\"train\":\"%s\",\"queries\":%zu,\"states\":%zu,\"arcs\":%zu,\"shortcuts\":%zu,\"build_s\":%.3f,"
               "\"path\":{\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"mean_ms\":%.4f},"
               "\"cost\":{\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"mean_ms\":%.4f}}\n",
               t.name, n, nodes, arcs, shortcuts, t_build, bench_quantile(with_path, n, 0.5) * 1e3,
               bench_quantile(with_path, n, 0.99) * 1e3, n ? sum_p / n * 1e3 : 0, bench_quantile(cost_only, n, 0.5) * 1e3,
               bench_quantile(cost_only, n, 0.99) * 1e3, n ? sum_c / n * 1e3 : 0);
    for (size_t i = 0; i < n; i++) {
        rt_seeds_free(NULL, &q[i].src);
        rt_seeds_free(NULL, &q[i].dst);
    }
    free(q);
    free(with_path);
    free(cost_only);
    free(cand);
    rt_state_graph_free(&base, &g);
    rt_costs_release(&base, c);
    route_base_free(&base);
    bogie_world_close(w);
    bogie_network_close(net);
    return bad;
}
