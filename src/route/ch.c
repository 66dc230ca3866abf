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
    size_t n = h->n, n_arcs = h->n_up + h->n_down;
    util_free(h->a, h->rank, (n ? n : 1) * sizeof *h->rank);
    util_free(h->a, h->order, (n ? n : 1) * sizeof *h->order);
    util_free(h->a, h->up_first, (n + 1) * sizeof *h->up_first);
    util_free(h->a, h->down_first, (n + 1) * sizeof *h->down_first);
    util_free(h->a, h->up, (h->n_up ? h->n_up : 1) * sizeof *h->up);
    util_free(h->a, h->down, (h->n_down ? h->n_down : 1) * sizeof *h->down);
    util_free(h->a, h->len, (n_arcs ? n_arcs : 1) * sizeof *h->len);
    util_free(h->a, h->child, CH_CHILD * (n_arcs ? n_arcs : 1) * sizeof *h->child);
    util_free(h->a, h, sizeof *h);
}

void ch_stats(const ch *h, size_t *nodes, size_t *arcs, size_t *shortcuts)
{
    *nodes = h->n;
    *arcs = h->n_input;
    *shortcuts = h->n_shortcuts;
}

/* Where each node's arcs start in the arc ids (by input node v: its up arcs, then its down arcs, so that the arcs
 * of consecutive nodes along a track, which one path unpacks together, lie together): n + 1 entries allocated with
 * h->a, or NULL when out of memory or when there are too many arcs for a child id. */
static uint32_t *id_starts(const ch *h, const arc_list *up, const arc_list *down)
{
    uint32_t *start = util_malloc(h->a, ((size_t)h->n + 1) * sizeof *start);
    size_t at = 0;
    for (uint32_t v = 0; start && v < h->n; v++) {
        start[v] = (uint32_t)at;
        at += (size_t)up[v].n + down[v].n;
        if (at >= CH_LEAF / 2) {
            util_free(h->a, start, ((size_t)h->n + 1) * sizeof *start);
            return NULL;
        }
    }
    if (start)
        start[h->n] = (uint32_t)at;
    return start;
}

/* Copies the per-node lists (by input node) into one compressed array by rank, the other ends as ranks, the ids
 * from start (plus skip[v], the node's up arcs before its down arcs): *first_out and *arcs_out allocated with h->a;
 * false when out of memory. */
static bool lay_out(const ch *h, const arc_list *lists, const uint32_t *start, const arc_list *skip,
                    uint32_t **first_out, ch_arc **arcs_out, size_t *count)
{
    const bogie_allocator *a = h->a;
    uint32_t n = h->n;
    size_t total = 0;
    for (uint32_t v = 0; v < n; v++)
        total += lists[v].n;
    uint32_t *first = util_malloc(a, ((size_t)n + 1) * sizeof *first);
    ch_arc *arcs = util_malloc(a, (total ? total : 1) * sizeof *arcs);
    if (!first || !arcs) {
        util_free(a, first, ((size_t)n + 1) * sizeof *first);
        util_free(a, arcs, (total ? total : 1) * sizeof *arcs);
        return false;
    }
    size_t at = 0;
    for (uint32_t r = 0; r < n; r++) {
        first[r] = (uint32_t)at;
        uint32_t v = h->order[r];
        const arc_list *l = &lists[v];
        for (uint32_t i = 0; i < l->n; i++)
            arcs[at++] = (ch_arc){l->v[i].cost, h->rank[l->v[i].other], start[v] + (skip ? skip[v].n : 0) + i};
    }
    first[n] = (uint32_t)at;
    *first_out = first;
    *arcs_out = arcs;
    *count = total;
    return true;
}

/* The id of arc other -> at (down true: at's down arc from other; else at -> other, at's up arc), ranks, with
 * CH_LEAF set when it is an input arc (list: the contraction's lists of that kind), or NO_MID. */
static uint32_t child_id(const ch *h, const arc_list *list, bool down, uint32_t at, uint32_t other)
{
    const uint32_t *first = down ? h->down_first : h->up_first;
    const ch_arc *arcs = down ? h->down : h->up;
    for (uint32_t k = first[at]; k < first[at + 1]; k++)
        if (arcs[k].other == other) {
            bool input = list[h->order[at]].v[k - first[at]].mid == NO_MID;
            return arcs[k].id | (input ? CH_LEAF : 0);
        }
    return NO_MID;
}

