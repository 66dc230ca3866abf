/* netfmt.h: the layout of bogie's graph file, shared by the writer (net/netwrite.c) and every module that reads a
 * mapped network.
 *
 * The file is a 64-byte header, a table of sections, and the sections themselves, each at an offset that is a
 * multiple of 8 (the writer puts each on a 64-byte cache line), with zero bytes between them and after the last:
 * a reader refuses any other byte there, so that every byte of the file is checked. All integers
 * are little-endian (the endian tag lets a reader on another byte order refuse the file). Each section is an array
 * of fixed-size records; its table entry gives offset, record size, count and an XXH3-64 hash of its bytes. String
 * fields are byte offsets into the STRINGS section, whose first byte is NUL (offset 0 is the empty string) and whose
 * last byte is NUL, so that any in-range offset yields a terminated string. */
#ifndef BOGIE_NETFMT_H
#define BOGIE_NETFMT_H

#include <stdint.h>

#define NETFMT_MAGIC "BOGIENET"
#define NETFMT_MAJOR 2u /* a reader refuses any other major version */
#define NETFMT_MINOR 2u /* minor versions only add sections or node flags; readers ignore those they do not know.
                          1: NET_NODE_STOP, graph nodes at stop positions and where two ways meet in a V, and
                          edges of directional track (railway:preferred_direction, maxspeed:forward/backward)
                          running along their ways.
                          2: the optional NETSEC_ELEV section (elevations from OSM ele=* on nodes) */
#define NETFMT_ENDIAN_TAG 0x01020304u

typedef struct netfmt_header {
    char magic[8];
    uint32_t major, minor;
    uint32_t endian;        /* NETFMT_ENDIAN_TAG as written by the writer's byte order */
    uint32_t header_size;   /* sizeof(netfmt_header) */
    uint32_t section_count;
    uint32_t flags;         /* none defined yet; must be 0 */
    uint64_t file_size;
    uint64_t table_hash;    /* XXH3-64 of the section table */
    uint64_t header_hash;   /* XXH3-64 of this header with header_hash zeroed */
    uint8_t reserved[8];
} netfmt_header;

typedef struct netfmt_section {
    uint32_t id;        /* NETSEC_* */
    uint32_t elem_size; /* bytes per record; 1 for byte blobs */
    uint64_t offset;    /* from the start of the file; a multiple of 8 */
    uint64_t count;     /* number of records */
    uint64_t hash;      /* XXH3-64 of the elem_size * count bytes */
} netfmt_section;

typedef enum netsec_id {
    NETSEC_META = 1,          /* byte blob: "key=value\n" lines (generator, inputs, options, attribution) */
    NETSEC_STRINGS = 2,       /* byte blob of NUL-terminated UTF-8 strings */
    NETSEC_NODES = 3,         /* net_node per graph node */
    NETSEC_NODE_OSM = 4,      /* int64_t OSM node id per graph node */
    NETSEC_NODE_ADJ = 5,      /* uint32_t per graph node plus one: start of its half-edges in NETSEC_ADJ */
    NETSEC_ADJ = 6,           /* uint32_t half-edge: edge index << 1 | 1 when the edge leaves the node at its end */
    NETSEC_EDGES = 7,         /* net_edge */
    NETSEC_CLASSES = 8,       /* net_class: the attributes edges share */
    NETSEC_GEOM = 9,          /* net_point: every edge's polyline, endpoints included */
    NETSEC_RADIUS = 10,       /* uint16_t curve radius in metres per NETSEC_GEOM point */
    NETSEC_STATIONS = 11,     /* net_station */
    NETSEC_STATION_NAMES = 12,/* net_name: every name and name:* of every station */
    NETSEC_BREAKS = 13,       /* net_break: breaks of gauge, found at import */
    NETSEC_ISSUES = 14,       /* net_issue: values the import could not read or found implausible */
    NETSEC_STATS = 15,        /* net_stat: import counters */
    NETSEC_NODE_FLAGS = 16,   /* uint16_t NET_NODE_* per graph node */
    NETSEC_COUNTRIES = 17,    /* net_country: the countries the network touches (Natural Earth admin-0) */
    NETSEC_NODE_COUNTRY = 18, /* uint16_t per graph node: 1 + index into NETSEC_COUNTRIES, or 0 when unknown */
    NETSEC_EDGE_CROSS = 19,   /* uint32_t per edge plus one: start of its border crossings in NETSEC_CROSSINGS */
    NETSEC_CROSSINGS = 20,    /* net_crossing: where edges cross country borders, in order along each edge */
    NETSEC_GEOM_POS = 21,     /* float per NETSEC_GEOM point: its distance from its edge's start, in the edge's
                                 length units (so a distance=* tag's scaling is already applied) */
    NETSEC_LANDMARKS = 22,    /* uint32_t graph node per landmark (landmarks.h); at most LM_MAX */
    NETSEC_LANDMARK_DIST = 23,/* uint32_t per graph node per landmark, node-major: whole metres along track in
                                 edge length units, rounded down, UINT32_MAX where unreachable */
    NETSEC_ELEV = 24          /* optional (2.2): float per NETSEC_GEOM point, metres above sea level from the
                                 node's ele=*, NaN where unknown; written only when some point has one */
} netsec_id;

