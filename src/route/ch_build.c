/* ch_build.c: contracts a graph into a contraction hierarchy (ch.h): nodes in order of importance, each replaced by
 * the shortcuts its neighbours need; ch.c lays the result out and answers queries on it.
 *
 * The contraction goes in rounds. Each round takes every node left whose priority is below all its neighbours' (an
 * independent set: no two of them share an arc), finds the shortcuts each of them needs (witness searches that
 * avoid the whole set, so that no two nodes rely on each other's paths), then adds those shortcuts and removes the
 * set, in the set's order, and estimates again the priority of the nodes that lost a neighbour. The searches of a
 * round, and the priorities, read the graph only and run on several threads; what the threads find depends only on
 * the graph, so the hierarchy is the same whatever their number. */
#include "route/ch_int.h"

#include "base/heap.h"
#include "base/util.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

/* Witness searches stop early: a path they miss costs a superfluous shortcut, never a wrong one. Estimating a
 * priority, they settle at most 40 nodes and look for paths of at most 3 arcs (on the 5-million-node benchmark
 * network, 3 arcs instead of any number takes 62 % fewer steps for 0.02 % more shortcuts); contracting, 500 nodes
 * and any number of arcs. */
#define PRIORITY_LIMIT 40
#define PRIORITY_HOPS 3
#define CONTRACT_LIMIT 500
#define CONTRACT_HOPS UINT8_MAX
#define MAX_THREADS 8
#define PARALLEL_MIN 256    /* jobs of fewer items run on the calling thread alone */
#define BLOCK 32            /* items a thread takes at a time */
#define SERIAL_BELOW 4096   /* graphs of fewer nodes are contracted on the calling thread alone */

enum { LEFT, IN_ROUND, CONTRACTED };

/* A shortcut found for a node of the round: u -> w through that node. */
typedef struct pending {
    uint32_t u, w;
    double cost, len;
} pending;

/* Where a node of the round's shortcuts are: count of them from first in worker's list. */
typedef struct found {
    uint32_t worker, first, count;
} found;

struct builder;

/* What a witness search knows of a node, valid where stamp is the search's: one cache line's quarter, as the
 * searches are bound by memory. */
typedef struct wnode {
    double d;
    uint32_t stamp;
    uint8_t hops;   /* arcs on the path found */
    uint8_t target; /* one of the search's targets, not yet settled */
} wnode;

/* One thread's witness searches. */
typedef struct worker {
    struct builder *b;
    unsigned id;
    wnode *ws;
    uint32_t stamp;
    minheap wh;
    VEC(pending) pend;
    bool oom;
} worker;

typedef void job_fn(worker *wk, size_t i);

/* The threads: the caller is worker 0; the others wait for a new job (gen changes), run it, and say when done. */
typedef struct pool {
    pthread_t th[MAX_THREADS];
    unsigned n_started;
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    bool sync_ok;
    unsigned gen, active;
    job_fn *fn;
    size_t count;
    atomic_size_t next;
    bool quit;
} pool;

typedef struct builder {
    const bogie_allocator *a;
    uint32_t n;
    arc_list *out, *in;
    arc_list *up, *down;   /* the final arcs, per node, taken when it is contracted */
    uint8_t *state;        /* per node: LEFT, IN_ROUND (being contracted this round) or CONTRACTED */
    uint32_t *alive, n_alive; /* the nodes left, in order */
    arc *slab;             /* every list's first arcs, as many as the input gives it (load_input) */
    size_t slab_n;
    uint32_t *neighbours;  /* contracted neighbours, for the priority */
    uint32_t *depth;
    double *prio;
    uint32_t *round_set, n_set;
    found *found;          /* per node of round_set */
    uint32_t *touched, n_touched;
    uint32_t *touch_mark;  /* round + 1 where a node is in touched */
    size_t shortcuts;
    unsigned n_workers;
    worker wk[MAX_THREADS];
    pool pl;
    pthread_mutex_t alloc_lock;
    bool lock_ok;
    bogie_allocator locked;     /* b->a under alloc_lock (locked_alloc) */
    bool oom;
} builder;

