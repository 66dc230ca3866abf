/* network.h: the in-memory view of a mapped graph file. Every pointer here points into the read-only mapping and
 * every count and index has been validated by bogie_network_open(), so query modules may index without checks. */
#ifndef BOGIE_NETWORK_H
#define BOGIE_NETWORK_H

#include "bogie.h"
#include "net/netfmt.h"

#include <stddef.h>
#include <stdint.h>

struct bogie_network {
    const bogie_allocator *alloc;
    const uint8_t *base;
    size_t size;
    const netfmt_header *header;
    const char *meta;
    size_t meta_size;
    const char *strings;
    size_t strings_size;
    const net_node *nodes;
    const int64_t *node_osm;
    const uint16_t *node_flags;
    const uint32_t *node_adj; /* n_nodes + 1 entries */
    uint32_t n_nodes;
    const uint32_t *adj;
    size_t n_adj;
    const net_edge *edges;
    uint32_t n_edges;
    const net_class *classes;
    uint32_t n_classes;
    const net_point *geom;
    const uint16_t *radius;
    const float *geom_pos;    /* per point: distance from its edge's start, in the edge's length units */
    const float *elev;        /* per point: metres above sea level, NaN where unknown; NULL when the file has none */
    size_t n_geom;
    const net_station *stations;
    uint32_t n_stations;
    const net_name *names;
    size_t n_names;
    const net_break *breaks;
    size_t n_breaks;
    const net_issue *issues;
    size_t n_issues;
    const net_stat *stats;
    size_t n_stats;
    const net_country *countries;
    uint32_t n_countries;
    const uint16_t *node_country;   /* per node: 1 + country index, or 0 */
    const uint32_t *edge_cross;     /* n_edges + 1 entries */
    const net_crossing *crossings;
    size_t n_crossings;
    const uint32_t *landmarks;      /* n_landmarks graph nodes (landmarks.h) */
    unsigned n_landmarks;
    const uint32_t *landmark_dist;  /* n_nodes * n_landmarks, node-major */
};

/* Returns the string at a validated offset. */
static inline const char *net_str(const bogie_network *net, uint32_t off)
{
    return net->strings + off;
}

/* The ISO 3166-1 alpha-2 code of the country node v lies in, or "" when the network has no country data. */
const char *net_node_country(const bogie_network *net, uint32_t v);

/* A flag of net_open_buffer() beside the public BOGIE_OPEN_*: verify on two threads or more whatever the file's
 * size (a small file is verified on the calling thread alone), so that the tests cover the threaded verification on
 * small files. */
#define NET_OPEN_THREADED (1u << 31)

/* Opens a graph file held in memory (len bytes at data, which must stay valid and 8-byte aligned while the network
 * is used). name is used in messages. The fuzzer and bogie_network_open() share this. *out is freed with
 * net_close_buffer(), which does not free data. */
bogie_status net_open_buffer(const char *name, const void *data, size_t len, unsigned flags,
                             const bogie_allocator *alloc, bogie_network **out, bogie_diag *diag);
void net_close_buffer(bogie_network *net);

#endif