/* The elevations a graph file may hold (the Dead Sea shore to above Everest); the import refuses others. */
#define NET_MIN_ELEV_M (-500.0)
#define NET_MAX_ELEV_M 9000.0

typedef struct net_node {
    int32_t lat, lon; /* degrees * 1e7 */
} net_node;
typedef net_node net_point;

#define NET_NO_RADIUS 0xFFFFu   /* no curve radius could be measured here */
#define NET_MAX_RADIUS 0xFFFEu  /* radii of this many metres or more, and straight track */

enum { NET_EDGE_DISTANCE_TAG = 1u << 0 /* length set by an OSM distance=* tag */ };

typedef struct net_edge {
    uint32_t from, to;             /* graph nodes; the geometry runs from -> to */
    uint32_t geom_first, geom_count;
    uint32_t cls;                  /* index into NETSEC_CLASSES */
    float length_m;
    uint16_t min_radius_m;         /* NET_NO_RADIUS when none was measured */
    uint16_t flags;                /* NET_EDGE_* */
    uint32_t reserved;
    int64_t osm_way;               /* the OSM way the edge starts on */
} net_edge;

enum net_railway { NET_RAILWAY_RAIL = 0, NET_RAILWAY_NARROW_GAUGE, NET_RAILWAY_LIGHT_RAIL, NET_RAILWAY_TRAM,
                   NET_RAILWAY_SUBWAY, NET_RAILWAY_COUNT };
enum net_usage { NET_USAGE_NONE = 0, NET_USAGE_MAIN, NET_USAGE_BRANCH, NET_USAGE_INDUSTRIAL, NET_USAGE_MILITARY,
                 NET_USAGE_TOURISM, NET_USAGE_SCIENTIFIC, NET_USAGE_TEST, NET_USAGE_COUNT };
enum net_service { NET_SERVICE_NONE = 0, NET_SERVICE_SIDING, NET_SERVICE_YARD, NET_SERVICE_SPUR,
                   NET_SERVICE_CROSSOVER, NET_SERVICE_COUNT };
enum net_elec { NET_ELEC_UNKNOWN = 0, NET_ELEC_NO, NET_ELEC_YES };
enum net_power_kind { NET_POWER_UNKNOWN = 0, NET_POWER_CONTACT_LINE, NET_POWER_RAIL, NET_POWER_4TH_RAIL,
                      NET_POWER_GROUND };
enum net_dir { NET_DIR_UNKNOWN = 0, NET_DIR_BOTH, NET_DIR_FORWARD, NET_DIR_BACKWARD };
enum {
    NET_CLASS_TUNNEL = 1u << 0,
    NET_CLASS_BRIDGE = 1u << 1,
    NET_CLASS_SCHEMATIC = 1u << 2,     /* geometry drawn through stations, not surveyed: no curve radii */
    NET_CLASS_SPEED_ASSUMED = 1u << 3, /* source:maxspeed says "assumed" */
    NET_CLASS_GAUGE_ASSUMED = 1u << 4,
    NET_CLASS_ELEC_ASSUMED = 1u << 5
};

#define NET_FREQ_UNKNOWN 0xFFFFu

typedef struct net_power {
    uint32_t voltage;  /* volts; 0 when unknown */
    uint16_t freq_chz; /* hundredths of a hertz; 0 for DC; NET_FREQ_UNKNOWN */
    uint8_t kind;      /* net_power_kind */
    uint8_t reserved;
} net_power;