/* Fills the length and children of the arc with id id, from rank u to rank w through input node mid (x, from the
 * contraction's lists); false when a child is missing. */
static bool link_arc(ch *h, const arc_list *up, const arc_list *down, uint32_t id, uint32_t u, uint32_t w,
                     const arc *x)
{
    uint32_t *c = &h->child[CH_CHILD * (size_t)id];
    h->len[id] = x->len;
    c[0] = c[1] = c[2] = NO_MID;
    if (x->mid == NO_MID)
        return true;
    uint32_t m = h->rank[x->mid];
    c[0] = child_id(h, down, true, m, u);
    c[1] = child_id(h, up, false, m, w);
    c[2] = x->mid;
    return c[0] != NO_MID && c[1] != NO_MID;
}

/* Finds every arc's length and children (h->len, h->child, allocated with h->a; start: id_starts), so that
 * unpacking a path follows ids instead of searching the arc lists of each middle node; false when out of memory. */
static bool link_children(ch *h, const arc_list *up, const arc_list *down, const uint32_t *start)
{
    size_t n_arcs = h->n_up + h->n_down;
    h->len = util_malloc(h->a, (n_arcs ? n_arcs : 1) * sizeof *h->len);
    h->child = util_malloc(h->a, CH_CHILD * (n_arcs ? n_arcs : 1) * sizeof *h->child);
    if (!h->len || !h->child)
        return false;
    bool ok = true;
    for (uint32_t v = 0; v < h->n && ok; v++) {
        uint32_t r = h->rank[v];
        for (uint32_t i = 0; i < up[v].n && ok; i++)
            ok = link_arc(h, up, down, start[v] + i, r, h->rank[up[v].v[i].other], &up[v].v[i]);
        for (uint32_t i = 0; i < down[v].n && ok; i++)
            ok = link_arc(h, up, down, start[v] + up[v].n + i, h->rank[down[v].v[i].other], r, &down[v].v[i]);
    }
    return ok;
}

/* h->order, the inverse of h->rank (allocated with h->a); false when out of memory or when rank is no
 * permutation. */
static bool invert_rank(ch *h)
{
    h->order = util_malloc(h->a, (h->n ? h->n : 1) * sizeof *h->order);
    if (!h->order)
        return false;
    for (uint32_t r = 0; r < h->n; r++)
        h->order[r] = UINT32_MAX;
    for (uint32_t v = 0; v < h->n; v++) {
        if (h->rank[v] >= h->n || h->order[h->rank[v]] != UINT32_MAX)
            return false;
        h->order[h->rank[v]] = v;
    }
    return true;
}