/* Whether list l's arcs lie in the block b->slab that holds every node's first arcs (freed at once at the end). */
static bool in_slab(const builder *b, const arc_list *l)
{
    uintptr_t p = (uintptr_t)l->v, s = (uintptr_t)b->slab;
    return b->slab && p >= s && p < s + b->slab_n * sizeof *b->slab;
}

static bool list_push(builder *b, arc_list *l, arc x)
{
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? 2 * l->cap : 4;
        arc *nv;
        if (in_slab(b, l)) {
            nv = util_malloc(b->a, nc * sizeof *nv);
            if (nv)
                memcpy(nv, l->v, l->n * sizeof *nv);
        } else {
            nv = util_realloc(b->a, l->v, l->cap * sizeof *nv, nc * sizeof *nv);
        }
        if (!nv)
            return false;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = x;
    return true;
}

static void list_free(const builder *b, arc_list *l)
{
    if (l->v && !in_slab(b, l))
        util_free(b->a, l->v, l->cap * sizeof *l->v);
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
    if (!list_push(b, o, (arc){w, mid, cost, len}) || !list_push(b, &b->in[w], (arc){u, mid, cost, len}))
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

/* ----- witness searches ----- */

static void new_stamp(worker *wk)
{
    if (++wk->stamp == 0) {
        memset(wk->ws, 0, wk->b->n * sizeof *wk->ws);
        wk->stamp = 1;
    }
}

/* Dijkstra from src over the nodes left but v (and with avoid_round, this round's), until the targets (n_targets
 * of them, marked) are all settled, the cost passes max_cost, limit nodes are settled or max_hops arcs are taken. */
static void witness_search(worker *wk, uint32_t src, uint32_t v, double max_cost, unsigned n_targets, unsigned limit,
                           unsigned max_hops, bool avoid_round)
{
    const builder *b = wk->b;
    wnode *ws = wk->ws;
    uint32_t stamp = wk->stamp;
    wk->wh.n = 0;
    ws[src] = (wnode){0, stamp, 0, 0};
    if (!minheap_push(&wk->wh, 0, src)) {
        wk->oom = true;
        return;
    }
    unsigned settled = 0;
    while (wk->wh.n > 0) {
        heap_entry it = minheap_pop(&wk->wh);
        wnode *x = &ws[it.node];
        if (it.key > x->d)
            continue;
        if (it.key > max_cost || ++settled > limit) {
            break;
        }
        if (x->target) {
            x->target = 0;
            if (--n_targets == 0)
                break;
        }
        if (x->hops >= max_hops)
            continue;
        uint8_t hops = (uint8_t)(x->hops + 1);
        const arc_list *o = &b->out[it.node];
        for (uint32_t i = 0; i < o->n; i++) {
            uint32_t y = o->v[i].other;
            if (y == v || (avoid_round && b->state[y] == IN_ROUND))
                continue;
            double d = it.key + o->v[i].cost;
            wnode *wy = &ws[y];
            if (wy->stamp != stamp)
                *wy = (wnode){d, stamp, hops, 0};
            else if (d < wy->d)
                wy->d = d, wy->hops = hops;
            else
                continue;
            if (!minheap_push(&wk->wh, d, y)) {
                wk->oom = true;
                return;
            }
        }
    }
}

/* The allocator of the workers' lists and queues: b->a under b->alloc_lock, as b->a need not be thread-safe. */
static void *locked_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    builder *b = ud;
    pthread_mutex_lock(&b->alloc_lock);
    void *r = b->a->fn(b->a->ud, ptr, old_size, new_size);
    pthread_mutex_unlock(&b->alloc_lock);
    return r;
}

static void push_pending(worker *wk, pending p)
{
    if (VEC_PUSH(&wk->b->locked, wk->pend, p) != 0)
        wk->oom = true;
}

