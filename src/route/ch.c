/* ch.c: answers point-to-point and many-to-many queries on a contraction hierarchy (ch.h), which ch_build.c
 * contracts and ch_finish lays out here. */
#include "route/ch_int.h"

#include "base/heap.h"
#include "base/util.h"

#include <math.h>
#include <string.h>

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

bool ch_finish(ch *h, const arc_list *up, const arc_list *down)
{
    return flatten(h->a, up, h->n, &h->up_first, &h->up, &h->n_up) &&
           flatten(h->a, down, h->n, &h->down_first, &h->down, &h->n_down) && link_children(h);
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

/* Runs both directions f and b from the seeds until both queues' least keys reach stretch times the best cost found
 * where they meet, into *best and *meet (INFINITY and UINT32_MAX when they never meet); false when out of memory. */
static bool search_both(dir *f, dir *b, const ch_seed *src, size_t n_src, const ch_seed *dst, size_t n_dst,
                        double stretch, double *best, uint32_t *meet)
{
    *best = INFINITY;
    *meet = UINT32_MAX;
    bool oom = !seed_dir(f, src, n_src) || !seed_dir(b, dst, n_dst);
    while (!oom && (f->q.n > 0 || b->q.n > 0)) {
        double fk = f->q.n ? f->q.v[0].key : INFINITY, bk = b->q.n ? b->q.v[0].key : INFINITY;
        if (fk >= *best * stretch && bk >= *best * stretch)
            break;
        dir *d = fk <= bk ? f : b, *o = d == f ? b : f;
        double key;
        uint32_t x = step(d, &key, &oom);
        if (x == UINT32_MAX)
            continue;
        const label *lo = lfind(&o->map, x), *ld = lfind(&d->map, x);
        if (lo && ld && ld->d + lo->d < *best) {
            *best = ld->d + lo->d;
            *meet = x;
        }
    }
    return !oom;
}

/* The path of the two searches f and b through state via (reached by both): its cost and length, and, when path is
 * not NULL, its input nodes in *path (allocated with h->a, *n_path of them; ch_path_free frees them), with *via_at
 * the index of via in it; the seeds it starts and ends from. */
static bogie_status path_through(const ch *h, const lmap *f, const lmap *b, uint32_t via, double *cost, double *len,
                                 uint32_t **path, size_t *n_path, size_t *via_at, size_t *src_seed, size_t *dst_seed,
                                 bogie_diag *diag)
{
    if (path)
        *path = NULL;
    *n_path = 0;
    const label *lf = lfind(f, via), *lb = lfind(b, via);
    if (!lf || !lb || isinf(lf->d) || isinf(lb->d))
        return BOGIE_ERR_NOT_FOUND;
    *cost = lf->d + lb->d;
    *len = lf->len + lb->len;
    if (!path) {
        /* The cost alone: only the seeds are looked for. */
        const label *l = lf;
        while (l->parent != UINT32_MAX)
            l = lfind(f, l->parent);
        *src_seed = l->seed;
        for (l = lb; l->parent != UINT32_MAX;)
            l = lfind(b, l->parent);
        *dst_seed = l->seed;
        *via_at = 0;
        return BOGIE_OK;
    }
    /* The forward half, walked back to its seed, then unpacked in travel order. */
    VEC(pending) half = {0};
    bool oom = false;
    uint32_t x = via;
    const label *l = lf;
    while (l->parent != UINT32_MAX && !oom) {
        oom = VEC_PUSH(h->a, half, ((pending){l->arc, x})) != 0;
        x = l->parent;
        l = lfind(f, x);
    }
    *src_seed = l->seed;
    unpacked u = {{0}, {0}};
    oom = oom || VEC_RESERVE(h->a, u.path, 1024) != 0 || VEC_PUSH(h->a, u.path, x) != 0;
    for (size_t i = half.n; i-- > 0 && !oom;)
        oom = !unpack(h, half.v[i].id, half.v[i].head, &u);
    VEC_FREE(h->a, half);
    *via_at = u.path.n ? u.path.n - 1 : 0;
    /* The backward half: from via toward the target seed. */
    l = lb;
    while (l->parent != UINT32_MAX && !oom) {
        oom = !unpack(h, l->arc, l->parent, &u);
        l = lfind(b, l->parent);
    }
    *dst_seed = l->seed;
    /* The path goes out at its exact size (shrunk in place), so that ch_path_free needs only its length. */
    uint32_t *exact = oom ? NULL : util_realloc(h->a, u.path.v, u.path.cap * sizeof *exact, u.path.n * sizeof *exact);
    bogie_status rc = BOGIE_OK;
    if (exact) {
        *path = exact;
        *n_path = u.path.n;
        u.path.v = NULL;
        u.path.n = u.path.cap = 0;
    } else {
        rc = util_nomem(diag, "unpacking the route");
    }
    unpacked_free(h, &u);
    return rc;
}

/* Both directions of a query, searched until neither queue holds anything cheaper than stretch times the best
 * cost found where they meet (stretch 1: the usual stopping rule). */
struct ch_spaces {
    const ch *h;
    dir f, b;
    double best;
    uint32_t meet;
    VEC(ch_via) vias;  /* the last ch_spaces_vias answer */
};

void ch_spaces_free(ch_spaces *s)
{
    if (!s)
        return;
    dir_free(&s->f);
    dir_free(&s->b);
    VEC_FREE(s->h->a, s->vias);
    util_free(s->h->a, s, sizeof *s);
}

bogie_status ch_spaces_search(const ch *h, const ch_seed *src, size_t n_src, const ch_seed *dst, size_t n_dst,
                              double stretch, ch_spaces **out, double *best, bogie_diag *diag)
{
    *out = NULL;
    ch_spaces *s = util_malloc(h->a, sizeof *s);
    if (!s)
        return util_nomem(diag, "searching the hierarchy");
    *s = (ch_spaces){h, dir_new(h, true), dir_new(h, false), INFINITY, UINT32_MAX, {0}};
    if (!search_both(&s->f, &s->b, src, n_src, dst, n_dst, stretch < 1 ? 1 : stretch, &s->best, &s->meet)) {
        ch_spaces_free(s);
        return util_nomem(diag, "searching the hierarchy");
    }
    if (s->meet == UINT32_MAX) {
        ch_spaces_free(s);
        return BOGIE_ERR_NOT_FOUND;
    }
    *best = s->best;
    *out = s;
    return BOGIE_OK;
}

uint32_t ch_spaces_meet(const ch_spaces *s)
{
    return s->meet;
}

bogie_status ch_spaces_vias(ch_spaces *s, double max_cost, const ch_via **out, size_t *n_out, bogie_diag *diag)
{
    VEC_FREE(s->h->a, s->vias);
    bool oom = false;
    /* In the order the labels were made (the table's used slots), so that the answer is the same on every run. */
    for (size_t k = 0; k < s->f.map.used.n && !oom; k++) {
        const label *lf = &s->f.map.v[s->f.map.used.v[k]];
        if (!(lf->d <= max_cost))
            continue;
        const label *lb = lfind(&s->b.map, lf->node);
        if (lb && lf->d + lb->d <= max_cost)
            oom = VEC_PUSH(s->h->a, s->vias, ((ch_via){lf->node, lf->d + lb->d})) != 0;
    }
    if (oom)
        return util_nomem(diag, "searching the hierarchy");
    *out = s->vias.v;
    *n_out = s->vias.n;
    return BOGIE_OK;
}

bogie_status ch_spaces_path(const ch_spaces *s, uint32_t via, double *cost, double *len, uint32_t **path,
                            size_t *n_path, size_t *via_at, size_t *src_seed, size_t *dst_seed, bogie_diag *diag)
{
    return path_through(s->h, &s->f.map, &s->b.map, via, cost, len, path, n_path, via_at, src_seed, dst_seed, diag);
}

/* Arc u -> w in the hierarchy: among u's upward arcs when w ranks higher, else among w's; NULL when there is none. */
static const arc *find_arc(const ch *h, uint32_t u, uint32_t w)
{
    if (h->rank[u] < h->rank[w]) {
        for (uint32_t k = h->up_first[u]; k < h->up_first[u + 1]; k++)
            if (h->up[k].other == w)
                return &h->up[k];
    } else {
        for (uint32_t k = h->down_first[w]; k < h->down_first[w + 1]; k++)
            if (h->down[k].other == u)
                return &h->down[k];
    }
    return NULL;
}

double ch_arc_cost(const ch *h, uint32_t u, uint32_t w)
{
    const arc *x = find_arc(h, u, w);
    return x ? x->cost : INFINITY;
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
    double best;
    uint32_t meet;
    bogie_status rc = BOGIE_OK;
    size_t via_at;
    if (!search_both(&f, &b, src, n_src, dst, n_dst, 1, &best, &meet))
        rc = util_nomem(diag, "searching the hierarchy");
    else if (meet == UINT32_MAX)
        rc = BOGIE_ERR_NOT_FOUND;
    else
        rc = path_through(h, &f.map, &b.map, meet, cost, len, path, n_path, &via_at, src_seed, dst_seed, diag);
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
