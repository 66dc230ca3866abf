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
    uint32_t *comp = util_malloc(a, n * sizeof *comp);
    double *dist = util_malloc(a, n * sizeof *dist);
    double *nearest = util_malloc(a, n * sizeof *nearest); /* distance to the nearest landmark chosen */
    minheap h = {a, NULL, 0, 0};
    uint32_t *stack = util_malloc(a, n * sizeof *stack);
    uint32_t *lms = util_malloc(a, k * sizeof *lms);
    uint32_t *out = util_malloc(a, n * k * sizeof *out);
    VEC(double) comp_len = {0};
    VEC(uint32_t) comp_seed = {0};
    VEC(uint32_t) order = {0};
    bogie_status rc = BOGIE_OK;
    if (!comp || !dist || !nearest || !stack || !lms || !out) {
        rc = util_nomem(diag, "choosing landmarks");
        goto done;
    }
    /* Connected components, with each one's track length (every edge is seen from both ends: halved). */
    for (uint32_t v = 0; v < n_nodes; v++)
        comp[v] = UINT32_MAX;
    double total = 0;
    for (uint32_t s = 0; s < n_nodes && rc == BOGIE_OK; s++) {
        if (comp[s] != UINT32_MAX)
            continue;
        uint32_t c = (uint32_t)comp_len.n;
        double len = 0;
        size_t top = 0;
        stack[top++] = s;
        comp[s] = c;
        while (top > 0) {
            uint32_t v = stack[--top];
            for (uint32_t i = node_adj[v]; i < node_adj[v + 1]; i++) {
                const net_edge *e = &edges[adj[i] >> 1];
                uint32_t w = (adj[i] & 1) ? e->from : e->to;
                len += e->length_m > 0 ? e->length_m / 2 : 0;
                if (comp[w] == UINT32_MAX) {
                    comp[w] = c;
                    stack[top++] = w;
                }
            }
        }
        total += len;
        if (VEC_PUSH(a, comp_len, len) != 0 || VEC_PUSH(a, comp_seed, s) != 0)
            rc = util_nomem(diag, "choosing landmarks");
    }
    /* The components that get landmarks (1 % of the track or more), longest first. */
    for (uint32_t c = 0; rc == BOGIE_OK && c < comp_len.n; c++)
        if (comp_len.v[c] > 0 && comp_len.v[c] >= 0.01 * total && VEC_PUSH(a, order, c) != 0)
            rc = util_nomem(diag, "choosing landmarks");
    if (rc != BOGIE_OK || order.n == 0)
        goto done;
    for (size_t i = 1; i < order.n; i++)
        for (size_t j = i; j > 0 && comp_len.v[order.v[j]] > comp_len.v[order.v[j - 1]]; j--) {
            uint32_t t = order.v[j];
            order.v[j] = order.v[j - 1];
            order.v[j - 1] = t;
        }
    /* Their shares: in proportion to length, at least one each as long as there are landmarks to give, and what
     * rounding leaves over to the longest. */
    if (order.n > k)
        order.n = k;
    double eligible = 0;
    for (size_t i = 0; i < order.n; i++)
        eligible += comp_len.v[order.v[i]];
    unsigned quota[LM_MAX], given = 0;
    for (size_t i = 0; i < order.n; i++) {
        quota[i] = (unsigned)floor(k * comp_len.v[order.v[i]] / eligible);
        if (quota[i] == 0)
            quota[i] = 1;
        given += quota[i];
    }
    for (size_t i = order.n; given > k && i-- > 0;)
        while (quota[i] > 1 && given > k) {
            quota[i]--;
            given--;
        }
    for (size_t i = 0; given < k; i = (i + 1) % order.n) {
        quota[i]++;
        given++;
    }
    /* Farthest selection within each component; each landmark's Dijkstra run gives its column of distances. */
    unsigned chosen = 0;
    for (size_t i = 0; i < order.n; i++) {
        uint32_t c = order.v[i];
        for (unsigned q = 0; q < quota[i]; q++) {
            double best = -1;
            uint32_t pick = comp_seed.v[c];
            if (q == 0) {
                if (!dijkstra(n_nodes, node_adj, adj, edges, pick, dist, &h)) {
                    rc = util_nomem(diag, "choosing landmarks");
                    goto done;
                }
                for (uint32_t v = 0; v < n_nodes; v++)
                    if (comp[v] == c && dist[v] > best) {
                        best = dist[v];
                        pick = v;
                    }
            } else {
                for (uint32_t v = 0; v < n_nodes; v++)
                    if (comp[v] == c && nearest[v] > best) {
                        best = nearest[v];
                        pick = v;
                    }
                if (!(best > 0))
                    break; /* every node of the component is a landmark already */
            }
            if (!dijkstra(n_nodes, node_adj, adj, edges, pick, dist, &h)) {
                rc = util_nomem(diag, "computing landmark distances");
                goto done;
            }
            for (uint32_t v = 0; v < n_nodes; v++) {
                if (comp[v] == c)
                    nearest[v] = q == 0 || dist[v] < nearest[v] ? dist[v] : nearest[v];
                out[(size_t)v * k + chosen] =
                    isfinite(dist[v]) && dist[v] < 4e9 ? (uint32_t)floor(dist[v]) : LM_UNREACHABLE;
            }
            lms[chosen++] = pick;
        }
    }
    /* Close the gaps left by components that took fewer than their share, and give the arrays their exact sizes. */
    if (chosen < k) {
        for (size_t v = 0; v < n; v++)
            memmove(out + v * chosen, out + v * k, chosen * sizeof *out);
        uint32_t *o2 = util_realloc(a, out, n * k * sizeof *out, n * chosen * sizeof *out);
        if (!o2) {
            rc = util_nomem(diag, "computing landmark distances");
            goto done;
        }
        out = o2;
        uint32_t *l2 = util_realloc(a, lms, k * sizeof *lms, chosen * sizeof *lms);
        if (!l2) {
            util_free(a, out, n * chosen * sizeof *out);
            out = NULL;
            rc = util_nomem(diag, "computing landmark distances");
            goto done;
        }
        lms = l2;
        k = chosen;
    }
    *landmarks_out = lms;
    *dist_out = out;
    *k_out = chosen;
    lms = out = NULL;
done:
    util_free(a, comp, n * sizeof *comp);
    util_free(a, dist, n * sizeof *dist);
    util_free(a, nearest, n * sizeof *nearest);
    minheap_free(&h);
    util_free(a, stack, n * sizeof *stack);
    VEC_FREE(a, comp_len);
    VEC_FREE(a, comp_seed);
    VEC_FREE(a, order);
    if (lms)
        util_free(a, lms, k * sizeof *lms); /* k: the size lms has at this point */
    if (out)
        util_free(a, out, n * k * sizeof *out);
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