typedef struct net_class {
    uint16_t gauge[4];      /* millimetres, ascending; n_gauge of them */
    uint8_t n_gauge;        /* 0 when the gauge is unknown */
    uint8_t railway;        /* net_railway */
    uint8_t usage;          /* net_usage */
    uint8_t service;        /* net_service */
    uint8_t electrified;    /* net_elec */
    uint8_t n_power;
    uint8_t pref_dir;       /* net_dir, from railway:preferred_direction */
    uint8_t reserved0;
    uint16_t flags;         /* NET_CLASS_* */
    uint16_t reserved1;
    float maxspeed_fwd;     /* km/h along the OSM way's direction; 0 when unknown */
    float maxspeed_bwd;     /* km/h against it; 0 when unknown */
    net_power power[3];
    uint32_t name, ref;     /* strings */
    uint32_t reserved2;
} net_class;

enum net_station_kind { NET_STATION_STATION = 0, NET_STATION_HALT };
enum { NET_STATION_MERGED = 1u << 0 /* several OSM objects were merged into this station */ };

typedef struct net_station {
    int64_t osm_id;
    int32_t lat, lon;
    uint32_t node;               /* attached graph node (BOGIE_NONE is refused by bogie_network_open) */
    float attach_m;              /* distance to that node */
    uint32_t names_first, names_count; /* range in NETSEC_STATION_NAMES */
    uint32_t name;               /* the primary name: name, else name:en, else any name:* */
    uint32_t uic_ref, railway_ref, timezone; /* strings */
    uint8_t osm_type;            /* 'n', 'w' or 'r' */
    uint8_t kind;                /* net_station_kind */
    uint16_t flags;              /* NET_STATION_* */
    uint32_t reserved;
} net_station;

typedef struct net_name {
    uint32_t key;   /* "name", "name:ru", ... */
    uint32_t value;
} net_name;

enum net_break_kind { NET_BREAK_GAUGE = 0 /* disjoint gauge sets meet */, NET_BREAK_DUAL /* a dual-gauge section
                      begins or ends: one set contains another */ };

typedef struct net_break {
    uint32_t node;
    uint32_t station;        /* nearest station, or BOGIE_NONE */
    float station_dist_m;
    uint32_t kind;           /* net_break_kind */
} net_break;

typedef struct net_issue {
    uint32_t what, value, reason; /* strings */
    uint32_t reserved;
    uint64_t count;
    int64_t example_id;
    uint8_t example_type;         /* 'n', 'w' or 'r' */
    uint8_t reserved1[7];
} net_issue;

typedef struct net_stat {
    uint32_t name; /* string */
    uint32_t reserved;
    uint64_t value;
} net_stat;

enum {
    NET_NODE_CROSSING = 1u << 0,   /* railway=railway_crossing: tracks cross but do not connect */
    NET_NODE_BUFFER_STOP = 1u << 1,
    NET_NODE_SWITCH = 1u << 2,
    NET_NODE_STATION = 1u << 3,    /* a station is attached here */
    NET_NODE_BORDER = 1u << 4,     /* railway=border */
    NET_NODE_BREAK = 1u << 5,      /* a break of gauge */
    NET_NODE_STOP = 1u << 6        /* public_transport=stop_position for trains: where a train may reverse */
};

/* Where only two tracks meet, a bend sharper than this (degrees of deflection, measured over about 50 m of each
 * track) is no curve a train can run but the two legs of a switch whose third leg the extract lacks: a reversal in
 * disguise. The import keeps such a node as a graph node, and the search refuses the turn there. */
#define NET_MAX_BEND_DEG 90.0

typedef struct net_country {
    char alpha2[4];  /* ISO 3166-1 alpha-2, NUL-padded; "" when Natural Earth gives none */
    char alpha3[4];
    uint32_t name;   /* string */
    uint32_t reserved;
} net_country;

typedef struct net_crossing {
    uint32_t edge;
    uint32_t seg;        /* the geometry segment (points seg, seg + 1) */
    float frac;          /* position along that segment */
    float pos_m;         /* distance from the edge's start, in its length units */
    int32_t lat, lon;
    uint16_t from, to;   /* 1 + country index, both real and different (never 0: the track stays in its country
                            where an outline puts it in the sea) */
    uint32_t reserved;
} net_crossing;

_Static_assert(sizeof(net_country) == 16, "country layout");
_Static_assert(sizeof(net_crossing) == 32, "crossing layout");
_Static_assert(sizeof(netfmt_header) == 64, "header layout");
_Static_assert(sizeof(netfmt_section) == 32, "section layout");
_Static_assert(sizeof(net_edge) == 40, "edge layout");
_Static_assert(sizeof(net_class) == 64, "class layout");
_Static_assert(sizeof(net_station) == 56, "station layout");
_Static_assert(sizeof(net_issue) == 40, "issue layout");

#endif