/* Counts (and with apply, appends to the worker's list) the shortcuts that contracting v needs. */
static unsigned contract(worker *wk, uint32_t v, unsigned limit, unsigned max_hops, bool apply)
{
    const builder *b = wk->b;
    unsigned added = 0;
    const arc_list *in = &b->in[v], *out = &b->out[v];
    for (uint32_t i = 0; i < in->n && !wk->oom; i++) {
        uint32_t u = in->v[i].other;
        double max_cost = -1;
        unsigned n_targets = 0;
        new_stamp(wk);
        for (uint32_t k = 0; k < out->n; k++) {
            if (out->v[k].other == u)
                continue;
            wk->ws[out->v[k].other] = (wnode){INFINITY, wk->stamp, 0, 1};
            n_targets++;
            if (in->v[i].cost + out->v[k].cost > max_cost)
                max_cost = in->v[i].cost + out->v[k].cost;
        }
        if (n_targets == 0)
            continue;
        witness_search(wk, u, v, max_cost, n_targets, limit, max_hops, apply);
        for (uint32_t k = 0; k < out->n; k++) {
            uint32_t w = out->v[k].other;
            if (w == u)
                continue;
            double c = in->v[i].cost + out->v[k].cost;
            if (wk->ws[w].d <= c)
                continue;
            added++;
            if (apply)
                push_pending(wk, (pending){u, w, c, in->v[i].len + out->v[k].len});
        }
    }
    return added;
}

/* Estimates node v's priority: the shortcuts it needs less the arcs it takes away (twice), its neighbours
 * contracted already and its depth in the hierarchy so far (Geisberger et al. 2008). */
static void priority(worker *wk, uint32_t v)
{
    builder *b = wk->b;
    double shortcuts = contract(wk, v, PRIORITY_LIMIT, PRIORITY_HOPS, false);
    double removed = (double)b->in[v].n + b->out[v].n;
    b->prio[v] = 2 * (shortcuts - removed) + b->neighbours[v] + b->depth[v];
}

static void job_priority_all(worker *wk, size_t i)
{
    priority(wk, (uint32_t)i);
}

static void job_priority_touched(worker *wk, size_t i)
{
    priority(wk, wk->b->touched[i]);
}

/* The job of a contraction: finds the shortcuts of node b->round_set[i]. */
static void job_contract(worker *wk, size_t i)
{
    builder *b = wk->b;
    size_t first = wk->pend.n;
    contract(wk, b->round_set[i], CONTRACT_LIMIT, CONTRACT_HOPS, true);
    b->found[i] = (found){wk->id, (uint32_t)first, (uint32_t)(wk->pend.n - first)};
}

/* ----- threads ----- */

/* Runs the pool's job's items, a block at a time, until none is left. */
static void run_items(pool *pl, worker *wk)
{
    for (;;) {
        size_t i = atomic_fetch_add(&pl->next, BLOCK);
        if (i >= pl->count)
            return;
        size_t end = i + BLOCK < pl->count ? i + BLOCK : pl->count;
        for (; i < end; i++)
            pl->fn(wk, i);
    }
}

static void *pool_thread(void *arg)
{
    worker *wk = arg;
    pool *pl = &wk->b->pl;
    unsigned seen = 0;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        while (pl->gen == seen && !pl->quit)
            pthread_cond_wait(&pl->go, &pl->lock);
        bool quit = pl->quit;
        seen = pl->gen;
        pthread_mutex_unlock(&pl->lock);
        if (quit)
            return NULL;
        run_items(pl, wk);
        pthread_mutex_lock(&pl->lock);
        if (--pl->active == 0)
            pthread_cond_signal(&pl->done);
        pthread_mutex_unlock(&pl->lock);
    }
}

/* Runs fn on items 0 .. count - 1, on every worker when there are enough of them. */
static void run_job(builder *b, job_fn *fn, size_t count)
{
    pool *pl = &b->pl;
    if (pl->n_started == 0 || count < PARALLEL_MIN) {
        for (size_t i = 0; i < count; i++)
            fn(&b->wk[0], i);
        return;
    }
    pthread_mutex_lock(&pl->lock);
    pl->fn = fn;
    pl->count = count;
    atomic_store(&pl->next, 0);
    pl->active = pl->n_started;
    pl->gen++;
    pthread_cond_broadcast(&pl->go);
    pthread_mutex_unlock(&pl->lock);
    run_items(pl, &b->wk[0]);
    pthread_mutex_lock(&pl->lock);
    while (pl->active > 0)
        pthread_cond_wait(&pl->done, &pl->lock);
    pthread_mutex_unlock(&pl->lock);
}

/* Starts workers 1 .. n_workers - 1; when fewer threads start than asked (or none), the caller does their share,
 * and the hierarchy is the same. */
