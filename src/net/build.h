/* build.h: the graph built from what the import gathered (build.c), ready to be written (netwrite.c). */
#ifndef BOGIE_BUILD_H
#define BOGIE_BUILD_H

#include "net/gather.h"

/* The graph built from an imp_state, ready to be written. Owned by the caller; free with net_build_free(). */
typedef struct net_build {
    const bogie_allocator *alloc;
    VEC(net_node) nodes;
    VEC(int64_t) node_osm;
    VEC(uint16_t) node_flags;
    VEC(uint32_t) node_adj;
    VEC(uint32_t) adj;
    VEC(net_edge) edges;
    VEC(net_point) geom;
    VEC(uint16_t) radius;
    VEC(net_station) stations;
    VEC(net_name) station_names;
    VEC(net_break) breaks;
    VEC(net_country) countries;
    VEC(uint16_t) node_country;
    VEC(uint32_t) edge_cross;
    VEC(net_crossing) crossings;
    VEC(float) geom_pos;
    VEC(float) elev;          /* per geom point, NaN where unknown; empty when no node had an ele=* */
    uint32_t *landmarks;      /* n_landmarks nodes (lm_compute) */
    uint32_t *landmark_dist;  /* nodes.n * n_landmarks */
    unsigned n_landmarks;
} net_build;

/* Builds the graph from everything st gathered; the caller owns *out's contents (net_build_free). st's strings gain
 * the names the build needs. */
bogie_status net_build_graph(imp_state *st, net_build *out, bogie_progress_fn progress, void *progress_ud,
                             bogie_progress *prog, bogie_diag *diag);
void net_build_free(net_build *b);

#endif
