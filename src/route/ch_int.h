/* ch_int.h: what the contraction (ch_build.c) and the queries (ch.c) of the contraction hierarchy share: the arc,
 * the hierarchy's layout, and the step that turns the contraction's per-node lists into that layout. Private to
 * src/route/ch*.c. */
#ifndef BOGIE_CH_INT_H
#define BOGIE_CH_INT_H

#include "route/ch.h"

#include <pthread.h>
#include <stdbool.h>

#define NO_MID UINT32_MAX
#define CH_CHILD 3          /* entries per arc id in struct ch's child */
#define CH_LEAF 0x80000000u /* in a child's arc id: that arc is an input arc (nothing to unpack) */

/* An arc during and after contraction: to (or from) other, through mid when it is a shortcut. */
typedef struct arc {
    uint32_t other, mid;
    double cost, len;
} arc;

typedef struct arc_list {
    arc *v;
    uint32_t n, cap;
} arc_list;

/* An arc as the searches read it: its cost, the rank of the node at its other end and its id (16 bytes; the length
 * and the children, which only the path needs, are kept apart by id). */
typedef struct ch_arc {
    double cost;
    uint32_t other, id;
} ch_arc;

/* The queries number nodes by rank (0 the first contracted), so that the top of the hierarchy, which every query
 * reaches, lies together in memory; seeds are mapped in with rank and paths out with order. */
struct ch {
    const bogie_allocator *a;
    uint32_t n;
    uint32_t *rank;       /* input node -> rank (the contraction sets it) */
    uint32_t *order;      /* rank -> input node */
    uint32_t *up_first;   /* n + 1, by rank: node r's upward out-arcs (r -> other, other ranked higher) */
    ch_arc *up;
    uint32_t *down_first; /* n + 1, by rank: node r's upward in-arcs (other -> r, other ranked higher) */
    ch_arc *down;
    /* By arc id (input node v's up arcs, then its down arcs, in the order of the input nodes, so that a path's
     * consecutive nodes have their arcs together): len[id] is the arc's length; child holds
     * CH_CHILD entries per id: for a shortcut u -> w through mid, the ids of its two arcs in travel order (the down
     * arc u -> mid, the up arc mid -> w, both at mid, so close together; CH_LEAF set on an input arc) and mid's
     * input node; NO_MID three times for an input arc. */
    double *len;
    uint32_t *child;
    size_t n_up, n_down, n_input, n_shortcuts;
    /* Searches' tables and queues, kept between queries (one per query running at a time): ch_route takes one and
     * gives it back under pool_lock, so that a query allocates nothing but its path. */
    pthread_mutex_t pool_lock;
    bool pool_lock_ok;
    struct ch_scratch *pool;
};

/* Lays the contraction's result out for queries: up[v] and down[v] (h->n lists by input node, each node's upward
 * out-arcs and upward in-arcs; the caller keeps and frees them) are copied into h's arrays by rank, allocated with
 * h->a, and every shortcut's children are linked. h->rank, h->n_input and h->n_shortcuts are set already. False when
 * out of memory or when rank is no permutation (what was allocated stays in h for ch_free). */
bool ch_finish(ch *h, const arc_list *up, const arc_list *down);

#endif