static void pool_start(builder *b)
{
    pool *pl = &b->pl;
    if (b->n_workers < 2)
        return;
    if (pthread_mutex_init(&pl->lock, NULL) != 0)
        return;
    if (pthread_cond_init(&pl->go, NULL) != 0) {
        pthread_mutex_destroy(&pl->lock);
        return;
    }
    if (pthread_cond_init(&pl->done, NULL) != 0) {
        pthread_cond_destroy(&pl->go);
        pthread_mutex_destroy(&pl->lock);
        return;
    }
    pl->sync_ok = true;
    for (unsigned t = 1; t < b->n_workers; t++) {
        if (pthread_create(&pl->th[pl->n_started + 1], NULL, pool_thread, &b->wk[pl->n_started + 1]) != 0)
            break;
        pl->n_started++;
    }
}

static void pool_stop(builder *b)
{
    pool *pl = &b->pl;
    if (!pl->sync_ok)
        return;
    pthread_mutex_lock(&pl->lock);
    pl->quit = true;
    pthread_cond_broadcast(&pl->go);
    pthread_mutex_unlock(&pl->lock);
    for (unsigned t = 1; t <= pl->n_started; t++)
        pthread_join(pl->th[t], NULL);
    pthread_cond_destroy(&pl->go);
    pthread_cond_destroy(&pl->done);
    pthread_mutex_destroy(&pl->lock);
    pl->n_started = 0;
    pl->sync_ok = false;
}

/* ----- rounds ----- */

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

/* Whether v comes before x: lower priority, ties broken by a hash of the node (so that a run of equal priorities
 * along a line gives many nodes to a round, not one), then by the node. */
static bool before(const builder *b, uint32_t v, uint32_t x)
{
    if (b->prio[v] != b->prio[x])
        return b->prio[v] < b->prio[x];
    uint32_t hv = mix(v), hx = mix(x);
    return hv != hx ? hv < hx : v < x;
}

static bool local_minimum(const builder *b, uint32_t v)
{
    for (uint32_t i = 0; i < b->out[v].n; i++)
        if (!before(b, v, b->out[v].v[i].other))
            return false;
    for (uint32_t i = 0; i < b->in[v].n; i++)
        if (!before(b, v, b->in[v].v[i].other))
            return false;
    return true;
}

/* The job of a selection: marks node b->alive[i] for this round when it comes before all its neighbours. */
static void job_select(worker *wk, size_t i)
{
    builder *b = wk->b;
    uint32_t v = b->alive[i];
    if (local_minimum(b, v))
        b->state[v] = IN_ROUND;
}

/* Picks the round's nodes, in the order of b->alive: every node left that comes before all its neighbours (never
 * none, as the first node left in that order is one). */
static void select_round(builder *b)
{
    run_job(b, job_select, b->n_alive);
    b->n_set = 0;
    for (uint32_t i = 0; i < b->n_alive; i++)
        if (b->state[b->alive[i]] == IN_ROUND)
            b->round_set[b->n_set++] = b->alive[i];
}

static void touch(builder *b, uint32_t x, uint32_t round)
{
    if (b->touch_mark[x] != round + 1) {
        b->touch_mark[x] = round + 1;
        b->touched[b->n_touched++] = x;
    }
}

/* Adds the shortcuts of node i of the round, then takes it out of the graph: its arcs left lead to nodes
 * contracted later, so they are its upward arcs. */
static void contract_node(builder *b, size_t i, uint32_t rank, uint32_t round, uint32_t *ranks)
{
    uint32_t v = b->round_set[i];
    found f = b->found[i];
    const pending *p = b->wk[f.worker].pend.v + f.first;
    for (uint32_t k = 0; k < f.count && !b->oom; k++)
        add_arc(b, p[k].u, p[k].w, p[k].cost, p[k].len, v);
    b->shortcuts += f.count;
    b->up[v] = b->out[v];
    b->down[v] = b->in[v];
    memset(&b->out[v], 0, sizeof b->out[v]);
    memset(&b->in[v], 0, sizeof b->in[v]);
    b->state[v] = CONTRACTED;
    ranks[v] = rank;
    for (int dir = 0; dir < 2; dir++) {
        const arc_list *l = dir == 0 ? &b->up[v] : &b->down[v];
        for (uint32_t k = 0; k < l->n; k++) {
            uint32_t x = l->v[k].other;
            list_remove(dir == 0 ? &b->in[x] : &b->out[x], v);
            b->neighbours[x]++;
            if (b->depth[x] < b->depth[v] + 1)
                b->depth[x] = b->depth[v] + 1;
            touch(b, x, round);
        }
    }
}

