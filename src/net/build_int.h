/* build_int.h: what the files of the graph build share (private to src/net/build*.c): the builder's state and the
 * steps each file offers. Every function here starts with bld_; build.h is the build's interface.
 *
 * The files, each using only those listed before it:
 *   build_pieces.c     the gathered nodes sorted by id and looked up; ways cut into pieces, junctions counted
 *   build_stations.c   station candidates placed, merged and attached to track, and the kept ones stored
 *   build_countries.c  nodes put in countries, and where every edge crosses a border
 *   build.c            the build in order: graph nodes, edges, curve radii, positions, adjacency, breaks of gauge */
#ifndef BOGIE_BUILD_INT_H
#define BOGIE_BUILD_INT_H

#include "net/build.h"

/* Per-OSM-node flags used while building. */
enum {
    NF_TRACK = 1u << 0,       /* on a kept track */
    NF_ENDPOINT = 1u << 1,    /* a piece of a way ends here */
    NF_CONFLICT = 1u << 2,    /* piece ends here must not be joined: different classes, a V, opposite directions */
    NF_FORCED = 1u << 3       /* must be a graph node (station, border) */
};

/* A maximal run of a way's resolved nodes (missing nodes split a way into pieces). */
typedef struct piece {
    size_t first;    /* into pnodes */
    uint32_t count;
    uint32_t way;    /* index into st->ways */
} piece;

/* A run of a piece between two graph nodes, or ending where it merges with the next piece. */
typedef struct segment {
    size_t first;    /* into pnodes */
    uint32_t count;
    uint32_t way;
    double length_m; /* scaled by the way's distance=* tag when it has one */
} segment;

/* The state of one build. Every pointer is allocated with a and freed by build.c when the build ends. */
typedef struct builder {
    imp_state *st;
    net_build *out;
    const bogie_allocator *a;
    bogie_diag *diag;
    size_t n_nodes;
    uint8_t *inc;      /* incidence count per OSM node, saturating at 255 */
    uint8_t *nf;       /* NF_* per OSM node */
    uint8_t *kinds;    /* 1 << net_railway of the tracks through each OSM node */
    uint32_t *end_cls; /* class of the first piece end seen at the node */
    uint32_t *end_piece; /* that piece end: piece index << 1 | 1 for its last point */
    uint32_t *gid;     /* graph node id per OSM node, or BOGIE_NONE */
    VEC(uint32_t) pnodes;
    VEC(piece) pieces;
    VEC(segment) segs;
    double *way_scale; /* per way: metres of track per metre of geometry */
    VEC(uint32_t) graph_nodes; /* OSM node index per graph node */
    uint32_t *st_node;  /* per station candidate: attached OSM node index, or BOGIE_NONE */
    float *st_dist;
    uint32_t *st_merge; /* per station candidate: the station it was merged into, or BOGIE_NONE */
} builder;

/* ----- build_pieces.c ----- */

/* Sorts the gathered nodes by id, keeping the first copy of each id (input order decides), counts the duplicates,
 * and sets b->n_nodes. */
bogie_status bld_sort_nodes(builder *b);
/* Returns the index of OSM node id among the sorted nodes, or BOGIE_NONE. */
uint32_t bld_find_node(const imp_state *st, int64_t id);
/* Great-circle distance in metres between nodes a and b (indices). */
double bld_node_dist(const imp_state *st, uint32_t a, uint32_t b);
/* Drops repeated ways, splits every way into pieces of resolved nodes, computes each way's length scale, and counts
 * incidences (b->inc, nf, kinds, end_cls, end_piece). Where two pieces end at a node, it must stay a graph node
 * (NF_CONFLICT) when their classes differ, when they meet in a V (a bend over NET_MAX_BEND_DEG), or when their
 * class depends on the direction and they run head to head or tail to tail. */
bogie_status bld_make_pieces(builder *b);
/* Whether track of class c has tags that depend on the direction of travel: a preferred direction, or different
 * speed limits forward and backward. */
bool bld_directional(const net_class *c);

/* ----- build_stations.c ----- */

/* Places every station candidate, merges those that describe one station, and attaches each merged station to the
 * node of one of its stop positions, or else to the nearest track node of a kind it serves (b->st_node, st_dist,
 * st_merge; the chosen nodes get NF_FORCED). */
bogie_status bld_place_stations(builder *b);
/* Writes the kept stations with their names (and those of the stations merged into them) into b->out, and flags
 * their nodes NET_NODE_STATION; needs the graph nodes numbered (b->gid). */
bogie_status bld_store_stations(builder *b);

/* ----- build_countries.c ----- */

/* Puts every node in its country and finds where every edge crosses a border, from the Natural Earth outlines the
 * import was given. Without outlines the sections stay empty and every node's country is unknown (0). */
bogie_status bld_assign_countries(builder *b);

#endif
