/* ch_int.h: what the contraction (ch_build.c) and the queries (ch.c) of the contraction hierarchy share: the arc,
 * the hierarchy's layout, and the step that turns the contraction's per-node lists into that layout. Private to
 * src/route/ch*.c. */
#ifndef BOGIE_CH_INT_H
#define BOGIE_CH_INT_H

#include "route/ch.h"

#include <pthread.h>
#include <stdbool.h>

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

/* Lays the contraction's result out for queries: up[v] and down[v] (h->n lists, each node's upward out-arcs and
 * upward in-arcs; the caller keeps and frees them) are copied into h's arrays, allocated with h->a, and every
 * shortcut's children are linked. h->rank, h->n_input and h->n_shortcuts are set already. False when out of
 * memory (what was allocated stays in h for ch_free). */
bool ch_finish(ch *h, const arc_list *up, const arc_list *down);

#endif
