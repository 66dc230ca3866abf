/* ch.c: builds contraction hierarchies and answers point-to-point and many-to-many queries on them (ch.h). */
#include "route/ch.h"

#include "base/heap.h"
#include "base/util.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define NO_MID UINT32_MAX
#define CH_CHILD 3 /* entries per arc in struct ch's up_child and down_child */

/* An arc during and after contraction: to (or from) other, through mid when it is a shortcut. */
typedef struct arc {
    uint32_t other, mid;
    double cost, len;
} arc;

typedef struct arc_list {
    arc *v;
    uint32_t n, cap;
} arc_list;

struct ch {
    const bogie_allocator *a;
    uint32_t n;
    uint32_t *rank;
    uint32_t *up_first;   /* n + 1: node v's upward out-arcs (v -> other, other ranked higher) */
    arc *up;
    uint32_t *down_first; /* n + 1: node v's upward in-arcs (other -> v, other ranked higher) */
    arc *down;
    /* A shortcut's two arcs, as arc ids (up arc k is k, down arc k is n_up + k), in travel order, and its middle
     * node: for u -> w through mid, the down arc u -> mid at mid, the up arc mid -> w at mid, and mid; NO_MID for an
     * input arc. CH_CHILD entries per arc, so that unpacking reads one small array. */
    uint32_t *up_child, *down_child;
    size_t n_up, n_down, n_input, n_shortcuts;
    /* Searches' tables and queues, kept between queries (one per query running at a time): ch_route takes one and
     * gives it back under pool_lock, so that a query allocates nothing but its path. */
    pthread_mutex_t pool_lock;
    bool pool_lock_ok;
    struct ch_scratch *pool;
};

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

static void scratch_free_all(ch *h);

void ch_free(ch *h)
{
    if (!h)
        return;
    scratch_free_all(h);
    if (h->pool_lock_ok)
        pthread_mutex_destroy(&h->pool_lock);
    size_t n = h->n;
    util_free(h->a, h->rank, (n ? n : 1) * sizeof *h->rank);
    util_free(h->a, h->up_first, (n + 1) * sizeof *h->up_first);
    util_free(h->a, h->down_first, (n + 1) * sizeof *h->down_first);
    util_free(h->a, h->up, (h->n_up ? h->n_up : 1) * sizeof *h->up);
    util_free(h->a, h->down, (h->n_down ? h->n_down : 1) * sizeof *h->down);
    if (h->up_child)
        util_free(h->a, h->up_child, CH_CHILD * (h->n_up ? h->n_up : 1) * sizeof *h->up_child);
    if (h->down_child)
        util_free(h->a, h->down_child, CH_CHILD * (h->n_down ? h->n_down : 1) * sizeof *h->down_child);
    util_free(h->a, h, sizeof *h);
}

void ch_stats(const ch *h, size_t *nodes, size_t *arcs, size_t *shortcuts)
{
    *nodes = h->n;
    *arcs = h->n_input;
    *shortcuts = h->n_shortcuts;
}

/* Copies per-node lists into one compressed array. */
static bool flatten(const bogie_allocator *a, const arc_list *lists, uint32_t n, uint32_t **first_out, arc **arcs_out,
                    size_t *count)
{
    size_t total = 0;
    for (uint32_t v = 0; v < n; v++)
        total += lists[v].n;
    uint32_t *first = util_malloc(a, ((size_t)n + 1) * sizeof *first);
    arc *arcs = util_malloc(a, (total ? total : 1) * sizeof *arcs);
    if (!first || !arcs || total >= UINT32_MAX) {
        util_free(a, first, ((size_t)n + 1) * sizeof *first);
        util_free(a, arcs, (total ? total : 1) * sizeof *arcs);
        return false;
    }
    size_t at = 0;
    for (uint32_t v = 0; v < n; v++) {
        first[v] = (uint32_t)at;
        if (lists[v].n)
            memcpy(arcs + at, lists[v].v, lists[v].n * sizeof *arcs);
        at += lists[v].n;
    }
    first[n] = (uint32_t)at;
    *first_out = first;
    *arcs_out = arcs;
    *count = total;
    return true;
}

/* The id of the down arc at node at from other (other -> at), or NO_MID. */
static uint32_t down_arc_id(const ch *h, uint32_t at, uint32_t other)
{
    for (uint32_t k = h->down_first[at]; k < h->down_first[at + 1]; k++)
        if (h->down[k].other == other)
            return (uint32_t)(h->n_up + k);
    return NO_MID;
}