/* Contracts every node, a round at a time; ranks[v] is v's place in the order. */
static void contract_all(builder *b, uint32_t *ranks)
{
    for (uint32_t v = 0; v < b->n; v++)
        b->alive[v] = v;
    b->n_alive = b->n;
    run_job(b, job_priority_all, b->n);
    uint32_t next_rank = 0;
    for (uint32_t round = 0; b->n_alive > 0 && !b->oom; round++) {
        select_round(b);
        for (unsigned t = 0; t < b->n_workers; t++)
            b->wk[t].pend.n = 0;
        run_job(b, job_contract, b->n_set);
        for (unsigned t = 0; t < b->n_workers; t++)
            b->oom |= b->wk[t].oom;
        b->n_touched = 0;
        for (size_t i = 0; i < b->n_set && !b->oom; i++)
            contract_node(b, i, next_rank++, round, ranks);
        if (b->oom)
            return;
        run_job(b, job_priority_touched, b->n_touched);
        uint32_t m = 0;
        for (uint32_t i = 0; i < b->n_alive; i++)
            if (b->state[b->alive[i]] == LEFT)
                b->alive[m++] = b->alive[i];
        b->n_alive = m;
    }
    for (unsigned t = 0; t < b->n_workers; t++)
        b->oom |= b->wk[t].oom;
}

/* ----- the builder ----- */

/* Puts the input's arcs into the lists, each list's first arcs in one block (b->slab) with room for as many as the
 * input gives the node, so that loading makes two allocations, not two per node. */
static void load_input(builder *b, const ch_input *in)
{
    size_t m = in->first[in->n];
    b->slab = util_malloc(b->a, 2 * (m ? m : 1) * sizeof *b->slab);
    if (!b->slab) {
        b->oom = true;
        return;
    }
    b->slab_n = 2 * (m ? m : 1);
    for (uint32_t k = 0; k < m; k++)
        b->in[in->to[k]].cap++;
    size_t at = 0;
    for (uint32_t v = 0; v < in->n; v++) {
        uint32_t n_out = in->first[v + 1] - in->first[v], n_in = b->in[v].cap;
        b->out[v] = (arc_list){n_out ? b->slab + at : NULL, 0, n_out};
        at += n_out;
        b->in[v] = (arc_list){n_in ? b->slab + at : NULL, 0, n_in};
        at += n_in;
    }
    for (uint32_t v = 0; v < in->n && !b->oom; v++)
        for (uint32_t k = in->first[v]; k < in->first[v + 1] && !b->oom; k++)
            add_arc(b, v, in->to[k], in->cost[k], in->len[k], NO_MID);
}

static void worker_free(builder *b, worker *wk)
{
    size_t n = b->n ? b->n : 1;
    util_free(b->a, wk->ws, n * sizeof *wk->ws);
    minheap_free(&wk->wh);
    VEC_FREE(&b->locked, wk->pend);
}

/* Sets up worker t's tables; false when out of memory (what was allocated is freed by worker_free). */
static bool worker_init(builder *b, unsigned t)
{
    worker *wk = &b->wk[t];
    size_t n = b->n ? b->n : 1;
    wk->b = b;
    wk->id = t;
    wk->wh.a = &b->locked;
    wk->ws = util_calloc(b->a, n, sizeof *wk->ws);
    return wk->ws != NULL;
}

