/* route.h: the search for a train's fastest route. States are (half-edge just travelled, gauge on the wheels, leg),
 * so the search can change gauge where the train's method allows it, keeps electric trains under suitable wires,
 * forbids sharp turns at any node and reverses only where a train may (route_int.h: rt_may_reverse). Places given
 * as coordinates become virtual nodes that split an edge for one query. */
#ifndef BOGIE_ROUTE_H
#define BOGIE_ROUTE_H

#include "bogie.h"
#include "base/geo.h"
#include "net/network.h"
#include "net/facilities.h"
#include "base/util.h"
#include "ref/world.h"

/* The longest deflection allowed where tracks meet, and across a railway crossing (OpenRailRouting's figures). */
#define ROUTE_MAX_DEFLECTION_DEG 45.0
#define ROUTE_MAX_CROSSING_DEG 14.0
/* A gauge change at a station where gauge sets meet but no facility is listed costs this much more than the train's
 * own figure: an improvised change is slower (assumed), and listed facilities are preferred. */
#define ROUTE_IMPROVISED_CHANGE_PENALTY_S 3600.0
/* A facility in data/gauge-changers.csv applies at the nearest station within this distance (net/facilities.h);
 * every facility applying at a station is considered there. */
#define ROUTE_FACILITY_RADIUS_M NET_FACILITY_RADIUS_M

/* Each train's costs over the whole network, built at its first query and kept (a few trains at a time). */
typedef struct route_cost_cache route_cost_cache;

/* What a planner precomputes once per network and reference data; read-only afterwards, but for the cost cache,
 * which guards itself with a lock. */
typedef struct route_base {
    const bogie_network *net;
    const bogie_world *world;
    const bogie_allocator *alloc;
    uint32_t *node_station;    /* per node: the first station attached, or BOGIE_NONE */
    uint32_t *node_facility;   /* per node: the first facility of the world's list applying there, or BOGIE_NONE */
    uint32_t *facility_next;   /* per facility of the world's list: the next applying at the same node, or BOGIE_NONE */
    float *dep_bearing;        /* per half-edge: bearing leaving its tail node along it, degrees */
    route_cost_cache *costs;
    uint32_t *geom_edge;       /* per geometry point: the edge whose segment starts there, or BOGIE_NONE */
    geo_grid *seg_grid;        /* the track's segments, for snapping coordinates */
    int32_t *station_ll;       /* per station: its lat, lon, then its node's */
    geo_grid *station_grid;    /* over station_ll's points */
    unsigned ch_threads;       /* threads contracting a hierarchy; 0 (route_base_init): the machine's cores, at most 4 */
} route_base;

bogie_status route_base_init(route_base *b, const bogie_network *net, const bogie_world *world,
                             const bogie_allocator *alloc, bogie_diag *diag);
void route_base_free(route_base *b);

/* A place resolved onto the network: a station's node, or a point on an edge. */
typedef struct route_place {
    bool is_point;
    uint32_t station;          /* station index, or BOGIE_NONE */
    uint32_t node;             /* for stations: the attached node */
    uint32_t edge;             /* for points: the edge, and the distance along it in its length_m units */
    double offset_m;
    uint32_t seg;              /* the geometry segment holding the point, and the fraction along it */
    double seg_frac;
    double lat, lon;           /* where the place is on the track */
    double snap_m;             /* for points: how far the given coordinates were from the track */
    char label[160];
} route_place;

/* Constraints the explanation of a failed search may lift one at a time. */
enum {
    ROUTE_RELAX_GAUGE = 1u << 0,
    ROUTE_RELAX_POWER = 1u << 1,
    ROUTE_RELAX_AVOID = 1u << 2,
    ROUTE_RELAX_TURNS = 1u << 3
};

/* How a query searches. Every method finds a route of the same (least) cost. */
typedef enum route_method {
    ROUTE_AUTO = 0,     /* the train's hierarchy when it is built and the query allows it (two stations, nothing
                           avoided), else A* with landmarks */
    ROUTE_DIJKSTRA,     /* plain Dijkstra: the baseline of tests and benchmarks */
    ROUTE_ALT,          /* A* with the landmarks' lower bounds */
    ROUTE_CH            /* the contraction hierarchy (built now if need be); falls back to A* where it cannot serve */
} route_method;