/* The id of the up arc at node at to other (at -> other), or NO_MID. */
static uint32_t up_arc_id(const ch *h, uint32_t at, uint32_t other)
{
    for (uint32_t k = h->up_first[at]; k < h->up_first[at + 1]; k++)
        if (h->up[k].other == other)
            return k;
    return NO_MID;
}

/* Fills one arc's two children (u -> w through mid) and its middle node into c[0], c[1], c[2]. */
static void children_of(const ch *h, uint32_t u, uint32_t w, uint32_t mid, uint32_t *c)
{
    c[0] = mid == NO_MID ? NO_MID : down_arc_id(h, mid, u);
    c[1] = mid == NO_MID ? NO_MID : up_arc_id(h, mid, w);
    c[2] = mid;
}

/* Finds every shortcut's two arcs once (h->up_child, h->down_child, allocated with h->a), so that unpacking a path
 * follows ids instead of searching the arc lists of each middle node; false when out of memory. */
static bool link_children(ch *h)
{
    h->up_child = util_malloc(h->a, CH_CHILD * (h->n_up ? h->n_up : 1) * sizeof *h->up_child);
    h->down_child = util_malloc(h->a, CH_CHILD * (h->n_down ? h->n_down : 1) * sizeof *h->down_child);
    if (!h->up_child || !h->down_child)
        return false;
    for (uint32_t v = 0; v < h->n; v++) {
        for (uint32_t k = h->up_first[v]; k < h->up_first[v + 1]; k++)
            children_of(h, v, h->up[k].other, h->up[k].mid, &h->up_child[CH_CHILD * (size_t)k]);
        for (uint32_t k = h->down_first[v]; k < h->down_first[v + 1]; k++)
            children_of(h, h->down[k].other, v, h->down[k].mid, &h->down_child[CH_CHILD * (size_t)k]);
    }
    return true;
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
    if (!flatten(a, b.up, in->n, &h->up_first, &h->up, &h->n_up) ||
        !flatten(a, b.down, in->n, &h->down_first, &h->down, &h->n_down) || !link_children(h)) {
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

/* ----- queries ----- */

/* A search's labels in an open-addressing table keyed by node. */
typedef struct label {
    uint32_t node;   /* UINT32_MAX: empty */
    uint32_t parent; /* the previous node on the search's path, or UINT32_MAX at a seed */
    uint32_t arc;    /* the id of the arc from parent (struct ch: up_child), for unpacking */
    uint32_t seed;   /* at a seed: its index */
    double d, len;
} label;

typedef struct lmap {
    const bogie_allocator *a;
    label *v;
    size_t cap, n;
    VEC(uint32_t) used; /* the slots taken, so that lreset clears only them */
} lmap;

static size_t lslot(const lmap *m, uint32_t node)
{
    return (size_t)(((uint64_t)node * 0x9E3779B97F4A7C15ull) >> 32) & (m->cap - 1);
}

static label *lfind(const lmap *m, uint32_t node)
{
    if (!m->v)
        return NULL;
    for (size_t i = lslot(m, node);; i = (i + 1) & (m->cap - 1)) {
        if (m->v[i].node == node)
            return &m->v[i];
        if (m->v[i].node == UINT32_MAX)
            return NULL;
    }
}

static label *lget(lmap *m, uint32_t node)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t nc = m->cap ? 2 * m->cap : 256;
        label *nv = util_malloc(m->a, nc * sizeof *nv);
        if (!nv)
            return NULL;
        if (VEC_RESERVE(m->a, m->used, nc / 2) != 0) {
            util_free(m->a, nv, nc * sizeof *nv);
            return NULL;
        }
        for (size_t i = 0; i < nc; i++)
            nv[i].node = UINT32_MAX;
        /* The entries move to their slots in the larger table, which the used list then names. */
        size_t moved = 0;
        for (size_t k = 0; k < m->used.n; k++) {
            const label *x = &m->v[m->used.v[k]];
            size_t j = (size_t)(((uint64_t)x->node * 0x9E3779B97F4A7C15ull) >> 32) & (nc - 1);
            while (nv[j].node != UINT32_MAX)
                j = (j + 1) & (nc - 1);
            nv[j] = *x;
            m->used.v[moved++] = (uint32_t)j;
        }
        if (m->v)
            util_free(m->a, m->v, m->cap * sizeof *m->v);
        m->v = nv;
        m->cap = nc;
    }
    size_t i = lslot(m, node);
    while (m->v[i].node != node && m->v[i].node != UINT32_MAX)
        i = (i + 1) & (m->cap - 1);
    if (m->v[i].node == UINT32_MAX) {
        m->v[i] = (label){node, UINT32_MAX, NO_MID, UINT32_MAX, INFINITY, 0};
        m->n++;
        m->used.v[m->used.n++] = (uint32_t)i; /* room reserved: at most cap / 2 entries */
    }
    return &m->v[i];
}

