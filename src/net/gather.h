/* gather.h: what the import gathers from OpenStreetMap before it builds the graph (gather.c), read by the graph
 * builder (build.c) and the file writer (netwrite.c). Everything here lives only while one import runs and is owned
 * by its imp_state. */
#ifndef BOGIE_GATHER_H
#define BOGIE_GATHER_H

#include "net/netfmt.h"
#include "net/strtab.h"
#include "osm/osm.h"

#include <stdbool.h>

typedef struct imp_node {
    int64_t id;
    int32_t lat, lon;
} imp_node;

typedef struct imp_way {
    int64_t id;
    size_t refs_first;   /* into imp_state.refs */
    uint32_t n_refs;
    uint32_t cls;        /* into imp_state.classes */
    double distance_m;   /* from distance=*, or -1 */
    uint32_t seq;        /* arrival order, so duplicates keep the first copy */
} imp_way;

typedef struct imp_member {
    int64_t ref;
    char type;
} imp_member;

/* The kinds of object a station is built from, in the order a merged station keeps its primary object: a
 * railway=station|halt node, a public_transport=station node, a station area (way), a stop_area or station relation,
 * a stop position (a node of the track), a platform (node or way). */
enum imp_station_source {
    IMP_SRC_RAILWAY_NODE = 0,
    IMP_SRC_PT_NODE,
    IMP_SRC_WAY,
    IMP_SRC_RELATION,
    IMP_SRC_STOP_POSITION,
    IMP_SRC_PLATFORM
};

typedef struct imp_station {
    int64_t id;
    char type;                  /* 'n', 'w' or 'r' */
    uint8_t kind;               /* net_station_kind */
    uint8_t source;             /* imp_station_source: lower merges first */
    bool dropped;
    int32_t lat, lon;           /* OSM_NO_COORD until known */
    size_t names_first;         /* into imp_state.names */
    uint32_t names_count;
    uint32_t name, uic_ref, railway_ref, timezone; /* strings */
    uint32_t country;           /* string: the addr:country tag, which overrides the outlines at its node */
    size_t members_first;       /* ways: into refs; relations: into members */
    uint32_t n_members;
    uint16_t flags;             /* NET_STATION_* */
    uint8_t modes;              /* 1 << net_railway for each kind of track it may attach to */
} imp_station;

typedef struct imp_node_flag {
    int64_t id;
    uint16_t flags; /* NET_NODE_* */
} imp_node_flag;

/* A node's elevation, from its ele=* tag. */
typedef struct imp_node_ele {
    int64_t id;
    float ele_m;
} imp_node_ele;

typedef struct imp_issue {
    uint32_t what, value, reason; /* strings */
    uint64_t count;
    int64_t example_id;
    char example_type;
} imp_issue;

/* Import counters, written to the graph file's STATS section under these names. */
#define IMP_STATS(X)                                                                                          \
    X(nodes_read) X(ways_read) X(relations_read) X(ways_kept) X(ways_rail) X(ways_narrow_gauge)               \
    X(ways_light_rail) X(ways_tram) X(ways_subway) X(ways_sidings) X(ways_not_track) X(duplicate_nodes)       \
    X(duplicate_ways) X(missing_node_refs) X(ways_without_gauge) X(stations_found) X(stations_kept)           \
    X(stations_from_station_nodes) X(stations_from_station_areas) X(stations_from_stop_areas)                  \
    X(stations_from_stop_positions) X(stations_from_platforms) X(stations_merged)                              \
    X(stations_not_on_kept_track_type) X(stops_not_on_kept_track_type) X(stations_too_far)                    \
    X(stop_areas_off_track) X(inputs) X(nodes_kept)

typedef struct imp_stats {
#define X(name) uint64_t name;
    IMP_STATS(X)
#undef X
} imp_stats;

struct borders;

typedef struct imp_state {
    const bogie_allocator *alloc;
    const struct borders *borders; /* country outlines, or NULL */
    unsigned include;
    double station_radius_m;
    strtab strings;
    VEC(imp_node) nodes;
    VEC(imp_way) ways;
    VEC(int64_t) refs;
    VEC(net_class) classes;
    uint32_t *class_slots;  /* open addressing over classes: index + 1, or 0 */
    size_t n_class_slots;
    VEC(imp_station) stations;
    VEC(net_name) names;
    VEC(imp_member) members;
    VEC(imp_node_flag) node_flags;
    VEC(imp_node_ele) node_ele;   /* the nodes with a readable ele=*, in arrival order (sorted by the build) */
    VEC(imp_issue) issues;
    uint32_t *issue_slots;
    size_t n_issue_slots;
    imp_stats stats;
    /* The object being read, for issue reports. */
    char cur_type;
    int64_t cur_id;
    uint32_t seq;
    /* Set by a callback that fails; the sink returns it. */
    bogie_status failed;
    /* Reading in two passes: 0 reads everything at once; 1 reads ways and relations only; 2 reads nodes only, and
     * keeps the coordinates of those in wanted (sorted, n_wanted ids): the nodes the ways and relations use. */
    unsigned pass;
    int64_t *wanted;
    size_t n_wanted, wanted_cap;
} imp_state;

/* Initialises st; BOGIE_ERR_NOMEM on failure. */
bogie_status imp_init(imp_state *st, const bogie_allocator *alloc, unsigned include, double station_radius_m);
void imp_free(imp_state *st);
/* Returns a sink that feeds st. */
osm_sink imp_sink(imp_state *st);
/* Records an issue for the current object (st->cur_type, st->cur_id). Failures to allocate set st->failed. */
void imp_report(void *st, const char *what, const char *value, const char *reason);

#endif
