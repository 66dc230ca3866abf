/* landmarks.h: landmarks for the route search's lower bounds (ALT: A*, landmarks and the triangle inequality). A few
 * nodes are chosen far apart, and every node's distance along track to each is stored in the graph file; the
 * distance from v to t is then at least |d(L, t) - d(L, v)| for every landmark L. The distances are over all track,
 * in both directions, whatever the train: a train can only use some of it, and no faster than its top speed, so the
 * bound divided by that speed stays a lower bound on its time for every train profile. */
#ifndef BOGIE_LANDMARKS_H
#define BOGIE_LANDMARKS_H

#include "bogie.h"
#include "net/netfmt.h"

#include <stdint.h>

/* How many landmarks an import chooses (fewer when the network has fewer nodes). */
#define LM_DEFAULT_COUNT 16
/* The most a graph file may hold. */
#define LM_MAX 64
/* A node that cannot reach the landmark. */
#define LM_UNREACHABLE UINT32_MAX
/* The largest distance stored (4295 km short of 4.3 million km, which only distance=* tags reach): farther nodes
 * keep this value. Saturating never changes |a - b| by more than the true difference, so the bounds stay lower
 * bounds, only weaker among nodes beyond it; storing them as unreachable would part connected places. */
#define LM_MAX_DIST (LM_UNREACHABLE - 1)

/* Chooses up to k landmarks on the graph (n_nodes nodes; node_adj/adj/edges as in the graph file) and computes the
 * distances. Landmarks go to the connected components in proportion to their track length (components under 1 % of
 * the track get none); within a component each new landmark is the node farthest from those chosen ("farthest"
 * selection). *landmarks_out receives the chosen nodes (*k_out of them) and *dist_out n_nodes * *k_out distances,
 * node-major (node v's distances start at v * k_out), in whole metres rounded down and at most LM_MAX_DIST,
 * LM_UNREACHABLE where there is no path. Both arrays are allocated with alloc; the caller frees them with util_free and those sizes. */
bogie_status lm_compute(uint32_t n_nodes, const uint32_t *node_adj, const uint32_t *adj, const net_edge *edges,
                        unsigned k, const bogie_allocator *alloc, uint32_t **landmarks_out, uint32_t **dist_out,
                        unsigned *k_out, bogie_diag *diag);

/* A lower bound on the track distance between two nodes whose landmark distances (k each) are a and b: the largest
 * |a[i] - b[i]| less two metres for the rounding (of the stored metres and of virtual nodes'); INFINITY when one is reachable from a landmark and the other not
 * (they lie in different components); 0 when no landmark reaches either. */
double lm_bound(const uint32_t *a, const uint32_t *b, unsigned k);

#endif
