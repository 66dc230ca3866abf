/* landmarks.c: chooses ALT landmarks on a graph and computes every node's distance along track to each. */
#include "net/landmarks.h"

#include "base/heap.h"
#include "base/util.h"

#include <math.h>
#include <string.h>

/* Dijkstra from src over the undirected graph into dist (n entries, INFINITY where unreached). false when out of
 * memory. */
static bool dijkstra(uint32_t n, const uint32_t *node_adj, const uint32_t *adj, const net_edge *edges, uint32_t src,
                     double *dist, minheap *h)
{
    for (uint32_t v = 0; v < n; v++)
        dist[v] = INFINITY;
    dist[src] = 0;
    h->n = 0;
    if (!minheap_push(h, 0, src))
        return false;
    while (h->n > 0) {
        heap_entry it = minheap_pop(h);
        if (it.key > dist[it.node])
            continue;
        for (uint32_t k = node_adj[it.node]; k < node_adj[it.node + 1]; k++) {
            const net_edge *e = &edges[adj[k] >> 1];
            uint32_t w = (adj[k] & 1) ? e->from : e->to;
            double d = it.key + (e->length_m > 0 ? e->length_m : 0);
            if (d < dist[w]) {
                dist[w] = d;
                if (!minheap_push(h, d, w))
                    return false;
            }
        }
    }
    return true;
}

/* The state of one landmark computation: the graph, and scratch arrays allocated with a (lms and out are the
 * result, of k landmarks), freed by work_free(). */
typedef struct lm_work {
    const bogie_allocator *a;
    uint32_t n_nodes;
    const uint32_t *node_adj, *adj;
    const net_edge *edges;
    unsigned k;       /* landmarks asked for, and the size of lms and of each node's row of out */
    uint32_t *comp;   /* per node: its connected component */
    double *dist;     /* per node: the distance of the last Dijkstra run */
    double *nearest;  /* per node: distance to the nearest landmark chosen */
    minheap h;
    uint32_t *stack;
    uint32_t *lms;    /* the landmarks chosen */
    uint32_t *out;    /* n_nodes * k distances, node-major */
    VEC(double) comp_len;     /* per component: its track length */
    VEC(uint32_t) comp_seed;  /* per component: the node it was found from */
    VEC(uint32_t) order;      /* the components that get landmarks, longest first */
    unsigned quota[LM_MAX];   /* per entry of order: how many landmarks it gets */
} lm_work;

static void work_free(lm_work *w)
{
    const bogie_allocator *a = w->a;
    size_t n = w->n_nodes;
    util_free(a, w->comp, n * sizeof *w->comp);
    util_free(a, w->dist, n * sizeof *w->dist);
    util_free(a, w->nearest, n * sizeof *w->nearest);
    minheap_free(&w->h);
    util_free(a, w->stack, n * sizeof *w->stack);
    VEC_FREE(a, w->comp_len);
    VEC_FREE(a, w->comp_seed);
    VEC_FREE(a, w->order);
    if (w->lms)
        util_free(a, w->lms, w->k * sizeof *w->lms); /* k: the size lms has at this point */
    if (w->out)
        util_free(a, w->out, n * w->k * sizeof *w->out);
}

/* Finds the connected components, with each one's track length (every edge is seen from both ends: halved);
 * *total gets the length of all. */
static bogie_status find_components(lm_work *w, double *total, bogie_diag *diag)
{
    for (uint32_t v = 0; v < w->n_nodes; v++)
        w->comp[v] = UINT32_MAX;
    *total = 0;
    for (uint32_t s = 0; s < w->n_nodes; s++) {
        if (w->comp[s] != UINT32_MAX)
            continue;
        uint32_t c = (uint32_t)w->comp_len.n;
        double len = 0;
        size_t top = 0;
        w->stack[top++] = s;
        w->comp[s] = c;
        while (top > 0) {
            uint32_t v = w->stack[--top];
            for (uint32_t i = w->node_adj[v]; i < w->node_adj[v + 1]; i++) {
                const net_edge *e = &w->edges[w->adj[i] >> 1];
                uint32_t u = (w->adj[i] & 1) ? e->from : e->to;
                len += e->length_m > 0 ? e->length_m / 2 : 0;
                if (w->comp[u] == UINT32_MAX) {
                    w->comp[u] = c;
                    w->stack[top++] = u;
                }
            }
        }
        *total += len;
        if (VEC_PUSH(w->a, w->comp_len, len) != 0 || VEC_PUSH(w->a, w->comp_seed, s) != 0)
            return util_nomem(diag, "choosing landmarks");
    }
    return BOGIE_OK;
}