/* Empties m for the next search, keeping its table: only the slots taken are cleared. */
static void lreset(lmap *m)
{
    for (size_t k = 0; k < m->used.n; k++)
        m->v[m->used.v[k]].node = UINT32_MAX;
    m->used.n = 0;
    m->n = 0;
}

static void lfree(lmap *m)
{
    if (m->v)
        util_free(m->a, m->v, m->cap * sizeof *m->v);
    VEC_FREE(m->a, m->used);
    m->v = NULL;
    m->cap = m->n = 0;
}

/* One direction of a search: its labels and queue. */
typedef struct dir {
    lmap map;
    minheap q;
    const uint32_t *first;
    const arc *arcs;
    uint32_t id_base; /* arc k of arcs has id id_base + k */
} dir;

/* The upward (forward) or downward (backward) direction of a search on h, empty. */
static dir dir_new(const ch *h, bool forward)
{
    dir d = {{h->a, NULL, 0, 0, {0}}, {h->a, NULL, 0, 0}, forward ? h->up_first : h->down_first,
             forward ? h->up : h->down, forward ? 0 : (uint32_t)h->n_up};
    return d;
}

static void dir_free(dir *d)
{
    lfree(&d->map);
    minheap_free(&d->q);
}

/* A point-to-point search's two directions, kept in h's pool between queries. */
typedef struct ch_scratch {
    dir f, b;
    struct ch_scratch *next;
} ch_scratch;

/* A scratch from h's pool, or a new one (allocated with h->a); NULL when out of memory. Give it back with
 * scratch_give. */
static ch_scratch *scratch_take(const ch *hc)
{
    ch *h = (ch *)hc; /* the pool is the one part of a hierarchy that queries change, under its lock */
    pthread_mutex_lock(&h->pool_lock);
    ch_scratch *s = h->pool;
    if (s)
        h->pool = s->next;
    pthread_mutex_unlock(&h->pool_lock);
    if (!s && (s = util_malloc(h->a, sizeof *s)) != NULL)
        *s = (ch_scratch){dir_new(h, true), dir_new(h, false), NULL};
    return s;
}

/* Empties s and puts it back into h's pool. */
static void scratch_give(const ch *hc, ch_scratch *s)
{
    ch *h = (ch *)hc;
    lreset(&s->f.map);
    lreset(&s->b.map);
    s->f.q.n = s->b.q.n = 0;
    pthread_mutex_lock(&h->pool_lock);
    s->next = h->pool;
    h->pool = s;
    pthread_mutex_unlock(&h->pool_lock);
}

static void scratch_free_all(ch *h)
{
    while (h->pool) {
        ch_scratch *s = h->pool;
        h->pool = s->next;
        dir_free(&s->f);
        dir_free(&s->b);
        util_free(h->a, s, sizeof *s);
    }
}

static bool seed_dir(dir *d, const ch_seed *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        label *l = lget(&d->map, s[i].node);
        if (!l)
            return false;
        if (s[i].cost < l->d) {
            l->d = s[i].cost;
            l->len = s[i].len;
            l->parent = UINT32_MAX;
            l->seed = (uint32_t)i;
            if (!minheap_push(&d->q, s[i].cost, s[i].node))
                return false;
        }
    }
    return true;
}

/* Settles the next node of d: relaxes its upward arcs. Returns the node, or UINT32_MAX for a stale entry;
 * *oom on allocation failure. */
static uint32_t step(dir *d, double *key, bool *oom)
{
    heap_entry it = minheap_pop(&d->q);
    *key = it.key;
    label *l = lfind(&d->map, it.node);
    if (!l || it.key > l->d)
        return UINT32_MAX;
    double base = l->d, blen = l->len;
    for (uint32_t k = d->first[it.node]; k < d->first[it.node + 1]; k++) {
        const arc *x = &d->arcs[k];
        double c = base + x->cost;
        label *y = lget(&d->map, x->other);
        if (!y) {
            *oom = true;
            return UINT32_MAX;
        }
        if (c < y->d) {
            y->d = c;
            y->len = blen + x->len;
            y->parent = it.node;
            y->arc = d->id_base + k;
            if (!minheap_push(&d->q, c, x->other)) {
                *oom = true;
                return UINT32_MAX;
            }
        }
    }
    return it.node;
}

