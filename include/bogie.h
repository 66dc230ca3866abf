/* bogie.h: the public API of bogie, a railway journey planner that knows gauges, borders and train physics.
 *
 * Anything not declared here is internal. Every function returns a bogie_status (BOGIE_OK is 0) and hands its
 * results out through out-parameters. A bogie_diag, where a function takes one, receives a sentence naming the file,
 * the position and the field that caused a failure. The library keeps no mutable global state: a bogie_network may
 * be shared read-only by any number of threads. */
#ifndef BOGIE_H
#define BOGIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is what the shared library exports; it is built with -fvisibility=hidden, so nothing else
 * is (check with nm -D). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
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
    double station_radius_m;        /* a station farther than this from any track is dropped; default 500 */
    bogie_reader reader;            /* default BOGIE_READER_NATIVE */
    const char *borders_topojson;   /* Natural Earth admin-0 outlines (world-atlas countries-10m.json), or NULL:
                                       every node's country is then unknown */
    const char *borders_csv;        /* its country codes (data/world/countries.csv); needed with the outlines */
    unsigned passes;                /* 1: read each input once, keeping every node's coordinates (fastest); 2: read
                                       the ways first, then only the nodes they use (memory grows with the railway,
                                       not with the file); 0 (the default): 2 when the inputs exceed 256 MB */
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

/* Maps the graph file at path read-only and validates its header, section table, padding, checksums (unless
 * BOGIE_OPEN_SKIP_CHECKSUM) and every index it holds; a file of 16 MiB or more is verified on up to 4 threads (one
 * per processor online), joined before it returns. On success *out owns the mapping; release it with
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

/* One country's share of track whose geometry is schematic, or whose gauge, speed limit or electrification is
 * assumed rather than tagged: km of each, out of km of the country's track (each counted once per edge stretch).
 * Gauge is assumed where untagged or where source:gauge says "assumed"; the speed limit where maxspeed is missing
 * in a direction (data/speed-defaults.csv applies) or source:maxspeed says "assumed"; electrification where
 * electrified=* is missing, where wires are tagged without a voltage (no electric train may run there), or where
 * source:electrified says "assumed". */
typedef struct bogie_share_row {
    char label[64];   /* as the by_country rows: "KP North Korea", or "unknown" */
    double km, schematic_km, gauge_assumed_km, speed_assumed_km, power_assumed_km;
} bogie_share_row;

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
    bogie_km_row *by_country; size_t n_by_country; /* labelled "KP North Korea", or "unknown" */
    bogie_share_row *shares; size_t n_shares;      /* per country, in the order of by_country */
    bogie_suspicious_row *suspicious; size_t n_suspicious;
    bogie_gauge_break *breaks; size_t n_breaks;
    /* Import statistics stored in the file, as name/value pairs, e.g. "ways_kept". */
    struct { char name[40]; uint64_t value; } *stats; size_t n_stats;
    double min_lat, min_lon, max_lat, max_lon;
    uint32_t format_major, format_minor;
    char generator[64];
    /* Filled by bogie_summary_add_facilities: how many gauge-change facilities the reference data lists, and the
     * names of those that apply to no station of the network (no station within 5 km), in the table's order. */
    bool has_facilities;
    size_t n_facilities;
    char (*unplaced_facilities)[64]; size_t n_unplaced_facilities;
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

/* ---------------------------------------------------------------------------------------------------------------
 * Trains: rolling-stock profiles, one JSON file each (data/trains/, documented in README.md).
 * ------------------------------------------------------------------------------------------------------------- */

typedef enum bogie_change_method {
    BOGIE_CHANGE_NONE = 0,       /* the train keeps its gauge */
    BOGIE_CHANGE_BOGIE_EXCHANGE, /* bogies are swapped under the cars at an exchange facility */
    BOGIE_CHANGE_VARIABLE_GAUGE, /* wheelsets adjust while passing an automatic gauge changer */
    BOGIE_CHANGE_TRANSSHIPMENT   /* the load moves to another train */
} bogie_change_method;

typedef enum bogie_traction { BOGIE_TRACTION_DIESEL = 0, BOGIE_TRACTION_ELECTRIC } bogie_traction;

#define BOGIE_MAX_TRAIN_GAUGES 4
#define BOGIE_MAX_TRAIN_SYSTEMS 4
#define BOGIE_MAX_EFFORT_POINTS 256 /* published curves have 100 to 160 points */

typedef struct bogie_power_system {
    uint32_t voltage;        /* volts */
    double frequency_hz;     /* 0 for direct current */
} bogie_power_system;

