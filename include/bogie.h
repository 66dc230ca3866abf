/* bogie.h: the public API of bogie, a railway journey planner that knows gauges, borders and train physics.
 *
 * Anything not declared here is internal. Every function returns a bogie_status (BOGIE_OK is 0) and hands its
 * results out through out-parameters. A bogie_diag, where a function takes one, receives a sentence naming the file,
 * the position and the field that caused a failure. The library keeps no mutable global state: a bogie_network may
 * be shared read-only by any number of threads. */
#ifndef BOGIE_H
#define BOGIE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOGIE_VERSION "0.1.0"

/* Status codes. Keep bogie_strerror() in step when adding one. */
typedef enum bogie_status {
    BOGIE_OK = 0,
    BOGIE_ERR_NOMEM,       /* an allocation failed */
    BOGIE_ERR_IO,          /* a file could not be opened, read or written */
    BOGIE_ERR_INPUT,       /* an input file is malformed */
    BOGIE_ERR_UNSUPPORTED, /* an input uses a format or feature bogie does not read */
    BOGIE_ERR_GRAPH,       /* a graph file is damaged: bad magic, size, offset or index */
    BOGIE_ERR_VERSION,     /* a graph file was written by an incompatible version of bogie */
    BOGIE_ERR_CHECKSUM,    /* a graph file's checksum does not match its contents */
    BOGIE_ERR_CANCELLED,   /* the caller asked to stop */
    BOGIE_ERR_ARG,         /* an argument is invalid */
    BOGIE_ERR_EMPTY,       /* the inputs hold no track bogie can use */
    BOGIE_ERR_LIMIT,       /* a size limit of the graph file was exceeded */
    BOGIE_ERR_NOT_FOUND,   /* a name or object was not found */
    BOGIE_STATUS_COUNT
} bogie_status;

/* Returns a static, human-readable description of a status code; never NULL. */
const char *bogie_strerror(bogie_status status);

/* Detail for the last failure of a call: the status and a sentence naming file, position and field. The caller owns
 * the struct; functions fill it only when they fail. */
typedef struct bogie_diag {
    bogie_status status;
    char message[1024];
} bogie_diag;

/* A pluggable allocator in the style of Lua's lua_Alloc. fn(ud, ptr, old_size, new_size) allocates when ptr is NULL,
 * frees and returns NULL when new_size is 0, and otherwise reallocates. It returns NULL on failure. Passing NULL
 * wherever a bogie_allocator is accepted means the C library's malloc family. */
typedef void *(*bogie_alloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);
typedef struct bogie_allocator {
    bogie_alloc_fn fn;
    void *ud;
} bogie_allocator;

/* ---------------------------------------------------------------------------------------------------------------
 * Import: OpenStreetMap data in, one graph file out.
 * ------------------------------------------------------------------------------------------------------------- */

/* Which track types an import keeps besides railway=rail and railway=narrow_gauge. */
enum {
    BOGIE_INCLUDE_LIGHT_RAIL = 1u << 0,
    BOGIE_INCLUDE_TRAM = 1u << 1,
    BOGIE_INCLUDE_SUBWAY = 1u << 2
};

/* Which OSM reader an import uses. NATIVE is bogie's own reader for every format; READOSM uses Debian's readosm for
 * PBF and plain XML and is kept as the baseline that the import benchmark measures the native reader against. */
typedef enum bogie_reader {
    BOGIE_READER_NATIVE = 0,
    BOGIE_READER_READOSM = 1
} bogie_reader;

/* Progress of a running import, passed to a bogie_progress_fn. */
typedef struct bogie_progress {
    const char *stage;        /* "read", "build" or "write": a static string */
    const char *file;         /* the input being read, or NULL */
    uint64_t objects;         /* OSM objects read so far, over all inputs */
    uint64_t bytes_done;      /* input bytes consumed so far, over all inputs */
    uint64_t bytes_total;     /* total size of all inputs, in bytes */
} bogie_progress;

/* Called now and then during an import. Returning non-zero cancels the import, which then fails with
 * BOGIE_ERR_CANCELLED and leaves no output behind. */
typedef int (*bogie_progress_fn)(void *ud, const bogie_progress *progress);

typedef struct bogie_import_options {
    unsigned include;               /* BOGIE_INCLUDE_* flags; 0 keeps rail and narrow_gauge only */
    double station_radius_m;        /* a station farther than this from any track is dropped; default 1000 */
    bogie_reader reader;            /* default BOGIE_READER_NATIVE */
    const bogie_allocator *alloc;   /* NULL for malloc */
    bogie_progress_fn progress;     /* may be NULL */
    void *progress_ud;
} bogie_import_options;

/* Fills opts with the defaults. */
void bogie_import_options_init(bogie_import_options *opts);

/* Reads the n_inputs OSM files (.osm.pbf/.pbf, .osm, .osm.gz, .osm.bz2, or Overpass API .json) as one network and
 * writes the graph file to output_path. The file is written under a temporary name in the same directory and renamed
 * into place only when complete, so a failed or interrupted import leaves any earlier file at output_path intact.
 * Stale temporary files of dead imports for the same output are removed. The caller keeps ownership of every
 * argument. */
bogie_status bogie_import(const char *const *inputs, size_t n_inputs, const char *output_path,
                          const bogie_import_options *opts, bogie_diag *diag);

/* ---------------------------------------------------------------------------------------------------------------
 * Networks: a graph file mapped read-only.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct bogie_network bogie_network;

enum {
    BOGIE_OPEN_SKIP_CHECKSUM = 1u << 0 /* check structure and indices only; do not hash the section contents */
};

