/* ch.h: contraction hierarchies over a directed graph with non-negative costs: the speed-up bogie uses for one
 * train's state graph (route.c builds the graph, here it is contracted and queried). Nodes are contracted least
 * important first (in rounds of nodes that share no arc, ch_build.c), adding a shortcut u -> w wherever the only
 * shortest path from u to w ran through the node; a query then searches only upward, from both ends. Every arc also
 * carries a second additive quantity (the length along track) that follows the cheapest path. */
#ifndef BOGIE_CH_H
#define BOGIE_CH_H

#include "bogie.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ch ch;

/* The input graph in compressed rows: node v's arcs are first[v] .. first[v + 1] - 1 of to/cost/len. */
typedef struct ch_input {
    uint32_t n;
    const uint32_t *first;
    const uint32_t *to;
    const double *cost;
    const double *len;
    unsigned threads; /* threads to contract with (0 or 1: the caller's alone); the hierarchy is the same for any */
} ch_input;

/* Contracts the graph, in rounds of nodes that share no arc (ch_build.c). *out is allocated with alloc (which the hierarchy keeps) and freed by ch_free(); the input
 * may be freed afterwards. */
bogie_status ch_build(const ch_input *in, const bogie_allocator *alloc, ch **out, bogie_diag *diag);
void ch_free(ch *h);

/* Sizes, for reports: nodes, the input's arcs, and the shortcuts added. */
void ch_stats(const ch *h, size_t *nodes, size_t *arcs, size_t *shortcuts);

/* A place in a query: a node and what it costs to start there (sources) or to finish from there (targets). */
typedef struct ch_seed {
    uint32_t node;
    double cost, len;
} ch_seed;

/* The cheapest path from any source seed to any target seed. On success *cost and *len are the totals (seed costs
 * included), *path (allocated with the hierarchy's allocator, *n_path nodes; free with ch_path_free) the path in
 * input nodes from the source seed's node to the target seed's node (path NULL: the cost alone, *n_path 0), and
 * *src_seed / *dst_seed the seeds used.
 * BOGIE_ERR_NOT_FOUND when no target is reachable. */
bogie_status ch_route(const ch *h, const ch_seed *src, size_t n_src, const ch_seed *dst, size_t n_dst, double *cost,
                      double *len, uint32_t **path, size_t *n_path, size_t *src_seed, size_t *dst_seed,
                      bogie_diag *diag);
void ch_path_free(const ch *h, uint32_t *path, size_t n_path);

/* The search spaces of both directions of one query, kept for alternative routes (via nodes: Abraham, Delling,
 * Goldberg and Werneck 2013, "Alternative routes in road networks"). */
typedef struct ch_spaces ch_spaces;

/* Searches upward from the source and the target seeds, as ch_route does, but on past the meeting until neither
 * queue holds anything cheaper than stretch (>= 1) times the best cost. On success *best is the cheapest cost and
 * *out (allocated with the hierarchy's allocator; free with ch_spaces_free) holds both spaces; BOGIE_ERR_NOT_FOUND
 * when no target is reachable. */
bogie_status ch_spaces_search(const ch *h, const ch_seed *src, size_t n_src, const ch_seed *dst, size_t n_dst,
                              double stretch, ch_spaces **out, double *best, bogie_diag *diag);
void ch_spaces_free(ch_spaces *s);

/* The node where the cheapest path's two halves meet. */
uint32_t ch_spaces_meet(const ch_spaces *s);

/* A node both directions reached, and the cost of the path through it. */
typedef struct ch_via {
    uint32_t node;
    double cost;
} ch_via;

/* Every node both directions reached whose path costs at most max_cost, in no order: *out (n_out entries) belongs
 * to s and lasts until the next call or ch_spaces_free. */
bogie_status ch_spaces_vias(ch_spaces *s, double max_cost, const ch_via **out, size_t *n_out, bogie_diag *diag);

/* The path through via (one of the nodes both directions reached), as ch_route gives it; *via_at is via's index
 * in *path (allocated with the hierarchy's allocator; free with ch_path_free). */
bogie_status ch_spaces_path(const ch_spaces *s, uint32_t via, double *cost, double *len, uint32_t **path,
                            size_t *n_path, size_t *via_at, size_t *src_seed, size_t *dst_seed, bogie_diag *diag);

/* The cost of the hierarchy's arc u -> w between consecutive nodes of an unpacked path (INFINITY when there is
 * none): adding them up gives the path's cost from its first node. */
double ch_arc_cost(const ch *h, uint32_t u, uint32_t w);

/* Many to many: sources[i] is a list of n_src_seeds[i] seeds, likewise targets. Fills the row-major
 * n_sources x n_targets arrays cost and len (INFINITY where no path). */
bogie_status ch_matrix(const ch *h, const ch_seed *const *sources, const size_t *n_src_seeds, size_t n_sources,
                       const ch_seed *const *targets, const size_t *n_dst_seeds, size_t n_targets, double *cost,
                       double *len, bogie_diag *diag);

#endif