/* A train, in SI units. bogie_train_load() fills it from a profile; callers may also fill one themselves. */
typedef struct bogie_train {
    char name[64];                       /* the profile's name, e.g. "armoured" */
    char title[128];                     /* a one-line description */
    uint16_t gauges[BOGIE_MAX_TRAIN_GAUGES]; /* track gauges (mm) its wheels run on now */
    size_t n_gauges;
    bogie_change_method change;
    uint16_t change_to[BOGIE_MAX_TRAIN_GAUGES]; /* gauges it can change to */
    size_t n_change_to;
    double change_s;                     /* time one gauge change takes */
    bogie_traction traction;
    bogie_power_system systems[BOGIE_MAX_TRAIN_SYSTEMS]; /* for electric traction: the systems it accepts */
    size_t n_systems;
    double max_gap_m;                    /* electric: the longest stretch without suitable wires it can coast */
    double max_speed_ms;
    double mass_kg, length_m;
    double power_w;                      /* rated power */
    double efficiency;                   /* share of the rated power that reaches the rail */
    double max_effort_n;                 /* starting tractive effort */
    double effort_curve[BOGIE_MAX_EFFORT_POINTS][2]; /* optional (m/s, N) points; replaces power and effort */
    size_t n_effort_points;
    double adhesive_mass_kg;             /* mass on driven axles */
    double adhesion;                     /* adhesion coefficient */
    double davis_a_n, davis_b_n_s_m, davis_c_n_s2_m2; /* resistance A + B v + C v^2, v in m/s */
    double rotating_factor;              /* rotating-mass coefficient, e.g. 1.06 */
    double brake_ms2;                    /* service braking deceleration */
    double startup_s;                    /* time from the start signal to moving, added at every start */
    double reversal_s;                   /* time to reverse (at a station, a stop position, a buffer stop, in a
                                            yard or siding area, once the whole train has cleared the last switch) */
    double wrong_track_pct;              /* the search's extra cost, in percent of the running time, on track run
                                            against its railway:preferred_direction */
    double dwell_s;                      /* default stop at a requested via point */
    double curve_lateral_ms2;            /* lateral acceleration allowed in curves, cant included */
    double allowance_pct;                /* timetable allowance over the minimum running time */
} bogie_train;

/* Reads and checks a train profile. Every figure in the file must be an object {"value": ..., "source": "..."}
 * whose source says where it comes from or starts with "assumed". Failures name the file and the field, e.g.
 * "data/trains/x.json: field \"mass_t\": must be a positive number". */
bogie_status bogie_train_load(const char *path, bogie_train *out, bogie_diag *diag);

/* Returns the name of a change method ("none", "bogie_exchange", ...). */
const char *bogie_change_method_name(bogie_change_method m);

/* ---------------------------------------------------------------------------------------------------------------
 * Journeys: the route a train can run, its stops, running times and timetable.
 * ------------------------------------------------------------------------------------------------------------- */

/* Reference data beyond the network: gauge-change facilities, border stop times, time zones by country, default
 * speed limits (the CSV tables in data/), and the system's tz database. Immutable once open; share it freely. */
typedef struct bogie_world bogie_world;

/* Loads the tables from data_dir (e.g. "data"). Failures name the file, line and field. */
bogie_status bogie_world_open(const char *data_dir, const bogie_allocator *alloc, bogie_world **out,
                              bogie_diag *diag);
void bogie_world_close(bogie_world *world);

/* The gauge-change facilities of world's table (data/gauge-changers.csv) that apply to no station of net: a facility
 * applies at the nearest station within 5 km of its coordinates. Puts the first cap of their names (pointing into
 * world) into names, in the table's order, and returns how many there are; *n_listed gets the table's rows. */
size_t bogie_unplaced_facilities(const bogie_network *net, const bogie_world *world, const char **names, size_t cap,
                                 size_t *n_listed);

/* Adds to summary s (of net) the report on world's facilities (has_facilities and the fields after it), allocated
 * with the network's allocator and freed by bogie_summary_free. BOGIE_ERR_NOMEM when out of memory. */
bogie_status bogie_summary_add_facilities(const bogie_network *net, const bogie_world *world, bogie_summary *s);

/* A network and the reference data, prepared for journeys: per-node stations and facilities, bearings at every
 * junction. Read-only once made, so one planner serves concurrent queries. It keeps pointers to net and world,
 * which must outlive it. */
typedef struct bogie_planner bogie_planner;

bogie_status bogie_planner_new(const bogie_network *net, const bogie_world *world, const bogie_allocator *alloc,
                               bogie_planner **out, bogie_diag *diag);
void bogie_planner_free(bogie_planner *planner);