/* Lists in w->order the components that get landmarks (1 % of the track or more), longest first, at most k. */
static bogie_status rank_components(lm_work *w, double total, bogie_diag *diag)
{
    for (uint32_t c = 0; c < w->comp_len.n; c++)
        if (w->comp_len.v[c] > 0 && w->comp_len.v[c] >= 0.01 * total && VEC_PUSH(w->a, w->order, c) != 0)
            return util_nomem(diag, "choosing landmarks");
    for (size_t i = 1; i < w->order.n; i++)
        for (size_t j = i; j > 0 && w->comp_len.v[w->order.v[j]] > w->comp_len.v[w->order.v[j - 1]]; j--) {
            uint32_t t = w->order.v[j];
            w->order.v[j] = w->order.v[j - 1];
            w->order.v[j - 1] = t;
        }
    if (w->order.n > w->k)
        w->order.n = w->k;
    return BOGIE_OK;
}

/* The components' shares (w->quota): in proportion to length, at least one each as long as there are landmarks to
 * give, and what rounding leaves over to the longest. */
static void share_landmarks(lm_work *w)
{
    const unsigned k = w->k;
    double eligible = 0;
    for (size_t i = 0; i < w->order.n; i++)
        eligible += w->comp_len.v[w->order.v[i]];
    unsigned given = 0;
    for (size_t i = 0; i < w->order.n; i++) {
        w->quota[i] = (unsigned)floor(k * w->comp_len.v[w->order.v[i]] / eligible);
        if (w->quota[i] == 0)
            w->quota[i] = 1;
        given += w->quota[i];
    }
    for (size_t i = w->order.n; given > k && i-- > 0;)
        while (w->quota[i] > 1 && given > k) {
            w->quota[i]--;
            given--;
        }
    for (size_t i = 0; given < k; i = (i + 1) % w->order.n) {
        w->quota[i]++;
        given++;
    }
}

/* The node of component c with the largest of d (first of equals), starting from pick with best; *best gets it. */
static uint32_t farthest_in(const lm_work *w, uint32_t c, const double *d, uint32_t pick, double *best)
{
    for (uint32_t v = 0; v < w->n_nodes; v++)
        if (w->comp[v] == c && d[v] > *best) {
            *best = d[v];
            pick = v;
        }
    return pick;
}

/* Picks the q-th landmark of component c: for the first, the node farthest from the component's seed; after it,
 * the node farthest from the landmarks chosen. *pick is BOGIE_NONE when every node is a landmark already. */
static bogie_status pick_landmark(lm_work *w, uint32_t c, unsigned q, uint32_t *pick, bogie_diag *diag)
{
    double best = -1;
    if (q == 0) {
        if (!dijkstra(w->n_nodes, w->node_adj, w->adj, w->edges, w->comp_seed.v[c], w->dist, &w->h))
            return util_nomem(diag, "choosing landmarks");
        *pick = farthest_in(w, c, w->dist, w->comp_seed.v[c], &best);
        return BOGIE_OK;
    }
    *pick = farthest_in(w, c, w->nearest, w->comp_seed.v[c], &best);
    if (!(best > 0))
        *pick = BOGIE_NONE; /* every node of the component is a landmark already */
    return BOGIE_OK;
}

/* A distance as stored: whole metres rounded down, saturated at LM_MAX_DIST; LM_UNREACHABLE when infinite. */
static uint32_t stored_distance(double d)
{
    if (!isfinite(d))
        return LM_UNREACHABLE;
    return d < (double)LM_MAX_DIST ? (uint32_t)floor(d) : LM_MAX_DIST;
}

/* Farthest selection within each component; each landmark's Dijkstra run gives its column of distances. *chosen
 * gets the number of landmarks chosen. */
