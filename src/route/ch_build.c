/* ch_build.c: contracts a graph into a contraction hierarchy (ch.h): nodes in order of importance, each replaced by
 * the shortcuts its neighbours need; ch.c lays the result out and answers queries on it. */
#include "route/ch_int.h"

#include "base/heap.h"
#include "base/util.h"

#include <string.h>

/* ----- contraction ----- */

typedef struct builder {
    const bogie_allocator *a;
    uint32_t n;
    arc_list *out, *in;
    arc_list *up, *down;   /* the final arcs, per node, taken when it is contracted */
    uint8_t *done;
    uint32_t *neighbours;  /* contracted neighbours, for the priority */
    uint32_t *depth;
    double *wd;            /* witness search distances, valid where wstamp equals stamp */
    uint32_t *wstamp, stamp;
    minheap wh;
    size_t shortcuts;
    bool oom;
} builder;

static bool list_push(const bogie_allocator *a, arc_list *l, arc x)
{
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? 2 * l->cap : 4;
        arc *nv = util_realloc(a, l->v, l->cap * sizeof *nv, nc * sizeof *nv);
        if (!nv)
            return false;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = x;
    return true;
}

static void list_free(const bogie_allocator *a, arc_list *l)
{
    if (l->v)
        util_free(a, l->v, l->cap * sizeof *l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* Adds arc u -> w, or lowers the cost of the one there. */
static void add_arc(builder *b, uint32_t u, uint32_t w, double cost, double len, uint32_t mid)
{
    if (u == w)
        return;
    arc_list *o = &b->out[u];
    for (uint32_t i = 0; i < o->n; i++) {
        if (o->v[i].other != w)
            continue;
        if (cost < o->v[i].cost) {
            o->v[i] = (arc){w, mid, cost, len};
            arc_list *in = &b->in[w];
            for (uint32_t k = 0; k < in->n; k++)
                if (in->v[k].other == u)
                    in->v[k] = (arc){u, mid, cost, len};
        }
        return;
    }
    if (!list_push(b->a, o, (arc){w, mid, cost, len}) || !list_push(b->a, &b->in[w], (arc){u, mid, cost, len}))
        b->oom = true;
}

/* Removes the arc to (or from) other from list l. */
static void list_remove(arc_list *l, uint32_t other)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i].other == other) {
            l->v[i] = l->v[--l->n];
            return;
        }
}

/* Dijkstra from src over the uncontracted graph without skip, up to cost max_cost or limit settled nodes. */
static void witness_search(builder *b, uint32_t src, uint32_t skip, double max_cost, unsigned limit)
{
    if (++b->stamp == 0) {
        memset(b->wstamp, 0, b->n * sizeof *b->wstamp);
        b->stamp = 1;
    }
    b->wh.n = 0;
    b->wstamp[src] = b->stamp;
    b->wd[src] = 0;
    if (!minheap_push(&b->wh, 0, src)) {
        b->oom = true;
        return;
    }
    unsigned settled = 0;
    while (b->wh.n > 0) {
        heap_entry it = minheap_pop(&b->wh);
        if (it.key > b->wd[it.node])
            continue;
        if (it.key > max_cost || ++settled > limit)
            break;
        const arc_list *o = &b->out[it.node];
        for (uint32_t i = 0; i < o->n; i++) {
            uint32_t y = o->v[i].other;
            if (y == skip)
                continue;
            double d = it.key + o->v[i].cost;
            if (b->wstamp[y] != b->stamp || d < b->wd[y]) {
                b->wstamp[y] = b->stamp;
                b->wd[y] = d;
                if (!minheap_push(&b->wh, d, y)) {
                    b->oom = true;
                    return;
                }
            }
        }
    }
}

/* Counts (and with apply, adds) the shortcuts contracting v needs. */
static unsigned contract(builder *b, uint32_t v, unsigned limit, bool apply)
{
    unsigned added = 0;
    const arc_list *in = &b->in[v], *out = &b->out[v];
    for (uint32_t i = 0; i < in->n && !b->oom; i++) {
        uint32_t u = in->v[i].other;
        double max_cost = -1;
        for (uint32_t k = 0; k < out->n; k++)
            if (out->v[k].other != u && in->v[i].cost + out->v[k].cost > max_cost)
                max_cost = in->v[i].cost + out->v[k].cost;
        if (max_cost < 0)
            continue;
        witness_search(b, u, v, max_cost, limit);
        for (uint32_t k = 0; k < out->n; k++) {
            uint32_t w = out->v[k].other;
            if (w == u)
                continue;
            double c = in->v[i].cost + out->v[k].cost;
            if (b->wstamp[w] == b->stamp && b->wd[w] <= c)
                continue;
            added++;
            if (apply) {
                add_arc(b, u, w, c, in->v[i].len + out->v[k].len, v);
                b->shortcuts++;
            }
        }
    }
    return added;
}

static double priority(builder *b, uint32_t v)
{
    double shortcuts = contract(b, v, 40, false);
    double removed = (double)b->in[v].n + b->out[v].n;
    return 2 * (shortcuts - removed) + b->neighbours[v] + b->depth[v];
}