/* Builds, for this train, the contraction hierarchy that answers later routes between stations and large tables
 * in well under a millisecond per route. It takes a few seconds on a continental network (on the machine's cores,
 * at most 4; the hierarchy is the same for any number) and is kept with the planner (for up to eight trains at a
 * time); until it exists, routes use A* with landmarks, which finds the same routes more slowly. Safe to call from
 * several threads. */
bogie_status bogie_planner_prepare(const bogie_planner *planner, const bogie_train *train, bogie_diag *diag);

/* One station found by a name search. */
typedef struct bogie_station_match {
    uint32_t station;        /* index in the network */
    char name[128];          /* its display name: name:en, else name */
    char local_name[128];    /* its name=* */
    char matched[128];       /* the name that matched the query */
    char matched_key[32];    /* which tag it came from, e.g. "name:ru" */
    double lat, lon;
    int quality;             /* 3 exact, 2 prefix, 1 contains; 0 for a suggestion by spelling */
} bogie_station_match;

/* Searches station names in every language the data has, ignoring case, accents and punctuation. Writes up to max
 * matches, best first (one per station), into out and their number into *n_out. When nothing matches, suggests
 * stations whose names are spelt similarly (quality 0). */
bogie_status bogie_stations_search(const bogie_planner *planner, const char *query, bogie_station_match *out,
                                   size_t max, size_t *n_out, bogie_diag *diag);

typedef struct bogie_journey_request {
    const char *from;                  /* a station name in any language, or "lat,lon" */
    const char *to;
    const char *const *via;            /* stops on the way, in order: "PLACE", "PLACE+DURATION" (a stop of its own
                                          length: "Ussuriysk+12h", "+1h30", "+45" minutes) or "PLACE@TIME" (leave it
                                          then: "Khabarovsk@2023-09-13 09:00", as depart takes a time, in the via's
                                          local time unless it has an offset; needs depart) (docs/journeys.md) */
    size_t n_via;
    const double *via_dwell_each;      /* NULL, or per via: its stop in seconds (negative: via_dwell_s); takes
                                          precedence over a "+DURATION" in the via's text */
    const char *const *via_leave;      /* NULL, or per via: the time to leave it, as "PLACE@TIME" gives it, or NULL
                                          for none; takes precedence over an "@TIME" in the via's text */
    const bogie_train *train;
    const char *depart;                /* "2023-09-10 15:00" in the origin's local time, or ISO 8601 with an offset;
                                          NULL for elapsed times only */
    const char *const *avoid;          /* station names or countries (ISO codes or names) to keep out of */
    size_t n_avoid;
    double via_dwell_s;                /* the stop at each via; negative for the train's own figure */
    double snap_radius_m;              /* how far coordinates may be from usable track; default 5000 */
    double time_limit_s;               /* give up the search after this long (BOGIE_ERR_CANCELLED); 0: no limit */
    uint16_t start_gauge;              /* the gauge (mm) of the wheels the train has at the origin: one of its own or
                                          one it can change to; a change it then needs at the origin is made before
                                          the departure. 0: its own, or the track's at the origin when its own do
                                          not fit there; a change at the origin is then assumed done already */
    const char *field_prefix;          /* put before a field's name in messages: "--" (the default) for a command
                                          line, "" for an HTTP API */
    const char *const *seen;           /* sightings, "PLACE@TIME": a station or "lat,lon" on the route, and a time
                                          as depart takes it, in the place's local time or with an offset; the
                                          journey is re-timed to pass each at its time (docs/journeys.md). Needs
                                          depart */
    size_t n_seen;
} bogie_journey_request;

void bogie_journey_request_init(bogie_journey_request *req);

/* What happens at a stop; a stop may combine several. */
enum {
    BOGIE_STOP_ORIGIN = 1u << 0,
    BOGIE_STOP_DESTINATION = 1u << 1,
    BOGIE_STOP_VIA = 1u << 2,
    BOGIE_STOP_GAUGE_CHANGE = 1u << 3,
    BOGIE_STOP_BORDER = 1u << 4,
    BOGIE_STOP_REVERSAL = 1u << 5,
    BOGIE_STOP_PASS = 1u << 6, /* a timing point passed without stopping */
    BOGIE_STOP_SEEN = 1u << 7, /* a sighting (bogie_journey_request.seen) */
    BOGIE_STOP_HALT = 1u << 8  /* a halt the sightings need that the plan does not have (bogie_stop.halt_s) */
};