/* A step of unpacking: an arc id and the node it arrives at. */
typedef struct pending {
    uint32_t id, head;
} pending;

/* A path in the making and the stack that unpacks it, shared by every arc of one query's path (allocated with the
 * hierarchy's allocator; unpacked_free frees both). */
typedef struct unpacked {
    VEC(uint32_t) path;
    VEC(pending) st;
} unpacked;

static void unpacked_free(const ch *h, unpacked *u)
{
    VEC_FREE(h->a, u->path);
    VEC_FREE(h->a, u->st);
}

/* Appends to u's path the input nodes after the tail of arc id (arriving at head): an input arc gives its head; a
 * shortcut through mid, its two arcs in turn (u -> mid, arriving at mid; mid -> w, arriving at head). */
static bool unpack(const ch *h, uint32_t id, uint32_t head, unpacked *u)
{
    u->st.n = 0;
    bool ok = VEC_PUSH(h->a, u->st, ((pending){id, head})) == 0;
    while (ok && u->st.n > 0) {
        pending t = u->st.v[--u->st.n];
        const uint32_t *c = t.id < h->n_up ? &h->up_child[CH_CHILD * (size_t)t.id]
                                           : &h->down_child[CH_CHILD * ((size_t)t.id - h->n_up)];
        if (c[0] == NO_MID)
            ok = VEC_PUSH(h->a, u->path, t.head) == 0;
        else
            ok = VEC_PUSH(h->a, u->st, ((pending){c[1], t.head})) == 0 &&
                 VEC_PUSH(h->a, u->st, ((pending){c[0], c[2]})) == 0;
    }
    return ok;
}

void ch_path_free(const ch *h, uint32_t *path, size_t n_path)
{
    if (path)
        util_free(h->a, path, n_path * sizeof *path);
}

bogie_status ch_route(const ch *h, const ch_seed *src, size_t n_src, const ch_seed *dst, size_t n_dst, double *cost,
                      double *len, uint32_t **path, size_t *n_path, size_t *src_seed, size_t *dst_seed,
                      bogie_diag *diag)
{
    if (path)
        *path = NULL;
    *n_path = 0;
    ch_scratch *sc = scratch_take(h);
    if (!sc)
        return util_nomem(diag, "searching the hierarchy");
    /* Worked on as locals, put back (with whatever their tables grew to) when done. */
    dir f = sc->f, b = sc->b;
    bool oom = !seed_dir(&f, src, n_src) || !seed_dir(&b, dst, n_dst);
    double best = INFINITY;
    uint32_t meet = UINT32_MAX;
    while (!oom && (f.q.n > 0 || b.q.n > 0)) {
        double fk = f.q.n ? f.q.v[0].key : INFINITY, bk = b.q.n ? b.q.v[0].key : INFINITY;
        if (fk >= best && bk >= best)
            break;
        dir *d = fk <= bk ? &f : &b, *o = d == &f ? &b : &f;
        double key;
        uint32_t x = step(d, &key, &oom);
        if (x == UINT32_MAX)
            continue;
        const label *lo = lfind(&o->map, x), *ld = lfind(&d->map, x);
        if (lo && ld && ld->d + lo->d < best) {
            best = ld->d + lo->d;
            meet = x;
        }
    }
    bogie_status rc = BOGIE_OK;
    if (oom) {
        rc = util_nomem(diag, "searching the hierarchy");
    } else if (meet == UINT32_MAX) {
        rc = BOGIE_ERR_NOT_FOUND;
    } else if (!path) {
        /* The cost alone: only the seeds are looked for. */
        const label *l = lfind(&f.map, meet);
        *cost = best;
        *len = l->len + lfind(&b.map, meet)->len;
        while (l->parent != UINT32_MAX)
            l = lfind(&f.map, l->parent);
        *src_seed = l->seed;
        for (l = lfind(&b.map, meet); l->parent != UINT32_MAX;)
            l = lfind(&b.map, l->parent);
        *dst_seed = l->seed;
    } else {
        const label *lf = lfind(&f.map, meet), *lb = lfind(&b.map, meet);
        *cost = best;
        *len = lf->len + lb->len;
        /* The forward half, walked back to its seed, then unpacked in travel order. */
        VEC(pending) half = {0};
        uint32_t x = meet;
        const label *l = lf;
        while (l->parent != UINT32_MAX && !oom) {
            oom = VEC_PUSH(h->a, half, ((pending){l->arc, x})) != 0;
            x = l->parent;
            l = lfind(&f.map, x);
        }
        *src_seed = l->seed;
        unpacked u = {{0}, {0}};
        oom = oom || VEC_RESERVE(h->a, u.path, 1024) != 0 || VEC_PUSH(h->a, u.path, x) != 0;
        for (size_t i = half.n; i-- > 0 && !oom;)
            oom = !unpack(h, half.v[i].id, half.v[i].head, &u);
        VEC_FREE(h->a, half);
        /* The backward half: from the meeting node toward its target seed. */
        x = meet;
        l = lb;
        while (l->parent != UINT32_MAX && !oom) {
            oom = !unpack(h, l->arc, l->parent, &u);
            x = l->parent;
            l = lfind(&b.map, x);
        }
        *dst_seed = l->seed;
        /* The path goes out at its exact size (shrunk in place), so that ch_path_free needs only its length. */
        uint32_t *exact = oom ? NULL : util_realloc(h->a, u.path.v, u.path.cap * sizeof *exact,
                                                       u.path.n * sizeof *exact);
        if (exact) {
            *path = exact;
            *n_path = u.path.n;
            u.path.v = NULL;
            u.path.n = u.path.cap = 0;
        } else {
            rc = util_nomem(diag, "unpacking the route");
        }
        unpacked_free(h, &u);
    }
    sc->f = f;
    sc->b = b;
    scratch_give(h, sc);
    return rc;
}