bool ch_finish(ch *h, const arc_list *up, const arc_list *down)
{
    if (!invert_rank(h))
        return false;
    uint32_t *start = id_starts(h, up, down);
    bool ok = start && lay_out(h, up, start, NULL, &h->up_first, &h->up, &h->n_up) &&
              lay_out(h, down, start, up, &h->down_first, &h->down, &h->n_down) && link_children(h, up, down, start);
    if (start)
        util_free(h->a, start, ((size_t)h->n + 1) * sizeof *start);
    return ok;
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

/* One direction of a search: its labels and queue, and the arcs it follows (by rank). */
typedef struct dir {
    lmap map;
    minheap q;
    const uint32_t *first;
    const ch_arc *arcs;
    const double *len; /* the arcs' lengths by id, when labels keep their length (NULL: path_through finds it) */
} dir;

/* The upward (forward) or downward (backward) direction of a search on h, empty; with_len: each label keeps its
 * length. */
static dir dir_new(const ch *h, bool forward, bool with_len)
{
    dir d = {{h->a, NULL, 0, 0, {0}},
             {h->a, NULL, 0, 0},
             forward ? h->up_first : h->down_first,
             forward ? h->up : h->down,
             with_len ? h->len : NULL};
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
        *s = (ch_scratch){dir_new(h, true, false), dir_new(h, false, false), NULL};
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

/* Seeds d with s (input nodes, mapped to ranks with h->rank); false when out of memory. */
static bool seed_dir(const ch *h, dir *d, const ch_seed *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t r = h->rank[s[i].node];
        label *l = lget(&d->map, r);
        if (!l)
            return false;
        if (s[i].cost < l->d) {
            l->d = s[i].cost;
            l->len = s[i].len;
            l->parent = UINT32_MAX;
            l->seed = (uint32_t)i;
            if (!minheap_push(&d->q, s[i].cost, r))
                return false;
        }
    }
    return true;
}

/* Settles the next node of d: relaxes its upward arcs. Returns the node, or UINT32_MAX for a
 * stale entry; *oom on allocation failure. */
static uint32_t step(dir *d, double *key, bool *oom)
{
    heap_entry it = minheap_pop(&d->q);
    *key = it.key;
    if (d->q.n > 0) /* the next node's arcs, while this one's are relaxed (its first arc came in at its push) */
        __builtin_prefetch(&d->arcs[d->first[d->q.v[0].node]]);
    label *l = lfind(&d->map, it.node);
    if (!l || it.key > l->d)
        return UINT32_MAX;
    double base = l->d, blen = l->len;
    for (uint32_t k = d->first[it.node]; k < d->first[it.node + 1]; k++) {
        const ch_arc *x = &d->arcs[k];
        double c = base + x->cost;
        label *y = lget(&d->map, x->other);
        if (!y) {
            *oom = true;
            return UINT32_MAX;
        }
        if (c < y->d) {
            y->d = c;
            if (d->len)
                y->len = blen + d->len[x->id];
            y->parent = it.node;
            y->arc = x->id;
            if (!minheap_push(&d->q, c, x->other)) {
                *oom = true;
                return UINT32_MAX;
            }
            __builtin_prefetch(&d->first[x->other]);
        }
    }
    return it.node;
}

/* A step of unpacking: an arc id and the node it arrives at. */
typedef struct pending {
    uint32_t id, head;
} pending;

typedef VEC(pending) pending_vec;

/* A path in the making and the stack that unpacks it, shared by every arc of one query's path (allocated with the
 * hierarchy's allocator; unpacked_free frees both). */
typedef struct unpacked {
    VEC(uint32_t) path;
    pending_vec st;
} unpacked;

static void unpacked_free(const ch *h, unpacked *u)
{
    VEC_FREE(h->a, u->path);
    VEC_FREE(h->a, u->st);
}

/* Appends to u's path the input nodes after the tail of arc id, which arrives at input node head: an input arc
 * gives its head; a shortcut through mid, its two arcs in turn (u -> mid, arriving at mid; mid -> w, arriving at
 * head), the first at once and the second from the stack. An input arc among the children (CH_LEAF) gives its head
 * without a look at its own entry. */
static bool unpack(const ch *h, uint32_t id, uint32_t head, unpacked *u)
{
    if (h->child[CH_CHILD * (size_t)id] == NO_MID)
        return VEC_PUSH(h->a, u->path, head) == 0;
    u->st.n = 0;
    pending t = {id, head};
    for (;;) {
        const uint32_t *c = &h->child[CH_CHILD * (size_t)t.id];
        if (VEC_PUSH(h->a, u->st, ((pending){c[1], t.head})) != 0)
            return false;
        /* The second arc's children, which its turn will need, come in while the first arc's are unpacked. */
        if (!(c[1] & CH_LEAF))
            __builtin_prefetch(&h->child[CH_CHILD * (size_t)(h->child[CH_CHILD * (size_t)c[1]] & ~CH_LEAF)]);
        if (!(c[0] & CH_LEAF)) {
            t = (pending){c[0], c[2]};
            continue;
        }
        if (VEC_PUSH(h->a, u->path, c[2]) != 0)
            return false;
        /* The second arcs waiting, in turn, up to the next shortcut. */
        for (;;) {
            if (u->st.n == 0)
                return true;
            t = u->st.v[--u->st.n];
            if (!(t.id & CH_LEAF))
                break;
            if (VEC_PUSH(h->a, u->path, t.head) != 0)
                return false;
        }
    }
}

void ch_path_free(const ch *h, uint32_t *path, size_t n_path)
{
    if (path)
        util_free(h->a, path, n_path * sizeof *path);
}

/* Runs both directions f and b from the seeds until both queues' least keys reach stretch times the best cost found
 * where they meet, into *best and *meet (INFINITY and UINT32_MAX when they never meet; meet a rank); false when out
 * of memory. */
static bool search_both(const ch *h, dir *f, dir *b, const ch_seed *src, size_t n_src, const ch_seed *dst,
                        size_t n_dst, double stretch, double *best, uint32_t *meet)
{
    *best = INFINITY;
    *meet = UINT32_MAX;
    bool oom = !seed_dir(h, f, src, n_src) || !seed_dir(h, b, dst, n_dst);
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

/* One half of a path: the labels of m from rank via back to its seed, as (arc id, the rank it arrives at) from via
 * on, into half (allocated with h->a); the seed's label in *seed; its length (the seed's, then each arc's from
 * the seed on, added in the order the search added them) in *len. False when out of memory. */
static bool walk_half(const ch *h, const lmap *m, uint32_t via, bool forward, pending_vec *half, const label **seed,
                      double *len)
{
    half->n = 0;
    const label *l = lfind(m, via);
    for (uint32_t x = via; l->parent != UINT32_MAX; l = lfind(m, x)) {
        if (VEC_PUSH(h->a, *half, ((pending){l->arc, forward ? x : l->parent})) != 0)
            return false;
        x = l->parent;
    }
    *seed = l;
    double sum = l->len;
    for (size_t i = half->n; i-- > 0;)
        sum += h->len[half->v[i].id];
    *len = sum;
    return true;
}

/* The path of the two searches f and b through rank via (reached by both): its cost and length, and, when path is
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
    pending_vec fh = {0}, bh = {0};
    const label *sf, *sb;
    double len_f = 0, len_b = 0;
    bool oom = !walk_half(h, f, via, true, &fh, &sf, &len_f) || !walk_half(h, b, via, false, &bh, &sb, &len_b);
    *len = len_f + len_b;
    *src_seed = oom ? 0 : sf->seed;
    *dst_seed = oom ? 0 : sb->seed;
    *via_at = 0;
    unpacked u = {{0}, {0}};
    if (path && !oom) {
        /* The forward half in travel order, from the source seed's node; then the backward half from via on. */
        oom = VEC_RESERVE(h->a, u.path, 1024) != 0 || VEC_PUSH(h->a, u.path, h->order[sf->node]) != 0;
        for (size_t i = fh.n; i-- > 0 && !oom;)
            oom = !unpack(h, fh.v[i].id, h->order[fh.v[i].head], &u);
        *via_at = u.path.n ? u.path.n - 1 : 0;
        for (size_t i = 0; i < bh.n && !oom; i++)
            oom = !unpack(h, bh.v[i].id, h->order[bh.v[i].head], &u);
    }
    VEC_FREE(h->a, fh);
    VEC_FREE(h->a, bh);
    bogie_status rc = oom ? util_nomem(diag, "unpacking the route") : BOGIE_OK;
    if (path && !oom) {
        /* The path goes out at its exact size (shrunk in place), so that ch_path_free needs only its length. */
        uint32_t *exact = util_realloc(h->a, u.path.v, u.path.cap * sizeof *exact, u.path.n * sizeof *exact);
        if (exact) {
            *path = exact;
            *n_path = u.path.n;
            u.path.v = NULL;
            u.path.n = u.path.cap = 0;
        } else {
            rc = util_nomem(diag, "unpacking the route");
        }
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
    *s = (ch_spaces){h, dir_new(h, true, false), dir_new(h, false, false), INFINITY, UINT32_MAX, {0}};
    if (!search_both(h, &s->f, &s->b, src, n_src, dst, n_dst, stretch < 1 ? 1 : stretch, &s->best, &s->meet)) {
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
    return s->h->order[s->meet];
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
            oom = VEC_PUSH(s->h->a, s->vias, ((ch_via){s->h->order[lf->node], lf->d + lb->d})) != 0;
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
    return path_through(s->h, &s->f.map, &s->b.map, s->h->rank[via], cost, len, path, n_path, via_at, src_seed,
                        dst_seed, diag);
}

/* Arc u -> w (ranks) in the hierarchy: among u's upward arcs when w ranks higher, else among w's; NULL when there
 * is none. */
static const ch_arc *find_arc(const ch *h, uint32_t u, uint32_t w)
{
    if (u < w) {
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
    const ch_arc *x = find_arc(h, h->rank[u], h->rank[w]);
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
    if (!search_both(h, &f, &b, src, n_src, dst, n_dst, 1, &best, &meet))
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
static bool exhaust(const ch *h, dir *d, const ch_seed *seeds, size_t n)
{
    if (!seed_dir(h, d, seeds, n))
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
        dir b = dir_new(h, false, true);
        oom = !exhaust(h, &b, targets[t], n_dst_seeds[t]);
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
        dir f = dir_new(h, true, true);
        oom = !exhaust(h, &f, sources[s], n_src_seeds[s]);
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