typedef struct bogie_stop {
    unsigned kinds;                  /* BOGIE_STOP_* */
    char name[128];                  /* name:en, else name, else coordinates */
    char local_name[128];            /* name=*, in the local script */
    uint32_t station;                /* station index, or BOGIE_NONE */
    double lat, lon;
    double km;                       /* distance from the origin */
    double arrive_s, depart_s;       /* seconds after departure from the origin; at the origin, work done before
                                        the departure (a gauge change the start_gauge asked for) starts at a
                                        negative arrive_s; at the destination, depart_s ends its work */
    int64_t arrive_utc, depart_utc;  /* seconds since 1970, when the journey has a departure time */
    char arrive_local[24], depart_local[24]; /* "2023-09-10 15:00" in the stop's zone, or "" */
    char zone[48];                   /* IANA zone of the stop, or "" */
    char abbr[12];                   /* the zone's abbreviation at departure, e.g. "KST" or "+10" */
    int utc_offset_s;                /* the zone's offset at departure */
    char country[4];                 /* ISO 3166-1 alpha-2, or "" */
    double dwell_s, change_s, border_s, reversal_s; /* the stop's time, by cause */
    uint16_t gauge;                  /* the gauge on the wheels when leaving */
    char detail[256];                /* e.g. "bogie exchange 1435 -> 1520 mm (Tumangang)", "border KP -> RU" */
    double planned_arrive_s, planned_depart_s; /* arrive_s and depart_s as planned, before any sighting re-timed
                                        them (equal to them when there is none) */
    double halt_s;                   /* a halt before a sighting, beyond the slowest pace (BOGIE_STOP_HALT) */
} bogie_stop;

/* A sighting the journey was re-timed to. */
typedef struct bogie_sighting {
    char place[128];                 /* the station's display name, or the coordinates as given */
    uint32_t station;                /* station index, or BOGIE_NONE for coordinates */
    double km;                       /* where it is on the route */
    double lat, lon;                 /* the point of the route there */
    double off_route_m;              /* how far the place given is from that point */
    int64_t seen_utc;
    double seen_s;                   /* seconds after the departure */
    double planned_s;                /* when the plan had the train there */
} bogie_sighting;

/* A stretch between two sightings (the first from the departure), or after the last one to the destination. */
typedef struct bogie_stretch {
    double km0, km1;
    double planned_running_s;        /* running time the plan has on it (allowance included, stops excluded) */
    double pace;                     /* the running time taken (or predicted) over the planned one */
    double halt_s;                   /* time beyond the slowest pace taken, put as a halt at its end */
    bool predicted;                  /* after the last sighting: run at the pace of the stretch before */
} bogie_stretch;

/* Why a speed limit applies. */
typedef enum bogie_limit_kind {
    BOGIE_LIMIT_LINE = 0, /* the line's maxspeed as tagged */
    BOGIE_LIMIT_ASSUMED,  /* the line's limit, assumed (untagged, or tagged as assumed) */
    BOGIE_LIMIT_CURVE,    /* a curve: the speed at the train's lateral acceleration on its radius */
    BOGIE_LIMIT_TRAIN     /* the train's own top speed */
} bogie_limit_kind;

typedef struct bogie_profile_point {
    double km, time_s, speed_kmh, limit_kmh;
    bogie_limit_kind limit_kind; /* why limit_kmh applies there */
} bogie_profile_point;

#define BOGIE_MAX_WARNINGS 8

/* The stages of bogie_plan, in order, as bogie_journey.stage_s times them. */
enum {
    BOGIE_STAGE_PLACES = 0, /* resolving the places and the wheels at the start */
    BOGIE_STAGE_SEARCH,     /* the route search */
    BOGIE_STAGE_LAYOUT,     /* the route's track edge by edge */
    BOGIE_STAGE_STOPS,      /* gauge changes, reversals, vias, borders */
    BOGIE_STAGE_RUN,        /* the physics */
    BOGIE_STAGE_TIMETABLE,  /* the stations passed, named */
    BOGIE_STAGE_CLOCK,      /* time zones and local times */
    BOGIE_STAGE_RESULT,     /* the line, the thinned profile, the path, warnings */
    BOGIE_STAGE_RETIME,     /* sightings */
    BOGIE_N_STAGES
};