static bogie_status choose_landmarks(lm_work *w, unsigned *chosen, bogie_diag *diag)
{
    *chosen = 0;
    for (size_t i = 0; i < w->order.n; i++) {
        uint32_t c = w->order.v[i];
        for (unsigned q = 0; q < w->quota[i]; q++) {
            uint32_t pick = BOGIE_NONE;
            bogie_status rc = pick_landmark(w, c, q, &pick, diag);
            if (rc != BOGIE_OK)
                return rc;
            if (pick == BOGIE_NONE)
                break;
            if (!dijkstra(w->n_nodes, w->node_adj, w->adj, w->edges, pick, w->dist, &w->h))
                return util_nomem(diag, "computing landmark distances");
            for (uint32_t v = 0; v < w->n_nodes; v++) {
                if (w->comp[v] == c)
                    w->nearest[v] = q == 0 || w->dist[v] < w->nearest[v] ? w->dist[v] : w->nearest[v];
                w->out[(size_t)v * w->k + *chosen] = stored_distance(w->dist[v]);
            }
            w->lms[(*chosen)++] = pick;
        }
    }
    return BOGIE_OK;
}

/* Closes the gaps left by components that took fewer than their share, and gives the arrays their exact sizes. */
static bogie_status trim_to(lm_work *w, unsigned chosen, bogie_diag *diag)
{
    const bogie_allocator *a = w->a;
    size_t n = w->n_nodes, k = w->k;
    for (size_t v = 0; v < n; v++)
        memmove(w->out + v * chosen, w->out + v * k, chosen * sizeof *w->out);
    uint32_t *o2 = util_realloc(a, w->out, n * k * sizeof *w->out, n * chosen * sizeof *w->out);
    if (!o2)
        return util_nomem(diag, "computing landmark distances");
    w->out = o2;
    uint32_t *l2 = util_realloc(a, w->lms, k * sizeof *w->lms, chosen * sizeof *w->lms);
    if (!l2) {
        util_free(a, w->out, n * chosen * sizeof *w->out);
        w->out = NULL;
        return util_nomem(diag, "computing landmark distances");
    }
    w->lms = l2;
    w->k = chosen;
    return BOGIE_OK;
}

bogie_status lm_compute(uint32_t n_nodes, const uint32_t *node_adj, const uint32_t *adj, const net_edge *edges,
                        unsigned k, const bogie_allocator *alloc, uint32_t **landmarks_out, uint32_t **dist_out,
                        unsigned *k_out, bogie_diag *diag)
{
    const bogie_allocator *a = util_alloc_or_default(alloc);
    *landmarks_out = NULL;
    *dist_out = NULL;
    *k_out = 0;
    if (k > LM_MAX)
        k = LM_MAX;
    if (k > n_nodes)
        k = n_nodes;
    if (k == 0)
        return BOGIE_OK;
    size_t n = n_nodes;
    lm_work w = {a, n_nodes, node_adj, adj, edges, k, NULL, NULL, NULL, {a, NULL, 0, 0}, NULL, NULL, NULL,
                 {0}, {0}, {0}, {0}};
    w.comp = util_malloc(a, n * sizeof *w.comp);
    w.dist = util_malloc(a, n * sizeof *w.dist);
    w.nearest = util_malloc(a, n * sizeof *w.nearest);
    w.stack = util_malloc(a, n * sizeof *w.stack);
    w.lms = util_malloc(a, k * sizeof *w.lms);
    w.out = util_malloc(a, n * k * sizeof *w.out);
    bogie_status rc = BOGIE_OK;
    double total;
    unsigned chosen = 0;
    if (!w.comp || !w.dist || !w.nearest || !w.stack || !w.lms || !w.out)
        rc = util_nomem(diag, "choosing landmarks");
    if (rc == BOGIE_OK)
        rc = find_components(&w, &total, diag);
    if (rc == BOGIE_OK)
        rc = rank_components(&w, total, diag);
    if (rc == BOGIE_OK && w.order.n > 0) {
        share_landmarks(&w);
        rc = choose_landmarks(&w, &chosen, diag);
        if (rc == BOGIE_OK && chosen < k)
            rc = trim_to(&w, chosen, diag);
        if (rc == BOGIE_OK) {
            *landmarks_out = w.lms;
            *dist_out = w.out;
            *k_out = chosen;
            w.lms = w.out = NULL;
        }
    }
    work_free(&w);
    return rc;
}

double lm_bound(const uint32_t *a, const uint32_t *b, unsigned k)
{
    double best = 0;
    for (unsigned i = 0; i < k; i++) {
        uint32_t x = a[i], y = b[i];
        if (x == LM_UNREACHABLE || y == LM_UNREACHABLE) {
            if (x != y)
                return INFINITY;
            continue;
        }
        double d = x > y ? (double)(x - y) : (double)(y - x);
        if (d > best)
            best = d;
    }
    return best > 2 ? best - 2 : 0;
}