static void builder_free(builder *b)
{
    pool_stop(b);
    for (uint32_t v = 0; v < b->n; v++) {
        if (b->out)
            list_free(b, &b->out[v]);
        if (b->in)
            list_free(b, &b->in[v]);
        if (b->up)
            list_free(b, &b->up[v]);
        if (b->down)
            list_free(b, &b->down[v]);
    }
    size_t n = b->n ? b->n : 1;
    util_free(b->a, b->slab, b->slab_n * sizeof *b->slab);
    util_free(b->a, b->out, n * sizeof *b->out);
    util_free(b->a, b->in, n * sizeof *b->in);
    util_free(b->a, b->up, n * sizeof *b->up);
    util_free(b->a, b->down, n * sizeof *b->down);
    util_free(b->a, b->state, n);
    util_free(b->a, b->alive, n * sizeof *b->alive);
    util_free(b->a, b->neighbours, n * sizeof *b->neighbours);
    util_free(b->a, b->depth, n * sizeof *b->depth);
    util_free(b->a, b->prio, n * sizeof *b->prio);
    util_free(b->a, b->round_set, n * sizeof *b->round_set);
    util_free(b->a, b->found, n * sizeof *b->found);
    util_free(b->a, b->touched, n * sizeof *b->touched);
    util_free(b->a, b->touch_mark, n * sizeof *b->touch_mark);
    for (unsigned t = 0; t < MAX_THREADS; t++)
        if (b->wk[t].b)
            worker_free(b, &b->wk[t]);
    if (b->lock_ok)
        pthread_mutex_destroy(&b->alloc_lock);
}

/* Allocates b's tables and workers for the graph in; false when out of memory. */
static bool builder_init(builder *b, const ch_input *in, const bogie_allocator *a)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->n = in->n;
    b->locked = (bogie_allocator){locked_alloc, b};
    b->lock_ok = pthread_mutex_init(&b->alloc_lock, NULL) == 0;
    size_t n = in->n ? in->n : 1;
    b->out = util_calloc(a, n, sizeof *b->out);
    b->in = util_calloc(a, n, sizeof *b->in);
    b->up = util_calloc(a, n, sizeof *b->up);
    b->down = util_calloc(a, n, sizeof *b->down);
    b->state = util_calloc(a, n, 1);
    b->alive = util_malloc(a, n * sizeof *b->alive);
    b->neighbours = util_calloc(a, n, sizeof *b->neighbours);
    b->depth = util_calloc(a, n, sizeof *b->depth);
    b->prio = util_malloc(a, n * sizeof *b->prio);
    b->round_set = util_malloc(a, n * sizeof *b->round_set);
    b->found = util_malloc(a, n * sizeof *b->found);
    b->touched = util_malloc(a, n * sizeof *b->touched);
    b->touch_mark = util_calloc(a, n, sizeof *b->touch_mark);
    if (!b->lock_ok || !b->out || !b->in || !b->up || !b->down || !b->state || !b->alive || !b->neighbours ||
        !b->depth || !b->prio || !b->round_set || !b->found || !b->touched || !b->touch_mark || !worker_init(b, 0))
        return false;
    unsigned want = in->threads < 1 ? 1 : in->threads > MAX_THREADS ? MAX_THREADS : in->threads;
    if (in->n < SERIAL_BELOW)
        want = 1;
    /* Workers past the first are a speed-up only: without the memory for one, fewer threads do the same work. */
    b->n_workers = 1;
    while (b->n_workers < want && worker_init(b, b->n_workers))
        b->n_workers++;
    pool_start(b);
    return true;
}

bogie_status ch_build(const ch_input *in, const bogie_allocator *alloc, ch **out, bogie_diag *diag)
{
    const bogie_allocator *a = util_alloc_or_default(alloc);
    *out = NULL;
    builder b;
    bool ok = builder_init(&b, in, a);
    ch *h = util_calloc(a, 1, sizeof *h);
    if (h)
        h->a = a; /* before anything can fail: ch_free frees with it */
    bogie_status rc = BOGIE_OK;
    if (!ok || !h) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    h->pool_lock_ok = pthread_mutex_init(&h->pool_lock, NULL) == 0;
    if (!h->pool_lock_ok) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    h->n = in->n;
    h->rank = util_malloc(a, (in->n ? in->n : 1) * sizeof *h->rank);
    if (!h->rank) {
        rc = util_nomem(diag, "contracting the graph");
        goto done;
    }
    load_input(&b, in);
    h->n_input = in->first[in->n];
    if (!b.oom)
        contract_all(&b, h->rank);
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
    builder_free(&b);
    ch_free(h);
    return rc;
}