typedef struct bogie_journey {
    const bogie_allocator *alloc;
    char train[64];
    char train_title[128];
    bool has_clock;                  /* departure given: the *_utc and *_local fields are filled */
    double length_m;
    double total_s;                  /* from the departure to the end of the work at the destination (its arrival,
                                        plus a border or gauge stop there): running_s + allowance_s + the stops */
    double running_s;                /* moving, startups included, allowance excluded */
    double allowance_s;
    double change_s, border_s, dwell_s, reversal_s;
    double weight_s;                 /* the search's own estimate (at the limits, plus stops), as /table gives it */
    double graded_km;                /* of length_m, the km whose elevation, and so grade, is known (elsewhere the
                                        physics takes the track as flat) */
    double max_grade_permille;       /* the steepest smoothed grade on them, up or down */
    bogie_stop *stops;               /* every stop and timing point, in order */
    size_t n_stops;
    double (*line)[2];               /* the route's geometry, (lat, lon) pairs */
    double *line_km;                 /* per point of line: its distance from the origin along the route */
    size_t n_line;
    bogie_profile_point *profile;    /* speed and limit against distance */
    size_t n_profile;
    int64_t *path_nodes;             /* the OSM ids of the graph nodes passed, in order (a reversal repeats none:
                                        the node reversed at appears once); points given as coordinates are 0 */
    size_t n_path_nodes;
    char countries[16][4];           /* in the order passed */
    size_t n_countries;
    char warnings[BOGIE_MAX_WARNINGS][256];
    size_t n_warnings;
    /* Filled when the request had sightings (retimed): */
    bool retimed;
    bogie_sighting *sightings;       /* by time */
    size_t n_sightings;
    bogie_stretch *stretches;        /* one more than the sightings: the last is predicted */
    size_t n_stretches;
    double planned_total_s;          /* total_s as planned */
    double early_s, late_s;          /* the band of the arrival at the destination, seconds after the departure */
    int64_t early_utc, late_utc;
    char early_local[24], late_local[24]; /* in the destination's zone */
    double stage_s[BOGIE_N_STAGES];  /* how long each stage of bogie_plan took, in seconds (BOGIE_STAGE_*), for
                                        profiling (bench/plan_loop) */
    /* Filled by bogie_plan_alternatives: */
    double shared;                   /* the fraction of its length on track of the routes before it; 0 for the
                                        first (the fastest) and from bogie_plan */
} bogie_journey;

/* Plans a journey. On success *out is owned by the caller (bogie_journey_free). When no route exists, returns
 * BOGIE_ERR_NOT_FOUND with diag saying why (gauge, wires, avoided places, turns, or no connection). Unknown or
 * ambiguous station names fail with BOGIE_ERR_NOT_FOUND or BOGIE_ERR_ARG and list candidates. */
bogie_status bogie_plan(const bogie_planner *planner, const bogie_journey_request *req, bogie_journey **out,
                        bogie_diag *diag);
void bogie_journey_free(bogie_journey *journey);

/* The most routes bogie_plan_alternatives gives. */
#define BOGIE_MAX_ALTERNATIVES 8

/* Plans the fastest journey, as bogie_plan does, and up to max - 1 alternatives (max from 1 to
 * BOGIE_MAX_ALTERNATIVES): routes that each share at most 80 % of their length with the routes before them, cost
 * at most 1.5 times the fastest's search cost (weight_s) and are locally optimal (Abraham et al. 2013,
 * "Alternative routes in road networks"; docs/journeys.md), each a whole journey with its own stops, gauge
 * changes, borders and timetable, ordered by weight_s, fastest first; bogie_journey.shared says how much each
 * shares. Alternatives are searched for between two places (stations, or points given as coordinates on two
 * different edges) with nothing avoided (through the train's hierarchy,
 * built now if bogie_planner_prepare has not built it); otherwise, as when none qualifies, the answer is the one
 * journey (with a warning in the first case). An alternative that the request's sightings do not fit (one off its
 * route) is left out. On success *out (an array of *n_out journeys, at least one) is the
 * caller's: free it with bogie_journeys_free. Errors as bogie_plan's. */
bogie_status bogie_plan_alternatives(const bogie_planner *planner, const bogie_journey_request *req, size_t max,
                                     bogie_journey ***out, size_t *n_out, bogie_diag *diag);
/* Frees the n journeys of js and the array itself; js may be NULL. */
void bogie_journeys_free(bogie_journey **js, size_t n);

typedef enum bogie_where_state {
    BOGIE_WHERE_NOT_DEPARTED = 0,    /* before the departure: at the origin */
    BOGIE_WHERE_RUNNING,
    BOGIE_WHERE_STOPPED,             /* at a stop: why says what for */
    BOGIE_WHERE_ARRIVED              /* at the destination */
} bogie_where_state;

/* Where a journey's train is at one time (bogie_where). */
typedef struct bogie_position {
    bogie_where_state state;
    int64_t at_utc;
    double at_s;                     /* seconds after the departure */
    char at_local[24], abbr[12];     /* the time in the zone of the train's place then */
    double km, lat, lon, speed_kmh;
    size_t last, next;               /* indices into the journey's stops: the last row reached and the next one
                                        (next == n_stops once arrived) */
    char why[320];                   /* STOPPED: "gauge change: bogie exchange ...", "border: ...", "dwell", ... */
} bogie_position;