/* A target's distance to a node of its upward search space. */
typedef struct bucket_entry {
    uint32_t node, target;
    double d, len;
} bucket_entry;

static int cmp_entry(const void *x, const void *y)
{
    const bucket_entry *a = x, *b = y;
    if (a->node != b->node)
        return a->node < b->node ? -1 : 1;
    return a->target < b->target ? -1 : a->target > b->target;
}

/* Runs one direction's whole upward search from seeds. */
static bool exhaust(dir *d, const ch_seed *seeds, size_t n)
{
    if (!seed_dir(d, seeds, n))
        return false;
    bool oom = false;
    while (d->q.n > 0 && !oom) {
        double key;
        step(d, &key, &oom);
    }
    return !oom;
}

bogie_status ch_matrix(const ch *h, const ch_seed *const *sources, const size_t *n_src_seeds, size_t n_sources,
                       const ch_seed *const *targets, const size_t *n_dst_seeds, size_t n_targets, double *cost,
                       double *len, bogie_diag *diag)
{
    for (size_t i = 0; i < n_sources * n_targets; i++) {
        cost[i] = INFINITY;
        len[i] = INFINITY;
    }
    VEC(bucket_entry) buckets = {0};
    bool oom = false;
    /* Backward searches from every target fill the buckets. */
    for (size_t t = 0; t < n_targets && !oom; t++) {
        dir b = dir_new(h, false);
        oom = !exhaust(&b, targets[t], n_dst_seeds[t]);
        for (size_t i = 0; i < b.map.cap && !oom; i++)
            if (b.map.v[i].node != UINT32_MAX && isfinite(b.map.v[i].d))
                oom = VEC_PUSH(h->a, buckets, ((bucket_entry){b.map.v[i].node, (uint32_t)t, b.map.v[i].d,
                                                              b.map.v[i].len})) != 0;
        dir_free(&b);
    }
    if (!oom)
        util_sort(buckets.v, buckets.n, sizeof *buckets.v, cmp_entry);
    /* Forward searches from every source meet them. */
    for (size_t s = 0; s < n_sources && !oom; s++) {
        dir f = dir_new(h, true);
        oom = !exhaust(&f, sources[s], n_src_seeds[s]);
        for (size_t i = 0; i < f.map.cap && !oom; i++) {
            const label *l = &f.map.v[i];
            if (l->node == UINT32_MAX || !isfinite(l->d))
                continue;
            size_t lo = 0, hi = buckets.n;
            while (lo < hi) {
                size_t m = lo + (hi - lo) / 2;
                if (buckets.v[m].node < l->node)
                    lo = m + 1;
                else
                    hi = m;
            }
            for (size_t k = lo; k < buckets.n && buckets.v[k].node == l->node; k++) {
                const bucket_entry *e = &buckets.v[k];
                double c = l->d + e->d;
                double *cell = &cost[s * n_targets + e->target];
                if (c < *cell) {
                    *cell = c;
                    len[s * n_targets + e->target] = l->len + e->len;
                }
            }
        }
        dir_free(&f);
    }
    VEC_FREE(h->a, buckets);
    return oom ? util_nomem(diag, "computing the matrix") : BOGIE_OK;
}