static void builder_free(builder *b)
{
    for (uint32_t v = 0; v < b->n; v++) {
        if (b->out)
            list_free(b->a, &b->out[v]);
        if (b->in)
            list_free(b->a, &b->in[v]);
        if (b->up)
            list_free(b->a, &b->up[v]);
        if (b->down)
            list_free(b->a, &b->down[v]);
    }
    size_t n = b->n ? b->n : 1;
    util_free(b->a, b->out, n * sizeof *b->out);
    util_free(b->a, b->in, n * sizeof *b->in);
    util_free(b->a, b->up, n * sizeof *b->up);
    util_free(b->a, b->down, n * sizeof *b->down);
    util_free(b->a, b->done, n);
    util_free(b->a, b->neighbours, n * sizeof *b->neighbours);
    util_free(b->a, b->depth, n * sizeof *b->depth);
    util_free(b->a, b->wd, n * sizeof *b->wd);
    util_free(b->a, b->wstamp, n * sizeof *b->wstamp);
    minheap_free(&b->wh);
}

bogie_status ch_build(const ch_input *in, const bogie_allocator *alloc, ch **out, bogie_diag *diag)
{
    const bogie_allocator *a = util_alloc_or_default(alloc);
    *out = NULL;
    builder b;
    memset(&b, 0, sizeof b);
    b.a = a;
    b.n = in->n;
    b.wh.a = a;
    size_t n = in->n ? in->n : 1;
    b.out = util_calloc(a, n, sizeof *b.out);
    b.in = util_calloc(a, n, sizeof *b.in);
    b.up = util_calloc(a, n, sizeof *b.up);
    b.down = util_calloc(a, n, sizeof *b.down);
    b.done = util_calloc(a, n, 1);
    b.neighbours = util_calloc(a, n, sizeof *b.neighbours);
    b.depth = util_calloc(a, n, sizeof *b.depth);
    b.wd = util_malloc(a, n * sizeof *b.wd);
    b.wstamp = util_calloc(a, n, sizeof *b.wstamp);
    ch *h = util_calloc(a, 1, sizeof *h);
    if (h)
        h->a = a; /* before anything can fail: ch_free frees with it */
    minheap order = {a, NULL, 0, 0};
    bogie_status rc = BOGIE_OK;
    if (!b.out || !b.in || !b.up || !b.down || !b.done || !b.neighbours || !b.depth || !b.wd || !b.wstamp || !h) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    h->a = a;
    h->pool_lock_ok = pthread_mutex_init(&h->pool_lock, NULL) == 0;
    if (!h->pool_lock_ok) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    h->n = in->n;
    h->rank = util_malloc(a, n * sizeof *h->rank);
    if (!h->rank) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    for (uint32_t v = 0; v < in->n && !b.oom; v++)
        for (uint32_t k = in->first[v]; k < in->first[v + 1] && !b.oom; k++) {
            add_arc(&b, v, in->to[k], in->cost[k], in->len[k], NO_MID);
            h->n_input++;
        }
    for (uint32_t v = 0; v < in->n && !b.oom; v++)
        if (!minheap_push(&order, priority(&b, v), v))
            b.oom = true;
    uint32_t next_rank = 0;
    while (order.n > 0 && !b.oom) {
        heap_entry it = minheap_pop(&order);
        uint32_t v = it.node;
        if (b.done[v])
            continue;
        /* Lazy updates: a node whose priority rose since it was queued goes back in. */
        double p = priority(&b, v);
        if (order.n > 0 && p > order.v[0].key) {
            if (!minheap_push(&order, p, v))
                b.oom = true;
            continue;
        }
        contract(&b, v, 500, true);
        if (b.oom)
            break;
        /* What remains of v's arcs leads to nodes contracted later: they are its upward arcs. */
        b.up[v] = b.out[v];
        b.down[v] = b.in[v];
        memset(&b.out[v], 0, sizeof b.out[v]);
        memset(&b.in[v], 0, sizeof b.in[v]);
        b.done[v] = 1;
        h->rank[v] = next_rank++;
        for (uint32_t i = 0; i < b.up[v].n; i++) {
            uint32_t w = b.up[v].v[i].other;
            list_remove(&b.in[w], v);
            b.neighbours[w]++;
            if (b.depth[w] < b.depth[v] + 1)
                b.depth[w] = b.depth[v] + 1;
        }
        for (uint32_t i = 0; i < b.down[v].n; i++) {
            uint32_t u = b.down[v].v[i].other;
            list_remove(&b.out[u], v);
            b.neighbours[u]++;
            if (b.depth[u] < b.depth[v] + 1)
                b.depth[u] = b.depth[v] + 1;
        }
    }
    if (b.oom) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    h->n_shortcuts = b.shortcuts;
    if (!ch_finish(h, b.up, b.down)) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    *out = h;
    h = NULL;
done:
    minheap_free(&order);
    builder_free(&b);
    ch_free(h);
    return rc;
}