/* Where journey j's train (planned by p with a departure time, re-timed by its sightings if any) is at time at:
 * "now", or a time as bogie_journey_request.depart takes it, in the origin's local time or with an offset. Fills
 * *out; BOGIE_ERR_ARG when at cannot be read or j has no departure time. */
bogie_status bogie_where(const bogie_planner *p, const bogie_journey *j, const char *at, bogie_position *out,
                         bogie_diag *diag);

/* ---------------------------------------------------------------------------------------------------------------
 * Map matching: a recorded trace put onto the track a train can run (docs/journeys.md, "Map matching").
 * ------------------------------------------------------------------------------------------------------------- */

/* One point of a recorded trace. */
typedef struct bogie_trace_point {
    double lat, lon;                 /* degrees */
    bool has_time;
    int64_t time_utc;                /* seconds since 1970, when has_time */
} bogie_trace_point;

/* A trace read from a file: its points in the order recorded. Free it with bogie_trace_free(). */
typedef struct bogie_trace {
    const bogie_allocator *alloc;
    bogie_trace_point *points;
    size_t n_points, cap_points;
    bool has_times;                  /* every point has a time (a trace has times at all its points or at none) */
} bogie_trace;

/* Reads the track points (<trkpt>, else the route points <rtept>) of a GPX 1.0 or 1.1 file, with their <time>s
 * (ISO 8601; fractions of a second dropped; UTC when no offset is given), in the order of the file. Refuses, naming
 * the file, the line and the field: XML that is not well-formed, a root other than <gpx>, a document type
 * declaration, a point without lat or lon or with one out of range, a <time> that cannot be read, times on some
 * points but not others, times that go back, and a file without points. On success *out is the caller's
 * (bogie_trace_free); alloc may be NULL. */
bogie_status bogie_trace_read_gpx(const char *path, const bogie_allocator *alloc, bogie_trace **out,
                                  bogie_diag *diag);
/* The same for a GPX document in data[0 .. len) (the caller's), named name in messages. */
bogie_status bogie_trace_parse_gpx(const char *data, size_t len, const char *name, const bogie_allocator *alloc,
                                   bogie_trace **out, bogie_diag *diag);
/* Frees a trace; NULL does nothing. */
void bogie_trace_free(bogie_trace *trace);

/* What bogie_match() matches, and how. */
typedef struct bogie_match_request {
    const bogie_train *train;
    const bogie_trace_point *points; /* the trace, in the train's order (the caller's) */
    size_t n_points;
    const double *radii;             /* per point: how far from it candidates on track are looked for (metres), or
                                        NULL for radius_m at every point; a value <= 0 takes radius_m */
    double radius_m;                 /* default 50 */
    double sigma_m;                  /* the standard deviation of the trace's positions, metres; default 20 */
    double beta_m;                   /* the scale of the transitions' exponential, metres; default 50 */
    bool split_gaps;                 /* start a new matching after a gap: two consecutive points more than
                                        max_gap_s and 2 sigma apart (OSRM's gaps=split); default false */
    double max_gap_s;                /* default 600 */
    double time_limit_s;             /* give up after this long (BOGIE_ERR_CANCELLED); 0: no limit */
} bogie_match_request;

void bogie_match_request_init(bogie_match_request *req);

/* Where one trace point was matched. */
typedef struct bogie_tracepoint {
    bool matched;                    /* false for a point with no track within its radius, or left out of every
                                        matching (OSRM's null tracepoint) */
    size_t matching;                 /* index into bogie_match_result.matchings */
    size_t waypoint_index;           /* its place among the matching's matched points */
    size_t alternatives;             /* candidates on track within its radius besides the nearest */
    double lat, lon;                 /* the point of the matched route nearest to it */
    double distance_m;               /* from the trace point to there */
    double km;                       /* there, along the matching's journey */
} bogie_tracepoint;

/* A section of a matched journey between two consecutive stations of its timetable (the origin and the destination
 * count as stations). */
typedef struct bogie_section {
    size_t from, to;                 /* indices into the journey's stops */
    double km0, km1;
    double predicted_s;              /* bogie's time from leaving from to arriving at to */
    double observed_s;               /* the trace's: the time it reaches km1 less the time it leaves km0, each
                                        interpolated between the matched points around it; -1 without times */
} bogie_section;