typedef struct route_query {
    const route_base *base;
    const bogie_train *train;
    const route_place *places;  /* origin, vias, destination */
    size_t n_places;
    double via_dwell_s;
    const double *via_dwell_at; /* per place: the stop at via place k (1 .. n_places - 2); NULL: via_dwell_s */
    const uint8_t *avoid_node;  /* per node, or NULL */
    const uint8_t *avoid_edge;  /* per edge, or NULL */
    unsigned relax;
    double deadline;            /* util_now() after which the search gives up with BOGIE_ERR_CANCELLED; 0: none */
    bool explain_failure;       /* when there is no route, search again to say why (slower) */
    route_method method;        /* how to search; ROUTE_AUTO picks the fastest that applies */
    const float *penalty;       /* per real half-edge: a factor (>= 1) on its running cost, or NULL; the search
                                   for alternatives (alternatives.c) steers away from routes found with it */
    size_t max_settled;         /* A* and Dijkstra give up with BOGIE_ERR_LIMIT after settling this many states;
                                   0: no limit */
    bool by_length;             /* search for the shortest route in metres instead of the fastest: gauge changes,
                                   reversals and stops cost nothing, the rules on moves stay (map matching) */
    double max_cost;            /* give up (BOGIE_ERR_NOT_FOUND) once every route left would cost more than this
                                   (seconds, or metres by_length); 0: no bound */
    double *reach_cost;         /* set by route_reach() only */
} route_query;

typedef enum route_item_kind {
    RITEM_EDGE = 0,     /* travel along half-edge h */
    RITEM_CHANGE,       /* change gauge at node */
    RITEM_REVERSAL,     /* reverse at node */
    RITEM_VIA           /* stop at via place via */
} route_item_kind;

typedef struct route_item {
    route_item_kind kind;
    uint32_t h;               /* RITEM_EDGE: the half-edge (possibly virtual) */
    uint32_t node;            /* where a change, reversal or via stop happens (possibly virtual) */
    uint16_t from_gauge, to_gauge;
    double cost_s;            /* the search's estimate for this item */
    uint32_t facility;        /* RITEM_CHANGE: the facility, or BOGIE_NONE for a station where gauges meet */
    uint32_t via;             /* RITEM_VIA: index into places */
} route_item;

/* One query's view of the graph: the network plus virtual nodes and edges for places given as points. A virtual
 * edge is a piece [start_m, end_m] of a base edge. Node ids n_nodes.. and edge ids n_edges.. are virtual. */
typedef struct route_vedge {
    uint32_t base;            /* the real edge it is a piece of */
    uint32_t from, to;        /* nodes, real or virtual */
    double start_m, end_m;    /* the piece, in the base edge's length units, along its geometry */
} route_vedge;

typedef struct route_view {
    const route_base *b;
    uint32_t n_nodes, n_edges;   /* real counts */
    route_vedge vedges[64];
    uint32_t n_vedges;
    uint32_t vnode_of_place[32]; /* virtual node per place given as a point, else BOGIE_NONE */
    float vbearing[128];         /* per virtual half-edge */
} route_view;

typedef struct route_result {
    VEC(route_item) items;
    double cost_s;
    route_view view;
    uint16_t start_gauge, end_gauge;
    double unknown_gauge_m;      /* length of track with no gauge tag on the route */
    double unpowered_m;          /* electric trains: length coasted without suitable wires */
    size_t settled, reached;     /* the search's effort: states taken from the queue, and states reached */
} route_result;

/* Finds the fastest route through the places in order. On success fills *res (free with route_result_free). When
 * there is none, returns BOGIE_ERR_NOT_FOUND with diag explaining why, in terms of gauge, wires, avoided places,
 * turns or connectivity. */
bogie_status route_find(const route_query *q, route_result *res, bogie_diag *diag);
void route_result_free(const bogie_allocator *alloc, route_result *res);

/* Alternative routes (alternatives.c): each shares at most ROUTE_ALT_MAX_SHARE of its length with the routes
 * before it, costs at most ROUTE_ALT_MAX_STRETCH times the fastest, runs little track twice (ROUTE_ALT_MAX_AGAIN)
 * and is locally optimal: its stretch of
 * ROUTE_ALT_LOCAL_ALPHA times the fastest route's cost around the via is a cheapest path itself (the criteria of
 * Abraham et al. 2013, "Alternative routes in road networks"). */