/* Maps the graph file at path read-only and validates its header, section table, checksums (unless
 * BOGIE_OPEN_SKIP_CHECKSUM) and every index it holds. On success *out owns the mapping; release it with
 * bogie_network_close(). alloc may be NULL. */
bogie_status bogie_network_open(const char *path, unsigned flags, const bogie_allocator *alloc,
                                bogie_network **out, bogie_diag *diag);

/* Unmaps and frees a network. NULL is allowed and does nothing. */
void bogie_network_close(bogie_network *net);

/* Sentinel for "no node" and "no station". */
#define BOGIE_NONE UINT32_MAX

/* Gauge sets hold up to this many gauges, in millimetres, smallest first. */
#define BOGIE_MAX_GAUGES 4
/* Electrification holds up to this many power systems. */
#define BOGIE_MAX_POWER 3

/* One row of a per-gauge or per-electrification track length table. */
typedef struct bogie_km_row {
    char label[64];   /* e.g. "1435", "1435;1520", "unknown", "25000 V 50 Hz", "3000 V DC", "not electrified" */
    double km;        /* kilometres of track (each edge counted once) */
    uint64_t edges;   /* number of edges */
} bogie_km_row;

/* One group of values the import could not read or found implausible. */
typedef struct bogie_suspicious_row {
    char what[48];          /* the tag key, or a check's name such as "distance<chord" */
    char value[64];         /* the offending value, truncated; the first seen for this row */
    char reason[96];        /* why it was not used, e.g. "not a gauge in millimetres" */
    uint64_t count;         /* how many OSM objects carried it */
    char example_type;      /* 'n', 'w' or 'r' */
    int64_t example_id;     /* the first OSM object seen with it */
} bogie_suspicious_row;

/* A node where tracks of different gauge sets meet, or where a dual-gauge section begins or ends. */
typedef struct bogie_gauge_break {
    uint32_t node;               /* graph node index */
    double lat, lon;             /* degrees */
    char gauges[96];             /* the distinct gauge sets that meet, e.g. "1435 | 1435;1520" */
    char kind[32];               /* "break of gauge", "dual gauge begins/ends" */
    char station[128];           /* the nearest station's name, or "" when there is none */
    double station_dist_m;       /* distance to that station, or -1 */
} bogie_gauge_break;

/* What `bogie info` shows. All arrays are owned by the summary; free it with bogie_summary_free(). */
typedef struct bogie_summary {
    uint64_t nodes, edges, stations, geometry_points;
    double track_km;                         /* sum of edge lengths */
    double schematic_km;                     /* of which geometry is schematic */
    bogie_km_row *by_gauge; size_t n_by_gauge;
    bogie_km_row *by_power; size_t n_by_power;
    bogie_km_row *by_usage; size_t n_by_usage;
    bogie_km_row *by_speed; size_t n_by_speed;  /* labelled "80 km/h", "64/80 km/h" (forward/backward), "unknown" */
    bogie_suspicious_row *suspicious; size_t n_suspicious;
    bogie_gauge_break *breaks; size_t n_breaks;
    /* Import statistics stored in the file, as name/value pairs, e.g. "ways_kept". */
    struct { char name[40]; uint64_t value; } *stats; size_t n_stats;
    double min_lat, min_lon, max_lat, max_lon;
    uint32_t format_major, format_minor;
    char generator[64];
} bogie_summary;

#define BOGIE_RADIUS_STRAIGHT 65534.0

/* One edge of the graph, for listings. Strings point into the network or into the struct and live as long as both. */
typedef struct bogie_edge_info {
    uint32_t from, to;           /* graph nodes */
    int64_t from_osm, to_osm;    /* their OSM node ids */
    int64_t osm_way;             /* the OSM way the edge starts on */
    double length_m;
    double maxspeed_fwd_kmh;     /* along the geometry's direction; 0 when untagged */
    double maxspeed_bwd_kmh;
    double min_radius_m;         /* -1 when no curve could be measured (schematic or short track);
                                    BOGIE_RADIUS_STRAIGHT for straight track and radii at least that large */
    uint32_t points;             /* geometry points, ends included */
    char gauge[32];              /* e.g. "1435;1520" or "unknown" */
    char power[64];              /* e.g. "25000 V 50 Hz", "not electrified", "unknown" */
    const char *railway;         /* "rail", "narrow_gauge", ... */
    const char *usage;           /* "main", "branch", "siding", ... or "unspecified" */
    const char *name;            /* the OSM name=*, or "" */
    unsigned schematic : 1, speed_assumed : 1, distance_tagged : 1, tunnel : 1, bridge : 1;
} bogie_edge_info;

/* Returns the number of edges. */
uint32_t bogie_network_edge_count(const bogie_network *net);
/* Describes edge index; BOGIE_ERR_ARG when it is out of range. */
bogie_status bogie_network_edge(const bogie_network *net, uint32_t index, bogie_edge_info *out);

/* Computes the summary of a network. *out is allocated with the network's allocator and owned by the caller. */
bogie_status bogie_network_summary(const bogie_network *net, bogie_summary **out);

/* Frees a summary made by bogie_network_summary(); NULL does nothing. */
void bogie_summary_free(const bogie_network *net, bogie_summary *summary);

/* Writes the summary as a JSON document into *json_out, a NUL-terminated string allocated with malloc and owned by
 * the caller (free() it). */
bogie_status bogie_summary_json(const bogie_summary *summary, char **json_out);

#ifdef __cplusplus
}
#endif
#endif