/* One matching: a stretch of the trace matched without a break, and the journey along it. */
typedef struct bogie_matching {
    bogie_journey *journey;          /* the route through the matched points, timed by bogie's physics; departing at
                                        the time the trace gives for its origin */
    double confidence;               /* 0 to 1: the mean of exp(-|route - great circle| / beta) over its steps */
    size_t first, last;              /* the trace indices of its first and last matched points */
    size_t n_matched;
    size_t n_vias;                   /* points of the trace the route had to be sent through besides its ends */
    bogie_section *sections;
    size_t n_sections;
    double observed_s, predicted_s;  /* over all its sections (observed -1 without times) */
} bogie_matching;

/* The answer of bogie_match(). Free it with bogie_match_free(). */
typedef struct bogie_match_result {
    const bogie_allocator *alloc;
    char train[64];
    double radius_m, sigma_m, beta_m;
    bogie_tracepoint *points;        /* one per trace point */
    size_t n_points;
    bogie_matching *matchings;
    size_t n_matchings;
} bogie_match_result;

/* Matches a trace to the track req->train can run: a hidden Markov model (Newson and Krumm 2009) whose states are
 * the points of such track within each trace point's radius, with a Gaussian emission in the distance to the
 * point, and a transition exponential in the difference between the distance along track (the shortest route the
 * train may run between the two, under its gauge, turn and reversal rules) and the great-circle distance between
 * the points; Viterbi picks the likeliest sequence. The trace is split where no route joins two consecutive points
 * (or after a gap, with split_gaps), and each matching becomes a journey planned through its matched points, its
 * ends at a station within 300 m, compared with the trace section by section. On success *out is the caller's
 * (bogie_match_free); the caller keeps every argument. BOGIE_ERR_NOT_FOUND when no two points could be matched. */
bogie_status bogie_match(const bogie_planner *planner, const bogie_match_request *req, bogie_match_result **out,
                         bogie_diag *diag);
/* Frees a match and its journeys; NULL does nothing. */
void bogie_match_free(bogie_match_result *match);


/* One point on track nearest to a query point. */
typedef struct bogie_nearest_point {
    double lat, lon;        /* on the track */
    double distance_m;      /* from the query point */
    int64_t osm_from, osm_to; /* the OSM nodes of the track's edge */
    char name[128];         /* the track's name=*, or "" */
} bogie_nearest_point;

/* Finds up to max points, one per edge, on track the train can use within radius_m of (lat, lon), nearest first.
 * *n_out receives how many. */
bogie_status bogie_nearest(const bogie_planner *planner, const bogie_train *train, double lat, double lon,
                           double radius_m, bogie_nearest_point *out, size_t max, size_t *n_out, bogie_diag *diag);

/* The search's estimate of time (seconds) and the route's length (metres) from each source place to each
 * destination place (as in bogie_journey_request: names or "lat,lon"). durations and distances are row-major
 * n_sources x n_destinations arrays the caller provides; a pair without a route gets -1. Failures to resolve a place
 * fail the whole call. */
bogie_status bogie_table(const bogie_planner *planner, const bogie_train *train, const char *const *sources,
                         size_t n_sources, const char *const *destinations, size_t n_destinations,
                         double time_limit_s, double *durations, double *distances, bogie_diag *diag);

/* What bogie_table measures, in words, for the outputs that carry its figures. */
#define BOGIE_TABLE_MEASURE \
    "the search's estimate: every stretch run at its speed limit, without acceleration, braking, start-ups or the " \
    "timetable allowance, plus the stops (gauge changes, borders, reversals); the journeys' weight_s. A planned " \
    "journey's total (bogie route) is longer"

/* The name place (as in bogie_journey_request) resolves to for train: its station's display name (name:en, else
 * name), or "" for coordinates away from a station; written into name (size bytes, truncated at a character).
 * Fails as bogie_table does on a place it cannot resolve. */
bogie_status bogie_place_name(const bogie_planner *planner, const bogie_train *train, const char *place, char *name,
                              size_t size, bogie_diag *diag);

typedef enum bogie_format {
    BOGIE_FORMAT_TEXT = 0,   /* a timetable for people */
    BOGIE_FORMAT_JSON,
    BOGIE_FORMAT_GEOJSON,    /* the route line and the stops */
    BOGIE_FORMAT_GPX,
    BOGIE_FORMAT_CSV,        /* the speed profile: distance, time, speed, limit */
    BOGIE_FORMAT_SVG,        /* speed and limit against distance, with the stops marked */
    BOGIE_FORMAT_GTFS        /* a one-trip GTFS feed, as a zip (bogie_journey_write_bytes only; needs a departure
                                time) */
} bogie_format;