#define ROUTE_ALT_MAX_SHARE 0.8
#define ROUTE_ALT_MAX_STRETCH 1.5
#define ROUTE_ALT_LOCAL_ALPHA 0.25
/* Nor may an alternative run more than this share of its length a second time over track the fastest route runs
 * once (out to a reversal and back: a detour the T-test misses when its via lies outside the loop; assumed, to
 * leave room for reversing at a terminus). */
#define ROUTE_ALT_MAX_AGAIN 0.05

/* Up to max routes through q's places into res[0 .. *n_res) (the caller's array of max; each freed with
 * route_result_free): res[0] is route_find's route, then the alternatives, cheapest first, each with shared[i]
 * the fraction of its length on track of the routes before it (shared[0] is 0). Alternatives are searched
 * (*searched set) only when max > 1 and the train's hierarchy applies to q (two stations, nothing avoided); the
 * hierarchy is built now when missing. Errors as route_find's; no alternative is not one. */
bogie_status route_alternatives(const route_query *q, size_t max, route_result *res, double *shared, size_t *n_res,
                                bool *searched, bogie_diag *diag);
/* The length of res's route along the track, in metres. */
double route_length(const route_result *res);

/* One search (Dijkstra, within q->max_cost when set) from q->places[0] to every other place of q: the least cost to
 * each (metres when q->by_length) into cost[0 .. n_places - 1) (the caller's), INFINITY for those not reached. No
 * route is built. BOGIE_ERR_NOMEM, BOGIE_ERR_CANCELLED or BOGIE_ERR_ARG (too many places) when it cannot search. */
bogie_status route_reach(const route_query *q, double *cost, bogie_diag *diag);

/* Builds train's contraction hierarchy now, if it is not built yet (it is kept with the train's costs in the cost
 * cache). Later ROUTE_AUTO queries and matrices for this train use it. */
bogie_status route_prepare(const route_base *b, const bogie_train *train, bogie_diag *diag);

/* The search's cost (seconds) and length (metres) from every source place to every destination place (row-major
 * n_src x n_dst; INFINITY where there is no route). Uses the train's hierarchy when it is built and every place is
 * a station node, else one search per pair. */
bogie_status route_matrix(const route_base *b, const bogie_train *train, const route_place *src, size_t n_src,
                          const route_place *dst, size_t n_dst, double deadline, double *cost, double *len,
                          bogie_diag *diag);

/* Helpers on a view, for turning a result into geometry. */
uint32_t route_edge_of(uint32_t h);
const net_edge *route_base_edge(const route_view *v, uint32_t edge);
/* The piece of the base edge that edge covers, in its length units. */
void route_edge_span(const route_view *v, uint32_t edge, double *start_m, double *end_m);
uint32_t route_head(const route_view *v, uint32_t h);
uint32_t route_tail(const route_view *v, uint32_t h);
/* Coordinates of node (real or virtual) in degrees. */
void route_node_pos(const route_view *v, uint32_t node, double *lat, double *lon);

/* Snaps (lat, lon) to the nearest point of an edge the train could use (any of its gauges, before or after a
 * change; electrification is not required), within max_m. Returns BOGIE_ERR_NOT_FOUND with a message when there
 * is none. */
bogie_status route_snap(const route_base *b, const bogie_train *train, double lat, double lon, double max_m,
                        route_place *out, bogie_diag *diag);
/* The same for the max nearest points, one per edge, nearest first, into out; *n_out receives how many. */
bogie_status route_snap_n(const route_base *b, const bogie_train *train, double lat, double lon, double max_m,
                          route_place *out, size_t max, size_t *n_out, bogie_diag *diag);

/* The stations whose position or node lies within max_m of (lat, lon), ascending, at most cap of them, into out;
 * returns how many. */
size_t route_stations_within(const route_base *b, double lat, double lon, double max_m, uint32_t *out, size_t cap);

/* The speed limit of a base edge for this train in direction backward (km/h): line or default, and the train's. */
double route_line_limit_kmh(const route_base *b, const bogie_train *t, const net_edge *e, bool backward,
                            bool *assumed);

/* Whether the train can run on track of class cls at all: with one of its gauges (before or after a change), and
 * for an electric train under wires it accepts. */
bool route_train_can_use(const bogie_train *t, const net_class *cls);

/* Whether track of gauge set cls carries wheels of gauge g (equal, or Russian/Finnish 1520/1524). */
bool route_gauge_ok(const net_class *cls, uint16_t g);

#endif