/* Writes the journey in a format into *out, a NUL-terminated string allocated with malloc (free() it). A binary
 * format (BOGIE_FORMAT_GTFS) gives BOGIE_ERR_ARG: write it with bogie_journey_write_bytes. */
bogie_status bogie_journey_write(const bogie_journey *journey, bogie_format format, char **out);

/* Writes the journey in any format into *out, *len bytes allocated with malloc and owned by the caller (free() it;
 * a text format's bytes are its string without the NUL). BOGIE_FORMAT_GTFS gives a zip of agency.txt, stops.txt,
 * routes.txt, trips.txt, stop_times.txt, calendar_dates.txt, shapes.txt and feed_info.txt (docs/journeys.md); a
 * journey planned without a departure time cannot be one (BOGIE_ERR_ARG, diag naming depart). On failure *out is
 * NULL, *len 0 and diag says why; diag may be NULL. */
bogie_status bogie_journey_write_bytes(const bogie_journey *journey, bogie_format format, unsigned char **out,
                                       size_t *len, bogie_diag *diag);
/* Writes the journeys js[0 .. n) of bogie_plan_alternatives into *out (malloc'd; free() it): as text, each
 * timetable headed "alternative 2 of 3: +4 h 10 min, shares 61 %" (its total time against the first's, and
 * bogie_journey.shared); as JSON (BOGIE_FORMAT_JSON), {"alternatives":[...]} with each journey's object as
 * bogie_journey_write gives it plus "shared". Other formats: BOGIE_ERR_ARG. */
bogie_status bogie_journeys_write(const bogie_journey *const *js, size_t n, bogie_format format, char **out);

/* Writes position pos of journey j as text for people, or (BOGIE_FORMAT_JSON) as the journey's JSON with a
 * "position" object added, into *out, a NUL-terminated string allocated with malloc (free() it). Other formats:
 * BOGIE_ERR_ARG. */
bogie_status bogie_position_write(const bogie_journey *j, const bogie_position *pos, bogie_format format,
                                  char **out);

/* Writes a match as text for people (each matching's timetable, then observed against predicted time per section),
 * JSON or GeoJSON (docs/journeys.md lists the fields) into *out, a NUL-terminated string allocated with malloc
 * (free() it). Other formats: BOGIE_ERR_ARG. */
bogie_status bogie_match_write(const bogie_match_result *match, bogie_format format, char **out);

/* ---------------------------------------------------------------------------------------------------------------
 * The HTTP service: answers requests to the API of docs/api.md. bogie_service_handle() is thread-safe.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct bogie_service bogie_service;

typedef struct bogie_service_options {
    const char *network_path;   /* the graph file */
    const char *data_dir;       /* reference tables, and the train profiles in DATA/trains */
    const char *web_dir;        /* the web page's files, served at / ; NULL for none */
    size_t max_via;             /* via points per route; default 25 */
    size_t max_table;           /* sources or destinations per table; default 100 */
    size_t max_uri;             /* longest request line, in bytes; default 8192 */
    double time_limit_s;        /* per request search time; default 10 */
    size_t cache_bytes;         /* memory for remembered answers (the network never changes); default 64 MiB, 0 off */
    bool prepare;               /* build every train's contraction hierarchy in the background (bogie_planner_prepare);
                                   default true */
    const bogie_allocator *alloc;
    const char *const *train_files; /* more train profiles (JSON files) besides DATA/trains; their names must differ
                                       from every other profile's; may be NULL */
    size_t n_train_files;
} bogie_service_options;

void bogie_service_options_init(bogie_service_options *opts);
/* Opens the network, reference data, trains and web files. *out is owned by the caller (bogie_service_close). */
bogie_status bogie_service_open(const bogie_service_options *opts, bogie_service **out, bogie_diag *diag);
void bogie_service_close(bogie_service *service);

typedef struct bogie_response {
    int status;                 /* HTTP status */
    const char *content_type;   /* a static string */
    char *body;                 /* allocated with malloc, owned by the caller (free()); may be NULL when empty */
    size_t length;
    bool from_cache;
    const char *disposition;    /* the Content-Disposition header (a static string), or NULL for none */
} bogie_response;

/* Answers one request: method ("GET", "HEAD", ...) and the raw request target (path and query, as received, still
 * percent-encoded). Never fails: every problem becomes a JSON error answer with its HTTP status. */
void bogie_service_handle(bogie_service *service, const char *method, const char *target, bogie_response *out);

/* Counters since the service opened: requests answered, answers taken from the cache. */
void bogie_service_counters(bogie_service *service, uint64_t *requests, uint64_t *cache_hits);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
